//! Twin of kubernetes pkg/kubelet/eviction/eviction_manager.go (v1.34); the stateful eviction
//! manager for disk signals: filesystem detection, the `synchronize` pass, node conditions and
//! pod admission. The pure decisions live in [`super::helpers`]; this module only owns the state
//! the kubelet's `managerImpl` keeps between syncs and calls the helpers in the kubelet's order.
//!
//! Spec: `shared/reference/kubelet-eviction.md`, sections cited as "§n" (§3 detection, §4 the
//! loop, §5 admission, §6 node-level reclaim, §8 grace periods, §9 local-storage limits).
//!
//! # What this module does not do
//!
//! No I/O, no clock (`now` is an argument), no randomness, no hash-map iteration. It does not kill
//! pods and does not sleep: [`EvictionManager::synchronize`] returns what to evict
//! ([`SyncResult::evicted`], each with the grace override the kubelet passes to the pod killer and
//! the grace period pod_workers would actually use), and the simulation performs the kill. The
//! driver loop of `Start()` belongs to the simulation:
//!
//! * if a sync evicted pods and returned no error ([`SyncResult::wait_for_cleanup`]), wait until
//!   the pods are cleaned up (polling every
//!   [`POD_CLEANUP_POLL_FREQ`](helpers::POD_CLEANUP_POLL_FREQ), giving up after
//!   [`POD_CLEANUP_TIMEOUT`](helpers::POD_CLEANUP_TIMEOUT)) and sync again **at once**;
//! * otherwise sync again after
//!   [`EVICTION_MONITORING_PERIOD`](helpers::EVICTION_MONITORING_PERIOD) (10 s).
//!
//! The `DiskPressure` node condition, its taint and the `NodeHasDiskPressure` events are the
//! node-status setter's job (§5): it reads [`EvictionManager::is_under_disk_pressure`] every
//! `nodeStatusUpdateFrequency`.
//!
//! # Which threshold a sync acts on (deterministic; upstream is random)
//!
//! Upstream builds the act list from a Go map and sorts it with an unstable sort, so when several
//! disk thresholds are past their grace period the signal acted on is random (§4 step 13, §12.1).
//! Here the act list is in a fixed order and the choice is
//! [`helpers::pick_threshold_to_reclaim`]: the **first threshold of the act list**, where the act
//! list is the configured thresholds in configuration order — hard before soft, each group in
//! ascending signal name (`imagefs.*` < `nodefs.*`), as [`helpers::parse_threshold_config`]
//! produces them — then the synthesised `containerfs.*` copies (§3.2), then thresholds carried
//! over for min-reclaim (§4 step 6). Consequences: a hard threshold wins over a soft one of the
//! same signal (grace 1 s), and `imagefs` wins over `nodefs` when both are past grace. The same
//! act list, in the same order, supplies the "Threshold quantity" part of the eviction message
//! (§10).
//!
//! # Feature gates and versions
//!
//! * `KubeletSeparateDiskGC` (KEP-4191): alpha, off by default in v1.29–v1.30; **beta and on by
//!   default since v1.31** (pkg/features/kube_features.go versioned spec: `1.29 Alpha false`,
//!   `1.31 Beta true`). So it is on in every version this twin models (v1.33/v1.34).
//! * `AllowOverwriteTerminationGracePeriodSeconds`: deprecated and off by default since v1.32,
//!   locked off in v1.35 (PR #133792). Off means a soft eviction's override is
//!   `min(evictionMaxPodGracePeriod, pod TGPS)` (§8, [`helpers::eviction_grace_period_override`]).
//!
//! # Resolved from source
//!
//! Read in eviction_manager.go of the v1.33/v1.34 era (an OpenShift tree carrying the same code:
//! `HasDedicatedContainerFs`, `DisruptionTarget` with `ObservedGeneration`, the
//! `AllowOverwriteTerminationGracePeriodSeconds` branch):
//!
//! * An error from `HasDedicatedContainerFs` is logged ("failed to check if we have separate
//!   container filesystem. Ignoring.") and the result is `false`; hence
//!   [`EvictionEnv::has_split_container_fs`] returns a plain `bool`.
//! * After the "KubeletSeparateDiskGC is turned off…" error (§3.1), `dedicatedImageFs` is already
//!   set, so later syncs skip detection; the containerfs thresholds are never synthesised and the
//!   rank and reclaim tables are never built. Later syncs still track thresholds, report
//!   `DiskPressure` and emit `EvictionThresholdMet`; node-level reclaim finds an empty (nil) list
//!   and returns false, then "no ranking function for signal" ends the sync: nothing is ever
//!   evicted for a threshold (local-storage limit evictions still happen).
//! * A sync that ends with an error (detection) changes no state besides the detection cache:
//!   conditions are not updated on that sync.
//! * The summary is fetched after `podFunc()`; a summary error ends the sync with **no** error.

