//! Text appended into a few large chunks that never grow past their first capacity, so a
//! [`TextRef`] stays valid while its chunk lives. A one-shot build keeps the page bodies and
//! the sections' passages this way: held as one `String` each (tens of thousands of 1-16 KB
//! blocks at 10,000 pages), they could not be freed early without leaving the heap riddled
//! with holes that every later allocation walks past; a whole chunk goes back as one block.

/// Bytes of a chunk (a text longer than that gets a chunk of its own).
pub(crate) const CHUNK_BYTES: usize = 4 << 20;

/// Where one text is in its [`TextChunks`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TextRef {
    chunk: u32,
    start: u32,
    len: u32,
}

impl TextRef {
    /// The chunk holding the text.
    pub(crate) fn chunk(self) -> usize {
        self.chunk as usize
    }

    /// The text's bytes within its chunk.
    pub(crate) fn range(self) -> std::ops::Range<usize> {
        self.start as usize..(self.start + self.len) as usize
    }
}

/// The chunks, filled one text after another.
#[derive(Debug)]
pub(crate) struct TextChunks {
    chunks: Vec<String>,
    chunk_bytes: usize,
}

impl TextChunks {
    /// No chunks yet; each will hold `chunk_bytes`.
    pub(crate) fn new(chunk_bytes: usize) -> TextChunks {
        TextChunks { chunks: Vec::new(), chunk_bytes: chunk_bytes.max(1) }
    }

    /// Keeps `text` after the others in the last chunk when it fits, else in a new one. Empty
    /// text takes no room (and makes no chunk).
    pub(crate) fn push(&mut self, text: &str) -> TextRef {
        if text.is_empty() {
            return TextRef { chunk: 0, start: 0, len: 0 };
        }
        self.push_into(self.chunks.len().checked_sub(1), text)
    }

    /// Keeps `text` in chunk `into` when it has room, else in a new chunk; the chunk it went
    /// to is always a real one (empty text included), so callers may count texts by chunk.
    pub(crate) fn push_into(&mut self, into: Option<usize>, text: &str) -> TextRef {
        let chunk = match into {
            Some(c) if self.chunks[c].capacity() - self.chunks[c].len() >= text.len() => c,
            _ => {
                self.chunks.push(String::with_capacity(self.chunk_bytes.max(text.len())));
                self.chunks.len() - 1
            }
        };
        let buffer = &mut self.chunks[chunk];
        let start = buffer.len();
        buffer.push_str(text);
        let narrow = |n: usize| u32::try_from(n).expect("a chunk is far below 4 GiB");
        TextRef { chunk: narrow(chunk), start: narrow(start), len: narrow(text.len()) }
    }

    /// The text kept at `at`.
    pub(crate) fn get(&self, at: TextRef) -> &str {
        if at.len == 0 {
            return "";
        }
        &self.chunks[at.chunk()][at.range()]
    }

    /// The chunks themselves, in the order [`TextRef::chunk`] numbers them.
    pub(crate) fn into_chunks(self) -> Vec<String> {
        self.chunks
    }

    /// Bytes held (chunk capacities), for tests.
    #[cfg(test)]
    pub(crate) fn held(&self) -> usize {
        self.chunks.iter().map(String::capacity).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_read_back_as_pushed() {
        let mut p = TextChunks::new(64);
        let texts = ["first passage", "é and 日本語 text", "x", "a longer passage that still fits in 64 b"];
        let refs: Vec<TextRef> = texts.iter().map(|t| p.push(t)).collect();
        for (t, r) in texts.iter().zip(&refs) {
            assert_eq!(p.get(*r), *t);
        }
    }

    #[test]
    fn a_text_that_does_not_fit_starts_a_new_chunk_and_none_grows() {
        let mut p = TextChunks::new(10);
        let a = p.push("abcdef");
        let b = p.push("ghijk"); // 6 + 5 > 10: next chunk
        let c = p.push("lmnop"); // fills it exactly
        let d = p.push("q");
        assert_eq!((a.chunk(), b.chunk(), c.chunk(), d.chunk()), (0, 1, 1, 2));
        assert_eq!((b.range().start, c.range().start), (0, 5));
        assert_eq!([p.get(a), p.get(b), p.get(c), p.get(d)], ["abcdef", "ghijk", "lmnop", "q"]);
        assert_eq!(p.held(), 30, "chunks keep their first capacity");
    }

    #[test]
    fn a_text_longer_than_a_chunk_gets_its_own() {
        let mut p = TextChunks::new(4);
        let a = p.push("ab");
        let long = "0123456789".repeat(3);
        let b = p.push(&long);
        let c = p.push("cd");
        assert_eq!((p.get(a), p.get(b), p.get(c)), ("ab", long.as_str(), "cd"));
        assert_eq!((a.chunk(), b.chunk(), c.chunk()), (0, 1, 2), "only the last chunk takes more");
    }

    #[test]
    fn empty_text_takes_no_room_and_reads_back_empty() {
        let mut p = TextChunks::new(8);
        let e = p.push("");
        assert_eq!(p.get(e), "");
        assert_eq!(p.held(), 0);
        let a = p.push("abc");
        let e = p.push("");
        assert_eq!((p.get(a), p.get(e)), ("abc", ""));
    }

    #[test]
    fn a_text_pushed_into_a_chunk_goes_there_while_it_has_room() {
        let mut p = TextChunks::new(8);
        let a = p.push_into(None, "aaaa");
        let b = p.push_into(None, "bb");
        let c = p.push_into(Some(a.chunk()), "cccc");
        let d = p.push_into(Some(a.chunk()), "");
        let e = p.push_into(Some(a.chunk()), "e");
        assert_eq!([a.chunk(), b.chunk(), c.chunk(), d.chunk(), e.chunk()], [0, 1, 0, 0, 2]);
        assert_eq!([p.get(a), p.get(b), p.get(c), p.get(d), p.get(e)], ["aaaa", "bb", "cccc", "", "e"]);
        let empty = p.push_into(None, "");
        assert_eq!(empty.chunk(), 3, "empty text pushed nowhere in particular still gets a chunk");
        assert_eq!(p.into_chunks().len(), 4);
    }
}
