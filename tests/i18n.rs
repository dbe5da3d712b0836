//! The interface in the handbook's language: a French handbook shows no English string of the
//! theme, tables are overridden and extended from the handbook's theme folder, and `init`
//! writes a French sample.

mod common;
use std::collections::BTreeMap;
use std::path::Path;

use common::{files_under, text_of, Book};

/// English values identical in French, or too generic to tell apart from other text, with why.
const SAME_IN_FRENCH: &[(&str, &str)] = &[
    ("ui.menu", "\"Menu\" is the French word too"),
    ("ui.search_pages", "\"Pages\" is the French word too"),
    ("ui.aspect", "\"Aspect\" is the French word too"),
    ("ui.section_badge", "\"Section\" is the French word too"),
    ("ui.source_link", "\"Source\" is the French word too"),
    ("ui.source_label", "\"Source:\" is \"Source :\" in French: the same word, spaced"),
    ("ui.list_separator", "punctuation only: \", \""),
    ("ui.with_count", "no words: \"{label} ({n})\""),
    ("js.filter_count", "\"{shown} of {n} aspects\": \"aspects\" is the French word too"),
    ("js.export_ask", "\"Import\" is a French word too (\"Import annulé\")"),
    ("js.calc_about", "no words: \"≈ {range}\""),
    ("js.list_comma", "punctuation only"),
];

/// The words of an English value worth looking for: its text between `{slots}`, and the text
/// of its `[links](name)`, each at least three letters long (shorter pieces such as "of" or
/// "to" occur in any text, so finding them proves nothing).
fn fragments(value: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut piece = String::new();
    let mut chars = value.chars().peekable();
    let mut flush = |piece: &mut String| {
        let t = piece.trim().trim_end_matches([':', '.', ',']).trim();
        if t.chars().filter(|c| c.is_alphabetic()).count() >= 3 {
            out.push(t.to_string());
        }
        piece.clear();
    };
    while let Some(c) = chars.next() {
        match c {
            '{' => {
                flush(&mut piece);
                for c in chars.by_ref() {
                    if c == '}' {
                        break;
                    }
                }
            }
            '[' => flush(&mut piece),
            ']' => {
                flush(&mut piece);
                // The `(name)` of a link is no text.
                if chars.peek() == Some(&'(') {
                    for c in chars.by_ref() {
                        if c == ')' {
                            break;
                        }
                    }
                }
            }
            c => piece.push(c),
        }
    }
    flush(&mut piece);
    out
}

/// Every value of every section of a table but `[meta]`, as (section.key, text), each plural
/// form apart.
fn values(path: &Path) -> Vec<(String, String)> {
    let table: BTreeMap<String, toml::Value> = toml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut out = Vec::new();
    for (section, entries) in table.iter().filter(|(s, _)| *s != "meta") {
        for (key, value) in entries.as_table().unwrap() {
            let name = format!("{section}.{key}");
            match value {
                toml::Value::String(s) => out.push((name, s.clone())),
                toml::Value::Table(forms) => {
                    out.extend(forms.values().map(|f| (name.clone(), f.as_str().unwrap().to_string())))
                }
                other => panic!("{name}: {other:?}"),
            }
        }
    }
    out
}

/// The attributes a reader sees or hears (labels, titles, placeholders, descriptions), not
/// the ones only code reads (class names, ids, `name`, `data-*`).
const SHOWN_ATTRIBUTES: [&str; 6] = ["aria-label", "title", "placeholder", "alt", "content", "label"];

/// The values of the shown attributes of an HTML document, entities decoded.
fn attributes(html: &str) -> String {
    let mut out = String::new();
    for (i, _) in html.match_indices("=\"") {
        let name_start = html[..i].rfind(|c: char| c.is_whitespace()).map_or(0, |s| s + 1);
        if !SHOWN_ATTRIBUTES.contains(&&html[name_start..i]) {
            continue;
        }
        let rest = &html[i + 2..];
        if let Some(end) = rest.find('"') {
            out.push_str(&text_of(&rest[..end]));
            out.push('\n');
        }
    }
    out
}

/// Whether `needle` occurs in `hay` as whole words (not inside a longer word).
fn has_words(hay: &str, needle: &str) -> bool {
    hay.match_indices(needle).any(|(i, _)| {
        let before = hay[..i].chars().next_back().is_none_or(|c| !c.is_alphanumeric());
        let after = hay[i + needle.len()..].chars().next().is_none_or(|c| !c.is_alphanumeric());
        before && after
    })
}

