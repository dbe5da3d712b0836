//! Syntax highlighting of code blocks with syntect, as CSS classes.
//!
//! Classes (not inline colours) let one HTML page switch between a light and a dark palette, and
//! keep pages small. The syntax definitions are bat's extended set (TOML, shell, Dockerfile,
//! TypeScript, HCL, YAML... on top of syntect's defaults, packaged by the `two-face` crate), loaded
//! once, from its dump, the first time a code block needs them.
//!
//! Two kinds of block get more than colours: Rust blocks hide rustdoc's `# ` lines behind a
//! toggle (as mdBook does), and console sessions keep their prompts out of a selection and mark
//! the output lines ([`code_block`]).

use std::sync::OnceLock;

use syntect::highlighting::ThemeSet;
use syntect::html::{css_for_theme_with_class_style, ClassStyle, ClassedHTMLGenerator};
use syntect::parsing::SyntaxSet;
use syntect::util::LinesWithEndings;

use crate::html::escape_html;

mod contrast;

use crate::highlight_memo::Memo;

const CLASS_STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };

/// Code blocks larger than this are escaped but not highlighted: highlighting is the slowest
/// step per byte, and a megabyte-long log pasted into a page should not stall the build.
const MAX_HIGHLIGHT_BYTES: usize = 256 * 1024;

fn syntaxes() -> &'static SyntaxSet {
    static SET: OnceLock<SyntaxSet> = OnceLock::new();
    // The "newlines" variant: lines are fed with their `\n`, as `LinesWithEndings` gives them.
    SET.get_or_init(two_face::syntax::extra_newlines)
}

/// Fence names people write that are neither a syntax's name nor one of its file extensions.
const ALIASES: &[(&str, &str)] = &[("shell", "bash"), ("terraform", "tf"), ("protobuf", "proto"), ("yml", "yaml")];

/// Fence names of console sessions: prompts and output, with the commands highlighted as shell.
const CONSOLE: &[&str] = &["console", "shell-session", "sh-session", "shellsession"];

/// What kind of block a fence's language makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Rust: rustdoc's hidden lines apply (only when the fence says `rust`, as in mdBook: a fence
    /// without a language is plain text there, and `# ` starts a root prompt or a comment in
    /// the shell snippets such fences usually hold).
    Rust,
    Console,
    Other,
}

fn kind(lang: &str) -> Kind {
    if lang == "rust" {
        Kind::Rust
    } else if CONSOLE.iter().any(|c| lang.eq_ignore_ascii_case(c)) {
        Kind::Console
    } else {
        Kind::Other
    }
}

/// The syntax for a fence's language, if it has one worth highlighting.
fn syntax_for(lang: &str) -> Option<&'static syntect::parsing::SyntaxReference> {
    if lang.is_empty() {
        return None;
    }
    let set = syntaxes();
    let token = ALIASES.iter().find(|(alias, _)| lang.eq_ignore_ascii_case(alias)).map_or(lang, |(_, to)| to);
    set.find_syntax_by_token(token).filter(|s| s.name != "Plain Text")
}

/// Names of the colour themes that can be used for `code_light` / `code_dark` in book.toml.
pub(crate) fn theme_names() -> Vec<String> {
    let mut names: Vec<String> = ThemeSet::load_defaults().themes.into_keys().collect();
    names.sort();
    names
}

/// Renders a fenced code block. `lang` is the info string's first word; unknown languages and
/// `highlight == false` give escaped plain text. A Rust block with hidden lines gets a button
/// that shows them (`code.js`); without scripts they stay hidden. A block with a language is
/// taken from `memo` when a build before highlighted it ([`Memo`]).
pub(crate) fn code_block(code: &str, lang: &str, highlight: bool, memo: &Memo) -> String {
    // Without a language (or over the size limit) nothing is highlighted: escaping costs
    // less than remembering.
    if lang.is_empty() || !highlight || code.len() > MAX_HIGHLIGHT_BYTES {
        return render_block(code, lang, highlight);
    }
    memo.get_or_make(lang, highlight, code, || render_block(code, lang, highlight))
}

