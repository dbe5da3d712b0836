//! What the matrix looks like on pages: the pages the build generates from it, the data their
//! templates see, the cost chart, and the views markdown pages embed with shortcodes.
//!
//! Markdown in the data file is rendered here, per page, because its links are rewritten
//! relative to the page that shows it.

use std::cell::RefCell;

use serde::Serialize;

use super::{Aspect, Checklist, Loaded, Matrix, Md, Range, Table};
use crate::config::MarkdownConfig;
use crate::content::paths::relative_href;
use crate::content::{Generated, PageKind, Site};
use crate::diagnostics::Diagnostic;
use crate::markdown::{self, escape_html, Embed, Link};

/// A page generated from the matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    /// `stages/`: the stage ladder with cost ranges.
    Stages,
    /// `stages/<id>/`: what to build at one stage.
    Stage(usize),
    /// `matrix/`: every category, every stage.
    Matrix,
    /// `categories/<id>/`: one category's aspects × stages.
    Category(usize),
}

impl View {
    /// The theme template that renders this view.
    pub fn template(self) -> &'static str {
        match self {
            View::Stages => "stages.html",
            View::Stage(_) => "stage.html",
            View::Matrix => "matrix.html",
            View::Category(_) => "category.html",
        }
    }
}

pub fn stage_url(m: &Matrix, i: usize) -> String {
    format!("stages/{}/index.html", m.stages[i].id)
}

pub fn category_url(m: &Matrix, i: usize) -> String {
    format!("categories/{}/index.html", m.categories[i].id)
}

pub const STAGES_URL: &str = "stages/index.html";
pub const MATRIX_URL: &str = "matrix/index.html";

/// The pages the matrix adds to the site. In the navigation, "Stages" holds one page per
/// stage and the matrix page holds one page per category.
pub fn generated_pages(m: &Matrix) -> Vec<Generated> {
    let weight = m.weight;
    let mut pages = vec![Generated {
        url: STAGES_URL.into(),
        dir: "stages".into(),
        kind: PageKind::Section,
        title: "Stages".into(),
        description: format!("The {} stages, what each is for and what it costs.", m.stages.len()),
        weight,
        view: View::Stages,
        anchors: vec!["costs".into(), "checklists".into()],
    }];
    for (i, s) in m.stages.iter().enumerate() {
        let mut anchors: Vec<String> = m.categories.iter().map(|c| c.id.clone()).collect();
        anchors.extend(m.aspects.iter().map(|a| a.id.clone()));
        anchors.extend(m.checklists.iter().map(|c| c.id.clone()));
        pages.push(Generated {
            url: stage_url(m, i),
            dir: "stages".into(),
            kind: PageKind::Page,
            title: format!("{}: {}", s.name, s.goal).trim_end_matches(": ").to_string(),
            description: s.question.clone(),
            weight: Some(i as i64),
            view: View::Stage(i),
            anchors,
        });
    }
    pages.push(Generated {
        url: MATRIX_URL.into(),
        dir: "matrix".into(),
        kind: PageKind::Section,
        title: m.title.clone(),
        description: format!(
            "{} aspects in {} categories across {} stages.",
            m.aspects.len(),
            m.categories.len(),
            m.stages.len()
        ),
        weight: weight.map(|w| w + 1),
        view: View::Matrix,
        anchors: m.categories.iter().map(|c| c.id.clone()).chain(m.aspects.iter().map(|a| a.id.clone())).collect(),
    });
    for (i, c) in m.categories.iter().enumerate() {
        pages.push(Generated {
            url: category_url(m, i),
            dir: "matrix".into(),
            kind: PageKind::Page,
            title: c.name.clone(),
            description: strip_markdown(&c.lesson.text),
            weight: Some(i as i64),
            view: View::Category(i),
            anchors: m.aspects_of(i).map(|a| a.id.clone()).collect(),
        });
    }
    pages
}

