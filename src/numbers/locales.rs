//! The number and currency conventions of the languages stagebook bundles, from CLDR 48 as
//! ICU 78 prints them (node's and Chromium's `Intl.NumberFormat`). Kept as data in one place:
//! the parity test (`super::tests::node_intl_agrees_on_the_grid`) checks every entry against
//! node, so a change here that drifts from CLDR fails there.

/// How one language writes numbers and money.
pub(super) struct Locale {
    /// The table's key: a base language tag ("fr").
    pub tag: &'static str,
    /// What the browser passes to `Intl.NumberFormat` so that it prints exactly what this
    /// table does (`-u-nu-latn` pins Arabic to the Latin digits CLDR 42+ gives it by default,
    /// also in browsers whose older ICU still defaults to Arabic-Indic digits).
    pub browser: &'static str,
    pub group: &'static str,
    pub decimal: &'static str,
    /// The minus sign, with the bidi mark Arabic puts before it.
    pub minus: &'static str,
    /// Fewest digits before the first group separator is used: 2 in Spanish ("5000", "50.000").
    pub min_grouping: usize,
    /// Money: `¤` is the currency, `#` the number, `-` where the minus sign goes.
    pub money: &'static str,
    /// The same for short money: ICU puts Arabic's minus before the right-to-left mark there.
    pub money_short: &'static str,
    /// Short forms for the chart ("50 k"): one entry per power of ten from 10³ up; the last
    /// entry serves all larger powers.
    pub compact: &'static [Compact],
    /// Currency symbols where this language has one; other codes are written as the code.
    pub symbols: &'static [(&'static str, &'static str)],
}

/// The short form for numbers whose power of ten is `power`: divide by 10^`divide` and append
/// `suffix` (`few`: Arabic's form after 3–10 of them).
#[derive(Clone, Copy)]
pub(super) struct Compact {
    pub divide: u32,
    pub suffix: &'static str,
    pub few: Option<&'static str>,
}

const fn c(divide: u32, suffix: &'static str) -> Compact {
    Compact { divide, suffix, few: None }
}

/// No short form: the whole number.
const WHOLE: Compact = c(0, "");

/// The currencies whose symbols the table holds; `Intl` is told to write other codes as codes
/// (`currencyDisplay: "code"`) so the server and the browser never disagree on a symbol.
pub(super) const CURRENCIES: &[&str] = &["USD", "EUR", "GBP", "JPY", "CHF", "CAD", "AUD", "CNY", "INR", "BRL"];

pub(super) const EN: Locale = Locale {
    tag: "en",
    browser: "en",
    group: ",",
    decimal: ".",
    minus: "-",
    min_grouping: 1,
    money: "-¤#",
    money_short: "-¤#",
    compact: &[
        c(3, "K"),
        c(3, "K"),
        c(3, "K"),
        c(6, "M"),
        c(6, "M"),
        c(6, "M"),
        c(9, "B"),
        c(9, "B"),
        c(9, "B"),
        c(12, "T"),
    ],
    symbols: &[
        ("USD", "$"),
        ("EUR", "€"),
        ("GBP", "£"),
        ("JPY", "¥"),
        ("CHF", "CHF"),
        ("CAD", "CA$"),
        ("AUD", "A$"),
        ("CNY", "CN¥"),
        ("INR", "₹"),
        ("BRL", "R$"),
    ],
};

