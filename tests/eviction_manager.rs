//! The disk cases of upstream `pkg/kubelet/eviction/eviction_manager_test.go` (kubelet-eviction.md
//! §13.2–§13.8), one Rust test per Go test and one timeline step per upstream step, against the
//! stateful [`EvictionManager`]; plus the disk analogue of `TestMinReclaim` (§13.9),
//! `TestStaticCriticalPodsAreNotEvicted`, and a few cases the upstream suite leaves implicit
//! (detection retry, the split-but-gate-off aftermath, no GC for nodefs with a dedicated imagefs,
//! the deterministic threshold choice, soft grace with a pod TGPS).
//!
//! Fixtures follow §13.1: `makeDiskStats` gives each filesystem `CapacityBytes = 2 × available`
//! and no inode fields (containerfs defaults to the imagefs value); the fake environment's
//! `mockDiskGC` records which GC ran and optionally swaps the summary when either GC is called;
//! the "pod killer" is the returned [`SyncResult::evicted`]. Pods have UID = name, one container
//! named after the pod, no `terminationGracePeriodSeconds`.

use std::collections::BTreeMap;

use imagefs_sim::engine::{SimTime, NANOS_PER_SEC};
use imagefs_sim::kubelet::events::{EventType, KubeletEvent, ObjectRef};
use imagefs_sim::kubelet::eviction::helpers::{
    admit_pod, ContainerSpec, ContainerStats, EvictionPod, FsStats, FsUsage, NodeDiskSummary,
    PodStats, PodStatsMap, StorageMedium, VolumeSource, VolumeSpec, VolumeStats,
    SYSTEM_CRITICAL_PRIORITY,
};
use imagefs_sim::kubelet::eviction::manager::{
    Eviction, EvictionConfig, EvictionEnv, EvictionManager, SyncEnd, SyncResult, SyncTrace,
    SPLIT_FS_GATE_OFF_ERROR,
};
use imagefs_sim::kubelet::eviction::types::{
    DurationNs, NodeConditionType, Signal, Threshold, ThresholdValue,
};
use imagefs_sim::units::Quantity;

const SEC: SimTime = NANOS_PER_SEC;
const MIN: SimTime = 60 * SEC;
/// The fake clock's start: not zero, so that "never observed" and "observed at 0" differ.
const T0: SimTime = 1_000 * MIN;

const LOW_PRIORITY: i32 = -1;
const DEFAULT_PRIORITY: i32 = 0;
const HIGH_PRIORITY: i32 = 1;

const DISK_PRESSURE_REJECTION: &str = "The node had condition: [DiskPressure]. ";

// ---------------------------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------------------------

fn q(s: &str) -> Quantity {
    Quantity::parse(s).unwrap_or_else(|e| panic!("bad quantity {s:?}: {e:?}"))
}

/// `resource.MustParse(s).Value()` as an unsigned count; `""` is 0 (`parseQuantity`).
fn v(s: &str) -> u64 {
    if s.is_empty() {
        0
    } else {
        q(s).value() as u64
    }
}

fn qv(s: &str) -> ThresholdValue {
    ThresholdValue::Quantity(q(s))
}

fn hard(signal: Signal, value: &str) -> Threshold {
    Threshold::new(signal, qv(value), 0)
}

fn soft(signal: Signal, value: &str, grace: DurationNs) -> Threshold {
    Threshold::new(signal, qv(value), grace)
}

fn two_minutes() -> DurationNs {
    (2 * MIN) as DurationNs
}

/// `Config{MaxPodGracePeriodSeconds, PressureTransitionPeriod: 5m, Thresholds}` with the feature
/// gate set per case. The managers in the upstream tests are struct literals, so
/// `localStorageCapacityIsolation` is false unless a test sets it.
fn config(thresholds: Vec<Threshold>, max_grace: i64, gate: bool) -> EvictionConfig {
    let mut c = EvictionConfig::new(thresholds);
    c.pressure_transition_period = (5 * MIN) as DurationNs;
    c.max_pod_grace_period_seconds = max_grace;
    c.local_storage_capacity_isolation = false;
    c.kubelet_separate_disk_gc = gate;
    c
}

fn bytes_fs(available: &str) -> FsStats {
    let a = v(available);
    FsStats {
        available_bytes: Some(a),
        capacity_bytes: Some(2 * a),
        inodes_free: None,
        inodes: None,
        time: None,
    }
}

/// `makeDiskStats`: capacity is twice the available bytes; containerfs defaults to imagefs.
fn make_disk_stats(root: &str, image: &str, container: Option<&str>) -> NodeDiskSummary {
    NodeDiskSummary {
        node_fs: Some(bytes_fs(root)),
        image_fs: Some(bytes_fs(image)),
        container_fs: Some(bytes_fs(container.unwrap_or(image))),
    }
}

fn inodes_fs(free: &str, total: &str) -> FsStats {
    FsStats {
        available_bytes: None,
        capacity_bytes: None,
        inodes_free: Some(v(free)),
        inodes: Some(v(total)),
        time: None,
    }
}

/// `newPod` + `newContainer`: UID = name, the given priority, one container named after the
/// pod with the given ephemeral-storage request and limit (cpu and memory are not modelled).
fn new_pod(name: &str, priority: i32, request: &str, limit: &str) -> EvictionPod {
    let mut p = EvictionPod::new(name, name);
    p.priority = Some(priority);
    let mut c = ContainerSpec::new(name);
    c.ephemeral_storage_request = (!request.is_empty()).then(|| q(request));
    c.ephemeral_storage_limit = (!limit.is_empty()).then(|| q(limit));
    p.containers.push(c);
    p
}

fn with_empty_dir(mut p: EvictionPod, volume: &str, size_limit: &str) -> EvictionPod {
    p.volumes.push(VolumeSpec {
        name: volume.to_string(),
        source: VolumeSource::EmptyDir {
            medium: StorageMedium::Default,
            size_limit: Some(q(size_limit)),
        },
    });
    p
}

/// `newPodDiskStats`: every container uses `root` and `logs`; every **declared** local volume
/// uses `per_local_volume`. The pod total (`EphemeralStorage`) is the sum, as the Summary API
/// reports it.
fn new_pod_disk_stats(p: &EvictionPod, root: &str, logs: &str, per_local_volume: &str) -> PodStats {
    let (root, logs, vol) = (v(root), v(logs), v(per_local_volume));
    let containers: Vec<ContainerStats> = p
        .containers
        .iter()
        .map(|c| ContainerStats {
            name: c.name.clone(),
            rootfs: Some(FsUsage::bytes(root)),
            logs: Some(FsUsage::bytes(logs)),
        })
        .collect();
    let volumes: Vec<VolumeStats> = p
        .volumes
        .iter()
        .filter(|vs| vs.is_local())
        .map(|vs| VolumeStats {
            name: vs.name.clone(),
            used_bytes: Some(vol),
            inodes_used: None,
        })
        .collect();
    let total = containers.len() as u64 * (root + logs) + volumes.len() as u64 * vol;
    PodStats {
        containers,
        volumes,
        ephemeral_storage_used_bytes: Some(total),
    }
}

/// `newPodInodeStats`: inode counts only.
fn new_pod_inode_stats(p: &EvictionPod, root: &str, logs: &str) -> PodStats {
    PodStats {
        containers: p
            .containers
            .iter()
            .map(|c| ContainerStats {
                name: c.name.clone(),
                rootfs: Some(FsUsage {
                    used_bytes: None,
                    inodes_used: Some(v(root)),
                }),
                logs: Some(FsUsage {
                    used_bytes: None,
                    inodes_used: Some(v(logs)),
                }),
            })
            .collect(),
        volumes: Vec::new(),
        ephemeral_storage_used_bytes: None,
    }
}

/// The fake kubelet: `mockDiskInfoProvider`, `fakeSummaryProvider`, `activePodsFunc` and
/// `mockDiskGC` in one.
struct FakeEnv {
    dedicated_image_fs: Result<bool, String>,
    split_container_fs: bool,
    summary: NodeDiskSummary,
    /// When set, either GC function replaces `summary` with this (`mockDiskGC.summaryAfterGC`).
    summary_after_gc: Option<NodeDiskSummary>,
    pods: Vec<EvictionPod>,
    stats: PodStatsMap,
    image_gc_invoked: bool,
    container_gc_invoked: bool,
    detection_calls: usize,
}

