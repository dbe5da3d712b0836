//! Splitting text into word runs, a block of bytes at a time.
//!
//! Tokenising reads every byte of the handbook's prose, and a byte-by-byte loop spends most of
//! its time on the branch at each word's end. Here each 64-byte block becomes two bit masks
//! (word bytes, and bytes that need a closer look), computed sixteen bytes at once with SSE2
//! on x86-64 (baseline there: no feature detection; one `unsafe` call, sound for that reason), else with plain integer
//! arithmetic on eight bytes at once, and word boundaries are read off the masks: about three
//! times faster than the byte loop on the benchmark corpus.

/// Bytes in one block; one bit per byte in a `u64` mask.
const BLOCK: usize = 64;

/// Calls `f` with each run of word bytes in `text` (ASCII letters and digits, and every byte of
/// a non-ASCII character) as its start and end in `text` (both character boundaries: a run
/// holds whole characters), and whether the run is *plain*: only lowercase ASCII letters and
/// digits, so it is its own index form. Other runs (uppercase or non-ASCII) need lowercasing,
/// and non-ASCII ones a split at characters that are not letters or digits. Offsets, not a
/// `&str`: a plain word is looked up from its bytes, and slicing the text checked both ends
/// of every word for a character boundary.
pub(super) fn runs(text: &str, mut f: impl FnMut(usize, usize, bool)) {
    let bytes = text.as_bytes();
    let len = bytes.len();
    let mut base = 0;
    // The run under way at `base`, if any: where it started, and whether a byte of it so far
    // needs a closer look.
    let mut start = 0;
    let mut in_run = false;
    let mut special = false;
    let mut padded = [0u8; BLOCK];
    // A run that reaches the end of the text is ended by the zero padding of the last block;
    // when the text fills its last block, one more (all padding) ends it. So `f` is called
    // from one place only, and inlined there.
    let blocks_end = if len.is_multiple_of(BLOCK) { len + 1 } else { len };
    while base < blocks_end {
        let block: &[u8; BLOCK] = match bytes.get(base..base + BLOCK) {
            Some(b) => b.try_into().unwrap_or(&padded),
            None => {
                // Zero bytes separate words, so the padding ends any run.
                padded = [0u8; BLOCK];
                let rest = bytes.get(base..).unwrap_or_default();
                padded[..rest.len()].copy_from_slice(rest);
                &padded
            }
        };
        let (word, closer) = masks(block);
        // Bit i is set where byte i starts or ends a run: starts and ends alternate, so each
        // turn of the loop takes a start (unless a run is under way) and then its end.
        let mut edges = word ^ ((word << 1) | in_run as u64);
        while edges != 0 {
            if !in_run {
                start = base + edges.trailing_zeros() as usize;
                edges &= edges - 1;
                in_run = true;
                special = false;
                if edges == 0 {
                    break;
                }
            }
            let i = edges.trailing_zeros() as usize;
            edges &= edges - 1;
            let from = start.max(base) - base;
            special |= closer & ((1u64 << i) - 1) & (!0u64 << from) != 0;
            f(start, base + i, !special);
            in_run = false;
        }
        if in_run {
            let from = start.max(base) - base;
            special |= closer & (!0u64 << from) != 0;
        }
        base += BLOCK;
    }
}

/// Bit masks of a block: bytes that belong to words (ASCII letters and digits, bytes of
/// non-ASCII characters), and bytes that need a closer look (uppercase ASCII, non-ASCII).
/// On x86-64, sixteen bytes at a time with SSE2 (part of every x86-64 CPU, so no detection):
/// a fifth of the instructions of [`masks_swar`], which were a fifth of the tokeniser's.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[inline]
fn masks(block: &[u8; BLOCK]) -> (u64, u64) {
    // SAFETY: the one requirement of a `target_feature` function is that the CPU has the
    // feature, and this is only compiled where the target itself has SSE2 enabled (the
    // x86-64 baseline), so every CPU the binary runs on has it. The intrinsics read no memory.
    unsafe { masks_sse2(block) }
}

#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[target_feature(enable = "sse2")]
fn masks_sse2(block: &[u8; BLOCK]) -> (u64, u64) {
    use std::arch::x86_64::{
        __m128i, _mm_add_epi8, _mm_cmplt_epi8, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8, _mm_set_epi64x,
    };
    // Signed bytes: `x + (0x80 - lo)` is below `-128 + n` exactly when `x` is in lo..lo + n.
    let below = |x: __m128i, lo: u8, n: u8| {
        _mm_cmplt_epi8(_mm_add_epi8(x, _mm_set1_epi8(0x80u8.wrapping_sub(lo) as i8)), _mm_set1_epi8((0x80 + n) as i8))
    };
    let mut word = 0u64;
    let mut closer = 0u64;
    for (k, chunk) in block.chunks_exact(16).enumerate() {
        let half = |i: usize| i64::from_le_bytes(chunk[i..i + 8].try_into().unwrap_or_default());
        let x = _mm_set_epi64x(half(8), half(0));
        let letter = below(_mm_or_si128(x, _mm_set1_epi8(0x20)), b'a', 26);
        let digit = below(x, b'0', 10);
        let upper = below(x, b'A', 26);
        // The high bit of each byte: non-ASCII.
        let high = _mm_movemask_epi8(x) as u16 as u64;
        let shift = k * 16;
        word |= (_mm_movemask_epi8(_mm_or_si128(letter, digit)) as u16 as u64 | high) << shift;
        closer |= (_mm_movemask_epi8(upper) as u16 as u64 | high) << shift;
    }
    (word, closer)
}

#[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
fn masks(block: &[u8; BLOCK]) -> (u64, u64) {
    masks_swar(block)
}

