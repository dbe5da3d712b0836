//! The matrix rendered once per build: the data file's markdown as HTML, plus what every view
//! counts (states, boxes), so generated pages and embeds only pick the slices they show.
//!
//! Markdown links are written relative to the content folder but their hrefs are relative to
//! the page that shows them. So each field keeps its HTML with the link targets cut out, and
//! [`Html::on`] puts in one page's hrefs: a string join, no markdown work. Broken links are
//! found here, once.

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::{HashMap, HashSet};

use super::{keys, Loaded, Md};
use crate::config::MarkdownConfig;
use crate::content::paths::relative_href;
use crate::content::{missing_rendered_id, Located, PageId};
use crate::diagnostics::Diagnostic;
use crate::markdown::{self, Link};
use crate::numbers::Numbers;

/// A markdown field rendered to HTML, with holes where hrefs to pages and files go.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Html {
    /// The HTML around the holes: one more piece than `hrefs`.
    pieces: Vec<String>,
    hrefs: Vec<Href>,
}

/// Where a hole's href points: an output path from the site root and `#anchor` or "".
#[derive(Debug, Clone, PartialEq, Eq)]
struct Href {
    to: String,
    fragment: String,
}

impl Html {
    fn fixed(html: String) -> Html {
        Html { pieces: vec![html], hrefs: Vec::new() }
    }

    /// The HTML as shown on the page at `page_url` (an output path from the site root).
    pub(crate) fn on(&self, page_url: &str) -> Cow<'_, str> {
        let Some((first, rest)) = self.pieces.split_first() else { return Cow::Borrowed("") };
        if self.hrefs.is_empty() {
            return Cow::Borrowed(first);
        }
        let mut out = first.clone();
        for (href, piece) in self.hrefs.iter().zip(rest) {
            let href = format!("{}{}", relative_href(page_url, &href.to), href.fragment);
            // What pulldown-cmark does to every href it writes.
            pulldown_cmark_escape::escape_href(&mut out, &href).expect("writing to a String cannot fail");
            out.push_str(piece);
        }
        Cow::Owned(out)
    }
}

/// A link in the data file to a page, kept so its anchor can be checked again when the page
/// changes (or, for a generated page, once it is rendered).
#[derive(Debug, Clone)]
struct PageLink {
    /// Byte offset of the markdown field in the data file.
    at: usize,
    dest: String,
    page: PageId,
    /// The page's output path.
    url: String,
    anchor: String,
}

/// Finds where a link of the data file points ([`crate::content::Site::locate`]).
pub(crate) type Locate<'a> = &'a (dyn Fn(&str) -> Result<Located, String> + Sync);

