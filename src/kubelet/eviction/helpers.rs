//! Twin of kubernetes pkg/kubelet/eviction/helpers.go (v1.33); the pure decision functions of the
//! eviction manager for disk signals: parse thresholds, decide which are met, track grace periods
//! and node conditions, pick the threshold to act on, rank pods, choose the kill grace period, and
//! build the exact messages. Types live in [`super::types`].
//!
//! Spec: `shared/reference/kubelet-eviction.md`; sections are cited as "§n". Nothing here does
//! I/O, reads a clock or draws random numbers; "now" is always an argument, and every result that
//! upstream takes from Go map iteration order is given a documented, deterministic order instead.
//!
//! # What the stateful manager calls, and in which order (§4)
//!
//! The manager owns: the configured thresholds, `dedicated_image_fs`/`split_container_image_fs`
//! (detected once), `thresholds_met` (previous act list), `thresholds_first_observed_at`,
//! `node_conditions_last_observed_at`, `last_observations` and the reported `node_conditions`.
//! Every function below is linear (or quadratic in the handful of thresholds), so calling them
//! every 10 s is cheap.
//!
//! Configuration (once):
//! 1. [`effective_eviction_hard`] (defaults / `mergeDefaultEvictionSettings`, §11), then
//!    [`parse_threshold_config`] (§2); [`add_allocatable_thresholds`] only if
//!    `enforceNodeAllocatable` contains `pods` (memory only, harmless for disk).
//!
//! First sync (after filesystem detection, §3):
//! 2. [`update_container_fs_thresholds`] (§3.2; log the returned error, keep the thresholds);
//!    [`rank_fs_types`] (§3.3) and [`node_reclaim_funcs`] (§3.4) are the per-signal tables.
//!
//! Every sync at `now` (§4 steps 4–17):
//! 3. `obs = `[`make_signal_observations`]`(summary)`.
//! 4. `met = `[`thresholds_met`]`(config, obs, false)`; if the previous act list is non-empty,
//!    `met = `[`merge_thresholds`]`(met, thresholds_met(previous_act_list, obs, true))`.
//! 5. `first_observed = `[`thresholds_first_observed_at`]`(met, previous, now)`.
//! 6. `conds = `[`node_conditions`]`(met)`; `last = `[`node_conditions_last_observed_at`]`(conds,
//!    previous, now)`; reported conditions = [`node_conditions_observed_since`]`(last,
//!    pressure_transition_period, now)`.
//! 7. `act = `[`thresholds_met_grace_period`]`(first_observed, now)`; store it as the new
//!    previous act list, then `act = `[`thresholds_updated_stats`]`(act, obs, last_observations)`
//!    and store `obs` as `last_observations`.
//! 8. If local storage capacity isolation is on: [`local_storage_evictions`] (§9); evict each
//!    returned pod with grace [`IMMEDIATE_EVICTION_GRACE_PERIOD_SECONDS`] and message
//!    [`LocalStorageViolation::message`], and end the sync if there was any.
//! 9. If `act` is empty, end the sync. Otherwise [`pick_threshold_to_reclaim`]`(act)` gives the
//!    threshold and resource (§4 step 13); emit `EvictionThresholdMet` with
//!    [`threshold_met_event_message`].
//! 10. Run [`node_reclaim_funcs`]`(signal, ..)`. If the list was non-empty, re-observe and end the
//!     sync if [`thresholds_met`]`(config, obs_after_gc, true)` is empty (§6).
//! 11. `order = `[`rank_disk_pressure`]`(active_pods, stats, rank_fs_types(signal, ..), resource)`;
//!     evict the first pod in `order` that is not [`EvictionPod::is_critical`], with
//!     [`eviction_grace_period_override`] and [`eviction_message`]`(resource, pod, stats, act,
//!     obs)` (§8, §10). At most one pod per sync. The pod is then killed with
//!     [`effective_grace_period_seconds`]`(override, pod TGPS)`; the next sync follows at once
//!     after the cleanup wait ([`POD_CLEANUP_TIMEOUT`]), otherwise after
//!     [`EVICTION_MONITORING_PERIOD`].
//!
//! Admission of a new pod at any time: [`admit_pod`] with the reported conditions (§5).

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::fmt;

use crate::engine::SimTime;
use crate::units::{parse_go_duration, parse_percentage, Quantity, QuantityFormat};

use super::types::{
    get_threshold_quantity, get_threshold_quantity_display, DurationNs, NodeConditionType,
    ResourceName, Signal, Threshold, ThresholdOperator, ThresholdValue,
};

// ---------------------------------------------------------------------------------------------
// Named constants (§4, §8, §10, §11)
// ---------------------------------------------------------------------------------------------

const NANOS_PER_SECOND: DurationNs = 1_000_000_000;

/// `evictionMonitoringPeriod` (pkg/kubelet/kubelet.go): hard-coded 10 s between syncs (§4).
pub const EVICTION_MONITORING_PERIOD: DurationNs = 10 * NANOS_PER_SECOND;
/// `podCleanupTimeout`: how long `waitForPodsCleanup` waits after an eviction (§4).
pub const POD_CLEANUP_TIMEOUT: DurationNs = 30 * NANOS_PER_SECOND;
/// `podCleanupPollFreq` (§4).
pub const POD_CLEANUP_POLL_FREQ: DurationNs = NANOS_PER_SECOND;
/// Default `evictionPressureTransitionPeriod` (§11).
pub const DEFAULT_PRESSURE_TRANSITION_PERIOD: DurationNs = 5 * 60 * NANOS_PER_SECOND;
/// Default `evictionMaxPodGracePeriod` (§11; see §8 for what 0 really does).
pub const DEFAULT_MAX_POD_GRACE_PERIOD_SECONDS: i64 = 0;
/// `immediateEvictionGracePeriodSeconds`: the kill grace for hard thresholds and for every
/// local-storage-limit eviction (§8, §9).
pub const IMMEDIATE_EVICTION_GRACE_PERIOD_SECONDS: i64 = 1;
/// pod_workers' default when neither an override nor the pod's own grace period is known. The API
/// server defaults `terminationGracePeriodSeconds` to this, so a simulated pod should normally
/// carry `Some(30)`.
pub const DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS: i64 = 30;
/// `scheduling.SystemCriticalPriority`: pods at or above it are critical (§4 step 17).
pub const SYSTEM_CRITICAL_PRIORITY: i32 = 2_000_000_000;

/// `Reason`: the pod status reason and event reason of every eviction and admission rejection.
pub const REASON_EVICTED: &str = "Evicted";
/// Reason of the Warning event on the Node at each sync that acts on a threshold (§4 step 14).
pub const REASON_EVICTION_THRESHOLD_MET: &str = "EvictionThresholdMet";
/// Prefix the kubelet puts before an admission message in the pod's status (§5).
pub const POD_REJECTED_MESSAGE_PREFIX: &str = "Pod was rejected: ";
/// Event annotation keys (§10).
pub const OFFENDING_CONTAINERS_KEY: &str = "offending_containers";
pub const OFFENDING_CONTAINERS_USAGE_KEY: &str = "offending_containers_usage";
pub const STARVED_RESOURCE_KEY: &str = "starved_resource";
/// Metric labels of the local-storage-limit evictions (§9).
pub const SIGNAL_EMPTY_DIR_FS_LIMIT: &str = "emptydirfs.limit";
pub const SIGNAL_EPHEMERAL_POD_FS_LIMIT: &str = "ephemeralpodfs.limit";
pub const SIGNAL_EPHEMERAL_CONTAINER_FS_LIMIT: &str = "ephemeralcontainerfs.limit";

// ---------------------------------------------------------------------------------------------
// Configuration: defaults, merge, parse (§2, §11)
// ---------------------------------------------------------------------------------------------

/// `DefaultEvictionHard` on Linux (§11): five keys since v1.30 (`imagefs.inodesFree` added by
/// PR #121834).
pub fn default_eviction_hard() -> BTreeMap<String, String> {
    [
        ("memory.available", "100Mi"),
        ("nodefs.available", "10%"),
        ("nodefs.inodesFree", "5%"),
        ("imagefs.available", "15%"),
        ("imagefs.inodesFree", "5%"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

/// The `evictionHard` map the kubelet actually parses (§11).
///
/// `configured` is `None` when the field is absent from the configuration: the whole default map
/// applies. A present map replaces the defaults entirely ("partial evictionHard drops the other
/// defaults", §14) unless `merge_default_eviction_settings` is set, in which case every default
/// signal the map does not mention is added and explicit entries win.
///
/// Resolved from source: cmd/kubelet/app/server.go `loadConfigFile` (read at commit 001332b0, a
/// post-v1.33 tree with the same logic as PR #127577): "if EvictionHard == nil use
/// DefaultEvictionHard; else if MergeDefaultEvictionSettings, add each missing default key". Only
/// `evictionHard` is merged because it is the only field with defaults. So an explicit, empty,
/// non-nil map (`evictionHard: {}`) yields no hard thresholds without the merge flag — whether a
/// YAML `{}` decodes to a nil or an empty Go map is still UNCONFIRMED; `Some(empty)` here means
/// "empty, non-nil".
pub fn effective_eviction_hard(
    configured: Option<&BTreeMap<String, String>>,
    merge_default_eviction_settings: bool,
) -> BTreeMap<String, String> {
    match configured {
        None => default_eviction_hard(),
        Some(map) => {
            let mut out = map.clone();
            if merge_default_eviction_settings {
                for (k, v) in default_eviction_hard() {
                    out.entry(k).or_insert(v);
                }
            }
            out
        }
    }
}

/// Why a threshold configuration was rejected. `Display` gives the kubelet's exact error text
/// (helpers.go `ParseThresholdConfig` and its helpers), so a user can search for it upstream; the
/// scenario layer adds the file and field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ThresholdConfigError {
    /// A key that is not an accepted signal, in any of the four maps.
    UnsupportedSignal(String),
    PercentageThresholdNegative {
        signal: Signal,
        value: String,
    },
    PercentageThresholdAbove100 {
        signal: Signal,
        value: String,
    },
    /// A quantity threshold that is zero or negative; `quantity` is its canonical form.
    ThresholdNotPositive {
        signal: Signal,
        quantity: String,
    },
    /// An `evictionSoft` entry with no `evictionSoftGracePeriod` entry.
    SoftGracePeriodMissing(Signal),
    /// A negative `evictionSoftGracePeriod`; `value` is the configured string.
    GracePeriodNegative(String),
    MinReclaimPercentageNotPositive {
        signal: Signal,
        value: String,
    },
    MinReclaimNegative(Signal),
    /// The value did not parse as a quantity, percentage or duration. Upstream returns the
    /// parser's own error unchanged; `reason` is ours (`crate::units`).
    Unparsable {
        value: String,
        reason: String,
    },
}

impl fmt::Display for ThresholdConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use ThresholdConfigError::*;
        match self {
            UnsupportedSignal(s) => write!(f, "unsupported eviction signal {s}"),
            PercentageThresholdNegative { signal, value } => {
                write!(
                    f,
                    "eviction percentage threshold {signal} must be >= 0%: {value}"
                )
            }
            PercentageThresholdAbove100 { signal, value } => {
                write!(
                    f,
                    "eviction percentage threshold {signal} must be <= 100%: {value}"
                )
            }
            ThresholdNotPositive { signal, quantity } => {
                write!(
                    f,
                    "eviction threshold {signal} must be positive: {quantity}"
                )
            }
            SoftGracePeriodMissing(signal) => write!(
                f,
                "grace period must be specified for the soft eviction threshold {signal}"
            ),
            GracePeriodNegative(value) => write!(
                f,
                "invalid eviction grace period specified: {value}, must be a positive value"
            ),
            MinReclaimPercentageNotPositive { signal, value } => write!(
                f,
                "eviction percentage minimum reclaim {signal} must be positive: {value}"
            ),
            MinReclaimNegative(signal) => {
                write!(
                    f,
                    "negative eviction minimum reclaim specified for {signal}"
                )
            }
            Unparsable { reason, .. } => f.write_str(reason),
        }
    }
}

impl std::error::Error for ThresholdConfigError {}

fn parse_signal(name: &str) -> Result<Signal, ThresholdConfigError> {
    name.parse::<Signal>()
        .map_err(|_| ThresholdConfigError::UnsupportedSignal(name.to_string()))
}

fn parse_pct(value: &str) -> Result<f32, ThresholdConfigError> {
    parse_percentage(value).map_err(|e| ThresholdConfigError::Unparsable {
        value: value.to_string(),
        reason: e.to_string(),
    })
}

fn parse_quantity(value: &str) -> Result<Quantity, ThresholdConfigError> {
    Quantity::parse(value).map_err(|e| ThresholdConfigError::Unparsable {
        value: value.to_string(),
        reason: e.to_string(),
    })
}

/// `parseThresholdStatement`: one `signal: value` entry of `evictionHard` or `evictionSoft`.
/// `Ok(None)` for the exact strings `"0%"` and `"100%"`, which disable the signal (§2.3).
fn parse_threshold_statement(
    name: &str,
    value: &str,
) -> Result<Option<Threshold>, ThresholdConfigError> {
    let signal = parse_signal(name)?;
    if value.ends_with('%') {
        if value == "0%" || value == "100%" {
            return Ok(None);
        }
        let pct = parse_pct(value)?;
        if pct < 0.0 {
            return Err(ThresholdConfigError::PercentageThresholdNegative {
                signal,
                value: value.to_string(),
            });
        }
        if pct > 1.0 {
            return Err(ThresholdConfigError::PercentageThresholdAbove100 {
                signal,
                value: value.to_string(),
            });
        }
        return Ok(Some(Threshold::new(
            signal,
            ThresholdValue::Percentage(pct),
            0,
        )));
    }
    let q = parse_quantity(value)?;
    if q.is_negative() || q.is_zero() {
        return Err(ThresholdConfigError::ThresholdNotPositive {
            signal,
            quantity: q.to_string(),
        });
    }
    Ok(Some(Threshold::new(signal, ThresholdValue::Quantity(q), 0)))
}

fn parse_threshold_statements(
    statements: &BTreeMap<String, String>,
) -> Result<Vec<Threshold>, ThresholdConfigError> {
    let mut out = Vec::new();
    for (name, value) in statements {
        if let Some(t) = parse_threshold_statement(name, value)? {
            out.push(t);
        }
    }
    Ok(out)
}

fn parse_grace_periods(
    statements: &BTreeMap<String, String>,
) -> Result<BTreeMap<Signal, DurationNs>, ThresholdConfigError> {
    let mut out = BTreeMap::new();
    for (name, value) in statements {
        let signal = parse_signal(name)?;
        let grace = parse_go_duration(value).map_err(|e| ThresholdConfigError::Unparsable {
            value: value.clone(),
            reason: e.to_string(),
        })?;
        if grace < 0 {
            return Err(ThresholdConfigError::GracePeriodNegative(value.clone()));
        }
        out.insert(signal, grace);
    }
    Ok(out)
}

fn parse_minimum_reclaims(
    statements: &BTreeMap<String, String>,
) -> Result<BTreeMap<Signal, ThresholdValue>, ThresholdConfigError> {
    let mut out = BTreeMap::new();
    for (name, value) in statements {
        let signal = parse_signal(name)?;
        if value.ends_with('%') {
            let pct = parse_pct(value)?;
            if pct <= 0.0 {
                return Err(ThresholdConfigError::MinReclaimPercentageNotPositive {
                    signal,
                    value: value.clone(),
                });
            }
            out.insert(signal, ThresholdValue::Percentage(pct));
            continue;
        }
        let q = parse_quantity(value)?;
        if q.is_negative() {
            return Err(ThresholdConfigError::MinReclaimNegative(signal));
        }
        out.insert(signal, ThresholdValue::Quantity(q));
    }
    Ok(out)
}

