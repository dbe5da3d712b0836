//! The handbook's pages: finding them, reading front matter, rendering markdown, checking links
//! and arranging them into a navigation.
//!
//! Output: a [`Site`] — pure, validated data that the render step turns into files. [`load`]
//! runs the steps in order; only [`discover`] (the folder walk) and [`parse::read`] touch the
//! disk, every other step is a pure function over what they found:
//!
//! ```text
//! discover -> read_summary -> plan::plan (slots) -> parse::parse (each page) -> select::included
//!          -> links::check_all -> select::keep -> nav::summary or nav::folders
//! ```

pub(crate) mod bodies;
pub(crate) mod frontmatter;
pub(crate) mod ids;
pub(crate) mod include;
pub(crate) mod links;
pub(crate) mod nav;
pub(crate) mod parse;
pub(crate) mod paths;
pub(crate) mod plan;
pub(crate) mod select;
pub(crate) mod stored;
pub(crate) mod yaml;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::config::Config;
use crate::diagnostics::{Diagnostic, Problem, SourcePlaces};
use crate::markdown::{Embed, Heading};
use crate::words;
pub(crate) use ids::{Id, IdVec, PageId};
use links::{Lookup, PageLink, Place};
use nav::summary::{self, Summary};
pub(crate) use nav::Nav;
use plan::PlaceProblem;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PageKind {
    /// The site's front page (`content/_index.md`, or generated).
    Home,
    /// A folder's page (its `_index.md` / `index.md` / `README.md`, or generated).
    Section,
    /// Any other markdown file.
    Page,
}

impl PageKind {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            PageKind::Home => "home",
            PageKind::Section => "section",
            PageKind::Page => "page",
        }
    }
}

/// One page of the site, rendered to HTML but not yet placed in a template, with everything
/// derived from its file.
#[derive(Debug, Clone)]
pub(crate) struct Page {
    /// Content-relative source path; `None` for a folder page stagebook made up.
    pub source: Option<String>,
    /// For folder pages the folder itself; for other pages the folder they are in.
    pub dir: String,
    /// Output path from the site root, e.g. `guide/auth/index.html`.
    pub url: String,
    pub kind: PageKind,
    pub title: String,
    pub description: String,
    pub weight: Option<i64>,
    pub draft: bool,
    /// Template override from front matter, with the place to blame if it does not exist.
    pub template: Option<(String, Diagnostic)>,
    pub extra: toml::Table,
    /// Its body (empty once moved to `body`).
    pub html: String,
    /// Where `html` went in the site's [`bodies::Bodies`] (a one-shot build).
    pub(crate) body: Option<bodies::BodyRef>,
    pub headings: Vec<Heading>,
    /// Ids that links may target besides headings (raw HTML `id`s, footnotes).
    pub anchors: HashSet<String>,
    /// The body starts with a heading that shows the title, so templates must not print it again.
    pub has_title_heading: bool,
    /// The front matter's `slug`, which gave the page its URL (a change needs a full reload).
    pub slug: Option<String>,
    /// Output paths of redirect pages to this page (front matter `aliases`, `redirect_from`),
    /// each with its byte offset in the source file (where a clash is reported).
    pub redirect_from: Vec<(String, usize)>,
    /// For pages stagebook generates from data: what the generator needs to render it.
    pub generated: Option<Payload>,
    /// Matrix views embedded with shortcodes; offsets are bytes into the source file.
    pub embeds: Vec<Embed>,
    /// Links to other pages (checked again when a page they point at changes); offsets are
    /// bytes into the source file.
    pub links: Vec<PageLink>,
    /// What the search index keeps of the text, by heading section (none when search is off).
    pub sections: Vec<words::SectionText>,
    /// What the build resolved this page's shortcodes (`embeds`) to, kept with the page and
    /// handed back unread (see [`Payload`]); `None` until resolved, and for pages without any.
    pub(crate) resolved_embeds: Option<Payload>,
    /// Where in the source file its links and embeds are (line, column, quoted line), so
    /// problems found later (links checked against other pages, embeds against the matrix) are
    /// placed without keeping the text or reading it again. `None` for pages without a file.
    pub(crate) file: Option<SourcePlaces>,
    /// Files its `{{#include}}`-family directives read (absolute, symlinks resolved), nested
    /// ones too: `serve` re-reads the page when one changes, and navigation can tell pages
    /// from include-only fragments.
    pub(crate) includes: Vec<PathBuf>,
}

