//! Test harness: copy a fixture book into a temp folder, change it, run the real binary.
#![allow(dead_code)]

pub(crate) mod browser;
pub(crate) mod serve;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// `$NODE`, else `node` on the PATH, for the tests that run the theme's scripts. `None` means
/// skip, allowed only outside CI (like the browser tests): under `CI=true` a missing node fails
/// the run.
pub(crate) fn node() -> Option<PathBuf> {
    let candidate = std::env::var("NODE").ok().filter(|n| !n.is_empty()).unwrap_or_else(|| "node".into());
    let works = Command::new(&candidate).arg("--version").output().is_ok_and(|o| o.status.success());
    if !works && in_ci() {
        panic!("CI is set but no node was found (install Debian's nodejs, or set NODE)");
    }
    if !works {
        eprintln!("skipping a test of the theme's scripts: no node found (set NODE=/path/to/node)");
    }
    works.then(|| PathBuf::from(candidate))
}

pub(crate) struct Book {
    pub dir: tempfile::TempDir,
}

pub(crate) struct Run {
    pub ok: bool,
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Book {
    /// A private copy of `tests/fixtures/<name>`.
    pub(crate) fn fixture(name: &str) -> Book {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name);
        let dir = tempfile::tempdir().expect("temp dir");
        copy_dir(&src, dir.path());
        Book { dir }
    }

    /// A copy of the bundled handbook (book.toml, content/ and themes/ of the repository).
    pub(crate) fn bundled() -> Book {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::copy(root.join("book.toml"), dir.path().join("book.toml")).expect("copy book.toml");
        copy_dir(&root.join("content"), &dir.path().join("content"));
        Book { dir }
    }

    pub(crate) fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    pub(crate) fn write(&self, rel: &str, text: impl AsRef<[u8]>) -> &Self {
        let p = self.path(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
        self
    }

    pub(crate) fn remove(&self, rel: &str) -> &Self {
        std::fs::remove_file(self.path(rel)).unwrap();
        self
    }

    pub(crate) fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }

    pub(crate) fn exists(&self, rel: &str) -> bool {
        self.path(rel).exists()
    }

    /// Runs `stagebook <args...>` inside the book folder.
    pub(crate) fn run(&self, args: &[&str]) -> Run {
        let out: Output = Command::new(env!("CARGO_BIN_EXE_stagebook"))
            .args(args)
            .current_dir(self.dir.path())
            .env("NO_COLOR", "1")
            .output()
            .expect("run stagebook");
        Run {
            ok: out.status.success(),
            code: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    pub(crate) fn build(&self) -> Run {
        self.run(&["build"])
    }

    /// Builds and panics with the output when the build fails.
    pub(crate) fn build_ok(&self) -> Run {
        let r = self.build();
        assert!(r.ok, "build failed:\n{}\n{}", r.stdout, r.stderr);
        r
    }

    /// Every file under `dir` (relative paths, sorted) with its bytes.
    pub(crate) fn snapshot(&self, dir: &str) -> Vec<(String, Vec<u8>)> {
        tree(&self.path(dir))
    }
}

/// Every file below `dir` (not folders), at any depth, sorted.
pub(crate) fn files_under(dir: &Path) -> Vec<PathBuf> {
    fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let p = e.unwrap().path();
            if p.is_dir() {
                collect(&p, out);
            } else {
                out.push(p);
            }
        }
    }
    let mut out = Vec::new();
    collect(dir, &mut out);
    out.sort();
    out
}

/// Every file below `dir` with its path from `dir` and its bytes, sorted by path.
pub(crate) fn tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<_> = files_under(dir)
        .into_iter()
        .map(|p| (p.strip_prefix(dir).unwrap().to_string_lossy().into_owned(), std::fs::read(&p).unwrap()))
        .collect();
    files.sort();
    files
}

pub(crate) fn copy_dir(src: &Path, dst: &Path) {
    std::fs::create_dir_all(dst).unwrap();
    for e in std::fs::read_dir(src).unwrap_or_else(|e| panic!("{}: {e}", src.display())) {
        let e = e.unwrap();
        let to = dst.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &to);
        } else {
            std::fs::copy(e.path(), &to).unwrap();
        }
    }
}

/// Hrefs and srcs in an HTML document (naive but enough for generated output).
pub(crate) fn links(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for attr in ["href=\"", "src=\""] {
        for (i, _) in html.match_indices(attr) {
            let rest = &html[i + attr.len()..];
            if let Some(end) = rest.find('"') {
                out.push(rest[..end].replace("&amp;", "&"));
            }
        }
    }
    out
}

/// The text of some HTML: tags dropped, the entities stagebook writes decoded (`&amp;` last, so
/// `&amp;lt;` stays `&lt;`).
pub(crate) fn text_of(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&amp;", "&")
}

/// The headless browser for browser tests: `$CHROMIUM`, else Debian's chromium.
/// `None` means skip, which is only allowed outside CI: under `CI=true` a missing browser
/// fails the test run instead of silently skipping it.
pub(crate) fn chromium() -> Option<PathBuf> {
    let candidates =
        [std::env::var("CHROMIUM").unwrap_or_default(), "/usr/bin/chromium".into(), "/usr/bin/chromium-browser".into()];
    let found = candidates.iter().filter(|c| !c.is_empty()).map(PathBuf::from).find(|p| p.is_file());
    if found.is_none() && in_ci() {
        panic!("CI is set but no chromium was found (install Debian's chromium, or set CHROMIUM)");
    }
    if found.is_none() {
        eprintln!("skipping browser test: no chromium found (set CHROMIUM=/path/to/chromium)");
    }
    found
}

/// Whether this is a CI run (`CI` set to anything but empty, `false` or `0`): there, a missing
/// browser or axe-core fails the tests instead of skipping them.
pub(crate) fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

/// Loads `url` in headless Chromium and returns the DOM after the page's scripts ran.
/// One browser per call and no interaction: new tests use [`browser::Browser`], which opens
/// tabs, clicks, types and waits for conditions.
pub(crate) fn dump_dom(browser: &Path, url: &str) -> String {
    let profile = tempfile::tempdir().unwrap();
    dump_dom_with_profile(browser, url, profile.path())
}

/// Like [`dump_dom`], in a given browser profile (so local storage carries over).
pub(crate) fn dump_dom_with_profile(browser: &Path, url: &str, profile: &Path) -> String {
    let out = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-quic",
            "--allow-file-access-from-files",
            "--virtual-time-budget=5000",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg("--dump-dom")
        .arg(url)
        .output()
        .expect("run chromium");
    assert!(out.status.success(), "chromium failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `file://` URL of a path.
pub(crate) fn file_url(path: &Path) -> String {
    let mut s = String::from("file://");
    for c in path.to_string_lossy().chars() {
        match c {
            ' ' => s.push_str("%20"),
            '#' => s.push_str("%23"),
            '?' => s.push_str("%3F"),
            c => s.push(c),
        }
    }
    s
}
