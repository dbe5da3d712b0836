//! The index as files: the one place that says what each written row holds, at which position,
//! and how postings are packed. The manifest carries [`schema`], and the theme's `search.js`
//! reads rows by the field names it finds there, so a field moved or added here needs no
//! matching edit of positions in the script.

use serde::ser::SerializeTuple;
use serde::{Serialize, Serializer};

use crate::varint;

/// Version of the layout below; the manifest says it.
pub(super) const VERSION: u32 = 3;

/// A term shard's value for a surface word starts with this, followed by the stem it stands for;
/// any other value is base64 postings.
pub(super) const ALIAS: &str = "=";

/// The callbacks of `window.stagebookSearch` that the manifest, term shards and doc blocks call.
pub(super) const CALL_MANIFEST: &str = "manifest";
pub(super) const CALL_TERMS: &str = "terms";
pub(super) const CALL_DOCS: &str = "docs";
pub(super) const CALL_WORDS: &str = "words";
pub(super) const CALL_MORE: &str = "more";

/// Typo tolerance: a query word of at least `TYPO_ONE` characters that finds nothing looks for
/// keys one edit away, of `TYPO_TWO` or more, two edits.
const TYPO_ONE: usize = 5;
const TYPO_TWO: usize = 9;
/// The length part of a [`typo_key`]: this code point plus the word's length in characters.
const TYPO_LENGTH_BASE: u32 = 0x30;
/// Longest word the typo dictionary holds (longer ones are rarely mistyped into a query).
const TYPO_LONGEST: usize = 40;

/// Where a key sorts in the typo dictionary: its first character, its length, then the key.
/// The words a mistyped query word can be near (same first character, length within the edit
/// count) are then one contiguous run, in one or two files. `None` for keys too short or too
/// long to be a typo's target.
pub(super) fn typo_key(word: &str) -> Option<String> {
    let n = word.chars().count();
    let first = word.chars().next()?;
    (TYPO_ONE - 1..=TYPO_LONGEST).contains(&n).then(|| {
        let length = char::from_u32(TYPO_LENGTH_BASE + n as u32).expect("a small code point");
        format!("{first}{length}{word}")
    })
}

/// Declares a row that is written as a JSON array, in field order, together with the list of
/// its field names: the declaration is the table, so names and positions cannot drift apart.
macro_rules! row {
    ($(#[$doc:meta])* $name:ident { $($(#[$fdoc:meta])* $field:ident: $ty:ty,)* }) => {
        $(#[$doc])*
        pub(super) struct $name<'a> {
            $($(#[$fdoc])* pub(super) $field: $ty,)*
        }

        impl $name<'_> {
            /// Field names, in the order they are written.
            pub(super) const FIELDS: &'static [&'static str] = &[$(stringify!($field)),*];
        }

        impl Serialize for $name<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut t = s.serialize_tuple(Self::FIELDS.len())?;
                $(t.serialize_element(&self.$field)?;)*
                t.end()
            }
        }
    };
}

row! {
    /// A page some docs of a block belong to (written once per block).
    PageRow {
        title: &'a str,
        url: &'a str,
        /// Shown instead of a snippet when only the description matched.
        description: &'a str,
    }
}

row! {
    /// One result in a doc block.
    DocRow {
        /// Index of its page in the block's `pages`.
        page: usize,
        anchor: &'a str,
        heading: &'a str,
        /// The snippet text ("…" at the end when cut).
        text: &'a str,
        label: &'a str,
        /// The `m/<i>.js` file holding the rest of the text, -1 for none.
        more: i32,
    }
}

/// A doc block as written: the pages its docs belong to, then the docs.
#[derive(Serialize)]
pub(super) struct Block<'a> {
    pub(super) pages: Vec<PageRow<'a>>,
    pub(super) docs: Vec<DocRow<'a>>,
}

