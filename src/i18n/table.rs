//! One translation table file read and checked: `[meta]` and sections of texts, each text plain
//! or a set of CLDR plural forms. Anything else is an error at its `path:line:col`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use toml::de::{DeTable, DeValue};
use toml::Spanned;

use super::plural::CATEGORIES;
use crate::diagnostics::Diagnostic;

/// Which way the language is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Direction {
    Ltr,
    Rtl,
}

impl Direction {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Direction::Ltr => "ltr",
            Direction::Rtl => "rtl",
        }
    }
}

/// One interface string: a text, or one text per plural category (`forms[i]` for
/// `CATEGORIES[i]`; `other`, the last, is always there).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Text {
    Plain(String),
    Plural(Box<[Option<String>; 6]>),
}

impl Text {
    /// The table value as TOML (a string, or a table of the forms given).
    #[cfg_attr(not(test), allow(dead_code))]
    pub(crate) fn to_value(&self) -> toml::Value {
        match self {
            Text::Plain(s) => toml::Value::String(s.clone()),
            Text::Plural(forms) => toml::Value::Table(
                CATEGORIES
                    .iter()
                    .zip(forms.iter())
                    .filter_map(|(c, f)| Some((c.to_string(), toml::Value::String(f.clone()?))))
                    .collect(),
            ),
        }
    }
}

/// A text and where its key is (byte offset), for warnings about it.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub text: Text,
    pub at: usize,
}

/// A parsed table file.
#[derive(Debug, Clone)]
pub(crate) struct Table {
    pub shown: PathBuf,
    pub source: String,
    pub direction: Option<Direction>,
    /// Section name -> (offset of the section's name, key -> entry).
    pub sections: BTreeMap<String, (usize, BTreeMap<String, Entry>)>,
}

impl Table {
    /// A warning at byte `at` of this file.
    pub(crate) fn warning_at(&self, at: usize, message: impl Into<String>) -> Diagnostic {
        Diagnostic::at(self.shown.clone(), &self.source, at, message).warning()
    }
}

/// Reads `source` (the text of `shown`); every problem is an error at its place.
pub(crate) fn parse(shown: &Path, source: &str) -> Result<Table, Vec<Diagnostic>> {
    let error = |at: usize, message: String| Diagnostic::at(shown.to_path_buf(), source, at, message);
    let doc = DeTable::parse(source)
        .map_err(|e| vec![error(e.span().map_or(0, |s| s.start), e.message().trim().to_string())])?;
    let mut errors = Vec::new();
    let mut table =
        Table { shown: shown.to_path_buf(), source: source.to_string(), direction: None, sections: BTreeMap::new() };
    for (name, value) in doc.get_ref().iter() {
        let DeValue::Table(entries) = value.get_ref() else {
            errors.push(error(
                name.span().start,
                format!("`{}` must be a section ([{}])", name.get_ref(), name.get_ref()),
            ));
            continue;
        };
        if name.get_ref() == "meta" {
            table.direction = meta(entries, &error, &mut errors);
            continue;
        }
        let mut texts = BTreeMap::new();
        for (key, value) in entries.iter() {
            if let Some(text) = text(key, value, &error, &mut errors) {
                texts.insert(key.get_ref().to_string(), Entry { text, at: key.span().start });
            }
        }
        table.sections.insert(name.get_ref().to_string(), (name.span().start, texts));
    }
    if errors.is_empty() {
        Ok(table)
    } else {
        Err(errors)
    }
}

/// `[meta]`: `direction = "ltr" | "rtl"`; nothing else.
fn meta(
    entries: &DeTable<'_>,
    error: &impl Fn(usize, String) -> Diagnostic,
    errors: &mut Vec<Diagnostic>,
) -> Option<Direction> {
    let mut direction = None;
    for (key, value) in entries.iter() {
        if key.get_ref() != "direction" {
            errors.push(error(key.span().start, format!("unknown key `meta.{}` (known: direction)", key.get_ref())));
            continue;
        }
        match value.get_ref() {
            DeValue::String(s) if s == "ltr" => direction = Some(Direction::Ltr),
            DeValue::String(s) if s == "rtl" => direction = Some(Direction::Rtl),
            _ => errors.push(error(value.span().start, "`direction` must be \"ltr\" or \"rtl\"".to_string())),
        }
    }
    direction
}

