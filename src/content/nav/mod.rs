//! The navigation: an ordered tree of entries that point at pages, independent of where the
//! pages' files live.
//!
//! Prev/next, breadcrumbs, the sidebar and `static/toc.js` all read this model and nothing
//! else, so a different ordering (today folders and weights, [`folders`]; later an mdBook
//! `SUMMARY.md`) is only a different builder. The entry kinds and the prefix / main / suffix
//! placement follow mdBook's summary format: part titles, separators and draft chapters
//! (listed, not linked) are entries too, and nesting need not follow folders.

pub(crate) mod folders;
pub(crate) mod summary;

use super::ids::{typed_id, IdVec, PageId};

typed_id!(
    /// An entry of the navigation: its place in [`Nav`]'s entry list.
    pub(crate) EntryId
);

/// What an entry shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EntryKind {
    /// A link to a page of the site.
    Page(PageId),
    /// A chapter that is listed but has no page yet (mdBook's `[Title]()`): shown, not linked,
    /// skipped by prev/next.
    // Only a SUMMARY.md builder makes these (and the next two); the folder builder cannot.
    #[cfg_attr(not(test), allow(dead_code))]
    Draft,
    /// A heading that starts a part of the book (mdBook's `# Part one`).
    #[cfg_attr(not(test), allow(dead_code))]
    PartTitle,
    /// A rule between entries (mdBook's `---`).
    #[cfg_attr(not(test), allow(dead_code))]
    Separator,
}

/// Where a top-level entry sits: mdBook's unnumbered prefix chapters come before the main
/// chapters and suffix chapters after them, whatever order the builder adds them in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Placement {
    #[cfg_attr(not(test), allow(dead_code))]
    Prefix,
    Main,
    #[cfg_attr(not(test), allow(dead_code))]
    Suffix,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Entry {
    pub kind: EntryKind,
    /// The label in the sidebar (for the folder builder, the page's title).
    pub title: String,
    /// Nested entries inherit their top-level ancestor's placement.
    pub placement: Placement,
    pub parent: Option<EntryId>,
    pub children: Vec<EntryId>,
    /// Shown as an expandable group: it has children, or the builder says so (a folder that
    /// holds only its own page is still a section).
    pub section: bool,
}

/// The finished navigation, with the reading order worked out once.
#[derive(Debug, Clone, Default)]
pub(crate) struct Nav {
    entries: IdVec<EntryId, Entry>,
    /// Top-level entries: prefix, then main, then suffix.
    top: Vec<EntryId>,
    /// The front page: first in reading order and first in every breadcrumb trail. It need not
    /// have an entry (the folder builder lists only what is below it).
    home: Option<PageId>,
    /// The first entry that links each page.
    entry_of: IdVec<PageId, Option<EntryId>>,
    /// Linked pages in reading order: home, then entries depth first; each page once.
    order: Vec<PageId>,
    /// Each page's place in `order`.
    position: IdVec<PageId, Option<u32>>,
    /// Each entry's title escaped for HTML, once: every page's sidebar repeats dozens of them.
    titles_html: IdVec<EntryId, String>,
}

impl Nav {
    #[cfg(test)]
    pub(crate) fn home(&self) -> Option<PageId> {
        self.home
    }

    pub(crate) fn top(&self) -> &[EntryId] {
        &self.top
    }

    pub(crate) fn entry(&self, id: EntryId) -> &Entry {
        &self.entries[id]
    }

    /// Entry `id`'s title, escaped for HTML.
    pub(crate) fn title_html(&self, id: EntryId) -> &str {
        &self.titles_html[id]
    }

    /// The entry that links `page`, if it is listed.
    pub(crate) fn entry_of(&self, page: PageId) -> Option<EntryId> {
        self.entry_of.get(page).copied().flatten()
    }

    /// Linked pages in reading order.
    pub(crate) fn reading_order(&self) -> &[PageId] {
        &self.order
    }

    pub(crate) fn prev(&self, page: PageId) -> Option<PageId> {
        let pos = self.position.get(page).copied().flatten()? as usize;
        pos.checked_sub(1).map(|p| self.order[p])
    }

    pub(crate) fn next(&self, page: PageId) -> Option<PageId> {
        let pos = self.position.get(page).copied().flatten()? as usize;
        self.order.get(pos + 1).copied()
    }

    /// The entries from the top level down to `page`'s own entry (empty if it is not listed).
    pub(crate) fn path(&self, page: PageId) -> Vec<EntryId> {
        let mut path = Vec::new();
        let mut at = self.entry_of(page);
        while let Some(e) = at {
            path.push(e);
            at = self.entries[e].parent;
        }
        path.reverse();
        path
    }

    /// The linked pages above `page`, home first, not including `page` itself. Draft entries
    /// on the way have no page to link and are left out.
    pub(crate) fn breadcrumbs(&self, page: PageId) -> Vec<PageId> {
        let mut trail: Vec<PageId> = self.home.filter(|&h| h != page).into_iter().collect();
        let mut path = self.path(page);
        path.pop();
        for e in path {
            if let EntryKind::Page(p) = self.entries[e].kind {
                if !trail.contains(&p) {
                    trail.push(p);
                }
            }
        }
        trail
    }

