//! Bringing an existing handbook over: broken links as warnings while they are mended
//! (`[build] broken_links`, `--warn-links`), links that leave the content folder, mdBook's
//! `chapter.html` links, and mdBook's book.toml (tests/fixtures/stale-links, mdbook-config).

mod common;

use common::serve::{Preview, DEFAULT_WAIT as WAIT};
use common::{links, Book};

/// The `path:line:col` of each diagnostic of `severity` ("error" or "warning") in `stderr`.
fn places(stderr: &str, severity: &str) -> Vec<String> {
    let marker = format!(": {severity}: ");
    stderr.lines().filter_map(|l| l.split_once(&marker).map(|(place, _)| place.to_string())).collect()
}

/// Where the stale-links fixture's links fail: a renamed heading, a `#FAQ` for `faq`, a
/// missing page, a doubled `##`.
const BROKEN: [&str; 4] = [
    "content/index.md:4:3",
    "content/ops/on-call.md:9:5",
    "content/team/onboarding.md:3:10",
    "content/team/onboarding.md:3:64",
];
/// Its link to the repository's README, out of the content folder.
const OUTSIDE: &str = "content/team/onboarding.md:5:5";

#[test]
fn broken_links_fail_the_build_at_their_places_and_nothing_is_written() {
    let book = Book::fixture("stale-links");
    let run = book.build();
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert_eq!(places(&run.stderr, "error"), BROKEN, "{}", run.stderr);
    assert!(run
        .stderr
        .contains("no heading with id `FAQ` in `ops/on-call.md` (its headings: on-call, escalation-policy, faq)"));
    assert!(run.stderr.contains("4 errors found; nothing was written"), "{}", run.stderr);
    assert!(!book.exists("book"));
    // `check` fails the same way.
    let check = book.run(&["check"]);
    assert_eq!((check.code, places(&check.stderr, "error")), (Some(1), BROKEN.map(String::from).to_vec()));
}

#[test]
fn in_warn_mode_the_site_is_written_and_the_summary_counts_the_link_warnings() {
    for (how, args) in [("flag", &["build", "--warn-links"][..]), ("book.toml", &["build"][..])] {
        let book = Book::fixture("stale-links");
        if how == "book.toml" {
            book.write("book.toml", "[book]\ntitle = \"Team Handbook\"\n[build]\nbroken_links = \"warn\"\n");
        }
        let run = book.run(args);
        assert!(run.ok, "{how}: {}", run.stderr);
        assert!(run.stdout.starts_with("Built 5 pages with 5 link warnings in "), "{how}: {}", run.stdout);
        assert!(places(&run.stderr, "error").is_empty(), "{how}: {}", run.stderr);
        let mut warned = places(&run.stderr, "warning");
        warned.sort();
        let mut expected: Vec<String> = BROKEN.iter().chain([&OUTSIDE]).map(|s| s.to_string()).collect();
        expected.sort();
        assert_eq!(warned, expected, "{how}: {}", run.stderr);
        // Broken links are left as written; working ones are rewritten as usual.
        let page = links(&book.read("book/team/onboarding/index.html"));
        assert!(page.contains(&"../ops/rota.md".to_string()), "{how}: {page:?}");
        assert!(page.contains(&"../../ops/on-call/index.html#escalation".to_string()), "{how}: {page:?}");
    }
    let book = Book::fixture("stale-links");
    let check = book.run(&["check", "--warn-links"]);
    assert!(check.ok, "{}", check.stderr);
    assert!(check.stdout.starts_with("Checked 5 pages with 5 link warnings in "), "{}", check.stdout);
    assert!(!book.exists("book"));
    // A clean handbook's summary does not change.
    book.write("content/index.md", "# Team Handbook\n").remove("content/team/onboarding.md");
    book.write("content/ops/on-call.md", "# On-call\n");
    let run = book.run(&["build", "--warn-links"]);
    assert!(run.stdout.starts_with("Built 3 pages in "), "{}", run.stdout);
}

