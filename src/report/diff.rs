//! `diff RUN_A RUN_B`: what changed between two runs, read from their output files alone
//! (`summary.json`, `events.csv`, `timeseries.csv`), so it works on any two run directories,
//! of this version or an earlier one: every summary metric with both values and the change,
//! and the first instant where the kubelet's decisions differ, with both sides' decisions then.
//! `diff.png` (see `plot/diff_draw.rs`) overlays both usage curves and event strips.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::{bail, Context, Result};

/// Events that are decisions of the kubelet (a GC pass that fired, a deletion, a GC failure,
/// an eviction signal met, an eviction or an admission rejection): where two runs first differ
/// in these is where their stories part.
pub const DECISION_REASONS: [&str; 6] = [
    "ImageGCTriggered",
    "ImageDeleted",
    "FreeDiskSpaceFailed",
    "ImageGCFailed",
    "EvictionThresholdMet",
    "Evicted",
];

/// A summary value: whole numbers exactly (bytes pass 2^53), others as read.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Int(i128),
    Float(f64),
    Text(String),
}

impl Value {
    fn of(v: &serde_json::Value) -> Value {
        match v {
            serde_json::Value::Number(n) => match n.as_i64() {
                Some(i) => Value::Int(i as i128),
                None => match n.as_u64() {
                    Some(u) => Value::Int(u as i128),
                    None => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
                },
            },
            serde_json::Value::String(s) => Value::Text(s.clone()),
            other => Value::Text(other.to_string()),
        }
    }

    fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Int(i) => Some(*i as f64),
            Value::Float(f) => Some(*f),
            Value::Text(_) => None,
        }
    }
}

impl std::fmt::Display for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Value::Int(i) => write!(f, "{i}"),
            Value::Float(x) => write!(f, "{x}"),
            Value::Text(s) => f.write_str(s),
        }
    }
}

/// One summary metric of both runs (`None`: the run's summary has no such key).
#[derive(Debug, Clone, PartialEq)]
pub struct MetricDiff {
    /// The key, nested keys joined by '.' (`evictions_by_signal.imagefs.available`).
    pub name: String,
    pub a: Option<Value>,
    pub b: Option<Value>,
}

impl MetricDiff {
    /// B − A, when both are numbers: exact for whole numbers.
    pub fn change(&self) -> Option<Value> {
        match (&self.a, &self.b) {
            (Some(Value::Int(a)), Some(Value::Int(b))) => Some(Value::Int(b - a)),
            (Some(a), Some(b)) => Some(Value::Float(b.as_f64()? - a.as_f64()?)),
            _ => None,
        }
    }

    /// (B − A) / A in percent, when A is a non-zero number.
    pub fn change_percent(&self) -> Option<f64> {
        let a = self.a.as_ref()?.as_f64()?;
        let b = self.b.as_ref()?.as_f64()?;
        (a != 0.0).then(|| (b - a) * 100.0 / a)
    }

    pub fn differs(&self) -> bool {
        self.a != self.b
    }
}

/// A summary's keys in file order (`summary.json` lists them in a reading order).
pub type SummaryFields = Vec<(String, serde_json::Value)>;

/// Parses a summary keeping its keys in file order.
pub fn parse_summary(text: &str) -> serde_json::Result<SummaryFields> {
    serde_json::from_str::<crate::sweep::Ordered<serde_json::Value>>(text).map(|o| o.0)
}

/// Every key of both summaries, in A's order and then B's keys A lacks.
pub fn compare_summaries(
    a: &[(String, serde_json::Value)],
    b: &[(String, serde_json::Value)],
) -> Vec<MetricDiff> {
    let (fa, fb) = (flatten(a), flatten(b));
    let mut names: Vec<String> = fa.iter().map(|(k, _)| k.clone()).collect();
    for (k, _) in &fb {
        if !names.contains(k) {
            names.push(k.clone());
        }
    }
    let get =
        |f: &[(String, Value)], k: &str| f.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    names
        .into_iter()
        .map(|name| MetricDiff {
            a: get(&fa, &name),
            b: get(&fb, &name),
            name,
        })
        .collect()
}

