//! Parameter sweeps: a scenario's `[sweep]` grid × replicates, run in parallel, journaled,
//! sharded and merged, summarized into CSVs, a goal-driven recommendation and plots.
//!
//! Point `i` of a grid with axes `a0, a1, …` has value index `i / (|a1|·|a2|·…) % |a0|` on `a0`
//! and so on: the first axis varies slowest. Shard `K/N` runs the points with `i % N == K`.
//!
//! The output directory holds `journal.jsonl` (first line: the [`Plan`]; then one [`Entry`] per
//! finished point, appended and fsynced as it finishes, in completion order) and the final
//! files, each replaced atomically once every point of the shard is in the journal:
//! `sweep.csv`, `sweep_summary.csv`, `skipped.csv`, `recommendation.json` (with a `[goal]`)
//! and `sweep*.png`/`sweep*.svg`. Final files are functions of the journal's entries sorted by
//! point, so they do not depend on the thread count, on completion order or on resumption.

pub mod diff;
pub mod journal;
pub mod spec;
mod stage;
pub mod stats;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::{IsTerminal, Write};

use journal::JournalError;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::{anyhow, bail, Context, Result};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::outcome::NullRecorder;
use crate::report::sweep_plot::{self, SweepPlotInput};
use crate::sim::Simulation;
pub use spec::{replicate_seed, Goal, Ordered, SweepSpec};
use stats::{fmt_num, stat, Stat};

/// Journal format version (2: runs carry `log_rotations`, `pods_delayed`, `pods_delay_seconds`, `kubelet_restarts`).
pub(crate) const FORMAT: u32 = 2;
/// The most worker threads `--threads` may ask for.
pub const MAX_THREADS: usize = 1024;
pub const JOURNAL: &str = "journal.jsonl";
/// Metrics plotted when none are chosen.
pub const DEFAULT_METRICS: [&str; 4] = [
    "evictions",
    "gc_failures",
    "disk_pressure_seconds",
    "peak_usage_percent",
];

/// What a sweep is: the journal's first line. Shards of one sweep differ only in `shard`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub format: u32,
    pub scenario: String,
    pub fingerprint: String,
    pub axes: Vec<String>,
    pub axis_values: Vec<Vec<String>>,
    pub points: usize,
    pub replicates: u32,
    /// `[K, N]`; `[0, 1]` for a whole sweep.
    pub shard: [usize; 2],
    pub goal: Option<Goal>,
    /// The grid dimension of each axis when some are zipped (`[[sweep.zip]]`); empty when
    /// every axis is its own dimension.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub zip: Vec<usize>,
}

impl Plan {
    pub fn from_spec(spec: &SweepSpec, shard: (usize, usize)) -> Plan {
        Plan {
            format: FORMAT,
            scenario: spec.name.clone(),
            fingerprint: spec.fingerprint.clone(),
            axes: spec.axes.iter().map(|a| a.path.clone()).collect(),
            axis_values: spec
                .axes
                .iter()
                .map(|a| a.values.iter().map(spec::value_text).collect())
                .collect(),
            points: spec.points(),
            replicates: spec.replicates,
            shard: [shard.0, shard.1],
            goal: spec.goal.clone(),
            zip: {
                let dims = spec.axis_dims();
                if dims.iter().enumerate().all(|(k, &d)| k == d) {
                    Vec::new()
                } else {
                    dims
                }
            },
        }
    }

    /// The grid dimension of each axis.
    pub fn dims(&self) -> Vec<usize> {
        if self.zip.is_empty() {
            (0..self.axes.len()).collect()
        } else {
            self.zip.clone()
        }
    }

    /// The number of values of each grid dimension.
    pub fn dim_lens(&self) -> Vec<usize> {
        let mut lens = Vec::new();
        for (d, v) in self.dims().into_iter().zip(&self.axis_values) {
            if d == lens.len() {
                lens.push(v.len());
            }
        }
        lens
    }

    /// The value index on each axis of point `i` (zipped axes take the same index).
    pub fn coords(&self, i: usize) -> Vec<usize> {
        let c = spec::coords(&self.dim_lens(), i);
        self.dims().into_iter().map(|d| c[d]).collect()
    }

    /// The grid as plots show it: one axis per dimension; zipped axes are one, named
    /// `a + b`, its values `85 + 80`.
    pub fn plot_axes(&self) -> (Vec<String>, Vec<Vec<String>>) {
        let dims = self.dims();
        let mut names: Vec<Vec<&str>> = Vec::new();
        let mut values: Vec<Vec<Vec<&str>>> = Vec::new();
        for ((&d, a), v) in dims.iter().zip(&self.axes).zip(&self.axis_values) {
            if d == names.len() {
                names.push(Vec::new());
                values.push(vec![Vec::new(); v.len()]);
            }
            names[d].push(a);
            for (k, x) in v.iter().enumerate() {
                values[d][k].push(x);
            }
        }
        (
            names.iter().map(|n| n.join(" + ")).collect(),
            values
                .iter()
                .map(|vs| vs.iter().map(|x| x.join(" + ")).collect())
                .collect(),
        )
    }

