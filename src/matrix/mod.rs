//! The maturity matrix: stages × categories × aspects, with cost ranges, checklists and extra
//! tables, read from one TOML data file and validated with positions.
//!
//! Nothing here knows any stage or category name: they all come from the file.
//!
//! The steps: [`parse`] reads the file into the model below; [`rendered`] renders its markdown
//! once per build; [`views`] shapes it for one page's templates, which [`pages`] (the
//! generated pages) and [`embeds`] (the shortcodes) pick from. [`urls`] places the generated
//! pages, [`keys`] spells every id and key the theme relies on, [`chart`] and [`format`] draw
//! the cost figures.

mod chart;
mod embeds;
mod format;
mod keys;
mod pages;
mod parse;
mod rendered;
mod urls;
pub(crate) mod views;

pub(crate) use embeds::embed_data;
pub(crate) use embeds::{resolve_embed, EmbedView};
pub(crate) use pages::generated_pages;
pub(crate) use pages::page_data;
pub(crate) use rendered::Rendered;
pub(crate) use urls::View;
pub(crate) use views::Views;

use std::path::PathBuf;

use crate::config::Config;
use crate::diagnostics::{Diagnostic, SourceFile};

pub use parse::parse;

/// A markdown field and the byte offset of its value in the matrix file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Md {
    pub text: String,
    pub at: usize,
}

impl Md {
    pub fn is_empty(&self) -> bool {
        self.text.trim().is_empty()
    }
}

/// The whole data file, validated: every reference resolved to an index.
#[derive(Debug, Clone, Default)]
pub struct Matrix {
    pub title: String,
    pub description: Md,
    pub currency: String,
    /// Where the generated "Stages" and "Matrix" sections sit in the navigation.
    pub weight: Option<i64>,
    /// The text of a cell that states no requirement (`none_text`, e.g. "None"): such a cell
    /// is shown as written but asks nothing of the stage, like an empty one.
    pub none_text: Option<String>,
    pub stages: Vec<Stage>,
    pub categories: Vec<Category>,
    pub aspects: Vec<Aspect>,
    pub checklists: Vec<Checklist>,
    pub tables: Vec<Table>,
}

#[derive(Debug, Clone, Default)]
pub struct Stage {
    pub id: String,
    pub name: String,
    pub users: String,
    pub goal: String,
    pub question: String,
    pub summary: Md,
    pub cost: Option<Cost>,
}

/// Cost and duration figures of a stage; each is optional.
#[derive(Debug, Clone, Default)]
pub struct Cost {
    pub build: Option<Figure>,
    /// In [`Cost::duration_unit`]s.
    pub duration: Option<Figure>,
    pub duration_unit: DurationUnit,
    pub monthly: Option<Figure>,
    /// Where the figures come from.
    pub source: Md,
    pub currency: String,
}

/// A figure as the source states it: a range, or words where the source gives no number
/// ("nearly zero"), so a page never shows a figure the source did not give, nor "not given"
/// where it said something.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Figure {
    Range(Range),
    Text(String),
}

/// The unit a duration is given in, kept so pages say "2–4 months" where the source does
/// rather than a converted "9–17 weeks".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DurationUnit {
    #[default]
    Weeks,
    Months,
}

