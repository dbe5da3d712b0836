//! Where links point and whether they still work: resolving a destination to a page or file,
//! and checking pages' links once every page is parsed. Pure: no disk access.

use std::collections::HashSet;

use rustc_hash::FxHashMap;

use super::ids::{Id, IdVec, PageId};
use super::{paths, Asset, Page};
use crate::diagnostics::Problem;
use crate::markdown::{Link, PendingLink};

/// A link whose target page (and maybe anchor) is checked after parsing.
pub(crate) type PageLink = PendingLink<PageId>;

/// Where links can point: pages by source file and by output path, and copied files.
/// Built from the page slots before parsing (to rewrite links while rendering), and again
/// from the final pages for links in data files.
/// Fx-hashed maps: every link of every page is looked up here, and the keys are the
/// handbook's own paths (no one to flood them).
#[derive(Debug, Default)]
pub(crate) struct Lookup {
    pub(super) by_source: FxHashMap<String, PageId>,
    by_url: FxHashMap<String, PageId>,
    urls: IdVec<PageId, String>,
    assets: HashSet<String>,
    /// Markdown files that exist but are not published because SUMMARY.md does not list them.
    pub(super) unlisted: HashSet<String>,
    /// The content folder as book.toml names it, with a trailing `/` (empty for the handbook
    /// folder itself): messages about missing files say where they were looked for.
    folder: String,
}

