//! Plots a sweep (`sweep.png`, 1600x1000 px, and `sweep.svg`), one panel per metric:
//!
//! - one axis: the metric's mean against the axis values, with the 95 % confidence band;
//! - two axes: a heatmap (rows: the first axis, columns: the second) with the mean, and `±` the
//!   confidence half-width, printed in each cell; skipped points grey;
//! - three or more: one heatmap figure per combination of the other axes' values,
//!   `sweep_<axis>=<value>….png`.
//!
//! Values carry their unit (bytes in IEC units, seconds, %), read from the metric's name. A
//! heatmap's colours run from light (the scale's low end: 0 for a metric that is never
//! negative, such as a count) to dark red (the largest mean of the metric in any facet), so the
//! facet files of one sweep share one scale. With a `[goal]`, the recommended point has a black
//! frame (heatmaps) or ring (curves), and a bound of a goal metric is a dashed line on its
//! curve (in a heatmap's title).
//!
//! Text uses the run plots' embedded DejaVu Sans.

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use anyhow::{anyhow, Result};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::FontStyle;

use crate::report::plot::ensure_fonts;
use crate::sweep::stats::Stat;

const FONT: &str = "sans-serif";
pub const SWEEP_PLOT_SIZE: (u32, u32) = (1600, 1000);
const LINE: RGBColor = RGBColor(31, 92, 170);
const GREY: RGBColor = RGBColor(70, 70, 70);
const SKIPPED: RGBColor = RGBColor(225, 225, 225);

/// What the plots need: axes, their values, and per point (by index) each metric's statistics
/// (`None`: skipped, or not in this shard).
pub struct SweepPlotInput {
    pub title: String,
    pub subtitle: String,
    pub axes: Vec<String>,
    pub axis_values: Vec<Vec<String>>,
    pub metrics: Vec<String>,
    pub cells: Vec<Option<Vec<Stat>>>,
    /// The point the goal recommends.
    pub recommended: Option<usize>,
    /// Per metric, the goal's bounds on it (min, max), if it has any.
    pub bounds: Vec<(Option<f64>, Option<f64>)>,
}

/// What a metric's numbers are, from its name (`*_bytes`/`bytes_*`, `*_seconds`, `*_percent`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Unit {
    Bytes,
    Seconds,
    Percent,
    Count,
}

pub fn unit_of(metric: &str) -> Unit {
    if metric.contains("bytes") {
        Unit::Bytes
    } else if metric.ends_with("_seconds") {
        Unit::Seconds
    } else if metric.ends_with("_percent") {
        Unit::Percent
    } else {
        Unit::Count
    }
}

/// A value in its unit, short: `12.3 GiB`, `3500 s`, `86.3%`, `2.33`.
pub fn with_unit(unit: Unit, v: f64) -> String {
    match unit {
        Unit::Bytes => iec(v),
        Unit::Seconds => format!("{} s", short(v)),
        Unit::Percent => format!("{}%", short(v)),
        Unit::Count => short(v),
    }
}

/// Bytes in IEC units with three significant digits (`1.5 GiB`, `300 MiB`, `0`).
pub fn iec(v: f64) -> String {
    let a = v.abs();
    if v == 0.0 {
        return "0".into();
    }
    if a < 1024.0 {
        return format!("{} B", short(v));
    }
    let units = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    let mut x = v / 1024.0;
    let mut u = 0;
    while x.abs() >= 1024.0 && u + 1 < units.len() {
        x /= 1024.0;
        u += 1;
    }
    let t = if x.abs() >= 100.0 {
        format!("{x:.0}")
    } else if x.abs() >= 10.0 {
        trim(format!("{x:.1}"))
    } else {
        trim(format!("{x:.2}"))
    };
    format!("{t} {}", units[u])
}

/// A metric's colour scale over every point (every facet): `(low, high)`. Counts and seconds
/// start at 0 when no mean is negative (0 evictions is the anchor that matters); percentages
/// and bytes span the means' range (80 % and 86 % usage would otherwise both be dark).
fn scale(input: &SweepPlotInput, k: usize, unit: Unit) -> Option<(f64, f64)> {
    let means = input.cells.iter().flatten().map(|s| s[k].mean);
    let (lo, hi) = means.fold((f64::MAX, f64::MIN), |(a, b), m| (a.min(m), b.max(m)));
    let anchored = matches!(unit, Unit::Count | Unit::Seconds);
    (lo <= hi).then_some((if anchored { lo.min(0.0) } else { lo }, hi))
}

