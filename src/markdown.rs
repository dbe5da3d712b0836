//! Markdown to HTML with pulldown-cmark, plus what a handbook needs on top: unique heading ids
//! with anchor links, rewritten relative links (checked later, once every page is known),
//! highlighted code blocks and scrollable tables.
//!
//! Each page is parsed exactly once; everything the rest of the build needs from the text
//! (headings for the table of contents and anchor checks, links, the title heading) is collected
//! in the same pass.

mod raw_html;

use std::ops::Range;

use pulldown_cmark::{CodeBlockKind, CowStr, Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd};

use crate::config::{MarkdownConfig, RawHtml};
use crate::html::{escape_html, push_escaped};
use crate::slug::{heading_id, IdAllocator};
use crate::url::{unsafe_scheme, Target};
use crate::words::{Collector, SectionText};

/// Ids the theme gives its own elements (`<main id="content">`); a heading "Content" becomes
/// `content-1` instead of clashing with them.
pub(crate) const RESERVED_IDS: &[&str] = &["content"];

/// A heading of the rendered page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Heading {
    pub level: u8,
    pub id: String,
    /// Plain text (markup stripped).
    pub title: String,
}

/// What the link resolver decided for one link destination.
pub(crate) enum Link<T> {
    /// Leave the destination as written (other sites, `mailto:`, ...).
    Unchanged,
    /// Replace the destination with `href`; `check` names a page (and anchor) to verify later.
    Rewrite { href: String, check: Option<(T, Option<String>)> },
    /// The destination cannot work; the message says why.
    Broken(String),
    /// Replace the destination with `href` (which still goes where the author meant) but warn:
    /// stagebook cannot check it (a link that leaves the content folder).
    Outside { href: String, message: String },
}

/// A link whose target page or anchor must be verified once all pages are parsed.
#[derive(Debug, Clone)]
pub(crate) struct PendingLink<T> {
    /// Byte offset of the link in the markdown source.
    pub offset: usize,
    /// The destination as written, for messages.
    pub dest: String,
    pub target: T,
    pub anchor: Option<String>,
}

/// A shortcode standing alone in a paragraph, `{{ name(key="value", ...) }}`: the page
/// embeds a view the build renders (a matrix table, a checklist...). The paragraph is replaced
/// by [`embed_marker`] so the view can be put in once it is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Embed {
    /// Byte offset of the shortcode in the source.
    pub offset: usize,
    pub name: String,
    pub args: Vec<(String, String)>,
}

/// The HTML comment that stands for the `n`th embed of a page until it is rendered.
pub(crate) fn embed_marker(n: usize) -> String {
    format!("<!--stagebook-embed:{n}-->")
}

/// Parses `{{ name(a="x", b='y') }}`; `None` when `text` is not a shortcode.
pub(crate) fn parse_shortcode(text: &str) -> Option<(String, Vec<(String, String)>)> {
    let inner = text.trim().strip_prefix("{{")?.strip_suffix("}}")?.trim();
    let (name, rest) = inner.split_once('(')?;
    let name = name.trim();
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return None;
    }
    let mut rest = rest.trim().strip_suffix(')')?.trim();
    let mut args = Vec::new();
    while !rest.is_empty() {
        let (key, after) = rest.split_once('=')?;
        let after = after.trim_start();
        let quote = after.chars().next().filter(|c| *c == '"' || *c == '\'')?;
        let end = after[1..].find(quote)? + 1;
        args.push((key.trim().to_string(), after[1..end].to_string()));
        rest = after[end + 1..].trim_start();
        rest = rest.strip_prefix(',').unwrap_or(rest).trim_start();
    }
    Some((name.to_string(), args))
}

/// A problem found while rendering, at a byte offset of the source.
pub(crate) use crate::diagnostics::Problem;

/// Everything one pass over a page's markdown produces.
pub(crate) struct Rendered<T> {
    pub html: String,
    pub headings: Vec<Heading>,
    /// The level and text of the heading the page starts with (after any comments and
    /// `<a id>` anchors), if it starts with one: the page's own title.
    pub title_heading: Option<(u8, String)>,
    pub links: Vec<PendingLink<T>>,
    pub problems: Vec<Problem>,
    /// Ids links may target besides headings: `id`s in raw HTML and footnote labels.
    pub anchors: Vec<String>,
    pub embeds: Vec<Embed>,
    /// What the search index keeps of the page's text by section (only when a collector is
    /// given): the part before the first h2/h3, then one per h2/h3 heading.
    pub sections: Vec<SectionText>,
}

fn parser_options(config: &MarkdownConfig) -> Options {
    let mut o = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_GFM;
    if config.smart_punctuation {
        o |= Options::ENABLE_SMART_PUNCTUATION;
    }
    o
}

/// Is this destination on another site or another scheme (left untouched)?
pub(crate) fn is_external(dest: &str) -> bool {
    if dest.starts_with("//") {
        return true;
    }
    match dest.find(':') {
        Some(i) => {
            let scheme = &dest[..i];
            !scheme.is_empty()
                && scheme.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
                && scheme.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
                && !dest[..i].contains('/')
        }
        None => false,
    }
}

