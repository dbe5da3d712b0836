//! Anchors written for GitHub: heading ids keep combining marks (GitHub's rule, not mdBook's).

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
    let home_links = links(&home);
    for href in [format!("#{WARNING_HREF}"), "ops/index.html#%EF%B8%8F-caution".into()] {
        assert!(home_links.contains(&href), "{href}: {home_links:?}");
    }
    let ops = book.read("book/ops/index.html");
    assert!(ops.contains("<h2 id=\"\u{fe0f}-caution\">"), "{ops}");
    let runbook = book.read("book/ops/runbook/index.html");
    assert!(links(&runbook).contains(&format!("../../index.html#{WARNING_HREF}")), "{runbook}");
}

#[test]
fn an_mdbook_book_keeps_mdbooks_id_for_the_same_heading() {
    let book = Book::fixture("github-anchors");
    book.write(
        "content/SUMMARY.md",
        "# Summary\n\n[Home](README.md)\n- [Ops](ops/README.md)\n  - [Runbook](ops/runbook.md)\n",
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
