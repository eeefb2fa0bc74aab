//! The `[sweep]` and `[goal]` tables of a scenario file: axes, grid, replicates, seeds, goal.

use std::fmt;
use std::marker::PhantomData;
use std::path::{Path, PathBuf};

use serde::de::{Deserializer, MapAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::error::{line_of, InputError};
use crate::outcome::Summary;
use crate::overrides::{set_in_table, Override};
use crate::scenario::{Scenario, TraceCache};

/// A map that keeps its keys in file order (TOML tables and JSON objects alike).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Ordered<V>(pub Vec<(String, V)>);

impl<V> Ordered<V> {
    pub fn get(&self, key: &str) -> Option<&V> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }
}

impl<'de, V: Deserialize<'de>> Deserialize<'de> for Ordered<V> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Vis<V>(PhantomData<V>);
        impl<'de, V: Deserialize<'de>> Visitor<'de> for Vis<V> {
            type Value = Ordered<V>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a table")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Self::Value, A::Error> {
                let mut v = Vec::new();
                while let Some((k, val)) = m.next_entry::<String, V>()? {
                    v.push((k, val));
                }
                Ok(Ordered(v))
            }
        }
        d.deserialize_map(Vis(PhantomData))
    }
}

impl<V: Serialize> Serialize for Ordered<V> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

/// One swept field: its dotted path and the values it takes, in file order.
#[derive(Debug, Clone)]
pub struct Axis {
    pub path: String,
    pub values: Vec<toml::Value>,
    /// The line of its key in `[sweep]`, for errors.
    pub line: Option<usize>,
    /// Its dimension of the grid: axes zipped together (`[[sweep.zip]]`) share one and take
    /// their values together; every other axis is a dimension of its own.
    pub dim: usize,
}

/// The most grid points a sweep may have (each point's results are held in memory until the
/// final files are written: about [`BYTES_PER_RUN`] per replicate).
pub const MAX_POINTS: usize = 1_000_000;
/// The most replicates per point.
pub const MAX_REPLICATES: u32 = 1_000_000;
/// The most runs (points × replicates) a sweep may have.
pub const MAX_RUNS: u64 = 10_000_000;
/// Above this many runs a sweep is large: it prints an estimate and needs `--allow-large`.
pub const LARGE_RUNS: u64 = 100_000;
/// Memory a finished run's results take until the final files are written (measured: a
/// `summary.json` object held as JSON values plus its CSV rows).
pub const BYTES_PER_RUN: u64 = 6_000;
/// Journal bytes per run (one `summary.json` object on one line).
pub const JOURNAL_BYTES_PER_RUN: u64 = 1_200;

/// A metric condition of `[goal]`: every replicate must have `min <= metric <= max`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Condition {
    pub metric: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
}

/// `[goal]`: the conditions and the axis whose smallest value is wanted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Goal {
    pub conditions: Vec<Condition>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minimize: Option<String>,
}

/// A scenario file with a `[sweep]` table (or without one: a one-point sweep).
#[derive(Debug, Clone)]
pub struct SweepSpec {
    pub path: PathBuf,
    /// The scenario file's text (for errors with its lines).
    text: String,
    /// The scenario document without `[sweep]` and `[goal]`.
    doc: toml::Table,
    pub name: String,
    pub axes: Vec<Axis>,
    pub replicates: u32,
    pub goal: Option<Goal>,
    /// Hash of the inputs (scenario text, trace and catalog files): a journal is only reused
    /// when it matches.
    pub fingerprint: String,
    /// Traces shared by the points whose workload is the same (most sweeps vary only node or
    /// kubelet settings): built once per workload and seed instead of once per point.
    traces: TraceCache,
}

#[derive(Deserialize)]
struct RawDoc {
    // Not spanned itself: a `[sweep]` made only by `[[sweep.zip]]` headers has no span.
    #[serde(default)]
    sweep: Option<Ordered<Spanned<toml::Value>>>,
    #[serde(default)]
    goal: Option<Spanned<Ordered<Spanned<toml::Value>>>>,
}

