//! The client-side search index: one document per heading section (and per matrix cell and
//! checklist item), BM25 scores computed here, written as small JS files that pages load with
//! `<script>` tags, so search works from `file://` and loads only what a query needs.
//!
//! Layout (see the theme's `static/search.js` for the reader):
//! - `search/manifest.js`: shard boundaries, doc block boundaries, matrix facets, stop words;
//! - `search/t/<i>.js`: a range of sorted keys. A key is a stem with its postings (doc ids in
//!   runs of equal one-byte impact, best first, as gaps: [`encode_postings`]), or a surface
//!   word pointing to its stem (`"=stem"`), so the browser needs no stemmer and the last word
//!   of a query can be matched as a prefix;
//! - `search/d/<i>.js`: titles, URLs, headings and the start of the text (a snippet of which
//!   the browser shows around the words found) of a run of docs, for the results shown.

mod score;
mod split;
mod table;
mod text;

use std::borrow::Cow;
use std::collections::HashMap;

use base64::Engine as _;
use rayon::prelude::*;
use serde::Serialize;

pub use text::{Analyzer, Collector, Collectors, Lexicon, SectionText};

use crate::config::Config;
use crate::content::Site;
use crate::matrix::views::{stage_url, STAGES_URL};
use crate::matrix::Matrix;

/// Folder of the index in the output.
pub const DIR: &str = "search";

/// Target raw size of one term shard / doc block, raised when there would be too many files
/// (static hosts cap file counts).
const SHARD_BYTES: usize = 8 * 1024;
const BLOCK_BYTES: usize = 8 * 1024;
const MAX_FILES: usize = 1900;
/// Text shown per doc in results.
const TEXT_CHARS: usize = text::SNIPPET_CHARS;

/// One search result to be.
struct Doc<'a> {
    page: usize,
    anchor: Cow<'a, str>,
    heading: Cow<'a, str>,
    /// (word id, occurrences) of the body: prose and code.
    words: Cow<'a, [(u32, u32)]>,
    /// The start of the prose (white space folded, at most [`TEXT_CHARS`]), and of the code
    /// (shown when the prose is short).
    text: Cow<'a, str>,
    code: &'a str,
    /// Text that counts as the page title (the page's first section only).
    title: Cow<'a, str>,
    label: String,
    stage: i32,
    category: i32,
    /// Multiplies the doc's scores: matrix cells are a few words each, and BM25 would rank
    /// them above the pages that explain the same thing.
    weight: f32,
}

/// Score multiplier of matrix results.
const MATRIX_WEIGHT: f32 = 0.4;

/// A doc block as written: the pages its docs belong to, then the docs.
#[derive(Serialize)]
struct Block<'a> {
    pages: Vec<(&'a str, &'a str)>,
    docs: Vec<(usize, &'a str, &'a str, &'a str, &'a str)>,
}

/// A term shard as written: keys in order, each with its postings or `=stem`.
struct Shard<'a>(&'a [(String, String)]);

impl Serialize for Shard<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().map(|(k, v)| (k, v)))
    }
}

/// Page table entry of the index: title and URL.
struct PageRef {
    title: String,
    url: String,
}

/// Index statistics, for the build summary and the benchmark.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Stats {
    pub docs: usize,
    pub keys: usize,
    pub files: usize,
    pub bytes: usize,
}

