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
    #[error("cannot create the build cache {}: {source}; building without it (--no-cache turns it off)", .dir.display())]
    Create { dir: PathBuf, source: io::Error },
    #[error(
        "{} exists but stagebook did not make it (it has no CACHEDIR.TAG); building without the cache",
        .0.display()
    )]
    Foreign(PathBuf),
}

impl Folder {
    /// The cache folder of the handbook in `root`, made (with its tag and `.gitignore`) when missing.
    pub(crate) fn open(root: &Path) -> Result<Folder, Unusable> {
        let dir = root.join(NAME);
        match std::fs::create_dir(&dir) {
            Ok(()) => {
                let folder = Folder { dir };
                let marked = folder
                    .write(".gitignore", b"# Made by stagebook: the whole build cache is local.\n*\n")
                    .and_then(|()| folder.write("CACHEDIR.TAG", tag().as_bytes()));
                marked.map_err(|source| Unusable::Create { dir: folder.dir.clone(), source })?;
                Ok(folder)
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                let tagged = std::fs::read(dir.join("CACHEDIR.TAG")).is_ok_and(|t| t.starts_with(SIGNATURE.as_bytes()));
                if !tagged || !dir.is_dir() {
                    return Err(Unusable::Foreign(dir));
                }
                let folder = Folder { dir };
                folder.remove_leftovers();
                Ok(folder)
            }
            Err(source) => Err(Unusable::Create { dir, source }),
        }
    }

    pub(crate) fn path(&self) -> &Path {
        &self.dir
    }

    /// The bytes of `name`, or `None` when it is missing or unreadable.
    pub(crate) fn read(&self, name: &str) -> Option<Vec<u8>> {
        std::fs::read(self.dir.join(name)).ok()
    }

    /// Replaces `name` in one step: written to a temporary file, flushed, then renamed over it.
    pub(crate) fn write(&self, name: &str, bytes: &[u8]) -> io::Result<()> {
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
        let opened = Folder::open(&book);
        std::fs::set_permissions(&book, std::fs::Permissions::from_mode(0o755)).unwrap();
        // root ignores permissions; then the folder is simply made.
        if let Err(e) = opened {
            assert!(matches!(e, Unusable::Create { .. }));
            assert!(e.to_string().contains("building without it"), "{e}");
        }
    }
}
