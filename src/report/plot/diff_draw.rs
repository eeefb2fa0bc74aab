//! `diff.png`: two runs on one time axis: both usage curves (each bin's min–max, so no peak is
//! lost), the instant their decisions first differ, and for each kind of decision a strip per
//! run, with each run's DiskPressure periods.

use std::path::Path;

use anyhow::Result;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};
use plotters::style::FontStyle;

use super::data::{Mark, PlotData, MARKS};
use super::draw::{
    ensure_fonts, err, legend, mark_style, num, polyline, text, time_axis, Swatch, FONT, GRID,
    LEFT, PRESSURE, RIGHT, USAGE,
};

/// Width and height of `diff.png`.
pub const DIFF_PLOT_SIZE: (u32, u32) = (1600, 900);

/// The left label area of both panels (the strips' names are longer than a usage.png's), so
/// their time axes line up.
const LABELS: u32 = LEFT + 30;
const B_COLOR: RGBColor = RGBColor(230, 120, 0);
const DIVERGE: RGBColor = RGBColor(90, 90, 90);

/// The strips drawn, top to bottom: the decisions `diff` compares.
const DIFF_MARKS: [Mark; 6] = [
    Mark::GcPass,
    Mark::ImageDeleted,
    Mark::EvictionReclaim,
    Mark::GcFailed,
    Mark::Evicted,
    Mark::Rejected,
];

