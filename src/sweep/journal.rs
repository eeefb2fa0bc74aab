//! Reading `journal.jsonl`: its plan line and its finished points, each checked before it is
//! believed (a journal is input too: `merge` reads journals copied from other machines).
//!
//! A line is one JSON object ending in a newline. A last line without its newline is what a
//! kill during a write leaves: it is dropped (the point runs again). Anything else that is not
//! right is an error naming the journal, the line and what is wrong.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use crate::error::InputError;

use super::spec::{numeric_summary_fields, MAX_POINTS, MAX_REPLICATES, MAX_RUNS};
use super::{Entry, Plan, FORMAT};

/// A journal read whole: its plan, its points, and the length of its well-formed prefix.
#[derive(Debug)]
pub struct Journal {
    pub plan: Plan,
    pub entries: BTreeMap<usize, Entry>,
    pub good_len: u64,
}

/// Why a journal cannot be used.
#[derive(Debug)]
pub enum JournalError {
    /// Its first line is not this version's plan of a sweep: another program's file, another
    /// format version. A sweep starts over; a merge stops.
    Plan(InputError),
    /// A line after the plan is wrong: a damaged journal of this sweep.
    Line(InputError),
}

impl JournalError {
    pub fn into_inner(self) -> InputError {
        match self {
            JournalError::Plan(e) | JournalError::Line(e) => e,
        }
    }
}

/// serde_json's message without its " at line 1 column 7" (the line is ours to tell).
fn json_message(e: &serde_json::Error) -> String {
    let m = e.to_string();
    crate::error::plain_message(match m.rfind(" at line ") {
        Some(i) => &m[..i],
        None => &m,
    })
}

/// What a JSON field of a journal line must hold.
#[derive(Clone, Copy)]
enum Kind {
    Whole,
    Text,
    List,
    OptObject,
}

