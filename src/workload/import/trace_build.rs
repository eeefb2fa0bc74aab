//! The trace: the summary's running pods at t = 0 and the event pods at their offsets, as rows
//! sorted on disk (`spill`) and replayed in order; and the report of what the events gave.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use super::common::format_rfc3339;
use super::events::{self, ContRec, EventsScan, GcWording, Key, PodEndKind, PodRec, NONE};
use super::spill::{self, Dec, Sorted, Sorter, Spill};
use super::summary::{self, SummaryImport};
use super::{
    bytes_h, dur_h, shown, CatalogEntry, ImportOptions, ImportReport, RowAction, RowRef, TraceRow,
    DEFAULT_IMAGE_SIZE, NS_PER_MS,
};
use crate::error::InputError;
use crate::kubelet::image_manager::PullPolicy;

/// A trace row (or all the create rows of an event pod) before the trace is written, as the
/// external sort of the trace keeps it. Sorted by time, then ends before creates, then pod
/// name, then the order the rows were made in (the summary's first, then the event pods' in
/// the order of their first events).
struct RowRec {
    time_ms: u64,
    action: RowAction,
    pod: String,
    /// Made from events (else from the summary), then the pod's first event's key (or the
    /// summary row's index).
    made: (bool, i64, u32),
    /// An event pod's create rows: container, catalog entry, pull policy.
    conts: Vec<(String, u32, PullPolicy)>,
}

impl RowRec {
    fn sort_key(&self) -> (u64, RowAction, &str, (bool, i64, u32)) {
        (self.time_ms, self.action, &self.pod, self.made)
    }
}

impl PartialEq for RowRec {
    fn eq(&self, o: &Self) -> bool {
        self.sort_key() == o.sort_key()
    }
}
impl Eq for RowRec {}
impl PartialOrd for RowRec {
    fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for RowRec {
    fn cmp(&self, o: &Self) -> std::cmp::Ordering {
        self.sort_key().cmp(&o.sort_key())
    }
}

fn policy_code(p: PullPolicy) -> u8 {
    match p {
        PullPolicy::Always => 0,
        PullPolicy::IfNotPresent => 1,
        PullPolicy::Never => 2,
    }
}

impl Spill for RowRec {
    fn encode(&self, b: &mut Vec<u8>) {
        b.extend_from_slice(&self.time_ms.to_le_bytes());
        b.push(match self.action {
            RowAction::Create => 0,
            RowAction::Complete => 1,
            RowAction::Delete => 2,
        });
        b.extend_from_slice(&(self.pod.len() as u32).to_le_bytes());
        b.extend_from_slice(self.pod.as_bytes());
        b.push(self.made.0 as u8);
        b.extend_from_slice(&self.made.1.to_le_bytes());
        b.extend_from_slice(&self.made.2.to_le_bytes());
        b.extend_from_slice(&(self.conts.len() as u32).to_le_bytes());
        for (name, entry, policy) in &self.conts {
            b.extend_from_slice(&(name.len() as u32).to_le_bytes());
            b.extend_from_slice(name.as_bytes());
            b.extend_from_slice(&entry.to_le_bytes());
            b.push(policy_code(*policy));
        }
    }
    fn decode(buf: &[u8]) -> Self {
        let mut d = Dec(buf);
        let time_ms = d.u64();
        let action = match d.u8() {
            0 => RowAction::Create,
            1 => RowAction::Complete,
            _ => RowAction::Delete,
        };
        let pod = d.str_ref().to_string();
        let made = (d.u8() != 0, d.i64(), d.u32());
        let n = d.u32() as usize;
        let conts = (0..n)
            .map(|_| {
                let name = d.str_ref().to_string();
                let entry = d.u32();
                let policy = match d.u8() {
                    0 => PullPolicy::Always,
                    1 => PullPolicy::IfNotPresent,
                    _ => PullPolicy::Never,
                };
                (name, entry, policy)
            })
            .collect();
        RowRec {
            time_ms,
            action,
            pod,
            made,
            conts,
        }
    }
}

/// Counts a trace row and hands it to the trace's sort.
type PushRow<'a> = dyn FnMut(&mut Sorter<RowRec>, RowRec) -> Result<(), InputError> + 'a;

/// The trace, sorted on disk (in memory when small): rows refer to the catalog.
pub(super) struct Trace {
    rows: Sorted<RowRec>,
    /// How many rows (an event pod's create rows counted once), and the latest time.
    len: usize,
    pub(super) last_ms: u64,
    summary_rows: Vec<TraceRow>,
    /// Where the rows are spilled (for error messages).
    dir: PathBuf,
    /// Some event pod has an init container.
    any_init: bool,
    pub(super) scan: Option<EventsScan>,
}

impl Trace {
    /// Calls `f` with every row, in order.
    pub(super) fn for_each<E: From<InputError>>(
        mut self,
        catalog: &[CatalogEntry],
        f: &mut dyn FnMut(RowRef) -> Result<(), E>,
    ) -> Result<(), E> {
        loop {
            let r = match self.rows.next() {
                Ok(Some(r)) => r,
                Ok(None) => return Ok(()),
                Err(e) => return Err(events::spill_error(&self.dir, &e).into()),
            };
            if !r.made.0 {
                f(RowRef::from(&self.summary_rows[r.made.2 as usize]))?;
            } else if r.action == RowAction::Create {
                for (container, entry, policy) in &r.conts {
                    f(RowRef {
                        time_ms: r.time_ms,
                        action: r.action,
                        pod: &r.pod,
                        container,
                        image: &catalog[*entry as usize].name,
                        pull_policy: match policy {
                            PullPolicy::Always => "Always",
                            PullPolicy::IfNotPresent => "IfNotPresent",
                            PullPolicy::Never => "Never",
                        },
                        writable_cap: None,
                        log_cap: None,
                    })?;
                }
            } else {
                f(RowRef {
                    time_ms: r.time_ms,
                    action: r.action,
                    pod: &r.pod,
                    container: "",
                    image: "",
                    pull_policy: "",
                    writable_cap: None,
                    log_cap: None,
                })?;
            }
        }
    }

