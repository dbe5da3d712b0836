//! Render keys: a digest (xxh3-128) of everything one page's output depends on, so a cached
//! build can tell a page it need not render again (`cache::Reusable`).
//!
//! A key has two parts. The site-wide one is computed once a build: this binary, book.toml, the
//! command line's drafts, the templates, every theme file (translation tables and static files
//! too), the matrix file, the book settings pages show, `base_url`, and the navigation every
//! page shows (each page's URL, title, kind and draft state; the whole navigation tree and
//! reading order). The page's own part: its HTML with any matrix views put in, headings,
//! title, description, front matter `extra`, template, kind, source path (the edit link) and
//! the descriptions of the pages it lists. What is not certain to be covered goes into the
//! site-wide part, which costs a full render when it changes but never a stale page.
//! Generated pages (the matrix's) have no key: they are always rendered.

use std::fmt::Write as _;

use xxhash_rust::xxh3::Xxh3;

use super::{template_for, Project};
use crate::content::nav::{EntryId, EntryKind};
use crate::content::{Id, Nav, PageId};

/// Changes whenever what a key covers changes.
const VERSION: &str = "stagebook render key 1";

/// A hasher fed length-framed fields, so moving bytes from one field to the next changes it.
struct Digest(Xxh3);

impl Digest {
    fn new() -> Digest {
        Digest(Xxh3::new())
    }
    fn bytes(&mut self, b: &[u8]) {
        self.0.update(&(b.len() as u64).to_le_bytes());
        self.0.update(b);
    }
    fn str(&mut self, s: &str) {
        self.bytes(s.as_bytes());
    }
    fn u128(&mut self, n: u128) {
        self.0.update(&n.to_le_bytes());
    }
    fn u64(&mut self, n: u64) {
        self.0.update(&n.to_le_bytes());
    }
    fn flags(&mut self, flags: &[bool]) {
        self.u64(flags.iter().fold(1, |n, &f| n << 1 | u64::from(f)));
    }
    /// An optional id as its index plus one (0: none).
    fn id(&mut self, id: Option<impl Id>) {
        self.u64(id.map_or(0, |i| i.index() as u64 + 1));
    }
    /// A value as `{:?}` prints it, streamed into the hasher (Rust escapes strings in
    /// debug output, so the closing mark cannot occur inside it).
    fn debug(&mut self, v: &dyn std::fmt::Debug) {
        let _ = write!(self, "{v:?}");
        self.0.update(b"\0debug\0");
    }
    fn finish(self) -> u128 {
        self.0.digest128()
    }
}

impl std::fmt::Write for Digest {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0.update(s.as_bytes());
        Ok(())
    }
}

/// The site-wide part of every page's key; `identity` is this binary's.
pub(super) fn site(project: &Project, identity: u128) -> u128 {
    let mut d = Digest::new();
    d.str(VERSION);
    d.u128(identity);
    let config = &project.config;
    d.debug(&config.root);
    // A file that cannot be read digests as its error: the build already read it once.
    let file = |d: &mut Digest, path: &std::path::Path| match std::fs::read(path) {
        Ok(bytes) => d.bytes(&bytes),
        Err(e) => d.debug(&e.kind()),
    };
    file(&mut d, &config.root.join(crate::config::CONFIG_FILE));
    file(&mut d, &config.matrix_path());
    d.debug(&config.build.drafts);
    d.debug(&project.book);
    d.str(config.base_url());
    for (name, text) in project.renderer.templates() {
        d.str(name);
        d.str(text);
    }
    let theme = &project.theme;
    d.str(&theme.name);
    let files = theme.i18n.iter().flat_map(|(lang, files)| files.iter().map(move |f| (lang, f)));
    for (name, f) in files.chain(&theme.statics) {
        d.str(name);
        d.debug(&f.shown);
        match f.source.read() {
            Ok(bytes) => d.bytes(&bytes),
            Err(e) => d.debug(&e.kind()),
        }
    }
    let site = &project.site;
    for page in &site.pages {
        d.str(&page.url);
        d.str(&page.title);
        d.str(page.kind.as_str());
        d.flags(&[page.draft, page.generated.is_some()]);
    }
    navigation(&mut d, &site.nav, site.pages.ids());
    d.finish()
}

/// Everything of the navigation that prev/next, breadcrumbs, children lists and the sidebar
/// read: the entry tree (each entry's id, kind, title, section flag and children), the home
/// page, the reading order and each page's entry. Written out rather than through `{:?}`,
/// which cost a full build 1% of its instructions.
fn navigation(d: &mut Digest, nav: &Nav, pages: impl Iterator<Item = PageId>) {
    let Some(&first) = nav.top().first() else {
        // No entries: nothing to walk, and the whole of it is tiny.
        d.debug(nav);
        return;
    };
    // The page that lists the top level is the home page.
    d.id(nav.parent_page(first));
    let mut stack: Vec<&[EntryId]> = vec![nav.top()];
    while let Some(level) = stack.pop() {
        d.u64(level.len() as u64);
        for &e in level {
            let entry = nav.entry(e);
            d.id(Some(e));
            match entry.kind {
                EntryKind::Page(p) => d.id(Some(p)),
                EntryKind::Draft => d.u64(u64::MAX),
                EntryKind::PartTitle => d.u64(u64::MAX - 1),
                EntryKind::Separator => d.u64(u64::MAX - 2),
            }
            d.str(&entry.title);
            d.flags(&[entry.section]);
            stack.push(&entry.children);
        }
    }
    let order = nav.reading_order();
    d.u64(order.len() as u64);
    for &p in order {
        d.id(Some(p));
    }
    for p in pages {
        d.id(nav.entry_of(p));
    }
}

