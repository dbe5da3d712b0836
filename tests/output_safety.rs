//! The output folder: stagebook never deletes or overwrites what it did not write, never writes
//! over its inputs, and replaces its own site all at once, even when killed half way.

mod common;
use common::Book;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// A handbook whose every page shows `marker` (the book title), with enough pages that a
/// publish has real work to do.
fn marked_book(marker: &str) -> Book {
    let book = Book::fixture("basic");
    set_marker(&book, marker);
    for i in 0..40 {
        book.write(&format!("content/many/page-{i}.md"), format!("# Page {i}\n\nText {i}.\n"));
    }
    book
}

fn set_marker(book: &Book, marker: &str) {
    book.write("book.toml", format!("[book]\ntitle = \"{marker}\"\n"));
}

/// Every HTML page under `dir`, with the marker it shows; panics if a page shows none or both.
fn markers(book: &Book, dir: &str, candidates: &[&str]) -> Vec<(String, String)> {
    let pages: Vec<(String, String)> = book
        .snapshot(dir)
        .into_iter()
        .filter(|(rel, _)| rel.ends_with(".html"))
        .map(|(rel, bytes)| {
            let text = String::from_utf8(bytes).unwrap();
            let found: Vec<&&str> = candidates.iter().filter(|m| text.contains(**m)).collect();
            assert_eq!(found.len(), 1, "{rel} shows {found:?}");
            (rel, found[0].to_string())
        })
        .collect();
    assert!(pages.len() > 40, "only {} pages in {dir}", pages.len());
    pages
}

/// All pages show the same marker: the one returned.
fn one_site(book: &Book, dir: &str) -> String {
    let pages = markers(book, dir, &["Marker one", "Marker two"]);
    let first = pages[0].1.clone();
    let mixed: Vec<&(String, String)> = pages.iter().filter(|(_, m)| *m != first).collect();
    assert!(
        mixed.is_empty(),
        "a mixed site: {} pages show {first}, these do not: {mixed:?}",
        pages.len() - mixed.len()
    );
    first
}

/// `stagebook build` started in the background with extra environment variables.
fn spawn(book: &Book, args: &[&str], env: &[(&str, &str)]) -> (Child, mpsc::Receiver<String>) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_stagebook"));
    cmd.args(args).current_dir(book.dir.path()).env("NO_COLOR", "1").stdout(Stdio::null()).stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("run stagebook");
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    (child, rx)
}

/// Waits (bounded) for a line of stderr containing `needle`.
fn wait_for(rx: &mpsc::Receiver<String>, needle: &str) {
    let deadline = std::time::Instant::now() + Duration::from_secs(120);
    let mut seen = Vec::new();
    while let Some(left) = deadline.checked_duration_since(std::time::Instant::now()) {
        match rx.recv_timeout(left) {
            Ok(line) if line.contains(needle) => return,
            Ok(line) => seen.push(line),
            Err(_) => break,
        }
    }
    panic!("no `{needle}` on stderr; saw {seen:?}");
}

fn names(dir: &Path) -> Vec<String> {
    let mut n: Vec<String> = match std::fs::read_dir(dir) {
        Ok(entries) => entries.map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect(),
        Err(_) => Vec::new(),
    };
    n.sort();
    n
}

#[test]
fn a_folder_stagebook_did_not_write_is_refused_then_kept_with_force() {
    let book = Book::fixture("basic");
    book.write("foreign/notes.txt", "keep").write("foreign/sub/data.csv", "keep,too");
    let run = book.run(&["build", "-o", "foreign"]);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    for expected in ["foreign", "not empty", "`notes.txt`, `sub/`", "--force"] {
        assert!(run.stderr.contains(expected), "missing {expected:?} in {}", run.stderr);
    }
    assert_eq!(names(&book.path("foreign")), ["notes.txt", "sub"], "nothing touched");
    assert_eq!(names(book.dir.path()), ["book.toml", "content", "foreign"], "no state folder left");

    let run = book.run(&["build", "-o", "foreign", "--force"]);
    assert!(run.ok, "{}", run.stderr);
    assert!(book.read("foreign/index.html").contains("<html"));
    // Later builds need no --force, remove the pages that are gone, and keep the foreign files.
    book.remove("content/about.md");
    let run = book.run(&["build", "-o", "foreign"]);
    assert!(run.ok, "{}", run.stderr);
    assert!(!book.exists("foreign/about/index.html"));
    assert_eq!(book.read("foreign/notes.txt"), "keep");
    assert_eq!(book.read("foreign/sub/data.csv"), "keep,too");
}

