//! The matrix data file: generated stage, category and matrix pages, embeds, and errors.

mod common;
use common::Book;

#[test]
fn a_generic_three_stage_book_builds_every_generated_page() {
    let book = Book::fixture("matrix-generic");
    let run = book.build_ok();
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    for page in [
        "stages/index.html",
        "stages/seed/index.html",
        "stages/serie-a/index.html",
        "stages/scale-up/index.html",
        "categories/ops/index.html",
        "categories/produit/index.html",
        "matrix/index.html",
    ] {
        let html = book.read(&format!("book/{page}"));
        assert!(html.contains("class=\"site-header\""), "{page} uses the theme");
    }
    // Navigation and sitemap know the generated pages.
    let toc = book.read("book/static/toc.js");
    for title in ["\"Étapes\"", "\"Série A: Croître\"", "\"Matrice de maturité\"", "\"Opérations & \\u003cOps>\""]
    {
        assert!(toc.contains(title), "{title} missing from {toc}");
    }
    let sitemap = book.read("book/sitemap.xml");
    assert!(sitemap.contains("<loc>https://example.org/croissance/stages/serie-a/</loc>"), "{sitemap}");
    assert!(sitemap.contains("<loc>https://example.org/croissance/categories/ops/</loc>"));
}

#[test]
fn stage_pages_show_checkboxes_with_the_previous_stage_beside_each_cell() {
    let book = Book::fixture("matrix-generic");
    book.build_ok();
    let page = book.read("book/stages/serie-a/index.html");
    // Every aspect is a real checkbox with a label.
    for aspect in ["deploiement", "astreinte", "fonctions"] {
        assert!(
            page.contains(&format!(
                "<input type=\"checkbox\" id=\"check-{aspect}\" data-key=\"aspect:{aspect}:serie-a\" aria-describedby=\"check-{aspect}-now\">"
            )),
            "{aspect}"
        );
        assert!(page.contains(&format!("<label for=\"check-{aspect}\">")), "{aspect} label");
    }
    // This stage's cell, and the previous stage's beside it.
    let item = &page[page.find("id=\"deploiement\"").unwrap()..];
    let item = &item[..item.find("</li>").unwrap()];
    assert!(item.contains("CI/CD") && item.contains("À la main"), "{item}");
    assert!(item.contains("<span class=\"cell-label\">Seed</span>"), "{item}");
    // An unchanged aspect says so in text; a deliberately empty cell is shown as such (in the
    // book's language, French).
    let same = &page[page.find("id=\"fonctions\"").unwrap()..];
    assert!(same[..same.find("</li>").unwrap()].contains("comme à Seed"));
    let seed = book.read("book/stages/seed/index.html");
    let empty = &seed[seed.find("id=\"astreinte\"").unwrap()..];
    assert!(empty[..empty.find("</li>").unwrap()].contains("rien à cette étape"));
    // The stage's checklists (not other stages'), its costs and its table rows.
    assert!(page.contains("data-key=\"checklist:jamais:sauvegardes\""));
    assert!(page.contains("Sauvegardes <strong>testées</strong>"));
    assert!(!page.contains("data-checklist=\"questions\""), "general checklist only on the stages page");
    // In French: narrow no-break spaces between groups, a no-break space before the symbol.
    assert!(page.contains("80\u{202f}000\u{a0}€–200\u{202f}000\u{a0}€"));
    assert!(page.contains("1\u{202f}000\u{a0}€–4\u{202f}000\u{a0}€ par mois"));
    assert!(page.contains("Série A et après") && !page.contains(">2–3<"));
    // Links to the previous and next stage.
    assert!(page.contains("href=\"../seed/index.html\" rel=\"prev\""));
    assert!(page.contains("href=\"../scale-up/index.html\" rel=\"next\""));
    // Links inside data-file markdown are rewritten for the page that shows them.
    assert!(seed.contains("href=\"../../guide/index.html#d%C3%A9part\""), "summary link");
}