/// The seed of replicate `replicate` of a point whose scenario seed is `seed`: the
/// `replicate + 1`-th output of a splitmix64 generator seeded with `seed`, shifted right by one
/// bit (a TOML integer is signed).
pub fn replicate_seed(seed: u64, replicate: u32) -> u64 {
    let mut z = seed.wrapping_add((replicate as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    (z ^ (z >> 31)) >> 1
}

/// FNV-1a, 64 bits.
pub(crate) fn fnv(h: &mut u64, bytes: &[u8]) {
    for b in bytes {
        *h ^= *b as u64;
        *h = h.wrapping_mul(0x100_0000_01b3);
    }
}

/// The summary metrics `[goal]` may name: numeric `summary.json` fields, in file order.
pub fn numeric_summary_fields() -> Vec<String> {
    let text = serde_json::to_string(&Summary::default()).expect("Summary serializes");
    let m: Ordered<serde_json::Value> = serde_json::from_str(&text).expect("an object");
    m.0.into_iter()
        .filter(|(_, v)| v.is_number())
        .map(|(k, _)| k)
        .collect()
}

/// An axis value as it appears in the CSVs: strings bare, others in TOML syntax.
pub fn value_text(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => s.clone(),
        toml::Value::Integer(i) => i.to_string(),
        toml::Value::Float(f) => f.to_string(),
        toml::Value::Boolean(b) => b.to_string(),
        other => other.to_string(),
    }
}

/// The number an axis value stands for when the goal minimizes it: a number, a quantity
/// (`30Gi`) or a duration (`3d`), else none (then the value's position on the axis counts).
pub fn value_number(s: &str) -> Option<f64> {
    if let Ok(f) = s.trim().parse::<f64>() {
        return Some(f);
    }
    if let Ok(b) = crate::units::parse_bytes(s) {
        return Some(b as f64);
    }
    crate::units::parse_sim_duration(s).ok().map(|d| d as f64)
}

impl SweepSpec {
    pub fn load(path: &Path) -> Result<SweepSpec, InputError> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            InputError::new(path, None, None, format!("cannot read the scenario: {e}"))
        })?;
        SweepSpec::from_str(path, &text)
    }

    pub fn from_str(path: &Path, text: &str) -> Result<SweepSpec, InputError> {
        let err = |pos: Option<usize>, field: &str, msg: String| {
            InputError::new(path, pos.map(|p| line_of(text, p)), Some(field), msg)
        };
        let mut doc: toml::Table =
            toml::from_str(text).map_err(|e| crate::scenario::toml_error(path, text, &e))?;
        let raw: RawDoc =
            toml::from_str(text).map_err(|e| crate::scenario::toml_error(path, text, &e))?;
        doc.remove("sweep");
        doc.remove("goal");
        let name = doc
            .get("name")
            .and_then(|v| v.as_str())
            .unwrap_or("sweep")
            .to_string();

        let mut axes = Vec::new();
        // Dimensions of the grid so far (zipped axes share one).
        let mut dims = 0usize;
        let mut replicates = 1u32;
        if let Some(sw) = &raw.sweep {
            for (key, v) in &sw.0 {
                let pos = Some(v.span().start);
                if key == "replicates" {
                    match v.get_ref() {
                        toml::Value::Integer(n) if (1..=MAX_REPLICATES as i64).contains(n) => {
                            replicates = *n as u32
                        }
                        toml::Value::Integer(n) => {
                            return Err(err(
                                pos,
                                "sweep.replicates",
                                format!("must be a whole number from 1 to {MAX_REPLICATES} (got {n})"),
                            ))
                        }
                        toml::Value::Array(_) | toml::Value::Table(_) => {
                            return Err(err(
                                pos,
                                "sweep.replicates",
                                format!("is the number of replicates of every point, not an axis: write `replicates = N` (1 to {MAX_REPLICATES})"),
                            ))
                        }
                        _ => {
                            return Err(err(
                                pos,
                                "sweep.replicates",
                                format!("must be a whole number from 1 to {MAX_REPLICATES}"),
                            ))
                        }
                    }
                    continue;
                }
                let line = pos.map(|p| line_of(text, p));
                let first = axes.len();
                if key == "zip" {
                    zip_axes(v.get_ref(), &mut axes, &mut dims)
                        .map_err(|m| err(pos, "sweep.zip", m))?;
                } else {
                    flatten_axis(key, v.get_ref(), &mut axes)
                        .map_err(|m| err(pos, &format!("sweep.{key}"), m))?;
                    for a in &mut axes[first..] {
                        a.dim = dims;
                        dims += 1;
                    }
                }
                for a in &mut axes[first..] {
                    a.line = line;
                    let top = a.path.split('.').next().unwrap_or("");
                    if top == "sweep" || top == "goal" {
                        return Err(err(
                            pos,
                            &format!("sweep.{}", a.path),
                            if a.path == "sweep.replicates" {
                                format!("replicates are not an axis: write `replicates = N` (1 to {MAX_REPLICATES}) in [sweep]")
                            } else {
                                format!("[{top}] is not a scenario setting a sweep can vary")
                            },
                        ));
                    }
                }
            }
        }
        // The grid's size, before anything is allocated for it.
        let lens = dim_lens(&axes);
        let points = lens
            .iter()
            .try_fold(1usize, |n, &l| n.checked_mul(l))
            .filter(|&n| n <= MAX_POINTS);
        // Where `[sweep]` (or its first `[[sweep.…]]` header) is, for errors of the whole grid.
        let sweep_pos = raw.sweep.as_ref().map(|_| {
            let mut at = 0;
            for l in text.split_inclusive('\n') {
                let h = l.trim_start();
                if h.starts_with("[sweep]") || h.starts_with("[[sweep.") || h.starts_with("[sweep.")
                {
                    return at + (l.len() - h.len());
                }
                at += l.len();
            }
            0
        });
        let Some(points) = points else {
            let sizes: Vec<String> = lens.iter().map(|l| l.to_string()).collect();
            return Err(err(
                sweep_pos,
                "sweep",
                format!(
                    "the grid has {} points ({}); the limit is {MAX_POINTS}",
                    lens.iter()
                        .try_fold(1u128, |n, &l| n.checked_mul(l as u128))
                        .map_or("more than 2^128".to_string(), |n| n.to_string()),
                    sizes.join(" × ")
                ),
            ));
        };
        let runs = points as u64 * replicates as u64;
        if runs > MAX_RUNS {
            return Err(err(
                sweep_pos,
                "sweep",
                format!("{points} points × {replicates} replicates = {runs} runs; the limit is {MAX_RUNS} runs"),
            ));
        }
        for (i, a) in axes.iter().enumerate() {
            if axes[..i].iter().any(|b| b.path == a.path) {
                return Err(err(
                    sweep_pos,
                    "sweep",
                    format!("{:?} is swept twice", a.path),
                ));
            }
        }

        let goal = match &raw.goal {
            None => None,
            Some(g) => {
                let fields = numeric_summary_fields();
                let mut conditions = Vec::new();
                let mut minimize = None;
                for (key, v) in &g.get_ref().0 {
                    let pos = Some(v.span().start);
                    let field = format!("goal.{key}");
                    if key == "minimize" {
                        let Some(s) = v.get_ref().as_str() else {
                            return Err(err(pos, &field, "must name a swept field".into()));
                        };
                        if !axes.iter().any(|a| a.path == s) {
                            return Err(err(
                                pos,
                                &field,
                                format!(
                                    "{s:?} is not a [sweep] axis (axes: {})",
                                    axes.iter()
                                        .map(|a| a.path.as_str())
                                        .collect::<Vec<_>>()
                                        .join(", ")
                                ),
                            ));
                        }
                        minimize = Some(s.to_string());
                        continue;
                    }
                    if !fields.contains(key) && !key.starts_with("evictions_by_signal.") {
                        return Err(err(
                            pos,
                            &field,
                            format!(
                                "{key:?} is not a numeric summary.json metric; choose from: {}, evictions_by_signal.<signal>",
                                fields
                                    .iter()
                                    .filter(|f| f.as_str() != "seed")
                                    .cloned()
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            ),
                        ));
                    }
                    let num = |v: &toml::Value| match v {
                        toml::Value::Integer(i) => Some(*i as f64),
                        toml::Value::Float(f) => Some(*f),
                        _ => None,
                    };
                    let bad = || {
                        err(pos, &field, "must be a number (an upper bound: `evictions = 0` means at most 0) or a table { min = A, max = B }".into())
                    };
                    let c = match v.get_ref() {
                        toml::Value::Table(t) => {
                            let mut c = Condition {
                                metric: key.clone(),
                                min: None,
                                max: None,
                            };
                            for (k, x) in t {
                                let x = num(x).ok_or_else(bad)?;
                                match k.as_str() {
                                    "min" => c.min = Some(x),
                                    "max" => c.max = Some(x),
                                    _ => return Err(bad()),
                                }
                            }
                            if c.min.is_none() && c.max.is_none() {
                                return Err(bad());
                            }
                            c
                        }
                        other => Condition {
                            metric: key.clone(),
                            min: None,
                            max: Some(num(other).ok_or_else(bad)?),
                        },
                    };
                    for x in [c.min, c.max].into_iter().flatten() {
                        if !x.is_finite() {
                            return Err(err(
                                pos,
                                &field,
                                format!("{x} is not a finite number: no run can meet it"),
                            ));
                        }
                    }
                    if let (Some(a), Some(b)) = (c.min, c.max) {
                        if a > b {
                            return Err(err(
                                pos,
                                &field,
                                format!("min ({a}) is greater than max ({b}): no run can meet it"),
                            ));
                        }
                    }
                    conditions.push(c);
                }
                Some(Goal {
                    conditions,
                    minimize,
                })
            }
        };

        // Fingerprint: the scenario text and the files it names.
        let mut h = 0xcbf2_9ce4_8422_2325u64;
        fnv(&mut h, env!("CARGO_PKG_VERSION").as_bytes());
        fnv(&mut h, text.as_bytes());
        let base = path.parent().unwrap_or(Path::new("."));
        if let Some(w) = doc.get("workload").and_then(|w| w.as_table()) {
            for key in ["trace", "catalog"] {
                if let Some(rel) = w.get(key).and_then(|v| v.as_str()) {
                    if let Ok(bytes) = std::fs::read(base.join(rel)) {
                        fnv(&mut h, &bytes);
                    }
                }
            }
        }

        Ok(SweepSpec {
            path: path.to_path_buf(),
            text: text.to_string(),
            doc,
            name,
            axes,
            replicates,
            goal,
            fingerprint: format!("{h:016x}"),
            // Room for every replicate of the points in flight on each core.
            traces: TraceCache::new(
                replicates as usize
                    * (std::thread::available_parallelism().map_or(1, |n| n.get()) + 1),
            ),
        })
    }

    /// The sweep with `--set` what-ifs applied to its base scenario, each checked as an axis
    /// is: every point gets them. A what-if on a swept path is an error (the axis would undo
    /// it). They enter the fingerprint, so a journal of the sweep without them (or with
    /// others) is not resumed into this one.
    pub fn with_overrides(mut self, overrides: &[Override]) -> Result<SweepSpec, InputError> {
        if overrides.is_empty() {
            return Ok(self);
        }
        for o in overrides {
            if let Some(a) = self.axes.iter().find(|a| a.path == o.path) {
                return Err(InputError::new(
                    &self.path,
                    a.line,
                    Some(&o.flag()),
                    format!(
                        "{} is an axis of this sweep; a what-if cannot fix it",
                        o.path
                    ),
                ));
            }
        }
        crate::overrides::apply_to_doc(&self.path, &mut self.doc, overrides)?;
        if let Some(n) = self.doc.get("name").and_then(|v| v.as_str()) {
            self.name = n.to_string();
        }
        let mut h = u64::from_str_radix(&self.fingerprint, 16).unwrap_or(0);
        for o in overrides {
            for b in o.text.bytes().chain([b'\n']) {
                h = (h ^ b as u64).wrapping_mul(0x0100_0000_01b3);
            }
        }
        self.fingerprint = format!("{h:016x}");
        Ok(self)
    }

    /// Number of grid points (the product of the axes' lengths; 1 without axes; at most
    /// [`MAX_POINTS`], checked on load).
    pub fn points(&self) -> usize {
        dim_lens(&self.axes).iter().product()
    }

    /// Runs of the whole grid: points × replicates.
    pub fn runs(&self) -> u64 {
        self.points() as u64 * self.replicates as u64
    }

    /// Checks, before any point runs, that every axis names a place in the scenario that can
    /// take each of its values: a known field (a typo would otherwise only show as every point
    /// skipped), not a path through a single value, not an index past a list, a value of the
    /// field's type. Values the kubelet's validation rejects are not checked here: such points
    /// are skipped, with the reason. The error names the scenario file, the axis's line and
    /// `sweep.<axis>`.
    pub fn check_axes(&self) -> Result<(), InputError> {
        // The base scenario's own fields first, with its real lines.
        Scenario::check_fields(&self.path, &self.text)?;
        // Only the tables an axis can reach matter: leave the (possibly long) catalog out
        // unless an axis goes into it.
        let mut small = self.doc.clone();
        let tops: Vec<&str> = self
            .axes
            .iter()
            .map(|a| a.path.split('.').next().unwrap_or(""))
            .collect();
        for big in ["layer", "image"] {
            if !tops.contains(&big) {
                small.remove(big);
            }
        }
        for a in &self.axes {
            let field = format!("sweep.{}", a.path);
            let fail = |m: String| InputError::new(&self.path, a.line, Some(&field), m);
            let segs: Vec<&str> = a.path.split('.').collect();
            // Every value when there are few; else one of each TOML type.
            let mut seen = Vec::new();
            for v in &a.values {
                if a.values.len() > 256 {
                    if seen.contains(&v.type_str()) {
                        continue;
                    }
                    seen.push(v.type_str());
                }
                let mut doc = small.clone();
                set_in_table(&mut doc, &segs, v.clone())
                    .map_err(|m| fail(format!("{} cannot be set: {m}", a.path)))?;
                let t = toml::to_string(&doc).map_err(|e| fail(e.to_string()))?;
                if let Err(e) = Scenario::check_fields(&self.path, &t) {
                    return Err(fail(format!(
                        "{} = {} is not a scenario setting: {}{}",
                        a.path,
                        v,
                        e.field.map(|f| format!("{f}: ")).unwrap_or_default(),
                        e.message
                    )));
                }
            }
        }
        Ok(())
    }

    /// The value index on each axis of point `i`: the first dimension varies slowest; zipped
    /// axes take the same index.
    pub fn coords(&self, i: usize) -> Vec<usize> {
        let c = coords(&dim_lens(&self.axes), i);
        self.axes.iter().map(|a| c[a.dim]).collect()
    }

    /// The dimension of each axis (see [`Axis::dim`]).
    pub fn axis_dims(&self) -> Vec<usize> {
        self.axes.iter().map(|a| a.dim).collect()
    }

    /// Axis values of point `i` as the CSVs show them.
    pub fn value_texts(&self, i: usize) -> Vec<String> {
        self.coords(i)
            .iter()
            .zip(&self.axes)
            .map(|(&c, a)| value_text(&a.values[c]))
            .collect()
    }

    /// The scenario text of replicate `r` of point `i`: the document with each axis's value
    /// set, and `seed` replaced by [`replicate_seed`] of the point's seed (so a workload
    /// generated from the seed differs between replicates too).
    pub fn point_text(&self, i: usize, r: u32) -> Result<String, String> {
        toml::to_string(&self.point_doc(i, r)?).map_err(|e| e.to_string())
    }

    fn point_doc(&self, i: usize, r: u32) -> Result<toml::Table, String> {
        let mut doc = self.doc.clone();
        for (&c, a) in self.coords(i).iter().zip(&self.axes) {
            let segs: Vec<&str> = a.path.split('.').collect();
            set_in_table(&mut doc, &segs, a.values[c].clone())
                .map_err(|m| format!("{}: {m}", a.path))?;
        }
        let seed = match doc.get("seed") {
            None => 0,
            Some(toml::Value::Integer(s)) if *s >= 0 => *s as u64,
            Some(_) => return Err("seed: must be a whole number of at least 0".into()),
        };
        doc.insert(
            "seed".into(),
            toml::Value::Integer(replicate_seed(seed, r) as i64),
        );
        Ok(doc)
    }

    /// Loads and validates replicate `r` of point `i`. The error text names the field and the
    /// problem (its line would be of generated text).
    pub fn scenario(&self, i: usize, r: u32) -> Result<Scenario, String> {
        let doc = self.point_doc(i, r)?;
        let text = toml::to_string(&doc).map_err(|e| e.to_string())?;
        // What the trace depends on (see `TraceCache`).
        let workload: toml::Table = ["workload", "image", "layer", "seed", "duration"]
            .iter()
            .filter_map(|k| doc.get(*k).map(|v| (k.to_string(), v.clone())))
            .collect();
        let key = toml::to_string(&workload).map_err(|e| e.to_string())?;
        Scenario::from_str_cached(&self.path, &text, &self.traces, &key).map_err(|e| {
            match e.field {
                Some(f) => format!("{f}: {}", e.message),
                None => e.message,
            }
        })
    }
}

