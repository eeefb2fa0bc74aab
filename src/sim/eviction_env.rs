//! The kubelet-side glue the eviction manager reads each sync: the Summary API of the virtual
//! node, per-pod stats, the active pods, and the two node-level reclaim functions
//! (`DeleteAllUnusedContainers`, `DeleteUnusedImages`). Twin of what `kubelet.go` hands
//! `eviction.NewManager` and `Start` (summary provider, `GetActivePods`, `containerGC`,
//! `imageManager`).

use std::collections::BTreeMap;

use crate::engine::SimTime;
use crate::kubelet::container_gc::{containers_to_remove, ContainerGcPolicy, PodStateProvider};
use crate::kubelet::eviction::helpers::NodeReclaimFunc;
use crate::kubelet::eviction::helpers::{
    ContainerSpec as EvContainer, ContainerStats, EvictionPod, FsStats, FsUsage, NodeDiskSummary,
    PodStats, PodStatsMap, StorageMedium, VolumeSource, VolumeSpec, VolumeStats,
};
use crate::kubelet::eviction::manager::EvictionEnv;
use crate::kubelet::image_gc_manager::{Deletion, GcPassTrace, ImageGcManager};
use crate::kubelet::runtime::ContainerRuntime;
use crate::node::catalog::BYTES_PER_INODE;
use crate::node::{Layout, Node};
use crate::workload::trace::PodSpec;

/// The name of the emptyDir volume a container writes (one per container that has one).
pub fn emptydir_name(container: &str) -> String {
    format!("{container}-emptydir")
}

/// What eviction reads from a pod spec (`v1.Pod`): priority, criticality, grace period,
/// ephemeral-storage resources and emptyDir volumes.
pub fn eviction_pod(uid: u64, name: &str, spec: &PodSpec) -> EvictionPod {
    let mut p = EvictionPod::new(&uid.to_string(), name);
    p.priority = spec.priority;
    p.is_static = spec.critical;
    p.termination_grace_period_seconds = Some(spec.termination_grace_period_seconds);
    for c in &spec.containers {
        p.containers.push(EvContainer {
            name: c.name.clone(),
            ephemeral_storage_request: c.request.clone(),
            ephemeral_storage_limit: c.limit.clone(),
        });
        if c.emptydir_rate.is_some() || c.emptydir_limit.is_some() {
            p.volumes.push(VolumeSpec {
                name: emptydir_name(&c.name),
                source: VolumeSource::EmptyDir {
                    medium: StorageMedium::Default,
                    size_limit: c.emptydir_limit.clone(),
                },
            });
        }
    }
    p
}

/// The eviction manager's environment over the simulation's state for one sync.
pub struct Env<'a, 'b> {
    pub node: &'a mut Node,
    pub gc: &'a mut ImageGcManager,
    /// All pods, and which of them are active (non-terminal).
    pub pods: &'a [super::Pod<'b>],
    pub active: &'a std::collections::BTreeSet<usize>,
    pub pod_states: &'a dyn PodStateProvider,
    pub gc_policy: ContainerGcPolicy,
    pub now: SimTime,
    /// Images `DeleteUnusedImages` removed during this sync.
    pub deletions: Vec<Deletion>,
    pub containers_removed: u64,
    /// Some active pod has an ephemeral-storage limit or an emptyDir sizeLimit.
    pub any_limits: bool,
    /// For `explain`: what each reclaim function did (`None`: not asked, nothing is built).
    pub reclaim_log: Option<Vec<ReclaimLog>>,
}

/// One node-level reclaim function's effect, for `explain`.
#[derive(Debug)]
pub struct ReclaimLog {
    pub function: NodeReclaimFunc,
    pub containers_removed: u64,
    /// `DeleteUnusedImages`: what it did with each image.
    pub images: Option<GcPassTrace>,
    /// Available bytes it gave back, over every filesystem.
    pub freed_bytes: u64,
}

impl Env<'_, '_> {
    /// Available bytes over every filesystem (what a reclaim function gives back).
    fn available_total(&self) -> u64 {
        let t = self.node.now();
        self.node.filesystems().iter().map(|f| f.available(t)).sum()
    }

    fn fs(&self, id: usize) -> FsStats {
        let s = self.node.fs_stats(id);
        FsStats {
            available_bytes: s.available_bytes,
            capacity_bytes: s.capacity_bytes,
            inodes_free: s.inodes_free,
            inodes: s.inodes,
            time: Some(self.now),
        }
    }
}

