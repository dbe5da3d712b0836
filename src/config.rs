//! `book.toml`: the handbook's settings.
//!
//! Parsed with serde and `deny_unknown_fields`, so a misspelt key is an error at its line and
//! column instead of a silently ignored setting. serde stops at the first error, so a file that
//! fails is read again one key at a time ([`every_error`]): one run reports every bad key and value.
//!
//! mdBook's book.toml is read too: its keys with a stagebook meaning are fields here under
//! mdBook's names (`[build] build-dir`, `[output.html] edit-url-template`...), and the others are
//! set aside with a warning each before the schema sees the file ([`mdbook`]).

mod mdbook;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::de::{DeTable, DeValue, ValueDeserializer};
use toml::Spanned;

use crate::diagnostics::{Diagnostic, Problem, SourceFile};

/// The settings file every handbook folder has.
pub(crate) const CONFIG_FILE: &str = "book.toml";

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("no {CONFIG_FILE} in {}: is this a handbook folder? (`stagebook init {}` creates one)", .0.display(), .0.display())]
    NotFound(PathBuf),
    #[error("{}: cannot read: {source}", path.display())]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{}", .0.iter().map(|d| d.to_string()).collect::<Vec<_>>().join("\n"))]
    Invalid(Vec<Diagnostic>),
}

