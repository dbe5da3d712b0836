//! The state folder beside an output folder, `.<name>.stagebook/`: its lock file, the staging
//! folders of builds in progress and old sites on their way out. One build at a time holds the
//! lock (`flock`), so whatever else is in the folder when a build gets the lock was left by a
//! build that was killed, and is removed.

use std::fs::{File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};

const LOCK: &str = "lock";
/// Where the fallback swap keeps the old site until the new one is in (see `swap::by_renames`).
const ASIDE: &str = "previous";

/// The locked state folder of one output folder; the lock is released when this is dropped.
pub(crate) struct State {
    dir: PathBuf,
    _lock: File,
}

/// `.<name>.stagebook` beside `target`: on the same file system, so its folders can be renamed
/// into place, and hidden, so a content walk over the handbook folder skips it.
pub(crate) fn state_dir(target: &Path) -> PathBuf {
    let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "book".into());
    target.with_file_name(format!(".{name}.stagebook"))
}

impl State {
    /// Takes the lock of `target`'s state folder, waiting for a build that holds it, then puts
    /// back an old site a killed fallback swap left aside and removes other leftovers. Returns
    /// messages about leftovers that could not be removed.
    pub(crate) fn lock(target: &Path) -> io::Result<(State, Vec<String>)> {
        let dir = state_dir(target);
        let mut waited = false;
        let file = loop {
            std::fs::create_dir_all(&dir)?;
            let file = OpenOptions::new().create(true).truncate(false).write(true).open(dir.join(LOCK))?;
            if !try_lock(&file)? {
                if !waited {
                    eprintln!("Waiting for another stagebook build into {} to finish...", target.display());
                    waited = true;
                }
                lock(&file)?;
            }
            // The holder removes the lock file before letting go: a lock taken on a file that is
            // no longer at its path guards nothing, so try again.
            if same_file(&file, &dir.join(LOCK)) {
                break file;
            }
        };
        let state = State { dir, _lock: file };
        let aside = state.aside();
        if aside.is_dir() && std::fs::symlink_metadata(target).is_err() {
            std::fs::rename(&aside, target)?;
        }
        let mut problems = Vec::new();
        for entry in std::fs::read_dir(&state.dir)? {
            let entry = entry?;
            if entry.file_name() != LOCK {
                if let Err(e) = remove_tree(&entry.path()) {
                    problems.push(format!("cannot remove {}, left by an earlier build: {e}", entry.path().display()));
                }
            }
        }
        problems.extend(remove_old_staging(target));
        Ok((state, problems))
    }

    /// A new, empty staging folder.
    pub(crate) fn staging(&self) -> io::Result<tempfile::TempDir> {
        tempfile::Builder::new().prefix("stage-").tempdir_in(&self.dir)
    }

    pub(crate) fn aside(&self) -> PathBuf {
        self.dir.join(ASIDE)
    }
}

/// Versions before the state folder staged beside the output in `.<name>.stagebook-XXXXXX`
/// (six random characters); a killed build left them behind, some hundreds of MB each.
fn remove_old_staging(target: &Path) -> Vec<String> {
    let (Some(parent), Some(name)) = (target.parent(), target.file_name()) else { return Vec::new() };
    let prefix = format!(".{}.stagebook-", name.to_string_lossy());
    let Ok(entries) = std::fs::read_dir(parent) else { return Vec::new() };
    entries
        .flatten()
        .filter(|e| {
            let n = e.file_name().to_string_lossy().into_owned();
            n.strip_prefix(&prefix)
                .is_some_and(|rest| rest.len() == 6 && rest.chars().all(|c| c.is_ascii_alphanumeric()))
                && e.file_type().is_ok_and(|t| t.is_dir())
        })
        .filter_map(|e| {
            remove_tree(&e.path())
                .err()
                .map(|err| format!("cannot remove {}, left by an earlier build: {err}", e.path().display()))
        })
        .collect()
}

/// `remove_dir_all` with sub-folders removed in parallel: an old site of 10,000 pages is some
/// 27,000 files and folders, and removing it is a good part of the time a publish takes.
#[cfg(unix)]
fn remove_parallel(dir: &Path) -> io::Result<()> {
    let fd = by_fd::open(rustix::fs::CWD, dir)?;
    by_fd::remove_contents(fd)?;
    std::fs::remove_dir(dir)
}

#[cfg(not(unix))]
fn remove_parallel(dir: &Path) -> io::Result<()> {
    remove_by_paths(dir)
}

