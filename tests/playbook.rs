//! The interactive playbook in headless Chromium, from `file://`: matrix filters with their
//! state in the URL, stage comparison, "where are we?", saved ticks with export and import,
//! and the cost calculator. The tests click, type and choose as a reader would. The fixture
//! `matrix-generic` is a French handbook: its scripts speak French (static/strings.js).

mod common;
use common::browser::{Browser, Tab};
use common::{file_url, Book};

/// A new tab showing `url`, once the page's scripts ran.
fn open<'b>(browser: &'b Browser, url: &str) -> Tab<'b> {
    let tab = browser.new_tab();
    tab.goto(url);
    tab
}

/// Loads `url` in `tab` and waits until the page shows the team's stage `stage`, chosen on an
/// earlier page.
///
/// The stage is kept in localStorage, which each renderer process caches: a write reaches
/// another process's pages later, through a storage event (where.js then marks them again).
/// A page that has not caught up marks the aspects for the stage chosen before, and choosing
/// the new stage on a page that already shows it writes the same value again, which changes
/// nothing and is not passed on, so the older stage can arrive afterwards and win. One tab
/// keeps the pages in one process; the wait covers a navigation that changes process.
fn goto_at_stage(tab: &Tab, url: &str, stage: &str) {
    tab.goto(url);
    let want = serde_json::to_string(stage).unwrap();
    tab.try_wait_for(&format!("document.getElementById('sb-where').value === {want}"), common::browser::WAIT)
        .unwrap_or_else(|e| panic!("{url} does not show the stage {stage} chosen before: {e}"));
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
    common::text_of(&rest[..rest.find("</p>").unwrap()])
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
    assert_eq!(text_of(&dom, "filter-count"), "1 sur 5 aspects");
    assert!(dom.contains("<mark class=\"hit\">Déplo</mark>iement"), "the match is highlighted");
    assert!(hidden(&dom, "produit"), "a category with no matching row is hidden");
    let head = element(&dom, "ops");
    assert!(head.contains("<th scope=\"col\" data-stage=\"seed\">"), "the chosen stage's column stays");
    assert!(head.contains("<th scope=\"col\" data-stage=\"serie-a\" hidden=\"\">"), "other columns hidden");

    // A category filter alone.
    let dom = tab.goto(&format!("{matrix}?category=produit")).dom();
    assert!(hidden(&dom, "deploiement") && hidden(&dom, "astreinte") && !hidden(&dom, "fonctions"));
    assert!(hidden(&dom, "ops") && !hidden(&dom, "produit"));
    assert_eq!(text_of(&dom, "filter-count"), "3 sur 5 aspects");

    // Nothing matches: the empty state says what to clear.
    let dom = tab.goto(&format!("{matrix}?q=zzz&category=ops")).dom();
    assert_eq!(text_of(&dom, "filter-count"), "0 sur 5 aspects");
    assert!(!hidden(&dom, "sb-filters"));
    let empty = text_of(&dom, "filter-empty");
    assert!(empty.contains("«&nbsp;zzz&nbsp;»") && empty.contains("filtre de catégorie"), "{empty}");
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
    assert_eq!(text_of(&dom, "filter-count"), "1 sur 5 aspects");
    assert!(!hidden(&dom, "astreinte") && hidden(&dom, "deploiement"));
    assert!(dom.contains("<mark class=\"hit\">Rotation</mark> simple"));
}

