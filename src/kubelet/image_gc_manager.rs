//! Twin of kubernetes pkg/kubelet/images/image_gc_manager.go (v1.30–v1.35, the MaxAge-era order).
//!
//! The image garbage collector: image records (`imageRecord`), detection (`detectImages`), the
//! periodic `GarbageCollect`, `freeSpace`, `freeOldImages` and the eviction manager's
//! `DeleteUnusedImages`. Section numbers (§) refer to `kubelet-image-gc.md`.
//!
//! Deterministic choices where the kubelet is random:
//! - the candidate sort (§3.1) is Go's unstable `sort.Sort` over map order; we sort by
//!   (`lastUsed`, `firstDetected`, image ID), never-used first, so ties fall to the image ID;
//! - records live in slots; walks over them are in slot order, and only the eviction order
//!   (a total sort) reaches the outside.
//!
//! The `RuntimeClassInImageCriAPI` gate (alpha, off by default) is not modelled: the record key
//! is always the image ID.

use std::collections::BTreeMap;

use rustc_hash::FxHashMap;

use crate::engine::SimTime;
use crate::kubelet::events::{
    free_disk_space_failed_message, FreeDiskSpaceWording, KubeletEvent, ObjectRef,
    FREE_DISK_SPACE_FAILED, INVALID_CAPACITY_MESSAGE, INVALID_DISK_CAPACITY,
};
use crate::kubelet::runtime::{ImageId, ImageRuntime, RuntimeError};
use std::sync::Arc;

/// `ImageGCPeriod`: the GC loop's sliding period (hard-coded upstream, §1.1).
pub const IMAGE_GC_PERIOD: SimTime = 5 * 60 * crate::engine::NANOS_PER_SEC;
/// The detection ("monitor") loop's period (a literal `5*time.Minute` in `Start()`, §1.1).
pub const IMAGE_DETECTION_PERIOD: SimTime = 5 * 60 * crate::engine::NANOS_PER_SEC;

/// `ImageGCPolicy`: validated once, at construction, with the constructor's own texts (§5.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageGcPolicy {
    pub high_threshold_percent: i32,
    pub low_threshold_percent: i32,
    /// `ImageMinimumGCAge`, ns.
    pub min_age: SimTime,
    /// `ImageMaximumGCAge`, ns; 0 disables the age stage.
    pub max_age: SimTime,
}

impl ImageGcPolicy {
    /// `NewImageGCManager`'s checks, in its order. It accepts low == high; config validation
    /// (see `kubelet::config`) is stricter.
    pub fn new(high: i32, low: i32, min_age: SimTime, max_age: SimTime) -> Result<Self, String> {
        if !(0..=100).contains(&high) {
            return Err(format!(
                "invalid HighThresholdPercent {high}, must be in range [0-100]"
            ));
        }
        if !(0..=100).contains(&low) {
            return Err(format!(
                "invalid LowThresholdPercent {low}, must be in range [0-100]"
            ));
        }
        if low > high {
            return Err(format!(
                "LowThresholdPercent {low} can not be higher than HighThresholdPercent {high}"
            ));
        }
        Ok(ImageGcPolicy {
            high_threshold_percent: high,
            low_threshold_percent: low,
            min_age,
            max_age,
        })
    }
}

/// `imageRecord` (§1.2). In memory only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRecord {
    pub first_detected: SimTime,
    /// `None` is Go's zero time: never seen in use.
    pub last_used: Option<SimTime>,
    /// The runtime-reported size, overwritten at every detection.
    pub size: u64,
    pub pinned: bool,
}

/// Why an image was removed (the `reason` label of `image_garbage_collected_total`, plus ours for
/// the eviction manager's `DeleteUnusedImages`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeleteReason {
    Space,
    Age,
    Eviction,
}

impl DeleteReason {
    pub fn as_str(self) -> &'static str {
        match self {
            DeleteReason::Space => "space",
            DeleteReason::Age => "age",
            DeleteReason::Eviction => "eviction",
        }
    }
}

/// One successful `RemoveImage`, with the size the kubelet counted for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deletion {
    pub image_id: ImageId,
    pub reported_size: u64,
    pub reason: DeleteReason,
}

