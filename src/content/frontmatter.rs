//! Front matter at the top of a page: TOML between `+++` lines (stagebook's own, with a strict
//! schema), or YAML between `---` lines (what Jekyll, Hugo, Docusaurus, GitLab and Obsidian
//! write, read leniently: a YAML page was written for another tool, so keys stagebook does not
//! know go to `page.extra` instead of failing the build).

use serde::Deserialize;
use toml::Spanned;

use super::yaml::{self, Block, Placed, Yaml};
use crate::diagnostics::Problem;

/// What a page's front matter sets, from either format. Offsets are bytes into the file.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct FrontMatter {
    pub title: Option<String>,
    pub description: Option<String>,
    /// Position among siblings: lower first; pages without a weight come after weighted ones.
    pub weight: Option<i64>,
    pub draft: bool,
    /// A template of the theme to render this page with instead of the default one.
    pub template: Option<(String, usize)>,
    /// Replaces the last segment of the page's URL (already checked to be a safe one).
    pub slug: Option<String>,
    /// Old URLs (`aliases`, `redirect_from`) that redirect to the page, as written.
    pub aliases: Vec<(String, usize)>,
    pub extra: toml::Table,
}

/// The keys a TOML page may set. Unknown keys are errors, so a typo never silently does
/// nothing; free-form data goes under `[extra]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct TomlFront {
    title: Option<String>,
    description: Option<String>,
    weight: Option<i64>,
    #[serde(default)]
    draft: bool,
    template: Option<Spanned<String>>,
    slug: Option<Spanned<String>>,
    #[serde(default)]
    aliases: Vec<Spanned<String>>,
    #[serde(default)]
    extra: toml::Table,
}

/// A page's text cut into front matter and body.
#[derive(Debug)]
pub(crate) struct Extracted<'a> {
    pub front: Option<FrontMatter>,
    pub body: &'a str,
    /// Byte offset of the body in the file.
    pub body_offset: usize,
    /// Keys of the wrong type (errors) and keys that are ignored (warnings); the rest of the
    /// front matter is still used, so one run reports every one of them.
    pub problems: Vec<Problem>,
}

/// The text between the fences.
#[derive(Debug, PartialEq, Eq)]
struct Fenced<'a> {
    front: &'a str,
    front_offset: usize,
    body_offset: usize,
}

/// What an opening `+++` without a closing one is reported as.
const UNCLOSED: &str = "front matter opened with `+++` is never closed (add a `+++` line after it)";

/// Cuts `text` into front matter and body, and reads the front matter. Only front matter that
/// cannot be read at all (bad TOML, broken YAML) is an error here; a `---` block that is not a
/// YAML mapping is a thematic break and stays in the body.
pub(crate) fn extract(text: &str) -> Result<Extracted<'_>, Problem> {
    let start = if text.starts_with('\u{feff}') { '\u{feff}'.len_utf8() } else { 0 };
    let all_body = || Extracted { front: None, body: &text[start..], body_offset: start, problems: Vec::new() };
    if let Some(f) = fenced(text, start, "+++") {
        let Some(f) = f else { return Err(Problem::error(start, UNCLOSED)) };
        let front = parse_toml(f.front, f.front_offset)?;
        return Ok(Extracted {
            front: Some(front),
            body: &text[f.body_offset..],
            body_offset: f.body_offset,
            problems: Vec::new(),
        });
    }
    let Some(Some(f)) = fenced(text, start, "---") else { return Ok(all_body()) };
    let entries = match yaml::parse(f.front) {
        Ok(Block::Mapping(entries)) => entries,
        Ok(Block::Other) => return Ok(all_body()),
        Err(_) if !looks_like_mapping(f.front) => return Ok(all_body()),
        Err(e) => {
            return Err(Problem::error(f.front_offset + e.offset, format!("YAML front matter: {}", e.message)));
        }
    };
    let mut problems = Vec::new();
    let front = from_yaml(entries, f.front_offset, &mut problems);
    Ok(Extracted { front: Some(front), body: &text[f.body_offset..], body_offset: f.body_offset, problems })
}

