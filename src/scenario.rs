//! The scenario file (TOML): its schema, defaults and validation.
//!
//! Field names are a contract (see README "Scenario format"); `[kubelet]` uses the
//! KubeletConfiguration names and value syntax. Every error names the file, the line and the
//! field. Validation of kubelet fields is `kubelet::config`'s; this module only locates errors.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde::Deserialize;
use toml::Spanned;

use crate::engine::SimTime;
use crate::error::{line_of, plain_message, toml_key_at, InputError};
pub(crate) use crate::input::with_value;
pub use crate::input::NumOrStr;
use crate::kubelet::config::{KubeletConfig, KubeletConfigInput};
use crate::kubelet::events::FreeDiskSpaceWording;
use crate::kubelet::eviction::helpers::{effective_eviction_hard, parse_threshold_config};
use crate::kubelet::eviction::manager::EvictionConfig;
use crate::kubelet::versions::VersionProfile;
use crate::node::catalog::{Catalog, ImageSpec, LayerSpec, SizeReporting};
use crate::node::{Layout, NodeSpec, Runtime};
use crate::units::{parse_bytes, parse_go_duration, parse_sim_duration};
use crate::wallclock::WallTime;
use crate::workload::trace::{parse_trace, TraceEvent};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScenario {
    name: Spanned<String>,
    duration: Spanned<String>,
    #[serde(default)]
    seed: u64,
    /// RFC 3339: the wall-clock instant of t = 0 (a string; a TOML date-time is taken too).
    #[serde(default)]
    start_time: Option<Spanned<toml::Value>>,
    node: Spanned<RawNode>,
    #[serde(default)]
    kubelet: RawKubelet,
    #[serde(default)]
    layer: Vec<Spanned<RawLayer>>,
    #[serde(default)]
    image: Vec<Spanned<RawImage>>,
    // Not `Spanned`: toml cannot span an implicit table (`[workload.synthetic]` alone).
    workload: RawWorkload,
    #[serde(default)]
    output: RawOutput,
    /// `[sweep]` and `[goal]` belong to `sweep` (src/sweep/spec.rs); a run uses the base point.
    #[serde(default, rename = "sweep")]
    _sweep: Option<toml::Value>,
    #[serde(default, rename = "goal")]
    _goal: Option<toml::Value>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNode {
    disk: Spanned<NumOrStr>,
    #[serde(default)]
    other_used: Option<Spanned<NumOrStr>>,
    pull_bandwidth: Spanned<NumOrStr>,
    #[serde(default)]
    image_size_reporting: Option<Spanned<String>>,
    #[serde(default)]
    layout: Option<Spanned<String>>,
    #[serde(default)]
    imagefs: Option<Spanned<NumOrStr>>,
    #[serde(default)]
    imagefs_other_used: Option<Spanned<NumOrStr>>,
    #[serde(default)]
    kubelet_version: Option<Spanned<String>>,
    #[serde(default)]
    name: Option<Spanned<String>>,
    #[serde(default)]
    disk_inodes: Option<Spanned<NumOrStr>>,
    #[serde(default)]
    imagefs_inodes: Option<Spanned<NumOrStr>>,
    /// Uncompressed bytes per gzipped byte of rotated container logs (ours).
    #[serde(default)]
    log_compression_ratio: Option<Spanned<f64>>,
    #[serde(default)]
    runtime: Option<Spanned<String>>,
    #[serde(default)]
    discard_unpacked_layers: Option<Spanned<bool>>,
    #[serde(default)]
    kubelet_restart: Vec<Spanned<RawRestart>>,
    #[serde(default)]
    kubelet_restart_every: Option<Spanned<String>>,
    #[serde(default)]
    kubelet_restart_downtime: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRestart {
    at: Spanned<String>,
    #[serde(default)]
    downtime: Option<Spanned<String>>,
}

/// The most kubelet restarts a scenario may ask for (`kubelet_restart_every` included).
pub const MAX_KUBELET_RESTARTS: usize = 100_000;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawKubelet {
    #[serde(rename = "imageGCHighThresholdPercent")]
    image_gc_high: Option<Spanned<i64>>,
    #[serde(rename = "imageGCLowThresholdPercent")]
    image_gc_low: Option<Spanned<i64>>,
    #[serde(rename = "imageMinimumGCAge")]
    image_min_age: Option<Spanned<String>>,
    #[serde(rename = "imageMaximumGCAge")]
    image_max_age: Option<Spanned<String>>,
    #[serde(rename = "serializeImagePulls")]
    serialize_image_pulls: Option<Spanned<bool>>,
    #[serde(rename = "maxParallelImagePulls")]
    max_parallel_image_pulls: Option<Spanned<i64>>,
    #[serde(rename = "registryPullQPS")]
    registry_pull_qps: Option<Spanned<i64>>,
    #[serde(rename = "registryBurst")]
    registry_burst: Option<Spanned<i64>>,
    #[serde(rename = "minimumContainerTTLDuration")]
    min_container_ttl: Option<Spanned<String>>,
    #[serde(rename = "maximumDeadContainersPerContainer")]
    max_dead_per_container: Option<Spanned<i64>>,
    #[serde(rename = "maximumDeadContainers")]
    max_dead: Option<Spanned<i64>>,
    #[serde(rename = "containerLogMaxSize")]
    container_log_max_size: Option<Spanned<NumOrStr>>,
    #[serde(rename = "containerLogMaxFiles")]
    container_log_max_files: Option<Spanned<i64>>,
    #[serde(rename = "containerLogMaxWorkers")]
    container_log_max_workers: Option<Spanned<i64>>,
    #[serde(rename = "containerLogMonitorInterval")]
    container_log_monitor_interval: Option<Spanned<String>>,
    #[serde(rename = "evictionHard")]
    eviction_hard: Option<Spanned<BTreeMap<String, Spanned<NumOrStr>>>>,
    #[serde(rename = "evictionSoft")]
    eviction_soft: Option<Spanned<BTreeMap<String, Spanned<NumOrStr>>>>,
    #[serde(rename = "evictionSoftGracePeriod")]
    eviction_soft_grace_period: Option<Spanned<BTreeMap<String, Spanned<NumOrStr>>>>,
    #[serde(rename = "evictionMinimumReclaim")]
    eviction_minimum_reclaim: Option<Spanned<BTreeMap<String, Spanned<NumOrStr>>>>,
    #[serde(rename = "evictionPressureTransitionPeriod")]
    eviction_pressure_transition_period: Option<Spanned<String>>,
    #[serde(rename = "evictionMaxPodGracePeriod")]
    eviction_max_pod_grace_period: Option<Spanned<i64>>,
    #[serde(rename = "mergeDefaultEvictionSettings")]
    merge_default_eviction_settings: Option<bool>,
    #[serde(rename = "localStorageCapacityIsolation")]
    local_storage_capacity_isolation: Option<bool>,
}

type RawMap = Spanned<BTreeMap<String, Spanned<NumOrStr>>>;

/// A `map[string]string` field as the kubelet sees it, and where each key sits in the file.
fn plain_map(m: &Option<RawMap>) -> BTreeMap<String, String> {
    m.as_ref()
        .map(|m| {
            m.get_ref()
                .iter()
                .map(|(k, v)| (k.clone(), v.get_ref().as_text()))
                .collect()
        })
        .unwrap_or_default()
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLayer {
    id: Spanned<String>,
    size: Spanned<NumOrStr>,
    #[serde(default)]
    compressed: Option<Spanned<NumOrStr>>,
    /// Inodes of the unpacked layer (default: one per 32 KiB).
    #[serde(default)]
    inodes: Option<Spanned<NumOrStr>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawImage {
    name: Spanned<String>,
    layers: Spanned<Vec<Spanned<String>>>,
    #[serde(default)]
    pinned: bool,
    #[serde(default)]
    preloaded: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWorkload {
    /// Exactly one of `trace` and `synthetic`.
    #[serde(default)]
    trace: Option<Spanned<String>>,
    #[serde(default)]
    synthetic: Option<crate::workload::synthetic::RawSynthetic>,
    #[serde(default)]
    catalog: Option<Spanned<String>>,
    #[serde(default)]
    replicaset_recreate_delay: Option<Spanned<String>>,
    #[serde(default)]
    replicaset_on_disk_pressure: Option<Spanned<String>>,
    #[serde(default)]
    on_disk_pressure: Option<Spanned<String>>,
    #[serde(default)]
    daemonset_backoff_initial: Option<Spanned<String>>,
    #[serde(default)]
    daemonset_backoff_max: Option<Spanned<String>>,
}

/// What a ReplicaSet (or Job) replacement does while the node has the disk-pressure taint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnDiskPressure {
    /// Stays pending until the taint clears, then lands here.
    Wait,
    /// Is scheduled on another node: it leaves this simulation.
    Elsewhere,
}

/// What a trace pod (not a DaemonSet's, not a static pod) does when it arrives while the node
/// has the disk-pressure taint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TraceOnDiskPressure {
    /// The scheduler keeps it pending; it lands here once the taint is removed.
    Wait,
    /// It is scheduled on another node: it leaves this simulation.
    Elsewhere,
    /// It is bound to this node regardless (as a pod with `nodeName` set): admission rejects it.
    Reject,
}

/// How controllers replace pods that were evicted or rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Controllers {
    pub replicaset_recreate_delay: SimTime,
    pub replicaset_on_disk_pressure: OnDiskPressure,
    /// The DaemonSet controller's failed-pod back-off: initial and maximum delay.
    pub daemonset_backoff_initial: SimTime,
    pub daemonset_backoff_max: SimTime,
}

/// A separate image catalog file: `[[layer]]` and `[[image]]` tables only.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCatalog {
    #[serde(default)]
    layer: Vec<Spanned<RawLayer>>,
    #[serde(default)]
    image: Vec<Spanned<RawImage>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOutput {
    sample_interval: Option<Spanned<String>>,
}

/// A loaded, validated scenario: everything a run needs, no file access left to do.
#[derive(Debug, Clone)]
pub struct Scenario {
    pub name: String,
    pub path: PathBuf,
    pub duration: SimTime,
    pub seed: u64,
    /// The wall-clock instant of t = 0 (`start_time`): outputs then carry a `timestamp`.
    pub start_time: Option<WallTime>,
    pub node_name: String,
    pub node: NodeSpec,
    pub size_reporting: SizeReporting,
    pub kubelet_version: (u32, u32),
    pub kubelet: KubeletConfig,
    pub catalog: Catalog,
    /// Catalog indices of images on disk at t = 0.
    pub preloaded: Vec<usize>,
    /// Shared: the points of a sweep that differ only outside the workload share one trace.
    pub trace: Arc<Vec<TraceEvent>>,
    /// The trace file, or the scenario file itself for a synthetic workload.
    pub trace_path: PathBuf,
    /// `[workload.synthetic]`, when the trace is generated (`trace` is then its events).
    pub synthetic: Option<std::sync::Arc<crate::workload::synthetic::SyntheticWorkload>>,
    pub sample_interval: SimTime,
    pub eviction: EvictionConfig,
    pub controllers: Controllers,
    pub on_disk_pressure: TraceOnDiskPressure,
    /// Things that load but that a user should know (printed by `run` and `check`).
    pub warnings: Vec<String>,
    /// Kubelet restarts: (when it stops, how long it is down), in time order, not overlapping.
    pub kubelet_restarts: Vec<(SimTime, SimTime)>,
    /// The command line's `--set PATH=VALUE` what-ifs applied to the file, as given (see
    /// `overrides`): outputs record them.
    pub overrides: Vec<String>,
}

/// Traces kept for reuse by scenarios whose workload is the same: a sweep over node or kubelet
/// settings replays one trace at every point, so it is generated (or read) once rather than
/// per point. The key is the caller's: everything the trace depends on (the `[workload]`,
/// `[[image]]` and `[[layer]]` tables, the seed and the duration), plus the catalog's size.
/// At most `capacity` traces are kept (the oldest goes first), so memory stays bounded.
pub struct TraceCache {
    capacity: usize,
    /// The traces by key, and the keys oldest first.
    entries: Mutex<(HashMap<String, CachedTrace>, VecDeque<String>)>,
}

/// A shared trace and the file it came from.
type CachedTrace = (Arc<Vec<TraceEvent>>, PathBuf);

impl std::fmt::Debug for TraceCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = self.entries.lock().map_or(0, |e| e.0.len());
        write!(f, "TraceCache({n} of {})", self.capacity)
    }
}