fn flatten(fields: &[(String, serde_json::Value)]) -> Vec<(String, Value)> {
    fn walk(prefix: &str, v: &serde_json::Value, out: &mut Vec<(String, Value)>) {
        match v {
            serde_json::Value::Object(m) => {
                for (k, v) in m {
                    let key = if prefix.is_empty() {
                        k.clone()
                    } else {
                        format!("{prefix}.{k}")
                    };
                    walk(&key, v, out);
                }
            }
            other => out.push((prefix.to_string(), Value::of(other))),
        }
    }
    let mut out = Vec::new();
    for (k, v) in fields {
        walk(k, v, &mut out);
    }
    out
}

/// One decision of a run, as `events.csv` has it.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    /// `time_s` as written (compared as text: both runs write it the same way).
    pub time: String,
    pub seconds: f64,
    pub reason: String,
    pub object: String,
    pub message: String,
}

/// Where two runs' decisions first differ: the instant, and each run's decisions then.
#[derive(Debug, Clone, PartialEq)]
pub struct Divergence {
    /// Index in both decision lists of the first that differs.
    pub index: usize,
    pub seconds: f64,
    pub a: Vec<Decision>,
    pub b: Vec<Decision>,
    /// Each run's first decision after the instant, when it made none then.
    pub a_next: Option<Decision>,
    pub b_next: Option<Decision>,
}

/// The first decision that differs (time, reason, object or message), or `None` when both
/// runs decided the same things at the same instants.
pub fn first_divergence(a: &[Decision], b: &[Decision]) -> Option<Divergence> {
    let index = (0..a.len().max(b.len())).find(|&i| a.get(i) != b.get(i))?;
    let seconds = match (a.get(index), b.get(index)) {
        (Some(x), Some(y)) => x.seconds.min(y.seconds),
        (Some(x), None) => x.seconds,
        (None, Some(y)) => y.seconds,
        (None, None) => unreachable!("the index is below one of the lengths"),
    };
    let at = |d: &[Decision]| -> Vec<Decision> {
        d.iter().filter(|e| e.seconds == seconds).cloned().collect()
    };
    let next = |d: &[Decision], now: &[Decision]| -> Option<Decision> {
        if now.is_empty() {
            d.iter().find(|e| e.seconds > seconds).cloned()
        } else {
            None
        }
    };
    let (da, db) = (at(a), at(b));
    Some(Divergence {
        index,
        seconds,
        a_next: next(a, &da),
        b_next: next(b, &db),
        a: da,
        b: db,
    })
}

/// The decisions in a run's `events.csv`, in file order.
pub fn read_decisions(path: &Path) -> Result<Vec<Decision>> {
    let mut r =
        csv::Reader::from_path(path).with_context(|| format!("cannot read {}", path.display()))?;
    let h = r
        .headers()
        .with_context(|| format!("cannot read {}", path.display()))?
        .clone();
    let col = |name: &str| -> Result<usize> {
        h.iter()
            .position(|c| c == name)
            .with_context(|| format!("{}: no {name} column", path.display()))
    };
    let (t, reason, object, message) = (
        col("time_s")?,
        col("reason")?,
        col("object")?,
        col("message")?,
    );
    let mut out = Vec::new();
    for (i, row) in r.records().enumerate() {
        let row = row.with_context(|| format!("{}: line {}", path.display(), i + 2))?;
        let reason_v = row.get(reason).unwrap_or("");
        if !DECISION_REASONS.contains(&reason_v) {
            continue;
        }
        let time = row.get(t).unwrap_or("").to_string();
        let seconds: f64 = time.parse().with_context(|| {
            format!(
                "{}:{}: time_s: {time:?} is not a number",
                path.display(),
                i + 2
            )
        })?;
        out.push(Decision {
            seconds,
            time,
            reason: reason_v.to_string(),
            object: row.get(object).unwrap_or("").to_string(),
            message: row.get(message).unwrap_or("").to_string(),
        });
    }
    Ok(out)
}

/// A run directory's `summary.json`, checked to be one, keys in file order.
pub fn read_summary(dir: &Path) -> Result<SummaryFields> {
    let p = dir.join("summary.json");
    let text = std::fs::read_to_string(&p).with_context(|| {
        format!(
            "cannot read {}: not a run's output directory (what `run` writes)",
            p.display()
        )
    })?;
    let v =
        parse_summary(&text).with_context(|| format!("{} is not a JSON object", p.display()))?;
    if !v.iter().any(|(k, _)| k == "gc_runs") {
        bail!("{}: not a run's summary (no gc_runs)", p.display());
    }
    Ok(v)
}

