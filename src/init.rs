//! `stagebook init`: a minimal handbook that builds, so a new user starts from something
//! working rather than from the documentation.

use std::path::{Path, PathBuf};

/// The files `init` writes, relative to the new handbook folder. `{title}` is replaced.
const FILES: &[(&str, &str)] = &[
    ("book.toml", include_str!("scaffold/book.toml")),
    ("content/_index.md", include_str!("scaffold/content/_index.md")),
    ("content/getting-started.md", include_str!("scaffold/content/getting-started.md")),
    ("content/matrix.toml", include_str!("scaffold/content/matrix.toml")),
];

#[derive(Debug, thiserror::Error)]
pub enum InitError {
    #[error("{}: already exists; init never overwrites files (choose an empty or new folder)", .0.display())]
    Exists(PathBuf),
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: std::io::Error },
}

/// Writes a new handbook into `dir` (created if needed) and returns the files written.
pub fn init(dir: &Path, title: &str) -> Result<Vec<PathBuf>, InitError> {
    let targets: Vec<PathBuf> = FILES.iter().map(|(rel, _)| dir.join(rel)).collect();
    if let Some(existing) = targets.iter().find(|p| p.exists()) {
        return Err(InitError::Exists(existing.clone()));
    }
    // TOML basic strings and markdown both accept the title once quotes and backslashes are escaped.
    let title = title.replace('\\', "\\\\").replace('"', "\\\"");
    for ((_, text), path) in FILES.iter().zip(&targets) {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|source| InitError::Io { path: parent.to_path_buf(), source })?;
        }
        std::fs::write(path, text.replace("{title}", &title))
            .map_err(|source| InitError::Io { path: path.clone(), source })?;
    }
    Ok(targets)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_to_overwrite() {
        let tmp = tempfile::tempdir().unwrap();
        init(tmp.path(), "A").unwrap();
        assert!(matches!(init(tmp.path(), "A"), Err(InitError::Exists(_))));
    }
}
