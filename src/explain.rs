//! `explain`: what the kubelet saw and decided at one image GC pass or eviction sync.
//!
//! Runs are deterministic, so the scenario is run again up to the instant asked for, and the
//! first decision at or after it is traced as the kubelet model makes it
//! ([`GcPassTrace`](crate::kubelet::image_gc_manager::GcPassTrace),
//! [`SyncTrace`](crate::kubelet::eviction::manager::SyncTrace)); the simulation adds what only
//! the node knows (the bytes each deletion freed on disk, which containers use an image, pod
//! names) and stops. The types here are that decision as plain data, for `report::explain` to
//! print and `--json` to serialize.
//!
//! Which decision (the rule, [`ExplainRequest::any`] false): the first image GC pass at or after
//! the instant that *did something* — reached the high threshold (so `freeSpace` ran), deleted
//! an image by age, or failed — or the first eviction sync that *met a threshold* (now, or
//! carried over for min-reclaim, whether or not its grace period had passed), evicted a pod
//! or failed. A pass under the threshold and a sync that met nothing decide nothing; `--any`
//! takes the literal next one. With both kinds, the earlier wins; at one instant the GC pass
//! comes first (the eviction sync observes the instant last).

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use serde::Serialize;

use crate::engine::{SimTime, NANOS_PER_SEC};
use crate::outcome::{EventRow, Recorder, Sample};
use crate::scenario::Scenario;
use crate::units::format_go_duration;
use crate::wallclock::WallTime;

/// Which decisions `explain` looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DecisionKind {
    /// A periodic image GC pass (`GarbageCollect`).
    Gc,
    /// An eviction manager sync (`synchronize`).
    Eviction,
}

impl DecisionKind {
    pub fn parse(s: &str) -> Option<DecisionKind> {
        match s {
            "gc" => Some(DecisionKind::Gc),
            "eviction" => Some(DecisionKind::Eviction),
            _ => None,
        }
    }
}

/// What to explain: the first decision at or after `at` (of `kind`, or either).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ExplainRequest {
    pub at_ns: SimTime,
    pub kind: Option<DecisionKind>,
    /// The literal next decision, even one that did nothing.
    pub any: bool,
}

impl ExplainRequest {
    /// Whether a decision of `kind` is one this request may explain.
    pub fn takes(&self, kind: DecisionKind) -> bool {
        self.kind.is_none_or(|k| k == kind)
    }

    /// "image GC pass", "eviction sync", or both, for messages.
    pub fn what(&self) -> &'static str {
        match (self.kind, self.any) {
            (Some(DecisionKind::Gc), false) => "image GC pass that did something",
            (Some(DecisionKind::Eviction), false) => "eviction sync that met a threshold",
            (None, false) => {
                "image GC pass that did something or eviction sync that met a threshold"
            }
            (Some(DecisionKind::Gc), true) => "image GC pass",
            (Some(DecisionKind::Eviction), true) => "eviction sync",
            (None, true) => "image GC pass or eviction sync",
        }
    }
}

/// Decisions at or after the instant that the rule passed over (they did nothing).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct PassedOver {
    /// GC passes under the high threshold that deleted nothing.
    pub gc_passes: u64,
    /// Eviction syncs that met no threshold and evicted nothing.
    pub eviction_syncs: u64,
}

/// The explained decision, and how it was found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Explanation {
    pub scenario: String,
    /// The scenario's `start_time`, when it has one (then decisions carry a timestamp).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_time: Option<String>,
    pub request: ExplainRequest,
    pub passed_over: PassedOver,
    pub decision: Decision,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Decision {
    ImageGc(Box<GcPass>),
    EvictionSync(Box<EvictionSync>),
}

impl Decision {
    pub fn time_ns(&self) -> SimTime {
        match self {
            Decision::ImageGc(g) => g.time_ns,
            Decision::EvictionSync(s) => s.time_ns,
        }
    }
}