/// A term shard file (`keys` in order, each with its postings or alias), as [`script`] would
/// write [`Shard`]: `{"key":"value",...}`, straight into one buffer as [`more_script`] does.
pub(super) fn terms_script(index: usize, keys: &[(String, String)]) -> Vec<u8> {
    let size: usize = keys.iter().map(|(k, v)| k.len() + v.len() + 8).sum();
    let mut out = Vec::with_capacity(size + 64);
    script_head(&mut out, CALL_TERMS, Some(index));
    out.push(b'{');
    for (n, (key, value)) in keys.iter().enumerate() {
        if n > 0 {
            out.push(b',');
        }
        push_js_string(&mut out, key);
        out.push(b':');
        push_js_string(&mut out, value);
    }
    out.push(b'}');
    out.extend_from_slice(SCRIPT_TAIL);
    out
}

/// A doc block file, as [`script`] would write [`Block`] (`{"pages":[[title,url,description],
/// ...],"docs":[[page,anchor,heading,text,label,more],...]}`), straight into one buffer of
/// about `capacity` bytes as [`more_script`] does: through serde, its escaping was a tenth of
/// writing the index.
pub(super) fn docs_script(index: usize, block: &Block, capacity: usize) -> Vec<u8> {
    use std::io::Write as _;
    let mut out = Vec::with_capacity(capacity + 64);
    script_head(&mut out, CALL_DOCS, Some(index));
    out.extend_from_slice(b"{\"pages\":[");
    for (n, p) in block.pages.iter().enumerate() {
        out.extend_from_slice(if n == 0 { b"[" } else { b",[" });
        for (k, field) in [p.title, p.url, p.description].into_iter().enumerate() {
            if k > 0 {
                out.push(b',');
            }
            push_js_string(&mut out, field);
        }
        out.push(b']');
    }
    out.extend_from_slice(b"],\"docs\":[");
    for (n, d) in block.docs.iter().enumerate() {
        let _ = write!(out, "{}[{},", if n == 0 { "" } else { "," }, d.page);
        for field in [d.anchor, d.heading, d.text, d.label] {
            push_js_string(&mut out, field);
            out.push(b',');
        }
        let _ = write!(out, "{}]", d.more);
    }
    out.extend_from_slice(b"]}");
    out.extend_from_slice(SCRIPT_TAIL);
    out
}

/// A file of the rest of the docs' text (`rows` of doc id and text), as [`script`] would write
/// `{"doc id": text, ...}`: these files are most of the index's bytes, so they are written
/// straight into one buffer of their size with [`push_js_string`], not through serde.
pub(super) fn more_script(index: usize, rows: &[(u32, &str)]) -> Vec<u8> {
    use std::io::Write as _;
    // Room for a few escapes (quotes, line breaks) per doc.
    let size: usize = rows.iter().map(|(_, text)| text.len() + text.len() / 32 + 16).sum();
    let mut out = Vec::with_capacity(size + 64);
    script_head(&mut out, CALL_MORE, Some(index));
    out.push(b'{');
    for (n, (doc, text)) in rows.iter().enumerate() {
        let _ = write!(out, "{}\"{doc}\":", if n == 0 { "" } else { "," });
        push_js_string(&mut out, text);
    }
    out.push(b'}');
    out.extend_from_slice(SCRIPT_TAIL);
    out
}

/// `text` as a JSON string, byte for byte as serde_json writes it and [`ScriptSafe`] escapes
/// it, in one pass that skips sixteen bytes at a time to the next that needs a look.
fn push_js_string(out: &mut Vec<u8>, text: &str) {
    let bytes = text.as_bytes();
    out.push(b'"');
    let (mut from, mut i) = (0, 0);
    while i < bytes.len() {
        if let Some(chunk) = bytes.get(i..i + 16) {
            let look = needs_look(chunk.try_into().unwrap_or(&[0; 16]));
            if look == 0 {
                i += 16;
                continue;
            }
            i += look.trailing_zeros() as usize;
        }
        // Byte `i` needs a look, or is one of the last fifteen.
        let b = bytes[i];
        let escape: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x08 => b"\\b",
            0x0C => b"\\f",
            b'<' => b"\\u003c",
            0..0x20 => b"",
            0xE2 if bytes.get(i + 1) == Some(&0x80) && bytes.get(i + 2) == Some(&0xA8) => b"\\u2028",
            0xE2 if bytes.get(i + 1) == Some(&0x80) && bytes.get(i + 2) == Some(&0xA9) => b"\\u2029",
            _ => {
                i += 1;
                continue;
            }
        };
        out.extend_from_slice(&bytes[from..i]);
        if escape.is_empty() {
            // Other control characters, as serde_json writes them.
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.extend_from_slice(&[b'\\', b'u', b'0', b'0', HEX[(b >> 4) as usize], HEX[(b & 0xF) as usize]]);
        } else {
            out.extend_from_slice(escape);
        }
        i += if b == 0xE2 { 3 } else { 1 };
        from = i;
    }
    out.extend_from_slice(&bytes[from..]);
    out.push(b'"');
}

