//! mdBook's preprocessor directives, expanded in a page's text before markdown sees it:
//! `{{#include file}}` (whole, `:10:20`, `:10:`, `::20`, `:10`, `:anchor`),
//! `{{#rustdoc_include ...}}` (the whole file, the lines outside the range or anchor hidden with
//! rustdoc's `# `), `{{#playground file attrs}}` (a `rust` code block of the file) and
//! `{{#title ...}}` (the page's title). `\{{#...}}` prints the directive itself.
//!
//! As in mdBook: directives are found anywhere in the text, code fences included; paths are
//! relative to the file that holds the directive; included text is expanded again (up to
//! [`MAX_DEPTH`] deep) and every line after its first gets the text that stood before the
//! directive on its line (so an include inside a list item or a quote stays inside it).
//!
//! Where stagebook is stricter than mdBook (which logs and carries on): a missing file, a
//! missing anchor, a file outside the handbook folder (a page must not publish the build
//! machine's files), a cycle or too deep a nesting is an error at the directive's
//! `path:line:col`. And `ANCHOR:` / `ANCHOR_END:` marker lines are left out of every include,
//! not only of anchored ones: a whole listing should not show its markers.
//!
//! The expanded text no longer matches the file's byte offsets, so [`Expanded::source_offset`]
//! maps an offset of the expanded text back: text from the page itself to where it stands in
//! the file, included text to the directive that brought it in.

use std::path::{Path, PathBuf};

use crate::diagnostics::Diagnostic;

/// How deep includes may nest (mdBook's limit).
pub(crate) const MAX_DEPTH: usize = 10;

/// A page's text with its directives expanded.
#[derive(Debug)]
pub(crate) struct Expanded {
    pub(crate) text: String,
    /// Where each piece of `text` came from, by start offset in `text`.
    pieces: Vec<(usize, Origin)>,
    /// The last `{{#title ...}}`, if any.
    pub(crate) title: Option<String>,
    /// Every file read (absolute, symlinks resolved), nested includes too: `serve` re-reads the
    /// page when one of them changes.
    pub(crate) includes: Vec<PathBuf>,
    pub(crate) errors: Vec<Diagnostic>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Origin {
    /// The page's own text, starting at this offset of the source.
    Source(usize),
    /// Text brought in by the directive at this offset of the source, from this file (as shown).
    Included { at: usize, from: PathBuf },
}

impl Expanded {
    /// The offset in the source that an offset of the expanded text stands for, and the file it
    /// came from when it is included text (then the offset is its directive's).
    pub(crate) fn source_offset(&self, offset: usize) -> (usize, Option<&Path>) {
        let i = self.pieces.partition_point(|(start, _)| *start <= offset).saturating_sub(1);
        match self.pieces.get(i) {
            Some((start, Origin::Source(s))) => (s + offset.saturating_sub(*start), None),
            Some((_, Origin::Included { at, from })) => (*at, Some(from.as_path())),
            None => (offset, None),
        }
    }
}

/// Where files may come from and how they are named in messages.
pub(crate) struct Root<'a> {
    /// The handbook folder, absolute with symlinks resolved.
    pub(crate) canonical: &'a Path,
    /// The handbook folder as messages show it (as the user typed it).
    pub(crate) shown: &'a Path,
}

/// Whether `text` may hold a directive at all (the cheap test every page goes through).
pub(crate) fn has_directives(text: &str) -> bool {
    memchr::memmem::find(text.as_bytes(), b"{{").is_some()
}

/// Expands the directives of `text`, a file in the folder `dir`. `error_at` makes the
/// diagnostic for a byte offset of `text`.
pub(crate) fn expand(
    text: &str,
    dir: &Path,
    root: &Root<'_>,
    error_at: &dyn Fn(usize, String) -> Diagnostic,
) -> Expanded {
    let mut x = Expander { root, title: None, includes: Vec::new(), errors: Vec::new(), stack: Vec::new() };
    let mut pieces = Vec::new();
    let out = x.expand(text, dir, 0, error_at, Some(&mut pieces));
    Expanded { text: out, pieces, title: x.title, includes: x.includes, errors: x.errors }
}

struct Expander<'r, 'a> {
    root: &'r Root<'a>,
    title: Option<String>,
    includes: Vec<PathBuf>,
    errors: Vec<Diagnostic>,
    /// The files being expanded, outermost first (to name a cycle).
    stack: Vec<PathBuf>,
}