    pub(super) fn into_rows(self, catalog: &[CatalogEntry]) -> Result<Vec<TraceRow>, InputError> {
        let mut out = Vec::new();
        self.for_each::<InputError>(catalog, &mut |r| {
            out.push(TraceRow {
                time_ms: r.time_ms,
                action: r.action,
                pod: r.pod.to_string(),
                container: r.container.to_string(),
                image: r.image.to_string(),
                pull_policy: r.pull_policy.to_string(),
                writable_cap: r.writable_cap,
                log_cap: r.log_cap,
            });
            Ok(())
        })?;
        Ok(out)
    }
}

/// What the trace holds, for the report.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct TraceCounts {
    /// The summary's pods in the trace, those left out, and their containers without an image.
    pub running_pods: usize,
    pub running_skipped: usize,
    pub containers_unknown: usize,
    /// Pods from events in the trace, those without any image, and (deleted, evicted).
    pub event_pods: usize,
    pub event_pods_skipped: usize,
    pub ends: (usize, usize),
}

/// Builds the trace from the events' pods and the summary's; marks the summary pods' images
/// preloaded. `origin` is t = 0 (the first event), `snapshot` the summary's time.
pub(super) fn build(
    scan: Option<EventsScan>,
    sum: &Option<SummaryImport>,
    catalog: &mut [CatalogEntry],
    image_entry: &[usize],
    spill_dir: &Path,
    origin: i64,
    snapshot: Option<i64>,
) -> Result<(Trace, TraceCounts), InputError> {
    let mut scan = scan;
    // --- trace -------------------------------------------------------------------------
    let off = |t: i64| -> u64 { ((t - origin).max(0) / NS_PER_MS) as u64 };
    let serr = |e: std::io::Error| events::spill_error(spill_dir, &e);
    let run_len = spill::SPILL_RUN.load(std::sync::atomic::Ordering::Relaxed);
    let mut rows: Sorter<RowRec> = Sorter::new(run_len, spill_dir);
    let mut rows_len = 0usize;
    let mut last_ms = 0u64;
    let mut push_row = |rows: &mut Sorter<RowRec>, r: RowRec| -> Result<(), InputError> {
        rows_len += 1;
        last_ms = last_ms.max(r.time_ms);
        rows.push(r).map_err(serr)
    };
    let mut summary_rows: Vec<TraceRow> = Vec::new();
    let mut running_pods = 0usize;
    let mut running_skipped = 0usize;
    let mut containers_unknown = 0usize;
    let default_policy: Vec<PullPolicy> = scan.as_ref().map_or(Vec::new(), |sc| {
        (0..sc.images.len() as u32)
            .map(|i| PullPolicy::api_default(sc.images.get(i)))
            .collect()
    });

    // The event pods, sorted by `namespace/name`: pod names must be unique, so a name that
    // several pods have gets the uid's prefix. Pods that a summary pod may stand for are kept
    // aside (few) until the summary has chosen; the others' rows go to the trace now.
    let sum_pods: &[summary::PodUsage] = sum.as_ref().map_or(&[], |s| &s.pods);
    let sum_uids: BTreeSet<&str> = sum_pods
        .iter()
        .filter(|p| !p.uid.is_empty())
        .map(|p| p.uid.as_str())
        .collect();
    // Pods by `namespace/name` of the summary's names (saturating: only "more than one"
    // matters).
    let mut sum_count: BTreeMap<String, u8> = sum_pods
        .iter()
        .map(|p| (format!("{}/{}", p.namespace, p.name), 0u8))
        .collect();
    let mut candidates: Vec<(PodRec, String)> = Vec::new();
    let mut any_init = false;
    let mut event_pods = 0usize;
    let mut event_pods_skipped = 0usize;
    let mut ends = (0usize, 0usize);
    let mut emit = |rows: &mut Sorter<RowRec>,
                    push_row: &mut PushRow,
                    rec: &PodRec,
                    name: String|
     -> Result<(), InputError> {
        if !rec.conts.iter().any(|c| c.image != NONE) {
            event_pods_skipped += 1;
            return Ok(());
        }
        let t0 = off(rec.start().unwrap_or(origin));
        let mut cs: Vec<&ContRec> = rec.conts.iter().filter(|c| c.image != NONE).collect();
        // Stable: in order of first appearance otherwise.
        cs.sort_by_key(|c| (!c.init, c.first));
        let conts = cs
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let policy = if c.never_pull {
                    PullPolicy::Never
                } else if c.already_present {
                    PullPolicy::IfNotPresent
                } else {
                    default_policy[c.image as usize]
                };
                let container = if c.name.is_empty() {
                    format!("container-{i}")
                } else {
                    c.name.clone()
                };
                (container, image_entry[c.image as usize] as u32, policy)
            })
            .collect();
        let made = (true, rec.created.0, rec.created.1);
        let end = rec.end.map(|(t, kind)| {
            let action = match kind {
                PodEndKind::Deleted => {
                    ends.0 += 1;
                    RowAction::Delete
                }
                PodEndKind::Evicted => {
                    ends.1 += 1;
                    RowAction::Complete
                }
            };
            (off(t).max(t0 + 1), action)
        });
        event_pods += 1;
        if let Some((t, action)) = end {
            push_row(
                rows,
                RowRec {
                    time_ms: t,
                    action,
                    pod: name.clone(),
                    made,
                    conts: Vec::new(),
                },
            )?;
        }
        // One record for all the pod's create rows: they are written together.
        push_row(
            rows,
            RowRec {
                time_ms: t0,
                action: RowAction::Create,
                pod: name,
                made,
                conts,
            },
        )
    };
    if let Some(mut groups) = scan
        .as_mut()
        .map(|sc| sc.take_pods())
        .transpose()
        .map_err(serr)?
        .flatten()
    {
        let mut by_name: Sorter<PodRec> = Sorter::new(run_len, spill_dir);
        while let Some(rec) = groups.next().map_err(serr)? {
            by_name.push(rec).map_err(serr)?;
        }
        any_init = groups.any_init;
        drop(groups);
        let mut by_name = by_name.finish().map_err(serr)?;
        let mut group: Vec<PodRec> = Vec::new();
        let mut next = by_name.next().map_err(serr)?;
        while let Some(first) = next.take() {
            group.clear();
            group.push(first);
            loop {
                match by_name.next().map_err(serr)? {
                    Some(r) if r.nn == group[0].nn => group.push(r),
                    other => {
                        next = other;
                        break;
                    }
                }
            }
            let count = group.len().min(255) as u8;
            if let Some(c) = sum_count.get_mut(&group[0].nn) {
                *c = count;
            }
            for rec in group.drain(..) {
                let name = if count > 1 && !rec.uid.is_empty() {
                    format!("{}~{}", rec.nn, &rec.uid[..rec.uid.len().min(8)])
                } else {
                    rec.nn.clone()
                };
                if sum_uids.contains(rec.uid.as_str()) || sum_count.contains_key(&rec.nn) {
                    candidates.push((rec, name));
                } else {
                    emit(&mut rows, &mut push_row, &rec, name)?;
                }
            }
        }
    }
    let pod_name = |ns: &str, name: &str, uid: &str| -> String {
        let key = format!("{ns}/{name}");
        let count = sum_count.get(&key).copied().unwrap_or(0);
        if count > 1 && !uid.is_empty() {
            format!("{key}~{}", &uid[..uid.len().min(8)])
        } else {
            key
        }
    };
    // In order of first events, as the summary looks for its pods.
    candidates.sort_by_key(|c| c.0.created);
    let mut consumed: BTreeSet<Key> = BTreeSet::new();
    for sp in sum_pods {
        let ep: Option<&PodRec> = candidates.iter().map(|c| &c.0).find(|p| {
            let uid = p.uid.as_str();
            let (ns, name) = p.names();
            (!sp.uid.is_empty() && uid == sp.uid)
                || (ns == sp.namespace && name == sp.name && (sp.uid.is_empty() || uid.is_empty()))
        });
        if let Some(p) = ep {
            consumed.insert(p.created);
        }
        let pname = pod_name(&sp.namespace, &sp.name, &sp.uid);
        let mut any = false;
        for c in &sp.containers {
            let image = ep
                .and_then(|p| p.conts.iter().find(|x| x.name == c.name))
                .map(|x| x.image)
                .filter(|i| *i != NONE);
            let Some(image) = image else {
                containers_unknown += 1;
                continue;
            };
            let idx = image_entry[image as usize];
            catalog[idx].preloaded = true;
            any = true;
            summary_rows.push(TraceRow {
                time_ms: 0,
                action: RowAction::Create,
                pod: pname.clone(),
                container: c.name.clone(),
                image: catalog[idx].name.clone(),
                pull_policy: "IfNotPresent".into(),
                // A trace quantity is at most i64::MAX (a broken reading can be 2^64-1; the
                // rates are 0, so the cap never binds).
                writable_cap: Some(c.rootfs_used.unwrap_or(0).min(i64::MAX as u64)),
                log_cap: Some(c.logs_used.unwrap_or(0).min(i64::MAX as u64)),
            });
            push_row(
                &mut rows,
                RowRec {
                    time_ms: 0,
                    action: RowAction::Create,
                    pod: pname.clone(),
                    made: (false, 0, summary_rows.len() as u32 - 1),
                    conts: Vec::new(),
                },
            )?;
        }
        if any {
            running_pods += 1;
            if let Some((t, kind)) = ep.and_then(|p| p.end) {
                if snapshot.is_none_or(|s| t > s) {
                    let action = match kind {
                        PodEndKind::Deleted => RowAction::Delete,
                        PodEndKind::Evicted => RowAction::Complete,
                    };
                    summary_rows.push(TraceRow {
                        time_ms: off(t).max(1),
                        action,
                        pod: pname.clone(),
                        container: String::new(),
                        image: String::new(),
                        pull_policy: String::new(),
                        writable_cap: None,
                        log_cap: None,
                    });
                    push_row(
                        &mut rows,
                        RowRec {
                            time_ms: off(t).max(1),
                            action,
                            pod: pname.clone(),
                            made: (false, 0, summary_rows.len() as u32 - 1),
                            conts: Vec::new(),
                        },
                    )?;
                }
            }
        } else {
            running_skipped += 1;
        }
    }
    for (rec, name) in candidates {
        if !consumed.contains(&rec.created) {
            emit(&mut rows, &mut push_row, &rec, name)?;
        }
    }
    // (`emit` and `push_row` end here: they borrow the counters.)
    let trace = Trace {
        rows: rows.finish().map_err(serr)?,
        len: rows_len,
        last_ms,
        summary_rows,
        dir: spill_dir.to_path_buf(),
        any_init,
        scan,
    };
    Ok((
        trace,
        TraceCounts {
            running_pods,
            running_skipped,
            containers_unknown,
            event_pods,
            event_pods_skipped,
            ends,
        },
    ))
}

