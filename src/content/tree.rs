//! The section tree: which pages live in which folder, in what order, and what comes before
//! and after each page.

use std::collections::HashMap;

use super::{paths, Page, PageKind};

/// One folder of the site; its page is `pages[index]`.
#[derive(Debug, Clone)]
pub struct SectionNode {
    pub dir: String,
    pub index: usize,
    pub parent: Option<usize>,
    /// Ordered children: pages and subsections (by weight, then title).
    pub children: Vec<Child>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Child {
    Page(usize),
    Section(usize),
}

/// Sections, reading order and each page's place, computed once after all pages are known.
#[derive(Debug, Clone)]
pub struct Tree {
    pub sections: Vec<SectionNode>,
    /// Section that contains each page (for folder pages: their own section's parent, or the
    /// root for the home page).
    pub parent_of: Vec<usize>,
    /// For folder pages, the section they are the page of.
    pub section_of_page: HashMap<usize, usize>,
    /// All pages in reading order (home first, depth first).
    pub order: Vec<usize>,
    /// Position of each page in `order`.
    pub position: Vec<usize>,
}

/// A navigation entry: the same tree, reduced to what a reader sees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NavNode {
    pub page: usize,
    pub children: Option<Vec<NavNode>>,
}

impl Tree {
    /// Builds the tree; `pages` must contain one Home page and one page per folder that has pages.
    pub fn build(pages: &[Page]) -> Tree {
        let mut sections: Vec<SectionNode> = Vec::new();
        let mut by_dir: HashMap<&str, usize> = HashMap::new();
        let mut section_of_page = HashMap::new();
        for (i, p) in pages.iter().enumerate() {
            if p.kind != PageKind::Page {
                by_dir.insert(p.dir.as_str(), sections.len());
                section_of_page.insert(i, sections.len());
                sections.push(SectionNode { dir: p.dir.clone(), index: i, parent: None, children: Vec::new() });
            }
        }
        let root = by_dir.get("").copied().unwrap_or(0);
        // Nearest enclosing section that exists (folders of excluded drafts may be missing).
        let enclosing = |mut dir: &str| loop {
            if let Some(&s) = by_dir.get(dir) {
                return s;
            }
            if dir.is_empty() {
                return root;
            }
            dir = paths::parent_dir(dir);
        };
        let mut parent_of = vec![root; pages.len()];
        for s in 0..sections.len() {
            if sections[s].dir.is_empty() {
                continue;
            }
            let parent = enclosing(paths::parent_dir(&sections[s].dir));
            sections[s].parent = Some(parent);
            sections[parent].children.push(Child::Section(s));
            parent_of[sections[s].index] = parent;
        }
        for (i, p) in pages.iter().enumerate() {
            if p.kind == PageKind::Page {
                let parent = enclosing(&p.dir);
                sections[parent].children.push(Child::Page(i));
                parent_of[i] = parent;
            }
        }
        let page_of = |c: &Child, sections: &[SectionNode]| match *c {
            Child::Page(p) => p,
            Child::Section(s) => sections[s].index,
        };
        for s in 0..sections.len() {
            let mut children = std::mem::take(&mut sections[s].children);
            children.sort_by(|a, b| {
                let (pa, pb) = (&pages[page_of(a, &sections)], &pages[page_of(b, &sections)]);
                sort_key(pa).cmp(&sort_key(pb))
            });
            sections[s].children = children;
        }
        let mut order = Vec::with_capacity(pages.len());
        if !sections.is_empty() {
            walk(&sections, root, &mut order);
        }
        let mut position = vec![usize::MAX; pages.len()];
        for (pos, &p) in order.iter().enumerate() {
            position[p] = pos;
        }
        Tree { sections, parent_of, section_of_page, order, position }
    }

    /// The root section (the home page's).
    pub fn root(&self) -> usize {
        self.sections.iter().position(|s| s.dir.is_empty()).unwrap_or(0)
    }

    pub fn prev(&self, page: usize) -> Option<usize> {
        let pos = self.position[page];
        (pos > 0 && pos != usize::MAX).then(|| self.order[pos - 1])
    }

    pub fn next(&self, page: usize) -> Option<usize> {
        let pos = self.position[page];
        self.order.get(pos.wrapping_add(1)).copied()
    }