/// Renders `source` (the page body); `resolve` decides what each relative link becomes.
/// `text`, when given, receives the plain text for the search index, section by section.
pub(crate) fn render<T>(
    source: &str,
    config: &MarkdownConfig,
    mut text: Option<&mut Collector>,
    resolve: impl Fn(&str) -> Link<T>,
) -> Rendered<T> {
    let mut r = Renderer {
        config,
        // About one event per 16 bytes of markdown: grown a few times instead of a dozen.
        out: Vec::with_capacity(source.len() / 16),
        ids: IdAllocator::reserving(RESERVED_IDS),
        headings: Vec::new(),
        title_heading: None,
        links: Vec::new(),
        problems: Vec::new(),
        anchors: Vec::new(),
        open_links: Vec::new(),
        open_images: Vec::new(),
        foreign_depth: 0,
    };
    let mut embeds = Vec::new();
    let mut sections = Vec::new();
    // Anchor and heading of the section whose text is being collected.
    let mut section: (Option<String>, String) = (None, String::new());
    // Inside a paragraph that was replaced by an embed marker: skip its events.
    let mut in_embed = false;
    let escape = config.raw_html == RawHtml::Escape;
    let mut events = Parser::new_ext(source, parser_options(config))
        .into_offset_iter()
        .map(|(event, range)| (if escape { html_as_text(event) } else { event }, range));
    // Whether the heading being collected is the very first block of the page.
    let mut heading_is_first = false;
    // Only comments and `<a id>` anchors so far: a heading now is the page's title heading.
    let mut preamble = true;
    // Inline events of the heading being collected, with its tag.
    let mut heading: Option<OpenHeading> = None;
    let mut code: Option<(String, String)> = None;
    let mut image_alt: Option<(usize, bool)> = None;
    // The lines of the HTML block being read: its tags are read once the block is complete, as
    // a tag may span lines.
    let mut html_block: Option<Vec<(CowStr, Range<usize>)>> = None;

    for (event, range) in events.by_ref() {
        let event = without_nul(event);
        let leading = preamble;
        if preamble {
            preamble = match &event {
                Event::Start(Tag::Paragraph | Tag::HtmlBlock) => is_preamble_html(&source[range.clone()]),
                Event::Start(_) | Event::Rule => false,
                _ => true,
            };
        }
        if in_embed {
            in_embed = !matches!(event, Event::End(TagEnd::Paragraph));
            continue;
        }
        if let Some(text) = text.as_deref_mut() {
            if heading.is_none() && code.is_none() {
                match &event {
                    Event::Text(t) | Event::Code(t) => text.prose(t),
                    Event::SoftBreak
                    | Event::HardBreak
                    | Event::End(
                        TagEnd::Paragraph
                        | TagEnd::Item
                        | TagEnd::TableCell
                        | TagEnd::TableRow
                        | TagEnd::BlockQuote(_)
                        | TagEnd::FootnoteDefinition,
                    ) => text.space(),
                    _ => {}
                }
            }
        }
        if let Some((_, code_text)) = &mut code {
            match event {
                Event::Text(t) => code_text.push_str(&t),
                Event::End(TagEnd::CodeBlock) => {
                    let (lang, code_text) = code.take().unwrap_or_default();
                    if let Some(text) = text.as_deref_mut() {
                        text.code(&code_text);
                    }
                    let html =
                        crate::highlight::code_block(&code_text, &lang, config.highlight_code, &config.highlights);
                    r.out.push(Event::Html(html.into()));
                }
                _ => {}
            }
            continue;
        }
        if let Some((_, _, _, inner)) = &mut heading {
            match event {
                Event::End(TagEnd::Heading(_)) => {
                    let (level, id, classes, inner) = heading.take().expect("heading is open");
                    r.finish_heading(level, id, classes, inner, heading_is_first);
                    if let Some(text) = text.as_deref_mut() {
                        let h = r.headings.last().expect("just added");
                        if matches!(h.level, 2 | 3) {
                            let (anchor, title) =
                                std::mem::replace(&mut section, (Some(h.id.clone()), h.title.clone()));
                            sections.push(text.section(anchor, title));
                        } else {
                            text.prose(&h.title);
                            text.space();
                        }
                    }
                }
                Event::InlineHtml(raw) => {
                    inner.push(Event::InlineHtml(r.raw_html(source, vec![(raw, range)], &resolve)));
                }
                other => inner.extend(r.link_event(other, range.start, &resolve)),
            }
            continue;
        }
        match event {
            Event::Start(Tag::Heading { level, id, classes, .. }) => {
                heading_is_first = leading;
                heading = Some((
                    level,
                    id.map(|s| s.to_string()),
                    classes.iter().map(|c| c.to_string()).collect(),
                    Vec::new(),
                ));
                continue;
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                let lang = match kind {
                    CodeBlockKind::Fenced(info) => {
                        info.split(|c: char| c.is_whitespace() || c == ',' || c == '{').next().unwrap_or("").to_string()
                    }
                    CodeBlockKind::Indented => String::new(),
                };
                code = Some((lang, String::new()));
            }
            Event::Start(Tag::Paragraph) if source[range.clone()].trim_start().starts_with("{{") => {
                match parse_shortcode(&source[range.clone()]) {
                    Some((name, args)) => {
                        let offset =
                            range.start + (source[range.clone()].len() - source[range.clone()].trim_start().len());
                        r.out.push(Event::Html(format!("{}\n", embed_marker(embeds.len())).into()));
                        embeds.push(Embed { offset, name, args });
                        in_embed = true;
                    }
                    None => r.out.push(event),
                }
            }
            Event::Start(Tag::Table(_)) => {
                // Focusable and named: on a narrow screen it scrolls sideways, by keyboard too.
                r.out.push(Event::Html(
                    "<div class=\"table-wrap\" tabindex=\"0\" role=\"region\" aria-label=\"Table\">".into(),
                ));
                r.out.push(event);
            }
            Event::End(TagEnd::Table) => {
                r.out.push(event);
                r.out.push(Event::Html("</div>\n".into()));
            }
            Event::TaskListMarker(done) => {
                // A task list's box is read-only; its name says what the tick means.
                let (checked, name) = if done { (" checked=\"\"", "Done") } else { ("", "To do") };
                r.out.push(Event::Html(
                    format!("<input disabled=\"\" type=\"checkbox\"{checked} aria-label=\"{name}\"/>\n").into(),
                ));
            }
            Event::Start(Tag::Image { .. }) => {
                if let Some(e) = r.link_event(event, range.start, &resolve) {
                    image_alt = Some((range.start, false));
                    r.out.push(e);
                }
            }
            Event::Text(_) | Event::Code(_) if image_alt.is_some() => {
                if let Some((_, has)) = &mut image_alt {
                    *has = true;
                }
                r.out.push(event);
            }
            Event::End(TagEnd::Image) => {
                // A dropped image leaves its alt text as text, and nothing else.
                let Some(event) = r.link_event(event, range.start, &resolve) else { continue };
                if let Some((offset, false)) = image_alt.take() {
                    r.problems.push(Problem::warning(
                        offset,
                        "image has no alt text: describe it for screen readers (`![what it shows](...)`)",
                    ));
                }
                r.out.push(event);
            }
            Event::Start(Tag::HtmlBlock) => {
                html_block = Some(Vec::new());
                r.out.push(event);
            }
            Event::Html(raw) if html_block.is_some() => {
                html_block.get_or_insert_with(Vec::new).push((raw, range));
            }
            Event::End(TagEnd::HtmlBlock) => {
                let lines = html_block.take().unwrap_or_default();
                if !lines.is_empty() {
                    let html = r.raw_html(source, lines, &resolve);
                    r.out.push(Event::Html(html));
                }
                r.out.push(event);
            }
            Event::Html(raw) => {
                let html = r.raw_html(source, vec![(raw, range)], &resolve);
                r.out.push(Event::Html(html));
            }
            Event::InlineHtml(raw) => {
                let html = r.raw_html(source, vec![(raw, range)], &resolve);
                r.out.push(Event::InlineHtml(html));
            }
            Event::Start(Tag::FootnoteDefinition(ref label)) => {
                r.anchors.push(label.to_string());
                r.out.push(event);
            }
            // Links are rewritten (images above); every other event (most are text) goes as it
            // is, without the call.
            Event::Start(Tag::Link { .. }) | Event::End(TagEnd::Link) => {
                if let Some(e) = r.link_event(event, range.start, &resolve) {
                    r.out.push(e);
                }
            }
            other => r.out.push(other),
        }
    }

    if let Some(text) = text {
        sections.push(text.section(section.0, section.1));
    }
    let mut html = String::with_capacity(source.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, r.out.into_iter());
    Rendered {
        html,
        headings: r.headings,
        title_heading: r.title_heading,
        links: r.links,
        problems: r.problems,
        anchors: r.anchors,
        embeds,
        sections,
    }
}

