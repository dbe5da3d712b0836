//! YAML front matter as plain values: what Jekyll, Hugo, Docusaurus, GitLab and Obsidian pages
//! carry between `---` lines.
//!
//! Parsed with serde-saphyr (pure safe Rust, no libyaml; see Cargo.toml for why this crate).
//! Its budget bounds what a hostile block can cost: alias expansion ("billion laughs"), nesting
//! depth and node count are capped far below anything that could exhaust memory, and each cap
//! is an error at the block, not a crash.

use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_saphyr::{Location, Spanned};

/// One YAML value, tags dropped (a page has no schema that could give them meaning).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Yaml {
    Null,
    Bool(bool),
    /// Any integer YAML can write that fits 128 bits.
    Int(i128),
    Float(f64),
    Str(String),
    Seq(Vec<Yaml>),
    Map(Vec<(Yaml, Yaml)>),
}

/// A value and its byte offset in the YAML text.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Placed {
    pub(crate) value: Yaml,
    pub(crate) offset: usize,
}

/// What a `---` block holds.
#[derive(Debug, PartialEq)]
pub(crate) enum Block {
    /// A mapping (or nothing at all, which Jekyll writes as `---\n---`): front matter. Each key
    /// with its value, with their places.
    Mapping(Vec<(Placed, Placed)>),
    /// A scalar or a sequence: not front matter (the `---` is a thematic break).
    Other,
}

/// Why a block could not be read, at a byte offset of the YAML text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct YamlError {
    pub(crate) offset: usize,
    pub(crate) message: String,
}

/// Caps for one page's front matter: generous for any real page (a few dozen keys), tiny next
/// to memory. The alias caps stop expansion bombs before they expand.
fn options() -> serde_saphyr::Options {
    let mut budget = serde_saphyr::Budget::default();
    budget.max_depth = 32;
    budget.max_nodes = 20_000;
    budget.max_events = 50_000;
    budget.max_aliases = 1_000;
    budget.max_anchors = 1_000;
    budget.max_total_scalar_bytes = 1 << 20;
    budget.max_documents = 1;
    let mut options = serde_saphyr::Options::default();
    options.budget = Some(budget);
    options.alias_limits.max_total_replayed_events = 20_000;
    options.alias_limits.max_replay_stack_depth = 16;
    options.with_snippet = false;
    // `1e400` is a number to YAML; TOML (page.extra) has `inf` for it.
    options.non_finite_float_policy = serde_saphyr::NonFiniteFloatPolicy::PassThrough;
    options
}

/// Reads a `---` block's text.
pub(crate) fn parse(text: &str) -> Result<Block, YamlError> {
    match serde_saphyr::from_str_with_options::<Option<Top>>(text, options()) {
        Ok(None) => Ok(Block::Mapping(Vec::new())),
        Ok(Some(Top::Mapping(entries))) => {
            Ok(Block::Mapping(entries.into_iter().map(|(k, v)| (placed(k, text), placed(v, text))).collect()))
        }
        Ok(Some(Top::Other)) => Ok(Block::Other),
        Err(e) => {
            let offset = e.location().map_or(0, |l| offset_of(&l, text));
            Err(YamlError { offset, message: message_of(&e) })
        }
    }
}

/// The error's own words, without the place (the diagnostic shows that) or a snippet.
fn message_of(e: &serde_saphyr::Error) -> String {
    let text = e.to_string();
    let first = text.lines().next().unwrap_or("").trim();
    // "... at line 3, column 7": the diagnostic already says where.
    let cut = first.find(" at line ").map_or(first, |i| &first[..i]);
    let cut = cut.trim_end_matches(['.', ':', ' ']);
    if cut.is_empty() {
        "cannot be read as YAML".to_string()
    } else {
        cut.to_string()
    }
}

fn placed(s: Spanned<Yaml>, text: &str) -> Placed {
    Placed { offset: offset_of(&s.referenced, text), value: s.value }
}

/// Byte offset of a location in `text`: its byte offset when the parser knows it, else from
/// its line and (character) column.
fn offset_of(loc: &Location, text: &str) -> usize {
    if let Some(b) = loc.span().byte_offset() {
        return usize::try_from(b).unwrap_or(usize::MAX).min(text.len());
    }
    let (line, column) = (loc.line() as usize, loc.column() as usize);
    if line == 0 {
        return 0;
    }
    let mut start = 0;
    for _ in 1..line {
        match text[start..].find('\n') {
            Some(i) => start += i + 1,
            None => return text.len(),
        }
    }
    let line_text = &text[start..];
    start + line_text.char_indices().nth(column.saturating_sub(1)).map_or(line_text.len(), |(i, _)| i)
}

/// The top of the block: a mapping with places, or anything else (consumed and dropped).
enum Top {
    Mapping(Vec<(Spanned<Yaml>, Spanned<Yaml>)>),
    Other,
}