impl DurationUnit {
    /// The data-file key and the word pages use.
    pub(crate) fn name(self) -> &'static str {
        match self {
            DurationUnit::Weeks => "weeks",
            DurationUnit::Months => "months",
        }
    }

    /// Length of one unit in weeks, for drawing and adding up durations given in different
    /// units (a month is 52/12 weeks; sums that needed it are marked as approximate).
    pub(crate) fn in_weeks(self) -> f64 {
        match self {
            DurationUnit::Weeks => 1.0,
            DurationUnit::Months => 52.0 / 12.0,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Range {
    pub min: i64,
    pub max: i64,
}

#[derive(Debug, Clone, Default)]
pub struct Category {
    pub id: String,
    pub name: String,
    /// One line (inline markdown).
    pub lesson: Md,
    pub intro: Md,
}

#[derive(Debug, Clone, Default)]
pub struct Aspect {
    pub id: String,
    /// Index into `Matrix::categories`.
    pub category: usize,
    pub name: String,
    pub note: Md,
    /// One cell per stage (same order as `Matrix::stages`); `None` = deliberately empty.
    pub cells: Vec<Option<Md>>,
}

#[derive(Debug, Clone, Default)]
pub struct Checklist {
    pub id: String,
    pub title: String,
    /// Stages it belongs to (indexes); empty = a general checklist.
    pub stages: Vec<usize>,
    pub category: Option<usize>,
    pub intro: Md,
    pub source: Md,
    /// The items are steps in order (rendered as a numbered list).
    pub ordered: bool,
    /// A reference list (`kind = "reference"`): read, not worked through, so its items have
    /// no checkboxes and count towards no progress.
    pub reference: bool,
    pub items: Vec<Item>,
}

#[derive(Debug, Clone, Default)]
pub struct Item {
    /// Stable within its checklist, so saved progress survives edits.
    pub id: String,
    pub text: Md,
    pub category: Option<usize>,
    pub detail: Md,
}

#[derive(Debug, Clone, Default)]
pub struct Table {
    pub id: String,
    pub title: String,
    pub intro: Md,
    pub source: Md,
    pub columns: Vec<Column>,
    pub rows: Vec<Row>,
}

#[derive(Debug, Clone, Default)]
pub struct Column {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, Default)]
pub struct Row {
    pub stages: Vec<usize>,
    /// One cell per column (inline markdown; empty when absent).
    pub cells: Vec<Md>,
}

impl Matrix {
    pub fn stage(&self, id: &str) -> Option<usize> {
        self.stages.iter().position(|s| s.id == id)
    }

    pub fn category(&self, id: &str) -> Option<usize> {
        self.categories.iter().position(|c| c.id == id)
    }

    pub fn checklist(&self, id: &str) -> Option<usize> {
        self.checklists.iter().position(|c| c.id == id)
    }

    pub fn table(&self, id: &str) -> Option<usize> {
        self.tables.iter().position(|t| t.id == id)
    }

    /// Whether aspect `a`'s cell at stage `s` asks for something: neither deliberately empty
    /// nor the matrix's no-requirement text.
    pub fn requires(&self, a: &Aspect, s: usize) -> bool {
        match &a.cells[s] {
            None => false,
            Some(cell) => self.none_text.as_deref().is_none_or(|none| cell.text.trim() != none),
        }
    }

    /// The task checklists of stage `s` (items with checkboxes; reference lists left out).
    pub fn tasks_of_stage(&self, s: usize) -> impl Iterator<Item = usize> + '_ {
        (0..self.checklists.len())
            .filter(move |&c| !self.checklists[c].reference && self.checklists[c].stages.contains(&s))
    }

    /// Aspects of one category, in file order.
    pub fn aspects_of(&self, category: usize) -> impl Iterator<Item = &Aspect> {
        self.aspects.iter().filter(move |a| a.category == category)
    }
}

/// A matrix with the file it came from, so later steps can point into it.
#[derive(Debug, Clone)]
pub(crate) struct Loaded {
    pub matrix: Matrix,
    /// The file with its line index, which places every error found later in the build.
    file: SourceFile<'static>,
}

impl Loaded {
    #[cfg(test)]
    pub(crate) fn new(matrix: Matrix, path: impl Into<PathBuf>, text: impl Into<String>) -> Loaded {
        Loaded { matrix, file: SourceFile::new(path, text.into()) }
    }

    pub(crate) fn error_at(&self, offset: usize, message: impl Into<String>) -> Diagnostic {
        self.file.error_at(offset, message)
    }
}

/// The matrix file to read, if any: the configured one (which must exist), or
/// `content/matrix.toml` when present.
pub(crate) fn location(config: &Config) -> Result<Option<PathBuf>, Diagnostic> {
    match &config.build.matrix {
        Some(path) => {
            let full = config.root.join(path.get_ref());
            if full.is_file() {
                Ok(Some(full))
            } else {
                Err(config.error_at(path.span(), format!("matrix file {} not found", path.get_ref())))
            }
        }
        None => {
            let default = config.content_dir().join("matrix.toml");
            Ok(default.is_file().then_some(default))
        }
    }
}

/// Reads and validates the handbook's matrix; `Ok(None)` when the handbook has none.
pub(crate) fn load(config: &Config) -> Result<Option<Loaded>, Vec<Diagnostic>> {
    let Some(path) = location(config).map_err(|d| vec![d])? else { return Ok(None) };
    let shown = path.strip_prefix(".").unwrap_or(&path).to_path_buf();
    let bytes =
        std::fs::read(&path).map_err(|e| vec![Diagnostic::error(shown.clone(), format!("cannot read: {e}"))])?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let lossy = String::from_utf8_lossy(e.as_bytes()).into_owned();
        vec![Diagnostic::at(shown.clone(), &lossy, e.utf8_error().valid_up_to(), "file is not valid UTF-8")]
    })?;
    let parsed = parse(&text);
    let file = SourceFile::new(shown, text);
    match parsed {
        Ok(matrix) => Ok(Some(Loaded { matrix, file })),
        Err(errors) => Err(errors.into_iter().map(|p| file.diagnostic(p)).collect()),
    }
}
