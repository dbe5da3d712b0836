//! How words become index keys in the handbook's language: Snowball stemming and stop words
//! for every language rust-stemmers has, then accent folding ([`fold`]); CJK pairs pass as they
//! are. Languages without a stemmer are indexed word for word, folded.

use std::borrow::Cow;

use rust_stemmers::{Algorithm, Stemmer};
use rustc_hash::FxHashSet;

use super::fold::{fold, is_cjk};

/// English words too common to be worth indexing. Kept rather than NLTK's longer English list,
/// which drops words such as "first" or "under" that handbook queries use.
const ENGLISH_STOP_WORDS: &[&str] = &[
    "a", "about", "after", "all", "also", "an", "and", "any", "are", "as", "at", "be", "been", "but", "by", "can",
    "could", "did", "do", "does", "for", "from", "had", "has", "have", "he", "her", "his", "how", "i", "if", "in",
    "into", "is", "it", "its", "just", "me", "more", "most", "my", "no", "not", "of", "on", "one", "only", "or",
    "other", "our", "out", "over", "she", "so", "some", "such", "than", "that", "the", "their", "them", "then",
    "there", "these", "they", "this", "those", "through", "to", "too", "up", "us", "very", "was", "we", "were", "what",
    "when", "where", "which", "while", "who", "why", "will", "with", "would", "you", "your",
];

/// Language subtag, Snowball algorithm, and the code of its NLTK stop-word list (the Snowball
/// project's lists, shipped by the `stop-words` crate).
const LANGUAGES: &[(&str, Algorithm, &str)] = &[
    ("ar", Algorithm::Arabic, "ar"),
    ("da", Algorithm::Danish, "da"),
    ("nl", Algorithm::Dutch, "nl"),
    ("en", Algorithm::English, "en"),
    ("fi", Algorithm::Finnish, "fi"),
    ("fr", Algorithm::French, "fr"),
    ("de", Algorithm::German, "de"),
    ("el", Algorithm::Greek, "el"),
    ("hu", Algorithm::Hungarian, "hu"),
    ("it", Algorithm::Italian, "it"),
    ("no", Algorithm::Norwegian, "no"),
    ("nb", Algorithm::Norwegian, "no"),
    ("nn", Algorithm::Norwegian, "no"),
    ("pt", Algorithm::Portuguese, "pt"),
    ("ro", Algorithm::Romanian, "ro"),
    ("ru", Algorithm::Russian, "ru"),
    ("es", Algorithm::Spanish, "es"),
    ("sv", Algorithm::Swedish, "sv"),
    ("ta", Algorithm::Tamil, "ta"),
    ("tr", Algorithm::Turkish, "tr"),
];

/// How words become index keys: stemmed, stop words dropped, folded.
pub(crate) struct Analyzer {
    /// The language tag as configured ("pt-BR"), for the index's `lang`.
    lang: String,
    stemmer: Option<Stemmer>,
    stop_words: &'static [&'static str],
    stop_set: FxHashSet<&'static str>,
    /// Turkish and Azerbaijani lowercase `I` to dotless `ı` and `İ` to `i`.
    dotless_i: bool,
}

impl Analyzer {
    pub(crate) fn new(language: &str) -> Analyzer {
        let primary = language.split(['-', '_']).next().unwrap_or("").to_ascii_lowercase();
        let known = LANGUAGES.iter().find(|l| l.0 == primary);
        let stop_words = match known {
            Some(&(_, Algorithm::English, _)) => ENGLISH_STOP_WORDS,
            Some(&(_, _, list)) => stop_words::lookup(list).unwrap_or(&[]),
            None => &[],
        };
        Analyzer {
            lang: language.to_string(),
            stemmer: known.map(|l| Stemmer::create(l.1)),
            stop_words,
            stop_set: stop_words.iter().copied().collect(),
            dotless_i: primary == "tr" || primary == "az",
        }
    }

    /// The language tag the index is for.
    pub(crate) fn lang(&self) -> &str {
        &self.lang
    }

    /// Stop words, for the browser to drop them from queries too.
    pub(crate) fn stop_words(&self) -> &'static [&'static str] {
        self.stop_words
    }

    pub(crate) fn is_stop_word(&self, word: &str) -> bool {
        self.stop_set.contains(word)
    }

    /// Whether words lowercase the Turkish way.
    pub(crate) fn dotless_i(&self) -> bool {
        self.dotless_i
    }

    /// The key a (lowercase) word is indexed under, or `None` for stop words.
    pub(crate) fn stem(&self, word: &str) -> Option<String> {
        if self.is_stop_word(word) {
            return None;
        }
        let stemmed = match &self.stemmer {
            Some(s) if !word.starts_with(is_cjk) => s.stem(word),
            _ => Cow::Borrowed(word),
        };
        Some(match fold(&stemmed) {
            Cow::Borrowed(_) => stemmed.into_owned(),
            Cow::Owned(folded) => folded,
        })
    }

    /// The key a (lowercase) word is looked up by in the browser: the word, folded.
    pub(crate) fn surface<'w>(&self, word: &'w str) -> Cow<'w, str> {
        fold(word)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(lang: &str, words: &[&str]) -> Vec<String> {
        let a = Analyzer::new(lang);
        words.iter().filter_map(|w| a.stem(w)).collect()
    }

    #[test]
    fn english_is_stemmed_without_stop_words() {
        assert_eq!(keys("en", &["the", "backups", "running", "databases"]), ["backup", "run", "databas"]);
        assert_eq!(keys("en-GB", &["backups"]), ["backup"]);
    }

    #[test]
    fn every_snowball_language_stems_and_has_stop_words() {
        for &(code, _, _) in LANGUAGES {
            let a = Analyzer::new(code);
            assert!(a.stemmer.is_some(), "{code}");
            assert!(a.stop_words().len() > 40, "{code}: {} stop words", a.stop_words().len());
        }
        // Each stems its own plural or inflection to the key of the plain word.
        for (lang, a, b) in [
            ("fr", "données", "donnée"),
            ("de", "datenbanken", "datenbank"),
            ("es", "servidores", "servidor"),
            ("it", "server", "server"),
            ("pt-BR", "implantações", "implantação"),
            ("nl", "gebruikers", "gebruiker"),
            ("nl", "databanken", "databank"),
            ("sv", "användarna", "användare"),
            ("ru", "серверов", "сервер"),
            ("fi", "palvelimet", "palvelimen"),
            ("fi", "käyttäjät", "käyttäjä"),
            ("ar", "المكتبات", "مكتبة"),
            ("da", "brugerne", "bruger"),
            ("hu", "felhasználók", "felhasználó"),
            ("ro", "utilizatorii", "utilizator"),
            ("ta", "பயனர்கள்", "பயனர்"),
            ("el", "διακομιστές", "διακομιστής"),
        ] {
            assert_eq!(keys(lang, &[a]), keys(lang, &[b]), "{lang}: {a} and {b}");
        }
        assert_eq!(keys("fr", &["de", "la", "données"]), ["don"]);
        // Turkish suffixes go, after the Turkish lowercasing of I.
        assert_eq!(keys("tr", &["kapılar"]), ["kapi"]);
    }

    #[test]
    fn other_languages_are_folded_word_for_word() {
        let ja = Analyzer::new("ja");
        assert!(ja.stop_words().is_empty() && ja.stemmer.is_none());
        assert_eq!(keys("ja", &["設計", "données", "the"]), ["設計", "donnees", "the"]);
        assert_eq!(Analyzer::new("pt-BR").lang(), "pt-BR");
        assert!(Analyzer::new("tr").dotless_i() && !Analyzer::new("en").dotless_i());
    }
}
