//! The interactive playbook in headless Chromium, from `file://`: matrix filters with their
//! state in the URL, stage comparison, "where are we?", saved ticks with export and import,
//! and the cost calculator. Scripts that act like a reader run in a copy of the page.

mod common;
use common::{chromium, dump_dom, dump_dom_with_profile, file_url, Book};

/// Writes a copy of `page` (beside it, so relative URLs hold) that runs `script` once the
/// page's own scripts have run, and returns its `file://` URL with `query`.
fn acting(book: &Book, page: &str, name: &str, script: &str, query: &str) -> String {
    let html = book.read(page).replace(
        "</body>",
        &format!(
            "<script>window.addEventListener(\"load\", function () {{ setTimeout(function () {{\n{script}\n}}, 200); }});</script></body>"
        ),
    );
    let copy = format!("{}/{name}", &page[..page.rfind('/').unwrap()]);
    book.write(&copy, html);
    format!("{}{query}", file_url(&book.path(&copy)))
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
    let Some(browser) = chromium() else { return };
    let book = Book::fixture("matrix-generic");
    book.build_ok();
    let matrix = file_url(&book.path("book/matrix/index.html"));

    // Accent-insensitive text, one stage: only "Déploiement" has text at Seed and matches.
    let dom = dump_dom(&browser, &format!("{matrix}?stage=seed&q=deplo"));
    assert!(!hidden(&dom, "deploiement") && hidden(&dom, "astreinte") && hidden(&dom, "fonctions"));
    assert_eq!(text_of(&dom, "filter-count"), "1 of 3 aspects");
    assert!(dom.contains("<mark class=\"hit\">Déplo</mark>iement"), "the match is highlighted");
    assert!(hidden(&dom, "produit"), "a category with no matching row is hidden");
    let head = element(&dom, "ops");
    assert!(head.contains("<th scope=\"col\" data-stage=\"seed\">"), "the chosen stage's column stays");
    assert!(head.contains("<th scope=\"col\" data-stage=\"serie-a\" hidden=\"\">"), "other columns hidden");

    // A category filter alone.
    let dom = dump_dom(&browser, &format!("{matrix}?category=produit"));
    assert!(hidden(&dom, "deploiement") && hidden(&dom, "astreinte") && !hidden(&dom, "fonctions"));
    assert!(hidden(&dom, "ops") && !hidden(&dom, "produit"));
    assert_eq!(text_of(&dom, "filter-count"), "1 of 3 aspects");

    // Nothing matches: the empty state says what to clear.
    let dom = dump_dom(&browser, &format!("{matrix}?q=zzz&category=ops"));
    assert_eq!(text_of(&dom, "filter-count"), "0 of 3 aspects");
    assert!(!hidden(&dom, "sb-filters"));
    let empty = text_of(&dom, "filter-empty");
    assert!(empty.contains("“zzz”") && empty.contains("category filter"), "{empty}");
}

#[test]
fn editing_the_filters_updates_the_url_and_the_count() {
    let Some(browser) = chromium() else { return };
    let book = Book::fixture("matrix-generic");
    book.build_ok();
    let url = acting(
        &book,
        "book/matrix/index.html",
        "edit.html",
        r#"var f = document.getElementById("sb-filters");
f.querySelector("input[name=category][value=ops]").click();
var q = f.elements.q; q.value = "ROTATION"; q.dispatchEvent(new Event("input", { bubbles: true }));
document.body.setAttribute("data-search", location.search);"#,
        "",
    );
    let dom = dump_dom(&browser, &url);
    assert!(
        dom.contains("data-search=\"?category=ops&amp;q=ROTATION\""),
        "URL follows the filters: {}",
        tag(&dom, "sb-filters")
    );
    assert_eq!(text_of(&dom, "filter-count"), "1 of 3 aspects");
    assert!(!hidden(&dom, "astreinte") && hidden(&dom, "deploiement"));
    assert!(dom.contains("<mark class=\"hit\">Rotation</mark> simple"));
}

