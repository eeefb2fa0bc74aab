//! Wires the virtual node, the kubelet model and the workload onto the engine: one scenario in,
//! one summary (plus recorded samples and events) out.
//!
//! Loops start at t = 0 in this order: image GC, container GC, image detection, then the trace's
//! first events (upstream, `StartGarbageCollection` starts both GC goroutines before `Run()`
//! starts the image manager; they are concurrent, so any order is one real order). Each loop is
//! sliding: the next run is one period after the end of this one, and a run takes no simulated
//! time. The first GC pass does not fail on "stats not ready" as it often does on a real node.
//!
//! Pod workers: a pod's containers start in order; a container whose image must be pulled
//! blocks the pod's worker until its pull ends (as `EnsureImageExists` blocks). A sync with any
//! failure (pull error, back-off, `Never` without the image) is retried after a uniform
//! [10 s, 15 s) jitter drawn from the run's seeded RNG (`wait.Jitter(10s, 0.5)`).
//!
//! Eviction: the manager syncs at t = 0 (after the loops above) and then every 10 s, or, after
//! an eviction, once the victim's grace period has run and the first 1 s cleanup poll finds it
//! gone (`waitForPodsCleanup`). At the end of its grace period an evicted pod's containers stop
//! and its emptyDir volumes are torn down 200 ms later (the volume manager; see
//! [`TEARDOWN_AFTER_KILL`]); its writable layers and logs stay until container GC removes the
//! containers of the evicted pod (within a minute). Deleted pods lose their volumes the same
//! way, and finished pods (`complete`) 1.2 s after their containers exit. The `DiskPressure` condition and
//! its `NodeHasDiskPressure`/`NodeHasNoDiskPressure` events follow the manager's reported
//! conditions right after each sync (the node-status setter reads them every 10 s upstream).
//!
//! Controllers: an evicted or rejected pod owned by a ReplicaSet or Job is replaced after
//! `replicaset_recreate_delay` by a pod that respects the `disk-pressure` taint (waits for it to
//! clear, or goes elsewhere); a DaemonSet pod tolerates the taint, so its replacement comes back
//! at once (after the controller's failed-pod back-off) and is rejected again while the node
//! reports DiskPressure.

mod eviction_env;
mod eviction_sync;
mod explain_probe;
mod kubelet_restart;
mod log_manager;

use rustc_hash::FxHashSet;
use std::borrow::Cow;
use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::engine::{secs, Engine, SimTime, NANOS_PER_SEC};
use crate::kubelet::container_gc::{
    containers_to_remove, ContainerGcPolicy, PodStateProvider, CONTAINER_GC_PERIOD,
};
use crate::kubelet::container_log_manager::{next_monitor_run, rotate};
use crate::kubelet::events::{self as ev, EventType, KubeletEvent, ObjectRef};
use crate::kubelet::eviction::helpers::{PodAdmitResult, EVICTION_MONITORING_PERIOD};
use crate::kubelet::eviction::manager::EvictionManager;
use crate::kubelet::image_gc_manager::{
    DeleteReason, Deletion, ImageGcManager, ImageGcPolicy, IMAGE_DETECTION_PERIOD, IMAGE_GC_PERIOD,
};
use crate::kubelet::image_manager::{
    ensure_image_exists, Backoff, EnsureDecision, ImagePuller, TokenBucket, PULL_QPS_EXCEEDED,
};
use crate::kubelet::runtime::ContainerRuntime;
use crate::node::{FillState, FsId, Growth, Node, NodeTimer, PullResult, NO_SPACE_LEFT};
use crate::outcome::{EventRow, Recorder, Sample, Summary};
use crate::scenario::{OnDiskPressure, Scenario, TraceOnDiskPressure};
use crate::workload::trace::{Owner, PodSpec, TraceAction};
use eviction_env::{eviction_pod, Env};

/// What [`Simulation::run_loop`] does besides running: nothing, check the invariants after
/// every event, or stop once `explain`'s probe has its decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LoopMode {
    Plain,
    Checked,
    Explain,
}

/// Engine slots of the loops that always have exactly one event pending (see `engine`): the
/// three periodic loops, and the eviction sync, which a newer schedule replaces.
const SLOT_IMAGE_GC: usize = 0;
const SLOT_CONTAINER_GC: usize = 1;
const SLOT_IMAGE_DETECT: usize = 2;
const SLOT_EVICTION_SYNC: usize = 3;
/// The log manager's next run that has a container to look at.
const SLOT_LOG_RUN: usize = 4;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ev {
    Trace,
    ImageGc,
    ContainerGc,
    ImageDetect,
    PodSync(usize),
    Node(NodeTimer),
    /// The eviction manager's sync; stale when its generation is not the current one.
    EvictionSync(u64),
    /// An evicted pod's grace period is over: its containers are killed.
    KillDone(usize),
    /// The pod's controller creates its replacement.
    Recreate(usize),
    /// A run of the log manager that has containers to look at (see `container_log_manager`).
    LogRun,
    /// The volume manager tears down the pod's emptyDir volumes (see [`TEARDOWN_AFTER_KILL`]).
    VolumeTeardown(usize),
    /// The node's status update: the disk-pressure taint follows the DiskPressure condition.
    TaintUpdate,
    /// A delayed pod's `complete` row, shifted by its delay (its work takes as long).
    Complete(usize),
    /// The kubelet process stops (a restart); it starts again after the downtime.
    KubeletStop,
    KubeletStart,
}

/// `nodeStatusUpdateFrequency` (10 s): the kubelet reports a changed DiskPressure condition at
/// its next node-status update, and the node lifecycle controller (TaintNodesByCondition) adds
/// or removes `node.kubernetes.io/disk-pressure:NoSchedule` on that update at once. Our rule:
/// updates at k·10 s from t = 0, after the eviction sync of the same instant.
pub const NODE_STATUS_UPDATE_FREQUENCY: SimTime = 10 * NANOS_PER_SEC;

/// When a terminated pod's emptyDir volumes are gone: the volume manager's desired-state
/// populator drops a terminated pod at its next run (`desiredStateOfWorldPopulatorLoopSleepPeriod`,
/// 100 ms) and the reconciler tears its volumes down at its next (`reconcilerLoopSleepPeriod`,
/// 100 ms); emptyDir's TearDown removes the directory. We take the latest instant of each wait.
/// After a kill by the kubelet (deletion, eviction) the pod worker marks the pod terminated at
/// once: 200 ms. A pod whose containers exit by themselves (a finished Job) is seen terminated
/// at the next PLEG relist (`plegRelistPeriod`, 1 s) first: 1.2 s.
pub const TEARDOWN_AFTER_KILL: SimTime = 200_000_000;
pub const TEARDOWN_AFTER_EXIT: SimTime = 1_200_000_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PodPhase {
    Active,
    /// Containers exited; the pod object remains (a finished Job).
    Completed,
    Deleted,
    /// Chosen by the eviction manager; running out its grace period.
    Terminating,
    /// Killed by the eviction manager: `Failed/Evicted`, the object remains.
    Evicted,
    /// Refused by admission: `Failed/Evicted`, never started.
    Rejected,
}