    /// Axis values of point `i`.
    pub fn values(&self, i: usize) -> Vec<String> {
        self.coords(i)
            .iter()
            .zip(&self.axis_values)
            .map(|(&c, v)| v[c].clone())
            .collect()
    }

    pub(crate) fn in_shard(&self, i: usize) -> bool {
        i % self.shard[1] == self.shard[0]
    }
}

/// One finished point: its replicates' `summary.json` objects, or why it was skipped.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub point: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skipped: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub runs: Vec<Ordered<serde_json::Value>>,
}

/// Runs every replicate of point `i`, or says why the kubelet would reject it.
pub fn run_point(spec: &SweepSpec, i: usize) -> Entry {
    let mut runs = Vec::new();
    for r in 0..spec.replicates {
        match spec.scenario(i, r) {
            Err(reason) => {
                return Entry {
                    point: i,
                    skipped: Some(reason),
                    runs: Vec::new(),
                }
            }
            Ok(sc) => {
                let s = Simulation::new(&sc).run(&mut NullRecorder);
                let text = serde_json::to_string(&s).expect("Summary serializes");
                runs.push(serde_json::from_str(&text).expect("an object"));
            }
        }
    }
    Entry {
        point: i,
        skipped: None,
        runs,
    }
}

pub struct SweepOptions {
    pub out: PathBuf,
    /// Worker threads (default: all cores).
    pub threads: Option<usize>,
    /// `(K, N)`: run the points with index % N == K.
    pub shard: (usize, usize),
    /// Metrics to plot (default [`DEFAULT_METRICS`]).
    pub metrics: Vec<String>,
    /// Show a progress bar when stderr is a terminal.
    pub progress: bool,
    /// Stop after computing this many new points, without writing the final files (tests:
    /// an interrupted sweep).
    pub limit: Option<usize>,
    /// Go ahead with a large sweep (more than [`spec::LARGE_RUNS`] runs).
    pub allow_large: bool,
}

impl SweepOptions {
    pub fn new(out: impl Into<PathBuf>) -> SweepOptions {
        SweepOptions {
            out: out.into(),
            threads: None,
            shard: (0, 1),
            metrics: Vec::new(),
            progress: false,
            limit: None,
            allow_large: false,
        }
    }
}

#[derive(Debug)]
pub struct SweepReport {
    pub out: PathBuf,
    pub plan: Plan,
    /// Points of this shard.
    pub points: usize,
    /// Computed by this invocation; taken from the journal.
    pub computed: usize,
    pub resumed: usize,
    /// A journal of another sweep (or of changed inputs) was found and discarded.
    pub journal_discarded: bool,
    /// False when stopped by `limit`: no final files were written.
    pub complete: bool,
    pub outputs: Option<Outputs>,
}

/// What the final files say.
#[derive(Debug)]
pub struct Outputs {
    pub files: Vec<PathBuf>,
    pub skipped: Vec<(usize, String)>,
    pub recommendation: Option<Recommendation>,
}

/// Reads a journal: its plan, its entries, and the length of its well-formed prefix (a last
/// line cut short by a kill is dropped). Every line is checked (see [`journal`]).
pub fn read_journal(path: &Path) -> Result<(Plan, BTreeMap<usize, Entry>, u64)> {
    let j = journal::read(path).map_err(JournalError::into_inner)?;
    Ok((j.plan, j.entries, j.good_len))
}

/// The metrics `--metric` may name: the numeric `summary.json` fields but the seed, and
/// `evictions_by_signal.<signal>`.
pub fn metric_names() -> Vec<String> {
    let mut v: Vec<String> = spec::numeric_summary_fields()
        .into_iter()
        .filter(|f| f != "seed")
        .collect();
    v.push("evictions_by_signal.<signal>".into());
    v
}

/// Checks `--metric` names before any work.
pub fn check_metrics(metrics: &[String]) -> Result<()> {
    let names = metric_names();
    for m in metrics {
        let ok = names.contains(m)
            || m.strip_prefix("evictions_by_signal.")
                .is_some_and(|s| !s.is_empty() && s != "<signal>");
        if !ok {
            bail!(
                "--metric {m:?} is not a numeric summary metric; choose from: {}",
                names.join(", ")
            );
        }
    }
    Ok(())
}

/// What a sweep will do, told before it starts.
#[derive(Debug, Clone, PartialEq)]
pub struct Estimate {
    /// Runs of this shard (points × replicates).
    pub runs: u64,
    /// Memory the results take until the final files are written, bytes (an estimate).
    pub memory: u64,
    /// Journal size, bytes (an estimate).
    pub journal: u64,
    /// More than [`spec::LARGE_RUNS`] runs.
    pub large: bool,
}

impl std::fmt::Display for Estimate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mib = |b: u64| b as f64 / (1u64 << 20) as f64;
        write!(
            f,
            "{} runs: about {:.0} MiB of memory for the results and {:.0} MiB of journal",
            self.runs,
            mib(self.memory),
            mib(self.journal)
        )
    }
}