/// A clone starts empty (a cache, not state).
impl Clone for TraceCache {
    fn clone(&self) -> Self {
        TraceCache::new(self.capacity)
    }
}

impl TraceCache {
    pub fn new(capacity: usize) -> TraceCache {
        TraceCache {
            capacity: capacity.max(1),
            entries: Mutex::new((HashMap::new(), VecDeque::new())),
        }
    }

    fn get(&self, key: &str) -> Option<CachedTrace> {
        self.entries.lock().unwrap().0.get(key).cloned()
    }

    fn insert(&self, key: String, value: CachedTrace) {
        let mut guard = self.entries.lock().unwrap();
        let (map, order) = &mut *guard;
        if map.insert(key.clone(), value).is_none() {
            order.push_back(key);
        }
        while order.len() > self.capacity {
            if let Some(old) = order.pop_front() {
                map.remove(&old);
            }
        }
    }
}

impl Scenario {
    pub fn free_disk_space_wording(&self) -> FreeDiskSpaceWording {
        self.version_profile().free_disk_space_wording
    }

    /// What this scenario's kubelet version does where versions differ.
    pub fn version_profile(&self) -> VersionProfile {
        VersionProfile::of(self.kubelet_version.1).unwrap_or_default()
    }

    /// Reads and validates a scenario file and its trace.
    pub fn load(path: &Path) -> Result<Scenario, InputError> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            InputError::new(path, None, None, format!("cannot read the scenario: {e}"))
        })?;
        Scenario::from_str(path, &text)
    }

    /// Parses scenario text; `path` names the file in errors and anchors the trace path.
    pub fn from_str(path: &Path, text: &str) -> Result<Scenario, InputError> {
        Scenario::parse(path, text, true, None)
    }

    /// Like [`Scenario::from_str`], taking the trace from `cache` when an earlier scenario had
    /// the same `workload_key` (see [`TraceCache`]) and the same catalog size, else building
    /// it and keeping it there.
    pub fn from_str_cached(
        path: &Path,
        text: &str,
        cache: &TraceCache,
        workload_key: &str,
    ) -> Result<Scenario, InputError> {
        Scenario::parse(path, text, true, Some((cache, workload_key)))
    }

    /// Checks only that `text` has the scenario format's fields and value types (no value is
    /// validated, no file read): what a sweep checks of each axis before any point runs.
    pub fn check_fields(path: &Path, text: &str) -> Result<(), InputError> {
        toml::from_str::<RawScenario>(text)
            .map(|_| ())
            .map_err(|e| toml_error(path, text, &e))
    }

    /// Like [`Scenario::load`], but a synthetic workload's trace is left empty (not generated):
    /// for `generate`, which streams it from [`Scenario::synthetic`] instead.
    pub fn load_without_synthetic_trace(path: &Path) -> Result<Scenario, InputError> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            InputError::new(path, None, None, format!("cannot read the scenario: {e}"))
        })?;
        Scenario::parse(path, &text, false, None)
    }

    /// [`Scenario::load_without_synthetic_trace`] of scenario text.
    pub fn from_str_without_synthetic_trace(
        path: &Path,
        text: &str,
    ) -> Result<Scenario, InputError> {
        Scenario::parse(path, text, false, None)
    }

    fn parse(
        path: &Path,
        text: &str,
        collect_trace: bool,
        cache: Option<(&TraceCache, &str)>,
    ) -> Result<Scenario, InputError> {
        let raw: RawScenario = toml::from_str(text).map_err(|e| toml_error(path, text, &e))?;
        let at = |span: std::ops::Range<usize>, field: &str, msg: String| {
            InputError::new(path, Some(line_of(text, span.start)), Some(field), msg)
        };
        let bytes = |v: &Spanned<NumOrStr>, field: &str| -> Result<u64, InputError> {
            let t = v.get_ref().as_text();
            parse_bytes(&t).map_err(|e| at(v.span(), field, with_value(&t, e.to_string())))
        };
        let dur_go = |v: &Spanned<String>, field: &str| -> Result<i64, InputError> {
            parse_go_duration(v.get_ref()).map_err(|e| at(v.span(), field, e.to_string()))
        };

        let name = raw.name.get_ref().trim().to_string();
        if name.is_empty() || name.contains(['/', '\\']) || name.starts_with('.') {
            return Err(at(raw.name.span(), "name", "must be a non-empty name without '/', '\\' or a leading '.' (it names the output directory)".into()));
        }
        // It names a directory: Linux file names end at 255 bytes.
        if name.len() > 255 {
            return Err(at(
                raw.name.span(),
                "name",
                format!(
                    "is {} bytes long; at most 255 (it names the output directory)",
                    name.len()
                ),
            ));
        }
        let duration = parse_sim_duration(raw.duration.get_ref())
            .map_err(|e| at(raw.duration.span(), "duration", e.to_string()))?;
        if duration <= 0 {
            return Err(at(
                raw.duration.span(),
                "duration",
                "must be greater than 0".into(),
            ));
        }
        let start_time = match &raw.start_time {
            None => None,
            Some(v) => Some(
                start_time(v.get_ref(), duration as SimTime)
                    .map_err(|m| at(v.span(), "start_time", m))?,
            ),
        };

        // [node]
        let n = raw.node.get_ref();
        // A Node's name is a DNS subdomain: 1 to 253 characters.
        let node_name = match &n.name {
            None => "node-1".to_string(),
            Some(v) => {
                let s = v.get_ref().trim();
                if s.is_empty() || s.len() > 253 {
                    return Err(at(
                        v.span(),
                        "node.name",
                        format!(
                            "is {} bytes long; a Node's name has 1 to 253 characters",
                            s.len()
                        ),
                    ));
                }
                s.to_string()
            }
        };
        let disk = bytes(&n.disk, "node.disk")?;
        if disk == 0 {
            return Err(at(
                n.disk.span(),
                "node.disk",
                "must be greater than 0".into(),
            ));
        }
        let other_used = match &n.other_used {
            Some(v) => bytes(v, "node.other_used")?,
            None => 0,
        };
        let pull_bandwidth = bytes(&n.pull_bandwidth, "node.pull_bandwidth")?;
        if pull_bandwidth == 0 || pull_bandwidth > crate::node::ledger::MAX_RATE {
            return Err(at(
                n.pull_bandwidth.span(),
                "node.pull_bandwidth",
                format!(
                    "must be greater than 0 and at most {} (512 GiB/s; bytes per second)",
                    crate::node::ledger::MAX_RATE
                ),
            ));
        }
        let explicit_reporting = match n
            .image_size_reporting
            .as_ref()
            .map(|s| s.get_ref().as_str())
        {
            None => None,
            Some("compressed") => Some(SizeReporting::Compressed),
            Some("unpacked") => Some(SizeReporting::Unpacked),
            Some(other) => {
                let s = n.image_size_reporting.as_ref().unwrap();
                return Err(at(
                    s.span(),
                    "node.image_size_reporting",
                    format!("{other:?} is not one of \"compressed\", \"unpacked\""),
                ));
            }
        };
        // The runtime decides what a layer costs on disk and how images report their size. A
        // scenario that says "unpacked" and names no runtime is a CRI-O node (as before
        // `runtime` existed).
        let runtime = match n.runtime.as_ref().map(|s| s.get_ref().as_str()) {
            None if explicit_reporting == Some(SizeReporting::Unpacked) => Runtime::CriO,
            None | Some("containerd") => Runtime::Containerd,
            Some("cri-o") | Some("crio") => Runtime::CriO,
            Some("docker") => Runtime::Docker,
            Some(other) => {
                let s = n.runtime.as_ref().unwrap();
                return Err(at(
                    s.span(),
                    "node.runtime",
                    format!("{other:?} is not one of \"containerd\", \"cri-o\", \"docker\""),
                ));
            }
        };
        let size_reporting = explicit_reporting.unwrap_or(match runtime {
            Runtime::Containerd => SizeReporting::Compressed,
            Runtime::CriO | Runtime::Docker => SizeReporting::Unpacked,
        });
        let discard_unpacked_layers = match &n.discard_unpacked_layers {
            None => false,
            Some(v) if runtime != Runtime::Containerd => {
                return Err(at(
                    v.span(),
                    "node.discard_unpacked_layers",
                    format!(
                        "is a containerd setting; this node's runtime is {}",
                        runtime.as_str()
                    ),
                ));
            }
            Some(v) => *v.get_ref(),
        };
        let layout = match n.layout.as_ref().map(|s| s.get_ref().as_str()) {
            None | Some("shared") => Layout::Shared,
            Some("dedicated-imagefs") => Layout::DedicatedImagefs,
            Some("split") => Layout::Split,
            Some(other) => {
                let s = n.layout.as_ref().unwrap();
                return Err(at(
                    s.span(),
                    "node.layout",
                    format!("{other:?} is not one of \"shared\", \"dedicated-imagefs\", \"split\""),
                ));
            }
        };
        let mut warnings = Vec::new();
        if layout == Layout::Split && runtime == Runtime::Containerd {
            let line = n
                .layout
                .as_ref()
                .map_or(0, |v| line_of(text, v.span().start));
            warnings.push(format!(
                "{}:{line}: node.layout: \"split\" (KEP-4191: images on their own filesystem, writable layers on nodefs) is what CRI-O's imagestore does; containerd reports one filesystem for images and containers, so no containerd node runs like this (set runtime = \"cri-o\")",
                path.display()
            ));
        }
        // Kubelet restarts: explicit ones and every `kubelet_restart_every`.
        let sim_dur = |v: &Spanned<String>, field: &str| -> Result<SimTime, InputError> {
            match parse_sim_duration(v.get_ref()) {
                Ok(ns) if ns >= 0 => Ok(ns as SimTime),
                Ok(_) => Err(at(v.span(), field, "must not be negative".into())),
                Err(e) => Err(at(v.span(), field, e.to_string())),
            }
        };
        let mut kubelet_restarts: Vec<(SimTime, SimTime, std::ops::Range<usize>)> = Vec::new();
        for r in &n.kubelet_restart {
            let r = r.get_ref();
            let when = sim_dur(&r.at, "node.kubelet_restart.at")?;
            if when == 0 || when > duration as SimTime {
                return Err(at(
                    r.at.span(),
                    "node.kubelet_restart.at",
                    format!(
                        "must be within the run (after 0, at most {})",
                        raw.duration.get_ref()
                    ),
                ));
            }
            let down = match &r.downtime {
                None => 0,
                Some(d) => sim_dur(d, "node.kubelet_restart.downtime")?,
            };
            kubelet_restarts.push((when, down, r.at.span()));
        }
        let periodic_down = match &n.kubelet_restart_downtime {
            None => 0,
            Some(d) => sim_dur(d, "node.kubelet_restart_downtime")?,
        };
        if let Some(v) = &n.kubelet_restart_every {
            let every = sim_dur(v, "node.kubelet_restart_every")?;
            if every == 0 {
                return Err(at(
                    v.span(),
                    "node.kubelet_restart_every",
                    "must be greater than 0".into(),
                ));
            }
            let count = duration as SimTime / every;
            if count as usize > MAX_KUBELET_RESTARTS {
                return Err(at(
                    v.span(),
                    "node.kubelet_restart_every",
                    format!("restarts the kubelet {count} times; at most {MAX_KUBELET_RESTARTS}"),
                ));
            }
            for k in 1..=count {
                kubelet_restarts.push((k * every, periodic_down, v.span()));
            }
        } else if let Some(d) = &n.kubelet_restart_downtime {
            return Err(at(
                d.span(),
                "node.kubelet_restart_downtime",
                "goes with kubelet_restart_every ([[node.kubelet_restart]] entries have their own downtime)".into(),
            ));
        }
        kubelet_restarts.sort_by_key(|r| r.0);
        for w in kubelet_restarts.windows(2) {
            if w[1].0 < w[0].0 + w[0].1 {
                return Err(at(
                    w[1].2.clone(),
                    "node.kubelet_restart",
                    format!(
                        "a restart at {} s while the kubelet is still down from the one at {} s",
                        w[1].0 / 1_000_000_000,
                        w[0].0 / 1_000_000_000
                    ),
                ));
            }
        }
        let kubelet_restarts: Vec<(SimTime, SimTime)> = kubelet_restarts
            .into_iter()
            .map(|(a, d, _)| (a, d))
            .collect();
        let (imagefs_capacity, imagefs_other_used) = if layout == Layout::Shared {
            if let Some(v) = &n.imagefs {
                return Err(at(v.span(), "node.imagefs", "only a non-shared layout has a separate imagefs; set layout = \"dedicated-imagefs\" or \"split\"".into()));
            }
            (0, 0)
        } else {
            let Some(v) = &n.imagefs else {
                return Err(at(
                    raw.node.span(),
                    "node.imagefs",
                    format!(
                        "layout {:?} needs the imagefs capacity (e.g. imagefs = \"100Gi\")",
                        layout.as_str()
                    ),
                ));
            };
            let cap = bytes(v, "node.imagefs")?;
            if cap == 0 {
                return Err(at(
                    v.span(),
                    "node.imagefs",
                    "must be greater than 0".into(),
                ));
            }
            let other = match &n.imagefs_other_used {
                Some(v) => bytes(v, "node.imagefs_other_used")?,
                None => 0,
            };
            (cap, other)
        };
        let kubelet_version = match &n.kubelet_version {
            None => (1, crate::kubelet::versions::DEFAULT_MINOR),
            Some(v) => {
                let parsed = v
                    .get_ref()
                    .trim_start_matches('v')
                    .split_once('.')
                    .and_then(|(a, b)| {
                        Some((
                            a.parse::<u32>().ok()?,
                            b.split('.').next()?.parse::<u32>().ok()?,
                        ))
                    });
                match parsed {
                    Some((1, m)) if VersionProfile::of(m).is_some() => (1, m),
                    _ => {
                        return Err(at(
                            v.span(),
                            "node.kubelet_version",
                            format!(
                                "{:?} is not a kubelet version the model follows: {}",
                                v.get_ref(),
                                VersionProfile::supported()
                            ),
                        ))
                    }
                }
            }
        };

        let profile = VersionProfile::of(kubelet_version.1).expect("checked above");
        if layout == Layout::Split && !profile.kubelet_separate_disk_gc {
            let s = n.layout.as_ref().expect("split is written");
            return Err(at(
                s.span(),
                "node.layout",
                format!("\"split\" needs the KubeletSeparateDiskGC feature gate, on by default from kubelet 1.31; this node runs 1.{}", profile.minor),
            ));
        }

        // [kubelet]
        let k = &raw.kubelet;
        let mut spans: BTreeMap<&'static str, std::ops::Range<usize>> = BTreeMap::new();
        macro_rules! num {
            ($f:expr, $name:literal) => {{
                $f.as_ref().map(|v: &Spanned<i64>| {
                    spans.insert($name, v.span());
                    *v.get_ref()
                })
            }};
        }
        let mut dur_field =
            |f: &Option<Spanned<String>>, name: &'static str| -> Result<Option<i64>, InputError> {
                match f {
                    None => Ok(None),
                    Some(v) => {
                        spans.insert(name, v.span());
                        Ok(Some(dur_go(v, &format!("kubelet.{name}"))?))
                    }
                }
            };
        let image_minimum_gc_age = dur_field(&k.image_min_age, "imageMinimumGCAge")?;
        let image_maximum_gc_age = dur_field(&k.image_max_age, "imageMaximumGCAge")?;
        let minimum_container_ttl_duration =
            dur_field(&k.min_container_ttl, "minimumContainerTTLDuration")?;
        let container_log_monitor_interval = dur_field(
            &k.container_log_monitor_interval,
            "containerLogMonitorInterval",
        )?;
        let input = KubeletConfigInput {
            image_gc_high_threshold_percent: num!(k.image_gc_high, "imageGCHighThresholdPercent"),
            image_gc_low_threshold_percent: num!(k.image_gc_low, "imageGCLowThresholdPercent"),
            image_minimum_gc_age,
            image_maximum_gc_age,
            serialize_image_pulls: k.serialize_image_pulls.as_ref().map(|v| {
                spans.insert("serializeImagePulls", v.span());
                *v.get_ref()
            }),
            max_parallel_image_pulls: num!(k.max_parallel_image_pulls, "maxParallelImagePulls"),
            registry_pull_qps: num!(k.registry_pull_qps, "registryPullQPS"),
            registry_burst: num!(k.registry_burst, "registryBurst"),
            minimum_container_ttl_duration,
            maximum_dead_containers_per_container: num!(
                k.max_dead_per_container,
                "maximumDeadContainersPerContainer"
            ),
            maximum_dead_containers: num!(k.max_dead, "maximumDeadContainers"),
            container_log_max_size: k.container_log_max_size.as_ref().map(|v| {
                spans.insert("containerLogMaxSize", v.span());
                v.get_ref().as_text()
            }),
            container_log_max_files: num!(k.container_log_max_files, "containerLogMaxFiles"),
            container_log_max_workers: num!(k.container_log_max_workers, "containerLogMaxWorkers"),
            container_log_monitor_interval,
            image_maximum_gc_age_gate_off: Some(!profile.image_maximum_gc_age_gate),
        };
        let mut kubelet = KubeletConfig::from_input(&input).map_err(|errs| {
            let e = &errs[0];
            let line = spans.get(e.field).map(|s| line_of(text, s.start));
            InputError::new(
                path,
                line,
                Some(&format!("kubelet.{}", e.field)),
                e.message.clone(),
            )
        })?;
        if let Some(v) = &raw.node.get_ref().log_compression_ratio {
            let r = *v.get_ref();
            if !(r.is_finite() && r >= 1.0) {
                return Err(at(
                    v.span(),
                    "node.log_compression_ratio",
                    format!("{r} must be at least 1 (uncompressed bytes per gzipped byte of a rotated log)"),
                ));
            }
            kubelet.log_rotation.compression_ratio = r;
        }

        // Eviction settings (kubelet-eviction.md §2, §11).
        let eviction = eviction_config(path, text, k, &profile)?;

        // [[layer]] and [[image]], inline and from the catalog file.
        let base = path.parent().unwrap_or(Path::new("."));
        let mut cb = CatalogBuilder::default();
        cb.add(path, text, &raw.layer, &raw.image)?;
        let wl = &raw.workload;
        let workload_span = table_span(text, "workload");
        let synthetic = match (&wl.trace, &wl.synthetic) {
            (Some(_), Some(_)) => {
                return Err(at(
                    table_span(text, "workload.synthetic"),
                    "workload.synthetic",
                    "give either trace = \"...\" or [workload.synthetic], not both".into(),
                ))
            }
            (None, None) => {
                return Err(at(
                    workload_span,
                    "workload.trace",
                    "missing: give trace = \"FILE.csv\" or a [workload.synthetic] table".into(),
                ))
            }
            (_, Some(s)) => Some(crate::workload::synthetic::SyntheticWorkload::build(
                path,
                text,
                s,
                table_span(text, "workload.synthetic"),
                raw.seed,
                duration as SimTime,
            )?),
            (Some(_), None) => None,
        };
        if let Some(c) = &raw.workload.catalog {
            let cpath = base.join(c.get_ref());
            let ctext = std::fs::read_to_string(&cpath).map_err(|e| {
                at(
                    c.span(),
                    "workload.catalog",
                    format!("cannot read {}: {e}", cpath.display()),
                )
            })?;
            let rc: RawCatalog =
                toml::from_str(&ctext).map_err(|e| toml_error(&cpath, &ctext, &e))?;
            cb.add(&cpath, &ctext, &rc.layer, &rc.image)?;
        }
        let mut synthetic = synthetic;
        if let Some(syn) = &mut synthetic {
            syn.image_offset = cb.images.len();
            let pause_span = syn.pause_span.clone();
            cb.add_generated(syn)
                .map_err(|(pause, m)| match (pause, pause_span) {
                    (true, Some(span)) => at(span, "workload.synthetic.pause_image", m),
                    _ => at(
                        table_span(text, "workload.synthetic"),
                        "workload.synthetic",
                        m,
                    ),
                })?;
        }
        let CatalogBuilder {
            layers,
            images,
            preloaded,
            layer_inodes,
            ..
        } = cb;
        let mut catalog = Catalog::new(layers, images, size_reporting);
        for (l, n) in layer_inodes {
            catalog.set_layer_inodes(l, n);
        }

        // Start-up state must fit on its disks.
        let preloaded_bytes: u128 = {
            let mut on = vec![false; catalog.layers.len()];
            for &i in &preloaded {
                for &l in &catalog.images[i].layers {
                    on[l] = true;
                }
            }
            let costs =
                crate::node::catalog::LayerCosts::new(&catalog, runtime, discard_unpacked_layers);
            on.iter()
                .zip(&costs.disk)
                .filter(|(o, _)| **o)
                .map(|(_, &d)| d as u128)
                .sum::<u128>()
        };
        let (img_cap, img_other, img_field) = if layout == Layout::Shared {
            (disk, other_used, "node.disk")
        } else {
            (imagefs_capacity, imagefs_other_used, "node.imagefs")
        };
        if other_used > disk {
            let s = n.other_used.as_ref().unwrap();
            return Err(at(
                s.span(),
                "node.other_used",
                format!("{other_used} bytes do not fit on a {disk}-byte disk"),
            ));
        }
        if img_other as u128 + preloaded_bytes > img_cap as u128 {
            return Err(at(raw.node.span(), img_field, format!("the preloaded images ({preloaded_bytes} bytes) and other data ({img_other} bytes) do not fit in {img_cap} bytes")));
        }

        // [workload]
        let build_trace = || -> Result<(Vec<TraceEvent>, PathBuf), InputError> {
            match (&synthetic, &wl.trace) {
                (Some(syn), _) => {
                    let trace = if collect_trace {
                        syn.events().collect()
                    } else {
                        Vec::new()
                    };
                    Ok((trace, path.to_path_buf()))
                }
                (None, Some(trace_rel)) => {
                    let trace_path = base.join(trace_rel.get_ref());
                    let trace_text = std::fs::read_to_string(&trace_path).map_err(|e| {
                        at(
                            trace_rel.span(),
                            "workload.trace",
                            format!("cannot read {}: {e}", trace_path.display()),
                        )
                    })?;
                    let trace =
                        parse_trace(&trace_path, &trace_text, &|name| catalog.image_index(name))?;
                    Ok((trace, trace_path))
                }
                (None, None) => unreachable!("checked above"),
            }
        };
        let (trace, trace_path) = match cache {
            Some((cache, key)) => {
                // The trace refers to images by catalog index: the catalog's size is part of
                // what it depends on.
                let key = format!(
                    "{key}\n#catalog {} {}",
                    catalog.layers.len(),
                    catalog.images.len()
                );
                match cache.get(&key) {
                    Some(hit) => hit,
                    None => {
                        let (trace, trace_path) = build_trace()?;
                        let hit = (Arc::new(trace), trace_path);
                        cache.insert(key, hit.clone());
                        hit
                    }
                }
            }
            None => {
                let (trace, trace_path) = build_trace()?;
                (Arc::new(trace), trace_path)
            }
        };

        let w = &raw.workload;
        let opt_dur = |v: &Option<Spanned<String>>,
                       field: &str,
                       default: SimTime|
         -> Result<SimTime, InputError> {
            match v {
                None => Ok(default),
                Some(v) => {
                    let ns = dur_go(v, field)?;
                    if ns < 0 {
                        return Err(at(v.span(), field, "must not be negative".into()));
                    }
                    Ok(ns as SimTime)
                }
            }
        };
        let on_disk_pressure = match w.on_disk_pressure.as_ref().map(|s| s.get_ref().as_str()) {
            None | Some("wait") => TraceOnDiskPressure::Wait,
            Some("elsewhere") => TraceOnDiskPressure::Elsewhere,
            Some("reject") => TraceOnDiskPressure::Reject,
            Some(other) => {
                let s = w.on_disk_pressure.as_ref().unwrap();
                return Err(at(
                    s.span(),
                    "workload.on_disk_pressure",
                    format!("{other:?} is not one of \"wait\", \"elsewhere\", \"reject\""),
                ));
            }
        };
        let controllers = Controllers {
            replicaset_recreate_delay: opt_dur(
                &w.replicaset_recreate_delay,
                "workload.replicaset_recreate_delay",
                1_000_000_000,
            )?,
            replicaset_on_disk_pressure: match w
                .replicaset_on_disk_pressure
                .as_ref()
                .map(|s| s.get_ref().as_str())
            {
                None | Some("wait") => OnDiskPressure::Wait,
                Some("elsewhere") => OnDiskPressure::Elsewhere,
                Some(other) => {
                    let s = w.replicaset_on_disk_pressure.as_ref().unwrap();
                    return Err(at(
                        s.span(),
                        "workload.replicaset_on_disk_pressure",
                        format!("{other:?} is not one of \"wait\", \"elsewhere\""),
                    ));
                }
            },
            daemonset_backoff_initial: opt_dur(
                &w.daemonset_backoff_initial,
                "workload.daemonset_backoff_initial",
                1_000_000_000,
            )?,
            daemonset_backoff_max: opt_dur(
                &w.daemonset_backoff_max,
                "workload.daemonset_backoff_max",
                15 * 60 * 1_000_000_000,
            )?,
        };

        // A zero back-off would recreate a rejected DaemonSet pod at the same instant forever.
        for (v, field, ns) in [
            (
                &w.daemonset_backoff_initial,
                "workload.daemonset_backoff_initial",
                controllers.daemonset_backoff_initial,
            ),
            (
                &w.daemonset_backoff_max,
                "workload.daemonset_backoff_max",
                controllers.daemonset_backoff_max,
            ),
        ] {
            if let (Some(v), 0) = (v, ns) {
                return Err(at(
                    v.span(),
                    field,
                    "must be greater than 0 (a DaemonSet pod rejected at admission is recreated after it)".into(),
                ));
            }
        }
        if controllers.daemonset_backoff_initial > controllers.daemonset_backoff_max {
            let v = w
                .daemonset_backoff_initial
                .as_ref()
                .or(w.daemonset_backoff_max.as_ref())
                .expect("a default pair is in order");
            return Err(at(
                v.span(),
                "workload.daemonset_backoff_initial",
                format!(
                    "{} is more than daemonset_backoff_max ({}): the back-off doubles from the first up to the max",
                    crate::units::format_go_duration(controllers.daemonset_backoff_initial as i64),
                    crate::units::format_go_duration(controllers.daemonset_backoff_max as i64)
                ),
            ));
        }

        let sample_interval = match &raw.output.sample_interval {
            None => 10_000_000_000,
            Some(v) => {
                let ns = dur_go(v, "output.sample_interval")?;
                if ns < 1_000_000_000 {
                    return Err(at(
                        v.span(),
                        "output.sample_interval",
                        "must be at least 1s".into(),
                    ));
                }
                ns as SimTime
            }
        };
        let rows = duration as SimTime / sample_interval;
        if rows > MAX_SAMPLE_ROWS {
            let (span, field) = match &raw.output.sample_interval {
                Some(v) => (v.span(), "output.sample_interval"),
                None => (raw.duration.span(), "duration"),
            };
            return Err(at(
                span,
                field,
                format!(
                    "a run of {} at one sample every {} writes {rows} rows of timeseries.csv; at most {MAX_SAMPLE_ROWS} (set a longer [output] sample_interval)",
                    raw.duration.get_ref(),
                    crate::units::format_go_duration(sample_interval as i64)
                ),
            ));
        }

        let inodes =
            |v: &Option<Spanned<NumOrStr>>, field: &str| -> Result<Option<u64>, InputError> {
                match v {
                    None => Ok(None),
                    Some(v) => {
                        let n = bytes(v, field).map_err(as_count)?;
                        if n == 0 {
                            return Err(at(v.span(), field, "must be greater than 0".into()));
                        }
                        Ok(Some(n))
                    }
                }
            };
        if layout == Layout::Shared {
            if let Some(v) = &n.imagefs_inodes {
                return Err(at(v.span(), "node.imagefs_inodes", "only a non-shared layout has a separate imagefs; on a shared disk set disk_inodes".into()));
            }
        }
        Ok(Scenario {
            name,
            path: path.to_path_buf(),
            duration: duration as SimTime,
            seed: raw.seed,
            start_time,
            node_name,
            node: NodeSpec {
                layout,
                nodefs_capacity: disk,
                nodefs_other_used: other_used,
                imagefs_capacity,
                imagefs_other_used,
                nodefs_inodes: inodes(&n.disk_inodes, "node.disk_inodes")?,
                imagefs_inodes: if layout == Layout::Shared {
                    None
                } else {
                    inodes(&n.imagefs_inodes, "node.imagefs_inodes")?
                },
                pull_bandwidth,
                runtime,
                discard_unpacked_layers,
            },
            size_reporting,
            kubelet_version,
            kubelet,
            catalog,
            preloaded,
            trace,
            trace_path,
            synthetic: synthetic.map(std::sync::Arc::new),
            sample_interval,
            eviction,
            controllers,
            on_disk_pressure,
            warnings,
            kubelet_restarts,
            overrides: Vec::new(),
        })
    }
}