impl Expander<'_, '_> {
    /// `pieces` is given for the page itself (depth 0) only: included text maps to its
    /// directive as a whole.
    fn expand(
        &mut self,
        text: &str,
        dir: &Path,
        depth: usize,
        error_at: &dyn Fn(usize, String) -> Diagnostic,
        mut pieces: Option<&mut Vec<(usize, Origin)>>,
    ) -> String {
        if !has_directives(text) {
            if let Some(p) = pieces {
                p.push((0, Origin::Source(0)));
            }
            return text.to_string();
        }
        let mut out = String::with_capacity(text.len());
        let mut copied = 0;
        let push_source = |out: &mut String, pieces: &mut Option<&mut Vec<(usize, Origin)>>, from: usize, to: usize| {
            if from < to {
                if let Some(p) = pieces.as_deref_mut() {
                    p.push((out.len(), Origin::Source(from)));
                }
                out.push_str(&text[from..to]);
            }
        };
        for found in Directives::new(text) {
            push_source(&mut out, &mut pieces, copied, found.start);
            copied = found.end;
            let inserted = match &found.kind {
                Kind::Escaped => {
                    push_source(&mut out, &mut pieces, found.start + 1, found.end);
                    continue;
                }
                Kind::Title(title) => {
                    self.title = Some(title.trim().to_string());
                    continue;
                }
                Kind::File { what, path, args } => {
                    match self.insert(*what, path, args, dir, depth, error_at, found.start) {
                        Ok(inserted) => inserted,
                        Err(e) => {
                            self.errors.push(e);
                            // The directive stays as written.
                            push_source(&mut out, &mut pieces, found.start, found.end);
                            continue;
                        }
                    }
                }
            };
            let (content, shown) = inserted;
            // Every line after the first continues what stood before the directive on its line.
            let prefix = &out[out.rfind('\n').map_or(0, |i| i + 1)..];
            let joined = content.lines().collect::<Vec<_>>().join(&format!("\n{prefix}"));
            if let Some(p) = pieces.as_deref_mut() {
                p.push((out.len(), Origin::Included { at: found.start, from: shown }));
            }
            out.push_str(&joined);
        }
        push_source(&mut out, &mut pieces, copied, text.len());
        out
    }

    /// The text a file directive stands for, expanded, with the included file as shown.
    #[allow(clippy::too_many_arguments)]
    fn insert(
        &mut self,
        what: What,
        path: &str,
        args: &[&str],
        dir: &Path,
        depth: usize,
        error_at: &dyn Fn(usize, String) -> Diagnostic,
        at: usize,
    ) -> Result<(String, PathBuf), Diagnostic> {
        let (file, selection) = match what {
            What::Playground => (path, None),
            _ => match path.split_once(':') {
                Some((file, sel)) => (file, Some(Selection::parse(sel))),
                None => (path, None),
            },
        };
        let target = dir.join(file);
        let canonical = target.canonicalize().map_err(|e| {
            let target = lexical(&target);
            let looked = match target.strip_prefix(self.root.canonical) {
                Ok(rel) => clean(self.root.shown.join(rel)),
                Err(_) => target.clone(),
            };
            error_at(at, format!("cannot include `{file}`: {} (looked for {})", reason(&e), looked.display()))
        })?;
        let Ok(inside) = canonical.strip_prefix(self.root.canonical) else {
            return Err(error_at(
                at,
                format!("cannot include `{file}`: it is outside the handbook folder (pages may only include files inside it)"),
            ));
        };
        let shown = clean(self.root.shown.join(inside));
        if self.stack.contains(&canonical) {
            let chain: Vec<String> = self.stack.iter().chain([&canonical]).map(|p| self.shown_of(p)).collect();
            return Err(error_at(at, format!("`{file}` includes itself: {}", chain.join(" -> "))));
        }
        if depth >= MAX_DEPTH {
            return Err(error_at(at, format!("includes nested more than {MAX_DEPTH} deep at `{file}`")));
        }
        let bytes = std::fs::read(&canonical)
            .map_err(|e| error_at(at, format!("cannot include `{file}`: {} ({})", reason(&e), shown.display())))?;
        let content = String::from_utf8(bytes).map_err(|_| {
            error_at(at, format!("cannot include `{file}`: it is not valid UTF-8 ({})", shown.display()))
        })?;
        if !self.includes.contains(&canonical) {
            self.includes.push(canonical.clone());
        }
        let selected = match (what, &selection) {
            (What::Playground, _) => {
                let mut body = content.clone();
                if !body.ends_with('\n') {
                    body.push('\n');
                }
                let attrs = if args.is_empty() { String::new() } else { format!(",{}", args.join(",")) };
                format!("```rust{attrs}\n{body}```\n")
            }
            (_, Some(Selection::Anchor(name))) => {
                let lines = match what {
                    What::RustdocInclude => rustdoc_anchored(&content, name),
                    _ => anchored(&content, name),
                };
                lines.ok_or_else(|| {
                    error_at(at, format!("no anchor `{name}` in `{file}` (ANCHOR: {name} ... ANCHOR_END: {name})"))
                })?
            }
            (_, range) => {
                let range = match range {
                    Some(Selection::Lines(r)) => r.clone(),
                    _ => Lines { start: 0, end: None },
                };
                match what {
                    What::RustdocInclude => rustdoc_lines(&content, &range),
                    _ => line_range(&content, &range),
                }
            }
        };
        let parent = canonical.parent().unwrap_or(self.root.canonical).to_path_buf();
        let nested_text = selected.clone();
        let shown_for_errors = shown.clone();
        let nested_error = move |offset: usize, message: String| {
            Diagnostic::at(shown_for_errors.clone(), &nested_text, offset, message)
        };
        self.stack.push(canonical);
        let expanded = self.expand(&selected, &parent, depth + 1, &nested_error, None);
        self.stack.pop();
        Ok((expanded, shown))
    }