/// Checks everything a sweep can be refused for, before any point runs or any file is
/// written: the shard, the thread count, the metrics, the output directory, every axis (see
/// [`SweepSpec::check_axes`]), and its size (more than [`spec::LARGE_RUNS`] runs needs
/// `allow_large`).
pub fn preflight(spec: &SweepSpec, opts: &SweepOptions) -> Result<Estimate> {
    let (k, n) = opts.shard;
    if n == 0 || k >= n {
        bail!("--shard K/N needs 0 <= K < N (got {k}/{n})");
    }
    if let Some(t) = opts.threads {
        if t == 0 || t > MAX_THREADS {
            bail!("--threads must be from 1 to {MAX_THREADS} (got {t})");
        }
    }
    check_metrics(&opts.metrics)?;
    // A file, or a directory holding files a sweep did not write (the scenario's own folder,
    // say): refused, as `run` and `merge` refuse them.
    crate::report::check_target(&opts.out, &is_sweep_file)?;
    spec.check_axes()?;
    let points = spec.points();
    let mine = (points / n + usize::from(k < points % n)) as u64;
    let runs = mine * spec.replicates as u64;
    let e = Estimate {
        runs,
        memory: runs * spec::BYTES_PER_RUN,
        journal: runs * spec::JOURNAL_BYTES_PER_RUN,
        large: runs > spec::LARGE_RUNS,
    };
    if e.large && !opts.allow_large {
        bail!(
            "{}: a large sweep: {e}; pass --allow-large to go ahead (the limit is {} runs)",
            spec.path.display(),
            spec::MAX_RUNS
        );
    }
    Ok(e)
}

/// The first point of shard `(k, n)` the kubelet would accept, loaded as replicate 0 (its trace
/// stays in the spec's cache for the run). When every point would be skipped the sweep has
/// nothing to run: the error names the scenario file and the first point's reason, before any
/// file is written.
pub fn first_runnable_point(spec: &SweepSpec, shard: (usize, usize)) -> Result<usize> {
    let (k, n) = shard;
    let mut first_reason = None;
    for i in (k..spec.points()).step_by(n.max(1)) {
        match spec.scenario(i, 0) {
            Ok(_) => return Ok(i),
            Err(reason) => {
                first_reason.get_or_insert((i, reason));
            }
        }
    }
    match first_reason {
        Some((i, reason)) => bail!(
            "{}: every point of the sweep{} would be skipped (the kubelet would reject them), so nothing was run; point {i}: {reason}",
            spec.path.display(),
            if n > 1 {
                format!("'s shard {k}/{n}")
            } else {
                String::new()
            }
        ),
        None => Ok(k),
    }
}

fn json_line<T: Serialize>(v: &T) -> Vec<u8> {
    let mut b = serde_json::to_vec(v).expect("serializes");
    b.push(b'\n');
    b
}

/// Runs (or resumes) a sweep into `opts.out`.
pub fn run_sweep(spec: &SweepSpec, opts: &SweepOptions) -> Result<SweepReport> {
    preflight(spec, opts)?;
    let plan = Plan::from_spec(spec, opts.shard);
    fs::create_dir_all(&opts.out)
        .with_context(|| format!("cannot create {}", opts.out.display()))?;
    let jpath = opts.out.join(JOURNAL);

    // Resume from a journal of the same sweep, else start one.
    let mut done = BTreeMap::new();
    let mut journal_discarded = false;
    let file = if jpath.exists() {
        match journal::read(&jpath) {
            Ok(j) if j.plan == plan => {
                done = j.entries;
                let f = fs::OpenOptions::new()
                    .write(true)
                    .open(&jpath)
                    .and_then(|f| f.set_len(j.good_len))
                    .and_then(|()| fs::OpenOptions::new().append(true).open(&jpath))
                    .with_context(|| format!("cannot append to {}", jpath.display()))?;
                f
            }
            // A damaged line of this sweep's journal: its points are not silently run again.
            Err(JournalError::Line(e)) => {
                bail!("{e} (remove {} to start the sweep over)", jpath.display())
            }
            // Another sweep's, another version's, or not a journal: start over.
            _ => {
                journal_discarded = true;
                new_journal(&jpath, &plan)?
            }
        }
    } else {
        new_journal(&jpath, &plan)?
    };
    done.retain(|&i, _| i < plan.points && plan.in_shard(i));

    let mine: Vec<usize> = (0..plan.points).filter(|&i| plan.in_shard(i)).collect();
    let mut pending: Vec<usize> = mine
        .iter()
        .copied()
        .filter(|i| !done.contains_key(i))
        .collect();
    let resumed = mine.len() - pending.len();
    let mut complete = true;
    if let Some(l) = opts.limit {
        if l < pending.len() {
            pending.truncate(l);
            complete = false;
        }
    }

    let threads = opts.threads.unwrap_or(0);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .context("cannot start the worker threads")?;
    let bar = if opts.progress && std::io::stderr().is_terminal() && !pending.is_empty() {
        let b = indicatif::ProgressBar::new(pending.len() as u64);
        b.set_style(
            indicatif::ProgressStyle::with_template(
                "{bar:40.cyan/blue} {pos}/{len} points  {rate}  elapsed {elapsed}  ETA {eta}",
            )
            .expect("a valid template")
            .with_key(
                "rate",
                |s: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                    let _ = write!(w, "{:.1} points/s", s.per_sec());
                },
            ),
        );
        b
    } else {
        indicatif::ProgressBar::hidden()
    };
    let results = Mutex::new(done);
    // `&File` writes too: the mutex orders whole lines; syncing needs no lock.
    let file_ref: &fs::File = &file;
    let journal = Mutex::new(file_ref);
    pool.install(|| {
        pending.par_iter().with_max_len(1).try_for_each(|&i| {
            let e = run_point(spec, i);
            // Append the line under the lock (lines never interleave), then wait for it to be
            // on disk outside the lock, so the other workers need not wait for this flush.
            let line = json_line(&e);
            journal
                .lock()
                .unwrap()
                .write_all(&line)
                .with_context(|| format!("cannot append to {}", jpath.display()))?;
            file_ref
                .sync_data()
                .with_context(|| format!("cannot append to {}", jpath.display()))?;
            results.lock().unwrap().insert(i, e);
            bar.inc(1);
            Ok::<(), anyhow::Error>(())
        })
    })?;
    bar.finish_and_clear();
    let entries = results.into_inner().unwrap();

    let outputs = if complete {
        // On the pool too: plots are drawn in parallel, on no more threads than asked for.
        Some(pool.install(|| write_outputs(&opts.out, &plan, &entries, &opts.metrics))?)
    } else {
        None
    };
    Ok(SweepReport {
        out: opts.out.clone(),
        plan,
        points: mine.len(),
        computed: pending.len(),
        resumed,
        journal_discarded,
        complete,
        outputs,
    })
}

