//! The theme's scripts speak the book's language: every string they show comes from the `[js]`
//! table of themes/default/i18n/<lang>.toml through the one generated static/strings.js and
//! static/i18n.js (`stagebookT`), never from English written in a script. Plurals follow the
//! language's CLDR categories (`Intl.PluralRules`), checked with Arabic's six forms under node;
//! a French build shows French in the scripted widgets and in the `serve` error overlay.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use common::browser::Browser;
use common::serve::Preview;
use common::{file_url, Book};
use serde_json::{json, Value};

const LANGUAGES: [&str; 7] = ["en", "fr", "de", "es", "pt", "ja", "ar"];

/// `$NODE`, else `node` on the PATH; `None` (skip) only outside CI.
fn node() -> Option<PathBuf> {
    let candidate = std::env::var("NODE").ok().filter(|n| !n.is_empty()).unwrap_or_else(|| "node".into());
    let works = Command::new(&candidate).arg("--version").output().is_ok_and(|o| o.status.success());
    if !works && common::in_ci() {
        panic!("CI is set but no node was found (install Debian's nodejs, or set NODE)");
    }
    if !works {
        eprintln!("skipping: no node found (set NODE=/path/to/node)");
    }
    works.then(|| PathBuf::from(candidate))
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The `[js]` table of a bundled language.
fn table(lang: &str) -> toml::Table {
    let path = root().join(format!("themes/default/i18n/{lang}.toml"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let parsed: toml::Table = text.parse().unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    parsed["js"].as_table().unwrap_or_else(|| panic!("{lang}.toml has no [js] table")).clone()
}

/// The basic fixture in `lang` (its book.toml says `language = "en"`).
fn book_in(lang: &str) -> Book {
    let book = Book::fixture("basic");
    let config = book.read("book.toml").replace("language = \"en\"", &format!("language = {}", json!(lang)));
    assert!(config.contains(&format!("language = {}", json!(lang))), "{config}");
    book.write("book.toml", config);
    book
}

/// stagebookT for each call, in the built site `site`, as node runs the two scripts.
fn run(node: &Path, site: &Path, calls: &Value, mode: &str) -> Value {
    let harness = root().join("tests/support/i18n_run.js");
    let out = Command::new(node).arg(harness).arg(site).arg(calls.to_string()).arg(mode).output().expect("run node");
    assert!(out.status.success(), "i18n.js failed under node:\n{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("the harness prints JSON")
}

#[test]
fn arabic_picks_each_of_its_six_plural_forms_by_count() {
    let Some(node) = node() else { return };
    let book = book_in("ar");
    book.build_ok();
    let counts = [0, 1, 2, 3, 11, 100];
    let forms = ["zero", "one", "two", "few", "many", "other"];
    let mut checked = 0;
    for (key, value) in table("ar") {
        let Some(plural) = value.as_table() else { continue };
        if !forms.iter().all(|f| plural.contains_key(*f)) {
            continue;
        }
        let calls: Vec<Value> = counts.iter().map(|&n| json!([key, { "n": n, "stage": "S", "range": n }])).collect();
        let got = run(&node, &book.path("book"), &json!(calls), "");
        assert_eq!(got["strings"]["dir"], "rtl", "Arabic reads right to left");
        let shown: Vec<&str> = got["out"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
        for ((n, form), text) in counts.iter().zip(forms).zip(&shown) {
            let want = plural[form].as_str().unwrap().replace("{n}", &n.to_string());
            assert!(text.starts_with(&want[..want.find('{').unwrap_or(want.len())]), "{key} for {n} ({form}): {text}");
        }
        assert_eq!(shown.iter().collect::<BTreeSet<_>>().len(), 6, "{key}: six different texts: {shown:?}");
        checked += 1;
    }
    assert!(checked >= 5, "only {checked} Arabic strings have all six forms");

    // English: one and other; a category the table lacks, or a browser without Intl, gives `other`.
    let book = book_in("en");
    book.build_ok();
    let calls = json!([
        ["search_results", {"n": 1}], ["search_results", {"n": 2}], ["search_results", {"n": 0}],
        ["where_done_n", {"n": 1}], ["nav_pages_in", {"title": "<b>{n}</b>"}], ["no_such_key", {}]
    ]);
    let got = run(&node, &book.path("book"), &calls, "");
    assert_eq!(
        got["out"],
        json!(["1 result", "2 results", "0 results", "1 done by now", "Pages in <b>{n}</b>", "no_such_key"])
    );
    let got = run(&node, &book.path("book"), &calls, "no-intl");
    assert_eq!(got["out"][0], "1 results", "without Intl.PluralRules every count reads `other`");
}

#[test]
fn strings_js_carries_a_hostile_language_name_as_data() {
    let Some(node) = node() else { return };
    let hostile = "x-</script><script>alert(1)</script>\u{2028}\"'\\";
    let book = book_in(hostile);
    book.build_ok();
    let file = book.read("book/static/strings.js");
    assert!(!file.to_ascii_lowercase().contains("</script") && !file.contains('\u{2028}'), "{file}");
    let got = run(&node, &book.path("book"), &json!([["code_show", {}]]), "");
    assert_eq!(got["strings"]["lang"], hostile);
    assert_eq!(got["out"], json!(["Show hidden lines"]), "an unknown language reads English");
}

#[test]
fn every_bundled_table_has_every_key_with_the_same_placeholders() {
    let english = table("en");
    let names = |v: &toml::Value| -> BTreeSet<String> {
        let texts: Vec<&str> = match v {
            toml::Value::String(s) => vec![s.as_str()],
            toml::Value::Table(t) => t.values().map(|v| v.as_str().expect("plural forms are strings")).collect(),
            other => panic!("not a string or plural table: {other}"),
        };
        texts.iter().flat_map(|t| t.split('{').skip(1).map(|s| s[..s.find('}').unwrap()].to_string())).collect()
    };
    for lang in LANGUAGES {
        let t = table(lang);
        let keys: BTreeSet<&String> = t.keys().collect();
        assert_eq!(keys, english.keys().collect(), "{lang}.toml [js] keys");
        for (key, value) in &t {
            if let toml::Value::Table(forms) = value {
                assert!(forms.contains_key("other"), "{lang} {key}: a plural needs `other`");
                for f in forms.keys() {
                    assert!(["zero", "one", "two", "few", "many", "other"].contains(&f.as_str()), "{lang} {key}: {f}");
                }
            }
            let extra: Vec<String> = names(value).difference(&names(&english[key])).cloned().collect();
            assert!(extra.is_empty(), "{lang} {key} names {extra:?}, which the script does not fill in");
        }
    }
}

/// The scripts the theme and `serve` ship, by name.
fn scripts() -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = std::fs::read_dir(root().join("themes/default/static"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "js"))
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read_to_string(&p).unwrap()))
        .collect();
    out.push(("livereload.js".into(), std::fs::read_to_string(root().join("src/serve/livereload.js")).unwrap()));
    out.sort();
    out
}

/// The string literals of a script, and the fixed parts of its template literals; comments and
/// regular expressions are skipped.
fn literals(js: &str) -> Vec<String> {
    let cs: Vec<char> = js.chars().collect();
    let mut out = Vec::new();
    // Per open template literal, the depth of `{` in its current `${…}`.
    let mut templates: Vec<usize> = Vec::new();
    let mut last = ' '; // last significant character outside literals
    let mut i = 0;
    let read_template = |i: &mut usize, out: &mut Vec<String>| -> bool {
        // From just inside a template literal to its end (false) or to a `${` (true).
        let mut s = String::new();
        while *i < cs.len() {
            match cs[*i] {
                '\\' => {
                    s.push(cs[*i + 1]);
                    *i += 2;
                }
                '`' => {
                    *i += 1;
                    out.push(s);
                    return false;
                }
                '$' if cs.get(*i + 1) == Some(&'{') => {
                    *i += 2;
                    out.push(s);
                    return true;
                }
                c => {
                    s.push(c);
                    *i += 1;
                }
            }
        }
        out.push(s);
        false
    };
    while i < cs.len() {
        let c = cs[i];
        let next = cs.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < cs.len() && cs[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            i += 2;
            while i + 1 < cs.len() && !(cs[i] == '*' && cs[i + 1] == '/') {
                i += 1;
            }
            i += 2;
        } else if c == '/' && (!(last.is_alphanumeric() || "_$)]".contains(last)) || keyword_before(&cs, i)) {
            // A regular expression: to its closing slash outside a class.
            let mut class = false;
            i += 1;
            while i < cs.len() && (cs[i] != '/' || class) {
                match cs[i] {
                    '\\' => i += 1,
                    '[' => class = true,
                    ']' => class = false,
                    _ => {}
                }
                i += 1;
            }
            i += 1;
            last = ')';
        } else if c == '"' || c == '\'' {
            let mut s = String::new();
            i += 1;
            while i < cs.len() && cs[i] != c {
                if cs[i] == '\\' {
                    i += 1;
                }
                s.push(cs[i]);
                i += 1;
            }
            i += 1;
            out.push(s);
            last = ')';
        } else if c == '`' {
            i += 1;
            if read_template(&mut i, &mut out) {
                templates.push(0);
            }
            last = ')';
        } else if c == '}' && templates.last() == Some(&0) {
            templates.pop();
            i += 1;
            if read_template(&mut i, &mut out) {
                templates.push(0);
            }
            last = ')';
        } else {
            if let Some(depth) = templates.last_mut() {
                match c {
                    '{' => *depth += 1,
                    '}' => *depth -= 1,
                    _ => {}
                }
            }
            if !c.is_whitespace() {
                last = c;
            }
            i += 1;
        }
    }
    out
}

/// Whether the word before position `i` is a keyword after which `/` starts a regular expression.
fn keyword_before(cs: &[char], i: usize) -> bool {
    let mut j = i;
    while j > 0 && cs[j - 1].is_whitespace() {
        j -= 1;
    }
    let end = j;
    while j > 0 && (cs[j - 1].is_alphanumeric() || cs[j - 1] == '_' || cs[j - 1] == '$') {
        j -= 1;
    }
    let word: String = cs[j..end].iter().collect();
    ["return", "typeof", "case", "in", "of", "else", "void", "yield", "await"].contains(&word.as_str())
}

/// Whether a literal reads as words for a person: two words in a row, a capitalised word on its
/// own, or a word glued to a space at either end (a piece of a sentence built by `+`). A word is
/// letters only (with a closing punctuation mark): class names, selectors and CSS are not.
fn is_prose(s: &str) -> bool {
    let word = |t: &str| {
        let t = t.trim_end_matches([',', '.', ':', ';', '!', '?']);
        t.chars().count() >= 2 && t.chars().all(|c| c.is_alphabetic() || c == '\'' || c == '’')
    };
    let tokens: Vec<&str> = s.split(' ').collect();
    let two_words = tokens.windows(2).any(|w| word(w[0]) && word(w[1]));
    let cs: Vec<char> = s.chars().collect();
    let capitalised = cs.len() >= 3 && cs[0].is_uppercase() && cs[1..].iter().all(|c| c.is_lowercase());
    let glued = tokens.len() > 1
        && ((tokens[0].is_empty() && word(tokens[1]))
            || (tokens[tokens.len() - 1].is_empty() && word(tokens[tokens.len() - 2])));
    two_words || capitalised || glued
}

/// Literals that read like words but are code, each with why.
const ALLOWED: &[(&str, &str, &str)] = &[
    ("*", "use strict", "the strict-mode directive"),
    ("nav.js", "Escape", "a key name (KeyboardEvent.key)"),
    ("nav.js", "Esc", "a key name (KeyboardEvent.key, older browsers)"),
    ("search.js", "Enter", "a key name (KeyboardEvent.key)"),
    ("calc.js", "Text", "the end of a data attribute's name (data-build-text → dataset.buildText)"),
];

#[test]
fn no_script_shows_english_written_in_it() {
    let mut found = Vec::new();
    let mut allowed_used = BTreeSet::new();
    for (name, js) in scripts() {
        for lit in literals(&js) {
            if !is_prose(&lit) {
                continue;
            }
            match ALLOWED.iter().position(|(f, l, _)| (*f == "*" || *f == name) && *l == lit) {
                Some(at) => {
                    allowed_used.insert(at);
                }
                None => found.push(format!("{name}: {lit:?}")),
            }
        }
    }
    assert!(
        found.is_empty(),
        "words for the reader belong in the [js] table (themes/default/i18n/en.toml):\n{}",
        found.join("\n")
    );
    let stale: Vec<_> = (0..ALLOWED.len()).filter(|i| !allowed_used.contains(i)).map(|i| ALLOWED[i]).collect();
    assert!(stale.is_empty(), "allowed literals no script has any more: {stale:?}");
}

#[test]
fn the_scanner_finds_english_in_strings_and_templates_but_not_in_code() {
    let js = r#"const a = "Build now", b = `Not yet: from ${name(x)} on`, c = 'Changed';
        const r = /no such words/g, d = x / y / z; // a comment with words
        /* more words here */ e.textContent = n + " more"; f("ok", "data-when", "td[hidden], .mark");"#;
    let lits = literals(js);
    assert_eq!(
        lits,
        ["Build now", "Not yet: from ", " on", "Changed", " more", "ok", "data-when", "td[hidden], .mark"]
    );
    let prose: Vec<&String> = lits.iter().filter(|l| is_prose(l)).collect();
    assert_eq!(prose, ["Build now", "Not yet: from ", " on", "Changed", " more"]);
}

#[test]
fn every_key_the_scripts_use_is_in_the_table_and_every_key_is_used() {
    let english = table("en");
    let groups: BTreeSet<&str> = english.keys().map(|k| &k[..k.find('_').unwrap()]).collect();
    let mut used = BTreeSet::new();
    let mut unknown = Vec::new();
    for (name, js) in scripts() {
        for lit in literals(&js) {
            let is_key = lit.find('_').is_some_and(|at| groups.contains(&lit[..at]))
                && lit.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
            if !is_key {
                continue;
            }
            if english.contains_key(&lit) {
                used.insert(lit);
            } else {
                unknown.push(format!("{name}: {lit}"));
            }
        }
    }
    assert!(unknown.is_empty(), "keys missing from en.toml [js]: {unknown:?}");
    let unused: Vec<&String> = english.keys().filter(|k| !used.contains(*k)).collect();
    assert!(unused.is_empty(), "keys no script uses: {unused:?}");
}

/// The overlay `serve` shows over a page when a build fails, in the book's language.
#[test]
fn a_french_preview_shows_its_build_errors_in_french() {
    let Some(browser) = Browser::launch() else { return };
    let book = book_in("fr");
    let preview = Preview::launch(&book).wait(std::time::Duration::from_secs(20)).start();
    let tab = browser.new_tab();
    tab.goto(&preview.url("/guide/setup/"));
    let page = book.read("content/guide/setup.md");
    book.write("content/guide/setup.md", format!("{page}\nSee [the missing page](nowhere.md).\n"));
    let title = tab.wait_for(
        "document.getElementById('stagebook-errors') && document.querySelector('#stagebook-errors h2').textContent",
    );
    let fr = table("fr");
    let want = fr["serve_failed"]["one"].as_str().unwrap().replace("{n}", "1");
    assert_eq!(title, want.as_str());
    let text = tab.eval("document.getElementById('stagebook-errors').textContent");
    assert!(text.as_str().unwrap().contains(fr["serve_note"].as_str().unwrap()), "{text}");
    assert!(text.as_str().unwrap().contains("nowhere.md"), "{text}");
}

/// From `file://`, the scripted parts of a French page read French: the section toggles of the
/// sidebar (nav.js), with static/strings.js loaded by a plain script tag.
#[test]
fn a_french_page_labels_its_scripted_controls_in_french() {
    let Some(browser) = Browser::launch() else { return };
    let book = book_in("fr");
    book.build_ok();
    let tab = browser.new_tab();
    tab.goto(&file_url(&book.path("book/guide/advanced/tuning/index.html")));
    let labels = tab.eval("Array.from(document.querySelectorAll('.nav-toggle')).map(function (b) { return b.getAttribute('aria-label'); })");
    let labels: Vec<&str> = labels.as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    assert!(labels.contains(&"Pages de Guide"), "{labels:?}");
    assert!(!labels.iter().any(|l| l.starts_with("Pages in")), "{labels:?}");
    assert_eq!(tab.eval("document.documentElement.lang"), "fr");
    let strings: BTreeMap<String, Value> =
        serde_json::from_value(tab.eval("window.stagebookStrings.strings")).expect("strings.js loaded from file://");
    assert_eq!(strings["code_show"], table("fr")["code_show"].as_str().unwrap());
}