/// Collects layers and images from one or more files, checking names across all of them.
#[derive(Default)]
struct CatalogBuilder {
    layer_ids: BTreeMap<String, usize>,
    layers: Vec<LayerSpec>,
    image_names: BTreeMap<String, usize>,
    images: Vec<ImageSpec>,
    preloaded: Vec<usize>,
    /// Layers whose `inodes` were given: (layer index, inodes).
    layer_inodes: Vec<(usize, u64)>,
    /// Sums over every layer so far (unpacked bytes, compressed bytes, inodes given), so that
    /// no sum the node or the kubelet forms over layers (an image's size, the bytes or inodes
    /// on disk) can pass `i64::MAX`, the kubelet's own limit for sizes.
    totals: [u64; 3],
}

/// A `start_time` value: an RFC 3339 instant (normalised to UTC) whose run, `duration` long,
/// ends by 9999-12-31T23:59:59Z (the last instant with a four-digit year).
fn start_time(v: &toml::Value, duration: SimTime) -> Result<WallTime, String> {
    let text = match v {
        toml::Value::String(s) => s.clone(),
        // `start_time = 2026-03-18T06:47:29Z` unquoted: TOML's own date-time, the same text.
        toml::Value::Datetime(d) => d.to_string(),
        other => {
            return Err(format!(
                "must be a string holding an RFC 3339 instant, such as \"2026-03-18T06:47:29Z\"; found the {} {other}",
                other.type_str()
            ))
        }
    };
    let t = WallTime::parse_rfc3339(&text)?;
    if t.plus_ns(duration).unix_secs() > crate::wallclock::MAX_SECS {
        return Err(format!(
            "{text:?} plus the duration ends after 9999-12-31T23:59:59Z, the last instant RFC 3339 writes"
        ));
    }
    Ok(t)
}

