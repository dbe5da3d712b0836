//! What templates see of the matrix: view structs for one page, borrowed from the model and
//! from the [`Rendered`] markdown; only hrefs (relative to the page) are made per page.

use std::borrow::Cow;

use serde::Serialize;

use super::rendered::{Html, Rendered};
use super::{format, keys, Figure, Matrix};
// The search index links its matrix results to these pages.
use super::urls::MATRIX_URL;
pub(crate) use super::urls::{category_url, stage_url, STAGES_URL};
use crate::content::paths::relative_href;

#[derive(Debug, Clone, Serialize)]
pub(crate) struct LinkView<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub url: String,
}

/// A cost figure as pages show it; `min`/`max` only when the source gives numbers (scripts add
/// those up and name the stages whose figure is words).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct FigureView {
    pub min: Option<i64>,
    pub max: Option<i64>,
    /// e.g. "$50,000–$150,000", "2–4 months" or "nearly zero".
    pub text: String,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct CostView<'a> {
    pub build: Option<FigureView>,
    pub duration: Option<FigureView>,
    /// "weeks" or "months": the unit the source gave the duration in.
    pub duration_unit: &'static str,
    pub monthly: Option<FigureView>,
    pub source: Cow<'a, str>,
    pub currency: &'a str,
    /// How scripts that add up amounts ask `Intl` to show the currency so that their sums read
    /// like these figures ([`crate::numbers::Numbers::currency_display`]).
    pub display: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct StageView<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub users: &'a str,
    pub goal: &'a str,
    pub question: &'a str,
    pub summary: Cow<'a, str>,
    pub url: String,
    /// 1-based position on the ladder.
    pub number: usize,
    pub cost: Option<CostView<'a>>,
    /// Aspects whose cell is new or changed at this stage ("build now").
    pub build_now: usize,
    /// Aspects carried over unchanged from the stage before ("done by now").
    pub carried: usize,
    /// Aspects with nothing at this stage ("not yet").
    pub not_yet: usize,
    /// Checklists tied to this stage.
    pub lists: Vec<&'a str>,
    /// Checkboxes on this stage's page: one per aspect plus the items of its checklists.
    pub boxes: usize,
    /// The saved ticks that count for this stage, as `*` patterns (progress.js).
    pub ticks: &'a str,
    /// Id of the line naming where its cost figures come from.
    pub cost_source_id: String,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct CellView<'a> {
    pub stage: &'a str,
    pub html: Cow<'a, str>,
    pub empty: bool,
    /// The cell asks nothing of the stage (empty, or the matrix's no-requirement text).
    pub none: bool,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct AspectView<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub note: Cow<'a, str>,
    pub cells: Vec<CellView<'a>>,
    /// One letter per stage, see [`keys::states`].
    pub states: &'a str,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct CategoryView<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub lesson: Cow<'a, str>,
    pub intro: Cow<'a, str>,
    pub url: String,
    pub aspects: Vec<AspectView<'a>>,
    pub title_id: String,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct ItemView<'a> {
    pub id: &'a str,
    /// Stable key for saved progress ([`keys::item_key`]).
    pub key: String,
    pub text: Cow<'a, str>,
    pub detail: Cow<'a, str>,
    pub category: Option<LinkView<'a>>,
    /// Id of the item's element, and of its checkbox.
    pub anchor: String,
    pub check_id: String,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct ChecklistView<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub intro: Cow<'a, str>,
    pub source: Cow<'a, str>,
    pub ordered: bool,
    /// A plain list to read: no checkboxes, counted nowhere.
    pub reference: bool,
    pub stages: Vec<LinkView<'a>>,
    pub category: Option<LinkView<'a>>,
    pub items: Vec<ItemView<'a>>,
    pub title_id: String,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct RowView<'a> {
    pub stages: Vec<LinkView<'a>>,
    pub cells: Vec<Cow<'a, str>>,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct TableView<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub intro: Cow<'a, str>,
    pub source: Cow<'a, str>,
    pub columns: Vec<&'a str>,
    pub rows: Vec<RowView<'a>>,
    pub title_id: String,
}

