//! Streaming aggregation of a run's samples and events into what the plot draws.
//!
//! Samples and events go into at most [`MAX_BINS`] time bins whose width doubles (adjacent bins
//! merge) whenever a time falls past the last one, so neither the run's length nor the number of
//! samples needs to be known beforehand and memory stays constant. A bin keeps the minimum and
//! the maximum of each series with the times they occurred, which is enough to draw the series
//! at any width of at most `MAX_BINS / 2` pixels without losing a peak.

use std::path::Path;

use anyhow::Result;

use crate::engine::NANOS_PER_SEC;
use crate::outcome::{EventRow, Recorder, Sample};
use crate::report::run_files::{read_run_files, EventCsvRow, RunSink, SampleRow};

/// Bins per series. The final count is between half of this and this, i.e. at least 2048: more
/// than the plot's width in pixels.
pub(crate) const MAX_BINS: usize = 4096;

pub(crate) trait Merge {
    fn merge(&mut self, other: &Self);
}

/// Time bins of adaptive width starting at t = 0.
#[derive(Debug, Clone)]
pub(crate) struct Bins<T> {
    width: f64,
    bins: Vec<Option<T>>,
}

impl<T: Merge + Clone> Bins<T> {
    fn new() -> Self {
        Self::with_capacity(MAX_BINS)
    }

    /// At most `n` bins (an even number, at least 2), of which at least `n / 2` are in use
    /// once the times span more than `n` ms.
    pub(crate) fn with_capacity(n: usize) -> Self {
        assert!(n >= 2 && n.is_multiple_of(2), "{n} bins");
        Bins {
            width: 1e-3,
            bins: vec![None; n],
        }
    }

    /// The width of a bin, seconds.
    pub(crate) fn width(&self) -> f64 {
        self.width
    }

    /// The bin holding time `t` (seconds), coarsening the bins as needed.
    pub(crate) fn slot(&mut self, t: f64) -> &mut Option<T> {
        let t = if t.is_finite() && t > 0.0 { t } else { 0.0 };
        loop {
            let i = (t / self.width) as usize;
            if i < self.bins.len() {
                return &mut self.bins[i];
            }
            self.coarsen();
        }
    }

    fn coarsen(&mut self) {
        for i in 0..self.bins.len() / 2 {
            let a = self.bins[2 * i].take();
            let b = self.bins[2 * i + 1].take();
            self.bins[i] = match (a, b) {
                (Some(mut a), Some(b)) => {
                    a.merge(&b);
                    Some(a)
                }
                (a, None) => a,
                (None, b) => b,
            };
        }
        self.width *= 2.0;
    }

    /// Non-empty bins in time order, with their start and end times.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (f64, f64, &T)> + '_ {
        let w = self.width;
        self.bins
            .iter()
            .enumerate()
            .filter_map(move |(i, b)| b.as_ref().map(|b| (i as f64 * w, (i + 1) as f64 * w, b)))
    }
}

/// Minimum and maximum of a series within a bin, with when they occurred.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Extremes {
    pub min: f64,
    pub min_t: f64,
    pub max: f64,
    pub max_t: f64,
}

impl Extremes {
    fn new(t: f64, v: f64) -> Self {
        Extremes {
            min: v,
            min_t: t,
            max: v,
            max_t: t,
        }
    }
    fn add(&mut self, t: f64, v: f64) {
        if v < self.min {
            self.min = v;
            self.min_t = t;
        }
        if v > self.max {
            self.max = v;
            self.max_t = t;
        }
    }
    fn merge(&mut self, o: &Extremes) {
        self.add(o.min_t, o.min);
        self.add(o.max_t, o.max);
    }
    /// The bin's points in time order (one if the series is flat there).
    pub(crate) fn points(&self) -> impl Iterator<Item = (f64, f64)> {
        let (a, b) = if self.min_t <= self.max_t {
            ((self.min_t, self.min), (self.max_t, self.max))
        } else {
            ((self.max_t, self.max), (self.min_t, self.min))
        };
        std::iter::once(a).chain((a != b).then_some(b))
    }
}

impl Merge for Extremes {
    fn merge(&mut self, other: &Self) {
        Extremes::merge(self, other);
    }
}

/// One series over time, binned as the plots bin it (each bin's minimum and maximum, so no
/// peak is lost): `validate.png`'s curves.
#[derive(Debug, Clone)]
pub(crate) struct Curve(Bins<Extremes>);

impl Default for Curve {
    fn default() -> Self {
        Curve(Bins::new())
    }
}

