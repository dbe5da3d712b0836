//! The cost chart of the stages page: server-rendered SVG, so it shows without any script.

use super::{format, Matrix, Range};
use crate::html::escape_html;

/// A horizontal range chart of build cost and duration per stage, as inline SVG, so the
/// stages page shows it without any script. Stages without a range are named, not drawn as 0.
pub(crate) fn cost_chart(m: &Matrix) -> String {
    let rows: Vec<(&str, Option<Range>, Option<Range>, &str)> = m
        .stages
        .iter()
        .map(|s| {
            let cost = s.cost.as_ref();
            (
                s.name.as_str(),
                cost.and_then(|c| c.build),
                cost.and_then(|c| c.weeks),
                cost.map_or(m.currency.as_str(), |c| c.currency.as_str()),
            )
        })
        .collect();
    if rows.iter().all(|r| r.1.is_none() && r.2.is_none()) {
        return String::new();
    }
    let max_build = rows.iter().filter_map(|r| r.1).map(|r| r.max).max().unwrap_or(1).max(1);
    let max_weeks = rows.iter().filter_map(|r| r.2).map(|r| r.max).max().unwrap_or(1).max(1);
    // One SVG per measure, so that on a narrow screen the two stack instead of overflowing
    // (each names the stages itself); side by side when the column is wide enough.
    let panels = [
        ("cost-chart-build", "Build cost", max_build, true),
        ("cost-chart-weeks", "Duration (weeks)", max_weeks, false),
    ];
    let mut svg = String::new();
    for (id, title, max, is_money) in panels {
        let values = rows
            .iter()
            .map(|(name, build, weeks, currency)| (*name, if is_money { *build } else { *weeks }, *currency));
        svg.push_str(&panel(id, title, max, is_money, values));
    }
    svg
}

/// One horizontal range chart: a row per stage, its range as a bar with the figures beside it.
fn panel<'a>(
    id: &str,
    title: &str,
    max: i64,
    is_money: bool,
    rows: impl ExactSizeIterator<Item = (&'a str, Option<Range>, &'a str)>,
) -> String {
    let (label_w, panel_w, row_h, top) = (110.0, 300.0, 34.0, 44.0);
    let width = label_w + panel_w + 20.0;
    let height = top + rows.len() as f64 * row_h + 16.0;
    let x0 = label_w;
    let mut svg = format!(
        "<svg class=\"cost-chart\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-labelledby=\"{id}-title cost-chart-desc\" xmlns=\"http://www.w3.org/2000/svg\">\
<title id=\"{id}-title\">{} by stage</title>",
        escape_html(title)
    );
    if is_money {
        svg.push_str("<desc id=\"cost-chart-desc\">Ranges per stage; the same figures are in the table below.</desc>");
    }
    svg.push_str(&format!(
        "<text class=\"chart-title\" x=\"{x0}\" y=\"18\">{}</text><line class=\"chart-axis\" x1=\"{x0}\" y1=\"{}\" x2=\"{x0}\" y2=\"{}\"/>",
        escape_html(title),
        top - 12.0,
        height - 10.0
    ));
    for (i, (name, range, currency)) in rows.enumerate() {
        let y = top + i as f64 * row_h;
        svg.push_str(&format!(
            "<text class=\"chart-label\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
            label_w - 10.0,
            y + 14.0,
            escape_html(name)
        ));
        match range {
            Some(r) => {
                let scale = (panel_w - 70.0) / max as f64;
                let x = x0 + r.min as f64 * scale;
                let w = ((r.max - r.min) as f64 * scale).max(3.0);
                let label = if is_money {
                    format::range(r, |v| format::money_short(currency, v), "")
                } else {
                    format::range(r, |v| v.to_string(), "")
                };
                svg.push_str(&format!(
                    "<rect class=\"chart-bar\" x=\"{x:.1}\" y=\"{:.1}\" width=\"{w:.1}\" height=\"14\" rx=\"3\"/><text class=\"chart-value\" x=\"{:.1}\" y=\"{:.1}\">{}</text>",
                    y + 3.0,
                    x + w + 6.0,
                    y + 14.0,
                    escape_html(&label)
                ));
            }
            None => svg.push_str(&format!(
                "<text class=\"chart-none\" x=\"{:.1}\" y=\"{:.1}\">no range given</text>",
                x0 + 6.0,
                y + 14.0
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
        let svg = cost_chart(&m);
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
    fn no_ranges_no_chart() {
        let m = crate::matrix::parse("[[stage]]\nid=\"a\"\nname=\"A\"\n").unwrap();
        assert_eq!(cost_chart(&m), "");
    }
}
