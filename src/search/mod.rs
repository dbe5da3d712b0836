//! The client-side search index: one document per heading section (and per matrix cell and
//! checklist item), BM25 scores computed here, written as small JS files that pages load with
//! `<script>` tags, so search works from `file://` and loads only what a query needs.
//!
//! Layout (rows and encodings are declared once, in [`format`]; the theme's `static/search.js`
//! reads them by the names the manifest's schema gives):
//! - `search/manifest.js`: the schema, shard boundaries, doc block boundaries, each doc's kind,
//!   stage and category (for filters), the matrix facets, stop words;
//! - `search/t/<i>.js`: a range of sorted keys. A key is a stem with its postings (doc ids in
//!   runs of equal one-byte impact, best first, as gaps: [`format::encode_postings`]), or a
//!   surface word pointing to its stem (`"=stem"`), so the browser needs no stemmer and the
//!   last word of a query can be matched as a prefix;
//! - `search/d/<i>.js`: titles, URLs, headings and the start of the text (a snippet of which
//!   the browser shows around the words found) of a run of docs, for the results shown;
//! - `search/m/<i>.js`: the rest of the text of a run of docs whose text was cut, loaded only
//!   for a result whose shown fields hold none of the words found (a doc row names its file).

mod format;
mod score;

use std::borrow::Cow;
use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicUsize, Ordering as AtomicOrdering};

use base64::Engine as _;
use rayon::prelude::*;
use serde::Serialize;

use crate::chunks::{TextChunks, TextRef};
use crate::words::{analyzer, Collector, WordCounts};
use format::{Block, DocRow, Kind, PageRow, Runs};

use crate::config::Config;
use crate::content::Site;
use crate::matrix::views::{category_url, stage_url, STAGES_URL};
use crate::matrix::Matrix;
use crate::url::encode_path;

/// Folder of the index in the output.
pub(crate) const DIR: &str = "search";

/// Target raw size of one term shard / doc block, raised when there would be too many files
/// (static hosts cap file counts).
const SHARD_BYTES: usize = 8 * 1024;
const BLOCK_BYTES: usize = 8 * 1024;
/// Target raw size of one file of the rest of the docs' text (`m/<i>.js`), raised when there
/// would be more than [`MAX_MORE_FILES`]: one is loaded per result that needs it (the header
/// box loads two at most), so they are small, and they have their own budget of files.
const MORE_BLOCK_BYTES: usize = 8 * 1024;
const MAX_MORE_FILES: usize = 6000;
const MAX_FILES: usize = 1900;
/// Text shown per doc in results.
const TEXT_CHARS: usize = crate::words::SNIPPET_CHARS;

/// One search result to be.
struct Doc<'a> {
    page: usize,
    anchor: Cow<'a, str>,
    heading: Cow<'a, str>,
    /// (word id, occurrences) of the body: prose and code.
    words: Cow<'a, WordCounts>,
    /// The start of the prose (white space folded, at most [`TEXT_CHARS`]), and of the code
    /// (shown when the prose is short).
    text: Cow<'a, str>,
    code: &'a str,
    /// The text beyond `text` (see [`crate::words::SectionText::more`]), else empty; or where
    /// it is in the site's passages (read with [`more_text`]).
    more: Cow<'a, str>,
    passage: Option<TextRef>,
    /// Text that counts as the page title (the page's first section only).
    title: Cow<'a, str>,
    /// The page's description (first section only): weighs like body text, not like the title.
    description: Cow<'a, str>,
    label: String,
    kind: Kind,
    stage: i32,
    category: i32,
    /// Multiplies the doc's scores: matrix cells are a few words each, and BM25 would rank
    /// them above the pages that explain the same thing.
    weight: f32,
}

/// Score multiplier of matrix results.
const MATRIX_WEIGHT: f32 = 0.4;

/// Page table entry of the index: title and URL.
struct PageRef {
    title: String,
    url: String,
    /// Shown when a query matches only the description.
    description: String,
}

/// Index statistics, for the build summary and the benchmark.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub(crate) struct Stats {
    pub docs: usize,
    pub keys: usize,
    pub files: usize,
    pub bytes: usize,
}

/// What the index holds, as the browser should read it back: every doc with its page, kind and
/// facets, and every key with its postings or the stem it stands for. Built only on request,
/// for the test that decodes the written files with the theme's own `search.js`.
#[derive(Debug, Default, Serialize)]
pub struct Record {
    pub docs: Vec<RecordDoc>,
    pub terms: BTreeMap<String, RecordTerm>,
}

