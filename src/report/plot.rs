//! Plots a run: `usage.png` (1600x1000 px) and `usage.svg`.
//!
//! Top panel: imagefs usage % over time (the kubelet's integer `usage_percent`, the number the GC
//! thresholds are compared with), the GC high and low thresholds and the eviction threshold as
//! labelled lines, threshold-triggered GC passes as triangles, DiskPressure periods shaded. Below
//! it a strip of event ticks (GC passes, image deletions, GC failures, pull failures, evictions,
//! admission rejections) with their counts. Bottom panel: image cache bytes on disk (distinct
//! layers) vs as the kubelet believes (sum of runtime-reported image sizes), and pull traffic as
//! bars: the bytes of successful pulls per time bin, summed from the `Image size: N bytes.` of
//! each `Successfully pulled` event, i.e. sizes as the runtime reports them (compressed for
//! containerd, which is also what crosses the network).
//!
//! Everything the drawing needs goes through [`PlotData`], which aggregates samples and events as
//! they stream past into at most 4096 time bins keeping the minimum and the maximum of each series
//! (so peaks survive any downsampling): a run of millions of samples plots in constant memory,
//! whether from memory ([`plot_run`]), from the simulation itself ([`PlotData`] is a
//! [`Recorder`]) or from the files of a finished run ([`replot`]).
//!
//! Text uses DejaVu Sans embedded in the binary (the `dejavu` crate), registered with plotters'
//! `ab_glyph` backend: no system fonts, fontconfig or freetype are needed. The font's licence
//! (Bitstream Vera / Arev, permissive; DejaVu changes public domain) is in
//! `assets/fonts/LICENSE-DejaVu.txt`.

pub(crate) mod data;
mod diff_draw;
mod draw;
mod validate_draw;

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};

pub use data::PlotData;
pub(crate) use draw::{css, ensure_fonts, mark_style, usage_colours};

use crate::engine::NANOS_PER_SEC;
use crate::outcome::{EventRow, Recorder, Sample};
use crate::report::html;
use crate::scenario::Scenario;

pub use diff_draw::DIFF_PLOT_SIZE;
pub use validate_draw::{gc_available_line, VALIDATE_PLOT_SIZE};
pub(crate) use validate_draw::{render_validate, ValidatePlot};

/// Draws `diff.png` at `png` comparing the runs in directories `a` and `b` (from their CSVs),
/// with the instant their decisions first differ marked.
pub fn plot_diff(
    png: &Path,
    a: &Path,
    b: &Path,
    names: (&str, &str),
    diverge: Option<f64>,
) -> Result<()> {
    let da = PlotData::from_files(a)?;
    let db = PlotData::from_files(b)?;
    diff_draw::render_diff(png, &da, &db, names, diverge)
}

/// Name of the file (in the output directory) holding the [`PlotSettings`] of a run.
pub const PLOT_SETTINGS_FILE: &str = "plot.json";
/// Width and height of `usage.png` (and of the SVG's canvas).
pub const PLOT_SIZE: (u32, u32) = (1600, 1000);

/// What a plot needs besides the samples and events: texts and thresholds. Serialized to
/// `plot.json` in the output directory so that `imagefs-sim plot <dir>` can re-plot a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlotSettings {
    /// First line of the header, e.g. the scenario name and duration.
    pub title: String,
    /// Second line: the key settings of the run.
    #[serde(default)]
    pub subtitle: String,
    /// `imageGCHighThresholdPercent`.
    pub gc_high_percent: f64,
    /// `imageGCLowThresholdPercent`.
    pub gc_low_percent: f64,
    /// The disk eviction threshold on the image filesystem expressed as *usage* percent (for
    /// `imagefs.available<15%`, 85), if one is set.
    #[serde(default)]
    pub eviction_threshold_percent: Option<f64>,
    /// How to name the eviction line, e.g. `imagefs.available<15%` (default: `eviction`).
    #[serde(default)]
    pub eviction_label: Option<String>,
}