impl Curve {
    /// A curve of at most `n` bins (even, at least 2): at most `2 n` points.
    pub(crate) fn with_bins(n: usize) -> Curve {
        Curve(Bins::with_capacity(n))
    }

    /// The width of its bins, seconds.
    pub(crate) fn bin_width(&self) -> f64 {
        self.0.width()
    }

    /// Adds the value `v` at `t` seconds (t ≥ 0).
    pub(crate) fn add(&mut self, t: f64, v: f64) {
        let slot = self.0.slot(t);
        match slot {
            Some(e) => e.add(t, v),
            None => *slot = Some(Extremes::new(t, v)),
        }
    }

    /// The points to draw, in time order.
    pub(crate) fn points(&self) -> Vec<(f64, f64)> {
        self.0.iter().flat_map(|(_, _, e)| e.points()).collect()
    }

    /// The least and the greatest value, if any.
    pub(crate) fn range(&self) -> Option<(f64, f64)> {
        self.0.iter().fold(None, |acc, (_, _, e)| {
            let (lo, hi) = acc.unwrap_or((e.min, e.max));
            Some((lo.min(e.min), hi.max(e.max)))
        })
    }
}

fn merge_opt(a: &mut Option<Extremes>, b: &Option<Extremes>) {
    match (a.as_mut(), b) {
        (Some(a), Some(b)) => a.merge(b),
        (None, Some(b)) => *a = Some(*b),
        _ => {}
    }
}

fn add_opt(a: &mut Option<Extremes>, t: f64, v: Option<f64>) {
    if let Some(v) = v {
        match a {
            Some(a) => a.add(t, v),
            None => *a = Some(Extremes::new(t, v)),
        }
    }
}

/// One bin of samples.
#[derive(Debug, Clone)]
pub(crate) struct SampleBin {
    /// The kubelet's imagefs `usage_percent`.
    pub usage: Extremes,
    /// nodefs usage % (exact), when the node has a separate nodefs.
    pub nodefs_usage: Option<Extremes>,
    pub image_bytes: Extremes,
    pub reported_image_bytes: Extremes,
}

impl Merge for SampleBin {
    fn merge(&mut self, o: &Self) {
        self.usage.merge(&o.usage);
        merge_opt(&mut self.nodefs_usage, &o.nodefs_usage);
        self.image_bytes.merge(&o.image_bytes);
        self.reported_image_bytes.merge(&o.reported_image_bytes);
    }
}

/// The rows of the event strip, top to bottom.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mark {
    /// `ImageGCTriggered`: a GC pass found usage at or above the high threshold.
    GcPass,
    /// `ImageDeleted` by image GC (space or age).
    ImageDeleted,
    /// `ImageDeleted` with `reason=eviction`: the eviction manager's reclaim.
    EvictionReclaim,
    /// `FreeDiskSpaceFailed` or `ImageGCFailed`.
    GcFailed,
    /// `Failed` with `Failed to pull image`.
    PullFailed,
    /// `Evicted` (not an admission rejection).
    Evicted,
    /// `Evicted` with `The node had condition`: a pod rejected at admission.
    Rejected,
    /// `Starting` ("Starting kubelet."): the kubelet restarted.
    KubeletRestart,
}

/// The strip row of an event, if it has one.
pub(crate) fn classify(reason: &str, message: &str) -> Option<Mark> {
    match reason {
        "ImageGCTriggered" => Some(Mark::GcPass),
        "ImageDeleted" if message.contains("reason=eviction") => Some(Mark::EvictionReclaim),
        "ImageDeleted" => Some(Mark::ImageDeleted),
        "FreeDiskSpaceFailed" | "ImageGCFailed" => Some(Mark::GcFailed),
        "Failed" if message.starts_with("Failed to pull image") => Some(Mark::PullFailed),
        "Evicted" if message.starts_with("The node had condition") => Some(Mark::Rejected),
        "Evicted" => Some(Mark::Evicted),
        "Starting" if message == "Starting kubelet." => Some(Mark::KubeletRestart),
        _ => None,
    }
}

pub(crate) const MARKS: [Mark; 8] = [
    Mark::GcPass,
    Mark::ImageDeleted,
    Mark::EvictionReclaim,
    Mark::GcFailed,
    Mark::PullFailed,
    Mark::Evicted,
    Mark::Rejected,
    Mark::KubeletRestart,
];

/// One bin of events.
#[derive(Debug, Clone, Default)]
pub(crate) struct EventBin {
    pub counts: [u32; MARKS.len()],
    /// Highest `usage=` of the GC passes in the bin.
    pub gc_usage: Option<f64>,
    /// Bytes of successful pulls (runtime-reported image sizes).
    pub pulled_bytes: u64,
    /// Bytes deleted images freed on disk: by image GC, by the eviction manager's reclaim.
    pub freed: [u64; 2],
}