pub(crate) fn coords(lens: &[usize], mut i: usize) -> Vec<usize> {
    let mut c = vec![0; lens.len()];
    for (k, &n) in lens.iter().enumerate().rev() {
        c[k] = i % n.max(1);
        i /= n.max(1);
    }
    c
}

/// The number of values of each dimension of the grid (the axes' dims are 0, 1, … in order
/// of first appearance; zipped axes have the same length, checked on load).
pub(crate) fn dim_lens(axes: &[Axis]) -> Vec<usize> {
    let mut lens: Vec<usize> = Vec::new();
    for a in axes {
        if a.dim == lens.len() {
            lens.push(a.values.len());
        }
    }
    lens
}

/// `[[sweep.zip]]`: each table's axes vary together (their values are taken in step), so the
/// table adds one dimension to the grid. Every axis of a table must have the same number of
/// values.
fn zip_axes(v: &toml::Value, axes: &mut Vec<Axis>, dims: &mut usize) -> Result<(), String> {
    let how = "[[sweep.zip]] tables list axes whose values vary together, e.g.\n  [[sweep.zip]]\n  \"kubelet.imageGCHighThresholdPercent\" = [80, 85, 90]\n  \"kubelet.imageGCLowThresholdPercent\" = [75, 80, 85]";
    let toml::Value::Array(tables) = v else {
        return Err(format!("is not a list of tables: {how}"));
    };
    for t in tables {
        let toml::Value::Table(t) = t else {
            return Err(format!("is not a list of tables: {how}"));
        };
        let first = axes.len();
        for (k, v) in t {
            flatten_axis(k, v, axes)?;
        }
        let group = &mut axes[first..];
        let Some(n) = group.first().map(|a| a.values.len()) else {
            return Err(format!("a zip table has no axes: {how}"));
        };
        if let Some(b) = group.iter().find(|a| a.values.len() != n) {
            return Err(format!(
                "zipped axes vary together, so they need as many values each: {} has {n}, {} has {}",
                group[0].path,
                b.path,
                b.values.len()
            ));
        }
        for a in group {
            a.dim = *dims;
        }
        *dims += 1;
    }
    Ok(())
}

