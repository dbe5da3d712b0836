use std::path::{Path, PathBuf};
use std::process::Command;

use super::*;

fn lang(tag: &str) -> Numbers {
    Numbers::for_language(tag)
}

#[test]
fn money_reads_as_each_language_writes_it() {
    // French: narrow no-break space between groups, no-break space before the symbol.
    assert_eq!(lang("fr").money("USD", 50_000), "50\u{202f}000\u{a0}$US");
    assert_eq!(lang("fr").money("EUR", 1_234_567), "1\u{202f}234\u{202f}567\u{a0}€");
    assert_eq!(lang("en").money("EUR", 50_000), "€50,000");
    assert_eq!(lang("en").money("USD", 150_000), "$150,000");
    assert_eq!(lang("en").money("USD", -1_000), "-$1,000");
    // A symbol ending in a letter keeps apart from the digits.
    assert_eq!(lang("en").money("CHF", 999), "CHF\u{a0}999");
    assert_eq!(lang("ja").money("CNY", 5), "元\u{a0}5");
    assert_eq!(lang("ja").money("JPY", 50_000), "￥50,000");
    assert_eq!(lang("de").money("USD", 50_000), "50.000\u{a0}$");
    // Spanish groups only from five digits on.
    assert_eq!(lang("es").money("USD", 5_000), "5000\u{a0}US$");
    assert_eq!(lang("es").money("USD", 50_000), "50.000\u{a0}US$");
    assert_eq!(lang("pt").money("USD", 50_000), "US$\u{a0}50.000");
    // Arabic: Latin digits, a right-to-left mark first, a left-to-right one before the minus.
    assert_eq!(lang("ar").money("USD", 50_000), "\u{200f}50,000\u{a0}US$");
    assert_eq!(lang("ar").money("USD", -1_234), "\u{200f}\u{200e}-1,234\u{a0}US$");
    // Codes the table has no symbol for are written as codes; lower case is a code too.
    assert_eq!(lang("fr").money("KRW", 5_000), "5\u{202f}000\u{a0}KRW");
    assert_eq!(lang("en").money("usd", 5), "$5");
    // Free text instead of a code goes after the number; none at all, just the number.
    assert_eq!(lang("en").money("credits", 5_000), "5,000\u{a0}credits");
    assert_eq!(lang("fr").money("", -5_000), "-5\u{202f}000");
}

#[test]
fn short_money_follows_cldr_compact_forms() {
    assert_eq!(lang("en").money_short("USD", 50_000), "$50K");
    assert_eq!(lang("en").money_short("USD", 1_500_000), "$1.5M");
    assert_eq!(lang("en").money_short("GBP", 999), "£999");
    assert_eq!(lang("fr").money_short("USD", 50_000), "50\u{a0}k\u{a0}$US");
    assert_eq!(lang("de").money_short("EUR", 50_000), "50.000\u{a0}€");
    assert_eq!(lang("de").money_short("EUR", 1_500_000), "1,5\u{a0}Mio.\u{a0}€");
    assert_eq!(lang("ja").money_short("USD", 150_000), "$15万");
    assert_eq!(lang("es").money_short("USD", 1_000_000_000), "1000\u{a0}M\u{a0}US$");
    // Rounding: halves away from zero, and 999.5K is 1M, not 1000K.
    assert_eq!(lang("en").money_short("USD", 1_250_000), "$1.3M");
    assert_eq!(lang("en").money_short("USD", 999_500), "$1M");
    assert_eq!(lang("en").money_short("USD", 999_499), "$999K");
    assert_eq!(lang("ja").money_short("USD", 999_499), "$100万");
    // Arabic's "few" thousands.
    assert_eq!(lang("ar").money_short("USD", 3_000), "\u{200f}3\u{a0}آلاف\u{a0}US$");
    assert_eq!(lang("ar").money_short("USD", 10_000), "\u{200f}10\u{a0}ألف\u{a0}US$");
    // The extremes of i64 neither overflow nor panic.
    assert!(lang("en").money_short("USD", i64::MIN).starts_with("-$9,223,372T"));
    assert_eq!(lang("en").money("USD", i64::MIN), "-$9,223,372,036,854,775,808");
}