/// The threshold stage's decision, logged by the kubelet as "Disk usage on image filesystem is
/// over the high threshold…" with these keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GcTrigger {
    pub usage_percent: i64,
    pub high_threshold: i32,
    pub amount_to_free: i64,
    pub low_threshold: i32,
    pub capacity: u64,
    pub available: u64,
}

/// What one `GarbageCollect` pass did. `result` is the error `GarbageCollect` returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GcOutcome {
    pub result: Result<(), String>,
    pub trigger: Option<GcTrigger>,
    pub freed_reported: u64,
    pub deletions: Vec<Deletion>,
    pub events: Vec<KubeletEvent>,
}

/// `freeSpace`'s result: the reported bytes freed, and the deletion-error text if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FreeSpaceResult {
    pub freed: u64,
    pub error: Option<String>,
}

/// What a pass did with one image record: a row of [`GcPassTrace::images`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImageVerdict {
    /// Not a candidate: a container of it exists, running or exited (§1.3).
    InUse,
    /// Not a candidate: the runtime reports it pinned (containerd pins its sandbox image).
    Pinned,
    /// Deleted by the MaxAge stage (§3.3): unused for longer than `imageMaximumGCAge`.
    DeletedByAge,
    /// Deleted by `freeSpace` (§3.2).
    Deleted,
    /// Skipped by `freeSpace`: first detected less than `imageMinimumGCAge` before the pass.
    TooYoung,
    /// Skipped by `freeSpace`: `lastUsed` is not before the pass (used at this very instant).
    UsedNow,
    /// `RemoveImage` failed with this error; the walk went on.
    DeleteFailed(String),
    /// `freeSpace` had stopped before it: the bytes freed had reached the target.
    NotReached,
    /// `freeSpace` did not run: usage was under the high threshold (or the pass failed first).
    NotWalked,
}

/// One image record as a traced pass saw it after its detection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageTrace {
    pub image_id: ImageId,
    pub first_detected: SimTime,
    /// `None` is Go's zero time: never seen in use.
    pub last_used: Option<SimTime>,
    /// The size the runtime reports, which `freeSpace` adds up.
    pub size: u64,
    pub pinned: bool,
    /// In the candidate list (neither in use nor pinned).
    pub candidate: bool,
    pub verdict: ImageVerdict,
}

/// How the `freeSpace` walk ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WalkEnd {
    /// The reported bytes freed reached the target; the rest was not looked at.
    FreedEnough,
    /// Every candidate was looked at.
    RanOutOfCandidates,
}

/// The decision of one pass (`GarbageCollect` or `DeleteUnusedImages`), as the kubelet made
/// it: filled only by [`ImageGcManager::garbage_collect_traced`] and
/// [`ImageGcManager::delete_unused_images_traced`], so an untraced pass builds none of it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GcPassTrace {
    /// The MaxAge stage ran: the GC loop had run for longer than `imageMaximumGCAge`.
    pub max_age_stage: bool,
    /// `ImageFsStats` as read: (capacity, available), before the available > capacity clamp.
    pub stats: Option<(u64, u64)>,
    /// The integer usage the threshold check compared (§2.1 step 8).
    pub usage_percent: Option<i64>,
    /// What `freeSpace` was asked to free: `amountToFree`, or `i64::MAX` for
    /// `DeleteUnusedImages`. `None`: it did not run.
    pub bytes_to_free: Option<i64>,
    /// Every record after the pass's detection: the candidates in eviction order (the order
    /// the MaxAge stage and `freeSpace` walk), then the in-use and pinned records in the same
    /// order.
    pub images: Vec<ImageTrace>,
    pub walk_end: Option<WalkEnd>,
    /// The reported bytes `freeSpace` freed.
    pub freed_reported: u64,
}

impl GcPassTrace {
    fn set(&mut self, id: &ImageId, verdict: ImageVerdict) {
        if let Some(r) = self
            .images
            .iter_mut()
            .find(|r| Arc::ptr_eq(&r.image_id, id) || r.image_id == *id)
        {
            r.verdict = verdict;
        }
    }
}

