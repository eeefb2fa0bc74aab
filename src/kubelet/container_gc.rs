//! Twin of kubernetes pkg/kubelet/kuberuntime/kuberuntime_gc.go (v1.34), containers only.
//!
//! Container GC runs every `ContainerGCPeriod` (1 min) and decides which exited containers to
//! remove (kubelet-image-gc.md §5.3–5.4). This matters for image GC: an image stays "in use"
//! while any container of it exists, even an exited one (§1.3).
//!
//! Not modelled: sandboxes (their disk use is a few KiB) and the `podContainerDeletor` on PLEG
//! `ContainerDied` (it only trims restarted instances; the simulator does not restart
//! containers). Pod log directories go with the pod's containers.

use crate::engine::SimTime;
use crate::kubelet::runtime::{ContainerState, CriContainer};

/// `ContainerGCPeriod` (hard-coded, §1.1).
pub const CONTAINER_GC_PERIOD: SimTime = 60 * crate::engine::NANOS_PER_SEC;

/// `GCPolicy` from the deprecated flags (§5.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContainerGcPolicy {
    pub min_age: SimTime,
    /// `MaxPerPodContainer`; negative means no limit.
    pub max_per_pod_container: i64,
    /// `MaxContainers`; negative means no limit.
    pub max_containers: i64,
}

impl Default for ContainerGcPolicy {
    fn default() -> Self {
        ContainerGcPolicy {
            min_age: 0,
            max_per_pod_container: 1,
            max_containers: -1,
        }
    }
}

/// What the kubelet's pod state provider says about a pod UID.
pub trait PodStateProvider {
    /// `ShouldPodContentBeRemoved`: the pod is gone from the API (deleted) or evicted.
    fn should_pod_content_be_removed(&self, pod_uid: u64) -> bool;
    /// `ShouldPodRuntimeBeRemoved`: the pod is gone or has terminated (e.g. a finished Job).
    fn should_pod_runtime_be_removed(&self, pod_uid: u64) -> bool;
}

