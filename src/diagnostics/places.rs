//! The few places of a source file that diagnostics found later may point at, placed while
//! the text was at hand: a page keeps these instead of its whole text (71 MB for 10,000
//! pages, kept for the life of `serve`), and still never reads its file again to report one.

use std::path::PathBuf;

use super::{Diagnostic, Excerpt, Severity};

/// A file's path and, for each byte offset chosen when it was read, the line, column and
/// excerpt that [`SourceFile::error_at`](super::SourceFile::error_at) gives there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SourcePlaces {
    path: PathBuf,
    /// Sorted by offset, one per offset.
    spots: Box<[Spot]>,
    /// The excerpts' texts end to end, one allocation per file; links on one short line share
    /// one copy of it.
    quoted: Box<str>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Spot {
    offset: usize,
    position: (usize, usize),
    /// The excerpt: its text's byte range in `quoted`, and its caret.
    text: std::ops::Range<usize>,
    caret: usize,
}

impl SourcePlaces {
    /// Built by [`SourceFile::keep`](super::SourceFile::keep).
    pub(super) fn new(path: PathBuf, placed: impl Iterator<Item = (usize, ((usize, usize), Excerpt))>) -> SourcePlaces {
        let mut placed: Vec<_> = placed.collect();
        placed.sort_by_key(|&(offset, _)| offset);
        placed.dedup_by_key(|&mut (offset, _)| offset);
        let mut quoted = String::new();
        let mut spots = Vec::with_capacity(placed.len());
        let mut last: Option<std::ops::Range<usize>> = None;
        for (offset, (position, excerpt)) in placed {
            let text = match last.filter(|r| quoted[r.clone()] == excerpt.text) {
                Some(same) => same,
                None => {
                    quoted.push_str(&excerpt.text);
                    quoted.len() - excerpt.text.len()..quoted.len()
                }
            };
            last = Some(text.clone());
            spots.push(Spot { offset, position, text, caret: excerpt.caret });
        }
        SourcePlaces { path, spots: spots.into_boxed_slice(), quoted: quoted.into_boxed_str() }
    }

    /// An error at byte `offset`, as the whole file would have placed it. An offset that was
    /// not kept (a caller bug, not a user's) still names the file, without a position.
    pub(crate) fn error_at(&self, offset: usize, message: impl Into<String>) -> Diagnostic {
        match self.spots.binary_search_by_key(&offset, |s| s.offset) {
            Ok(i) => {
                let spot = &self.spots[i];
                Diagnostic {
                    severity: Severity::Error,
                    path: self.path.clone(),
                    position: Some(spot.position),
                    message: message.into(),
                    excerpt: Some(Excerpt { text: self.quoted[spot.text.clone()].to_string(), caret: spot.caret }),
                    link: false,
                }
            }
            Err(_) => {
                debug_assert!(false, "offset {offset} of {} was not kept", self.path.display());
                Diagnostic::error(self.path.clone(), message)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::SourceFile;

    /// Every offset of `text`, kept, gives the very diagnostic the whole file gives.
    fn agrees_everywhere(text: &str) {
        let file = SourceFile::new("dir/page.md", text);
        let kept = file.keep((0..=text.len() + 2).rev());
        for offset in 0..=text.len() + 2 {
            assert_eq!(kept.error_at(offset, "m"), file.error_at(offset, "m"), "offset {offset} of {text:?}");
        }
    }

    #[test]
    fn agrees_with_the_whole_file_on_ascii_lines() {
        agrees_everywhere("one\ntwo [link](x.md) three\n\nfour");
    }

    #[test]
    fn agrees_with_the_whole_file_on_multibyte_characters() {
        agrees_everywhere("é日本\n[ß](ü.md) 🦀 [x](y.md)\n€");
    }

    #[test]
    fn agrees_with_the_whole_file_on_tabs_and_crlf() {
        agrees_everywhere("a\tb\r\n\t[l](t.md)\r\n\r\nend\r\n");
    }

    #[test]
    fn agrees_with_the_whole_file_on_long_clipped_lines() {
        let long = format!("{}[a](b.md){}\n{}é[c](d.md)", "x".repeat(300), "y".repeat(300), "ü".repeat(200));
        agrees_everywhere(&long);
    }

    #[test]
    fn keeps_only_the_chosen_offsets_and_clips_their_excerpts() {
        let text = format!("{}[a](b.md)\n", "z".repeat(10_000));
        let file = SourceFile::new("p.md", text.as_str());
        let kept = file.keep([10_000, 10_000]);
        assert_eq!(kept.spots.len(), 1);
        assert!(kept.quoted.len() < 200, "the kept excerpt is clipped, not the whole line");
        assert_eq!(kept.error_at(10_000, "broken").position, Some((1, 10_001)));
    }

    #[test]
    fn links_on_one_short_line_share_its_text() {
        let text = "see [a](a.md) and [b](b.md)\n[c](c.md)";
        let file = SourceFile::new("p.md", text);
        let kept = file.keep([4, 18, 28]);
        assert_eq!(&*kept.quoted, "see [a](a.md) and [b](b.md)[c](c.md)");
        assert_eq!(kept.error_at(18, "m"), file.error_at(18, "m"));
    }

    #[test]
    #[should_panic(expected = "was not kept")]
    fn an_offset_not_kept_is_a_bug_caught_in_tests() {
        SourceFile::new("p.md", "abc").keep([1]).error_at(2, "m");
    }
}