use crate::engine::SimTime;
use crate::kubelet::events::{KubeletEvent, ObjectRef};

use super::helpers;
use super::helpers::{
    admit_pod, effective_grace_period_seconds, eviction_grace_period_override, eviction_message,
    local_storage_evictions, make_signal_observations, merge_thresholds, node_conditions,
    node_conditions_last_observed_at, node_conditions_observed_since, node_reclaim_funcs,
    pick_threshold_to_reclaim, rank_disk_pressure, rank_fs_types, sort_by_eviction_priority,
    threshold_met_event_message, thresholds_first_observed_at, thresholds_met,
    thresholds_met_grace_period, thresholds_updated_stats, EvictionPod, FsStatsType,
    NodeConditionsObservedAt, NodeDiskSummary, NodeReclaimFunc, PodAdmitResult, PodStatsMap,
    RankKey, SignalObservations, ThresholdsObservedAt, DEFAULT_MAX_POD_GRACE_PERIOD_SECONDS,
    DEFAULT_PRESSURE_TRANSITION_PERIOD, IMMEDIATE_EVICTION_GRACE_PERIOD_SECONDS, REASON_EVICTED,
    REASON_EVICTION_THRESHOLD_MET,
};
use super::types::{
    get_threshold_quantity, DurationNs, NodeConditionType, ResourceName, Signal, Threshold,
};

/// The error `synchronize` returns when the runtime reports a split image/container filesystem
/// but `KubeletSeparateDiskGC` is off (§3.1). Exact upstream text.
pub const SPLIT_FS_GATE_OFF_ERROR: &str =
    "KubeletSeparateDiskGC is turned off but we still have a split filesystem";

/// The eviction manager's configuration (`eviction.Config`, disk part, plus the two feature gates
/// it reads).
#[derive(Debug, Clone)]
pub struct EvictionConfig {
    /// Parsed by [`helpers::parse_threshold_config`] (hard and soft, with min-reclaim). The
    /// `containerfs.*` thresholds are replaced at the first sync (§3.2).
    pub thresholds: Vec<Threshold>,
    /// `evictionPressureTransitionPeriod`, ns.
    pub pressure_transition_period: DurationNs,
    /// `evictionMaxPodGracePeriod`, seconds: the override of a soft eviction (§8).
    pub max_pod_grace_period_seconds: i64,
    /// `localStorageCapacityIsolation` (GA, default true): enables the §9 limit evictions.
    pub local_storage_capacity_isolation: bool,
    /// Feature gate `KubeletSeparateDiskGC`: beta and on by default since v1.31.
    pub kubelet_separate_disk_gc: bool,
    /// Feature gate `AllowOverwriteTerminationGracePeriodSeconds`: off by default since v1.32.
    pub allow_overwrite_termination_grace_period_seconds: bool,
    /// The grace override of a hard eviction: 1 since PR #124063 (~v1.31), 0 before.
    pub hard_eviction_grace_period_override: i64,
}

impl EvictionConfig {
    /// The given thresholds with every other setting at its v1.34 default: transition period 5m,
    /// max pod grace 0, local storage capacity isolation on, `KubeletSeparateDiskGC` on,
    /// `AllowOverwriteTerminationGracePeriodSeconds` off.
    pub fn new(thresholds: Vec<Threshold>) -> Self {
        EvictionConfig {
            thresholds,
            pressure_transition_period: DEFAULT_PRESSURE_TRANSITION_PERIOD,
            max_pod_grace_period_seconds: DEFAULT_MAX_POD_GRACE_PERIOD_SECONDS,
            local_storage_capacity_isolation: true,
            kubelet_separate_disk_gc: true,
            allow_overwrite_termination_grace_period_seconds: false,
            hard_eviction_grace_period_override: IMMEDIATE_EVICTION_GRACE_PERIOD_SECONDS,
        }
    }
}

