//! `validate RUN_DIR --observed FILE`: a finished run against what the node really did, from
//! the run's files alone (`summary.json`, `timeseries.csv`, `plot.json`, else `events.csv`)
//! and an observed series of the image filesystem (`observed.rs`: a Prometheus `query_range`
//! reply or Summary API replies).
//!
//! The rules:
//! - **Alignment.** The run's t = 0 is its scenario's `start_time` (`summary.json`), or
//!   `--start`, which wins over it. Observed samples before t = 0 or after the run's last
//!   sample are dropped and counted.
//! - **Step, not linear.** The simulated value at an observed instant is the run's
//!   `timeseries.csv` row at or before it (rows are every `sample_interval`, 10 s by default,
//!   each the state after every event at or before its time): the state the node model was in
//!   then, never a blend of two states.
//! - **Errors.** Available bytes: |observed − simulated| per aligned sample, its mean and its
//!   maximum (the first instant it is reached), and the mean of observed − simulated (its
//!   sign says which way the model leans). Usage % = 100 × (1 − available / capacity), exact
//!   (not the kubelet's integer), each side with its own capacity: the observed one's from the
//!   size series or the Summary's `capacityBytes`, else the run's.
//! - **Image GC.** At each aligned sample, each series' usage as the kubelet computes it,
//!   `100 − available × 100 / capacity` in integers (so 84.1 % counts as 85), against the run's
//!   `imageGCHighThresholdPercent` (`plot.json`; else the first `ImageGCTriggered` event's
//!   `highThreshold=`; else the kubelet's default, 85, said so): the first sample at or over it
//!   and the crossings (samples at or over it whose previous aligned sample was under, the
//!   first sample counting when it is over). Both series are read at the same instants.
//! - **Output.** `validate.txt` (what is printed), `validate.json` (the same numbers for
//!   machines), `validate.png` (`plot/validate_draw.rs`), into an [`OutputDir`] written whole
//!   or not at all; nothing is written when an input is wrong.

use std::fmt::Write as _;
use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use serde::Serialize;

use super::plot::{PlotSettings, ValidatePlot, PLOT_SETTINGS_FILE};
use super::OutputDir;
use crate::observed::{read_observed, ObservedFormat, ObservedSample};
use crate::units::format_binary_size_1dec as size_text;
use crate::wallclock::WallTime;

/// The files `validate` writes into its output directory.
pub const VALIDATE_FILES: [&str; 3] = ["validate.txt", "validate.json", "validate.png"];

/// The kubelet's default `imageGCHighThresholdPercent`, for runs that name none.
const DEFAULT_GC_HIGH_PERCENT: f64 = 85.0;

/// The rule stated in every report.
pub const ALIGNMENT_RULE: &str = "step: the simulated value at an observed instant is the run's timeseries.csv row at or before it";

const NANOS: u64 = 1_000_000_000;

/// What `validate` is asked.
#[derive(Debug, Clone)]
pub struct ValidateOptions {
    /// The run's output directory.
    pub run: PathBuf,
    /// The observed series.
    pub observed: PathBuf,
    /// Where to write validate.txt, validate.json, validate.png.
    pub out: PathBuf,
    /// The mountpoint of a Prometheus reply's series.
    pub mountpoint: Option<String>,
    /// t = 0 of the run, when its scenario had no `start_time` (wins over it).
    pub start: Option<WallTime>,
}

/// An error statistic of available bytes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BytesError {
    /// Mean of |observed − simulated|.
    pub mean: f64,
    /// Mean of observed − simulated.
    pub mean_signed: f64,
    pub max: u64,
    /// The first instant the max is reached (RFC 3339), and as the run's seconds.
    pub max_at: String,
    pub max_at_s: f64,
    pub observed_at_max: u64,
    pub simulated_at_max: u64,
}

/// An error statistic of usage % (points of percentage).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PercentError {
    pub mean: f64,
    pub mean_signed: f64,
    pub max: f64,
    pub max_at: String,
    pub max_at_s: f64,
    pub observed_at_max: f64,
    pub simulated_at_max: f64,
}

/// When a series first reached the image GC high threshold, and how often it crossed it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Trigger {
    pub first_at: Option<String>,
    pub first_at_s: Option<f64>,
    pub crossings: u64,
    /// Aligned samples at or over the threshold.
    pub samples_over: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Triggers {
    pub observed: Trigger,
    pub simulated: Trigger,
}