fn new_journal(path: &Path, plan: &Plan) -> Result<fs::File> {
    let mut f =
        fs::File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    f.write_all(&json_line(plan))
        .and_then(|()| f.sync_data())
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(f)
}

/// Combines shard directories (each with its `journal.jsonl`) into `out`, writing the same
/// files a single-machine run writes. Every journal is checked line by line; the shards must
/// be of one sweep (the same plan but `shard`) and together hold every point.
pub fn merge(dirs: &[PathBuf], out: &Path, metrics: &[String]) -> Result<Outputs> {
    check_metrics(metrics)?;
    crate::report::check_target(out, &is_sweep_file)?;
    let mut plan: Option<Plan> = None;
    let mut entries = BTreeMap::new();
    // Per shard K/N: the directory holding it and how many of its points it has.
    let mut shards: BTreeMap<usize, (PathBuf, usize)> = BTreeMap::new();
    let mut shard_n: Option<usize> = None;
    for d in dirs {
        let jp = d.join(JOURNAL);
        let (p, e, _) = read_journal(&jp)?;
        let mut whole = p.clone();
        whole.shard = [0, 1];
        match &plan {
            None => plan = Some(whole),
            Some(q) if *q == whole => {}
            Some(_) => bail!(
                "{}: a shard of another sweep (or of changed inputs) than {}",
                jp.display(),
                dirs[0].join(JOURNAL).display()
            ),
        }
        let [k, n] = p.shard;
        match shard_n {
            Some(n0) if n0 != n => bail!(
                "{}: shard {k}/{n}, but the other shards are of {n0}",
                jp.display()
            ),
            _ => shard_n = Some(n),
        }
        if let Some((other, _)) = shards.get(&k) {
            if other != d {
                bail!(
                    "{}: shard {k}/{n} is also in {}",
                    jp.display(),
                    other.join(JOURNAL).display()
                );
            }
        }
        shards.insert(k, (d.clone(), e.len()));
        entries.extend(e);
    }
    let plan = plan.ok_or_else(|| anyhow!("no shard directories given"))?;
    let n = shard_n.unwrap_or(1);
    if entries.len() < plan.points {
        let mut why = Vec::new();
        for k in 0..n.min(plan.points) {
            let size = plan.points / n + usize::from(k < plan.points % n);
            match shards.get(&k) {
                None => why.push(format!("shard {k}/{n} is in none of the directories")),
                Some((d, have)) if *have < size => why.push(format!(
                    "shard {k}/{n} ({}) is unfinished: {have} of its {size} points",
                    d.display()
                )),
                _ => {}
            }
        }
        bail!(
            "{} of {} points are in none of the journals: {}",
            plan.points - entries.len(),
            plan.points,
            why.join("; ")
        );
    }
    let dir = crate::report::OutputDir::create(out, &is_sweep_file)?;
    let written = (|| -> Result<Outputs> {
        let jp = dir.file(JOURNAL);
        let mut bytes = json_line(&plan);
        for e in entries.values() {
            bytes.extend(json_line(e));
        }
        fs::write(&jp, &bytes)
            .and_then(|()| fs::File::open(&jp)?.sync_all())
            .with_context(|| format!("cannot write {}", jp.display()))?;
        write_outputs(dir.path(), &plan, &entries, metrics)
    })();
    let mut o = match written {
        Ok(o) => o,
        Err(e) => return Err(dir.explain(e)),
    };
    let target = dir.commit()?;
    for p in &mut o.files {
        *p = target.join(p.file_name().unwrap());
    }
    Ok(o)
}

/// A CSV column of the summaries: a top-level field, or one key of a nested map.
#[derive(Debug, Clone)]
struct Column {
    top: String,
    sub: Option<String>,
}