#[test]
fn comparison_shows_only_the_aspects_that_change() {
    let Some(browser) = Browser::launch() else { return };
    let book = Book::fixture("matrix-generic");
    book.build_ok();
    let matrix = file_url(&book.path("book/matrix/index.html"));
    // Seed → Série A: "Fonctions" stays "Une seule" and "Paiement" asks nothing at either
    // ("n/a"); "Déploiement" changes, "Astreinte" is new (empty before), "Prototype" dropped.
    let tab = open(&browser, &format!("{matrix}?compare=seed,serie-a"));
    let dom = tab.dom();
    assert!(!hidden(&dom, "deploiement") && !hidden(&dom, "astreinte") && !hidden(&dom, "prototype"));
    assert!(hidden(&dom, "fonctions") && hidden(&dom, "paiement"));
    assert_eq!(
        text_of(&dom, "filter-count"),
        "3 sur 5 aspects changent de Seed à Série A&nbsp;: 1 nouveau à Série A, 1 modifié, 1 abandonné\u{202f}; 2 inchangés"
    );
    let mark = |id: &str| {
        let rest = element(&dom, id).split("class=\"compare-mark\"").nth(1).unwrap_or(">none");
        common::text_of(&rest[rest.find('>').unwrap() + 1..])
    };
    assert!(mark("astreinte").starts_with("Nouveau à Série A"), "{}", mark("astreinte"));
    assert!(mark("prototype").starts_with("Abandonné à Série A"), "{}", mark("prototype"));
    assert!(mark("deploiement").starts_with("Modifié"), "{}", mark("deploiement"));
    let ops = element(&dom, "ops");
    assert!(ops.contains("data-stage=\"scale-up\" hidden=\"\""), "only the two compared columns show");

    // The same through the controls: pick the stages, press the button; the URL follows.
    tab.goto(&matrix);
    tab.select("#sb-filters select[name=from]", "serie-a").select("#sb-filters select[name=to]", "scale-up");
    tab.click("#sb-filters button[name=compare]");
    let search = tab.eval("location.search");
    let dom = tab.dom();
    assert_eq!(
        text_of(&dom, "filter-count"),
        "4 sur 5 aspects changent de Série A à Scale-up&nbsp;: 1 nouveau à Scale-up, 3 modifiés, 0 abandonné\u{202f}; 1 inchangé"
    );
    assert_eq!(search, "?compare=serie-a,scale-up");
    assert!(tag(&dom, "sb-filters").contains("sb-filters") && dom.contains("aria-pressed=\"true\""));

    // Nothing changes between a stage and itself: every category is hidden, and the page says why.
    let dom = tab.goto(&format!("{matrix}?compare=serie-a,serie-a")).dom();
    assert!(hidden(&dom, "ops") && hidden(&dom, "produit"), "a category without changes is hidden");
    assert_eq!(text_of(&dom, "filter-empty"), "Rien ne change de Série A à Série A.");
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
        summary.starts_with(
            "Série A (étape 2 sur 3)&nbsp;: 2 aspects à construire maintenant, 1 déjà fait, 2 pas encore."
        ),
        "home summary: {summary}"
    );
    assert!(summary.contains("Ouvrir la liste de contrôle de Série A"));

    // The matrix page, opened later in the same browser, remembers the stage and marks each aspect.
    goto_at_stage(&tab, &file_url(&book.path("book/matrix/index.html")), "serie-a");
    let dom = tab.dom();
    assert!(tag(&dom, "sb-where").contains("sb-where"));
    let mark = |id: &str| common::text_of(element(&dom, id).split("where-mark\">").nth(1).unwrap_or("none<"));
    assert!(mark("deploiement").starts_with("À faire maintenant"), "{}", mark("deploiement"));
    assert!(mark("fonctions").starts_with("Déjà fait"));
    assert!(element(&dom, "ops").contains("data-when=\"now\""), "the current stage's column is marked");

    // At Seed, the on-call aspect can wait until Série A.
    goto_at_stage(&tab, &file_url(&book.path("book/stages/seed/index.html")), "serie-a");
    tab.select("#sb-where", "seed");
    let dom = tab.dom();
    let item = common::text_of(element(&dom, "astreinte"));
    assert!(item.contains("Pas encore&nbsp;: attendre Série A"), "{item}");
    assert!(text_of(&dom, "where-summary").contains("C'est votre étape"));
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
    assert!(!md.contains("Kubernetes") && !md.contains("Prototype"), "no task for a reference list or an n/a cell");

    let csv = export("csv");
    assert!(csv.starts_with("groupe,élément,clé,fait\n"), "{csv}");
    assert!(csv.contains("Opérations & <Ops>,Déploiement: CI/CD,aspect:deploiement:serie-a,oui\n"), "{csv}");
    assert!(csv.contains("aspect:astreinte:serie-a,non\n"));

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
        "(function () { var t = document.querySelector('.progress-tools .tool-status').textContent; return t.indexOf('progress.json') >= 0 && t; })()",
    );
    assert!(status.as_str().unwrap().starts_with("2 cases cochées importées depuis progress.json"), "{status}");
    assert!(
        tab.dialogs().iter().any(|d| d.starts_with("Importer 2 cases cochées depuis progress.json\u{202f}?")),
        "{:?}",
        tab.dialogs()
    );
    let again = tab.reload().dom();
    assert!(element(&again, "deploiement").contains("data-done=\"true\""));
    assert!(element(&again, "astreinte").contains("data-done=\"false\""));
    let progress = common::text_of(element(&again, "sb-page-progress"));
    assert!(progress.contains("2 / 5"), "{progress}");

    // Reset (confirmed) unticks everything.
    tab.click("[data-act=reset]");
    let dom = tab.dom();
    assert!(text_of(&dom, "tool-status").starts_with("Réinitialisé&nbsp;: 2 cases décochées"));
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
            if i > 0 && (d.len() - i).is_multiple_of(3) {
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
    let out = |id: &str| common::text_of(element(&dom, id));
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
    let missing = common::text_of(element(&dom, "sb-calc-missing"));
    for s in stages.iter().filter(|s| range(s, "build").is_none()) {
        assert!(missing.contains(s["name"].as_str().unwrap()), "{missing}");
    }
}

