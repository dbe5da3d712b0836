//! BM25 scores of the index: every (stem, doc) pair, the best few hundred docs kept per stem.

use rayon::prelude::*;
use rustc_hash::FxHashMap;
use std::sync::atomic::{AtomicBool, Ordering};

use super::Doc;
use crate::words::{Analyzer, Collectors, Lexicon};

/// BM25 parameters.
const K1: f32 = 1.2;
const B: f32 = 0.75;
/// A stem's postings beyond this many (the lowest impacts) are dropped: a query shows the top
/// results, and the long tail of a very common word would dominate the bytes a query loads.
const MAX_POSTINGS: usize = 250;
/// Weight of the page description's words: like body text, below the title.
const DESCRIPTION_WEIGHT: f32 = 1.0;
/// Docs per scoring [`Run`]. Placing a run's postings by stem writes all over its postings
/// array: at some 160 entries a doc, a run of this many docs keeps that array and its stem
/// offsets within one core's L2 cache (1 MiB here), where runs of thousands of docs missed it
/// on nearly every write. How docs are cut into runs changes no score (a stem's postings are
/// gathered from the runs in doc order); each run costs a stem offset table (4 bytes a stem).
const RUN_DOCS: usize = 512;
/// The most docs a run can hold: [`Run::offsets`] are `u16`.
const MAX_RUN_DOCS: usize = 1 << 16;
/// Lexicon words that are not indexed (stop words).
const NONE: u32 = u32::MAX;

/// A stem and its (doc, signed score) pairs, the best [`MAX_POSTINGS`] in no particular order:
/// the score is negative when the stem is in the doc's title or heading (a flag in the sign
/// keeps a posting at 8 bytes).
pub(super) type Postings = (String, Vec<(u32, f32)>);

/// BM25 impacts of every (stem, doc), at most [`MAX_POSTINGS`] per stem (the best), and the
/// surface words (folded, as the browser looks them up) that map to a different stem; two
/// words may fold to one surface.
pub(super) fn score(
    docs: &[Doc],
    lexicon: &Lexicon,
    analyzer: &Analyzer,
    boosts: (f32, f32),
) -> (Vec<Postings>, Vec<(String, String)>) {
    score_in_runs(docs, lexicon, analyzer, boosts, RUN_DOCS)
}