impl Merge for EventBin {
    fn merge(&mut self, o: &Self) {
        for (a, b) in self.counts.iter_mut().zip(o.counts) {
            *a += b;
        }
        self.gc_usage = match (self.gc_usage, o.gc_usage) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        self.pulled_bytes += o.pulled_bytes;
        self.freed[0] += o.freed[0];
        self.freed[1] += o.freed[1];
    }
}

/// Everything a plot draws, aggregated. Feed it samples and events (directly or as a
/// [`Recorder`]), then [`PlotData::render`].
#[derive(Debug, Clone)]
pub struct PlotData {
    pub(crate) samples: Bins<SampleBin>,
    pub(crate) events: Bins<EventBin>,
    pub(crate) totals: [u64; MARKS.len()],
    pub(crate) pulled_bytes: u64,
    /// Closed DiskPressure periods (start, end), seconds.
    pub(crate) pressure: Vec<(f64, f64)>,
    pressure_since: Option<f64>,
    pub(crate) t_end: f64,
    pub(crate) n_samples: u64,
    pub(crate) has_nodefs: bool,
    gc_thresholds: Option<(f64, f64)>,
}

impl Default for PlotData {
    fn default() -> Self {
        Self::new()
    }
}

impl PlotData {
    pub fn new() -> PlotData {
        PlotData {
            samples: Bins::new(),
            events: Bins::new(),
            totals: [0; MARKS.len()],
            pulled_bytes: 0,
            pressure: Vec::new(),
            pressure_since: None,
            t_end: 0.0,
            n_samples: 0,
            has_nodefs: false,
            gc_thresholds: None,
        }
    }

    /// Adds one sample. `t` in seconds; `nodefs_usage_percent` only for nodes whose nodefs is
    /// not the imagefs.
    pub fn add_sample(
        &mut self,
        t: f64,
        usage_percent: f64,
        image_bytes: u64,
        reported_image_bytes: u64,
        nodefs_usage_percent: Option<f64>,
    ) {
        self.n_samples += 1;
        self.t_end = self.t_end.max(t);
        self.has_nodefs |= nodefs_usage_percent.is_some();
        let (ib, rb) = (image_bytes as f64, reported_image_bytes as f64);
        let slot = self.samples.slot(t);
        match slot {
            Some(b) => {
                b.usage.add(t, usage_percent);
                add_opt(&mut b.nodefs_usage, t, nodefs_usage_percent);
                b.image_bytes.add(t, ib);
                b.reported_image_bytes.add(t, rb);
            }
            None => {
                *slot = Some(SampleBin {
                    usage: Extremes::new(t, usage_percent),
                    nodefs_usage: nodefs_usage_percent.map(|v| Extremes::new(t, v)),
                    image_bytes: Extremes::new(t, ib),
                    reported_image_bytes: Extremes::new(t, rb),
                })
            }
        }
    }

    /// Adds one event (`t` in seconds). Events of no interest to the plot are ignored.
    pub fn add_event(&mut self, t: f64, reason: &str, message: &str) {
        self.t_end = self.t_end.max(t);
        let mark = match reason {
            "NodeHasDiskPressure" => {
                self.pressure_since.get_or_insert(t);
                None
            }
            "NodeHasNoDiskPressure" => {
                if let Some(s) = self.pressure_since.take() {
                    self.pressure.push((s, t));
                }
                None
            }
            "Pulled" if message.starts_with("Successfully pulled") => {
                if let Some(n) = number_after(message, "Image size: ") {
                    self.pulled_bytes += n as u64;
                    self.events
                        .slot(t)
                        .get_or_insert_with(Default::default)
                        .pulled_bytes += n as u64;
                }
                None
            }
            _ => classify(reason, message),
        };
        let Some(mark) = mark else { return };
        let row = mark as usize;
        self.totals[row] += 1;
        let gc_usage = if mark == Mark::GcPass {
            if self.gc_thresholds.is_none() {
                if let (Some(h), Some(l)) = (
                    number_after(message, "highThreshold="),
                    number_after(message, "lowThreshold="),
                ) {
                    self.gc_thresholds = Some((h, l));
                }
            }
            number_after(message, "usage=")
        } else {
            None
        };
        let b = self.events.slot(t).get_or_insert_with(Default::default);
        b.counts[row] += 1;
        if matches!(mark, Mark::ImageDeleted | Mark::EvictionReclaim) {
            let freed = number_after(message, "freedOnDiskBytes=").unwrap_or(0.0) as u64;
            b.freed[(mark == Mark::EvictionReclaim) as usize] += freed;
        }
        if let Some(u) = gc_usage {
            b.gc_usage = Some(b.gc_usage.map_or(u, |x| x.max(u)));
        }
    }

