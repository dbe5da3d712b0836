//! The interactive playbook in headless Chromium, from `file://`: matrix filters with their
//! state in the URL, stage comparison, "where are we?", saved ticks with export and import,
//! and the cost calculator. The tests click, type and choose as a reader would.

mod common;
use common::browser::{Browser, Tab};
use common::{file_url, Book};

/// A new tab showing `url`, once the page's scripts ran.
fn open<'b>(browser: &'b Browser, url: &str) -> Tab<'b> {
    let tab = browser.new_tab();
    tab.goto(url);
    tab
}

/// The opening tag of the element with `id`.
fn tag<'a>(dom: &'a str, id: &str) -> &'a str {
    let at = dom.find(&format!("id=\"{id}\"")).unwrap_or_else(|| panic!("#{id} not in page"));
    let start = dom[..at].rfind('<').unwrap();
    &dom[start..at + dom[at..].find('>').unwrap() + 1]
}

/// The whole element with `id` (up to its closing tag, assuming no nested tag of the same name).
fn element<'a>(dom: &'a str, id: &str) -> &'a str {
    let open = tag(dom, id);
    let start = dom.find(open).unwrap();
    let name = &open[1..open.find([' ', '>']).unwrap()];
    let end = start + dom[start..].find(&format!("</{name}>")).unwrap();
    &dom[start..end]
}

fn text_of(dom: &str, class: &str) -> String {
    let at = dom.find(&format!("class=\"{class}\"")).unwrap_or_else(|| panic!(".{class} not in page"));
    let rest = &dom[at + dom[at..].find('>').unwrap() + 1..];
    strip_tags(&rest[..rest.find("</p>").unwrap()])
}

fn strip_tags(html: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    for c in html.chars() {
        match c {
            '<' => inside = true,
            '>' => inside = false,
            c if !inside => out.push(c),
            _ => {}
        }
    }
    out.replace("&amp;", "&")
}

fn hidden(dom: &str, id: &str) -> bool {
    tag(dom, id).contains(" hidden")
}

#[test]
fn url_filters_hide_the_right_rows_columns_and_categories() {
    let Some(browser) = Browser::launch() else { return };
    let book = Book::fixture("matrix-generic");
    book.build_ok();
    let matrix = file_url(&book.path("book/matrix/index.html"));
    let tab = browser.new_tab();

    // Accent-insensitive text, one stage: only "Déploiement" has text at Seed and matches.
    let dom = tab.goto(&format!("{matrix}?stage=seed&q=deplo")).dom();
    assert!(!hidden(&dom, "deploiement") && hidden(&dom, "astreinte") && hidden(&dom, "fonctions"));
    assert_eq!(text_of(&dom, "filter-count"), "1 of 3 aspects");
    assert!(dom.contains("<mark class=\"hit\">Déplo</mark>iement"), "the match is highlighted");
    assert!(hidden(&dom, "produit"), "a category with no matching row is hidden");
    let head = element(&dom, "ops");
    assert!(head.contains("<th scope=\"col\" data-stage=\"seed\">"), "the chosen stage's column stays");
    assert!(head.contains("<th scope=\"col\" data-stage=\"serie-a\" hidden=\"\">"), "other columns hidden");

    // A category filter alone.
    let dom = tab.goto(&format!("{matrix}?category=produit")).dom();
    assert!(hidden(&dom, "deploiement") && hidden(&dom, "astreinte") && !hidden(&dom, "fonctions"));
    assert!(hidden(&dom, "ops") && !hidden(&dom, "produit"));
    assert_eq!(text_of(&dom, "filter-count"), "1 of 3 aspects");

    // Nothing matches: the empty state says what to clear.
    let dom = tab.goto(&format!("{matrix}?q=zzz&category=ops")).dom();
    assert_eq!(text_of(&dom, "filter-count"), "0 of 3 aspects");
    assert!(!hidden(&dom, "sb-filters"));
    let empty = text_of(&dom, "filter-empty");
    assert!(empty.contains("“zzz”") && empty.contains("category filter"), "{empty}");
}

