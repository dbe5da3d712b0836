//! The build cache (`.stagebook-cache/`) never serves stale output: for each kind of input, a
//! cached build, the change, and a cached rebuild give byte for byte the output (or the errors)
//! of a clean `--no-cache` build of the changed handbook. tests/fixtures/cached has a matrix,
//! an include, SUMMARY.md and a theme override. A skipped build is told by the `cache hit`
//! line `STAGEBOOK_TIMINGS` prints.

mod common;
use common::{Book, Run};

use std::path::Path;
use std::process::Command;

const CACHE: &str = ".stagebook-cache";

/// `stagebook <args>` in the book folder, with the phase timings on and `env` set.
fn run(book: &Book, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_stagebook"));
    cmd.args(args).current_dir(book.dir.path()).env("NO_COLOR", "1").env("STAGEBOOK_TIMINGS", "1");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run stagebook");
    Run {
        ok: out.status.success(),
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn hit(r: &Run) -> bool {
    r.stderr.lines().any(|l| l.trim_start().starts_with("cache hit"))
}

/// The diagnostics of a run, without the timing lines.
fn diagnostics(r: &Run) -> Vec<String> {
    r.stderr.lines().filter(|l| !l.starts_with("  ") || l.starts_with("  |")).map(str::to_string).collect()
}

/// Every file under `dir`, sorted, with its bytes (none when there is no `dir`).
fn tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    if dir.exists() {
        common::tree(dir)
    } else {
        Vec::new()
    }
}

/// A copy of the fixture with its output folder outside it (so the book folder holds only
/// sources and the cache).
struct Case {
    book: Book,
    out: tempfile::TempDir,
}

impl Case {
    fn new() -> Case {
        Case { book: Book::fixture("cached"), out: tempfile::tempdir().unwrap() }
    }

    fn out(&self, name: &str) -> std::path::PathBuf {
        self.out.path().join(name)
    }

    /// `stagebook build -o <out>/site <args>` with the cache.
    fn cached(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        let site = self.out("site");
        let mut all = vec!["build", "-o", site.to_str().unwrap()];
        all.extend(args);
        run(&self.book, &all, env)
    }

    /// A clean build of the handbook as it is now, without the cache, into a new folder.
    fn clean(&self, args: &[&str], env: &[(&str, &str)]) -> (Run, Vec<(String, Vec<u8>)>) {
        let dir = tempfile::tempdir().unwrap();
        let site = dir.path().join("site");
        let mut all = vec!["build", "--no-cache", "-o", site.to_str().unwrap()];
        all.extend(args);
        let r = run(&self.book, &all, env);
        (r, tree(&site))
    }
}

/// Builds with the cache (`before` arguments), applies `change`, builds again with the cache
/// (`after` arguments and `env`): the rebuild must not be skipped and must equal a clean build
/// of the changed handbook, output and diagnostics. Returns whether the output changed.
fn changed_input(before: &[&str], change: impl FnOnce(&Book), after: &[&str], env: &[(&str, &str)]) -> bool {
    let case = Case::new();
    let first = case.cached(before, &[]);
    assert!(first.ok, "{}", first.stderr);
    let again = case.cached(before, &[]);
    assert!(hit(&again), "an unchanged rebuild is skipped:\n{}", again.stderr);
    let old = tree(&case.out("site"));
    change(&case.book);
    let rebuilt = case.cached(after, env);
    assert!(!hit(&rebuilt), "the change must not be served from the cache:\n{}", rebuilt.stderr);
    let (clean, expected) = case.clean(after, env);
    assert_eq!(rebuilt.ok, clean.ok, "cached:\n{}\nclean:\n{}", rebuilt.stderr, clean.stderr);
    assert_eq!(diagnostics(&rebuilt), diagnostics(&clean));
    let got = tree(&case.out("site"));
    if clean.ok {
        assert!(got == expected, "cached rebuild differs from a clean build: {:?}", differing(&got, &expected));
        // And once more with the cache: now skipped, still the same.
        let third = case.cached(after, env);
        assert!(hit(&third), "{}", third.stderr);
        assert_eq!(diagnostics(&third), diagnostics(&clean));
        assert!(tree(&case.out("site")) == expected);
    } else {
        assert!(got == old, "a failed build leaves the previous output");
    }
    got != old
}

fn differing(a: &[(String, Vec<u8>)], b: &[(String, Vec<u8>)]) -> Vec<String> {
    let mut names: Vec<String> = a.iter().filter(|f| !b.contains(f)).map(|f| f.0.clone()).collect();
    names.extend(b.iter().filter(|f| !a.contains(f)).map(|f| f.0.clone()));
    names
}

fn edit(book: &Book, rel: &str, from: &str, to: &str) {
    let text = book.read(rel);
    assert!(text.contains(from), "{rel} holds {from:?}");
    book.write(rel, text.replacen(from, to, 1));
}

#[test]
fn a_page_body() {
    assert!(changed_input(&[], |b| edit(b, "content/beta.md", "The details.", "Other details."), &[], &[]));
}

#[test]
fn a_page_title_shown_in_other_pages_navigation() {
    let case_changed =
        changed_input(&[], |b| edit(b, "content/alpha.md", "title = \"Alpha\"", "title = \"First\""), &[], &[]);
    assert!(case_changed);
}

#[test]
fn a_template() {
    assert!(changed_input(
        &[],
        |b| edit(b, "themes/house/templates/page.html", "house-page", "house-page edited"),
        &[],
        &[]
    ));
}

#[test]
fn a_theme_static_file() {
    assert!(changed_input(&[], |b| edit(b, "themes/house/static/house.css", "#222", "#333"), &[], &[]));
}

#[test]
fn book_toml() {
    assert!(changed_input(&[], |b| edit(b, "book.toml", "title = \"Cached\"", "title = \"Renamed\""), &[], &[]));
}

#[test]
fn the_matrix() {
    assert!(changed_input(&[], |b| edit(b, "content/matrix.toml", "From CI", "From a pipeline"), &[], &[]));
}

#[test]
fn an_included_file() {
    assert!(changed_input(&[], |b| edit(b, "listings/hello.rs", "\"hello\"", "\"bonjour\""), &[], &[]));
}

#[test]
fn summary_md() {
    assert!(changed_input(
        &[],
        |b| edit(
            b,
            "content/SUMMARY.md",
            "- [Alpha](alpha.md)\n- [Beta](beta.md)",
            "- [Beta](beta.md)\n- [Alpha](alpha.md)"
        ),
        &[],
        &[]
    ));
}

/// Whatever the theme folder holds may change the output (translation tables among them):
/// a new file there is a change even before stagebook reads it.
#[test]
fn a_translation_table() {
    changed_input(
        &[],
        |b| {
            b.write("themes/house/i18n/en.toml", "[ui]\n");
        },
        &[],
        &[],
    );
}

#[test]
fn a_deleted_page() {
    assert!(changed_input(
        &[],
        |b| {
            b.remove("content/code.md");
            edit(b, "content/SUMMARY.md", "- [Code](code.md)\n", "");
        },
        &[],
        &[]
    ));
}

#[test]
fn the_stagebook_version() {
    changed_input(&[], |_| {}, &[], &[("STAGEBOOK_CACHE_SALT", "another version")]);
}

#[test]
fn drafts() {
    assert!(changed_input(&[], |_| {}, &["--drafts"], &[]));
}

#[test]
fn base_url() {
    assert!(changed_input(
        &[],
        |b| edit(b, "book.toml", "https://example.org/cached/", "https://example.com/"),
        &[],
        &[]
    ));
}

/// A broken link let through with `--warn-links` is an error again without it.
#[test]
fn link_strictness() {
    let case = Case::new();
    edit(&case.book, "content/alpha.md", "beta.md#deep-dive", "beta.md#nowhere");
    let lenient = case.cached(&["--warn-links"], &[]);
    assert!(lenient.ok, "{}", lenient.stderr);
    assert!(lenient.stderr.contains("#nowhere"), "{}", lenient.stderr);
    let strict = case.cached(&[], &[]);
    assert!(!strict.ok && !hit(&strict), "{}", strict.stderr);
    let (clean, _) = case.clean(&[], &[]);
    assert!(!clean.ok);
    assert_eq!(diagnostics(&strict), diagnostics(&clean));
    // The lenient build again: skipped, and its warning printed as the first time.
    let again = case.cached(&["--warn-links"], &[]);
    assert!(again.ok && hit(&again), "{}", again.stderr);
    assert_eq!(diagnostics(&again), diagnostics(&lenient));
}

/// Links are checked against every page each build: an unchanged page's link to an anchor
/// that another page lost is an error.
#[test]
fn removing_an_anchor_breaks_an_unchanged_pages_link() {
    let case = Case::new();
    assert!(case.cached(&[], &[]).ok);
    edit(&case.book, "content/beta.md", "## Deep dive\n", "");
    let r = case.cached(&[], &[]);
    assert!(!r.ok, "{}", r.stderr);
    assert!(r.stderr.lines().any(|l| l.starts_with("content/alpha.md:") && l.contains("deep-dive")), "{}", r.stderr);
}

#[test]
fn an_output_file_changed_by_hand_is_written_again() {
    let case = Case::new();
    assert!(case.cached(&[], &[]).ok);
    let expected = tree(&case.out("site"));
    std::fs::remove_file(case.out("site/alpha/index.html")).unwrap();
    std::fs::write(case.out("site/beta/index.html"), "edited").unwrap();
    let r = case.cached(&[], &[]);
    assert!(r.ok && !hit(&r), "{}", r.stderr);
    assert!(tree(&case.out("site")) == expected);
}

#[test]
fn a_damaged_or_foreign_record_is_ignored() {
    let case = Case::new();
    assert!(case.cached(&[], &[]).ok);
    let record = case.book.path(CACHE).join("build.json");
    let good = std::fs::read(&record).unwrap();
    let expected = tree(&case.out("site"));
    let damaged: Vec<Vec<u8>> = vec![
        good[..good.len() / 2].to_vec(),
        b"not json".to_vec(),
        String::from_utf8(good.clone()).unwrap().replacen("\"format\":1", "\"format\":999", 1).into_bytes(),
        Vec::new(),
    ];
    for bytes in damaged {
        std::fs::write(&record, &bytes).unwrap();
        // Change a page too: a damaged record must not make the build skip it.
        edit(&case.book, "content/beta.md", "The details.", "The details!");
        let r = case.cached(&[], &[]);
        assert!(r.ok && !hit(&r), "{}", r.stderr);
        let (_, clean) = case.clean(&[], &[]);
        assert!(tree(&case.out("site")) == clean);
        assert!(clean != expected);
        edit(&case.book, "content/beta.md", "The details!", "The details.");
        assert!(case.cached(&[], &[]).ok);
        assert!(tree(&case.out("site")) == expected);
    }
}

#[test]
fn the_cache_folder_is_marked_and_no_cache_writes_none() {
    let case = Case::new();
    let r = run(&case.book, &["build", "--no-cache", "-o", case.out("site").to_str().unwrap()], &[]);
    assert!(r.ok, "{}", r.stderr);
    assert!(!case.book.exists(CACHE));
    let r = run(&case.book, &["check", "--no-cache"], &[]);
    assert!(r.ok, "{}", r.stderr);
    assert!(!case.book.exists(CACHE));
    assert!(case.cached(&[], &[]).ok);
    assert!(case
        .book
        .read(&format!("{CACHE}/CACHEDIR.TAG"))
        .starts_with("Signature: 8a477f597d28d172789f06886806bc55"));
    assert!(case.book.read(&format!("{CACHE}/.gitignore")).lines().any(|l| l == "*"));
    // Removable at any time.
    std::fs::remove_dir_all(case.book.path(CACHE)).unwrap();
    let r = case.cached(&[], &[]);
    assert!(r.ok && !hit(&r), "{}", r.stderr);
}

#[test]
fn a_folder_of_that_name_stagebook_did_not_make_is_left_alone() {
    let case = Case::new();
    case.book.write(&format!("{CACHE}/mine.txt"), "not stagebook's");
    let r = case.cached(&[], &[]);
    assert!(r.ok, "{}", r.stderr);
    assert!(r.stderr.contains("stagebook did not make it"), "{}", r.stderr);
    let names: Vec<_> = std::fs::read_dir(case.book.path(CACHE)).unwrap().flatten().map(|e| e.file_name()).collect();
    assert_eq!(names, ["mine.txt"]);
    assert!(!hit(&case.cached(&[], &[])));
}

#[test]
fn check_is_skipped_when_nothing_changed_and_sees_every_change() {
    let case = Case::new();
    assert!(run(&case.book, &["check"], &[]).ok);
    let again = run(&case.book, &["check"], &[]);
    assert!(again.ok && hit(&again), "{}", again.stderr);
    edit(&case.book, "content/alpha.md", "beta.md#deep-dive", "beta.md#nowhere");
    let broken = run(&case.book, &["check"], &[]);
    assert!(!broken.ok && !hit(&broken), "{}", broken.stderr);
}
