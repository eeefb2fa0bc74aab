//! Twin of kubernetes pkg/kubelet/eviction/helpers.go (v1.33); this file holds the value types of
//! pkg/kubelet/eviction/api/types.go (Signal, Threshold, ThresholdValue, GetThresholdQuantity) and
//! the signal → resource → node-condition tables that helpers.go builds in its `init()`.
//!
//! Spec: `shared/reference/kubelet-eviction.md` §1.3 (threshold), §1.4 (signal → resource →
//! condition). Everything here is a plain value: no I/O, no clock, no randomness.
//!
//! Signals: every signal the kubelet accepts (`validSignal`: the keys of `signalToResource`) is
//! representable, so any configuration the kubelet accepts parses here too, including the default
//! `memory.available: 100Mi`. The simulator only observes the six disk signals; thresholds on
//! memory, allocatable memory or PIDs never get an observation and are therefore never met, which
//! is exactly what the kubelet does with a threshold that has no observation ("no observation
//! found for eviction signal", §1.1). `swap.available` has an operator upstream but no resource,
//! so the kubelet rejects it as unsupported, and so do we.

use std::fmt;
use std::str::FromStr;

use crate::units::{percentage_of, Quantity};

/// An eviction signal (`evictionapi.Signal`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Signal {
    /// `memory.available`: representable (it is in the default map) but never observed here.
    MemoryAvailable,
    /// `allocatableMemory.available`: only produced by the `pods` allocatable copy (§2.5).
    AllocatableMemoryAvailable,
    /// `nodefs.available`: bytes free on the kubelet root filesystem.
    NodeFsAvailable,
    /// `nodefs.inodesFree`.
    NodeFsInodesFree,
    /// `imagefs.available`: bytes free on the runtime's image filesystem.
    ImageFsAvailable,
    /// `imagefs.inodesFree`.
    ImageFsInodesFree,
    /// `containerfs.available` (KEP-4191): synthesised from nodefs or imagefs at first sync (§3.2).
    ContainerFsAvailable,
    /// `containerfs.inodesFree` (KEP-4191).
    ContainerFsInodesFree,
    /// `pid.available`: representable, never observed here.
    PidAvailable,
}

/// The six disk signals, in the order the simulator reports them.
pub const DISK_SIGNALS: [Signal; 6] = [
    Signal::NodeFsAvailable,
    Signal::NodeFsInodesFree,
    Signal::ImageFsAvailable,
    Signal::ImageFsInodesFree,
    Signal::ContainerFsAvailable,
    Signal::ContainerFsInodesFree,
];

impl Signal {
    /// Every signal the kubelet accepts, in declaration order.
    pub const ALL: [Signal; 9] = [
        Signal::MemoryAvailable,
        Signal::AllocatableMemoryAvailable,
        Signal::NodeFsAvailable,
        Signal::NodeFsInodesFree,
        Signal::ImageFsAvailable,
        Signal::ImageFsInodesFree,
        Signal::ContainerFsAvailable,
        Signal::ContainerFsInodesFree,
        Signal::PidAvailable,
    ];

