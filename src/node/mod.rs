//! The virtual node: its filesystems, the layer store, and the container runtime's state.
//!
//! It implements the CRI-shaped traits of [`crate::kubelet::runtime`], so the kubelet model
//! drives it exactly as the kubelet drives containerd or CRI-O. It knows images, layers,
//! containers and bytes; it knows nothing of pods' specs, GC policy or eviction.
//!
//! Concurrent pulls share layers: a layer being written by one pull is not written again by
//! another that needs it (containerd's content store takes one ingest per blob digest: a second
//! fetch of the same digest waits on the first's lock, then finds the blob committed; the
//! snapshotter likewise unpacks a layer once). So the second pull writes only the layers nobody
//! is fetching, and finishes when the layers it waits for are stored; if their pull fails, it
//! fetches them itself. Without this, parallel pulls of one image (serializeImagePulls = false)
//! counted its bytes once per pull on disk and in `pull_bytes`.
//!
//! Disk full: when a filesystem reaches its capacity, the pulls writing to it fail with
//! "no space left on device" (their partial bytes are dropped), and containers writing to it stop
//! growing (their writes fail) until something frees space on it.

pub mod catalog;
pub mod ledger;

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::engine::SimTime;
use crate::kubelet::container_log_manager::RotatedLog;
use crate::kubelet::runtime::{
    visit_listed_images, ContainerRuntime, ContainerState, CriContainer, CriImage, FsStats,
    ImageId, ImageRuntime, ListedImage, RuntimeError,
};
pub use catalog::Runtime;
use catalog::{Catalog, LayerCosts};
use ledger::{Grower, Ledger};

/// The error a pull gets when the image filesystem fills up (the exact runtime text is
/// UNCONFIRMED upstream; this is the errno text every runtime includes).
pub const NO_SPACE_LEFT: &str = "no space left on device";

/// How the node's disks are laid out (kubelet-eviction.md §3.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// One filesystem: imagefs == nodefs.
    Shared,
    /// Images and writable layers on a dedicated imagefs; logs and volumes on nodefs.
    DedicatedImagefs,
    /// KEP-4191: images on imagefs; writable layers, logs and volumes on nodefs.
    Split,
}

impl Layout {
    pub fn as_str(self) -> &'static str {
        match self {
            Layout::Shared => "shared",
            Layout::DedicatedImagefs => "dedicated-imagefs",
            Layout::Split => "split",
        }
    }
}

/// Index of a filesystem in [`Node::filesystems`]: 0 is nodefs, 1 the imagefs when separate.
pub type FsId = usize;
pub const NODEFS: FsId = 0;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeSpec {
    pub layout: Layout,
    pub nodefs_capacity: u64,
    pub nodefs_other_used: u64,
    pub imagefs_capacity: u64,
    pub imagefs_other_used: u64,
    /// Inode capacities; `None` leaves inodes unmodelled on that filesystem.
    pub nodefs_inodes: Option<u64>,
    pub imagefs_inodes: Option<u64>,
    /// Bytes a pull writes to the image filesystem per second (download and unpack).
    pub pull_bandwidth: u64,
    pub runtime: Runtime,
    /// containerd's `discard_unpacked_layers`: the blob goes once its layer is unpacked.
    pub discard_unpacked_layers: bool,
}

/// One filesystem's bytes by kind.
/// A filesystem's fill as a function of time: its ledgers and fixed bytes. Two equal states
/// give equal used bytes at every instant (a rebased ledger compares unequal while filling the
/// same: that only costs a recomputation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FillState {
    ledgers: [Ledger; 4],
    fixed: (u64, u64),
    capacity: u64,
}

#[derive(Debug, Clone, Default)]
pub struct Filesystem {
    pub capacity: u64,
    pub other_used: u64,
    /// Unpacked bytes of the layers stored here, each counted once.
    pub layer_bytes: u64,
    /// Inode capacity, when modelled, and the inodes of the layers stored here.
    pub inodes: Option<u64>,
    pub layer_inodes: u64,
    /// Container log files here (one inode each): every container's current file and its
    /// rotated ones.
    pub log_files: u64,
    pub writable: Ledger,
    /// The containers' current log files (they grow); rotated ones are `rotated_logs`.
    pub logs: Ledger,
    /// Bytes of rotated log files (constant until a rotation or the container's removal).
    pub rotated_logs: u64,
    /// emptyDir volumes (on nodefs).
    pub volumes: Ledger,
    pub pulls: Ledger,
    /// True while full with containers' writes stalled.
    pub paused: bool,
    /// Bumped whenever the fill rate or level changes.
    pub generation: u64,
    /// When this filesystem fills at its current fill, if it ever does.
    full_at: Option<SimTime>,
    /// The earliest pending "full" timer. One timer per filesystem is enough: when it fires
    /// before `full_at` (the fill slowed since), it re-arms for `full_at`. This keeps the event
    /// queue free of a stale timer for every rate change.
    full_timer: Option<SimTime>,
}

impl Filesystem {
    /// Saturating: the parts are each exact, and only a sum past `u128::MAX` nano-bytes (far past
    /// any capacity) could wrap.
    fn used_nb(&self, t: SimTime) -> u128 {
        ((self.other_used as u128 + self.layer_bytes as u128 + self.rotated_logs as u128)
            * 1_000_000_000)
            .saturating_add(self.writable.value_nb(t))
            .saturating_add(self.logs.value_nb(t))
            .saturating_add(self.volumes.value_nb(t))
            .saturating_add(self.pulls.value_nb(t))
    }