#[test]
fn stages_page_has_a_server_rendered_cost_chart_and_general_checklists() {
    let book = Book::fixture("matrix-generic");
    book.build_ok();
    let page = book.read("book/stages/index.html");
    let svg = &page[page.find("<svg class=\"cost-chart\"").expect("chart")..];
    let svg = &svg[..svg.find("</svg>").unwrap()];
    // A French handbook: CLDR's French short forms, no-break spaces before the unit and symbol.
    assert!(svg.contains(">5\u{a0}k\u{a0}€–20\u{a0}k\u{a0}€<"), "{svg}");
    assert!(svg.contains(">80\u{a0}k\u{a0}€–200\u{a0}k\u{a0}€<"), "{svg}");
    assert!(svg.contains("pas de fourchette"), "stages without data are named (in French): {svg}");
    assert!(svg.contains(">Scale-up</text>"));
    assert!(page.contains("<ol class=\"check-list\">"), "ordered checklist");
    assert!(page.contains("Est-ce bloquant ?"));
    assert!(page.contains("Équipe par étape"));
}

#[test]
fn category_and_matrix_pages_escape_data_and_link_stages() {
    let book = Book::fixture("matrix-generic");
    book.build_ok();
    let cat = book.read("book/categories/ops/index.html");
    assert!(cat.contains("<h1>Opérations &amp; &lt;Ops&gt;</h1>"), "escaped name");
    assert!(cat.contains("Automatiser <strong>quand</strong> ça fait mal."), "lesson markdown");
    assert!(cat.contains("<a href=\"../../stages/serie-a/index.html\">Série A</a>"));
    let matrix = book.read("book/matrix/index.html");
    for text in ["À la main", "Rotation simple", "SRE dédiés", "Plateforme", "Déploiement progressif"] {
        assert!(matrix.contains(text), "{text}");
    }
    assert!(!matrix.contains("<Ops>"));
}

#[test]
fn markdown_pages_embed_matrix_views_with_shortcodes() {
    let book = Book::fixture("matrix-generic");
    book.build_ok();
    let home = book.read("book/index.html");
    assert!(home.contains("class=\"embed embed-category\""), "category table embedded");
    assert!(home.contains("href=\"stages/serie-a/index.html\""), "links relative to the home page");
    assert!(home.contains("data-key=\"checklist:jamais:erreurs\""), "checklist embedded");
    assert!(!home.contains("{{ matrix"), "shortcode replaced");
    // Links to generated pages and their anchors are checked like any other.
    assert!(home.contains("href=\"stages/serie-a/index.html#deploiement\""));
    assert!(home.contains("href=\"matrix/index.html#ops\""));
    let guide = book.read("book/guide/index.html");
    assert!(guide.contains("class=\"embed embed-stage\"") && guide.contains("Rotation simple"));
    assert!(guide.contains("href=\"../stages/seed/index.html\""), "nested page: links one level up");
    assert!(guide.contains("class=\"embed embed-table\"") && guide.contains("class=\"embed embed-stages\""));
}

#[test]
fn unknown_stage_in_a_cell_fails_at_its_position() {
    let book = Book::fixture("matrix-generic");
    let text = book.read("content/matrix.toml").replace("\"serie-a\" = \"CI/CD\"", "\"series-a\" = \"CI/CD\"");
    book.write("content/matrix.toml", text);
    let run = book.build();
    assert!(!run.ok);
    assert!(
        run.stderr.contains(
            "content/matrix.toml:53:32: error: cell for unknown stage `series-a` (stages: `seed`, `serie-a`, `scale-up`)"
        ),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("content/matrix.toml:53:9: error: aspect `deploiement` has no cell for stage `serie-a`"),
        "{}",
        run.stderr
    );
}

#[test]
fn matrix_errors_are_all_reported_and_keep_the_old_output() {
    let book = Book::fixture("matrix-generic");
    book.build_ok();
    let before = book.snapshot("book");
    let text = book
        .read("content/matrix.toml")
        .replace("weeks = [2, 6]", "weeks = [6, 2]")
        .replace("category = \"produit\"", "category = \"product\"")
        .replace("id = \"astreinte\"", "id = \"deploiement\"")
        .replace("goal = \"Croître\"", "goal = 42")
        .replace("lesson = \"Une chose", "lessn = \"Une chose");
    book.write("content/matrix.toml", text);
    let run = book.build();
    assert!(!run.ok);
    for expected in [
        "content/matrix.toml:18:9: error: cost.weeks: min 6 is greater than max 2",
        "content/matrix.toml:25:8: error: invalid type: integer `42`, expected a string",
        "content/matrix.toml:47:1: error: unknown field `lessn`",
        "content/matrix.toml:56:6: error: duplicate aspect id `deploiement` (first defined on line 50)",
        "content/matrix.toml:64:12: error: unknown category `product` (categories: `ops`, `produit`)",
    ] {
        assert!(run.stderr.contains(expected), "missing `{expected}` in:\n{}", run.stderr);
    }
    assert_eq!(book.snapshot("book"), before);
}