/// A string, or a table of plural forms that has `other`.
fn text(
    key: &Spanned<std::borrow::Cow<'_, str>>,
    value: &Spanned<DeValue<'_>>,
    error: &impl Fn(usize, String) -> Diagnostic,
    errors: &mut Vec<Diagnostic>,
) -> Option<Text> {
    let wrong =
        || format!("`{}` must be a string or a table of plural forms ({})", key.get_ref(), CATEGORIES.join(", "));
    match value.get_ref() {
        DeValue::String(s) => Some(Text::Plain(s.to_string())),
        DeValue::Table(forms) => {
            let mut found: [Option<String>; 6] = Default::default();
            let before = errors.len();
            for (category, form) in forms.iter() {
                let Some(i) = CATEGORIES.iter().position(|c| *c == category.get_ref()) else {
                    errors.push(error(
                        category.span().start,
                        format!("unknown plural form `{}` (known: {})", category.get_ref(), CATEGORIES.join(", ")),
                    ));
                    continue;
                };
                match form.get_ref() {
                    DeValue::String(s) => found[i] = Some(s.to_string()),
                    _ => errors.push(error(
                        form.span().start,
                        format!("plural form `{}` must be a string", category.get_ref()),
                    )),
                }
            }
            if found[5].is_none() && errors.len() == before {
                errors.push(error(key.span().start, format!("`{}` has plural forms but no `other`", key.get_ref())));
            }
            (errors.len() == before).then(|| Text::Plural(Box::new(found)))
        }
        _ => {
            errors.push(error(value.span().start, wrong()));
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(source: &str) -> Vec<String> {
        parse(Path::new("t.toml"), source)
            .unwrap_err()
            .iter()
            .map(|d| format!("{}: {}", d.location(), d.message))
            .collect()
    }

    #[test]
    fn texts_and_plural_forms_are_read() {
        let t = parse(
            Path::new("t.toml"),
            "[meta]\ndirection = \"rtl\"\n[ui]\na = \"A\"\nb = { one = \"x\", other = \"y\" }\n",
        )
        .unwrap();
        assert_eq!(t.direction, Some(Direction::Rtl));
        let ui = &t.sections["ui"].1;
        assert_eq!(ui["a"].text, Text::Plain("A".into()));
        let Text::Plural(forms) = &ui["b"].text else { panic!("plural") };
        assert_eq!(forms[1].as_deref(), Some("x"));
        assert_eq!(forms[5].as_deref(), Some("y"));
        assert_eq!(ui["b"].text.to_value().to_string(), "{ one = \"x\", other = \"y\" }");
    }

    #[test]
    fn hostile_tables_are_errors_at_their_place() {
        assert_eq!(errors("[ui]\na = \"x\n"), ["t.toml:2:7: invalid basic string, expected `\"`"]);
        assert_eq!(
            errors("[ui]\na = 3\n"),
            ["t.toml:2:5: `a` must be a string or a table of plural forms (zero, one, two, few, many, other)"]
        );
        assert_eq!(errors("[ui]\na = { one = \"x\" }\n"), ["t.toml:2:1: `a` has plural forms but no `other`"]);
        assert_eq!(
            errors("[ui]\na = { lots = \"x\", other = \"y\" }\n")[0],
            "t.toml:2:7: unknown plural form `lots` (known: zero, one, two, few, many, other)"
        );
        assert_eq!(errors("[ui]\na = { other = 1 }\n"), ["t.toml:2:15: plural form `other` must be a string"]);
        assert_eq!(errors("[meta]\ndirection = \"up\"\n"), ["t.toml:2:13: `direction` must be \"ltr\" or \"rtl\""]);
        assert_eq!(errors("[meta]\ncolour = 1\n"), ["t.toml:2:1: unknown key `meta.colour` (known: direction)"]);
        assert_eq!(errors("ui = 1\n"), ["t.toml:1:1: `ui` must be a section ([ui])"]);
    }
}