    /// The folder pages above `page`, home first, not including `page` itself.
    pub fn ancestors(&self, page: usize) -> Vec<usize> {
        let mut chain = Vec::new();
        let mut section = match self.section_of_page.get(&page) {
            Some(&s) => self.sections[s].parent,
            None => Some(self.parent_of[page]),
        };
        while let Some(s) = section {
            chain.push(self.sections[s].index);
            section = self.sections[s].parent;
        }
        chain.reverse();
        chain
    }

    /// The children of a folder page, as pages; empty for other pages.
    pub fn children_of(&self, page: usize) -> Vec<(usize, bool)> {
        match self.section_of_page.get(&page) {
            Some(&s) => self.sections[s]
                .children
                .iter()
                .map(|c| match *c {
                    Child::Page(p) => (p, false),
                    Child::Section(sub) => (self.sections[sub].index, true),
                })
                .collect(),
            None => Vec::new(),
        }
    }

    /// The whole navigation tree below the home page.
    pub fn nav(&self) -> Vec<NavNode> {
        if self.sections.is_empty() {
            return Vec::new();
        }
        self.nav_of(self.root())
    }

    fn nav_of(&self, section: usize) -> Vec<NavNode> {
        self.sections[section]
            .children
            .iter()
            .map(|c| match *c {
                Child::Page(p) => NavNode { page: p, children: None },
                Child::Section(s) => NavNode { page: self.sections[s].index, children: Some(self.nav_of(s)) },
            })
            .collect()
    }
}

fn walk(sections: &[SectionNode], s: usize, order: &mut Vec<usize>) {
    order.push(sections[s].index);
    for c in &sections[s].children {
        match *c {
            Child::Page(p) => order.push(p),
            Child::Section(sub) => walk(sections, sub, order),
        }
    }
}

/// Weighted pages first (ascending), then the rest; ties by title, then by path for stability.
fn sort_key(p: &Page) -> (bool, i64, String, &str) {
    (p.weight.is_none(), p.weight.unwrap_or(0), p.title.to_lowercase(), p.url.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn page(url: &str, dir: &str, kind: PageKind, title: &str, weight: Option<i64>) -> Page {
        Page {
            source: None,
            dir: dir.into(),
            url: url.into(),
            kind,
            title: title.into(),
            description: String::new(),
            weight,
            draft: false,
            template: None,
            extra: toml::Table::new(),
            html: String::new(),
            headings: vec![],
            anchors: HashSet::new(),
            has_title_heading: false,
            generated: None,
            embeds: vec![],
            sections: vec![],
        }
    }

    fn sample() -> Vec<Page> {
        vec![
            page("index.html", "", PageKind::Home, "Home", None),
            page("b/index.html", "b", PageKind::Section, "Beta", Some(1)),
            page("b/z/index.html", "b", PageKind::Page, "Zed", None),
            page("b/a/index.html", "b", PageKind::Page, "Alpha", None),
            page("intro/index.html", "", PageKind::Page, "Intro", Some(0)),
            page("b/c/index.html", "b/c", PageKind::Section, "Sub", Some(5)),
            page("b/c/x/index.html", "b/c", PageKind::Page, "X", None),
            page("b/first/index.html", "b", PageKind::Page, "Last alphabetically", Some(1)),
        ]
    }

    #[test]
    fn reading_order_is_depth_first_by_weight_then_title() {
        let t = Tree::build(&sample());
        let urls: Vec<usize> = t.order.clone();
        assert_eq!(urls, vec![0, 4, 1, 7, 5, 6, 3, 2]);
        assert_eq!(t.prev(4), Some(0));
        assert_eq!(t.next(2), None);
        assert_eq!(t.prev(0), None);
    }

    #[test]
    fn ancestors_and_children() {
        let t = Tree::build(&sample());
        assert_eq!(t.ancestors(6), vec![0, 1, 5]);
        assert_eq!(t.ancestors(5), vec![0, 1]);
        assert_eq!(t.ancestors(0), Vec::<usize>::new());
        assert_eq!(t.children_of(1), vec![(7, false), (5, true), (3, false), (2, false)]);
        let nav = t.nav();
        assert_eq!(nav.len(), 2);
        assert_eq!(nav[1].children.as_ref().unwrap().len(), 4);
    }
}
