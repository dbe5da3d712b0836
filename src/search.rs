//! The client-side search index: one document per heading section (and per matrix cell and
//! checklist item), BM25 scores computed here, written as small JS files that pages load with
//! `<script>` tags, so search works from `file://` and loads only what a query needs.
//!
//! Layout (see the theme's `static/search.js` for the reader):
//! - `search/manifest.js`: shard boundaries, doc block boundaries, matrix facets, stop words;
//! - `search/t/<i>.js`: a range of sorted keys. A key is a stem with its postings (doc id and a
//!   one-byte impact, best first), or a surface word pointing to its stem (`"=stem"`), so the
//!   browser needs no stemmer and the last word of a query can be matched as a prefix;
//! - `search/d/<i>.js`: titles, URLs, headings and text of a run of docs, for the results shown.

use std::collections::HashMap;

use base64::Engine as _;
use rayon::prelude::*;
use rust_stemmers::{Algorithm, Stemmer};
use rustc_hash::FxHashMap;
use serde::Serialize;

use crate::config::Config;
use crate::content::Site;
use crate::matrix::views::{stage_url, STAGES_URL};
use crate::matrix::Matrix;

/// Folder of the index in the output.
pub const DIR: &str = "search";

/// BM25 parameters.
const K1: f32 = 1.2;
const B: f32 = 0.75;
/// A term's postings beyond this many (the lowest impacts) are dropped: a query shows the top
/// results, and the long tail of a very common word would dominate the bytes a query loads.
const MAX_POSTINGS: usize = 250;
/// Target raw size of one term shard / doc block, raised when there would be too many files
/// (static hosts cap file counts).
const SHARD_BYTES: usize = 8 * 1024;
const BLOCK_BYTES: usize = 8 * 1024;
const MAX_FILES: usize = 1900;
/// Text kept per doc for snippets.
const TEXT_CHARS: usize = 260;

/// English words too common to be worth indexing.
const STOP_WORDS: &[&str] = &[
    "a", "about", "after", "all", "also", "an", "and", "any", "are", "as", "at", "be", "been", "but", "by", "can",
    "could", "did", "do", "does", "for", "from", "had", "has", "have", "he", "her", "his", "how", "i", "if", "in",
    "into", "is", "it", "its", "just", "me", "more", "most", "my", "no", "not", "of", "on", "one", "only", "or",
    "other", "our", "out", "over", "she", "so", "some", "such", "than", "that", "the", "their", "them", "then",
    "there", "these", "they", "this", "those", "through", "to", "too", "up", "us", "very", "was", "we", "were", "what",
    "when", "where", "which", "while", "who", "why", "will", "with", "would", "you", "your",
];

/// How words become index keys: lowercased, stemmed and stop-word filtered for English,
/// word for word otherwise.
pub struct Analyzer {
    stemmer: Option<Stemmer>,
}

impl Analyzer {
    pub fn new(language: &str) -> Analyzer {
        let english = language.eq_ignore_ascii_case("en") || language.to_ascii_lowercase().starts_with("en-");
        Analyzer { stemmer: english.then(|| Stemmer::create(Algorithm::English)) }
    }

    pub fn stop_words(&self) -> &'static [&'static str] {
        if self.stemmer.is_some() {
            STOP_WORDS
        } else {
            &[]
        }
    }

    /// The key a (lowercase) word is indexed under, or `None` for stop words.
    pub fn stem(&self, word: &str) -> Option<String> {
        match &self.stemmer {
            Some(s) => (!STOP_WORDS.contains(&word)).then(|| s.stem(word).into_owned()),
            None => Some(word.to_string()),
        }
    }
}