#[test]
fn bad_shortcodes_are_errors_in_the_page() {
    let book = Book::fixture("matrix-generic");
    book.write(
        "content/guide/_index.md",
        "+++\ntitle = \"Guide\"\n+++\n\n## Départ\n\n{{ matrix(category=\"nope\") }}\n\n{{ matrx() }}\n",
    );
    let run = book.build();
    assert!(!run.ok);
    assert!(
        run.stderr
            .contains("content/guide/_index.md:7:1: error: unknown category `nope` (categories: `ops`, `produit`)"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("content/guide/_index.md:9:1: error: unknown shortcode `matrx`"), "{}", run.stderr);
}

#[test]
fn broken_links_in_the_data_file_are_errors() {
    let book = Book::fixture("matrix-generic");
    let text = book.read("content/matrix.toml").replace("guide/_index.md#départ", "guide/_index.md#arrivée");
    book.write("content/matrix.toml", text);
    let run = book.build();
    assert!(!run.ok);
    assert!(
        run.stderr
            .contains("content/matrix.toml:14:11: error: link `guide/_index.md#arrivée`: no heading with id `arrivée`"),
        "{}",
        run.stderr
    );
}

#[test]
fn content_may_not_take_a_generated_path_and_a_book_without_matrix_has_no_stage_pages() {
    let book = Book::fixture("matrix-generic");
    book.write("content/stages/seed.md", "# Mine\n");
    let run = book.build();
    assert!(run.stderr.contains("content/stages/seed.md: error: this page would be written to `stages/seed/index.html`, which stagebook generates"), "{}", run.stderr);
    let plain = Book::fixture("basic");
    plain.build_ok();
    assert!(!plain.exists("book/stages") && !plain.exists("book/matrix"));
    plain.write("book.toml", "[build]\nmatrix = \"data/matrix.toml\"\n");
    let run = plain.build();
    assert!(run.stderr.contains("book.toml:2:10: error: matrix file data/matrix.toml not found"), "{}", run.stderr);
}

/// Links into generated pages are checked against the ids those pages render: the headings
/// and sections their templates print, not a list kept beside them.
#[test]
fn links_into_generated_pages_pass_for_every_id_the_page_renders() {
    let book = Book::fixture("matrix-generic");
    book.write(
        "content/guide/links.md",
        "# Links\n\n[costs](../stages/serie-a/#costs), [build](../stages/serie-a/#build), \
         [checklists](../stages/serie-a/#checklists), [tables](../stages/serie-a/#tables), \
         [a list](../stages/serie-a/#jamais), [an item](../stages/serie-a/#jamais-sauvegardes), \
         [category title](../matrix/#ops-title), [by stage](../categories/ops/#by-stage), \
         [stage costs](../stages/#costs), [a cost source](../stages/#cost-source-seed), \
         [general list](../stages/#questions).\n",
    );
    // The data file may link to them too.
    let text = book.read("content/matrix.toml").replace(
        "summary = \"Talk to users; see [the guide](guide/_index.md#départ).\"",
        "summary = \"Talk to users; see [the guide](guide/_index.md#départ) and [what to build](stages/serie-a/#build).\"",
    );
    book.write("content/matrix.toml", text);
    let run = book.build_ok();
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    let page = book.read("book/guide/links/index.html");
    assert!(page.contains("href=\"../../stages/serie-a/index.html#costs\""), "{page}");
    assert!(page.contains("href=\"../../matrix/index.html#ops-title\""), "{page}");
    let seed = book.read("book/stages/seed/index.html");
    assert!(seed.contains("href=\"../serie-a/index.html#build\""), "data-file link on a stage page");
}

#[test]
fn a_link_to_an_id_a_generated_page_does_not_render_fails_at_its_position() {
    let book = Book::fixture("matrix-generic");
    book.build_ok();
    // `questions` is a general checklist: the stages page shows it, a stage page does not.
    book.write("content/guide/links.md", "# Links\n\nSee [questions](../stages/serie-a/#questions).\n");
    let text = book.read("content/matrix.toml").replace(
        "summary = \"Talk to users; see [the guide](guide/_index.md#départ).\"",
        "summary = \"Talk to users; see [the guide](guide/_index.md#départ), [nope](stages/seed/#nope).\"",
    );
    book.write("content/matrix.toml", text);
    let before = book.snapshot("book");
    let run = book.build();
    assert!(!run.ok);
    assert!(
        run.stderr.contains(
            "content/guide/links.md:3:5: error: link `../stages/serie-a/#questions`: the generated page `stages/serie-a/` has no element with id `questions`"
        ),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(
            "content/matrix.toml:14:11: error: link `stages/seed/#nope`: the generated page `stages/seed/` has no element with id `nope`"
        ),
        "{}",
        run.stderr
    );
    assert_eq!(run.stderr.matches("error: link").count(), 2, "each broken link once: {}", run.stderr);
    assert_eq!(book.snapshot("book"), before, "nothing written");
    // `check` finds the same.
    let check = book.run(&["check"]);
    assert!(!check.ok && check.stderr.contains("has no element with id `questions`"), "{}", check.stderr);
}

/// A theme decides which ids a generated page has: when its template drops one, links to it
/// break; this is what `serve` re-checks when a template is saved (it loads and renders again).
#[test]
fn a_template_that_drops_an_id_breaks_the_links_to_it() {
    let book = Book::fixture("matrix-generic");
    book.write("content/guide/links.md", "# Links\n\n[costs](../stages/serie-a/#costs)\n");
    book.build_ok();
    let stage = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/themes/default/templates/stage.html"))
        .unwrap()
        .replace("<h2 id=\"costs\">", "<h2 id=\"money\">");
    book.write("themes/default/templates/stage.html", stage);
    let run = book.build();
    assert!(!run.ok);
    assert!(run.stderr.contains("has no element with id `costs`"), "{}", run.stderr);
}

/// The preview server's incremental path: an edited page's links into generated pages are
/// checked against the ids those pages were last rendered with.
#[test]
fn an_edited_page_is_checked_against_the_rendered_ids() {
    use stagebook::build::{Changed, Project};
    use stagebook::output::Memory;
    let book = Book::fixture("matrix-generic");
    book.write("content/guide/links.md", "# Links\n\n[costs](../stages/serie-a/#costs)\n");
    let mut project = Project::open(book.dir.path()).map_err(|f| f.errors).unwrap();
    let errors = project.write_all(&Memory::default(), std::path::Path::new("book"), &mut Default::default());
    assert!(errors.is_empty(), "{errors:?}");
    book.write("content/guide/links.md", "# Links\n\n[build](../stages/serie-a/#build)\n");
    assert!(matches!(project.update_page("guide/links.md"), Ok(Some(Changed::Page(_)))));
    book.write("content/guide/links.md", "# Links\n\n[questions](../stages/serie-a/#questions)\n");
    let errors = project.update_page("guide/links.md").unwrap_err();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].message.contains("has no element with id `questions`"), "{errors:?}");
}