/// The anchor GitHub gives a markdown file's rendered text, in a folder's listing (its README)
/// and on the file's own view alike: handbooks written for GitHub link to
/// `folder/README.md#readme` and `other.md#readme`.
pub(crate) const README_ANCHOR: &str = "readme";

impl Page {
    /// Whether `#anchor` lands on this page: the top (`""`), a heading's or another element's
    /// id, or, on a page made from a file, GitHub's `readme` (its top, where no element has it).
    pub(crate) fn has_anchor(&self, anchor: &str) -> bool {
        anchor.is_empty() || self.has_anchor_of_its_own(anchor) || (anchor == README_ANCHOR && self.source.is_some())
    }

    /// Whether a heading or another element of the page has the id `anchor`.
    pub(crate) fn has_anchor_of_its_own(&self, anchor: &str) -> bool {
        self.headings.iter().any(|h| h.id == anchor) || self.anchors.contains(anchor)
    }

    /// A page with nothing in it yet, at output path `url`.
    pub(crate) fn empty(url: &str, dir: &str, kind: PageKind) -> Page {
        Page {
            source: None,
            dir: dir.to_string(),
            url: url.to_string(),
            kind,
            title: String::new(),
            description: String::new(),
            weight: None,
            draft: false,
            template: None,
            extra: toml::Table::new(),
            html: String::new(),
            body: None,
            headings: Vec::new(),
            anchors: HashSet::new(),
            has_title_heading: false,
            slug: None,
            redirect_from: Vec::new(),
            generated: None,
            embeds: Vec::new(),
            links: Vec::new(),
            sections: Vec::new(),
            resolved_embeds: None,
            file: None,
            includes: Vec::new(),
        }
    }
}

/// A page the build makes from data rather than from a markdown file (the matrix pages).
#[derive(Debug, Clone)]
pub(crate) struct Generated {
    pub url: String,
    /// The folder it is placed in within the navigation (need not match the URL).
    pub dir: String,
    pub kind: PageKind,
    pub title: String,
    pub description: String,
    pub weight: Option<i64>,
    /// What its generator needs to render it, handed back unread (see [`Payload`]).
    pub payload: Payload,
}

/// What a generated page is, in the generator's own terms: content carries it from
/// [`Generated`] to the [`Page`] without reading it, so it needs to know nothing of the matrix
/// (which stores its `View` here and reads it back with [`Payload::get`]).
#[derive(Clone)]
pub(crate) struct Payload(std::sync::Arc<dyn std::any::Any + Send + Sync>);

impl Payload {
    pub(crate) fn new<T: std::any::Any + Send + Sync>(value: T) -> Payload {
        Payload(std::sync::Arc::new(value))
    }

    /// The value, when it is a `T`.
    pub(crate) fn get<T: std::any::Any>(&self) -> Option<&T> {
        self.0.downcast_ref()
    }
}

impl std::fmt::Debug for Payload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Payload(..)")
    }
}

/// A file under content/ that is copied as it is (images, downloads...).
#[derive(Debug, Clone)]
pub(crate) struct Asset {
    pub source: PathBuf,
    /// Output path from the site root (same as its content-relative path).
    pub url: String,
}

/// The validated content of a handbook.
#[derive(Debug)]
pub(crate) struct Site {
    /// Included pages only (drafts removed unless building drafts).
    pub pages: IdVec<PageId, Page>,
    /// What the sidebar, breadcrumbs, prev/next and `toc.js` show.
    pub nav: Nav,
    pub assets: Vec<Asset>,
    pub warnings: Vec<Diagnostic>,
    /// Resolves links written in data files (relative to the content folder).
    pub lookup: Lookup,
    /// The words of the pages' text, numbered (their sections hold the numbers).
    pub lexicon: words::Lexicon,
    /// The content's SUMMARY.md, when it has one: it, not the folders, makes the navigation.
    pub(crate) summary: Option<Summary>,
    /// The sections' passages in a one-shot build ([`crate::config::Config::one_shot`]),
    /// taken by the search index, which frees them once written.
    pub(crate) passages: std::sync::Mutex<Option<crate::chunks::TextChunks>>,
    /// The pages' bodies in a one-shot build, freed as pages render.
    pub(crate) bodies: Option<bodies::Bodies>,
}

/// What re-reading an edited page changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reloaded {
    /// Only its content.
    Body,
    /// Its title, description or position, which other pages show.
    Navigation,
}

