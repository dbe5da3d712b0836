//! The handbook that ships in content/ builds cleanly.

mod common;
use common::Book;

#[test]
fn bundled_handbook_builds_with_no_warnings_and_no_broken_links() {
    let book = Book::bundled();
    let run = book.build();
    assert!(run.ok, "{}", run.stderr);
    assert!(run.stderr.is_empty(), "warnings or errors: {}", run.stderr);
    let pages = book.snapshot("book").into_iter().filter(|(p, _)| p.ends_with(".html")).count();
    assert!(pages > 25, "only {pages} pages");
    let home = book.read("book/index.html");
    for stage in ["POC", "MVP", "10k", "100k", "1M+"] {
        assert!(home.contains(stage), "home page mentions {stage}");
    }
}

/// Text as a reader sees it: tags dropped, entities decoded, typographic punctuation folded
/// back to ASCII (smart punctuation turns `--` into an en dash and quotes into curly ones).
fn visible_text(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                text.push(' ');
            }
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    fold(
        &text
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&amp;", "&"),
    )
}

fn fold(s: &str) -> String {
    let s =
        s.replace(['’', '‘'], "'").replace(['“', '”'], "\"").replace('…', "...").replace('—', "---").replace('–', "--");
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Markdown source of a cell as plain text.
fn plain(md: &str) -> String {
    fold(&md.replace(['*', '`'], ""))
}

#[test]
fn bundled_generated_pages_contain_every_aspect_name_and_cell() {
    let book = Book::bundled();
    book.build_ok();
    let m = stagebook::matrix::parse(&book.read("content/matrix.toml")).expect("bundled matrix parses");
    let matrix_page = visible_text(&book.read("book/matrix/index.html"));
    for a in &m.aspects {
        let category = visible_text(&book.read(&format!("book/categories/{}/index.html", m.categories[a.category].id)));
        assert!(matrix_page.contains(&fold(&a.name)), "matrix page lacks aspect {}", a.name);
        assert!(category.contains(&fold(&a.name)), "category page lacks aspect {}", a.name);
        for (stage, cell) in m.stages.iter().zip(&a.cells) {
            let cell = plain(&cell.as_ref().expect("bundled cells are all filled").text);
            assert!(matrix_page.contains(&cell), "matrix page lacks {} / {}: {cell}", a.name, stage.name);
            assert!(category.contains(&cell), "category page lacks {} / {}: {cell}", a.name, stage.name);
            let stage_page = visible_text(&book.read(&format!("book/stages/{}/index.html", stage.id)));
            assert!(stage_page.contains(&cell), "stage page {} lacks {}: {cell}", stage.name, a.name);
            assert!(stage_page.contains(&fold(&a.name)));
        }
    }
    // Every checklist item appears on the page of each stage it belongs to.
    for list in &m.checklists {
        let pages: Vec<String> = if list.stages.is_empty() {
            vec!["book/stages/index.html".into()]
        } else {
            list.stages.iter().map(|&s| format!("book/stages/{}/index.html", m.stages[s].id)).collect()
        };
        for page in pages {
            let text = visible_text(&book.read(&page));
            for item in &list.items {
                assert!(text.contains(&plain(&item.text.text)), "{page} lacks {}", item.text.text);
            }
        }
    }
}

/// The budget: the scripts a page loads stay under 30 KB uncompressed. Counted: every
/// `<script src>` and inline script, except `static/toc.js`, which is the handbook's navigation
/// data and grows with the handbook, and `static/strings.js`, the interface's words, whose size
/// is the language's (the same strings take more UTF-8 bytes in Japanese or Arabic than in
/// English); it has its own bound below. search.js is fetched only when the search box is used,
/// so it counts on the search page alone.
#[test]
fn every_page_loads_under_30_kb_of_script() {
    let book = Book::bundled();
    book.build_ok();
    let files = book.snapshot("book");
    let size = |path: &str| files.iter().find(|(p, _)| p == path).map(|(_, b)| b.len());
    let mut heaviest = (0, String::new());
    for (page, bytes) in files.iter().filter(|(p, _)| p.ends_with(".html")) {
        let html = String::from_utf8_lossy(bytes);
        let dir = std::path::Path::new(page).parent().unwrap();
        let mut total = 0;
        for src in html.split("<script src=\"").skip(1).map(|s| &s[..s.find('"').unwrap()]) {
            let mut path = dir.to_path_buf();
            for part in src.split('/') {
                if part == ".." {
                    path.pop();
                } else {
                    path.push(part);
                }
            }
            let path = path.to_string_lossy().replace('\\', "/");
            if path != "static/toc.js" && path != "static/strings.js" {
                total += size(&path).unwrap_or_else(|| panic!("{page} loads missing {path}"));
            }
        }
        total += html.split("<script>").skip(1).map(|s| s.find("</script>").unwrap()).sum::<usize>();
        if total > heaviest.0 {
            heaviest = (total, page.clone());
        }
    }
    assert!(heaviest.0 < 30 * 1024, "{} loads {} bytes of script", heaviest.1, heaviest.0);
    let strings = size("static/strings.js").expect("static/strings.js is published");
    assert!(strings < 8 * 1024, "static/strings.js is {strings} bytes");
    eprintln!("heaviest page: {} with {} bytes of script", heaviest.1, heaviest.0);
}
