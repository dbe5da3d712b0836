//! What a template sees for one page: plain serialisable data, built per page from the
//! [`Site`] without copying the whole site into every page.

mod hrefs;
mod stock;

use serde::Serialize;

pub(crate) use self::hrefs::PageHrefs;
pub(crate) use self::stock::StockPage;
use crate::config::{Config, EditLinks};
use crate::content::nav::{EntryId, EntryKind};
use crate::content::paths::{relative_href, root_prefix};
use crate::content::{IdVec, Nav, Page, PageId, Site};
use crate::numbers::Numbers;
use crate::url::encode_path;

/// Children shown per folder in the server-rendered sidebar; bigger folders show a window
/// around the current page and link to the folder's page for the rest. This keeps output size
/// linear in the number of pages (the full tree is in one shared `static/toc.js`).
pub(crate) const NAV_WINDOW: usize = 30;

#[derive(Debug, Clone, Serialize)]
pub(crate) struct BookView {
    pub title: String,
    pub description: String,
    pub language: String,
    /// The locale scripts format numbers in (`<html data-locale>`): the one the server wrote
    /// its figures in, after falling back from `language` ([`Numbers::for_language`]).
    pub locale: &'static str,
    pub authors: Vec<String>,
    pub id: String,
    /// Extra style sheets and scripts (book.toml's `additional-css`/`-js`): paths from the
    /// site root, URL-encoded, for `{{ root }}` to go in front of.
    pub additional_css: Vec<String>,
    pub additional_js: Vec<String>,
    /// The colour scheme a reader who has not chosen one starts with: "dark", or "" for the
    /// system's.
    pub default_theme: &'static str,
    /// The writing direction of the book's language ("ltr" or "rtl"), for `<html dir>`: the
    /// translation table's `[meta] direction`, set by the build once the tables are resolved.
    pub direction: &'static str,
    /// The book's repository (an http(s) URL), or "".
    pub repository: String,
    #[serde(skip)]
    edit_links: Option<EditLinks>,
}