/// One doc of a [`Record`].
#[derive(Debug, Serialize)]
pub struct RecordDoc {
    pub title: String,
    pub url: String,
    pub description: String,
    pub anchor: String,
    pub heading: String,
    pub text: String,
    /// The rest of the text, as the browser loads it for a result that needs it.
    pub more: String,
    pub label: String,
    pub kind: &'static str,
    pub stage: i32,
    pub category: i32,
}

/// One key of a [`Record`].
#[derive(Debug, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RecordTerm {
    /// (doc id, impact 1-255) in written order.
    Postings(Vec<(u32, u8)>),
    /// The stem a surface word stands for.
    Alias(String),
}

/// Files of the index: (path under the output, bytes).
pub(crate) type Files = Vec<(String, Vec<u8>)>;

/// Takes each file of the index as soon as it is made (path under the output, bytes), from
/// several threads at once: a build writes it out at once, so the index (a quarter of the
/// site's bytes at 10,000 pages, mostly `m/`) is never held whole while pages render.
pub(crate) type Emit<'e> = &'e (dyn Fn(String, Vec<u8>) + Sync);

/// The index files, in path order.
pub(crate) fn build(config: &Config, site: &Site, matrix: Option<&Matrix>) -> (Files, Stats) {
    let (files, stats, _) = collected(config, site, matrix, false);
    (files, stats)
}

/// The index files, in path order, and a [`Record`] of what they hold.
pub(crate) fn build_recorded(config: &Config, site: &Site, matrix: Option<&Matrix>) -> (Files, Record) {
    let (files, _, record) = collected(config, site, matrix, true);
    (files, record.unwrap_or_default())
}

/// Hands every index file to `emit` as it is made.
pub(crate) fn build_into(config: &Config, site: &Site, matrix: Option<&Matrix>, emit: Emit) -> Stats {
    write(config, site, matrix, false, emit).0
}

fn collected(config: &Config, site: &Site, matrix: Option<&Matrix>, record: bool) -> (Files, Stats, Option<Record>) {
    let files = std::sync::Mutex::new(Files::new());
    let (stats, record) = write(config, site, matrix, record, &|rel, bytes| {
        files.lock().unwrap_or_else(|e| e.into_inner()).push((rel, bytes));
    });
    let mut files = files.into_inner().unwrap_or_else(|e| e.into_inner());
    files.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    (files, stats, record)
}

