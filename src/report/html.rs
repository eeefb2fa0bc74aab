//! `report.html`: one self-contained page per run (its script, styles and data embedded; nothing
//! is fetched when it is viewed) with the run's summary, the imagefs usage chart (zoomable from
//! the whole run down to seconds), the event strips under it, and the tables of image GC passes
//! and evictions whose rows move the chart to their instant.
//!
//! Like `usage.png` it is made from the run's files alone (`timeseries.csv`, `events.csv`,
//! `summary.json`, `plot.json`), streamed once by [`crate::report::run_files`], so `plot DIR`
//! re-writes it. The page's script (`assets/report/report.js`, plain JS drawing on a canvas)
//! re-bins the embedded data per view: each pixel column shows the minimum and maximum of the
//! points under it, so no peak is lost at any zoom.
//!
//! Bounds on what is embedded, whatever the run's length (the 365-day quickstart's page is
//! 50 kB, a 365-day `daemonset-pressure` 1.6 MB; a run made to overflow every bound at once,
//! in `tests/report_html.rs`, 2.4 MB):
//! - usage: every change of `usage_percent` (the samples where it differs from the one before,
//!   and the last sample), exact, while there are at most [`MAX_EXACT_POINTS`]; past that, the
//!   minimum and the maximum (each a real sample, at its time) of at most [`ENVELOPE_BINS`]
//!   equal time bins, i.e. at most `2 × ENVELOPE_BINS` points, and the page says how wide a
//!   bin is;
//! - each event strip: every event's time while there are at most [`MAX_STRIP_EXACT`], else
//!   counts in at most [`STRIP_BINS`] equal time bins;
//! - DiskPressure periods: at most [`MAX_PRESSURE_PERIODS`] (periods closer than a gap that
//!   doubles until they fit are merged, so shading is never lost, only gaps);
//! - the GC pass and eviction tables: their first [`MAX_TABLE_ROWS`] rows each (the page says
//!   how many there were), messages cut at [`MAX_MESSAGE_CHARS`] characters.
//!
//! Times are embedded in milliseconds (the tables keep `time_s` exactly as `events.csv` has it).
//! The same files give the same bytes: nothing here reads a clock or iterates a hash map.

use std::fs;
use std::path::Path;

use anyhow::{Context, Result};
use serde::Serialize;
use serde_json::Value;

use crate::report::plot::data::{classify, number_after, Bins, Curve, Mark, Merge, MARKS};
use crate::report::plot::{css, mark_style, usage_colours, PlotSettings};
use crate::report::run_files::{EventCsvRow, RunSink, SampleRow};
use crate::wallclock::WallTime;

/// Name of the file in a run's directory.
pub const REPORT_FILE: &str = "report.html";
/// Usage change points embedded exactly, at most.
pub const MAX_EXACT_POINTS: usize = 200_000;
/// Time bins of the min/max envelope embedded when the changes are more than
/// [`MAX_EXACT_POINTS`] (two points per bin at most).
pub const ENVELOPE_BINS: usize = 100_000;
/// Event times embedded per strip, at most; past that, counts per bin.
pub const MAX_STRIP_EXACT: usize = 10_000;
/// Bins of a strip's counts when it has more than [`MAX_STRIP_EXACT`] events.
pub const STRIP_BINS: usize = 5_000;
/// DiskPressure periods embedded, at most.
pub const MAX_PRESSURE_PERIODS: usize = 10_000;
/// Rows of each table embedded, at most.
pub const MAX_TABLE_ROWS: usize = 5_000;
/// Characters of an event message kept in a table.
pub const MAX_MESSAGE_CHARS: usize = 300;

const SCRIPT: &str = include_str!("../../assets/report/report.js");
const STYLE: &str = include_str!("../../assets/report/report.css");

/// Seconds to whole milliseconds (negative or non-finite times are 0).
fn ms(t: f64) -> i64 {
    if t.is_finite() && t > 0.0 {
        (t * 1000.0).round() as i64
    } else {
        0
    }
}

/// Events per bin.
#[derive(Debug, Clone, Copy)]
struct Count(u64);

impl Merge for Count {
    fn merge(&mut self, o: &Self) {
        self.0 += o.0;
    }
}

/// The usage series: exact change points while they fit, and the envelope beside them.
#[derive(Debug)]
struct Series {
    /// (ms, value) where the value changed; `None` once past [`MAX_EXACT_POINTS`].
    exact: Option<Vec<(i64, f64)>>,
    envelope: Curve,
    last: Option<(i64, f64)>,
    samples: u64,
}

