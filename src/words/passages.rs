//! The sections' text beyond their snippets ([`super::SectionText::more`]), held in a few large
//! chunks ([`TextChunks`]) for a one-shot build. The search index needs that text only to write
//! its `m/` files, early on, and then frees the chunks whole.

use std::sync::Mutex;

use super::SectionText;
use crate::chunks::TextChunks;

/// Moves the sections' `more` text into `store`, freeing each section's own string while its
/// page is parsed (so the next page's allocations reuse it), with one lock per page.
pub(crate) fn keep_passages(sections: &mut [SectionText], store: &Mutex<TextChunks>) {
    if sections.iter().all(|s| s.more.is_empty()) {
        return;
    }
    let mut store = store.lock().unwrap_or_else(|e| e.into_inner());
    for s in sections.iter_mut().filter(|s| !s.more.is_empty()) {
        s.passage = Some(store.push(&s.more));
        s.more = String::new();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chunks::CHUNK_BYTES;

    #[test]
    fn kept_sections_point_at_their_text_and_let_theirs_go() {
        let section = |more: &str| SectionText { more: more.to_string(), ..Default::default() };
        let mut sections = vec![section("one passage"), section(""), section("another")];
        let store = Mutex::new(TextChunks::new(CHUNK_BYTES));
        keep_passages(&mut sections, &store);
        let store = store.into_inner().unwrap();
        let kept: Vec<Option<&str>> = sections.iter().map(|s| s.passage.map(|p| store.get(p))).collect();
        assert_eq!(kept, [Some("one passage"), None, Some("another")]);
        assert!(sections.iter().all(|s| s.more.is_empty() && s.more.capacity() == 0));
    }
}