/// Whether an axis's table is a range `{ from, to, step }` (rather than a table of axes).
fn is_range(t: &toml::Table) -> bool {
    t.contains_key("from") || t.contains_key("to") || t.contains_key("step")
}

/// The values of a range `{ from = A, to = B, step = S }`: A, A + S, … up to B (included when
/// a step lands on it), in the type A is written in: integers; numbers with a decimal point
/// (rounded to the most decimals A, B and S are written with, so 0.1 steps give 0.3, not
/// 0.30000000000000004); quantities (`"30Gi"`, written back in the largest unit of the kind
/// used, binary or decimal, that divides A and S: `"30Gi"`, `"40Gi"`); durations (`"1h"`,
/// written back in the largest unit that divides A and S: `"90m"`). The step's sign must lead
/// from A to B. At most [`MAX_POINTS`] values.
pub fn range_values(t: &toml::Table) -> Result<Vec<toml::Value>, String> {
    let how = "a range is { from = A, to = B, step = S }, e.g. { from = 60, to = 90, step = 5 } or { from = \"30Gi\", to = \"100Gi\", step = \"10Gi\" }";
    for k in t.keys() {
        if !["from", "to", "step"].contains(&k.as_str()) {
            return Err(format!("{k:?} is not a part of a range: {how}"));
        }
    }
    let get = |k: &str| {
        t.get(k)
            .ok_or_else(|| format!("the range has no {k}: {how}"))
    };
    let (from, to, step) = (get("from")?, get("to")?, get("step")?);
    let count = |span: f64, step: f64| -> Result<usize, String> {
        if step == 0.0 || !step.is_finite() || !span.is_finite() {
            return Err(format!("step must be a number other than 0: {how}"));
        }
        if span != 0.0 && span.signum() != step.signum() {
            return Err(
                "the step leads away from `to`: no value after `from` is in the range".into(),
            );
        }
        // A step landing within a billionth of a step of `to` lands on it.
        let n = (span / step + 1e-9).floor() + 1.0;
        if n > MAX_POINTS as f64 {
            return Err(format!(
                "the range has {n} values; an axis may have at most {MAX_POINTS}"
            ));
        }
        Ok(n as usize)
    };
    use toml::Value as V;
    match (from, to, step) {
        (V::Integer(a), V::Integer(b), V::Integer(s)) => {
            let n = count(*b as f64 - *a as f64, *s as f64)?;
            // Exact: the last value is at most `to`, so it fits.
            Ok((0..n as i64).map(|k| V::Integer(a + k * s)).collect())
        }
        (V::Integer(_) | V::Float(_), V::Integer(_) | V::Float(_), V::Integer(_) | V::Float(_)) => {
            let f = |v: &V| match v {
                V::Integer(i) => *i as f64,
                V::Float(x) => *x,
                _ => unreachable!("matched numbers"),
            };
            let decimals = [from, to, step]
                .iter()
                .map(|v| match v {
                    V::Float(x) => format!("{x}").split_once('.').map_or(0, |(_, d)| d.len()),
                    _ => 0,
                })
                .max()
                .unwrap_or(0)
                .min(9) as i32;
            let (a, s) = (f(from), f(step));
            let n = count(f(to) - a, s)?;
            let scale = 10f64.powi(decimals);
            Ok((0..n)
                .map(|k| V::Float(((a + k as f64 * s) * scale).round() / scale))
                .collect())
        }
        (V::String(a), V::String(b), V::String(s)) => {
            // Durations first: `10m` is also a quantity (ten thousandths).
            let durations = [a, b, s].map(|x| crate::units::parse_sim_duration(x));
            if let [Ok(da), Ok(db), Ok(ds)] = durations {
                let n = count(db as f64 - da as f64, ds as f64)?;
                const S: i64 = 1_000_000_000;
                let mut units: Vec<(&str, i64)> = vec![
                    ("h", 3600 * S),
                    ("m", 60 * S),
                    ("s", S),
                    ("ms", 1_000_000),
                    ("us", 1_000),
                    ("ns", 1),
                ];
                if [a, b, s].iter().any(|x| x.contains('d')) {
                    units.insert(0, ("d", 86_400 * S));
                }
                let (name, unit) = units
                    .iter()
                    .find(|(_, u)| da % u == 0 && ds % u == 0)
                    .copied()
                    .unwrap_or(("ns", 1));
                return Ok((0..n as i64)
                    .map(|k| V::String(format!("{}{name}", (da + k * ds) / unit)))
                    .collect());
            }
            let quantities = [a, b, s].map(|x| crate::units::parse_bytes(x));
            if let [Ok(qa), Ok(qb), Ok(qs)] = quantities {
                let n = count(qb as f64 - qa as f64, qs as f64)?;
                let binary = [a, b, s].iter().any(|x| x.ends_with('i'));
                let units: &[(&str, u64)] = if binary {
                    &[
                        ("Ei", 1 << 60),
                        ("Pi", 1 << 50),
                        ("Ti", 1 << 40),
                        ("Gi", 1 << 30),
                        ("Mi", 1 << 20),
                        ("Ki", 1 << 10),
                    ]
                } else {
                    &[
                        ("E", 1_000_000_000_000_000_000),
                        ("P", 1_000_000_000_000_000),
                        ("T", 1_000_000_000_000),
                        ("G", 1_000_000_000),
                        ("M", 1_000_000),
                        ("k", 1_000),
                    ]
                };
                let (name, unit) = units
                    .iter()
                    .find(|(_, u)| qa % u == 0 && qs % u == 0)
                    .copied()
                    .unwrap_or(("", 1));
                return Ok((0..n as u64)
                    .map(|k| V::String(format!("{}{name}", (qa + k * qs) / unit)))
                    .collect());
            }
            Err(format!(
                "from, to and step must all be numbers, all quantities (\"30Gi\") or all durations (\"1h\"): {a:?}, {b:?}, {s:?}"
            ))
        }
        _ => Err(format!(
            "from, to and step must be of one kind (numbers, quantities or durations): {how}"
        )),
    }
}

fn flatten_axis(key: &str, v: &toml::Value, axes: &mut Vec<Axis>) -> Result<(), String> {
    match v {
        toml::Value::Array(a) if !a.is_empty() => {
            axes.push(Axis {
                path: key.to_string(),
                values: a.clone(),
                line: None,
                dim: 0,
            });
            Ok(())
        }
        toml::Value::Table(t) if is_range(t) => {
            axes.push(Axis {
                path: key.to_string(),
                values: range_values(t)?,
                line: None,
                dim: 0,
            });
            Ok(())
        }
        toml::Value::Table(t) => {
            for (k, v) in t {
                flatten_axis(&format!("{key}.{k}"), v, axes)?;
            }
            Ok(())
        }
        _ => Err(
            "an axis is a non-empty list of values, e.g. \"node.disk\" = [\"30Gi\", \"50Gi\"]"
                .into(),
        ),
    }
}