impl Series {
    fn new() -> Series {
        Series {
            exact: Some(Vec::new()),
            envelope: Curve::with_bins(ENVELOPE_BINS),
            last: None,
            samples: 0,
        }
    }

    fn add(&mut self, t: f64, v: f64) {
        self.samples += 1;
        let t_ms = ms(t);
        self.envelope.add(t_ms as f64 / 1000.0, v);
        if let Some(points) = &mut self.exact {
            if points.last().is_none_or(|&(_, last)| last != v) {
                if points.len() >= MAX_EXACT_POINTS {
                    self.exact = None;
                } else {
                    points.push((t_ms, v));
                }
            }
        }
        self.last = Some((t_ms, v));
    }

    /// The points to embed (the last sample closes the series), whether they are exact, and
    /// the envelope's bin width when not.
    fn finish(self) -> (Vec<(i64, f64)>, bool, Option<f64>) {
        let (mut points, exact, bin) = match self.exact {
            Some(p) => (p, true, None),
            None => (
                self.envelope
                    .points()
                    .into_iter()
                    .map(|(t, v)| (ms(t), v))
                    .collect(),
                false,
                Some(self.envelope.bin_width()),
            ),
        };
        if let Some(last) = self.last {
            if points.last().is_none_or(|&(t, _)| t < last.0) {
                points.push(last);
            }
        }
        (points, exact, bin)
    }
}

/// One strip's events: their times while they fit, else counts per bin.
#[derive(Debug)]
struct Strip {
    exact: Option<Vec<i64>>,
    bins: Option<Bins<Count>>,
    total: u64,
}

impl Strip {
    fn new() -> Strip {
        Strip {
            exact: Some(Vec::new()),
            bins: None,
            total: 0,
        }
    }

    fn add(&mut self, t: f64) {
        self.total += 1;
        if let Some(times) = &mut self.exact {
            if times.len() < MAX_STRIP_EXACT {
                times.push(ms(t));
                return;
            }
            let mut bins = Bins::with_capacity(STRIP_BINS);
            for &t in times.iter() {
                bin_add(&mut bins, t as f64 / 1000.0);
            }
            self.bins = Some(bins);
            self.exact = None;
        }
        if let Some(bins) = &mut self.bins {
            bin_add(bins, t);
        }
    }

    /// (ms, count) in time order, and the bin width when binned.
    fn finish(self) -> (Vec<(i64, u64)>, Option<f64>) {
        match (self.exact, self.bins) {
            (Some(times), _) => {
                let mut v: Vec<(i64, u64)> = Vec::new();
                for t in times {
                    match v.last_mut() {
                        Some((lt, n)) if *lt == t => *n += 1,
                        _ => v.push((t, 1)),
                    }
                }
                (v, None)
            }
            (None, Some(bins)) => (
                bins.iter().map(|(a, _, c)| (ms(a), c.0)).collect(),
                Some(bins.width()),
            ),
            (None, None) => (Vec::new(), None),
        }
    }
}

fn bin_add(bins: &mut Bins<Count>, t: f64) {
    bins.slot(t).get_or_insert(Count(0)).0 += 1;
}

/// A row of the image GC table: an `ImageGCTriggered` event and what followed it at the same
/// instant (its deletions, its failure).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GcPassRow {
    /// As `events.csv` writes it (the page reads the time from it).
    pub time_s: String,
    pub usage: Option<f64>,
    pub high: Option<f64>,
    pub low: Option<f64>,
    pub amount_to_free: Option<u64>,
    /// Images the pass deleted, and the bytes that freed on disk and as the runtime reported.
    pub deleted: u64,
    pub freed_on_disk: u64,
    pub freed_reported: u64,
    /// `FreeDiskSpaceFailed` or `ImageGCFailed` when the pass failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failed: Option<String>,
}

/// A row of the eviction table: `EvictionThresholdMet` (with the images its reclaim deleted)
/// or `Evicted` (`kind` `evicted` or, for an admission rejection, `rejected`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EvictionRow {
    pub time_s: String,
    pub kind: &'static str,
    pub object: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reclaimed_images: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reclaimed_bytes: Option<u64>,
}