#[derive(Debug)]
struct Pod<'a> {
    uid: u64,
    /// The trace's pod name this pod stands for (replacements keep it).
    lineage: String,
    /// Borrowed from the trace (no copy, and no reference count shared between the threads
    /// of a sweep); owned by replacements, whose name differs.
    spec: Cow<'a, PodSpec>,
    phase: PodPhase,
    started: Vec<Option<u64>>,
    /// The container whose pull this pod's worker is blocked on, and the request ID.
    waiting: Option<(usize, u64)>,
    cursor: usize,
    failed: bool,
    sync_scheduled: bool,
    /// Active with every container started (counted in `running_pods`).
    running: bool,
}

#[derive(Debug)]
struct WaitingPod<'a> {
    spec: &'a PodSpec,
    arrived: SimTime,
    complete_after: Option<SimTime>,
}

#[derive(Debug)]
struct PullRequest {
    pod: usize,
    container: usize,
    image: usize,
    submitted_at: SimTime,
    started_at: SimTime,
}

/// Pod state as the kubelet's pod manager sees it, for container GC.
struct PodStates<'a, 'b> {
    pods: &'a [Pod<'b>],
}

/// The index of the pod with UID `uid`: UIDs are handed out as index + 1.
fn pod_index(pods: &[Pod<'_>], uid: u64) -> Option<usize> {
    let i = usize::try_from(uid.checked_sub(1)?).ok()?;
    pods.get(i).filter(|p| p.uid == uid).map(|_| i)
}

impl PodStateProvider for PodStates<'_, '_> {
    fn should_pod_content_be_removed(&self, uid: u64) -> bool {
        // Deleted or evicted pods (`ShouldPodContentBeRemoved`).
        pod_index(self.pods, uid).is_none_or(|i| {
            matches!(
                self.pods[i].phase,
                PodPhase::Deleted | PodPhase::Evicted | PodPhase::Rejected
            )
        })
    }
    fn should_pod_runtime_be_removed(&self, uid: u64) -> bool {
        pod_index(self.pods, uid)
            .is_none_or(|i| !matches!(self.pods[i].phase, PodPhase::Active | PodPhase::Terminating))
    }
}

/// One simulation run.
pub struct Simulation<'a> {
    sc: &'a Scenario,
    engine: Engine<Ev>,
    rng: ChaCha8Rng,
    node: Node,
    gc: ImageGcManager,
    gc_policy: ContainerGcPolicy,
    began_gc: SimTime,
    gc_consecutive_failures: u32,
    backoff: Backoff,
    bucket: TokenBucket,
    puller: ImagePuller,
    requests: BTreeMap<u64, PullRequest>,
    next_request: u64,
    pull_of_request: BTreeMap<u64, u64>,
    request_of_pull: BTreeMap<u64, u64>,
    pods: Vec<Pod<'a>>,
    live_by_name: BTreeMap<String, usize>,
    trace_pos: usize,
    ever_deleted: BTreeSet<usize>,
    summary: Summary,
    next_sample: SimTime,
    running_pods: u64,
    eviction: EvictionManager,
    /// DiskPressure as the node status last reported it, and since when.
    pressure: bool,
    pressure_since: SimTime,
    /// The node carries the disk-pressure taint (follows `pressure` at the status updates).
    tainted: bool,
    /// A taint update is scheduled.
    taint_update_pending: bool,
    /// Trace pods that arrived while the node was tainted (`on_disk_pressure = "wait"`): the
    /// spec, when it arrived, and how long after arriving its `complete` row came (if it did).
    waiting: Vec<Option<WaitingPod<'a>>>,
    /// Where each waiting pod is in `waiting`, by name (lookups stay cheap when many wait).
    waiting_index: BTreeMap<&'a str, usize>,
    /// How long each delayed trace pod waited (its `complete` row is shifted by that much).
    delayed_by: BTreeMap<usize, SimTime>,
    /// Pods whose replacement waits for the disk-pressure taint to clear.
    parked: Vec<usize>,
    /// DaemonSet failed-pod back-off: consecutive failures per lineage.
    ds_failures: BTreeMap<String, u32>,
    replacements: BTreeMap<String, u32>,
    /// Indices of pods in the `Active` phase (what `GetActivePods` returns).
    active: BTreeSet<usize>,
    /// The active pods with an ephemeral-storage limit or an emptyDir sizeLimit, with the
    /// smallest of those limits.
    limited: BTreeMap<usize, u128>,
    /// Generation of the pending eviction sync; bumped when it is moved.
    sync_gen: u64,
    /// Quiet-sync skipping: the time of the last sync and of the next scheduled one, when the
    /// manager is quiet and the next sync was pushed past the 10 s tick.
    skip: Option<(SimTime, SimTime)>,
    skip_enabled: bool,
    /// The node's fill when the skip bound was last computed: while it is unchanged (and no pod
    /// has a local-storage limit) the bound is the same and need not be recomputed.
    skip_basis: Vec<FillState>,
    /// The disk thresholds' bounds as of the last sync (see `disk_threshold_bounds`).
    sync_bounds: Vec<(FsId, u128)>,
    /// Bumped whenever a pod changes phase (container GC asks the pods' states).
    phase_generation: u64,
    /// (exited-container generation, phase generation) of the last periodic container GC run
    /// that removed nothing: with MinAge 0, a run on the same state removes nothing again.
    cgc_noop: Option<(u64, u64)>,
    /// When the running kubelet started (0, or its last restart): its loops' grids count from it.
    kubelet_epoch: SimTime,
    /// While the kubelet is down: when it comes back.
    kubelet_down: Option<SimTime>,
    /// The next of the scenario's restarts.
    restart_pos: usize,
    /// Pulls the runtime finished while the kubelet was down (it learns of them on start).
    pulls_done_while_down: Vec<PullResult>,
    /// Containers with a log rotation check scheduled (only looked up), and the (run time,
    /// container) checks, earliest first.
    log_checks: FxHashSet<u64>,
    log_due: BinaryHeap<Reverse<(SimTime, u64)>>,
    /// `explain`'s probe: which decision to trace, and what it found (`None` in a plain run:
    /// nothing is traced).
    probe: Option<Box<explain_probe::Probe>>,
}

