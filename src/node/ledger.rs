//! Exact accounting of bytes that grow linearly with time (writable layers, logs, pulls).
//!
//! Values are kept in nano-bytes (bytes × 10⁹) so that a rate in bytes per second times an
//! elapsed time in nanoseconds is an exact integer: a sum of growers equals the ledger total to
//! the nano-byte, with no floating point.

use crate::engine::{SimTime, NANOS_PER_SEC};

const NB: u128 = NANOS_PER_SEC as u128;

/// The fastest one stream may write (bytes/s): 512 GiB/s, far beyond any disk. With at most
/// [`MAX_WRITERS`] streams on a filesystem, a ledger's rate stays below 2^63, so it is a u64
/// (a u128 made the ledgers, compared at every event, half as large again).
pub const MAX_RATE: u64 = 1 << 39;
/// The most containers a trace may define: the streams writing at once are a trace's
/// containers at most (a replacement pod replaces a stopped one), pulls included.
pub const MAX_WRITERS: u64 = 1 << 24;

/// Whole bytes of `v` nano-bytes: `v / 10⁹`, exactly. A u128 division is a slow library call
/// and this one runs at every event, so divide in u64 when the value allows: 10⁹ = 2⁹ · 1953125,
/// and ⌊⌊v / 2⁹⌋ / 1953125⌋ = ⌊v / 10⁹⌋.
#[inline]
pub fn nb_to_bytes(v: u128) -> u64 {
    if v >> 64 == 0 {
        (v as u64) / NANOS_PER_SEC
    } else if v >> 73 == 0 {
        ((v >> 9) as u64) / 1_953_125
    } else {
        (v / NB).min(u64::MAX as u128) as u64
    }
}

/// One linearly growing quantity: `base` at `ref_time`, plus `rate` bytes/s since, up to `cap`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Grower {
    base_nb: u128,
    /// Bytes per second (= nano-bytes per nanosecond). 0 while stopped, paused or capped.
    rate: u64,
    ref_time: SimTime,
    /// Cap in bytes; `u64::MAX` for none.
    cap: u64,
}

impl Grower {
    pub fn new(now: SimTime, rate: u64, cap: u64) -> Self {
        Grower {
            base_nb: 0,
            rate: if cap == 0 { 0 } else { rate },
            ref_time: now,
            cap,
        }
    }

    pub fn value_nb(&self, t: SimTime) -> u128 {
        let dt = t.saturating_sub(self.ref_time) as u128;
        self.base_nb.saturating_add(self.rate as u128 * dt)
    }

    pub fn bytes(&self, t: SimTime) -> u64 {
        nb_to_bytes(self.value_nb(t))
    }

    pub fn rate(&self) -> u64 {
        self.rate
    }

    pub fn cap(&self) -> u64 {
        self.cap
    }

    /// Raises the cap: the grower keeps growing at its rate up to the new one.
    pub fn raise_cap(&mut self, cap: u64) {
        self.cap = self.cap.max(cap);
    }

    /// When this grower reaches its cap at its current rate, if it ever does.
    pub fn cap_time(&self) -> Option<SimTime> {
        if self.rate == 0 || self.cap == u64::MAX {
            return None;
        }
        let target = self.cap as u128 * NB;
        let left = target.saturating_sub(self.base_nb);
        let dt = left.div_ceil(self.rate as u128);
        Some(
            self.ref_time
                .saturating_add(dt.min(u64::MAX as u128) as u64),
        )
    }
}

/// The sum of many growers of one kind on one filesystem.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Ledger {
    base_nb: u128,
    /// The sum of the growers' rates: below 2^63 within [`MAX_RATE`] and [`MAX_WRITERS`] (the
    /// inputs are checked against both), so exact; saturating all the same.
    rate: u64,
    ref_time: SimTime,
}

impl Ledger {
    /// Saturates rather than wraps: only rates of many EiB/s could reach `u128::MAX`, and a
    /// saturated value still reads as a full disk.
    #[inline]
    pub fn value_nb(&self, t: SimTime) -> u128 {
        let dt = t.saturating_sub(self.ref_time);
        // A rate that fits 64 bits (every real one) times a u64 span cannot overflow u128: one
        // widening multiply, the hot path of every sample and sync.
        let grown = (self.rate as u128) * dt as u128;
        self.base_nb.saturating_add(grown)
    }

    pub fn bytes(&self, t: SimTime) -> u64 {
        nb_to_bytes(self.value_nb(t))
    }

    pub fn rate(&self) -> u128 {
        self.rate as u128
    }

    fn rebase(&mut self, t: SimTime) {
        self.base_nb = self.value_nb(t);
        self.ref_time = t;
    }

    /// Adds a new grower (already created at `t`).
    pub fn add(&mut self, t: SimTime, g: &Grower) {
        self.rebase(t);
        self.base_nb += g.value_nb(t);
        self.rate = self.rate.saturating_add(g.rate);
    }