impl BookView {
    /// `extra_files`: the output paths of the additional style sheets and scripts.
    pub(crate) fn new(config: &Config, extra_files: [Vec<String>; 2]) -> BookView {
        let [css, js] = extra_files;
        let html = &config.output.html;
        let dark = html
            .default_theme
            .as_ref()
            .is_some_and(|t| matches!(t.get_ref().as_str(), "coal" | "navy" | "ayu" | "dark"));
        BookView {
            title: config.book.title.clone(),
            description: config.book.description.clone(),
            language: config.book.language.clone(),
            locale: Numbers::for_language(&config.book.language).browser_locale(),
            authors: config.book.authors.clone(),
            id: config.book_id(),
            additional_css: css.iter().map(|u| encode_path(u).into_owned()).collect(),
            additional_js: js.iter().map(|u| encode_path(u).into_owned()).collect(),
            default_theme: if dark { "dark" } else { "" },
            direction: "ltr",
            repository: html.git_repository_url.as_ref().map(|u| u.get_ref().trim().to_string()).unwrap_or_default(),
            edit_links: config.edit_links(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct LinkView {
    pub title: String,
    pub url: String,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct ChildView {
    pub title: String,
    pub url: String,
    pub description: String,
    pub is_section: bool,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct TocEntry {
    pub level: u8,
    pub id: String,
    pub title: String,
}

#[derive(Debug, Serialize)]
pub(crate) struct PageView<'a> {
    pub title: &'a str,
    pub description: &'a str,
    /// The page's path from the site root as a URL (percent-encoded like every href).
    pub url: std::borrow::Cow<'a, str>,
    pub kind: &'a str,
    pub content: &'a str,
    pub has_title_heading: bool,
    pub toc: Vec<TocEntry>,
    pub extra: &'a toml::Table,
    pub children: Vec<ChildView>,
}

#[derive(Debug, Serialize)]
pub(crate) struct PageContext<'a> {
    pub book: &'a BookView,
    pub root: String,
    pub page: PageView<'a>,
    pub breadcrumbs: Vec<LinkView>,
    pub prev: Option<LinkView>,
    pub next: Option<LinkView>,
    /// The server-rendered sidebar (trusted HTML built by stagebook, escaped inside).
    pub nav_html: String,
    pub canonical_url: String,
    pub base_url: &'a str,
    pub generator: &'static str,
    /// "Edit this page" (book.toml's `edit-url-template`), or "".
    pub edit_url: String,
}

type Pages = IdVec<PageId, Page>;

pub(crate) const GENERATOR: &str = concat!("stagebook ", env!("CARGO_PKG_VERSION"));

/// The absolute URL of an output page, without a trailing `index.html`.
pub(crate) fn absolute_url(base_url: &str, url: &str) -> String {
    if base_url.is_empty() {
        return String::new();
    }
    format!("{base_url}{}", encode_path(url.strip_suffix("index.html").unwrap_or(url)))
}

/// Builds the context for page `id`; `content` is the page's HTML with any embedded views
/// already put in; `hrefs` holds the site's pages' URLs prepared for links.
pub(crate) fn page_context<'a>(
    site: &'a Site,
    hrefs: &PageHrefs,
    book: &'a BookView,
    base_url: &'a str,
    id: PageId,
    content: &'a str,
) -> PageContext<'a> {
    let page = &site.pages[id];
    let nav = &site.nav;
    let link =
        |j: PageId| LinkView { title: site.pages[j].title.clone(), url: relative_href(&page.url, &site.pages[j].url) };
    // The folder's own list of its contents: linked entries only (drafts have nowhere to go).
    let children = nav
        .children_of(id)
        .iter()
        .filter_map(|&e| {
            let entry = nav.entry(e);
            let EntryKind::Page(c) = entry.kind else { return None };
            let p = &site.pages[c];
            Some(ChildView {
                title: entry.title.clone(),
                url: relative_href(&page.url, &p.url),
                description: p.description.clone(),
                is_section: entry.section,
            })
        })
        .collect();
    PageContext {
        book,
        root: root_prefix(&page.url),
        page: PageView {
            title: &page.title,
            description: &page.description,
            url: encode_path(&page.url),
            kind: if page.generated.is_some() { "generated" } else { page.kind.as_str() },
            content,
            has_title_heading: page.has_title_heading,
            toc: toc(page),
            extra: &page.extra,
            children,
        },
        breadcrumbs: nav.breadcrumbs(id).into_iter().map(link).collect(),
        prev: nav.prev(id).map(link),
        next: nav.next(id).map(link),
        nav_html: nav_html(hrefs, nav, hrefs.url(id), Some(id), &nav.path(id)),
        canonical_url: absolute_url(base_url, &page.url),
        base_url,
        generator: GENERATOR,
        edit_url: match (&book.edit_links, &page.source) {
            (Some(links), Some(source)) if page.generated.is_none() => links.url(source),
            _ => String::new(),
        },
    }
}

/// The context of a page that is not part of the content (404, search): `url` is its output
/// path, the navigation shows the top level.
pub(crate) fn standalone_context<'a>(
    site: &'a Site,
    hrefs: &PageHrefs,
    book: &'a BookView,
    base_url: &'a str,
    url: &'a str,
    title: &'a str,
    kind: &'a str,
) -> PageContext<'a> {
    static EMPTY: std::sync::OnceLock<toml::Table> = std::sync::OnceLock::new();
    PageContext {
        book,
        root: root_prefix(url),
        page: PageView {
            title,
            description: "",
            url: encode_path(url),
            kind,
            content: "",
            has_title_heading: false,
            toc: Vec::new(),
            extra: EMPTY.get_or_init(toml::Table::new),
            children: Vec::new(),
        },
        breadcrumbs: Vec::new(),
        prev: None,
        next: None,
        nav_html: nav_html(hrefs, &site.nav, &hrefs::Prepared::new(url), None, &[]),
        canonical_url: if kind == "404" { String::new() } else { absolute_url(base_url, url) },
        base_url,
        generator: GENERATOR,
        edit_url: String::new(),
    }
}

