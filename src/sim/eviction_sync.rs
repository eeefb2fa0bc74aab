//! The eviction manager's sync, and the exact skipping of syncs that cannot change anything.

use super::*;

impl<'a> Simulation<'a> {
    /// One `synchronize` of the eviction manager, then the node status and the next sync.
    pub(super) fn on_eviction_sync(&mut self, rec: &mut dyn Recorder) {
        let now = self.engine.now();
        let mut trace = self.probe_traces(super::explain_probe::EVICTION, now);
        let states = PodStates { pods: &self.pods };
        let mut env = Env {
            node: &mut self.node,
            gc: &mut self.gc,
            pods: &self.pods,
            active: &self.active,
            pod_states: &states,
            gc_policy: self.gc_policy,
            now,
            deletions: Vec::new(),
            containers_removed: 0,
            any_limits: !self.limited.is_empty(),
            reclaim_log: trace.is_some().then(Vec::new),
        };
        let res = match trace.as_mut() {
            Some(t) => self.eviction.synchronize_traced(&mut env, now, t),
            None => self.eviction.synchronize(&mut env, now),
        };
        self.summary.eviction_syncs += 1;
        let deletions = std::mem::take(&mut env.deletions);
        let removed = env.containers_removed;
        let reclaim_log = env.reclaim_log.take();
        drop(env);
        if let Some(p) = self.probe.as_deref_mut() {
            p.capturing = trace.is_some();
        }
        self.summary.containers_removed += removed;
        // In the kubelet's order: `EvictionThresholdMet` is recorded before the node-level
        // reclaim runs (`synchronize` step 14, then 15), the reclaim's deletions follow, then
        // the evictions of pods.
        let split = res
            .events
            .iter()
            .position(|e| {
                e.reason == crate::kubelet::eviction::helpers::REASON_EVICTION_THRESHOLD_MET
            })
            .map_or(0, |i| i + 1);
        for e in res.events[..split].iter().cloned() {
            self.emit(rec, e);
        }
        let removals = self.record_deletions(&deletions, rec);
        for e in res.events[split..].iter().cloned() {
            self.emit(rec, e);
        }
        let mut max_grace = 0;
        for e in &res.evicted {
            let Some(p) = e
                .pod_uid
                .parse::<u64>()
                .ok()
                .and_then(|u| pod_index(&self.pods, u))
            else {
                continue;
            };
            if e.limit_eviction {
                self.summary.limit_evictions += 1;
            } else {
                self.summary.evictions += 1;
            }
            *self
                .summary
                .evictions_by_signal
                .entry(e.signal_label.clone())
                .or_insert(0) += 1;
            self.pods[p].phase = PodPhase::Terminating;
            self.deactivate(p);
            let grace = secs(e.effective_grace_seconds.max(0) as u64);
            max_grace = max_grace.max(grace);
            self.engine.schedule_in(grace, Ev::KillDone(p));
        }
        self.set_pressure(self.eviction.is_under_disk_pressure(), rec);
        if self.probe.is_some() {
            self.probe_sync(now, &res, trace, reclaim_log, &removals);
        }
        // `Start()`: after an eviction, wait for the kill and the first 1 s cleanup poll, then
        // sync at once; otherwise sleep the monitoring period.
        let next = if res.wait_for_cleanup() {
            max_grace + secs(1)
        } else {
            EVICTION_MONITORING_PERIOD as SimTime
        };
        self.sync_gen += 1;
        self.skip = None;
        let quiet = res.evicted.is_empty() && res.error.is_none() && self.eviction.is_quiet();
        if quiet && self.skip_enabled {
            // Thresholds only change inside a sync (the first one adds containerfs ones).
            self.sync_bounds = self.disk_threshold_bounds();
            let at = self.next_useful_sync(now);
            self.skip = Some((now, at));
            self.skip_basis.clear();
            self.skip_basis.extend(self.node.fill_states());
            self.engine
                .schedule_slot_at(SLOT_EVICTION_SYNC, at, Ev::EvictionSync(self.sync_gen));
        } else {
            self.engine
                .schedule_slot_in(SLOT_EVICTION_SYNC, next, Ev::EvictionSync(self.sync_gen));
        }
    }

