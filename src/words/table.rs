//! A worker's table of the words it has met: lexicon id and occurrences in the current
//! section, by word.
//!
//! Tokenising is one lookup per word of the handbook (millions), made between other work
//! (markdown, highlighting) that pushes the table out of the CPU caches. A general hash map
//! costs three cache misses for a word not recently seen (control bytes, bucket, the key's own
//! allocation); here the first 16 bytes of the word, its id and its count share one 32-byte
//! slot, so a lookup is one miss. Only longer words compare their tails out of line.

/// One slot: `id == 0` means empty, [`STOP`] a word that is not counted, else the lexicon id
/// plus one.
#[derive(Clone, Copy, Default)]
#[repr(C, align(32))]
struct Slot {
    /// The word's first 16 bytes, zero padded (words never hold a zero byte).
    head: [u64; 2],
    id: u32,
    count: u32,
    /// For words longer than 16 bytes: index + 1 of the rest in `tails`.
    tail: u32,
}

/// Slot id of a stop word: found like any other word, then not counted.
const STOP: u32 = u32::MAX;

pub(super) struct WordTable {
    slots: Vec<Slot>,
    used: usize,
    tails: Vec<Box<str>>,
    /// Slots counted in the current section, in first-seen order.
    seen: Vec<u32>,
}

impl WordTable {
    pub(super) fn new() -> WordTable {
        WordTable { slots: vec![Slot::default(); 1024], used: 0, tails: Vec::new(), seen: Vec::new() }
    }

    /// Counts one occurrence of `word`, whose [`head`] is `head`; `id` gives the lexicon id of a
    /// word not in the table, `None` for a word never counted (a stop word). Inlined into the
    /// tokeniser: nearly every word is one already met, and that path is a hash, a probe and an
    /// increment; a new word goes out of line to [`WordTable::insert`].
    #[inline]
    pub(super) fn count(&mut self, word: &str, head: [u64; 2], id: impl FnOnce(&str) -> Option<u32>) {
        let tail = word.get(16..).unwrap_or("");
        let mask = self.slots.len() - 1;
        let mut i = hash(head, tail) as usize & mask;
        loop {
            let slot = &mut self.slots[i];
            if slot.id == 0 {
                break;
            }
            if slot.head == head
                && (if slot.tail == 0 { tail.is_empty() } else { same_tail(&self.tails, slot.tail, tail) })
            {
                if slot.id == STOP {
                    return;
                }
                if slot.count == 0 {
                    self.seen.push(i as u32);
                }
                slot.count += 1;
                return;
            }
            i = (i + 1) & mask;
        }
        self.insert(i, word, head, tail, id);
    }

    /// Counts one occurrence of a word of at most 16 bytes, whose [`head`] is `head`, if the
    /// table has it (else `false`, and [`WordTable::count`] puts it in). The tokeniser's hit
    /// path: no tail to hash or compare, no `&str` to make.
    #[inline]
    pub(super) fn count_short(&mut self, head: [u64; 2]) -> bool {
        let mask = self.slots.len() - 1;
        let mut i = hash(head, "") as usize & mask;
        loop {
            let slot = &mut self.slots[i];
            if slot.id == 0 {
                return false;
            }
            if slot.head == head && slot.tail == 0 {
                if slot.id != STOP {
                    if slot.count == 0 {
                        self.seen.push(i as u32);
                    }
                    slot.count += 1;
                }
                return true;
            }
            i = (i + 1) & mask;
        }
    }

    /// Puts `word`, not in the table, in the empty slot `i` its probe ended at.
    #[inline(never)]
    fn insert(&mut self, i: usize, word: &str, head: [u64; 2], tail: &str, id: impl FnOnce(&str) -> Option<u32>) {
        let tail_index = if tail.is_empty() {
            0
        } else {
            self.tails.push(tail.into());
            self.tails.len() as u32
        };
        match id(word) {
            Some(id) => {
                self.slots[i] = Slot { head, id: id + 1, count: 1, tail: tail_index };
                self.seen.push(i as u32);
            }
            None => self.slots[i] = Slot { head, id: STOP, count: 0, tail: tail_index },
        }
        self.used += 1;
        if self.used * 2 > self.slots.len() {
            self.grow();
        }
    }

    /// (lexicon id, occurrences) of the words counted since the last call, in first-seen order.
    pub(super) fn take(&mut self) -> Vec<(u32, u32)> {
        self.drain().collect()
    }