/// [`masks`] with plain integer arithmetic on eight bytes at once: any CPU.
#[cfg_attr(all(target_arch = "x86_64", target_feature = "sse2"), allow(dead_code))]
fn masks_swar(block: &[u8; BLOCK]) -> (u64, u64) {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    const ONES: u64 = 0x0101_0101_0101_0101;
    let mut word = 0u64;
    let mut closer = 0u64;
    for (k, chunk) in block.chunks_exact(8).enumerate() {
        let x = u64::from_le_bytes(chunk.try_into().unwrap_or_default());
        let high = x & HIGH;
        // Each byte's low seven bits, so the additions below never carry into the next byte.
        let low = x & !HIGH;
        // High bit of each byte whose low bits lie in lo..=hi.
        let within = |v: u64, lo: u8, hi: u8| {
            let at_least = v + ONES * (0x80 - lo as u64);
            let above = v + ONES * (0x7f - hi as u64);
            at_least & !above & HIGH
        };
        let letter = within(low | (ONES * 0x20), b'a', b'z');
        let digit = within(low, b'0', b'9');
        // A letter is uppercase when its 0x20 bit is clear: shifted up to the high bit.
        let upper = letter & !(x << 2);
        let shift = k * 8;
        word |= gather(letter | digit | high) << shift;
        closer |= gather(upper | high) << shift;
    }
    (word, closer)
}

/// The high bits of the eight bytes of `m` (all other bits clear) as eight low bits.
fn gather(m: u64) -> u64 {
    ((m >> 7).wrapping_mul(0x0102_0408_1020_4080)) >> 56
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The runs of `text` by the obvious byte loop.
    fn by_bytes(text: &str) -> Vec<(String, bool)> {
        let b = text.as_bytes();
        let is_word = |c: u8| c.is_ascii_alphanumeric() || c >= 0x80;
        let mut out = Vec::new();
        let mut i = 0;
        while i < b.len() {
            while i < b.len() && !is_word(b[i]) {
                i += 1;
            }
            let s = i;
            while i < b.len() && is_word(b[i]) {
                i += 1;
            }
            if i > s {
                let run = &text[s..i];
                out.push((run.to_string(), run.bytes().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())));
            }
        }
        out
    }

    fn by_blocks(text: &str) -> Vec<(String, bool)> {
        let mut out = Vec::new();
        runs(text, |start, end, plain| out.push((text[start..end].to_string(), plain)));
        out
    }

    #[test]
    fn runs_match_a_byte_by_byte_split() {
        let samples =
            ["", "a", "Hello, world! 42 times: déjà-vu — Straße [x](y) `code_ok` Z@z {}|~\u{7f}", "@[`{/:AZaz09"];
        for s in samples {
            assert_eq!(by_blocks(s), by_bytes(s), "{s:?}");
        }
        // Runs across block boundaries, at every offset, and the last byte of a block.
        let long = "restoring backups Nightly ÉTÉ x".repeat(9);
        for cut in (0..70).filter(|&c| long.is_char_boundary(c)) {
            assert_eq!(by_blocks(&long[cut..]), by_bytes(&long[cut..]), "offset {cut}");
        }
        let one_run = "w".repeat(64 * 3 + 5);
        assert_eq!(by_blocks(&one_run), [(one_run.clone(), true)]);
        let exact = "ab ".repeat(21) + "c";
        assert_eq!(exact.len(), 64);
        assert_eq!(by_blocks(&exact), by_bytes(&exact));
    }

    /// The masks of a block byte by byte.
    fn masks_by_bytes(block: &[u8; BLOCK]) -> (u64, u64) {
        let mut word = 0;
        let mut closer = 0;
        for (i, &b) in block.iter().enumerate() {
            word |= ((b.is_ascii_alphanumeric() || b >= 0x80) as u64) << i;
            closer |= ((b.is_ascii_uppercase() || b >= 0x80) as u64) << i;
        }
        (word, closer)
    }

    #[test]
    fn every_byte_is_classified_like_the_byte_loop_at_every_place() {
        for at in 0..BLOCK {
            for b in 0..=255u8 {
                let mut block = [b' '; BLOCK];
                block[at] = b;
                let expected = masks_by_bytes(&block);
                assert_eq!(masks(&block), expected, "byte {b} at {at}");
                assert_eq!(masks_swar(&block), expected, "byte {b} at {at}");
            }
        }
        // Blocks of mixed bytes (a fixed pseudo-random sequence): no byte sways its neighbours.
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..2000 {
            let mut block = [0u8; BLOCK];
            for b in &mut block {
                state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
                *b = (state >> 56) as u8;
            }
            let expected = masks_by_bytes(&block);
            assert_eq!(masks(&block), expected, "{block:?}");
            assert_eq!(masks_swar(&block), expected, "{block:?}");
        }
    }

    #[test]
    fn runs_of_every_character_to_u_2fff_match_the_byte_loop() {
        let all: String = (0..=0x2FFFu32).filter_map(char::from_u32).filter(|&c| c != '\0').collect();
        assert_eq!(by_blocks(&all), by_bytes(&all));
        // Characters between spaced ASCII words, at every offset into a block.
        for c in (0..=0x2FFFu32).step_by(7).chain([0x3000, 0xFF21, 0x1F600, 0x10FFFF]).filter_map(char::from_u32) {
            let text = format!("ab{c}cd Ef{c} {c}9 x");
            for pad in [0, 1, 13, 50, 62, 63] {
                let t = format!("{}{text}", " ".repeat(pad));
                assert_eq!(by_blocks(&t), by_bytes(&t), "{c:?} after {pad}");
            }
        }
    }
}
