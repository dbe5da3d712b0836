//! Writing a site to disk: a whole new tree is built in a staging folder beside the output and
//! swapped in with one atomic exchange (see [`super::swap`]), so a build that fails or is killed
//! at any moment leaves the output all old or all new.
//!
//! Files the previous build wrote and this one writes again with the same bytes are hard-linked
//! from the old tree instead of written; files stagebook did not write (not in the manifest:
//! `CNAME`, `.git`, notes) are hard-linked into the new tree, so they are in the output before
//! and after the exchange and never pass through a moment where only a staging folder holds
//! them. One walk of the old tree does both, making each folder of the new tree once. When
//! nothing changed at all, nothing is published.

use std::collections::{HashMap, HashSet};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

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
    /// The new site is in place. `warnings`: leftovers that could not be removed;
    /// `previous`: the old site, for the caller to remove.
    Replaced { warnings: Vec<String>, previous: Option<Previous> },
}

/// The site the output folder held before, moved into the state folder by the swap. Its files
/// are mostly second names of the new site's, so removing it (a good part of a publish) can go
/// on beside other work, the cache record for one; the output folder stays locked until it is
/// gone. Dropped, it is removed too.
pub(crate) struct Previous {
    dir: Option<PathBuf>,
    /// The files it held that stagebook wrote, sorted: removed without listing their folders.
    listed: Vec<String>,
    _state: State,
}

impl Previous {
    /// Removes the old site: a message when it cannot (the next build tries again).
    pub(crate) fn remove(mut self) -> Option<String> {
        let dir = self.dir.take()?;
        let laps = crate::timings::Laps::start("publish", 4);
        let warning = lock::remove_listed(&dir, &self.listed)
            .err()
            .map(|e| format!("cannot remove the previous site from {}: {e}", dir.display()));
        laps.lap("remove");
        warning
    }
}

impl Drop for Previous {
    fn drop(&mut self) {
        if let Some(dir) = self.dir.take() {
            let _ = lock::remove_listed(&dir, &self.listed);
        }
    }
}