    /// Removes a grower; returns the bytes it held.
    pub fn remove(&mut self, t: SimTime, g: &Grower) -> u64 {
        self.rebase(t);
        let v = g.value_nb(t);
        self.base_nb -= v;
        self.rate = self.rate.saturating_sub(g.rate);
        nb_to_bytes(v)
    }

    /// Changes a grower's rate at `t` (stop, pause, resume), keeping its bytes.
    pub fn set_rate(&mut self, t: SimTime, g: &mut Grower, rate: u64) {
        self.rebase(t);
        self.rate = self.rate.saturating_sub(g.rate);
        g.base_nb = g.value_nb(t);
        g.ref_time = t;
        g.rate = rate;
        self.rate = self.rate.saturating_add(rate);
    }

    /// Takes `bytes` whole bytes out of a grower at `t` (a log file renamed away), lowering its
    /// cap by as much: it goes on at its rate and reaches its cap at the same instant as before.
    pub fn shrink(&mut self, t: SimTime, g: &mut Grower, bytes: u64) {
        self.rebase(t);
        g.base_nb = g.value_nb(t);
        g.ref_time = t;
        let nb = bytes as u128 * NB;
        g.base_nb -= nb;
        self.base_nb -= nb;
        if g.cap != u64::MAX {
            g.cap -= bytes;
        }
    }

    /// Clamps a grower exactly to its cap (at its cap time) and stops it.
    pub fn clamp_to_cap(&mut self, t: SimTime, g: &mut Grower) {
        self.rebase(t);
        let v = g.value_nb(t);
        let target = g.cap as u128 * NB;
        self.base_nb = self.base_nb - v + target;
        self.rate = self.rate.saturating_sub(g.rate);
        g.base_nb = target;
        g.ref_time = t;
        g.rate = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nb_to_bytes_is_exact_division_on_every_path() {
        for v in [
            0u128,
            999_999_999,
            1_000_000_000,
            u64::MAX as u128,
            u64::MAX as u128 + 1,
            (1u128 << 73) - 1,
            1u128 << 73,
            u128::MAX,
            123_456_789_012_345_678_901_234_567,
        ] {
            for d in [0u128, 1, 511, 512, 999_999_999] {
                let x = v.saturating_sub(d);
                assert_eq!(
                    nb_to_bytes(x) as u128,
                    (x / NB).min(u64::MAX as u128),
                    "{x}"
                );
            }
        }
    }

    /// 10 B/s from 0 with a 100-byte cap: at 3.5 s it holds 35 B; taking 30 B out leaves 5 B
    /// and a 70-byte cap, still reached at 10 s; the ledger follows exactly.
    #[test]
    fn shrink_keeps_the_cap_time() {
        let s = 1_000_000_000;
        let mut l = Ledger::default();
        let mut g = Grower::new(0, 10, 100);
        l.add(0, &g);
        assert_eq!(g.cap_time(), Some(10 * s));
        l.shrink(3 * s + s / 2, &mut g, 30);
        assert_eq!((g.bytes(3 * s + s / 2), g.cap()), (5, 70));
        assert_eq!(g.cap_time(), Some(10 * s));
        assert_eq!(l.value_nb(7 * s), g.value_nb(7 * s));
    }

    #[test]
    fn ledger_equals_sum_of_growers_exactly() {
        let s = NANOS_PER_SEC;
        let mut l = Ledger::default();
        let mut a = Grower::new(0, 3, u64::MAX);
        l.add(0, &a);
        let b = Grower::new(s / 3, 7, 100);
        l.add(s / 3, &b);
        l.set_rate(2 * s, &mut a, 0);
        let t = 5 * s + 17;
        assert_eq!(l.value_nb(t), a.value_nb(t) + b.value_nb(t));
        assert_eq!(a.bytes(t), 6);
        assert_eq!(l.remove(t, &a), 6);
        assert_eq!(l.value_nb(t), b.value_nb(t));
    }

    /// `add` takes a grower's bytes as well as its rate: 4 B/s from 0 holds 8 B at 2 s; added
    /// to an empty ledger then, the ledger holds 8 B, and 8 + 4 * 3 = 20 B at 5 s. (Every
    /// grower the node adds is new, at 0 B; the contract is wider, and this pins it.)
    #[test]
    fn add_takes_the_bytes_a_grower_already_holds() {
        let s = NANOS_PER_SEC;
        let g = Grower::new(0, 4, u64::MAX);
        let mut l = Ledger::default();
        l.add(2 * s, &g);
        assert_eq!(l.bytes(2 * s), 8);
        assert_eq!(l.bytes(5 * s), 20);
    }

    #[test]
    fn cap_time_rounds_up_and_clamp_is_exact() {
        let s = NANOS_PER_SEC;
        let mut l = Ledger::default();
        let mut g = Grower::new(0, 3, 10);
        l.add(0, &g);
        let tc = g.cap_time().unwrap();
        assert_eq!(tc, (10 * s).div_ceil(3));
        l.clamp_to_cap(tc, &mut g);
        assert_eq!(g.bytes(tc + s), 10);
        assert_eq!(l.bytes(tc + 5 * s), 10);
        assert_eq!(l.rate(), 0);
    }
}
