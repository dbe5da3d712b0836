//! The built-in page templates written out in Rust ([`crate::context::StockPage`]) make the
//! same bytes as Tera rendering the theme's `page.html` and `section.html`, for every such page of every fixture
//! book (their book.toml files set authors, descriptions, repositories, edit links, extra style
//! sheets and scripts, a default colour scheme, base URLs and other languages), and of the
//! handbook bundled at the repository's root.

use std::path::Path;

use super::*;

/// Page `i` rendered by Tera from the theme's `template`.
fn through_tera(project: &Project, template: &str, i: PageId, content: &str) -> String {
    let site = &project.site;
    let ctx = context::page_context(site, &project.hrefs, &project.book, project.config.base_url(), i, content);
    let ctx = tera::Context::from_serialize(&ctx).expect("serialises");
    project.renderer.render(template, &ctx).expect("renders")
}

#[test]
fn stock_pages_match_tera_byte_for_byte() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let fixtures = root.join("tests/fixtures");
    let mut books = 0;
    let mut pages = 0;
    let mut sections = 0;
    let mut dirs: Vec<_> = std::fs::read_dir(&fixtures).unwrap().map(|e| e.unwrap().path()).collect();
    dirs.sort();
    // The handbook bundled with stagebook, at the repository's root.
    dirs.push(root.to_path_buf());
    for dir in dirs {
        let Ok(project) = Project::load(&dir, |_| {}) else { continue };
        if project.stock.is_none() {
            continue;
        }
        books += 1;
        for i in project.site.pages.ids() {
            let template = template_for(&project.site, i);
            if !["page.html", "section.html"].contains(&template) || matrix::View::of(&project.site.pages[i]).is_some()
            {
                continue;
            }
            sections += usize::from(template == "section.html");
            let (content, errors) = project.page_content(i);
            let Ok(fast) = project.render_content(i, &content, errors) else { continue };
            assert_eq!(
                fast,
                through_tera(&project, template, i, &content),
                "{} page {}",
                dir.display(),
                project.site.pages[i].url
            );
            pages += 1;
        }
    }
    assert!(
        books >= 10 && pages >= 60 && sections >= 10,
        "{books} books, {pages} pages ({sections} sections) compared"
    );
}

#[test]
fn a_theme_overriding_the_page_template_renders_through_tera() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/themed");
    let project = Project::load(&dir, |_| {}).expect("loads");
    assert!(project.stock.is_none());
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/basic");
    assert!(Project::load(&dir, |_| {}).expect("loads").stock.is_some());
}
