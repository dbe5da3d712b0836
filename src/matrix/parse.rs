//! Reading the matrix file: every entry is deserialised on its own (so one bad entry does not
//! hide the errors of the others), then cross-references are checked. Errors carry byte
//! offsets into the file.

use std::collections::{BTreeMap, HashMap};

use serde::Deserialize;
use toml::de::{DeTable, DeValue, ValueDeserializer};
use toml::Spanned;

use super::{
    Aspect, Category, Checklist, Column, Cost, DurationUnit, Figure, Item, Matrix, Md, Range, Row, Stage, Table,
};

/// An error at a byte offset of the file.
pub(super) use crate::diagnostics::Problem as Error;
use crate::diagnostics::Problem;

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawMeta {
    title: Option<String>,
    #[serde(default)]
    description: Option<Spanned<String>>,
    currency: Option<String>,
    weight: Option<i64>,
    none_text: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStage {
    id: Spanned<String>,
    name: String,
    #[serde(default)]
    users: String,
    #[serde(default)]
    goal: String,
    #[serde(default)]
    question: String,
    #[serde(default)]
    summary: Option<Spanned<String>>,
    cost: Option<RawCost>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCost {
    build: Option<Spanned<RawFigure>>,
    weeks: Option<Spanned<RawFigure>>,
    months: Option<Spanned<RawFigure>>,
    monthly: Option<Spanned<RawFigure>>,
    #[serde(default)]
    source: Option<Spanned<String>>,
    currency: Option<String>,
}

/// A cost figure as written: `[min, max]`, or text where the source gives words, not a number.
/// Deserialised by hand because serde's untagged enums lose the element spans that errors
/// point at.
enum RawFigure {
    Range(Vec<Spanned<i64>>),
    Text(String),
}

impl<'de> Deserialize<'de> for RawFigure {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Either;
        impl<'de> serde::de::Visitor<'de> for Either {
            type Value = RawFigure;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a range `[min, max]` of two integers, or text such as \"nearly zero\"")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<RawFigure, E> {
                Ok(RawFigure::Text(v.to_string()))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<RawFigure, A::Error> {
                let mut values = Vec::new();
                while let Some(v) = seq.next_element::<Spanned<i64>>()? {
                    values.push(v);
                }
                Ok(RawFigure::Range(values))
            }
        }
        d.deserialize_any(Either)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCategory {
    id: Spanned<String>,
    name: String,
    #[serde(default)]
    lesson: Option<Spanned<String>>,
    #[serde(default)]
    intro: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAspect {
    id: Spanned<String>,
    category: Spanned<String>,
    name: String,
    #[serde(default)]
    note: Option<Spanned<String>>,
    cells: Option<Spanned<BTreeMap<String, Spanned<String>>>>,
    #[serde(default)]
    empty: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawChecklist {
    id: Spanned<String>,
    title: String,
    #[serde(default)]
    stages: Vec<Spanned<String>>,
    category: Option<Spanned<String>>,
    #[serde(default)]
    intro: Option<Spanned<String>>,
    #[serde(default)]
    source: Option<Spanned<String>>,
    #[serde(default)]
    ordered: bool,
    kind: Option<Spanned<String>>,
    #[serde(default, rename = "item")]
    items: Vec<RawItem>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawItem {
    id: Spanned<String>,
    text: Spanned<String>,
    category: Option<Spanned<String>>,
    #[serde(default)]
    detail: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTable {
    id: Spanned<String>,
    title: String,
    #[serde(default)]
    intro: Option<Spanned<String>>,
    #[serde(default)]
    source: Option<Spanned<String>>,
    columns: Vec<RawColumn>,
    #[serde(default, rename = "row")]
    rows: Vec<RawRow>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawColumn {
    id: Spanned<String>,
    name: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRow {
    #[serde(default)]
    stages: Vec<Spanned<String>>,
    cells: Spanned<BTreeMap<String, Spanned<String>>>,
}

/// The top-level arrays, in the order they are documented.
const SECTIONS: [&str; 6] = ["matrix", "stage", "category", "aspect", "checklist", "table"];

/// Parses and validates matrix TOML; on failure returns every error found.
pub fn parse(text: &str) -> Result<Matrix, Vec<Error>> {
    let doc = DeTable::parse(text).map_err(|e| vec![toml_error(&e)])?;
    let mut errors: Vec<Error> = Vec::new();
    let mut meta = RawMeta::default();
    let mut stages = Vec::new();
    let mut categories = Vec::new();
    let mut aspects = Vec::new();
    let mut checklists = Vec::new();
    let mut tables = Vec::new();
    for (key, value) in doc.get_ref().iter() {
        match key.get_ref().as_ref() {
            "matrix" => {
                if let Some(m) = entry::<RawMeta>(value, &mut errors) {
                    meta = m;
                }
            }
            "stage" => entries(key.get_ref(), value, &mut stages, &mut errors, Some(RawStage::placeholder)),
            "category" => entries(key.get_ref(), value, &mut categories, &mut errors, Some(RawCategory::placeholder)),
            "aspect" => entries(key.get_ref(), value, &mut aspects, &mut errors, None),
            "checklist" => entries(key.get_ref(), value, &mut checklists, &mut errors, None),
            "table" => entries(key.get_ref(), value, &mut tables, &mut errors, None),
            other => errors.push(Problem::error(
                key.span().start,
                format!("unknown key `{other}` (expected one of: {})", SECTIONS.map(|s| format!("[[{s}]]")).join(", ")),
            )),
        }
    }
    let matrix = validate(text, meta, stages, categories, aspects, checklists, tables, &mut errors);
    if errors.is_empty() {
        Ok(matrix)
    } else {
        errors.sort_by_key(|e| e.offset);
        errors.dedup();
        Err(errors)
    }
}

/// Markdown text with the place of its value in the file (for messages about its links).
fn md(value: &Option<Spanned<String>>) -> Md {
    value.as_ref().map_or_else(Md::default, spanned_md)
}

fn spanned_md(value: &Spanned<String>) -> Md {
    Md { text: value.get_ref().clone(), at: value.span().start }
}

fn toml_error(e: &toml::de::Error) -> Error {
    Problem::error(e.span().map_or(0, |s| s.start), e.message().trim())
}

fn entry<T: for<'de> Deserialize<'de>>(value: &Spanned<DeValue>, errors: &mut Vec<Error>) -> Option<T> {
    match T::deserialize(ValueDeserializer::from(value.clone())) {
        Ok(v) => Some(v),
        Err(e) => {
            let mut problem = toml_error(&e);
            if problem.offset == 0 {
                problem.offset = value.span().start;
            }
            errors.push(problem);
            None
        }
    }
}

/// Deserialises every entry of an array of tables. An entry that fails still contributes its
/// `id` (through `placeholder`) when others refer to it, so one typo in a stage does not turn
/// into a hundred "unknown stage" errors.
fn entries<T: for<'de> Deserialize<'de>>(
    name: &str,
    value: &Spanned<DeValue>,
    out: &mut Vec<T>,
    errors: &mut Vec<Error>,
    placeholder: Option<fn(Spanned<String>) -> T>,
) {
    let Some(items) = value.get_ref().as_array() else {
        errors
            .push(Problem::error(value.span().start, format!("`{name}` must be a list of tables, written [[{name}]]")));
        return;
    };
    for item in items.iter() {
        match entry(item, errors) {
            Some(v) => out.push(v),
            None => {
                let id = item.get_ref().as_table().and_then(|t| {
                    t.iter()
                        .find(|(k, _)| k.get_ref() == "id")
                        .and_then(|(_, v)| v.get_ref().as_str().map(|s| Spanned::new(v.span(), s.to_string())))
                });
                if let (Some(make), Some(id)) = (placeholder, id) {
                    out.push(make(id));
                }
            }
        }
    }
}

impl RawStage {
    fn placeholder(id: Spanned<String>) -> Self {
        RawStage {
            id,
            name: String::new(),
            users: String::new(),
            goal: String::new(),
            question: String::new(),
            summary: None,
            cost: None,
        }
    }
}

impl RawCategory {
    fn placeholder(id: Spanned<String>) -> Self {
        RawCategory { id, name: String::new(), lesson: None, intro: None }
    }
}

/// Ids are used in URLs and storage keys: keep them simple.
fn check_id(id: &Spanned<String>, what: &str, errors: &mut Vec<Error>) {
    let v = id.get_ref();
    let ok = !v.is_empty()
        && v.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
        && v.chars().next().is_some_and(|c| c.is_ascii_alphanumeric());
    if !ok {
        errors.push(Problem::error(
            id.span().start,
            format!("{what} id `{v}` must be lowercase ASCII letters, digits, `-` or `_`"),
        ));
    }
}

/// Registers `id`, reporting a second definition of the same id.
fn unique<'a>(
    seen: &mut HashMap<&'a str, usize>,
    id: &'a Spanned<String>,
    what: &str,
    text: &str,
    errors: &mut Vec<Error>,
) {
    if let Some(&first) = seen.get(id.get_ref().as_str()) {
        let (line, _, _) = crate::diagnostics::locate(text, first);
        errors.push(Problem::error(
            id.span().start,
            format!("duplicate {what} id `{}` (first defined on line {line})", id.get_ref()),
        ));
    } else {
        seen.insert(id.get_ref(), id.span().start);
    }
}

fn known(ids: &[&str]) -> String {
    ids.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(", ")
}

/// A cost figure: text that says something, or a range of two integers, neither below zero
/// (a cost or a duration cannot be negative, and `i64::MIN` would otherwise overflow the
/// totals), the first not above the second.
fn figure(r: &Option<Spanned<RawFigure>>, what: &str, errors: &mut Vec<Error>) -> Option<Figure> {
    let r = r.as_ref()?;
    let values = match r.get_ref() {
        RawFigure::Text(t) if t.trim().is_empty() => {
            errors
                .push(Problem::error(r.span().start, format!("{what}: the text is empty; leave the key out instead")));
            return None;
        }
        RawFigure::Text(t) => return Some(Figure::Text(t.trim().to_string())),
        RawFigure::Range(values) => values,
    };
    match values.as_slice() {
        [lo, hi] => {
            let negative: Vec<_> = [lo, hi].into_iter().filter(|v| *v.get_ref() < 0).collect();
            for v in &negative {
                errors.push(Problem::error(
                    v.span().start,
                    format!("{what}: {} is negative; costs start at 0", v.get_ref()),
                ));
            }
            let (min, max) = (*lo.get_ref(), *hi.get_ref());
            if !negative.is_empty() {
                None
            } else if min > max {
                errors.push(Problem::error(r.span().start, format!("{what}: min {min} is greater than max {max}")));
                None
            } else {
                Some(Figure::Range(Range { min, max }))
            }
        }
        _ => {
            errors.push(Problem::error(
                r.span().start,
                format!("{what} must be a range `[min, max]` of two integers, or text"),
            ));
            None
        }
    }
}

/// The duration, given in weeks or in months (as the source states it), not both.
fn duration(c: &RawCost, errors: &mut Vec<Error>) -> (Option<Figure>, DurationUnit) {
    match (&c.weeks, &c.months) {
        (Some(_), Some(m)) => {
            errors.push(Problem::error(m.span().start, "cost: give the duration as `weeks` or as `months`, not both"));
            (None, DurationUnit::Weeks)
        }
        (_, Some(_)) => (figure(&c.months, "cost.months", errors), DurationUnit::Months),
        _ => (figure(&c.weeks, "cost.weeks", errors), DurationUnit::Weeks),
    }
}

/// Where the key of a `key = value` pair starts: just before its value.
fn key_offset(text: &str, key: &str, value_start: usize) -> usize {
    text[..value_start.min(text.len())].rfind(key).unwrap_or(value_start)
}

#[allow(clippy::too_many_arguments)]
fn validate(
    text: &str,
    meta: RawMeta,
    stages: Vec<RawStage>,
    categories: Vec<RawCategory>,
    aspects: Vec<RawAspect>,
    checklists: Vec<RawChecklist>,
    tables: Vec<RawTable>,
    errors: &mut Vec<Error>,
) -> Matrix {
    let currency = meta.currency.unwrap_or_else(|| "USD".into());
    let mut matrix = Matrix {
        // Left empty when not given: the page shows the interface's name for it, in the book's language.
        title: meta.title.unwrap_or_default(),
        description: md(&meta.description),
        currency: currency.clone(),
        weight: meta.weight,
        none_text: meta.none_text.as_ref().map(|n| n.get_ref().trim().to_string()),
        ..Matrix::default()
    };
    if let Some(n) = meta.none_text.as_ref().filter(|n| n.get_ref().trim().is_empty()) {
        errors.push(Problem::error(
            n.span().start,
            "`none_text` must not be blank (leave it out, or list blank cells in `empty`)",
        ));
    }

    let mut seen = HashMap::new();
    for s in &stages {
        check_id(&s.id, "stage", errors);
        unique(&mut seen, &s.id, "stage", text, errors);
    }
    let stage_ids: Vec<&str> = stages.iter().map(|s| s.id.get_ref().as_str()).collect();
    let mut seen = HashMap::new();
    for c in &categories {
        check_id(&c.id, "category", errors);
        unique(&mut seen, &c.id, "category", text, errors);
    }
    let category_ids: Vec<&str> = categories.iter().map(|c| c.id.get_ref().as_str()).collect();
    let stage_ref = |id: &Spanned<String>, errors: &mut Vec<Error>| -> Option<usize> {
        let found = stage_ids.iter().position(|s| *s == id.get_ref());
        if found.is_none() {
            errors.push(Problem::error(
                id.span().start,
                format!("unknown stage `{}` (stages: {})", id.get_ref(), known(&stage_ids)),
            ));
        }
        found
    };
    let category_ref = |id: &Spanned<String>, errors: &mut Vec<Error>| -> Option<usize> {
        let found = category_ids.iter().position(|c| *c == id.get_ref());
        if found.is_none() {
            errors.push(Problem::error(
                id.span().start,
                format!("unknown category `{}` (categories: {})", id.get_ref(), known(&category_ids)),
            ));
        }
        found
    };

    for s in &stages {
        let cost = s.cost.as_ref().map(|c| {
            let (duration, duration_unit) = duration(c, errors);
            Cost {
                build: figure(&c.build, "cost.build", errors),
                duration,
                duration_unit,
                monthly: figure(&c.monthly, "cost.monthly", errors),
                source: md(&c.source),
                currency: c.currency.clone().unwrap_or_else(|| currency.clone()),
            }
        });
        matrix.stages.push(Stage {
            id: s.id.get_ref().clone(),
            name: s.name.clone(),
            users: s.users.clone(),
            goal: s.goal.clone(),
            question: s.question.clone(),
            summary: md(&s.summary),
            cost,
        });
    }
    for c in &categories {
        matrix.categories.push(Category {
            id: c.id.get_ref().clone(),
            name: c.name.clone(),
            lesson: md(&c.lesson),
            intro: md(&c.intro),
        });
    }

    let mut seen = HashMap::new();
    for a in &aspects {
        check_id(&a.id, "aspect", errors);
        unique(&mut seen, &a.id, "aspect", text, errors);
        let category = category_ref(&a.category, errors);
        let mut cells: Vec<Option<Option<Md>>> = vec![None; stage_ids.len()];
        for e in &a.empty {
            if let Some(i) = stage_ref(e, errors) {
                cells[i] = Some(None);
            }
        }
        if let Some(given) = &a.cells {
            for (key, value) in given.get_ref() {
                let at = key_offset(text, key, value.span().start);
                match stage_ids.iter().position(|s| s == key) {
                    None => errors.push(Problem::error(
                        at,
                        format!("cell for unknown stage `{key}` (stages: {})", known(&stage_ids)),
                    )),
                    Some(i) if cells[i].is_some() => errors
                        .push(Problem::error(at, format!("stage `{key}` has a cell and is also listed in `empty`"))),
                    Some(i) => cells[i] = Some(Some(spanned_md(value))),
                }
            }
        }
        let missing: Vec<&str> = stage_ids.iter().zip(&cells).filter(|(_, c)| c.is_none()).map(|(s, _)| *s).collect();
        if !missing.is_empty() {
            let at = a.cells.as_ref().map_or(a.id.span().start, |c| c.span().start);
            errors.push(Problem::error(
                at,
                format!(
                    "aspect `{}` has no cell for stage{} {} (add the cell, or list the stage in `empty = [...]` if it is deliberately blank)",
                    a.id.get_ref(),
                    if missing.len() == 1 { "" } else { "s" },
                    known(&missing)
                ),
            ));
        }
        if let Some(category) = category {
            matrix.aspects.push(Aspect {
                id: a.id.get_ref().clone(),
                category,
                name: a.name.clone(),
                note: md(&a.note),
                cells: cells.into_iter().map(Option::flatten).collect(),
            });
        }
    }

    let mut seen = HashMap::new();
    for c in &checklists {
        check_id(&c.id, "checklist", errors);
        unique(&mut seen, &c.id, "checklist", text, errors);
        let stages = c.stages.iter().filter_map(|s| stage_ref(s, errors)).collect();
        let category = c.category.as_ref().and_then(|id| category_ref(id, errors));
        let mut item_ids = HashMap::new();
        let mut items = Vec::new();
        for item in &c.items {
            check_id(&item.id, "item", errors);
            unique(&mut item_ids, &item.id, "item", text, errors);
            items.push(Item {
                id: item.id.get_ref().clone(),
                text: spanned_md(&item.text),
                category: item.category.as_ref().and_then(|id| category_ref(id, errors)),
                detail: md(&item.detail),
            });
        }
        let reference = match c.kind.as_ref().map(|k| k.get_ref().as_str()) {
            None | Some("tasks") => false,
            Some("reference") => true,
            Some(other) => {
                let at = c.kind.as_ref().map_or(0, |k| k.span().start);
                errors.push(Problem::error(
                    at,
                    format!(
                        "unknown checklist kind `{other}` (kinds: `tasks`, a list to tick; `reference`, a plain list)"
                    ),
                ));
                false
            }
        };
        matrix.checklists.push(Checklist {
            id: c.id.get_ref().clone(),
            title: c.title.clone(),
            stages,
            category,
            intro: md(&c.intro),
            source: md(&c.source),
            ordered: c.ordered,
            reference,
            items,
        });
    }

    let mut seen = HashMap::new();
    for t in &tables {
        check_id(&t.id, "table", errors);
        unique(&mut seen, &t.id, "table", text, errors);
        let mut column_ids = HashMap::new();
        for col in &t.columns {
            unique(&mut column_ids, &col.id, "column", text, errors);
        }
        let names: Vec<&str> = t.columns.iter().map(|c| c.id.get_ref().as_str()).collect();
        let rows = t
            .rows
            .iter()
            .map(|r| {
                for (key, value) in r.cells.get_ref() {
                    if !names.contains(&key.as_str()) {
                        let at = key_offset(text, key, value.span().start);
                        errors.push(Problem::error(
                            at,
                            format!("cell for unknown column `{key}` (columns: {})", known(&names)),
                        ));
                    }
                }
                Row {
                    stages: r.stages.iter().filter_map(|s| stage_ref(s, errors)).collect(),
                    cells: names
                        .iter()
                        .map(|n| r.cells.get_ref().get(*n).map(spanned_md).unwrap_or_default())
                        .collect(),
                }
            })
            .collect();
        matrix.tables.push(Table {
            id: t.id.get_ref().clone(),
            title: t.title.clone(),
            intro: md(&t.intro),
            source: md(&t.source),
            columns: t.columns.iter().map(|c| Column { id: c.id.get_ref().clone(), name: c.name.clone() }).collect(),
            rows,
        });
    }
    matrix
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
[matrix]
title = "Growth ladder"
currency = "EUR"

[[stage]]
id = "seed"
name = "Seed"
users = "0-50"
goal = "Find a problem"
question = "Does anyone care?"
cost = { build = [1_000, 5_000], weeks = [2, 4] }

[[stage]]
id = "serie-a"
name = "Série A"

[[category]]
id = "ops"
name = "Opérations"
lesson = "Automate *later*."

[[aspect]]
id = "deploy"
category = "ops"
name = "Déploiement"
cells = { seed = "By hand", "serie-a" = "CI/CD" }

[[aspect]]
id = "oncall"
category = "ops"
name = "On-call"
cells = { "serie-a" = "Rota" }
empty = ["seed"]

[[checklist]]
id = "basics"
title = "Basics"
stages = ["seed"]
ordered = true

[[checklist.item]]
id = "backup"
text = "Tested backups"
category = "ops"

[[table]]
id = "team"
title = "Team"
columns = [{ id = "size", name = "Size" }]

[[table.row]]
stages = ["seed", "serie-a"]
cells = { size = "2" }
"#;

    fn errors(text: &str) -> Vec<(usize, usize, String)> {
        parse(text)
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(|p| {
                let (l, c, _) = crate::diagnostics::locate(text, p.offset);
                (l, c, p.message)
            })
            .collect()
    }

    fn with(replace: &str, by: &str) -> String {
        assert!(GOOD.contains(replace), "{replace}");
        GOOD.replacen(replace, by, 1)
    }

    #[test]
    fn a_valid_file_resolves_every_reference() {
        let m = parse(GOOD).unwrap();
        assert_eq!(m.title, "Growth ladder");
        assert_eq!(m.stages.len(), 2);
        assert_eq!(m.stages[1].name, "Série A");
        assert_eq!(m.stages[0].cost.as_ref().unwrap().build, Some(Figure::Range(Range { min: 1000, max: 5000 })));
        assert_eq!(m.stages[0].cost.as_ref().unwrap().currency, "EUR");
        let cells =
            |i: usize| m.aspects[i].cells.iter().map(|c| c.as_ref().map(|c| c.text.as_str())).collect::<Vec<_>>();
        assert_eq!(cells(0), vec![Some("By hand"), Some("CI/CD")]);
        assert_eq!(cells(1), vec![None, Some("Rota")]);
        assert_eq!(&GOOD[m.aspects[0].cells[0].as_ref().unwrap().at..][..9], "\"By hand\"");
        assert_eq!(m.checklists[0].stages, vec![0]);
        assert!(m.checklists[0].ordered);
        assert_eq!(m.checklists[0].items[0].category, Some(0));
        assert_eq!(m.tables[0].rows[0].stages, vec![0, 1]);
        assert_eq!(m.tables[0].rows[0].cells[0].text, "2");
    }

    /// `none_text` marks the cells that ask nothing; `kind = "reference"` a plain list.
    #[test]
    fn no_requirement_text_and_reference_lists() {
        let text = with("currency = \"EUR\"\n", "currency = \"EUR\"\nnone_text = \" n/a \"\n")
            .replace("cells = { \"serie-a\" = \"Rota\" }", "cells = { seed = \"n/a\", \"serie-a\" = \"Rota\" }")
            .replace("empty = [\"seed\"]\n", "")
            .replace("ordered = true\n", "ordered = true\nkind = \"reference\"\n");
        let m = parse(&text).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(m.none_text.as_deref(), Some("n/a"));
        let oncall = &m.aspects[1];
        assert!(!m.requires(oncall, 0) && m.requires(oncall, 1));
        assert!(m.requires(&m.aspects[0], 0));
        assert!(m.checklists[0].reference);
        assert_eq!(m.tasks_of_stage(0).count(), 0, "a reference list has no tasks");
        assert!(!parse(GOOD).unwrap().checklists[0].reference);

        let e = errors(&with("ordered = true\n", "ordered = true\nkind = \"refrence\"\n"));
        assert_eq!(e.len(), 1, "{e:?}");
        assert_eq!((e[0].0, e[0].1), (41, 8));
        assert!(e[0].2.contains("unknown checklist kind `refrence`"), "{e:?}");
        let e = errors(&with("currency = \"EUR\"\n", "currency = \"EUR\"\nnone_text = \" \"\n"));
        assert!(e[0].2.contains("`none_text` must not be blank"), "{e:?}");
    }

    #[test]
    fn duplicate_ids_name_the_first_definition() {
        let text = with("id = \"oncall\"", "id = \"deploy\"");
        let e = errors(&text);
        assert_eq!(e.len(), 1, "{e:?}");
        assert_eq!((e[0].0, e[0].1), (30, 6));
        assert!(e[0].2.contains("duplicate aspect id `deploy` (first defined on line 24)"), "{}", e[0].2);
    }

    #[test]
    fn unknown_stage_in_a_cell_points_at_the_key_and_lists_stages() {
        let text = with("\"serie-a\" = \"CI/CD\"", "\"serie-b\" = \"CI/CD\"");
        let e = errors(&text);
        let unknown = e.iter().find(|x| x.2.contains("unknown stage `serie-b`")).expect("unknown stage error");
        assert_eq!((unknown.0, unknown.1), (27, 30));
        assert!(unknown.2.contains("(stages: `seed`, `serie-a`)"));
        // The renamed cell also leaves serie-a without a cell.
        assert!(e.iter().any(|x| x.2.contains("no cell for stage `serie-a`")));
    }

    #[test]
    fn unknown_category_and_checklist_stage() {
        let text = with("category = \"ops\"\nname = \"Déploiement\"", "category = \"opps\"\nname = \"Déploiement\"");
        let e = errors(&text);
        assert_eq!((e[0].0, e[0].1), (25, 12));
        assert!(e[0].2.contains("unknown category `opps` (categories: `ops`)"));
        let e = errors(&with("stages = [\"seed\"]\nordered", "stages = [\"sed\"]\nordered"));
        assert!(e[0].2.contains("unknown stage `sed`"));
        assert_eq!((e[0].0, e[0].1), (39, 11));
    }

    #[test]
    fn missing_cell_unless_marked_empty() {
        let e = errors(&with("empty = [\"seed\"]\n", ""));
        assert_eq!(e.len(), 1);
        assert_eq!((e[0].0, e[0].1), (33, 9));
        assert!(e[0].2.contains("aspect `oncall` has no cell for stage `seed`"));
    }

    #[test]
    fn negative_cost_is_an_error_at_the_value() {
        let e = errors(&with("weeks = [2, 4]", "weeks = [-9223372036854775808, 4]"));
        assert_eq!(e.len(), 1, "{e:?}");
        assert_eq!((e[0].0, e[0].1), (12, 43));
        assert!(e[0].2.contains("cost.weeks: -9223372036854775808 is negative"), "{e:?}");
        let e = errors(&with("build = [1_000, 5_000]", "build = [-5, -1]"));
        assert_eq!(e.len(), 2, "{e:?}");
    }

    #[test]
    fn reversed_range_is_an_error_at_the_range() {
        let e = errors(&with("weeks = [2, 4]", "weeks = [4, 2]"));
        assert_eq!(e.len(), 1);
        assert_eq!((e[0].0, e[0].1), (12, 42));
        assert!(e[0].2.contains("cost.weeks: min 4 is greater than max 2"));
        let e = errors(&with("weeks = [2, 4]", "weeks = [2]"));
        assert!(e[0].2.contains("must be a range `[min, max]`"));
    }

    #[test]
    fn figures_keep_the_source_units_and_words() {
        let m = parse(&with("weeks = [2, 4]", "months = [2, 4], monthly = \"nearly zero\"")).ok().unwrap();
        let cost = m.stages[0].cost.as_ref().unwrap();
        assert_eq!(cost.duration, Some(Figure::Range(Range { min: 2, max: 4 })));
        assert_eq!(cost.duration_unit, DurationUnit::Months);
        assert_eq!(cost.monthly, Some(Figure::Text("nearly zero".into())));
        let weeks = parse(GOOD).ok().unwrap();
        assert_eq!(weeks.stages[0].cost.as_ref().unwrap().duration_unit, DurationUnit::Weeks);
    }

    #[test]
    fn a_duration_in_two_units_or_a_blank_text_is_an_error() {
        let e = errors(&with("weeks = [2, 4]", "weeks = [2, 4], months = [1, 2]"));
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(e[0].2.contains("not both"), "{e:?}");
        let e = errors(&with("weeks = [2, 4]", "weeks = \"  \""));
        assert!(e[0].2.contains("cost.weeks: the text is empty"), "{e:?}");
        let e = errors(&with("weeks = [2, 4]", "weeks = 3"));
        assert!(e[0].2.contains("or text such as"), "{e:?}");
    }

    #[test]
    fn wrong_types_and_unknown_keys_in_several_entries_are_all_reported() {
        let text = with("name = \"Série A\"", "name = 7").replace("lesson = ", "lessons = ");
        let e = errors(&text);
        assert_eq!(e.len(), 2, "{e:?}");
        assert_eq!((e[0].0, e[0].1), (16, 8), "{e:?}");
        assert_eq!((e[1].0, e[1].1), (21, 1), "{e:?}");
        assert!(e[1].2.contains("lessons"), "{e:?}");
    }

    #[test]
    fn unknown_table_column_and_top_level_key() {
        let e = errors(&with("cells = { size = \"2\" }", "cells = { sise = \"2\" }"));
        assert!(e[0].2.contains("unknown column `sise` (columns: `size`)"), "{e:?}");
        let e = errors(&format!("{GOOD}\n[[stages]]\nid = \"x\"\n"));
        assert!(e[0].2.contains("unknown key `stages`"), "{e:?}");
    }

    #[test]
    fn bad_ids_and_syntax_errors() {
        let e = errors(&with("id = \"ops\"", "id = \"Ops Team\""));
        assert!(e.iter().any(|x| x.2.contains("category id `Ops Team` must be lowercase")), "{e:?}");
        let e = errors("[[stage]\nid = 1");
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].0, 1);
    }

    #[test]
    fn no_panic_on_odd_input() {
        for text in [
            "",
            "stage = 1",
            "[[aspect]]\ncells = 3",
            "[matrix]\nweight = \"x\"",
            "[[table]]\nid=\"t\"\ntitle=\"t\"\ncolumns=[]\n[[table.row]]\ncells={}",
            "\u{0}",
        ] {
            let _ = parse(text);
        }
    }
}

#[cfg(test)]
mod bundled {
    #[test]
    fn bundled_matrix_is_valid_and_complete() {
        let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/content/matrix.toml")).unwrap();
        let m = super::parse(&text).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(m.stages.len(), 5);
        assert_eq!(m.categories.len(), 18);
        assert_eq!(m.aspects.len(), 98);
        assert!(m.aspects.iter().all(|a| a.cells.iter().all(Option::is_some)));
        // The seed's "None" cells ask nothing; the two reference lists are plain lists.
        let none = m.aspects.iter().map(|a| (0..m.stages.len()).filter(|&s| !m.requires(a, s)).count()).sum::<usize>();
        assert_eq!(none, 53);
        let reference: Vec<&str> = m.checklists.iter().filter(|c| c.reference).map(|c| c.id.as_str()).collect();
        assert_eq!(reference, ["defer-at-mvp", "decision-framework"]);
    }
}
