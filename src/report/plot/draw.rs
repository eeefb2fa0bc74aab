//! Draws [`PlotData`] onto a plotters backend: header, usage panel, event strip, bytes panel.

use std::path::Path;
use std::sync::OnceLock;

use anyhow::{anyhow, Result};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{register_font, FontStyle};

use super::data::{Mark, PlotData, MARKS};
use super::{plot_files, PlotSettings, PLOT_SIZE};

pub(super) const FONT: &str = "sans-serif";
/// Width of the left label area of every panel (tick labels, axis name, strip row names).
pub(super) const LEFT: u32 = 135;
/// Width of the right label area (threshold names, strip counts, the pull axis).
pub(super) const RIGHT: u32 = 130;

pub(super) const USAGE: RGBColor = RGBColor(31, 92, 170);
const NODEFS: RGBColor = RGBColor(120, 120, 120);
pub(super) const GC_HIGH: RGBColor = RGBColor(230, 120, 0);
const GC_LOW: RGBColor = RGBColor(30, 150, 60);
pub(super) const EVICTION: RGBColor = RGBColor(200, 20, 20);
const ON_DISK: RGBColor = RGBColor(31, 92, 170);
const BELIEVED: RGBColor = RGBColor(230, 120, 0);
const PULLS: RGBColor = RGBColor(60, 160, 90);
pub(super) const GRID: RGBColor = RGBColor(228, 228, 228);
pub(super) const PRESSURE: RGBColor = RGBColor(220, 40, 40);

/// A colour as CSS writes it (`#1f5caa`).
pub(crate) fn css(c: RGBColor) -> String {
    format!("#{:02x}{:02x}{:02x}", c.0, c.1, c.2)
}

/// The colours `report.html` draws its usage chart with: usage.png's, so both read alike.
/// Usage, GC high, GC low, eviction, DiskPressure, in CSS.
pub(crate) fn usage_colours() -> [String; 5] {
    [USAGE, GC_HIGH, GC_LOW, EVICTION, PRESSURE].map(css)
}

pub(super) fn err<E: std::fmt::Debug>(e: E) -> anyhow::Error {
    anyhow!("drawing the plot failed: {e:?}")
}

/// Registers the embedded DejaVu Sans as plotters' `sans-serif` (once per process).
pub(crate) fn ensure_fonts() -> Result<()> {
    static OK: OnceLock<bool> = OnceLock::new();
    let ok = *OK.get_or_init(|| {
        register_font(FONT, FontStyle::Normal, dejavu::sans::regular()).is_ok()
            && register_font(FONT, FontStyle::Bold, dejavu::sans::bold()).is_ok()
    });
    if ok {
        Ok(())
    } else {
        Err(anyhow!("cannot load the embedded font"))
    }
}

impl PlotData {
    /// Writes `usage.png` and `usage.svg` into `dir`.
    pub fn render(&self, dir: &Path, settings: &PlotSettings) -> Result<()> {
        ensure_fonts()?;
        let [png, svg] = plot_files(dir);
        {
            let root = BitMapBackend::new(&png, PLOT_SIZE).into_drawing_area();
            draw(&root, self, settings, true)?;
            root.present()
                .map_err(|e| crate::report::present_error(e, &png))?;
        }
        {
            let root = SVGBackend::new(&svg, PLOT_SIZE).into_drawing_area();
            draw(&root, self, settings, false)?;
            root.present()
                .map_err(|e| crate::report::present_error(e, &svg))?;
        }
        Ok(())
    }
}

/// How time is shown on the x axis.
pub(super) struct TimeAxis {
    /// Seconds per unit.
    pub(super) div: f64,
    pub(super) unit: &'static str,
}

pub(super) fn time_axis(t_end: f64) -> TimeAxis {
    if t_end <= 3.0 * 3600.0 {
        TimeAxis {
            div: 60.0,
            unit: "minutes",
        }
    } else if t_end <= 3.0 * 86_400.0 {
        TimeAxis {
            div: 3600.0,
            unit: "hours",
        }
    } else {
        TimeAxis {
            div: 86_400.0,
            unit: "days",
        }
    }
}