/// Rows of a table, embedded by columns (`{"total": 9, "rows": 2, "columns": {"time_s":
/// ["10", "20"], …}}`: a key per column, not per cell; a field a row leaves out is `null`).
#[derive(Debug)]
struct Table<R> {
    /// Rows in the run (the embedded ones are the first of them).
    total: u64,
    rows: Vec<R>,
}

impl<R: Serialize> Serialize for Table<R> {
    fn serialize<S: serde::Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{Error, SerializeStruct};
        let mut columns: std::collections::BTreeMap<String, Vec<Value>> = Default::default();
        for (i, row) in self.rows.iter().enumerate() {
            let Value::Object(fields) = serde_json::to_value(row).map_err(S::Error::custom)? else {
                return Err(S::Error::custom("a table row is not an object"));
            };
            for (k, v) in fields {
                let col = columns.entry(k).or_default();
                col.resize(i, Value::Null);
                col.push(v);
            }
        }
        for col in columns.values_mut() {
            col.resize(self.rows.len(), Value::Null);
        }
        let mut st = ser.serialize_struct("Table", 3)?;
        st.serialize_field("total", &self.total)?;
        st.serialize_field("rows", &self.rows.len())?;
        st.serialize_field("columns", &columns)?;
        st.end()
    }
}

impl<R> Table<R> {
    fn new() -> Self {
        Table {
            total: 0,
            rows: Vec::new(),
        }
    }

    /// Counts a row and keeps it if there is room; returns whether it was kept.
    fn push(&mut self, row: R) -> bool {
        self.total += 1;
        let room = self.rows.len() < MAX_TABLE_ROWS;
        if room {
            self.rows.push(row);
        }
        room
    }
}

/// Builds `report.html`'s data from a run's rows as they stream past ([`RunSink`]); memory is
/// bounded as the embedded data is (the exact change points are dropped when they overflow).
#[derive(Debug)]
pub struct ReportBuilder {
    usage: Series,
    strips: Vec<Strip>,
    pressure: Vec<(f64, f64)>,
    pressure_since: Option<f64>,
    /// Periods closer than this are merged (0 until there are too many).
    pressure_gap: f64,
    gc: Table<GcPassRow>,
    /// The last kept GC pass row, while events of its instant follow.
    gc_open: bool,
    evictions: Table<EvictionRow>,
    /// The last kept `EvictionThresholdMet` row, while events of its instant follow.
    reclaim_open: bool,
    t_end: f64,
    /// t = 0 in Unix milliseconds, from the first event's `timestamp`.
    start_from_events: Option<f64>,
}

impl Default for ReportBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl RunSink for ReportBuilder {
    fn sample(&mut self, s: &SampleRow) {
        self.t_end = self.t_end.max(s.t);
        self.usage.add(s.t, s.usage_percent);
    }

    fn event(&mut self, e: &EventCsvRow) {
        self.event_row(e);
    }
}

impl ReportBuilder {
    pub fn new() -> ReportBuilder {
        ReportBuilder {
            usage: Series::new(),
            strips: MARKS.iter().map(|_| Strip::new()).collect(),
            pressure: Vec::new(),
            pressure_since: None,
            pressure_gap: 0.0,
            gc: Table::new(),
            gc_open: false,
            evictions: Table::new(),
            reclaim_open: false,
            t_end: 0.0,
            start_from_events: None,
        }
    }