    /// The entries below `page`'s entry; for a home page without an entry, the top level.
    pub(crate) fn children_of(&self, page: PageId) -> &[EntryId] {
        match self.entry_of(page) {
            Some(e) => &self.entries[e].children,
            None if self.home == Some(page) => &self.top,
            None => &[],
        }
    }

    /// The page that lists `entry` and its siblings: its parent entry's page, or the home
    /// page for the top level. `None` under a draft.
    pub(crate) fn parent_page(&self, entry: EntryId) -> Option<PageId> {
        match self.entries[entry].parent {
            Some(parent) => match self.entries[parent].kind {
                EntryKind::Page(p) => Some(p),
                _ => None,
            },
            None => self.home,
        }
    }
}

/// Where [`NavBuilder::add`] puts an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Place {
    /// At the top level, in the given part of the book.
    Top(Placement),
    /// As the last child of an entry.
    Under(EntryId),
}

/// Builds a [`Nav`]: builders add entries in the order they should be read.
#[derive(Debug)]
pub(crate) struct NavBuilder {
    entries: IdVec<EntryId, Entry>,
    prefix: Vec<EntryId>,
    main: Vec<EntryId>,
    suffix: Vec<EntryId>,
    home: Option<PageId>,
    pages: usize,
}

impl NavBuilder {
    /// A builder for a site of `pages` pages (ids `0..pages`).
    pub(crate) fn new(pages: usize) -> NavBuilder {
        NavBuilder {
            entries: IdVec::new(),
            prefix: Vec::new(),
            main: Vec::new(),
            suffix: Vec::new(),
            home: None,
            pages,
        }
    }

    pub(crate) fn home(&mut self, page: PageId) {
        self.home = Some(page);
    }

    pub(crate) fn add(&mut self, place: Place, kind: EntryKind, title: impl Into<String>) -> EntryId {
        let (placement, parent) = match place {
            Place::Top(p) => (p, None),
            Place::Under(parent) => (self.entries[parent].placement, Some(parent)),
        };
        let id = self.entries.push(Entry {
            kind,
            title: title.into(),
            placement,
            parent,
            children: Vec::new(),
            section: false,
        });
        match place {
            Place::Under(parent) => self.entries[parent].children.push(id),
            Place::Top(Placement::Prefix) => self.prefix.push(id),
            Place::Top(Placement::Main) => self.main.push(id),
            Place::Top(Placement::Suffix) => self.suffix.push(id),
        }
        id
    }

    /// Shows `entry` as a section even if nothing is added below it.
    pub(crate) fn section(&mut self, entry: EntryId) {
        self.entries[entry].section = true;
    }

