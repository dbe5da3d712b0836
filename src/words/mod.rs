//! Words: the tokeniser, stemming and stop words, and the per-section word collector that
//! markdown and content feed while pages are parsed; the search index (`search`) is built from
//! what they collected. It sits below markdown and content so neither needs `search`.
//!
//! Text analysis for the search index: words, their numbering, stems and stop words.
//!
//! Pages are tokenised while their markdown is parsed ([`Collector`]), so a section keeps only
//! its word counts and the start of its text, not the whole text: the index build then never
//! walks or stores the handbook's text a second time.

use std::sync::{Mutex, RwLock};

use rustc_hash::{FxHashMap, FxHashSet};
use unicode_normalization::char::is_combining_mark;

use table::WordTable;

use crate::config::Config;
use crate::varint;

mod analyzer;
mod fold;
mod passages;
mod split;
mod table;

pub(crate) use analyzer::Analyzer;
use fold::cjk_pieces;
pub(crate) use passages::keep_passages;

/// The analyzer for the configured search language (else the book's language).
pub(crate) fn analyzer(config: &Config) -> Analyzer {
    Analyzer::new(config.search.language.as_deref().unwrap_or(&config.book.language))
}

/// The keys the browser looks up for the query `text`: its words as the index counts them
/// (lowercase, stop words dropped, CJK pairs), folded, each once, in order. `terms` in the
/// theme's search.js must give the same (tests/search_i18n.rs runs both).
pub(crate) fn query_terms(analyzer: &Analyzer, text: &str) -> Vec<String> {
    let lexicon = Lexicon::new(analyzer);
    let counted = Collector::new(&lexicon, true).words_of(text);
    let mut out: Vec<String> = Vec::new();
    lexicon.with_words(|words| {
        for &(id, _) in &counted {
            let key = analyzer.surface(&words[id as usize]).into_owned();
            if !out.contains(&key) {
                out.push(key);
            }
        }
    });
    out
}

/// Characters of prose (then code) a section keeps for its result snippet.
pub(crate) const SNIPPET_CHARS: usize = 400;

/// Bytes of a section's text kept beyond its snippet ([`SectionText::more`]): a result whose
/// match lies there shows a passage around it. Bounded so one huge page cannot make a huge
/// file of the index.
pub(crate) const MORE_BYTES: usize = 16 * 1024;

/// In a [`Collector`]'s lists by parse memo number: not asked for yet, and a stop word.
const UNKNOWN: u32 = u32::MAX;
const STOP: u32 = u32::MAX - 1;

/// Every distinct word the build has met, numbered in the order first seen. Shared by the
/// threads that parse pages; each goes through a [`Collector`], which remembers the ids it
/// has looked up, so the lock is taken about once per distinct word and thread.
///
/// Stop words get no id: they are found in a worker's table like any word, then dropped, so
/// the sections' word lists (and the index build that reads them) never carry them.
#[derive(Default)]
pub(crate) struct Lexicon {
    table: RwLock<Table>,
    stop_words: FxHashSet<&'static str>,
    /// Lowercase `I` to `ı` and `İ` to `i` (Turkish, Azerbaijani).
    dotless_i: bool,
}

#[derive(Default)]
struct Table {
    ids: FxHashMap<Box<str>, u32>,
    words: Vec<Box<str>>,
}

impl Lexicon {
    /// A lexicon that drops the analyzer's stop words.
    pub(crate) fn new(analyzer: &Analyzer) -> Lexicon {
        let stop_words = analyzer.stop_words().iter().copied().collect();
        Lexicon { table: RwLock::default(), stop_words, dotless_i: analyzer.dotless_i() }
    }

    /// The id of a lowercase word, numbered now if new; `None` for a stop word.
    pub(crate) fn id(&self, word: &str) -> Option<u32> {
        if let Some(&id) = self.table.read().unwrap_or_else(|e| e.into_inner()).ids.get(word) {
            return Some(id);
        }
        if self.stop_words.contains(word) {
            return None;
        }
        let mut table = self.table.write().unwrap_or_else(|e| e.into_inner());
        let next = table.words.len() as u32;
        let id = *table.ids.entry(word.into()).or_insert(next);
        if id == next {
            table.words.push(word.into());
        }
        Some(id)
    }

