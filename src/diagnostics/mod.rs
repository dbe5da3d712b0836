//! Errors that point at a place in a source file.
//!
//! Every problem the build finds in user input ends up as a [`Diagnostic`]: a path, an optional
//! line and column, a message and the offending source line. They are collected, not thrown, so
//! one run reports everything it found (`path:line:col: message`). Steps that only see text
//! report a [`Problem`] at a byte offset; the [`SourceFile`] it came from turns it into a
//! diagnostic, or keeps just the places later checks may point at ([`SourcePlaces`]) so the text
//! can be dropped. [`render_capped`] prints a long list at most 50 per file.

mod cap;
mod places;
mod source;

use std::fmt;
use std::path::PathBuf;

pub use cap::render_capped;
pub(crate) use places::SourcePlaces;
pub(crate) use source::SourceFile;

/// A problem at a byte offset of a file whose path and text the finder does not hold: the one
/// shape every step (markdown, front matter, links, the matrix) reports in, placed by a
/// [`SourceFile`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub offset: usize,
    pub message: String,
    /// Errors fail the build; the rest are warnings.
    pub is_error: bool,
    /// A link that does not reach its target ([`Diagnostic::link`]).
    pub link: bool,
}

impl Problem {
    pub(crate) fn error(offset: usize, message: impl Into<String>) -> Problem {
        Problem { offset, message: message.into(), is_error: true, link: false }
    }

    /// A broken link: an error unless the handbook asks for warnings (`[build] broken_links`).
    pub(crate) fn broken_link(offset: usize, message: impl Into<String>) -> Problem {
        Problem { offset, message: message.into(), is_error: true, link: true }
    }

    /// A link stagebook leaves as written because it leaves the content folder: a warning always.
    pub(crate) fn outside_link(offset: usize, message: impl Into<String>) -> Problem {
        Problem { offset, message: message.into(), is_error: false, link: true }
    }

    pub(crate) fn warning(offset: usize, message: impl Into<String>) -> Problem {
        Problem { offset, message: message.into(), is_error: false, link: false }
    }
}

/// A source line as quoted under a diagnostic: clipped to [`Excerpt::WIDTH`] characters around
/// the column, so a 36 KB line quoted 4,000 times costs 4,000 short strings, not 144 MB.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Excerpt {
    /// The shown text (tabs as spaces, `...` where clipped).
    pub text: String,
    /// 0-based character position of the caret in `text`.
    pub caret: usize,
}

impl Excerpt {
    const WIDTH: usize = 120;

    /// The part of `line` around byte `at` (a character boundary of `line`, or its end).
    pub(crate) fn around(line: &str, at: usize) -> Excerpt {
        let mut at = at.min(line.len());
        while !line.is_char_boundary(at) {
            at -= 1;
        }
        // Byte offsets of up to WIDTH + 1 characters before `at`, nearest first: enough to
        // know whether the line must be clipped without walking all of a long one.
        let before: Vec<usize> = line[..at].char_indices().rev().take(Self::WIDTH + 1).map(|(i, _)| i).collect();
        let after = line[at..].chars().take(Self::WIDTH + 1).count();
        let shown_before = if before.len() + after <= Self::WIDTH {
            before.len()
        } else {
            // Centre the column, unless the line ends soon after it.
            before.len().min((Self::WIDTH / 2).max(Self::WIDTH - after.min(Self::WIDTH)))
        };
        let clipped_start = shown_before < before.len();
        let start = if shown_before == 0 { at } else { before[shown_before - 1] };
        let room = Self::WIDTH - shown_before;
        let (end, clipped_end) = match line[at..].char_indices().nth(room) {
            Some((i, _)) => (at + i, true),
            None => (line.len(), false),
        };
        let mut text: String = line[start..end].chars().map(|c| if c == '\t' { ' ' } else { c }).collect();
        let mut caret = shown_before;
        if clipped_start {
            text.insert_str(0, "...");
            caret += 3;
        }
        if clipped_end {
            text.push_str("...");
        }
        Excerpt { text, caret }
    }

    /// The excerpt for a 1-based character column of `line`.
    pub(crate) fn at_column(line: &str, col: usize) -> Excerpt {
        let at = line.char_indices().nth(col.saturating_sub(1)).map_or(line.len(), |(i, _)| i);
        Excerpt::around(line, at)
    }
}

/// How serious a diagnostic is: errors fail the build, warnings are printed only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Severity {
    Error,
    Warning,
}

/// One problem found in the user's files. Serialisable: the build cache prints a skipped
/// build's warnings again.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// Path as shown to the user: relative to where the command ran, as the book folder was given.
    pub path: PathBuf,
    /// 1-based line and column (columns count characters), when the problem has a place.
    pub position: Option<(usize, usize)>,
    pub message: String,
    /// The part of the source line the position points into, shown under the message.
    pub excerpt: Option<Excerpt>,
    /// About a link that does not reach its target: `[build] broken_links = "warn"` (or
    /// `--warn-links`) turns such errors into warnings, and the build's summary counts them.
    pub link: bool,
}

