//! Kubernetes Events, `kubectl get events -A -o json` (or `-o yaml`), data-formats.md §3.
//!
//! Each item is a core/v1 `Event` (events.k8s.io/v1 field names are accepted too: `regarding`,
//! `note`, `deprecated*`). Items are streamed. Only the kubelet's events from one node are used
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
use std::rc::Rc;

use super::common::{read_document, read_json_list_fast, At};
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

/// A [`RawEvent`] whose strings are borrowed (from a just-read item or from [`Strings`]).
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
        let fp = self.field_path?;
        let open = fp.find('{')?;
        let close = fp.rfind('}')?;
        if close <= open {
            return None;
        }
        let name = fp[open + 1..close].to_string();
        Some((name, fp.starts_with("spec.initContainers")))
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
    let msg = message.trim();
    let msg = msg.strip_prefix(COMBINED).unwrap_or(msg);
    if let Some((image, _)) =
        quoted_after(msg, "Pulling image \"").or_else(|| quoted_after(msg, "pulling image \""))
    {
        return Some(PullMessage::Pulling {
            image: image.to_string(),
        });
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
            let digits: String = r.chars().take_while(|c| c.is_ascii_digit()).collect();
            size = digits.parse().ok();
        }
        return Some(PullMessage::Pulled {
            image: image.to_string(),
            pull,
            total,
            size,
        });
    }
    if let Some((image, rest)) = quoted_after(msg, "Container image \"") {
        if rest.starts_with(" already present on machine") {
            return Some(PullMessage::AlreadyPresent {
                image: image.to_string(),
            });
        }
        if rest.starts_with(" is not present with pull policy of Never") {
            return Some(PullMessage::NeverPull {
                image: image.to_string(),
            });
        }
        return None;
    }
    if let Some((image, rest)) = quoted_after(msg, "Failed to pull image \"") {
        return Some(PullMessage::Failed {
            image: image.to_string(),
            error: rest.trim_start_matches(':').trim().to_string(),
        });
    }
    if let Some((image, _)) = quoted_after(msg, "Back-off pulling image \"") {
        return Some(PullMessage::BackOff {
            image: image.to_string(),
        });
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
///
/// Plain JSON lists are cut into items in big buffered chunks, and each item is deserialized
/// from its slice straight into [`fast::Item`] (only the fields an event needs; everything else
/// is skipped); anything else (YAML, syntax errors, duplicate keys, …) is read again by the
/// general reader, item by item as `Value`s, so results and errors are unchanged. Each kept
/// event is stored
/// as a [`Compact`] row of interned strings, ~100 bytes plus its distinct strings: all events
/// must be held because they are interpreted in time order, not file order.
pub fn parse_events(file: &Path, node: Option<&str>) -> Result<EventsImport, InputError> {
    let mut acc = Acc::default();
    let on_item = |acc: &mut Acc, i: usize, item: fast::Node<fast::Item>| {
        let slow;
        let e = match fast::view(&item, i) {
            Some(e) => e,
            None => {
                // An odd shape: the general reader gives the exact error (or the event).
                let v = item.to_value();
                slow = read_event(&At::new(file, &v, format!("items[{i}]")), i)?;
                slow.view()
            }
        };
        acc.add(e, node);
        Ok(())
    };
    let fast_read = read_json_list_fast(file, &["items"], &mut |_, i, item| {
        on_item(&mut acc, i, item)
    })?;
    let rest = match fast_read {
        Some(rest) => rest,
        None => {
            // Not plain JSON of the usual shape (YAML, a syntax error, …): the general reader.
            // Items as whole `Value`s here, exactly as before the fast path (duplicate keys, …).
            acc = Acc::default();
            read_document(file, &["items"], &mut |_, i, v| {
                let e = read_event(&At::new(file, &v, format!("items[{i}]")), i)?;
                acc.add(e.view(), node);
                Ok(())
            })?
        }
    };
    // `kubectl get event NAME -o json|yaml`: one Event, not a List.
    if rest.contains_key("involvedObject") || rest.contains_key("regarding") {
        let one = serde_json::Value::Object(rest);
        let e = read_event(&At::new(file, &one, ""), 0)?;
        acc.add(e.view(), node);
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
    let Acc {
        strings,
        raw,
        total,
        mut other_hosts,
        mut without_host,
    } = acc;
    let node = match node {
        Some(n) => Some(n.to_string()),
        None => {
            let mut by_host: BTreeMap<&str, usize> = BTreeMap::new();
            for e in &raw {
                if let Some(h) = e.view(&strings).kubelet_host() {
                    *by_host.entry(h).or_default() += 1;
                }
            }
            by_host
                .iter()
                .max_by_key(|(h, n)| (**n, std::cmp::Reverse(**h)))
                .map(|(h, _)| h.to_string())
        }
    };
    // In place: a second vector of events would double the peak.
    let mut kept = raw;
    kept.retain(|c| {
        let e = c.view(&strings);
        let keep = match &node {
            Some(n) => e.is_from_node(n),
            None => false,
        };
        if !keep {
            match e.kubelet_host() {
                Some(h) => *other_hosts.entry(h.to_string()).or_default() += 1,
                None => without_host += 1,
            }
        }
        keep
    });
    let mut out = interpret(kept, &strings);
    out.total = total;
    out.node = node;
    out.other_hosts = other_hosts;
    out.without_host = without_host;
    Ok(out)
}

/// The events read so far.
#[derive(Default)]
struct Acc {
    strings: Strings,
    raw: Vec<Compact>,
    total: usize,
    other_hosts: BTreeMap<String, usize>,
    without_host: usize,
}

impl Acc {
    fn add(&mut self, e: EvView, node: Option<&str>) {
        self.total += 1;
        match node {
            Some(n) if !e.is_from_node(n) => match e.kubelet_host() {
                Some(h) => match self.other_hosts.get_mut(h) {
                    Some(c) => *c += 1,
                    None => {
                        self.other_hosts.insert(h.to_string(), 1);
                    }
                },
                None => self.without_host += 1,
            },
            _ => self.raw.push(self.strings.compact(&e)),
        }
    }
}

/// Interned strings: each distinct string once, named by its index.
#[derive(Default)]
struct Strings {
    ids: HashMap<Rc<str>, u32>,
    all: Vec<Rc<str>>,
}

const NO_STR: u32 = u32::MAX;

impl Strings {
    fn id(&mut self, s: &str) -> u32 {
        if let Some(&i) = self.ids.get(s) {
            return i;
        }
        let r: Rc<str> = Rc::from(s);
        let i = u32::try_from(self.all.len()).expect("fewer than 2^32 distinct strings");
        self.all.push(r.clone());
        self.ids.insert(r, i);
        i
    }

    fn opt_id(&mut self, s: Option<&str>) -> u32 {
        s.map_or(NO_STR, |s| self.id(s))
    }

    fn get(&self, i: u32) -> &str {
        &self.all[i as usize]
    }

    fn opt(&self, i: u32) -> Option<&str> {
        (i != NO_STR).then(|| self.get(i))
    }

    fn compact(&mut self, e: &EvView) -> Compact {
        Compact {
            index: e.index,
            first: e.first,
            last: e.last,
            count: e.count,
            s: [
                self.id(e.reason),
                self.id(e.message),
                self.id(e.object_kind),
                self.id(e.namespace),
                self.id(e.name),
                self.id(e.uid),
                self.opt_id(e.field_path),
                self.opt_id(e.component),
                self.opt_id(e.host),
                self.opt_id(e.reporting_component),
                self.opt_id(e.reporting_instance),
            ],
        }
    }
}

/// A [`RawEvent`] with its strings in [`Strings`].
struct Compact {
    index: usize,
    first: Option<i64>,
    last: Option<i64>,
    count: u64,
    /// reason, message, object kind, namespace, name, uid, field path, component, host,
    /// reporting component, reporting instance.
    s: [u32; 11],
}

impl Compact {
    fn view<'a>(&self, t: &'a Strings) -> EvView<'a> {
        let s = &self.s;
        EvView {
            index: self.index,
            reason: t.get(s[0]),
            message: t.get(s[1]),
            object_kind: t.get(s[2]),
            namespace: t.get(s[3]),
            name: t.get(s[4]),
            uid: t.get(s[5]),
            field_path: t.opt(s[6]),
            component: t.opt(s[7]),
            host: t.opt(s[8]),
            reporting_component: t.opt(s[9]),
            reporting_instance: t.opt(s[10]),
            first: self.first,
            last: self.last,
            count: self.count,
        }
    }
}

