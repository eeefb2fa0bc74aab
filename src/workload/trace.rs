//! The trace format (CSV) and its reader. One row per container of a created pod, or one row per
//! pod completion or deletion. See README "Trace format".
//!
//! Columns (header required, any order; only `time`, `action` and `pod` are required):
//! `time` (Go duration, `d` allowed, or plain seconds), `action` (`create` | `complete` |
//! `delete`), `pod`, `container`, `image`, `pull_policy` (`Always` | `IfNotPresent` | `Never`;
//! empty = the API default for the image's tag), `writable_rate`, `writable_cap`, `log_rate`,
//! `log_cap` (quantities; rates in bytes per second; empty cap = no cap).
//! Consecutive `create` rows with the same `time` and `pod` are one pod's containers.
//!
//! Eviction columns (all optional): `request`, `limit` (the container's ephemeral-storage
//! request and limit), `emptydir_rate`, `emptydir_limit` (an emptyDir volume of the pod written by
//! this container, and its `sizeLimit`), and pod-level `priority`, `tgps`
//! (`terminationGracePeriodSeconds`, default 30 as the API defaults it), `critical` (`true` for a
//! static or mirror pod) and `owner` (`ReplicaSet` | `DaemonSet` | `Job` | empty), read from the
//! pod's first row.

use std::path::Path;

use crate::engine::SimTime;
use crate::error::InputError;
use crate::kubelet::image_manager::PullPolicy;
use crate::node::ledger::{MAX_RATE, MAX_WRITERS};
use crate::units::{parse_bytes, parse_sim_duration, Quantity};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContainerSpec {
    pub name: String,
    /// The image as written in the pod spec.
    pub image_ref: String,
    /// Index into the catalog.
    pub image: usize,
    pub pull_policy: PullPolicy,
    pub writable_rate: u64,
    pub writable_cap: u64,
    pub log_rate: u64,
    pub log_cap: u64,
    /// Ephemeral-storage request and limit, as written (kept as quantities for messages).
    pub request: Option<Quantity>,
    pub limit: Option<Quantity>,
    /// An emptyDir volume this container writes at `emptydir_rate` bytes/s, with its sizeLimit.
    pub emptydir_rate: Option<u64>,
    pub emptydir_limit: Option<Quantity>,
}

/// Who creates the pod, and so who replaces it after an eviction or a rejection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    None,
    ReplicaSet,
    DaemonSet,
    Job,
}

