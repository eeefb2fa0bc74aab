//! `validate.png`: a run against the node it models, on a wall-clock axis (UTC). Top: the
//! image filesystem's available bytes, observed and simulated (each bin's min–max, as the other
//! plots bin; the simulated one in steps, as validate reads it), the image GC high threshold as the available bytes below which the kubelet's
//! integer usage reaches it, the first instant each series reaches it, the instant of the
//! largest error. Below: observed − simulated at each aligned sample.

use std::path::Path;

use anyhow::Result;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};
use plotters::style::FontStyle;

use super::data::Curve;
use super::draw::{
    byte_unit, ensure_fonts, err, legend, num, polyline, text, time_axis, Swatch, FONT, GC_HIGH,
    GRID, LEFT, RIGHT, USAGE,
};
use crate::wallclock::WallTime;

/// Width and height of `validate.png`.
pub const VALIDATE_PLOT_SIZE: (u32, u32) = (1600, 900);

const OBSERVED: RGBColor = RGBColor(40, 40, 40);
const MAX_ERROR: RGBColor = RGBColor(200, 20, 20);
/// Observed samples are drawn as dots too when there are at most this many.
const DOTS_UP_TO: usize = 400;

/// What `validate.png` draws; times are seconds from the run's t = 0.
#[derive(Debug, Clone, Default)]
pub(crate) struct ValidatePlot {
    pub(crate) title: String,
    pub(crate) subtitle: String,
    /// The wall-clock instant of t = 0.
    pub(crate) start: Option<WallTime>,
    pub(crate) t_end: f64,
    pub(crate) simulated: Curve,
    pub(crate) observed: Curve,
    /// Observed − simulated at the aligned samples.
    pub(crate) difference: Curve,
    /// The observed samples, when few enough to mark each.
    pub(crate) observed_points: Vec<(f64, f64)>,
    /// The run's capacity (its first sample), and the observed one when it differs.
    pub(crate) capacity_run: f64,
    pub(crate) capacity_observed: Option<f64>,
    pub(crate) gc_high_percent: f64,
    /// First instants at or over the high threshold: observed, simulated.
    pub(crate) gc_first: (Option<f64>, Option<f64>),
    pub(crate) max_error_at: Option<f64>,
}

/// The available bytes below which the kubelet's usage `100 - available*100/capacity`
/// (integer division) is at least `high`: `available*100/capacity <= 100 - high` holds for
/// `available < (101 - high)% of capacity`.
pub fn gc_available_line(capacity: f64, high: f64) -> f64 {
    (capacity * (101.0 - high) / 100.0).clamp(0.0, capacity)
}

/// A wall-clock tick label: `06:47` (or `06:47:30`) within a day, else `03-18 06:47`, or
/// `03-18` at midnight.
fn clock_label(t: WallTime, long: bool) -> String {
    let s = t.to_string();
    let (date, hm, sec) = (&s[5..10], &s[11..16], &s[16..19]);
    match (long, sec == ":00") {
        (true, true) if hm == "00:00" => date.to_string(),
        (true, _) => format!("{date} {hm}"),
        (false, true) => hm.to_string(),
        (false, false) => format!("{hm}{sec}"),
    }
}

/// A polyline through `pts` holding each value until the next point.
fn steps(pts: &[(f64, f64)]) -> Vec<(f64, f64)> {
    let mut out = Vec::with_capacity(pts.len() * 2);
    for w in pts.windows(2) {
        out.push(w[0]);
        if w[1].1 != w[0].1 {
            out.push((w[1].0, w[0].1));
        }
    }
    out.extend(pts.last());
    out
}