/// What the data file says of each aspect, stage by stage: its cell texts (`None` for an
/// empty one) and whether the cell asks anything (`none_text` and empty cells ask nothing).
struct Asks {
    stages: Vec<String>,
    names: Vec<String>,
    /// Per aspect: per stage, the cell text if it states a requirement.
    cells: Vec<Vec<Option<String>>>,
}

impl Asks {
    fn of(book: &Book) -> Asks {
        let data: toml::Value = toml::from_str(&book.read("content/matrix.toml")).unwrap();
        let none = data["matrix"].get("none_text").and_then(|n| n.as_str()).map(str::to_string);
        let stages: Vec<String> =
            data["stage"].as_array().unwrap().iter().map(|s| s["id"].as_str().unwrap().to_string()).collect();
        let names = data["stage"].as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap().to_string()).collect();
        let cells = data["aspect"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| {
                stages
                    .iter()
                    .map(|s| {
                        a.get("cells")
                            .and_then(|c| c.get(s))
                            .and_then(|c| c.as_str())
                            .filter(|c| Some(c.trim()) != none.as_deref())
                            .map(str::to_string)
                    })
                    .collect()
            })
            .collect();
        Asks { stages, names, cells }
    }

    fn at(&self, id: &str) -> usize {
        self.stages.iter().position(|s| s == id).unwrap()
    }

    /// Aspects with a requirement at stage `s`.
    fn required(&self, s: usize) -> usize {
        self.cells.iter().filter(|a| a[s].is_some()).count()
    }

    /// Aspects whose requirement is new or changed at stage `s` ("Build now" there).
    fn new_at(&self, s: usize) -> usize {
        self.cells.iter().filter(|a| a[s].is_some() && (s == 0 || a[s - 1] != a[s])).count()
    }
}

/// Counts the "where are we?" marks on the page by their text (prefix).
fn marks(tab: &Tab, prefix: &str) -> usize {
    let p = serde_json::to_string(prefix).unwrap();
    tab.eval(&format!(
        "[...document.querySelectorAll('.where-mark')].filter(m => m.textContent.startsWith({p})).length"
    ))
    .as_u64()
    .unwrap() as usize
}

