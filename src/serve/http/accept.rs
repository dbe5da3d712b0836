//! Taking new connections off the listener. No error ends this: a failed `accept` either
//! concerns one connection (it was reset before we took it) or the whole process (out of
//! descriptors or memory), and in that case the server waits a moment and tries again.

use std::io::{self, ErrorKind};
use std::time::Duration;

/// How long to wait before accepting again when the process is out of descriptors or memory.
pub(crate) const BACKOFF: Duration = Duration::from_millis(100);

/// Why a round of accepting stopped.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Stop {
    /// The listener has no more waiting connections.
    Drained,
    /// Took `limit` connections; more may be waiting (accept again soon, after other work).
    Budget,
    /// Accepting failed for a reason that does not go away at once: try again after the delay.
    Backoff(Duration, io::ErrorKind, String),
}

/// Accepts until the listener is drained, `limit` connections were taken, or accepting must
/// pause. `accept` is the listener's accept call (a seam for tests); `take` receives each
/// connection.
pub(crate) fn accept_round<T>(
    limit: usize,
    mut accept: impl FnMut() -> io::Result<T>,
    mut take: impl FnMut(T),
) -> Stop {
    for _ in 0..limit {
        match accept() {
            Ok(conn) => take(conn),
            Err(e) if e.kind() == ErrorKind::WouldBlock => return Stop::Drained,
            Err(e) if concerns_one_connection(&e) => continue,
            Err(e) => return Stop::Backoff(BACKOFF, e.kind(), e.to_string()),
        }
    }
    Stop::Budget
}

/// Errors about the one connection being accepted (the next accept can succeed at once).
fn concerns_one_connection(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        ErrorKind::Interrupted | ErrorKind::ConnectionAborted | ErrorKind::ConnectionReset | ErrorKind::TimedOut
    ) || is_protocol_error(e)
}

#[cfg(unix)]
fn is_protocol_error(e: &io::Error) -> bool {
    // EPROTO and EPERM (a firewall rule) are reported for single connections on Linux.
    e.raw_os_error().is_some_and(|code| {
        code == rustix::io::Errno::PROTO.raw_os_error() || code == rustix::io::Errno::PERM.raw_os_error()
    })
}

#[cfg(not(unix))]
fn is_protocol_error(_: &io::Error) -> bool {
    false
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn os(code: rustix::io::Errno) -> io::Error {
        io::Error::from_raw_os_error(code.raw_os_error())
    }

    /// Runs rounds over a scripted sequence of accept results, as the server loop does: after
    /// `Budget` at once, after `Backoff` (here: without sleeping) again.
    fn run(script: Vec<io::Result<u32>>) -> (Vec<u32>, Vec<Stop>) {
        let mut script = script.into_iter();
        let mut taken = Vec::new();
        let mut stops = Vec::new();
        loop {
            let stop = accept_round(
                2,
                || script.next().unwrap_or_else(|| Err(ErrorKind::WouldBlock.into())),
                |c| taken.push(c),
            );
            let done = stop == Stop::Drained && script.len() == 0;
            stops.push(stop);
            if done {
                return (taken, stops);
            }
        }
    }

    #[test]
    fn out_of_descriptors_pauses_and_accepting_resumes() {
        let (taken, stops) =
            run(vec![Ok(1), Err(os(rustix::io::Errno::MFILE)), Ok(2), Err(os(rustix::io::Errno::NFILE)), Ok(3)]);
        assert_eq!(taken, [1, 2, 3]);
        assert!(matches!(stops[0], Stop::Backoff(BACKOFF, _, _)), "{stops:?}");
        assert!(stops.iter().filter(|s| matches!(s, Stop::Backoff(..))).count() == 2, "{stops:?}");
        assert_eq!(stops.last(), Some(&Stop::Drained));
    }

    #[test]
    fn an_aborted_connection_is_skipped_without_pausing() {
        let (taken, stops) = run(vec![
            Err(os(rustix::io::Errno::CONNABORTED)),
            Ok(1),
            Err(ErrorKind::Interrupted.into()),
            Err(os(rustix::io::Errno::PROTO)),
            Ok(2),
        ]);
        assert_eq!(taken, [1, 2]);
        assert!(!stops.iter().any(|s| matches!(s, Stop::Backoff(..))), "{stops:?}");
    }

    #[test]
    fn unknown_errors_pause_instead_of_ending() {
        let (taken, stops) = run(vec![Err(io::Error::other("strange")), Ok(7)]);
        assert_eq!(taken, [7]);
        assert!(matches!(&stops[0], Stop::Backoff(_, ErrorKind::Other, m) if m == "strange"));
    }

    #[test]
    fn a_round_takes_at_most_its_budget() {
        let mut n = 0;
        let stop = accept_round(
            3,
            || {
                n += 1;
                Ok(n)
            },
            |_| {},
        );
        assert_eq!(stop, Stop::Budget);
        assert_eq!(n, 3);
    }
}