#[test]
fn integers_group_per_language() {
    assert_eq!(lang("en").integer(1_234_567), "1,234,567");
    assert_eq!(lang("fr").integer(1_234_567), "1\u{202f}234\u{202f}567");
    assert_eq!(lang("de").integer(1_234), "1.234");
    assert_eq!(lang("es").integer(1_234), "1234");
    assert_eq!(lang("ar").integer(-12), "\u{200e}-12");
    assert_eq!(lang("en").integer(999), "999");
}

#[test]
fn languages_fall_back_from_region_to_base_to_english() {
    assert_eq!(lang("pt-BR").browser_locale(), "pt");
    assert_eq!(lang("fr_CA").browser_locale(), "fr");
    assert_eq!(lang("zh-Hant-TW").browser_locale(), "en");
    assert_eq!(lang("it").browser_locale(), "en");
    assert_eq!(lang("").browser_locale(), "en");
    assert_eq!(lang(" AR ").browser_locale(), "ar-u-nu-latn");
    assert_eq!(lang("it").money("EUR", 5_000), "€5,000");
    assert_eq!(lang("en").currency_display("EUR"), "symbol");
    assert_eq!(lang("en").currency_display("KRW"), "code");
    assert_eq!(lang("en").currency_display("CHF "), "");
}

/// `$NODE`, else `node` on the PATH. `None` means skip, allowed only outside CI: under
/// `CI=true` a missing node fails the run (as in tests/search_format.rs).
fn node() -> Option<PathBuf> {
    let candidate = std::env::var("NODE").ok().filter(|n| !n.is_empty()).unwrap_or_else(|| "node".into());
    let works = Command::new(&candidate).arg("--version").output().is_ok_and(|o| o.status.success());
    if !works && std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0") {
        panic!("CI is set but no node was found (install Debian's nodejs, or set NODE)");
    }
    if !works {
        eprintln!("skipping the Intl parity test: no node found (set NODE=/path/to/node)");
    }
    works.then(|| PathBuf::from(candidate))
}

/// Every (locale, currency, amount) of tests/support/numbers_grid.js as node's Intl prints it
/// through the theme's static/numbers.js, and as this module does: they must be equal.
#[test]
fn node_intl_agrees_on_the_grid() {
    let Some(node) = node() else { return };
    let grid = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/numbers_grid.js");
    let out = Command::new(node).arg(&grid).output().expect("run node");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("the grid prints JSON");
    let rows = json["rows"].as_array().expect("rows");
    let mut checked = 0;
    let mut wrong = Vec::new();
    for row in rows {
        let field = |k: &str| row[k].as_str().unwrap_or_else(|| panic!("{k} in {row}"));
        let locale = field("locale");
        let numbers = *LOCALES
            .iter()
            .map(Numbers)
            .collect::<Vec<_>>()
            .iter()
            .find(|n| n.browser_locale() == locale)
            .unwrap_or_else(|| panic!("no table entry for {locale}"));
        let (currency, amount) = (field("currency"), row["amount"].as_i64().expect("amount"));
        let ours = [
            ("display", numbers.currency_display(currency).to_string()),
            ("integer", numbers.integer(amount)),
            ("money", numbers.money(currency, amount)),
            ("short", numbers.money_short(currency, amount)),
        ];
        for (k, got) in ours {
            if got != field(k) {
                wrong.push(format!("{locale} {currency:?} {amount} {k}: Rust {got:?}, node {:?}", field(k)));
            }
            checked += 1;
        }
    }
    assert!(checked > 3000, "a real grid: {checked}");
    assert!(wrong.is_empty(), "ICU {}: {} of {checked} differ:\n{}", json["icu"], wrong.len(), wrong.join("\n"));
}