/// One observed sample and the run's row at or before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Aligned {
    /// The run's time of the observed sample (ns).
    pub t: u64,
    pub observed_available: u64,
    /// The observed capacity, else the run's.
    pub observed_capacity: u64,
    pub simulated_available: u64,
    pub simulated_capacity: u64,
}

/// What `validate` found (`validate.json`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Validation {
    pub run: String,
    pub scenario: String,
    pub observed: String,
    pub format: &'static str,
    pub source: String,
    pub start_time: String,
    /// `summary.json` or `--start`.
    pub start_from: &'static str,
    pub end_time: String,
    pub run_seconds: f64,
    pub rule: &'static str,
    /// Observed samples read (after repeated instants were dropped).
    pub observed_samples: usize,
    pub duplicates_dropped: usize,
    pub dropped_before_start: usize,
    pub dropped_after_end: usize,
    pub aligned_samples: usize,
    /// `observed` (the file's sizes) or `run` (the run's capacity_bytes).
    pub capacity_from: &'static str,
    pub available_bytes_error: BytesError,
    pub usage_percent_error: PercentError,
    pub image_gc_high_threshold_percent: f64,
    pub threshold_from: String,
    pub image_gc_trigger: Triggers,
    pub notes: Vec<String>,
    #[serde(skip)]
    pub aligned: Vec<Aligned>,
    #[serde(skip)]
    format_kind: Option<ObservedFormat>,
}

/// One row of `timeseries.csv`: what validate reads of it.
#[derive(Debug, Clone, Copy)]
struct Row {
    t: u64,
    capacity: u64,
    available: u64,
}

/// `time_s` as written (`10`, `10.5`, up to nanoseconds) in nanoseconds, exactly.
fn parse_seconds(text: &str) -> Option<u64> {
    let (whole, frac) = text.split_once('.').unwrap_or((text, ""));
    if whole.is_empty()
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || frac.len() > 9
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let w: u64 = whole.parse().ok()?;
    let f: u64 = if frac.is_empty() {
        0
    } else {
        format!("{frac:0<9}").parse().ok()?
    };
    w.checked_mul(NANOS)?.checked_add(f)
}

/// Streams `timeseries.csv`'s time, capacity and available bytes (the image filesystem's).
fn read_timeseries(path: &Path, on_row: &mut dyn FnMut(Row)) -> Result<usize> {
    let f = File::open(path).with_context(|| {
        format!(
            "cannot read {}: validate takes a run's output directory (what `run` writes)",
            path.display()
        )
    })?;
    let mut r = csv::Reader::from_reader(BufReader::with_capacity(1 << 16, f));
    let header = r
        .headers()
        .with_context(|| format!("cannot read {}", path.display()))?
        .clone();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .with_context(|| format!("{}: no column {name}", path.display()))
    };
    let (ct, cc, ca) = (
        col("time_s")?,
        col("capacity_bytes")?,
        col("available_bytes")?,
    );
    let mut rec = csv::StringRecord::new();
    let mut line = 1usize;
    let mut last: Option<u64> = None;
    let mut rows = 0usize;
    while r
        .read_record(&mut rec)
        .with_context(|| format!("cannot read {}", path.display()))?
    {
        line += 1;
        let get = |i: usize| rec.get(i).unwrap_or("").trim();
        let t = parse_seconds(get(ct)).with_context(|| {
            format!(
                "{}:{line}: time_s: {:?} is not a number of seconds",
                path.display(),
                get(ct)
            )
        })?;
        let bytes = |i: usize, name: &str| -> Result<u64> {
            get(i).parse::<u64>().ok().with_context(|| {
                format!(
                    "{}:{line}: {name}: {:?} is not a number of bytes",
                    path.display(),
                    get(i)
                )
            })
        };
        let capacity = bytes(cc, "capacity_bytes")?;
        let available = bytes(ca, "available_bytes")?;
        if capacity == 0 {
            bail!("{}:{line}: capacity_bytes: is 0", path.display());
        }
        if last.is_some_and(|l| t < l) {
            bail!(
                "{}:{line}: time_s: {} goes back (the row before is at {})",
                path.display(),
                get(ct),
                seconds_text(last.unwrap_or(0))
            );
        }
        last = Some(t);
        rows += 1;
        on_row(Row {
            t,
            capacity,
            available,
        });
    }
    if rows == 0 {
        bail!("{}: no samples (a header only)", path.display());
    }
    Ok(rows)
}