/// Backslash-escapes a leading character that markdown would read as the start of a block.
fn escape_block_start(text: &str) -> String {
    let trimmed = text.trim_start();
    let first = trimmed.chars().next().unwrap_or(' ');
    let rest = trimmed.get(1..).unwrap_or("");
    let hashes = trimmed.chars().take_while(|c| *c == '#').count();
    let digits = trimmed.chars().take_while(char::is_ascii_digit).count();
    let after_digits = &trimmed[digits..];
    let thematic_break = matches!(first, '-' | '*' | '_')
        && trimmed.chars().all(|c| c == first || c == ' ')
        && trimmed.matches(first).count() >= 3;
    let block = first == '>'
        || thematic_break
        || (matches!(first, '-' | '+' | '*') && (rest.is_empty() || rest.starts_with([' ', '\t'])))
        || ((1..=6).contains(&hashes) && trimmed[hashes..].chars().next().is_none_or(|c| c == ' ' || c == '\t'));
    if block {
        format!("\\{trimmed}")
    } else if digits > 0 && digits < 10 && (after_digits.starts_with(". ") || after_digits.starts_with(") ")) {
        format!("{}\\{}", &trimmed[..digits], after_digits)
    } else {
        text.to_string()
    }
}

/// Plain text of a one-line markdown string (for meta descriptions).
fn strip_markdown(s: &str) -> String {
    s.chars().filter(|c| !matches!(c, '*' | '_' | '`')).collect()
}

/// Renders the data file's markdown for one page, collecting broken links as diagnostics
/// pointing into the data file.
pub struct Writer<'a> {
    loaded: &'a Loaded,
    site: &'a Site,
    markdown: &'a MarkdownConfig,
    page_url: &'a str,
    errors: RefCell<Vec<Diagnostic>>,
}

impl<'a> Writer<'a> {
    pub fn new(loaded: &'a Loaded, site: &'a Site, markdown: &'a MarkdownConfig, page_url: &'a str) -> Self {
        Writer { loaded, site, markdown, page_url, errors: RefCell::new(Vec::new()) }
    }

    pub fn into_errors(self) -> Vec<Diagnostic> {
        self.errors.into_inner()
    }

    fn render(&self, md: &Md) -> String {
        if md.is_empty() {
            return String::new();
        }
        let config = MarkdownConfig { heading_anchors: false, ..self.markdown.clone() };
        let r = markdown::render(&md.text, &config, None, |dest| match self.site.link(self.page_url, dest) {
            Ok(href) => Link::<()>::Rewrite { href, check: None },
            Err(message) => Link::Broken(message),
        });
        for p in r.problems.iter().filter(|p| p.is_error) {
            self.errors.borrow_mut().push(self.loaded.error_at(md.at, p.message.clone()));
        }
        r.html
    }

    /// Block markdown (paragraphs, lists).
    pub fn block(&self, md: &Md) -> String {
        self.render(md)
    }

    /// One line of markdown, without the surrounding paragraph. A line that happens to start
    /// like a block (`>500 users`, `# of seats`, `- none`) stays text.
    pub fn inline(&self, md: &Md) -> String {
        let html = self.render(&Md { text: escape_block_start(&md.text), at: md.at });
        let trimmed = html.trim_end();
        match trimmed.strip_prefix("<p>").and_then(|h| h.strip_suffix("</p>")) {
            Some(inner) if !inner.contains("<p>") => inner.to_string(),
            _ => html,
        }
    }

