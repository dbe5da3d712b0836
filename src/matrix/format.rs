//! Cost figures as the pages show them. The numbers themselves are written in the handbook's
//! language by [`crate::numbers::Numbers`]; this joins them into ranges.

use super::Range;

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
    use crate::numbers::Numbers;

    #[test]
    fn ranges_collapse_equal_ends() {
        let r = |min, max| Range { min, max };
        let (en, fr) = (Numbers::for_language("en"), Numbers::for_language("fr"));
        assert_eq!(range(r(8, 12), |v| en.integer(v), " weeks"), "8–12 weeks");
        assert_eq!(range(r(4, 4), |v| en.integer(v), " weeks"), "4 weeks");
        assert_eq!(range(r(100, 500), |v| en.money("USD", v), " a month"), "$100–$500 a month");
        assert_eq!(
            range(r(50_000, 150_000), |v| fr.money("USD", v), ""),
            "50\u{202f}000\u{a0}$US–150\u{202f}000\u{a0}$US"
        );
    }
}
