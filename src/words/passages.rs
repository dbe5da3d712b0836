//! The sections' text beyond their snippets ([`super::SectionText::more`]), held in a few large
//! chunks for a one-shot build. The search index needs that text only to write its `m/` files,
//! early on; kept as one `String` per section (40,000 blocks of 1-16 KB at 10,000 pages), it
//! could not be freed without leaving the heap riddled with holes that every later allocation
//! walks past. Whole chunks go back to the allocator as a few large blocks instead.

use std::sync::Mutex;

use super::SectionText;

/// Moves the sections' `more` text into `store`, freeing each section's own string while its
/// page is parsed (so the next page's allocations reuse it), with one lock per page.
pub(crate) fn keep_passages(sections: &mut [SectionText], store: &Mutex<Passages>) {
    if sections.iter().all(|s| s.more.is_empty()) {
        return;
    }
    let mut store = store.lock().unwrap_or_else(|e| e.into_inner());
    for s in sections.iter_mut().filter(|s| !s.more.is_empty()) {
        s.passage = Some(store.push(&s.more));
        s.more = String::new();
    }
}

/// Bytes of a chunk (a passage longer than that gets a chunk of its own).
pub(crate) const CHUNK_BYTES: usize = 4 << 20;

/// Where one passage is in its [`Passages`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PassageRef {
    chunk: u32,
    start: u32,
    len: u32,
}

/// Passages appended one after another into chunks that never grow past their first capacity,
/// so a [`PassageRef`] stays valid for as long as its store lives.
#[derive(Debug)]
pub(crate) struct Passages {
    chunks: Vec<String>,
    chunk_bytes: usize,
}

impl Passages {
    /// An empty store whose chunks hold `chunk_bytes` each.
    pub(crate) fn new(chunk_bytes: usize) -> Passages {
        Passages { chunks: Vec::new(), chunk_bytes: chunk_bytes.max(1) }
    }

    /// Keeps `text`, returning where it is.
    pub(crate) fn push(&mut self, text: &str) -> PassageRef {
        if text.is_empty() {
            return PassageRef { chunk: 0, start: 0, len: 0 };
        }
        let fits = self.chunks.last().is_some_and(|c| c.capacity() - c.len() >= text.len());
        if !fits {
            self.chunks.push(String::with_capacity(self.chunk_bytes.max(text.len())));
        }
        let chunk = self.chunks.len() - 1;
        let buffer = &mut self.chunks[chunk];
        let start = buffer.len();
        buffer.push_str(text);
        let narrow = |n: usize| u32::try_from(n).expect("a chunk is far below 4 GiB");
        PassageRef { chunk: narrow(chunk), start: narrow(start), len: narrow(text.len()) }
    }

    /// The text kept at `at`.
    pub(crate) fn get(&self, at: PassageRef) -> &str {
        if at.len == 0 {
            return "";
        }
        let start = at.start as usize;
        &self.chunks[at.chunk as usize][start..start + at.len as usize]
    }

    /// Bytes held (chunk capacities), for tests.
    #[cfg(test)]
    fn held(&self) -> usize {
        self.chunks.iter().map(String::capacity).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kept_sections_point_at_their_text_and_let_theirs_go() {
        let section = |more: &str| SectionText { more: more.to_string(), ..Default::default() };
        let mut sections = vec![section("one passage"), section(""), section("another")];
        let store = Mutex::new(Passages::new(CHUNK_BYTES));
        keep_passages(&mut sections, &store);
        let store = store.into_inner().unwrap();
        let kept: Vec<Option<&str>> = sections.iter().map(|s| s.passage.map(|p| store.get(p))).collect();
        assert_eq!(kept, [Some("one passage"), None, Some("another")]);
        assert!(sections.iter().all(|s| s.more.is_empty() && s.more.capacity() == 0));
    }

    #[test]
    fn passages_read_back_as_pushed() {
        let mut p = Passages::new(64);
        let texts = ["first passage", "é and 日本語 text", "x", "a longer passage that still fits in 64 b"];
        let refs: Vec<PassageRef> = texts.iter().map(|t| p.push(t)).collect();
        for (t, r) in texts.iter().zip(&refs) {
            assert_eq!(p.get(*r), *t);
        }
    }

    #[test]
    fn a_passage_that_does_not_fit_starts_a_new_chunk_and_none_grows() {
        let mut p = Passages::new(10);
        let a = p.push("abcdef");
        let b = p.push("ghijk"); // 6 + 5 > 10: next chunk
        let c = p.push("lmnop"); // fills it exactly
        let d = p.push("q");
        assert_eq!((a.chunk, b.chunk, c.chunk, d.chunk), (0, 1, 1, 2));
        assert_eq!((b.start, c.start), (0, 5));
        assert_eq!([p.get(a), p.get(b), p.get(c), p.get(d)], ["abcdef", "ghijk", "lmnop", "q"]);
        assert_eq!(p.held(), 30, "chunks keep their first capacity");
    }

    #[test]
    fn a_passage_longer_than_a_chunk_gets_its_own() {
        let mut p = Passages::new(4);
        let a = p.push("ab");
        let long = "0123456789".repeat(3);
        let b = p.push(&long);
        let c = p.push("cd");
        assert_eq!((p.get(a), p.get(b), p.get(c)), ("ab", long.as_str(), "cd"));
        assert_eq!((a.chunk, b.chunk, c.chunk), (0, 1, 2), "only the last chunk takes more");
    }

    #[test]
    fn empty_text_takes_no_room_and_reads_back_empty() {
        let mut p = Passages::new(8);
        let e = p.push("");
        assert_eq!(p.get(e), "");
        assert_eq!(p.held(), 0);
        let a = p.push("abc");
        let e = p.push("");
        assert_eq!((p.get(a), p.get(e)), ("abc", ""));
    }
}
