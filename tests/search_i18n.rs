//! Search in the handbook's language: stemming, stop words and accent folding per language,
//! Chinese/Japanese/Korean text cut into character pairs, the index's `lang`. Queries run
//! through the site's own static/search.js under node, as in a browser.

mod common;

use std::path::Path;
use std::process::Command;

use common::{node, Book};
use serde_json::Value;
use stagebook::build::Project;

/// A one-page book in `language` with `pages` (path under content/, markdown body).
fn book(language: &str, pages: &[(&str, &str, &str)]) -> Book {
    let b = Book::fixture("basic");
    std::fs::remove_dir_all(b.path("content")).unwrap();
    b.write("book.toml", format!("[book]\ntitle = \"T\"\nlanguage = \"{language}\"\n"));
    b.write("content/_index.md", "+++\ntitle = \"Index\"\n+++\n\nStart.\n");
    for (i, (rel, title, body)) in pages.iter().enumerate() {
        b.write(&format!("content/{rel}"), format!("+++\ntitle = \"{title}\"\nweight = {}\n+++\n\n{body}\n", i + 1));
    }
    b
}

/// Runs tests/support/`script` on the built site of `book` with `args`; its JSON output.
fn node_json(node: &Path, book: &Book, script: &str, args: &[&str]) -> Value {
    let harness = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support").join(script);
    let out = Command::new(node).arg(harness).arg(book.path("book")).args(args).output().expect("run node");
    assert!(out.status.success(), "{script} failed:\n{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("JSON")
}

/// The (url, heading) of every result of each query, as the search page ranks them.
fn found(node: &Path, book: &Book, queries: &[&str]) -> Vec<Vec<(String, String)>> {
    let mut args = vec!["--top", "50"];
    args.extend(queries);
    let r = node_json(node, book, "search_run.js", &args);
    queries
        .iter()
        .map(|q| {
            let rows = r[q]["results"].as_array().unwrap();
            rows.iter().map(|d| (d["url"].as_str().unwrap().into(), d["heading"].as_str().unwrap().into())).collect()
        })
        .collect()
}

/// Whether the results of `query` highlight each word, and the spans marked in CJK text.
fn hits(node: &Path, book: &Book, query: &str, words: &[&str]) -> Vec<(bool, Value)> {
    let mut args = vec!["hit", query];
    args.extend(words);
    let r = node_json(node, book, "search_words.js", &args);
    words.iter().map(|w| (r[w][0].as_bool().unwrap(), r[w][1].clone())).collect()
}

const TEXTS: &[&str] = &[
    "Les données, la Donnée et les DONNEES sauvegardées",
    "Größe der Straße: Datenbankmigrationen, GROSSE Übergänge",
    "KAPI İzmir ıslak Istanbul ve bu",
    "ΟΔΟΣ οδός Ελληνικά και τους",
    "كِتَابٌ المكتبات في ـــ",
    "ёлка Мой СЕРВЕР и серверов",
    "データベースの設計書を作成する。本 APIの設計v2",
    "한국어 데이터베이스를 설계",
    "ＡＰＩ ｶﾀｶﾅ 𠮷野家 々",
    "e\u{301}te\u{301} naïve café x 7 the de l’état — x_y",
    "Ǆemal ﬁle ① ² 3½ I\u{307}",
    "தமிழ் பயனர்கள் மற்றும்",
];

#[test]
fn search_js_looks_up_the_keys_the_index_made_of_the_same_text() {
    let Some(node) = node() else { return };
    for lang in ["en", "fr", "de", "tr", "el", "ar", "ru", "ja", "ta"] {
        let b = book(lang, &[("p.md", "P", "Text.")]);
        b.build_ok();
        let project = Project::open(b.dir.path()).expect("book loads");
        let js = node_json(&node, &b, "search_words.js", &[&["terms"], TEXTS].concat());
        for text in TEXTS {
            let rust = project.search_terms(text);
            let from_js: Vec<String> =
                js[text].as_array().unwrap().iter().map(|t| t.as_str().unwrap().to_string()).collect();
            assert_eq!(from_js, rust, "{lang}: {text:?}");
        }
    }
    // What the shared inputs exercise, so the comparison above is not of empty lists.
    let fr = Project::open(book("fr", &[]).dir.path()).unwrap();
    assert_eq!(fr.search_terms(TEXTS[0]), ["donnees", "donnee", "sauvegardees"]);
    let tr = Project::open(book("tr", &[]).dir.path()).unwrap();
    assert_eq!(tr.search_terms(TEXTS[2]), ["kapi", "izmir", "islak", "istanbul"]);
    let ja = Project::open(book("ja", &[]).dir.path()).unwrap();
    assert_eq!(
        ja.search_terms(TEXTS[6]),
        [
            "デー", "ータ", "タベ", "ベー", "ース", "スの", "の設", "設計", "計書", "書を", "を作", "作成", "成す",
            "する", "本", "api", "v2"
        ]
    );
}

#[test]
fn french_words_are_found_in_any_form_with_or_without_accents() {
    let Some(node) = node() else { return };
    let b = book(
        "fr",
        &[
            ("donnees.md", "Sauvegardes", "Les données (ou « donnees ») des clients sont sauvegardées chaque nuit."),
            ("equipe.md", "Équipe", "Une équipe de garde répond aux alertes."),
        ],
    );
    b.build_ok();
    let manifest = b.read("book/search/manifest.js");
    assert!(manifest.contains(r#""lang":"fr""#), "the index says its language: {manifest}");
    assert!(manifest.contains(r#""les""#) && !manifest.contains(r#""the""#), "French stop words");
    let queries = ["donnée", "données", "donnees", "DONNÉES", "sauvegarde", "equipes", "équipe", "les"];
    let r = found(&node, &b, &queries);
    for (q, results) in queries.iter().zip(&r) {
        let want = match *q {
            "equipes" | "équipe" => "equipe/index.html",
            "les" => {
                assert!(results.is_empty(), "a stop word finds nothing: {results:?}");
                continue;
            }
            _ => "donnees/index.html",
        };
        assert_eq!(results.first().map(|r| r.0.as_str()), Some(want), "{q}: {results:?}");
    }
    // The stemmed forms are highlighted, whatever their accents.
    let h = hits(&node, &b, "donnée", &["données", "Donnees", "donner", "clients"]);
    assert_eq!(h.iter().map(|h| h.0).collect::<Vec<_>>(), [true, true, true, false]);
}

#[test]
fn german_compounds_stay_whole_and_sharp_s_folds() {
    let Some(node) = node() else { return };
    let b = book(
        "de",
        &[
            ("migration.md", "Migration", "Datenbankmigrationen laufen nachts."),
            ("groesse.md", "Planung", "Die Größe der Cluster wächst mit der Last."),
        ],
    );
    b.build_ok();
    let project = Project::open(b.dir.path()).unwrap();
    let (_, record) = project.search_recorded();
    let terms = serde_json::to_value(&record).unwrap()["terms"].clone();
    assert!(terms["datenbankmigration"]["postings"].is_array(), "the compound is one stem: {terms}");
    assert!(terms.get("datenbank").is_none(), "and is not cut into its parts");
    let r = found(&node, &b, &["Datenbankmigration", "datenbankmigrationen", "Datenbank", "Grösse", "grosse", "Größe"]);
    assert_eq!(r[0], r[1]);
    assert_eq!(r[0][0].0, "migration/index.html");
    assert!(r[2].is_empty(), "a part of a compound is not a word of its own: {:?}", r[2]);
    for q in &r[3..] {
        assert_eq!(q.first().map(|r| r.0.as_str()), Some("groesse/index.html"), "{r:?}");
    }
}

#[test]
fn arabic_words_are_stemmed_and_their_vowel_marks_folded() {
    let Some(node) = node() else { return };
    let b =
        book("ar", &[("library.md", "المكتبة", "تحتوي المكتبات على الكتب."), ("other.md", "أخرى", "صفحة عن الشبكة.")]);
    b.build_ok();
    let project = Project::open(b.dir.path()).unwrap();
    let (_, record) = project.search_recorded();
    let terms = serde_json::to_value(&record).unwrap()["terms"].clone();
    assert_eq!(terms["المكتبات"]["alias"], "مكتب", "the plural with its article stems: {terms}");
    let r = found(&node, &b, &["المكتبات", "مكتبة", "المَكتَبات", "الشبكة"]);
    for q in &r[..3] {
        assert_eq!(q.first().map(|r| r.0.as_str()), Some("library/index.html"), "{r:?}");
    }
    assert_eq!(r[3].first().map(|r| r.0.as_str()), Some("other/index.html"));
}

#[test]
fn a_japanese_word_inside_an_unspaced_sentence_is_found_and_marked() {
    let Some(node) = node() else { return };
    let b = Book::fixture("i18n-ja");
    b.build_ok();
    assert!(b.read("book/search/manifest.js").contains(r#""lang":"ja""#));
    let queries = ["設計書", "障害", "復元テスト", "データベース", "監視", "本"];
    let r = found(&node, &b, &queries);
    let pages = |i: usize| -> Vec<&str> { r[i].iter().map(|d| d.0.as_str()).collect() };
    assert_eq!(r[0].first().map(|d| d.1.as_str()), Some("設計書の書き方"), "{:?}", r[0]);
    assert_eq!(r[1].first().map(|d| d.1.as_str()), Some("障害対応"), "{:?}", r[1]);
    assert_eq!(pages(2), ["operations/index.html"], "{:?}", r[2]);
    let db = pages(3);
    assert!(db.contains(&"design/index.html") && db.contains(&"operations/index.html"), "{db:?}");
    assert_eq!(r[4].first().map(|d| d.1.as_str()), Some("監視"));
    assert!(pages(4).iter().all(|p| *p == "operations/index.html"), "{:?}", r[4]);
    assert_eq!(r[5].first().map(|d| d.1.as_str()), Some("障害対応"), "a lone character: 本番: {:?}", r[5]);

    let h = hits(&node, &b, "障害", &["本番環境で障害が発生したら", "影響範囲", "API"]);
    assert_eq!(h[0], (true, serde_json::json!([[5, 7]])));
    assert_eq!(h[1], (false, serde_json::json!([])));
    assert!(!h[2].0);
}