impl FakeEnv {
    fn new(dedicated: bool, split: bool, summary: NodeDiskSummary) -> Self {
        FakeEnv {
            dedicated_image_fs: Ok(dedicated),
            split_container_fs: split,
            summary,
            summary_after_gc: None,
            pods: Vec::new(),
            stats: PodStatsMap::new(),
            image_gc_invoked: false,
            container_gc_invoked: false,
            detection_calls: 0,
        }
    }

    fn add_pod(&mut self, pod: EvictionPod, stats: PodStats) {
        self.stats.insert(pod.uid.clone(), stats);
        self.pods.push(pod);
    }

    fn reset_gc(&mut self) {
        self.image_gc_invoked = false;
        self.container_gc_invoked = false;
    }

    fn gc_swap(&mut self) {
        if let Some(s) = self.summary_after_gc {
            self.summary = s;
        }
    }
}

impl EvictionEnv for FakeEnv {
    fn summary(&mut self) -> Result<NodeDiskSummary, String> {
        Ok(self.summary)
    }
    fn pod_stats(&mut self) -> PodStatsMap {
        self.stats.clone()
    }
    fn active_pods(&self) -> Vec<EvictionPod> {
        self.pods.clone()
    }
    fn has_dedicated_image_fs(&mut self) -> Result<bool, String> {
        self.detection_calls += 1;
        self.dedicated_image_fs.clone()
    }
    fn has_split_container_fs(&mut self) -> bool {
        self.split_container_fs
    }
    fn delete_all_unused_containers(&mut self) -> Result<(), String> {
        self.container_gc_invoked = true;
        self.gc_swap();
        Ok(())
    }
    fn delete_unused_images(&mut self) -> Result<(), String> {
        self.image_gc_invoked = true;
        self.gc_swap();
        Ok(())
    }
}

/// The manager, its environment and the fake clock.
struct Harness {
    mgr: EvictionManager,
    env: FakeEnv,
    now: SimTime,
}

impl Harness {
    fn new(config: EvictionConfig, env: FakeEnv) -> Self {
        Harness {
            mgr: EvictionManager::new(config),
            env,
            now: T0,
        }
    }

    /// `fakeClock.Step(d)`.
    fn step(&mut self, d: SimTime) {
        self.now += d;
    }

    /// `manager.synchronize(...)`, which must not fail.
    fn sync(&mut self, at: &str) -> SyncResult {
        let r = self.mgr.synchronize(&mut self.env, self.now);
        assert_eq!(r.error, None, "{at}: unexpected error");
        r
    }

    fn assert_pressure(&self, want: bool, at: &str) {
        assert_eq!(
            self.mgr.is_under_disk_pressure(),
            want,
            "{at}: DiskPressure"
        );
        let want_conds: &[NodeConditionType] = if want {
            &[NodeConditionType::DiskPressure]
        } else {
            &[]
        };
        assert_eq!(self.mgr.node_conditions(), want_conds, "{at}: conditions");
    }

    fn assert_admit(&self, pod: &EvictionPod, want: bool, at: &str) {
        let r = self.mgr.admit(pod);
        assert_eq!(r.admit, want, "{at}: admit {}", pod.name);
        if want {
            assert_eq!((r.reason.as_str(), r.message.as_str()), ("", ""), "{at}");
        } else {
            assert_eq!(r.reason, "Evicted", "{at}");
            assert_eq!(r.message, DISK_PRESSURE_REJECTION, "{at}");
        }
    }
}

/// The single eviction of a sync.
fn only_eviction<'a>(r: &'a SyncResult, at: &str) -> &'a Eviction {
    assert_eq!(
        r.evicted.len(),
        1,
        "{at}: expected exactly one eviction, got {:?}",
        r.evicted
    );
    &r.evicted[0]
}

fn assert_no_eviction(r: &SyncResult, at: &str) {
    assert!(
        r.evicted.is_empty(),
        "{at}: unexpected eviction {:?}",
        r.evicted
    );
}

/// A threshold eviction of `name` with the given override and effective grace.
fn assert_killed(r: &SyncResult, name: &str, grace_override: i64, effective: i64, at: &str) {
    let e = only_eviction(r, at);
    assert_eq!(e.pod_name, name, "{at}: victim");
    assert_eq!(e.pod_uid, name, "{at}: victim uid");
    assert_eq!(
        e.grace_override_seconds, grace_override,
        "{at}: grace override"
    );
    assert_eq!(
        e.effective_grace_seconds, effective,
        "{at}: effective grace"
    );
    assert!(!e.limit_eviction, "{at}: threshold eviction expected");
}

fn evicted_event(pod: &str, message: &str) -> KubeletEvent {
    KubeletEvent::warning(
        "Evicted",
        ObjectRef::Pod(pod.to_string()),
        message.to_string(),
    )
}

fn threshold_met_event(resource: &str) -> KubeletEvent {
    KubeletEvent::warning(
        "EvictionThresholdMet",
        ObjectRef::Node,
        format!("Attempting to reclaim {resource}"),
    )
}

/// The five pods of `TestDiskPressureNodeFs` / `TestNodeReclaimFuncs` (§13.3): no
/// ephemeral-storage requests; pod 3's 400Mi volume usage counts 0 because it declares no volume.
fn five_disk_pods(env: &mut FakeEnv) {
    let pods = [
        (
            "low-priority-high-usage",
            LOW_PRIORITY,
            "900Mi",
            "",
            "400Mi",
        ),
        ("below-requests", DEFAULT_PRIORITY, "", "50Mi", ""),
        ("above-requests", DEFAULT_PRIORITY, "400Mi", "", ""),
        ("high-priority-high-usage", HIGH_PRIORITY, "", "", "400Mi"),
        ("low-priority-low-usage", LOW_PRIORITY, "100Mi", "", ""),
    ];
    for (name, prio, root, logs, vol) in pods {
        let p = new_pod(name, prio, "", "");
        let s = new_pod_disk_stats(&p, root, logs, vol);
        env.add_pod(p, s);
    }
}

/// Which filesystem a case puts under pressure (`inducePressureOnWhichFs`).
#[derive(Clone, Copy, Debug)]
enum Fs {
    Node,
    Image,
    Container,
}

/// `diskStats{root, image, container}` as a value that can be edited per filesystem.
#[derive(Clone, Copy)]
struct DiskStats {
    root: &'static str,
    image: &'static str,
    container: &'static str,
}

impl DiskStats {
    fn with(mut self, fs: Fs, available: &'static str) -> Self {
        match fs {
            Fs::Node => self.root = available,
            Fs::Image => self.image = available,
            Fs::Container => self.container = available,
        }
        self
    }
    fn make(self) -> NodeDiskSummary {
        make_disk_stats(self.root, self.image, Some(self.container))
    }
}

const DISK_16GI: DiskStats = DiskStats {
    root: "16Gi",
    image: "16Gi",
    container: "16Gi",
};

// ---------------------------------------------------------------------------------------------
// §13.2 TestDiskPressureNodeFs_VerifyPodStatus
// ---------------------------------------------------------------------------------------------