/// The page's `slug`, if its front matter sets a valid one: what the planner needs before any
/// page is parsed (a slug changes the URL other pages link to). Cheap for pages without one.
pub(crate) fn slug_of(text: &str) -> Option<String> {
    let start = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let fence = ["+++", "---"].into_iter().find(|f| matches!(fenced(text, start, f), Some(Some(_))))?;
    let Some(Some(f)) = fenced(text, start, fence) else { return None };
    if !f.front.contains("slug") {
        return None;
    }
    extract(text).ok()?.front?.slug
}

/// `None`: the text does not open with `fence`; `Some(None)`: it opens but never closes.
fn fenced<'a>(text: &'a str, start: usize, fence: &str) -> Option<Option<Fenced<'a>>> {
    let rest = &text[start..];
    let first_line_end = rest.find('\n').map_or(rest.len(), |i| i + 1);
    if rest[..first_line_end].trim_end() != fence {
        return None;
    }
    let front_offset = start + first_line_end;
    let mut pos = front_offset;
    while pos < text.len() {
        let end = text[pos..].find('\n').map_or(text.len(), |i| pos + i + 1);
        if text[pos..end].trim_end() == fence {
            return Some(Some(Fenced { front: &text[front_offset..pos], front_offset, body_offset: end }));
        }
        pos = end;
    }
    Some(None)
}

/// Whether a block that failed to parse was meant as front matter: its first line is a
/// `key:` entry. Otherwise (prose between two rules) it is left to markdown.
fn looks_like_mapping(block: &str) -> bool {
    let Some(line) = block.lines().map(str::trim).find(|l| !l.is_empty() && !l.starts_with('#')) else {
        return false;
    };
    if line.starts_with("- ") || line.starts_with('[') || line.starts_with('{') {
        return false;
    }
    line.ends_with(':') || line.contains(": ")
}

/// Parses the TOML between the fences; error offsets are relative to the file.
fn parse_toml(toml_text: &str, offset: usize) -> Result<FrontMatter, Problem> {
    let t: TomlFront = toml::from_str(toml_text).map_err(|e| {
        Problem::error(offset + e.span().map_or(0, |s| s.start), format!("front matter: {}", e.message().trim()))
    })?;
    let at = |s: &Spanned<String>| offset + s.span().start;
    let slug = match t.slug {
        Some(s) => match slug_problem(s.get_ref()) {
            Some(why) => return Err(Problem::error(at(&s), format!("front matter: {why}"))),
            None => Some(s.into_inner()),
        },
        None => None,
    };
    Ok(FrontMatter {
        title: t.title,
        description: t.description,
        weight: t.weight,
        draft: t.draft,
        template: t.template.map(|s| (s.get_ref().clone(), at(&s))),
        slug,
        aliases: t.aliases.iter().map(|s| (s.get_ref().clone(), at(s))).collect(),
        extra: t.extra,
    })
}

/// Keys that set the page's position, most specific first (Hugo `weight`, Docusaurus
/// `sidebar_position`, Just the Docs `nav_order`, Obsidian/others `order`).
const ORDER_KEYS: [&str; 4] = ["weight", "sidebar_position", "nav_order", "order"];

