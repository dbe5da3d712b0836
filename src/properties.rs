//! Property tests over random input: reading a page (front matter and markdown) and loading a
//! matrix never panic, whatever the bytes, and no href or src the build writes from markdown,
//! names or data carries a scheme other than http, https, mailto, tel (or `data:image/` for an
//! image). Case counts are bounded so `cargo test` stays fast; crashes found are kept below as
//! plain regression tests.

use std::path::Path;

use proptest::prelude::*;

use crate::config::Config;
use crate::content::links::Lookup;
use crate::content::paths::{name_problem, relative_href};
use crate::content::plan::Slot;
use crate::content::{parse, Asset, Id, PageId, PageKind};
use crate::matrix::Rendered;
use crate::url::encode_path;

/// The ways of writing `javascript:` that browsers accept and naive checks miss.
const SEEDS: [&str; 7] = [
    "JaVaScRiPt:",
    "&#106;avascript:",
    "java\tscript:",
    " javascript:",
    "\u{1}javascript:",
    "java&#x09;script:",
    "vbscript:",
];

fn config(toml: &str) -> Config {
    Config::parse(Path::new("."), toml.to_string()).unwrap_or_else(|_| panic!("valid book.toml: {toml}"))
}

/// A link destination: a seed with a payload, an allowed or relative one, or random text.
fn dest() -> impl Strategy<Value = String> {
    prop_oneof![
        (prop::sample::select(SEEDS.to_vec()), "[a-z()0-9]{0,8}").prop_map(|(s, p)| format!("{s}{p}")),
        prop::sample::select(vec![
            "https://x.org/a",
            "mailto:a@b.c",
            "tel:+1",
            "data:image/png;base64,AA",
            "data:text/html,x",
            "a%20b/c.md",
            "_index.md#top",
            "#here",
            "//cdn/x",
            "file:///etc/passwd",
            "DATA:image/svg+xml,x",
        ])
        .prop_map(String::from),
        "[ -~\t\u{1}\u{7f}\u{a0}é]{0,12}",
    ]
}

/// Markdown built from pieces that exercise links, images, raw HTML and block structure.
/// `html`: whether raw HTML tags may appear (they run as written under `raw_html = "allow"`).
fn markdown(html: bool) -> impl Strategy<Value = String> {
    let mut pieces: Vec<BoxedStrategy<String>> = vec![
        dest().prop_map(|d| format!("[text]({d})")).boxed(),
        dest().prop_map(|d| format!("[text](<{d}>)")).boxed(),
        dest().prop_map(|d| format!("![alt]({d})")).boxed(),
        dest().prop_map(|d| format!("![alt ![in]({d})](<{d}>)")).boxed(),
        dest().prop_map(|d| format!("[ref]\n\n[ref]: {d}\n")).boxed(),
        dest().prop_map(|d| format!("<{d}>")).boxed(),
        dest().prop_map(|d| format!("## [h]({d}) {{#id}}\n")).boxed(),
        prop::sample::select(vec![
            "\n",
            "\n\n",
            "# ",
            "> ",
            "- ",
            "1. ",
            "```\n",
            "`",
            "*",
            "**",
            "|a|b|\n|-|-|\n",
            "[^1]",
            "[^1]: n\n",
            "\\",
            "&amp;",
            "&#106;",
            "{{ stages() }}",
            "+++\n",
            "    ",
        ])
        .prop_map(String::from)
        .boxed(),
        any::<String>().prop_map(|s| s.chars().take(40).collect()).boxed(),
    ];
    if html {
        pieces.push(
            prop::sample::select(vec!["<b>", "</b>", "<div id=\"x\">\n", "</div>\n", "<!-- c -->", "<a href=\"#x\">"])
                .prop_map(String::from)
                .boxed(),
        );
    }
    prop::collection::vec(prop::strategy::Union::new(pieces), 0..24).prop_map(|v| v.concat())
}

/// `href="…"` and `src="…"` values of generated HTML, entity-decoded as a browser reads them,
/// each with whether it is an image source.
fn urls(html: &str) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    for (attr, image) in [(" href=\"", false), (" src=\"", true)] {
        for (i, _) in html.match_indices(attr) {
            let rest = &html[i + attr.len()..];
            let value = &rest[..rest.find('"').unwrap_or(rest.len())];
            let decoded = value
                .replace("&quot;", "\"")
                .replace("&#39;", "'")
                .replace("&#x27;", "'")
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&amp;", "&");
            out.push((decoded, image));
        }
    }
    out
}