impl Site {
    /// Page `id`'s body, from the page or the site's [`bodies::Bodies`].
    pub(crate) fn page_html(&self, id: PageId) -> bodies::PageHtml<'_> {
        let page = &self.pages[id];
        match (&self.bodies, page.body) {
            (Some(bodies), Some(at)) => bodies::PageHtml::Kept(bodies.get(at)),
            _ => bodies::PageHtml::Borrowed(&page.html),
        }
    }

    /// In a one-shot build, waits until the render has freed the first few chunks of bodies
    /// (see [`bodies::Bodies::wait_for_freed`]); at once otherwise.
    pub(crate) fn wait_for_room(&self) {
        if let Some(bodies) = &self.bodies {
            bodies.wait_for_freed(ROOM_CHUNKS);
        }
    }

    /// Says page `id` is rendered: in a one-shot build its body may go.
    pub(crate) fn page_rendered(&self, id: PageId) {
        if let (Some(bodies), Some(at)) = (&self.bodies, self.pages[id].body) {
            bodies.done(at);
        }
    }

    /// The page made from a content-relative source file.
    pub(crate) fn page_by_source(&self, rel: &str) -> Option<PageId> {
        self.lookup.page_by_source(rel)
    }

    /// A diagnostic at the byte `offset` of one of `page`'s embeds or links in its source file.
    pub(crate) fn error_in(
        &self,
        config: &Config,
        page: PageId,
        offset: usize,
        message: impl Into<String>,
    ) -> Diagnostic {
        located(config, &self.pages[page], offset, message.into())
    }

    /// Reads `id` again after its file changed and checks its links, and the links of other
    /// pages into it. On errors nothing changes. `Ok(None)` means the site's structure changed
    /// (the page became a draft), which needs a full reload. The warnings found (broken links
    /// let through by `[build] broken_links = "warn"` among them) go into `warnings`.
    pub(crate) fn reload_page(
        &mut self,
        config: &Config,
        id: PageId,
        warnings: &mut Vec<Diagnostic>,
    ) -> Result<Option<Reloaded>, Vec<Diagnostic>> {
        let old = &self.pages[id];
        let slot = plan::Slot {
            source: old.source.clone(),
            dir: old.dir.clone(),
            url: old.url.clone(),
            kind: old.kind,
            generated: None,
            nav_title: self.summary.as_ref().and_then(|s| s.title_of(old.source.as_deref()?)).map(str::to_string),
        };
        let mut text = config.search.enabled.then(|| words::Collector::new(&self.lexicon, config.search.code));
        let parsed = parse::read_and_parse(config, &self.lookup, id, &slot, text.as_mut())?;
        let (errors, mut noted): (Vec<_>, Vec<_>) =
            parsed.errors.into_iter().map(|d| config.link_severity(d)).partition(Diagnostic::is_error);
        if !errors.is_empty() {
            return Err(errors);
        }
        noted.extend(parsed.warnings);
        let page = parsed.page;
        if page.draft && !config.build.drafts {
            return Ok(None);
        }
        // A new slug moves the page; new aliases change the redirect pages written.
        if page.slug != self.pages[id].slug || page.redirect_from != self.pages[id].redirect_from {
            return Ok(None);
        }
        let target = |t: PageId| if t == id { &page } else { &self.pages[t] };
        let mut errors = Vec::new();
        for link in &page.links {
            if let Some(problem) = links::anchor_problem(target(link.target), link) {
                errors.push(link_diagnostic(config, &page, problem));
            }
        }
        // Other pages' anchors into this page must still exist.
        for (_, other) in self.pages.iter_ids().filter(|&(from, _)| from != id) {
            for link in other.links.iter().filter(|l| l.target == id && l.anchor.is_some()) {
                if let Some(problem) = links::anchor_problem(&page, link) {
                    errors.push(link_diagnostic(config, other, problem));
                }
            }
        }
        let (errors, let_through): (Vec<_>, Vec<_>) =
            errors.into_iter().map(|d| config.link_severity(d)).partition(Diagnostic::is_error);
        if !errors.is_empty() {
            return Err(errors);
        }
        warnings.extend(noted.into_iter().chain(let_through));
        let old = &self.pages[id];
        let navigation = old.title != page.title || old.weight != page.weight || old.description != page.description;
        self.pages[id] = page;
        if navigation {
            self.nav = build_nav(self.summary.as_ref(), &self.pages);
            return Ok(Some(Reloaded::Navigation));
        }
        Ok(Some(Reloaded::Body))
    }

    /// Where a link written in a data file (relative to the content folder) points, whatever
    /// page shows it: the data file is rendered once and each page puts in its own href.
    /// Anchors into pages stagebook generates are not checked here: their ids are known only
    /// once those pages are rendered (see [`Site::check_rendered_anchors`]).
    pub(crate) fn locate(&self, dest: &str) -> Result<Located, String> {
        match self.lookup.locate(None, "", dest) {
            Place::Unchanged | Place::Here(_) => Ok(Located::Unchanged),
            Place::Broken(message) => Err(message),
            Place::File { url, anchor } => Ok(Located::File { url, anchor }),
            Place::Outside { above, path, query: _, anchor } => {
                let url = format!("{}{path}", "../".repeat(above));
                Ok(Located::Outside { url, anchor, message: links::outside_message(dest) })
            }
            Place::Page { page, anchor } => {
                let target = &self.pages[page];
                let checked_later = target.generated.is_some();
                match &anchor {
                    Some(a) if !checked_later && !target.has_anchor(a) => Err(format!(
                        "link `{dest}`: no heading with id `{a}` in `{}`",
                        target.source.as_deref().unwrap_or(&target.url)
                    )),
                    _ => Ok(Located::Page { page, url: target.url.clone(), anchor }),
                }
            }
        }
    }

    /// Checks links from markdown pages into generated pages against the ids those pages
    /// were rendered with (`ids`: page -> ids; pages not in it are not checked). `from`
    /// limits the check to the links of one page.
    pub(crate) fn check_rendered_anchors(
        &self,
        config: &Config,
        ids: &HashMap<PageId, HashSet<String>>,
        from: Option<PageId>,
    ) -> Vec<Diagnostic> {
        let mut errors = Vec::new();
        for (i, page) in self.pages.iter_ids() {
            if from.is_some_and(|f| f != i) {
                continue;
            }
            for link in &page.links {
                let (Some(anchor), Some(rendered)) = (link.anchor.as_deref(), ids.get(&link.target)) else { continue };
                if !anchor.is_empty() && !rendered.contains(anchor) {
                    let message = missing_rendered_id(&link.dest, anchor, &self.pages[link.target].url);
                    errors.push(link_diagnostic(config, page, Problem::broken_link(link.offset, message)));
                }
            }
        }
        errors
    }
}

