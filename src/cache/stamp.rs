//! A file's identity on disk without reading it: size, modification and change times, inode.
//! Equal stamps let the cache reuse a hash (inputs) or trust that an output file is the one
//! the last build wrote. The change time cannot be set back by `touch` or by tools that keep
//! modification times, and the inode changes when an editor saves by renaming a new file.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Stamp {
    len: u64,
    /// Nanoseconds since 1970.
    modified: i64,
    /// Nanoseconds since 1970 (0 where the system has no change time).
    changed: i64,
    inode: u64,
    device: u64,
}

impl Stamp {
    #[cfg(unix)]
    pub(crate) fn of(meta: &std::fs::Metadata) -> Stamp {
        use std::os::unix::fs::MetadataExt;
        let ns = |s: i64, n: i64| s.saturating_mul(1_000_000_000).saturating_add(n);
        Stamp {
            len: meta.len(),
            modified: ns(meta.mtime(), meta.mtime_nsec()),
            changed: ns(meta.ctime(), meta.ctime_nsec()),
            inode: meta.ino(),
            device: meta.dev(),
        }
    }

    /// [`Stamp::of`] from what `fstatat` returned (see [`super::look`]): the same fields, so
    /// either kind of lookup stamps a file alike.
    #[cfg(unix)]
    #[allow(clippy::unnecessary_cast)] // the fields' types differ from one target to another
    pub(crate) fn of_stat(stat: &rustix::fs::Stat) -> Stamp {
        let ns = |s: i64, n: i64| s.saturating_mul(1_000_000_000).saturating_add(n);
        Stamp {
            len: stat.st_size as u64,
            modified: ns(stat.st_mtime as i64, stat.st_mtime_nsec as i64),
            changed: ns(stat.st_ctime as i64, stat.st_ctime_nsec as i64),
            inode: stat.st_ino as u64,
            device: stat.st_dev as u64,
        }
    }

    /// The stamp of a file stagebook wrote into an output folder: without the change time.
    /// Removing the previous site unlinks a second name of every file it shares with the new
    /// one, which changes that file's change time though not a byte of it; left out, the
    /// output can be stamped while the previous site is being removed, not after. Size,
    /// modification time and inode still tell a file written or replaced since.
    pub(crate) fn output(self) -> Stamp {
        Stamp { changed: 0, ..self }
    }

    #[cfg(not(unix))]
    pub(crate) fn of(meta: &std::fs::Metadata) -> Stamp {
        Stamp::portable(meta)
    }

    /// Size and modification time only: what every system has. Weaker (an edit that keeps
    /// both is missed until its file is racy), so unix uses [`Stamp::of`]'s fuller identity.
    #[cfg_attr(unix, allow(dead_code))]
    pub(crate) fn portable(meta: &std::fs::Metadata) -> Stamp {
        let modified = meta.modified().map(nanos).unwrap_or(0);
        Stamp { len: meta.len(), modified, changed: 0, inode: 0, device: 0 }
    }

    /// The size of [`Stamp::to_bytes`].
    pub(crate) const BYTES: usize = 40;

    /// Little-endian, for the cache's binary files.
    pub(crate) fn to_bytes(self) -> [u8; Stamp::BYTES] {
        let mut out = [0; Stamp::BYTES];
        let fields = [self.len, self.modified as u64, self.changed as u64, self.inode, self.device];
        for (chunk, field) in out.chunks_exact_mut(8).zip(fields) {
            chunk.copy_from_slice(&field.to_le_bytes());
        }
        out
    }

    /// The stamp [`Stamp::to_bytes`] wrote (`None` for a slice of another size).
    pub(crate) fn from_bytes(bytes: &[u8]) -> Option<Stamp> {
        if bytes.len() != Stamp::BYTES {
            return None;
        }
        let field = |i: usize| u64::from_le_bytes(bytes[i * 8..i * 8 + 8].try_into().expect("8 bytes"));
        Some(Stamp {
            len: field(0),
            modified: field(1) as i64,
            changed: field(2) as i64,
            inode: field(3),
            device: field(4),
        })
    }

    /// Did the file change within `window` of `now` (or after it)? Then a same-size edit in
    /// the same clock tick would leave this stamp as it is.
    pub(crate) fn within(&self, now: SystemTime, window: Duration) -> bool {
        let last = self.modified.max(self.changed);
        last.saturating_add(window.as_nanos() as i64) >= nanos(now)
    }
}

/// Nanoseconds since 1970 (as i64: until the year 2262).
fn nanos(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_nanos()).unwrap_or(i64::MAX),
        Err(e) => i64::try_from(e.duration().as_nanos()).map(|n| -n).unwrap_or(i64::MIN),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_edit_changes_the_stamp() {
        let tmp = tempfile::tempdir().unwrap();
        let f = tmp.path().join("a");
        std::fs::write(&f, "one").unwrap();
        let before = Stamp::of(&std::fs::metadata(&f).unwrap());
        std::fs::write(&f, "three").unwrap();
        assert_ne!(before, Stamp::of(&std::fs::metadata(&f).unwrap()));
    }

    #[cfg(unix)]
    #[test]
    fn a_stamp_from_fstatat_is_the_stamp_from_metadata() {
        let tmp = tempfile::tempdir().unwrap();
        let f = tmp.path().join("a");
        std::fs::write(&f, "one").unwrap();
        let stat = rustix::fs::statat(rustix::fs::CWD, &f, rustix::fs::AtFlags::empty()).unwrap();
        assert_eq!(Stamp::of_stat(&stat), Stamp::of(&std::fs::metadata(&f).unwrap()));
    }

    #[test]
    fn an_output_stamp_ignores_a_second_name_going() {
        let tmp = tempfile::tempdir().unwrap();
        let (f, g) = (tmp.path().join("a"), tmp.path().join("b"));
        std::fs::write(&f, "one").unwrap();
        std::fs::hard_link(&f, &g).unwrap();
        let before = Stamp::of(&std::fs::metadata(&f).unwrap());
        std::thread::sleep(Duration::from_millis(20));
        std::fs::remove_file(&g).unwrap();
        let after = Stamp::of(&std::fs::metadata(&f).unwrap());
        assert_ne!(before, after, "the change time moved");
        assert_eq!(before.output(), after.output());
        std::fs::write(&f, "two").unwrap();
        assert_ne!(before.output(), Stamp::of(&std::fs::metadata(&f).unwrap()).output());
    }

    #[test]
    fn a_stamp_reads_back_from_its_bytes() {
        let s = Stamp { len: 3, modified: -5, changed: i64::MAX, inode: 9, device: u64::MAX };
        assert_eq!(Stamp::from_bytes(&s.to_bytes()), Some(s));
        assert_eq!(Stamp::from_bytes(&s.to_bytes()[1..]), None);
    }

    #[test]
    fn the_portable_stamp_sees_size_and_time() {
        let tmp = tempfile::tempdir().unwrap();
        let f = tmp.path().join("a");
        std::fs::write(&f, "one").unwrap();
        let meta = std::fs::metadata(&f).unwrap();
        let before = Stamp::portable(&meta);
        assert!(before.within(SystemTime::now(), Duration::from_secs(60)));
        assert!(!before.within(SystemTime::now() + Duration::from_secs(120), Duration::from_secs(60)));
        std::fs::write(&f, "three").unwrap();
        assert_ne!(before, Stamp::portable(&std::fs::metadata(&f).unwrap()));
    }
}
