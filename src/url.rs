//! The two rules every URL stagebook writes follows, in one place: paths built from file names
//! are percent-encoded one way everywhere (pages, sidebar, `toc.js`, search data, sitemap), and
//! link destinations written by authors keep only schemes that cannot run script.

use std::borrow::Cow;

use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};

/// The WHATWG path-segment percent-encode set (C0 controls, space, `"`, `#`, `<`, `>`, `?`, `^`,
/// `` ` ``, `{`, `}`, `/`, `%`; non-ASCII is always encoded as UTF-8) plus `:`, so a name can
/// never read as a scheme.
const SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'/')
    .add(b'%')
    .add(b':');

/// One path segment (a file or folder name) as it goes into a URL. Borrowed when nothing
/// needs encoding: the sidebar of every page builds hundreds of hrefs from segments.
pub(crate) fn encode_segment(name: &str) -> Cow<'_, str> {
    if !name.bytes().any(needs) {
        return Cow::Borrowed(name);
    }
    utf8_percent_encode(name, SEGMENT).into()
}

/// A `/`-separated output path (`guide/a b/index.html`) as a URL path: each segment encoded by
/// [`encode_segment`], the slashes kept. Borrowed when nothing needs encoding (the usual case).
pub(crate) fn encode_path(path: &str) -> Cow<'_, str> {
    if !path.bytes().any(|b| b != b'/' && needs(b)) {
        return Cow::Borrowed(path);
    }
    let parts: Vec<Cow<str>> = path.split('/').map(encode_segment).collect();
    Cow::Owned(parts.join("/"))
}

/// Whether [`SEGMENT`] encodes byte `b` (a test checks the two agree), one table look-up.
fn needs(b: u8) -> bool {
    NEEDS[b as usize]
}

/// [`needs`] for every byte, built once at compile time.
const NEEDS: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let byte = b as u8;
        table[b] = !byte.is_ascii()
            || byte.is_ascii_control()
            || matches!(byte, b' ' | b'"' | b'#' | b'<' | b'>' | b'?' | b'^' | b'`' | b'{' | b'}' | b'/' | b'%' | b':');
        b += 1;
    }
    table
};

/// Where a link destination may appear.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Target {
    /// An `href`.
    Link,
    /// An image's `src`: `data:image/…` is allowed there too (an image cannot run script).
    Image,
}

/// The scheme of `dest` as a browser reads it: tab, newline and carriage return removed
/// anywhere, leading C0 controls and spaces dropped, letters lowercased. `None` for a relative
/// reference (`a/b.md`, `#x`, `//host/x`, `?q`).
pub(crate) fn scheme(dest: &str) -> Option<String> {
    let mut chars = dest.chars().filter(|c| !matches!(c, '\t' | '\n' | '\r')).skip_while(|c| *c <= ' ');
    let first = chars.next().filter(char::is_ascii_alphabetic)?;
    let mut scheme = String::from(first.to_ascii_lowercase());
    for c in chars {
        match c {
            ':' => return Some(scheme),
            c if c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.') => scheme.push(c.to_ascii_lowercase()),
            _ => return None,
        }
    }
    None
}

/// `None` when `dest` is safe where `target` puts it (relative, or `http`, `https`, `mailto`,
/// `tel`; `data:image/…` for images); else the scheme that makes it unsafe.
pub(crate) fn unsafe_scheme(dest: &str, target: Target) -> Option<String> {
    let scheme = scheme(dest)?;
    if matches!(scheme.as_str(), "http" | "https" | "mailto" | "tel") {
        return None;
    }
    if scheme == "data" && target == Target::Image {
        let rest: String = dest.chars().filter(|c| !matches!(c, '\t' | '\n' | '\r')).collect();
        let rest = rest.trim_start_matches(|c: char| c <= ' ');
        if rest.get(5..11).is_some_and(|m| m.eq_ignore_ascii_case("image/")) {
            return None;
        }
    }
    Some(scheme)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fast_path_agrees_with_the_set() {
        for b in 0..=255u8 {
            let s = [b];
            let encoded: Cow<str> = percent_encoding::percent_encode(&s, SEGMENT).into();
            assert_eq!(needs(b), encoded.len() > 1, "byte {b}");
        }
    }

    #[test]
    fn paths_are_encoded_segment_by_segment() {
        assert_eq!(encode_path("guide/setup/index.html"), "guide/setup/index.html");
        assert!(matches!(encode_path("a/b/index.html"), Cow::Borrowed(_)));
        assert_eq!(encode_path("a b/c#d/e%f?/index.html"), "a%20b/c%23d/e%25f%3F/index.html");
        assert_eq!(encode_path("javascript:alert(1)/index.html"), "javascript%3Aalert(1)/index.html");
        assert_eq!(encode_path("caf\u{e9}/x^`{}.png"), "caf%C3%A9/x%5E%60%7B%7D.png");
        assert_eq!(encode_path("ctl\u{1}\u{7f}/x\"<>.png"), "ctl%01%7F/x%22%3C%3E.png");
        assert_eq!(encode_segment("a/b"), "a%2Fb");
    }

    #[test]
    fn schemes_are_read_the_way_browsers_read_them() {
        assert_eq!(scheme("JaVaScRiPt:alert(1)").as_deref(), Some("javascript"));
        assert_eq!(scheme("java\tscript:x").as_deref(), Some("javascript"));
        assert_eq!(scheme("java\nscr\ript:x").as_deref(), Some("javascript"));
        assert_eq!(scheme(" javascript:x").as_deref(), Some("javascript"));
        assert_eq!(scheme("\u{1}\u{1f} javascript:x").as_deref(), Some("javascript"));
        assert_eq!(scheme("vb.s-c+ript:x").as_deref(), Some("vb.s-c+ript"));
        assert_eq!(scheme("a/b:c.md"), None);
        assert_eq!(scheme("#x:y"), None);
        assert_eq!(scheme("//host/x"), None);
        assert_eq!(scheme("1abc:x"), None);
        assert_eq!(scheme("\u{a0}javascript:x"), None, "only C0 and space are stripped: this is a path");
        assert_eq!(scheme("%6Aavascript:x"), None);
        assert_eq!(scheme(""), None);
    }

    #[test]
    fn only_safe_schemes_pass() {
        for ok in ["https://x.org", "HTTP://x", "mailto:a@b", "tel:+1", "a.md", "#top", "//cdn/x", "?q=1", ""] {
            assert_eq!(unsafe_scheme(ok, Target::Link), None, "{ok}");
        }
        for bad in ["javascript:alert(1)", "vbscript:x", "data:text/html,x", "file:///etc", "c:/x"] {
            assert!(unsafe_scheme(bad, Target::Link).is_some(), "{bad}");
            assert!(unsafe_scheme(bad, Target::Image).is_some(), "{bad}");
        }
        assert_eq!(unsafe_scheme("data:image/png;base64,AA", Target::Image), None);
        assert_eq!(unsafe_scheme(" DATA:Image/svg+xml,x", Target::Image), None);
        assert_eq!(unsafe_scheme("data:image/png;base64,AA", Target::Link).as_deref(), Some("data"));
        assert_eq!(unsafe_scheme("data:imag", Target::Image).as_deref(), Some("data"));
    }
}