/// The first field of `obj` (in `fields`' order) whose value is not of its kind: its name and
/// what is wrong, so a damaged line names the field and not a Rust type.
fn wrong_field(
    obj: &serde_json::Map<String, serde_json::Value>,
    fields: &[(&'static str, Kind)],
) -> Option<(&'static str, String)> {
    use serde_json::Value;
    let found = |v: &Value| match v {
        Value::Null => "null".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => format!("{s:?}"),
        Value::Array(_) => "a list".to_string(),
        Value::Object(_) => "an object".to_string(),
    };
    for &(name, kind) in fields {
        let v = obj.get(name);
        let ok = match (kind, v) {
            (Kind::OptObject, None | Some(Value::Null)) => true,
            (_, None) => return Some((name, "missing".into())),
            (Kind::Whole, Some(v)) => v.as_u64().is_some(),
            (Kind::Text, Some(v)) => v.is_string(),
            (Kind::List, Some(v)) => v.is_array(),
            (Kind::OptObject, Some(v)) => v.is_object(),
        };
        if !ok {
            let want = match kind {
                Kind::Whole => "a whole number (0 or more)",
                Kind::Text => "a string",
                Kind::List => "a list",
                Kind::OptObject => "an object",
            };
            return Some((name, format!("must be {want}, found {}", found(v.unwrap()))));
        }
    }
    None
}

/// Reads and checks the journal at `path`.
pub fn read(path: &Path) -> Result<Journal, JournalError> {
    let bytes = fs::read(path).map_err(|e| {
        JournalError::Plan(InputError::new(
            path,
            None,
            None,
            format!("cannot read the journal: {e}"),
        ))
    })?;
    let at = |line: usize, field: Option<&str>, msg: String| {
        InputError::new(path, Some(line), field, msg)
    };
    // A UTF-8 byte-order mark is not part of the first line's JSON.
    let start = if bytes.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    let mut lines = bytes[start..].split_inclusive(|&b| b == b'\n');
    let first = match lines.next() {
        Some(l) if l.ends_with(b"\n") => &l[..l.len() - 1],
        _ => {
            return Err(JournalError::Plan(at(
                1,
                None,
                "not a sweep journal: it has no complete first line (the sweep's plan)".into(),
            )))
        }
    };
    let plan = parse_plan(first).map_err(|(field, m)| JournalError::Plan(at(1, field, m)))?;
    let metrics = numeric_summary_fields();
    let mut entries: BTreeMap<usize, Entry> = BTreeMap::new();
    let mut lines_of: BTreeMap<usize, usize> = BTreeMap::new();
    let mut good = start + first.len() + 1;
    for (k, l) in lines.enumerate() {
        let n = k + 2;
        let Some(l) = l.strip_suffix(b"\n") else {
            break; // cut short by a kill: dropped
        };
        if let Ok(serde_json::Value::Object(obj)) = serde_json::from_slice(l) {
            if let Some((field, m)) = wrong_field(&obj, &[("point", Kind::Whole)]) {
                return Err(JournalError::Line(at(
                    n,
                    Some(field),
                    format!("not a finished point: {m}"),
                )));
            }
            if let Some(runs) = obj.get("runs") {
                if !runs.is_array() {
                    return Err(JournalError::Line(at(
                        n,
                        Some("runs"),
                        "not a finished point: must be a list of summaries".into(),
                    )));
                }
            }
        }
        let e: Entry = serde_json::from_slice(l).map_err(|e| {
            JournalError::Line(at(
                n,
                None,
                format!("not a finished point: {}", json_message(&e)),
            ))
        })?;
        let line_err = |field: &str, m: String| JournalError::Line(at(n, Some(field), m));
        if e.point >= plan.points {
            return Err(line_err(
                "point",
                format!(
                    "point {} is past the plan's {} points (0 to {})",
                    e.point,
                    plan.points,
                    plan.points - 1
                ),
            ));
        }
        if !plan.in_shard(e.point) {
            return Err(line_err(
                "point",
                format!(
                    "point {} is not in shard {}/{} (its points are those with index % {} == {})",
                    e.point, plan.shard[0], plan.shard[1], plan.shard[1], plan.shard[0]
                ),
            ));
        }
        if e.skipped.is_none() && e.runs.len() != plan.replicates as usize {
            return Err(line_err(
                "runs",
                format!(
                    "point {} has {} runs; the plan has {} replicates",
                    e.point,
                    e.runs.len(),
                    plan.replicates
                ),
            ));
        }
        if e.skipped.is_some() && !e.runs.is_empty() {
            return Err(line_err(
                "runs",
                format!("point {} is skipped and has runs", e.point),
            ));
        }
        for (r, run) in e.runs.iter().enumerate() {
            check_run(run, &metrics).map_err(|(field, m)| {
                JournalError::Line(at(n, Some(&format!("runs[{r}].{field}")), m))
            })?;
        }
        if let Some(prev) = lines_of.insert(e.point, n) {
            return Err(line_err(
                "point",
                format!("point {} is already on line {prev}", e.point),
            ));
        }
        entries.insert(e.point, e);
        good += l.len() + 1;
    }
    Ok(Journal {
        plan,
        entries,
        good_len: good as u64,
    })
}

/// A finished run as the sweep wrote it: every numeric `summary.json` metric present and a
/// number, and `evictions_by_signal` a table of numbers (the CSVs and the goal read them).
fn check_run(
    run: &super::Ordered<serde_json::Value>,
    metrics: &[String],
) -> Result<(), (String, String)> {
    let kind = |v: &serde_json::Value| match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "a list",
        serde_json::Value::Object(_) => "an object",
    };
    for m in metrics {
        match run.get(m) {
            None => {
                return Err((
                    m.clone(),
                    "missing: a finished run has every summary metric".into(),
                ))
            }
            Some(v) if !v.is_number() => {
                return Err((m.clone(), format!("must be a number, found {}", kind(v))))
            }
            Some(_) => {}
        }
    }
    if let Some(v) = run.get("evictions_by_signal") {
        let Some(o) = v.as_object() else {
            return Err((
                "evictions_by_signal".into(),
                format!("must be an object of counts, found {}", kind(v)),
            ));
        };
        if let Some((k, v)) = o.iter().find(|(_, v)| !v.is_number()) {
            return Err((
                format!("evictions_by_signal.{k}"),
                format!("must be a number, found {}", kind(v)),
            ));
        }
    }
    Ok(())
}

/// The plan line, checked: its format version first (another version's plan is not read
/// further), then every count against the others and against the limits, before anything is
/// allocated for them.
fn parse_plan(line: &[u8]) -> Result<Plan, (Option<&'static str>, String)> {
    let v: serde_json::Value = serde_json::from_slice(line)
        .map_err(|e| (None, format!("not a sweep journal: {}", json_message(&e))))?;
    let Some(obj) = v.as_object() else {
        return Err((
            None,
            "not a sweep journal: its first line is not a sweep's plan".into(),
        ));
    };
    match obj.get("format") {
        None => {
            return Err((
                None,
                "not a sweep journal: its first line has no \"format\"".into(),
            ))
        }
        Some(f) if f.as_u64() == Some(FORMAT as u64) => {}
        Some(f) => {
            return Err((
                Some("format"),
                format!("journal format version {f}; this imagefs-sim reads version {FORMAT} (run the sweep again with this version)"),
            ))
        }
    }
    if let Some((field, m)) = wrong_field(
        obj,
        &[
            ("scenario", Kind::Text),
            ("fingerprint", Kind::Text),
            ("axes", Kind::List),
            ("axis_values", Kind::List),
            ("points", Kind::Whole),
            ("replicates", Kind::Whole),
            ("shard", Kind::List),
            ("goal", Kind::OptObject),
        ],
    ) {
        return Err((Some(field), format!("not a sweep's plan: {m}")));
    }
    if let Some(Err(e)) = obj
        .get("goal")
        .map(|g| serde_json::from_value::<Option<super::Goal>>(g.clone()))
    {
        return Err((
            Some("goal"),
            format!("not a sweep's plan: {}", json_message(&e)),
        ));
    }
    let plan: Plan = serde_json::from_value(v)
        .map_err(|e| (None, format!("not a sweep's plan: {}", json_message(&e))))?;
    let [k, n] = plan.shard;
    if n == 0 || k >= n {
        return Err((
            Some("shard"),
            format!("[{k}, {n}] is not a shard: it must be [K, N] with 0 <= K < N"),
        ));
    }
    if plan.axes.len() != plan.axis_values.len() {
        return Err((
            Some("axis_values"),
            format!(
                "has {} lists for {} axes",
                plan.axis_values.len(),
                plan.axes.len()
            ),
        ));
    }
    if let Some(i) = plan.axis_values.iter().position(Vec::is_empty) {
        return Err((
            Some("axis_values"),
            format!("axis {:?} has no values", plan.axes[i]),
        ));
    }
    if !plan.zip.is_empty() {
        if plan.zip.len() != plan.axes.len() {
            return Err((
                Some("zip"),
                format!(
                    "has {} dimensions for {} axes",
                    plan.zip.len(),
                    plan.axes.len()
                ),
            ));
        }
        let mut lens: Vec<usize> = Vec::new();
        for (k, &d) in plan.zip.iter().enumerate() {
            let n = plan.axis_values[k].len();
            if d == lens.len() {
                lens.push(n);
            } else if d > lens.len() || lens[d] != n {
                return Err((
                    Some("zip"),
                    format!(
                        "axis {:?} is not in a dimension of its own length",
                        plan.axes[k]
                    ),
                ));
            }
        }
    }
    let grid = plan
        .dim_lens()
        .iter()
        .try_fold(1usize, |p, &a| p.checked_mul(a));
    if grid != Some(plan.points) {
        return Err((
            Some("points"),
            format!(
                "{} points, but its axes make {}",
                plan.points,
                grid.map_or("more than 2^64".to_string(), |g| g.to_string())
            ),
        ));
    }
    if plan.points > MAX_POINTS {
        return Err((
            Some("points"),
            format!("{} points; the limit is {MAX_POINTS}", plan.points),
        ));
    }
    if plan.replicates == 0 || plan.replicates > MAX_REPLICATES {
        return Err((
            Some("replicates"),
            format!("{}; must be from 1 to {MAX_REPLICATES}", plan.replicates),
        ));
    }
    if plan.points as u64 * plan.replicates as u64 > MAX_RUNS {
        return Err((
            Some("replicates"),
            format!(
                "{} points × {} replicates is more than the limit of {MAX_RUNS} runs",
                plan.points, plan.replicates
            ),
        ));
    }
    Ok(plan)
}