/// [`score`], the docs read in runs of `run_docs`.
fn score_in_runs(
    docs: &[Doc],
    lexicon: &Lexicon,
    analyzer: &Analyzer,
    (bt, bh): (f32, f32),
    run_docs: usize,
) -> (Vec<Postings>, Vec<(String, String)>) {
    let laps = crate::timings::Laps::start("score", 6);
    let lap = |what: &str| laps.lap(what);
    // Title and heading words with their weights (the body's were counted with the pages).
    let collectors = Collectors::new(lexicon, false);
    let extra: Vec<Vec<(u32, u32, f32, bool)>> = docs
        .par_iter()
        .map(|d| {
            collectors.with(|c| {
                // A field weighted 0 is not indexed at all.
                let mut words: Vec<(u32, u32, f32, bool)> = Vec::new();
                if bt > 0.0 {
                    words.extend(c.words_of(&d.title).into_iter().map(|(w, n)| (w, n, bt, true)));
                    // Description-only matches weigh less than title matches.
                    words
                        .extend(c.words_of(&d.description).into_iter().map(|(w, n)| (w, n, DESCRIPTION_WEIGHT, false)));
                }
                if bh > 0.0 {
                    words.extend(c.words_of(&d.heading).into_iter().map(|(w, n)| (w, n, bh, true)));
                }
                words
            })
        })
        .collect();
    lap("extra");

    // Each distinct word stemmed once.
    let (stems, stem_of) = lexicon.with_words(|words| {
        let stemmed: Vec<Option<String>> = words.par_iter().map(|w| analyzer.stem(w)).collect();
        let mut ids: FxHashMap<&str, u32> = FxHashMap::default();
        let mut stems: Vec<&str> = Vec::new();
        let stem_of: Vec<u32> = stemmed
            .iter()
            .map(|s| match s {
                Some(s) => *ids.entry(s).or_insert_with(|| {
                    stems.push(s);
                    stems.len() as u32 - 1
                }),
                None => NONE,
            })
            .collect();
        (stems.into_iter().map(str::to_string).collect::<Vec<_>>(), stem_of)
    });
    lap("stems");
    laps.note(format_args!("{} words, {} stems, {} docs", stem_of.len(), stems.len(), docs.len()));

    // The docs' (stem, count, weight) triples, grouped by stem for runs of docs in parallel.
    let seen: Vec<AtomicBool> = stem_of.iter().map(|_| AtomicBool::new(false)).collect();
    let entries = |d: usize| {
        let body = docs[d].words.iter().map(|(w, n)| (w, n, 1.0, false));
        extra[d].iter().copied().chain(body).filter_map(|(w, n, weight, titled)| {
            let stem = stem_of[w as usize];
            if !seen[w as usize].load(Ordering::Relaxed) {
                seen[w as usize].store(true, Ordering::Relaxed);
            }
            (stem != NONE).then_some((stem as usize, n, weight, titled))
        })
    };
    // A run's docs are named by two-byte offsets.
    let run_docs = run_docs.clamp(1, MAX_RUN_DOCS);
    let runs: Vec<Run> = (0..docs.len())
        .step_by(run_docs)
        .collect::<Vec<_>>()
        .into_par_iter()
        .map(|first| Run::new(first..(first + run_docs).min(docs.len()), stems.len(), entries))
        .collect();
    drop(extra);
    lap("runs");

    // BM25 with each doc's length normalisation and weight worked out once.
    let n = docs.len().max(1) as f32;
    let total: f32 = runs.iter().flat_map(|r| &r.lengths).map(|&l| l as f32).sum();
    let avg_len = (total / n).max(1.0);
    let norms: Vec<(f32, f32)> = runs
        .iter()
        .flat_map(|r| &r.lengths)
        .zip(docs)
        .map(|(&len, d)| (K1 * (1.0 - B + B * len as f32 / avg_len), d.weight))
        .collect();
    // The scores, and (beside them: they read only the stems) the surface words.
    let (scored, surfaces): (Vec<Postings>, Vec<(String, String)>) = rayon::join(
        || {
            stems
                .par_iter()
                .enumerate()
                .map_init(
                    || (Vec::new(), Vec::new()),
                    |(list, scratch), (s, stem)| {
                        // The stem's postings from every run, in doc order: one entry per doc, its term
                        // frequencies summed.
                        list.clear();
                        for r in &runs {
                            let (offsets, frequencies) = r.group(s);
                            for (&offset, &signed) in offsets.iter().zip(frequencies) {
                                let doc = r.first + u32::from(offset);
                                let (f, titled) = (signed.abs(), signed.is_sign_negative());
                                match list.last_mut() {
                                    Some((last, sum, t)) if *last == doc => {
                                        *sum += f;
                                        *t |= titled;
                                    }
                                    _ => list.push((doc, f, titled)),
                                }
                            }
                        }
                        let df = list.len() as f32;
                        let idf = ((n - df + 0.5) / (df + 0.5) + 1.0).ln();
                        for (doc, f, _) in list.iter_mut() {
                            let (norm, weight) = norms[*doc as usize];
                            *f = weight * idf * *f * (K1 + 1.0) / (*f + norm);
                        }
                        // The best ones, still in doc order: the written order is by quantised impact, then
                        // doc, which [`super::format::quantise`] makes from doc order with no sort.
                        if list.len() > MAX_POSTINGS {
                            best_in_doc_order(list, scratch);
                        }
                        let signed = list.iter().map(|&(doc, f, titled)| (doc, if titled { -f } else { f }));
                        (!list.is_empty()).then(|| (stem.clone(), signed.collect()))
                    },
                )
                .flatten()
                .collect()
        },
        || {
            // Words whose stem differs, so the browser can find the stem (and complete prefixes) with
            // no stemmer of its own: only words some doc has, however many the lexicon holds.
            lexicon.with_words(|words| {
                words
                    .iter()
                    .zip(&stem_of)
                    .zip(&seen)
                    .filter(|((_, &s), seen)| s != NONE && seen.load(Ordering::Relaxed))
                    .filter_map(|((word, &s), _)| {
                        let surface = analyzer.surface(word);
                        (stems[s as usize] != *surface).then(|| (surface.into_owned(), stems[s as usize].clone()))
                    })
                    .collect()
            })
        },
    );
    lap("bm25");
    (scored, surfaces)
}

