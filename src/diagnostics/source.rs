//! A source file with a line index built on the first diagnostic in it, so any number of
//! diagnostics cost a binary search each instead of a scan of the file, and a file with none
//! (nearly every page) costs no scan at all.

use std::borrow::Cow;
use std::path::PathBuf;
use std::sync::OnceLock;

use super::places::SourcePlaces;
use super::{Diagnostic, Excerpt, Problem, Severity};

/// The text of one user file (borrowed while a page is parsed, owned when kept), the path it
/// is shown under, and where its lines start once a diagnostic needs them.
#[derive(Debug, Clone)]
pub(crate) struct SourceFile<'a> {
    path: PathBuf,
    text: Cow<'a, str>,
    lines: OnceLock<LineIndex>,
}

#[derive(Debug, Clone)]
struct LineIndex {
    /// Byte offset of the start of every line (the first is 0).
    starts: Vec<usize>,
    /// All ASCII: a column is then a byte difference, not a count of characters.
    ascii: bool,
}

impl<'a> SourceFile<'a> {
    pub(crate) fn new(path: impl Into<PathBuf>, text: impl Into<Cow<'a, str>>) -> SourceFile<'a> {
        SourceFile { path: path.into(), text: text.into(), lines: OnceLock::new() }
    }

    pub(crate) fn text(&self) -> &str {
        &self.text
    }

    fn lines(&self) -> &LineIndex {
        self.lines.get_or_init(|| LineIndex {
            starts: std::iter::once(0).chain(memchr::memchr_iter(b'\n', self.text.as_bytes()).map(|i| i + 1)).collect(),
            ascii: self.text.is_ascii(),
        })
    }

    /// `offset` clamped to the text and moved back to the start of the character it is in.
    fn boundary(&self, offset: usize) -> usize {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        offset
    }

    /// 1-based line, 1-based character column, and the byte range of the line holding `offset`.
    pub(crate) fn locate(&self, offset: usize) -> (usize, usize, std::ops::Range<usize>) {
        let offset = self.boundary(offset);
        let lines = self.lines();
        let index = lines.starts.partition_point(|&s| s <= offset) - 1;
        let start = lines.starts[index];
        let end = lines.starts.get(index + 1).map_or(self.text.len(), |&next| next - 1);
        let col = if lines.ascii { offset - start } else { self.text[start..offset].chars().count() } + 1;
        (index + 1, col, start..end)
    }

    /// An error at byte `offset`, quoting (a clipped part of) its line.
    pub(crate) fn error_at(&self, offset: usize, message: impl Into<String>) -> Diagnostic {
        let (position, excerpt) = self.place(offset);
        Diagnostic {
            severity: Severity::Error,
            path: self.path.clone(),
            position: Some(position),
            message: message.into(),
            excerpt: Some(excerpt),
            link: false,
        }
    }

    /// Line and column of byte `offset`, and the excerpt a diagnostic there quotes.
    pub(super) fn place(&self, offset: usize) -> ((usize, usize), Excerpt) {
        let (line, col, range) = self.locate(offset);
        let text = self.text[range.clone()].trim_end_matches('\r');
        let within = (offset.min(self.text.len()) - range.start).min(text.len());
        ((line, col), Excerpt::around(text, within))
    }

    /// What diagnostics at `offsets` need later, so the text can be dropped: their lines and
    /// columns, worked out in one forward pass (no line index), and where to read the file
    /// again (`disk`) for the quoted line if one is ever reported.
    pub(crate) fn keep(&self, disk: PathBuf, offsets: impl IntoIterator<Item = usize>) -> SourcePlaces {
        let mut offsets: Vec<usize> = offsets.into_iter().collect();
        offsets.sort_unstable();
        offsets.dedup();
        let bytes = self.text.as_bytes();
        let (mut line, mut line_start, mut scanned) = (1, 0, 0);
        let spots = offsets.into_iter().map(|offset| {
            // Monotonic in `offset`, so each byte is scanned once.
            let at = self.boundary(offset);
            for newline in memchr::memchr_iter(b'\n', &bytes[scanned..at]) {
                line += 1;
                line_start = scanned + newline + 1;
            }
            scanned = at;
            let before = &self.text[line_start..at];
            let col = if before.is_ascii() { before.len() } else { before.chars().count() } + 1;
            (offset, (line, col))
        });
        SourcePlaces::new(self.path.clone(), disk, digest(&self.text), spots)
    }

    /// The diagnostic for a problem found in this file.
    pub(crate) fn diagnostic(&self, problem: Problem) -> Diagnostic {
        let mut d = self.error_at(problem.offset, problem.message);
        d.link = problem.link;
        if problem.is_error {
            d
        } else {
            d.warning()
        }
    }
}

/// What tells the text a file was kept from from any other: a file read again to quote its
/// line must be the one its places were worked out in.
pub(super) fn digest(text: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locates_lines_and_character_columns() {
        let f = SourceFile::new("a.md", "one\ntwo é three\nfour");
        let off = f.text().find("three").unwrap();
        assert_eq!(f.locate(off), (2, 7, 4..16));
        assert_eq!(f.locate(0), (1, 1, 0..3));
        assert_eq!(f.locate(f.text().len()).0, 3);
        assert_eq!(f.locate(f.text().len()).1, 5);
        // an offset inside a character falls back to its start
        assert_eq!(f.locate(off - 2).1, 5);
    }

    #[test]
    fn agrees_with_the_one_off_locate() {
        let text = "a\r\nbé\n\nlast line";
        let f = SourceFile::new("x", text);
        for off in 0..=text.len() {
            let (l, c, line) = super::super::locate(text, off);
            let d = f.error_at(off, "m");
            assert_eq!(d.position, Some((l, c)), "offset {off}");
            assert_eq!(d.excerpt.as_ref().unwrap().text, line.replace('\t', " "), "offset {off}");
        }
    }

    #[test]
    fn problems_keep_their_severity() {
        let f = SourceFile::new("x", "abc");
        assert!(f.diagnostic(Problem::error(1, "e")).is_error());
        assert!(!f.diagnostic(Problem::warning(1, "w")).is_error());
    }

    #[test]
    fn borrows_the_text_and_indexes_lines_only_when_asked() {
        let text = String::from("one\ntwo");
        let f = SourceFile::new("x", text.as_str());
        assert!(matches!(f.text, Cow::Borrowed(_)));
        assert!(f.lines.get().is_none());
        assert_eq!(f.error_at(5, "m").position, Some((2, 2)));
        assert!(f.lines.get().is_some());
    }
}
