//! Navigation from mdBook's SUMMARY.md, from a README that lists its pages, and what `.gitignore`
//! keeps out of the site: fixture books through the real binary.

mod common;
use common::serve::{is_rebuild, Preview};
use common::Book;

/// What `mdbook build` (0.5.4) makes of tests/fixtures/mdbook-guide: the sidebar, then each page
/// in reading order with its title and previous / next page. Pages are named by their URL
/// without `.html` / `/index.html` ("." is the front page). Re-derive it from mdBook with
/// `python3 benches/mdbook_oracle.py --check`.
const MDBOOK_GUIDE: &str = r#"
nav
page .: Welcome
part: Getting started
page start/installing: Installing
page start/first-steps: First steps
page start/reading: Reading a book
part: Reference
page cli: Command line
  page cli/new: new
  page cli/render: render
  page cli/preview: preview
page format: File format
  page format/summary: The summary file
    draft: Planned chapter
  page format/settings: Settings
    page format/settings/general: General
    page format/settings/outputs: Outputs
  page format/markdown: Markdown
page ci: Continuous integration
separator
page misc/contributors: Contributors
order
.: Welcome (prev -, next start/installing)
start/installing: Installing (prev ., next start/first-steps)
start/first-steps: First steps (prev start/installing, next start/reading)
start/reading: Reading a book (prev start/first-steps, next cli)
cli: Command line (prev start/reading, next cli/new)
cli/new: new (prev cli, next cli/render)
cli/render: render (prev cli/new, next cli/preview)
cli/preview: preview (prev cli/render, next format)
format: File format (prev cli/preview, next format/summary)
format/summary: The summary file (prev format, next format/settings)
format/settings: Settings (prev format/summary, next format/settings/general)
format/settings/general: General (prev format/settings, next format/settings/outputs)
format/settings/outputs: Outputs (prev format/settings/general, next format/markdown)
format/markdown: Markdown (prev format/settings/outputs, next ci)
ci: Continuous integration (prev format/markdown, next misc/contributors)
misc/contributors: Contributors (prev ci, next -)
"#;

/// `cli/index.html` -> `cli`, `index.html` -> `.` (as benches/mdbook_oracle.py names pages).
fn key(url: &str) -> String {
    let k = url.strip_suffix("index.html").unwrap_or(url).trim_end_matches('/');
    if k.is_empty() {
        ".".into()
    } else {
        k.into()
    }
}

/// The sidebar from `static/toc.js`, one line per entry, indented by depth.
fn nav_lines(toc: &serde_json::Value, depth: usize, out: &mut Vec<String>, pages: &mut Vec<String>) {
    use serde_json::Value;
    let indent = "  ".repeat(depth);
    for entry in toc.as_array().expect("a list of entries") {
        match entry {
            Value::Null => out.push(format!("{indent}separator")),
            Value::String(part) => out.push(format!("{indent}part: {part}")),
            Value::Array(e) => {
                let title = e[0].as_str().unwrap();
                match e[1].as_str() {
                    Some(url) => {
                        out.push(format!("{indent}page {}: {title}", key(url)));
                        pages.push(url.to_string());
                    }
                    None => out.push(format!("{indent}draft: {title}")),
                }
                if let Some(children) = e.get(2) {
                    nav_lines(children, depth + 1, out, pages);
                }
            }
            other => panic!("unexpected toc entry {other}"),
        }
    }
}

/// The pager link of `direction` ("prev" / "next") on a page: (href, title).
fn pager(html: &str, direction: &str) -> Option<(String, String)> {
    let at = html.find(&format!("class=\"pager-link pager-{direction}\" href=\""))?;
    let rest = &html[at..];
    let href_at = rest.find("href=\"")? + 6;
    let href = &rest[href_at..href_at + rest[href_at..].find('"')?];
    let title_at = rest.find("<span class=\"pager-title\">")? + "<span class=\"pager-title\">".len();
    let title = &rest[title_at..title_at + rest[title_at..].find("</span>")?];
    Some((href.to_string(), title.to_string()))
}

/// Resolves `href` written on the page at `from` (both site-relative).
fn resolve(from: &str, href: &str) -> String {
    let mut parts: Vec<&str> = from.split('/').collect();
    parts.pop();
    for seg in href.split('/') {
        match seg {
            ".." => {
                parts.pop();
            }
            "." | "" => {}
            s => parts.push(s),
        }
    }
    parts.join("/")
}