/// Decides which containers one GC run removes, in removal order. `evict_non_deleted_pods` is
/// true for `DeleteAllUnusedContainers` (the eviction manager's reclaim), false for the periodic
/// run. All config sources are taken as ready.
pub fn containers_to_remove(
    containers: &[CriContainer],
    pods: &dyn PodStateProvider,
    policy: ContainerGcPolicy,
    now: SimTime,
    evict_non_deleted_pods: bool,
) -> Vec<u64> {
    let newest_gc_time = now.saturating_sub(policy.min_age);
    // evictableContainers: not running, created before now - MinAge; grouped by
    // (pod UID, container name) in that order; each unit sorted newest first. One sorted list
    // with the units as ranges of it (start, length): the same order as a map of units.
    let mut evictable: Vec<&CriContainer> = containers
        .iter()
        .filter(|c| c.state != ContainerState::Running && c.created_at <= newest_gc_time)
        .collect();
    evictable.sort_by(|a, b| {
        (a.pod_uid, &*a.name, b.created_at, b.id).cmp(&(b.pod_uid, &*b.name, a.created_at, a.id))
    });
    let mut units: Vec<(usize, usize)> = Vec::new();
    for (i, c) in evictable.iter().enumerate() {
        match units.last_mut() {
            Some((start, len))
                if (evictable[*start].pod_uid, &*evictable[*start].name)
                    == (c.pod_uid, &*c.name) =>
            {
                *len += 1
            }
            _ => units.push((i, 1)),
        }
    }
    let mut removed = Vec::new();
    // Pods whose content should go: remove every evictable container of theirs.
    units.retain(|&(start, len)| {
        let uid = evictable[start].pod_uid;
        let gone = pods.should_pod_content_be_removed(uid)
            || (evict_non_deleted_pods && pods.should_pod_runtime_be_removed(uid));
        if gone {
            // Oldest first, as removeOldestN walks the tail.
            removed.extend(evictable[start..start + len].iter().rev().map(|c| c.id));
        }
        !gone
    });
    // Keeps the newest `keep` of each unit, removing the rest oldest first.
    let trim = |units: &mut Vec<(usize, usize)>, keep: usize, removed: &mut Vec<u64>| {
        for (start, len) in units.iter_mut() {
            if *len > keep {
                removed.extend(
                    evictable[*start + keep..*start + *len]
                        .iter()
                        .rev()
                        .map(|c| c.id),
                );
                *len = keep;
            }
        }
    };
    // Keep the newest MaxPerPodContainer of each unit.
    if policy.max_per_pod_container >= 0 {
        trim(
            &mut units,
            policy.max_per_pod_container as usize,
            &mut removed,
        );
    }
    // Global cap MaxContainers: first a per-unit share, then the oldest overall.
    if policy.max_containers >= 0 {
        let total: usize = units.iter().map(|&(_, len)| len).sum();
        let max = policy.max_containers as usize;
        if total > max && !units.is_empty() {
            let per_unit = (max / units.len()).max(1);
            trim(&mut units, per_unit, &mut removed);
            let mut flat: Vec<&CriContainer> = units
                .iter()
                .flat_map(|&(start, len)| evictable[start..start + len].iter().copied())
                .collect();
            if flat.len() > max {
                flat.sort_by_key(|c| std::cmp::Reverse((c.created_at, c.id)));
                removed.extend(flat[max..].iter().rev().map(|c| c.id));
            }
        }
    }
    removed
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    struct Pods {
        deleted: BTreeSet<u64>,
        terminated: BTreeSet<u64>,
    }
    impl PodStateProvider for Pods {
        fn should_pod_content_be_removed(&self, uid: u64) -> bool {
            self.deleted.contains(&uid)
        }
        fn should_pod_runtime_be_removed(&self, uid: u64) -> bool {
            self.deleted.contains(&uid) || self.terminated.contains(&uid)
        }
    }

    fn c(id: u64, pod: u64, name: &str, state: ContainerState, created: SimTime) -> CriContainer {
        CriContainer {
            id,
            pod_uid: pod,
            name: name.into(),
            image_id: "img".into(),
            state,
            created_at: created,
        }
    }

    #[test]
    fn deleted_pods_lose_all_exited_containers_running_ones_stay() {
        use ContainerState::*;
        let cs = vec![
            c(1, 10, "a", Exited, 0),
            c(2, 10, "b", Running, 0),
            c(3, 11, "a", Exited, 0),
        ];
        let pods = Pods {
            deleted: [10].into(),
            terminated: BTreeSet::new(),
        };
        let r = containers_to_remove(&cs, &pods, ContainerGcPolicy::default(), 100, false);
        assert_eq!(r, vec![1]);
    }

    #[test]
    fn terminated_pod_keeps_one_dead_container_until_eviction_reclaim() {
        use ContainerState::*;
        let cs = vec![c(1, 10, "a", Exited, 0), c(2, 10, "a", Exited, 5)];
        let pods = Pods {
            deleted: BTreeSet::new(),
            terminated: [10].into(),
        };
        // Periodic run: keep the newest one per (pod, name).
        assert_eq!(
            containers_to_remove(&cs, &pods, ContainerGcPolicy::default(), 100, false),
            vec![1]
        );
        // DeleteAllUnusedContainers: the terminated pod's containers all go.
        assert_eq!(
            containers_to_remove(&cs, &pods, ContainerGcPolicy::default(), 100, true),
            vec![1, 2]
        );
    }

    #[test]
    fn min_age_counts_from_creation() {
        use ContainerState::*;
        let cs = vec![c(1, 10, "a", Exited, 50)];
        let pods = Pods {
            deleted: [10].into(),
            terminated: BTreeSet::new(),
        };
        let p = ContainerGcPolicy {
            min_age: 60,
            ..Default::default()
        };
        assert!(containers_to_remove(&cs, &pods, p, 100, false).is_empty());
        assert_eq!(containers_to_remove(&cs, &pods, p, 110, false), vec![1]);
    }

    #[test]
    fn max_containers_removes_the_oldest_overall() {
        use ContainerState::*;
        let cs = vec![
            c(1, 10, "a", Exited, 1),
            c(2, 11, "a", Exited, 2),
            c(3, 12, "a", Exited, 3),
        ];
        let pods = Pods {
            deleted: BTreeSet::new(),
            terminated: BTreeSet::new(),
        };
        let p = ContainerGcPolicy {
            max_containers: 1,
            ..Default::default()
        };
        assert_eq!(containers_to_remove(&cs, &pods, p, 100, false), vec![1, 2]);
    }

    /// kuberuntime_gc.go evictContainers: `if MaxContainers >= 0 && NumContainers() >
    /// MaxContainers` each unit keeps a share of `MaxContainers / NumEvictUnits` (at least 1),
    /// removed oldest first (removeOldestN), then the oldest overall go. Two units, pod 10 "a"
    /// created at t = 1, 2, 3 and pod 11 "a" at t = 4, 5, 6, no per-container limit:
    /// - MaxContainers = 6 or 7: 6 containers are not more than the cap: nothing goes (a share
    ///   of 6 / 2 = 3 would keep all anyway).
    /// - MaxContainers = 4: 6 > 4, share 4 / 2 = 2 each: t = 1 and t = 4 go, leaving 4.
    /// - MaxContainers = 1: 6 > 1, share max(1 / 2, 1) = 1 each: t = 1, 2 then 4, 5 go, leaving
    ///   t = 3 and 6, still over 1: the oldest overall, t = 3, goes too.
    ///
    /// Then a third unit (pod 12, t = 7), 7 containers:
    /// - MaxContainers = 6: 7 > 6, share 6 / 3 = 2 each: t = 1 and t = 4 go, leaving 5.
    /// - MaxContainers = 7: not more than the cap: nothing goes, although a share of 7 / 3 = 2
    ///   each would have removed t = 1 and t = 4.
    #[test]
    fn max_containers_share_per_unit_then_oldest_overall() {
        use ContainerState::*;
        let mut cs: Vec<CriContainer> = (1..=6)
            .map(|t| c(t, if t <= 3 { 10 } else { 11 }, "a", Exited, t as SimTime))
            .collect();
        let pods = Pods {
            deleted: BTreeSet::new(),
            terminated: BTreeSet::new(),
        };
        let p = |max| ContainerGcPolicy {
            max_per_pod_container: -1,
            max_containers: max,
            ..Default::default()
        };
        assert!(containers_to_remove(&cs, &pods, p(6), 100, false).is_empty());
        assert!(containers_to_remove(&cs, &pods, p(7), 100, false).is_empty());
        assert_eq!(
            containers_to_remove(&cs, &pods, p(4), 100, false),
            vec![1, 4]
        );
        assert_eq!(
            containers_to_remove(&cs, &pods, p(1), 100, false),
            vec![1, 2, 4, 5, 3]
        );
        cs.push(c(7, 12, "a", Exited, 7));
        assert_eq!(
            containers_to_remove(&cs, &pods, p(6), 100, false),
            vec![1, 4]
        );
        assert!(containers_to_remove(&cs, &pods, p(7), 100, false).is_empty());
    }
}
