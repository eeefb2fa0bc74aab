//! What killed writers leave behind, and who removes it.
//!
//! Every output is staged under a hidden name carrying its writer's process id: a run's, a
//! merge's or an import's directory as `.NAME.tmp-PID/` beside it; a sweep's files inside its
//! directory as `.sweep.tmp-PID/` (and `.FILE.tmp-PID`, `.plots.tmp-PID/` of older versions).
//! A replaced directory is moved to `.NAME.old-PID/` for the instant of the swap. A writer that
//! is killed leaves these behind.
//!
//! The rule: the next writer of the same output removes every leftover whose writer is gone —
//! no process has that id, or the process that has it started after the leftover was last
//! modified (the id was reused). A live writer's staging (a concurrent run into the same
//! output) is left alone. Where process start times cannot be read (no `/proc`), a leftover is
//! removed once it is a day old. An `.old-PID/` whose writer died between the two renames of a
//! swap holds the previous results: when the target is missing it is renamed back, not removed.

use std::fs;
use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A staging name's parts: (the output's name, `true` for `.old-`, the writer's pid).
fn parse(name: &str) -> Option<(&str, bool, u32)> {
    let rest = name.strip_prefix('.')?;
    let (head, pid) = rest.rsplit_once('-')?;
    if pid.is_empty() || !pid.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let pid: u32 = pid.parse().ok()?;
    if let Some(stem) = head.strip_suffix(".tmp") {
        Some((stem, false, pid))
    } else {
        head.strip_suffix(".old").map(|stem| (stem, true, pid))
    }
}

/// Whether `name` is a staging name (`.X.tmp-PID`, `.X.old-PID`).
pub fn is_staging_name(name: &str) -> bool {
    parse(name).is_some()
}

/// Removes the leftovers in `dir` of writers that are gone: those of the output `name` (its
/// `.old-` restored to `target` when `target` is missing), or every one when `name` is `None`
/// (a directory the output owns, such as a sweep's). Errors are ignored: a leftover that
/// cannot be removed is no reason to fail a run.
pub fn clean(dir: &Path, name: Option<&str>, target: &Path) {
    let Ok(rd) = fs::read_dir(dir) else { return };
    let me = std::process::id();
    for e in rd.filter_map(|e| e.ok()) {
        let file_name = e.file_name();
        let file_name = file_name.to_string_lossy();
        let Some((stem, old, pid)) = parse(&file_name) else {
            continue;
        };
        if pid == me || name.is_some_and(|n| n != stem) {
            continue;
        }
        let Ok(meta) = fs::symlink_metadata(e.path()) else {
            continue;
        };
        let modified = meta.modified().unwrap_or(UNIX_EPOCH);
        if !writer_gone(pid, modified) {
            continue;
        }
        if old && name.is_some() && !target.exists() && fs::rename(e.path(), target).is_ok() {
            continue;
        }
        if meta.is_dir() {
            fs::remove_dir_all(e.path()).ok();
        } else {
            fs::remove_file(e.path()).ok();
        }
    }
}

/// Whether the writer `pid` of a leftover last modified at `modified` is gone.
fn writer_gone(pid: u32, modified: SystemTime) -> bool {
    if !Path::new("/proc/self/stat").exists() {
        return modified
            .elapsed()
            .is_ok_and(|age| age > Duration::from_secs(86_400));
    }
    if !Path::new(&format!("/proc/{pid}")).exists() {
        return true;
    }
    match process_start(pid) {
        // Boot time has whole seconds: allow 2 s of slack before calling the id reused.
        Some(start) => start > modified + Duration::from_secs(2),
        None => false,
    }
}

/// When process `pid` started (Linux: `/proc/PID/stat` field 22, in clock ticks after boot;
/// USER_HZ is 100 on every Linux architecture).
fn process_start(pid: u32) -> Option<SystemTime> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after = &stat[stat.rfind(')')? + 1..];
    let ticks: u64 = after.split_whitespace().nth(19)?.parse().ok()?;
    let boot: u64 = fs::read_to_string("/proc/stat")
        .ok()?
        .lines()
        .find_map(|l| l.strip_prefix("btime ")?.trim().parse().ok())?;
    Some(UNIX_EPOCH + Duration::from_secs(boot) + Duration::from_millis(ticks * 10))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staging_names() {
        assert_eq!(parse(".run.tmp-123"), Some(("run", false, 123)));
        assert_eq!(parse(".a.b.old-7"), Some(("a.b", true, 7)));
        assert_eq!(parse(".sweep.csv.tmp-42"), Some(("sweep.csv", false, 42)));
        assert_eq!(parse("run.tmp-123"), None);
        assert_eq!(parse(".run.tmp-"), None);
        assert_eq!(parse(".run.tmp-12a"), None);
        assert_eq!(parse(".run.bak-12"), None);
    }

    #[test]
    fn a_live_writer_is_not_gone_and_a_dead_one_is() {
        let now = SystemTime::now();
        // This process is alive and started before now.
        assert!(!writer_gone(std::process::id(), now));
        if Path::new("/proc/self/stat").exists() {
            // pid_max is at most 2^22: this id has no process.
            assert!(writer_gone(4_194_304 + 17, now));
            // A live process that started after the leftover was written: the id was reused.
            assert!(writer_gone(std::process::id(), UNIX_EPOCH));
        }
    }
}