impl<'a> Simulation<'a> {
    pub fn new(sc: &'a Scenario) -> Self {
        let k = &sc.kubelet;
        let mut node = Node::new(&sc.node, sc.catalog.clone());
        for &i in &sc.preloaded {
            node.preload_image(i);
        }
        let mut engine = Engine::new();
        engine.set_horizon(sc.duration);
        if !k.image_gc_loop_disabled() {
            engine.schedule_slot_at(SLOT_IMAGE_GC, 0, Ev::ImageGc);
        }
        engine.schedule_slot_at(SLOT_CONTAINER_GC, 0, Ev::ContainerGc);
        engine.schedule_slot_at(SLOT_IMAGE_DETECT, 0, Ev::ImageDetect);
        engine.schedule_slot_at(SLOT_EVICTION_SYNC, 0, Ev::EvictionSync(0));
        if let Some(first) = sc.trace.first() {
            engine.schedule_at(first.time, Ev::Trace);
        }
        if let Some(&(at, _)) = sc.kubelet_restarts.first() {
            engine.schedule_at(at, Ev::KubeletStop);
        }
        let summary = Summary {
            scenario: sc.name.clone(),
            seed: sc.seed,
            min_available_bytes: u64::MAX,
            ..Default::default()
        };
        let mut sim = Simulation {
            sc,
            engine,
            rng: ChaCha8Rng::seed_from_u64(sc.seed),
            node,
            gc: new_image_gc_manager(sc),
            gc_policy: ContainerGcPolicy {
                min_age: k.minimum_container_ttl_duration,
                max_per_pod_container: k.maximum_dead_containers_per_container,
                max_containers: k.maximum_dead_containers,
            },
            began_gc: 0,
            gc_consecutive_failures: 0,
            backoff: Backoff::default(),
            bucket: TokenBucket::new(k.registry_pull_qps, k.registry_burst),
            puller: ImagePuller::new(k.serialize_image_pulls, k.max_parallel_image_pulls),
            requests: BTreeMap::new(),
            next_request: 1,
            pull_of_request: BTreeMap::new(),
            request_of_pull: BTreeMap::new(),
            pods: Vec::new(),
            live_by_name: BTreeMap::new(),
            trace_pos: 0,
            ever_deleted: BTreeSet::new(),
            summary,
            next_sample: 0,
            running_pods: 0,
            eviction: EvictionManager::new(sc.eviction.clone()),
            pressure: false,
            pressure_since: 0,
            tainted: false,
            taint_update_pending: false,
            waiting: Vec::new(),
            waiting_index: BTreeMap::new(),
            delayed_by: BTreeMap::new(),
            parked: Vec::new(),
            ds_failures: BTreeMap::new(),
            replacements: BTreeMap::new(),
            active: BTreeSet::new(),
            limited: BTreeMap::new(),
            sync_gen: 0,
            skip: None,
            skip_basis: Vec::new(),
            sync_bounds: Vec::new(),
            // The skip bound follows bytes only; with inodes modelled, tick every 10 s.
            skip_enabled: sc.node.nodefs_inodes.is_none() && sc.node.imagefs_inodes.is_none(),
            phase_generation: 0,
            cgc_noop: None,
            log_checks: FxHashSet::default(),
            log_due: BinaryHeap::new(),
            kubelet_epoch: 0,
            kubelet_down: None,
            restart_pos: 0,
            pulls_done_while_down: Vec::new(),
            probe: None,
        };
        sim.flush_node_timers();
        sim
    }

    /// Ticks the eviction manager every 10 s even when nothing can change (for tests that check
    /// that skipping quiet syncs changes no output).
    /// Image detection without its shortcuts (see `Node::plain_listing`): for the property
    /// test that they change no output.
    pub fn without_detection_shortcuts(mut self) -> Self {
        self.node.plain_listing = true;
        self
    }

    pub fn without_sync_skipping(mut self) -> Self {
        self.skip_enabled = false;
        self
    }

    /// Runs to the scenario's end and returns the summary.
    pub fn run(self, rec: &mut dyn Recorder) -> Summary {
        self.run_inner(rec, false)
            .expect("invariants are only checked on request")
    }

    /// Like [`Simulation::run`], but checks the model's invariants after every event and stops
    /// at the first violation: used bytes never exceed capacity, on-disk image bytes equal the
    /// distinct layers of present images, and the clock never goes back.
    pub fn run_checked(self, rec: &mut dyn Recorder) -> Result<Summary, String> {
        self.run_inner(rec, true)
    }

    fn check_invariants(&self, last: SimTime) -> Result<(), String> {
        let t = self.node.now();
        if t < last {
            return Err(format!("time went back from {last} to {t}"));
        }
        if self.node.layer_bytes() != self.node.layer_bytes_from_refs() {
            return Err(format!(
                "at {t}: layer bytes {} != distinct referenced layers {}",
                self.node.layer_bytes(),
                self.node.layer_bytes_from_refs()
            ));
        }
        for (i, f) in self.node.filesystems().iter().enumerate() {
            let parts = f.parts(t);
            if parts > f.capacity as u128 {
                return Err(format!(
                    "at {t}: filesystem {i} holds {parts} bytes > capacity {}",
                    f.capacity
                ));
            }
        }
        Ok(())
    }

    fn run_inner(mut self, rec: &mut dyn Recorder, check: bool) -> Result<Summary, String> {
        let end = self.sc.duration;
        self.run_loop(
            rec,
            if check {
                LoopMode::Checked
            } else {
                LoopMode::Plain
            },
        )?;
        self.engine.advance_to(end);
        self.node.set_now(end);
        self.observe();
        while self.next_sample <= end {
            let ts = self.next_sample;
            self.sample(ts, rec);
            self.next_sample += self.sc.sample_interval;
        }
        if self.pressure {
            self.summary.disk_pressure_seconds += (end - self.pressure_since) / NANOS_PER_SEC;
        }
        self.summary.events_processed = self.engine.processed();
        self.summary.simulated_seconds = end / NANOS_PER_SEC;
        if self.summary.min_available_bytes == u64::MAX {
            self.summary.min_available_bytes = 0;
        }
        Ok(self.summary)
    }

    /// The events of the run up to its end, or (`Explain`) until the probe has its decision.
    /// The one loop of every run: a plain run pays one branch per event for the other modes.
    fn run_loop(&mut self, rec: &mut dyn Recorder, mode: LoopMode) -> Result<(), String> {
        let end = self.sc.duration;
        let mut last = 0;
        while let Some((now, e)) = self.engine.pop_until(end) {
            self.step(now, e, rec);
            if mode != LoopMode::Plain {
                if mode == LoopMode::Checked {
                    self.check_invariants(last)?;
                    last = now;
                } else if self.probe.as_deref().is_some_and(|p| p.done()) {
                    break;
                }
            }
        }
        Ok(())
    }