impl ConfigError {
    pub fn into_diagnostics(self) -> Vec<Diagnostic> {
        match self {
            ConfigError::NotFound(dir) => {
                let message = format!(
                    "no {CONFIG_FILE} in this folder: is it a handbook? (`stagebook init {}` creates one)",
                    dir.display()
                );
                vec![Diagnostic::error(dir, message)]
            }
            ConfigError::Io { path, source } => vec![Diagnostic::error(path, format!("cannot read: {source}"))],
            ConfigError::Invalid(d) => d,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Config {
    #[serde(default)]
    pub book: BookConfig,
    #[serde(default)]
    pub build: BuildConfig,
    #[serde(default)]
    pub site: SiteConfig,
    #[serde(default)]
    pub theme: ThemeConfig,
    #[serde(default)]
    pub markdown: MarkdownConfig,
    #[serde(default)]
    pub search: SearchConfig,
    /// mdBook's `[output]`: only `[output.html]` has keys stagebook reads.
    #[serde(default)]
    pub output: OutputConfig,
    /// Folder holding book.toml; every relative path in the config is relative to it.
    #[serde(skip)]
    pub root: PathBuf,
    /// The text of book.toml, kept so later checks can point into it.
    #[serde(skip)]
    pub source: String,
    /// `[output.html.redirect]`, checked ([`Config::mdbook_redirects`]).
    #[serde(skip)]
    redirects: Vec<(String, String)>,
    /// What book.toml holds that is not wrong but does nothing (mdBook settings stagebook
    /// ignores); the build reports them with its own warnings.
    #[serde(skip)]
    pub warnings: Vec<Diagnostic>,
    /// Set by a one-shot build (not `serve`, which renders and indexes again after each edit):
    /// what is read once (page bodies, the sections' passages) is kept in large chunks that
    /// are freed as soon as they are used ([`crate::words::keep_passages`],
    /// [`crate::content::bodies::Bodies`]).
    #[serde(skip)]
    pub(crate) one_shot: bool,
    /// Pages parsed by earlier builds (the build cache's; none from book.toml): a build, or
    /// `serve` reading it, parses only pages that are new or changed ([`crate::parse_memo`]).
    #[serde(skip)]
    pub(crate) parsed: crate::parse_memo::Memo,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct BookConfig {
    #[serde(default = "default_title")]
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default = "default_language")]
    pub language: String,
    #[serde(default)]
    pub authors: Vec<String>,
    /// Short stable name used to keep browser-side state (e.g. checklist progress) apart when
    /// several handbooks share a host. Defaults to a slug of the title.
    #[serde(default)]
    pub id: Option<Spanned<String>>,
    /// mdBook's name for the content folder (`[build] content`); giving both is an error.
    #[serde(default)]
    pub src: Option<Spanned<String>>,
    /// mdBook's flag for a book in several languages; read and not needed (one book.toml is one
    /// language here).
    #[serde(default, rename = "multilingual")]
    _multilingual: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct BuildConfig {
    #[serde(default = "default_content")]
    pub content: PathBuf,
    #[serde(default = "default_output")]
    pub output: PathBuf,
    /// The matrix data file, relative to the book folder. When unset, `content/matrix.toml`
    /// is used if it exists.
    #[serde(default)]
    pub matrix: Option<Spanned<String>>,
    /// Build pages marked `draft = true` too.
    #[serde(default)]
    pub drafts: bool,
    /// Whether a link to a missing page, file or heading fails the build or is only reported.
    #[serde(default)]
    pub broken_links: BrokenLinks,
    /// mdBook's name for `output`.
    #[serde(default, rename = "build-dir")]
    pub build_dir: Option<Spanned<PathBuf>>,
    /// mdBook's folders that `serve` watches besides the handbook's own (relative to the
    /// handbook folder): files pages include from elsewhere.
    #[serde(default, rename = "extra-watch-dirs")]
    pub extra_watch_dirs: Vec<PathBuf>,
}

/// `[build] broken_links`: a handbook being migrated can be built while its links are mended.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum BrokenLinks {
    /// A broken link fails the build (and `check`).
    #[default]
    Error,
    /// Each broken link is a warning and the site is written.
    Warn,
}

/// mdBook's `[output]` table: only `[output.html]` is read ([`mdbook`] sets the other
/// renderers aside).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct OutputConfig {
    #[serde(default)]
    pub html: HtmlOutput,
}

/// The `[output.html]` keys with a stagebook meaning, under mdBook's names.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct HtmlOutput {
    /// The book's repository, linked from every page's footer.
    #[serde(default)]
    pub git_repository_url: Option<Spanned<String>>,
    /// An "Edit this page" link on every page made from a file: `{path}` is the file's path
    /// from the handbook folder (`src/intro.md`), as in mdBook.
    #[serde(default)]
    pub edit_url_template: Option<Spanned<String>>,
    /// Style sheets linked after the theme's, on every page (paths from the handbook folder).
    #[serde(default)]
    pub additional_css: Vec<Spanned<String>>,
    /// Scripts loaded on every page (paths from the handbook folder).
    #[serde(default)]
    pub additional_js: Vec<Spanned<String>>,
    /// mdBook's colour theme to start with: `coal`, `navy` and `ayu` start dark; `light` and
    /// `rust` follow the reader's system, as mdBook does (its dark theme takes over on a dark
    /// system).
    #[serde(default)]
    pub default_theme: Option<Spanned<String>>,
    /// The path the site is served under (`/my-book/`): the 404 page, shown at any address,
    /// finds the theme and pages through it.
    #[serde(default)]
    pub site_url: Option<Spanned<String>>,
    /// Old output path (`/old/page.html`) -> where it went.
    #[serde(default)]
    pub redirect: BTreeMap<String, Spanned<String>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SiteConfig {
    /// Absolute URL the site is published at; only used for sitemap.xml and canonical links.
    #[serde(default)]
    pub base_url: Option<Spanned<String>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ThemeConfig {
    #[serde(default = "default_theme")]
    pub name: Spanned<String>,
    /// syntect theme for code blocks in light mode.
    #[serde(default = "default_code_light")]
    pub code_light: Spanned<String>,
    /// syntect theme for code blocks in dark mode.
    #[serde(default = "default_code_dark")]
    pub code_dark: Spanned<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct MarkdownConfig {
    /// Curly quotes, en/em dashes and ellipses.
    #[serde(default = "yes")]
    pub smart_punctuation: bool,
    /// A visible `#` link beside every heading.
    #[serde(default = "yes")]
    pub heading_anchors: bool,
    /// Syntax highlighting of fenced code blocks.
    #[serde(default = "yes")]
    pub highlight_code: bool,
    /// Open links to other sites in a new tab (adds `target="_blank" rel="noopener"`).
    #[serde(default)]
    pub external_links_new_tab: bool,
    /// What raw HTML in pages and matrix markdown fields does.
    #[serde(default)]
    pub raw_html: RawHtml,
    /// Code blocks highlighted by earlier builds (the build cache's; none from book.toml).
    #[serde(skip)]
    pub(crate) highlights: crate::highlight_memo::Memo,
    /// How headings get their ids: mdBook's for an mdBook book ([`Config::is_mdbook`]), set
    /// when book.toml is loaded; GitHub's otherwise.
    #[serde(skip)]
    pub(crate) heading_ids: crate::slug::IdRule,
}

/// `[markdown] raw_html`: authors are trusted by default; a handbook with many contributors
/// can have raw HTML shown as text instead.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum RawHtml {
    /// Passed through as written.
    #[default]
    Allow,
    /// Shown as text.
    Escape,
}

/// `[search]`: the client-side full-text search.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SearchConfig {
    /// Build the index and show the search box.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Index the matrix (aspects per stage, checklist items) as results of their own.
    #[serde(default = "yes")]
    pub matrix: bool,
    /// Index code blocks.
    #[serde(default = "yes")]
    pub code: bool,
    /// How much more a word in the page title counts than one in the text (0: titles are not
    /// indexed). Read through [`SearchConfig::boosts`].
    #[serde(default)]
    pub boost_title: Option<Spanned<f32>>,
    /// How much more a word in a section heading counts than one in the text (0: headings are
    /// not indexed).
    #[serde(default)]
    pub boost_heading: Option<Spanned<f32>>,
    /// Language of the text: the languages Snowball stems (ar, da, de, el, en, es, fi, fr, hu,
    /// it, nl, no, pt, ro, ru, sv, ta, tr) get stemming and stop words; others are indexed word
    /// for word. Defaults to `[book] language`.
    #[serde(default)]
    pub language: Option<String>,
}

/// Weights of title and heading words when book.toml gives none.
const DEFAULT_BOOSTS: (f32, f32) = (3.0, 2.0);

impl SearchConfig {
    /// (title, heading) weights of a word, against 1 in the text.
    pub(crate) fn boosts(&self) -> (f32, f32) {
        let value = |b: &Option<Spanned<f32>>, default: f32| b.as_ref().map_or(default, |b| *b.get_ref());
        (value(&self.boost_title, DEFAULT_BOOSTS.0), value(&self.boost_heading, DEFAULT_BOOSTS.1))
    }
}

impl Default for SearchConfig {
    fn default() -> Self {
        SearchConfig { enabled: true, matrix: true, code: true, boost_title: None, boost_heading: None, language: None }
    }
}

fn yes() -> bool {
    true
}
fn default_title() -> String {
    "Handbook".into()
}
fn default_language() -> String {
    "en".into()
}
fn default_content() -> PathBuf {
    "content".into()
}
fn default_output() -> PathBuf {
    "book".into()
}
fn unspanned(s: &str) -> Spanned<String> {
    Spanned::new(0..0, s.to_string())
}
fn default_theme() -> Spanned<String> {
    unspanned("default")
}
fn default_code_light() -> Spanned<String> {
    unspanned("InspiredGitHub")
}
fn default_code_dark() -> Spanned<String> {
    unspanned("base16-ocean.dark")
}

impl Default for BookConfig {
    fn default() -> Self {
        BookConfig {
            title: default_title(),
            description: String::new(),
            language: default_language(),
            authors: vec![],
            id: None,
            src: None,
            _multilingual: false,
        }
    }
}
impl Default for BuildConfig {
    fn default() -> Self {
        BuildConfig {
            content: default_content(),
            output: default_output(),
            matrix: None,
            drafts: false,
            broken_links: BrokenLinks::Error,
            build_dir: None,
            extra_watch_dirs: Vec::new(),
        }
    }
}
impl Default for ThemeConfig {
    fn default() -> Self {
        ThemeConfig { name: default_theme(), code_light: default_code_light(), code_dark: default_code_dark() }
    }
}
impl Default for MarkdownConfig {
    fn default() -> Self {
        MarkdownConfig {
            smart_punctuation: true,
            heading_anchors: true,
            highlight_code: true,
            external_links_new_tab: false,
            raw_html: RawHtml::Allow,
            highlights: Default::default(),
            heading_ids: Default::default(),
        }
    }
}

impl Config {
    /// Reads `<root>/book.toml`.
    pub(crate) fn load(root: &Path) -> Result<Config, ConfigError> {
        let path = root.join(CONFIG_FILE);
        let source = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(ConfigError::NotFound(root.to_path_buf()))
            }
            Err(source) => return Err(ConfigError::Io { path, source }),
        };
        let source = String::from_utf8(source).map_err(|e| {
            let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
            ConfigError::Invalid(vec![Diagnostic::at(
                shown_path(root),
                &text,
                e.utf8_error().valid_up_to(),
                "file is not valid UTF-8",
            )])
        })?;
        let mut config = Config::parse(root, source)?;
        // mdBook's default source folder, for a book.toml that names none: `src/SUMMARY.md`.
        if config.book.src.is_none()
            && !content_key_given(&config.source)
            && !root.join(default_content()).is_dir()
            && root.join("src").join("SUMMARY.md").is_file()
        {
            config.build.content = "src".into();
        }
        if config.is_mdbook() {
            config.markdown.heading_ids = crate::slug::IdRule::MdBook;
        }
        Ok(config)
    }

    /// Parses book.toml text; `root` is the folder it belongs to.
    pub(crate) fn parse(root: &Path, source: String) -> Result<Config, ConfigError> {
        let file = SourceFile::new(shown_path(root), source);
        let (mut config, warnings) = deserialize(file.text())
            .map_err(|problems| ConfigError::Invalid(problems.into_iter().map(|p| file.diagnostic(p)).collect()))?;
        config.root = root.to_path_buf();
        config.warnings = warnings.into_iter().map(|p| file.diagnostic(p)).collect();
        let found = config.validate(&file);
        let (errors, warnings): (Vec<_>, Vec<_>) = found.into_iter().partition(Diagnostic::is_error);
        config.warnings.extend(warnings);
        config.source = file.text().to_string();
        if errors.is_empty() {
            Ok(config)
        } else {
            Err(ConfigError::Invalid([errors, config.warnings].concat()))
        }
    }

    fn validate(&mut self, file: &SourceFile) -> Vec<Diagnostic> {
        let mut errors = Vec::new();
        if let Some(url) = &mut self.site.base_url {
            let span = url.span();
            let value = url.get_ref().trim().to_string();
            if !(value.starts_with("http://") || value.starts_with("https://")) {
                errors.push(file.error_at(
                    span.start,
                    "site.base_url must be an absolute http(s) URL, e.g. \"https://handbook.example.com/\"",
                ));
            } else {
                let normalised = if value.ends_with('/') { value } else { format!("{value}/") };
                *url = Spanned::new(span, normalised);
            }
        }
        for (key, boost) in [("boost_title", &self.search.boost_title), ("boost_heading", &self.search.boost_heading)] {
            if let Some(b) = boost.as_ref().filter(|b| !(b.get_ref().is_finite() && *b.get_ref() >= 0.0)) {
                errors.push(file.error_at(
                    b.span().start,
                    format!("search.{key} must be a number from 0 (not indexed) up, e.g. 2.0"),
                ));
            }
        }
        let theme = self.theme.name.get_ref();
        let plain = !theme.is_empty()
            && !theme.starts_with('.')
            && !theme.contains(['/', '\\', ':'])
            && Path::new(theme).components().count() == 1;
        if !plain {
            errors.push(file.error_at(
                self.theme.name.span().start,
                "theme.name must be the name of a folder in themes/, e.g. \"ours\" for themes/ours/",
            ));
        }
        errors.extend(self.adopt_mdbook(file));
        if let Some(src) = &self.book.src {
            if content_key_given(file.text()) {
                errors.push(file.error_at(
                    src.span().start,
                    "[book] src (mdBook's key) and [build] content both name the content folder; keep one",
                ));
            } else {
                self.build.content = PathBuf::from(src.get_ref());
            }
        }
        if let Some(id) = &self.book.id {
            let value = id.get_ref();
            if value.is_empty() || !value.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
                errors.push(
                    file.error_at(id.span().start, "book.id may only contain ASCII letters, digits, '-' and '_'"),
                );
            }
        }
        errors
    }

    /// Puts mdBook's keys in effect, checked: folders, URLs, files and redirects.
    fn adopt_mdbook(&mut self, file: &SourceFile) -> Vec<Diagnostic> {
        let mut found = Vec::new();
        if let Some(dir) = &self.build.build_dir {
            if self.build.output != default_output() {
                found.push(file.error_at(
                    dir.span().start,
                    "[build] build-dir (mdBook's name) and output both name the output folder: keep one",
                ));
            }
            self.build.output = dir.get_ref().clone();
        }
        let html = &mut self.output.html;
        for (key, url) in
            [("git-repository-url", &html.git_repository_url), ("edit-url-template", &html.edit_url_template)]
        {
            if let Some(url) = url.as_ref().filter(|u| !is_web_url(u.get_ref())) {
                found.push(file.error_at(
                    url.span().start,
                    format!("output.html.{key} must be an http(s) URL, e.g. \"https://github.com/org/repo\""),
                ));
            }
        }
        for (key, files) in [("additional-css", &html.additional_css), ("additional-js", &html.additional_js)] {
            for f in files.iter().filter(|f| handbook_relative(f.get_ref()).is_none()) {
                found.push(file.error_at(
                    f.span().start,
                    format!(
                        "output.html.{key}: `{}` must be a path inside the handbook folder, e.g. \"theme/custom.css\"",
                        f.get_ref()
                    ),
                ));
            }
        }
        if let Some(theme) = &html.default_theme {
            if !matches!(theme.get_ref().as_str(), "light" | "rust" | "coal" | "navy" | "ayu" | "dark") {
                found.push(
                    file.error_at(
                        theme.span().start,
                        format!(
                            "output.html.default-theme `{}` is not one of mdBook's themes (light, rust, coal, navy, ayu):                              the reader's system setting is followed",
                            theme.get_ref()
                        ),
                    )
                    .warning(),
                );
            }
        }
        if let Some(url) = &mut html.site_url {
            let value = url.get_ref().trim().to_string();
            let path = value.starts_with('/') && !value.starts_with("//") && !value.contains('\\');
            if path || is_web_url(&value) {
                let value = if value.ends_with('/') { value } else { format!("{value}/") };
                *url = Spanned::new(url.span(), value);
            } else {
                found.push(file.error_at(
                    url.span().start,
                    "output.html.site-url must be the path the site is served under, e.g. \"/my-book/\"",
                ));
            }
        }
        let mut redirects: Vec<(usize, String, String)> = Vec::new();
        for (from, to) in &html.redirect {
            let at = to.span().start;
            // mdBook reads the old path from the site root with or without its leading `/`
            // (the Rust book writes `"ch17-00-oop.html" = …`).
            let from = if from.starts_with('/') { from.clone() } else { format!("/{from}") };
            let bad_from =
                from.contains(['\\', ':']) || from.chars().any(char::is_control) || from.split('/').any(|s| s == "..");
            if bad_from {
                found.push(file.error_at(
                    at,
                    format!(
                        "output.html.redirect: `{from}` must be a path from the site root, e.g. \"/old/page.html\""
                    ),
                ));
            } else if let Some(scheme) = crate::url::unsafe_scheme(to.get_ref(), crate::url::Target::Link) {
                found.push(file.error_at(
                    at,
                    format!("output.html.redirect: the `{scheme}:` scheme is not allowed: use http(s) or a path"),
                ));
            } else {
                redirects.push((at, from, to.get_ref().clone()));
            }
        }
        redirects.sort();
        self.redirects = redirects.into_iter().map(|(_, from, to)| (from, to)).collect();
        found.sort_by_key(|d| d.position);
        found
    }

    /// A diagnostic as `[build] broken_links` wants it: about a broken link, an error or, in
    /// "warn" mode, a warning; anything else as it is.
    pub(crate) fn link_severity(&self, d: Diagnostic) -> Diagnostic {
        if d.link && self.build.broken_links == BrokenLinks::Warn {
            d.warning()
        } else {
            d
        }
    }

    /// mdBook's `[output.html.redirect]`, in file order: (old path from the site root, as
    /// written, e.g. `/old/page.html`; where it went, a URL or a path as written). Checked:
    /// no `..` in the old path, no script scheme in the new one.
    pub(crate) fn mdbook_redirects(&self) -> &[(String, String)] {
        &self.redirects
    }

    /// The "Edit this page" links, when book.toml has an `edit-url-template`.
    pub(crate) fn edit_links(&self) -> Option<EditLinks> {
        let template = self.output.html.edit_url_template.as_ref()?.get_ref().clone();
        let content = self.build.content.strip_prefix(&self.root).unwrap_or(&self.build.content);
        let content = content
            .components()
            .filter_map(|c| match c {
                std::path::Component::Normal(s) => Some(format!("{}/", s.to_string_lossy())),
                _ => None,
            })
            .collect();
        Some(EditLinks { template, content })
    }

    /// The files `additional-css` (first) and `additional-js` name: (where it is, its path
    /// from the handbook folder, the place in book.toml).
    pub(crate) fn additional_files(&self) -> [Vec<(PathBuf, String, std::ops::Range<usize>)>; 2] {
        let list = |files: &[Spanned<String>]| {
            files
                .iter()
                .filter_map(|f| {
                    let rel = handbook_relative(f.get_ref())?;
                    Some((self.root.join(&rel), rel, f.span()))
                })
                .collect()
        };
        [list(&self.output.html.additional_css), list(&self.output.html.additional_js)]
    }

    /// What `serve` watches besides the content, themes and matrix (absolute): the
    /// `extra-watch-dirs`, and the `additional-css` and `additional-js` files.
    pub(crate) fn extra_watched(&self) -> Vec<PathBuf> {
        let root = crate::abspath::absolute(&self.root);
        let dirs = self.build.extra_watch_dirs.iter().map(|d| root.join(d));
        let files = self.additional_files().into_iter().flatten().map(|(path, _, _)| crate::abspath::absolute(&path));
        dirs.chain(files).collect()
    }

    /// Whether the handbook is an mdBook book, whose pages mdBook published as `chapter.html`
    /// with mdBook's heading ids: it has a `SUMMARY.md` at the top of its content, or book.toml
    /// names its source folder with mdBook's `[book] src`.
    pub(crate) fn is_mdbook(&self) -> bool {
        self.book.src.is_some() || self.content_dir().join("SUMMARY.md").is_file()
    }

    /// The content folder as book.toml names it (relative to the handbook folder, `/`
    /// separated) with a trailing `/`, or nothing when it is the handbook folder itself: what
    /// messages put before a content-relative path so the user finds the file.
    pub(crate) fn content_shown(&self) -> String {
        let written = self.build.content.to_string_lossy().replace('\\', "/");
        let mut shown = written.trim_end_matches('/');
        while let Some(rest) = shown.strip_prefix("./") {
            shown = rest.trim_start_matches('/');
        }
        match shown {
            "" | "." => String::new(),
            _ => format!("{shown}/"),
        }
    }

    pub(crate) fn content_dir(&self) -> PathBuf {
        self.root.join(&self.build.content)
    }

    pub(crate) fn output_dir(&self) -> PathBuf {
        self.root.join(&self.build.output)
    }

    /// What the content walk must leave out besides hidden files: the output folder, and, when
    /// the content folder is the handbook folder itself (`content = "."`), book.toml.
    pub(crate) fn not_content(&self) -> NotContent {
        let content = crate::abspath::absolute(&self.content_dir());
        let root = crate::abspath::absolute(&self.root);
        NotContent {
            output: crate::abspath::absolute(&self.output_dir()),
            config_file: (content == root).then(|| root.join(CONFIG_FILE)),
            content,
        }
    }

    /// The matrix file as configured, or the default location (which may not exist).
    pub(crate) fn matrix_path(&self) -> PathBuf {
        match &self.build.matrix {
            Some(p) => self.root.join(p.get_ref()),
            None => self.content_dir().join("matrix.toml"),
        }
    }

    /// The site URL with a trailing slash, or "" when none is configured.
    pub(crate) fn base_url(&self) -> &str {
        self.site.base_url.as_ref().map_or("", |u| u.get_ref().as_str())
    }

    /// Stable id for browser-side storage keys.
    pub(crate) fn book_id(&self) -> String {
        match &self.book.id {
            Some(id) => id.get_ref().clone(),
            None => {
                let slug = crate::slug::slugify(&self.book.title);
                if slug.is_empty() {
                    "handbook".into()
                } else {
                    slug
                }
            }
        }
    }

    /// A diagnostic pointing at a spanned value of book.toml (or at its top when unspanned).
    pub(crate) fn error_at(&self, span: std::ops::Range<usize>, message: impl Into<String>) -> Diagnostic {
        Diagnostic::at(shown_path(&self.root), &self.source, span.start, message)
    }
}