/// What the manager needs from the kubelet and the node at each sync: the `DiskInfoProvider`,
/// `ActivePodsFunc`, `SummaryProvider`, `ContainerGC` and `ImageGC` of the kubelet, as one trait.
pub trait EvictionEnv {
    /// Fresh node filesystem stats (`summaryProvider.Get(ctx, true)`). Called once per sync, and
    /// once more after node-level reclaim.
    fn summary(&mut self) -> Result<NodeDiskSummary, String>;
    /// Per-pod stats keyed by pod UID, from the same summary (`cachedStatsFunc`).
    fn pod_stats(&mut self) -> PodStatsMap;
    /// `podFunc()`: non-terminal pods bound to the node, in a stable order (ties in the ranking
    /// keep this order).
    fn active_pods(&self) -> Vec<EvictionPod>;
    /// Whether any active pod has an ephemeral-storage limit or an emptyDir `sizeLimit`, i.e.
    /// whether the local-storage check (§9) could evict anything. `true` is always correct; an
    /// environment that knows better spares the sync from reading pods and stats it would not
    /// use.
    fn may_exceed_local_limits(&self) -> bool {
        true
    }
    /// `HasDedicatedImageFs`: the imagefs is on another device than the kubelet root dir.
    fn has_dedicated_image_fs(&mut self) -> Result<bool, String>;
    /// `HasDedicatedContainerFs`: the runtime's container and image filesystems differ. An error
    /// counts as `false` (the kubelet logs it and carries on).
    fn has_split_container_fs(&mut self) -> bool;
    /// `containerGC.DeleteAllUnusedContainers` (container GC with `evictNonDeletedPods=true`).
    fn delete_all_unused_containers(&mut self) -> Result<(), String>;
    /// `imageGC.DeleteUnusedImages` (free every eligible image).
    fn delete_unused_images(&mut self) -> Result<(), String>;
}

/// One pod to evict: what `evictPod` would pass to the pod killer and record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Eviction {
    pub pod_uid: String,
    pub pod_name: String,
    /// The `gracePeriodOverride` passed to the pod killer (§8): 1 for hard thresholds and limit
    /// evictions, `min(evictionMaxPodGracePeriod, TGPS)` for soft ones.
    pub grace_override_seconds: i64,
    /// What pod_workers actually gives the pod ([`helpers::effective_grace_period_seconds`]): an
    /// override of 0 falls back to the pod's TGPS, and the result is at least 1.
    pub effective_grace_seconds: i64,
    /// Pod status message, `Evicted` event message and, for threshold evictions, the
    /// `DisruptionTarget` condition message (§10, §9).
    pub message: String,
    /// `eviction_signal` label of the `evictions` metric: the signal acted on, or
    /// `emptydirfs.limit` / `ephemeralpodfs.limit` / `ephemeralcontainerfs.limit`.
    pub signal_label: String,
    /// True for a §9 local-storage limit eviction (no `DisruptionTarget` condition, no
    /// annotations); false for a threshold eviction.
    pub limit_eviction: bool,
    /// `Evicted` event annotations of a threshold eviction (§10); empty for limit evictions.
    pub annotations: std::collections::BTreeMap<String, String>,
}

/// The outcome of one `synchronize`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncResult {
    /// Pods to kill, in order: at most one for a threshold, possibly several for §9 limits.
    pub evicted: Vec<Eviction>,
    /// `EvictionThresholdMet` (Warning, on the Node) when a threshold is acted on; one `Evicted`
    /// (Warning, on the pod) per eviction.
    pub events: Vec<KubeletEvent>,
    /// The error `synchronize` returns (detection failures, §3.1); the loop then sleeps 10 s.
    pub error: Option<String>,
    /// Node-level reclaim functions (container and/or image GC) ran this sync (§6).
    pub reclaimed_node_level: bool,
    /// The signal of the threshold acted on (§4 step 13), if the sync got that far.
    pub acted_signal: Option<Signal>,
    /// What the kubelet logs at error or info level without returning an error ("no pods are
    /// active to evict", GC errors, containerfs conflicts, …), in order.
    pub warnings: Vec<String>,
}

impl SyncResult {
    /// `evictedPods != nil && err == nil`: the driver waits for cleanup and re-syncs at once;
    /// otherwise it sleeps for [`EVICTION_MONITORING_PERIOD`](helpers::EVICTION_MONITORING_PERIOD).
    pub fn wait_for_cleanup(&self) -> bool {
        !self.evicted.is_empty() && self.error.is_none()
    }
}