/// A filesystem as read: capacity, available and the kubelet's integer usage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct FsRead {
    pub capacity_bytes: u64,
    pub available_bytes: u64,
    /// `100 - available*100/capacity` (integer division: 84.1 % is 85).
    pub usage_percent: i64,
}

/// `ImageGCPolicy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct GcPolicyView {
    pub high_threshold_percent: i32,
    pub low_threshold_percent: i32,
    pub min_age_ns: SimTime,
    /// 0: the MaxAge stage is off.
    pub max_age_ns: SimTime,
}

/// One periodic image GC pass (`GarbageCollect`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GcPass {
    pub time_ns: SimTime,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<String>,
    /// When the GC loop started (t = 0, or the kubelet's last restart): the MaxAge stage
    /// waits until the loop has run for longer than MaxAge.
    pub gc_loop_started_ns: SimTime,
    pub policy: GcPolicyView,
    /// `ImageFsStats` as the pass read them (after the MaxAge stage). `None`: the pass failed
    /// before (detection, a MaxAge deletion error).
    pub filesystem: Option<FsRead>,
    /// usage >= high: `freeSpace` ran.
    pub over_high_threshold: bool,
    /// `capacity*(100-low)/100 - available`, when over the threshold.
    pub amount_to_free: Option<i64>,
    /// The MaxAge stage ran (the loop had run for longer than `imageMaximumGCAge`).
    pub max_age_stage: bool,
    /// Every image the kubelet had a record of: the candidates in the order the MaxAge stage
    /// and `freeSpace` walk them (least recently used first; ties: first detected, then image
    /// ID), then the images in use and the pinned ones.
    pub images: Vec<ImageRow>,
    pub walk_end: Option<WalkEnd>,
    /// What the kubelet counted (reported sizes) and what left the disk, both stages.
    pub freed_reported_bytes: u64,
    pub freed_on_disk_bytes: u64,
    /// The image filesystem right after the pass.
    pub after: FsRead,
    /// The error `GarbageCollect` returned (`FreeDiskSpaceFailed`'s text, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub events: Vec<EventView>,
}

/// How the `freeSpace` walk ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WalkEnd {
    /// The reported bytes freed reached amountToFree.
    FreedEnough,
    /// Every candidate was looked at.
    RanOutOfCandidates,
}

/// One image record and what the pass did with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImageRow {
    /// Its place in the candidate order (1 first); `None` for images in use or pinned.
    pub position: Option<usize>,
    pub image: String,
    pub first_detected_ns: SimTime,
    /// `None`: never seen in use.
    pub last_used_ns: Option<SimTime>,
    /// The size the runtime reports: what the kubelet counts.
    pub reported_bytes: u64,
    /// Deleted: the bytes the deletion freed on disk (its layers no other image on the node
    /// uses, with containerd's blobs). Kept: what deleting it right after the pass would free.
    pub on_disk_bytes: u64,
    pub pinned: bool,
    /// Its containers (running or exited), as `pod/container (state)`.
    pub used_by: Vec<String>,
    pub verdict: Verdict,
}

/// Why an image was kept or deleted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "is", rename_all = "snake_case")]
pub enum Verdict {
    /// Deleted by `freeSpace`.
    Deleted,
    /// Deleted by the MaxAge stage: unused for `unused_ns` (> MaxAge); `None`: never used.
    DeletedByAge { unused_ns: Option<SimTime> },
    /// Kept: a container of it exists (not a candidate).
    InUse,
    /// Kept: pinned by the runtime (not a candidate).
    Pinned,
    /// Kept: first detected `age_ns` before the pass, under `imageMinimumGCAge`.
    TooYoung { age_ns: SimTime },
    /// Kept: used at the pass's instant.
    UsedNow,
    /// `RemoveImage` failed.
    DeleteFailed { error: String },
    /// Kept: the walk had stopped before it (enough freed).
    NotReached,
    /// Kept: `freeSpace` did not run.
    NotWalked,
}

