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

/// A build killed after it recorded the new site but while it removed the old one leaves that
/// tree in the output's state folder; the next build, with nothing changed, must still remove it
/// (found by benches/cache_walk.py).
#[test]
fn leftovers_of_a_killed_build_are_removed_by_the_next_unchanged_build() {
    let case = Case::new();
    assert!(case.cached(&[], &[]).ok);
    let expected = tree(&case.out("site"));
    let state = case.out(".site.stagebook");
    std::fs::create_dir_all(state.join("stage-killed/alpha")).unwrap();
    std::fs::write(state.join("stage-killed/alpha/index.html"), "the old site").unwrap();
    let r = case.cached(&[], &[]);
    assert!(r.ok, "{}", r.stderr);
    assert!(!state.exists(), "left: {:?}", tree(&state));
    assert!(tree(&case.out("site")) == expected);
    // Nothing left: the next build is skipped again.
    assert!(hit(&case.cached(&[], &[])));
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

// The highlight cache (`.stagebook-cache/highlights.bin`): a build that is not skipped reuses
// the code blocks the last one highlighted. Each case below changes something, rebuilds with
// the cache and compares with a clean `--no-cache` build byte for byte; the reuse itself is
// told by the `code blocks: N reused, M highlighted` line of the phase timings.

const HIGHLIGHTS: &str = ".stagebook-cache/highlights.bin";

/// The two counts of the timings line `<head>A<middle>B<tail>`, as the build printed them.
fn two_counts(r: &Run, head: &str, middle: &str, tail: &str) -> (usize, usize) {
    let line = r
        .stderr
        .lines()
        .find_map(|l| l.trim_start().strip_prefix(head))
        .unwrap_or_else(|| panic!("no `{head}` figures:\n{}", r.stderr));
    let (a, b) = line.split_once(middle).unwrap();
    (a.parse().unwrap(), b.strip_suffix(tail).unwrap().parse().unwrap())
}

/// A cached rebuild after `change`, checked equal to a clean build (output and diagnostics).
fn rebuilt_like_clean(case: &Case, change: impl FnOnce(&Book), env: &[(&str, &str)]) -> Run {
    change(&case.book);
    let r = case.cached(&[], env);
    assert!(r.ok && !hit(&r), "{}", r.stderr);
    let (clean, expected) = case.clean(&[], env);
    assert!(clean.ok, "{}", clean.stderr);
    assert_eq!(diagnostics(&r), diagnostics(&clean));
    let got = tree(&case.out("site"));
    assert!(got == expected, "cached rebuild differs from a clean build: {:?}", differing(&got, &expected));
    r
}

/// (reused, highlighted) as the build printed them.
fn code_blocks(r: &Run) -> (usize, usize) {
    two_counts(r, "code blocks: ", " reused, ", " highlighted")
}

/// A cached rebuild after `change` equals a clean build; returns its code block figures.
fn rebuilt_after(case: &Case, change: impl FnOnce(&Book), env: &[(&str, &str)]) -> (usize, usize) {
    code_blocks(&rebuilt_like_clean(case, change, env))
}

/// A first build with the cache: the fixture's two code blocks are highlighted.
fn first_build() -> Case {
    let case = Case::new();
    let r = case.cached(&[], &[]);
    assert!(r.ok, "{}", r.stderr);
    assert_eq!(code_blocks(&r), (0, 2));
    assert!(case.book.exists(HIGHLIGHTS));
    case
}

/// (reused, highlighted) as `serve` printed them for its first build (stderr, which its
/// reader thread may collect after the address line on stdout).
fn served_code_blocks(preview: &common::serve::Preview) -> (usize, usize) {
    code_blocks(&served_figures(preview, "code blocks: "))
}

/// What `serve` printed once its first build printed the figures starting with `head` (stderr,
/// which its reader thread may collect after the address line on stdout).
fn served_figures(preview: &common::serve::Preview, head: &str) -> Run {
    let start = std::time::Instant::now();
    while start.elapsed() < std::time::Duration::from_secs(10) {
        let stderr = preview.stderr();
        if stderr.contains(head) {
            return Run { ok: true, code: Some(0), stdout: String::new(), stderr };
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    panic!("serve printed no `{head}` figures: {}", preview.stderr());
}

#[test]
fn serve_takes_the_code_blocks_the_last_build_highlighted_and_never_writes_the_cache() {
    let case = first_build();
    let before = std::fs::read(case.book.dir.path().join(HIGHLIGHTS)).unwrap();
    let preview = common::serve::Preview::launch(&case.book).shell_prefix("export STAGEBOOK_TIMINGS=1").start();
    assert_eq!(served_code_blocks(&preview), (2, 0));
    // The code the page shows is the code the build wrote.
    let built = String::from_utf8(std::fs::read(case.out("site").join("code/index.html")).unwrap()).unwrap();
    let code = &built[built.find("<pre").unwrap()..built.rfind("</pre>").unwrap()];
    assert!(code.contains("<span class=\""), "highlighted: {code}");
    let served = preview.get("/code/");
    assert_eq!(served.status, 200);
    assert!(served.body.contains(code), "served page differs from the built one:\n{}", served.body);
    drop(preview);
    assert_eq!(std::fs::read(case.book.dir.path().join(HIGHLIGHTS)).unwrap(), before);
}

#[test]
fn serve_without_a_cache_highlights_everything_and_makes_no_cache() {
    let book = Book::fixture("cached");
    let preview = common::serve::Preview::launch(&book).shell_prefix("export STAGEBOOK_TIMINGS=1").start();
    // The memo is off: nothing counted, nothing kept.
    assert_eq!(served_code_blocks(&preview), (0, 0));
    assert!(preview.get("/code/").body.contains("<span class=\""));
    drop(preview);
    assert!(!book.exists(".stagebook-cache"));
}

#[test]
fn an_edited_code_block_alone_is_highlighted_again() {
    let case = first_build();
    let figures = rebuilt_after(&case, |b| edit(b, "content/code.md", "return f\"hello", "return f\"hi"), &[]);
    assert_eq!(figures, (1, 1));
    // A page edit outside any code block: every block reused.
    let figures = rebuilt_after(&case, |b| edit(b, "content/beta.md", "The details.", "Other details."), &[]);
    assert_eq!(figures, (2, 0));
    // Back to the first block, in a page text no build has parsed (the parse memo would give
    // the first build's page back whole): the block no page showed any more was dropped, so it
    // is new again.
    let back = |b: &Book| {
        edit(b, "content/code.md", "return f\"hi", "return f\"hello");
        edit(b, "content/code.md", "# Code", "# Code listings");
    };
    let figures = rebuilt_after(&case, back, &[]);
    assert_eq!(figures, (1, 1));
}

#[test]
fn a_changed_language_is_highlighted_again() {
    let case = first_build();
    let figures = rebuilt_after(&case, |b| edit(b, "content/code.md", "```python", "```ruby"), &[]);
    assert_eq!(figures, (1, 1));
    // The same code as a language stagebook does not highlight, then as plain text.
    let figures = rebuilt_after(&case, |b| edit(b, "content/code.md", "```ruby", "```no-such-language"), &[]);
    assert_eq!(figures, (1, 1));
    let figures = rebuilt_after(&case, |b| edit(b, "content/code.md", "```no-such-language", "```"), &[]);
    assert_eq!(figures, (1, 0));
}

#[test]
fn the_same_block_in_two_pages_is_highlighted_once() {
    let case = first_build();
    let block = "```python\ndef greet(name):\n    return f\"hello {name}\"\n```\n";
    let figures = rebuilt_after(
        &case,
        |b| {
            let text = b.read("content/alpha.md");
            b.write("content/alpha.md", format!("{text}\n{block}\n```toml\n[a]\nb = 1\n```\n"));
        },
        &[],
    );
    // alpha's python block is code.md's (both reused); its new TOML block is the only one
    // highlighted.
    assert_eq!(figures, (3, 1));
    // One of the two copies edited: the other is still the same block.
    let figures = rebuilt_after(&case, |b| edit(b, "content/code.md", "def greet", "def welcome"), &[]);
    assert_eq!(figures, (3, 1));
}

#[test]
fn a_damaged_highlight_cache_is_ignored() {
    let case = first_build();
    let good = std::fs::read(case.book.path(HIGHLIGHTS)).unwrap();
    // A tag of the stored HTML changed in place (one bit flipped), truncations, garbage,
    // an empty file.
    let at = good.windows(6).position(|w| w == b"<span ").expect("highlighted HTML in the file");
    let mut flipped = good.clone();
    flipped[at + 1] ^= 0x01;
    let damaged: Vec<Vec<u8>> = vec![
        flipped,
        good[..good.len() / 2].to_vec(),
        good[..good.len() - 1].to_vec(),
        b"not a cache".to_vec(),
        vec![],
    ];
    for (n, bytes) in damaged.into_iter().enumerate() {
        std::fs::write(case.book.path(HIGHLIGHTS), &bytes).unwrap();
        // The page with the blocks changes outside them, so it is parsed again.
        let text = format!("\nDetails {n}.\n");
        let append = |b: &Book| {
            b.write("content/code.md", b.read("content/code.md") + &text);
        };
        let figures = rebuilt_after(&case, append, &[]);
        assert_eq!(figures, (0, 2), "damaged file {n} was used");
        // Written whole again by that build.
        assert_eq!(std::fs::read(case.book.path(HIGHLIGHTS)).unwrap().len(), good.len());
    }
}

#[test]
fn another_version_highlights_everything_again() {
    let case = first_build();
    let figures = rebuilt_after(&case, |_| {}, &[("STAGEBOOK_CACHE_SALT", "another version")]);
    assert_eq!(figures, (0, 2));
    // Its blocks replaced the first version's (seen when the page with them is parsed again).
    let figures = rebuilt_after(&case, |b| edit(b, "content/code.md", "# Code", "# Code again"), &[]);
    assert_eq!(figures, (0, 2));
}

#[test]
fn no_cache_and_check_keep_to_their_rules() {
    let case = first_build();
    let before = std::fs::read(case.book.path(HIGHLIGHTS)).unwrap();
    edit(&case.book, "content/code.md", "```python", "```ruby");
    let r = run(&case.book, &["build", "--no-cache", "-o", case.out("site").to_str().unwrap()], &[]);
    assert!(r.ok, "{}", r.stderr);
    assert!(!r.stderr.contains("code blocks:"), "{}", r.stderr);
    assert_eq!(std::fs::read(case.book.path(HIGHLIGHTS)).unwrap(), before, "--no-cache leaves the cache alone");
    // check reuses and keeps blocks as a build does.
    let r = run(&case.book, &["check"], &[]);
    assert!(r.ok, "{}", r.stderr);
    assert_eq!(code_blocks(&r), (1, 1));
    let r = run(&case.book, &["build", "-o", case.out("site").to_str().unwrap()], &[]);
    assert_eq!(code_blocks(&r), (2, 0));
}

// Render keys (`.stagebook-cache/rendered.bin`): a build that is not skipped renders only the
// pages whose render key changed (or whose output file is not as the last build left it) and
// keeps the others' files. Told by the `pages: N rendered, M reused` line of the phase
// timings; every case also compares with a clean `--no-cache` build byte for byte.

const RENDERED: &str = ".stagebook-cache/rendered.bin";

/// (rendered, reused) as the build printed them.
fn pages(r: &Run) -> (usize, usize) {
    two_counts(r, "pages: ", " rendered, ", " reused")
}

/// The fixture's pages: (all, generated by the matrix), counted in a clean build's output.
fn page_counts(case: &Case) -> (usize, usize) {
    let (clean, files) = case.clean(&[], &[]);
    assert!(clean.ok, "{}", clean.stderr);
    let is_page = |f: &&(String, Vec<u8>)| {
        f.0.ends_with("index.html") && !f.0.starts_with("search/") && !f.0.starts_with("static/")
    };
    let all = files.iter().filter(is_page).count();
    let generated = files
        .iter()
        .filter(is_page)
        .filter(|f| ["stages/", "matrix/", "categories/"].iter().any(|d| f.0.starts_with(d)))
        .count();
    assert!(generated > 0 && all > generated + 2, "the fixture has a matrix and pages: {all}, {generated}");
    (all, generated)
}

/// A first build with the cache: every page rendered, none reused, the keys recorded.
fn first_keyed_build() -> (Case, usize, usize) {
    let case = Case::new();
    let (all, generated) = page_counts(&case);
    let r = case.cached(&[], &[]);
    assert!(r.ok, "{}", r.stderr);
    assert_eq!(pages(&r), (all, 0));
    assert!(case.book.exists(RENDERED));
    (case, all, generated)
}

/// A cached rebuild after `change` equals a clean build; returns its page figures.
fn rerendered_after(case: &Case, change: impl FnOnce(&Book)) -> (usize, usize) {
    pages(&rebuilt_like_clean(case, change, &[]))
}

#[test]
fn a_body_edit_renders_that_page_and_the_generated_ones_alone() {
    let (case, all, generated) = first_keyed_build();
    let alpha = std::fs::metadata(case.out("site/alpha/index.html")).unwrap();
    let figures = rerendered_after(&case, |b| edit(b, "content/beta.md", "The details.", "Other details."));
    assert_eq!(figures, (1 + generated, all - 1 - generated));
    // Alpha's file was kept as it was (linked into the new site, not written).
    let kept = std::fs::metadata(case.out("site/alpha/index.html")).unwrap();
    assert_eq!(std::os::unix::fs::MetadataExt::ino(&kept), std::os::unix::fs::MetadataExt::ino(&alpha));
    // And again, back: the edited page alone once more.
    let figures = rerendered_after(&case, |b| edit(b, "content/beta.md", "Other details.", "The details."));
    assert_eq!(figures, (1 + generated, all - 1 - generated));
}

#[test]
fn a_title_edit_renders_every_page() {
    let (case, all, _) = first_keyed_build();
    let figures = rerendered_after(&case, |b| edit(b, "content/alpha.md", "title = \"Alpha\"", "title = \"First\""));
    assert_eq!(figures, (all, 0));
}

#[test]
fn a_template_translation_theme_or_base_url_change_renders_every_page() {
    type Change<'a> = (&'a str, &'a dyn Fn(&Book));
    let changes: [Change; 5] = [
        ("template", &|b| edit(b, "themes/house/templates/page.html", "house-page", "house-page edited")),
        ("translation", &|b| {
            b.write("themes/house/i18n/en.toml", "[ui]\nsearch_title = \"Find\"\n");
        }),
        ("theme static file", &|b| edit(b, "themes/house/static/house.css", "#222", "#333")),
        ("base_url", &|b| edit(b, "book.toml", "https://example.org/cached/", "https://example.com/")),
        ("book.toml", &|b| edit(b, "book.toml", "title = \"Cached\"", "title = \"Renamed\"")),
    ];
    for (what, change) in changes {
        let (case, all, _) = first_keyed_build();
        assert_eq!(rerendered_after(&case, change), (all, 0), "{what}");
    }
}

#[test]
fn an_output_page_edited_or_deleted_by_hand_is_rendered_again() {
    let (case, all, generated) = first_keyed_build();
    let expected = tree(&case.out("site"));
    std::fs::remove_file(case.out("site/alpha/index.html")).unwrap();
    std::fs::write(case.out("site/beta/index.html"), "edited").unwrap();
    let r = case.cached(&[], &[]);
    assert!(r.ok && !hit(&r), "{}", r.stderr);
    assert_eq!(pages(&r), (2 + generated, all - 2 - generated));
    assert!(tree(&case.out("site")) == expected);
    // Edited in place, keeping its size: still another file.
    let page = case.out("site/code/index.html");
    let text = std::fs::read(&page).unwrap();
    std::fs::write(&page, vec![b'x'; text.len()]).unwrap();
    let r = case.cached(&[], &[]);
    assert!(r.ok && !hit(&r), "{}", r.stderr);
    assert_eq!(pages(&r), (1 + generated, all - 1 - generated));
    assert!(tree(&case.out("site")) == expected);
}

#[test]
fn a_damaged_render_key_file_is_ignored() {
    let (case, all, generated) = first_keyed_build();
    let good = std::fs::read(case.book.path(RENDERED)).unwrap();
    let mut flipped = good.clone();
    let at = good.windows(5).position(|w| w == b"alpha").expect("a page's path in the file");
    flipped[at] ^= 0x01;
    let mut key_flipped = good.clone();
    key_flipped[30] ^= 0x80;
    let damaged: Vec<Vec<u8>> =
        vec![flipped, key_flipped, good[..good.len() / 2].to_vec(), b"not a cache".to_vec(), Vec::new()];
    for (n, bytes) in damaged.into_iter().enumerate() {
        std::fs::write(case.book.path(RENDERED), &bytes).unwrap();
        let text = format!("Details {n}.");
        let figures = rerendered_after(&case, |b| {
            b.write("content/beta.md", b.read("content/beta.md") + &text);
        });
        assert_eq!(figures, (all, 0), "damaged file {n} was used");
        // Written whole again by that build: the next edit reuses pages again.
        let figures = rerendered_after(&case, |b| {
            b.write("content/beta.md", b.read("content/beta.md") + "More.");
        });
        assert_eq!(figures, (1 + generated, all - 1 - generated), "after damaged file {n}");
    }
}

#[test]
fn no_cache_and_check_neither_reuse_nor_record_pages() {
    let (case, all, _) = first_keyed_build();
    let before = std::fs::read(case.book.path(RENDERED)).unwrap();
    edit(&case.book, "content/beta.md", "The details.", "Other details.");
    let r = run(&case.book, &["build", "--no-cache", "-o", case.out("site").to_str().unwrap()], &[]);
    assert!(r.ok, "{}", r.stderr);
    assert!(!r.stderr.contains("pages: "), "{}", r.stderr);
    let r = run(&case.book, &["check"], &[]);
    assert!(r.ok && !r.stderr.contains("pages: "), "{}", r.stderr);
    assert_eq!(std::fs::read(case.book.path(RENDERED)).unwrap(), before, "left alone");
    // The --no-cache build rewrote beta's page, so its recorded stamp no longer matches:
    // the cached build after it renders it, and no page holds stale bytes.
    edit(&case.book, "content/beta.md", "Other details.", "The details.");
    let r = case.cached(&[], &[]);
    assert!(r.ok, "{}", r.stderr);
    let (rendered, reused) = pages(&r);
    assert_eq!(rendered + reused, all);
    let (_, expected) = case.clean(&[], &[]);
    assert!(tree(&case.out("site")) == expected);
}

// The parse memo (.stagebook-cache/parsed.bin): a build parses only the pages no earlier build
// parsed as they are now, told by the `parse memo: N pages recalled, M parsed` timings line.
// Each case compares the cached rebuild with a clean `--no-cache` build byte for byte.

const PARSED: &str = ".stagebook-cache/parsed.bin";

/// (recalled, parsed) as the build printed them.
fn parse_memo(r: &Run) -> (usize, usize) {
    two_counts(r, "parse memo: ", " pages recalled, ", " parsed")
}

/// A cached rebuild after `change` equals a clean build; returns its parse memo figures.
fn reparsed_after(case: &Case, change: impl FnOnce(&Book)) -> (usize, usize) {
    parse_memo(&rebuilt_like_clean(case, change, &[]))
}

/// A first build with the cache parses every page made from a file and leaves no memo (most
/// first builds are the only one: a CI job); the next one remembers them.
fn first_parsed_build() -> (Case, usize) {
    let case = Case::new();
    let r = case.cached(&[], &[]);
    assert!(r.ok, "{}", r.stderr);
    assert_eq!(parse_memo(&r), (0, 0), "off: nothing to recall, nothing to remember");
    assert!(!case.book.exists(PARSED), "a first build writes no memo");
    let r = case.cached(&[], &[]);
    assert!(hit(&r), "nothing changed: {}", r.stderr);
    let touched = |b: &Book| {
        b.write("content/beta.md", b.read("content/beta.md") + "\n");
    };
    let (recalled, files) = reparsed_after(&case, touched);
    assert!(recalled == 0 && files >= 5, "every page made from a file: {files}");
    assert!(case.book.exists(PARSED));
    (case, files)
}

#[test]
fn a_body_or_title_edit_parses_that_page_alone() {
    let (case, files) = first_parsed_build();
    let body = |b: &Book| edit(b, "content/beta.md", "The details.", "Other details.");
    assert_eq!(reparsed_after(&case, body), (files - 1, 1));
    let title = |b: &Book| edit(b, "content/alpha.md", "title = \"Alpha\"", "title = \"First\"");
    assert_eq!(reparsed_after(&case, title), (files - 1, 1));
    // Back to a text parsed before: given back, nothing parsed.
    let back = |b: &Book| edit(b, "content/alpha.md", "title = \"First\"", "title = \"Alpha\"");
    assert_eq!(reparsed_after(&case, back), (files, 0));
}

#[test]
fn an_included_file_change_parses_the_page_that_includes_it() {
    let (case, files) = first_parsed_build();
    let listing = |b: &Book| edit(b, "listings/hello.rs", "fn main", "fn start");
    assert_eq!(reparsed_after(&case, listing), (files - 1, 1));
}

#[test]
fn templates_and_theme_files_do_not_touch_the_parse_but_settings_and_places_do() {
    let (case, files) = first_parsed_build();
    let template = |b: &Book| edit(b, "themes/house/templates/page.html", "house-page", "house-page edited");
    assert_eq!(reparsed_after(&case, template), (files, 0));
    let setting = |b: &Book| edit(b, "book.toml", "title = \"Cached\"", "title = \"Renamed\"");
    assert_eq!(reparsed_after(&case, setting), (0, files));
}

#[test]
fn a_page_added_or_moved_parses_it_and_the_pages_whose_links_now_resolve_otherwise() {
    let (case, files) = first_parsed_build();
    // A new chapter first in SUMMARY.md: every other page's id moves, none of their links do.
    let added = |b: &Book| {
        b.write("content/gamma.md", "# Gamma\n\nSee [Alpha](alpha.md).\n");
        edit(b, "content/SUMMARY.md", "- [Alpha](alpha.md)", "- [Gamma](gamma.md)\n- [Alpha](alpha.md)");
    };
    assert_eq!(reparsed_after(&case, added), (files, 1));
    // Beta moves (a slug): it is parsed, and so is Alpha, whose link to it now has another URL;
    // README's links (to Alpha) and the others' resolve as before.
    let moved = |b: &Book| edit(b, "content/beta.md", "title = \"Beta\"", "title = \"Beta\"\nslug = \"deep\"");
    assert_eq!(reparsed_after(&case, moved), (files - 1, 2));
    // A file nothing links to, unlisted: no page's links change.
    let unlisted = |b: &Book| {
        b.write("content/draft-notes.md", "# Draft\n");
    };
    assert_eq!(reparsed_after(&case, unlisted), (files + 1, 0));
}

#[test]
fn a_damaged_parse_memo_is_ignored_and_written_again() {
    let (case, files) = first_parsed_build();
    let good = std::fs::read(case.book.path(PARSED)).unwrap();
    let mut flipped = good.clone();
    let at = good.windows(5).position(|w| w == b"Alpha").expect("a page's title in the file");
    flipped[at] ^= 0x01;
    let damaged: Vec<Vec<u8>> = vec![flipped, good[..good.len() / 2].to_vec(), b"not a memo".to_vec(), Vec::new()];
    for (n, bytes) in damaged.into_iter().enumerate() {
        std::fs::write(case.book.path(PARSED), &bytes).unwrap();
        let text = format!("\nDetails {n}.\n");
        let (recalled, parsed) = reparsed_after(&case, |b| {
            b.write("content/beta.md", b.read("content/beta.md") + &text);
        });
        assert!(
            recalled < files && recalled + parsed == files,
            "damaged file {n}: {recalled} recalled, {parsed} parsed"
        );
        // What was parsed again is remembered: the next edit recalls every other page.
        let (recalled, parsed) = reparsed_after(&case, |b| {
            b.write("content/beta.md", b.read("content/beta.md") + "More.");
        });
        assert_eq!((recalled, parsed), (files - 1, 1), "after damaged file {n}");
    }
}

#[test]
fn no_cache_neither_reads_nor_writes_the_parse_memo() {
    let (case, _) = first_parsed_build();
    let before = std::fs::read(case.book.path(PARSED)).unwrap();
    edit(&case.book, "content/beta.md", "The details.", "Other details.");
    let r = run(&case.book, &["build", "--no-cache", "-o", case.out("site").to_str().unwrap()], &[]);
    assert!(r.ok && !r.stderr.contains("parse memo: "), "{}", r.stderr);
    assert_eq!(std::fs::read(case.book.path(PARSED)).unwrap(), before, "left alone");
}

#[test]
fn serve_takes_the_pages_the_last_builds_parsed_and_never_writes_the_memo() {
    let (case, files) = first_parsed_build();
    let before = std::fs::read(case.book.path(PARSED)).unwrap();
    let preview = common::serve::Preview::launch(&case.book).shell_prefix("export STAGEBOOK_TIMINGS=1").start();
    assert_eq!(parse_memo(&served_figures(&preview, "parse memo: ")), (files, 0));
    // The pages it shows are the ones the build wrote from the same pages.
    for (url, file) in [("/alpha/", "alpha/index.html"), ("/code/", "code/index.html")] {
        let built = String::from_utf8(std::fs::read(case.out("site").join(file)).unwrap()).unwrap();
        let main = &built[built.find("<main").unwrap()..built.rfind("</main>").unwrap()];
        let served = preview.get(url);
        assert_eq!(served.status, 200);
        assert!(served.body.contains(main), "served {url} differs from the built one:\n{}", served.body);
    }
    drop(preview);
    assert_eq!(std::fs::read(case.book.path(PARSED)).unwrap(), before, "read only");
}

#[test]
fn drafts_and_link_strictness_parse_nothing_again() {
    let (case, files) = first_parsed_build();
    for args in [&["--drafts"][..], &["--warn-links"][..], &[][..]] {
        let r = case.cached(args, &[]);
        assert!(r.ok && !hit(&r), "{}", r.stderr);
        assert_eq!(parse_memo(&r), (files, 0), "{args:?}");
        let (clean, expected) = case.clean(args, &[]);
        assert!(clean.ok, "{}", clean.stderr);
        assert_eq!(diagnostics(&r), diagnostics(&clean));
        assert!(tree(&case.out("site")) == expected, "{args:?}");
    }
}