    /// While the manager is quiet, the first 10 s tick after the last sync at which a sync could
    /// do anything: a disk threshold met or a local-storage limit exceeded. Bytes grow linearly
    /// between events, so from the current fill rates a lower bound on each crossing time is
    /// exact arithmetic; an earlier tick is harmless (a quiet sync), a later one is not, so every
    /// bound rounds down. Any other event may change the rates: see [`Self::reconsider_skip`].
    pub(super) fn next_useful_sync(&self, last_sync: SimTime) -> SimTime {
        let now = self.engine.now();
        let period = EVICTION_MONITORING_PERIOD as SimTime;
        let mut earliest = SimTime::MAX;
        // Disk thresholds: available < quantity needs used_nb > (capacity - quantity)·1e9.
        for &(fs, bound) in &self.sync_bounds {
            let (used, rate) = self.node.fs_fill(fs);
            earliest = earliest.min(crossing(now, used, rate, bound));
        }
        // Local-storage limits: any of a pod's limits is exceeded only once the pod's whole
        // usage exceeds the smallest of them.
        if self.sc.eviction.local_storage_capacity_isolation {
            for (&i, &limit) in &self.limited {
                let pod = &self.pods[i];
                let (used, rate) = pod
                    .started
                    .iter()
                    .flatten()
                    .map(|&id| self.node.container_fill(id))
                    .fold((0u128, 0u128), |(u, r), (cu, cr)| {
                        (u.saturating_add(cu), r.saturating_add(cr))
                    });
                earliest = earliest.min(crossing(now, used, rate, limit));
            }
        }
        // The first tick strictly after the last sync at or after the bound.
        let target = earliest.max(last_sync + period);
        if target == SimTime::MAX {
            return SimTime::MAX;
        }
        let k = (target - last_sync).div_ceil(period);
        last_sync.saturating_add(k.saturating_mul(period))
    }

    /// The `LessThan` disk thresholds as (filesystem, used bytes above which one is met), the
    /// lowest per filesystem: `available < quantity` holds once used > capacity − quantity.
    pub(super) fn disk_threshold_bounds(&self) -> Vec<(FsId, u128)> {
        use crate::kubelet::eviction::types::{get_threshold_quantity, Signal, ThresholdOperator};
        let mut bounds: Vec<(FsId, u128)> = Vec::new();
        for th in self.eviction.thresholds() {
            let fs = match th.signal {
                Signal::NodeFsAvailable => self.node.node_fs(),
                Signal::ImageFsAvailable => self.node.image_fs(),
                Signal::ContainerFsAvailable => self.node.container_fs(),
                _ => continue,
            };
            if th.operator != ThresholdOperator::LessThan {
                continue;
            }
            let cap = self.node.filesystems()[fs].capacity;
            let q = get_threshold_quantity(&th.value, cap as i64).max(0) as u128;
            let bound = (cap as u128).saturating_sub(q);
            // The lowest bound of a filesystem is crossed first: keep only that one.
            match bounds.iter_mut().find(|(f, _)| *f == fs) {
                Some((_, b)) => *b = (*b).min(bound),
                None => bounds.push((fs, bound)),
            }
        }
        bounds
    }

    /// After any event other than a sync: rates may have changed, so the skipped-to sync may
    /// have to come earlier.
    pub(super) fn reconsider_skip(&mut self) {
        let Some((last, at)) = self.skip else { return };
        // Same fill functions, same crossing times: `crossing` is exact, so computed at a later
        // instant it gives the same time, or (once past) a tick no earlier than `at`.
        if self.limited.is_empty() && self.node.fill_states().eq(self.skip_basis.iter().copied()) {
            return;
        }
        self.skip_basis.clear();
        self.skip_basis.extend(self.node.fill_states());
        let new_at = self.next_useful_sync(last);
        if new_at < at {
            self.sync_gen += 1;
            self.skip = Some((last, new_at));
            self.engine.schedule_slot_at(
                SLOT_EVICTION_SYNC,
                new_at,
                Ev::EvictionSync(self.sync_gen),
            );
        }
    }
}

/// A lower bound on when `used + rate·(t − now)` (nano-bytes, rate in bytes/s) exceeds
/// `bound` bytes: `now` if it already does, `SimTime::MAX` if it never will.
fn crossing(now: SimTime, used_nb: u128, rate: u128, bound: u128) -> SimTime {
    let bound_nb = bound * NANOS_PER_SEC as u128;
    if used_nb > bound_nb {
        return now;
    }
    if rate == 0 {
        return SimTime::MAX;
    }
    let dt = (bound_nb - used_nb) / rate;
    now.saturating_add(dt.min(SimTime::MAX as u128) as SimTime)
}