/// The message for a link to an id that a generated page does not render.
pub(crate) fn missing_rendered_id(dest: &str, anchor: &str, url: &str) -> String {
    let shown = url.strip_suffix("index.html").unwrap_or(url);
    format!("link `{dest}`: the generated page `{shown}` has no element with id `{anchor}`")
}

/// Where a link in a data file points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Located {
    /// Another site, or an anchor alone: left as written.
    Unchanged,
    /// A page (its output path) and maybe an anchor.
    Page { page: PageId, url: String, anchor: Option<String> },
    /// A copied file (its output path) and maybe an anchor.
    File { url: String, anchor: Option<String> },
    /// A place out of the content folder (`../other-book/index.html`, relative to the site
    /// root), kept with a warning ([`links::Place::Outside`]).
    Outside { url: String, anchor: Option<String>, message: String },
}

/// Output paths that other parts of the build generate, so links to them are valid and
/// content files cannot collide with them.
#[derive(Debug, Default, Clone)]
pub(crate) struct Reserved {
    /// Exact output paths (e.g. `404.html`, `stages/mvp/index.html`).
    pub urls: HashSet<String>,
    /// Folder prefixes owned by the build (e.g. `static`).
    pub dirs: Vec<String>,
}

impl Reserved {
    fn owns(&self, url: &str) -> bool {
        self.urls.contains(url) || self.dirs.iter().any(|d| url == d || url.starts_with(&format!("{d}/")))
    }
}

/// How a path is shown in messages: as the user would type it from where they ran stagebook.
pub(crate) fn shown_path(config: &Config, rel: &str) -> PathBuf {
    let p = config.root.join(&config.build.content).join(rel);
    p.strip_prefix(".").map(Path::to_path_buf).unwrap_or(p)
}