/// `ParseThresholdConfig` without the allocatable step (§2).
///
/// Output order: every hard threshold, then every soft one, each group in ascending signal-name
/// order (the order of the `BTreeMap`). Upstream iterates Go maps, so both the output order and
/// which error is reported first when several entries are invalid are random; here they are the
/// key order. Validation order is the kubelet's: hard statements, soft statements, grace periods,
/// min-reclaims, then "every soft threshold has a grace period". Min-reclaim is attached to every
/// threshold (hard and soft) of its signal.
pub fn parse_threshold_config(
    eviction_hard: &BTreeMap<String, String>,
    eviction_soft: &BTreeMap<String, String>,
    eviction_soft_grace_period: &BTreeMap<String, String>,
    eviction_minimum_reclaim: &BTreeMap<String, String>,
) -> Result<Vec<Threshold>, ThresholdConfigError> {
    let mut results = parse_threshold_statements(eviction_hard)?;
    let mut soft = parse_threshold_statements(eviction_soft)?;
    let grace_periods = parse_grace_periods(eviction_soft_grace_period)?;
    let min_reclaims = parse_minimum_reclaims(eviction_minimum_reclaim)?;
    for t in &mut soft {
        match grace_periods.get(&t.signal) {
            Some(g) => t.grace_period = *g,
            None => return Err(ThresholdConfigError::SoftGracePeriodMissing(t.signal)),
        }
    }
    results.extend(soft);
    for t in &mut results {
        if let Some(m) = min_reclaims.get(&t.signal) {
            t.min_reclaim = Some(m.clone());
        }
    }
    Ok(results)
}

/// `addAllocatableThresholds` (§2.5): each hard `memory.available` threshold is copied, after the
/// existing ones, as `allocatableMemory.available` (no grace period). Call it when
/// `enforceNodeAllocatable` contains `pods`. Disk thresholds pass through unchanged.
pub fn add_allocatable_thresholds(thresholds: &[Threshold]) -> Vec<Threshold> {
    let mut out = thresholds.to_vec();
    for t in thresholds {
        if t.signal == Signal::MemoryAvailable && t.is_hard() {
            out.push(Threshold {
                signal: Signal::AllocatableMemoryAvailable,
                operator: t.operator,
                value: t.value.clone(),
                grace_period: 0,
                min_reclaim: t.min_reclaim.clone(),
            });
        }
    }
    out
}

/// A copy of `src` under `signal`, or the zero-valued threshold when there is no source (§3.2).
fn containerfs_copy(signal: Signal, src: Option<&Threshold>, keep_grace: bool) -> Threshold {
    match src {
        Some(s) => Threshold {
            signal,
            operator: s.operator,
            value: s.value.clone(),
            grace_period: if keep_grace { s.grace_period } else { 0 },
            min_reclaim: s.min_reclaim.clone(),
        },
        None => Threshold::zero(signal),
    }
}

/// `UpdateContainerFsThresholds` (§3.2), called once after filesystem detection.
///
/// Returns the new list and, if the user had configured any `containerfs.*` threshold, the error
/// text the kubelet logs. Upstream reassigns its error variable for each such threshold, so only
/// the **last** one in list order is reported; we return the same one. The thresholds are always
/// returned, error or not.
///
/// | (dedicated, split) | containerfs copies |
/// |---|---|
/// | (false, false), (true, true) | nodefs hard/soft `available` and `inodesFree` |
/// | (true, false) | imagefs hard/soft (the hard inode copy, when it overwrites a user entry, also copies the source's grace period, which is 0 for a hard source) |
/// | (false, true) | nothing: user containerfs thresholds stay as they are |
///
/// A user containerfs threshold is overwritten in place; otherwise the copy is appended in the
/// order hard available, soft available, hard inodes, soft inodes. A missing source yields the
/// zero-valued threshold, which exists but is never met.
pub fn update_container_fs_thresholds(
    thresholds: &[Threshold],
    dedicated_image_fs: bool,
    split_container_image_fs: bool,
) -> (Vec<Threshold>, Option<String>) {
    let mut out = thresholds.to_vec();
    // Sources: the last matching threshold wins, as in the upstream loop.
    let mut hard_nodefs = None;
    let mut soft_nodefs = None;
    let mut hard_nodefs_inodes = None;
    let mut soft_nodefs_inodes = None;
    let mut hard_imagefs = None;
    let mut soft_imagefs = None;
    let mut hard_imagefs_inodes = None;
    let mut soft_imagefs_inodes = None;
    // Indices of user containerfs thresholds: again the last one wins.
    let mut hard_cfs: Option<usize> = None;
    let mut soft_cfs: Option<usize> = None;
    let mut hard_cfs_inodes: Option<usize> = None;
    let mut soft_cfs_inodes: Option<usize> = None;
    let mut err: Option<String> = None;
    for (idx, t) in thresholds.iter().enumerate() {
        let hard = t.is_hard();
        match (t.signal, hard) {
            (Signal::ImageFsAvailable, true) => hard_imagefs = Some(t),
            (Signal::ImageFsAvailable, false) => soft_imagefs = Some(t),
            (Signal::ImageFsInodesFree, true) => hard_imagefs_inodes = Some(t),
            (Signal::ImageFsInodesFree, false) => soft_imagefs_inodes = Some(t),
            (Signal::NodeFsAvailable, true) => hard_nodefs = Some(t),
            (Signal::NodeFsAvailable, false) => soft_nodefs = Some(t),
            (Signal::NodeFsInodesFree, true) => hard_nodefs_inodes = Some(t),
            (Signal::NodeFsInodesFree, false) => soft_nodefs_inodes = Some(t),
            (Signal::ContainerFsAvailable, true) => {
                err = Some("found containerfs.available for hard eviction. ignoring".into());
                hard_cfs = Some(idx);
            }
            (Signal::ContainerFsAvailable, false) => {
                err = Some("found containerfs.available for soft eviction. ignoring".into());
                soft_cfs = Some(idx);
            }
            (Signal::ContainerFsInodesFree, true) => {
                err = Some("found containerfs.inodesFree for hard eviction. ignoring".into());
                hard_cfs_inodes = Some(idx);
            }
            (Signal::ContainerFsInodesFree, false) => {
                err = Some("found containerfs.inodesFree for soft eviction. ignoring".into());
                soft_cfs_inodes = Some(idx);
            }
            _ => {}
        }
    }

    let mut put = |slot: Option<usize>, t: Threshold| match slot {
        Some(i) => out[i] = t,
        None => out.push(t),
    };
    let single_or_split = dedicated_image_fs == split_container_image_fs;
    if single_or_split {
        put(
            hard_cfs,
            containerfs_copy(Signal::ContainerFsAvailable, hard_nodefs, false),
        );
        put(
            soft_cfs,
            containerfs_copy(Signal::ContainerFsAvailable, soft_nodefs, true),
        );
        put(
            hard_cfs_inodes,
            containerfs_copy(Signal::ContainerFsInodesFree, hard_nodefs_inodes, false),
        );
        put(
            soft_cfs_inodes,
            containerfs_copy(Signal::ContainerFsInodesFree, soft_nodefs_inodes, true),
        );
    } else if dedicated_image_fs && !split_container_image_fs {
        put(
            hard_cfs,
            containerfs_copy(Signal::ContainerFsAvailable, hard_imagefs, false),
        );
        put(
            soft_cfs,
            containerfs_copy(Signal::ContainerFsAvailable, soft_imagefs, true),
        );
        // The in-place overwrite copies GracePeriod, the append does not (§3.2 quirk).
        put(
            hard_cfs_inodes,
            containerfs_copy(
                Signal::ContainerFsInodesFree,
                hard_imagefs_inodes,
                hard_cfs_inodes.is_some(),
            ),
        );
        put(
            soft_cfs_inodes,
            containerfs_copy(Signal::ContainerFsInodesFree, soft_imagefs_inodes, true),
        );
    }
    (out, err)
}

// ---------------------------------------------------------------------------------------------
// Observations (§1.1)
// ---------------------------------------------------------------------------------------------

/// The Summary API fields of one filesystem (`statsapi.FsStats`) that eviction reads.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FsStats {
    pub available_bytes: Option<u64>,
    pub capacity_bytes: Option<u64>,
    pub inodes_free: Option<u64>,
    pub inodes: Option<u64>,
    /// When the stats were collected; `None` is Go's zero time.
    pub time: Option<SimTime>,
}

/// The node part of the Summary: `Node.Fs`, `Node.Runtime.ImageFs`, `Node.Runtime.ContainerFs`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NodeDiskSummary {
    pub node_fs: Option<FsStats>,
    pub image_fs: Option<FsStats>,
    pub container_fs: Option<FsStats>,
}

/// `signalObservation`: available and capacity of one signal, and the stats time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignalObservation {
    pub available: i64,
    pub capacity: i64,
    pub time: Option<SimTime>,
}

/// `signalObservations`, ordered by signal.
pub type SignalObservations = BTreeMap<Signal, SignalObservation>;

/// `makeSignalObservations`, disk part (§1.1): a signal is observed only when both its available
/// and capacity fields are present. Memory and PID signals are never observed.
pub fn make_signal_observations(summary: &NodeDiskSummary) -> SignalObservations {
    let mut out = SignalObservations::new();
    let fs_sets = [
        (
            summary.node_fs,
            Signal::NodeFsAvailable,
            Signal::NodeFsInodesFree,
        ),
        (
            summary.image_fs,
            Signal::ImageFsAvailable,
            Signal::ImageFsInodesFree,
        ),
        (
            summary.container_fs,
            Signal::ContainerFsAvailable,
            Signal::ContainerFsInodesFree,
        ),
    ];
    for (fs, bytes_signal, inodes_signal) in fs_sets {
        let Some(fs) = fs else { continue };
        if let (Some(a), Some(c)) = (fs.available_bytes, fs.capacity_bytes) {
            out.insert(
                bytes_signal,
                SignalObservation {
                    available: a as i64,
                    capacity: c as i64,
                    time: fs.time,
                },
            );
        }
        if let (Some(a), Some(c)) = (fs.inodes_free, fs.inodes) {
            out.insert(
                inodes_signal,
                SignalObservation {
                    available: a as i64,
                    capacity: c as i64,
                    time: fs.time,
                },
            );
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Thresholds met, grace periods, node conditions (§1.3, §4 steps 5–10, §5)
// ---------------------------------------------------------------------------------------------

/// `thresholdsMet` (§1.3): the thresholds whose signal is observed and whose quantity (plus the
/// min-reclaim quantity when `enforce_min_reclaim`) is strictly greater than what is available.
/// Percentages are relative to the observed capacity, min-reclaim ones too. Only `LessThan` can be
/// met. Input order is kept.
pub fn thresholds_met(
    thresholds: &[Threshold],
    observations: &SignalObservations,
    enforce_min_reclaim: bool,
) -> Vec<Threshold> {
    thresholds
        .iter()
        .filter(|t| {
            let Some(obs) = observations.get(&t.signal) else {
                return false; // "no observation found for eviction signal"
            };
            let mut quantity = get_threshold_quantity(&t.value, obs.capacity);
            if enforce_min_reclaim {
                if let Some(m) = &t.min_reclaim {
                    quantity = quantity.saturating_add(get_threshold_quantity(m, obs.capacity));
                }
            }
            t.operator == ThresholdOperator::LessThan && quantity > obs.available
        })
        .cloned()
        .collect()
}

/// `hasThreshold`: same signal, operator, value and grace period (min-reclaim is not compared).
pub fn has_threshold(inputs: &[Threshold], item: &Threshold) -> bool {
    inputs.iter().any(|t| {
        t.grace_period == item.grace_period
            && t.operator == item.operator
            && t.signal == item.signal
            && t.value == item.value
    })
}

/// `mergeThresholds` (§4 step 6): `a`, then each of `b` not already present per [`has_threshold`].
pub fn merge_thresholds(a: &[Threshold], b: &[Threshold]) -> Vec<Threshold> {
    let mut out = a.to_vec();
    for t in b {
        if !has_threshold(&out, t) {
            out.push(t.clone());
        }
    }
    out
}

/// `thresholdsObservedAt`: when each active threshold was first seen met. A `Vec` in the order of
/// the thresholds it was built from, instead of the kubelet's Go map, so that everything derived
/// from it has a stable order.
pub type ThresholdsObservedAt = Vec<(Threshold, SimTime)>;

/// `thresholdsFirstObservedAt` (§4 step 7): keep the previous time of a threshold still met,
/// stamp `now` on a new one, forget the rest (so a soft grace timer restarts from zero the first
/// time a sync sees its threshold clear).
pub fn thresholds_first_observed_at(
    thresholds: &[Threshold],
    last: &ThresholdsObservedAt,
    now: SimTime,
) -> ThresholdsObservedAt {
    thresholds
        .iter()
        .map(|t| {
            let at = last
                .iter()
                .find(|(lt, _)| lt == t)
                .map(|(_, at)| *at)
                .unwrap_or(now);
            (t.clone(), at)
        })
        .collect()
}

/// `thresholdsMetGracePeriod` (§4 step 9): thresholds met for at least their grace period
/// (`now - first_observed >= grace`); hard ones pass at once. Upstream ranges over a Go map, so
/// the order is random; here it is the order of `observed_at`, i.e. the order of the met list:
/// configuration order, then carried-over thresholds.
pub fn thresholds_met_grace_period(
    observed_at: &ThresholdsObservedAt,
    now: SimTime,
) -> Vec<Threshold> {
    observed_at
        .iter()
        .filter(|(t, at)| {
            let elapsed = now.saturating_sub(*at) as i64;
            elapsed >= t.grace_period
        })
        .map(|(t, _)| t.clone())
        .collect()
}

/// `thresholdsUpdatedStats` (§4 step 10): keep a threshold only if its signal is observed and its
/// stats are newer than at the previous sync (or either time is unknown). A no-op when stats are
/// refreshed every sync.
pub fn thresholds_updated_stats(
    thresholds: &[Threshold],
    observations: &SignalObservations,
    last_observations: &SignalObservations,
) -> Vec<Threshold> {
    thresholds
        .iter()
        .filter(|t| {
            let Some(obs) = observations.get(&t.signal) else {
                return false;
            };
            let Some(last) = last_observations.get(&t.signal) else {
                return true;
            };
            match (obs.time, last.time) {
                (None, _) => true,
                (Some(_), None) => true,
                (Some(now), Some(before)) => now > before,
            }
        })
        .cloned()
        .collect()
}

/// `nodeConditions`: the conditions of the given thresholds, without duplicates, in order of first
/// appearance.
pub fn node_conditions(thresholds: &[Threshold]) -> Vec<NodeConditionType> {
    let mut out = Vec::new();
    for t in thresholds {
        let c = t.signal.node_condition();
        if !has_node_condition(&out, c) {
            out.push(c);
        }
    }
    out
}

/// `nodeConditionsObservedAt`.
pub type NodeConditionsObservedAt = BTreeMap<NodeConditionType, SimTime>;

/// `nodeConditionsLastObservedAt` (§4 step 8): conditions seen now get `now`; the others keep
/// their previous time.
pub fn node_conditions_last_observed_at(
    conditions: &[NodeConditionType],
    last: &NodeConditionsObservedAt,
    now: SimTime,
) -> NodeConditionsObservedAt {
    let mut out = last.clone();
    for c in conditions {
        out.insert(*c, now);
    }
    out
}

/// `nodeConditionsObservedSince` (§4 step 8): conditions last seen strictly less than `period`
/// ago. This is the reported set: DiskPressure stays on for a full transition period after the
/// last crossing. Ordered MemoryPressure, DiskPressure, PIDPressure (upstream: map order).
pub fn node_conditions_observed_since(
    observed_at: &NodeConditionsObservedAt,
    period: DurationNs,
    now: SimTime,
) -> Vec<NodeConditionType> {
    observed_at
        .iter()
        .filter(|(_, at)| (now.saturating_sub(**at) as i64) < period)
        .map(|(c, _)| *c)
        .collect()
}

/// `hasNodeCondition`.
pub fn has_node_condition(inputs: &[NodeConditionType], item: NodeConditionType) -> bool {
    inputs.contains(&item)
}

/// `sort.Sort(byEvictionPriority(thresholds))` (§4 step 13), reproduced exactly for up to 12
/// thresholds, where Go's pdqsort is a plain insertion sort.
///
/// The kubelet's `Less(i, j)` is "i is a memory signal, or j's signal has no resource". Every
/// accepted signal has a resource, so among disk thresholds `Less` is always false and insertion
/// sort leaves them in input order; memory thresholds move to the front (in reverse order among
/// themselves, because `Less` is not a strict order there). Upstream the input order is Go map
/// order, so which disk threshold comes first is random; ours is the order of
/// [`thresholds_met_grace_period`]: configuration order — hard before soft, then ascending signal
/// name ([`parse_threshold_config`]), then the synthesised containerfs thresholds — followed by
/// carried-over ones. Consequences: when hard and soft thresholds of one signal are both past
/// grace, the hard one is acted on (grace 1 s); when `imagefs.*` and `nodefs.*` are both past
/// grace, `imagefs` is acted on. We apply the same insertion sort beyond 12 elements (Go would
/// switch to pdqsort, whose result here is no more meaningful).
pub fn sort_by_eviction_priority(thresholds: &[Threshold]) -> Vec<Threshold> {
    // Every Signal maps to a resource, so "j has no resource" is always false.
    let less = |a: &Threshold, _b: &Threshold| a.signal.is_memory();
    let mut v = thresholds.to_vec();
    for i in 1..v.len() {
        let mut j = i;
        while j > 0 && less(&v[j], &v[j - 1]) {
            v.swap(j, j - 1);
            j -= 1;
        }
    }
    v
}

/// `getReclaimableThreshold`: the first threshold whose signal has a resource (all do), with
/// that resource.
pub fn get_reclaimable_threshold(thresholds: &[Threshold]) -> Option<(Threshold, ResourceName)> {
    thresholds.first().map(|t| (t.clone(), t.signal.resource()))
}

/// [`sort_by_eviction_priority`] then [`get_reclaimable_threshold`]: the threshold the sync acts
/// on, and the resource it reclaims (§4 step 13).
pub fn pick_threshold_to_reclaim(act: &[Threshold]) -> Option<(Threshold, ResourceName)> {
    get_reclaimable_threshold(&sort_by_eviction_priority(act))
}

/// `isHardEvictionThreshold`.
pub fn is_hard_eviction_threshold(threshold: &Threshold) -> bool {
    threshold.is_hard()
}

// ---------------------------------------------------------------------------------------------
// Per-configuration tables (§3.3, §3.4)
// ---------------------------------------------------------------------------------------------

/// `fsStatsType`: which per-pod usage counts toward a filesystem (§1.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FsStatsType {
    /// Containers' writable layers (`Rootfs`).
    Root,
    /// Containers' logs.
    Logs,
    /// The pod's declared local volumes (hostPath, default-medium emptyDir, configMap, gitRepo).
    LocalVolumeSource,
    /// Read-only image layers: defined but never computed upstream, so it always adds 0 (§1.2).
    Images,
}

const FS_SINGLE: &[FsStatsType] = &[
    FsStatsType::Images,
    FsStatsType::Root,
    FsStatsType::Logs,
    FsStatsType::LocalVolumeSource,
];
const FS_DEDICATED_NODEFS: &[FsStatsType] = &[FsStatsType::Logs, FsStatsType::LocalVolumeSource];
const FS_DEDICATED_IMAGEFS: &[FsStatsType] = &[FsStatsType::Root, FsStatsType::Images];
const FS_SPLIT_NODEFS: &[FsStatsType] = &[
    FsStatsType::Logs,
    FsStatsType::LocalVolumeSource,
    FsStatsType::Root,
];
const FS_SPLIT_IMAGEFS: &[FsStatsType] = &[FsStatsType::Images];

/// `buildSignalToRankFunc`, disk part (§3.3): the usage counted when ranking pods for `signal`.
/// `None` for memory and PID signals (ranked by memory/process usage upstream; not simulated).
/// (false, true) uses the single-filesystem sets, as upstream's `else` branch does.
pub fn rank_fs_types(
    signal: Signal,
    dedicated_image_fs: bool,
    split_container_image_fs: bool,
) -> Option<&'static [FsStatsType]> {
    if !signal.is_disk() {
        return None;
    }
    let is_nodefs = matches!(signal, Signal::NodeFsAvailable | Signal::NodeFsInodesFree);
    let is_imagefs = matches!(signal, Signal::ImageFsAvailable | Signal::ImageFsInodesFree);
    Some(match (dedicated_image_fs, split_container_image_fs) {
        (true, false) if is_nodefs => FS_DEDICATED_NODEFS,
        // imagefs and containerfs
        (true, false) => FS_DEDICATED_IMAGEFS,
        (true, true) if is_imagefs => FS_SPLIT_IMAGEFS,
        // nodefs and containerfs
        (true, true) => FS_SPLIT_NODEFS,
        _ => FS_SINGLE,
    })
}

/// A node-level reclaim function (§3.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeReclaimFunc {
    /// Container GC with `evictNonDeletedPods=true`.
    DeleteAllUnusedContainers,
    /// Image GC asked to free `MaxInt64` bytes.
    DeleteUnusedImages,
}