/// Stage counters take the keys that count for each stage from the page (`data-ticks`), so
/// scripts never spell a key: a tick of an aspect counts for its stage only, a checklist item
/// for every stage the checklist belongs to.
#[test]
fn saved_ticks_count_for_the_stages_they_belong_to() {
    let Some(browser) = common::chromium() else { return };
    let book = Book::fixture("matrix-generic");
    book.build_ok();
    let clicking = book.read("book/stages/serie-a/index.html").replace(
        "</body>",
        r#"<script>window.addEventListener("load", function () { setTimeout(function () {
  document.getElementById("check-deploiement").click();
  document.getElementById("check-jamais-sauvegardes").click();
}, 300); });</script></body>"#,
    );
    book.write("book/stages/serie-a/click.html", clicking);
    let profile = tempfile::tempdir().unwrap();
    let url = |rel: &str| common::file_url(&book.path(rel));
    let first = common::dump_dom_with_profile(&browser, &url("book/stages/serie-a/click.html"), profile.path());
    assert_eq!(first.matches("data-done=\"true\"").count(), 2, "two boxes ticked");
    let stages = common::dump_dom_with_profile(&browser, &url("book/stages/index.html"), profile.path());
    let counter = |stage: &str| {
        let li = &stages[stages.find(&format!("data-stage-progress=\"{stage}\"")).unwrap()..];
        let li = &li[..li.find("</li>").unwrap()];
        let label = &li[li.rfind("<span>").expect("a counter") + 6..];
        label[..label.find("</span>").unwrap()].to_string()
    };
    assert_eq!(counter("seed"), "1 / 5", "the checklist item counts for seed too");
    assert_eq!(counter("serie-a"), "2 / 5");
    assert_eq!(counter("scale-up"), "0 / 4", "four aspects ask something at scale-up; Prototype is n/a");
}