/// Draws `diff.png` at `png` from both runs' plot data; `names` label them, `diverge` is the
/// first differing decision's instant (seconds), if any.
pub fn render_diff(
    png: &Path,
    a: &PlotData,
    b: &PlotData,
    names: (&str, &str),
    diverge: Option<f64>,
) -> Result<()> {
    ensure_fonts()?;
    let root = BitMapBackend::new(png, DIFF_PLOT_SIZE).into_drawing_area();
    root.fill(&WHITE).map_err(err)?;
    let t_end = a.t_end.max(b.t_end).max(1.0);
    let ta = time_axis(t_end);
    let xmax = t_end / ta.div;
    let x_fmt = |v: &f64| num(v);

    root.draw(&Text::new(
        format!("{} vs {}", names.0, names.1),
        (24, 12),
        (FONT, 30, FontStyle::Bold).into_font().color(&BLACK),
    ))
    .map_err(err)?;
    let sub = match diverge {
        Some(t) => format!(
            "decisions first differ at t = {} s ({} {})",
            num(&t),
            num(&(t / ta.div)),
            ta.unit
        ),
        None => "the same decisions at the same instants".to_string(),
    };
    root.draw(&Text::new(
        sub,
        (24, 52),
        (FONT, 17).into_font().color(&RGBColor(70, 70, 70)),
    ))
    .map_err(err)?;

    let body = root.margin(80, 8, 8, 8);
    let (top, strip) = body.split_vertically(470);

    let mut c1 = ChartBuilder::on(&top)
        .margin_top(34)
        .margin_right(4 + RIGHT)
        .x_label_area_size(30)
        .y_label_area_size(LABELS)
        .build_cartesian_2d(0.0..xmax, 0f64..100f64)
        .map_err(err)?;
    c1.configure_mesh()
        .x_labels(15)
        .y_labels(11)
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&|v| format!("{v:.0}"))
        .y_desc("imagefs usage (%)")
        .axis_desc_style((FONT, 18))
        .label_style((FONT, 15))
        .bold_line_style(GRID)
        .max_light_lines(0)
        .draw()
        .map_err(err)?;
    for (d, color, width) in [(a, USAGE, 3), (b, B_COLOR, 2)] {
        c1.draw_series(polyline(
            d.samples
                .iter()
                .flat_map(|(_, _, s)| s.usage.points())
                .map(|(t, v)| (t / ta.div, v))
                .collect(),
            color.stroke_width(width),
            true,
        ))
        .map_err(err)?;
    }
    if let Some(t) = diverge {
        let x = t / ta.div;
        c1.draw_series(DashedLineSeries::new(
            [(x, 0.0), (x, 100.0)],
            8,
            5,
            DIVERGE.stroke_width(2),
        ))
        .map_err(err)?;
    }
    let (plot_left, plot_top) = c1.backend_coord(&(0.0, 100.0));
    let (plot_right, _) = c1.backend_coord(&(xmax, 0.0));
    let mut items = vec![
        (
            Swatch::Line(USAGE),
            format!("{} (usage, the kubelet's integer %)", names.0),
        ),
        (Swatch::Line(B_COLOR), names.1.to_string()),
    ];
    if diverge.is_some() {
        items.push((
            Swatch::Line(DIVERGE),
            "first differing decision".to_string(),
        ));
    }
    items.push((
        Swatch::Block(PRESSURE.mix(0.35)),
        "DiskPressure".to_string(),
    ));
    legend(&root, (plot_left, plot_top - 18), &items)?;

    // Strips: DiskPressure, then each decision, a row per run (A above B).
    let rows = 2.0 * (DIFF_MARKS.len() + 1) as f64;
    let mut c2 = ChartBuilder::on(&strip)
        .margin_top(6)
        .margin_right(4 + RIGHT)
        .x_label_area_size(40)
        .y_label_area_size(LABELS)
        .build_cartesian_2d(0.0..xmax, 0f64..rows)
        .map_err(err)?;
    c2.configure_mesh()
        .x_labels(15)
        .y_labels(0)
        .x_label_formatter(&x_fmt)
        .x_desc(format!("time ({})", ta.unit))
        .axis_desc_style((FONT, 18))
        .label_style((FONT, 15))
        .disable_y_mesh()
        .bold_line_style(GRID)
        .max_light_lines(0)
        .draw()
        .map_err(err)?;
    let px = xmax / (c2.plotting_area().dim_in_pixel().0.max(1) as f64);
    let mut row = 0usize;
    let label = |c2: &ChartContext<'_, BitMapBackend<'_>, _>,
                 y0: f64,
                 name: &str,
                 run: &str,
                 count: String,
                 color: RGBColor|
     -> Result<()> {
        let (lx, cy) = c2.backend_coord(&(0.0, y0 + 0.5));
        root.draw(&Text::new(
            format!("{name} · {run}"),
            (lx - 10, cy),
            text(14, color, HPos::Right, VPos::Center),
        ))
        .map_err(err)?;
        root.draw(&Text::new(
            count,
            (plot_right + 10, cy),
            text(14, color, HPos::Left, VPos::Center),
        ))
        .map_err(err)
    };
    for (i, d) in [a, b].into_iter().enumerate() {
        let y0 = rows - 1.0 - row as f64;
        let run = if i == 0 { "A" } else { "B" };
        let periods = d.pressure_periods();
        c2.draw_series(periods.iter().map(|&(s, e)| {
            let (s, e) = (s / ta.div, e / ta.div);
            Rectangle::new(
                [(s, y0 + 0.18), (e.max(s + 1.5 * px), y0 + 0.82)],
                PRESSURE.mix(0.35).filled(),
            )
        }))
        .map_err(err)?;
        let secs: f64 = periods.iter().map(|(s, e)| e - s).sum();
        label(
            &c2,
            y0,
            "DiskPressure",
            run,
            format!("{} s", num(&secs.round())),
            PRESSURE,
        )?;
        row += 1;
    }
    for m in DIFF_MARKS {
        let r = MARKS.iter().position(|&x| x == m).expect("a plotted mark");
        let (name, color) = mark_style(m);
        c2.draw_series(std::iter::once(PathElement::new(
            [(0.0, rows - row as f64), (xmax, rows - row as f64)],
            GRID,
        )))
        .map_err(err)?;
        for (i, d) in [a, b].into_iter().enumerate() {
            let y0 = rows - 1.0 - row as f64;
            let run = if i == 0 { "A" } else { "B" };
            // B's rows lighter, so the two runs read apart at a glance.
            let style: ShapeStyle = if i == 0 {
                color.filled()
            } else {
                color.mix(0.55).filled()
            };
            c2.draw_series(d.events.iter().filter(|(_, _, e)| e.counts[r] > 0).map(
                |(t0, t1, _)| {
                    let (s, e) = (t0 / ta.div, t1 / ta.div);
                    Rectangle::new([(s, y0 + 0.18), (e.max(s + 1.5 * px), y0 + 0.82)], style)
                },
            ))
            .map_err(err)?;
            label(&c2, y0, name, run, d.totals[r].to_string(), color)?;
            row += 1;
        }
    }
    if let Some(t) = diverge {
        let x = t / ta.div;
        c2.draw_series(DashedLineSeries::new(
            [(x, 0.0), (x, rows)],
            8,
            5,
            DIVERGE.stroke_width(2),
        ))
        .map_err(err)?;
    }
    root.present()
        .map_err(|e| crate::report::present_error(e, png))?;
    Ok(())
}