/// One image record in its slot, with detection's bookkeeping.
#[derive(Debug, Clone)]
struct Slot {
    id: ImageId,
    record: ImageRecord,
    /// In use at the last detection.
    in_use: bool,
    /// The listing that last saw this image (to drop the records of vanished images).
    seen: u64,
}

/// The records (`imageRecords`), each in a slot addressed by index, so that detection's hot
/// paths (marking in-use images) touch no strings. Walks over the slots are in slot order,
/// which depends only on the order of detections and removals, so it is deterministic; the
/// one order that reaches the outside, the eviction order, is a total sort of its own.
#[derive(Debug, Clone, Default)]
struct Records {
    slots: Vec<Option<Slot>>,
    index: FxHashMap<ImageId, usize>,
    free: Vec<usize>,
    /// The runtime's image handles to the slot that last held each (a hint: checked against
    /// the slot's ID, so a stale entry only costs the hashed lookup).
    by_handle: Vec<usize>,
}

impl Records {
    fn len(&self) -> usize {
        self.index.len()
    }

    fn slot_of(&self, id: &str) -> Option<usize> {
        self.index.get(id).copied()
    }

    /// `slot_of`, through the runtime's handle when it has one: a handle names one ID for the
    /// runtime's life, so the same `Arc` in the hinted slot is the record, with no hashing.
    fn slot_of_listed(&mut self, handle: Option<usize>, id: &ImageId) -> Option<usize> {
        if let Some(h) = handle {
            if let Some(&s) = self.by_handle.get(h) {
                if matches!(&self.slots.get(s), Some(Some(slot)) if Arc::ptr_eq(&slot.id, id)) {
                    return Some(s);
                }
            }
            let s = self.slot_of(id)?;
            self.note_handle(h, s);
            return Some(s);
        }
        self.slot_of(id)
    }

    fn note_handle(&mut self, h: usize, s: usize) {
        if h >= self.by_handle.len() {
            self.by_handle.resize(h + 1, usize::MAX);
        }
        self.by_handle[h] = s;
    }

    fn get(&self, id: &str) -> Option<&ImageRecord> {
        self.slot_of(id).map(|s| &self.slot(s).record)
    }

    fn slot(&self, s: usize) -> &Slot {
        self.slots[s].as_ref().expect("a live slot")
    }

    fn slot_mut(&mut self, s: usize) -> &mut Slot {
        self.slots[s].as_mut().expect("a live slot")
    }

    fn insert(&mut self, id: ImageId, record: ImageRecord) -> usize {
        let slot = Slot {
            id: id.clone(),
            record,
            in_use: false,
            seen: 0,
        };
        let s = match self.free.pop() {
            Some(s) => {
                self.slots[s] = Some(slot);
                s
            }
            None => {
                self.slots.push(Some(slot));
                self.slots.len() - 1
            }
        };
        self.index.insert(id, s);
        s
    }

    fn remove_slot(&mut self, s: usize) -> Slot {
        let slot = self.slots[s].take().expect("a live slot");
        self.index.remove(&slot.id);
        self.free.push(s);
        slot
    }

    fn live(&self) -> impl Iterator<Item = (usize, &Slot)> {
        self.slots
            .iter()
            .enumerate()
            .filter_map(|(i, s)| s.as_ref().map(|s| (i, s)))
    }
}

/// Forgets which records were in use (`in_use_listed`), before marking them afresh.
fn clear_in_use(records: &mut Records, in_use_listed: &mut Vec<usize>) {
    for &s in in_use_listed.iter() {
        if let Some(slot) = records.slots[s].as_mut() {
            slot.in_use = false;
        }
    }
    in_use_listed.clear();
}

/// Marks the record in slot `s` in use at `now` (`in_use_listed` lists the marked slots).
fn mark_in_use(records: &mut Records, in_use_listed: &mut Vec<usize>, s: usize, now: SimTime) {
    let slot = records.slot_mut(s);
    slot.record.last_used = Some(now);
    if !slot.in_use {
        slot.in_use = true;
        in_use_listed.push(s);
    }
}