#[test]
fn a_file_stagebook_did_not_write_is_never_overwritten_even_with_force() {
    let book = Book::fixture("basic");
    book.write("site/about/index.html", "hand-written");
    let run = book.run(&["build", "-o", "site", "--force"]);
    assert_eq!(run.code, Some(1));
    assert!(run.stderr.contains("would overwrite `about/index.html`"), "{}", run.stderr);
    assert!(run.stderr.contains("nothing was written"), "{}", run.stderr);
    assert_eq!(book.read("site/about/index.html"), "hand-written");
    assert_eq!(names(&book.path("site")), ["about"]);
}

#[test]
fn dotfiles_and_a_git_folder_survive_every_build() {
    let book = Book::fixture("basic");
    book.build_ok();
    book.write("book/CNAME", "docs.example.com\n").write("book/.nojekyll", "");
    book.write("book/.git/HEAD", "ref: refs/heads/gh-pages\n").write("book/.git/objects/ab/cdef", "blob");
    book.write("book/guide/notes.txt", "a note inside a folder stagebook writes");
    let git_before = book.snapshot("book/.git");
    for change in ["# Changed once", "# Changed twice"] {
        book.write("content/about.md", change);
        book.build_ok();
        assert!(book.read("book/about/index.html").contains(&change[2..]));
        assert_eq!(book.read("book/CNAME"), "docs.example.com\n");
        assert!(book.exists("book/.nojekyll"));
        assert_eq!(book.snapshot("book/.git"), git_before);
        assert!(book.read("book/guide/notes.txt").starts_with("a note"));
    }
    // A real git work tree in the output still works after a build.
    let git = |args: &[&str]| Command::new("git").args(args).current_dir(book.path("site")).output();
    std::fs::create_dir(book.path("site")).unwrap();
    if git(&["init", "-q"]).is_ok_and(|o| o.status.success()) {
        book.write("site/CNAME", "x");
        assert!(git(&["add", "CNAME"]).unwrap().status.success());
        let run = book.run(&["build", "-o", "site", "--force"]);
        assert!(run.ok, "{}", run.stderr);
        book.write("content/about.md", "# Changed three times");
        book.run(&["build", "-o", "site"]);
        let status = git(&["status", "--porcelain", "CNAME"]).unwrap();
        assert!(status.status.success(), "{}", String::from_utf8_lossy(&status.stderr));
        assert_eq!(String::from_utf8_lossy(&status.stdout), "A  CNAME\n", "the index survived");
    }
}

#[test]
fn the_output_may_not_be_contain_or_lie_inside_an_input() {
    let book = Book::fixture("basic");
    book.write("themes/mine/static/extra.css", "body{}").write("data/matrix.toml", "");
    book.write("book.toml", "[theme]\nname = \"mine\"\n");
    let sources = |b: &Book| (b.snapshot("content"), b.snapshot("themes"), b.snapshot("data"), b.read("book.toml"));
    let before = sources(&book);
    for (out, what) in [
        (".", "is the handbook folder"),
        ("..", "contains the handbook folder"),
        ("content", "is the content folder"),
        ("content/guide", "lies inside the content folder"),
        ("themes/mine", "lies inside the themes folder"),
        ("themes", "is the themes folder"),
    ] {
        let run = book.run(&["build", "-o", out]);
        assert_eq!(run.code, Some(1), "-o {out}: {}", run.stderr);
        assert!(run.stderr.contains(what), "-o {out}: {}", run.stderr);
    }
    book.write("book.toml", "[theme]\nname = \"mine\"\n[build]\nmatrix = \"data/matrix.toml\"\n");
    let run = book.run(&["build", "-o", "data"]);
    assert_eq!(run.code, Some(1));
    assert!(run.stderr.contains("is the matrix file's folder"), "{}", run.stderr);
    book.write("book.toml", "[theme]\nname = \"mine\"\n");
    assert_eq!(sources(&book), before, "a source changed");
}

#[test]
fn content_at_the_root_leaves_out_the_output_and_book_toml() {
    let book = Book::fixture("basic");
    book.write("book.toml", "[build]\ncontent = \".\"\n");
    for entry in std::fs::read_dir(book.path("content")).unwrap() {
        let entry = entry.unwrap();
        std::fs::rename(entry.path(), book.path(&entry.file_name().to_string_lossy())).unwrap();
    }
    std::fs::remove_dir(book.path("content")).unwrap();
    book.build_ok();
    assert!(book.read("book/guide/setup/index.html").contains("<html"));
    assert!(!book.exists("book/book.toml"), "book.toml was published");
    // The second build does not find the first one's output (nor an output given by path).
    book.build_ok();
    assert!(!book.exists("book/book"));
    let run = book.run(&["build", "-o", book.path("book").to_str().unwrap()]);
    assert!(run.ok, "{}", run.stderr);
    assert!(!book.exists("book/book"));
    let owned = book.read("book/.stagebook-manifest");
    assert!(!owned.contains("book.toml") && !owned.contains("\"book/"), "{owned}");
}

