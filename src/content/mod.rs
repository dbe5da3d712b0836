//! The handbook's pages: finding them, reading front matter, rendering markdown, checking links
//! and arranging them into sections.
//!
//! Output: a [`Site`] — pure, validated data that the render step turns into files.

pub mod frontmatter;
pub mod paths;
pub mod tree;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::config::Config;
use crate::diagnostics::Diagnostic;
use crate::markdown::{self, Embed, Heading, Link};
use crate::matrix::views::View;
use crate::search;
use frontmatter::{FrontMatter, FrontMatterError};
pub use tree::{NavNode, Tree};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageKind {
    /// The site's front page (`content/_index.md`, or generated).
    Home,
    /// A folder's page (its `_index.md` / `index.md` / `README.md`, or generated).
    Section,
    /// Any other markdown file.
    Page,
}

impl PageKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PageKind::Home => "home",
            PageKind::Section => "section",
            PageKind::Page => "page",
        }
    }
}

/// One page of the site, rendered to HTML but not yet placed in a template.
#[derive(Debug, Clone)]
pub struct Page {
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
    /// The body starts with its own H1, so templates must not print the title again.
    pub has_title_heading: bool,
    /// For pages stagebook generates from the matrix: which view.
    pub generated: Option<View>,
    /// Matrix views embedded with shortcodes; offsets are bytes into the source file.
    pub embeds: Vec<Embed>,
    /// What the search index keeps of the text, by heading section (none when search is off).
    pub sections: Vec<search::SectionText>,
}

/// A page the build makes from data rather than from a markdown file (the matrix pages).
#[derive(Debug, Clone)]
pub struct Generated {
    pub url: String,
    /// The folder it is placed in within the navigation (need not match the URL).
    pub dir: String,
    pub kind: PageKind,
    pub title: String,
    pub description: String,
    pub weight: Option<i64>,
    pub view: View,
    /// Ids the page's template will give elements, so links may target them.
    pub anchors: Vec<String>,
}

/// A file under content/ that is copied as it is (images, downloads...).
#[derive(Debug, Clone)]
pub struct Asset {
    pub source: PathBuf,
    /// Output path from the site root (same as its content-relative path).
    pub url: String,
}

/// The validated content of a handbook.
#[derive(Debug)]
pub struct Site {
    /// Included pages only (drafts removed unless building drafts).
    pub pages: Vec<Page>,
    pub tree: Tree,
    pub assets: Vec<Asset>,
    pub warnings: Vec<Diagnostic>,
    /// Resolves links written in data files (relative to the content folder).
    pub lookup: Lookup,
    /// Links of each page that point to pages (checked again when a page changes).
    links: Vec<Vec<markdown::PendingLink<Target>>>,
    /// The words of the pages' text, numbered (their sections hold the numbers).
    pub lexicon: search::Lexicon,
}

/// What re-reading an edited page changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reloaded {
    /// Only its content.
    Body,
    /// Its title, description or position, which other pages show.
    Navigation,
}

impl Site {
    /// The page made from a content-relative source file.
    pub fn page_by_source(&self, rel: &str) -> Option<usize> {
        self.lookup.by_source.get(rel).copied()
    }

    /// A diagnostic at byte `offset` of page `i`'s source file (read again to find the line).
    pub fn error_in(&self, config: &Config, i: usize, offset: usize, message: impl Into<String>) -> Diagnostic {
        let rel = self.pages[i].source.as_deref().unwrap_or("");
        match std::fs::read(config.content_dir().join(rel)) {
            Ok(bytes) => Diagnostic::at(shown_path(config, rel), &String::from_utf8_lossy(&bytes), offset, message),
            Err(_) => Diagnostic::error(shown_path(config, rel), message),
        }
    }

