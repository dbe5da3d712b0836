//! The highlighted code blocks of the last build ([`crate::highlight_memo::Memo`]), kept in one file
//! of the cache folder. Binary, little-endian, checked whole before anything is used:
//!
//! ```text
//! MAGIC identity:u128 tags:u32 (len:u32 tag){tags} count:u32 (key:u128 len:u32){count} blocks checksum:u128
//! ```
//!
//! Nine tenths of syntect's HTML is its few hundred distinct `<span class="...">` tags, so each
//! block is stored packed: every tag (`<` to the next `>`) replaced by `<` and its number in
//! the tag table (LEB128). That makes the file about an eighth of the HTML's size (2.7 MB for
//! the 10,000-page benchmark, 21 MB unpacked). `checksum` is the xxh3-128 of everything before
//! it, so a truncated or damaged file (or one written by another binary: `identity`) reads as
//! no file at all, never as wrong HTML.

use std::collections::HashMap;
use std::sync::Arc;

use rayon::prelude::*;
use xxhash_rust::xxh3::xxh3_128;

use super::reader::Reader;

use crate::highlight_memo::Key;

/// The file's name in the cache folder.
pub(crate) const FILE: &str = "highlights.bin";

/// Changes whenever the layout above changes.
const MAGIC: &[u8; 8] = b"SBHL\0\0\0\x02";

const ENTRY: usize = 16 + 4;
const CHECKSUM: usize = 16;

/// The file's bytes for these blocks; `None` when they do not fit its 32-bit counts.
pub(crate) fn encode(identity: u128, blocks: &[(Key, Arc<str>)]) -> Option<Vec<u8>> {
    let mut numbers: HashMap<&str, u32> = HashMap::new();
    let mut tags: Vec<&str> = Vec::new();
    let mut packed = Vec::new();
    let mut table = Vec::with_capacity(4 + blocks.len() * ENTRY);
    table.extend_from_slice(&u32::try_from(blocks.len()).ok()?.to_le_bytes());
    for (key, html) in blocks {
        let start = packed.len();
        let mut rest: &str = html;
        while let Some(lt) = rest.find('<') {
            packed.extend_from_slice(&rest.as_bytes()[..lt]);
            let end = rest[lt..].find('>').map_or(rest.len(), |i| lt + i + 1);
            let tag = &rest[lt..end];
            let n = match numbers.get(tag) {
                Some(n) => *n,
                None => {
                    let n = u32::try_from(tags.len()).ok()?;
                    numbers.insert(tag, n);
                    tags.push(tag);
                    n
                }
            };
            packed.push(b'<');
            leb128(n, &mut packed);
            rest = &rest[end..];
        }
        packed.extend_from_slice(rest.as_bytes());
        table.extend_from_slice(&key.to_le_bytes());
        table.extend_from_slice(&u32::try_from(packed.len() - start).ok()?.to_le_bytes());
    }
    let mut out = Vec::with_capacity(MAGIC.len() + 32 + table.len() + packed.len() + tags.len() * 40);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&identity.to_le_bytes());
    out.extend_from_slice(&u32::try_from(tags.len()).ok()?.to_le_bytes());
    for tag in &tags {
        out.extend_from_slice(&u32::try_from(tag.len()).ok()?.to_le_bytes());
        out.extend_from_slice(tag.as_bytes());
    }
    out.extend_from_slice(&table);
    out.extend_from_slice(&packed);
    let sum = xxh3_128(&out);
    out.extend_from_slice(&sum.to_le_bytes());
    Some(out)
}

/// The blocks in `bytes`, when they are a whole, intact file written for `identity`.
pub(crate) fn decode(bytes: &[u8], identity: u128) -> Option<Vec<(Key, Arc<str>)>> {
    let (body, sum) = bytes.split_at(bytes.len().checked_sub(CHECKSUM)?);
    let mut r = Reader(body);
    if r.take(MAGIC.len())? != MAGIC
        || r.u128()? != identity
        || u128::from_le_bytes(sum.try_into().ok()?) != xxh3_128(body)
    {
        return None;
    }
    let tag_count = r.u32()? as usize;
    let mut tags = Vec::with_capacity(tag_count.min(body.len()));
    for _ in 0..tag_count {
        let len = r.u32()? as usize;
        tags.push(std::str::from_utf8(r.take(len)?).ok()?);
    }
    let count = r.u32()? as usize;
    let table = r.take(count.checked_mul(ENTRY)?)?;
    let mut spans = Vec::with_capacity(count);
    let mut at = 0usize;
    for entry in table.chunks_exact(ENTRY) {
        let mut e = Reader(entry);
        let (key, len) = (e.u128()?, e.u32()? as usize);
        spans.push((key, at..at.checked_add(len)?));
        at += len;
    }
    let packed = r.0;
    if at != packed.len() {
        return None;
    }
    spans.into_par_iter().map(|(key, span)| Some((key, Arc::from(unpack(&packed[span], &tags)?)))).collect()
}

/// A block's HTML from its packed bytes; `None` when they name a tag the table lacks or are
/// not UTF-8.
fn unpack(packed: &[u8], tags: &[&str]) -> Option<String> {
    let mut out = Vec::with_capacity(packed.len() * 8);
    let mut rest = packed;
    while let Some(lt) = rest.iter().position(|b| *b == b'<') {
        out.extend_from_slice(&rest[..lt]);
        let (n, len) = read_leb128(&rest[lt + 1..])?;
        out.extend_from_slice(tags.get(n as usize)?.as_bytes());
        rest = &rest[lt + 1 + len..];
    }
    out.extend_from_slice(rest);
    String::from_utf8(out).ok()
}

