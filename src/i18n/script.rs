//! `static/strings.js`: the `[js]` strings of the book's language, written once per build and
//! loaded by every page before the theme's scripts (static/i18n.js reads it). One shared file
//! instead of strings inlined into each page: pages stay small and a language costs one file.
//! A `<script>` file, not JSON to `fetch`, so pages opened from `file://` read it too.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

/// Where the file is published, under the output folder.
pub(crate) const STRINGS_JS: &str = "strings.js";

/// The script defining `window.stagebookStrings = {lang, dir, strings}` from a resolved (already
/// fallback-merged) `[js]` table. A value is a string or a plural table of strings
/// (`{zero, one, two, few, many, other}`); anything else, and a key that is not a plain
/// identifier (`a_z0_9`, starting with a letter, so never `__proto__`), is left out. Written
/// so no value can end the script early or break it: `<` is escaped (no `</script>` or
/// `<!--` even if the file is inlined one day) and so are U+2028 and U+2029, which older
/// engines read as line ends inside string literals.
pub(crate) fn strings_js(lang: &str, dir: &str, table: &BTreeMap<String, toml::Value>) -> String {
    let mut strings = Map::new();
    for (key, value) in table {
        if !is_key(key) {
            continue;
        }
        let value = match value {
            toml::Value::String(s) => Value::from(s.as_str()),
            toml::Value::Table(forms) => {
                let forms: Map<String, Value> = forms
                    .iter()
                    .filter(|(form, _)| PLURAL_FORMS.contains(&form.as_str()))
                    .filter_map(|(form, v)| v.as_str().map(|s| (form.clone(), Value::from(s))))
                    .collect();
                if !forms.contains_key("other") {
                    continue;
                }
                Value::Object(forms)
            }
            _ => continue,
        };
        strings.insert(key.clone(), value);
    }
    let mut data = Map::new();
    data.insert("lang".into(), Value::from(lang));
    data.insert("dir".into(), Value::from(dir));
    data.insert("strings".into(), Value::Object(strings));
    let json = serde_json::to_string(&Value::Object(data)).expect("a JSON value always serialises");
    format!("window.stagebookStrings = {};\n", script_safe(&json))
}

/// CLDR plural categories, the only keys of a plural table.
pub(crate) const PLURAL_FORMS: [&str; 6] = ["zero", "one", "two", "few", "many", "other"];

fn is_key(key: &str) -> bool {
    key.starts_with(|c: char| c.is_ascii_lowercase())
        && key.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// JSON text made safe inside a script: the escapes are valid JSON and JavaScript alike.
fn script_safe(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

/// `static/strings.js` for the resolved tables of the book's language (the handbook's own
/// tables over the built-in ones, along the fallback chain).
pub(crate) fn for_book(strings: &super::Translations) -> String {
    strings_js(strings.language(), strings.direction().as_str(), &strings.section("js"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(entries: &[(&str, toml::Value)]) -> BTreeMap<String, toml::Value> {
        entries.iter().map(|(k, v)| (k.to_string(), v.clone())).collect()
    }

    #[test]
    fn hostile_values_cannot_end_the_script() {
        let hostile = "</script><script>alert(1)</script><!-- \u{2028}\u{2029} \"quoted\" \\ back";
        let mut plural = toml::Table::new();
        plural.insert("other".into(), hostile.into());
        plural.insert("one".into(), "</SCRIPT>".into());
        let js =
            strings_js("fr\"</script>", "ltr", &table(&[("a", hostile.into()), ("b", toml::Value::Table(plural))]));
        assert!(!js.to_ascii_lowercase().contains("</script"), "{js}");
        assert!(!js.contains("<!--") && !js.contains('\u{2028}') && !js.contains('\u{2029}'), "{js}");
        let json = js.strip_prefix("window.stagebookStrings = ").unwrap().strip_suffix(";\n").unwrap();
        let back: Value = serde_json::from_str(json).unwrap();
        assert_eq!(back["strings"]["a"], hostile);
        assert_eq!(back["strings"]["b"]["one"], "</SCRIPT>");
        assert_eq!(back["lang"], "fr\"</script>");
        // And as a browser reads it: node runs the script and finds every value as written.
        if let Some(node) = node() {
            let mut run = std::process::Command::new(node)
                .args(["-e", "const c = {}; c.window = c; require('vm').runInNewContext(require('fs').readFileSync(0, 'utf8'), c); process.stdout.write(JSON.stringify(c.stagebookStrings))"])
                .stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::piped())
                .spawn()
                .expect("run node");
            std::io::Write::write_all(&mut run.stdin.take().unwrap(), js.as_bytes()).unwrap();
            let out = run.wait_with_output().unwrap();
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
            let read: Value = serde_json::from_slice(&out.stdout).unwrap();
            assert_eq!(read, back, "node reads what was written");
        }
    }

    /// `$NODE` or `node`, if it runs; under CI a missing node fails instead of skipping.
    fn node() -> Option<String> {
        let node = std::env::var("NODE").ok().filter(|n| !n.is_empty()).unwrap_or_else(|| "node".into());
        let works = std::process::Command::new(&node).arg("--version").output().is_ok_and(|o| o.status.success());
        let ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0");
        assert!(works || !ci, "CI is set but no node was found (install Debian's nodejs, or set NODE)");
        works.then_some(node)
    }

    #[test]
    fn only_identifier_keys_strings_and_plural_tables_are_written() {
        let mut plural = toml::Table::new();
        plural.insert("one".into(), "{n} page".into());
        plural.insert("other".into(), "{n} pages".into());
        plural.insert("lots".into(), "not a category".into());
        let mut no_other = toml::Table::new();
        no_other.insert("one".into(), "alone".into());
        let js = strings_js(
            "en",
            "ltr",
            &table(&[
                ("pages", toml::Value::Table(plural)),
                ("__proto__", "x".into()),
                ("Bad-Key", "x".into()),
                ("number", 3.into()),
                ("partial", toml::Value::Table(no_other)),
                ("ok_2", "fine".into()),
            ]),
        );
        assert_eq!(
            js,
            "window.stagebookStrings = {\"dir\":\"ltr\",\"lang\":\"en\",\"strings\":{\"ok_2\":\"fine\",\
             \"pages\":{\"one\":\"{n} page\",\"other\":\"{n} pages\"}}};\n"
        );
    }

    #[test]
    fn the_chain_goes_from_region_to_language_to_english() {}

    #[test]
    fn the_scripts_strings_fall_back_to_english_key_by_key_and_know_their_direction() {
        let theme = crate::theme::Theme::built_in();
        let load = |lang: &str| super::super::Translations::load(lang, &theme).unwrap().0;
        let en = load("en").section("js");
        assert_eq!(en["code_show"].as_str(), Some("Show hidden lines"));
        let fr = load("fr-CA").section("js");
        assert_eq!(fr.len(), en.len(), "every key, from French or English");
        assert_ne!(fr["code_show"], en["code_show"], "French first");
        assert!(for_book(&load("ar")).contains("\"dir\":\"rtl\""));
        assert_eq!(load("tlh").section("js"), en, "an unknown language reads English");
    }
}
