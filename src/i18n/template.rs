//! Interface strings in templates: `{{ t(key="users") }}`, with a count
//! (`t(key="show_empty", n=3, stage=stage.name)`) and links (`[text](name)` in the string, its
//! address given as `name=url`). The string is escaped here, the values put in it too (an
//! argument `name_html=` fills `{name}` with HTML the template built, as it is), so the
//! function's output is safe to print.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

use rustc_hash::FxHashMap;

use super::Translations;
use crate::html::{escape_html, push_escaped};

/// The `t` function templates call; it holds the build's resolved strings.
pub(crate) struct Lookup {
    strings: Arc<Translations>,
    /// What `t(key=...)` with no other argument gives for each key, made once: most calls in
    /// the templates are those, a dozen on every page.
    plain: FxHashMap<String, tera::Value>,
}

impl Lookup {
    pub(crate) fn new(strings: Arc<Translations>) -> Lookup {
        let mut lookup = Lookup { strings, plain: FxHashMap::default() };
        let keys: Vec<String> =
            lookup.strings.sections.get("ui").map(|ui| ui.keys().cloned().collect()).unwrap_or_default();
        for key in keys {
            let args = HashMap::from([("key".to_string(), tera::Value::from(key.as_str()))]);
            if let Ok(value) = lookup.fill(&args) {
                lookup.plain.insert(key, value);
            }
        }
        lookup
    }

    /// The string `args["key"]` names with the other arguments put in.
    fn fill(&self, args: &HashMap<String, tera::Value>) -> tera::Result<tera::Value> {
        let key = args.get("key").and_then(tera::Value::as_str).ok_or("t() needs a key: t(key=\"...\")")?;
        let n = args.get("n").and_then(|v| v.as_u64().or_else(|| v.as_f64().map(|f| f.max(0.0) as u64)));
        let text = self.strings.ui(key, n).ok_or_else(|| {
            tera::Error::msg(format!("t(): unknown interface string `{key}` (not in the [ui] table of i18n/en.toml)"))
        })?;
        let shown = |value: &'_ tera::Value| -> String {
            match value {
                tera::Value::String(s) => s.clone(),
                tera::Value::Null => String::new(),
                other => other.to_string(),
            }
        };
        Ok(tera::Value::String(fill_html(text, |name| match args.get(name) {
            Some(value) => Some(Arg::Text(Cow::Owned(shown(value)))),
            None => args.get(&format!("{name}_html")).map(|v| Arg::Html(Cow::Owned(shown(v)))),
        })))
    }
}

impl tera::Function for Lookup {
    fn call(&self, args: &HashMap<String, tera::Value>) -> tera::Result<tera::Value> {
        if args.len() == 1 {
            if let Some(done) = args.get("key").and_then(tera::Value::as_str).and_then(|k| self.plain.get(k)) {
                return Ok(done.clone());
            }
        }
        self.fill(args)
    }

    fn is_safe(&self) -> bool {
        true
    }
}