/// Typed reading of one item: only the fields [`read_event`] looks at, each kept as a small
/// `Value` (a string or number). [`view`] reads the usual shapes without building paths or
/// a whole `Value`; anything else goes back through [`read_event`] on [`Node::to_value`], so
/// results and error messages are those of the general reader.
mod fast {
    use std::marker::PhantomData;

    use serde::de::value::{MapAccessDeserializer, SeqAccessDeserializer};
    use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
    use serde_json::{Map, Value};

    use super::EvView;
    use crate::workload::import::common::parse_rfc3339;

    /// An object read as `T`, or any other JSON value as is.
    pub enum Node<T> {
        Obj(T),
        Other(Value),
    }

    impl<'de, T: Deserialize<'de>> Deserialize<'de> for Node<T> {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct V<T>(PhantomData<T>);
            impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
                type Value = Node<T>;
                fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                    f.write_str("any JSON value")
                }
                fn visit_map<A: MapAccess<'de>>(self, m: A) -> Result<Node<T>, A::Error> {
                    T::deserialize(MapAccessDeserializer::new(m)).map(Node::Obj)
                }
                fn visit_seq<A: SeqAccess<'de>>(self, s: A) -> Result<Node<T>, A::Error> {
                    Value::deserialize(SeqAccessDeserializer::new(s)).map(Node::Other)
                }
                fn visit_bool<E>(self, v: bool) -> Result<Node<T>, E> {
                    Ok(Node::Other(Value::Bool(v)))
                }
                fn visit_i64<E>(self, v: i64) -> Result<Node<T>, E> {
                    Ok(Node::Other(Value::from(v)))
                }
                fn visit_u64<E>(self, v: u64) -> Result<Node<T>, E> {
                    Ok(Node::Other(Value::from(v)))
                }
                fn visit_f64<E>(self, v: f64) -> Result<Node<T>, E> {
                    Ok(Node::Other(Value::from(v)))
                }
                fn visit_str<E>(self, v: &str) -> Result<Node<T>, E> {
                    Ok(Node::Other(Value::String(v.to_string())))
                }
                fn visit_string<E>(self, v: String) -> Result<Node<T>, E> {
                    Ok(Node::Other(Value::String(v)))
                }
                fn visit_unit<E>(self) -> Result<Node<T>, E> {
                    Ok(Node::Other(Value::Null))
                }
                fn visit_none<E>(self) -> Result<Node<T>, E> {
                    Ok(Node::Other(Value::Null))
                }
                fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Node<T>, D::Error> {
                    Node::deserialize(d)
                }
            }
            d.deserialize_any(V(PhantomData))
        }
    }

    pub trait ToValue {
        fn to_value(&self) -> Value;
    }

    impl<T: ToValue> Node<T> {
        pub fn to_value(&self) -> Value {
            match self {
                Node::Obj(t) => t.to_value(),
                Node::Other(v) => v.clone(),
            }
        }
    }

    fn put(m: &mut Map<String, Value>, k: &str, v: &Option<Value>) {
        if let Some(v) = v {
            m.insert(k.to_string(), v.clone());
        }
    }

    fn put_node<T: ToValue>(m: &mut Map<String, Value>, k: &str, v: &Option<Node<T>>) {
        if let Some(v) = v {
            m.insert(k.to_string(), v.to_value());
        }
    }

    /// Declares a struct of optional leaves and nodes, and its [`ToValue`].
    macro_rules! shape {
        ($name:ident { $($leaf:ident : $lkey:literal),* ; $($node:ident : $nty:ty = $nkey:literal),* }) => {
            #[derive(serde::Deserialize)]
            pub struct $name {
                $(#[serde(rename = $lkey, default)] pub $leaf: Option<Value>,)*
                $(#[serde(rename = $nkey, default)] pub $node: Option<Node<$nty>>,)*
            }
            impl ToValue for $name {
                fn to_value(&self) -> Value {
                    let mut m = Map::new();
                    $(put(&mut m, $lkey, &self.$leaf);)*
                    $(put_node(&mut m, $nkey, &self.$node);)*
                    Value::Object(m)
                }
            }
        };
    }

    shape!(Object {
        kind: "kind", namespace: "namespace", name: "name", uid: "uid", field_path: "fieldPath";
    });
    shape!(Source { component: "component", host: "host"; });
    shape!(Meta { namespace: "namespace", creation_timestamp: "creationTimestamp"; });
    shape!(Series { last_observed_time: "lastObservedTime", count: "count"; });
    shape!(Item {
        first_timestamp: "firstTimestamp",
        deprecated_first_timestamp: "deprecatedFirstTimestamp",
        last_timestamp: "lastTimestamp",
        deprecated_last_timestamp: "deprecatedLastTimestamp",
        event_time: "eventTime",
        count: "count",
        deprecated_count: "deprecatedCount",
        reason: "reason",
        message: "message",
        note: "note",
        reporting_component: "reportingComponent",
        reporting_controller: "reportingController",
        reporting_instance: "reportingInstance";
        involved_object: Object = "involvedObject",
        regarding: Object = "regarding",
        source: Source = "source",
        deprecated_source: Source = "deprecatedSource",
        metadata: Meta = "metadata",
        series: Series = "series"
    });

    /// `read_event`'s `pick`: `a` unless null.
    fn pick<'a, T>(a: &'a Option<T>, b: &'a Option<T>) -> &'a Option<T> {
        if a.is_some() {
            a
        } else {
            b
        }
    }

    type R<T> = Result<T, ()>;

    fn s(v: &Option<Value>) -> R<Option<&str>> {
        match v {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            _ => Err(()),
        }
    }

    fn t(v: &Option<Value>) -> R<Option<i64>> {
        match s(v)? {
            None | Some("") => Ok(None),
            Some(x) => parse_rfc3339(x).map(Some).ok_or(()),
        }
    }

    fn u(v: &Option<Value>) -> R<Option<u64>> {
        match v {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) => n.as_u64().map(Some).ok_or(()),
            _ => Err(()),
        }
    }

    fn node<T>(n: &Option<Node<T>>) -> R<Option<&T>> {
        match n {
            None | Some(Node::Other(Value::Null)) => Ok(None),
            Some(Node::Obj(t)) => Ok(Some(t)),
            Some(Node::Other(_)) => Err(()),
        }
    }

    /// The event, when the item has the usual shape and types (else `None`: use `read_event`).
    pub fn view(item: &Node<Item>, index: usize) -> Option<EvView<'_>> {
        let Node::Obj(it) = item else {
            return None;
        };
        let r: R<EvView> = (|| {
            let obj = node(pick(&it.involved_object, &it.regarding))?.ok_or(())?;
            let source = node(pick(&it.source, &it.deprecated_source))?;
            let meta = node(&it.metadata)?;
            let series = node(&it.series)?;
            let none: &'static Option<Value> = &None;
            let first = t(pick(&it.first_timestamp, &it.deprecated_first_timestamp))?;
            let event_time = t(&it.event_time)?;
            let created = t(meta.map_or(none, |m| &m.creation_timestamp))?;
            let first = first.or(event_time).or(created);
            let last = t(pick(&it.last_timestamp, &it.deprecated_last_timestamp))?;
            let observed = t(series.map_or(none, |x| &x.last_observed_time))?;
            let last = last.or(observed).or(first);
            let count = u(pick(&it.count, &it.deprecated_count))?;
            let series_count = u(series.map_or(none, |x| &x.count))?;
            let count = count.or(series_count).unwrap_or(1);
            let namespace = s(&obj.namespace)?;
            let meta_ns = s(meta.map_or(none, |m| &m.namespace))?;
            Ok(EvView {
                index,
                reason: s(&it.reason)?.unwrap_or(""),
                message: s(pick(&it.message, &it.note))?.unwrap_or(""),
                object_kind: s(&obj.kind)?.unwrap_or(""),
                namespace: namespace.or(meta_ns).unwrap_or(""),
                name: s(&obj.name)?.ok_or(())?,
                uid: s(&obj.uid)?.unwrap_or(""),
                field_path: s(&obj.field_path)?,
                component: s(source.map_or(none, |x| &x.component))?,
                host: s(source.map_or(none, |x| &x.host))?,
                reporting_component: s(pick(&it.reporting_component, &it.reporting_controller))?,
                reporting_instance: s(&it.reporting_instance)?,
                first,
                last,
                count,
            })
        })();
        r.ok()
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
        return Err(obj.err("missing: every event names its object"));
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
fn container_of(e: &EvView) -> (String, bool) {
    if let Some(c) = e.container() {
        return c;
    }
    for p in [
        "Started container ",
        "Created container ",
        "Stopping container ",
    ] {
        if let Some(n) = e.message.trim().strip_prefix(p) {
            return (n.trim().to_string(), false);
        }
    }
    (String::new(), false)
}

fn interpret(mut events: Vec<Compact>, strings: &Strings) -> EventsImport {
    // The index is unique, so an unstable sort gives the same order (and allocates nothing).
    events.sort_unstable_by_key(|e| (e.first.or(e.last), e.index));
    let mut out = EventsImport {
        total: 0,
        node: None,
        from_node: events.len(),
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
    };
    // Only looked up, never iterated: a hash map (pod keys are many and share long prefixes).
    let mut pod_index: HashMap<String, usize> = HashMap::new();
    let mut kills: BTreeMap<usize, i64> = BTreeMap::new();
    let mut evicted: BTreeMap<usize, i64> = BTreeMap::new();
    let mut span: Option<(i64, i64)> = None;
    let widen = |t: i64, span: &mut Option<(i64, i64)>| {
        *span = Some(match *span {
            None => (t, t),
            Some((a, b)) => (a.min(t), b.max(t)),
        });
    };
    for c in &events {
        let e = &c.view(strings);
        let (Some(first), Some(last)) = (e.first, e.last) else {
            out.without_time += 1;
            continue;
        };
        widen(first, &mut span);
        widen(last, &mut span);
        let reason = e.reason;
        let is_pod = e.object_kind == "Pod" || (e.object_kind.is_empty() && e.field_path.is_some());
        // Pod-level events.
        if is_pod {
            let key = if e.uid.is_empty() {
                format!("{}/{}", e.namespace, e.name)
            } else {
                e.uid.to_string()
            };
            let mut pod = |out: &mut EventsImport| -> usize {
                if let Some(&i) = pod_index.get(&key) {
                    return i;
                }
                out.pods.push(EventPod {
                    namespace: e.namespace.to_string(),
                    name: e.name.to_string(),
                    uid: e.uid.to_string(),
                    containers: Vec::new(),
                    last_activity: first,
                    end: None,
                });
                pod_index.insert(key.clone(), out.pods.len() - 1);
                out.pods.len() - 1
            };
            let touch = |p: &mut EventPod, name: &str, init: bool, t: i64| -> usize {
                match p.containers.iter().position(|c| c.name == name) {
                    Some(i) => {
                        p.containers[i].first = p.containers[i].first.min(t);
                        i
                    }
                    None => {
                        p.containers.push(EventContainer {
                            name: name.to_string(),
                            init,
                            image: None,
                            first: t,
                            already_present: false,
                            pulled: false,
                            never_pull: false,
                        });
                        p.containers.len() - 1
                    }
                }
            };
            match reason {
                "Pulling" | "Pulled" | "Failed" | "FailedPullImage" | "BackOff"
                | "ErrImageNeverPull" | "InspectFailed" => {
                    let Some(m) = parse_pull_message(e.message) else {
                        if matches!(reason, "Pulling" | "Pulled") {
                            out.unparsed_pull_messages += 1;
                        } else {
                            *out.not_replayed.entry(reason.to_string()).or_default() += 1;
                        }
                        continue;
                    };
                    let (cname, init) = container_of(e);
                    let p = pod(&mut out);
                    let start = match &m {
                        PullMessage::Pulled { total: Some(t), .. } => last - t,
                        PullMessage::Pulled { pull: Some(t), .. } => last - t,
                        _ => first,
                    };
                    widen(start, &mut span);
                    let pod = &mut out.pods[p];
                    pod.last_activity = pod.last_activity.max(last);
                    let ci = touch(pod, &cname, init, start);
                    let c = &mut pod.containers[ci];
                    if c.image.is_none() {
                        c.image = Some(m.image().to_string());
                    }
                    let img = out
                        .images
                        .entry(m.image().to_string())
                        .or_insert(EventImage {
                            size: None,
                            first_seen: start,
                            first_was_present: matches!(m, PullMessage::AlreadyPresent { .. }),
                            pulls: 0,
                            uses: 0,
                        });
                    if start < img.first_seen {
                        img.first_seen = start;
                        img.first_was_present = matches!(m, PullMessage::AlreadyPresent { .. });
                    }
                    match m {
                        PullMessage::Pulled {
                            image,
                            pull,
                            total,
                            size,
                        } => {
                            c.pulled = true;
                            img.pulls += 1;
                            if size.is_some() {
                                img.size = size;
                            }
                            out.pulls.push(PullRecord {
                                pod: format!("{}/{}", e.namespace, e.name),
                                container: cname,
                                image,
                                end: last,
                                pull,
                                total,
                                size,
                                count: e.count,
                            });
                        }
                        PullMessage::AlreadyPresent { .. } => {
                            c.already_present = true;
                            img.uses += 1;
                            out.already_present += 1;
                        }
                        PullMessage::Pulling { .. } => {}
                        PullMessage::NeverPull { .. } => {
                            c.never_pull = true;
                            *out.not_replayed.entry(reason.to_string()).or_default() += 1;
                        }
                        _ => *out.not_replayed.entry(reason.to_string()).or_default() += 1,
                    }
                }
                "Started" | "Created" => {
                    let (cname, init) = container_of(e);
                    let p = pod(&mut out);
                    let pod = &mut out.pods[p];
                    pod.last_activity = pod.last_activity.max(last);
                    touch(pod, &cname, init, first);
                }
                "Killing" => {
                    let p = pod(&mut out);
                    let k = kills.entry(p).or_insert(last);
                    *k = (*k).max(last);
                }
                "Evicted" => {
                    let p = pod(&mut out);
                    evicted.entry(p).or_insert(last);
                    out.evictions.push((
                        last,
                        format!("{}/{}", e.namespace, e.name),
                        parse_eviction_message(e.message),
                    ));
                }
                _ => *out.unknown_reasons.entry(reason.to_string()).or_default() += 1,
            }
            continue;
        }
        // Node-level events.
        match reason {
            "FreeDiskSpaceFailed" | "ImageGCFailed" => match parse_gc_failure(e.message) {
                Some(g) => out.gc_failures.push((last, reason.to_string(), g)),
                None => *out.not_replayed.entry(reason.to_string()).or_default() += 1,
            },
            "EvictionThresholdMet" => out
                .threshold_met
                .push((last, parse_threshold_met(e.message).unwrap_or_default())),
            "NodeHasDiskPressure" => out.pressure.push((last, true)),
            "NodeHasNoDiskPressure" => out.pressure.push((last, false)),
            "InvalidDiskCapacity" => *out.not_replayed.entry(reason.to_string()).or_default() += 1,
            _ => *out.unknown_reasons.entry(reason.to_string()).or_default() += 1,
        }
    }
    for (p, t) in kills {
        let pod = &mut out.pods[p];
        if t >= pod.last_activity {
            pod.end = Some((t, PodEndKind::Deleted));
        }
    }
    for (p, t) in evicted {
        out.pods[p].end = Some((t, PodEndKind::Evicted));
    }
    out.span = span;
    out
}

#[cfg(test)]
mod tests {
    use super::*;

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
