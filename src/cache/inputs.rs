//! Every file a build may read, by identity on disk: the handbook folder (as the content walk
//! sees it: `.gitignore`d folders left out, hidden files kept), the theme folders, book.toml,
//! the matrix, `additional-css`/`-js` files and the files pages included last time. A file
//! counts as unchanged when its stamp (size, modification and change times, inode) is exactly
//! what it was, as Cargo and git judge files, so an unchanged rebuild reads none of them.
//! A file changed within [`RACY`] of being stamped is also hashed, then and by the next build,
//! so a same-size save in the same clock tick as the last build is still seen (git's "racy
//! clean" problem). Folders count by name only: their times change whenever a build writes
//! beside them.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::hex;
use super::look::look_all;
use super::stamp::Stamp;

/// A file changed this close to when it was hashed is hashed again by the next build.
const RACY: Duration = Duration::from_secs(2);

/// One file (or folder, or missing file) the build may read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Entry {
    pub(crate) path: PathBuf,
    pub(crate) stamp: Stamp,
    /// For a file changed close to when it was stamped (now or last time), xxh3-128 of its
    /// bytes; `dir`, `missing` or `link:<target>` (a link to nothing); otherwise empty: the
    /// stamp stands for the bytes.
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
    /// The folder most of them are in (the handbook's), opened once to stamp them.
    pub(crate) base: PathBuf,
}

/// The inputs found, sorted by the bytes of their paths.
pub(crate) struct Table {
    pub(crate) entries: Vec<Entry>,
}

/// Are `now`'s inputs those of `before` (a scan that took `before` as its previous)? The same
/// files with the same stamps, and the same bytes where `before` found a stamp too recent to
/// trust (`now` hashed those again).
pub(crate) fn unchanged(before: &[Entry], now: &[Entry]) -> bool {
    before.len() == now.len()
        && before.iter().zip(now).all(|(b, n)| {
            b.path.as_os_str() == n.path.as_os_str() && b.stamp == n.stamp && (!b.racy || b.hash == n.hash)
        })
}

/// Finds and stamps the inputs, hashing those whose stamp may hide a change (see the module
/// doc): racy now, or racy in `previous` with the stamp unchanged.
pub(crate) fn scan(sources: &Sources, previous: &[Entry]) -> Table {
    let now = SystemTime::now();
    let mut found: Vec<PathBuf> = Vec::new();
    for dir in &sources.walked {
        walk(dir, true, &sources.skipped, &mut found);
    }
    for dir in &sources.whole {
        walk(dir, false, &sources.skipped, &mut found);
    }
    for file in &sources.files {
        found.push(file.clone());
    }
    // By bytes, not by components (as `Path`'s order is): a tenth of the cost on 10,000 paths.
    found.sort_unstable_by(|a, b| a.as_os_str().cmp(b.as_os_str()));
    found.dedup_by(|a, b| a.as_os_str() == b.as_os_str());
    let known: rustc_hash::FxHashMap<&OsStr, &Entry> = previous.iter().map(|e| (e.path.as_os_str(), e)).collect();
    let looked = look_all(&sources.base, &found, true);
    let entries = found
        .into_par_iter()
        .zip(looked)
        .map(|(path, looked)| {
            if looked.is_some_and(|l| l.dir) {
                return Entry { path, stamp: Stamp::default(), hash: "dir".into(), racy: false };
            }
            let stamp = looked.map(|l| l.stamp).unwrap_or_default();
            let racy = looked.is_some() && stamp.within(now, RACY);
            let was_racy = known.get(path.as_os_str()).is_some_and(|old| old.racy && old.stamp == stamp);
            let hash = match looked {
                // A named pipe or device: reading it could wait forever, and the build never
                // reads one (it takes regular files only); its stamp decides.
                Some(l) if !l.file => "special".to_string(),
                _ if looked.is_none() || racy || was_racy => hash_of(&path, looked.is_some()),
                _ => String::new(),
            };
            Entry { path, stamp, hash, racy }
        })
        .collect();
    Table { entries }
}

