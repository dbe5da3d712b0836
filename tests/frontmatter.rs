//! Front matter written for other tools (YAML), the title rule, and redirect pages, over the
//! `yaml-frontmatter` and `mdbook-urls` fixture books, through the real binary.

mod common;
use common::Book;

fn h1_count(html: &str) -> usize {
    html.matches("<h1").count()
}

fn title_of(html: &str) -> &str {
    let start = html.find("<title>").expect("has a title") + "<title>".len();
    &html[start..start + html[start..].find("</title>").unwrap()]
}

#[test]
fn yaml_front_matter_sets_title_order_and_extra() {
    let book = Book::fixture("yaml-frontmatter");
    book.build_ok();
    let onboarding = book.read("book/onboarding/index.html");
    assert_eq!(title_of(&onboarding), "Onboarding · YAML Handbook");
    // The block is front matter, not a heading and text.
    assert!(!onboarding.contains("layout: page") && !onboarding.contains("redirect_from"), "{onboarding}");
    // Order keys of Just the Docs (nav_order), Hugo (weight) and Docusaurus (sidebar_position).
    let toc = book.read("book/static/toc.js");
    let at = |t: &str| toc.find(t).unwrap_or_else(|| panic!("{t} missing from {toc}"));
    assert!(at("\"Onboarding\"") < at("\"Deploying\"") && at("\"Deploying\"") < at("\"Team data\""), "{toc}");
    // Unknown keys are page.extra, escaped when printed; nulls are dropped.
    let extras = book.read("book/extras/index.html");
    assert!(extras.contains("<p class=\"owner\">&lt;b&gt;platform&lt;/b&gt; &amp; ops</p>"), "{extras}");
    assert!(extras.contains("<p class=\"tags\">ops,ci</p>"));
    assert!(extras.contains("<p class=\"chat\">#platform</p>"));
    assert!(extras.contains("<p class=\"pager\">no pager</p>"));
    assert!(extras.contains("<p class=\"big\">1234567890"), "{extras}");
}

#[test]
fn title_rule_and_no_second_h1() {
    let book = Book::fixture("yaml-frontmatter");
    book.build_ok();
    // Front matter title and the same leading H1: the page's own H1 only.
    assert_eq!(h1_count(&book.read("book/onboarding/index.html")), 1);
    // Front matter title over a `## Steps` page: the theme's H1.
    let deploy = book.read("book/deploy/index.html");
    assert_eq!(h1_count(&deploy), 1);
    assert!(deploy.contains("<h1>Deploying</h1>"), "{deploy}");
    // A page that starts with `##` is titled by it and gets no H1 on top.
    let ownership = book.read("book/docs/ownership/index.html");
    assert_eq!(title_of(&ownership), "What is ownership? · YAML Handbook");
    assert_eq!(h1_count(&ownership), 0, "{ownership}");
    // Comments and `<a id>` anchors before the heading are skipped.
    let home = book.read("book/index.html");
    assert!(home.contains("<h1 id=\"company-handbook\">"), "{home}");
    assert_eq!(h1_count(&home), 1);
    // A `---` block that is not a YAML mapping stays markdown (two rules around text).
    let rule = book.read("book/rule/index.html");
    assert_eq!(title_of(&rule), "Rule · YAML Handbook");
    assert!(rule.contains("<hr") && rule.contains("Some text between two rules"), "{rule}");
}

#[test]
fn slug_moves_the_page_and_links_follow() {
    let book = Book::fixture("yaml-frontmatter");
    book.build_ok();
    assert!(book.exists("book/docs/start-here/index.html"));
    assert!(!book.exists("book/docs/intro/index.html"));
    assert!(book.read("book/index.html").contains("href=\"docs/start-here/index.html\""));
    assert!(book.read("book/docs/start-here/index.html").contains("href=\"../ownership/index.html\""));
}