impl PlotSettings {
    /// Title, settings line and GC thresholds of a scenario. The eviction threshold is left
    /// unset: fill in `eviction_threshold_percent` (and `eviction_label`) when the scenario has
    /// one.
    pub fn from_scenario(sc: &Scenario) -> PlotSettings {
        use crate::node::catalog::SizeReporting;
        use crate::node::Layout;
        use crate::units::{format_binary_size_1dec as size, format_go_duration};

        let k = &sc.kubelet;
        let disk = match sc.node.layout {
            Layout::Shared => format!("{} disk (imagefs = nodefs)", size(sc.node.nodefs_capacity)),
            l => format!(
                "{} imagefs, {} nodefs ({})",
                size(sc.node.imagefs_capacity),
                size(sc.node.nodefs_capacity),
                l.as_str()
            ),
        };
        let reporting = match sc.size_reporting {
            SizeReporting::Compressed => "sizes reported compressed (containerd)",
            SizeReporting::Unpacked => "sizes reported unpacked (CRI-O/Docker)",
        };
        let pulls = if k.serialize_image_pulls {
            "serialized".to_string()
        } else {
            match k.max_parallel_image_pulls {
                Some(n) => format!("max {n} parallel"),
                None => "parallel".to_string(),
            }
        };
        let mut subtitle = format!(
            "{disk} · image GC high {}% / low {}%, min age {} · {reporting} · pulls {}/s, {pulls} · seed {}",
            k.image_gc_high_threshold_percent,
            k.image_gc_low_threshold_percent,
            format_go_duration(k.image_minimum_gc_age as i64),
            size(sc.node.pull_bandwidth),
            sc.seed,
        );
        if !sc.overrides.is_empty() {
            subtitle.push_str(" · what-if: ");
            subtitle.push_str(&sc.overrides.join(", "));
        }
        // The hard imagefs.available threshold (the one the plotted filesystem is evicted on),
        // as the usage % it corresponds to on this disk.
        let imagefs_cap = match sc.node.layout {
            Layout::Shared => sc.node.nodefs_capacity,
            _ => sc.node.imagefs_capacity,
        };
        let eviction = sc
            .eviction
            .thresholds
            .iter()
            .filter(|t| t.signal == crate::kubelet::eviction::types::Signal::ImageFsAvailable)
            .min_by_key(|t| t.grace_period)
            .map(|t| {
                let q = crate::kubelet::eviction::types::get_threshold_quantity(
                    &t.value,
                    imagefs_cap as i64,
                );
                let pct = 100.0 - q as f64 * 100.0 / imagefs_cap.max(1) as f64;
                let kind = if t.grace_period == 0 { "hard" } else { "soft" };
                (pct, format!("{kind} imagefs.available"))
            });
        PlotSettings {
            title: format!(
                "{} — imagefs usage over {}",
                sc.name,
                format_span(sc.duration / NANOS_PER_SEC)
            ),
            subtitle,
            gc_high_percent: k.image_gc_high_threshold_percent as f64,
            gc_low_percent: k.image_gc_low_threshold_percent as f64,
            eviction_threshold_percent: eviction.as_ref().map(|(pct, _)| *pct),
            eviction_label: eviction.map(|(_, label)| label),
        }
    }

    /// Writes `plot.json` into `dir`.
    pub fn write(&self, dir: &Path) -> Result<()> {
        let path = dir.join(PLOT_SETTINGS_FILE);
        let mut f =
            fs::File::create(&path).with_context(|| format!("cannot create {}", path.display()))?;
        serde_json::to_writer_pretty(&mut f, self)?;
        f.write_all(b"\n")?;
        Ok(())
    }

    /// Reads `plot.json` from `dir`.
    pub fn read(dir: &Path) -> Result<PlotSettings> {
        let path = dir.join(PLOT_SETTINGS_FILE);
        let text =
            fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
        serde_json::from_str(&text).with_context(|| format!("invalid {}", path.display()))
    }
}