/// The goal's bounds on metric `k` as text: `goal ≤ 90%`, `goal ≥ 1 GiB`, `goal 2 … 5`.
fn bound_text(input: &SweepPlotInput, k: usize, unit: Unit) -> Option<String> {
    match input.bounds.get(k).copied().unwrap_or((None, None)) {
        (Some(a), Some(b)) => Some(format!(
            "goal {} … {}",
            with_unit(unit, a),
            with_unit(unit, b)
        )),
        (Some(a), None) => Some(format!("goal ≥ {}", with_unit(unit, a))),
        (None, Some(b)) => Some(format!("goal ≤ {}", with_unit(unit, b))),
        (None, None) => None,
    }
}

fn err<E: std::fmt::Debug>(e: E) -> anyhow::Error {
    anyhow!("drawing the sweep plot failed: {e:?}")
}

/// A short number: integers as they are, else three significant digits; k and M above 10 000.
pub fn short(v: f64) -> String {
    let a = v.abs();
    if a >= 1e6 {
        format!("{}M", trim(format!("{:.2}", v / 1e6)))
    } else if a >= 1e4 {
        format!("{}k", trim(format!("{:.1}", v / 1e3)))
    } else if (v - v.round()).abs() < 1e-9 {
        format!("{:.0}", v.round())
    } else if a >= 100.0 {
        format!("{v:.0}")
    } else if a >= 10.0 {
        trim(format!("{v:.1}"))
    } else {
        trim(format!("{v:.2}"))
    }
}

fn trim(s: String) -> String {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

fn file_safe(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._-=".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Writes the plot files into `dir` and returns their paths.
pub fn plot_sweep(dir: &Path, input: &SweepPlotInput) -> Result<Vec<PathBuf>> {
    ensure_fonts()?;
    let lens: Vec<usize> = input.axis_values.iter().map(Vec::len).collect();
    let mut files = Vec::new();
    if lens.is_empty() {
        return Ok(files);
    }
    // Facets: each combination of the values of axes 2.. (one facet for one or two axes).
    let facet_lens = if lens.len() > 2 { &lens[2..] } else { &[][..] };
    let n_facets: usize = facet_lens.iter().product();
    // Facets are independent files: draw them in parallel (on the caller's rayon pool).
    let per_facet = (0..n_facets)
        .into_par_iter()
        .map(|f| -> Result<[PathBuf; 2]> {
            let fixed = crate::sweep::spec::coords(facet_lens, f);
            let (stem, extra) = if fixed.is_empty() {
                ("sweep".to_string(), String::new())
            } else {
                let parts: Vec<String> = fixed
                    .iter()
                    .enumerate()
                    .map(|(k, &c)| format!("{}={}", input.axes[k + 2], input.axis_values[k + 2][c]))
                    .collect();
                (
                    file_safe(&format!("sweep_{}", parts.join("_"))),
                    parts.join(", "),
                )
            };
            // Point index of (c0, c1) in this facet.
            let index = |c0: usize, c1: usize| -> usize {
                let mut c = vec![c0];
                if lens.len() > 1 {
                    c.push(c1);
                }
                c.extend(&fixed);
                c.iter().zip(&lens).fold(0, |acc, (&ci, &n)| acc * n + ci)
            };
            let png = dir.join(format!("{stem}.png"));
            let svg = dir.join(format!("{stem}.svg"));
            {
                let root = BitMapBackend::new(&png, SWEEP_PLOT_SIZE).into_drawing_area();
                draw(&root, input, &extra, &index)?;
                root.present()
                    .map_err(|e| crate::report::present_error(e, &png))?;
            }
            {
                let root = SVGBackend::new(&svg, SWEEP_PLOT_SIZE).into_drawing_area();
                draw(&root, input, &extra, &index)?;
                root.present()
                    .map_err(|e| crate::report::present_error(e, &svg))?;
            }
            Ok([png, svg])
        });
    for pair in per_facet.collect::<Result<Vec<_>>>()? {
        files.extend(pair);
    }
    Ok(files)
}

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    input: &SweepPlotInput,
    extra: &str,
    index: &dyn Fn(usize, usize) -> usize,
) -> Result<()> {
    root.fill(&WHITE).map_err(err)?;
    root.draw(&Text::new(
        input.title.clone(),
        (24, 12),
        (FONT, 30, FontStyle::Bold).into_font().color(&BLACK),
    ))
    .map_err(err)?;
    let sub = if extra.is_empty() {
        input.subtitle.clone()
    } else {
        format!("{extra} · {}", input.subtitle)
    };
    root.draw(&Text::new(
        sub,
        (24, 52),
        (FONT, 17).into_font().color(&GREY),
    ))
    .map_err(err)?;
    let body = root.margin(85, 10, 10, 10);
    let m = input.metrics.len().max(1);
    let cols = if m == 1 {
        1
    } else if m <= 4 {
        2
    } else {
        3
    };
    let rows = m.div_ceil(cols);
    let panels = body.split_evenly((rows, cols));
    for (k, metric) in input.metrics.iter().enumerate() {
        if input.axes.len() == 1 {
            line_panel(root, &panels[k], input, k, metric, index)?;
        } else {
            heat_panel(root, &panels[k], input, k, metric, index)?;
        }
    }
    Ok(())
}

/// Pixel positions of a chart's data coordinates are absolute, so labels go on the root.
fn label<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    text: &str,
    at: (i32, i32),
    size: u32,
    pos: Pos,
) -> Result<()> {
    root.draw(&Text::new(
        text.to_string(),
        at,
        (FONT, size).into_font().color(&BLACK).pos(pos),
    ))
    .map_err(err)
}

