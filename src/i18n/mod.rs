//! The interface in the handbook's language: translation tables (`i18n/<lang>.toml` in the
//! theme), resolved once per build along the fallback chain `pt-BR` → `pt` → `en`, with the
//! handbook's own tables overriding the built-in ones key by key.
//!
//! English is the reference: its built-in table lists every key. A key another language lacks
//! is shown in English, and one warning lists all such keys; a key or section the handbook's
//! table adds that English does not have is a warning (a misspelt key would otherwise be
//! silently ignored). Templates read the strings through [`template::Lookup`] (`t(key=...)`).

mod plural;
pub(crate) mod script;
mod table;
pub(crate) mod template;

use std::collections::{BTreeMap, HashMap};

use crate::diagnostics::Diagnostic;
use crate::theme::{Source, Theme};

pub(crate) use plural::Plurals;
pub(crate) use table::{Direction, Text};

/// Languages written right to left, for a language whose table does not say (or has none).
const RTL: &[&str] = &["ar", "arc", "ckb", "dv", "fa", "he", "ks", "ku", "ps", "sd", "ug", "ur", "yi"];

/// The resolved strings of one language: every key of the English table, each from the most
/// specific table that has it.
#[derive(Debug)]
pub(crate) struct Translations {
    language: String,
    direction: Direction,
    sections: BTreeMap<String, HashMap<String, Text>>,
    plurals: Plurals,
}

/// The languages to look in, most specific first, lowercased: `pt-BR` → `pt-br`, `pt`, `en`.
fn chain(language: &str) -> Vec<String> {
    let mut chain = crate::lang::fallbacks(language);
    if chain.last().map(String::as_str) != Some("en") {
        chain.push("en".into());
    }
    chain
}