#[test]
fn test_disk_pressure_node_fs_verify_pod_status() {
    struct Case {
        name: &'static str,
        dedicated: bool,
        split: bool,
        gate: bool,
        stats: (&'static str, &'static str, &'static str),
        threshold: Threshold,
        above_requests: (&'static str, &'static str, &'static str),
        expect_err: Option<&'static str>,
        acted: Signal,
        message: &'static str,
        usage: &'static str,
        container_gc: bool,
        image_gc: bool,
    }
    let cases = [
        Case {
            name: "eviction due to disk pressure; no image fs",
            dedicated: false,
            split: false,
            gate: false,
            stats: ("1.5Gi", "10Gi", "10Gi"),
            threshold: hard(Signal::NodeFsAvailable, "2Gi"),
            above_requests: ("100Mi", "1Gi", "700Mi"),
            expect_err: None,
            acted: Signal::NodeFsAvailable,
            message: "The node was low on resource: ephemeral-storage. Threshold quantity: 2Gi, \
                      available: 1536Mi. Container above-requests was using 700Mi, request is \
                      100Mi, has larger consumption of ephemeral-storage. ",
            usage: "700Mi",
            container_gc: true,
            image_gc: true,
        },
        Case {
            name: "eviction due to image disk pressure; image fs",
            dedicated: true,
            split: false,
            gate: false,
            stats: ("1Gi", "10Gi", "10Gi"),
            threshold: hard(Signal::ImageFsAvailable, "50Gi"),
            above_requests: ("50Gi", "50Gi", "80Gi"),
            expect_err: None,
            acted: Signal::ImageFsAvailable,
            message: "The node was low on resource: ephemeral-storage. Threshold quantity: 50Gi, \
                      available: 10Gi. Container above-requests was using 80Gi, request is 50Gi, \
                      has larger consumption of ephemeral-storage. ",
            usage: "80Gi",
            container_gc: true,
            image_gc: true,
        },
        Case {
            name: "eviction due to container disk pressure; feature off; error; container fs",
            dedicated: true,
            split: true,
            gate: false,
            stats: ("1Gi", "100Gi", "10Gi"),
            threshold: hard(Signal::ContainerFsAvailable, "50Gi"),
            above_requests: ("50Gi", "50Gi", "80Gi"),
            expect_err: Some(
                "KubeletSeparateDiskGC is turned off but we still have a split filesystem",
            ),
            acted: Signal::ContainerFsAvailable,
            message: "",
            usage: "",
            container_gc: false,
            image_gc: false,
        },
        Case {
            name: "eviction due to container disk pressure; container fs",
            dedicated: true,
            split: true,
            gate: true,
            stats: ("10Gi", "100Gi", "10Gi"),
            threshold: hard(Signal::NodeFsAvailable, "50Gi"),
            above_requests: ("50Gi", "50Gi", "80Gi"),
            expect_err: None,
            acted: Signal::NodeFsAvailable,
            message: "The node was low on resource: ephemeral-storage. Threshold quantity: 50Gi, \
                      available: 10Gi. Container above-requests was using 80Gi, request is 50Gi, \
                      has larger consumption of ephemeral-storage. ",
            usage: "80Gi",
            // split: nodefs pressure runs container GC only (§3.4)
            container_gc: true,
            image_gc: false,
        },
    ];
    for c in cases {
        let at = c.name;
        let mut env = FakeEnv::new(
            c.dedicated,
            c.split,
            make_disk_stats(c.stats.0, c.stats.1, Some(c.stats.2)),
        );
        let below = new_pod("below-requests", DEFAULT_PRIORITY, "1Gi", "1Gi");
        let below_stats = new_pod_disk_stats(&below, "900Mi", "", "");
        env.add_pod(below, below_stats);
        let (req, lim, root) = c.above_requests;
        let above = new_pod("above-requests", DEFAULT_PRIORITY, req, lim);
        let above_stats = new_pod_disk_stats(&above, root, "", "");
        env.add_pod(above, above_stats);

        let mut h = Harness::new(config(vec![c.threshold.clone()], 0, c.gate), env);
        let r = h.mgr.synchronize(&mut h.env, h.now);
        if let Some(err) = c.expect_err {
            assert_eq!(r.error.as_deref(), Some(err), "{at}");
            assert_eq!(err, SPLIT_FS_GATE_OFF_ERROR);
            assert_no_eviction(&r, at);
            assert!(r.events.is_empty(), "{at}: {:?}", r.events);
            // The error ends the sync before any condition is computed.
            h.assert_pressure(false, at);
            continue;
        }
        assert_eq!(r.error, None, "{at}");
        h.assert_pressure(true, at);
        assert_eq!(r.acted_signal, Some(c.acted), "{at}");
        assert!(r.reclaimed_node_level, "{at}: GC should have run");
        assert_eq!(
            (h.env.container_gc_invoked, h.env.image_gc_invoked),
            (c.container_gc, c.image_gc),
            "{at}: (container GC, image GC)"
        );
        // Hard threshold, pod without TGPS: override 1, and pod_workers uses 1.
        assert_killed(&r, "above-requests", 1, 1, at);
        let e = &r.evicted[0];
        assert_eq!(
            e.message, c.message,
            "{at}: pod status / DisruptionTarget message"
        );
        assert_eq!(e.signal_label, c.acted.as_str(), "{at}");
        let want_annotations: BTreeMap<String, String> = [
            ("offending_containers", "above-requests"),
            ("offending_containers_usage", c.usage),
            ("starved_resource", "ephemeral-storage"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        assert_eq!(e.annotations, want_annotations, "{at}");
        assert_eq!(
            r.events,
            vec![
                threshold_met_event("ephemeral-storage"),
                evicted_event("above-requests", c.message)
            ],
            "{at}"
        );
        assert!(r.events.iter().all(|e| e.kind == EventType::Warning));
    }
}

// ---------------------------------------------------------------------------------------------
// §13.3 TestDiskPressureNodeFs (soft, then hard; three sub-tests)
// ---------------------------------------------------------------------------------------------

/// One sub-test of `TestDiskPressureNodeFs`.
struct SoftHardCase {
    name: &'static str,
    dedicated: bool,
    split: bool,
    gate: bool,
    /// The signal of the configured thresholds.
    signal: Signal,
    pressure_on: Fs,
    /// The signal acted on (the synthesised containerfs copy in the split case).
    acted: Signal,
    /// (container GC, image GC) expected whenever the manager acts.
    gc: (bool, bool),
}

fn run_disk_pressure_node_fs(c: SoftHardCase) {
    let mut env = FakeEnv::new(c.dedicated, c.split, DISK_16GI.make());
    five_disk_pods(&mut env);
    let thresholds = vec![hard(c.signal, "1Gi"), soft(c.signal, "2Gi", two_minutes())];
    let mut h = Harness::new(config(thresholds, 5, c.gate), env);
    let pod_to_admit = new_pod("pod-to-admit", DEFAULT_PRIORITY, "", "");
    let name = c.name;

    // t0: no pressure; the best-effort pod is admitted.
    let at = format!("{name} @t0");
    let r = h.sync(&at);
    h.assert_pressure(false, &at);
    assert_no_eviction(&r, &at);
    assert!(r.events.is_empty(), "{at}");
    h.assert_admit(&pod_to_admit, true, &at);
    // No threshold met: none observed (thresholdsFirstObservedAt is empty).
    assert!(!h.mgr.thresholds_observed(), "{at}");

    // t0+1m: soft threshold crossed: DiskPressure at once, but no kill before the grace period.
    h.step(MIN);
    let soft_stats = DISK_16GI.with(c.pressure_on, "1.5Gi");
    h.env.summary = soft_stats.make();
    let at = format!("{name} @t0+1m");
    let r = h.sync(&at);
    h.assert_pressure(true, &at);
    assert_no_eviction(&r, &at);
    assert_eq!(
        r.acted_signal, None,
        "{at}: nothing passed its grace period"
    );
    assert!(
        !r.reclaimed_node_level,
        "{at}: no GC before the grace period"
    );
    assert!(r.events.is_empty(), "{at}");
    // The soft threshold is met and remembered from now, though not yet acted on.
    assert!(h.mgr.thresholds_observed(), "{at}");

    // t0+4m: grace period passed: pods[0] is killed with MaxPodGracePeriodSeconds (5).
    h.step(3 * MIN);
    h.env.summary = soft_stats.make();
    let at = format!("{name} @t0+4m");
    let r = h.sync(&at);
    h.assert_pressure(true, &at);
    assert_killed(&r, "low-priority-high-usage", 5, 5, &at);
    assert_eq!(r.acted_signal, Some(c.acted), "{at}");
    assert_eq!(r.evicted[0].signal_label, c.acted.as_str(), "{at}");
    assert_eq!(
        (h.env.container_gc_invoked, h.env.image_gc_invoked),
        c.gc,
        "{at}: GC"
    );
    assert_eq!(
        r.events[0],
        threshold_met_event("ephemeral-storage"),
        "{at}"
    );
    h.env.reset_gc();

    // t0+24m: pressure removed, 20m > 5m since last seen: no DiskPressure.
    h.step(20 * MIN);
    h.env.summary = DISK_16GI.make();
    let at = format!("{name} @t0+24m");
    let r = h.sync(&at);
    h.assert_pressure(false, &at);
    assert_no_eviction(&r, &at);
    // Nothing met any more: the observed thresholds are forgotten.
    assert!(!h.mgr.thresholds_observed(), "{at}");

    // t0+25m: hard (and soft) threshold crossed: pods[0] killed with grace 1; admission rejected.
    h.step(MIN);
    h.env.summary = DISK_16GI.with(c.pressure_on, "750Mi").make();
    let at = format!("{name} @t0+25m");
    let r = h.sync(&at);
    h.assert_pressure(true, &at);
    assert_killed(&r, "low-priority-high-usage", 1, 1, &at);
    assert_eq!(r.acted_signal, Some(c.acted), "{at}");
    h.assert_admit(&pod_to_admit, false, &at);

    // t0+26m: pressure gone but within the transition period: still DiskPressure, no kill.
    h.step(MIN);
    h.env.summary = DISK_16GI.make();
    let at = format!("{name} @t0+26m");
    let r = h.sync(&at);
    h.assert_pressure(true, &at);
    assert_no_eviction(&r, &at);
    assert!(r.events.is_empty(), "{at}");
    h.assert_admit(&pod_to_admit, false, &at);

    // t0+31m: transition period over: no DiskPressure; admission succeeds.
    h.step(5 * MIN);
    h.env.summary = DISK_16GI.make();
    let at = format!("{name} @t0+31m");
    let r = h.sync(&at);
    h.assert_pressure(false, &at);
    assert_no_eviction(&r, &at);
    h.assert_admit(&pod_to_admit, true, &at);
}

#[test]
fn test_disk_pressure_node_fs_no_image_fs() {
    run_disk_pressure_node_fs(SoftHardCase {
        name: "eviction due to disk pressure; no image fs",
        dedicated: false,
        split: false,
        gate: false,
        signal: Signal::NodeFsAvailable,
        pressure_on: Fs::Node,
        acted: Signal::NodeFsAvailable,
        gc: (true, true),
    });
}

#[test]
fn test_disk_pressure_node_fs_image_fs() {
    run_disk_pressure_node_fs(SoftHardCase {
        name: "eviction due to image disk pressure; image fs",
        dedicated: true,
        split: false,
        gate: false,
        signal: Signal::ImageFsAvailable,
        pressure_on: Fs::Image,
        acted: Signal::ImageFsAvailable,
        gc: (true, true),
    });
}

#[test]
fn test_disk_pressure_node_fs_container_fs() {
    run_disk_pressure_node_fs(SoftHardCase {
        name: "eviction due to container disk pressure; container fs",
        dedicated: true,
        split: true,
        gate: true,
        signal: Signal::NodeFsAvailable,
        pressure_on: Fs::Container,
        // Only containerfs stats drop: the synthesised containerfs copy of the nodefs threshold
        // is the one met and acted on; its GC list is the nodefs one (container GC only).
        acted: Signal::ContainerFsAvailable,
        gc: (true, false),
    });
}

// ---------------------------------------------------------------------------------------------
// §13.4 TestNodeReclaimFuncs
// ---------------------------------------------------------------------------------------------

struct ReclaimCase {
    name: &'static str,
    dedicated: bool,
    split: bool,
    gate: bool,
    signal: Signal,
    pressure_on: Fs,
    expect_container_gc: bool,
    expect_image_gc: bool,
}

fn run_node_reclaim_funcs(c: ReclaimCase) {
    let threshold = hard(c.signal, "1Gi").with_min_reclaim(qv("500Mi"));
    let mut env = FakeEnv::new(c.dedicated, c.split, DISK_16GI.make());
    five_disk_pods(&mut env);
    let mut h = Harness::new(config(vec![threshold], 5, c.gate), env);
    let name = c.name;
    let want_gc = (c.expect_container_gc, c.expect_image_gc);
    let gc = |h: &Harness| (h.env.container_gc_invoked, h.env.image_gc_invoked);

    let at = format!("{name} @t0");
    let r = h.sync(&at);
    h.assert_pressure(false, &at);
    assert_no_eviction(&r, &at);

    // t0+1m: hard threshold crossed; GC brings the stats back to 16Gi: no pod killed.
    h.step(MIN);
    let hard_stats = DISK_16GI.with(c.pressure_on, "750Mi");
    h.env.summary = hard_stats.make();
    h.env.summary_after_gc = Some(DISK_16GI.make());
    let at = format!("{name} @t0+1m");
    let r = h.sync(&at);
    h.assert_pressure(true, &at);
    assert_eq!(gc(&h), want_gc, "{at}: (container GC, image GC)");
    assert!(r.reclaimed_node_level, "{at}");
    assert_eq!(r.acted_signal, Some(c.signal), "{at}");
    assert_no_eviction(&r, &at);
    assert_eq!(
        r.events,
        vec![threshold_met_event("ephemeral-storage")],
        "{at}"
    );
    h.env.reset_gc();

    // t0+21m: pressure gone, synced twice: no DiskPressure.
    h.step(20 * MIN);
    h.env.summary = DISK_16GI.make();
    for i in 0..2 {
        let at = format!("{name} @t0+21m #{i}");
        let r = h.sync(&at);
        h.assert_pressure(false, &at);
        assert_no_eviction(&r, &at);
        assert_eq!(gc(&h), (false, false), "{at}");
    }

    // t0+22m: hard threshold crossed; GC leaves 1.1G: above 1Gi, below 1Gi + 500Mi: a pod is
    // killed (min-reclaim not satisfied).
    h.step(MIN);
    h.env.summary = hard_stats.make();
    h.env.summary_after_gc = Some(hard_stats.with(c.pressure_on, "1.1G").make());
    let at = format!("{name} @t0+22m");
    let r = h.sync(&at);
    h.assert_pressure(true, &at);
    assert_eq!(gc(&h), want_gc, "{at}: (container GC, image GC)");
    assert_killed(&r, "low-priority-high-usage", 1, 1, &at);
    h.env.reset_gc();

    // t0+42m: pressure gone.
    h.step(20 * MIN);
    h.env.summary = DISK_16GI.make();
    let at = format!("{name} @t0+42m");
    let r = h.sync(&at);
    h.assert_pressure(false, &at);
    assert_no_eviction(&r, &at);
    assert_eq!(gc(&h), (false, false), "{at}");

    // t0+43m: hard threshold crossed; GC frees nothing: pods[0] killed with grace 1.
    h.step(MIN);
    h.env.summary = hard_stats.make();
    h.env.summary_after_gc = Some(hard_stats.make());
    let at = format!("{name} @t0+43m");
    let r = h.sync(&at);
    h.assert_pressure(true, &at);
    assert_eq!(gc(&h), want_gc, "{at}: (container GC, image GC)");
    assert_killed(&r, "low-priority-high-usage", 1, 1, &at);
    h.env.reset_gc();

    // t0+44m: resolved including min-reclaim: still DiskPressure (transition), but nothing is
    // acted on: no GC, no kill.
    h.step(MIN);
    h.env.summary = DISK_16GI.make();
    let at = format!("{name} @t0+44m");
    let r = h.sync(&at);
    h.assert_pressure(true, &at);
    assert_eq!(gc(&h), (false, false), "{at}: GC not needed");
    assert_no_eviction(&r, &at);
    assert!(r.events.is_empty(), "{at}");

    // t0+49m: transition period over.
    h.step(5 * MIN);
    h.env.summary = DISK_16GI.make();
    let at = format!("{name} @t0+49m");
    let r = h.sync(&at);
    h.assert_pressure(false, &at);
    assert_eq!(gc(&h), (false, false), "{at}: GC not needed");
    assert_no_eviction(&r, &at);
}

#[test]
fn test_node_reclaim_funcs() {
    let cases = [
        ReclaimCase {
            name: "eviction due to disk pressure; no image fs",
            dedicated: false,
            split: false,
            gate: false,
            signal: Signal::NodeFsAvailable,
            pressure_on: Fs::Node,
            expect_container_gc: true,
            expect_image_gc: true,
        },
        ReclaimCase {
            name: "eviction due to image disk pressure; image fs",
            dedicated: true,
            split: false,
            gate: false,
            signal: Signal::ImageFsAvailable,
            pressure_on: Fs::Image,
            expect_container_gc: true,
            expect_image_gc: true,
        },
        ReclaimCase {
            name: "eviction due to container disk pressure; container fs",
            dedicated: true,
            split: true,
            gate: true,
            signal: Signal::NodeFsAvailable,
            pressure_on: Fs::Node,
            expect_container_gc: true,
            expect_image_gc: false,
        },
        ReclaimCase {
            name: "eviction due to image disk pressure; container fs",
            dedicated: true,
            split: true,
            gate: true,
            signal: Signal::ImageFsAvailable,
            pressure_on: Fs::Image,
            expect_container_gc: false,
            expect_image_gc: true,
        },
    ];
    for c in cases {
        run_node_reclaim_funcs(c);
    }
}

// ---------------------------------------------------------------------------------------------
// §13.5 TestInodePressureFsInodes
// ---------------------------------------------------------------------------------------------

fn inode_summary(node: &str, image: &str, container: &str) -> NodeDiskSummary {
    NodeDiskSummary {
        node_fs: Some(inodes_fs(node, "4Mi")),
        image_fs: Some(inodes_fs(image, "4Mi")),
        container_fs: Some(inodes_fs(container, "4Mi")),
    }
}

fn inode_summary_with(fs: Fs, free: &str) -> NodeDiskSummary {
    match fs {
        Fs::Node => inode_summary(free, "3Mi", "3Mi"),
        Fs::Image => inode_summary("3Mi", free, "3Mi"),
        Fs::Container => inode_summary("3Mi", "3Mi", free),
    }
}

fn run_inode_pressure(
    name: &str,
    dedicated: bool,
    split: bool,
    gate: bool,
    signal: Signal,
    on: Fs,
) {
    let mut env = FakeEnv::new(dedicated, split, inode_summary("3Mi", "3Mi", "3Mi"));
    let pods = [
        ("low-priority-high-usage", LOW_PRIORITY, "900Mi"),
        ("below-requests", DEFAULT_PRIORITY, "50Mi"),
        ("above-requests", DEFAULT_PRIORITY, "400Mi"),
        ("high-priority-high-usage", HIGH_PRIORITY, "400Mi"),
        ("low-priority-low-usage", LOW_PRIORITY, "100Mi"),
    ];
    for (n, prio, root_inodes) in pods {
        let p = new_pod(n, prio, "", "");
        let s = new_pod_inode_stats(&p, root_inodes, "");
        env.add_pod(p, s);
    }
    let thresholds = vec![hard(signal, "1Mi"), soft(signal, "2Mi", two_minutes())];
    let mut h = Harness::new(config(thresholds, 5, gate), env);
    let pod_to_admit = new_pod("pod-to-admit", DEFAULT_PRIORITY, "", "");

    let at = format!("{name} @t0");
    let r = h.sync(&at);
    h.assert_pressure(false, &at);
    assert_no_eviction(&r, &at);
    h.assert_admit(&pod_to_admit, true, &at);

    h.step(MIN);
    h.env.summary = inode_summary_with(on, "1.5Mi");
    let at = format!("{name} @t0+1m");
    let r = h.sync(&at);
    h.assert_pressure(true, &at);
    assert_no_eviction(&r, &at);

    h.step(3 * MIN);
    let at = format!("{name} @t0+4m");
    let r = h.sync(&at);
    h.assert_pressure(true, &at);
    assert_killed(&r, "low-priority-high-usage", 5, 5, &at);
    assert_eq!(r.acted_signal, Some(signal), "{at}");
    // Inodes: counts printed in DecimalSI, never a container part (§10).
    assert_eq!(
        r.evicted[0].message,
        "The node was low on resource: inodes. Threshold quantity: 2Mi, available: 1572864. ",
        "{at}"
    );
    assert_eq!(r.events[0], threshold_met_event("inodes"), "{at}");

    h.step(20 * MIN);
    h.env.summary = inode_summary("3Mi", "3Mi", "3Mi");
    let at = format!("{name} @t0+24m");
    let r = h.sync(&at);
    h.assert_pressure(false, &at);
    assert_no_eviction(&r, &at);

    h.step(MIN);
    h.env.summary = inode_summary_with(on, "0.5Mi");
    let at = format!("{name} @t0+25m");
    let r = h.sync(&at);
    h.assert_pressure(true, &at);
    assert_killed(&r, "low-priority-high-usage", 1, 1, &at);
    assert_eq!(
        r.evicted[0].message,
        "The node was low on resource: inodes. Threshold quantity: 1Mi, available: 524288. ",
        "{at}"
    );
    h.assert_admit(&pod_to_admit, false, &at);

    h.step(MIN);
    h.env.summary = inode_summary("3Mi", "3Mi", "3Mi");
    let at = format!("{name} @t0+26m");
    let r = h.sync(&at);
    h.assert_pressure(true, &at);
    assert_no_eviction(&r, &at);
    h.assert_admit(&pod_to_admit, false, &at);

    h.step(5 * MIN);
    let at = format!("{name} @t0+31m");
    let r = h.sync(&at);
    h.assert_pressure(false, &at);
    assert_no_eviction(&r, &at);
    h.assert_admit(&pod_to_admit, true, &at);
}

#[test]
fn test_inode_pressure_fs_inodes() {
    run_inode_pressure(
        "eviction due to disk pressure; no image fs",
        false,
        false,
        false,
        Signal::NodeFsInodesFree,
        Fs::Node,
    );
    run_inode_pressure(
        "eviction due to image disk pressure; image fs",
        true,
        false,
        false,
        Signal::ImageFsInodesFree,
        Fs::Image,
    );
    run_inode_pressure(
        "eviction due to container disk pressure; container fs",
        true,
        true,
        true,
        Signal::NodeFsInodesFree,
        Fs::Node,
    );
}

// ---------------------------------------------------------------------------------------------
// §13.6 TestAdmitUnderNodeConditions
// ---------------------------------------------------------------------------------------------

#[test]
fn test_admit_under_node_conditions() {
    // (pod, is BestEffort): guaranteed, burstable, best-effort, all at priority 0.
    let pods = [
        (new_pod("guaranteed-pod", 0, "", ""), false),
        (new_pod("burstable-pod", 0, "", ""), false),
        (new_pod("best-effort-pod", 0, "", ""), true),
    ];
    let admitted = |mgr: &EvictionManager| -> Vec<bool> {
        pods.iter()
            .map(|(p, be)| mgr.admit_with_qos(p, *be, false).admit)
            .collect()
    };

    // No conditions (a fresh manager): everything is admitted.
    let mut env = FakeEnv::new(false, false, make_disk_stats("16Gi", "16Gi", None));
    let mut mgr = EvictionManager::new(config(vec![hard(Signal::NodeFsAvailable, "1Gi")], 0, true));
    assert_eq!(admitted(&mgr), vec![true, true, true]);

    // [MemoryPressure] and [MemoryPressure, DiskPressure]: a disk-only manager never observes
    // memory, so these rows go through the very function the manager's Admit calls.
    use NodeConditionType::*;
    let row = |conds: &[NodeConditionType]| -> Vec<bool> {
        pods.iter()
            .map(|(p, be)| admit_pod(conds, p.is_critical(), *be, false).admit)
            .collect()
    };
    assert_eq!(row(&[MemoryPressure]), vec![true, true, false]);
    assert_eq!(
        row(&[MemoryPressure, DiskPressure]),
        vec![false, false, false]
    );
    let r = admit_pod(&[MemoryPressure, DiskPressure], false, false, false);
    assert_eq!(r.reason, "Evicted");
    assert_eq!(
        r.message,
        "The node had condition: [MemoryPressure DiskPressure]. "
    );

    // [DiskPressure] reached through the manager: every non-critical pod is rejected, whatever
    // its QoS or tolerations; a critical pod is admitted.
    env.summary = make_disk_stats("500Mi", "16Gi", None);
    let r = mgr.synchronize(&mut env, T0);
    assert_eq!(r.error, None);
    assert_eq!(mgr.node_conditions(), &[DiskPressure]);
    assert_eq!(admitted(&mgr), vec![false, false, false]);
    let (be, _) = &pods[2];
    let r = mgr.admit_with_qos(be, true, true);
    assert_eq!(
        (r.admit, r.reason.as_str(), r.message.as_str()),
        (false, "Evicted", DISK_PRESSURE_REJECTION)
    );
    let mut critical = new_pod("critical", SYSTEM_CRITICAL_PRIORITY, "", "");
    assert!(mgr.admit(&critical).admit);
    critical.priority = None;
    critical.is_mirror = true;
    assert!(mgr.admit(&critical).admit);
}

// ---------------------------------------------------------------------------------------------
// §13.7 TestStorageLimitEvictions
// ---------------------------------------------------------------------------------------------

#[test]
fn test_storage_limit_evictions() {
    // (name, pod, rootfs, logs, volume, expected message, expected metric label). The fixture
    // reports the pod total (EphemeralStorage) as the sum of its parts, so for the rootfs and
    // logs cases the pod-level rule (checked before the container rule, §9) fires.
    let cases = [
        (
            "eviction due to rootfs above limit",
            new_pod("rootfs-above-limits", DEFAULT_PRIORITY, "1Gi", "1Gi"),
            "2Gi",
            "",
            "",
            "Pod ephemeral local storage usage exceeds the total limit of containers 1Gi. ",
            "ephemeralpodfs.limit",
        ),
        (
            "eviction due to logsfs above limit",
            new_pod("logsfs-above-limits", DEFAULT_PRIORITY, "1Gi", "1Gi"),
            "",
            "2Gi",
            "",
            "Pod ephemeral local storage usage exceeds the total limit of containers 1Gi. ",
            "ephemeralpodfs.limit",
        ),
        (
            "eviction due to local volume above limit",
            with_empty_dir(
                new_pod("localvolume-above-limits", DEFAULT_PRIORITY, "", ""),
                "emptyDirVolume",
                "1Gi",
            ),
            "",
            "",
            "2Gi",
            "Usage of EmptyDir volume \"emptyDirVolume\" exceeds the limit \"1Gi\". ",
            "emptydirfs.limit",
        ),
    ];
    for (at, pod, root, logs, vol, message, label) in cases {
        let mut env = FakeEnv::new(false, false, make_disk_stats("200Mi", "200Mi", None));
        let stats = new_pod_disk_stats(&pod, root, logs, vol);
        let name = pod.name.clone();
        env.add_pod(pod, stats);
        let mut cfg = config(vec![hard(Signal::NodeFsAvailable, "1Gi")], 5, true);
        cfg.local_storage_capacity_isolation = true;
        let mut h = Harness::new(cfg, env);
        let r = h.sync(at);
        let e = only_eviction(&r, at);
        assert_eq!(e.pod_name, name, "{at}");
        assert_eq!(e.grace_override_seconds, 1, "{at}");
        assert_eq!(e.effective_grace_seconds, 1, "{at}");
        assert!(e.limit_eviction, "{at}: limit path");
        assert_eq!(e.message, message, "{at}");
        assert_eq!(e.signal_label, label, "{at}");
        assert!(e.annotations.is_empty(), "{at}");
        // The limit path ends the sync before the (also met) nodefs threshold is acted on, but
        // after the conditions were computed.
        assert_eq!(r.events, vec![evicted_event(&name, message)], "{at}");
        assert_eq!(r.acted_signal, None, "{at}");
        assert!(!r.reclaimed_node_level, "{at}");
        h.assert_pressure(true, at);
    }

    // The container rule: with only the container's own usage over its limit (the pod total not
    // reported), the same pod is evicted by `ephemeralcontainerfs.limit`.
    let mut env = FakeEnv::new(false, false, make_disk_stats("200Mi", "200Mi", None));
    let pod = new_pod("rootfs-above-limits", DEFAULT_PRIORITY, "1Gi", "1Gi");
    let mut stats = new_pod_disk_stats(&pod, "2Gi", "", "");
    stats.ephemeral_storage_used_bytes = None;
    env.add_pod(pod, stats);
    let mut cfg = config(vec![hard(Signal::NodeFsAvailable, "1Gi")], 5, true);
    cfg.local_storage_capacity_isolation = true;
    let mut h = Harness::new(cfg, env);
    let r = h.sync("container rule");
    let e = only_eviction(&r, "container rule");
    assert_eq!(
        (
            e.message.as_str(),
            e.signal_label.as_str(),
            e.grace_override_seconds
        ),
        (
            "Container rootfs-above-limits exceeded its local ephemeral storage limit \"1Gi\". ",
            "ephemeralcontainerfs.limit",
            1
        )
    );
}

// ---------------------------------------------------------------------------------------------
// §13.8 TestManagerWithLocalStorageCapacityIsolationOpen
// ---------------------------------------------------------------------------------------------

#[test]
fn test_manager_with_local_storage_capacity_isolation_open() {
    let mut env = FakeEnv::new(false, false, make_disk_stats("1Gi", "200Mi", None));
    // "empty-dir": memory request 900Mi ⇒ an emptyDir `local-volume` with sizeLimit 900Mi,
    // used 1800Mi.
    let empty_dir = with_empty_dir(new_pod("empty-dir", 0, "", ""), "local-volume", "900Mi");
    let s = new_pod_disk_stats(&empty_dir, "", "", "1800Mi");
    env.add_pod(empty_dir, s);
    // Container rule: pod total 800Mi is not over 800Mi; logs + rootfs 1600Mi is.
    let container = with_empty_dir(
        new_pod("container-ephemeral-storage-limit", 0, "900Mi", "800Mi"),
        "local-volume",
        "0",
    );
    let mut s = new_pod_disk_stats(&container, "800Mi", "800Mi", "");
    s.ephemeral_storage_used_bytes = Some(v("800Mi"));
    env.add_pod(container, s);
    // Pod rule: pod total 1600Mi over the 800Mi limit.
    let pod_limit = with_empty_dir(
        new_pod("pod-ephemeral-storage-limit", 0, "1Gi", "800Mi"),
        "local-volume",
        "0",
    );
    let mut s = new_pod_disk_stats(&pod_limit, "800Mi", "800Mi", "");
    s.ephemeral_storage_used_bytes = Some(v("1600Mi"));
    env.add_pod(pod_limit, s);

    let mut cfg = config(
        vec![hard(Signal::AllocatableMemoryAvailable, "1Gi")],
        5,
        true,
    );
    cfg.local_storage_capacity_isolation = true;
    let mut h = Harness::new(cfg, env);
    let r = h.sync("isolation open");
    let got: Vec<(&str, &str, &str, i64, bool)> = r
        .evicted
        .iter()
        .map(|e| {
            (
                e.pod_name.as_str(),
                e.message.as_str(),
                e.signal_label.as_str(),
                e.grace_override_seconds,
                e.limit_eviction,
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (
                "empty-dir",
                "Usage of EmptyDir volume \"local-volume\" exceeds the limit \"900Mi\". ",
                "emptydirfs.limit",
                1,
                true
            ),
            (
                "container-ephemeral-storage-limit",
                "Container container-ephemeral-storage-limit exceeded its local ephemeral \
                 storage limit \"800Mi\". ",
                "ephemeralcontainerfs.limit",
                1,
                true
            ),
            (
                "pod-ephemeral-storage-limit",
                "Pod ephemeral local storage usage exceeds the total limit of containers 800Mi. ",
                "ephemeralpodfs.limit",
                1,
                true
            ),
        ]
    );
    assert!(r.wait_for_cleanup());
    assert_eq!(r.events.len(), 3);
    // The allocatable-memory threshold is never observed: no pressure.
    h.assert_pressure(false, "isolation open");
}

// ---------------------------------------------------------------------------------------------
// §13.9 TestMinReclaim (disk analogue) and TestStaticCriticalPodsAreNotEvicted
// ---------------------------------------------------------------------------------------------

#[test]
fn test_min_reclaim() {
    let threshold = hard(Signal::NodeFsAvailable, "1Gi").with_min_reclaim(qv("500Mi"));
    let mut env = FakeEnv::new(false, false, make_disk_stats("2Gi", "16Gi", Some("16Gi")));
    five_disk_pods(&mut env);
    let mut h = Harness::new(config(vec![threshold], 5, true), env);
    let nodefs = |avail: &'static str| make_disk_stats(avail, "16Gi", Some("16Gi"));

    let r = h.sync("t0");
    h.assert_pressure(false, "t0");
    assert_no_eviction(&r, "t0");

    // 500Mi: below the threshold; GC frees nothing: kill pods[0] with grace 1.
    h.step(MIN);
    h.env.summary = nodefs("500Mi");
    let r = h.sync("t0+1m");
    h.assert_pressure(true, "t0+1m");
    assert_killed(&r, "low-priority-high-usage", 1, 1, "t0+1m");

    // 1.2Gi: above the threshold but below threshold + min-reclaim (1.5Gi): the carried-over
    // threshold is still acted on: kill again.
    h.step(MIN);
    h.env.summary = nodefs("1.2Gi");
    let r = h.sync("t0+2m");
    h.assert_pressure(true, "t0+2m");
    assert_eq!(r.acted_signal, Some(Signal::NodeFsAvailable), "t0+2m");
    assert_killed(&r, "low-priority-high-usage", 1, 1, "t0+2m");
    // The message reports the threshold and the current observation.
    assert_eq!(
        r.evicted[0].message,
        "The node was low on resource: ephemeral-storage. Threshold quantity: 1Gi, available: \
         1288490189. Container low-priority-high-usage was using 900Mi, request is 0, has larger \
         consumption of ephemeral-storage. "
    );

    // 2Gi: min-reclaim satisfied: no kill, still DiskPressure (transition period).
    h.step(MIN);
    h.env.summary = nodefs("2Gi");
    let r = h.sync("t0+3m");
    h.assert_pressure(true, "t0+3m");
    assert_no_eviction(&r, "t0+3m");
    assert_eq!(r.acted_signal, None, "t0+3m");

    // +5m: no pressure.
    h.step(5 * MIN);
    let r = h.sync("t0+8m");
    h.assert_pressure(false, "t0+8m");
    assert_no_eviction(&r, "t0+8m");
}

#[test]
fn test_static_critical_pods_are_not_evicted() {
    let mut env = FakeEnv::new(false, false, make_disk_stats("3Gi", "16Gi", Some("16Gi")));
    let mut critical = new_pod("critical", SYSTEM_CRITICAL_PRIORITY, "", "");
    critical.is_static = true; // kubernetes.io/config.source: file
    let stats = new_pod_disk_stats(&critical, "800Mi", "", "");
    env.add_pod(critical, stats);
    let thresholds = vec![
        hard(Signal::NodeFsAvailable, "1Gi"),
        soft(Signal::NodeFsAvailable, "2Gi", two_minutes()),
    ];
    let mut h = Harness::new(config(thresholds, 5, true), env);
    let nodefs = |avail: &'static str| make_disk_stats(avail, "16Gi", Some("16Gi"));

    h.step(MIN);
    h.env.summary = nodefs("1500Mi");
    let r = h.sync("t0+1m");
    h.assert_pressure(true, "t0+1m");
    assert_no_eviction(&r, "t0+1m");

    h.step(3 * MIN);
    let r = h.sync("t0+4m");
    h.assert_pressure(true, "t0+4m");
    assert_eq!(r.acted_signal, Some(Signal::NodeFsAvailable));
    assert_no_eviction(&r, "t0+4m: the critical pod must be skipped");
    assert_eq!(
        r.warnings.last().map(String::as_str),
        Some("Eviction manager: unable to evict any pods from the node")
    );
    assert!(!r.wait_for_cleanup());

    h.step(20 * MIN);
    h.env.summary = nodefs("3Gi");
    let r = h.sync("t0+24m");
    h.assert_pressure(false, "t0+24m");
    assert_no_eviction(&r, "t0+24m");

    // Still static (file source) with no priority: still critical, still not evicted.
    h.env.pods[0].priority = None;
    h.step(MIN);
    h.env.summary = nodefs("500Mi");
    let r = h.sync("t0+25m");
    h.assert_pressure(true, "t0+25m");
    assert_no_eviction(&r, "t0+25m");
}

// ---------------------------------------------------------------------------------------------
// Behaviour the upstream suite leaves implicit
// ---------------------------------------------------------------------------------------------

/// §3.1: a HasDedicatedImageFs error fails the sync and detection is retried; once it succeeds
/// it is cached and never asked again.
#[test]
fn test_detection_retried_until_it_succeeds_then_cached() {
    let mut env = FakeEnv::new(false, false, make_disk_stats("500Mi", "16Gi", None));
    env.dedicated_image_fs = Err("cadvisor not ready".to_string());
    five_disk_pods(&mut env);
    let mut mgr = EvictionManager::new(config(vec![hard(Signal::NodeFsAvailable, "1Gi")], 0, true));
    let r = mgr.synchronize(&mut env, T0);
    assert_eq!(
        r.error.as_deref(),
        Some("eviction manager: failed to get HasDedicatedImageFs: cadvisor not ready")
    );
    assert!(!r.wait_for_cleanup());
    assert_no_eviction(&r, "detection error");
    assert_eq!(mgr.dedicated_image_fs(), None);
    assert!(!mgr.is_under_disk_pressure());

    env.dedicated_image_fs = Ok(false);
    let r = mgr.synchronize(&mut env, T0 + 10 * SEC);
    assert_eq!(r.error, None);
    assert_eq!(mgr.dedicated_image_fs(), Some(false));
    assert_eq!(mgr.split_container_image_fs(), Some(false));
    assert!(r.wait_for_cleanup());
    // Four containerfs thresholds were synthesised from the nodefs ones (§3.2).
    let signals: Vec<Signal> = mgr.thresholds().iter().map(|t| t.signal).collect();
    assert_eq!(
        signals,
        vec![
            Signal::NodeFsAvailable,
            Signal::ContainerFsAvailable,
            Signal::ContainerFsAvailable,
            Signal::ContainerFsInodesFree,
            Signal::ContainerFsInodesFree,
        ]
    );

    env.dedicated_image_fs = Ok(true); // ignored: never re-evaluated
    mgr.synchronize(&mut env, T0 + 50 * SEC);
    assert_eq!(env.detection_calls, 2);
    assert_eq!(mgr.dedicated_image_fs(), Some(false));
}

/// §3.1, resolved from source: after the split-but-gate-off error the tables are never built.
/// Later syncs report DiskPressure and emit `EvictionThresholdMet`, run no GC, evict nothing for a
/// threshold ("no ranking function").
#[test]
fn test_split_fs_gate_off_never_evicts_for_thresholds() {
    let mut env = FakeEnv::new(true, true, make_disk_stats("500Mi", "16Gi", Some("16Gi")));
    five_disk_pods(&mut env);
    let mut h = Harness::new(
        config(vec![hard(Signal::NodeFsAvailable, "1Gi")], 0, false),
        env,
    );
    let r = h.mgr.synchronize(&mut h.env, h.now);
    assert_eq!(r.error.as_deref(), Some(SPLIT_FS_GATE_OFF_ERROR));
    assert_eq!(h.mgr.dedicated_image_fs(), Some(true));
    assert_eq!(h.mgr.split_container_image_fs(), None);
    assert_eq!(h.mgr.thresholds().len(), 1, "containerfs never synthesised");

    h.step(10 * SEC);
    let r = h.sync("after gate error");
    h.assert_pressure(true, "after gate error");
    assert_eq!(r.acted_signal, Some(Signal::NodeFsAvailable));
    assert_eq!(r.events, vec![threshold_met_event("ephemeral-storage")]);
    assert!(!r.reclaimed_node_level);
    assert_eq!(
        (h.env.container_gc_invoked, h.env.image_gc_invoked),
        (false, false)
    );
    assert_no_eviction(&r, "after gate error");
    assert_eq!(
        r.warnings,
        vec!["Eviction manager: no ranking function for signal nodefs.available".to_string()]
    );
    assert_eq!(h.env.detection_calls, 1);
}

/// §3.4: with a dedicated imagefs, nodefs pressure runs no GC and goes straight to eviction,
/// ranking by logs and local volumes only (writable layers live on the imagefs).
#[test]
fn test_nodefs_pressure_with_dedicated_imagefs_skips_gc() {
    let mut env = FakeEnv::new(true, false, make_disk_stats("500Mi", "16Gi", None));
    five_disk_pods(&mut env);
    let mut h = Harness::new(
        config(vec![hard(Signal::NodeFsAvailable, "1Gi")], 0, true),
        env,
    );
    let r = h.sync("nodefs, dedicated imagefs");
    h.assert_pressure(true, "nodefs, dedicated imagefs");
    assert!(!r.reclaimed_node_level);
    assert_eq!(
        (h.env.container_gc_invoked, h.env.image_gc_invoked),
        (false, false)
    );
    // Ranked on logs + local volumes only: below-requests (logs 50Mi) is the only pod whose usage
    // exceeds its (zero) request, so it goes first although pods[0] has the largest writable
    // layer.
    assert_killed(&r, "below-requests", 1, 1, "nodefs, dedicated imagefs");
}

/// The deterministic choice among several thresholds past grace (module docs of `manager`):
/// configuration order, i.e. hard before soft and imagefs before nodefs.
#[test]
fn test_threshold_choice_is_configuration_order() {
    // imagefs and nodefs both under their hard thresholds on a single-fs node.
    let mut env = FakeEnv::new(false, false, make_disk_stats("500Mi", "600Mi", None));
    five_disk_pods(&mut env);
    let thresholds = vec![
        hard(Signal::ImageFsAvailable, "1Gi"),
        hard(Signal::NodeFsAvailable, "1Gi"),
        soft(Signal::NodeFsAvailable, "2Gi", two_minutes()),
    ];
    let mut h = Harness::new(config(thresholds, 5, true), env);
    let r = h.sync("both hard");
    assert_eq!(r.acted_signal, Some(Signal::ImageFsAvailable));
    let e = only_eviction(&r, "both hard");
    assert_eq!(e.signal_label, "imagefs.available");
    // The message quotes the first ephemeral-storage threshold of the act list: imagefs.
    assert!(
        e.message.starts_with(
            "The node was low on resource: ephemeral-storage. Threshold quantity: 1Gi, \
             available: 600Mi. "
        ),
        "{}",
        e.message
    );

    // Only nodefs now, hard and soft both past grace: the hard one is acted on (grace 1).
    h.step(3 * MIN);
    h.env.summary = make_disk_stats("500Mi", "16Gi", None);
    let r = h.sync("hard and soft");
    assert_eq!(r.acted_signal, Some(Signal::NodeFsAvailable));
    assert_killed(&r, "low-priority-high-usage", 1, 1, "hard and soft");
}

/// §8: a soft eviction's override is min(evictionMaxPodGracePeriod, TGPS) with the
/// AllowOverwriteTerminationGracePeriodSeconds gate off; the pod gets its TGPS when the override
/// is 0; with the gate on the override is the max, whatever the TGPS.
#[test]
fn test_soft_eviction_grace_with_pod_termination_grace_period() {
    // (max, gate, TGPS) → (override, effective)
    let cases: [(i64, bool, Option<i64>, i64, i64); 5] = [
        (0, false, Some(30), 0, 30),
        (60, false, Some(30), 30, 30),
        (10, false, Some(30), 10, 10),
        (60, true, Some(30), 60, 60),
        (0, false, None, 0, 1),
    ];
    for (max, gate, tgps, want_override, want_effective) in cases {
        let at = format!("max={max} gate={gate} tgps={tgps:?}");
        let mut env = FakeEnv::new(false, false, make_disk_stats("1500Mi", "16Gi", None));
        let mut p = new_pod("victim", 0, "", "");
        p.termination_grace_period_seconds = tgps;
        let s = new_pod_disk_stats(&p, "100Mi", "", "");
        env.add_pod(p, s);
        let mut cfg = config(
            vec![soft(Signal::NodeFsAvailable, "2Gi", two_minutes())],
            max,
            true,
        );
        cfg.allow_overwrite_termination_grace_period_seconds = gate;
        let mut h = Harness::new(cfg, env);
        let r = h.sync(&at);
        assert_no_eviction(&r, &at);
        h.step(2 * MIN); // exactly the grace period: `>=` passes
        let r = h.sync(&at);
        assert_killed(&r, "victim", want_override, want_effective, &at);
    }
}

/// A node without thresholds and without local storage capacity isolation does nothing, not even
/// detection (§4 step 1).
#[test]
fn test_no_thresholds_no_work() {
    let mut env = FakeEnv::new(false, false, make_disk_stats("1Mi", "1Mi", None));
    five_disk_pods(&mut env);
    let mut mgr = EvictionManager::new(config(Vec::new(), 0, true));
    let r = mgr.synchronize(&mut env, T0);
    assert_eq!(r, SyncResult::default());
    assert_eq!(env.detection_calls, 0);
}

/// §4 step 10: a threshold whose stats are no newer than at the previous sync is not acted on
/// (conditions are still reported). A no-op when stats carry no time or a fresh one each sync.
#[test]
fn test_stale_stats_are_not_acted_on() {
    let mut summary = make_disk_stats("500Mi", "16Gi", None);
    summary.node_fs.as_mut().unwrap().time = Some(T0);
    let mut env = FakeEnv::new(false, false, summary);
    five_disk_pods(&mut env);
    let mut h = Harness::new(
        config(vec![hard(Signal::NodeFsAvailable, "1Gi")], 0, true),
        env,
    );
    let r = h.sync("fresh stats");
    assert_killed(&r, "low-priority-high-usage", 1, 1, "fresh stats");

    // Same stats time 30 s later: DiskPressure, but nothing acted on.
    h.step(30 * SEC);
    let r = h.sync("stale stats");
    h.assert_pressure(true, "stale stats");
    assert_eq!(r.acted_signal, None);
    assert!(r.events.is_empty());
    assert_no_eviction(&r, "stale stats");

    // Newer stats: acted on again.
    h.step(10 * SEC);
    h.env.summary.node_fs.as_mut().unwrap().time = Some(h.now);
    let r = h.sync("refreshed stats");
    assert_killed(&r, "low-priority-high-usage", 1, 1, "refreshed stats");
}

/// `explain`'s trace of a sync (ours): the same result as an untraced sync, and each step's
/// view. Hard imagefs < 1Gi, soft nodefs < 2Gi with 2 m grace; nodefs shows 1.5Gi available
/// (soft met), imagefs 3Gi (not met). Sync 1 at T0: met, first observed T0, grace not passed →
/// DiskPressure reported, nothing acted on. Sync 2 two minutes later: grace passed, nodefs acted
/// on; a single filesystem reclaims with container GC then image GC, which free nothing, so
/// the pods are ranked: both use more than they request (500Mi > 0, 1Gi > 100Mi), so lower
/// priority first: `low` is evicted.
#[test]
fn a_traced_sync_records_each_step_and_decides_the_same() {
    let cfg = config(
        vec![
            hard(Signal::ImageFsAvailable, "1Gi"),
            soft(Signal::NodeFsAvailable, "2Gi", two_minutes()),
        ],
        0,
        true,
    );
    let env = || {
        let mut e = FakeEnv::new(false, false, make_disk_stats("1.5Gi", "3Gi", None));
        let low = new_pod("low", LOW_PRIORITY, "", "");
        let s = new_pod_disk_stats(&low, "500Mi", "", "");
        e.add_pod(low, s);
        let high = new_pod("high", HIGH_PRIORITY, "100Mi", "");
        let s = new_pod_disk_stats(&high, "1Gi", "", "");
        e.add_pod(high, s);
        e
    };
    let mut plain = Harness::new(cfg.clone(), env());
    let mut traced = Harness::new(cfg, env());
    let mut traces = Vec::new();
    for step in 0..2 {
        if step == 1 {
            plain.step(2 * MIN);
            traced.step(2 * MIN);
        }
        let want = plain.sync("plain");
        let mut t = SyncTrace::default();
        let got = traced
            .mgr
            .synchronize_traced(&mut traced.env, traced.now, &mut t);
        assert_eq!(got, want, "sync {step}");
        traces.push((t, got));
    }
    let (t1, _) = &traces[0];
    assert_eq!(t1.end, Some(SyncEnd::NothingToActOn));
    let nodefs = t1
        .thresholds
        .iter()
        .find(|x| x.threshold.signal == Signal::NodeFsAvailable)
        .unwrap();
    assert_eq!(
        (nodefs.met_now, nodefs.first_observed, nodefs.passed_grace),
        (true, Some(T0), false)
    );
    assert_eq!(nodefs.quantity, Some(v("2Gi") as i64));
    let imagefs = &t1.thresholds[0];
    assert_eq!(
        (
            imagefs.threshold.signal,
            imagefs.met_now,
            imagefs.first_observed
        ),
        (Signal::ImageFsAvailable, false, None)
    );
    assert_eq!(t1.conditions_reported_before, []);
    assert_eq!(t1.conditions_reported, [NodeConditionType::DiskPressure]);
    let (t2, r2) = &traces[1];
    assert_eq!(t2.end, Some(SyncEnd::Evicted));
    assert_eq!(
        t2.conditions_reported_before,
        [NodeConditionType::DiskPressure]
    );
    assert_eq!(t2.acted.map(|a| a.0), Some(Signal::NodeFsAvailable));
    assert!(t2
        .thresholds
        .iter()
        .any(|x| x.acted_on && x.passed_grace && x.first_observed == Some(T0)));
    assert_eq!(t2.reclaim.len(), 2);
    assert_eq!(t2.reclaim_resolved, Some(false));
    let ranked: Vec<(&str, i64, i64, bool, i32)> = t2
        .ranking
        .iter()
        .map(|(_, n, k, _)| (n.as_str(), k.usage, k.request, k.exceeds, k.priority))
        .collect();
    assert_eq!(
        ranked,
        [
            ("low", v("500Mi") as i64, 0, true, LOW_PRIORITY),
            (
                "high",
                v("1Gi") as i64,
                v("100Mi") as i64,
                true,
                HIGH_PRIORITY
            ),
        ]
    );
    assert_eq!(only_eviction(r2, "sync 2").pod_name, "low");
}