/// What `diff` found.
#[derive(Debug, Clone)]
pub struct RunDiff {
    pub metrics: Vec<MetricDiff>,
    pub divergence: Option<Divergence>,
    /// Decisions of each run.
    pub decisions: (usize, usize),
}

pub fn diff_runs(a: &Path, b: &Path) -> Result<RunDiff> {
    let metrics = compare_summaries(&read_summary(a)?, &read_summary(b)?);
    let da = read_decisions(&a.join("events.csv"))?;
    let db = read_decisions(&b.join("events.csv"))?;
    Ok(RunDiff {
        metrics,
        divergence: first_divergence(&da, &db),
        decisions: (da.len(), db.len()),
    })
}

/// The files `diff` writes into its output directory.
pub const DIFF_FILES: [&str; 2] = ["diff.txt", "diff.png"];

/// Compares the runs in `a` and `b` and writes `diff.txt` (what it prints) and `diff.png` into
/// `out`, whole (replaced atomically; a directory holding other files is refused). Returns the
/// text.
pub fn write_diff(a: &Path, b: &Path, out: &Path, all: bool) -> Result<String> {
    let d = diff_runs(a, b)?;
    let name = |p: &Path| {
        p.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| p.display().to_string())
    };
    let (na, nb) = (name(a), name(b));
    let text = d.render(&na, &nb, all);
    let dir = super::OutputDir::create(out, &|f| DIFF_FILES.contains(&f))?;
    let written = (|| -> Result<()> {
        std::fs::write(dir.file("diff.txt"), &text)
            .with_context(|| format!("cannot write {}", dir.file("diff.txt").display()))?;
        super::plot::plot_diff(
            &dir.file("diff.png"),
            a,
            b,
            (&na, &nb),
            d.divergence.as_ref().map(|v| v.seconds),
        )
    })();
    match written {
        Ok(()) => {
            dir.commit()?;
            Ok(text)
        }
        Err(e) => Err(dir.explain(e)),
    }
}

impl RunDiff {
    /// The text `diff` prints: the metrics that differ (all of them with `all`), then the
    /// first divergence.
    pub fn render(&self, a: &str, b: &str, all: bool) -> String {
        let mut s = String::new();
        let rows: Vec<[String; 4]> = self
            .metrics
            .iter()
            .filter(|m| all || m.differs())
            .map(|m| {
                let show =
                    |v: &Option<Value>| v.as_ref().map_or("—".to_string(), |v| v.to_string());
                let change = match (m.change(), m.change_percent()) {
                    (Some(c), Some(p)) => format!("{} ({p:+.1}%)", signed(&c)),
                    (Some(c), None) => signed(&c),
                    (None, _) if m.differs() => "differs".to_string(),
                    (None, _) => String::new(),
                };
                [m.name.clone(), show(&m.a), show(&m.b), change]
            })
            .collect();
        let same = self.metrics.iter().filter(|m| !m.differs()).count();
        let header = [
            "metric".to_string(),
            a.to_string(),
            b.to_string(),
            "change".to_string(),
        ];
        let mut w = [0usize; 4];
        for r in std::iter::once(&header).chain(&rows) {
            for (i, c) in r.iter().enumerate() {
                w[i] = w[i].max(c.chars().count());
            }
        }
        let line = |r: &[String; 4]| {
            format!(
                "{:<w0$}  {:>w1$}  {:>w2$}  {}",
                r[0],
                r[1],
                r[2],
                r[3],
                w0 = w[0],
                w1 = w[1],
                w2 = w[2]
            )
        };
        if rows.is_empty() {
            let _ = writeln!(s, "every summary metric is the same ({same})");
        } else {
            let _ = writeln!(s, "{}", line(&header).trim_end());
            for r in &rows {
                let _ = writeln!(s, "{}", line(r).trim_end());
            }
            if !all && same > 0 {
                let _ = writeln!(s, "({same} other metrics are the same; --all shows them)");
            }
        }
        let _ = writeln!(s);
        match &self.divergence {
            None => {
                let _ = writeln!(
                    s,
                    "same decisions: {} GC passes, deletions, failures and evictions at the same instants",
                    self.decisions.0
                );
            }
            Some(d) => {
                let _ = writeln!(
                    s,
                    "decisions first differ at t = {} s (decision {} of {} / {}):",
                    trim_num(d.seconds),
                    d.index + 1,
                    self.decisions.0,
                    self.decisions.1
                );
                for (name, now, next) in [(a, &d.a, &d.a_next), (b, &d.b, &d.b_next)] {
                    let _ = writeln!(s, "  {name}:");
                    if now.is_empty() {
                        match next {
                            Some(n) => {
                                let _ = writeln!(
                                    s,
                                    "    nothing then; next at {} s: {}",
                                    n.time,
                                    show_decision(n)
                                );
                            }
                            None => {
                                let _ = writeln!(s, "    nothing then, nor after");
                            }
                        }
                    }
                    const SHOWN: usize = 10;
                    for e in now.iter().take(SHOWN) {
                        let _ = writeln!(s, "    {}", show_decision(e));
                    }
                    if now.len() > SHOWN {
                        let _ = writeln!(s, "    … and {} more at that instant", now.len() - SHOWN);
                    }
                }
            }
        }
        s
    }
}

