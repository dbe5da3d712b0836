//! Readable code colours: syntect's bundled themes give some tokens (comments above all) less
//! than the 4.5:1 contrast WCAG AA asks of text, e.g. InspiredGitHub's grey comments on white
//! (2.9:1). Each such colour is moved towards black or white, keeping its hue, until it passes.

use syntect::highlighting::{Color, Theme};

/// WCAG AA contrast for normal text.
pub(crate) const AA: f64 = 4.5;

/// WCAG relative luminance of an sRGB colour (alpha ignored: code colours are drawn opaque).
fn luminance(c: Color) -> f64 {
    let channel = |v: u8| {
        let v = f64::from(v) / 255.0;
        if v <= 0.04045 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b)
}

/// The WCAG contrast ratio of two colours, from 1 to 21.
pub(crate) fn ratio(a: Color, b: Color) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// `fg`, or the nearest mix of it with black (on a light background) or white (on a dark one)
/// that reaches AA contrast on `bg`.
pub(crate) fn readable(fg: Color, bg: Color) -> Color {
    let target = if luminance(bg) > 0.18 { 0.0 } else { 255.0 };
    let mix = |v: u8, t: f64| (f64::from(v) + (target - f64::from(v)) * t).round() as u8;
    let mut out = fg;
    let mut t = 0.0;
    while ratio(out, bg) < AA && t < 1.0 {
        t += 0.02;
        out = Color { r: mix(fg.r, t), g: mix(fg.g, t), b: mix(fg.b, t), a: fg.a };
    }
    out
}

/// The theme with every foreground colour made readable on the theme's background.
pub(crate) fn readable_theme(theme: &Theme) -> Theme {
    let mut theme = theme.clone();
    let Some(bg) = theme.settings.background else { return theme };
    if let Some(fg) = theme.settings.foreground {
        theme.settings.foreground = Some(readable(fg, bg));
    }
    for item in &mut theme.scopes {
        let item_bg = item.style.background.unwrap_or(bg);
        if let Some(fg) = item.style.foreground {
            item.style.foreground = Some(readable(fg, item_bg));
        }
    }
    theme
}

#[cfg(test)]
mod tests {
    use super::*;
    use syntect::highlighting::ThemeSet;

    const fn rgb(r: u8, g: u8, b: u8) -> Color {
        Color { r, g, b, a: 0xff }
    }

    #[test]
    fn ratio_matches_the_wcag_examples() {
        assert!((ratio(rgb(0, 0, 0), rgb(255, 255, 255)) - 21.0).abs() < 1e-9);
        assert!((ratio(rgb(0x96, 0x98, 0x96), rgb(255, 255, 255)) - 2.91).abs() < 0.01);
        assert!((ratio(rgb(0x76, 0x76, 0x76), rgb(255, 255, 255)) - 4.54).abs() < 0.02);
    }

    #[test]
    fn readable_darkens_on_light_and_lightens_on_dark_and_keeps_good_colours() {
        let grey = rgb(0x96, 0x98, 0x96);
        let on_white = readable(grey, rgb(255, 255, 255));
        assert!(ratio(on_white, rgb(255, 255, 255)) >= AA && on_white.r < grey.r, "{on_white:?}");
        let dim = rgb(0x65, 0x73, 0x7e);
        let on_dark = readable(dim, rgb(0x2b, 0x30, 0x3b));
        assert!(ratio(on_dark, rgb(0x2b, 0x30, 0x3b)) >= AA && on_dark.r > dim.r, "{on_dark:?}");
        assert_eq!(readable(rgb(0x32, 0x32, 0x32), rgb(255, 255, 255)), rgb(0x32, 0x32, 0x32));
    }

    /// Every theme a book can choose: its comments (and every other token) read at AA after
    /// the adjustment, and at least one bundled theme needed it (so this is not vacuous).
    #[test]
    fn every_selectable_theme_is_readable_after_adjustment() {
        let themes = ThemeSet::load_defaults().themes;
        let mut adjusted = Vec::new();
        for (name, theme) in &themes {
            let bg = theme.settings.background.expect("themes have a background");
            let fixed = readable_theme(theme);
            let mut comment_seen = false;
            for (before, after) in theme.scopes.iter().zip(&fixed.scopes) {
                let Some(fg) = after.style.foreground else { continue };
                let on = after.style.background.unwrap_or(bg);
                assert!(ratio(fg, on) >= AA, "{name}: {:?} at {:.2}:1", after.scope, ratio(fg, on));
                if scope_names(&after.scope).contains("comment") {
                    comment_seen = true;
                }
                if let (Some(old), true) = (before.style.foreground, before.style.foreground != after.style.foreground)
                {
                    adjusted.push(format!("{name}: {} was {:.2}:1", scope_names(&after.scope), ratio(old, on)));
                }
            }
            assert!(comment_seen, "{name} colours comments");
        }
        eprintln!("adjusted to AA:\n  {}", adjusted.join("\n  "));
        assert!(adjusted.iter().any(|a| a.starts_with("InspiredGitHub") && a.contains("comment")), "{adjusted:#?}");
    }

    fn scope_names(selectors: &syntect::highlighting::ScopeSelectors) -> String {
        let text = format!("{selectors:?}");
        let words: Vec<&str> = text.split('<').skip(1).filter_map(|w| w.split('>').next()).collect();
        words.join(" ")
    }
}