    fn rate(&self) -> u128 {
        self.writable
            .rate()
            .saturating_add(self.logs.rate())
            .saturating_add(self.volumes.rate())
            .saturating_add(self.pulls.rate())
    }

    /// The sum of the whole bytes of each kind at `t`, not clamped to the capacity.
    pub fn parts(&self, t: SimTime) -> u128 {
        self.other_used as u128
            + self.layer_bytes as u128
            + self.writable.bytes(t) as u128
            + self.logs.bytes(t) as u128
            + self.rotated_logs as u128
            + self.volumes.bytes(t) as u128
            + self.pulls.bytes(t) as u128
    }

    /// Used bytes at `t`, never above capacity: the sum of the whole bytes of each kind, so
    /// that the parts reported in a sample add up exactly to the used bytes.
    pub fn used(&self, t: SimTime) -> u64 {
        self.parts(t).min(self.capacity as u128) as u64
    }

    /// Bytes of container logs here: the current files and the rotated ones.
    pub fn log_bytes(&self, t: SimTime) -> u64 {
        self.logs.bytes(t) + self.rotated_logs
    }

    pub fn available(&self, t: SimTime) -> u64 {
        self.capacity - self.used(t)
    }

    /// Inodes in use at `t`: layers as counted, log files one each, everything else one per
    /// `BYTES_PER_INODE` bytes. Running out of inodes does not stop writes in this model.
    pub fn inodes_used(&self, t: SimTime) -> u64 {
        let bpi = catalog::BYTES_PER_INODE;
        self.layer_inodes
            + self.log_files
            + (self.other_used
                + self.writable.bytes(t)
                + self.volumes.bytes(t)
                + self.pulls.bytes(t))
                / bpi
    }

    fn is_full(&self, t: SimTime) -> bool {
        self.used_nb(t) >= self.capacity as u128 * 1_000_000_000
    }

    /// When the filesystem fills at the current rates.
    fn full_time(&self, t: SimTime) -> Option<SimTime> {
        let rate = self.rate();
        if rate == 0 {
            return None;
        }
        let left = (self.capacity as u128 * 1_000_000_000).saturating_sub(self.used_nb(t));
        Some(t.saturating_add(left.div_ceil(rate).min(u64::MAX as u128) as u64))
    }
}

/// How fast a container writes, and the caps of its writable layer and log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Growth {
    pub writable_rate: u64,
    pub writable_cap: u64,
    pub log_rate: u64,
    pub log_cap: u64,
    /// Bytes/s into the pod's emptyDir volume (no cap: `sizeLimit` is enforced by eviction).
    pub volume_rate: u64,
}

/// Which of a container's growers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Stream {
    Writable,
    Log,
    /// The container's emptyDir volume.
    Volume,
}

#[derive(Debug, Clone)]
pub struct Container {
    pub id: u64,
    pub pod_uid: u64,
    pub name: Arc<str>,
    pub image: usize,
    pub state: ContainerState,
    pub created_at: SimTime,
    writable: Grower,
    log: Grower,
    volume: Grower,
    writable_rate: u64,
    log_rate: u64,
    volume_rate: u64,
    generation: u64,
    /// Rotated log files, oldest first, and their total bytes.
    rotated: Vec<RotatedLog>,
    rotated_bytes: u64,
    /// The current log's size that [`NodeTimer::LogWatch`] fires at, and the token of its timer
    /// (older timers are stale).
    log_watch: Option<u64>,
    watch_token: u64,
}

impl Container {
    pub fn writable_bytes(&self, t: SimTime) -> u64 {
        self.writable.bytes(t)
    }
    /// Bytes of all the container's log files (what the kubelet's stats count as its logs:
    /// the container's log directory).
    pub fn log_bytes(&self, t: SimTime) -> u64 {
        self.log.bytes(t) + self.rotated_bytes
    }
    /// Bytes of the current log file.
    pub fn current_log_bytes(&self, t: SimTime) -> u64 {
        self.log.bytes(t)
    }
    /// The rotated log files, oldest first.
    pub fn rotated_logs(&self) -> &[RotatedLog] {
        &self.rotated
    }
    /// The number of log files (current + rotated).
    pub fn log_files(&self) -> u64 {
        1 + self.rotated.len() as u64
    }
    /// Whether the container's emptyDir volume holds anything at `t` (to the nano-byte).
    pub fn has_volume_data(&self, t: SimTime) -> bool {
        self.volume.value_nb(t) > 0
    }
    pub fn volume_bytes(&self, t: SimTime) -> u64 {
        self.volume.bytes(t)
    }
}

#[derive(Debug, Clone)]
struct Pull {
    image: usize,
    bytes: Grower,
    generation: u64,
    /// The layers this pull writes (claimed in [`Node::fetching`]).
    claimed: Vec<usize>,
    /// Its own bytes are written; it waits for layers another pull is fetching.
    waiting: bool,
}

/// A timer the node asks the simulation to set. Each carries the generation it was computed
/// for; a timer whose generation is stale is ignored when it fires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeTimer {
    GrowerCap {
        container: u64,
        stream: Stream,
        generation: u64,
    },
    PullDone {
        pull: u64,
        generation: u64,
    },
    DiskFull {
        fs: FsId,
        generation: u64,
    },
    /// A container's current log file reaches the size set by [`Node::watch_log`].
    /// (Two fields, as the other timers: a larger timer makes every event queue entry larger.)
    LogWatch {
        container: u64,
        token: u64,
    },
}