fn write(config: &Config, site: &Site, matrix: Option<&Matrix>, record: bool, emit: Emit) -> (Stats, Option<Record>) {
    // Counted for the stats as they pass.
    let (file_count, byte_count) = (AtomicUsize::new(0), AtomicUsize::new(0));
    let emit = |rel: String, bytes: Vec<u8>| {
        file_count.fetch_add(1, AtomicOrdering::Relaxed);
        byte_count.fetch_add(bytes.len(), AtomicOrdering::Relaxed);
        emit(rel, bytes);
    };
    let emit: Emit = &emit;
    let analyzer = analyzer(config);
    let laps = crate::timings::Laps::start("search", 4);
    let lap = |what: &str| laps.lap(what);
    let (pages, mut docs) = collect_docs(config, site, matrix);
    // Alive until the index is written, through its peak: without the room left by doubling
    // (a doc is some 200 bytes, 38,000 of them at 10,000 pages). A shrink in place, no copy.
    docs.shrink_to_fit();
    lap("docs");

    // The keys and the docs' text share nothing but the docs: they are made side by side, so
    // that when pages render fast (an edit build) the index keeps both cores busy, and each
    // chain's own sequential steps overlap the other's parallel ones.
    let passages = site.passages.lock().unwrap_or_else(|e| e.into_inner()).take();
    let keys = || keys(&docs, site, &analyzer, config.search.boosts(), record, &lap);
    let (keys, text, passages) = match passages {
        // A one-shot build's passages are written first and freed, before the scoring's runs
        // are made: the biggest of the index's transients then reuses their room.
        Some(store) => {
            let more_block = write_more(&docs, Some(&store), emit);
            lap("more");
            // Freed here unless the caller records the docs' text.
            let store = record.then_some(store);
            let (keys, (shown, doc_bytes)) = rayon::join(keys, || snippets(&docs));
            (keys, DocText { shown, more_block, doc_bytes }, store)
        }
        None => {
            let (keys, text) = rayon::join(keys, || {
                let (shown, doc_bytes) = snippets(&docs);
                let more_block = write_more(&docs, None, emit);
                lap("more");
                DocText { shown, more_block, doc_bytes }
            });
            (keys, text, None)
        }
    };
    let Keys { entries, recorded } = keys;
    let DocText { shown, more_block, doc_bytes } = text;
    let doc_size = |i: usize| shown[i].len() + docs[i].heading.len() + docs[i].anchor.len() + docs[i].label.len() + 16;
    let key_bytes: usize = entries.iter().map(|(k, v)| 2 * k.len() + v.len() + 9).sum();
    let (shard_target, block_target) = targets(key_bytes, doc_bytes);

    // Term shards, their typo dictionary and the doc blocks: three sets of files, side by side.
    let ((shard_starts, typo_starts), block_starts) = rayon::join(
        || {
            rayon::join(
                || {
                    let starts = write_shards(&entries, shard_target, emit);
                    lap("shards");
                    starts
                },
                || {
                    let starts = write_typos(&entries, shard_target, emit);
                    lap("typos");
                    starts
                },
            )
        },
        || {
            let starts = write_blocks(&pages, &docs, &shown, &more_block, block_target, &doc_size, emit);
            lap("blocks");
            starts
        },
    );
    let (stages, categories) = matrix.map_or((Vec::new(), Vec::new()), |m| {
        (
            m.stages.iter().map(|s| [s.id.clone(), s.name.clone()]).collect(),
            m.categories.iter().map(|c| [c.id.clone(), c.name.clone()]).collect(),
        )
    });
    let column = |f: fn(&Doc) -> i32| Runs(docs.iter().map(f).collect());
    let manifest = serde_json::json!({
        "schema": format::schema(),
        "shards": shard_starts,
        "typos": typo_starts,
        "blocks": block_starts,
        "docs": docs.len(),
        "columns": {
            "kind": column(|d| d.kind.number()),
            "stage": column(|d| d.stage),
            "category": column(|d| d.category),
        },
        "stages": stages,
        "categories": categories,
        "stopWords": analyzer.stop_words(),
        "lang": analyzer.lang(),
    });
    emit(format!("{DIR}/manifest.js"), format::script(format::CALL_MANIFEST, None, &manifest, 4096));
    let stats =
        Stats { docs: docs.len(), keys: entries.len(), files: file_count.into_inner(), bytes: byte_count.into_inner() };
    let record = recorded.map(|postings| Record {
        docs: docs
            .iter()
            .zip(&shown)
            .map(|(d, shown)| RecordDoc {
                title: pages[d.page].title.clone(),
                url: pages[d.page].url.clone(),
                description: pages[d.page].description.clone(),
                anchor: d.anchor.to_string(),
                heading: d.heading.to_string(),
                text: shown.to_string(),
                more: more_text(d, passages.as_ref()).to_string(),
                label: d.label.clone(),
                kind: d.kind.name(),
                stage: d.stage,
                category: d.category,
            })
            .collect(),
        terms: entries
            .iter()
            .filter_map(|(key, value)| {
                Some((key.clone(), RecordTerm::Alias(value.strip_prefix(format::ALIAS)?.to_string())))
            })
            .chain(postings.into_iter().map(|(stem, quantised)| {
                let postings = quantised.into_iter().map(|(impact, doc)| (doc, impact)).collect();
                (stem, RecordTerm::Postings(postings))
            }))
            .collect(),
    });
    (stats, record)
}

/// The keys of the index, in key order, each with its value: base64 postings or an alias.
struct Keys {
    entries: Vec<(String, String)>,
    /// Each stem's quantised postings, when a [`Record`] is asked for.
    recorded: Option<Vec<StemPostings>>,
}

/// A stem and its quantised postings, (impact, doc) in written order.
type StemPostings = (String, Vec<(u8, u32)>);

/// Scores the docs and encodes the keys: stems with postings, and surface words that point to
/// a different stem.
fn keys(
    docs: &[Doc],
    site: &Site,
    analyzer: &crate::words::Analyzer,
    boosts: (f32, f32),
    record: bool,
    lap: &(dyn Fn(&str) + Sync),
) -> Keys {
    let (scored, surfaces) = score::score(docs, &site.lexicon, analyzer, boosts);
    lap("score");
    // The best score of the index, which impacts are quantised against (a maximum: the same in
    // any order of reduction).
    let max = scored
        .par_iter()
        .map(|(_, l)| l.iter().map(|p| p.1.abs()).fold(f32::MIN_POSITIVE, f32::max))
        .reduce(|| f32::MIN_POSITIVE, f32::max);
    // Stems come in no particular order: [`sort_keys`] gives the one order whatever it is.
    let (mut entries, recorded): (Vec<(String, String)>, Vec<Option<_>>) = scored
        .par_iter()
        .map(|(stem, list)| {
            let quantised = format::quantise(list, max);
            let encoded = base64::engine::general_purpose::STANDARD.encode(format::encode_postings(&quantised));
            ((stem.clone(), encoded), record.then(|| (stem.clone(), quantised)))
        })
        .unzip();
    let stems: rustc_hash::FxHashSet<&str> = scored.iter().map(|(s, _)| s.as_str()).collect();
    let aliases: Vec<(String, String)> = surfaces
        .into_iter()
        .filter(|(w, s)| !stems.contains(w.as_str()) && stems.contains(s.as_str()))
        .map(|(w, s)| (w, format!("{}{s}", format::ALIAS)))
        .collect();
    drop(stems);
    drop(scored);
    entries.extend(aliases);
    sort_keys(&mut entries);
    lap("encode");
    Keys { entries, recorded: record.then(|| recorded.into_iter().flatten().collect()) }
}

