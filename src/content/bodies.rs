//! The pages' bodies (the HTML their markdown renders to) in a one-shot build, held in a few
//! large chunks, each freed once every page in it is rendered. Kept as one `String` a page,
//! they are the biggest part of a build's peak memory (a third at 10,000 pages), and freeing
//! them one by one leaves thousands of 1-16 KiB holes that every later allocation walks past;
//! a whole chunk goes back as one block. Each content worker fills a chunk of its own, so a
//! chunk holds runs of neighbouring pages, which render at about the same time.

use std::ops::Deref;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// Bytes of a chunk (a body longer than that gets a chunk of its own).
pub(crate) const CHUNK_BYTES: usize = 4 << 20;

/// Where one page's body is in its [`Bodies`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct BodyRef {
    chunk: u32,
    start: u32,
    len: u32,
}

/// Takes the bodies from the content workers, each into its own chunk.
#[derive(Debug)]
pub(crate) struct BodyWriter {
    state: Mutex<Filling>,
    chunk_bytes: usize,
}

#[derive(Debug, Default)]
struct Filling {
    /// Each chunk's text and how many bodies it holds; chunks never grow past their first
    /// capacity.
    chunks: Vec<(String, usize)>,
    /// The chunk each worker is filling.
    open: Vec<Option<usize>>,
}

impl BodyWriter {
    pub(crate) fn new(chunk_bytes: usize) -> BodyWriter {
        BodyWriter { state: Mutex::new(Filling::default()), chunk_bytes: chunk_bytes.max(1) }
    }

    /// Keeps `text`, written by `worker` (a rayon thread index), returning where it is.
    pub(crate) fn push(&self, worker: usize, text: &str) -> BodyRef {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let Filling { chunks, open } = &mut *state;
        if open.len() <= worker {
            open.resize(worker + 1, None);
        }
        let chunk = match open[worker] {
            Some(c) if chunks[c].0.capacity() - chunks[c].0.len() >= text.len() => c,
            _ => {
                chunks.push((String::with_capacity(self.chunk_bytes.max(text.len())), 0));
                open[worker] = Some(chunks.len() - 1);
                chunks.len() - 1
            }
        };
        let (buffer, count) = &mut chunks[chunk];
        let start = buffer.len();
        buffer.push_str(text);
        *count += 1;
        let narrow = |n: usize| u32::try_from(n).expect("a chunk is far below 4 GiB");
        BodyRef { chunk: narrow(chunk), start: narrow(start), len: narrow(text.len()) }
    }

    /// The bodies, ready to be read.
    pub(crate) fn finish(self) -> Bodies {
        let state = self.state.into_inner().unwrap_or_else(|e| e.into_inner());
        let chunks = state
            .chunks
            .into_iter()
            .map(|(text, count)| Chunk { text: Mutex::new(Some(Arc::new(text))), left: AtomicUsize::new(count) })
            .collect();
        Bodies { chunks }
    }
}

/// The bodies, read from several threads at once; a chunk is freed when the last of its pages
/// is [`Bodies::done`] (and the last reader lets go of it).
#[derive(Debug, Default)]
pub(crate) struct Bodies {
    chunks: Vec<Chunk>,
}

#[derive(Debug)]
struct Chunk {
    text: Mutex<Option<Arc<String>>>,
    /// Its bodies not yet done with.
    left: AtomicUsize,
}

/// One page's body, holding its chunk while read.
#[derive(Debug)]
pub(crate) struct Body {
    chunk: Arc<String>,
    start: usize,
    len: usize,
}

impl Deref for Body {
    type Target = str;
    fn deref(&self) -> &str {
        &self.chunk[self.start..self.start + self.len]
    }
}

impl Bodies {
    /// The body at `at`. Panics if its chunk was freed: each page is done with once, after it
    /// is read.
    pub(crate) fn get(&self, at: BodyRef) -> Body {
        let slot = self.chunks[at.chunk as usize].text.lock().unwrap_or_else(|e| e.into_inner());
        let chunk = Arc::clone(slot.as_ref().expect("a page body is read before it is done with"));
        Body { chunk, start: at.start as usize, len: at.len as usize }
    }

