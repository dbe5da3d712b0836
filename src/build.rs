//! The build pipeline, top to bottom:
//! config -> theme -> content (parse, check links, tree) -> render pages -> write -> swap.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::cache::{self, Cache};
use crate::config::{BrokenLinks, Config, ConfigError};
use crate::content::bodies::PageHtml;
use crate::content::{self, PageId, PageKind, Payload, Reserved, Site};
use crate::context::{self, BookView};
use crate::diagnostics::Diagnostic;
use crate::highlight;
use crate::i18n;
use crate::i18n::Translations;
use crate::matrix::{self, EmbedView, Views};
use crate::output::{self, Discard, Published, Sink, Staging};
use crate::redirects::{self, Redirect};
use crate::render::Renderer;
use crate::search;
use crate::sitemap;
use crate::theme::Theme;

mod render_key;

/// What to build and how.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// The handbook folder (holds book.toml).
    pub root: PathBuf,
    /// Output folder, overriding book.toml (relative paths are relative to the current folder).
    pub output: Option<PathBuf>,
    /// Include pages marked `draft = true`.
    pub drafts: bool,
    /// Check everything but write nothing.
    pub check_only: bool,
    /// Write into an output folder stagebook did not create (its files are kept, never replaced).
    pub force: bool,
    /// Broken links are warnings and the site is still written (`[build] broken_links = "warn"`).
    pub warn_links: bool,
    /// Use the build cache (`.stagebook-cache/` beside book.toml): skip a build whose inputs,
    /// settings and output are as the last one left them. The command line's default.
    pub cache: bool,
}

impl BuildOptions {
    pub fn new(root: impl Into<PathBuf>) -> BuildOptions {
        BuildOptions {
            root: root.into(),
            output: None,
            drafts: false,
            check_only: false,
            force: false,
            warn_links: false,
            cache: false,
        }
    }
}

/// A finished build.
#[derive(Debug)]
pub struct Report {
    pub pages: usize,
    pub assets: usize,
    pub elapsed: Duration,
    /// Where the site was written (as the user would type it).
    pub output: PathBuf,
    pub warnings: Vec<Diagnostic>,
}

impl Report {
    /// The one summary line: `Built 18 pages in 41 ms -> book/`, or with broken links let
    /// through (`[build] broken_links = "warn"`) `Built 883 pages with 423 link warnings in ...`.
    pub fn summary(&self, check_only: bool) -> String {
        let ms = self.elapsed.as_millis();
        let links = match self.link_warnings() {
            0 => String::new(),
            1 => " with 1 link warning".to_string(),
            n => format!(" with {n} link warnings"),
        };
        if check_only {
            let verdict = if links.is_empty() { ": no errors" } else { "" };
            format!("Checked {} pages{links} in {ms} ms{verdict}", self.pages)
        } else {
            format!("Built {} pages{links} in {ms} ms -> {}/", self.pages, self.output.display())
        }
    }

    /// Warnings about links: broken ones let through, and links that leave the content folder.
    pub fn link_warnings(&self) -> usize {
        self.warnings.iter().filter(|d| d.link).count()
    }
}

/// A failed build: every error found, plus any warnings.
#[derive(Debug)]
pub struct Failure {
    pub errors: Vec<Diagnostic>,
    pub warnings: Vec<Diagnostic>,
    /// The output folder was changed before the failure (only when a fallback swap could not
    /// undo itself); otherwise it is exactly as it was.
    pub output_changed: bool,
}

impl From<Vec<Diagnostic>> for Failure {
    fn from(all: Vec<Diagnostic>) -> Self {
        let (errors, warnings) = all.into_iter().partition(Diagnostic::is_error);
        Failure { errors, warnings, output_changed: false }
    }
}

impl From<ConfigError> for Failure {
    fn from(e: ConfigError) -> Self {
        Failure::from(e.into_diagnostics())
    }
}

/// Files every build writes besides pages, so content cannot collide with them.
const RESERVED_FILES: [&str; 2] = ["404.html", "sitemap.xml"];
/// The search page.
const SEARCH_PAGE: &str = "search/index.html";
/// Where theme files (and the generated navigation and code colours) go.
const STATIC_DIR: &str = "static";
/// Where book.toml's `additional-css` and `additional-js` files go (under their path from the
/// handbook folder).
const EXTRA_DIR: &str = "static/extra";

/// Prints how long each phase took when `STAGEBOOK_TIMINGS` is set (for benchmarking).
pub struct Phases {
    enabled: bool,
    last: Instant,
}

impl Default for Phases {
    fn default() -> Self {
        Phases::new()
    }
}

impl Phases {
    pub fn new() -> Phases {
        Phases { enabled: crate::timings::enabled(), last: Instant::now() }
    }
    pub fn done(&mut self, phase: &str) {
        if self.enabled {
            eprintln!("  {phase:<10} {:>7.1} ms", self.last.elapsed().as_secs_f64() * 1000.0);
        }
        self.last = Instant::now();
    }
    /// A figure printed with the timings (the tests tell the highlight cache's reuse by it).
    pub(crate) fn note(&self, line: &str) {
        if self.enabled {
            eprintln!("  {line}");
        }
    }
}

