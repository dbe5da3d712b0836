//! Parsed pages remembered across builds. Reading front matter, rendering markdown and counting
//! words for search are most of a build, and an edit leaves almost every page as it was: a
//! build given the pages the last ones parsed ([`Memo::open`], a file in the build cache)
//! parses only new or changed ones.
//!
//! An entry is known by a 128-bit key of everything the parse depends on ([`Memo::key`]: the
//! context the cache gives, which covers the binary and the whole configuration, and what the
//! caller adds: the page's text, its place in the site, the other pages' places); its bytes
//! are the caller's own encoding. Strings many entries share (the words pages count) are kept
//! once, numbered ([`Memo::string_number`]), and entries name them by number. Like the
//! highlight memo, it is only ever a way to skip work: an entry that is missing, damaged or
//! unreadable to the caller is parsed as without it.
//!
//! The file is a log: records are appended while pages are parsed, each with a digest of its
//! bytes, so a tail cut short by a killed build is read as absent and an entry damaged in
//! place is not used. One build at a time appends (a lock on the file; a build that cannot
//! take it only reads), so the strings' numbers are the order they were appended in. A
//! successful build rewrites the file with only the entries it used once most of it is dead
//! ([`Memo::compact`]).

use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use rustc_hash::{FxHashMap, FxHashSet};
use xxhash_rust::xxh3::{xxh3_64, Xxh3};

use crate::varint;

pub(crate) type Key = u128;

/// The file in the cache folder.
pub(crate) const FILE: &str = "parsed.bin";

/// The file's first bytes; a new meaning of the records gets a new one.
const MAGIC: &[u8; 8] = b"SBPARSE2";

/// Bytes before a record's own: key, length, digest of the bytes.
const HEAD: usize = 16 + 4 + 8;

/// The key of a record of strings (the next numbers, in order) rather than an entry.
const STRINGS: Key = Key::MAX;

/// Appended records are written in pieces this size (a page is a few KB).
const LOG_BUFFER: usize = 1 << 20;

/// Shared by every thread parsing pages, and cheap to clone. The default remembers nothing.
#[derive(Clone, Default)]
pub(crate) struct Memo(Option<Arc<Store>>);

struct Store {
    path: PathBuf,
    context: u128,
    /// The file as this build found it, read entry by entry, until [`Memo::finish`].
    previous: Mutex<Option<Arc<File>>>,
    /// Key -> where its (last) entry is in `previous`.
    index: FxHashMap<Key, Place>,
    /// The numbered strings: the file's, then this build's.
    strings: Mutex<Strings>,
    /// Keys this build recalled or remembered: what a compaction keeps.
    used: Mutex<FxHashSet<Key>>,
    /// Bytes of the entries in `used` (heads included).
    live: AtomicUsize,
    /// Appends new records, the file locked; `None` when it could not be opened or locked,
    /// and once a write failed (then nothing more is remembered).
    log: Mutex<Option<BufWriter<File>>>,
    recalled: AtomicUsize,
    parsed: AtomicUsize,
}

#[derive(Default)]
struct Strings {
    list: Vec<Arc<str>>,
    numbers: FxHashMap<Arc<str>, u32>,
    /// Bytes of the string records (all kept by a compaction).
    bytes: usize,
}

impl std::fmt::Debug for Memo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Configurations carry it and are digested by their `Debug` text: this must not vary.
        f.write_str("ParseMemo")
    }
}