impl Translations {
    /// The tables for `language` from `theme`; returns them with the warnings found (missing
    /// and unknown keys), or every error (unreadable or malformed tables).
    pub(crate) fn load(language: &str, theme: &Theme) -> Result<(Translations, Vec<Diagnostic>), Vec<Diagnostic>> {
        let chain = chain(language);
        let mut errors = Vec::new();
        // (rank in the chain, from the handbook, table), most specific first; at one rank the
        // handbook's table before the built-in one.
        let mut layers = Vec::new();
        for (rank, lang) in chain.iter().enumerate() {
            for file in theme.i18n.get(lang).into_iter().flatten().rev() {
                let text = match file.source.read() {
                    Ok(bytes) => match String::from_utf8(bytes.into_owned()) {
                        Ok(text) => text,
                        Err(_) => {
                            errors.push(Diagnostic::error(file.shown.clone(), "translation table is not valid UTF-8"));
                            continue;
                        }
                    },
                    Err(e) => {
                        errors.push(Diagnostic::error(file.shown.clone(), format!("cannot read: {e}")));
                        continue;
                    }
                };
                match table::parse(&file.shown, &text) {
                    Ok(t) => layers.push((rank, matches!(file.source, Source::File(_)), t)),
                    Err(e) => errors.extend(e),
                }
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let english = chain.len() - 1;
        let Some((_, _, reference)) = layers.iter().find(|(rank, user, _)| *rank == english && !user) else {
            return Err(vec![Diagnostic::error(
                "themes/default/i18n/en.toml",
                "the built-in English table is missing",
            )]);
        };
        let mut warnings = Vec::new();
        for (_, _, t) in layers.iter().filter(|(_, user, _)| *user) {
            warnings.extend(unknown_keys(t, reference));
        }
        let primary = chain[0].split('-').next().unwrap_or_default();
        let translated = |rank: usize| rank < english || primary == "en";
        let mut sections = BTreeMap::new();
        let mut missing = Vec::new();
        for (name, (_, keys)) in &reference.sections {
            let mut resolved = HashMap::with_capacity(keys.len());
            for key in keys.keys() {
                let (rank, text) = layers
                    .iter()
                    .find_map(|(rank, _, t)| Some((*rank, &t.sections.get(name)?.1.get(key)?.text)))
                    .expect("the reference table has every key");
                if !translated(rank) {
                    missing.push(format!("{name}.{key}"));
                }
                resolved.insert(key.clone(), text.clone());
            }
            sections.insert(name.clone(), resolved);
        }
        let own = layers.iter().find(|(rank, _, _)| translated(*rank));
        match own {
            None => warnings.push(
                Diagnostic::error(
                    format!("themes/{}/i18n/{}.toml", theme_folder(theme), chain[0]),
                    format!(
                        "no translation table for language `{language}`: the interface is in English \
                         (add this file to translate it)"
                    ),
                )
                .warning(),
            ),
            Some((_, _, t)) if !missing.is_empty() => warnings.push(
                Diagnostic::error(
                    t.shown.clone(),
                    format!(
                        "{} interface string{} not translated for `{language}`, shown in English: {}",
                        missing.len(),
                        if missing.len() == 1 { " is" } else { "s are" },
                        missing.join(", ")
                    ),
                )
                .warning(),
            ),
            Some(_) => {}
        }
        let direction = layers
            .iter()
            .filter(|(rank, _, _)| translated(*rank))
            .find_map(|(_, _, t)| t.direction)
            .unwrap_or(if RTL.contains(&primary) { Direction::Rtl } else { Direction::Ltr });
        let translations =
            Translations { language: language.to_string(), direction, sections, plurals: Plurals::new(language) };
        Ok((translations, warnings))
    }

    /// The built-in English strings alone (tests, and renderers made without a handbook).
    pub(crate) fn english() -> Translations {
        Translations::load("en", &Theme::built_in()).expect("the built-in English table is valid").0
    }

    /// `[book] language` as written: the `lang` of every page.
    pub(crate) fn language(&self) -> &str {
        &self.language
    }

    pub(crate) fn direction(&self) -> Direction {
        self.direction
    }

    /// Every key of a section with its resolved value: a string, or a table of plural forms
    /// (`zero`…`other`, the ones given). Empty for a section English does not have.
    // For static/strings.js (the `[js]` section, src/i18n/script.rs).
    pub(crate) fn section(&self, name: &str) -> BTreeMap<String, toml::Value> {
        self.sections.get(name).map(|s| s.iter().map(|(k, v)| (k.clone(), v.to_value())).collect()).unwrap_or_default()
    }

    /// The text of a key of `[ui]`, in the form for the count `n` when it has plural forms
    /// (`other` without a count).
    pub(crate) fn ui(&self, key: &str, n: Option<u64>) -> Option<&str> {
        self.text("ui", key, n)
    }

    /// The text of `section.key` for the count `n`.
    pub(crate) fn text(&self, section: &str, key: &str, n: Option<u64>) -> Option<&str> {
        match self.sections.get(section)?.get(key)? {
            Text::Plain(s) => Some(s),
            Text::Plural(forms) => {
                let chosen = n.and_then(|n| forms[self.plurals.category(n)].as_deref());
                Some(chosen.unwrap_or_else(|| forms[5].as_deref().expect("`other` is required")))
            }
        }
    }

    /// [`Translations::ui`] with its `{name}` placeholders filled from `args`: plain text, for
    /// callers that escape it themselves (page titles, descriptions).
    pub(crate) fn ui_plain(&self, key: &str, n: Option<u64>, args: &[(&str, &str)]) -> String {
        let text = self.ui(key, n).unwrap_or(key);
        template::fill_plain(text, |name| {
            if name == "n" {
                return n.map(|n| n.to_string());
            }
            args.iter().find(|(k, _)| *k == name).map(|(_, v)| v.to_string())
        })
    }
}

/// The theme folder a handbook adds a table to.
fn theme_folder(theme: &Theme) -> &str {
    &theme.name
}

/// Warnings for the sections and keys of a handbook's table that English does not have.
fn unknown_keys(table: &table::Table, reference: &table::Table) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    for (name, (at, keys)) in &table.sections {
        let Some((_, known)) = reference.sections.get(name) else {
            let names: Vec<&str> = reference.sections.keys().map(String::as_str).collect();
            found.push(table.warning_at(*at, format!("unknown section `[{name}]` (known: {})", names.join(", "))));
            continue;
        };
        for (key, entry) in keys {
            if !known.contains_key(key) {
                found.push(table.warning_at(
                    entry.at,
                    format!("unknown key `{name}.{key}`: the English table has no such string, so it is never shown"),
                ));
            }
        }
    }
    found
}

#[cfg(test)]
mod tests;