/// An event the decision emitted, as events.csv shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EventView {
    pub reason: String,
    pub object: String,
    pub message: String,
}

/// One eviction manager sync (`synchronize`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EvictionSync {
    pub time_ns: SimTime,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<String>,
    /// The signals the Summary gave (available/capacity, bytes or inodes).
    pub observations: Vec<Observation>,
    pub thresholds: Vec<ThresholdRow>,
    pub conditions: Conditions,
    /// The threshold acted on (signal) and the resource it starves.
    pub acted_on: Option<ActedOn>,
    /// Node-level reclaim (§6): each function's result, then what the Summary showed after
    /// and whether that cleared every threshold (with min-reclaim): then no pod is evicted.
    pub reclaim: Vec<Reclaim>,
    /// `imageMinimumGCAge`, which `DeleteUnusedImages` honours.
    pub min_age_ns: SimTime,
    pub after_reclaim: Option<Vec<Observation>>,
    pub reclaim_resolved: Option<bool>,
    pub ranking: Option<Ranking>,
    pub evicted: Vec<EvictedPod>,
    /// Where the sync ended, in the kubelet's steps.
    pub end: String,
    pub warnings: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub events: Vec<EventView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Observation {
    pub signal: String,
    pub available: i64,
    pub capacity: i64,
}

/// One configured threshold and how the sync weighed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ThresholdRow {
    pub signal: String,
    /// Hard (grace period 0) or soft.
    pub hard: bool,
    /// As configured: `15%`, `2Gi`.
    pub value: String,
    /// At the observed capacity: met when available < quantity.
    pub quantity: Option<i64>,
    pub min_reclaim: Option<i64>,
    pub grace_period_ns: i64,
    /// False for the zero-valued copy KEP-4191 adds when a containerfs source is missing: it
    /// has no operator and is never met.
    pub can_be_met: bool,
    /// What the signal's observation showed (`None`: not observed, so never met).
    pub available: Option<i64>,
    pub met_now: bool,
    /// Not met now, but acted on last time and not yet clear by its min-reclaim.
    pub carried_over: bool,
    pub first_observed_ns: Option<SimTime>,
    pub passed_grace: bool,
    /// Its stats were refreshed since the previous sync (always, here).
    pub stats_fresh: bool,
    pub acted_on: bool,
}

/// The node conditions (DiskPressure) before and after the sync.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Conditions {
    pub reported_before: Vec<String>,
    /// Of the thresholds met now.
    pub observed_now: Vec<String>,
    /// When each condition was last observed.
    pub last_observed_ns: Vec<(String, SimTime)>,
    pub transition_period_ns: i64,
    /// Observed within the transition period: what the node reports.
    pub reported: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActedOn {
    pub signal: String,
    pub resource: String,
}

/// One node-level reclaim function and what it did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reclaim {
    /// `DeleteAllUnusedContainers` or `DeleteUnusedImages`.
    pub function: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub containers_removed: u64,
    /// `DeleteUnusedImages`: every image, what it did with each (as a GC pass's table).
    pub images: Vec<ImageRow>,
    /// Available bytes it gave back, over every filesystem.
    pub freed_bytes: u64,
}

/// The ranking (§7): exceeds its request first, then lower priority, then more usage above
/// the request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ranking {
    /// The usage counted for the signal: `root` (writable layers), `logs`, `local volumes`
    /// (emptyDir), `images` (always 0).
    pub counted: Vec<String>,
    pub resource: String,
    pub pods: Vec<RankedPod>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RankedPod {
    pub pod: String,
    pub has_stats: bool,
    pub usage: i64,
    pub request: i64,
    pub exceeds_request: bool,
    pub priority: i32,
    pub critical: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EvictedPod {
    pub pod: String,
    /// The signal acted on, or the local-storage limit (`emptydirfs.limit`, …).
    pub signal: String,
    pub limit_eviction: bool,
    pub grace_seconds: i64,
    pub message: String,
}

/// No decision of the kind asked for from the instant to the run's end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoDecision {
    pub passed_over: PassedOver,
    /// The last such decision before the instant, if any.
    pub last_before: Option<(SimTime, DecisionKind)>,
}