impl<'de> Deserialize<'de> for Top {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct TopVisitor;
        impl<'de> Visitor<'de> for TopVisitor {
            type Value = Top;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("YAML")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Top, A::Error> {
                let mut entries = Vec::new();
                while let Some(key) = map.next_key::<Spanned<Yaml>>()? {
                    entries.push((key, map.next_value::<Spanned<Yaml>>()?));
                }
                Ok(Top::Mapping(entries))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Top, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Top::Other)
            }
            fn visit_bool<E>(self, _: bool) -> Result<Top, E> {
                Ok(Top::Other)
            }
            fn visit_i64<E>(self, _: i64) -> Result<Top, E> {
                Ok(Top::Other)
            }
            fn visit_u64<E>(self, _: u64) -> Result<Top, E> {
                Ok(Top::Other)
            }
            fn visit_i128<E>(self, _: i128) -> Result<Top, E> {
                Ok(Top::Other)
            }
            fn visit_u128<E>(self, _: u128) -> Result<Top, E> {
                Ok(Top::Other)
            }
            fn visit_f64<E>(self, _: f64) -> Result<Top, E> {
                Ok(Top::Other)
            }
            fn visit_str<E>(self, _: &str) -> Result<Top, E> {
                Ok(Top::Other)
            }
            fn visit_bytes<E>(self, _: &[u8]) -> Result<Top, E> {
                Ok(Top::Other)
            }
            fn visit_unit<E>(self) -> Result<Top, E> {
                Ok(Top::Mapping(Vec::new()))
            }
        }
        d.deserialize_any(TopVisitor)
    }
}

impl<'de> Deserialize<'de> for Yaml {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct YamlVisitor;
        impl<'de> Visitor<'de> for YamlVisitor {
            type Value = Yaml;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a YAML value")
            }
            fn visit_bool<E>(self, v: bool) -> Result<Yaml, E> {
                Ok(Yaml::Bool(v))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Yaml, E> {
                Ok(Yaml::Int(v.into()))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Yaml, E> {
                Ok(Yaml::Int(v.into()))
            }
            fn visit_i128<E>(self, v: i128) -> Result<Yaml, E> {
                Ok(Yaml::Int(v))
            }
            fn visit_u128<E>(self, v: u128) -> Result<Yaml, E> {
                Ok(i128::try_from(v).map_or_else(|_| Yaml::Str(v.to_string()), Yaml::Int))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Yaml, E> {
                Ok(Yaml::Float(v))
            }
            fn visit_str<E>(self, v: &str) -> Result<Yaml, E> {
                Ok(Yaml::Str(v.to_string()))
            }
            fn visit_string<E>(self, v: String) -> Result<Yaml, E> {
                Ok(Yaml::Str(v))
            }
            fn visit_bytes<E>(self, v: &[u8]) -> Result<Yaml, E> {
                Ok(Yaml::Str(String::from_utf8_lossy(v).into_owned()))
            }
            fn visit_unit<E>(self) -> Result<Yaml, E> {
                Ok(Yaml::Null)
            }
            fn visit_none<E>(self) -> Result<Yaml, E> {
                Ok(Yaml::Null)
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Yaml, D::Error> {
                Yaml::deserialize(d)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Yaml, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element()? {
                    items.push(item);
                }
                Ok(Yaml::Seq(items))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Yaml, A::Error> {
                let mut entries = Vec::new();
                while let Some(key) = map.next_key()? {
                    entries.push((key, map.next_value()?));
                }
                Ok(Yaml::Map(entries))
            }
            fn visit_enum<A: de::EnumAccess<'de>>(self, data: A) -> Result<Yaml, A::Error> {
                // A tagged value some deserializers report as an enum: keep the value.
                let (_, variant): (IgnoredAny, _) = data.variant()?;
                de::VariantAccess::newtype_variant::<Yaml>(variant)
            }
        }
        d.deserialize_any(YamlVisitor)
    }
}

impl Yaml {
    /// What the value is, for messages ("a list", "a number").
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Yaml::Null => "empty",
            Yaml::Bool(_) => "true or false",
            Yaml::Int(_) | Yaml::Float(_) => "a number",
            Yaml::Str(_) => "text",
            Yaml::Seq(_) => "a list",
            Yaml::Map(_) => "a mapping",
        }
    }

    /// A scalar as the text a key or a title would show; `None` for lists and mappings.
    pub(crate) fn scalar_text(&self) -> Option<String> {
        match self {
            Yaml::Null => Some(String::new()),
            Yaml::Bool(b) => Some(b.to_string()),
            Yaml::Int(i) => Some(i.to_string()),
            Yaml::Float(f) => Some(f.to_string()),
            Yaml::Str(s) => Some(s.clone()),
            Yaml::Seq(_) | Yaml::Map(_) => None,
        }
    }

