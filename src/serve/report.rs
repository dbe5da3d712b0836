//! The one line `serve` prints per rebuild: short enough for one terminal line however many
//! files a checkout touched.

/// The longest rebuild line, in characters.
const MAX_LINE: usize = 100;
/// Changed files are named up to this many; more are counted.
const MAX_NAMED: usize = 3;

/// `1994` as `1,994`.
pub(crate) fn count(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `3 pages`, `1 page`, `1,994 pages`.
pub(crate) fn plural(n: usize, noun: &str) -> String {
    format!("{} {noun}{}", count(n), if n == 1 { "" } else { "s" })
}

/// `Rebuilt <what> in <ms> ms (<changed>)`: the changed files by name when there are a few,
/// their number otherwise; clipped to `MAX_LINE` characters.
pub(crate) fn rebuilt(what: &str, millis: u128, changed: &[String]) -> String {
    let head = format!("Rebuilt {what} in {millis} ms");
    let tail = match changed.len() {
        0 => return head,
        n if n > MAX_NAMED => format!(" ({} changed)", plural(n, "file")),
        _ => format!(" ({})", changed.join(", ")),
    };
    let line = head + &tail;
    if line.chars().count() <= MAX_LINE {
        return line;
    }
    let mut clipped: String = line.chars().take(MAX_LINE - 2).collect();
    clipped.push_str("…)");
    clipped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_have_thousands_separators() {
        for (n, s) in [(0, "0"), (7, "7"), (999, "999"), (1000, "1,000"), (1994, "1,994"), (1234567, "1,234,567")] {
            assert_eq!(count(n), s);
        }
        assert_eq!(plural(1, "page"), "1 page");
        assert_eq!(plural(2000, "file"), "2,000 files");
    }

    #[test]
    fn a_rebuild_line_names_a_few_files_counts_many_and_fits_one_line() {
        let names = |n: usize| (0..n).map(|i| format!("guide/page-{i}.md")).collect::<Vec<_>>();
        assert_eq!(rebuilt("1 page", 2, &names(1)), "Rebuilt 1 page in 2 ms (guide/page-0.md)");
        assert_eq!(rebuilt("9 pages", 30, &[]), "Rebuilt 9 pages in 30 ms");
        assert_eq!(
            rebuilt("2 pages", 3, &names(3)),
            "Rebuilt 2 pages in 3 ms (guide/page-0.md, guide/page-1.md, guide/page-2.md)"
        );
        assert_eq!(
            rebuilt(&plural(1994, "page"), 812, &names(2000)),
            "Rebuilt 1,994 pages in 812 ms (2,000 files changed)"
        );
        let long = vec!["a/".repeat(200) + "page.md"];
        let line = rebuilt("1 page", 5, &long);
        assert_eq!(line.chars().count(), MAX_LINE, "{line}");
        assert!(line.starts_with("Rebuilt 1 page in 5 ms (a/a/") && line.ends_with("…)"), "{line}");
    }
}