/// [`remove_parallel`] by paths, for systems without `unlinkat`: each name is looked up from
/// the root again, which on unix costs a path walk per file.
#[cfg_attr(unix, allow(dead_code))]
fn remove_by_paths(dir: &Path) -> io::Result<()> {
    use rayon::prelude::*;
    let mut subdirs = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_type()?.is_dir() {
            subdirs.push(entry.path());
        } else {
            std::fs::remove_file(entry.path())?;
        }
    }
    subdirs.par_iter().try_for_each(|d| remove_by_paths(d))?;
    std::fs::remove_dir(dir)
}

/// [`remove_tree`] for an old site whose files were `listed` (paths relative to `dir`, sorted;
/// its manifest): those files and the folders holding them go first, each folder opened and
/// removed without being listed (a site of 10,000 pages is as many folders of one page each),
/// then whatever else is left (files someone else put there) the way [`remove_tree`] goes.
/// The list is only a hint: a name that is something else now is left to the second pass.
pub(crate) fn remove_listed(dir: &Path, listed: &[String]) -> io::Result<()> {
    #[cfg(unix)]
    if let Ok(fd) = by_fd::open(rustix::fs::CWD, dir) {
        // Only names below `dir`: a manifest is a file in the output, anyone may have edited it.
        let below = |p: &&str| p.split('/').all(|c| !c.is_empty() && c != "." && c != "..");
        let listed: Vec<&str> = listed.iter().map(String::as_str).filter(below).collect();
        by_fd::remove_names(std::os::fd::AsFd::as_fd(&fd), &listed);
    }
    #[cfg(not(unix))]
    let _ = listed;
    remove_tree(dir)
}

/// Removal relative to open folders (`openat`, `unlinkat`): a name is looked up in its own
/// folder only, never walked to from the root.
#[cfg(unix)]
mod by_fd {
    use std::io;
    use std::os::fd::{AsFd, BorrowedFd, OwnedFd};

    use rayon::prelude::*;
    use rustix::fs::AtFlags;

    use crate::output::folder_fd::list;
    pub(super) use crate::output::folder_fd::open;

    /// Removes from the open folder `fd` the files `paths` (relative to it, sorted) name and
    /// then each folder holding them, if that leaves it empty; sub-folders in parallel. Every
    /// folder is opened without following a link, so a link put in a folder's place is never
    /// removed through; whatever cannot be removed is left for [`super::remove_tree`].
    pub(super) fn remove_names(fd: BorrowedFd<'_>, paths: &[&str]) {
        let mut folders: Vec<(&str, Vec<&str>)> = Vec::new();
        let mut i = 0;
        while i < paths.len() {
            let Some((folder, _)) = paths[i].split_once('/') else {
                let _ = rustix::fs::unlinkat(fd, paths[i], AtFlags::empty());
                i += 1;
                continue;
            };
            let prefix = &paths[i][..=folder.len()];
            // Sorted: every path under `folder/` is in this run.
            let end = i + paths[i..].iter().take_while(|p| p.starts_with(prefix)).count();
            folders.push((folder, paths[i..end].iter().map(|p| &p[prefix.len()..]).collect()));
            i = end;
        }
        folders.par_iter().for_each(|(folder, inside)| {
            if let Ok(sub) = open(fd, *folder) {
                remove_names(sub.as_fd(), inside);
                drop(sub);
                let _ = rustix::fs::unlinkat(fd, *folder, AtFlags::REMOVEDIR);
            }
        });
    }

    /// Removes everything in the open folder `fd`, its sub-folders in parallel.
    pub(super) fn remove_contents(fd: OwnedFd) -> io::Result<()> {
        let (dir, entries) = list(fd)?;
        let (subdirs, files): (Vec<_>, Vec<_>) = entries.into_iter().partition(|(_, is_dir)| *is_dir);
        let fd = dir.fd()?;
        // Unlinked after the listing: a folder is not changed while it is being read.
        for (name, _) in &files {
            rustix::fs::unlinkat(fd, name.as_c_str(), AtFlags::empty())?;
        }
        subdirs.par_iter().try_for_each(|(name, _)| {
            remove_contents(open(fd, name.as_c_str())?)?;
            Ok(rustix::fs::unlinkat(fd, name.as_c_str(), AtFlags::REMOVEDIR)?)
        })
    }
}

impl Drop for State {
    /// Leaves no trace once the build is over: the lock file goes (still locked, so a build
    /// waiting for it notices and starts again) and the folder too, when it is empty.
    fn drop(&mut self) {
        let _ = std::fs::remove_file(self.dir.join(LOCK));
        let _ = std::fs::remove_dir(&self.dir);
    }
}