/// The most rows a run's `timeseries.csv` may get (about 10 GB): 31 years at the default
/// 10 s sample interval.
pub const MAX_SAMPLE_ROWS: SimTime = 100_000_000;

/// The largest sum of layer sizes a catalog may have: `i64::MAX` bytes (8 EiB − 1).
const MAX_CATALOG_BYTES: u64 = i64::MAX as u64;

impl CatalogBuilder {
    /// Counts a layer into [`CatalogBuilder::totals`]; an error when a sum passes the limit.
    fn count_layer(&mut self, size: u64, compressed: u64, inodes: u64) -> Result<(), String> {
        for (k, (total, add)) in self
            .totals
            .iter_mut()
            .zip([size, compressed, inodes])
            .enumerate()
        {
            match total.checked_add(add) {
                Some(t) if t <= MAX_CATALOG_BYTES => *total = t,
                _ => {
                    let what = ["unpacked sizes", "compressed sizes", "inodes"][k];
                    return Err(format!(
                        "the catalog's layer {what} add up to more than {MAX_CATALOG_BYTES} (2^63 - 1) at this layer"
                    ));
                }
            }
        }
        Ok(())
    }

    /// Adds a synthetic workload's generated layers and images (names must not clash).
    fn add_generated(
        &mut self,
        syn: &crate::workload::synthetic::SyntheticWorkload,
    ) -> Result<(), (bool, String)> {
        // The pause image (and its layer) come first when there is one: an error about them
        // is about `pause_image` (the bool).
        let has_pause = syn.preloaded.first() == Some(&0);
        let layer_base = self.layers.len();
        for (k, l) in syn.layers.iter().enumerate() {
            let pause = has_pause && k == 0;
            if self.layer_ids.contains_key(&l.id) {
                return Err((
                    pause,
                    format!(
                        "generated layer {:?} clashes with a [[layer]] of the same id",
                        l.id
                    ),
                ));
            }
            self.count_layer(l.size, l.compressed, 0)
                .map_err(|m| (false, m))?;
            self.layer_ids.insert(l.id.clone(), self.layers.len());
            self.layers.push(l.clone());
        }
        for (i, im) in syn.images.iter().enumerate() {
            if self.image_names.contains_key(&im.name) {
                return Err((
                    has_pause && i == 0,
                    format!(
                        "generated image {:?} clashes with an image of the same name",
                        im.name
                    ),
                ));
            }
            self.image_names.insert(im.name.clone(), self.images.len());
            if syn.preloaded.contains(&i) {
                self.preloaded.push(self.images.len());
            }
            let mut im = im.clone();
            for l in &mut im.layers {
                *l += layer_base;
            }
            if let Some(m) = self.too_big(&im.layers) {
                return Err((false, format!("generated image {:?}: {m}", im.name)));
            }
            self.images.push(im);
        }
        Ok(())
    }

