//! Which CLDR plural category a count falls in, for the handbook's language: "1 aspect" and
//! "2 aspects" in English, but six forms in Arabic. The rules come from ICU4X's compiled CLDR
//! data, the same data browsers' `Intl.PluralRules` use.

use icu_locale_core::Locale;
use icu_plurals::{PluralCategory, PluralRules};

/// The CLDR plural categories, in the order of a table's forms.
pub(crate) const CATEGORIES: [&str; 6] = ["zero", "one", "two", "few", "many", "other"];

/// Plural rules for one language.
pub(crate) struct Plurals {
    rules: Option<PluralRules>,
}

impl std::fmt::Debug for Plurals {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Plurals")
    }
}

impl Plurals {
    /// Rules for a BCP 47 tag (`pt-BR`; `pt_BR` is read the same). A tag ICU cannot read, or a
    /// language it has no rules for, puts every count in `other`.
    pub(crate) fn new(language: &str) -> Plurals {
        let rules = Locale::try_from_str(&language.replace('_', "-"))
            .ok()
            .and_then(|locale| PluralRules::try_new_cardinal((&locale).into()).ok());
        Plurals { rules }
    }

    /// The index into [`CATEGORIES`] of the count's category.
    pub(crate) fn category(&self, n: u64) -> usize {
        let Some(rules) = &self.rules else { return 5 };
        match rules.category_for(n) {
            PluralCategory::Zero => 0,
            PluralCategory::One => 1,
            PluralCategory::Two => 2,
            PluralCategory::Few => 3,
            PluralCategory::Many => 4,
            PluralCategory::Other => 5,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(language: &str, counts: &[u64]) -> Vec<&'static str> {
        let p = Plurals::new(language);
        counts.iter().map(|&n| CATEGORIES[p.category(n)]).collect()
    }

    #[test]
    fn arabic_has_six_forms() {
        assert_eq!(
            names("ar", &[0, 1, 2, 3, 10, 11, 99, 100, 102, 103, 111]),
            ["zero", "one", "two", "few", "few", "many", "many", "other", "other", "few", "many"]
        );
    }

    #[test]
    fn other_languages_follow_cldr() {
        assert_eq!(names("en", &[0, 1, 2]), ["other", "one", "other"]);
        // French and Portuguese count 0 with 1; European Portuguese does not.
        assert_eq!(names("fr", &[0, 1, 2, 1_000_000]), ["one", "one", "other", "many"]);
        assert_eq!(names("pt-BR", &[0, 1, 2]), ["one", "one", "other"]);
        assert_eq!(names("pt_PT", &[0, 1, 2]), ["other", "one", "other"]);
        assert_eq!(names("ja", &[0, 1, 2]), ["other", "other", "other"]);
        assert_eq!(names("not a tag!", &[1]), ["other"]);
    }
}