impl Memo {
    /// The memo kept in `path` for builds in `context`: what the file holds (nothing when it is
    /// missing or not such a file), and, when `append` (not `serve`, which never writes the
    /// cache), a log new records are appended to. No log when another build is appending, or
    /// when the file cannot be written; off when it has neither.
    pub(crate) fn open(path: PathBuf, context: u128, append: bool) -> Memo {
        let log = append.then(|| lock_for_appending(&path)).flatten();
        // Read after the lock is taken: no other build is appending to what is read.
        let previous = File::open(&path).ok().filter(|f| {
            let mut magic = [0u8; MAGIC.len()];
            read_at(f, &mut magic, 0).is_ok() && &magic == MAGIC
        });
        let read = previous.as_ref().map(read_index).unwrap_or_default();
        let log = log.and_then(|mut f| {
            // Records past a torn or damaged one are not read: they go, so what is appended
            // is read next time. A file that is not a memo is started again.
            let keep = if previous.is_some() { read.end } else { 0 };
            f.set_len(keep).ok()?;
            std::io::Seek::seek(&mut f, std::io::SeekFrom::Start(keep)).ok()?;
            if keep == 0 {
                f.write_all(MAGIC).ok()?;
            }
            Some(BufWriter::with_capacity(LOG_BUFFER, f))
        });
        if previous.is_none() && log.is_none() {
            // Nothing to recall and nothing to remember: off, at no cost to the parse.
            return Memo::default();
        }
        let strings = Strings {
            numbers: read.strings.iter().enumerate().map(|(n, s)| (s.clone(), n as u32)).collect(),
            list: read.strings,
            bytes: read.string_bytes,
        };
        Memo(Some(Arc::new(Store {
            path,
            context,
            previous: Mutex::new(previous.map(Arc::new)),
            index: read.entries,
            strings: Mutex::new(strings),
            used: Mutex::default(),
            live: AtomicUsize::new(MAGIC.len()),
            log: Mutex::new(log),
            recalled: AtomicUsize::new(0),
            parsed: AtomicUsize::new(0),
        })))
    }

    /// Whether it remembers at all.
    pub(crate) fn is_on(&self) -> bool {
        self.0.is_some()
    }

    /// The key of an entry: the context and `parts`, each length-prefixed so no two lists of
    /// parts run together into the same bytes.
    pub(crate) fn key(&self, parts: &[&[u8]]) -> Key {
        let mut h = Xxh3::new();
        h.update(&self.0.as_ref().map_or(0, |s| s.context).to_le_bytes());
        for part in parts {
            h.update(&(part.len() as u64).to_le_bytes());
            h.update(part);
        }
        let key = h.digest128();
        // The one key records of strings have is never an entry's.
        if key == STRINGS {
            key - 1
        } else {
            key
        }
    }

    /// What `read` makes of the entry `key`, when there is one and `read` accepts it.
    pub(crate) fn recall<R>(&self, key: Key, read: impl FnOnce(&[u8]) -> Option<R>) -> Option<R> {
        let store = self.0.as_ref()?;
        let place = *store.index.get(&key)?;
        let file = lock(&store.previous).clone()?;
        // Each thread reads into a buffer of its own, kept: an entry is a few KB, and a new
        // allocation for each is memory the system must clear first.
        let found = BUFFER.with(|buffer| {
            let mut buffer = buffer.borrow_mut();
            buffer.resize(place.len as usize, 0);
            read_at(&file, &mut buffer, place.start).ok()?;
            (xxh3_64(&buffer) == place.digest).then(|| read(&buffer))?
        })?;
        store.recalled.fetch_add(1, Ordering::Relaxed);
        store.mark_used(key, place.len as usize);
        Some(found)
    }

    /// The string numbered `n`, when there is one.
    pub(crate) fn string(&self, n: u32) -> Option<Arc<str>> {
        lock(&self.0.as_ref()?.strings).list.get(n as usize).cloned()
    }

    /// The number of `s`, numbered now (and appended to the log, before any entry that could
    /// name it) if new; `None` when nothing can be remembered.
    pub(crate) fn string_number(&self, s: &str) -> Option<u32> {
        let store = self.0.as_ref()?;
        let mut strings = lock(&store.strings);
        if let Some(&n) = strings.numbers.get(s) {
            return Some(n);
        }
        let n = u32::try_from(strings.list.len()).ok()?;
        let mut record = Vec::with_capacity(s.len() + 8);
        varint::push(&mut record, u64::from(n));
        varint::push(&mut record, s.len() as u64);
        record.extend_from_slice(s.as_bytes());
        // Numbered only once it is in the log: a string the file does not hold has no number.
        store.append(STRINGS, &record)?;
        let s: Arc<str> = Arc::from(s);
        strings.list.push(s.clone());
        strings.numbers.insert(s, n);
        strings.bytes += HEAD + record.len();
        Some(n)
    }

