//! Twin of kubernetes pkg/kubelet/images/image_manager.go and puller.go (v1.32–v1.34), plus the
//! pieces of client-go they use: `flowcontrol.Backoff` and the registry token bucket
//! (kubelet-image-gc.md §10).
//!
//! These are the decisions; the simulation supplies time and moves the bytes.

use std::collections::{BTreeMap, VecDeque};

use crate::engine::{SimTime, NANOS_PER_SEC};

/// `imagePullPolicy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PullPolicy {
    Always,
    IfNotPresent,
    Never,
}

impl PullPolicy {
    pub fn parse(s: &str) -> Option<PullPolicy> {
        match s {
            "Always" => Some(PullPolicy::Always),
            "IfNotPresent" => Some(PullPolicy::IfNotPresent),
            "Never" => Some(PullPolicy::Never),
            _ => None,
        }
    }

    /// API defaulting when the field is omitted: `Always` for `:latest` or no tag (and no
    /// digest), else `IfNotPresent`.
    pub fn api_default(image: &str) -> PullPolicy {
        if image.contains('@') {
            return PullPolicy::IfNotPresent;
        }
        // The tag is after the last ':' that follows the last '/' (a registry port is not a tag).
        let last = image.rsplit('/').next().unwrap_or(image);
        match last.rsplit_once(':') {
            None => PullPolicy::Always,
            Some((_, "latest")) => PullPolicy::Always,
            Some(_) => PullPolicy::IfNotPresent,
        }
    }
}

/// What `EnsureImageExists` does for one container (§10 steps 2–4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnsureDecision {
    /// Present and the policy allows using it: `Pulled` "already present on machine".
    UsePresent,
    /// `Never` and absent: `ErrImageNeverPull`.
    NeverPull,
    /// Still inside the back-off window: `BackOff`, no pull attempt.
    BackOff,
    /// Emit `Pulling` and hand a request to the puller.
    Pull,
}

pub fn ensure_image_exists(policy: PullPolicy, present: bool, in_backoff: bool) -> EnsureDecision {
    match (policy, present) {
        (PullPolicy::IfNotPresent, true) | (PullPolicy::Never, true) => EnsureDecision::UsePresent,
        (PullPolicy::Never, false) => EnsureDecision::NeverPull,
        _ if in_backoff => EnsureDecision::BackOff,
        _ => EnsureDecision::Pull,
    }
}

/// Image pull back-off: `flowcontrol.NewBackOff(10s, 300s)`, no jitter.
pub const BACKOFF_INITIAL: SimTime = 10 * NANOS_PER_SEC;
pub const BACKOFF_MAX: SimTime = 300 * NANOS_PER_SEC;

/// `flowcontrol.Backoff`, keyed by `<podUID>_<image>`. A BTreeMap keeps GC deterministic.
#[derive(Debug, Clone, Default)]
pub struct Backoff {
    entries: BTreeMap<(u64, String), (SimTime, SimTime)>,
}

impl Backoff {
    fn expired(now: SimTime, last_update: SimTime) -> bool {
        now.saturating_sub(last_update) > 2 * BACKOFF_MAX
    }

    /// `IsInBackOffSince(key, now)`.
    pub fn is_in_backoff(&self, key: &(u64, String), now: SimTime) -> bool {
        match self.entries.get(key) {
            Some(&(last, dur)) if !Self::expired(now, last) => now.saturating_sub(last) < dur,
            _ => false,
        }
    }

    /// [`Self::is_in_backoff`] for pod `uid` and `image`, without building a key when no
    /// back-off is recorded at all (the common case).
    pub fn is_in_backoff_for(&self, uid: u64, image: &str, now: SimTime) -> bool {
        !self.entries.is_empty() && self.is_in_backoff(&(uid, image.to_string()), now)
    }

    /// `Next(key, now)`: 10 s, then doubling to 300 s; reset after 2×max without an update.
    pub fn next(&mut self, key: (u64, String), now: SimTime) {
        let dur = match self.entries.get(&key) {
            Some(&(last, dur)) if !Self::expired(now, last) => (dur * 2).min(BACKOFF_MAX),
            _ => BACKOFF_INITIAL,
        };
        self.entries.insert(key, (now, dur));
    }