    fn event_row(&mut self, e: &EventCsvRow) {
        self.t_end = self.t_end.max(e.t);
        if self.start_from_events.is_none() {
            if let Some(w) = e.timestamp.and_then(|s| WallTime::parse_rfc3339(s).ok()) {
                self.start_from_events = Some(
                    w.unix_secs() as f64 * 1000.0 + (w.subsec_nanos() / 1_000_000) as f64
                        - ms(e.t) as f64,
                );
            }
        }
        // Rows of the same instant attach to the GC pass or the reclaim they follow.
        if self.gc_open && self.gc.rows.last().is_some_and(|r| r.time_s != e.time_s) {
            self.gc_open = false;
        }
        if self.reclaim_open
            && self
                .evictions
                .rows
                .last()
                .is_some_and(|r| r.time_s != e.time_s)
        {
            self.reclaim_open = false;
        }
        match e.reason {
            "NodeHasDiskPressure" => {
                self.pressure_since.get_or_insert(e.t);
            }
            "NodeHasNoDiskPressure" => {
                if let Some(s) = self.pressure_since.take() {
                    self.push_pressure(s, e.t);
                }
            }
            "ImageGCTriggered" => {
                self.gc_open = self.gc.push(GcPassRow {
                    time_s: e.time_s.to_string(),
                    usage: number_after(e.message, "usage="),
                    high: number_after(e.message, "highThreshold="),
                    low: number_after(e.message, "lowThreshold="),
                    amount_to_free: number_after(e.message, "amountToFree=").map(|n| n as u64),
                    deleted: 0,
                    freed_on_disk: 0,
                    freed_reported: 0,
                    failed: None,
                });
                self.reclaim_open = false;
            }
            "ImageDeleted" => {
                let on_disk = number_after(e.message, "freedOnDiskBytes=").unwrap_or(0.0) as u64;
                if e.message.contains("reason=eviction") {
                    if self.reclaim_open {
                        let row = self.evictions.rows.last_mut().expect("an open reclaim");
                        *row.reclaimed_images.get_or_insert(0) += 1;
                        *row.reclaimed_bytes.get_or_insert(0) += on_disk;
                    }
                } else if self.gc_open {
                    let row = self.gc.rows.last_mut().expect("an open pass");
                    row.deleted += 1;
                    row.freed_on_disk += on_disk;
                    row.freed_reported +=
                        number_after(e.message, "reportedBytes=").unwrap_or(0.0) as u64;
                }
            }
            "FreeDiskSpaceFailed" | "ImageGCFailed" if self.gc_open => {
                let row = self.gc.rows.last_mut().expect("an open pass");
                row.failed.get_or_insert_with(|| e.reason.to_string());
            }
            "EvictionThresholdMet" | "Evicted" => {
                let kind = match (e.reason, classify(e.reason, e.message)) {
                    ("EvictionThresholdMet", _) => "threshold met",
                    (_, Some(Mark::Rejected)) => "rejected",
                    _ => "evicted",
                };
                let kept = self.evictions.push(EvictionRow {
                    time_s: e.time_s.to_string(),
                    kind,
                    object: e.object.to_string(),
                    message: e.message.chars().take(MAX_MESSAGE_CHARS).collect(),
                    reclaimed_images: None,
                    reclaimed_bytes: None,
                });
                self.reclaim_open = kept && e.reason == "EvictionThresholdMet";
                self.gc_open = false;
            }
            _ => {}
        }
        if let Some(mark) = classify(e.reason, e.message) {
            self.strips[mark as usize].add(e.t);
        }
    }

    /// Adds a DiskPressure period, merging periods closer than the current gap; when there are
    /// too many, the gap doubles (from 1 s) and they are merged again.
    fn push_pressure(&mut self, a: f64, b: f64) {
        match self.pressure.last_mut() {
            Some(last) if a - last.1 <= self.pressure_gap => last.1 = last.1.max(b),
            _ => self.pressure.push((a, b)),
        }
        while self.pressure.len() > MAX_PRESSURE_PERIODS {
            self.pressure_gap = if self.pressure_gap == 0.0 {
                1.0
            } else {
                self.pressure_gap * 2.0
            };
            let gap = self.pressure_gap;
            let mut merged: Vec<(f64, f64)> = Vec::with_capacity(self.pressure.len());
            for &(a, b) in &self.pressure {
                match merged.last_mut() {
                    Some(last) if a - last.1 <= gap => last.1 = last.1.max(b),
                    _ => merged.push((a, b)),
                }
            }
            self.pressure = merged;
        }
    }
}

/// The colours and names of the chart's lines.
#[derive(Debug, Serialize)]
struct Colours {
    usage: String,
    gc_high: String,
    gc_low: String,
    eviction: String,
    pressure: String,
}

#[derive(Debug, Serialize)]
struct Thresholds {
    gc_high: f64,
    gc_low: f64,
    eviction: Option<f64>,
    eviction_label: Option<String>,
}

#[derive(Debug, Serialize)]
struct SeriesJson {
    name: &'static str,
    /// Every change of the value (true) or each bin's min and max (false).
    exact: bool,
    /// The width of a bin, seconds, when not exact.
    bin_s: Option<f64>,
    /// Samples in the run.
    samples: u64,
    /// Points embedded.
    points: usize,
    /// The unit of `t` in ms: the greatest that divides every time (a multiple of the sample
    /// interval, for a run's samples).
    t_unit_ms: i64,
    /// Times in `t_unit_ms`, each as the difference from the one before (the first from 0).
    t: Vec<i64>,
    v: Vec<serde_json::Number>,
}