/// The index files (path under the output, bytes).
pub fn build(config: &Config, site: &Site, matrix: Option<&Matrix>) -> (Vec<(String, Vec<u8>)>, Stats) {
    let analyzer = analyzer(config);
    let t = std::time::Instant::now();
    let timing = std::env::var_os("STAGEBOOK_TIMINGS").is_some();
    let lap = |what: &str| {
        if timing {
            eprintln!("    search {what:<8} {:>7.1} ms", t.elapsed().as_secs_f64() * 1000.0);
        }
    };
    let (pages, docs, matrix_range) = collect_docs(config, site, matrix);
    lap("docs");

    let (mut scored, surfaces) = score::score(&docs, &site.lexicon, &analyzer, config.search.boosts());
    lap("score");
    let max = scored.iter().flat_map(|(_, l)| l.first()).map(|p| p.1).fold(f32::MIN_POSITIVE, f32::max);
    scored.sort_unstable_by(|a, b| a.0.cmp(&b.0));

    // Keys: stems with postings, and surface words that point to a different stem.
    let mut entries: Vec<(String, String)> = scored
        .par_iter()
        .map(|(stem, list)| {
            (stem.clone(), base64::engine::general_purpose::STANDARD.encode(encode_postings(list, max)))
        })
        .collect();
    let stems: std::collections::HashSet<&str> = scored.iter().map(|(s, _)| s.as_str()).collect();
    entries.extend(
        surfaces
            .into_iter()
            .filter(|(w, s)| !stems.contains(w.as_str()) && stems.contains(s.as_str()))
            .map(|(w, s)| (w, format!("={s}"))),
    );
    entries.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    lap("encode");

    // Snippets: the prose, then the code when the prose is short.
    let shown: Vec<Cow<str>> = docs
        .par_iter()
        .map(|d| {
            ellipsis(match d.code {
                "" => Cow::Borrowed(&*d.text),
                code => Cow::Owned(truncate(&format!("{} {code}", d.text), TEXT_CHARS)),
            })
        })
        .collect();
    let doc_size = |i: usize| shown[i].len() + docs[i].heading.len() + docs[i].anchor.len() + docs[i].label.len() + 16;
    let key_bytes: usize = entries.iter().map(|(k, v)| k.len() + v.len() + 6).sum();
    let doc_bytes: usize = (0..docs.len()).map(doc_size).sum();
    let (shard_target, block_target) = targets(key_bytes, doc_bytes);

    // Term shards: runs of keys of about the target size, written in parallel.
    let mut shard_ranges = Vec::new();
    let mut start = 0;
    let mut size = 0;
    for (i, (key, value)) in entries.iter().enumerate() {
        size += key.len() + value.len() + 6;
        if size >= shard_target || i + 1 == entries.len() {
            shard_ranges.push(start..i + 1);
            start = i + 1;
            size = 0;
        }
    }
    let mut files: Vec<(String, Vec<u8>)> = shard_ranges
        .par_iter()
        .enumerate()
        .map(|(i, r)| script(&format!("{DIR}/t/{i}.js"), "terms", i, &Shard(&entries[r.clone()])))
        .collect();
    // The first shard also holds anything sorting before its first key.
    let shard_starts: Vec<&str> =
        shard_ranges.iter().enumerate().map(|(i, r)| if i == 0 { "" } else { entries[r.start].0.as_str() }).collect();
    lap("shards");

    // Doc blocks: runs of docs with the pages they belong to, written in parallel.
    let mut ranges = Vec::new();
    let mut start = 0;
    while start < docs.len() {
        let mut end = start;
        let mut size = 0;
        while end < docs.len() && (size < block_target || end == start) {
            size += doc_size(end);
            end += 1;
        }
        ranges.push((start, end));
        start = end;
    }
    let block_starts: Vec<usize> = ranges.iter().map(|r| r.0).collect();
    let blocks: Vec<(String, Vec<u8>)> = ranges
        .par_iter()
        .enumerate()
        .map(|(i, &(start, end))| {
            let mut page_index: HashMap<usize, usize> = HashMap::new();
            let mut block = Block { pages: Vec::new(), docs: Vec::new() };
            for (d, shown) in docs[start..end].iter().zip(&shown[start..end]) {
                let local = *page_index.entry(d.page).or_insert_with(|| {
                    block.pages.push((&pages[d.page].title, &pages[d.page].url));
                    block.pages.len() - 1
                });
                block.docs.push((local, &d.anchor, &d.heading, shown, &d.label));
            }
            script(&format!("{DIR}/d/{i}.js"), "docs", i, &block)
        })
        .collect();
    files.extend(blocks);
    lap("blocks");
    let (stages, categories) = matrix.map_or((Vec::new(), Vec::new()), |m| {
        (
            m.stages.iter().map(|s| [s.id.clone(), s.name.clone()]).collect(),
            m.categories.iter().map(|c| [c.id.clone(), c.name.clone()]).collect(),
        )
    });
    let matrix_docs = matrix_range.map_or(&docs[0..0], |(a, b)| &docs[a..b]);
    let manifest = serde_json::json!({
        "version": 1,
        "shards": shard_starts,
        "blocks": block_starts,
        "docs": docs.len(),
        "matrix": matrix_range.map(|(a, b)| [a, b]),
        "stages": stages,
        "categories": categories,
        "matrixStage": matrix_docs.iter().map(|d| d.stage).collect::<Vec<_>>(),
        "matrixCategory": matrix_docs.iter().map(|d| d.category).collect::<Vec<_>>(),
        "stopWords": analyzer.stop_words(),
    });
    files.push((
        format!("{DIR}/manifest.js"),
        format!("window.stagebookSearch&&stagebookSearch.manifest({});\n", js_json(&manifest)).into_bytes(),
    ));
    let stats = Stats {
        docs: docs.len(),
        keys: entries.len(),
        files: files.len(),
        bytes: files.iter().map(|(_, b)| b.len()).sum(),
    };
    (files, stats)
}

