//! `stagebook build` / `check` / `init` over fixture books, through the real binary.

mod common;
use common::{links, Book};

#[test]
fn nested_sections_are_ordered_by_weight_then_title() {
    let book = Book::fixture("basic");
    book.build_ok();
    let toc = book.read("book/static/toc.js");
    let order: Vec<usize> =
        ["\"Guide\"", "\"Setup\"", "\"Advanced\"", "\"Deploy\"", "\"Appendix\"", "\"About this book\""]
            .iter()
            .map(|t| toc.find(t).unwrap_or_else(|| panic!("{t} missing from {toc}")))
            .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "wrong order in {toc}");
    // Nested: Tuning lives inside Advanced's children array.
    let advanced = &toc[toc.find("\"Advanced\"").unwrap()..];
    assert!(advanced.find("Tuning").unwrap() < advanced.find("\"Deploy\"").unwrap());
    // prev/next follow the same order: Setup -> Advanced -> Tuning -> Deploy.
    let advanced_page = book.read("book/guide/advanced/index.html");
    assert!(advanced_page.contains("href=\"../setup/index.html\""), "prev link");
    assert!(advanced_page.contains("href=\"tuning/index.html\""), "next link / child");
    // The folder page lists its children.
    let guide = book.read("book/guide/index.html");
    for child in ["setup/index.html", "advanced/index.html", "deploy/index.html", "zeta-unweighted/index.html"] {
        assert!(guide.contains(&format!("href=\"{child}\"")), "guide lists {child}");
    }
}

#[test]
fn pages_land_at_pretty_urls_and_drafts_are_left_out() {
    let book = Book::fixture("basic");
    let run = book.build_ok();
    assert!(run.stdout.contains("Built 8 pages in"), "{}", run.stdout);
    assert!(run.stdout.trim_end().ends_with("-> book/"), "{}", run.stdout);
    for page in [
        "index.html",
        "about/index.html",
        "guide/index.html",
        "guide/setup/index.html",
        "guide/advanced/tuning/index.html",
        "404.html",
    ] {
        assert!(book.read(&format!("book/{page}")).contains("<html"), "{page}");
    }
    assert!(!book.exists("book/guide/draft-notes/index.html"));
    assert!(!book.read("book/static/toc.js").contains("Draft notes"));
    // Assets are copied byte for byte.
    assert_eq!(book.read("book/images/logo.svg"), book.read("content/images/logo.svg"));
    // --drafts includes them.
    let run = book.run(&["build", "--drafts"]);
    assert!(run.ok, "{}", run.stderr);
    assert!(book.exists("book/guide/draft-notes/index.html"));
}

#[test]
fn links_are_rewritten_relative_including_anchors() {
    let book = Book::fixture("basic");
    book.build_ok();
    let home = book.read("book/index.html");
    assert!(home.contains("href=\"guide/index.html\""), "folder link");
    assert!(home.contains("href=\"guide/setup/index.html#install-steps\""), "page link with anchor");
    let setup = book.read("book/guide/setup/index.html");
    assert!(setup.contains("href=\"../deploy/index.html#rollback\""));
    assert!(setup.contains("href=\"../../index.html\""));
    assert!(setup.contains("src=\"../../images/logo.svg\""));
    assert!(setup.contains("id=\"install-steps-1\""));
    assert!(setup.contains("href=\"#install-steps-1\""));
    let about = book.read("book/about/index.html");
    assert!(about.contains("href=\"../guide/advanced/index.html\""));
    assert!(about.contains("href=\"../images/logo.svg\""));
}

#[test]
fn every_url_in_the_output_is_relative_and_resolves() {
    let book = Book::fixture("basic");
    book.build_ok();
    let out = book.path("book");
    for (rel, bytes) in book.snapshot("book") {
        if !rel.ends_with(".html") {
            continue;
        }
        let html = String::from_utf8(bytes).unwrap();
        let base = out.join(&rel);
        for link in links(&html) {
            if link.starts_with("http") || link.starts_with('#') || link.starts_with("mailto:") {
                continue;
            }
            assert!(!link.starts_with('/'), "{rel}: absolute URL {link}");
            let path = link.split('#').next().unwrap();
            let target = base.parent().unwrap().join(path);
            assert!(target.is_file(), "{rel}: {link} does not resolve to a file");
        }
    }
}