const RECLAIM_BOTH: &[NodeReclaimFunc] = &[
    NodeReclaimFunc::DeleteAllUnusedContainers,
    NodeReclaimFunc::DeleteUnusedImages,
];
const RECLAIM_CONTAINERS: &[NodeReclaimFunc] = &[NodeReclaimFunc::DeleteAllUnusedContainers];
const RECLAIM_IMAGES: &[NodeReclaimFunc] = &[NodeReclaimFunc::DeleteUnusedImages];

/// `buildSignalToNodeReclaimFuncs` (§3.4), run in list order. An empty list means "go straight to
/// pod eviction" (§6): that is nodefs with a dedicated imagefs, and every non-disk signal.
pub fn node_reclaim_funcs(
    signal: Signal,
    dedicated_image_fs: bool,
    split_container_image_fs: bool,
) -> &'static [NodeReclaimFunc] {
    if !signal.is_disk() {
        return &[];
    }
    let is_imagefs = matches!(signal, Signal::ImageFsAvailable | Signal::ImageFsInodesFree);
    let is_nodefs = matches!(signal, Signal::NodeFsAvailable | Signal::NodeFsInodesFree);
    match (dedicated_image_fs, split_container_image_fs) {
        (true, false) if is_nodefs => &[],
        (true, false) => RECLAIM_BOTH,
        (true, true) if is_imagefs => RECLAIM_IMAGES,
        (true, true) => RECLAIM_CONTAINERS,
        _ => RECLAIM_BOTH,
    }
}

// ---------------------------------------------------------------------------------------------
// The pod and its stats, as eviction sees them (§1.2)
// ---------------------------------------------------------------------------------------------

/// A container of the pod spec: name and ephemeral-storage resources.
#[derive(Debug, Clone)]
pub struct ContainerSpec {
    pub name: String,
    pub ephemeral_storage_request: Option<Quantity>,
    pub ephemeral_storage_limit: Option<Quantity>,
}

impl ContainerSpec {
    pub fn new(name: &str) -> Self {
        ContainerSpec {
            name: name.to_string(),
            ephemeral_storage_request: None,
            ephemeral_storage_limit: None,
        }
    }
}

/// `emptyDir.medium`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StorageMedium {
    /// `""`: node disk.
    Default,
    Memory,
    HugePages,
}

/// The volume sources eviction distinguishes.
#[derive(Debug, Clone)]
pub enum VolumeSource {
    EmptyDir {
        medium: StorageMedium,
        size_limit: Option<Quantity>,
    },
    HostPath,
    ConfigMap,
    GitRepo,
    /// Anything else (secret, downwardAPI, projected, PVC, CSI, …): not local for eviction.
    Other,
}

/// A declared pod volume.
#[derive(Debug, Clone)]
pub struct VolumeSpec {
    pub name: String,
    pub source: VolumeSource,
}

impl VolumeSpec {
    /// `volumeutils.IsLocalEphemeralVolume` or hostPath (`localVolumeNames`).
    ///
    /// Resolved from source: pkg/volume/util/util.go `IsLocalEphemeralVolume` in the current tree
    /// is gitRepo, emptyDir with the default medium, or configMap (older trees: emptyDir not
    /// memory-backed, and downwardAPI). So a memory- or hugepages-backed emptyDir is not counted.
    pub fn is_local(&self) -> bool {
        match &self.source {
            VolumeSource::HostPath | VolumeSource::ConfigMap | VolumeSource::GitRepo => true,
            VolumeSource::EmptyDir { medium, .. } => *medium == StorageMedium::Default,
            VolumeSource::Other => false,
        }
    }
}

/// What the eviction manager reads from a `v1.Pod`.
#[derive(Debug, Clone)]
pub struct EvictionPod {
    /// Key of the pod's stats in [`PodStatsMap`].
    pub uid: String,
    pub name: String,
    /// `spec.priority`; `None` counts as 0.
    pub priority: Option<i32>,
    /// File/HTTP-sourced static pod.
    pub is_static: bool,
    /// Mirror pod of a static pod.
    pub is_mirror: bool,
    /// `spec.terminationGracePeriodSeconds`. The API server defaults it to 30, so real pods carry
    /// `Some(30)` unless set; `None` reproduces the upstream unit-test fixtures.
    pub termination_grace_period_seconds: Option<i64>,
    pub containers: Vec<ContainerSpec>,
    /// Init containers, modelled as non-restartable (sidecars are not modelled).
    pub init_containers: Vec<ContainerSpec>,
    pub volumes: Vec<VolumeSpec>,
    /// `spec.overhead[ephemeral-storage]` from the RuntimeClass, if any.
    pub overhead_ephemeral_storage: Option<Quantity>,
}

impl EvictionPod {
    /// A pod with no containers, volumes or priority.
    pub fn new(uid: &str, name: &str) -> Self {
        EvictionPod {
            uid: uid.to_string(),
            name: name.to_string(),
            priority: None,
            is_static: false,
            is_mirror: false,
            termination_grace_period_seconds: None,
            containers: Vec::new(),
            init_containers: Vec::new(),
            volumes: Vec::new(),
            overhead_ephemeral_storage: None,
        }
    }

    /// `corev1helpers.PodPriority`: nil counts as 0.
    pub fn priority_or_zero(&self) -> i32 {
        self.priority.unwrap_or(0)
    }

    /// `kubelettypes.IsCriticalPod`: static, mirror, or priority ≥ 2 000 000 000. Critical pods
    /// are never evicted and always admitted.
    pub fn is_critical(&self) -> bool {
        self.is_static
            || self.is_mirror
            || self.priority.is_some_and(|p| p >= SYSTEM_CRITICAL_PRIORITY)
    }
}

/// Used bytes and inodes of one filesystem usage record (`statsapi.FsStats` of a container's
/// rootfs or logs). Missing values count as 0 in usage sums.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FsUsage {
    pub used_bytes: Option<u64>,
    pub inodes_used: Option<u64>,
}

impl FsUsage {
    pub fn bytes(used_bytes: u64) -> Self {
        FsUsage {
            used_bytes: Some(used_bytes),
            inodes_used: None,
        }
    }
}

/// `statsapi.ContainerStats`, disk part.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContainerStats {
    /// Must match the spec container's name for the message and the container limit (§9, §10).
    pub name: String,
    /// The writable layer.
    pub rootfs: Option<FsUsage>,
    pub logs: Option<FsUsage>,
}

/// `statsapi.VolumeStats`, disk part.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VolumeStats {
    pub name: String,
    pub used_bytes: Option<u64>,
    pub inodes_used: Option<u64>,
}

/// `statsapi.PodStats`, disk part.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PodStats {
    pub containers: Vec<ContainerStats>,
    pub volumes: Vec<VolumeStats>,
    /// `EphemeralStorage.UsedBytes`: the pod total the Summary API reports (§9 pod rule).
    pub ephemeral_storage_used_bytes: Option<u64>,
}

/// `cachedStatsFunc`: pod stats keyed by pod UID. A pod absent from the map has "no stats".
pub type PodStatsMap = BTreeMap<String, PodStats>;

/// Disk usage of a pod over a set of [`FsStatsType`]s.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DiskUsage {
    pub bytes: i64,
    pub inodes: i64,
}

impl DiskUsage {
    /// The usage of `resource` (`ephemeral-storage` → bytes, `inodes` → inodes, otherwise 0).
    pub fn of(&self, resource: ResourceName) -> i64 {
        match resource {
            ResourceName::EphemeralStorage => self.bytes,
            ResourceName::Inodes => self.inodes,
            _ => 0,
        }
    }
}

fn fs_bytes(u: Option<&FsUsage>) -> i64 {
    u.and_then(|u| u.used_bytes).unwrap_or(0) as i64
}

fn fs_inodes(u: Option<&FsUsage>) -> i64 {
    u.and_then(|u| u.inodes_used).unwrap_or(0) as i64
}

/// `podDiskUsage` (§1.2): `root` and `logs` sum over containers; `localVolumeSource` sums the
/// stats of the pod's **declared** local volumes (first stats entry with the volume's name);
/// `images` adds nothing.
pub fn pod_disk_usage(pod: &EvictionPod, stats: &PodStats, fs_types: &[FsStatsType]) -> DiskUsage {
    let mut u = DiskUsage::default();
    let root = fs_types.contains(&FsStatsType::Root);
    let logs = fs_types.contains(&FsStatsType::Logs);
    for c in &stats.containers {
        if root {
            u.bytes += fs_bytes(c.rootfs.as_ref());
            u.inodes += fs_inodes(c.rootfs.as_ref());
        }
        if logs {
            u.bytes += fs_bytes(c.logs.as_ref());
            u.inodes += fs_inodes(c.logs.as_ref());
        }
    }
    if fs_types.contains(&FsStatsType::LocalVolumeSource) {
        for vol in pod.volumes.iter().filter(|v| v.is_local()) {
            if let Some(vs) = stats.volumes.iter().find(|vs| vs.name == vol.name) {
                u.bytes += vs.used_bytes.unwrap_or(0) as i64;
                u.inodes += vs.inodes_used.unwrap_or(0) as i64;
            }
        }
    }
    u
}

/// `GetResourceRequestQuantity(pod, resource)` in bytes (§7): for `ephemeral-storage`, the sum of
/// the containers' requests, raised to the largest init-container request, plus the pod overhead
/// when the total is non-zero; 0 for `inodes` (nothing requests inodes) and other resources.
/// Restartable (sidecar) init containers and pod-level resources are not modelled.
pub fn pod_request(pod: &EvictionPod, resource: ResourceName) -> i64 {
    if resource != ResourceName::EphemeralStorage {
        return 0;
    }
    let mut total: i64 = pod
        .containers
        .iter()
        .filter_map(|c| c.ephemeral_storage_request.as_ref())
        .map(|q| q.value())
        .sum();
    for init in &pod.init_containers {
        if let Some(q) = &init.ephemeral_storage_request {
            total = total.max(q.value());
        }
    }
    if total != 0 {
        if let Some(o) = &pod.overhead_ephemeral_storage {
            total += o.value();
        }
    }
    total
}

// ---------------------------------------------------------------------------------------------
// Ranking (§7)
// ---------------------------------------------------------------------------------------------

/// One comparator of the kubelet's `orderedBy(...)` chain for disk pressure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PodComparator {
    /// `exceedDiskRequests`: pods with no stats first, then pods whose usage of the resource is
    /// strictly above their request of that resource (for `inodes` the request is 0).
    ExceedDiskRequests,
    /// `priority`: lower priority first (nil = 0).
    Priority,
    /// `disk`: pods with no stats first, then larger `usage − ephemeral-storage request` first —
    /// for `inodes` too, where the byte request is subtracted from an inode count (§7 quirk).
    Disk,
}

/// What the comparators need from one pod, computed once (and what `explain` shows of the
/// ranking).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RankKey {
    /// The pod has stats (a pod without sorts first under both usage comparators).
    pub has_stats: bool,
    /// Usage of the resource strictly above the pod's request of it (0 for `inodes`).
    pub exceeds: bool,
    pub priority: i32,
    /// The pod's usage of the resource over the ranking's filesystems (0 without stats).
    pub usage: i64,
    /// The pod's ephemeral-storage request ([`pod_request`]).
    pub request: i64,
    /// `usage - request` (the ephemeral-storage request, for `inodes` too: §7 quirk).
    pub usage_minus_request: i64,
}