    /// One event of the run: the samples before it, the event, and what follows from it.
    #[inline(always)]
    fn step(&mut self, now: SimTime, e: Ev, rec: &mut dyn Recorder) {
        self.emit_samples_before(now, rec);
        self.node.set_now(now);
        // Used bytes only grow between events, so the run's minimum of available bytes
        // (and peak usage) falls just before an event, or at the end: observing there is
        // enough (the state right after an event is at least as good as just before the
        // next one).
        self.observe();
        self.handle(e, rec);
        self.flush_node_timers();
        self.drain_failed_pulls(rec);
        if !matches!(e, Ev::EvictionSync(_)) {
            self.reconsider_skip();
        }
    }

    fn emit_samples_before(&mut self, t: SimTime, rec: &mut dyn Recorder) {
        if !rec.wants_samples() {
            // Nothing to build: move to the first sample instant at or after `t`.
            if self.next_sample < t {
                let dt = self.sc.sample_interval;
                self.next_sample += (t - self.next_sample).div_ceil(dt) * dt;
            }
            return;
        }
        while self.next_sample < t {
            let ts = self.next_sample;
            self.sample(ts, rec);
            self.next_sample += self.sc.sample_interval;
        }
    }

    /// Tracks the minimum available bytes and peak usage, observed just before each event and
    /// at the end (used bytes grow linearly between events, so the extremes fall there).
    fn observe(&mut self) {
        let t = self.node.now();
        let fs = &self.node.filesystems()[self.node.image_fs()];
        let avail = fs.available(t);
        self.summary.min_available_bytes = self.summary.min_available_bytes.min(avail);
        let u = crate::kubelet::image_gc_manager::usage_percent(fs.capacity, avail);
        self.summary.peak_usage_percent = self.summary.peak_usage_percent.max(u);
    }

    fn sample(&self, ts: SimTime, rec: &mut dyn Recorder) {
        if !rec.wants_samples() {
            return;
        }
        let node = &self.node;
        let fss = node.filesystems();
        let img = &fss[node.image_fs()];
        let cap = img.capacity;
        let avail = img.available(ts);
        let sum = |f: &dyn Fn(&crate::node::Filesystem) -> u64| fss.iter().map(f).sum::<u64>();
        let running_pods = self.running_pods;
        rec.sample(&Sample {
            time: ts,
            capacity_bytes: cap,
            available_bytes: avail,
            usage_percent: crate::kubelet::image_gc_manager::usage_percent(cap, avail),
            image_bytes: node.layer_bytes(),
            reported_image_bytes: node.reported_image_bytes(),
            pulling_bytes: sum(&|f| f.pulls.bytes(ts)),
            writable_bytes: sum(&|f| f.writable.bytes(ts)),
            log_bytes: sum(&|f| f.log_bytes(ts)),
            emptydir_bytes: sum(&|f| f.volumes.bytes(ts)),
            other_bytes: sum(&|f| f.other_used),
            images: node.images_present() as u64,
            running_pods,
            containers: node.container_count() as u64,
            per_fs: fss.iter().map(|f| (f.capacity, f.available(ts))).collect(),
            disk_pressure: self.pressure,
        });
    }

    /// Emits an event about container `ci` of pod `p` whose message names its image; nothing
    /// is built when the recorder takes no events (sweeps).
    fn emit_image_event(
        &mut self,
        rec: &mut dyn Recorder,
        (p, ci): (usize, usize),
        kind: EventType,
        reason: &'static str,
        message: impl FnOnce(&str) -> String,
    ) {
        if !rec.wants_events() {
            return;
        }
        let pod = &self.pods[p];
        let e = KubeletEvent {
            kind,
            reason,
            object: ObjectRef::Pod(pod.spec.name.clone()),
            message: message(&pod.spec.containers[ci].image_ref),
        };
        self.emit(rec, e);
    }

    fn emit(&mut self, rec: &mut dyn Recorder, e: KubeletEvent) {
        if !rec.wants_events() {
            return;
        }
        if let Some(p) = self.probe.as_deref_mut() {
            p.capture(&e, &self.sc.node_name);
        }
        rec.event(&EventRow {
            time: self.engine.now(),
            kind: e.kind,
            reason: e.reason,
            object: e.object.render(&self.sc.node_name),
            message: e.message,
        });
    }

    fn flush_node_timers(&mut self) {
        for (at, timer) in self.node.drain_timers() {
            self.engine.schedule_at(at, Ev::Node(timer));
        }
    }

