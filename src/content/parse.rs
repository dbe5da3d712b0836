//! One page from its slot: reading the file ([`read`], the only step that touches the disk),
//! then front matter, markdown and the title rules ([`parse`], pure over the text).

use std::path::Path;

use super::frontmatter::{self, FrontMatter};
use super::ids::PageId;
use super::include;
use super::links::{Lookup, PageLink};
use super::plan::{file_name, Slot};
use super::{paths, Page, PageKind, README_ANCHOR};
use crate::config::Config;
use crate::diagnostics::{Diagnostic, Problem, SourceFile};
use crate::markdown::{self, Link};
use crate::words;

/// A page that could be read. `errors` (broken links, a missing title) do not stop the
/// rest of the page from being checked, so one run reports all of them.
#[derive(Debug)]
pub(crate) struct Parsed {
    pub(crate) page: Page,
    pub(crate) errors: Vec<Diagnostic>,
    pub(crate) warnings: Vec<Diagnostic>,
}

/// The page for `slot` with nothing read yet (what a page that failed to parse leaves behind).
pub(crate) fn placeholder(slot: &Slot) -> Page {
    Page { source: slot.source.clone(), ..Page::empty(&slot.url, &slot.dir, slot.kind) }
}

/// Reads the page's file, when it has one, and parses it. `collector` takes the text for the
/// search index.
pub(crate) fn read_and_parse(
    config: &Config,
    lookup: &Lookup,
    me: PageId,
    slot: &Slot,
    collector: Option<&mut words::Collector>,
) -> Result<Parsed, Vec<Diagnostic>> {
    let text = match &slot.source {
        Some(rel) => Some(read_source(config, rel)?),
        None => None,
    };
    parse(config, lookup, me, slot, text.as_deref(), collector, &|_, _| {}).map_err(|d| vec![d])
}

/// The text of the content-relative markdown file `rel`.
pub(crate) fn read_source(config: &Config, rel: &str) -> Result<String, Vec<Diagnostic>> {
    read(&config.content_dir().join(rel), super::shown_path(config, rel))
}

/// The `slug` of each markdown file (content-relative) that sets a valid one in its front
/// matter, read before planning: a slug changes the URL other pages' links are rewritten to.
/// Only the first few KB of a file are read unless they hold a front matter block naming
/// `slug`; problems are left to the real parse, which reports them at their place.
pub(crate) fn read_slugs(content_dir: &Path, markdown: &[String]) -> std::collections::HashMap<String, String> {
    use rayon::prelude::*;
    use std::io::Read;
    const HEAD: usize = 4096;
    markdown
        .par_iter()
        .filter_map(|rel| {
            let path = content_dir.join(rel);
            let mut head = Vec::with_capacity(HEAD);
            std::fs::File::open(&path).ok()?.take(HEAD as u64).read_to_end(&mut head).ok()?;
            let bytes = head.strip_prefix("\u{feff}".as_bytes()).unwrap_or(&head);
            let fence = [b"---", b"+++"].into_iter().find(|f| bytes.starts_with(*f))?;
            let whole = head.len() < HEAD;
            // Where the block closes within the head, if it does: it names `slug` there or nowhere.
            let close = bytes[3..].windows(4).position(|w| w[0] == b'\n' && w[1..] == fence[..]);
            let block = &bytes[..close.map_or(bytes.len(), |c| c + 3)];
            let names_slug = block.windows(4).any(|w| w == b"slug");
            if (whole || close.is_some()) && !names_slug {
                return None;
            }
            let text = if whole { String::from_utf8(head).ok()? } else { std::fs::read_to_string(&path).ok()? };
            frontmatter::slug_of(&text).map(|slug| (rel.clone(), slug))
        })
        .collect()
}

/// The file's text; a file that is not UTF-8 is an error at the first bad byte.
pub(crate) fn read(path: &Path, shown: std::path::PathBuf) -> Result<String, Vec<Diagnostic>> {
    let bytes = std::fs::read(path).map_err(|e| vec![Diagnostic::error(shown.clone(), format!("cannot read: {e}"))])?;
    decode(bytes, shown).map_err(|d| vec![d])
}