/// Written apart from [`crate::url`] on purpose: the URL standard's scheme state, after the
/// removals browsers make.
fn browser_scheme(url: &str) -> Option<String> {
    let cleaned: String = url.chars().filter(|c| !matches!(c, '\t' | '\n' | '\r')).collect();
    let cleaned = cleaned.trim_start_matches(|c: char| c <= ' ');
    let end = cleaned.find(':')?;
    let s = &cleaned[..end];
    let valid = s.starts_with(|c: char| c.is_ascii_alphabetic())
        && s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    valid.then(|| s.to_ascii_lowercase())
}

fn assert_safe(html: &str) {
    for (url, image) in urls(html) {
        let ok = match browser_scheme(&url).as_deref() {
            None | Some("http" | "https" | "mailto" | "tel") => true,
            Some("data") => {
                image && url.trim_start_matches(|c: char| c <= ' ').to_ascii_lowercase().starts_with("data:image/")
            }
            Some(_) => false,
        };
        assert!(ok, "unsafe {} {url:?} in {html}", if image { "src" } else { "href" });
    }
}

/// Parses `text` as the page `a b/page.md` of a small site, the way a build does.
fn parse_page(config: &Config, text: &str) -> Option<String> {
    let pages = [(Some("_index.md"), "index.html"), (Some("a b/page.md"), "a b/page/index.html")];
    let assets = [Asset { source: "img/x y.png".into(), url: "img/x y.png".into() }];
    let lookup = Lookup::new(pages.into_iter(), &assets, "content/".into());
    let slot = Slot {
        source: Some("a b/page.md".into()),
        dir: "a b".into(),
        url: "a b/page/index.html".into(),
        kind: PageKind::Page,
        generated: None,
        nav_title: None,
    };
    let me = PageId::from_index(1);
    let lexicon = crate::words::Lexicon::default();
    let mut collector = crate::words::Collector::new(&lexicon, true);
    parse::parse(config, &lookup, me, &slot, Some(text), Some(&mut collector), &|_, _| {}).ok().map(|p| p.page.html)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn reading_a_page_never_panics_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        let config = config("");
        if let Ok(text) = parse::decode(bytes, "p.md".into()) {
            parse_page(&config, &text);
            parse_page(&config, &format!("+++\n{text}\n+++\n{text}"));
        }
    }

    #[test]
    fn markdown_pages_never_write_a_script_url(md in markdown(true), title in "[ -~]{0,10}") {
        let escape = config("[markdown]\nraw_html = \"escape\"\nexternal_links_new_tab = true\n");
        let front = format!("+++\ntitle = {title:?}\n+++\n{md}");
        for text in [&md, &front] {
            if let Some(html) = parse_page(&escape, text) {
                assert_safe(&html);
            }
        }
        // Raw HTML runs as written under `allow`: only markdown without tags is judged there.
        let allow = config("");
        if !md.contains("<b>") && !md.contains("<div") && !md.contains("<a ") && !md.contains("<!--") {
            if let Some(html) = parse_page(&allow, &md) {
                assert_safe(&html);
            }
        }
    }

    #[test]
    fn urls_built_from_names_never_carry_a_scheme(
        names in prop::collection::vec(any::<String>().prop_filter("a name", |s| !s.is_empty() && !s.contains('/')), 1..4),
        seed in prop::sample::select(SEEDS.to_vec()),
    ) {
        let mut names = names;
        names[0] = format!("{seed}{}", names[0]);
        let path = format!("{}/index.html", names.join("/"));
        for url in [encode_path(&path).into_owned(), relative_href("index.html", &path), relative_href("x/y/index.html", &path)] {
            prop_assert_eq!(browser_scheme(&url), None, "{}", url);
            prop_assert!(!url.contains(['"', '<', '>', ' ', '#', '?']), "{}", url);
        }
        let decoded = percent_encoding::percent_decode_str(&encode_path(&path)).decode_utf8_lossy().into_owned();
        prop_assert_eq!(decoded, path, "encoding round-trips");
        for name in &names {
            if name_problem(name).is_none() {
                prop_assert!(!name.contains(':') && !name.chars().any(char::is_control), "{:?}", name);
            }
        }
    }

    #[test]
    fn raw_html_attribute_soup_never_writes_a_script_url(md in html_soup()) {
        let pages = [(Some("_index.md"), "index.html"), (Some("a b/page.md"), "a b/page/index.html")];
        let assets = [Asset { source: "img/x y.png".into(), url: "img/x y.png".into() }];
        let lookup = Lookup::new(pages.into_iter(), &assets, "content/".into());
        let me = PageId::from_index(1);
        let config = config("");
        // Broken links are problems, but the HTML is still judged.
        let r = crate::markdown::render(&md, &config.markdown, None, |dest| {
            lookup.resolve("a b/page/index.html", Some(me), "a b", dest)
        });
        for (name, value) in tag_urls(&r.html) {
            let candidates: Vec<&str> = if name == "srcset" { value.split(',').collect() } else { vec![&value] };
            for url in candidates {
                let ok = match browser_scheme(url).as_deref() {
                    None | Some("http" | "https" | "mailto" | "tel") => true,
                    Some("data") => url.trim_start_matches(|c: char| c <= ' ').to_ascii_lowercase().starts_with("data:image/"),
                    Some(_) => false,
                };
                prop_assert!(ok, "{}={:?} from {:?} in {}", name, value, md, r.html);
            }
        }
    }

    #[test]
    fn reading_yaml_front_matter_never_panics(text in yaml_ish()) {
        let config = config("");
        parse_page(&config, &format!("---\n{text}\n---\n# Body\n"));
        let _ = crate::content::frontmatter::slug_of(&format!("---\nslug: x\n{text}\n---\n"));
    }

    #[test]
    fn redirect_pages_never_write_a_script_url(from in "[a-z./%:#]{0,12}", to in dest()) {
        let Ok(from) = crate::content::paths::redirect_path("a", &from) else { return Ok(()) };
        let none = std::collections::HashMap::new();
        if let Ok(target) = crate::redirects::target_of(&from, &to, &|_| None, &none) {
            let html = crate::redirects::page(&crate::redirects::Redirect { from, to: target }, &crate::i18n::Translations::english());
            assert_safe(&html);
            let refresh = html.split("url=").nth(1).and_then(|r| r.split('"').next()).unwrap_or("");
            let scheme = browser_scheme(&refresh.replace("&amp;", "&"));
            prop_assert!(matches!(scheme.as_deref(), None | Some("http" | "https")), "{}", html);
        }
    }

    #[test]
    fn the_matrix_loader_never_panics_on_arbitrary_toml(text in toml_ish()) {
        let _ = crate::matrix::parse(&text);
    }

    #[test]
    fn matrix_fields_never_write_a_script_url(matrix in matrix_toml()) {
        let parsed = crate::matrix::parse(&matrix);
        prop_assert!(parsed.is_ok(), "the generated matrix is valid: {}", matrix);
        if let Ok(m) = parsed {
            let r = Rendered::default_for(&m);
            for page in ["index.html", "stages/a/index.html"] {
                assert_safe(&r.description.on(page));
                for s in &r.stages {
                    assert_safe(&s.summary.on(page));
                    assert_safe(&s.cost_source.on(page));
                }
                for c in &r.categories {
                    assert_safe(&c.lesson.on(page));
                    assert_safe(&c.intro.on(page));
                }
                for a in &r.aspects {
                    assert_safe(&a.note.on(page));
                    a.cells.iter().for_each(|c| assert_safe(&c.on(page)));
                }
            }
        }
    }
}