#[test]
fn a_theme_must_be_a_folder_inside_the_handbook() {
    let book = Book::fixture("basic");
    let outside = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(outside.path().join("static")).unwrap();
    std::fs::write(outside.path().join("static/secret.txt"), "private").unwrap();
    std::fs::create_dir(book.path("themes")).unwrap();
    std::os::unix::fs::symlink(outside.path(), book.path("themes/evil")).unwrap();
    book.write("book.toml", "[book]\ntitle = \"T\"\n[theme]\nname = \"evil\"\n");
    let run = book.build();
    assert_eq!(run.code, Some(1));
    assert!(run.stderr.contains("book.toml:4:8: error: themes/evil/ is a symbolic link out of"), "{}", run.stderr);
    assert!(!book.exists("book"));

    book.write("book.toml", "[theme]\nname = \"../../x\"\n");
    let run = book.build();
    assert_eq!(run.code, Some(1));
    assert!(run.stderr.contains("book.toml:2:8: error: theme.name must be the name of a folder"), "{}", run.stderr);
}

#[test]
fn names_that_differ_by_case_or_normalisation_are_errors_naming_both() {
    let book = Book::fixture("basic");
    book.write("content/Notes.md", "# Upper");
    book.write("content/notes.md", "# Lower");
    let run = book.build();
    assert_eq!(run.code, Some(1));
    assert!(run.stderr.contains("content/Notes.md` and `content/notes.md`"), "{}", run.stderr);
    assert!(run.stderr.contains("case-insensitive"), "{}", run.stderr);

    let book = Book::fixture("basic");
    book.write("content/caf\u{e9}.md", "# Composed");
    book.write("content/cafe\u{301}.md", "# Decomposed");
    let run = book.build();
    assert_eq!(run.code, Some(1));
    assert!(
        run.stderr.contains("content/caf\u{e9}.md`") && run.stderr.contains("content/cafe\u{301}.md`"),
        "{}",
        run.stderr
    );
    assert!(!book.exists("book"));
}

#[test]
fn a_build_killed_at_any_publish_step_leaves_one_whole_site() {
    for step in ["writing", "staged", "carried", "swap", "swapped"] {
        let book = marked_book("Marker one");
        book.build_ok();
        book.write("book/CNAME", "kept");
        set_marker(&book, "Marker two");
        let (mut child, rx) = spawn(&book, &["build"], &[("STAGEBOOK_FAILPOINT", &format!("publish:{step}"))]);
        wait_for(&rx, &format!("failpoint publish:{step}"));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        let expected = if step == "swapped" { "Marker two" } else { "Marker one" };
        assert_eq!(one_site(&book, "book"), expected, "killed at {step}");
        assert_eq!(book.read("book/CNAME"), "kept");
        // The next build removes what the killed one left and publishes.
        assert!(book.exists(".book.stagebook"), "{step}: the killed build's state is there");
        book.build_ok();
        assert_eq!(one_site(&book, "book"), "Marker two");
        assert_eq!(book.read("book/CNAME"), "kept");
        assert!(!book.exists(".book.stagebook"), "{step}: leftovers: {:?}", names(&book.path(".book.stagebook")));
    }
}

#[test]
fn the_fallback_swap_killed_half_way_is_put_right_by_the_next_build() {
    let book = marked_book("Marker one");
    book.build_ok();
    set_marker(&book, "Marker two");
    let env = [("STAGEBOOK_FAILPOINT", "publish:aside"), ("STAGEBOOK_SWAP", "renames")];
    let (mut child, rx) = spawn(&book, &["build"], &env);
    wait_for(&rx, "failpoint publish:aside");
    child.kill().unwrap();
    child.wait().unwrap();
    // The one moment two renames cannot cover: the old site is whole, beside the output.
    assert!(!book.exists("book"));
    assert_eq!(one_site(&book, ".book.stagebook/previous"), "Marker one");
    let run = book.run(&["build"]);
    assert!(run.ok, "{}", run.stderr);
    assert_eq!(one_site(&book, "book"), "Marker two");
    assert!(!book.exists(".book.stagebook"));
    // And without a kill the fallback publishes like the exchange.
    set_marker(&book, "Marker one");
    let (mut child, _) = spawn(&book, &["build"], &[("STAGEBOOK_SWAP", "renames")]);
    assert!(child.wait().unwrap().success());
    assert_eq!(one_site(&book, "book"), "Marker one");
}