#[test]
fn comparison_shows_only_the_aspects_that_change() {
    let Some(browser) = chromium() else { return };
    let book = Book::fixture("matrix-generic");
    book.build_ok();
    let matrix = file_url(&book.path("book/matrix/index.html"));
    // Seed → Série A: "Fonctions" stays "Une seule"; the other two change.
    let dom = dump_dom(&browser, &format!("{matrix}?compare=seed,serie-a"));
    assert!(!hidden(&dom, "deploiement") && !hidden(&dom, "astreinte") && hidden(&dom, "fonctions"));
    assert_eq!(text_of(&dom, "filter-count"), "2 of 3 aspects change from Seed to Série A");
    assert!(hidden(&dom, "produit"), "a category without changes is hidden");
    let ops = element(&dom, "ops");
    assert!(ops.contains("data-stage=\"scale-up\" hidden=\"\""), "only the two compared columns show");

    // The same through the controls: pick the stages, press the button; the URL follows.
    let url = acting(
        &book,
        "book/matrix/index.html",
        "compare.html",
        r#"var f = document.getElementById("sb-filters");
f.elements.from.value = "serie-a"; f.elements.to.value = "scale-up";
f.elements.compare.click();
document.body.setAttribute("data-search", location.search);"#,
        "",
    );
    let dom = dump_dom(&browser, &url);
    assert_eq!(text_of(&dom, "filter-count"), "3 of 3 aspects change from Série A to Scale-up");
    assert!(dom.contains("data-search=\"?compare=serie-a,scale-up\""));
    assert!(tag(&dom, "sb-filters").contains("sb-filters") && dom.contains("aria-pressed=\"true\""));
}

#[test]
fn where_are_we_marks_aspects_and_summarises_the_stage_on_the_home_page() {
    let Some(browser) = chromium() else { return };
    let book = Book::fixture("matrix-generic");
    book.build_ok();
    let profile = tempfile::tempdir().unwrap();
    // Pick "Série A" on the home page, as a reader would.
    let url = acting(
        &book,
        "book/index.html",
        "pick.html",
        r#"var s = document.getElementById("sb-where"); s.value = "serie-a";
s.dispatchEvent(new Event("change", { bubbles: true }));"#,
        "",
    );
    let home = dump_dom_with_profile(&browser, &url, profile.path());
    let summary = text_of(&home, "where-summary");
    assert!(
        summary.starts_with("Série A (stage 2 of 3): 2 aspects to build now, 1 done by now, 0 not yet."),
        "home summary: {summary}"
    );
    assert!(summary.contains("Open the Série A checklist"));

    // The matrix page, opened later, remembers the stage and marks each aspect.
    let dom = dump_dom_with_profile(&browser, &file_url(&book.path("book/matrix/index.html")), profile.path());
    assert!(tag(&dom, "sb-where").contains("sb-where"));
    let mark = |id: &str| strip_tags(element(&dom, id).split("where-mark\">").nth(1).unwrap_or("none<"));
    assert!(mark("deploiement").starts_with("Build now"), "{}", mark("deploiement"));
    assert!(mark("fonctions").starts_with("Done by now"));
    assert!(element(&dom, "ops").contains("data-when=\"now\""), "the current stage's column is marked");

    // At Seed, the on-call aspect can wait until Série A.
    let url = acting(
        &book,
        "book/stages/seed/index.html",
        "seed.html",
        r#"var s = document.getElementById("sb-where"); s.value = "seed";
s.dispatchEvent(new Event("change", { bubbles: true }));"#,
        "",
    );
    let dom = dump_dom(&browser, &url);
    let item = strip_tags(element(&dom, "astreinte"));
    assert!(item.contains("Not yet: skip until Série A"), "{item}");
    assert!(text_of(&dom, "where-summary").contains("This is your stage"));
}

/// A script that captures the next download's text into `data-download` on the body.
const CAPTURE: &str = r#"URL.createObjectURL = function (blob) { blob.text().then(function (t) { document.body.setAttribute("data-download", t); }); return "about:blank"; };
HTMLAnchorElement.prototype.click = function () {};"#;

fn download(dom: &str) -> String {
    let at = dom.find("data-download=\"").expect("a download was made") + "data-download=\"".len();
    let raw = &dom[at..at + dom[at..].find('"').unwrap()];
    raw.replace("&quot;", "\"").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
}

