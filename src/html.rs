//! HTML escaping, at the bottom of the layers: markdown, templates (Tera's escape function),
//! highlighted code, the sidebar, the chart and the sitemap all escape text the same way.

/// Escapes text for HTML element content and attribute values.
pub(crate) fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 16 + 8);
    push_escaped(&mut out, s);
    out
}

/// Appends `s` escaped; copies runs of plain bytes at once (this runs for every value a
/// template prints, so it is on the hot path).
pub(crate) fn push_escaped(out: &mut String, s: &str) {
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let rep = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            // NUL is a parse error in HTML, dropped or replaced by browsers as they please.
            0 => "\u{FFFD}",
            _ => continue,
        };
        out.push_str(&s[start..i]);
        out.push_str(rep);
        start = i + 1;
    }
    out.push_str(&s[start..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_handles_every_special_character() {
        assert_eq!(escape_html("a<b>&\"c'd\u{e9}"), "a&lt;b&gt;&amp;&quot;c&#39;d\u{e9}");
        assert_eq!(escape_html("plain"), "plain");
        assert_eq!(escape_html("a\0b"), "a\u{FFFD}b");
    }
}