impl Column {
    fn name(&self) -> String {
        match &self.sub {
            Some(s) => format!("{}.{s}", self.top),
            None => self.top.clone(),
        }
    }
    fn get<'a>(&self, row: &'a Ordered<serde_json::Value>) -> Option<&'a serde_json::Value> {
        let v = row.get(&self.top)?;
        match &self.sub {
            None => Some(v),
            Some(s) => v.get(s),
        }
    }
    fn text(&self, row: &Ordered<serde_json::Value>) -> String {
        match self.get(row) {
            None => "0".into(),
            Some(serde_json::Value::String(s)) => s.clone(),
            Some(v) => v.to_string(),
        }
    }
    fn number(&self, row: &Ordered<serde_json::Value>) -> Option<f64> {
        match self.get(row) {
            None if self.sub.is_some() => Some(0.0),
            v => v.and_then(|v| v.as_f64()),
        }
    }
}

/// The columns: summary fields in `summary.json` order; a map field (`evictions_by_signal`)
/// becomes one column per key seen in any run, keys sorted.
fn columns(entries: &BTreeMap<usize, Entry>) -> Vec<Column> {
    let first: Ordered<serde_json::Value> = entries
        .values()
        .flat_map(|e| e.runs.first())
        .next()
        .cloned()
        .unwrap_or_else(|| {
            serde_json::from_str(
                &serde_json::to_string(&crate::outcome::Summary::default()).unwrap(),
            )
            .unwrap()
        });
    let mut cols = Vec::new();
    for (k, v) in &first.0 {
        if v.is_object() {
            let mut keys = BTreeSet::new();
            for e in entries.values() {
                for r in &e.runs {
                    if let Some(serde_json::Value::Object(m)) = r.get(k) {
                        keys.extend(m.keys().cloned());
                    }
                }
            }
            cols.extend(keys.into_iter().map(|s| Column {
                top: k.clone(),
                sub: Some(s),
            }));
        } else {
            cols.push(Column {
                top: k.clone(),
                sub: None,
            });
        }
    }
    cols
}

fn csv_bytes(rows: Vec<Vec<String>>) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for r in rows {
        w.write_record(&r)?;
    }
    w.into_inner().map_err(|e| anyhow!("{e}"))
}

/// The result of a `[goal]` search, as written to `recommendation.json`.
#[derive(Debug, Clone, Serialize)]
pub struct Recommendation {
    pub found: bool,
    /// The chosen point and its axis values.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub point: Option<usize>,
    pub settings: Ordered<String>,
    pub replicates: u32,
    /// Each goal metric's worst replicate at the chosen point (largest for an upper bound, else
    /// smallest) and its mean.
    pub metrics: Ordered<Ordered<f64>>,
    pub goal: Goal,
    pub points_meeting_goal: usize,
    pub points_run: usize,
    pub points_skipped: usize,
    pub note: String,
    /// Of one shard only (its answer is partial).
    #[serde(skip)]
    pub shard_only: bool,
    /// When no point meets the goal: the point that comes closest (see [`closest_point`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub closest: Option<Closest>,
}

/// A goal condition a point misses: its worst replicate and by how much.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Miss {
    pub metric: String,
    /// The bound it misses: `"max"` or `"min"`.
    pub bound: &'static str,
    pub limit: f64,
    /// The worst replicate's value (the one that misses by the most).
    pub worst: f64,
    /// How far it is past the bound (positive; infinite when the run has no such number).
    pub by: f64,
}

/// The point nearest to meeting a goal no point meets.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Closest {
    pub point: usize,
    pub settings: Ordered<String>,
    /// Its replicates that meet every condition.
    pub replicates_meeting: usize,
    /// The conditions it misses, in the goal's order.
    pub missed: Vec<Miss>,
}

/// How replicate value `x` misses condition `c`, if it does: the bound, its limit, the distance.
fn miss_of(c: &spec::Condition, x: f64) -> Option<(&'static str, f64, f64)> {
    if let Some(m) = c.max {
        if x.is_nan() || x > m {
            return Some(("max", m, if x.is_nan() { f64::INFINITY } else { x - m }));
        }
    }
    if let Some(m) = c.min {
        if x.is_nan() || x < m {
            return Some(("min", m, if x.is_nan() { f64::INFINITY } else { m - x }));
        }
    }
    None
}

