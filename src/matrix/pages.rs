//! The pages the build generates from the matrix, and the data each one's template gets.

use serde::Serialize;

use super::chart::cost_chart;
use super::urls::{category_url, stage_url, View, MATRIX_URL, STAGES_URL};
use super::views::{CategoryView, ChecklistView, GroupView, MatrixView, StageView, TableView, Views};
use super::Matrix;
use crate::content::{Generated, PageKind, Payload};
use crate::i18n::Translations;

/// The pages the matrix adds to the site. In the navigation, "Stages" holds one page per
/// stage and the matrix page holds one page per category.
/// Their titles and descriptions are in the book's language (`strings`).
pub(crate) fn generated_pages(m: &Matrix, strings: &Translations) -> Vec<Generated> {
    let weight = m.weight;
    let mut pages = vec![Generated {
        url: STAGES_URL.into(),
        dir: "stages".into(),
        kind: PageKind::Section,
        title: strings.ui_plain("stages_title", None, &[]),
        description: strings.ui_plain("stages_description", Some(m.stages.len() as u64), &[]),
        weight,
        payload: Payload::new(View::Stages),
    }];
    for (i, s) in m.stages.iter().enumerate() {
        pages.push(Generated {
            url: stage_url(m, i),
            dir: "stages".into(),
            kind: PageKind::Page,
            title: format!("{}: {}", s.name, s.goal).trim_end_matches(": ").to_string(),
            description: s.question.clone(),
            weight: Some(i as i64),
            payload: Payload::new(View::Stage(i)),
        });
    }
    pages.push(Generated {
        url: MATRIX_URL.into(),
        dir: "matrix".into(),
        kind: PageKind::Section,
        title: if m.title.is_empty() { strings.ui_plain("matrix_title", None, &[]) } else { m.title.clone() },
        description: strings.ui_plain(
            "matrix_description",
            Some(m.aspects.len() as u64),
            &[("categories", &m.categories.len().to_string()), ("stages", &m.stages.len().to_string())],
        ),
        weight: weight.map(|w| w + 1),
        payload: Payload::new(View::Matrix),
    });
    for (i, c) in m.categories.iter().enumerate() {
        pages.push(Generated {
            url: category_url(m, i),
            dir: "matrix".into(),
            kind: PageKind::Page,
            title: c.name.clone(),
            description: strip_markdown(&c.lesson.text),
            weight: Some(i as i64),
            payload: Payload::new(View::Category(i)),
        });
    }
    pages
}

/// Plain text of a one-line markdown string (for meta descriptions).
fn strip_markdown(s: &str) -> String {
    s.chars().filter(|c| !matches!(c, '*' | '_' | '`')).collect()
}

/// Data a generated page's template gets besides the common page context.
#[derive(Debug, Serialize)]
pub(crate) struct PageData<'a> {
    pub matrix: MatrixView<'a>,
    pub stage: Option<StageView<'a>>,
    pub prev_stage: Option<StageView<'a>>,
    pub next_stage: Option<StageView<'a>>,
    /// On a stage page: the aspects whose requirement is new, changed or dropped there.
    pub groups: Vec<GroupView<'a>>,
    /// On a stage page: the other aspects (the same as before, or nothing asked).
    pub unchanged_groups: Vec<GroupView<'a>>,
    /// How many aspects `groups` and `unchanged_groups` hold.
    pub changed_count: usize,
    pub unchanged_count: usize,
    /// Checklists of this stage (stage page) or general checklists (stages page).
    pub checklists: Vec<ChecklistView<'a>>,
    /// Tables (on a stage page: only this stage's rows; tables without such rows left out).
    pub tables: Vec<TableView<'a>>,
    pub category: Option<CategoryView<'a>>,
    /// Server-rendered chart of cost and duration ranges (stages page).
    pub cost_chart: String,
}