fn toc(page: &Page) -> Vec<TocEntry> {
    page.headings
        .iter()
        .filter(|h| h.level == 2 || h.level == 3)
        .map(|h| TocEntry { level: h.level, id: h.id.clone(), title: h.title.clone() })
        .collect()
}

/// The sidebar for the page at `url` (its output path, [`hrefs::Prepared`]; page `here`, if it
/// is one), as HTML: every level on `path` (the entries down to the page) expanded, the rest
/// closed, each level limited to [`NAV_WINDOW`] entries around the open one. Rendered here rather than by a
/// recursive template macro: it is the largest part of every page and Tera macros made it the
/// slowest step of a large build.
fn nav_html(hrefs: &PageHrefs, nav: &Nav, url: &hrefs::Prepared, here: Option<PageId>, path: &[EntryId]) -> String {
    let mut html = String::with_capacity(4096);
    if !nav.top().is_empty() {
        let mut at = Sidebar { html: &mut html, hrefs, nav, url, here, path };
        at.level(nav.top());
    }
    html
}

/// The sidebar being written.
struct Sidebar<'a> {
    html: &'a mut String,
    hrefs: &'a PageHrefs,
    nav: &'a Nav,
    url: &'a hrefs::Prepared,
    here: Option<PageId>,
    path: &'a [EntryId],
}

impl Sidebar<'_> {
    /// Appends the escaped href from this page to page `to`.
    fn push_href(&mut self, to: PageId) {
        hrefs::push_relative(self.html, self.url, self.hrefs.url(to));
    }

    fn level(&mut self, level: &[EntryId]) {
        let (nav, path, here) = (self.nav, self.path, self.here);
        let open_at = level.iter().position(|e| path.contains(e));
        // The page listing this level links to the entries not shown; under a draft there is
        // none, so such a level is shown whole.
        let listed_on = nav.parent_page(level[0]);
        let (start, end) = if listed_on.is_some() { window(level.len(), open_at) } else { (0, level.len()) };
        self.html.push_str("<ul>");
        for &e in &level[start..end] {
            let entry = nav.entry(e);
            let open = path.contains(&e);
            // Compact markup (no wrapper elements): this list is repeated on every page.
            match entry.kind {
                EntryKind::Page(p) => {
                    self.html.push_str(match (entry.section, open) {
                        (true, true) => "<li class=\"nav-section is-open\"><a href=\"",
                        (true, false) => "<li class=\"nav-section\"><a href=\"",
                        (false, _) => "<li><a href=\"",
                    });
                    self.push_href(p);
                    self.html.push('"');
                    if here == Some(p) {
                        self.html.push_str(" aria-current=\"page\"");
                    }
                    self.html.push('>');
                    self.html.push_str(nav.title_html(e));
                    self.html.push_str("</a>");
                }
                EntryKind::Draft => {
                    self.html.push_str(match (entry.section, open) {
                        (true, true) => "<li class=\"nav-section nav-draft is-open\"><span>",
                        (true, false) => "<li class=\"nav-section nav-draft\"><span>",
                        (false, _) => "<li class=\"nav-draft\"><span>",
                    });
                    self.html.push_str(nav.title_html(e));
                    self.html.push_str("</span>");
                }
                EntryKind::PartTitle => {
                    self.html.push_str("<li class=\"nav-part\">");
                    self.html.push_str(nav.title_html(e));
                }
                EntryKind::Separator => self.html.push_str("<li class=\"nav-separator\" role=\"separator\">"),
            }
            if entry.section && open && !entry.children.is_empty() {
                self.level(&entry.children);
            }
            self.html.push_str("</li>");
        }
        let hidden = level.len() - (end - start);
        if let (true, Some(folder)) = (hidden > 0, listed_on) {
            // The folder page lists everything; link to it for the entries not shown.
            self.html.push_str("<li class=\"nav-more\"><a href=\"");
            self.push_href(folder);
            self.html.push_str("\">");
            self.html.push_str(&hidden.to_string());
            self.html.push_str(" more<span class=\"visually-hidden\"> pages in this section</span>…</a></li>");
        }
        self.html.push_str("</ul>");
    }
}

