//! Highlighted code blocks remembered across builds. syntect is the slowest step per byte of a
//! build, and an edit leaves almost every code block as it was: a build given the blocks the
//! last one highlighted ([`Memo::with_previous`], read from the build cache) highlights only
//! new or changed ones, and hands back every block it used ([`Memo::used`]) for the cache to
//! keep, so blocks no page shows any more are dropped and the store cannot grow without bound.
//!
//! A block is known by a 128-bit digest of everything its HTML depends on: the identity of
//! the binary that highlights (version, syntax definitions; given by the cache), the fence's
//! language as written, the highlight switch, and the code. The memo is only ever a way to
//! skip work: a block it does not hold is highlighted as without it.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use xxhash_rust::xxh3::Xxh3;

/// A code block's digest.
pub(crate) type Key = u128;

/// Shared by every thread parsing pages (and cheap to clone: configurations carry it). The
/// default remembers nothing: each block is highlighted.
#[derive(Clone, Default)]
pub(crate) struct Memo(Option<Arc<Store>>);

struct Store {
    /// Mixed into every key: another binary's blocks never match.
    identity: u128,
    state: Mutex<State>,
    reused: AtomicUsize,
    highlighted: AtomicUsize,
}

#[derive(Default)]
struct State {
    /// The last build's blocks this build has not asked for (yet).
    previous: HashMap<Key, Arc<str>>,
    /// Every block this build asked for.
    used: HashMap<Key, Arc<str>>,
}

impl std::fmt::Debug for Memo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.0 {
            None => f.write_str("Memo(off)"),
            Some(s) => write!(f, "Memo({:032x})", s.identity),
        }
    }
}

impl Memo {
    /// A memo for a binary of `identity`, holding the blocks a previous build left.
    pub(crate) fn with_previous(identity: u128, previous: impl IntoIterator<Item = (Key, Arc<str>)>) -> Memo {
        let state = State { previous: previous.into_iter().collect(), used: HashMap::new() };
        Memo(Some(Arc::new(Store {
            identity,
            state: Mutex::new(state),
            reused: AtomicUsize::new(0),
            highlighted: AtomicUsize::new(0),
        })))
    }

    /// The HTML of the block (`lang`, `highlight`, `code`): remembered, or made by `make` and
    /// remembered.
    pub(crate) fn get_or_make(&self, lang: &str, highlight: bool, code: &str, make: impl FnOnce() -> String) -> String {
        let Some(store) = &self.0 else { return make() };
        let key = store.key(lang, highlight, code);
        RECORDING.with(|r| {
            if let Some(keys) = r.borrow_mut().as_mut() {
                keys.push(key);
            }
        });
        {
            let mut state = store.lock();
            let found = match state.previous.remove(&key) {
                Some(html) => Some(state.used.entry(key).or_insert(html).clone()),
                None => state.used.get(&key).cloned(),
            };
            if let Some(html) = found {
                drop(state);
                store.reused.fetch_add(1, Ordering::Relaxed);
                return html.to_string();
            }
        }
        let html = make();
        store.highlighted.fetch_add(1, Ordering::Relaxed);
        store.lock().used.insert(key, Arc::from(html.as_str()));
        html
    }

    /// Takes the blocks `keys` from the last build's, as if asked for again: a page the parse
    /// memo gave back (see [`recording`]) keeps its blocks for the build after. Each one found
    /// counts as reused.
    pub(crate) fn keep(&self, keys: &[Key]) {
        let Some(store) = &self.0 else { return };
        let mut state = store.lock();
        for key in keys {
            if let Some(html) = state.previous.remove(key) {
                state.used.insert(*key, html);
                store.reused.fetch_add(1, Ordering::Relaxed);
            } else if state.used.contains_key(key) {
                store.reused.fetch_add(1, Ordering::Relaxed);
            }
        }
    }

    /// The identity its keys are made with (`None`: the memo is off).
    pub(crate) fn identity(&self) -> Option<u128> {
        self.0.as_ref().map(|s| s.identity)
    }

    /// Every block this build asked for, by key; `None` when that is exactly the set the
    /// memo started with (nothing to store again).
    pub(crate) fn used(&self) -> Option<Vec<(Key, Arc<str>)>> {
        let store = self.0.as_ref()?;
        let state = store.lock();
        if state.previous.is_empty() && store.highlighted.load(Ordering::Relaxed) == 0 {
            return None;
        }
        let mut all: Vec<(Key, Arc<str>)> = state.used.iter().map(|(k, v)| (*k, v.clone())).collect();
        all.sort_unstable_by_key(|(k, _)| *k);
        Some(all)
    }

    /// How many blocks were taken from the memo, and how many highlighted.
    pub(crate) fn counts(&self) -> (usize, usize) {
        self.0.as_ref().map_or((0, 0), |s| (s.reused.load(Ordering::Relaxed), s.highlighted.load(Ordering::Relaxed)))
    }
}

