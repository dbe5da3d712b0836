//! Every key and id the theme's templates and scripts rely on, written in this one place.
//!
//! Templates print these as fields and scripts read them from `data-` attributes; neither
//! puts one together itself. Saved ticks are stored under the item keys, so their format must
//! never change: a reader's progress would be lost.

use super::{Aspect, Matrix};

/// State letter: the aspect's requirement is new or changed at this stage.
pub(crate) const NEW: char = 'n';
/// State letter: the same requirement as the stage before.
pub(crate) const SAME: char = 's';
/// State letter: no requirement at this stage (an empty cell, or the no-requirement text).
pub(crate) const EMPTY: char = 'e';

/// What an aspect asks of each stage, one letter per stage in ladder order ([`NEW`], [`SAME`],
/// [`EMPTY`]). Scripts read it to mark aspects against the reader's current stage without
/// knowing any stage by name.
pub(crate) fn states(m: &Matrix, a: &Aspect) -> String {
    (0..a.cells.len()).map(|i| state(m, a, i)).collect()
}

/// The state letter of aspect `a` at stage `s` (see [`states`]).
pub(crate) fn state(m: &Matrix, a: &Aspect, s: usize) -> char {
    if !m.requires(a, s) {
        return EMPTY;
    }
    match s.checked_sub(1) {
        Some(p) if m.requires(a, p) && a.cells[p].as_ref().map(|c| &c.text) == a.cells[s].as_ref().map(|c| &c.text) => {
            SAME
        }
        _ => NEW,
    }
}

/// What changes for an aspect from the stage before (`change` of a stage page's item, printed
/// by templates as `data-change`): a requirement where none was, another requirement, none any
/// more, the same one, or none at either.
pub(crate) mod change {
    pub(crate) const NEW: &str = "new";
    pub(crate) const CHANGED: &str = "changed";
    pub(crate) const DROPPED: &str = "dropped";
    pub(crate) const SAME: &str = "same";
    pub(crate) const NONE: &str = "none";
}

/// Key of the tick of an aspect at one stage.
pub(crate) fn aspect_key(aspect: &str, stage: &str) -> String {
    format!("aspect:{aspect}:{stage}")
}

/// Key of the tick of a checklist item.
pub(crate) fn item_key(list: &str, item: &str) -> String {
    format!("checklist:{list}:{item}")
}

/// Which saved keys are ticks at all, as `*` patterns (space-separated): what export,
/// import and reset work on.
pub(crate) const TICKS: &str = "aspect:* checklist:*";

/// The ticks that count for one stage, as `*` patterns: its aspects and the items of its
/// checklists (`lists`), less the aspects without a requirement there (`skip`, each written
/// `!key`): a tick saved before their cell said "none" stays saved but no longer counts.
pub(crate) fn stage_ticks<'a>(
    stage: &str,
    lists: impl IntoIterator<Item = &'a str>,
    skip: impl IntoIterator<Item = &'a str>,
) -> String {
    let mut out = format!("aspect:*:{stage}");
    for list in lists {
        out.push(' ');
        out.push_str(&item_key(list, "*"));
    }
    for aspect in skip {
        out.push_str(" !");
        out.push_str(&aspect_key(aspect, stage));
    }
    out
}

/// Id of the heading of a section about `id` (a checklist, table or category).
pub(crate) fn title_id(id: &str) -> String {
    format!("{id}-title")
}

/// Id of a checklist item's element.
pub(crate) fn item_id(list: &str, item: &str) -> String {
    format!("{list}-{item}")
}

/// Id of a checkbox for the element with id `of`.
pub(crate) fn check_id(of: &str) -> String {
    format!("check-{of}")
}

/// Id of the line naming where a stage's cost figures come from.
pub(crate) fn cost_source_id(stage: &str) -> String {
    format!("cost-source-{stage}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matrix::Md;

    fn cell(text: &str) -> Option<Md> {
        Some(Md { text: text.into(), at: 0 })
    }

    #[test]
    fn states_mark_new_same_and_empty_cells() {
        let a = Aspect { cells: vec![None, cell("a"), cell("a"), cell("b"), None, cell("b")], ..Aspect::default() };
        assert_eq!(states(&Matrix::default(), &a), "ensnen");
    }

    /// A no-requirement cell is like an empty one: what follows it is new, even the same text.
    #[test]
    fn no_requirement_cells_are_empty_states() {
        let a = Aspect {
            cells: vec![cell("n/a"), cell(" n/a "), cell("a"), cell("n/a"), cell("a"), cell("a"), None, cell("n/a")],
            ..Aspect::default()
        };
        let m = Matrix { none_text: Some("n/a".into()), ..Matrix::default() };
        assert_eq!(states(&m, &a), "eenensee");
        assert_eq!(states(&Matrix::default(), &a), "nnnnnsen", "without none_text, n/a is a requirement");
    }

    /// The patterns a stage counts match exactly the keys of its boxes (the glob rule of
    /// progress.js: one `*`, anything in between; `!` patterns exclude).
    #[test]
    fn stage_patterns_match_its_keys_only() {
        let glob = |pattern: &str, key: &str| {
            let (p, s) = pattern.split_once('*').unwrap_or((pattern, ""));
            key.len() >= p.len() + s.len() && key.starts_with(p) && key.ends_with(s)
        };
        let patterns = stage_ticks("mvp", ["launch"], ["tests"]);
        assert_eq!(patterns, "aspect:*:mvp checklist:launch:* !aspect:tests:mvp");
        let counts = |key: &str| {
            let (out, ins): (Vec<&str>, Vec<&str>) = patterns.split(' ').partition(|p| p.starts_with('!'));
            ins.iter().any(|p| glob(p, key)) && !out.iter().any(|p| glob(&p[1..], key))
        };
        assert!(!counts(&aspect_key("tests", "mvp")), "no requirement: its old tick does not count");
        assert!(counts(&aspect_key("backups", "mvp")));
        assert!(counts(&item_key("launch", "dns")));
        assert!(!counts(&aspect_key("backups", "10k")));
        assert!(!counts(&aspect_key("backups", "pre-mvp")));
        assert!(!counts(&item_key("launch-2", "dns")));
        assert!(!counts(&item_key("other", "dns")));
        for key in [aspect_key("x", "y"), item_key("l", "i")] {
            assert!(TICKS.split(' ').any(|p| glob(p, &key)), "{key}");
        }
        assert!(!TICKS.split(' ').any(|p| glob(p, "where")));
    }

    #[test]
    fn ids() {
        assert_eq!(title_id("launch"), "launch-title");
        assert_eq!(item_id("launch", "dns"), "launch-dns");
        assert_eq!(check_id(&item_id("launch", "dns")), "check-launch-dns");
        assert_eq!(cost_source_id("mvp"), "cost-source-mvp");
    }
}
