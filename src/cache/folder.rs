//! The cache folder itself: `.stagebook-cache/` beside book.toml, marked the way Cargo marks
//! `target/` (a `CACHEDIR.TAG` backup tools skip, a `.gitignore` of `*` so git never lists it),
//! written only by whole-file renames so a killed build leaves each file old or new, never
//! half written. stagebook writes into it only when it made it (the tag says so): a folder of
//! that name made by someone else is left alone.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// The folder's name, beside book.toml.
pub(crate) const NAME: &str = ".stagebook-cache";

/// The first line of a cache directory tag (https://bford.info/cachedir/), which backup tools
/// look for.
const SIGNATURE: &str = "Signature: 8a477f597d28d172789f06886806bc55";

/// Temporary files being written start with this; leftovers of killed builds are removed.
const TEMP_PREFIX: &str = ".writing-";

pub(crate) struct Folder {
    dir: PathBuf,
}

/// Why the cache cannot be used this time (the build goes on without it).
#[derive(Debug, thiserror::Error)]
pub(crate) enum Unusable {
    #[error("cannot write the build cache {}: {source}; the next build builds everything (--no-cache turns the cache off)", .dir.display())]
    Create { dir: PathBuf, source: io::Error },
    #[error(
        "{} exists but stagebook did not make it (it has no CACHEDIR.TAG); building without the cache",
        .0.display()
    )]
    Foreign(PathBuf),
}

/// `dir` is a folder carrying stagebook's CACHEDIR.TAG.
fn tagged(dir: &Path) -> bool {
    dir.is_dir() && std::fs::read(dir.join("CACHEDIR.TAG")).is_ok_and(|t| t.starts_with(SIGNATURE.as_bytes()))
}

impl Folder {
    /// The cache folder of the handbook in `root`: made (with its tag and `.gitignore`) by the
    /// first write, so a build that fails or finds it unwritable leaves nothing behind.
    pub(crate) fn open(root: &Path) -> Result<Folder, Unusable> {
        let dir = root.join(NAME);
        if std::fs::symlink_metadata(&dir).is_ok() {
            if !tagged(&dir) {
                return Err(Unusable::Foreign(dir));
            }
            let folder = Folder { dir };
            folder.remove_leftovers();
            return Ok(folder);
        }
        Ok(Folder { dir })
    }

    /// The handbook's cache folder for reading only, when stagebook made it: nothing is made,
    /// tidied or written (a build may be writing it at the same time).
    pub(crate) fn existing(root: &Path) -> Option<Folder> {
        let dir = root.join(NAME);
        tagged(&dir).then_some(Folder { dir })
    }

    /// Makes the folder, marked, unless it is there.
    fn make(&self) -> Result<(), Unusable> {
        match std::fs::create_dir(&self.dir) {
            Ok(()) => {
                let marked = self
                    .replace(".gitignore", b"# Made by stagebook: the whole build cache is local.\n*\n")
                    .and_then(|()| self.replace("CACHEDIR.TAG", tag().as_bytes()));
                marked.map_err(|source| Unusable::Create { dir: self.dir.clone(), source })
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(()),
            Err(source) => Err(Unusable::Create { dir: self.dir.clone(), source }),
        }
    }

    pub(crate) fn path(&self) -> &Path {
        &self.dir
    }

    /// The bytes of `name`, or `None` when it is missing or unreadable.
    pub(crate) fn read(&self, name: &str) -> Option<Vec<u8>> {
        std::fs::read(self.dir.join(name)).ok()
    }

    /// Replaces `name` in one step (the folder made first if need be).
    pub(crate) fn write(&self, name: &str, bytes: &[u8]) -> Result<(), Unusable> {
        self.make()?;
        self.replace(name, bytes).map_err(|source| Unusable::Create { dir: self.dir.clone(), source })
    }

    /// Written to a temporary file, flushed, then renamed over `name`.
    fn replace(&self, name: &str, bytes: &[u8]) -> io::Result<()> {
        let mut tmp = tempfile::Builder::new().prefix(TEMP_PREFIX).tempfile_in(&self.dir)?;
        tmp.write_all(bytes)?;
        tmp.as_file().sync_data()?;
        tmp.persist(self.dir.join(name)).map_err(|e| e.error)?;
        Ok(())
    }

    /// Temporary files a killed build left, once they are old enough not to be another
    /// build's file in progress.
    fn remove_leftovers(&self) {
        let Ok(entries) = std::fs::read_dir(&self.dir) else { return };
        for entry in entries.flatten() {
            let stale = entry.metadata().ok().and_then(|m| m.modified().ok()).and_then(|t| t.elapsed().ok());
            if entry.file_name().to_string_lossy().starts_with(TEMP_PREFIX)
                && stale.is_some_and(|age| age.as_secs() > 3600)
            {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
}

fn tag() -> String {
    format!(
        "{SIGNATURE}\n# This file is a cache directory tag created by stagebook.\n\
         # For information about cache directory tags see https://bford.info/cachedir/\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_folder_is_tagged_and_ignored_by_git() {
        let tmp = tempfile::tempdir().unwrap();
        let folder = Folder::open(tmp.path()).unwrap();
        assert!(!folder.path().exists(), "made by the first write only");
        folder.write("r", b"x").unwrap();
        let tag = std::fs::read_to_string(folder.path().join("CACHEDIR.TAG")).unwrap();
        assert!(tag.starts_with("Signature: 8a477f597d28d172789f06886806bc55\n"));
        let ignore = std::fs::read_to_string(folder.path().join(".gitignore")).unwrap();
        assert!(ignore.lines().any(|l| l == "*"));
        // Opened again, it is recognised as stagebook's.
        Folder::open(tmp.path()).unwrap();
    }

    #[test]
    fn a_folder_stagebook_did_not_make_is_left_alone() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::create_dir(tmp.path().join(NAME)).unwrap();
        std::fs::write(tmp.path().join(NAME).join("notes"), "mine").unwrap();
        assert!(matches!(Folder::open(tmp.path()), Err(Unusable::Foreign(_))));
        let names: Vec<_> =
            std::fs::read_dir(tmp.path().join(NAME)).unwrap().flatten().map(|e| e.file_name()).collect();
        assert_eq!(names, ["notes"]);
    }

    #[test]
    fn writes_replace_whole_files_and_leave_no_temporary_file() {
        let tmp = tempfile::tempdir().unwrap();
        let folder = Folder::open(tmp.path()).unwrap();
        assert!(folder.read("r").is_none());
        folder.write("r", b"one").unwrap();
        folder.write("r", b"two").unwrap();
        assert_eq!(folder.read("r").unwrap(), b"two");
        assert!(folder.read("missing").is_none());
        let temps = std::fs::read_dir(folder.path())
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().starts_with(TEMP_PREFIX))
            .count();
        assert_eq!(temps, 0);
    }

    #[cfg(unix)]
    #[test]
    fn a_read_only_handbook_is_reported_not_fatal() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let book = tmp.path().join("book");
        std::fs::create_dir(&book).unwrap();
        std::fs::set_permissions(&book, std::fs::Permissions::from_mode(0o555)).unwrap();
        let written = Folder::open(&book).unwrap().write("r", b"x");
        std::fs::set_permissions(&book, std::fs::Permissions::from_mode(0o755)).unwrap();
        // root ignores permissions; then the folder is simply made.
        if let Err(e) = written {
            assert!(matches!(e, Unusable::Create { .. }));
            assert!(e.to_string().contains("the next build builds everything"), "{e}");
        }
    }
}