/// Everything loaded and checked, ready to render: what `build` writes once and `serve` keeps
/// in memory between edits.
pub struct Project {
    pub(crate) config: Config,
    pub(crate) theme: Theme,
    pub(crate) renderer: Renderer,
    /// The built-in page templates written out, when the theme uses them ([`context::StockPage`]).
    stock: Option<context::StockPage>,
    /// The interface strings in the book's language, resolved once for every page.
    pub(crate) strings: std::sync::Arc<Translations>,
    code_css: String,
    pub(crate) matrix: Option<matrix::Loaded>,
    /// The matrix's markdown, rendered once for every page that shows it.
    rendered: Option<matrix::Rendered>,
    pub(crate) site: Site,
    /// Redirect pages from old URLs (aliases, mdBook's `.html` URLs), written with the extras.
    redirects: Vec<Redirect>,
    /// The ids each generated page had when last rendered: links into it are checked
    /// against them, so its template decides which anchors exist.
    generated_ids: Mutex<HashMap<PageId, HashSet<String>>>,
    book: BookView,
    /// Every page's URL prepared for the sidebar's links (URLs never change in a Project).
    hrefs: context::PageHrefs,
    /// book.toml's `additional-css` and `additional-js` files: (output path, file).
    extra_files: Vec<(String, PathBuf)>,
    /// Warnings found by [`Project::update_page`] since [`Project::take_noted`] was last called.
    noted: Vec<Diagnostic>,
}

/// What an edit of one page changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Changed {
    /// Only this page's own output.
    Page(PageId),
    /// Its title or place changed, which every page's navigation shows.
    AllPages,
}

/// The render keys of a cached build ([`render_key`]).
struct RenderKeys<'a> {
    /// The site-wide part of every page's key.
    site: u128,
    /// What the last build rendered (none without a usable record of it).
    previous: Option<&'a cache::Reusable>,
}

/// What writing one page did: its errors, its render key (when computed, and it was written
/// or kept), and whether its old file was kept.
struct PageWritten {
    errors: Vec<Diagnostic>,
    key: Option<u128>,
    reused: bool,
}

/// What writing the pages did.
#[derive(Default)]
struct Written {
    errors: Vec<Diagnostic>,
    /// (output path, render key) of each page written or kept, when keys were computed.
    keys: Vec<(String, u128)>,
    rendered: usize,
    reused: usize,
}

impl Project {
    /// Loads config, theme, matrix and content, and checks them; `adjust` may change the
    /// configuration first (command-line overrides).
    pub(crate) fn load(root: &Path, adjust: impl FnOnce(&mut Config)) -> Result<Project, Failure> {
        let mut config = Config::load(root)?;
        adjust(&mut config);
        // book.toml's own warnings (mdBook settings set aside) come first, whatever happens.
        let noted = std::mem::take(&mut config.warnings);
        match Project::load_configured(config) {
            Ok(mut project) => {
                project.site.warnings.splice(0..0, noted);
                Ok(project)
            }
            Err(mut failure) => {
                failure.warnings.splice(0..0, noted);
                Err(failure)
            }
        }
    }

    fn load_configured(config: Config) -> Result<Project, Failure> {
        let mut phases = Phases::new();

        // Theme and templates first; when they fail the pages are still read below, for
        // their warnings and errors, so one run reports everything.
        let themed = load_theme(&config);
        phases.done("theme");

        // The matrix next: its generated pages join the content's navigation and link checks.
        let matrix = matrix::load(&config);
        let english;
        let strings = match &themed {
            Ok(themed) => &themed.3,
            Err(_) => {
                english = Translations::english();
                &english
            }
        };
        let generated = match &matrix {
            Ok(m) => m.as_ref().map(|m| matrix::generated_pages(&m.matrix, strings)).unwrap_or_default(),
            Err(_) => Vec::new(),
        };
        let mut reserved = Reserved {
            urls: RESERVED_FILES.iter().map(|s| s.to_string()).collect(),
            dirs: vec![STATIC_DIR.to_string(), search::DIR.to_string()],
        };
        reserved.urls.extend(generated.iter().map(|g| g.url.clone()));
        let site = match (themed, matrix) {
            (Ok(themed), Ok(matrix)) => content::load(&config, &reserved, generated).map(|site| (themed, matrix, site)),
            (themed, matrix) => {
                // The pages are still read, so their warnings (and, with a matrix to check
                // links against, their errors) are reported with the first failure.
                let (mut errors, mut warnings): (Vec<_>, Vec<_>) =
                    themed.err().unwrap_or_default().into_iter().partition(Diagnostic::is_error);
                let found = match content::load(&config, &reserved, generated) {
                    Ok(site) => site.warnings,
                    Err(all) => all,
                };
                let (content_errors, content_warnings): (Vec<_>, Vec<_>) =
                    found.into_iter().partition(Diagnostic::is_error);
                warnings.extend(content_warnings);
                match matrix {
                    Ok(_) => errors.extend(content_errors),
                    Err(matrix_errors) => errors.extend(matrix_errors),
                }
                return Err(Failure { errors, warnings, output_changed: false });
            }
        };
        let ((theme, renderer, code_css, strings, string_warnings), matrix, mut site) = site?;
        site.warnings.extend(string_warnings);
        let fail = |f: Failure, site: &Site| Failure { warnings: [f.warnings, site.warnings.clone()].concat(), ..f };
        let redirects = collect_redirects(&config, &site).map_err(|f| fail(f, &site))?;
        check_collisions(&config, &theme, &site, &redirects).map_err(|f| fail(f, &site))?;
        check_templates(&site, &renderer).map_err(|f| fail(f, &site))?;
        let extra_files = additional_files(&config).map_err(|e| fail(Failure::from(e), &site))?;
        resolve_embeds(&config, &mut site, matrix.as_ref()).map_err(|f| fail(f, &site))?;
        let rendered = match &matrix {
            Some(m) => {
                let (mut rendered, found) = matrix::Rendered::build(m, &config.markdown, &|dest| site.locate(dest));
                rendered.numbers = crate::numbers::Numbers::for_language(&config.book.language);
                let (errors, warnings): (Vec<_>, Vec<_>) =
                    found.into_iter().map(|d| config.link_severity(d)).partition(Diagnostic::is_error);
                site.warnings.extend(warnings);
                if !errors.is_empty() {
                    return Err(Failure { errors, warnings: site.warnings, output_changed: false });
                }
                Some(rendered)
            }
            None => None,
        };
        let extra_urls = config
            .additional_files()
            .map(|files| files.into_iter().map(|(_, rel, _)| format!("{EXTRA_DIR}/{rel}")).collect::<Vec<_>>());
        let mut book = BookView::new(&config, extra_urls);
        book.direction = strings.direction().as_str();
        let hrefs = context::PageHrefs::new(&site.pages);
        let stock = context::StockPage::new(&renderer, strings.clone(), &book.title);
        phases.done("content");
        let generated_ids = Mutex::default();
        let noted = Vec::new();
        Ok(Project {
            config,
            theme,
            renderer,
            stock,
            strings,
            code_css,
            matrix,
            rendered,
            site,
            redirects,
            generated_ids,
            book,
            hrefs,
            extra_files,
            noted,
        })
    }