/// Of the points run, the one closest to meeting the goal, compared by, in order: the fewest
/// conditions missed (by the worst replicate); the smallest sum of the misses, each relative
/// to its bound (`by / max(|limit|, 1)`: 3 evictions over a bound of 0 count 3, 2 points of
/// usage over 90 % count 2/90); the most replicates meeting every condition; the lowest point
/// index. `None` when no point ran.
pub fn closest_point(
    conditions: &[spec::Condition],
    points: &[(usize, Vec<Vec<f64>>)],
) -> Option<(usize, usize, Vec<Miss>)> {
    // (conditions missed, relative miss, replicates meeting (more is better), point).
    type Key = (usize, f64, std::cmp::Reverse<usize>, usize);
    let mut best: Option<(Key, Vec<Miss>)> = None;
    for (point, reps) in points {
        if reps.is_empty() {
            continue;
        }
        let mut missed = Vec::new();
        for (k, c) in conditions.iter().enumerate() {
            let worst = reps
                .iter()
                .filter_map(|r| miss_of(c, r[k]).map(|m| (m, r[k])))
                .max_by(|a, b| a.0 .2.total_cmp(&b.0 .2));
            if let Some(((bound, limit, by), x)) = worst {
                missed.push(Miss {
                    metric: c.metric.clone(),
                    bound,
                    limit,
                    worst: x,
                    by,
                });
            }
        }
        let meeting = reps
            .iter()
            .filter(|r| {
                conditions
                    .iter()
                    .enumerate()
                    .all(|(k, c)| miss_of(c, r[k]).is_none())
            })
            .count();
        let score: f64 = missed.iter().map(|m| m.by / m.limit.abs().max(1.0)).sum();
        let key = (missed.len(), score, std::cmp::Reverse(meeting), *point);
        let better = match &best {
            None => true,
            Some((b, _)) => (key.0, key.1, key.2, key.3)
                .partial_cmp(&(b.0, b.1, b.2, b.3))
                .is_some_and(|o| o.is_lt()),
        };
        if better {
            best = Some((key, missed));
        }
    }
    best.map(|(k, m)| (k.3, k.2 .0, m))
}

impl std::fmt::Display for Recommendation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let conds: Vec<String> = self
            .goal
            .conditions
            .iter()
            .map(|c| match (c.min, c.max) {
                (Some(a), Some(b)) => format!("{a} ≤ {} ≤ {b}", c.metric),
                (Some(a), None) => format!("{} ≥ {a}", c.metric),
                (None, Some(b)) => format!("{} ≤ {b}", c.metric),
                (None, None) => c.metric.clone(),
            })
            .collect();
        if !self.found {
            write!(
                f,
                "no point meets the goal ({}) in all {} replicates ({} points run)",
                conds.join(", "),
                self.replicates,
                self.points_run
            )?;
            if let Some(c) = &self.closest {
                let set: Vec<String> = c
                    .settings
                    .0
                    .iter()
                    .map(|(k, v)| format!("{k} = {v}"))
                    .collect();
                let missed: Vec<String> = c
                    .missed
                    .iter()
                    .map(|m| {
                        if !m.by.is_finite() {
                            return format!("{} has no value", m.metric);
                        }
                        format!(
                            "{} {} {} {} (by {})",
                            m.metric,
                            fmt_num(m.worst),
                            if m.bound == "max" { ">" } else { "<" },
                            fmt_num(m.limit),
                            fmt_num(m.by)
                        )
                    })
                    .collect();
                write!(
                    f,
                    "; closest: point {}: {} — {} of {} replicates meet it; worst replicate: {}",
                    c.point,
                    if set.is_empty() {
                        "the base scenario".to_string()
                    } else {
                        set.join(", ")
                    },
                    c.replicates_meeting,
                    self.replicates,
                    missed.join(", ")
                )?;
            }
            return Ok(());
        }
        let set: Vec<String> = self
            .settings
            .0
            .iter()
            .map(|(k, v)| format!("{k} = {v}"))
            .collect();
        write!(
            f,
            "point {}: {} — meets {} in all {} replicates ({} of {} points do{})",
            self.point.unwrap_or(0),
            if set.is_empty() {
                "the base scenario".to_string()
            } else {
                set.join(", ")
            },
            conds.join(", "),
            self.replicates,
            self.points_meeting_goal,
            self.points_run,
            match &self.goal.minimize {
                Some(m) => format!("; smallest {m}"),
                None => String::new(),
            }
        )
    }
}