/// The stateful image GC manager (`realImageGCManager`).
#[derive(Debug, Clone)]
pub struct ImageGcManager {
    pub policy: ImageGcPolicy,
    records: Records,
    wording: FreeDiskSpaceWording,
    /// Deletions made since the last `take_deletions` (the sim reads them to account bytes).
    deletions: Vec<Deletion>,
    /// Slots of the records in use at the last detection (each also flagged `in_use`).
    in_use_listed: Vec<usize>,
    /// Listings so far (stamps `Slot::seen`).
    listings: u64,
    /// The runtime's generation at the last full detection, if it reports one.
    detected_generation: Option<u64>,
    /// The runtime's image-list generation at the last detection that listed images.
    detected_list_generation: Option<u64>,
}

impl ImageGcManager {
    pub fn new(policy: ImageGcPolicy, wording: FreeDiskSpaceWording) -> Self {
        ImageGcManager {
            policy,
            records: Records::default(),
            wording,
            deletions: Vec::new(),
            in_use_listed: Vec::new(),
            listings: 0,
            detected_generation: None,
            detected_list_generation: None,
        }
    }

    /// The records by image ID (a copy, for inspection).
    pub fn records(&self) -> BTreeMap<ImageId, ImageRecord> {
        self.records
            .live()
            .map(|(_, s)| (s.id.clone(), s.record.clone()))
            .collect()
    }

    pub fn record_mut(&mut self, id: &str) -> Option<&mut ImageRecord> {
        let s = self.records.slot_of(id)?;
        Some(&mut self.records.slot_mut(s).record)
    }

    /// Forgets which records were in use (before marking them afresh).
    fn clear_in_use(&mut self) {
        clear_in_use(&mut self.records, &mut self.in_use_listed);
    }

    /// `detectImages(detectTime)` (§1.3). `now` is the fresh `time.Now()` taken inside; it is
    /// what `lastUsed` gets. Which records are in use is kept for the eviction order.
    ///
    /// When the runtime reports a generation that has not changed since the last detection, the
    /// listing and the in-use set are the same as then, so only `lastUsed` of the in-use images
    /// moves to `now`: the same result without listing again.
    pub fn detect_images(
        &mut self,
        rt: &dyn ImageRuntime,
        detect_time: SimTime,
        now: SimTime,
    ) -> Result<(), String> {
        let generation = rt.generation();
        if generation.is_some() && generation == self.detected_generation {
            for &s in &self.in_use_listed {
                self.records.slot_mut(s).record.last_used = Some(now);
            }
            return Ok(());
        }
        self.detected_generation = None;
        // Same image list as at the last listing (so the same records, sizes and pinned flags):
        // only the in-use set can differ, and only in-use records change (lastUsed = now).
        let list_generation = rt.image_list_generation();
        if list_generation.is_some() && list_generation == self.detected_list_generation {
            self.clear_in_use();
            let mut in_use = std::mem::take(&mut self.in_use_listed);
            let records = &mut self.records;
            let known = rt.visit_in_use_images(&mut |handle, id| {
                if let Some(s) = records.slot_of_listed(handle, id) {
                    mark_in_use(records, &mut in_use, s, now);
                }
            });
            self.in_use_listed = in_use;
            if known {
                self.detected_generation = generation;
                return Ok(());
            }
        }
        self.detected_list_generation = None;
        // A listing that fails leaves the records as they were: nothing changes before the
        // first image arrives (a runtime fails before it lists, as `ListImages` does).
        let stamp = self.listings + 1;
        let mut listed = 0usize;
        let mut cleared = false;
        let mut in_use = std::mem::take(&mut self.in_use_listed);
        let records = &mut self.records;
        let visited = rt.visit_images(&mut |image| {
            if !cleared {
                clear_in_use(records, &mut in_use);
                cleared = true;
            }
            let s = match records.slot_of_listed(image.handle, image.id) {
                Some(s) => s,
                None => {
                    let s = records.insert(
                        image.id.clone(),
                        ImageRecord {
                            first_detected: detect_time,
                            last_used: None,
                            size: 0,
                            pinned: false,
                        },
                    );
                    if let Some(h) = image.handle {
                        records.note_handle(h, s);
                    }
                    s
                }
            };
            let slot = records.slot_mut(s);
            if slot.seen != stamp {
                slot.seen = stamp;
                listed += 1;
            }
            // With duplicate IDs in one listing, the last one wins (TestDeletePinnedImage).
            slot.record.size = image.size;
            slot.record.pinned = image.pinned;
            if image.in_use {
                mark_in_use(records, &mut in_use, s, now);
            }
        });
        if visited.is_ok() && !cleared {
            clear_in_use(records, &mut in_use);
        }
        self.in_use_listed = in_use;
        visited.map_err(|e| e.0)?;
        self.listings = stamp;
        // Every listed image has a record, so equal counts mean nothing vanished.
        if self.records.len() != listed {
            let gone: Vec<usize> = self
                .records
                .live()
                .filter(|(_, slot)| slot.seen != stamp)
                .map(|(s, _)| s)
                .collect();
            for s in gone {
                self.records.remove_slot(s);
            }
        }
        self.detected_generation = generation;
        self.detected_list_generation = list_generation;
        Ok(())
    }

