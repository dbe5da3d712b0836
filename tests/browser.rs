//! The built site in a real browser, opened from disk (`file://`): the scripts load through
//! relative URLs and build the navigation from the shared static/toc.js.

mod common;
use common::{chromium, dump_dom, file_url, Book};

#[test]
fn navigation_script_builds_the_full_tree_from_file_urls() {
    let Some(browser) = chromium() else { return };
    let book = Book::fixture("basic");
    book.build_ok();
    let dom = dump_dom(&browser, &file_url(&book.path("book/guide/advanced/tuning/index.html")));
    let nav_start = dom.find("id=\"sb-nav-tree\"").expect("sidebar present");
    let nav = &dom[nav_start..dom[nav_start..].find("</nav>").map_or(dom.len(), |e| nav_start + e)];
    // Only nav.js makes toggle buttons: their presence proves toc.js and nav.js loaded.
    assert!(nav.contains("class=\"nav-toggle\""), "nav.js did not run: {nav}");
    // The sections on the way to the page are open, and the page is marked current.
    for section in ["Guide", "Advanced"] {
        let at = nav
            .find(&format!("aria-label=\"Pages in {section}\""))
            .unwrap_or_else(|| panic!("{section} toggle: {nav}"));
        let tag_end = at + nav[at..].find('>').unwrap();
        assert!(nav[at..tag_end].contains("aria-expanded=\"true\""), "{section} is open: {}", &nav[at..tag_end]);
    }
    let current = nav.find("aria-current=\"page\"").expect("current page marked");
    assert!(
        nav[current..].starts_with("aria-current=\"page\">&lt;script&gt;alert(1)&lt;/script&gt; Tuning</a>"),
        "title inserted as text: {}",
        &nav[current..current + 120]
    );
    // Top-level entries outside the current section come from toc.js too.
    assert!(nav.contains(">About this book</a>"));
    // Links built by the script are relative to this page.
    assert!(nav.contains("href=\"../../../about/index.html\""), "{nav}");
    // The title markup was never parsed as HTML anywhere on the page.
    assert!(!dom.contains("<script>alert(1)"));
}

#[test]
fn pages_without_javascript_still_have_their_section_navigation() {
    let book = Book::fixture("basic");
    book.build_ok();
    let html = book.read("book/guide/advanced/tuning/index.html");
    let nav = &html[html.find("id=\"sb-nav-tree\"").unwrap()..];
    let nav = &nav[..nav.find("</nav>").unwrap()];
    for link in [
        "../../../about/index.html",
        "../../index.html",
        "../../setup/index.html",
        "index.html",
        "../../deploy/index.html",
    ] {
        assert!(nav.contains(&format!("href=\"{link}\"")), "server-rendered nav lacks {link}: {nav}");
    }
    assert!(nav.contains("aria-current=\"page\""));
}