    /// Reads page `i` again after its file changed and checks its links, and the links of other
    /// pages into it. On errors nothing changes. `Ok(None)` means the site's structure changed
    /// (the page became a draft), which needs a full reload.
    pub fn reload_page(&mut self, config: &Config, i: usize) -> Result<Option<Reloaded>, Vec<Diagnostic>> {
        let old = &self.pages[i];
        let slot = Slot {
            source: old.source.clone(),
            dir: old.dir.clone(),
            url: old.url.clone(),
            kind: old.kind,
            generated: None,
        };
        let mut text = config.search.enabled.then(|| search::Collector::new(&self.lexicon, config.search.code));
        let parsed = parse_page(config, &self.lookup, i, &slot, text.as_mut())?;
        if !parsed.errors.is_empty() {
            return Err(parsed.errors);
        }
        if parsed.page.draft && !config.build.drafts {
            return Ok(None);
        }
        let mut pages_view: Vec<&Page> = self.pages.iter().collect();
        pages_view[i] = &parsed.page;
        let mut errors = Vec::new();
        for link in &parsed.links {
            if let Some(problem) = check_link_in(&pages_view, link) {
                errors.push(problem.into_diagnostic(config, &parsed.page));
            }
        }
        // Other pages' anchors into this page must still exist.
        for (from, links) in self.links.iter().enumerate() {
            if from == i {
                continue;
            }
            for link in links.iter().filter(|l| l.target == i && l.anchor.is_some()) {
                if let Some(problem) = check_link_in(&pages_view, link) {
                    errors.push(problem.into_diagnostic(config, &self.pages[from]));
                }
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let old = &self.pages[i];
        let navigation = old.title != parsed.page.title
            || old.weight != parsed.page.weight
            || old.description != parsed.page.description;
        self.pages[i] = parsed.page;
        self.links[i] = parsed.links;
        if navigation {
            self.tree = Tree::build(&self.pages);
            return Ok(Some(Reloaded::Navigation));
        }
        Ok(Some(Reloaded::Body))
    }

    /// Resolves a link written in a data file (relative to the content folder) for the page at
    /// `from_url`: the href to use, or why the link is broken.
    pub fn link(&self, from_url: &str, dest: &str) -> Result<String, String> {
        match self.lookup.resolve(from_url, None, "", dest) {
            Link::Unchanged => Ok(dest.to_string()),
            Link::Broken(message) => Err(message),
            Link::Rewrite { href, check } => match check {
                Some((target, Some(anchor))) => {
                    let page = &self.pages[target];
                    if anchor.is_empty()
                        || page.headings.iter().any(|h| h.id == anchor)
                        || page.anchors.contains(&anchor)
                    {
                        Ok(href)
                    } else {
                        Err(format!(
                            "link `{dest}`: no heading with id `{anchor}` in `{}`",
                            page.source.as_deref().unwrap_or(&page.url)
                        ))
                    }
                }
                _ => Ok(href),
            },
        }
    }
}

/// Output paths that other parts of the build generate, so links to them are valid and
/// content files cannot collide with them.
#[derive(Debug, Default, Clone)]
pub struct Reserved {
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
pub fn shown_path(config: &Config, rel: &str) -> PathBuf {
    let p = config.root.join(&config.build.content).join(rel);
    p.strip_prefix(".").map(Path::to_path_buf).unwrap_or(p)
}

/// Finds, reads, renders and checks every page under the content folder, together with the
/// pages the build generates (`generated`), which take part in navigation and link checks.
pub fn load(config: &Config, reserved: &Reserved, generated: Vec<Generated>) -> Result<Site, Vec<Diagnostic>> {
    let content_dir = config.content_dir();
    let mut errors = Vec::new();
    let mut found = discover(config, &content_dir, &mut errors);

    // One slot per output page: real files first, then made-up folder pages.
    let mut slots: Vec<Slot> = Vec::new();
    let mut by_url: HashMap<String, usize> = HashMap::new();
    let mut index_of_dir: HashMap<String, usize> = HashMap::new();
    // Sources left out as duplicates still resolve (to the page that won), so one clash
    // does not cascade into broken-link errors.
    let mut aliases: Vec<(String, usize)> = Vec::new();
    for rel in &found.markdown {
        let url = paths::page_url(rel);
        if reserved.owns(&url) {
            errors.push(Diagnostic::error(
                shown_path(config, rel),
                format!(
                    "this page would be written to `{url}`, which stagebook generates itself; rename or move the file"
                ),
            ));
            continue;
        }
        if let Some(&other) = by_url.get(&url) {
            let other_rel = slots[other].source.clone().unwrap_or_default();
            let both_index = paths::is_index_name(file_name(rel)) && paths::is_index_name(file_name(&other_rel));
            let (first, second) = if other_rel < *rel { (&other_rel, rel) } else { (rel, &other_rel) };
            let message = if both_index {
                format!("`{first}` and `{second}` both give the folder its page; keep only one of them")
            } else {
                format!("`{first}` and `{second}` would both be written to `{url}`; rename one of them")
            };
            errors.push(Diagnostic::error(shown_path(config, rel), message));
            aliases.push((rel.clone(), other));
            continue;
        }
        let is_index = paths::is_index_name(file_name(rel));
        let dir = paths::parent_dir(rel).to_string();
        let kind = match (is_index, dir.is_empty()) {
            (true, true) => PageKind::Home,
            (true, false) => PageKind::Section,
            _ => PageKind::Page,
        };
        by_url.insert(url.clone(), slots.len());
        if is_index {
            index_of_dir.insert(dir.clone(), slots.len());
        }
        slots.push(Slot { source: Some(rel.clone()), dir, url, kind, generated: None });
    }
    for g in generated {
        if g.kind != PageKind::Page {
            index_of_dir.insert(g.dir.clone(), slots.len());
        }
        by_url.insert(g.url.clone(), slots.len());
        slots.push(Slot { source: None, dir: g.dir.clone(), url: g.url.clone(), kind: g.kind, generated: Some(g) });
    }
    // Folders that hold pages but no index file still get a page listing their children.
    let mut dirs_with_pages: Vec<String> = Vec::new();
    for slot in &slots {
        let mut d = slot.dir.clone();
        loop {
            dirs_with_pages.push(d.clone());
            if d.is_empty() {
                break;
            }
            d = paths::parent_dir(&d).to_string();
        }
    }
    dirs_with_pages.push(String::new());
    dirs_with_pages.sort();
    dirs_with_pages.dedup();
    for dir in dirs_with_pages {
        if index_of_dir.contains_key(&dir) {
            continue;
        }
        let url = paths::section_url(&dir);
        if by_url.contains_key(&url) {
            continue; // e.g. `guide.md` next to a `guide/` folder: already reported or it is the page
        }
        let kind = if dir.is_empty() { PageKind::Home } else { PageKind::Section };
        index_of_dir.insert(dir.clone(), slots.len());
        by_url.insert(url.clone(), slots.len());
        slots.push(Slot { source: None, dir, url, kind, generated: None });
    }
    for asset in &found.assets {
        if let Some(&slot) = by_url.get(&asset.url) {
            errors.push(Diagnostic::error(
                shown_path(config, &asset.url),
                format!(
                    "this file collides with the page made from `{}`",
                    slots[slot].source.as_deref().unwrap_or("a folder")
                ),
            ));
        } else if reserved.owns(&asset.url) {
            errors.push(Diagnostic::error(
                shown_path(config, &asset.url),
                "this file collides with a file stagebook generates; rename or move it",
            ));
        }
    }

    let mut index = Lookup::new(slots.iter().map(|s| (s.source.as_deref(), s.url.as_str())), &found.assets);
    index.by_source.extend(aliases);
    // Each worker counts the words of the pages it parses, for the search index.
    let lexicon = search::Lexicon::new(&search::analyzer(config));
    let collectors = config.search.enabled.then(|| search::Collectors::new(&lexicon, config.search.code));
    let parsed: Vec<Result<Parsed, Vec<Diagnostic>>> = slots
        .par_iter()
        .enumerate()
        .map(|(i, slot)| match &collectors {
            Some(c) => c.with(|c| parse_page(config, &index, i, slot, Some(c))),
            None => parse_page(config, &index, i, slot, None),
        })
        .collect();
    drop(collectors);

    let mut pages = Vec::with_capacity(slots.len());
    let mut pending = Vec::new();
    let mut warnings = std::mem::take(&mut found.warnings);
    for (i, result) in parsed.into_iter().enumerate() {
        match result {
            Ok(p) => {
                warnings.extend(p.warnings);
                errors.extend(p.errors);
                pending.push(p.links);
                pages.push(p.page);
            }
            Err(e) => {
                errors.extend(e);
                pending.push(Vec::new());
                pages.push(placeholder(&slots[i]));
            }
        }
    }

    // Drafts (and everything under a draft folder) leave the site unless drafts are built.
    let included: Vec<bool> = pages
        .iter()
        .map(|p| config.build.drafts || !(p.draft || draft_folder(&pages, &index_of_dir, &p.dir, p.kind)))
        .collect();

    for (from, links) in pending.iter().enumerate() {
        if !included[from] {
            continue;
        }
        for link in links {
            if let Some(message) = check_link(&pages, &included, link) {
                errors.push(message.into_diagnostic(config, &pages[from]));
            }
        }
    }
    if !errors.is_empty() {
        errors.sort_by(|a, b| (&a.path, a.position).cmp(&(&b.path, b.position)));
        return Err(errors);
    }

    // Keep included pages only, renumbering (links to left-out pages were errors above).
    let mut new_index = vec![usize::MAX; pages.len()];
    let mut next = 0;
    for (old, keep) in included.iter().enumerate() {
        if *keep {
            new_index[old] = next;
            next += 1;
        }
    }
    let mut kept = Vec::new();
    let mut kept_links = Vec::new();
    for ((page, keep), mut links) in pages.into_iter().zip(&included).zip(pending) {
        if *keep {
            for link in &mut links {
                link.target = new_index[link.target];
            }
            kept.push(page);
            kept_links.push(links);
        }
    }
    let tree = Tree::build(&kept);
    let mut assets = found.assets;
    assets.sort_by(|a, b| a.url.cmp(&b.url));
    warnings.sort_by(|a, b| (&a.path, a.position).cmp(&(&b.path, b.position)));
    let lookup = Lookup::new(kept.iter().map(|p| (p.source.as_deref(), p.url.as_str())), &assets);
    Ok(Site { pages: kept, tree, assets, warnings, lookup, links: kept_links, lexicon })
}

fn file_name(rel: &str) -> &str {
    rel.rsplit('/').next().unwrap_or(rel)
}

fn draft_folder(pages: &[Page], index_of_dir: &HashMap<String, usize>, dir: &str, kind: PageKind) -> bool {
    // A page is inside a draft folder when any enclosing folder's page is a draft.
    let mut d = if kind == PageKind::Page { dir.to_string() } else { paths::parent_dir(dir).to_string() };
    if kind == PageKind::Home {
        return false;
    }
    loop {
        if let Some(&i) = index_of_dir.get(&d) {
            if pages[i].draft {
                return true;
            }
        }
        if d.is_empty() {
            return false;
        }
        d = paths::parent_dir(&d).to_string();
    }
}

struct Slot {
    source: Option<String>,
    dir: String,
    url: String,
    kind: PageKind,
    generated: Option<Generated>,
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
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let path = e.path().unwrap_or(content_dir).to_path_buf();
                errors.push(Diagnostic::error(path, format!("cannot read: {e}")));
                continue;
            }
        };
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

/// Where links can point: pages by source file and by output path, and copied files.
/// Built from the page slots before parsing (to rewrite links while rendering), and again
/// from the final pages for links in data files.
#[derive(Debug, Default)]
pub struct Lookup {
    by_source: HashMap<String, usize>,
    by_url: HashMap<String, usize>,
    urls: Vec<String>,
    assets: HashSet<String>,
}

impl Lookup {
    fn new<'a>(pages: impl Iterator<Item = (Option<&'a str>, &'a str)>, assets: &[Asset]) -> Lookup {
        let mut lookup = Lookup { assets: assets.iter().map(|a| a.url.clone()).collect(), ..Lookup::default() };
        for (i, (source, url)) in pages.enumerate() {
            if let Some(source) = source {
                lookup.by_source.insert(source.to_string(), i);
            }
            lookup.by_url.insert(url.to_string(), i);
            lookup.urls.push(url.to_string());
        }
        lookup
    }

    /// Decides what `dest`, written in a file at content-relative folder `source_dir` and shown on
    /// the page at `from_url` (page `me`, if it is one), becomes.
    fn resolve(&self, from_url: &str, me: Option<usize>, source_dir: &str, dest: &str) -> Link<Target> {
        let (path_and_query, anchor) = match dest.split_once('#') {
            Some((p, a)) => (p, Some(a.to_string())),
            None => (dest, None),
        };
        let path = path_and_query.split('?').next().unwrap_or("");
        if path.is_empty() {
            return match (anchor, me) {
                (Some(a), Some(me)) => Link::Rewrite { href: dest.to_string(), check: Some((me, Some(a))) },
                _ => Link::Unchanged,
            };
        }
        let decoded = percent_encoding::percent_decode_str(path).decode_utf8_lossy();
        let Some(target) = paths::join(source_dir, &decoded) else {
            return Link::Broken(format!("link `{dest}` points outside the content folder"));
        };
        let with_anchor = |href: String| match &anchor {
            Some(a) => format!("{href}#{a}"),
            None => href,
        };
        let page = self
            .by_source
            .get(&target)
            .or_else(|| self.by_url.get(&target))
            .or_else(|| self.by_url.get(&paths::section_url(&target)))
            .copied();
        if let Some(page) = page {
            let to = &self.urls[page];
            return Link::Rewrite {
                href: with_anchor(paths::relative_href(from_url, to)),
                check: Some((page, anchor)),
            };
        }
        if self.assets.contains(&target) {
            return Link::Rewrite { href: with_anchor(paths::relative_href(from_url, &target)), check: None };
        }
        if target.ends_with(".md") {
            Link::Broken(format!("link to missing page `{dest}` (looked for content/{target})"))
        } else {
            Link::Broken(format!("link to missing file or folder `{dest}` (looked for content/{target})"))
        }
    }
}

/// The target of a link that must be checked after parsing: a page slot and maybe an anchor.
type Target = usize;

/// A page that could be read. `errors` (broken links, a missing title) do not stop the
/// rest of the page from being checked, so one run reports all of them.
struct Parsed {
    page: Page,
    links: Vec<markdown::PendingLink<Target>>,
    errors: Vec<Diagnostic>,
    warnings: Vec<Diagnostic>,
}

fn placeholder(slot: &Slot) -> Page {
    Page { source: slot.source.clone(), ..Page::empty(&slot.url, &slot.dir, slot.kind) }
}

impl Page {
    /// A page with nothing in it yet, at output path `url`.
    pub fn empty(url: &str, dir: &str, kind: PageKind) -> Page {
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
            generated: None,
            embeds: Vec::new(),
            sections: Vec::new(),
        }
    }
}

