//! Kubernetes Events, `kubectl get events -A -o json` (or `-o yaml`), data-formats.md §3.
//!
//! Each item is a core/v1 `Event` (events.k8s.io/v1 field names are accepted too: `regarding`,
//! `note`, `deprecated*`). Items are streamed and interpreted as they are read (see
//! [`scan_events`]: no event is held). Only the kubelet's events from one node are used
//! (`source.host` or `reportingInstance`, or a Node object of that name):
//! - `Pulling` / `Pulled` (all four `Successfully pulled image` wordings, with or without
//!   durations and `Image size: N bytes.`) and `Container image "…" already present on machine`
//!   (a use without a pull) give each pod's containers and images and the pull trace;
//! - `Started` / `Created` / `Killing` / `Evicted` give pods' lifecycles;
//! - `FreeDiskSpaceFailed` / `ImageGCFailed` (wordings v0–v3), `EvictionThresholdMet`,
//!   `NodeHasDiskPressure` / `NodeHasNoDiskPressure` are kept as validation targets;
//! - any other reason is counted and skipped.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use std::sync::atomic::Ordering as AtomicOrdering;

use super::common::{read_document, read_json_list_fast, At};
use super::spill::{Dec, Sorted, Sorter, Spill, SPILL_RUN};
use crate::error::InputError;
use crate::units::parse_go_duration;

/// One event as read, before any interpretation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawEvent {
    /// Position in `items`.
    pub index: usize,
    pub reason: String,
    pub message: String,
    pub object_kind: String,
    pub namespace: String,
    pub name: String,
    pub uid: String,
    pub field_path: Option<String>,
    pub component: Option<String>,
    /// `source.host`.
    pub host: Option<String>,
    pub reporting_component: Option<String>,
    pub reporting_instance: Option<String>,
    /// `firstTimestamp` (else `eventTime`, else `metadata.creationTimestamp`), ns since epoch.
    pub first: Option<i64>,
    /// `lastTimestamp` (else `series.lastObservedTime`, else `first`).
    pub last: Option<i64>,
    pub count: u64,
}

impl RawEvent {
    /// The node a kubelet event comes from: `source.host`, else `reportingInstance` when the
    /// reporter is the kubelet.
    pub fn kubelet_host(&self) -> Option<&str> {
        self.view().kubelet_host()
    }

    /// `spec.containers{app}` → ("app", false); `spec.initContainers{x}` → ("x", true).
    pub fn container(&self) -> Option<(String, bool)> {
        self.view().container()
    }

    fn view(&self) -> EvView<'_> {
        EvView {
            index: self.index,
            reason: &self.reason,
            message: &self.message,
            object_kind: &self.object_kind,
            namespace: &self.namespace,
            name: &self.name,
            uid: &self.uid,
            field_path: self.field_path.as_deref(),
            component: self.component.as_deref(),
            host: self.host.as_deref(),
            reporting_component: self.reporting_component.as_deref(),
            reporting_instance: self.reporting_instance.as_deref(),
            first: self.first,
            last: self.last,
            count: self.count,
        }
    }
}

/// A [`RawEvent`] whose strings are borrowed (from a just-read item).
#[derive(Debug, Clone, Copy)]
struct EvView<'a> {
    index: usize,
    reason: &'a str,
    message: &'a str,
    object_kind: &'a str,
    namespace: &'a str,
    name: &'a str,
    uid: &'a str,
    field_path: Option<&'a str>,
    component: Option<&'a str>,
    host: Option<&'a str>,
    reporting_component: Option<&'a str>,
    reporting_instance: Option<&'a str>,
    first: Option<i64>,
    last: Option<i64>,
    count: u64,
}

impl<'a> EvView<'a> {
    fn kubelet_host(&self) -> Option<&'a str> {
        let kubelet =
            self.component == Some("kubelet") || self.reporting_component == Some("kubelet");
        if let Some(h) = self.host.filter(|h| !h.is_empty()) {
            return Some(h);
        }
        if kubelet {
            return self.reporting_instance.filter(|h| !h.is_empty());
        }
        None
    }

    fn is_from_node(&self, node: &str) -> bool {
        self.kubelet_host() == Some(node)
            || self.reporting_instance == Some(node)
            || (self.object_kind == "Node" && self.name == node && self.kubelet_host().is_none())
    }

    fn container(&self) -> Option<(String, bool)> {
        self.container_ref().map(|(n, init)| (n.to_string(), init))
    }

    fn container_ref(&self) -> Option<(&'a str, bool)> {
        let fp = self.field_path?;
        let open = fp.find('{')?;
        let close = fp.rfind('}')?;
        if close <= open {
            return None;
        }
        Some((&fp[open + 1..close], fp.starts_with("spec.initContainers")))
    }
}

/// A pull-related message (data-formats.md §3.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PullMessage {
    /// `Pulling image "<image>"` (very old kubelets: lower-case `pulling`).
    Pulling { image: String },
    /// `Successfully pulled image "<image>"[ in <pull>][ (<total> including waiting)][. Image size: <N> bytes.]`
    Pulled {
        image: String,
        /// Nanoseconds in the CRI PullImage call (≥1.19).
        pull: Option<i64>,
        /// Nanoseconds including the wait behind other pulls (~1.26+).
        total: Option<i64>,
        /// `Image size:` in bytes (≥1.30): the runtime's `Image.size`.
        size: Option<u64>,
    },
    /// `Container image "<image>" already present on machine`: a use, no pull.
    AlreadyPresent { image: String },
    /// `Failed to pull image "<image>": <error>`.
    Failed { image: String, error: String },
    /// `Back-off pulling image "<image>"`.
    BackOff { image: String },
    /// `Container image "<image>" is not present with pull policy of Never`.
    NeverPull { image: String },
}

impl PullMessage {
    pub fn image(&self) -> &str {
        match self {
            PullMessage::Pulling { image }
            | PullMessage::Pulled { image, .. }
            | PullMessage::AlreadyPresent { image }
            | PullMessage::Failed { image, .. }
            | PullMessage::BackOff { image }
            | PullMessage::NeverPull { image } => image,
        }
    }
}

const COMBINED: &str = "(combined from similar events): ";

/// The quoted string right after `prefix`, and what follows its closing quote.
fn quoted_after<'m>(msg: &'m str, prefix: &str) -> Option<(&'m str, &'m str)> {
    let rest = msg.strip_prefix(prefix)?;
    let end = rest.find('"')?;
    Some((&rest[..end], &rest[end + 1..]))
}

/// A Go duration token at the start of `s` (`1.481s`, `1m2.5s`, `490ms`, `7.556422631s`).
fn duration_token(s: &str) -> Option<(i64, &str)> {
    let len = s
        .char_indices()
        .take_while(|(_, c)| {
            c.is_ascii_digit() || matches!(c, '.' | 'h' | 'm' | 's' | 'u' | 'n' | 'µ' | 'μ')
        })
        .map(|(i, c)| i + c.len_utf8())
        .last()?;
    let mut tok = &s[..len];
    // A Go duration ends in a unit letter; a trailing '.' ends the sentence.
    while tok.ends_with('.') {
        tok = &tok[..tok.len() - 1];
    }
    let ns = parse_go_duration(tok).ok()?;
    Some((ns, &s[tok.len()..]))
}

/// Parses a Pulling / Pulled / Failed / BackOff / ErrImageNeverPull message. `None` when the
/// message is none of the known wordings.
pub fn parse_pull_message(message: &str) -> Option<PullMessage> {
    let (image, kind) = parse_pull_ref(message)?;
    let image = image.to_string();
    Some(match kind {
        PullRef::Pulling => PullMessage::Pulling { image },
        PullRef::Pulled { pull, total, size } => PullMessage::Pulled {
            image,
            pull,
            total,
            size,
        },
        PullRef::AlreadyPresent => PullMessage::AlreadyPresent { image },
        PullRef::Failed { error } => PullMessage::Failed {
            image,
            error: error.to_string(),
        },
        PullRef::BackOff => PullMessage::BackOff { image },
        PullRef::NeverPull => PullMessage::NeverPull { image },
    })
}

/// [`PullMessage`] without its image, and with its strings borrowed from the message: the
/// importer parses one per event, so it allocates nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PullRef<'m> {
    Pulling,
    Pulled {
        pull: Option<i64>,
        total: Option<i64>,
        size: Option<u64>,
    },
    AlreadyPresent,
    Failed {
        error: &'m str,
    },
    BackOff,
    NeverPull,
}

