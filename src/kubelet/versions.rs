//! The kubelet versions the model follows, 1.29 to 1.35, and what differs between them where the
//! model can tell. Each difference, with where it was found (the reference notes cite the PRs:
//! kubelet-image-gc.md §9 "Behaviour changes by version", kubelet-eviction.md's version notes):
//!
//! | since | what | source |
//! |---|---|---|
//! | 1.29 | image GC order detect → MaxAge → stats → threshold; `GarbageCollect(ctx, beganGC)`; first detection at now (the model's only order) | image_gc_manager.go, PR #121275, #119652 |
//! | 1.30 | `ImageMaximumGCAge` gate beta, on (1.29: alpha, off, so `imageMaximumGCAge` is refused) | PR #121275, kubelet validation |
//! | 1.30 | `imagefs.inodesFree: 5%` in the default `evictionHard` | PR #121834 |
//! | 1.31 | `KubeletSeparateDiskGC` beta, on: the split layout (KEP-4191) | kubelet-eviction.md |
//! | 1.31 | a hard eviction's grace override is 1 s (before: 0, which pod_workers reads as "none": the pod's own terminationGracePeriodSeconds) | PR #124063 (version UNCONFIRMED, most likely 1.31) |
//! | 1.32 | a soft eviction's grace is min(evictionMaxPodGracePeriod, pod TGPS) (before: the max) | PR #122890 |
//! | 1.33 | `mergeDefaultEvictionSettings` exists | PR #127577 |
//! | 1.35 | the `FreeDiskSpaceFailed` wording | PR #132578 |
//!
//! Not different in these versions: image GC records (first detection) live in memory, so a
//! restart forgets them in every one of them.

use crate::kubelet::events::FreeDiskSpaceWording;

/// The oldest and newest minor versions modelled, and the one a scenario gets by default.
pub const OLDEST_MINOR: u32 = 29;
pub const NEWEST_MINOR: u32 = 35;
pub const DEFAULT_MINOR: u32 = 34;

/// What a kubelet version does, where versions differ (see the module header).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VersionProfile {
    pub minor: u32,
    /// Feature gate `ImageMaximumGCAge` on by default.
    pub image_maximum_gc_age_gate: bool,
    /// The default `evictionHard` has `imagefs.inodesFree`.
    pub default_hard_has_imagefs_inodes: bool,
    /// Feature gate `KubeletSeparateDiskGC` on by default.
    pub kubelet_separate_disk_gc: bool,
    /// The grace override of a hard eviction (0: none, the pod's own TGPS).
    pub hard_eviction_grace_override: i64,
    /// A soft eviction's grace is lowered to the pod's TGPS (the `AllowOverwrite…` gate off).
    pub soft_grace_min_tgps: bool,
    /// The `mergeDefaultEvictionSettings` field exists.
    pub merge_default_eviction_settings: bool,
    pub free_disk_space_wording: FreeDiskSpaceWording,
}

impl VersionProfile {
    /// The profile of kubelet 1.`minor`, if modelled.
    pub fn of(minor: u32) -> Option<VersionProfile> {
        if !(OLDEST_MINOR..=NEWEST_MINOR).contains(&minor) {
            return None;
        }
        Some(VersionProfile {
            minor,
            image_maximum_gc_age_gate: minor >= 30,
            default_hard_has_imagefs_inodes: minor >= 30,
            kubelet_separate_disk_gc: minor >= 31,
            hard_eviction_grace_override: if minor >= 31 { 1 } else { 0 },
            soft_grace_min_tgps: minor >= 32,
            merge_default_eviction_settings: minor >= 33,
            free_disk_space_wording: if minor >= 35 {
                FreeDiskSpaceWording::V3
            } else {
                FreeDiskSpaceWording::V2
            },
        })
    }

    /// "1.29, 1.30, …": the versions modelled, for an error message.
    pub fn supported() -> String {
        (OLDEST_MINOR..=NEWEST_MINOR)
            .map(|m| format!("1.{m}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl Default for VersionProfile {
    fn default() -> Self {
        VersionProfile::of(DEFAULT_MINOR).expect("the default is modelled")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_difference_switches_at_its_version() {
        let p = |m| VersionProfile::of(m).unwrap();
        assert!(!p(29).image_maximum_gc_age_gate && p(30).image_maximum_gc_age_gate);
        assert!(!p(29).default_hard_has_imagefs_inodes && p(30).default_hard_has_imagefs_inodes);
        assert!(!p(30).kubelet_separate_disk_gc && p(31).kubelet_separate_disk_gc);
        assert_eq!(
            (
                p(30).hard_eviction_grace_override,
                p(31).hard_eviction_grace_override
            ),
            (0, 1)
        );
        assert!(!p(31).soft_grace_min_tgps && p(32).soft_grace_min_tgps);
        assert!(!p(32).merge_default_eviction_settings && p(33).merge_default_eviction_settings);
        assert_eq!(p(34).free_disk_space_wording, FreeDiskSpaceWording::V2);
        assert_eq!(p(35).free_disk_space_wording, FreeDiskSpaceWording::V3);
        assert_eq!(VersionProfile::of(28), None);
        assert_eq!(VersionProfile::of(36), None);
        assert_eq!(
            VersionProfile::supported(),
            "1.29, 1.30, 1.31, 1.32, 1.33, 1.34, 1.35"
        );
    }
}