    /// DiskPressure periods, the one still open at the end running to the end.
    pub(crate) fn pressure_periods(&self) -> Vec<(f64, f64)> {
        let mut v = self.pressure.clone();
        if let Some(s) = self.pressure_since {
            v.push((s, self.t_end.max(s)));
        }
        v
    }

    /// The GC thresholds named by the first `ImageGCTriggered` event, if any.
    pub fn gc_thresholds_seen(&self) -> Option<(f64, f64)> {
        self.gc_thresholds
    }

    /// Streams `timeseries.csv` and `events.csv` (if present) from `dir`.
    pub fn from_files(dir: &Path) -> Result<PlotData> {
        let mut d = PlotData::new();
        read_run_files(dir, &mut d)?;
        Ok(d)
    }
}

impl RunSink for PlotData {
    fn sample(&mut self, s: &SampleRow) {
        self.add_sample(
            s.t,
            s.usage_percent,
            s.image_bytes,
            s.reported_image_bytes,
            s.nodefs_usage_percent,
        );
    }

    fn event(&mut self, e: &EventCsvRow) {
        self.add_event(e.t, e.reason, e.message);
    }
}

/// The number right after `key` in `text` (`usage=85`, `Image size: 123 bytes`).
pub(crate) fn number_after(text: &str, key: &str) -> Option<f64> {
    let rest = &text[text.find(key)? + key.len()..];
    let end = rest
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(rest.len());
    rest[..end].parse().ok()
}

/// A sample's nodefs usage % when the node's nodefs is not its imagefs, as the plot reads it
/// from the `nodefs_*` columns.
pub(crate) fn nodefs_usage_percent(s: &Sample) -> Option<f64> {
    match s.per_fs.as_slice() {
        [(c, a), _, ..] if *c > 0 => Some(100.0 * c.saturating_sub(*a) as f64 / *c as f64),
        _ => None,
    }
}

/// Seconds as the plot reads them back from the CSVs (the nearest f64 to the decimal
/// `time_s` they print), so that a plot drawn from memory and one redrawn from the files are
/// the same to the byte. Whole seconds (every sample) need no text.
pub(crate) fn seconds(t: u64) -> f64 {
    if t.is_multiple_of(NANOS_PER_SEC) {
        (t / NANOS_PER_SEC) as f64
    } else {
        crate::report::csv_recorder::format_seconds(t)
            .parse()
            .unwrap_or((t / NANOS_PER_SEC) as f64)
    }
}

impl Recorder for PlotData {
    fn sample(&mut self, s: &Sample) {
        let nodefs = nodefs_usage_percent(s);
        self.add_sample(
            seconds(s.time),
            s.usage_percent as f64,
            s.image_bytes,
            s.reported_image_bytes,
            nodefs,
        );
    }

    fn event(&mut self, e: &EventRow) {
        self.add_event(seconds(e.time), e.reason, &e.message);
    }
}

/// What a plot draws, as numbers: the drawing itself cannot be inspected, this can (tests).
#[derive(Debug, Clone, PartialEq)]
pub struct PlotOverview {
    pub samples: u64,
    pub t_end: f64,
    /// (min, max) of the imagefs usage %, of the nodefs usage % (separate nodefs only), of the
    /// image bytes on disk and as reported.
    pub usage: Option<(f64, f64)>,
    pub nodefs_usage: Option<(f64, f64)>,
    pub image_bytes: Option<(f64, f64)>,
    pub reported_image_bytes: Option<(f64, f64)>,
    /// Events per strip row: GC passes, images deleted, GC failed, pulls failed, pods evicted,
    /// pods rejected.
    pub marks: [u64; MARKS.len()],
    pub pulled_bytes: u64,
    /// DiskPressure periods, an open one running to the end.
    pub pressure: Vec<(f64, f64)>,
    pub gc_thresholds: Option<(f64, f64)>,
}

