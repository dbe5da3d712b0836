//! Numbers and money as the pages show them.

use super::Range;

/// Formats money: "$50,000", "€5,000", "CHF 5,000".
pub(crate) fn money(currency: &str, amount: i64) -> String {
    let digits = amount.unsigned_abs().to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let sign = if amount < 0 { "-" } else { "" };
    format!("{sign}{}{grouped}", currency_prefix(currency))
}

/// What goes before an amount: a symbol for the common currencies, else the code and a space.
pub(crate) fn currency_prefix(currency: &str) -> String {
    match currency {
        "USD" => "$".to_string(),
        "EUR" => "€".to_string(),
        "GBP" => "£".to_string(),
        other => format!("{other} "),
    }
}

/// Short money for chart labels: "$50k", "$1.5M".
pub(crate) fn money_short(currency: &str, amount: i64) -> String {
    let (value, unit) = if amount.abs() >= 1_000_000 {
        (amount as f64 / 1_000_000.0, "M")
    } else if amount.abs() >= 1_000 {
        (amount as f64 / 1_000.0, "k")
    } else {
        (amount as f64, "")
    };
    let number =
        if (value - value.round()).abs() < 0.05 { format!("{}", value.round() as i64) } else { format!("{value:.1}") };
    format!("{}{number}{unit}", currency_prefix(currency))
}

/// "a–b" (or "a" when both ends are the same) with each end formatted by `f`, then `unit`.
pub(crate) fn range(r: Range, f: impl Fn(i64) -> String, unit: &str) -> String {
    if r.min == r.max {
        format!("{}{unit}", f(r.min))
    } else {
        format!("{}–{}{unit}", f(r.min), f(r.max))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_formats() {
        assert_eq!(money("USD", 150_000), "$150,000");
        assert_eq!(money("EUR", 5_000), "€5,000");
        assert_eq!(money("CHF", 999), "CHF 999");
        assert_eq!(money("USD", 1_234_567), "$1,234,567");
        assert_eq!(money("USD", -1_000), "-$1,000");
        assert_eq!(money_short("USD", 50_000), "$50k");
        assert_eq!(money_short("USD", 1_500_000), "$1.5M");
        assert_eq!(money_short("GBP", 999), "£999");
    }

    #[test]
    fn ranges_collapse_equal_ends() {
        let r = |min, max| Range { min, max };
        assert_eq!(range(r(8, 12), |v| v.to_string(), " weeks"), "8–12 weeks");
        assert_eq!(range(r(4, 4), |v| v.to_string(), " weeks"), "4 weeks");
        assert_eq!(range(r(100, 500), |v| money("USD", v), " a month"), "$100–$500 a month");
    }
}
