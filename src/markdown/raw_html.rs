//! Raw HTML inside markdown, read with a WHATWG tokenizer (html5gum): URL attributes (`href`,
//! `src`, `srcset`, `poster`) are handed to the caller to rewrite like markdown links, attributes
//! whose URL has a script scheme are removed, and element ids (and `<a name>`) are collected as
//! anchors. Only the bytes of an attribute that changes are rewritten: every other byte of the
//! fragment, attribute order and quoting included, stays as the author wrote it.
//!
//! A tokenizer does not know which element the browser's tree builder is in, so where the two
//! could disagree (text of `<script>`, `<style>`, `<textarea>`… and the same names inside `<svg>`
//! or `<math>`, which are not raw text there) the fragment is also read the other ways, and a
//! script URL found by any reading is removed.

use std::ops::Range;

use html5gum::emitters::callback::{CallbackEmitter, CallbackEvent};
use html5gum::{Error, Span, State, Tokenizer};

use crate::html::escape_html;
use crate::url::{unsafe_scheme, Target};

/// One URL-valued attribute of a start tag, as the browser reads it (character references
/// decoded, surrounding spaces removed).
pub(crate) struct UrlAttr<'v> {
    pub value: &'v str,
    /// Byte offset of the value in the fragment.
    pub at: usize,
}

/// What becomes of a URL attribute.
pub(crate) enum Verdict {
    Keep,
    /// Written with this value instead.
    Replace(String),
}

/// A URL attribute removed because of its scheme.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Removed {
    pub attr: String,
    pub scheme: String,
    /// Byte offset of the attribute's value in the fragment.
    pub at: usize,
}

/// What reading a fragment gave.
#[derive(Debug, Default)]
pub(crate) struct Fragment {
    /// The fragment as written out; `None` when it is unchanged.
    pub html: Option<String>,
    /// Ids (and `<a name>`s) of its elements.
    pub anchors: Vec<String>,
    pub removed: Vec<Removed>,
    /// The fragment ended inside a tag, which was closed (at this offset) so that it cannot take
    /// in the markup that follows it on the page.
    pub closed_at: Option<usize>,
}

/// How a reading treats the text of `<script>`, `<style>`, `<textarea>` and the like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reading {
    /// As the browser does for HTML elements, and not inside `<svg>` or `<math>`.
    Browser,
    /// Always as raw text.
    RawText,
    /// Never: their content is read as markup.
    Markup,
}

/// A start tag as read: name, offset of its `<`, attributes.
#[derive(Debug, Default)]
struct StartTag {
    name: String,
    attrs: Vec<Attr>,
}

#[derive(Debug)]
struct Attr {
    name: String,
    name_start: usize,
    /// Decoded value and the range of its bytes in the fragment (quotes excluded).
    value: Option<(String, Range<usize>)>,
}

enum Token {
    Start(StartTag, bool),
    End(String),
    EofInTag,
}

/// One reading of a fragment: its start tags in order, and whether it ended inside a tag.
struct Scan {
    tags: Vec<StartTag>,
    eof_in_tag: bool,
    /// A tag was met that the readings may treat differently.
    ambiguous: bool,
}