/// The result of a finished or failed pull.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PullResult {
    pub pull: u64,
    pub image: usize,
    /// Bytes this pull wrote; on failure, what it had written before failing.
    pub bytes: u64,
    pub error: Option<String>,
}

/// One image removed from the runtime, and the bytes that removal really freed on disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageRemoval {
    pub image: usize,
    pub freed_on_disk: u64,
}

#[derive(Debug, Clone)]
pub struct Node {
    pub catalog: Catalog,
    pub layout: Layout,
    pull_bandwidth: u64,
    filesystems: Vec<Filesystem>,
    layer_refs: Vec<u32>,
    /// What each layer costs on disk and to pull, by runtime.
    costs: LayerCosts,
    /// The pull writing each layer not on disk, if any (see the module header).
    fetching: Vec<Option<u64>>,
    present: Vec<bool>,
    containers: BTreeMap<u64, Container>,
    pulls: BTreeMap<u64, Pull>,
    next_container_id: u64,
    next_pull_id: u64,
    /// The next log watch timer's token.
    next_watch_token: u64,
    now: SimTime,
    timers: Vec<(SimTime, NodeTimer)>,
    removals: Vec<ImageRemoval>,
    failed_pulls: Vec<PullResult>,
    present_count: usize,
    reported_bytes: u64,
    /// Bumped when the image list or the container set changes (see `ImageRuntime::generation`).
    generation: u64,
    /// IDs of exited containers, for container GC, and a counter of changes to that set.
    exited: std::collections::BTreeSet<u64>,
    exited_generation: u64,
    /// Bumped when an image is stored or removed.
    image_generation: u64,
    /// Detection without shortcuts: no generations, no handles, every listing copied and
    /// looked up as the default [`ImageRuntime`] does (to prove the shortcuts change nothing).
    pub plain_listing: bool,
    /// Containers per image, for the images some container uses.
    in_use: BTreeMap<usize, u32>,
}

impl Node {
    pub fn new(spec: &NodeSpec, catalog: Catalog) -> Self {
        let mut filesystems = vec![Filesystem {
            capacity: spec.nodefs_capacity,
            other_used: spec.nodefs_other_used,
            inodes: spec.nodefs_inodes,
            ..Default::default()
        }];
        if spec.layout != Layout::Shared {
            filesystems.push(Filesystem {
                capacity: spec.imagefs_capacity,
                other_used: spec.imagefs_other_used,
                inodes: spec.imagefs_inodes,
                ..Default::default()
            });
        }
        let nl = catalog.layers.len();
        let ni = catalog.images.len();
        let costs = LayerCosts::new(&catalog, spec.runtime, spec.discard_unpacked_layers);
        Node {
            costs,
            catalog,
            layout: spec.layout,
            pull_bandwidth: spec.pull_bandwidth.max(1),
            filesystems,
            layer_refs: vec![0; nl],
            fetching: vec![None; nl],
            present: vec![false; ni],
            containers: BTreeMap::new(),
            pulls: BTreeMap::new(),
            next_container_id: 1,
            next_pull_id: 1,
            next_watch_token: 1,
            now: 0,
            timers: Vec::new(),
            removals: Vec::new(),
            failed_pulls: Vec::new(),
            present_count: 0,
            reported_bytes: 0,
            generation: 0,
            exited: std::collections::BTreeSet::new(),
            exited_generation: 0,
            image_generation: 0,
            plain_listing: false,
            in_use: BTreeMap::new(),
        }
    }

    /// The filesystem that holds images (and pulls).
    pub fn image_fs(&self) -> FsId {
        if self.layout == Layout::Shared {
            NODEFS
        } else {
            1
        }
    }

    /// The filesystem that holds containers' writable layers.
    pub fn container_fs(&self) -> FsId {
        match self.layout {
            Layout::Shared | Layout::Split => NODEFS,
            Layout::DedicatedImagefs => 1,
        }
    }

    /// The filesystem that holds logs (and volumes).
    pub fn node_fs(&self) -> FsId {
        NODEFS
    }

    pub fn filesystems(&self) -> &[Filesystem] {
        &self.filesystems
    }

    pub fn set_now(&mut self, t: SimTime) {
        debug_assert!(t >= self.now);
        self.now = t;
    }

    pub fn now(&self) -> SimTime {
        self.now
    }

