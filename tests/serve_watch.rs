//! Watch mode as editors, scripts and git really change a handbook: a real `stagebook serve`
//! on a temp copy of a fixture, counting the rebuild lines it prints. Waits are generous (the
//! machine may be loaded); assertions are about what was rebuilt, never about how fast.
//!
//! `STAGEBOOK_TEST_BIN=/path/to/stagebook cargo test --test serve_watch` runs these tests
//! against another build (for example the last release, to see which of them it fails); see
//! `common::serve`.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::serve::{binary, is_rebuild, Preview};
use common::Book;

/// Longest wait for something that must happen.
const WAIT: Duration = Duration::from_secs(30);
/// How long the server must stay silent after a rebuild before the count is taken.
const SETTLE: Duration = Duration::from_secs(3);

/// A server with the extra arguments `extra` and this file's generous waits.
fn start(book: &Book, extra: &[&str]) -> Preview {
    Preview::launch(book).args(extra).wait(WAIT).start()
}

/// Writes `content/<folder>/page-<i>.md` for each `i`, with nothing linking to them.
fn pages(book: &Book, folder: &str, range: std::ops::Range<usize>, body: &str) {
    let dir = book.path(&format!("content/{folder}"));
    std::fs::create_dir_all(&dir).unwrap();
    for i in range {
        std::fs::write(dir.join(format!("page-{i}.md")), format!("+++\ntitle = \"Page {i}\"\n+++\n{body} {i}.\n"))
            .unwrap();
    }
}

#[test]
fn delete_then_create_within_the_debounce_window_is_one_rebuild() {
    let book = Book::fixture("basic");
    let serve = start(&book, &[]);
    let from = serve.lines().len();
    let text = book.read("content/guide/deploy.md").replace("Roll back", "Roll back NOW");
    // What some editors and tools do: delete the file, then write it anew.
    book.remove("content/guide/deploy.md");
    std::thread::sleep(Duration::from_millis(5));
    book.write("content/guide/deploy.md", text);
    let rebuilds = serve.rebuilds_after(from, SETTLE);
    assert_eq!(rebuilds.len(), 1, "{rebuilds:?}");
    assert!(rebuilds[0].starts_with("Rebuilt ") && rebuilds[0].ends_with("(guide/deploy.md)"), "{rebuilds:?}");
    assert!(serve.get("/guide/deploy/").body.contains("Roll back NOW"));
}

#[test]
fn rm_rf_of_a_folder_of_2000_pages_is_one_rebuild_without_errors() {
    let book = Book::fixture("basic");
    pages(&book, "bulk", 0..2000, "Bulk page");
    let serve = start(&book, &[]);
    assert_eq!(serve.get("/bulk/page-1999/").status, 200);
    let from = serve.lines().len();
    let rm = Command::new("rm").arg("-rf").arg(book.path("content/bulk")).status().unwrap();
    assert!(rm.success());
    let rebuilds = serve.rebuilds_after(from, SETTLE);
    assert_eq!(rebuilds.len(), 1, "{rebuilds:?}\n{}", serve.stderr());
    let line = &rebuilds[0];
    assert!(line.starts_with("Rebuilt 8 pages in ") && line.ends_with(" (2,000 files changed)"), "{line}");
    assert!(line.chars().count() <= 100, "{line}");
    assert!(!serve.stderr().contains("No such file"), "{}", serve.stderr());
    assert_eq!(serve.get("/bulk/page-1999/").status, 404);
}

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args(["-c", "user.name=Test", "-c", "user.email=test@example.invalid", "-c", "commit.gpgsign=false"])
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .expect("git runs");
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn a_git_checkout_of_2000_files_is_one_rebuild() {
    let book = Book::fixture("basic");
    let dir = book.dir.path();
    pages(&book, "bulk", 0..2000, "First version of page");
    git(dir, &["init", "-q", "-b", "first"]);
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", "first"]);
    git(dir, &["checkout", "-q", "-b", "second"]);
    // The second branch edits 1,500 pages, deletes 500 and adds 500 others.
    pages(&book, "bulk", 0..1500, "Second version of page");
    for i in 1500..2000 {
        book.remove(&format!("content/bulk/page-{i}.md"));
    }
    pages(&book, "bulk", 2000..2500, "New page");
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", "second"]);
    git(dir, &["checkout", "-q", "first"]);

    let serve = start(&book, &[]);
    assert!(serve.get("/bulk/page-7/").body.contains("First version of page 7."));
    for (branch, edited, gone, added) in [("second", "Second", 1999, 2499), ("first", "First", 2499, 1999)] {
        let from = serve.lines().len();
        git(dir, &["checkout", "-q", branch]);
        let rebuilds = serve.rebuilds_after(from, SETTLE);
        assert_eq!(rebuilds.len(), 1, "checkout {branch}: {rebuilds:?}\n{}", serve.stderr());
        assert!(rebuilds[0].starts_with("Rebuilt 2,009 pages in "), "{rebuilds:?}");
        assert!(rebuilds[0].ends_with(" (2,500 files changed)"), "{rebuilds:?}");
        assert!(serve.get("/bulk/page-7/").body.contains(&format!("{edited} version of page 7.")), "{branch}");
        assert_eq!(serve.get(&format!("/bulk/page-{gone}/")).status, 404, "{branch}");
        assert_eq!(serve.get(&format!("/bulk/page-{added}/")).status, 200, "{branch}");
    }
}