#[derive(Debug, Serialize)]
struct StripJson {
    name: &'static str,
    colour: String,
    total: u64,
    /// Counts per bin of this width (seconds) when there were too many events to list.
    bin_s: Option<f64>,
    /// Times in ms, differences as in [`SeriesJson::t`], and the events at each.
    t: Vec<i64>,
    n: Vec<u64>,
}

/// Everything the page's script reads, as embedded in `<script id="report-data">`.
#[derive(Debug, Serialize)]
struct Embedded {
    format: u32,
    title: String,
    subtitle: String,
    /// The last sample's or event's time, seconds.
    t_end: f64,
    /// t = 0 as an instant (RFC 3339) and in Unix milliseconds, when the run has a start_time.
    start_time: Option<String>,
    start_unix_ms: Option<f64>,
    thresholds: Thresholds,
    colours: Colours,
    usage: SeriesJson,
    /// DiskPressure periods (start, end) in seconds, an open one running to the end.
    pressure: Vec<(f64, f64)>,
    /// Periods closer than this (seconds) were merged to stay within the bound.
    pressure_merged_gap_s: Option<f64>,
    strips: Vec<StripJson>,
    gc_passes: Table<GcPassRow>,
    evictions: Table<EvictionRow>,
}

fn deltas(times: impl Iterator<Item = i64>) -> Vec<i64> {
    let mut prev = 0;
    times
        .map(|t| {
            let d = t - prev;
            prev = t;
            d
        })
        .collect()
}

fn gcd(a: i64, b: i64) -> i64 {
    let (mut a, mut b) = (a.abs(), b.abs());
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// A JSON number: an integer when the value is one (`87`, not `87.0`).
fn number(v: f64) -> serde_json::Number {
    if v.fract() == 0.0 && v.abs() < 9e15 {
        serde_json::Number::from(v as i64)
    } else {
        serde_json::Number::from_f64(v).unwrap_or_else(|| serde_json::Number::from(0))
    }
}

/// The keys and values of a JSON object in the order the file has them.
struct Ordered(Vec<(String, Value)>);

impl<'de> serde::Deserialize<'de> for Ordered {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Ordered;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut m: A,
            ) -> Result<Ordered, A::Error> {
                let mut v = Vec::new();
                while let Some(kv) = m.next_entry::<String, Value>()? {
                    v.push(kv);
                }
                Ok(Ordered(v))
            }
        }
        d.deserialize_map(V)
    }
}

/// A run's `summary.json` as (key, value) in file order, if the directory has one.
fn read_summary(dir: &Path) -> Result<Option<Vec<(String, Value)>>> {
    let path = dir.join("summary.json");
    if !path.exists() {
        return Ok(None);
    }
    let text =
        fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
    let o: Ordered =
        serde_json::from_str(&text).with_context(|| format!("invalid {}", path.display()))?;
    Ok(Some(o.0))
}

/// Writes `report.html` into `dir` from `data` (the run's rows, already streamed), `settings`
/// (plot.json's) and the directory's `summary.json`.
pub fn write_report(dir: &Path, settings: &PlotSettings, data: ReportBuilder) -> Result<()> {
    let summary = read_summary(dir)?;
    let html = render(data, settings, summary.as_deref());
    let path = dir.join(REPORT_FILE);
    fs::write(&path, html).with_context(|| format!("cannot write {}", path.display()))
}