/// The run's image GC high threshold and where it came from.
fn gc_high_threshold(dir: &Path) -> Result<(f64, String)> {
    if dir.join(PLOT_SETTINGS_FILE).exists() {
        let s = PlotSettings::read(dir)?;
        return Ok((s.gc_high_percent, PLOT_SETTINGS_FILE.to_string()));
    }
    let ev = dir.join("events.csv");
    if ev.exists() {
        let mut r =
            csv::Reader::from_path(&ev).with_context(|| format!("cannot read {}", ev.display()))?;
        let h = r
            .headers()
            .with_context(|| format!("cannot read {}", ev.display()))?
            .clone();
        if let (Some(reason), Some(message)) = (
            h.iter().position(|c| c == "reason"),
            h.iter().position(|c| c == "message"),
        ) {
            for row in r.records() {
                let row = row.with_context(|| format!("cannot read {}", ev.display()))?;
                if row.get(reason) != Some("ImageGCTriggered") {
                    continue;
                }
                let m = row.get(message).unwrap_or("");
                if let Some(v) = m
                    .split_whitespace()
                    .find_map(|w| w.strip_prefix("highThreshold="))
                    .and_then(|v| v.parse::<f64>().ok())
                {
                    return Ok((v, "events.csv (the first ImageGCTriggered)".to_string()));
                }
            }
        }
    }
    Ok((
        DEFAULT_GC_HIGH_PERCENT,
        "the kubelet's default: the run has no plot.json and no ImageGCTriggered event".to_string(),
    ))
}

/// The kubelet's usage: `100 - available*100/capacity` in integers (negative when the
/// observed disk holds more than the run's capacity).
pub fn kubelet_usage_percent(capacity: u64, available: u64) -> i64 {
    100 - (available as i128 * 100 / capacity.max(1) as i128) as i64
}

/// Usage % exactly: 100 × (capacity − available) / capacity.
pub fn usage_percent(capacity: u64, available: u64) -> f64 {
    (capacity as i128 - available as i128) as f64 * 100.0 / capacity.max(1) as f64
}

/// Observed − simulated usage %, from one exact difference of fractions (so that equal
/// capacities give exactly 100 × Δavailable / capacity).
fn usage_difference(a: &Aligned) -> f64 {
    let (co, cs) = (a.observed_capacity as i128, a.simulated_capacity as i128);
    if co == cs {
        return (a.simulated_available as i128 - a.observed_available as i128) as f64 * 100.0
            / co.max(1) as f64;
    }
    let num = (co - a.observed_available as i128) * cs - (cs - a.simulated_available as i128) * co;
    num as f64 * 100.0 / (co as f64 * cs as f64)
}

fn trigger(aligned: &[Aligned], start: WallTime, over: impl Fn(&Aligned) -> bool) -> Trigger {
    let mut t = Trigger {
        first_at: None,
        first_at_s: None,
        crossings: 0,
        samples_over: 0,
    };
    let mut was_over = false;
    for a in aligned {
        let now = over(a);
        if now {
            t.samples_over += 1;
            if !was_over {
                t.crossings += 1;
            }
            if t.first_at.is_none() {
                t.first_at = Some(start.plus_ns(a.t).to_string());
                t.first_at_s = Some(seconds(a.t));
            }
        }
        was_over = now;
    }
    t
}

fn seconds(ns: u64) -> f64 {
    (ns / NANOS) as f64 + (ns % NANOS) as f64 / NANOS as f64
}

/// Seconds as `time_s` writes them: up to nanoseconds, no trailing zeros.
fn seconds_text(ns: u64) -> String {
    let (s, f) = (ns / NANOS, ns % NANOS);
    if f == 0 {
        s.to_string()
    } else {
        format!("{s}.{}", format!("{f:09}").trim_end_matches('0'))
    }
}

fn dir_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| p.display().to_string())
}

/// Compares the run in `opts.run` with `opts.observed`; writes nothing.
pub fn validate(opts: &ValidateOptions) -> Result<Validation> {
    compare(opts).map(|(v, _)| v)
}