#[derive(Debug, Clone, Default)]
pub(crate) struct StageHtml {
    pub summary: Html,
    /// Where the cost figures come from (inline).
    pub cost_source: Html,
    /// Aspects new or changed at this stage.
    pub build_now: usize,
    /// Aspects carried over unchanged from the stage before.
    pub carried: usize,
    /// Aspects with no requirement at this stage.
    pub not_yet: usize,
    /// Checklists of tasks tied to this stage (indexes; reference lists left out).
    pub lists: Vec<usize>,
    /// Checkboxes on this stage's page: one per aspect with a requirement there plus the items
    /// of its task checklists.
    pub boxes: usize,
    /// The saved ticks that count for this stage ([`keys::stage_ticks`]).
    pub ticks: String,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct CategoryHtml {
    pub lesson: Html,
    pub intro: Html,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct AspectHtml {
    pub note: Html,
    /// One per stage; empty where the cell is.
    pub cells: Vec<Html>,
    /// [`keys::states`].
    pub states: String,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct ChecklistHtml {
    pub intro: Html,
    pub source: Html,
    /// Text and detail of each item.
    pub items: Vec<(Html, Html)>,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct TableHtml {
    pub intro: Html,
    pub source: Html,
    /// One per row, one per column.
    pub rows: Vec<Vec<Html>>,
}

/// Everything about the matrix that is the same on every page, built once per build. Indexes
/// follow [`super::Matrix`]'s vectors.
#[derive(Debug, Clone, Default)]
pub(crate) struct Rendered {
    pub description: Html,
    pub stages: Vec<StageHtml>,
    pub categories: Vec<CategoryHtml>,
    pub aspects: Vec<AspectHtml>,
    pub checklists: Vec<ChecklistHtml>,
    pub tables: Vec<TableHtml>,
    /// How the handbook's language writes the cost figures (English until the build sets it).
    pub numbers: Numbers,
    /// Links with an anchor into pages.
    links: Vec<PageLink>,
}

impl Rendered {
    /// Renders every markdown field of the data file once; the diagnostics are its broken links
    /// (errors) and its dropped links (warnings).
    pub(crate) fn build(loaded: &Loaded, markdown: &MarkdownConfig, locate: Locate) -> (Rendered, Vec<Diagnostic>) {
        let m = &loaded.matrix;
        let r = Renderer {
            locate,
            config: MarkdownConfig { heading_anchors: false, ..markdown.clone() },
            loaded,
            errors: RefCell::new(Vec::new()),
            links: RefCell::new(Vec::new()),
        };
        let states: Vec<String> = m.aspects.iter().map(|a| keys::states(m, a)).collect();
        let count = |i: usize, letter: char| states.iter().filter(|s| s.chars().nth(i) == Some(letter)).count();
        let rendered = Rendered {
            description: r.block(&m.description),
            stages: (0..m.stages.len())
                .map(|i| {
                    let s = &m.stages[i];
                    let lists: Vec<usize> = m.tasks_of_stage(i).collect();
                    let unasked = m.aspects.iter().filter(|a| !m.requires(a, i));
                    StageHtml {
                        summary: r.block(&s.summary),
                        cost_source: s.cost.as_ref().map(|c| r.inline(&c.source)).unwrap_or_default(),
                        build_now: count(i, keys::NEW),
                        carried: count(i, keys::SAME),
                        not_yet: count(i, keys::EMPTY),
                        boxes: count(i, keys::NEW)
                            + count(i, keys::SAME)
                            + lists.iter().map(|&c| m.checklists[c].items.len()).sum::<usize>(),
                        ticks: keys::stage_ticks(
                            &s.id,
                            lists.iter().map(|&c| m.checklists[c].id.as_str()),
                            unasked.map(|a| a.id.as_str()),
                        ),
                        lists,
                    }
                })
                .collect(),
            categories: m
                .categories
                .iter()
                .map(|c| CategoryHtml { lesson: r.inline(&c.lesson), intro: r.block(&c.intro) })
                .collect(),
            aspects: m
                .aspects
                .iter()
                .zip(states.iter())
                .map(|(a, states)| AspectHtml {
                    note: r.inline(&a.note),
                    cells: a.cells.iter().map(|c| c.as_ref().map(|c| r.inline(c)).unwrap_or_default()).collect(),
                    states: states.clone(),
                })
                .collect(),
            checklists: m
                .checklists
                .iter()
                .map(|c| ChecklistHtml {
                    intro: r.block(&c.intro),
                    source: r.inline(&c.source),
                    items: c.items.iter().map(|i| (r.inline(&i.text), r.inline(&i.detail))).collect(),
                })
                .collect(),
            tables: m
                .tables
                .iter()
                .map(|t| TableHtml {
                    intro: r.block(&t.intro),
                    source: r.inline(&t.source),
                    rows: t.rows.iter().map(|row| row.cells.iter().map(|c| r.inline(c)).collect()).collect(),
                })
                .collect(),
            numbers: Numbers::default(),
            links: Vec::new(),
        };
        let Renderer { errors, links, .. } = r;
        (Rendered { links: links.into_inner(), ..rendered }, errors.into_inner())
    }

    /// Checks the data file's anchors into page `page` again (after the page changed).
    pub(crate) fn recheck(&self, loaded: &Loaded, locate: Locate, page: PageId) -> Vec<Diagnostic> {
        self.links
            .iter()
            .filter(|l| l.page == page)
            .filter_map(|l| locate(&l.dest).err().map(|message| loaded.error_at(l.at, message).about_link()))
            .collect()
    }

    /// Checks the data file's links into generated pages against the ids they were rendered
    /// with (`ids`: page -> ids).
    pub(crate) fn check_rendered_anchors(
        &self,
        loaded: &Loaded,
        ids: &HashMap<PageId, HashSet<String>>,
    ) -> Vec<Diagnostic> {
        self.links
            .iter()
            .filter_map(|l| {
                let rendered = ids.get(&l.page)?;
                (!rendered.contains(&l.anchor))
                    .then(|| loaded.error_at(l.at, missing_rendered_id(&l.dest, &l.anchor, &l.url)).about_link())
            })
            .collect()
    }

    /// The model of a matrix whose markdown has no links to pages (for tests of the views).
    #[cfg(test)]
    pub(crate) fn default_for(m: &super::Matrix) -> Rendered {
        let loaded = Loaded::new(m.clone(), "matrix.toml", "");
        Rendered::build(&loaded, &MarkdownConfig::default(), &|_| Err("no pages here".into())).0
    }
}

/// Renders the fields one by one, collecting errors and anchored links.
struct Renderer<'a> {
    locate: Locate<'a>,
    config: MarkdownConfig,
    loaded: &'a Loaded,
    errors: RefCell<Vec<Diagnostic>>,
    links: RefCell<Vec<PageLink>>,
}

#[cfg(test)]
thread_local! {
    /// Markdown renders of data-file fields on this thread, so tests can see each field is
    /// rendered once however many pages show it.
    pub(crate) static RENDERS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Stands for the `n`th href of a field while it is rendered: `{HOLE}{n}-`. Only characters
/// that href escaping keeps as they are, and nothing that reads as a URL scheme.
const HOLE: &str = "stagebook-href-";

impl Renderer<'_> {
    /// Block markdown (paragraphs, lists).
    fn block(&self, md: &Md) -> Html {
        self.render(md, false)
    }

    /// One line of markdown, without the surrounding paragraph. A line that happens to start
    /// like a block (`>500 users`, `# of seats`, `- none`) stays text.
    fn inline(&self, md: &Md) -> Html {
        self.render(md, true)
    }

    fn render(&self, md: &Md, inline: bool) -> Html {
        if md.is_empty() {
            return Html::default();
        }
        #[cfg(test)]
        RENDERS.with(|n| n.set(n.get() + 1));
        let text = if inline { escape_block_start(&md.text) } else { Cow::Borrowed(md.text.as_str()) };
        // The text itself could hold the hole marker: make the marker longer until it does not.
        let mut hole = HOLE.to_string();
        loop {
            let targets = RefCell::new(Vec::new());
            let links = RefCell::new(Vec::new());
            let hole_for = |dest: &str, to: String, anchor: Option<String>, page: Option<PageId>| {
                if let (Some(page), Some(a)) = (page, anchor.as_ref().filter(|a| !a.is_empty())) {
                    let (dest, url, anchor) = (dest.to_string(), to.clone(), a.clone());
                    links.borrow_mut().push(PageLink { at: md.at, dest, page, url, anchor });
                }
                let fragment = anchor.map(|a| format!("#{a}")).unwrap_or_default();
                let mut targets = targets.borrow_mut();
                let href = format!("{hole}{}-", targets.len());
                targets.push(Href { to, fragment });
                Link::<()>::Rewrite { href, check: None }
            };
            let r = markdown::render(&text, &self.config, None, |dest| match (self.locate)(dest) {
                Ok(Located::Unchanged) => Link::Unchanged,
                Ok(Located::Page { page, url, anchor }) => hole_for(dest, url, anchor, Some(page)),
                Ok(Located::File { url, anchor }) => hole_for(dest, url, anchor, None),
                Ok(Located::Outside { url, anchor, message }) => match hole_for(dest, url, anchor, None) {
                    Link::Rewrite { href, .. } => Link::Outside { href, message },
                    other => other,
                },
                Err(message) => Link::Broken(message),
            });
            let html = if inline { strip_paragraph(r.html) } else { r.html };
            if let Some(html) = cut_holes(&html, &hole, targets.into_inner()) {
                self.errors.borrow_mut().extend(r.problems.iter().map(|p| {
                    let mut d = self.loaded.error_at(md.at, p.message.clone());
                    d.link = p.link;
                    if p.is_error {
                        d
                    } else {
                        d.warning()
                    }
                }));
                self.links.borrow_mut().extend(links.into_inner());
                return html;
            }
            hole = hole.repeat(2);
        }
    }
}

/// Splits rendered HTML at its holes; `None` when the marker also occurs elsewhere.
fn cut_holes(html: &str, hole: &str, targets: Vec<Href>) -> Option<Html> {
    let mut pieces = Vec::with_capacity(targets.len() + 1);
    let mut rest = html;
    for n in 0..targets.len() {
        let token = format!("{hole}{n}-");
        let at = rest.find(hole)?;
        if !rest[at..].starts_with(&token) {
            return None;
        }
        pieces.push(rest[..at].to_string());
        rest = &rest[at + token.len()..];
    }
    if rest.contains(hole) {
        return None;
    }
    pieces.push(rest.to_string());
    if targets.is_empty() {
        return Some(Html::fixed(pieces.pop().unwrap_or_default()));
    }
    Some(Html { pieces, hrefs: targets })
}

/// Inline HTML: the paragraph markdown put around one line, taken off again.
fn strip_paragraph(html: String) -> String {
    let trimmed = html.trim_end();
    match trimmed.strip_prefix("<p>").and_then(|h| h.strip_suffix("</p>")) {
        Some(inner) if !inner.contains("<p>") => inner.to_string(),
        _ => html,
    }
}

/// Backslash-escapes a leading character that markdown would read as the start of a block.
fn escape_block_start(text: &str) -> Cow<'_, str> {
    let trimmed = text.trim_start();
    let first = trimmed.chars().next().unwrap_or(' ');
    let rest = trimmed.get(1..).unwrap_or("");
    let hashes = trimmed.chars().take_while(|c| *c == '#').count();
    let digits = trimmed.chars().take_while(char::is_ascii_digit).count();
    let after_digits = &trimmed[digits..];
    let thematic_break = matches!(first, '-' | '*' | '_')
        && trimmed.chars().all(|c| c == first || c == ' ')
        && trimmed.matches(first).count() >= 3;
    let block = first == '>'
        || thematic_break
        || (matches!(first, '-' | '+' | '*') && (rest.is_empty() || rest.starts_with([' ', '\t'])))
        || ((1..=6).contains(&hashes) && trimmed[hashes..].chars().next().is_none_or(|c| c == ' ' || c == '\t'));
    if block {
        Cow::Owned(format!("\\{trimmed}"))
    } else if digits > 0 && digits < 10 && (after_digits.starts_with(". ") || after_digits.starts_with(") ")) {
        Cow::Owned(format!("{}\\{}", &trimmed[..digits], after_digits))
    } else {
        Cow::Borrowed(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::Id;
    use crate::matrix::Matrix;

    fn loaded(text: &str) -> Loaded {
        Loaded::new(Matrix::default(), "content/matrix.toml", text)
    }

    /// Pages and files the links below may point to.
    fn locate(dest: &str) -> Result<Located, String> {
        let (path, anchor) = match dest.split_once('#') {
            Some((p, a)) => (p, Some(a.to_string())),
            None => (dest, None),
        };
        match path {
            "" | "https://example.org/" => Ok(Located::Unchanged),
            "guide/_index.md" => {
                Ok(Located::Page { page: PageId::from_index(3), url: "guide/index.html".into(), anchor })
            }
            "stages/mvp/" => {
                Ok(Located::Page { page: PageId::from_index(7), url: "stages/mvp/index.html".into(), anchor })
            }
            "files/a%20b&c.pdf" => Ok(Located::File { url: "files/a b&c.pdf".into(), anchor }),
            _ => Err(format!("link to missing page `{dest}`")),
        }
    }

    fn render(text: &str, inline: bool) -> (Html, Vec<Diagnostic>, Vec<PageLink>) {
        let l = loaded(text);
        let r = Renderer {
            locate: &locate,
            config: MarkdownConfig { heading_anchors: false, ..MarkdownConfig::default() },
            loaded: &l,
            errors: RefCell::new(Vec::new()),
            links: RefCell::new(Vec::new()),
        };
        let html = r.render(&Md { text: text.into(), at: 0 }, inline);
        (html, r.errors.into_inner(), r.links.into_inner())
    }

    /// What rendering the field for one page gave before the model existed: markdown run again
    /// with that page's hrefs. The model must give the same bytes on every page.
    fn per_page(text: &str, inline: bool, page: &str) -> String {
        let text = if inline { escape_block_start(text) } else { Cow::Borrowed(text) };
        let config = MarkdownConfig { heading_anchors: false, ..MarkdownConfig::default() };
        let r = markdown::render(&text, &config, None, |dest| match locate(dest) {
            Ok(Located::Unchanged) => Link::<()>::Unchanged,
            Ok(
                Located::Page { url, anchor, .. }
                | Located::File { url, anchor }
                | Located::Outside { url, anchor, .. },
            ) => {
                let href = relative_href(page, &url);
                Link::Rewrite { href: anchor.map_or(href.clone(), |a| format!("{href}#{a}")), check: None }
            }
            Err(message) => Link::Broken(message),
        });
        if inline {
            strip_paragraph(r.html)
        } else {
            r.html
        }
    }

    #[test]
    fn fields_render_once_and_match_per_page_rendering_on_every_page() {
        let fields = [
            ("See [the guide](guide/_index.md#départ) and [MVP](stages/mvp/#costs).", true),
            ("A [file](files/a%20b&c.pdf) and ![a chart](files/a%20b&c.pdf \"t\")", false),
            ("- [x](https://example.org/) and [here](#top)\n- [guide](guide/_index.md)\n", false),
            (">500 users, see [MVP](stages/mvp/)", true),
            ("# of seats", true),
            ("Plain *text*", true),
            ("The marker stagebook-href-0- as text, then [MVP](stages/mvp/)", true),
            ("stagebook-href-stagebook-href-1- [a](guide/_index.md) [b](stages/mvp/)", false),
        ];
        for (text, inline) in fields {
            let (html, errors, _) = render(text, inline);
            assert!(errors.is_empty(), "{text}: {errors:?}");
            for page in ["index.html", "guide/index.html", "stages/mvp/index.html", "a/b/c/index.html"] {
                assert_eq!(html.on(page), per_page(text, inline, page), "{text} on {page}");
            }
        }
    }

    #[test]
    fn fields_without_links_are_borrowed_as_they_are() {
        let (html, _, _) = render("Plain *text*", true);
        assert!(matches!(html.on("a/index.html"), Cow::Borrowed("Plain <em>text</em>")));
        assert_eq!(Html::default().on("index.html"), "");
    }

    #[test]
    fn broken_links_are_errors_at_the_field_and_anchored_page_links_are_kept() {
        let text = "x = \"[a](nope.md) [b](stages/mvp/#build) [c](guide/_index.md)\"";
        let (_, errors, links) = render(text, true);
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].message, "link to missing page `nope.md`");
        let kept: Vec<(&str, usize, &str)> =
            links.iter().map(|l| (l.dest.as_str(), l.page.index(), l.anchor.as_str())).collect();
        assert_eq!(kept, [("stages/mvp/#build", 7, "build")], "only links with an anchor need checking later");
    }

    #[test]
    fn anchors_into_generated_pages_are_checked_against_rendered_ids() {
        let l = loaded("summary = \"[b](stages/mvp/#build) [c](stages/mvp/#nope)\"\n");
        let md = Md { text: "[b](stages/mvp/#build) [c](stages/mvp/#nope)".into(), at: 11 };
        let r = Renderer {
            locate: &locate,
            config: MarkdownConfig::default(),
            loaded: &l,
            errors: RefCell::new(Vec::new()),
            links: RefCell::new(Vec::new()),
        };
        r.block(&md);
        let rendered = Rendered { links: r.links.into_inner(), ..Rendered::default() };
        let ids = HashMap::from([(PageId::from_index(7), HashSet::from(["build".to_string(), "costs".to_string()]))]);
        let errors = rendered.check_rendered_anchors(&l, &ids);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(
            errors[0].render(false).lines().next().unwrap(),
            "content/matrix.toml:1:12: error: link `stages/mvp/#nope`: the generated page `stages/mvp/` has no element with id `nope`"
        );
        assert!(rendered.check_rendered_anchors(&l, &HashMap::new()).is_empty(), "pages not rendered are not judged");
    }

    #[test]
    fn inline_text_never_becomes_a_block() {
        assert_eq!(escape_block_start(">500 users"), "\\>500 users");
        assert_eq!(escape_block_start("# of seats"), "\\# of seats");
        assert_eq!(escape_block_start("3. step"), "3\\. step");
        assert_eq!(escape_block_start("*emphasis* stays"), "*emphasis* stays");
        assert_eq!(escape_block_start("- none"), "\\- none");
        assert_eq!(escape_block_start("---"), "\\---");
        assert_eq!(escape_block_start("#hashtag"), "#hashtag");
        assert_eq!(escape_block_start("Plain"), "Plain");
        assert_eq!(escape_block_start("2024 plan"), "2024 plan");
    }

    #[test]
    fn counts_and_states_are_computed_once_for_every_stage() {
        let m = crate::matrix::parse(
            "[[stage]]\nid=\"a\"\nname=\"A\"\n[[stage]]\nid=\"b\"\nname=\"B\"\n[[category]]\nid=\"c\"\nname=\"C\"\n[[aspect]]\nid=\"x\"\ncategory=\"c\"\nname=\"X\"\ncells={a=\"1\",b=\"1\"}\n[[aspect]]\nid=\"y\"\ncategory=\"c\"\nname=\"Y\"\ncells={b=\"2\"}\nempty=[\"a\"]\n[[checklist]]\nid=\"l\"\ntitle=\"L\"\nstages=[\"b\"]\n[[checklist.item]]\nid=\"i\"\ntext=\"Do it\"\n",
        )
        .unwrap();
        let r = Rendered::default_for(&m);
        assert_eq!(r.aspects.iter().map(|a| a.states.as_str()).collect::<Vec<_>>(), ["ns", "en"]);
        let b = &r.stages[1];
        assert_eq!((b.build_now, b.carried, b.not_yet, b.boxes), (1, 1, 0, 3));
        assert_eq!(b.ticks, "aspect:*:b checklist:l:*");
        assert_eq!((r.stages[0].not_yet, r.stages[0].boxes), (1, 1), "no box where nothing is asked");
        assert_eq!(r.stages[0].ticks, "aspect:*:a !aspect:y:a");
        assert_eq!(r.checklists[0].items[0].0.on("index.html"), "Do it");
    }

    /// Cells with the no-requirement text and reference lists count nowhere.
    #[test]
    fn no_requirement_cells_and_reference_lists_are_not_counted() {
        let m = crate::matrix::parse(
            "[matrix]\nnone_text=\"None\"\n[[stage]]\nid=\"a\"\nname=\"A\"\n[[stage]]\nid=\"b\"\nname=\"B\"\n[[category]]\nid=\"c\"\nname=\"C\"\n[[aspect]]\nid=\"x\"\ncategory=\"c\"\nname=\"X\"\ncells={a=\"None\",b=\"1\"}\n[[aspect]]\nid=\"y\"\ncategory=\"c\"\nname=\"Y\"\ncells={a=\"2\",b=\"None\"}\n[[checklist]]\nid=\"l\"\ntitle=\"L\"\nstages=[\"a\",\"b\"]\nkind=\"reference\"\n[[checklist.item]]\nid=\"i\"\ntext=\"Kubernetes\"\n",
        )
        .unwrap();
        let r = Rendered::default_for(&m);
        assert_eq!(r.aspects.iter().map(|a| a.states.as_str()).collect::<Vec<_>>(), ["en", "ne"]);
        let (a, b) = (&r.stages[0], &r.stages[1]);
        assert_eq!((a.build_now, a.carried, a.not_yet, a.boxes), (1, 0, 1, 1));
        assert_eq!((b.build_now, b.carried, b.not_yet, b.boxes), (1, 0, 1, 1));
        assert_eq!(a.ticks, "aspect:*:a !aspect:x:a", "the reference list's items are not ticks");
        assert!(a.lists.is_empty());
    }
}
