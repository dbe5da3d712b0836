//! Numbers and money written the way `[book] language` writes them, exactly as the browser's
//! `Intl.NumberFormat` does for the locale the page names (`<html data-locale>`), so a figure
//! the server wrote and a sum `calc.js` adds up in the browser always look alike.
//!
//! The conventions are a small table ([`locales`]) for the bundled languages; a language
//! outside it falls back region → base → English ("pt-BR" → "pt", "it" → "en"), and the page
//! tells the browser the locale it fell back to, never the one it asked for.

mod locales;

use locales::{Compact, Locale, CURRENCIES, EN, LOCALES};

const NBSP: char = '\u{a0}';

/// The number conventions of one handbook: cheap to copy, resolved once per build.
#[derive(Clone, Copy)]
pub(crate) struct Numbers(&'static Locale);

impl Default for Numbers {
    fn default() -> Numbers {
        Numbers(&EN)
    }
}

impl std::fmt::Debug for Numbers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Numbers({})", self.0.tag)
    }
}

/// What a cost's currency is to the formatter: an ISO 4217 code (three letters, written
/// upper-case) that `Intl` knows, or free text the data gave instead (written after the number).
enum Currency<'a> {
    Code(String),
    Text(&'a str),
}

fn currency(text: &str) -> Currency<'_> {
    if text.len() == 3 && text.bytes().all(|b| b.is_ascii_alphabetic()) {
        Currency::Code(text.to_ascii_uppercase())
    } else {
        Currency::Text(text)
    }
}

impl Numbers {
    /// The conventions for a language tag (`fr`, `pt-BR`, `zh_Hant_TW`): the longest prefix of
    /// the tag the table has, else English.
    pub(crate) fn for_language(language: &str) -> Numbers {
        crate::lang::fallbacks(language)
            .iter()
            .find_map(|tag| LOCALES.iter().find(|l| l.tag == tag))
            .map_or_else(Numbers::default, Numbers)
    }

    /// The locale the page's scripts hand to `Intl.NumberFormat` (`<html data-locale>`).
    pub(crate) fn browser_locale(self) -> &'static str {
        self.0.browser
    }

    /// How scripts must ask `Intl` to show `currency` so that it matches the server:
    /// "symbol" for the currencies the table knows, "code" for other codes, "" for free text
    /// (scripts then write the number and the text after it, as the server does).
    pub(crate) fn currency_display(self, text: &str) -> &'static str {
        match currency(text) {
            Currency::Code(code) if CURRENCIES.contains(&code.as_str()) => "symbol",
            Currency::Code(_) => "code",
            Currency::Text(_) => "",
        }
    }

    /// A whole number: "1,234,567", "1 234 567" (narrow no-break spaces), "1.234.567".
    pub(crate) fn integer(self, n: i64) -> String {
        let digits = self.grouped(&n.unsigned_abs().to_string(), self.0.min_grouping);
        if n < 0 {
            format!("{}{digits}", self.0.minus)
        } else {
            digits
        }
    }

    /// Money without cents: "$50,000", "50 000 $US", "€50,000", "CHF 5,000".
    pub(crate) fn money(self, currency: &str, n: i64) -> String {
        let digits = self.grouped(&n.unsigned_abs().to_string(), self.0.min_grouping);
        self.with_currency(currency, n < 0, &digits, self.0.money)
    }

    /// Money in the short form of chart labels: "$50K", "50 k $US", "1,5 Mio. €", "$5万",
    /// rounded like `Intl`'s compact notation (whole numbers from two digits up, else one
    /// decimal; halves away from zero).
    pub(crate) fn money_short(self, currency: &str, n: i64) -> String {
        let number = self.compact(n.unsigned_abs());
        self.with_currency(currency, n < 0, &number, self.0.money_short)
    }

    /// `number` (digits without sign) in `pattern` ([`Locale::money`]) with `text`'s symbol.
    fn with_currency(self, text: &str, negative: bool, number: &str, pattern: &str) -> String {
        let symbol = match currency(text) {
            Currency::Text(text) => {
                let sign = if negative { self.0.minus } else { "" };
                return if text.is_empty() { format!("{sign}{number}") } else { format!("{sign}{number}{NBSP}{text}") };
            }
            Currency::Code(code) => {
                let known = self.0.symbols.iter().find(|(c, _)| *c == code).map(|(_, s)| *s);
                known.map_or(code, str::to_string)
            }
        };
        let mut out = String::new();
        for (i, c) in pattern.char_indices() {
            match c {
                '-' if negative => out.push_str(self.0.minus),
                '-' => {}
                '¤' => {
                    if pattern[..i].ends_with('#') && symbol.chars().next().is_some_and(char::is_alphanumeric) {
                        out.push(NBSP);
                    }
                    out.push_str(&symbol);
                    // CLDR's currency spacing: a symbol ending in a letter ("CHF") is kept
                    // apart from the digits after it.
                    if pattern[i + c.len_utf8()..].starts_with('#')
                        && symbol.chars().last().is_some_and(char::is_alphanumeric)
                    {
                        out.push(NBSP);
                    }
                }
                '#' => out.push_str(number),
                other => out.push(other),
            }
        }
        out
    }

    /// `digits` (ASCII, no sign) with group separators every three digits, when there are at
    /// least `min_grouping` digits before the first separator.
    fn grouped(self, digits: &str, min_grouping: usize) -> String {
        if digits.len() < 3 + min_grouping {
            return digits.to_string();
        }
        let mut out = String::with_capacity(digits.len() + digits.len() / 3 * self.0.group.len());
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push_str(self.0.group);
            }
            out.push(c);
        }
        out
    }

    /// The short form of `n` without sign or currency ("50K", "1,5 Mio.", "100万").
    fn compact(self, n: u64) -> String {
        let mut n = u128::from(n);
        loop {
            let power = n.checked_ilog10().unwrap_or(0);
            let Compact { divide, suffix, few } = self.entry(power);
            // Compact numbers group only from five digits on, in every language.
            let grouping = self.0.min_grouping.max(2);
            if divide == 0 {
                return self.grouped(&n.to_string(), grouping);
            }
            // One digit before the point gets one after it; more get none.
            let keep = if power > divide { divide } else { divide - 1 };
            let step = 10u128.pow(keep);
            let rounded = (n / step + u128::from(n % step * 2 >= step)) * step;
            if rounded.checked_ilog10() != Some(power) {
                n = rounded; // 999.5K rounds to 1000K: written as 1M
                continue;
            }
            let whole = rounded / 10u128.pow(divide);
            let tenths = (rounded / 10u128.pow(divide - 1)) % 10 * u128::from(keep < divide);
            let mut out = self.grouped(&whole.to_string(), grouping);
            if tenths > 0 {
                out.push_str(self.0.decimal);
                out.push_str(&tenths.to_string());
            }
            // Arabic's plural "few" (3 to 10) where the table has one.
            let few = few.filter(|_| tenths == 0 && (3..=10).contains(&(whole % 100)));
            out.push_str(few.unwrap_or(suffix));
            return out;
        }
    }

    fn entry(self, power: u32) -> Compact {
        let table = self.0.compact;
        match power.checked_sub(3) {
            None => Compact { divide: 0, suffix: "", few: None },
            Some(i) => table[(i as usize).min(table.len() - 1)],
        }
    }
}

#[cfg(test)]
mod tests;