impl std::fmt::Debug for Previous {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Previous").field("dir", &self.dir).finish()
    }
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
    /// The output's folders, to open the files compared in them.
    #[cfg(unix)]
    folders: OpenFolders,
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
            #[cfg(unix)]
            folders: OpenFolders { target: target.clone(), opened: Mutex::new(HashMap::new()) },
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
        if self.owned.as_ref().is_some_and(|owned| owned.contains(rel)) && self.holds(rel, bytes) {
            self.unchanged.lock().unwrap_or_else(|e| e.into_inner()).push(rel.to_string());
            return Ok(());
        }
        self.changed.store(true, Ordering::Relaxed);
        let path = self.dir.path().join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(path, bytes)?;
        failpoint::hit("writing")
    }

    /// Does the output's file `rel` hold exactly `bytes`?
    fn holds(&self, rel: &str, bytes: &[u8]) -> bool {
        #[cfg(unix)]
        let file = self.folders.file(rel, bytes.len() as u64);
        #[cfg(not(unix))]
        let file = open_regular(&self.target.join(rel), bytes.len() as u64);
        file.is_some_and(|file| same_bytes(file, bytes))
    }

    /// Completes the new tree and swaps it in (or leaves the output alone when nothing changed).
    pub(crate) fn commit(self) -> Result<Published, PublishError> {
        let fail = |step| failpoint::hit(step).map_err(PublishError::io("cannot publish"));
        // Sub-steps of the publish with STAGEBOOK_TIMINGS (for benchmarking).
        let laps = crate::timings::Laps::start("publish", 4);
        let lap = |what: &str| laps.lap(what);
        fail("staged")?;
        let produced = self.produced.into_inner().unwrap_or_else(|e| e.into_inner());
        let unchanged = self.unchanged.into_inner().unwrap_or_else(|e| e.into_inner());
        let staged = self.dir.path();
        let target = &self.target;
        let warnings = self.warnings;
        if let Some(owned) = &self.owned {
            let same_files = produced.len() == owned.len() && produced.iter().all(|p| owned.contains(p));
            if same_files && !self.changed.load(Ordering::Relaxed) {
                return Ok(Published::Unchanged);
            }
            check_overwrites(target, owned, &produced)?;
            carry_over(target, staged, owned, &unchanged, !cfg!(unix))?;
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
        let previous = old.map(|dir| {
            let mut listed: Vec<String> = self.owned.into_iter().flatten().collect();
            listed.push(manifest::FILE.to_string());
            listed.sort_unstable();
            Previous { dir: Some(dir), listed, _state: self.state }
        });
        Ok(Published::Replaced { warnings, previous })
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

/// Does the regular file at `path` hold exactly `bytes`? Read a block at a time into a buffer
/// each thread keeps, so comparing a 300 MB site allocates (and faults in) nothing.
#[cfg(test)]
fn holds(path: &Path, bytes: &[u8]) -> bool {
    open_regular(path, bytes.len() as u64).is_some_and(|file| same_bytes(file, bytes))
}

/// Does `file` hold exactly `bytes` from where it is read?
fn same_bytes(mut file: std::fs::File, bytes: &[u8]) -> bool {
    use std::io::Read;
    thread_local! {
        static BLOCK: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    BLOCK.with_borrow_mut(|block| {
        block.resize(BLOCK_SIZE, 0);
        let mut rest = bytes;
        loop {
            match file.read(block) {
                Ok(0) => return rest.is_empty(),
                Ok(n) if n <= rest.len() && block[..n] == rest[..n] => rest = &rest[n..],
                Ok(_) => return false,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => return false,
            }
        }
    })
}

/// The regular file at `path` (a link is not followed: stagebook never writes one, and one
/// someone made is replaced), when it is `len` bytes long. Opened first and asked for its size
/// through the open file: the path is walked once, not twice.
#[cfg(all(unix, test))]
fn open_regular(path: &Path, len: u64) -> Option<std::fs::File> {
    open_regular_at(rustix::fs::CWD, path, len)
}

/// The existing output's folders, each opened once (by its path inside the output) when a file
/// in it is first compared: the ~6,700 unchanged search files of a 10,000-page handbook are then
/// opened by name in their own folder, not walked to from the root each time.
#[cfg(unix)]
struct OpenFolders {
    target: PathBuf,
    /// Folder inside the output ("" for the top) -> opened, or `None` when it cannot be.
    opened: Mutex<HashMap<String, Option<Arc<std::os::fd::OwnedFd>>>>,
}

#[cfg(unix)]
impl OpenFolders {
    /// The regular file `rel` (as [`open_regular`] with its whole path), when `len` bytes long.
    fn file(&self, rel: &str, len: u64) -> Option<std::fs::File> {
        let (dir, name) = rel.rsplit_once('/').unwrap_or(("", rel));
        let folder = self.folder(dir)?;
        open_regular_at(&folder, name, len)
    }

    fn folder(&self, dir: &str) -> Option<Arc<std::os::fd::OwnedFd>> {
        if let Some(fd) = self.opened.lock().unwrap_or_else(|e| e.into_inner()).get(dir) {
            return fd.clone();
        }
        let fd = by_fd::open(rustix::fs::CWD, self.target.join(dir)).ok().map(Arc::new);
        self.opened.lock().unwrap_or_else(|e| e.into_inner()).entry(dir.to_string()).or_insert(fd).clone()
    }
}

/// [`open_regular`] for the file `name` of the open folder `dir`.
#[cfg(unix)]
fn open_regular_at(dir: impl std::os::fd::AsFd, name: impl rustix::path::Arg, len: u64) -> Option<std::fs::File> {
    use rustix::fs::{Mode, OFlags};
    // NONBLOCK: a FIFO put in a page's place must not hang the build.
    let flags = OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC;
    let fd = rustix::fs::openat(dir, name, flags, Mode::empty()).ok()?;
    let stat = rustix::fs::fstat(&fd).ok()?;
    let regular = rustix::fs::FileType::from_raw_mode(stat.st_mode) == rustix::fs::FileType::RegularFile;
    (regular && stat.st_size as u64 == len).then(|| std::fs::File::from(fd))
}

#[cfg(not(unix))]
fn open_regular(path: &Path, len: u64) -> Option<std::fs::File> {
    open_regular_by_path(path, len)
}

/// [`open_regular`] where files cannot be opened without following links: looked at, then
/// opened.
#[cfg_attr(unix, allow(dead_code))]
fn open_regular_by_path(path: &Path, len: u64) -> Option<std::fs::File> {
    let meta = std::fs::symlink_metadata(path).ok()?;
    (meta.is_file() && meta.len() == len).then(|| std::fs::File::open(path).ok()).flatten()
}

/// What [`holds`] reads at a time: most pages fit in one read.
const BLOCK_SIZE: usize = 256 * 1024;

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

/// One walk of the old tree puts into the new one, as hard links, the files whose bytes did not
/// change and every file and folder stagebook did not write. Each folder is read once and made
/// in the new tree once (not once per file), and every file is named relative to its folder.
/// `by_paths`: every folder read and every file linked by its whole path (where there is no
/// `openat`), not from its open folder.
fn carry_over(
    target: &Path,
    staged: &Path,
    owned: &HashSet<String>,
    unchanged: &[String],
    by_paths: bool,
) -> Result<(), PublishError> {
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
    let unchanged_set: HashSet<&str> = unchanged.iter().map(String::as_str).collect();
    let carry = Carry {
        target,
        staged,
        owned,
        owned_dirs,
        unchanged: unchanged_set,
        linked: AtomicUsize::new(0),
        modes: Mutex::new(Vec::new()),
        by_paths,
    };
    carry.dir("")?;
    // Each unchanged file was in the old tree when it was compared; one that went since would
    // be missing from the new site.
    if carry.linked.load(Ordering::Relaxed) != unchanged.len() {
        let missing = unchanged.iter().find(|rel| std::fs::symlink_metadata(staged.join(rel)).is_err());
        let what = format!("cannot link {} into the staging folder", missing.map_or("a file", |m| m.as_str()));
        return Err(PublishError::io(what)(io::Error::from(io::ErrorKind::NotFound)));
    }
    let mut modes = carry.modes.into_inner().unwrap_or_else(|e| e.into_inner());
    // Deepest first, so a read-only folder gets its mode after its contents are in.
    modes.sort_by_key(|(dir, _)| std::cmp::Reverse(dir.components().count()));
    for (dir, mode) in modes {
        let _ = std::fs::set_permissions(dir, mode);
    }
    Ok(())
}

/// The walk of [`carry_over`], a folder at a time, sub-folders in parallel.
struct Carry<'a> {
    target: &'a Path,
    staged: &'a Path,
    owned: &'a HashSet<String>,
    /// Folders holding files stagebook wrote: only their foreign contents are carried.
    owned_dirs: HashSet<&'a str>,
    /// Owned files to link because this build produces them with the same bytes.
    unchanged: HashSet<&'a str>,
    /// How many of `unchanged` were linked.
    linked: AtomicUsize,
    /// Foreign folders made in the new tree, with the permissions to give them at the end.
    modes: Mutex<Vec<(PathBuf, std::fs::Permissions)>>,
    by_paths: bool,
}

impl Carry<'_> {
    /// `rel_dir`: "" for the top, else `a/b` (no trailing slash).
    fn dir(&self, rel_dir: &str) -> Result<(), PublishError> {
        #[cfg(unix)]
        if !self.by_paths {
            let from_dir = self.target.join(rel_dir);
            let fd = by_fd::open(rustix::fs::CWD, &from_dir)
                .map_err(PublishError::io(format!("cannot read {}", from_dir.display())))?;
            return self.dir_by_fd(rel_dir, fd);
        }
        self.dir_by_paths(rel_dir)
    }

    /// [`Carry::dir`] with each folder read by its path and each file linked by its path.
    fn dir_by_paths(&self, rel_dir: &str) -> Result<(), PublishError> {
        let from_dir = self.target.join(rel_dir);
        let to_dir = self.staged.join(rel_dir);
        let read_error = |e: io::Error| PublishError::io(format!("cannot read {}", from_dir.display()))(e);
        // Made before its first file goes in: a folder left with nothing of its own is not.
        let mut made = rel_dir.is_empty();
        let mut subdirs = Vec::new();
        let mut linked = 0;
        for entry in std::fs::read_dir(&from_dir).map_err(read_error)? {
            let entry = entry.map_err(read_error)?;
            let name = entry.file_name();
            let carry = |e: io::Error| PublishError::io(format!("cannot carry over {}", entry.path().display()))(e);
            let is_dir = entry.file_type().map_err(carry)?.is_dir();
            let Some(name) = name.to_str() else {
                // Not UTF-8: never a name stagebook writes, so someone else's.
                self.foreign(&entry.path(), &to_dir, None, is_dir, &mut made)?;
                continue;
            };
            let rel = if rel_dir.is_empty() { name.to_string() } else { format!("{rel_dir}/{name}") };
            if is_dir && self.owned_dirs.contains(rel.as_str()) {
                subdirs.push(rel);
                continue;
            }
            if !is_dir && (rel == manifest::FILE || self.owned.contains(&rel)) {
                if self.unchanged.contains(rel.as_str()) {
                    self.make(&to_dir, &mut made).map_err(carry)?;
                    link_or_copy(&entry.path(), &to_dir.join(name))
                        .map_err(PublishError::io("cannot link unchanged files into the staging folder"))?;
                    linked += 1;
                }
                continue;
            }
            subdirs.extend(self.foreign(&entry.path(), &to_dir, Some(rel), is_dir, &mut made)?);
        }
        self.linked.fetch_add(linked, Ordering::Relaxed);
        subdirs.par_iter().try_for_each(|d| self.dir_by_paths(d))
    }

    /// [`Carry::dir`] reading the open folder `fd`: sub-folders opened from it and files
    /// linked from it by name, not walked to from the root again.
    #[cfg(unix)]
    fn dir_by_fd(&self, rel_dir: &str, fd: std::os::fd::OwnedFd) -> Result<(), PublishError> {
        use std::os::unix::ffi::OsStrExt;
        let from_dir = self.target.join(rel_dir);
        let to_dir = self.staged.join(rel_dir);
        let read_error = |e: io::Error| PublishError::io(format!("cannot read {}", from_dir.display()))(e);
        let mut made = rel_dir.is_empty();
        let (dir, entries) = by_fd::list(fd).map_err(read_error)?;
        let fd = dir.fd().map_err(|e| read_error(e.into()))?;
        let mut subdirs: Vec<(String, &std::ffi::CStr)> = Vec::new();
        let mut linked = 0;
        for (name, is_dir) in &entries {
            let from = || from_dir.join(std::ffi::OsStr::from_bytes(name.to_bytes()));
            let Ok(text) = name.to_str() else {
                // Not UTF-8: never a name stagebook writes, so someone else's.
                self.foreign(&from(), &to_dir, None, *is_dir, &mut made)?;
                continue;
            };
            let rel = if rel_dir.is_empty() { text.to_string() } else { format!("{rel_dir}/{text}") };
            if *is_dir && self.owned_dirs.contains(rel.as_str()) {
                subdirs.push((rel, name));
                continue;
            }
            if !*is_dir && (rel == manifest::FILE || self.owned.contains(&rel)) {
                if self.unchanged.contains(rel.as_str()) {
                    let carry = |e: io::Error| PublishError::io(format!("cannot carry over {}", from().display()))(e);
                    self.make(&to_dir, &mut made).map_err(carry)?;
                    let to = to_dir.join(text);
                    by_fd::link(fd, name, &to)
                        .or_else(|e| match e.kind() {
                            io::ErrorKind::AlreadyExists => Err(e),
                            _ => link_or_copy(&from(), &to),
                        })
                        .map_err(PublishError::io("cannot link unchanged files into the staging folder"))?;
                    linked += 1;
                }
                continue;
            }
            if self.foreign(&from(), &to_dir, Some(rel.clone()), *is_dir, &mut made)?.is_some() {
                subdirs.push((rel, name));
            }
        }
        self.linked.fetch_add(linked, Ordering::Relaxed);
        subdirs.par_iter().try_for_each(|(rel, name)| {
            let sub = by_fd::open(fd, *name)
                .map_err(PublishError::io(format!("cannot read {}", self.target.join(rel).display())))?;
            self.dir_by_fd(rel, sub)
        })
    }

    /// An entry stagebook did not write (`from`): a folder is made in the new tree (and its
    /// `rel` returned, to be walked), a file linked; neither may take the place of something
    /// this build wrote. `rel`: `None` for a name that is not UTF-8.
    fn foreign(
        &self,
        from: &Path,
        to_dir: &Path,
        rel: Option<String>,
        is_dir: bool,
        made: &mut bool,
    ) -> Result<Option<String>, PublishError> {
        let to = to_dir.join(from.file_name().unwrap_or_default());
        let carry = |e: io::Error| PublishError::io(format!("cannot carry over {}", from.display()))(e);
        let Some(rel) = rel else {
            // A name that is not UTF-8 is carried whole, as a hard link or a copy of the tree.
            self.make(to_dir, made).map_err(carry)?;
            return copy_tree(from, &to).map_err(carry).map(|()| None);
        };
        if is_dir {
            std::fs::create_dir_all(&to).map_err(carry)?;
            let mode = std::fs::symlink_metadata(from).map_err(carry)?.permissions();
            self.modes.lock().unwrap_or_else(|e| e.into_inner()).push((to, mode));
            return Ok(Some(rel));
        }
        self.make(to_dir, made).map_err(carry)?;
        match link_or_copy(from, &to) {
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                Err(PublishError::WouldOverwrite { paths: vec![rel], more: 0 })
            }
            other => other.map_err(carry).map(|()| None),
        }
    }

    /// Makes the folder `to_dir` of the new tree unless this walk did (or a written file did).
    fn make(&self, to_dir: &Path, made: &mut bool) -> io::Result<()> {
        if *made {
            return Ok(());
        }
        match std::fs::create_dir(to_dir) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => std::fs::create_dir_all(to_dir)?,
            Err(e) => return Err(e),
        }
        *made = true;
        Ok(())
    }
}