/// How the book's words become index keys: from `[search] language`, else the book's.
pub fn analyzer(config: &Config) -> Analyzer {
    Analyzer::new(config.search.language.as_deref().unwrap_or(&config.book.language))
}

/// Shard and block sizes that keep the file count under [`MAX_FILES`].
fn targets(key_bytes: usize, doc_bytes: usize) -> (usize, usize) {
    let mut shard = SHARD_BYTES;
    let mut block = BLOCK_BYTES;
    while key_bytes / shard + doc_bytes / block + 3 > MAX_FILES {
        shard += shard / 4;
        block += block / 4;
    }
    (shard, block)
}

fn script(path: &str, call: &str, index: usize, data: &impl Serialize) -> (String, Vec<u8>) {
    (
        path.to_string(),
        format!("window.stagebookSearch&&stagebookSearch.{call}({index},{});\n", js_json(data)).into_bytes(),
    )
}

/// JSON that is safe inside a script file whatever the text holds.
fn js_json(data: &impl Serialize) -> String {
    let json = serde_json::to_string(data).unwrap_or_else(|_| "null".into());
    // One memchr pass per character: a character-set pattern would decode the whole text.
    if !json.contains('<') && !json.contains('\u{2028}') && !json.contains('\u{2029}') {
        return json;
    }
    json.replace('<', "\\u003c").replace('\u{2028}', "\\u2028").replace('\u{2029}', "\\u2029")
}

/// A stem's postings as written: its docs grouped in runs of equal impact (quantised to 1-255
/// against `max`, the best score of the index), best run first. A run is its impact byte, its
/// length, then its doc ids in increasing order, each as the gap from the one before (the
/// first from 0), all numbers LEB128 varints. Sorted ids make small gaps, and the ranking is
/// the same in any order: the browser sums each doc's impacts.
fn encode_postings(list: &[(u32, f32)], max: f32) -> Vec<u8> {
    let mut quantised: Vec<(u8, u32)> =
        list.iter().map(|&(doc, impact)| (((impact / max) * 254.0).round().clamp(0.0, 254.0) as u8 + 1, doc)).collect();
    quantised.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut out = Vec::with_capacity(list.len() * 2 + 8);
    for run in quantised.chunk_by(|a, b| a.0 == b.0) {
        out.push(run[0].0);
        push_varint(&mut out, run.len() as u32);
        let mut last = 0;
        for &(_, doc) in run {
            push_varint(&mut out, doc - last);
            last = doc;
        }
    }
    out
}