/// The data of generated page `view`, as the page at `v.page` shows it.
pub(crate) fn page_data<'a>(v: Views<'a>, view: View) -> PageData<'a> {
    let m = v.m;
    let mut data = PageData {
        matrix: v.matrix(),
        stage: None,
        prev_stage: None,
        next_stage: None,
        groups: Vec::new(),
        unchanged_groups: Vec::new(),
        changed_count: 0,
        unchanged_count: 0,
        checklists: Vec::new(),
        tables: Vec::new(),
        category: None,
        cost_chart: String::new(),
    };
    match view {
        View::Stages => {
            data.checklists = (0..m.checklists.len())
                .filter(|&c| m.checklists[c].stages.is_empty())
                .map(|c| v.checklist(c))
                .collect();
            data.tables = data.matrix.tables.clone();
            data.cost_chart = cost_chart(m, v.r.numbers, v.s);
        }
        View::Stage(i) => {
            data.stage = Some(v.stage(i));
            data.prev_stage = i.checked_sub(1).map(|p| v.stage(p));
            data.next_stage = (i + 1 < m.stages.len()).then(|| v.stage(i + 1));
            (data.groups, data.unchanged_groups) = v.stage_sections(i);
            let count = |g: &[GroupView]| g.iter().map(|g| g.items.len()).sum();
            (data.changed_count, data.unchanged_count) = (count(&data.groups), count(&data.unchanged_groups));
            data.checklists = (0..m.checklists.len())
                .filter(|&c| m.checklists[c].stages.contains(&i))
                .map(|c| v.checklist(c))
                .collect();
            data.tables = (0..m.tables.len()).map(|t| v.table(t, Some(i))).filter(|t| !t.rows.is_empty()).collect();
        }
        View::Category(i) => data.category = Some(v.category(i)),
        View::Matrix => {}
    }
    data
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matrix::rendered::Rendered;

    fn sample() -> Matrix {
        crate::matrix::parse(
            "[[stage]]\nid=\"a\"\nname=\"A\"\ngoal=\"Start\"\n[[stage]]\nid=\"b\"\nname=\"B\"\n[[category]]\nid=\"c\"\nname=\"C\"\nlesson=\"*One* thing\"\n[[aspect]]\nid=\"x\"\ncategory=\"c\"\nname=\"X\"\ncells={a=\"1\",b=\"2\"}\n[[checklist]]\nid=\"l\"\ntitle=\"L\"\nstages=[\"b\"]\n",
        )
        .unwrap()
    }

    #[test]
    fn generated_pages_cover_every_stage_and_category() {
        let pages = generated_pages(&sample(), &Translations::english());
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
        assert_eq!(pages[1].title, "A: Start");
        assert_eq!(pages[2].title, "B", "no dangling colon without a goal");
        assert_eq!(pages[4].description, "One thing");
    }

    /// Each page gets the slice it shows: a stage page its own checklists and neighbours.
    #[test]
    fn page_data_takes_the_slice_of_its_page() {
        let m = sample();
        let r = Rendered::default_for(&m);
        let v = Views { m: &m, r: &r, page: "stages/b/index.html", s: &crate::i18n::Translations::english() };
        let data = page_data(v, View::Stage(1));
        assert_eq!(data.stage.as_ref().map(|s| s.id), Some("b"));
        assert_eq!(data.prev_stage.as_ref().map(|s| s.url.as_str()), Some("../a/index.html"));
        assert!(data.next_stage.is_none());
        assert_eq!(data.checklists.iter().map(|c| c.id).collect::<Vec<_>>(), ["l"]);
        assert_eq!(data.groups[0].items[0].key, "aspect:x:b");
        assert_eq!((data.changed_count, data.unchanged_count), (1, 0));
        let stages = page_data(Views { page: STAGES_URL, ..v }, View::Stages);
        assert!(stages.checklists.is_empty(), "the only checklist belongs to a stage");
        assert_eq!(stages.matrix.stages[0].url, "a/index.html");
    }

    /// The matrix is rendered once per build: every field once, then no markdown work for
    /// any page or embed that shows it.
    #[test]
    fn pages_and_embeds_render_no_markdown() {
        use crate::matrix::rendered::RENDERS;
        let m = crate::matrix::parse(
            "[matrix]\ndescription=\"All *of* it\"\n[[stage]]\nid=\"a\"\nname=\"A\"\nsummary=\"First\"\n[[stage]]\nid=\"b\"\nname=\"B\"\n[[category]]\nid=\"c\"\nname=\"C\"\nlesson=\"L\"\n[[aspect]]\nid=\"x\"\ncategory=\"c\"\nname=\"X\"\nnote=\"N\"\ncells={a=\"1\",b=\"2\"}\n[[checklist]]\nid=\"l\"\ntitle=\"L\"\n[[checklist.item]]\nid=\"i\"\ntext=\"Do\"\n",
        )
        .unwrap();
        let before = RENDERS.with(|n| n.get());
        let r = Rendered::default_for(&m);
        // description, summary, lesson, note, two cells, item text: seven non-empty fields.
        assert_eq!(RENDERS.with(|n| n.get()) - before, 7);
        let after_model = RENDERS.with(|n| n.get());
        for page in generated_pages(&m, &Translations::english()) {
            let v = Views { m: &m, r: &r, page: &page.url, s: &crate::i18n::Translations::english() };
            let data = page_data(v, *page.payload.get::<View>().expect("a matrix view"));
            assert_eq!(data.matrix.description, "<p>All <em>of</em> it</p>\n");
            for name in ["stages", "where"] {
                let e = crate::markdown::Embed { offset: 0, name: name.into(), args: Vec::new() };
                crate::matrix::embed_data(&v, crate::matrix::resolve_embed(Some(&m), &e).unwrap());
            }
        }
        assert_eq!(RENDERS.with(|n| n.get()), after_model, "views only pick from the model");
    }
}