/// The same description benches/mdbook_oracle.py gives of mdBook's output, of stagebook's in
/// `out`. A page's title is the one its neighbours' Previous / Next links show.
fn describe(book: &Book, out: &str) -> String {
    let toc = book.read(&format!("{out}/static/toc.js"));
    let json = toc.trim().strip_prefix("window.stagebookToc = ").unwrap().trim_end_matches(';');
    let toc: serde_json::Value = serde_json::from_str(json).unwrap();
    let (mut lines, mut pages) = (vec!["nav".to_string()], Vec::new());
    nav_lines(&toc, 0, &mut lines, &mut pages);
    lines.push("order".into());
    let read = |url: &str| book.read(&format!("{out}/{url}"));
    for (i, url) in pages.iter().enumerate() {
        let html = read(url);
        let neighbour = |direction: &str| match pager(&html, direction) {
            Some((href, _)) => key(&resolve(url, &href)),
            None => "-".into(),
        };
        let title = match (pages.get(i + 1), i.checked_sub(1).map(|j| &pages[j])) {
            (Some(next), _) => pager(&read(next), "prev").map(|(_, t)| t),
            (None, Some(prev)) => pager(&read(prev), "next").map(|(_, t)| t),
            _ => None,
        }
        .unwrap_or_default();
        lines.push(format!("{}: {title} (prev {}, next {})", key(url), neighbour("prev"), neighbour("next")));
    }
    lines.join("\n") + "\n"
}

#[test]
fn an_mdbook_guide_gets_mdbooks_navigation_prev_next_and_titles() {
    let book = Book::fixture("mdbook-guide");
    book.build_ok();
    assert_eq!(describe(&book, "book"), MDBOOK_GUIDE.trim_start());
}

#[test]
fn summary_md_and_the_pages_it_does_not_list_are_not_published() {
    let book = Book::fixture("mdbook-guide");
    let run = book.build_ok();
    assert!(run.stdout.contains("Built 16 pages"), "{}", run.stdout);
    assert!(!book.exists("book/SUMMARY/index.html") && !book.exists("book/notes/unlisted/index.html"));
    // One warning, at SUMMARY.md, naming what was left out.
    let warnings: Vec<&str> = run.stderr.lines().filter(|l| l.contains("warning")).collect();
    assert_eq!(warnings.len(), 1, "{}", run.stderr);
    assert!(
        warnings[0].starts_with("src/SUMMARY.md: warning: 1 markdown file is not listed")
            && warnings[0].contains("`notes/unlisted.md`"),
        "{}",
        warnings[0]
    );
    // Other files are copied, as mdBook copies them.
    assert!(book.exists("book/images/books.svg"));
    // The front page is the first chapter (README.md), its own `# Bookmaker` heading kept.
    assert!(book.read("book/index.html").contains("<h1 id=\"bookmaker\">Bookmaker"));
    // A page that starts at `##` is titled by its SUMMARY entry.
    assert!(book.read("book/cli/render/index.html").contains("<title>render · Bookmaker Guide</title>"));
}

#[test]
fn many_unlisted_pages_are_counted_and_the_names_capped() {
    let book = Book::fixture("mdbook-guide");
    for i in 0..14 {
        book.write(&format!("src/extra/page-{i:02}.md"), format!("# Extra {i}\n"));
    }
    let run = book.build_ok();
    let warning = run.stderr.lines().find(|l| l.contains("not listed")).expect("a warning");
    assert!(warning.contains("15 markdown files are not listed"), "{warning}");
    assert!(warning.contains("`extra/page-00.md`") && warning.ends_with("and 5 more"), "{warning}");
}

#[test]
fn a_missing_chapter_file_is_an_error_at_its_summary_entry_and_is_not_created() {
    let book = Book::fixture("mdbook-guide");
    let summary = book.read("src/SUMMARY.md").replace("- [Continuous integration](ci.md)", "- [Gone](gone/away.md)");
    book.write("src/SUMMARY.md", summary);
    let run = book.build();
    assert!(!run.ok);
    assert!(
        run.stderr.contains("src/SUMMARY.md:24:3: error: `gone/away.md` is listed but does not exist"),
        "{}",
        run.stderr
    );
    assert!(!book.exists("src/gone"), "stagebook never creates files in the source");
    // Unlisted now, ci.md is left out with the warning, not an error.
    assert!(run.stderr.contains("`ci.md`"), "{}", run.stderr);
}

