use std::collections::BTreeSet;
use std::path::PathBuf;

use super::*;
use crate::theme::ThemeFile;

/// The built-in theme plus the handbook tables `files` ((language, text)), written to a
/// temporary folder as a handbook's theme would have them.
fn theme_with(files: &[(&str, &str)]) -> (Theme, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let mut theme = Theme::built_in();
    for (lang, text) in files {
        let path = dir.path().join(format!("{lang}.toml"));
        std::fs::write(&path, text).unwrap();
        let shown = PathBuf::from(format!("themes/house/i18n/{lang}.toml"));
        theme.i18n.entry(lang.to_ascii_lowercase()).or_default().push(ThemeFile { source: Source::File(path), shown });
    }
    (theme, dir)
}

fn load(language: &str, files: &[(&str, &str)]) -> (Translations, Vec<String>) {
    let (theme, _dir) = theme_with(files);
    let (t, warnings) = Translations::load(language, &theme).unwrap();
    (t, warnings.iter().map(|d| format!("{}: {}", d.location(), d.message)).collect())
}

#[test]
fn the_chain_goes_from_region_to_base_to_english() {
    assert_eq!(chain("pt-BR"), ["pt-br", "pt", "en"]);
    assert_eq!(chain("zh_Hant_TW"), ["zh-hant-tw", "zh-hant", "zh", "en"]);
    assert_eq!(chain("en-GB"), ["en-gb", "en"]);
    assert_eq!(chain("en"), ["en"]);
}

#[test]
fn a_regional_table_overrides_its_base_which_overrides_english() {
    let (t, warnings) = load("pt-BR", &[("pt-BR", "[ui]\nusers = \"Usuários (BR)\"\n")]);
    assert_eq!(warnings, Vec::<String>::new());
    assert_eq!(t.ui("users", None), Some("Usuários (BR)"));
    assert_eq!(t.ui("goal", None), Some("Objetivo"), "from the built-in pt table");
    assert_eq!(t.language(), "pt-BR");
    // Without a regional table the base language is used as it is.
    let (t, warnings) = load("pt-BR", &[]);
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(t.ui("users", None), Some("Usuários"));
}

#[test]
fn a_handbook_overrides_one_string_and_is_warned_about_unknown_keys() {
    let (t, warnings) = load(
        "fr",
        &[("fr", "[ui]\nusers = \"Clients\"\nuserz = \"Typo\"\n[jss]\nx = \"y\"\n[meta]\ndirection = \"ltr\"\n")],
    );
    assert_eq!(t.ui("users", None), Some("Clients"));
    assert_eq!(t.ui("goal", None), Some("Objectif"), "the rest stays the built-in French");
    let sections: Vec<&str> = t.sections.keys().map(String::as_str).collect();
    assert_eq!(
        warnings,
        [
            format!("themes/house/i18n/fr.toml:4:2: unknown section `[jss]` (known: {})", sections.join(", ")),
            "themes/house/i18n/fr.toml:3:1: unknown key `ui.userz`: the English table has no such string, so it is never shown".to_string(),
        ]
    );
    // English itself can be reworded the same way.
    let (t, warnings) = load("en", &[("en", "[ui]\nusers = \"Customers\"\n")]);
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(t.ui("users", None), Some("Customers"));
}

#[test]
fn missing_keys_fall_back_to_english_with_one_warning() {
    let (t, warnings) = load("nl", &[("nl", "[ui]\nusers = \"Gebruikers\"\ngoal = \"Doel\"\n")]);
    assert_eq!(t.ui("users", None), Some("Gebruikers"));
    assert_eq!(t.ui("menu", None), Some("Menu"));
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    let english = Translations::english();
    let total: usize = english.sections.values().map(|s| s.len()).sum();
    let expected = format!("themes/house/i18n/nl.toml: {} interface strings are not translated for `nl`", total - 2);
    assert!(warnings[0].starts_with(&expected), "{}", warnings[0]);
    assert!(warnings[0].contains("ui.menu") && !warnings[0].contains("ui.users"), "{}", warnings[0]);
    // A language with no table at all: one warning naming the file to add.
    let (t, warnings) = load("nl-BE", &[]);
    assert_eq!(t.ui("menu", None), Some("Menu"));
    assert_eq!(
        warnings,
        ["themes/default/i18n/nl-be.toml: no translation table for language `nl-BE`: the interface is in English (add this file to translate it)"]
    );
    // English variants are not translations.
    assert!(load("en-GB", &[]).1.is_empty());
}

