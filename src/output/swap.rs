//! Putting a finished site in place of the old one in one step.
//!
//! On Linux, `renameat2(RENAME_EXCHANGE)` swaps the two folders atomically: at every moment the
//! output path names either the whole old site or the whole new one, even if the process is
//! killed. Where the file system refuses the exchange (some network and FUSE file systems),
//! and on other systems, [`by_renames`] moves the old folder aside and the new one in: two
//! renames, with a moment between them where the output path does not exist. A build killed in
//! that moment leaves the old site whole in the state folder, and the next build puts it back
//! (see `lock::State::recover`).

use std::io;
use std::path::Path;

/// How the new site went in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Swapped {
    /// `staged` now holds the old site.
    Exchanged,
    /// The old site was moved to `aside`; `staged` no longer exists.
    MovedAside,
}

/// Puts the folder `staged` at `target` (an existing folder), keeping the old one: at `staged`
/// after an exchange, at `aside` after the fallback.
///
/// `STAGEBOOK_SWAP=renames` forces the fallback, so tests can exercise it on Linux too.
pub(crate) fn swap(staged: &Path, target: &Path, aside: &Path) -> io::Result<Swapped> {
    if std::env::var_os("STAGEBOOK_SWAP").is_some_and(|v| v == "renames") {
        return by_renames(staged, target, aside).map(|()| Swapped::MovedAside);
    }
    match exchange(staged, target) {
        Ok(()) => Ok(Swapped::Exchanged),
        Err(e) if exchange_unsupported(&e) => by_renames(staged, target, aside).map(|()| Swapped::MovedAside),
        Err(e) => Err(e),
    }
}

/// Swaps two folders atomically.
#[cfg(target_os = "linux")]
pub(crate) fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    use rustix::fs::{renameat_with, RenameFlags, CWD};
    renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE).map_err(io::Error::from)
}

/// No atomic exchange here: always the fallback.
#[cfg(not(target_os = "linux"))]
pub(crate) fn exchange(_: &Path, _: &Path) -> io::Result<()> {
    Err(io::Error::new(io::ErrorKind::Unsupported, "no atomic folder exchange on this system"))
}

/// The kernel or the file system has no exchange (EINVAL on file systems without it, ENOSYS on
/// kernels older than 3.15).
fn exchange_unsupported(e: &io::Error) -> bool {
    const EINVAL: i32 = 22;
    const ENOSYS: i32 = 38;
    e.kind() == io::ErrorKind::Unsupported || matches!(e.raw_os_error(), Some(EINVAL) | Some(ENOSYS))
}

/// The fallback: `target` -> `aside`, then `staged` -> `target`; if the second rename fails,
/// the old folder is put back.
pub(crate) fn by_renames(staged: &Path, target: &Path, aside: &Path) -> io::Result<()> {
    std::fs::rename(target, aside)?;
    if let Err(e) = crate::output::failpoint::hit("aside") {
        std::fs::rename(aside, target)?;
        return Err(e);
    }
    if let Err(e) = std::fs::rename(staged, target) {
        return match std::fs::rename(aside, target) {
            Ok(()) => Err(e),
            Err(back) => Err(io::Error::new(
                e.kind(),
                format!("{e}; and the previous site could not be put back ({back}): it is in {}", aside.display()),
            )),
        };
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(dir: &Path, marker: &str) {
        std::fs::create_dir_all(dir.join("a")).unwrap();
        std::fs::write(dir.join("a/index.html"), marker).unwrap();
    }

    #[test]
    fn exchange_swaps_two_folders() {
        let tmp = tempfile::tempdir().unwrap();
        let (new, out) = (tmp.path().join("new"), tmp.path().join("out"));
        site(&new, "new");
        site(&out, "old");
        assert_eq!(swap(&new, &out, &tmp.path().join("aside")).unwrap(), Swapped::Exchanged);
        assert_eq!(std::fs::read_to_string(out.join("a/index.html")).unwrap(), "new");
        assert_eq!(std::fs::read_to_string(new.join("a/index.html")).unwrap(), "old");
    }

    #[test]
    fn the_fallback_moves_the_old_folder_aside() {
        let tmp = tempfile::tempdir().unwrap();
        let (new, out, aside) = (tmp.path().join("new"), tmp.path().join("out"), tmp.path().join("aside"));
        site(&new, "new");
        site(&out, "old");
        by_renames(&new, &out, &aside).unwrap();
        assert_eq!(std::fs::read_to_string(out.join("a/index.html")).unwrap(), "new");
        assert_eq!(std::fs::read_to_string(aside.join("a/index.html")).unwrap(), "old");
        assert!(!new.exists());
    }

    #[test]
    fn the_fallback_puts_the_old_folder_back_when_the_new_one_cannot_go_in() {
        let tmp = tempfile::tempdir().unwrap();
        let (out, aside) = (tmp.path().join("out"), tmp.path().join("aside"));
        site(&out, "old");
        let err = by_renames(&tmp.path().join("missing"), &out, &aside).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::NotFound);
        assert_eq!(std::fs::read_to_string(out.join("a/index.html")).unwrap(), "old");
        assert!(!aside.exists());
    }

    #[test]
    fn only_a_missing_exchange_falls_back() {
        assert!(exchange_unsupported(&io::Error::from_raw_os_error(22)));
        assert!(exchange_unsupported(&io::Error::from_raw_os_error(38)));
        assert!(!exchange_unsupported(&io::Error::from_raw_os_error(13)));
    }
}