fn render_block(code: &str, lang: &str, highlight: bool) -> String {
    let lang_attr = escape_html(lang);
    let mut out = String::with_capacity(code.len() * 2 + 80);
    let kind = kind(lang);
    let body = match kind {
        Kind::Rust => rust_body(code, highlight),
        Kind::Console => console_body(code, highlight),
        Kind::Other => highlighted(code, lang, highlight).unwrap_or_else(|| escape_html(code)),
    };
    let hides = kind == Kind::Rust && body.contains(HIDDEN_OPEN);
    if hides {
        out.push_str(
            "<button type=\"button\" class=\"code-toggle\" aria-pressed=\"false\" hidden>Show hidden lines</button>",
        );
    }
    let class = if hides { "code hl-code has-hidden" } else { "code hl-code" };
    if lang.is_empty() {
        out.push_str(&format!("<pre class=\"{class}\" tabindex=\"0\"><code>"));
    } else {
        out.push_str(&format!(
            "<pre class=\"{class}\" tabindex=\"0\" data-lang=\"{lang_attr}\"><code class=\"language-{lang_attr}\">"
        ));
    }
    out.push_str(&body);
    out.push_str("</code></pre>\n");
    out
}

/// The highlighted HTML of `code`, or `None` when it is not highlighted.
fn highlighted(code: &str, lang: &str, highlight: bool) -> Option<String> {
    if !highlight || code.len() > MAX_HIGHLIGHT_BYTES {
        return None;
    }
    let syntax = syntax_for(lang)?;
    let mut gen = ClassedHTMLGenerator::new_with_class_style(syntax, syntaxes(), CLASS_STYLE);
    for line in LinesWithEndings::from(code) {
        gen.parse_html_for_line_which_includes_newline(line).ok()?;
    }
    Some(gen.finalize())
}

const HIDDEN_OPEN: &str = "<span class=\"code-hidden\">";

/// How rustdoc (and mdBook) read one line of a Rust example.
#[derive(Debug, PartialEq, Eq)]
enum RustLine<'a> {
    /// Shown as it is.
    Shown(std::borrow::Cow<'a, str>),
    /// `# ` or a lone `#` (after any indentation): hidden, shown without the marker.
    Hidden(String),
}

/// `#` then a space or nothing hides a line; `##` is an escaped `#`; `#[derive]`, `#!` and
/// the like are code.
fn rust_line(line: &str) -> RustLine<'_> {
    let body = line.trim_end_matches(['\n', '\r']);
    let trimmed = body.trim_start();
    let indent = &body[..body.len() - trimmed.len()];
    let end = &line[body.len()..];
    if let Some(rest) = trimmed.strip_prefix('#') {
        if rest.is_empty() {
            return RustLine::Hidden(format!("{indent}{end}"));
        }
        if let Some(rest) = rest.strip_prefix(' ') {
            return RustLine::Hidden(format!("{indent}{rest}{end}"));
        }
        if rest.starts_with('#') {
            return RustLine::Shown(format!("{indent}{rest}{end}").into());
        }
    }
    RustLine::Shown(line.into())
}

/// A Rust block: the whole text (hidden lines included, markers removed) is highlighted in one
/// pass, so hidden lines never upset the colouring of what follows; then each hidden line is
/// wrapped in a span that CSS hides.
fn rust_body(code: &str, highlight: bool) -> String {
    let lines: Vec<RustLine<'_>> = LinesWithEndings::from(code).map(rust_line).collect();
    if !lines.iter().any(|l| matches!(l, RustLine::Hidden(_))) {
        return highlighted(code, "rust", highlight).unwrap_or_else(|| escape_html(code));
    }
    let text: String = lines
        .iter()
        .map(|l| match l {
            RustLine::Shown(s) => s.as_ref(),
            RustLine::Hidden(s) => s.as_str(),
        })
        .collect();
    let html = highlighted(&text, "rust", highlight).unwrap_or_else(|| escape_html(&text));
    let mut out = String::with_capacity(html.len() + 64);
    for (line, html_line) in lines.iter().zip(split_html_lines(&html)) {
        if matches!(line, RustLine::Hidden(_)) {
            out.push_str(HIDDEN_OPEN);
            out.push_str(&html_line);
            out.push_str("</span>");
        } else {
            out.push_str(&html_line);
        }
    }
    out
}