    /// `imagesInEvictionOrder(freeTime)` (§2.1 step 2, §3.1): detect, then the records that are
    /// neither in use nor pinned, least recently used first.
    pub fn images_in_eviction_order(
        &mut self,
        rt: &dyn ImageRuntime,
        free_time: SimTime,
    ) -> Result<Vec<ImageId>, String> {
        self.detect_images(rt, free_time, free_time)?;
        Ok(self.candidates_in_eviction_order())
    }

    /// The records that are neither in use nor pinned, in eviction order (§3.1), as of the last
    /// detection.
    fn candidates_in_eviction_order(&self) -> Vec<ImageId> {
        let mut candidates: Vec<(&ImageId, &ImageRecord)> = self
            .records
            .live()
            .filter(|(_, slot)| !slot.in_use && !slot.record.pinned)
            .map(|(_, slot)| (&slot.id, &slot.record))
            .collect();
        // `byLastUsedAndDetected`; None (zero time) sorts first. Ties: image ID (our rule).
        candidates.sort_by(|(ia, a), (ib, b)| {
            (a.last_used, a.first_detected, ia).cmp(&(b.last_used, b.first_detected, ib))
        });
        candidates.into_iter().map(|(id, _)| id.clone()).collect()
    }

    /// Every record as a trace row, candidates first in eviction order (see
    /// [`GcPassTrace::images`]).
    fn trace_rows(&self) -> Vec<ImageTrace> {
        let key = |s: &Slot| (s.record.last_used, s.record.first_detected, s.id.clone());
        let mut slots: Vec<&Slot> = self.records.live().map(|(_, s)| s).collect();
        slots.sort_by_key(|s| (s.in_use || s.record.pinned, key(s)));
        slots
            .into_iter()
            .map(|s| {
                let candidate = !s.in_use && !s.record.pinned;
                ImageTrace {
                    image_id: s.id.clone(),
                    first_detected: s.record.first_detected,
                    last_used: s.record.last_used,
                    size: s.record.size,
                    pinned: s.record.pinned,
                    candidate,
                    verdict: if candidate {
                        ImageVerdict::NotWalked
                    } else if s.in_use {
                        ImageVerdict::InUse
                    } else {
                        ImageVerdict::Pinned
                    },
                }
            })
            .collect()
    }

    fn remove(
        &mut self,
        rt: &mut dyn ImageRuntime,
        id: &ImageId,
        reason: DeleteReason,
    ) -> Result<u64, RuntimeError> {
        rt.remove_image(id)?;
        let size = match self.records.slot_of(id) {
            Some(s) => {
                let slot = self.records.remove_slot(s);
                if slot.in_use {
                    self.in_use_listed.retain(|&x| x != s);
                }
                slot.record.size
            }
            None => 0,
        };
        self.deletions.push(Deletion {
            image_id: id.clone(),
            reported_size: size,
            reason,
        });
        Ok(size)
    }

