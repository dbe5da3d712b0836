//! The navigation built from folders: each folder is a section whose entry links its page.
//! Siblings are ordered: pages with a `weight` first, by weight; then the pages the folder's
//! own page links to, in the order of their first link (a README that lists its pages is the
//! order its author meant); then the rest by title.

use std::collections::HashMap;

use super::{EntryKind, Nav, NavBuilder, Place, Placement};
use crate::content::ids::{IdVec, PageId};
use crate::content::{paths, Page, PageKind};

/// One folder while the tree is worked out.
struct Folder<'a> {
    dir: &'a str,
    page: PageId,
    children: Vec<Child>,
}

#[derive(Clone, Copy)]
enum Child {
    Page(PageId),
    Folder(usize),
}

/// Builds the navigation; `pages` holds one Home page and one page per folder that has pages
/// (content loading makes them up where the files do not exist).
pub(crate) fn build(pages: &IdVec<PageId, Page>) -> Nav {
    let mut folders: Vec<Folder> = Vec::new();
    let mut by_dir: HashMap<&str, usize> = HashMap::new();
    for (id, p) in pages.iter_ids() {
        if p.kind != PageKind::Page {
            by_dir.insert(p.dir.as_str(), folders.len());
            folders.push(Folder { dir: &p.dir, page: id, children: Vec::new() });
        }
    }
    let mut nav = NavBuilder::new(pages.len());
    if folders.is_empty() {
        // No front page at all (it was a draft): list the pages flat rather than fail.
        for (id, p) in pages.iter_ids() {
            nav.add(Place::Top(Placement::Main), EntryKind::Page(id), p.title.clone());
        }
        return nav.finish();
    }
    let root = by_dir.get("").copied().unwrap_or(0);
    // Nearest enclosing folder that has a page (folders of left-out drafts may be missing).
    let enclosing = |mut dir: &str| loop {
        if let Some(&f) = by_dir.get(dir) {
            return f;
        }
        if dir.is_empty() {
            return root;
        }
        dir = paths::parent_dir(dir);
    };
    for f in 0..folders.len() {
        if folders[f].dir.is_empty() {
            continue;
        }
        let parent = enclosing(paths::parent_dir(folders[f].dir));
        folders[parent].children.push(Child::Folder(f));
    }
    for (id, p) in pages.iter_ids() {
        if p.kind == PageKind::Page {
            folders[enclosing(&p.dir)].children.push(Child::Page(id));
        }
    }
    let page_of = |c: Child, folders: &[Folder]| match c {
        Child::Page(p) => p,
        Child::Folder(f) => folders[f].page,
    };
    for f in 0..folders.len() {
        let mut children = std::mem::take(&mut folders[f].children);
        let linked = first_links(&pages[folders[f].page]);
        let key = |c: Child| {
            let p = page_of(c, &folders);
            let (unweighted, weight, title, url) = sort_key(&pages[p]);
            // Weighted pages keep their place; of the rest, linked ones come first.
            let link = if unweighted { linked.get(&p).copied() } else { None };
            (unweighted, weight, link.is_none(), link, title, url)
        };
        children.sort_by_cached_key(|&c| key(c));
        folders[f].children = children;
    }
    nav.home(folders[root].page);
    add_children(&mut nav, pages, &folders, root, Place::Top(Placement::Main));
    nav.finish()
}

fn add_children(nav: &mut NavBuilder, pages: &IdVec<PageId, Page>, folders: &[Folder], f: usize, place: Place) {
    for &c in &folders[f].children {
        match c {
            Child::Page(p) => {
                nav.add(place, EntryKind::Page(p), pages[p].title.clone());
            }
            Child::Folder(sub) => {
                let page = folders[sub].page;
                let entry = nav.add(place, EntryKind::Page(page), pages[page].title.clone());
                nav.section(entry);
                add_children(nav, pages, folders, sub, Place::Under(entry));
            }
        }
    }
}

/// Weighted pages first (ascending), then the rest; ties by title, then by path for stability.
/// (`true` first means "has no weight".)
pub(crate) fn sort_key(p: &Page) -> (bool, i64, String, &str) {
    (p.weight.is_none(), p.weight.unwrap_or(0), p.title.to_lowercase(), p.url.as_str())
}