/// One configured threshold as a traced sync weighed it (§4 steps 5–13).
#[derive(Debug, Clone, PartialEq)]
pub struct ThresholdTrace {
    pub threshold: Threshold,
    /// The threshold's quantity at the observed capacity (bytes, or inodes), when its signal
    /// is observed; and the min-reclaim quantity on top of it, if any.
    pub quantity: Option<i64>,
    pub min_reclaim: Option<i64>,
    /// Step 5: available < quantity now.
    pub met_now: bool,
    /// Step 6: not met now, but acted on at the previous sync and not yet clear by its
    /// min-reclaim, so still met.
    pub carried_over: bool,
    /// Step 7: when it was first seen met (kept while it stays met).
    pub first_observed: Option<SimTime>,
    /// Step 9: met for at least its grace period (a hard threshold at once).
    pub passed_grace: bool,
    /// Step 10: and its stats were refreshed since the previous sync.
    pub stats_fresh: bool,
    /// Step 13: the threshold this sync acted on.
    pub acted_on: bool,
}

/// How a traced sync ended (the step that returned).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncEnd {
    /// Step 1: no thresholds and no local-storage isolation.
    NothingConfigured,
    /// Step 2: filesystem detection failed (see [`SyncResult::error`]).
    DetectionFailed,
    /// Step 3: no summary.
    NoSummary,
    /// Step 11: pods over their local-storage limits were evicted.
    LimitEvictions,
    /// Step 12: no threshold passed its grace period with fresh stats.
    NothingToActOn,
    /// Step 15: node-level reclaim cleared every threshold (with min-reclaim).
    ReclaimedEnough,
    /// Step 16: no ranking function for the signal.
    NoRankingFunction,
    /// Step 16: no active pods.
    NoActivePods,
    /// Step 17: a pod was evicted.
    Evicted,
    /// Step 17: every ranked pod was critical.
    NoEvictablePod,
}

/// The decision of one sync, as the manager made it: filled only by
/// [`EvictionManager::synchronize_traced`], so an untraced sync builds none of it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SyncTrace {
    /// Step 4: what the summary showed.
    pub observations: SignalObservations,
    /// Every configured threshold (containerfs ones included once synthesised), in
    /// configuration order.
    pub thresholds: Vec<ThresholdTrace>,
    /// Step 8: the conditions of the thresholds met now, when each was last observed, and
    /// those reported (observed within the transition period); and those reported before.
    pub conditions_observed: Vec<NodeConditionType>,
    pub conditions_last_observed_at: NodeConditionsObservedAt,
    pub conditions_reported: Vec<NodeConditionType>,
    pub conditions_reported_before: Vec<NodeConditionType>,
    /// Step 13: the threshold acted on and the resource it starves.
    pub acted: Option<(Signal, ResourceName)>,
    /// Step 15: the reclaim functions run, each with its error, then what the summary showed
    /// after them and whether every threshold was then clear with min-reclaim.
    pub reclaim: Vec<(NodeReclaimFunc, Option<String>)>,
    pub after_reclaim: Option<SignalObservations>,
    pub reclaim_resolved: Option<bool>,
    /// Step 16: the usage the ranking counted and the active pods in rank order, first to
    /// evict first: (index into the active pods, name, ranking inputs, critical).
    pub rank_fs_types: Vec<FsStatsType>,
    pub ranking: Vec<(usize, String, RankKey, bool)>,
    pub end: Option<SyncEnd>,
}

/// `managerImpl`: the configuration plus the state carried from one sync to the next.
#[derive(Debug, Clone)]
pub struct EvictionManager {
    config: EvictionConfig,
    /// `dedicatedImageFs`: `None` until detection succeeds; then cached for the kubelet's life.
    dedicated_image_fs: Option<bool>,
    /// `splitContainerImageFs`: `None` until detection completes. It stays `None` after the
    /// split-but-gate-off error, which is how "tables never built" is represented.
    split_container_image_fs: Option<bool>,
    /// The reported conditions (`m.nodeConditions`).
    node_conditions: Vec<NodeConditionType>,
    node_conditions_last_observed_at: NodeConditionsObservedAt,
    thresholds_first_observed_at: ThresholdsObservedAt,
    /// `m.thresholdsMet`: the previous act list (passed grace, before the stats-freshness filter).
    thresholds_met: Vec<Threshold>,
    last_observations: SignalObservations,
}