fn scan(input: &str, reading: Reading, foreign_depth: &mut u32) -> Scan {
    let mut current: Option<StartTag> = None;
    let emitter = CallbackEmitter::new(move |event: CallbackEvent<'_>, span: Span<usize>| -> Option<Token> {
        match event {
            CallbackEvent::OpenStartTag { name } => {
                current = Some(StartTag { name: String::from_utf8_lossy(name).into_owned(), attrs: Vec::new() });
            }
            CallbackEvent::AttributeName { name } => {
                if let Some(tag) = current.as_mut() {
                    let name = String::from_utf8_lossy(name).into_owned();
                    tag.attrs.push(Attr { name, name_start: span.start, value: None });
                }
            }
            CallbackEvent::AttributeValue { value } => {
                if let Some(attr) = current.as_mut().and_then(|t| t.attrs.last_mut()) {
                    attr.value = Some((String::from_utf8_lossy(value).into_owned(), span.start..span.end));
                }
            }
            CallbackEvent::CloseStartTag { self_closing } => {
                return current.take().map(|tag| Token::Start(tag, self_closing));
            }
            CallbackEvent::EndTag { name } => {
                current = None;
                return Some(Token::End(String::from_utf8_lossy(name).into_owned()));
            }
            CallbackEvent::Error(Error::EofInTag) => return Some(Token::EofInTag),
            _ => {}
        }
        None
    });
    let mut tokenizer = Tokenizer::new_with_emitter(input, emitter);
    let mut out = Scan { tags: Vec::new(), eof_in_tag: false, ambiguous: false };
    while let Some(Ok(token)) = tokenizer.next() {
        match token {
            Token::Start(tag, self_closing) => {
                let text_state = raw_text_state(&tag.name);
                out.ambiguous |= text_state.is_some() || is_foreign_root(&tag.name);
                if let Some(state) = text_state {
                    let switch = match reading {
                        Reading::Browser => *foreign_depth == 0,
                        Reading::RawText => true,
                        Reading::Markup => false,
                    };
                    if switch {
                        tokenizer.set_state(state);
                    }
                } else if is_foreign_root(&tag.name) && !self_closing {
                    *foreign_depth += 1;
                } else if *foreign_depth > 0 && breaks_out_of_foreign_content(&tag.name) {
                    *foreign_depth = 0;
                }
                out.tags.push(tag);
            }
            Token::End(name) => {
                if is_foreign_root(&name) {
                    *foreign_depth = foreign_depth.saturating_sub(1);
                }
            }
            Token::EofInTag => out.eof_in_tag = true,
        }
    }
    out
}

/// The tokenizer state an HTML element's content is read in, when it is not markup.
fn raw_text_state(name: &str) -> Option<State> {
    match name {
        "textarea" | "title" => Some(State::RcData),
        "plaintext" => Some(State::PlainText),
        "script" => Some(State::ScriptData),
        "style" | "iframe" | "xmp" | "noembed" | "noframes" | "noscript" => Some(State::RawText),
        _ => None,
    }
}

fn is_foreign_root(name: &str) -> bool {
    matches!(name, "svg" | "math")
}

/// HTML start tags that end `<svg>`/`<math>` content (the HTML standard's list for foreign content).
fn breaks_out_of_foreign_content(name: &str) -> bool {
    matches!(
        name,
        "b" | "big"
            | "blockquote"
            | "body"
            | "br"
            | "center"
            | "code"
            | "dd"
            | "div"
            | "dl"
            | "dt"
            | "em"
            | "embed"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "head"
            | "hr"
            | "i"
            | "img"
            | "li"
            | "listing"
            | "menu"
            | "meta"
            | "nobr"
            | "ol"
            | "p"
            | "pre"
            | "ruby"
            | "s"
            | "small"
            | "span"
            | "strong"
            | "strike"
            | "sub"
            | "sup"
            | "table"
            | "tt"
            | "u"
            | "ul"
            | "var"
    )
}

/// How an attribute of a tag holds URLs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum UrlSlot {
    /// One URL, resolved like a markdown link.
    Resolved(Target),
    /// `srcset`: image candidates, each resolved.
    SrcSet,
    /// One URL, only checked for its scheme.
    Checked,
    /// `;`-separated values (SVG animation of an `href`), only checked.
    CheckedList,
}

fn url_slot(tag: &str, attr: &str) -> Option<UrlSlot> {
    Some(match attr {
        "href" => UrlSlot::Resolved(Target::Link),
        "src" if matches!(tag, "img" | "input") => UrlSlot::Resolved(Target::Image),
        "src" => UrlSlot::Resolved(Target::Link),
        "poster" => UrlSlot::Resolved(Target::Image),
        "srcset" => UrlSlot::SrcSet,
        "action" | "formaction" | "data" | "cite" | "background" | "xlink:href" | "codebase" | "longdesc"
        | "manifest" | "icon" | "lowsrc" | "dynsrc" => UrlSlot::Checked,
        "to" | "from" | "by" | "values" if matches!(tag, "animate" | "set") => UrlSlot::CheckedList,
        _ => return None,
    })
}