    /// [`WordTable::take`], one pair at a time.
    pub(super) fn drain(&mut self) -> impl ExactSizeIterator<Item = (u32, u32)> + '_ {
        let slots = &mut self.slots;
        self.seen.drain(..).map(|i| (slots[i as usize].id - 1, std::mem::take(&mut slots[i as usize].count)))
    }

    fn grow(&mut self) {
        let size = self.slots.len() * 2;
        let old = std::mem::replace(&mut self.slots, vec![Slot::default(); size]);
        let mask = self.slots.len() - 1;
        let mut moved = vec![0u32; old.len()];
        for (n, slot) in old.iter().enumerate().filter(|(_, s)| s.id != 0) {
            let tail = if slot.tail == 0 { "" } else { &self.tails[slot.tail as usize - 1] };
            let mut i = hash(slot.head, tail) as usize & mask;
            while self.slots[i].id != 0 {
                i = (i + 1) & mask;
            }
            self.slots[i] = *slot;
            moved[n] = i as u32;
        }
        for i in &mut self.seen {
            *i = moved[*i as usize];
        }
    }
}

/// The [`head`] of the `len` bytes at `at` in `text`, which has at least 16 bytes from `at`
/// on: two loads and masks from a table, no branch on the length (word lengths are too varied
/// to predict).
#[inline]
pub(super) fn head_in(text: &[u8], at: usize, len: usize) -> [u64; 2] {
    let Some(bytes) = text.get(at..at + 16) else { return head_of_bytes(text.get(at..at + len).unwrap_or_default()) };
    let (lo, hi) = bytes.split_at(8);
    let [keep_lo, keep_hi] = HEAD_MASKS[len.min(16)];
    [
        u64::from_le_bytes(lo.try_into().unwrap_or_default()) & keep_lo,
        u64::from_le_bytes(hi.try_into().unwrap_or_default()) & keep_hi,
    ]
}

/// The [`head`] of the lowercase form of an ASCII word, given its own head; `None` if the
/// word is not ASCII. Eight bytes at once: the bytes in `A..=Z` (ASCII bytes and the zero
/// padding never carry into the next byte here) get their 0x20 bit.
#[inline]
pub(super) fn ascii_lowercase(head: [u64; 2]) -> Option<[u64; 2]> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    if (head[0] | head[1]) & HIGH != 0 {
        return None;
    }
    let lower = |w: u64| {
        let upper = (w + ONES * (0x80 - b'A' as u64)) & !(w + ONES * (0x7f - b'Z' as u64)) & HIGH;
        w | upper >> 2
    };
    Some([lower(head[0]), lower(head[1])])
}

/// The masks that keep the first `n` bytes of 16, for `n` in 0..=16.
const HEAD_MASKS: [[u64; 2]; 17] = {
    let mut masks = [[0u64; 2]; 17];
    let mut n = 1;
    while n <= 16 {
        masks[n] = match n {
            ..8 => [(1u64 << (8 * n)) - 1, 0],
            8 => [u64::MAX, 0],
            9..16 => [u64::MAX, (1u64 << (8 * (n - 8))) - 1],
            _ => [u64::MAX, u64::MAX],
        };
        n += 1;
    }
    masks
};

/// The first 16 bytes of `word` as two little-endian words, zero padded. Built from
/// overlapping loads rather than a copy into a buffer, which the loads would wait on.
pub(super) fn head(word: &str) -> [u64; 2] {
    head_of_bytes(word.as_bytes())
}

/// [`head`] of bytes.
fn head_of_bytes(b: &[u8]) -> [u64; 2] {
    let n = b.len();
    let u64_at = |i: usize| u64::from_le_bytes(b[i..i + 8].try_into().unwrap_or_default());
    let u32_at = |i: usize| u32::from_le_bytes(b[i..i + 4].try_into().unwrap_or_default()) as u64;
    match n {
        16.. => [u64_at(0), u64_at(8)],
        9..16 => [u64_at(0), u64_at(n - 8) >> ((16 - n) * 8)],
        8 => [u64_at(0), 0],
        4..8 => [u32_at(0) | u32_at(n - 4) << ((n - 4) * 8), 0],
        1..4 => [b[0] as u64 | (b[n / 2] as u64) << (n / 2 * 8) | (b[n - 1] as u64) << ((n - 1) * 8), 0],
        0 => [0, 0],
    }
}

/// Whether the stored tail `t` (index + 1 in `tails`) is `tail`: words over 16 bytes only.
#[inline(never)]
fn same_tail(tails: &[Box<str>], t: u32, tail: &str) -> bool {
    *tails[t as usize - 1] == *tail
}