/// The docs' text as written: each doc's snippet, the `m/` file holding the rest of its text
/// (-1 for none; those files are written here), and the bytes the doc blocks will take.
struct DocText<'a> {
    shown: Vec<Cow<'a, str>>,
    more_block: Vec<i32>,
    doc_bytes: usize,
}

/// The text beyond a doc's snippet, from `passages` when the site kept it there.
fn more_text<'d>(doc: &'d Doc, passages: Option<&'d TextChunks>) -> &'d str {
    match doc.passage {
        Some(at) => passages.expect("the passages live until written").get(at),
        None => &doc.more,
    }
}

/// Each doc's snippet, and the bytes the doc blocks will take.
fn snippets<'a>(docs: &'a [Doc]) -> (Vec<Cow<'a, str>>, usize) {
    // The prose, then the code when the prose is short.
    let shown: Vec<Cow<str>> = docs
        .par_iter()
        .map(|d| {
            // An aspect's values are cut at their own length.
            let limit = if d.kind == Kind::Cell { ASPECT_CHARS } else { TEXT_CHARS };
            ellipsis(
                match d.code {
                    "" => Cow::Borrowed(&*d.text),
                    code => Cow::Owned(truncate(&format!("{} {code}", d.text), TEXT_CHARS)),
                },
                limit,
            )
        })
        .collect();
    let doc_bytes: usize =
        docs.iter().zip(&shown).map(|(d, s)| s.len() + d.heading.len() + d.anchor.len() + d.label.len() + 16).sum();
    (shown, doc_bytes)
}

/// Writes the rest of the docs' text: runs of docs with some, each doc row naming its run's
/// file. Returns each doc's file (-1 for none).
fn write_more(docs: &[Doc], passages: Option<&TextChunks>, emit: Emit) -> Vec<i32> {
    let more = |d| more_text(d, passages);
    let mut more_block = vec![-1i32; docs.len()];
    let more_bytes: usize = docs.iter().map(|d| more(d).len() + 12).filter(|&n| n > 12).sum();
    let more_target = more_target(more_bytes);
    let mut more_ranges: Vec<Vec<usize>> = Vec::new();
    let mut size = more_target;
    for (i, d) in docs.iter().enumerate().filter(|(_, d)| !more(d).is_empty()) {
        if size >= more_target {
            more_ranges.push(Vec::new());
            size = 0;
        }
        size += more(d).len() + 12;
        more_block[i] = more_ranges.len() as i32 - 1;
        more_ranges.last_mut().expect("pushed").push(i);
    }
    more_ranges.par_iter().enumerate().for_each(|(b, ids)| {
        let rows: Vec<(u32, &str)> = ids.iter().map(|&i| (i as u32, more(&docs[i]))).collect();
        emit(format!("{DIR}/m/{b}.js"), format::more_script(b, &rows));
    });
    more_block
}

/// Term shards: runs of keys of about the target size, written in parallel. Returns each
/// shard's first key (the first shard's is empty: it also holds anything sorting before it).
fn write_shards<'e>(entries: &'e [(String, String)], target: usize, emit: Emit) -> Vec<&'e str> {
    let mut shard_ranges = Vec::new();
    let mut start = 0;
    let mut size = 0;
    for (i, (key, value)) in entries.iter().enumerate() {
        size += key.len() + value.len() + 6;
        if size >= target || i + 1 == entries.len() {
            shard_ranges.push(start..i + 1);
            start = i + 1;
            size = 0;
        }
    }
    shard_ranges.par_iter().enumerate().for_each(|(i, r)| {
        let keys = &entries[r.clone()];
        emit(format!("{DIR}/t/{i}.js"), format::terms_script(i, keys));
    });
    shard_ranges.iter().enumerate().map(|(i, r)| if i == 0 { "" } else { entries[r.start].0.as_str() }).collect()
}

