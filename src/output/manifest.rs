//! The list of files stagebook wrote into an output folder, kept inside it. Only files on the
//! list are ever replaced or removed; everything else in the folder (a `CNAME`, a `.git`, notes)
//! belongs to someone else and is carried over by every build.

use std::collections::HashSet;
use std::io;
use std::path::Path;

use serde::{Deserialize, Serialize};

/// The manifest's file name, at the top of the output folder.
pub(crate) const FILE: &str = ".stagebook-manifest";

#[derive(Serialize)]
struct Stored<'a> {
    /// What this file is, for someone who opens it.
    about: &'a str,
    files: Vec<&'a str>,
}

/// Other keys are ignored, so a later version can add some.
#[derive(Deserialize)]
struct Loaded {
    files: Vec<String>,
}

const ABOUT: &str = "Files written by stagebook into this folder; stagebook never changes any other file here.";

/// Reads the manifest of `dir`: `Ok(None)` when it has none.
pub(crate) fn read(dir: &Path) -> io::Result<Option<HashSet<String>>> {
    let bytes = match std::fs::read(dir.join(FILE)) {
        Ok(b) => b,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let stored: Loaded = serde_json::from_slice(&bytes)
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, format!("{FILE} is not a stagebook manifest ({e})")))?;
    Ok(Some(stored.files.into_iter().filter(|f| is_safe(f)).collect()))
}

/// The manifest's bytes for these files, sorted so equal sites give equal manifests.
pub(crate) fn render(files: &[String]) -> Vec<u8> {
    let mut sorted: Vec<&str> = files.iter().map(String::as_str).collect();
    sorted.sort_unstable();
    let stored = Stored { about: ABOUT, files: sorted };
    let mut bytes = serde_json::to_vec_pretty(&stored).expect("a list of strings serialises");
    bytes.push(b'\n');
    bytes
}

/// An entry that names a file inside the folder: a hand-edited manifest listing `../x` or `/x`
/// must not make stagebook think it owns files elsewhere.
fn is_safe(rel: &str) -> bool {
    !rel.is_empty()
        && rel != FILE
        && !rel.starts_with('/')
        && !rel.contains('\\')
        && rel.split('/').all(|part| !part.is_empty() && part != "." && part != "..")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_manifests_read_back() {
        let tmp = tempfile::tempdir().unwrap();
        assert!(read(tmp.path()).unwrap().is_none());
        let files = vec!["b/index.html".to_string(), "a \"quoted\"\nname.png".to_string()];
        std::fs::write(tmp.path().join(FILE), render(&files)).unwrap();
        let back = read(tmp.path()).unwrap().unwrap();
        assert_eq!(back, files.into_iter().collect());
    }

    #[test]
    fn entries_outside_the_folder_are_ignored() {
        let tmp = tempfile::tempdir().unwrap();
        let files: Vec<String> = ["../x", "/etc/passwd", "a/../../b", "ok.html", "", ".stagebook-manifest"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        std::fs::write(tmp.path().join(FILE), render(&files)).unwrap();
        assert_eq!(read(tmp.path()).unwrap().unwrap(), HashSet::from(["ok.html".to_string()]));
    }

    #[test]
    fn a_damaged_manifest_is_an_error() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(tmp.path().join(FILE), "not json").unwrap();
        assert_eq!(read(tmp.path()).unwrap_err().kind(), io::ErrorKind::InvalidData);
    }
}