    /// Calls `f` with every word, indexed by id.
    pub(crate) fn with_words<R>(&self, f: impl FnOnce(&[Box<str>]) -> R) -> R {
        f(&self.table.read().unwrap_or_else(|e| e.into_inner()).words)
    }
}

impl std::fmt::Debug for Lexicon {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.with_words(|w| write!(f, "Lexicon({} words)", w.len()))
    }
}

/// One [`Collector`] per worker thread, kept for a whole parallel pass. A collector learns
/// word ids as it goes (a lexicon lookup under a lock for each new word); rayon's `map_init`
/// would start a new one for every piece it splits the work into, some fifty per build.
pub(crate) struct Collectors<'a> {
    lexicon: &'a Lexicon,
    index_code: bool,
    slots: Vec<Mutex<Collector<'a>>>,
}

impl<'a> Collectors<'a> {
    pub(crate) fn new(lexicon: &'a Lexicon, index_code: bool) -> Collectors<'a> {
        let threads = rayon::current_num_threads().max(1);
        let slots = (0..threads).map(|_| Mutex::new(Collector::new(lexicon, index_code))).collect();
        Collectors { lexicon, index_code, slots }
    }

    /// Runs `f` with the calling thread's collector (a fresh one if that is busy: `f` itself
    /// waited on other parallel work).
    pub(crate) fn with<R>(&self, f: impl FnOnce(&mut Collector<'a>) -> R) -> R {
        let i = rayon::current_thread_index().unwrap_or(0) % self.slots.len();
        match self.slots[i].try_lock() {
            Ok(mut c) => f(&mut c),
            Err(_) => f(&mut Collector::new(self.lexicon, self.index_code)),
        }
    }
}

/// What the search index keeps of one heading section of a page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct SectionText {
    /// The heading's id; `None` for the text before the first heading.
    pub anchor: Option<String>,
    pub heading: String,
    /// The start of the prose (paragraphs, lists, tables...), white space folded.
    pub text: String,
    /// The start of the code blocks, likewise (empty unless code is indexed).
    pub code: String,
    /// The section's text from where `text` was cut (its cut word included), as the words were
    /// counted: prose and indexed code in reading order, white space not folded; at most
    /// [`MORE_BYTES`]. Empty when `text` holds all the prose, and once moved to `passage`.
    pub more: String,
    /// Where `more` went in the site's passages (a one-shot build: see [`keep_passages`]).
    pub passage: Option<crate::chunks::TextRef>,
    /// (word id in the [`Lexicon`], occurrences) for the words of the prose and indexed code.
    pub words: WordCounts,
}

/// (word id, occurrences) pairs, in order, each number as a LEB128 varint (seven bits a byte,
/// the high bit saying another byte follows): every section of every page keeps its own until
/// the index is built (at 10,000 pages, 6 million pairs). A handbook has some ten thousand
/// distinct words and most counts are small, so a pair takes two or three bytes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct WordCounts(Box<[u8]>);

impl WordCounts {
    /// The pairs, in the order they were packed.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (u32, u32)> + '_ {
        let mut rest = &self.0[..];
        std::iter::from_fn(move || {
            // Only `from_iter`'s bytes are read: each number fits, and they end with a pair.
            let word = varint::read(&mut rest)? as u32;
            let count = varint::read(&mut rest)? as u32;
            Some((word, count))
        })
    }

    /// How many pairs it holds (counted: only tests ask).
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.iter().count()
    }

    #[cfg(test)]
    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl FromIterator<(u32, u32)> for WordCounts {
    fn from_iter<I: IntoIterator<Item = (u32, u32)>>(pairs: I) -> WordCounts {
        let pairs = pairs.into_iter();
        let mut out = Vec::with_capacity(pairs.size_hint().0 * 3);
        for (word, count) in pairs {
            varint::push(&mut out, u64::from(word));
            varint::push(&mut out, u64::from(count));
        }
        WordCounts(out.into_boxed_slice())
    }
}