/// Typo dictionary: the keys again, by first character and length, in runs of files. Returns
/// each file's first typo key (the first file's is empty).
fn write_typos(entries: &[(String, String)], target: usize, emit: Emit) -> Vec<String> {
    let mut typos: Vec<(String, &str)> =
        entries.iter().filter_map(|(k, _)| Some((format::typo_key(k)?, k.as_str()))).collect();
    // Typo keys are distinct (a key's word is in it), so an unstable sort has one result.
    typos.par_sort_unstable_by(|a, b| utf16_order(&a.0, &b.0));
    let mut typo_starts: Vec<String> = Vec::new();
    let mut start = 0;
    let mut size = 0;
    for (i, (_, word)) in typos.iter().enumerate() {
        size += word.len() + 3;
        if size >= target || i + 1 == typos.len() {
            let words: Vec<&str> = typos[start..=i].iter().map(|t| t.1).collect();
            let n = typo_starts.len();
            typo_starts.push(if n == 0 { String::new() } else { typos[start].0.clone() });
            emit(format!("{DIR}/w/{n}.js"), format::script(format::CALL_WORDS, Some(n), &words, size));
            start = i + 1;
            size = 0;
        }
    }
    typo_starts
}

/// Doc blocks: runs of docs with the pages they belong to, written in parallel. Returns each
/// block's first doc.
fn write_blocks(
    pages: &[PageRef],
    docs: &[Doc],
    shown: &[Cow<str>],
    more_block: &[i32],
    target: usize,
    doc_size: &(dyn Fn(usize) -> usize + Sync),
    emit: Emit,
) -> Vec<usize> {
    let mut ranges = Vec::new();
    let mut start = 0;
    while start < docs.len() {
        let mut end = start;
        let mut size = 0;
        while end < docs.len() && (size < target || end == start) {
            size += doc_size(end);
            end += 1;
        }
        ranges.push((start, end));
        start = end;
    }
    ranges.par_iter().enumerate().for_each(|(i, &(start, end))| {
        let mut page_index: rustc_hash::FxHashMap<usize, usize> = rustc_hash::FxHashMap::default();
        let mut block = Block { pages: Vec::new(), docs: Vec::new() };
        for ((d, shown), &more) in docs[start..end].iter().zip(&shown[start..end]).zip(&more_block[start..end]) {
            let local = *page_index.entry(d.page).or_insert_with(|| {
                block.pages.push(PageRow {
                    title: &pages[d.page].title,
                    url: &pages[d.page].url,
                    description: &pages[d.page].description,
                });
                block.pages.len() - 1
            });
            block.docs.push(DocRow {
                page: local,
                anchor: &d.anchor,
                heading: &d.heading,
                text: shown,
                label: &d.label,
                more,
            });
        }
        let size = (start..end).map(doc_size).sum::<usize>() + 512;
        emit(format!("{DIR}/d/{i}.js"), format::docs_script(i, &block, size));
    });
    ranges.iter().map(|r| r.0).collect()
}

/// Keys in the order of the browser's string comparison, which its binary searches rely on,
/// each once. Words that fold to one surface ("données", "donnees") may have had different
/// stems: the first alias is kept, the same whatever order the lexicon met them in. (A total
/// order on (key, value), so the parallel unstable sort has the one result a sequential sort has.)
fn sort_keys(entries: &mut Vec<(String, String)>) {
    entries.par_sort_unstable_by(|a, b| utf16_order(&a.0, &b.0).then_with(|| a.1.cmp(&b.1)));
    entries.dedup_by(|b, a| a.0 == b.0);
}

