//! Pages written for GitHub: raw HTML `src`/`href` rewritten and checked like markdown links,
//! `<a name>`/`id` anchors, hostile attributes, over the `github-handbook` fixture.

mod common;

use common::Book;

/// Line and column (1-based, in characters) of the first `needle` in `text`.
fn line_col(text: &str, needle: &str) -> (usize, usize) {
    let at = text.find(needle).unwrap_or_else(|| panic!("{needle:?} in {text}"));
    let line = text[..at].matches('\n').count() + 1;
    let col = text[..at].rsplit('\n').next().unwrap_or("").chars().count() + 1;
    (line, col)
}

/// The article part of a built page (what the page's markdown became).
fn main_of(html: &str) -> &str {
    let start = html.find("<main").expect("a main element");
    &html[start..html[start..].find("</main>").map_or(html.len(), |e| start + e)]
}

#[test]
fn raw_html_links_and_images_work_from_nested_pages() {
    let b = Book::fixture("github-handbook");
    b.build_ok();
    let home = b.read("book/index.html");
    // At the top, relative paths stay as written: the tags are byte-identical.
    assert!(home.contains("<p align=\"center\">\n  <img src=\"img/logo.png\" alt=\"Acme logo\" width=\"96\">\n</p>"));
    assert!(home.contains("<a href=\"people/index.html\">People</a>"), "{}", main_of(&home));
    assert!(home.contains("<a href=\"engineering/index.html#oncall\">how on-call works</a>"), "{}", main_of(&home));
    assert!(
        home.contains("<a href='engineering/oncall/index.html#paging'>paging</a>"),
        "quotes kept: {}",
        main_of(&home)
    );

    let onboarding = b.read("book/people/onboarding/index.html");
    assert!(onboarding.contains("<img src=\"../../img/logo.png\" alt=\"\" width=\"32\" align=\"right\">"));
    assert!(onboarding.contains("<a href=\"../index.html#holidays\">holiday calendar</a>"), "{}", main_of(&onboarding));
    assert!(
        onboarding.contains(
            "<a\n      href=\"../../engineering/oncall/index.html\"\n      title=\"on-call\">on-call shift</a>"
        ),
        "a tag over several lines keeps its layout: {}",
        main_of(&onboarding)
    );
    let people = b.read("book/people/index.html");
    assert!(people.contains("<a href=\"onboarding/index.html#your-first-week\">"), "{}", main_of(&people));
    assert!(people.contains("<a href=\"../engineering/oncall/index.html#swaps\">"), "{}", main_of(&people));
    let oncall = b.read("book/engineering/oncall/index.html");
    assert!(
        oncall.contains("<video src=\"../media/drill.webm\" controls width=\"320\"></video>"),
        "{}",
        main_of(&oncall)
    );
    assert!(oncall.contains("Go back to <a href=\"#paging\">paging</a>."), "{}", main_of(&oncall));

    // Files named only by raw HTML are published as they are.
    for file in ["img/logo.png", "img/logo-dark.png", "engineering/media/drill.webm"] {
        assert_eq!(
            std::fs::read(b.path(&format!("book/{file}"))).unwrap(),
            std::fs::read(b.path(&format!("content/{file}"))).unwrap(),
            "{file}"
        );
    }
}

#[test]
fn html_that_needs_no_change_is_written_byte_for_byte() {
    let b = Book::fixture("github-handbook");
    b.build_ok();
    let home = b.read("book/index.html");
    let engineering = b.read("book/engineering/index.html");
    for (html, source, block) in [
        (&home, "content/README.md", "<details>\n<summary>Why is this a folder of README files?</summary>\n"),
        (&home, "content/README.md", "<div align=\"center\">\n  <a href=\"https://example.com/status\"><img src=\"https://example.com/badge.svg\" alt=\"status badge\"></a>\n</div>\n"),
        (&engineering, "content/engineering/README.md", "<picture>\n  <source media=\"(prefers-color-scheme: dark)\" srcset=\"../img/logo-dark.png 1x, ../img/logo-dark.png 2x\">\n  <img src=\"../img/logo.png\" alt=\"Acme logo\">\n</picture>\n"),
    ] {
        assert!(b.read(source).contains(block), "the fixture has {block:?}");
        assert!(html.contains(block), "{block:?} in {}", main_of(html));
    }
}

