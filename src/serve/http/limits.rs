//! How many connections the server may hold: bounded by the process's open-file limit, so
//! the builder (which opens files) and the server never run each other out of descriptors.

/// Connections at most, whatever the limit.
const MAX_CONNECTIONS: usize = 512;
/// Descriptors left to the rest of the process (stdio, the watcher, the poll, files the
/// builder reads on its threads).
const RESERVED: u64 = 64;
/// Connections at least, even under a tiny limit (accept errors are handled anyway).
const MIN_CONNECTIONS: usize = 16;

/// The connection cap for a soft open-file limit (None: unknown or unlimited).
pub(crate) fn max_connections(open_files: Option<u64>) -> usize {
    match open_files {
        Some(limit) => usize::try_from(limit.saturating_sub(RESERVED))
            .unwrap_or(usize::MAX)
            .clamp(MIN_CONNECTIONS, MAX_CONNECTIONS),
        None => MAX_CONNECTIONS,
    }
}

/// Raises the soft open-file limit to the hard one (many systems start processes at 1,024
/// or less while allowing far more) and returns the soft limit now in force.
#[cfg(unix)]
pub(crate) fn raise_open_files() -> Option<u64> {
    use rustix::process::{getrlimit, setrlimit, Resource, Rlimit};
    let limit = getrlimit(Resource::Nofile);
    // An unlimited hard limit is still capped by the kernel; 65,536 is plenty here.
    let target = limit.maximum.unwrap_or(1 << 16).min(1 << 16);
    match limit.current {
        Some(current) if current < target => {
            match setrlimit(Resource::Nofile, Rlimit { current: Some(target), maximum: limit.maximum }) {
                Ok(()) => Some(target),
                Err(_) => Some(current),
            }
        }
        current => current,
    }
}

#[cfg(not(unix))]
pub(crate) fn raise_open_files() -> Option<u64> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cap_follows_the_limit_within_bounds() {
        assert_eq!(max_connections(Some(256)), 192);
        assert_eq!(max_connections(Some(1024)), 512);
        assert_eq!(max_connections(Some(20)), MIN_CONNECTIONS);
        assert_eq!(max_connections(None), 512);
    }

    #[test]
    fn raising_never_lowers_the_limit() {
        #[cfg(unix)]
        let before = rustix::process::getrlimit(rustix::process::Resource::Nofile).current;
        let after = raise_open_files();
        #[cfg(unix)]
        assert!(after >= before.map(|b| b.min(1 << 16)), "{before:?} -> {after:?}");
        let _ = after;
    }
}