#[test]
fn links_out_of_the_content_folder_are_warnings_in_both_modes_and_still_lead_there() {
    let book = Book::fixture("stale-links");
    let strict = book.build();
    assert_eq!(places(&strict.stderr, "warning"), [OUTSIDE], "{}", strict.stderr);
    assert!(strict.stderr.contains("link `../../README.md` leaves the content folder"), "{}", strict.stderr);
    // Only the out-of-content link: then the strict build succeeds.
    book.write("content/index.md", "# Team Handbook\n\n[Onboarding](team/onboarding.md)\n");
    book.write("content/ops/on-call.md", "# On-call\n");
    book.write(
        "content/team/onboarding.md",
        "# Onboarding\n\nThe [build notes](../../README.md#build), the [tools](/../tools/a%20b.html).\n",
    );
    let run = book.build_ok();
    assert!(run.stdout.starts_with("Built 5 pages with 2 link warnings in "), "{}", run.stdout);
    // From `team/onboarding.md` the README is two folders up from the content folder's
    // `team/`; the page is one folder deeper (`team/onboarding/index.html`): still relative.
    let hrefs = links(&book.read("book/team/onboarding/index.html"));
    assert!(hrefs.contains(&"../../../README.md#build".to_string()), "{hrefs:?}");
    assert!(hrefs.contains(&"../../../tools/a%20b.html".to_string()), "{hrefs:?}");
}

#[test]
fn mdbook_html_links_resolve_to_their_pages_and_are_checked() {
    let book = Book::fixture("mdbook-config");
    let run = book.build_ok();
    assert!(run.stdout.starts_with("Built 5 pages with 2 link warnings in "), "{}", run.stdout);
    let home = links(&book.read("out/index.html"));
    assert!(home.contains(&"intro/index.html".to_string()), "{home:?}");
    assert!(home.contains(&"chapter_1/index.html#details".to_string()), "{home:?}");
    let usage = links(&book.read("out/guide/usage/index.html"));
    assert!(usage.contains(&"../../chapter_1/index.html#details".to_string()), "{usage:?}");
    assert!(usage.contains(&"../index.html".to_string()), "README.html is the folder's page: {usage:?}");
    // The siblings on the same host (mdBook's `../std/`) keep their place.
    let intro = links(&book.read("out/intro/index.html"));
    assert!(intro.contains(&"../../std/index.html".to_string()), "{intro:?}");
    // An `.html` link's anchor is checked like an `.md` link's.
    book.write("src/guide/usage.md", "# Usage\n\nSee [chapter 1](../chapter_1.html#nope) and [x](../ch9.html).\n");
    let run = book.build();
    assert_eq!(run.code, Some(1));
    assert_eq!(places(&run.stderr, "error"), ["src/guide/usage.md:3:5", "src/guide/usage.md:3:45"], "{}", run.stderr);
    assert!(run.stderr.contains("no heading with id `nope` in `chapter_1.md`"), "{}", run.stderr);
    // The book's own content folder (`[book] src`) is where the missing page was looked for.
    assert!(run.stderr.contains("(looked for src/ch9.md and src/ch9.html)"), "{}", run.stderr);
    assert!(!run.stderr.contains("content/"), "{}", run.stderr);
}

#[test]
fn each_ignored_mdbook_setting_is_one_warning_at_its_place() {
    let book = Book::fixture("mdbook-config");
    let run = book.build_ok();
    let ignored: Vec<(String, String)> = run
        .stderr
        .lines()
        .filter_map(|l| l.split_once(": warning: ignored: mdBook setting `"))
        .map(|(place, rest)| (place.to_string(), rest.split('`').next().unwrap_or("").to_string()))
        .collect();
    let expected = [
        ("book.toml:11:1", "rust.edition"),
        ("book.toml:15:1", "build.create-missing"),
        ("book.toml:16:1", "build.use-default-preprocessors"),
        ("book.toml:19:15", "preprocessor.index"),
        ("book.toml:21:15", "preprocessor.links"),
        ("book.toml:25:1", "output.html.preferred-dark-theme"),
        ("book.toml:26:1", "output.html.smart-punctuation"),
        ("book.toml:27:1", "output.html.mathjax-support"),
        ("book.toml:31:1", "output.html.git-repository-icon"),
        ("book.toml:35:14", "output.html.playground"),
        ("book.toml:38:14", "output.html.search"),
    ];
    let expected: Vec<(String, String)> = expected.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect();
    assert_eq!(ignored, expected, "{}", run.stderr);
    // Keys of the `[book]` table stagebook reads are not warned about.
    assert!(!run.stderr.contains("multilingual") && !run.stderr.contains("`book.src`"), "{}", run.stderr);
}

