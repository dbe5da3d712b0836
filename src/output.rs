//! Writing the site: into a staging folder beside the output, swapped in only when the whole
//! build succeeded, so a failed build never leaves a half-written or emptied site behind.

use std::io;
use std::path::{Path, PathBuf};

/// Somewhere rendered files go. `Sync` so pages can be written from parallel workers.
pub trait Sink: Sync {
    fn write(&self, rel: &str, bytes: &[u8]) -> io::Result<()>;
    fn copy(&self, rel: &str, from: &Path) -> io::Result<()>;
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

/// A temporary folder next to the output folder that becomes the output on [`Staging::commit`].
/// Dropped without committing, it is deleted and the old output stays as it was.
pub struct Staging {
    dir: tempfile::TempDir,
    target: PathBuf,
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
        Ok(Staging { dir, target: target.to_path_buf() })
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Replaces the output folder with the staged one.
    pub fn commit(self) -> io::Result<()> {
        let staged = self.dir.keep();
        if !self.target.exists() {
            return std::fs::rename(&staged, &self.target).inspect_err(|_| {
                let _ = std::fs::remove_dir_all(&staged);
            });
        }
        let old = staged.with_extension("old");
        if let Err(e) = std::fs::rename(&self.target, &old) {
            let _ = std::fs::remove_dir_all(&staged);
            return Err(e);
        }
        if let Err(e) = std::fs::rename(&staged, &self.target) {
            let _ = std::fs::rename(&old, &self.target);
            let _ = std::fs::remove_dir_all(&staged);
            return Err(e);
        }
        let _ = std::fs::remove_dir_all(&old);
        Ok(())
    }

    fn prepare(&self, rel: &str) -> io::Result<PathBuf> {
        let path = self.dir.path().join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        Ok(path)
    }
}

impl Sink for Staging {
    fn write(&self, rel: &str, bytes: &[u8]) -> io::Result<()> {
        std::fs::write(self.prepare(rel)?, bytes)
    }
    fn copy(&self, rel: &str, from: &Path) -> io::Result<()> {
        std::fs::copy(from, self.prepare(rel)?).map(|_| ())
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
}