/// `--at`: seconds from t = 0 (`time_s` of events.csv: `10800`, `10800.5`), a duration
/// (`3h`, `1d2h30m`), or, for a scenario with a `start_time`, an RFC 3339 instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum At {
    Offset(SimTime),
    Wall(WallTime),
}

/// What `--at` accepts, for errors.
const AT_FORMS: &str = "give seconds from t = 0 (the time_s of events.csv, e.g. 10800 or 10800.5), a duration (3h, 1d2h30m) or, for a scenario with a start_time, an RFC 3339 instant";

impl At {
    /// Parses the flag's value; the error names the flag.
    pub fn parse(text: &str) -> Result<At, String> {
        let t = text.trim();
        let looks_wall = t.len() >= 11 && t.as_bytes()[4] == b'-' && t.contains('T');
        if looks_wall {
            return WallTime::parse_rfc3339(t)
                .map(At::Wall)
                .map_err(|e| format!("--at {text}: {e}"));
        }
        crate::workload::trace::parse_time(t)
            .map(At::Offset)
            .map_err(|e| {
                let e = e.strip_prefix(&format!("time {t:?} ")).unwrap_or(&e);
                format!("--at {text}: {e}; {AT_FORMS}")
            })
    }

    /// The simulated instant, for a scenario starting at `start_time`.
    pub fn resolve(self, text: &str, start_time: Option<WallTime>) -> Result<SimTime, String> {
        match self {
            At::Offset(t) => Ok(t),
            At::Wall(w) => {
                let Some(t0) = start_time else {
                    return Err(format!(
                        "--at {text}: an instant needs the scenario's start_time, which it has not; give seconds from t = 0 (the time_s of events.csv) or a duration"
                    ));
                };
                let ns = (w.unix_secs() as i128 - t0.unix_secs() as i128) * NANOS_PER_SEC as i128
                    + (w.subsec_nanos() as i128 - t0.subsec_nanos() as i128);
                if ns < 0 {
                    return Err(format!(
                        "--at {text}: before the run's start ({t0}, the scenario's start_time)"
                    ));
                }
                Ok(ns.min(SimTime::MAX as i128) as SimTime)
            }
        }
    }
}

/// The scenario a run directory came from, with its what-ifs, from its `summary.json`.
#[derive(Debug, Clone, PartialEq)]
pub struct RunOrigin {
    pub scenario_path: PathBuf,
    pub overrides: Vec<crate::overrides::Override>,
    pub name: String,
    pub seed: u64,
}

/// Reads `dir/summary.json`: the scenario file `run` was given (`scenario_path`, relative to
/// where `run` started) and its `overrides`.
pub fn run_origin(dir: &Path) -> Result<RunOrigin> {
    let p = dir.join("summary.json");
    let text = std::fs::read_to_string(&p).with_context(|| {
        format!(
            "cannot read {}: explain takes a run directory (what `run` writes) or a scenario file",
            p.display()
        )
    })?;
    let v: serde_json::Value =
        serde_json::from_str(&text).with_context(|| format!("{} is not JSON", p.display()))?;
    if v.get("gc_runs").is_none() {
        bail!("{}: not a run's summary (no gc_runs)", p.display());
    }
    let Some(path) = v.get("scenario_path").and_then(|s| s.as_str()) else {
        bail!(
            "{}: no scenario_path (a run written before explain existed, or a sweep's): give the scenario file instead: explain SCENARIO.toml --at T [--set PATH=VALUE ...]",
            p.display()
        );
    };
    let overrides = match v.get("overrides") {
        None => Vec::new(),
        Some(o) => {
            let list: Vec<String> = serde_json::from_value(o.clone())
                .with_context(|| format!("{}: overrides is not a list of texts", p.display()))?;
            crate::overrides::parse_all(&list)
                .map_err(|e| anyhow::anyhow!("{}: {e}", p.display()))?
        }
    };
    Ok(RunOrigin {
        scenario_path: PathBuf::from(path),
        overrides,
        name: v
            .get("scenario")
            .and_then(|s| s.as_str())
            .unwrap_or_default()
            .to_string(),
        seed: v.get("seed").and_then(|s| s.as_u64()).unwrap_or_default(),
    })
}

