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