    /// Says the page whose body is at `at` needs it no more: the last of a chunk frees it.
    pub(crate) fn done(&self, at: BodyRef) {
        let chunk = &self.chunks[at.chunk as usize];
        if chunk.left.fetch_sub(1, Ordering::AcqRel) == 1 {
            let freed = chunk.text.lock().unwrap_or_else(|e| e.into_inner()).take();
            drop(freed);
        }
    }

    /// Whether chunk `c` is still held, for tests.
    #[cfg(test)]
    fn held(&self, c: usize) -> bool {
        self.chunks[c].text.lock().unwrap().is_some()
    }
}

/// A page's body as rendering reads it: from the page itself, from [`Bodies`], or made anew
/// (with matrix views put in).
#[derive(Debug)]
pub(crate) enum PageHtml<'a> {
    Borrowed(&'a str),
    Kept(Body),
    Owned(String),
}

impl Deref for PageHtml<'_> {
    type Target = str;
    fn deref(&self) -> &str {
        match self {
            PageHtml::Borrowed(s) => s,
            PageHtml::Kept(b) => b,
            PageHtml::Owned(s) => s,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_read_back_as_pushed_from_any_worker() {
        let w = BodyWriter::new(32);
        let texts = ["<p>one</p>", "<p>é 日本</p>", "", "<h2 id=\"x\">two</h2>"];
        let refs: Vec<BodyRef> = texts.iter().enumerate().map(|(n, t)| w.push(n % 2, t)).collect();
        let bodies = w.finish();
        for (t, r) in texts.iter().zip(&refs) {
            assert_eq!(&*bodies.get(*r), *t);
        }
        assert_eq!(PageHtml::Kept(bodies.get(refs[1])).len(), texts[1].len());
    }

    #[test]
    fn each_worker_fills_its_own_chunk_and_a_full_one_is_left_for_a_new_one() {
        let w = BodyWriter::new(8);
        let a = w.push(0, "aaaa");
        let b = w.push(1, "bb");
        let c = w.push(0, "cccc"); // fills worker 0's chunk exactly
        let d = w.push(0, "d");
        let long = w.push(1, "0123456789abcdef"); // longer than a chunk: one of its own
        let e = w.push(1, "e");
        assert_eq!([a.chunk, b.chunk, c.chunk, d.chunk, long.chunk, e.chunk], [0, 1, 0, 2, 3, 4]);
        let bodies = w.finish();
        assert_eq!([&*bodies.get(c), &*bodies.get(d), &*bodies.get(long)], ["cccc", "d", "0123456789abcdef"]);
        assert_eq!(bodies.chunks[0].text.lock().unwrap().as_ref().unwrap().capacity(), 8, "never grown");
    }

    #[test]
    fn a_chunk_is_freed_with_its_last_page_and_not_before() {
        let w = BodyWriter::new(64);
        let (a, b) = (w.push(0, "first"), w.push(0, "second"));
        let other = w.push(1, "other");
        let bodies = w.finish();
        let read = bodies.get(a);
        bodies.done(a);
        assert!(bodies.held(0));
        assert_eq!(&*bodies.get(b), "second");
        bodies.done(b);
        assert!(!bodies.held(0) && bodies.held(1), "only the chunk whose pages are all done goes");
        assert_eq!(&*read, "first", "a body being read keeps its chunk until dropped");
        bodies.done(other);
        assert!(!bodies.held(1));
    }

    #[test]
    fn empty_bodies_count_like_any_other() {
        let w = BodyWriter::new(4);
        let (e, f) = (w.push(0, ""), w.push(0, ""));
        let bodies = w.finish();
        assert_eq!((&*bodies.get(e), &*bodies.get(f)), ("", ""));
        bodies.done(e);
        assert!(bodies.held(0));
        bodies.done(f);
        assert!(!bodies.held(0));
    }
}