/// The page.
pub fn render(
    data: ReportBuilder,
    settings: &PlotSettings,
    summary: Option<&[(String, Value)]>,
) -> String {
    let get = |key: &str| summary.and_then(|s| s.iter().find(|(k, _)| k == key).map(|(_, v)| v));
    let start_time = get("start_time")
        .and_then(Value::as_str)
        .map(str::to_string);
    let start_unix_ms = match start_time
        .as_deref()
        .and_then(|s| WallTime::parse_rfc3339(s).ok())
    {
        Some(w) => Some(w.unix_secs() as f64 * 1000.0 + (w.subsec_nanos() / 1_000_000) as f64),
        None => data.start_from_events,
    };
    let start_time = start_time.or_else(|| {
        start_unix_ms
            .map(|ms| WallTime::from_unix_ns((ms as i64).saturating_mul(1_000_000)).to_string())
    });

    let ReportBuilder {
        usage,
        strips,
        mut pressure,
        pressure_since,
        pressure_gap,
        gc,
        evictions,
        t_end,
        ..
    } = data;
    if let Some(s) = pressure_since {
        pressure.push((s, t_end.max(s)));
    }
    let samples = usage.samples;
    let (points, exact, bin_s) = usage.finish();
    let unit = points.iter().fold(0, |g, p| gcd(g, p.0)).max(1);
    let [c_usage, c_high, c_low, c_eviction, c_pressure] = usage_colours();
    let embedded = Embedded {
        format: 1,
        title: settings.title.clone(),
        subtitle: settings.subtitle.clone(),
        t_end,
        start_time,
        start_unix_ms,
        thresholds: Thresholds {
            gc_high: settings.gc_high_percent,
            gc_low: settings.gc_low_percent,
            eviction: settings.eviction_threshold_percent,
            eviction_label: settings.eviction_label.clone(),
        },
        colours: Colours {
            usage: c_usage,
            gc_high: c_high,
            gc_low: c_low,
            eviction: c_eviction,
            pressure: c_pressure,
        },
        usage: SeriesJson {
            name: "imagefs usage",
            exact,
            bin_s,
            samples,
            points: points.len(),
            t_unit_ms: unit,
            t: deltas(points.iter().map(|p| p.0 / unit)),
            v: points.iter().map(|p| number(p.1)).collect(),
        },
        pressure,
        pressure_merged_gap_s: (pressure_gap > 0.0).then_some(pressure_gap),
        strips: MARKS
            .iter()
            .zip(strips)
            .map(|(&m, s)| {
                let (name, colour) = mark_style(m);
                let total = s.total;
                let (v, bin_s) = s.finish();
                StripJson {
                    name,
                    colour: css(colour),
                    total,
                    bin_s,
                    t: deltas(v.iter().map(|p| p.0)),
                    n: v.iter().map(|p| p.1).collect(),
                }
            })
            .collect(),
        gc_passes: gc,
        evictions,
    };
    let json = serde_json::to_string(&embedded).expect("plain data serializes");
    page(settings, summary, &script_json(&json))
}

/// JSON made safe inside `<script>`: `<`, `>` and `&` (so no `</script>` or `<!--` can occur)
/// and U+2028/2029 as `\u` escapes. They only occur inside strings, where the escapes mean the
/// same characters.
pub fn script_json(json: &str) -> String {
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

/// Text made safe in HTML content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// `3d 4h 5m 6s` (the largest units, zeros left out).
fn human_seconds(secs: u64) -> String {
    let parts = [
        (secs / 86_400, "d"),
        (secs / 3_600 % 24, "h"),
        (secs / 60 % 60, "m"),
        (secs % 60, "s"),
    ];
    let text: Vec<String> = parts
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, u)| format!("{n}{u}"))
        .collect();
    if text.is_empty() {
        "0s".to_string()
    } else {
        text.join(" ")
    }
}

/// A summary value as the page shows it, by the unit its key names: `…bytes…` in IEC units
/// (with the exact count), `…seconds…` in seconds (and days, hours, …), `…percent…` in %, an
/// object as its keys and values, anything else as it is (counts).
pub fn summary_value_html(key: &str, v: &Value) -> String {
    match v {
        Value::Number(n) if key.contains("bytes") && n.as_u64().is_some() => {
            let b = n.as_u64().unwrap_or(0);
            format!(
                "{} <span class=\"raw\">{b} B</span>",
                escape(&crate::units::format_binary_size_1dec(b))
            )
        }
        Value::Number(n) if key.contains("seconds") && n.as_u64().is_some() => {
            let s = n.as_u64().unwrap_or(0);
            if s >= 60 {
                format!("{s} s <span class=\"raw\">{}</span>", human_seconds(s))
            } else {
                format!("{s} s")
            }
        }
        Value::Number(n) if key.contains("percent") => format!("{n} %"),
        Value::Number(n) => n.to_string(),
        Value::String(s) => escape(s),
        Value::Object(m) if m.is_empty() => "none".to_string(),
        Value::Object(m) => m
            .iter()
            .map(|(k, v)| format!("{}: {}", escape(k), summary_value_html(k, v)))
            .collect::<Vec<_>>()
            .join(", "),
        Value::Array(a) => a
            .iter()
            .map(|v| match v {
                Value::String(s) => escape(s),
                v => escape(&v.to_string()),
            })
            .collect::<Vec<_>>()
            .join(", "),
        v => escape(&v.to_string()),
    }
}