#[test]
fn anchor_names_and_ids_satisfy_links_but_not_in_comments_or_code() {
    let b = Book::fixture("github-handbook");
    // Without the `<a name>`, the three links to it break, each at its own place.
    let people = b.read("content/people/README.md");
    b.write("content/people/README.md", people.replace("<a name=\"holidays\"></a>\n", ""));
    let more =
        "\nSee <a href=\"oncall.md#rota-legacy\">old rota</a> and <a href=\"oncall.md#only-an-example\">x</a>.\n";
    let engineering = b.read("content/engineering/README.md") + more;
    b.write("content/engineering/README.md", &engineering);
    let r = b.build();
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert_eq!(r.stderr.matches("no heading with id `holidays`").count(), 3, "{}", r.stderr);
    for (file, needle) in [
        ("content/README.md", "people/README.md#holidays"),
        ("content/people/onboarding.md", "README.md#holidays"),
        ("content/engineering/oncall.md", "../people/README.md#holidays"),
        ("content/engineering/README.md", "oncall.md#rota-legacy"),
        ("content/engineering/README.md", "oncall.md#only-an-example"),
    ] {
        let (line, col) = line_col(&b.read(file), needle);
        assert!(
            r.stderr.contains(&format!("{file}:{line}:{col}: error: link `{needle}`")),
            "{file}:{line}:{col}\n{}",
            r.stderr
        );
    }
    assert!(!b.exists("book"), "nothing is written");
}

#[test]
fn a_broken_raw_html_link_is_an_error_at_its_line_and_column() {
    let b = Book::fixture("github-handbook");
    let page = "# Broken\n\nLine three has <img src=\"../img/missing.png\" alt=\"x\"> and\n<p>\n  <a\n    href=\"gone.md\">gone</a>\n</p>\n\nUp to <a href=\"#nowhere\">nowhere</a>.\n";
    b.write("content/people/broken.md", page);
    let r = b.build();
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    let (line, col) = line_col(page, "../img/missing.png");
    assert!(
        r.stderr.contains(&format!(
            "content/people/broken.md:{line}:{col}: error: link to missing file or folder `../img/missing.png`"
        )),
        "{}",
        r.stderr
    );
    let (line, col) = line_col(page, "gone.md");
    assert_eq!((line, col), (6, 11));
    assert!(
        r.stderr.contains(&format!("content/people/broken.md:{line}:{col}: error: link to missing page `gone.md`")),
        "{}",
        r.stderr
    );
    let (line, col) = line_col(page, "#nowhere");
    let expected =
        format!("content/people/broken.md:{line}:{col}: error: link `#nowhere`: no heading with id `nowhere`");
    assert!(r.stderr.contains(&expected), "{}", r.stderr);
    assert!(r.stderr.contains("3 errors"), "{}", r.stderr);
}

#[test]
fn raw_html_shown_as_text_is_neither_rewritten_nor_checked() {
    let b = Book::fixture("github-handbook");
    b.write("book.toml", b.read("book.toml") + "\n[markdown]\nraw_html = \"escape\"\n");
    b.write("content/people/broken.md", "# B\n\n<a href=\"gone.md\">gone</a> <a href=\"javascript:x\">x</a>\n");
    let r = b.build_ok();
    assert!(!r.stderr.contains("gone.md") && !r.stderr.contains("dropped"), "{}", r.stderr);
    let html = b.read("book/people/broken/index.html");
    assert!(html.contains("&lt;a href=\"gone.md\"&gt;gone&lt;/a&gt;"), "{}", main_of(&html));
    let home = b.read("book/index.html");
    assert!(home.contains("&lt;a href=\"people/README.md\"&gt;People&lt;/a&gt;"), "{}", main_of(&home));
}

/// Every URL-valued attribute of every tag in `html` as a tokenizer reads it (values decoded),
/// script and style text included, so nothing that could be a tag is missed.
fn url_attributes(html: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for token in html5gum::Tokenizer::new(html).flatten() {
        if let html5gum::Token::StartTag(tag) = token {
            for (name, value) in &tag.attributes {
                let name = String::from_utf8_lossy(name).into_owned();
                if matches!(
                    name.as_str(),
                    "href" | "src" | "srcset" | "poster" | "action" | "formaction" | "xlink:href" | "data"
                ) {
                    out.push((name, String::from_utf8_lossy(value).into_owned()));
                }
            }
        }
    }
    out
}

