//! mdBook's `book.toml` keys that stagebook has no use for.
//!
//! An mdBook book must build as it is, so every key of mdBook's documented schema is known:
//! the ones with a stagebook meaning are fields of [`super::Config`] (under mdBook's own names,
//! type-checked like any other), and the rest are taken out of the document here, before the
//! strict schema reads it, each with one "ignored: mdBook setting" warning at its place. A key
//! neither stagebook nor mdBook knows (`ouptut`, `[output.html] edit-url-templat`) is left in
//! and stays an error.

use toml::de::{DeTable, DeValue};

use crate::diagnostics::Problem;

/// `[book]` keys mdBook reads and stagebook does not.
const BOOK: &[&str] = &["text-direction"];
/// `[build]` keys mdBook reads and stagebook does not.
const BUILD: &[&str] = &["create-missing", "use-default-preprocessors"];
/// `[output.html]` keys mdBook reads and stagebook does not (with a few older names mdBook
/// still accepted in books written for it: `curly-quotes`, `google-analytics`, `copy-fonts`,
/// `livereload-url`).
const HTML: &[&str] = &[
    "theme",
    "preferred-dark-theme",
    "smart-punctuation",
    "curly-quotes",
    "definition-lists",
    "admonitions",
    "mathjax-support",
    "no-section-label",
    "git-repository-icon",
    "input-404",
    "cname",
    "hash-files",
    "sidebar-header-nav",
    "live-reload-endpoint",
    "livereload-url",
    "google-analytics",
    "copy-fonts",
    // Tables: one warning for the whole table.
    "print",
    "fold",
    "playground",
    "playpen",
    "code",
    "search",
];

/// Where stagebook has its own setting for what an ignored key does, says so.
fn hint(path: &str) -> &'static str {
    match path {
        "build.create-missing" => " (stagebook never creates files in the source folder)",
        "output.html.smart-punctuation" | "output.html.curly-quotes" => {
            " (stagebook's is `[markdown] smart_punctuation`, on by default)"
        }
        "output.html.theme" => " (stagebook's themes are folders in themes/, chosen with `[theme] name`)",
        "output.html.search" => " (stagebook's search is set in `[search]`)",
        "output.html.git-repository-icon" => " (the repository is linked as `Source` in the footer)",
        _ => "",
    }
}

/// Takes mdBook's keys that stagebook ignores out of `doc` (a parsed book.toml); returns one
/// warning for each, at its key.
pub(super) fn set_aside(doc: &mut DeTable<'_>) -> Vec<Problem> {
    let mut found: Vec<(usize, String)> = Vec::new();
    // Whole sections that are only mdBook's: `[rust]`, every `[preprocessor.NAME]`.
    if let Some((key, value)) = doc.remove_entry("rust") {
        match value.into_inner() {
            DeValue::Table(t) if !t.is_empty() => {
                found.extend(t.keys().map(|k| (k.span().start, format!("rust.{}", k.get_ref()))))
            }
            _ => found.push((key.span().start, "rust".into())),
        }
    }
    // Every `[preprocessor.NAME]`, and every renderer but `[output.html]`.
    for section in ["preprocessor", "output"] {
        let Some(DeValue::Table(t)) = doc.get_mut(section).map(|v| v.get_mut()) else { continue };
        let names: Vec<_> = t.keys().filter(|k| section != "output" || k.get_ref() != "html").cloned().collect();
        for name in names {
            t.remove(name.get_ref().as_ref());
            found.push((name.span().start, format!("{section}.{}", name.get_ref())));
        }
        if let Some(DeValue::Table(html)) = t.get_mut("html").map(|v| v.get_mut()) {
            take(html, "output.html", HTML, &mut found);
        }
        // Nothing of stagebook's is left in `[preprocessor]`.
        if section == "preprocessor" && t.is_empty() {
            doc.remove("preprocessor");
        }
    }
    for (section, keys) in [("book", BOOK), ("build", BUILD)] {
        if let Some(DeValue::Table(t)) = doc.get_mut(section).map(|v| v.get_mut()) {
            take(t, section, keys, &mut found);
        }
    }
    found.sort();
    found
        .into_iter()
        .map(|(at, path)| Problem::warning(at, format!("ignored: mdBook setting `{path}`{}", hint(&path))))
        .collect()
}

/// Removes `keys` from `table` (the section at `path`), noting each one found.
fn take(table: &mut DeTable<'_>, path: &str, keys: &[&str], found: &mut Vec<(usize, String)>) {
    for key in keys {
        if let Some((name, _)) = table.remove_entry(*key) {
            found.push((name.span().start, format!("{path}.{key}")));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn aside(text: &str) -> (Vec<(usize, String)>, String) {
        let mut doc = DeTable::parse(text).unwrap().into_inner();
        let warnings = set_aside(&mut doc);
        let left: Vec<String> = doc.keys().map(|k| k.get_ref().to_string()).collect();
        (warnings.into_iter().map(|p| (p.offset, p.message)).collect(), left.join(","))
    }

    #[test]
    fn each_ignored_key_is_one_warning_at_its_place_and_is_taken_out() {
        let text = "[book]\ntitle = \"x\"\ntext-direction = \"ltr\"\n[rust]\nedition = \"2021\"\n\
                    [preprocessor.links]\n[preprocessor.katex]\nafter = [\"links\"]\n\
                    [output.html]\nmathjax-support = true\nedit-url-template = \"https://x/{path}\"\n\
                    [output.html.fold]\nenable = true\n[output.epub]\n";
        let (warnings, left) = aside(text);
        let at = |s: &str| text.find(s).unwrap();
        let places: Vec<usize> = warnings.iter().map(|w| w.0).collect();
        assert_eq!(
            places,
            [at("text-direction"), at("edition"), at("links]"), at("katex"), at("mathjax"), at("fold"), at("epub")]
        );
        assert!(warnings.iter().all(|w| w.1.starts_with("ignored: mdBook setting `")), "{warnings:?}");
        assert!(warnings[4].1.contains("`output.html.mathjax-support`"), "{}", warnings[4].1);
        // What stagebook reads (or reports) stays.
        assert_eq!(left, "book,output");
        let mut doc = DeTable::parse(text).unwrap().into_inner();
        set_aside(&mut doc);
        let Some(DeValue::Table(output)) = doc.get("output").map(|v| v.get_ref()) else { panic!() };
        let Some(DeValue::Table(html)) = output.get("html").map(|v| v.get_ref()) else { panic!() };
        assert_eq!(html.keys().map(|k| k.get_ref().to_string()).collect::<Vec<_>>(), ["edit-url-template"]);
    }

    #[test]
    fn keys_neither_knows_are_left_for_the_schema_to_report() {
        let (warnings, left) = aside("[ouptut.html]\n[build]\ncreate-mising = true\n[output.html]\nfoo = 1\n");
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(left, "build,ouptut,output");
    }
}