/// Splits highlighted HTML (only `<span class="...">`, `</span>` and escaped text, as syntect
/// writes it) into one piece per line, each with its `\n` and with its spans balanced: spans
/// open at a line's end are closed there and opened again on the next line.
fn split_html_lines(html: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut open: Vec<&str> = Vec::new();
    let mut current = String::new();
    // Whether the current piece holds text, not only the spans carried over.
    let mut has_text = false;
    let mut rest = html;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("</span>") {
            open.pop();
            current.push_str("</span>");
            rest = after;
        } else if rest.starts_with("<span") {
            let end = rest.find('>').map_or(rest.len(), |i| i + 1);
            open.push(&rest[..end]);
            current.push_str(&rest[..end]);
            rest = &rest[end..];
        } else if let Some(after) = rest.strip_prefix('\n') {
            current.push('\n');
            current.extend(open.iter().map(|_| "</span>"));
            lines.push(std::mem::take(&mut current));
            current.extend(open.iter().copied());
            has_text = false;
            rest = after;
        } else {
            // Text up to the next tag or newline (both ASCII, so the cut is a char boundary).
            let next = rest.find(['<', '\n']).unwrap_or(rest.len());
            let next = if next == 0 { 1 } else { next };
            current.push_str(&rest[..next]);
            has_text = true;
            rest = &rest[next..];
        }
    }
    if has_text {
        current.extend(open.iter().map(|_| "</span>"));
        lines.push(current);
    }
    lines
}

/// Prompts that start a command line in a console session, longest first.
const PROMPTS: &[&str] = &["PS> ", "$ ", "# ", "> "];

/// A console session: each prompt is a span that a selection skips (`user-select: none`), the
/// command after it is highlighted as shell, and every other line is output. A command whose
/// line ends with `\` goes on to the next line.
fn console_body(code: &str, highlight: bool) -> String {
    let mut out = String::with_capacity(code.len() * 2);
    let mut continued = false;
    for line in LinesWithEndings::from(code) {
        let prompt = if continued { Some("") } else { PROMPTS.iter().copied().find(|p| line.starts_with(p)) };
        match prompt {
            Some(prompt) => {
                if !prompt.is_empty() {
                    out.push_str("<span class=\"code-prompt\">");
                    out.push_str(&escape_html(prompt));
                    out.push_str("</span>");
                }
                let command = &line[prompt.len()..];
                out.push_str(&highlighted(command, "bash", highlight).unwrap_or_else(|| escape_html(command)));
                continued = command.trim_end().ends_with('\\');
            }
            None => {
                let (text, end) = line.split_at(line.trim_end_matches(['\n', '\r']).len());
                out.push_str("<span class=\"code-output\">");
                out.push_str(&escape_html(text));
                out.push_str("</span>");
                out.push_str(end);
            }
        }
    }
    out
}

/// Error for a colour theme name that syntect does not ship.
#[derive(Debug, thiserror::Error)]
#[error("unknown code highlighting theme \"{name}\" (available: {})", available.join(", "))]
pub(crate) struct UnknownTheme {
    pub name: String,
    pub available: Vec<String>,
}

/// The stylesheet for code: `light` applies by default, `dark` when the page is in dark mode
/// (explicit `data-theme="dark"`, or the system preference when the reader has not chosen).
pub(crate) fn stylesheet(light: &str, dark: &str) -> Result<String, UnknownTheme> {
    let themes = ThemeSet::load_defaults();
    let get = |name: &str| {
        themes.themes.get(name).ok_or_else(|| UnknownTheme { name: name.to_string(), available: theme_names() })
    };
    // Colours below AA contrast on the theme's background are adjusted (see `contrast`).
    let light_css =
        css_for_theme_with_class_style(&contrast::readable_theme(get(light)?), CLASS_STYLE).unwrap_or_default();
    let dark_css =
        css_for_theme_with_class_style(&contrast::readable_theme(get(dark)?), CLASS_STYLE).unwrap_or_default();
    let mut css = String::from("/* Code colours generated by stagebook from syntect themes. */\n");
    css.push_str(STRUCTURE_CSS);
    css.push_str(&light_css);
    css.push_str("\n/* dark: chosen explicitly */\n");
    css.push_str(&scope_selectors(&dark_css, "html[data-theme=\"dark\"]"));
    css.push_str(
        "\n/* dark: system preference, when the reader has not chosen */\n@media (prefers-color-scheme: dark) {\n",
    );
    css.push_str(&scope_selectors(&dark_css, "html:not([data-theme=\"light\"])"));
    css.push_str("}\n");
    Ok(css)
}

/// Hidden Rust lines, console prompts and output: the parts of a code block's look that go
/// with the markup this module writes, whatever the theme.
const STRUCTURE_CSS: &str = "\
.code-hidden { display: none; }
pre.show-hidden .code-hidden { display: inline; opacity: .7; }
.code-prompt { -webkit-user-select: none; user-select: none; opacity: .65; }
.code-output { opacity: .8; }
.code-toggle { float: right; margin: .25rem; font: inherit; font-size: .8em; cursor: pointer; }
";