/// The scheme a browser sees in `url` (tabs and newlines removed, leading spaces skipped).
fn scheme(url: &str) -> Option<String> {
    let cleaned: String = url.chars().filter(|c| !matches!(c, '\t' | '\n' | '\r')).collect();
    let cleaned = cleaned.trim_start_matches(|c: char| c <= ' ');
    let end = cleaned.find(':')?;
    let s = &cleaned[..end];
    let valid = s.starts_with(|c: char| c.is_ascii_alphabetic())
        && s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    valid.then(|| s.to_ascii_lowercase())
}

#[test]
fn hostile_raw_html_attributes_never_give_a_script_url() {
    let b = Book::fixture("github-handbook");
    let page = concat!(
        "# Hostile\n\n",
        "<a href=\"javascript:alert(1)\">t1</a> <a HREF=JAVASCRIPT:alert(2)>t2</a> <a href='&#106;avascript:alert(3)'>t3</a>\n",
        "<a href=\"&#x6A;&#x61;vascript&colon;alert(4)\">t4</a> <img src=\"data:text/html;base64,PHNjcmlwdD4=\" alt=\"t5\">\n\n",
        "<p>\n<img src=\" java&#x09;script:alert(5)\" alt=t6> <iframe src=\"vbscript:x\"></iframe>\n",
        "<form action=\"javascript:alert(6)\"><button formaction=javascript:alert(7)>t7</button></form>\n",
        "<svg><a xlink:href=\"javascript:alert(8)\"><text>t8</text></a></svg> <img srcset=\"../img/logo.png 1x, javascript:alert(9) 2x\" alt=t9>\n",
        "</p>\n\n",
        "<div>\n<a title=x href=\"javascript:alert(10)\"\n\n",
        "Then <a href=\"https://example.com/\">fine</a> and <img src=\"data:image/png;base64,iVBORw0KGgo=\" alt=\"pixel\">.\n",
    );
    b.write("content/hostile.md", page);
    let r = b.build_ok();
    assert_eq!(r.stderr.matches("scheme dropped").count(), 12, "{}", r.stderr);
    let (line, col) = line_col(page, "&#106;avascript");
    assert!(
        r.stderr.contains(&format!(
            "content/hostile.md:{line}:{col}: warning: raw HTML `href` with the `javascript:` scheme dropped"
        )),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("left open at the end of the HTML block"), "{}", r.stderr);
    let html = b.read("book/hostile/index.html");
    for (name, value) in url_attributes(&html) {
        let ok = match scheme(&value).as_deref() {
            None | Some("http" | "https" | "mailto" | "tel") => true,
            Some("data") => name == "src" && value.starts_with("data:image/"),
            Some(_) => false,
        };
        assert!(ok, "{name}={value:?} in {}", main_of(&html));
        for candidate in value.split(',') {
            assert_ne!(scheme(candidate.trim()).as_deref(), Some("javascript"), "{name}={value:?}");
        }
    }
    let article = main_of(&html);
    for i in 1..=9 {
        assert!(article.contains(&format!("t{i}")), "text t{i} stays: {article}");
    }
    assert!(article.contains("<a href=\"https://example.com/\">fine</a>"), "{article}");
    assert!(article.contains("src=\"data:image/png;base64,iVBORw0KGgo=\""), "{article}");
}

#[test]
fn raw_html_in_matrix_fields_gets_each_page_s_relative_hrefs() {
    let b = Book::fixture("matrix-generic");
    let matrix = b.read("content/matrix.toml");
    let old = "lesson = \"Une chose à la fois.\"";
    assert!(matrix.contains(old));
    let lesson = "lesson = \"Lire <a href='guide/_index.md' class=g>le guide</a> <a href='javascript:x'>non</a>\"";
    b.write("content/matrix.toml", matrix.replace(old, lesson));
    let r = b.build_ok();
    assert!(r.stderr.contains("content/matrix.toml:") && r.stderr.contains("scheme dropped"), "{}", r.stderr);
    let category = b.read("book/categories/produit/index.html");
    assert!(
        category.contains("<a href='../../guide/index.html' class=g>le guide</a> <a >non</a>"),
        "{}",
        main_of(&category)
    );
    let broken = b.read("content/matrix.toml").replace("guide/_index.md", "nowhere.md");
    b.write("content/matrix.toml", broken);
    let r = b.build();
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert!(r.stderr.contains("nowhere.md"), "{}", r.stderr);
}