/// [`parse_pull_message`], borrowed: (image, what the message says).
fn parse_pull_ref(message: &str) -> Option<(&str, PullRef<'_>)> {
    let msg = message.trim();
    let msg = msg.strip_prefix(COMBINED).unwrap_or(msg);
    if let Some((image, _)) =
        quoted_after(msg, "Pulling image \"").or_else(|| quoted_after(msg, "pulling image \""))
    {
        return Some((image, PullRef::Pulling));
    }
    if let Some((image, mut rest)) = quoted_after(msg, "Successfully pulled image \"") {
        let mut pull = None;
        let mut total = None;
        let mut size = None;
        if let Some(r) = rest.strip_prefix(" in ") {
            if let Some((ns, r)) = duration_token(r) {
                pull = Some(ns);
                rest = r;
            }
        }
        if let Some(r) = rest.strip_prefix(" (") {
            if let Some((ns, r)) = duration_token(r) {
                if let Some(r) = r.strip_prefix(" including waiting)") {
                    total = Some(ns);
                    rest = r;
                }
            }
        }
        if let Some(r) = rest.strip_prefix(". Image size: ") {
            let digits = r.bytes().take_while(|c| c.is_ascii_digit()).count();
            size = r[..digits].parse().ok();
        }
        return Some((image, PullRef::Pulled { pull, total, size }));
    }
    if let Some((image, rest)) = quoted_after(msg, "Container image \"") {
        if rest.starts_with(" already present on machine") {
            return Some((image, PullRef::AlreadyPresent));
        }
        if rest.starts_with(" is not present with pull policy of Never") {
            return Some((image, PullRef::NeverPull));
        }
        return None;
    }
    if let Some((image, rest)) = quoted_after(msg, "Failed to pull image \"") {
        let error = rest.trim_start_matches(':').trim();
        return Some((image, PullRef::Failed { error }));
    }
    if let Some((image, _)) = quoted_after(msg, "Back-off pulling image \"") {
        return Some((image, PullRef::BackOff));
    }
    None
}

/// The wording of a `FreeDiskSpaceFailed` / `ImageGCFailed` message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GcWording {
    /// ≤ ~1.10: `Wanted to free <N>, but freed <M>` (no "bytes").
    V0,
    /// ~1.11–1.25: `Wanted to free <N> bytes, but freed <M> bytes`.
    V1,
    /// 1.26–1.34: `Attempted to free <N> bytes, but only found <M> bytes eligible to free.`
    V2,
    /// ≥ 1.35: `Insufficient free disk space on the node's image filesystem (<P>% of <S> used). … (freed <M> bytes) …`
    V3,
}

#[derive(Debug, Clone, PartialEq)]
pub struct GcFailure {
    pub wording: GcWording,
    /// amountToFree (v0–v2).
    pub amount_to_free: Option<u64>,
    /// Bytes freed (v0, v1, v3) or found eligible (v2).
    pub freed: Option<u64>,
    /// Usage percent (v3).
    pub usage_percent: Option<f64>,
    /// Capacity as printed (v3), e.g. `10.0 GiB`.
    pub capacity: Option<String>,
}

fn number_after(s: &str, prefix: &str) -> Option<u64> {
    let i = s.find(prefix)? + prefix.len();
    let digits: String = s[i..].chars().take_while(|c| c.is_ascii_digit()).collect();
    digits.parse().ok()
}

/// Parses an image GC failure message in any of its four wordings.
pub fn parse_gc_failure(message: &str) -> Option<GcFailure> {
    let msg = message.trim();
    let msg = msg.strip_prefix(COMBINED).unwrap_or(msg);
    if let Some(rest) = msg
        .find("Insufficient free disk space on the node's image filesystem")
        .map(|i| &msg[i..])
    {
        let mut usage_percent = None;
        let mut capacity = None;
        if let Some(open) = rest.find('(') {
            let inner = &rest[open + 1..];
            if let Some(pct) = inner.find("% of ") {
                usage_percent = inner[..pct].trim().parse().ok();
                let after = &inner[pct + 5..];
                if let Some(end) = after.find(" used)") {
                    capacity = Some(after[..end].to_string());
                }
            }
        }
        return Some(GcFailure {
            wording: GcWording::V3,
            amount_to_free: None,
            freed: number_after(rest, "(freed "),
            usage_percent,
            capacity,
        });
    }
    if msg.contains("Attempted to free ") {
        return Some(GcFailure {
            wording: GcWording::V2,
            amount_to_free: number_after(msg, "Attempted to free "),
            freed: number_after(msg, "but only found "),
            usage_percent: None,
            capacity: None,
        });
    }
    if msg.contains("Wanted to free ") {
        let amount = number_after(msg, "Wanted to free ");
        let with_bytes = msg
            .find("Wanted to free ")
            .map(|i| &msg[i + "Wanted to free ".len()..])
            .map(|r| {
                r.trim_start_matches(|c: char| c.is_ascii_digit())
                    .starts_with(" bytes")
            })
            .unwrap_or(false);
        return Some(GcFailure {
            wording: if with_bytes {
                GcWording::V1
            } else {
                GcWording::V0
            },
            amount_to_free: amount,
            freed: number_after(msg, "but freed "),
            usage_percent: None,
            capacity: None,
        });
    }
    None
}

/// Why a pod was evicted, from the `Evicted` message (data-formats.md §3.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EvictionCause {
    /// Node pressure. `threshold`/`available` are present in the new (~1.26+) wording only.
    NodePressure {
        resource: String,
        threshold: Option<String>,
        available: Option<String>,
        new_wording: bool,
    },
    /// `Pod ephemeral local storage usage exceeds the total limit of containers <qty>.`
    PodLimit {
        limit: String,
    },
    /// `Container <c> exceeded its local ephemeral storage limit "<qty>".`
    ContainerLimit {
        container: String,
        limit: String,
    },
    /// `Usage of EmptyDir volume "<v>" exceeds the limit "<qty>".`
    EmptyDirLimit {
        volume: String,
        limit: String,
    },
    /// `The node had condition: [DiskPressure].` (admission).
    Admission {
        conditions: String,
    },
    Other,
}

impl EvictionCause {
    /// A short text for reports.
    pub fn describe(&self) -> String {
        match self {
            EvictionCause::NodePressure {
                resource,
                threshold,
                available,
                new_wording,
            } => {
                let mut s = format!("node low on {resource}");
                if let (Some(t), Some(a)) = (threshold, available) {
                    s += &format!(" (threshold {t}, available {a})");
                }
                if !new_wording {
                    s += " (pre-1.26 wording)";
                }
                s
            }
            EvictionCause::PodLimit { limit } => {
                format!("pod over its ephemeral-storage limit {limit}")
            }
            EvictionCause::ContainerLimit { container, limit } => {
                format!("container {container} over its ephemeral-storage limit {limit}")
            }
            EvictionCause::EmptyDirLimit { volume, limit } => {
                format!("emptyDir {volume} over its sizeLimit {limit}")
            }
            EvictionCause::Admission { conditions } => {
                format!("rejected at admission: node condition {conditions}")
            }
            EvictionCause::Other => "other cause".into(),
        }
    }
}

fn until<'a>(s: &'a str, stop: &str) -> &'a str {
    s.find(stop).map_or(s, |i| &s[..i])
}

pub fn parse_eviction_message(message: &str) -> EvictionCause {
    let m = message.trim();
    if let Some(rest) = m.strip_prefix("The node was low on resource: ") {
        let resource = until(rest, ".").trim().to_string();
        let threshold = rest
            .find("Threshold quantity: ")
            .map(|i| until(&rest[i + 20..], ",").trim().to_string());
        let available = rest.find(", available: ").map(|i| {
            until(&rest[i + 13..], ". ")
                .trim_end_matches('.')
                .trim()
                .to_string()
        });
        return EvictionCause::NodePressure {
            resource,
            new_wording: threshold.is_some(),
            threshold,
            available,
        };
    }
    if let Some(rest) =
        m.strip_prefix("Pod ephemeral local storage usage exceeds the total limit of containers ")
    {
        return EvictionCause::PodLimit {
            limit: rest.trim().trim_end_matches('.').to_string(),
        };
    }
    if let Some(rest) = m.strip_prefix("Container ") {
        if let Some(i) = rest.find(" exceeded its local ephemeral storage limit \"") {
            let limit = until(&rest[i + 45..], "\"").to_string();
            return EvictionCause::ContainerLimit {
                container: rest[..i].to_string(),
                limit,
            };
        }
    }
    if let Some((volume, rest)) = quoted_after(m, "Usage of EmptyDir volume \"") {
        let limit = quoted_after(rest, " exceeds the limit \"")
            .map(|(l, _)| l.to_string())
            .unwrap_or_default();
        return EvictionCause::EmptyDirLimit {
            volume: volume.to_string(),
            limit,
        };
    }
    if let Some(rest) = m
        .strip_prefix("Pod was rejected: ")
        .unwrap_or(m)
        .strip_prefix("The node had condition: ")
    {
        return EvictionCause::Admission {
            conditions: rest.trim().trim_end_matches('.').to_string(),
        };
    }
    EvictionCause::Other
}

/// `Attempting to reclaim <resource>` → resource.
pub fn parse_threshold_met(message: &str) -> Option<String> {
    message
        .trim()
        .strip_prefix("Attempting to reclaim ")
        .map(|s| s.trim().to_string())
}

// ---------------------------------------------------------------------------
// Interpretation
// ---------------------------------------------------------------------------

