//! Writing the site: into a staging folder beside the output, swapped in only when the whole
//! build succeeded, so a failed build never leaves a half-written or emptied site behind.

use std::collections::HashSet;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rayon::prelude::*;

/// Somewhere rendered files go. `Sync` so pages can be written from parallel workers.
pub trait Sink: Sync {
    fn write(&self, rel: &str, bytes: &[u8]) -> io::Result<()>;
    fn copy(&self, rel: &str, from: &Path) -> io::Result<()>;
}

/// A built site held in memory: output path -> bytes. `serve` keeps one and swaps in a new
/// one after each successful rebuild.
pub type Files = std::collections::HashMap<String, std::sync::Arc<[u8]>>;

/// Collects the site in memory (for `serve`).
#[derive(Default)]
pub struct Memory {
    files: Mutex<Files>,
}

impl Memory {
    pub fn into_files(self) -> Files {
        self.files.into_inner().unwrap_or_else(|e| e.into_inner())
    }
}

impl Sink for Memory {
    fn write(&self, rel: &str, bytes: &[u8]) -> io::Result<()> {
        self.files.lock().unwrap_or_else(|e| e.into_inner()).insert(rel.to_string(), std::sync::Arc::from(bytes));
        Ok(())
    }
    fn copy(&self, rel: &str, from: &Path) -> io::Result<()> {
        let bytes = std::fs::read(from)?;
        self.write(rel, &bytes)
    }
}

/// For `check`: renders everything, keeps nothing.
pub struct Discard;

impl Sink for Discard {
    fn write(&self, _: &str, _: &[u8]) -> io::Result<()> {
        Ok(())
    }
    fn copy(&self, _: &str, from: &Path) -> io::Result<()> {
        std::fs::metadata(from).map(|_| ())
    }
}

/// A staging folder next to the output folder. Only files whose bytes differ from what the
/// output already holds are written there; [`Staging::commit`] moves them into place and deletes
/// files this build no longer produces. Dropped without committing, the staging folder is
/// deleted and the output stays byte for byte as it was.
///
/// Compared with rebuilding a whole new folder and swapping it in, this skips rewriting
/// unchanged pages and deleting the previous tree, which dominated the time of a rebuild of a
/// large book; the guarantee is the same, since nothing touches the output before commit.
pub struct Staging {
    dir: tempfile::TempDir,
    target: PathBuf,
    target_exists: bool,
    /// Paths (relative) written into the staging folder.
    staged: Mutex<Vec<String>>,
    /// Every path this build produces, changed or not.
    produced: Mutex<HashSet<String>>,
}

impl Staging {
    pub fn new(target: &Path) -> io::Result<Staging> {
        if target.exists() && !target.is_dir() {
            return Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                format!("{} exists and is not a folder", target.display()),
            ));
        }
        let parent = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        std::fs::create_dir_all(&parent)?;
        let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "book".into());
        let dir = tempfile::Builder::new().prefix(&format!(".{name}.stagebook-")).tempdir_in(&parent)?;
        Ok(Staging {
            dir,
            target: target.to_path_buf(),
            target_exists: target.is_dir(),
            staged: Mutex::new(Vec::new()),
            produced: Mutex::new(HashSet::new()),
        })
    }

    /// Moves the staged files into the output folder and removes files of pages that are gone.
    pub fn commit(self) -> io::Result<()> {
        let staged_root = self.dir.keep();
        if !self.target_exists {
            return std::fs::rename(&staged_root, &self.target).inspect_err(|_| {
                let _ = std::fs::remove_dir_all(&staged_root);
            });
        }
        let staged = self.staged.into_inner().unwrap_or_else(|e| e.into_inner());
        let produced = self.produced.into_inner().unwrap_or_else(|e| e.into_inner());
        let result = staged.par_iter().try_for_each(|rel| {
            let to = self.target.join(rel);
            if let Some(parent) = to.parent() {
                make_dir(parent)?;
            }
            if to.is_dir() {
                std::fs::remove_dir_all(&to)?;
            }
            std::fs::rename(staged_root.join(rel), &to)
        });
        let _ = std::fs::remove_dir_all(&staged_root);
        result?;
        remove_stale(&self.target, &self.target, &produced);
        Ok(())
    }

    fn stage(&self, rel: &str, bytes: &[u8]) -> io::Result<()> {
        self.produced.lock().unwrap_or_else(|e| e.into_inner()).insert(rel.to_string());
        if self.target_exists {
            let existing = self.target.join(rel);
            if std::fs::metadata(&existing).is_ok_and(|m| m.is_file() && m.len() == bytes.len() as u64)
                && std::fs::read(&existing).is_ok_and(|old| old == bytes)
            {
                return Ok(());
            }
        }
        let path = self.dir.path().join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(path, bytes)?;
        self.staged.lock().unwrap_or_else(|e| e.into_inner()).push(rel.to_string());
        Ok(())
    }
}