/// The ranking inputs of one pod: [`rank_disk_pressure`] sorts by these.
pub fn rank_key(
    pod: &EvictionPod,
    stats: &PodStatsMap,
    fs_types: &[FsStatsType],
    resource: ResourceName,
) -> RankKey {
    let request = pod_request(pod, ResourceName::EphemeralStorage);
    match stats.get(&pod.uid) {
        None => RankKey {
            has_stats: false,
            exceeds: false,
            priority: pod.priority_or_zero(),
            usage: 0,
            request,
            usage_minus_request: 0,
        },
        Some(s) => {
            let usage = pod_disk_usage(pod, s, fs_types).of(resource);
            RankKey {
                has_stats: true,
                exceeds: usage > pod_request(pod, resource),
                priority: pod.priority_or_zero(),
                usage,
                request,
                usage_minus_request: usage - request,
            }
        }
    }
}

/// `cmpBool`: true sorts first.
fn cmp_bool_true_first(a: bool, b: bool) -> Ordering {
    b.cmp(&a)
}

fn compare(c: PodComparator, a: &RankKey, b: &RankKey) -> Ordering {
    match c {
        PodComparator::ExceedDiskRequests | PodComparator::Disk if !a.has_stats || !b.has_stats => {
            cmp_bool_true_first(!a.has_stats, !b.has_stats)
        }
        PodComparator::ExceedDiskRequests => cmp_bool_true_first(a.exceeds, b.exceeds),
        PodComparator::Priority => a.priority.cmp(&b.priority),
        PodComparator::Disk => b.usage_minus_request.cmp(&a.usage_minus_request),
    }
}

/// `orderedBy(comparators...).Sort(pods)`: returns indices into `pods`, most evictable first.
///
/// Tie-break: a **stable** sort, so pods equal under every comparator keep their order in `pods`
/// (the manager should pass active pods in a deterministic order, e.g. creation order). Upstream
/// uses Go's unstable `sort.Sort`; with ≤ 12 pods that is an insertion sort, which is stable and
/// gives the same result (§7), and the upstream tests rely on it.
pub fn order_pods(
    pods: &[EvictionPod],
    stats: &PodStatsMap,
    fs_types: &[FsStatsType],
    resource: ResourceName,
    comparators: &[PodComparator],
) -> Vec<usize> {
    let keys: Vec<RankKey> = pods
        .iter()
        .map(|p| rank_key(p, stats, fs_types, resource))
        .collect();
    let mut order: Vec<usize> = (0..pods.len()).collect();
    order.sort_by(|&i, &j| {
        comparators
            .iter()
            .map(|c| compare(*c, &keys[i], &keys[j]))
            .find(|o| o.is_ne())
            .unwrap_or(Ordering::Equal)
    });
    order
}

/// `rankDiskPressureFunc(fs_types, resource)` (§7): exceeds-request, then priority, then usage
/// above request. Returns indices into `pods`, first to evict first.
pub fn rank_disk_pressure(
    pods: &[EvictionPod],
    stats: &PodStatsMap,
    fs_types: &[FsStatsType],
    resource: ResourceName,
) -> Vec<usize> {
    order_pods(
        pods,
        stats,
        fs_types,
        resource,
        &[
            PodComparator::ExceedDiskRequests,
            PodComparator::Priority,
            PodComparator::Disk,
        ],
    )
}

// ---------------------------------------------------------------------------------------------
// Grace periods (§8)
// ---------------------------------------------------------------------------------------------

/// The `gracePeriodOverride` the eviction manager passes to the pod killer for a threshold
/// eviction (eviction_manager.go `synchronize`, v1.32–v1.34):
///
/// * hard threshold → `hard_override`: [`IMMEDIATE_EVICTION_GRACE_PERIOD_SECONDS`] (1) since PR
///   #124063, 0 before (see `kubelet::versions`);
/// * soft threshold → `evictionMaxPodGracePeriod`, lowered to the pod's own
///   `terminationGracePeriodSeconds` when the pod has one, unless the deprecated
///   `AllowOverwriteTerminationGracePeriodSeconds` gate is on (default off since v1.32, locked off
///   in v1.35; before v1.32 the result was always `max`).
///
/// Resolved from source: the soft branch reads `min(MaxPodGracePeriodSeconds,
/// *pod.Spec.TerminationGracePeriodSeconds)` guarded by `TerminationGracePeriodSeconds != nil &&
/// !AllowOverwriteTerminationGracePeriodSeconds` (eviction_manager.go of that era).
///
/// This is the override, not what the pod gets: see [`effective_grace_period_seconds`].
pub fn eviction_grace_period_override(
    threshold: &Threshold,
    max_pod_grace_period_seconds: i64,
    pod_termination_grace_period_seconds: Option<i64>,
    allow_overwrite_termination_grace_period_seconds: bool,
    hard_override: i64,
) -> i64 {
    if threshold.is_hard() {
        return hard_override;
    }
    match pod_termination_grace_period_seconds {
        Some(tgps) if !allow_overwrite_termination_grace_period_seconds => {
            max_pod_grace_period_seconds.min(tgps)
        }
        _ => max_pod_grace_period_seconds,
    }
}

/// The grace period the pod is actually killed with, given an override (pod_workers.go
/// `calculateEffectiveGracePeriod` for a pod not yet terminating, no API deletion grace):
/// an override of **0 means "none"**, so the pod's own TGPS applies; anything below 1 becomes 1.
///
/// Resolved from source (mainline pod_workers.go): start from the override; if the result is 0
/// and the pod has a TGPS, use the TGPS; then clamp to at least 1. Hence with the default
/// `evictionMaxPodGracePeriod: 0` a soft eviction gets the pod's full TGPS, and a negative max
/// gives 1 s (§8). A variant with an `overridden` flag (explicit 0 → 1 s) exists in some trees
/// under a renamed option; it is not modelled (still UNCONFIRMED whether it is merged upstream).
pub fn effective_grace_period_seconds(
    override_seconds: Option<i64>,
    pod_termination_grace_period_seconds: Option<i64>,
) -> i64 {
    let mut g = override_seconds.unwrap_or(0);
    if g == 0 {
        if let Some(tgps) = pod_termination_grace_period_seconds {
            g = tgps;
        }
    }
    g.max(1)
}

// ---------------------------------------------------------------------------------------------
// Messages (§10)
// ---------------------------------------------------------------------------------------------

/// A quantity of `resource` as the kubelet prints a fresh one: BinarySI for bytes
/// (`24094024Ki`, `1536Mi`), DecimalSI for counts (`3145728`, `2M`).
fn format_resource_amount(resource: ResourceName, v: i64) -> String {
    match resource {
        ResourceName::EphemeralStorage | ResourceName::Memory => {
            Quantity::from_bytes_binary(v).to_string()
        }
        ResourceName::Inodes | ResourceName::Pids => {
            Quantity::new(v, QuantityFormat::DecimalSI).to_string()
        }
    }
}

/// The `Evicted` message of a threshold eviction and the event annotations (`evictionMessage`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvictionMessage {
    pub message: String,
    /// Empty when the pod had no stats; otherwise the three keys of §10, in key order.
    pub annotations: BTreeMap<String, String>,
}

/// `evictionMessage` (§10), disk resources:
///
/// `The node was low on resource: <res>. ` + `Threshold quantity: <q>, available: <a>. ` (from the
/// **first** threshold of `thresholds` — pass the act list — whose signal has resource `<res>` and
/// is observed, which may be another filesystem than the one acted on) + for each container of the
/// pod's stats whose spec container (regular or init, by name) is found and whose
/// `rootfs + logs` usage (both present) exceeds its own ephemeral-storage request:
/// `Container <c> was using <u>, request is <r>, has larger consumption of <res>. `. For `inodes`
/// there is never a container part.
pub fn eviction_message(
    resource: ResourceName,
    pod: &EvictionPod,
    stats: Option<&PodStats>,
    thresholds: &[Threshold],
    observations: &SignalObservations,
) -> EvictionMessage {
    let mut message = format!("The node was low on resource: {resource}. ");
    let met = thresholds.iter().find_map(|t| {
        if t.signal.resource() != resource {
            return None;
        }
        observations.get(&t.signal).map(|o| (t, o))
    });
    if let Some((t, obs)) = met {
        message.push_str(&format!(
            "Threshold quantity: {}, available: {}. ",
            get_threshold_quantity_display(&t.value, obs.capacity),
            format_resource_amount(t.signal.resource(), obs.available),
        ));
    }
    let mut annotations = BTreeMap::new();
    let Some(stats) = stats else {
        return EvictionMessage {
            message,
            annotations,
        };
    };
    let mut offending = Vec::new();
    let mut offending_usage = Vec::new();
    for cs in &stats.containers {
        let Some(spec) = pod
            .containers
            .iter()
            .chain(pod.init_containers.iter())
            .find(|c| c.name == cs.name)
        else {
            continue;
        };
        if resource != ResourceName::EphemeralStorage {
            continue; // no usage is computed for inodes: never a container part
        }
        let usage = match (
            cs.rootfs.and_then(|r| r.used_bytes),
            cs.logs.and_then(|l| l.used_bytes),
        ) {
            (Some(r), Some(l)) => (r + l) as i64,
            _ => continue,
        };
        let request = spec
            .ephemeral_storage_request
            .as_ref()
            .map(|q| q.value())
            .unwrap_or(0);
        if usage > request {
            let usage_s = Quantity::from_bytes_binary(usage).to_string();
            let request_s = spec
                .ephemeral_storage_request
                .as_ref()
                .map(|q| q.to_string())
                .unwrap_or_else(|| "0".to_string());
            message.push_str(&format!(
                "Container {} was using {}, request is {}, has larger consumption of {}. ",
                spec.name, usage_s, request_s, resource
            ));
            offending.push(spec.name.clone());
            offending_usage.push(usage_s);
        }
    }
    annotations.insert(OFFENDING_CONTAINERS_KEY.to_string(), offending.join(","));
    annotations.insert(
        OFFENDING_CONTAINERS_USAGE_KEY.to_string(),
        offending_usage.join(","),
    );
    annotations.insert(STARVED_RESOURCE_KEY.to_string(), resource.to_string());
    EvictionMessage {
        message,
        annotations,
    }
}

/// Message of the `EvictionThresholdMet` Warning event on the Node (§4 step 14).
pub fn threshold_met_event_message(resource: ResourceName) -> String {
    format!("Attempting to reclaim {resource}")
}

/// `nodeConditionMessageFmt` with Go's `%v` of a slice: `The node had condition: [DiskPressure]. `
pub fn node_condition_message(conditions: &[NodeConditionType]) -> String {
    let names: Vec<&str> = conditions.iter().map(|c| c.as_str()).collect();
    format!("The node had condition: [{}]. ", names.join(" "))
}

// ---------------------------------------------------------------------------------------------
// Admission (§5)
// ---------------------------------------------------------------------------------------------

/// `lifecycle.PodAdmitResult`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PodAdmitResult {
    pub admit: bool,
    /// Empty when admitted, else [`REASON_EVICTED`].
    pub reason: String,
    /// Empty when admitted, else [`node_condition_message`] of the reported conditions.
    pub message: String,
}

impl PodAdmitResult {
    pub fn admitted() -> PodAdmitResult {
        PodAdmitResult {
            admit: true,
            reason: String::new(),
            message: String::new(),
        }
    }
}

/// The eviction manager's `Admit` (§5): admit when no condition is reported or the pod is
/// critical; with only MemoryPressure, admit non-BestEffort pods and BestEffort pods tolerating
/// `node.kubernetes.io/memory-pressure:NoSchedule`; any other set — any DiskPressure — rejects
/// every non-critical pod whatever its tolerations. The kubelet then sets the pod
/// `Failed/Evicted` with message [`POD_REJECTED_MESSAGE_PREFIX`] + `message`.
pub fn admit_pod(
    node_conditions: &[NodeConditionType],
    pod_is_critical: bool,
    pod_is_best_effort: bool,
    pod_tolerates_memory_pressure_taint: bool,
) -> PodAdmitResult {
    let admitted = PodAdmitResult::admitted();
    if node_conditions.is_empty() || pod_is_critical {
        return admitted;
    }
    let only_memory_pressure = node_conditions.len() == 1
        && has_node_condition(node_conditions, NodeConditionType::MemoryPressure);
    if only_memory_pressure && (!pod_is_best_effort || pod_tolerates_memory_pressure_taint) {
        return admitted;
    }
    PodAdmitResult {
        admit: false,
        reason: REASON_EVICTED.to_string(),
        message: node_condition_message(node_conditions),
    }
}

// ---------------------------------------------------------------------------------------------
// Local storage limits (§9)
// ---------------------------------------------------------------------------------------------

/// Why a pod exceeded a local-storage limit. Each is evicted with grace 1 and no
/// `DisruptionTarget` condition.
#[derive(Debug, Clone)]
pub enum LocalStorageViolation {
    /// An emptyDir with a positive `sizeLimit` uses more than it.
    EmptyDir { volume: String, limit: Quantity },
    /// The pod's `EphemeralStorage.UsedBytes` exceeds the sum of its containers' limits.
    /// `limit` is that sum as the kubelet prints it.
    PodEphemeralStorage { limit: String },
    /// A container's logs (+ writable layer without a dedicated imagefs) exceed its own limit.
    ContainerEphemeralStorage { container: String, limit: Quantity },
}

impl LocalStorageViolation {
    /// The pod status message and `Evicted` event message (§9).
    pub fn message(&self) -> String {
        match self {
            LocalStorageViolation::EmptyDir { volume, limit } => {
                format!("Usage of EmptyDir volume \"{volume}\" exceeds the limit \"{limit}\". ")
            }
            LocalStorageViolation::PodEphemeralStorage { limit } => format!(
                "Pod ephemeral local storage usage exceeds the total limit of containers {limit}. "
            ),
            LocalStorageViolation::ContainerEphemeralStorage { container, limit } => format!(
                "Container {container} exceeded its local ephemeral storage limit \"{limit}\". "
            ),
        }
    }

    /// The `eviction_signal` label of the `evictions` metric.
    pub fn signal(&self) -> &'static str {
        match self {
            LocalStorageViolation::EmptyDir { .. } => SIGNAL_EMPTY_DIR_FS_LIMIT,
            LocalStorageViolation::PodEphemeralStorage { .. } => SIGNAL_EPHEMERAL_POD_FS_LIMIT,
            LocalStorageViolation::ContainerEphemeralStorage { .. } => {
                SIGNAL_EPHEMERAL_CONTAINER_FS_LIMIT
            }
        }
    }
}

/// `PodLimits(pod)[ephemeral-storage]`: present when any container or init container sets an
/// ephemeral-storage limit. Regular containers' limits add up; an init container's limit replaces
/// the total when larger; the overhead is added to a present limit. Returns (bytes, as printed).
///
/// Printing follows Go: a limit taken from a single quantity prints as that quantity; a sum keeps
/// the format of its first term (`Quantity.Add` keeps the receiver's format) in canonical form.
pub fn pod_ephemeral_storage_limit(pod: &EvictionPod) -> Option<(i64, String)> {
    // (total, the quantity whose format is kept, whether anything was added to it)
    let mut acc: Option<(i64, &Quantity, bool)> = None;
    for q in pod
        .containers
        .iter()
        .filter_map(|c| c.ephemeral_storage_limit.as_ref())
    {
        acc = Some(match acc {
            None => (q.value(), q, false),
            Some((t, f, _)) => (t + q.value(), f, true),
        });
    }
    for q in pod
        .init_containers
        .iter()
        .filter_map(|c| c.ephemeral_storage_limit.as_ref())
    {
        acc = match acc {
            Some(kept) if q.value() <= kept.0 => Some(kept),
            _ => Some((q.value(), q, false)),
        };
    }
    let (mut total, first, mut summed) = acc?;
    if let Some(o) = &pod.overhead_ephemeral_storage {
        total += o.value();
        summed = true;
    }
    let printed = if summed {
        Quantity::new(total, first.format()).to_string()
    } else {
        first.to_string()
    };
    Some((total, printed))
}