/// The scenario: a team at 10k reading the MVP page saw 97 "Build now" marks beside a
/// summary saying the stage is behind it. Marks now compare the page's stage with the team's,
/// and the summary counts the same marks.
#[test]
fn stage_pages_mark_aspects_against_the_team_stage_and_agree_with_the_summary() {
    let Some(browser) = Browser::launch() else { return };
    let book = Book::bundled();
    book.build_ok();
    let asks = Asks::of(&book);
    let (mvp, tenk, last) = (asks.at("mvp"), asks.at("10k"), asks.stages.len() - 1);
    let page = |id: &str| file_url(&book.path(&format!("book/stages/{id}/index.html")));

    // Team at 10k, reading MVP (behind it): no "Build now"; every requirement of MVP should be
    // done by now, and the summary says how many.
    let tab = open(&browser, &page("mvp"));
    tab.select("#sb-where", "10k");
    assert_eq!(marks(&tab, "Build now"), 0);
    let done = asks.required(mvp);
    assert_eq!(marks(&tab, "Should be done by now"), done);
    assert_eq!(tab.eval("document.querySelectorAll('.where-mark').length").as_u64().unwrap() as usize, done);
    let summary = text_of(&tab.dom(), "where-summary");
    assert!(
        summary.contains(&format!("MVP is behind you: its {done} requirements should be done by now")),
        "{summary}"
    );
    assert!(summary.contains(&format!("{} aspects ask nothing at MVP", asks.cells.len() - done)), "{summary}");

    // Team at MVP, reading the last stage (ahead of it): nothing to build now; each requirement
    // names the first stage after MVP that asks for it.
    goto_at_stage(&tab, &page(&asks.stages[last]), "10k"); // the stage is remembered
    tab.select("#sb-where", "mvp");
    assert_eq!(marks(&tab, "Build now"), 0);
    let firsts: Vec<String> = asks
        .cells
        .iter()
        .filter(|a| a[last].is_some())
        .map(|a| {
            let first = (mvp + 1..=last).find(|&s| a[s].is_some() && a[s - 1] != a[s]);
            first.map_or("Same as at MVP".to_string(), |s| format!("Not yet: from {}", asks.names[s]))
        })
        .collect();
    let shown: Vec<String> = serde_json::from_value(
        tab.eval("[...document.querySelectorAll('[data-aspect] .where-mark')].map(m => m.textContent)"),
    )
    .unwrap();
    let (mut a, mut b) = (firsts.clone(), shown.clone());
    a.sort();
    b.sort();
    assert_eq!(a, b, "one mark per requirement, naming where it starts");
    assert!(shown.iter().any(|m| m.starts_with("Not yet: from")));
    let summary = text_of(&tab.dom(), "where-summary");
    let later = firsts.iter().filter(|m| m.starts_with("Not yet")).count();
    assert!(summary.contains(&format!("is ahead of you: {later} aspects not yet")), "{summary}");

    // Team at 10k on its own page: "Build now" exactly for what is new or changed at 10k,
    // never beside a cell that asks nothing.
    goto_at_stage(&tab, &page("10k"), "mvp");
    tab.select("#sb-where", "10k");
    let build = asks.new_at(tenk);
    assert_eq!(marks(&tab, "Build now"), build);
    let summary = text_of(&tab.dom(), "where-summary");
    assert!(summary.contains(&format!(": {build} aspects to build now")), "{summary}");
    let beside_none =
        tab.eval("[...document.querySelectorAll('[data-when=now]')].filter(r => r.dataset.states[2] === 'e').length");
    assert_eq!(beside_none, 0);

    // The matrix page keeps per-column marks: the team's column, the same counts as the summary.
    goto_at_stage(&tab, &file_url(&book.path("book/matrix/index.html")), "10k");
    assert_eq!(marks(&tab, "Build now"), build);
    assert!(text_of(&tab.dom(), "where-summary").contains(&format!("{build} aspects to build now")));
}

