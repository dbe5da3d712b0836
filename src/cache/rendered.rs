//! The pages the last build rendered, each by its render key (a digest of everything its
//! output depends on, computed by the build) and the stamp of the file it left in the output
//! folder. A page whose key is the same this time and whose file still has that stamp (so it
//! still holds the bytes rendered from that key) need not be rendered again.
//!
//! Each key is stored with the stamp its own file had once the build was published, never
//! with a stamp taken from another record: whatever happened in between (a build that failed,
//! a `--no-cache` build, a file edited or replaced by hand, another output folder), a file
//! whose stamp still matches is the file that key rendered. Binary, little-endian, checked
//! whole before anything is used:
//!
//! ```text
//! MAGIC output:u128 count:u32 (key:u128 stamp len:u32 path){count} checksum:u128
//! ```
//!
//! `output` is the digest of the output folder's path; `checksum` the xxh3-128 of everything
//! before it, so a damaged, truncated or foreign file reads as no file at all.

use std::collections::HashMap;
use std::path::Path;

use xxhash_rust::xxh3::xxh3_128;

use super::look::Folder;
use super::reader::Reader;
use super::stamp::Stamp;

/// The file's name in the cache folder.
pub(crate) const FILE: &str = "rendered.bin";

/// Changes whenever the layout above (or the meaning of a key) changes.
const MAGIC: &[u8; 8] = b"SBRK\0\0\0\x01";

const CHECKSUM: usize = 16;

/// The output pages the last build left, for this build to reuse.
pub(crate) struct Reusable {
    /// The output folder, opened once: each page's file is looked up from it (`fstatat`), not
    /// walked to from the root again 10,000 times.
    output: Folder,
    /// Output path -> (render key, the file's stamp once published).
    previous: HashMap<String, (u128, Stamp)>,
}

impl Reusable {
    /// Does the output file `rel` still hold what the last build rendered from `key`?
    pub(crate) fn unchanged(&self, rel: &str, key: u128) -> bool {
        self.previous.get(rel).is_some_and(|(k, stamp)| {
            *k == key && self.output.look(rel, false).is_some_and(|l| l.file && l.stamp.output() == *stamp)
        })
    }

    /// The pages the last build recorded (read from the file or not).
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.previous.len()
    }
}

/// The last build's pages from the file's `bytes`, for the output folder `output` (absolute):
/// `None` when the file is damaged, foreign or for another folder.
pub(crate) fn decode(bytes: &[u8], output: &Path) -> Option<Reusable> {
    let body_len = bytes.len().checked_sub(CHECKSUM)?;
    let (body, checksum) = bytes.split_at(body_len);
    if xxh3_128(body).to_le_bytes() != checksum {
        return None;
    }
    let mut r = Reader(body.strip_prefix(MAGIC)?);
    if r.u128()? != folder_digest(output) {
        return None;
    }
    let count = r.u32()? as usize;
    let mut previous = HashMap::with_capacity(count.min(body.len() / 32));
    for _ in 0..count {
        let key = r.u128()?;
        let stamp = Stamp::from_bytes(r.take(Stamp::BYTES)?)?;
        let len = r.u32()? as usize;
        let rel = std::str::from_utf8(r.take(len)?).ok()?;
        previous.insert(rel.to_string(), (key, stamp));
    }
    r.0.is_empty().then(|| Reusable { output: Folder::open(output), previous })
}

