//! Errors that point at a place in a source file.
//!
//! Every problem the build finds in user input ends up as a [`Diagnostic`]: a path, an optional
//! line and column, a message and the offending source line. They are collected, not thrown, so
//! one run reports everything it found (`path:line:col: message`).

use std::fmt;
use std::path::PathBuf;

/// How serious a diagnostic is: errors fail the build, warnings are printed only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

/// One problem found in the user's files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    /// Path as shown to the user (relative to the book folder where possible).
    pub path: PathBuf,
    /// 1-based line and column (columns count characters), when the problem has a place.
    pub position: Option<(usize, usize)>,
    pub message: String,
    /// The source line the position points into, shown under the message.
    pub excerpt: Option<String>,
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
        }
    }

    /// An error at byte `offset` of `source` (the full text of `path`).
    pub fn at(path: impl Into<PathBuf>, source: &str, offset: usize, message: impl Into<String>) -> Self {
        let (line, col, text) = locate(source, offset);
        Diagnostic {
            severity: Severity::Error,
            path: path.into(),
            position: Some((line, col)),
            message: message.into(),
            excerpt: Some(text.to_string()),
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
        }
    }

    /// The same diagnostic, downgraded to a warning.
    pub fn warning(mut self) -> Self {
        self.severity = Severity::Warning;
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
        if let (Some((line, col)), Some(text)) = (self.position, &self.excerpt) {
            let (shown, caret) = clip_excerpt(text, col);
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

/// Keeps long lines readable: at most ~100 characters around the column.
fn clip_excerpt(text: &str, col: usize) -> (String, usize) {
    const WIDTH: usize = 100;
    let chars: Vec<char> = text.chars().map(|c| if c == '\t' { ' ' } else { c }).collect();
    let col0 = col.saturating_sub(1).min(chars.len());
    if chars.len() <= WIDTH {
        return (chars.iter().collect(), col0);
    }
    let start = col0.saturating_sub(WIDTH / 2);
    let end = (start + WIDTH).min(chars.len());
    let mut shown: String = chars[start..end].iter().collect();
    let mut caret = col0 - start;
    if start > 0 {
        shown.insert_str(0, "...");
        caret += 3;
    }
    if end < chars.len() {
        shown.push_str("...");
    }
    (shown, caret)
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
        let line = format!("{}X{}", "a".repeat(300), "b".repeat(300));
        let (shown, caret) = clip_excerpt(&line, 301);
        assert!(shown.len() < 120);
        assert_eq!(shown.chars().nth(caret), Some('X'));
    }
}