/// The same permissions, plus the owner's right to change the folder.
#[cfg(unix)]
fn writable(perms: std::fs::Permissions) -> std::fs::Permissions {
    use std::os::unix::fs::PermissionsExt;
    std::fs::Permissions::from_mode(perms.mode() | 0o700)
}

#[cfg(not(unix))]
fn writable(mut perms: std::fs::Permissions) -> std::fs::Permissions {
    #[allow(clippy::permissions_set_readonly_false)] // on Windows this only clears the read-only flag
    perms.set_readonly(false);
    perms
}

/// Takes the exclusive lock if no one holds it: `Ok(false)` if someone does.
#[cfg(unix)]
fn try_lock(file: &File) -> io::Result<bool> {
    match rustix::fs::flock(file, rustix::fs::FlockOperation::NonBlockingLockExclusive) {
        Ok(()) => Ok(true),
        Err(rustix::io::Errno::WOULDBLOCK) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// Waits for the exclusive lock.
#[cfg(unix)]
fn lock(file: &File) -> io::Result<()> {
    rustix::fs::flock(file, rustix::fs::FlockOperation::LockExclusive).map_err(io::Error::from)
}

// Elsewhere, the standard library's file locks (Rust 1.89 and later).
#[cfg(not(unix))]
fn try_lock(file: &File) -> io::Result<bool> {
    match file.try_lock() {
        Ok(()) => Ok(true),
        Err(std::fs::TryLockError::WouldBlock) => Ok(false),
        Err(std::fs::TryLockError::Error(e)) => Err(e),
    }
}

#[cfg(not(unix))]
fn lock(file: &File) -> io::Result<()> {
    file.lock()
}

#[cfg(unix)]
fn same_file(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), std::fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

/// Elsewhere (Windows) a file open in another process cannot be removed, so the path still
/// names the locked file.
#[cfg(not(unix))]
fn same_file(_: &File, path: &Path) -> bool {
    path.exists()
}

/// Removes a folder and everything in it, making read-only folders in it writable first if
/// that is what stops it (an old site whose folders someone made read-only).
pub(crate) fn remove_tree(path: &Path) -> io::Result<()> {
    let meta = std::fs::symlink_metadata(path)?;
    if !meta.is_dir() {
        return std::fs::remove_file(path);
    }
    match remove_parallel(path) {
        Err(e) if e.kind() == io::ErrorKind::PermissionDenied => {
            for entry in walkdir::WalkDir::new(path).into_iter().flatten() {
                if entry.file_type().is_dir() {
                    std::fs::set_permissions(entry.path(), writable(entry.metadata()?.permissions()))?;
                }
            }
            std::fs::remove_dir_all(path)
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_listed_tree_goes_whole_and_nothing_outside_it() {
        let tmp = tempfile::tempdir().unwrap();
        let old = tmp.path().join("old");
        for rel in ["a/index.html", "a/b/index.html", "c.css", "d/e/f/index.html", "a/notes.txt", "g/x"] {
            std::fs::create_dir_all(old.join(rel).parent().unwrap()).unwrap();
            std::fs::write(old.join(rel), rel).unwrap();
        }
        std::fs::write(tmp.path().join("outside"), "keep").unwrap();
        std::fs::create_dir_all(tmp.path().join("elsewhere")).unwrap();
        std::fs::write(tmp.path().join("elsewhere/index.html"), "keep").unwrap();
        // A link in a listed folder's place is removed, never removed through.
        #[cfg(unix)]
        std::os::unix::fs::symlink(tmp.path().join("elsewhere"), old.join("h")).unwrap();
        let listed: Vec<String> =
            ["../outside", "a/b/index.html", "a/index.html", "c.css", "d/e/f/index.html", "gone/x", "h/index.html"]
                .iter()
                .map(|s| s.to_string())
                .collect();
        remove_listed(&old, &listed).unwrap();
        assert!(!old.exists());
        assert_eq!(std::fs::read_to_string(tmp.path().join("outside")).unwrap(), "keep");
        assert_eq!(std::fs::read_to_string(tmp.path().join("elsewhere/index.html")).unwrap(), "keep");
    }

    #[cfg(unix)]
    #[test]
    fn listed_names_go_without_the_folders_they_share_with_unlisted_files() {
        use std::os::fd::AsFd;
        let tmp = tempfile::tempdir().unwrap();
        for rel in ["a/index.html", "a/mine.txt", "a-b/index.html", "b/c/index.html"] {
            std::fs::create_dir_all(tmp.path().join(rel).parent().unwrap()).unwrap();
            std::fs::write(tmp.path().join(rel), rel).unwrap();
        }
        let fd = by_fd::open(rustix::fs::CWD, tmp.path()).unwrap();
        by_fd::remove_names(fd.as_fd(), &["a-b/index.html", "a/index.html", "b/c/index.html"]);
        let mut left: Vec<String> = walkdir::WalkDir::new(tmp.path())
            .min_depth(1)
            .into_iter()
            .map(|e| e.unwrap().path().strip_prefix(tmp.path()).unwrap().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(left, ["a", "a/mine.txt"]);
    }

    #[test]
    fn leftovers_of_killed_builds_are_removed_and_an_old_site_put_back() {
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path().join("book");
        let dir = state_dir(&target);
        assert_eq!(dir, tmp.path().join(".book.stagebook"));
        std::fs::create_dir_all(dir.join("stage-x/deep")).unwrap();
        std::fs::create_dir_all(tmp.path().join(".book.stagebook-a1B2c3/guide")).unwrap();
        std::fs::create_dir_all(tmp.path().join(".book.stagebook-notours")).unwrap();
        std::fs::write(dir.join("stage-x/deep/index.html"), "half").unwrap();
        std::fs::create_dir_all(dir.join(ASIDE)).unwrap();
        std::fs::write(dir.join(ASIDE).join("index.html"), "old").unwrap();
        let (state, problems) = State::lock(&target).unwrap();
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(std::fs::read_to_string(target.join("index.html")).unwrap(), "old");
        let left: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(left, vec![std::ffi::OsString::from(LOCK)]);
        assert!(!tmp.path().join(".book.stagebook-a1B2c3").exists(), "an older version's staging folder");
        assert!(tmp.path().join(".book.stagebook-notours").exists());
        drop(state);
    }

    #[test]
    fn the_lock_is_held_until_dropped() {
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path().join("book");
        let (state, _) = State::lock(&target).unwrap();
        let other = File::options().write(true).open(state_dir(&target).join(LOCK)).unwrap();
        assert!(!try_lock(&other).unwrap());
        drop(state);
        assert!(try_lock(&other).unwrap());
    }

    /// A tree of `width` folders `depth` deep, each with two files and a link to nothing.
    fn tree(root: &Path, width: usize, depth: usize) -> usize {
        std::fs::create_dir_all(root).unwrap();
        std::fs::write(root.join("index.html"), "x").unwrap();
        std::fs::write(root.join("caf\u{e9}.png"), "y").unwrap();
        std::os::unix::fs::symlink("/nowhere", root.join("link")).unwrap();
        let mut count = 4;
        if depth > 0 {
            for i in 0..width {
                count += tree(&root.join(format!("d{i}")), width, depth - 1);
            }
        }
        count
    }

    #[test]
    fn both_ways_of_removing_leave_nothing() {
        let tmp = tempfile::tempdir().unwrap();
        for (name, remove) in [("fd", remove_parallel as fn(&Path) -> io::Result<()>), ("paths", remove_by_paths)] {
            let root = tmp.path().join(name);
            assert_eq!(tree(&root, 3, 3), 4 * (1 + 3 + 9 + 27));
            // A link to a folder is removed, not followed.
            std::fs::create_dir(tmp.path().join("outside")).unwrap_or(());
            std::fs::write(tmp.path().join("outside/keep"), "mine").unwrap();
            std::os::unix::fs::symlink(tmp.path().join("outside"), root.join("d1/out")).unwrap();
            remove(&root).unwrap();
            assert!(!root.exists(), "{name}");
            assert_eq!(std::fs::read_to_string(tmp.path().join("outside/keep")).unwrap(), "mine", "{name}");
        }
    }

    #[test]
    fn removing_reports_what_it_cannot_do() {
        let tmp = tempfile::tempdir().unwrap();
        for remove in [remove_parallel as fn(&Path) -> io::Result<()>, remove_by_paths] {
            assert_eq!(remove(&tmp.path().join("missing")).unwrap_err().kind(), io::ErrorKind::NotFound);
            std::fs::write(tmp.path().join("file"), "x").unwrap();
            assert!(remove(&tmp.path().join("file")).is_err(), "a file is not a folder");
            assert!(tmp.path().join("file").exists());
        }
    }

    #[test]
    fn read_only_folders_are_removed_too() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("old/guide");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("index.html"), "x").unwrap();
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o555)).unwrap();
        remove_tree(&tmp.path().join("old")).unwrap();
        assert!(!tmp.path().join("old").exists());
    }
}