#[inline]
fn hash(head: [u64; 2], tail: &str) -> u64 {
    let mut b = head[1];
    if !tail.is_empty() {
        use std::hash::{BuildHasher, Hasher};
        let mut h = rustc_hash::FxBuildHasher.build_hasher();
        h.write(tail.as_bytes());
        b ^= h.finish();
    }
    // A folded multiply mixes every input bit into the low bits used as the index.
    let m = (head[0] ^ 0x243f_6a88_85a3_08d3) as u128 * (b ^ 0x1319_8a2e_0370_7344) as u128;
    (m as u64) ^ ((m >> 64) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heads_are_the_first_sixteen_bytes_zero_padded() {
        for n in 0..=20 {
            let word: String = "abcdefghijklmnopqrst"[..n].to_string();
            let mut bytes = [0u8; 16];
            bytes[..n.min(16)].copy_from_slice(&word.as_bytes()[..n.min(16)]);
            let expected = [
                u64::from_le_bytes(bytes[..8].try_into().unwrap()),
                u64::from_le_bytes(bytes[8..].try_into().unwrap()),
            ];
            assert_eq!(head(&word), expected, "{word}");
            let text = format!("{word}-and more text after it");
            assert_eq!(head_in(text.as_bytes(), 0, n), expected, "{word} in text");
            assert_eq!(head_in(word.as_bytes(), 0, n), expected, "{word} at the end of the text");
        }
    }

    #[test]
    fn ascii_heads_lowercase_like_the_standard_library() {
        // Every ASCII character, at every place of a head.
        for at in 0..16 {
            for b in 1..0x80u8 {
                let mut word = *b"abcdefghijklmnop";
                word[at] = b;
                let word = std::str::from_utf8(&word).unwrap();
                for n in at + 1..=16 {
                    let w = &word[..n];
                    assert_eq!(ascii_lowercase(head(w)), Some(head(&w.to_ascii_lowercase())), "{w:?}");
                }
            }
        }
        for w in ["ÉTÉ", "Straße", "x\u{7f}Y", "KAPI"] {
            let expected = w.is_ascii().then(|| head(&w.to_ascii_lowercase()));
            assert_eq!(ascii_lowercase(head(w)), expected, "{w:?}");
        }
    }

    #[test]
    fn the_short_word_hit_path_counts_only_words_the_table_has() {
        let mut t = WordTable::new();
        let long = "abcdefghijklmnopqrst";
        let prefix = &long[..16];
        assert!(!t.count_short(head("backup")), "not met yet");
        for w in ["backup", "the", long] {
            t.count(w, head(w), |w| (w != "the").then_some(w.len() as u32));
        }
        assert!(t.count_short(head("backup")));
        assert!(t.count_short(head("the")), "a stop word is found, and not counted");
        assert!(!t.count_short(head(prefix)), "a long word's first 16 bytes are not a word of 16");
        t.count(prefix, head(prefix), |_| Some(16));
        assert!(t.count_short(head(prefix)));
        // Counts from both paths add up, in first-seen order, across growth too.
        for i in 0..2000 {
            let w = format!("w{i}");
            t.count(&w, head(&w), |_| Some(100 + i));
        }
        assert!(t.count_short(head("backup")) && t.count_short(head("w7")));
        let counted = t.take();
        assert_eq!(&counted[..3], [(6, 3), (20, 1), (16, 2)]);
        assert!(counted.contains(&(107, 2)));
        assert!(!counted.iter().any(|&(id, _)| id == 3), "the stop word");
    }

    #[test]
    fn counts_words_short_and_long_across_growth() {
        let mut t = WordTable::new();
        let mut next = 0;
        let mut stops = 0;
        let words: Vec<String> = (0..3000).map(|i| format!("w{i}")).collect();
        let long = "internationalization";
        let long2 = "internationalizations";
        for round in 0..2 {
            for w in words.iter().map(String::as_str).chain([long, "stop", long2, long, "stop", "internationalizatio"])
            {
                t.count(w, head(w), |w| {
                    if w == "stop" {
                        stops += 1;
                        return None;
                    }
                    next += 1;
                    Some(next - 1)
                });
            }
            let counted = t.take();
            assert_eq!(counted.len(), 3003, "round {round}");
            // Ids are given in first-seen order and kept.
            assert_eq!(counted[0], (0, 1));
            assert_eq!(counted[2999], (2999, 1));
            assert_eq!(&counted[3000..], [(3000, 2), (3001, 1), (3002, 1)]);
        }
        assert_eq!(next, 3003, "each word got one id");
        assert_eq!(stops, 1, "a stop word is asked about once, then known");
        assert!(t.take().is_empty());
    }
}