/// The §9 checks for one pod with stats, in the kubelet's order, first violation wins:
/// emptyDir `sizeLimit` (volumes in spec order), pod total limit, container limit (containers in
/// stats order; only regular containers have limits here; logs plus, **only without a dedicated
/// imagefs**, the writable layer).
///
/// A volume stats entry without `used_bytes` is treated as absent (upstream would dereference a
/// nil pointer).
pub fn local_storage_violation(
    pod: &EvictionPod,
    stats: &PodStats,
    dedicated_image_fs: bool,
) -> Option<LocalStorageViolation> {
    // 1. emptyDir over its size limit. The map keeps the last stats entry of a name.
    let mut used: BTreeMap<&str, i64> = BTreeMap::new();
    for v in &stats.volumes {
        if let Some(b) = v.used_bytes {
            used.insert(v.name.as_str(), b as i64);
        }
    }
    for vol in &pod.volumes {
        if let VolumeSource::EmptyDir {
            size_limit: Some(limit),
            ..
        } = &vol.source
        {
            if let Some(u) = used.get(vol.name.as_str()) {
                if limit.value() > 0 && *u > limit.value() {
                    return Some(LocalStorageViolation::EmptyDir {
                        volume: vol.name.clone(),
                        limit: limit.clone(),
                    });
                }
            }
        }
    }
    // 2. pod-level ephemeral-storage limit.
    if let Some((limit, printed)) = pod_ephemeral_storage_limit(pod) {
        let total = stats.ephemeral_storage_used_bytes.unwrap_or(0) as i64;
        if total > limit {
            return Some(LocalStorageViolation::PodEphemeralStorage { limit: printed });
        }
    }
    // 3. container-level limits (non-zero only).
    for cs in &stats.containers {
        let mut used = fs_bytes(cs.logs.as_ref());
        if !dedicated_image_fs {
            used += fs_bytes(cs.rootfs.as_ref());
        }
        // Container names are unique; upstream's name → limit map keeps the last one anyway.
        let limit = pod
            .containers
            .iter()
            .rev()
            .filter(|c| c.name == cs.name)
            .filter_map(|c| c.ephemeral_storage_limit.as_ref())
            .find(|q| q.value() != 0);
        if let Some(limit) = limit {
            if limit.value() < used {
                return Some(LocalStorageViolation::ContainerEphemeralStorage {
                    container: cs.name.clone(),
                    limit: limit.clone(),
                });
            }
        }
    }
    None
}