/// Which of `n` category labels to print so that they do not overlap in `width` pixels.
fn label_step(n: usize, width: f64, longest: usize) -> usize {
    let need = (longest as f64 * 9.0 + 12.0).max(20.0);
    let per = width / n.max(1) as f64;
    ((need / per).ceil() as usize).max(1)
}

fn line_panel<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    area: &DrawingArea<DB, Shift>,
    input: &SweepPlotInput,
    k: usize,
    metric: &str,
    index: &dyn Fn(usize, usize) -> usize,
) -> Result<()> {
    let vals = &input.axis_values[0];
    let n = vals.len();
    let numeric = vals
        .iter()
        .all(|v| crate::sweep::spec::value_number(v).is_some());
    let pts: Vec<Option<Stat>> = (0..n)
        .map(|i| input.cells[index(i, 0)].as_ref().map(|s| s[k]))
        .collect();
    // Summary metrics are counts, seconds and percentages: a band never goes below 0 when no
    // mean does.
    let floor = if pts.iter().flatten().all(|s| s.mean >= 0.0) {
        0.0
    } else {
        f64::MIN
    };
    let band = |s: &Stat| {
        let c = s.ci95.unwrap_or(0.0);
        ((s.mean - c).max(floor), s.mean + c)
    };
    let (mut lo, mut hi) = (f64::MAX, f64::MIN);
    for s in pts.iter().flatten() {
        let (a, b) = band(s);
        lo = lo.min(a);
        hi = hi.max(b);
    }
    if lo > hi {
        (lo, hi) = (0.0, 1.0);
    }
    lo = lo.min(0.0);
    if hi - lo < 1e-9 {
        hi = lo + 1.0;
    }
    let pad = (hi - lo) * 0.08;
    hi += pad;
    if lo < 0.0 {
        lo -= pad;
    }
    let unit = unit_of(metric);
    let (bmin, bmax) = input.bounds.get(k).copied().unwrap_or((None, None));
    for b in [bmin, bmax].into_iter().flatten() {
        lo = lo.min(b);
        hi = hi.max(b + (hi - lo) * 0.05);
    }
    let caption = match bound_text(input, k, unit) {
        Some(b) => format!("{metric} · {b}"),
        None => metric.to_string(),
    };
    let mut chart = ChartBuilder::on(area)
        .caption(caption, (FONT, 20))
        .margin(12)
        .x_label_area_size(62)
        .y_label_area_size(90)
        .build_cartesian_2d(-0.5..(n as f64 - 0.5), lo..hi)
        .map_err(err)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(0)
        .y_labels(6)
        .y_label_formatter(&|v| with_unit(unit, *v))
        .light_line_style(TRANSPARENT)
        .bold_line_style(RGBColor(228, 228, 228))
        .label_style((FONT, 14))
        .axis_desc_style((FONT, 16))
        .x_desc(input.axes[0].as_str())
        .draw()
        .map_err(err)?;
    // Runs of consecutive points that were run: band and line per run.
    let mut runs: Vec<Vec<(f64, Stat)>> = vec![Vec::new()];
    for (i, p) in pts.iter().enumerate() {
        match p {
            Some(s) => runs.last_mut().unwrap().push((i as f64, *s)),
            None => runs.push(Vec::new()),
        }
    }
    for run in runs.iter().filter(|r| !r.is_empty()) {
        if run.iter().any(|(_, s)| s.ci95.is_some_and(|c| c > 0.0)) {
            let mut poly: Vec<(f64, f64)> = run.iter().map(|(x, s)| (*x, band(s).1)).collect();
            poly.extend(run.iter().rev().map(|(x, s)| (*x, band(s).0)));
            if run.len() == 1 {
                let (x, s) = run[0];
                let (a, b) = band(&s);
                chart
                    .draw_series(std::iter::once(PathElement::new(
                        vec![(x, a), (x, b)],
                        LINE.mix(0.4).stroke_width(6),
                    )))
                    .map_err(err)?;
            } else {
                chart
                    .draw_series(std::iter::once(Polygon::new(poly, LINE.mix(0.18))))
                    .map_err(err)?;
            }
        }
        // Values that are not numbers (a runtime, a layout) are categories: points, no line.
        if numeric {
            chart
                .draw_series(LineSeries::new(
                    run.iter().map(|(x, s)| (*x, s.mean)),
                    LINE.stroke_width(2),
                ))
                .map_err(err)?;
        }
        chart
            .draw_series(
                run.iter()
                    .map(|(x, s)| Circle::new((*x, s.mean), 4, LINE.filled())),
            )
            .map_err(err)?;
    }
    // The goal's bounds, dashed.
    for b in [bmin, bmax].into_iter().flatten() {
        chart
            .draw_series(DashedLineSeries::new(
                vec![(-0.5, b), (n as f64 - 0.5, b)],
                8,
                6,
                RGBColor(200, 20, 20).stroke_width(2),
            ))
            .map_err(err)?;
    }
    // The recommended point: a ring.
    if let Some(i) = (0..n).find(|&i| input.recommended == Some(index(i, 0))) {
        if let Some(s) = pts[i] {
            chart
                .draw_series(std::iter::once(Circle::new(
                    (i as f64, s.mean),
                    11,
                    BLACK.stroke_width(3),
                )))
                .map_err(err)?;
            let (px, py) = chart.backend_coord(&(i as f64, s.mean));
            label(
                root,
                "recommended",
                (px, py - 16),
                13,
                Pos::new(HPos::Center, VPos::Bottom),
            )?;
        }
    }
    // Category labels under the axis; skipped points marked.
    let (l, r) = (
        chart.backend_coord(&(-0.5, lo)),
        chart.backend_coord(&(n as f64 - 0.5, lo)),
    );
    let longest = vals.iter().map(|v| v.chars().count()).max().unwrap_or(1);
    let step = label_step(n, (r.0 - l.0) as f64, longest);
    for (i, v) in vals.iter().enumerate() {
        let (px, py) = chart.backend_coord(&(i as f64, lo));
        if i % step == 0 {
            label(root, v, (px, py + 8), 14, Pos::new(HPos::Center, VPos::Top))?;
        }
        if pts[i].is_none() {
            label(
                root,
                "skipped",
                (px, py - 8),
                12,
                Pos::new(HPos::Center, VPos::Bottom),
            )?;
        }
    }
    Ok(())
}