impl EvictionManager {
    /// True when a sync would find nothing to carry: filesystems detected, no threshold being
    /// observed or acted on, no condition reported. In this state a sync whose observations
    /// meet no threshold and exceed no limit changes nothing but `last_observations`, which
    /// only feeds the stats-freshness filter (§4 step 10); the simulation uses this to skip such
    /// syncs without changing any outcome.
    pub fn is_quiet(&self) -> bool {
        self.dedicated_image_fs.is_some()
            && self.node_conditions.is_empty()
            && self.thresholds_first_observed_at.is_empty()
            && self.thresholds_met.is_empty()
    }

    /// Some threshold was met at the last sync (now, or carried over for min-reclaim), whether
    /// or not it had passed its grace period.
    pub fn thresholds_observed(&self) -> bool {
        !self.thresholds_first_observed_at.is_empty()
    }

    /// `NewManager`: nothing detected, no condition, no threshold tracked.
    pub fn new(config: EvictionConfig) -> Self {
        EvictionManager {
            config,
            dedicated_image_fs: None,
            split_container_image_fs: None,
            node_conditions: Vec::new(),
            node_conditions_last_observed_at: NodeConditionsObservedAt::new(),
            thresholds_first_observed_at: ThresholdsObservedAt::new(),
            thresholds_met: Vec::new(),
            last_observations: SignalObservations::new(),
        }
    }

    /// The configuration, with the thresholds as currently in force (after the first sync they
    /// include the synthesised `containerfs.*` thresholds).
    pub fn config(&self) -> &EvictionConfig {
        &self.config
    }

    /// The thresholds in force (see [`EvictionManager::config`]).
    pub fn thresholds(&self) -> &[Threshold] {
        &self.config.thresholds
    }

    /// The cached `HasDedicatedImageFs` result, once detection succeeded.
    pub fn dedicated_image_fs(&self) -> Option<bool> {
        self.dedicated_image_fs
    }

    /// The cached split-filesystem result, once detection completed (never after the gate error).
    pub fn split_container_image_fs(&self) -> Option<bool> {
        self.split_container_image_fs
    }

    /// The reported node conditions after the last sync (MemoryPressure, DiskPressure,
    /// PIDPressure order; only DiskPressure can occur in a disk-only model).
    pub fn node_conditions(&self) -> &[NodeConditionType] {
        &self.node_conditions
    }

    /// `IsUnderDiskPressure`.
    pub fn is_under_disk_pressure(&self) -> bool {
        self.node_conditions
            .contains(&NodeConditionType::DiskPressure)
    }

    /// `Admit` (§5) for a pod whose QoS does not matter: QoS and the memory-pressure toleration
    /// only matter when MemoryPressure is the *only* reported condition, which a disk-only model
    /// never reports. The pod is treated as BestEffort without that toleration (the conservative
    /// reading); use [`EvictionManager::admit_with_qos`] when they are known.
    /// True while no node condition is set: `Admit` then admits every pod.
    pub fn admits_every_pod(&self) -> bool {
        self.node_conditions.is_empty()
    }

    pub fn admit(&self, pod: &EvictionPod) -> PodAdmitResult {
        self.admit_with_qos(pod, true, false)
    }

    /// `Admit` (§5) with the pod's QoS class and its toleration of
    /// `node.kubernetes.io/memory-pressure:NoSchedule`.
    pub fn admit_with_qos(
        &self,
        pod: &EvictionPod,
        pod_is_best_effort: bool,
        pod_tolerates_memory_pressure_taint: bool,
    ) -> PodAdmitResult {
        admit_pod(
            &self.node_conditions,
            pod.is_critical(),
            pod_is_best_effort,
            pod_tolerates_memory_pressure_taint,
        )
    }

    /// One `synchronize()` at `now` (§4 steps 1–17).
    pub fn synchronize(&mut self, env: &mut dyn EvictionEnv, now: SimTime) -> SyncResult {
        self.synchronize_with(env, now, None)
    }

    /// [`Self::synchronize`], recording in `trace` what the sync observed and weighed (for
    /// `explain`).
    pub fn synchronize_traced(
        &mut self,
        env: &mut dyn EvictionEnv,
        now: SimTime,
        trace: &mut SyncTrace,
    ) -> SyncResult {
        trace.conditions_reported_before = self.node_conditions.clone();
        self.synchronize_with(env, now, Some(trace))
    }