    /// `freeSpace(bytesToFree, freeTime, candidates)` (§3.2). Walks `candidates` in order and
    /// stops once the reported bytes freed reach `bytes_to_free`; the test runs only after a
    /// successful deletion, so `bytes_to_free <= 0` still deletes one eligible image.
    pub fn free_space(
        &mut self,
        rt: &mut dyn ImageRuntime,
        bytes_to_free: i64,
        free_time: SimTime,
        candidates: &[ImageId],
        reason: DeleteReason,
    ) -> FreeSpaceResult {
        self.free_space_with(rt, bytes_to_free, free_time, candidates, reason, None)
    }

    /// [`Self::free_space`], noting each candidate's fate in `trace` when there is one.
    fn free_space_with(
        &mut self,
        rt: &mut dyn ImageRuntime,
        bytes_to_free: i64,
        free_time: SimTime,
        candidates: &[ImageId],
        reason: DeleteReason,
        mut trace: Option<&mut GcPassTrace>,
    ) -> FreeSpaceResult {
        let mut freed: u64 = 0;
        let mut errors: Vec<String> = Vec::new();
        let mut end = WalkEnd::RanOutOfCandidates;
        for id in candidates {
            let Some(record) = self.records.get(id) else {
                continue;
            };
            if record.last_used.is_some_and(|lu| lu >= free_time) {
                if let Some(t) = trace.as_deref_mut() {
                    t.set(id, ImageVerdict::UsedNow);
                }
                continue;
            }
            // Age is measured from first detection, not from the pull; `< MinAge` skips.
            if free_time.saturating_sub(record.first_detected) < self.policy.min_age
                || record.first_detected > free_time
            {
                if let Some(t) = trace.as_deref_mut() {
                    t.set(id, ImageVerdict::TooYoung);
                }
                continue;
            }
            match self.remove(rt, id, reason) {
                Ok(size) => {
                    if let Some(t) = trace.as_deref_mut() {
                        t.set(id, ImageVerdict::Deleted);
                    }
                    freed = freed.saturating_add(size);
                    if freed as i128 >= bytes_to_free as i128 {
                        end = WalkEnd::FreedEnough;
                        break;
                    }
                }
                Err(e) => {
                    if let Some(t) = trace.as_deref_mut() {
                        t.set(id, ImageVerdict::DeleteFailed(e.0.clone()));
                    }
                    errors.push(e.0)
                }
            }
        }
        if let Some(t) = trace {
            t.bytes_to_free = Some(bytes_to_free);
            t.walk_end = Some(end);
            t.freed_reported = freed;
            for r in &mut t.images {
                if r.verdict == ImageVerdict::NotWalked && end == WalkEnd::FreedEnough {
                    r.verdict = ImageVerdict::NotReached;
                }
            }
        }
        let error = (!errors.is_empty()).then(|| {
            format!(
                "wanted to free {bytes_to_free} bytes, but freed {freed} bytes space with errors in image deletion: {}",
                join_errors(&errors)
            )
        });
        FreeSpaceResult { freed, error }
    }

    /// `freeOldImages` (§3.3): MaxAge deletions. No MinAge check; a never-used image is older
    /// than any MaxAge. Nothing happens until the GC goroutine has run for longer than MaxAge.
    /// Returns the candidates left.
    pub fn free_old_images(
        &mut self,
        rt: &mut dyn ImageRuntime,
        candidates: Vec<ImageId>,
        free_time: SimTime,
        began_gc: SimTime,
    ) -> (Vec<ImageId>, Option<String>) {
        self.free_old_images_with(rt, candidates, free_time, began_gc, None)
    }