    /// The matrix views as the page at `url` shows them.
    fn views<'a>(&'a self, url: &'a str) -> Option<Views<'a>> {
        match (&self.matrix, &self.rendered) {
            (Some(m), Some(r)) => Some(Views { m: &m.matrix, r, page: url, s: &self.strings }),
            _ => None,
        }
    }

    /// Page `i`'s HTML with the matrix views its shortcodes show put in, and the errors found
    /// rendering those.
    fn page_content(&self, i: PageId) -> (PageHtml<'_>, Vec<Diagnostic>) {
        let page = &self.site.pages[i];
        let mut errors = Vec::new();
        let html = self.site.page_html(i);
        let content = match (self.views(&page.url), embeds_of(page)) {
            (Some(views), Some(embeds)) => {
                PageHtml::Owned(self.with_embeds(&html, embeds, &views, &mut errors).into_owned())
            }
            _ => html,
        };
        (content, errors)
    }

    /// Renders page `i` through its template with `content` ([`Project::page_content`]).
    fn render_content(&self, i: PageId, content: &str, mut errors: Vec<Diagnostic>) -> Result<String, Vec<Diagnostic>> {
        let site = &self.site;
        let url = &site.pages[i].url;
        let ctx = context::page_context(site, &self.hrefs, &self.book, self.config.base_url(), i, content);
        // The page is its content and sidebar in about 8 KiB of template.
        let size = content.len() + ctx.nav_html.len() + 8 * 1024;
        let template = template_for(site, i);
        let view = matrix::View::of(&site.pages[i]);
        if let Some(html) = self.stock.as_ref().filter(|_| view.is_none()).and_then(|s| s.render(template, &ctx, size))
        {
            return if errors.is_empty() { Ok(html) } else { Err(errors) };
        }
        let mut ctx = tera::Context::from_serialize(&ctx).expect("page context serialises to an object");
        if let (Some(views), Some(view)) = (self.views(url), view) {
            let data = matrix::page_data(views, view);
            ctx.extend(tera::Context::from_serialize(&data).expect("matrix data serialises to an object"));
        }
        match self.renderer.render_sized(template, &ctx, size) {
            Ok(html) if errors.is_empty() => Ok(html),
            Ok(_) => Err(errors),
            Err(d) => {
                errors.push(d);
                Err(errors)
            }
        }
    }

    /// Renders pages in parallel into `sink`; returns every error (each reported once). Links
    /// into the generated pages among them are checked against the ids they were rendered with
    /// (with `[build] broken_links = "warn"`, those come back as warnings among the errors).
    pub(crate) fn write_pages(&self, pages: &[PageId], sink: &dyn Sink, shown_output: &Path) -> Vec<Diagnostic> {
        self.write_pages_keyed(pages, sink, shown_output, None).errors
    }

    /// [`Project::write_pages`], with render keys when `keys` is given: each page's key is
    /// computed, and a page the last build rendered from the same key into a file still as it
    /// left it is not rendered again (the sink keeps that file, when it can).
    fn write_pages_keyed(
        &self,
        pages: &[PageId],
        sink: &dyn Sink,
        shown_output: &Path,
        keys: Option<&RenderKeys>,
    ) -> Written {
        let ids = Mutex::new(HashMap::new());
        let write = |i: PageId| {
            let page = &self.site.pages[i];
            let url = &page.url;
            let (content, errors) = self.page_content(i);
            // Generated pages have no key: their ids are needed for the link checks.
            let key = match keys {
                Some(k) if page.generated.is_none() && errors.is_empty() => {
                    Some(render_key::page(self, k.site, i, &content))
                }
                _ => None,
            };
            let unchanged = match (keys.and_then(|k| k.previous), key) {
                (Some(previous), Some(key)) => previous.unchanged(url, key),
                _ => false,
            };
            if unchanged && sink.reuse(url) {
                return PageWritten { errors: Vec::new(), key, reused: true };
            }
            match self.render_content(i, &content, errors) {
                Ok(html) => {
                    if page.generated.is_some() {
                        let found = crate::markdown::element_ids(&html).into_iter().collect();
                        ids.lock().expect("no panics while holding it").insert(i, found);
                    }
                    let errors: Vec<Diagnostic> = sink
                        .write_owned(url, html.into_bytes())
                        .err()
                        .map(|e| write_error(shown_output, url, e))
                        .into_iter()
                        .collect();
                    let key = key.filter(|_| errors.is_empty());
                    PageWritten { errors, key, reused: false }
                }
                Err(errors) => PageWritten { errors, key: None, reused: false },
            }
        };
        let outcomes: Vec<PageWritten> = pages
            .par_iter()
            .map(|&i| {
                let written = write(i);
                self.site.page_rendered(i);
                written
            })
            .collect();
        let mut written = Written::default();
        let mut errors = Vec::new();
        for (&i, page) in pages.iter().zip(outcomes) {
            errors.extend(page.errors);
            written.keys.extend(page.key.map(|k| (self.site.pages[i].url.clone(), k)));
            if page.reused {
                written.reused += 1;
            } else {
                written.rendered += 1;
            }
        }
        let mut errors = dedupe(errors);
        let ids = ids.into_inner().expect("no panics while holding it");
        if !ids.is_empty() {
            let found = self.check_rendered_anchors(&ids, None);
            errors.extend(found.into_iter().map(|d| self.config.link_severity(d)));
            self.generated_ids.lock().expect("no panics while holding it").extend(ids);
        }
        written.errors = errors;
        written
    }