/// `7d`, `36h`, `90m`, `45s`: the largest unit that divides the span.
fn format_span(secs: u64) -> String {
    if secs > 0 && secs.is_multiple_of(86_400) {
        format!("{}d", secs / 86_400)
    } else if secs > 0 && secs.is_multiple_of(3_600) {
        format!("{}h", secs / 3_600)
    } else if secs > 0 && secs.is_multiple_of(60) {
        format!("{}m", secs / 60)
    } else {
        format!("{secs}s")
    }
}

/// Plots samples and events held in memory: writes `usage.png`, `usage.svg` and `plot.json`
/// into `dir`.
pub fn plot_run(
    dir: &Path,
    samples: &[Sample],
    events: &[EventRow],
    settings: &PlotSettings,
) -> Result<()> {
    let mut d = PlotData::new();
    for s in samples {
        d.sample(s);
    }
    for e in events {
        d.event(e);
    }
    settings.write(dir)?;
    d.render(dir, settings)
}

/// Writes `plot.json` and plots a run whose `timeseries.csv` and `events.csv` are already in
/// `dir` (streaming them; this is what a runner that writes CSVs as it goes calls at the end):
/// `usage.png`, `usage.svg` and `report.html` (which also reads `dir`'s `summary.json`).
pub fn plot_dir(dir: &Path, settings: &PlotSettings) -> Result<()> {
    settings.write(dir)?;
    let (d, report) = read_for_plots(dir)?;
    d.render(dir, settings)?;
    html::write_report(dir, settings, report)
}

/// The plot's and the report's data, from one pass over the run's CSVs.
fn read_for_plots(dir: &Path) -> Result<(PlotData, html::ReportBuilder)> {
    let mut both = (PlotData::new(), html::ReportBuilder::new());
    crate::report::run_files::read_run_files(dir, &mut both)?;
    Ok(both)
}

/// Re-plots a finished run from its `timeseries.csv`, `events.csv` and `plot.json` (and
/// re-writes its `report.html`). Without a
/// `plot.json` (runs written before plots existed), the title comes from `summary.json` and the
/// thresholds from the first `ImageGCTriggered` event (or the kubelet defaults, 85/80), and the
/// plot says so.
pub fn replot(dir: &Path) -> Result<()> {
    // The caller names `dir` in front of the message.
    if !dir.exists() {
        bail!("no such directory (plot takes the output directory of a run)");
    }
    if !dir.is_dir() {
        bail!("not a directory (plot takes the output directory of a run)");
    }
    let (d, report) = read_for_plots(dir)?;
    let settings = if dir.join(PLOT_SETTINGS_FILE).exists() {
        PlotSettings::read(dir)?
    } else {
        fallback_settings(dir, &d)
    };
    d.render(dir, &settings)?;
    html::write_report(dir, &settings, report)
}

fn fallback_settings(dir: &Path, d: &PlotData) -> PlotSettings {
    let name = fs::read_to_string(dir.join("summary.json"))
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        .and_then(|v| v.get("scenario")?.as_str().map(str::to_string))
        .unwrap_or_else(|| {
            dir.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        });
    let (high, low, note) = match d.gc_thresholds_seen() {
        Some((h, l)) => (h, l, "GC thresholds from the events"),
        None => (
            85.0,
            80.0,
            "GC thresholds assumed to be the kubelet defaults",
        ),
    };
    PlotSettings {
        title: format!("{name} — imagefs usage"),
        subtitle: format!("no {PLOT_SETTINGS_FILE} in the output directory: {note}"),
        gc_high_percent: high,
        gc_low_percent: low,
        eviction_threshold_percent: None,
        eviction_label: None,
    }
}

/// The image files a plot writes into `dir` (beside them, `plot_dir` and `replot` write
/// [`html::REPORT_FILE`]).
pub fn plot_files(dir: &Path) -> [PathBuf; 2] {
    [dir.join("usage.png"), dir.join("usage.svg")]
}