    fn free_old_images_with(
        &mut self,
        rt: &mut dyn ImageRuntime,
        candidates: Vec<ImageId>,
        free_time: SimTime,
        began_gc: SimTime,
        mut trace: Option<&mut GcPassTrace>,
    ) -> (Vec<ImageId>, Option<String>) {
        let max_age = self.policy.max_age;
        if max_age == 0 || free_time.saturating_sub(began_gc) <= max_age {
            return (candidates, None);
        }
        let mut left = Vec::with_capacity(candidates.len());
        let mut errors = Vec::new();
        for id in candidates {
            let Some(record) = self.records.get(&id) else {
                continue;
            };
            let too_old = match record.last_used {
                None => true,
                Some(lu) => free_time.saturating_sub(lu) > max_age,
            };
            if !too_old {
                left.push(id);
                continue;
            }
            match self.remove(rt, &id, DeleteReason::Age) {
                Ok(_) => {
                    if let Some(t) = trace.as_deref_mut() {
                        t.set(&id, ImageVerdict::DeletedByAge);
                    }
                }
                Err(e) => {
                    if let Some(t) = trace.as_deref_mut() {
                        t.set(&id, ImageVerdict::DeleteFailed(e.0.clone()));
                    }
                    errors.push(e.0);
                    left.push(id);
                }
            }
        }
        let error = (!errors.is_empty()).then(|| {
            format!(
                "wanted to free images older than {}, encountered errors in image deletion: {}",
                crate::units::format_go_duration(max_age as i64),
                join_errors(&errors)
            )
        });
        (left, error)
    }

    /// `GarbageCollect(ctx, beganGC)` in the v1.29+ order (§2.1): detect → MaxAge → stats →
    /// integer threshold check with `>=` → freeSpace → `FreeDiskSpaceFailed` on a shortfall.
    pub fn garbage_collect(
        &mut self,
        rt: &mut dyn ImageRuntime,
        now: SimTime,
        began_gc: SimTime,
    ) -> GcOutcome {
        self.garbage_collect_with(rt, now, began_gc, None)
    }

    /// [`Self::garbage_collect`], recording in `trace` what the pass read and did with each
    /// image (for `explain`).
    pub fn garbage_collect_traced(
        &mut self,
        rt: &mut dyn ImageRuntime,
        now: SimTime,
        began_gc: SimTime,
        trace: &mut GcPassTrace,
    ) -> GcOutcome {
        self.garbage_collect_with(rt, now, began_gc, Some(trace))
    }

    fn garbage_collect_with(
        &mut self,
        rt: &mut dyn ImageRuntime,
        now: SimTime,
        began_gc: SimTime,
        trace: Option<&mut GcPassTrace>,
    ) -> GcOutcome {
        let mut out = GcOutcome {
            result: Ok(()),
            trigger: None,
            freed_reported: 0,
            deletions: Vec::new(),
            events: Vec::new(),
        };
        out.result = self.garbage_collect_inner(rt, now, began_gc, &mut out, trace);
        out.deletions = std::mem::take(&mut self.deletions);
        out
    }

    fn garbage_collect_inner(
        &mut self,
        rt: &mut dyn ImageRuntime,
        free_time: SimTime,
        began_gc: SimTime,
        out: &mut GcOutcome,
        mut trace: Option<&mut GcPassTrace>,
    ) -> Result<(), String> {
        self.detect_images(rt, free_time, free_time)?;
        // The eviction order is only read by the MaxAge stage and by freeSpace; building it
        // only when one of them runs gives the same list (the MaxAge stage leaves exactly the
        // records it did not delete), without sorting on every quiet pass.
        let max_age_active =
            self.policy.max_age > 0 && free_time.saturating_sub(began_gc) > self.policy.max_age;
        if let Some(t) = trace.as_deref_mut() {
            t.images = self.trace_rows();
            t.max_age_stage = max_age_active;
        }
        let mut candidates = None;
        if max_age_active {
            let (left, err) = self.free_old_images_with(
                rt,
                self.candidates_in_eviction_order(),
                free_time,
                began_gc,
                trace.as_deref_mut(),
            );
            if let Some(e) = err {
                return Err(e);
            }
            candidates = Some(left);
        }
        let stats = rt.image_fs_stats().map_err(|e| e.0)?;
        let capacity = stats.capacity_bytes.unwrap_or(0);
        let mut available = stats.available_bytes.unwrap_or(0);
        if let Some(t) = trace.as_deref_mut() {
            t.stats = Some((capacity, available));
        }
        if available > capacity {
            // "Availability is larger than capacity": clamp, then the capacity check (§2.1 6–7).
            available = capacity;
        }
        if capacity == 0 {
            out.events.push(KubeletEvent::warning(
                INVALID_DISK_CAPACITY,
                ObjectRef::Node,
                INVALID_CAPACITY_MESSAGE.to_string(),
            ));
            return Err(INVALID_CAPACITY_MESSAGE.to_string());
        }
        let usage_percent = usage_percent(capacity, available);
        if let Some(t) = trace.as_deref_mut() {
            t.usage_percent = Some(usage_percent);
        }
        if usage_percent < self.policy.high_threshold_percent as i64 {
            return Ok(());
        }
        let candidates = candidates.unwrap_or_else(|| self.candidates_in_eviction_order());
        let amount_to_free = amount_to_free(capacity, available, self.policy.low_threshold_percent);
        out.trigger = Some(GcTrigger {
            usage_percent,
            high_threshold: self.policy.high_threshold_percent,
            amount_to_free,
            low_threshold: self.policy.low_threshold_percent,
            capacity,
            available,
        });
        let res = self.free_space_with(
            rt,
            amount_to_free,
            free_time,
            &candidates,
            DeleteReason::Space,
            trace,
        );
        out.freed_reported = res.freed;
        if let Some(e) = res.error {
            return Err(e);
        }
        if (res.freed as i128) < amount_to_free as i128 {
            let msg = free_disk_space_failed_message(
                self.wording,
                amount_to_free,
                res.freed,
                usage_percent,
                capacity,
            );
            out.events.push(KubeletEvent::warning(
                FREE_DISK_SPACE_FAILED,
                ObjectRef::Node,
                msg.clone(),
            ));
            return Err(msg);
        }
        Ok(())
    }