    fn href(&self, to: &str) -> String {
        relative_href(self.page_url, to)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct LinkView {
    pub id: String,
    pub name: String,
    pub url: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct RangeView {
    pub min: i64,
    pub max: i64,
    /// e.g. "$50,000–$150,000" or "8–12 weeks".
    pub text: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct CostView {
    pub build: Option<RangeView>,
    pub weeks: Option<RangeView>,
    pub monthly: Option<RangeView>,
    pub source: String,
    pub currency: String,
    /// What goes before an amount ("$", "CHF "), for scripts that format sums.
    pub prefix: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct StageView {
    pub id: String,
    pub name: String,
    pub users: String,
    pub goal: String,
    pub question: String,
    pub summary: String,
    pub url: String,
    /// 1-based position on the ladder.
    pub number: usize,
    pub cost: Option<CostView>,
    /// Aspects whose cell is new or changed at this stage ("build now").
    pub build_now: usize,
    /// Aspects carried over unchanged from the stage before ("done by now").
    pub carried: usize,
    /// Aspects with nothing at this stage ("not yet").
    pub not_yet: usize,
    /// Checklists tied to this stage, so scripts can count their saved ticks.
    pub lists: Vec<String>,
    /// Checkboxes on this stage's page: one per aspect plus the items of its checklists.
    pub boxes: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct CellView {
    pub stage: String,
    pub html: String,
    pub empty: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct AspectView {
    pub id: String,
    pub name: String,
    pub note: String,
    pub cells: Vec<CellView>,
    /// See [`states`].
    pub states: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct CategoryView {
    pub id: String,
    pub name: String,
    pub lesson: String,
    pub intro: String,
    pub url: String,
    pub aspects: Vec<AspectView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ItemView {
    pub id: String,
    /// Stable key for saved progress: `checklist:<list>:<item>`.
    pub key: String,
    pub text: String,
    pub detail: String,
    pub category: Option<LinkView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ChecklistView {
    pub id: String,
    pub title: String,
    pub intro: String,
    pub source: String,
    pub ordered: bool,
    pub stages: Vec<LinkView>,
    pub category: Option<LinkView>,
    pub items: Vec<ItemView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RowView {
    pub stages: Vec<LinkView>,
    pub cells: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TableView {
    pub id: String,
    pub title: String,
    pub intro: String,
    pub source: String,
    pub columns: Vec<String>,
    pub rows: Vec<RowView>,
}

/// One aspect on a stage page: this stage's cell beside the previous stage's.
#[derive(Debug, Clone, Serialize)]
pub struct StageItemView {
    pub id: String,
    /// Stable key for saved progress: `aspect:<aspect>:<stage>`.
    pub key: String,
    pub name: String,
    pub cell: String,
    pub empty: bool,
    pub previous: Option<String>,
    /// The cell differs from the previous stage's.
    pub changed: bool,
    pub note: String,
    /// See [`states`].
    pub states: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct GroupView {
    pub category: LinkView,
    pub lesson: String,
    pub items: Vec<StageItemView>,
    pub changed: usize,
}

/// Everything about the matrix, rendered for one page.
#[derive(Debug, Clone, Serialize)]
pub struct MatrixView {
    pub title: String,
    pub description: String,
    pub currency: String,
    pub url: String,
    pub stages_url: String,
    pub stages: Vec<StageView>,
    pub categories: Vec<CategoryView>,
    pub checklists: Vec<ChecklistView>,
    pub tables: Vec<TableView>,
    pub aspect_count: usize,
}

/// Formats money: "$50,000", "€5,000", "CHF 5,000".
pub fn money(currency: &str, amount: i64) -> String {
    let digits = amount.unsigned_abs().to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let sign = if amount < 0 { "-" } else { "" };
    format!("{sign}{}{grouped}", currency_prefix(currency))
}

/// What goes before an amount: a symbol for the common currencies, else the code and a space.
fn currency_prefix(currency: &str) -> String {
    match currency {
        "USD" => "$".to_string(),
        "EUR" => "€".to_string(),
        "GBP" => "£".to_string(),
        other => format!("{other} "),
    }
}

/// Short money for chart labels: "$50k", "$1.5M".
fn money_short(currency: &str, amount: i64) -> String {
    let (value, unit) = if amount.abs() >= 1_000_000 {
        (amount as f64 / 1_000_000.0, "M")
    } else if amount.abs() >= 1_000 {
        (amount as f64 / 1_000.0, "k")
    } else {
        (amount as f64, "")
    };
    let number =
        if (value - value.round()).abs() < 0.05 { format!("{}", value.round() as i64) } else { format!("{value:.1}") };
    format!("{}{number}{unit}", currency_prefix(currency))
}

fn range_text(r: Range, f: impl Fn(i64) -> String, unit: &str) -> RangeView {
    let text =
        if r.min == r.max { format!("{}{unit}", f(r.min)) } else { format!("{}–{}{unit}", f(r.min), f(r.max)) };
    RangeView { min: r.min, max: r.max, text }
}

/// What an aspect asks of each stage, one letter per stage in ladder order: `n` new or
/// changed there, `s` the same as the stage before, `e` nothing. Scripts read it to mark
/// aspects against the reader's current stage without knowing any stage by name.
pub fn states(a: &Aspect) -> String {
    a.cells
        .iter()
        .enumerate()
        .map(|(i, cell)| match (cell, i.checked_sub(1).map(|p| &a.cells[p])) {
            (None, _) => 'e',
            (Some(c), Some(Some(p))) if p.text == c.text => 's',
            _ => 'n',
        })
        .collect()
}

impl Writer<'_> {
    fn link(&self, id: &str, name: &str, url: &str) -> LinkView {
        LinkView { id: id.into(), name: name.into(), url: self.href(url) }
    }

    fn stage_link(&self, m: &Matrix, i: usize) -> LinkView {
        self.link(&m.stages[i].id, &m.stages[i].name, &stage_url(m, i))
    }

    fn category_link(&self, m: &Matrix, i: usize) -> LinkView {
        self.link(&m.categories[i].id, &m.categories[i].name, &category_url(m, i))
    }

    pub fn stage(&self, m: &Matrix, i: usize) -> StageView {
        let s = &m.stages[i];
        StageView {
            id: s.id.clone(),
            name: s.name.clone(),
            users: s.users.clone(),
            goal: s.goal.clone(),
            question: s.question.clone(),
            summary: self.block(&s.summary),
            url: self.href(&stage_url(m, i)),
            number: i + 1,
            build_now: m.aspects.iter().filter(|a| states(a).as_bytes()[i] == b'n').count(),
            carried: m.aspects.iter().filter(|a| states(a).as_bytes()[i] == b's').count(),
            not_yet: m.aspects.iter().filter(|a| a.cells[i].is_none()).count(),
            lists: m.checklists.iter().filter(|c| c.stages.contains(&i)).map(|c| c.id.clone()).collect(),
            boxes: m.aspects.len()
                + m.checklists.iter().filter(|c| c.stages.contains(&i)).map(|c| c.items.len()).sum::<usize>(),
            cost: s.cost.as_ref().map(|c| {
                let cur = c.currency.clone();
                CostView {
                    build: c.build.map(|r| range_text(r, |v| money(&cur, v), "")),
                    weeks: c.weeks.map(|r| range_text(r, |v| v.to_string(), " weeks")),
                    monthly: c.monthly.map(|r| range_text(r, |v| money(&cur, v), " a month")),
                    source: self.inline(&c.source),
                    prefix: currency_prefix(&cur),
                    currency: cur.clone(),
                }
            }),
        }
    }

    pub fn category(&self, m: &Matrix, i: usize) -> CategoryView {
        let c = &m.categories[i];
        CategoryView {
            id: c.id.clone(),
            name: c.name.clone(),
            lesson: self.inline(&c.lesson),
            intro: self.block(&c.intro),
            url: self.href(&category_url(m, i)),
            aspects: m
                .aspects_of(i)
                .map(|a| AspectView {
                    id: a.id.clone(),
                    name: a.name.clone(),
                    note: self.inline(&a.note),
                    cells: a
                        .cells
                        .iter()
                        .zip(&m.stages)
                        .map(|(cell, s)| CellView {
                            stage: s.id.clone(),
                            html: cell.as_ref().map(|c| self.inline(c)).unwrap_or_default(),
                            empty: cell.is_none(),
                        })
                        .collect(),
                    states: states(a),
                })
                .collect(),
        }
    }

    pub fn checklist(&self, m: &Matrix, c: &Checklist) -> ChecklistView {
        ChecklistView {
            id: c.id.clone(),
            title: c.title.clone(),
            intro: self.block(&c.intro),
            source: self.inline(&c.source),
            ordered: c.ordered,
            stages: c.stages.iter().map(|&s| self.stage_link(m, s)).collect(),
            category: c.category.map(|cat| self.category_link(m, cat)),
            items: c
                .items
                .iter()
                .map(|item| ItemView {
                    id: item.id.clone(),
                    key: format!("checklist:{}:{}", c.id, item.id),
                    text: self.inline(&item.text),
                    detail: self.inline(&item.detail),
                    category: item.category.map(|cat| self.category_link(m, cat)),
                })
                .collect(),
        }
    }

    /// A table; with `stage`, only the rows that belong to that stage.
    pub fn table(&self, m: &Matrix, t: &Table, stage: Option<usize>) -> TableView {
        TableView {
            id: t.id.clone(),
            title: t.title.clone(),
            intro: self.block(&t.intro),
            source: self.inline(&t.source),
            columns: t.columns.iter().map(|c| c.name.clone()).collect(),
            rows: t
                .rows
                .iter()
                .filter(|r| stage.is_none_or(|s| r.stages.contains(&s)))
                .map(|r| RowView {
                    stages: r.stages.iter().map(|&s| self.stage_link(m, s)).collect(),
                    cells: r.cells.iter().map(|c| self.inline(c)).collect(),
                })
                .collect(),
        }
    }

    pub fn matrix(&self, m: &Matrix) -> MatrixView {
        MatrixView {
            title: m.title.clone(),
            description: self.block(&m.description),
            currency: m.currency.clone(),
            url: self.href(MATRIX_URL),
            stages_url: self.href(STAGES_URL),
            stages: (0..m.stages.len()).map(|i| self.stage(m, i)).collect(),
            categories: (0..m.categories.len()).map(|i| self.category(m, i)).collect(),
            checklists: m.checklists.iter().map(|c| self.checklist(m, c)).collect(),
            tables: m.tables.iter().map(|t| self.table(m, t, None)).collect(),
            aspect_count: m.aspects.len(),
        }
    }

    /// The aspects of one stage grouped by category, each beside the previous stage's cell.
    pub fn stage_groups(&self, m: &Matrix, stage: usize) -> Vec<GroupView> {
        (0..m.categories.len())
            .filter_map(|c| {
                let items: Vec<StageItemView> = m
                    .aspects_of(c)
                    .map(|a| {
                        let cell = a.cells[stage].as_ref();
                        let previous = stage.checked_sub(1).map(|p| a.cells[p].as_ref());
                        let changed = match previous {
                            None => true,
                            Some(prev) => prev.map(|p| &p.text) != cell.map(|c| &c.text),
                        };
                        StageItemView {
                            id: a.id.clone(),
                            key: format!("aspect:{}:{}", a.id, m.stages[stage].id),
                            name: a.name.clone(),
                            cell: cell.map(|c| self.inline(c)).unwrap_or_default(),
                            empty: cell.is_none(),
                            previous: previous.map(|p| p.map(|p| self.inline(p)).unwrap_or_default()),
                            changed,
                            note: self.inline(&a.note),
                            states: states(a),
                        }
                    })
                    .collect();
                if items.is_empty() {
                    return None;
                }
                Some(GroupView {
                    category: self.category_link(m, c),
                    lesson: self.inline(&m.categories[c].lesson),
                    changed: items.iter().filter(|i| i.changed).count(),
                    items,
                })
            })
            .collect()
    }
}

/// Data a generated page's template gets besides the common page context.
#[derive(Debug, Serialize)]
pub struct PageData {
    pub matrix: MatrixView,
    pub stage: Option<StageView>,
    pub prev_stage: Option<StageView>,
    pub next_stage: Option<StageView>,
    pub groups: Vec<GroupView>,
    /// Checklists of this stage (stage page) or general checklists (stages page).
    pub checklists: Vec<ChecklistView>,
    /// Tables (on a stage page: only this stage's rows; tables without such rows left out).
    pub tables: Vec<TableView>,
    pub category: Option<CategoryView>,
    /// Server-rendered chart of cost and duration ranges (stages page).
    pub cost_chart: String,
}

/// Renders the data of a generated page; errors are broken links in the data file.
pub fn page_data(
    loaded: &Loaded,
    site: &Site,
    markdown: &MarkdownConfig,
    url: &str,
    view: View,
) -> (PageData, Vec<Diagnostic>) {
    let m = &loaded.matrix;
    let w = Writer::new(loaded, site, markdown, url);
    let mut data = PageData {
        matrix: w.matrix(m),
        stage: None,
        prev_stage: None,
        next_stage: None,
        groups: Vec::new(),
        checklists: Vec::new(),
        tables: Vec::new(),
        category: None,
        cost_chart: String::new(),
    };
    match view {
        View::Stages => {
            data.checklists = m.checklists.iter().filter(|c| c.stages.is_empty()).map(|c| w.checklist(m, c)).collect();
            data.tables = data.matrix.tables.clone();
            data.cost_chart = cost_chart(m);
        }
        View::Stage(i) => {
            data.stage = Some(w.stage(m, i));
            data.prev_stage = i.checked_sub(1).map(|p| w.stage(m, p));
            data.next_stage = (i + 1 < m.stages.len()).then(|| w.stage(m, i + 1));
            data.groups = w.stage_groups(m, i);
            data.checklists =
                m.checklists.iter().filter(|c| c.stages.contains(&i)).map(|c| w.checklist(m, c)).collect();
            data.tables = m.tables.iter().map(|t| w.table(m, t, Some(i))).filter(|t| !t.rows.is_empty()).collect();
        }
        View::Category(i) => data.category = Some(w.category(m, i)),
        View::Matrix => {}
    }
    (data, w.into_errors())
}

/// The shortcodes markdown pages can use, with the arguments each takes.
pub const SHORTCODES: &[(&str, &str)] = &[
    ("matrix", "category=\"<id>\" (a category's aspects × stages) or stage=\"<id>\" (one stage's column)"),
    ("checklist", "id=\"<checklist id>\""),
    ("table", "id=\"<table id>\""),
    ("stages", "no arguments (the stage ladder)"),
    ("where", "no arguments (\"where are we?\": pick the team's stage, see what it means)"),
];

/// What an embed shows, once its arguments are checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmbedView {
    Category(usize),
    StageColumn(usize),
    Checklist(usize),
    Table(usize),
    Stages,
    Where,
}

impl EmbedView {
    pub fn template(self) -> &'static str {
        match self {
            EmbedView::Category(_) => "embeds/category.html",
            EmbedView::StageColumn(_) => "embeds/stage.html",
            EmbedView::Checklist(_) => "embeds/checklist.html",
            EmbedView::Table(_) => "embeds/table.html",
            EmbedView::Stages => "embeds/stages.html",
            EmbedView::Where => "embeds/where.html",
        }
    }
}

/// Checks a shortcode against the matrix; the error message says what would work.
pub fn resolve_embed(m: Option<&Matrix>, e: &Embed) -> Result<EmbedView, String> {
    let names = || SHORTCODES.iter().map(|(n, _)| format!("`{n}`")).collect::<Vec<_>>().join(", ");
    if !SHORTCODES.iter().any(|(n, _)| *n == e.name) {
        return Err(format!("unknown shortcode `{}` (available: {})", e.name, names()));
    }
    let Some(m) = m else {
        return Err(format!("shortcode `{}` shows matrix data, but this handbook has no matrix file", e.name));
    };
    let arg = |k: &str| e.args.iter().find(|(key, _)| key == k).map(|(_, v)| v.as_str());
    let usage = SHORTCODES.iter().find(|(n, _)| *n == e.name).map_or("", |(_, u)| u);
    let allowed: &[&str] = match e.name.as_str() {
        "matrix" => &["category", "stage"],
        "checklist" | "table" => &["id"],
        _ => &[],
    };
    if let Some((k, _)) = e.args.iter().find(|(k, _)| !allowed.contains(&k.as_str())) {
        return Err(format!("shortcode `{}` has no argument `{k}` (takes {usage})", e.name));
    }
    let ids = |list: Vec<&str>| list.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(", ");
    match (e.name.as_str(), arg("category"), arg("stage"), arg("id")) {
        ("matrix", Some(c), None, _) => m.category(c).map(EmbedView::Category).ok_or_else(|| {
            format!(
                "unknown category `{c}` (categories: {})",
                ids(m.categories.iter().map(|c| c.id.as_str()).collect())
            )
        }),
        ("matrix", None, Some(s), _) => m.stage(s).map(EmbedView::StageColumn).ok_or_else(|| {
            format!("unknown stage `{s}` (stages: {})", ids(m.stages.iter().map(|s| s.id.as_str()).collect()))
        }),
        ("checklist", _, _, Some(id)) => m.checklist(id).map(EmbedView::Checklist).ok_or_else(|| {
            format!(
                "unknown checklist `{id}` (checklists: {})",
                ids(m.checklists.iter().map(|c| c.id.as_str()).collect())
            )
        }),
        ("table", _, _, Some(id)) => m.table(id).map(EmbedView::Table).ok_or_else(|| {
            format!("unknown table `{id}` (tables: {})", ids(m.tables.iter().map(|t| t.id.as_str()).collect()))
        }),
        ("stages", _, _, _) => Ok(EmbedView::Stages),
        ("where", _, _, _) => Ok(EmbedView::Where),
        (name, ..) => Err(format!("shortcode `{name}` takes {usage}")),
    }
}

/// Data an embed template gets (`embed` plus the page's `root`).
#[derive(Debug, Serialize)]
pub struct EmbedData {
    pub stages: Vec<StageView>,
    pub category: Option<CategoryView>,
    pub stage: Option<StageView>,
    pub groups: Vec<GroupView>,
    pub checklist: Option<ChecklistView>,
    pub table: Option<TableView>,
}

pub fn embed_data(
    loaded: &Loaded,
    site: &Site,
    markdown: &MarkdownConfig,
    url: &str,
    view: EmbedView,
) -> (EmbedData, Vec<Diagnostic>) {
    let m = &loaded.matrix;
    let w = Writer::new(loaded, site, markdown, url);
    let mut data = EmbedData {
        stages: (0..m.stages.len()).map(|i| w.stage(m, i)).collect(),
        category: None,
        stage: None,
        groups: Vec::new(),
        checklist: None,
        table: None,
    };
    match view {
        EmbedView::Category(i) => data.category = Some(w.category(m, i)),
        EmbedView::StageColumn(i) => {
            data.stage = Some(w.stage(m, i));
            data.groups = w.stage_groups(m, i);
        }
        EmbedView::Checklist(i) => data.checklist = Some(w.checklist(m, &m.checklists[i])),
        EmbedView::Table(i) => data.table = Some(w.table(m, &m.tables[i], None)),
        EmbedView::Stages | EmbedView::Where => {}
    }
    (data, w.into_errors())
}

/// A horizontal range chart of build cost and duration per stage, as inline SVG, so the
/// stages page shows it without any script. Stages without a range are named, not drawn as 0.
pub fn cost_chart(m: &Matrix) -> String {
    let rows: Vec<(&str, Option<Range>, Option<Range>, &str)> = m
        .stages
        .iter()
        .map(|s| {
            let cost = s.cost.as_ref();
            (
                s.name.as_str(),
                cost.and_then(|c| c.build),
                cost.and_then(|c| c.weeks),
                cost.map_or(m.currency.as_str(), |c| c.currency.as_str()),
            )
        })
        .collect();
    if rows.iter().all(|r| r.1.is_none() && r.2.is_none()) {
        return String::new();
    }
    let max_build = rows.iter().filter_map(|r| r.1).map(|r| r.max).max().unwrap_or(1).max(1);
    let max_weeks = rows.iter().filter_map(|r| r.2).map(|r| r.max).max().unwrap_or(1).max(1);
    let (label_w, panel_w, gap, row_h, top) = (110.0, 300.0, 40.0, 34.0, 44.0);
    let width = label_w + 2.0 * panel_w + gap + 20.0;
    let height = top + rows.len() as f64 * row_h + 16.0;
    let mut svg = format!(
        "<svg class=\"cost-chart\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-labelledby=\"cost-chart-title cost-chart-desc\" xmlns=\"http://www.w3.org/2000/svg\">\
<title id=\"cost-chart-title\">Build cost and duration by stage</title>\
<desc id=\"cost-chart-desc\">Ranges per stage; the same figures are in the table below.</desc>"
    );
    let panels = [("Build cost", label_w, max_build), ("Duration (weeks)", label_w + panel_w + gap, max_weeks)];
    for (title, x, _) in panels {
        svg.push_str(&format!(
            "<text class=\"chart-title\" x=\"{x}\" y=\"18\">{}</text><line class=\"chart-axis\" x1=\"{x}\" y1=\"{}\" x2=\"{x}\" y2=\"{}\"/>",
            escape_html(title),
            top - 12.0,
            height - 10.0
        ));
    }
    for (i, (name, build, weeks, currency)) in rows.iter().enumerate() {
        let y = top + i as f64 * row_h;
        svg.push_str(&format!(
            "<text class=\"chart-label\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
            label_w - 10.0,
            y + 14.0,
            escape_html(name)
        ));
        let bars = [(*build, panels[0].1, max_build, true), (*weeks, panels[1].1, max_weeks, false)];
        for (range, x0, max, is_money) in bars {
            match range {
                Some(r) => {
                    let scale = (panel_w - 70.0) / max as f64;
                    let x = x0 + r.min as f64 * scale;
                    let w = ((r.max - r.min) as f64 * scale).max(3.0);
                    let label = if is_money {
                        if r.min == r.max {
                            money_short(currency, r.min)
                        } else {
                            format!("{}–{}", money_short(currency, r.min), money_short(currency, r.max))
                        }
                    } else if r.min == r.max {
                        r.min.to_string()
                    } else {
                        format!("{}–{}", r.min, r.max)
                    };
                    svg.push_str(&format!(
                        "<rect class=\"chart-bar\" x=\"{x:.1}\" y=\"{:.1}\" width=\"{w:.1}\" height=\"14\" rx=\"3\"/><text class=\"chart-value\" x=\"{:.1}\" y=\"{:.1}\">{}</text>",
                        y + 3.0,
                        x + w + 6.0,
                        y + 14.0,
                        escape_html(&label)
                    ));
                }
                None => svg.push_str(&format!(
                    "<text class=\"chart-none\" x=\"{:.1}\" y=\"{:.1}\">no range given</text>",
                    x0 + 6.0,
                    y + 14.0
                )),
            }
        }
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_text_never_becomes_a_block() {
        assert_eq!(escape_block_start(">500 users"), "\\>500 users");
        assert_eq!(escape_block_start("# of seats"), "\\# of seats");
        assert_eq!(escape_block_start("3. step"), "3\\. step");
        assert_eq!(escape_block_start("*emphasis* stays"), "*emphasis* stays");
        assert_eq!(escape_block_start("- none"), "\\- none");
        assert_eq!(escape_block_start("---"), "\\---");
        assert_eq!(escape_block_start("#hashtag"), "#hashtag");
        assert_eq!(escape_block_start("Plain"), "Plain");
        assert_eq!(escape_block_start("2024 plan"), "2024 plan");
    }

    #[test]
    fn money_formats() {
        assert_eq!(money("USD", 150_000), "$150,000");
        assert_eq!(money("EUR", 5_000), "€5,000");
        assert_eq!(money("CHF", 999), "CHF 999");
        assert_eq!(money("USD", 1_234_567), "$1,234,567");
        assert_eq!(money_short("USD", 50_000), "$50k");
        assert_eq!(money_short("USD", 1_500_000), "$1.5M");
    }

    fn sample() -> Matrix {
        super::super::parse(
            "[[stage]]\nid=\"a\"\nname=\"A <b>\"\ncost={build=[10,20],weeks=[1,2]}\n[[stage]]\nid=\"b\"\nname=\"B\"\n[[category]]\nid=\"c\"\nname=\"C\"\n[[aspect]]\nid=\"x\"\ncategory=\"c\"\nname=\"X\"\ncells={a=\"1\",b=\"2\"}\n[[checklist]]\nid=\"l\"\ntitle=\"L\"\n",
        )
        .unwrap()
    }

    #[test]
    fn chart_names_stages_without_ranges_and_escapes_names() {
        let svg = cost_chart(&sample());
        assert!(svg.contains("A &lt;b&gt;"), "{svg}");
        assert!(svg.contains("no range given"), "{svg}");
        assert!(svg.contains("$10–$20"), "{svg}");
        assert_eq!(svg.matches("<rect").count(), 2);
    }

    #[test]
    fn generated_pages_cover_every_stage_and_category() {
        let pages = generated_pages(&sample());
        let urls: Vec<&str> = pages.iter().map(|p| p.url.as_str()).collect();
        assert_eq!(
            urls,
            [
                "stages/index.html",
                "stages/a/index.html",
                "stages/b/index.html",
                "matrix/index.html",
                "categories/c/index.html"
            ]
        );
    }

    #[test]
    fn embeds_are_checked() {
        let m = sample();
        let e = |name: &str, args: &[(&str, &str)]| Embed {
            offset: 0,
            name: name.into(),
            args: args.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        };
        assert_eq!(resolve_embed(Some(&m), &e("matrix", &[("category", "c")])), Ok(EmbedView::Category(0)));
        assert_eq!(resolve_embed(Some(&m), &e("matrix", &[("stage", "b")])), Ok(EmbedView::StageColumn(1)));
        assert_eq!(resolve_embed(Some(&m), &e("checklist", &[("id", "l")])), Ok(EmbedView::Checklist(0)));
        assert!(resolve_embed(Some(&m), &e("matrix", &[("category", "zz")])).unwrap_err().contains("categories: `c`"));
        assert!(resolve_embed(Some(&m), &e("matrx", &[])).unwrap_err().contains("unknown shortcode"));
        assert!(resolve_embed(Some(&m), &e("table", &[("name", "x")])).unwrap_err().contains("no argument `name`"));
        assert!(resolve_embed(None, &e("stages", &[])).unwrap_err().contains("no matrix file"));
    }
}
