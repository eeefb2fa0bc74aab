//! Twin of kubernetes pkg/kubelet/logs/container_log_manager.go (v1.29 to v1.35: the rotation
//! logic is the same in every one; `containerLogMaxWorkers` and `containerLogMonitorInterval`
//! exist since v1.30), the rotation of containers' stdout/stderr logs.
//!
//! What upstream does (read at master, 2026): `Start` runs `rotateLogs` at once and then every
//! `containerLogMonitorInterval` (`wait.Forever`, sliding: the next run is one interval after
//! the end of this one; a run takes no simulated time here, so runs are at k·interval from the
//! kubelet's start). `rotateLogs` lists the containers and queues the *running* ones; a worker
//! stats each one's current log and, when its size is `>= MaxSize`, `rotateLog`s it:
//! 1. `cleanupUnusedLogs`: leftovers of an earlier failed rotation (`.tmp`, a plain file whose
//!    `.gz` exists) are removed; there are none here, as no rotation fails half-way.
//! 2. `removeExcessLogs`: of the rotated files (oldest first), all but the newest
//!    `MaxFiles - 2` are removed ("the container will create a new log file, and we'll rotate
//!    the latest log file. Other than those 2 files, we can have at most MaxFiles-2 rotated").
//! 3. `compressLog`: every remaining uncompressed rotated file is gzipped (`.gz`) and the
//!    original removed.
//! 4. `rotateLatestLog`: the current file is renamed to `<log>.<timestamp>`, uncompressed (so a
//!    log shipper can finish reading it), and the runtime reopens an empty current file.
//!
//! So after a rotation a container has at most `MaxFiles` files: the current one, the one just
//! rotated (uncompressed), and `MaxFiles - 2` compressed ones. Exited containers are not
//! rotated; their files stay until the container is removed (`Clean` removes them all). A
//! negative `containerLogMaxSize` disables rotation (the stub manager).
//!
//! Our rules where upstream depends on the machine: the gzip ratio is
//! [`DEFAULT_LOG_COMPRESSION_RATIO`] (a setting of ours, `log_compression_ratio`); compression
//! takes no time and writes no temporary file; with a full disk the compression's temporary
//! file cannot be written, so the rotation fails and is retried at the next run (as upstream's
//! error path does). The number of workers does not change when rotations happen, since one
//! takes no simulated time.

use crate::engine::SimTime;

/// `containerLogMaxSize` default: "10Mi".
pub const DEFAULT_MAX_SIZE: i64 = 10 * 1024 * 1024;
/// `containerLogMaxFiles` default.
pub const DEFAULT_MAX_FILES: i64 = 5;
/// `containerLogMaxWorkers` default.
pub const DEFAULT_MAX_WORKERS: i64 = 1;
/// `containerLogMonitorInterval` default: 10s.
pub const DEFAULT_MONITOR_INTERVAL: SimTime = 10 * crate::engine::NANOS_PER_SEC;
/// Uncompressed bytes per gzip-compressed byte of a rotated log (ours). Container logs in the
/// CRI format (`<timestamp> stdout F <line>`) compress 5–10× with gzip's default level; 5 errs
/// toward more bytes on disk, which is the side a capacity plan should err on.
pub const DEFAULT_LOG_COMPRESSION_RATIO: f64 = 5.0;

/// The rotation policy (`LogRotatePolicy` plus the monitor interval and our gzip ratio).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LogRotatePolicy {
    /// `MaxSize` in bytes; `None` when negative (rotation disabled).
    pub max_size: Option<u64>,
    /// `MaxFiles` (> 1, validated).
    pub max_files: u32,
    pub monitor_interval: SimTime,
    pub compression_ratio: f64,
}

impl Default for LogRotatePolicy {
    fn default() -> Self {
        LogRotatePolicy {
            max_size: Some(DEFAULT_MAX_SIZE as u64),
            max_files: DEFAULT_MAX_FILES as u32,
            monitor_interval: DEFAULT_MONITOR_INTERVAL,
            compression_ratio: DEFAULT_LOG_COMPRESSION_RATIO,
        }
    }
}

/// One rotated log file of a container: its bytes on disk, and whether it is gzipped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RotatedLog {
    pub bytes: u64,
    pub compressed: bool,
}