/// Bit `i` set where byte `i` of `chunk` needs a look from [`push_js_string`]: a control
/// character, `"`, `\\`, `<`, or 0xE2 (which starts U+2028 and U+2029). With SSE2 on x86-64
/// (every such CPU has it): a third of the instructions of the eight-byte integer test it
/// replaced, and it tells where, so the bytes before are never looked at one by one.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[inline]
fn needs_look(chunk: &[u8; 16]) -> u32 {
    // SAFETY: a `target_feature` function only needs a CPU with the feature, and this is only
    // compiled where the target itself enables SSE2 (the x86-64 baseline). It reads no memory.
    unsafe { needs_look_sse2(chunk) }
}

#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[target_feature(enable = "sse2")]
fn needs_look_sse2(chunk: &[u8; 16]) -> u32 {
    use std::arch::x86_64::{_mm_add_epi8, _mm_cmpeq_epi8, _mm_cmplt_epi8, _mm_movemask_epi8, _mm_or_si128};
    use std::arch::x86_64::{_mm_set1_epi8, _mm_set_epi64x};
    let half = |i: usize| i64::from_le_bytes(chunk[i..i + 8].try_into().unwrap_or_default());
    let x = _mm_set_epi64x(half(8), half(0));
    let is = |b: u8| _mm_cmpeq_epi8(x, _mm_set1_epi8(b as i8));
    // Below 0x20: `x + 0x80` (as signed bytes) below `-128 + 0x20`.
    let control = _mm_cmplt_epi8(_mm_add_epi8(x, _mm_set1_epi8(-128)), _mm_set1_epi8(-128 + 0x20));
    let look = _mm_or_si128(_mm_or_si128(control, is(b'"')), _mm_or_si128(_mm_or_si128(is(b'\\'), is(b'<')), is(0xE2)));
    _mm_movemask_epi8(look) as u32
}

#[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
fn needs_look(chunk: &[u8; 16]) -> u32 {
    needs_look_by_bytes(chunk)
}

/// [`needs_look`] a byte at a time: any CPU.
#[cfg_attr(all(target_arch = "x86_64", target_feature = "sse2"), allow(dead_code))]
fn needs_look_by_bytes(chunk: &[u8; 16]) -> u32 {
    chunk.iter().enumerate().map(|(i, &b)| u32::from(matches!(b, 0..0x20 | b'"' | b'\\' | b'<' | 0xE2)) << i).sum()
}

/// What a result is. The search page filters on [`Kind::filter`] before any doc block loads, so
/// each doc's kind is written in the manifest (see [`Runs`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A heading section of a markdown page.
    Section,
    /// A matrix cell: one aspect at one stage.
    Cell,
    /// A checklist item (once per stage that shows the list).
    ChecklistItem,
}

impl Kind {
    /// Every kind, in the order of their numbers in the index.
    pub(crate) const ALL: [Kind; 3] = [Kind::Section, Kind::Cell, Kind::ChecklistItem];

    pub(crate) fn name(self) -> &'static str {
        match self {
            Kind::Section => "section",
            Kind::Cell => "cell",
            Kind::ChecklistItem => "checklist-item",
        }
    }

    /// The value of the search page's `kind=` filter that shows this kind.
    fn filter(self) -> &'static str {
        match self {
            Kind::Section => "pages",
            Kind::Cell | Kind::ChecklistItem => "matrix",
        }
    }

    pub(super) fn number(self) -> i32 {
        Kind::ALL.iter().position(|&k| k == self).expect("listed in ALL") as i32
    }
}

/// One per-doc value for every doc, written as `[value, count, value, count, ...]`: docs come
/// page sections first, then matrix results by stage, so runs are long and the manifest small.
pub(super) struct Runs(pub(super) Vec<i32>);

