//! The handbook's pages: finding them, reading front matter, rendering markdown, checking links
//! and arranging them into a navigation.
//!
//! Output: a [`Site`] — pure, validated data that the render step turns into files. [`load`]
//! runs the steps in order; only [`discover`] (the folder walk) and [`parse::read`] touch the
//! disk, every other step is a pure function over what they found:
//!
//! ```text
//! discover -> plan::plan (slots) -> parse::parse (each page) -> select::included
//!          -> links::check_all -> select::keep -> nav::folders::build
//! ```

pub(crate) mod frontmatter;
pub(crate) mod ids;
pub(crate) mod links;
pub(crate) mod nav;
pub(crate) mod parse;
pub(crate) mod paths;
pub(crate) mod plan;
pub(crate) mod select;
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
    pub html: String,
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
}

impl Page {
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
    /// (the page became a draft), which needs a full reload.
    pub(crate) fn reload_page(&mut self, config: &Config, id: PageId) -> Result<Option<Reloaded>, Vec<Diagnostic>> {
        let old = &self.pages[id];
        let slot = plan::Slot {
            source: old.source.clone(),
            dir: old.dir.clone(),
            url: old.url.clone(),
            kind: old.kind,
            generated: None,
        };
        let mut text = config.search.enabled.then(|| words::Collector::new(&self.lexicon, config.search.code));
        let parsed = parse::read_and_parse(config, &self.lookup, id, &slot, text.as_mut())?;
        if !parsed.errors.is_empty() {
            return Err(parsed.errors);
        }
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
        if !errors.is_empty() {
            return Err(errors);
        }
        let old = &self.pages[id];
        let navigation = old.title != page.title || old.weight != page.weight || old.description != page.description;
        self.pages[id] = page;
        if navigation {
            self.nav = nav::folders::build(&self.pages);
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
            Place::Page { page, anchor } => {
                let target = &self.pages[page];
                let checked_later = target.generated.is_some();
                match &anchor {
                    Some(a)
                        if !checked_later
                            && !a.is_empty()
                            && !target.headings.iter().any(|h| h.id == *a)
                            && !target.anchors.contains(a) =>
                    {
                        Err(format!(
                            "link `{dest}`: no heading with id `{a}` in `{}`",
                            target.source.as_deref().unwrap_or(&target.url)
                        ))
                    }
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
                    errors.push(link_diagnostic(config, page, Problem::error(link.offset, message)));
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
    let content_dir = config.content_dir();
    let mut errors = Vec::new();
    let mut found = discover(config, &content_dir, &mut errors);

    let slugs = parse::read_slugs(&content_dir, &found.markdown);
    let plan = plan::plan(&found.markdown, &slugs, generated, reserved);
    let place_error = |p: PlaceProblem| Diagnostic::error(shown_path(config, &p.rel), p.message);
    errors.extend(plan.problems.into_iter().map(place_error));
    errors.extend(plan::asset_collisions(&plan.slots, &found.assets, reserved).into_iter().map(place_error));

    let mut lookup = Lookup::new(plan.slots.iter().map(|s| (s.source.as_deref(), s.url.as_str())), &found.assets);
    lookup.by_source.extend(plan.aliases);
    // Each worker counts the words of the pages it parses, for the search index.
    let lexicon = words::Lexicon::new(&words::analyzer(config));
    let collectors = config.search.enabled.then(|| words::Collectors::new(&lexicon, config.search.code));
    let parsed: Vec<Result<parse::Parsed, Vec<Diagnostic>>> = plan
        .slots
        .as_slice()
        .par_iter()
        .enumerate()
        .map(|(i, slot)| {
            let me = PageId::from_index(i);
            match &collectors {
                Some(c) => c.with(|c| parse::read_and_parse(config, &lookup, me, slot, Some(c))),
                None => parse::read_and_parse(config, &lookup, me, slot, None),
            }
        })
        .collect();
    drop(collectors);

    let mut pages = IdVec::with_capacity(plan.slots.len());
    let mut warnings = std::mem::take(&mut found.warnings);
    for (slot, result) in plan.slots.iter().zip(parsed) {
        match result {
            Ok(p) => {
                warnings.extend(p.warnings);
                errors.extend(p.errors);
                pages.push(p.page);
            }
            Err(e) => {
                errors.extend(e);
                pages.push(parse::placeholder(slot));
            }
        }
    }

    let included = select::included(&pages, &plan.index_of_dir, config.build.drafts);
    for (from, problem) in links::check_all(&pages, &included) {
        errors.push(link_diagnostic(config, &pages[from], problem));
    }
    if !errors.is_empty() {
        // The warnings go along: they are printed even when errors stop the build.
        errors.sort_by(|a, b| (&a.path, a.position).cmp(&(&b.path, b.position)));
        warnings.sort_by(|a, b| (&a.path, a.position).cmp(&(&b.path, b.position)));
        errors.extend(warnings);
        return Err(errors);
    }

    let pages = select::keep(pages, &included);
    let nav = nav::folders::build(&pages);
    let mut assets = found.assets;
    assets.sort_by(|a, b| a.url.cmp(&b.url));
    warnings.sort_by(|a, b| (&a.path, a.position).cmp(&(&b.path, b.position)));
    let lookup = Lookup::new(pages.iter().map(|p| (p.source.as_deref(), p.url.as_str())), &assets);
    Ok(Site { pages, nav, assets, warnings, lookup, lexicon })
}

/// Says where in its page a broken link is.
fn link_diagnostic(config: &Config, from: &Page, problem: Problem) -> Diagnostic {
    located(config, from, problem.offset, problem.message)
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
    assets: Vec<Asset>,
    warnings: Vec<Diagnostic>,
}

/// Walks the content folder. Hidden files and folders, the output folder, the matrix file and
/// (with `content = "."`) book.toml are skipped; the rest is either a page (`.md`) or an asset.
///
/// Symbolic links are followed only when they point inside the handbook folder: a link to
/// `/etc/passwd` or `~/.ssh` must not end up published (or served by the preview server).
fn discover(config: &Config, content_dir: &Path, errors: &mut Vec<Diagnostic>) -> Found {
    let mut found = Found { markdown: Vec::new(), assets: Vec::new(), warnings: Vec::new() };
    let book_root = config.root.canonicalize().unwrap_or_else(|_| config.root.clone());
    if !content_dir.is_dir() {
        errors.push(Diagnostic::error(
            content_dir.strip_prefix(".").unwrap_or(content_dir),
            "content folder not found (set [build] content in book.toml)",
        ));
        return found;
    }
    let not_content = config.not_content();
    let matrix = config.matrix_path();
    let mut outside = Vec::new();
    let walker =
        walkdir::WalkDir::new(content_dir).follow_links(true).sort_by_file_name().into_iter().filter_entry(|e| {
            let rel = e.path().strip_prefix(content_dir).unwrap_or(e.path());
            if e.depth() > 0 && (e.file_name().to_string_lossy().starts_with('.') || not_content.skips(rel)) {
                return false;
            }
            let escapes = e.depth() > 0
                && e.path_is_symlink()
                && !e.path().canonicalize().is_ok_and(|t| t.starts_with(&book_root));
            if escapes {
                outside.push(e.path().to_path_buf());
            }
            !escapes
        });
    let mut walker = walker;
    while let Some(entry) = walker.next() {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let path = e.path().unwrap_or(content_dir).to_path_buf();
                errors.push(Diagnostic::error(path, format!("cannot read: {e}")));
                continue;
            }
        };
        if entry.depth() > 0 {
            if let Some(problem) = paths::name_problem(&entry.file_name().to_string_lossy()) {
                errors.push(Diagnostic::error(entry.path().strip_prefix(".").unwrap_or(entry.path()), problem));
                if entry.file_type().is_dir() {
                    walker.skip_current_dir();
                }
                continue;
            }
        }
        if !entry.file_type().is_file() || entry.path() == matrix {
            continue;
        }
        let rel = entry.path().strip_prefix(content_dir).unwrap_or(entry.path());
        let Some(rel) = rel.to_str() else {
            errors.push(Diagnostic::error(entry.path(), "file name is not valid UTF-8; rename it"));
            continue;
        };
        let rel = rel.replace('\\', "/");
        if rel.ends_with(".md") {
            found.markdown.push(rel);
        } else {
            found.assets.push(Asset { source: entry.path().to_path_buf(), url: rel });
        }
    }
    found.warnings = outside
        .into_iter()
        .map(|p| Diagnostic::error(p, "skipped: symbolic link to a place outside the handbook folder").warning())
        .collect();
    found
}