/// The first run of the monitor loop at or after `t`: runs are at k·`interval` (k ≥ 0).
pub fn next_monitor_run(t: SimTime, interval: SimTime) -> SimTime {
    t.div_ceil(interval).saturating_mul(interval)
}

/// The gzipped size of a rotated file of `bytes` (at least one byte for a non-empty file: gzip
/// has a header, and a rounding to zero would make a file vanish).
pub fn compressed_size(bytes: u64, ratio: f64) -> u64 {
    if bytes == 0 {
        return 0;
    }
    ((bytes as f64 / ratio).ceil() as u64).clamp(1, bytes)
}

/// `rotateLog` on a container whose current file holds `current` bytes and whose rotated files
/// are `files` (oldest first), in place: afterwards they are the rotated files, oldest first,
/// the last one being the current file just renamed. Steps 2–4 of the module header.
pub fn rotate(files: &mut Vec<RotatedLog>, current: u64, policy: &LogRotatePolicy) {
    let keep = (policy.max_files as usize).saturating_sub(2);
    let start = files.len().saturating_sub(keep);
    files.drain(..start);
    for f in files.iter_mut().filter(|f| !f.compressed) {
        *f = RotatedLog {
            bytes: compressed_size(f.bytes, policy.compression_ratio),
            compressed: true,
        };
    }
    files.push(RotatedLog {
        bytes: current,
        compressed: false,
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: SimTime = crate::engine::NANOS_PER_SEC;

    #[test]
    fn monitor_runs_at_multiples_of_the_interval() {
        assert_eq!(next_monitor_run(0, 10 * S), 0);
        assert_eq!(next_monitor_run(1, 10 * S), 10 * S);
        assert_eq!(next_monitor_run(10 * S, 10 * S), 10 * S);
        assert_eq!(next_monitor_run(10 * S + 1, 10 * S), 20 * S);
    }

    /// MaxFiles 5 keeps 5 - 2 = 3 rotated files before the rename; gzip at 5×: 40 MB → 8 MB.
    fn rotated(files: &[RotatedLog], current: u64, policy: &LogRotatePolicy) -> Vec<RotatedLog> {
        let mut files = files.to_vec();
        rotate(&mut files, current, policy);
        files
    }

    #[test]
    fn rotation_keeps_max_files_minus_two_compressed_and_the_new_one_plain() {
        let p = LogRotatePolicy {
            max_size: Some(10 << 20),
            max_files: 5,
            monitor_interval: 10 * S,
            compression_ratio: 5.0,
        };
        let plain = |b| RotatedLog {
            bytes: b,
            compressed: false,
        };
        let gz = |b| RotatedLog {
            bytes: b,
            compressed: true,
        };
        // First rotation: nothing to keep or compress; the current file becomes the only one.
        let r1 = rotated(&[], 40_000_000, &p);
        assert_eq!(r1, vec![plain(40_000_000)]);
        // Second: the first is compressed (40 MB / 5 = 8 MB), the new one stays plain.
        let r2 = rotated(&r1, 40_000_000, &p);
        assert_eq!(r2, vec![gz(8_000_000), plain(40_000_000)]);
        let r4 = rotated(&rotated(&r2, 40_000_000, &p), 40_000_000, &p);
        assert_eq!(r4.len(), 4);
        // Fifth: 4 rotated files, keep the newest 3 (the oldest gz goes), compress, rename:
        // still 3 gz + 1 plain (+ the current file = MaxFiles).
        let r5 = rotated(&r4, 40_000_000, &p);
        assert_eq!(
            r5,
            vec![
                gz(8_000_000),
                gz(8_000_000),
                gz(8_000_000),
                plain(40_000_000)
            ]
        );
        // MaxFiles 2: no rotated file is kept before the rename.
        let p2 = LogRotatePolicy { max_files: 2, ..p };
        assert_eq!(rotated(&r5, 7, &p2), vec![plain(7)]);
    }

    #[test]
    fn compressed_size_rounds_up_and_never_vanishes() {
        assert_eq!(compressed_size(0, 5.0), 0);
        assert_eq!(compressed_size(1, 5.0), 1);
        assert_eq!(compressed_size(11, 5.0), 3);
        assert_eq!(compressed_size(10, 1.0), 10);
    }
}