/// `collector` takes the text for the search index.
fn parse_page(
    config: &Config,
    index: &Lookup,
    me: usize,
    slot: &Slot,
    collector: Option<&mut search::Collector>,
) -> Result<Parsed, Vec<Diagnostic>> {
    let mut page = placeholder(slot);
    if let Some(g) = &slot.generated {
        page.title = g.title.clone();
        page.description = g.description.clone();
        page.weight = g.weight;
        page.generated = Some(g.view);
        page.anchors = g.anchors.iter().cloned().collect();
        return Ok(Parsed { page, links: Vec::new(), errors: Vec::new(), warnings: Vec::new() });
    }
    let Some(rel) = &slot.source else {
        page.title = if slot.dir.is_empty() {
            config.book.title.clone()
        } else {
            crate::slug::title_from_name(file_name(&slot.dir))
        };
        return Ok(Parsed { page, links: Vec::new(), errors: Vec::new(), warnings: Vec::new() });
    };
    let shown = shown_path(config, rel);
    let path = config.content_dir().join(rel);
    let bytes =
        std::fs::read(&path).map_err(|e| vec![Diagnostic::error(shown.clone(), format!("cannot read: {e}"))])?;
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let lossy = String::from_utf8_lossy(e.as_bytes()).into_owned();
            let at = e.utf8_error().valid_up_to();
            return Err(vec![Diagnostic::at(shown, &lossy, at, "file is not valid UTF-8 (save it as UTF-8)")]);
        }
    };
    let split = frontmatter::split(&text).map_err(|e| match e {
        FrontMatterError::Unclosed => vec![Diagnostic::at(
            shown.clone(),
            &text,
            0,
            "front matter opened with `+++` is never closed (add a `+++` line after it)",
        )],
        FrontMatterError::Invalid { offset, message } => vec![Diagnostic::at(shown.clone(), &text, offset, message)],
    })?;
    let front = match split.front {
        Some((toml_text, offset)) => Some(frontmatter::parse(toml_text, offset).map_err(|e| match e {
            FrontMatterError::Invalid { offset, message } => {
                vec![Diagnostic::at(shown.clone(), &text, offset, format!("front matter: {message}"))]
            }
            FrontMatterError::Unclosed => unreachable!("split already found the closing fence"),
        })?),
        None => None,
    };

    let source_dir = paths::parent_dir(rel);
    let rendered = markdown::render(split.body, &config.markdown, collector, |dest| {
        index.resolve(&slot.url, Some(me), source_dir, dest)
    });

    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    for p in &rendered.problems {
        let d = Diagnostic::at(shown.clone(), &text, split.body_offset + p.offset, p.message.clone());
        if p.is_error {
            errors.push(d);
        } else {
            warnings.push(d.warning());
        }
    }

    let FrontMatter { title, description, weight, draft, template, extra } = front.unwrap_or_default();
    page.title = match (title, &rendered.title_heading) {
        (Some(t), _) if !t.trim().is_empty() => t.trim().to_string(),
        (_, Some(h)) if !h.is_empty() => h.clone(),
        _ if split.front.is_some() => {
            errors.push(Diagnostic::at(
                shown.clone(),
                &text,
                split.front.map_or(0, |(_, o)| o),
                "page has no title: add `title = \"...\"` to the front matter or start the page with a `# Heading`",
            ));
            String::new()
        }
        _ if slot.kind == PageKind::Home => config.book.title.clone(),
        _ if slot.kind == PageKind::Section => crate::slug::title_from_name(file_name(&slot.dir)),
        _ => crate::slug::title_from_name(file_name(rel).trim_end_matches(".md")),
    };
    page.description = description.unwrap_or_default();
    page.weight = weight;
    page.draft = draft;
    page.extra = extra;
    page.template = template.map(|t| {
        let at = split.front.map_or(0, |(_, o)| o) + t.span().start;
        (t.into_inner(), Diagnostic::at(shown.clone(), &text, at, String::new()))
    });
    page.has_title_heading = rendered.title_heading.is_some();
    page.embeds = rendered
        .embeds
        .into_iter()
        .map(|mut e| {
            e.offset += split.body_offset;
            e
        })
        .collect();
    page.anchors = rendered.anchors.into_iter().collect();
    page.sections = rendered.sections;
    page.html = rendered.html;
    page.headings = rendered.headings;
    // Offsets become file offsets; line and column are worked out only if a link turns out broken.
    let links = rendered
        .links
        .into_iter()
        .map(|mut l| {
            l.offset += split.body_offset;
            l
        })
        .collect();
    Ok(Parsed { page, links, errors, warnings })
}