/// Reads the keys stagebook knows; every other key goes to `extra`.
fn from_yaml(entries: Vec<(Placed, Placed)>, offset: usize, problems: &mut Vec<Problem>) -> FrontMatter {
    let mut front = FrontMatter::default();
    let mut order: Option<(usize, i64)> = None;
    for (key, value) in entries {
        let Some(name) = key.value.scalar_text() else {
            problems.push(Problem::warning(offset + key.offset, "a list or mapping as a key is ignored"));
            continue;
        };
        let at = offset + value.offset;
        let wrong = |expected: &str| {
            Problem::error(at, format!("front matter: `{name}` must be {expected}, not {}", value.value.kind()))
        };
        match name.as_str() {
            "title" | "description" => match text_of(&value.value) {
                Ok(t) => {
                    let t = t.filter(|t| !t.trim().is_empty()).map(|t| t.trim().to_string());
                    if name == "title" {
                        front.title = t;
                    } else {
                        front.description = t;
                    }
                }
                Err(()) => problems.push(wrong("text")),
            },
            "draft" => match value.value {
                Yaml::Bool(b) => front.draft = b,
                Yaml::Null => {}
                _ => problems.push(wrong("true or false")),
            },
            "template" => match value.value {
                Yaml::Str(ref s) => front.template = Some((s.clone(), at)),
                Yaml::Null => {}
                _ => problems.push(wrong("the name of a template")),
            },
            "slug" => match value.value {
                Yaml::Str(ref s) => match slug_problem(s) {
                    Some(why) => problems.push(Problem::error(at, format!("front matter: {why}"))),
                    None => front.slug = Some(s.clone()),
                },
                Yaml::Null => {}
                _ => problems.push(wrong("text (the last part of the page's URL)")),
            },
            "aliases" | "redirect_from" => match &value.value {
                Yaml::Str(s) => front.aliases.push((s.clone(), at)),
                Yaml::Seq(items) if items.iter().all(|i| matches!(i, Yaml::Str(_) | Yaml::Null)) => {
                    front.aliases.extend(items.iter().filter_map(|i| match i {
                        Yaml::Str(s) => Some((s.clone(), at)),
                        _ => None,
                    }));
                }
                Yaml::Null => {}
                _ => problems.push(wrong("a URL or a list of URLs")),
            },
            "permalink" | "url" => problems.push(Problem::warning(
                offset + key.offset,
                format!(
                    "front matter: `{name}` is ignored: a page's URL follows its file's path \
                     (use `slug` to rename its last part, `aliases` to keep old URLs working)"
                ),
            )),
            k if ORDER_KEYS.contains(&k) => match order_of(&value.value) {
                Ok(None) => {}
                Ok(Some((w, rounded))) => {
                    if rounded {
                        problems.push(Problem::warning(
                            at,
                            format!("front matter: `{name}` is not a whole number; stagebook orders by {w}"),
                        ));
                    }
                    let rank = ORDER_KEYS.iter().position(|o| *o == k).unwrap_or(0);
                    if order.is_none_or(|(r, _)| rank < r) {
                        order = Some((rank, w));
                    }
                }
                Err(()) => problems.push(wrong("a whole number")),
            },
            "extra" => match value.value.to_toml() {
                Some(toml::Value::Table(t)) => front.extra.extend(t),
                Some(v) => {
                    front.extra.insert(name, v);
                }
                None => {}
            },
            _ => {
                if let Some(v) = value.value.to_toml() {
                    front.extra.insert(name, v);
                }
            }
        }
    }
    front.weight = order.map(|(_, w)| w);
    front
}

/// A title or description: text, or a number written without quotes (`title: 2024`).
fn text_of(v: &Yaml) -> Result<Option<String>, ()> {
    match v {
        Yaml::Null => Ok(None),
        Yaml::Str(s) => Ok(Some(s.clone())),
        Yaml::Int(_) | Yaml::Float(_) => Ok(v.scalar_text()),
        _ => Err(()),
    }
}

/// A position: a whole number, or a fractional one (Docusaurus allows `2.5`) rounded down,
/// with `true` when it was rounded.
fn order_of(v: &Yaml) -> Result<Option<(i64, bool)>, ()> {
    match v {
        Yaml::Null => Ok(None),
        Yaml::Int(i) => i64::try_from(*i).map(|i| Some((i, false))).map_err(|_| ()),
        Yaml::Float(f) if f.is_finite() && f.abs() < 9.0e15 => Ok(Some((f.floor() as i64, f.fract() != 0.0))),
        _ => Err(()),
    }
}

