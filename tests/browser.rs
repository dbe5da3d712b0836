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

/// Navigations built from an mdBook SUMMARY.md hold entries that folders never make: part
/// titles, separators and drafts (listed, not linked). `toc.js` is replaced here by data in the
/// shape `context::toc_js` writes (pinned by its unit test) to check that `nav.js` shows them.
#[test]
fn navigation_script_shows_part_titles_separators_and_unlinked_drafts() {
    let Some(browser) = chromium() else { return };
    let book = Book::fixture("basic");
    book.build_ok();
    book.write(
        "book/static/toc.js",
        concat!(
            r#"window.stagebookToc = [["About this book","about/index.html"],"Part \u003cone>","#,
            r#"["Guide","guide/index.html",[["Planned <later>",null,[["Setup","guide/setup/index.html"]]]]],"#,
            r#"null,["Someday",null]];"#,
        ),
    );
    let dom = dump_dom(&browser, &file_url(&book.path("book/guide/setup/index.html")));
    let nav_start = dom.find("id=\"sb-nav-tree\"").expect("sidebar present");
    let nav = &dom[nav_start..dom[nav_start..].find("</nav>").map_or(dom.len(), |e| nav_start + e)];
    assert!(nav.contains("class=\"nav-toggle\""), "nav.js did not run: {nav}");
    assert!(nav.contains("<li class=\"nav-item nav-part\">Part &lt;one&gt;</li>"), "{nav}");
    assert!(nav.contains("<li class=\"nav-item nav-separator\" role=\"separator\"></li>"), "{nav}");
    // Drafts are text, not links; the one on the way to the current page is open.
    assert!(nav.contains("<div class=\"nav-row\"><span>Someday</span></div>"), "{nav}");
    let draft = nav.find("<span>Planned &lt;later&gt;</span>").expect("draft section listed");
    assert!(nav[draft..].contains("aria-label=\"Pages in Planned &lt;later&gt;\" aria-controls"), "{nav}");
    assert!(nav[draft..].contains("aria-expanded=\"true\""), "{nav}");
    assert!(nav.contains("aria-current=\"page\">Setup</a>"), "{nav}");
    assert!(!nav.contains("href=\"../../null"), "a draft got a link: {nav}");
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

/// The results list of the search page (or the header dropdown), as dumped HTML.
fn between<'a>(dom: &'a str, start: &str, end: &str) -> &'a str {
    let s = dom.find(start).unwrap_or_else(|| panic!("{start} not in page"));
    let rest = &dom[s..];
    &rest[..rest.find(end).unwrap_or(rest.len())]
}

#[test]
fn search_page_from_file_url_finds_the_backup_pages_first() {
    let Some(browser) = chromium() else { return };
    let book = Book::bundled();
    book.build_ok();
    let url = format!("{}?q=backups", file_url(&book.path("book/search/index.html")));
    let dom = dump_dom(&browser, &url);
    let results = between(&dom, "id=\"sb-sp-results\"", "</ol>");
    let hrefs: Vec<&str> = results.split("href=\"").skip(1).map(|s| &s[..s.find('"').unwrap()]).collect();
    assert!(hrefs.len() >= 5, "results rendered from the URL: {results}");
    assert!(hrefs[0].contains("never-skip"), "the page about backups comes first: {hrefs:?}");
    assert!(hrefs[..3].iter().all(|h| !h.contains("stages/")), "pages before matrix cells: {hrefs:?}");
    let first = &results[..results.find("</li>").unwrap()];
    assert!(first.to_lowercase().contains("<mark>backup"), "snippet highlights the word: {first}");
    assert!(hrefs.iter().all(|h| h.starts_with("../")), "relative links: {hrefs:?}");
}

#[test]
fn header_box_shows_results_as_you_type_and_keys_move_through_them() {
    let Some(browser) = chromium() else { return };
    let book = Book::fixture("basic");
    book.build_ok();
    // A copy of a page that types into the header box: the same page, the same scripts.
    let page = book.read("book/guide/index.html").replace(
        "</body>",
        r#"<script>
window.addEventListener("load", function () {
  setTimeout(function () {
    var i = document.getElementById("sb-search-q");
    i.focus();
    i.value = "rollb";
    i.dispatchEvent(new Event("input", { bubbles: true }));
    setTimeout(function () {
      i.dispatchEvent(new KeyboardEvent("keydown", { key: "ArrowDown", bubbles: true }));
      document.body.setAttribute("data-active", i.getAttribute("aria-activedescendant") || "none");
      document.body.setAttribute("data-expanded", i.getAttribute("aria-expanded") || "none");
    }, 1500);
  }, 200);
});
</script></body>"#,
    );
    book.write("book/guide/typing.html", page);
    let dom = dump_dom(&browser, &file_url(&book.path("book/guide/typing.html")));
    let list = between(&dom, "id=\"sb-search-list\"", "</ul>");
    assert!(list.contains("href=\"../guide/deploy/index.html#rollback\""), "prefix match on the last word: {list}");
    assert!(
        list.contains("<mark>Rollback</mark>") && list.contains("<mark>rollback</mark>()"),
        "heading and code highlighted: {list}"
    );
    assert!(dom.contains("data-active=\"sb-search-opt-0\""), "ArrowDown selects the first result");
    assert!(dom.contains("data-expanded=\"true\""));
}