/// One aspect on a stage page: this stage's cell beside the previous stage's.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct StageItemView<'a> {
    pub id: &'a str,
    /// Stable key for saved progress ([`keys::aspect_key`]).
    pub key: String,
    pub name: &'a str,
    pub cell: Cow<'a, str>,
    pub empty: bool,
    pub previous: Option<Cow<'a, str>>,
    /// The cell asks something of this stage (it gets a checkbox and counts).
    pub required: bool,
    /// What changes from the previous stage, one of [`keys::change`] ("new", "changed",
    /// "dropped", "same", "none").
    pub change: &'static str,
    /// The requirement is new, changed or dropped at this stage.
    pub changed: bool,
    pub note: Cow<'a, str>,
    /// One letter per stage, see [`keys::states`].
    pub states: &'a str,
    /// Id of its checkbox.
    pub check_id: String,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct GroupView<'a> {
    pub category: LinkView<'a>,
    pub lesson: Cow<'a, str>,
    pub items: Vec<StageItemView<'a>>,
    pub changed: usize,
    pub title_id: String,
}

/// Everything about the matrix, for one page.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct MatrixView<'a> {
    pub title: &'a str,
    pub description: Cow<'a, str>,
    pub currency: &'a str,
    pub url: String,
    pub stages_url: String,
    pub stages: Vec<StageView<'a>>,
    pub categories: Vec<CategoryView<'a>>,
    pub checklists: Vec<ChecklistView<'a>>,
    pub tables: Vec<TableView<'a>>,
    pub aspect_count: usize,
    /// Which saved keys are ticks, as `*` patterns (export, import, reset).
    pub ticks: &'static str,
}

/// Builds the views of the matrix as the page at `page` (output path) shows them.
/// The words after a duration (" weeks", " months"), in the book's language and in the plural
/// form for the duration's upper end, as the calculator picks it (`calc_weeks` with `n`).
pub(crate) fn unit_suffix(
    s: &crate::i18n::Translations,
    unit: super::DurationUnit,
    duration: Option<&super::Figure>,
) -> String {
    let key = match unit {
        super::DurationUnit::Weeks => "weeks",
        super::DurationUnit::Months => "months",
    };
    let n = match duration {
        Some(super::Figure::Range(r)) => u64::try_from(r.max).ok(),
        _ => None,
    };
    format!(" {}", s.ui_plain(key, n, &[]))
}

#[derive(Clone, Copy)]
pub(crate) struct Views<'a> {
    pub m: &'a Matrix,
    pub r: &'a Rendered,
    pub page: &'a str,
    /// The interface strings, for the words around figures ("a month", "weeks").
    pub s: &'a crate::i18n::Translations,
}

impl<'a> Views<'a> {
    fn href(&self, to: &str) -> String {
        relative_href(self.page, to)
    }

    fn html(&self, html: &'a Html) -> Cow<'a, str> {
        html.on(self.page)
    }

    fn stage_link(&self, i: usize) -> LinkView<'a> {
        let s = &self.m.stages[i];
        LinkView { id: &s.id, name: &s.name, url: self.href(&stage_url(self.m, i)) }
    }