    /// Links (from page `from`, or from everywhere) into generated pages, checked against the
    /// ids those pages were rendered with.
    fn check_rendered_anchors(&self, ids: &HashMap<PageId, HashSet<String>>, from: Option<PageId>) -> Vec<Diagnostic> {
        let mut errors = self.site.check_rendered_anchors(&self.config, ids, from);
        if let (Some(m), Some(r), None) = (&self.matrix, &self.rendered, from) {
            errors.extend(r.check_rendered_anchors(m, ids));
        }
        errors
    }

    /// Loads the handbook in `root` as `book.toml` says (the tests' entry point).
    pub fn open(root: &Path) -> Result<Project, Failure> {
        Project::load(root, |_| {})
    }

    /// The search index files and a record of what they hold, whether or not search is on
    /// (tests/search_format.rs compares the record with what search.js decodes).
    pub fn search_recorded(&self) -> (Vec<(String, Vec<u8>)>, search::Record) {
        search::build_recorded(&self.config, &self.site, self.matrix.as_ref().map(|m| &m.matrix))
    }

    /// The keys the browser's search looks up for the query `text` (tests/search_i18n.rs
    /// compares them with what the theme's search.js makes of the same text).
    pub fn search_terms(&self, text: &str) -> Vec<String> {
        crate::words::query_terms(&crate::words::analyzer(&self.config), text)
    }

    /// The search index files (none when search is off).
    pub fn search_index(&self) -> Vec<(String, Vec<u8>)> {
        if !self.config.search.enabled {
            return Vec::new();
        }
        search::build(&self.config, &self.site, self.matrix.as_ref().map(|m| &m.matrix)).0
    }

    /// The files besides pages and the search index: 404 and search pages, navigation data,
    /// code colours, sitemap, theme files. The index is left out: it follows page text only, and
    /// `serve` calls this when a theme file is saved.
    pub fn extras(&self) -> (Vec<(String, Vec<u8>)>, Vec<Diagnostic>) {
        let mut errors = Vec::new();
        let mut extra: Vec<(String, Vec<u8>)> = Vec::new();
        let base_url = self.config.base_url();
        // The 404 page is shown at any address: it reaches the site through a <base href>, the
        // site's URL or, from mdBook's book.toml, the path it is served under.
        let site_url = self.config.output.html.site_url.as_ref().map(|u| u.get_ref().as_str());
        let not_found_base = if base_url.is_empty() { site_url.unwrap_or("") } else { base_url };
        let title = self.strings.ui_plain("not_found_title", None, &[]);
        let not_found =
            context::standalone_context(&self.site, &self.hrefs, &self.book, not_found_base, "404.html", &title, "404");
        match self.renderer.render("404.html", &tera::Context::from_serialize(not_found).expect("serialises")) {
            Ok(html) => extra.push(("404.html".into(), html.into_bytes())),
            Err(d) => errors.push(d),
        }
        extra.push((format!("{STATIC_DIR}/toc.js"), context::toc_js(&self.site).into_bytes()));
        let strings = i18n::script::for_book(&self.strings);
        extra.push((format!("{STATIC_DIR}/{}", i18n::script::STRINGS_JS), strings.into_bytes()));
        extra.push((format!("{STATIC_DIR}/highlight.css"), self.code_css.clone().into_bytes()));
        if !base_url.is_empty() {
            extra.push(("sitemap.xml".into(), sitemap::sitemap(base_url, &self.site).into_bytes()));
        }
        if self.config.search.enabled {
            let title = self.strings.ui_plain("search_title", None, &[]);
            let page = context::standalone_context(
                &self.site,
                &self.hrefs,
                &self.book,
                base_url,
                SEARCH_PAGE,
                &title,
                "search",
            );
            match self.renderer.render("search.html", &tera::Context::from_serialize(page).expect("serialises")) {
                Ok(html) => extra.push((SEARCH_PAGE.into(), html.into_bytes())),
                Err(d) => errors.push(d),
            }
        }
        for (url, source) in &self.extra_files {
            match std::fs::read(source) {
                Ok(bytes) => extra.push((url.clone(), bytes)),
                Err(e) => errors.push(Diagnostic::error(source.clone(), format!("cannot read: {e}"))),
            }
        }
        extra.extend(self.redirects.iter().map(|r| (r.from.clone(), redirects::page(r, &self.strings).into_bytes())));
        for (rel, file) in &self.theme.statics {
            match file.source.read() {
                Ok(bytes) => {
                    extra.push((format!("{STATIC_DIR}/{rel}"), crate::theme::published(rel, bytes).into_owned()))
                }
                Err(e) => errors.push(Diagnostic::error(file.shown.clone(), format!("cannot read: {e}"))),
            }
        }
        (extra, errors)
    }