fn leb128(mut n: u32, out: &mut Vec<u8>) {
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

/// A number and how many bytes it took (at most five, as a u32 needs).
fn read_leb128(bytes: &[u8]) -> Option<(u32, usize)> {
    let mut n: u64 = 0;
    for (i, b) in bytes.iter().take(5).enumerate() {
        n |= u64::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            return Some((u32::try_from(n).ok()?, i + 1));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blocks() -> Vec<(Key, Arc<str>)> {
        vec![
            (1, Arc::from("<span class=\"a\">é</span>\n<span class=\"a\">&lt;x&gt;</span>")),
            (2, Arc::from("")),
            // Not syntect's: a `<` with no `>`, a lone `>`, text only.
            (3, Arc::from("a > b <span")),
            (u128::MAX, Arc::from("x\n")),
        ]
    }

    #[test]
    fn blocks_read_back_as_written() {
        let bytes = encode(9, &blocks()).unwrap();
        assert_eq!(decode(&bytes, 9).unwrap(), blocks());
        assert_eq!(decode(&encode(9, &[]).unwrap(), 9).unwrap(), vec![]);
        // Tags are stored once: the packed file is smaller than the HTML.
        let many: Vec<(Key, Arc<str>)> =
            (0..50).map(|k| (k, Arc::from("<span class=\"hl-source hl-rust\">fn</span>".repeat(20)))).collect();
        let bytes = encode(9, &many).unwrap();
        assert!(bytes.len() * 4 < many.iter().map(|(_, h)| h.len()).sum::<usize>(), "{}", bytes.len());
        assert_eq!(decode(&bytes, 9).unwrap(), many);
    }

    #[test]
    fn more_tags_than_one_byte_numbers() {
        let html: String = (0..300).map(|i| format!("<span class=\"c{i}\">{i}</span>")).collect();
        let blocks = vec![(5, Arc::from(html.as_str()))];
        assert_eq!(decode(&encode(1, &blocks).unwrap(), 1).unwrap(), blocks);
        for n in [0, 1, 127, 128, 300, 16_384, u32::MAX] {
            let mut b = Vec::new();
            leb128(n, &mut b);
            assert_eq!(read_leb128(&b), Some((n, b.len())));
        }
        assert_eq!(read_leb128(&[0x80, 0x80]), None);
        assert_eq!(read_leb128(&[0xff, 0xff, 0xff, 0xff, 0x7f]), None, "past u32");
    }

    #[test]
    fn another_identity_reads_as_nothing() {
        assert!(decode(&encode(9, &blocks()).unwrap(), 10).is_none());
    }

    #[test]
    fn every_truncation_and_every_flipped_byte_reads_as_nothing() {
        let bytes = encode(9, &blocks()).unwrap();
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

    /// A body sealed with a good checksum: what `decode` checks beyond it.
    fn sealed(tags: &[&[u8]], entries: &[(u128, u32)], packed: &[u8]) -> Vec<u8> {
        let mut b = MAGIC.to_vec();
        b.extend_from_slice(&9u128.to_le_bytes());
        b.extend_from_slice(&(tags.len() as u32).to_le_bytes());
        for t in tags {
            b.extend_from_slice(&(t.len() as u32).to_le_bytes());
            b.extend_from_slice(t);
        }
        b.extend_from_slice(&(entries.len() as u32).to_le_bytes());
        for (key, len) in entries {
            b.extend_from_slice(&key.to_le_bytes());
            b.extend_from_slice(&len.to_le_bytes());
        }
        b.extend_from_slice(packed);
        let sum = xxh3_128(&b);
        b.extend_from_slice(&sum.to_le_bytes());
        b
    }

    #[test]
    fn a_consistent_file_with_bad_contents_reads_as_nothing() {
        assert_eq!(decode(&sealed(&[b"<b>"], &[(1, 4)], b"x<\x00y"), 9).unwrap()[0].1.as_ref(), "x<b>y");
        // Lengths past the blocks, blocks left over.
        assert!(decode(&sealed(&[], &[(1, 10)], b"abc"), 9).is_none());
        assert!(decode(&sealed(&[], &[(1, 1)], b"abc"), 9).is_none());
        // A tag the table lacks, a number cut off.
        assert!(decode(&sealed(&[b"<b>"], &[(1, 2)], b"<\x01"), 9).is_none());
        assert!(decode(&sealed(&[b"<b>"], &[(1, 2)], b"<\x80"), 9).is_none());
        // A cut inside a character, text or tag not UTF-8.
        assert!(decode(&sealed(&[], &[(1, 1), (2, 1)], "é".as_bytes()), 9).is_none());
        assert!(decode(&sealed(&[], &[(1, 1)], b"\xff"), 9).is_none());
        assert!(decode(&sealed(&[b"\xff"], &[(1, 0)], b""), 9).is_none());
        // Counts larger than the file.
        let mut huge = MAGIC.to_vec();
        huge.extend_from_slice(&9u128.to_le_bytes());
        huge.extend_from_slice(&u32::MAX.to_le_bytes());
        let sum = xxh3_128(&huge);
        huge.extend_from_slice(&sum.to_le_bytes());
        assert!(decode(&huge, 9).is_none());
    }
}
