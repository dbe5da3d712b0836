//! Anchors written for GitHub: heading ids keep combining marks (GitHub's rule, not mdBook's),
//! and a page made from a file answers to `#readme`, the anchor GitHub gives a markdown file's
//! text (a README page has an element with that id at its top).

mod common;

use common::{links, Book};

/// `⚠️` is U+26A0 U+FE0F: GitHub drops the sign and keeps the variation selector.
const WARNING_ID: &str = "\u{fe0f}-warning";
/// The same in a link's `href` (pulldown-cmark percent-encodes what is not ASCII).
const WARNING_HREF: &str = "%EF%B8%8F-warning";

#[test]
fn anchors_written_for_github_build_clean_and_land_on_their_ids() {
    let book = Book::fixture("github-anchors");
    let run = book.build_ok();
    assert!(!run.stderr.contains("error") && !run.stderr.contains("warning"), "{}", run.stderr);
    let home = book.read("book/index.html");
    assert!(home.contains(&format!("<h2 id=\"{WARNING_ID}\">")), "{home}");
    assert!(home.contains("<span id=\"readme\"></span>"), "{home}");
    let home_links = links(&home);
    for href in [format!("#{WARNING_HREF}"), "ops/index.html#readme".into(), "#readme".into()] {
        assert!(home_links.contains(&href), "{href}: {home_links:?}");
    }
    let ops = book.read("book/ops/index.html");
    assert!(ops.contains("<span id=\"readme\"></span>") && ops.contains("<h2 id=\"\u{fe0f}-caution\">"), "{ops}");
    let runbook = book.read("book/ops/runbook/index.html");
    assert!(!runbook.contains("id=\"readme\""), "only README pages get the element: {runbook}");
    assert!(links(&runbook).contains(&"../checklist/index.html#readme".to_string()), "{runbook}");
    assert!(links(&runbook).contains(&format!("../../index.html#{WARNING_HREF}")), "{runbook}");
}

#[test]
fn other_anchors_of_a_readme_page_are_still_checked() {
    let book = Book::fixture("github-anchors");
    book.write("content/ops/runbook.md", "# Runbook\n\n[ok](README.md#readme), [gone](README.md#setup).\n");
    let run = book.build();
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    let errors: Vec<&str> = run.stderr.lines().filter(|l| l.contains(": error: ")).collect();
    assert_eq!(errors.len(), 1, "{}", run.stderr);
    assert!(errors[0].contains("content/ops/runbook.md:3:25"), "{}", run.stderr);
    assert!(errors[0].contains("no heading with id `setup` in `ops/README.md`"), "{}", run.stderr);
}

#[test]
fn a_readme_heading_keeps_the_readme_id() {
    let book = Book::fixture("github-anchors");
    book.write("content/ops/README.md", "# Ops\n\n## Readme\n\nAbout this folder.\n\n## \u{26a0}\u{fe0f} Caution\n");
    book.build_ok();
    let ops = book.read("book/ops/index.html");
    assert_eq!(ops.matches("id=\"readme\"").count(), 1, "{ops}");
    assert!(ops.contains("<h2 id=\"readme\">"), "{ops}");
}

#[test]
fn an_mdbook_book_keeps_mdbooks_id_for_the_same_heading() {
    let book = Book::fixture("github-anchors");
    book.write(
        "content/SUMMARY.md",
        "# Summary\n\n[Home](README.md)\n- [Ops](ops/README.md)\n  - [Runbook](ops/runbook.md)\n  - [Checklist](ops/checklist.md)\n",
    );
    // mdBook drops the variation selector: `#-warning`, and GitHub's id is no anchor there.
    let run = book.build();
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert!(run.stderr.contains("no heading with id `\u{fe0f}-warning` in `README.md`"), "{}", run.stderr);
    assert!(run.stderr.contains("its headings: team-handbook, -warning"), "{}", run.stderr);
    book.write("content/README.md", book.read("content/README.md").replace('\u{fe0f}', ""));
    book.write("content/ops/README.md", book.read("content/ops/README.md").replace('\u{fe0f}', ""));
    let runbook = book.read("content/ops/runbook.md").replace("#\u{fe0f}-warning", "#-warning");
    book.write("content/ops/runbook.md", runbook);
    book.build_ok();
    let home = book.read("book/index.html");
    assert!(home.contains("<h2 id=\"-warning\">") && !home.contains('\u{fe0f}'), "{home}");
}
