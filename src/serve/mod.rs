//! `stagebook serve`: build into memory, serve on localhost, watch the handbook folder,
//! rebuild what a change touches and reload the open tabs.
//!
//! Routing by kind of change (`plan`): an edited page re-renders that page (all pages only if
//! its title or position changed); an edited image or download is re-read; a theme's static
//! file refreshes the static files; anything else (book.toml, templates, the matrix, new,
//! deleted or linked files) loads everything again. After a failed build the next change
//! always loads everything again, so no error can be hidden by a later partial rebuild.
//!
//! Timing: a single save is rebuilt as soon as the folder has been quiet for `watch::QUIET`.
//! Bursts (many files, deletions, changes right after a rebuild) wait for a longer quiet, and
//! a full build that the folder changed under (a checkout or `rm -rf` still running) is done
//! again instead of being shown, so one burst prints one line and never a vanished file.

pub(crate) mod http;
mod plan;
mod report;
mod trim;
mod watch;

use std::collections::{BTreeSet, HashSet};
use std::io::Write as _;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::abspath::absolute;
use crate::build::{Changed, Phases, Project};
use crate::content::PageId;
use crate::diagnostics::Diagnostic;
use crate::output::{Files, Memory, Sink};
use crate::theme::Theme;
use plan::{plan, Layout, OnDisk, Plan};
use watch::{Backend, Batch};

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
    /// Notice changes by polling instead of the system's notifications (no watch limit).
    pub poll: bool,
    /// Broken links are warnings and the site is still served (`[build] broken_links = "warn"`).
    pub warn_links: bool,
}

/// Why serving could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("{0}: no such folder (`stagebook init {0}` creates a handbook there)")]
    NoFolder(String),
    #[error("{0}: not a folder (give the handbook folder, the one holding book.toml)")]
    NotFolder(String),
    #[error("{0}: no book.toml in this folder: is it a handbook? (`stagebook init {0}` creates one)")]
    NoBook(String),
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
    for shown in crate::diagnostics::render_capped(errors, true) {
        let _ = write!(err, "{shown}");
    }
}

/// A full build not yet shown: the new project and its files, or its errors.
type Built = Result<(Project, Files), Vec<Diagnostic>>;

/// Whether some error is about a file or folder that is no longer there: the build read the
/// folder while something was deleting in it.
fn vanished(root: &Path, errors: &[Diagnostic]) -> bool {
    let gone = |p: &Path| std::fs::symlink_metadata(p).is_err();
    errors.iter().any(|d| gone(&d.path) && gone(&root.join(&d.path)))
}

/// How an update of a few files went.
enum Step {
    Shown,
    /// The edit changes the site's structure: load everything.
    Structure,
    Failed(Vec<Diagnostic>),
}

/// How a batch of changes ended.
enum Outcome {
    Done,
    /// Loaded everything again: folders may have been made anew.
    Reloaded,
}

/// The rebuild side of the server: the last good project and what it produced.
struct Builder {
    options: ServeOptions,
    project: Option<Project>,
    layout: Option<Layout>,
    /// The last build failed: the next change loads everything again.
    broken: bool,
    /// Pages changed since the search index was last written.
    search_stale: bool,
    shared: Arc<http::Shared>,
}

impl Builder {
    /// Loads and renders everything into memory, showing nothing yet.
    fn build_all(&self) -> Built {
        let (drafts, warn_links) = (self.options.drafts, self.options.warn_links);
        // Code blocks highlighted by the last `build` are taken as they are (the build cache,
        // read only; each full load reads it again, so blocks highlighted here are not kept).
        let highlights = crate::cache::previous_highlights(&self.options.root);
        let project = Project::load(&self.options.root, |c| {
            c.markdown.highlights = highlights;
            c.build.drafts |= drafts;
            if warn_links {
                c.build.broken_links = crate::config::BrokenLinks::Warn;
            }
            // And the pages the last builds parsed, likewise.
            c.parsed = crate::cache::previous_parsed(&self.options.root, c);
        })
        .map_err(|f| f.errors)?;
        let memory = Memory::default();
        let (errors, late_warnings): (Vec<_>, Vec<_>) = project
            .write_all(&memory, &project.shown_output(), &mut Phases::new())
            .into_iter()
            .partition(Diagnostic::is_error);
        let (reused, highlighted) = project.config.markdown.highlights.counts();
        Phases::new().note(&format!("code blocks: {reused} reused, {highlighted} highlighted"));
        let (recalled, parsed) = project.config.parsed.counts();
        Phases::new().note(&format!("parse memo: {recalled} pages recalled, {parsed} parsed"));
        let mut project = project;
        project.site.warnings.extend(late_warnings);
        if errors.is_empty() {
            Ok((project, memory.into_files()))
        } else {
            Err(errors)
        }
    }