    /// Writes the whole site (pages, extras, copied files) into `sink`.
    pub fn write_all(&self, sink: &dyn Sink, shown_output: &Path, phases: &mut Phases) -> Vec<Diagnostic> {
        self.write_all_keyed(sink, shown_output, phases, None).errors
    }

    /// [`Project::write_all`], the pages with render keys when `keys` is given
    /// ([`Project::write_pages_keyed`]).
    fn write_all_keyed(
        &self,
        sink: &dyn Sink,
        shown_output: &Path,
        phases: &mut Phases,
        keys: Option<&RenderKeys>,
    ) -> Written {
        let all: Vec<PageId> = self.site.pages.ids().collect();
        // The search index needs no rendered page: build it alongside, so its work fills the
        // gaps while page writes wait on the file system. Its files go out as they are made.
        let index_errors = std::sync::Mutex::new(Vec::new());
        let emit = |rel: String, bytes: Vec<u8>| {
            if let Err(e) = sink.write(&rel, &bytes) {
                index_errors.lock().unwrap_or_else(|e| e.into_inner()).push(write_error(shown_output, &rel, e));
            }
        };
        let index = || {
            if self.config.search.enabled {
                self.site.wait_for_room();
                search::build_into(&self.config, &self.site, self.matrix.as_ref().map(|m| &m.matrix), &emit);
            }
        };
        let pages = || {
            let started = Instant::now();
            (self.write_pages_keyed(&all, sink, shown_output, keys), started.elapsed())
        };
        let ((mut written, pages_took), ()) = rayon::join(pages, index);
        let errors = &mut written.errors;
        errors.extend(index_errors.into_inner().unwrap_or_else(|e| e.into_inner()));
        phases.done("render");
        if keys.is_some() {
            phases.note(&format!("pages: {} rendered, {} reused", written.rendered, written.reused));
            phases.note(&format!("pages took {:.1} ms", pages_took.as_secs_f64() * 1000.0));
        }
        let (extra, extra_errors) = self.extras();
        errors.extend(extra_errors);
        let write_errors: Vec<Diagnostic> = extra
            .into_par_iter()
            .filter_map(|(rel, bytes)| sink.write_owned(&rel, bytes).err().map(|e| write_error(shown_output, &rel, e)))
            .collect();
        errors.extend(write_errors);
        let copy_errors: Vec<Diagnostic> = self
            .site
            .assets
            .par_iter()
            .filter_map(|a| sink.copy(&a.url, &a.source).err().map(|e| write_error(shown_output, &a.url, e)))
            .collect();
        errors.extend(copy_errors);
        phases.done("extras");
        written
    }

    /// Re-reads one edited markdown file. `Ok(None)`: the edit changes the site's structure
    /// (a new or deleted file, a page turned into a draft), so load everything again.
    pub fn update_page(&mut self, rel: &str) -> Result<Option<Changed>, Vec<Diagnostic>> {
        let Some(i) = self.site.page_by_source(rel) else { return Ok(None) };
        let change = match self.site.reload_page(&self.config, i, &mut self.noted)? {
            None => return Ok(None),
            Some(content::Reloaded::Body) => Changed::Page(i),
            Some(content::Reloaded::Navigation) => Changed::AllPages,
        };
        if let Some(d) = missing_template(&self.site.pages[i], &self.renderer) {
            return Err(vec![d]);
        }
        // Its links into generated pages, and the data file's links into it.
        let ids = self.generated_ids.lock().expect("no panics while holding it");
        let mut errors = self.check_rendered_anchors(&ids, Some(i));
        drop(ids);
        if let (Some(m), Some(r)) = (&self.matrix, &self.rendered) {
            errors.extend(r.recheck(m, &|dest| self.site.locate(dest), i));
        }
        let (errors, let_through): (Vec<_>, Vec<_>) =
            errors.into_iter().map(|d| self.config.link_severity(d)).partition(Diagnostic::is_error);
        if !errors.is_empty() {
            return Err(errors);
        }
        self.noted.extend(let_through);
        let resolved = page_embeds(&self.config, &self.site, i, self.matrix.as_ref())?;
        self.site.pages[i].resolved_embeds = resolved;
        Ok(Some(change))
    }

    pub(crate) fn shown_output(&self) -> PathBuf {
        shown_output(&self.config)
    }

    /// The warnings [`Project::update_page`] found since the last call (for `serve` to show).
    pub(crate) fn take_noted(&mut self) -> Vec<Diagnostic> {
        std::mem::take(&mut self.noted)
    }

    /// Puts the rendered views of a page's shortcodes in place of their markers.
    fn with_embeds<'a>(
        &self,
        html: &'a str,
        embeds: &[EmbedView],
        views: &Views,
        errors: &mut Vec<Diagnostic>,
    ) -> std::borrow::Cow<'a, str> {
        let mut out = html.to_string();
        for (n, view) in embeds.iter().enumerate() {
            let data = matrix::embed_data(views, *view);
            let mut ctx = tera::Context::new();
            ctx.insert("embed", &data);
            ctx.insert("root", &crate::content::paths::root_prefix(views.page));
            match self.renderer.render(view.template(), &ctx) {
                Ok(rendered) => out = out.replacen(&crate::markdown::embed_marker(n), &rendered, 1),
                Err(d) => errors.push(d),
            }
        }
        std::borrow::Cow::Owned(out)
    }
}