/// A binary byte unit suiting values up to `max`.
pub(super) fn byte_unit(max: f64) -> (f64, &'static str) {
    const K: f64 = 1024.0;
    if max >= K * K * K {
        (K * K * K, "GiB")
    } else if max >= K * K {
        (K * K, "MiB")
    } else if max >= K {
        (K, "KiB")
    } else {
        (1.0, "bytes")
    }
}

/// Width (seconds) and name of the pull-traffic bins: the smallest that gives at most 200 bars.
fn pull_bin(t_end: f64) -> (f64, &'static str) {
    const CHOICES: [(f64, &str); 11] = [
        (60.0, "minute"),
        (300.0, "5 min"),
        (600.0, "10 min"),
        (900.0, "15 min"),
        (1800.0, "30 min"),
        (3600.0, "hour"),
        (7200.0, "2 h"),
        (21_600.0, "6 h"),
        (43_200.0, "12 h"),
        (86_400.0, "day"),
        (604_800.0, "week"),
    ];
    CHOICES
        .iter()
        .copied()
        .find(|(w, _)| t_end / w <= 200.0)
        .unwrap_or(CHOICES[CHOICES.len() - 1])
}

/// A tick label: no trailing zeros.
pub(super) fn num(v: &f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{:.0}", v.round())
    } else {
        let s = format!("{v:.2}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

pub(super) fn text(size: u32, color: RGBColor, h: HPos, v: VPos) -> TextStyle<'static> {
    (FONT, size).into_font().color(&color).pos(Pos::new(h, v))
}

/// Spreads labels (pixel y, sorted ascending) so that consecutive ones are at least `gap` apart:
/// labels that would overlap form a group centred on their mean position, then the whole set is
/// kept within `lo..=hi`.
fn spread(ys: &mut [i32], gap: i32, lo: i32, hi: i32) {
    // Groups as (first index, len, mean of the wanted positions).
    let mut groups: Vec<(usize, usize, f64)> = Vec::new();
    for (i, &y) in ys.iter().enumerate() {
        groups.push((i, 1, y as f64));
        while groups.len() > 1 {
            let (b0, bn, bm) = groups[groups.len() - 1];
            let (a0, an, am) = groups[groups.len() - 2];
            let a_end = am + (an as f64 - 1.0) * gap as f64 / 2.0;
            let b_start = bm - (bn as f64 - 1.0) * gap as f64 / 2.0;
            if b_start - a_end >= gap as f64 {
                break;
            }
            let n = an + bn;
            let m = (am * an as f64 + bm * bn as f64) / n as f64;
            groups.truncate(groups.len() - 2);
            groups.push((a0.min(b0), n, m));
        }
    }
    for (first, n, m) in groups {
        let start = m - (n as f64 - 1.0) * gap as f64 / 2.0;
        for k in 0..n {
            ys[first + k] = (start + (k as i32 * gap) as f64).round() as i32;
        }
    }
    if let (Some(&first), Some(&last)) = (ys.first(), ys.last()) {
        let shift = if first < lo {
            lo - first
        } else if last > hi {
            (hi - last).max(lo - first)
        } else {
            0
        };
        for y in ys.iter_mut() {
            *y += shift;
        }
    }
}

/// A legend entry's symbol.
pub(super) enum Swatch {
    Line(RGBColor),
    Triangle(RGBColor),
    Block(RGBAColor),
}

/// Draws a one-line legend left to right from `(x, y)` (y is the line's middle).
pub(super) fn legend<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    (mut x, y): (i32, i32),
    items: &[(Swatch, String)],
) -> Result<()> {
    let style = text(15, RGBColor(40, 40, 40), HPos::Left, VPos::Center);
    for (sw, label) in items {
        match sw {
            Swatch::Line(c) => {
                root.draw(&PathElement::new([(x, y), (x + 24, y)], c.stroke_width(3)))
            }
            Swatch::Triangle(c) => root.draw(&TriangleMarker::new((x + 12, y), 6, c.filled())),
            Swatch::Block(c) => {
                root.draw(&Rectangle::new([(x, y - 7), (x + 24, y + 7)], c.filled()))
            }
        }
        .map_err(err)?;
        x += 32;
        root.draw(&Text::new(label.clone(), (x, y), style.clone()))
            .map_err(err)?;
        let (w, _) = root.estimate_text_size(label, &style).map_err(err)?;
        x += w as i32 + 30;
    }
    Ok(())
}