    /// Shows a full build: the new site replaces the old one, or its errors are reported.
    fn finish(&mut self, started: Instant, built: Built, changed: &[String]) {
        match built {
            Ok((project, files)) => {
                let summary = report::plural(project.site.pages.len(), "page");
                report_errors(&project.site.warnings);
                self.layout = Some(Layout::of(&project.config));
                self.project = Some(project);
                self.broken = false;
                self.search_stale = false;
                self.shared.publish(Arc::new(files), &summary);
                trim::release_freed();
                say(&report::rebuilt(&summary, started.elapsed().as_millis(), changed));
            }
            Err(errors) => self.fail(errors),
        }
    }

    fn fail(&mut self, errors: Vec<Diagnostic>) {
        report_errors(&errors);
        say(&format!(
            "Build failed with {}; {}",
            report::plural(errors.len(), "error"),
            if self.project.is_some() {
                "still serving the last good version"
            } else {
                "the site appears once they are fixed"
            }
        ));
        self.broken = true;
        self.shared.fail(crate::diagnostics::render_capped(&errors, false));
    }

    /// Rebuilds for one batch of changes. A build that the folder changed under (changes
    /// arrived while it ran, or files it listed were gone when read) is not shown: the batch
    /// grows by those changes and, once the folder is quiet, is built again.
    fn apply(&mut self, batch: &mut Batch, watcher: &watch::Watcher) -> Outcome {
        let started = Instant::now();
        let mut round = 0;
        loop {
            let mut route = match (&self.project, &self.layout, self.broken) {
                (Some(project), Some(layout), false) if !batch.rescan => {
                    let changes: Vec<(PathBuf, OnDisk)> =
                        batch.paths.iter().map(|p| (p.clone(), OnDisk::of(p))).collect();
                    plan(layout, project, &changes)
                }
                _ => Plan::Full,
            };
            let changed = self.changed_names(batch);
            // Whether the folder moved under this round: then it is built again, once quiet.
            let root = self.options.root.clone();
            let moved = |errors: Option<&Vec<Diagnostic>>, batch: &mut Batch| {
                round < MAX_ROUNDS
                    && (watcher.pending(batch)
                        || (errors.is_some_and(|e| vanished(&root, e)) && watcher.settle(batch, BURST_QUIET)))
            };
            if let Plan::Some { pages, assets, statics } = &route {
                match self.incremental(started, pages, assets, *statics, &changed) {
                    Step::Shown => return Outcome::Done,
                    Step::Structure => route = Plan::Full,
                    Step::Failed(errors) => {
                        if !moved(Some(&errors), batch) {
                            self.fail(errors);
                            return Outcome::Done;
                        }
                    }
                }
            }
            match route {
                Plan::Nothing => return Outcome::Done,
                Plan::Some { .. } => {}
                Plan::Full => {
                    let built = self.build_all();
                    if !moved(built.as_ref().err(), batch) {
                        self.finish(started, built, &changed);
                        return Outcome::Reloaded;
                    }
                }
            }
            watcher.settle(batch, BURST_QUIET);
            round += 1;
            // The project may hold a half-applied edit: the next round loads everything.
            self.broken = true;
        }
    }