/// Keys shown in the header rather than the table (the scenario's name is in the title).
const HEADER_KEYS: [&str; 3] = ["scenario", "scenario_path", "start_time"];

/// Columns of key/value pairs in the summary table.
const SUMMARY_COLUMNS: usize = 3;

fn summary_html(summary: Option<&[(String, Value)]>) -> String {
    let Some(summary) = summary else {
        return "<p class=\"note\">No summary.json in this directory.</p>".to_string();
    };
    let items: Vec<&(String, Value)> = summary
        .iter()
        .filter(|(k, _)| !HEADER_KEYS.contains(&k.as_str()))
        .collect();
    let rows = items.len().div_ceil(SUMMARY_COLUMNS);
    let mut out = String::from("<table class=\"summary\" id=\"summary-table\"><tbody>\n");
    for r in 0..rows {
        out.push_str("<tr>");
        for c in 0..SUMMARY_COLUMNS {
            match items.get(c * rows + r) {
                Some((k, v)) => out.push_str(&format!(
                    "<th>{}</th><td data-key=\"{}\">{}</td>",
                    escape(k),
                    escape(k),
                    summary_value_html(k, v)
                )),
                None => out.push_str("<th></th><td></td>"),
            }
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table>");
    out
}

fn header_meta(summary: Option<&[(String, Value)]>) -> String {
    let Some(summary) = summary else {
        return String::new();
    };
    let parts: Vec<String> = [
        ("scenario_path", "scenario file"),
        ("start_time", "t = 0 at"),
    ]
    .iter()
    .filter_map(|&(key, label)| {
        let (_, v) = summary.iter().find(|(k, _)| k == key)?;
        Some(format!(
            "<span>{label}: <b>{}</b></span>",
            summary_value_html(key, v)
        ))
    })
    .collect();
    if parts.is_empty() {
        return String::new();
    }
    format!("<p class=\"meta\">{}</p>", parts.join(" · "))
}

fn page(settings: &PlotSettings, summary: Option<&[(String, Value)]>, json: &str) -> String {
    debug_assert!(!SCRIPT.to_ascii_lowercase().contains("</script"));
    debug_assert!(!STYLE.to_ascii_lowercase().contains("</style"));
    let title = escape(&settings.title);
    format!(
        r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="imagefs-sim {version}">
<title>{title}</title>
<style>
{STYLE}</style>
</head>
<body>
<header>
<h1>{title}</h1>
<p class="subtitle">{subtitle}</p>
{meta}
</header>
<main>
<section id="usage">
<h2>imagefs usage</h2>
<div class="toolbar" role="toolbar" aria-label="zoom">
<button type="button" id="zoom-in" title="Zoom in (or drag across the chart, or turn the wheel over it)">+ Zoom in</button>
<button type="button" id="zoom-out" title="Zoom out">− Zoom out</button>
<button type="button" id="pan-left" title="Move left">◀</button>
<button type="button" id="pan-right" title="Move right">▶</button>
<button type="button" id="reset" title="Show the whole run">Reset</button>
<label><input type="checkbox" id="fit-y"> fit y to the view</label>
<span id="view-text" class="view"></span>
</div>
<div id="chart" class="chart" data-points="0"><canvas id="chart-canvas" width="1200" height="560"></canvas></div>
<p id="readout" class="readout">Drag across the chart to zoom in, turn the wheel to zoom at the cursor, shift-drag or the arrows to move; click a table row to go to its instant.</p>
<p id="data-note" class="note"></p>
</section>
<section id="gc">
<h2>Image GC passes</h2>
<p id="gc-note" class="note"></p>
<label class="filter"><input type="checkbox" id="gc-in-view"> only rows in the chart's view</label>
<div class="table-wrap"><table id="gc-table" class="rows"></table></div>
</section>
<section id="evictions">
<h2>Evictions</h2>
<p id="evictions-note" class="note"></p>
<label class="filter"><input type="checkbox" id="evictions-in-view"> only rows in the chart's view</label>
<div class="table-wrap"><table id="evictions-table" class="rows"></table></div>
</section>
<section id="summary">
<h2>Summary</h2>
{summary_table}
</section>
</main>
<div id="errors" hidden></div>
<noscript><p class="note">The chart and the tables need JavaScript; the summary above does not.</p></noscript>
<script type="application/json" id="report-data">{json}</script>
<script>
{SCRIPT}</script>
</body>
</html>
"#,
        version = env!("CARGO_PKG_VERSION"),
        subtitle = escape(&settings.subtitle),
        meta = header_meta(summary),
        summary_table = summary_html(summary),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assets_cannot_close_their_elements() {
        assert!(!SCRIPT.to_ascii_lowercase().contains("</script"));
        assert!(!STYLE.to_ascii_lowercase().contains("</style"));
    }

    #[test]
    fn script_json_escapes_what_would_end_the_script() {
        let s = script_json(r#"{"m":"</script><!-- a&b \u2028 x"}"#);
        assert!(
            !s.contains('<') && !s.contains('>') && !s.contains('&'),
            "{s}"
        );
        let s = script_json("\"\u{2028}\u{2029}\"");
        assert_eq!(s, "\"\\u2028\\u2029\"");
        let v: Value = serde_json::from_str(&script_json(r#"{"m":"</script>&"}"#)).unwrap();
        assert_eq!(v["m"], "</script>&");
    }

    #[test]
    fn summary_values_carry_their_units() {
        let v = |n: u64| Value::from(n);
        assert_eq!(
            summary_value_html("pull_bytes", &v(3 << 30)),
            "3.0 GiB <span class=\"raw\">3221225472 B</span>"
        );
        assert_eq!(
            summary_value_html("disk_pressure_seconds", &v(90_061)),
            "90061 s <span class=\"raw\">1d 1h 1m 1s</span>"
        );
        assert_eq!(summary_value_html("pods_delay_seconds", &v(5)), "5 s");
        assert_eq!(summary_value_html("peak_usage_percent", &v(87)), "87 %");
        assert_eq!(summary_value_html("evictions", &v(3)), "3");
        let m: Value = serde_json::from_str(r#"{"imagefs.available": 2}"#).unwrap();
        assert_eq!(
            summary_value_html("evictions_by_signal", &m),
            "imagefs.available: 2"
        );
        assert_eq!(
            summary_value_html("scenario", &Value::from("<b>")),
            "&lt;b&gt;"
        );
    }

    #[test]
    fn series_keeps_changes_then_falls_back_to_envelopes() {
        let mut s = Series::new();
        for (t, v) in [(0.0, 1.0), (10.0, 1.0), (20.0, 2.0), (30.0, 2.0)] {
            s.add(t, v);
        }
        assert_eq!(
            s.finish(),
            (vec![(0, 1.0), (20_000, 2.0), (30_000, 2.0)], true, None)
        );
        let mut s = Series::new();
        let n = MAX_EXACT_POINTS as u64 + 10;
        for i in 0..n {
            s.add(i as f64, (i % 2) as f64);
        }
        let (points, exact, bin) = s.finish();
        assert!(!exact);
        assert!(points.len() <= 2 * ENVELOPE_BINS + 1, "{}", points.len());
        assert!(bin.unwrap() >= n as f64 / ENVELOPE_BINS as f64);
        assert!(points.iter().any(|p| p.1 == 1.0) && points.iter().any(|p| p.1 == 0.0));
    }

    #[test]
    fn strip_lists_times_then_bins_counts() {
        let mut s = Strip::new();
        for t in [1.0, 1.0, 2.5] {
            s.add(t);
        }
        assert_eq!(s.finish(), (vec![(1000, 2), (2500, 1)], None));
        let mut s = Strip::new();
        let n = MAX_STRIP_EXACT as u64 * 3;
        for i in 0..n {
            s.add(i as f64);
        }
        let (bins, width) = s.finish();
        assert!(width.is_some());
        assert!(bins.len() <= STRIP_BINS);
        assert_eq!(bins.iter().map(|b| b.1).sum::<u64>(), n);
    }

    #[test]
    fn pressure_periods_merge_to_fit() {
        let mut b = ReportBuilder::new();
        for i in 0..(3 * MAX_PRESSURE_PERIODS) {
            let t = i as f64 * 10.0;
            b.push_pressure(t, t + 5.0);
        }
        assert!(b.pressure.len() <= MAX_PRESSURE_PERIODS);
        assert_eq!(b.pressure.first().unwrap().0, 0.0);
        assert_eq!(
            b.pressure.last().unwrap().1,
            (3 * MAX_PRESSURE_PERIODS - 1) as f64 * 10.0 + 5.0
        );
    }
}
