//! What a run produces: time-series samples, events and a summary, as plain data.
//!
//! The simulation pushes samples and events into a [`Recorder`] as it goes (so a year-long run
//! needs no memory for them) and returns the [`Summary`]. Writing files is `report`'s job.

use serde::Serialize;

use crate::engine::SimTime;
use crate::kubelet::events::EventType;

/// One row of `timeseries.csv`. Byte columns describe the image filesystem (the one the image GC
/// reads); on a shared layout that is the node's only disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sample {
    pub time: SimTime,
    pub capacity_bytes: u64,
    pub available_bytes: u64,
    /// The kubelet's integer `100 - available*100/capacity`.
    pub usage_percent: i64,
    /// Distinct layers on disk (shared layers once).
    pub image_bytes: u64,
    /// Sum of the runtime-reported sizes of the images present (what the kubelet adds up).
    pub reported_image_bytes: u64,
    /// Bytes of pulls in progress.
    pub pulling_bytes: u64,
    pub writable_bytes: u64,
    pub log_bytes: u64,
    /// emptyDir volumes.
    pub emptydir_bytes: u64,
    pub other_bytes: u64,
    pub images: u64,
    pub running_pods: u64,
    pub containers: u64,
    /// Per filesystem (nodefs first) capacity and available bytes, for non-shared layouts.
    pub per_fs: Vec<(u64, u64)>,
    /// The node reports DiskPressure.
    pub disk_pressure: bool,
}

/// One row of `events.csv`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventRow {
    pub time: SimTime,
    pub kind: EventType,
    pub reason: &'static str,
    pub object: String,
    pub message: String,
}

/// Receives a run's samples and events as they happen.
pub trait Recorder {
    /// False when samples are not wanted, so the run skips building them.
    fn wants_samples(&self) -> bool {
        true
    }
    /// False when events are not wanted, so the run skips building their texts.
    fn wants_events(&self) -> bool {
        true
    }
    fn sample(&mut self, s: &Sample);
    fn event(&mut self, e: &EventRow);
}

/// Discards everything (sweeps and benchmarks).
pub struct NullRecorder;

impl Recorder for NullRecorder {
    fn wants_samples(&self) -> bool {
        false
    }
    fn wants_events(&self) -> bool {
        false
    }
    fn sample(&mut self, _: &Sample) {}
    fn event(&mut self, _: &EventRow) {}
}

/// Keeps everything in memory (tests).
#[derive(Debug, Default)]
pub struct VecRecorder {
    pub samples: Vec<Sample>,
    pub events: Vec<EventRow>,
}

impl Recorder for VecRecorder {
    fn sample(&mut self, s: &Sample) {
        self.samples.push(s.clone());
    }
    fn event(&mut self, e: &EventRow) {
        self.events.push(e.clone());
    }
}

/// `summary.json`. Field names are a contract.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub scenario: String,
    /// The scenario file as `run` was given it (relative to where `run` started): what
    /// `explain RUN_DIR` reruns. `run` sets it; sweeps do not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scenario_path: Option<String>,
    pub seed: u64,
    /// The scenario's `start_time` (RFC 3339, UTC), when it has one; `run` sets it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_time: Option<String>,
    /// Image GC passes run (the periodic loop).
    pub gc_runs: u64,
    /// Passes whose usage reached the high threshold.
    pub gc_triggered: u64,
    /// Passes that returned an error (shortfall, deletion error, bad capacity).
    pub gc_failures: u64,
    /// `FreeDiskSpaceFailed` events.
    pub gc_shortfalls: u64,
    /// `ImageGCFailed` events (second and later consecutive failures).
    pub image_gc_failed_events: u64,
    pub images_deleted: u64,
    pub images_deleted_by_space: u64,
    pub images_deleted_by_age: u64,
    pub images_deleted_by_eviction: u64,
    /// Sum of the runtime-reported sizes of deleted images: what the kubelet believes it freed.
    pub bytes_freed_reported: u64,
    /// Bytes those deletions really freed on disk (layers no remaining image uses).
    pub bytes_freed_on_disk: u64,
    /// Successful pulls.
    pub pulls: u64,
    /// Bytes written by successful pulls.
    pub pull_bytes: u64,
    /// Successful pulls of an image this node held before and deleted.
    pub repulls: u64,
    pub pull_failures: u64,
    /// Of which failed because the disk was full.
    pub pull_failures_no_space: u64,
    /// Of which failed on the registry QPS limit.
    pub pull_failures_qps: u64,
    /// `BackOff` events (a pull skipped inside its back-off window).
    pub pull_backoffs: u64,
    pub pods_created: u64,
    pub containers_started: u64,
    pub containers_removed: u64,
    /// Container log rotations (containerLogMaxSize reached at a log manager run).
    pub log_rotations: u64,
    /// Times a filesystem filled up completely.
    pub disk_full_events: u64,
    /// Threshold evictions (one pod per sync at most) and local-storage-limit evictions.
    pub evictions: u64,
    pub limit_evictions: u64,
    /// Both kinds, by signal (`imagefs.available`, …) or limit (`emptydirfs.limit`, …).
    pub evictions_by_signal: std::collections::BTreeMap<String, u64>,
    /// New pods refused by kubelet admission under DiskPressure.
    pub admission_rejections: u64,
    pub disk_pressure_seconds: u64,
    /// Times DiskPressure went from false to true.
    pub disk_pressure_transitions: u64,
    /// Images removed by the eviction manager's `DeleteUnusedImages`, and the bytes that freed.
    pub eviction_gc_images_deleted: u64,
    pub eviction_gc_bytes_freed: u64,
    /// Replacement pods created by controllers.
    pub pods_replaced: u64,
    /// Eviction manager syncs run (quiet ones that could change nothing are skipped).
    pub eviction_syncs: u64,
    /// Pods that went to another node: replacements and trace pods kept away by the taint
    /// (`replicaset_on_disk_pressure`, `on_disk_pressure` = "elsewhere").
    pub pods_moved_elsewhere: u64,
    /// Trace pods kept away by the disk-pressure taint that landed once it was removed
    /// (`on_disk_pressure = "wait"`), and their total wait in seconds.
    pub pods_delayed: u64,
    pub pods_delay_seconds: u64,
    /// Kubelet restarts (`[[node.kubelet_restart]]`, `kubelet_restart_every`).
    pub kubelet_restarts: u64,
    pub min_available_bytes: u64,
    pub peak_usage_percent: i64,
    pub events_processed: u64,
    pub simulated_seconds: u64,
}
