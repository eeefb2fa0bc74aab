//! Event reasons and message texts the kubelet emits, as data.
//!
//! Twin of pkg/kubelet/events/event.go (reasons) and of the message formats in
//! pkg/kubelet/images/image_manager.go and image_gc_manager.go (kubelet v1.30–v1.35). The model
//! returns [`KubeletEvent`] values; writing them to a file is the report layer's job.

use crate::units::{format_binary_size_1dec, format_go_duration_ms};

pub const PULLING: &str = "Pulling";
pub const PULLED: &str = "Pulled";
pub const FAILED: &str = "Failed";
pub const BACK_OFF: &str = "BackOff";
pub const ERR_IMAGE_NEVER_PULL: &str = "ErrImageNeverPull";
pub const FREE_DISK_SPACE_FAILED: &str = "FreeDiskSpaceFailed";
pub const IMAGE_GC_FAILED: &str = "ImageGCFailed";
pub const INVALID_DISK_CAPACITY: &str = "InvalidDiskCapacity";
pub const STARTED: &str = "Started";
pub const NODE_HAS_DISK_PRESSURE: &str = "NodeHasDiskPressure";
pub const NODE_HAS_NO_DISK_PRESSURE: &str = "NodeHasNoDiskPressure";
/// The kubelet's node event on start (`kubelet.go`: "Starting kubelet.").
pub const STARTING: &str = "Starting";
pub const EVICTED: &str = "Evicted";
pub const KILLING: &str = "Killing";
/// Ours, not the kubelet's: the structured log line of a threshold-triggered GC pass.
pub const IMAGE_GC_TRIGGERED: &str = "ImageGCTriggered";
/// Ours, not the kubelet's: one image removed, with why and the bytes reported vs freed.
pub const IMAGE_DELETED: &str = "ImageDeleted";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventType {
    Normal,
    Warning,
}

impl EventType {
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::Normal => "Normal",
            EventType::Warning => "Warning",
        }
    }
}

/// The object an event is about, as `kind/name`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ObjectRef {
    Node,
    Pod(String),
    Image(String),
}

impl ObjectRef {
    pub fn render(&self, node_name: &str) -> String {
        match self {
            ObjectRef::Node => format!("node/{node_name}"),
            ObjectRef::Pod(p) => format!("pod/{p}"),
            ObjectRef::Image(i) => format!("image/{i}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KubeletEvent {
    pub kind: EventType,
    pub reason: &'static str,
    pub object: ObjectRef,
    pub message: String,
}

impl KubeletEvent {
    pub fn normal(reason: &'static str, object: ObjectRef, message: String) -> Self {
        KubeletEvent {
            kind: EventType::Normal,
            reason,
            object,
            message,
        }
    }
    pub fn warning(reason: &'static str, object: ObjectRef, message: String) -> Self {
        KubeletEvent {
            kind: EventType::Warning,
            reason,
            object,
            message,
        }
    }
}

pub fn pulling_message(image: &str) -> String {
    format!("Pulling image \"{image}\"")
}

/// The v1.30+ `Pulled` wording (PR #121719): pull time, time including queueing, reported size.
pub fn pulled_message(image: &str, pull_ns: u64, total_ns: u64, size: u64) -> String {
    format!(
        "Successfully pulled image \"{image}\" in {} ({} including waiting). Image size: {size} bytes.",
        format_go_duration_ms(pull_ns as i64),
        format_go_duration_ms(total_ns as i64)
    )
}

pub fn already_present_message(image: &str) -> String {
    format!("Container image \"{image}\" already present on machine")
}

pub fn failed_pull_message(image: &str, err: &str) -> String {
    format!("Failed to pull image \"{image}\": {err}")
}

pub fn back_off_message(image: &str) -> String {
    format!("Back-off pulling image \"{image}\"")
}

pub fn never_pull_message(image: &str) -> String {
    format!("Container image \"{image}\" is not present with pull policy of Never")
}

/// The `ImageGCTriggered` message: the kubelet's structured log keys, in the kubelet's order.
pub fn gc_triggered_message(usage: i64, high: i32, amount_to_free: i64, low: i32) -> String {
    format!("usage={usage} highThreshold={high} amountToFree={amount_to_free} lowThreshold={low}")
}

/// Which kubelet release's `FreeDiskSpaceFailed` text to produce (data-formats.md §3.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FreeDiskSpaceWording {
    /// v1.26–v1.34 (PR #112631).
    V2,
    /// v1.35+ (PR #132578).
    V3,
}

/// The `FreeDiskSpaceFailed` event text, which is also the GC error and so the `ImageGCFailed`
/// text (kubelet-image-gc.md §9).
pub fn free_disk_space_failed_message(
    wording: FreeDiskSpaceWording,
    amount_to_free: i64,
    freed: u64,
    usage_percent: i64,
    capacity: u64,
) -> String {
    match wording {
        FreeDiskSpaceWording::V2 => format!(
            "Failed to garbage collect required amount of images. Attempted to free {amount_to_free} bytes, but only found {freed} bytes eligible to free."
        ),
        FreeDiskSpaceWording::V3 => format!(
            "Insufficient free disk space on the node's image filesystem ({usage_percent}% of {} used). Failed to free sufficient space by deleting unused images (freed {freed} bytes). Investigate disk usage, as it could be used by active images, logs, volumes, or other data.",
            format_binary_size_1dec(capacity)
        ),
    }
}

pub const INVALID_CAPACITY_MESSAGE: &str = "invalid capacity 0 on image filesystem";
