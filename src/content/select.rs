//! Which parsed pages the site keeps: drafts, and everything in a draft folder, leave the build
//! unless drafts are built. Pure.

use std::collections::HashMap;

use super::ids::{IdVec, PageId};
use super::{paths, Page, PageKind};

/// Whether each page stays in the site.
pub(crate) fn included(
    pages: &IdVec<PageId, Page>,
    index_of_dir: &HashMap<String, PageId>,
    drafts: bool,
) -> IdVec<PageId, bool> {
    pages.iter().map(|p| drafts || !(p.draft || in_draft_folder(pages, index_of_dir, &p.dir, p.kind))).collect()
}

/// Keeps the included pages, numbered afresh, with their links pointed at the new numbers.
/// Links to left-out pages must have been reported as errors already: they are dropped.
pub(crate) fn keep(pages: IdVec<PageId, Page>, included: &IdVec<PageId, bool>) -> IdVec<PageId, Page> {
    // Most builds keep every page: as they are, not copied to a second list of them.
    if included.iter().all(|&keep| keep) {
        return pages;
    }
    let mut new_id: IdVec<PageId, Option<PageId>> = IdVec::with_capacity(pages.len());
    let mut next = 0;
    for &keep in included.iter() {
        new_id.push(keep.then(|| {
            next += 1;
            <PageId as super::ids::Id>::from_index(next - 1)
        }));
    }
    pages
        .into_iter()
        .zip(included.iter())
        .filter(|(_, keep)| **keep)
        .map(|(mut page, _)| {
            page.links.retain_mut(|link| match new_id[link.target] {
                Some(id) => {
                    link.target = id;
                    true
                }
                None => false,
            });
            page
        })
        .collect()
}

/// A page is inside a draft folder when any enclosing folder's page is a draft.
fn in_draft_folder(
    pages: &IdVec<PageId, Page>,
    index_of_dir: &HashMap<String, PageId>,
    dir: &str,
    kind: PageKind,
) -> bool {
    if kind == PageKind::Home {
        return false;
    }
    let mut d = if kind == PageKind::Page { dir } else { paths::parent_dir(dir) };
    loop {
        if index_of_dir.get(d).is_some_and(|&i| pages[i].draft) {
            return true;
        }
        if d.is_empty() {
            return false;
        }
        d = paths::parent_dir(d);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::ids::Id;
    use crate::markdown::PendingLink;

    fn page(dir: &str, kind: PageKind, draft: bool) -> Page {
        Page { draft, ..Page::empty("x/index.html", dir, kind) }
    }

    fn id(i: usize) -> PageId {
        PageId::from_index(i)
    }

    /// 0 home, 1 ops/ (a draft folder), 2 ops/run, 3 ops/deep/ , 4 ops/deep/page, 5 guide/x (draft), 6 guide/y
    fn sample() -> (IdVec<PageId, Page>, HashMap<String, PageId>) {
        let pages = IdVec::from(vec![
            page("", PageKind::Home, false),
            page("ops", PageKind::Section, true),
            page("ops", PageKind::Page, false),
            page("ops/deep", PageKind::Section, false),
            page("ops/deep", PageKind::Page, false),
            page("guide", PageKind::Page, true),
            page("guide", PageKind::Page, false),
        ]);
        let dirs = [("", 0), ("ops", 1), ("ops/deep", 3)].into_iter().map(|(d, i)| (d.to_string(), id(i))).collect();
        (pages, dirs)
    }

    #[test]
    fn drafts_and_everything_below_a_draft_folder_are_left_out() {
        let (pages, dirs) = sample();
        let kept: Vec<bool> = included(&pages, &dirs, false).into_iter().collect();
        assert_eq!(kept, vec![true, false, false, false, false, false, true]);
        assert!(included(&pages, &dirs, true).iter().all(|&k| k));
    }

    #[test]
    fn kept_pages_are_renumbered_with_their_links() {
        let (mut pages, dirs) = sample();
        let link = |target| PendingLink { offset: 0, dest: String::new(), target: id(target), anchor: None };
        pages[id(6)].links = vec![link(0), link(6), link(2)];
        let inc = included(&pages, &dirs, false);
        let kept = keep(pages, &inc);
        assert_eq!(kept.len(), 2);
        let targets: Vec<PageId> = kept[id(1)].links.iter().map(|l| l.target).collect();
        assert_eq!(targets, vec![id(0), id(1)]);
    }
}