    /// Counts a page parsed (not recalled), remembered or not.
    pub(crate) fn count_parsed(&self) {
        if let Some(store) = &self.0 {
            store.parsed.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Remembers `bytes` as the entry `key` (for the next build: this one does not read it).
    pub(crate) fn remember(&self, key: Key, bytes: &[u8]) {
        let Some(store) = &self.0 else { return };
        if store.append(key, bytes).is_some() {
            store.mark_used(key, bytes.len());
        }
    }

    /// Ends the parsing: the log is written out and the previous entries are let go of.
    pub(crate) fn finish(&self) {
        let Some(store) = &self.0 else { return };
        if let Some(writer) = lock(&store.log).as_mut() {
            let _ = writer.flush();
        }
        *lock(&store.previous) = None;
    }

    /// After a successful build: when over half of the file is entries this build did not
    /// use, `replace` is given the file with its strings and only the used entries, to put in
    /// its place in one step (the lock is held until then). Ends the log.
    pub(crate) fn compact(&self, replace: impl FnOnce(&[u8])) {
        let Some(store) = &self.0 else { return };
        self.finish();
        let Some(writer) = lock(&store.log).take() else { return };
        let live = store.live.load(Ordering::Relaxed) + lock(&store.strings).bytes;
        let size = std::fs::metadata(&store.path).map_or(0, |m| m.len() as usize);
        if size <= 2 * live + (64 << 10) {
            return;
        }
        let Ok(file) = File::open(&store.path) else { return };
        let read = read_index(&file);
        let used = lock(&store.used);
        let mut kept: Vec<Place> = read.entries.into_iter().filter(|(k, _)| used.contains(k)).map(|(_, p)| p).collect();
        kept.extend(read.string_places);
        kept.sort_unstable_by_key(|p| p.start);
        let mut out = Vec::with_capacity(live);
        out.extend_from_slice(MAGIC);
        for place in kept {
            let at = out.len();
            out.resize(at + HEAD + place.len as usize, 0);
            if read_at(&file, &mut out[at..], place.start - HEAD as u64).is_err()
                || xxh3_64(&out[at + HEAD..]) != place.digest
            {
                return;
            }
        }
        replace(&out);
        drop(writer);
    }

    /// How many pages were recalled, and how many parsed.
    pub(crate) fn counts(&self) -> (usize, usize) {
        self.0.as_ref().map_or((0, 0), |s| (s.recalled.load(Ordering::Relaxed), s.parsed.load(Ordering::Relaxed)))
    }
}

impl Store {
    fn mark_used(&self, key: Key, len: usize) {
        if lock(&self.used).insert(key) {
            self.live.fetch_add(HEAD + len, Ordering::Relaxed);
        }
    }

    /// Appends one record; `None` when there is no log (any more).
    fn append(&self, key: Key, bytes: &[u8]) -> Option<()> {
        let len = u32::try_from(bytes.len()).ok()?;
        let mut log = lock(&self.log);
        let writer = log.as_mut()?;
        let mut head = [0u8; HEAD];
        head[..16].copy_from_slice(&key.to_le_bytes());
        head[16..20].copy_from_slice(&len.to_le_bytes());
        head[20..].copy_from_slice(&xxh3_64(bytes).to_le_bytes());
        if writer.write_all(&head).and_then(|_| writer.write_all(bytes)).is_err() {
            *log = None;
            return None;
        }
        Some(())
    }
}

/// The file opened for appending, locked for this build; `None` when another build holds it
/// (that one appends; this one only reads) or it cannot be opened.
fn lock_for_appending(path: &std::path::Path) -> Option<File> {
    let file = OpenOptions::new().read(true).write(true).create(true).truncate(false).open(path).ok()?;
    file.try_lock().ok()?;
    Some(file)
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic elsewhere while holding it leaves the value whole (each change is one step).
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Where a record is in the file.
#[derive(Debug, Clone, Copy)]
struct Place {
    /// Offset of its bytes (after its head).
    start: u64,
    len: u32,
    digest: u64,
}

thread_local! {
    /// What [`Memo::recall`] reads an entry into.
    static BUFFER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// What [`read_index`] found.
#[derive(Default)]
struct Read {
    /// Key -> where its entry is (the last one for a key appended twice); entries' bytes
    /// are checked against their digest when recalled.
    entries: FxHashMap<Key, Place>,
    strings: Vec<Arc<str>>,
    string_places: Vec<Place>,
    string_bytes: usize,
    /// Where the records read end: at the end of the file, or at the first one that runs past
    /// it or, for strings, does not read back as the next numbers.
    end: u64,
}

/// The file's records, read off their heads (and the strings' whole).
fn read_index(file: &File) -> Read {
    let mut read = Read::default();
    let size = file.metadata().map_or(0, |m| m.len());
    let mut reader = Blocks { file, size, block: Vec::new(), at: 0 };
    let mut at = MAGIC.len() as u64;
    // Small records (strings) come in runs, read a block at a time; a large one (a page, some
    // KB) is passed over, its head alone read.
    let mut small = true;
    while let Some(head) = reader.get(at, HEAD, small) {
        let key = u128::from_le_bytes(head[..16].try_into().unwrap_or_default());
        let len = u32::from_le_bytes(head[16..20].try_into().unwrap_or_default());
        let digest = u64::from_le_bytes(head[20..].try_into().unwrap_or_default());
        let start = at + HEAD as u64;
        if start + u64::from(len) > size {
            break;
        }
        let place = Place { start, len, digest };
        if key == STRINGS {
            let string = reader
                .get(start, len as usize, true)
                .filter(|bytes| xxh3_64(bytes) == digest)
                .and_then(|bytes| read_string(bytes, read.strings.len()));
            let Some(string) = string else { break };
            read.strings.push(string);
            read.string_places.push(place);
            read.string_bytes += HEAD + len as usize;
        } else {
            read.entries.insert(key, place);
        }
        small = len < 1024;
        at = start + u64::from(len);
    }
    read.end = at;
    read
}

/// Reads a file's bytes through one buffer: a whole block when asked for small runs.
struct Blocks<'a> {
    file: &'a File,
    size: u64,
    block: Vec<u8>,
    /// Where `block` starts in the file.
    at: u64,
}

impl Blocks<'_> {
    const BLOCK: usize = 64 << 10;

    /// `len` bytes at `at`, from the buffer when it holds them; read, with the rest of a block
    /// after them when `ahead`, when it does not. `None` past the end or on a read error.
    fn get(&mut self, at: u64, len: usize, ahead: bool) -> Option<&[u8]> {
        let end = at.checked_add(len as u64)?;
        if end > self.size {
            return None;
        }
        if at < self.at || end > self.at + self.block.len() as u64 {
            let want = if ahead { len.max(Self::BLOCK) } else { len };
            let want = want.min((self.size - at) as usize);
            self.block.resize(want, 0);
            self.at = at;
            if read_at(self.file, &mut self.block, at).is_err() {
                self.block.clear();
                return None;
            }
        }
        let from = (at - self.at) as usize;
        self.block.get(from..from + len)
    }
}

/// The string a record holds, when it is the one numbered `next`.
fn read_string(mut bytes: &[u8], next: usize) -> Option<Arc<str>> {
    let n = varint::read(&mut bytes)?;
    let len = usize::try_from(varint::read(&mut bytes)?).ok()?;
    (n == next as u64 && bytes.len() == len).then_some(())?;
    std::str::from_utf8(bytes).ok().map(Arc::from)
}

/// Fills `buf` from the file at `offset`, leaving no shared position moved (several threads
/// read the file at once).
#[cfg(unix)]
fn read_at(file: &File, buf: &mut [u8], offset: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, offset)
}

#[cfg(not(unix))]
fn read_at(file: &File, buf: &mut [u8], offset: u64) -> std::io::Result<()> {
    read_at_seeking(file, buf, offset)
}

/// [`read_at`] where there is no positioned read: a seek and a read, one thread at a time.
#[cfg_attr(unix, allow(dead_code))]
fn read_at_seeking(file: &File, buf: &mut [u8], offset: u64) -> std::io::Result<()> {
    use std::io::{Read, Seek, SeekFrom};
    static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());
    let _turn = lock(&ONE_AT_A_TIME);
    let mut file = file;
    file.seek(SeekFrom::Start(offset))?;
    file.read_exact(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn memo(dir: &std::path::Path) -> Memo {
        Memo::open(dir.join(FILE), 7, true)
    }

    fn recalled(m: &Memo, key: Key) -> Option<Vec<u8>> {
        m.recall(key, |b| Some(b.to_vec()))
    }

    #[test]
    fn entries_come_back_in_the_next_build_only() {
        let dir = tempfile::tempdir().unwrap();
        let m = memo(dir.path());
        let k = m.key(&[b"page", b"text"]);
        assert_eq!(recalled(&m, k), None);
        m.remember(k, b"parsed");
        assert_eq!(recalled(&m, k), None, "a build does not read what it appends");
        m.finish();
        drop(m);
        let next = memo(dir.path());
        assert_eq!(recalled(&next, k), Some(b"parsed".to_vec()));
        next.count_parsed();
        assert_eq!(next.counts(), (1, 1));
        assert_eq!(recalled(&Memo::default(), k), None);
    }

    #[test]
    fn a_memo_that_can_neither_read_nor_write_is_off_and_a_reader_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let nowhere = Memo::open(dir.path().join("missing-folder").join(FILE), 7, true);
        assert!(!nowhere.is_on());
        nowhere.remember(1, b"one");
        assert_eq!((nowhere.string_number("word"), nowhere.counts()), (None, (0, 0)));
        assert!(!Memo::open(dir.path().join(FILE), 7, false).is_on(), "no file, and none made");
        assert!(!dir.path().join(FILE).exists());
        let m = memo(dir.path());
        m.remember(1, b"one");
        m.finish();
        drop(m);
        let reader = Memo::open(dir.path().join(FILE), 7, false);
        reader.remember(2, b"two");
        reader.finish();
        let next = memo(dir.path());
        assert_eq!((recalled(&next, 1), recalled(&next, 2)), (Some(b"one".to_vec()), None), "a reader appends nothing");
    }