    fn handle(&mut self, e: Ev, rec: &mut dyn Recorder) {
        let now = self.engine.now();
        if let Some(up) = self.kubelet_down {
            // The kubelet is down: the runtime goes on (containers write, pulls in the runtime
            // finish, containers exit by themselves); everything the kubelet does waits.
            match e {
                Ev::Node(NodeTimer::PullDone { pull, generation }) => {
                    if let Some(res) = self.node.on_pull_done(pull, generation) {
                        self.pulls_done_while_down.push(res);
                    }
                    return;
                }
                Ev::Node(_) | Ev::Complete(_) | Ev::KubeletStart => {}
                _ => {
                    self.engine.schedule_at(up, e);
                    return;
                }
            }
        }
        match e {
            Ev::Trace => self.on_trace(rec),
            Ev::ImageGc => {
                self.on_image_gc(rec);
                self.engine
                    .schedule_slot_in(SLOT_IMAGE_GC, IMAGE_GC_PERIOD, Ev::ImageGc);
            }
            Ev::ContainerGc => {
                self.on_container_gc(false);
                self.engine.schedule_slot_in(
                    SLOT_CONTAINER_GC,
                    CONTAINER_GC_PERIOD,
                    Ev::ContainerGc,
                );
            }
            Ev::ImageDetect => {
                // The monitor loop's detection errors are only logged upstream.
                let _ = self.gc.detect_images(&self.node, now, now);
                self.engine.schedule_slot_in(
                    SLOT_IMAGE_DETECT,
                    IMAGE_DETECTION_PERIOD,
                    Ev::ImageDetect,
                );
            }
            Ev::PodSync(p) => {
                self.pods[p].sync_scheduled = false;
                self.sync_pod(p, rec);
            }
            Ev::Node(NodeTimer::GrowerCap {
                container,
                stream,
                generation,
            }) => self.node.on_grower_cap(container, stream, generation),
            Ev::Node(NodeTimer::DiskFull { fs, generation }) => {
                if self.node.on_disk_full(fs, generation) {
                    self.summary.disk_full_events += 1;
                }
            }
            Ev::Node(NodeTimer::LogWatch { container, token }) => {
                // The current log reached containerLogMaxSize: the log manager's next run
                // rotates it.
                if self.node.on_log_watch(container, token) {
                    let at = self.next_log_run(now);
                    self.add_log_check(at, container);
                }
            }
            Ev::LogRun => {
                // At one instant the log manager's run comes after every other event but the
                // eviction sync (a fixed rule, whatever order the events were queued in).
                if self.engine.peek_time() == Some(now)
                    && self.engine.next_slot() != Some(SLOT_EVICTION_SYNC)
                {
                    self.engine.schedule_slot_at(SLOT_LOG_RUN, now, Ev::LogRun);
                    return;
                }
                while let Some(&Reverse((t, id))) = self.log_due.peek() {
                    if t > now {
                        break;
                    }
                    self.log_due.pop();
                    self.log_checks.remove(&id);
                    self.on_log_rotate(id);
                }
                if let Some(&Reverse((t, _))) = self.log_due.peek() {
                    self.engine.schedule_slot_at(SLOT_LOG_RUN, t, Ev::LogRun);
                }
            }
            Ev::VolumeTeardown(p) => self.on_volume_teardown(p),
            Ev::TaintUpdate => self.on_taint_update(rec),
            Ev::KubeletStop => self.on_kubelet_stop(),
            Ev::KubeletStart => self.on_kubelet_start(rec),
            Ev::Complete(p) => {
                if self.pods[p].phase == PodPhase::Active {
                    self.stop_pod(p, PodPhase::Completed);
                }
            }
            Ev::Node(NodeTimer::PullDone { pull, generation }) => {
                if let Some(res) = self.node.on_pull_done(pull, generation) {
                    self.finish_pull(res, rec);
                }
            }
            Ev::EvictionSync(gen) => {
                if gen != self.sync_gen {
                    return;
                }
                // At an instant, the sync observes the state after every other event of that
                // instant: defer it behind them (a fixed rule, so skipped and ticked runs agree).
                if self.engine.peek_time() == Some(now) {
                    self.engine
                        .schedule_slot_at(SLOT_EVICTION_SYNC, now, Ev::EvictionSync(gen));
                    return;
                }
                self.on_eviction_sync(rec)
            }
            Ev::KillDone(p) => self.on_kill_done(p),
            Ev::Recreate(p) => self.on_recreate(p, rec),
        }
    }

    fn on_trace(&mut self, rec: &mut dyn Recorder) {
        let now = self.engine.now();
        let sc: &'a Scenario = self.sc;
        let trace = &sc.trace;
        while self.trace_pos < trace.len() && trace[self.trace_pos].time <= now {
            let ev = &trace[self.trace_pos];
            self.trace_pos += 1;
            match &ev.action {
                TraceAction::Create(spec) => {
                    if self.live_by_name.contains_key(&spec.name)
                        || self.waiting_index.contains_key(spec.name.as_str())
                    {
                        // Same name while the old pod lives: the API would reject the create.
                        continue;
                    }
                    // The scheduler keeps pods that do not tolerate the taint away: DaemonSet
                    // pods tolerate it, static (critical) pods are not scheduled at all.
                    let tolerates = spec.owner == Owner::DaemonSet || spec.critical;
                    if self.tainted && !tolerates {
                        match self.sc.on_disk_pressure {
                            TraceOnDiskPressure::Wait => {
                                self.waiting_index
                                    .insert(spec.name.as_str(), self.waiting.len());
                                self.waiting.push(Some(WaitingPod {
                                    spec,
                                    arrived: now,
                                    complete_after: None,
                                }));
                                continue;
                            }
                            TraceOnDiskPressure::Elsewhere => {
                                self.summary.pods_moved_elsewhere += 1;
                                continue;
                            }
                            TraceOnDiskPressure::Reject => {}
                        }
                    }
                    self.create_trace_pod(spec, rec);
                }
                TraceAction::Complete(name) => {
                    let waiting = self.waiting_index.get(name.as_str()).copied();
                    if let Some(w) = waiting.and_then(|i| self.waiting[i].as_mut()) {
                        w.complete_after = Some(now - w.arrived);
                    } else if let Some(&p) = self.live_by_name.get(name) {
                        match self.delayed_by.get(&p) {
                            Some(&d) => self.engine.schedule_in(d, Ev::Complete(p)),
                            None => self.stop_pod(p, PodPhase::Completed),
                        }
                    }
                }
                TraceAction::Delete(name) => {
                    // A pod still waiting for the taint to clear is deleted before it ran.
                    if let Some(i) = self.waiting_index.remove(name.as_str()) {
                        self.waiting[i] = None;
                    }
                    if let Some(p) = self.live_by_name.remove(name) {
                        self.stop_pod(p, PodPhase::Deleted);
                    }
                }
            }
        }
        if let Some(next) = trace.get(self.trace_pos) {
            self.engine.schedule_at(next.time, Ev::Trace);
        }
    }

    /// A trace pod lands on the node: it is created and goes through admission.
    fn create_trace_pod(&mut self, spec: &'a PodSpec, rec: &mut dyn Recorder) -> usize {
        let idx = self.pods.len();
        let uid = idx as u64 + 1;
        self.pods.push(Pod {
            uid,
            lineage: spec.name.clone(),
            spec: Cow::Borrowed(spec),
            phase: PodPhase::Active,
            started: vec![None; spec.containers.len()],
            waiting: None,
            cursor: 0,
            failed: false,
            sync_scheduled: false,
            running: false,
        });
        self.live_by_name.insert(spec.name.clone(), idx);
        self.activate(idx);
        self.summary.pods_created += 1;
        self.admit_and_start(idx, rec);
        idx
    }

    /// The status update after a DiskPressure change: the taint follows the condition; when it
    /// is removed, the pods kept away by it are scheduled (the scheduler retries them on the
    /// node's update), in the order they arrived.
    fn on_taint_update(&mut self, rec: &mut dyn Recorder) {
        self.taint_update_pending = false;
        if self.tainted == self.pressure {
            return;
        }
        self.tainted = self.pressure;
        if self.tainted {
            return;
        }
        let now = self.engine.now();
        self.waiting_index.clear();
        for w in std::mem::take(&mut self.waiting).into_iter().flatten() {
            let d = now - w.arrived;
            self.summary.pods_delayed += 1;
            self.summary.pods_delay_seconds += d / NANOS_PER_SEC;
            let p = self.create_trace_pod(w.spec, rec);
            self.delayed_by.insert(p, d);
            if let Some(after) = w.complete_after {
                self.engine.schedule_in(after, Ev::Complete(p));
            }
        }
        for p in std::mem::take(&mut self.parked) {
            self.create_replacement(p, rec);
        }
    }