/// mdBook's `edit-url-template` with what it needs to fill in `{path}`.
#[derive(Debug, Clone)]
pub(crate) struct EditLinks {
    template: String,
    /// The content folder from the handbook folder, with a trailing `/` ("" when they are one).
    content: String,
}

impl EditLinks {
    /// The link for the page made from the content-relative file `source`: `{path}` is the
    /// file's path from the handbook folder (`src/intro.md`), as mdBook has it, URL-encoded.
    pub(crate) fn url(&self, source: &str) -> String {
        let path = format!("{}{source}", self.content);
        self.template.replace("{path}", &crate::url::encode_path(&path))
    }
}

/// An absolute http(s) URL (nothing else may go into an href taken from book.toml).
fn is_web_url(value: &str) -> bool {
    let lower = value.trim_start().to_ascii_lowercase();
    (lower.starts_with("https://") || lower.starts_with("http://")) && !value.chars().any(char::is_control)
}

/// `path` (as written in book.toml) as a `/`-separated path inside the handbook folder, or
/// `None` when it is absolute, climbs out, or is not a plain file path.
fn handbook_relative(path: &str) -> Option<String> {
    if path.starts_with(['/', '\\']) || path.contains([':', '\\', '?', '#']) || path.chars().any(char::is_control) {
        return None;
    }
    let parts: Vec<&str> = path.split('/').filter(|s| !s.is_empty() && *s != ".").collect();
    if parts.is_empty() || parts.contains(&"..") {
        return None;
    }
    Some(parts.join("/"))
}

