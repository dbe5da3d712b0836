//! No script from a name or a link: names that cannot be published everywhere are errors, URLs
//! built from names are encoded the same way in every output, link destinations with a script
//! scheme are dropped with a warning, and `raw_html = "escape"` shows raw HTML as text.

mod common;

use common::{links, Book};

/// A handbook written by the test: book.toml (plus `extra` settings) and a home page.
fn book(extra: &str) -> Book {
    let dir = tempfile::tempdir().expect("temp dir");
    let b = Book { dir };
    b.write(
        "book.toml",
        format!("[book]\ntitle = \"Links\"\n\n[site]\nbase_url = \"https://example.org/h/\"\n{extra}"),
    );
    b.write("content/_index.md", "# Home\n\nWelcome.\n");
    b
}

/// Every generated text file of the output, with its path.
fn output_texts(b: &Book) -> Vec<(String, String)> {
    b.snapshot("book").into_iter().map(|(p, bytes)| (p, String::from_utf8_lossy(&bytes).into_owned())).collect()
}

/// The scheme a browser would see in `url`, lowercased; `None` when relative.
fn scheme(url: &str) -> Option<String> {
    let cleaned: String = url.chars().filter(|c| !matches!(c, '\t' | '\n' | '\r')).collect();
    let cleaned = cleaned.trim_start_matches(|c: char| c <= ' ');
    let end = cleaned.find(':')?;
    let s = &cleaned[..end];
    let valid = s.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    valid.then(|| s.to_ascii_lowercase())
}

