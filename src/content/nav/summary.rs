//! The navigation built from mdBook's `SUMMARY.md`: the author lists the chapters, in order,
//! with their titles and nesting, wherever their files are.
//!
//! The format, as mdBook reads it: an optional `# Title` first (not shown); prefix chapters
//! (links in paragraphs); then numbered chapters (list items, nested to any depth), split into
//! parts by `# Part title` headings; then suffix chapters (links in paragraphs again).
//! `---` is a separator anywhere; `[Title]()` is a draft chapter (listed, not linked). Read from
//! pulldown-cmark's events so that everything markdown allows (loose lists, `*` or `1.`
//! markers, reference links, code in titles) means what it looks like.

use std::collections::HashMap;

use pulldown_cmark::{Event, HeadingLevel, Tag, TagEnd};

use super::{folders, EntryId, EntryKind, Nav, NavBuilder, Place, Placement};
use crate::content::ids::{IdVec, PageId};
use crate::content::{paths, Page, PageKind};
use crate::diagnostics::Problem;

/// The file's name, at the top of the content folder.
pub(crate) const FILE: &str = "SUMMARY.md";

/// Nesting beyond this is refused rather than followed (the parser recurses per level).
const MAX_DEPTH: usize = 64;

/// One line of the summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Item {
    Chapter(Chapter),
    PartTitle(String),
    Separator,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Chapter {
    pub(crate) title: String,
    /// Content-relative markdown file; `None` for a draft (`[Title]()`).
    pub(crate) source: Option<String>,
    /// Byte offset of the entry in SUMMARY.md, for errors about its file.
    pub(crate) offset: usize,
    pub(crate) children: Vec<Chapter>,
}

/// A parsed SUMMARY.md.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Summary {
    pub(crate) prefix: Vec<Item>,
    pub(crate) numbered: Vec<Item>,
    pub(crate) suffix: Vec<Item>,
    /// What mdBook would build but is doubtful (a file listed twice), at its byte offset.
    pub(crate) warnings: Vec<Problem>,
}

impl Summary {
    /// Every chapter in reading order (prefix, numbered depth first, suffix).
    pub(crate) fn chapters(&self) -> Vec<&Chapter> {
        fn walk<'a>(c: &'a Chapter, out: &mut Vec<&'a Chapter>) {
            out.push(c);
            for child in &c.children {
                walk(child, out);
            }
        }
        let mut out = Vec::new();
        for item in self.prefix.iter().chain(&self.numbered).chain(&self.suffix) {
            if let Item::Chapter(c) = item {
                walk(c, &mut out);
            }
        }
        out
    }

    /// The files the summary lists, with where each is listed.
    pub(crate) fn sources(&self) -> Vec<(&str, usize)> {
        self.chapters().into_iter().filter_map(|c| Some((c.source.as_deref()?, c.offset))).collect()
    }

    /// The first chapter that has a file: mdBook's front page.
    pub(crate) fn first_page(&self) -> Option<&str> {
        self.chapters().into_iter().find_map(|c| c.source.as_deref())
    }

    /// The title the summary gives the page made from `source`.
    pub(crate) fn title_of(&self, source: &str) -> Option<&str> {
        self.chapters().into_iter().find(|c| c.source.as_deref() == Some(source)).map(|c| c.title.as_str())
    }

    /// The navigation over `pages`. A listed page that is not among them (a front matter
    /// draft left out of the build) is shown as a draft entry. Pages the build generates are
    /// not in the summary: they follow the numbered chapters, grouped by their folders.
    pub(crate) fn nav(&self, pages: &IdVec<PageId, Page>) -> Nav {
        let by_source: HashMap<&str, PageId> =
            pages.iter_ids().filter_map(|(id, p)| Some((p.source.as_deref()?, id))).collect();
        let mut nav = NavBuilder::new(pages.len());
        if let Some(&home) = self.first_page().and_then(|s| by_source.get(s)) {
            nav.home(home);
        }
        for (items, placement) in
            [(&self.prefix, Placement::Prefix), (&self.numbered, Placement::Main), (&self.suffix, Placement::Suffix)]
        {
            for item in items {
                let place = Place::Top(placement);
                match item {
                    Item::Chapter(c) => add_chapter(&mut nav, &by_source, c, place),
                    Item::PartTitle(t) => {
                        nav.add(place, EntryKind::PartTitle, t.clone());
                    }
                    Item::Separator => {
                        nav.add(place, EntryKind::Separator, "");
                    }
                }
            }
            if placement == Placement::Main {
                add_generated(&mut nav, pages);
            }
        }
        nav.finish()
    }
}

