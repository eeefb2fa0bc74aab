//! Driving the kubelet's container log manager (`kubelet/container_log_manager.rs`): when its
//! runs look at which container, and what a run does to a log.

use super::*;

impl<'a> Simulation<'a> {
    /// Schedules the log manager's run that will find the container's current log at or over
    /// the max size, if it grows at its rate until then: the first run at or after the instant
    /// it reaches the size. Its rate can only fall before then (a full disk, its log cap), so
    /// that run is never late; if it finds the log short (the rate fell), a node watch takes
    /// over until the rate is back. Without a rate, the watch alone.
    /// `earliest`: the first run it may be (after a rotation, the next run: a run rotates once).
    pub(super) fn schedule_log_check(&mut self, id: u64, earliest: SimTime) {
        let policy = self.sc.kubelet.log_rotation;
        let Some(max) = policy.max_size else { return };
        let Some((v, rate)) = self.node.current_log_fill(id) else {
            return;
        };
        let target = max as u128 * NANOS_PER_SEC as u128;
        if rate == 0 && v < target {
            self.node.watch_log(id, max);
            return;
        }
        let now = self.engine.now();
        let reach = if v >= target {
            now
        } else {
            let dt = (target - v).div_ceil(rate as u128);
            now.saturating_add(dt.min(SimTime::MAX as u128) as SimTime)
        };
        let at = self.next_log_run(reach.max(earliest));
        self.add_log_check(at, id);
    }

    /// The log manager's first run at or after `t`: its runs are at k·interval from the start
    /// of the running kubelet.
    pub(super) fn next_log_run(&self, t: SimTime) -> SimTime {
        let e = self.kubelet_epoch;
        e + next_monitor_run(t.max(e) - e, self.sc.kubelet.log_rotation.monitor_interval)
    }

    /// Has the log manager's run at `at` look at container `id` (once, whatever asks twice).
    pub(super) fn add_log_check(&mut self, at: SimTime, id: u64) {
        if !self.log_checks.insert(id) {
            return;
        }
        let first = self.log_due.peek().map(|&Reverse((t, _))| t);
        self.log_due.push(Reverse((at, id)));
        if first.is_none_or(|t| at < t) {
            self.engine.schedule_slot_at(SLOT_LOG_RUN, at, Ev::LogRun);
        }
    }

    /// A run of the log manager finds this container's current log at or over the max size
    /// (rotateLogs: running containers only): rotate it, or, on a full disk, retry next run.
    pub(super) fn on_log_rotate(&mut self, id: u64) {
        let now = self.engine.now();
        let policy = self.sc.kubelet.log_rotation;
        let Some(max) = policy.max_size else { return };
        let Some(c) = self.node.container(id) else {
            return;
        };
        if c.state != crate::kubelet::runtime::ContainerState::Running {
            return;
        }
        let current = c.current_log_bytes(now);
        if current < max {
            self.node.watch_log(id, max);
            return;
        }
        if self
            .node
            .rotate_log(id, |files| rotate(files, current, &policy))
        {
            self.summary.log_rotations += 1;
            self.schedule_log_check(id, now + policy.monitor_interval);
        } else {
            self.add_log_check(now + policy.monitor_interval, id);
        }
    }
}