    /// Timers requested since the last call.
    /// The timers set since the last call (the buffer is kept, so this allocates nothing).
    pub fn drain_timers(&mut self) -> std::vec::Drain<'_, (SimTime, NodeTimer)> {
        self.timers.drain(..)
    }

    /// Image removals since the last call, with the bytes each freed on disk.
    pub fn take_removals(&mut self) -> Vec<ImageRemoval> {
        std::mem::take(&mut self.removals)
    }

    /// Pulls that failed because their filesystem filled up, since the last call.
    pub fn take_failed_pulls(&mut self) -> Vec<PullResult> {
        std::mem::take(&mut self.failed_pulls)
    }

    pub fn is_present(&self, image: usize) -> bool {
        self.present[image]
    }

    pub fn containers(&self) -> impl Iterator<Item = &Container> {
        self.containers.values()
    }

    pub fn container(&self, id: u64) -> Option<&Container> {
        self.containers.get(&id)
    }

    pub fn images_present(&self) -> usize {
        self.present_count
    }

    /// Sum of the runtime-reported sizes of the images present (what the kubelet believes).
    pub fn reported_image_bytes(&self) -> u64 {
        self.reported_bytes
    }

    /// Changes whenever a container exits or an exited container is removed.
    pub fn exited_generation(&self) -> u64 {
        self.exited_generation
    }

    pub fn container_count(&self) -> usize {
        self.containers.len()
    }

    /// Marks image `i` stored and references its layers.
    fn store_image(&mut self, i: usize) {
        self.generation += 1;
        self.image_generation += 1;
        let fs = self.image_fs();
        self.present[i] = true;
        self.present_count += 1;
        self.reported_bytes += self.catalog.reported_size(i);
        for &l in &self.catalog.images[i].layers {
            self.layer_refs[l] += 1;
            if self.layer_refs[l] == 1 {
                self.filesystems[fs].layer_bytes += self.costs.disk[l];
                self.filesystems[fs].layer_inodes += self.costs.inodes[l];
            }
        }
    }

    /// Unpacked bytes of distinct layers referenced by present images.
    pub fn layer_bytes(&self) -> u64 {
        self.filesystems.iter().map(|f| f.layer_bytes).sum()
    }

    /// The bytes removing present image `i` now would free on disk: its layers no other present
    /// image uses (with containerd's blobs), as [`Node::take_removals`] would report them.
    pub fn exclusive_layer_bytes(&self, i: usize) -> u64 {
        if !self.present[i] {
            return 0;
        }
        self.catalog.images[i]
            .layers
            .iter()
            .filter(|&&l| self.layer_refs[l] == 1)
            .map(|&l| self.costs.disk[l])
            .sum()
    }

    /// Recomputes on-disk layer bytes from the reference counts (for invariant checks).
    pub fn layer_bytes_from_refs(&self) -> u64 {
        let mut on = vec![false; self.layer_refs.len()];
        for (i, im) in self.catalog.images.iter().enumerate() {
            if self.present[i] {
                for &l in &im.layers {
                    on[l] = true;
                }
            }
        }
        on.iter()
            .zip(&self.costs.disk)
            .filter(|(o, _)| **o)
            .map(|(_, d)| d)
            .sum()
    }

    pub fn pulls_in_flight(&self) -> usize {
        self.pulls.len()
    }

    fn touch_fs(&mut self, fs: FsId) {
        let t = self.now;
        let f = &mut self.filesystems[fs];
        f.generation += 1;
        f.full_at = f.full_time(t);
        self.arm_full_timer(fs);
    }

    /// Schedules a "full" timer for `full_at` unless an earlier (or equal) one is pending.
    fn arm_full_timer(&mut self, fs: FsId) {
        let f = &mut self.filesystems[fs];
        let Some(at) = f.full_at else { return };
        if f.full_timer.is_some_and(|p| p <= at) {
            return;
        }
        f.full_timer = Some(at);
        let generation = f.generation;
        self.timers
            .push((at, NodeTimer::DiskFull { fs, generation }));
    }

    /// Space was freed on `fs`: writers stalled by a full disk resume.
    fn freed_on(&mut self, fs: FsId) {
        if self.filesystems[fs].paused {
            self.filesystems[fs].paused = false;
            let ids: Vec<u64> = self.containers.keys().copied().collect();
            for id in ids {
                self.restore_rates(id);
            }
        }
        self.touch_fs(fs);
    }

    /// Arms the container's log watch, if any, for when its current log reaches the size.
    fn schedule_log_watch(&mut self, id: u64) {
        let t = self.now;
        let c = &self.containers[&id];
        let Some(size) = c.log_watch else { return };
        let v = c.log.value_nb(t);
        let target = size as u128 * 1_000_000_000;
        let at = if v >= target {
            t
        } else if c.log.rate() == 0 {
            return;
        } else {
            let dt = (target - v).div_ceil(c.log.rate() as u128);
            t.saturating_add(dt.min(SimTime::MAX as u128) as SimTime)
        };
        // Each arming gets a fresh token: a watch armed again (its rate changed) or cancelled
        // leaves the older timers stale.
        let token = self.next_watch_token;
        self.next_watch_token += 1;
        self.containers
            .get_mut(&id)
            .expect("looked up above")
            .watch_token = token;
        self.timers.push((
            at,
            NodeTimer::LogWatch {
                container: id,
                token,
            },
        ));
    }

    /// Asks for a [`NodeTimer::LogWatch`] when the container's current log file reaches `size`
    /// bytes (at once if it has), re-armed whenever its writing rate changes, until it fires.
    pub fn watch_log(&mut self, id: u64, size: u64) {
        let Some(c) = self.containers.get_mut(&id) else {
            return;
        };
        c.log_watch = Some(size);
        self.schedule_log_watch(id);
    }

    /// The container's current log file in nano-bytes (exact) and its growth in bytes/s, now.
    pub fn current_log_fill(&self, id: u64) -> Option<(u128, u64)> {
        let c = self.containers.get(&id)?;
        Some((c.log.value_nb(self.now), c.log.rate()))
    }

    /// A log watch fired: true if it is current (not armed again or answered since). A watch
    /// armed before a stall may fire early; the caller checks the log's size anyway.
    pub fn on_log_watch(&mut self, id: u64, token: u64) -> bool {
        match self.containers.get_mut(&id) {
            Some(c) if c.watch_token == token && c.log_watch.is_some() => {
                c.log_watch = None;
                true
            }
            _ => false,
        }
    }

    /// Rotates the container's log (the runtime's side of `rotateLatestLog`, with the files the
    /// kubelet kept, compressed or removed): its rotated files become `rotated` (the current
    /// file, renamed, among them) and it reopens an empty current file, which goes on growing
    /// at the container's rate up to what is left of its log cap; `rotate` turns its rotated
    /// files into the new ones, in place. Refused (false, `rotate` not called) while the
    /// filesystem is full: compressing a rotated file writes a temporary copy first.
    pub fn rotate_log(&mut self, id: u64, rotate: impl FnOnce(&mut Vec<RotatedLog>)) -> bool {
        let t = self.now;
        let nfs = self.node_fs();
        if self.filesystems[nfs].paused || !self.containers.contains_key(&id) {
            return false;
        }
        let c = self.containers.get_mut(&id).expect("checked");
        let before = c.rotated_bytes;
        // The current file's whole bytes leave the growing file (its rate and cap time stay:
        // the container's timers stay valid); they are now among the rotated files.
        let written = c.log.bytes(t);
        self.filesystems[nfs].logs.shrink(t, &mut c.log, written);
        let files_before = c.rotated.len() as u64;
        rotate(&mut c.rotated);
        let after: u64 = c.rotated.iter().map(|f| f.bytes).sum();
        let f = &mut self.filesystems[nfs];
        f.rotated_logs = f.rotated_logs - before + after;
        f.log_files = f.log_files - files_before + c.rotated.len() as u64;
        c.rotated_bytes = after;
        if before + written > after {
            self.freed_on(nfs);
        }
        true
    }

    fn schedule_caps(&mut self, id: u64) {
        self.schedule_caps_only(id);
        self.schedule_log_watch(id);
    }

    fn schedule_caps_only(&mut self, id: u64) {
        let c = &self.containers[&id];
        for (stream, g) in [
            (Stream::Writable, &c.writable),
            (Stream::Log, &c.log),
            (Stream::Volume, &c.volume),
        ] {
            if let Some(at) = g.cap_time() {
                self.timers.push((
                    at,
                    NodeTimer::GrowerCap {
                        container: id,
                        stream,
                        generation: c.generation,
                    },
                ));
            }
        }
    }

    /// Gives a running container on non-paused filesystems its configured rates back.
    fn restore_rates(&mut self, id: u64) {
        let t = self.now;
        let (cfs, nfs) = (self.container_fs(), self.node_fs());
        let Some(c) = self.containers.get_mut(&id) else {
            return;
        };
        if c.state != ContainerState::Running {
            return;
        }
        c.generation += 1;
        if !self.filesystems[cfs].paused && c.writable.bytes(t) < c.writable.cap() {
            let r = c.writable_rate;
            self.filesystems[cfs]
                .writable
                .set_rate(t, &mut c.writable, r);
        }
        if !self.filesystems[nfs].paused && c.log.bytes(t) < c.log.cap() {
            let r = c.log_rate;
            self.filesystems[nfs].logs.set_rate(t, &mut c.log, r);
        }
        if !self.filesystems[nfs].paused && c.volume.bytes(t) < c.volume.cap() {
            let r = c.volume_rate;
            self.filesystems[nfs].volumes.set_rate(t, &mut c.volume, r);
        }
        self.schedule_caps(id);
    }

    /// Creates and starts a container (CRI CreateContainer + StartContainer).
    pub fn start_container(&mut self, pod_uid: u64, name: &str, image: usize, g: Growth) -> u64 {
        let t = self.now;
        let id = self.next_container_id;
        self.next_container_id += 1;
        self.generation += 1;
        let c = Container {
            id,
            pod_uid,
            name: Arc::from(name),
            image,
            state: ContainerState::Running,
            created_at: t,
            writable: Grower::new(t, 0, g.writable_cap),
            log: Grower::new(t, 0, g.log_cap),
            volume: Grower::new(t, 0, u64::MAX),
            writable_rate: g.writable_rate,
            log_rate: g.log_rate,
            volume_rate: g.volume_rate,
            generation: 0,
            rotated: Vec::new(),
            rotated_bytes: 0,
            log_watch: None,
            watch_token: 0,
        };
        let (cfs, nfs) = (self.container_fs(), self.node_fs());
        self.filesystems[cfs].writable.add(t, &c.writable);
        self.filesystems[nfs].logs.add(t, &c.log);
        self.filesystems[nfs].volumes.add(t, &c.volume);
        self.filesystems[nfs].log_files += 1;
        *self.in_use.entry(image).or_insert(0) += 1;
        self.containers.insert(id, c);
        self.restore_rates(id);
        self.touch_fs(cfs);
        if nfs != cfs {
            self.touch_fs(nfs);
        }
        id
    }

    /// The container exits: it stops writing, and its bytes stay until it is removed.
    pub fn stop_container(&mut self, id: u64) {
        let t = self.now;
        let (cfs, nfs) = (self.container_fs(), self.node_fs());
        let Some(c) = self.containers.get_mut(&id) else {
            return;
        };
        if c.state == ContainerState::Exited {
            return;
        }
        c.state = ContainerState::Exited;
        self.exited.insert(id);
        self.exited_generation += 1;
        c.generation += 1;
        self.filesystems[cfs]
            .writable
            .set_rate(t, &mut c.writable, 0);
        self.filesystems[nfs].logs.set_rate(t, &mut c.log, 0);
        self.filesystems[nfs].volumes.set_rate(t, &mut c.volume, 0);
        self.touch_fs(cfs);
        if nfs != cfs {
            self.touch_fs(nfs);
        }
    }

    /// The pod's emptyDir volume of this container is torn down (pod termination): its bytes go.
    pub fn clear_volume(&mut self, id: u64) {
        let t = self.now;
        let nfs = self.node_fs();
        let Some(c) = self.containers.get_mut(&id) else {
            return;
        };
        c.generation += 1;
        let freed = self.filesystems[nfs].volumes.remove(t, &c.volume);
        let rate = c.volume.rate();
        c.volume = Grower::new(t, 0, u64::MAX);
        c.volume_rate = 0;
        self.filesystems[nfs].volumes.add(t, &c.volume);
        if freed > 0 || rate > 0 {
            self.freed_on(nfs);
        }
    }

    /// A container's grower reached its cap.
    pub fn on_grower_cap(&mut self, id: u64, stream: Stream, generation: u64) {
        let t = self.now;
        let (cfs, nfs) = (self.container_fs(), self.node_fs());
        let Some(c) = self.containers.get_mut(&id) else {
            return;
        };
        if c.generation != generation {
            return;
        }
        let fs = match stream {
            Stream::Writable => {
                self.filesystems[cfs]
                    .writable
                    .clamp_to_cap(t, &mut c.writable);
                cfs
            }
            Stream::Log => {
                self.filesystems[nfs].logs.clamp_to_cap(t, &mut c.log);
                nfs
            }
            Stream::Volume => {
                self.filesystems[nfs].volumes.clamp_to_cap(t, &mut c.volume);
                nfs
            }
        };
        self.touch_fs(fs);
    }

    /// Starts pulling image `image`: only layers neither on disk nor being fetched by another
    /// pull are written. Returns the pull ID.
    pub fn start_pull(&mut self, image: usize) -> u64 {
        let t = self.now;
        let id = self.next_pull_id;
        self.next_pull_id += 1;
        let mut claimed = Vec::new();
        let mut missing = 0u64;
        for &l in &self.catalog.images[image].layers {
            if self.layer_refs[l] == 0 && self.fetching[l].is_none() {
                self.fetching[l] = Some(id);
                claimed.push(l);
                missing += self.costs.pull[l];
            }
        }
        let fs = self.image_fs();
        let rate = if self.filesystems[fs].paused && missing > 0 {
            0
        } else {
            self.pull_bandwidth
        };
        let bytes = Grower::new(t, rate, missing);
        self.filesystems[fs].pulls.add(t, &bytes);
        let at = if missing == 0 {
            Some(t)
        } else {
            bytes.cap_time()
        };
        self.pulls.insert(
            id,
            Pull {
                image,
                bytes,
                generation: 0,
                claimed,
                waiting: false,
            },
        );
        if let Some(at) = at {
            self.timers.push((
                at,
                NodeTimer::PullDone {
                    pull: id,
                    generation: 0,
                },
            ));
        }
        if missing > 0 && self.filesystems[fs].is_full(t) {
            // A full disk fails the pull at once.
            self.timers.push((
                t,
                NodeTimer::DiskFull {
                    fs,
                    generation: u64::MAX,
                },
            ));
        }
        self.touch_fs(fs);
        id
    }

    /// A pull's bytes are all written. The image is stored unless some of its layers are still
    /// missing: a layer deleted since the pull started (GC of another image that shared it) or
    /// whose fetching pull failed is fetched by this pull too (it goes on writing); a layer
    /// another pull is fetching is waited for. Returns `None` while the pull goes on or waits,
    /// and for a stale timer.
    pub fn on_pull_done(&mut self, pull: u64, generation: u64) -> Option<PullResult> {
        let t = self.now;
        let p = self.pulls.get(&pull)?;
        if p.generation != generation {
            return None;
        }
        let image = p.image;
        let fs = self.image_fs();
        let mut extra = 0u64;
        let mut wait = false;
        if !self.present[image] {
            for &l in &self.catalog.images[image].layers {
                if self.layer_refs[l] > 0 {
                    continue;
                }
                match self.fetching[l] {
                    Some(q) if q == pull => {}
                    Some(_) => wait = true,
                    None => {
                        self.fetching[l] = Some(pull);
                        self.pulls.get_mut(&pull).expect("checked").claimed.push(l);
                        extra += self.costs.pull[l];
                    }
                }
            }
        }
        let p = self.pulls.get_mut(&pull).expect("checked above");
        if extra > 0 || wait {
            // Stop at what it wrote, then write the extra layers, or wait for a wake-up.
            self.filesystems[fs].pulls.clamp_to_cap(t, &mut p.bytes);
            p.generation += 1;
            if extra > 0 {
                p.bytes.raise_cap(p.bytes.cap() + extra);
                let rate = if self.filesystems[fs].paused {
                    0
                } else {
                    self.pull_bandwidth
                };
                self.filesystems[fs].pulls.set_rate(t, &mut p.bytes, rate);
                if let Some(at) = p.bytes.cap_time() {
                    let generation = p.generation;
                    self.timers
                        .push((at, NodeTimer::PullDone { pull, generation }));
                }
                if self.filesystems[fs].is_full(t) {
                    self.timers.push((
                        t,
                        NodeTimer::DiskFull {
                            fs,
                            generation: u64::MAX,
                        },
                    ));
                }
            } else {
                p.waiting = true;
            }
            self.touch_fs(fs);
            return None;
        }
        let p = self.pulls.remove(&pull)?;
        let written = self.filesystems[fs].pulls.remove(t, &p.bytes);
        if !self.present[p.image] {
            self.store_image(p.image);
        }
        self.release_claims(pull, &p.claimed);
        self.touch_fs(fs);
        Some(PullResult {
            pull,
            image: p.image,
            bytes: written,
            error: None,
        })
    }

    /// A pull ended (stored or failed): its layers are no longer being fetched, and the pulls
    /// waiting for layers look again now (stored: they may finish; failed: they fetch them).
    fn release_claims(&mut self, pull: u64, claimed: &[usize]) {
        for &l in claimed {
            if self.fetching[l] == Some(pull) {
                self.fetching[l] = None;
            }
        }
        let t = self.now;
        for (&id, p) in self.pulls.iter_mut() {
            if p.waiting {
                p.waiting = false;
                p.generation += 1;
                self.timers.push((
                    t,
                    NodeTimer::PullDone {
                        pull: id,
                        generation: p.generation,
                    },
                ));
            }
        }
    }

    /// A filesystem-full timer fired: fail the pulls writing to it, stall writers if still full.
    /// Returns false for a timer that found the disk not full (superseded, or early: re-armed).
    pub fn on_disk_full(&mut self, fs: FsId, generation: u64) -> bool {
        let t = self.now;
        let f = &mut self.filesystems[fs];
        if generation != u64::MAX {
            if f.full_timer != Some(t) {
                return false; // an earlier timer superseded this one
            }
            f.full_timer = None;
            if f.full_at != Some(t) {
                self.arm_full_timer(fs);
                return false;
            }
        }
        if !self.filesystems[fs].is_full(t) {
            return false;
        }
        if fs == self.image_fs() {
            let ids: Vec<u64> = self
                .pulls
                .iter()
                .filter(|(_, p)| p.bytes.cap() > 0)
                .map(|(id, _)| *id)
                .collect();
            for id in ids {
                let p = self.pulls.remove(&id).expect("pull exists");
                let bytes = self.filesystems[fs].pulls.remove(t, &p.bytes);
                self.release_claims(id, &p.claimed);
                self.failed_pulls.push(PullResult {
                    pull: id,
                    image: p.image,
                    bytes,
                    error: Some(NO_SPACE_LEFT.to_string()),
                });
            }
        }
        if self.filesystems[fs].is_full(t) {
            self.filesystems[fs].paused = true;
            let (cfs, nfs) = (self.container_fs(), self.node_fs());
            for c in self.containers.values_mut() {
                c.generation += 1;
                if cfs == fs {
                    self.filesystems[cfs]
                        .writable
                        .set_rate(t, &mut c.writable, 0);
                }
                if nfs == fs {
                    self.filesystems[nfs].logs.set_rate(t, &mut c.log, 0);
                    self.filesystems[nfs].volumes.set_rate(t, &mut c.volume, 0);
                }
            }
            // With two filesystems, the streams on the other one go on writing: their cap and
            // log-watch timers were armed with the old generation, so arm them again (a log
            // on nodefs went past its cap after an imagefs filled up).
            if cfs != nfs {
                let ids: Vec<u64> = self.containers.keys().copied().collect();
                for id in ids {
                    self.schedule_caps(id);
                }
            }
        }
        self.touch_fs(fs);
        true
    }

    fn remove_image_inner(&mut self, image: usize) -> u64 {
        let fs = self.image_fs();
        self.generation += 1;
        self.image_generation += 1;
        self.present[image] = false;
        self.present_count -= 1;
        self.reported_bytes -= self.catalog.reported_size(image);
        let mut freed = 0;
        for &l in &self.catalog.images[image].layers {
            self.layer_refs[l] -= 1;
            if self.layer_refs[l] == 0 {
                freed += self.costs.disk[l];
                self.filesystems[fs].layer_inodes -= self.costs.inodes[l];
            }
        }
        self.filesystems[fs].layer_bytes -= freed;
        self.removals.push(ImageRemoval {
            image,
            freed_on_disk: freed,
        });
        if freed > 0 {
            self.freed_on(fs);
        }
        freed
    }

    /// Puts images on disk at t = 0 (the node's starting cache), as if pulled before the run.
    pub fn preload_image(&mut self, image: usize) {
        if self.present[image] {
            return;
        }
        self.store_image(image);
        let fs = self.image_fs();
        self.touch_fs(fs);
    }

    /// Raw used bytes of a filesystem, possibly above capacity (for start-up validation).
    pub fn raw_used(&self, fs: FsId) -> u128 {
        self.filesystems[fs].used_nb(self.now) / 1_000_000_000
    }

    /// Used bytes of a filesystem in nano-bytes (exact) and its fill rate in bytes/s, now.
    /// The functions of time that make up every filesystem's fill, for telling cheaply that
    /// nothing about the fill changed between two instants (equal states fill identically).
    pub fn fill_states(&self) -> impl Iterator<Item = FillState> + '_ {
        self.filesystems.iter().map(|f| FillState {
            ledgers: [f.writable, f.logs, f.volumes, f.pulls],
            fixed: (f.other_used, f.layer_bytes + f.rotated_logs),
            capacity: f.capacity,
        })
    }

    pub fn fs_fill(&self, fs: FsId) -> (u128, u128) {
        let f = &self.filesystems[fs];
        (f.used_nb(self.now), f.rate())
    }

    /// A container's writable + log + emptyDir bytes in nano-bytes (exact) and their rate.
    pub fn container_fill(&self, id: u64) -> (u128, u128) {
        let t = self.now;
        self.containers.get(&id).map_or((0, 0), |c| {
            (
                c.writable.value_nb(t)
                    + c.log.value_nb(t)
                    + c.volume.value_nb(t)
                    + c.rotated_bytes as u128 * 1_000_000_000,
                c.writable.rate() as u128 + c.log.rate() as u128 + c.volume.rate() as u128,
            )
        })
    }

    pub fn fs_stats(&self, fs: FsId) -> FsStats {
        let f = &self.filesystems[fs];
        FsStats {
            capacity_bytes: Some(f.capacity),
            available_bytes: Some(f.available(self.now)),
            inodes: f.inodes,
            inodes_free: f.inodes.map(|i| i.saturating_sub(f.inodes_used(self.now))),
        }
    }

    /// Whether any filesystem models inodes.
    pub fn models_inodes(&self) -> bool {
        self.filesystems.iter().any(|f| f.inodes.is_some())
    }
}