/// Splits text into lowercase words (runs of letters and digits; single letters are dropped)
/// and counts them section by section; keeps the start of each section's text. A worker
/// thread's own: it caches lexicon ids and reuses its buffers from section to section.
pub(crate) struct Collector<'a> {
    lexicon: &'a Lexicon,
    /// Whether code blocks are counted and kept.
    index_code: bool,
    /// The words met so far, with their counts in the current section.
    table: WordTable,
    /// The current section's text, split when it ends: the pieces of `foo*bar*` make one word.
    pending: String,
    /// Scratch for lowercasing a word.
    word: String,
    text: Snippet,
    code: Snippet,
    /// Where in `pending` the text beyond the `text` snippet starts, once it is full.
    more_from: Option<usize>,
    /// Lexicon ids of words by their number in the parse memo, and back ([`Collector::id_of`],
    /// [`Collector::number_of`]); [`UNKNOWN`] where not asked for yet.
    from_memo: Vec<u32>,
    to_memo: Vec<u32>,
}

impl<'a> Collector<'a> {
    pub(crate) fn new(lexicon: &'a Lexicon, index_code: bool) -> Collector<'a> {
        Collector {
            lexicon,
            index_code,
            table: WordTable::new(),
            pending: String::new(),
            word: String::new(),
            text: Snippet::new(SNIPPET_CHARS),
            code: Snippet::new(SNIPPET_CHARS),
            more_from: None,
            from_memo: Vec::new(),
            to_memo: Vec::new(),
        }
    }

    /// A piece of prose; a word at its end may go on in the next piece.
    pub(crate) fn prose(&mut self, text: &str) {
        if self.more_from.is_none() {
            let tail = self.text.push(text);
            if self.text.is_full() {
                self.more_from = Some(self.pending.len() + text.len() - tail.len());
            }
        }
        self.pending.push_str(text);
    }

    /// A break between words (a line break, the end of a paragraph or table cell).
    pub(crate) fn space(&mut self) {
        self.pending.push(' ');
        self.text.space = true;
    }

    /// A whole code block.
    pub(crate) fn code(&mut self, text: &str) {
        if self.index_code {
            self.pending.push(' ');
            self.pending.push_str(text);
            self.pending.push(' ');
            self.code.push(text);
            self.code.space = true;
        }
    }

    /// Ends the current section, which had this anchor and heading, and starts the next.
    pub(crate) fn section(&mut self, anchor: Option<String>, heading: String) -> SectionText {
        let pending = std::mem::take(&mut self.pending);
        self.count(&pending);
        self.pending = pending;
        let more = match self.more_from.take() {
            Some(from) => head_bytes(self.pending[from..].trim(), MORE_BYTES).to_string(),
            None => String::new(),
        };
        self.pending.clear();
        let words = self.table.drain().collect();
        SectionText { anchor, heading, text: self.text.take(), code: self.code.take(), more, passage: None, words }
    }

    /// The lexicon id of the word the parse memo numbers `n` (a page the memo gave back names
    /// its words by those numbers): `word` gives the word the first time this worker meets
    /// the number, and later lookups are an index into a list. `Some(None)` for a stop word;
    /// `None` when `word` has none.
    pub(crate) fn id_of(&mut self, n: u32, word: impl FnOnce() -> Option<std::sync::Arc<str>>) -> Option<Option<u32>> {
        let at = n as usize;
        match self.from_memo.get(at) {
            Some(&STOP) => return Some(None),
            Some(&id) if id != UNKNOWN => return Some(Some(id)),
            _ => {}
        }
        let id = self.lexicon.id(&word()?);
        if self.from_memo.len() <= at {
            self.from_memo.resize(at + 1, UNKNOWN);
        }
        self.from_memo[at] = id.unwrap_or(STOP);
        Some(id)
    }

    /// The parse memo's number for the word of lexicon id `id`: `number` gives it (from the
    /// word) the first time this worker meets the id. `None` when it has none.
    pub(crate) fn number_of(&mut self, id: u32, number: impl FnOnce(&str) -> Option<u32>) -> Option<u32> {
        let at = id as usize;
        if let Some(&n) = self.to_memo.get(at).filter(|&&n| n != UNKNOWN) {
            return Some(n);
        }
        let word = self.lexicon.with_words(|words| words.get(at).cloned())?;
        let n = number(&word)?;
        if self.to_memo.len() <= at {
            self.to_memo.resize(at + 1, UNKNOWN);
        }
        self.to_memo[at] = n;
        Some(n)
    }

    /// The counted words of a short text on its own (titles, headings, matrix cells).
    pub(crate) fn words_of(&mut self, text: &str) -> Vec<(u32, u32)> {
        self.count(text);
        self.table.take()
    }

    /// Counts the words of `text`. Plain runs (lowercase ASCII letters and digits: most
    /// words) are looked up in place, inlined here, from their bytes; others are lowercased
    /// first, out of line ([`Collector::count_run`]), as are words the table has not met.
    fn count(&mut self, text: &str) {
        let bytes = text.as_bytes();
        // Capitalised words are lowercased in their head, unless `I` lowercases otherwise.
        let ascii_lowercase = !self.lexicon.dotless_i;
        split::runs(text, |start, end, plain| {
            let len = end - start;
            if !plain {
                if ascii_lowercase && len <= 16 {
                    if let Some(head) = table::ascii_lowercase(table::head_in(bytes, start, len)) {
                        // One ASCII letter (not plain: uppercase) is not a word.
                        if len < 2 || self.table.count_short(head) {
                            return;
                        }
                    }
                }
                self.count_run(&text[start..end]);
                return;
            }
            // Single letters say nothing; a single digit may (a step, a version). A plain run
            // is ASCII: its length in bytes is its length in characters.
            if len < 2 && !bytes[start].is_ascii_digit() {
                return;
            }
            if len > 16 || !self.table.count_short(table::head_in(bytes, start, len)) {
                self.count_new(&text[start..end]);
            }
        });
    }

    /// Counts a plain word that [`WordTable::count_short`] did not find: a long one, or one
    /// this worker has not met.
    #[inline(never)]
    fn count_new(&mut self, word: &str) {
        let lexicon = self.lexicon;
        self.table.count(word, table::head(word), |w| lexicon.id(w));
    }

    /// Counts a run that is not plain: uppercase ASCII, or not ASCII at all.
    #[inline(never)]
    fn count_run(&mut self, run: &str) {
        let mut word = std::mem::take(&mut self.word);
        if run.is_ascii() && !(self.lexicon.dotless_i && run.contains('I')) {
            word.push_str(run);
            word.make_ascii_lowercase();
            self.count_word(&word, table::head(&word));
            word.clear();
        } else {
            // Non-ASCII: split at characters that are not letters, digits or combining
            // marks (dashes, curly quotes), lowercase the rest; CJK runs count as pairs of
            // characters.
            let dotless_i = self.lexicon.dotless_i;
            for piece in run.split(|c: char| !c.is_alphanumeric() && !is_combining_mark(c)) {
                for c in piece.chars() {
                    match c {
                        'I' if dotless_i => word.push('ı'),
                        'İ' if dotless_i => word.push('i'),
                        _ => word.extend(c.to_lowercase()),
                    }
                }
                if word.is_ascii() || !word.chars().any(fold::is_cjk) {
                    self.count_word(&word, table::head(&word));
                } else {
                    cjk_pieces(&word, |p, cjk| match cjk {
                        // A single CJK character is a word.
                        true => self.table.count(p, table::head(p), |w| self.lexicon.id(w)),
                        false => self.count_word(p, table::head(p)),
                    });
                }
                word.clear();
            }
        }
        self.word = word;
    }

    /// Counts one lowercase word, whose [`table::head`] is `head`.
    fn count_word(&mut self, word: &str, head: [u64; 2]) {
        // Single letters say nothing; a single digit may (a step, a version).
        let mut chars = word.chars();
        match (chars.next(), chars.next()) {
            (None, _) => {}
            (Some(c), None) if !c.is_ascii_digit() => {}
            _ => {
                let lexicon = self.lexicon;
                self.table.count(word, head, |w| lexicon.id(w));
            }
        }
    }
}

/// The first `limit` characters of a text given in pieces, runs of white space folded to one
/// space (none at either end).
struct Snippet {
    text: String,
    chars: usize,
    limit: usize,
    /// White space seen since the last character kept.
    space: bool,
}

/// The first `chars` characters of `text`, runs of white space folded to one space.
pub(crate) fn folded(text: &str, chars: usize) -> String {
    let mut s = Snippet::new(chars);
    s.push(text);
    s.take()
}

/// [`folded`], and the rest of `text` from the word that was cut (at most [`MORE_BYTES`],
/// trimmed): a section's `text` and `more` for text that comes whole.
pub(crate) fn folded_and_more(text: &str, chars: usize) -> (String, &str) {
    let mut s = Snippet::new(chars);
    let tail = s.push(text);
    let more = if s.is_full() { head_bytes(tail.trim(), MORE_BYTES) } else { "" };
    (s.take(), more)
}

/// The longest start of `text` of at most `bytes` bytes that ends at a character boundary.
fn head_bytes(text: &str, bytes: usize) -> &str {
    if text.len() <= bytes {
        return text;
    }
    let mut end = bytes;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// Where the white space `text` starts with ends ([`char::is_whitespace`]). Reads ASCII a byte
/// at a time and decodes only other characters: a snippet is mostly ASCII, and decoding every
/// character was most of its cost.
fn space_end(text: &str) -> usize {
    let bytes = text.as_bytes();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'\t'..=b'\r' | b' ' => i += 1,
            0..0x80 => return i,
            _ => match text[i..].chars().next() {
                Some(c) if c.is_whitespace() => i += c.len_utf8(),
                _ => return i,
            },
        }
    }
    i
}

