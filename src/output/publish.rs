//! Writing a site to disk: a whole new tree is built in a staging folder beside the output and
//! swapped in with one atomic exchange (see [`super::swap`]), so a build that fails or is killed
//! at any moment leaves the output all old or all new.
//!
//! Files the previous build wrote and this one writes again with the same bytes are hard-linked
//! from the old tree instead of written; files stagebook did not write (not in the manifest:
//! `CNAME`, `.git`, notes) are hard-linked into the new tree, so they are in the output before
//! and after the exchange and never pass through a moment where only a staging folder holds
//! them. When nothing changed at all, nothing is published.

use std::collections::HashSet;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use rayon::prelude::*;

use super::lock::{self, State};
use super::swap::{self, Swapped};
use super::{failpoint, manifest, Sink};

/// Why the site could not be published. The output folder is unchanged in every case but
/// [`PublishError::Lost`].
#[derive(Debug, thiserror::Error)]
pub(crate) enum PublishError {
    #[error("{} exists and is not a folder", .0.display())]
    NotAFolder(PathBuf),
    #[error(
        "the output folder {} is not empty and stagebook did not write it (it has no {}; it holds {}); \
         choose a new or empty folder, or pass --force to write alongside these files (stagebook never \
         deletes or overwrites a file it did not write)",
        .dir.display(), manifest::FILE, list(.entries, *.more)
    )]
    Foreign { dir: PathBuf, entries: Vec<String>, more: usize },
    #[error(
        "the build would overwrite {}, which stagebook did not write; move it out of the output folder",
        list(.paths, *.more)
    )]
    WouldOverwrite { paths: Vec<String>, more: usize },
    #[error("{what}: {source}")]
    Io { what: String, source: io::Error },
    /// The fallback swap failed half way and could not undo itself.
    #[error("{0}")]
    Lost(io::Error),
}

impl PublishError {
    fn io(what: impl Into<String>) -> impl FnOnce(io::Error) -> PublishError {
        let what = what.into();
        move |source| PublishError::Io { what, source }
    }

    /// Did the output folder change (so "nothing was written" would be untrue)?
    pub(crate) fn output_changed(&self) -> bool {
        matches!(self, PublishError::Lost(_))
    }
}

/// "`a`, `b` and 3 more".
fn list(items: &[String], more: usize) -> String {
    let mut s = items.iter().map(|i| format!("`{i}`")).collect::<Vec<_>>().join(", ");
    if more > 0 {
        s.push_str(&format!(" and {more} more"));
    }
    s
}

/// At most this many names in a message.
const SHOWN: usize = 5;

/// What [`Staging::commit`] did.
#[derive(Debug)]
pub(crate) enum Published {
    /// Every file was already there with the same bytes: the output was left alone.
    Unchanged,
    /// The new site is in place. `warnings`: leftovers that could not be removed.
    Replaced { warnings: Vec<String> },
}

/// A site being written beside its output folder. Dropped without [`Staging::commit`], its
/// staging folder is removed and the output was never touched.
pub(crate) struct Staging {
    dir: tempfile::TempDir,
    /// Held from before the output is inspected until the new site is in place.
    state: State,
    target: PathBuf,
    /// Files of the existing output that stagebook wrote; `None` when there is no output yet.
    owned: Option<HashSet<String>>,
    /// Every file this build produces.
    produced: Mutex<Vec<String>>,
    /// Produced files whose bytes the output already holds.
    unchanged: Mutex<Vec<String>>,
    changed: AtomicBool,
    /// Messages about leftovers of earlier builds that could not be removed.
    warnings: Vec<String>,
}