impl Diagnostic {
    /// An error about a whole file or folder, with no position.
    pub fn error(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            path: path.into(),
            position: None,
            message: message.into(),
            excerpt: None,
            link: false,
        }
    }

    /// An error at byte `offset` of `source` (the full text of `path`), for a one-off: it scans
    /// `source`; many diagnostics in one file go through a [`SourceFile`].
    pub fn at(path: impl Into<PathBuf>, source: &str, offset: usize, message: impl Into<String>) -> Self {
        let (line, col, text) = locate(source, offset);
        Diagnostic {
            severity: Severity::Error,
            path: path.into(),
            position: Some((line, col)),
            message: message.into(),
            excerpt: Some(Excerpt::at_column(text, col)),
            link: false,
        }
    }

    /// An error at a known line and column, without source text to quote.
    pub fn at_line(path: impl Into<PathBuf>, line: usize, col: usize, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            path: path.into(),
            position: Some((line, col)),
            message: message.into(),
            excerpt: None,
            link: false,
        }
    }

    /// The same diagnostic, downgraded to a warning.
    pub fn warning(mut self) -> Self {
        self.severity = Severity::Warning;
        self
    }

    /// The same diagnostic, marked as about a link ([`Diagnostic::link`]).
    pub(crate) fn about_link(mut self) -> Self {
        self.link = true;
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// `path:line:col`, or just the path when there is no position.
    pub fn location(&self) -> String {
        match self.position {
            Some((l, c)) => format!("{}:{}:{}", self.path.display(), l, c),
            None => self.path.display().to_string(),
        }
    }

    /// Writes the diagnostic with its excerpt; `color` adds ANSI styling.
    pub fn render(&self, color: bool) -> String {
        use anstyle::{AnsiColor, Style};
        let (label_style, label) = match self.severity {
            Severity::Error => (AnsiColor::Red.on_default().bold(), "error"),
            Severity::Warning => (AnsiColor::Yellow.on_default().bold(), "warning"),
        };
        let bold = Style::new().bold();
        let dim = AnsiColor::Blue.on_default().bold();
        let paint = |s: Style, t: &str| {
            if color {
                format!("{}{}{}", s.render(), t, s.render_reset())
            } else {
                t.to_string()
            }
        };
        let mut out = format!("{}: {}: {}\n", paint(bold, &self.location()), paint(label_style, label), self.message);
        if let (Some((line, _)), Some(Excerpt { text: shown, caret })) = (self.position, &self.excerpt) {
            let caret = *caret;
            let num = line.to_string();
            let pad = " ".repeat(num.len());
            out.push_str(&format!("{} {}\n", pad, paint(dim, "|")));
            out.push_str(&format!("{} {} {}\n", paint(dim, &num), paint(dim, "|"), shown));
            out.push_str(&format!("{} {} {}{}\n", pad, paint(dim, "|"), " ".repeat(caret), paint(label_style, "^")));
        }
        out
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location(), self.message)
    }
}

/// 1-based line, 1-based character column and the text of the line containing byte `offset`.
pub(crate) fn locate(source: &str, offset: usize) -> (usize, usize, &str) {
    let mut offset = offset.min(source.len());
    while !source.is_char_boundary(offset) {
        offset -= 1;
    }
    let line_start = source[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line_end = source[offset..].find('\n').map_or(source.len(), |i| offset + i);
    let line = source[..line_start].bytes().filter(|&b| b == b'\n').count() + 1;
    let col = source[line_start..offset].chars().count() + 1;
    (line, col, source[line_start..line_end].trim_end_matches('\r'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locate_counts_lines_and_characters() {
        let src = "one\ntwo é three\nfour";
        let off = src.find("three").unwrap();
        assert_eq!(locate(src, off), (2, 7, "two é three"));
        assert_eq!(locate(src, 0), (1, 1, "one"));
        assert_eq!(locate(src, src.len()), (3, 5, "four"));
    }

    #[test]
    fn locate_survives_offsets_inside_a_character() {
        let src = "é";
        assert_eq!(locate(src, 1).0, 1);
    }

    #[test]
    fn display_is_path_line_col_message() {
        let d = Diagnostic::at("a/b.md", "x\nyy bad", 5, "broken");
        assert_eq!(d.to_string(), "a/b.md:2:4: broken");
        let r = d.render(false);
        assert!(r.starts_with("a/b.md:2:4: error: broken\n"), "{r}");
        assert!(r.contains("2 | yy bad\n"), "{r}");
        assert!(r.contains("  |    ^"), "{r}");
    }

    #[test]
    fn long_lines_are_clipped_around_the_column() {
        let line = format!("{}X{}", "é".repeat(300), "b".repeat(300));
        let e = Excerpt::at_column(&line, 301);
        assert!(e.text.chars().count() <= 126, "{}", e.text);
        assert!(e.text.starts_with("...") && e.text.ends_with("..."));
        assert_eq!(e.text.chars().nth(e.caret), Some('X'));
        // near either end only one side is clipped
        let e = Excerpt::at_column(&line, 1);
        assert_eq!((e.caret, e.text.starts_with("..."), e.text.ends_with("...")), (0, false, true));
        let e = Excerpt::at_column(&line, 600);
        assert_eq!(e.text.chars().nth(e.caret), Some('b'));
        assert!(e.text.starts_with("...") && !e.text.ends_with("..."));
        // a line that fits is shown whole, wherever the column; tabs as spaces
        let fits = "x".repeat(110);
        assert_eq!(Excerpt::at_column(&fits, 100), Excerpt { text: fits.clone(), caret: 99 });
        assert_eq!(Excerpt::at_column("a\tb", 3), Excerpt { text: "a b".into(), caret: 2 });
        assert_eq!(Excerpt::at_column("ab", 9), Excerpt { text: "ab".into(), caret: 2 });
    }
}