/// A cell reading the matrix's `none_text` ("n/a" here) asks nothing: no checkbox, no count,
/// never "Build now"; a reference list is a plain list; saved ticks of boxes that no longer
/// exist are ignored by every counter and stay saved.
#[test]
fn no_requirement_cells_and_reference_lists_have_no_boxes_and_old_ticks_are_kept() {
    let Some(browser) = Browser::launch() else { return };
    let book = Book::fixture("matrix-generic");
    book.build_ok();
    let seed = file_url(&book.path("book/stages/seed/index.html"));
    let tab = open(&browser, &seed);
    let dom = tab.dom();
    assert!(element(&dom, "prototype").contains("data-key=\"aspect:prototype:seed\""));
    let paiement = element(&dom, "paiement");
    assert!(
        !paiement.contains("<input") && paiement.contains("n/a") && paiement.contains("aucune exigence"),
        "{paiement}"
    );
    let list = element(&dom, "plus-tard");
    assert!(
        list.contains("class=\"reference-list\"") && list.contains("Kubernetes") && !list.contains("<input"),
        "{list}"
    );
    assert!(!list.contains("progress-count"), "a reference list has no counter");
    // Seed: Déploiement, Fonctions, Prototype and the two items of "Jamais sans".
    assert!(common::text_of(element(&dom, "sb-page-progress")).contains("0 / 5"));

    // Ticks saved earlier for boxes that are gone (an n/a cell, a reference item) plus one
    // real tick.
    let prefix = format!("stagebook:{}:", tab.eval("document.documentElement.dataset.book").as_str().unwrap());
    let stale = ["aspect:paiement:seed", "checklist:plus-tard:kubernetes"];
    for key in stale.iter().chain(&["aspect:deploiement:seed"]) {
        tab.eval(&format!("localStorage.setItem({:?}, '1')", format!("{prefix}{key}")));
    }
    tab.eval(&format!("localStorage.setItem({:?}, 'seed')", format!("{prefix}where")));
    let dom = tab.reload().dom();
    assert!(
        common::text_of(element(&dom, "sb-page-progress")).contains("1 / 5"),
        "{}",
        element(&dom, "sb-page-progress")
    );
    let summary = text_of(&dom, "where-summary");
    assert!(summary.contains("Cochés pour Seed&nbsp;: 1 / 5."), "{summary}");
    // The team's own page: "Paiement" waits until the stage that first asks for it.
    assert!(common::text_of(element(&dom, "paiement")).contains("Pas encore&nbsp;: attendre Scale-up"));
    assert!(!common::text_of(element(&dom, "paiement")).contains("À faire maintenant"));
    assert!(summary.contains("&nbsp;: 3 aspects à construire maintenant, 0 déjà fait, 2 pas encore."), "{summary}");

    // The stages page counts the same way, and every saved key is still there.
    let dom = tab.goto(&file_url(&book.path("book/stages/index.html"))).dom();
    let li = element(&dom, "sb-calc-title"); // the page is rendered
    assert!(!li.is_empty());
    let at = dom.find("data-stage-progress=\"seed\"").unwrap();
    let counter = common::text_of(&dom[at..at + dom[at..].find("</li>").unwrap()]);
    assert!(counter.contains("1 / 5"), "{counter}");
    for key in stale {
        assert_eq!(tab.eval(&format!("localStorage.getItem({:?})", format!("{prefix}{key}"))), "1", "{key} kept");
    }
}

