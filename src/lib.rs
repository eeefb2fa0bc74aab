//! imagefs-sim: a discrete-event simulator of how the kubelet manages node disk.
//!
//! Data flows one way: scenario → simulation → outcome → reports. See ARCHITECTURE.md.

pub mod engine;
pub mod error;
pub mod explain;
pub mod input;
pub mod kubelet;
pub mod node;
pub mod observed;
pub mod outcome;
pub mod overrides;
pub mod report;
pub mod runner;
pub mod scenario;
pub mod sim;
pub mod sweep;
pub mod units;
pub mod wallclock;
pub mod workload;
