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

    let reserved =
        Reserved { urls: RESERVED_FILES.iter().map(|s| s.to_string()).collect(), dirs: vec![STATIC_DIR.to_string()] };
    phases.done("theme");
    let site = content::load(&config, &reserved)?;
    check_templates(&site, &renderer)?;
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
    let page_errors: Vec<Diagnostic> = (0..site.pages.len())
        .into_par_iter()
        .filter_map(|i| {
            let ctx = context::page_context(&site, &nav, &book, base_url, i);
            let ctx = tera::Context::from_serialize(&ctx).expect("page context serialises to an object");
            let html = match renderer.render(template_for(&site, i), &ctx) {
                Ok(h) => h,
                Err(d) => return Some(d),
            };
            sink.write(&site.pages[i].url, html.as_bytes())
                .err()
                .map(|e| write_error(&shown_output, &site.pages[i].url, e))
        })
        .collect();
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

fn template_for(site: &Site, i: usize) -> &str {
    let page = &site.pages[i];
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