impl Serialize for Runs {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let runs: Vec<[i32; 2]> = self.0.chunk_by(|a, b| a == b).map(|r| [r[0], r.len() as i32]).collect();
        s.collect_seq(runs.iter().flatten())
    }
}

/// The manifest's `schema`: row field names, kinds and the alias prefix, for `search.js`. (The
/// per-doc columns are named by their keys in the manifest's `columns`.)
pub(super) fn schema() -> serde_json::Value {
    let kinds: Vec<serde_json::Value> =
        Kind::ALL.iter().map(|k| serde_json::json!({ "name": k.name(), "filter": k.filter() })).collect();
    serde_json::json!({
        "version": VERSION,
        "page": PageRow::FIELDS,
        "doc": DocRow::FIELDS,
        "kinds": kinds,
        "alias": ALIAS,
        "typo": { "one": TYPO_ONE, "two": TYPO_TWO, "lengthBase": TYPO_LENGTH_BASE },
    })
}

/// A term shard through serde: keys in order, each with its postings or an alias (the
/// reference [`terms_script`] is tested against).
#[cfg(test)]
pub(super) struct Shard<'a>(pub(super) &'a [(String, String)]);

#[cfg(test)]
impl Serialize for Shard<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in self.0 {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

/// A stem's postings as (impact, doc) pairs in written order: impacts quantised against `max`
/// (the best score of the index) to 1-254, best first, doc ids increasing within an impact.
/// The lowest bit says whether the stem is in the doc's title or heading (even: it is; in
/// `list`, a negative score), so the browser can rank a doc whose title holds every query word
/// first.
pub(super) fn quantise(list: &[(u32, f32)], max: f32) -> Vec<(u8, u32)> {
    let impact = |signed: f32| 2 * level((signed.abs() / max) * 126.0) + 1 + u8::from(signed.is_sign_negative());
    // Postings come in doc order (as scored): a counting sort by impact keeps that order within
    // an impact, with no comparison sort for each of the index's stems.
    if list.len() >= 32 && list.windows(2).all(|w| w[0].0 < w[1].0) {
        let impacts: Vec<u8> = list.iter().map(|&(_, signed)| impact(signed)).collect();
        let mut starts = [0usize; 256];
        for &i in &impacts {
            starts[i as usize] += 1;
        }
        // Highest impact first.
        let mut at = 0;
        for n in starts.iter_mut().rev() {
            (*n, at) = (at, at + *n);
        }
        let mut out = vec![(0, 0); list.len()];
        for (&(doc, _), &i) in list.iter().zip(&impacts) {
            out[starts[i as usize]] = (i, doc);
            starts[i as usize] += 1;
        }
        return out;
    }
    // Else sorted as one integer, (255 - impact, doc): cheaper than a sort by a pair.
    let mut keys: Vec<u64> =
        list.iter().map(|&(doc, signed)| u64::from(255 - impact(signed)) << 32 | u64::from(doc)).collect();
    keys.sort_unstable();
    keys.into_iter().map(|k| (255 - (k >> 32) as u8, k as u32)).collect()
}

/// `x.round().clamp(0.0, 126.0) as u8`, without the call to libm's `roundf` that `round` is
/// on x86-64 (once per posting): for `x` in 0..=126 the fraction `x - trunc(x)` is exact.
fn level(x: f32) -> u8 {
    let x = x.clamp(0.0, 126.0);
    let whole = x as u8;
    whole + u8::from(x - f32::from(whole) >= 0.5)
}

/// Quantised postings as bytes: runs of equal impact, each its impact byte, its length, then
/// its doc ids as the gap from the one before (the first from 0), numbers as LEB128 varints.
/// Sorted ids make small gaps, and the ranking is the same in any order: the browser sums each
/// doc's impacts.
pub(super) fn encode_postings(quantised: &[(u8, u32)]) -> Vec<u8> {
    let mut out = Vec::with_capacity(quantised.len() * 2 + 8);
    for run in quantised.chunk_by(|a, b| a.0 == b.0) {
        out.push(run[0].0);
        varint::push(&mut out, run.len() as u64);
        let mut last = 0;
        for &(_, doc) in run {
            varint::push(&mut out, u64::from(doc - last));
            last = doc;
        }
    }
    out
}

/// A script file that hands `data` to `window.stagebookSearch.<call>`; `index` is the shard or
/// block number (none for the manifest); `capacity` is a guess of the file's size, so the one
/// buffer it is written into seldom grows.
pub(super) fn script(call: &str, index: Option<usize>, data: &impl Serialize, capacity: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(capacity + call.len() + 64);
    script_head(&mut out, call, index);
    let start = out.len();
    if data.serialize(&mut serde_json::Serializer::with_formatter(&mut out, ScriptSafe)).is_err() {
        out.truncate(start);
        out.extend_from_slice(b"null");
    }
    out.extend_from_slice(SCRIPT_TAIL);
    out
}

/// How every index file starts: the call to `window.stagebookSearch.<call>`, with the shard or
/// block number as its first argument when there is one. [`SCRIPT_TAIL`] closes it.
fn script_head(out: &mut Vec<u8>, call: &str, index: Option<usize>) {
    use std::io::Write as _;
    out.extend_from_slice(b"window.stagebookSearch&&stagebookSearch.");
    out.extend_from_slice(call.as_bytes());
    out.push(b'(');
    if let Some(i) = index {
        let _ = write!(out, "{i},");
    }
}

const SCRIPT_TAIL: &[u8] = b");\n";

/// Compact JSON that is safe inside a script file whatever the text holds: `<` (which could
/// close the script element) and the line and paragraph separators (line breaks in older
/// JavaScript) are escaped as they are written, so the text is never copied or scanned again.
struct ScriptSafe;

impl serde_json::ser::Formatter for ScriptSafe {
    fn write_string_fragment<W: ?Sized + std::io::Write>(&mut self, w: &mut W, fragment: &str) -> std::io::Result<()> {
        let bytes = fragment.as_bytes();
        let mut from = 0;
        let mut at = 0;
        while let Some(found) = bytes[at..].iter().position(|&b| b == b'<' || b == 0xE2) {
            at += found;
            // U+2028 and U+2029 are E2 80 A8 and E2 80 A9.
            let escape: &[u8] = match (bytes[at], bytes.get(at + 1), bytes.get(at + 2)) {
                (b'<', _, _) => b"\\u003c",
                (_, Some(0x80), Some(0xA8)) => b"\\u2028",
                (_, Some(0x80), Some(0xA9)) => b"\\u2029",
                _ => {
                    at += 1;
                    continue;
                }
            };
            w.write_all(&bytes[from..at])?;
            w.write_all(escape)?;
            at += if bytes[at] == b'<' { 1 } else { 3 };
            from = at;
        }
        w.write_all(&bytes[from..])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_written_in_the_order_of_their_field_names() {
        let doc = DocRow { page: 7, anchor: "anchor", heading: "heading", text: "text", label: "label", more: 3 };
        let written = serde_json::to_value(&doc).unwrap();
        let names: Vec<serde_json::Value> = DocRow::FIELDS.iter().map(|&n| n.into()).collect();
        let mut expected = names.clone();
        expected[0] = 7.into();
        expected[5] = 3.into();
        assert_eq!(written, serde_json::Value::Array(expected));
        let page = PageRow { title: "title", url: "url", description: "description" };
        assert_eq!(serde_json::to_value(&page).unwrap(), serde_json::json!(PageRow::FIELDS));
    }

    #[test]
    fn schema_names_every_field_and_kind() {
        let s = schema();
        assert_eq!(s["doc"], serde_json::json!(["page", "anchor", "heading", "text", "label", "more"]));
        assert_eq!(s["page"], serde_json::json!(["title", "url", "description"]));
        assert_eq!(s["kinds"][Kind::Cell.number() as usize]["name"], "cell");
        assert_eq!(s["kinds"][Kind::Section.number() as usize]["filter"], "pages");
    }

    #[test]
    fn typo_keys_group_by_first_character_then_length() {
        assert_eq!(typo_key("kubernetes").as_deref(), Some("k:kubernetes"));
        assert_eq!(typo_key("abc"), None, "too short to be a typo's target");
        assert_eq!(typo_key(&"x".repeat(TYPO_LONGEST + 1)), None);
        let mut keys: Vec<String> =
            ["kubernetes", "kafka", "key", "keys", "kubernet"].iter().filter_map(|w| typo_key(w)).collect();
        keys.sort();
        assert_eq!(keys, ["k4keys", "k5kafka", "k8kubernet", "k:kubernetes"]);
    }

    #[test]
    fn columns_are_runs_of_equal_values() {
        let runs = serde_json::to_string(&Runs(vec![0, 0, 0, 1, 1, -1, 0])).unwrap();
        assert_eq!(runs, "[0,3,1,2,-1,1,0,1]");
        assert_eq!(serde_json::to_string(&Runs(Vec::new())).unwrap(), "[]");
    }

    #[test]
    fn varints_round_trip() {
        let mut b = Vec::new();
        for v in [0u32, 127, 128, 300, 1 << 20] {
            varint::push(&mut b, u64::from(v));
        }
        assert_eq!(b, [0, 127, 0x80, 1, 0xac, 2, 0x80, 0x80, 0x40]);
    }

    /// (doc, impact) pairs of encoded postings, the way static/search.js reads them.
    fn decode_postings(bytes: &[u8]) -> Vec<(u32, u8)> {
        fn number(bytes: &[u8], at: &mut usize) -> u32 {
            let (mut v, mut shift) = (0, 0);
            loop {
                let b = bytes[*at];
                *at += 1;
                v |= u32::from(b & 0x7f) << shift;
                shift += 7;
                if b < 0x80 {
                    return v;
                }
            }
        }
        let (mut out, mut at) = (Vec::new(), 0);
        while at < bytes.len() {
            let impact = bytes[at];
            at += 1;
            let mut doc = 0;
            for _ in 0..number(bytes, &mut at) {
                doc += number(bytes, &mut at);
                out.push((doc, impact));
            }
        }
        out
    }

    #[test]
    fn postings_are_runs_of_equal_impact_with_doc_id_gaps() {
        // Best first, as scored: docs 900 and 5 tie, as do 7, 300 and 2; 40 has the word in its
        // title (a negative score).
        let list = [(900, 8.0), (5, 8.0), (40, -6.0), (300, 2.0), (7, 2.0), (2, 2.0), (1, 0.0)];
        let bytes = encode_postings(&quantise(&list, 8.0));
        assert_eq!(bytes, [253, 2, 5, 0xff, 6, 192, 1, 40, 65, 3, 2, 5, 0xa5, 2, 1, 1, 1]);
        assert_eq!(
            decode_postings(&bytes),
            [(5, 253), (900, 253), (40, 192), (2, 65), (7, 65), (300, 65), (1, 1)],
            "every doc keeps its quantised impact, even when the word is in its title"
        );
        assert!(encode_postings(&quantise(&[], 1.0)).is_empty());
    }

    /// Quantised postings sorted as a pair, (impact descending, doc ascending): the reference.
    fn pair_sorted(list: &[(u32, f32)], max: f32) -> Vec<(u8, u32)> {
        let mut want: Vec<(u8, u32)> = list
            .iter()
            .map(|&(doc, signed)| {
                let level = ((signed.abs() / max) * 126.0).round().clamp(0.0, 126.0) as u8;
                (2 * level + 1 + u8::from(signed.is_sign_negative()), doc)
            })
            .collect();
        want.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        want
    }

    #[test]
    fn levels_round_as_round_does() {
        let mut xs: Vec<f32> = vec![0.0, -0.0, 0.5, 1.5, 2.5, 125.5, 126.0, 126.4, 126.5, 127.0, 1e9, -1.0, f32::NAN];
        for k in 0..=127u16 {
            let half = f32::from(k) + 0.5;
            xs.extend([f32::from(k), half, half.next_down(), half.next_up(), f32::from(k).next_down()]);
        }
        xs.extend((0..100_000u32).map(|i| i as f32 * 0.001_273));
        for x in xs {
            assert_eq!(level(x), x.round().clamp(0.0, 126.0) as u8, "{x}");
        }
    }

    #[test]
    fn quantised_postings_sort_by_impact_then_doc_as_a_pair_sort_would() {
        // Scores with ties, title flags, and doc ids across the whole u32 range.
        let list: Vec<(u32, f32)> = (0..600u32)
            .map(|i| {
                // Distinct (an odd multiplier is one to one on u32), in no order.
                let doc = i.wrapping_mul(2_654_435_761);
                let score = ((i * 37) % 41) as f32 / 4.0;
                (doc, if i.is_multiple_of(5) { -score } else { score })
            })
            .collect();
        let max = 10.0;
        let mut in_doc_order = list.clone();
        in_doc_order.sort_by_key(|p| p.0);
        let mut reversed = list.clone();
        reversed.reverse();
        // Unordered and short lists take the integer sort, doc-ordered ones the counting sort.
        for (name, l) in [("any order", &list[..]), ("reversed", &reversed), ("doc order", &in_doc_order)] {
            assert_eq!(quantise(l, max), pair_sorted(l, max), "{name}");
            assert_eq!(quantise(&l[..40], max), pair_sorted(&l[..40], max), "{name}, 40");
            assert_eq!(quantise(&l[..5], max), pair_sorted(&l[..5], max), "{name}, 5");
        }
    }

    /// What the scripts held before they were written in one pass: serde_json's text with
    /// `<` and the separators replaced afterwards.
    fn replaced(data: &impl Serialize) -> String {
        let json = serde_json::to_string(data).unwrap();
        json.replace('<', "\\u003c").replace('\u{2028}', "\\u2028").replace('\u{2029}', "\\u2029")
    }

    #[test]
    fn script_json_cannot_close_a_script_element() {
        let hostile = "</script><img src=x onerror=alert(1)>";
        assert_eq!(
            script(CALL_TERMS, Some(0), &hostile, 0),
            b"window.stagebookSearch&&stagebookSearch.terms(0,\"\\u003c/script>\\u003cimg src=x onerror=alert(1)>\");\n"
        );
        assert_eq!(script(CALL_DOCS, Some(3), &[1], 0), b"window.stagebookSearch&&stagebookSearch.docs(3,[1]);\n");
        assert_eq!(script(CALL_MANIFEST, None, &[1], 0), b"window.stagebookSearch&&stagebookSearch.manifest([1]);\n");
    }

    #[test]
    fn scripts_escape_as_serde_json_then_replacing_would() {
        let texts = [
            "plain text",
            "<<a>b<",
            "line\u{2028}sep\u{2029}para \u{2026} \u{20ac} \u{2027}\u{202a}",
            "quotes \" back\\slash \n\t\r\u{8}\u{c}\u{1}\u{1f}\u{7f} del",
            "emoji 🚀 <\u{2028}< é\u{2029}",
            "\u{e2}\u{2028}",
            "",
        ];
        for t in texts {
            let want = format!("window.stagebookSearch&&stagebookSearch.terms(2,{});\n", replaced(&t));
            assert_eq!(String::from_utf8(script(CALL_TERMS, Some(2), &t, 10)).unwrap(), want, "{t:?}");
        }
        // Keys are escaped too.
        let shard = [("<key\u{2028}".to_string(), "=<v".to_string())];
        let want = format!("window.stagebookSearch&&stagebookSearch.terms(0,{});\n", replaced(&Shard(&shard)));
        assert_eq!(String::from_utf8(script(CALL_TERMS, Some(0), &Shard(&shard), 0)).unwrap(), want);
    }

    #[test]
    fn term_shards_are_written_as_serde_json_would_write_them() {
        let mut keys: Vec<(String, String)> = Vec::new();
        assert_eq!(terms_script(3, &keys), script(CALL_TERMS, Some(3), &Shard(&keys), 0));
        for (i, k) in ["deploy", "<key\u{2028}", "données", "quote\"back\\", "𝐚", "tab\tnl\n\u{1}"].iter().enumerate()
        {
            keys.push((k.to_string(), if i % 2 == 0 { format!("=stem{i}<") } else { "AbC+/9==".to_string() }));
        }
        assert_eq!(
            String::from_utf8(terms_script(7, &keys)).unwrap(),
            String::from_utf8(script(CALL_TERMS, Some(7), &Shard(&keys), 0)).unwrap()
        );
    }

    #[test]
    fn bytes_that_need_a_look_are_found_at_every_place() {
        for at in 0..16 {
            for b in 0..=255u8 {
                let mut chunk = [b'a'; 16];
                chunk[at] = b;
                let expected = u32::from(matches!(b, 0..0x20 | b'"' | b'\\' | b'<' | 0xE2)) << at;
                assert_eq!(needs_look(&chunk), expected, "byte {b} at {at}");
                assert_eq!(needs_look_by_bytes(&chunk), expected, "byte {b} at {at}");
            }
        }
        let mixed: [u8; 16] = *b"<a\"\\\x1f \xe2\x7f\x80 okx\n\t!";
        assert_eq!(needs_look(&mixed), needs_look_by_bytes(&mixed));
        assert_eq!(needs_look(&mixed).count_ones(), 7);
    }

    #[test]
    fn doc_blocks_are_written_as_serde_json_would_write_them() {
        let serde = |i: usize, b: &Block| String::from_utf8(script(CALL_DOCS, Some(i), b, 0)).unwrap();
        let mine = |i: usize, b: &Block| String::from_utf8(docs_script(i, b, 0)).unwrap();
        let empty = Block { pages: Vec::new(), docs: Vec::new() };
        assert_eq!(mine(0, &empty), serde(0, &empty));
        let texts = [
            "",
            "plain",
            "<key\u{2028}\u{2029}",
            "données…",
            "quote\"back\\slash",
            "𝐚🚀",
            "tab\tnl\n\r\u{1}\u{8}\u{c}\u{1f}\u{7f}",
            "</script>",
        ];
        let pages: Vec<PageRow> =
            texts.iter().map(|&t| PageRow { title: t, url: "a/b.html?x=\"1\"", description: t }).collect();
        let docs: Vec<DocRow> = texts
            .iter()
            .enumerate()
            .map(|(i, &t)| DocRow {
                page: i * 1000,
                anchor: t,
                heading: texts[(i + 1) % texts.len()],
                text: t,
                label: "Label <b>",
                more: [-1, 0, 7, i32::MAX, i32::MIN][i % 5],
            })
            .collect();
        let block = Block { pages, docs };
        assert_eq!(mine(12, &block), serde(12, &block));
        let (mut pages, mut docs) = (block.pages, block.docs);
        pages.truncate(1);
        docs.truncate(1);
        let one = Block { pages, docs };
        assert_eq!(mine(1, &one), serde(1, &one));
    }

    #[test]
    fn passage_files_are_written_as_serde_json_would_write_them() {
        // Every character that needs an escape (and some that do not), at every position of an
        // eight-byte word and across word boundaries, alone and in runs.
        let mut texts: Vec<String> = vec![String::new(), "plain".into(), "a".repeat(64)];
        let special = ["\"", "\\", "\n", "\r", "\t", "\u{8}", "\u{c}", "\u{0}", "\u{1f}", "<", "\u{2028}", "\u{2029}"];
        let near = ["\u{7f}", "\u{2026}", "\u{20ac}", "\u{2027}", "\u{202a}", "é", "🚀", ">", "/", " ", "\u{e2}"];
        for (n, s) in special.iter().chain(&near).enumerate() {
            for at in 0..40 {
                texts.push(format!("{}{s}{}", "x".repeat(at), "y".repeat(n % 11)));
                texts.push(format!("{}{s}{s}{s}", "z".repeat(at)));
            }
        }
        texts.push(special.concat() + &near.concat() + "</script>\n\u{2028}tail");
        let rows: Vec<(u32, &str)> = texts.iter().enumerate().map(|(i, t)| (i as u32 * 977, t.as_str())).collect();
        let body: Vec<String> = rows.iter().map(|(id, t)| format!("\"{id}\":{}", replaced(t))).collect();
        let want = format!("window.stagebookSearch&&stagebookSearch.more(4,{{{}}});\n", body.join(","));
        assert_eq!(String::from_utf8(more_script(4, &rows)).unwrap(), want);
        assert_eq!(more_script(0, &[]), b"window.stagebookSearch&&stagebookSearch.more(0,{});\n");
    }
}