    fn stop_pod(&mut self, p: usize, phase: PodPhase) {
        if self.pods[p].phase == PodPhase::Deleted {
            return;
        }
        self.deactivate(p);
        let pod = &mut self.pods[p];
        pod.phase = phase;
        if pod.running {
            pod.running = false;
            self.running_pods -= 1;
        }
        for ci in 0..pod.started.len() {
            if let Some(id) = self.pods[p].started[ci] {
                self.node.stop_container(id);
            }
        }
        // Its volumes go once the volume manager sees the pod terminated; its containers,
        // their writable layers and logs stay until container GC removes them.
        let delay = match phase {
            PodPhase::Completed => TEARDOWN_AFTER_EXIT,
            _ => TEARDOWN_AFTER_KILL,
        };
        // Only pods with emptyDir bytes have anything to tear down (no event for the others).
        let now = self.engine.now();
        let has_volume = self.pods[p].started.iter().flatten().any(|&id| {
            self.node
                .container(id)
                .is_some_and(|c| c.has_volume_data(now))
        });
        if has_volume {
            self.engine.schedule_in(delay, Ev::VolumeTeardown(p));
        }
    }

    /// The volume manager tore the pod's emptyDir volumes down: their bytes go.
    fn on_volume_teardown(&mut self, p: usize) {
        let ids: Vec<u64> = self.pods[p].started.iter().flatten().copied().collect();
        for id in ids {
            self.node.clear_volume(id);
        }
    }

    fn schedule_resync(&mut self, p: usize) {
        if self.pods[p].sync_scheduled {
            return;
        }
        self.pods[p].sync_scheduled = true;
        // wait.Jitter(10s, 0.5): uniform in [10 s, 15 s).
        let delay = self.rng.gen_range(secs(10)..secs(15));
        self.engine.schedule_in(delay, Ev::PodSync(p));
    }

    /// The pod worker's sync: start the containers not yet started, in order.
    fn sync_pod(&mut self, p: usize, rec: &mut dyn Recorder) {
        let now = self.engine.now();
        if self.pods[p].phase != PodPhase::Active || self.pods[p].waiting.is_some() {
            return;
        }
        let n = self.pods[p].spec.containers.len();
        while self.pods[p].cursor < n {
            let ci = self.pods[p].cursor;
            self.pods[p].cursor += 1;
            if self.pods[p].started[ci].is_some() {
                continue;
            }
            let pod = &self.pods[p];
            let c = &pod.spec.containers[ci];
            let present = self.node.is_present(c.image);
            let decision = ensure_image_exists(
                c.pull_policy,
                present,
                self.backoff.is_in_backoff_for(pod.uid, &c.image_ref, now),
            );
            match decision {
                EnsureDecision::UsePresent => {
                    self.emit_image_event(
                        rec,
                        (p, ci),
                        EventType::Normal,
                        ev::PULLED,
                        ev::already_present_message,
                    );
                    self.start_container(p, ci);
                }
                EnsureDecision::NeverPull => {
                    self.emit_image_event(
                        rec,
                        (p, ci),
                        EventType::Warning,
                        ev::ERR_IMAGE_NEVER_PULL,
                        ev::never_pull_message,
                    );
                    self.pods[p].failed = true;
                }
                EnsureDecision::BackOff => {
                    self.summary.pull_backoffs += 1;
                    self.emit_image_event(
                        rec,
                        (p, ci),
                        EventType::Normal,
                        ev::BACK_OFF,
                        ev::back_off_message,
                    );
                    self.pods[p].failed = true;
                }
                EnsureDecision::Pull => {
                    self.emit_image_event(
                        rec,
                        (p, ci),
                        EventType::Normal,
                        ev::PULLING,
                        ev::pulling_message,
                    );
                    let req = self.next_request;
                    self.next_request += 1;
                    let image = self.pods[p].spec.containers[ci].image;
                    self.requests.insert(
                        req,
                        PullRequest {
                            pod: p,
                            container: ci,
                            image,
                            submitted_at: now,
                            started_at: now,
                        },
                    );
                    self.pods[p].waiting = Some((ci, req));
                    if let Some(r) = self.puller.submit(req) {
                        self.begin_pull(r, rec);
                    }
                    return;
                }
            }
        }
        let pod = &mut self.pods[p];
        pod.cursor = 0;
        if pod.failed {
            pod.failed = false;
            self.schedule_resync(p);
        }
    }

    fn start_container(&mut self, p: usize, ci: usize) {
        let pod = &self.pods[p];
        let c = &pod.spec.containers[ci];
        let id = self.node.start_container(
            pod.uid,
            &c.name,
            c.image,
            Growth {
                writable_rate: c.writable_rate,
                writable_cap: c.writable_cap,
                log_rate: c.log_rate,
                log_cap: c.log_cap,
                volume_rate: c.emptydir_rate.unwrap_or(0),
            },
        );
        self.pods[p].started[ci] = Some(id);
        self.summary.containers_started += 1;
        self.schedule_log_check(id, 0);
        let pod = &mut self.pods[p];
        if !pod.running && pod.started.iter().all(Option::is_some) {
            pod.running = true;
            self.running_pods += 1;
        }
    }

    /// The puller issues request `req` to the runtime, through the registry token bucket.
    fn begin_pull(&mut self, req: u64, rec: &mut dyn Recorder) {
        let now = self.engine.now();
        let image = {
            let r = self.requests.get_mut(&req).expect("request exists");
            r.started_at = now;
            r.image
        };
        if !self.bucket.try_accept(now) {
            self.summary.pull_failures_qps += 1;
            self.complete_request(req, Err(PULL_QPS_EXCEEDED.to_string()), 0, rec);
            return;
        }
        let pull = self.node.start_pull(image);
        self.pull_of_request.insert(req, pull);
        self.request_of_pull.insert(pull, req);
    }

    fn finish_pull(&mut self, res: PullResult, rec: &mut dyn Recorder) {
        let Some(req) = self.request_of_pull.remove(&res.pull) else {
            return;
        };
        self.pull_of_request.remove(&req);
        let outcome = match res.error {
            None => Ok(()),
            Some(e) => Err(e),
        };
        self.complete_request(req, outcome, res.bytes, rec);
    }

    fn drain_failed_pulls(&mut self, rec: &mut dyn Recorder) {
        loop {
            let failed = self.node.take_failed_pulls();
            if failed.is_empty() {
                break;
            }
            for res in failed {
                if res.error.as_deref() == Some(NO_SPACE_LEFT) {
                    self.summary.pull_failures_no_space += 1;
                }
                self.finish_pull(res, rec);
            }
            self.flush_node_timers();
        }
    }