fn window(len: usize, focus: Option<usize>) -> (usize, usize) {
    if len <= NAV_WINDOW {
        return (0, len);
    }
    let focus = focus.unwrap_or(0);
    let start = focus.saturating_sub(NAV_WINDOW / 2).min(len - NAV_WINDOW);
    (start, start + NAV_WINDOW)
}

/// `static/toc.js`: the whole navigation once, for the sidebar script (`nav.js`), as compact
/// nested JSON with root-relative URLs. Each entry is one of:
///
/// - a page: `[title, url]`, or `[title, url, [entries]]` for a section;
/// - a draft (listed, not linked): `[title, null]`, or `[title, null, [entries]]`;
/// - a part title: `"title"`;
/// - a separator: `null`.
pub(crate) fn toc_js(site: &Site) -> String {
    toc_script(&site.pages, &site.nav)
}

fn toc_script(pages: &Pages, nav: &Nav) -> String {
    use serde_json::Value;
    fn node(pages: &Pages, nav: &Nav, e: EntryId) -> Value {
        let entry = nav.entry(e);
        let url = match entry.kind {
            EntryKind::Page(p) => Value::from(encode_path(&pages[p].url)),
            EntryKind::Draft => Value::Null,
            EntryKind::PartTitle => return Value::from(entry.title.as_str()),
            EntryKind::Separator => return Value::Null,
        };
        let mut v = vec![Value::from(entry.title.as_str()), url];
        if entry.section {
            v.push(Value::Array(entry.children.iter().map(|&c| node(pages, nav, c)).collect()));
        }
        Value::Array(v)
    }
    let tree = Value::Array(nav.top().iter().map(|&e| node(pages, nav, e)).collect());
    // `<` escaped so the data can never close a script element, wherever it ends up.
    let json = serde_json::to_string(&tree).unwrap_or_else(|_| "[]".into()).replace('<', "\\u003c");
    format!("window.stagebookToc = {json};\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_keeps_focus_visible() {
        assert_eq!(window(10, Some(3)), (0, 10));
        assert_eq!(window(100, Some(0)), (0, NAV_WINDOW));
        assert_eq!(window(100, Some(50)), (35, 65));
        assert_eq!(window(100, Some(99)), (70, 100));
    }

    use crate::content::nav::{NavBuilder, Place, Placement};
    use crate::content::{Id, PageKind};

    fn pages(urls: &[&str]) -> Pages {
        urls.iter().map(|u| Page { title: format!("T {u}"), ..Page::empty(u, "", PageKind::Page) }).collect()
    }

    fn p(i: usize) -> PageId {
        PageId::from_index(i)
    }

    /// Page `here`'s sidebar.
    fn sidebar(pages: &Pages, nav: &Nav, here: PageId) -> String {
        let hrefs = PageHrefs::new(pages);
        nav_html(&hrefs, nav, hrefs.url(here), Some(here), &nav.path(here))
    }

    /// Every kind of entry: 0 home, a prefix page 1, a part title, page 2 with a draft child
    /// that holds page 3, a separator, a suffix page 4 whose label is not its page's title.
    fn mixed() -> (Pages, Nav) {
        let pages = pages(&["index.html", "intro/index.html", "a/index.html", "z/deep/index.html", "end/index.html"]);
        let mut b = NavBuilder::new(pages.len());
        b.home(p(0));
        b.add(Place::Top(Placement::Suffix), EntryKind::Page(p(4)), "The <end>");
        b.add(Place::Top(Placement::Prefix), EntryKind::Page(p(1)), "Intro");
        b.add(Place::Top(Placement::Main), EntryKind::PartTitle, "Part <one>");
        let a = b.add(Place::Top(Placement::Main), EntryKind::Page(p(2)), "A");
        let draft = b.add(Place::Under(a), EntryKind::Draft, "Later");
        b.add(Place::Under(draft), EntryKind::Page(p(3)), "Deep");
        b.add(Place::Top(Placement::Main), EntryKind::Separator, "");
        (pages, b.finish())
    }

    #[test]
    fn sidebar_lists_drafts_unlinked_with_part_titles_and_separators() {
        let (pages, nav) = mixed();
        let html = sidebar(&pages, &nav, p(3));
        assert_eq!(
            html,
            concat!(
                "<ul><li><a href=\"../../intro/index.html\">Intro</a></li>",
                "<li class=\"nav-part\">Part &lt;one&gt;</li>",
                "<li class=\"nav-section is-open\"><a href=\"../../a/index.html\">A</a>",
                "<ul><li class=\"nav-section nav-draft is-open\"><span>Later</span>",
                "<ul><li><a href=\"index.html\" aria-current=\"page\">Deep</a></li></ul></li></ul></li>",
                "<li class=\"nav-separator\" role=\"separator\"></li>",
                "<li><a href=\"../../end/index.html\">The &lt;end&gt;</a></li></ul>"
            )
        );
        // Elsewhere the sections stay closed.
        let home = sidebar(&pages, &nav, p(0));
        assert!(home.contains("<li class=\"nav-section\"><a href=\"a/index.html\">A</a></li>"), "{home}");
    }

    #[test]
    fn toc_script_writes_each_entry_kind_in_its_documented_shape() {
        let (pages, nav) = mixed();
        assert_eq!(
            toc_script(&pages, &nav),
            concat!(
                "window.stagebookToc = [[\"Intro\",\"intro/index.html\"],\"Part \\u003cone>\",",
                "[\"A\",\"a/index.html\",[[\"Later\",null,[[\"Deep\",\"z/deep/index.html\"]]]]],",
                "null,[\"The \\u003cend>\",\"end/index.html\"]];\n"
            )
        );
    }

    #[test]
    fn long_levels_show_a_window_and_link_to_their_page_for_the_rest() {
        let urls: Vec<String> = (0..=40).map(|i| format!("p{i:02}/index.html")).collect();
        let pages = pages(&urls.iter().map(String::as_str).collect::<Vec<_>>());
        let mut b = NavBuilder::new(pages.len());
        b.home(p(0));
        for i in 1..=40 {
            b.add(Place::Top(Placement::Main), EntryKind::Page(p(i)), format!("P{i}"));
        }
        let nav = b.finish();
        let html = sidebar(&pages, &nav, p(40));
        assert_eq!(html.matches("<li>").count(), NAV_WINDOW);
        assert!(html.contains("aria-current=\"page\">P40</a>"));
        assert!(html.contains("<li class=\"nav-more\"><a href=\"../p00/index.html\">10 more"), "{html}");

        // Below a draft there is no page to send the reader to: the level is shown whole.
        let mut b = NavBuilder::new(pages.len());
        let draft = b.add(Place::Top(Placement::Main), EntryKind::Draft, "Planned");
        for i in 1..=40 {
            b.add(Place::Under(draft), EntryKind::Page(p(i)), format!("P{i}"));
        }
        let nav = b.finish();
        let html = sidebar(&pages, &nav, p(1));
        assert_eq!(html.matches("<li>").count(), 40);
        assert!(!html.contains("nav-more"));
    }

    #[test]
    fn absolute_urls_drop_index_html() {
        assert_eq!(absolute_url("https://x.org/h/", "a/b/index.html"), "https://x.org/h/a/b/");
        assert_eq!(absolute_url("https://x.org/", "404.html"), "https://x.org/404.html");
        assert_eq!(absolute_url("", "a/index.html"), "");
        assert_eq!(absolute_url("https://x.org/", "a b/c:d/index.html"), "https://x.org/a%20b/c%3Ad/");
    }
}