/// A heading being collected: level, explicit id, classes and its inline events.
type OpenHeading<'a> = (HeadingLevel, Option<String>, Vec<String>, Vec<Event<'a>>);

struct Renderer<'c, 'a, T> {
    config: &'c MarkdownConfig,
    out: Vec<Event<'a>>,
    ids: IdAllocator,
    headings: Vec<Heading>,
    title_heading: Option<(u8, String)>,
    links: Vec<PendingLink<T>>,
    problems: Vec<Problem>,
    anchors: Vec<String>,
    /// The links and images being rendered, innermost last: what their end event becomes.
    open_links: Vec<Opened>,
    open_images: Vec<Opened>,
    /// `<svg>`/`<math>` elements the raw HTML read so far left open.
    foreign_depth: u32,
}

/// How a link or image was opened, so its end matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Opened {
    /// As pulldown-cmark writes it.
    Kept,
    /// As raw HTML with `target="_blank"`: closed with `</a>`.
    NewTab,
    /// Its destination had a scheme that may run script: only its text is written.
    Dropped,
}

/// Raw HTML as text, for `raw_html = "escape"`: an HTML block becomes a paragraph of text.
fn html_as_text(event: Event<'_>) -> Event<'_> {
    match event {
        Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
        Event::Start(Tag::HtmlBlock) => Event::Start(Tag::Paragraph),
        Event::End(TagEnd::HtmlBlock) => Event::End(TagEnd::Paragraph),
        other => other,
    }
}

impl<'a, T> Renderer<'_, 'a, T> {
    /// Rewrites link and image destinations through the resolver; `None` for the start and end
    /// of a link or image that is dropped because of its scheme (its text stays).
    fn link_event(&mut self, event: Event<'a>, offset: usize, resolve: &impl Fn(&str) -> Link<T>) -> Option<Event<'a>> {
        match event {
            Event::Start(Tag::Link { link_type, dest_url, title, id }) => {
                if link_type != LinkType::Email && self.drop_unsafe(&dest_url, Target::Link, offset) {
                    self.open_links.push(Opened::Dropped);
                    return None;
                }
                if matches!(link_type, LinkType::Autolink | LinkType::Email) {
                    self.open_links.push(Opened::Kept);
                    return Some(Event::Start(Tag::Link { link_type, dest_url, title, id }));
                }
                let dest_url = self.rewrite(dest_url, offset, resolve);
                if self.config.external_links_new_tab && is_external(&dest_url) && !dest_url.starts_with("mailto:") {
                    self.open_links.push(Opened::NewTab);
                    let mut html = format!("<a href=\"{}\"", escape_html(&dest_url));
                    if !title.is_empty() {
                        html.push_str(&format!(" title=\"{}\"", escape_html(&title)));
                    }
                    html.push_str(" target=\"_blank\" rel=\"noopener\">");
                    return Some(Event::InlineHtml(html.into()));
                }
                self.open_links.push(Opened::Kept);
                Some(Event::Start(Tag::Link { link_type, dest_url, title, id }))
            }
            Event::End(TagEnd::Link) => match self.open_links.pop() {
                Some(Opened::Dropped) => None,
                Some(Opened::NewTab) => Some(Event::InlineHtml("</a>".into())),
                _ => Some(event),
            },
            Event::Start(Tag::Image { link_type, dest_url, title, id }) => {
                if self.drop_unsafe(&dest_url, Target::Image, offset) {
                    self.open_images.push(Opened::Dropped);
                    return None;
                }
                self.open_images.push(Opened::Kept);
                let dest_url = self.rewrite(dest_url, offset, resolve);
                Some(Event::Start(Tag::Image { link_type, dest_url, title, id }))
            }
            Event::End(TagEnd::Image) => match self.open_images.pop() {
                Some(Opened::Dropped) => None,
                _ => Some(event),
            },
            other => Some(other),
        }
    }

    /// Whether `dest` has a scheme that is not allowed where `target` puts it; if so, says so
    /// in a warning (GitHub drops such links too).
    fn drop_unsafe(&mut self, dest: &str, target: Target, offset: usize) -> bool {
        let Some(scheme) = unsafe_scheme(dest, target) else { return false };
        let (what, allowed) = match target {
            Target::Link => ("link", "http, https, mailto, tel or a relative path"),
            Target::Image => ("image", "http, https, data:image/ or a relative path"),
        };
        let scheme: String = scheme.chars().take(40).collect();
        self.problems.push(Problem::warning(
            offset,
            format!("{what} with the `{scheme}:` scheme dropped (its text is kept): use {allowed}"),
        ));
        true
    }

    fn rewrite(&mut self, dest: CowStr<'a>, offset: usize, resolve: &impl Fn(&str) -> Link<T>) -> CowStr<'a> {
        match self.resolve(&dest, offset, resolve) {
            Some(href) => href.into(),
            None => dest,
        }
    }

    /// The href that `dest` becomes, `None` when it stays as written; records the link to check
    /// or the problem.
    fn resolve(&mut self, dest: &str, offset: usize, resolve: &impl Fn(&str) -> Link<T>) -> Option<String> {
        if is_external(dest) {
            return None;
        }
        match resolve(dest) {
            Link::Unchanged => None,
            Link::Rewrite { href, check } => {
                if let Some((target, anchor)) = check {
                    self.links.push(PendingLink { offset, dest: dest.to_string(), target, anchor });
                }
                Some(href)
            }
            Link::Broken(message) => {
                self.problems.push(Problem::broken_link(offset, message));
                None
            }
            Link::Outside { href, message } => {
                self.problems.push(Problem::outside_link(offset, message));
                Some(href)
            }
        }
    }

    /// Raw HTML, given as the pieces pulldown-cmark cut it into with their places in `source`:
    /// URL attributes rewritten and checked like markdown links, script URLs removed, ids kept
    /// as anchors.
    fn raw_html(
        &mut self,
        source: &str,
        pieces: Vec<(CowStr<'a>, Range<usize>)>,
        resolve: &impl Fn(&str) -> Link<T>,
    ) -> CowStr<'a> {
        // Where each piece starts in the joined text and in the source; a piece that is not a
        // verbatim slice of the source (a blockquote's `>` taken out of a tag) maps to its start.
        let mut places = Vec::with_capacity(pieces.len());
        let mut joined = 0;
        for (text, range) in &pieces {
            let verbatim = source.get(range.clone()) == Some(&**text);
            places.push((joined, range.start, verbatim));
            joined += text.len();
        }
        let at = |i: usize| {
            let k = places.partition_point(|p| p.0 <= i).saturating_sub(1);
            places.get(k).map_or(0, |&(from, start, verbatim)| if verbatim { start + (i - from) } else { start })
        };
        let text: CowStr<'a> = if pieces.len() == 1 {
            pieces.into_iter().next().map_or(CowStr::Borrowed(""), |p| p.0)
        } else {
            pieces.iter().map(|p| &*p.0).collect::<String>().into()
        };
        let mut depth = self.foreign_depth;
        let fragment = raw_html::rewrite(&text, &mut depth, &mut |url: raw_html::UrlAttr| match self.resolve(
            url.value,
            at(url.at),
            resolve,
        ) {
            Some(href) if href != url.value => raw_html::Verdict::Replace(href),
            _ => raw_html::Verdict::Keep,
        });
        self.foreign_depth = depth;
        self.anchors.extend(fragment.anchors);
        for removed in fragment.removed {
            self.problems.push(Problem::warning(
                at(removed.at),
                format!(
                    "raw HTML `{}` with the `{}:` scheme dropped: use http, https, mailto, tel or a relative path",
                    removed.attr,
                    removed.scheme.chars().take(40).collect::<String>()
                ),
            ));
        }
        if let Some(end) = fragment.closed_at {
            self.problems.push(Problem::warning(
                at(end.saturating_sub(1)),
                "raw HTML tag left open at the end of the HTML block: closed with `>` so that it cannot take in what \
                 follows",
            ));
        }
        match fragment.html {
            Some(html) => html.into(),
            None => text,
        }
    }

    fn finish_heading(
        &mut self,
        level: HeadingLevel,
        id: Option<String>,
        classes: Vec<String>,
        inner: Vec<Event<'a>>,
        is_first_block: bool,
    ) {
        let title = plain_text(&inner);
        let id = match id {
            Some(explicit) => self.ids.unique(&explicit),
            None => self.ids.unique(&heading_id(&title, self.config.heading_ids)),
        };
        let n = level as u8;
        if is_first_block {
            self.title_heading = Some((n, title.clone()));
        }
        // Written piece by piece: `format!` for each part was a tenth of this function's time.
        let digit = char::from(b'0' + n);
        let mut html = String::with_capacity(title.len() + 2 * id.len() + 128);
        html.push_str("<h");
        html.push(digit);
        html.push_str(" id=\"");
        push_escaped(&mut html, &id);
        html.push('"');
        if !classes.is_empty() {
            html.push_str(" class=\"");
            push_escaped(&mut html, &classes.join(" "));
            html.push('"');
        }
        html.push('>');
        pulldown_cmark::html::push_html(&mut html, inner.into_iter());
        if self.config.heading_anchors {
            html.push_str("<a class=\"anchor\" href=\"#");
            push_escaped(&mut html, &id);
            html.push_str("\" aria-label=\"Link to this section\">#</a>");
        }
        html.push_str("</h");
        html.push(digit);
        html.push_str(">\n");
        self.out.push(Event::Html(html.into()));
        self.headings.push(Heading { level: n, id, title });
    }
}

/// Text with NUL in it as U+FFFD, as CommonMark asks: pulldown-cmark passes NUL through, and
/// in HTML it is a parse error each browser recovers from its own way.
fn without_nul(event: Event) -> Event {
    match event {
        Event::Text(t) if t.contains('\0') => Event::Text(t.replace('\0', "\u{FFFD}").into()),
        Event::Code(t) if t.contains('\0') => Event::Code(t.replace('\0', "\u{FFFD}").into()),
        other => other,
    }
}

/// Whether a block before the first heading is only HTML comments and `<a id>`/`<a name>`
/// anchors (GitHub handbooks put them above a page's heading): the heading is still the title.
fn is_preamble_html(block: &str) -> bool {
    let mut rest = block.trim_start();
    while !rest.is_empty() {
        rest = if let Some(r) = rest.strip_prefix("<!--") {
            match r.find("-->") {
                Some(end) => &r[end + 3..],
                None => return false,
            }
        } else if let Some(r) = rest.strip_prefix("</a>").or_else(|| rest.strip_prefix("</A>")) {
            r
        } else if rest.get(..2).is_some_and(|p| p.eq_ignore_ascii_case("<a"))
            && rest[2..].starts_with(|c: char| c.is_ascii_whitespace() || c == '>' || c == '/')
        {
            // To the tag's end, skipping quoted attribute values (they may hold `>`).
            let mut quote = None;
            let Some(end) = rest.char_indices().skip(2).find_map(|(i, c)| {
                match (quote, c) {
                    (None, '"' | '\'') => quote = Some(c),
                    (Some(q), c) if c == q => quote = None,
                    (None, '>') => return Some(i),
                    _ => {}
                }
                None
            }) else {
                return false;
            };
            &rest[end + 1..]
        } else {
            return false;
        };
        rest = rest.trim_start();
    }
    true
}

/// The `id`s (and `<a name>`s) of a rendered page's elements, e.g. a generated page's, which
/// links may target.
pub(crate) fn element_ids(html: &str) -> Vec<String> {
    raw_html::element_ids(html)
}

/// The visible text of inline events (for titles and ids).
fn plain_text(events: &[Event]) -> String {
    let mut s = String::new();
    for e in events {
        match e {
            Event::Text(t) | Event::Code(t) => s.push_str(t),
            Event::SoftBreak | Event::HardBreak => s.push(' '),
            _ => {}
        }
    }
    s.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn md(src: &str) -> Rendered<String> {
        render(src, &MarkdownConfig::default(), None, |dest: &str| match dest {
            "missing.md" => Link::Broken("no such page".into()),
            d if d.ends_with(".md") || d.contains(".md#") => {
                let (path, anchor) = d.split_once('#').map_or((d, None), |(p, a)| (p, Some(a.to_string())));
                Link::Rewrite {
                    href: format!("../{}/index.html", path.trim_end_matches(".md")),
                    check: Some((path.to_string(), anchor)),
                }
            }
            _ => Link::Unchanged,
        })
    }

    #[test]
    fn headings_get_unique_ids_and_anchor_links() {
        let r = md("## Setup\n\ntext\n\n## Setup\n\n### Deep *dive* `x`\n");
        let ids: Vec<&str> = r.headings.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(ids, ["setup", "setup-1", "deep-dive-x"]);
        assert!(r.html.contains("<h2 id=\"setup-1\">Setup<a class=\"anchor\" href=\"#setup-1\""), "{}", r.html);
        assert_eq!(r.headings[2].title, "Deep dive x");
    }

    #[test]
    fn nul_in_text_code_and_code_blocks_becomes_the_replacement_character() {
        let r = md("# Ti\0tle\n\npara \0 and `co\0de`\n\n```\nblock\0\n```\n\n```rust\nlet x\0 = 1;\n```\n");
        assert!(!r.html.contains('\0'), "{:?}", r.html);
        assert_eq!(r.html.matches('\u{FFFD}').count(), 5, "{}", r.html);
        assert_eq!(r.title_heading, Some((1, "Ti\u{FFFD}tle".into())));
    }

    #[test]
    fn the_configured_rule_makes_heading_ids() {
        let heading = "## ⚠\u{fe0f} Warning\n";
        let github: Rendered<()> = render(heading, &MarkdownConfig::default(), None, |_| Link::Unchanged);
        assert_eq!(github.headings[0].id, "\u{fe0f}-warning");
        assert!(github.html.contains("href=\"#\u{fe0f}-warning\""), "{}", github.html);
        let config = MarkdownConfig { heading_ids: crate::slug::IdRule::MdBook, ..MarkdownConfig::default() };
        let mdbook: Rendered<()> = render(heading, &config, None, |_| Link::Unchanged);
        assert_eq!(mdbook.headings[0].id, "-warning");
    }

    #[test]
    fn explicit_heading_ids_win() {
        let r = md("## Costs {#money}\n");
        assert_eq!(r.headings[0].id, "money");
    }

    #[test]
    fn leading_h1_is_the_title_heading() {
        assert_eq!(md("# The *Title*\n\nbody").title_heading, Some((1, "The Title".into())));
        assert_eq!(md("intro\n\n# Later\n").title_heading, None);
        assert_eq!(md("## Ownership\n\n# Later\n").title_heading, Some((2, "Ownership".into())));
        let preamble = "<!-- generated -->\n<a id=\"top\"></a>\n\n<!--\nmulti\n-->\n### <a name=\"x\"></a>Real title\n";
        assert_eq!(md(preamble).title_heading, Some((3, "Real title".into())));
        assert_eq!(md("<a href=\"x\">link</a>\n\n# Not title\n").title_heading, None);
        assert_eq!(md("---\n\n# After a rule\n").title_heading, None);
        assert_eq!(md("<div>x</div>\n\n# Not title\n").title_heading, None);
        assert_eq!(md("\u{1df04}x\n\n# Not title\n").title_heading, None);
        assert_eq!(md("<a\n").title_heading, None);
    }

    #[test]
    fn relative_links_are_rewritten_and_recorded() {
        let r = md("See [auth](auth.md#tokens) and [site](https://x.org).\n");
        assert!(r.html.contains("href=\"../auth/index.html\""), "{}", r.html);
        assert!(r.html.contains("href=\"https://x.org\""));
        assert_eq!(r.links.len(), 1);
        assert_eq!(r.links[0].target, "auth.md");
        assert_eq!(r.links[0].anchor.as_deref(), Some("tokens"));
        assert_eq!(r.links[0].offset, 4);
    }

    #[test]
    fn broken_links_are_problems_at_their_offset() {
        let r = md("line\n\n[x](missing.md)\n");
        assert_eq!(r.problems.len(), 1);
        assert_eq!(r.problems[0].offset, 6);
        assert!(r.problems[0].is_error);
    }

    #[test]
    fn tables_are_wrapped_and_extensions_work() {
        let r = md("| a | b |\n|---|---|\n| 1 | 2 |\n\n- [x] done\n\n~~old~~ \"quoted\"[^1]\n\n[^1]: note\n");
        assert!(
            r.html.contains("<div class=\"table-wrap\" tabindex=\"0\" role=\"region\" aria-label=\"Table\"><table>"),
            "{}",
            r.html
        );
        assert!(
            r.html.contains("<input disabled=\"\" type=\"checkbox\" checked=\"\" aria-label=\"Done\"/>"),
            "{}",
            r.html
        );
        let open = md("- [ ] later\n");
        assert!(open.html.contains("<input disabled=\"\" type=\"checkbox\" aria-label=\"To do\"/>"), "{}", open.html);
        assert!(r.html.contains("<del>old</del>"));
        assert!(r.html.contains("“quoted”"));
        assert!(r.html.contains("footnote-definition"));
    }

    #[test]
    fn code_blocks_are_highlighted_or_escaped() {
        let r = md("```rust\nlet x = 1;\n```\n\n```\n<script>\n```\n");
        assert!(r.html.contains("data-lang=\"rust\""));
        assert!(r.html.contains("&lt;script&gt;"));
        assert!(!r.html.contains("<script>"));
    }

    #[test]
    fn images_without_alt_text_warn() {
        let r = md("![](a.png) ![chart](b.png)\n");
        assert_eq!(r.problems.len(), 1);
        assert!(!r.problems[0].is_error);
    }

    #[test]
    fn external_links_can_open_in_a_new_tab() {
        let config = MarkdownConfig { external_links_new_tab: true, ..MarkdownConfig::default() };
        let r: Rendered<()> = render("[x](https://a.org/?q=\"1\")", &config, None, |_| Link::Unchanged);
        assert!(r.html.contains("target=\"_blank\" rel=\"noopener\">x</a>"), "{}", r.html);
        assert!(r.html.contains("&quot;1&quot;"));
    }

    #[test]
    fn raw_html_ids_and_footnotes_are_anchors() {
        let r = md("<a id=\"here\"></a>\n\nText[^note] <span id='inline'>x</span>\n\n[^note]: A note.\n");
        assert_eq!(r.anchors, ["here", "inline", "note"]);
    }

    #[test]
    fn raw_html_urls_are_rewritten_and_checked_like_links() {
        let src = "Intro\n\n<p align=\"center\">\n  <img\n    src=\"missing.md\" alt=x>\n</p>\n\nSee <a href=\"auth.md#tokens\" class=x>auth</a>.\n\n## <a name=\"old\"></a>Title <a href='x.md'>x</a>\n\n> <a\n> href=\"y.md\">y</a> <a href=\"javascript:alert(1)\">z</a>\n";
        let r = md(src);
        assert!(r.html.contains("<p align=\"center\">\n  <img\n    src=\"missing.md\" alt=x>\n</p>"), "{}", r.html);
        assert!(r.html.contains("See <a href=\"../auth/index.html\" class=x>auth</a>."), "{}", r.html);
        assert!(r.html.contains("<a name=\"old\"></a>Title <a href='../x/index.html'>x</a>"), "{}", r.html);
        assert!(r.html.contains("<a\nhref=\"../y/index.html\">y</a> <a >z</a>"), "{}", r.html);
        let links: Vec<(&str, usize)> = r.links.iter().map(|l| (l.dest.as_str(), l.offset)).collect();
        let at = |needle: &str| src.find(needle).expect("in source");
        assert_eq!(links, [("auth.md#tokens", at("auth.md#")), ("x.md", at("x.md'")), ("y.md", at("<a\n>"))]);
        let errors: Vec<usize> = r.problems.iter().filter(|p| p.is_error).map(|p| p.offset).collect();
        assert_eq!(errors, [at("missing.md")], "{:?}", r.problems);
        let dropped: Vec<&Problem> = r.problems.iter().filter(|p| p.message.contains("dropped")).collect();
        assert_eq!(dropped.len(), 1);
        assert_eq!(dropped[0].offset, at("javascript:"));
        assert!(r.anchors.contains(&"old".to_string()), "{:?}", r.anchors);
        assert_eq!(r.headings[0].title, "Title x");
    }

    #[test]
    fn shortcodes_become_markers() {
        let r = md("Intro.\n\n{{ matrix(category=\"security\") }}\n\n  {{ checklist(id='never-skip', title=\"a, b\") }}\n\n`{{ not(a=\"b\") }}`\n");
        assert_eq!(r.embeds.len(), 2);
        assert_eq!(r.embeds[0].name, "matrix");
        assert_eq!(r.embeds[0].args, vec![("category".to_string(), "security".to_string())]);
        assert_eq!(r.embeds[0].offset, 8);
        assert_eq!(r.embeds[1].args[1], ("title".to_string(), "a, b".to_string()));
        assert_eq!(r.embeds[1].offset, 45);
        assert!(r.html.contains(&embed_marker(0)) && r.html.contains(&embed_marker(1)), "{}", r.html);
        assert!(!r.html.contains("matrix("), "{}", r.html);
        assert!(
            r.html.contains("<code>{{ not(a=\"b\") }}</code>")
                || r.html.contains("<code>{{ not(a=&quot;b&quot;) }}</code>"),
            "{}",
            r.html
        );
    }

    #[test]
    fn shortcode_syntax() {
        assert_eq!(parse_shortcode("{{ stages() }}"), Some(("stages".into(), vec![])));
        assert_eq!(parse_shortcode("{{ x(a=\"1\",b=\"2\") }}").unwrap().1.len(), 2);
        assert_eq!(parse_shortcode("{{ x(a=1) }}"), None);
        assert_eq!(parse_shortcode("{{ page.title }}"), None);
        assert_eq!(parse_shortcode("{{ x(a=\"1\") }} trailing"), None);
    }

    #[test]
    fn section_text_is_collected_per_heading() {
        let lexicon = crate::words::Lexicon::default();
        let mut collector = Collector::new(&lexicon, true);
        let r: Rendered<()> = render(
            "Intro *text*.\n\n## Backups {#bk}\n\nTest restores.\n\n```sh\nrestore --now\n```\n\n#### Detail\n\nMore.\n\n### Next one\n\n- item\n\n{{ stages() }}\n",
            &MarkdownConfig::default(),
            Some(&mut collector),
            |_| Link::Unchanged,
        );
        let s = &r.sections;
        assert_eq!(s.len(), 3);
        assert_eq!((s[0].anchor.as_deref(), s[0].text.as_str()), (None, "Intro text."));
        assert_eq!(s[1].anchor.as_deref(), Some("bk"));
        assert_eq!(s[1].heading, "Backups");
        assert_eq!(s[1].text, "Test restores. Detail More.");
        assert_eq!(s[1].code, "restore --now");
        // test restores restore now detail more: the code's words are counted with the prose's.
        assert_eq!(s[1].words.len(), 6, "{:?}", s[1].words);
        assert_eq!(s[2].heading, "Next one");
        assert_eq!(s[2].text, "item", "the embed's shortcode is not text");
        assert!(md("## A\n").sections.is_empty(), "off unless asked");
    }

    #[test]
    fn script_links_and_images_are_dropped_keeping_their_text() {
        let r = md("## See [x](JaVaScRiPt:a) *[y](&#106;avascript:b)*\n\n![alt ![in](c.png)](<java\tscript:c>) <vbscript:d> [ok](a.md)\n");
        assert!(!r.html.to_ascii_lowercase().contains("script:a\""), "{}", r.html);
        assert!(!r.html.contains("href=\"javascript") && !r.html.contains("src=\"java"), "{}", r.html);
        assert!(r.html.contains("See x <em>y</em>"), "{}", r.html);
        assert!(r.html.contains("vbscript:d") && r.html.contains("<a href=\"../a/index.html\">ok</a>"), "{}", r.html);
        assert!(r.html.contains("<img src=\"c.png\""), "an image inside a dropped one stays: {}", r.html);
        let dropped: Vec<usize> =
            r.problems.iter().filter(|p| p.message.contains("dropped")).map(|p| p.offset).collect();
        assert_eq!(dropped, [7, 26, 51, 88], "{:?}", r.problems);
        assert!(r.problems.iter().all(|p| !p.is_error));
        assert_eq!(r.headings[0].title, "See x y");
    }

    #[test]
    fn dropped_links_close_properly_with_new_tab_links_around() {
        let config = MarkdownConfig { external_links_new_tab: true, ..MarkdownConfig::default() };
        let r: Rendered<()> =
            render("[a](https://a.org) [b](javascript:x) [c](https://c.org)", &config, None, |_| Link::Unchanged);
        assert_eq!(r.html.matches("</a>").count(), 2, "{}", r.html);
        assert!(r.html.contains("</a> b <a href"), "{}", r.html);
    }

    #[test]
    fn raw_html_can_be_shown_as_text() {
        let config = MarkdownConfig { raw_html: RawHtml::Escape, ..MarkdownConfig::default() };
        let src = "<div id=\"d\">\n<script>x()</script>\n</div>\n\n## T <b>b</b>\n\nInline <i id='i'>i</i>.\n\n```\n<b>\n```\n";
        let r: Rendered<()> = render(src, &config, None, |_| Link::Unchanged);
        assert!(!r.html.contains("<script>") && !r.html.contains("<b>") && !r.html.contains("<i "), "{}", r.html);
        assert!(r.html.contains("<p>&lt;div id=\"d\"&gt;"), "{}", r.html);
        assert!(r.html.contains("&lt;b&gt;b&lt;/b&gt;"), "{}", r.html);
        assert!(r.anchors.is_empty(), "escaped HTML has no ids: {:?}", r.anchors);
        let allowed: Rendered<()> = render(src, &MarkdownConfig::default(), None, |_| Link::Unchanged);
        assert!(allowed.html.contains("<script>x()</script>") && allowed.anchors == ["d", "i"]);
    }

    #[test]
    fn scheme_detection() {
        assert!(is_external("https://x"));
        assert!(is_external("mailto:a@b"));
        assert!(is_external("//cdn"));
        assert!(!is_external("a/b.md"));
        assert!(!is_external("#x"));
        assert!(!is_external("a/b:c.md"));
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let src: String = (0..10_000).map(|i| format!("{}- x\n", "  ".repeat(i))).collect();
        let r = md(&src);
        assert!(r.html.len() > 10_000);
        let quotes = ">".repeat(10_000) + " deep\n";
        assert!(md(&quotes).html.contains("deep"));
    }
}
