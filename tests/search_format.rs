//! The search index format, end to end: a book is built by the real binary, the site's own
//! `static/search.js` decodes the written index under node (tests/support/search_decode.js),
//! and what it read must equal the record of what Rust wrote, doc by doc and key by key.

mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use common::{node, Book};
use serde_json::Value;
use stagebook::build::Project;

/// What search.js decodes from the index of the site in `site`, and its results for `queries`.
fn decode(node: &Path, site: &Path, queries: &[&str]) -> Value {
    let harness = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/search_decode.js");
    let out = Command::new(node).arg(harness).arg(site).args(queries).output().expect("run node");
    assert!(out.status.success(), "search.js failed to decode the index:\n{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("decoder prints JSON")
}

/// Builds `book`, decodes its index with search.js and checks it against Rust's record of the
/// same index; returns (decoded, record) for further checks.
fn round_trip(node: &Path, book: &Book, queries: &[&str]) -> (Value, Value) {
    book.build_ok();
    let project = Project::open(book.dir.path()).expect("book loads");
    let (files, record) = project.search_recorded();
    // The record describes the files the binary wrote, not merely similar ones.
    for (rel, bytes) in &files {
        assert!(std::fs::read(book.path(&format!("book/{rel}"))).unwrap() == *bytes, "{rel} differs from the build's");
    }
    let record = serde_json::to_value(&record).unwrap();
    let decoded = decode(node, &book.path("book"), queries);

    let (want, got) = (record["docs"].as_array().unwrap(), decoded["docs"].as_array().unwrap());
    assert!(!want.is_empty());
    assert_eq!(got.len(), want.len(), "doc count");
    for (i, (w, g)) in want.iter().zip(got).enumerate() {
        assert_eq!(g, w, "doc {i} as search.js reads it");
    }
    let (want, got) = (record["terms"].as_object().unwrap(), decoded["terms"].as_object().unwrap());
    assert!(want.len() > 100, "a real vocabulary: {}", want.len());
    let missing: Vec<&String> = want.keys().filter(|k| !got.contains_key(*k)).collect();
    assert!(missing.is_empty(), "keys search.js did not find in any shard: {missing:?}");
    for (key, w) in want {
        assert_eq!(&got[key], w, "key {key:?} as search.js reads it");
    }
    assert_eq!(got.len(), want.len(), "search.js read keys Rust did not write");
    (decoded, record)
}

#[test]
fn bundled_index_reads_back_as_written_and_filters_by_explicit_kind() {
    let Some(node) = node() else { return };
    let book = Book::bundled();
    let (decoded, record) = round_trip(&node, &book, &["security", "backups"]);
    let docs = record["docs"].as_array().unwrap();
    let kinds: BTreeSet<&str> = docs.iter().map(|d| d["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, BTreeSet::from(["cell", "checklist-item", "section"]), "every kind occurs in the handbook");

    for q in ["security", "backups"] {
        let s = &decoded["searches"][q];
        let ids =
            |f: &str| -> Vec<usize> { s[f].as_array().unwrap().iter().map(|v| v.as_u64().unwrap() as usize).collect() };
        let (all, pages, matrix, stage0) = (ids("all"), ids("pages"), ids("matrix"), ids("stage0"));
        assert!(!pages.is_empty() && !matrix.is_empty(), "{q}: results of both groups");
        assert!(pages.iter().all(|&d| docs[d]["kind"] == "section"), "{q}: pages filter");
        assert!(matrix.iter().all(|&d| docs[d]["kind"] != "section"), "{q}: matrix filter");
        // An aspect (all stages in one result) or a checklist of several stages has stage -1.
        let at_stage0 = |d: usize| docs[d]["stage"] == 0 || docs[d]["stage"] == -1;
        assert!(stage0.iter().all(|&d| docs[d]["kind"] != "section" && at_stage0(d)), "{q}: stage filter");
        assert!(stage0.len() < matrix.len(), "{q}: the stage filter leaves some matrix results out");
        let mut both: Vec<usize> = pages.iter().chain(&matrix).copied().collect();
        both.sort_unstable();
        let mut every = all.clone();
        every.sort_unstable();
        assert_eq!(both, every, "{q}: the two groups split all results");
    }
}

#[test]
fn hostile_text_and_keys_beyond_the_basic_plane_read_back_as_written() {
    let Some(node) = node() else { return };
    let book = Book::fixture("matrix-generic");
    // Halfwidth Hangul letters (U+FFA1...; fullwidth Latin folds to ASCII) sort after letters
    // beyond U+FFFF in JavaScript but before them in UTF-8: enough of both to spread over many
    // shards checks the boundaries.
    let word = |base: u32, mut n: usize| -> String {
        (0..4)
            .map(|_| {
                let c = char::from_u32(base + (n % 26) as u32).unwrap();
                n /= 26;
                c
            })
            .collect()
    };
    let fullwidth: Vec<String> = (0..1500).map(|n| word(0xFFA1, n * 7)).collect();
    let bold: Vec<String> = (0..1500).map(|n| word(0x1D41A, n * 7)).collect();
    book.write(
        "content/guide/odd.md",
        format!(
            "+++\ntitle = \"</script><b>\\\"Odd\\\"</b> \u{2028}line\u{2029}para & more\"\n+++\n\n\
             Intro with \u{2028} separators, <b>bold</b>, \"quotes\", back\\\\slash and emoji 🚀.\n\n\
             ## Wide {}\n\n{}\n\n## Bold {}\n\n{}\n",
            fullwidth[0],
            fullwidth.join(" "),
            bold[0],
            bold.join(" ")
        ),
    );
    let (_, record) = round_trip(&node, &book, &[]);
    let terms = record["terms"].as_object().unwrap();
    let has = |prefix: char| terms.keys().filter(|k| k.starts_with(prefix)).count();
    assert!(has('\u{FFA1}') > 10 && has('\u{1D41A}') > 10, "both scripts are index keys");
    assert!(
        record["docs"].as_array().unwrap().iter().any(|d| d["title"].as_str().unwrap().starts_with("</script>")),
        "the hostile title is a doc's page title"
    );
}

#[test]
fn extras_leave_the_search_index_to_its_own_step() {
    // `serve` rewrites the extras when a theme file is saved: that must not rebuild the index.
    let book = Book::fixture("matrix-generic");
    let project = Project::open(book.dir.path()).expect("book loads");
    let (extras, errors) = project.extras();
    assert!(errors.is_empty(), "{errors:?}");
    let paths: Vec<&str> = extras.iter().map(|(p, _)| p.as_str()).collect();
    assert!(paths.contains(&"search/index.html") && paths.contains(&"static/search.js"), "{paths:?}");
    assert!(!paths.iter().any(|p| p.starts_with("search/") && *p != "search/index.html"), "{paths:?}");
    assert!(project.search_index().iter().any(|(p, _)| p == "search/manifest.js"));
}

/// Results of `queries` on the built site in `site`, as search.js ranks them under node
/// (tests/support/search_run.js): the search page's mode, or the header box's with `prefix`.
fn run(node: &Path, site: &Path, prefix: bool, queries: &[&str]) -> Value {
    let harness = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/search_run.js");
    let mut cmd = Command::new(node);
    cmd.arg(harness).arg(site).args(["--top", "50"]);
    if prefix {
        cmd.arg("--prefix");
    }
    let out = cmd.args(queries).output().expect("run node");
    assert!(out.status.success(), "search.js failed:\n{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("JSON")
}

/// (kind, url#anchor, title) of each result of a query.
fn results(run: &Value, q: &str) -> Vec<(String, String, String)> {
    run[q]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let s = |k: &str| r[k].as_str().unwrap().to_string();
            (s("kind"), format!("{}#{}", s("url"), s("anchor")), s("title"))
        })
        .collect()
}

#[test]
fn bundled_search_lists_each_aspect_and_checklist_item_once_and_ranks_whole_title_matches_first() {
    let Some(node) = node() else { return };
    let book = Book::bundled();
    book.build_ok();
    let site = book.path("book");
    let r = run(&node, &site, false, &["secrets management", "gdpr", "never skip", "elasticsearch", "backups"]);

    let secrets = results(&r, "secrets management");
    let mut seen = BTreeSet::new();
    for (kind, at, _) in &secrets {
        assert!(kind == "section" || seen.insert(at.clone()), "{at} listed twice: {secrets:?}");
    }
    let cells: Vec<&String> = secrets.iter().filter(|r| r.0 == "cell").map(|r| &r.1).collect();
    assert_eq!(cells.iter().filter(|c| c.ends_with("#secrets-management")).count(), 1, "{secrets:?}");
    assert!(cells.iter().all(|c| c.starts_with("categories/")), "aspects link to their category row: {cells:?}");
    let first = &r["secrets management"]["results"].as_array().unwrap().iter().find(|d| d["kind"] == "cell").unwrap();
    let text = first["text"].as_str().unwrap();
    let (poc, mvp, m1) = (text.find("POC: "), text.find("MVP: "), text.find("1M+: "));
    assert!(poc < mvp && mvp < m1 && poc.is_some(), "the stages' values in stage order: {text}");

    let gdpr = results(&r, "gdpr");
    assert!(
        gdpr[..3].iter().any(|(k, at, _)| k == "checklist-item" && at.ends_with("#prod-compliance-gdpr")),
        "the GDPR checklist item in the top 3: {gdpr:?}"
    );
    let items: Vec<&String> = gdpr.iter().filter(|r| r.0 == "checklist-item").map(|r| &r.1).collect();
    assert_eq!(items.len(), items.iter().collect::<BTreeSet<_>>().len(), "each item once: {items:?}");

    assert_eq!(results(&r, "never skip")[0].2, "The four things never to skip");
    let elastic = results(&r, "elasticsearch");
    assert!(
        elastic.iter().any(|(_, at, _)| at == "scaling/infrastructure-triggers/index.html#infra-triggers"),
        "the table embedded from the matrix file is found on its page: {elastic:?}"
    );
    assert!(results(&r, "backups").iter().any(|(_, at, _)| at.starts_with("stages/")), "generated pages' text");
}

#[test]
fn the_results_page_matches_words_whole_and_the_header_box_ranks_completions_below_them() {
    let Some(node) = node() else { return };
    let book = Book::bundled();
    let (_, record) = round_trip(&node, &book, &[]);
    let docs_of = |stem: &str| -> BTreeSet<u64> {
        match &record["terms"][stem]["postings"] {
            Value::Array(p) => p.iter().map(|p| p[0].as_u64().unwrap()).collect(),
            _ => panic!("{stem} is not a stem with postings"),
        }
    };
    let site = book.path("book");
    let ids = |r: &Value, q: &str| -> Vec<u64> {
        r[q]["results"].as_array().unwrap().iter().map(|d| d["id"].as_u64().unwrap()).collect()
    };
    let page = run(&node, &site, false, &["audit log", "single sign-on"]);
    let header = run(&node, &site, true, &["audit log"]);
    // Docs that have "logic" but neither "log" nor "audit": only a completion finds them.
    let logic: BTreeSet<u64> = &(&docs_of("logic") - &docs_of("log")) - &docs_of("audit");
    assert!(!logic.is_empty(), "the handbook has such docs");
    assert!(ids(&page, "audit log").iter().all(|d| !logic.contains(d)), "no completion on the results page");
    let typed = ids(&header, "audit log");
    let first_completion = typed.iter().position(|d| logic.contains(d)).expect("the header box completes `log`");
    let exact = &docs_of("log") | &docs_of("audit");
    assert!(typed[..first_completion].iter().all(|d| exact.contains(d)), "exact matches come first");
    let signals: BTreeSet<u64> = &(&docs_of("signal") - &docs_of("sign")) - &docs_of("singl");
    assert!(ids(&page, "single sign-on").iter().all(|d| !signals.contains(d)), "`sign` is not expanded to signals");
}

#[test]
fn a_long_enough_word_finds_words_one_or_two_edits_away() {
    let Some(node) = node() else { return };
    let book = Book::bundled();
    let (_, record) = round_trip(&node, &book, &[]);
    let docs_of = |stem: &str| -> BTreeSet<u64> {
        record["terms"][stem]["postings"].as_array().unwrap().iter().map(|p| p[0].as_u64().unwrap()).collect()
    };
    let site = book.path("book");
    let typed = ["kubernets", "obervability", "secrts", "obsrvabilty", "kubernetse"];
    let r = run(&node, &site, false, &typed);
    let r_header = run(&node, &site, true, &typed);
    for (q, stem) in [
        ("kubernets", "kubernet"),
        ("obervability", "observ"),
        ("secrts", "secret"),
        ("obsrvabilty", "observ"),
        ("kubernetse", "kubernet"),
    ] {
        for (mode, r) in [("results page", &r), ("header box", &r_header)] {
            let found: BTreeSet<u64> =
                r[q]["results"].as_array().unwrap().iter().map(|d| d["id"].as_u64().unwrap()).collect();
            assert!(!found.is_empty(), "{mode}: {q} finds results");
            assert!(found.is_subset(&docs_of(stem)), "{mode}: {q} finds the docs of {stem}");
        }
    }
    // Below five letters, or beyond the edits allowed for its length, a word finds nothing.
    let r = run(&node, &site, false, &["kubx", "sacrts", "obsrvbilty"]);
    for q in ["kubx", "sacrts", "obsrvbilty"] {
        assert_eq!(r[q]["total"], 0, "{q}: {:?}", results(&r, q));
    }
}

/// Theme scripts are published without their comment lines (`theme::published`): every one
/// of them must still parse, so `node --check` reads each as the site serves it.
#[test]
fn published_theme_scripts_still_parse() {
    let Some(node) = node() else { return };
    let book = Book::bundled();
    book.build_ok();
    let dir = book.path("book/static");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "js") {
            let out = Command::new(&node).arg("--check").arg(&path).output().expect("run node");
            assert!(
                out.status.success(),
                "{} does not parse:\n{}",
                path.display(),
                String::from_utf8_lossy(&out.stderr)
            );
            let text = std::fs::read_to_string(&path).unwrap();
            assert!(!text.lines().any(|l| l.trim_start().starts_with("//")), "{} kept a comment line", path.display());
            checked += 1;
        }
    }
    assert!(checked >= 10, "only {checked} scripts found in {}", dir.display());
}

