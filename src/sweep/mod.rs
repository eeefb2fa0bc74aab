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

pub mod spec;
pub mod stats;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::{IsTerminal, Write};
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

/// Journal format version.
const FORMAT: u32 = 1;
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
        }
    }

    fn lens(&self) -> Vec<usize> {
        self.axis_values.iter().map(Vec::len).collect()
    }

    /// Axis values of point `i`.
    pub fn values(&self, i: usize) -> Vec<String> {
        spec::coords(&self.lens(), i)
            .iter()
            .zip(&self.axis_values)
            .map(|(&c, v)| v[c].clone())
            .collect()
    }

    fn in_shard(&self, i: usize) -> bool {
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

/// Reads a journal: its plan, its entries, and the length of its well-formed prefix (a line cut
/// short by a kill is dropped).
pub fn read_journal(path: &Path) -> Result<(Plan, BTreeMap<usize, Entry>, u64)> {
    let bytes = fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut plan: Option<Plan> = None;
    let mut entries = BTreeMap::new();
    let mut good = 0usize;
    let mut pos = 0usize;
    while let Some(nl) = bytes[pos..].iter().position(|&b| b == b'\n') {
        let line = &bytes[pos..pos + nl];
        if plan.is_none() {
            match serde_json::from_slice::<Plan>(line) {
                Ok(p) => plan = Some(p),
                Err(e) => bail!("{}: not a sweep journal: {e}", path.display()),
            }
        } else {
            match serde_json::from_slice::<Entry>(line) {
                Ok(e) => {
                    entries.insert(e.point, e);
                }
                Err(_) => break,
            }
        }
        pos += nl + 1;
        good = pos;
    }
    let plan = plan.ok_or_else(|| anyhow!("{}: empty sweep journal", path.display()))?;
    Ok((plan, entries, good as u64))
}

fn json_line<T: Serialize>(v: &T) -> Vec<u8> {
    let mut b = serde_json::to_vec(v).expect("serializes");
    b.push(b'\n');
    b
}

/// Runs (or resumes) a sweep into `opts.out`.
pub fn run_sweep(spec: &SweepSpec, opts: &SweepOptions) -> Result<SweepReport> {
    let (k, n) = opts.shard;
    if n == 0 || k >= n {
        bail!("--shard K/N needs 0 <= K < N (got {k}/{n})");
    }
    let plan = Plan::from_spec(spec, opts.shard);
    fs::create_dir_all(&opts.out)
        .with_context(|| format!("cannot create {}", opts.out.display()))?;
    let jpath = opts.out.join(JOURNAL);

    // Resume from a journal of the same sweep, else start one.
    let mut done = BTreeMap::new();
    let mut journal_discarded = false;
    let file = if jpath.exists() {
        match read_journal(&jpath) {
            Ok((p, entries, good)) if p == plan => {
                done = entries;
                let f = fs::OpenOptions::new().write(true).open(&jpath)?;
                f.set_len(good)?;
                drop(f);
                fs::OpenOptions::new().append(true).open(&jpath)?
            }
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
    f.write_all(&json_line(plan))?;
    f.sync_data()?;
    Ok(f)
}

/// Combines shard directories (each with its `journal.jsonl`) into `out`, writing the same
/// files a single-machine run writes.
pub fn merge(dirs: &[PathBuf], out: &Path, metrics: &[String]) -> Result<Outputs> {
    let mut plan: Option<Plan> = None;
    let mut entries = BTreeMap::new();
    for d in dirs {
        let (p, e, _) = read_journal(&d.join(JOURNAL))?;
        let mut whole = p.clone();
        whole.shard = [0, 1];
        match &plan {
            None => plan = Some(whole),
            Some(q) if *q == whole => {}
            Some(_) => bail!(
                "{}: a shard of another sweep (or of changed inputs) than {}",
                d.display(),
                dirs[0].display()
            ),
        }
        for (i, en) in e {
            if i % p.shard[1] == p.shard[0] && i < p.points {
                entries.insert(i, en);
            }
        }
    }
    let plan = plan.ok_or_else(|| anyhow!("no shard directories given"))?;
    let missing: Vec<usize> = (0..plan.points)
        .filter(|i| !entries.contains_key(i))
        .collect();
    if !missing.is_empty() {
        bail!(
            "{} of {} points are in none of the journals (first: point {}): a shard is missing or unfinished",
            missing.len(),
            plan.points,
            missing[0]
        );
    }
    let dir = crate::report::OutputDir::create(out)?;
    let mut f = fs::File::create(dir.file(JOURNAL))?;
    f.write_all(&json_line(&plan))?;
    for e in entries.values() {
        f.write_all(&json_line(e))?;
    }
    f.sync_all()?;
    drop(f);
    let mut o = write_outputs(dir.path(), &plan, &entries, metrics)?;
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

/// Writes `bytes` to `path` atomically (temporary file, fsync, rename).
fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = path.with_file_name(format!(
        ".{}.tmp-{}",
        path.file_name().unwrap().to_string_lossy(),
        std::process::id()
    ));
    let mut f =
        fs::File::create(&tmp).with_context(|| format!("cannot create {}", tmp.display()))?;
    f.write_all(bytes)?;
    f.sync_all()?;
    drop(f);
    fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))
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
            return write!(
                f,
                "no point meets the goal ({}) in all {} replicates ({} points run)",
                conds.join(", "),
                self.replicates,
                self.points_run
            );
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
            let lens = plan.lens();
            Box::new(move |i| {
                let c = spec::coords(&lens, i)[a];
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
    })
}

/// Writes the final files of `entries` (every point of the plan's shard) into `dir`.
pub fn write_outputs(
    dir: &Path,
    plan: &Plan,
    entries: &BTreeMap<usize, Entry>,
    metrics: &[String],
) -> Result<Outputs> {
    let cols = columns(entries);
    let mut files = Vec::new();

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
    let p = dir.join("sweep.csv");
    write_atomic(&p, &csv_bytes(rows)?)?;
    files.push(p);

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
    let p = dir.join("sweep_summary.csv");
    write_atomic(&p, &csv_bytes(rows)?)?;
    files.push(p);

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
    let p = dir.join("skipped.csv");
    write_atomic(&p, &csv_bytes(rows)?)?;
    files.push(p);

    // recommendation.json
    let recommendation = recommend(plan, entries);
    if let Some(r) = &recommendation {
        let mut b = serde_json::to_vec_pretty(r)?;
        b.push(b'\n');
        let p = dir.join("recommendation.json");
        write_atomic(&p, &b)?;
        files.push(p);
    }

    // Plots.
    let metrics: Vec<String> = if metrics.is_empty() {
        DEFAULT_METRICS.iter().map(|s| s.to_string()).collect()
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
        let input = SweepPlotInput {
            title: format!("{} — sweep", plan.scenario),
            subtitle: format!(
                "mean of {} replicate{} per point{}{}",
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
                }
            ),
            axes: plan.axes.clone(),
            axis_values: plan.axis_values.clone(),
            metrics: metrics.clone(),
            cells,
        };
        let tmp = dir.join(format!(".plots.tmp-{}", std::process::id()));
        if tmp.exists() {
            fs::remove_dir_all(&tmp).ok();
        }
        fs::create_dir_all(&tmp)?;
        let made = sweep_plot::plot_sweep(&tmp, &input);
        let made = match made {
            Ok(m) => m,
            Err(e) => {
                fs::remove_dir_all(&tmp).ok();
                return Err(e);
            }
        };
        for f in made {
            let target = dir.join(f.file_name().unwrap());
            fs::rename(&f, &target)?;
            files.push(target);
        }
        fs::remove_dir_all(&tmp).ok();
    }

    Ok(Outputs {
        files,
        skipped,
        recommendation,
    })
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