#[test]
fn titles_with_markup_are_escaped_everywhere() {
    let book = Book::fixture("basic");
    book.build_ok();
    for (rel, bytes) in book.snapshot("book") {
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains("<script>alert(1)"), "{rel} contains the raw title");
        assert!(!text.contains("<b>description</b>"), "{rel} contains the raw description");
    }
    let tuning = book.read("book/guide/advanced/tuning/index.html");
    assert!(tuning.contains("&lt;script&gt;alert(1)&lt;/script&gt; Tuning"), "title escaped in its page");
    assert!(tuning.contains("&quot;quoted&quot; &lt;b&gt;description&lt;/b&gt;"), "description escaped");
    let parent = book.read("book/guide/advanced/index.html");
    assert!(parent.contains("&lt;script&gt;alert(1)"), "title escaped in listings");
    let toc = book.read("book/static/toc.js");
    assert!(toc.contains("\\u003cscript>alert(1)\\u003c/script> Tuning"), "{toc}");
}

#[test]
fn sitemap_and_canonical_links_use_base_url() {
    let book = Book::fixture("basic");
    book.build_ok();
    let sitemap = book.read("book/sitemap.xml");
    assert!(sitemap.contains("<loc>https://handbook.example.com/docs/guide/setup/</loc>"), "{sitemap}");
    assert!(!sitemap.contains("draft-notes"));
    assert_eq!(sitemap.matches("<loc>").count(), 8);
    let setup = book.read("book/guide/setup/index.html");
    assert!(setup.contains("https://handbook.example.com/docs/guide/setup/"));
    // No base_url, no sitemap.
    let plain = Book::fixture("broken");
    plain.write("content/_index.md", "+++\ntitle = \"Home\"\n+++\nhi\n");
    plain.build_ok();
    assert!(!plain.exists("book/sitemap.xml"));
}