/// The order of JavaScript's string comparison (UTF-16 code units): byte order, except that
/// characters beyond U+FFFF (surrogate pairs) sort before U+E000-U+FFFF.
fn utf16_order(a: &str, b: &str) -> Ordering {
    let (x, y) = (a.as_bytes(), b.as_bytes());
    match x.iter().zip(y).position(|(p, q)| p != q) {
        None => x.len().cmp(&y.len()),
        Some(i) => {
            // Differing lead bytes: 0xEE-0xEF starts U+E000-U+FFFF, 0xF0 and up a surrogate pair.
            let (p, q) = (x[i], y[i]);
            match (p, q) {
                (0xEE..=0xEF, 0xF0..) => Ordering::Greater,
                (0xF0.., 0xEE..=0xEF) => Ordering::Less,
                _ => p.cmp(&q),
            }
        }
    }
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

/// The target size of a file of the rest of the docs' text, raised so that `bytes` of it make
/// at most [`MAX_MORE_FILES`] files.
fn more_target(bytes: usize) -> usize {
    let mut target = MORE_BLOCK_BYTES;
    while bytes / target + 1 > MAX_MORE_FILES {
        target += target / 4;
    }
    target
}

/// The first `chars` characters of `text`, with runs of white space folded to one space: a
/// section's snippet rule, for text that comes whole.
fn truncate(text: &str, chars: usize) -> String {
    crate::words::folded(text, chars)
}

/// A snippet as written. One of `limit` characters was cut short (one fewer: it was cut
/// at a space), so it ends with "…", and the browser knows more text followed; cut within a
/// word, it loses that word.
fn ellipsis(text: Cow<str>, limit: usize) -> Cow<str> {
    let n = if text.len() + 1 < limit { 0 } else { text.chars().count() };
    if n + 1 < limit {
        return text;
    }
    let words = match text.rfind(' ') {
        Some(space) if n >= limit => &text[..space],
        _ => &text,
    };
    let words = words.trim_end_matches([',', ';', ':', '.']);
    Cow::Owned(format!("{words}…"))
}

/// The documents: every section of every markdown page, then the matrix results.
fn collect_docs<'a>(config: &Config, site: &'a Site, matrix: Option<&'a Matrix>) -> (Vec<PageRef>, Vec<Doc<'a>>) {
    let mut pages = Vec::new();
    // Sized up front: grown by doubling, the copy would hold both the old and the new
    // buffer (some 27 MB at 10,000 pages) as the site's text peaks; the rest is reserved below.
    let page_docs: usize = site.pages.iter().map(|p| p.sections.len() + p.embeds.len()).sum();
    let mut docs = Vec::with_capacity(page_docs);
    let mut collector = Collector::new(&site.lexicon, false);
    let m = matrix.filter(|_| config.search.matrix);
    // Checklists embedded in pages: their items' results point there, where they are read.
    let mut embedded_lists: HashMap<&str, usize> = HashMap::new();
    // The pages' table entries (URL encoding, copies of titles and descriptions) are made in
    // parallel; the docs only borrow from the pages, and are numbered in reading order here.
    let order = site.nav.reading_order();
    let refs: Vec<Option<PageRef>> = order
        .par_iter()
        .map(|&i| {
            let page = &site.pages[i];
            (page.generated.is_none() && !page.sections.is_empty()).then(|| PageRef {
                title: page.title.clone(),
                url: encode_path(&page.url).into_owned(),
                description: page.description.clone(),
            })
        })
        .collect();
    for (&i, page_ref) in order.iter().zip(refs) {
        let Some(page_ref) = page_ref else { continue };
        let page = &site.pages[i];
        pages.push(page_ref);
        for (n, s) in page.sections.iter().enumerate() {
            if n > 0 && s.text.is_empty() && s.code.is_empty() && s.heading.is_empty() {
                continue;
            }
            docs.push(Doc {
                code: &s.code,
                more: s.more.as_str().into(),
                passage: s.passage,
                page: pages.len() - 1,
                anchor: s.anchor.as_deref().unwrap_or_default().into(),
                heading: s.heading.as_str().into(),
                words: Cow::Borrowed(&s.words),
                text: s.text.as_str().into(),
                title: if n == 0 { page.title.as_str().into() } else { "".into() },
                description: if n == 0 { page.description.as_str().into() } else { "".into() },
                label: String::new(),
                kind: Kind::Section,
                stage: -1,
                category: -1,
                weight: 1.0,
            });
        }
        // Data tables embedded from the matrix file: shown on the page, so found there.
        let Some(m) = m else { continue };
        for e in &page.embeds {
            let id = e.args.iter().find(|(k, _)| k == "id").map(|(_, v)| v.as_str());
            match (e.name.as_str(), id) {
                ("table", Some(id)) => {
                    let Some(t) = m.table(id).map(|t| &m.tables[t]) else { continue };
                    let mut text = plain(&t.intro.text);
                    for row in &t.rows {
                        for (c, cell) in t.columns.iter().zip(&row.cells) {
                            text.push_str(&format!(" {}: {}.", c.name, plain(&cell.text)));
                        }
                    }
                    docs.push(text_section(&mut collector, pages.len() - 1, &t.id, t.title.as_str().into(), text));
                }
                ("checklist", Some(id)) => {
                    if let Some(c) = m.checklist(id) {
                        embedded_lists.entry(m.checklists[c].id.as_str()).or_insert(pages.len() - 1);
                    }
                }
                _ => {}
            }
        }
    }
    let Some(m) = m else { return (pages, docs) };
    let items: usize = m.checklists.iter().map(|l| l.items.len()).sum();
    docs.reserve_exact(2 * m.stages.len() + m.categories.len() + m.aspects.len() + items);
    let mut page_of_url: HashMap<String, usize> = HashMap::new();
    let mut page_ref = |pages: &mut Vec<PageRef>, url: String, title: &str, description: &str| {
        *page_of_url.entry(url.clone()).or_insert_with(|| {
            pages.push(PageRef {
                title: title.to_string(),
                url: encode_path(&url).into_owned(),
                description: description.to_string(),
            });
            pages.len() - 1
        })
    };
    let mut section = |page: usize, anchor: &'a str, heading: String, text: String| {
        text_section(&mut collector, page, anchor, heading.into(), text)
    };
    // The generated pages' own text: a stage's card and costs, a category's introduction.
    for (s, stage) in m.stages.iter().enumerate() {
        let page = page_ref(&mut pages, stage_url(m, s), &stage_title(m, s), "");
        let card = [stage.users.as_str(), &stage.goal, &stage.question, &plain(&stage.summary.text)].join(" ");
        docs.push(section(page, "", String::new(), card));
        if let Some(cost) = &stage.cost {
            docs.push(section(page, "costs", "Cost and duration".into(), cost_text(cost)));
        }
    }
    for (c, category) in m.categories.iter().enumerate() {
        let page = page_ref(&mut pages, category_url(m, c), &category.name, "");
        let text = format!("{} {}", plain(&category.lesson.text), plain(&category.intro.text));
        docs.push(section(page, "", String::new(), text));
    }
    // One result per aspect, on its category page's row: the stages' values in stage order
    // (a query would otherwise find the same aspect once per stage).
    for a in &m.aspects {
        let page = page_ref(&mut pages, category_url(m, a.category), &m.categories[a.category].name, "");
        let values: Vec<String> = (0..m.stages.len())
            .filter_map(|s| {
                let cell = a.cells.get(s)?.as_ref()?;
                // A no-requirement cell ("None") is not indexed as the aspect's requirement.
                m.requires(a, s).then(|| format!("{}: {}", m.stages[s].name, plain(&cell.text)))
            })
            .collect();
        // The note is indexed too: it follows the values as the rest of the text.
        let text = format!("{} {}", values.join(" · "), plain(&a.note.text));
        let (shown, more) = crate::words::folded_and_more(&text, ASPECT_CHARS);
        docs.push(Doc {
            words: Cow::Owned(collector.words_of(&text).into_iter().collect()),
            page,
            anchor: a.id.as_str().into(),
            heading: a.name.as_str().into(),
            more: more.to_string().into(),
            passage: None,
            text: shown.into(),
            code: "",
            title: "".into(),
            description: "".into(),
            label: m.categories[a.category].name.clone(),
            kind: Kind::Cell,
            stage: -1,
            category: a.category as i32,
            weight: MATRIX_WEIGHT,
        });
    }
    // One result per checklist item, on the first page that shows its list.
    for list in &m.checklists {
        let stage = if list.stages.len() == 1 { list.stages[0] as i32 } else { -1 };
        let page = match (embedded_lists.get(list.id.as_str()), list.stages.first()) {
            (Some(&page), _) => page,
            (None, None) => page_ref(&mut pages, STAGES_URL.to_string(), "Stages", ""),
            (None, Some(&s)) => page_ref(&mut pages, stage_url(m, s), &stage_title(m, s), ""),
        };
        let stage_names: Vec<&str> = list.stages.iter().map(|&s| m.stages[s].name.as_str()).collect();
        let label = match stage_names.is_empty() {
            true => list.title.clone(),
            false => format!("{} · {}", list.title, stage_names.join(", ")),
        };
        for item in &list.items {
            let text = plain(&item.detail.text);
            let (shown, more) = crate::words::folded_and_more(&text, TEXT_CHARS);
            docs.push(Doc {
                words: Cow::Owned(collector.words_of(&text).into_iter().collect()),
                page,
                anchor: format!("{}-{}", list.id, item.id).into(),
                heading: plain(&item.text.text).into(),
                more: more.to_string().into(),
                passage: None,
                text: shown.into(),
                code: "",
                title: "".into(),
                description: "".into(),
                label: label.clone(),
                kind: Kind::ChecklistItem,
                stage,
                category: item.category.or(list.category).map_or(-1, |c| c as i32),
                weight: MATRIX_WEIGHT,
            });
        }
    }
    (pages, docs)
}