impl ImageRuntime for Node {
    fn generation(&self) -> Option<u64> {
        (!self.plain_listing).then_some(self.generation)
    }

    fn image_list_generation(&self) -> Option<u64> {
        (!self.plain_listing).then_some(self.image_generation)
    }

    fn visit_in_use_images(&self, f: &mut dyn FnMut(Option<usize>, &ImageId)) -> bool {
        if self.plain_listing {
            return false;
        }
        for &i in self.in_use.keys() {
            f(Some(i), self.catalog.id(i));
        }
        true
    }

    /// The catalog index is the handle. Both the present images and `in_use` are walked in
    /// index order, so the in-use flags come from one merge, not a lookup per image.
    fn visit_images(&self, f: &mut dyn FnMut(ListedImage<'_>)) -> Result<(), RuntimeError> {
        if self.plain_listing {
            return visit_listed_images(self, f);
        }
        let mut users = self.in_use.keys().copied().peekable();
        for i in (0..self.present.len()).filter(|&i| self.present[i]) {
            while users.next_if(|&u| u < i).is_some() {}
            f(ListedImage {
                handle: Some(i),
                id: self.catalog.id(i),
                size: self.catalog.reported_size(i),
                pinned: self.catalog.images[i].pinned,
                in_use: users.peek() == Some(&i),
            });
        }
        Ok(())
    }

    fn list_images(&self) -> Result<Vec<CriImage>, RuntimeError> {
        Ok((0..self.present.len())
            .filter(|&i| self.present[i])
            .map(|i| CriImage {
                id: self.catalog.id(i).clone(),
                size: self.catalog.reported_size(i),
                pinned: self.catalog.images[i].pinned,
            })
            .collect())
    }

    fn container_image_ids(&self) -> Result<Vec<ImageId>, RuntimeError> {
        Ok(self
            .containers
            .values()
            .map(|c| self.catalog.id(c.image).clone())
            .collect())
    }

    fn remove_image(&mut self, image_id: &str) -> Result<(), RuntimeError> {
        match self.catalog.image_index(image_id) {
            Some(i) if self.present[i] => {
                self.remove_image_inner(i);
                Ok(())
            }
            _ => Err(RuntimeError(format!("image \"{image_id}\": not found"))),
        }
    }

    fn image_fs_stats(&self) -> Result<FsStats, RuntimeError> {
        Ok(self.fs_stats(self.image_fs()))
    }
}

impl Node {
    /// A container as the CRI lists it.
    fn cri_container(&self, c: &Container) -> CriContainer {
        CriContainer {
            id: c.id,
            pod_uid: c.pod_uid,
            name: c.name.clone(),
            image_id: self.catalog.id(c.image).clone(),
            state: c.state,
            created_at: c.created_at,
        }
    }
}

impl ContainerRuntime for Node {
    fn list_containers(&self) -> Vec<CriContainer> {
        self.containers
            .values()
            .map(|c| self.cri_container(c))
            .collect()
    }