impl Staging {
    /// Checks that the output folder is stagebook's (or `force`), takes its lock and makes a
    /// staging folder.
    pub(crate) fn new(target: &Path, force: bool) -> Result<Staging, PublishError> {
        let target = super::absolute(target);
        // Refuse a foreign folder before making anything beside it (a manifest is read below).
        if !target.join(manifest::FILE).is_file() {
            owned_files(&target, force)?;
        }
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(PublishError::io(format!("cannot create {}", parent.display())))?;
        }
        let (state, warnings) = State::lock(&target)
            .map_err(PublishError::io(format!("cannot lock {}", lock::state_dir(&target).display())))?;
        // Again under the lock: a build that finished while this one waited may have changed it.
        let owned = owned_files(&target, force)?;
        let dir = state.staging().map_err(PublishError::io("cannot create a staging folder"))?;
        Ok(Staging {
            dir,
            state,
            target,
            owned,
            produced: Mutex::new(Vec::new()),
            unchanged: Mutex::new(Vec::new()),
            changed: AtomicBool::new(false),
            warnings,
        })
    }

    fn stage(&self, rel: &str, bytes: &[u8]) -> io::Result<()> {
        self.produced.lock().unwrap_or_else(|e| e.into_inner()).push(rel.to_string());
        if self.owned.as_ref().is_some_and(|owned| owned.contains(rel)) {
            let existing = self.target.join(rel);
            if std::fs::symlink_metadata(&existing).is_ok_and(|m| m.is_file() && m.len() == bytes.len() as u64)
                && std::fs::read(&existing).is_ok_and(|old| old == bytes)
            {
                self.unchanged.lock().unwrap_or_else(|e| e.into_inner()).push(rel.to_string());
                return Ok(());
            }
        }
        self.changed.store(true, Ordering::Relaxed);
        let path = self.dir.path().join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(path, bytes)?;
        failpoint::hit("writing")
    }

    /// Completes the new tree and swaps it in (or leaves the output alone when nothing changed).
    pub(crate) fn commit(self) -> Result<Published, PublishError> {
        let fail = |step| failpoint::hit(step).map_err(PublishError::io("cannot publish"));
        // Sub-steps of the publish with STAGEBOOK_TIMINGS (for benchmarking).
        let t = std::time::Instant::now();
        let timing = std::env::var_os("STAGEBOOK_TIMINGS").is_some();
        let lap = |what: &str| {
            if timing {
                eprintln!("    publish {what:<8} {:>7.1} ms", t.elapsed().as_secs_f64() * 1000.0);
            }
        };
        fail("staged")?;
        let produced = self.produced.into_inner().unwrap_or_else(|e| e.into_inner());
        let unchanged = self.unchanged.into_inner().unwrap_or_else(|e| e.into_inner());
        let staged = self.dir.path();
        let target = &self.target;
        let mut warnings = self.warnings;
        if let Some(owned) = &self.owned {
            let same_files = produced.len() == owned.len() && produced.iter().all(|p| owned.contains(p));
            if same_files && !self.changed.load(Ordering::Relaxed) {
                return Ok(Published::Unchanged);
            }
            check_overwrites(target, owned, &produced)?;
            link_unchanged(target, staged, &unchanged)?;
            lap("link");
            carry_foreign(target, staged, owned)?;
            lap("carry");
        }
        fail("carried")?;
        std::fs::write(staged.join(manifest::FILE), manifest::render(&produced))
            .map_err(PublishError::io("cannot write the manifest"))?;
        fail("swap")?;
        let staged = self.dir.keep();
        let aside = self.state.aside();
        let outcome = if std::fs::symlink_metadata(target).is_err() {
            std::fs::rename(&staged, target).map(|()| None)
        } else {
            swap::swap(&staged, target, &aside).map(Some)
        };
        let old = match outcome {
            Ok(None) => None,
            Ok(Some(Swapped::Exchanged)) => Some(staged),
            Ok(Some(Swapped::MovedAside)) => Some(aside),
            Err(e) => {
                let _ = lock::remove_tree(&staged);
                return Err(if target.exists() {
                    PublishError::io(format!("cannot put the new site in place of {}", target.display()))(e)
                } else {
                    PublishError::Lost(e)
                });
            }
        };
        // The new site is in place: from here on, nothing can fail the build.
        lap("swap");
        let _ = failpoint::hit("swapped");
        if let Some(old) = old {
            if let Err(e) = lock::remove_tree(&old) {
                warnings.push(format!("cannot remove the previous site from {}: {e}", old.display()));
            }
            lap("remove");
        }
        Ok(Published::Replaced { warnings })
    }
}

impl Sink for Staging {
    fn write(&self, rel: &str, bytes: &[u8]) -> io::Result<()> {
        self.stage(rel, bytes)
    }
    fn copy(&self, rel: &str, from: &Path) -> io::Result<()> {
        self.stage(rel, &std::fs::read(from)?)
    }
    /// Marks `rel` unchanged without reading it (it is linked into the new tree like any
    /// unchanged file); only a file the existing output's manifest lists.
    fn reuse(&self, rel: &str) -> bool {
        if !self.owned.as_ref().is_some_and(|owned| owned.contains(rel)) {
            return false;
        }
        self.produced.lock().unwrap_or_else(|e| e.into_inner()).push(rel.to_string());
        self.unchanged.lock().unwrap_or_else(|e| e.into_inner()).push(rel.to_string());
        true
    }
}

