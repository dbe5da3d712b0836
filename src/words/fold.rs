//! The forms a query must match whatever the keyboard: accents folded, and Chinese, Japanese
//! and Korean text cut into character pairs. `themes/default/static/search.js` does the same
//! to each query word (`fold`, `cjk`); tests/search_i18n.rs runs both on the same text.

use std::borrow::Cow;

use unicode_normalization::UnicodeNormalization;

/// Whether `c` is written without spaces between words (Han, kana, Hangul): a run of such
/// characters is indexed as overlapping pairs, so a word inside an unspaced sentence is found.
pub(crate) fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{1100}'..='\u{11FF}'       // Hangul jamo
        | '\u{3005}'..='\u{3007}'     // 々 〆 〇
        | '\u{3040}'..='\u{30FF}'     // hiragana, katakana
        | '\u{3130}'..='\u{318F}'     // Hangul compatibility jamo
        | '\u{31F0}'..='\u{31FF}'     // katakana extensions
        | '\u{3400}'..='\u{4DBF}'     // CJK extension A
        | '\u{4E00}'..='\u{9FFF}'     // CJK unified ideographs
        | '\u{AC00}'..='\u{D7AF}'     // Hangul syllables
        | '\u{F900}'..='\u{FAFF}'     // CJK compatibility ideographs
        | '\u{FF66}'..='\u{FF9F}'     // halfwidth katakana
        | '\u{20000}'..='\u{3FFFF}' // CJK extensions B and on
    )
}

/// Calls `f` with the pieces of a lowercase word: runs of other characters whole (`false`),
/// runs of CJK characters as overlapping pairs, or alone when a single character (`true`).
pub(crate) fn cjk_pieces(word: &str, mut f: impl FnMut(&str, bool)) {
    let mut rest = word;
    while let Some(c) = rest.chars().next() {
        let cjk = is_cjk(c);
        let end = rest.find(|c: char| is_cjk(c) != cjk).unwrap_or(rest.len());
        let (run, next) = rest.split_at(end);
        rest = next;
        if !cjk {
            f(run, false);
            continue;
        }
        let starts: Vec<usize> = run.char_indices().map(|(i, _)| i).chain([run.len()]).collect();
        if starts.len() == 2 {
            f(run, true);
        }
        for w in starts.windows(3) {
            f(&run[w[0]..w[2]], true);
        }
    }
}

/// A lowercase word or stem with its accents folded: `données` and `donnees` are one key.
/// Done after stemming, since Snowball's rules read accents. Diacritics of Latin, Greek and
/// Cyrillic letters (U+0300-U+036F after canonical decomposition, except the breve that makes
/// `й` a letter of its own) and Arabic vowel marks and tatweel are dropped; `ß` is `ss`, final
/// `ς` is `σ`, dotless `ı` is `i`, and fullwidth ASCII (in Japanese text) is ASCII.
pub(crate) fn fold(word: &str) -> Cow<'_, str> {
    if word.is_ascii() {
        return Cow::Borrowed(word);
    }
    let mut out = String::with_capacity(word.len());
    for c in word.chars() {
        match c {
            'й' => out.push(c),
            'ß' => out.push_str("ss"),
            'ς' => out.push('σ'),
            'ı' => out.push('i'),
            '\u{FF01}'..='\u{FF5E}' => out.push(char::from_u32(c as u32 - 0xFEE0).unwrap_or(c)),
            _ if (c as u32) < 0xC0 => out.push(c),
            _ => out.extend(std::iter::once(c).nfd().filter(|&d| !dropped(d))),
        }
    }
    let out: String = out.nfc().collect();
    if out == word {
        Cow::Borrowed(word)
    } else {
        Cow::Owned(out)
    }
}

/// Marks [`fold`] drops.
fn dropped(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036F}' | '\u{0640}' | '\u{064B}'..='\u{065F}' | '\u{0670}')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pieces(word: &str) -> Vec<(String, bool)> {
        let mut out = Vec::new();
        cjk_pieces(word, |p, cjk| out.push((p.to_string(), cjk)));
        out
    }

    #[test]
    fn accents_fold_but_letters_of_their_own_stay() {
        assert_eq!(fold("données"), "donnees");
        assert_eq!(fold("größe"), "grosse");
        assert_eq!(fold("ελληνικά"), "ελληνικα");
        assert_eq!(fold("οδος"), "οδοσ");
        assert_eq!(fold("ёлка"), "елка");
        assert_eq!(fold("мой"), "мой", "й is a letter");
        assert_eq!(fold("ısparta"), "isparta");
        assert_eq!(fold("i\u{307}stanbul"), "istanbul", "the dot of İ lowercased");
        assert_eq!(fold("كِتَابٌ"), "كتاب");
        assert_eq!(fold("ａｐｉ"), "api");
        assert_eq!(fold("søren"), "søren", "ø has no decomposition");
        assert_eq!(fold("தமிழ்"), "தமிழ்", "Tamil vowel signs are not accents");
        assert!(matches!(fold("plain"), Cow::Borrowed(_)));
        assert!(matches!(fold("日本語"), Cow::Borrowed(_)));
    }

    #[test]
    fn cjk_runs_become_pairs_and_other_runs_stay_whole() {
        let p = |v: &[(&str, bool)]| v.iter().map(|&(s, c)| (s.to_string(), c)).collect::<Vec<_>>();
        assert_eq!(pieces("設計書"), p(&[("設計", true), ("計書", true)]));
        assert_eq!(pieces("apiの設計v2"), p(&[("api", false), ("の設", true), ("設計", true), ("v2", false)]));
        assert_eq!(pieces("本"), p(&[("本", true)]));
        assert_eq!(pieces("데이터를"), p(&[("데이", true), ("이터", true), ("터를", true)]));
        assert_eq!(pieces("𠮷野家"), p(&[("𠮷野", true), ("野家", true)]));
        assert_eq!(pieces("latin"), p(&[("latin", false)]));
    }
}