#[test]
fn a_listed_file_that_gitignore_leaves_out_is_an_error_that_says_so() {
    let book = Book::fixture("mdbook-guide");
    book.write("src/.gitignore", "ci.md\n");
    let run = book.build();
    assert!(!run.ok);
    assert!(
        run.stderr.contains("src/SUMMARY.md:24:3: error: `ci.md` is listed but left out of the build (a hidden folder, or ignored by .gitignore)"),
        "{}",
        run.stderr
    );
}

#[test]
fn summary_syntax_errors_are_reported_at_their_line_and_column() {
    let book = Book::fixture("mdbook-guide");
    book.write(
        "src/SUMMARY.md",
        "# Summary\n\n- [Welcome](README.md)\n- Plain words\n\n[After](ci.md)\n\n- [Late](cli/new.md)\n",
    );
    let run = book.build();
    assert!(!run.ok);
    assert!(
        run.stderr.contains("src/SUMMARY.md:4:1: error: a list item in SUMMARY.md holds one link"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("src/SUMMARY.md:8:1: error: numbered chapters (a list) cannot follow the suffix chapters"),
        "{}",
        run.stderr
    );
}

#[test]
fn the_first_chapter_is_the_front_page_wherever_its_file_is() {
    let book = Book::fixture("mdbook-guide");
    let summary = book.read("src/SUMMARY.md").replace("[Welcome](README.md)\n", "");
    book.write("src/SUMMARY.md", summary);
    book.build_ok();
    let home = book.read("book/index.html");
    assert!(home.contains("Installing Bookmaker"), "the first chapter is written at index.html");
    assert!(!book.exists("book/start/installing/index.html"));
    // README.md is no longer listed: not published; the next page links back to the front page.
    assert!(book.read("book/start/first-steps/index.html").contains("href=\"../../index.html\" rel=\"prev\""));
    // A link to the front page's file still finds it.
    let first_steps = book.read("book/cli/index.html");
    assert!(first_steps.contains("Command line"));
}

#[test]
fn without_src_in_book_toml_an_mdbook_layout_reads_src() {
    let book = Book::fixture("mdbook-guide");
    book.write("book.toml", "[book]\ntitle = \"Bookmaker Guide\"\n");
    book.build_ok();
    assert!(book.exists("book/cli/render/index.html"));
    book.write("book.toml", "[book]\ntitle = \"x\"\nsrc = \"src\"\n[build]\ncontent = \"src\"\n");
    let run = book.build();
    assert!(!run.ok && run.stderr.contains("book.toml:3:7: error: [book] src"), "{}", run.stderr);
}

#[test]
fn a_link_to_an_unlisted_page_says_why_it_is_broken() {
    let book = Book::fixture("mdbook-guide");
    book.write("src/ci.md", "# Building in CI\n\nSee [my notes](notes/unlisted.md).\n");
    let run = book.build();
    assert!(!run.ok);
    assert!(
        run.stderr.contains("src/ci.md:3:5: error: link to `notes/unlisted.md`, which SUMMARY.md does not list"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_readme_that_lists_its_pages_orders_the_navigation() {
    let book = Book::fixture("readme-order");
    book.build_ok();
    let toc = book.read("book/static/toc.js");
    let json = toc.trim().strip_prefix("window.stagebookToc = ").unwrap().trim_end_matches(';');
    let toc: serde_json::Value = serde_json::from_str(json).unwrap();
    let (mut lines, mut pages) = (Vec::new(), Vec::new());
    nav_lines(&toc, 0, &mut lines, &mut pages);
    assert_eq!(
        lines,
        [
            // Weighted first; then the README's links in their order (Onboarding's second
            // link does not move it); then the rest by title.
            "page welcome: Read me first",
            "page onboarding: Onboarding",
            "page tools: Tools",
            "  page tools/editor: Editor setup",
            "  page tools/chat: Chat",
            "  page tools/shell: A shell",
            "page code-review: Code review",
            "page about: About this handbook",
            "page glossary: Glossary",
        ]
    );
    // Prev / next follow it.
    let tools = book.read("book/tools/index.html");
    assert_eq!(pager(&tools, "prev").unwrap().1, "Onboarding");
    assert_eq!(pager(&tools, "next").unwrap().1, "Editor setup");
}

#[test]
fn gitignored_and_hidden_files_are_not_published() {
    let book = Book::fixture("gitignored");
    book.write("target/debug/build.bin", "binary")
        .write("node_modules/pkg/index.js", "module.exports = 1;")
        .write("node_modules/pkg/README.md", "# A dependency's readme")
        .write(".git/HEAD", "ref: refs/heads/main\n")
        .write(".git/config", "[core]\n")
        .write("private.md", "# Not for the site\n")
        .write("docs/private.md", "# Anchored pattern: this one is published\n")
        .write("build.log", "log")
        .write("docs/scratch/notes.md", "# Ignored by docs/.gitignore\n");
    book.build_ok();
    let files: Vec<String> = book.snapshot("book").into_iter().map(|(p, _)| p).collect();
    for gone in [
        "target",
        "node_modules",
        ".git",
        "private/",
        "build.log",
        "docs/scratch",
        ".gitignore",
        "docs/.gitignore",
        "book.toml",
    ] {
        assert!(!files.iter().any(|f| f.starts_with(gone)), "{gone} in {files:?}");
    }
    for kept in ["index.html", "docs/guide/index.html", "docs/private/index.html", "docs/settings.toml"] {
        assert!(files.iter().any(|f| f == kept), "{kept} missing from {files:?}");
    }
}

#[test]
fn serve_rebuilds_the_summary_navigation_when_summary_md_or_a_title_changes() {
    let book = Book::fixture("mdbook-guide");
    let serve = Preview::launch(&book).wait(std::time::Duration::from_secs(30)).start();
    let toc = || serve.get("/static/toc.js").body;
    assert!(toc().find("\"Installing\"").unwrap() < toc().find("\"Continuous integration\"").unwrap());
    // Reordered in SUMMARY.md: the whole navigation follows.
    let from = serve.lines().len();
    let summary = book.read("src/SUMMARY.md").replace("- [Continuous integration](ci.md)\n", "");
    let summary = summary.replace("# Getting started\n\n", "# Getting started\n\n- [Continuous integration](ci.md)\n");
    book.write("src/SUMMARY.md", summary);
    serve.wait_for(from, is_rebuild).unwrap_or_else(|| panic!("no rebuild: {:?}", serve.lines()));
    assert!(toc().find("\"Continuous integration\"").unwrap() < toc().find("\"Installing\"").unwrap(), "{}", toc());
    assert!(serve.get("/ci/").body.contains("rel=\"prev\""));
    // A page's new title re-makes the navigation with the summary, not the folders.
    let from = serve.lines().len();
    book.write("src/start/reading.md", "+++\ntitle = \"Reading, retitled\"\n+++\n\nThe sidebar lists every chapter.\n");
    serve.wait_for(from, |l| l.starts_with("Rebuilt")).unwrap_or_else(|| panic!("no rebuild: {:?}", serve.lines()));
    assert!(serve.get("/cli/").body.contains("<span class=\"pager-title\">Reading, retitled</span>"));
    let toc = toc();
    assert!(toc.contains("\"Getting started\"") && toc.contains("[\"Planned chapter\",null]"), "{toc}");
}

#[test]
fn gitignore_files_between_the_handbook_folder_and_the_content_folder_count_too() {
    let book = Book::fixture("gitignored");
    book.write("book.toml", "[book]\ntitle = \"Docs\"\n[build]\ncontent = \"docs\"\n")
        .write(".gitignore", "/docs/private.md\nnode_modules/\n")
        .write("docs/private.md", "# Left out by the repository's .gitignore\n")
        .write("docs/node_modules/x/README.md", "# A dependency\n")
        .write("docs/scratch/notes.md", "# Left out by docs/.gitignore\n");
    book.build_ok();
    let files: Vec<String> = book.snapshot("book").into_iter().map(|(p, _)| p).collect();
    assert!(files.iter().any(|f| f == "guide/index.html"), "{files:?}");
    for gone in ["private", "node_modules", "scratch"] {
        assert!(!files.iter().any(|f| f.starts_with(gone)), "{gone} in {files:?}");
    }
}