/// The files of `target` stagebook owns: `None` if it does not exist; an empty set for an empty
/// folder, or for any folder with `force`; else its manifest, which a non-empty folder must have.
fn owned_files(target: &Path, force: bool) -> Result<Option<HashSet<String>>, PublishError> {
    let meta = match std::fs::symlink_metadata(target) {
        Ok(m) => m,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(PublishError::io(format!("cannot read {}", target.display()))(e)),
    };
    if !meta.is_dir() {
        return Err(PublishError::NotAFolder(target.to_path_buf()));
    }
    let read_error = PublishError::io(format!("cannot read {}", target.display()));
    if let Some(owned) = manifest::read(target).map_err(read_error)? {
        return Ok(Some(owned));
    }
    let mut entries: Vec<String> = std::fs::read_dir(target)
        .map_err(PublishError::io(format!("cannot read {}", target.display())))?
        .flatten()
        .map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            if e.file_type().is_ok_and(|t| t.is_dir()) {
                format!("{name}/")
            } else {
                name
            }
        })
        .collect();
    if entries.is_empty() || force {
        return Ok(Some(HashSet::new()));
    }
    entries.sort();
    let more = entries.len().saturating_sub(SHOWN);
    entries.truncate(SHOWN);
    Err(PublishError::Foreign { dir: target.to_path_buf(), entries, more })
}

/// A new file may not take the place of something stagebook did not write, nor need a folder
/// where such a file is.
fn check_overwrites(target: &Path, owned: &HashSet<String>, produced: &[String]) -> Result<(), PublishError> {
    let mut seen_dirs: HashSet<&str> = HashSet::new();
    let mut clashes: Vec<String> = Vec::new();
    for rel in produced.iter().filter(|p| !owned.contains(*p)) {
        if std::fs::symlink_metadata(target.join(rel)).is_ok() {
            clashes.push(rel.clone());
        }
        let mut end = 0;
        while let Some(i) = rel[end..].find('/') {
            end += i;
            let dir = &rel[..end];
            end += 1;
            if !seen_dirs.insert(dir) || owned.contains(dir) {
                continue;
            }
            if std::fs::symlink_metadata(target.join(dir)).is_ok_and(|m| !m.is_dir()) {
                clashes.push(dir.to_string());
            }
        }
    }
    if clashes.is_empty() {
        return Ok(());
    }
    clashes.sort();
    clashes.dedup();
    let more = clashes.len().saturating_sub(SHOWN);
    clashes.truncate(SHOWN);
    Err(PublishError::WouldOverwrite { paths: clashes, more })
}

/// Files whose bytes did not change go into the new tree as hard links to the old ones.
fn link_unchanged(target: &Path, staged: &Path, unchanged: &[String]) -> Result<(), PublishError> {
    unchanged
        .par_iter()
        .try_for_each(|rel| {
            let to = staged.join(rel);
            if let Some(parent) = to.parent() {
                std::fs::create_dir_all(parent)?;
            }
            link_or_copy(&target.join(rel), &to)
        })
        .map_err(PublishError::io("cannot link unchanged files into the staging folder"))
}

/// Every file and folder of `target` that stagebook did not write goes into the new tree too.
fn carry_foreign(target: &Path, staged: &Path, owned: &HashSet<String>) -> Result<(), PublishError> {
    let mut owned_dirs: HashSet<&str> = HashSet::new();
    for rel in owned {
        let mut rest = rel.as_str();
        while let Some(i) = rest.rfind('/') {
            rest = &rest[..i];
            if !owned_dirs.insert(rest) {
                break;
            }
        }
    }
    let carry = Carry { target, staged, owned, owned_dirs, modes: Mutex::new(Vec::new()) };
    carry.dir(Path::new(""))?;
    let mut modes = carry.modes.into_inner().unwrap_or_else(|e| e.into_inner());
    // Deepest first, so a read-only folder gets its mode after its contents are in.
    modes.sort_by_key(|(dir, _)| std::cmp::Reverse(dir.components().count()));
    for (dir, mode) in modes {
        let _ = std::fs::set_permissions(dir, mode);
    }
    Ok(())
}