fn recommend(plan: &Plan, entries: &BTreeMap<usize, Entry>) -> Option<Recommendation> {
    let goal = plan.goal.clone()?;
    let col = |m: &str| -> Column {
        match m.split_once('.') {
            Some((t, s)) if t == "evictions_by_signal" => Column {
                top: t.into(),
                sub: Some(s.into()),
            },
            _ => Column {
                top: m.into(),
                sub: None,
            },
        }
    };
    let conds: Vec<(Column, &spec::Condition)> = goal
        .conditions
        .iter()
        .map(|c| (col(&c.metric), c))
        .collect();
    let meets = |e: &Entry| {
        !e.runs.is_empty()
            && e.runs.iter().all(|r| {
                conds.iter().all(|(col, c)| {
                    let x = col.number(r).unwrap_or(f64::NAN);
                    c.min.is_none_or(|m| x >= m) && c.max.is_none_or(|m| x <= m)
                })
            })
    };
    // The minimized axis's order: its values as numbers when they all are, else list order.
    let key_of: Box<dyn Fn(usize) -> f64> = match &goal.minimize {
        None => Box::new(|_| 0.0),
        Some(m) => {
            let a = plan.axes.iter().position(|x| x == m)?;
            let vals = &plan.axis_values[a];
            let nums: Option<Vec<f64>> = vals.iter().map(|v| spec::value_number(v)).collect();
            Box::new(move |i| {
                let c = plan.coords(i)[a];
                match &nums {
                    Some(n) => n[c],
                    None => c as f64,
                }
            })
        }
    };
    let ok: Vec<usize> = entries
        .values()
        .filter(|e| meets(e))
        .map(|e| e.point)
        .collect();
    let best = ok.iter().copied().min_by(|&a, &b| {
        key_of(a)
            .partial_cmp(&key_of(b))
            .unwrap_or(std::cmp::Ordering::Equal)
            .then(a.cmp(&b))
    });
    let points_run = entries.values().filter(|e| e.skipped.is_none()).count();
    let mut settings = Ordered::default();
    let mut metrics = Ordered::default();
    if let Some(p) = best {
        settings = Ordered(plan.axes.iter().cloned().zip(plan.values(p)).collect());
        let e = &entries[&p];
        for (col, c) in &conds {
            let xs: Vec<f64> = e.runs.iter().filter_map(|r| col.number(r)).collect();
            let worst = if c.max.is_some() {
                xs.iter().cloned().fold(f64::MIN, f64::max)
            } else {
                xs.iter().cloned().fold(f64::MAX, f64::min)
            };
            metrics.0.push((
                c.metric.clone(),
                Ordered(vec![
                    ("worst".into(), worst),
                    ("mean".into(), stat(&xs).mean),
                ]),
            ));
        }
    }
    let closest = if best.is_none() {
        let points: Vec<(usize, Vec<Vec<f64>>)> = entries
            .values()
            .filter(|e| e.skipped.is_none())
            .map(|e| {
                let reps = e
                    .runs
                    .iter()
                    .map(|r| {
                        conds
                            .iter()
                            .map(|(col, _)| col.number(r).unwrap_or(f64::NAN))
                            .collect()
                    })
                    .collect();
                (e.point, reps)
            })
            .collect();
        closest_point(&goal.conditions, &points).map(|(point, replicates_meeting, missed)| {
            Closest {
                point,
                settings: Ordered(plan.axes.iter().cloned().zip(plan.values(point)).collect()),
                replicates_meeting,
                missed,
            }
        })
    } else {
        None
    };
    let note = if plan.shard[1] > 1 {
        format!(
            "shard {}/{} only: merge the shards for the sweep's answer",
            plan.shard[0], plan.shard[1]
        )
    } else {
        String::new()
    };
    Some(Recommendation {
        found: best.is_some(),
        point: best,
        settings,
        replicates: plan.replicates,
        metrics,
        goal,
        points_meeting_goal: ok.len(),
        points_run,
        points_skipped: entries.len() - points_run,
        note,
        shard_only: plan.shard[1] > 1,
        closest,
    })
}

/// Writes the final files of `entries` (every point of the plan's shard) into `dir`, all or
/// nothing (see [`stage`]): on an error the previous files are as they were.
pub fn write_outputs(
    dir: &Path,
    plan: &Plan,
    entries: &BTreeMap<usize, Entry>,
    metrics: &[String],
) -> Result<Outputs> {
    check_metrics(metrics)?;
    let mut st = stage::Stage::new(dir)?;
    let (skipped, recommendation) = match stage_outputs(&mut st, plan, entries, metrics) {
        Ok(x) => x,
        Err(e) => return Err(st.explain(e)),
    };
    let files = st.commit()?;
    Ok(Outputs {
        files,
        skipped,
        recommendation,
    })
}

type Staged = (Vec<(usize, String)>, Option<Recommendation>);