    fn synchronize_with(
        &mut self,
        env: &mut dyn EvictionEnv,
        now: SimTime,
        mut trace: Option<&mut SyncTrace>,
    ) -> SyncResult {
        let mut out = SyncResult::default();
        let end = |trace: &mut Option<&mut SyncTrace>, e: SyncEnd| {
            if let Some(t) = trace.as_deref_mut() {
                t.end = Some(e);
            }
        };

        // 1. Nothing to do.
        if self.config.thresholds.is_empty() && !self.config.local_storage_capacity_isolation {
            end(&mut trace, SyncEnd::NothingConfigured);
            return out;
        }

        // 2. First run: detection, containerfs thresholds, tables (§3). Retried until
        // HasDedicatedImageFs succeeds; never re-evaluated afterwards.
        if self.dedicated_image_fs.is_none() {
            let dedicated = match env.has_dedicated_image_fs() {
                Ok(d) => d,
                Err(e) => {
                    out.error = Some(format!(
                        "eviction manager: failed to get HasDedicatedImageFs: {e}"
                    ));
                    end(&mut trace, SyncEnd::DetectionFailed);
                    return out;
                }
            };
            self.dedicated_image_fs = Some(dedicated);
            let split = env.has_split_container_fs();
            if !self.config.kubelet_separate_disk_gc && split {
                out.error = Some(SPLIT_FS_GATE_OFF_ERROR.to_string());
                end(&mut trace, SyncEnd::DetectionFailed);
                return out;
            }
            let (thresholds, err) =
                helpers::update_container_fs_thresholds(&self.config.thresholds, dedicated, split);
            self.config.thresholds = thresholds;
            if let Some(e) = err {
                out.warnings.push(format!(
                    "eviction manager: found conflicting containerfs eviction. Ignoring.: {e}"
                ));
            }
            self.split_container_image_fs = Some(split);
        }

        // 3. Inputs: a fresh summary. The active pods and their stats are read further down,
        // only by a sync that will use them (step 11 or 16); nothing in between changes them, so
        // this is the same as upstream reading them here.
        let summary = match env.summary() {
            Ok(s) => s,
            Err(e) => {
                out.warnings.push(format!(
                    "Eviction manager: failed to get summary stats: {e}"
                ));
                end(&mut trace, SyncEnd::NoSummary);
                return out;
            }
        };

        // 4. Observe.
        let observations = make_signal_observations(&summary);

        // 5. Thresholds met now, ignoring grace periods.
        let mut met = thresholds_met(&self.config.thresholds, &observations, false);
        let met_now = trace.is_some().then(|| met.clone());

        // 6. Min-reclaim carry-over: previously acted-on thresholds stay until min-reclaim is met.
        if !self.thresholds_met.is_empty() {
            let not_yet_resolved = thresholds_met(&self.thresholds_met, &observations, true);
            met = merge_thresholds(&met, &not_yet_resolved);
        }

        // 7. First-observed times (a threshold not met now is forgotten: its grace timer resets).
        let first_observed =
            thresholds_first_observed_at(&met, &self.thresholds_first_observed_at, now);

        // 8. Node conditions, reported for a transition period after they were last observed.
        let observed_conditions = node_conditions(&met);
        let last_observed = node_conditions_last_observed_at(
            &observed_conditions,
            &self.node_conditions_last_observed_at,
            now,
        );
        let reported = node_conditions_observed_since(
            &last_observed,
            self.config.pressure_transition_period,
            now,
        );

        // 9. Grace filter, then store the state.
        let act = thresholds_met_grace_period(&first_observed, now);
        self.node_conditions = reported;
        self.thresholds_first_observed_at = first_observed;
        self.node_conditions_last_observed_at = last_observed;
        self.thresholds_met = act.clone();

        // 10. Keep thresholds whose stats were refreshed since the previous sync.
        let passed_grace = trace.is_some().then(|| act.clone());
        let act = thresholds_updated_stats(&act, &observations, &self.last_observations);
        self.last_observations = observations.clone();
        if let Some(t) = trace.as_deref_mut() {
            t.observations = observations.clone();
            t.thresholds = self.threshold_traces(
                &observations,
                &met,
                met_now.as_deref().unwrap_or(&[]),
                passed_grace.as_deref().unwrap_or(&[]),
                &act,
            );
            t.conditions_observed = observed_conditions.clone();
            t.conditions_last_observed_at = self.node_conditions_last_observed_at.clone();
            t.conditions_reported = self.node_conditions.clone();
        }

        let needs_pods = !act.is_empty()
            || (self.config.local_storage_capacity_isolation && env.may_exceed_local_limits());
        let (active_pods, pod_stats) = if needs_pods {
            (env.active_pods(), env.pod_stats())
        } else {
            (Vec::new(), PodStatsMap::new())
        };

        // 11. Local-storage limits (§9): every violating pod, then end the sync.
        if self.config.local_storage_capacity_isolation {
            let dedicated = self.dedicated_image_fs.unwrap_or(false);
            let violations = local_storage_evictions(&active_pods, &pod_stats, dedicated);
            if !violations.is_empty() {
                for (i, violation) in violations {
                    let pod = &active_pods[i];
                    let grace = IMMEDIATE_EVICTION_GRACE_PERIOD_SECONDS;
                    let message = violation.message();
                    out.events.push(KubeletEvent::warning(
                        REASON_EVICTED,
                        ObjectRef::Pod(pod.name.clone()),
                        message.clone(),
                    ));
                    out.evicted.push(Eviction {
                        pod_uid: pod.uid.clone(),
                        pod_name: pod.name.clone(),
                        grace_override_seconds: grace,
                        effective_grace_seconds: effective_grace_period_seconds(
                            Some(grace),
                            pod.termination_grace_period_seconds,
                        ),
                        message,
                        signal_label: violation.signal().to_string(),
                        limit_eviction: true,
                        annotations: Default::default(),
                    });
                }
                end(&mut trace, SyncEnd::LimitEvictions);
                return out;
            }
        }

        // 12. Nothing starved.
        if act.is_empty() {
            end(&mut trace, SyncEnd::NothingToActOn);
            return out;
        }

        // 13. The threshold to act on (deterministic rule: see the module documentation).
        let Some((threshold, resource)) = pick_threshold_to_reclaim(&act) else {
            end(&mut trace, SyncEnd::NothingToActOn);
            return out;
        };
        let act = sort_by_eviction_priority(&act);
        out.acted_signal = Some(threshold.signal);
        if let Some(t) = trace.as_deref_mut() {
            t.acted = Some((threshold.signal, resource));
            for tt in &mut t.thresholds {
                tt.acted_on = tt.threshold == threshold;
            }
        }

        // 14. Node event.
        out.events.push(KubeletEvent::warning(
            REASON_EVICTION_THRESHOLD_MET,
            ObjectRef::Node,
            threshold_met_event_message(resource),
        ));

        // 15. Node-level reclaim; done if every threshold is clear with min-reclaim.
        if self.reclaim_node_level_resources(env, threshold.signal, &mut out, trace.as_deref_mut())
        {
            end(&mut trace, SyncEnd::ReclaimedEnough);
            return out;
        }

        // 16. Rank.
        let fs_types = match (self.dedicated_image_fs, self.split_container_image_fs) {
            (Some(dedicated), Some(split)) => rank_fs_types(threshold.signal, dedicated, split),
            _ => None,
        };
        let Some(fs_types) = fs_types else {
            out.warnings.push(format!(
                "Eviction manager: no ranking function for signal {}",
                threshold.signal
            ));
            end(&mut trace, SyncEnd::NoRankingFunction);
            return out;
        };
        if active_pods.is_empty() {
            out.warnings.push(
                "Eviction manager: eviction thresholds have been met, but no pods are active \
                 to evict"
                    .to_string(),
            );
            end(&mut trace, SyncEnd::NoActivePods);
            return out;
        }
        let order = rank_disk_pressure(&active_pods, &pod_stats, fs_types, resource);
        if let Some(t) = trace.as_deref_mut() {
            t.rank_fs_types = fs_types.to_vec();
            t.ranking = order
                .iter()
                .map(|&i| {
                    let p = &active_pods[i];
                    let key = helpers::rank_key(p, &pod_stats, fs_types, resource);
                    (i, p.name.clone(), key, p.is_critical())
                })
                .collect();
        }

        // 17. Evict the first non-critical pod.
        for i in order {
            let pod = &active_pods[i];
            if pod.is_critical() {
                out.warnings.push(format!(
                    "Eviction manager: cannot evict a critical pod {}",
                    pod.name
                ));
                continue;
            }
            let grace = eviction_grace_period_override(
                &threshold,
                self.config.max_pod_grace_period_seconds,
                pod.termination_grace_period_seconds,
                self.config.allow_overwrite_termination_grace_period_seconds,
                self.config.hard_eviction_grace_period_override,
            );
            let msg = eviction_message(resource, pod, pod_stats.get(&pod.uid), &act, &observations);
            out.events.push(KubeletEvent::warning(
                REASON_EVICTED,
                ObjectRef::Pod(pod.name.clone()),
                msg.message.clone(),
            ));
            out.evicted.push(Eviction {
                pod_uid: pod.uid.clone(),
                pod_name: pod.name.clone(),
                grace_override_seconds: grace,
                effective_grace_seconds: effective_grace_period_seconds(
                    Some(grace),
                    pod.termination_grace_period_seconds,
                ),
                message: msg.message,
                signal_label: threshold.signal.as_str().to_string(),
                limit_eviction: false,
                annotations: msg.annotations,
            });
            end(&mut trace, SyncEnd::Evicted);
            return out;
        }
        out.warnings
            .push("Eviction manager: unable to evict any pods from the node".to_string());
        end(&mut trace, SyncEnd::NoEvictablePod);
        out
    }