/// The carry walk's calls relative to open folders.
#[cfg(unix)]
mod by_fd {
    use std::ffi::CStr;
    use std::io;
    use std::os::fd::BorrowedFd;
    use std::path::Path;

    use rustix::fs::AtFlags;

    pub(super) use crate::output::folder_fd::{list, open};

    /// A hard link at `to` of the file `name` in the folder `fd` (a link itself, not what it
    /// points to, as `link` does).
    pub(super) fn link(fd: BorrowedFd<'_>, name: &CStr, to: &Path) -> io::Result<()> {
        Ok(rustix::fs::linkat(fd, name, rustix::fs::CWD, to, AtFlags::empty())?)
    }
}

/// A folder or file with a name that is not UTF-8, carried as it is: files linked, folders made.
fn copy_tree(from: &Path, to: &Path) -> io::Result<()> {
    if !std::fs::symlink_metadata(from)?.is_dir() {
        // Refuses to take the place of what is there, as a link would.
        return link_or_copy(from, to);
    }
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        copy_tree(&entry.path(), &to.join(entry.file_name()))?;
    }
    std::fs::set_permissions(to, std::fs::metadata(from)?.permissions())
}

/// A hard link (the same file in both trees); a copy where the file system has none.
fn link_or_copy(from: &Path, to: &Path) -> io::Result<()> {
    match std::fs::hard_link(from, to) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Err(e),
        Err(_) => {
            // A copy would replace what is there: a link would not have.
            if std::fs::symlink_metadata(to).is_ok() {
                return Err(io::Error::from(io::ErrorKind::AlreadyExists));
            }
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
    fn holds_compares_every_byte_and_only_regular_files() {
        let tmp = tempfile::tempdir().unwrap();
        let big: Vec<u8> = (0..BLOCK_SIZE * 2 + 17).map(|i| (i % 251) as u8).collect();
        let file = tmp.path().join("f");
        std::fs::write(&file, &big).unwrap();
        assert!(holds(&file, &big));
        let mut last = big.clone();
        *last.last_mut().unwrap() ^= 1;
        assert!(!holds(&file, &last), "a byte differs in the last block");
        let mut first = big.clone();
        first[0] ^= 1;
        assert!(!holds(&file, &first));
        assert!(!holds(&file, &big[..big.len() - 1]), "shorter");
        assert!(!holds(&tmp.path().join("missing"), b""));
        std::fs::write(&file, b"").unwrap();
        assert!(holds(&file, b""));
        std::os::unix::fs::symlink(&file, tmp.path().join("link")).unwrap();
        assert!(!holds(&tmp.path().join("link"), b""), "a link is never stagebook's file");
        assert!(!holds(tmp.path(), b""), "a folder");
        for open in [open_regular as fn(&Path, u64) -> Option<std::fs::File>, open_regular_by_path] {
            assert!(open(&file, 0).is_some());
            assert!(open(&file, 1).is_none(), "another size");
            assert!(open(&tmp.path().join("link"), 0).is_none());
            assert!(open(tmp.path(), 0).is_none());
        }
        let fifo = tmp.path().join("fifo");
        assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
        assert!(!holds(&fifo, b""), "a FIFO is not read (nor waited for)");
    }

    #[test]
    fn an_unchanged_file_removed_before_the_publish_fails_it_and_keeps_the_output() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("book");
        publish(&out, &[("a/index.html", "a"), ("b/index.html", "b")]);
        let s = Staging::new(&out, false).unwrap();
        s.write("a/index.html", b"a").unwrap();
        s.write("b/index.html", b"b2").unwrap();
        std::fs::remove_file(out.join("a/index.html")).unwrap();
        let err = s.commit().unwrap_err();
        assert!(err.to_string().contains("a/index.html"), "{err}");
        assert_eq!(std::fs::read_to_string(out.join("b/index.html")).unwrap(), "b");
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
        assert!(matches!(result, Published::Replaced { ref warnings, .. } if warnings.is_empty()), "{result:?}");
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
    fn files_compared_from_their_open_folders_are_as_by_their_paths() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("book");
        let files = [("top.html", "t"), ("a/index.html", "a"), ("a/b/deep.html", "d"), ("c/x.json", "x")];
        publish(&out, &files);
        std::fs::remove_file(out.join("c/x.json")).unwrap();
        std::fs::remove_dir(out.join("c")).unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(out.join("a/index.html"), out.join("c")).unwrap();
        let s = Staging::new(&out, false).unwrap();
        let mut cases: Vec<(&str, &str)> = files.to_vec();
        cases.extend([("a/index.html", "b"), ("a/index.html", "aa"), ("a/b", ""), ("none/x.html", "")]);
        for _ in 0..2 {
            for (rel, text) in &cases {
                let by_path = holds(&out.join(rel), text.as_bytes());
                assert_eq!(s.holds(rel, text.as_bytes()), by_path, "{rel}");
            }
        }
        assert!(s.holds("a/b/deep.html", b"d") && !s.holds("c/x.json", b"x"));
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
    fn foreign_names_that_are_not_utf8_and_nested_foreign_folders_are_carried() {
        use std::os::unix::ffi::OsStrExt;
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("book");
        publish(&out, &[("a/index.html", "a"), ("a/b/index.html", "b")]);
        let odd = std::ffi::OsStr::from_bytes(b"caf\xe9");
        std::fs::write(out.join("a").join(odd), "latin-1 name").unwrap();
        std::fs::create_dir_all(out.join("a/b").join(odd).join("deep")).unwrap();
        std::fs::write(out.join("a/b").join(odd).join("deep/x"), "x").unwrap();
        std::fs::create_dir_all(out.join("a/b/notes/more")).unwrap();
        std::fs::write(out.join("a/b/notes/more/n.txt"), "n").unwrap();
        publish(&out, &[("a/index.html", "a2")]);
        assert_eq!(std::fs::read_to_string(out.join("a").join(odd)).unwrap(), "latin-1 name");
        assert_eq!(std::fs::read_to_string(out.join("a/b").join(odd).join("deep/x")).unwrap(), "x");
        assert_eq!(std::fs::read_to_string(out.join("a/b/notes/more/n.txt")).unwrap(), "n");
        assert!(!out.join("a/b/index.html").exists());
        assert_eq!(std::fs::read_to_string(out.join("a/index.html")).unwrap(), "a2");
    }

    /// Every path under `dir` with what it holds ("/" for a folder).
    fn tree(dir: &Path) -> Vec<(String, String)> {
        let mut found: Vec<(String, String)> = walkdir::WalkDir::new(dir)
            .min_depth(1)
            .into_iter()
            .map(|e| {
                let e = e.unwrap();
                let rel = e.path().strip_prefix(dir).unwrap().to_string_lossy().into_owned();
                let text = if e.file_type().is_dir() { "/".into() } else { std::fs::read_to_string(e.path()).unwrap() };
                (rel, text)
            })
            .collect();
        found.sort();
        found
    }

    #[test]
    fn the_carry_walk_by_paths_and_from_open_folders_make_the_same_tree() {
        use std::os::unix::ffi::OsStrExt;
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        let files = ["a/index.html", "a/b/index.html", "c/index.html", "style.css", "notes.txt", "x/y/z.txt", "a/mine"];
        for rel in files {
            std::fs::create_dir_all(out.join(rel).parent().unwrap()).unwrap();
            std::fs::write(out.join(rel), rel).unwrap();
        }
        std::fs::write(out.join(manifest::FILE), "{}").unwrap();
        std::fs::write(out.join("a").join(std::ffi::OsStr::from_bytes(b"caf\xe9")), "odd").unwrap();
        let owned: HashSet<String> =
            ["a/index.html", "a/b/index.html", "c/index.html", "style.css"].iter().map(|s| s.to_string()).collect();
        let unchanged = ["a/b/index.html".to_string(), "style.css".to_string()];
        let mut trees = Vec::new();
        for by_paths in [true, false] {
            let staged = tmp.path().join(format!("staged-{by_paths}"));
            std::fs::create_dir(&staged).unwrap();
            carry_over(&out, &staged, &owned, &unchanged, by_paths).unwrap();
            assert_eq!(ino(&staged.join("style.css")), ino(&out.join("style.css")), "linked");
            trees.push(tree(&staged));
        }
        assert_eq!(trees[0], trees[1]);
        let names: Vec<&str> = trees[0].iter().map(|(rel, _)| rel.as_str()).collect();
        assert_eq!(
            names,
            [
                "a",
                "a/b",
                "a/b/index.html",
                "a/caf\u{FFFD}",
                "a/mine",
                "notes.txt",
                "style.css",
                "x",
                "x/y",
                "x/y/z.txt"
            ]
        );
        // A file stagebook wrote that went since it was compared fails the publish.
        std::fs::remove_file(out.join("style.css")).unwrap();
        for by_paths in [true, false] {
            let staged = tmp.path().join(format!("again-{by_paths}"));
            std::fs::create_dir(&staged).unwrap();
            assert!(carry_over(&out, &staged, &owned, &unchanged, by_paths).is_err());
        }
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
