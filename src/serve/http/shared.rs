//! What the server shows, shared between the rebuild loop and the server thread: the last
//! good site, the errors of the last build if it failed, and the events not yet sent to the
//! open tabs.

use std::sync::{Arc, Mutex, OnceLock, RwLock};

use crate::output::Files;

/// Events kept for the server thread to pick up; older ones are dropped if it falls behind
/// (a tab that misses one catches up from the next `hello`).
const MAX_PENDING: usize = 64;

pub(crate) struct Shared {
    files: RwLock<Arc<Files>>,
    state: Mutex<State>,
    /// Wakes the server thread when an event is waiting (set when the server starts).
    waker: OnceLock<mio::Waker>,
}

#[derive(Default)]
struct State {
    version: u64,
    errors: Vec<String>,
    /// Number of the last event; a stream gets the events numbered after its `hello`.
    seq: u64,
    pending: Vec<(u64, Arc<str>)>,
}

impl Shared {
    pub(crate) fn new() -> Arc<Shared> {
        Arc::new(Shared {
            files: RwLock::new(Arc::new(Files::new())),
            state: Mutex::new(State::default()),
            waker: OnceLock::new(),
        })
    }

    pub(crate) fn files(&self) -> Arc<Files> {
        self.files.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// A successful build: serve `files` from now on and tell the tabs to reload.
    pub(crate) fn publish(&self, files: Arc<Files>, summary: &str) {
        *self.files.write().unwrap_or_else(|e| e.into_inner()) = files;
        let mut state = self.lock();
        state.version += 1;
        state.errors.clear();
        let data = serde_json::json!({ "version": state.version, "rebuilt": summary });
        self.broadcast(state, format!("event: reload\ndata: {data}\n\n"));
    }

    /// Replaces files without telling the tabs (an updated search index).
    pub(crate) fn update(&self, changed: Files) {
        let mut files = self.files.write().unwrap_or_else(|e| e.into_inner());
        let mut next = (**files).clone();
        next.extend(changed);
        *files = Arc::new(next);
    }

    /// A failed build: keep serving the last good site, show the errors.
    pub(crate) fn fail(&self, errors: Vec<String>) {
        let data = serde_json::json!({ "errors": errors });
        let mut state = self.lock();
        state.errors = errors;
        self.broadcast(state, format!("event: errors\ndata: {data}\n\n"));
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn broadcast(&self, mut state: std::sync::MutexGuard<'_, State>, message: String) {
        state.seq += 1;
        let seq = state.seq;
        state.pending.push((seq, Arc::from(message)));
        if state.pending.len() > MAX_PENDING {
            state.pending.remove(0);
        }
        drop(state);
        if let Some(waker) = self.waker.get() {
            let _ = waker.wake();
        }
    }

    pub(super) fn set_waker(&self, waker: mio::Waker) {
        let _ = self.waker.set(waker);
    }

    /// The first message of a new stream (the current state) and the number of the last event
    /// it already covers.
    pub(super) fn hello(&self) -> (u64, String) {
        let state = self.lock();
        let data = serde_json::json!({ "version": state.version, "errors": state.errors });
        (state.seq, format!("retry: 1000\nevent: hello\ndata: {data}\n\n"))
    }

    /// Events waiting to be sent, oldest first.
    pub(super) fn take_pending(&self) -> Vec<(u64, Arc<str>)> {
        std::mem::take(&mut self.lock().pending)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hello_covers_the_events_before_it() {
        let shared = Shared::new();
        shared.fail(vec!["a.md:1:1: error: x".into()]);
        let (seq, hello) = shared.hello();
        assert!(hello.contains("a.md:1:1"), "{hello}");
        shared.publish(Arc::new(Files::new()), "1 page");
        let pending = shared.take_pending();
        assert_eq!(pending.len(), 2);
        let after: Vec<_> = pending.iter().filter(|(n, _)| *n > seq).collect();
        assert_eq!(after.len(), 1);
        assert!(
            after[0].1.starts_with("event: reload\n") && after[0].1.contains("\"rebuilt\":\"1 page\""),
            "{}",
            after[0].1
        );
        assert!(shared.take_pending().is_empty());
    }
}
