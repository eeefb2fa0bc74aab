//! The discrete-event engine: an integer clock and a queue of timed events.
//!
//! It knows nothing about Kubernetes. Events are ordered by (time, sequence number), so events
//! scheduled for the same instant run in the order they were scheduled (FIFO) and a run is
//! reproducible bit for bit. There is no wall clock and no randomness here; the simulation owns a
//! seeded RNG of its own.
//!
//! Besides the queue, the engine has *slots*: each holds at most one pending event, and
//! scheduling into a slot replaces what it held. Loops that always have exactly one event
//! pending (a periodic timer, a sync that gets moved) live there, out of the heap; a replaced
//! event is simply gone instead of popping later as a stale no-op. Slot events take their
//! sequence numbers from the same counter, so the order is the same (time, seq) order.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// Simulated time in nanoseconds since the start of the run (the kubelet's start).
pub type SimTime = u64;

pub const NANOS_PER_SEC: u64 = 1_000_000_000;

/// Converts whole seconds to [`SimTime`].
pub const fn secs(s: u64) -> SimTime {
    s * NANOS_PER_SEC
}

struct Entry<E> {
    time: SimTime,
    seq: u64,
    event: E,
}

impl<E> PartialEq for Entry<E> {
    fn eq(&self, other: &Self) -> bool {
        self.time == other.time && self.seq == other.seq
    }
}
impl<E> Eq for Entry<E> {}
impl<E> PartialOrd for Entry<E> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<E> Ord for Entry<E> {
    // BinaryHeap is a max-heap: reverse so the earliest (time, seq) pops first.
    fn cmp(&self, other: &Self) -> Ordering {
        (other.time, other.seq).cmp(&(self.time, self.seq))
    }
}

/// A priority queue of events of type `E` with a clock that only moves forward.
pub struct Engine<E> {
    now: SimTime,
    /// Events after this time are never run, so they are not queued at all (a smaller queue
    /// is a faster one).
    horizon: SimTime,
    next_seq: u64,
    queue: BinaryHeap<Entry<E>>,
    slots: Vec<Option<Entry<E>>>,
    processed: u64,
}

impl<E> Default for Engine<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E> Engine<E> {
    pub fn new() -> Self {
        Engine {
            now: 0,
            horizon: SimTime::MAX,
            next_seq: 0,
            queue: BinaryHeap::new(),
            slots: Vec::new(),
            processed: 0,
        }
    }

    /// The current simulated time.
    pub fn now(&self) -> SimTime {
        self.now
    }

    /// Number of events popped so far.
    pub fn processed(&self) -> u64 {
        self.processed
    }

    /// Drops every event scheduled after `t` from now on: the run ends at `t`.
    pub fn set_horizon(&mut self, t: SimTime) {
        self.horizon = t;
    }

    /// Schedules `event` at absolute time `at`. Scheduling in the past is clamped to now, so the
    /// clock never goes back. Events after the horizon are dropped.
    pub fn schedule_at(&mut self, at: SimTime, event: E) {
        let time = at.max(self.now);
        if time > self.horizon {
            return;
        }
        let seq = self.next_seq;
        self.next_seq += 1;
        self.queue.push(Entry { time, seq, event });
    }

    /// Schedules `event` `delay` nanoseconds from now.
    pub fn schedule_in(&mut self, delay: SimTime, event: E) {
        self.schedule_at(self.now.saturating_add(delay), event);
    }

    /// Puts `event` at time `at` into slot `slot`, replacing the slot's pending event if any.
    /// Clamped to now and dropped past the horizon like [`Self::schedule_at`].
    pub fn schedule_slot_at(&mut self, slot: usize, at: SimTime, event: E) {
        if self.slots.len() <= slot {
            self.slots.resize_with(slot + 1, || None);
        }
        let time = at.max(self.now);
        if time > self.horizon {
            self.slots[slot] = None;
            return;
        }
        let seq = self.next_seq;
        self.next_seq += 1;
        self.slots[slot] = Some(Entry { time, seq, event });
    }

    /// [`Self::schedule_slot_at`] `delay` nanoseconds from now.
    pub fn schedule_slot_in(&mut self, slot: usize, delay: SimTime, event: E) {
        self.schedule_slot_at(slot, self.now.saturating_add(delay), event);
    }

