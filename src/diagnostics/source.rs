//! A source file kept with its line index, so any number of diagnostics in it cost a binary
//! search each instead of a scan of the file (and no file is read again to place one).

use std::path::PathBuf;

use super::places::SourcePlaces;
use super::{Diagnostic, Excerpt, Problem, Severity};

/// The text of one user file, the path it is shown under, and where its lines start.
#[derive(Debug, Clone)]
pub(crate) struct SourceFile {
    path: PathBuf,
    text: String,
    /// Byte offset of the start of every line (the first is 0).
    line_starts: Vec<usize>,
    /// All ASCII: a column is then a byte difference, not a count of characters.
    ascii: bool,
}

impl SourceFile {
    pub(crate) fn new(path: impl Into<PathBuf>, text: impl Into<String>) -> SourceFile {
        let text = text.into();
        let line_starts = std::iter::once(0).chain(memchr_newlines(&text)).collect();
        let ascii = text.is_ascii();
        SourceFile { path: path.into(), text, line_starts, ascii }
    }

    pub(crate) fn text(&self) -> &str {
        &self.text
    }

    /// 1-based line, 1-based character column, and the byte range of the line holding `offset`.
    pub(crate) fn locate(&self, offset: usize) -> (usize, usize, std::ops::Range<usize>) {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let index = self.line_starts.partition_point(|&s| s <= offset) - 1;
        let start = self.line_starts[index];
        let end = self.line_starts.get(index + 1).map_or(self.text.len(), |&next| next - 1);
        let col = if self.ascii { offset - start } else { self.text[start..offset].chars().count() } + 1;
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
    fn place(&self, offset: usize) -> ((usize, usize), Excerpt) {
        let (line, col, range) = self.locate(offset);
        let text = self.text[range.clone()].trim_end_matches('\r');
        let within = (offset.min(self.text.len()) - range.start).min(text.len());
        ((line, col), Excerpt::around(text, within))
    }

    /// What diagnostics at `offsets` need, placed now, so the text can be dropped.
    pub(crate) fn keep(&self, offsets: impl IntoIterator<Item = usize>) -> SourcePlaces {
        SourcePlaces::new(self.path.clone(), offsets.into_iter().map(|offset| (offset, self.place(offset))))
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

/// Offsets just after every `\n`.
fn memchr_newlines(text: &str) -> impl Iterator<Item = usize> + '_ {
    text.bytes().enumerate().filter(|&(_, b)| b == b'\n').map(|(i, _)| i + 1)
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
}