/// Does book.toml set `[build] content`?
fn content_key_given(text: &str) -> bool {
    toml::from_str::<toml::Table>(text).ok().and_then(|t| t.get("build")?.as_table()?.get("content").cloned()).is_some()
}

/// Paths inside the content folder that are not content (see [`Config::not_content`]).
pub(crate) struct NotContent {
    content: PathBuf,
    output: PathBuf,
    config_file: Option<PathBuf>,
}

impl NotContent {
    /// Is this path (relative to the content folder) to be skipped?
    pub(crate) fn skips(&self, rel: &Path) -> bool {
        let path = self.content.join(rel);
        path == self.output || self.config_file.as_ref() == Some(&path)
    }
}

/// book.toml as shown in messages: under the folder the command was given (`a3/x/book.toml`),
/// so the path works from where the command ran.
fn shown_path(root: &Path) -> PathBuf {
    let p = root.join(CONFIG_FILE);
    p.strip_prefix(".").map(Path::to_path_buf).unwrap_or(p)
}

/// The settings and the warnings about them (mdBook settings set aside), or every problem in
/// them (the errors, then those warnings).
fn deserialize(source: &str) -> Result<(Config, Vec<Problem>), Vec<Problem>> {
    let mut doc = DeTable::parse(source).map_err(|e| vec![problem(&e, 0)])?;
    let warnings = mdbook::set_aside(doc.get_mut());
    match Config::deserialize(toml::de::Deserializer::from(doc.clone())) {
        Ok(config) => Ok((config, warnings)),
        Err(e) => {
            let mut errors = every_error(doc.get_ref());
            if errors.is_empty() {
                errors.push(problem(&e, 0));
            }
            errors.extend(warnings);
            Err(errors)
        }
    }
}