/// Issue 16: a result whose match lies beyond the text stored in its doc row (every glossary
/// term after the first few, in one ~6.5 KB section) shows a snippet around the match, loaded
/// from the rest of its text; in the header box and on the results page alike.
#[test]
fn a_match_beyond_the_stored_text_shows_a_snippet_around_it() {
    let Some(node) = node() else { return };
    let book = Book::bundled();
    book.build_ok();
    let site = book.path("book");
    let queries = ["dunning", "stateless", "bus factor"];
    for (mode, prefix) in [("results page", false), ("header box", true)] {
        let r = run(&node, &site, prefix, &queries);
        for q in queries {
            let word = q.split(' ').next().unwrap();
            let found = r[q]["results"].as_array().unwrap();
            let glossary = found
                .iter()
                .find(|d| d["url"].as_str().unwrap().starts_with("reference/glossary"))
                .unwrap_or_else(|| panic!("{mode}: {q} finds the glossary: {found:?}"));
            let (text, shown) = (glossary["text"].as_str().unwrap(), glossary["shown"].as_str().unwrap());
            assert!(!text.to_lowercase().contains(word), "{mode}: {q} lies beyond the stored text: {text}");
            assert!(shown.to_lowercase().contains(word), "{mode}: {q}: the snippet shows the match: {shown}");
            assert!(shown.starts_with('…') && shown.chars().count() < 200, "{mode}: a window of the rest: {shown}");
            let files: Vec<&str> = r[q]["files"].as_array().unwrap().iter().map(|f| f.as_str().unwrap()).collect();
            assert!(files.iter().any(|f| f.starts_with("search/m/")), "{mode}: {q} loaded the rest: {files:?}");
            // Every result says why it matched: the word is in what it shows.
            for d in found.iter().filter(|_| q == "dunning") {
                let shows = ["title", "heading", "shown"].map(|k| d[k].as_str().unwrap().to_lowercase()).join(" ");
                assert!(shows.contains(word), "{mode}: {q}: {d}");
            }
        }
    }
}