/// Finds, reads, renders and checks every page under the content folder, together with the
/// pages the build generates (`generated`), which take part in navigation and link checks.
/// On failure the list holds the errors and, after them, the warnings.
pub(crate) fn load(config: &Config, reserved: &Reserved, generated: Vec<Generated>) -> Result<Site, Vec<Diagnostic>> {
    let laps = crate::timings::Laps::start("content", 4);
    let content_dir = config.content_dir();
    let mut errors = Vec::new();
    let mut found = discover(config, &content_dir, &mut errors);
    laps.lap("walk");
    let summary = read_summary(config, &mut found, &mut errors);
    let layout = match &summary {
        Some(s) => plan::Layout::Summary { first: s.first_page() },
        None => plan::Layout::Folders,
    };

    let slugs = parse::read_slugs(&content_dir, &found.markdown);
    laps.lap("slugs");
    let mut plan = plan::plan(&found.markdown, &slugs, generated, reserved, layout);
    if let Some(s) = &summary {
        let titles: HashMap<&str, &str> =
            s.chapters().into_iter().filter_map(|c| Some((c.source.as_deref()?, c.title.as_str()))).collect();
        let ids: Vec<PageId> = plan.slots.ids().collect();
        for id in ids {
            let slot = &mut plan.slots[id];
            slot.nav_title = slot.source.as_deref().and_then(|src| titles.get(src)).map(|t| t.to_string());
        }
    }
    let place_error = |p: PlaceProblem| Diagnostic::error(shown_path(config, &p.rel), p.message);
    errors.extend(plan.problems.into_iter().map(place_error));
    errors.extend(plan::asset_collisions(&plan.slots, &found.assets, reserved).into_iter().map(place_error));

    let pages_and_urls = plan.slots.iter().map(|s| (s.source.as_deref(), s.url.as_str()));
    let mut lookup = Lookup::new(pages_and_urls, &found.assets, config.content_shown());
    lookup.by_source.extend(plan.aliases);
    lookup.unlisted = std::mem::take(&mut found.unlisted).into_iter().collect();
    // Each worker counts the words of the pages it parses, for the search index.
    let lexicon = words::Lexicon::new(&words::analyzer(config));
    let collectors = config.search.enabled.then(|| words::Collectors::new(&lexicon, config.search.code));
    let passages = (config.search.enabled && config.one_shot)
        .then(|| std::sync::Mutex::new(crate::chunks::TextChunks::new(crate::chunks::CHUNK_BYTES)));
    let bodies = config.one_shot.then(|| bodies::BodyWriter::new(crate::chunks::CHUNK_BYTES));
    // Each worker fills a chunk of its own; a page the parse memo gives back puts its body
    // there straight from the memo.
    let keep_body =
        bodies.as_ref().map(|bodies| |html: &str| bodies.push(rayon::current_thread_index().unwrap_or(0), html));
    // With the cache (a build's, or `serve` reading it) only pages no earlier build parsed as
    // they are now are parsed.
    let recall = config.parsed.is_on().then(|| stored::Recall {
        memo: &config.parsed,
        places: lookup.digest(),
        lexicon: &lexicon,
    });
    // Each page goes straight to its place, its diagnostics beside it: collected as parse
    // results first, every page would be held twice while moved out (14 MB at 10,000 pages,
    // at the build's peak).
    let (pages, diagnostics): (Vec<Page>, Vec<WarningsAndErrors>) = plan
        .slots
        .as_slice()
        .par_iter()
        .enumerate()
        .map(|(i, slot)| {
            let me = PageId::from_index(i);
            let recall = recall.as_ref();
            let body: Option<&dyn Fn(&str) -> bodies::BodyRef> = keep_body.as_ref().map(|k| k as _);
            let mut parsed = match &collectors {
                Some(c) => c.with(|c| stored::read_and_parse(config, &lookup, recall, me, slot, Some(c), body)),
                None => stored::read_and_parse(config, &lookup, recall, me, slot, None, body),
            };
            if let (Some(store), Ok(p)) = (&passages, &mut parsed) {
                words::keep_passages(&mut p.page.sections, store);
            }
            if let (Some(keep), Ok(p)) = (&keep_body, &mut parsed) {
                if p.page.body.is_none() {
                    p.page.body = Some(keep(&p.page.html));
                    p.page.html = String::new();
                }
            }
            match parsed {
                Ok(p) => (p.page, (p.warnings, p.errors)),
                Err(e) => (parse::placeholder(slot), (Vec::new(), e)),
            }
        })
        .unzip();
    laps.lap("parse");
    drop(collectors);
    config.parsed.finish();
    // The plan's slots (sources, URLs, nav titles) were copied into the pages.
    drop(std::mem::take(&mut plan.slots));

    let pages = IdVec::from(pages);
    let mut warnings = std::mem::take(&mut found.warnings);
    for (page_warnings, page_errors) in diagnostics {
        warnings.extend(page_warnings);
        errors.extend(page_errors);
    }

    let included = select::included(&pages, &plan.index_of_dir, config.build.drafts);
    for (from, problem) in links::check_all(&pages, &included) {
        errors.push(link_diagnostic(config, &pages[from], problem));
    }
    laps.lap("links");
    // `[build] broken_links = "warn"`: broken links are reported, and the site is still built.
    let (errors, link_warnings): (Vec<_>, Vec<_>) =
        errors.into_iter().map(|d| config.link_severity(d)).partition(Diagnostic::is_error);
    warnings.extend(link_warnings);
    if !errors.is_empty() {
        // The warnings go along: they are printed even when errors stop the build.
        let mut errors = errors;
        errors.sort_by(|a, b| (&a.path, a.position).cmp(&(&b.path, b.position)));
        warnings.sort_by(|a, b| (&a.path, a.position).cmp(&(&b.path, b.position)));
        errors.extend(warnings);
        return Err(errors);
    }

    let pages = select::keep(pages, &included);
    let nav = build_nav(summary.as_ref(), &pages);
    let mut assets = found.assets;
    assets.sort_by(|a, b| a.url.cmp(&b.url));
    warnings.sort_by(|a, b| (&a.path, a.position).cmp(&(&b.path, b.position)));
    let lookup =
        Lookup::new(pages.iter().map(|p| (p.source.as_deref(), p.url.as_str())), &assets, config.content_shown());
    let passages = std::sync::Mutex::new(passages.map(|p| p.into_inner().unwrap_or_else(|e| e.into_inner())));
    let bodies = bodies.map(bodies::BodyWriter::finish);
    laps.lap("site");
    Ok(Site { pages, nav, assets, warnings, lookup, lexicon, summary, passages, bodies })
}