#[test]
fn snippets_show_and_highlight_a_word_found_late_in_the_section() {
    let Some(browser) = chromium() else { return };
    let book = Book::fixture("basic");
    let opening = "Every quarter the team walks through the whole drill on a calm afternoon, with the pager \
        handed to someone else and the runbook open on a second screen, noting each step that took longer \
        than planned and why, so that the next drill runs shorter and the real outage, when it comes, finds \
        nobody guessing.";
    book.write(
        "content/guide/drill.md",
        format!(
            "+++\ntitle = \"Drill\"\n+++\n\n## Quarterly drill\n\n{opening} Last time the snapshot was \
             restored onto a spare machine in forty minutes, and restoring the logs took ten more. The notes \
             go into the wiki the same day, with the timings and anything that surprised us.\n"
        ),
    );
    book.build_ok();
    let url = format!("{}?q=restore", file_url(&book.path("book/search/index.html")));
    let dom = dump_dom(&browser, &url);
    let results = between(&dom, "id=\"sb-sp-results\"", "</ol>");
    assert!(results.contains("href=\"../guide/drill/index.html#quarterly-drill\""), "{results}");
    let snippet = between(results, "class=\"search-snippet\">", "</span>");
    let snippet = &snippet[snippet.find('>').unwrap() + 1..];
    // The word comes after the first 260 characters of the section (the text results kept
    // before): the section keeps more, and the window moved to the word.
    assert!(opening.len() > 260);
    assert!(snippet.starts_with('…') && !snippet.contains("Every quarter"), "{snippet}");
    assert!(snippet.contains("<mark>restored</mark> onto"), "the word found is shown: {snippet}");
    assert!(snippet.contains("<mark>restoring</mark> the"), "a word of the same stem too: {snippet}");
    let text = snippet.replace("<mark>", "").replace("</mark>", "");
    assert!(text.chars().count() <= 170 && text.ends_with('…'), "about 160 characters: {text}");
    assert!(!text.contains("  ") && !text[3..].starts_with(' '), "cut at spaces: {text}");
}

#[test]
fn titles_with_markup_show_as_text_in_results() {
    let Some(browser) = chromium() else { return };
    let book = Book::fixture("basic");
    book.write(
        "content/xss.md",
        "+++\ntitle = \"<img src=x onerror=alert(1)>\"\n+++\n\nA payload page about zebrafish.\n",
    );
    book.build_ok();
    let url = format!("{}?q=zebrafish", file_url(&book.path("book/search/index.html")));
    let dom = dump_dom(&browser, &url);
    let results = between(&dom, "id=\"sb-sp-results\"", "</ol>");
    assert!(results.contains("&lt;img src=x onerror=alert(1)&gt;"), "title shown as text: {results}");
    assert!(!dom.contains("<img src=\"x\""), "no image element was created");
}

#[test]
fn ticked_boxes_survive_a_reload_and_count_towards_progress() {
    let Some(browser) = chromium() else { return };
    let book = Book::fixture("matrix-generic");
    book.build_ok();
    let page = book.path("book/stages/serie-a/index.html");
    // A copy of the stage page that ticks two boxes the way a reader would (a click).
    let clicking = book.read("book/stages/serie-a/index.html").replace(
        "</body>",
        r#"<script>window.addEventListener("load", function () { setTimeout(function () {
  document.getElementById("check-deploiement").click();
  document.getElementById("check-jamais-sauvegardes").click();
}, 300); });</script></body>"#,
    );
    book.write("book/stages/serie-a/click.html", clicking);
    let profile = tempfile::tempdir().unwrap();
    let first = common::dump_dom_with_profile(
        &browser,
        &file_url(&book.path("book/stages/serie-a/click.html")),
        profile.path(),
    );
    assert!(first.contains("data-done=\"true\""), "ticked in the first visit");
    // The real page, opened again in the same browser profile: the ticks are still there.
    let again = common::dump_dom_with_profile(&browser, &file_url(&page), profile.path());
    let item = &again[again.find("id=\"deploiement\"").unwrap()..];
    assert!(item[..item.find("</li>").unwrap()].contains("data-done=\"true\""), "tick restored after a reload");
    let other = &again[again.find("id=\"astreinte\"").unwrap()..];
    assert!(other[..other.find("</li>").unwrap()].contains("data-done=\"false\""));
    assert!(again.contains("1 / 2</span>"), "the ops group shows 1 of its 2 aspects done");
    assert!(again.contains("1 / 2</span>") && again.matches("progress-count").count() >= 3);
}
