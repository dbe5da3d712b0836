//! Shortcodes: the matrix views a markdown page can embed, in one table that says, for each
//! form, its name and argument, how the argument is resolved, the template and its data.

use serde::Serialize;

use super::views::{CategoryView, ChecklistView, GroupView, StageView, TableView, Views};
use super::Matrix;
use crate::markdown::Embed;

/// One form of a shortcode: `matrix(category="...")` and `matrix(stage="...")` are two.
pub(crate) struct Shortcode {
    pub name: &'static str,
    /// The one argument it takes; `None`: no arguments.
    pub arg: Option<&'static str>,
    /// What it takes and shows, for messages.
    pub usage: &'static str,
    /// The item the argument names (its index), or why there is none.
    resolve: fn(&Matrix, &str) -> Result<usize, String>,
    /// The theme template that renders it.
    pub template: &'static str,
    /// What the template gets besides the stages (`embed.*`), for item `usize`.
    data: for<'a> fn(&Views<'a>, usize, &mut EmbedData<'a>),
}

/// Every shortcode form, in the order messages list them.
pub(crate) const SHORTCODES: &[Shortcode] = &[
    Shortcode {
        name: "matrix",
        arg: Some("category"),
        usage: "category=\"<id>\" (a category's aspects × stages)",
        resolve: |m, id| {
            m.category(id).ok_or_else(|| unknown("category", id, "categories", m.categories.iter().map(|c| &c.id)))
        },
        template: "embeds/category.html",
        data: |v, i, d| d.category = Some(v.category(i)),
    },
    Shortcode {
        name: "matrix",
        arg: Some("stage"),
        usage: "stage=\"<id>\" (one stage's column)",
        resolve: |m, id| m.stage(id).ok_or_else(|| unknown("stage", id, "stages", m.stages.iter().map(|s| &s.id))),
        template: "embeds/stage.html",
        data: |v, i, d| {
            d.stage = Some(v.stage(i));
            d.groups = v.stage_groups(i);
        },
    },
    Shortcode {
        name: "checklist",
        arg: Some("id"),
        usage: "id=\"<checklist id>\"",
        resolve: |m, id| {
            m.checklist(id).ok_or_else(|| unknown("checklist", id, "checklists", m.checklists.iter().map(|c| &c.id)))
        },
        template: "embeds/checklist.html",
        data: |v, i, d| d.checklist = Some(v.checklist(i)),
    },
    Shortcode {
        name: "table",
        arg: Some("id"),
        usage: "id=\"<table id>\"",
        resolve: |m, id| m.table(id).ok_or_else(|| unknown("table", id, "tables", m.tables.iter().map(|t| &t.id))),
        template: "embeds/table.html",
        data: |v, i, d| d.table = Some(v.table(i, None)),
    },
    Shortcode {
        name: "stages",
        arg: None,
        usage: "no arguments (the stage ladder)",
        resolve: |_, _| Ok(0),
        template: "embeds/stages.html",
        data: |_, _, _| {},
    },
    Shortcode {
        name: "where",
        arg: None,
        usage: "no arguments (\"where are we?\": pick the team's stage, see what it means)",
        resolve: |_, _| Ok(0),
        template: "embeds/where.html",
        data: |_, _, _| {},
    },
];

fn unknown<'a>(what: &str, id: &str, plural: &str, known: impl Iterator<Item = &'a String>) -> String {
    let known: Vec<String> = known.map(|k| format!("`{k}`")).collect();
    format!("unknown {what} `{id}` ({plural}: {})", known.join(", "))
}

/// A checked shortcode: which form (index into [`SHORTCODES`]) and which item it shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct EmbedView {
    form: usize,
    item: usize,
}

impl EmbedView {
    pub(crate) fn template(self) -> &'static str {
        SHORTCODES[self.form].template
    }
}

/// Names of the shortcodes, each once, in table order.
fn names() -> Vec<&'static str> {
    let mut names: Vec<&str> = SHORTCODES.iter().map(|s| s.name).collect();
    names.dedup();
    names
}

/// What a shortcode name takes, all forms together.
fn usage(name: &str) -> String {
    SHORTCODES.iter().filter(|s| s.name == name).map(|s| s.usage).collect::<Vec<_>>().join(" or ")
}

/// Checks a shortcode against the matrix; the error message says what would work.
pub(crate) fn resolve_embed(m: Option<&Matrix>, e: &Embed) -> Result<EmbedView, String> {
    if !SHORTCODES.iter().any(|s| s.name == e.name) {
        let names: Vec<String> = names().iter().map(|n| format!("`{n}`")).collect();
        return Err(format!("unknown shortcode `{}` (available: {})", e.name, names.join(", ")));
    }
    let Some(m) = m else {
        return Err(format!("shortcode `{}` shows matrix data, but this handbook has no matrix file", e.name));
    };
    let forms = || SHORTCODES.iter().enumerate().filter(|(_, s)| s.name == e.name);
    if let Some((k, _)) = e.args.iter().find(|(k, _)| !forms().any(|(_, s)| s.arg == Some(k.as_str()))) {
        return Err(format!("shortcode `{}` has no argument `{k}` (takes {})", e.name, usage(&e.name)));
    }
    // The form whose one argument is the only one given (or that takes none).
    let given = |key: &str| e.args.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str());
    let matching = forms().find(|(_, s)| match s.arg {
        None => true,
        Some(arg) => given(arg).is_some() && e.args.iter().all(|(k, _)| k == arg),
    });
    let Some((form, s)) = matching else {
        return Err(format!("shortcode `{}` takes {}", e.name, usage(&e.name)));
    };
    let item = (s.resolve)(m, s.arg.and_then(given).unwrap_or(""))?;
    Ok(EmbedView { form, item })
}