/// What [`validate`] finds, and what `validate.png` draws of it.
fn compare(opts: &ValidateOptions) -> Result<(Validation, ValidatePlot)> {
    let summary = super::diff::read_summary(&opts.run)?;
    let get = |k: &str| summary.iter().find(|(n, _)| n == k).map(|(_, v)| v);
    let scenario = get("scenario")
        .and_then(|v| v.as_str())
        .unwrap_or("")
        .to_string();
    let summary_path = opts.run.join("summary.json");
    let mut notes = Vec::new();
    let summary_start = match get("start_time").and_then(|v| v.as_str()) {
        Some(s) => Some(
            WallTime::parse_rfc3339(s)
                .map_err(|e| anyhow::anyhow!("{}: start_time: {e}", summary_path.display()))?,
        ),
        None => None,
    };
    let (start, start_from) = match (opts.start, summary_start) {
        (Some(s), Some(own)) => {
            if s != own {
                notes.push(format!(
                    "--start {s} is used instead of the run's start_time {own}"
                ));
            }
            (s, "--start")
        }
        (Some(s), None) => (s, "--start"),
        (None, Some(own)) => (own, "summary.json"),
        (None, None) => bail!(
            "{}: no start_time: the run's scenario had no start_time, so its t = 0 has no wall-clock instant to align the observed samples on; add start_time = \"2026-03-18T06:47:29Z\" (RFC 3339) to the scenario and run it again, or give --start RFC3339",
            summary_path.display()
        ),
    };
    let (gc_high, threshold_from) = gc_high_threshold(&opts.run)?;

    let observed = read_observed(&opts.observed, opts.mountpoint.as_deref())?;
    if opts.mountpoint.is_some() && observed.format == ObservedFormat::Summary {
        notes.push(
            "--mountpoint is for a Prometheus reply: a Summary's runtime.imageFs is the image filesystem".to_string(),
        );
    }
    let start_ns = start.unix_secs() as i128 * NANOS as i128 + start.subsec_nanos() as i128;
    let mut before = 0usize;
    let mut rel: Vec<(u64, ObservedSample)> = Vec::with_capacity(observed.samples.len());
    for s in &observed.samples {
        let d = s.time_ns as i128 - start_ns;
        if d < 0 {
            before += 1;
        } else {
            rel.push((d as u64, *s));
        }
    }

    // One pass over the run's rows: each observed sample takes the last row at or before it.
    let mut aligned: Vec<Aligned> = Vec::with_capacity(rel.len());
    let mut plot = ValidatePlot::default();
    let mut k = 0usize;
    let mut prev: Option<Row> = None;
    let align = |s: &ObservedSample, t: u64, r: &Row| Aligned {
        t,
        observed_available: s.available_bytes,
        observed_capacity: s.capacity_bytes.unwrap_or(r.capacity),
        simulated_available: r.available,
        simulated_capacity: r.capacity,
    };
    let ts = opts.run.join("timeseries.csv");
    read_timeseries(&ts, &mut |row| {
        while k < rel.len() && rel[k].0 < row.t {
            match &prev {
                Some(p) => aligned.push(align(&rel[k].1, rel[k].0, p)),
                None => before += 1,
            }
            k += 1;
        }
        if prev.is_none() {
            plot.capacity_run = row.capacity as f64;
        }
        plot.simulated.add(seconds(row.t), row.available as f64);
        prev = Some(row);
    })?;
    let last = prev.expect("read_timeseries refuses an empty file");
    while k < rel.len() && rel[k].0 <= last.t {
        aligned.push(align(&rel[k].1, rel[k].0, &last));
        k += 1;
    }
    let after = rel.len() - k;
    let end = start.plus_ns(last.t);

    if aligned.is_empty() {
        let span = match (observed.samples.first(), observed.samples.last()) {
            (Some(a), Some(b)) if a.time_ns == b.time_ns => {
                format!(" (at {})", WallTime::from_unix_ns(a.time_ns))
            }
            (Some(a), Some(b)) => format!(
                " ({} to {})",
                WallTime::from_unix_ns(a.time_ns),
                WallTime::from_unix_ns(b.time_ns)
            ),
            _ => String::new(),
        };
        bail!(
            "{}: none of the {} observed samples{span} fall within the run ({start} to {end}, t = 0 from {start_from}): is that the run's start, and the same node?",
            opts.observed.display(),
            observed.samples.len()
        );
    }

    // Errors.
    let n = aligned.len();
    let mut sum_abs: u128 = 0;
    let mut sum_signed: i128 = 0;
    let mut max_i = 0usize;
    let mut max_abs = 0u64;
    let (mut usage_sum_abs, mut usage_sum) = (0f64, 0f64);
    let (mut umax_i, mut umax) = (0usize, -1f64);
    for (i, a) in aligned.iter().enumerate() {
        let d = a.observed_available.abs_diff(a.simulated_available);
        sum_abs += d as u128;
        sum_signed += a.observed_available as i128 - a.simulated_available as i128;
        if d > max_abs || i == 0 {
            max_abs = d;
            max_i = i;
        }
        let u = usage_difference(a);
        usage_sum_abs += u.abs();
        usage_sum += u;
        if u.abs() > umax {
            umax = u.abs();
            umax_i = i;
        }
        let t = seconds(a.t);
        plot.observed.add(t, a.observed_available as f64);
        plot.difference.add(
            t,
            (a.observed_available as i128 - a.simulated_available as i128) as f64,
        );
        if n <= 400 {
            plot.observed_points.push((t, a.observed_available as f64));
        }
    }
    let am = &aligned[max_i];
    let um = &aligned[umax_i];
    let available_bytes_error = BytesError {
        mean: sum_abs as f64 / n as f64,
        mean_signed: sum_signed as f64 / n as f64,
        max: max_abs,
        max_at: start.plus_ns(am.t).to_string(),
        max_at_s: seconds(am.t),
        observed_at_max: am.observed_available,
        simulated_at_max: am.simulated_available,
    };
    let usage_percent_error = PercentError {
        mean: usage_sum_abs / n as f64,
        mean_signed: usage_sum / n as f64,
        max: umax,
        max_at: start.plus_ns(um.t).to_string(),
        max_at_s: seconds(um.t),
        observed_at_max: usage_percent(um.observed_capacity, um.observed_available),
        simulated_at_max: usage_percent(um.simulated_capacity, um.simulated_available),
    };
    let image_gc_trigger = Triggers {
        observed: trigger(&aligned, start, |a| {
            kubelet_usage_percent(a.observed_capacity, a.observed_available) as f64 >= gc_high
        }),
        simulated: trigger(&aligned, start, |a| {
            kubelet_usage_percent(a.simulated_capacity, a.simulated_available) as f64 >= gc_high
        }),
    };
    let has_capacity = observed.samples.iter().any(|s| s.capacity_bytes.is_some());
    let capacity_observed = aligned
        .iter()
        .map(|a| a.observed_capacity)
        .max()
        .filter(|&c| has_capacity && c as f64 != plot.capacity_run);

    let v = Validation {
        run: opts.run.display().to_string(),
        scenario,
        observed: opts.observed.display().to_string(),
        format: observed.format.as_str(),
        source: observed.source.clone(),
        start_time: start.to_string(),
        start_from,
        end_time: end.to_string(),
        run_seconds: seconds(last.t),
        rule: ALIGNMENT_RULE,
        observed_samples: observed.samples.len(),
        duplicates_dropped: observed.duplicates,
        dropped_before_start: before,
        dropped_after_end: after,
        aligned_samples: n,
        capacity_from: if has_capacity { "observed" } else { "run" },
        available_bytes_error,
        usage_percent_error,
        image_gc_high_threshold_percent: gc_high,
        threshold_from,
        image_gc_trigger,
        notes,
        aligned,
        format_kind: Some(observed.format),
    };
    let name = if v.scenario.is_empty() {
        dir_name(&opts.run)
    } else {
        v.scenario.clone()
    };
    plot.title = format!("{name} vs the node — imagefs available bytes");
    plot.subtitle = format!(
        "{} aligned samples of {} · mean |error| {} · max {} at {} · image GC high {}%",
        n,
        dir_name(&opts.observed),
        size_text(v.available_bytes_error.mean.round() as u64),
        size_text(v.available_bytes_error.max),
        v.available_bytes_error.max_at,
        short(gc_high)
    );
    plot.start = Some(start);
    plot.t_end = seconds(last.t);
    plot.capacity_observed = capacity_observed.map(|c| c as f64);
    plot.gc_high_percent = gc_high;
    plot.gc_first = (
        v.image_gc_trigger.observed.first_at_s,
        v.image_gc_trigger.simulated.first_at_s,
    );
    // Marked where it stands out: an error the same at every sample has no instant of its own.
    let b = &v.available_bytes_error;
    plot.max_error_at = (b.max as f64 > b.mean).then_some(b.max_at_s);
    Ok((v, plot))
}

