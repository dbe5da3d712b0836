//! The cost chart of the stages page: server-rendered SVG, so it shows without any script.

use super::{format, DurationUnit, Figure, Matrix};
use crate::html::escape_html;

struct Row<'a> {
    name: &'a str,
    /// Build cost, then duration.
    bars: [Option<Bar>; 2],
}

/// One figure of the chart: where its bar spans in the panel's common unit (weeks for
/// durations, so stages given in months and in weeks share one axis), and its label in the
/// source's own unit.
struct Bar {
    span: Option<(f64, f64)>,
    label: String,
}

impl Bar {
    fn of(figure: &Figure, scale: f64, f: impl Fn(i64) -> String) -> Bar {
        match figure {
            Figure::Range(r) => {
                Bar { span: Some((r.min as f64 * scale, r.max as f64 * scale)), label: format::range(*r, f, "") }
            }
            Figure::Text(t) => Bar { span: None, label: t.clone() },
        }
    }

    fn suffixed(mut self, unit: &str) -> Bar {
        if self.span.is_some() {
            self.label.push_str(unit);
        }
        self
    }
}

/// A horizontal range chart of build cost and duration per stage, as inline SVG, so the
/// stages page shows it without any script. Stages without a range are named, not drawn as 0.
pub(crate) fn cost_chart(m: &Matrix) -> String {
    let rows: Vec<Row> =
        m.stages
            .iter()
            .map(|s| {
                let currency = s.cost.as_ref().map_or(m.currency.as_str(), |c| c.currency.as_str());
                let (build, duration) =
                    s.cost.as_ref().map_or((None, None), |c| {
                        let build = c.build.as_ref().map(|f| Bar::of(f, 1.0, |v| format::money_short(currency, v)));
                        let unit = c.duration_unit;
                        let duration =
                            c.duration.as_ref().map(|f| {
                                Bar::of(f, unit.in_weeks(), |v| v.to_string())
                                    .suffixed(if unit == DurationUnit::Weeks { "" } else { " months" })
                            });
                        (build, duration)
                    });
                Row { name: &s.name, bars: [build, duration] }
            })
            .collect();
    let drawn = |panel: usize| rows.iter().filter_map(move |r| r.bars[panel].as_ref()).filter(|b| b.span.is_some());
    if drawn(0).chain(drawn(1)).next().is_none() {
        return String::new();
    }
    let max = |panel| drawn(panel).filter_map(|b| b.span).map(|(_, hi)| hi).fold(1.0f64, f64::max);
    let (label_w, panel_w, gap, row_h, top) = (110.0, 300.0, 40.0, 34.0, 44.0);
    let width = label_w + 2.0 * panel_w + gap + 20.0;
    let height = top + rows.len() as f64 * row_h + 16.0;
    let mut svg = format!(
        "<svg class=\"cost-chart\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-labelledby=\"cost-chart-title cost-chart-desc\" xmlns=\"http://www.w3.org/2000/svg\">\
<title id=\"cost-chart-title\">Build cost and duration by stage</title>\
<desc id=\"cost-chart-desc\">Ranges per stage; the same figures are in the table below.</desc>"
    );
    let panels = [("Build cost", label_w, max(0)), ("Duration (weeks)", label_w + panel_w + gap, max(1))];
    for (title, x, _) in panels {
        svg.push_str(&format!(
            "<text class=\"chart-title\" x=\"{x}\" y=\"18\">{}</text><line class=\"chart-axis\" x1=\"{x}\" y1=\"{}\" x2=\"{x}\" y2=\"{}\"/>",
            escape_html(title),
            top - 12.0,
            height - 10.0
        ));
    }
    for (i, row) in rows.iter().enumerate() {
        let y = top + i as f64 * row_h;
        svg.push_str(&format!(
            "<text class=\"chart-label\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
            label_w - 10.0,
            y + 14.0,
            escape_html(row.name)
        ));
        for (bar, (_, x0, max)) in row.bars.iter().zip(panels) {
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
                    "<text class=\"chart-none\" x=\"{:.1}\" y=\"{:.1}\">no range given</text>",
                    x0 + 6.0,
                    y + 14.0
                )),
            }
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
    }

    #[test]
    fn months_share_the_weeks_axis_and_words_are_shown() {
        let m = crate::matrix::parse(
            "[[stage]]\nid=\"a\"\nname=\"A\"\ncost={build=\"nearly <none>\",weeks=[4,8]}\n[[stage]]\nid=\"b\"\nname=\"B\"\ncost={months=[2,4]}\n",
        )
        .unwrap();
        let svg = cost_chart(&m);
        assert!(svg.contains(">nearly &lt;none&gt;<"), "{svg}");
        assert!(svg.contains(">2–4 months<"), "{svg}");
        // 4 months is the longest: about 17.3 weeks, so the 8-week bar ends near the middle.
        let widths: Vec<f64> = svg
            .match_indices("width=\"")
            .filter_map(|(i, _)| svg[i + 7..].split('"').next()?.parse().ok())
            .collect();
        assert_eq!(widths.len(), 2, "{svg}");
        assert!((widths[0] - 230.0 * 4.0 / (4.0 * 52.0 / 12.0)).abs() < 0.2, "{widths:?}");
    }

    #[test]
    fn no_ranges_no_chart() {
        let m = crate::matrix::parse("[[stage]]\nid=\"a\"\nname=\"A\"\n").unwrap();
        assert_eq!(cost_chart(&m), "");
    }
}