fn add_chapter(nav: &mut NavBuilder, by_source: &HashMap<&str, PageId>, c: &Chapter, place: Place) {
    let kind = match c.source.as_deref().and_then(|s| by_source.get(s)) {
        Some(&p) => EntryKind::Page(p),
        None => EntryKind::Draft,
    };
    let entry: EntryId = nav.add(place, kind, c.title.clone());
    for child in &c.children {
        add_chapter(nav, by_source, child, Place::Under(entry));
    }
}

/// Generated pages (the matrix's): each generated folder page with the generated pages of its
/// folder below it, in the folder builder's order.
fn add_generated(nav: &mut NavBuilder, pages: &IdVec<PageId, Page>) {
    let generated: Vec<(PageId, &Page)> = pages.iter_ids().filter(|(_, p)| p.generated.is_some()).collect();
    let mut sections: HashMap<&str, EntryId> = HashMap::new();
    for &(id, p) in generated.iter().filter(|(_, p)| p.kind != PageKind::Page) {
        let entry = nav.add(Place::Top(Placement::Main), EntryKind::Page(id), p.title.clone());
        nav.section(entry);
        sections.insert(p.dir.as_str(), entry);
    }
    let mut leaves: Vec<(PageId, &Page)> = generated.into_iter().filter(|(_, p)| p.kind == PageKind::Page).collect();
    leaves.sort_by(|a, b| folders::sort_key(a.1).cmp(&folders::sort_key(b.1)));
    for (id, p) in leaves {
        let place = sections.get(p.dir.as_str()).map_or(Place::Top(Placement::Main), |&e| Place::Under(e));
        nav.add(place, EntryKind::Page(id), p.title.clone());
    }
}

/// Where the parser is in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Section {
    Prefix,
    Numbered,
    Suffix,
}

