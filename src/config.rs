//! `book.toml`: the handbook's settings.
//!
//! Parsed with serde and `deny_unknown_fields`, so a misspelt key is an error at its line and
//! column instead of a silently ignored setting. serde stops at the first error, so a file that
//! fails is read again one key at a time ([`every_error`]): one run reports every bad key and value.

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
    /// Folder holding book.toml; every relative path in the config is relative to it.
    #[serde(skip)]
    pub root: PathBuf,
    /// The text of book.toml, kept so later checks can point into it.
    #[serde(skip)]
    pub source: String,
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
    /// Language of the text: English ("en") gets stemming and stop words; others are indexed
    /// word for word. Defaults to `[book] language`.
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
        }
    }
}
impl Default for BuildConfig {
    fn default() -> Self {
        BuildConfig { content: default_content(), output: default_output(), matrix: None, drafts: false }
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
        Ok(config)
    }

    /// Parses book.toml text; `root` is the folder it belongs to.
    pub(crate) fn parse(root: &Path, source: String) -> Result<Config, ConfigError> {
        let file = SourceFile::new(shown_path(root), source);
        let mut config: Config = deserialize(file.text())
            .map_err(|errors| ConfigError::Invalid(errors.into_iter().map(|p| file.diagnostic(p)).collect()))?;
        config.root = root.to_path_buf();
        let errors = config.validate(&file);
        config.source = file.text().to_string();
        if errors.is_empty() {
            Ok(config)
        } else {
            Err(ConfigError::Invalid(errors))
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

/// The settings, or every problem in them.
fn deserialize(source: &str) -> Result<Config, Vec<Problem>> {
    toml::from_str(source).map_err(|e| {
        let errors = DeTable::parse(source).map(|doc| every_error(doc.get_ref())).unwrap_or_default();
        if errors.is_empty() {
            vec![problem(&e, 0)]
        } else {
            errors
        }
    })
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