#[test]
fn the_french_handbook_shows_no_english_interface_string() {
    let book = Book::fixture("i18n-fr");
    let run = book.build_ok();
    assert!(!run.stderr.contains("warning"), "the French table is complete: {}", run.stderr);
    let english = values(&Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default/i18n/en.toml"));
    assert!(english.len() > 100, "{} values", english.len());
    let excluded: Vec<&str> = SAME_IN_FRENCH.iter().map(|(k, _)| *k).collect();
    // What a reader sees or hears: text and attributes of every page (redirects and 404
    // included), and the scripts' strings.
    let all = files_under(&book.path("book"));
    let mut pages = 0;
    let mut haystacks = Vec::new();
    for path in &all {
        let rel = path.strip_prefix(book.path("book")).unwrap().to_string_lossy().replace('\\', "/");
        let text = std::fs::read_to_string(path).unwrap_or_default();
        if rel.ends_with(".html") {
            pages += 1;
            haystacks.push((rel, format!("{}\n{}", text_of(&text), attributes(&text))));
        } else if rel == "static/strings.js" {
            // (static/toc.js holds the sidebar's titles, which every page's own sidebar shows
            // too, and URLs, whose words are not shown.) Its values only: its keys are names.
            haystacks.push((rel, script_values(&text)));
        }
    }
    assert!(pages >= 14, "{pages} pages");
    for generated in ["stages/lancement/index.html", "categories/fiabilite/index.html", "matrix/index.html", "404.html"]
    {
        assert!(haystacks.iter().any(|(r, _)| r == generated), "{generated} built");
    }
    assert!(haystacks.iter().any(|(r, _)| r == "guide/ancien-demarrage.html"), "a redirect page");
    let mut found = Vec::new();
    for (key, value) in &english {
        if excluded.contains(&key.as_str()) {
            continue;
        }
        for fragment in fragments(value) {
            for (rel, hay) in &haystacks {
                if has_words(hay, &fragment) {
                    found.push(format!("{key} {fragment:?} in {rel}"));
                }
            }
        }
    }
    assert!(found.is_empty(), "English interface text in the French handbook:\n{}", found.join("\n"));
    // And the French is there, with its plural forms and accents.
    let stage = book.read("book/stages/lancement/index.html");
    assert!(stage.contains("<html lang=\"fr\" dir=\"ltr\""), "{}", &stage[..200]);
    for french in
        ["Aller au contenu", "<dd>2 sur 3</dd>", "Où en sommes-nous ?", "Nouveau ou modifié à l’étape Lancement"]
    {
        assert!(stage.contains(french), "{french}");
    }
    let redirect = book.read("book/guide/ancien-demarrage.html");
    assert!(redirect.contains("<html lang=\"fr\" dir=\"ltr\">") && redirect.contains("Cette page a été déplacée"));
    let not_found = book.read("book/404.html");
    assert!(not_found.contains("<title>Page introuvable · Carnet d’équipe</title>"), "{not_found}");
    assert!(not_found.contains("dans <cite>Carnet d’équipe</cite>."), "{not_found}");
}

#[test]
fn the_fragments_of_a_value_are_its_words_between_placeholders() {
    assert_eq!(fragments("Stage {number} of {total}"), ["Stage"]);
    assert_eq!(
        fragments("See [the whole matrix](matrix) for all {n} categories, or a [stage](stages) for it."),
        ["See", "the whole matrix", "for all", "categories, or a", "stage", "for it"]
    );
    assert_eq!(fragments("Duration (weeks)"), ["Duration (weeks)"]);
    assert!(has_words("a Stage b", "Stage") && !has_words("Stages", "Stage") && !has_words("aStage", "Stage"));
}

#[test]
fn a_handbook_overrides_a_string_and_is_warned_about_unknown_keys() {
    let book = Book::fixture("i18n-fr");
    book.write("themes/default/i18n/fr.toml", "[ui]\nusers = \"Clients\"\nuserz = \"Faute\"\n");
    let run = book.build_ok();
    assert!(
        run.stderr.contains(
            "themes/default/i18n/fr.toml:3:1: warning: unknown key `ui.userz`: the English table has no such string"
        ),
        "{}",
        run.stderr
    );
    let stage = book.read("book/stages/lancement/index.html");
    assert!(stage.contains("<dt>Clients</dt>") && stage.contains("<dt>Question centrale</dt>"));
}

#[test]
fn a_malformed_table_is_an_error_at_its_place() {
    let book = Book::fixture("i18n-fr");
    book.write("themes/default/i18n/fr.toml", "[ui]\nusers = 3\ngoal = { one = \"x\" }\n");
    let run = book.build();
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert!(run.stderr.contains("themes/default/i18n/fr.toml:2:9: error: `users` must be a string"), "{}", run.stderr);
    assert!(run.stderr.contains("themes/default/i18n/fr.toml:3:1: error: `goal` has plural forms but no `other`"));
    assert!(!run.stderr.contains("panicked"));
    assert!(!book.exists("book"), "nothing written");
}

#[test]
fn a_new_language_falls_back_to_english_with_one_warning() {
    let book = Book::fixture("i18n-fr");
    let toml = book.read("book.toml").replace("language = \"fr\"", "language = \"nl\"");
    book.write("book.toml", toml);
    book.write("themes/default/i18n/nl.toml", "[ui]\nskip_to_content = \"Naar de inhoud\"\n");
    let run = book.build_ok();
    assert_eq!(run.stderr.matches("warning").count(), 1, "{}", run.stderr);
    assert!(run.stderr.contains("themes/default/i18n/nl.toml: warning: "), "{}", run.stderr);
    assert!(run.stderr.contains("not translated for `nl`, shown in English: ") && run.stderr.contains("ui.menu"));
    let home = book.read("book/index.html");
    assert!(home.contains("Naar de inhoud") && home.contains("aria-label=\"Menu\""), "{home}");
    assert!(home.contains("<html lang=\"nl\" dir=\"ltr\""));
}

#[test]
fn a_regional_language_reads_its_base_table_and_arabic_is_right_to_left() {
    let book = Book::fixture("i18n-fr");
    let toml = book.read("book.toml");
    book.write("book.toml", toml.replace("language = \"fr\"", "language = \"pt-BR\""));
    let run = book.build_ok();
    assert!(!run.stderr.contains("warning"), "{}", run.stderr);
    let home = book.read("book/index.html");
    assert!(home.contains("<html lang=\"pt-BR\" dir=\"ltr\"") && home.contains("Ir para o conteúdo"), "{home}");
    book.write("book.toml", toml.replace("language = \"fr\"", "language = \"ar\""));
    book.build_ok();
    let stage = book.read("book/stages/croissance/index.html");
    assert!(stage.contains("<html lang=\"ar\" dir=\"rtl\"") && stage.contains("انتقل إلى المحتوى"));
    assert!(book.read("book/guide/ancien-demarrage.html").contains("<html lang=\"ar\" dir=\"rtl\">"));
}

#[test]
fn init_writes_a_french_sample_that_builds_in_french() {
    let book = Book::fixture("i18n-fr");
    let run = book.run(&["init", "nouveau", "--language", "fr"]);
    assert!(run.ok, "{}", run.stderr);
    let config = book.read("nouveau/book.toml");
    assert!(config.contains("title = \"Manuel d’ingénierie\"") && config.contains("language = \"fr\""), "{config}");
    let run = book.run(&["build", "nouveau"]);
    assert!(run.ok && !run.stderr.contains("warning"), "{}", run.stderr);
    let page = book.read("nouveau/book/premiers-pas/index.html");
    assert!(page.contains("<html lang=\"fr\" dir=\"ltr\"") && page.contains("Aller au contenu"));
    assert!(book.read("nouveau/book/stages/lancement/index.html").contains("Où en sommes-nous ?"));
    let bad = book.run(&["init", "autre", "--language", "fr\"x"]);
    assert_eq!(bad.code, Some(1));
    assert!(bad.stderr.contains("is not a language tag"), "{}", bad.stderr);
}

/// The shown strings of static/strings.js (`window.stagebookStrings = {lang, dir, strings}`),
/// one a line, plural forms each on their own.
fn script_values(script: &str) -> String {
    let json = &script[script.find('{').expect("an object")..=script.rfind('}').expect("an object")];
    let value: serde_json::Value = serde_json::from_str(json).expect("strings.js holds JSON");
    fn walk(v: &serde_json::Value, out: &mut String) {
        match v {
            // `{name}` slots are filled by the script, never shown as such.
            serde_json::Value::String(s) => {
                let mut rest = s.as_str();
                while let Some(open) = rest.find('{') {
                    out.push_str(&rest[..open]);
                    out.push(' ');
                    rest = rest[open..].find('}').map_or("", |close| &rest[open + close + 1..]);
                }
                out.push_str(rest);
                out.push('\n');
            }
            serde_json::Value::Object(o) => o.values().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    let mut out = String::new();
    walk(&value["strings"], &mut out);
    assert!(!out.is_empty(), "strings.js has strings");
    out
}