#[test]
fn a_key_neither_stagebook_nor_mdbook_knows_is_an_error_with_every_other_one_in_the_same_run() {
    let book = Book::fixture("mdbook-config");
    let toml = book.read("book.toml").replace("site-url", "site-ulr") + "\n[ouptut.html]\n";
    book.write("book.toml", toml);
    let run = book.build();
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert_eq!(places(&run.stderr, "error"), ["book.toml:33:1", "book.toml:44:2"], "{}", run.stderr);
    assert!(run.stderr.contains("site-ulr") && run.stderr.contains("ouptut"), "{}", run.stderr);
    // The settings set aside are still reported, as warnings.
    assert_eq!(run.stderr.matches("ignored: mdBook setting").count(), 11, "{}", run.stderr);
    assert!(!book.exists("out"));
}

#[test]
fn mdbook_output_settings_give_the_edit_link_extra_files_theme_and_404_base() {
    let book = Book::fixture("mdbook-config");
    book.build_ok();
    // `[build] build-dir` is the output folder.
    assert!(!book.exists("book") && book.exists("out/index.html"));
    let usage = book.read("out/guide/usage/index.html");
    let hrefs = links(&usage);
    // `{path}` is the file's path from the handbook folder, as mdBook has it.
    assert!(
        usage.contains(
            "<a href=\"https://git.example.org/widgets/manual/edit/main/src/guide/usage.md\">Edit this page</a>"
        ),
        "{hrefs:?}"
    );
    let home = links(&book.read("out/index.html"));
    assert!(home.contains(&"https://git.example.org/widgets/manual/edit/main/src/README.md".to_string()), "{home:?}");
    assert!(home.contains(&"https://git.example.org/widgets/manual".to_string()), "the repository: {home:?}");
    // Generated pages (search, 404) have no file to edit.
    assert!(!book.read("out/search/index.html").contains("Edit this page"));
    // Extra style sheet and script: relative, after the theme's, copied byte for byte.
    assert!(usage.contains("<link rel=\"stylesheet\" href=\"../../static/extra/theme/custom.css\">"), "{usage}");
    assert!(usage.contains("<script src=\"../../static/extra/theme/extra.js\" defer></script>"), "{usage}");
    assert!(usage.find("custom.css").unwrap() > usage.find("highlight.css").unwrap());
    assert_eq!(book.read("out/static/extra/theme/custom.css"), book.read("theme/custom.css"));
    assert_eq!(book.read("out/static/extra/theme/extra.js"), book.read("theme/extra.js"));
    // `default-theme = "navy"` (a dark mdBook theme) starts readers who have not chosen in dark.
    assert!(usage.contains("localStorage.getItem(\"stagebook-theme\")||\"dark\";"), "{usage}");
    // `site-url`: the 404 page, shown at any address, finds the site through it.
    assert!(book.read("out/404.html").contains("<base href=\"/manual/\">"));
    // `[output.html.redirect]`: the old address is a redirect page to the new one, relative.
    let old = book.read("out/old-intro.html");
    assert!(old.contains("http-equiv=\"refresh\""), "{old}");
    assert!(old.contains("url=intro/index.html\"") || old.contains("url=intro/\""), "{old}");
}

#[test]
fn extra_files_must_be_inside_the_handbook_folder() {
    let book = Book::fixture("mdbook-config");
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.css"), "secret").unwrap();
    std::os::unix::fs::symlink(outside.path().join("secret.css"), book.path("theme/link.css")).unwrap();
    let toml = book.read("book.toml").replace(
        "additional-css = [\"theme/custom.css\"]",
        "additional-css = [\"theme/link.css\", \"theme/missing.css\", \"../x.css\"]",
    );
    book.write("book.toml", toml);
    let run = book.build();
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert!(run.stderr.contains("must be a path inside the handbook folder"), "{}", run.stderr);
    book.write("book.toml", book.read("book.toml").replace(", \"../x.css\"", ""));
    let run = book.build();
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert!(run.stderr.contains("`theme/link.css` leads out of the handbook folder"), "{}", run.stderr);
    assert!(run.stderr.contains("cannot read `theme/missing.css`"), "{}", run.stderr);
    assert_eq!(places(&run.stderr, "error").len(), 2, "{}", run.stderr);
    assert!(!book.exists("out"));
}