/// One successful pull.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PullRecord {
    pub pod: String,
    pub container: String,
    pub image: String,
    /// When the Pulled event was recorded (`lastTimestamp`).
    pub end: i64,
    pub pull: Option<i64>,
    pub total: Option<i64>,
    pub size: Option<u64>,
    /// The event's `count` (> 1: identical events were merged).
    pub count: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventContainer {
    pub name: String,
    pub init: bool,
    /// The image as written in the pod spec, from the first pull-related event.
    pub image: Option<String>,
    /// The earliest time anything happened to this container.
    pub first: i64,
    /// A `Container image … already present on machine` event was seen.
    pub already_present: bool,
    /// A successful pull was seen.
    pub pulled: bool,
    /// An `ErrImageNeverPull` event was seen: the pull policy is `Never`.
    pub never_pull: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PodEndKind {
    /// The last `Killing` with no later start: the pod was deleted.
    Deleted,
    /// `Evicted`: the containers were killed, the pod object stays (Failed).
    Evicted,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventPod {
    pub namespace: String,
    pub name: String,
    pub uid: String,
    /// In order of first appearance.
    pub containers: Vec<EventContainer>,
    /// Latest `Started`/`Created`/pull-related time.
    pub last_activity: i64,
    pub end: Option<(i64, PodEndKind)>,
}

impl EventPod {
    pub fn start(&self) -> Option<i64> {
        self.containers.iter().map(|c| c.first).min()
    }
    pub fn key(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }
}

/// What the events say about one image reference (as written in the pod spec).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventImage {
    /// The last `Image size:` seen.
    pub size: Option<u64>,
    pub first_seen: i64,
    /// The earliest event for it was "already present": it was on disk then.
    pub first_was_present: bool,
    pub pulls: usize,
    pub uses: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct EventsImport {
    /// Items in the file.
    pub total: usize,
    /// The node whose events were used.
    pub node: Option<String>,
    pub from_node: usize,
    /// Kubelet events from other hosts, by host.
    pub other_hosts: BTreeMap<String, usize>,
    /// Events without a kubelet host (controllers, scheduler).
    pub without_host: usize,
    /// From the node but with no timestamp at all.
    pub without_time: usize,
    /// First and last time of the node's events.
    pub span: Option<(i64, i64)>,
    pub pods: Vec<EventPod>,
    pub pulls: Vec<PullRecord>,
    /// "already present" events (uses without a pull).
    pub already_present: usize,
    pub images: BTreeMap<String, EventImage>,
    /// Pull events whose message matched no known wording.
    pub unparsed_pull_messages: usize,
    /// Reasons this importer does not use, with counts.
    pub unknown_reasons: BTreeMap<String, usize>,
    /// Known reasons that are not replayed (failed pulls, back-offs, …).
    pub not_replayed: BTreeMap<String, usize>,
    pub gc_failures: Vec<(i64, String, GcFailure)>,
    pub threshold_met: Vec<(i64, String)>,
    /// Disk-pressure transitions: (time, now under pressure).
    pub pressure: Vec<(i64, bool)>,
    pub evictions: Vec<(i64, String, EvictionCause)>,
}

/// Reads an events file and keeps the kubelet events of `node` (when `None`: of the host with
/// the most kubelet events).
pub fn parse_events(file: &Path, node: Option<&str>) -> Result<EventsImport, InputError> {
    Ok(scan_events(file, node, true, None)?.into_import())
}

/// Reads an events file into an [`EventsScan`]: [`parse_events`] without its per-pull list
/// unless `keep_pulls` (the import needs only their counts and bandwidths).
///
/// Events are interpreted as they are read, not held: everything the importer takes from them
/// is either a count, a minimum or maximum, or "the value of the first (or last) event in time
/// order" for a pod, container or image, which is kept together with that event's order key
/// (time, then position in the file) and replaced when an earlier (later) event comes. So the
/// result is the same as sorting all events by time and reading them in that order, as the
/// importer once did, with memory for one record per pod and container instead of per event.
///
/// Without `node`, the busiest kubelet host is found first, with a pass that only counts
/// hosts, and the file is read again for that host.
///
/// With `spill` (a directory for temporary files), pod events are spilled there instead, sorted
/// by pod, and [`EventsScan::take_pods`] gives the pods one at a time.
pub(crate) fn scan_events(
    file: &Path,
    node: Option<&str>,
    keep_pulls: bool,
    spill: Option<&Path>,
) -> Result<EventsScan, InputError> {
    let node = match node {
        Some(n) => Some(n.to_string()),
        None => {
            let mut hosts = HostCount::default();
            read_events(file, &mut hosts)?;
            hosts
                .0
                .iter()
                .max_by_key(|(h, n)| (**n, std::cmp::Reverse(h.as_str())))
                .map(|(h, _)| h.clone())
        }
    };
    let mut scan = EventsScan::new(node, keep_pulls);
    scan.spill = spill.map(PodSpill::new);
    read_events(file, &mut scan)?;
    if let Some(e) = scan.spill.as_mut().and_then(|s| s.err.take()) {
        return Err(spill_error(spill.expect("spilling"), &e));
    }
    scan.finish();
    Ok(scan)
}

/// An error writing or reading the import's temporary files.
pub(crate) fn spill_error(dir: &Path, e: &std::io::Error) -> InputError {
    InputError::new(
        dir,
        None,
        None,
        format!("cannot write or read the import's temporary files here: {e}"),
    )
}

/// What [`read_events`] hands the events to.
trait Sink {
    fn event(&mut self, e: &EvView);
    /// Forget every event seen so far (the file is being read again).
    fn reset(&mut self);
}

/// Kubelet events by host.
#[derive(Default)]
struct HostCount(BTreeMap<String, usize>);

impl Sink for HostCount {
    fn event(&mut self, e: &EvView) {
        if let Some(h) = e.kubelet_host() {
            match self.0.get_mut(h) {
                Some(c) => *c += 1,
                None => {
                    self.0.insert(h.to_string(), 1);
                }
            }
        }
    }
    fn reset(&mut self) {
        self.0.clear();
    }
}

/// Hands every event of the file to `sink`, in file order.
///
/// Plain JSON lists are read in big buffered chunks, each item deserialized from its slice
/// straight into [`fast::Item`] (only the fields an event needs, strings borrowed from the
/// buffer where they have no escapes; everything else is skipped). Anything else (YAML, syntax
/// errors, odd types, duplicate keys, …) is read again from the start by the general reader,
/// item by item as `Value`s: its results and errors are the reference.
fn read_events(file: &Path, sink: &mut dyn Sink) -> Result<(), InputError> {
    let mut items = 0usize;
    let fast_read = read_json_list_fast(file, &["items"], &mut |_, i, text| {
        items = i + 1;
        Ok(fast::read(text, i, &mut |e| sink.event(e)))
    })?;
    let rest = match fast_read {
        Some(rest) => rest,
        None => {
            sink.reset();
            items = 0;
            read_document(file, &["items"], &mut |_, i, v| {
                items = i + 1;
                let e = read_event(&At::new(file, &v, format!("items[{i}]")), i)?;
                sink.event(&e.view());
                Ok(())
            })?
        }
    };
    // Not a list (no items, no `kind: …List`) and not one Event: another kind of file.
    let is_list = rest
        .get("kind")
        .and_then(|k| k.as_str())
        .is_some_and(|k| k.ends_with("List"));
    let is_event = rest.contains_key("involvedObject") || rest.contains_key("regarding");
    if items == 0 && !is_list && !is_event && !rest.is_empty() && !rest.contains_key("kind") {
        let keys: Vec<&str> = rest.keys().map(String::as_str).take(6).collect();
        return Err(InputError::new(
            file,
            None,
            None,
            format!(
                "not a list of Events (kubectl get events -A -o json) nor one Event: its top-level keys are {}{}",
                keys.join(", "),
                if rest.contains_key("node") && rest.contains_key("pods") {
                    " (a Summary API reply? pass it with --summary)"
                } else {
                    ""
                }
            ),
        ));
    }
    // `kubectl get event NAME -o json|yaml`: one Event, not a List.
    if rest.contains_key("involvedObject") || rest.contains_key("regarding") {
        let one = serde_json::Value::Object(rest);
        let e = read_event(&At::new(file, &one, ""), 0)?;
        sink.event(&e.view());
    } else if rest
        .get("kind")
        .and_then(|k| k.as_str())
        .is_some_and(|k| !k.ends_with("List"))
    {
        let one = serde_json::Value::Object(rest);
        let kind = At::new(file, &one, "").field("kind")?;
        return Err(
            kind.err("expected a List of Events (kubectl get events -A -o json) or one Event")
        );
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Interpretation
// ---------------------------------------------------------------------------

/// Distinct strings, each stored once in one buffer and named by a `u32` (in order of first
/// appearance).
#[derive(Default)]
pub(crate) struct Interner {
    text: String,
    ends: Vec<usize>,
    /// Open addressing with linear probing: id + 1 per slot (0 = empty), a power of two long
    /// and at most half full.
    slots: Vec<u32>,
}

/// FxHash's mixing, 8 bytes at a time: std's SipHash was a tenth of the import's time, and
/// the keys are not chosen by an adversary who could make them collide (a collision costs a
/// comparison, never a wrong answer).
fn hash(s: &[u8]) -> u64 {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let mix = |h: u64, w: u64| (h.rotate_left(5) ^ w).wrapping_mul(K);
    let mut h = mix(0, s.len() as u64);
    let mut chunks = s.chunks_exact(8);
    for c in &mut chunks {
        h = mix(h, u64::from_le_bytes(c.try_into().expect("8 bytes")));
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut last = [0u8; 8];
        last[..rest.len()].copy_from_slice(rest);
        h = mix(h, u64::from_le_bytes(last));
    }
    h
}

impl Interner {
    pub(crate) fn len(&self) -> usize {
        self.ends.len()
    }

    pub(crate) fn get(&self, id: u32) -> &str {
        let i = id as usize;
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.text[start..self.ends[i]]
    }

    /// The string's id, or the empty slot where it would go.
    fn slot(&self, s: &str) -> Result<u32, usize> {
        let mask = self.slots.len() - 1;
        // The multiply mixes upwards: the top bits are the well-mixed ones.
        let mut i = (hash(s.as_bytes()) >> (64 - self.slots.len().trailing_zeros())) as usize;
        loop {
            match self.slots[i] {
                0 => return Err(i),
                id => {
                    if self.get(id - 1) == s {
                        return Ok(id - 1);
                    }
                }
            }
            i = (i + 1) & mask;
        }
    }

    #[cfg(test)]
    pub(crate) fn find(&self, s: &str) -> Option<u32> {
        if self.slots.is_empty() {
            return None;
        }
        self.slot(s).ok()
    }

    pub(crate) fn id(&mut self, s: &str) -> u32 {
        if (self.len() + 1) * 2 > self.slots.len() {
            self.grow();
        }
        match self.slot(s) {
            Ok(id) => id,
            Err(slot) => {
                let id = u32::try_from(self.len())
                    .ok()
                    .filter(|i| *i < u32::MAX - 1)
                    .expect("fewer than 2^32 - 2 distinct strings");
                self.text.push_str(s);
                self.ends.push(self.text.len());
                self.slots[slot] = id + 1;
                id
            }
        }
    }

    fn grow(&mut self) {
        let cap = (self.slots.len() * 2).max(16);
        let shift = 64 - cap.trailing_zeros();
        let mut slots = vec![0u32; cap];
        for id in 0..self.len() as u32 {
            let mut i = (hash(self.get(id).as_bytes()) >> shift) as usize;
            while slots[i] != 0 {
                i = (i + 1) & (cap - 1);
            }
            slots[i] = id + 1;
        }
        self.slots = slots;
    }
}

/// No string, pod or container.
pub(crate) const NONE: u32 = u32::MAX;

/// The order in which the importer interprets events: time (`firstTimestamp`, else
/// `lastTimestamp`), then position in the file.
pub(crate) type Key = (i64, u32);

/// A pod seen in events. Its identity and `created` come from its first event in time order.
#[derive(Debug, Clone)]
pub(crate) struct ScanPod {
    /// The first event's key (its time is where the pod's activity starts).
    pub(crate) created: Key,
    /// The latest `lastTimestamp` of its Started/Created/pull-related events (or `i64::MIN`).
    last_max: i64,
    /// The latest `Killing` (or `i64::MIN`).
    kill: i64,
    /// `namespace/name` in [`EventsScan::strs`].
    pub(crate) nn: u32,
    /// The namespace in [`EventsScan::namespaces`].
    pub(crate) ns: u32,
    /// The uid in [`EventsScan::strs`], or [`NONE`].
    pub(crate) uid: u32,
    /// The first container in [`EventsScan::conts`] (after [`EventsScan::finish`]: in order of
    /// first appearance), or [`NONE`].
    head: u32,
}

/// A container seen in events; `created` is its first event's key.
#[derive(Debug, Clone)]
pub(crate) struct ScanContainer {
    created: Key,
    /// The earliest time anything happened to it.
    pub(crate) first: i64,
    /// The key of the event that gave `image`.
    image_key: Key,
    /// In [`EventsScan::cnames`].
    pub(crate) name: u32,
    /// In [`EventsScan::images`], from its first pull-related event, or [`NONE`].
    pub(crate) image: u32,
    next: u32,
    pub(crate) init: bool,
    pub(crate) already_present: bool,
    pub(crate) pulled: bool,
    pub(crate) never_pull: bool,
}

/// [`EventImage`], with the keys of the events that decided it.
struct ScanImage {
    img: EventImage,
    first_key: Key,
    size_key: Key,
}

/// What the pulls say, without keeping one record per pull.
#[derive(Debug, Clone, Default)]
pub(crate) struct PullStats {
    pub(crate) count: usize,
    pub(crate) with_duration: usize,
    pub(crate) with_size: usize,
    /// Pulled events with count > 1.
    pub(crate) merged: usize,
    /// (pull nanoseconds, `Image size:`) of the pulls with both.
    pub(crate) timed_sized: Vec<(i64, u64)>,
    /// (pull nanoseconds, image in [`EventsScan::images`]) of the pulls with a duration only.
    pub(crate) timed_unsized: Vec<(i64, u32)>,
}

/// The kubelet events of one node, interpreted as they were read (see [`scan_events`]).
/// `head` holds everything whose size depends on the catalog, not on the trace (its `pods`
/// and `pulls` stay empty); pods and their containers are compact records here.
pub(crate) struct EventsScan {
    pub(crate) head: EventsImport,
    keep_pulls: bool,
    /// Pod keys (uid, else `namespace/name`), `namespace/name`s and uids.
    pub(crate) strs: Interner,
    /// The pod whose key is each string of `strs`, or [`NONE`].
    pod_of: Vec<u32>,
    pub(crate) pods: Vec<ScanPod>,
    /// After [`EventsScan::finish`]: the pods in order of their first event.
    pub(crate) order: Vec<u32>,
    pub(crate) conts: Vec<ScanContainer>,
    pub(crate) namespaces: Interner,
    pub(crate) cnames: Interner,
    /// Image references as written in pod specs.
    pub(crate) images: Interner,
    image_info: Vec<ScanImage>,
    /// The first `Evicted` of a pod: (key, time).
    evicted: HashMap<u32, (Key, i64)>,
    pub(crate) pulls: PullStats,
    /// With `keep_pulls`: every pull, with its key.
    pull_records: Vec<(Key, PullRecord)>,
    /// Node-level and eviction events (few), with their keys, sorted by [`EventsScan::finish`].
    gc_failures: Vec<(Key, (i64, String, GcFailure))>,
    threshold_met: Vec<(Key, (i64, String))>,
    pressure: Vec<(Key, (i64, bool))>,
    evictions: Vec<(Key, (i64, String, EvictionCause))>,
    scratch: String,
    /// The pod key of the last pod event, in `strs`.
    last_key: Option<u32>,
    /// When set, pod events are not interpreted here but spilled, sorted by pod, for
    /// [`PodGroups`] (the import's bounded-memory path); `pods` and `conts` stay empty.
    spill: Option<PodSpill>,
}

/// The pod events of a scan in spill mode, sorted by pod on disk.
pub(crate) struct PodSpill {
    ops: Sorter<PodOp>,
    /// The first error writing a run: reported after the file is read.
    err: Option<std::io::Error>,
}

impl PodSpill {
    fn new(parent: &Path) -> PodSpill {
        PodSpill {
            ops: Sorter::new(SPILL_RUN.load(AtomicOrdering::Relaxed), parent),
            err: None,
        }
    }
}

/// What a pod event does to its pod: [`EventsScan::pull_op`] and the like.
const OP_PULL: u8 = 0;
const OP_TOUCH: u8 = 1;
const OP_KILL: u8 = 2;
const OP_EVICT: u8 = 3;

/// A pod event as spilled: its pod's key (uid, else `namespace/name`), its order key, then
/// what [`EventsScan::apply`] needs, encoded in one buffer (one allocation per event).
/// Sorted by pod key, then order key, so that a pod's events come out together and in time
/// order.
pub(crate) struct PodOp(Vec<u8>);

/// A [`PodOp`], decoded.
struct OpView<'a> {
    key: Key,
    namespace: &'a str,
    name: &'a str,
    uid: &'a str,
    cname: &'a str,
    init: bool,
    kind: u8,
    flag: u8,
    t: i64,
    last: i64,
    img: u32,
}

fn put(out: &mut Vec<u8>, s: &str) {
    out.extend_from_slice(&(s.len() as u32).to_le_bytes());
    out.extend_from_slice(s.as_bytes());
}

impl PodOp {
    #[allow(clippy::too_many_arguments)]
    fn new(
        pod: &str,
        e: &EvView,
        key: Key,
        cname: &str,
        init: bool,
        kind: u8,
        flag: u8,
        t: i64,
        last: i64,
        img: u32,
    ) -> PodOp {
        let mut b =
            Vec::with_capacity(64 + pod.len() + e.namespace.len() + e.name.len() + cname.len());
        put(&mut b, pod);
        b.extend_from_slice(&key.0.to_le_bytes());
        b.extend_from_slice(&key.1.to_le_bytes());
        // Without a uid, the pod's key is `namespace/name`: only where the name starts.
        if e.uid.is_empty() {
            b.push(0);
            b.extend_from_slice(&(e.namespace.len() as u32).to_le_bytes());
        } else {
            b.push(1);
            put(&mut b, e.namespace);
            put(&mut b, e.name);
        }
        put(&mut b, cname);
        b.push(init as u8);
        b.push(kind);
        b.push(flag);
        b.extend_from_slice(&t.to_le_bytes());
        b.extend_from_slice(&last.to_le_bytes());
        b.extend_from_slice(&img.to_le_bytes());
        PodOp(b)
    }

    fn pod(&self) -> &[u8] {
        let n = u32::from_le_bytes(self.0[..4].try_into().expect("4 bytes")) as usize;
        &self.0[4..4 + n]
    }

    fn key(&self) -> Key {
        let at = 4 + self.pod().len();
        (
            i64::from_le_bytes(self.0[at..at + 8].try_into().expect("8 bytes")),
            u32::from_le_bytes(self.0[at + 8..at + 12].try_into().expect("4 bytes")),
        )
    }

    fn view(&self) -> OpView<'_> {
        let mut d = Dec(&self.0);
        let pod = d.str_ref();
        let key = (d.i64(), d.u32());
        let (namespace, name, uid) = if d.u8() == 0 {
            let n = d.u32() as usize;
            (&pod[..n], &pod[n + 1..], "")
        } else {
            (d.str_ref(), d.str_ref(), pod)
        };
        OpView {
            key,
            namespace,
            name,
            uid,
            cname: d.str_ref(),
            init: d.u8() != 0,
            kind: d.u8(),
            flag: d.u8(),
            t: d.i64(),
            last: d.i64(),
            img: d.u32(),
        }
    }
}

impl PartialEq for PodOp {
    fn eq(&self, o: &Self) -> bool {
        self.cmp(o) == std::cmp::Ordering::Equal
    }
}
impl Eq for PodOp {}
impl PartialOrd for PodOp {
    fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for PodOp {
    fn cmp(&self, o: &Self) -> std::cmp::Ordering {
        // Byte order of UTF-8 is the order of the strings.
        self.pod()
            .cmp(o.pod())
            .then_with(|| self.key().cmp(&o.key()))
    }
}

impl Spill for PodOp {
    fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.0);
    }
    fn decode(buf: &[u8]) -> Self {
        PodOp(buf.to_vec())
    }
}

/// A container of a [`PodRec`].
#[derive(Debug, Clone)]
pub(crate) struct ContRec {
    pub(crate) name: String,
    pub(crate) init: bool,
    pub(crate) first: i64,
    /// In [`EventsScan::images`], or [`NONE`].
    pub(crate) image: u32,
    pub(crate) already_present: bool,
    pub(crate) pulled: bool,
    pub(crate) never_pull: bool,
}

/// A pod of events, whole, as [`PodGroups`] gives it (what [`EventsScan`] keeps per pod,
/// with its strings).
#[derive(Debug, Clone)]
pub(crate) struct PodRec {
    pub(crate) created: Key,
    /// `namespace/name`.
    pub(crate) nn: String,
    pub(crate) ns_len: u32,
    /// "" if none.
    pub(crate) uid: String,
    /// In order of first appearance.
    pub(crate) conts: Vec<ContRec>,
    pub(crate) end: Option<(i64, PodEndKind)>,
}

impl PodRec {
    pub(crate) fn names(&self) -> (&str, &str) {
        let n = self.ns_len as usize;
        (&self.nn[..n], &self.nn[n + 1..])
    }

    /// The earliest time anything happened to its containers.
    pub(crate) fn start(&self) -> Option<i64> {
        self.conts.iter().map(|c| c.first).min()
    }
}

/// Sorted by `namespace/name`, then order of first event (how the importer counts pods that
/// share a name).
impl PartialEq for PodRec {
    fn eq(&self, o: &Self) -> bool {
        self.cmp(o) == std::cmp::Ordering::Equal
    }
}
impl Eq for PodRec {}
impl PartialOrd for PodRec {
    fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for PodRec {
    fn cmp(&self, o: &Self) -> std::cmp::Ordering {
        self.nn
            .cmp(&o.nn)
            .then_with(|| self.created.cmp(&o.created))
    }
}

impl Spill for PodRec {
    fn encode(&self, b: &mut Vec<u8>) {
        b.extend_from_slice(&self.created.0.to_le_bytes());
        b.extend_from_slice(&self.created.1.to_le_bytes());
        put(b, &self.nn);
        b.extend_from_slice(&self.ns_len.to_le_bytes());
        put(b, &self.uid);
        match self.end {
            None => b.push(0),
            Some((t, k)) => {
                b.push(match k {
                    PodEndKind::Deleted => 1,
                    PodEndKind::Evicted => 2,
                });
                b.extend_from_slice(&t.to_le_bytes());
            }
        }
        b.extend_from_slice(&(self.conts.len() as u32).to_le_bytes());
        for c in &self.conts {
            put(b, &c.name);
            b.push(
                c.init as u8
                    | (c.already_present as u8) << 1
                    | (c.pulled as u8) << 2
                    | (c.never_pull as u8) << 3,
            );
            b.extend_from_slice(&c.first.to_le_bytes());
            b.extend_from_slice(&c.image.to_le_bytes());
        }
    }
    fn decode(buf: &[u8]) -> Self {
        let mut d = Dec(buf);
        let created = (d.i64(), d.u32());
        let nn = d.str_ref().to_string();
        let ns_len = d.u32();
        let uid = d.str_ref().to_string();
        let end = match d.u8() {
            0 => None,
            k => Some((
                d.i64(),
                if k == 1 {
                    PodEndKind::Deleted
                } else {
                    PodEndKind::Evicted
                },
            )),
        };
        let n = d.u32() as usize;
        let conts = (0..n)
            .map(|_| {
                let name = d.str_ref().to_string();
                let f = d.u8();
                ContRec {
                    name,
                    init: f & 1 != 0,
                    already_present: f & 2 != 0,
                    pulled: f & 4 != 0,
                    never_pull: f & 8 != 0,
                    first: d.i64(),
                    image: d.u32(),
                }
            })
            .collect();
        PodRec {
            created,
            nn,
            ns_len,
            uid,
            conts,
            end,
        }
    }
}

/// The pods of a scan in spill mode, one at a time, in order of their keys: each is the pod
/// [`EventsScan`] would have made of the same events (its events are replayed, in time order,
/// through the same code on a scan that holds that pod only).
pub(crate) struct PodGroups {
    ops: Sorted<PodOp>,
    next: Option<PodOp>,
    g: EventsScan,
    /// Some container of a pod given so far is an init container.
    pub(crate) any_init: bool,
}

impl PodGroups {
    pub(crate) fn next(&mut self) -> std::io::Result<Option<PodRec>> {
        let Some(first) = self.next.take() else {
            return Ok(None);
        };
        let g = &mut self.g;
        g.strs = Interner::default();
        g.namespaces = Interner::default();
        g.cnames = Interner::default();
        g.pod_of.clear();
        g.pods.clear();
        g.conts.clear();
        g.evicted.clear();
        g.last_key = None;
        g.apply(&first.view());
        loop {
            match self.ops.next()? {
                Some(op) if op.pod() == first.pod() => g.apply(&op.view()),
                other => {
                    self.next = other;
                    break;
                }
            }
        }
        debug_assert_eq!(g.pods.len(), 1);
        g.order_containers();
        let (ns, name) = g.names(0);
        let rec = PodRec {
            created: g.pods[0].created,
            nn: format!("{ns}/{name}"),
            ns_len: ns.len() as u32,
            uid: g.uid(0).to_string(),
            conts: g
                .containers(0)
                .map(|c| ContRec {
                    name: g.cnames.get(c.name).to_string(),
                    init: c.init,
                    first: c.first,
                    image: c.image,
                    already_present: c.already_present,
                    pulled: c.pulled,
                    never_pull: c.never_pull,
                })
                .collect(),
            end: g.end(0),
        };
        self.any_init |= rec.conts.iter().any(|c| c.init);
        Ok(Some(rec))
    }
}

fn bump(m: &mut BTreeMap<String, usize>, k: &str) {
    match m.get_mut(k) {
        Some(c) => *c += 1,
        None => {
            m.insert(k.to_string(), 1);
        }
    }
}

impl Sink for EventsScan {
    fn event(&mut self, e: &EvView) {
        self.add(e);
    }
    fn reset(&mut self) {
        let spill = self.spill.as_ref().map(|s| s.ops.parent().to_path_buf());
        *self = EventsScan::new(self.head.node.take(), self.keep_pulls);
        if let Some(parent) = spill {
            // The runs of the first reading are dropped (and their directory removed).
            self.spill = Some(PodSpill::new(&parent));
        }
    }
}

impl EventsScan {
    fn new(node: Option<String>, keep_pulls: bool) -> Self {
        EventsScan {
            head: EventsImport {
                total: 0,
                node,
                from_node: 0,
                other_hosts: BTreeMap::new(),
                without_host: 0,
                without_time: 0,
                span: None,
                pods: Vec::new(),
                pulls: Vec::new(),
                already_present: 0,
                images: BTreeMap::new(),
                unparsed_pull_messages: 0,
                unknown_reasons: BTreeMap::new(),
                not_replayed: BTreeMap::new(),
                gc_failures: Vec::new(),
                threshold_met: Vec::new(),
                pressure: Vec::new(),
                evictions: Vec::new(),
            },
            keep_pulls,
            strs: Interner::default(),
            pod_of: Vec::new(),
            pods: Vec::new(),
            order: Vec::new(),
            conts: Vec::new(),
            namespaces: Interner::default(),
            cnames: Interner::default(),
            images: Interner::default(),
            image_info: Vec::new(),
            evicted: HashMap::new(),
            pulls: PullStats::default(),
            pull_records: Vec::new(),
            gc_failures: Vec::new(),
            threshold_met: Vec::new(),
            pressure: Vec::new(),
            evictions: Vec::new(),
            scratch: String::new(),
            last_key: None,
            spill: None,
        }
    }

    fn widen(&mut self, t: i64) {
        self.head.span = Some(match self.head.span {
            None => (t, t),
            Some((a, b)) => (a.min(t), b.max(t)),
        });
    }

    fn add(&mut self, e: &EvView) {
        let out = &mut self.head;
        out.total += 1;
        let keep = out.node.as_deref().is_some_and(|n| e.is_from_node(n));
        if !keep {
            match e.kubelet_host() {
                Some(h) => bump(&mut out.other_hosts, h),
                None => out.without_host += 1,
            }
            return;
        }
        out.from_node += 1;
        let (Some(first), Some(last)) = (e.first, e.last) else {
            out.without_time += 1;
            return;
        };
        let key: Key = (
            first,
            u32::try_from(e.index).expect("fewer than 2^32 events"),
        );
        self.widen(first);
        self.widen(last);
        let reason = e.reason;
        let is_pod = e.object_kind == "Pod" || (e.object_kind.is_empty() && e.field_path.is_some());
        if !is_pod {
            let out = &mut self.head;
            match reason {
                "FreeDiskSpaceFailed" | "ImageGCFailed" => match parse_gc_failure(e.message) {
                    Some(g) => self.gc_failures.push((key, (last, reason.to_string(), g))),
                    None => bump(&mut out.not_replayed, reason),
                },
                "EvictionThresholdMet" => self.threshold_met.push((
                    key,
                    (last, parse_threshold_met(e.message).unwrap_or_default()),
                )),
                "NodeHasDiskPressure" => self.pressure.push((key, (last, true))),
                "NodeHasNoDiskPressure" => self.pressure.push((key, (last, false))),
                "InvalidDiskCapacity" => bump(&mut out.not_replayed, reason),
                _ => bump(&mut out.unknown_reasons, reason),
            }
            return;
        }
        match reason {
            "Pulling" | "Pulled" | "Failed" | "FailedPullImage" | "BackOff"
            | "ErrImageNeverPull" | "InspectFailed" => {
                let Some((image, m)) = parse_pull_ref(e.message) else {
                    if matches!(reason, "Pulling" | "Pulled") {
                        self.head.unparsed_pull_messages += 1;
                    } else {
                        bump(&mut self.head.not_replayed, reason);
                    }
                    return;
                };
                let (cname, init) = container_of(e);
                let start = match m {
                    PullRef::Pulled { total: Some(t), .. } => last - t,
                    PullRef::Pulled { pull: Some(t), .. } => last - t,
                    _ => first,
                };
                self.widen(start);
                let img = self.images.id(image);
                let flag = match m {
                    PullRef::Pulled { .. } => 1,
                    PullRef::AlreadyPresent => 2,
                    PullRef::NeverPull => 3,
                    _ => 0,
                };
                self.pod_event(e, key, cname, init, OP_PULL, flag, start, last, img);
                let present = m == PullRef::AlreadyPresent;
                if img as usize == self.image_info.len() {
                    self.image_info.push(ScanImage {
                        img: EventImage {
                            size: None,
                            first_seen: start,
                            first_was_present: present,
                            pulls: 0,
                            uses: 0,
                        },
                        first_key: key,
                        size_key: key,
                    });
                }
                let info = &mut self.image_info[img as usize];
                if (start, key) < (info.img.first_seen, info.first_key) {
                    info.img.first_seen = start;
                    info.img.first_was_present = present;
                    info.first_key = key;
                }
                match m {
                    PullRef::Pulled { pull, total, size } => {
                        info.img.pulls += 1;
                        if size.is_some() && (info.img.size.is_none() || key > info.size_key) {
                            info.img.size = size;
                            info.size_key = key;
                        }
                        let s = &mut self.pulls;
                        s.count += 1;
                        s.with_duration += pull.is_some() as usize;
                        s.with_size += size.is_some() as usize;
                        s.merged += (e.count > 1) as usize;
                        match (pull, size) {
                            (Some(ns), Some(size)) => s.timed_sized.push((ns, size)),
                            (Some(ns), None) => s.timed_unsized.push((ns, img)),
                            _ => {}
                        }
                        if self.keep_pulls {
                            self.pull_records.push((
                                key,
                                PullRecord {
                                    pod: format!("{}/{}", e.namespace, e.name),
                                    container: cname.to_string(),
                                    image: image.to_string(),
                                    end: last,
                                    pull,
                                    total,
                                    size,
                                    count: e.count,
                                },
                            ));
                        }
                    }
                    PullRef::AlreadyPresent => {
                        info.img.uses += 1;
                        self.head.already_present += 1;
                    }
                    PullRef::Pulling => {}
                    PullRef::NeverPull => {
                        bump(&mut self.head.not_replayed, reason);
                    }
                    PullRef::Failed { .. } | PullRef::BackOff => {
                        bump(&mut self.head.not_replayed, reason)
                    }
                }
            }
            "Started" | "Created" => {
                let (cname, init) = container_of(e);
                self.pod_event(e, key, cname, init, OP_TOUCH, 0, first, last, NONE);
            }
            "Killing" => self.pod_event(e, key, "", false, OP_KILL, 0, first, last, NONE),
            "Evicted" => {
                self.pod_event(e, key, "", false, OP_EVICT, 0, first, last, NONE);
                self.evictions.push((
                    key,
                    (
                        last,
                        format!("{}/{}", e.namespace, e.name),
                        parse_eviction_message(e.message),
                    ),
                ));
            }
            _ => bump(&mut self.head.unknown_reasons, reason),
        }
    }

    /// What a pod event does to its pod and container: done here, or (spill mode) spilled
    /// and done by [`PodGroups`] with the pod's other events.
    #[allow(clippy::too_many_arguments)]
    fn pod_event(
        &mut self,
        e: &EvView,
        key: Key,
        cname: &str,
        init: bool,
        kind: u8,
        flag: u8,
        t: i64,
        last: i64,
        img: u32,
    ) {
        let op = OpView {
            key,
            namespace: e.namespace,
            name: e.name,
            uid: e.uid,
            cname,
            init,
            kind,
            flag,
            t,
            last,
            img,
        };
        let Some(sp) = &mut self.spill else {
            self.apply(&op);
            return;
        };
        if sp.err.is_some() {
            return;
        }
        self.scratch.clear();
        let pod = if e.uid.is_empty() {
            self.scratch.push_str(e.namespace);
            self.scratch.push('/');
            self.scratch.push_str(e.name);
            self.scratch.as_str()
        } else {
            e.uid
        };
        let op = PodOp::new(pod, e, key, cname, init, kind, flag, t, last, img);
        if let Err(err) = sp.ops.push(op) {
            sp.err = Some(err);
        }
    }

    /// A pod event, interpreted (see [`EventsScan::pod_event`]).
    fn apply(&mut self, op: &OpView) {
        let key = op.key;
        let p = self.pod(op.namespace, op.name, op.uid, key);
        match op.kind {
            OP_PULL => {
                let pod = &mut self.pods[p as usize];
                pod.last_max = pod.last_max.max(op.last);
                let ci = self.touch(p, op.cname, op.init, op.t, key) as usize;
                let c = &mut self.conts[ci];
                if c.image == NONE || key < c.image_key {
                    c.image = op.img;
                    c.image_key = key;
                }
                match op.flag {
                    1 => c.pulled = true,
                    2 => c.already_present = true,
                    3 => c.never_pull = true,
                    _ => {}
                }
            }
            OP_TOUCH => {
                let pod = &mut self.pods[p as usize];
                pod.last_max = pod.last_max.max(op.last);
                self.touch(p, op.cname, op.init, op.t, key);
            }
            OP_KILL => {
                let pod = &mut self.pods[p as usize];
                pod.kill = pod.kill.max(op.last);
            }
            _ => {
                let last = op.last;
                let ev = self.evicted.entry(p).or_insert((key, last));
                if key < ev.0 {
                    *ev = (key, last);
                }
            }
        }
    }

    /// The pod of a pod event, created on its first event; an earlier event of the same pod
    /// (by key) gives it its names and start.
    fn pod(&mut self, namespace: &str, name: &str, uid: &str, key: Key) -> u32 {
        self.scratch.clear();
        self.scratch.push_str(namespace);
        self.scratch.push('/');
        self.scratch.push_str(name);
        let key_str = if uid.is_empty() {
            self.scratch.as_str()
        } else {
            uid
        };
        // A pod's events are usually next to each other in the file (kubectl lists them by
        // name, which starts with the pod's): the last pod's key is tried first.
        let kid = match self.last_key {
            Some(k) if self.strs.get(k) == key_str => k,
            _ => self.strs.id(key_str),
        };
        self.last_key = Some(kid);
        let nn = if uid.is_empty() { kid } else { NONE };
        if self.pod_of.len() < self.strs.len() {
            self.pod_of.resize(self.strs.len(), NONE);
        }
        let p = self.pod_of[kid as usize];
        if p != NONE && key >= self.pods[p as usize].created {
            return p;
        }
        // The first event of this pod so far: it names the pod.
        let nn = if nn == NONE {
            self.strs.id(&self.scratch)
        } else {
            nn
        };
        if self.pod_of.len() < self.strs.len() {
            self.pod_of.resize(self.strs.len(), NONE);
        }
        let ns = self.namespaces.id(namespace);
        let uid = if uid.is_empty() { NONE } else { kid };
        if p != NONE {
            let pod = &mut self.pods[p as usize];
            pod.created = key;
            pod.nn = nn;
            pod.ns = ns;
            pod.uid = uid;
            return p;
        }
        let p = u32::try_from(self.pods.len()).expect("fewer than 2^32 pods");
        self.pods.push(ScanPod {
            created: key,
            last_max: i64::MIN,
            kill: i64::MIN,
            nn,
            ns,
            uid,
            head: NONE,
        });
        self.pod_of[kid as usize] = p;
        p
    }

    /// The container `name` of pod `p`, created on its first event; `t` may make its `first`
    /// earlier, and an earlier event (by key) decides whether it is an init container.
    fn touch(&mut self, p: u32, name: &str, init: bool, t: i64, key: Key) -> u32 {
        let name = self.cnames.id(name);
        let mut prev = NONE;
        let mut ci = self.pods[p as usize].head;
        while ci != NONE {
            let c = &mut self.conts[ci as usize];
            if c.name == name {
                c.first = c.first.min(t);
                if key < c.created {
                    c.created = key;
                    c.init = init;
                }
                return ci;
            }
            prev = ci;
            ci = c.next;
        }
        let ci = u32::try_from(self.conts.len()).expect("fewer than 2^32 containers");
        self.conts.push(ScanContainer {
            created: key,
            first: t,
            image_key: key,
            name,
            image: NONE,
            next: NONE,
            init,
            already_present: false,
            pulled: false,
            never_pull: false,
        });
        if prev == NONE {
            self.pods[p as usize].head = ci;
        } else {
            self.conts[prev as usize].next = ci;
        }
        ci
    }

    /// Puts pods and containers in the order of their first events, sorts the few node-level
    /// records by time, and fills `head.images`.
    fn finish(&mut self) {
        let mut order: Vec<u32> = (0..self.pods.len() as u32).collect();
        order.sort_unstable_by_key(|&p| self.pods[p as usize].created);
        self.order = order;
        self.order_containers();
        fn by_key<T>(v: &mut Vec<(Key, T)>) -> Vec<T> {
            v.sort_by_key(|x| x.0);
            v.drain(..).map(|x| x.1).collect()
        }
        self.head.gc_failures = by_key(&mut self.gc_failures);
        self.head.threshold_met = by_key(&mut self.threshold_met);
        self.head.pressure = by_key(&mut self.pressure);
        self.head.evictions = by_key(&mut self.evictions);
        self.head.images = self
            .image_info
            .iter()
            .enumerate()
            .map(|(i, s)| (self.images.get(i as u32).to_string(), s.img.clone()))
            .collect();
        self.image_info = Vec::new();
        self.pod_of = Vec::new();
        // Vectors grow by doubling: give back what the last doubling did not use.
        self.pods.shrink_to_fit();
        self.conts.shrink_to_fit();
        self.pulls.timed_sized.shrink_to_fit();
        self.pulls.timed_unsized.shrink_to_fit();
    }

    /// Spill mode: the pods, in order of their keys (once; `None` when not spilling).
    pub(crate) fn take_pods(&mut self) -> std::io::Result<Option<PodGroups>> {
        let Some(sp) = self.spill.take() else {
            return Ok(None);
        };
        let mut ops = sp.ops.finish()?;
        let next = ops.next()?;
        Ok(Some(PodGroups {
            ops,
            next,
            g: EventsScan::new(None, false),
            any_init: false,
        }))
    }

    /// Puts each pod's containers in the order of their first events.
    fn order_containers(&mut self) {
        let mut list: Vec<u32> = Vec::new();
        for p in 0..self.pods.len() {
            list.clear();
            let mut ci = self.pods[p].head;
            while ci != NONE {
                list.push(ci);
                ci = self.conts[ci as usize].next;
            }
            if list.len() > 1 {
                list.sort_unstable_by_key(|&c| self.conts[c as usize].created);
                self.pods[p].head = list[0];
                for w in list.windows(2) {
                    self.conts[w[0] as usize].next = w[1];
                }
                self.conts[list[list.len() - 1] as usize].next = NONE;
            }
        }
    }

    /// The containers of pod `p`, in order of first appearance.
    pub(crate) fn containers(&self, p: u32) -> impl Iterator<Item = &ScanContainer> + '_ {
        let mut ci = self.pods[p as usize].head;
        std::iter::from_fn(move || {
            (ci != NONE).then(|| {
                let c = &self.conts[ci as usize];
                ci = c.next;
                c
            })
        })
    }

    /// The latest `Started`/`Created`/pull-related time of pod `p`.
    fn last_activity(&self, p: u32) -> i64 {
        let pod = &self.pods[p as usize];
        pod.created.0.max(pod.last_max)
    }

    /// How pod `p` ends: its last `Killing` if nothing started after it, its first `Evicted`.
    pub(crate) fn end(&self, p: u32) -> Option<(i64, PodEndKind)> {
        if let Some((_, t)) = self.evicted.get(&p) {
            return Some((*t, PodEndKind::Evicted));
        }
        let pod = &self.pods[p as usize];
        (pod.kill != i64::MIN && pod.kill >= self.last_activity(p))
            .then_some((pod.kill, PodEndKind::Deleted))
    }

    /// Pod `p`'s uid ("" if none).
    pub(crate) fn uid(&self, p: u32) -> &str {
        match self.pods[p as usize].uid {
            NONE => "",
            u => self.strs.get(u),
        }
    }

    /// Pod `p`'s namespace and name.
    pub(crate) fn names(&self, p: u32) -> (&str, &str) {
        let pod = &self.pods[p as usize];
        let ns = self.namespaces.get(pod.ns);
        (ns, &self.strs.get(pod.nn)[ns.len() + 1..])
    }

    /// The whole [`EventsImport`], with a record per pod and (when kept) per pull.
    pub(crate) fn into_import(mut self) -> EventsImport {
        let pods = self
            .order
            .iter()
            .map(|&p| {
                let (namespace, name) = self.names(p);
                EventPod {
                    namespace: namespace.to_string(),
                    name: name.to_string(),
                    uid: self.uid(p).to_string(),
                    containers: self
                        .containers(p)
                        .map(|c| EventContainer {
                            name: self.cnames.get(c.name).to_string(),
                            init: c.init,
                            image: (c.image != NONE).then(|| self.images.get(c.image).to_string()),
                            first: c.first,
                            already_present: c.already_present,
                            pulled: c.pulled,
                            never_pull: c.never_pull,
                        })
                        .collect(),
                    last_activity: self.last_activity(p),
                    end: self.end(p),
                }
            })
            .collect();
        self.head.pods = pods;
        self.pull_records.sort_by_key(|x| x.0);
        self.head.pulls = self.pull_records.drain(..).map(|x| x.1).collect();
        self.head
    }
}

/// Typed reading of one item: only the fields [`read_event`] looks at, with the types it
/// accepts, strings borrowed from the buffer where they need no unescaping. Anything else (a
/// field of another type, a time that does not parse, a duplicate key, …) makes the whole
/// file go through the general reader, so results and error messages are its own.
mod fast {
    use std::borrow::Cow;
    use std::marker::PhantomData;

    use serde::de::value::MapAccessDeserializer;
    use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};

    use super::EvView;
    use crate::workload::import::common::{parse_rfc3339, ItemRead};

    /// A JSON object (serde's derive would also take an array, field by field).
    pub struct Obj<T>(pub T);

    impl<'de, T: Deserialize<'de>> Deserialize<'de> for Obj<T> {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct V<T>(PhantomData<T>);
            impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
                type Value = Obj<T>;
                fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                    f.write_str("an object")
                }
                fn visit_map<A: MapAccess<'de>>(self, m: A) -> Result<Obj<T>, A::Error> {
                    T::deserialize(MapAccessDeserializer::new(m)).map(Obj)
                }
            }
            d.deserialize_map(V(PhantomData))
        }
    }

    /// A string, borrowed from the buffer unless it has escapes. (serde's own `Cow<str>`
    /// always copies inside an `Option`.)
    pub struct Str<'a>(Cow<'a, str>);

    impl<'de: 'a, 'a> Deserialize<'de> for Str<'a> {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct V<'a>(PhantomData<&'a ()>);
            impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
                type Value = Str<'a>;
                fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                    f.write_str("a string")
                }
                fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Str<'a>, E> {
                    Ok(Str(Cow::Borrowed(v)))
                }
                fn visit_str<E>(self, v: &str) -> Result<Str<'a>, E> {
                    Ok(Str(Cow::Owned(v.to_string())))
                }
                fn visit_string<E>(self, v: String) -> Result<Str<'a>, E> {
                    Ok(Str(Cow::Owned(v)))
                }
            }
            d.deserialize_str(V(PhantomData))
        }
    }

    type S<'a> = Option<Str<'a>>;
    type O<T> = Option<Obj<T>>;

    #[derive(serde::Deserialize)]
    pub struct Object<'a> {
        #[serde(borrow, default)]
        kind: S<'a>,
        #[serde(borrow, default)]
        namespace: S<'a>,
        #[serde(borrow, default)]
        name: S<'a>,
        #[serde(borrow, default)]
        uid: S<'a>,
        #[serde(rename = "fieldPath", borrow, default)]
        field_path: S<'a>,
    }

    #[derive(serde::Deserialize)]
    pub struct Source<'a> {
        #[serde(borrow, default)]
        component: S<'a>,
        #[serde(borrow, default)]
        host: S<'a>,
    }

    #[derive(serde::Deserialize)]
    pub struct Meta<'a> {
        #[serde(borrow, default)]
        namespace: S<'a>,
        #[serde(rename = "creationTimestamp", borrow, default)]
        creation_timestamp: S<'a>,
    }

    #[derive(serde::Deserialize)]
    pub struct Series<'a> {
        #[serde(rename = "lastObservedTime", borrow, default)]
        last_observed_time: S<'a>,
        #[serde(default)]
        count: Option<u64>,
    }

    #[derive(serde::Deserialize)]
    pub struct Item<'a> {
        #[serde(rename = "firstTimestamp", borrow, default)]
        first_timestamp: S<'a>,
        #[serde(rename = "deprecatedFirstTimestamp", borrow, default)]
        deprecated_first_timestamp: S<'a>,
        #[serde(rename = "lastTimestamp", borrow, default)]
        last_timestamp: S<'a>,
        #[serde(rename = "deprecatedLastTimestamp", borrow, default)]
        deprecated_last_timestamp: S<'a>,
        #[serde(rename = "eventTime", borrow, default)]
        event_time: S<'a>,
        #[serde(default)]
        count: Option<u64>,
        #[serde(rename = "deprecatedCount", default)]
        deprecated_count: Option<u64>,
        #[serde(borrow, default)]
        reason: S<'a>,
        #[serde(borrow, default)]
        message: S<'a>,
        #[serde(borrow, default)]
        note: S<'a>,
        #[serde(rename = "reportingComponent", borrow, default)]
        reporting_component: S<'a>,
        #[serde(rename = "reportingController", borrow, default)]
        reporting_controller: S<'a>,
        #[serde(rename = "reportingInstance", borrow, default)]
        reporting_instance: S<'a>,
        #[serde(rename = "involvedObject", borrow, default)]
        involved_object: O<Object<'a>>,
        #[serde(borrow, default)]
        regarding: O<Object<'a>>,
        #[serde(borrow, default)]
        source: O<Source<'a>>,
        #[serde(rename = "deprecatedSource", borrow, default)]
        deprecated_source: O<Source<'a>>,
        #[serde(borrow, default)]
        metadata: O<Meta<'a>>,
        #[serde(borrow, default)]
        series: O<Series<'a>>,
    }

    /// `read_event`'s `pick`: `a` unless null.
    fn pick<'a, T>(a: &'a Option<T>, b: &'a Option<T>) -> &'a Option<T> {
        if a.is_some() {
            a
        } else {
            b
        }
    }

    fn s<'a>(v: &'a S<'_>) -> Option<&'a str> {
        v.as_ref().map(|x| &*x.0)
    }

    /// A time, `Err` when it does not parse (the general reader reports it).
    fn t(v: &S<'_>) -> Result<Option<i64>, ()> {
        match s(v) {
            None | Some("") => Ok(None),
            Some(x) => parse_rfc3339(x).map(Some).ok_or(()),
        }
    }

    /// The event, when the item has the usual shape and types.
    fn view<'a>(it: &'a Item<'_>, index: usize) -> Option<EvView<'a>> {
        let obj = &pick(&it.involved_object, &it.regarding).as_ref()?.0;
        let source = pick(&it.source, &it.deprecated_source)
            .as_ref()
            .map(|x| &x.0);
        let meta = it.metadata.as_ref().map(|x| &x.0);
        let series = it.series.as_ref().map(|x| &x.0);
        let first_own = t(pick(&it.first_timestamp, &it.deprecated_first_timestamp)).ok()?;
        let first = first_own;
        let event_time = t(&it.event_time).ok()?;
        let created = match meta {
            Some(m) => t(&m.creation_timestamp).ok()?,
            None => None,
        };
        let first = first.or(event_time).or(created);
        let last_s = pick(&it.last_timestamp, &it.deprecated_last_timestamp);
        // Usually the same text as firstTimestamp: parsed once.
        let same = matches!(
            (s(last_s), s(pick(&it.first_timestamp, &it.deprecated_first_timestamp))),
            (Some(a), Some(b)) if a == b
        );
        let last = if same { first_own } else { t(last_s).ok()? };
        let observed = match series {
            Some(x) => t(&x.last_observed_time).ok()?,
            None => None,
        };
        let last = last.or(observed).or(first);
        let count = (*pick(&it.count, &it.deprecated_count))
            .or(series.and_then(|x| x.count))
            .unwrap_or(1);
        let namespace = s(&obj.namespace).or(meta.and_then(|m| s(&m.namespace)));
        Some(EvView {
            index,
            reason: s(&it.reason).unwrap_or(""),
            message: s(pick(&it.message, &it.note)).unwrap_or(""),
            object_kind: s(&obj.kind).unwrap_or(""),
            namespace: namespace.unwrap_or(""),
            name: s(&obj.name)?,
            uid: s(&obj.uid).unwrap_or(""),
            field_path: s(&obj.field_path),
            component: source.and_then(|x| s(&x.component)),
            host: source.and_then(|x| s(&x.host)),
            reporting_component: s(pick(&it.reporting_component, &it.reporting_controller)),
            reporting_instance: s(&it.reporting_instance),
            first,
            last,
            count,
        })
    }

    /// Reads the item at the front of `text` and hands its event to `f`.
    pub fn read(text: &str, index: usize, f: &mut dyn FnMut(&EvView)) -> ItemRead {
        // Items are objects; anything else is for the general reader.
        if !text.starts_with('{') {
            return ItemRead::Unusual;
        }
        let mut items = serde_json::Deserializer::from_str(text).into_iter::<Obj<Item>>();
        match items.next() {
            Some(Ok(Obj(item))) => match view(&item, index) {
                Some(e) => {
                    f(&e);
                    ItemRead::Read(items.byte_offset())
                }
                None => ItemRead::Unusual,
            },
            Some(Err(e)) if e.is_eof() => ItemRead::Short,
            _ => ItemRead::Unusual,
        }
    }
}

