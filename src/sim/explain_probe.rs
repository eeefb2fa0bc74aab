//! `explain`'s probe: traces the decision asked for, adds what only the node knows (bytes
//! freed on disk, which containers use an image, pod names), and stops the run there.
//!
//! A plain run has no probe: the GC pass and the eviction sync then build no trace, and the
//! only cost is the check that there is none.

use super::eviction_env::ReclaimLog;
use super::*;
use crate::explain::{
    ActedOn, Conditions, Decision, DecisionKind, EventView, EvictedPod, EvictionSync,
    ExplainRequest, FsRead, GcPass, GcPolicyView, ImageRow, NoDecision, Observation, PassedOver,
    RankedPod, Ranking, Reclaim, ThresholdRow, Verdict, WalkEnd,
};
use crate::kubelet::eviction::helpers::{FsStatsType, NodeReclaimFunc, SignalObservations};
use crate::kubelet::eviction::manager::{SyncEnd, SyncResult, SyncTrace};
use crate::kubelet::eviction::types::{ThresholdOperator, ThresholdValue};
use crate::kubelet::image_gc_manager::{self as igc, GcOutcome, GcPassTrace, ImageVerdict};
use crate::node::ImageRemoval;

pub(super) const GC: DecisionKind = DecisionKind::Gc;
pub(super) const EVICTION: DecisionKind = DecisionKind::Eviction;

/// What the probe looks for and what it has seen.
#[derive(Debug)]
pub(super) struct Probe {
    req: ExplainRequest,
    passed: PassedOver,
    last_before: Option<(SimTime, DecisionKind)>,
    found: Option<Decision>,
    /// While the traced decision runs: the events it emits.
    pub(super) capturing: bool,
    events: Vec<EventView>,
}

impl Probe {
    pub(super) fn capture(&mut self, e: &KubeletEvent, node_name: &str) {
        if self.capturing {
            self.events.push(EventView {
                reason: e.reason.to_string(),
                object: e.object.render(node_name),
                message: e.message.clone(),
            });
        }
    }

    /// The decision is found: the run can stop.
    pub(super) fn done(&self) -> bool {
        self.found.is_some()
    }

    /// Whether the decision of `kind` at `now` is one to trace.
    fn traces(&self, kind: DecisionKind, now: SimTime) -> bool {
        self.found.is_none() && now >= self.req.at_ns && self.req.takes(kind)
    }

    /// A decision of `kind` at `now` that did nothing (`did` false) or something: before the
    /// instant it is remembered as the last one; at or after it, passed over or explained.
    /// Returns whether it is the one to explain.
    fn weigh(&mut self, kind: DecisionKind, now: SimTime, did: bool) -> bool {
        if !self.req.takes(kind) || self.found.is_some() {
            return false;
        }
        if now < self.req.at_ns {
            if did {
                self.last_before = Some((now, kind));
            }
            return false;
        }
        if did || self.req.any {
            return true;
        }
        match kind {
            DecisionKind::Gc => self.passed.gc_passes += 1,
            DecisionKind::Eviction => self.passed.eviction_syncs += 1,
        }
        false
    }
}

fn fs_read(capacity: u64, available: u64) -> FsRead {
    let available = available.min(capacity);
    FsRead {
        capacity_bytes: capacity,
        available_bytes: available,
        usage_percent: if capacity == 0 {
            100
        } else {
            igc::usage_percent(capacity, available)
        },
    }
}

fn observations(o: &SignalObservations) -> Vec<Observation> {
    o.iter()
        .map(|(s, v)| Observation {
            signal: s.as_str().to_string(),
            available: v.available,
            capacity: v.capacity,
        })
        .collect()
}

/// A threshold value as configured: `15%`, `2Gi`.
fn value_text(v: &ThresholdValue) -> String {
    match v {
        ThresholdValue::Quantity(q) => q.to_string(),
        ThresholdValue::Percentage(p) => {
            let pct = (*p as f64 * 100.0 * 1e4).round() / 1e4;
            format!("{pct}%")
        }
    }
}