/// The navigation: SUMMARY.md's when the content has one, the folders' otherwise.
fn build_nav(summary: Option<&Summary>, pages: &IdVec<PageId, Page>) -> Nav {
    match summary {
        Some(s) => s.nav(pages),
        None => nav::folders::build(pages),
    }
}

/// How many left-out files the warning names before it only counts.
const UNLISTED_SHOWN: usize = 10;

/// One page's warnings and errors, as its parse found them.
type WarningsAndErrors = (Vec<Diagnostic>, Vec<Diagnostic>);

/// Chunks of bodies the render frees before the search index starts: 12 MiB, about the room
/// the index's docs take at 10,000 pages (see [`bodies::Bodies::wait_for_freed`]).
const ROOM_CHUNKS: usize = 3;

/// Reads `SUMMARY.md` at the top of the content folder, if there is one, and keeps in
/// `found.markdown` only the files it lists (mdBook publishes nothing else; one warning says
/// how many were left out). A listed file that does not exist is an error at its entry:
/// stagebook never creates files in the source. A summary that cannot be read is an error
/// and the pages stay as found, so its mistakes do not turn into one error per link.
fn read_summary(config: &Config, found: &mut Found, errors: &mut Vec<Diagnostic>) -> Option<Summary> {
    let at = found.markdown.iter().position(|m| m == summary::FILE)?;
    found.markdown.remove(at);
    let shown = shown_path(config, summary::FILE);
    let text = match parse::read(&config.content_dir().join(summary::FILE), shown.clone()) {
        Ok(t) => t,
        Err(e) => {
            errors.extend(e);
            return None;
        }
    };
    let file = crate::diagnostics::SourceFile::new(shown.clone(), text);
    let summary = match summary::parse(file.text()) {
        Ok(mut s) => {
            found.warnings.extend(std::mem::take(&mut s.warnings).into_iter().map(|p| file.diagnostic(p)));
            s
        }
        Err(problems) => {
            errors.extend(problems.into_iter().map(|p| file.diagnostic(p)));
            return None;
        }
    };
    let markdown: HashSet<&str> = found.markdown.iter().map(String::as_str).collect();
    let listed = summary.sources();
    for &(source, offset) in &listed {
        if markdown.contains(source) {
            continue;
        }
        let path = shown_path(config, source);
        let message = if config.content_dir().join(source).is_file() {
            format!(
                "`{source}` is listed but left out of the build (a hidden folder, or ignored by .gitignore); \
                 publish it or make the entry a draft: `[Title]()`"
            )
        } else {
            format!(
                "`{source}` is listed but does not exist (looked for {}); write it, or make the entry a draft: \
                 `[Title]()` (stagebook never creates files in the source)",
                path.display()
            )
        };
        errors.push(file.error_at(offset, message));
    }
    let listed: HashSet<&str> = listed.into_iter().map(|(s, _)| s).collect();
    let unlisted: Vec<String> = found.markdown.iter().filter(|m| !listed.contains(m.as_str())).cloned().collect();
    if !unlisted.is_empty() {
        let mut names: Vec<String> = unlisted.iter().take(UNLISTED_SHOWN).map(|m| format!("`{m}`")).collect();
        if unlisted.len() > UNLISTED_SHOWN {
            names.push(format!("and {} more", unlisted.len() - UNLISTED_SHOWN));
        }
        let n = unlisted.len();
        let files = if n == 1 { "markdown file is" } else { "markdown files are" };
        found.warnings.push(
            Diagnostic::error(
                shown,
                format!("{n} {files} not listed here and so not published (as in mdBook): {}", names.join(", ")),
            )
            .warning(),
        );
        found.markdown.retain(|m| listed.contains(m.as_str()));
        found.unlisted = unlisted;
    }
    Some(summary)
}