/// Builds (or, with `check_only`, checks) the handbook.
pub fn build(options: &BuildOptions) -> Result<Report, Failure> {
    build_then(options, drop)
}

/// [`build`] for a process that ends right after it (the command line): the pages, kept
/// until the site is written, are left to the operating system instead of freed one
/// allocation at a time (a hundredth of a 10,000-page build).
pub fn build_to_exit(options: &BuildOptions) -> Result<Report, Failure> {
    build_then(options, std::mem::forget)
}

/// [`build`], handing the project to `dispose` once its pages are written.
fn build_then(options: &BuildOptions, dispose: fn(Project)) -> Result<Report, Failure> {
    let started = Instant::now();
    let (mut cache, cache_warning) = if options.cache { open_cache(options) } else { (None, None) };
    if let Some((hit, shown_output)) = cache.as_ref().and_then(|(c, shown)| Some((c.hit()?, shown.clone()))) {
        // Said with the phase timings: the tests and benchmarks tell a skipped build by it.
        Phases::new().done("cache hit");
        let cache::Hit { pages, assets, warnings } = hit;
        return Ok(Report { pages, assets, elapsed: started.elapsed(), output: shown_output, warnings });
    }
    let highlights = cache.as_mut().map(|(c, _)| c.highlights()).unwrap_or_default();
    // An output folder inside the sources hides them from the content walk, so its errors
    // (broken links...) would only be symptoms: the location is checked first and reported alone.
    let mut location = Ok(());
    let mut memo_opened = std::time::Duration::ZERO;
    let loaded = Project::load(&options.root, |config| {
        configure(options, config);
        config.markdown.highlights = highlights.clone();
        // The project ends with this build: its index is built once.
        config.one_shot = true;
        if let Some((c, _)) = &cache {
            let opening = Instant::now();
            config.parsed = c.parse_memo(config);
            memo_opened = opening.elapsed();
        }
        if !options.check_only {
            location = output::location::check(config, &shown_output(config));
        }
    });
    let with_cache_warning = |mut warnings: Vec<Diagnostic>| {
        warnings.extend(cache_warning.clone());
        warnings
    };
    if let Err(d) = location {
        let warnings = loaded.map(|p| p.site.warnings).unwrap_or_else(|f| f.warnings);
        return Err(Failure { errors: vec![d], warnings: with_cache_warning(warnings), output_changed: false });
    }
    let mut project = loaded.map_err(|f| Failure { warnings: with_cache_warning(f.warnings), ..f })?;
    let mut phases = Phases::new();
    let shown_output = project.shown_output();
    let staging = if options.check_only {
        None
    } else {
        Some(Staging::new(&project.config.output_dir(), options.force).map_err(|e| Failure {
            errors: vec![Diagnostic::error(shown_output.clone(), e.to_string())],
            warnings: with_cache_warning(project.site.warnings.clone()),
            output_changed: false,
        })?)
    };
    let sink: &dyn Sink = match &staging {
        Some(s) => s,
        None => &Discard,
    };
    // A cached build keys its pages, reusing what the last one rendered where it can.
    let keyed = Instant::now();
    let reusable = cache.as_ref().and_then(|(c, _)| c.reusable());
    let identity = cache.as_ref().filter(|_| !options.check_only).and_then(|_| cache::binary_identity());
    let keys = identity.map(|id| RenderKeys { site: render_key::site(&project, id), previous: reusable.as_ref() });
    if keys.is_some() {
        phases.note(&format!(
            "render keys: the last build's read and the site part in {:.1} ms",
            keyed.elapsed().as_secs_f64() * 1000.0
        ));
    }
    let written = project.write_all_keyed(sink, &shown_output, &mut phases, keys.as_ref());
    let rendered_keys = written.keys;
    let (errors, late_warnings): (Vec<_>, Vec<_>) = written.errors.into_iter().partition(Diagnostic::is_error);
    let includes: Vec<PathBuf> = project.site.pages.iter().flat_map(|p| p.includes.iter().cloned()).collect();
    let (pages, assets) = (project.site.pages.len(), project.site.assets.len());
    let mut warnings = std::mem::take(&mut project.site.warnings);
    let parsed = project.config.parsed.clone();
    dispose(project);
    warnings.extend(late_warnings);
    if !errors.is_empty() {
        return Err(Failure { errors, warnings: with_cache_warning(warnings), output_changed: false });
    }
    // What a build skipped next time reports: not the leftovers of this publish.
    let recorded = warnings.clone();
    let mut previous = None;
    if let Some(staging) = staging {
        match staging.commit() {
            Ok(Published::Unchanged) => {}
            Ok(Published::Replaced { warnings: w, previous: p }) => {
                warnings.extend(w.into_iter().map(|m| Diagnostic::error(shown_output.clone(), m).warning()));
                previous = p;
            }
            Err(e) => {
                let output_changed = e.output_changed();
                let errors = vec![Diagnostic::error(shown_output.clone(), e.to_string())];
                return Err(Failure { errors, warnings: with_cache_warning(warnings), output_changed });
            }
        }
    }
    phases.done("publish");
    // The old site goes while the cache records the new one (see `output::Previous`).
    let remove_previous = || previous.and_then(output::Previous::remove);
    let left_over = |w: Option<String>| w.map(|m| Diagnostic::error(shown_output.clone(), m).warning());
    if let Some((cache, _)) = cache {
        let rendered = keys.is_some().then_some(&rendered_keys[..]);
        let (stored, removed) =
            rayon::join(|| cache.store(includes, pages, assets, &recorded, rendered, &parsed), remove_previous);
        warnings.extend(left_over(removed));
        warnings.extend(stored);
        phases.done("cache");
        let (reused, highlighted) = highlights.counts();
        phases.note(&format!("code blocks: {reused} reused, {highlighted} highlighted"));
        let (recalled, parsed) = parsed.counts();
        phases.note(&format!("parse memo: {recalled} pages recalled, {parsed} parsed"));
        phases.note(&format!("parse memo opened in {:.1} ms", memo_opened.as_secs_f64() * 1000.0));
    } else {
        warnings.extend(left_over(remove_previous()));
    }
    let warnings = with_cache_warning(warnings);
    Ok(Report { pages, assets, elapsed: started.elapsed(), output: shown_output, warnings })
}