    /// `DeleteUnusedImages` (§4): every eligible image (not in use, not pinned, MinAge honoured),
    /// whatever the thresholds say. Called by the eviction manager.
    pub fn delete_unused_images(
        &mut self,
        rt: &mut dyn ImageRuntime,
        now: SimTime,
    ) -> (Result<(), String>, Vec<Deletion>) {
        self.delete_unused_images_with(rt, now, None)
    }

    /// [`Self::delete_unused_images`], recording in `trace` what it did with each image.
    pub fn delete_unused_images_traced(
        &mut self,
        rt: &mut dyn ImageRuntime,
        now: SimTime,
        trace: &mut GcPassTrace,
    ) -> (Result<(), String>, Vec<Deletion>) {
        self.delete_unused_images_with(rt, now, Some(trace))
    }

    fn delete_unused_images_with(
        &mut self,
        rt: &mut dyn ImageRuntime,
        now: SimTime,
        mut trace: Option<&mut GcPassTrace>,
    ) -> (Result<(), String>, Vec<Deletion>) {
        let result = match self.images_in_eviction_order(rt, now) {
            Err(e) => Err(e),
            Ok(candidates) => {
                if let Some(t) = trace.as_deref_mut() {
                    t.images = self.trace_rows();
                }
                let res = self.free_space_with(
                    rt,
                    i64::MAX,
                    now,
                    &candidates,
                    DeleteReason::Eviction,
                    trace,
                );
                res.error.map_or(Ok(()), Err)
            }
        };
        (result, std::mem::take(&mut self.deletions))
    }

    /// Deletions made outside `garbage_collect`/`delete_unused_images` (direct `free_space`
    /// or `free_old_images` calls), drained.
    pub fn take_deletions(&mut self) -> Vec<Deletion> {
        std::mem::take(&mut self.deletions)
    }
}

fn join_errors(errors: &[String]) -> String {
    // Go's errors.NewAggregate: one error prints alone, several as "[a, b]".
    if errors.len() == 1 {
        errors[0].clone()
    } else {
        format!("[{}]", errors.join(", "))
    }
}

/// `usagePercent := 100 - int(available*100/capacity)` (§2.1 step 8): integer division truncates,
/// so usage is effectively rounded up. `capacity` must be > 0.
pub fn usage_percent(capacity: u64, available: u64) -> i64 {
    100 - (available as i128 * 100 / capacity as i128) as i64
}

/// `amountToFree := capacity*int64(100-low)/100 - available` (§2.1 step 9): multiply, divide
/// (truncate), subtract.
pub fn amount_to_free(capacity: u64, available: u64, low_threshold_percent: i32) -> i64 {
    (capacity as i128 * (100 - low_threshold_percent as i128) / 100 - available as i128) as i64
}