#[test]
fn serve_with_warn_links_serves_the_site_and_shows_the_warnings() {
    let book = Book::fixture("stale-links");
    let serve = Preview::launch(&book).args(&["--warn-links"]).wait(WAIT).start();
    let page = serve.get("/team/onboarding/");
    assert_eq!(page.status, 200, "{}", serve.stderr());
    assert!(page.body.contains("Onboarding"));
    let stderr = serve.stderr();
    assert!(stderr.contains("content/team/onboarding.md:3:64: warning: link to missing page"), "{stderr}");
    assert!(stderr.contains("content/team/onboarding.md:5:5: warning: link `../../README.md`"), "{stderr}");
    // An edit that breaks another link: the page is shown anyway, the new warning with it.
    let from = serve.lines().len();
    let text = book.read("content/ops/on-call.md").replace("Call the lead.", "Call [the lead](../team/lead.md).");
    book.write("content/ops/on-call.md", text);
    let rebuilt = serve.wait_for(from, common::serve::is_rebuild).unwrap_or_default();
    assert!(rebuilt.starts_with("Rebuilt"), "{rebuilt}: {}", serve.stderr());
    assert!(serve.get("/ops/on-call/").body.contains("the lead"));
    let wanted = "content/ops/on-call.md:5:6: warning: link to missing page `../team/lead.md`";
    let started = std::time::Instant::now();
    while !serve.stderr().contains(wanted) && started.elapsed() < WAIT {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert!(serve.stderr().contains(wanted), "{}", serve.stderr());
}

#[test]
fn serve_rebuilds_on_a_change_in_extra_watch_dirs_and_in_an_additional_style_sheet() {
    let book = Book::fixture("mdbook-config");
    let serve = Preview::start(&book);
    assert_eq!(serve.get("/intro/").status, 200, "{}", serve.stderr());
    let from = serve.lines().len();
    book.write("listings/example.rs", "fn main() { println!(\"changed\"); }\n");
    assert!(serve.wait_for(from, common::serve::is_rebuild).is_some(), "no rebuild: {:?}", serve.lines());
    let from = serve.lines().len();
    book.write("theme/custom.css", ".widget-note { color: red; }\n");
    assert!(serve.wait_for(from, common::serve::is_rebuild).is_some(), "no rebuild: {:?}", serve.lines());
    let css = serve.get("/static/extra/theme/custom.css");
    assert!(css.body.contains("color: red"), "{}", css.body);
}

#[test]
fn the_data_file_follows_the_same_rules_broken_links_warn_and_outside_links_are_kept() {
    let book = Book::fixture("matrix-generic");
    let text = book.read("content/matrix.toml").replace(
        "see [the guide](guide/_index.md#départ).",
        "see [the guide](guide/_index.md#arrivée) and [the wiki](../wiki/index.html).",
    );
    // The line of the edited field, wherever the fixture has it.
    let place = format!("content/matrix.toml:{}:11", text.lines().position(|l| l.contains("[the wiki]")).unwrap() + 1);
    book.write("content/matrix.toml", text);
    let strict = book.build();
    assert_eq!(strict.code, Some(1), "{}", strict.stderr);
    assert_eq!(places(&strict.stderr, "error"), [place.as_str()], "{}", strict.stderr);
    assert_eq!(places(&strict.stderr, "warning"), [place.as_str()], "{}", strict.stderr);
    assert!(strict.stderr.contains("link `../wiki/index.html` leaves the content folder"), "{}", strict.stderr);
    let run = book.run(&["build", "--warn-links"]);
    assert!(run.ok, "{}", run.stderr);
    assert!(run.stdout.contains(" with 2 link warnings in "), "{}", run.stdout);
    // Shown on the stage page `stages/seed/index.html`: two folders deeper than the site root.
    let stage = links(&book.read("book/stages/seed/index.html"));
    assert!(stage.contains(&"../../../wiki/index.html".to_string()), "{stage:?}");
}