#[test]
fn a_second_build_waits_for_the_first() {
    let book = marked_book("Marker one");
    book.build_ok();
    set_marker(&book, "Marker two");
    let (mut first, first_err) = spawn(&book, &["build"], &[("STAGEBOOK_FAILPOINT", "publish:swap")]);
    wait_for(&first_err, "failpoint publish:swap");
    let (mut second, second_err) = spawn(&book, &["build"], &[]);
    wait_for(&second_err, "Waiting for another stagebook build");
    std::thread::sleep(Duration::from_millis(300));
    assert!(second.try_wait().unwrap().is_none(), "the second build did not wait");
    assert_eq!(one_site(&book, "book"), "Marker one");
    first.kill().unwrap();
    first.wait().unwrap();
    assert!(second.wait().unwrap().success());
    assert_eq!(one_site(&book, "book"), "Marker two");
    assert!(!book.exists(".book.stagebook"));
}

#[test]
fn a_failed_publish_leaves_the_output_as_it_was_and_says_so() {
    let book = marked_book("Marker one");
    book.build_ok();
    book.write("book/CNAME", "kept");
    let before = book.snapshot("book");
    set_marker(&book, "Marker two");
    for (step, swap) in [("staged", "exchange"), ("carried", "exchange"), ("swap", "exchange"), ("aside", "renames")] {
        let env = [("STAGEBOOK_FAILPOINT", &*format!("publish:{step}:fail")), ("STAGEBOOK_SWAP", swap)];
        let (mut child, rx) = spawn(&book, &["build"], &env);
        assert_eq!(child.wait().unwrap().code(), Some(1));
        let stderr: Vec<String> = rx.iter().collect();
        let stderr = stderr.join("\n");
        assert!(stderr.contains(&format!("failpoint publish:{step}")), "{stderr}");
        assert!(stderr.contains("nothing was written"), "{stderr}");
        assert_eq!(book.snapshot("book"), before, "{step}: the output changed");
        assert!(!book.exists(".book.stagebook"), "{step}");
    }
}

#[test]
fn a_read_only_folder_in_the_output_does_not_stop_or_split_the_publish() {
    use std::os::unix::fs::PermissionsExt;
    let book = marked_book("Marker one");
    book.build_ok();
    std::fs::set_permissions(book.path("book/many"), std::fs::Permissions::from_mode(0o555)).unwrap();
    set_marker(&book, "Marker two");
    let run = book.build();
    assert!(run.ok, "{}", run.stderr);
    assert_eq!(one_site(&book, "book"), "Marker two");
    assert!(!book.exists(".book.stagebook"), "{:?}", names(&book.path(".book.stagebook")));
}

#[test]
fn an_unchanged_rebuild_publishes_nothing() {
    use std::os::unix::fs::MetadataExt;
    let book = Book::fixture("basic");
    book.build_ok();
    let inode = |rel: &str| std::fs::metadata(book.path(rel)).unwrap().ino();
    let (dir, page, guide) = (inode("book"), inode("book/about/index.html"), inode("book/guide/index.html"));
    book.build_ok();
    assert_eq!((inode("book"), inode("book/about/index.html")), (dir, page), "the output was replaced");
    // One page changed: a new tree, with the unchanged pages linked from the old one.
    let about = book.read("content/about.md");
    book.write("content/about.md", format!("{about}\nA new paragraph.\n"));
    book.build_ok();
    assert!(book.read("book/about/index.html").contains("A new paragraph."));
    assert_ne!(inode("book"), dir);
    assert_eq!(inode("book/guide/index.html"), guide);
    let manifest = book.read("book/.stagebook-manifest");
    assert!(manifest.contains("\"about/index.html\"") && !manifest.contains("CNAME"), "{manifest}");
}

/// `content = "."`: the site a build left in the handbook folder (book/) is not content of a
/// build into another folder (found by the s9 audit: it was copied in whole, as files).
#[test]
fn an_earlier_site_in_the_content_folder_is_not_published_by_a_build_elsewhere() {
    let book = Book::fixture("gitignored");
    book.build_ok();
    assert!(book.exists("book/index.html"));
    let elsewhere = tempfile::tempdir().unwrap();
    let out = elsewhere.path().join("site");
    for cache in [&[][..], &["--no-cache"][..]] {
        let mut args = vec!["build", "-o", out.to_str().unwrap()];
        args.extend(cache);
        let r = book.run(&args);
        assert!(r.ok, "{}", r.stderr);
        let files: Vec<String> = common::tree(&out).into_iter().map(|(p, _)| p).collect();
        assert!(files.iter().any(|f| f == "docs/guide/index.html"), "{files:?}");
        assert!(!files.iter().any(|f| f.starts_with("book/")), "{files:?}");
    }
}