#[test]
fn direction_comes_from_the_table_or_the_language() {
    assert_eq!(load("ar", &[]).0.direction(), Direction::Rtl);
    assert_eq!(load("ar-EG", &[]).0.direction(), Direction::Rtl);
    assert_eq!(load("fr", &[]).0.direction(), Direction::Ltr);
    // Hebrew has no bundled table: known to be right to left all the same.
    assert_eq!(load("he", &[]).0.direction(), Direction::Rtl);
    assert_eq!(load("xx", &[("xx", "[meta]\ndirection = \"rtl\"\n")]).0.direction(), Direction::Rtl);
}

#[test]
fn hostile_tables_are_errors_at_their_place() {
    let (theme, _dir) = theme_with(&[("fr", "[ui]\nusers = [1, 2]\n"), ("pt", "[ui\n")]);
    let errors = Translations::load("fr", &theme).unwrap_err();
    assert_eq!(errors.len(), 1, "only the tables the language reads");
    assert_eq!(errors[0].location(), "themes/house/i18n/fr.toml:2:9");
    let (theme, _dir) = theme_with(&[("fr", "\u{0}")]);
    assert!(Translations::load("fr", &theme).is_err());
}

#[test]
fn arabic_counts_take_six_forms() {
    let t = load("ar", &[]).0;
    let forms: Vec<&str> = [0, 1, 2, 3, 11, 100].iter().map(|&n| t.ui("show_empty", Some(n)).unwrap()).collect();
    let distinct: BTreeSet<&&str> = forms.iter().collect();
    assert_eq!(distinct.len(), 6, "{forms:#?}");
    assert_eq!(
        t.ui_plain("show_empty", Some(11), &[("stage", "س")]),
        forms[4].replace("{n}", "11").replace("{stage}", "س")
    );
}

/// Placeholders (`{name}`, `[..](name)`) of a text, sorted.
fn slots(text: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut rest = text;
    while let Some(open) = rest.find(['{', '(']) {
        let link = rest[..open].ends_with(']');
        if !link && rest[open..].starts_with('(') {
            rest = &rest[open + 1..];
            continue;
        }
        let close = if rest[open..].starts_with('{') { '}' } else { ')' };
        let Some(len) = rest[open..].find(close) else { break };
        found.insert(rest[open..open + len + 1].to_string());
        rest = &rest[open + len + 1..];
    }
    found
}

fn all_forms(text: &Text) -> Vec<&str> {
    match text {
        Text::Plain(s) => vec![s.as_str()],
        Text::Plural(forms) => forms.iter().flatten().map(String::as_str).collect(),
    }
}

#[test]
fn bundled_tables_have_every_english_key_and_keep_its_placeholders() {
    let theme = Theme::built_in();
    let english = Translations::english();
    let languages: Vec<&String> = theme.i18n.keys().collect();
    assert_eq!(languages, ["ar", "de", "en", "es", "fr", "ja", "pt"]);
    for lang in languages {
        let (t, warnings) = Translations::load(lang, &theme).unwrap();
        assert!(warnings.is_empty(), "{lang}: {warnings:?}");
        for (section, keys) in &english.sections {
            for (key, text) in keys {
                let theirs = &t.sections[section][key];
                // `{n}` may go unsaid where the language needs no number ("one stage").
                let want: BTreeSet<String> = all_forms(text).iter().flat_map(|f| slots(f)).collect();
                for form in all_forms(theirs) {
                    let got = slots(form);
                    let extra: Vec<_> = got.difference(&want).collect();
                    assert!(extra.is_empty(), "{lang} {section}.{key}: unknown placeholders {extra:?} in {form:?}");
                    let lost: Vec<_> = want.difference(&got).filter(|s| *s != "{n}").collect();
                    assert!(
                        lost.is_empty() || matches!(theirs, Text::Plural(_)),
                        "{lang} {section}.{key}: {lost:?} missing from {form:?}"
                    );
                }
            }
        }
    }
}

#[test]
fn sections_come_out_resolved_for_scripts() {
    let t = load("fr", &[("fr", "[ui]\nusers = \"Clients\"\n")]).0;
    let ui = t.section("ui");
    assert_eq!(ui["users"], toml::Value::String("Clients".into()));
    assert!(matches!(&ui["show_empty"], toml::Value::Table(forms) if forms.contains_key("other")));
    assert_eq!(ui.len(), Translations::english().sections["ui"].len());
    assert!(t.section("nope").is_empty());
}