/// Page `i`'s key: the site-wide part `site` and what of the page itself its output shows;
/// `content` is its HTML with its matrix views put in.
pub(super) fn page(project: &Project, site: u128, i: PageId, content: &str) -> u128 {
    let s = &project.site;
    let page = &s.pages[i];
    let mut d = Digest::new();
    d.u128(site);
    d.id(Some(i));
    d.str(content);
    d.str(&page.title);
    d.str(&page.description);
    d.str(page.kind.as_str());
    d.str(template_for(s, i));
    d.flags(&[page.has_title_heading, page.source.is_some(), page.generated.is_some()]);
    d.str(page.source.as_deref().unwrap_or_default());
    // What the table of contents shows of each heading (`context::toc`).
    d.u64(page.headings.len() as u64);
    for h in &page.headings {
        d.u64(u64::from(h.level));
        d.str(&h.id);
        d.str(&h.title);
    }
    d.debug(&page.extra);
    for &e in s.nav.children_of(i) {
        if let EntryKind::Page(c) = s.nav.entry(e).kind {
            d.str(&s.pages[c].description);
        }
    }
    d.finish()
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    /// The cache tests' fixture (pages, a matrix, a theme), copied.
    fn load() -> (tempfile::TempDir, Project) {
        fn copy(from: &Path, to: &Path) {
            std::fs::create_dir_all(to).unwrap();
            for entry in std::fs::read_dir(from).unwrap().flatten() {
                let target = to.join(entry.file_name());
                if entry.file_type().unwrap().is_dir() {
                    copy(&entry.path(), &target);
                } else {
                    std::fs::copy(entry.path(), target).unwrap();
                }
            }
        }
        let tmp = tempfile::tempdir().unwrap();
        copy(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/cached"), tmp.path());
        let project = open(tmp.path());
        (tmp, project)
    }

    /// The handbook at `root`, loaded again after an edit.
    fn open(root: &Path) -> Project {
        Project::open(root).unwrap_or_else(|f| panic!("{:?}", f.errors))
    }

    fn replace(root: &Path, rel: &str, from: &str, to: &str) {
        let text = std::fs::read_to_string(root.join(rel)).unwrap();
        assert!(text.contains(from), "{rel} holds {from:?}");
        std::fs::write(root.join(rel), text.replacen(from, to, 1)).unwrap();
    }

    /// Each content page's key, by URL.
    fn keys(project: &Project) -> Vec<(String, u128)> {
        let site = site(project, 1);
        let pages = project.site.pages.ids().filter(|&i| project.site.pages[i].generated.is_none());
        pages
            .map(|i| (project.site.pages[i].url.clone(), page(project, site, i, &project.site.pages[i].html)))
            .collect()
    }

    #[test]
    fn the_same_handbook_gives_the_same_keys() {
        let (_a, first) = load();
        let (_b, second) = load();
        // Another folder (the root is part of the key), so compare the page parts alone.
        assert_ne!(site(&first, 1), site(&second, 1));
        assert_eq!(site(&first, 1), site(&first, 1));
        assert_ne!(site(&first, 1), site(&first, 2), "another binary");
        let (one, two) = (keys(&first), keys(&first));
        assert_eq!(one, two);
        assert!(one.len() >= 4, "{one:?}");
    }

    #[test]
    fn a_body_edit_changes_that_pages_key_alone() {
        let (tmp, project) = load();
        let before = keys(&project);
        replace(tmp.path(), "content/beta.md", "The details.", "Other details.");
        let project = open(tmp.path());
        let after = keys(&project);
        let changed: Vec<&str> = before.iter().zip(&after).filter(|(b, a)| b != a).map(|(b, _)| b.0.as_str()).collect();
        assert_eq!(changed, ["beta/index.html"]);
    }

    #[test]
    fn a_title_or_template_edit_changes_every_key() {
        let (tmp, project) = load();
        let before = keys(&project);
        replace(tmp.path(), "content/alpha.md", "title = \"Alpha\"", "title = \"First\"");
        let project = open(tmp.path());
        let retitled = keys(&project);
        assert!(before.iter().zip(&retitled).all(|(b, a)| b.0 == a.0 && b.1 != a.1));
        replace(tmp.path(), "themes/house/templates/page.html", "house-page", "house-page edited");
        let project = open(tmp.path());
        assert!(retitled.iter().zip(&keys(&project)).all(|(b, a)| b.1 != a.1));
    }
}