#[test]
fn editing_the_filters_updates_the_url_and_the_count() {
    let Some(browser) = Browser::launch() else { return };
    let book = Book::fixture("matrix-generic");
    book.build_ok();
    let tab = open(&browser, &file_url(&book.path("book/matrix/index.html")));
    // Unfold the category list, tick "ops", then type in the text box.
    tab.click("#sb-filters details summary");
    tab.click("#sb-filters input[name=category][value=ops]");
    tab.click("#sb-filters input[name=q]").type_text("ROTATION");
    let search = tab.eval("location.search");
    let dom = tab.dom();
    assert_eq!(search, "?category=ops&q=ROTATION", "URL follows the filters: {}", tag(&dom, "sb-filters"));
    assert_eq!(text_of(&dom, "filter-count"), "1 of 3 aspects");
    assert!(!hidden(&dom, "astreinte") && hidden(&dom, "deploiement"));
    assert!(dom.contains("<mark class=\"hit\">Rotation</mark> simple"));
}

#[test]
fn comparison_shows_only_the_aspects_that_change() {
    let Some(browser) = Browser::launch() else { return };
    let book = Book::fixture("matrix-generic");
    book.build_ok();
    let matrix = file_url(&book.path("book/matrix/index.html"));
    // Seed → Série A: "Fonctions" stays "Une seule"; the other two change.
    let tab = open(&browser, &format!("{matrix}?compare=seed,serie-a"));
    let dom = tab.dom();
    assert!(!hidden(&dom, "deploiement") && !hidden(&dom, "astreinte") && hidden(&dom, "fonctions"));
    assert_eq!(text_of(&dom, "filter-count"), "2 of 3 aspects change from Seed to Série A");
    assert!(hidden(&dom, "produit"), "a category without changes is hidden");
    let ops = element(&dom, "ops");
    assert!(ops.contains("data-stage=\"scale-up\" hidden=\"\""), "only the two compared columns show");

    // The same through the controls: pick the stages, press the button; the URL follows.
    tab.goto(&matrix);
    tab.select("#sb-filters select[name=from]", "serie-a").select("#sb-filters select[name=to]", "scale-up");
    tab.click("#sb-filters button[name=compare]");
    let search = tab.eval("location.search");
    let dom = tab.dom();
    assert_eq!(text_of(&dom, "filter-count"), "3 of 3 aspects change from Série A to Scale-up");
    assert_eq!(search, "?compare=serie-a,scale-up");
    assert!(tag(&dom, "sb-filters").contains("sb-filters") && dom.contains("aria-pressed=\"true\""));
}

#[test]
fn where_are_we_marks_aspects_and_summarises_the_stage_on_the_home_page() {
    let Some(browser) = Browser::launch() else { return };
    let book = Book::fixture("matrix-generic");
    book.build_ok();
    // Pick "Série A" on the home page, as a reader would.
    let tab = open(&browser, &file_url(&book.path("book/index.html")));
    tab.select("#sb-where", "serie-a");
    let home = tab.dom();
    let summary = text_of(&home, "where-summary");
    assert!(
        summary.starts_with("Série A (stage 2 of 3): 2 aspects to build now, 1 done by now, 0 not yet."),
        "home summary: {summary}"
    );
    assert!(summary.contains("Open the Série A checklist"));

    // The matrix page, opened later in the same browser, remembers the stage and marks each aspect.
    let dom = tab.goto(&file_url(&book.path("book/matrix/index.html"))).dom();
    assert!(tag(&dom, "sb-where").contains("sb-where"));
    let mark = |id: &str| strip_tags(element(&dom, id).split("where-mark\">").nth(1).unwrap_or("none<"));
    assert!(mark("deploiement").starts_with("Build now"), "{}", mark("deploiement"));
    assert!(mark("fonctions").starts_with("Done by now"));
    assert!(element(&dom, "ops").contains("data-when=\"now\""), "the current stage's column is marked");

    // At Seed, the on-call aspect can wait until Série A.
    let tab = open(&browser, &file_url(&book.path("book/stages/seed/index.html")));
    tab.select("#sb-where", "seed");
    let dom = tab.dom();
    let item = strip_tags(element(&dom, "astreinte"));
    assert!(item.contains("Not yet: skip until Série A"), "{item}");
    assert!(text_of(&dom, "where-summary").contains("This is your stage"));
}