thread_local! {
    /// The keys of the blocks asked for on this thread while [`recording`].
    static RECORDING: std::cell::RefCell<Option<Vec<Key>>> = const { std::cell::RefCell::new(None) };
}

/// Runs `f` (on this thread: a page's parse, which starts no parallel work) and returns with
/// its result the keys of the blocks it asked any memo for, for [`Memo::keep`].
pub(crate) fn recording<R>(f: impl FnOnce() -> R) -> (R, Vec<Key>) {
    let outer = RECORDING.with(|r| r.borrow_mut().replace(Vec::new()));
    let result = f();
    let keys = RECORDING.with(|r| std::mem::replace(&mut *r.borrow_mut(), outer)).unwrap_or_default();
    (result, keys)
}

impl Store {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic elsewhere while holding it leaves the maps whole (each change is one insert).
        self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn key(&self, lang: &str, highlight: bool, code: &str) -> Key {
        let mut h = Xxh3::new();
        h.update(&self.identity.to_le_bytes());
        // Lengths first, so no two (language, code) pairs run together into the same bytes.
        h.update(&(lang.len() as u64).to_le_bytes());
        h.update(lang.as_bytes());
        h.update(&[u8::from(highlight)]);
        h.update(&(code.len() as u64).to_le_bytes());
        h.update(code.as_bytes());
        h.digest128()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn made(counter: &AtomicUsize, html: &str) -> String {
        counter.fetch_add(1, Ordering::Relaxed);
        html.to_string()
    }

    #[test]
    fn off_makes_every_block() {
        let memo = Memo::default();
        let n = AtomicUsize::new(0);
        memo.get_or_make("rust", true, "x", || made(&n, "a"));
        memo.get_or_make("rust", true, "x", || made(&n, "a"));
        assert_eq!(n.load(Ordering::Relaxed), 2);
        assert!(memo.used().is_none());
        assert!(memo.identity().is_none());
    }

    #[test]
    fn a_block_is_made_once_and_reused_by_key() {
        let memo = Memo::with_previous(7, []);
        let n = AtomicUsize::new(0);
        assert_eq!(memo.get_or_make("rust", true, "x", || made(&n, "one")), "one");
        assert_eq!(memo.get_or_make("rust", true, "x", || made(&n, "two")), "one");
        // Any part of the key changed: made again.
        memo.get_or_make("python", true, "x", || made(&n, "p"));
        memo.get_or_make("rust", false, "x", || made(&n, "f"));
        memo.get_or_make("rust", true, "y", || made(&n, "y"));
        // No two splits of the same bytes share a key.
        memo.get_or_make("ab", true, "c", || made(&n, "1"));
        memo.get_or_make("a", true, "bc", || made(&n, "2"));
        assert_eq!(n.load(Ordering::Relaxed), 6);
        assert_eq!(memo.counts(), (1, 6));
        assert_eq!(memo.used().unwrap().len(), 6);
    }

    #[test]
    fn previous_blocks_are_reused_and_unused_ones_dropped() {
        let first = Memo::with_previous(7, []);
        first.get_or_make("rust", true, "kept", || "K".to_string());
        first.get_or_make("rust", true, "gone", || "G".to_string());
        let stored = first.used().unwrap();
        let second = Memo::with_previous(7, stored.clone());
        let n = AtomicUsize::new(0);
        assert_eq!(second.get_or_make("rust", true, "kept", || made(&n, "new")), "K");
        assert_eq!(n.load(Ordering::Relaxed), 0);
        let used = second.used().unwrap();
        assert_eq!(used.len(), 1);
        assert_eq!(&*used[0].1, "K");
        // The same blocks asked for again: nothing new to store.
        let third = Memo::with_previous(7, stored.clone());
        third.get_or_make("rust", true, "kept", || unreachable!());
        third.get_or_make("rust", true, "gone", || unreachable!());
        assert!(third.used().is_none());
        // Another identity never matches.
        let other = Memo::with_previous(8, stored);
        assert_eq!(other.get_or_make("rust", true, "kept", || made(&n, "new")), "new");
    }

    #[test]
    fn recorded_keys_keep_a_recalled_pages_blocks_for_the_next_build() {
        let first = Memo::with_previous(7, []);
        let ((), keys) = recording(|| {
            first.get_or_make("rust", true, "x", || "one".into());
            first.get_or_make("rust", true, "y", || "two".into());
        });
        assert_eq!(keys.len(), 2);
        let ((), none) = recording(|| ());
        assert!(none.is_empty(), "only what is asked for while recording");
        let blocks = first.used().unwrap();
        // The next build parses nothing: the page comes from the parse memo, its keys with it.
        let next = Memo::with_previous(7, blocks.clone());
        next.keep(&keys);
        assert_eq!(next.counts(), (2, 0));
        assert_eq!(next.used(), None, "the same blocks as before: nothing to store");
        let unkept = Memo::with_previous(7, blocks);
        unkept.keep(&keys[..1]);
        assert_eq!(unkept.used().unwrap().len(), 1, "a block no page asked for is dropped");
    }
}
