//! The kubelet model: one module per kubelet concept, each named after its kubelet twin.
//!
//! Nothing in here does I/O, reads the wall clock or knows about files and plots. The model talks
//! to the virtual node through the traits in [`runtime`], the way the kubelet talks to the CRI.

pub mod config;
pub mod container_gc;
pub mod container_log_manager;
pub mod events;
pub mod eviction;
pub mod image_gc_manager;
pub mod image_manager;
pub mod runtime;
pub mod versions;
