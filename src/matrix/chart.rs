//! The cost chart of the stages page: server-rendered SVG, so it shows without any script.

use super::{format, Figure, Matrix};
use crate::html::escape_html;
use crate::i18n::Translations;
use crate::numbers::Numbers;

/// One figure of the chart: where its bar spans in the panel's common unit (weeks for
/// durations, so stages given in months and in weeks share one axis), and its label in the
/// source's own unit; words the source gives instead of a number ("nearly zero") have no bar.
struct Bar {
    span: Option<(f64, f64)>,
    label: String,
}

impl Bar {
    fn of(figure: &Figure, scale: f64, f: impl Fn(i64) -> String, unit: &str) -> Bar {
        match figure {
            Figure::Range(r) => {
                Bar { span: Some((r.min as f64 * scale, r.max as f64 * scale)), label: format::range(*r, f, unit) }
            }
            Figure::Text(t) => Bar { span: None, label: t.clone() },
        }
    }
}

/// A horizontal range chart of build cost and duration per stage, as inline SVG, so the
/// stages page shows it without any script. Stages without a range are named, not drawn as 0.
/// Figures are written the way `numbers` says (short money: "$50K", "50 k $US"), words from
/// the language's table.
pub(crate) fn cost_chart(m: &Matrix, numbers: Numbers, strings: &Translations) -> String {
    // Per stage: name, build-cost bar, duration bar.
    let rows: Vec<(&str, Option<Bar>, Option<Bar>)> = m
        .stages
        .iter()
        .map(|s| {
            let Some(c) = s.cost.as_ref() else { return (s.name.as_str(), None, None) };
            let build = c.build.as_ref().map(|f| Bar::of(f, 1.0, |v| numbers.money_short(&c.currency, v), ""));
            let unit = c.duration_unit;
            let suffix = if unit == super::DurationUnit::Weeks {
                String::new()
            } else {
                super::views::unit_suffix(strings, unit, c.duration.as_ref())
            };
            let duration = c.duration.as_ref().map(|f| Bar::of(f, unit.in_weeks(), |v| numbers.integer(v), &suffix));
            (s.name.as_str(), build, duration)
        })
        .collect();
    let drawn = |bar: &Option<Bar>| bar.as_ref().and_then(|b| b.span);
    if rows.iter().all(|r| drawn(&r.1).is_none() && drawn(&r.2).is_none()) {
        return String::new();
    }
    // One SVG per measure, so that on a narrow screen the two stack instead of overflowing
    // (each names the stages itself); side by side when the column is wide enough.
    let mut svg = String::new();
    let words = Words {
        by_stage: strings.ui("chart_by_stage", None).unwrap_or("{measure}"),
        description: strings.ui_plain("chart_description", None, &[]),
        no_range: strings.ui_plain("chart_no_range", None, &[]),
    };
    for (id, title, build) in [
        ("cost-chart-build", strings.ui_plain("build_cost", None, &[]), true),
        ("cost-chart-weeks", strings.ui_plain("chart_duration_weeks", None, &[]), false),
    ] {
        let bars: Vec<(&str, Option<&Bar>)> =
            rows.iter().map(|(name, b, d)| (*name, if build { b.as_ref() } else { d.as_ref() })).collect();
        svg.push_str(&panel(id, &title, build, &bars, &words));
    }
    svg
}

/// The chart's words in the book's language.
struct Words<'a> {
    /// "{measure} by stage"
    by_stage: &'a str,
    description: String,
    no_range: String,
}

