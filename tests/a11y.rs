//! Accessibility and phone layout of the bundled handbook in a real browser (opened from
//! `file://`): axe-core's WCAG 2.1 A and AA rules over one page of every kind the build
//! generates, light and dark, at desktop and phone width, and in the states a reader puts a
//! page in (team stage chosen, search dropdown open). Every page is also checked for sideways
//! overflow at each width.

mod common;
use common::browser::{self, Browser, Scheme, Tab};
use common::{file_url, files_under, text_of, Book};

const WCAG21_AA: &[&str] = &["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];
const WIDTHS: [(u32, u32, bool); 2] = [(1280, 900, false), (390, 844, true)];

/// One page of each kind the build writes, with why it is in the list. The test also checks
/// that every `kind-*` body class of the build appears here, so a new kind cannot be missed.
const PAGES: &[(&str, &str)] = &[
    ("home", "index.html"),
    ("section", "mvp/index.html"),
    ("plain page", "mvp/never-skip/index.html"),
    ("page with data tables", "scaling/infrastructure-triggers/index.html"),
    ("page with code blocks", "organisation/readiness-review/index.html"),
    ("page with highlighted code", "zz-code-sample/index.html"),
    ("glossary", "reference/glossary/index.html"),
    ("faq", "reference/faq/index.html"),
    ("stages index (chart, calculator)", "stages/index.html"),
    ("first stage", "stages/poc/index.html"),
    ("middle stage", "stages/mvp/index.html"),
    ("last stage", "stages/1m/index.html"),
    ("matrix", "matrix/index.html"),
    ("category", "categories/security/index.html"),
    ("search page with results", "search/index.html?q=backups"),
    ("404", "404.html"),
];

/// A page with highlighted code (comments included), so axe checks the code colours of the
/// bundled `code_light` / `code_dark` themes. It lives only in the test's copy of the book.
const CODE_SAMPLE: &str = "+++\ntitle = \"Code sample\"\nweight = 9999\n+++\n\n\
Configuration and a script, as a handbook page would show them.\n\n\
```rust\n// Retry with backoff: a comment the reader must be able to read.\nfn retry(n: u32) -> u32 {\n    \
let s = \"text\"; /* block comment */\n    n * 2 + s.len() as u32\n}\n```\n\n\
```toml\n# a TOML comment\nkey = \"value\"\nnumber = 42\n```\n\n\
```sh\n# a shell comment\necho \"$HOME\" && ls -la\n```\n";

/// What one axe run found: the rule ids with their element counts.
fn summary(found: &[browser::Violation]) -> String {
    // The count, then the first few elements, so a failure says where to look.
    found
        .iter()
        .map(|v| {
            format!(
                "{} ({}: {})",
                v.id,
                v.targets.len(),
                v.targets.iter().take(3).cloned().collect::<Vec<_>>().join(" | ")
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Runs axe in both colour schemes on the tab's current state and checks the page does not
/// overflow sideways; prints one line per run and returns the failures.
fn check_both_schemes(tab: &Tab<'_>, width: u32, page: &str, state: &str, failures: &mut Vec<String>) {
    for scheme in [Scheme::Light, Scheme::Dark] {
        tab.color_scheme(scheme);
        let name = if matches!(scheme, Scheme::Light) { "light" } else { "dark" };
        let found = browser::axe(tab, WCAG21_AA);
        let scroll_width = tab.eval("document.scrollingElement.scrollWidth").as_u64().unwrap_or(u64::MAX);
        let overflow =
            if scroll_width > u64::from(width) { format!("; scrollWidth {scroll_width}") } else { String::new() };
        let line = format!(
            "{page:<34} {name:<5} {width:>4}px {state:<16} {} violations{}{overflow}",
            found.len(),
            if found.is_empty() { String::new() } else { format!(": {}", summary(&found)) }
        );
        eprintln!("{line}");
        for v in &found {
            eprintln!("    {} ({}): {} at {:?}", v.id, v.impact, v.help, v.targets);
        }
        if !found.is_empty() || !overflow.is_empty() {
            failures.push(line);
        }
    }
    tab.color_scheme(Scheme::Light);
}

#[test]
fn axe_finds_nothing_on_any_page_kind_in_either_scheme_at_desktop_and_phone_width() {
    let Some(browser) = Browser::launch() else { return };
    if !browser::axe_installed() {
        return;
    }
    let book = Book::bundled();
    book.write("content/zz-code-sample.md", CODE_SAMPLE);
    book.build_ok();
    let sample = book.read("book/zz-code-sample/index.html");
    assert!(sample.contains("class=\"hl-comment"), "the sample's comments are highlighted");

    // Every kind of page the build writes is in the list.
    let mut kinds = std::collections::BTreeSet::new();
    for entry in files_under(&book.path("book")) {
        if entry.extension().is_some_and(|e| e == "html") {
            let html = std::fs::read_to_string(&entry).unwrap();
            if let Some(at) = html.find("<body class=\"kind-") {
                let rest = &html[at + 18..];
                kinds.insert(rest[..rest.find('"').unwrap()].to_string());
            }
        }
    }
    let listed: std::collections::BTreeSet<String> = PAGES
        .iter()
        .map(|(_, p)| {
            let html = book.read(&format!("book/{}", p.split('?').next().unwrap()));
            let rest = &html[html.find("<body class=\"kind-").expect("body kind") + 18..];
            rest[..rest.find('"').unwrap()].to_string()
        })
        .collect();
    assert_eq!(kinds, listed, "one page of every kind is checked");

    let mut failures = Vec::new();
    let mut runs = 0;
    for (width, height, mobile) in WIDTHS {
        let tab = browser.new_tab();
        tab.viewport(width, height, mobile);
        for (what, page) in PAGES {
            let (path, query) = page.split_once('?').map_or((*page, ""), |(p, q)| (p, q));
            let url = format!(
                "{}{}{query}",
                file_url(&book.path(&format!("book/{path}"))),
                if query.is_empty() { "" } else { "?" }
            );
            tab.goto(&url);
            if path.starts_with("search/") {
                tab.wait_for("document.querySelector('#sb-sp-results li')");
            }
            check_both_schemes(&tab, width, what, "at load", &mut failures);
            runs += 2;
        }
        // The team's stage chosen: marks on every row and the team's column tinted.
        for (what, path) in [("matrix", "matrix/index.html"), ("middle stage", "stages/mvp/index.html")] {
            tab.goto(&file_url(&book.path(&format!("book/{path}"))));
            tab.select("#sb-where", "10k");
            tab.wait_for("document.querySelector('.where-mark')");
            check_both_schemes(&tab, width, what, "team at 10k", &mut failures);
            runs += 2;
        }
        assert!(tab.console_errors().is_empty(), "{:?}", tab.console_errors());
        tab.close();
    }
    eprintln!("{runs} axe runs, {} with findings", failures.len());
    assert!(failures.is_empty(), "axe found violations or the page overflowed:\n{}", failures.join("\n"));
}

/// A right-to-left handbook (the Arabic fixture): the mirrored layout keeps every rule, and
/// nothing overflows sideways (to the left, in this direction) at either width.
#[test]
fn axe_finds_nothing_in_a_right_to_left_handbook() {
    let Some(browser) = Browser::launch() else { return };
    if !browser::axe_installed() {
        return;
    }
    let book = Book::fixture("i18n-ar");
    book.build_ok();
    let mut failures = Vec::new();
    for (width, height, mobile) in WIDTHS {
        let tab = browser.new_tab();
        tab.viewport(width, height, mobile);
        for page in
            ["guide/operations/backups/index.html", "stages/index.html", "stages/mvp/index.html", "matrix/index.html"]
        {
            tab.goto(&file_url(&book.path(&format!("book/{page}"))));
            assert_eq!(tab.eval("document.documentElement.dir"), "rtl", "{page}");
            check_both_schemes(&tab, width, page, "right to left", &mut failures);
        }
        assert!(tab.console_errors().is_empty(), "{:?}", tab.console_errors());
        tab.close();
    }
    assert!(failures.is_empty(), "axe found violations or the page overflowed:\n{}", failures.join("\n"));
}

/// The header search box's dropdown, open with results, light and dark, at both widths.
///
/// IGNORED UNTIL THE SEARCH BRANCH (i16-search) IS MERGED: its dropdown (search.js) nests the
/// result links inside `role=option` today, which axe reports as `nested-interactive` (8
/// options). The markup belongs to that branch; once it is merged, remove the `ignore` so this
/// runs in CI (`cargo test --test a11y -- --ignored` runs it now).
#[test]
fn axe_finds_nothing_in_the_open_search_dropdown() {
    let Some(browser) = Browser::launch() else { return };
    if !browser::axe_installed() {
        return;
    }
    let book = Book::bundled();
    book.build_ok();
    let mut failures = Vec::new();
    for (width, height, mobile) in WIDTHS {
        let tab = browser.new_tab();
        tab.viewport(width, height, mobile);
        tab.goto(&file_url(&book.path("book/mvp/never-skip/index.html")));
        tab.focus("#sb-search-q").type_text("backup");
        tab.wait_for("document.querySelectorAll('#sb-search-list li').length > 2");
        check_both_schemes(&tab, width, "plain page", "search dropdown", &mut failures);
        assert!(tab.console_errors().is_empty(), "{:?}", tab.console_errors());
        tab.close();
    }
    assert!(failures.is_empty(), "axe found violations or the page overflowed:\n{}", failures.join("\n"));
}

/// The accessible name and description Chromium computes for the first element matching
/// `selector` (from its accessibility tree, as a screen reader gets them).
fn name_and_description(tab: &Tab<'_>, selector: &str) -> (String, String) {
    let root = tab.call("DOM.getDocument", serde_json::json!({ "depth": 0 })).unwrap();
    let node = tab
        .call("DOM.querySelector", serde_json::json!({ "nodeId": root["root"]["nodeId"], "selector": selector }))
        .unwrap();
    assert_ne!(node["nodeId"], serde_json::json!(0), "nothing matches {selector}");
    let ax = tab
        .call(
            "Accessibility.getPartialAXTree",
            serde_json::json!({ "nodeId": node["nodeId"], "fetchRelatives": false }),
        )
        .unwrap();
    let first = &ax["nodes"][0];
    let text =
        |k: &str| first[k]["value"].as_str().unwrap_or_default().split_whitespace().collect::<Vec<_>>().join(" ");
    (text("name"), text("description"))
}

/// Every scroll box the build writes (wide tables, markdown tables, code) can take keyboard
/// focus and, when it is a region, has a name; read-only task boxes are named.
#[test]
fn scroll_boxes_are_focusable_and_named_in_every_page() {
    let book = Book::bundled();
    book.write(
        "content/zz-code-sample.md",
        format!("{CODE_SAMPLE}\n| a | b |\n|---|---|\n| 1 | 2 |\n\n- [ ] open\n- [x] closed\n"),
    );
    book.build_ok();
    let (mut wraps, mut pres, mut tasks) = (0, 0, 0);
    for path in files_under(&book.path("book")) {
        if path.extension().is_none_or(|e| e != "html") {
            continue;
        }
        let html = std::fs::read_to_string(&path).unwrap();
        for tag in html.split('<').filter(|t| t.starts_with("div class=\"table-wrap")) {
            let tag = &tag[..tag.find('>').unwrap()];
            assert!(tag.contains(" tabindex=\"0\" role=\"region\" aria-label=\""), "{}: <{tag}>", path.display());
            assert!(!tag.contains("aria-label=\"\""), "{}: <{tag}>", path.display());
            wraps += 1;
        }
        for tag in html.split('<').filter(|t| t.starts_with("pre class=\"code")) {
            assert!(tag[..tag.find('>').unwrap()].contains(" tabindex=\"0\""), "{}: <{tag}>", path.display());
            pres += 1;
        }
        for tag in html.split('<').filter(|t| t.starts_with("input disabled=\"\" type=\"checkbox\"")) {
            assert!(tag.contains(" aria-label=\""), "{}: <{tag}>", path.display());
            tasks += 1;
        }
    }
    assert!(wraps > 40 && pres > 3 && tasks > 20, "tables {wraps}, code blocks {pres}, task boxes {tasks}");
}

#[test]
fn playbook_checkboxes_name_aspect_and_stage_and_describe_the_requirement() {
    let Some(browser) = Browser::launch() else { return };
    let book = Book::bundled();
    book.build_ok();
    let html = book.read("book/stages/mvp/index.html");
    let tab = browser.new_tab();
    tab.goto(&file_url(&book.path("book/stages/mvp/index.html")));
    let boxes = tab.eval("Array.from(document.querySelectorAll('.stage-items input[type=checkbox]')).map(function (b) { return '#' + b.id; })");
    let boxes = boxes.as_array().expect("a list");
    assert!(boxes.len() > 50, "{boxes:?}");
    for sel in boxes.iter().map(|b| b.as_str().unwrap()).step_by(10) {
        let id = &sel[1..];
        // The requirement text as the page shows it, from the built HTML.
        let item = &html[html.find(&format!("id=\"{id}\"")).unwrap()..];
        let cell = &item[item.find("class=\"cell-now\"").unwrap()..];
        let cell = &cell[cell.find("</span>").unwrap() + 7..cell.find("</p>").unwrap()];
        let cell_text: String = text_of(cell).split_whitespace().collect::<Vec<_>>().join(" ");
        let aspect = &item[item.find("class=\"check-name\">").unwrap() + 19..];
        let aspect = text_of(&aspect[..aspect.find('<').unwrap()]);
        let (name, description) = name_and_description(&tab, sel);
        assert_eq!(name, format!("{aspect} at MVP"), "{sel}");
        assert!(description.contains(&cell_text), "{sel}: description {description:?} lacks {cell_text:?}");
    }
    // The filter's text box has a real label.
    let (name, _) = name_and_description(&tab, "#sb-filter-q");
    assert!(name.eq_ignore_ascii_case("Filter by text"), "{name}"); // shown in capitals by CSS
    assert_eq!(tab.eval("document.getElementById('sb-filter-q').labels.length"), serde_json::json!(1));
}

#[test]
fn the_teams_stage_column_is_tinted_in_the_matrix_in_light_and_dark() {
    let Some(browser) = Browser::launch() else { return };
    let book = Book::bundled();
    book.build_ok();
    let tab = browser.new_tab();
    tab.viewport(1280, 900, false).goto(&file_url(&book.path("book/matrix/index.html")));
    assert_eq!(
        tab.eval("document.querySelectorAll('[data-team]').length"),
        serde_json::json!(0),
        "no stage chosen yet"
    );
    tab.select("#sb-where", "10k");
    let counts = tab.eval(
        "[document.querySelectorAll('td[data-stage=\"10k\"][data-team]').length, \
          document.querySelectorAll('td[data-stage=\"10k\"]').length, \
          document.querySelectorAll('th[data-stage=\"10k\"][data-team]').length, \
          document.querySelectorAll('[data-team]:not([data-stage=\"10k\"])').length]",
    );
    let c: Vec<u64> = counts.as_array().unwrap().iter().map(|v| v.as_u64().unwrap()).collect();
    assert!(c[0] > 50 && c[0] == c[1], "every cell of the column is marked: {c:?}");
    assert!(c[2] > 0 && c[3] == 0, "its header too, and nothing else: {c:?}");
    let colours = "(function () { var t = document.querySelector('tbody tr:nth-child(odd) td[data-team]'); \
        var o = t.parentNode.querySelector('td:not([data-team])'); \
        return [getComputedStyle(t).backgroundColor, getComputedStyle(o).backgroundColor]; })()";
    for scheme in [Scheme::Light, Scheme::Dark] {
        tab.color_scheme(scheme);
        let pair = tab.eval(colours);
        assert_ne!(pair[0], pair[1], "the team's column stands out: {pair}");
        // Its text stays readable on the tint (axe's colour contrast rule, this table only).
        let found = browser::axe_in(&tab, ".matrix-table", &["wcag2aa"]);
        assert!(found.iter().all(|v| v.id != "color-contrast"), "{found:?}");
    }
    // Choosing another stage moves the tint.
    tab.select("#sb-where", "poc");
    assert_eq!(
        tab.eval("document.querySelectorAll('td[data-team]:not([data-stage=\"poc\"])').length"),
        serde_json::json!(0)
    );
}

#[test]
fn on_a_phone_the_matrix_shows_one_stage_at_a_time_and_the_cost_chart_stacks() {
    let Some(browser) = Browser::launch() else { return };
    let book = Book::bundled();
    book.build_ok();
    let matrix = file_url(&book.path("book/matrix/index.html"));
    let tab = browser.new_tab();
    // Desktop: no stage picker; the whole table fits, no hint.
    tab.viewport(1280, 900, false).goto(&matrix);
    assert_eq!(tab.eval("getComputedStyle(document.querySelector('.filter-one')).display"), "none");
    assert_eq!(tab.eval("document.querySelectorAll('.more-cols:not([hidden])').length"), serde_json::json!(0));
    // Phone: the table scrolls sideways and says so with a shadow; a stage picker is offered.
    tab.viewport(390, 844, true).reload();
    let wrap = "document.querySelector('.matrix-wrap')";
    assert_eq!(tab.eval(&format!("{wrap}.scrollWidth > {wrap}.clientWidth + 100")), serde_json::json!(true));
    let background = tab.eval(&format!("getComputedStyle({wrap}).backgroundImage"));
    assert!(background.as_str().unwrap().matches("gradient").count() == 4, "scroll shadows: {background}");
    // ... and a hint above it counts the stage columns out of view; scrolled to the end, none.
    let hint =
        "(function () { var h = document.querySelector('.more-cols'); return h.hidden ? '' : h.textContent; })()";
    let text = tab.eval(hint).as_str().unwrap().to_string();
    let beyond = tab.eval(&format!(
        "Array.from({wrap}.querySelectorAll('thead th[data-stage]')).filter(function (th) {{ \
         return th.getBoundingClientRect().right > {wrap}.getBoundingClientRect().right + 2; }}).length"
    ));
    assert!((1..5).contains(&beyond.as_u64().unwrap()), "{beyond}");
    let want = if beyond == 1 { "1 more stage →".to_string() } else { format!("{beyond} more stages →") };
    assert_eq!(text, want);
    tab.eval(&format!("{wrap}.scrollLeft = {wrap}.scrollWidth; new Promise(function (r) {{ setTimeout(r, 100); }})"));
    assert_eq!(tab.eval(hint), "", "scrolled to the last column");
    assert_ne!(tab.eval("getComputedStyle(document.querySelector('.filter-one')).display"), "none");
    tab.select("#sb-filter-one", "mvp");
    assert_eq!(tab.eval(hint), "", "one stage: nothing out of view");
    let shown = tab.eval(
        "[document.querySelectorAll('tbody tr:not([hidden]) td[data-stage]:not([hidden])').length, \
          document.querySelectorAll('tbody tr:not([hidden]) td[data-stage=\"mvp\"]:not([hidden])').length, \
          document.querySelectorAll('tbody tr:not([hidden])').length]",
    );
    assert!(shown[0].as_u64().unwrap() > 50 && shown[0] == shown[1], "only the MVP column: {shown}");
    // (Aspects with no requirement at MVP are filtered out with their row.)
    assert_eq!(shown[1], shown[2], "one MVP cell per aspect row shown: {shown}");
    assert_eq!(
        tab.eval(&format!("{wrap}.scrollWidth <= {wrap}.clientWidth")),
        serde_json::json!(true),
        "nothing to scroll"
    );
    assert!(tab.eval("location.search").as_str().unwrap().contains("stage=mvp"));
    // The view is in the URL: a reload (from file://) shows the same stage.
    tab.reload();
    assert_eq!(tab.eval("document.getElementById('sb-filter-one').value"), "mvp");
    assert_eq!(
        tab.eval("document.querySelectorAll('td[data-stage=\"poc\"]:not([hidden])').length"),
        serde_json::json!(0)
    );
    // Back to every stage.
    tab.select("#sb-filter-one", "");
    assert_eq!(tab.eval("document.querySelectorAll('td[data-stage][hidden]').length"), serde_json::json!(0));
    assert!(tab.console_errors().is_empty(), "{:?}", tab.console_errors());

    // The cost chart: side by side on a desktop, stacked on a phone, never wider than the screen.
    let stages = file_url(&book.path("book/stages/index.html"));
    let boxes = "Array.from(document.querySelectorAll('svg.cost-chart')).map(function (s) { \
        var r = s.getBoundingClientRect(); return [r.top, r.bottom, r.right]; })";
    tab.viewport(1280, 900, false).goto(&stages);
    let wide = tab.eval(boxes);
    assert_eq!(wide.as_array().unwrap().len(), 2, "{wide}");
    assert_eq!(wide[0][0], wide[1][0], "side by side: {wide}");
    tab.viewport(390, 844, true).reload();
    let narrow = tab.eval(boxes);
    assert!(narrow[1][0].as_f64().unwrap() >= narrow[0][1].as_f64().unwrap(), "stacked: {narrow}");
    assert!(narrow.as_array().unwrap().iter().all(|b| b[2].as_f64().unwrap() <= 390.0), "{narrow}");
    assert!(tab.eval("document.scrollingElement.scrollWidth").as_u64().unwrap() <= 390);
}
