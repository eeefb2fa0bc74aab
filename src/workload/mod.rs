//! Workloads: what pods arrive, with which images, and when they go.

pub mod fit;
pub mod import;
pub mod synthetic;
pub mod trace;