/// The walk of [`carry_foreign`], a folder at a time, sub-folders in parallel.
struct Carry<'a> {
    target: &'a Path,
    staged: &'a Path,
    owned: &'a HashSet<String>,
    /// Folders holding files stagebook wrote: only their foreign contents are carried.
    owned_dirs: HashSet<&'a str>,
    /// Foreign folders made in the new tree, with the permissions to give them at the end.
    modes: Mutex<Vec<(PathBuf, std::fs::Permissions)>>,
}

impl Carry<'_> {
    fn dir(&self, rel_dir: &Path) -> Result<(), PublishError> {
        let from_dir = self.target.join(rel_dir);
        let read_error = |e: io::Error| PublishError::io(format!("cannot read {}", from_dir.display()))(e);
        let mut subdirs = Vec::new();
        for entry in std::fs::read_dir(&from_dir).map_err(read_error)? {
            let entry = entry.map_err(read_error)?;
            let rel_path = rel_dir.join(entry.file_name());
            let rel = rel_path.to_str().map(|s| s.replace('\\', "/"));
            let to = self.staged.join(&rel_path);
            let carry = |e: io::Error| PublishError::io(format!("cannot carry over {}", entry.path().display()))(e);
            if entry.file_type().map_err(carry)?.is_dir() {
                if !rel.as_deref().is_some_and(|r| self.owned_dirs.contains(r)) {
                    std::fs::create_dir_all(&to).map_err(carry)?;
                    let mode = entry.metadata().map_err(carry)?.permissions();
                    self.modes.lock().unwrap_or_else(|e| e.into_inner()).push((to, mode));
                }
                subdirs.push(rel_path);
                continue;
            }
            if rel.as_deref().is_some_and(|r| r == manifest::FILE || self.owned.contains(r)) {
                continue;
            }
            if std::fs::symlink_metadata(&to).is_ok() {
                return Err(PublishError::WouldOverwrite { paths: vec![rel.unwrap_or_default()], more: 0 });
            }
            if let Some(parent) = to.parent() {
                std::fs::create_dir_all(parent).map_err(carry)?;
            }
            link_or_copy(&entry.path(), &to).map_err(carry)?;
        }
        subdirs.par_iter().try_for_each(|d| self.dir(d))
    }
}

/// A hard link (the same file in both trees); a copy where the file system has none.
fn link_or_copy(from: &Path, to: &Path) -> io::Result<()> {
    match std::fs::hard_link(from, to) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Err(e),
        Err(_) => {
            let meta = std::fs::symlink_metadata(from)?;
            if meta.file_type().is_symlink() {
                copy_symlink(from, to)
            } else {
                std::fs::copy(from, to).map(|_| ())
            }
        }
    }
}

#[cfg(unix)]
fn copy_symlink(from: &Path, to: &Path) -> io::Result<()> {
    std::os::unix::fs::symlink(std::fs::read_link(from)?, to)
}