    /// The trace of each configured threshold: `met` after the carry-over (step 6), `met_now`
    /// before it (step 5), `passed_grace` (step 9) and `act` (step 10).
    fn threshold_traces(
        &self,
        observations: &SignalObservations,
        met: &[Threshold],
        met_now: &[Threshold],
        passed_grace: &[Threshold],
        act: &[Threshold],
    ) -> Vec<ThresholdTrace> {
        self.config
            .thresholds
            .iter()
            .map(|t| {
                let obs = observations.get(&t.signal);
                let now_met = met_now.contains(t);
                ThresholdTrace {
                    threshold: t.clone(),
                    quantity: obs.map(|o| get_threshold_quantity(&t.value, o.capacity)),
                    min_reclaim: obs.and_then(|o| {
                        t.min_reclaim
                            .as_ref()
                            .map(|m| get_threshold_quantity(m, o.capacity))
                    }),
                    met_now: now_met,
                    carried_over: !now_met && met.contains(t),
                    first_observed: self
                        .thresholds_first_observed_at
                        .iter()
                        .find(|(lt, _)| lt == t)
                        .map(|(_, at)| *at),
                    passed_grace: passed_grace.contains(t),
                    stats_fresh: act.contains(t),
                    acted_on: false,
                }
            })
            .collect()
    }

