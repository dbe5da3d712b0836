//! The search index format, end to end: a book is built by the real binary, the site's own
//! `static/search.js` decodes the written index under node (tests/support/search_decode.js),
//! and what it read must equal the record of what Rust wrote, doc by doc and key by key.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::Book;
use serde_json::Value;
use stagebook::build::Project;

/// `$NODE`, else `node` on the PATH. `None` means skip, allowed only outside CI (like the
/// browser tests): under `CI=true` a missing node fails the run.
fn node() -> Option<PathBuf> {
    let candidate = std::env::var("NODE").ok().filter(|n| !n.is_empty()).unwrap_or_else(|| "node".into());
    let works = Command::new(&candidate).arg("--version").output().is_ok_and(|o| o.status.success());
    if !works && std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0") {
        panic!("CI is set but no node was found (install Debian's nodejs, or set NODE)");
    }
    if !works {
        eprintln!("skipping search format test: no node found (set NODE=/path/to/node)");
    }
    works.then(|| PathBuf::from(candidate))
}

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
        assert!(stage0.iter().all(|&d| docs[d]["kind"] != "section" && docs[d]["stage"] == 0), "{q}: stage filter");
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
    // Fullwidth letters (U+FF41...) sort after letters beyond U+FFFF in JavaScript but before
    // them in UTF-8: enough of both to spread over many shards checks the boundaries.
    let word = |base: u32, mut n: usize| -> String {
        (0..4)
            .map(|_| {
                let c = char::from_u32(base + (n % 26) as u32).unwrap();
                n /= 26;
                c
            })
            .collect()
    };
    let fullwidth: Vec<String> = (0..1500).map(|n| word(0xFF41, n * 7)).collect();
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
    assert!(has('\u{FF41}') > 10 && has('\u{1D41A}') > 10, "both scripts are index keys");
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
