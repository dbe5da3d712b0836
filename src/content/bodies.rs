//! The pages' bodies (the HTML their markdown renders to) in a one-shot build, held in a few
//! large chunks, each freed once every page in it is rendered. Kept as one `String` a page,
//! they are the biggest part of a build's peak memory (a third at 10,000 pages), and freeing
//! them one by one leaves thousands of 1-16 KiB holes that every later allocation walks past;
//! a whole chunk goes back as one block. Each content worker fills a chunk of its own, so a
//! chunk holds runs of neighbouring pages, which render at about the same time.

use std::ops::Deref;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use crate::chunks::{TextChunks, TextRef};

/// Where one page's body is in its [`Bodies`].
pub(crate) type BodyRef = TextRef;

/// Takes the bodies from the content workers, each into its own chunk.
#[derive(Debug)]
pub(crate) struct BodyWriter {
    state: Mutex<Filling>,
}

#[derive(Debug)]
struct Filling {
    text: TextChunks,
    /// How many bodies each chunk holds.
    counts: Vec<usize>,
    /// The chunk each worker is filling.
    open: Vec<Option<usize>>,
}

impl BodyWriter {
    pub(crate) fn new(chunk_bytes: usize) -> BodyWriter {
        let filling = Filling { text: TextChunks::new(chunk_bytes), counts: Vec::new(), open: Vec::new() };
        BodyWriter { state: Mutex::new(filling) }
    }

    /// Keeps `text`, written by `worker` (a rayon thread index), returning where it is.
    pub(crate) fn push(&self, worker: usize, text: &str) -> BodyRef {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let Filling { text: chunks, counts, open } = &mut *state;
        if open.len() <= worker {
            open.resize(worker + 1, None);
        }
        let at = chunks.push_into(open[worker], text);
        if at.chunk() == counts.len() {
            counts.push(0);
        }
        counts[at.chunk()] += 1;
        open[worker] = Some(at.chunk());
        at
    }

    /// The bodies, ready to be read.
    pub(crate) fn finish(self) -> Bodies {
        let state = self.state.into_inner().unwrap_or_else(|e| e.into_inner());
        let chunks = (state.text.into_chunks().into_iter().zip(state.counts))
            .map(|(text, count)| Chunk { text: Mutex::new(Some(Arc::new(text))), left: AtomicUsize::new(count) })
            .collect();
        Bodies { chunks, freed: AtomicUsize::new(0) }
    }
}

/// The bodies, read from several threads at once; a chunk is freed when the last of its pages
/// is [`Bodies::done`] (and the last reader lets go of it).
#[derive(Debug, Default)]
pub(crate) struct Bodies {
    chunks: Vec<Chunk>,
    /// How many chunks are freed.
    freed: AtomicUsize,
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
    range: std::ops::Range<usize>,
}

impl Deref for Body {
    type Target = str;
    fn deref(&self) -> &str {
        &self.chunk[self.range.clone()]
    }
}

impl Bodies {
    /// The body at `at`. Panics if its chunk was freed: each page is done with once, after it
    /// is read.
    pub(crate) fn get(&self, at: BodyRef) -> Body {
        let slot = self.chunks[at.chunk()].text.lock().unwrap_or_else(|e| e.into_inner());
        let chunk = Arc::clone(slot.as_ref().expect("a page body is read before it is done with"));
        Body { chunk, range: at.range() }
    }

    /// Says the page whose body is at `at` needs it no more: the last of a chunk frees it.
    pub(crate) fn done(&self, at: BodyRef) {
        let chunk = &self.chunks[at.chunk()];
        if chunk.left.fetch_sub(1, Ordering::AcqRel) == 1 {
            let freed = chunk.text.lock().unwrap_or_else(|e| e.into_inner()).take();
            drop(freed);
            self.freed.fetch_add(1, Ordering::AcqRel);
        }
    }

    /// Waits, running other work of the thread pool meanwhile, until `chunks` chunks are freed:
    /// the search index then makes its docs in the room the first pages rendered left, instead
    /// of on top of every body at once (the build's peak at 10,000 pages). Only a site of at
    /// least eight times as many chunks waits: a small one's peak is small, and its render and
    /// index gain more from running side by side from the start.
    pub(crate) fn wait_for_freed(&self, chunks: usize) {
        let chunks = if self.chunks.len() >= 8 * chunks { chunks } else { 0 };
        while self.freed.load(Ordering::Acquire) < chunks {
            if rayon::yield_now() != Some(rayon::Yield::Executed) {
                std::thread::sleep(std::time::Duration::from_micros(200));
            }
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
        assert_eq!([a.chunk(), b.chunk(), c.chunk(), d.chunk(), long.chunk(), e.chunk()], [0, 1, 0, 2, 3, 4]);
        let bodies = w.finish();
        assert_eq!([&*bodies.get(c), &*bodies.get(d), &*bodies.get(long)], ["cccc", "d", "0123456789abcdef"]);
        assert_eq!(bodies.chunks[0].text.lock().unwrap().as_ref().unwrap().capacity(), 8, "never grown");
    }

    #[test]
    fn the_wait_for_room_ends_when_enough_chunks_are_freed_and_a_small_site_does_not_wait() {
        let w = BodyWriter::new(4);
        let refs: Vec<BodyRef> = (0..8).map(|_| w.push(0, "page")).collect();
        let bodies = w.finish();
        assert_eq!(bodies.chunks.len(), 8);
        // Eight chunks wait for one: done from another thread, after a while.
        let freed = std::sync::atomic::AtomicBool::new(false);
        std::thread::scope(|s| {
            s.spawn(|| {
                std::thread::sleep(std::time::Duration::from_millis(30));
                freed.store(true, Ordering::SeqCst);
                bodies.done(refs[3]);
            });
            bodies.wait_for_freed(1);
            assert!(freed.load(Ordering::SeqCst), "returned before a chunk was freed");
        });
        // Two chunks to wait for need sixteen: at once, nothing freed.
        bodies.wait_for_freed(2);
        assert!(bodies.held(0));
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