    pub(crate) fn finish(self) -> Nav {
        let NavBuilder { mut entries, mut prefix, main, suffix, home, pages } = self;
        prefix.extend(main);
        prefix.extend(suffix);
        let top = prefix;
        let mut entry_of: IdVec<PageId, Option<EntryId>> = (0..pages).map(|_| None).collect();
        for (id, e) in entries.iter_ids() {
            if let EntryKind::Page(p) = e.kind {
                entry_of[p].get_or_insert(id);
            }
        }
        let ids: Vec<EntryId> = entries.ids().collect();
        for id in ids {
            if !entries[id].children.is_empty() {
                entries[id].section = true;
            }
        }
        let mut position: IdVec<PageId, Option<u32>> = (0..pages).map(|_| None).collect();
        let mut order = Vec::with_capacity(pages);
        let mut visit = |p: PageId, order: &mut Vec<PageId>| {
            if position[p].is_none() {
                position[p] = Some(order.len() as u32);
                order.push(p);
            }
        };
        if let Some(h) = home {
            visit(h, &mut order);
        }
        // Depth first without recursion: handbooks nest deeply only by accident, but a
        // stack overflow is never the right answer.
        let mut stack: Vec<EntryId> = top.iter().rev().copied().collect();
        while let Some(e) = stack.pop() {
            if let EntryKind::Page(p) = entries[e].kind {
                visit(p, &mut order);
            }
            stack.extend(entries[e].children.iter().rev());
        }
        let titles_html = entries.iter().map(|e| crate::html::escape_html(&e.title)).collect();
        Nav { entries, top, home, entry_of, order, position, titles_html }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::ids::Id;

    fn p(i: usize) -> PageId {
        PageId::from_index(i)
    }

    /// A book shaped like an mdBook summary, with pages whose files would sit in unrelated
    /// folders: 0 home, 1 foreword (prefix), 2 install, 3 linux (nested under install although
    /// its file could be anywhere), 4 usage, 5 glossary (suffix), 6 never listed.
    fn sample() -> (Nav, [EntryId; 9]) {
        let mut b = NavBuilder::new(7);
        b.home(p(0));
        // Added out of order on purpose: the suffix first, then the prefix.
        let glossary = b.add(Place::Top(Placement::Suffix), EntryKind::Page(p(5)), "Glossary");
        let foreword = b.add(Place::Top(Placement::Prefix), EntryKind::Page(p(1)), "Foreword");
        let part = b.add(Place::Top(Placement::Main), EntryKind::PartTitle, "Part one");
        let install = b.add(Place::Top(Placement::Main), EntryKind::Page(p(2)), "Installing");
        let linux = b.add(Place::Under(install), EntryKind::Page(p(3)), "On Linux");
        let later = b.add(Place::Under(install), EntryKind::Draft, "On Plan 9");
        let sep = b.add(Place::Top(Placement::Main), EntryKind::Separator, "");
        let usage = b.add(Place::Top(Placement::Main), EntryKind::Page(p(4)), "Usage");
        let draft_group = b.add(Place::Top(Placement::Main), EntryKind::Draft, "Someday");
        (b.finish(), [foreword, part, install, linux, later, sep, usage, draft_group, glossary])
    }

    #[test]
    fn prefix_main_and_suffix_keep_their_places() {
        let (nav, [foreword, part, install, _, _, sep, usage, draft_group, glossary]) = sample();
        assert_eq!(nav.top(), &[foreword, part, install, sep, usage, draft_group, glossary]);
        assert_eq!(nav.entry(foreword).placement, Placement::Prefix);
        assert_eq!(nav.entry(glossary).placement, Placement::Suffix);
        assert_eq!(nav.entry(part).kind, EntryKind::PartTitle);
        assert_eq!(nav.entry(sep).kind, EntryKind::Separator);
    }

    #[test]
    fn reading_order_skips_drafts_part_titles_and_separators() {
        let (nav, _) = sample();
        assert_eq!(nav.reading_order(), &[p(0), p(1), p(2), p(3), p(4), p(5)]);
        assert_eq!(nav.prev(p(0)), None);
        assert_eq!(nav.next(p(0)), Some(p(1)));
        // From the nested page over the draft and the separator to the next page.
        assert_eq!(nav.next(p(3)), Some(p(4)));
        assert_eq!(nav.prev(p(4)), Some(p(3)));
        assert_eq!(nav.next(p(5)), None);
        // A page that is not listed has no neighbours.
        assert_eq!((nav.prev(p(6)), nav.next(p(6))), (None, None));
    }

    #[test]
    fn draft_entries_are_listed_without_a_page() {
        let (nav, [.., later, _, _, draft_group, _]) = sample();
        assert_eq!(nav.entry(later).kind, EntryKind::Draft);
        assert_eq!(nav.entry(later).title, "On Plan 9");
        assert!(!nav.reading_order().iter().any(|&pg| nav.entry_of(pg) == Some(later)));
        // A draft with nothing below it is no section; a page with children is one.
        assert!(!nav.entry(draft_group).section);
    }

    #[test]
    fn nesting_follows_the_entries_not_the_files() {
        let (nav, [_, _, install, linux, later, ..]) = sample();
        assert!(nav.entry(install).section);
        assert_eq!(nav.children_of(p(2)), &[linux, later]);
        assert_eq!(nav.path(p(3)), vec![install, linux]);
        assert_eq!(nav.breadcrumbs(p(3)), vec![p(0), p(2)]);
        assert_eq!(nav.breadcrumbs(p(0)), Vec::<PageId>::new());
        assert_eq!(nav.breadcrumbs(p(5)), vec![p(0)]);
        assert_eq!(nav.parent_page(linux), Some(p(2)));
        assert_eq!(nav.parent_page(install), Some(p(0)));
        // The home page without an entry has the top level as its children.
        assert_eq!(nav.children_of(p(0)).len(), 7);
        assert!(nav.children_of(p(6)).is_empty());
    }

    #[test]
    fn pages_below_a_draft_skip_it_in_breadcrumbs() {
        let mut b = NavBuilder::new(2);
        b.home(p(0));
        let draft = b.add(Place::Top(Placement::Main), EntryKind::Draft, "Planned");
        let child = b.add(Place::Under(draft), EntryKind::Page(p(1)), "Written already");
        let nav = b.finish();
        assert!(nav.entry(draft).section);
        assert_eq!(nav.breadcrumbs(p(1)), vec![p(0)]);
        assert_eq!(nav.parent_page(child), None);
        assert_eq!(nav.reading_order(), &[p(0), p(1)]);
    }

    #[test]
    fn a_home_page_listed_as_an_entry_is_read_once() {
        // mdBook's rule: the first chapter is the front page.
        let mut b = NavBuilder::new(3);
        b.home(p(1));
        let first = b.add(Place::Top(Placement::Main), EntryKind::Page(p(1)), "Introduction");
        b.add(Place::Under(first), EntryKind::Page(p(2)), "Details");
        b.add(Place::Top(Placement::Main), EntryKind::Page(p(0)), "Later");
        let nav = b.finish();
        assert_eq!(nav.reading_order(), &[p(1), p(2), p(0)]);
        assert_eq!(nav.breadcrumbs(p(2)), vec![p(1)]);
        assert_eq!(nav.children_of(p(1)).len(), 1);
    }
}
