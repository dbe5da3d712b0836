//! Turning human text into ids and ids back into human text.

use rustc_hash::FxHashMap;
use unicode_normalization::char::is_combining_mark;

/// Whose rule turns a heading into its id: a handbook's `#anchor` links were written against
/// the site that published it first, so its ids must come out the same.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) enum IdRule {
    /// GitHub's (github-slugger): combining marks (Unicode categories Mn, Mc, Me) are kept, so
    /// `## ⚠️ Warning` keeps its variation selector: `️-warning`.
    #[default]
    GitHub,
    /// mdBook's: combining marks are dropped like other symbols (`-warning`).
    MdBook,
}

/// A heading's id: lowercase, letters/digits/`-`/`_` kept, spaces become `-`, everything else
/// dropped. The two rules differ where GitHub's and mdBook's do: [`IdRule::GitHub`] keeps
/// combining marks (`İ` lowercases to `i` and a combining dot, both kept); [`IdRule::MdBook`]
/// drops them and turns every white space character (a tab, a no-break space) into `-`.
/// Handbooks written for GitHub or mdBook keep working anchors.
pub(crate) fn heading_id(text: &str, rule: IdRule) -> String {
    let mdbook = rule == IdRule::MdBook;
    let mut id = String::with_capacity(text.len());
    for c in text.trim().chars() {
        // ASCII (most headings) skips the Unicode tables; the same result.
        if c.is_ascii() {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                id.push(c.to_ascii_lowercase());
            } else if c == ' ' || (mdbook && c.is_whitespace()) {
                id.push('-');
            }
        } else if c.is_alphanumeric() {
            // mdBook lowercases first and then keeps letters and digits only.
            id.extend(c.to_lowercase().filter(|l| !mdbook || l.is_alphanumeric()));
        } else if mdbook && c.is_whitespace() {
            id.push('-');
        } else if !mdbook && is_combining_mark(c) {
            id.push(c);
        }
    }
    id
}

/// A slug for ids and file names: lowercase ASCII letters and digits separated by single `-`.
pub(crate) fn slugify(text: &str) -> String {
    let mut out = String::new();
    let mut dash = false;
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.push(c);
        } else {
            dash = true;
        }
    }
    out
}

/// "getting-started_guide" -> "Getting started guide": a title for a page that has none.
pub(crate) fn title_from_name(name: &str) -> String {
    let words: Vec<&str> = name.split(['-', '_', ' ']).filter(|w| !w.is_empty()).collect();
    let text = words.join(" ");
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => name.to_string(),
    }
}

/// Hands out unique ids within one page: the second "Setup" becomes "setup-1". One per page,
/// so its map is keyed with the fast hasher (never iterated: the order cannot show).
#[derive(Default)]
pub(crate) struct IdAllocator {
    seen: FxHashMap<String, usize>,
}

impl IdAllocator {
    /// An allocator that treats `taken` as already used.
    pub(crate) fn reserving(taken: &[&str]) -> IdAllocator {
        IdAllocator { seen: taken.iter().map(|t| (t.to_string(), 0)).collect() }
    }