    /// Why an image of these layers cannot be: its size (unpacked or compressed) over the
    /// CRI's int64 image size.
    fn too_big(&self, layers: &[usize]) -> Option<String> {
        let sum = |f: fn(&LayerSpec) -> u64| -> u128 {
            layers.iter().map(|&l| f(&self.layers[l]) as u128).sum()
        };
        let (size, compressed) = (sum(|l| l.size), sum(|l| l.compressed));
        (size.max(compressed) > i64::MAX as u128).then(|| {
            format!(
                "its layers add up to {} bytes, more than an image can be (the CRI's int64 size, about 8 EiB)",
                size.max(compressed)
            )
        })
    }

    fn add(
        &mut self,
        path: &Path,
        text: &str,
        layers: &[Spanned<RawLayer>],
        images: &[Spanned<RawImage>],
    ) -> Result<(), InputError> {
        let at = |span: std::ops::Range<usize>, field: &str, msg: String| {
            InputError::new(path, Some(line_of(text, span.start)), Some(field), msg)
        };
        let bytes = |v: &Spanned<NumOrStr>, field: &str| -> Result<u64, InputError> {
            let t = v.get_ref().as_text();
            parse_bytes(&t).map_err(|e| at(v.span(), field, with_value(&t, e.to_string())))
        };
        for l in layers {
            let l_ref = l.get_ref();
            let id = l_ref.id.get_ref().clone();
            if id.trim().is_empty() {
                return Err(at(
                    l_ref.id.span(),
                    "layer.id",
                    "is empty: a layer needs an id its images can list".into(),
                ));
            }
            if self.layer_ids.contains_key(&id) {
                return Err(at(
                    l_ref.id.span(),
                    "layer.id",
                    format!("layer {id:?} is defined twice"),
                ));
            }
            let size = bytes(&l_ref.size, "layer.size")?;
            let compressed = match &l_ref.compressed {
                Some(c) => bytes(c, "layer.compressed")?,
                None => size,
            };
            let mut inodes = 0;
            if let Some(v) = &l_ref.inodes {
                inodes = bytes(v, "layer.inodes").map_err(as_count)?;
                self.layer_inodes.push((self.layers.len(), inodes));
            }
            self.count_layer(size, compressed, inodes)
                .map_err(|m| at(l_ref.size.span(), "layer.size", m))?;
            self.layer_ids.insert(id.clone(), self.layers.len());
            self.layers.push(LayerSpec {
                id,
                size,
                compressed,
            });
        }
        for im in images {
            let r = im.get_ref();
            let name = r.name.get_ref().clone();
            if name.trim().is_empty() {
                return Err(at(
                    r.name.span(),
                    "image.name",
                    "is empty: an image needs the name the trace refers to it by".into(),
                ));
            }
            if self.image_names.contains_key(&name) {
                return Err(at(
                    r.name.span(),
                    "image.name",
                    format!("image {name:?} is defined twice"),
                ));
            }
            let mut idx = Vec::new();
            let mut listed = std::collections::HashSet::new();
            for lid in r.layers.get_ref() {
                let Some(&i) = self.layer_ids.get(lid.get_ref()) else {
                    return Err(at(
                        lid.span(),
                        "image.layers",
                        format!("layer {:?} is not defined in any [[layer]]", lid.get_ref()),
                    ));
                };
                if !listed.insert(i) {
                    return Err(at(
                        lid.span(),
                        "image.layers",
                        format!("layer {:?} is listed twice", lid.get_ref()),
                    ));
                }
                idx.push(i);
            }
            if idx.is_empty() {
                return Err(at(
                    r.layers.span(),
                    "image.layers",
                    format!("image {name:?} needs at least one layer"),
                ));
            }
            if let Some(m) = self.too_big(&idx) {
                return Err(at(
                    r.layers.span(),
                    "image.layers",
                    format!("image {name:?}: {m}"),
                ));
            }
            self.image_names.insert(name.clone(), self.images.len());
            if r.preloaded {
                self.preloaded.push(self.images.len());
            }
            self.images.push(ImageSpec {
                name,
                layers: idx,
                pinned: r.pinned,
            });
        }
        Ok(())
    }
}