/// The spaces a browser strips around a URL.
fn is_html_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\u{c}')
}

/// The unsafe scheme among the URLs of an attribute value, if any.
fn unsafe_in(slot: UrlSlot, value: &str) -> Option<String> {
    match slot {
        UrlSlot::Resolved(target) => unsafe_scheme(value, target),
        UrlSlot::Checked => unsafe_scheme(value, Target::Link),
        UrlSlot::CheckedList => value.split(';').find_map(|v| unsafe_scheme(v, Target::Link)),
        // Also each comma-separated part whole: `java<TAB>script:` is one URL to some readers.
        UrlSlot::SrcSet => srcset(value)
            .iter()
            .find_map(|(url, _)| unsafe_scheme(url, Target::Image))
            .or_else(|| value.split(',').find_map(|part| unsafe_scheme(part, Target::Image))),
    }
}

/// The image candidates of a `srcset`: URL and descriptors (`2x`, `640w`), as the HTML
/// standard splits them (a URL ends at a space; a comma ends a candidate outside parentheses).
fn srcset(value: &str) -> Vec<(&str, &str)> {
    let mut out = Vec::new();
    let mut rest = value;
    loop {
        rest = rest.trim_start_matches(|c: char| is_html_space(c) || c == ',');
        if rest.is_empty() {
            return out;
        }
        let url_end = rest.find(is_html_space).unwrap_or(rest.len());
        let url = &rest[..url_end];
        if url.ends_with(',') {
            out.push((url.trim_end_matches(','), ""));
            rest = &rest[url_end..];
            continue;
        }
        let mut depth = 0usize;
        let mut end = rest.len();
        for (i, c) in rest[url_end..].char_indices() {
            match c {
                '(' => depth += 1,
                ')' => depth = depth.saturating_sub(1),
                ',' if depth == 0 => {
                    end = url_end + i;
                    break;
                }
                _ => {}
            }
        }
        out.push((url, rest[url_end..end].trim_matches(is_html_space)));
        rest = &rest[end..];
    }
}

/// A change to the fragment's bytes.
struct Edit {
    range: Range<usize>,
    text: String,
}

/// Reads `input`, a fragment of raw HTML; `on_url` decides what each URL attribute that is safe
/// becomes. `foreign_depth` carries `<svg>`/`<math>` nesting from the page's earlier fragments.
pub(crate) fn rewrite(input: &str, foreign_depth: &mut u32, on_url: &mut dyn FnMut(UrlAttr) -> Verdict) -> Fragment {
    let start_depth = *foreign_depth;
    let first = scan(input, Reading::Browser, foreign_depth);
    if !first.eof_in_tag {
        return finish(input, first, start_depth, None, on_url);
    }
    // Close the tag, whatever quote it is in, so that it cannot take in the page's next markup.
    for suffix in [">", "\">", "'>"] {
        let closed = format!("{input}{suffix}");
        let mut depth = start_depth;
        let again = scan(&closed, Reading::Browser, &mut depth);
        if !again.eof_in_tag {
            *foreign_depth = depth;
            return finish(&closed, again, start_depth, Some(input.len()), on_url);
        }
    }
    finish(input, first, start_depth, None, on_url)
}