/// Loads the scenario a run directory came from, checked to be the one that ran (same name
/// and seed).
pub fn load_run_scenario(dir: &Path) -> Result<Scenario> {
    let o = run_origin(dir)?;
    if !o.scenario_path.is_file() {
        bail!(
            "{}/summary.json names the scenario {}, which is not there from here (paths are relative to where `run` was started): run explain from there, or give the scenario file: explain SCENARIO.toml --at T{}",
            dir.display(),
            o.scenario_path.display(),
            o.overrides
                .iter()
                .map(|x| format!(" --set {}", x.text))
                .collect::<String>()
        );
    }
    let sc = crate::overrides::load(&o.scenario_path, &o.overrides, true)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    if sc.name != o.name || sc.seed != o.seed {
        bail!(
            "{}/summary.json is of scenario {:?} with seed {}, but {} is now {:?} with seed {}: the scenario changed since the run",
            dir.display(),
            o.name,
            o.seed,
            o.scenario_path.display(),
            sc.name,
            sc.seed
        );
    }
    Ok(sc)
}

/// What a rerun shows of itself, to check it against a run directory: its events as
/// `events.csv` has them (time_s, type, reason, object, message) and its samples' time,
/// capacity and available bytes (the first columns of `timeseries.csv`).
#[derive(Debug, Default)]
pub struct RerunKeeper {
    pub events: Vec<[String; 5]>,
    pub samples: Vec<(SimTime, u64, u64)>,
}

impl Recorder for RerunKeeper {
    fn sample(&mut self, s: &Sample) {
        self.samples
            .push((s.time, s.capacity_bytes, s.available_bytes));
    }
    fn event(&mut self, e: &EventRow) {
        self.events.push([
            crate::report::csv_recorder::format_seconds(e.time),
            e.kind.as_str().to_string(),
            e.reason.to_string(),
            e.object.clone(),
            e.message.clone(),
        ]);
    }
}

/// Reads the columns `cols` of a CSV file's rows whose `time_s` is before `until`.
fn csv_rows_before(
    path: &Path,
    cols: &[&str],
    until: SimTime,
) -> Result<Vec<(usize, Vec<String>)>> {
    let mut r =
        csv::Reader::from_path(path).with_context(|| format!("cannot read {}", path.display()))?;
    let headers = r.headers()?.clone();
    let idx: Vec<usize> = cols
        .iter()
        .map(|c| headers.iter().position(|h| h == *c))
        .collect::<Option<Vec<usize>>>()
        .with_context(|| {
            format!(
                "{}: not a run's file (no {})",
                path.display(),
                cols.join(", ")
            )
        })?;
    let mut out = Vec::new();
    for (i, row) in r.records().enumerate() {
        let row = row.with_context(|| format!("cannot read {}", path.display()))?;
        let got: Vec<String> = idx
            .iter()
            .map(|&c| row.get(c).unwrap_or("").to_string())
            .collect();
        let t = crate::workload::trace::parse_time(&got[0]).unwrap_or(SimTime::MAX);
        if t >= until {
            break;
        }
        out.push((i + 2, got));
    }
    Ok(out)
}