#[test]
fn a_page_or_file_replaced_by_a_symbolic_link_is_noticed() {
    let book = Book::fixture("basic");
    book.write("content/extra.md", "# Extra\n\nThe old extra text.\n");
    book.write("content/notes.txt", "old notes");
    book.write("drafts/extra.md", "# Extra\n\nThe linked extra text.\n");
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("notes.txt"), "OUTSIDE notes").unwrap();
    let serve = start(&book, &[]);
    assert!(serve.get("/extra/").body.contains("The old extra text."));
    let notes = serve.get("/notes.txt");
    assert_eq!((notes.status, notes.body), (200, "old notes".to_string()));

    // `ln -sf` style: a link made next to the page, renamed over it. It points inside the
    // handbook folder, so the build follows it.
    let from = serve.lines().len();
    std::os::unix::fs::symlink(book.path("drafts/extra.md"), book.path("content/.extra.md.new")).unwrap();
    std::fs::rename(book.path("content/.extra.md.new"), book.path("content/extra.md")).unwrap();
    let rebuilds = serve.rebuilds_after(from, SETTLE);
    assert_eq!(rebuilds.len(), 1, "{rebuilds:?}");
    assert!(serve.get("/extra/").body.contains("The linked extra text."));

    // A copied file replaced by a link out of the handbook folder: skipped, with the warning.
    let from = serve.lines().len();
    book.remove("content/notes.txt");
    std::os::unix::fs::symlink(outside.path().join("notes.txt"), book.path("content/notes.txt")).unwrap();
    let rebuilds = serve.rebuilds_after(from, SETTLE);
    assert_eq!(rebuilds.len(), 1, "{rebuilds:?}");
    assert!(rebuilds[0].starts_with("Rebuilt "), "{rebuilds:?}");
    assert_eq!(serve.get("/notes.txt").status, 404);
    assert!(
        serve.stderr().contains("notes.txt: warning: skipped: symbolic link to a place outside the handbook folder"),
        "{}",
        serve.stderr()
    );
}