fn show_decision(e: &Decision) -> String {
    let mut m = e.message.clone();
    if m.chars().count() > 120 {
        m = m.chars().take(117).collect::<String>() + "...";
    }
    format!("{} {} {m}", e.reason, e.object)
}

fn signed(v: &Value) -> String {
    match v {
        Value::Int(i) if *i > 0 => format!("+{i}"),
        Value::Float(f) if *f > 0.0 => format!("+{}", trim_num(*f)),
        Value::Float(f) => trim_num(*f),
        other => other.to_string(),
    }
}

fn trim_num(f: f64) -> String {
    let s = format!("{f:.3}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(t: f64, reason: &str, object: &str) -> Decision {
        Decision {
            time: trim_num(t),
            seconds: t,
            reason: reason.into(),
            object: object.into(),
            message: String::new(),
        }
    }

    /// Keys in file order, nested ones joined (an empty map has none); whole numbers subtract
    /// exactly past 2^53; a key only one side has shows as missing on the other.
    #[test]
    fn summaries_compare_key_by_key() {
        let a = parse_summary(
            r#"{"gc_runs": 10, "bytes": 9007199254740993,
            "evictions_by_signal": {"imagefs.available": 2}, "peak_usage_percent": 85.5}"#,
        )
        .unwrap();
        let b = parse_summary(r#"{"gc_runs": 12, "bytes": 9007199254740995,
            "evictions_by_signal": {}, "peak_usage_percent": 80.0, "overrides": ["node.disk=2Gi"]}"#)
        .unwrap();
        let d = compare_summaries(&a, &b);
        let names: Vec<&str> = d.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "gc_runs",
                "bytes",
                "evictions_by_signal.imagefs.available",
                "peak_usage_percent",
                "overrides"
            ]
        );
        // 12 - 10 = +2, +20 %; 9007199254740995 - 9007199254740993 = 2 exactly.
        assert_eq!(d[0].change(), Some(Value::Int(2)));
        assert_eq!(d[0].change_percent(), Some(20.0));
        assert_eq!(d[1].change(), Some(Value::Int(2)));
        assert_eq!(d[2].b, None);
        // 80 - 85.5 = -5.5.
        assert_eq!(d[3].change(), Some(Value::Float(-5.5)));
    }

    /// A: pass at 300, deletions at 300 and 600. B: pass at 300, deletion at 300, eviction at
    /// 450. They agree on the first two decisions; the third differs: B's at 450 comes first,
    /// and A made no decision at 450 (its next is the deletion at 600).
    #[test]
    fn first_divergence_is_the_first_different_decision() {
        let a = [
            dec(300.0, "ImageGCTriggered", "node/n"),
            dec(300.0, "ImageDeleted", "image/x"),
            dec(600.0, "ImageDeleted", "image/y"),
        ];
        let b = [
            dec(300.0, "ImageGCTriggered", "node/n"),
            dec(300.0, "ImageDeleted", "image/x"),
            dec(450.0, "Evicted", "pod/p"),
        ];
        let d = first_divergence(&a, &b).unwrap();
        assert_eq!(d.index, 2);
        assert_eq!(d.seconds, 450.0);
        assert!(d.a.is_empty());
        assert_eq!(d.a_next, Some(a[2].clone()));
        assert_eq!(d.b, vec![b[2].clone()]);
        assert_eq!(d.b_next, None);
        assert_eq!(first_divergence(&a, &a), None);
        // One run's decisions a prefix of the other's: they part at the first extra one.
        let d = first_divergence(&a[..2], &a).unwrap();
        assert_eq!((d.index, d.seconds), (2, 600.0));
    }
}