/// Reads SUMMARY.md. Every problem is reported (at its byte offset), not only the first.
pub(crate) fn parse(text: &str) -> Result<Summary, Vec<Problem>> {
    let events: Vec<(Event<'_>, std::ops::Range<usize>)> =
        pulldown_cmark::Parser::new(text).into_offset_iter().collect();
    let mut p = Parser { events, at: 0, problems: Vec::new() };
    let summary = p.summary();
    let mut summary = summary;
    summary.warnings = duplicates(text, &mut summary);
    let mut problems = p.problems;
    if problems.is_empty() {
        Ok(summary)
    } else {
        problems.sort_by_key(|p| p.offset);
        Err(problems)
    }
}

struct Parser<'a> {
    events: Vec<(Event<'a>, std::ops::Range<usize>)>,
    at: usize,
    problems: Vec<Problem>,
}

impl<'a> Parser<'a> {
    fn next(&mut self) -> Option<(Event<'a>, usize)> {
        let (e, r) = self.events.get(self.at)?;
        self.at += 1;
        Some((e.clone(), r.start))
    }

    fn error(&mut self, offset: usize, message: impl Into<String>) {
        self.problems.push(Problem::error(offset, message));
    }

    /// Steps over the rest of a block or inline element whose start was just read.
    fn skip(&mut self) {
        let mut depth = 1;
        while let Some((e, _)) = self.next() {
            match e {
                Event::Start(_) => depth += 1,
                Event::End(_) => depth -= 1,
                _ => {}
            }
            if depth == 0 {
                return;
            }
        }
    }

    /// The plain text of an element whose start was just read, up to its end.
    fn text(&mut self) -> String {
        let mut text = String::new();
        let mut depth = 1;
        while let Some((e, _)) = self.next() {
            match e {
                Event::Start(_) => depth += 1,
                Event::End(_) => depth -= 1,
                Event::Text(t) | Event::Code(t) => text.push_str(&t),
                Event::SoftBreak | Event::HardBreak => text.push(' '),
                _ => {}
            }
            if depth == 0 {
                break;
            }
        }
        text.trim().to_string()
    }

    fn summary(&mut self) -> Summary {
        let mut summary = Summary::default();
        let mut section = Section::Prefix;
        // The first block may be the summary's own title, which is not shown.
        let mut first_block = true;
        // A part title that has no list yet: where it is.
        let mut open_part: Option<usize> = None;
        while let Some((event, at)) = self.next() {
            let was_first = std::mem::replace(&mut first_block, false);
            match event {
                Event::Start(Tag::Heading { level: HeadingLevel::H1, .. }) => {
                    let title = self.text();
                    if was_first {
                        continue;
                    }
                    if section == Section::Suffix {
                        self.error(at, "a part title cannot follow the suffix chapters: parts and numbered chapters (list items) come before them");
                        continue;
                    }
                    section = Section::Numbered;
                    summary.numbered.push(Item::PartTitle(title));
                    open_part = Some(at);
                }
                Event::Start(Tag::HtmlBlock) => {
                    // Comments and the like: ignored, and they do not end the title's chance.
                    self.skip();
                    first_block = was_first;
                }
                Event::Html(_) => first_block = was_first,
                Event::Start(Tag::List(_)) => {
                    if section == Section::Suffix {
                        self.error(at, "numbered chapters (a list) cannot follow the suffix chapters: move the list above them, or make these links list items");
                        self.skip();
                        continue;
                    }
                    section = Section::Numbered;
                    open_part = None;
                    let chapters = self.list(1);
                    summary.numbered.extend(chapters.into_iter().map(Item::Chapter));
                }
                Event::Start(Tag::Paragraph) => {
                    if let Some(part) = open_part.take() {
                        let _ = part;
                        self.error(at, "the chapters of a part are list items: write `- [Title](file.md)`");
                        self.skip();
                        continue;
                    }
                    if section == Section::Numbered {
                        section = Section::Suffix;
                    }
                    let chapters = self.paragraph_links();
                    let list = if section == Section::Prefix { &mut summary.prefix } else { &mut summary.suffix };
                    list.extend(chapters.into_iter().map(Item::Chapter));
                }
                Event::Rule => {
                    let list = match section {
                        Section::Prefix => &mut summary.prefix,
                        Section::Numbered => &mut summary.numbered,
                        Section::Suffix => &mut summary.suffix,
                    };
                    list.push(Item::Separator);
                }
                Event::Start(_) => self.skip(),
                _ => {}
            }
        }
        summary
    }

    /// The links of a paragraph whose start was just read: prefix or suffix chapters. Other
    /// text is ignored, as mdBook does.
    fn paragraph_links(&mut self) -> Vec<Chapter> {
        let mut chapters = Vec::new();
        while let Some((e, at)) = self.next() {
            match e {
                Event::End(TagEnd::Paragraph) => break,
                Event::Start(Tag::Link { dest_url, .. }) => {
                    let title = self.text();
                    if let Some(c) = self.chapter(title, &dest_url, at) {
                        chapters.push(c);
                    }
                }
                Event::Start(_) => self.skip(),
                _ => {}
            }
        }
        chapters
    }

    /// The items of a list whose start was just read.
    fn list(&mut self, depth: usize) -> Vec<Chapter> {
        let mut chapters = Vec::new();
        while let Some((e, at)) = self.next() {
            match e {
                Event::End(TagEnd::List(_)) => break,
                Event::Start(Tag::Item) => {
                    if let Some(c) = self.item(at, depth) {
                        chapters.push(c);
                    }
                }
                Event::Start(_) => self.skip(),
                _ => {}
            }
        }
        chapters
    }

    /// One list item whose start (at `start`) was just read: a link, then maybe nested lists.
    fn item(&mut self, start: usize, depth: usize) -> Option<Chapter> {
        let mut chapter: Option<Chapter> = None;
        let mut bad = false;
        let complain = |p: &mut Self, bad: &mut bool| {
            if !*bad {
                p.error(
                    start,
                    "a list item in SUMMARY.md holds one link to a chapter: `- [Title](file.md)`, or `- [Title]()` for a draft",
                );
                *bad = true;
            }
        };
        while let Some((e, at)) = self.next() {
            match e {
                Event::End(TagEnd::Item) => break,
                Event::Start(Tag::Paragraph) | Event::End(TagEnd::Paragraph) => {}
                Event::Start(Tag::List(_)) => {
                    if depth >= MAX_DEPTH {
                        self.error(at, format!("chapters nested more than {MAX_DEPTH} levels deep"));
                        self.skip();
                        continue;
                    }
                    let children = self.list(depth + 1);
                    match &mut chapter {
                        Some(c) => c.children.extend(children),
                        None => complain(self, &mut bad),
                    }
                }
                Event::Start(Tag::Link { dest_url, .. }) if chapter.is_none() && !bad => {
                    let title = self.text();
                    match self.chapter(title, &dest_url, at) {
                        Some(c) => chapter = Some(c),
                        None => bad = true,
                    }
                }
                // Anything after the link (a note, a trailing word) is ignored, as mdBook does.
                Event::Start(_) if chapter.is_some() || bad => self.skip(),
                Event::Start(_) => {
                    complain(self, &mut bad);
                    self.skip();
                }
                Event::Text(t) if chapter.is_none() && !t.trim().is_empty() => complain(self, &mut bad),
                Event::Code(_) | Event::Html(_) | Event::InlineHtml(_) | Event::Rule if chapter.is_none() => {
                    complain(self, &mut bad)
                }
                _ => {}
            }
        }
        if chapter.is_none() {
            complain(self, &mut bad);
        }
        chapter
    }

    /// An entry linking `dest`, written at `at`; `None` (with an error) when it cannot be one.
    fn chapter(&mut self, title: String, dest: &str, at: usize) -> Option<Chapter> {
        let source = match source_of(dest) {
            Ok(s) => s,
            Err(message) => {
                self.error(at, message);
                return None;
            }
        };
        if title.is_empty() {
            self.error(at, "a chapter needs a title: `[Title](file.md)`");
            return None;
        }
        Some(Chapter { title, source, offset: at, children: Vec::new() })
    }
}

/// The content-relative file a chapter link names (`None` for a draft), or why it names none.
fn source_of(dest: &str) -> Result<Option<String>, String> {
    let dest = dest.trim();
    if dest.is_empty() {
        return Ok(None);
    }
    let has_scheme = dest.split_once(':').is_some_and(|(s, _)| {
        !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    });
    if has_scheme || dest.starts_with("//") {
        return Err(format!("`{dest}`: a chapter is a markdown file of the book, not an address"));
    }
    if dest.contains(['#', '?']) {
        return Err(format!("`{dest}`: a chapter is a whole file; remove the `#` or `?` part"));
    }
    let decoded = percent_encoding::percent_decode_str(dest).decode_utf8_lossy();
    let Some(path) = paths::join("", &decoded).filter(|p| !p.is_empty()) else {
        return Err(format!("`{dest}` points outside the content folder"));
    };
    if !path.ends_with(".md") {
        return Err(format!("`{dest}`: a chapter is a markdown (`.md`) file"));
    }
    if path == FILE {
        return Err(format!("`{dest}`: SUMMARY.md cannot list itself"));
    }
    Ok(Some(path))
}

/// A page has one place in the navigation. mdBook builds a file listed twice (GitBook-style
/// handbooks do it), so a later entry is a warning and stays in the navigation as a draft:
/// listed, not linked, with its children kept.
fn duplicates(text: &str, summary: &mut Summary) -> Vec<Problem> {
    fn walk(c: &mut Chapter, first: &mut HashMap<String, usize>, text: &str, problems: &mut Vec<Problem>) {
        if let Some(source) = &c.source {
            match first.get(source) {
                Some(&earlier) => {
                    let line = text[..earlier].matches('\n').count() + 1;
                    problems.push(Problem::warning(
                        c.offset,
                        format!(
                            "`{source}` is listed twice (first on line {line}); a page has one place in the \
                             navigation, so this entry is shown without a link"
                        ),
                    ));
                    c.source = None;
                }
                None => {
                    first.insert(source.clone(), c.offset);
                }
            }
        }
        for child in &mut c.children {
            walk(child, first, text, problems);
        }
    }
    let mut first = HashMap::new();
    let mut problems = Vec::new();
    for item in summary.prefix.iter_mut().chain(&mut summary.numbered).chain(&mut summary.suffix) {
        if let Item::Chapter(c) = item {
            walk(c, &mut first, text, &mut problems);
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::ids::Id;
    use crate::diagnostics::SourceFile;

    fn ch(title: &str, source: Option<&str>, children: Vec<Chapter>) -> Chapter {
        Chapter { title: title.into(), source: source.map(Into::into), offset: 0, children }
    }

    /// The summary with offsets cleared, so tests compare structure.
    fn parsed(text: &str) -> Summary {
        fn clear(c: &mut Chapter) {
            c.offset = 0;
            c.children.iter_mut().for_each(clear);
        }
        let mut s = parse(text).unwrap_or_else(|e| panic!("{e:?}"));
        for item in s.prefix.iter_mut().chain(&mut s.numbered).chain(&mut s.suffix) {
            if let Item::Chapter(c) = item {
                clear(c);
            }
        }
        s
    }

    /// `line:col: message` of each problem.
    fn errors(text: &str) -> Vec<String> {
        let file = SourceFile::new("SUMMARY.md", text);
        parse(text)
            .expect_err("should fail")
            .into_iter()
            .map(|p| {
                let d = file.diagnostic(p);
                let (l, c) = d.position.unwrap();
                format!("{l}:{c}: {}", d.message)
            })
            .collect()
    }

    #[test]
    fn title_prefix_parts_nesting_separator_and_suffix() {
        let text = "# Summary\n\n[Intro](README.md)\n[Preface](./preface.md)\n\n# Part one\n\n- [Install](guide/install.md)\n    - [On Linux](guide/linux.md)\n        - [Debian](guide/debian.md)\n    - [Later]()\n- [Use](use.md)\n\n---\n\n# Part two\n\n* [Ref](ref/README.md)\n\n[Thanks](thanks.md)\n";
        let s = parsed(text);
        assert_eq!(
            s.prefix,
            vec![
                Item::Chapter(ch("Intro", Some("README.md"), vec![])),
                Item::Chapter(ch("Preface", Some("preface.md"), vec![])),
            ]
        );
        let debian = ch("Debian", Some("guide/debian.md"), vec![]);
        let linux = ch("On Linux", Some("guide/linux.md"), vec![debian]);
        let install = ch("Install", Some("guide/install.md"), vec![linux, ch("Later", None, vec![])]);
        assert_eq!(
            s.numbered,
            vec![
                Item::PartTitle("Part one".into()),
                Item::Chapter(install),
                Item::Chapter(ch("Use", Some("use.md"), vec![])),
                Item::Separator,
                Item::PartTitle("Part two".into()),
                Item::Chapter(ch("Ref", Some("ref/README.md"), vec![])),
            ]
        );
        assert_eq!(s.suffix, vec![Item::Chapter(ch("Thanks", Some("thanks.md"), vec![]))]);
        assert_eq!(s.first_page(), Some("README.md"));
        assert_eq!(s.title_of("guide/debian.md"), Some("Debian"));
        let order: Vec<&str> = s.chapters().iter().map(|c| c.title.as_str()).collect();
        assert_eq!(order, ["Intro", "Preface", "Install", "On Linux", "Debian", "Later", "Use", "Ref", "Thanks"]);
    }

    #[test]
    fn without_a_title_the_first_h1_is_the_summary_title_as_in_mdbook() {
        // mdBook reads a leading `# ...` as the summary's title, whatever it says.
        let s = parsed("# Part one\n- [A](a.md)\n# Part two\n- [B](b.md)\n");
        assert_eq!(s.numbered[0], Item::Chapter(ch("A", Some("a.md"), vec![])));
        assert_eq!(s.numbered[1], Item::PartTitle("Part two".into()));
        // An HTML comment before the title does not take its place.
        let s = parsed("<!-- generated -->\n# Summary\n- [A](a.md)\n");
        assert_eq!(s.numbered.len(), 1);
    }

    #[test]
    fn drafts_loose_lists_other_markers_and_styled_titles() {
        let s = parsed("- [Soon]()\n\n  - [Sub *one*](sub%20one.md)\n\n1. [`cargo` tips][t]\n\n[t]: tips.md\n");
        assert_eq!(
            s.numbered,
            vec![
                Item::Chapter(ch("Soon", None, vec![ch("Sub one", Some("sub one.md"), vec![])])),
                Item::Chapter(ch("cargo tips", Some("tips.md"), vec![])),
            ]
        );
        assert_eq!(s.first_page(), Some("sub one.md"));
    }

    #[test]
    fn text_after_the_link_and_ordinary_paragraph_text_are_ignored() {
        let s = parsed("Read this first: [Intro](intro.md) (short).\n\n- [A](a.md) — the basics\n");
        assert_eq!(s.prefix, vec![Item::Chapter(ch("Intro", Some("intro.md"), vec![]))]);
        assert_eq!(s.numbered, vec![Item::Chapter(ch("A", Some("a.md"), vec![]))]);
    }

    #[test]
    fn separators_in_every_section() {
        let s = parsed("[A](a.md)\n\n---\n\n- [B](b.md)\n\n***\n\n[C](c.md)\n\n---\n\n[D](d.md)\n");
        assert_eq!(s.prefix[1], Item::Separator);
        assert_eq!(s.numbered[1], Item::Separator);
        assert_eq!(s.suffix[1], Item::Separator);
        assert_eq!(s.suffix.len(), 3);
    }

    #[test]
    fn list_items_that_are_not_links_are_errors_at_their_place() {
        assert_eq!(
            errors("# Summary\n\n- [A](a.md)\n- Just words\n    - [B](b.md)\n"),
            ["4:1: a list item in SUMMARY.md holds one link to a chapter: `- [Title](file.md)`, or `- [Title]()` for a draft"]
        );
        assert_eq!(errors("- **[A](a.md)**\n").len(), 1);
    }

    #[test]
    fn a_list_after_the_suffix_chapters_is_an_error() {
        let e = errors("- [A](a.md)\n\n[S](s.md)\n\n- [B](b.md)\n");
        assert_eq!(e.len(), 1);
        assert!(e[0].starts_with("5:1: numbered chapters (a list) cannot follow the suffix chapters"), "{e:?}");
        let e = errors("- [A](a.md)\n\n[S](s.md)\n\n# Part\n");
        assert!(e[0].starts_with("5:1: a part title cannot follow the suffix chapters"), "{e:?}");
    }

    #[test]
    fn a_part_whose_chapters_are_not_list_items_is_an_error() {
        let e = errors("- [A](a.md)\n\n# Part\n\n[B](b.md)\n");
        assert!(e[0].starts_with("5:1: the chapters of a part are list items"), "{e:?}");
    }

    #[test]
    fn bad_destinations_are_errors_at_the_link() {
        let e = errors("[Web](https://example.com)\n- [Up](../x.md)\n- [Pic](a.png)\n- [Part](a.md#x)\n- [](a.md)\n- [Me](SUMMARY.md)\n");
        let places: Vec<&str> = e.iter().map(|m| &m[..4]).collect();
        assert_eq!(places, ["1:1:", "2:3:", "3:3:", "4:3:", "5:3:", "6:3:"], "{e:?}");
        assert!(e[0].contains("not an address"));
        assert!(e[1].contains("outside the content folder"));
        assert!(e[2].contains("markdown (`.md`) file"));
        assert!(e[3].contains("whole file"));
        assert!(e[4].contains("needs a title"));
        assert!(e[5].contains("cannot list itself"));
    }

    #[test]
    fn a_file_listed_twice_is_a_warning_and_the_later_entry_a_draft() {
        let text = "[A](a.md)\n\n- [B](b.md)\n    - [A again](./a.md)\n        - [C](c.md)\n";
        let s = parsed(text);
        assert_eq!(s.warnings.len(), 1);
        let (line, col, _) = crate::diagnostics::locate(text, s.warnings[0].offset);
        assert_eq!((line, col), (4, 7));
        assert!(s.warnings[0].message.contains("`a.md` is listed twice (first on line 1)"));
        let chapters: Vec<(&str, Option<&str>)> =
            s.chapters().into_iter().map(|c| (c.title.as_str(), c.source.as_deref())).collect();
        assert_eq!(chapters, [("A", Some("a.md")), ("B", Some("b.md")), ("A again", None), ("C", Some("c.md"))]);
    }

    #[test]
    fn every_error_is_reported_in_one_run() {
        assert_eq!(errors("- nothing\n- [X](x.txt)\n- [Z]()\n- [Y](y.md#a)\n").len(), 3);
    }

    #[test]
    fn deep_nesting_is_bounded() {
        let mut text = String::new();
        for depth in 0..(MAX_DEPTH + 5) {
            text.push_str(&format!("{}- [C{depth}](c{depth}.md)\n", "  ".repeat(depth)));
        }
        let e = errors(&text);
        assert!(e.iter().any(|m| m.contains("nested more than")), "{e:?}");
    }

    #[test]
    fn an_empty_summary_has_no_chapters() {
        assert_eq!(parsed(""), Summary::default());
        assert_eq!(parsed("# Summary\n"), Summary::default());
        assert_eq!(parsed("").first_page(), None);
    }

    fn page(source: &str, title: &str) -> Page {
        let url = paths::page_url(source);
        Page { source: Some(source.into()), title: title.into(), ..Page::empty(&url, "", PageKind::Page) }
    }

    #[test]
    fn the_nav_follows_the_summary_with_the_first_chapter_as_home() {
        let s = parsed("[Intro](intro.md)\n\n# Part\n\n- [Install](install.md)\n    - [Planned]()\n    - [Linux](deep/linux.md)\n\n---\n\n[Thanks](thanks.md)\n");
        // Page ids in an order unrelated to the summary.
        let pages = IdVec::from(vec![
            page("thanks.md", "Thanks!"),
            page("deep/linux.md", "Linux"),
            page("install.md", "Installing"),
            page("intro.md", "Introduction"),
        ]);
        let nav = s.nav(&pages);
        let p = PageId::from_index;
        assert_eq!(nav.home(), Some(p(3)));
        assert_eq!(nav.reading_order(), &[p(3), p(2), p(1), p(0)]);
        let kinds: Vec<EntryKind> = nav.top().iter().map(|&e| nav.entry(e).kind).collect();
        assert_eq!(
            kinds,
            [
                EntryKind::Page(p(3)),
                EntryKind::PartTitle,
                EntryKind::Page(p(2)),
                EntryKind::Separator,
                EntryKind::Page(p(0))
            ]
        );
        assert_eq!(nav.entry(nav.top()[0]).placement, Placement::Prefix);
        assert_eq!(nav.entry(nav.top()[4]).placement, Placement::Suffix);
        // Entries carry the summary's titles; nesting follows the summary, not the folders.
        assert_eq!(nav.entry(nav.top()[2]).title, "Install");
        let under: Vec<(EntryKind, &str)> =
            nav.children_of(p(2)).iter().map(|&e| (nav.entry(e).kind, nav.entry(e).title.as_str())).collect();
        assert_eq!(under, [(EntryKind::Draft, "Planned"), (EntryKind::Page(p(1)), "Linux")]);
        assert_eq!(nav.breadcrumbs(p(1)), [p(3), p(2)]);
    }

    #[test]
    fn a_listed_page_left_out_of_the_build_is_a_draft_entry() {
        let s = parsed("- [A](a.md)\n- [Gone](gone.md)\n");
        let nav = s.nav(&IdVec::from(vec![page("a.md", "A")]));
        assert_eq!(nav.entry(nav.top()[1]).kind, EntryKind::Draft);
        assert_eq!(nav.reading_order(), &[PageId::from_index(0)]);
    }

    #[test]
    fn generated_pages_follow_the_numbered_chapters_in_their_folders() {
        let s = parsed("- [A](a.md)\n\n[End](end.md)\n");
        let generated = |url: &str, dir: &str, kind, title: &str| Page {
            title: title.into(),
            generated: Some(crate::content::Payload::new(())),
            ..Page::empty(url, dir, kind)
        };
        let pages = IdVec::from(vec![
            page("a.md", "A"),
            generated("stages/b/index.html", "stages", PageKind::Page, "B"),
            generated("stages/index.html", "stages", PageKind::Section, "Stages"),
            generated("stages/a/index.html", "stages", PageKind::Page, "A stage"),
            page("end.md", "End"),
        ]);
        let nav = s.nav(&pages);
        let p = PageId::from_index;
        assert_eq!(nav.reading_order(), &[p(0), p(2), p(3), p(1), p(4)]);
    }
}