/// Data an embed template gets (`embed` plus the page's `root`).
#[derive(Debug, Default, Serialize)]
pub(crate) struct EmbedData<'a> {
    pub stages: Vec<StageView<'a>>,
    pub category: Option<CategoryView<'a>>,
    pub stage: Option<StageView<'a>>,
    pub groups: Vec<GroupView<'a>>,
    pub checklist: Option<ChecklistView<'a>>,
    pub table: Option<TableView<'a>>,
}

/// The data of one embed, as the page at `v.page` shows it.
pub(crate) fn embed_data<'a>(v: &Views<'a>, embed: EmbedView) -> EmbedData<'a> {
    let mut data = EmbedData { stages: v.stages(), ..EmbedData::default() };
    (SHORTCODES[embed.form].data)(v, embed.item, &mut data);
    data
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matrix::rendered::Rendered;

    fn sample() -> Matrix {
        crate::matrix::parse(
            "[[stage]]\nid=\"a\"\nname=\"A\"\n[[stage]]\nid=\"b\"\nname=\"B\"\n[[category]]\nid=\"c\"\nname=\"C\"\n[[aspect]]\nid=\"x\"\ncategory=\"c\"\nname=\"X\"\ncells={a=\"1\",b=\"2\"}\n[[checklist]]\nid=\"l\"\ntitle=\"L\"\n",
        )
        .unwrap()
    }

    fn e(name: &str, args: &[(&str, &str)]) -> Embed {
        Embed { offset: 0, name: name.into(), args: args.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect() }
    }

    #[test]
    fn embeds_are_checked() {
        let m = sample();
        let ok = |name, args| resolve_embed(Some(&m), &e(name, args)).map(|v| v.template());
        let err = |name, args| resolve_embed(Some(&m), &e(name, args)).unwrap_err();
        assert_eq!(ok("matrix", &[("category", "c")]), Ok("embeds/category.html"));
        assert_eq!(ok("matrix", &[("stage", "b")]), Ok("embeds/stage.html"));
        assert_eq!(ok("checklist", &[("id", "l")]), Ok("embeds/checklist.html"));
        assert_eq!(ok("where", &[]), Ok("embeds/where.html"));
        assert_eq!(err("matrix", &[("category", "zz")]), "unknown category `zz` (categories: `c`)");
        assert_eq!(err("matrix", &[("stage", "zz")]), "unknown stage `zz` (stages: `a`, `b`)");
        assert_eq!(
            err("matrx", &[]),
            "unknown shortcode `matrx` (available: `matrix`, `checklist`, `table`, `stages`, `where`)"
        );
        assert_eq!(
            err("table", &[("name", "x")]),
            "shortcode `table` has no argument `name` (takes id=\"<table id>\")"
        );
        assert_eq!(err("checklist", &[]), "shortcode `checklist` takes id=\"<checklist id>\"");
        assert_eq!(
            err("matrix", &[("category", "c"), ("stage", "a")]),
            "shortcode `matrix` takes category=\"<id>\" (a category's aspects × stages) or stage=\"<id>\" (one stage's column)"
        );
        assert_eq!(
            err("stages", &[("id", "a")]),
            "shortcode `stages` has no argument `id` (takes no arguments (the stage ladder))"
        );
        assert!(resolve_embed(None, &e("stages", &[])).unwrap_err().contains("no matrix file"));
    }

    #[test]
    fn each_embed_gets_its_item() {
        let m = sample();
        let r = Rendered::default_for(&m);
        let v = Views { m: &m, r: &r, page: "guide/index.html", s: &crate::i18n::Translations::english() };
        let view = resolve_embed(Some(&m), &e("matrix", &[("stage", "b")])).unwrap();
        let data = embed_data(&v, view);
        assert_eq!(data.stage.map(|s| s.id), Some("b"));
        assert_eq!(data.groups[0].items[0].key, "aspect:x:b");
        assert_eq!(data.stages.len(), 2);
        assert_eq!(data.stages[0].url, "../stages/a/index.html");
        let list = embed_data(&v, resolve_embed(Some(&m), &e("checklist", &[("id", "l")])).unwrap());
        assert_eq!(list.checklist.map(|c| c.id), Some("l"));
        assert!(list.stage.is_none() && list.category.is_none());
    }
}