#[test]
fn broken_links_and_anchors_are_errors_with_positions() {
    let book = Book::fixture("broken");
    let run = book.build();
    assert!(!run.ok);
    assert_eq!(run.code, Some(1));
    assert!(run.stderr.contains("content/_index.md:7:14: error: link to missing page `nope.md`"), "{}", run.stderr);
    assert!(
        run.stderr.contains("content/_index.md:8:16: error: link `target.md#no-such-heading`: no heading with id `no-such-heading` in `target.md` (its headings: real-heading)"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("2 errors found"), "{}", run.stderr);
    assert!(
        run.stderr.contains("8 | Broken anchor: [bad anchor](target.md#no-such-heading)."),
        "excerpt: {}",
        run.stderr
    );
    assert!(!book.exists("book"), "nothing written");
}

#[test]
fn check_validates_without_writing() {
    let book = Book::fixture("broken");
    let run = book.run(&["check"]);
    assert!(!run.ok);
    assert!(run.stderr.contains("nope.md"));
    let good = Book::fixture("basic");
    let run = good.run(&["check"]);
    assert!(run.ok, "{}", run.stderr);
    assert!(run.stdout.contains("Checked 8 pages"), "{}", run.stdout);
    assert!(!good.exists("book"));
}

#[test]
fn bad_front_matter_is_reported_at_the_value() {
    let book = Book::fixture("basic");
    book.write("content/guide/deploy.md", "+++\ntitle = \"Deploy\"\nweight = \"twenty\"\n+++\nbody\n");
    book.write("content/about.md", "+++\ntitle = \"About\"\ncolour = \"red\"\n+++\nbody\n");
    let run = book.build();
    assert!(!run.ok);
    assert!(run.stderr.contains("content/guide/deploy.md:3:10: error: front matter:"), "{}", run.stderr);
    assert!(run.stderr.contains("content/about.md:3:1: error: front matter: unknown field `colour`"), "{}", run.stderr);
}

#[test]
fn unterminated_front_matter_and_non_utf8_are_errors() {
    let book = Book::fixture("basic");
    book.write("content/guide/deploy.md", "+++\ntitle = \"Deploy\"\n\nNo closing fence.\n");
    book.write("content/about.md", b"# About\n\nbad byte: \xff here\n".as_slice());
    let run = book.build();
    assert!(!run.ok);
    assert!(
        run.stderr.contains("content/guide/deploy.md:1:1: error: front matter opened with `+++` is never closed"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("content/about.md:3:11: error: file is not valid UTF-8"), "{}", run.stderr);
}

#[test]
fn unknown_book_toml_key_is_an_error() {
    let book = Book::fixture("basic");
    book.write("book.toml", "[book]\ntitle = \"x\"\n\n[build]\nouptut = \"site\"\n");
    let run = book.build();
    assert!(!run.ok);
    assert!(run.stderr.contains("book.toml:5:1: error: unknown field `ouptut`"), "{}", run.stderr);
}

#[test]
fn missing_book_toml_names_the_folder() {
    let book = Book::fixture("basic");
    book.remove("book.toml");
    let run = book.build();
    assert!(!run.ok);
    assert!(run.stderr.contains("no book.toml in this folder"), "{}", run.stderr);
}

#[test]
fn a_failed_build_keeps_the_previous_output_byte_for_byte() {
    let book = Book::fixture("basic");
    book.build_ok();
    let before = book.snapshot("book");
    book.write("content/guide/setup.md", "+++\ntitle = \"Setup\"\n+++\n[gone](missing.md)\n");
    let run = book.build();
    assert!(!run.ok);
    assert_eq!(book.snapshot("book"), before, "output changed after a failed build");
    let leftovers: Vec<String> = std::fs::read_dir(book.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("stagebook") && n != ".stagebook-cache")
        .collect();
    assert!(leftovers.is_empty(), "staging folders left behind: {leftovers:?}");
}

#[test]
fn a_removed_page_vanishes_from_the_output() {
    let book = Book::fixture("basic");
    book.build_ok();
    assert!(book.exists("book/about/index.html"));
    book.remove("content/about.md");
    book.build_ok();
    assert!(!book.exists("book/about/index.html"));
    assert!(!book.exists("book/about"));
    assert!(!book.read("book/static/toc.js").contains("About this book"));
}

#[test]
fn a_theme_overrides_single_templates_and_static_files() {
    let book = Book::fixture("themed");
    book.build_ok();
    let page = book.read("book/page/index.html");
    assert!(page.contains("HOUSE TEMPLATE"), "override used");
    assert!(page.contains("class=\"skip-link\""), "override extends the built-in base.html");
    let home = book.read("book/index.html");
    assert!(!home.contains("HOUSE TEMPLATE"), "other templates stay built-in");
    assert!(book.read("book/special/index.html").contains("SPECIAL"), "front matter template");
    assert!(book.read("book/static/extra.css").contains("rebeccapurple"));
    assert!(book.exists("book/static/style.css"), "built-in static files still there");
}

#[test]
fn template_errors_name_the_file_and_line() {
    let book = Book::fixture("themed");
    book.write(
        "themes/house/templates/page.html",
        "{% extends \"base.html\" %}\n{% block content %}\n{{ page.title | nosuchfilter }}\n{% endblock content %}\n",
    );
    let run = book.build();
    assert!(!run.ok);
    assert!(run.stderr.contains("themes/house/templates/page.html:3:"), "{}", run.stderr);
    // An unclosed `{{` is noticed where the next tag starts.
    book.write(
        "themes/house/templates/page.html",
        "{% extends \"base.html\" %}\n{% block content %}\n{{ page.title \n{% endblock content %}\n",
    );
    let run = book.build();
    assert!(
        run.stderr.contains("themes/house/templates/page.html:4:1: error: template syntax error: expected"),
        "{}",
        run.stderr
    );
    book.write("themes/house/templates/page.html", "ok");
    book.write("content/page.md", "+++\ntitle = \"A page\"\ntemplate = \"nope.html\"\n+++\n");
    let run = book.build();
    assert!(run.stderr.contains("content/page.md:3:12: error: no template `nope.html`"), "{}", run.stderr);
}

#[test]
fn unknown_theme_is_an_error_at_book_toml() {
    let book = Book::fixture("themed");
    book.write("book.toml", "[theme]\nname = \"missing\"\n");
    let run = book.build();
    assert!(run.stderr.contains("book.toml:2:8: error: theme folder themes/missing/ not found"), "{}", run.stderr);
}

#[test]
fn duplicate_outputs_and_index_files_are_errors_naming_both() {
    let book = Book::fixture("basic");
    book.write("content/guide/index.md", "# Also the guide\n");
    book.write("content/guide/deploy/_index.md", "# Deploy folder\n");
    let run = book.build();
    assert!(!run.ok);
    assert!(
        run.stderr.contains("`guide/_index.md` and `guide/index.md` both give the folder its page"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(
            "`guide/deploy.md` and `guide/deploy/_index.md` would both be written to `guide/deploy/index.html`"
        ),
        "{}",
        run.stderr
    );
}

#[test]
fn pages_without_front_matter_take_their_title_from_h1_or_file_name() {
    let book = Book::fixture("basic");
    book.write("content/runbook-basics.md", "Just text, no heading.\n");
    book.write("content/empty.md", "");
    book.build_ok();
    assert!(book.read("book/runbook-basics/index.html").contains("<title>Runbook basics"), "title from the file name");
    assert!(book.read("book/about/index.html").contains("<title>About this book"), "title from the H1");
    assert!(book.exists("book/empty/index.html"));
    // Front matter without a title: the same rule (heading, then file name), no error.
    book.write("content/untitled.md", "+++\nweight = 3\n+++\nno title\n");
    book.build_ok();
    assert!(book.read("book/untitled/index.html").contains("<title>Untitled"));
}

#[test]
fn github_style_readme_handbook_builds_without_edits() {
    let book = Book::fixture("basic");
    std::fs::remove_dir_all(book.path("content")).unwrap();
    book.write("content/README.md", "# Team handbook\n\nSee [on-call](ops/on-call.md) and [ops](ops/).\n");
    book.write("content/ops/README.md", "# Operations\n");
    book.write("content/ops/on-call.md", "# On-call\n\n## Paging {#paging}\n\nBack to [the top](../README.md).\n");
    book.build_ok();
    assert!(book.read("book/index.html").contains("href=\"ops/on-call/index.html\""));
    assert!(book.read("book/ops/index.html").contains("Operations"));
}

#[test]
fn hostile_inputs_do_not_crash() {
    let book = Book::fixture("basic");
    let nested: String = (0..10_000).map(|i| format!("{}- item\n", "  ".repeat(i))).collect();
    book.write("content/nested.md", nested);
    let big = "Lorem ipsum dolor sit amet. ".repeat(50 * 1024 * 1024 / 28);
    book.write("content/big.md", format!("# Big\n\n{big}\n"));
    book.write("content/quotes.md", ">".repeat(10_000) + " deep\n");
    let run = book.build();
    assert!(run.ok, "{}", run.stderr);
    assert!(book.read("book/quotes/index.html").contains("deep"));
}

#[test]
fn output_folder_may_not_contain_the_book() {
    let book = Book::fixture("basic");
    let run = book.run(&["build", "-o", "."]);
    assert!(!run.ok);
    assert!(run.stderr.contains("choose another output folder"), "{}", run.stderr);
    assert!(book.exists("content/_index.md"));
    let run = book.run(&["build", "-o", "public"]);
    assert!(run.ok, "{}", run.stderr);
    assert!(book.exists("public/index.html"));
}

#[test]
fn init_writes_a_handbook_that_builds() {
    let book = Book::fixture("basic");
    let run = book.run(&["init", "fresh", "--title", "Ops \"Book\""]);
    assert!(run.ok, "{}", run.stderr);
    let run = book.run(&["build", "fresh"]);
    assert!(run.ok, "{}", run.stderr);
    assert!(run.stdout.contains("-> fresh/book/"), "{}", run.stdout);
    assert!(book.read("fresh/book/index.html").contains("Ops &quot;Book&quot;"));
    // The sample matrix becomes stage pages, and the sample page embeds parts of it.
    assert!(book.read("fresh/book/stages/launch/index.html").contains("CI/CD on every merge"));
    let guide = book.read("fresh/book/getting-started/index.html");
    assert!(
        guide.contains("class=\"embed embed-category\"") && guide.contains("data-key=\"checklist:never-skip:backups\"")
    );
    let again = book.run(&["init", "fresh"]);
    assert!(!again.ok);
    assert!(again.stderr.contains("already exists"));
}

#[test]
fn cli_has_help_and_version() {
    let book = Book::fixture("basic");
    let help = book.run(&["--help"]);
    for cmd in ["build", "check", "init"] {
        assert!(help.stdout.contains(cmd), "{}", help.stdout);
    }
    let version = book.run(&["--version"]);
    assert!(version.stdout.starts_with("stagebook "), "{}", version.stdout);
}