/// Prefixes every selector of syntect's generated CSS (one rule per `selectors {` line).
fn scope_selectors(css: &str, scope: &str) -> String {
    let mut out = String::with_capacity(css.len() * 2);
    for line in css.lines() {
        if let Some(selectors) = line.strip_suffix(" {") {
            let scoped: Vec<String> = selectors.split(", ").map(|s| format!("{scope} {}", s.trim())).collect();
            out.push_str(&scoped.join(", "));
            out.push_str(" {\n");
        } else {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_language_gets_classes() {
        let html = code_block("fn main() {}\n", "rust", true, &Memo::default());
        assert!(html.contains("class=\"hl-"), "{html}");
        assert!(html.starts_with("<pre class=\"code hl-code\" tabindex=\"0\" data-lang=\"rust\">"), "{html}");
    }

    #[test]
    fn unknown_language_is_escaped_plain_text() {
        let html = code_block("<b>&</b>\n", "no-such-lang", true, &Memo::default());
        assert!(html.contains("&lt;b&gt;&amp;&lt;/b&gt;"), "{html}");
        assert!(!html.contains("hl-source"), "{html}");
    }

    #[test]
    fn language_attribute_is_escaped() {
        let html = code_block("x", "a\"onclick=\"b", true, &Memo::default());
        assert!(!html.contains("\"onclick"), "{html}");
    }

    /// A span carrying a highlight class, as `class="hl-..."` (the class style's prefix).
    fn has_highlight(html: &str) -> bool {
        html.contains("<span class=\"hl-")
    }

    #[test]
    fn every_listed_fence_name_is_highlighted() {
        let samples: &[(&str, &str)] = &[
            ("toml", "[package]\nname = \"x\"\n"),
            ("sh", "echo \"hi\" | grep h\n"),
            ("bash", "for f in *; do echo $f; done\n"),
            ("shell", "export A=1\n"),
            ("zsh", "echo $HOME\n"),
            ("console", "$ ls -la\n"),
            ("shell-session", "$ echo hi\nhi\n"),
            ("dockerfile", "FROM rust:1\nRUN cargo build\n"),
            ("ts", "const a: number = 1;\n"),
            ("tsx", "const A = () => <div>hi</div>;\n"),
            ("typescript", "interface A { b: string }\n"),
            ("graphql", "query { user(id: 1) { name } }\n"),
            ("hcl", "resource \"a\" \"b\" {\n  x = 1\n}\n"),
            ("terraform", "variable \"x\" {}\n"),
            ("tf", "output \"y\" { value = 1 }\n"),
            ("yaml", "a: 1\nb: [x, y]\n"),
            ("yml", "a: true\n"),
            ("diff", "--- a\n+++ b\n-old\n+new\n"),
            ("ini", "[core]\nname = x\n"),
            ("makefile", "all: build\n\tcargo build\n"),
            ("make", "x:\n\techo $(Y)\n"),
            ("nginx", "server { listen 80; }\n"),
            ("proto", "syntax = \"proto3\";\nmessage A { int32 b = 1; }\n"),
            ("protobuf", "message A { string b = 1; }\n"),
            ("rust", "fn main() {}\n"),
            ("python", "def f():\n    return 1\n"),
            ("json", "{\"a\": 1}\n"),
        ];
        for (lang, code) in samples {
            let html = code_block(code, lang, true, &Memo::default());
            assert!(has_highlight(&html), "{lang} is not highlighted: {html}");
        }
    }

    #[test]
    fn rust_hidden_lines_follow_rustdoc() {
        use RustLine::{Hidden, Shown};
        assert_eq!(rust_line("# fn main() {\n"), Hidden("fn main() {\n".into()));
        assert_eq!(rust_line("#\n"), Hidden("\n".into()));
        assert_eq!(rust_line("    # let x = 1;\n"), Hidden("    let x = 1;\n".into()));
        assert_eq!(rust_line("#[derive(Debug)]\n"), Shown("#[derive(Debug)]\n".into()));
        assert_eq!(rust_line("#![allow(unused)]\n"), Shown("#![allow(unused)]\n".into()));
        assert_eq!(rust_line("## not hidden\n"), Shown("# not hidden\n".into()));
        assert_eq!(rust_line("let x = 1; # no\n"), Shown("let x = 1; # no\n".into()));
    }

    /// The text of some HTML, tags dropped and entities decoded (enough for these tests).
    fn text_of(html: &str) -> String {
        let mut out = String::new();
        let mut in_tag = false;
        for c in html.chars() {
            match c {
                '<' => in_tag = true,
                '>' => in_tag = false,
                c if !in_tag => out.push(c),
                _ => {}
            }
        }
        out.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&amp;", "&")
    }

    #[test]
    fn hidden_lines_are_wrapped_after_highlighting_the_whole_block() {
        let code = "# /* a comment\n# that goes on */\n#[derive(Debug)]\nstruct A;\n# fn main() {}\n";
        let html = code_block(code, "rust", true, &Memo::default());
        assert!(html.contains("class=\"code-toggle\""), "{html}");
        assert!(html.contains("has-hidden"), "{html}");
        assert_eq!(html.matches(HIDDEN_OPEN).count(), 3, "{html}");
        // The comment opened on the first hidden line is still a comment on the second.
        let second = html.split(HIDDEN_OPEN).nth(2).unwrap();
        assert!(second.contains("hl-comment"), "{second}");
        // Spans are balanced inside every hidden line.
        for part in html.split(HIDDEN_OPEN).skip(1) {
            let mut end = part.find('\n').unwrap() + 1;
            while part[end..].starts_with("</span>") {
                end += "</span>".len();
            }
            // The last close is the wrapper's own.
            let line = &part[..end];
            assert_eq!(line.matches("<span").count() + 1, line.matches("</span>").count(), "{line}");
        }
        let body = &html[html.find("<code").unwrap()..html.find("</code>").unwrap()];
        assert_eq!(text_of(body), "/* a comment\nthat goes on */\n#[derive(Debug)]\nstruct A;\nfn main() {}\n");
        // Plain escaping when highlighting is off keeps the same structure.
        let plain = code_block("# use std::io;\nfn main() {}\n", "rust", false, &Memo::default());
        assert!(plain.contains("<span class=\"code-hidden\">use std::io;\n</span>fn main() {}"), "{plain}");
    }

    #[test]
    fn blocks_without_hidden_lines_or_not_rust_have_no_toggle() {
        assert!(!code_block("fn main() {}\n", "rust", true, &Memo::default()).contains("code-toggle"));
        assert!(!code_block("# a comment\n", "", true, &Memo::default()).contains("code-hidden"));
        assert!(!code_block("# a comment\n", "python", true, &Memo::default()).contains("code-hidden"));
    }

    #[test]
    fn console_prompts_are_spans_and_output_is_marked() {
        let html = code_block(
            "$ cargo build \\\n  --release\nCompiling x\n# apt-get install y\nPS> dir\n> more\n",
            "console",
            true,
            &Memo::default(),
        );
        assert_eq!(html.matches("<span class=\"code-prompt\">").count(), 4, "{html}");
        assert!(html.contains("<span class=\"code-prompt\">$ </span>"), "{html}");
        assert!(html.contains("<span class=\"code-prompt\">PS&gt; </span>"), "{html}");
        assert!(html.contains("<span class=\"code-output\">Compiling x</span>\n"), "{html}");
        // The continued command is not output.
        assert!(!html.contains("code-output\">  --release"), "{html}");
        assert!(has_highlight(&html), "{html}");
        let body = &html[html.find("<code").unwrap()..html.find("</code>").unwrap()];
        assert_eq!(text_of(body), "$ cargo build \\\n  --release\nCompiling x\n# apt-get install y\nPS> dir\n> more\n");
    }

    #[test]
    fn split_lines_balances_spans() {
        let html = "<span class=\"a\">x\n<span class=\"b\">y</span>\nz</span>";
        assert_eq!(
            split_html_lines(html),
            vec![
                "<span class=\"a\">x\n</span>".to_string(),
                "<span class=\"a\"><span class=\"b\">y</span>\n</span>".to_string(),
                "<span class=\"a\">z</span>".to_string(),
            ]
        );
        assert_eq!(split_html_lines("a\n"), vec!["a\n".to_string()]);
        assert_eq!(split_html_lines("<span class=\"a\">a\n</span>"), vec!["<span class=\"a\">a\n</span>".to_string()]);
    }

    #[test]
    fn structure_css_is_in_the_stylesheet() {
        let css = stylesheet("InspiredGitHub", "base16-ocean.dark").unwrap();
        assert!(css.contains(".code-prompt { -webkit-user-select: none; user-select: none;"));
        assert!(css.contains(".code-hidden { display: none; }"));
    }

    #[test]
    fn dark_rules_are_scoped() {
        let css = stylesheet("InspiredGitHub", "base16-ocean.dark").unwrap();
        assert!(css.contains("html[data-theme=\"dark\"] .hl-code {"));
        assert!(css.contains("@media (prefers-color-scheme: dark)"));
        assert!(stylesheet("nope", "base16-ocean.dark").is_err());
    }
}