/// Where the rerun, before `until`, first differs from the run in `dir` (its `events.csv`,
/// then its `timeseries.csv`): `None` when they agree, i.e. the directory is what this
/// scenario produces. The instant `until` itself is not compared: the rerun stops inside it.
pub fn first_mismatch(dir: &Path, rerun: &RerunKeeper, until: SimTime) -> Result<Option<String>> {
    let before = |t: &str| crate::workload::trace::parse_time(t).is_ok_and(|t| t < until);
    let file = dir.join("events.csv");
    let got = csv_rows_before(
        &file,
        &["time_s", "type", "reason", "object", "message"],
        until,
    )?;
    let mut want = rerun.events.iter().filter(|r| before(&r[0]));
    for (line, g) in &got {
        match want.next() {
            None => {
                return Ok(Some(format!(
                    "events.csv line {line}, {} at {} s, is not in the rerun",
                    g[2], g[0]
                )))
            }
            Some(w) if w.iter().ne(g.iter()) => {
                return Ok(Some(format!(
                    "events.csv line {line} is {} {} at {} s, the rerun has {} {} at {} s",
                    g[2], g[3], g[0], w[2], w[3], w[0]
                )))
            }
            Some(_) => {}
        }
    }
    if let Some(w) = want.next() {
        return Ok(Some(format!(
            "the rerun has {} {} at {} s, which events.csv has not",
            w[2], w[3], w[0]
        )));
    }
    let file = dir.join("timeseries.csv");
    let got = csv_rows_before(
        &file,
        &["time_s", "capacity_bytes", "available_bytes"],
        until,
    )?;
    for ((line, g), w) in got.iter().zip(rerun.samples.iter()) {
        let w_text = [
            crate::report::csv_recorder::format_seconds(w.0),
            w.1.to_string(),
            w.2.to_string(),
        ];
        if w_text.iter().ne(g.iter()) {
            return Ok(Some(format!(
                "timeseries.csv line {line} has {} bytes available at {} s, the rerun {}",
                g[2], g[0], w_text[2]
            )));
        }
    }
    Ok(None)
}

/// Runs `sc` up to the decision `req` asks for and explains it; `rec` sees the run's samples
/// and events up to there.
pub fn explain(
    sc: &Scenario,
    req: ExplainRequest,
    rec: &mut dyn Recorder,
) -> Result<Explanation, NoDecision> {
    let decision = crate::sim::Simulation::new(sc).explain(req, rec)?;
    Ok(Explanation {
        scenario: sc.name.clone(),
        start_time: sc.start_time.map(|t| t.to_string()),
        request: req,
        passed_over: decision.1,
        decision: decision.0,
    })
}

/// The message for a request no decision answers, from `at` to the run's end.
pub fn no_decision_message(sc: &Scenario, req: &ExplainRequest, nd: &NoDecision) -> String {
    let d = |t: SimTime| format_go_duration(t as i64);
    let mut m = format!(
        "no {} at or after {} until the run's end ({})",
        req.what(),
        d(req.at_ns),
        d(sc.duration)
    );
    let p = nd.passed_over;
    let mut between = Vec::new();
    if p.gc_passes > 0 {
        between.push(format!(
            "{} GC passes under the high threshold",
            p.gc_passes
        ));
    }
    if p.eviction_syncs > 0 {
        between.push(format!(
            "{} eviction syncs meeting no threshold",
            p.eviction_syncs
        ));
    }
    if !between.is_empty() {
        m += &format!(": {} in between", between.join(" and "));
    }
    match nd.last_before {
        Some((t, kind)) => {
            let k = match kind {
                DecisionKind::Gc => "gc",
                DecisionKind::Eviction => "eviction",
            };
            m += &format!(
                "; the last one before is at {} (explain --at {} --kind {k})",
                d(t),
                crate::report::csv_recorder::format_seconds(t)
            );
        }
        None => m += "; none before it either",
    }
    if !req.any {
        m += "; --any takes the next one whatever it did";
    }
    m
}