fn stage_outputs(
    st: &mut stage::Stage,
    plan: &Plan,
    entries: &BTreeMap<usize, Entry>,
    metrics: &[String],
) -> Result<Staged> {
    let cols = columns(entries);

    // sweep.csv
    let mut rows = Vec::new();
    let mut head = vec!["point".to_string(), "replicate".to_string()];
    head.extend(plan.axes.iter().cloned());
    head.extend(cols.iter().map(Column::name));
    rows.push(head);
    for e in entries.values() {
        let vals = plan.values(e.point);
        for (r, run) in e.runs.iter().enumerate() {
            let mut row = vec![e.point.to_string(), r.to_string()];
            row.extend(vals.iter().cloned());
            row.extend(cols.iter().map(|c| c.text(run)));
            rows.push(row);
        }
    }
    st.write("sweep.csv", &csv_bytes(rows)?)?;

    // sweep_summary.csv: numeric metrics but the seed.
    let numeric: Vec<&Column> = cols
        .iter()
        .filter(|c| {
            c.top != "seed"
                && entries
                    .values()
                    .flat_map(|e| e.runs.first())
                    .next()
                    .is_none_or(|r| c.number(r).is_some())
                && c.top != "scenario"
        })
        .collect();
    let mut rows = Vec::new();
    let mut head = vec!["point".to_string()];
    head.extend(plan.axes.iter().cloned());
    head.push("replicates".into());
    for c in &numeric {
        let n = c.name();
        head.extend([format!("{n}_mean"), format!("{n}_sd"), format!("{n}_ci95")]);
    }
    rows.push(head);
    let mut point_stats: BTreeMap<usize, Vec<Stat>> = BTreeMap::new();
    for e in entries.values().filter(|e| e.skipped.is_none()) {
        let mut row = vec![e.point.to_string()];
        row.extend(plan.values(e.point));
        row.push(e.runs.len().to_string());
        let mut st = Vec::new();
        for c in &numeric {
            let xs: Vec<f64> = e.runs.iter().filter_map(|r| c.number(r)).collect();
            let s = stat(&xs);
            row.push(fmt_num(s.mean));
            row.push(s.sd.map(fmt_num).unwrap_or_default());
            row.push(s.ci95.map(fmt_num).unwrap_or_default());
            st.push(s);
        }
        point_stats.insert(e.point, st);
        rows.push(row);
    }
    st.write("sweep_summary.csv", &csv_bytes(rows)?)?;

    // skipped.csv
    let mut skipped = Vec::new();
    let mut rows = Vec::new();
    let mut head = vec!["point".to_string()];
    head.extend(plan.axes.iter().cloned());
    head.push("reason".into());
    rows.push(head);
    for e in entries.values() {
        if let Some(why) = &e.skipped {
            let mut row = vec![e.point.to_string()];
            row.extend(plan.values(e.point));
            row.push(why.clone());
            rows.push(row);
            skipped.push((e.point, why.clone()));
        }
    }
    st.write("skipped.csv", &csv_bytes(rows)?)?;

    // recommendation.json
    let recommendation = recommend(plan, entries);
    if let Some(r) = &recommendation {
        let mut b = serde_json::to_vec_pretty(r)?;
        b.push(b'\n');
        st.write("recommendation.json", &b)?;
    }

    // Plots.
    // By default the headline metrics, then the goal's others (what the answer rests on).
    let metrics: Vec<String> = if metrics.is_empty() {
        let mut m: Vec<String> = DEFAULT_METRICS.iter().map(|s| s.to_string()).collect();
        for c in plan.goal.iter().flat_map(|g| &g.conditions) {
            if !m.contains(&c.metric) {
                m.push(c.metric.clone());
            }
        }
        m
    } else {
        metrics.to_vec()
    };
    let names: Vec<String> = numeric.iter().map(|c| c.name()).collect();
    let mut idx = Vec::new();
    for m in &metrics {
        match names.iter().position(|n| n == m) {
            Some(i) => idx.push(i),
            // A map key no run produced (e.g. evictions_by_signal.x): all zero.
            None if m.starts_with("evictions_by_signal.") => idx.push(usize::MAX),
            None => bail!(
                "--metric {m:?} is not a numeric summary metric; choose from: {}",
                names.join(", ")
            ),
        }
    }
    if !plan.axes.is_empty() && !point_stats.is_empty() {
        let zero = Stat {
            mean: 0.0,
            sd: Some(0.0),
            ci95: Some(0.0),
        };
        let cells: Vec<Option<Vec<Stat>>> = (0..plan.points)
            .map(|i| {
                point_stats.get(&i).map(|st| {
                    idx.iter()
                        .map(|&k| if k == usize::MAX { zero } else { st[k] })
                        .collect()
                })
            })
            .collect();
        let (plot_axes, plot_values) = plan.plot_axes();
        let input = SweepPlotInput {
            title: format!("{} — sweep", plan.scenario),
            subtitle: format!(
                "mean of {} replicate{} per point{}{}{}",
                plan.replicates,
                if plan.replicates == 1 { "" } else { "s" },
                if plan.replicates > 1 {
                    ", band / ± = 95% confidence interval (Student t)"
                } else {
                    ""
                },
                if plan.shard[1] > 1 {
                    format!(" · shard {}/{}", plan.shard[0], plan.shard[1])
                } else {
                    String::new()
                },
                match recommendation.as_ref().and_then(|r| r.point) {
                    Some(_) if plan.dim_lens().len() == 1 => " · ring: the recommended point",
                    Some(_) => " · black frame: the recommended point",
                    None => "",
                }
            ),
            axes: plot_axes,
            axis_values: plot_values,
            metrics: metrics.clone(),
            cells,
            recommended: recommendation.as_ref().and_then(|r| r.point),
            bounds: metrics
                .iter()
                .map(|m| {
                    let mut b = (None, None);
                    for c in plan.goal.iter().flat_map(|g| &g.conditions) {
                        if &c.metric == m {
                            b = (c.min.or(b.0), c.max.or(b.1));
                        }
                    }
                    b
                })
                .collect(),
        };
        for f in sweep_plot::plot_sweep(st.path(), &input)? {
            st.add(&f.file_name().unwrap().to_string_lossy())?;
        }
    }

    Ok((skipped, recommendation))
}

/// Skip reasons grouped: (reason with numbers left in, count), most frequent first.
pub fn skip_reasons(skipped: &[(usize, String)]) -> Vec<(String, usize)> {
    let mut by: BTreeMap<String, (usize, String)> = BTreeMap::new();
    for (_, why) in skipped {
        // Group by the field the error names.
        let field = why.split(':').next().unwrap_or(why).to_string();
        let e = by.entry(field).or_insert((0, why.clone()));
        e.0 += 1;
    }
    let mut v: Vec<(String, usize)> = by.into_values().map(|(n, w)| (w, n)).collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    v
}

/// Whether `name` is a file a sweep or a merge writes into its directory: `merge --out`
/// replaces a directory holding only these.
pub fn is_sweep_file(name: &str) -> bool {
    matches!(
        name,
        JOURNAL | "sweep.csv" | "sweep_summary.csv" | "skipped.csv" | "recommendation.json"
    ) || (name.starts_with("sweep") && (name.ends_with(".png") || name.ends_with(".svg")))
}