#[test]
fn aliases_write_relative_redirect_pages_listed_nowhere() {
    let book = Book::fixture("yaml-frontmatter");
    book.build_ok();
    let getting_started = book.read("book/getting-started/index.html");
    assert!(getting_started.contains("<meta http-equiv=\"refresh\" content=\"0; url=../onboarding/index.html\">"));
    assert!(getting_started.contains("<link rel=\"canonical\" href=\"../onboarding/index.html\">"));
    assert!(getting_started.contains("<a href=\"../onboarding/index.html\">"));
    assert!(book.read("book/old/onboarding.html").contains("url=../onboarding/index.html\""));
    assert!(book.read("book/ship/index.html").contains("url=../deploy/index.html\""));
    // In the manifest (stagebook owns them) but not in the navigation, sitemap or search.
    let manifest = book.read("book/.stagebook-manifest");
    assert!(manifest.contains("\"getting-started/index.html\"") && manifest.contains("\"old/onboarding.html\""));
    let sitemap = book.read("book/sitemap.xml");
    assert!(sitemap.contains("onboarding/") && !sitemap.contains("getting-started") && !sitemap.contains("/ship/"));
    assert!(!book.read("book/static/toc.js").contains("getting-started"));
    for (rel, bytes) in book.snapshot("book/search") {
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains("getting-started") && !text.contains("Redirecting"), "search/{rel}");
    }
}

#[test]
fn permalink_is_a_warning_at_its_place() {
    let book = Book::fixture("yaml-frontmatter");
    let run = book.build_ok();
    assert!(
        run.stderr.contains("content/moved.md:3:1: warning: front matter: `permalink` is ignored"),
        "{}",
        run.stderr
    );
}

#[test]
fn wrong_types_are_errors_at_path_line_col() {
    let book = Book::fixture("yaml-frontmatter");
    book.write("content/bad.md", "---\ntitle: [1, 2]\nweight: heavy\naliases: ['javascript:alert(1)']\n---\n# Bad\n");
    let run = book.build();
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    for expected in [
        "content/bad.md:2:8: error: front matter: `title` must be text, not a list",
        "content/bad.md:3:9: error: front matter: `weight` must be a whole number, not text",
        "content/bad.md:4:10: error: redirect from `javascript:alert(1)` cannot be made",
    ] {
        assert!(run.stderr.contains(expected), "{expected}\n{}", run.stderr);
    }
    assert!(!book.exists("book/index.html"), "nothing written");
}

#[test]
fn a_redirect_over_a_real_page_is_an_error_naming_both() {
    let book = Book::fixture("yaml-frontmatter");
    book.write("content/old/notes.md", "---\nredirect_from: /deploy/\n---\n# Notes\n");
    let run = book.build();
    assert_eq!(run.code, Some(1));
    assert!(
        run.stderr.contains(
            "content/old/notes.md:2:16: error: a redirect from `/deploy/` would replace the page made from `content/deploy.md`"
        ),
        "{}",
        run.stderr
    );
    // An alias that names the page's own URL is no redirect and no error.
    book.write("content/old/notes.md", "---\nredirect_from: [/old/notes/]\n---\n# Notes\n");
    book.build_ok();
    // Two pages claiming one old URL.
    book.write("content/old/notes.md", "---\nredirect_from: /ship/\n---\n# Notes\n");
    let run = book.build();
    assert!(run.stderr.contains("`/ship/` is already a redirect to `/deploy/`"), "{}", run.stderr);
}

#[test]
fn broken_yaml_meant_as_front_matter_is_an_error() {
    let book = Book::fixture("yaml-frontmatter");
    book.write("content/broken.md", "---\ntitle: Broken\ntags: [a, b\n---\n# Broken\n");
    let run = book.build();
    assert_eq!(run.code, Some(1));
    assert!(run.stderr.contains("content/broken.md:") && run.stderr.contains("YAML front matter:"), "{}", run.stderr);
}