/// An error of a count read like a quantity (inodes): it is not a byte size.
fn as_count(mut e: InputError) -> InputError {
    e.message = e.message.replace("byte size", "count");
    e
}

/// Where the table `name` (or its first sub-table) starts in `text`, for errors about a table
/// toml cannot give a span for; the end of the file when it is not written.
fn table_span(text: &str, name: &str) -> std::ops::Range<usize> {
    let mut pos = 0;
    for line in text.split_inclusive('\n') {
        let t = line.trim_start().trim_start_matches('[').trim_start();
        if line.trim_start().starts_with('[')
            && t.starts_with(name)
            && t[name.len()..].starts_with([']', '.', ' '])
        {
            return pos..pos;
        }
        pos += line.len();
    }
    text.len()..text.len()
}

/// A TOML parse or type error as an [`InputError`], with the key named when the span shows it.
pub(crate) fn toml_error(path: &Path, text: &str, e: &toml::de::Error) -> InputError {
    if let Some(pos) = text.find('\0') {
        return InputError::new(
            path,
            Some(line_of(text, pos)),
            None,
            "holds a NUL byte: this is not a TOML text file (binary, or damaged?)",
        );
    }
    let span = e.span();
    // An error at the end of the file (an unclosed bracket or string) is shown on the last
    // line that has text, not on the empty line after it.
    let end = text.trim_end().len();
    let line = span.as_ref().map(|s| line_of(text, s.start.min(end)));
    let raw = e.message().trim_end();
    let mut message = plain_message(raw);
    let mut field = span.clone().and_then(|s| toml_key_at(text, s.start));
    if let Some(missing) = raw
        .strip_prefix("missing field `")
        .and_then(|r| r.strip_suffix('`'))
    {
        // The span is the table the field is missing from: its header, an inline table's key,
        // or the whole document.
        let table = span.as_ref().and_then(|s| {
            let header = table_header_at(text, s.start);
            if header.is_some() || s.start == 0 {
                header
            } else {
                toml_key_at(text, s.start)
            }
        });
        field = Some(match table {
            Some(t) => format!("{t}.{missing}"),
            None => missing.to_string(),
        });
        message = "missing: this field is required".to_string();
    } else if raw.contains("untagged enum") {
        if let Some(found) = span
            .as_ref()
            .and_then(|s| text.get(s.clone()))
            .map(str::trim)
            .filter(|f| !f.is_empty())
        {
            let found: String = found.chars().take(40).collect();
            message.push_str(&format!(", found {found}"));
        }
    }
    InputError::new(path, line, field.as_deref(), message)
}