/// The command line's overrides of book.toml.
fn configure(options: &BuildOptions, config: &mut Config) {
    if let Some(out) = &options.output {
        config.build.output = std::env::current_dir().map(|d| d.join(out)).unwrap_or_else(|_| out.clone());
    }
    config.build.drafts |= options.drafts;
    if options.warn_links {
        config.build.broken_links = BrokenLinks::Warn;
    }
}

/// The build cache with the inputs hashed, and the output folder as shown; or the warning
/// saying why the build goes without it. A book.toml that does not load has no cache: the
/// build reports why.
fn open_cache(options: &BuildOptions) -> (Option<(Cache, PathBuf)>, Option<Diagnostic>) {
    let Ok(mut config) = Config::load(&options.root) else { return (None, None) };
    configure(options, &mut config);
    let mut phases = Phases::new();
    let mode = if options.check_only {
        cache::Mode::Check
    } else {
        cache::Mode::Build { output: crate::abspath::absolute(&config.output_dir()), force: options.force }
    };
    let opened = Cache::open(&config, mode);
    phases.done("cache");
    match opened {
        Ok(c) => (Some((c, shown_output(&config))), None),
        Err(warning) => (None, Some(warning)),
    }
}

/// The output folder as the user would type it.
fn shown_output(config: &Config) -> PathBuf {
    let o = config.output_dir();
    o.strip_prefix(".").map(Path::to_path_buf).unwrap_or(o)
}

/// Checks every shortcode against the matrix and keeps, with each page, the views its
/// shortcodes show.
fn resolve_embeds(config: &Config, site: &mut Site, matrix: Option<&matrix::Loaded>) -> Result<(), Failure> {
    let mut errors = Vec::new();
    let ids: Vec<PageId> = site.pages.ids().collect();
    for i in ids {
        match page_embeds(config, site, i, matrix) {
            Ok(resolved) => site.pages[i].resolved_embeds = resolved,
            Err(e) => errors.extend(e),
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Failure::from(errors))
    }
}

/// The views a page's shortcodes were resolved to ([`resolve_embeds`]), if it has any.
fn embeds_of(page: &content::Page) -> Option<&[EmbedView]> {
    page.resolved_embeds.as_ref().and_then(|p| p.get::<Vec<EmbedView>>()).map(Vec::as_slice)
}

/// The views page `i`'s shortcodes show (none: no payload), or an error at each one that names nothing.
fn page_embeds(
    config: &Config,
    site: &Site,
    i: PageId,
    matrix: Option<&matrix::Loaded>,
) -> Result<Option<Payload>, Vec<Diagnostic>> {
    let mut errors = Vec::new();
    let views: Vec<EmbedView> = site.pages[i]
        .embeds
        .iter()
        .filter_map(|e| match matrix::resolve_embed(matrix.map(|m| &m.matrix), e) {
            Ok(v) => Some(v),
            Err(message) => {
                errors.push(site.error_in(config, i, e.offset, message));
                None
            }
        })
        .collect();
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok((!views.is_empty()).then(|| Payload::new(views)))
}

fn template_for(site: &Site, i: PageId) -> &str {
    let page = &site.pages[i];
    if let Some(view) = matrix::View::of(page) {
        return view.template();
    }
    match (&page.template, page.kind) {
        (Some((name, _)), _) => name,
        (None, PageKind::Home) => "index.html",
        (None, PageKind::Section) => "section.html",
        (None, PageKind::Page) => "page.html",
    }
}

/// Front matter `template = "..."` must name a template the theme has.
fn check_templates(site: &Site, renderer: &Renderer) -> Result<(), Failure> {
    let errors: Vec<Diagnostic> = site.pages.iter().filter_map(|p| missing_template(p, renderer)).collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Failure::from(errors))
    }
}

/// An error at the page's `template = "..."` when the theme has no such template.
fn missing_template(page: &content::Page, renderer: &Renderer) -> Option<Diagnostic> {
    let (name, at) = page.template.as_ref()?;
    if renderer.has_template(name) {
        return None;
    }
    let mut d = at.clone();
    d.message = format!("no template `{name}` in the theme (available: {})", renderer.template_names().join(", "));
    Some(d)
}