/// Splits text into lowercase words: runs of letters and digits; single letters are dropped.
pub fn words(text: &str, mut each: impl FnMut(&str)) {
    let mut word = String::new();
    let mut flush = |word: &mut String| {
        let keep = word.chars().count() > 1 || word.chars().all(|c| c.is_ascii_digit());
        if !word.is_empty() && keep {
            each(word);
        }
        word.clear();
    };
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            word.push(c.to_ascii_lowercase());
        } else if !c.is_ascii() && c.is_alphanumeric() {
            word.extend(c.to_lowercase());
        } else {
            flush(&mut word);
        }
    }
    flush(&mut word);
}

/// One search result to be.
struct Doc<'a> {
    page: usize,
    anchor: String,
    heading: String,
    /// All of the section's text (scored); only the start is stored for snippets.
    text: std::borrow::Cow<'a, str>,
    /// Code blocks of the section (scored; shown only when the text is empty).
    code: &'a str,
    /// Text that counts as the page title (the page's first section only).
    title: String,
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
    docs: Vec<(usize, &'a str, &'a str, String, &'a str)>,
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
    let language = config.search.language.clone().unwrap_or_else(|| config.book.language.clone());
    let analyzer = Analyzer::new(&language);
    let t = std::time::Instant::now();
    let timing = std::env::var_os("STAGEBOOK_TIMINGS").is_some();
    let lap = |what: &str| {
        if timing {
            eprintln!("    search {what:<8} {:>7.1} ms", t.elapsed().as_secs_f64() * 1000.0);
        }
    };
    let (pages, docs, matrix_range) = collect_docs(config, site, matrix);
    lap("docs");

    let (mut scored, surfaces) = score(&docs, &analyzer, config.search.boost_title, config.search.boost_heading);
    lap("score");
    let max = scored.iter().flat_map(|(_, l)| l.first()).map(|p| p.1).fold(f32::MIN_POSITIVE, f32::max);
    scored.sort_unstable_by(|a, b| a.0.cmp(&b.0));

    // Keys: stems with postings, and surface words that point to a different stem.
    let mut entries: Vec<(String, String)> = scored
        .par_iter()
        .map(|(stem, list)| {
            let mut bytes = Vec::with_capacity(list.len() * 3);
            for &(doc, impact) in list {
                push_varint(&mut bytes, doc);
                bytes.push(((impact / max) * 254.0).round().clamp(0.0, 254.0) as u8 + 1);
            }
            (stem.clone(), base64::engine::general_purpose::STANDARD.encode(bytes))
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

    let mut files = Vec::new();
    let key_bytes: usize = entries.iter().map(|(k, v)| k.len() + v.len() + 6).sum();
    let doc_bytes: usize =
        docs.iter().map(|d| d.text.len().min(TEXT_CHARS * 2) + d.heading.len() + d.anchor.len() + 16).sum();
    let (shard_target, block_target) = targets(key_bytes, doc_bytes);

    // Term shards.
    let mut shard_starts = Vec::new();
    let mut shard = serde_json::Map::new();
    let mut size = 0;
    for (key, value) in entries.iter() {
        if shard.is_empty() {
            shard_starts.push(key.clone());
        }
        size += key.len() + value.len() + 6;
        shard.insert(key.clone(), serde_json::Value::String(value.clone()));
        if size >= shard_target {
            files.push(script(
                &format!("{DIR}/t/{}.js", shard_starts.len() - 1),
                "terms",
                shard_starts.len() - 1,
                &shard,
            ));
            shard = serde_json::Map::new();
            size = 0;
        }
    }
    if !shard.is_empty() {
        files.push(script(&format!("{DIR}/t/{}.js", shard_starts.len() - 1), "terms", shard_starts.len() - 1, &shard));
    }
    if let Some(first) = shard_starts.first_mut() {
        first.clear(); // the first shard also holds anything sorting before its first key
    }

    lap("shards");
    // Doc blocks: runs of docs with the pages they belong to, written in parallel.
    let mut ranges = Vec::new();
    let mut start = 0;
    while start < docs.len() {
        let mut end = start;
        let mut size = 0;
        while end < docs.len() && (size < block_target || end == start) {
            size += docs[end].text.len().min(TEXT_CHARS * 2) + docs[end].heading.len() + docs[end].anchor.len() + 16;
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
            for d in &docs[start..end] {
                let local = *page_index.entry(d.page).or_insert_with(|| {
                    block.pages.push((&pages[d.page].title, &pages[d.page].url));
                    block.pages.len() - 1
                });
                // Snippet text: the prose, then the code when the prose is short.
                let shown = if d.code.is_empty() || d.text.len() >= TEXT_CHARS * 4 {
                    truncate(&d.text, TEXT_CHARS)
                } else {
                    let mut cut = d.code.len().min(TEXT_CHARS * 4);
                    while !d.code.is_char_boundary(cut) {
                        cut -= 1;
                    }
                    truncate(&format!("{}\n{}", d.text, &d.code[..cut]), TEXT_CHARS)
                };
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

/// BM25 scores of every (stem, doc), best first per stem, and the surface words that map to a
/// different stem.
fn score(docs: &[Doc], analyzer: &Analyzer, bt: f32, bh: f32) -> (Vec<Postings>, HashMap<String, String>) {
    // Word -> stem id, shared by the workers: almost every lookup is a hit under a read lock,
    // so each distinct word is stemmed once and no string is allocated per occurrence.
    let vocabulary = Vocabulary::default();
    let analysed: Vec<(Vec<(u32, f32)>, f32)> = docs
        .par_iter()
        .map_init(
            || (FxHashMap::<u32, f32>::default(), FxHashMap::<String, Option<u32>>::default()),
            |(tf, local), doc| {
                tf.clear();
                let mut length = 0.0f32;
                for (text, weight) in
                    [(doc.title.as_str(), bt), (doc.heading.as_str(), bh), (&*doc.text, 1.0), (doc.code, 1.0)]
                {
                    words(text, |w| {
                        // Each worker remembers the words it has seen, so the shared table (and its
                        // lock) is only consulted for a word new to this worker.
                        let id = match local.get(w) {
                            Some(id) => *id,
                            None => {
                                let id = vocabulary.stem_id(w, analyzer);
                                local.insert(w.to_string(), id);
                                id
                            }
                        };
                        if let Some(stem) = id {
                            *tf.entry(stem).or_default() += weight;
                            length += 1.0;
                        }
                    });
                }
                (tf.iter().map(|(&k, &v)| (k, v)).collect(), length)
            },
        )
        .collect();
    if std::env::var_os("STAGEBOOK_TIMINGS").is_some() {
        eprintln!("    search words: {} distinct", vocabulary.words.read().map(|w| w.len()).unwrap_or(0));
    }
    let tokenised = std::time::Instant::now();
    let Vocabulary { words, stems } = vocabulary;
    let words = words.into_inner().unwrap_or_else(|e| e.into_inner());
    let stems = stems.into_inner().unwrap_or_else(|e| e.into_inner()).list;

    let n = docs.len().max(1) as f32;
    let avg_len = (analysed.iter().map(|a| a.1).sum::<f32>() / n).max(1.0);
    let mut counts = vec![0usize; stems.len()];
    for (tf, _) in &analysed {
        for (stem, _) in tf {
            counts[*stem as usize] += 1;
        }
    }
    let mut postings: Vec<Vec<(u32, f32)>> = counts.iter().map(|&c| Vec::with_capacity(c)).collect();
    for (doc, (tf, _)) in analysed.iter().enumerate() {
        for &(stem, f) in tf {
            postings[stem as usize].push((doc as u32, f));
        }
    }

    if std::env::var_os("STAGEBOOK_TIMINGS").is_some() {
        eprintln!("    search postings {:>7.1} ms", tokenised.elapsed().as_secs_f64() * 1000.0);
    }
    // BM25 impact of each (term, doc), best first.
    let scored: Vec<Postings> = postings
        .into_par_iter()
        .zip(stems.par_iter())
        .map(|(list, stem)| {
            let df = list.len() as f32;
            let idf = ((n - df + 0.5) / (df + 0.5) + 1.0).ln();
            let mut scored: Vec<(u32, f32)> = list
                .into_iter()
                .map(|(doc, f)| {
                    let len = analysed[doc as usize].1;
                    let w = docs[doc as usize].weight;
                    (doc, w * idf * f * (K1 + 1.0) / (f + K1 * (1.0 - B + B * len / avg_len)))
                })
                .collect();
            let best_first = |a: &(u32, f32), b: &(u32, f32)| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0));
            if scored.len() > MAX_POSTINGS {
                scored.select_nth_unstable_by(MAX_POSTINGS, best_first);
                scored.truncate(MAX_POSTINGS);
            }
            scored.sort_unstable_by(best_first);
            (stem.clone(), scored)
        })
        .collect();
    let surfaces = words
        .into_iter()
        .filter_map(|(word, id)| {
            let stem = &stems[*id.as_ref()? as usize];
            (stem != &word).then(|| (word, stem.clone()))
        })
        .collect();
    (scored, surfaces)
}

/// A stem and its (doc, score) pairs, best first.
type Postings = (String, Vec<(u32, f32)>);

/// Words seen so far and the stems they map to.
#[derive(Default)]
struct Vocabulary {
    /// word -> stem id (`None`: a stop word).
    words: std::sync::RwLock<HashMap<String, Option<u32>>>,
    stems: std::sync::Mutex<StemTable>,
}

#[derive(Default)]
struct StemTable {
    ids: HashMap<String, u32>,
    list: Vec<String>,
}

impl Vocabulary {
    fn stem_id(&self, word: &str, analyzer: &Analyzer) -> Option<u32> {
        if let Some(known) = self.words.read().unwrap_or_else(|e| e.into_inner()).get(word) {
            return *known;
        }
        let id = analyzer.stem(word).map(|stem| {
            let mut table = self.stems.lock().unwrap_or_else(|e| e.into_inner());
            let next = table.list.len() as u32;
            let id = *table.ids.entry(stem.clone()).or_insert(next);
            if id == next {
                table.list.push(stem);
            }
            id
        });
        self.words.write().unwrap_or_else(|e| e.into_inner()).insert(word.to_string(), id);
        id
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

fn script(path: &str, call: &str, index: usize, data: &impl Serialize) -> (String, Vec<u8>) {
    (
        path.to_string(),
        format!("window.stagebookSearch&&stagebookSearch.{call}({index},{});\n", js_json(data)).into_bytes(),
    )
}

/// JSON that is safe inside a script file whatever the text holds.
fn js_json(data: &impl Serialize) -> String {
    serde_json::to_string(data)
        .unwrap_or_else(|_| "null".into())
        .replace('<', "\\u003c")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
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

/// The first `chars` characters of `text`, with runs of white space folded to one space.
fn truncate(text: &str, chars: usize) -> String {
    let mut out = String::with_capacity(text.len().min(chars * 2));
    let mut count = 0;
    let mut space = false;
    for c in text.trim().chars() {
        if count >= chars {
            break;
        }
        if c.is_whitespace() {
            space = true;
            continue;
        }
        if space {
            out.push(' ');
            count += 1;
            space = false;
        }
        out.push(c);
        count += 1;
    }
    out
}

/// The documents: every section of every markdown page, then the matrix results.
fn collect_docs<'a>(
    config: &Config,
    site: &'a Site,
    matrix: Option<&Matrix>,
) -> (Vec<PageRef>, Vec<Doc<'a>>, Option<(usize, usize)>) {
    let mut pages = Vec::new();
    let mut docs = Vec::new();
    for &i in &site.tree.order {
        let page = &site.pages[i];
        if page.generated.is_some() || page.sections.is_empty() {
            continue;
        }
        pages.push(PageRef { title: page.title.clone(), url: page.url.clone() });
        for (n, s) in page.sections.iter().enumerate() {
            let code = if config.search.code { s.code.as_str() } else { "" };
            if n > 0 && s.text.trim().is_empty() && code.trim().is_empty() && s.heading.is_empty() {
                continue;
            }
            let text: std::borrow::Cow<str> = s.text.as_str().into();
            docs.push(Doc {
                code,
                page: pages.len() - 1,
                anchor: s.anchor.clone().unwrap_or_default(),
                heading: s.heading.clone(),
                text,
                title: if n == 0 { format!("{} {}", page.title, page.description) } else { String::new() },
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
            docs.push(Doc {
                page,
                anchor: a.id.clone(),
                heading: a.name.clone(),
                text: plain(&cell.text).into(),
                code: "",
                title: String::new(),
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
                docs.push(Doc {
                    page,
                    anchor: format!("{}-{}", list.id, item.id),
                    heading: plain(&item.text.text),
                    text: plain(&item.detail.text).into(),
                    code: "",
                    title: String::new(),
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

    fn keys(text: &str, a: &Analyzer) -> Vec<String> {
        let mut out = Vec::new();
        words(text, |w| out.extend(a.stem(w)));
        out
    }

    #[test]
    fn words_are_unicode_aware_lowercase_runs() {
        let mut w = Vec::new();
        words("Déploiement: CI/CD, 99.99% uptime — Straße x", |s| w.push(s.to_string()));
        assert_eq!(w, ["déploiement", "ci", "cd", "99", "99", "uptime", "straße"]);
    }

    #[test]
    fn english_is_stemmed_without_stop_words() {
        let en = Analyzer::new("en");
        assert_eq!(keys("The backups of running databases", &en), ["backup", "run", "databas"]);
        let fr = Analyzer::new("fr");
        assert_eq!(keys("Les sauvegardes", &fr), ["les", "sauvegardes"]);
        assert!(fr.stop_words().is_empty());
    }

    fn doc(title: &str, heading: &str, text: &str) -> Doc<'static> {
        Doc {
            page: 0,
            anchor: String::new(),
            heading: heading.into(),
            text: text.to_string().into(),
            code: "",
            title: title.into(),
            label: String::new(),
            stage: -1,
            category: -1,
            weight: 1.0,
        }
    }

    #[test]
    fn truncation_folds_white_space() {
        assert_eq!(truncate("  a  b\n\nc d", 5), "a b c");
        assert_eq!(truncate("héllo wörld", 7), "héllo w");
    }

    #[test]
    fn a_title_hit_outranks_a_heading_hit_which_outranks_a_body_hit() {
        let docs = vec![
            doc("", "", "We talk about backups once in a long paragraph about many other things."),
            doc("", "Backups", "Something else entirely, with a few more words."),
            doc("Backups", "", "Something else entirely, with a few more words."),
            doc("", "", "Nothing relevant here at all."),
        ];
        let (scored, surfaces) = score(&docs, &Analyzer::new("en"), 3.0, 2.0);
        let (_, list) = scored.iter().find(|(s, _)| s == "backup").expect("stem indexed");
        let order: Vec<u32> = list.iter().map(|p| p.0).collect();
        assert_eq!(order, [2, 1, 0]);
        assert_eq!(surfaces.get("backups").map(String::as_str), Some("backup"));
    }

    #[test]
    fn rarer_words_weigh_more() {
        let docs = vec![doc("", "", "deploy rollback"), doc("", "", "deploy"), doc("", "", "deploy")];
        let (scored, _) = score(&docs, &Analyzer::new("en"), 3.0, 2.0);
        let impact = |stem: &str| scored.iter().find(|(s, _)| s == stem).unwrap().1[0].1;
        assert!(impact("rollback") > impact("deploy"));
    }

    #[test]
    fn varints_round_trip() {
        let mut b = Vec::new();
        for v in [0u32, 127, 128, 300, 1 << 20] {
            push_varint(&mut b, v);
        }
        assert_eq!(b, [0, 127, 0x80, 1, 0xac, 2, 0x80, 0x80, 0x40]);
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