#[test]
fn exports_match_the_ticked_items_and_import_restores_them() {
    let Some(browser) = Browser::launch() else { return };
    let book = Book::fixture("matrix-generic");
    book.build_ok();
    let page = file_url(&book.path("book/stages/serie-a/index.html"));
    let downloads = tempfile::tempdir().unwrap();
    browser.allow_downloads(downloads.path());
    let tab = open(&browser, &page);
    tab.click("#check-deploiement").click("#check-jamais-sauvegardes");
    // Each export button downloads a file; its name and text are what the reader gets.
    let export = |kind: &str| {
        let (name, bytes) = browser.download(downloads.path(), || {
            tab.click(&format!("[data-export={kind}]"));
        });
        assert!(name.ends_with(&format!(".{kind}")), "suggested file name: {name}");
        String::from_utf8(bytes).unwrap()
    };
    let md = export("md");
    assert!(md.starts_with("# Série A: Croître\n"), "{md}");
    for line in [
        "## Opérations & <Ops>",
        "- [x] Déploiement: CI/CD",
        "- [ ] Astreinte: Rotation simple",
        "- [ ] Fonctions: Une seule",
        "## Jamais sans",
        "- [x] Sauvegardes testées",
        "- [ ] Suivi des erreurs",
    ] {
        assert!(md.lines().any(|l| l == line), "{line:?} in\n{md}");
    }
    assert_eq!(md.matches("- [x]").count(), 2);

    let csv = export("csv");
    assert!(csv.starts_with("group,item,key,done\n"));
    assert!(csv.contains("Opérations & <Ops>,Déploiement: CI/CD,aspect:deploiement:serie-a,yes\n"), "{csv}");
    assert!(csv.contains("aspect:astreinte:serie-a,no\n"));

    let json_text = export("json");
    let json: serde_json::Value = serde_json::from_str(&json_text).unwrap();
    assert_eq!(json["ticks"], serde_json::json!(["aspect:deploiement:serie-a", "checklist:jamais:sauvegardes"]));

    // A fresh browser: choose the JSON file to import, confirm, and the ticks are back.
    let file = downloads.path().join("progress.json");
    std::fs::write(&file, &json_text).unwrap();
    let fresh = Browser::launch().expect("a second browser");
    let tab = open(&fresh, &page);
    tab.answer_dialogs(true);
    tab.set_files(".progress-tools input[type=file]", &[&file]);
    let status = tab.wait_for(
        "(function () { var t = document.querySelector('.tool-status').textContent; return t.indexOf('Import') === 0 && t; })()",
    );
    assert!(status.as_str().unwrap().starts_with("Imported 2 ticks"), "{status}");
    assert!(tab.dialogs().iter().any(|d| d.starts_with("Import 2 ticks from progress.json?")), "{:?}", tab.dialogs());
    let again = tab.reload().dom();
    assert!(element(&again, "deploiement").contains("data-done=\"true\""));
    assert!(element(&again, "astreinte").contains("data-done=\"false\""));
    let progress = strip_tags(element(&again, "sb-page-progress"));
    assert!(progress.contains("2 / 5"), "{progress}");

    // Reset (confirmed) unticks everything.
    tab.click("[data-act=reset]");
    let dom = tab.dom();
    assert!(text_of(&dom, "tool-status").starts_with("Reset: 2 ticks removed"));
    assert!(!dom.contains("data-done=\"true\""));
}