/// Bytes to text, or an error at the first byte that is not UTF-8.
pub(crate) fn decode(bytes: Vec<u8>, shown: std::path::PathBuf) -> Result<String, Diagnostic> {
    String::from_utf8(bytes).map_err(|e| {
        let lossy = String::from_utf8_lossy(e.as_bytes()).into_owned();
        let at = e.utf8_error().valid_up_to();
        Diagnostic::at(shown, &lossy, at, "file is not valid UTF-8 (save it as UTF-8)")
    })
}

/// Builds the page for `slot` from its file's `text` (`None` for pages without a file),
/// telling `noted` every link destination it resolves against `lookup` and what it resolved
/// to (the parse memo keeps that: see [`super::stored`]). Front matter that cannot be read is the one
/// error that stops the page.
pub(crate) fn parse(
    config: &Config,
    lookup: &Lookup,
    me: PageId,
    slot: &Slot,
    text: Option<&str>,
    collector: Option<&mut words::Collector>,
    noted: &dyn Fn(&str, &Link<PageId>),
) -> Result<Parsed, Diagnostic> {
    let mut page = placeholder(slot);
    let done = |page| Ok(Parsed { page, errors: Vec::new(), warnings: Vec::new() });
    if let Some(g) = &slot.generated {
        page.title = g.title.clone();
        page.description = g.description.clone();
        page.weight = g.weight;
        page.generated = Some(g.payload.clone());
        return done(page);
    }
    let (Some(rel), Some(text)) = (&slot.source, text) else {
        page.title = if slot.dir.is_empty() {
            config.book.title.clone()
        } else {
            crate::slug::title_from_name(file_name(&slot.dir))
        };
        return done(page);
    };
    let file = SourceFile::new(super::shown_path(config, rel), text);
    let split = frontmatter::extract(text).map_err(|p| file.diagnostic(p))?;

    let source_dir = paths::parent_dir(rel);
    // mdBook's `{{#include}}` family, expanded before markdown sees the text.
    let expanded = include::has_directives(split.body).then(|| {
        let canonical = crate::abspath::absolute(&config.root);
        let root = include::Root { canonical: &canonical, shown: &config.root };
        let dir = crate::abspath::absolute(&config.content_dir().join(source_dir));
        include::expand(split.body, &dir, &root, &|offset, message| file.error_at(split.body_offset + offset, message))
    });
    let body = expanded.as_ref().map_or(split.body, |x| x.text.as_str());
    // A body offset of the expanded text -> a file offset (included text: its directive's).
    let to_file = |offset: usize| match &expanded {
        Some(x) => {
            let (at, from) = x.source_offset(offset);
            (split.body_offset + at, from)
        }
        None => (split.body_offset + offset, None),
    };
    let rendered = markdown::render(body, &config.markdown, collector, |dest| {
        let link = lookup.resolve(&slot.url, Some(me), source_dir, dest);
        noted(dest, &link);
        link
    });

    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    let (directive_title, includes) = match expanded.as_ref() {
        Some(x) => {
            errors.extend(x.errors.iter().cloned());
            (x.title.clone(), x.includes.clone())
        }
        None => (None, Vec::new()),
    };
    let body_problems = rendered.problems.into_iter().map(|p| {
        let (offset, from) = to_file(p.offset);
        let message = match from {
            Some(from) => format!("{} (in the text included from {})", p.message, from.display()),
            None => p.message,
        };
        Problem { offset, message, ..p }
    });
    for p in split.problems.into_iter().chain(body_problems) {
        let d = file.diagnostic(p);
        if d.is_error() {
            errors.push(d);
        } else {
            warnings.push(d);
        }
    }

    let FrontMatter { title, description, weight, draft, template, slug, aliases, extra } =
        split.front.unwrap_or_default();
    // `{{#title}}` names the page when its front matter does not.
    let title = title.or(directive_title);
    let fallback = || match slot.kind {
        PageKind::Home => config.book.title.clone(),
        PageKind::Section => crate::slug::title_from_name(file_name(&slot.dir)),
        PageKind::Page => crate::slug::title_from_name(file_name(rel).trim_end_matches(".md")),
    };
    // The title of the page's entry in SUMMARY.md goes between front matter and heading.
    let summary_title: Option<&str> = slot.nav_title.as_deref();
    let (title, has_title_heading) = choose_title(title.as_deref(), summary_title, rendered.title_heading.as_ref());
    page.title = title.unwrap_or_else(fallback);
    page.has_title_heading = has_title_heading;
    page.description = description.unwrap_or_default();
    page.weight = weight;
    page.draft = draft;
    page.extra = extra;
    page.template = template.map(|(name, at)| (name, file.error_at(at, String::new())));
    page.slug = slug;
    for (alias, at) in aliases {
        match paths::redirect_path(source_dir, &alias) {
            Ok(path) => page.redirect_from.push((path, at)),
            Err(why) => errors.push(file.error_at(at, format!("redirect from `{alias}` cannot be made: {why}"))),
        }
    }
    page.embeds = rendered
        .embeds
        .into_iter()
        .map(|mut e| {
            e.offset = to_file(e.offset).0;
            e
        })
        .collect();
    page.anchors = rendered.anchors.into_iter().collect();
    page.sections = rendered.sections;
    // These too are kept for every page at once: without the room left by doubling.
    page.sections.shrink_to_fit();
    // Kept until the page is rendered, for every page at once: without the spare capacity it
    // was built with (a tenth of a 10,000-page build's peak memory).
    page.html = rendered.html;
    // (A one-shot build copies it into a chunk of [`super::bodies::Bodies`] at once.)
    if !config.one_shot {
        page.html.shrink_to_fit();
    }
    page.includes = includes;
    page.headings = rendered.headings;
    page.headings.shrink_to_fit();
    if file_name(rel).eq_ignore_ascii_case("readme.md") {
        add_readme_element(&mut page);
    }
    // Offsets become file offsets; line and column are worked out only if a link turns out broken.
    page.links = rendered
        .links
        .into_iter()
        .map(|mut l: PageLink| {
            l.offset = to_file(l.offset).0;
            l
        })
        .collect();
    page.links.shrink_to_fit();
    // Links and embeds are checked after every page is read: keep just their places, not the text.
    let aliases = page.redirect_from.iter().map(|(_, at)| *at);
    let offsets = page.links.iter().map(|l| l.offset).chain(page.embeds.iter().map(|e| e.offset)).chain(aliases);
    page.file = Some(file.keep(config.content_dir().join(rel), offsets));
    Ok(Parsed { page, errors, warnings })
}

