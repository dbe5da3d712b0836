//! Accessibility and phone layout of the bundled handbook in a real browser (opened from
//! `file://`): axe-core's WCAG 2.1 A and AA rules over one page of every kind the build
//! generates, light and dark, at desktop and phone width, and in the states a reader puts a
//! page in (team stage chosen, search dropdown open). Every page is also checked for sideways
//! overflow at each width.

mod common;
use common::browser::{self, Browser, Scheme, Tab};
use common::{file_url, Book};

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
    found.iter().map(|v| format!("{} ({})", v.id, v.targets.len())).collect::<Vec<_>>().join(", ")
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
    for entry in walk(&book.path("book")) {
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

/// The header search box's dropdown, open with results, light and dark, at both widths.
///
/// IGNORED UNTIL THE SEARCH BRANCH (i16-search) IS MERGED: its dropdown (search.js) nests the
/// result links inside `role=option` today, which axe reports as `nested-interactive` (8
/// options). The markup belongs to that branch; once it is merged, remove the `ignore` so this
/// runs in CI (`cargo test --test a11y -- --ignored` runs it now).
#[test]
#[ignore = "enable after merging i16-search (search dropdown markup: nested-interactive)"]
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
        tab.wait_for("document.querySelectorAll('#sb-search-list [role=option]').length > 2");
        check_both_schemes(&tab, width, "plain page", "search dropdown", &mut failures);
        assert!(tab.console_errors().is_empty(), "{:?}", tab.console_errors());
        tab.close();
    }
    assert!(failures.is_empty(), "axe found violations or the page overflowed:\n{}", failures.join("\n"));
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}
