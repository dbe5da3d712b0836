//! The built site in a real browser, opened from disk (`file://`): the scripts load through
//! relative URLs and build the navigation from the shared static/toc.js; the search box is
//! typed into and the checkboxes clicked as a reader would.

mod common;
use common::browser::{self, Browser, Scheme};
use common::{file_url, Book};

#[test]
fn navigation_script_builds_the_full_tree_from_file_urls() {
    let Some(browser) = Browser::launch() else { return };
    let book = Book::fixture("basic");
    book.build_ok();
    let tab = browser.new_tab();
    tab.goto(&file_url(&book.path("book/guide/advanced/tuning/index.html")));
    let dom = tab.dom();
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
    let Some(browser) = Browser::launch() else { return };
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
    let tab = browser.new_tab();
    tab.goto(&file_url(&book.path("book/guide/setup/index.html")));
    let dom = tab.dom();
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

/// Opens the search page at `url` and returns its document once the results are shown.
fn search_results(browser: &Browser, url: &str) -> String {
    let tab = browser.new_tab();
    tab.goto(url);
    tab.wait_for("document.querySelector('#sb-sp-results li')");
    tab.dom()
}

#[test]
fn search_page_from_file_url_finds_the_backup_pages_first() {
    let Some(browser) = Browser::launch() else { return };
    let book = Book::bundled();
    book.build_ok();
    let url = format!("{}?q=backups", file_url(&book.path("book/search/index.html")));
    let dom = search_results(&browser, &url);
    let results = between(&dom, "id=\"sb-sp-results\"", "</ol>");
    let hrefs: Vec<&str> = results.split("href=\"").skip(1).map(|s| &s[..s.find('"').unwrap()]).collect();
    assert!(hrefs.len() >= 5, "results rendered from the URL: {results}");
    assert!(hrefs[0].contains("never-skip"), "the page about backups comes first: {hrefs:?}");
    // The matrix row once (on its category page), not once per stage.
    let anchors: Vec<&str> = hrefs.iter().filter_map(|h| h.split_once('#').map(|a| a.1)).collect();
    let distinct: std::collections::BTreeSet<&&str> = anchors.iter().collect();
    assert_eq!(distinct.len(), anchors.len(), "each result once: {hrefs:?}");
    assert!(hrefs.contains(&"../categories/data/index.html#data-backup"), "{hrefs:?}");
    let first = &results[..results.find("</li>").unwrap()];
    assert!(first.to_lowercase().contains("<mark>backup"), "snippet highlights the word: {first}");
    assert!(hrefs.iter().all(|h| h.starts_with("../")), "relative links: {hrefs:?}");
}

#[test]
fn header_box_shows_results_as_you_type_and_keys_move_through_them() {
    let Some(browser) = Browser::launch() else { return };
    let book = Book::fixture("basic");
    book.build_ok();
    let tab = browser.new_tab();
    tab.goto(&file_url(&book.path("book/guide/index.html")));
    // `/` focuses the box; then the reader types, and the results come as they type.
    tab.press("/").type_text("rollb");
    assert_eq!(tab.eval("document.activeElement.id"), "sb-search-q", "`/` focused the search box");
    tab.wait_for("document.querySelector('#sb-search-list [role=option]')");
    let dom = tab.dom();
    let list = between(&dom, "id=\"sb-search-list\"", "</ul>");
    assert!(
        list.contains("data-href=\"../guide/deploy/index.html#rollback\""),
        "prefix match on the last word: {list}"
    );
    // An option is not a link holding links (axe nested-interactive), and its name separates
    // page, heading and snippet.
    assert_eq!(tab.eval("String(document.querySelectorAll('[role=option] a, [role=option] [href]').length)"), "0");
    let name = tab.eval("document.querySelector('[role=option][data-href$=\"#rollback\"]').textContent");
    let name = name.as_str().unwrap_or_default();
    assert!(name.contains(" — Rollback") && name.matches(" — ").count() >= 2, "page — heading — snippet: {name}");
    assert!(
        list.contains("<mark>Rollback</mark>") && list.contains("<mark>rollback</mark>()"),
        "heading and code highlighted: {list}"
    );
    tab.press("ArrowDown");
    let input = "document.getElementById('sb-search-q')";
    assert_eq!(
        tab.eval(&format!("{input}.getAttribute('aria-activedescendant')")),
        "sb-search-opt-0",
        "ArrowDown selects the first result"
    );
    assert_eq!(tab.eval(&format!("{input}.getAttribute('aria-expanded')")), "true");
    assert!(tab.console_errors().is_empty(), "{:?}", tab.console_errors());
    // Enter opens the selected result: the option's address, not a link's.
    let target = tab.eval("document.getElementById('sb-search-opt-0').dataset.href");
    let target = target.as_str().unwrap().trim_start_matches("../").to_string();
    tab.press("Enter");
    tab.wait_for(&format!("location.href.endsWith({target:?})"));
}

#[test]
fn snippets_show_and_highlight_a_word_found_late_in_the_section() {
    let Some(browser) = Browser::launch() else { return };
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
    let dom = search_results(&browser, &url);
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
fn a_match_only_in_the_description_shows_the_description() {
    let Some(browser) = Browser::launch() else { return };
    let book = Book::fixture("basic");
    book.write(
        "content/guide/tanks.md",
        "+++\ntitle = \"Tanks\"\ndescription = \"Notes on zebrafish husbandry for the lab.\"\n+++\n\n\
         The water is changed weekly and the filters monthly.\n",
    );
    book.build_ok();
    let url = format!("{}?q=husbandry", file_url(&book.path("book/search/index.html")));
    let dom = search_results(&browser, &url);
    let results = between(&dom, "id=\"sb-sp-results\"", "</ol>");
    let snippet = between(results, "class=\"search-snippet\">", "</span>");
    assert!(snippet.contains("zebrafish <mark>husbandry</mark>"), "the description says why: {results}");
}

#[test]
fn titles_with_markup_show_as_text_in_results() {
    let Some(browser) = Browser::launch() else { return };
    let book = Book::fixture("basic");
    book.write(
        "content/xss.md",
        "+++\ntitle = \"<img src=x onerror=alert(1)>\"\n+++\n\nA payload page about zebrafish.\n",
    );
    book.build_ok();
    let url = format!("{}?q=zebrafish", file_url(&book.path("book/search/index.html")));
    let dom = search_results(&browser, &url);
    let results = between(&dom, "id=\"sb-sp-results\"", "</ol>");
    assert!(results.contains("&lt;img src=x onerror=alert(1)&gt;"), "title shown as text: {results}");
    assert!(!dom.contains("<img src=\"x\""), "no image element was created");
}

#[test]
fn ticked_boxes_survive_a_reload_and_count_towards_progress() {
    let Some(browser) = Browser::launch() else { return };
    let book = Book::fixture("matrix-generic");
    book.build_ok();
    let tab = browser.new_tab();
    tab.goto(&file_url(&book.path("book/stages/serie-a/index.html")));
    // The reader ticks two boxes with the mouse.
    tab.click("#check-deploiement").click("#check-jamais-sauvegardes");
    let first = tab.dom();
    assert!(first.contains("data-done=\"true\""), "ticked in the first visit");
    // The page, opened again in the same browser profile: the ticks are still there.
    tab.reload();
    let again = tab.dom();
    let item = &again[again.find("id=\"deploiement\"").unwrap()..];
    assert!(item[..item.find("</li>").unwrap()].contains("data-done=\"true\""), "tick restored after a reload");
    let other = &again[again.find("id=\"astreinte\"").unwrap()..];
    assert!(other[..other.find("</li>").unwrap()].contains("data-done=\"false\""));
    assert!(again.contains("1 / 2</span>"), "the ops group shows 1 of its 2 aspects done");
    assert!(again.contains("1 / 2</span>") && again.matches("progress-count").count() >= 3);
}

/// Smoke test of the accessibility harness only: axe-core runs on a generated page and returns
/// its list. Fixing what it finds (and asserting none) is the accessibility issue's job.
#[test]
fn axe_runs_on_a_generated_page_and_returns_its_findings() {
    let Some(browser) = Browser::launch() else { return };
    if !browser::axe_installed() {
        return;
    }
    let book = Book::fixture("basic");
    book.build_ok();
    let tab = browser.new_tab();
    tab.viewport(1280, 800, false).color_scheme(Scheme::Light);
    tab.goto(&file_url(&book.path("book/guide/setup/index.html")));
    let found = browser::axe(&tab, &["wcag2a", "wcag2aa"]);
    eprintln!("axe (wcag2a, wcag2aa) on guide/setup: {} rules broken", found.len());
    for v in &found {
        eprintln!("  {} ({}): {} at {:?}", v.id, v.impact, v.help, v.targets);
        assert!(!v.id.is_empty() && !v.targets.is_empty(), "a finding names its rule and elements: {v:?}");
    }
    // It really checks this document: an image without alt text added to it is found.
    tab.eval("var i = document.createElement('img'); i.src = 'x.png'; i.id = 'no-alt'; document.querySelector('main, body').appendChild(i); true");
    let found = browser::axe(&tab, &["wcag2a"]);
    let alt = found.iter().find(|v| v.id == "image-alt").unwrap_or_else(|| panic!("image-alt found: {found:?}"));
    assert_eq!(alt.targets, ["#no-alt"]);
}

/// The harness itself, as the layout and accessibility checks use it: the viewport and colour
/// scheme reach the page's CSS, and console errors, exceptions and dialogs are reported.
#[test]
fn harness_emulates_viewport_and_colour_scheme_and_reports_errors() {
    let Some(browser) = Browser::launch() else { return };
    let book = Book::fixture("basic");
    book.build_ok();
    let tab = browser.new_tab();
    let page = file_url(&book.path("book/guide/setup/index.html"));
    let background = "getComputedStyle(document.body).backgroundColor";

    tab.viewport(1280, 800, false).color_scheme(Scheme::Light).goto(&page);
    assert_eq!(
        tab.eval("[innerWidth, matchMedia('(prefers-color-scheme: dark)').matches]"),
        serde_json::json!([1280, false])
    );
    let light = tab.eval(background);
    tab.viewport(390, 844, true).color_scheme(Scheme::Dark).reload();
    assert_eq!(
        tab.eval("[innerWidth, matchMedia('(prefers-color-scheme: dark)').matches]"),
        serde_json::json!([390, true])
    );
    let dark = tab.eval(background);
    assert_ne!(light, dark, "the theme follows the emulated scheme");
    let png = tab.screenshot();
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "a PNG screenshot");
    let width = u32::from_be_bytes(png[16..20].try_into().unwrap());
    assert_eq!(width, 390, "of the emulated viewport");
    assert!(tab.console_errors().is_empty(), "{:?}", tab.console_errors());

    tab.eval("console.error('broken', 42); setTimeout(function () { throw new Error('thrown later'); }, 0); alert('hi'); true");
    let errors = tab.console_errors();
    assert!(errors.iter().any(|e| e == "broken 42"), "{errors:?}");
    tab.eval("new Promise(function (r) { setTimeout(r, 50); })");
    let errors = tab.console_errors();
    assert!(errors.iter().any(|e| e.contains("thrown later")), "{errors:?}");
    assert_eq!(tab.dialogs(), ["hi"], "the alert was answered and recorded");
    // A dismissed confirm returns false, an accepted one true.
    assert_eq!(tab.eval("confirm('sure?')"), serde_json::json!(false));
    tab.answer_dialogs(true);
    assert_eq!(tab.eval("confirm('sure?')"), serde_json::json!(true));
}

/// `[left, right]` of the first element matching `selector` (CSS pixels), as JavaScript.
fn x_of(selector: &str) -> String {
    format!("(function () {{ var r = document.querySelector({selector:?}).getBoundingClientRect(); return [r.left, r.right]; }})()")
}

fn xs(tab: &common::browser::Tab<'_>, selector: &str) -> (f64, f64) {
    let v = tab.eval(&x_of(selector));
    (v[0].as_f64().unwrap_or_else(|| panic!("{selector}: {v}")), v[1].as_f64().unwrap())
}

/// An Arabic handbook (`language = "ar"`) reads right to left: the sidebar on the right, the
/// table of contents on the left, breadcrumbs from right to left, the matrix's first column
/// on the right and sticking there while the table scrolls, the phone menu sliding in from
/// the right, the cost chart mirrored; code stays left to right.
#[test]
fn an_arabic_handbook_mirrors_the_layout_right_to_left() {
    let Some(browser) = Browser::launch() else { return };
    let book = Book::fixture("i18n-ar");
    book.build_ok();
    let tab = browser.new_tab();
    tab.viewport(1280, 900, false).goto(&file_url(&book.path("book/guide/operations/backups/index.html")));
    assert_eq!(
        tab.eval("[document.documentElement.lang, document.documentElement.dir]"),
        serde_json::json!(["ar", "rtl"])
    );
    let width = tab.eval("document.documentElement.clientWidth").as_f64().unwrap();
    let sidebar = xs(&tab, "#sb-sidebar");
    let main = xs(&tab, "#content");
    let toc = xs(&tab, ".page-toc");
    assert!((sidebar.1 - width).abs() < 1.0 && sidebar.0 > main.1, "sidebar on the right: {sidebar:?}, main {main:?}");
    assert!(toc.1 < main.0, "contents on the left of the text: {toc:?}, main {main:?}");
    // The current page's accent bar is on its right edge (an inset shadow with a negative x).
    let shadow = tab.eval("getComputedStyle(document.querySelector('#sb-nav-tree [aria-current=page]')).boxShadow");
    assert!(shadow.as_str().unwrap().contains(" -3px 0px 0px"), "{shadow}");
    // Breadcrumbs: each crumb left of the one before, the separators' chevrons mirrored.
    let crumbs = tab.eval(
        "Array.from(document.querySelectorAll('.breadcrumbs li')).map(function (li) { \
         var r = li.getBoundingClientRect(); return [r.left, r.right]; })",
    );
    let crumbs = crumbs.as_array().unwrap();
    assert!(crumbs.len() >= 3, "{crumbs:?}");
    for pair in crumbs.windows(2) {
        assert!(pair[1][1].as_f64().unwrap() <= pair[0][0].as_f64().unwrap() + 0.5, "right to left: {crumbs:?}");
    }
    assert_eq!(tab.eval("getComputedStyle(document.querySelector('.breadcrumbs li + li'), '::before').scale"), "-1 1");
    // Code keeps reading left to right, from the left edge of its box.
    assert_eq!(tab.eval("getComputedStyle(document.querySelector('pre')).direction"), "ltr");
    let code_start = tab.eval(
        "(function () { var p = document.querySelector('pre'), r = document.createRange(); \
         r.setStart(p.querySelector('code').firstChild || p.querySelector('code'), 0); r.setEnd(r.startContainer, 1); \
         return r.getBoundingClientRect().left - p.getBoundingClientRect().left; })()",
    );
    assert!(code_start.as_f64().unwrap() < 30.0, "code starts at the left: {code_start}");
    // The header search box's results open under it, along its left edge (its inline end).
    tab.focus("#sb-search-q").type_text("restore");
    tab.wait_for("document.querySelector('#sb-search-list [role=option]')");
    let (form, panel) = (xs(&tab, "#sb-search"), xs(&tab, ".search-panel"));
    assert!((panel.0 - form.0).abs() < 1.0 && panel.1 <= width, "dropdown {panel:?} under the box {form:?}");

    // The matrix: its first column (the aspects) is on the right.
    tab.goto(&file_url(&book.path("book/matrix/index.html")));
    let table = xs(&tab, ".matrix-table");
    let aspect = xs(&tab, ".matrix-table tbody th[scope=row]");
    let first_stage = xs(&tab, ".matrix-table thead th[data-stage]");
    assert!(
        (aspect.1 - table.1).abs() < 2.0 && first_stage.1 <= aspect.0 + 1.0,
        "{table:?} {aspect:?} {first_stage:?}"
    );
    assert!(tab.console_errors().is_empty(), "{:?}", tab.console_errors());

    // The cost chart: the stage names right of the axis, the bars left of it.
    tab.goto(&file_url(&book.path("book/stages/index.html")));
    let axis = xs(&tab, "svg.cost-chart .chart-axis");
    let label = xs(&tab, "svg.cost-chart .chart-label");
    let bar = xs(&tab, "svg.cost-chart .chart-bar");
    assert!(label.0 > axis.1 && bar.1 <= axis.0 + 1.0, "axis {axis:?}, label {label:?}, bar {bar:?}");
    let value = xs(&tab, "svg.cost-chart .chart-value");
    assert!(value.1 < bar.0, "the figures beside the bar's far end: {value:?} {bar:?}");

    // On a phone: the matrix scrolls sideways with the first column stuck on the right.
    tab.viewport(390, 844, true).goto(&file_url(&book.path("book/matrix/index.html")));
    let wrap = "document.querySelector('.matrix-wrap')";
    assert_eq!(tab.eval(&format!("{wrap}.scrollWidth > {wrap}.clientWidth + 100")), serde_json::json!(true));
    let frame = xs(&tab, ".matrix-wrap");
    let hint =
        "(function () { var h = document.querySelector('.more-cols'); return h.hidden ? '' : h.textContent; })()";
    let beyond = tab.eval(&format!(
        "Array.from({wrap}.querySelectorAll('thead th[data-stage]')).filter(function (th) {{ \
         return th.getBoundingClientRect().left < {wrap}.getBoundingClientRect().left - 2; }}).length"
    ));
    assert!((1..5).contains(&beyond.as_u64().unwrap()), "stage columns out of view on the left: {beyond}");
    // The hint points the way to scroll (its words come from the language's table).
    let text = tab.eval(hint).as_str().unwrap_or_default().to_string();
    assert!(text.ends_with('←') && !text.contains('→'), "{text:?}");
    let stage_before = xs(&tab, ".matrix-table tbody td[data-stage]");
    tab.eval(&format!("{wrap}.scrollLeft = -{wrap}.scrollWidth; new Promise(function (r) {{ setTimeout(r, 100); }})"));
    assert!(tab.eval(&format!("{wrap}.scrollLeft")).as_f64().unwrap() < -100.0, "scrolled towards the left");
    let aspect = xs(&tab, ".matrix-table tbody th[scope=row]");
    let stage_after = xs(&tab, ".matrix-table tbody td[data-stage]");
    assert!(
        aspect.1 <= frame.1 && aspect.1 > frame.1 - 3.0,
        "the first column stuck on the right: {aspect:?} {frame:?}"
    );
    assert!(stage_after.0 > stage_before.0 + 100.0, "the stage cells moved right: {stage_before:?} {stage_after:?}");
    assert_eq!(tab.eval(hint), "", "scrolled to the last column");

    // The phone menu: hidden off the right edge, slides in along it, no sideways scrolling.
    tab.goto(&file_url(&book.path("book/guide/start/index.html")));
    assert!(xs(&tab, "#sb-sidebar").0 >= 389.0, "closed drawer is off the right edge");
    tab.click("#sb-menu-toggle");
    tab.eval("new Promise(function (r) { setTimeout(r, 400); })");
    let drawer = xs(&tab, "#sb-sidebar");
    assert!((drawer.1 - 390.0).abs() < 1.0 && drawer.0 > 30.0, "open drawer along the right edge: {drawer:?}");
    assert!(tab.eval("document.scrollingElement.scrollWidth").as_u64().unwrap() <= 390);
    assert!(tab.console_errors().is_empty(), "{:?}", tab.console_errors());
}

/// The same checks on an English handbook: nothing moved.
#[test]
fn a_left_to_right_handbook_keeps_the_sidebar_on_the_left() {
    let Some(browser) = Browser::launch() else { return };
    let book = Book::fixture("basic");
    book.build_ok();
    let tab = browser.new_tab();
    tab.viewport(1280, 900, false).goto(&file_url(&book.path("book/guide/advanced/tuning/index.html")));
    assert_eq!(tab.eval("document.documentElement.dir"), "ltr");
    let sidebar = xs(&tab, "#sb-sidebar");
    let main = xs(&tab, "#content");
    assert!(sidebar.0.abs() < 1.0 && sidebar.1 < main.0, "sidebar on the left: {sidebar:?}, main {main:?}");
    let crumbs = tab.eval(
        "Array.from(document.querySelectorAll('.breadcrumbs li')).map(function (li) { return li.getBoundingClientRect().left; })",
    );
    let crumbs: Vec<f64> = crumbs.as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect();
    assert!(crumbs.len() >= 2 && crumbs.windows(2).all(|p| p[1] > p[0]), "left to right: {crumbs:?}");
    assert_eq!(tab.eval("getComputedStyle(document.querySelector('.breadcrumbs li + li'), '::before').scale"), "none");
}