/// A DiskPressure period from `a` to `b` (x units; `px` per pixel): at least 2 px wide, and
/// a stronger shade when it is under 4 px, so that short periods stay visible at any span.
fn pressure_rect(a: f64, b: f64, y0: f64, y1: f64, px: f64) -> Rectangle<(f64, f64)> {
    let narrow = b - a < 4.0 * px;
    let colour = PRESSURE.mix(if narrow { 0.35 } else { 0.13 });
    Rectangle::new([(a, y0), (b.max(a + 2.0 * px), y1)], colour.filled())
}

pub(crate) fn mark_style(m: Mark) -> (&'static str, RGBColor) {
    match m {
        Mark::GcPass => ("GC passes", GC_HIGH),
        Mark::ImageDeleted => ("deleted by GC", RGBColor(150, 90, 20)),
        Mark::EvictionReclaim => ("eviction reclaim", RGBColor(190, 40, 110)),
        Mark::GcFailed => ("GC failed", RGBColor(170, 0, 0)),
        Mark::PullFailed => ("pulls failed", RGBColor(110, 110, 110)),
        Mark::Evicted => ("pods evicted", EVICTION),
        Mark::Rejected => ("pods rejected", RGBColor(130, 50, 180)),
        Mark::KubeletRestart => ("kubelet restarts", RGBColor(0, 120, 120)),
    }
}