#[test]
fn the_calculator_sums_the_bundled_ranges() {
    let Some(browser) = Browser::launch() else { return };
    let book = Book::bundled();
    book.build_ok();
    // Expected sums from the data file itself, for the first three stages.
    let data: toml::Value = toml::from_str(&book.read("content/matrix.toml")).unwrap();
    let stages = data["stage"].as_array().unwrap();
    // A range `[min, max]`; figures given in words ("nearly zero") have none.
    let range = |s: &toml::Value, k: &str| {
        let r = s.get("cost").and_then(|c| c.get(k)).and_then(|r| r.as_array())?;
        Some((r[0].as_integer().unwrap(), r[1].as_integer().unwrap()))
    };
    fn words<'a>(s: &'a toml::Value, k: &str) -> Option<&'a str> {
        s.get("cost").and_then(|c| c.get(k)).and_then(|r| r.as_str())
    }
    let sum = |k: &str| stages[..3].iter().filter_map(|s| range(s, k)).fold((0, 0), |(a, b), (x, y)| (a + x, b + y));
    let money = |v: i64| {
        let d = v.to_string();
        let mut s = String::from("$");
        for (i, c) in d.chars().enumerate() {
            if i > 0 && (d.len() - i) % 3 == 0 {
                s.push(',');
            }
            s.push(c);
        }
        s
    };
    let build = sum("build");
    // Durations in weeks or months: in one unit the sum is exact, mixed it is in weeks and "≈".
    let (weeks, months) = (sum("weeks"), sum("months"));
    let duration = if months == (0, 0) {
        format!("{}–{} weeks", weeks.0, weeks.1)
    } else if weeks == (0, 0) {
        format!("{}–{} months", months.0, months.1)
    } else {
        let w = |wk: i64, mo: i64| (wk as f64 + mo as f64 * 52.0 / 12.0).round() as i64;
        format!("≈ {}–{} weeks", w(weeks.0, months.0), w(weeks.1, months.1))
    };
    let ids: Vec<&str> = stages.iter().map(|s| s["id"].as_str().unwrap()).collect();
    let tab = open(&browser, &file_url(&book.path("book/stages/index.html")));
    tab.select("#sb-calc-to", ids[2]);
    let dom = tab.dom();
    let out = |id: &str| strip_tags(element(&dom, id));
    assert!(
        out("sb-calc-build").starts_with(&format!("{}–{}", money(build.0), money(build.1))),
        "{}",
        out("sb-calc-build")
    );
    assert_eq!(out("sb-calc-duration"), duration);
    let monthly: Vec<(i64, i64)> = stages[..3].iter().filter_map(|s| range(s, "monthly")).collect();
    let (lo, hi) = (monthly.iter().map(|r| r.0).min().unwrap(), monthly.iter().map(|r| r.1).max().unwrap());
    assert_eq!(out("sb-calc-monthly"), format!("from {}–{} a month", money(lo), money(hi)));
    // A monthly figure in words is named with its words, not counted.
    for s in stages[..3].iter().filter(|s| range(s, "monthly").is_none()) {
        let name = s["name"].as_str().unwrap();
        let named = match words(s, "monthly") {
            Some(w) => format!("monthly infrastructure of {name} (“{w}”)"),
            None => format!("monthly infrastructure of {name} (no range given)"),
        };
        assert!(out("sb-calc-missing").contains(&named), "{}", out("sb-calc-missing"));
    }

    // All stages: the ones without ranges are named, not counted as zero.
    let dom = tab.reload().dom();
    let missing = strip_tags(element(&dom, "sb-calc-missing"));
    for s in stages.iter().filter(|s| range(s, "build").is_none()) {
        assert!(missing.contains(s["name"].as_str().unwrap()), "{missing}");
    }
}
