//! The theme's files: the default theme built into the binary, overlaid file by file with the
//! handbook's own `themes/<name>/` folder.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::diagnostics::Diagnostic;

include!(concat!(env!("OUT_DIR"), "/default_theme.rs"));

/// Where a theme file's bytes come from.
#[derive(Debug, Clone)]
pub(crate) enum Source {
    BuiltIn(&'static [u8]),
    File(PathBuf),
}

impl Source {
    pub(crate) fn read(&self) -> std::io::Result<std::borrow::Cow<'static, [u8]>> {
        match self {
            Source::BuiltIn(b) => Ok(std::borrow::Cow::Borrowed(b)),
            Source::File(p) => std::fs::read(p).map(std::borrow::Cow::Owned),
        }
    }
}

/// One file of the theme, with the path to show in messages about it.
#[derive(Debug, Clone)]
pub(crate) struct ThemeFile {
    pub source: Source,
    pub shown: PathBuf,
}

/// The resolved theme: templates by name and static files by path under `static/`.
#[derive(Debug, Clone, Default)]
pub(crate) struct Theme {
    pub templates: BTreeMap<String, ThemeFile>,
    pub statics: BTreeMap<String, ThemeFile>,
    /// Translation tables by language (`i18n/<lang>.toml`, the name lowercased): the built-in
    /// table first, then the handbook's, which overrides it key by key (not file by file, so a
    /// handbook changes one string without copying the rest).
    pub i18n: BTreeMap<String, Vec<ThemeFile>>,
    /// The theme's folder name under `themes/` (`default` for the built-in one).
    pub name: String,
}

impl Theme {
    /// Built-in files first, then every file of `<book>/themes/<name>/` replacing or adding to them.
    pub(crate) fn load(config: &Config) -> Result<Theme, Vec<Diagnostic>> {
        let mut theme = Theme::built_in();
        let name = config.theme.name.get_ref();
        theme.name = name.clone();
        let dir = config.root.join("themes").join(name);
        if !dir.is_dir() {
            if name != "default" {
                return Err(vec![config.error_at(
                    config.theme.name.span(),
                    format!("theme folder themes/{name}/ not found in {}", config.root.display()),
                )]);
            }
            return Ok(theme);
        }
        // A theme folder that is a symbolic link out of the handbook would publish whatever it
        // points at.
        let root = config.root.canonicalize().unwrap_or_else(|_| config.root.clone());
        match dir.canonicalize() {
            Ok(real) if real.starts_with(&root) => {}
            real => {
                let to = real.map(|r| format!(" (to {})", r.display())).unwrap_or_default();
                return Err(vec![config.error_at(
                    config.theme.name.span(),
                    format!(
                        "themes/{name}/ is a symbolic link out of the handbook folder{to}; a theme must live inside it"
                    ),
                )]);
            }
        }
        let mut errors = Vec::new();
        for entry in walkdir::WalkDir::new(&dir).sort_by_file_name() {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    errors.push(Diagnostic::error(dir.clone(), format!("cannot read theme: {e}")));
                    continue;
                }
            };
            if !entry.file_type().is_file() || entry.file_name().to_string_lossy().starts_with('.') {
                continue;
            }
            let rel = entry.path().strip_prefix(&dir).unwrap_or(entry.path()).to_string_lossy().replace('\\', "/");
            let shown = entry.path().strip_prefix(".").unwrap_or(entry.path()).to_path_buf();
            theme.insert(&rel, ThemeFile { source: Source::File(entry.path().to_path_buf()), shown });
        }
        if errors.is_empty() {
            Ok(theme)
        } else {
            Err(errors)
        }
    }

    /// The files built into the binary.
    pub(crate) fn built_in() -> Theme {
        let mut theme = Theme { name: "default".into(), ..Theme::default() };
        for (rel, bytes) in DEFAULT_THEME {
            let file = ThemeFile { source: Source::BuiltIn(bytes), shown: Path::new("themes/default").join(rel) };
            theme.insert(rel, file);
        }
        theme
    }

    fn insert(&mut self, rel: &str, file: ThemeFile) {
        if let Some(name) = rel.strip_prefix("templates/") {
            self.templates.insert(name.to_string(), file);
        } else if let Some(name) = rel.strip_prefix("static/") {
            self.statics.insert(name.to_string(), file);
        } else if let Some(lang) = rel.strip_prefix("i18n/").and_then(|n| n.strip_suffix(".toml")) {
            if !lang.contains('/') {
                self.i18n.entry(lang.to_ascii_lowercase()).or_default().push(file);
            }
        }
    }
}

/// What a theme script is published as: without its comment lines and the indentation of the
/// others. Pages carry their scripts' bytes to every reader (the stage pages load about 30 KB),
/// and the comments and indentation that make the code readable in the theme folder help no
/// reader. Only whole lines and leading spaces go: `// …` lines and `/* … */` blocks that start
/// and end lines, so code, strings and regular expressions are untouched and every line break
/// stays (a multi-line string or template literal would lose its lines' indentation, or a line
/// starting with `//`: theme scripts keep strings on one line). Other files are published as
/// they are.
pub(crate) fn published<'a>(rel: &str, bytes: std::borrow::Cow<'a, [u8]>) -> std::borrow::Cow<'a, [u8]> {
    if !rel.ends_with(".js") {
        return bytes;
    }
    let Ok(text) = std::str::from_utf8(&bytes) else { return bytes };
    let mut out = String::with_capacity(text.len());
    let mut in_block = false;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim();
        if in_block {
            if let Some(end) = line.find("*/") {
                in_block = false;
                let rest = &line[end + 2..];
                if !rest.trim().is_empty() {
                    out.push_str(rest);
                }
            }
            continue;
        }
        if trimmed.starts_with("//") {
            continue;
        }
        if let Some(body) = trimmed.strip_prefix("/*") {
            match body.find("*/") {
                Some(end) if body[end + 2..].trim().is_empty() => continue,
                Some(_) => {}
                None => {
                    in_block = true;
                    continue;
                }
            }
        }
        out.push_str(line.trim_start_matches([' ', '\t']));
    }
    std::borrow::Cow::Owned(out.into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_are_published_without_comment_lines_or_indentation() {
        let js = "/* header\n   more */\n\"use strict\";\n  // a note\nconst a = \"// not a comment\"; // kept\nconst r = /\\/\\//;\n  /* one line */\nx(/* inline */ 1);\n/* c */ y();\nif (a) {\n\t  b(\"  two  spaces \");\n  }\n";
        let out = published("static/a.js", std::borrow::Cow::Borrowed(js.as_bytes()));
        assert_eq!(
            std::str::from_utf8(&out).unwrap(),
            "\"use strict\";\nconst a = \"// not a comment\"; // kept\nconst r = /\\/\\//;\nx(/* inline */ 1);\n/* c */ y();\nif (a) {\nb(\"  two  spaces \");\n}\n"
        );
        let css = "/* kept */\n";
        assert_eq!(&*published("static/a.css", std::borrow::Cow::Borrowed(css.as_bytes())), css.as_bytes());
    }

    #[test]
    fn default_theme_is_embedded() {
        let names: Vec<&str> = DEFAULT_THEME.iter().map(|(n, _)| *n).collect();
        for required in [
            "templates/base.html",
            "templates/page.html",
            "templates/section.html",
            "templates/index.html",
            "templates/404.html",
        ] {
            assert!(names.contains(&required), "missing {required} in {names:?}");
        }
    }
}