/// Validates and writes `validate.txt` (the text, which it returns), `validate.json` and
/// `validate.png` into `opts.out`, whole (a directory holding other files is refused).
pub fn write_validate(opts: &ValidateOptions) -> Result<String> {
    super::check_target(&opts.out, &|f| VALIDATE_FILES.contains(&f))?;
    let (v, plot) = compare(opts)?;
    let text = v.render();
    let dir = OutputDir::create(&opts.out, &|f| VALIDATE_FILES.contains(&f))?;
    let written = (|| -> Result<()> {
        std::fs::write(dir.file("validate.txt"), &text)
            .with_context(|| format!("cannot write {}", dir.file("validate.txt").display()))?;
        let mut json = serde_json::to_vec_pretty(&v)?;
        json.push(b'\n');
        std::fs::write(dir.file("validate.json"), json)
            .with_context(|| format!("cannot write {}", dir.file("validate.json").display()))?;
        super::plot::render_validate(&dir.file("validate.png"), &plot)
    })();
    match written {
        Ok(()) => {
            dir.commit()?;
            Ok(text)
        }
        Err(e) => Err(dir.explain(e)),
    }
}

/// A number with at most 3 decimals, no trailing zeros.
fn short(f: f64) -> String {
    let s = format!("{f:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".to_string()
    } else {
        s.to_string()
    }
}