/// `localStorageEviction` (§9): every non-critical pod with stats that violates a limit, in
/// `pods` order, as (index into `pods`, violation). Several pods can be evicted in one sync.
/// Critical pods are skipped, which is what upstream's refused `evictPod` amounts to.
pub fn local_storage_evictions(
    pods: &[EvictionPod],
    stats: &PodStatsMap,
    dedicated_image_fs: bool,
) -> Vec<(usize, LocalStorageViolation)> {
    pods.iter()
        .enumerate()
        .filter(|(_, p)| !p.is_critical())
        .filter_map(|(i, p)| {
            let s = stats.get(&p.uid)?;
            local_storage_violation(p, s, dedicated_image_fs).map(|v| (i, v))
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Tests: one per disk case of helpers_test.go (§13.10), plus the exact §10/§9/§8/§5 texts.
// ---------------------------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kubelet::eviction::types::{get_threshold_quantity, DISK_SIGNALS};

    const KI: i64 = 1 << 10;
    const MI: i64 = 1 << 20;
    const GI: i64 = 1 << 30;
    const SEC: u64 = 1_000_000_000;
    const MIN: u64 = 60 * SEC;

    fn q(s: &str) -> Quantity {
        Quantity::parse(s).unwrap()
    }
    fn qv(s: &str) -> ThresholdValue {
        ThresholdValue::Quantity(q(s))
    }
    fn pct(p: f32) -> ThresholdValue {
        ThresholdValue::Percentage(p)
    }
    fn map(entries: &[(&str, &str)]) -> BTreeMap<String, String> {
        entries
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }
    fn empty() -> BTreeMap<String, String> {
        BTreeMap::new()
    }
    fn hard(signal: Signal, v: ThresholdValue) -> Threshold {
        Threshold::new(signal, v, 0)
    }
    fn soft(signal: Signal, v: ThresholdValue, grace: DurationNs) -> Threshold {
        Threshold::new(signal, v, grace)
    }
    fn obs(available: i64, capacity: i64) -> SignalObservation {
        SignalObservation {
            available,
            capacity,
            time: None,
        }
    }
    fn signals(ts: &[Threshold]) -> Vec<Signal> {
        ts.iter().map(|t| t.signal).collect()
    }
    /// Field-by-field equality including min-reclaim (Threshold's PartialEq already does this).
    fn assert_thresholds(got: &[Threshold], want: &[Threshold]) {
        assert_eq!(got.len(), want.len(), "got {got:?}\nwant {want:?}");
        for (g, w) in got.iter().zip(want) {
            assert!(g == w, "got {g:?}\nwant {w:?}");
        }
    }

    /// A pod named after its UID with one container of the same name.
    fn pod(name: &str, priority: i32, request: Option<&str>, limit: Option<&str>) -> EvictionPod {
        let mut p = EvictionPod::new(name, name);
        p.priority = Some(priority);
        let mut c = ContainerSpec::new(name);
        c.ephemeral_storage_request = request.map(q);
        c.ephemeral_storage_limit = limit.map(q);
        p.containers.push(c);
        p
    }
    fn with_empty_dir(mut p: EvictionPod, vol: &str, size_limit: Option<&str>) -> EvictionPod {
        p.volumes.push(VolumeSpec {
            name: vol.to_string(),
            source: VolumeSource::EmptyDir {
                medium: StorageMedium::Default,
                size_limit: size_limit.map(q),
            },
        });
        p
    }
    /// `makePodWithDiskStats`-like: one container named after the pod, one volume stats entry.
    fn disk_stats(p: &EvictionPod, rootfs: i64, logs: i64, volume: i64) -> PodStats {
        PodStats {
            containers: vec![ContainerStats {
                name: p.name.clone(),
                rootfs: Some(FsUsage::bytes(rootfs as u64)),
                logs: Some(FsUsage::bytes(logs as u64)),
            }],
            volumes: p
                .volumes
                .iter()
                .map(|v| VolumeStats {
                    name: v.name.clone(),
                    used_bytes: Some(volume as u64),
                    inodes_used: None,
                })
                .collect(),
            ephemeral_storage_used_bytes: Some((rootfs + logs + volume) as u64),
        }
    }
    fn inode_stats(p: &EvictionPod, rootfs_inodes: u64) -> PodStats {
        PodStats {
            containers: vec![ContainerStats {
                name: p.name.clone(),
                rootfs: Some(FsUsage {
                    used_bytes: Some(0),
                    inodes_used: Some(rootfs_inodes),
                }),
                logs: Some(FsUsage::default()),
            }],
            volumes: Vec::new(),
            ephemeral_storage_used_bytes: None,
        }
    }
    fn names(pods: &[EvictionPod], order: &[usize]) -> Vec<String> {
        order.iter().map(|&i| pods[i].name.clone()).collect()
    }
    const ALL_DISK_FS: &[FsStatsType] = &[
        FsStatsType::Root,
        FsStatsType::Logs,
        FsStatsType::LocalVolumeSource,
    ];

    // --- types / tables ---------------------------------------------------------------------

    #[test]
    fn test_signal_names_resources_and_conditions() {
        for s in Signal::ALL {
            assert_eq!(s.as_str().parse::<Signal>(), Ok(s));
        }
        assert!("swap.available".parse::<Signal>().is_err());
        assert!("NodeFs.Available".parse::<Signal>().is_err());
        for s in DISK_SIGNALS {
            assert_eq!(s.node_condition(), NodeConditionType::DiskPressure);
        }
        assert_eq!(
            Signal::ImageFsAvailable.resource().to_string(),
            "ephemeral-storage"
        );
        assert_eq!(
            Signal::ContainerFsInodesFree.resource().to_string(),
            "inodes"
        );
        assert_eq!(
            Signal::MemoryAvailable.node_condition(),
            NodeConditionType::MemoryPressure
        );
        assert_eq!(NodeConditionType::PidPressure.to_string(), "PIDPressure");
    }

    // --- §2, §11: configuration ----------------------------------------------------------------

    #[test]
    fn test_parse_threshold_config() {
        // "no values"
        assert!(
            parse_threshold_config(&empty(), &empty(), &empty(), &empty())
                .unwrap()
                .is_empty()
        );

        // "disk eviction values"
        let got = parse_threshold_config(
            &map(&[
                ("imagefs.available", "150Mi"),
                ("nodefs.available", "100Mi"),
            ]),
            &map(&[
                ("imagefs.available", "300Mi"),
                ("nodefs.available", "200Mi"),
            ]),
            &map(&[("imagefs.available", "30s"), ("nodefs.available", "30s")]),
            &map(&[("imagefs.available", "2Gi"), ("nodefs.available", "1Gi")]),
        )
        .unwrap();
        let s30 = 30 * SEC as i64;
        assert_thresholds(
            &got,
            &[
                hard(Signal::ImageFsAvailable, qv("150Mi")).with_min_reclaim(qv("2Gi")),
                hard(Signal::NodeFsAvailable, qv("100Mi")).with_min_reclaim(qv("1Gi")),
                soft(Signal::ImageFsAvailable, qv("300Mi"), s30).with_min_reclaim(qv("2Gi")),
                soft(Signal::NodeFsAvailable, qv("200Mi"), s30).with_min_reclaim(qv("1Gi")),
            ],
        );
        assert_eq!(get_threshold_quantity(&got[0].value, 0), 150 * MI);

        // "disk eviction values in percentages"
        let got = parse_threshold_config(
            &map(&[("imagefs.available", "15%"), ("nodefs.available", "10.5%")]),
            &map(&[("imagefs.available", "30%"), ("nodefs.available", "20.5%")]),
            &map(&[("imagefs.available", "30s"), ("nodefs.available", "30s")]),
            &map(&[("imagefs.available", "10%"), ("nodefs.available", "5%")]),
        )
        .unwrap();
        assert_thresholds(
            &got,
            &[
                hard(Signal::ImageFsAvailable, pct(0.15)).with_min_reclaim(pct(0.1)),
                hard(Signal::NodeFsAvailable, pct(0.105)).with_min_reclaim(pct(0.05)),
                soft(Signal::ImageFsAvailable, pct(0.3), s30).with_min_reclaim(pct(0.1)),
                soft(Signal::NodeFsAvailable, pct(0.205), s30).with_min_reclaim(pct(0.05)),
            ],
        );

        // "inode eviction values"
        let got = parse_threshold_config(
            &map(&[
                ("imagefs.inodesFree", "150Mi"),
                ("nodefs.inodesFree", "100Mi"),
            ]),
            &map(&[
                ("imagefs.inodesFree", "300Mi"),
                ("nodefs.inodesFree", "200Mi"),
            ]),
            &map(&[("imagefs.inodesFree", "30s"), ("nodefs.inodesFree", "30s")]),
            &map(&[("imagefs.inodesFree", "2Gi"), ("nodefs.inodesFree", "1Gi")]),
        )
        .unwrap();
        assert_thresholds(
            &got,
            &[
                hard(Signal::ImageFsInodesFree, qv("150Mi")).with_min_reclaim(qv("2Gi")),
                hard(Signal::NodeFsInodesFree, qv("100Mi")).with_min_reclaim(qv("1Gi")),
                soft(Signal::ImageFsInodesFree, qv("300Mi"), s30).with_min_reclaim(qv("2Gi")),
                soft(Signal::NodeFsInodesFree, qv("200Mi"), s30).with_min_reclaim(qv("1Gi")),
            ],
        );

        // "disable via 0%" and "disable via 100%"
        for v in ["0%", "100%"] {
            let got = parse_threshold_config(
                &map(&[("memory.available", v)]),
                &map(&[("memory.available", v)]),
                &map(&[("memory.available", "30s")]),
                &empty(),
            )
            .unwrap();
            assert!(got.is_empty(), "{v}: {got:?}");
        }

        // Errors, with the kubelet's exact texts.
        let err =
            |h: &[(&str, &str)], s: &[(&str, &str)], g: &[(&str, &str)], m: &[(&str, &str)]| {
                parse_threshold_config(&map(h), &map(s), &map(g), &map(m))
                    .unwrap_err()
                    .to_string()
            };
        assert_eq!(
            err(&[("mem.available", "150Mi")], &[], &[], &[]),
            "unsupported eviction signal mem.available"
        );
        assert_eq!(
            err(&[("swap.available", "150Mi")], &[], &[], &[]),
            "unsupported eviction signal swap.available"
        );
        assert_eq!(
            err(&[("memory.available", "-150Mi")], &[], &[], &[]),
            "eviction threshold memory.available must be positive: -150Mi"
        );
        assert_eq!(
            err(&[("nodefs.available", "0")], &[], &[], &[]),
            "eviction threshold nodefs.available must be positive: 0"
        );
        assert_eq!(
            err(&[("memory.available", "-15%")], &[], &[], &[]),
            "eviction percentage threshold memory.available must be >= 0%: -15%"
        );
        assert_eq!(
            err(&[("memory.available", "150%")], &[], &[], &[]),
            "eviction percentage threshold memory.available must be <= 100%: 150%"
        );
        assert_eq!(
            err(&[], &[("memory.available", "150Mi")], &[], &[]),
            "grace period must be specified for the soft eviction threshold memory.available"
        );
        assert_eq!(
            err(
                &[],
                &[("memory.available", "150Mi")],
                &[("memory.available", "-30s")],
                &[]
            ),
            "invalid eviction grace period specified: -30s, must be a positive value"
        );
        assert_eq!(
            err(
                &[("memory.available", "150Mi")],
                &[],
                &[],
                &[("memory.available", "-300Mi")]
            ),
            "negative eviction minimum reclaim specified for memory.available"
        );
        assert_eq!(
            err(
                &[("imagefs.available", "15%")],
                &[],
                &[],
                &[("imagefs.available", "0%")]
            ),
            "eviction percentage minimum reclaim imagefs.available must be positive: 0%"
        );
        assert_eq!(
            err(&[], &[], &[("nodefs.avail", "30s")], &[]),
            "unsupported eviction signal nodefs.avail"
        );
        assert!(matches!(
            parse_threshold_config(
                &map(&[("nodefs.available", "ten")]),
                &empty(),
                &empty(),
                &empty()
            ),
            Err(ThresholdConfigError::Unparsable { .. })
        ));
    }

    #[test]
    fn test_parse_threshold_config_default_map_round_trips() {
        let got =
            parse_threshold_config(&default_eviction_hard(), &empty(), &empty(), &empty()).unwrap();
        assert_eq!(
            signals(&got),
            vec![
                Signal::ImageFsAvailable,
                Signal::ImageFsInodesFree,
                Signal::MemoryAvailable,
                Signal::NodeFsAvailable,
                Signal::NodeFsInodesFree,
            ]
        );
        assert_thresholds(
            &got,
            &[
                hard(Signal::ImageFsAvailable, pct(0.15)),
                hard(Signal::ImageFsInodesFree, pct(0.05)),
                hard(Signal::MemoryAvailable, qv("100Mi")),
                hard(Signal::NodeFsAvailable, pct(0.1)),
                hard(Signal::NodeFsInodesFree, pct(0.05)),
            ],
        );
    }

    #[test]
    fn test_merge_default_eviction_settings() {
        assert_eq!(
            effective_eviction_hard(None, false),
            default_eviction_hard()
        );
        assert_eq!(effective_eviction_hard(None, true), default_eviction_hard());
        let partial = map(&[("memory.available", "500Mi")]);
        // Partial map without merge: the disk defaults are gone (§14).
        assert_eq!(effective_eviction_hard(Some(&partial), false), partial);
        // With merge: explicit entries win, missing defaults are added.
        let merged = effective_eviction_hard(Some(&partial), true);
        assert_eq!(
            merged,
            map(&[
                ("imagefs.available", "15%"),
                ("imagefs.inodesFree", "5%"),
                ("memory.available", "500Mi"),
                ("nodefs.available", "10%"),
                ("nodefs.inodesFree", "5%"),
            ])
        );
        // An explicit empty (non-nil) map: no hard thresholds unless merged.
        assert!(effective_eviction_hard(Some(&empty()), false).is_empty());
        assert_eq!(
            effective_eviction_hard(Some(&empty()), true),
            default_eviction_hard()
        );
    }

    #[test]
    fn test_add_allocatable_thresholds() {
        // "non-memory-signal": passes through unchanged.
        let input = vec![hard(Signal::ImageFsAvailable, qv("150Mi")).with_min_reclaim(qv("0"))];
        assert_thresholds(&add_allocatable_thresholds(&input), &input);
        // "memory signal with grace period": not copied.
        let input = vec![soft(Signal::MemoryAvailable, qv("150Mi"), 1)];
        assert_thresholds(&add_allocatable_thresholds(&input), &input);
        // "memory signal without grace period": copied after the original.
        let input = vec![hard(Signal::MemoryAvailable, qv("150Mi")).with_min_reclaim(qv("0"))];
        assert_thresholds(
            &add_allocatable_thresholds(&input),
            &[
                input[0].clone(),
                hard(Signal::AllocatableMemoryAvailable, qv("150Mi")).with_min_reclaim(qv("0")),
            ],
        );
    }

    /// Inputs of `TestAddContainerFsThresholds` (grace 1 ns for soft thresholds).
    fn containerfs_test_input() -> Vec<Threshold> {
        vec![
            hard(Signal::NodeFsAvailable, qv("100Mi")).with_min_reclaim(qv("1Gi")),
            soft(Signal::NodeFsAvailable, qv("200Mi"), 1).with_min_reclaim(qv("1Gi")),
            hard(Signal::NodeFsInodesFree, qv("100Mi")).with_min_reclaim(qv("1Gi")),
            soft(Signal::NodeFsInodesFree, qv("200Mi"), 1).with_min_reclaim(qv("2Gi")),
            hard(Signal::ImageFsAvailable, qv("150Mi")).with_min_reclaim(qv("1.5Gi")),
            soft(Signal::ImageFsAvailable, qv("300Mi"), 1).with_min_reclaim(qv("3Gi")),
            hard(Signal::ImageFsInodesFree, qv("300Mi")).with_min_reclaim(qv("2Gi")),
            soft(Signal::ImageFsInodesFree, qv("150Mi"), 1).with_min_reclaim(qv("2Gi")),
        ]
    }

    fn containerfs_from_nodefs() -> Vec<Threshold> {
        vec![
            hard(Signal::ContainerFsAvailable, qv("100Mi")).with_min_reclaim(qv("1Gi")),
            soft(Signal::ContainerFsAvailable, qv("200Mi"), 1).with_min_reclaim(qv("1Gi")),
            hard(Signal::ContainerFsInodesFree, qv("100Mi")).with_min_reclaim(qv("1Gi")),
            soft(Signal::ContainerFsInodesFree, qv("200Mi"), 1).with_min_reclaim(qv("2Gi")),
        ]
    }

    fn containerfs_from_imagefs() -> Vec<Threshold> {
        vec![
            hard(Signal::ContainerFsAvailable, qv("150Mi")).with_min_reclaim(qv("1.5Gi")),
            soft(Signal::ContainerFsAvailable, qv("300Mi"), 1).with_min_reclaim(qv("3Gi")),
            hard(Signal::ContainerFsInodesFree, qv("300Mi")).with_min_reclaim(qv("2Gi")),
            soft(Signal::ContainerFsInodesFree, qv("150Mi"), 1).with_min_reclaim(qv("2Gi")),
        ]
    }

    fn user_containerfs() -> Vec<Threshold> {
        vec![
            hard(Signal::ContainerFsAvailable, qv("500Mi")).with_min_reclaim(qv("5Gi")),
            soft(Signal::ContainerFsAvailable, qv("500Mi"), 1).with_min_reclaim(qv("5Gi")),
            hard(Signal::ContainerFsInodesFree, qv("500Mi")).with_min_reclaim(qv("5Gi")),
            soft(Signal::ContainerFsInodesFree, qv("500Mi"), 1).with_min_reclaim(qv("5Gi")),
        ]
    }

    #[test]
    fn test_add_container_fs_thresholds() {
        let base = containerfs_test_input();
        let cases: [(&str, bool, bool, Vec<Threshold>); 3] = [
            ("single filesystem", false, false, containerfs_from_nodefs()),
            ("image filesystem", true, false, containerfs_from_imagefs()),
            (
                "container and image are separate",
                true,
                true,
                containerfs_from_nodefs(),
            ),
        ];
        for (name, dedicated, split, expected_cfs) in cases {
            // Appended after the inputs, no error.
            let (got, err) = update_container_fs_thresholds(&base, dedicated, split);
            assert_eq!(err, None, "{name}");
            let mut want = base.clone();
            want.extend(expected_cfs.clone());
            assert_thresholds(&got, &want);

            // "...; expect error": user entries are overwritten in place, the last error wins.
            let mut input = base.clone();
            input.extend(user_containerfs());
            let (got, err) = update_container_fs_thresholds(&input, dedicated, split);
            assert_eq!(
                err.as_deref(),
                Some("found containerfs.inodesFree for soft eviction. ignoring"),
                "{name}"
            );
            assert_thresholds(&got, &want);
        }

        // (false, true): nothing synthesised or overwritten, the error is still reported.
        let mut input = base.clone();
        input.push(hard(Signal::ContainerFsAvailable, qv("500Mi")));
        let (got, err) = update_container_fs_thresholds(&input, false, true);
        assert_thresholds(&got, &input);
        assert_eq!(
            err.as_deref(),
            Some("found containerfs.available for hard eviction. ignoring")
        );

        // Missing sources give zero-valued thresholds that can never be met.
        let only_hard_nodefs = vec![hard(Signal::NodeFsAvailable, qv("1Gi"))];
        let (got, _) = update_container_fs_thresholds(&only_hard_nodefs, false, false);
        assert_eq!(
            signals(&got),
            vec![
                Signal::NodeFsAvailable,
                Signal::ContainerFsAvailable,
                Signal::ContainerFsAvailable,
                Signal::ContainerFsInodesFree,
                Signal::ContainerFsInodesFree,
            ]
        );
        assert!(got[2] == Threshold::zero(Signal::ContainerFsAvailable));
        let mut o = SignalObservations::new();
        o.insert(Signal::ContainerFsAvailable, obs(0, 100 * GI));
        o.insert(Signal::ContainerFsInodesFree, obs(0, 1000));
        assert_eq!(
            signals(&thresholds_met(&got, &o, false)),
            vec![Signal::ContainerFsAvailable]
        );
    }

    // --- §1: observations and threshold arithmetic -------------------------------------------------

    #[test]
    fn test_make_signal_observations() {
        let summary = NodeDiskSummary {
            node_fs: Some(FsStats {
                available_bytes: Some(1024),
                capacity_bytes: Some(2048),
                inodes_free: Some(1024),
                inodes: Some(MI as u64),
                time: Some(5),
            }),
            image_fs: Some(FsStats {
                available_bytes: Some(MI as u64),
                capacity_bytes: Some(2 * MI as u64),
                inodes_free: Some(1024),
                inodes: Some(MI as u64),
                time: Some(6),
            }),
            container_fs: Some(FsStats {
                available_bytes: Some(2 * MI as u64),
                capacity_bytes: Some(8 * MI as u64),
                inodes_free: Some(2048),
                inodes: Some(2048),
                time: None,
            }),
        };
        let o = make_signal_observations(&summary);
        let want = [
            (Signal::NodeFsAvailable, 1024, 2048, Some(5)),
            (Signal::NodeFsInodesFree, 1024, MI, Some(5)),
            (Signal::ImageFsAvailable, MI, 2 * MI, Some(6)),
            (Signal::ImageFsInodesFree, 1024, MI, Some(6)),
            (Signal::ContainerFsAvailable, 2 * MI, 8 * MI, None),
            (Signal::ContainerFsInodesFree, 2048, 2048, None),
        ];
        assert_eq!(o.len(), want.len());
        for (s, a, c, t) in want {
            assert_eq!(
                o.get(&s),
                Some(&SignalObservation {
                    available: a,
                    capacity: c,
                    time: t
                }),
                "{s}"
            );
        }
        // A signal is observed only when both of its fields are present.
        let partial = NodeDiskSummary {
            node_fs: Some(FsStats {
                available_bytes: Some(1),
                capacity_bytes: None,
                inodes_free: Some(1),
                inodes: Some(2),
                time: None,
            }),
            ..Default::default()
        };
        let o = make_signal_observations(&partial);
        assert_eq!(
            o.keys().copied().collect::<Vec<_>>(),
            vec![Signal::NodeFsInodesFree]
        );
    }

    #[test]
    fn test_get_threshold_quantity_float32_truncation() {
        // float32(0.1) = 0.100000001490116…, so 10% of 100 GB is 149 bytes more than 1e10.
        assert_eq!(
            get_threshold_quantity(&pct(0.1), 100_000_000_000),
            10_000_000_149
        );
        // float32(0.3) = 10066330 / 2^25: 30% of 1000Gi is 12 800 bytes above 300Gi.
        assert_eq!(
            get_threshold_quantity(&pct(0.3), 1000 * GI),
            322_122_560_000
        );
        assert_eq!(300 * GI, 322_122_547_200);
        assert_eq!(get_threshold_quantity(&qv("2Gi"), 123), 2 * GI);
        assert_eq!(get_threshold_quantity(&pct(0.0), 1000), 0);
        // The printed form: a percentage result is a fresh BinarySI quantity.
        assert_eq!(get_threshold_quantity_display(&pct(0.5), 4 * GI), "2Gi");
        assert_eq!(get_threshold_quantity_display(&qv("1536Mi"), 0), "1536Mi");
    }

    #[test]
    fn test_thresholds_met() {
        let t = hard(Signal::MemoryAvailable, qv("1Gi")).with_min_reclaim(qv("500Mi"));
        let run = |available: i64, enforce: bool| {
            let mut o = SignalObservations::new();
            o.insert(Signal::MemoryAvailable, obs(available, 0));
            thresholds_met(std::slice::from_ref(&t), &o, enforce).len()
        };
        // "threshold-met-memory" / "threshold-not-met" (no min-reclaim)
        assert_eq!(run(500 * MI, false), 1);
        assert_eq!(run(2 * GI, false), 0);
        // "threshold-met-with-min-reclaim": 1.05Gi < 1Gi + 500Mi
        let gi_105 = 1_127_428_916; // ceil(1.05 × 2^30)
        assert_eq!(run(gi_105, false), 0);
        assert_eq!(run(gi_105, true), 1);
        // "threshold-not-met-with-min-reclaim"
        assert_eq!(run(2 * GI, true), 0);
        // Strict comparison: available == threshold is not met.
        assert_eq!(run(GI, false), 0);
        assert_eq!(run(GI - 1, false), 1);
        // No observation: never met.
        assert!(
            thresholds_met(std::slice::from_ref(&t), &SignalObservations::new(), false).is_empty()
        );
    }

    #[test]
    fn test_percentage_thresholds_met() {
        let t = hard(Signal::NodeFsAvailable, pct(0.3));
        let run = |available: i64| {
            let mut o = SignalObservations::new();
            o.insert(Signal::NodeFsAvailable, obs(available, 1000 * GI));
            thresholds_met(std::slice::from_ref(&t), &o, false).len()
        };
        assert_eq!(run(100 * GI), 1, "DiskMet");
        assert_eq!(run(400 * GI), 0, "DiskNotMet");
        // The float32 threshold is 322 122 560 000, above 300Gi.
        assert_eq!(run(300 * GI), 1);
        assert_eq!(run(322_122_560_000), 0);
        assert_eq!(run(322_122_559_999), 1);
        // Percentage min-reclaim is relative to capacity too.
        let t = hard(Signal::NodeFsAvailable, pct(0.3)).with_min_reclaim(pct(0.1));
        let mut o = SignalObservations::new();
        o.insert(Signal::NodeFsAvailable, obs(350 * GI, 1000 * GI));
        assert!(thresholds_met(std::slice::from_ref(&t), &o, false).is_empty());
        assert_eq!(thresholds_met(std::slice::from_ref(&t), &o, true).len(), 1);
    }

    #[test]
    fn test_merge_thresholds() {
        let a = hard(Signal::NodeFsAvailable, qv("1Gi"));
        let a_other_min = hard(Signal::NodeFsAvailable, qv("1Gi")).with_min_reclaim(qv("1Mi"));
        let b = soft(Signal::NodeFsAvailable, qv("1Gi"), 1);
        let c = hard(Signal::ImageFsAvailable, qv("1024Mi"));
        let merged = merge_thresholds(
            std::slice::from_ref(&a),
            &[a_other_min, b.clone(), c.clone()],
        );
        // min-reclaim is ignored by hasThreshold; 1024Mi vs 1Gi differ by signal anyway.
        assert_thresholds(&merged, &[a, b, c]);
    }

    #[test]
    fn test_thresholds_first_observed_at() {
        let t = hard(Signal::NodeFsAvailable, qv("1Gi"));
        let now = 10 * MIN;
        // "empty": a newly met threshold is stamped now
        let got = thresholds_first_observed_at(std::slice::from_ref(&t), &Vec::new(), now);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].1, now);
        // "no-previous-observation" / "previous-observation": an old stamp is kept
        let got = thresholds_first_observed_at(
            std::slice::from_ref(&t),
            &vec![(t.clone(), 3 * MIN)],
            now,
        );
        assert_eq!(got[0].1, 3 * MIN);
        // a threshold no longer met is forgotten
        let got = thresholds_first_observed_at(&[], &vec![(t, 3 * MIN)], now);
        assert!(got.is_empty());
    }

    #[test]
    fn test_thresholds_met_grace_period() {
        let hard_t = hard(Signal::NodeFsAvailable, qv("1Gi"));
        let soft_t = soft(Signal::NodeFsAvailable, qv("2Gi"), MIN as i64);
        let now = 10 * MIN;
        // "hard-threshold": met immediately
        assert_eq!(
            thresholds_met_grace_period(&vec![(hard_t.clone(), now)], now).len(),
            1
        );
        // "soft-threshold-grace-period-met": observed 2m ago
        assert_eq!(
            thresholds_met_grace_period(&vec![(soft_t.clone(), now - 2 * MIN)], now).len(),
            1
        );
        // "soft-threshold-grace-period-not-met": observed now
        assert!(thresholds_met_grace_period(&vec![(soft_t.clone(), now)], now).is_empty());
        // exactly the grace period: met (duration < grace is the skip condition)
        assert_eq!(
            thresholds_met_grace_period(&vec![(soft_t.clone(), now - MIN)], now).len(),
            1
        );
        // order follows the observed-at list
        let got =
            thresholds_met_grace_period(&vec![(soft_t.clone(), 0), (hard_t.clone(), now)], now);
        assert_thresholds(&got, &[soft_t, hard_t]);
    }

    #[test]
    fn test_thresholds_updated_stats() {
        let t = hard(Signal::NodeFsAvailable, qv("1Gi"));
        let at = |time: Option<u64>| {
            let mut o = SignalObservations::new();
            o.insert(
                Signal::NodeFsAvailable,
                SignalObservation {
                    available: 0,
                    capacity: 0,
                    time,
                },
            );
            o
        };
        let ts = [t];
        assert!(thresholds_updated_stats(&ts, &SignalObservations::new(), &at(Some(1))).is_empty());
        assert_eq!(
            thresholds_updated_stats(&ts, &at(Some(1)), &SignalObservations::new()).len(),
            1
        );
        assert_eq!(
            thresholds_updated_stats(&ts, &at(None), &at(Some(9))).len(),
            1
        );
        assert_eq!(
            thresholds_updated_stats(&ts, &at(Some(2)), &at(Some(1))).len(),
            1
        );
        assert!(thresholds_updated_stats(&ts, &at(Some(1)), &at(Some(1))).is_empty());
    }

    #[test]
    fn test_node_conditions() {
        let ts = [
            hard(Signal::NodeFsAvailable, qv("1Gi")),
            hard(Signal::ImageFsInodesFree, qv("1")),
            hard(Signal::MemoryAvailable, qv("1Gi")),
        ];
        assert_eq!(
            node_conditions(&ts),
            vec![
                NodeConditionType::DiskPressure,
                NodeConditionType::MemoryPressure
            ]
        );
        assert!(node_conditions(&[]).is_empty());
    }

    #[test]
    fn test_node_conditions_last_observed_at() {
        let now = 10 * MIN;
        let mut last = NodeConditionsObservedAt::new();
        last.insert(NodeConditionType::MemoryPressure, 2 * MIN);
        // "no-previous-observation" / "previous-observation": observed now → now
        let got = node_conditions_last_observed_at(&[NodeConditionType::DiskPressure], &last, now);
        assert_eq!(got.get(&NodeConditionType::DiskPressure), Some(&now));
        // "old-observation": not observed now → old time kept
        assert_eq!(
            got.get(&NodeConditionType::MemoryPressure),
            Some(&(2 * MIN))
        );
        assert_eq!(got.len(), 2);
    }

    #[test]
    fn test_node_conditions_observed_since() {
        let now = 10 * MIN;
        let mut at = NodeConditionsObservedAt::new();
        at.insert(NodeConditionType::DiskPressure, now - MIN);
        // "in-period": last seen 1m ago, period 2m → still reported
        assert_eq!(
            node_conditions_observed_since(&at, 2 * MIN as i64, now),
            vec![NodeConditionType::DiskPressure]
        );
        // "out-of-period": period 30s → dropped
        assert!(node_conditions_observed_since(&at, 30 * SEC as i64, now).is_empty());
        // strict: exactly the period → dropped
        assert!(node_conditions_observed_since(&at, MIN as i64, now).is_empty());
    }

    #[test]
    fn test_has_node_condition() {
        let conds = [NodeConditionType::MemoryPressure];
        assert!(has_node_condition(
            &conds,
            NodeConditionType::MemoryPressure
        ));
        assert!(!has_node_condition(&conds, NodeConditionType::DiskPressure));
        assert!(!has_node_condition(&[], NodeConditionType::DiskPressure));
    }

    #[test]
    fn test_sort_by_eviction_priority() {
        let nodefs = hard(Signal::NodeFsAvailable, qv("1Gi"));
        let pid = hard(Signal::PidAvailable, qv("100"));
        let memory = hard(Signal::MemoryAvailable, qv("1Gi"));
        let alloc = hard(Signal::AllocatableMemoryAvailable, qv("1Gi"));
        assert_eq!(
            signals(&sort_by_eviction_priority(&[
                nodefs.clone(),
                pid.clone(),
                memory.clone()
            ])),
            vec![
                Signal::MemoryAvailable,
                Signal::NodeFsAvailable,
                Signal::PidAvailable
            ]
        );
        assert_eq!(
            signals(&sort_by_eviction_priority(&[nodefs.clone(), alloc.clone()])),
            vec![Signal::AllocatableMemoryAvailable, Signal::NodeFsAvailable]
        );
        // Disk thresholds keep their input order: the deterministic tie-break.
        let imagefs = hard(Signal::ImageFsAvailable, qv("1Gi"));
        let nodefs_soft = soft(Signal::NodeFsAvailable, qv("2Gi"), 1);
        let input = [nodefs_soft.clone(), imagefs.clone(), nodefs.clone()];
        assert_thresholds(&sort_by_eviction_priority(&input), &input);
    }

    #[test]
    fn test_get_reclaimable_threshold() {
        let ts = [
            hard(Signal::AllocatableMemoryAvailable, qv("150Mi")),
            hard(Signal::MemoryAvailable, qv("150Mi")),
            hard(Signal::ImageFsAvailable, qv("150Mi")).with_min_reclaim(qv("2Gi")),
            hard(Signal::NodeFsAvailable, qv("100Mi")).with_min_reclaim(qv("1Gi")),
            hard(Signal::ContainerFsAvailable, qv("100Mi")).with_min_reclaim(qv("1Gi")),
        ];
        let (t, r) = pick_threshold_to_reclaim(&ts).expect("a reclaimable threshold");
        // Go's insertion sort moves memory.available in front of allocatableMemory.available.
        assert_eq!(t.signal, Signal::MemoryAvailable);
        assert_eq!(r, ResourceName::Memory);
        // Disk only: the first in act-list order, hard before soft of the same signal.
        let ts = [
            hard(Signal::NodeFsAvailable, qv("1Gi")),
            soft(Signal::NodeFsAvailable, qv("2Gi"), MIN as i64),
        ];
        let (t, r) = pick_threshold_to_reclaim(&ts).unwrap();
        assert!(t.is_hard() && is_hard_eviction_threshold(&t));
        assert_eq!(r, ResourceName::EphemeralStorage);
        let (t, r) =
            pick_threshold_to_reclaim(&[hard(Signal::ImageFsInodesFree, pct(0.05))]).unwrap();
        assert_eq!(
            (t.signal, r),
            (Signal::ImageFsInodesFree, ResourceName::Inodes)
        );
        assert!(pick_threshold_to_reclaim(&[]).is_none());
    }

    #[test]
    fn test_build_signal_to_rank_and_reclaim_tables() {
        use FsStatsType::*;
        use NodeReclaimFunc::*;
        // single filesystem, and the (false, true) oddity
        for split in [false, true] {
            for s in DISK_SIGNALS {
                assert_eq!(
                    rank_fs_types(s, false, split),
                    Some(&[Images, Root, Logs, LocalVolumeSource][..])
                );
                assert_eq!(
                    node_reclaim_funcs(s, false, split),
                    &[DeleteAllUnusedContainers, DeleteUnusedImages]
                );
            }
        }
        // dedicated imagefs
        assert_eq!(
            rank_fs_types(Signal::NodeFsInodesFree, true, false),
            Some(&[Logs, LocalVolumeSource][..])
        );
        assert_eq!(
            rank_fs_types(Signal::ContainerFsAvailable, true, false),
            Some(&[Root, Images][..])
        );
        assert!(node_reclaim_funcs(Signal::NodeFsAvailable, true, false).is_empty());
        assert_eq!(
            node_reclaim_funcs(Signal::ContainerFsInodesFree, true, false),
            &[DeleteAllUnusedContainers, DeleteUnusedImages]
        );
        // split
        assert_eq!(
            rank_fs_types(Signal::ContainerFsAvailable, true, true),
            Some(&[Logs, LocalVolumeSource, Root][..])
        );
        assert_eq!(
            rank_fs_types(Signal::ImageFsAvailable, true, true),
            Some(&[Images][..])
        );
        assert_eq!(
            node_reclaim_funcs(Signal::NodeFsAvailable, true, true),
            &[DeleteAllUnusedContainers]
        );
        assert_eq!(
            node_reclaim_funcs(Signal::ImageFsInodesFree, true, true),
            &[DeleteUnusedImages]
        );
        // memory/PID: not simulated
        assert_eq!(rank_fs_types(Signal::MemoryAvailable, false, false), None);
        assert!(node_reclaim_funcs(Signal::PidAvailable, false, false).is_empty());
    }

    // --- §7: ranking -------------------------------------------------------------------------

    #[test]
    fn test_ordered_by_exceeds_request_disk() {
        let below = pod("below-requests", -1, Some("200Mi"), None);
        let exceeds = pod("exceeds-requests", 1, Some("100Mi"), None);
        let mut stats = PodStatsMap::new();
        stats.insert(below.uid.clone(), disk_stats(&below, 100 * MI, 99 * MI, 0));
        stats.insert(
            exceeds.uid.clone(),
            disk_stats(&exceeds, 90 * MI, 11 * MI, 0),
        );
        let pods = vec![below, exceeds];
        let order = order_pods(
            &pods,
            &stats,
            ALL_DISK_FS,
            ResourceName::EphemeralStorage,
            &[PodComparator::ExceedDiskRequests],
        );
        assert_eq!(
            names(&pods, &order),
            vec!["exceeds-requests", "below-requests"]
        );
    }

    #[test]
    fn test_ordered_by_disk() {
        // usage − request: pod1 300, pod2 100, pod3 250, pod4 10, pod5 −25, pod6 −280 (Mi);
        // usage split over rootfs, logs and a declared emptyDir (counted by localVolumeSource).
        let spec = [
            ("pod1", "100Mi", 100, 100, 200),
            ("pod2", "200Mi", 100, 100, 100),
            ("pod3", "50Mi", 100, 100, 100),
            ("pod4", "290Mi", 100, 100, 100),
            ("pod5", "125Mi", 25, 25, 50),
            ("pod6", "400Mi", 40, 40, 40),
        ];
        let mut pods = Vec::new();
        let mut stats = PodStatsMap::new();
        for (name, req, r, l, v) in spec {
            let p = with_empty_dir(pod(name, 0, Some(req), None), "local-volume", None);
            stats.insert(p.uid.clone(), disk_stats(&p, r * MI, l * MI, v * MI));
            pods.push(p);
        }
        let order = order_pods(
            &pods,
            &stats,
            ALL_DISK_FS,
            ResourceName::EphemeralStorage,
            &[PodComparator::Disk],
        );
        assert_eq!(
            names(&pods, &order),
            vec!["pod1", "pod3", "pod2", "pod4", "pod5", "pod6"]
        );
        // Without the volume counted, pod1 (200Mi usage, 100 over) drops behind pod3 (150 over).
        let order = order_pods(
            &pods,
            &stats,
            &[FsStatsType::Root, FsStatsType::Logs],
            ResourceName::EphemeralStorage,
            &[PodComparator::Disk],
        );
        assert_eq!(names(&pods, &order)[0], "pod3");
    }

    #[test]
    fn test_ordered_by_inodes() {
        let low = pod("low", 0, None, None);
        let medium = pod("medium", 0, None, None);
        let high = pod("high", 0, None, None);
        let mut stats = PodStatsMap::new();
        stats.insert(low.uid.clone(), inode_stats(&low, 200_000));
        stats.insert(medium.uid.clone(), inode_stats(&medium, 300_000));
        stats.insert(high.uid.clone(), inode_stats(&high, 400_000));
        let pods = vec![low, medium, high];
        let order = order_pods(
            &pods,
            &stats,
            ALL_DISK_FS,
            ResourceName::Inodes,
            &[PodComparator::Disk],
        );
        assert_eq!(names(&pods, &order), vec!["high", "medium", "low"]);

        // §7 quirk: for inodes, `disk` still subtracts the ephemeral-storage *byte* request, so a
        // pod using 400 000 inodes with a 1Gi request ranks after one using 1 000 inodes.
        let heavy = pod("heavy", 0, Some("1Gi"), None);
        let light = pod("light", 0, None, None);
        stats.insert(heavy.uid.clone(), inode_stats(&heavy, 400_000));
        stats.insert(light.uid.clone(), inode_stats(&light, 1_000));
        let pods = vec![heavy, light];
        let order = order_pods(
            &pods,
            &stats,
            ALL_DISK_FS,
            ResourceName::Inodes,
            &[PodComparator::Disk],
        );
        assert_eq!(names(&pods, &order), vec!["light", "heavy"]);
        // …while exceedDiskRequests compares inodes with an inode request of 0: both exceed.
        let order = order_pods(
            &pods,
            &stats,
            ALL_DISK_FS,
            ResourceName::Inodes,
            &[PodComparator::ExceedDiskRequests],
        );
        assert_eq!(names(&pods, &order), vec!["heavy", "light"]);
    }

    #[test]
    fn test_ordered_by_priority_disk() {
        // (name, priority, request, usage)
        let spec = [
            ("pod1", -1, "100Mi", 600),
            ("pod2", -1, "100Mi", 150),
            ("pod3", 1, "100Mi", 600),
            ("pod4", 1, "100Mi", 150),
            ("pod5", -1, "1Gi", 800),
            ("pod6", -1, "1Gi", 200),
            ("pod7", 1, "1Gi", 800),
            ("pod8", 1, "1Gi", 200),
        ];
        let mut by_name = BTreeMap::new();
        let mut stats = PodStatsMap::new();
        for (name, prio, req, usage) in spec {
            let p = pod(name, prio, Some(req), None);
            stats.insert(p.uid.clone(), disk_stats(&p, usage * MI, 0, 0));
            by_name.insert(name, p);
        }
        // Scrambled input so that the ordering, not the input, produces the result.
        let pods: Vec<EvictionPod> = [
            "pod8", "pod5", "pod2", "pod7", "pod4", "pod1", "pod6", "pod3",
        ]
        .iter()
        .map(|n| by_name[n].clone())
        .collect();
        let order = rank_disk_pressure(&pods, &stats, ALL_DISK_FS, ResourceName::EphemeralStorage);
        assert_eq!(
            names(&pods, &order),
            vec!["pod1", "pod2", "pod3", "pod4", "pod5", "pod6", "pod7", "pod8"]
        );
    }

    #[test]
    fn test_ordered_by_priority_inodes() {
        let spec = [
            ("pod1", -1, 400_000),
            ("pod2", -1, 100_000),
            ("pod3", 1, 350_000),
            ("pod4", 1, 150_000),
        ];
        let mut by_name = BTreeMap::new();
        let mut stats = PodStatsMap::new();
        for (name, prio, inodes) in spec {
            let p = pod(name, prio, None, None);
            stats.insert(p.uid.clone(), inode_stats(&p, inodes));
            by_name.insert(name, p);
        }
        let pods: Vec<EvictionPod> = ["pod3", "pod4", "pod2", "pod1"]
            .iter()
            .map(|n| by_name[n].clone())
            .collect();
        let order = order_pods(
            &pods,
            &stats,
            ALL_DISK_FS,
            ResourceName::Inodes,
            &[PodComparator::Priority, PodComparator::Disk],
        );
        assert_eq!(names(&pods, &order), vec!["pod1", "pod2", "pod3", "pod4"]);
    }

    #[test]
    fn test_rank_disk_pressure_no_stats_first_and_stable_ties() {
        // §13.3/13.4 pods (no ephemeral requests): every pod with usage > 0 "exceeds" 0.
        let pods = vec![
            pod("low-priority-high-usage", -1, None, None),
            pod("below-requests", 0, None, None),
            pod("above-requests", 0, None, None),
            pod("high-priority-high-usage", 1, None, None),
            pod("low-priority-low-usage", -1, None, None),
        ];
        let mut stats = PodStatsMap::new();
        let usage = [(900, 0), (0, 50), (400, 0), (0, 0), (100, 0)];
        for (p, (root, logs)) in pods.iter().zip(usage) {
            stats.insert(p.uid.clone(), disk_stats(p, root * MI, logs * MI, 400 * MI));
        }
        let order = rank_disk_pressure(&pods, &stats, ALL_DISK_FS, ResourceName::EphemeralStorage);
        assert_eq!(order, vec![0, 4, 2, 1, 3]);
        // Split-mode imagefs ranks on {images}: usage 0 for all, priority then input order.
        let order = rank_disk_pressure(
            &pods,
            &stats,
            rank_fs_types(Signal::ImageFsAvailable, true, true).unwrap(),
            ResourceName::EphemeralStorage,
        );
        assert_eq!(order, vec![0, 4, 1, 2, 3]);
        // A pod without stats goes first.
        stats.remove("above-requests");
        let order = rank_disk_pressure(&pods, &stats, ALL_DISK_FS, ResourceName::EphemeralStorage);
        assert_eq!(order[0], 2);
    }

    #[test]
    fn test_pod_request_and_usage() {
        let mut p = pod("p", 0, Some("100Mi"), None);
        let mut c2 = ContainerSpec::new("c2");
        c2.ephemeral_storage_request = Some(q("50Mi"));
        p.containers.push(c2);
        assert_eq!(pod_request(&p, ResourceName::EphemeralStorage), 150 * MI);
        assert_eq!(pod_request(&p, ResourceName::Inodes), 0);
        let mut init = ContainerSpec::new("init");
        init.ephemeral_storage_request = Some(q("1Gi"));
        p.init_containers.push(init);
        assert_eq!(pod_request(&p, ResourceName::EphemeralStorage), GI);
        p.overhead_ephemeral_storage = Some(q("1Mi"));
        assert_eq!(pod_request(&p, ResourceName::EphemeralStorage), GI + MI);
        // Overhead is not added to a zero request.
        let mut z = pod("z", 0, None, None);
        z.overhead_ephemeral_storage = Some(q("1Mi"));
        assert_eq!(pod_request(&z, ResourceName::EphemeralStorage), 0);

        // Memory-backed emptyDir and undeclared volumes are not local usage.
        let mut p = pod("v", 0, None, None);
        p.volumes.push(VolumeSpec {
            name: "mem".into(),
            source: VolumeSource::EmptyDir {
                medium: StorageMedium::Memory,
                size_limit: None,
            },
        });
        p.volumes.push(VolumeSpec {
            name: "host".into(),
            source: VolumeSource::HostPath,
        });
        p.volumes.push(VolumeSpec {
            name: "secret".into(),
            source: VolumeSource::Other,
        });
        let stats = PodStats {
            containers: vec![],
            volumes: ["mem", "host", "secret", "undeclared"]
                .iter()
                .map(|n| VolumeStats {
                    name: n.to_string(),
                    used_bytes: Some(10),
                    inodes_used: Some(1),
                })
                .collect(),
            ephemeral_storage_used_bytes: None,
        };
        assert_eq!(
            pod_disk_usage(&p, &stats, ALL_DISK_FS),
            DiskUsage {
                bytes: 10,
                inodes: 1
            }
        );
    }

    // --- §8: grace periods ---------------------------------------------------------------------

    #[test]
    fn test_eviction_grace_period() {
        let hard_t = hard(Signal::NodeFsAvailable, qv("1Gi"));
        let soft_t = soft(Signal::NodeFsAvailable, qv("2Gi"), 2 * MIN as i64);
        // Hard: always 1 s.
        assert_eq!(
            eviction_grace_period_override(
                &hard_t,
                5,
                Some(30),
                false,
                IMMEDIATE_EVICTION_GRACE_PERIOD_SECONDS
            ),
            1
        );
        assert_eq!(effective_grace_period_seconds(Some(1), Some(30)), 1);
        // §13.3: soft, max 5, pod without TGPS → 5.
        assert_eq!(
            eviction_grace_period_override(
                &soft_t,
                5,
                None,
                false,
                IMMEDIATE_EVICTION_GRACE_PERIOD_SECONDS
            ),
            5
        );
        // Soft: min(max, TGPS).
        assert_eq!(
            eviction_grace_period_override(
                &soft_t,
                60,
                Some(30),
                false,
                IMMEDIATE_EVICTION_GRACE_PERIOD_SECONDS
            ),
            30
        );
        assert_eq!(
            eviction_grace_period_override(
                &soft_t,
                10,
                Some(30),
                false,
                IMMEDIATE_EVICTION_GRACE_PERIOD_SECONDS
            ),
            10
        );
        // AllowOverwriteTerminationGracePeriodSeconds on: max wins.
        assert_eq!(
            eviction_grace_period_override(
                &soft_t,
                60,
                Some(30),
                true,
                IMMEDIATE_EVICTION_GRACE_PERIOD_SECONDS
            ),
            60
        );
        // The 0 quirk: default max 0 → override 0 → the pod's full TGPS.
        let o = eviction_grace_period_override(
            &soft_t,
            0,
            Some(30),
            false,
            IMMEDIATE_EVICTION_GRACE_PERIOD_SECONDS,
        );
        assert_eq!(o, 0);
        assert_eq!(effective_grace_period_seconds(Some(o), Some(30)), 30);
        assert_eq!(effective_grace_period_seconds(Some(0), None), 1);
        // Negative max → clamped to 1, not "defer to the pod".
        let o = eviction_grace_period_override(
            &soft_t,
            -1,
            Some(30),
            false,
            IMMEDIATE_EVICTION_GRACE_PERIOD_SECONDS,
        );
        assert_eq!(o, -1);
        assert_eq!(effective_grace_period_seconds(Some(o), Some(30)), 1);
        // No override at all: the pod's TGPS.
        assert_eq!(effective_grace_period_seconds(None, Some(45)), 45);
    }

    // --- §10: messages -------------------------------------------------------------------------

    /// §13.2 "eviction due to disk pressure; no image fs": ranking and the exact message.
    #[test]
    fn test_disk_pressure_node_fs_verify_pod_status() {
        let below = pod("below-requests", 0, Some("1Gi"), Some("1Gi"));
        let above = pod("above-requests", 0, Some("100Mi"), Some("1Gi"));
        let mut stats = PodStatsMap::new();
        stats.insert(below.uid.clone(), disk_stats(&below, 900 * MI, 0, 0));
        stats.insert(above.uid.clone(), disk_stats(&above, 700 * MI, 0, 0));
        let pods = vec![below, above];

        let config = vec![hard(Signal::NodeFsAvailable, qv("2Gi"))];
        let summary = NodeDiskSummary {
            node_fs: Some(FsStats {
                available_bytes: Some(1536 * MI as u64),
                capacity_bytes: Some(3 * GI as u64),
                ..Default::default()
            }),
            image_fs: Some(FsStats {
                available_bytes: Some(10 * GI as u64),
                capacity_bytes: Some(20 * GI as u64),
                ..Default::default()
            }),
            container_fs: None,
        };
        let o = make_signal_observations(&summary);
        let act = thresholds_met(&config, &o, false);
        let (t, resource) = pick_threshold_to_reclaim(&act).unwrap();
        assert_eq!(resource, ResourceName::EphemeralStorage);
        let fs = rank_fs_types(t.signal, false, false).unwrap();
        let order = rank_disk_pressure(&pods, &stats, fs, resource);
        let victim = &pods[order[0]];
        assert_eq!(victim.name, "above-requests");
        let m = eviction_message(resource, victim, stats.get(&victim.uid), &act, &o);
        assert_eq!(
            m.message,
            "The node was low on resource: ephemeral-storage. Threshold quantity: 2Gi, \
             available: 1536Mi. Container above-requests was using 700Mi, request is 100Mi, \
             has larger consumption of ephemeral-storage. "
        );
        assert_eq!(m.annotations[OFFENDING_CONTAINERS_KEY], "above-requests");
        assert_eq!(m.annotations[OFFENDING_CONTAINERS_USAGE_KEY], "700Mi");
        assert_eq!(m.annotations[STARVED_RESOURCE_KEY], "ephemeral-storage");
        assert_eq!(
            eviction_grace_period_override(
                &t,
                0,
                None,
                false,
                IMMEDIATE_EVICTION_GRACE_PERIOD_SECONDS
            ),
            1
        );
        assert_eq!(
            threshold_met_event_message(resource),
            "Attempting to reclaim ephemeral-storage"
        );
    }

    #[test]
    fn test_eviction_message_variants() {
        // §13.2 image fs case: 80Gi used vs a 50Gi request.
        let above = pod("above-requests", 0, Some("50Gi"), Some("50Gi"));
        let stats = disk_stats(&above, 80 * GI, 0, 0);
        let mut o = SignalObservations::new();
        o.insert(Signal::ImageFsAvailable, obs(10 * GI, 20 * GI));
        let act = [hard(Signal::ImageFsAvailable, qv("50Gi"))];
        let m = eviction_message(
            ResourceName::EphemeralStorage,
            &above,
            Some(&stats),
            &act,
            &o,
        );
        assert_eq!(
            m.message,
            "The node was low on resource: ephemeral-storage. Threshold quantity: 50Gi, \
             available: 10Gi. Container above-requests was using 80Gi, request is 50Gi, \
             has larger consumption of ephemeral-storage. "
        );

        // Percentage threshold: the threshold prints as a fresh BinarySI quantity.
        let mut o = SignalObservations::new();
        o.insert(Signal::NodeFsAvailable, obs(24_094_024 * KI, 100 * GI));
        let act = [hard(Signal::NodeFsAvailable, pct(0.5))];
        let m = eviction_message(ResourceName::EphemeralStorage, &above, None, &act, &o);
        assert_eq!(
            m.message,
            "The node was low on resource: ephemeral-storage. Threshold quantity: 50Gi, \
             available: 24094024Ki. "
        );
        assert!(m.annotations.is_empty(), "no stats: no annotations");

        // The threshold part comes from the first act-list threshold with the same resource.
        let mut o = SignalObservations::new();
        o.insert(Signal::NodeFsAvailable, obs(GI, 10 * GI));
        o.insert(Signal::ImageFsAvailable, obs(3 * GI, 10 * GI));
        let act = [
            hard(Signal::ImageFsAvailable, qv("4Gi")),
            hard(Signal::NodeFsAvailable, qv("2Gi")),
        ];
        let m = eviction_message(ResourceName::EphemeralStorage, &above, None, &act, &o);
        assert!(
            m.message
                .contains("Threshold quantity: 4Gi, available: 3Gi. "),
            "{}",
            m.message
        );

        // Inodes: decimal available, no container part, annotations still set.
        let mut o = SignalObservations::new();
        o.insert(Signal::NodeFsInodesFree, obs(3_145_728, 4_194_304));
        let act = [hard(Signal::NodeFsInodesFree, qv("1Mi"))];
        let m = eviction_message(ResourceName::Inodes, &above, Some(&stats), &act, &o);
        assert_eq!(
            m.message,
            "The node was low on resource: inodes. Threshold quantity: 1Mi, available: 3145728. "
        );
        assert_eq!(m.annotations[OFFENDING_CONTAINERS_KEY], "");
        assert_eq!(m.annotations[STARVED_RESOURCE_KEY], "inodes");

        // No request: "request is 0"; missing logs stats: no container part for that container.
        let none = pod("no-request", 0, None, None);
        let s = disk_stats(&none, 5 * MI, 0, 0);
        let m = eviction_message(ResourceName::EphemeralStorage, &none, Some(&s), &[], &o);
        assert_eq!(
            m.message,
            "The node was low on resource: ephemeral-storage. Container no-request was using \
             5Mi, request is 0, has larger consumption of ephemeral-storage. "
        );
        let mut s2 = s.clone();
        s2.containers[0].logs = None;
        let m = eviction_message(ResourceName::EphemeralStorage, &none, Some(&s2), &[], &o);
        assert_eq!(
            m.message,
            "The node was low on resource: ephemeral-storage. "
        );
    }

    // --- §5: admission ---------------------------------------------------------------------------

    #[test]
    fn test_admit_under_node_conditions() {
        use NodeConditionType::*;
        // (guaranteed, burstable, best-effort) ⇒ best_effort flags (false, false, true)
        let kinds = [false, false, true];
        let run = |conds: &[NodeConditionType]| -> Vec<bool> {
            kinds
                .iter()
                .map(|&be| admit_pod(conds, false, be, false).admit)
                .collect()
        };
        assert_eq!(run(&[]), vec![true, true, true]);
        assert_eq!(run(&[MemoryPressure]), vec![true, true, false]);
        assert_eq!(
            run(&[MemoryPressure, DiskPressure]),
            vec![false, false, false]
        );
        let r = admit_pod(&[MemoryPressure, DiskPressure], false, false, false);
        assert_eq!(r.reason, "Evicted");
        assert_eq!(
            r.message,
            "The node had condition: [MemoryPressure DiskPressure]. "
        );
        let r = admit_pod(&[DiskPressure], false, true, true);
        assert!(!r.admit);
        assert_eq!(r.message, "The node had condition: [DiskPressure]. ");
        // Critical pods are always admitted; BestEffort tolerating memory pressure is admitted.
        assert!(admit_pod(&[DiskPressure], true, true, false).admit);
        assert!(admit_pod(&[MemoryPressure], false, true, true).admit);
        let mut static_pod = EvictionPod::new("s", "s");
        static_pod.is_static = true;
        assert!(static_pod.is_critical());
        let mut prio = EvictionPod::new("p", "p");
        prio.priority = Some(SYSTEM_CRITICAL_PRIORITY);
        assert!(prio.is_critical());
        prio.priority = Some(SYSTEM_CRITICAL_PRIORITY - 1);
        assert!(!prio.is_critical());
    }

    // --- §9: local storage limits --------------------------------------------------------------

    /// §13.8 `TestManagerWithLocalStorageCapacityIsolationOpen`: three pods, three rules.
    #[test]
    fn test_manager_with_local_storage_capacity_isolation_open() {
        let empty_dir = with_empty_dir(
            pod("empty-dir", 0, None, None),
            "local-volume",
            Some("900Mi"),
        );
        let container = pod(
            "container-ephemeral-storage-limit",
            0,
            Some("900Mi"),
            Some("800Mi"),
        );
        let pod_limit = pod("pod-ephemeral-storage-limit", 0, Some("1Gi"), Some("800Mi"));
        let mut critical = pod("critical", SYSTEM_CRITICAL_PRIORITY, None, Some("1Mi"));
        critical.is_mirror = true;
        let fine = pod("fine", 0, None, Some("1Gi"));
        let mut stats = PodStatsMap::new();
        stats.insert(
            empty_dir.uid.clone(),
            disk_stats(&empty_dir, 0, 0, 1800 * MI),
        );
        let mut cs = disk_stats(&container, 800 * MI, 800 * MI, 0);
        cs.ephemeral_storage_used_bytes = Some(800 * MI as u64);
        stats.insert(container.uid.clone(), cs);
        let mut ps = disk_stats(&pod_limit, 800 * MI, 800 * MI, 0);
        ps.ephemeral_storage_used_bytes = Some(1600 * MI as u64);
        stats.insert(pod_limit.uid.clone(), ps);
        stats.insert(critical.uid.clone(), disk_stats(&critical, GI, GI, 0));
        stats.insert(fine.uid.clone(), disk_stats(&fine, 100 * MI, 100 * MI, 0));
        let pods = vec![empty_dir, container, critical, pod_limit, fine];

        let got = local_storage_evictions(&pods, &stats, false);
        let got: Vec<(usize, String, &str)> = got
            .iter()
            .map(|(i, v)| (*i, v.message(), v.signal()))
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    0,
                    "Usage of EmptyDir volume \"local-volume\" exceeds the limit \"900Mi\". "
                        .to_string(),
                    "emptydirfs.limit"
                ),
                (
                    1,
                    "Container container-ephemeral-storage-limit exceeded its local ephemeral \
                     storage limit \"800Mi\". "
                        .to_string(),
                    "ephemeralcontainerfs.limit"
                ),
                (
                    3,
                    "Pod ephemeral local storage usage exceeds the total limit of containers \
                     800Mi. "
                        .to_string(),
                    "ephemeralpodfs.limit"
                ),
            ]
        );

        // With a dedicated imagefs the writable layer does not count toward the container limit:
        // logs 800Mi are not above 800Mi.
        let got = local_storage_evictions(&pods[1..2], &stats, true);
        assert!(got.is_empty(), "{got:?}");
    }

    #[test]
    fn test_storage_limit_evictions() {
        // §13.7: rootfs above limit, logs above limit, local volume above emptyDir sizeLimit.
        let rootfs = pod("rootfs", 0, Some("1Gi"), Some("1Gi"));
        let mut s = disk_stats(&rootfs, 2 * GI, 0, 0);
        s.ephemeral_storage_used_bytes = Some(GI as u64); // not over the pod limit
        let v = local_storage_violation(&rootfs, &s, false).unwrap();
        assert_eq!(
            v.message(),
            "Container rootfs exceeded its local ephemeral storage limit \"1Gi\". "
        );
        let logs = pod("logs", 0, Some("1Gi"), Some("1Gi"));
        let s = disk_stats(&logs, 0, 2 * GI, 0);
        // The pod total (2Gi) is checked before the container.
        let v = local_storage_violation(&logs, &s, true).unwrap();
        assert_eq!(
            v.message(),
            "Pod ephemeral local storage usage exceeds the total limit of containers 1Gi. "
        );
        let vol = with_empty_dir(pod("vol", 0, None, None), "emptyDirVolume", Some("1Gi"));
        let s = disk_stats(&vol, 0, 0, 2 * GI);
        let v = local_storage_violation(&vol, &s, false).unwrap();
        assert_eq!(v.signal(), SIGNAL_EMPTY_DIR_FS_LIMIT);
        assert_eq!(
            v.message(),
            "Usage of EmptyDir volume \"emptyDirVolume\" exceeds the limit \"1Gi\". "
        );
        // A zero sizeLimit is no limit.
        let vol0 = with_empty_dir(pod("vol0", 0, None, None), "v", Some("0"));
        assert!(local_storage_violation(&vol0, &disk_stats(&vol0, 0, 0, GI), false).is_none());
        // Pod limit of two containers: the sum, in the first limit's format.
        let mut two = pod("two", 0, None, Some("824Mi"));
        let mut c2 = ContainerSpec::new("c2");
        c2.ephemeral_storage_limit = Some(q("200Mi"));
        two.containers.push(c2);
        assert_eq!(
            pod_ephemeral_storage_limit(&two),
            Some((GI, "1Gi".to_string()))
        );
    }
}