fn push_varint(out: &mut Vec<u8>, mut v: u32) {
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// The first `chars` characters of `text`, with runs of white space folded to one space: a
/// section's snippet rule, for text that comes whole.
fn truncate(text: &str, chars: usize) -> String {
    text::folded(text, chars)
}

/// A snippet as written. One of [`TEXT_CHARS`] characters was cut short (one fewer: it was cut
/// at a space), so it ends with "…", and the browser knows more text followed; cut within a
/// word, it loses that word.
fn ellipsis(text: Cow<str>) -> Cow<str> {
    let n = if text.len() + 1 < TEXT_CHARS { 0 } else { text.chars().count() };
    if n + 1 < TEXT_CHARS {
        return text;
    }
    let words = match text.rfind(' ') {
        Some(space) if n >= TEXT_CHARS => &text[..space],
        _ => &text,
    };
    let words = words.trim_end_matches([',', ';', ':', '.']);
    Cow::Owned(format!("{words}…"))
}

/// The documents: every section of every markdown page, then the matrix results.
fn collect_docs<'a>(
    config: &Config,
    site: &'a Site,
    matrix: Option<&'a Matrix>,
) -> (Vec<PageRef>, Vec<Doc<'a>>, Option<(usize, usize)>) {
    let mut pages = Vec::new();
    let mut docs = Vec::new();
    let mut collector = Collector::new(&site.lexicon, false);
    for &i in site.nav.reading_order() {
        let page = &site.pages[i];
        if page.generated.is_some() || page.sections.is_empty() {
            continue;
        }
        pages.push(PageRef { title: page.title.clone(), url: page.url.clone() });
        for (n, s) in page.sections.iter().enumerate() {
            if n > 0 && s.text.is_empty() && s.code.is_empty() && s.heading.is_empty() {
                continue;
            }
            docs.push(Doc {
                code: &s.code,
                page: pages.len() - 1,
                anchor: s.anchor.as_deref().unwrap_or_default().into(),
                heading: s.heading.as_str().into(),
                words: s.words.as_slice().into(),
                text: s.text.as_str().into(),
                title: if n == 0 { format!("{} {}", page.title, page.description).into() } else { "".into() },
                label: String::new(),
                stage: -1,
                category: -1,
                weight: 1.0,
            });
        }
    }
    let Some(m) = matrix.filter(|_| config.search.matrix) else { return (pages, docs, None) };
    let first = docs.len();
    let mut page_of_url: HashMap<String, usize> = HashMap::new();
    let mut page_ref = |pages: &mut Vec<PageRef>, url: String, title: &str| {
        *page_of_url.entry(url.clone()).or_insert_with(|| {
            pages.push(PageRef { title: title.to_string(), url });
            pages.len() - 1
        })
    };
    for (s, stage) in m.stages.iter().enumerate() {
        let page = page_ref(&mut pages, stage_url(m, s), &format!("{}: {}", stage.name, stage.goal));
        for a in &m.aspects {
            let Some(cell) = &a.cells[s] else { continue };
            let text = plain(&cell.text);
            docs.push(Doc {
                words: collector.words_of(&text).into(),
                page,
                anchor: a.id.as_str().into(),
                heading: a.name.as_str().into(),
                text: truncate(&text, TEXT_CHARS).into(),
                code: "",
                title: "".into(),
                label: format!("{} · {}", m.categories[a.category].name, stage.name),
                stage: s as i32,
                category: a.category as i32,
                weight: MATRIX_WEIGHT,
            });
        }
    }
    for list in &m.checklists {
        let targets: Vec<(Option<usize>, String, String)> = if list.stages.is_empty() {
            vec![(None, STAGES_URL.to_string(), "Stages".to_string())]
        } else {
            list.stages
                .iter()
                .map(|&s| (Some(s), stage_url(m, s), format!("{}: {}", m.stages[s].name, m.stages[s].goal)))
                .collect()
        };
        for (stage, url, title) in targets {
            let page = page_ref(&mut pages, url, &title);
            for item in &list.items {
                let stage_name = stage.map_or(String::new(), |s| format!(" · {}", m.stages[s].name));
                let text = plain(&item.detail.text);
                docs.push(Doc {
                    words: collector.words_of(&text).into(),
                    page,
                    anchor: format!("{}-{}", list.id, item.id).into(),
                    heading: plain(&item.text.text).into(),
                    text: truncate(&text, TEXT_CHARS).into(),
                    code: "",
                    title: "".into(),
                    label: format!("{}{stage_name}", list.title),
                    stage: stage.map_or(-1, |s| s as i32),
                    category: item.category.or(list.category).map_or(-1, |c| c as i32),
                    weight: MATRIX_WEIGHT,
                });
            }
        }
    }
    let end = docs.len();
    (pages, docs, Some((first, end)))
}