    /// As a TOML value for `page.extra`: nulls are dropped (TOML has none), integers beyond
    /// 64 bits become their digits, mapping keys their text (a list or mapping as a key is
    /// dropped: no template could name it).
    pub(crate) fn to_toml(&self) -> Option<toml::Value> {
        Some(match self {
            Yaml::Null => return None,
            Yaml::Bool(b) => toml::Value::Boolean(*b),
            Yaml::Int(i) => i64::try_from(*i).map_or_else(|_| toml::Value::String(i.to_string()), toml::Value::Integer),
            Yaml::Float(f) => toml::Value::Float(*f),
            Yaml::Str(s) => toml::Value::String(s.clone()),
            Yaml::Seq(items) => toml::Value::Array(items.iter().filter_map(Yaml::to_toml).collect()),
            Yaml::Map(entries) => {
                toml::Value::Table(entries.iter().filter_map(|(k, v)| Some((k.scalar_text()?, v.to_toml()?))).collect())
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mapping(text: &str) -> Vec<(Placed, Placed)> {
        match parse(text) {
            Ok(Block::Mapping(m)) => m,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn mappings_keep_the_places_of_keys_and_values() {
        let text = "title: Onboarding\nweight: 3\ntags: [a, b]\n";
        let m = mapping(text);
        assert_eq!(m.len(), 3);
        assert_eq!(m[0].0.value, Yaml::Str("title".into()));
        assert_eq!(&text[m[0].1.offset..m[0].1.offset + 10], "Onboarding");
        assert_eq!(m[1].1.value, Yaml::Int(3));
        assert_eq!(&text[m[2].1.offset..m[2].1.offset + 1], "[");
        assert_eq!(m[2].1.value, Yaml::Seq(vec![Yaml::Str("a".into()), Yaml::Str("b".into())]));
    }

    #[test]
    fn scalars_and_lists_are_not_front_matter() {
        assert_eq!(parse("Some text\n"), Ok(Block::Other));
        assert_eq!(parse("- a\n- b\n"), Ok(Block::Other));
        assert_eq!(parse("42"), Ok(Block::Other));
        // Nothing at all, or only a comment: an empty front matter block (Jekyll's `---\n---`).
        assert_eq!(parse(""), Ok(Block::Mapping(Vec::new())));
        assert_eq!(parse("# nothing\n"), Ok(Block::Mapping(Vec::new())));
    }

    #[test]
    fn alias_bombs_are_errors_not_expansions() {
        let mut bomb =
            String::from("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
        let names: Vec<char> = "abcdefghijklmnop".chars().collect();
        for w in names.windows(2) {
            let refs = vec![format!("*{}", w[0]); 9].join(",");
            bomb.push_str(&format!("{}: &{} [{refs}]\n", w[1], w[1]));
        }
        let e = parse(&bomb).unwrap_err();
        assert!(!e.message.is_empty());
        // A few honest aliases are fine.
        let m = mapping("base: &b {x: 1}\ncopy: *b\n");
        assert_eq!(m[1].1.value, Yaml::Map(vec![(Yaml::Str("x".into()), Yaml::Int(1))]));
    }

    #[test]
    fn deep_nesting_is_an_error() {
        let deep = format!("k: {}{}\n", "[".repeat(10_000), "]".repeat(10_000));
        assert!(parse(&deep).is_err());
        let block = (0..200).fold(String::from("k:\n"), |mut s, i| {
            s.push_str(&" ".repeat(i + 1));
            s.push_str("- \n");
            s
        });
        let _ = parse(&block); // error or value, but no panic or overflow
    }

    #[test]
    fn huge_numbers_and_tags_become_values() {
        let m = mapping("big: 99999999999999999999999999999999999999999\nneg: -170141183460469231731687303715884105728\ntagged: !custom hello\nf: 1e400\n");
        assert!(matches!(&m[0].1.value, Yaml::Str(_) | Yaml::Float(_)), "{:?}", m[0].1.value);
        assert_eq!(m[2].1.value, Yaml::Str("hello".into()));
        assert!(m[3].1.value.to_toml().is_some());
    }

    #[test]
    fn to_toml_drops_nulls_and_stringifies_keys() {
        let y = Yaml::Map(vec![
            (Yaml::Str("a".into()), Yaml::Null),
            (Yaml::Int(1), Yaml::Seq(vec![Yaml::Null, Yaml::Bool(true)])),
            (Yaml::Str("big".into()), Yaml::Int(i128::from(i64::MAX) + 1)),
            (Yaml::Seq(vec![]), Yaml::Int(1)),
        ]);
        let t = y.to_toml().unwrap();
        let t = t.as_table().unwrap();
        assert!(!t.contains_key("a"));
        assert_eq!(t["1"].as_array().unwrap(), &vec![toml::Value::Boolean(true)]);
        assert_eq!(t["big"].as_str(), Some("9223372036854775808"));
        assert_eq!(t.len(), 2);
    }

    #[test]
    fn syntax_errors_have_places() {
        let text = "title: ok\nweight: [1, 2\n";
        let e = parse(text).unwrap_err();
        assert!(e.offset > 0 && e.offset <= text.len(), "{e:?}");
    }
}