/// Deserializes each `[section] key = value` on its own (the other fields take their defaults),
/// so a wrong type or an unknown key anywhere is found even when another comes first.
fn every_error(doc: &DeTable<'_>) -> Vec<Problem> {
    let alone = |name: &Spanned<toml::de::DeString<'_>>, value: Spanned<DeValue<'_>>, at: usize| {
        let mut part = DeTable::new();
        part.insert(name.clone(), value);
        Config::deserialize(ValueDeserializer::from(Spanned::new(0..0, DeValue::Table(part))))
            .err()
            .map(|e| problem(&e, at))
    };
    let mut errors = Vec::new();
    for (name, value) in doc {
        match value.get_ref() {
            DeValue::Table(section) if !section.is_empty() => {
                for (key, v) in section {
                    let mut one = DeTable::new();
                    one.insert(key.clone(), v.clone());
                    let at = key.span().start;
                    errors.extend(alone(name, Spanned::new(value.span(), DeValue::Table(one)), at));
                }
            }
            _ => errors.extend(alone(name, value.clone(), name.span().start)),
        }
    }
    errors.sort_by_key(|p| p.offset);
    errors
}

/// A TOML error where it happened, or at `fallback` when it has no place.
fn problem(e: &toml::de::Error, fallback: usize) -> Problem {
    Problem::error(e.span().map_or(fallback, |s| s.start), e.message().trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<Config, Vec<Diagnostic>> {
        Config::parse(Path::new("/book"), s.to_string()).map_err(ConfigError::into_diagnostics)
    }

    #[test]
    fn defaults_apply_to_an_empty_file() {
        let c = parse("").unwrap();
        assert_eq!(c.build.content, PathBuf::from("content"));
        assert_eq!(c.build.output, PathBuf::from("book"));
        assert_eq!(c.theme.name.get_ref(), "default");
        assert!(c.markdown.smart_punctuation);
        assert_eq!(c.base_url(), "");
    }

    #[test]
    fn unknown_key_is_reported_at_its_position() {
        let e = parse("[book]\ntitle = \"x\"\ntitel = \"y\"\n").unwrap_err();
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].position, Some((3, 1)));
        assert!(e[0].message.contains("titel"), "{}", e[0].message);
    }

    #[test]
    fn every_wrong_value_and_unknown_key_is_reported_in_one_run() {
        let text = "[book]\ntitle = 1\nauthors = \"me\"\n[markdown]\nsmart_punctuation = \"yes\"\ncolour = 2\n[nope]\n";
        let e = parse(text).unwrap_err();
        let places: Vec<_> = e.iter().map(|d| d.position.unwrap()).collect();
        assert_eq!(places, [(2, 9), (3, 11), (5, 21), (6, 1), (7, 2)], "{e:?}");
        assert!(e[3].message.contains("colour"), "{}", e[3].message);
        assert!(e.iter().all(|d| d.path == Path::new("/book/book.toml")), "{e:?}");
    }

    #[test]
    fn the_path_is_under_the_folder_given() {
        let e = Config::parse(Path::new("a3/x"), "[book]\ntitle = 1\n".into()).unwrap_err().into_diagnostics();
        assert_eq!(e[0].to_string().split(": ").next(), Some("a3/x/book.toml:2:9"));
        let e = Config::parse(Path::new("."), "[book]\ntitle = 1\n".into()).unwrap_err().into_diagnostics();
        assert_eq!(e[0].location(), "book.toml:2:9");
    }

    #[test]
    fn wrong_type_is_reported_at_the_value() {
        let e = parse("[markdown]\nsmart_punctuation = \"yes\"\n").unwrap_err();
        assert_eq!(e[0].position, Some((2, 21)));
    }

    #[test]
    fn base_url_must_be_absolute_and_gets_a_trailing_slash() {
        let e = parse("[site]\nbase_url = \"docs/\"\n").unwrap_err();
        assert_eq!(e[0].position, Some((2, 12)));
        let c = parse("[site]\nbase_url = \"https://x.org/docs\"\n").unwrap();
        assert_eq!(c.base_url(), "https://x.org/docs/");
    }

    #[test]
    fn search_boosts_default_and_must_be_zero_or_more() {
        assert_eq!(parse("").unwrap().search.boosts(), (3.0, 2.0));
        let c = parse("[search]\nboost_title = 0\nboost_heading = 1.5\n").unwrap();
        assert_eq!(c.search.boosts(), (0.0, 1.5));
        let e = parse("[search]\nboost_heading = -1.0\nboost_title = nan\n").unwrap_err();
        assert_eq!(e.len(), 2, "{e:?}");
        assert_eq!(e[0].position, Some((3, 15)));
        assert!(e[0].message.contains("search.boost_title"), "{}", e[0].message);
        assert_eq!(e[1].position, Some((2, 17)));
    }

    #[test]
    fn a_theme_name_is_a_plain_folder_name() {
        for bad in ["../../x", "a/b", "..", ".", "", "/etc", ".hidden", "a\\b"] {
            let e = parse(&format!("[theme]\nname = {bad:?}\n")).unwrap_err();
            assert_eq!(e[0].position, Some((2, 8)), "{bad}");
            assert!(e[0].message.contains("themes/"), "{}", e[0].message);
        }
        assert!(parse("[theme]\nname = \"our-theme_2\"\n").is_ok());
    }

    #[test]
    fn with_content_at_the_root_the_walk_skips_output_and_book_toml() {
        let tmp = tempfile::tempdir().unwrap();
        let c = Config::parse(tmp.path(), "[build]\ncontent = \".\"\noutput = \"site\"\n".into()).unwrap();
        let skip = c.not_content();
        assert!(skip.skips(Path::new("site")) && skip.skips(Path::new("book.toml")));
        assert!(!skip.skips(Path::new("guide")) && !skip.skips(Path::new("guide/book.toml")));
        let c = Config::parse(tmp.path(), String::new()).unwrap();
        assert!(!c.not_content().skips(Path::new("book.toml")), "content/book.toml is a page asset");
    }

    #[test]
    fn mdbook_keys_with_a_stagebook_meaning_are_put_in_effect() {
        let text = "[book]\nsrc = \"src\"\nmultilingual = false\n[build]\nbuild-dir = \"site\"\n\
                    extra-watch-dirs = [\"listings\"]\nbroken_links = \"warn\"\n[output.html]\n\
                    edit-url-template = \"https://git.example/o/r/edit/main/guide/{path}\"\n\
                    site-url = \"/guide\"\ndefault-theme = \"navy\"\nadditional-css = [\"./theme/x.css\"]\n\
                    [output.html.redirect]\n\"/z-old.html\" = \"new.html\"\n\"/a-old.html\" = \"https://x.org/\"\n\
                    \"m-old.html\" = \"new.html\"\n";
        let c = parse(text).unwrap();
        assert!(c.warnings.is_empty(), "{:?}", c.warnings);
        assert_eq!((c.build.content.as_path(), c.build.output.as_path()), (Path::new("src"), Path::new("site")));
        assert_eq!(c.build.broken_links, BrokenLinks::Warn);
        assert_eq!(c.extra_watched()[0], Path::new("/book/listings"));
        let edit = c.edit_links().unwrap();
        assert_eq!(edit.url("a b/intro.md"), "https://git.example/o/r/edit/main/guide/src/a%20b/intro.md");
        assert_eq!(c.output.html.site_url.as_ref().unwrap().get_ref(), "/guide/");
        let [css, js] = c.additional_files();
        assert_eq!((css[0].0.as_path(), css[0].1.as_str()), (Path::new("/book/theme/x.css"), "theme/x.css"));
        assert!(js.is_empty());
        // File order, not key order.
        let redirects: Vec<(&str, &str)> = c.mdbook_redirects().iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        // Without its leading `/` (as the Rust book writes them) the old path is still from the root.
        assert_eq!(
            redirects,
            [("/z-old.html", "new.html"), ("/a-old.html", "https://x.org/"), ("/m-old.html", "new.html")]
        );
    }

    #[test]
    fn mdbook_values_that_would_be_unsafe_are_errors_at_their_place() {
        let text = "[build]\nbuild-dir = \"x\"\noutput = \"y\"\n[output.html]\n\
                    edit-url-template = \"javascript:alert(1)//{path}\"\ngit-repository-url = \"/repo\"\n\
                    additional-js = [\"../../etc/passwd\", \"/abs.js\"]\nsite-url = \"//evil.org/\"\n\
                    default-theme = \"purple\"\n[output.html.redirect]\n\"/../x.html\" = \"a.html\"\n\
                    \"/y.html\" = \"javascript:alert(1)\"\n";
        let e = parse(text).unwrap_err();
        let errors: Vec<_> = e.iter().filter(|d| d.is_error()).map(|d| d.position.unwrap().0).collect();
        assert_eq!(errors, [2, 5, 6, 7, 7, 8, 11, 12], "{e:#?}");
        let warnings: Vec<_> = e.iter().filter(|d| !d.is_error()).collect();
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(warnings[0].message.contains("purple"), "{}", warnings[0].message);
    }

    #[test]
    fn ignored_mdbook_keys_are_warnings_and_typos_stay_errors_all_in_one_run() {
        let text = "[book]\ntitle = \"G\"\n[rust]\nedition = \"2018\"\n[preprocessor.index]\n\
                    [output.html]\nmathjax-support = true\n[output.html.playground]\nrunnable = false\n";
        let c = parse(text).unwrap();
        let places: Vec<_> = c.warnings.iter().map(|d| (d.position.unwrap(), d.is_error())).collect();
        assert_eq!(places, [((4, 1), false), ((5, 15), false), ((7, 1), false), ((8, 14), false)]);
        assert!(c.warnings.iter().all(|d| d.message.starts_with("ignored: mdBook setting")));
        // A key neither stagebook's nor mdBook's is still an error, with the others reported too.
        let e =
            parse(&format!("{text}[ouptut]\n[build]\ncreate-mising = true\nbroken_links = \"maybe\"\n")).unwrap_err();
        let errors: Vec<_> = e.iter().filter(|d| d.is_error()).map(|d| d.position.unwrap()).collect();
        assert_eq!(errors, [(10, 2), (12, 1), (13, 16)], "{e:#?}");
        assert_eq!(e.iter().filter(|d| !d.is_error()).count(), 4, "the warnings go along: {e:#?}");
    }

    #[test]
    fn mdbook_src_names_the_content_folder_and_may_not_be_given_with_content() {
        let c = parse("[book]\nsrc = \"docs/src\"\n").unwrap();
        assert_eq!(c.build.content, PathBuf::from("docs/src"));
        assert_eq!(c.content_dir(), PathBuf::from("/book/docs/src"));
        let e = parse("[book]\nsrc = \"src\"\n[build]\ncontent = \"content\"\n").unwrap_err();
        assert_eq!(e.len(), 1, "{e:?}");
        assert_eq!(e[0].position, Some((2, 7)));
        assert!(e[0].message.contains("keep one"), "{}", e[0].message);
    }

    #[test]
    fn an_mdbook_book_gets_mdbooks_heading_ids_and_any_other_handbook_githubs() {
        use crate::slug::IdRule;
        let tmp = tempfile::tempdir().unwrap();
        let rule = || Config::load(tmp.path()).unwrap().markdown.heading_ids;
        std::fs::write(tmp.path().join("book.toml"), "[book]\ntitle = \"x\"\n").unwrap();
        std::fs::create_dir(tmp.path().join("content")).unwrap();
        assert_eq!(rule(), IdRule::GitHub);
        std::fs::write(tmp.path().join("content/SUMMARY.md"), "").unwrap();
        assert_eq!(rule(), IdRule::MdBook);
        std::fs::remove_file(tmp.path().join("content/SUMMARY.md")).unwrap();
        std::fs::write(tmp.path().join("book.toml"), "[book]\nsrc = \"content\"\n").unwrap();
        assert_eq!(rule(), IdRule::MdBook);
    }

    #[test]
    fn the_content_folder_is_shown_as_book_toml_names_it() {
        let shown = |toml: &str| parse(toml).unwrap().content_shown();
        assert_eq!(shown(""), "content/");
        assert_eq!(shown("[book]\nsrc = \"src\"\n"), "src/");
        assert_eq!(shown("[build]\ncontent = \"./docs/handbook/\"\n"), "docs/handbook/");
        assert_eq!(shown("[build]\ncontent = \".\"\n"), "");
    }

    #[test]
    fn without_either_key_an_mdbook_layout_reads_src() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(tmp.path().join("book.toml"), "[book]\ntitle = \"x\"\n").unwrap();
        assert_eq!(Config::load(tmp.path()).unwrap().build.content, PathBuf::from("content"));
        std::fs::create_dir(tmp.path().join("src")).unwrap();
        std::fs::write(tmp.path().join("src/SUMMARY.md"), "").unwrap();
        assert_eq!(Config::load(tmp.path()).unwrap().build.content, PathBuf::from("src"));
        // A content folder, or a key, wins.
        std::fs::create_dir(tmp.path().join("content")).unwrap();
        assert_eq!(Config::load(tmp.path()).unwrap().build.content, PathBuf::from("content"));
        std::fs::remove_dir(tmp.path().join("content")).unwrap();
        std::fs::write(tmp.path().join("book.toml"), "[build]\ncontent = \"pages\"\n").unwrap();
        assert_eq!(Config::load(tmp.path()).unwrap().build.content, PathBuf::from("pages"));
    }

    #[test]
    fn book_id_defaults_to_a_slug_of_the_title() {
        let c = parse("[book]\ntitle = \"Our Ops Handbook!\"\n").unwrap();
        assert_eq!(c.book_id(), "our-ops-handbook");
    }
}