    fn shown_of(&self, canonical: &Path) -> String {
        match canonical.strip_prefix(self.root.canonical) {
            Ok(rel) => clean(self.root.shown.join(rel)).display().to_string(),
            Err(_) => canonical.display().to_string(),
        }
    }
}

/// A path without a leading `./`, as the user would type it.
fn clean(path: PathBuf) -> PathBuf {
    path.strip_prefix(".").map(Path::to_path_buf).unwrap_or(path)
}

/// `path` with `.` and `..` worked out without the file system (it may not exist).
fn lexical(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

fn reason(e: &std::io::Error) -> &'static str {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file",
        std::io::ErrorKind::PermissionDenied => "permission denied",
        _ if e.raw_os_error() == Some(21) => "it is a folder",
        _ => "cannot read it",
    }
}

/// Which file directive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum What {
    Include,
    RustdocInclude,
    Playground,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind<'t> {
    /// `\{{#...}}`: printed without its backslash.
    Escaped,
    Title(&'t str),
    File {
        what: What,
        path: &'t str,
        args: Vec<&'t str>,
    },
}

/// One directive found in a text: its byte range and what it is.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Found<'t> {
    start: usize,
    end: usize,
    kind: Kind<'t>,
}

/// The directives of a text, in order, found the way mdBook's pattern finds them:
/// `\{{#` up to the last `}}` on its line (an escape), or `{{`, spaces, `#name`, spaces, then
/// anything but `}` up to `}}`. A directive of an unknown name is skipped over, as in mdBook.
struct Directives<'t> {
    text: &'t str,
    at: usize,
}

impl<'t> Directives<'t> {
    fn new(text: &'t str) -> Self {
        Directives { text, at: 0 }
    }

    /// The directive starting at `start` (a `\` or `{`), if one does: its end and kind.
    fn at(&self, start: usize) -> Option<(usize, Option<Kind<'t>>)> {
        let t = self.text;
        let rest = &t[start..];
        if rest.starts_with("\\{{#") {
            let line_end = rest.find('\n').unwrap_or(rest.len());
            let close = rest[..line_end].rfind("}}")?;
            if close >= 4 {
                return Some((start + close + 2, Some(Kind::Escaped)));
            }
            return None;
        }
        let after = rest.strip_prefix("{{")?;
        let after = after.trim_start();
        let after = after.strip_prefix('#')?;
        let name_len = after.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(after.len());
        if name_len == 0 {
            return None;
        }
        let name = &after[..name_len];
        let after_name = &after[name_len..];
        let args = after_name.trim_start();
        if args.len() == after_name.len() {
            return None;
        }
        let args_len = args.find('}').unwrap_or(args.len());
        if args_len == 0 || !args[args_len..].starts_with("}}") {
            return None;
        }
        let body = &args[..args_len];
        let end = t.len() - args.len() + args_len + 2;
        let mut words = body.split_whitespace();
        let file = |what| words.next().map(|path| Kind::File { what, path, args: words.collect() });
        let kind = match name {
            "title" => Some(Kind::Title(body)),
            "include" => file(What::Include),
            "rustdoc_include" => file(What::RustdocInclude),
            "playground" | "playpen" => file(What::Playground),
            _ => None,
        };
        Some((end, kind))
    }
}