/// Keeps the [`MAX_POSTINGS`] best of `list` (highest score, then lowest doc id), in their
/// order: the one left at [`MAX_POSTINGS`] by a selection on a copy is the best one dropped,
/// and with doc ids distinct the order is total, so exactly those better than it stay.
fn best_in_doc_order(list: &mut Vec<(u32, f32, bool)>, scratch: &mut Vec<(u32, f32, bool)>) {
    let best_first = |a: &(u32, f32, bool), b: &(u32, f32, bool)| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0));
    scratch.clear();
    scratch.extend_from_slice(list);
    let (_, first_dropped, _) = scratch.select_nth_unstable_by(MAX_POSTINGS, best_first);
    let first_dropped = *first_dropped;
    list.retain(|p| best_first(p, &first_dropped) == std::cmp::Ordering::Less);
}

/// The postings of a run of docs grouped by stem (a counting sort), each group in doc order:
/// a doc that has a stem under several words or fields gets adjacent entries.
struct Run {
    /// The run's first doc: postings name their doc by its offset from it.
    first: u32,
    /// Where each stem's group starts in `offsets` and `frequencies`, and the end.
    starts: Vec<u32>,
    /// Each posting's doc, as an offset from `first`. Two bytes, in their own array beside
    /// `frequencies` (a pair would be padded to 8): every run is alive at once while the
    /// stems are scored, one entry per word per doc, some 40 MB at 10,000 pages.
    offsets: Vec<u16>,
    /// Each posting's weighted term frequency, negative when from the title or heading.
    frequencies: Vec<f32>,
    /// Indexed words per doc.
    lengths: Vec<u32>,
}

impl Run {
    /// Reads each doc's entries once: the counting pass keeps them (stem, signed frequency)
    /// for the placing pass, which would otherwise decode the words and look up stems again.
    fn new<I: Iterator<Item = (usize, u32, f32, bool)>>(
        docs: std::ops::Range<usize>,
        stems: usize,
        entries: impl Fn(usize) -> I,
    ) -> Run {
        let mut starts = vec![0u32; stems + 1];
        let mut lengths = Vec::with_capacity(docs.len());
        let mut read: Vec<(u32, f32)> = Vec::new();
        let mut ends = Vec::with_capacity(docs.len());
        for d in docs.clone() {
            let mut length = 0;
            for (stem, n, weight, titled) in entries(d) {
                starts[stem + 1] += 1;
                length += n;
                let f = n as f32 * weight;
                read.push((stem as u32, if titled { -f } else { f }));
            }
            lengths.push(length);
            ends.push(read.len());
        }
        for s in 1..starts.len() {
            starts[s] += starts[s - 1];
        }
        let mut next = starts.clone();
        let mut offsets = vec![0u16; starts[stems] as usize];
        let mut frequencies = vec![0f32; starts[stems] as usize];
        let mut from = 0;
        for (offset, end) in ends.into_iter().enumerate() {
            for &(stem, signed) in &read[from..end] {
                let at = next[stem as usize] as usize;
                offsets[at] = offset as u16;
                frequencies[at] = signed;
                next[stem as usize] += 1;
            }
            from = end;
        }
        Run { first: docs.start as u32, starts, offsets, frequencies, lengths }
    }