impl Owner {
    pub fn as_str(self) -> &'static str {
        match self {
            Owner::None => "",
            Owner::ReplicaSet => "ReplicaSet",
            Owner::DaemonSet => "DaemonSet",
            Owner::Job => "Job",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PodSpec {
    pub name: String,
    pub containers: Vec<ContainerSpec>,
    pub priority: Option<i32>,
    /// `terminationGracePeriodSeconds` (the API's default is 30).
    pub termination_grace_period_seconds: i64,
    /// A static or mirror pod: never evicted, always admitted.
    pub critical: bool,
    pub owner: Owner,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TraceAction {
    Create(std::sync::Arc<PodSpec>),
    /// The pod's containers exit (a finished Job); the pod object stays.
    Complete(String),
    /// The pod is deleted from the API; its containers are killed.
    Delete(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceEvent {
    pub time: SimTime,
    pub action: TraceAction,
}

/// The trace's columns, in the order writers put them.
/// The most containers one pod may have: pods on real nodes have a handful, and the check for
/// repeated container names is quadratic in them.
pub const MAX_CONTAINERS_PER_POD: usize = 1000;
/// The longest image reference a trace may name (the longest real ones are about 300 bytes).
pub const MAX_IMAGE_REF: usize = 4096;

pub const COLUMNS: &[&str] = &[
    "time",
    "action",
    "pod",
    "container",
    "image",
    "pull_policy",
    "writable_rate",
    "writable_cap",
    "log_rate",
    "log_cap",
    "request",
    "limit",
    "emptydir_rate",
    "emptydir_limit",
    "priority",
    "tgps",
    "critical",
    "owner",
];

/// Parses a trace time: a Go duration (with `d`) or a plain number of seconds.
pub fn parse_time(s: &str) -> Result<SimTime, String> {
    let s = s.trim();
    if let Ok(secs) = s.parse::<f64>() {
        if !secs.is_finite() || secs < 0.0 {
            return Err(format!(
                "time {s:?} must be a non-negative number of seconds"
            ));
        }
        let ns = (secs * 1e9).round();
        // i64::MAX ns (292 years) is the longest simulated time; `as` would cap it silently.
        if ns > i64::MAX as f64 {
            return Err(format!(
                "time {s:?} is past the longest simulated time (9223372036 s, 292 years)"
            ));
        }
        return Ok(ns as SimTime);
    }
    match parse_sim_duration(s) {
        Ok(ns) if ns >= 0 => Ok(ns as SimTime),
        Ok(_) => Err(format!("time {s:?} must not be negative")),
        Err(e) => Err(e.to_string()),
    }
}

/// Reads a trace. `lookup` maps an image name to its catalog index.
pub fn parse_trace(
    path: &Path,
    text: &str,
    lookup: &dyn Fn(&str) -> Option<usize>,
) -> Result<Vec<TraceEvent>, InputError> {
    if let Some(pos) = text.find('\0') {
        return Err(InputError::new(
            path,
            Some(crate::error::line_of(text, pos)),
            None,
            "holds a NUL byte: this is not a CSV text file (binary, or damaged?)",
        ));
    }
    let mut rdr = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .comment(Some(b'#'))
        .from_reader(text.as_bytes());
    let headers = rdr
        .headers()
        .map_err(|e| InputError::new(path, Some(1), None, format!("cannot read the header: {e}")))?
        .clone();
    let mut col = [usize::MAX; COLUMNS.len()];
    if !headers.is_empty() && !headers.iter().any(|h| COLUMNS.contains(&h)) {
        let first = headers.iter().collect::<Vec<_>>().join(",");
        let hint = if first.contains([';', '\t']) {
            "; columns are separated by commas, not ';' or tabs"
        } else {
            ""
        };
        return Err(InputError::new(
            path,
            Some(1),
            None,
            format!(
                "the first line must be the header naming the columns (e.g. time,action,pod,image); it is {first:?}{hint}"
            ),
        ));
    }
    for (i, h) in headers.iter().enumerate() {
        match COLUMNS.iter().position(|c| *c == h) {
            Some(k) if col[k] != usize::MAX => {
                return Err(InputError::new(
                    path,
                    Some(1),
                    Some(h),
                    format!(
                        "the column is named twice (columns {} and {})",
                        col[k] + 1,
                        i + 1
                    ),
                ))
            }
            Some(k) => col[k] = i,
            None => {
                return Err(InputError::new(
                    path,
                    Some(1),
                    Some(h),
                    format!("unknown column; expected some of: {}", COLUMNS.join(", ")),
                ))
            }
        }
    }
    for required in 0..3 {
        if col[required] == usize::MAX {
            return Err(InputError::new(
                path,
                Some(1),
                Some(COLUMNS[required]),
                "missing required column",
            ));
        }
    }
    let mut events: Vec<TraceEvent> = Vec::new();
    let mut containers = 0u64;
    // The container names of the last created pod (a set: a pod may have many containers).
    let mut last_pod_containers: std::collections::HashSet<String> = Default::default();
    // Pods created and not yet deleted, with the line that created them.
    let mut alive: std::collections::HashMap<String, Option<usize>> = Default::default();
    let mut last_time = 0;
    for rec in rdr.records() {
        let rec = rec.map_err(|e| {
            let line = e.position().map(|p| p.line() as usize);
            let msg = match e.kind() {
                csv::ErrorKind::UnequalLengths {
                    expected_len, len, ..
                } => format!("the row has {len} fields, but the header has {expected_len} columns"),
                _ => format!("unreadable row: {e}"),
            };
            InputError::new(path, line, None, msg)
        })?;
        let line = rec.position().map(|p| p.line() as usize);
        let get = |k: usize| -> &str {
            if col[k] == usize::MAX {
                ""
            } else {
                rec.get(col[k]).unwrap_or("")
            }
        };
        let fail = |k: usize, msg: String| InputError::new(path, line, Some(COLUMNS[k]), msg);
        let time = parse_time(get(0)).map_err(|m| fail(0, m))?;
        if time < last_time {
            return Err(fail(
                0,
                format!(
                    "rows must be in time order; this row goes back to {} s",
                    time as f64 / 1e9
                ),
            ));
        }
        last_time = time;
        let pod = get(2).to_string();
        if pod.is_empty() {
            return Err(fail(2, "a pod name is required".into()));
        }
        // Kubernetes' own limits (a pod's name is a DNS subdomain, a container's a DNS label);
        // image references have none there, ours keeps a typo from costing gigabytes.
        if pod.len() > 253 {
            return Err(fail(
                2,
                format!("is {} bytes long; a pod's name has at most 253", pod.len()),
            ));
        }
        if get(3).len() > 63 {
            return Err(fail(
                3,
                format!(
                    "is {} bytes long; a container's name has at most 63",
                    get(3).len()
                ),
            ));
        }
        if get(4).len() > MAX_IMAGE_REF {
            return Err(fail(
                4,
                format!(
                    "is {} bytes long; an image reference has at most {MAX_IMAGE_REF} here",
                    get(4).len()
                ),
            ));
        }
        let action = match get(1) {
            "create" => {
                let image_ref = get(4);
                if image_ref.is_empty() {
                    return Err(fail(4, "a create row needs an image".into()));
                }
                let image = lookup(image_ref).ok_or_else(|| {
                    fail(
                        4,
                        format!(
                            "image {image_ref:?} is not defined in the scenario's [[image]] list"
                        ),
                    )
                })?;
                let pull_policy = match get(5) {
                    "" => PullPolicy::api_default(image_ref),
                    p => PullPolicy::parse(p).ok_or_else(|| {
                        fail(
                            5,
                            format!("{p:?} is not one of Always, IfNotPresent, Never"),
                        )
                    })?,
                };
                let qty = |k: usize, default: u64| -> Result<u64, InputError> {
                    match get(k) {
                        "" => Ok(default),
                        v => parse_bytes(v).map_err(|e| {
                            let m = e.to_string();
                            fail(
                                k,
                                if m.contains(v) {
                                    m
                                } else {
                                    format!("{v:?}: {m}")
                                },
                            )
                        }),
                    }
                };
                // Bytes/s, at most MAX_RATE (so no sum of rates on the node can overflow).
                let rate = |k: usize| -> Result<u64, InputError> {
                    let r = qty(k, 0)?;
                    if r > MAX_RATE {
                        return Err(fail(
                            k,
                            format!(
                                "{:?} bytes/s is more than {MAX_RATE} (512 GiB/s): no disk writes that fast",
                                get(k)
                            ),
                        ));
                    }
                    Ok(r)
                };
                containers += 1;
                if containers > MAX_WRITERS {
                    return Err(fail(
                        2,
                        format!("the trace defines more than {MAX_WRITERS} containers"),
                    ));
                }
                let name = match get(3) {
                    "" => "main".to_string(),
                    n => n.to_string(),
                };
                let quantity = |k: usize| -> Result<Option<Quantity>, InputError> {
                    match get(k) {
                        "" => Ok(None),
                        v => {
                            let q = Quantity::parse(v).map_err(|e| {
                                let m = e.to_string();
                                fail(
                                    k,
                                    if m.contains(v) {
                                        m
                                    } else {
                                        format!("{v:?}: {m}")
                                    },
                                )
                            })?;
                            if q.is_negative() {
                                return Err(fail(k, format!("{v:?} must not be negative")));
                            }
                            Ok(Some(q))
                        }
                    }
                };
                let c = ContainerSpec {
                    name,
                    image_ref: image_ref.to_string(),
                    image,
                    pull_policy,
                    writable_rate: rate(6)?,
                    writable_cap: qty(7, u64::MAX)?,
                    log_rate: rate(8)?,
                    log_cap: qty(9, u64::MAX)?,
                    request: quantity(10)?,
                    limit: quantity(11)?,
                    emptydir_rate: match get(12) {
                        "" => None,
                        _ => Some(rate(12)?),
                    },
                    emptydir_limit: quantity(13)?,
                };
                if let Some(TraceEvent {
                    time: t,
                    action: TraceAction::Create(p),
                }) = events.last_mut()
                {
                    if *t == time && p.name == pod {
                        if p.containers.len() >= MAX_CONTAINERS_PER_POD {
                            return Err(fail(
                                2,
                                format!(
                                    "pod {pod:?} has more than {MAX_CONTAINERS_PER_POD} containers"
                                ),
                            ));
                        }
                        if !last_pod_containers.insert(c.name.clone()) {
                            return Err(fail(
                                3,
                                format!("pod {pod:?} already has a container named {:?}", c.name),
                            ));
                        }
                        // Still the only reference: parsing has not shared it yet.
                        std::sync::Arc::make_mut(p).containers.push(c);
                        continue;
                    }
                }
                if let Some(created) = alive.get(&pod) {
                    return Err(fail(
                        2,
                        format!(
                            "pod {pod:?} already exists (created{}, not deleted since): the API refuses a second pod of one name",
                            created.map(|l| format!(" on line {l}")).unwrap_or_default()
                        ),
                    ));
                }
                alive.insert(pod.clone(), line);
                last_pod_containers.clear();
                last_pod_containers.insert(c.name.clone());
                let priority = match get(14) {
                    "" => None,
                    v => Some(
                        v.parse::<i32>()
                            .map_err(|_| fail(14, format!("{v:?} is not a 32-bit integer")))?,
                    ),
                };
                let tgps = match get(15) {
                    "" => 30,
                    v => match v.parse::<i64>() {
                        Ok(n) if n >= 0 => n,
                        _ => {
                            return Err(fail(
                                15,
                                format!("{v:?} is not a non-negative number of seconds"),
                            ))
                        }
                    },
                };
                let critical = match get(16) {
                    "" | "false" => false,
                    "true" => true,
                    v => return Err(fail(16, format!("{v:?} is not true or false"))),
                };
                let owner = match get(17) {
                    "" => Owner::None,
                    "ReplicaSet" => Owner::ReplicaSet,
                    "DaemonSet" => Owner::DaemonSet,
                    "Job" => Owner::Job,
                    v => {
                        return Err(fail(
                            17,
                            format!("{v:?} is not one of ReplicaSet, DaemonSet, Job (or empty)"),
                        ))
                    }
                };
                TraceAction::Create(std::sync::Arc::new(PodSpec {
                    name: pod,
                    containers: vec![c],
                    priority,
                    termination_grace_period_seconds: tgps,
                    critical,
                    owner,
                }))
            }
            "complete" | "delete" if !alive.contains_key(&pod) => {
                return Err(fail(
                    2,
                    format!(
                        "pod {pod:?} does not exist here: no earlier create row, or it was deleted"
                    ),
                ))
            }
            "complete" => TraceAction::Complete(pod),
            "delete" => {
                alive.remove(&pod);
                TraceAction::Delete(pod)
            }
            other => {
                return Err(fail(
                    1,
                    format!("{other:?} is not one of create, complete, delete"),
                ))
            }
        };
        events.push(TraceEvent { time, action });
    }
    Ok(events)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One pod may have MAX_CONTAINERS_PER_POD (1000) containers: all are read; a 1001st is
    /// refused at its line (1 header + 1000 rows: line 1002), and a repeated name among the
    /// first 1000 is found, with its line.
    #[test]
    fn a_pod_has_at_most_1000_containers_with_distinct_names() {
        let n = MAX_CONTAINERS_PER_POD;
        let mut csv = String::from("time,action,pod,container,image\n");
        for i in 0..n {
            csv.push_str(&format!("0,create,p1,c{i},app:v1\n"));
        }
        let events = parse_trace(Path::new("t.csv"), &csv, &|_| Some(0)).unwrap();
        let TraceAction::Create(p) = &events[0].action else {
            panic!("a create")
        };
        assert_eq!(p.containers.len(), n);
        let mut more = csv.clone();
        more.push_str("0,create,p1,extra,app:v1\n");
        let e = parse_trace(Path::new("t.csv"), &more, &|_| Some(0)).unwrap_err();
        assert_eq!((e.line, e.field.as_deref()), (Some(n + 2), Some("pod")));
        let mut dup: Vec<&str> = csv.lines().collect();
        dup[n] = "0,create,p1,c7,app:v1";
        let e = parse_trace(Path::new("t.csv"), &dup.join("\n"), &|_| Some(0)).unwrap_err();
        assert_eq!(
            (e.line, e.field.as_deref()),
            (Some(n + 1), Some("container"))
        );
    }
}
