//! The build pipeline, top to bottom:
//! config -> theme -> content (parse, check links, tree) -> render pages -> write -> swap.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::config::{Config, ConfigError};
use crate::content::{self, PageKind, Reserved, Site};
use crate::context::{self, BookView};
use crate::diagnostics::Diagnostic;
use crate::highlight;
use crate::matrix::{self, views, views::EmbedView};
use crate::output::{Discard, Sink, Staging};
use crate::render::Renderer;
use crate::sitemap;
use crate::theme::Theme;

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
}

impl BuildOptions {
    pub fn new(root: impl Into<PathBuf>) -> BuildOptions {
        BuildOptions { root: root.into(), output: None, drafts: false, check_only: false }
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
    /// The one summary line: `Built 18 pages in 41 ms -> book/`.
    pub fn summary(&self, check_only: bool) -> String {
        let ms = self.elapsed.as_millis();
        if check_only {
            format!("Checked {} pages in {ms} ms: no errors", self.pages)
        } else {
            format!("Built {} pages in {ms} ms -> {}/", self.pages, self.output.display())
        }
    }
}

/// A failed build: every error found, plus any warnings.
#[derive(Debug)]
pub struct Failure {
    pub errors: Vec<Diagnostic>,
    pub warnings: Vec<Diagnostic>,
}

impl From<Vec<Diagnostic>> for Failure {
    fn from(all: Vec<Diagnostic>) -> Self {
        let (errors, warnings) = all.into_iter().partition(Diagnostic::is_error);
        Failure { errors, warnings }
    }
}

impl From<ConfigError> for Failure {
    fn from(e: ConfigError) -> Self {
        Failure::from(e.into_diagnostics())
    }
}

/// Files every build writes besides pages, so content cannot collide with them.
const RESERVED_FILES: [&str; 2] = ["404.html", "sitemap.xml"];
/// Where theme files (and the generated navigation and code colours) go.
const STATIC_DIR: &str = "static";

/// Prints how long each phase took when `STAGEBOOK_TIMINGS` is set (for benchmarking).
struct Phases {
    enabled: bool,
    last: Instant,
}

impl Phases {
    fn new() -> Phases {
        Phases { enabled: std::env::var_os("STAGEBOOK_TIMINGS").is_some(), last: Instant::now() }
    }
    fn done(&mut self, phase: &str) {
        if self.enabled {
            eprintln!("  {phase:<10} {:>7.1} ms", self.last.elapsed().as_secs_f64() * 1000.0);
        }
        self.last = Instant::now();
    }
}

/// Builds (or, with `check_only`, checks) the handbook.
pub fn build(options: &BuildOptions) -> Result<Report, Failure> {
    let started = Instant::now();
    let mut phases = Phases::new();
    let mut config = Config::load(&options.root)?;
    if let Some(out) = &options.output {
        config.build.output = std::env::current_dir().map(|d| d.join(out)).unwrap_or_else(|_| out.clone());
    }
    config.build.drafts |= options.drafts;
    check_output_location(&config)?;

    // Theme and templates first: a broken template fails fast, before any page work.
    let theme = Theme::load(&config)?;
    let renderer = Renderer::new(&theme)?;
    let code_css =
        highlight::stylesheet(config.theme.code_light.get_ref(), config.theme.code_dark.get_ref()).map_err(|e| {
            let span = if config.theme.code_light.get_ref() == &e.name {
                config.theme.code_light.span()
            } else {
                config.theme.code_dark.span()
            };
            Failure::from(vec![config.error_at(span, e.to_string())])
        })?;

    phases.done("theme");

    // The matrix first: its generated pages join the content's navigation and link checks.
    let matrix = matrix::load(&config)?;
    let generated = matrix.as_ref().map(|m| views::generated_pages(&m.matrix)).unwrap_or_default();
    let mut reserved =
        Reserved { urls: RESERVED_FILES.iter().map(|s| s.to_string()).collect(), dirs: vec![STATIC_DIR.to_string()] };
    reserved.urls.extend(generated.iter().map(|g| g.url.clone()));
    let site = content::load(&config, &reserved, generated)?;
    check_templates(&site, &renderer)?;
    let embeds = resolve_embeds(&config, &site, matrix.as_ref())?;
    phases.done("content");

    let shown_output = {
        let o = config.output_dir();
        o.strip_prefix(".").map(Path::to_path_buf).unwrap_or(o)
    };
    let staging = if options.check_only {
        None
    } else {
        Some(Staging::new(&config.output_dir()).map_err(|e| {
            Failure::from(vec![Diagnostic::error(
                shown_output.clone(),
                format!("cannot create the output folder: {e}"),
            )])
        })?)
    };
    let sink: &dyn Sink = match &staging {
        Some(s) => s,
        None => &Discard,
    };

    let book = BookView::new(&config);
    let nav = site.tree.nav();
    let base_url = config.base_url();

    // Every page, in parallel; each worker renders and writes its own page.
    let page = |i: usize| -> Vec<Diagnostic> {
        let url = &site.pages[i].url;
        let mut errors = Vec::new();
        let content = match (&matrix, embeds[i].is_empty()) {
            (Some(m), false) => {
                with_embeds(&site.pages[i].html, &embeds[i], m, &site, &config, &renderer, url, &mut errors)
            }
            _ => std::borrow::Cow::Borrowed(site.pages[i].html.as_str()),
        };
        let ctx = context::page_context(&site, &nav, &book, base_url, i, &content);
        let mut ctx = tera::Context::from_serialize(&ctx).expect("page context serialises to an object");
        if let (Some(m), Some(view)) = (&matrix, site.pages[i].generated) {
            let (data, data_errors) = views::page_data(m, &site, &config.markdown, url, view);
            ctx.extend(tera::Context::from_serialize(&data).expect("matrix data serialises to an object"));
            errors.extend(data_errors);
        }
        match renderer.render(template_for(&site, i), &ctx) {
            Ok(html) => {
                errors.extend(sink.write(url, html.as_bytes()).err().map(|e| write_error(&shown_output, url, e)))
            }
            Err(d) => errors.push(d),
        }
        errors
    };
    let page_errors: Vec<Diagnostic> = (0..site.pages.len()).into_par_iter().flat_map_iter(page).collect();
    let mut errors = dedupe(page_errors);
    phases.done("render");

    let mut extra: Vec<(String, Vec<u8>)> = Vec::new();
    match renderer.render(
        "404.html",
        &tera::Context::from_serialize(context::not_found_context(&site, &nav, &book, base_url)).expect("serialises"),
    ) {
        Ok(html) => extra.push(("404.html".into(), html.into_bytes())),
        Err(d) => errors.push(d),
    }
    extra.push((format!("{STATIC_DIR}/toc.js"), context::toc_js(&site, &nav).into_bytes()));
    extra.push((format!("{STATIC_DIR}/highlight.css"), code_css.into_bytes()));
    if !base_url.is_empty() {
        extra.push(("sitemap.xml".into(), sitemap::sitemap(base_url, &site).into_bytes()));
    }
    for (rel, file) in &theme.statics {
        match file.source.read() {
            Ok(bytes) => extra.push((format!("{STATIC_DIR}/{rel}"), bytes.into_owned())),
            Err(e) => errors.push(Diagnostic::error(file.shown.clone(), format!("cannot read: {e}"))),
        }
    }
    for (rel, bytes) in &extra {
        if let Err(e) = sink.write(rel, bytes) {
            errors.push(write_error(&shown_output, rel, e));
        }
    }
    let copy_errors: Vec<Diagnostic> = site
        .assets
        .par_iter()
        .filter_map(|a| sink.copy(&a.url, &a.source).err().map(|e| write_error(&shown_output, &a.url, e)))
        .collect();
    errors.extend(copy_errors);
    phases.done("extras");

    let Site { pages, assets, warnings, .. } = site;
    if !errors.is_empty() {
        return Err(Failure { errors, warnings });
    }
    if let Some(staging) = staging {
        staging.commit().map_err(|e| Failure {
            errors: vec![Diagnostic::error(shown_output.clone(), format!("cannot replace the output folder: {e}"))],
            warnings: warnings.clone(),
        })?;
    }
    phases.done("swap");
    Ok(Report { pages: pages.len(), assets: assets.len(), elapsed: started.elapsed(), output: shown_output, warnings })
}

/// Puts the rendered views of a page's shortcodes in place of their markers.
#[allow(clippy::too_many_arguments)]
fn with_embeds<'a>(
    html: &'a str,
    embeds: &[EmbedView],
    matrix: &matrix::Loaded,
    site: &Site,
    config: &Config,
    renderer: &Renderer,
    url: &str,
    errors: &mut Vec<Diagnostic>,
) -> std::borrow::Cow<'a, str> {
    let mut out = html.to_string();
    for (n, view) in embeds.iter().enumerate() {
        let (data, data_errors) = views::embed_data(matrix, site, &config.markdown, url, *view);
        errors.extend(data_errors);
        let mut ctx = tera::Context::new();
        ctx.insert("embed", &data);
        ctx.insert("root", &crate::content::paths::root_prefix(url));
        match renderer.render(view.template(), &ctx) {
            Ok(rendered) => out = out.replacen(&crate::markdown::embed_marker(n), &rendered, 1),
            Err(d) => errors.push(d),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Checks every shortcode against the matrix: which view each one shows, per page.
fn resolve_embeds(
    config: &Config,
    site: &Site,
    matrix: Option<&matrix::Loaded>,
) -> Result<Vec<Vec<EmbedView>>, Failure> {
    let mut errors = Vec::new();
    let resolved = site
        .pages
        .iter()
        .map(|page| {
            page.embeds
                .iter()
                .filter_map(|e| match views::resolve_embed(matrix.map(|m| &m.matrix), e) {
                    Ok(v) => Some(v),
                    Err(message) => {
                        let rel = page.source.as_deref().unwrap_or("");
                        let text = std::fs::read(config.content_dir().join(rel)).unwrap_or_default();
                        errors.push(Diagnostic::at(
                            content::shown_path(config, rel),
                            &String::from_utf8_lossy(&text),
                            e.offset,
                            message,
                        ));
                        None
                    }
                })
                .collect()
        })
        .collect();
    if errors.is_empty() {
        Ok(resolved)
    } else {
        Err(Failure::from(errors))
    }
}

fn template_for(site: &Site, i: usize) -> &str {
    let page = &site.pages[i];
    if let Some(view) = page.generated {
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
    let errors: Vec<Diagnostic> = site
        .pages
        .iter()
        .filter_map(|p| p.template.as_ref())
        .filter(|(name, _)| !renderer.has_template(name))
        .map(|(name, at)| {
            let mut d = at.clone();
            d.message =
                format!("no template `{name}` in the theme (available: {})", renderer.template_names().join(", "));
            d
        })
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Failure::from(errors))
    }
}

/// The output folder is replaced wholesale, so it must never be (or contain) the handbook's
/// own files.
fn check_output_location(config: &Config) -> Result<(), Failure> {
    let absolute = |p: &Path| -> PathBuf {
        let p = if p.is_absolute() { p.to_path_buf() } else { std::env::current_dir().unwrap_or_default().join(p) };
        // Canonicalise the longest existing ancestor so `..` and symlinks compare correctly.
        let mut existing = p.clone();
        let mut rest = Vec::new();
        while !existing.exists() {
            match (existing.file_name().map(|n| n.to_os_string()), existing.parent()) {
                (Some(name), Some(parent)) => {
                    rest.push(name);
                    existing = parent.to_path_buf();
                }
                _ => break,
            }
        }
        let mut out = existing.canonicalize().unwrap_or(existing);
        for name in rest.into_iter().rev() {
            out.push(name);
        }
        out
    };
    let output = absolute(&config.output_dir());
    let protected = [config.root.clone(), config.content_dir(), config.root.join("themes")];
    for p in protected {
        let p = absolute(&p);
        if p.starts_with(&output) {
            return Err(Failure::from(vec![config.error_at(
                0..0,
                format!(
                    "the output folder {} would contain {}, and the output folder is replaced on every build; choose another output folder",
                    output.display(),
                    p.display()
                ),
            )]));
        }
    }
    Ok(())
}

fn write_error(output: &Path, rel: &str, e: std::io::Error) -> Diagnostic {
    Diagnostic::error(output.join(rel), format!("cannot write: {e}"))
}

/// A broken base template fails every page the same way: report it once.
fn dedupe(errors: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let mut seen = BTreeSet::new();
    errors.into_iter().filter(|d| seen.insert(d.render(false))).collect()
}
