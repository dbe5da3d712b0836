//! `stagebook serve`: build into memory, serve on localhost, watch the handbook folder,
//! rebuild what a change touches and reload the open tabs.
//!
//! Routing by kind of change: an edited page re-renders that page (all pages only if its title
//! or position changed); an edited image or download is re-read; a theme's static file
//! refreshes the static files; anything else (book.toml, templates, the matrix, new or deleted
//! files) loads everything again. After a failed build the next change always loads everything
//! again, so no error can be hidden by a later partial rebuild.

pub mod http;
pub mod watch;

use std::collections::BTreeSet;
use std::io::Write as _;
use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::build::{Changed, Phases, Project};
use crate::content::PageId;
use crate::diagnostics::Diagnostic;
use crate::output::{absolute, Files, Memory, Sink};
use crate::theme::Theme;

/// How to serve.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub root: PathBuf,
    pub bind: IpAddr,
    pub port: u16,
    pub open: bool,
    pub drafts: bool,
    /// Host names the server answers to besides localhost and the bind address.
    pub allow_hosts: Vec<String>,
}

/// Why serving could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("cannot listen on {addr}: {source}")]
    Bind { addr: String, source: std::io::Error },
    #[error("{0}")]
    Watch(String),
}

/// One line on stdout, flushed at once (tests and scripts read it as it comes).
fn say(line: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

fn report_errors(errors: &[Diagnostic]) {
    let mut err = anstream::stderr();
    for d in errors {
        let _ = write!(err, "{}", d.render(true));
    }
}

/// The rebuild side of the server: the last good project and what it produced.
struct Builder {
    options: ServeOptions,
    project: Option<Project>,
    /// The last build failed: the next change loads everything again.
    broken: bool,
    /// Pages changed since the search index was last written.
    search_stale: bool,
    shared: Arc<http::Shared>,
}

impl Builder {
    fn load(&self) -> Result<Project, Vec<Diagnostic>> {
        let drafts = self.options.drafts;
        Project::load(&self.options.root, |c| c.build.drafts |= drafts).map_err(|f| f.errors)
    }

    /// Loads and renders everything; on success the new site replaces the old one.
    fn full(&mut self, started: Instant, why: &str) {
        let result = self.load().and_then(|project| {
            let memory = Memory::default();
            let errors = project.write_all(&memory, &project.shown_output(), &mut Phases::new());
            if errors.is_empty() {
                Ok((project, memory.into_files()))
            } else {
                Err(errors)
            }
        });
        match result {
            Ok((project, files)) => {
                let summary = format!("{} pages", project.site.pages.len());
                report_errors(&project.site.warnings);
                self.project = Some(project);
                self.broken = false;
                self.search_stale = false;
                self.shared.publish(Arc::new(files), &summary);
                say(&format!("Rebuilt {summary} in {} ms{why}", started.elapsed().as_millis()));
            }
            Err(errors) => self.fail(errors),
        }
    }

    fn fail(&mut self, errors: Vec<Diagnostic>) {
        report_errors(&errors);
        say(&format!(
            "Build failed with {} error{}; still serving the last good version",
            errors.len(),
            if errors.len() == 1 { "" } else { "s" }
        ));
        self.broken = true;
        self.shared.fail(errors.iter().map(|d| d.render(false)).collect());
    }

    /// Handles one batch of changed paths; true when it loaded everything again.
    fn changed(&mut self, paths: &[PathBuf]) -> bool {
        let started = Instant::now();
        let plan = match (&self.project, self.broken) {
            (Some(project), false) => plan(project, paths),
            _ => Plan::Full,
        };
        match plan {
            Plan::Nothing => false,
            Plan::Full => {
                self.full(started, "");
                true
            }
            Plan::Some { pages, assets, statics } => {
                self.incremental(started, &pages, &assets, statics);
                false
            }
        }
    }

    fn incremental(&mut self, started: Instant, pages: &[String], assets: &[String], statics: bool) {
        let Some(project) = self.project.as_mut() else { return self.full(started, "") };
        let mut render: BTreeSet<PageId> = BTreeSet::new();
        let mut everything = false;
        let mut errors = Vec::new();
        for rel in pages {
            match project.update_page(rel) {
                Ok(None) => return self.full(started, ""),
                Ok(Some(Changed::Page(i))) => {
                    render.insert(i);
                }
                Ok(Some(Changed::AllPages)) => everything = true,
                Err(e) => errors.extend(e),
            }
        }
        if statics {
            match Theme::load(&project.config) {
                Ok(theme) => project.theme = theme,
                Err(e) => errors.extend(e),
            }
        }
        if !errors.is_empty() {
            return self.fail(errors);
        }
        let memory = Memory::default();
        let shown = project.shown_output();
        let targets: Vec<PageId> =
            if everything { project.site.pages.ids().collect() } else { render.into_iter().collect() };
        let mut errors = project.write_pages(&targets, &memory, &shown);
        if everything || statics {
            let (extra, extra_errors) = project.extras();
            errors.extend(extra_errors);
            for (rel, bytes) in extra {
                let _ = memory.write(&rel, &bytes);
            }
        }
        for rel in assets {
            if let Some(asset) = project.site.assets.iter().find(|a| &a.url == rel) {
                if let Err(e) = memory.copy(&asset.url, &asset.source) {
                    errors.push(Diagnostic::error(asset.source.clone(), format!("cannot read: {e}")));
                }
            }
        }
        if !errors.is_empty() {
            return self.fail(errors);
        }
        // Page text changed: the index follows once edits settle (extras() leaves it out).
        if !targets.is_empty() && project.config.search.enabled {
            self.search_stale = true;
        }
        let mut files: Files = (*self.shared.files()).clone();
        files.extend(memory.into_files());
        let what = match (targets.len(), assets.len()) {
            (0, 0) => "static files".to_string(),
            (n, 0) => format!("{n} page{}", if n == 1 { "" } else { "s" }),
            (0, a) => format!("{a} file{}", if a == 1 { "" } else { "s" }),
            (n, a) => {
                format!("{n} page{} and {a} file{}", if n == 1 { "" } else { "s" }, if a == 1 { "" } else { "s" })
            }
        };
        self.shared.publish(Arc::new(files), &what);
        let which = if pages.is_empty() { String::new() } else { format!(" ({})", pages.join(", ")) };
        say(&format!("Rebuilt {what} in {} ms{which}", started.elapsed().as_millis()));
    }
}

impl Builder {
    /// Writes the search index again after page edits (not on every keystroke-save: the
    /// serve loop calls this once the folder has been quiet for a moment).
    fn refresh_search(&mut self) {
        self.search_stale = false;
        let Some(project) = &self.project else { return };
        let started = Instant::now();
        let (files, stats) =
            crate::search::build(&project.config, &project.site, project.matrix.as_ref().map(|m| &m.matrix));
        self.shared.update(files.into_iter().map(|(k, v)| (k, Arc::from(v))).collect());
        say(&format!("Updated the search index ({} entries) in {} ms", stats.docs, started.elapsed().as_millis()));
    }
}

/// What a batch of changes needs.
#[derive(Debug, PartialEq, Eq)]
enum Plan {
    Nothing,
    Full,
    /// Edited pages (content-relative), edited copied files, and whether theme static files
    /// changed.
    Some {
        pages: Vec<String>,
        assets: Vec<String>,
        statics: bool,
    },
}

fn plan(project: &Project, paths: &[PathBuf]) -> Plan {
    let config = &project.config;
    let root = absolute(&config.root);
    let content = absolute(&config.content_dir());
    let themes = root.join("themes");
    let matrix = absolute(&config.matrix_path());
    let (mut pages, mut assets, mut statics) = (Vec::new(), Vec::new(), false);
    for path in paths {
        let path = absolute(path);
        if path == root.join(crate::config::CONFIG_FILE) || path == matrix {
            return Plan::Full;
        }
        if let Ok(rel) = path.strip_prefix(&themes) {
            // themes/<name>/static/... only changes static files; templates change every page.
            let mut parts = rel.components();
            let _name = parts.next();
            if parts.next().is_some_and(|c| c.as_os_str() == "static") && path.is_file() {
                statics = true;
                continue;
            }
            return Plan::Full;
        }
        let Ok(rel) = path.strip_prefix(&content) else { continue };
        let rel = rel.to_string_lossy().replace('\\', "/");
        if !path.is_file() {
            return Plan::Full; // deleted, renamed away, or a folder: the structure changed
        }
        if rel.ends_with(".md") {
            if project.site.page_by_source(&rel).is_none() {
                return Plan::Full;
            }
            pages.push(rel);
        } else if project.site.assets.iter().any(|a| a.url == rel) {
            assets.push(rel);
        } else {
            return Plan::Full;
        }
    }
    if pages.is_empty() && assets.is_empty() && !statics {
        return Plan::Nothing;
    }
    Plan::Some { pages, assets, statics }
}

/// How long after the last page edit the search index is written again.
const SEARCH_QUIET: Duration = Duration::from_millis(700);
/// A batch touching more files than this is treated as a burst.
const BURST_FILES: usize = 8;
/// Changes this soon after a rebuild are treated as part of a burst.
const BURST_WINDOW: Duration = Duration::from_millis(300);
/// A burst ends when the folder has been quiet this long.
const BURST_QUIET: Duration = Duration::from_millis(150);

/// Builds, serves and rebuilds until the process is stopped.
pub fn serve(options: ServeOptions) -> Result<(), ServeError> {
    let shared = http::Shared::new();
    let mut builder =
        Builder { options: options.clone(), project: None, broken: false, search_stale: false, shared: shared.clone() };
    let started = Instant::now();
    builder.full(started, "");

    // Watch before announcing the address: a change made right after must not be missed.
    let root = absolute(&options.root);
    let config = crate::config::Config::load(&root).ok();
    let output = config.as_ref().map_or_else(|| root.join("book"), |c| absolute(&c.output_dir()));
    let mut trees = vec![root.join("themes")];
    if let Some(c) = &config {
        trees.push(absolute(&c.content_dir()));
        if let Some(parent) = absolute(&c.matrix_path()).parent() {
            if !parent.starts_with(absolute(&c.content_dir())) && parent != root {
                trees.push(parent.to_path_buf());
            }
        }
    } else {
        trees.push(root.join("content"));
    }
    let mut watcher = watch::watch(&root, trees, &output).map_err(ServeError::Watch)?;

    let (server, addr, note) = http::bind(options.bind, options.port)
        .map_err(|source| ServeError::Bind { addr: format!("{}:{}", options.bind, options.port), source })?;
    if let Some(note) = note {
        say(&format!("Note: {note}"));
    }
    if !options.bind.is_loopback() {
        say(&format!("Warning: listening on {} makes the preview reachable from other machines", options.bind));
    }
    let url = format!("http://{addr}/");
    say(&format!("Serving {url} (Ctrl-C to stop)"));
    let _server = http::start(server, shared.clone(), &options.allow_hosts)
        .map_err(|source| ServeError::Bind { addr: addr.to_string(), source })?;
    if options.open {
        open_browser(&url);
    }

    let mut last_rebuild = Instant::now().checked_sub(BURST_WINDOW).unwrap_or_else(Instant::now);
    loop {
        // With page edits waiting to reach the search index, wait only briefly for the next
        // change; when none comes, update the index.
        let next = if builder.search_stale {
            match watcher.changes.recv_timeout(SEARCH_QUIET) {
                Ok(batch) => Ok(batch),
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                    builder.refresh_search();
                    continue;
                }
                Err(e) => Err(e.to_string()),
            }
        } else {
            watcher.changes.recv().map_err(|e| e.to_string())
        };
        let Ok(mut batch) = next else { break };
        // A single save is rebuilt at once. A burst (many files, or changes right after a
        // rebuild: a checkout, a generator, a slow copy) is collected until the folder has been
        // quiet for a while, so it costs one rebuild instead of one per debounce window.
        let burst = batch.len() > BURST_FILES || last_rebuild.elapsed() < BURST_WINDOW;
        if burst {
            while let Ok(more) = watcher.changes.recv_timeout(BURST_QUIET) {
                batch.extend(more);
            }
        }
        while let Ok(more) = watcher.changes.try_recv() {
            batch.extend(more);
        }
        batch.sort();
        batch.dedup();
        let full = builder.changed(&batch);
        if full {
            watcher.refresh();
        }
        last_rebuild = Instant::now();
    }
    Ok(())
}

fn open_browser(url: &str) {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(windows) {
        "explorer"
    } else {
        "xdg-open"
    };
    if std::process::Command::new(opener).arg(url).spawn().is_err() {
        say(&format!("Could not start a browser; open {url} yourself"));
    }
}