/// Where the word `text` starts with ends: its first white space ([`char::is_whitespace`]),
/// else its length. ASCII a byte at a time, like [`space_end`].
fn word_end(text: &str) -> usize {
    let bytes = text.as_bytes();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'\t'..=b'\r' | b' ' => return i,
            0..0x80 => i += 1,
            _ => match text[i..].chars().next() {
                Some(c) if !c.is_whitespace() => i += c.len_utf8(),
                _ => return i,
            },
        }
    }
    i
}

/// The length of the longest start of `text` that is whole ASCII words each after one space
/// (` foo bar`), at most `room` bytes, followed by white space or the end: what a [`Snippet`]
/// keeps unchanged.
fn spaced_words(text: &[u8], room: usize) -> usize {
    let mut end = 0;
    while text.get(end) == Some(&b' ') {
        let word = text.get(end + 1..).unwrap_or_default();
        let len = word.iter().position(|&b| b <= b' ' || b >= 0x80).unwrap_or(word.len());
        let after = end + 1 + len;
        let ends_word = match text.get(after) {
            None => true,
            Some(&b) => matches!(b, b'\t'..=b'\r' | b' '),
        };
        if len == 0 || !ends_word || after > room {
            break;
        }
        end = after;
    }
    end
}

impl Snippet {
    fn new(limit: usize) -> Snippet {
        Snippet { text: String::new(), chars: 0, limit, space: false }
    }