    fn list_exited_containers(&self) -> Vec<CriContainer> {
        self.exited
            .iter()
            .filter_map(|id| self.containers.get(id))
            .map(|c| self.cri_container(c))
            .collect()
    }

    fn remove_container(&mut self, id: u64) {
        let t = self.now;
        let (cfs, nfs) = (self.container_fs(), self.node_fs());
        let Some(c) = self.containers.remove(&id) else {
            return;
        };
        self.generation += 1;
        // The kubelet's log manager `Clean`s every log file of the container with it.
        self.filesystems[nfs].log_files -= c.log_files();
        self.filesystems[nfs].rotated_logs -= c.rotated_bytes;
        if let Some(n) = self.in_use.get_mut(&c.image) {
            *n -= 1;
            if *n == 0 {
                self.in_use.remove(&c.image);
            }
        }
        if self.exited.remove(&id) {
            self.exited_generation += 1;
        }
        let w = self.filesystems[cfs].writable.remove(t, &c.writable);
        let l = self.filesystems[nfs].logs.remove(t, &c.log)
            + self.filesystems[nfs].volumes.remove(t, &c.volume)
            + c.rotated_bytes;
        let node_rate = c.log.rate() as u128 + c.volume.rate() as u128;
        if w > 0 || c.writable.rate() > 0 {
            self.freed_on(cfs);
        }
        if nfs != cfs && (l > 0 || node_rate > 0) {
            self.freed_on(nfs);
        } else if nfs == cfs && (l > 0 || node_rate > 0) {
            self.freed_on(cfs);
        }
    }
}