/// A value to put into a string.
pub(crate) enum Arg<'a> {
    /// Text, escaped when put in.
    Text(Cow<'a, str>),
    /// HTML, put in as it is.
    Html(Cow<'a, str>),
}

/// A piece of an interface string.
enum Piece<'a> {
    Literal(&'a str),
    /// `{name}`
    Slot(&'a str),
    /// `[text](name)`
    Link(&'a str, &'a str),
}

/// Splits `text` into literal runs, `{name}` slots and `[text](name)` links. A `{` or `[` that
/// does not start one of those is literal.
fn pieces(text: &str) -> Vec<Piece<'_>> {
    let name_ok = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    let mut out = Vec::new();
    let mut literal = 0;
    let mut i = 0;
    while i < text.len() {
        let rest = &text[i..];
        let found = if let Some(inner) = rest.strip_prefix('{') {
            inner
                .find('}')
                .map(|end| (end + 2, &inner[..end]))
                .filter(|(_, name)| name_ok(name))
                .map(|(len, name)| (len, Piece::Slot(name)))
        } else if rest.starts_with('[') {
            rest.find("](").and_then(|mid| {
                let close = rest[mid + 2..].find(')')? + mid + 2;
                let (label, name) = (&rest[1..mid], &rest[mid + 2..close]);
                (name_ok(name) && !label.contains(['[', ']'])).then_some((close + 1, Piece::Link(label, name)))
            })
        } else {
            None
        };
        match found {
            Some((len, piece)) => {
                if literal < i {
                    out.push(Piece::Literal(&text[literal..i]));
                }
                out.push(piece);
                i += len;
                literal = i;
            }
            None => i += rest.chars().next().map_or(1, char::len_utf8),
        }
    }
    if literal < text.len() {
        out.push(Piece::Literal(&text[literal..]));
    }
    out
}

/// The string as HTML: text escaped, slots filled, links made. A slot or link with no value
/// is left as written (escaped), so a translator's typo shows instead of failing the build.
pub(crate) fn fill_html<'a>(text: &str, value: impl Fn(&str) -> Option<Arg<'a>>) -> String {
    if !text.contains(['{', '[']) {
        return escape_html(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for piece in pieces(text) {
        match piece {
            Piece::Literal(s) => push_escaped(&mut out, s),
            Piece::Slot(name) => match value(name) {
                Some(Arg::Text(v)) => push_escaped(&mut out, &v),
                Some(Arg::Html(v)) => out.push_str(&v),
                None => push_escaped(&mut out, &format!("{{{name}}}")),
            },
            Piece::Link(label, name) => match value(name) {
                Some(Arg::Text(url) | Arg::Html(url)) => {
                    out.push_str("<a href=\"");
                    push_escaped(&mut out, &url);
                    out.push_str("\">");
                    push_escaped(&mut out, label);
                    out.push_str("</a>");
                }
                None => push_escaped(&mut out, label),
            },
        }
    }
    out
}

/// The string as plain text: slots filled, links reduced to their text.
pub(crate) fn fill_plain(text: &str, value: impl Fn(&str) -> Option<String>) -> String {
    if !text.contains(['{', '[']) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() + 16);
    for piece in pieces(text) {
        match piece {
            Piece::Literal(s) => out.push_str(s),
            Piece::Slot(name) => match value(name) {
                Some(v) => out.push_str(&v),
                None => {
                    out.push('{');
                    out.push_str(name);
                    out.push('}');
                }
            },
            Piece::Link(label, _) => out.push_str(label),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn html(text: &str, args: &[(&'static str, &'static str)]) -> String {
        fill_html(text, |name| {
            let (_, v) = args.iter().find(|(k, _)| *k == name)?;
            Some(if name.ends_with("_html") { Arg::Html(Cow::Borrowed(v)) } else { Arg::Text(Cow::Borrowed(v)) })
        })
    }

    #[test]
    fn the_template_function_picks_the_form_and_fills_text_and_html() {
        use tera::Function;
        let t = Lookup::new(Arc::new(Translations::english()));
        let call = |pairs: &[(&str, tera::Value)]| {
            let args: HashMap<String, tera::Value> = pairs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect();
            t.call(&args).map(|v| v.as_str().unwrap().to_string())
        };
        let key = |k: &str| ("key", tera::Value::from(k));
        assert_eq!(
            call(&[key("show_empty"), ("n", 1.into()), ("stage", "<B>".into())]).unwrap(),
            "Show the 1 aspect that asks nothing at &lt;B&gt;"
        );
        assert_eq!(
            call(&[key("show_empty"), ("n", 2.into()), ("stage", "B".into())]).unwrap(),
            "Show the 2 aspects that ask nothing at B"
        );
        assert_eq!(
            call(&[key("not_found_text"), ("book_html", "<cite>T</cite>".into())]).unwrap(),
            "Sorry, there is no page at this address in <cite>T</cite>. It may have been moved, renamed or removed."
        );
        assert!(call(&[key("no_such_key")])
            .unwrap_err()
            .to_string()
            .contains("unknown interface string `no_such_key`"));
        assert!(call(&[]).is_err());
        assert!(t.is_safe());
    }

    #[test]
    fn key_only_calls_are_answered_from_the_table_made_once() {
        use tera::Function;
        let t = Lookup::new(Arc::new(Translations::english()));
        let keys = t.strings.sections["ui"].len();
        assert!(keys > 20 && t.plain.len() == keys, "{} of {keys}", t.plain.len());
        for key in t.strings.sections["ui"].keys() {
            let args = HashMap::from([("key".to_string(), tera::Value::from(key.as_str()))]);
            assert_eq!(t.call(&args).unwrap(), t.fill(&args).unwrap(), "{key}");
        }
        // A key with a slot and no value for it keeps the slot, as the full path does.
        let args = HashMap::from([("key".to_string(), tera::Value::from("search_label"))]);
        assert!(t.call(&args).unwrap().as_str().unwrap().contains("{book}"));
    }

    #[test]
    fn slots_and_links_are_filled_and_escaped() {
        assert_eq!(html("Stage {number} of {total}", &[("number", "3"), ("total", "4")]), "Stage 3 of 4");
        assert_eq!(html("A <b> & {x}", &[("x", "<i>")]), "A &lt;b&gt; &amp; &lt;i&gt;");
        assert_eq!(html("in {book_html}.", &[("book_html", "<cite>T</cite>")]), "in <cite>T</cite>.");
        assert_eq!(
            html("See [the \"whole\" matrix](matrix) now", &[("matrix", "../m/index.html?a=1&b=2")]),
            "See <a href=\"../m/index.html?a=1&amp;b=2\">the &quot;whole&quot; matrix</a> now"
        );
        // What is not a slot or a link stays as written; a missing value shows the slot.
        assert_eq!(html("{ not } [a] [b](c d) {gone} [x](nowhere) é", &[]), "{ not } [a] [b](c d) {gone} x é");
        assert_eq!(fill_plain("The {n} [stages](s) {m}", |k| (k == "n").then(|| "4".to_string())), "The 4 stages {m}");
    }
}