    /// `GC()`: drop expired entries (called after a successful pull).
    pub fn gc(&mut self, now: SimTime) {
        self.entries
            .retain(|_, &mut (last, _)| !Self::expired(now, last));
    }

    pub fn current(&self, key: &(u64, String)) -> Option<SimTime> {
        self.entries.get(key).map(|&(_, d)| d)
    }
}

/// `flowcontrol.NewTokenBucketRateLimiter(qps, burst)` with `TryAccept` (golang.org/x/time/rate:
/// starts full, refills at `qps` per second up to `burst`). QPS 0 means no limit. Tokens are kept
/// in nano-tokens so the arithmetic is exact.
#[derive(Debug, Clone)]
pub struct TokenBucket {
    qps: u64,
    burst: u64,
    nano_tokens: u128,
    last: SimTime,
}

impl TokenBucket {
    pub fn new(qps: u32, burst: u32) -> Self {
        TokenBucket {
            qps: qps as u64,
            burst: burst as u64,
            nano_tokens: burst as u128 * NANOS_PER_SEC as u128,
            last: 0,
        }
    }

    pub fn try_accept(&mut self, now: SimTime) -> bool {
        if self.qps == 0 {
            return true;
        }
        let cap = self.burst as u128 * NANOS_PER_SEC as u128;
        let dt = now.saturating_sub(self.last) as u128;
        self.nano_tokens = (self.nano_tokens + dt * self.qps as u128).min(cap);
        self.last = now.max(self.last);
        if self.nano_tokens >= NANOS_PER_SEC as u128 {
            self.nano_tokens -= NANOS_PER_SEC as u128;
            true
        } else {
            false
        }
    }
}

/// The error text when the token bucket refuses a pull.
pub const PULL_QPS_EXCEEDED: &str = "pull QPS exceeded";

/// The image puller: serialized (one worker, FIFO) or parallel (a semaphore of
/// `maxParallelImagePulls`, or unlimited). Request IDs are the caller's.
///
/// Upstream the serialized queue is a channel with a buffer of 10 whose senders block when it
/// is full; since each pod worker blocks on its own pull anyway, an unbounded FIFO gives the
/// same order.
#[derive(Debug, Clone)]
pub struct ImagePuller {
    limit: Option<usize>,
    in_flight: usize,
    queue: VecDeque<u64>,
}

impl ImagePuller {
    pub fn new(serialize: bool, max_parallel: Option<u32>) -> Self {
        let limit = if serialize {
            Some(1)
        } else {
            max_parallel.map(|n| n as usize)
        };
        ImagePuller {
            limit,
            in_flight: 0,
            queue: VecDeque::new(),
        }
    }

    /// Queues a request; returns the requests that may start now (at most this one).
    pub fn submit(&mut self, request: u64) -> Option<u64> {
        if self.limit.is_none_or(|l| self.in_flight < l) {
            self.in_flight += 1;
            Some(request)
        } else {
            self.queue.push_back(request);
            None
        }
    }

    /// A pull finished (either way); returns the next queued request to start, if any.
    pub fn finish(&mut self) -> Option<u64> {
        self.in_flight = self.in_flight.saturating_sub(1);
        let next = self.queue.pop_front()?;
        self.in_flight += 1;
        Some(next)
    }