    /// A stem's postings: the docs' offsets from `first`, and the frequencies.
    fn group(&self, stem: usize) -> (&[u16], &[f32]) {
        let range = self.starts[stem] as usize..self.starts[stem + 1] as usize;
        (&self.offsets[range.clone()], &self.frequencies[range])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::words::Collector;

    fn doc(lexicon: &Lexicon, title: &str, heading: &str, text: &str) -> Doc<'static> {
        Doc {
            page: 0,
            anchor: "".into(),
            heading: heading.to_string().into(),
            words: std::borrow::Cow::Owned(Collector::new(lexicon, false).words_of(text).into_iter().collect()),
            text: text.to_string().into(),
            code: "",
            more: "".into(),
            passage: None,
            title: title.to_string().into(),
            description: "".into(),
            label: String::new(),
            kind: crate::search::format::Kind::Section,
            stage: -1,
            category: -1,
            weight: 1.0,
        }
    }

    /// Postings by score, best first (ties by doc id).
    fn best_first(list: &[(u32, f32)]) -> Vec<(u32, f32)> {
        let mut list = list.to_vec();
        list.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()).then(a.0.cmp(&b.0)));
        list
    }

    #[test]
    fn a_common_stem_keeps_its_best_postings_and_they_quantise_as_if_sorted() {
        let l = Lexicon::default();
        // Every doc has "deploy" once: the shorter the doc, the higher it scores (ties by id).
        let texts: Vec<String> =
            (0..MAX_POSTINGS + 40).map(|i| format!("deploy {}", "filler ".repeat(i % 97))).collect();
        let docs: Vec<Doc> = texts.iter().map(|t| doc(&l, "", "", t)).collect();
        let (scored, _) = score(&docs, &l, &Analyzer::new("en"), (3.0, 2.0));
        let list = &scored.iter().find(|(s, _)| s == "deploy").expect("stem indexed").1;
        let mut kept: Vec<u32> = list.iter().map(|p| p.0).collect();
        kept.sort_unstable();
        let mut shortest: Vec<u32> = (0..texts.len() as u32).collect();
        shortest.sort_by_key(|&d| (texts[d as usize].len(), d));
        shortest.truncate(MAX_POSTINGS);
        shortest.sort_unstable();
        assert_eq!(kept, shortest);
        // Written postings do not depend on the order score gives them in.
        let sorted = best_first(list);
        let max = sorted[0].1.abs();
        assert_eq!(crate::search::format::quantise(list, max), crate::search::format::quantise(&sorted, max));
    }

    #[test]
    fn the_best_postings_keep_their_doc_order_and_match_a_sort() {
        // Ties on the score at the cut: the lower doc ids stay.
        let list: Vec<(u32, f32, bool)> =
            (0..MAX_POSTINGS as u32 * 3).map(|d| (d * 2 + 1, ((d * 7919) % 53) as f32, d.is_multiple_of(4))).collect();
        let mut kept = list.clone();
        best_in_doc_order(&mut kept, &mut Vec::new());
        let mut sorted = list.clone();
        sorted.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        sorted.truncate(MAX_POSTINGS);
        sorted.sort_by_key(|p| p.0);
        assert_eq!(kept, sorted);
    }

    #[test]
    fn a_title_hit_outranks_a_heading_hit_which_outranks_a_body_hit() {
        let l = Lexicon::default();
        let docs = vec![
            doc(&l, "", "", "We talk about backups once in a long paragraph about many other things."),
            doc(&l, "", "Backups", "Something else entirely, with a few more words."),
            doc(&l, "Backups", "", "Something else entirely, with a few more words."),
            doc(&l, "", "", "Nothing relevant here at all."),
        ];
        let (scored, surfaces) = score(&docs, &l, &Analyzer::new("en"), (3.0, 2.0));
        let (_, list) = scored.iter().find(|(s, _)| s == "backup").expect("stem indexed");
        let order: Vec<u32> = best_first(list).iter().map(|p| p.0).collect();
        assert_eq!(order, [2, 1, 0]);
        assert!(surfaces.contains(&("backups".to_string(), "backup".to_string())));
    }

    #[test]
    fn a_field_weighted_zero_is_not_indexed() {
        let l = Lexicon::default();
        let docs = vec![doc(&l, "Backups", "Restore", "text"), doc(&l, "", "", "backups restore")];
        let (scored, _) = score(&docs, &l, &Analyzer::new("en"), (0.0, 2.0));
        let docs_of = |stem: &str| -> Vec<u32> {
            scored.iter().find(|(s, _)| s == stem).map(|(_, l)| l.iter().map(|p| p.0).collect()).unwrap_or_default()
        };
        assert_eq!(docs_of("backup"), [1], "the title of doc 0 is not indexed");
        assert_eq!(docs_of("restor"), [0, 1], "its heading is");
    }

    #[test]
    fn cutting_the_docs_into_runs_changes_no_posting() {
        let l = Lexicon::default();
        // A stem in the titles, headings and bodies of docs on both sides of every cut, under
        // several words (their frequencies summed within a run), and rarer stems here and there.
        let texts: Vec<(String, String, String)> = (0..700)
            .map(|i: usize| {
                let title = if i.is_multiple_of(5) { "Backups" } else { "" };
                let heading = if i.is_multiple_of(3) { "Restoring backups" } else { "Notes" };
                let body =
                    format!("backup backing {} rare{} {}", "filler ".repeat(i % 13), i % 29, "backups ".repeat(i % 4));
                (title.to_string(), heading.to_string(), body)
            })
            .collect();
        let docs: Vec<Doc> = texts.iter().map(|(t, h, b)| doc(&l, t, h, b)).collect();
        let analyzer = Analyzer::new("en");
        let whole = score_in_runs(&docs, &l, &analyzer, (3.0, 2.0), docs.len());
        for run_docs in [1, 7, 256, RUN_DOCS] {
            let cut = score_in_runs(&docs, &l, &analyzer, (3.0, 2.0), run_docs);
            assert_eq!(cut.1, whole.1, "surfaces, runs of {run_docs}");
            assert_eq!(cut.0.len(), whole.0.len());
            for ((stem, a), (same, b)) in cut.0.iter().zip(&whole.0) {
                assert_eq!(stem, same);
                // Bit for bit: the written impacts are quantised from these.
                let bits = |l: &[(u32, f32)]| l.iter().map(|&(d, f)| (d, f.to_bits())).collect::<Vec<_>>();
                assert_eq!(bits(a), bits(b), "{stem}, runs of {run_docs}");
            }
        }
        assert!(whole.0.iter().any(|(s, l)| s == "backup" && l.len() == MAX_POSTINGS), "a stem cut to the best");
    }

    #[test]
    fn rarer_words_weigh_more() {
        let l = Lexicon::default();
        let docs = vec![doc(&l, "", "", "deploy rollback"), doc(&l, "", "", "deploy"), doc(&l, "", "", "deploy")];
        let (scored, _) = score(&docs, &l, &Analyzer::new("en"), (3.0, 2.0));
        let impact = |stem: &str| best_first(&scored.iter().find(|(s, _)| s == stem).unwrap().1)[0].1.abs();
        assert!(impact("rollback") > impact("deploy"));
    }

    #[test]
    fn a_stem_gets_one_posting_per_doc_whatever_the_words_and_fields() {
        let l = Lexicon::default();
        // Doc 0 has "backup" four times under three words in two fields; doc 1 once.
        let docs = vec![
            doc(&l, "", "Backups", "backup backing backups, the backup"),
            doc(&l, "", "", "one backup among these"),
        ];
        let (scored, surfaces) = score(&docs, &l, &Analyzer::new("en"), (3.0, 2.0));
        let list = best_first(&scored.iter().find(|(s, _)| s == "backup").expect("stem indexed").1);
        assert_eq!(list.iter().map(|p| p.0).collect::<Vec<_>>(), [0, 1]);
        assert!(scored.iter().all(|(s, _)| s != "the"), "stop words are not indexed");
        let mut surfaces = surfaces;
        surfaces.sort();
        assert_eq!(surfaces, [("backing".to_string(), "back".to_string()), ("backups".into(), "backup".into())]);

        // Words of a lexicon that no doc uses (a page since edited) are not surface keys.
        let (_, surfaces) = score(&docs[1..], &l, &Analyzer::new("en"), (3.0, 2.0));
        assert!(surfaces.is_empty(), "{surfaces:?}");
    }
}