    fn complete_request(
        &mut self,
        req: u64,
        outcome: Result<(), String>,
        bytes: u64,
        rec: &mut dyn Recorder,
    ) {
        let now = self.engine.now();
        let r = self.requests.remove(&req).expect("request exists");
        let pod = &self.pods[r.pod];
        let uid = pod.uid;
        let ok = outcome.is_ok();
        // Texts only for a recorder that takes events (a sweep's does not).
        let image_ref = || {
            self.pods[r.pod].spec.containers[r.container]
                .image_ref
                .clone()
        };
        let obj = || ObjectRef::Pod(self.pods[r.pod].spec.name.clone());
        match outcome {
            Ok(()) => {
                self.summary.pulls += 1;
                self.summary.pull_bytes += bytes;
                if self.ever_deleted.contains(&r.image) {
                    self.summary.repulls += 1;
                }
                if rec.wants_events() {
                    let size = self.sc.catalog.reported_size(r.image);
                    let msg = ev::pulled_message(
                        &image_ref(),
                        now - r.started_at,
                        now - r.submitted_at,
                        size,
                    );
                    let e = KubeletEvent::normal(ev::PULLED, obj(), msg);
                    self.emit(rec, e);
                }
                self.backoff.gc(now);
            }
            Err(e) => {
                self.summary.pull_failures += 1;
                let image_ref = image_ref();
                let msg = ev::failed_pull_message(&image_ref, &e);
                let e = KubeletEvent::warning(ev::FAILED, obj(), msg);
                self.emit(rec, e);
                self.backoff.next((uid, image_ref), now);
            }
        }
        let p = r.pod;
        if self.pods[p].waiting.map(|(_, q)| q) == Some(req) {
            self.pods[p].waiting = None;
            if self.pods[p].phase == PodPhase::Active {
                if ok && self.node.is_present(r.image) {
                    self.start_container(p, r.container);
                } else {
                    self.pods[p].failed = true;
                }
                // The worker carries on with the pod's next containers.
                self.sync_pod(p, rec);
            }
        }
        // The puller's slot frees; the next queued request starts.
        if let Some(next) = self.puller.finish() {
            self.begin_pull(next, rec);
        }
    }

    /// One periodic image GC pass with the loop's failure bookkeeping (kubelet.go
    /// `StartGarbageCollection`): the first consecutive failure is only logged; the second and
    /// later emit `ImageGCFailed` with the error text.
    fn on_image_gc(&mut self, rec: &mut dyn Recorder) {
        let now = self.engine.now();
        self.summary.gc_runs += 1;
        let mut trace = self.probe_traces(explain_probe::GC, now);
        let out = match trace.as_mut() {
            Some(t) => self
                .gc
                .garbage_collect_traced(&mut self.node, now, self.began_gc, t),
            None => self.gc.garbage_collect(&mut self.node, now, self.began_gc),
        };
        let kept = self.probe.is_some().then(|| out.clone());
        if let Some(p) = self.probe.as_deref_mut() {
            p.capturing = trace.is_some();
        }
        if let Some(t) = out.trigger {
            self.summary.gc_triggered += 1;
            let msg = ev::gc_triggered_message(
                t.usage_percent,
                t.high_threshold,
                t.amount_to_free,
                t.low_threshold,
            );
            self.emit(
                rec,
                KubeletEvent::normal(ev::IMAGE_GC_TRIGGERED, ObjectRef::Node, msg),
            );
        }
        let removals = self.record_deletions(&out.deletions, rec);
        for e in out.events {
            if e.reason == ev::FREE_DISK_SPACE_FAILED {
                self.summary.gc_shortfalls += 1;
            }
            self.emit(rec, e);
        }
        match out.result {
            Ok(()) => self.gc_consecutive_failures = 0,
            Err(msg) => {
                self.summary.gc_failures += 1;
                self.gc_consecutive_failures += 1;
                if self.gc_consecutive_failures >= 2 {
                    self.summary.image_gc_failed_events += 1;
                    self.emit(
                        rec,
                        KubeletEvent::warning(ev::IMAGE_GC_FAILED, ObjectRef::Node, msg),
                    );
                }
            }
        }
        if let Some(out) = kept {
            self.probe_gc(now, out, trace, &removals);
        }
    }

    /// Pairs the GC's deletions with the node's removals (same order, one each) and reports the
    /// bytes the kubelet counted against the bytes that left the disk. Returns the removals.
    fn record_deletions(
        &mut self,
        deletions: &[Deletion],
        rec: &mut dyn Recorder,
    ) -> Vec<crate::node::ImageRemoval> {
        let removals = self.node.take_removals();
        debug_assert_eq!(removals.len(), deletions.len());
        for (d, &r) in deletions.iter().zip(&removals) {
            self.ever_deleted.insert(r.image);
            self.summary.images_deleted += 1;
            match d.reason {
                DeleteReason::Space => self.summary.images_deleted_by_space += 1,
                DeleteReason::Age => self.summary.images_deleted_by_age += 1,
                DeleteReason::Eviction => {
                    self.summary.images_deleted_by_eviction += 1;
                    self.summary.eviction_gc_images_deleted += 1;
                    self.summary.eviction_gc_bytes_freed += r.freed_on_disk;
                }
            }
            self.summary.bytes_freed_reported += d.reported_size;
            self.summary.bytes_freed_on_disk += r.freed_on_disk;
            if !rec.wants_events() {
                continue;
            }
            let msg = format!(
                "reason={} reportedBytes={} freedOnDiskBytes={}",
                d.reason.as_str(),
                d.reported_size,
                r.freed_on_disk
            );
            self.emit(
                rec,
                KubeletEvent {
                    kind: EventType::Normal,
                    reason: ev::IMAGE_DELETED,
                    object: ObjectRef::Image(d.image_id.to_string()),
                    message: msg,
                },
            );
        }
        removals
    }

    /// One container GC run (`evict_non_deleted_pods` is the eviction manager's
    /// `DeleteAllUnusedContainers`).
    fn on_container_gc(&mut self, evict_non_deleted_pods: bool) {
        let now = self.engine.now();
        let key = (self.node.exited_generation(), self.phase_generation);
        if !evict_non_deleted_pods && self.gc_policy.min_age == 0 && self.cgc_noop == Some(key) {
            return;
        }
        let states = PodStates { pods: &self.pods };
        let remove = containers_to_remove(
            &self.node.list_exited_containers(),
            &states,
            self.gc_policy,
            now,
            evict_non_deleted_pods,
        );
        self.cgc_noop = (!evict_non_deleted_pods && remove.is_empty()).then_some(key);
        for id in remove {
            self.node.remove_container(id);
            self.summary.containers_removed += 1;
        }
    }