impl PlotData {
    pub fn overview(&self) -> PlotOverview {
        let range = |f: &dyn Fn(&SampleBin) -> Option<Extremes>| {
            self.samples
                .iter()
                .filter_map(|(_, _, b)| f(b))
                .fold(None, |acc, e| {
                    let (lo, hi) = acc.unwrap_or((e.min, e.max));
                    Some((lo.min(e.min), hi.max(e.max)))
                })
        };
        PlotOverview {
            samples: self.n_samples,
            t_end: self.t_end,
            usage: range(&|b| Some(b.usage)),
            nodefs_usage: range(&|b| b.nodefs_usage),
            image_bytes: range(&|b| Some(b.image_bytes)),
            reported_image_bytes: range(&|b| Some(b.reported_image_bytes)),
            marks: self.totals,
            pulled_bytes: self.pulled_bytes,
            pressure: self.pressure_periods(),
            gc_thresholds: self.gc_thresholds,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone, Debug)]
    struct Count(u64);
    impl Merge for Count {
        fn merge(&mut self, o: &Self) {
            self.0 += o.0;
        }
    }

    #[test]
    fn bins_coarsen_and_keep_totals() {
        let mut b: Bins<Count> = Bins::new();
        for i in 0..1_000_000u64 {
            b.slot(i as f64 * 10.0).get_or_insert(Count(0)).0 += 1;
        }
        let n = b.iter().count();
        assert!((MAX_BINS / 2..=MAX_BINS).contains(&n), "{n}");
        assert_eq!(b.iter().map(|(_, _, c)| c.0).sum::<u64>(), 1_000_000);
        let (_, end, _) = b.iter().last().unwrap();
        assert!(end >= 9_999_990.0);
    }

    #[test]
    fn extremes_keep_peaks_in_time_order() {
        let mut e = Extremes::new(0.0, 5.0);
        e.add(1.0, 9.0);
        e.add(2.0, 1.0);
        e.add(3.0, 5.0);
        let p: Vec<_> = e.points().collect();
        assert_eq!(p, vec![(1.0, 9.0), (2.0, 1.0)]);
    }

    #[test]
    fn events_are_classified() {
        let mut d = PlotData::new();
        d.add_event(
            10.0,
            "ImageGCTriggered",
            "usage=87 highThreshold=85 amountToFree=1 lowThreshold=80",
        );
        d.add_event(11.0, "Evicted", "The node had condition: [DiskPressure]. ");
        d.add_event(
            12.0,
            "Evicted",
            "The node was low on resource: ephemeral-storage.",
        );
        d.add_event(13.0, "NodeHasDiskPressure", "");
        d.add_event(20.0, "NodeHasNoDiskPressure", "");
        d.add_event(30.0, "NodeHasDiskPressure", "");
        d.add_event(
            40.0,
            "Pulled",
            "Successfully pulled image \"a\" in 1s (1s including waiting). Image size: 1000 bytes.",
        );
        d.add_event(
            41.0,
            "Pulled",
            "Container image \"a\" already present on machine",
        );
        assert_eq!(d.totals[Mark::GcPass as usize], 1);
        assert_eq!(d.totals[Mark::Rejected as usize], 1);
        assert_eq!(d.totals[Mark::Evicted as usize], 1);
        assert_eq!(d.pulled_bytes, 1000);
        assert_eq!(d.gc_thresholds_seen(), Some((85.0, 80.0)));
        assert_eq!(d.pressure_periods(), vec![(13.0, 20.0), (30.0, 41.0)]);
        let gc: Vec<_> = d.events.iter().filter_map(|(_, _, b)| b.gc_usage).collect();
        assert_eq!(gc, vec![87.0]);
    }

    /// An eviction reclaim's deletions are told apart from image GC's, and each kind keeps the
    /// bytes it freed on disk: GC 300 + 200 = 500 at 50 s, eviction 700 at 51 s (bins start
    /// 1 ms wide, so the two instants are two bins).
    #[test]
    fn deletions_by_gc_and_by_eviction_are_apart() {
        let mut d = PlotData::new();
        d.add_event(
            50.0,
            "ImageDeleted",
            "reason=space reportedBytes=1 freedOnDiskBytes=300",
        );
        d.add_event(
            50.0,
            "ImageDeleted",
            "reason=age reportedBytes=1 freedOnDiskBytes=200",
        );
        d.add_event(
            51.0,
            "ImageDeleted",
            "reason=eviction reportedBytes=1 freedOnDiskBytes=700",
        );
        assert_eq!(d.totals[Mark::ImageDeleted as usize], 2);
        assert_eq!(d.totals[Mark::EvictionReclaim as usize], 1);
        let freed: Vec<[u64; 2]> = d.events.iter().map(|(_, _, b)| b.freed).collect();
        assert_eq!(freed, vec![[500, 0], [0, 700]]);
    }
}