    /// The changed files as the rebuild line names them.
    fn changed_names(&self, batch: &Batch) -> Vec<String> {
        let files = batch.files();
        match &self.layout {
            Some(layout) => files.iter().map(|p| layout.shown(p)).collect(),
            None => files.iter().map(|p| p.to_string_lossy().into_owned()).collect(),
        }
    }

    /// Re-renders what the edited files touch. Errors are returned, not shown: the caller
    /// tells a file that vanished mid-read from a real mistake.
    fn incremental(
        &mut self,
        started: Instant,
        pages: &[String],
        assets: &[String],
        statics: bool,
        changed: &[String],
    ) -> Step {
        let Some(project) = self.project.as_mut() else { return Step::Structure };
        let mut render: BTreeSet<PageId> = BTreeSet::new();
        let mut everything = false;
        let mut errors = Vec::new();
        for rel in pages {
            match project.update_page(rel) {
                // The site's structure changed after all (a page became a draft...).
                Ok(None) => return Step::Structure,
                Ok(Some(Changed::Page(i))) => {
                    render.insert(i);
                }
                Ok(Some(Changed::AllPages)) => everything = true,
                Err(e) => errors.extend(e),
            }
        }
        // Pages are read one after another, each checked against the others as they stand: a
        // link to a heading saved in the same batch can fail only because of that order, so
        // a batch of pages with errors is built whole to tell real errors from that.
        if !errors.is_empty() && pages.len() > 1 {
            return Step::Structure;
        }
        if statics {
            match Theme::load(&project.config) {
                Ok(theme) => project.theme = theme,
                Err(e) => errors.extend(e),
            }
        }
        // Warnings of the edited pages (broken links let through by `--warn-links`...).
        report_errors(&project.take_noted());
        if !errors.is_empty() {
            return Step::Failed(errors);
        }
        let memory = Memory::default();
        let shown = project.shown_output();
        let targets: Vec<PageId> =
            if everything { project.site.pages.ids().collect() } else { render.into_iter().collect() };
        let (mut errors, late_warnings): (Vec<_>, Vec<_>) =
            project.write_pages(&targets, &memory, &shown).into_iter().partition(Diagnostic::is_error);
        report_errors(&late_warnings);
        if everything || statics {
            let (extra, extra_errors) = project.extras();
            errors.extend(extra_errors);
            for (rel, bytes) in extra {
                let _ = memory.write_owned(&rel, bytes);
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
            return Step::Failed(errors);
        }
        // Page text changed: the index follows once edits settle (extras() leaves it out).
        if !targets.is_empty() && project.config.search.enabled {
            self.search_stale = true;
        }
        let mut files: Files = (*self.shared.files()).clone();
        files.extend(memory.into_files());
        let what = match (targets.len(), assets.len()) {
            (0, 0) => "static files".to_string(),
            (n, 0) => report::plural(n, "page"),
            (0, a) => report::plural(a, "file"),
            (n, a) => format!("{} and {}", report::plural(n, "page"), report::plural(a, "file")),
        };
        self.shared.publish(Arc::new(files), &what);
        trim::release_freed();
        say(&report::rebuilt(&what, started.elapsed().as_millis(), changed));
        Step::Shown
    }
}

impl Builder {
    /// Every file the pages include (absolute), for the watcher.
    fn included_files(&self) -> Vec<PathBuf> {
        let Some(project) = &self.project else { return Vec::new() };
        let mut files: Vec<PathBuf> = project.site.pages.iter().flat_map(|p| p.includes.iter().cloned()).collect();
        files.sort();
        files.dedup();
        files
    }

