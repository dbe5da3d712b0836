//! The highlighted code blocks of the last build ([`crate::highlight::Memo`]), kept in one file
//! of the cache folder. Binary, little-endian, checked whole before anything is used:
//!
//! ```text
//! MAGIC  identity:u128  count:u32  (key:u128 len:u32){count}  html bytes  checksum:u128
//! ```
//!
//! `checksum` is the xxh3-128 of everything before it, so a truncated or damaged file (or one
//! written by another binary: `identity`) reads as no file at all, never as wrong HTML.

use std::sync::Arc;

use xxhash_rust::xxh3::xxh3_128;

use crate::highlight::Key;

/// The file's name in the cache folder.
pub(crate) const FILE: &str = "highlights.bin";

/// Changes whenever the layout above changes.
const MAGIC: &[u8; 8] = b"SBHL\0\0\0\x01";

const HEADER: usize = MAGIC.len() + 16 + 4;
const ENTRY: usize = 16 + 4;
const CHECKSUM: usize = 16;

/// The file's bytes for these blocks.
pub(crate) fn encode(identity: u128, blocks: &[(Key, Arc<str>)]) -> Vec<u8> {
    let text: usize = blocks.iter().map(|(_, html)| html.len()).sum();
    let mut out = Vec::with_capacity(HEADER + blocks.len() * ENTRY + text + CHECKSUM);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&identity.to_le_bytes());
    out.extend_from_slice(&u32::try_from(blocks.len()).unwrap_or(u32::MAX).to_le_bytes());
    for (key, html) in blocks.iter().take(u32::MAX as usize) {
        out.extend_from_slice(&key.to_le_bytes());
        out.extend_from_slice(&u32::try_from(html.len()).unwrap_or(u32::MAX).to_le_bytes());
    }
    for (_, html) in blocks.iter().take(u32::MAX as usize) {
        out.extend_from_slice(html.as_bytes());
    }
    let sum = xxh3_128(&out);
    out.extend_from_slice(&sum.to_le_bytes());
    out
}

/// The blocks in `bytes`, when they are a whole, intact file written for `identity`.
pub(crate) fn decode(bytes: &[u8], identity: u128) -> Option<Vec<(Key, Arc<str>)>> {
    let body_len = bytes.len().checked_sub(CHECKSUM)?;
    let (body, sum) = bytes.split_at(body_len);
    if body.len() < HEADER || &body[..MAGIC.len()] != MAGIC || u128_at(body, MAGIC.len())? != identity {
        return None;
    }
    if u128_at(sum, 0)? != xxh3_128(body) {
        return None;
    }
    let count = u32_at(body, MAGIC.len() + 16)? as usize;
    let table = body.get(HEADER..HEADER.checked_add(count.checked_mul(ENTRY)?)?)?;
    let text = std::str::from_utf8(&body[HEADER + table.len()..]).ok()?;
    let mut blocks = Vec::with_capacity(count);
    let mut at = 0usize;
    for entry in table.chunks_exact(ENTRY) {
        let len = u32_at(entry, 16)? as usize;
        let end = at.checked_add(len)?;
        blocks.push((u128_at(entry, 0)?, Arc::from(text.get(at..end)?)));
        at = end;
    }
    (at == text.len()).then_some(blocks)
}

fn u128_at(bytes: &[u8], at: usize) -> Option<u128> {
    Some(u128::from_le_bytes(bytes.get(at..at.checked_add(16)?)?.try_into().ok()?))
}

fn u32_at(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(bytes.get(at..at.checked_add(4)?)?.try_into().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blocks() -> Vec<(Key, Arc<str>)> {
        vec![(1, Arc::from("<span>é</span>")), (2, Arc::from("")), (u128::MAX, Arc::from("x\n"))]
    }

    #[test]
    fn blocks_read_back_as_written() {
        let bytes = encode(9, &blocks());
        assert_eq!(decode(&bytes, 9).unwrap(), blocks());
        assert_eq!(decode(&encode(9, &[]), 9).unwrap(), vec![]);
    }

    #[test]
    fn another_identity_reads_as_nothing() {
        assert!(decode(&encode(9, &blocks()), 10).is_none());
    }

    #[test]
    fn every_truncation_and_every_flipped_byte_reads_as_nothing() {
        let bytes = encode(9, &blocks());
        for len in 0..bytes.len() {
            assert!(decode(&bytes[..len], 9).is_none(), "truncated to {len}");
        }
        for i in 0..bytes.len() {
            let mut damaged = bytes.clone();
            damaged[i] ^= 0x20;
            assert!(decode(&damaged, 9).is_none(), "byte {i} flipped");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(decode(&longer, 9).is_none());
    }

    #[test]
    fn a_consistent_file_with_bad_lengths_or_text_reads_as_nothing() {
        // Well-formed checksum over a body whose table does not match its text: never trusted.
        let seal = |mut body: Vec<u8>| {
            let sum = xxh3_128(&body);
            body.extend_from_slice(&sum.to_le_bytes());
            body
        };
        let header = |count: u32| {
            let mut b = MAGIC.to_vec();
            b.extend_from_slice(&9u128.to_le_bytes());
            b.extend_from_slice(&count.to_le_bytes());
            b
        };
        let entry = |b: &mut Vec<u8>, key: u128, len: u32| {
            b.extend_from_slice(&key.to_le_bytes());
            b.extend_from_slice(&len.to_le_bytes());
        };
        // Lengths past the text.
        let mut b = header(1);
        entry(&mut b, 1, 10);
        b.extend_from_slice(b"abc");
        assert!(decode(&seal(b), 9).is_none());
        // Text left over.
        let mut b = header(1);
        entry(&mut b, 1, 1);
        b.extend_from_slice(b"abc");
        assert!(decode(&seal(b), 9).is_none());
        // A cut inside a character.
        let mut b = header(2);
        entry(&mut b, 1, 1);
        entry(&mut b, 2, 1);
        b.extend_from_slice("é".as_bytes());
        assert!(decode(&seal(b), 9).is_none());
        // Not UTF-8.
        let mut b = header(1);
        entry(&mut b, 1, 1);
        b.push(0xff);
        assert!(decode(&seal(b), 9).is_none());
        // A count larger than the file.
        let b = header(u32::MAX);
        assert!(decode(&seal(b), 9).is_none());
    }
}