fn end_text(e: Option<SyncEnd>) -> &'static str {
    match e {
        None => "",
        Some(SyncEnd::NothingConfigured) => {
            "nothing to do: no thresholds and local storage isolation off (step 1)"
        }
        Some(SyncEnd::DetectionFailed) => "filesystem detection failed (step 2)",
        Some(SyncEnd::NoSummary) => "no summary stats (step 3)",
        Some(SyncEnd::LimitEvictions) => {
            "pods over their local-storage limits were evicted; the sync ends there (step 11)"
        }
        Some(SyncEnd::NothingToActOn) => {
            "no threshold met has fresh stats since the last sync: nothing to act on (step 12)"
        }
        Some(SyncEnd::ReclaimedEnough) => {
            "node-level reclaim cleared every threshold (with min-reclaim): no pod evicted (step 15)"
        }
        Some(SyncEnd::NoRankingFunction) => "no ranking function for the signal (step 16)",
        Some(SyncEnd::NoActivePods) => "no active pods to evict (step 16)",
        Some(SyncEnd::Evicted) => "one pod evicted: the first non-critical pod of the ranking (step 17)",
        Some(SyncEnd::NoEvictablePod) => "every ranked pod is critical: none evicted (step 17)",
    }
}

impl Simulation<'_> {
    /// Runs until the decision `req` asks for is made (and stops there), or to the end.
    pub fn explain(
        mut self,
        req: ExplainRequest,
        rec: &mut dyn Recorder,
    ) -> Result<(Decision, PassedOver), NoDecision> {
        // Every sync ticks, as on a node: skipping quiet syncs changes no outcome (a property
        // test checks it), but the literal next sync (`--any`) and the count of syncs passed
        // over are the kubelet's own only when none is skipped.
        self.skip_enabled = false;
        self.probe = Some(Box::new(Probe {
            req,
            passed: PassedOver::default(),
            last_before: None,
            found: None,
            capturing: false,
            events: Vec::new(),
        }));
        self.run_loop(rec, LoopMode::Explain)
            .expect("invariants are only checked on request");
        let mut p = self.probe.take().expect("the probe");
        if let Some(d) = p.found.take() {
            return Ok((d, p.passed));
        }
        Err(NoDecision {
            passed_over: p.passed,
            last_before: p.last_before,
        })
    }

    /// A fresh trace if the probe traces this decision, else `None` (always, in a plain run).
    pub(super) fn probe_traces<T: Default>(&self, kind: DecisionKind, now: SimTime) -> Option<T> {
        self.probe
            .as_deref()
            .is_some_and(|p| p.traces(kind, now))
            .then(T::default)
    }

    fn take_events(&mut self) -> Vec<EventView> {
        let p = self.probe.as_deref_mut().expect("the probe");
        p.capturing = false;
        std::mem::take(&mut p.events)
    }

    /// After a GC pass (with the probe): explain it if it is the one.
    pub(super) fn probe_gc(
        &mut self,
        now: SimTime,
        out: GcOutcome,
        trace: Option<GcPassTrace>,
        removals: &[ImageRemoval],
    ) {
        let did = out.trigger.is_some() || !out.deletions.is_empty() || out.result.is_err();
        let events = self.take_events();
        let p = self.probe.as_deref_mut().expect("the probe");
        if !p.weigh(GC, now, did) {
            return;
        }
        let Some(trace) = trace else { return };
        let images = self.image_rows(&trace, removals, now);
        let pol = self.gc.policy;
        let fs = self.node.image_fs();
        let after = self.node.fs_stats(fs);
        let pass = GcPass {
            time_ns: now,
            timestamp: self.sc.start_time.map(|t| t.plus_ns(now).to_string()),
            gc_loop_started_ns: self.began_gc,
            policy: GcPolicyView {
                high_threshold_percent: pol.high_threshold_percent,
                low_threshold_percent: pol.low_threshold_percent,
                min_age_ns: pol.min_age,
                max_age_ns: pol.max_age,
            },
            filesystem: trace.stats.map(|(c, a)| fs_read(c, a)),
            over_high_threshold: out.trigger.is_some(),
            amount_to_free: out.trigger.map(|t| t.amount_to_free),
            max_age_stage: trace.max_age_stage,
            images,
            walk_end: trace.walk_end.map(|w| match w {
                igc::WalkEnd::FreedEnough => WalkEnd::FreedEnough,
                igc::WalkEnd::RanOutOfCandidates => WalkEnd::RanOutOfCandidates,
            }),
            freed_reported_bytes: out.deletions.iter().map(|d| d.reported_size).sum(),
            freed_on_disk_bytes: removals.iter().map(|r| r.freed_on_disk).sum(),
            after: fs_read(
                after.capacity_bytes.unwrap_or(0),
                after.available_bytes.unwrap_or(0),
            ),
            error: out.result.err(),
            events,
        };
        self.probe.as_deref_mut().expect("the probe").found =
            Some(Decision::ImageGc(Box::new(pass)));
    }

    /// The trace's rows with the node's facts: bytes on disk, containers, ages.
    fn image_rows(
        &self,
        trace: &GcPassTrace,
        removals: &[ImageRemoval],
        now: SimTime,
    ) -> Vec<ImageRow> {
        let mut position = 0;
        trace
            .images
            .iter()
            .map(|r| {
                let idx = self.node.catalog.image_index(&r.image_id);
                let deleted = matches!(
                    r.verdict,
                    ImageVerdict::Deleted | ImageVerdict::DeletedByAge
                );
                let on_disk_bytes = match idx {
                    Some(i) if deleted => removals
                        .iter()
                        .find(|x| x.image == i)
                        .map_or(0, |x| x.freed_on_disk),
                    Some(i) => self.node.exclusive_layer_bytes(i),
                    None => 0,
                };
                let used_by = idx.map(|i| self.containers_of(i)).unwrap_or_default();
                let verdict = match &r.verdict {
                    ImageVerdict::InUse => Verdict::InUse,
                    ImageVerdict::Pinned => Verdict::Pinned,
                    ImageVerdict::DeletedByAge => Verdict::DeletedByAge {
                        unused_ns: r.last_used.map(|lu| now.saturating_sub(lu)),
                    },
                    ImageVerdict::Deleted => Verdict::Deleted,
                    ImageVerdict::TooYoung => Verdict::TooYoung {
                        age_ns: now.saturating_sub(r.first_detected),
                    },
                    ImageVerdict::UsedNow => Verdict::UsedNow,
                    ImageVerdict::DeleteFailed(e) => Verdict::DeleteFailed { error: e.clone() },
                    ImageVerdict::NotReached => Verdict::NotReached,
                    ImageVerdict::NotWalked => Verdict::NotWalked,
                };
                ImageRow {
                    position: r.candidate.then(|| {
                        position += 1;
                        position
                    }),
                    image: r.image_id.to_string(),
                    first_detected_ns: r.first_detected,
                    last_used_ns: r.last_used,
                    reported_bytes: r.size,
                    on_disk_bytes,
                    pinned: r.pinned,
                    used_by,
                    verdict,
                }
            })
            .collect()
    }

    /// The containers of image `i`, as `pod/container (state)`.
    fn containers_of(&self, i: usize) -> Vec<String> {
        self.node
            .containers()
            .filter(|c| c.image == i)
            .map(|c| {
                let pod = pod_index(&self.pods, c.pod_uid)
                    .map_or_else(|| c.pod_uid.to_string(), |p| self.pods[p].spec.name.clone());
                let state = match c.state {
                    crate::kubelet::runtime::ContainerState::Running => "running",
                    crate::kubelet::runtime::ContainerState::Exited => "exited",
                };
                format!("{pod}/{} ({state})", c.name)
            })
            .collect()
    }

    /// After an eviction sync (with the probe): explain it if it is the one.
    pub(super) fn probe_sync(
        &mut self,
        now: SimTime,
        res: &SyncResult,
        trace: Option<SyncTrace>,
        reclaim_log: Option<Vec<ReclaimLog>>,
        removals: &[ImageRemoval],
    ) {
        let met = match &trace {
            Some(t) => t.thresholds.iter().any(|x| x.met_now || x.carried_over),
            None => self.eviction.thresholds_observed(),
        };
        let did = met || !res.evicted.is_empty() || res.error.is_some();
        let events = self.take_events();
        let p = self.probe.as_deref_mut().expect("the probe");
        if !p.weigh(EVICTION, now, did) {
            return;
        }
        let Some(t) = trace else { return };
        let reclaim = t
            .reclaim
            .iter()
            .map(|(f, err)| {
                let log = reclaim_log.iter().flatten().find(|l| l.function == *f);
                Reclaim {
                    function: match f {
                        NodeReclaimFunc::DeleteAllUnusedContainers => "DeleteAllUnusedContainers",
                        NodeReclaimFunc::DeleteUnusedImages => "DeleteUnusedImages",
                    }
                    .to_string(),
                    error: err.clone(),
                    containers_removed: log.map_or(0, |l| l.containers_removed),
                    images: log
                        .and_then(|l| l.images.as_ref())
                        .map(|tr| self.image_rows(tr, removals, now))
                        .unwrap_or_default(),
                    freed_bytes: log.map_or(0, |l| l.freed_bytes),
                }
            })
            .collect();
        let ranking = t
            .acted
            .filter(|_| !t.ranking.is_empty())
            .map(|(_, resource)| Ranking {
                counted: t
                    .rank_fs_types
                    .iter()
                    .map(|f| {
                        match f {
                            FsStatsType::Root => "writable layers",
                            FsStatsType::Logs => "logs",
                            FsStatsType::LocalVolumeSource => "emptyDir volumes",
                            FsStatsType::Images => "images (always 0)",
                        }
                        .to_string()
                    })
                    .collect(),
                resource: resource.as_str().to_string(),
                pods: t
                    .ranking
                    .iter()
                    .map(|(_, name, key, critical)| RankedPod {
                        pod: name.clone(),
                        has_stats: key.has_stats,
                        usage: key.usage,
                        request: key.request,
                        exceeds_request: key.exceeds,
                        priority: key.priority,
                        critical: *critical,
                    })
                    .collect(),
            });
        let names = |v: &[crate::kubelet::eviction::types::NodeConditionType]| -> Vec<String> {
            v.iter().map(|c| c.as_str().to_string()).collect()
        };
        let sync = EvictionSync {
            time_ns: now,
            timestamp: self.sc.start_time.map(|s| s.plus_ns(now).to_string()),
            observations: observations(&t.observations),
            thresholds: t
                .thresholds
                .iter()
                .map(|x| ThresholdRow {
                    signal: x.threshold.signal.as_str().to_string(),
                    hard: x.threshold.is_hard(),
                    value: value_text(&x.threshold.value),
                    quantity: x.quantity,
                    min_reclaim: x.min_reclaim,
                    grace_period_ns: x.threshold.grace_period,
                    can_be_met: x.threshold.operator == ThresholdOperator::LessThan,
                    available: t.observations.get(&x.threshold.signal).map(|o| o.available),
                    met_now: x.met_now,
                    carried_over: x.carried_over,
                    first_observed_ns: x.first_observed,
                    passed_grace: x.passed_grace,
                    stats_fresh: x.stats_fresh,
                    acted_on: x.acted_on,
                })
                .collect(),
            conditions: Conditions {
                reported_before: names(&t.conditions_reported_before),
                observed_now: names(&t.conditions_observed),
                last_observed_ns: t
                    .conditions_last_observed_at
                    .iter()
                    .map(|(c, at)| (c.as_str().to_string(), *at))
                    .collect(),
                transition_period_ns: self.eviction.config().pressure_transition_period,
                reported: names(&t.conditions_reported),
            },
            acted_on: t.acted.map(|(s, r)| ActedOn {
                signal: s.as_str().to_string(),
                resource: r.as_str().to_string(),
            }),
            reclaim,
            min_age_ns: self.gc.policy.min_age,
            after_reclaim: t.after_reclaim.as_ref().map(observations),
            reclaim_resolved: t.reclaim_resolved,
            ranking,
            evicted: res
                .evicted
                .iter()
                .map(|e| EvictedPod {
                    pod: e.pod_name.clone(),
                    signal: e.signal_label.clone(),
                    limit_eviction: e.limit_eviction,
                    grace_seconds: e.effective_grace_seconds,
                    message: e.message.clone(),
                })
                .collect(),
            end: match t.end {
                Some(SyncEnd::NothingToActOn)
                    if !t.thresholds.iter().any(|x| x.met_now || x.carried_over) =>
                {
                    "no threshold is met: nothing to act on (step 12)"
                }
                Some(SyncEnd::NothingToActOn)
                    if !t.thresholds.iter().any(|x| x.passed_grace) =>
                {
                    "a threshold is met, but not yet for its grace period: nothing to act on (step 12)"
                }
                e => end_text(e),
            }
            .to_string(),
            warnings: res.warnings.clone(),
            error: res.error.clone(),
            events,
        };
        self.probe.as_deref_mut().expect("the probe").found =
            Some(Decision::EvictionSync(Box::new(sync)));
    }
}