impl Lookup {
    /// `pages` yields each page's source file (if any) and output path, in id order; `folder`
    /// is the content folder as messages name it ([`crate::config::Config::content_shown`]).
    pub(crate) fn new<'a>(
        pages: impl Iterator<Item = (Option<&'a str>, &'a str)>,
        assets: &[Asset],
        folder: String,
    ) -> Lookup {
        let mut lookup = Lookup { assets: assets.iter().map(|a| a.url.clone()).collect(), folder, ..Lookup::default() };
        for (source, url) in pages {
            let id = lookup.urls.push(url.to_string());
            if let Some(source) = source {
                lookup.by_source.insert(source.to_string(), id);
            }
            lookup.by_url.insert(url.to_string(), id);
        }
        lookup
    }

    /// A digest of everything links are resolved against: pages by source and URL (ids
    /// included), files, unlisted files and the folder name. A parse kept by the parse memo
    /// holds links rewritten and checked against these: where the digest is the same, every
    /// link resolves as it did ([`super::stored`]).
    pub(crate) fn digest(&self) -> u128 {
        let mut h = xxhash_rust::xxh3::Xxh3::new();
        let mut put = |s: &str| {
            h.update(&(s.len() as u64).to_le_bytes());
            h.update(s.as_bytes());
        };
        put(&self.folder);
        for url in self.urls.iter() {
            put(url);
        }
        let mut sources: Vec<(&String, &PageId)> = self.by_source.iter().collect();
        sources.sort_unstable();
        put("sources");
        for (source, id) in sources {
            put(source);
            put(&id.index().to_string());
        }
        for set in [&self.assets, &self.unlisted] {
            let mut names: Vec<&String> = set.iter().collect();
            names.sort_unstable();
            put("files");
            names.into_iter().for_each(|n| put(n));
        }
        h.digest128()
    }

    /// What [`Lookup::resolve`] decides for `dest`, as [`Lookup::describe`] writes it.
    pub(crate) fn resolution(&self, from_url: &str, me: Option<PageId>, source_dir: &str, dest: &str) -> String {
        self.describe(&self.resolve(from_url, me, source_dir, dest))
    }

    /// A resolution written as text with the pages it names by URL rather than by id: two
    /// lookups that give a link the same resolution give it the same text, whatever the ids.
    pub(crate) fn describe(&self, link: &Link<PageId>) -> String {
        match link {
            Link::Unchanged => "unchanged".to_string(),
            Link::Broken(message) => format!("broken {message}"),
            Link::Outside { href, message } => format!("outside {href}\n{message}"),
            Link::Rewrite { href, check: None } => format!("file {href}"),
            Link::Rewrite { href, check: Some((page, anchor)) } => {
                format!("page {href}\n{}\n{anchor:?}", self.urls[*page])
            }
        }
    }

    /// The page made from a content-relative source file.
    pub(crate) fn page_by_source(&self, rel: &str) -> Option<PageId> {
        self.by_source.get(rel).copied()
    }

    /// Decides what `dest`, written in a file at content-relative folder `source_dir` and shown on
    /// the page at `from_url` (page `me`, if it is one), becomes.
    pub(crate) fn resolve(&self, from_url: &str, me: Option<PageId>, source_dir: &str, dest: &str) -> Link<PageId> {
        let with_anchor = |href: String, anchor: &Option<String>| match anchor {
            Some(a) => format!("{href}#{a}"),
            None => href,
        };
        match self.locate(me, source_dir, dest) {
            Place::Unchanged => Link::Unchanged,
            Place::Broken(message) => Link::Broken(message),
            Place::Here(anchor) => Link::Rewrite { href: dest.to_string(), check: me.map(|me| (me, Some(anchor))) },
            Place::Page { page, anchor } => Link::Rewrite {
                href: with_anchor(paths::relative_href(from_url, &self.urls[page]), &anchor),
                check: Some((page, anchor)),
            },
            Place::File { url, anchor } => {
                Link::Rewrite { href: with_anchor(paths::relative_href(from_url, &url), &anchor), check: None }
            }
            Place::Outside { above, path, query, anchor } => {
                let href = with_anchor(paths::href_above(from_url, above, &path) + &query, &anchor);
                Link::Outside { message: outside_message(dest), href }
            }
        }
    }

    /// Where `dest`, written in a file at content-relative folder `source_dir` (page `me`, if it
    /// is one), points; the same for every page that shows it.
    pub(crate) fn locate(&self, me: Option<PageId>, source_dir: &str, dest: &str) -> Place {
        let (path_and_query, anchor) = match dest.split_once('#') {
            Some((p, a)) => (p, Some(a.to_string())),
            None => (dest, None),
        };
        let path = path_and_query.split('?').next().unwrap_or("");
        if path.is_empty() {
            return match (anchor, me) {
                (Some(a), Some(_)) => Place::Here(a),
                _ => Place::Unchanged,
            };
        }
        let decoded = match path.contains('%') {
            true => percent_encoding::percent_decode_str(path).decode_utf8_lossy(),
            false => std::borrow::Cow::Borrowed(path),
        };
        let Some(target) = paths::join(source_dir, &decoded) else {
            let (above, path) = paths::climb(source_dir, &decoded);
            let query = path_and_query.find('?').map_or(String::new(), |i| path_and_query[i..].to_string());
            return Place::Outside { above, path, query, anchor };
        };
        let page = self
            .by_source
            .get(&target)
            .or_else(|| self.by_url.get(&target))
            .or_else(|| self.by_url.get(&paths::section_url(&target)))
            .copied();
        if let Some(page) = page {
            return Place::Page { page, anchor };
        }
        if self.assets.contains(&target) {
            return Place::File { url: target, anchor };
        }
        if let Some(page) = self.mdbook_page(&target) {
            return Place::Page { page, anchor };
        }
        let md = target.strip_suffix(".html").map(|stem| format!("{stem}.md"));
        // Discovery skips hidden names: such a file exists (GitHub shows it) but is never published.
        if let Some(hidden) = target.split('/').find(|part| part.starts_with('.')) {
            Place::Broken(format!(
                "link to `{dest}`: `{hidden}` is hidden (its name starts with `.`), and hidden files and folders are not published"
            ))
        } else if self.unlisted.contains(&target) || md.as_ref().is_some_and(|md| self.unlisted.contains(md)) {
            Place::Broken(format!("link to `{dest}`, which SUMMARY.md does not list, so it is not published"))
        } else if let Some(stem) = target.strip_suffix(".html") {
            let folder = &self.folder;
            Place::Broken(format!("link to missing page `{dest}` (looked for {folder}{stem}.md and {folder}{target})"))
        } else if target.ends_with(".md") {
            Place::Broken(format!("link to missing page `{dest}` (looked for {}{target})", self.folder))
        } else {
            Place::Broken(format!("link to missing file or folder `{dest}` (looked for {}{target})", self.folder))
        }
    }
}

impl Lookup {
    /// The page an mdBook link means: mdBook publishes `dir/chapter.md` as `dir/chapter.html`
    /// and a folder's `README.md` as its `index.html`, and books link to those names.
    fn mdbook_page(&self, target: &str) -> Option<PageId> {
        let stem = target.strip_suffix(".html")?;
        if let Some(&page) = self.by_source.get(&format!("{stem}.md")) {
            return Some(page);
        }
        let name = stem.rsplit('/').next().unwrap_or(stem);
        if name == "index" || name.eq_ignore_ascii_case("readme") {
            return self.by_url.get(&paths::section_url(paths::parent_dir(stem))).copied();
        }
        None
    }
}

/// The warning for a link that leaves the content folder.
pub(crate) fn outside_message(dest: &str) -> String {
    format!("link `{dest}` leaves the content folder: kept pointing there (relative to the site), not checked")
}