/// Collects anchors and edits from the first reading of `text`, adds the other readings' script
/// URLs when they may see tags it did not, and writes the edited fragment.
fn finish(
    text: &str,
    first: Scan,
    start_depth: u32,
    closed_at: Option<usize>,
    on_url: &mut dyn FnMut(UrlAttr) -> Verdict,
) -> Fragment {
    let mut fragment = Fragment { closed_at, ..Fragment::default() };
    let mut edits: Vec<Edit> = Vec::new();
    for tag in &first.tags {
        for attr in &tag.attrs {
            if attr.name == "id" || (attr.name == "name" && tag.name == "a") {
                if let Some((value, _)) = &attr.value {
                    fragment.anchors.push(value.clone());
                }
            }
            let (Some(slot), Some((value, range))) = (url_slot(&tag.name, &attr.name), &attr.value) else { continue };
            if let Some(scheme) = unsafe_in(slot, value) {
                edits.push(removal(text, attr, range));
                fragment.removed.push(Removed { attr: attr.name.clone(), scheme, at: range.start });
                continue;
            }
            if let Some(new) = resolved(slot, value, range.start, on_url) {
                edits.push(replacement(text, range, &new));
            }
        }
    }
    if first.ambiguous {
        // Where the tree builder might not be where the first reading assumed, the other
        // readings may see tags it took for text: their script URLs go too.
        for reading in [Reading::Markup, Reading::RawText] {
            let other = scan_closed(text, reading, start_depth);
            for tag in &other.tags {
                for attr in &tag.attrs {
                    let (Some(slot), Some((value, range))) = (url_slot(&tag.name, &attr.name), &attr.value) else {
                        continue;
                    };
                    let Some(scheme) = unsafe_in(slot, value) else { continue };
                    let edit = removal(text, attr, range);
                    if edits.iter().any(|e| e.range == edit.range) {
                        continue;
                    }
                    if edits.iter().any(|e| e.range.start < edit.range.end && edit.range.start < e.range.end) {
                        // Readings that disagree this much: show the fragment as text.
                        fragment.html = Some(escape_html(text));
                        fragment.removed.push(Removed { attr: attr.name.clone(), scheme, at: range.start });
                        return fragment;
                    }
                    fragment.removed.push(Removed { attr: attr.name.clone(), scheme, at: range.start });
                    edits.push(edit);
                }
            }
        }
    }
    if edits.is_empty() && closed_at.is_none() {
        return fragment;
    }
    edits.sort_by_key(|e| e.range.start);
    let mut html = String::with_capacity(text.len() + 16);
    let mut pos = 0;
    for edit in edits {
        html.push_str(&text[pos..edit.range.start]);
        html.push_str(&edit.text);
        pos = edit.range.end;
    }
    html.push_str(&text[pos..]);
    fragment.html = Some(html);
    fragment
}

/// A reading of `text` in which a tag left open at its end is closed (that reading's tag may
/// run into the page's next markup in a browser), so its attributes are seen too.
fn scan_closed(text: &str, reading: Reading, depth: u32) -> Scan {
    let scanned = scan(text, reading, &mut depth.clone());
    if !scanned.eof_in_tag {
        return scanned;
    }
    for suffix in [">", "\">", "'>"] {
        let again = scan(&format!("{text}{suffix}"), reading, &mut depth.clone());
        if !again.eof_in_tag {
            return again;
        }
    }
    scanned
}

/// The new value of a URL attribute, if `on_url` changes it.
fn resolved(slot: UrlSlot, value: &str, at: usize, on_url: &mut dyn FnMut(UrlAttr) -> Verdict) -> Option<String> {
    match slot {
        UrlSlot::Resolved(_) => {
            let trimmed = value.trim_matches(is_html_space);
            if trimmed.is_empty() {
                return None;
            }
            match on_url(UrlAttr { value: trimmed, at }) {
                Verdict::Keep => None,
                Verdict::Replace(new) => Some(new),
            }
        }
        UrlSlot::SrcSet => {
            let mut changed = false;
            let candidates: Vec<String> = srcset(value)
                .into_iter()
                .map(|(url, descriptors)| {
                    let url = match on_url(UrlAttr { value: url, at }) {
                        Verdict::Keep => url.to_string(),
                        Verdict::Replace(new) => {
                            changed = true;
                            new
                        }
                    };
                    if descriptors.is_empty() {
                        url
                    } else {
                        format!("{url} {descriptors}")
                    }
                })
                .collect();
            changed.then(|| candidates.join(", "))
        }
        UrlSlot::Checked | UrlSlot::CheckedList => None,
    }
}