/// An absolute path with symlinks and `..` resolved, for comparing paths; parts that do not
/// exist (yet, or any more) are resolved through their nearest existing folder.
pub fn absolute(path: &Path) -> PathBuf {
    if let Ok(p) = path.canonicalize() {
        return p;
    }
    match (path.parent(), path.file_name()) {
        (Some(parent), Some(name)) => absolute(parent).join(name),
        _ => std::env::current_dir().map(|d| d.join(path)).unwrap_or_else(|_| path.to_path_buf()),
    }
}

/// `create_dir_all`, replacing a file that stands where a folder must go.
fn make_dir(dir: &Path) -> io::Result<()> {
    match std::fs::create_dir_all(dir) {
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists || dir.is_file() => {
            std::fs::remove_file(dir)?;
            std::fs::create_dir_all(dir)
        }
        other => other,
    }
}

/// Deletes files under `dir` that are not in `produced`, and folders left empty.
fn remove_stale(root: &Path, dir: &Path, produced: &HashSet<String>) -> bool {
    let Ok(entries) = std::fs::read_dir(dir) else { return false };
    let mut empty = true;
    for entry in entries.flatten() {
        let path = entry.path();
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        if is_dir {
            if remove_stale(root, &path, produced) {
                let _ = std::fs::remove_dir(&path);
            } else {
                empty = false;
            }
            continue;
        }
        let rel = path.strip_prefix(root).unwrap_or(&path).to_string_lossy().replace('\\', "/");
        if produced.contains(&rel) {
            empty = false;
        } else {
            let _ = std::fs::remove_file(&path);
        }
    }
    empty
}

impl Sink for Staging {
    fn write(&self, rel: &str, bytes: &[u8]) -> io::Result<()> {
        self.stage(rel, bytes)
    }
    fn copy(&self, rel: &str, from: &Path) -> io::Result<()> {
        self.stage(rel, &std::fs::read(from)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commit_replaces_and_drop_keeps_the_old_output() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("book");
        std::fs::create_dir(&out).unwrap();
        std::fs::write(out.join("old.html"), "old").unwrap();

        let s = Staging::new(&out).unwrap();
        s.write("a/index.html", b"new").unwrap();
        drop(s);
        assert_eq!(std::fs::read_to_string(out.join("old.html")).unwrap(), "old");

        let s = Staging::new(&out).unwrap();
        s.write("a/index.html", b"new").unwrap();
        s.commit().unwrap();
        assert!(!out.join("old.html").exists());
        assert_eq!(std::fs::read_to_string(out.join("a/index.html")).unwrap(), "new");
        let leftovers: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "staging folders are cleaned up");
    }

    #[test]
    fn unchanged_files_are_not_rewritten_and_stale_ones_go() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("book");
        let s = Staging::new(&out).unwrap();
        s.write("keep/index.html", b"same").unwrap();
        s.write("change/index.html", b"v1").unwrap();
        s.write("gone/deep/index.html", b"x").unwrap();
        s.commit().unwrap();
        let inode = |p: &str| std::os::unix::fs::MetadataExt::ino(&std::fs::metadata(out.join(p)).unwrap());
        let keep_inode = inode("keep/index.html");

        let s = Staging::new(&out).unwrap();
        s.write("keep/index.html", b"same").unwrap();
        s.write("change/index.html", b"v2").unwrap();
        s.write("gone", b"a file where a folder was").unwrap();
        assert_eq!(s.staged.lock().unwrap().len(), 2);
        s.commit().unwrap();
        assert_eq!(inode("keep/index.html"), keep_inode, "unchanged file untouched");
        assert_eq!(std::fs::read(out.join("change/index.html")).unwrap(), b"v2");
        assert_eq!(std::fs::read(out.join("gone")).unwrap(), b"a file where a folder was");
    }
}
