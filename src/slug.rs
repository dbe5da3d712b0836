//! Turning human text into ids and ids back into human text.

use rustc_hash::FxHashMap;

/// GitHub-compatible heading id: lowercase, letters/digits/`-`/`_` kept, spaces become `-`,
/// everything else dropped. Handbooks written for GitHub keep working anchors.
pub(crate) fn heading_id(text: &str) -> String {
    let mut id = String::with_capacity(text.len());
    for c in text.trim().chars() {
        // ASCII (most headings) skips the Unicode tables; the same result.
        if c.is_ascii() {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                id.push(c.to_ascii_lowercase());
            } else if c == ' ' {
                id.push('-');
            }
        } else if c.is_alphanumeric() {
            id.extend(c.to_lowercase());
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
        assert_eq!(heading_id("Auth & authorization"), "auth--authorization");
        assert_eq!(heading_id("What’s 1M+?"), "whats-1m");
        assert_eq!(heading_id("POC vs. MVP"), "poc-vs-mvp");
        assert_eq!(heading_id("Série A — étapes"), "série-a--étapes");
        assert_eq!(heading_id("snake_case and-dash"), "snake_case-and-dash");
    }

    #[test]
    fn the_ascii_shortcut_gives_the_general_rule_for_every_char() {
        let general = |text: &str| -> String {
            let mut id = String::new();
            for c in text.trim().chars() {
                if c.is_alphanumeric() || c == '_' || c == '-' {
                    id.extend(c.to_lowercase());
                } else if c == ' ' {
                    id.push('-');
                }
            }
            id
        };
        for c in (0..0x3000u32).chain(0x1_0400..0x1_0500).filter_map(char::from_u32) {
            let text = format!("A{c}z {c}İ");
            assert_eq!(heading_id(&text), general(&text), "{:?}", c);
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