/// Whether the value at `range` is between quotes (it starts right after one).
fn quote_of(text: &str, range: &Range<usize>) -> Option<u8> {
    let q = *text.as_bytes().get(range.start.checked_sub(1)?)?;
    matches!(q, b'"' | b'\'').then_some(q)
}

/// The edit that removes an attribute, name to closing quote.
fn removal(text: &str, attr: &Attr, range: &Range<usize>) -> Edit {
    let end = (range.end + usize::from(quote_of(text, range).is_some())).min(text.len());
    Edit { range: attr.name_start.min(end)..end, text: String::new() }
}

/// The edit that writes `value` in place of the value at `range`, escaped; an unquoted value
/// gets quotes.
fn replacement(text: &str, range: &Range<usize>, value: &str) -> Edit {
    let escaped = escape_html(value);
    let text = if quote_of(text, range).is_some() { escaped } else { format!("\"{escaped}\"") };
    Edit { range: range.clone(), text }
}

/// The ids (and `<a name>`s) of a complete HTML document or fragment.
pub(crate) fn element_ids(html: &str) -> Vec<String> {
    rewrite(html, &mut 0, &mut |_| Verdict::Keep).anchors
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rewrites every relative URL to `R(url)`.
    fn run(input: &str) -> (String, Fragment) {
        let f = rewrite(input, &mut 0, &mut |u: UrlAttr| {
            if u.value.starts_with("http") {
                Verdict::Keep
            } else {
                Verdict::Replace(format!("R({})", u.value))
            }
        });
        (f.html.clone().unwrap_or_else(|| input.to_string()), f)
    }

    #[test]
    fn only_changed_values_are_rewritten_keeping_every_other_byte() {
        let input = "<p  align=center >\n<IMG Alt='a \"b\"' SRC = 'img/logo.png'  width=10/>\n<a\nhref=x.md title=\"t\">x</a></p>";
        let (html, f) = run(input);
        assert_eq!(
            html,
            "<p  align=center >\n<IMG Alt='a \"b\"' SRC = 'R(img/logo.png)'  width=10/>\n<a\nhref=\"R(x.md)\" title=\"t\">x</a></p>"
        );
        assert!(f.removed.is_empty() && f.closed_at.is_none());
        let (same, f) = run("<div class=\"x\"><img src=\"https://a.org/x.png\"></div>");
        assert_eq!(same, "<div class=\"x\"><img src=\"https://a.org/x.png\"></div>");
        assert!(f.html.is_none(), "untouched fragments are not copied");
    }

    #[test]
    fn values_are_decoded_and_written_escaped() {
        let mut got = Vec::new();
        let f = rewrite("<a href=\"a&amp;b.md#x&quot;y\">", &mut 0, &mut |u: UrlAttr| {
            got.push((u.value.to_string(), u.at));
            Verdict::Replace(format!("{}<'\"", u.value))
        });
        assert_eq!(got, [("a&b.md#x\"y".to_string(), 9)]);
        assert_eq!(f.html.as_deref(), Some("<a href=\"a&amp;b.md#x&quot;y&lt;&#39;&quot;\">"));
    }

    #[test]
    fn script_urls_are_removed_however_written() {
        for input in [
            "<a href=\"javascript:alert(1)\">x</a>",
            "<A HREF=JaVaScRiPt:alert(1)>x</a>",
            "<a href='&#106;avascript:alert(1)'>x</a>",
            "<a href=\"java&#x09;script:alert(1)\">x</a>",
            "<a href=\" &#x20;javascript:alert(1)\">x</a>",
            "<img src=\"data:text/html,x\">",
            "<img srcset=\"a.png 1x, javascript:alert(1) 2x\">",
            "<form action=\"vbscript:x\"></form>",
            "<svg><a xlink:href=\"javascript:x\"><animate attributeName=href values=\"a;javascript:alert(1)\"/></a></svg>",
        ] {
            let (html, f) = run(input);
            assert!(!f.removed.is_empty(), "{input}");
            let lower = html.to_ascii_lowercase();
            assert!(!lower.contains("script:") && !lower.contains("data:"), "{input} -> {html}");
            assert!(!html.contains("&#"), "{input} -> {html}");
        }
        let (html, f) = run("<img src=\"data:image/png;base64,AA\" alt=x><a href=mailto:a@b>m</a>");
        assert!(f.removed.is_empty());
        assert!(html.contains("data:image/png") && html.contains("mailto:a@b"), "{html}");
    }

    #[test]
    fn ids_and_anchor_names_are_anchors_but_not_in_comments_or_text() {
        let (_, f) = run(
            "<a name=\"old\"></a><div id='d'><span name=\"no\">id=\"t\"</span></div><!-- <a id=\"c\"> --><pre>id=\"p\" <b id=\"b\">x</b></pre><script>var s = '<a id=\"s\">';</script><textarea><a id=\"t\"></textarea>",
        );
        assert_eq!(f.anchors, ["old", "d", "b"]);
        assert_eq!(element_ids("<h2 id=\"x\">X</h2><svg><title><a id=\"in-svg\"/></title></svg>"), ["x", "in-svg"]);
    }

    #[test]
    fn text_the_readings_disagree_on_loses_its_script_urls() {
        // A title inside svg is no raw text: the link in it is real in a browser.
        let (html, _) = run("<svg><title><a href=\"javascript:x\">x</a></title></svg>");
        assert!(!html.contains("javascript"), "{html}");
        // The first reading takes this title for raw text (it is in HTML): the others still look.
        let (html, f) = run("<svg><foreignObject><div></svg><title><a href=\"javascript:x\"></title>");
        assert!(!html.contains("javascript"), "{html}");
        assert_eq!(f.removed.len(), 1);
        // Script text is left alone when nothing in it is unsafe.
        let script = "<script>var a = '<img src=\"x.png\">';</script>";
        assert_eq!(run(script).0, script);
    }

    #[test]
    fn a_tag_left_open_is_closed() {
        for (input, closed) in [
            ("<div>\n<a href=\"javascript:x\"", "<div>\n<a >"),
            ("<iframe\n", "<iframe\n>"),
            ("<a title='x", "<a title='x'>"),
            ("<img src=\"a.png", "<img src=\"R(a.png)\">"),
        ] {
            let (html, f) = run(input);
            assert_eq!(html, closed, "{input}");
            assert_eq!(f.closed_at, Some(input.len()), "{input}");
        }
    }

    #[test]
    fn srcset_candidates_are_each_resolved() {
        assert_eq!(
            srcset(" a.png 1x,b,c.png, d(1).png 640w  , e.png,"),
            [("a.png", "1x"), ("b,c.png", ""), ("d(1).png", "640w"), ("e.png", "")],
            "a comma ends a URL only at its end"
        );
        let (html, _) = run("<source srcset=\"dark.png, dark@2x.png 2x\" media=\"(prefers-color-scheme: dark)\">");
        assert_eq!(html, "<source srcset=\"R(dark.png), R(dark@2x.png) 2x\" media=\"(prefers-color-scheme: dark)\">");
    }

    #[test]
    fn offsets_point_at_the_value() {
        let (_, f) = run("<p>é <img src=\"x.png\"> <a href='javascript:x'>");
        assert_eq!(f.removed, [Removed { attr: "href".into(), scheme: "javascript".into(), at: 33 }]);
        let mut at = Vec::new();
        rewrite("<p>é <img src=\"x.png\">", &mut 0, &mut |u: UrlAttr| {
            at.push(u.at);
            Verdict::Keep
        });
        assert_eq!(at, [16]);
    }
}