/// One horizontal range chart: a row per stage, its range as a bar with the figures beside it.
fn panel(id: &str, title: &str, described: bool, rows: &[(&str, Option<&Bar>)], words: &Words) -> String {
    let max = rows.iter().filter_map(|(_, b)| b.and_then(|b| b.span)).map(|(_, hi)| hi).fold(1.0f64, f64::max);
    let (label_w, panel_w, row_h, top) = (110.0, 300.0, 34.0, 44.0);
    let width = label_w + panel_w + 20.0;
    let height = top + rows.len() as f64 * row_h + 16.0;
    let x0 = label_w;
    let mut svg = format!(
        "<svg class=\"cost-chart\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-labelledby=\"{id}-title cost-chart-desc\" xmlns=\"http://www.w3.org/2000/svg\">\
<title id=\"{id}-title\">{}</title>",
        escape_html(&crate::i18n::template::fill_plain(words.by_stage, |k| (k == "measure").then(|| title.to_string())))
    );
    if described {
        svg.push_str(&format!("<desc id=\"cost-chart-desc\">{}</desc>", escape_html(&words.description)));
    }
    svg.push_str(&format!(
        "<text class=\"chart-title\" x=\"{x0}\" y=\"18\">{}</text><line class=\"chart-axis\" x1=\"{x0}\" y1=\"{}\" x2=\"{x0}\" y2=\"{}\"/>",
        escape_html(title),
        top - 12.0,
        height - 10.0
    ));
    for (i, (name, bar)) in rows.iter().enumerate() {
        let y = top + i as f64 * row_h;
        svg.push_str(&format!(
            "<text class=\"chart-label\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
            label_w - 10.0,
            y + 14.0,
            escape_html(name)
        ));
        match bar {
            Some(Bar { span: Some((lo, hi)), label }) => {
                let scale = (panel_w - 70.0) / max;
                let x = x0 + lo * scale;
                let w = ((hi - lo) * scale).max(3.0);
                svg.push_str(&format!(
                    "<rect class=\"chart-bar\" x=\"{x:.1}\" y=\"{:.1}\" width=\"{w:.1}\" height=\"14\" rx=\"3\"/><text class=\"chart-value\" x=\"{:.1}\" y=\"{:.1}\">{}</text>",
                    y + 3.0,
                    x + w + 6.0,
                    y + 14.0,
                    escape_html(label)
                ));
            }
            // Words the source gives instead of a number ("nearly zero") are shown as they are.
            Some(Bar { span: None, label }) => svg.push_str(&format!(
                "<text class=\"chart-none\" x=\"{:.1}\" y=\"{:.1}\">{}</text>",
                x0 + 6.0,
                y + 14.0,
                escape_html(label)
            )),
            None => svg.push_str(&format!(
                "<text class=\"chart-none\" x=\"{:.1}\" y=\"{:.1}\">{}</text>",
                x0 + 6.0,
                y + 14.0,
                escape_html(&words.no_range)
            )),
        }
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chart_names_stages_without_ranges_and_escapes_names() {
        let m = crate::matrix::parse(
            "[[stage]]\nid=\"a\"\nname=\"A <b>\"\ncost={build=[10,20],weeks=[1,2]}\n[[stage]]\nid=\"b\"\nname=\"B\"\n",
        )
        .unwrap();
        let svg = cost_chart(&m, Numbers::default(), &Translations::english());
        assert!(svg.contains("A &lt;b&gt;"), "{svg}");
        assert!(svg.contains("no range given"), "{svg}");
        assert!(svg.contains("$10–$20"), "{svg}");
        assert!(svg.contains(">1–2<"), "{svg}");
        assert_eq!(svg.matches("<rect").count(), 2);
        // One chart per measure, each naming every stage, so they can stack on a phone.
        assert_eq!(svg.matches("<svg ").count(), 2, "{svg}");
        assert_eq!(svg.matches(">B</text>").count(), 2, "{svg}");
        assert!(svg.contains("<title id=\"cost-chart-build-title\">Build cost by stage</title>"), "{svg}");
        assert!(svg.contains("<title id=\"cost-chart-weeks-title\">Duration (weeks) by stage</title>"), "{svg}");
    }

    #[test]
    fn months_share_the_weeks_axis_and_words_are_shown() {
        let m = crate::matrix::parse(
            "[[stage]]\nid=\"a\"\nname=\"A\"\ncost={build=\"nearly <none>\",weeks=[4,8]}\n[[stage]]\nid=\"b\"\nname=\"B\"\ncost={months=[2,4]}\n",
        )
        .unwrap();
        let svg = cost_chart(&m, Numbers::default(), &Translations::english());
        assert!(svg.contains(">nearly &lt;none&gt;<"), "{svg}");
        assert!(svg.contains(">2–4 months<"), "{svg}");
        // 4 months is the longest, about 17.3 weeks, so the 4-week-wide bar is about 0.23 of the axis.
        let widths: Vec<f64> = svg
            .match_indices("<rect")
            .filter_map(|(i, _)| svg[i..].split("width=\"").nth(1)?.split('"').next()?.parse().ok())
            .collect();
        assert_eq!(widths.len(), 2, "{svg}");
        assert!((widths[0] - 230.0 * 4.0 / (4.0 * 52.0 / 12.0)).abs() < 0.2, "{widths:?}");
    }

    #[test]
    fn figures_are_written_in_the_handbook_language() {
        let m =
            crate::matrix::parse("[[stage]]\nid=\"a\"\nname=\"A\"\ncost={build=[50000,1500000],months=[1000,2000]}\n")
                .unwrap();
        let fr = Translations::load("fr", &crate::theme::Theme::built_in()).unwrap().0;
        let svg = cost_chart(&m, Numbers::for_language("fr"), &fr);
        assert!(svg.contains(">50\u{a0}k\u{a0}$US–1,5\u{a0}M\u{a0}$US<"), "{svg}");
        assert!(svg.contains(">1\u{202f}000–2\u{202f}000"), "{svg}");
        let svg = cost_chart(&m, Numbers::default(), &Translations::english());
        assert!(svg.contains(">$50K–$1.5M<"), "{svg}");
    }

    #[test]
    fn no_ranges_no_chart() {
        let m = crate::matrix::parse("[[stage]]\nid=\"a\"\nname=\"A\"\n").unwrap();
        assert_eq!(cost_chart(&m, Numbers::default(), &Translations::english()), "");
    }
}