/// Why a link that resolved to a page still does not work; `offset` is a byte offset of the file.
struct LinkProblem {
    message: String,
    offset: usize,
}

impl LinkProblem {
    /// Reads the page again to say where the link is: links are checked by the thousand and
    /// almost never broken, so positions are only computed for the ones that are.
    fn into_diagnostic(self, config: &Config, from: &Page) -> Diagnostic {
        let rel = from.source.as_deref().unwrap_or("");
        let shown = shown_path(config, rel);
        match std::fs::read(config.content_dir().join(rel)) {
            Ok(bytes) => Diagnostic::at(shown, &String::from_utf8_lossy(&bytes), self.offset, self.message),
            Err(_) => Diagnostic::error(shown, self.message),
        }
    }
}

fn check_link(pages: &[Page], included: &[bool], link: &markdown::PendingLink<Target>) -> Option<LinkProblem> {
    if !included[link.target] {
        return Some(LinkProblem {
            message: format!("link `{}` points to a draft page (build with --drafts, or remove the link)", link.dest),
            offset: link.offset,
        });
    }
    anchor_problem(&pages[link.target], link)
}

/// The same check against a set of pages where one has been replaced by its edited version.
fn check_link_in(pages: &[&Page], link: &markdown::PendingLink<Target>) -> Option<LinkProblem> {
    anchor_problem(pages[link.target], link)
}

/// A link's `#anchor` must name a heading (or another id) of its target page.
fn anchor_problem(target: &Page, link: &markdown::PendingLink<Target>) -> Option<LinkProblem> {
    let anchor = link.anchor.as_deref()?;
    if anchor.is_empty() || target.headings.iter().any(|h| h.id == anchor) || target.anchors.contains(anchor) {
        return None;
    }
    let mut known: Vec<&str> = target.headings.iter().map(|h| h.id.as_str()).collect();
    known.truncate(12);
    let hint =
        if known.is_empty() { "it has no headings".to_string() } else { format!("its headings: {}", known.join(", ")) };
    Some(LinkProblem {
        message: format!(
            "link `{}`: no heading with id `{anchor}` in `{}` ({hint})",
            link.dest,
            target.source.as_deref().unwrap_or(&target.url)
        ),
        offset: link.offset,
    })
}