fn read_event(at: &At, index: usize) -> Result<RawEvent, InputError> {
    // core/v1 names first, then events.k8s.io/v1.
    let pick = |a: &str, b: &str| -> Result<At, InputError> {
        let x = at.field(a)?;
        if x.is_null() {
            at.field(b)
        } else {
            Ok(x)
        }
    };
    let obj = pick("involvedObject", "regarding")?;
    if obj.is_null() {
        return Err(at
            .field("involvedObject")?
            .err("missing (or regarding, in events.k8s.io/v1): every event names its object"));
    }
    let source = pick("source", "deprecatedSource")?;
    let meta = at.field("metadata")?;
    let first = pick("firstTimestamp", "deprecatedFirstTimestamp")?
        .opt_time()?
        .or(at.field("eventTime")?.opt_time()?)
        .or(meta.field("creationTimestamp")?.opt_time()?);
    let last = pick("lastTimestamp", "deprecatedLastTimestamp")?
        .opt_time()?
        .or(at.fields(&["series", "lastObservedTime"])?.opt_time()?)
        .or(first);
    let count = pick("count", "deprecatedCount")?
        .opt_u64()?
        .or(at.fields(&["series", "count"])?.opt_u64()?)
        .unwrap_or(1);
    let opt =
        |a: At| -> Result<Option<String>, InputError> { Ok(a.opt_str()?.map(str::to_string)) };
    Ok(RawEvent {
        index,
        reason: at.field("reason")?.opt_str()?.unwrap_or("").to_string(),
        message: pick("message", "note")?
            .opt_str()?
            .unwrap_or("")
            .to_string(),
        object_kind: obj.field("kind")?.opt_str()?.unwrap_or("").to_string(),
        namespace: obj
            .field("namespace")?
            .opt_str()?
            .or(meta.field("namespace")?.opt_str()?)
            .unwrap_or("")
            .to_string(),
        name: obj.field("name")?.str()?.to_string(),
        uid: obj.field("uid")?.opt_str()?.unwrap_or("").to_string(),
        field_path: opt(obj.field("fieldPath")?)?,
        component: opt(source.field("component")?)?,
        host: opt(source.field("host")?)?,
        reporting_component: opt(pick("reportingComponent", "reportingController")?)?,
        reporting_instance: opt(at.field("reportingInstance")?)?,
        first,
        last,
        count,
    })
}