/// The file's bytes for the pages `keys` (output path, render key), each with the stamp its
/// file has now in the output folder `output` (absolute): `stamps`, sorted by path, is the
/// whole output folder's as [`super::Cache::store`] took them once it was published. A page
/// without one is left out (it is rendered next time). `None` when the counts do not fit.
pub(crate) fn encode(output: &Path, keys: &[(String, u128)], stamps: &[(String, Stamp)]) -> Option<Vec<u8>> {
    let stamp_of = |rel: &str| stamps.binary_search_by(|(r, _)| r.as_str().cmp(rel)).ok().map(|i| stamps[i].1);
    let stamped: Vec<(&str, u128, Stamp)> =
        keys.iter().filter_map(|(rel, key)| Some((rel.as_str(), *key, stamp_of(rel)?))).collect();
    let size = stamped.iter().map(|(rel, _, _)| 16 + Stamp::BYTES + 4 + rel.len()).sum::<usize>();
    let mut out = Vec::with_capacity(MAGIC.len() + 16 + 4 + size + CHECKSUM);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&folder_digest(output).to_le_bytes());
    out.extend_from_slice(&u32::try_from(stamped.len()).ok()?.to_le_bytes());
    for (rel, key, stamp) in stamped {
        out.extend_from_slice(&key.to_le_bytes());
        out.extend_from_slice(&stamp.to_bytes());
        out.extend_from_slice(&u32::try_from(rel.len()).ok()?.to_le_bytes());
        out.extend_from_slice(rel.as_bytes());
    }
    let checksum = xxh3_128(&out);
    out.extend_from_slice(&checksum.to_le_bytes());
    Some(out)
}

fn folder_digest(output: &Path) -> u128 {
    xxh3_128(output.as_os_str().as_encoded_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn site() -> (tempfile::TempDir, PathBuf) {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("site");
        std::fs::create_dir_all(out.join("a")).unwrap();
        std::fs::write(out.join("a/index.html"), "a").unwrap();
        std::fs::write(out.join("b.html"), "b").unwrap();
        (tmp, out)
    }

    /// The stamps of the files among `rels` that exist, sorted, as the cache takes them.
    fn stamps(out: &Path, rels: &[&str]) -> Vec<(String, Stamp)> {
        let mut found: Vec<(String, Stamp)> = rels
            .iter()
            .filter_map(|rel| {
                Some((rel.to_string(), Stamp::of(&std::fs::symlink_metadata(out.join(rel)).ok()?).output()))
            })
            .collect();
        found.sort_by(|a, b| a.0.cmp(&b.0));
        found
    }

    #[test]
    fn a_page_is_reused_only_with_its_key_and_its_file_as_it_was() {
        let (_tmp, out) = site();
        let keys = vec![("a/index.html".to_string(), 1), ("b.html".to_string(), 2), ("gone.html".to_string(), 3)];
        let bytes = encode(&out, &keys, &stamps(&out, &["b.html", "a/index.html", "gone.html"])).unwrap();
        let r = decode(&bytes, &out).unwrap();
        assert_eq!(r.len(), 2, "a page without a file is not recorded");
        assert!(r.unchanged("a/index.html", 1) && r.unchanged("b.html", 2));
        assert!(!r.unchanged("a/index.html", 2), "another key");
        assert!(!r.unchanged("gone.html", 3) && !r.unchanged("new.html", 1));
        // A file written again (same bytes even) is another file.
        std::fs::remove_file(out.join("b.html")).unwrap();
        std::fs::write(out.join("b.html"), "b").unwrap();
        assert!(!r.unchanged("b.html", 2));
        std::fs::remove_file(out.join("a/index.html")).unwrap();
        assert!(!r.unchanged("a/index.html", 1));
    }

    #[test]
    fn a_damaged_truncated_or_foreign_file_is_no_file() {
        let (tmp, out) = site();
        let bytes = encode(&out, &[("a/index.html".to_string(), 7)], &stamps(&out, &["a/index.html"])).unwrap();
        assert!(decode(&bytes, &out).is_some());
        for n in 0..bytes.len() {
            let mut flipped = bytes.clone();
            flipped[n] ^= 0x10;
            assert!(decode(&flipped, &out).is_none(), "bit flipped at {n}");
            assert!(decode(&bytes[..n], &out).is_none(), "cut at {n}");
        }
        assert!(decode(&bytes, &tmp.path().join("elsewhere")).is_none(), "another output folder");
        assert!(decode(b"", &out).is_none());
    }
}
