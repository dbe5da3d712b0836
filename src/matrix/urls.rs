//! Where the pages generated from the matrix live, and which template draws each.

use super::Matrix;

/// A page generated from the matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum View {
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
    /// The view a generated page shows (`None` for other pages).
    pub(crate) fn of(page: &crate::content::Page) -> Option<View> {
        page.generated.as_ref().and_then(|p| p.get::<View>()).copied()
    }

    /// The theme template that renders this view.
    pub(crate) fn template(self) -> &'static str {
        match self {
            View::Stages => "stages.html",
            View::Stage(_) => "stage.html",
            View::Matrix => "matrix.html",
            View::Category(_) => "category.html",
        }
    }
}

pub(crate) const STAGES_URL: &str = "stages/index.html";
pub(super) const MATRIX_URL: &str = "matrix/index.html";

pub(crate) fn stage_url(m: &Matrix, i: usize) -> String {
    format!("stages/{}/index.html", m.stages[i].id)
}

pub(crate) fn category_url(m: &Matrix, i: usize) -> String {
    format!("categories/{}/index.html", m.categories[i].id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matrix::{Category, Stage};

    #[test]
    fn urls_come_from_ids() {
        let m = Matrix {
            stages: vec![Stage { id: "mvp".into(), ..Stage::default() }],
            categories: vec![Category { id: "ai".into(), ..Category::default() }],
            ..Matrix::default()
        };
        assert_eq!(stage_url(&m, 0), "stages/mvp/index.html");
        assert_eq!(category_url(&m, 0), "categories/ai/index.html");
        assert_eq!(View::Stage(0).template(), "stage.html");
        assert_eq!(View::Category(0).template(), "category.html");
    }
}