fn signed_short(f: f64) -> String {
    let t = short(f);
    if t == "0" || t.starts_with('-') {
        t
    } else {
        format!("+{t}")
    }
}

fn signed_bytes(f: f64) -> String {
    let r = f.round();
    if r > 0.0 {
        format!("+{r:.0} (+{})", size_text(r as u64))
    } else if r < 0.0 {
        format!("{r:.0} (-{})", size_text((-r) as u64))
    } else {
        "0".to_string()
    }
}

impl Validation {
    /// The report `validate` prints and writes as `validate.txt`.
    pub fn render(&self) -> String {
        let mut s = String::new();
        let name = if self.scenario.is_empty() {
            "the run"
        } else {
            &self.scenario
        };
        let _ = writeln!(s, "{name} ({}) against {}", self.run, self.observed);
        let _ = writeln!(s, "  observed: {}", self.source);
        let _ = writeln!(
            s,
            "  run: {} to {} ({} s; t = 0 from {})",
            self.start_time,
            self.end_time,
            short(self.run_seconds),
            self.start_from
        );
        let mut dropped = format!(
            "{} before the run's start, {} after its end",
            self.dropped_before_start, self.dropped_after_end
        );
        if self.duplicates_dropped > 0 {
            let _ = write!(
                dropped,
                ", {} repeating an instant already read",
                self.duplicates_dropped
            );
        }
        let _ = writeln!(
            s,
            "  samples: {} observed, {} aligned; dropped: {dropped}",
            self.observed_samples + self.duplicates_dropped,
            self.aligned_samples
        );
        let _ = writeln!(s, "  rule: {}", self.rule);
        let cap = match (self.capacity_from, self.format_kind) {
            ("run", _) => "the run's capacity_bytes (the observed file has no size)",
            (_, Some(ObservedFormat::Summary)) => "each reply's imageFs.capacityBytes",
            _ => "the observed node_filesystem_size_bytes",
        };
        let _ = writeln!(s, "  observed capacity: {cap}");
        for n in &self.notes {
            let _ = writeln!(s, "  note: {n}");
        }
        let _ = writeln!(s);
        let b = &self.available_bytes_error;
        let _ = writeln!(
            s,
            "available bytes: mean |error| {} ({}), max {} ({}) at {} (t = {} s)",
            short(b.mean),
            size_text(b.mean.round() as u64),
            b.max,
            size_text(b.max),
            b.max_at,
            short(b.max_at_s)
        );
        let _ = writeln!(
            s,
            "  there observed {}, simulated {}; mean observed − simulated {}",
            b.observed_at_max,
            b.simulated_at_max,
            signed_bytes(b.mean_signed)
        );
        let u = &self.usage_percent_error;
        let _ = writeln!(
            s,
            "usage: mean |error| {} points, max {} at {} (t = {} s): observed {} %, simulated {} %; mean observed − simulated {}",
            short(u.mean),
            short(u.max),
            u.max_at,
            short(u.max_at_s),
            short(u.observed_at_max),
            short(u.simulated_at_max),
            signed_short(u.mean_signed)
        );
        let _ = writeln!(s);
        let _ = writeln!(
            s,
            "image GC high threshold {} % ({}), against the kubelet's integer usage 100 - available*100/capacity:",
            short(self.image_gc_high_threshold_percent),
            self.threshold_from
        );
        for (who, t) in [
            ("observed", &self.image_gc_trigger.observed),
            ("simulated", &self.image_gc_trigger.simulated),
        ] {
            match (&t.first_at, t.first_at_s) {
                (Some(at), Some(secs)) => {
                    let _ = writeln!(
                        s,
                        "  {who:<9}  first reached at {at} (t = {} s); {} crossing{}, {} of {} samples at or over it",
                        short(secs),
                        t.crossings,
                        if t.crossings == 1 { "" } else { "s" },
                        t.samples_over,
                        self.aligned_samples
                    );
                }
                _ => {
                    let _ = writeln!(
                        s,
                        "  {who:<9}  never reached ({} samples)",
                        self.aligned_samples
                    );
                }
            }
        }
        let (o, m) = (
            &self.image_gc_trigger.observed.first_at_s,
            &self.image_gc_trigger.simulated.first_at_s,
        );
        match (o, m) {
            (Some(a), Some(b)) if a == b => {
                let _ = writeln!(s, "  both reach it at the same instant");
            }
            (Some(a), Some(b)) => {
                let gap = (b - a).abs();
                let _ = writeln!(
                    s,
                    "  the simulation reaches it {} s{} {} the node",
                    short(gap),
                    if gap >= 60.0 {
                        format!(
                            " ({})",
                            crate::units::format_go_duration((gap * 1e9).round() as i64)
                        )
                    } else {
                        String::new()
                    },
                    if b < a { "before" } else { "after" }
                );
            }
            (Some(_), None) => {
                let _ = writeln!(s, "  the node reached it; the simulation did not");
            }
            (None, Some(_)) => {
                let _ = writeln!(s, "  the simulation reached it; the node did not");
            }
            (None, None) => {}
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_parse_exactly() {
        assert_eq!(parse_seconds("10"), Some(10 * NANOS));
        assert_eq!(parse_seconds("10.5"), Some(10 * NANOS + 500_000_000));
        assert_eq!(parse_seconds("0.000000001"), Some(1));
        assert_eq!(parse_seconds("1.0000000001"), None);
        assert_eq!(parse_seconds("-1"), None);
        assert_eq!(parse_seconds("1e3"), None);
        assert_eq!(parse_seconds(""), None);
        assert_eq!(seconds_text(10 * NANOS + 500_000_000), "10.5");
        assert_eq!(seconds_text(7), "0.000000007");
    }

    /// 100 - 159*100/1000 = 100 - 15 = 85 (the integer division floors 15.9); 160 gives 84.
    #[test]
    fn kubelet_usage_is_integer() {
        assert_eq!(kubelet_usage_percent(1000, 159), 85);
        assert_eq!(kubelet_usage_percent(1000, 160), 84);
        assert_eq!(kubelet_usage_percent(1000, 1200), -20);
        assert_eq!(usage_percent(1000, 159), 84.1);
    }

    /// Equal capacities: 100 × (900 − 800) / 1000 = 10 points. Different ones: observed
    /// 1 − 800/1000 = 20 %, simulated 1 − 900/2000 = 55 %: −35 points.
    #[test]
    fn usage_difference_is_exact() {
        let a = Aligned {
            t: 0,
            observed_available: 800,
            observed_capacity: 1000,
            simulated_available: 900,
            simulated_capacity: 1000,
        };
        assert_eq!(usage_difference(&a), 10.0);
        let b = Aligned {
            simulated_capacity: 2000,
            ..a
        };
        assert_eq!(usage_difference(&b), -35.0);
    }
}