    /// Kubelet admission (§5 of kubelet-eviction.md), then the pod worker's first sync.
    fn admit_and_start(&mut self, p: usize, rec: &mut dyn Recorder) {
        let pod = &self.pods[p];
        // Without node conditions every pod is admitted: skip building its eviction view.
        let result = if self.eviction.admits_every_pod() {
            PodAdmitResult::admitted()
        } else {
            self.eviction
                .admit(&eviction_pod(pod.uid, &pod.spec.name, &pod.spec))
        };
        if result.admit {
            if pod.spec.owner == Owner::DaemonSet {
                let lineage = pod.lineage.clone();
                self.ds_failures.remove(&lineage);
            }
            self.sync_pod(p, rec);
            return;
        }
        // The pod is set Failed/Evicted with "Pod was rejected: " + message; the event carries
        // the message itself. It never starts, so it takes no disk.
        self.summary.admission_rejections += 1;
        self.pods[p].phase = PodPhase::Rejected;
        self.deactivate(p);
        let obj = ObjectRef::Pod(self.pods[p].spec.name.clone());
        self.emit(rec, KubeletEvent::warning(ev::EVICTED, obj, result.message));
        self.schedule_replacement(p);
    }

    /// The node-status setter: DiskPressure transitions, their events, and the taint's effect on
    /// replacements waiting for it to clear.
    fn set_pressure(&mut self, pressure: bool, rec: &mut dyn Recorder) {
        if pressure == self.pressure {
            return;
        }
        let now = self.engine.now();
        self.pressure = pressure;
        let (reason, status) = if pressure {
            self.summary.disk_pressure_transitions += 1;
            self.pressure_since = now;
            (ev::NODE_HAS_DISK_PRESSURE, "NodeHasDiskPressure")
        } else {
            self.summary.disk_pressure_seconds += (now - self.pressure_since) / NANOS_PER_SEC;
            (ev::NODE_HAS_NO_DISK_PRESSURE, "NodeHasNoDiskPressure")
        };
        let msg = format!("Node {} status is now: {status}", self.sc.node_name);
        self.emit(rec, KubeletEvent::normal(reason, ObjectRef::Node, msg));
        if !self.taint_update_pending {
            self.taint_update_pending = true;
            let since = now - self.kubelet_epoch;
            let at = self.kubelet_epoch
                + since.div_ceil(NODE_STATUS_UPDATE_FREQUENCY) * NODE_STATUS_UPDATE_FREQUENCY;
            self.engine.schedule_at(at, Ev::TaintUpdate);
        }
    }

    /// An evicted pod's grace period ended: its containers stop; its volumes go right after.
    fn on_kill_done(&mut self, p: usize) {
        let was_deleted = self.pods[p].phase == PodPhase::Deleted;
        self.stop_pod(
            p,
            if was_deleted {
                PodPhase::Deleted
            } else {
                PodPhase::Evicted
            },
        );
        if !was_deleted {
            self.schedule_replacement(p);
        }
    }

    /// The owner's controller notices a failed pod and schedules its replacement.
    fn schedule_replacement(&mut self, p: usize) {
        let c = self.sc.controllers;
        let delay = match self.pods[p].spec.owner {
            Owner::None => return,
            Owner::ReplicaSet | Owner::Job => c.replicaset_recreate_delay,
            Owner::DaemonSet => {
                // The DaemonSet controller's failed-pod back-off: initial, doubling, capped.
                let n = self
                    .ds_failures
                    .entry(self.pods[p].lineage.clone())
                    .or_insert(0);
                *n += 1;
                let shift = (*n - 1).min(40);
                c.daemonset_backoff_initial
                    .saturating_mul(1u64 << shift)
                    .min(c.daemonset_backoff_max)
            }
        };
        self.engine.schedule_in(delay, Ev::Recreate(p));
    }

    fn on_recreate(&mut self, p: usize, rec: &mut dyn Recorder) {
        let lineage = self.pods[p].lineage.clone();
        if self.live_by_name.get(&lineage) != Some(&p) {
            return; // deleted by the trace, or already replaced
        }
        let owner = self.pods[p].spec.owner;
        if matches!(owner, Owner::ReplicaSet | Owner::Job) && self.tainted {
            // The replacement does not tolerate node.kubernetes.io/disk-pressure:NoSchedule.
            match self.sc.controllers.replicaset_on_disk_pressure {
                OnDiskPressure::Wait => self.parked.push(p),
                OnDiskPressure::Elsewhere => {
                    self.summary.pods_moved_elsewhere += 1;
                    self.live_by_name.remove(&lineage);
                }
            }
            return;
        }
        self.create_replacement(p, rec);
    }

    fn create_replacement(&mut self, p: usize, rec: &mut dyn Recorder) {
        let lineage = self.pods[p].lineage.clone();
        if self.live_by_name.get(&lineage) != Some(&p) {
            return;
        }
        let n = self.replacements.entry(lineage.clone()).or_insert(0);
        *n += 1;
        let mut spec = PodSpec::clone(&self.pods[p].spec);
        spec.name = format!("{lineage}-r{n}");
        let spec: Cow<'a, PodSpec> = Cow::Owned(spec);
        let idx = self.pods.len();
        let uid = idx as u64 + 1;
        let containers = spec.containers.len();
        self.pods.push(Pod {
            uid,
            lineage: lineage.clone(),
            spec,
            phase: PodPhase::Active,
            started: vec![None; containers],
            waiting: None,
            cursor: 0,
            failed: false,
            sync_scheduled: false,
            running: false,
        });
        self.live_by_name.insert(lineage, idx);
        self.activate(idx);
        self.summary.pods_created += 1;
        self.summary.pods_replaced += 1;
        self.admit_and_start(idx, rec);
    }
}

impl Simulation<'_> {
    /// The pod enters the `Active` phase (and the limited set if it has limits).
    fn activate(&mut self, p: usize) {
        self.active.insert(p);
        let min_limit = self.pods[p]
            .spec
            .containers
            .iter()
            .flat_map(|c| [c.limit.as_ref(), c.emptydir_limit.as_ref()])
            .flatten()
            .map(|q| q.value().max(0) as u128)
            .min();
        if let Some(l) = min_limit {
            self.limited.insert(p, l);
        }
    }

    fn deactivate(&mut self, p: usize) {
        self.phase_generation += 1;
        self.active.remove(&p);
        self.limited.remove(&p);
    }
}

/// A kubelet's image GC manager as it starts: the scenario's policy, no records.
fn new_image_gc_manager(sc: &Scenario) -> ImageGcManager {
    let k = &sc.kubelet;
    let policy = ImageGcPolicy::new(
        k.image_gc_high_threshold_percent,
        k.image_gc_low_threshold_percent,
        k.image_minimum_gc_age,
        k.image_maximum_gc_age,
    )
    .expect("validated by kubelet::config");
    ImageGcManager::new(policy, sc.free_disk_space_wording())
}