/// Container name from the field path, or from `Started container <name>` style messages.
fn container_of<'a>(e: &EvView<'a>) -> (&'a str, bool) {
    if let Some(c) = e.container_ref() {
        return c;
    }
    for p in [
        "Started container ",
        "Created container ",
        "Stopping container ",
    ] {
        if let Some(n) = e.message.trim().strip_prefix(p) {
            return (n.trim(), false);
        }
    }
    ("", false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interner_keeps_ids_through_growth() {
        let mut t = Interner::default();
        assert_eq!(t.find("x"), None);
        let words: Vec<String> = (0..1000).map(|i| format!("ns/pod-{i}")).collect();
        for (i, w) in words.iter().enumerate() {
            assert_eq!(t.id(w), i as u32);
        }
        assert_eq!(t.id(""), 1000);
        for (i, w) in words.iter().enumerate() {
            assert_eq!(t.id(w), i as u32);
            assert_eq!(t.find(w), Some(i as u32));
            assert_eq!(t.get(i as u32), w);
        }
        assert_eq!(t.get(1000), "");
        assert_eq!(t.find("ns/pod-1000"), None);
        assert_eq!(t.len(), 1001);
    }

    #[test]
    fn duration_tokens_stop_at_the_sentence() {
        assert_eq!(
            duration_token("1.481s. Image size"),
            Some((1_481_000_000, ". Image size"))
        );
        assert_eq!(duration_token("490ms (x"), Some((490_000_000, " (x")));
        assert_eq!(duration_token("1m2.5s"), Some((62_500_000_000, "")));
    }
}
