//! A kubelet restart: what stops with the process, and what a new one starts without.

use super::*;

impl<'a> Simulation<'a> {
    /// The kubelet process stops: no loop runs until it starts again (see `handle`).
    pub(super) fn on_kubelet_stop(&mut self) {
        let now = self.engine.now();
        let (_, down) = self.sc.kubelet_restarts[self.restart_pos];
        let up = now + down;
        self.kubelet_down = Some(up);
        self.summary.kubelet_restarts += 1;
        self.engine.schedule_at(up, Ev::KubeletStart);
        // The loops' pending runs die with the process (a slot past the horizon is emptied).
        for (slot, e) in [
            (SLOT_IMAGE_GC, Ev::ImageGc),
            (SLOT_CONTAINER_GC, Ev::ContainerGc),
            (SLOT_IMAGE_DETECT, Ev::ImageDetect),
            (SLOT_EVICTION_SYNC, Ev::EvictionSync(0)),
            (SLOT_LOG_RUN, Ev::LogRun),
        ] {
            self.engine.schedule_slot_at(slot, SimTime::MAX, e);
        }
        self.skip = None;
    }

    /// The kubelet starts again. What it kept in memory is gone: image GC records (every image
    /// is first detected afresh, so MinAge protects it again, and the MaxAge stage waits for
    /// the new uptime), the eviction manager's observations, grace timers and conditions,
    /// pull back-off and the registry token bucket. The runtime kept its containers, images
    /// and logs. The loops start as at t = 0, their grids counted from now.
    pub(super) fn on_kubelet_start(&mut self, rec: &mut dyn Recorder) {
        let now = self.engine.now();
        let k = &self.sc.kubelet;
        self.kubelet_down = None;
        self.kubelet_epoch = now;
        self.gc = new_image_gc_manager(self.sc);
        self.began_gc = now;
        self.gc_consecutive_failures = 0;
        self.backoff = Backoff::default();
        self.bucket = TokenBucket::new(k.registry_pull_qps, k.registry_burst);
        self.eviction = EvictionManager::new(self.sc.eviction.clone());
        self.cgc_noop = None;
        let msg = "Starting kubelet.".to_string();
        self.emit(
            rec,
            KubeletEvent::normal(ev::STARTING, ObjectRef::Node, msg),
        );
        if !k.image_gc_loop_disabled() {
            self.engine
                .schedule_slot_at(SLOT_IMAGE_GC, now, Ev::ImageGc);
        }
        self.engine
            .schedule_slot_at(SLOT_CONTAINER_GC, now, Ev::ContainerGc);
        self.engine
            .schedule_slot_at(SLOT_IMAGE_DETECT, now, Ev::ImageDetect);
        self.sync_gen += 1;
        self.engine
            .schedule_slot_at(SLOT_EVICTION_SYNC, now, Ev::EvictionSync(self.sync_gen));
        // In (time, container) order, as the runs would have looked at them.
        let due = std::mem::take(&mut self.log_due).into_sorted_vec();
        for Reverse((t, id)) in due.into_iter().rev() {
            self.log_checks.remove(&id);
            let at = self.next_log_run(t);
            self.add_log_check(at, id);
        }
        for res in std::mem::take(&mut self.pulls_done_while_down) {
            self.finish_pull(res, rec);
        }
        self.restart_pos += 1;
        if let Some(&(at, _)) = self.sc.kubelet_restarts.get(self.restart_pos) {
            self.engine.schedule_at(at, Ev::KubeletStop);
        }
    }
}