    fn category_link(&self, i: usize) -> LinkView<'a> {
        let c = &self.m.categories[i];
        LinkView { id: &c.id, name: &c.name, url: self.href(&category_url(self.m, i)) }
    }

    pub(crate) fn stage(&self, i: usize) -> StageView<'a> {
        let (s, r) = (&self.m.stages[i], &self.r.stages[i]);
        let figure = |figure: &Option<Figure>, f: &dyn Fn(i64) -> String, unit: &str| {
            figure.as_ref().map(|fig| match fig {
                Figure::Range(r) => FigureView { min: Some(r.min), max: Some(r.max), text: format::range(*r, f, unit) },
                Figure::Text(t) => FigureView { min: None, max: None, text: t.clone() },
            })
        };
        StageView {
            id: &s.id,
            name: &s.name,
            users: &s.users,
            goal: &s.goal,
            question: &s.question,
            summary: self.html(&r.summary),
            url: self.href(&stage_url(self.m, i)),
            number: i + 1,
            build_now: r.build_now,
            carried: r.carried,
            not_yet: r.not_yet,
            lists: r.lists.iter().map(|&c| self.m.checklists[c].id.as_str()).collect(),
            boxes: r.boxes,
            ticks: &r.ticks,
            cost_source_id: keys::cost_source_id(&s.id),
            cost: s.cost.as_ref().map(|c| {
                let numbers = self.r.numbers;
                let money = |v| numbers.money(&c.currency, v);
                CostView {
                    build: figure(&c.build, &money, ""),
                    duration: figure(
                        &c.duration,
                        &|v| numbers.integer(v),
                        &unit_suffix(self.s, c.duration_unit, c.duration.as_ref()),
                    ),
                    duration_unit: c.duration_unit.name(),
                    monthly: figure(&c.monthly, &money, &format!(" {}", self.s.ui_plain("per_month", None, &[]))),
                    source: self.html(&r.cost_source),
                    display: numbers.currency_display(&c.currency),
                    currency: &c.currency,
                }
            }),
        }
    }

    pub(crate) fn stages(&self) -> Vec<StageView<'a>> {
        (0..self.m.stages.len()).map(|i| self.stage(i)).collect()
    }

    pub(crate) fn category(&self, i: usize) -> CategoryView<'a> {
        let (c, m) = (&self.m.categories[i], self.m);
        CategoryView {
            id: &c.id,
            name: &c.name,
            lesson: self.html(&self.r.categories[i].lesson),
            intro: self.html(&self.r.categories[i].intro),
            url: self.href(&category_url(m, i)),
            title_id: keys::title_id(&c.id),
            aspects: (0..m.aspects.len())
                .filter(|&a| m.aspects[a].category == i)
                .map(|a| {
                    let (aspect, r) = (&m.aspects[a], &self.r.aspects[a]);
                    AspectView {
                        id: &aspect.id,
                        name: &aspect.name,
                        note: self.html(&r.note),
                        cells: aspect
                            .cells
                            .iter()
                            .zip(&r.cells)
                            .zip(&m.stages)
                            .enumerate()
                            .map(|(i, ((cell, html), s))| CellView {
                                stage: &s.id,
                                html: self.html(html),
                                empty: cell.is_none(),
                                none: !m.requires(aspect, i),
                            })
                            .collect(),
                        states: &r.states,
                    }
                })
                .collect(),
        }
    }

    pub(crate) fn checklist(&self, i: usize) -> ChecklistView<'a> {
        let (c, r) = (&self.m.checklists[i], &self.r.checklists[i]);
        ChecklistView {
            id: &c.id,
            title: &c.title,
            intro: self.html(&r.intro),
            source: self.html(&r.source),
            ordered: c.ordered,
            reference: c.reference,
            stages: c.stages.iter().map(|&s| self.stage_link(s)).collect(),
            category: c.category.map(|cat| self.category_link(cat)),
            title_id: keys::title_id(&c.id),
            items: c
                .items
                .iter()
                .zip(&r.items)
                .map(|(item, (text, detail))| {
                    let anchor = keys::item_id(&c.id, &item.id);
                    ItemView {
                        id: &item.id,
                        key: keys::item_key(&c.id, &item.id),
                        text: self.html(text),
                        detail: self.html(detail),
                        category: item.category.map(|cat| self.category_link(cat)),
                        check_id: keys::check_id(&anchor),
                        anchor,
                    }
                })
                .collect(),
        }
    }

    /// A table; with `stage`, only the rows that belong to that stage.
    pub(crate) fn table(&self, i: usize, stage: Option<usize>) -> TableView<'a> {
        let (t, r) = (&self.m.tables[i], &self.r.tables[i]);
        TableView {
            id: &t.id,
            title: &t.title,
            intro: self.html(&r.intro),
            source: self.html(&r.source),
            columns: t.columns.iter().map(|c| c.name.as_str()).collect(),
            title_id: keys::title_id(&t.id),
            rows: t
                .rows
                .iter()
                .zip(&r.rows)
                .filter(|(row, _)| stage.is_none_or(|s| row.stages.contains(&s)))
                .map(|(row, cells)| RowView {
                    stages: row.stages.iter().map(|&s| self.stage_link(s)).collect(),
                    cells: cells.iter().map(|c| self.html(c)).collect(),
                })
                .collect(),
        }
    }

    pub(crate) fn matrix(&self) -> MatrixView<'a> {
        let m = self.m;
        MatrixView {
            title: &m.title,
            description: self.html(&self.r.description),
            currency: &m.currency,
            url: self.href(MATRIX_URL),
            stages_url: self.href(STAGES_URL),
            stages: self.stages(),
            categories: (0..m.categories.len()).map(|i| self.category(i)).collect(),
            checklists: (0..m.checklists.len()).map(|i| self.checklist(i)).collect(),
            tables: (0..m.tables.len()).map(|i| self.table(i, None)).collect(),
            aspect_count: m.aspects.len(),
            ticks: keys::TICKS,
        }
    }

    /// The aspects of one stage grouped by category, each beside the previous stage's cell.
    pub(crate) fn stage_groups(&self, stage: usize) -> Vec<GroupView<'a>> {
        self.stage_groups_where(stage, |_| true)
    }

    /// The stage's aspects split in two: those whose requirement is new, changed or dropped at
    /// this stage, then the rest (the same as before, or nothing asked at either).
    pub(crate) fn stage_sections(&self, stage: usize) -> (Vec<GroupView<'a>>, Vec<GroupView<'a>>) {
        (self.stage_groups_where(stage, |i| i.changed), self.stage_groups_where(stage, |i| !i.changed))
    }

    fn stage_item(&self, a: usize, stage: usize) -> StageItemView<'a> {
        let m = self.m;
        let (aspect, r) = (&m.aspects[a], &self.r.aspects[a]);
        let previous = stage.checked_sub(1);
        let required = m.requires(aspect, stage);
        let before = previous.is_some_and(|p| m.requires(aspect, p));
        let change = match (before, required) {
            (false, true) => keys::change::NEW,
            (true, false) => keys::change::DROPPED,
            (false, false) => keys::change::NONE,
            (true, true) if keys::state(m, aspect, stage) == keys::SAME => keys::change::SAME,
            (true, true) => keys::change::CHANGED,
        };
        StageItemView {
            id: &aspect.id,
            key: keys::aspect_key(&aspect.id, &m.stages[stage].id),
            name: &aspect.name,
            cell: self.html(&r.cells[stage]),
            empty: aspect.cells[stage].is_none(),
            previous: previous.map(|p| self.html(&r.cells[p])),
            required,
            change,
            changed: [keys::change::NEW, keys::change::CHANGED, keys::change::DROPPED].contains(&change),
            note: self.html(&r.note),
            states: &r.states,
            check_id: keys::check_id(&aspect.id),
        }
    }

    fn stage_groups_where(&self, stage: usize, keep: impl Fn(&StageItemView) -> bool) -> Vec<GroupView<'a>> {
        let m = self.m;
        (0..m.categories.len())
            .filter_map(|c| {
                let items: Vec<StageItemView<'a>> = (0..m.aspects.len())
                    .filter(|&a| m.aspects[a].category == c)
                    .map(|a| self.stage_item(a, stage))
                    .filter(&keep)
                    .collect();
                if items.is_empty() {
                    return None;
                }
                Some(GroupView {
                    category: self.category_link(c),
                    lesson: self.html(&self.r.categories[c].lesson),
                    changed: items.iter().filter(|i| i.changed).count(),
                    title_id: keys::title_id(&m.categories[c].id),
                    items,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Matrix {
        crate::matrix::parse(
            "[matrix]\ncurrency=\"CHF\"\n[[stage]]\nid=\"a\"\nname=\"A\"\ncost={build=[5000,5000],weeks=[2,6],monthly=[100,900]}\n[[stage]]\nid=\"b\"\nname=\"B\"\n[[category]]\nid=\"c\"\nname=\"C\"\n[[aspect]]\nid=\"x\"\ncategory=\"c\"\nname=\"X\"\ncells={a=\"*1*\",b=\"*1*\"}\n[[checklist]]\nid=\"l\"\ntitle=\"L\"\nstages=[\"a\"]\n[[checklist.item]]\nid=\"i\"\ntext=\"Do\"\n[[table]]\nid=\"t\"\ntitle=\"T\"\ncolumns=[{id=\"k\",name=\"K\"}]\n[[table.row]]\nstages=[\"b\"]\ncells={k=\"v\"}\n",
        )
        .unwrap()
    }

    /// A stage page splits its aspects: new, changed or dropped at the stage, then the rest.
    #[test]
    fn stage_sections_split_changed_from_carried_over() {
        let m = crate::matrix::parse(
            "[matrix]\nnone_text=\"n/a\"\n[[stage]]\nid=\"a\"\nname=\"A\"\n[[stage]]\nid=\"b\"\nname=\"B\"\n[[category]]\nid=\"c\"\nname=\"C\"\n[[aspect]]\nid=\"same\"\ncategory=\"c\"\nname=\"S\"\ncells={a=\"1\",b=\"1\"}\n[[aspect]]\nid=\"new\"\ncategory=\"c\"\nname=\"N\"\ncells={a=\"n/a\",b=\"1\"}\n[[aspect]]\nid=\"gone\"\ncategory=\"c\"\nname=\"G\"\ncells={a=\"1\",b=\"n/a\"}\n[[aspect]]\nid=\"none\"\ncategory=\"c\"\nname=\"O\"\ncells={a=\"n/a\",b=\"n/a\"}\n[[aspect]]\nid=\"other\"\ncategory=\"c\"\nname=\"X\"\ncells={a=\"1\",b=\"2\"}\n",
        )
        .unwrap();
        let r = Rendered::default_for(&m);
        let v = Views { m: &m, r: &r, page: "stages/b/index.html", s: &crate::i18n::Translations::english() };
        let (changed, rest) = v.stage_sections(1);
        fn kinds<'a>(g: &[GroupView<'a>]) -> Vec<(&'a str, &'static str, bool)> {
            g[0].items.iter().map(|i| (i.id, i.change, i.required)).collect()
        }
        assert_eq!(kinds(&changed), [("new", "new", true), ("gone", "dropped", false), ("other", "changed", true)]);
        assert_eq!(kinds(&rest), [("same", "same", true), ("none", "none", false)]);
        let first = v.stage_sections(0);
        assert_eq!(kinds(&first.0).len(), 3, "at the first stage every requirement is new");
        assert_eq!(kinds(&first.1), [("new", "none", false), ("none", "none", false)]);
        let cat = v.category(0);
        assert_eq!(cat.aspects[1].cells.iter().map(|c| c.none).collect::<Vec<_>>(), [true, false]);
    }

    #[test]
    fn urls_are_relative_to_the_page_and_text_is_borrowed() {
        let (m, r) = (sample(), Rendered::default_for(&sample()));
        let deep = Views { m: &m, r: &r, page: "guide/setup/index.html", s: &crate::i18n::Translations::english() };
        let s = deep.stage(0);
        assert_eq!(s.url, "../../stages/a/index.html");
        assert_eq!(deep.matrix().stages_url, "../../stages/index.html");
        assert_eq!(Views { page: "stages/b/index.html", ..deep }.stage(0).url, "../a/index.html");
        let c = deep.category(0);
        assert!(matches!(c.aspects[0].cells[0].html, Cow::Borrowed("<em>1</em>")));
        assert_eq!(c.aspects[0].states, "ns");
    }

    #[test]
    fn costs_are_formatted_in_the_stage_currency() {
        let (m, r) = (sample(), Rendered::default_for(&sample()));
        let v = Views { m: &m, r: &r, page: "index.html", s: &crate::i18n::Translations::english() };
        let cost = v.stage(0).cost.expect("stage a has costs");
        assert_eq!(cost.build.map(|r| r.text), Some("CHF\u{a0}5,000".to_string()));
        assert_eq!(cost.duration.map(|r| r.text), Some("2–6 weeks".to_string()));
        assert_eq!(cost.duration_unit, "weeks");
        assert_eq!(cost.monthly.map(|r| r.text), Some("CHF\u{a0}100–CHF\u{a0}900 a month".to_string()));
        assert_eq!(cost.display, "symbol");
        assert!(v.stage(1).cost.is_none());
        // In the handbook's language.
        let mut r = r;
        r.numbers = crate::numbers::Numbers::for_language("de-CH");
        let english = crate::i18n::Translations::english();
        let cost = Views { m: &m, r: &r, page: "index.html", s: &english }.stage(0).cost.expect("costs");
        assert_eq!(cost.build.map(|r| r.text), Some("5.000\u{a0}CHF".to_string()));
    }

    #[test]
    fn ids_and_keys_come_ready_made() {
        let (m, r) = (sample(), Rendered::default_for(&sample()));
        let v = Views { m: &m, r: &r, page: "index.html", s: &crate::i18n::Translations::english() };
        let list = v.checklist(0);
        assert_eq!((list.title_id.as_str(), list.items[0].anchor.as_str()), ("l-title", "l-i"));
        assert_eq!((list.items[0].check_id.as_str(), list.items[0].key.as_str()), ("check-l-i", "checklist:l:i"));
        let groups = v.stage_groups(1);
        assert_eq!(groups[0].title_id, "c-title");
        assert_eq!(groups[0].items[0].check_id, "check-x");
        assert!(!groups[0].items[0].changed, "same cell as the stage before");
        assert_eq!(v.stage(0).ticks, "aspect:*:a checklist:l:*");
        assert_eq!(v.stage(0).cost_source_id, "cost-source-a");
        assert_eq!(v.table(0, Some(0)).rows.len(), 0, "the row belongs to stage b");
        assert_eq!(v.table(0, Some(1)).rows[0].cells, ["v"]);
    }
}