pub(super) const LOCALES: &[Locale] = &[
    EN,
    Locale {
        tag: "fr",
        browser: "fr",
        group: "\u{202f}",
        decimal: ",",
        minus: "-",
        min_grouping: 1,
        money: "-#\u{a0}¤",
        money_short: "-#\u{a0}¤",
        compact: &[
            c(3, "\u{a0}k"),
            c(3, "\u{a0}k"),
            c(3, "\u{a0}k"),
            c(6, "\u{a0}M"),
            c(6, "\u{a0}M"),
            c(6, "\u{a0}M"),
            c(9, "\u{a0}Md"),
            c(9, "\u{a0}Md"),
            c(9, "\u{a0}Md"),
            c(12, "\u{a0}Bn"),
        ],
        symbols: &[
            ("USD", "$US"),
            ("EUR", "€"),
            ("GBP", "£GB"),
            ("JPY", "JPY"),
            ("CHF", "CHF"),
            ("CAD", "$CA"),
            ("AUD", "$AU"),
            ("CNY", "CNY"),
            ("INR", "₹"),
            ("BRL", "R$"),
        ],
    },
    Locale {
        tag: "de",
        browser: "de",
        group: ".",
        decimal: ",",
        minus: "-",
        min_grouping: 1,
        money: "-#\u{a0}¤",
        money_short: "-#\u{a0}¤",
        compact: &[
            WHOLE,
            WHOLE,
            WHOLE,
            c(6, "\u{a0}Mio."),
            c(6, "\u{a0}Mio."),
            c(6, "\u{a0}Mio."),
            c(9, "\u{a0}Mrd."),
            c(9, "\u{a0}Mrd."),
            c(9, "\u{a0}Mrd."),
            c(12, "\u{a0}Bio."),
        ],
        symbols: &[
            ("USD", "$"),
            ("EUR", "€"),
            ("GBP", "£"),
            ("JPY", "¥"),
            ("CHF", "CHF"),
            ("CAD", "CA$"),
            ("AUD", "AU$"),
            ("CNY", "CN¥"),
            ("INR", "₹"),
            ("BRL", "R$"),
        ],
    },
    Locale {
        tag: "es",
        browser: "es",
        group: ".",
        decimal: ",",
        minus: "-",
        min_grouping: 2,
        money: "-#\u{a0}¤",
        money_short: "-#\u{a0}¤",
        compact: &[
            c(3, "\u{a0}mil"),
            c(3, "\u{a0}mil"),
            c(3, "\u{a0}mil"),
            c(6, "\u{a0}M"),
            c(6, "\u{a0}M"),
            c(6, "\u{a0}M"),
            c(6, "\u{a0}M"),
            c(9, "\u{a0}mil\u{a0}M"),
            c(9, "\u{a0}mil\u{a0}M"),
            c(12, "\u{a0}B"),
        ],
        symbols: &[
            ("USD", "US$"),
            ("EUR", "€"),
            ("GBP", "GBP"),
            ("JPY", "JPY"),
            ("CHF", "CHF"),
            ("CAD", "CAD"),
            ("AUD", "AUD"),
            ("CNY", "CNY"),
            ("INR", "INR"),
            ("BRL", "BRL"),
        ],
    },
    Locale {
        tag: "pt",
        browser: "pt",
        group: ".",
        decimal: ",",
        minus: "-",
        min_grouping: 1,
        money: "-¤\u{a0}#",
        money_short: "-¤\u{a0}#",
        compact: &[
            c(3, "\u{a0}mil"),
            c(3, "\u{a0}mil"),
            c(3, "\u{a0}mil"),
            c(6, "\u{a0}mi"),
            c(6, "\u{a0}mi"),
            c(6, "\u{a0}mi"),
            c(9, "\u{a0}bi"),
            c(9, "\u{a0}bi"),
            c(9, "\u{a0}bi"),
            c(12, "\u{a0}tri"),
        ],
        symbols: &[
            ("USD", "US$"),
            ("EUR", "€"),
            ("GBP", "£"),
            ("JPY", "JP¥"),
            ("CHF", "CHF"),
            ("CAD", "CA$"),
            ("AUD", "AU$"),
            ("CNY", "CN¥"),
            ("INR", "₹"),
            ("BRL", "R$"),
        ],
    },
    Locale {
        tag: "ja",
        browser: "ja",
        group: ",",
        decimal: ".",
        minus: "-",
        min_grouping: 1,
        money: "-¤#",
        money_short: "-¤#",
        compact: &[
            WHOLE,
            c(4, "万"),
            c(4, "万"),
            c(4, "万"),
            c(4, "万"),
            c(8, "億"),
            c(8, "億"),
            c(8, "億"),
            c(8, "億"),
            c(12, "兆"),
        ],
        symbols: &[
            ("USD", "$"),
            ("EUR", "€"),
            ("GBP", "£"),
            ("JPY", "￥"),
            ("CHF", "CHF"),
            ("CAD", "CA$"),
            ("AUD", "A$"),
            ("CNY", "元"),
            ("INR", "₹"),
            ("BRL", "R$"),
        ],
    },
    Locale {
        tag: "ar",
        browser: "ar-u-nu-latn",
        group: ",",
        decimal: ".",
        minus: "\u{200e}-",
        min_grouping: 1,
        money: "\u{200f}-#\u{a0}¤",
        money_short: "-\u{200f}#\u{a0}¤",
        compact: &[
            Compact { divide: 3, suffix: "\u{a0}ألف", few: Some("\u{a0}آلاف") },
            c(3, "\u{a0}ألف"),
            c(3, "\u{a0}ألف"),
            c(6, "\u{a0}مليون"),
            c(6, "\u{a0}مليون"),
            c(6, "\u{a0}مليون"),
            c(9, "\u{a0}مليار"),
            c(9, "\u{a0}مليار"),
            c(9, "\u{a0}مليار"),
            c(12, "\u{a0}ترليون"),
        ],
        symbols: &[
            ("USD", "US$"),
            ("EUR", "€"),
            ("GBP", "UK£"),
            ("JPY", "JP¥"),
            ("CHF", "CHF"),
            ("CAD", "CA$"),
            ("AUD", "AU$"),
            ("CNY", "CN¥"),
            ("INR", "₹"),
            ("BRL", "R$"),
        ],
    },
];