    pub fn in_flight(&self) -> usize {
        self.in_flight
    }
    pub fn queued(&self) -> usize {
        self.queue.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_default_pull_policy() {
        assert_eq!(PullPolicy::api_default("nginx"), PullPolicy::Always);
        assert_eq!(PullPolicy::api_default("nginx:latest"), PullPolicy::Always);
        assert_eq!(
            PullPolicy::api_default("nginx:1.25"),
            PullPolicy::IfNotPresent
        );
        assert_eq!(PullPolicy::api_default("reg:5000/app"), PullPolicy::Always);
        assert_eq!(
            PullPolicy::api_default("reg:5000/app:v2"),
            PullPolicy::IfNotPresent
        );
        assert_eq!(
            PullPolicy::api_default("app@sha256:abcd"),
            PullPolicy::IfNotPresent
        );
    }

    #[test]
    fn backoff_doubles_to_300s_and_resets_after_600s_quiet() {
        let s = NANOS_PER_SEC;
        let mut b = Backoff::default();
        let k = (1, "img".to_string());
        let mut t = 0;
        let mut seen = vec![];
        for _ in 0..7 {
            b.next(k.clone(), t);
            seen.push(b.current(&k).unwrap() / s);
            t += 5 * s;
        }
        assert_eq!(seen, vec![10, 20, 40, 80, 160, 300, 300]);
        assert!(b.is_in_backoff(&k, t));
        // 600 s without an update is not yet expired (strictly greater resets).
        let last = t - 5 * s;
        b.next(k.clone(), last + 600 * s);
        assert_eq!(b.current(&k), Some(300 * s));
        b.next(k.clone(), last + 600 * s + 601 * s);
        assert_eq!(b.current(&k), Some(10 * s));
    }

    #[test]
    fn backoff_window_is_strict() {
        let s = NANOS_PER_SEC;
        let mut b = Backoff::default();
        let k = (1, "img".to_string());
        b.next(k.clone(), 0);
        assert!(b.is_in_backoff(&k, 10 * s - 1));
        assert!(!b.is_in_backoff(&k, 10 * s));
    }

    /// The keyed lookup: only the failed (pod, image) pair is in back-off (10 s from the
    /// failure), and an empty back-off never is.
    #[test]
    fn backoff_is_per_pod_and_image() {
        let s = NANOS_PER_SEC;
        let mut b = Backoff::default();
        assert!(!b.is_in_backoff_for(1, "img", 0));
        b.next((1, "img".to_string()), 0);
        assert!(b.is_in_backoff_for(1, "img", 5 * s));
        assert!(!b.is_in_backoff_for(2, "img", 5 * s));
        assert!(!b.is_in_backoff_for(1, "other", 5 * s));
        assert!(!b.is_in_backoff_for(1, "img", 10 * s));
    }

    /// `GC()` drops an entry once more than 2 × 300 s have passed since its last update, and
    /// keeps it before.
    #[test]
    fn backoff_gc_drops_only_expired_entries() {
        let s = NANOS_PER_SEC;
        let k = (1, "img".to_string());
        let mut b = Backoff::default();
        b.next(k.clone(), 0);
        b.gc(600 * s);
        assert_eq!(b.current(&k), Some(10 * s));
        b.gc(600 * s + 1);
        assert_eq!(b.current(&k), None);
    }

    #[test]
    fn token_bucket_burst_then_qps() {
        let s = NANOS_PER_SEC;
        let mut tb = TokenBucket::new(5, 10);
        let accepted = (0..12).filter(|_| tb.try_accept(0)).count();
        assert_eq!(accepted, 10);
        assert!(!tb.try_accept(s / 5 - 1));
        assert!(tb.try_accept(s / 5));
        assert!(TokenBucket::new(0, 10).try_accept(0));
    }

    #[test]
    fn serialized_puller_is_fifo_one_at_a_time() {
        let mut p = ImagePuller::new(true, None);
        assert_eq!(p.submit(1), Some(1));
        assert_eq!(p.submit(2), None);
        assert_eq!(p.submit(3), None);
        assert_eq!((p.in_flight(), p.queued()), (1, 2));
        assert_eq!(p.finish(), Some(2));
        assert_eq!((p.in_flight(), p.queued()), (1, 1));
        assert_eq!(p.finish(), Some(3));
        assert_eq!(p.finish(), None);
        assert_eq!(p.in_flight(), 0);
        let mut par = ImagePuller::new(false, Some(2));
        assert_eq!(
            (par.submit(1), par.submit(2), par.submit(3)),
            (Some(1), Some(2), None)
        );
        assert_eq!((par.in_flight(), par.queued()), (2, 1));
        let mut unl = ImagePuller::new(false, None);
        assert!((0..100).all(|i| unl.submit(i).is_some()));
    }

    #[test]
    fn ensure_decisions() {
        use EnsureDecision::*;
        use PullPolicy::*;
        assert_eq!(ensure_image_exists(IfNotPresent, true, true), UsePresent);
        assert_eq!(ensure_image_exists(IfNotPresent, false, false), Pull);
        assert_eq!(ensure_image_exists(IfNotPresent, false, true), BackOff);
        assert_eq!(ensure_image_exists(Always, true, false), Pull);
        assert_eq!(ensure_image_exists(Never, false, false), NeverPull);
    }
}