/// A folder's files and subfolders into `found`; symbolic links are followed as the content
/// walk follows them (only inside the handbook), with a link out recorded by its target.
fn walk(dir: &Path, gitignore: bool, skipped: &[PathBuf], found: &mut Vec<PathBuf>) {
    if !dir.is_dir() {
        found.push(dir.to_path_buf());
        return;
    }
    let mut walk = ignore::WalkBuilder::new(dir);
    walk.standard_filters(false).git_ignore(gitignore).require_git(false).follow_links(true);
    let skipped = skipped.to_vec();
    walk.filter_entry(move |e| e.file_name() != ".git" && !skipped.iter().any(|s| e.path() == s));
    for entry in walk.build().flatten() {
        found.push(entry.into_path());
    }
}

/// `exists`: the path names a file (folders are never hashed).
fn hash_of(path: &Path, exists: bool) -> String {
    if !exists {
        return match std::fs::read_link(path) {
            Ok(target) => format!("link:{}", target.display()),
            Err(_) => "missing".to_string(),
        };
    }
    match std::fs::read(path) {
        Ok(bytes) => hex(xxhash_rust::xxh3::xxh3_128(&bytes)),
        // Unreadable now: never equal to what a later, readable file holds.
        Err(e) => format!("unreadable:{}", e.kind()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sources(dir: &Path) -> Sources {
        Sources {
            walked: vec![dir.to_path_buf()],
            whole: vec![],
            files: vec![],
            skipped: vec![dir.join("out")],
            base: dir.to_path_buf(),
        }
    }

    /// The single file `file` as the only input, under `base`.
    fn one_file(base: &Path, file: &Path) -> Sources {
        Sources { walked: vec![], whole: vec![], files: vec![file.to_path_buf()], skipped: vec![], base: base.into() }
    }

    /// A named pipe just made in the content folder: reading it to hash it would wait for a
    /// writer forever (found by the s9 audit: `build` hung).
    #[cfg(unix)]
    #[test]
    fn a_fresh_named_pipe_is_stamped_not_read() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(tmp.path().join("a.md"), "one").unwrap();
        let pipe = tmp.path().join("pipe.md");
        assert!(std::process::Command::new("mkfifo").arg(&pipe).status().unwrap().success());
        let dir = tmp.path().to_path_buf();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || tx.send(scan(&sources(&dir), &[])).unwrap());
        let table = rx.recv_timeout(std::time::Duration::from_secs(20)).expect("the scan returns");
        let entry = table.entries.iter().find(|e| e.path == pipe).expect("the pipe is an input");
        assert!(!entry.stamp.eq(&Stamp::default()));
        // Replaced by a regular file with other bytes: seen.
        std::fs::remove_file(&pipe).unwrap();
        std::fs::write(&pipe, "text").unwrap();
        assert!(!unchanged(&table.entries, &scan(&sources(tmp.path()), &table.entries).entries));
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
        assert!(!unchanged(&first.entries, &second.entries));
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
        assert!(unchanged(&before.entries, &after.entries));
        std::fs::write(tmp.path().join("b.md"), "").unwrap();
        assert!(!unchanged(&after.entries, &scan(&sources(tmp.path()), &after.entries).entries));
    }

    #[test]
    fn an_old_file_is_judged_by_its_stamp_without_being_read() {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("a.md");
        std::fs::write(&file, "one").unwrap();
        let old = SystemTime::now() - Duration::from_secs(600);
        std::fs::File::options().write(true).open(&file).unwrap().set_modified(old).unwrap();
        let s = one_file(tmp.path(), &file);
        let first = scan(&s, &[]);
        // The change time is now: racy, hashed; the next scan still hashes it (it was racy).
        assert!(!first.entries[0].hash.is_empty());
        let second = scan(&s, &first.entries);
        assert!(unchanged(&first.entries, &second.entries));
        // Its stamp alone (not racy: no hash) decides from now on.
        let third = scan(&s, &second.entries);
        assert!(unchanged(&second.entries, &third.entries));
        // Touched: another stamp, so changed, though the bytes are the same.
        std::fs::File::options().write(true).open(&file).unwrap().set_modified(old + Duration::from_secs(1)).unwrap();
        assert!(!unchanged(&third.entries, &scan(&s, &third.entries).entries));
    }

    #[test]
    fn a_missing_file_and_an_empty_one_differ() {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("matrix.toml");
        let s = one_file(tmp.path(), &file);
        let missing = scan(&s, &[]);
        std::fs::write(&file, "").unwrap();
        assert!(!unchanged(&missing.entries, &scan(&s, &missing.entries).entries));
    }
}
