//! TOML front matter between `+++` lines at the top of a page.

use serde::Deserialize;
use toml::Spanned;

/// The keys a page may set. Unknown keys are errors, so a typo never silently does nothing;
/// free-form data goes under `[extra]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FrontMatter {
    pub title: Option<String>,
    pub description: Option<String>,
    /// Position among siblings: lower first; pages without a weight come after weighted ones.
    pub weight: Option<i64>,
    #[serde(default)]
    pub draft: bool,
    /// A template of the theme to render this page with instead of the default one.
    pub template: Option<Spanned<String>>,
    #[serde(default)]
    pub extra: toml::Table,
}

/// A page's text cut into front matter and body.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Split<'a> {
    /// The TOML text and its byte offset in the file.
    pub front: Option<(&'a str, usize)>,
    pub body: &'a str,
    /// Byte offset of the body in the file.
    pub body_offset: usize,
}

use crate::diagnostics::Problem;

/// What an opening `+++` without a closing one is reported as.
const UNCLOSED: &str = "front matter opened with `+++` is never closed (add a `+++` line after it)";

/// Splits `text` at the `+++` fences. Text without an opening fence is all body.
pub(crate) fn split(text: &str) -> Result<Split<'_>, Problem> {
    let start = if text.starts_with('\u{feff}') { '\u{feff}'.len_utf8() } else { 0 };
    let rest = &text[start..];
    let first_line_end = rest.find('\n').map_or(rest.len(), |i| i + 1);
    if rest[..first_line_end].trim_end() != "+++" {
        return Ok(Split { front: None, body: rest, body_offset: start });
    }
    let front_start = start + first_line_end;
    let mut pos = front_start;
    while pos < text.len() {
        let end = text[pos..].find('\n').map_or(text.len(), |i| pos + i + 1);
        if text[pos..end].trim_end() == "+++" {
            return Ok(Split {
                front: Some((&text[front_start..pos], front_start)),
                body: &text[end..],
                body_offset: end,
            });
        }
        pos = end;
    }
    Err(Problem::error(0, UNCLOSED))
}

/// Parses the TOML between the fences; error offsets are relative to the file.
pub(crate) fn parse(toml_text: &str, offset: usize) -> Result<FrontMatter, Problem> {
    toml::from_str(toml_text).map_err(|e| Problem::error(offset + e.span().map_or(0, |s| s.start), e.message().trim()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_front_matter_from_body() {
        let text = "+++\ntitle = \"A\"\n+++\n# Body\n";
        let s = split(text).unwrap();
        assert_eq!(s.front, Some(("title = \"A\"\n", 4)));
        assert_eq!(s.body, "# Body\n");
        assert_eq!(&text[s.body_offset..], "# Body\n");
    }

    #[test]
    fn handles_crlf_and_bom() {
        let text = "\u{feff}+++\r\nweight = 1\r\n+++\r\nbody";
        let s = split(text).unwrap();
        assert_eq!(s.front.unwrap().0, "weight = 1\r\n");
        assert_eq!(s.body, "body");
    }

    #[test]
    fn no_fence_means_all_body() {
        let s = split("# Title\n+++\n").unwrap();
        assert!(s.front.is_none());
        assert_eq!(s.body, "# Title\n+++\n");
        assert_eq!(split("").unwrap().body, "");
    }

    #[test]
    fn unclosed_fence_is_an_error() {
        assert_eq!(split("+++\ntitle = \"x\"\n"), Err(Problem::error(0, UNCLOSED)));
        assert_eq!(split("+++"), Err(Problem::error(0, UNCLOSED)));
    }

    #[test]
    fn bad_toml_points_into_the_file() {
        let text = "+++\ntitle = \"ok\"\nweight = \"heavy\"\n+++\n";
        let s = split(text).unwrap();
        let (fm, off) = s.front.unwrap();
        match parse(fm, off) {
            Err(Problem { offset, .. }) => assert_eq!(&text[offset..offset + 7], "\"heavy\""),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn unknown_keys_are_rejected() {
        assert!(matches!(parse("titel = \"x\"", 0), Err(Problem { is_error: true, .. })));
        let fm = parse("title = \"x\"\n[extra]\nowner = \"ops\"\n", 0).unwrap();
        assert_eq!(fm.extra["owner"].as_str(), Some("ops"));
    }
}