#[test]
fn names_that_cannot_be_published_everywhere_are_errors_naming_the_character() {
    let b = book("");
    b.write("content/javascript:alert(document.domain).md", "# X\n");
    b.write("content/bad|folder/inside.md", "# Y\n");
    b.write("content/notes.", "text");
    b.write("content/tab\there.md", "# T\n");
    let r = b.build();
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert!(
        r.stderr.contains("content/javascript:alert(document.domain).md: error: the name contains `:`"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("content/bad|folder: error: the name contains `|`"), "{}", r.stderr);
    assert!(!r.stderr.contains("inside.md"), "one error for a folder, not one per file in it:\n{}", r.stderr);
    assert!(r.stderr.contains("content/notes.: error: the name ends with a dot"), "{}", r.stderr);
    assert!(r.stderr.contains("U+0009"), "{}", r.stderr);
    assert!(!b.exists("book"), "nothing is written");
}

#[test]
fn urls_built_from_names_are_encoded_the_same_way_in_every_output() {
    let b = book("");
    b.write("content/a b/c#d.md", "# Hash\n\nBody text searchable.\n");
    b.write("content/a b/_index.md", "# Space\n\nSection text.\n");
    b.write("content/100%.md", "# Percent\n\nSee [hash](a%20b/c%23d.md) and [space](<a b/_index.md>).\n");
    b.write("content/caf\u{e9}^.md", "# Cafe\n\nMore text.\n");
    b.build_ok();
    let expected = ["a%20b/c%23d/index.html", "100%25/index.html", "caf%C3%A9%5E/index.html", "a%20b/index.html"];

    let toc = b.read("book/static/toc.js");
    let sitemap = b.read("book/sitemap.xml");
    let search: String =
        output_texts(&b).into_iter().filter(|(p, _)| p.starts_with("search/d/")).map(|(_, t)| t).collect();
    let home = b.read("book/index.html");
    let not_found = b.read("book/404.html");
    for url in expected {
        assert!(toc.contains(&format!("\"{url}\"")), "toc.js lacks {url}: {toc}");
        let loc = format!("<loc>https://example.org/h/{}</loc>", url.trim_end_matches("index.html"));
        assert!(sitemap.contains(&loc), "sitemap lacks {loc}: {sitemap}");
    }
    for url in &expected[1..] {
        assert!(links(&home).iter().any(|l| l == url), "home sidebar lacks {url}: {:?}", links(&home));
        assert!(links(&not_found).iter().any(|l| l == url), "404 sidebar lacks {url}");
    }
    let section = b.read("book/a b/index.html");
    assert!(links(&section).iter().any(|l| l == "c%23d/index.html"), "open section: {:?}", links(&section));
    for url in ["a%20b/c%23d/index.html", "100%25/index.html", "caf%C3%A9%5E/index.html"] {
        assert!(search.contains(url), "search data lacks {url}");
    }
    for raw in ["a b/c#d/index.html", "100%/index.html", "café^/index.html"] {
        for (what, text) in [("toc.js", &toc), ("sitemap", &sitemap), ("search", &search), ("home", &home)] {
            assert!(!text.contains(raw), "{what} has the raw {raw}");
        }
    }
    let page = b.read("book/100%/index.html");
    assert!(links(&page).contains(&"../a%20b/c%23d/index.html".to_string()), "{:?}", links(&page));
    assert!(page.contains("data-page=\"100%25/index.html\""), "nav.js compares toc.js urls with this");
    assert!(b.read("book/a b/c#d/index.html").contains("Body text searchable"), "files keep their names on disk");
}

/// The seeds the issue names, each in a link and an image.
const SEEDS: [&str; 6] = [
    "JaVaScRiPt:alert(1)",
    "&#106;avascript:alert(2)",
    "<java\tscript:alert(3)>",
    "< javascript:alert(4)>",
    "<\u{1}javascript:alert(5)>",
    "vbscript:msgbox(6)",
];

#[test]
fn links_and_images_with_a_script_scheme_are_dropped_with_a_warning_keeping_their_text() {
    let b = book("");
    let mut md = String::from("# Links\n\n");
    for (i, seed) in SEEDS.iter().enumerate() {
        md.push_str(&format!("[text{i}]({seed}) ![alt{i}]({seed})\n\n"));
    }
    md.push_str("<javascript:alert(7)> [ok](https://example.org/) [mail](mailto:a@example.org) [tel](tel:+1)\n\n");
    md.push_str("![pixel](data:image/png;base64,iVBORw0KGgo=) [no](data:text/html,hi) [ref][r]\n\n");
    md.push_str("[r]: JAVASCRIPT:alert(8)\n");
    b.write("content/l.md", &md);
    let r = b.build_ok();
    let html = b.read("book/l/index.html");
    for l in links(&html) {
        let s = scheme(&l);
        assert!(
            s.is_none()
                || matches!(s.as_deref(), Some("http" | "https" | "mailto" | "tel"))
                || l.starts_with("data:image/"),
            "{l:?} in {html}"
        );
    }
    for i in 0..SEEDS.len() {
        assert!(html.contains(&format!("text{i}")) && html.contains(&format!("alt{i}")), "text {i} kept: {html}");
    }
    assert!(html.contains("javascript:alert(7)"), "an autolink's text stays: {html}");
    assert!(html.contains("href=\"https://example.org/\"") && html.contains("href=\"mailto:a@example.org\""));
    assert!(html.contains("src=\"data:image/png;base64,iVBORw0KGgo=\""), "{html}");
    assert!(!html.contains("data:text/html"), "{html}");
    // 6 seeds × (link + image), the autolink, the data: link and the reference link.
    assert_eq!(r.stderr.matches("scheme dropped").count(), 15, "{}", r.stderr);
    assert!(r.stderr.contains("content/l.md:3:1: warning: link with the `javascript:` scheme dropped"), "{}", r.stderr);
    assert!(r.stderr.contains("content/l.md:3:"), "{}", r.stderr);
    assert!(r.stderr.contains("warning: image with the `javascript:` scheme dropped"), "{}", r.stderr);
}

fn matrix_book(extra: &str, lesson: &str) -> Book {
    let b = Book::fixture("matrix-generic");
    let toml = b.read("book.toml");
    b.write("book.toml", format!("{toml}\n{extra}"));
    let matrix = b.read("content/matrix.toml");
    let old = "lesson = \"Une chose à la fois.\"";
    assert!(matrix.contains(old));
    let quoted = lesson.replace('\\', "\\\\").replace('"', "\\\"").replace('\u{1}', "\\u0001");
    b.write("content/matrix.toml", matrix.replace(old, &format!("lesson = \"{quoted}\"")));
    b
}

#[test]
fn matrix_markdown_fields_drop_script_links_too() {
    let b = matrix_book("", "[do it](JaVaScRiPt:alert(1)) then ![chart](<\u{1}javascript:alert(2)>)");
    let r = b.build_ok();
    assert!(r.stderr.contains("content/matrix.toml:"), "{}", r.stderr);
    assert_eq!(r.stderr.matches("scheme dropped").count(), 2, "{}", r.stderr);
    for (path, text) in output_texts(&b) {
        if path.ends_with(".html") {
            for l in links(&text) {
                assert!(!matches!(scheme(&l).as_deref(), Some("javascript")), "{path}: {l}");
            }
        }
    }
    assert!(b.read("book/categories/produit/index.html").contains("do it"), "the text stays");
}

#[test]
fn raw_html_is_allowed_by_default_and_shown_as_text_with_escape() {
    let page = "# P\n\n<div class=\"x\"><script>alert(1)</script></div>\n\nInline <b onclick=\"x()\">bold</b>.\n";
    let lesson = "Careful <img src=https://x.invalid/p.png onerror=alert(1)> here";

    let allow = matrix_book("", lesson);
    allow.write("content/p.md", page);
    allow.build_ok();
    assert!(allow.read("book/p/index.html").contains("<script>alert(1)</script>"));
    assert!(allow
        .read("book/categories/produit/index.html")
        .contains("<img src=https://x.invalid/p.png onerror=alert(1)>"));

    let escape = matrix_book("[markdown]\nraw_html = \"escape\"\n", lesson);
    escape.write("content/p.md", page);
    escape.build_ok();
    let html = escape.read("book/p/index.html");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "{html}");
    assert!(html.contains("Inline &lt;b onclick=\"x()\"&gt;bold&lt;/b&gt;."), "{html}");
    assert!(!html.contains("<script>alert") && !html.contains("<b onclick"), "{html}");
    let category = escape.read("book/categories/produit/index.html");
    assert!(category.contains("&lt;img src=https://x.invalid/p.png onerror=alert(1)&gt;"), "{category}");
    assert!(!category.contains("<img src=https"), "{category}");
}

#[test]
fn raw_html_takes_only_its_two_values() {
    let b = book("[markdown]\nraw_html = \"strip\"\n");
    let r = b.build();
    assert_eq!(r.code, Some(1));
    assert!(r.stderr.contains("book.toml:7:12"), "{}", r.stderr);
    assert!(r.stderr.contains("allow") && r.stderr.contains("escape"), "{}", r.stderr);
}

#[test]
fn nul_in_front_matter_and_text_reaches_no_output_file() {
    let b = book("");
    b.write(
        "content/p.md",
        "+++\ntitle = \"Ti\\u0000tle\"\ndescription = \"De\\u0000sc\"\n+++\n\npara \0 and `co\0de`\n\n```sh\necho \0\n```\n",
    );
    b.build_ok();
    let page = b.read("book/p/index.html");
    assert!(page.contains("Ti\u{FFFD}tle") && page.contains("para \u{FFFD} and"), "{page}");
    for (path, text) in output_texts(&b) {
        assert!(!text.contains('\0'), "NUL in {path}");
    }
}
