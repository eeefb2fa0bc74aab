//! What `run` prints about a finished run: a few lines of the summary's headline numbers.
//! In the library (not `main.rs`) so that a test can check the README's quickstart block
//! against it.

use crate::outcome::Summary;

/// The lines `run` prints for scenario `name` (no trailing newline).
pub fn run_summary(name: &str, s: &Summary) -> String {
    let gib = |b: u64| b as f64 / (1u64 << 30) as f64;
    [
        format!(
            "{}: {} simulated",
            name,
            crate::units::format_go_duration(s.simulated_seconds as i64 * 1_000_000_000)
        ),
        format!(
            "  image GC: {} passes, {} over the high threshold, {} failed; {} images deleted ({} by age, {} by the eviction manager)",
            s.gc_runs, s.gc_triggered, s.gc_failures, s.images_deleted, s.images_deleted_by_age, s.images_deleted_by_eviction
        ),
        format!(
            "  freed: {:.1} GiB as the kubelet counts it (reported sizes), {:.1} GiB on disk",
            gib(s.bytes_freed_reported),
            gib(s.bytes_freed_on_disk)
        ),
        format!(
            "  pulls: {} ({} of images deleted earlier), {:.1} GiB written, {} failed",
            s.pulls,
            s.repulls,
            gib(s.pull_bytes),
            s.pull_failures
        ),
        format!(
            "  eviction: DiskPressure {} s in {} periods; {} pods evicted, {} over a local limit, {} rejected at admission",
            s.disk_pressure_seconds, s.disk_pressure_transitions, s.evictions, s.limit_evictions, s.admission_rejections
        ),
        format!(
            "  disk: peak usage {}%, least available {:.2} GiB",
            s.peak_usage_percent,
            gib(s.min_available_bytes)
        ),
    ]
    .join("\n")
}