    #[test]
    fn while_one_build_appends_another_only_reads() {
        let dir = tempfile::tempdir().unwrap();
        let writing = memo(dir.path());
        writing.remember(1, b"one");
        let other = memo(dir.path());
        assert_eq!(other.string_number("word"), None, "the file is locked by the first");
        other.remember(2, b"two");
        writing.finish();
        drop((writing, other));
        let next = memo(dir.path());
        assert_eq!((recalled(&next, 1), recalled(&next, 2)), (Some(b"one".to_vec()), None));
    }

    #[test]
    fn keys_depend_on_the_context_and_on_how_the_parts_split() {
        let dir = tempfile::tempdir().unwrap();
        let m = memo(dir.path());
        assert_ne!(m.key(&[b"ab", b"c"]), m.key(&[b"a", b"bc"]));
        assert_ne!(m.key(&[b"a"]), Memo::open(dir.path().join("other"), 8, true).key(&[b"a"]));
        assert_eq!(m.key(&[b"a"]), Memo::open(dir.path().join("third"), 7, true).key(&[b"a"]));
    }

    #[test]
    fn strings_keep_their_numbers_from_build_to_build() {
        let dir = tempfile::tempdir().unwrap();
        let m = memo(dir.path());
        assert_eq!(
            (m.string_number("alpha"), m.string_number("beta"), m.string_number("alpha")),
            (Some(0), Some(1), Some(0))
        );
        m.remember(1, b"names 0 and 1");
        m.finish();
        drop(m);
        let next = memo(dir.path());
        assert_eq!(next.string(1).as_deref(), Some("beta"));
        assert_eq!((next.string_number("gamma"), next.string_number("beta")), (Some(2), Some(1)));
        assert_eq!(next.string(3), None);
        next.finish();
        drop(next);
        let third = memo(dir.path());
        assert_eq!(third.string(2).as_deref(), Some("gamma"));
        assert!(recalled(&third, 1).is_some());
    }