/// The name of the `[table]` or `[[table]]` whose header line holds byte `pos`.
fn table_header_at(text: &str, pos: usize) -> Option<String> {
    let pos = pos.min(text.len());
    let start = text[..pos].rfind('\n').map_or(0, |i| i + 1);
    let end = text[pos..].find('\n').map_or(text.len(), |i| pos + i);
    let l = text[start..end].trim();
    l.strip_prefix("[[")
        .and_then(|r| r.split_once("]]"))
        .or_else(|| l.strip_prefix('[').and_then(|r| r.split_once(']')))
        .map(|(t, _)| t.trim().to_string())
}

/// Builds the eviction manager's configuration from `[kubelet]`, with the kubelet's defaulting
/// (the default `evictionHard` only when the field is absent, or merged with
/// `mergeDefaultEvictionSettings`) and its validation texts. An error points at the map entry.
fn eviction_config(
    path: &Path,
    text: &str,
    k: &RawKubelet,
    profile: &VersionProfile,
) -> Result<EvictionConfig, InputError> {
    let hard_cfg = k
        .eviction_hard
        .as_ref()
        .map(|_| plain_map(&k.eviction_hard));
    if k.merge_default_eviction_settings.is_some() && !profile.merge_default_eviction_settings {
        let line = text
            .lines()
            .position(|l| l.trim_start().starts_with("mergeDefaultEvictionSettings"))
            .map(|i| i + 1);
        return Err(InputError::new(
            path,
            line,
            Some("kubelet.mergeDefaultEvictionSettings"),
            format!(
                "is a KubeletConfiguration field from kubelet 1.33; this node runs 1.{}",
                profile.minor
            ),
        ));
    }
    let merge = k.merge_default_eviction_settings.unwrap_or(false);
    let mut hard = effective_eviction_hard(hard_cfg.as_ref(), merge);
    // Before 1.30 the default evictionHard had no imagefs.inodesFree (PR #121834): drop it when
    // it came from the defaults.
    if !profile.default_hard_has_imagefs_inodes
        && hard_cfg
            .as_ref()
            .is_none_or(|m| !m.contains_key("imagefs.inodesFree"))
    {
        hard.remove("imagefs.inodesFree");
    }
    let soft = plain_map(&k.eviction_soft);
    let grace = plain_map(&k.eviction_soft_grace_period);
    let reclaim = plain_map(&k.eviction_minimum_reclaim);
    let empty = BTreeMap::new();
    // Which field an error belongs to: parse each map on its own first.
    let any_grace: BTreeMap<String, String> =
        soft.keys().map(|s| (s.clone(), "1s".to_string())).collect();
    let checks: [(&str, &Option<RawMap>, Result<_, _>); 5] = [
        (
            "evictionHard",
            &k.eviction_hard,
            parse_threshold_config(&hard, &empty, &empty, &empty),
        ),
        (
            "evictionSoft",
            &k.eviction_soft,
            parse_threshold_config(&empty, &soft, &any_grace, &empty),
        ),
        (
            "evictionSoftGracePeriod",
            &k.eviction_soft_grace_period,
            parse_threshold_config(&empty, &empty, &grace, &empty),
        ),
        (
            "evictionMinimumReclaim",
            &k.eviction_minimum_reclaim,
            parse_threshold_config(&empty, &empty, &empty, &reclaim),
        ),
        (
            "evictionSoft",
            &k.eviction_soft,
            parse_threshold_config(&hard, &soft, &grace, &reclaim),
        ),
    ];
    let mut thresholds = Vec::new();
    for (field, raw, res) in checks {
        match res {
            Ok(t) => thresholds = t,
            Err(e) => {
                let msg = e.to_string();
                // Point at the entry whose key the message names, else at the field.
                let line = raw.as_ref().map(|m| {
                    m.get_ref()
                        .iter()
                        .find(|(key, _)| msg.contains(key.as_str()))
                        .map(|(_, v)| line_of(text, v.span().start))
                        .unwrap_or_else(|| line_of(text, m.span().start))
                });
                return Err(InputError::new(
                    path,
                    line,
                    Some(&format!("kubelet.{field}")),
                    msg,
                ));
            }
        }
    }
    let mut cfg = EvictionConfig::new(thresholds);
    cfg.kubelet_separate_disk_gc = profile.kubelet_separate_disk_gc;
    cfg.allow_overwrite_termination_grace_period_seconds = !profile.soft_grace_min_tgps;
    cfg.hard_eviction_grace_period_override = profile.hard_eviction_grace_override;
    if let Some(v) = &k.eviction_pressure_transition_period {
        let ns = parse_go_duration(v.get_ref()).map_err(|e| {
            InputError::new(
                path,
                Some(line_of(text, v.span().start)),
                Some("kubelet.evictionPressureTransitionPeriod"),
                e.to_string(),
            )
        })?;
        if ns < 0 {
            return Err(InputError::new(
                path,
                Some(line_of(text, v.span().start)),
                Some("kubelet.evictionPressureTransitionPeriod"),
                "must not be negative",
            ));
        }
        // A zero value is defaulted to 5m (v1beta1 defaults).
        if ns > 0 {
            cfg.pressure_transition_period = ns;
        }
    }
    if let Some(v) = &k.eviction_max_pod_grace_period {
        cfg.max_pod_grace_period_seconds = *v.get_ref();
    }
    if let Some(b) = k.local_storage_capacity_isolation {
        cfg.local_storage_capacity_isolation = b;
    }
    Ok(cfg)
}