#[test]
fn serving_a_missing_folder_is_one_clear_error() {
    let parent = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(parent.path().join("empty")).unwrap();
    std::fs::write(parent.path().join("file"), "").unwrap();
    for (dir, message) in
        [("missing", "no such folder"), ("empty", "no book.toml in this folder"), ("file", "not a folder")]
    {
        let mut child = Command::new(binary())
            .args(["serve", dir, "--port", "0"])
            .current_dir(parent.path())
            .env("NO_COLOR", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let start = Instant::now();
        while child.try_wait().unwrap().is_none() && start.elapsed() < Duration::from_secs(10) {
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = child.kill();
        let out = child.wait_with_output().unwrap();
        let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert_eq!(out.status.code(), Some(1), "{dir}: {stdout}{stderr}");
        assert_eq!(stdout, "", "{dir}");
        assert_eq!(stderr.lines().count(), 1, "{dir}: {stderr}");
        assert!(stderr.starts_with(&format!("error: {dir}: {message}")), "{stderr}");
    }
}

#[test]
fn polling_notices_edits_and_new_pages() {
    let book = Book::fixture("basic");
    let serve = start(&book, &["--poll"]);
    let from = serve.lines().len();
    let text = book.read("content/guide/setup.md").replace("Run the installer.", "Run the POLLED installer.");
    book.write("content/guide/setup.md", text);
    serve
        .wait_for(from, |l| l.starts_with("Rebuilt 1 page") && l.ends_with("(guide/setup.md)"))
        .unwrap_or_else(|| panic!("the edit is noticed: {:?}", serve.lines()));
    assert!(serve.get("/guide/setup/").body.contains("Run the POLLED installer."));
    // A second save soon after (file times as the poller keeps them may not have changed).
    let from = serve.lines().len();
    let text = book.read("content/guide/setup.md").replace("POLLED", "POLLED AGAIN");
    book.write("content/guide/setup.md", text);
    serve.wait_for(from, |l| l.starts_with("Rebuilt 1 page")).expect("the second edit is noticed");
    assert!(serve.get("/guide/setup/").body.contains("Run the POLLED AGAIN installer."));
    let from = serve.lines().len();
    book.write("content/polled.md", "# Polled\n");
    serve.wait_for(from, is_rebuild).expect("the new page is noticed");
    assert_eq!(serve.get("/polled/").status, 200);
}

/// Two pages saved together, one gaining a heading and the other a link to it: however the
/// batch is ordered, the link is checked against the new heading (found by
/// benches/serve_walk.py: it used to be an error shown until the next save).
#[test]
fn a_link_and_the_heading_it_needs_saved_together_are_no_error() {
    let book = Book::fixture("cached");
    let serve = start(&book, &[]);
    let from = serve.lines().len();
    let beta = book.read("content/beta.md") + "\n## Walk anchor\n\nNew part.\n";
    let alpha = book.read("content/alpha.md") + "\nSee [the new part](beta.md#walk-anchor).\n";
    // alpha.md comes first in the batch's order: its link is checked before beta.md is read.
    book.write("content/beta.md", beta);
    book.write("content/alpha.md", alpha);
    let rebuilds = serve.rebuilds_after(from, SETTLE);
    assert!(rebuilds.iter().all(|l| l.starts_with("Rebuilt")), "{rebuilds:?}\n{}", serve.stderr());
    assert!(serve.get("/alpha/").body.contains("beta/index.html#walk-anchor"));
}

/// An included file's folder outside content/ deleted and made again (a checkout, a stash):
/// later saves of the file are still seen (found by benches/serve_walk.py: they were not).
#[test]
fn an_included_files_folder_made_anew_stays_watched() {
    let book = Book::fixture("cached");
    let serve = start(&book, &[]);
    let listing = book.read("listings/hello.rs");
    let from = serve.lines().len();
    std::fs::remove_dir_all(book.path("listings")).unwrap();
    serve.rebuilds_after(from, SETTLE);
    let from = serve.lines().len();
    book.write("listings/hello.rs", &listing);
    serve.rebuilds_after(from, SETTLE);
    let from = serve.lines().len();
    book.write("listings/hello.rs", listing + "// saved after the folder came back\n");
    let rebuilds = serve.rebuilds_after(from, SETTLE);
    assert!(rebuilds.iter().all(|l| l.starts_with("Rebuilt")), "{rebuilds:?}");
    assert!(serve.get("/code/").body.contains("saved after the folder came back"));
}