#[test]
fn exports_match_the_ticked_items_and_import_restores_them() {
    let Some(browser) = chromium() else { return };
    let book = Book::fixture("matrix-generic");
    book.build_ok();
    let page = "book/stages/serie-a/index.html";
    let profile = tempfile::tempdir().unwrap();
    let tick = r#"document.getElementById("check-deploiement").click();
document.getElementById("check-jamais-sauvegardes").click();"#;
    let md = dump_dom_with_profile(
        &browser,
        &acting(
            &book,
            page,
            "md.html",
            &format!("{tick}\n{CAPTURE}\ndocument.querySelector(\"[data-export=md]\").click();"),
            "",
        ),
        profile.path(),
    );
    let md = download(&md);
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

    let csv = dump_dom_with_profile(
        &browser,
        &acting(
            &book,
            page,
            "csv.html",
            &format!("{CAPTURE}\ndocument.querySelector(\"[data-export=csv]\").click();"),
            "",
        ),
        profile.path(),
    );
    let csv = download(&csv);
    assert!(csv.starts_with("group,item,key,done\n"));
    assert!(csv.contains("Opérations & <Ops>,Déploiement: CI/CD,aspect:deploiement:serie-a,yes\n"), "{csv}");
    assert!(csv.contains("aspect:astreinte:serie-a,no\n"));

    let json = dump_dom_with_profile(
        &browser,
        &acting(
            &book,
            page,
            "json.html",
            &format!("{CAPTURE}\ndocument.querySelector(\"[data-export=json]\").click();"),
            "",
        ),
        profile.path(),
    );
    let json: serde_json::Value = serde_json::from_str(&download(&json)).unwrap();
    assert_eq!(json["ticks"], serde_json::json!(["aspect:deploiement:serie-a", "checklist:jamais:sauvegardes"]));

    // A fresh browser: import the JSON (confirming), and the ticks are back.
    let import = format!(
        r#"window.confirm = function () {{ return true; }};
var dt = new DataTransfer();
dt.items.add(new File([{}], "progress.json", {{ type: "application/json" }}));
var input = document.querySelector(".progress-tools input[type=file]");
input.files = dt.files;
input.dispatchEvent(new Event("change"));"#,
        serde_json::to_string(&json.to_string()).unwrap()
    );
    let fresh = tempfile::tempdir().unwrap();
    let dom = dump_dom_with_profile(&browser, &acting(&book, page, "import.html", &import, ""), fresh.path());
    assert!(text_of(&dom, "tool-status").starts_with("Imported 2 ticks"), "{}", text_of(&dom, "tool-status"));
    let again = dump_dom_with_profile(&browser, &file_url(&book.path(page)), fresh.path());
    assert!(element(&again, "deploiement").contains("data-done=\"true\""));
    assert!(element(&again, "astreinte").contains("data-done=\"false\""));
    let progress = strip_tags(element(&again, "sb-page-progress"));
    assert!(progress.contains("2 / 5"), "{progress}");

    // Reset (confirmed) unticks everything.
    let reset = r#"window.confirm = function () { return true; };
document.querySelector("[data-act=reset]").click();"#;
    let dom = dump_dom_with_profile(&browser, &acting(&book, page, "reset.html", reset, ""), fresh.path());
    assert!(text_of(&dom, "tool-status").starts_with("Reset: 2 ticks removed"));
    assert!(!dom.contains("data-done=\"true\""));
}

#[test]
fn the_calculator_sums_the_bundled_ranges() {
    let Some(browser) = chromium() else { return };
    let book = Book::bundled();
    book.build_ok();
    // Expected sums from the data file itself, for the first three stages.
    let data: toml::Value = toml::from_str(&book.read("content/matrix.toml")).unwrap();
    let stages = data["stage"].as_array().unwrap();
    let range = |s: &toml::Value, k: &str| {
        s.get("cost").and_then(|c| c.get(k)).map(|r| (r[0].as_integer().unwrap(), r[1].as_integer().unwrap()))
    };
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
    let (build, weeks) = (sum("build"), sum("weeks"));
    let ids: Vec<&str> = stages.iter().map(|s| s["id"].as_str().unwrap()).collect();
    let url = acting(
        &book,
        "book/stages/index.html",
        "calc.html",
        &format!(
            r#"var to = document.getElementById("sb-calc-to"); to.value = "{}";
to.dispatchEvent(new Event("change"));"#,
            ids[2]
        ),
        "",
    );
    let dom = dump_dom(&browser, &url);
    let out = |id: &str| strip_tags(element(&dom, id));
    assert!(
        out("sb-calc-build").starts_with(&format!("{}–{}", money(build.0), money(build.1))),
        "{}",
        out("sb-calc-build")
    );
    assert!(out("sb-calc-weeks").starts_with(&format!("{}–{} weeks", weeks.0, weeks.1)));
    let monthly: Vec<(i64, i64)> = stages[..3].iter().filter_map(|s| range(s, "monthly")).collect();
    let (lo, hi) = (monthly.iter().map(|r| r.0).min().unwrap(), monthly.iter().map(|r| r.1).max().unwrap());
    assert_eq!(out("sb-calc-monthly"), format!("from {}–{} a month", money(lo), money(hi)));
    let first = stages[0]["name"].as_str().unwrap();
    assert!(
        out("sb-calc-missing").contains(&format!("monthly infrastructure leaves out {first}")),
        "{}",
        out("sb-calc-missing")
    );

    // All stages: the ones without ranges are named, not counted as zero.
    let dom = dump_dom(&browser, &file_url(&book.path("book/stages/index.html")));
    let missing = strip_tags(element(&dom, "sb-calc-missing"));
    for s in stages.iter().filter(|s| range(s, "build").is_none()) {
        assert!(missing.contains(s["name"].as_str().unwrap()), "{missing}");
    }
}