/// Raw HTML tags with URL attributes written every way (quoted, unquoted, entity-encoded, upper
/// case, over several lines, never closed), among raw-text elements, svg, comments and markdown.
fn html_soup() -> impl Strategy<Value = String> {
    let names = vec![
        "href",
        "HREF",
        "src",
        "Src",
        "srcset",
        "xlink:href",
        "action",
        "formaction",
        "poster",
        "data",
        "id",
        "name",
        "title",
    ];
    let attribute =
        (prop::sample::select(names), dest(), prop::sample::select(vec!["\"", "'", "", "-"]), "[ \n\t]{1,2}").prop_map(
            |(name, value, quote, space)| match quote {
                "-" => format!("{space}{name}"),
                "" => format!("{space}{name}={}", value.replace([' ', '\t', '\n', '"', '\'', '<', '>', '=', '`'], "")),
                q => format!("{space}{name}={q}{}{q}", value.replace(q, "")),
            },
        );
    let tags = vec![
        "a", "A", "img", "iframe", "svg", "source", "video", "form", "button", "script", "style", "textarea", "title",
        "div", "p", "picture", "details", "span", "animate",
    ];
    let tag = (
        prop::sample::select(tags),
        prop::collection::vec(attribute, 0..4),
        prop::sample::select(vec![">", "/>", "", "\n>"]),
    )
        .prop_map(|(name, attrs, close)| format!("<{name}{}{close}", attrs.concat()));
    let other = prop::sample::select(vec![
        "</a>",
        "</script>",
        "</style>",
        "</svg>",
        "</title>",
        "</textarea>",
        "</div>",
        "<!--",
        "-->",
        "\n",
        "\n\n",
        "> ",
        "- ",
        "text ",
        "`",
        "```\n",
        "<svg>",
        "&#106;",
        "\"",
        "'",
    ])
    .prop_map(String::from);
    prop::collection::vec(prop_oneof![3 => tag, 2 => other], 0..14).prop_map(|v| v.concat())
}