impl<'t> Iterator for Directives<'t> {
    type Item = Found<'t>;

    fn next(&mut self) -> Option<Found<'t>> {
        while let Some(i) = self.text[self.at..].find(['{', '\\']) {
            let start = self.at + i;
            match self.at(start) {
                Some((end, Some(kind))) => {
                    self.at = end;
                    return Some(Found { start, end, kind });
                }
                // A directive of another name: skipped over whole.
                Some((end, None)) => self.at = end,
                None => self.at = start + 1,
            }
        }
        self.at = self.text.len();
        None
    }
}

/// Which lines of a file: `start` is 0-based, `end` exclusive (`None`: to the end).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Lines {
    start: usize,
    end: Option<usize>,
}

impl Lines {
    fn contains(&self, i: usize) -> bool {
        i >= self.start && self.end.is_none_or(|e| i < e)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Selection {
    Lines(Lines),
    Anchor(String),
}

impl Selection {
    /// What follows the file name's `:`, read as mdBook reads it: `10` (that line), `10:20`,
    /// `10:`, `:20`, or else an anchor's name.
    fn parse(sel: &str) -> Selection {
        let mut parts = sel.splitn(2, ':');
        let first = parts.next().unwrap_or("");
        let start = if first.is_empty() {
            None
        } else if let Ok(n) = first.parse::<usize>() {
            Some(n.saturating_sub(1))
        } else {
            return Selection::Anchor(first.to_string());
        };
        let end = parts.next().map(|s| s.parse::<usize>());
        Selection::Lines(match (start, end) {
            (Some(s), Some(Ok(e))) => Lines { start: s, end: Some(e) },
            (Some(s), Some(Err(_))) => Lines { start: s, end: None },
            (Some(s), None) => Lines { start: s, end: Some(s + 1) },
            (None, Some(Ok(e))) => Lines { start: 0, end: Some(e) },
            (None, _) => Lines { start: 0, end: None },
        })
    }
}

/// Whether a line is an anchor marker, `ANCHOR: name` or `ANCHOR_END: name` anywhere in it
/// (so any comment syntax works), and which.
fn marker(line: &str) -> Option<(bool, &str)> {
    for (key, is_end) in [("ANCHOR_END:", true), ("ANCHOR:", false)] {
        let mut from = 0;
        while let Some(i) = line[from..].find(key) {
            let rest = line[from + i + key.len()..].trim_start();
            let len = rest.find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-')).unwrap_or(rest.len());
            if len > 0 {
                return Some((is_end, &rest[..len]));
            }
            from += i + key.len();
        }
    }
    None
}

/// The lines in `range`, marker lines left out (line numbers count them, as an editor does).
fn line_range(text: &str, range: &Lines) -> String {
    let lines: Vec<&str> =
        text.lines().enumerate().filter(|(i, l)| range.contains(*i) && marker(l).is_none()).map(|(_, l)| l).collect();
    lines.join("\n")
}

/// The lines between `ANCHOR: name` and `ANCHOR_END: name` (to the end if it never ends),
/// other markers left out; `None` when the anchor does not start anywhere.
fn anchored(text: &str, name: &str) -> Option<String> {
    let mut kept = Vec::new();
    let mut inside = false;
    for line in text.lines() {
        match marker(line) {
            Some((false, n)) if n == name && !inside => inside = true,
            Some((true, n)) if n == name && inside => return Some(kept.join("\n")),
            Some(_) => {}
            None if inside => kept.push(line),
            None => {}
        }
    }
    inside.then(|| kept.join("\n"))
}

/// Every line, those outside `range` behind rustdoc's `# `, marker lines left out.
fn rustdoc_lines(text: &str, range: &Lines) -> String {
    let lines: Vec<String> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| marker(l).is_none())
        .map(|(i, l)| if range.contains(i) { l.to_string() } else { format!("# {l}") })
        .collect();
    lines.join("\n")
}

/// Every line, those outside the anchor behind `# `, marker lines left out; `None` when the
/// anchor does not start anywhere.
fn rustdoc_anchored(text: &str, name: &str) -> Option<String> {
    let mut out = Vec::new();
    let mut inside = false;
    let mut found = false;
    for line in text.lines() {
        match marker(line) {
            Some((false, n)) if n == name => {
                inside = true;
                found = true;
            }
            Some((true, n)) if n == name => inside = false,
            Some(_) => {}
            None if inside => out.push(line.to_string()),
            None => out.push(format!("# {line}")),
        }
    }
    found.then(|| out.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str =
        "one\n// ANCHOR: part\ntwo\n// ANCHOR: inner\nthree\n// ANCHOR_END: inner\n// ANCHOR_END: part\nfour\n";

    fn found(text: &str) -> Vec<(usize, usize, Kind<'_>)> {
        Directives::new(text).map(|f| (f.start, f.end, f.kind)).collect()
    }

    #[test]
    fn directives_are_found_as_mdbook_finds_them() {
        let f = found("a {{#include x.rs:2:3}} b {{ #playground p.rs editable }} {{#title  T t }}");
        assert_eq!(f[0], (2, 23, Kind::File { what: What::Include, path: "x.rs:2:3", args: vec![] }));
        assert_eq!(f[1].2, Kind::File { what: What::Playground, path: "p.rs", args: vec!["editable"] });
        assert_eq!(f[2].2, Kind::Title("T t "));
        // Unknown names, no argument, no `#`, no closing: not directives.
        assert!(found("{{#toc}}{{/toc}} {{#unknown x}} {{include x}} {{#include }} {{#include x}").is_empty());
        // An escape runs to the last `}}` on its line.
        let f = found("\\{{#include a}} and {{#include b}}\n{{#include c}}");
        assert_eq!(f[0], (0, 34, Kind::Escaped));
        assert_eq!(f[1].2, Kind::File { what: What::Include, path: "c", args: vec![] });
    }

    #[test]
    fn selections_read_as_in_mdbook() {
        let lines = |s, e| Selection::Lines(Lines { start: s, end: e });
        assert_eq!(Selection::parse("2"), lines(1, Some(2)));
        assert_eq!(Selection::parse("2:10"), lines(1, Some(10)));
        assert_eq!(Selection::parse("2:"), lines(1, None));
        assert_eq!(Selection::parse(":10"), lines(0, Some(10)));
        assert_eq!(Selection::parse("::"), lines(0, None));
        assert_eq!(Selection::parse("part"), Selection::Anchor("part".into()));
    }

    #[test]
    fn ranges_and_anchors_take_the_right_lines_without_markers() {
        assert_eq!(line_range(FILE, &Lines { start: 0, end: None }), "one\ntwo\nthree\nfour");
        assert_eq!(line_range(FILE, &Lines { start: 2, end: Some(5) }), "two\nthree");
        assert_eq!(anchored(FILE, "part").as_deref(), Some("two\nthree"));
        assert_eq!(anchored(FILE, "inner").as_deref(), Some("three"));
        assert_eq!(anchored(FILE, "gone"), None);
        assert_eq!(anchored("a\n# ANCHOR: open\nb\nc", "open").as_deref(), Some("b\nc"));
        assert_eq!(rustdoc_anchored(FILE, "inner").as_deref(), Some("# one\n# two\nthree\n# four"));
        assert_eq!(rustdoc_lines("a\nb\nc", &Lines { start: 1, end: Some(2) }), "# a\nb\n# c");
        assert_eq!(marker("/* ANCHOR_END: all */"), Some((true, "all")));
        assert_eq!(marker("ANCHOR: a-b_c"), Some((false, "a-b_c")));
        assert_eq!(marker("no ANCHOR: here? ANCHOR:"), Some((false, "here")));
        assert_eq!(marker("ANCHOR:"), None);
    }

    struct Book {
        dir: tempfile::TempDir,
    }

    impl Book {
        fn new(files: &[(&str, &str)]) -> Book {
            let dir = tempfile::tempdir().unwrap();
            for (rel, text) in files {
                let p = dir.path().join(rel);
                std::fs::create_dir_all(p.parent().unwrap()).unwrap();
                std::fs::write(p, text).unwrap();
            }
            Book { dir }
        }

        fn expand(&self, text: &str) -> Expanded {
            let canonical = self.dir.path().canonicalize().unwrap();
            let root = Root { canonical: &canonical, shown: Path::new("book") };
            let error_at = |offset: usize, message: String| Diagnostic::at("book/src/page.md", text, offset, message);
            expand(text, &canonical.join("src"), &root, &error_at)
        }
    }

    #[test]
    fn includes_expand_with_the_line_prefix_and_map_back() {
        let book = Book::new(&[("listings/a.rs", "fn a() {\n    1\n}\n"), ("src/frag.md", "Fragment [x](x.md)\n")]);
        let text = "- item\n  ```rust\n  {{#include ../listings/a.rs}}\n  ```\n{{#include frag.md}} [y](y.md)\n";
        let x = book.expand(text);
        assert!(x.errors.is_empty(), "{:?}", x.errors);
        assert_eq!(x.text, "- item\n  ```rust\n  fn a() {\n      1\n  }\n  ```\nFragment [x](x.md) [y](y.md)\n");
        assert_eq!(x.includes.len(), 2);
        // A link after the include maps to its place in the page.
        let y = x.text.find("[y]").unwrap();
        assert_eq!(x.source_offset(y), (text.find("[y]").unwrap(), None));
        // Included text maps to its directive, naming the file.
        let (at, from) = x.source_offset(x.text.find("[x]").unwrap());
        assert_eq!(at, text.find("{{#include frag").unwrap());
        assert_eq!(from, Some(Path::new("book/src/frag.md")));
        assert_eq!(x.source_offset(0), (0, None));
    }

    #[test]
    fn escapes_titles_playground_and_nesting() {
        let book = Book::new(&[
            ("src/p.rs", "fn main() {}"),
            ("src/outer.md", "outer {{#include inner/in.md}}"),
            ("src/inner/in.md", "inner {{#include ../p.rs}}"),
        ]);
        let x = book
            .expand("\\{{#include p.rs}}\n{{#title  My page }}\n{{#playground p.rs editable}}\n{{#include outer.md}}");
        assert!(x.errors.is_empty(), "{:?}", x.errors);
        assert_eq!(x.text, "{{#include p.rs}}\n\n```rust,editable\nfn main() {}\n```\nouter inner fn main() {}");
        assert_eq!(x.title.as_deref(), Some("My page"));
        assert_eq!(x.includes.len(), 3);
        // The escape's text maps to the page, one byte on (the backslash is gone).
        assert_eq!(x.source_offset(0), (1, None));
    }

    #[test]
    fn problems_are_errors_at_the_directive() {
        let book =
            Book::new(&[("src/a.rs", "// ANCHOR: x\n1\n// ANCHOR_END: x\n"), ("src/self.md", "{{#include self.md}}")]);
        std::fs::write(book.dir.path().parent().unwrap().join("stagebook-include-outside.txt"), "secret").ok();
        let text = "ok\n  {{#include gone.rs}}\n{{#include a.rs:y}}\n{{#include ../../stagebook-include-outside.txt}}\n{{#include self.md}}";
        let x = book.expand(text);
        let shown: Vec<String> = x.errors.iter().map(|d| d.to_string()).collect();
        assert_eq!(x.errors.len(), 4, "{shown:#?}");
        assert!(
            shown[0].starts_with(
                "book/src/page.md:2:3: cannot include `gone.rs`: no such file (looked for book/src/gone.rs)"
            ),
            "{}",
            shown[0]
        );
        assert!(shown[1].contains("page.md:3:1") && shown[1].contains("no anchor `y` in `a.rs`"), "{}", shown[1]);
        assert!(shown[2].contains("page.md:4:1") && shown[2].contains("outside the handbook folder"), "{}", shown[2]);
        // The cycle is reported where it closes: in the included file.
        assert!(shown[3].starts_with("book/src/self.md:1:1") && shown[3].contains("includes itself"), "{}", shown[3]);
        // Failed directives stay as written.
        assert!(x.text.contains("{{#include gone.rs}}"));
        std::fs::remove_file(book.dir.path().parent().unwrap().join("stagebook-include-outside.txt")).ok();
    }

    #[test]
    fn nesting_deeper_than_the_limit_is_an_error() {
        let mut files: Vec<(String, String)> = (0..=MAX_DEPTH + 1)
            .map(|i| (format!("src/d{i}.md"), format!("{i} {{{{#include d{}.md}}}}", i + 1)))
            .collect();
        files.push((format!("src/d{}.md", MAX_DEPTH + 2), "end".into()));
        let refs: Vec<(&str, &str)> = files.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        let book = Book::new(&refs);
        let x = book.expand("{{#include d0.md}}");
        assert_eq!(x.errors.len(), 1, "{:?}", x.errors);
        assert!(x.errors[0].message.contains("nested more than 10 deep"), "{}", x.errors[0]);
    }

    #[test]
    fn text_without_directives_is_kept_as_it_is() {
        let book = Book::new(&[]);
        let x = book.expand("plain {{ not one }} text");
        assert_eq!(x.text, "plain {{ not one }} text");
        assert_eq!(x.source_offset(8), (8, None));
    }
}