#[cfg(not(unix))]
fn copy_symlink(from: &Path, to: &Path) -> io::Result<()> {
    std::fs::copy(from, to).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ino(p: &Path) -> u64 {
        std::os::unix::fs::MetadataExt::ino(&std::fs::metadata(p).unwrap())
    }

    fn publish(out: &Path, files: &[(&str, &str)]) -> Published {
        let s = Staging::new(out, false).unwrap();
        for (rel, text) in files {
            s.write(rel, text.as_bytes()).unwrap();
        }
        s.commit().unwrap()
    }

    #[test]
    fn a_dropped_staging_leaves_the_output_and_no_leftovers() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("book");
        publish(&out, &[("old.html", "old")]);
        let s = Staging::new(&out, false).unwrap();
        s.write("a/index.html", b"new").unwrap();
        drop(s);
        assert_eq!(std::fs::read_to_string(out.join("old.html")).unwrap(), "old");
        assert!(!out.join("a").exists());
        assert!(!lock::state_dir(&out).exists(), "the state folder is removed with its lock");
    }

    #[test]
    fn unchanged_files_are_linked_stale_ones_go_foreign_ones_stay() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("book");
        publish(&out, &[("keep/index.html", "same"), ("change/index.html", "v1"), ("gone/deep/index.html", "x")]);
        let keep = ino(&out.join("keep/index.html"));
        std::fs::write(out.join("CNAME"), "docs.example.com").unwrap();
        std::fs::create_dir_all(out.join(".git/objects")).unwrap();
        std::fs::write(out.join(".git/HEAD"), "ref").unwrap();
        std::fs::write(out.join("gone/deep/notes.txt"), "mine").unwrap();
        std::fs::create_dir(out.join("empty")).unwrap();

        let result = publish(&out, &[("keep/index.html", "same"), ("change/index.html", "v2")]);
        assert!(matches!(result, Published::Replaced { ref warnings } if warnings.is_empty()), "{result:?}");
        assert_eq!(ino(&out.join("keep/index.html")), keep, "unchanged file linked, not rewritten");
        assert_eq!(std::fs::read_to_string(out.join("change/index.html")).unwrap(), "v2");
        assert!(!out.join("gone/deep/index.html").exists());
        assert_eq!(std::fs::read_to_string(out.join("gone/deep/notes.txt")).unwrap(), "mine");
        assert_eq!(std::fs::read_to_string(out.join("CNAME")).unwrap(), "docs.example.com");
        assert_eq!(std::fs::read_to_string(out.join(".git/HEAD")).unwrap(), "ref");
        assert!(out.join(".git/objects").is_dir() && out.join("empty").is_dir());
        let owned = manifest::read(&out).unwrap().unwrap();
        assert_eq!(owned, HashSet::from(["keep/index.html".to_string(), "change/index.html".to_string()]));
    }

    #[test]
    fn a_reused_file_is_kept_unread_and_only_a_file_stagebook_wrote() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("book");
        publish(&out, &[("a/index.html", "a"), ("b/index.html", "b")]);
        let a = ino(&out.join("a/index.html"));
        std::fs::write(out.join("notes.html"), "mine").unwrap();
        let s = Staging::new(&out, false).unwrap();
        assert!(s.reuse("a/index.html"));
        assert!(!s.reuse("notes.html") && !s.reuse("new/index.html"), "not in the manifest");
        s.write("b/index.html", b"b2").unwrap();
        assert!(matches!(s.commit().unwrap(), Published::Replaced { .. }));
        assert_eq!(ino(&out.join("a/index.html")), a, "linked, not written");
        assert_eq!(std::fs::read_to_string(out.join("b/index.html")).unwrap(), "b2");
        assert_eq!(std::fs::read_to_string(out.join("notes.html")).unwrap(), "mine");
        let owned = manifest::read(&out).unwrap().unwrap();
        assert_eq!(owned, HashSet::from(["a/index.html".to_string(), "b/index.html".to_string()]));
        // Everything reused: nothing to publish.
        let s = Staging::new(&out, false).unwrap();
        assert!(s.reuse("a/index.html") && s.reuse("b/index.html"));
        assert!(matches!(s.commit().unwrap(), Published::Unchanged));
        // A fresh output folder has nothing to reuse.
        let s = Staging::new(&tmp.path().join("new"), false).unwrap();
        assert!(!s.reuse("a/index.html"));
    }

    #[test]
    fn nothing_is_published_when_nothing_changed() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("book");
        publish(&out, &[("a/index.html", "a")]);
        let dir_inode = ino(&out);
        assert!(matches!(publish(&out, &[("a/index.html", "a")]), Published::Unchanged));
        assert_eq!(ino(&out), dir_inode);
        // A page fewer is a change, though every remaining file is the same.
        assert!(matches!(publish(&out, &[]), Published::Replaced { .. }));
        assert!(!out.join("a/index.html").exists());
    }

    #[test]
    fn a_foreign_folder_is_refused_unless_forced_and_never_overwritten() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("site");
        std::fs::create_dir_all(out.join("sub")).unwrap();
        std::fs::write(out.join("notes.txt"), "keep").unwrap();
        let err = Staging::new(&out, false).err().unwrap();
        let message = err.to_string();
        assert!(message.contains("`notes.txt`, `sub/`") && message.contains("--force"), "{message}");

        let s = Staging::new(&out, true).unwrap();
        s.write("index.html", b"site").unwrap();
        s.commit().unwrap();
        assert_eq!(std::fs::read_to_string(out.join("notes.txt")).unwrap(), "keep");
        assert_eq!(std::fs::read_to_string(out.join("index.html")).unwrap(), "site");

        for clash in ["notes.txt", "notes.txt/index.html"] {
            let s = Staging::new(&out, false).unwrap();
            s.write(clash, b"mine now").unwrap();
            let err = s.commit().unwrap_err();
            assert!(matches!(err, PublishError::WouldOverwrite { .. }), "{err}");
            assert!(err.to_string().contains("`notes.txt`"), "{err}");
            assert_eq!(std::fs::read_to_string(out.join("notes.txt")).unwrap(), "keep");
        }
    }
}