    /// The slot holding the earliest (time, seq) slot event.
    fn first_slot(&self) -> Option<usize> {
        let mut best: Option<(usize, SimTime, u64)> = None;
        for (i, e) in self.slots.iter().enumerate() {
            if let Some(e) = e {
                if best.is_none_or(|(_, t, s)| (e.time, e.seq) < (t, s)) {
                    best = Some((i, e.time, e.seq));
                }
            }
        }
        best.map(|(i, _, _)| i)
    }

    /// Time of the next event, if any.
    pub fn peek_time(&self) -> Option<SimTime> {
        let q = self.queue.peek().map(|e| e.time);
        let s = self
            .first_slot()
            .map(|i| self.slots[i].as_ref().expect("a pending slot").time);
        match (q, s) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// The slot whose event pops next, if the next event is a slot's.
    pub fn next_slot(&self) -> Option<usize> {
        let i = self.first_slot()?;
        let s = self.slots[i].as_ref().expect("a pending slot");
        self.queue
            .peek()
            .is_none_or(|q| (s.time, s.seq) < (q.time, q.seq))
            .then_some(i)
    }

    /// Pops the next event and advances the clock to its time.
    pub fn pop(&mut self) -> Option<(SimTime, E)> {
        self.pop_until(SimTime::MAX)
    }

    /// Pops the next event if it is due at or before `limit`.
    pub fn pop_until(&mut self, limit: SimTime) -> Option<(SimTime, E)> {
        let slot = self.first_slot().filter(|&i| {
            let s = self.slots[i].as_ref().expect("a pending slot");
            self.queue
                .peek()
                .is_none_or(|q| (s.time, s.seq) < (q.time, q.seq))
        });
        let due = |e: &Entry<E>| e.time <= limit;
        let e = match slot {
            Some(i) if due(self.slots[i].as_ref().expect("a pending slot")) => {
                self.slots[i].take().expect("a pending slot")
            }
            Some(_) => return None,
            None if self.queue.peek().is_some_and(due) => self.queue.pop()?,
            None => return None,
        };
        debug_assert!(e.time >= self.now);
        self.now = e.time;
        self.processed += 1;
        Some((e.time, e.event))
    }

    /// Advances the clock without an event (used to finish a run at its end time).
    pub fn advance_to(&mut self, t: SimTime) {
        if t > self.now {
            self.now = t;
        }
    }

    pub fn pending(&self) -> usize {
        self.queue.len() + self.slots.iter().flatten().count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_time_events_pop_in_schedule_order() {
        let mut e = Engine::new();
        e.schedule_at(10, "b1");
        e.schedule_at(5, "a");
        e.schedule_at(10, "b2");
        e.schedule_at(10, "b3");
        let order: Vec<_> = std::iter::from_fn(|| e.pop()).collect();
        assert_eq!(order, vec![(5, "a"), (10, "b1"), (10, "b2"), (10, "b3")]);
        assert_eq!(e.processed(), 4);
    }

    #[test]
    fn slot_events_interleave_by_time_and_sequence_and_replace() {
        let mut e = Engine::new();
        e.schedule_at(10, "q1");
        e.schedule_slot_at(0, 10, "s0-old");
        e.schedule_at(10, "q2");
        e.schedule_slot_at(1, 5, "s1");
        // Replacing takes a new sequence number: it now comes after q2.
        e.schedule_slot_at(0, 10, "s0");
        e.schedule_at(10, "q3");
        assert_eq!(e.pending(), 5);
        assert_eq!(e.peek_time(), Some(5));
        let order: Vec<_> = std::iter::from_fn(|| e.pop()).map(|(_, x)| x).collect();
        assert_eq!(order, vec!["s1", "q1", "q2", "s0", "q3"]);
        // Past the horizon, a slot is emptied.
        e.set_horizon(20);
        e.schedule_slot_at(2, 15, "in");
        e.schedule_slot_at(2, 25, "out");
        assert_eq!(e.pop(), None);
    }

    #[test]
    fn events_after_the_horizon_are_dropped() {
        let mut e = Engine::new();
        e.set_horizon(100);
        e.schedule_at(100, "last");
        e.schedule_at(101, "never");
        e.schedule_in(u64::MAX, "never either");
        assert_eq!(e.pending(), 1);
        assert_eq!(e.pop_until(99), None);
        assert_eq!(e.pop_until(100), Some((100, "last")));
        assert_eq!(e.pop(), None);
    }

    #[test]
    fn scheduling_in_the_past_is_clamped_to_now() {
        let mut e = Engine::new();
        e.schedule_at(100, 1);
        e.pop();
        e.schedule_at(50, 2);
        assert_eq!(e.pop(), Some((100, 2)));
        assert_eq!(e.now(), 100);
    }
}