    pub(crate) fn unique(&mut self, base: &str) -> String {
        let base = if base.is_empty() { "section" } else { base };
        let Some(&last) = self.seen.get(base) else {
            self.seen.insert(base.to_string(), 0);
            return base.to_string();
        };
        let mut n = last;
        loop {
            n += 1;
            let candidate = format!("{base}-{n}");
            if !self.seen.contains_key(&candidate) {
                self.seen.insert(base.to_string(), n);
                self.seen.insert(candidate.clone(), 0);
                return candidate;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heading_ids_follow_github() {
        for rule in [IdRule::GitHub, IdRule::MdBook] {
            assert_eq!(heading_id("Auth & authorization", rule), "auth--authorization");
            assert_eq!(heading_id("What’s 1M+?", rule), "whats-1m");
            assert_eq!(heading_id("POC vs. MVP", rule), "poc-vs-mvp");
            assert_eq!(heading_id("Série A — étapes", rule), "série-a--étapes");
            assert_eq!(heading_id("snake_case and-dash", rule), "snake_case-and-dash");
        }
    }

    #[test]
    fn mdbook_turns_every_white_space_into_a_dash_and_drops_what_lowercasing_adds() {
        // French typography puts a no-break space before `?`; a tab is white space too.
        assert_eq!(heading_id("Pourquoi\u{a0}?", IdRule::MdBook), "pourquoi-");
        assert_eq!(heading_id("Pourquoi\u{a0}?", IdRule::GitHub), "pourquoi");
        assert_eq!(heading_id("a\tb", IdRule::MdBook), "a-b");
        assert_eq!(heading_id("a\tb", IdRule::GitHub), "ab");
        // `İ` lowercases to `i` and U+0307: a combining mark, kept by GitHub only.
        assert_eq!(heading_id("İstanbul", IdRule::MdBook), "istanbul");
        assert_eq!(heading_id("İstanbul", IdRule::GitHub), "i\u{307}stanbul");
    }

    #[test]
    fn github_keeps_combining_marks_and_mdbook_drops_them() {
        // U+26A0 (a symbol: dropped) and U+FE0F (a variation selector, Mn).
        assert_eq!(heading_id("⚠\u{fe0f} Warning", IdRule::GitHub), "\u{fe0f}-warning");
        assert_eq!(heading_id("⚠\u{fe0f} Warning", IdRule::MdBook), "-warning");
        // A decomposed accent (U+0301, Mn) and an enclosing circle (U+20DD, Me).
        assert_eq!(heading_id("Cafe\u{301} 1\u{20dd}", IdRule::GitHub), "cafe\u{301}-1\u{20dd}");
        assert_eq!(heading_id("Cafe\u{301} 1\u{20dd}", IdRule::MdBook), "cafe-1");
        // A spacing mark (Mc) that is not alphabetic: U+1D165 (musical stem).
        assert_eq!(heading_id("a\u{1d165}", IdRule::GitHub), "a\u{1d165}");
        assert_eq!(heading_id("a\u{1d165}", IdRule::MdBook), "a");
    }

    #[test]
    fn the_ascii_shortcut_gives_the_general_rule_for_every_char() {
        // Each tool's rule as it states it: lowercase the whole text, then sort its characters.
        let general = |text: &str, rule: IdRule| -> String {
            let mut id = String::new();
            for c in text.trim().to_lowercase().chars() {
                if c.is_alphanumeric() || c == '_' || c == '-' {
                    id.push(c);
                } else if c == ' ' || (rule == IdRule::MdBook && c.is_whitespace()) {
                    id.push('-');
                } else if rule == IdRule::GitHub && is_combining_mark(c) {
                    id.push(c);
                }
            }
            id
        };
        for c in (0..0x3000u32).chain(0x1_0400..0x1_0500).chain(0xfe00..0xfe10).filter_map(char::from_u32) {
            let text = format!("A{c}z {c}İ");
            for rule in [IdRule::GitHub, IdRule::MdBook] {
                assert_eq!(heading_id(&text, rule), general(&text, rule), "{c:?} {rule:?}");
            }
        }
    }

    #[test]
    fn repeated_headings_get_numbered_ids() {
        let mut ids = IdAllocator::default();
        assert_eq!(ids.unique("setup"), "setup");
        assert_eq!(ids.unique("setup"), "setup-1");
        assert_eq!(ids.unique("setup-1"), "setup-1-1");
        assert_eq!(ids.unique("setup"), "setup-2");
        assert_eq!(ids.unique(""), "section");
        let mut ids = IdAllocator::reserving(&["content"]);
        assert_eq!(ids.unique("content"), "content-1");
    }

    #[test]
    fn slugs_are_ascii_and_dashed() {
        assert_eq!(slugify("Our  Ops Handbook!"), "our-ops-handbook");
        assert_eq!(slugify("--x--"), "x");
    }

    #[test]
    fn titles_from_file_names() {
        assert_eq!(title_from_name("getting-started_guide"), "Getting started guide");
        assert_eq!(title_from_name("faq"), "Faq");
    }
}