    /// The signal's name as written in kubelet configuration.
    pub fn as_str(self) -> &'static str {
        match self {
            Signal::MemoryAvailable => "memory.available",
            Signal::AllocatableMemoryAvailable => "allocatableMemory.available",
            Signal::NodeFsAvailable => "nodefs.available",
            Signal::NodeFsInodesFree => "nodefs.inodesFree",
            Signal::ImageFsAvailable => "imagefs.available",
            Signal::ImageFsInodesFree => "imagefs.inodesFree",
            Signal::ContainerFsAvailable => "containerfs.available",
            Signal::ContainerFsInodesFree => "containerfs.inodesFree",
            Signal::PidAvailable => "pid.available",
        }
    }

    /// True for the six filesystem signals the simulator observes.
    pub fn is_disk(self) -> bool {
        DISK_SIGNALS.contains(&self)
    }

    /// True for `memory.available` and `allocatableMemory.available`, which `byEvictionPriority`
    /// ranks before everything else (§4 step 13).
    pub fn is_memory(self) -> bool {
        matches!(
            self,
            Signal::MemoryAvailable | Signal::AllocatableMemoryAvailable
        )
    }

    /// `signalToResource` (§1.4). Every accepted signal has a resource, so this is total; the
    /// kubelet's "signals with no resource sort last" branch can never fire for a parsed threshold.
    pub fn resource(self) -> ResourceName {
        match self {
            Signal::MemoryAvailable | Signal::AllocatableMemoryAvailable => ResourceName::Memory,
            Signal::NodeFsAvailable | Signal::ImageFsAvailable | Signal::ContainerFsAvailable => {
                ResourceName::EphemeralStorage
            }
            Signal::NodeFsInodesFree
            | Signal::ImageFsInodesFree
            | Signal::ContainerFsInodesFree => ResourceName::Inodes,
            Signal::PidAvailable => ResourceName::Pids,
        }
    }

    /// `signalToNodeCondition` (§1.4): all six disk signals map to `DiskPressure`.
    pub fn node_condition(self) -> NodeConditionType {
        match self {
            Signal::MemoryAvailable | Signal::AllocatableMemoryAvailable => {
                NodeConditionType::MemoryPressure
            }
            Signal::PidAvailable => NodeConditionType::PidPressure,
            _ => NodeConditionType::DiskPressure,
        }
    }
}

impl fmt::Display for Signal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The name was not one of [`Signal::ALL`]. Displays as the raw name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownSignal(pub String);

impl fmt::Display for UnknownSignal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Signal {
    type Err = UnknownSignal;

    /// Case-sensitive, like the kubelet's map lookup.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Signal::ALL
            .iter()
            .copied()
            .find(|sig| sig.as_str() == s)
            .ok_or_else(|| UnknownSignal(s.to_string()))
    }
}

/// A resource the eviction manager reclaims (`v1.ResourceName`, plus the module-internal
/// `inodes` and `pids`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ResourceName {
    Memory,
    EphemeralStorage,
    /// Internal to the eviction package: inode consumption on a local disk.
    Inodes,
    /// Internal to the eviction package: process IDs.
    Pids,
}

impl ResourceName {
    pub fn as_str(self) -> &'static str {
        match self {
            ResourceName::Memory => "memory",
            ResourceName::EphemeralStorage => "ephemeral-storage",
            ResourceName::Inodes => "inodes",
            ResourceName::Pids => "pids",
        }
    }
}

impl fmt::Display for ResourceName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The node conditions the eviction manager can report. The derived order (memory, disk, PID) is
/// the order in which we list conditions; upstream lists them in Go map order (random).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NodeConditionType {
    MemoryPressure,
    DiskPressure,
    PidPressure,
}

impl NodeConditionType {
    pub fn as_str(self) -> &'static str {
        match self {
            NodeConditionType::MemoryPressure => "MemoryPressure",
            NodeConditionType::DiskPressure => "DiskPressure",
            NodeConditionType::PidPressure => "PIDPressure",
        }
    }
}

impl fmt::Display for NodeConditionType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `evictionapi.ThresholdOperator`. Upstream the operator is a string; the only value the parser
/// produces is `LessThan`. `Unset` is the empty string of a zero-valued `Threshold{}`, which
/// `UpdateContainerFsThresholds` appends when the source threshold is missing (§3.2): such a
/// threshold exists in the list but can never be met.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ThresholdOperator {
    LessThan,
    Unset,
}

impl ThresholdOperator {
    pub fn as_str(self) -> &'static str {
        match self {
            ThresholdOperator::LessThan => "LessThan",
            ThresholdOperator::Unset => "",
        }
    }
}

/// `evictionapi.ThresholdValue`: an absolute quantity, or a fraction of capacity.
///
/// Upstream both fields coexist and "the topmost non-zero field is used" (Quantity if non-nil,
/// else Percentage); an enum says the same thing. A percentage is kept as the `float32` fraction
/// the kubelet parses (`"10%"` → `float32(10)/100`), because the arithmetic depends on it (§1.3).
#[derive(Debug, Clone)]
pub enum ThresholdValue {
    Quantity(Quantity),
    Percentage(f32),
}