/// `(attribute, value)` of every URL attribute of every start tag, values decoded, read as a
/// browser's tokenizer would (the text of `<script>`, `<style>`, `<title>`… is not markup).
fn tag_urls(html: &str) -> Vec<(String, String)> {
    use html5gum::emitters::callback::{CallbackEmitter, CallbackEvent};
    let mut out = Vec::new();
    let mut attr = String::new();
    let mut emitter = CallbackEmitter::new(|event: CallbackEvent<'_>, _: html5gum::Span<()>| {
        match event {
            CallbackEvent::AttributeName { name } => attr = String::from_utf8_lossy(name).into_owned(),
            CallbackEvent::AttributeValue { value }
                if matches!(
                    attr.as_str(),
                    "href" | "src" | "srcset" | "xlink:href" | "action" | "formaction" | "poster" | "data"
                ) =>
            {
                out.push((attr.clone(), String::from_utf8_lossy(value).into_owned()));
            }
            _ => {}
        }
        None::<std::convert::Infallible>
    });
    emitter.naively_switch_states(true);
    let _ = html5gum::Tokenizer::new_with_emitter(html, emitter).finish();
    out
}

/// YAML-looking text: keys, anchors and aliases, tags, flow and block collections, odd
/// numbers, indentation, in random order.
fn yaml_ish() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        prop::sample::select(vec![
            "title: ",
            "weight: ",
            "slug: ",
            "aliases: ",
            "draft: ",
            "extra:\n  ",
            "? ",
            ": ",
            "- ",
            "&a ",
            "*a ",
            "&b [*a, *a] ",
            "!!python/object ",
            "!x ",
            "[",
            "]",
            "{",
            "}",
            ", ",
            "\"",
            "'",
            "\n",
            "\n  ",
            "~ ",
            "1e999 ",
            "99999999999999999999999 ",
            "0x1F ",
            "yes ",
            "null ",
            "|\n  ",
            ">\n  ",
            "#c\n",
            "---\n",
            "...\n",
            "\t",
            "%YAML 1.2\n",
        ])
        .prop_map(String::from),
        "[ -~]{0,6}",
    ];
    prop::collection::vec(piece, 0..40).prop_map(|v| v.concat())
}

/// TOML-looking text: table headers, keys and values of the matrix's shape, shuffled, with
/// random bytes in between.
fn toml_ish() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        prop::sample::select(vec![
            "[matrix]\n",
            "[[stage]]\n",
            "[stage.cost]\n",
            "[[category]]\n",
            "[[aspect]]\n",
            "[[checklist]]\n",
            "[[checklist.item]]\n",
            "[[table]]\n",
            "[[table.row]]\n",
            "id = \"a\"\n",
            "id = \"b\"\n",
            "id = \"A B\"\n",
            "name = \"N\"\n",
            "category = \"a\"\n",
            "stages = [\"a\", \"zz\"]\n",
            "cells = { a = \"x\", b = 1 }\n",
            "empty = [\"a\"]\n",
            "build = [9223372036854775807, -9223372036854775808]\n",
            "weeks = [3, 1]\n",
            "monthly = []\n",
            "columns = [{ id = \"c\", name = \"C\" }]\n",
            "title = \"T\"\n",
            "ordered = true\n",
            "weight = -1\n",
            "currency = \"\"\n",
            "= \n",
            "\"\n",
            "[\n",
            "{",
            "}",
            "\n",
        ])
        .prop_map(String::from),
        any::<String>().prop_map(|s| s.chars().take(20).collect()),
    ];
    prop::collection::vec(piece, 0..40).prop_map(|v| v.concat())
}

/// A matrix that usually loads: two stages, a category and an aspect whose markdown fields
/// hold random markdown with seeded links.
fn matrix_toml() -> impl Strategy<Value = String> {
    let field = || markdown(false).prop_map(|m| toml_string(&m));
    (field(), field(), field(), field(), field()).prop_map(|(d, s, l, n, c)| {
        format!(
            "[matrix]\ndescription = {d}\n[[stage]]\nid = \"a\"\nname = \"A\"\nsummary = {s}\n[stage.cost]\nbuild = [1, 2]\nsource = {s}\n\
             [[stage]]\nid = \"b\"\nname = \"B\"\n[[category]]\nid = \"c\"\nname = \"C\"\nlesson = {l}\nintro = {l}\n\
             [[aspect]]\nid = \"x\"\ncategory = \"c\"\nname = \"X\"\nnote = {n}\ncells = {{ a = {c}, b = {c} }}\n"
        )
    })
}

/// `s` as a TOML basic string.
fn toml_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