/// The site's redirect pages (see [`redirects::collect`]); one the handbook asked for that would
/// replace a page, a copied file or a file stagebook generates is an error naming both.
fn collect_redirects(config: &Config, site: &Site) -> Result<Vec<Redirect>, Failure> {
    let mut taken: HashMap<&str, String> = HashMap::new();
    for page in &site.pages {
        let what = match &page.source {
            Some(source) => format!("the page made from `{}`", content::shown_path(config, source).display()),
            None => format!("the page `{}`", page.url),
        };
        taken.insert(&page.url, what);
    }
    for asset in &site.assets {
        taken.insert(&asset.url, format!("the file `{}`", content::shown_path(config, &asset.url).display()));
    }
    for rel in RESERVED_FILES.iter().copied().chain([SEARCH_PAGE]) {
        taken.insert(rel, format!("`{rel}`, which stagebook generates"));
    }
    let owned_dirs = [STATIC_DIR, search::DIR];
    let is_taken = |path: &str| {
        taken.get(path).cloned().or_else(|| {
            let dir = owned_dirs.iter().find(|d| path.starts_with(&format!("{d}/")))?;
            Some(format!("the folder `{dir}/`, which stagebook generates"))
        })
    };
    let from_config = config.mdbook_redirects();
    redirects::collect(config, site, config.is_mdbook(), from_config, &is_taken).map_err(Failure::from)
}

/// Two outputs that would be one file on a case-insensitive or Unicode-normalising file
/// system (where the site may be deployed) are an error naming both sources.
fn check_collisions(config: &Config, theme: &Theme, site: &Site, redirects: &[Redirect]) -> Result<(), Failure> {
    use output::collide::{clashes, Output};
    let statics: Vec<String> = theme.statics.keys().map(|rel| format!("{STATIC_DIR}/{rel}")).collect();
    let mut outputs: Vec<Output> = Vec::new();
    for page in &site.pages {
        let at = content::shown_path(config, page.source.as_deref().unwrap_or(&page.dir));
        let source = match (&page.source, &page.generated) {
            (Some(_), _) => format!("`{}`", at.display()),
            (None, Some(_)) => format!("the generated page `{}`", page.url),
            (None, None) => format!("the folder `{}/`", at.display()),
        };
        outputs.push(Output { path: &page.url, source, at });
    }
    for asset in &site.assets {
        let at = content::shown_path(config, &asset.url);
        outputs.push(Output { path: &asset.url, source: format!("`{}`", at.display()), at });
    }
    for rel in RESERVED_FILES.iter().copied().chain([SEARCH_PAGE]) {
        let source = format!("`{rel}`, which stagebook generates");
        outputs.push(Output { path: rel, source, at: config.content_dir() });
    }
    for rel in &statics {
        outputs.push(Output { path: rel, source: format!("the theme's `{rel}`"), at: config.content_dir() });
    }
    for r in redirects {
        outputs.push(Output {
            path: &r.from,
            source: format!("the redirect page `{}`", r.from),
            at: config.content_dir(),
        });
    }
    let errors: Vec<Diagnostic> = clashes(&outputs)
        .into_iter()
        .map(|(a, b)| {
            Diagnostic::error(
                b.at.clone(),
                format!(
                    "{} and {} would be written to `{}` and `{}`: one file on case-insensitive or \
                     Unicode-normalising file systems (macOS, Windows, many hosts); rename one of them",
                    a.source, b.source, a.path, b.path
                ),
            )
        })
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Failure::from(errors))
    }
}

fn write_error(output: &Path, rel: &str, e: std::io::Error) -> Diagnostic {
    Diagnostic::error(output.join(rel), format!("cannot write: {e}"))
}

/// book.toml's `additional-css` and `additional-js` files, as (output path, file): each must
/// exist inside the handbook folder (a symbolic link out of it would publish a file of the
/// build machine).
fn additional_files(config: &Config) -> Result<Vec<(String, PathBuf)>, Vec<Diagnostic>> {
    let root = config.root.canonicalize().unwrap_or_else(|_| config.root.clone());
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for (path, rel, span) in config.additional_files().into_iter().flatten() {
        match path.canonicalize() {
            Ok(real) if real.starts_with(&root) && real.is_file() => files.push((format!("{EXTRA_DIR}/{rel}"), path)),
            Ok(real) if real.starts_with(&root) => errors.push(config.error_at(span, format!("`{rel}` is not a file"))),
            Ok(_) => errors.push(config.error_at(span, format!("`{rel}` leads out of the handbook folder"))),
            Err(e) => errors.push(config.error_at(span, format!("cannot read `{rel}`: {e}"))),
        }
    }
    if errors.is_empty() {
        Ok(files)
    } else {
        Err(errors)
    }
}

/// The theme, its templates and the code colours: every error found in them.
/// The theme, its templates, the code colours and the interface strings (with their warnings).
type Themed = (Theme, Renderer, String, std::sync::Arc<Translations>, Vec<Diagnostic>);

fn load_theme(config: &Config) -> Result<Themed, Vec<Diagnostic>> {
    let theme = Theme::load(config)?;
    let (strings, warnings) = Translations::load(&config.book.language, &theme)?;
    let strings = std::sync::Arc::new(strings);
    let renderer = Renderer::with_strings(&theme, strings.clone())?;
    let code_css =
        highlight::stylesheet(config.theme.code_light.get_ref(), config.theme.code_dark.get_ref()).map_err(|e| {
            let span = if config.theme.code_light.get_ref() == &e.name {
                config.theme.code_light.span()
            } else {
                config.theme.code_dark.span()
            };
            vec![config.error_at(span, e.to_string())]
        })?;
    Ok((theme, renderer, code_css, strings, warnings))
}

/// A broken base template fails every page the same way: report it once.
fn dedupe(errors: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let mut seen = BTreeSet::new();
    errors.into_iter().filter(|d| seen.insert(d.render(false))).collect()
}

#[cfg(test)]
mod stock_page_tests;
