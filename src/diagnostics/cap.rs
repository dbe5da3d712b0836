//! Keeps the printed list short: a file with thousands of problems shows the first
//! [`PER_FILE`] of each severity and one line counting the rest.

use std::collections::HashMap;
use std::path::Path;

use super::{Diagnostic, Severity};

/// At most this many errors (and, apart, warnings) are shown per file.
pub(crate) const PER_FILE: usize = 50;

/// One entry of the list as printed.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Shown<'a> {
    One(&'a Diagnostic),
    /// `… and 3,950 more in content/p.md`.
    More {
        path: &'a Path,
        severity: Severity,
        count: usize,
    },
}

/// The diagnostics to print, in order, with the ones past the cap of their file replaced by a
/// count placed right after that file's last shown entry.
pub(crate) fn capped(diagnostics: &[Diagnostic]) -> Vec<Shown<'_>> {
    let mut total: HashMap<(&Path, Severity), usize> = HashMap::new();
    for d in diagnostics {
        *total.entry((&d.path, d.severity)).or_default() += 1;
    }
    let mut seen: HashMap<(&Path, Severity), usize> = HashMap::new();
    let mut out = Vec::new();
    for d in diagnostics {
        let key = (d.path.as_path(), d.severity);
        let n = seen.entry(key).or_default();
        *n += 1;
        if *n <= PER_FILE {
            out.push(Shown::One(d));
        }
        if *n == PER_FILE && total[&key] > PER_FILE {
            out.push(Shown::More { path: key.0, severity: d.severity, count: total[&key] - PER_FILE });
        }
    }
    out
}

/// Renders the capped list, one string per entry (`color` adds ANSI styling).
pub fn render_capped(diagnostics: &[Diagnostic], color: bool) -> Vec<String> {
    capped(diagnostics)
        .into_iter()
        .map(|s| match s {
            Shown::One(d) => d.render(color),
            Shown::More { path, severity, count } => {
                let what = match (severity, count) {
                    (Severity::Error, _) => "",
                    (Severity::Warning, 1) => " warning",
                    (Severity::Warning, _) => " warnings",
                };
                format!("… and {} more{what} in {}\n", thousands(count), path.display())
            }
        })
        .collect()
}

/// `3950` → `3,950`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn many(path: &str, n: usize) -> Vec<Diagnostic> {
        (0..n).map(|i| Diagnostic::at_line(path, 1, i + 1, format!("e{i}"))).collect()
    }

    #[test]
    fn a_file_shows_fifty_errors_then_a_count() {
        let mut all = many("content/p.md", 4000);
        all.extend(many("content/q.md", 2));
        let lines = render_capped(&all, false);
        assert_eq!(lines.len(), PER_FILE + 1 + 2);
        assert_eq!(lines[PER_FILE], "… and 3,950 more in content/p.md\n");
        assert!(lines[PER_FILE + 1].starts_with("content/q.md:1:1"));
    }

    #[test]
    fn warnings_are_capped_apart_from_errors() {
        let mut all = many("a.md", 51);
        all.extend(many("a.md", 52).into_iter().map(Diagnostic::warning));
        let lines = render_capped(&all, false);
        assert_eq!(lines.iter().filter(|l| l.starts_with("…")).count(), 2);
        assert!(lines.contains(&"… and 1 more in a.md\n".to_string()));
        assert!(lines.contains(&"… and 2 more warnings in a.md\n".to_string()));
    }

    #[test]
    fn exactly_fifty_has_no_count() {
        assert_eq!(render_capped(&many("a.md", 50), false).len(), 50);
    }

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1234567), "1,234,567");
    }
}