    #[test]
    fn a_torn_tail_is_cut_a_damaged_entry_is_not_read_and_later_records_still_append() {
        let dir = tempfile::tempdir().unwrap();
        let m = memo(dir.path());
        m.remember(1, b"one");
        m.remember(2, b"two");
        m.finish();
        drop(m);
        let path = dir.path().join(FILE);
        let mut bytes = std::fs::read(&path).unwrap();
        bytes.truncate(bytes.len() - 1);
        std::fs::write(&path, &bytes).unwrap();
        let next = memo(dir.path());
        assert_eq!(recalled(&next, 1), Some(b"one".to_vec()));
        assert_eq!(recalled(&next, 2), None, "cut short");
        next.remember(3, b"three");
        next.finish();
        drop(next);
        let third = memo(dir.path());
        assert_eq!((recalled(&third, 1), recalled(&third, 3)), (Some(b"one".to_vec()), Some(b"three".to_vec())));
        drop(third);
        // One flipped byte in an entry: it is not read; the others still are.
        let mut bytes = std::fs::read(&path).unwrap();
        let at = MAGIC.len() + HEAD;
        bytes[at] ^= 1;
        std::fs::write(&path, &bytes).unwrap();
        let flipped = memo(dir.path());
        assert_eq!((recalled(&flipped, 1), recalled(&flipped, 3)), (None, Some(b"three".to_vec())));
        drop(flipped);
        std::fs::write(&path, b"not a memo").unwrap();
        let foreign = memo(dir.path());
        assert_eq!(recalled(&foreign, 1), None);
        foreign.remember(4, b"four");
        foreign.finish();
        drop(foreign);
        assert_eq!(recalled(&memo(dir.path()), 4), Some(b"four".to_vec()), "the file was started again");
    }