impl EvictionEnv for Env<'_, '_> {
    fn summary(&mut self) -> Result<NodeDiskSummary, String> {
        Ok(NodeDiskSummary {
            node_fs: Some(self.fs(self.node.node_fs())),
            image_fs: Some(self.fs(self.node.image_fs())),
            container_fs: Some(self.fs(self.node.container_fs())),
        })
    }

    fn pod_stats(&mut self) -> PodStatsMap {
        let t = self.now;
        let inodes = self.node.models_inodes();
        let mut out = BTreeMap::new();
        for p in self.active.iter().map(|&i| &self.pods[i]) {
            let mut stats = PodStats::default();
            let mut total = 0u64;
            for (ci, c) in p.spec.containers.iter().enumerate() {
                let Some(ctr) = p.started[ci].and_then(|id| self.node.container(id)) else {
                    continue;
                };
                let (w, l) = (ctr.writable_bytes(t), ctr.log_bytes(t));
                total += w + l;
                // Inodes as the node counts them: one per BYTES_PER_INODE written, one log file.
                let ino = |n: u64| inodes.then_some(n);
                stats.containers.push(ContainerStats {
                    name: c.name.clone(),
                    rootfs: Some(FsUsage {
                        used_bytes: Some(w),
                        inodes_used: ino(w / BYTES_PER_INODE),
                    }),
                    logs: Some(FsUsage {
                        used_bytes: Some(l),
                        inodes_used: ino(ctr.log_files()),
                    }),
                });
                if c.emptydir_rate.is_some() || c.emptydir_limit.is_some() {
                    let v = ctr.volume_bytes(t);
                    total += v;
                    stats.volumes.push(VolumeStats {
                        name: emptydir_name(&c.name),
                        used_bytes: Some(v),
                        inodes_used: inodes.then_some(v / BYTES_PER_INODE),
                    });
                }
            }
            stats.ephemeral_storage_used_bytes = Some(total);
            out.insert(p.uid.to_string(), stats);
        }
        out
    }

    fn active_pods(&self) -> Vec<EvictionPod> {
        self.active
            .iter()
            .map(|&i| &self.pods[i])
            .map(|p| eviction_pod(p.uid, &p.spec.name, &p.spec))
            .collect()
    }

    fn may_exceed_local_limits(&self) -> bool {
        self.any_limits
    }

    fn has_dedicated_image_fs(&mut self) -> Result<bool, String> {
        Ok(self.node.layout != Layout::Shared)
    }

    fn has_split_container_fs(&mut self) -> bool {
        self.node.layout == Layout::Split
    }

    fn delete_all_unused_containers(&mut self) -> Result<(), String> {
        let before = self.reclaim_log.is_some().then(|| self.available_total());
        let removed_before = self.containers_removed;
        let remove = containers_to_remove(
            &self.node.list_exited_containers(),
            self.pod_states,
            self.gc_policy,
            self.now,
            true,
        );
        for id in remove {
            self.node.remove_container(id);
            self.containers_removed += 1;
        }
        if let Some(before) = before {
            let freed_bytes = self.available_total().saturating_sub(before);
            let containers_removed = self.containers_removed - removed_before;
            if let Some(log) = self.reclaim_log.as_mut() {
                log.push(ReclaimLog {
                    function: NodeReclaimFunc::DeleteAllUnusedContainers,
                    containers_removed,
                    images: None,
                    freed_bytes,
                });
            }
        }
        Ok(())
    }

    fn delete_unused_images(&mut self) -> Result<(), String> {
        if self.reclaim_log.is_none() {
            let (res, deletions) = self.gc.delete_unused_images(self.node, self.now);
            self.deletions.extend(deletions);
            return res;
        }
        let before = self.available_total();
        let mut trace = GcPassTrace::default();
        let (res, deletions) = self
            .gc
            .delete_unused_images_traced(self.node, self.now, &mut trace);
        self.deletions.extend(deletions);
        let freed_bytes = self.available_total().saturating_sub(before);
        if let Some(log) = self.reclaim_log.as_mut() {
            log.push(ReclaimLog {
                function: NodeReclaimFunc::DeleteUnusedImages,
                containers_removed: 0,
                images: Some(trace),
                freed_bytes,
            });
        }
        res
    }
}