/// What [`Lookup::locate`] found.
pub(crate) enum Place {
    Unchanged,
    /// An anchor alone, in page `me`.
    Here(String),
    Page {
        page: PageId,
        anchor: Option<String>,
    },
    File {
        url: String,
        anchor: Option<String>,
    },
    /// Out of the content folder: `above` folders over it, then down `path` (decoded), with the
    /// `?query` as written. Such links (to sibling books, the repository's README) are kept.
    Outside {
        above: usize,
        path: String,
        query: String,
        anchor: Option<String>,
    },
    Broken(String),
}

/// Checks the links of every included page: a link to a left-out page (a draft) or to an
/// anchor its target does not have is a problem of the linking page.
pub(crate) fn check_all(pages: &IdVec<PageId, Page>, included: &IdVec<PageId, bool>) -> Vec<(PageId, Problem)> {
    let mut problems = Vec::new();
    for (from, page) in pages.iter_ids() {
        if !included[from] {
            continue;
        }
        for link in &page.links {
            let problem = if included[link.target] {
                anchor_problem(&pages[link.target], link)
            } else {
                Some(Problem::broken_link(
                    link.offset,
                    format!("link `{}` points to a draft page (build with --drafts, or remove the link)", link.dest),
                ))
            };
            problems.extend(problem.map(|p| (from, p)));
        }
    }
    problems
}