/// A section result made from text that is not a markdown section (an embedded data table, a
/// generated page's card or costs): its words are the heading's and the text's.
fn text_section<'a>(
    collector: &mut Collector,
    page: usize,
    anchor: &'a str,
    heading: Cow<'a, str>,
    text: String,
) -> Doc<'a> {
    let (shown, more) = crate::words::folded_and_more(&text, TEXT_CHARS);
    Doc {
        words: Cow::Owned(collector.words_of(&format!("{heading} {text}")).into_iter().collect()),
        page,
        anchor: anchor.into(),
        heading,
        more: more.to_string().into(),
        passage: None,
        text: shown.into(),
        code: "",
        title: "".into(),
        description: "".into(),
        label: String::new(),
        kind: Kind::Section,
        stage: -1,
        category: -1,
        weight: 1.0,
    }
}

/// Characters of an aspect result's text: every stage's value, in stage order.
const ASPECT_CHARS: usize = 2 * TEXT_CHARS;

/// The title of a stage's page.
fn stage_title(m: &Matrix, s: usize) -> String {
    format!("{}: {}", m.stages[s].name, m.stages[s].goal)
}

/// A stage's costs as its page states them, for words and snippet.
fn cost_text(cost: &crate::matrix::Cost) -> String {
    use crate::matrix::Figure;
    let figure = |label: &str, f: &Option<Figure>, unit: &str| match f {
        Some(Figure::Range(r)) => format!("{label}: {}–{} {unit}. ", r.min, r.max),
        Some(Figure::Text(t)) => format!("{label}: {t}. "),
        None => String::new(),
    };
    format!(
        "{}{}{}{}",
        figure("Build cost", &cost.build, &cost.currency),
        figure("Duration", &cost.duration, cost.duration_unit.name()),
        figure("Monthly infrastructure", &cost.monthly, &cost.currency),
        plain(&cost.source.text)
    )
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
        let shown = ellipsis(Cow::Owned(cut), TEXT_CHARS);
        assert!(shown.ends_with(" word restored…"), "{shown}");
        assert_eq!(ellipsis(Cow::Borrowed("short text"), TEXT_CHARS), "short text");
        let one = "x".repeat(TEXT_CHARS);
        assert_eq!(ellipsis(Cow::Borrowed(&one), TEXT_CHARS), format!("{one}…"));
        // Cut at a space: one character short, and the last word is whole.
        let at_space = format!("{}restored, backups", "word ".repeat(TEXT_CHARS / 5 - 2));
        let cut = truncate(&at_space, TEXT_CHARS);
        assert_eq!(cut.chars().count(), TEXT_CHARS - 1);
        assert!(ellipsis(Cow::Owned(cut), TEXT_CHARS).ends_with(" word restored…"));
    }

    #[test]
    fn plain_text_of_markdown_fields() {
        assert_eq!(plain("Use **tested** [backups](ops/backups.md) and `pg_dump`"), "Use tested backups and pg_dump");
    }

    #[test]
    fn keys_sort_in_parallel_as_a_sequential_sort_would() {
        // Many keys, duplicates with different values (aliases of folded words), and keys that
        // differ only past a shared prefix or in characters beyond U+FFFF.
        let words = ["données", "donnees", "a", "ab", "é", "𝐚", "ａ", "z", "deploy", "deploys"];
        let mut entries: Vec<(String, String)> = (0..5000)
            .map(|i: usize| {
                let key = format!("{}{}", words[i % words.len()], i % 731);
                let value = if i.is_multiple_of(3) { format!("={}", i % 11) } else { format!("p{}", i % 17) };
                (key, value)
            })
            .collect();
        let mut sequential = entries.clone();
        sequential.sort_by(|a, b| utf16_order(&a.0, &b.0).then_with(|| a.1.cmp(&b.1)));
        sequential.dedup_by(|b, a| a.0 == b.0);
        sort_keys(&mut entries);
        assert_eq!(entries, sequential);
        assert!(entries.windows(2).all(|w| utf16_order(&w[0].0, &w[1].0) == Ordering::Less));
    }

    #[test]
    fn keys_sort_as_javascript_compares_strings() {
        let mut keys = vec!["b", "ａ", "𝐚", "a", "ab", "z", "é"];
        keys.sort_by(|a, b| utf16_order(a, b));
        // U+1D41A is a surrogate pair (0xD835 ...), so it sorts before U+FF41.
        assert_eq!(keys, ["a", "ab", "b", "z", "é", "𝐚", "ａ"]);
        let mut js: Vec<Vec<u16>> = keys.iter().map(|k| k.encode_utf16().collect()).collect();
        js.sort();
        let back: Vec<String> = js.iter().map(|k| String::from_utf16(k).unwrap()).collect();
        assert_eq!(back, keys);
    }
}