/// Says where in its page a broken link is.
fn link_diagnostic(config: &Config, from: &Page, problem: Problem) -> Diagnostic {
    let mut d = located(config, from, problem.offset, problem.message);
    d.link = problem.link;
    if problem.is_error {
        d
    } else {
        d.warning()
    }
}

/// A diagnostic at byte `offset` (a link's or embed's) of `page`'s source file, placed when it was read.
fn located(config: &Config, page: &Page, offset: usize, message: String) -> Diagnostic {
    match &page.file {
        Some(file) => file.error_at(offset, message),
        None => Diagnostic::error(shown_path(config, page.source.as_deref().unwrap_or("")), message),
    }
}

struct Found {
    markdown: Vec<String>,
    /// Markdown files left out because SUMMARY.md does not list them.
    unlisted: Vec<String>,
    assets: Vec<Asset>,
    warnings: Vec<Diagnostic>,
}

/// Walks the content folder. Hidden files and folders, what `.gitignore` files leave out, the
/// output folder, the matrix file and (with `content = "."`) book.toml are skipped; the rest is
/// either a page (`.md`) or an asset.
///
/// `.gitignore` is honoured so that a handbook at a repository's root does not publish
/// `target/` or `node_modules/`, and a page git does not track is not published from one
/// machine only. The files read are those in the content folder and below, and those between
/// the handbook folder and the content folder; not the user's global git settings or
/// `.git/info/exclude`, which differ between machines, and not folders above the handbook.
///
/// Symbolic links are followed only when they point inside the handbook folder: a link to
/// `/etc/passwd` or `~/.ssh` must not end up published (or served by the preview server).
fn discover(config: &Config, content_dir: &Path, errors: &mut Vec<Diagnostic>) -> Found {
    use std::sync::{Arc, Mutex};
    let mut found = Found { markdown: Vec::new(), unlisted: Vec::new(), assets: Vec::new(), warnings: Vec::new() };
    let book_root = config.root.canonicalize().unwrap_or_else(|_| config.root.clone());
    if !content_dir.is_dir() {
        errors.push(Diagnostic::error(
            content_dir.strip_prefix(".").unwrap_or(content_dir),
            "content folder not found (set [build] content in book.toml)",
        ));
        return found;
    }
    let shown = |p: &Path| p.strip_prefix(".").unwrap_or(p).to_path_buf();
    let not_content = config.not_content();
    let matrix = config.matrix_path();
    // Filled by the walk's filter, which must own what it uses (it may run on other threads).
    let outside: Arc<Mutex<Vec<PathBuf>>> = Arc::default();
    let bad_names: Arc<Mutex<Vec<(PathBuf, String)>>> = Arc::default();
    // Walked by its absolute path, which the `.gitignore` files' patterns are matched against.
    let abs_content = crate::abspath::absolute(content_dir);
    let abs_matrix = crate::abspath::absolute(&matrix);
    let mut walk = ignore::WalkBuilder::new(&abs_content);
    walk.standard_filters(false)
        .git_ignore(true)
        .require_git(false)
        .follow_links(true)
        .sort_by_file_name(|a, b| a.cmp(b));
    for dir in gitignores_above(&config.root, content_dir) {
        if let Some(e) = walk.add_ignore(&dir) {
            found.warnings.push(Diagnostic::error(shown(&dir), format!("ignored in part: {e}")).warning());
        }
    }
    let filter = {
        let (outside, bad_names) = (outside.clone(), bad_names.clone());
        let (abs_content, content_dir) = (abs_content.clone(), content_dir.to_path_buf());
        move |e: &ignore::DirEntry| {
            if e.depth() == 0 {
                return true;
            }
            let rel = e.path().strip_prefix(&abs_content).unwrap_or(e.path());
            // As the user would write it, for messages.
            let path = content_dir.join(rel);
            let name = e.file_name().to_string_lossy();
            if name.starts_with('.') || not_content.skips(rel) {
                return false;
            }
            if e.path_is_symlink() && !e.path().canonicalize().is_ok_and(|t| t.starts_with(&book_root)) {
                outside.lock().unwrap_or_else(|p| p.into_inner()).push(path);
                return false;
            }
            if let Some(problem) = paths::name_problem(&name) {
                bad_names.lock().unwrap_or_else(|p| p.into_inner()).push((path, problem));
                return false;
            }
            // A site stagebook wrote (`content = "."` with `-o` elsewhere leaves the configured
            // output an ordinary folder here): never content of another site.
            !(e.file_type().is_some_and(|t| t.is_dir()) && e.path().join(crate::output::MANIFEST).is_file())
        }
    };
    walk.filter_entry(filter);
    for entry in walk.build() {
        let entry = match entry {
            Ok(e) => e,
            // A `.gitignore` line that is not a valid pattern: the rest of the file still applies.
            Err(e) if e.io_error().is_none() => {
                found.warnings.push(Diagnostic::error(shown(content_dir), format!("ignored in part: {e}")).warning());
                continue;
            }
            Err(e) => {
                errors.push(Diagnostic::error(shown(content_dir), format!("cannot read: {e}")));
                continue;
            }
        };
        if !entry.file_type().is_some_and(|t| t.is_file()) || entry.path() == abs_matrix {
            continue;
        }
        let rel = entry.path().strip_prefix(&abs_content).unwrap_or(entry.path());
        let path = content_dir.join(rel);
        let Some(rel) = rel.to_str() else {
            errors.push(Diagnostic::error(path, "file name is not valid UTF-8; rename it"));
            continue;
        };
        let rel = rel.replace('\\', "/");
        if rel.ends_with(".md") {
            found.markdown.push(rel);
        } else {
            found.assets.push(Asset { source: path, url: rel });
        }
    }
    fn take<T>(m: Arc<Mutex<Vec<T>>>) -> Vec<T> {
        std::mem::take(&mut *m.lock().unwrap_or_else(|p| p.into_inner()))
    }
    let mut bad: Vec<(PathBuf, String)> = take(bad_names);
    bad.sort();
    errors.extend(bad.into_iter().map(|(path, problem)| Diagnostic::error(shown(&path), problem)));
    let mut outside: Vec<PathBuf> = take(outside);
    outside.sort();
    found.warnings.extend(outside.into_iter().map(|p| {
        Diagnostic::error(shown(&p), "skipped: symbolic link to a place outside the handbook folder").warning()
    }));
    found
}

/// The `.gitignore` files from the handbook folder down to the content folder's parent (the
/// walk reads the content folder's own and those below it).
fn gitignores_above(root: &Path, content_dir: &Path) -> Vec<PathBuf> {
    let (root, content) = (crate::abspath::absolute(root), crate::abspath::absolute(content_dir));
    let Ok(below) = content.strip_prefix(&root) else { return Vec::new() };
    let mut dirs = vec![root.clone()];
    let mut at = root;
    let parts: Vec<_> = below.components().collect();
    for part in parts.iter().take(parts.len().saturating_sub(1)) {
        at = at.join(part);
        dirs.push(at.clone());
    }
    if below.as_os_str().is_empty() {
        // content = ".": the walk reads the handbook folder's own.
        dirs.clear();
    }
    dirs.into_iter().map(|d| d.join(".gitignore")).filter(|f| f.is_file()).collect()
}
