//! `stagebook init`: a minimal handbook that builds, so a new user starts from something
//! working rather than from the documentation.

use std::path::{Path, PathBuf};

/// The files `init` writes, relative to the new handbook folder. `{title}` is replaced.
const ENGLISH: &[(&str, &str)] = &[
    ("book.toml", include_str!("scaffold/book.toml")),
    ("content/_index.md", include_str!("scaffold/content/_index.md")),
    ("content/getting-started.md", include_str!("scaffold/content/getting-started.md")),
    ("content/matrix.toml", include_str!("scaffold/content/matrix.toml")),
];

/// The French sample: its own prose, not a translation word for word.
const FRENCH: &[(&str, &str)] = &[
    ("book.toml", include_str!("scaffold/fr/book.toml")),
    ("content/_index.md", include_str!("scaffold/fr/content/_index.md")),
    ("content/premiers-pas.md", include_str!("scaffold/fr/content/premiers-pas.md")),
    ("content/matrix.toml", include_str!("scaffold/fr/content/matrix.toml")),
];

/// The sample's title when none is given, in the sample's language.
pub fn default_title(language: &str) -> &'static str {
    if is_french(language) {
        "Manuel d’ingénierie"
    } else {
        "Engineering handbook"
    }
}

fn is_french(language: &str) -> bool {
    let l = language.to_ascii_lowercase();
    l == "fr" || l.starts_with("fr-") || l.starts_with("fr_")
}

#[derive(Debug, thiserror::Error)]
pub enum InitError {
    #[error("{}: already exists; init never overwrites files (choose an empty or new folder)", .0.display())]
    Exists(PathBuf),
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: std::io::Error },
    #[error("`{0}` is not a language tag (letters, digits and `-`, like `fr` or `pt-BR`)")]
    Language(String),
}

/// Writes a new handbook in `language` into `dir` (created if needed) and returns the files
/// written. French has its own sample; another language gets the English sample with its
/// `[book] language` set, so the interface around it is in that language.
pub fn init(dir: &Path, title: &str, language: &str) -> Result<Vec<PathBuf>, InitError> {
    let tag_ok = !language.is_empty()
        && language.len() <= 35
        && language.split(['-', '_']).all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric()));
    if !tag_ok {
        return Err(InitError::Language(language.to_string()));
    }
    let files = if is_french(language) { FRENCH } else { ENGLISH };
    let targets: Vec<PathBuf> = files.iter().map(|(rel, _)| dir.join(rel)).collect();
    if let Some(existing) = targets.iter().find(|p| p.exists()) {
        return Err(InitError::Exists(existing.clone()));
    }
    // TOML basic strings and markdown both accept the title once quotes and backslashes are escaped.
    let title = title.replace('\\', "\\\\").replace('"', "\\\"");
    for ((rel, text), path) in files.iter().zip(&targets) {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|source| InitError::Io { path: parent.to_path_buf(), source })?;
        }
        let mut text = text.replace("{title}", &title);
        if *rel == "book.toml" {
            text = text.replacen("language = \"en\"", &format!("language = \"{language}\""), 1);
            text = text.replacen("language = \"fr\"", &format!("language = \"{language}\""), 1);
        }
        std::fs::write(path, text).map_err(|source| InitError::Io { path: path.clone(), source })?;
    }
    Ok(targets)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_to_overwrite() {
        let tmp = tempfile::tempdir().unwrap();
        init(tmp.path(), "A", "en").unwrap();
        assert!(matches!(init(tmp.path(), "A", "en"), Err(InitError::Exists(_))));
    }

    #[test]
    fn the_language_picks_the_sample_and_is_written_to_book_toml() {
        let tmp = tempfile::tempdir().unwrap();
        init(&tmp.path().join("fr"), default_title("fr-CA"), "fr-CA").unwrap();
        let book = std::fs::read_to_string(tmp.path().join("fr/book.toml")).unwrap();
        assert!(book.contains("title = \"Manuel d’ingénierie\"") && book.contains("language = \"fr-CA\""), "{book}");
        assert!(tmp.path().join("fr/content/premiers-pas.md").exists());
        init(&tmp.path().join("de"), "Handbuch", "de").unwrap();
        let book = std::fs::read_to_string(tmp.path().join("de/book.toml")).unwrap();
        assert!(book.contains("language = \"de\""), "{book}");
        assert!(tmp.path().join("de/content/getting-started.md").exists());
        for bad in ["", "fr\"", "a b", "fr--x"] {
            assert!(matches!(init(&tmp.path().join("x"), "T", bad), Err(InitError::Language(_))), "{bad:?}");
        }
    }
}
