//! Folders read relative to open folder descriptors, shared by the carry walk ([`super::publish`])
//! and the removal of old trees ([`super::lock`]): a name is looked up in its own folder only,
//! never walked to from the root, and never through a symbolic link.

use std::ffi::CString;
use std::io;
use std::os::fd::{AsFd, OwnedFd};

use rustix::fs::{AtFlags, Dir, FileType, Mode, OFlags};

/// The folder `name` of `parent`, never through a symbolic link.
pub(super) fn open(parent: impl AsFd, name: impl rustix::path::Arg) -> io::Result<OwnedFd> {
    let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC;
    Ok(rustix::fs::openat(parent, name, flags, Mode::empty())?)
}

/// Every entry of the open folder (name, is a folder), read whole before anything in it is
/// changed; with the folder, still open, to look names up in.
pub(super) fn list(fd: OwnedFd) -> io::Result<(Dir, Vec<(CString, bool)>)> {
    let mut dir = Dir::new(fd)?;
    let mut entries = Vec::new();
    while let Some(entry) = dir.read() {
        let entry = entry?;
        let name = entry.file_name();
        if name == c"." || name == c".." {
            continue;
        }
        let kind = match entry.file_type() {
            // Some file systems do not say in the listing: ask, without following a link.
            FileType::Unknown => {
                FileType::from_raw_mode(rustix::fs::statat(dir.fd()?, name, AtFlags::SYMLINK_NOFOLLOW)?.st_mode)
            }
            kind => kind,
        };
        entries.push((name.to_owned(), kind == FileType::Directory));
    }
    Ok((dir, entries))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_listing_names_files_and_folders_and_no_link_is_taken_for_a_folder() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::create_dir(tmp.path().join("sub")).unwrap();
        std::fs::write(tmp.path().join("a.html"), "a").unwrap();
        std::os::unix::fs::symlink(tmp.path().join("sub"), tmp.path().join("link")).unwrap();
        let root = open(rustix::fs::CWD, tmp.path()).unwrap();
        let (_, mut entries) = list(root).unwrap();
        entries.sort();
        let names: Vec<(&str, bool)> = entries.iter().map(|(n, d)| (n.to_str().unwrap(), *d)).collect();
        assert_eq!(names, [("a.html", false), ("link", false), ("sub", true)]);
        let root = open(rustix::fs::CWD, tmp.path()).unwrap();
        assert!(open(&root, "link").is_err(), "a link in a folder's place is not opened");
        assert!(open(&root, "sub").is_ok());
    }
}