pub(crate) fn render_validate(png: &Path, p: &ValidatePlot) -> Result<()> {
    ensure_fonts()?;
    let root = BitMapBackend::new(png, VALIDATE_PLOT_SIZE).into_drawing_area();
    root.fill(&WHITE).map_err(err)?;
    let t_end = p.t_end.max(1.0);
    let ta = time_axis(t_end);
    let start = p.start.unwrap_or(WallTime::from_unix(0, 0));
    // x is wall-clock time in the axis unit since the epoch, so that ticks fall on round
    // minutes, hours or days of UTC.
    let x0 = (start.unix_secs() as f64 + start.subsec_nanos() as f64 * 1e-9) / ta.div;
    let x = |t: f64| x0 + t / ta.div;
    let (xa, xb) = (x(0.0), x(t_end));
    let long = t_end > 86_400.0;
    let x_fmt = |v: &f64| {
        let secs = v * ta.div;
        let whole = secs.floor();
        let nanos = ((secs - whole) * 1e9).round().min(999_999_999.0) as u32;
        clock_label(WallTime::from_unix(whole as i64, nanos), long)
    };

    root.draw(&Text::new(
        p.title.clone(),
        (24, 12),
        (FONT, 30, FontStyle::Bold).into_font().color(&BLACK),
    ))
    .map_err(err)?;
    root.draw(&Text::new(
        p.subtitle.clone(),
        (24, 52),
        (FONT, 17).into_font().color(&RGBColor(70, 70, 70)),
    ))
    .map_err(err)?;

    let body = root.margin(80, 8, 8, 8);
    let (top, bottom) = body.split_vertically(520);

    // ---- Available bytes.
    let cap = p.capacity_run.max(p.capacity_observed.unwrap_or(0.0));
    let hi = [p.simulated.range(), p.observed.range()]
        .into_iter()
        .flatten()
        .map(|r| r.1)
        .fold(cap, f64::max)
        .max(1.0);
    let (unit, unit_name) = byte_unit(hi);
    let ymax = hi / unit * 1.04;
    let mut c1 = ChartBuilder::on(&top)
        .margin_top(34)
        .margin_right(4 + RIGHT)
        .x_label_area_size(30)
        .y_label_area_size(LEFT)
        .build_cartesian_2d(xa..xb, 0f64..ymax)
        .map_err(err)?;
    c1.configure_mesh()
        .x_labels(12)
        .y_labels(11)
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&num)
        .y_desc(format!("imagefs available ({unit_name})"))
        .axis_desc_style((FONT, 18))
        .label_style((FONT, 15))
        .bold_line_style(GRID)
        .max_light_lines(0)
        .draw()
        .map_err(err)?;
    let scaled = |c: &Curve| -> Vec<(f64, f64)> {
        c.points()
            .into_iter()
            .map(|(t, v)| (x(t), v / unit))
            .collect()
    };

    // The GC line(s): the run's capacity, and the node's when it differs.
    let mut gc_lines = vec![(gc_available_line(p.capacity_run, p.gc_high_percent), USAGE)];
    if let Some(c) = p.capacity_observed {
        gc_lines.push((gc_available_line(c, p.gc_high_percent), OBSERVED));
    }
    for (i, &(y, _)) in gc_lines.iter().enumerate() {
        c1.draw_series(DashedLineSeries::new(
            [(xa, y / unit), (xb, y / unit)],
            12,
            6,
            GC_HIGH.stroke_width(if i == 0 { 2 } else { 1 }),
        ))
        .map_err(err)?;
    }
    if let Some(t) = p.max_error_at {
        c1.draw_series(DashedLineSeries::new(
            [(x(t), 0.0), (x(t), ymax)],
            8,
            5,
            MAX_ERROR.stroke_width(2),
        ))
        .map_err(err)?;
    }
    // The simulated curve in steps: validate reads it at the row at or before each instant.
    c1.draw_series(polyline(
        steps(&scaled(&p.simulated)),
        USAGE.stroke_width(3),
        true,
    ))
    .map_err(err)?;
    c1.draw_series(polyline(
        scaled(&p.observed),
        OBSERVED.stroke_width(2),
        true,
    ))
    .map_err(err)?;
    if p.observed_points.len() <= DOTS_UP_TO {
        c1.draw_series(
            p.observed_points
                .iter()
                .map(|&(t, v)| Circle::new((x(t), v / unit), 3, OBSERVED.filled())),
        )
        .map_err(err)?;
    }
    // First instants at or over the threshold: a triangle on the series' own GC line.
    let marks = [
        (p.gc_first.0, gc_lines.last().expect("one line").0, OBSERVED),
        (p.gc_first.1, gc_lines[0].0, USAGE),
    ];
    for (t, y, color) in marks {
        if let Some(t) = t {
            c1.draw_series(std::iter::once(TriangleMarker::new(
                (x(t), y / unit),
                8,
                color.filled(),
            )))
            .map_err(err)?;
        }
    }
    let (plot_left, plot_top) = c1.backend_coord(&(xa, ymax));
    let (plot_right, _) = c1.backend_coord(&(xb, 0.0));
    let (_, gc_y) = c1.backend_coord(&(xb, gc_lines[0].0 / unit));
    root.draw(&Text::new(
        format!("GC high {}%", num(&p.gc_high_percent)),
        (plot_right + 10, gc_y),
        text(15, GC_HIGH, HPos::Left, VPos::Center),
    ))
    .map_err(err)?;
    let mut items = vec![
        (Swatch::Line(OBSERVED), "observed".to_string()),
        (Swatch::Line(USAGE), "simulated".to_string()),
        (
            Swatch::Line(GC_HIGH),
            format!(
                "image GC high threshold (usage ≥ {}%: available < {}%)",
                num(&p.gc_high_percent),
                num(&(101.0 - p.gc_high_percent).clamp(0.0, 100.0))
            ),
        ),
    ];
    if p.gc_first.0.is_some() || p.gc_first.1.is_some() {
        items.push((
            Swatch::Triangle(GC_HIGH),
            "first reached (in each series' colour)".to_string(),
        ));
    }
    if p.max_error_at.is_some() {
        items.push((Swatch::Line(MAX_ERROR), "largest error".to_string()));
    }
    legend(&root, (plot_left, plot_top - 18), &items)?;

    // ---- Observed − simulated.
    let (lo, hi) = p.difference.range().unwrap_or((0.0, 0.0));
    let m = lo.abs().max(hi.abs());
    let (dunit, dname) = byte_unit(m.max(1.0));
    let dmax = if m > 0.0 { m / dunit * 1.15 } else { 1.0 };
    let mut c2 = ChartBuilder::on(&bottom)
        .margin_top(10)
        .margin_right(4 + RIGHT)
        .x_label_area_size(40)
        .y_label_area_size(LEFT)
        .build_cartesian_2d(xa..xb, -dmax..dmax)
        .map_err(err)?;
    c2.configure_mesh()
        .x_labels(12)
        .y_labels(7)
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&num)
        .x_desc(format!(
            "time (UTC){}",
            p.start
                .map(|s| format!(", the run from {s}"))
                .unwrap_or_default()
        ))
        .y_desc(format!("observed − simulated ({dname})"))
        .axis_desc_style((FONT, 18))
        .label_style((FONT, 15))
        .bold_line_style(GRID)
        .max_light_lines(0)
        .draw()
        .map_err(err)?;
    c2.draw_series(std::iter::once(PathElement::new(
        [(xa, 0.0), (xb, 0.0)],
        RGBColor(150, 150, 150).stroke_width(1),
    )))
    .map_err(err)?;
    c2.draw_series(polyline(
        p.difference
            .points()
            .into_iter()
            .map(|(t, v)| (x(t), v / dunit))
            .collect(),
        OBSERVED.stroke_width(2),
        true,
    ))
    .map_err(err)?;
    if let Some(t) = p.max_error_at {
        c2.draw_series(DashedLineSeries::new(
            [(x(t), -dmax), (x(t), dmax)],
            8,
            5,
            MAX_ERROR.stroke_width(2),
        ))
        .map_err(err)?;
    }
    root.present()
        .map_err(|e| crate::report::present_error(e, png))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// At 85 %: usage = 100 - floor(available*100/capacity) >= 85 while floor(…) <= 15, i.e.
    /// available < 16 % of capacity: 16 % of 1000 is 160 (159 gives floor 15.9 = 15, usage
    /// 85; 160 gives 16, usage 84).
    #[test]
    fn gc_line_is_where_the_integer_usage_reaches_the_threshold() {
        assert_eq!(gc_available_line(1000.0, 85.0), 160.0);
        assert_eq!(gc_available_line(1000.0, 100.0), 10.0);
        assert_eq!(gc_available_line(1000.0, 0.0), 1000.0);
    }

    #[test]
    fn clock_labels() {
        let t = WallTime::parse_rfc3339("2026-03-18T06:47:29Z").unwrap();
        assert_eq!(clock_label(t, false), "06:47:29");
        assert_eq!(clock_label(t.plus_ns(31_000_000_000), false), "06:48");
        assert_eq!(clock_label(t.plus_ns(31_000_000_000), true), "03-18 06:48");
        let midnight = WallTime::parse_rfc3339("2026-03-19T00:00:00Z").unwrap();
        assert_eq!(clock_label(midnight, true), "03-19");
    }
}