    #[test]
    fn a_damaged_string_ends_what_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let m = memo(dir.path());
        m.string_number("alpha");
        m.remember(1, b"one");
        m.string_number("beta");
        m.remember(2, b"two");
        m.finish();
        drop(m);
        let path = dir.path().join(FILE);
        let mut bytes = std::fs::read(&path).unwrap();
        let at = bytes.windows(4).position(|w| w == b"beta").unwrap();
        bytes[at] ^= 1;
        std::fs::write(&path, &bytes).unwrap();
        let next = memo(dir.path());
        assert_eq!(next.string(0).as_deref(), Some("alpha"));
        assert_eq!(next.string(1), None);
        assert_eq!((recalled(&next, 1), recalled(&next, 2)), (Some(b"one".to_vec()), None));
        // Numbered again from where the readable strings end.
        assert_eq!(next.string_number("gamma"), Some(1));
    }

    #[test]
    fn a_mostly_dead_file_is_rewritten_with_the_strings_and_the_entries_used() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE);
        let replace = |bytes: &[u8]| std::fs::write(dir.path().join(FILE), bytes).unwrap();
        let m = memo(dir.path());
        let big = vec![b'x'; 100 << 10];
        m.remember(1, &big);
        m.string_number("kept");
        m.remember(2, b"small");
        m.compact(replace);
        drop(m);
        let before = std::fs::metadata(&path).unwrap().len();
        let next = memo(dir.path());
        assert!(recalled(&next, 2).is_some());
        next.remember(3, b"new");
        next.compact(replace);
        drop(next);
        let after = std::fs::metadata(&path).unwrap().len();
        assert!(after < before / 10, "{after} of {before} bytes");
        let third = memo(dir.path());
        assert_eq!(recalled(&third, 1), None, "not used by the last build");
        assert_eq!((recalled(&third, 2), recalled(&third, 3)), (Some(b"small".to_vec()), Some(b"new".to_vec())));
        assert_eq!(third.string(0).as_deref(), Some("kept"));
    }

    #[test]
    fn the_seeking_read_reads_what_the_positioned_one_does() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, b"0123456789").unwrap();
        let file = File::open(&path).unwrap();
        let (mut a, mut b) = ([0u8; 4], [0u8; 4]);
        read_at(&file, &mut a, 3).unwrap();
        read_at_seeking(&file, &mut b, 3).unwrap();
        assert_eq!((&a, &b), (b"3456", b"3456"));
        assert!(read_at_seeking(&file, &mut b, 8).is_err(), "past the end");
    }
}