/// Alias bombs, deep nesting, huge numbers and tags: a clear error or a value, never a panic,
/// and never the memory an expanded bomb would take (the build runs under a 3 GB address-space
/// limit; nine levels of nine aliases would be some 400 million nodes).
#[test]
fn hostile_yaml_is_an_error_or_a_value_never_a_crash() {
    let mut bomb =
        String::from("---\na: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
    for (prev, name) in "abcdefghi".chars().zip("bcdefghij".chars()) {
        bomb.push_str(&format!("{name}: &{name} [{}]\n", vec![format!("*{prev}"); 9].join(",")));
    }
    bomb.push_str("---\n# Bomb\n");
    let deep = format!("---\nk: {}{}\n---\n", "[".repeat(100_000), "]".repeat(100_000));
    let cases = [
        ("bomb", bomb, false),
        ("deep", deep, false),
        ("numbers", "---\nweight: 99999999999999999999999\n---\n".to_string(), false),
        ("bignum", "---\nbig: 99999999999999999999999999999999999999999999\nneg: -1e999\n---\n# N\n".into(), true),
        ("tags", "---\nx: !!python/object:os.system ls\ny: !custom {a: 1}\ntitle: !!str Tagged\n---\n".into(), true),
        ("binary", "---\nx: !!binary aGVsbG8=\n---\n# B\n".into(), true),
        ("keys", "---\n? [a, b]\n: complex key\n{x: 1}: y\n---\n# K\n".into(), true),
    ];
    for (name, text, builds) in cases {
        let book = Book::fixture("yaml-frontmatter");
        book.write(&format!("content/{name}.md"), &text);
        let out = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!("ulimit -v 3000000; exec '{}' build", env!("CARGO_BIN_EXE_stagebook")))
            .current_dir(book.path(""))
            .env("NO_COLOR", "1")
            .output()
            .expect("run stagebook");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked") && !stderr.contains("memory allocation"), "{name}: {stderr}");
        assert_eq!(out.status.success(), builds, "{name}: {stderr}");
        if !builds {
            assert_eq!(out.status.code(), Some(1), "{name}: {stderr}");
            assert!(stderr.contains(&format!("content/{name}.md:")), "{name}: {stderr}");
        }
    }
}

#[test]
fn toml_front_matter_keeps_its_strict_schema() {
    let book = Book::fixture("yaml-frontmatter");
    book.write("content/strict.md", "+++\ntitle = \"T\"\nlayout = \"page\"\n+++\n");
    let run = book.build();
    assert_eq!(run.code, Some(1));
    assert!(
        run.stderr.contains("content/strict.md:3:1: error: front matter: unknown field `layout`"),
        "{}",
        run.stderr
    );
    book.write("content/strict.md", "+++\ntitle = \"T\"\nslug = \"strict-page\"\naliases = [\"/strict/\"]\n+++\n");
    book.build_ok();
    assert!(book.read("book/strict/index.html").contains("url=../strict-page/index.html\""));
}

#[test]
fn mdbook_chapter_html_urls_redirect_to_pretty_urls() {
    let book = Book::fixture("mdbook-urls");
    book.build_ok();
    let ch01 = book.read("book/ch01-getting-started.html");
    assert!(ch01.contains("url=ch01-getting-started/index.html\""), "{ch01}");
    // A bookmarked `chapter.html#anchor` keeps its anchor.
    assert!(ch01.contains("location.replace(\"ch01-getting-started/index.html\" + location.hash)"));
    assert!(book.read("book/sub/ch02-ownership.html").contains("url=ch02-ownership/index.html\""));
    // README.md is index.html in mdBook too; SUMMARY.md is never published by mdBook.
    assert!(!book.exists("book/README.html") && !book.exists("book/SUMMARY.html"));
    // The SUMMARY entry names the page, as in mdBook (its own first heading is `##`).
    let ch02 = book.read("book/sub/ch02-ownership/index.html");
    assert_eq!(title_of(&ch02), "Ownership · Chapter Book");
    // Without a SUMMARY.md it is not an mdBook book: no `.html` redirects, and the `##` first
    // heading (as mdBook chapters start) is the title.
    book.remove("src/SUMMARY.md");
    book.build_ok();
    assert!(!book.exists("book/ch01-getting-started.html"));
    let ch02 = book.read("book/sub/ch02-ownership/index.html");
    assert_eq!(title_of(&ch02), "What is ownership? · Chapter Book");
}

#[test]
fn a_real_html_file_wins_over_an_mdbook_url() {
    let book = Book::fixture("mdbook-urls");
    book.write("src/ch01-getting-started.html", "<p>kept</p>");
    book.build_ok();
    assert_eq!(book.read("book/ch01-getting-started.html"), "<p>kept</p>");
}