/// Why `slug` cannot be the last segment of a URL, or `None`.
pub(crate) fn slug_problem(slug: &str) -> Option<String> {
    let why = if slug.trim().is_empty() {
        "is empty".to_string()
    } else if slug.contains('/') {
        "contains `/` (a slug renames only the last part of the page's URL; use a folder to move it)".to_string()
    } else if slug.starts_with('.') {
        "starts with a dot".to_string()
    } else if slug.contains('%') || slug.contains('#') {
        "contains `%` or `#`".to_string()
    } else {
        super::paths::name_problem(slug)?
    };
    Some(format!("`slug = {slug:?}` cannot be used: it {why}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn front(text: &str) -> FrontMatter {
        let e = extract(text).expect("extracts");
        assert!(e.problems.is_empty(), "{:?}", e.problems);
        e.front.expect("has front matter")
    }

    #[test]
    fn splits_toml_front_matter_from_body() {
        let text = "+++\ntitle = \"A\"\n+++\n# Body\n";
        let e = extract(text).unwrap();
        assert_eq!(e.front.unwrap().title.as_deref(), Some("A"));
        assert_eq!(e.body, "# Body\n");
        assert_eq!(&text[e.body_offset..], "# Body\n");
    }

    #[test]
    fn handles_crlf_and_bom() {
        let text = "\u{feff}+++\r\nweight = 1\r\n+++\r\nbody";
        let e = extract(text).unwrap();
        assert_eq!(e.front.unwrap().weight, Some(1));
        assert_eq!(e.body, "body");
        let text = "\u{feff}---\r\nweight: 2\r\n---\r\nbody";
        assert_eq!(front(text).weight, Some(2));
    }

    #[test]
    fn no_fence_means_all_body() {
        let e = extract("# Title\n+++\n").unwrap();
        assert!(e.front.is_none());
        assert_eq!(e.body, "# Title\n+++\n");
        assert_eq!(extract("").unwrap().body, "");
    }

    #[test]
    fn unclosed_toml_fence_is_an_error() {
        assert_eq!(extract("+++\ntitle = \"x\"\n").unwrap_err(), Problem::error(0, UNCLOSED));
        assert_eq!(extract("+++").unwrap_err(), Problem::error(0, UNCLOSED));
    }

    #[test]
    fn bad_toml_points_into_the_file() {
        let text = "+++\ntitle = \"ok\"\nweight = \"heavy\"\n+++\n";
        let Problem { offset, .. } = extract(text).unwrap_err();
        assert_eq!(&text[offset..offset + 7], "\"heavy\"");
    }

    #[test]
    fn unknown_toml_keys_are_rejected() {
        assert!(extract("+++\ntitel = \"x\"\n+++\n").is_err());
        let fm = front("+++\ntitle = \"x\"\nslug = \"y\"\naliases = [\"old/\"]\n[extra]\nowner = \"ops\"\n+++\n");
        assert_eq!(fm.extra["owner"].as_str(), Some("ops"));
        assert_eq!(fm.slug.as_deref(), Some("y"));
        assert_eq!(fm.aliases.len(), 1);
    }

    #[test]
    fn yaml_front_matter_of_other_tools() {
        let jekyll = "---\nlayout: page\ntitle: Onboarding\npermalink_style: none\nredirect_from:\n  - /old/\n  - /older/\n---\nbody\n";
        let fm = front(jekyll);
        assert_eq!(fm.title.as_deref(), Some("Onboarding"));
        assert_eq!(fm.extra["layout"].as_str(), Some("page"));
        assert_eq!(fm.aliases.iter().map(|(a, _)| a.as_str()).collect::<Vec<_>>(), ["/old/", "/older/"]);
        let hugo = "---\ntitle: \"Deploy\"\nweight: 20\ndraft: true\naliases: [/deploy-old/]\ntags: [ops, ci]\n---\n";
        let fm = front(hugo);
        assert_eq!((fm.weight, fm.draft), (Some(20), true));
        assert_eq!(fm.extra["tags"].as_array().unwrap().len(), 2);
        let docusaurus = "---\nsidebar_position: 3\nsidebar_label: Intro\n---\n";
        assert_eq!(front(docusaurus).weight, Some(3));
        assert_eq!(front("---\nnav_order: 4\n---\n").weight, Some(4));
        assert_eq!(front("---\norder: 5\nnav_order: 6\n---\n").weight, Some(6));
        assert_eq!(front("---\norder: 5\nweight: 1\n---\n").weight, Some(1));
    }

    #[test]
    fn a_dash_block_that_is_not_a_mapping_is_body() {
        for text in ["---\n\nSome text\n---\n", "---\nTitle\n---\n", "---\n- a\n---\n", "---\nno end\n"] {
            let e = extract(text).unwrap();
            assert!(e.front.is_none(), "{text:?}");
            assert_eq!(e.body, text);
        }
        // Prose that YAML cannot read, between two rules.
        let e = extract("---\nA: b: c [\n---\n").map(|e| e.front.is_none());
        assert!(e.is_err() || e == Ok(true));
        // A first line that reads as a `key:` entry was meant as front matter: its error is reported.
        assert!(extract("---\nJust: a sentence: with colons\n---\n").is_err());
    }

    #[test]
    fn broken_yaml_meant_as_front_matter_is_an_error_at_its_place() {
        let text = "---\ntitle: ok\ntags: [a, b\n---\nbody";
        let e = extract(text).unwrap_err();
        assert!(e.message.starts_with("YAML front matter:"), "{}", e.message);
        assert!(e.offset >= 4 && e.offset <= text.len());
    }

    #[test]
    fn wrong_types_are_errors_at_the_value_and_the_rest_is_kept() {
        let text = "---\ntitle: [1, 2]\nweight: heavy\ndraft: maybe\nslug: a/b\ndescription: fine\n---\n";
        let e = extract(text).unwrap();
        let messages: Vec<&str> = e.problems.iter().map(|p| p.message.as_str()).collect();
        assert_eq!(e.problems.len(), 4, "{messages:?}");
        assert!(e.problems.iter().all(|p| p.is_error));
        assert!(messages[0].contains("`title` must be text, not a list"), "{}", messages[0]);
        assert_eq!(&text[e.problems[0].offset..e.problems[0].offset + 6], "[1, 2]");
        assert!(messages[3].contains("contains `/`"));
        assert_eq!(e.front.unwrap().description.as_deref(), Some("fine"));
    }

    #[test]
    fn permalink_and_url_are_warnings() {
        let text = "---\ntitle: A\npermalink: /a/b/\n---\n";
        let e = extract(text).unwrap();
        assert_eq!(e.problems.len(), 1);
        assert!(!e.problems[0].is_error);
        assert_eq!(&text[e.problems[0].offset..e.problems[0].offset + 9], "permalink");
        assert!(e.front.unwrap().extra.is_empty());
    }

    #[test]
    fn fractional_positions_are_rounded_with_a_warning() {
        let e = extract("---\nsidebar_position: 2.5\n---\n").unwrap();
        assert_eq!(e.front.unwrap().weight, Some(2));
        assert!(!e.problems[0].is_error);
    }

    #[test]
    fn extra_merges_and_nulls_are_dropped() {
        let fm = front("---\nowner: ops\nnothing: ~\nextra:\n  team: core\n---\n");
        assert_eq!(fm.extra["owner"].as_str(), Some("ops"));
        assert_eq!(fm.extra["team"].as_str(), Some("core"));
        assert!(!fm.extra.contains_key("nothing"));
        // Empty front matter, as Jekyll writes it.
        assert_eq!(front("---\n---\n# T\n"), FrontMatter::default());
    }

    #[test]
    fn slugs_are_found_before_parsing_and_checked() {
        assert_eq!(slug_of("---\nslug: install\n---\n").as_deref(), Some("install"));
        assert_eq!(slug_of("+++\nslug = \"install\"\n+++\n").as_deref(), Some("install"));
        assert_eq!(slug_of("---\nslug: ../x\n---\n"), None);
        assert_eq!(slug_of("---\ntitle: x\n---\n"), None);
        assert_eq!(slug_of("no front matter"), None);
        for bad in ["", "a/b", "..", ".hidden", "a:b", "x%20", "tab\t"] {
            assert!(slug_problem(bad).is_some(), "{bad:?}");
        }
        assert_eq!(slug_problem("getting-started"), None);
    }
}