/// A stage page a team can work through: the stage card, then its checklists (the first box
/// above the fold at 1280×900), then what is new or changed, then the rest folded; a sticky bar
/// with the page's count and Export/Print; the previous stage's cell on the inline-start side.
#[test]
fn the_stage_page_starts_with_its_checklists_and_folds_what_carries_over() {
    let Some(browser) = Browser::launch() else { return };
    let book = Book::bundled();
    book.build_ok();
    let asks = Asks::of(&book);
    let mvp = asks.at("mvp");
    let data: toml::Value = toml::from_str(&book.read("content/matrix.toml")).unwrap();
    let items: usize = data["checklist"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["stages"].as_array().unwrap().iter().any(|s| s.as_str() == Some("mvp")))
        .filter(|c| c.get("kind").and_then(|k| k.as_str()) != Some("reference"))
        .map(|c| c["item"].as_array().unwrap().len())
        .sum();
    let boxes = asks.required(mvp) + items;
    let unchanged = asks.cells.iter().filter(|a| a[mvp] == a[mvp - 1]).count();

    let tab = browser.new_tab();
    tab.viewport(1280, 900, false);
    tab.goto(&file_url(&book.path("book/stages/mvp/index.html")));
    let fold = "(function () { var b = document.querySelector('main input[type=checkbox][data-key]'); \
                var r = b.getBoundingClientRect(); return [r.top, r.bottom, innerHeight, !!b.closest('.checklist')]; })()";
    let first = tab.eval(fold);
    assert!(first[1].as_f64().unwrap() <= first[2].as_f64().unwrap() && first[0].as_f64().unwrap() > 0.0, "{first}");
    assert_eq!(first[3], true, "the first box is a checklist item");
    tab.select("#sb-where", "10k");
    let chosen = tab.eval(fold);
    assert!(chosen[1].as_f64().unwrap() <= 900.0, "still above the fold with a stage chosen: {chosen}");

    // The order on the page, top to bottom.
    let tops: Vec<f64> = serde_json::from_value(tab.eval(
        "['.stage-card', '.stage-toc', '#sb-stage-bar', '#checklists', '#build', '#unchanged', 'details.stage-more', '#costs', '.progress-tools']\
         .map(s => document.querySelector(s).getBoundingClientRect().top + scrollY)",
    ))
    .unwrap();
    assert!(tops.windows(2).all(|w| w[0] < w[1]), "{tops:?}");
    // Checklists in data order; the reference list is plain.
    let lists: Vec<String> =
        serde_json::from_value(tab.eval("[...document.querySelectorAll('main .checklist')].map(c => c.id)")).unwrap();
    let in_data: Vec<String> = data["checklist"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["stages"].as_array().unwrap().iter().any(|s| s.as_str() == Some("mvp")))
        .map(|c| c["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(lists, in_data);
    assert_eq!(tab.eval("document.querySelectorAll('#defer-at-mvp input, #defer-at-mvp .progress-count').length"), 0);

    // The folded part holds exactly the aspects whose cell is the same as at POC (or asks
    // nothing at either); it is closed, and the TOC links to it.
    let folded = tab.eval(
        "(function () { var d = document.querySelector('details.stage-more'); \
         var rows = [...d.querySelectorAll('[data-aspect]')]; \
         return [d.open, rows.length, rows.every(r => r.dataset.change === 'same' || r.dataset.change === 'none'), \
           document.querySelectorAll('#build ~ .stage-group [data-aspect]').length, \
           [...document.querySelectorAll('.stage-toc a')].map(a => a.getAttribute('href')).join(' ')]; })()",
    );
    assert_eq!(folded[0], false);
    assert_eq!(folded[1].as_u64().unwrap() as usize, unchanged, "{folded}");
    assert_eq!(folded[2], true);
    assert_eq!(folded[3].as_u64().unwrap() as usize, asks.cells.len() - unchanged);
    assert!(folded[4].as_str().unwrap().contains("#checklists #build #unchanged"), "{folded}");

    // The bar stays in view at the bottom of the page with the page's count and the tools.
    tab.eval("window.scrollTo(0, document.body.scrollHeight)");
    let bar = tab.wait_for(
        "(function () { var b = document.getElementById('sb-stage-bar'), r = b.getBoundingClientRect(); \
         return scrollY > 2000 && r.top >= 0 && r.bottom < 200 && [r.top, b.textContent.replace(/\\s+/g, ' ')]; })()",
    );
    let text = bar[1].as_str().unwrap();
    assert!(text.contains(&format!("0 / {boxes}")) && text.contains("Export") && text.contains("Print"), "{text}");

    // A link to a folded aspect opens the fold; printing opens it and closes it again after.
    let fold = "document.getElementById('unchanged-aspects')";
    let id = tab.eval(&format!("{fold}.querySelector('[data-aspect]').id")).as_str().unwrap().to_string();
    tab.eval(&format!("{fold}.open = false"));
    tab.eval(&format!("location.hash = '#{id}'"));
    assert_eq!(tab.wait_for(&format!("{fold}.open")), true);
    tab.eval(&format!("{fold}.open = false"));
    tab.eval("window.dispatchEvent(new Event('beforeprint'))");
    assert_eq!(tab.eval(&format!("{fold}.open")), true, "printing shows every aspect");
    tab.eval("window.dispatchEvent(new Event('afterprint'))");
    assert_eq!(tab.eval(&format!("{fold}.open")), false);
    // Filtering by text opens the fold while the filter is on.
    tab.eval("var q = document.querySelector('#sb-filters input[name=q]'); q.value = 'a'; q.dispatchEvent(new Event('input', { bubbles: true }))");
    assert_eq!(tab.eval(&format!("{fold}.open")), true, "a filter shows the folded matches");
    tab.eval("q.value = ''; q.dispatchEvent(new Event('input', { bubbles: true }))");
    assert_eq!(tab.eval(&format!("{fold}.open")), false);

    // The previous stage's cell comes first: left in LTR, right in RTL.
    let sides = "(function () { var c = document.querySelector('#build ~ .stage-group .cells'); \
                 return [c.querySelector('.cell-prev').getBoundingClientRect().left, \
                         c.querySelector('.cell-now').getBoundingClientRect().left]; })()";
    let ltr = tab.eval(sides);
    assert!(ltr[0].as_f64() < ltr[1].as_f64(), "{ltr}");
    tab.eval("document.documentElement.dir = 'rtl'");
    let rtl = tab.eval(sides);
    assert!(rtl[0].as_f64() > rtl[1].as_f64(), "{rtl}");
}