    /// `reclaimNodeLevelResources` (§6): run the signal's reclaim functions in order (errors are
    /// logged and ignored); if there were any, re-observe and report whether **every** configured
    /// threshold is now clear including min-reclaim. An empty list (nodefs with a dedicated
    /// imagefs, or tables never built) returns false.
    fn reclaim_node_level_resources(
        &mut self,
        env: &mut dyn EvictionEnv,
        signal: Signal,
        out: &mut SyncResult,
        mut trace: Option<&mut SyncTrace>,
    ) -> bool {
        let funcs: &[NodeReclaimFunc] =
            match (self.dedicated_image_fs, self.split_container_image_fs) {
                (Some(dedicated), Some(split)) => node_reclaim_funcs(signal, dedicated, split),
                _ => &[],
            };
        for f in funcs {
            let result = match f {
                NodeReclaimFunc::DeleteAllUnusedContainers => env.delete_all_unused_containers(),
                NodeReclaimFunc::DeleteUnusedImages => env.delete_unused_images(),
            };
            if let Some(t) = trace.as_deref_mut() {
                t.reclaim.push((*f, result.as_ref().err().cloned()));
            }
            if let Err(e) = result {
                out.warnings.push(format!(
                    "Eviction manager: unexpected error when attempting to reduce resource \
                     pressure: {e}"
                ));
            }
        }
        if funcs.is_empty() {
            return false;
        }
        out.reclaimed_node_level = true;
        let summary = match env.summary() {
            Ok(s) => s,
            Err(e) => {
                out.warnings.push(format!(
                    "Eviction manager: failed to get summary stats after resource reclaim: {e}"
                ));
                return false;
            }
        };
        let observations = make_signal_observations(&summary);
        let resolved = thresholds_met(&self.config.thresholds, &observations, true).is_empty();
        if let Some(t) = trace {
            t.after_reclaim = Some(observations);
            t.reclaim_resolved = Some(resolved);
        }
        resolved
    }
}