    /// Writes the search index again after page edits (not on every keystroke-save: the
    /// serve loop calls this once the folder has been quiet for a moment).
    fn refresh_search(&mut self) {
        self.search_stale = false;
        let Some(project) = &self.project else { return };
        let started = Instant::now();
        let (files, stats) =
            crate::search::build(&project.config, &project.site, project.matrix.as_ref().map(|m| &m.matrix));
        self.shared.update(files.into_iter().map(|(k, v)| (k, Arc::new(v))).collect());
        say(&format!("Updated the search index ({} entries) in {} ms", stats.docs, started.elapsed().as_millis()));
    }
}

/// How long after the last page edit the search index is written again.
const SEARCH_QUIET: Duration = Duration::from_millis(700);
/// A batch touching more files than this is treated as a burst.
const BURST_FILES: usize = 8;
/// Changes this soon after a rebuild are treated as part of a burst.
const BURST_WINDOW: Duration = Duration::from_millis(300);
/// A burst ends when the folder has been quiet this long.
const BURST_QUIET: Duration = Duration::from_millis(150);
/// A build the folder changed under is done again at most this many times; then the last
/// one is shown, so a folder that never stops changing still gets a preview.
const MAX_ROUNDS: usize = 3;

/// Builds, serves and rebuilds until the process is stopped.
pub fn serve(options: ServeOptions) -> Result<(), ServeError> {
    // A folder that is not a handbook is a mistake in the command, not a build to watch.
    let shown = options.root.display().to_string();
    if !options.root.exists() {
        return Err(ServeError::NoFolder(shown));
    }
    if !options.root.is_dir() {
        return Err(ServeError::NotFolder(shown));
    }
    if !options.root.join(crate::config::CONFIG_FILE).is_file() {
        return Err(ServeError::NoBook(shown));
    }
    let shared = http::Shared::new();
    let mut builder = Builder {
        options: options.clone(),
        project: None,
        layout: None,
        broken: false,
        search_stale: false,
        shared: shared.clone(),
    };
    let started = Instant::now();
    let built = builder.build_all();
    builder.finish(started, built, &[]);

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
        // book.toml's `extra-watch-dirs` (mdBook's) and `additional-css`/`-js` files; a file
        // is watched through its folder (the handbook folder itself is watched, not its tree).
        for path in c.extra_watched() {
            let dir = if path.is_dir() { path } else { path.parent().map_or(path.clone(), Path::to_path_buf) };
            if dir != root && !trees.iter().any(|t| dir.starts_with(t)) {
                trees.push(dir);
            }
        }
    } else {
        trees.push(root.join("content"));
    }
    let backend = if options.poll { Backend::Poll } else { Backend::Native };
    let mut watcher = watch::watch(&root, trees, &output, backend).map_err(ServeError::Watch)?;
    watcher.watch_files(builder.included_files());

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
    if options.open && open::that_detached(&url).is_err() {
        say(&format!("Could not start a browser; open {url} yourself"));
    }

    let mut last_rebuild = Instant::now().checked_sub(BURST_WINDOW).unwrap_or_else(Instant::now);
    let mut told = HashSet::new();
    loop {
        // With page edits waiting to reach the search index, wait only briefly for the next
        // change; when none comes, update the index.
        let first = builder.search_stale.then_some(SEARCH_QUIET);
        let mut batch = match watcher.next(first, watch::QUIET) {
            Ok(Some(batch)) => batch,
            Ok(None) => {
                builder.refresh_search();
                continue;
            }
            Err(watch::Stopped) => break,
        };
        for problem in std::mem::take(&mut batch.problems) {
            if told.insert(problem.clone()) {
                say(&format!("Warning: changes may be missed: {problem}"));
            }
        }
        if batch.paths.is_empty() && !batch.rescan {
            continue;
        }
        // A single save is rebuilt at once. A burst (many files, changes right after a
        // rebuild, or deletions, which a checkout, a script or an editor follows with more)
        // is gathered until the folder has been quiet for a while: one rebuild, not several.
        let burst = batch.paths.len() > BURST_FILES
            || last_rebuild.elapsed() < BURST_WINDOW
            || batch.rescan
            || batch.paths.iter().any(|p| OnDisk::of(p) == OnDisk::Missing);
        if burst {
            watcher.settle(&mut batch, BURST_QUIET);
        }
        watcher.pending(&mut batch);
        if let Outcome::Reloaded = builder.apply(&mut batch, &watcher) {
            watcher.refresh();
        }
        // An edit may have added an include of a file no watch covers.
        watcher.watch_files(builder.included_files());
        last_rebuild = Instant::now();
    }
    Ok(())
}