    /// Whether nothing more can be kept.
    fn is_full(&self) -> bool {
        self.chars >= self.limit
    }

    /// Takes whole runs of non-space characters at a time (most of a snippet is ASCII words);
    /// counting characters one by one was a tenth of the tokenising time. Returns the part of
    /// `text` not kept once full, from the start of a word cut short (empty if not full).
    fn push<'t>(&mut self, text: &'t str) -> &'t str {
        let mut rest = text;
        while self.chars < self.limit {
            let start = space_end(rest);
            if start > 0 {
                self.space = true;
                rest = &rest[start..];
            }
            if rest.is_empty() {
                return rest;
            }
            let end = word_end(rest);
            let (word, after) = rest.split_at(end);
            if std::mem::take(&mut self.space) && !self.text.is_empty() {
                if self.chars + 1 == self.limit {
                    self.chars += 1;
                    return rest;
                }
                self.text.push(' ');
                self.chars += 1;
            }
            let room = self.limit - self.chars;
            // A word of at most `room` bytes has at most `room` characters.
            let kept = match word.len() <= room {
                true => word,
                false => &word[..word.char_indices().nth(room).map_or(word.len(), |(i, _)| i)],
            };
            self.text.push_str(kept);
            self.chars += if kept.is_ascii() { kept.len() } else { kept.chars().count() };
            if kept.len() < word.len() {
                return rest;
            }
            // Words after single spaces are kept as they are: take them whole while they fit
            // short of the limit (where the word by word steps above would do the same).
            let bulk = spaced_words(after.as_bytes(), (self.limit - self.chars).saturating_sub(1));
            self.text.push_str(&after[..bulk]);
            self.chars += bulk;
            rest = &after[bulk..];
        }
        rest
    }

    /// The text kept, as an exact copy: the buffer, grown once, serves every section, and the
    /// copies kept until the index is built carry no spare capacity.
    fn take(&mut self) -> String {
        self.chars = 0;
        self.space = false;
        let text = String::from(self.text.as_str());
        self.text.clear();
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The words of `pieces` (prose, in turn) as strings, in first-seen order, with counts.
    fn counted(pieces: &[&str]) -> Vec<(String, u32)> {
        let lexicon = Lexicon::default();
        let mut c = Collector::new(&lexicon, true);
        for p in pieces {
            c.prose(p);
        }
        let s = c.section(None, String::new());
        lexicon.with_words(|w| s.words.iter().map(|(id, n)| (w[id as usize].to_string(), n)).collect())
    }

    fn words(text: &str) -> Vec<String> {
        counted(&[text]).into_iter().map(|(w, _)| w).collect()
    }

    #[test]
    fn word_counts_give_back_the_pairs_packed_small_and_large() {
        let pairs = [(0, 1), (127, 254), (128, 255), ((1 << 24) - 1, 3), (1 << 24, 1), (u32::MAX, u32::MAX), (7, 2)];
        let packed: WordCounts = pairs.iter().copied().collect();
        assert_eq!(packed.iter().collect::<Vec<_>>(), pairs);
        assert_eq!(packed.len(), pairs.len());
        // Seven bits a byte: 127 takes one, 128 two, 2^24 four, u32::MAX five.
        assert_eq!(packed.0.len(), 2 + 3 + 4 + 5 + 5 + 10 + 2);
        let none: WordCounts = std::iter::empty().collect();
        assert!(none.is_empty() && none.iter().next().is_none());
    }

    #[test]
    fn words_are_unicode_aware_lowercase_runs() {
        assert_eq!(
            words("Déploiement: CI/CD, 99.99% uptime — Straße x 7"),
            ["déploiement", "ci", "cd", "99", "uptime", "straße", "7"]
        );
        assert_eq!(words("ÀB İx"), ["àb", "i\u{307}x"]);
    }

    #[test]
    fn words_are_counted_and_may_span_pieces_of_text() {
        assert_eq!(
            counted(&["Deploy, deploy", "ment and DEPLOY"]),
            [("deploy".to_string(), 2), ("deployment".to_string(), 1), ("and".to_string(), 1)]
        );
        assert_eq!(counted(&["ré", "sumé x", "y"]), [("résumé".to_string(), 1), ("xy".to_string(), 1)]);
    }

    #[test]
    fn sections_keep_the_start_of_their_text_folded() {
        let lexicon = Lexicon::default();
        let mut c = Collector::new(&lexicon, true);
        c.prose("  Restore  the\n");
        c.space();
        c.prose("backup ");
        c.code("pg_restore --now\n");
        c.prose(&"long ".repeat(100));
        let s = c.section(Some("a".into()), "A".into());
        assert!(s.text.starts_with("Restore the backup long long"), "{}", s.text);
        assert_eq!(s.text.chars().count(), SNIPPET_CHARS);
        assert_eq!(s.code, "pg_restore --now");
        assert_eq!(s.words.len(), 6, "restore the backup pg restore now long: {:?}", s.words);
        let next = c.section(None, String::new());
        assert!(next.text.is_empty() && next.code.is_empty() && next.words.is_empty());

        let mut no_code = Collector::new(&lexicon, false);
        no_code.code("secret_token");
        assert_eq!(no_code.section(None, String::new()), SectionText::default());
    }

    #[test]
    fn sections_keep_the_rest_of_their_text_from_the_word_cut_short() {
        let lexicon = Lexicon::default();
        let mut c = Collector::new(&lexicon, true);
        let start = "word ".repeat(SNIPPET_CHARS / 5 - 1);
        c.prose(&start);
        c.prose("restored backups");
        c.space();
        c.code("pg_restore\n");
        c.prose("stateless design");
        let s = c.section(None, String::new());
        assert!(s.text.ends_with(" word resto"), "{}", s.text);
        assert_eq!(s.more, "restored backups  pg_restore\n stateless design", "the cut word whole, then in order");
        // Short sections and the next section keep no rest.
        c.prose("short");
        assert_eq!(c.section(None, String::new()).more, "");

        // Cut at a space: the rest starts with the next word; pieces after the cut go on.
        let mut c = Collector::new(&lexicon, false);
        c.prose(&"a".repeat(SNIPPET_CHARS - 1));
        c.prose(" next");
        c.prose(" piece");
        c.code("not indexed");
        let s = c.section(None, String::new());
        assert_eq!((s.text.chars().count(), s.more.as_str()), (SNIPPET_CHARS - 1, "next piece"));

        // Bounded, at a character boundary.
        c.prose(&"é".repeat(SNIPPET_CHARS + MORE_BYTES));
        let s = c.section(None, String::new());
        assert_eq!(s.more.len(), MORE_BYTES);
        assert!(s.more.chars().all(|ch| ch == 'é'));
    }

    #[test]
    fn whole_texts_split_into_snippet_and_rest_alike() {
        let text = format!("{} restored  backups", "word ".repeat(SNIPPET_CHARS / 5 - 1));
        let (shown, more) = folded_and_more(&text, SNIPPET_CHARS);
        assert_eq!(shown, folded(&text, SNIPPET_CHARS));
        assert_eq!(more, "restored  backups");
        assert_eq!(folded_and_more("short  text", SNIPPET_CHARS), ("short text".to_string(), ""));
    }

    /// The snippet of `pieces` character by character: what [`Snippet::push`] must match.
    fn snippet_by_chars(pieces: &[&str]) -> String {
        let (mut out, mut chars, mut space) = (String::new(), 0, false);
        for c in pieces.iter().flat_map(|p| p.chars()) {
            if chars >= SNIPPET_CHARS {
                break;
            }
            if c.is_whitespace() {
                space = true;
                continue;
            }
            if std::mem::take(&mut space) && !out.is_empty() {
                chars += 1;
                if chars == SNIPPET_CHARS {
                    break;
                }
                out.push(' ');
            }
            out.push(c);
            chars += 1;
        }
        out
    }

    #[test]
    fn snippets_fold_white_space_and_stop_at_the_limit_like_a_character_loop() {
        let long_word = "é".repeat(SNIPPET_CHARS + 3);
        let near_limit = "a".repeat(SNIPPET_CHARS - 1);
        let cases: Vec<Vec<&str>> = vec![
            vec!["  lead\n\tand trail  ", " next"],
            vec!["split wo", "rd\u{a0}nbsp\u{3000}ideographic"],
            vec![&long_word],
            vec![&near_limit, " b"],
            vec![&near_limit, "b c"],
            vec!["Déjà vu — «quoted» ", &long_word, " after"],
            vec!["", " ", "x"],
        ];
        // Words after single spaces, which are kept in bulk, up to and across the limit.
        let spaced = "lorem ipsum dolor sit amet, ".repeat(20);
        let mut cases = cases;
        for cut in [5, 6, 7, 8, 9, 10] {
            cases.push(vec![&near_limit[..SNIPPET_CHARS - cut], " ab cd ef gh"]);
            cases.push(vec![&near_limit[..SNIPPET_CHARS - cut], " ab cd", " ef\tgh"]);
        }
        cases.push(vec![&spaced]);
        cases.push(vec!["x", &spaced[3..]]);
        cases.push(vec!["a b\u{b}c d\u{85}e f  g\u{7f}h i\u{1}j k", &spaced]);
        for pieces in &cases {
            let mut s = Snippet::new(SNIPPET_CHARS);
            for p in pieces {
                s.push(p);
            }
            let expected = snippet_by_chars(pieces);
            assert_eq!(s.text, expected, "{pieces:?}");
            assert!(s.text.chars().count() <= SNIPPET_CHARS);
        }
    }

    #[test]
    fn space_and_word_ends_match_the_character_predicates() {
        let samples = [
            "",
            " ",
            "word",
            "  two words",
            "\t\n\u{b}\u{c}\r x",
            "a\u{b}b",
            "\u{85}next",
            "nbsp\u{a0}after",
            "\u{3000}ideo",
            "déjà vu",
            "é",
            "x\u{2028}y",
            "\u{1f}\u{7f}",
        ];
        for s in samples {
            let space = s.find(|c: char| !c.is_whitespace()).unwrap_or(s.len());
            assert_eq!(space_end(s), space, "{s:?}");
            let word = s.find(char::is_whitespace).unwrap_or(s.len());
            assert_eq!(word_end(s), word, "{s:?}");
        }
    }

    #[test]
    fn spaced_words_stop_at_folded_space_other_characters_and_the_room() {
        assert_eq!(spaced_words(b" foo bar baz", 100), 12);
        assert_eq!(spaced_words(b" foo bar baz", 8), 8, "whole words only");
        assert_eq!(spaced_words(b" foo bar baz", 7), 4);
        assert_eq!(spaced_words(b" foo  bar", 100), 4, "a double space is folded");
        assert_eq!(spaced_words(b" foo\nbar", 100), 4);
        assert_eq!(spaced_words(" foo bär".as_bytes(), 100), 4, "not ASCII");
        assert_eq!(spaced_words(b" foo\x01bar x", 100), 0, "a control character in a word");
        assert_eq!(spaced_words(b"foo bar", 100), 0, "starts with a space");
        assert_eq!(spaced_words(b" ", 100), 0);
    }

    #[test]
    fn words_of_a_short_text_leave_the_section_alone() {
        let lexicon = Lexicon::default();
        let mut c = Collector::new(&lexicon, true);
        c.prose("alpha beta");
        assert_eq!(c.words_of("beta gamma").len(), 2);
        let s = c.section(None, String::new());
        assert_eq!(s.words.len(), 2);
        assert!(s.words.iter().all(|(_, n)| n == 1));
    }

    #[test]
    fn a_lexicon_with_stop_words_never_counts_them() {
        let lexicon = Lexicon::new(&Analyzer::new("en"));
        let mut c = Collector::new(&lexicon, true);
        c.prose("The backup of the database, and THE restore");
        let s = c.section(None, String::new());
        let words: Vec<String> =
            lexicon.with_words(|w| s.words.iter().map(|(id, _)| w[id as usize].to_string()).collect());
        assert_eq!(words, ["backup", "database", "restore"]);
        let french = Lexicon::new(&Analyzer::new("fr"));
        let mut c = Collector::new(&french, true);
        let kept = c.words_of("the de la");
        assert_eq!(
            french.with_words(|w| kept.iter().map(|&(id, _)| w[id as usize].to_string()).collect::<Vec<_>>()),
            ["the"]
        );
    }

    #[test]
    fn cjk_text_counts_pairs_and_turkish_lowercases_its_own_way() {
        let lexicon = Lexicon::default();
        let mut c = Collector::new(&lexicon, true);
        let words = |c: &mut Collector, text: &str| -> Vec<String> {
            let counted = c.words_of(text);
            lexicon.with_words(|w| counted.iter().map(|&(id, _)| w[id as usize].to_string()).collect())
        };
        assert_eq!(words(&mut c, "APIの設計。本 x"), ["api", "の設", "設計", "本"]);
        assert_eq!(words(&mut c, "KAPI İz"), ["kapi", "i\u{307}z"]);
        let tr = Lexicon::new(&Analyzer::new("tr"));
        let mut c = Collector::new(&tr, true);
        let counted = c.words_of("KAPI İzmir kapı");
        let got: Vec<(String, u32)> =
            tr.with_words(|w| counted.iter().map(|&(id, n)| (w[id as usize].to_string(), n)).collect());
        assert_eq!(got, [("kapı".to_string(), 2), ("izmir".to_string(), 1)]);
    }
}