/// The pages `index` links to, each with the place of its first link.
fn first_links(index: &Page) -> HashMap<PageId, usize> {
    let mut first: HashMap<PageId, usize> = HashMap::new();
    for link in &index.links {
        let at = first.entry(link.target).or_insert(link.offset);
        *at = (*at).min(link.offset);
    }
    first
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::ids::Id;

    fn page(url: &str, dir: &str, kind: PageKind, title: &str, weight: Option<i64>) -> Page {
        Page { title: title.into(), weight, ..Page::empty(url, dir, kind) }
    }

    fn sample() -> IdVec<PageId, Page> {
        IdVec::from(vec![
            page("index.html", "", PageKind::Home, "Home", None),
            page("b/index.html", "b", PageKind::Section, "Beta", Some(1)),
            page("b/z/index.html", "b", PageKind::Page, "Zed", None),
            page("b/a/index.html", "b", PageKind::Page, "Alpha", None),
            page("intro/index.html", "", PageKind::Page, "Intro", Some(0)),
            page("b/c/index.html", "b/c", PageKind::Section, "Sub", Some(5)),
            page("b/c/x/index.html", "b/c", PageKind::Page, "X", None),
            page("b/first/index.html", "b", PageKind::Page, "Last alphabetically", Some(1)),
        ])
    }

    fn ids(v: &[usize]) -> Vec<PageId> {
        v.iter().map(|&i| PageId::from_index(i)).collect()
    }

    fn pages_of(nav: &Nav, entries: &[super::super::EntryId]) -> Vec<PageId> {
        entries
            .iter()
            .map(|&e| match nav.entry(e).kind {
                EntryKind::Page(p) => p,
                other => panic!("folder builder made a {other:?} entry"),
            })
            .collect()
    }

    #[test]
    fn reading_order_is_depth_first_by_weight_then_title() {
        let nav = build(&sample());
        assert_eq!(nav.reading_order(), ids(&[0, 4, 1, 7, 5, 6, 3, 2]).as_slice());
        assert_eq!(nav.prev(PageId::from_index(4)), Some(PageId::from_index(0)));
        assert_eq!(nav.next(PageId::from_index(2)), None);
        assert_eq!(nav.prev(PageId::from_index(0)), None);
    }

    #[test]
    fn folders_become_sections_with_their_pages_as_entries() {
        let nav = build(&sample());
        assert_eq!(nav.home(), Some(PageId::from_index(0)));
        assert_eq!(pages_of(&nav, nav.top()), ids(&[4, 1]));
        assert_eq!(nav.breadcrumbs(PageId::from_index(6)), ids(&[0, 1, 5]));
        assert_eq!(nav.breadcrumbs(PageId::from_index(5)), ids(&[0, 1]));
        assert!(nav.breadcrumbs(PageId::from_index(0)).is_empty());
        assert_eq!(pages_of(&nav, nav.children_of(PageId::from_index(1))), ids(&[7, 5, 3, 2]));
        let sections: Vec<bool> =
            nav.children_of(PageId::from_index(1)).iter().map(|&e| nav.entry(e).section).collect();
        assert_eq!(sections, vec![false, true, false, false]);
        // Titles are the pages' titles.
        assert_eq!(nav.entry(nav.top()[0]).title, "Intro");
    }

    #[test]
    fn weighted_pages_then_those_the_index_page_links_to_then_the_rest_by_title() {
        let mut pages = IdVec::from(vec![
            page("index.html", "", PageKind::Home, "Home", None),
            page("zebra/index.html", "", PageKind::Page, "Zebra", None),
            page("apple/index.html", "", PageKind::Page, "Apple", None),
            page("mango/index.html", "", PageKind::Page, "Mango", None),
            page("kiwi/index.html", "", PageKind::Page, "Kiwi", None),
            page("first/index.html", "", PageKind::Page, "Weighted", Some(3)),
            page("sub/index.html", "sub", PageKind::Section, "Sub", None),
        ]);
        // The README lists Mango, then the sub folder, then Zebra (linked twice: the first
        // link counts), and the weighted page (its weight wins).
        let link = |offset, target| crate::markdown::PendingLink {
            offset,
            dest: String::new(),
            target: PageId::from_index(target),
            anchor: None,
        };
        pages[PageId::from_index(0)].links = vec![link(10, 3), link(20, 6), link(30, 1), link(40, 3), link(50, 5)];
        let nav = build(&pages);
        assert_eq!(pages_of(&nav, nav.top()), ids(&[5, 3, 6, 1, 2, 4]));
        // Link offsets need not arrive in order: the first place in the text counts.
        pages[PageId::from_index(0)].links = vec![link(90, 1), link(5, 2), link(50, 1)];
        let nav = build(&pages);
        assert_eq!(pages_of(&nav, nav.top()), ids(&[5, 2, 1, 4, 3, 6]));
    }

    #[test]
    fn an_empty_folder_page_is_still_a_section() {
        let pages = IdVec::from(vec![
            page("index.html", "", PageKind::Home, "Home", None),
            page("lonely/index.html", "lonely", PageKind::Section, "Lonely", None),
        ]);
        let nav = build(&pages);
        let entry = nav.top()[0];
        assert!(nav.entry(entry).section);
        assert!(nav.entry(entry).children.is_empty());
    }

    #[test]
    fn without_a_front_page_pages_are_listed_flat() {
        let pages = IdVec::from(vec![page("a/index.html", "", PageKind::Page, "A", None)]);
        let nav = build(&pages);
        assert_eq!(nav.home(), None);
        assert_eq!(nav.reading_order(), ids(&[0]).as_slice());
    }
}
