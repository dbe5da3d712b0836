//! Stamping many files at once: the inputs of a 10,000-page handbook, the files of its output.
//! Asked by whole path, the kernel walks every path from the root again (`/dev/shm/book/...`
//! once per file), which is most of what stamping costs. Here the folder they are all in is
//! opened once and each file is looked up from it by its path inside (`fstatat`), spread
//! over the cores.

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::stamp::Stamp;

/// What a file is, with its stamp.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Looked {
    pub(crate) stamp: Stamp,
    pub(crate) dir: bool,
    pub(crate) file: bool,
}

/// The stamp of each of `paths` (absolute), in their order: `None` for one that cannot be
/// looked at (missing, in an unreadable folder, or a link to nothing when `follow`). `follow`:
/// a symbolic link stands for what it points to (`metadata`), else for itself
/// (`symlink_metadata`). `base`: a folder most of them are in, opened once for all of them.
pub(crate) fn look_all(base: &Path, paths: &[PathBuf], follow: bool) -> Vec<Option<Looked>> {
    let from = Base::open(base);
    paths.par_iter().with_min_len(64).map(|path| from.look(base, path, follow)).collect()
}

/// A folder opened once, to look many files up in it one at a time (from many threads): the
/// output folder, whose pages a cached build checks before rendering each.
pub(crate) struct Folder {
    path: PathBuf,
    base: Base,
}

impl Folder {
    /// `path` (absolute), opened where it can be (else each file is looked at by its whole path).
    pub(crate) fn open(path: &Path) -> Folder {
        Folder { path: path.to_path_buf(), base: Base::open(path) }
    }

    /// The file `rel` (a `/`-separated path inside the folder), as [`look_all`] would see it.
    pub(crate) fn look(&self, rel: &str, follow: bool) -> Option<Looked> {
        // Plain names only (no `.`, `..`, empty or leading `/`): the same file from the folder.
        let plain = !rel.is_empty() && rel.split('/').all(|name| !matches!(name, "" | "." | ".."));
        #[cfg(unix)]
        if let (Some(fd), true) = (&self.base.0, plain) {
            return stat_at(fd, rel, follow);
        }
        self.base.look(&self.path, &self.path.join(rel), follow)
    }
}

/// `base` opened, where it can be.
struct Base(#[cfg(unix)] Option<std::os::fd::OwnedFd>);

impl Base {
    #[cfg(unix)]
    fn open(base: &Path) -> Base {
        use rustix::fs::{Mode, OFlags};
        Base(rustix::fs::open(base, OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC, Mode::empty()).ok())
    }

    #[cfg(not(unix))]
    fn open(_: &Path) -> Base {
        Base()
    }

    /// Looked up from `base` by the path inside it (its folders followed like a whole path's
    /// would be: only the last name is the file's own), else by the whole path.
    #[cfg(unix)]
    fn look(&self, base: &Path, path: &Path, follow: bool) -> Option<Looked> {
        let inside = path.strip_prefix(base).ok().filter(|rel| {
            rel.components().all(|c| matches!(c, std::path::Component::Normal(_))) && !rel.as_os_str().is_empty()
        });
        let (Some(fd), Some(rel)) = (&self.0, inside) else { return by_path(path, follow) };
        stat_at(fd, rel, follow)
    }

    #[cfg(not(unix))]
    fn look(&self, _: &Path, path: &Path, follow: bool) -> Option<Looked> {
        by_path(path, follow)
    }
}

/// The file `rel` of the open folder `fd`.
#[cfg(unix)]
fn stat_at(fd: &std::os::fd::OwnedFd, rel: impl rustix::path::Arg, follow: bool) -> Option<Looked> {
    use rustix::fs::{AtFlags, FileType};
    let flags = if follow { AtFlags::empty() } else { AtFlags::SYMLINK_NOFOLLOW };
    let stat = rustix::fs::statat(fd, rel, flags).ok()?;
    let kind = FileType::from_raw_mode(stat.st_mode);
    Some(Looked { stamp: Stamp::of_stat(&stat), dir: kind == FileType::Directory, file: kind == FileType::RegularFile })
}

/// One file by its whole path: outside the base, and on systems without `fstatat`.
fn by_path(path: &Path, follow: bool) -> Option<Looked> {
    let meta = if follow { std::fs::metadata(path) } else { std::fs::symlink_metadata(path) }.ok()?;
    Some(Looked { stamp: Stamp::of(&meta), dir: meta.is_dir(), file: meta.is_file() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_file_is_stamped_as_by_its_path_in_order() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        std::fs::create_dir_all(root.join("a/b")).unwrap();
        std::fs::write(root.join("a/one.md"), "1").unwrap();
        std::fs::write(root.join("a/b/two.md"), "22").unwrap();
        std::fs::write(root.join("top.md"), "333").unwrap();
        let mut paths: Vec<PathBuf> = ["a", "a/b", "a/b/two.md", "a/one.md", "a/gone.md", "top.md", "nothing/x.md"]
            .iter()
            .map(|p| root.join(p))
            .collect();
        paths.push(root.join("a/b/.."));
        paths.push(PathBuf::from("/"));
        paths.push(root.to_path_buf());
        for follow in [true, false] {
            for base in [root.to_path_buf(), root.join("a"), root.join("missing")] {
                let looked = look_all(&base, &paths, follow);
                assert_eq!(looked.len(), paths.len());
                for (path, got) in paths.iter().zip(&looked) {
                    assert_eq!(*got, by_path(path, follow), "{} from {}", path.display(), base.display());
                }
            }
        }
        let looked = look_all(root, &paths, true);
        assert!(looked[0].unwrap().dir && !looked[0].unwrap().file);
        assert!(looked[3].unwrap().file && !looked[3].unwrap().dir);
        assert!(looked[4].is_none() && looked[6].is_none());
        assert!(look_all(root, &[], true).is_empty());
    }

    #[test]
    fn a_file_looked_up_in_an_open_folder_is_as_by_its_path() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        std::fs::create_dir_all(root.join("a/b")).unwrap();
        std::fs::write(root.join("a/b/two.html"), "22").unwrap();
        std::fs::write(root.join("top.html"), "1").unwrap();
        let rels = ["a", "a/b/two.html", "top.html", "a/../top.html", "./top.html", "a//b", "", "gone.html", "/etc"];
        for base in [root.to_path_buf(), root.join("missing")] {
            let folder = Folder::open(&base);
            for rel in rels {
                for follow in [true, false] {
                    assert_eq!(folder.look(rel, follow), by_path(&base.join(rel), follow), "{rel:?}");
                }
            }
        }
        assert!(Folder::open(root).look("a/b/two.html", false).is_some_and(|l| l.file));
    }

    #[cfg(unix)]
    #[test]
    fn links_are_followed_only_when_asked() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(tmp.path().join("real.md"), "real").unwrap();
        std::os::unix::fs::symlink("real.md", tmp.path().join("link.md")).unwrap();
        std::os::unix::fs::symlink("nowhere.md", tmp.path().join("dangling.md")).unwrap();
        let paths = vec![tmp.path().join("dangling.md"), tmp.path().join("link.md"), tmp.path().join("real.md")];
        let followed = look_all(tmp.path(), &paths, true);
        assert!(followed[0].is_none());
        assert_eq!(followed[1].unwrap().stamp, followed[2].unwrap().stamp);
        let own = look_all(tmp.path(), &paths, false);
        assert!(own[0].is_some_and(|l| !l.file && !l.dir));
        assert_ne!(own[1].unwrap().stamp, own[2].unwrap().stamp);
    }
}