/// Markdown source as plain text (the data file's short fields).
fn plain(md: &str) -> String {
    let mut out = String::with_capacity(md.len());
    let mut chars = md.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '*' | '`' => {}
            '[' => {}
            ']' if chars.peek() == Some(&'(') => {
                // Skip the link destination.
                for d in chars.by_ref() {
                    if d == ')' {
                        break;
                    }
                }
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncation_folds_white_space() {
        assert_eq!(truncate("  a  b\n\nc d", 5), "a b c");
        assert_eq!(truncate("héllo wörld", 7), "héllo w");
        assert_eq!(truncate("héllo wörld", 6), "héllo");
    }

    #[test]
    fn cut_snippets_end_with_a_whole_word_and_an_ellipsis() {
        let long = format!("{}restored, backups", "word ".repeat(TEXT_CHARS / 5 - 3));
        let cut = truncate(&long, TEXT_CHARS);
        assert_eq!(cut.chars().count(), TEXT_CHARS);
        assert!(cut.ends_with(" restored, backu"), "{cut}");
        let shown = ellipsis(Cow::Owned(cut));
        assert!(shown.ends_with(" word restored…"), "{shown}");
        assert_eq!(ellipsis(Cow::Borrowed("short text")), "short text");
        let one = "x".repeat(TEXT_CHARS);
        assert_eq!(ellipsis(Cow::Borrowed(&one)), format!("{one}…"));
        // Cut at a space: one character short, and the last word is whole.
        let at_space = format!("{}restored, backups", "word ".repeat(TEXT_CHARS / 5 - 2));
        let cut = truncate(&at_space, TEXT_CHARS);
        assert_eq!(cut.chars().count(), TEXT_CHARS - 1);
        assert!(ellipsis(Cow::Owned(cut)).ends_with(" word restored…"));
    }

    #[test]
    fn varints_round_trip() {
        let mut b = Vec::new();
        for v in [0u32, 127, 128, 300, 1 << 20] {
            push_varint(&mut b, v);
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
        // Best first, as scored: docs 900 and 5 tie, as do 7, 300 and 2.
        let list = [(900, 8.0), (5, 8.0), (40, 6.0), (300, 2.0), (7, 2.0), (2, 2.0), (1, 0.0)];
        let bytes = encode_postings(&list, 8.0);
        assert_eq!(bytes, [255, 2, 5, 0xff, 6, 192, 1, 40, 65, 3, 2, 5, 0xa5, 2, 1, 1, 1]);
        assert_eq!(
            decode_postings(&bytes),
            [(5, 255), (900, 255), (40, 192), (2, 65), (7, 65), (300, 65), (1, 1)],
            "every doc keeps its quantised impact"
        );
        assert!(encode_postings(&[], 1.0).is_empty());
    }

    #[test]
    fn plain_text_of_markdown_fields() {
        assert_eq!(plain("Use **tested** [backups](ops/backups.md) and `pg_dump`"), "Use tested backups and pg_dump");
    }

    #[test]
    fn script_json_cannot_close_a_script_element() {
        assert_eq!(
            js_json(&"</script><img src=x onerror=alert(1)>"),
            "\"\\u003c/script>\\u003cimg src=x onerror=alert(1)>\""
        );
    }
}
