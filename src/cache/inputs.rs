//! Every file a build may read, by content: the handbook folder (as the content walk sees it:
//! `.gitignore`d folders left out, hidden files kept), the theme folders, book.toml, the
//! matrix, `additional-css`/`-js` files and the files pages included last time. A file's hash
//! is taken again unless its identity on disk (size, times, inode) is exactly what it was
//! when last hashed and that was not within [`RACY`] of its last change, so a save in the same
//! clock tick as the last build is still seen (git's "racy clean" problem).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::stamp::Stamp;
use super::{hex, Digest};

/// A file changed this close to when it was hashed is hashed again by the next build.
const RACY: Duration = Duration::from_secs(2);

/// One file (or folder, or missing file) the build may read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Entry {
    pub(crate) path: PathBuf,
    pub(crate) stamp: Stamp,
    /// xxh3-128 of the bytes, `dir`, `missing` or `link:<target>` (for a link the walk does not follow).
    pub(crate) hash: String,
    /// Changed within [`RACY`] of being hashed: its stamp proves nothing.
    pub(crate) racy: bool,
}

/// Where to look.
pub(crate) struct Sources {
    /// Walked as the content walk does (`.gitignore`s apply).
    pub(crate) walked: Vec<PathBuf>,
    /// Walked whole (the theme folders, which Theme::load reads whole).
    pub(crate) whole: Vec<PathBuf>,
    /// Single files, present or not (book.toml, the matrix, included files).
    pub(crate) files: Vec<PathBuf>,
    /// Never looked into: the output folder, its state folder, the cache, `.git`.
    pub(crate) skipped: Vec<PathBuf>,
}

/// The inputs found, sorted by path.
pub(crate) struct Table {
    pub(crate) entries: Vec<Entry>,
}

impl Table {
    /// What the inputs hold: equal digests, equal bytes in every file at every path.
    pub(crate) fn digest(&self) -> Digest {
        let mut h = xxhash_rust::xxh3::Xxh3::new();
        for e in &self.entries {
            h.update(e.path.as_os_str().as_encoded_bytes());
            h.update(&[0]);
            h.update(e.hash.as_bytes());
            h.update(&[0]);
        }
        h.digest128()
    }
}

/// Finds and hashes the inputs, reusing `previous` hashes of files whose stamp did not change.
pub(crate) fn scan(sources: &Sources, previous: &[Entry]) -> Table {
    let now = SystemTime::now();
    let mut found: BTreeMap<PathBuf, ()> = BTreeMap::new();
    for dir in &sources.walked {
        walk(dir, true, &sources.skipped, &mut found);
    }
    for dir in &sources.whole {
        walk(dir, false, &sources.skipped, &mut found);
    }
    for file in &sources.files {
        found.insert(file.clone(), ());
    }
    let known: std::collections::HashMap<&Path, &Entry> = previous.iter().map(|e| (e.path.as_path(), e)).collect();
    let paths: Vec<PathBuf> = found.into_keys().collect();
    let entries = paths
        .into_par_iter()
        .map(|path| {
            let meta = std::fs::metadata(&path);
            let stamp = meta.as_ref().map(Stamp::of).unwrap_or_default();
            let racy = stamp.within(now, RACY);
            let hash = match known.get(path.as_path()) {
                Some(old) if !old.racy && old.stamp == stamp && meta.is_ok() => old.hash.clone(),
                _ => hash_of(&path, meta.ok().as_ref()),
            };
            Entry { path, stamp, hash, racy }
        })
        .collect();
    Table { entries }
}

/// A folder's files and subfolders into `found`; symbolic links are followed as the content
/// walk follows them (only inside the handbook), with a link out recorded by its target.
fn walk(dir: &Path, gitignore: bool, skipped: &[PathBuf], found: &mut BTreeMap<PathBuf, ()>) {
    if !dir.is_dir() {
        found.insert(dir.to_path_buf(), ());
        return;
    }
    let mut walk = ignore::WalkBuilder::new(dir);
    walk.standard_filters(false).git_ignore(gitignore).require_git(false).follow_links(true);
    let skipped = skipped.to_vec();
    walk.filter_entry(move |e| e.file_name() != ".git" && !skipped.iter().any(|s| e.path() == s));
    for entry in walk.build().flatten() {
        found.insert(entry.into_path(), ());
    }
}

fn hash_of(path: &Path, meta: Option<&std::fs::Metadata>) -> String {
    match meta {
        None => match std::fs::read_link(path) {
            Ok(target) => format!("link:{}", target.display()),
            Err(_) => "missing".to_string(),
        },
        Some(m) if m.is_dir() => "dir".to_string(),
        Some(_) => match std::fs::read(path) {
            Ok(bytes) => hex(xxhash_rust::xxh3::xxh3_128(&bytes)),
            // Unreadable now: never equal to what a later, readable file holds.
            Err(e) => format!("unreadable:{}", e.kind()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sources(dir: &Path) -> Sources {
        Sources { walked: vec![dir.to_path_buf()], whole: vec![], files: vec![], skipped: vec![dir.join("out")] }
    }

    #[test]
    fn a_same_size_edit_in_the_same_tick_changes_the_digest() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(tmp.path().join("a.md"), "one").unwrap();
        let first = scan(&sources(tmp.path()), &[]);
        // Just written: racy, so the next scan hashes it again even with an equal stamp.
        assert!(first.entries.iter().any(|e| e.path.ends_with("a.md") && e.racy));
        std::fs::write(tmp.path().join("a.md"), "two").unwrap();
        let second = scan(&sources(tmp.path()), &first.entries);
        assert_ne!(first.digest(), second.digest());
    }

    #[test]
    fn skipped_and_ignored_folders_are_not_inputs() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(tmp.path().join("out")).unwrap();
        std::fs::create_dir_all(tmp.path().join("target")).unwrap();
        std::fs::write(tmp.path().join(".gitignore"), "target/\n").unwrap();
        std::fs::write(tmp.path().join("a.md"), "one").unwrap();
        let before = scan(&sources(tmp.path()), &[]);
        std::fs::write(tmp.path().join("out/index.html"), "x").unwrap();
        std::fs::write(tmp.path().join("target/big"), "x").unwrap();
        let after = scan(&sources(tmp.path()), &before.entries);
        assert_eq!(before.digest(), after.digest());
        std::fs::write(tmp.path().join("b.md"), "").unwrap();
        assert_ne!(after.digest(), scan(&sources(tmp.path()), &after.entries).digest());
    }

    #[test]
    fn a_missing_file_and_an_empty_one_differ() {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("matrix.toml");
        let s = Sources { walked: vec![], whole: vec![], files: vec![file.clone()], skipped: vec![] };
        let missing = scan(&s, &[]);
        std::fs::write(&file, "").unwrap();
        assert_ne!(missing.digest(), scan(&s, &missing.entries).digest());
    }
}