/// A polyline as plotters elements. plotters' bitmap backend turns a wide polyline into one
/// polygon whose joins are unbounded on the inner side of sharp turns, which draws spikes where a
/// min/max zigzag reverses; so for bitmaps a wide line is drawn as separate segments. SVG viewers
/// join lines properly.
pub(super) fn polyline(
    pts: Vec<(f64, f64)>,
    style: ShapeStyle,
    segmented: bool,
) -> Vec<PathElement<(f64, f64)>> {
    if segmented && style.stroke_width > 1 {
        pts.windows(2)
            .map(|w| PathElement::new(vec![w[0], w[1]], style))
            .collect()
    } else {
        vec![PathElement::new(pts, style)]
    }
}

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    d: &PlotData,
    s: &PlotSettings,
    segmented: bool,
) -> Result<()> {
    root.fill(&WHITE).map_err(err)?;
    let t_end = if d.t_end > 0.0 { d.t_end } else { 1.0 };
    let ta = time_axis(t_end);
    let xmax = t_end / ta.div;
    let x_range = 0.0..xmax;
    let x_fmt = |v: &f64| num(v);

    // Header.
    root.draw(&Text::new(
        s.title.clone(),
        (24, 12),
        (FONT, 30, FontStyle::Bold).into_font().color(&BLACK),
    ))
    .map_err(err)?;
    // The settings line; too wide for the canvas, it wraps at " · " onto a second line.
    let max_w = PLOT_SIZE.0 - 48;
    let one = (FONT, 17).into_font().color(&RGBColor(70, 70, 70));
    let width = |t: &str, st: &TextStyle| root.estimate_text_size(t, st).map(|(w, _)| w);
    if width(&s.subtitle, &one).map_err(err)? <= max_w {
        root.draw(&Text::new(s.subtitle.clone(), (24, 52), one))
            .map_err(err)?;
    } else {
        let two = (FONT, 15).into_font().color(&RGBColor(70, 70, 70));
        let mut lines = vec![String::new()];
        for part in s.subtitle.split(" · ") {
            let last = lines.last_mut().expect("one line at least");
            let joined = if last.is_empty() {
                part.to_string()
            } else {
                format!("{last} · {part}")
            };
            if last.is_empty() || width(&joined, &two).map_err(err)? <= max_w {
                *last = joined;
            } else {
                lines.push(part.to_string());
            }
        }
        for (i, line) in lines.iter().take(2).enumerate() {
            root.draw(&Text::new(
                line.clone(),
                (24, 47 + 19 * i as i32),
                two.clone(),
            ))
            .map_err(err)?;
        }
    }

    let body = root.margin(80, 8, 8, 8);
    let (top, rest) = body.split_vertically(440);
    let (strip, bottom) = rest.split_vertically(150);
    let pressure = d.pressure_periods();
    let shade = PRESSURE.mix(0.13);

    // ---- Usage panel. Its right label area is left empty (a margin) for the threshold names.
    let mut c1 = ChartBuilder::on(&top)
        .margin_top(34)
        .margin_right(4 + RIGHT)
        .x_label_area_size(30)
        .y_label_area_size(LEFT)
        .build_cartesian_2d(x_range.clone(), 0f64..100f64)
        .map_err(err)?;
    let px = xmax / (c1.plotting_area().dim_in_pixel().0.max(1) as f64);
    c1.configure_mesh()
        .x_labels(15)
        .y_labels(11)
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&|v| format!("{v:.0}"))
        .y_desc(if d.has_nodefs {
            "usage (%)"
        } else {
            "imagefs usage (%)"
        })
        .axis_desc_style((FONT, 18))
        .label_style((FONT, 15))
        .bold_line_style(GRID)
        .max_light_lines(0)
        .draw()
        .map_err(err)?;

    c1.draw_series(pressure.iter().map(|&(a, b)| {
        let (a, b) = (a / ta.div, b / ta.div);
        pressure_rect(a, b, 0.0, 100.0, px)
    }))
    .map_err(err)?;

    // Threshold lines, named in the right margin.
    let mut lines = vec![
        (
            s.gc_high_percent,
            format!("GC high {}%", num(&s.gc_high_percent)),
            GC_HIGH,
        ),
        (
            s.gc_low_percent,
            format!("GC low {}%", num(&s.gc_low_percent)),
            GC_LOW,
        ),
    ];
    if let Some(e) = s.eviction_threshold_percent {
        lines.push((e, format!("eviction {}%", num(&e)), EVICTION));
    }
    // The eviction line solid and first, so GC lines at the same level show dashed over it.
    if let Some(e) = s.eviction_threshold_percent {
        c1.draw_series(LineSeries::new(
            [(0.0, e), (xmax, e)],
            EVICTION.stroke_width(2),
        ))
        .map_err(err)?;
    }
    for (v, _, color) in lines.iter().take(2) {
        c1.draw_series(DashedLineSeries::new(
            [(0.0, *v), (xmax, *v)],
            12,
            6,
            color.stroke_width(2),
        ))
        .map_err(err)?;
    }

    if d.has_nodefs {
        c1.draw_series(LineSeries::new(
            d.samples
                .iter()
                .filter_map(|(_, _, b)| b.nodefs_usage)
                .flat_map(|e| e.points())
                .map(|(t, v)| (t / ta.div, v)),
            NODEFS.stroke_width(1),
        ))
        .map_err(err)?;
    }
    c1.draw_series(polyline(
        d.samples
            .iter()
            .flat_map(|(_, _, b)| b.usage.points())
            .map(|(t, v)| (t / ta.div, v))
            .collect(),
        USAGE.stroke_width(2),
        segmented,
    ))
    .map_err(err)?;

    // GC passes that fired, at the usage they saw; markers closer than 6 px merge.
    let mut gc_marks: Vec<(f64, f64)> = Vec::new();
    for (t0, _, b) in d.events.iter() {
        let Some(u) = b.gc_usage else { continue };
        let x = t0 / ta.div;
        match gc_marks.last_mut() {
            Some(last) if x - last.0 < 6.0 * px => last.1 = last.1.max(u),
            _ => gc_marks.push((x, u)),
        }
    }
    c1.draw_series(
        gc_marks
            .iter()
            .map(|&(x, u)| TriangleMarker::new((x, u.clamp(0.0, 100.0)), 6, GC_HIGH.filled())),
    )
    .map_err(err)?;

    let (plot_left, plot_top) = c1.backend_coord(&(0.0, 100.0));
    let (plot_right, plot_bottom) = c1.backend_coord(&(xmax, 0.0));

    // Who made the big drops: deletions (bins closer than 8 px merged) of at least 5 % of the
    // largest image cache, named at the top of the usage panel.
    {
        let cache_max = d
            .samples
            .iter()
            .map(|(_, _, b)| b.image_bytes.max)
            .fold(0.0, f64::max);
        let mut drops: Vec<(f64, [u64; 2])> = Vec::new();
        for (t0, t1, b) in d.events.iter() {
            if b.freed == [0, 0] {
                continue;
            }
            let x = (t0 + t1) / 2.0 / ta.div;
            match drops.last_mut() {
                Some(last) if x - last.0 < 8.0 * px => {
                    last.1[0] += b.freed[0];
                    last.1[1] += b.freed[1];
                }
                _ => drops.push((x, b.freed)),
            }
        }
        drops.retain(|(_, f)| (f[0] + f[1]) as f64 >= 0.05 * cache_max && cache_max > 0.0);
        // Largest first; a label that would touch one already placed (220 px, a label's width)
        // is left out.
        drops.sort_by(|a, b| (b.1[0] + b.1[1]).cmp(&(a.1[0] + a.1[1])));
        let mut placed: Vec<f64> = Vec::new();
        drops.retain(|(x, _)| {
            let free = placed.iter().all(|p| (p - x).abs() >= 220.0 * px);
            if free {
                placed.push(*x);
            }
            free
        });
        for (x, f) in drops {
            let who = match (f[0] > 0, f[1] > 0) {
                (true, true) => "GC + eviction",
                (false, true) => "eviction reclaim",
                _ => "GC",
            };
            let color = if f[1] > f[0] {
                mark_style(Mark::EvictionReclaim).1
            } else {
                mark_style(Mark::ImageDeleted).1
            };
            let (px_x, _) = c1.backend_coord(&(x, 100.0));
            root.draw(&Text::new(
                format!(
                    "{who} −{}",
                    crate::units::format_binary_size_1dec(f[0] + f[1])
                ),
                (px_x.clamp(plot_left + 60, plot_right - 60), plot_top + 10),
                text(13, color, HPos::Center, VPos::Top),
            ))
            .map_err(err)?;
        }
    }
    {
        let mut order: Vec<usize> = (0..lines.len()).collect();
        order.sort_by_key(|&i| c1.backend_coord(&(0.0, lines[i].0)).1);
        let mut ys: Vec<i32> = order
            .iter()
            .map(|&i| c1.backend_coord(&(0.0, lines[i].0)).1)
            .collect();
        spread(&mut ys, 19, plot_top + 8, plot_bottom - 8);
        for (&i, y) in order.iter().zip(ys) {
            let (_, name, color) = &lines[i];
            root.draw(&Text::new(
                name.clone(),
                (plot_right + 10, y),
                text(15, *color, HPos::Left, VPos::Center),
            ))
            .map_err(err)?;
        }
    }
    let mut items = vec![(
        Swatch::Line(USAGE),
        if d.has_nodefs {
            "imagefs usage (the kubelet's integer %)".to_string()
        } else {
            "disk usage (the kubelet's integer %)".to_string()
        },
    )];
    if d.has_nodefs {
        items.push((Swatch::Line(NODEFS), "nodefs usage".to_string()));
    }
    if let (Some(e), Some(label)) = (s.eviction_threshold_percent, &s.eviction_label) {
        items.push((
            Swatch::Line(EVICTION),
            // Within 0.05 points: the same pixel row (the threshold is a byte count).
            if (e - s.gc_high_percent).abs() < 0.05 {
                format!("eviction threshold: {label} (at GC high: one line, dashed over solid)")
            } else {
                format!("eviction threshold: {label}")
            },
        ));
    }
    items.push((
        Swatch::Triangle(GC_HIGH),
        "GC pass that fired (at the usage it saw)".to_string(),
    ));
    items.push((
        Swatch::Block(shade),
        if pressure.is_empty() {
            "DiskPressure (none)".to_string()
        } else {
            format!("DiskPressure ({} periods)", pressure.len())
        },
    ));
    legend(root, (plot_left, plot_top - 18), &items)?;

    // ---- Event strip.
    let rows = MARKS.len() as f64;
    let mut c2 = ChartBuilder::on(&strip)
        .margin_top(4)
        .margin_right(4 + RIGHT)
        .x_label_area_size(0)
        .y_label_area_size(LEFT)
        .build_cartesian_2d(x_range.clone(), 0f64..rows)
        .map_err(err)?;
    c2.configure_mesh()
        .x_labels(15)
        .y_labels(0)
        .disable_y_mesh()
        .bold_line_style(GRID)
        .max_light_lines(0)
        .draw()
        .map_err(err)?;
    c2.draw_series(pressure.iter().map(|&(a, b)| {
        let (a, b) = (a / ta.div, b / ta.div);
        pressure_rect(a, b, 0.0, rows, px)
    }))
    .map_err(err)?;
    for (r, &m) in MARKS.iter().enumerate() {
        let y0 = rows - 1.0 - r as f64;
        let (name, color) = mark_style(m);
        if r > 0 {
            c2.draw_series(std::iter::once(PathElement::new(
                [(0.0, y0 + 1.0), (xmax, y0 + 1.0)],
                GRID,
            )))
            .map_err(err)?;
        }
        c2.draw_series(
            d.events
                .iter()
                .filter(|(_, _, b)| b.counts[r] > 0)
                .map(|(t0, t1, _)| {
                    let (a, b) = (t0 / ta.div, t1 / ta.div);
                    Rectangle::new(
                        [(a, y0 + 0.18), (b.max(a + 1.5 * px), y0 + 0.82)],
                        color.filled(),
                    )
                }),
        )
        .map_err(err)?;
        let (lx, cy) = c2.backend_coord(&(0.0, y0 + 0.5));
        root.draw(&Text::new(
            name,
            (lx - 10, cy),
            text(15, color, HPos::Right, VPos::Center),
        ))
        .map_err(err)?;
        root.draw(&Text::new(
            d.totals[r].to_string(),
            (plot_right + 10, cy),
            text(15, color, HPos::Left, VPos::Center),
        ))
        .map_err(err)?;
    }

    // ---- Bytes panel.
    let max_bytes = d
        .samples
        .iter()
        .map(|(_, _, b)| b.image_bytes.max.max(b.reported_image_bytes.max))
        .fold(0.0, f64::max);
    let (bdiv, bunit) = byte_unit(max_bytes);
    let ymax = if max_bytes > 0.0 {
        max_bytes / bdiv * 1.1
    } else {
        1.0
    };
    let (pw, pname) = pull_bin(t_end);
    let mut pull_bins = vec![0u64; (t_end / pw).ceil().max(1.0) as usize];
    for (t0, t1, b) in d.events.iter() {
        if b.pulled_bytes > 0 {
            let i = (((t0 + t1) / 2.0) / pw) as usize;
            let n = pull_bins.len();
            pull_bins[i.min(n - 1)] += b.pulled_bytes;
        }
    }
    let pmax_bytes = pull_bins.iter().copied().max().unwrap_or(0) as f64;
    let (pdiv, punit) = byte_unit(pmax_bytes);
    let pmax = if pmax_bytes > 0.0 {
        pmax_bytes / pdiv * 1.08
    } else {
        1.0
    };

    let mut c3 = ChartBuilder::on(&bottom)
        .margin_top(34)
        .margin_right(4)
        .x_label_area_size(52)
        .y_label_area_size(LEFT)
        .right_y_label_area_size(RIGHT)
        .build_cartesian_2d(x_range.clone(), 0f64..ymax)
        .map_err(err)?
        .set_secondary_coord(x_range.clone(), 0f64..pmax);
    c3.configure_mesh()
        .x_labels(15)
        .y_labels(7)
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&|v| num(v))
        .x_desc(format!("time ({})", ta.unit))
        .y_desc(format!("image cache ({bunit})"))
        .axis_desc_style((FONT, 18))
        .label_style((FONT, 15))
        .bold_line_style(GRID)
        .max_light_lines(0)
        .draw()
        .map_err(err)?;
    c3.configure_secondary_axes()
        .y_labels(7)
        .y_label_formatter(&|v| num(v))
        .y_desc(format!("pulled ({punit} per {pname})"))
        .axis_desc_style((FONT, 18))
        .label_style((FONT, 15))
        .draw()
        .map_err(err)?;
    c3.draw_series(pressure.iter().map(|&(a, b)| {
        let (a, b) = (a / ta.div, b / ta.div);
        pressure_rect(a, b, 0.0, ymax, px)
    }))
    .map_err(err)?;
    c3.draw_secondary_series(pull_bins.iter().enumerate().filter(|(_, &v)| v > 0).map(
        |(i, &v)| {
            let a = i as f64 * pw / ta.div;
            let b = ((i + 1) as f64 * pw / ta.div).min(xmax);
            let gap = ((b - a) * 0.12).min(px);
            Rectangle::new(
                [(a + gap, 0.0), (b - gap, v as f64 / pdiv)],
                PULLS.mix(0.45).filled(),
            )
        },
    ))
    .map_err(err)?;
    // Image bytes on disk, then as the kubelet believes (sum of reported sizes).
    for (on_disk, color) in [(true, ON_DISK), (false, BELIEVED)] {
        c3.draw_series(polyline(
            d.samples
                .iter()
                .flat_map(|(_, _, b)| {
                    if on_disk {
                        b.image_bytes.points()
                    } else {
                        b.reported_image_bytes.points()
                    }
                })
                .map(|(t, v)| (t / ta.div, v / bdiv))
                .collect(),
            color.stroke_width(2),
            segmented,
        ))
        .map_err(err)?;
    }
    // The two image series coincide when, in every bin, their extremes agree to 0.5 %.
    let same_bytes = d.samples.iter().all(|(_, _, b)| {
        let close = |a: f64, c: f64| (a - c).abs() <= 0.005 * a.abs().max(c.abs()).max(1.0);
        close(b.image_bytes.max, b.reported_image_bytes.max)
            && close(b.image_bytes.min, b.reported_image_bytes.min)
    });
    let (left3, top3) = c3.backend_coord(&(0.0, ymax));
    legend(
        root,
        (left3, top3 - 18),
        &[
            (
                Swatch::Line(ON_DISK),
                "images on disk (distinct layers)".to_string(),
            ),
            (
                Swatch::Line(BELIEVED),
                if same_bytes {
                    "as the kubelet believes (sum of reported sizes): the same, one line"
                        .to_string()
                } else {
                    "as the kubelet believes (sum of reported sizes)".to_string()
                },
            ),
            (
                Swatch::Block(PULLS.mix(0.45)),
                format!(
                    "pulled per {pname}, right axis (reported sizes, {} in all)",
                    crate::units::format_binary_size_1dec(d.pulled_bytes)
                ),
            ),
        ],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spread_separates_and_centres() {
        let mut ys = [100, 100, 110];
        spread(&mut ys, 20, 0, 1000);
        assert_eq!(ys, [83, 103, 123]);
        let mut ys = [10, 300];
        spread(&mut ys, 20, 0, 1000);
        assert_eq!(ys, [10, 300]);
        let mut ys = [5, 5];
        spread(&mut ys, 20, 0, 1000);
        assert_eq!(ys, [0, 20]);
    }

    #[test]
    fn tick_labels_and_units() {
        assert_eq!(num(&0.5), "0.5");
        assert_eq!(num(&3.0), "3");
        assert_eq!(num(&0.25), "0.25");
        assert_eq!(byte_unit(5e9).1, "GiB");
        assert_eq!(byte_unit(5e6).1, "MiB");
        assert_eq!(pull_bin(7.0 * 86_400.0).1, "hour");
        assert_eq!(pull_bin(3600.0).1, "minute");
        assert_eq!(time_axis(3600.0).unit, "minutes");
        assert_eq!(time_axis(86_400.0).unit, "hours");
        assert_eq!(time_axis(7.0 * 86_400.0).unit, "days");
    }
}