/// A link's `#anchor` must name a heading (or another id) of its target page. Generated pages
/// are checked once rendered, against the ids they have ([`super::Site::check_rendered_anchors`]).
pub(crate) fn anchor_problem(target: &Page, link: &PageLink) -> Option<Problem> {
    let anchor = link.anchor.as_deref()?;
    if target.generated.is_some() {
        return None;
    }
    if target.has_anchor(anchor) {
        return None;
    }
    let mut known: Vec<&str> = target.headings.iter().map(|h| h.id.as_str()).collect();
    known.truncate(12);
    let hint =
        if known.is_empty() { "it has no headings".to_string() } else { format!("its headings: {}", known.join(", ")) };
    Some(Problem::broken_link(
        link.offset,
        format!(
            "link `{}`: no heading with id `{anchor}` in `{}` ({hint})",
            link.dest,
            target.source.as_deref().unwrap_or(&target.url)
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::ids::Id;
    use crate::content::PageKind;
    use crate::markdown::Heading;

    fn id(i: usize) -> PageId {
        PageId::from_index(i)
    }

    fn lookup() -> Lookup {
        let assets = vec![Asset { source: "/x/img/a b.png".into(), url: "img/a b.png".into() }];
        Lookup::new(
            [
                (Some("_index.md"), "index.html"),
                (Some("guide/setup.md"), "guide/setup/index.html"),
                (None, "guide/index.html"),
            ]
            .into_iter(),
            &assets,
            "content/".into(),
        )
    }

    fn rewrite(link: Link<PageId>) -> (String, Option<(PageId, Option<String>)>) {
        match link {
            Link::Rewrite { href, check } => (href, check),
            _ => panic!("expected a rewrite"),
        }
    }

    #[test]
    fn links_resolve_to_pages_folders_and_files() {
        let l = lookup();
        let from = "guide/setup/index.html";
        assert_eq!(
            rewrite(l.resolve("index.html", Some(id(0)), "", "guide/setup.md#run")),
            ("guide/setup/index.html#run".to_string(), Some((id(1), Some("run".to_string()))))
        );
        assert_eq!(rewrite(l.resolve(from, Some(id(1)), "guide", "../guide/")).1, Some((id(2), None)));
        assert_eq!(
            rewrite(l.resolve(from, Some(id(1)), "guide", "/img/a%20b.png")),
            ("../../img/a%20b.png".into(), None)
        );
        assert_eq!(rewrite(l.resolve(from, Some(id(1)), "guide", "#top")).1, Some((id(1), Some("top".into()))));
        assert!(matches!(l.resolve(from, None, "guide", "#top"), Link::Unchanged));
        let broken = |dest: &str| match l.resolve(from, Some(id(1)), "guide", dest) {
            Link::Broken(m) => m,
            _ => panic!("{dest}: expected a broken link"),
        };
        assert!(broken("nope.md").ends_with("missing page `nope.md` (looked for content/guide/nope.md)"));
        assert!(broken("img/x.png").ends_with("(looked for content/guide/img/x.png)"));
        // The handbook folder itself as the content folder: paths from there.
        let top = Lookup::new([(Some("a.md"), "a/index.html")].into_iter(), &[], String::new());
        assert!(matches!(top.resolve("a/index.html", Some(id(0)), "", "b.md"),
            Link::Broken(m) if m.ends_with("(looked for b.md)")));
        assert_eq!(l.page_by_source("guide/setup.md"), Some(id(1)));
    }

    #[test]
    fn links_out_of_the_content_folder_are_kept_going_where_they_went_with_a_warning() {
        let l = lookup();
        let outside = |from: &str, dir: &str, dest: &str| match l.resolve(from, Some(id(1)), dir, dest) {
            Link::Outside { href, message } => {
                assert!(message.contains("leaves the content folder"), "{message}");
                href
            }
            _ => panic!("{dest}: expected a link out of the content folder"),
        };
        // From `guide/setup.md`, shown at `guide/setup/index.html`.
        let from = "guide/setup/index.html";
        assert_eq!(outside(from, "guide", "../../std/index.html#x"), "../../../std/index.html#x");
        assert_eq!(outside("index.html", "", "../README.md"), "../README.md");
        assert_eq!(outside("index.html", "", "../a%20b/c.html?v=1"), "../a%20b/c.html?v=1");
        // Still relative, never a scheme: a `:` in a name is encoded.
        assert_eq!(outside("index.html", "", "/../javascript:alert(1)"), "../javascript%3Aalert(1)");
    }

    #[test]
    fn mdbook_html_names_resolve_to_their_pages() {
        let l = Lookup::new(
            [
                (Some("README.md"), "index.html"),
                (Some("ch01.md"), "ch01/index.html"),
                (Some("guide/README.md"), "guide/index.html"),
                (Some("guide/ch02.md"), "guide/ch02/index.html"),
            ]
            .into_iter(),
            &[],
            "src/".into(),
        );
        let page = |dir: &str, dest: &str| match l.resolve("index.html", Some(id(0)), dir, dest) {
            Link::Rewrite { href, check: Some((page, anchor)) } => (href, page, anchor),
            _ => panic!("{dest}: expected a page"),
        };
        assert_eq!(page("", "ch01.html#intro"), ("ch01/index.html#intro".into(), id(1), Some("intro".into())));
        assert_eq!(page("guide", "ch02.html").1, id(3));
        assert_eq!(page("guide", "README.html").1, id(2));
        assert_eq!(page("guide", "index.html").1, id(2));
        assert_eq!(page("guide", "../index.html").1, id(0));
        assert!(
            matches!(l.resolve("index.html", Some(id(0)), "", "ch09.html"), Link::Broken(m) if m.ends_with("(looked for src/ch09.md and src/ch09.html)"))
        );
    }

    #[test]
    fn a_link_into_a_hidden_folder_says_it_is_not_published() {
        let l = Lookup::new([(Some("README.md"), "index.html")].into_iter(), &[], "".into());
        let broken = |dest: &str| match l.resolve("index.html", Some(id(0)), "", dest) {
            Link::Broken(m) => m,
            _ => panic!("{dest}: expected a broken link"),
        };
        let m = broken(".github/ISSUE_TEMPLATE/rfc.md");
        assert!(m.contains("`.github` is hidden") && m.contains("not published"), "{m}");
        assert!(broken("docs/.drafts/x.png").contains("`.drafts` is hidden"));
        assert!(broken("missing.md").starts_with("link to missing page"));
    }

    fn page(url: &str, headings: &[&str]) -> Page {
        let mut p = Page::empty(url, "", PageKind::Page);
        p.headings = headings.iter().map(|h| Heading { level: 2, id: h.to_string(), title: h.to_string() }).collect();
        p
    }

    fn link(target: usize, anchor: Option<&str>, offset: usize) -> PageLink {
        PendingLink {
            offset,
            dest: format!("x.md#{}", anchor.unwrap_or("")),
            target: id(target),
            anchor: anchor.map(Into::into),
        }
    }

    #[test]
    fn checks_anchors_and_links_to_left_out_pages() {
        let mut from = page("a/index.html", &[]);
        from.links = vec![link(1, Some("real"), 3), link(1, Some("gone"), 10), link(2, None, 20)];
        let mut skipped = page("c/index.html", &[]);
        skipped.links = vec![link(1, Some("gone"), 1)];
        let pages = IdVec::from(vec![from, page("b/index.html", &["real"]), skipped]);
        let included = IdVec::from(vec![true, true, false]);
        let problems = check_all(&pages, &included);
        // The left-out page's own links are not checked.
        assert_eq!(problems.len(), 2);
        assert_eq!(problems[0].0, id(0));
        assert_eq!(problems[0].1.offset, 10);
        assert!(problems[0].1.message.contains("no heading with id `gone`") && problems[0].1.message.contains("real"));
        assert_eq!(problems[1].1.offset, 20);
        assert!(problems[1].1.message.contains("draft page"));
    }
}