impl ThresholdValue {
    /// The zero value of the Go struct: nil Quantity, Percentage 0.
    pub fn zero() -> Self {
        ThresholdValue::Percentage(0.0)
    }
}

/// `compareThresholdValue`: quantities compare by exact value (`Quantity.Cmp`), percentages by exact
/// float32 equality, and a quantity never equals a percentage.
impl PartialEq for ThresholdValue {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (ThresholdValue::Quantity(a), ThresholdValue::Quantity(b)) => a == b,
            (ThresholdValue::Percentage(a), ThresholdValue::Percentage(b)) => a == b,
            _ => false,
        }
    }
}

/// Grace periods are Go `time.Duration`s: signed nanoseconds.
pub type DurationNs = i64;

/// `evictionapi.Threshold`.
#[derive(Debug, Clone)]
pub struct Threshold {
    pub signal: Signal,
    pub operator: ThresholdOperator,
    pub value: ThresholdValue,
    /// Zero means hard (`isHardEvictionThreshold`); otherwise soft.
    pub grace_period: DurationNs,
    pub min_reclaim: Option<ThresholdValue>,
}

impl Threshold {
    /// A `LessThan` threshold with no min-reclaim.
    pub fn new(signal: Signal, value: ThresholdValue, grace_period: DurationNs) -> Self {
        Threshold {
            signal,
            operator: ThresholdOperator::LessThan,
            value,
            grace_period,
            min_reclaim: None,
        }
    }

    /// The zero-valued `evictionapi.Threshold{Signal: s}` (§3.2): operator unset, value 0%.
    pub fn zero(signal: Signal) -> Self {
        Threshold {
            signal,
            operator: ThresholdOperator::Unset,
            value: ThresholdValue::zero(),
            grace_period: 0,
            min_reclaim: None,
        }
    }

    /// Builder-style min-reclaim.
    pub fn with_min_reclaim(mut self, min_reclaim: ThresholdValue) -> Self {
        self.min_reclaim = Some(min_reclaim);
        self
    }

    /// `isHardEvictionThreshold`: grace period exactly zero.
    pub fn is_hard(&self) -> bool {
        self.grace_period == 0
    }
}

/// Structural equality, used wherever the kubelet keys a Go map by `Threshold`
/// (`thresholdsObservedAt`). Upstream the key compares the `*Quantity` and `*MinReclaim` pointers,
/// which in practice identify one configured threshold; comparing the values instead identifies
/// the same threshold, because no two configured thresholds share signal, grace period and value.
impl PartialEq for Threshold {
    fn eq(&self, other: &Self) -> bool {
        self.signal == other.signal
            && self.operator == other.operator
            && self.value == other.value
            && self.grace_period == other.grace_period
            && self.min_reclaim == other.min_reclaim
    }
}

/// `GetThresholdQuantity` (§1.3): a quantity is returned as is; a percentage becomes
/// `int64(float64(capacity) * float64(pct))`, truncated toward zero, with `pct` still the float32
/// fraction — so `10%` of 100 GB is 10 000 000 149, not 10 000 000 000.
pub fn get_threshold_quantity(value: &ThresholdValue, capacity: i64) -> i64 {
    match value {
        ThresholdValue::Quantity(q) => q.value(),
        ThresholdValue::Percentage(pct) => percentage_of(capacity, *pct),
    }
}

/// The same number as [`get_threshold_quantity`], as the Quantity the kubelet prints with `%v`:
/// a configured quantity keeps its own format (`2Gi`, `1100M`); a percentage result is a new
/// BinarySI quantity (`resource.NewQuantity(v, BinarySI)`), e.g. `4668496467` or `15Gi`.
pub fn get_threshold_quantity_display(value: &ThresholdValue, capacity: i64) -> String {
    match value {
        ThresholdValue::Quantity(q) => q.to_string(),
        ThresholdValue::Percentage(pct) => {
            Quantity::from_bytes_binary(percentage_of(capacity, *pct)).to_string()
        }
    }
}