/// The report's lines on the events: what they gave, what was assumed, the validation targets.
pub(super) fn report_events(
    rep: &mut ImportReport,
    opts: &ImportOptions,
    sum: &Option<SummaryImport>,
    trace: &Trace,
    counts: &TraceCounts,
    event_images: (usize, usize),
    origin: i64,
) {
    let TraceCounts {
        event_pods,
        event_pods_skipped,
        ends,
        ..
    } = *counts;
    let (from_event_size, defaulted) = event_images;
    let ev = trace.scan.as_ref().map(|s| &s.head);

    // --- events report -----------------------------------------------------------------
    if let (Some(e), Some(f)) = (&ev, &opts.events) {
        let mut line = format!(
            "{}: {} events; {} kubelet events from node {}",
            shown(f),
            e.total,
            e.from_node,
            e.node.as_deref().unwrap_or("(none)")
        );
        let other: usize = e.other_hosts.values().sum();
        if other + e.without_host > 0 {
            line += &format!(
                " ({other} from other nodes and {} without a kubelet host skipped)",
                e.without_host
            );
        }
        match e.span {
            Some((a, b)) => line += &format!(
                "; the trace covers {} to {} ({}): event times are replayed as offsets from t = 0 = {}{}",
                format_rfc3339(a),
                format_rfc3339(b),
                dur_h(b - a),
                format_rfc3339(a),
                if sum.is_some() {
                    ", and t = 0 starts from the summary's disk state"
                } else {
                    ""
                }
            ),
            None => line += "; no timed event from this node: empty trace",
        }
        let pulls = &trace.scan.as_ref().expect("events were read").pulls;
        line += &format!(
            "; {} pods from events ({} deleted, {} evicted), {} pulls ({} with a duration, {} with Image size), {} 'already present' uses",
            event_pods,
            ends.0,
            ends.1,
            pulls.count,
            pulls.with_duration,
            pulls.with_size,
            e.already_present
        );
        rep.took.push(line);
        let unknown: usize = e.unknown_reasons.values().sum();
        if unknown > 0 {
            let mut v: Vec<_> = e.unknown_reasons.iter().collect();
            v.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
            rep.took.push(format!(
                "{}: {unknown} events with reasons the importer does not use, skipped: {}",
                shown(f),
                v.iter()
                    .map(|(r, n)| format!(
                        "{} ×{n}",
                        if r.is_empty() { "(none)" } else { r.as_str() }
                    ))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        if !e.not_replayed.is_empty() {
            rep.took.push(format!(
                "{}: not replayed: {}",
                shown(f),
                e.not_replayed
                    .iter()
                    .map(|(r, n)| format!("{r} ×{n}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        if e.unparsed_pull_messages > 0 {
            rep.warnings.push(format!(
                "{}: {} Pulling/Pulled messages match no known wording: skipped",
                shown(f),
                e.unparsed_pull_messages
            ));
        }
        if e.without_time > 0 {
            rep.warnings.push(format!(
                "{}: {} events of the node have no timestamp: skipped",
                shown(f),
                e.without_time
            ));
        }
        let merged = pulls.merged;
        if merged > 0 {
            rep.assumed.push(format!("{merged} Pulled events have count > 1 (identical events merged): each is replayed once"));
        }
        if let Some((a, b)) = e.span {
            if b - a > 0 {
                rep.assumed.push("events expire after 1 h (--event-ttl): the trace holds only what the API server still had".into());
            }
        }
        if event_pods_skipped > 0 {
            rep.assumed.push(format!("{event_pods_skipped} pods seen in events without any image (only Started/Killing/…): not in the trace"));
        }
        if event_pods > 0 {
            rep.assumed.push("pods from events write nothing (writable and log rates 0): events carry no disk-write rates; edit trace.csv to add them".into());
        }
        if trace.any_init {
            rep.assumed.push(
                "init containers are modelled as ordinary containers that keep running".into(),
            );
        }
        if from_event_size > 0 {
            rep.took.push(format!(
                "{}: sizes of {from_event_size} images not in the inventory from 'Image size:'",
                shown(f)
            ));
        }
        if defaulted > 0 {
            rep.assumed.push(format!(
                "{defaulted} images seen only in events, without 'Image size:': reported size {} each",
                bytes_h(DEFAULT_IMAGE_SIZE)
            ));
        }
        // Validation targets.
        for reason in ["FreeDiskSpaceFailed", "ImageGCFailed"] {
            let g: Vec<_> = e.gc_failures.iter().filter(|g| g.1 == reason).collect();
            if g.is_empty() {
                continue;
            }
            let wordings: BTreeSet<&str> = g
                .iter()
                .map(|x| match x.2.wording {
                    GcWording::V0 => "v0",
                    GcWording::V1 => "v1",
                    GcWording::V2 => "v2",
                    GcWording::V3 => "v3",
                })
                .collect();
            let wording = wordings.into_iter().collect::<Vec<_>>().join(", ");
            let amounts: Vec<u64> = g.iter().filter_map(|x| x.2.amount_to_free).collect();
            let amount = match (amounts.iter().min(), amounts.iter().max()) {
                (Some(a), Some(b)) if a == b => format!("; amountToFree {a} bytes"),
                (Some(a), Some(b)) => format!("; amountToFree {a}..{b} bytes"),
                _ => String::new(),
            };
            rep.validation.push(format!(
                "{reason} ×{} (wording {wording}), first at t = {}{amount}",
                g.len(),
                dur_h(g[0].0 - origin)
            ));
        }
        if !e.threshold_met.is_empty() {
            let res: BTreeSet<&str> = e.threshold_met.iter().map(|x| x.1.as_str()).collect();
            rep.validation.push(format!(
                "EvictionThresholdMet ×{} ({}), first at t = {}",
                e.threshold_met.len(),
                res.into_iter().collect::<Vec<_>>().join(", "),
                dur_h(e.threshold_met[0].0 - origin)
            ));
        }
        for (t, on) in &e.pressure {
            rep.validation.push(format!(
                "{} at t = {}",
                if *on {
                    "NodeHasDiskPressure"
                } else {
                    "NodeHasNoDiskPressure"
                },
                dur_h(t - origin)
            ));
        }
        for (t, pod, cause) in &e.evictions {
            rep.validation.push(format!(
                "Evicted {pod} at t = {}: {}",
                dur_h(t - origin),
                cause.describe()
            ));
        }
    }

    if trace.len == 0 {
        rep.assumed.push(if ev.is_none() {
            "no events (--events): the trace is empty; add pods to trace.csv to give the node work"
                .to_string()
        } else {
            "the events give no pod with a known image: the trace is empty".to_string()
        });
    }
}