/// Light yellow to red.
fn heat(t: f64) -> RGBColor {
    let t = t.clamp(0.0, 1.0);
    let (a, b) = ((255.0, 247.0, 188.0), (200.0, 20.0, 20.0));
    RGBColor(
        (a.0 + (b.0 - a.0) * t) as u8,
        (a.1 + (b.1 - a.1) * t) as u8,
        (a.2 + (b.2 - a.2) * t) as u8,
    )
}

fn heat_panel<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    area: &DrawingArea<DB, Shift>,
    input: &SweepPlotInput,
    k: usize,
    metric: &str,
    index: &dyn Fn(usize, usize) -> usize,
) -> Result<()> {
    let (ys, xs) = (&input.axis_values[0], &input.axis_values[1]);
    let (ny, nx) = (ys.len(), xs.len());
    let cell = |y: usize, x: usize| input.cells[index(y, x)].as_ref().map(|s| s[k]);
    let unit = unit_of(metric);
    let (lo, hi) = scale(input, k, unit).unwrap_or((0.0, 0.0));
    let mut caption = match scale(input, k, unit) {
        Some((lo, hi)) if hi > lo => format!(
            "{metric}   (colour: {} light → {} dark red)",
            with_unit(unit, lo),
            with_unit(unit, hi)
        ),
        Some((lo, _)) => format!("{metric}   (all {})", with_unit(unit, lo)),
        None => metric.to_string(),
    };
    if let Some(b) = bound_text(input, k, unit) {
        caption = format!("{caption} · {b}");
    }
    let longest_y = ys.iter().map(|v| v.chars().count()).max().unwrap_or(1) as u32;
    let mut chart = ChartBuilder::on(area)
        .caption(caption, (FONT, 20))
        .margin(12)
        .x_label_area_size(55)
        .y_label_area_size((longest_y * 9 + 40).clamp(60, 160))
        .build_cartesian_2d(0.0..nx as f64, 0.0..ny as f64)
        .map_err(err)?;
    chart
        .configure_mesh()
        .disable_mesh()
        .x_labels(0)
        .y_labels(0)
        .axis_desc_style((FONT, 16))
        .x_desc(input.axes[1].as_str())
        .y_desc(input.axes[0].as_str())
        .draw()
        .map_err(err)?;
    let p0 = chart.backend_coord(&(0.0, 0.0));
    let p1 = chart.backend_coord(&(1.0, 1.0));
    let (cw, ch) = ((p1.0 - p0.0).abs(), (p0.1 - p1.1).abs());
    let size = (ch as f64 * 0.3).min(cw as f64 / 5.0).clamp(9.0, 18.0) as u32;
    for y in 0..ny {
        for x in 0..nx {
            let (x0, y0) = (x as f64, y as f64);
            let s = cell(y, x);
            let fill = match s {
                Some(s) if hi > lo => heat((s.mean - lo) / (hi - lo)),
                Some(_) => heat(0.0),
                None => SKIPPED,
            };
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(x0, y0), (x0 + 1.0, y0 + 1.0)],
                    fill.filled(),
                )))
                .map_err(err)?;
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(x0, y0), (x0 + 1.0, y0 + 1.0)],
                    WHITE.stroke_width(1),
                )))
                .map_err(err)?;
            let (cx, cy) = chart.backend_coord(&(x0 + 0.5, y0 + 0.5));
            let dark = match s {
                Some(s) if hi > lo => (s.mean - lo) / (hi - lo) > 0.6,
                _ => false,
            };
            let color = if dark { WHITE } else { BLACK };
            let style = |sz: u32| {
                (FONT, sz)
                    .into_font()
                    .color(&color)
                    .pos(Pos::new(HPos::Center, VPos::Center))
            };
            match s {
                None => {
                    root.draw(&Text::new("skipped", (cx, cy), style(size.min(13))))
                        .map_err(err)?;
                }
                Some(s) => match s.ci95.filter(|c| *c > 0.0) {
                    Some(c) if ch as f64 > 2.6 * size as f64 => {
                        let off = (size as f64 * 0.6) as i32;
                        root.draw(&Text::new(
                            with_unit(unit, s.mean),
                            (cx, cy - off),
                            style(size),
                        ))
                        .map_err(err)?;
                        root.draw(&Text::new(
                            format!("±{}", with_unit(unit, c)),
                            (cx, cy + off),
                            style((size * 4 / 5).max(9)),
                        ))
                        .map_err(err)?;
                    }
                    _ => {
                        root.draw(&Text::new(with_unit(unit, s.mean), (cx, cy), style(size)))
                            .map_err(err)?;
                    }
                },
            }
            if input.recommended == Some(index(y, x)) {
                for inset in [0.0, 0.02] {
                    chart
                        .draw_series(std::iter::once(Rectangle::new(
                            [
                                (x0 + inset, y0 + inset),
                                (x0 + 1.0 - inset, y0 + 1.0 - inset),
                            ],
                            BLACK.stroke_width(3),
                        )))
                        .map_err(err)?;
                }
            }
        }
    }
    // Axis value labels.
    let longest_x = xs.iter().map(|v| v.chars().count()).max().unwrap_or(1);
    let step = label_step(nx, (cw as usize * nx) as f64, longest_x);
    for (x, v) in xs.iter().enumerate() {
        if x % step == 0 {
            let (px, py) = chart.backend_coord(&(x as f64 + 0.5, 0.0));
            label(root, v, (px, py + 6), 14, Pos::new(HPos::Center, VPos::Top))?;
        }
    }
    let ystep = ((18.0 / ch.max(1) as f64).ceil() as usize).max(1);
    for (y, v) in ys.iter().enumerate() {
        if y % ystep == 0 {
            let (px, py) = chart.backend_coord(&(0.0, y as f64 + 0.5));
            label(
                root,
                v,
                (px - 6, py),
                14,
                Pos::new(HPos::Right, VPos::Center),
            )?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod unit_tests {
    use super::*;

    #[test]
    fn values_carry_their_units() {
        // 1.5 GiB = 1610612736 bytes; 300 MiB = 314572800; 10 GiB and up with one decimal.
        assert_eq!(iec(1610612736.0), "1.5 GiB");
        assert_eq!(iec(314572800.0), "300 MiB");
        assert_eq!(iec(10.5 * 1073741824.0), "10.5 GiB");
        assert_eq!(iec(0.0), "0");
        assert_eq!(iec(512.0), "512 B");
        assert_eq!(iec(-2.0 * 1048576.0), "-2 MiB");
        assert_eq!(unit_of("min_available_bytes"), Unit::Bytes);
        assert_eq!(unit_of("bytes_freed_on_disk"), Unit::Bytes);
        assert_eq!(unit_of("disk_pressure_seconds"), Unit::Seconds);
        assert_eq!(unit_of("peak_usage_percent"), Unit::Percent);
        assert_eq!(unit_of("evictions"), Unit::Count);
        assert_eq!(with_unit(Unit::Seconds, 3500.0), "3500 s");
        assert_eq!(with_unit(Unit::Percent, 86.3333), "86.3%");
        assert_eq!(with_unit(Unit::Count, 2.3333), "2.33");
    }

    #[test]
    fn colour_scales_anchor_counts_at_zero_and_span_percentages() {
        let st = |m: f64| Stat {
            mean: m,
            sd: None,
            ci95: None,
        };
        let input = SweepPlotInput {
            title: String::new(),
            subtitle: String::new(),
            axes: vec!["a".into()],
            axis_values: vec![vec!["1".into(), "2".into(), "3".into()]],
            metrics: vec!["evictions".into(), "peak_usage_percent".into()],
            // Point 1 skipped: not part of either scale.
            cells: vec![
                Some(vec![st(2.0), st(80.0)]),
                None,
                Some(vec![st(5.0), st(86.0)]),
            ],
            recommended: None,
            bounds: vec![(None, Some(0.0)), (None, None)],
        };
        // Counts: 0 → 5 (not 2 → 5); percentages: 80 → 86.
        assert_eq!(scale(&input, 0, Unit::Count), Some((0.0, 5.0)));
        assert_eq!(scale(&input, 1, Unit::Percent), Some((80.0, 86.0)));
        assert_eq!(
            bound_text(&input, 0, Unit::Count).as_deref(),
            Some("goal ≤ 0")
        );
        assert_eq!(bound_text(&input, 1, Unit::Percent), None);
    }
}