/// Puts an empty element with the id `readme` at the top of a README.md's text, whose own
/// links go to `#readme` most (see [`Page::has_anchor`]), unless a heading or an HTML `id` of
/// the page has that id already (it wins), or the page is empty (a link lands at its top).
fn add_readme_element(page: &mut Page) {
    if page.has_anchor_of_its_own(README_ANCHOR) || page.html.trim().is_empty() {
        return;
    }
    page.anchors.insert(README_ANCHOR.to_string());
    page.html.insert_str(0, "<span id=\"readme\"></span>\n");
}

/// The title rule: front matter, then the page's SUMMARY.md entry, then the heading the page
/// starts with (any level, after comments and `<a id>` anchors); `None` leaves it to the
/// file's name. The flag says the page's own heading shows the title, so the theme must not
/// add another: when the title is that heading's, or the heading is an H1 or reads the same.
fn choose_title(front: Option<&str>, summary: Option<&str>, heading: Option<&(u8, String)>) -> (Option<String>, bool) {
    let given = [front, summary].into_iter().flatten().map(str::trim).find(|t| !t.is_empty());
    let heading = heading.filter(|(_, h)| !h.trim().is_empty());
    match (given, heading) {
        (Some(t), Some((level, h))) => (Some(t.to_string()), *level == 1 || h.trim() == t),
        (Some(t), None) => (Some(t.to_string()), false),
        (None, Some((_, h))) => (Some(h.trim().to_string()), true),
        (None, None) => (None, false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::ids::Id;

    fn config() -> Config {
        Config::parse(Path::new("book"), "[book]\ntitle = \"Handbook\"\n".into()).expect("config parses")
    }

    fn slot(rel: Option<&str>, dir: &str, kind: PageKind) -> Slot {
        let url = rel.map_or_else(|| paths::section_url(dir), paths::page_url);
        Slot { source: rel.map(Into::into), dir: dir.into(), url, kind, generated: None, nav_title: None }
    }

    fn lookup() -> Lookup {
        Lookup::new(
            [(Some("guide/a.md"), "guide/a/index.html"), (Some("guide/b.md"), "guide/b/index.html")].into_iter(),
            &[],
            "content/".into(),
        )
    }

    fn run(rel: &str, text: &str) -> Result<Parsed, Diagnostic> {
        let kind = if file_name(rel) == "_index.md" { PageKind::Section } else { PageKind::Page };
        let s = slot(Some(rel), paths::parent_dir(rel), kind);
        parse(&config(), &lookup(), PageId::from_index(0), &s, Some(text), None, &|_, _| {})
    }

    #[test]
    fn front_matter_sets_the_page_and_links_are_kept_at_file_offsets() {
        let text = "+++\ntitle = \"Alpha\"\nweight = 3\ndraft = true\n+++\nSee [b](b.md#top).\n";
        let p = run("guide/a.md", text).expect("parses");
        assert!(p.errors.is_empty());
        assert_eq!((p.page.title.as_str(), p.page.weight, p.page.draft), ("Alpha", Some(3), true));
        assert_eq!(p.page.links.len(), 1);
        let link = &p.page.links[0];
        assert_eq!(link.target, PageId::from_index(1));
        assert_eq!(link.anchor.as_deref(), Some("top"));
        assert_eq!(&text[link.offset..link.offset + 3], "[b]");
        assert!(p.page.html.contains("href=\"../b/index.html#top\""));
    }

    #[test]
    fn title_comes_from_front_matter_then_heading_then_file_name() {
        assert_eq!(run("guide/a.md", "# Heading title\n\ntext").unwrap().page.title, "Heading title");
        assert!(run("guide/a.md", "# Heading title\n").unwrap().page.has_title_heading);
        assert_eq!(run("guide/setting-up.md", "no heading").unwrap().page.title, "Setting up");
        assert_eq!(run("deploy-guide/_index.md", "text").unwrap().page.title, "Deploy guide");
        // Front matter without a title falls back like a page without front matter.
        let p = run("guide/setting-up.md", "+++\nweight = 1\n+++\ntext").unwrap();
        assert!(p.errors.is_empty());
        assert_eq!(p.page.title, "Setting up");
        // A page that starts with `##` (mdBook chapters often do) is titled by it.
        let p = run("guide/ch04-01.md", "## What is ownership?\n\ntext").unwrap();
        assert_eq!((p.page.title.as_str(), p.page.has_title_heading), ("What is ownership?", true));
        let p = run("guide/a.md", "<!-- x -->\n<a id=\"top\"></a>\n# Anchored\n").unwrap();
        assert_eq!((p.page.title.as_str(), p.page.has_title_heading), ("Anchored", true));
        let p = run("guide/a.md", "---\ntitle: From YAML\n---\n## Overview\n").unwrap();
        assert_eq!((p.page.title.as_str(), p.page.has_title_heading), ("From YAML", false));
    }

    #[test]
    fn a_readme_page_has_the_readme_anchor_at_its_top_unless_an_id_has_it() {
        let p = run("guide/README.md", "# Guide\n\ntext\n").unwrap().page;
        assert!(p.has_anchor("readme"));
        assert!(p.html.starts_with("<span id=\"readme\"></span>\n<h1 id=\"guide\">"), "{}", p.html);
        assert!(run("guide/readme.md", "text").unwrap().page.has_anchor("readme"), "any case");
        // A heading with that id keeps it: no second element.
        let p = run("README.md", "# Intro\n\n## Readme\n").unwrap().page;
        assert_eq!(p.html.matches("id=\"readme\"").count(), 1, "{}", p.html);
        assert!(p.html.starts_with("<h1"), "{}", p.html);
        let p = run("README.md", "<a id=\"readme\"></a>\n\ntext\n").unwrap().page;
        assert_eq!(p.html.matches("id=\"readme\"").count(), 1, "{}", p.html);
        // An empty page: the anchor lands at its top, with nothing written.
        let p = run("README.md", "").unwrap().page;
        assert!(p.has_anchor("readme") && p.html.is_empty(), "{}", p.html);
        // Other files answer to it with no element: a link lands at their top.
        let p = run("guide/a.md", "# A\n").unwrap().page;
        assert!(p.has_anchor("readme") && !p.html.contains("readme"), "{}", p.html);
    }

    #[test]
    fn title_rule_order_and_the_own_heading_flag() {
        let h = |l: u8, t: &str| (l, t.to_string());
        assert_eq!(choose_title(Some("F"), Some("S"), Some(&h(2, "H"))), (Some("F".into()), false));
        assert_eq!(choose_title(None, Some("S"), Some(&h(2, "H"))), (Some("S".into()), false));
        assert_eq!(choose_title(Some(" "), Some("S"), None), (Some("S".into()), false));
        assert_eq!(choose_title(None, None, Some(&h(3, "H"))), (Some("H".into()), true));
        // The page's own H1 shows even under another title; a heading that reads the title shows it.
        assert_eq!(choose_title(Some("F"), None, Some(&h(1, "H"))), (Some("F".into()), true));
        assert_eq!(choose_title(Some("F"), None, Some(&h(2, "F"))), (Some("F".into()), true));
        assert_eq!(choose_title(None, None, None), (None, false));
    }

    #[test]
    fn yaml_front_matter_sets_the_page() {
        let text = "---\ntitle: Onboarding\nlayout: page\nnav_order: 2\naliases: [/old/, older]\nslug: start\n---\n# Welcome\n";
        let p = run("guide/a.md", text).unwrap();
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        assert_eq!(p.page.title, "Onboarding");
        assert_eq!(p.page.weight, Some(2));
        assert_eq!(p.page.extra["layout"].as_str(), Some("page"));
        assert_eq!(p.page.slug.as_deref(), Some("start"));
        let froms: Vec<&str> = p.page.redirect_from.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(froms, ["old/index.html", "guide/older/index.html"]);
        assert!(p.page.has_title_heading);
        assert!(!p.page.html.contains("title:"));
    }

    #[test]
    fn bad_yaml_values_are_errors_at_their_place() {
        let p = run("guide/a.md", "---\ntitle: [1, 2]\naliases: /../../x/\n---\n# T\n").unwrap();
        assert_eq!(p.errors.len(), 2);
        assert_eq!(p.errors[0].position, Some((2, 8)));
        assert!(p.errors[1].message.contains("climbs out"), "{}", p.errors[1].message);
        assert_eq!(p.page.title, "T");
    }

    #[test]
    fn a_summary_title_comes_after_front_matter_and_before_the_first_heading() {
        let with_title = |text: &str| {
            let slot =
                Slot { nav_title: Some("From SUMMARY".into()), ..slot(Some("guide/a.md"), "guide", PageKind::Page) };
            parse(&config(), &lookup(), PageId::from_index(0), &slot, Some(text), None, &|_, _| {}).unwrap()
        };
        assert_eq!(with_title("## Starts at level two\n").page.title, "From SUMMARY");
        assert_eq!(with_title("# Own heading\n").page.title, "From SUMMARY");
        assert_eq!(with_title("+++\ntitle = \"Front\"\n+++\n# Own\n").page.title, "Front");
        // Front matter without a title is no error when SUMMARY.md names the page.
        let p = with_title("+++\nweight = 1\n+++\ntext");
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        assert_eq!(p.page.title, "From SUMMARY");
    }

    #[test]
    fn unreadable_front_matter_is_an_error_at_its_place() {
        let e = run("guide/a.md", "+++\ntitle = \"x\"\n").unwrap_err();
        assert!(e.message.contains("never closed"));
        let e = run("guide/a.md", "+++\ntitle = \"x\"\ncolour = 1\n+++\n").unwrap_err();
        assert!(e.message.contains("front matter"), "{}", e.message);
        assert_eq!(e.position.map(|(line, _)| line), Some(3));
    }

    #[test]
    fn broken_links_are_errors_but_the_page_is_still_built() {
        let p = run("guide/a.md", "# A\n\n[gone](gone.md)\n").unwrap();
        assert_eq!(p.errors.len(), 1);
        assert_eq!(p.errors[0].position, Some((3, 1)));
        assert_eq!(p.page.title, "A");
    }

    #[test]
    fn directives_set_the_title_and_leave_link_places_right() {
        let p = run("guide/a.md", "{{#title Custom}}\n# Heading\n\n[gone](gone.md)\n").unwrap();
        assert_eq!(p.page.title, "Custom");
        assert!(p.page.has_title_heading);
        assert_eq!(p.errors.len(), 1);
        assert_eq!(p.errors[0].position, Some((4, 1)), "the link is placed in the file, not the expanded text");
        // Front matter still wins.
        let p = run("guide/a.md", "+++\ntitle = \"Front\"\n+++\n{{#title Custom}}\ntext\n").unwrap();
        assert_eq!(p.page.title, "Front");
        // An include that cannot be read is an error at the directive, in the file's lines.
        let p = run("guide/a.md", "+++\ntitle = \"Front\"\n+++\ntext {{#include nowhere.rs}}\n").unwrap();
        assert_eq!(p.errors.len(), 1);
        assert_eq!(p.errors[0].position, Some((4, 6)));
        assert!(p.errors[0].message.contains("cannot include `nowhere.rs`"), "{}", p.errors[0].message);
    }

    #[test]
    fn pages_without_files_get_made_up_titles() {
        let c = config();
        let home = parse(&c, &lookup(), PageId::from_index(0), &slot(None, "", PageKind::Home), None, None, &|_, _| {})
            .unwrap();
        assert_eq!(home.page.title, "Handbook");
        let folder = parse(
            &c,
            &lookup(),
            PageId::from_index(0),
            &slot(None, "ops/on-call", PageKind::Section),
            None,
            None,
            &|_, _| {},
        )
        .unwrap();
        assert_eq!(folder.page.title, "On call");
    }

    #[test]
    fn slugs_are_read_before_planning_even_past_the_first_kilobytes() {
        let dir = tempfile::tempdir().unwrap();
        let long = format!("---\ndescription: \"{}\"\nslug: far\n---\n", "x".repeat(9000));
        for (name, text) in [
            ("a.md", "---\nslug: near\n---\n"),
            ("b.md", long.as_str()),
            ("c.md", "---\ntitle: none\n---\n"),
            ("d.md", "no front matter, slug: x"),
        ] {
            std::fs::write(dir.path().join(name), text).unwrap();
        }
        let files: Vec<String> = ["a.md", "b.md", "c.md", "d.md", "gone.md"].map(String::from).into();
        let slugs = read_slugs(dir.path(), &files);
        assert_eq!(slugs.len(), 2, "{slugs:?}");
        assert_eq!((slugs["a.md"].as_str(), slugs["b.md"].as_str()), ("near", "far"));
    }

    #[test]
    fn text_that_is_not_utf8_is_an_error_at_the_bad_byte() {
        let d = decode(b"ok\n\xffno".to_vec(), "a.md".into()).unwrap_err();
        assert_eq!(d.position, Some((2, 1)));
        assert_eq!(decode(b"fine".to_vec(), "a.md".into()).unwrap(), "fine");
    }
}
