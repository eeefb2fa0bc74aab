//! Value syntaxes of the kubelet configuration, parsed and printed exactly as
//! Kubernetes and Go do.
//!
//! Everything the simulator reads from a kubelet-style configuration or prints
//! into a kubelet-style event goes through this module, so that a scenario
//! written with real kubelet values means what it means on a real node and the
//! simulated events read like the real ones:
//!
//! * **Quantities** (`"100Mi"`, `"1.5G"`, `"100m"`, `"1e3"`): [`Quantity`] follows
//!   `k8s.io/apimachinery/pkg/api/resource` (`quantity.go`: `ParseQuantity`,
//!   `Value`, `String`/`CanonicalizeBytes`; `amount.go`, `math.go`,
//!   `scale_int.go`, `suffix.go`), including the fast `int64Amount` path and the
//!   arbitrary-precision `inf.Dec` path, and the "reuse the input text as the
//!   canonical string" shortcut of the fast path.
//! * **Durations** (`"2m0s"`, `"1h30m"`): [`parse_go_duration`] is Go's
//!   `time.ParseDuration` and [`format_go_duration`] is `time.Duration.String`
//!   (`src/time/format.go`, `src/time/time.go`), error texts included.
//! * **Eviction percentages** (`"10%"`): [`parse_percentage`] and
//!   [`percentage_of`] follow `pkg/kubelet/eviction/helpers.go`
//!   (`parsePercentage`, `GetThresholdQuantity`) with their float32 arithmetic.
//! * **Human sizes** in the v1.35 `FreeDiskSpaceFailed` event:
//!   [`format_binary_size_1dec`] follows `formatSize` in
//!   `pkg/kubelet/images/image_gc_manager.go` (PR #132578).
//!
//! The module is pure and uses only `std` (plus `thiserror` for the error type).
//!
//! Where upstream has sharp edges, they are reproduced on purpose and pinned by
//! tests (for example `"+5Ki"` prints as `"+5Ki"` because apimachinery reuses the
//! input text, and a `DecimalSI` exponent without an SI prefix, such as
//! `"1000E"`, prints without a suffix). The few deliberate departures are listed
//! on the functions concerned (saturation instead of wrap-around on overflow).

use std::cmp::Ordering;
use std::fmt;

/// Errors from parsing the value syntaxes. Where Go or Kubernetes has an error
/// text for the situation, `Display` prints exactly that text.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum UnitError {
    /// Go: `time: invalid duration "<input>"`.
    #[error("time: invalid duration {}", go_time_quote(.0))]
    InvalidDuration(String),
    /// Go: `time: missing unit in duration "<input>"`.
    #[error("time: missing unit in duration {}", go_time_quote(.0))]
    MissingDurationUnit(String),
    /// Go: `time: unknown unit "<unit>" in duration "<input>"`.
    #[error("time: unknown unit {} in duration {}", go_time_quote(.unit), go_time_quote(.input))]
    UnknownDurationUnit { unit: String, input: String },
    /// apimachinery `ErrFormatWrong`.
    #[error("quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'")]
    QuantityFormat,
    /// apimachinery `ErrNumeric`.
    #[error("unable to parse numeric part of quantity")]
    QuantityNumeric,
    /// apimachinery `ErrSuffix`.
    #[error("unable to parse quantity's suffix")]
    QuantitySuffix,
    /// A byte size that is a valid quantity but negative (simulator rule, no Go text).
    #[error("byte size {0:?} must not be negative")]
    NegativeBytes(String),
    /// A byte size larger than an int64 can hold (simulator rule, no Go text).
    #[error("byte size {0:?} is larger than 9223372036854775807 bytes")]
    BytesOutOfRange(String),
    /// A percentage without the trailing `%` (the kubelet only calls
    /// `parsePercentage` after checking for the suffix, so there is no Go text).
    #[error("percentage {0:?} must end with '%'")]
    MissingPercentSign(String),
    /// Go: `strconv.ParseFloat: parsing "<number>": invalid syntax`.
    #[error("strconv.ParseFloat: parsing {}: invalid syntax", go_strconv_quote(.0))]
    FloatSyntax(String),
    /// Go: `strconv.ParseFloat: parsing "<number>": value out of range`.
    #[error("strconv.ParseFloat: parsing {}: value out of range", go_strconv_quote(.0))]
    FloatRange(String),
}

// ---------------------------------------------------------------------------
// Go string quoting used in error texts
// ---------------------------------------------------------------------------

/// The private `quote` helper of Go's `time` package: ASCII printable text is
/// kept (with `"` and `\` escaped); every byte of a non-ASCII or control
/// character is written as `\xNN`.
fn go_time_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for ch in s.chars() {
        if (ch as u32) >= 0x80 || ch < ' ' {
            let mut buf = [0u8; 4];
            for byte in ch.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("\\x{byte:02x}"));
            }
        } else {
            if ch == '"' || ch == '\\' {
                out.push('\\');
            }
            out.push(ch);
        }
    }
    out.push('"');
    out
}

/// Go's `strconv.Quote`, close enough for error texts: the usual backslash
/// escapes, `\xNN` for ASCII control bytes, `\uNNNN`/`\UNNNNNNNN` for other
/// control characters, everything else verbatim.
fn go_strconv_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for ch in s.chars() {
        match ch {
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c if c.is_control() => {
                if (c as u32) < 0x10000 {
                    out.push_str(&format!("\\u{:04x}", c as u32));
                } else {
                    out.push_str(&format!("\\U{:08x}", c as u32));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

// ---------------------------------------------------------------------------
// Durations
// ---------------------------------------------------------------------------

const NANOSECOND: u64 = 1;
const MICROSECOND: u64 = 1_000 * NANOSECOND;
const MILLISECOND: u64 = 1_000 * MICROSECOND;
const SECOND: u64 = 1_000 * MILLISECOND;
const MINUTE: u64 = 60 * SECOND;
const HOUR: u64 = 60 * MINUTE;
const DAY: u64 = 24 * HOUR;

/// The unit table of Go's `time.ParseDuration`.
const GO_DURATION_UNITS: &[(&str, u64)] = &[
    ("ns", NANOSECOND),
    ("us", MICROSECOND),
    ("\u{b5}s", MICROSECOND),  // µs, MICRO SIGN
    ("\u{3bc}s", MICROSECOND), // μs, GREEK SMALL LETTER MU
    ("ms", MILLISECOND),
    ("s", SECOND),
    ("m", MINUTE),
    ("h", HOUR),
];

/// Go's table plus `d` (24h), for scenario durations.
const SIM_DURATION_UNITS: &[(&str, u64)] = &[
    ("ns", NANOSECOND),
    ("us", MICROSECOND),
    ("\u{b5}s", MICROSECOND),
    ("\u{3bc}s", MICROSECOND),
    ("ms", MILLISECOND),
    ("s", SECOND),
    ("m", MINUTE),
    ("h", HOUR),
    ("d", DAY),
];

const ONE_SHL_63: u64 = 1 << 63;

/// Go's `time.ParseDuration`, returning nanoseconds.
///
/// Accepts an optional sign followed by one or more `<number><unit>` parts
/// (`"300ms"`, `"-1.5h"`, `"2h45m"`), numbers may have fractions; units are
/// `ns`, `us`, `µs` (U+00B5), `μs` (U+03BC), `ms`, `s`, `m`, `h`. A bare `"0"`
/// (optionally signed) is zero; `""` and unit-less numbers are errors; results
/// outside the `int64` range are errors, except that exactly
/// `-9223372036854775808ns` is accepted, as in Go.
pub fn parse_go_duration(s: &str) -> Result<i64, UnitError> {
    parse_duration_with_units(s, GO_DURATION_UNITS)
}

/// Like [`parse_go_duration`], but also accepts the unit `d` = 24h (`"7d"`,
/// `"1d12h"`), for scenario durations. Errors use the same Go texts.
pub fn parse_sim_duration(s: &str) -> Result<i64, UnitError> {
    parse_duration_with_units(s, SIM_DURATION_UNITS)
}

fn parse_duration_with_units(orig: &str, units: &[(&str, u64)]) -> Result<i64, UnitError> {
    let invalid = || UnitError::InvalidDuration(orig.to_string());
    let b = orig.as_bytes();
    let mut i = 0;
    let mut neg = false;
    if let Some(&c) = b.first() {
        if c == b'-' || c == b'+' {
            neg = c == b'-';
            i = 1;
        }
    }
    // A bare zero needs no unit.
    if &orig[i..] == "0" {
        return Ok(0);
    }
    if i == b.len() {
        return Err(invalid());
    }
    // Go accumulates in uint64 and lets `d += v` wrap; reproduced with
    // wrapping_add (it only matters for absurd inputs).
    let mut d: u64 = 0;
    while i < b.len() {
        // The next character must be [0-9.].
        if !(b[i] == b'.' || b[i].is_ascii_digit()) {
            return Err(invalid());
        }
        // Integer part [0-9]*; overflow is an error.
        let start = i;
        let mut v: u64 = 0;
        while i < b.len() && b[i].is_ascii_digit() {
            if v > ONE_SHL_63 / 10 {
                return Err(invalid());
            }
            v = v * 10 + u64::from(b[i] - b'0');
            if v > ONE_SHL_63 {
                return Err(invalid());
            }
            i += 1;
        }
        let pre = i != start;

        // Fraction (\.[0-9]*)?; past 63 bits of precision further digits are
        // consumed but ignored.
        let mut f: u64 = 0;
        let mut scale: f64 = 1.0;
        let mut post = false;
        if i < b.len() && b[i] == b'.' {
            i += 1;
            let fstart = i;
            let mut overflow = false;
            while i < b.len() && b[i].is_ascii_digit() {
                if !overflow {
                    if f > (ONE_SHL_63 - 1) / 10 {
                        overflow = true;
                    } else {
                        let y = f * 10 + u64::from(b[i] - b'0');
                        if y > ONE_SHL_63 {
                            overflow = true;
                        } else {
                            f = y;
                            scale *= 10.0;
                        }
                    }
                }
                i += 1;
            }
            post = i != fstart;
        }
        if !pre && !post {
            // No digits at all, e.g. ".s" or "-.s".
            return Err(invalid());
        }

        // Unit: everything up to the next '.' or digit.
        let ustart = i;
        while i < b.len() && !(b[i] == b'.' || b[i].is_ascii_digit()) {
            i += 1;
        }
        if i == ustart {
            return Err(UnitError::MissingDurationUnit(orig.to_string()));
        }
        let u = &orig[ustart..i];
        let unit = match units.iter().find(|(name, _)| *name == u) {
            Some(&(_, unit)) => unit,
            None => {
                return Err(UnitError::UnknownDurationUnit {
                    unit: u.to_string(),
                    input: orig.to_string(),
                })
            }
        };
        if v > ONE_SHL_63 / unit {
            return Err(invalid());
        }
        v *= unit;
        if f > 0 {
            // float64 keeps fractions of an hour nanosecond-accurate.
            v += (f as f64 * (unit as f64 / scale)) as u64;
            if v > ONE_SHL_63 {
                return Err(invalid());
            }
        }
        d = d.wrapping_add(v);
        if d > ONE_SHL_63 {
            return Err(invalid());
        }
    }
    if neg {
        // -(1<<63) is exactly i64::MIN.
        return Ok((d as i64).wrapping_neg());
    }
    if d > ONE_SHL_63 - 1 {
        return Err(invalid());
    }
    Ok(d as i64)
}

/// Go's `time.Duration.String()`: `"2m0s"`, `"4h0m0s"`, `"1.5s"`, `"100ms"`,
/// `"1.5µs"`, `"1ns"`, `"0s"`, `"-1m0s"`. Durations under a second use the
/// largest of ns/µs/ms that keeps the integer part non-zero; longer ones are
/// `[h]h[m]m` + seconds with up to nine fractional digits, trailing zeros dropped.
pub fn format_go_duration(ns: i64) -> String {
    // Largest output is "-2562047h47m16.854775808s" (25 bytes).
    let mut buf = [0u8; 32];
    let mut w = buf.len();
    let neg = ns < 0;
    let mut u = ns.unsigned_abs();

    if u < SECOND {
        // Below one second: a smaller unit, like "1.2ms".
        let prec;
        w -= 1;
        buf[w] = b's';
        w -= 1;
        if u == 0 {
            return "0s".to_string();
        } else if u < MICROSECOND {
            prec = 0;
            buf[w] = b'n';
        } else if u < MILLISECOND {
            prec = 3;
            // "µ" is U+00B5, two bytes in UTF-8.
            w -= 1;
            buf[w..w + 2].copy_from_slice("\u{b5}".as_bytes());
        } else {
            prec = 6;
            buf[w] = b'm';
        }
        let (nw, nu) = fmt_frac(&mut buf[..w], u, prec);
        w = fmt_int(&mut buf[..nw], nu);
    } else {
        w -= 1;
        buf[w] = b's';
        let (nw, nu) = fmt_frac(&mut buf[..w], u, 9);
        u = nu;
        // u is now whole seconds.
        w = fmt_int(&mut buf[..nw], u % 60);
        u /= 60;
        // u is now whole minutes.
        if u > 0 {
            w -= 1;
            buf[w] = b'm';
            w = fmt_int(&mut buf[..w], u % 60);
            u /= 60;
            // u is now whole hours; Go stops at hours.
            if u > 0 {
                w -= 1;
                buf[w] = b'h';
                w = fmt_int(&mut buf[..w], u);
            }
        }
    }
    if neg {
        w -= 1;
        buf[w] = b'-';
    }
    String::from_utf8(buf[w..].to_vec()).expect("duration text is UTF-8")
}

/// Writes the fraction `v / 10^prec` (".12345", trailing zeros and a bare point
/// omitted) at the end of `buf`; returns the start index and `v / 10^prec`.
fn fmt_frac(buf: &mut [u8], mut v: u64, prec: u32) -> (usize, u64) {
    let mut w = buf.len();
    let mut print = false;
    for _ in 0..prec {
        let digit = (v % 10) as u8;
        print = print || digit != 0;
        if print {
            w -= 1;
            buf[w] = digit + b'0';
        }
        v /= 10;
    }
    if print {
        w -= 1;
        buf[w] = b'.';
    }
    (w, v)
}

/// Writes `v` in decimal at the end of `buf`; returns the start index.
fn fmt_int(buf: &mut [u8], mut v: u64) -> usize {
    let mut w = buf.len();
    if v == 0 {
        w -= 1;
        buf[w] = b'0';
    } else {
        while v > 0 {
            w -= 1;
            buf[w] = (v % 10) as u8 + b'0';
            v /= 10;
        }
    }
    w
}

/// Go's `Duration.Round(m)`: nearest multiple of `m`, halves away from zero,
/// saturating at the `int64` limits.
fn round_go_duration(d: i64, m: i64) -> i64 {
    fn less_than_half(x: i64, y: i64) -> bool {
        (x as u64).wrapping_add(x as u64) < y as u64
    }
    if m <= 0 {
        return d;
    }
    let mut r = d % m;
    if d < 0 {
        r = -r;
        if less_than_half(r, m) {
            return d + r;
        }
        let d1 = d.wrapping_sub(m).wrapping_add(r);
        if d1 < d {
            return d1;
        }
        return i64::MIN;
    }
    if less_than_half(r, m) {
        return d - r;
    }
    let d1 = d.wrapping_add(m).wrapping_sub(r);
    if d1 > d {
        return d1;
    }
    i64::MAX
}

/// `d.Round(time.Millisecond).String()`, the way the kubelet prints image pull
/// durations in events: `"1.481s"`, `"490ms"`, `"1m2.5s"`.
pub fn format_go_duration_ms(ns: i64) -> String {
    format_go_duration(round_go_duration(ns, MILLISECOND as i64))
}

// ---------------------------------------------------------------------------
// Arbitrary-precision decimal (stand-in for inf.Dec / big.Int)
// ---------------------------------------------------------------------------

/// `(-1)^neg × digits × 10^exp`. `digits` holds decimal digit values, most
/// significant first, without leading zeros; zero is the empty vector with
/// `neg == false`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Decimal {
    neg: bool,
    digits: Vec<u8>,
    exp: i64,
}

impl Decimal {
    fn zero() -> Decimal {
        Decimal {
            neg: false,
            digits: Vec::new(),
            exp: 0,
        }
    }

    /// From ASCII digits (leading zeros allowed).
    fn from_ascii(neg: bool, ascii: &[u8], exp: i64) -> Decimal {
        let digits: Vec<u8> = ascii
            .iter()
            .map(|c| c - b'0')
            .skip_while(|&d| d == 0)
            .collect();
        Decimal { neg, digits, exp }.fixed_zero()
    }

    fn from_i128(v: i128, exp: i64) -> Decimal {
        let digits: Vec<u8> = v
            .unsigned_abs()
            .to_string()
            .bytes()
            .map(|c| c - b'0')
            .skip_while(|&d| d == 0)
            .collect();
        Decimal {
            neg: v < 0,
            digits,
            exp,
        }
        .fixed_zero()
    }

    fn fixed_zero(self) -> Decimal {
        if self.digits.is_empty() {
            Decimal::zero()
        } else {
            self
        }
    }

    fn is_zero(&self) -> bool {
        self.digits.is_empty()
    }

    /// Same value with trailing zero digits moved into the exponent.
    fn normalized(mut self) -> Decimal {
        if self.digits.is_empty() {
            return Decimal::zero();
        }
        while self.digits.last() == Some(&0) {
            self.digits.pop();
            self.exp += 1;
        }
        self
    }

    fn abs(&self) -> Decimal {
        Decimal {
            neg: false,
            ..self.clone()
        }
    }

    fn negated(mut self) -> Decimal {
        if !self.is_zero() {
            self.neg = !self.neg;
        }
        self
    }

    /// Multiplies the magnitude by a small factor (at most 2^60).
    fn mul_small(&mut self, m: u64) {
        let mut carry: u128 = 0;
        for d in self.digits.iter_mut().rev() {
            let cur = u128::from(*d) * u128::from(m) + carry;
            *d = (cur % 10) as u8;
            carry = cur / 10;
        }
        while carry > 0 {
            self.digits.insert(0, (carry % 10) as u8);
            carry /= 10;
        }
        while self.digits.first() == Some(&0) {
            self.digits.remove(0);
        }
        if self.digits.is_empty() {
            *self = Decimal::zero();
        }
    }

    /// The magnitude rounded to a multiple of `10^e`, up (away from zero) when
    /// `up`, down (toward zero) otherwise. The sign is kept.
    fn round_mag_at(&self, e: i64, up: bool) -> Decimal {
        if self.is_zero() || self.exp >= e {
            return self.clone();
        }
        let drop = (e - self.exp) as u128;
        let len = self.digits.len() as u128;
        if drop >= len {
            // Every digit is below 10^e; the value is non-zero.
            return if up {
                Decimal {
                    neg: self.neg,
                    digits: vec![1],
                    exp: e,
                }
            } else {
                Decimal::zero()
            };
        }
        let keep = (len - drop) as usize;
        let dropped_nonzero = self.digits[keep..].iter().any(|&d| d != 0);
        let mut digits = self.digits[..keep].to_vec();
        if up && dropped_nonzero {
            // Increment the kept magnitude.
            let mut i = digits.len();
            loop {
                if i == 0 {
                    digits.insert(0, 1);
                    break;
                }
                i -= 1;
                if digits[i] == 9 {
                    digits[i] = 0;
                } else {
                    digits[i] += 1;
                    break;
                }
            }
        }
        Decimal {
            neg: self.neg,
            digits,
            exp: e,
        }
        .fixed_zero()
    }

    fn cmp_mag(&self, other: &Decimal) -> Ordering {
        let a = self.clone().normalized();
        let b = other.clone().normalized();
        match (a.is_zero(), b.is_zero()) {
            (true, true) => return Ordering::Equal,
            (true, false) => return Ordering::Less,
            (false, true) => return Ordering::Greater,
            _ => {}
        }
        // Position just above the most significant digit.
        let ta = a.digits.len() as i128 + i128::from(a.exp);
        let tb = b.digits.len() as i128 + i128::from(b.exp);
        if ta != tb {
            return ta.cmp(&tb);
        }
        let n = a.digits.len().max(b.digits.len());
        for i in 0..n {
            let da = a.digits.get(i).copied().unwrap_or(0);
            let db = b.digits.get(i).copied().unwrap_or(0);
            if da != db {
                return da.cmp(&db);
            }
        }
        Ordering::Equal
    }

    fn cmp_value(&self, other: &Decimal) -> Ordering {
        match (self.is_zero() || !self.neg, other.is_zero() || !other.neg) {
            (true, false) => Ordering::Greater,
            (false, true) => Ordering::Less,
            (true, true) => self.cmp_mag(other),
            (false, false) => other.cmp_mag(self),
        }
    }

    fn is_integer(&self) -> bool {
        self.clone().normalized().exp >= 0
    }

    /// The magnitude of an integer value, if it fits a `u128`.
    fn int_mag_u128(&self) -> Option<u128> {
        let n = self.clone().normalized();
        if n.is_zero() {
            return Some(0);
        }
        if n.exp < 0 || n.digits.len() as i128 + i128::from(n.exp) > 38 {
            return None;
        }
        let mut v: u128 = 0;
        for &d in &n.digits {
            v = v * 10 + u128::from(d);
        }
        for _ in 0..n.exp {
            v *= 10;
        }
        Some(v)
    }

    /// An integer value as `i64`, saturating at the limits.
    fn int_to_i64_saturating(&self) -> i64 {
        match self.int_mag_u128() {
            Some(m) if !self.neg && m <= i64::MAX as u128 => m as i64,
            Some(m) if self.neg && m <= 1u128 << 63 => (m as i128).wrapping_neg() as i64,
            _ if self.neg => i64::MIN,
            _ => i64::MAX,
        }
    }

    /// The digit string of an integer magnitude (exponent expanded).
    fn int_mag_digits(&self) -> Vec<u8> {
        let n = self.clone().normalized();
        let mut digits = n.digits;
        digits.resize(digits.len() + n.exp.max(0) as usize, 0);
        digits
    }

    fn digits_string(digits: &[u8]) -> String {
        digits.iter().map(|&d| char::from(b'0' + d)).collect()
    }
}

/// Whether a digit string (no leading zeros) is at least 1024.
fn digits_at_least_1024(digits: &[u8]) -> bool {
    match digits.len() {
        0..=3 => false,
        4 => digits >= [1u8, 0, 2, 4].as_slice(),
        _ => true,
    }
}

/// Divides a digit string by a small divisor; returns quotient digits (no
/// leading zeros) and remainder.
fn div_rem_small(digits: &[u8], divisor: u64) -> (Vec<u8>, u64) {
    let mut rem: u64 = 0;
    let mut q = Vec::with_capacity(digits.len());
    for &d in digits {
        let cur = rem * 10 + u64::from(d);
        q.push((cur / divisor) as u8);
        rem = cur % divisor;
    }
    let first = q.iter().position(|&d| d != 0).unwrap_or(q.len());
    (q[first..].to_vec(), rem)
}

// ---------------------------------------------------------------------------
// Quantity
// ---------------------------------------------------------------------------

/// The notation a [`Quantity`] is printed in (apimachinery `Format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum QuantityFormat {
    /// `12e6`
    DecimalExponent,
    /// `12Mi` (12 × 2^20)
    BinarySI,
    /// `12M` (12 × 10^6)
    DecimalSI,
}

/// The two internal representations apimachinery uses; they differ in a few
/// observable corners (rounding of negative `Value()`s), so both are kept.
#[derive(Debug, Clone)]
enum Amount {
    /// `int64Amount`: `value × 10^scale`.
    Int { value: i64, scale: i32 },
    /// `inf.Dec`: arbitrary precision; after parsing always a multiple of 10^-9.
    Dec(Decimal),
}

/// A parsed Kubernetes `resource.Quantity`.
///
/// Equality (and ordering) compare the numeric value, like Go's
/// `Quantity.Equal`/`Cmp`: `"1Ki" == "1024"` even though they print differently.
#[derive(Debug, Clone)]
pub struct Quantity {
    amount: Amount,
    format: QuantityFormat,
    /// The input text, when apimachinery's parser keeps it as the `String()`
    /// form (its fast path does so for input it considers canonical).
    text: Option<String>,
}

/// Scanner output of `parseQuantityString`.
struct Scanned<'a> {
    positive: bool,
    /// Sign, digits and point as written (what `inf.Dec` would parse).
    value: &'a str,
    /// Integer digits without leading zeros (`"0"` when there are none).
    num: &'a str,
    /// Fraction digits as written.
    denom: &'a str,
    suffix: &'a str,
}

fn in_suffix_set(c: u8) -> bool {
    matches!(
        c,
        b'e' | b'E' | b'i' | b'n' | b'u' | b'm' | b'k' | b'K' | b'M' | b'G' | b'T' | b'P'
    )
}

/// apimachinery `parseQuantityString`: splits sign, number and suffix.
fn scan_quantity(s: &str) -> Result<Scanned<'_>, UnitError> {
    let b = s.as_bytes();
    let end = b.len();
    let mut positive = true;
    let mut pos = 0;
    if pos < end {
        match b[0] {
            b'-' => {
                positive = false;
                pos += 1;
            }
            b'+' => pos += 1,
            _ => {}
        }
    }
    // Strip leading zeros; all zeros means zero.
    loop {
        if pos >= end {
            return Ok(Scanned {
                positive,
                value: "0",
                num: "0",
                denom: "",
                suffix: "",
            });
        }
        if b[pos] == b'0' {
            pos += 1;
        } else {
            break;
        }
    }
    // Integer digits.
    let mut num;
    let mut i = pos;
    loop {
        if i >= end {
            return Ok(Scanned {
                positive,
                value: s,
                num: &s[pos..end],
                denom: "",
                suffix: "",
            });
        }
        if !b[i].is_ascii_digit() {
            num = &s[pos..i];
            pos = i;
            break;
        }
        i += 1;
    }
    if num.is_empty() {
        num = "0";
    }
    // Fraction digits.
    let mut denom = "";
    if pos < end && b[pos] == b'.' {
        pos += 1;
        let mut i = pos;
        loop {
            if i >= end {
                return Ok(Scanned {
                    positive,
                    value: s,
                    num,
                    denom: &s[pos..end],
                    suffix: "",
                });
            }
            if !b[i].is_ascii_digit() {
                denom = &s[pos..i];
                pos = i;
                break;
            }
            i += 1;
        }
    }
    let value = &s[..pos];
    // Suffix: [eEinumkKMGTP]* then an optional sign and digits.
    let suffix_start = pos;
    let mut i = pos;
    loop {
        if i >= end {
            return Ok(Scanned {
                positive,
                value,
                num,
                denom,
                suffix: &s[suffix_start..end],
            });
        }
        if !in_suffix_set(b[i]) {
            pos = i;
            break;
        }
        i += 1;
    }
    if pos < end && (b[pos] == b'-' || b[pos] == b'+') {
        pos += 1;
    }
    let mut i = pos;
    loop {
        if i >= end {
            return Ok(Scanned {
                positive,
                value,
                num,
                denom,
                suffix: &s[suffix_start..end],
            });
        }
        if !b[i].is_ascii_digit() {
            break;
        }
        i += 1;
    }
    // Something other than an exponent follows the suffix letters.
    Err(UnitError::QuantityFormat)
}

/// apimachinery `quantitySuffixer.interpret`: (base, exponent, format).
fn interpret_suffix(suffix: &str) -> Option<(u32, i32, QuantityFormat)> {
    use QuantityFormat::*;
    let r = match suffix {
        "" => (10, 0, DecimalSI),
        "n" => (10, -9, DecimalSI),
        "u" => (10, -6, DecimalSI),
        "m" => (10, -3, DecimalSI),
        "k" => (10, 3, DecimalSI),
        "M" => (10, 6, DecimalSI),
        "G" => (10, 9, DecimalSI),
        "T" => (10, 12, DecimalSI),
        "P" => (10, 15, DecimalSI),
        "E" => (10, 18, DecimalSI),
        "Ki" => (2, 10, BinarySI),
        "Mi" => (2, 20, BinarySI),
        "Gi" => (2, 30, BinarySI),
        "Ti" => (2, 40, BinarySI),
        "Pi" => (2, 50, BinarySI),
        "Ei" => (2, 60, BinarySI),
        _ => {
            let rest = suffix
                .strip_prefix('e')
                .or_else(|| suffix.strip_prefix('E'))?;
            if rest.is_empty() {
                return None;
            }
            // strconv.ParseInt(rest, 10, 64), then int32(...) (wrapping).
            let parsed: i64 = rest.parse().ok()?;
            (10, parsed as i32, DecimalExponent)
        }
    };
    Some(r)
}

/// apimachinery `maxInt64Factors`: decimal digits the fast path accepts.
const MAX_INT64_FACTORS: i64 = 18;
/// apimachinery `Nano` scale.
const NANO: i32 = -9;

/// `negativeScaleInt64`: `base / 10^scale`, rounded away from zero.
fn negative_scale_i64(base: i64, scale: u64) -> i64 {
    if scale == 0 {
        return base;
    }
    let mut value = base;
    let mut fraction = false;
    for _ in 0..scale {
        if !fraction && value % 10 != 0 {
            fraction = true;
        }
        value /= 10;
        if value == 0 {
            return match (fraction, base > 0) {
                (false, _) => 0,
                (true, true) => 1,
                (true, false) => -1,
            };
        }
    }
    if fraction {
        if base > 0 {
            value + 1
        } else {
            value - 1
        }
    } else {
        value
    }
}

/// `positiveScaleInt64`: `base × 10^scale`, saturating on overflow.
fn positive_scale_i64_saturating(base: i64, scale: u64) -> i64 {
    let mut value = base;
    for _ in 0..scale {
        match value.checked_mul(10) {
            Some(v) => value = v,
            None => return if base < 0 { i64::MIN } else { i64::MAX },
        }
        if value == 0 {
            break;
        }
    }
    value
}

impl Quantity {
    /// `resource.ParseQuantity`.
    ///
    /// Accepts `<sign><number><suffix>` with suffixes `Ki Mi Gi Ti Pi Ei`,
    /// `n u m "" k M G T P E` and exponents `e<int>`/`E<int>`. Values finer than
    /// 1n are rounded up (away from zero) to 1n; BinarySI values are capped at
    /// 2^63-1. Leading/trailing whitespace is not accepted (Go's
    /// `ParseQuantity` does not trim either).
    pub fn parse(s: &str) -> Result<Quantity, UnitError> {
        Self::parse_noting_cap(s).map(|(q, _)| q)
    }

    /// [`Quantity::parse`], also telling whether a BinarySI value was capped at 2^63-1 (the
    /// only case in which the parsed value is not the written one, so byte counts can refuse
    /// `8Ei` as they refuse its decimal twin `9223372036854775808`).
    fn parse_noting_cap(s: &str) -> Result<(Quantity, bool), UnitError> {
        if s.is_empty() {
            return Err(UnitError::QuantityFormat);
        }
        if s == "0" {
            let zero = Quantity {
                amount: Amount::Int { value: 0, scale: 0 },
                format: QuantityFormat::DecimalSI,
                text: Some(s.to_string()),
            };
            return Ok((zero, false));
        }
        let sc = scan_quantity(s)?;
        let (base, exponent, mut format) =
            interpret_suffix(sc.suffix).ok_or(UnitError::QuantitySuffix)?;

        // Fast path: the value fits an int64 amount.
        let digits_len = sc.num.len() as i64 + sc.denom.len() as i64;
        let mut scale: i32 = 0;
        let mut mantissa: i64 = 1;
        let precision: i64 = match format {
            QuantityFormat::DecimalExponent | QuantityFormat::DecimalSI => {
                scale = exponent;
                MAX_INT64_FACTORS - digits_len
            }
            QuantityFormat::BinarySI => {
                if exponent >= 0 && sc.denom.is_empty() {
                    mantissa = 1i64 << exponent;
                    // 1Mi has ~6 decimal digits: exponent*3/10 approximates that.
                    15 - sc.num.len() as i64 - i64::from(exponent) * 3 / 10 - 1
                } else {
                    -1
                }
            }
        };
        if precision >= 0 {
            // Shift the fraction into the integer (int32 arithmetic, as in Go).
            scale = scale.wrapping_sub(sc.denom.len() as i32);
            if scale >= NANO {
                let shifted = format!("{}{}", sc.num, sc.denom);
                let value: i64 = shifted.parse().map_err(|_| UnitError::QuantityNumeric)?;
                if let Some(mut result) = value.checked_mul(mantissa) {
                    if !sc.positive {
                        result = -result;
                    }
                    // Keep the input text when Go considers it canonical already.
                    let keep_text = match format {
                        QuantityFormat::BinarySI => exponent % 10 == 0 && (value & 0x07) != 0,
                        _ => {
                            scale % 3 == 0 && !shifted.ends_with("000") && !shifted.starts_with('0')
                        }
                    };
                    let q = Quantity {
                        amount: Amount::Int {
                            value: result,
                            scale,
                        },
                        format,
                        text: keep_text.then(|| s.to_string()),
                    };
                    return Ok((q, false));
                }
            }
        }

        // Slow path (inf.Dec): the written number must contain a digit.
        if !sc.value.bytes().any(|c| c.is_ascii_digit()) {
            return Err(UnitError::QuantityNumeric);
        }
        let ascii: Vec<u8> = sc.num.bytes().chain(sc.denom.bytes()).collect();
        let mut amount = Decimal::from_ascii(!sc.positive, &ascii, -(sc.denom.len() as i64));
        if base == 10 {
            amount.exp += i64::from(exponent);
        } else {
            amount.mul_small(1u64 << exponent);
        }
        let negative = amount.neg;
        let mut mag = amount.abs();
        if !mag.is_zero() {
            // Round non-zero values up to the nearest nano, so that a tiny
            // request still gets something.
            mag = mag.round_mag_at(i64::from(NANO), true);
        }
        let max = Decimal::from_i128(i128::from(i64::MAX), 0);
        let capped = format == QuantityFormat::BinarySI && mag.cmp_mag(&max) == Ordering::Greater;
        if capped {
            mag = max;
        }
        if format == QuantityFormat::BinarySI
            && !mag.is_zero()
            && mag.cmp_mag(&Decimal::from_i128(1, 0)) == Ordering::Less
        {
            format = QuantityFormat::DecimalSI;
        }
        let amount = if negative { mag.negated() } else { mag };
        let q = Quantity {
            amount: Amount::Dec(amount),
            format,
            text: None,
        };
        Ok((q, capped))
    }

    /// `resource.NewQuantity(value, format)`.
    pub fn new(value: i64, format: QuantityFormat) -> Quantity {
        Quantity {
            amount: Amount::Int { value, scale: 0 },
            format,
            text: None,
        }
    }

    /// `resource.NewQuantity(v, resource.BinarySI)`, e.g. for capacities and
    /// thresholds the kubelet reports in bytes.
    pub fn from_bytes_binary(v: i64) -> Quantity {
        Quantity::new(v, QuantityFormat::BinarySI)
    }

    /// The notation this quantity prints in.
    pub fn format(&self) -> QuantityFormat {
        self.format
    }

    /// `Quantity.Value()`: the value rounded up to an integer.
    ///
    /// Positive fractions round up (`"1.5"` → 2, `"100m"` → 1, `"0.1Ki"` → 103).
    /// Negative fractions follow apimachinery's two code paths: the `int64Amount`
    /// path rounds away from zero (`"-1.5"` → -2), the `inf.Dec` path (binary
    /// suffix with a fraction, or more than 18 digits) returns `trunc + 1`
    /// (`"-0.1Ki"` = -102.4 → -101). Departure from Go: values outside the
    /// `int64` range saturate at `i64::MIN`/`i64::MAX` instead of wrapping.
    pub fn value(&self) -> i64 {
        match &self.amount {
            Amount::Int { value, scale } => {
                if *value == 0 {
                    0
                } else if *scale < 0 {
                    negative_scale_i64(*value, u64::from(scale.unsigned_abs()))
                } else {
                    positive_scale_i64_saturating(*value, u64::from(scale.unsigned_abs()))
                }
            }
            Amount::Dec(d) => dec_value(d),
        }
    }

    /// `Quantity.AsInt64()`: the exact value when it is an integer within `i64`, else `None`
    /// (a fraction such as `"1.5"` or `"100m"`, or a value past the range).
    pub fn as_int64(&self) -> Option<i64> {
        let d = self.decimal();
        if !d.is_integer() {
            return None;
        }
        let m = d.int_mag_u128()?;
        if d.neg {
            (m <= 1u128 << 63).then(|| (m as i128).wrapping_neg() as i64)
        } else {
            (m <= i64::MAX as u128).then_some(m as i64)
        }
    }

    /// `Quantity.Sign() < 0`.
    pub fn is_negative(&self) -> bool {
        match &self.amount {
            Amount::Int { value, .. } => *value < 0,
            Amount::Dec(d) => d.neg && !d.is_zero(),
        }
    }

    /// `Quantity.IsZero()`.
    pub fn is_zero(&self) -> bool {
        match &self.amount {
            Amount::Int { value, .. } => *value == 0,
            Amount::Dec(d) => d.is_zero(),
        }
    }

    /// The exact value as a decimal.
    fn decimal(&self) -> Decimal {
        match &self.amount {
            Amount::Int { value, scale } => {
                Decimal::from_i128(i128::from(*value), i64::from(*scale)).normalized()
            }
            Amount::Dec(d) => d.clone().normalized(),
        }
    }

    /// `CanonicalizeBytes`: the canonical text, ignoring any kept input text.
    fn canonical(&self) -> String {
        let v = self.decimal();
        if v.is_zero() {
            return "0".to_string();
        }
        let mut format = self.format;
        if format == QuantityFormat::BinarySI {
            let small = v.cmp_mag(&Decimal::from_i128(1024, 0)) == Ordering::Less;
            if small || !v.is_integer() {
                // Between -1024 and 1024, or not a whole number: avoid
                // rounding by printing in DecimalSI.
                format = QuantityFormat::DecimalSI;
            } else {
                let mut digits = v.int_mag_digits();
                let mut times = 0usize;
                // removeInt64Factors(value, 1024): divide while >= 1024 and exact.
                while digits_at_least_1024(&digits) {
                    let (q, rem) = div_rem_small(&digits, 1024);
                    if rem != 0 {
                        break;
                    }
                    digits = q;
                    times += 1;
                }
                const BIN: [&str; 7] = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"];
                let suffix = BIN.get(times).copied().unwrap_or("");
                let sign = if v.neg { "-" } else { "" };
                return format!("{sign}{}{suffix}", Decimal::digits_string(&digits));
            }
        }
        // Base 10: all factors of ten into the exponent, then lower the
        // exponent to a multiple of three.
        let mut digits = v.digits.clone();
        let mut exp = v.exp;
        let r = exp.rem_euclid(3);
        digits.resize(digits.len() + r as usize, 0);
        exp -= r;
        let suffix = match format {
            QuantityFormat::DecimalExponent => {
                if exp == 0 {
                    String::new()
                } else {
                    format!("e{exp}")
                }
            }
            _ => match exp {
                -9 => "n",
                -6 => "u",
                -3 => "m",
                0 => "",
                3 => "k",
                6 => "M",
                9 => "G",
                12 => "T",
                15 => "P",
                18 => "E",
                // apimachinery ignores the failed suffix lookup and prints
                // the bare mantissa (e.g. "1000E" prints as "1").
                _ => "",
            }
            .to_string(),
        };
        let sign = if v.neg { "-" } else { "" };
        format!("{sign}{}{suffix}", Decimal::digits_string(&digits))
    }

    /// True when the exact value is larger than `i64::MAX` (so `value()` saturated).
    fn exceeds_i64(&self) -> bool {
        let ceil = self.decimal().round_mag_at(0, true);
        !ceil.neg && ceil.cmp_mag(&Decimal::from_i128(i128::from(i64::MAX), 0)) == Ordering::Greater
    }
}

/// `scaledValue(unscaled, 9, 0)` on an `inf.Dec` amount (see [`Quantity::value`]).
fn dec_value(d: &Decimal) -> i64 {
    if d.is_zero() {
        return 0;
    }
    let trunc = d.round_mag_at(0, false);
    if trunc.cmp_value(d) == Ordering::Equal {
        return d.int_to_i64_saturating();
    }
    if !d.neg {
        return d.round_mag_at(0, true).int_to_i64_saturating();
    }
    // Negative with a fraction. Go's fast branch (|unscaled| = |v|·10^9 below
    // MaxInt64) computes trunc + 1; its big.Int branch computes the ceiling,
    // which for a negative number is trunc.
    let limit = Decimal::from_i128(i128::from(i64::MAX), -9);
    let trunc_i64 = trunc.int_to_i64_saturating();
    if d.cmp_mag(&limit) == Ordering::Less {
        trunc_i64 + 1
    } else {
        trunc_i64
    }
}

impl PartialEq for Quantity {
    fn eq(&self, other: &Quantity) -> bool {
        self.decimal().cmp_value(&other.decimal()) == Ordering::Equal
    }
}

impl Eq for Quantity {}

impl PartialOrd for Quantity {
    fn partial_cmp(&self, other: &Quantity) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Quantity {
    fn cmp(&self, other: &Quantity) -> Ordering {
        self.decimal().cmp_value(&other.decimal())
    }
}

/// `Quantity.String()`: the kept input text if the parser kept it, otherwise
/// the canonical form (largest suffix that keeps the number whole; BinarySI
/// falls back to DecimalSI below 1024 in magnitude or when not whole).
impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.text {
            Some(t) => f.pad(t),
            None => f.pad(&self.canonical()),
        }
    }
}

/// A byte count written as a quantity (`"100Mi"`, `"1.5G"`) or an integer
/// (`"1073741824"`): `Quantity.Value()` of it, which must be neither negative
/// nor larger than `i64::MAX`.
pub fn parse_bytes(s: &str) -> Result<u64, UnitError> {
    let (q, capped) = Quantity::parse_noting_cap(s)?;
    if q.is_negative() {
        return Err(UnitError::NegativeBytes(s.to_string()));
    }
    if capped || q.exceeds_i64() {
        return Err(UnitError::BytesOutOfRange(s.to_string()));
    }
    Ok(q.value() as u64)
}

// ---------------------------------------------------------------------------
// Percentages
// ---------------------------------------------------------------------------

/// `strconv.ParseFloat(s, 32)` for decimal input: correctly rounded to f32,
/// `inf`/`infinity`/`nan` accepted (NaN only unsigned), finite input that
/// rounds to infinity is a range error. Not supported: Go's hexadecimal
/// float syntax (`0x1p-2`), which is rejected as a syntax error.
fn parse_go_float32(s: &str) -> Result<f32, UnitError> {
    let syntax = || UnitError::FloatSyntax(s.to_string());
    let unsigned = s.strip_prefix(['+', '-']).unwrap_or(s);
    let lower = unsigned.to_ascii_lowercase();
    let special = matches!(lower.as_str(), "inf" | "infinity" | "nan");
    if lower == "nan" && unsigned.len() != s.len() {
        return Err(syntax());
    }
    if !special
        && !unsigned
            .bytes()
            .all(|c| c.is_ascii_digit() || matches!(c, b'.' | b'e' | b'E' | b'+' | b'-'))
    {
        return Err(syntax());
    }
    let v: f32 = s.parse().map_err(|_| syntax())?;
    if v.is_infinite() && !special {
        return Err(UnitError::FloatRange(s.to_string()));
    }
    Ok(v)
}

/// The kubelet's eviction `parsePercentage`: `"10%"` → `float32(10) / 100`
/// computed in float32 (0.1f32, i.e. 0.100000001490116…).
///
/// The input must end in `%` (the kubelet checks this before calling); like
/// Go's `strings.TrimRight(input, "%")`, all trailing `%` are removed before
/// the number is parsed with `strconv.ParseFloat(…, 32)`. Range checks
/// (0%–100%) are the caller's business, as in the kubelet.
pub fn parse_percentage(s: &str) -> Result<f32, UnitError> {
    if !s.ends_with('%') {
        return Err(UnitError::MissingPercentSign(s.to_string()));
    }
    let number = s.trim_end_matches('%');
    let v = parse_go_float32(number)?;
    Ok(v / 100.0)
}

/// `GetThresholdQuantity` for a percentage threshold:
/// `int64(float64(capacity) * float64(pct))`, truncated toward zero.
/// (Out-of-range products and NaN saturate / give 0 here, where Go's
/// conversion is implementation-defined.)
pub fn percentage_of(capacity: i64, pct: f32) -> i64 {
    (capacity as f64 * f64::from(pct)) as i64
}

// ---------------------------------------------------------------------------
// Human-readable sizes
// ---------------------------------------------------------------------------

/// The size text of the kubelet's `FreeDiskSpaceFailed` event ("Insufficient
/// free disk space on the node's image filesystem (95% of 10.0 GiB used)...").
///
/// Upstream (`formatSize` in `pkg/kubelet/images/image_gc_manager.go`, added
/// by PR #132578) converts the byte count to float64 and picks the unit by
/// thresholds: below 1 KiB `"%d B"` (a plain integer, e.g. `"1023 B"`), then
/// `"%.1f KiB"`, `"%.1f MiB"`, `"%.1f GiB"`, and `"%.1f TiB"` for everything
/// from 1 TiB up (no PiB). `%.1f` rounds the exact binary value to nearest,
/// ties to even; Rust's `{:.1}` does the same.
pub fn format_binary_size_1dec(bytes: u64) -> String {
    const KIB: f64 = 1024.0;
    const MIB: f64 = 1024.0 * KIB;
    const GIB: f64 = 1024.0 * MIB;
    const TIB: f64 = 1024.0 * GIB;
    let size = bytes as f64;
    if size < KIB {
        format!("{bytes} B")
    } else if size < MIB {
        format!("{:.1} KiB", size / KIB)
    } else if size < GIB {
        format!("{:.1} MiB", size / MIB)
    } else if size < TIB {
        format!("{:.1} GiB", size / GIB)
    } else {
        format!("{:.1} TiB", size / TIB)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: i64 = 1_000_000_000;
    const MS: i64 = 1_000_000;

    // -- durations: parsing ------------------------------------------------

    #[test]
    fn go_duration_parses_like_time_parse_duration() {
        let cases: &[(&str, i64)] = &[
            ("0", 0),
            ("+0", 0),
            ("-0", 0),
            ("5s", 5 * S),
            ("30s", 30 * S),
            ("1478s", 1478 * S),
            ("-5s", -5 * S),
            ("+5s", 5 * S),
            ("-0s", 0),
            ("+0s", 0),
            ("5.0s", 5 * S),
            ("5.6s", 5 * S + 600 * MS),
            ("5.s", 5 * S),
            (".5s", 500 * MS),
            ("1.0s", S),
            ("1.00s", S),
            ("1.004s", S + 4 * MS),
            ("1.0040s", S + 4 * MS),
            ("100.00100s", 100 * S + MS),
            ("10ns", 10),
            ("11us", 11_000),
            ("12\u{b5}s", 12_000),
            ("12\u{3bc}s", 12_000),
            ("13ms", 13 * MS),
            ("14s", 14 * S),
            ("15m", 15 * 60 * S),
            ("16h", 16 * 3600 * S),
            ("1.5h", 5400 * S),
            ("-1.5h", -5400 * S),
            ("1h30m", 5400 * S),
            ("3h30m", 12600 * S),
            ("10.5s4m", 4 * 60 * S + 10 * S + 500 * MS),
            ("-2m3.4s", -(2 * 60 * S + 3 * S + 400 * MS)),
            ("1h2m3s4ms5us6ns", 3723 * S + 4 * MS + 5_000 + 6),
            ("39h9m14.425s", 140_954 * S + 425 * MS),
            ("300ms", 300 * MS),
            ("52763797000ns", 52_763_797_000),
            // The fraction is applied in float64, nanosecond-accurate.
            ("0.3333333333333333333h", 20 * 60 * S),
            ("9007199254740993ns", 9_007_199_254_740_993),
            ("9223372036854775807ns", i64::MAX),
            ("9223372036854775.807us", i64::MAX),
            ("9223372036s854ms775us807ns", i64::MAX),
            ("-9223372036854775808ns", i64::MIN),
            ("-9223372036854775.808us", i64::MIN),
            ("-2562047h47m16.854775808s", i64::MIN),
            ("0.100000000000000000000h", 6 * 60 * S),
            ("0.830103483285477580700h", 2_988_372_539_827),
            // Go adds the parts in a uint64 that wraps: 2^63 + 2^63 = 0.
            ("9223372036854775808ns9223372036854775808ns", 0),
        ];
        for &(input, want) in cases {
            assert_eq!(parse_go_duration(input), Ok(want), "{input}");
            assert_eq!(parse_sim_duration(input), Ok(want), "{input} (sim)");
        }
    }

    #[test]
    fn go_duration_errors_have_go_texts() {
        let cases: &[(&str, &str)] = &[
            ("", r#"time: invalid duration """#),
            ("abc", r#"time: invalid duration "abc""#),
            ("5", r#"time: missing unit in duration "5""#),
            ("3", r#"time: missing unit in duration "3""#),
            ("-1", r#"time: missing unit in duration "-1""#),
            ("00", r#"time: missing unit in duration "00""#),
            ("5x", r#"time: unknown unit "x" in duration "5x""#),
            ("1d", r#"time: unknown unit "d" in duration "1d""#),
            ("5 s", r#"time: unknown unit " s" in duration "5 s""#),
            ("1..5s", r#"time: missing unit in duration "1..5s""#),
            ("-", r#"time: invalid duration "-""#),
            ("+", r#"time: invalid duration "+""#),
            ("s", r#"time: invalid duration "s""#),
            (".", r#"time: invalid duration ".""#),
            ("-.", r#"time: invalid duration "-.""#),
            (".s", r#"time: invalid duration ".s""#),
            ("+.s", r#"time: invalid duration "+.s""#),
            (" 5s", r#"time: invalid duration " 5s""#),
            ("3000000h", r#"time: invalid duration "3000000h""#),
            (
                "9223372036854775808ns",
                r#"time: invalid duration "9223372036854775808ns""#,
            ),
            (
                "9223372036854775.808us",
                r#"time: invalid duration "9223372036854775.808us""#,
            ),
            (
                "9223372036854ms775us808ns",
                r#"time: invalid duration "9223372036854ms775us808ns""#,
            ),
            (
                "-9223372036854775809ns",
                r#"time: invalid duration "-9223372036854775809ns""#,
            ),
            (
                "99999999999999999999s",
                r#"time: invalid duration "99999999999999999999s""#,
            ),
            // Non-ASCII bytes are escaped byte by byte, as Go's time.quote does.
            (
                "5\u{b5}",
                r#"time: unknown unit "\xc2\xb5" in duration "5\xc2\xb5""#,
            ),
            ("\u{663}s", r#"time: invalid duration "\xd9\xa3s""#),
            ("5\"x", r#"time: unknown unit "\"x" in duration "5\"x""#),
        ];
        for &(input, want) in cases {
            let err = parse_go_duration(input).unwrap_err();
            assert_eq!(err.to_string(), want, "{input}");
        }
        assert_eq!(
            parse_go_duration("5x"),
            Err(UnitError::UnknownDurationUnit {
                unit: "x".to_string(),
                input: "5x".to_string()
            })
        );
        assert_eq!(
            parse_go_duration("5"),
            Err(UnitError::MissingDurationUnit("5".to_string()))
        );
        assert_eq!(
            parse_go_duration("abc"),
            Err(UnitError::InvalidDuration("abc".to_string()))
        );
    }

    #[test]
    fn sim_duration_adds_days() {
        let day = 86_400 * S;
        let cases: &[(&str, i64)] = &[
            ("7d", 7 * day),
            ("1d12h", day + 12 * 3600 * S),
            ("1.5d", 36 * 3600 * S),
            ("-2d", -2 * day),
            ("1d1s", day + S),
            ("106751d23h47m16.854775807s", i64::MAX),
        ];
        for &(input, want) in cases {
            assert_eq!(parse_sim_duration(input), Ok(want), "{input}");
        }
        let errors: &[(&str, &str)] = &[
            ("d", r#"time: invalid duration "d""#),
            ("7", r#"time: missing unit in duration "7""#),
            ("5w", r#"time: unknown unit "w" in duration "5w""#),
            ("106752d", r#"time: invalid duration "106752d""#),
        ];
        for &(input, want) in errors {
            assert_eq!(
                parse_sim_duration(input).unwrap_err().to_string(),
                want,
                "{input}"
            );
        }
    }

    // -- durations: formatting ---------------------------------------------

    #[test]
    fn go_duration_string() {
        let cases: &[(i64, &str)] = &[
            (0, "0s"),
            (1, "1ns"),
            (999, "999ns"),
            (1_100, "1.1\u{b5}s"),
            (1_500, "1.5\u{b5}s"),
            (2_200_000, "2.2ms"),
            (100 * MS, "100ms"),
            (490 * MS, "490ms"),
            (3_300 * MS, "3.3s"),
            (10 * S, "10s"),
            (1_481 * MS, "1.481s"),
            (7_556_422_631, "7.556422631s"),
            (90 * S, "1m30s"),
            (2 * 60 * S, "2m0s"),
            (5 * 60 * S, "5m0s"),
            (4 * 60 * S + 5 * S, "4m5s"),
            (4 * 60 * S + 5 * S + MS, "4m5.001s"),
            (8 * 60 * S + 1, "8m0.000000001s"),
            (4 * 3600 * S, "4h0m0s"),
            (5 * 3600 * S + 6 * 60 * S + 7 * S + MS, "5h6m7.001s"),
            (10_000 * S, "2h46m40s"),
            (-60 * S, "-1m0s"),
            (-1, "-1ns"),
            (-1_100, "-1.1\u{b5}s"),
            (i64::MAX, "2562047h47m16.854775807s"),
            (i64::MIN, "-2562047h47m16.854775808s"),
        ];
        for &(ns, want) in cases {
            assert_eq!(format_go_duration(ns), want, "{ns}");
        }
    }

    #[test]
    fn duration_string_round_trips_through_parse() {
        for ns in [
            0,
            1,
            1_100,
            2_200_000,
            1_481 * MS,
            90 * S,
            10_000 * S,
            i64::MAX,
            i64::MIN,
        ] {
            assert_eq!(parse_go_duration(&format_go_duration(ns)), Ok(ns), "{ns}");
        }
    }

    #[test]
    fn millisecond_rounded_duration_string() {
        let cases: &[(i64, &str)] = &[
            (1_481_234_567, "1.481s"),
            (1_480_500_000, "1.481s"), // half rounds away from zero
            (1_480_499_999, "1.48s"),
            (490_400_000, "490ms"),
            (62_499_600_000, "1m2.5s"),
            (1_500_000, "2ms"),
            (-1_500_000, "-2ms"),
            (1_499_999, "1ms"),
            (500_000, "1ms"),
            (499_999, "0s"),
            (-499_999, "0s"),
            (0, "0s"),
            (i64::MAX, "2562047h47m16.854775807s"), // saturates, as Go's Round
            (i64::MIN, "-2562047h47m16.854775808s"),
        ];
        for &(ns, want) in cases {
            assert_eq!(format_go_duration_ms(ns), want, "{ns}");
        }
    }

    // -- quantities --------------------------------------------------------

    fn q(s: &str) -> Quantity {
        Quantity::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn quantity_value_and_string() {
        // (input, Value(), String())
        let cases: &[(&str, i64, &str)] = &[
            ("0", 0, "0"),
            ("100Mi", 104_857_600, "100Mi"),
            ("1.5G", 1_500_000_000, "1500M"),
            ("1073741824", 1_073_741_824, "1073741824"),
            ("1e3", 1000, "1e3"),
            ("100m", 1, "100m"),
            ("+5Ki", 5120, "+5Ki"), // input text kept: 5 is not a multiple of 8
            ("-1", -1, "-1"),
            ("30Gi", 32_212_254_720, "30Gi"),
            ("1.5", 2, "1500m"),
            ("0.1Ki", 103, "102400m"),
            ("1Ki", 1024, "1Ki"),
            ("1024Mi", 1 << 30, "1Gi"),
            ("1000M", 1_000_000_000, "1G"),
            ("1000", 1000, "1k"),
            (".001Ki", 2, "1024m"),
            (".000001Ki", 1, "1024u"),
            (".000000001Ki", 1, "1024n"),
            (".000000000001Ki", 1, "2n"), // rounded up to 1n steps
            ("1.5Gi", 1_610_612_736, "1536Mi"),
            ("0.5Mi", 524_288, "512Ki"),
            ("0.5Ki", 512, "512"),
            ("+8Ki", 8192, "8Ki"),
            ("1e14", 100_000_000_000_000, "100e12"),
            (".5", 1, "500m"),
            ("1.1e3", 1100, "1100"),
            ("1e-12", 1, "1e-9"),
            ("5n", 1, "5n"),
            ("4u", 1, "4u"),
            ("10Ti", 10 << 40, "10Ti"),
            ("2P", 2_000_000_000_000_000, "2P"),
            ("1Ei", 1 << 60, "1Ei"),
            ("-1.5", -2, "-1500m"),
            ("-100Mi", -104_857_600, "-100Mi"),
            ("0.0", 0, "0"),
            ("-0", 0, "0"),
            ("0Ki", 0, "0"),
            // Echoed verbatim: apimachinery's fast path finds them canonical.
            ("100.035k", 100_035, "100.035k"),
            ("1.500", 2, "1.500"),
            ("007Ki", 7168, "007Ki"),
            ("007", 7, "007"),
            ("1.", 1, "1."),
            ("1.G", 1_000_000_000, "1.G"),
            ("1e+3", 1000, "1e+3"),
            ("1E", 1_000_000_000_000_000_000, "1E"),
            // BinarySI is capped at 2^63-1, which is not a multiple of 1024.
            ("8Ei", i64::MAX, "9223372036854775807"),
            ("9223372036854775807", i64::MAX, "9223372036854775807"),
            // More than 18 digits: arbitrary precision; Value() saturates.
            ("12345678901234567890", i64::MAX, "12345678901234567890"),
            ("1e19", i64::MAX, "10e18"),
            // apimachinery has no SI prefix for 10^21 and prints no suffix.
            ("1000E", i64::MAX, "1"),
            // Odd but accepted by apimachinery's scanner.
            (".", 0, "0"),
            ("-", 0, "0"),
        ];
        for &(input, value, text) in cases {
            let parsed = q(input);
            assert_eq!(parsed.value(), value, "Value() of {input}");
            assert_eq!(parsed.to_string(), text, "String() of {input}");
        }
    }

    #[test]
    fn quantity_value_rounds_negative_fractions_like_apimachinery() {
        // int64Amount path: away from zero.
        assert_eq!(q("-1.5").value(), -2);
        assert_eq!(q("-100m").value(), -1);
        // inf.Dec path (binary suffix with a fraction): trunc + 1.
        assert_eq!(q("-0.1Ki").value(), -101); // -102.4
        assert_eq!(q("-.001Ki").value(), 0); // -1.024
        assert_eq!(q("-.001Ki").to_string(), "-1024m");
        assert_eq!(q("-.000000000001Ki").to_string(), "-2n");
        // Positive fractions on the inf.Dec path: ceiling.
        assert_eq!(q("0.1Ki").value(), 103);
        assert_eq!(q("1.1Gi").value(), 1_181_116_007); // 1181116006.4
        assert_eq!(q("1.1Gi").to_string(), "1181116006400m");
    }

    #[test]
    fn quantity_parse_errors_have_apimachinery_texts() {
        let format = "quantities must match the regular expression \
                      '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
        let cases: &[(&str, &str)] = &[
            ("", format),
            ("abc", format),
            ("5x", format),
            ("1.2.3", format),
            (" 5", format),
            ("5 ", format),
            ("5Mb", format),
            ("5KiB", format),
            ("1e3.5", format),
            ("5kk", "unable to parse quantity's suffix"),
            ("5e", "unable to parse quantity's suffix"),
            ("5ki", "unable to parse quantity's suffix"),
            ("5Ke3", "unable to parse quantity's suffix"),
            ("5-3", "unable to parse quantity's suffix"),
            (".e-12", "unable to parse numeric part of quantity"),
        ];
        for &(input, want) in cases {
            let err = Quantity::parse(input).unwrap_err();
            assert_eq!(err.to_string(), want, "{input:?}");
        }
        assert_eq!(Quantity::parse(""), Err(UnitError::QuantityFormat));
        assert_eq!(Quantity::parse("5kk"), Err(UnitError::QuantitySuffix));
        assert_eq!(Quantity::parse(".e-12"), Err(UnitError::QuantityNumeric));
    }

    #[test]
    fn new_quantity_binary_si_strings() {
        let cases: &[(i64, &str)] = &[
            (24_672_280_576, "24094024Ki"),
            (0, "0"),
            (1, "1"),
            (1023, "1023"),
            (1024, "1Ki"),
            (1025, "1025"),
            (1536, "1536"),
            (1_572_864, "1536Ki"),
            (1_000_000, "1000000"), // not a multiple of 1024: plain integer, not "1M"
            (10_000_000_001, "10000000001"),
            (32_212_254_720, "30Gi"),
            (1 << 62, "4Ei"),
            (3 << 60, "3Ei"),
            (i64::MAX, "9223372036854775807"),
            (-5, "-5"),
            (-1023, "-1023"),
            (-1024, "-1Ki"),
            (-(30 << 30), "-30Gi"),
        ];
        for &(v, want) in cases {
            let qty = Quantity::from_bytes_binary(v);
            assert_eq!(qty.to_string(), want, "{v}");
            assert_eq!(qty.value(), v, "{v}");
            assert_eq!(qty.format(), QuantityFormat::BinarySI);
        }
        assert_eq!(
            Quantity::new(1_000_000, QuantityFormat::DecimalSI).to_string(),
            "1M"
        );
        assert_eq!(
            Quantity::new(1_500, QuantityFormat::DecimalSI).to_string(),
            "1500"
        );
        assert_eq!(
            Quantity::new(1_000, QuantityFormat::DecimalExponent).to_string(),
            "1e3"
        );
        assert_eq!(
            format!("[{:>6}]", Quantity::from_bytes_binary(1024)),
            "[   1Ki]"
        );
    }

    #[test]
    fn quantity_formats_sign_zero_and_equality() {
        assert_eq!(q("100Mi").format(), QuantityFormat::BinarySI);
        assert_eq!(q("1.5G").format(), QuantityFormat::DecimalSI);
        assert_eq!(q("1e3").format(), QuantityFormat::DecimalExponent);
        assert_eq!(q("0.5Ki").format(), QuantityFormat::BinarySI);
        assert_eq!(q(".000000000001Ki").format(), QuantityFormat::DecimalSI); // below 1

        for (input, neg, zero) in [
            ("-1", true, false),
            ("-100m", true, false),
            ("-0.1Ki", true, false),
            ("1", false, false),
            ("0", false, true),
            ("-0", false, true),
            ("0Ki", false, true),
            ("-0.0Ki", false, true),
            ("0.000", false, true),
        ] {
            assert_eq!(q(input).is_negative(), neg, "is_negative {input}");
            assert_eq!(q(input).is_zero(), zero, "is_zero {input}");
        }

        // Equality compares values (Go's Quantity.Equal), not notation.
        assert_eq!(q("1Ki"), q("1024"));
        assert_eq!(q("1Gi"), Quantity::from_bytes_binary(1 << 30));
        assert_eq!(q("1.5G"), q("1500M"));
        assert_eq!(q("0.5"), q("500m"));
        assert_eq!(q("-0"), q("0Ki"));
        assert_ne!(q("100m"), q("1"));
        assert_ne!(q("1Mi"), q("1M"));
        assert!(q("1Mi") > q("1M"));
        assert!(q("-1") < q("0"));
        assert!(q("-2") < q("-1500m"));
        assert!(q("12345678901234567890") > Quantity::from_bytes_binary(i64::MAX));
    }

    // -- byte sizes --------------------------------------------------------

    /// apimachinery's AsInt64: integers within int64 only.
    #[test]
    fn quantity_as_int64() {
        for (s, want) in [
            ("10Mi", Some(10_485_760)),
            ("-1", Some(-1)),
            ("0", Some(0)),
            ("1.5", None),
            ("100m", None),
            ("1.5Ki", Some(1536)),
            ("9223372036854775807", Some(i64::MAX)),
            ("9223372036854775808", None),
            ("-9223372036854775808", Some(i64::MIN)),
            // ParseQuantity caps BinarySI at 2^63-1 before AsInt64 sees it.
            ("8Ei", Some(i64::MAX)),
        ] {
            assert_eq!(q(s).as_int64(), want, "{s}");
        }
    }

    #[test]
    fn parse_bytes_cases() {
        let ok: &[(&str, u64)] = &[
            ("100Mi", 104_857_600),
            ("1.5G", 1_500_000_000),
            ("1073741824", 1_073_741_824),
            ("30Gi", 32_212_254_720),
            ("0", 0),
            ("-0", 0),
            ("0.5", 1),
            ("1e3", 1000),
            ("100m", 1),
            ("0.1Ki", 103),
            // 7 * 2^60 and (2^13 - 1) * 2^50 = 2^63 - 2^50: the largest binary sizes that fit.
            ("7Ei", 8_070_450_532_247_928_832),
            ("8191Pi", 9_222_246_136_947_933_184),
            ("9223372036854775807", 9_223_372_036_854_775_807),
        ];
        for &(input, want) in ok {
            assert_eq!(parse_bytes(input), Ok(want), "{input}");
        }
        let err: &[(&str, UnitError)] = &[
            ("-1", UnitError::NegativeBytes("-1".to_string())),
            ("-100Mi", UnitError::NegativeBytes("-100Mi".to_string())),
            // Go's Value() would give +1 here; a negative size is still refused.
            (
                "-0.0001Ki",
                UnitError::NegativeBytes("-0.0001Ki".to_string()),
            ),
            ("1e19", UnitError::BytesOutOfRange("1e19".to_string())),
            // 8Ei = 2^63 is one past i64::MAX: refused like its decimal twin below, although
            // Quantity::parse caps BinarySI values at 2^63-1 (apimachinery does the same).
            ("8Ei", UnitError::BytesOutOfRange("8Ei".to_string())),
            ("16Ei", UnitError::BytesOutOfRange("16Ei".to_string())),
            ("8192Pi", UnitError::BytesOutOfRange("8192Pi".to_string())),
            ("100Ei", UnitError::BytesOutOfRange("100Ei".to_string())),
            (
                "9223372036854775808",
                UnitError::BytesOutOfRange("9223372036854775808".to_string()),
            ),
            ("10GB", UnitError::QuantityFormat),
            ("abc", UnitError::QuantityFormat),
        ];
        for (input, want) in err {
            assert_eq!(parse_bytes(input).as_ref(), Err(want), "{input}");
        }
        assert_eq!(
            UnitError::NegativeBytes("-1".to_string()).to_string(),
            r#"byte size "-1" must not be negative"#
        );
    }

    // -- percentages -------------------------------------------------------

    #[test]
    fn parse_percentage_is_float32_division() {
        // float32(p)/100 rounded to float32: the nearest float32 to p/100.
        let cases: &[(&str, u32)] = &[
            ("10%", 0x3DCC_CCCD),  // 0.100000001490116119384765625
            ("15%", 0x3E19_999A),  // 0.1500000059604644775390625
            ("7.5%", 0x3D99_999A), // 0.07500000298023223876953125
            ("5%", 0x3D4C_CCCD),   // 0.0500000007450580596923828125
            ("100%", 0x3F80_0000), // 1.0
            ("0%", 0x0000_0000),   // 0.0
            ("10%%", 0x3DCC_CCCD), // TrimRight strips every trailing '%'
            ("+10%", 0x3DCC_CCCD),
            ("1e1%", 0x3DCC_CCCD),
            ("-5%", 0xBD4C_CCCD), // the kubelet's caller rejects negatives
        ];
        for &(input, bits) in cases {
            let got = parse_percentage(input).unwrap_or_else(|e| panic!("{input}: {e}"));
            assert_eq!(got.to_bits(), bits, "{input}: {got}");
        }
        assert_eq!(parse_percentage("10%"), Ok(0.1f32));
        assert_eq!(parse_percentage("15%"), Ok(0.15f32));
        assert!(parse_percentage("nan%").unwrap().is_nan());
        assert_eq!(parse_percentage("inf%"), Ok(f32::INFINITY));
    }

    #[test]
    fn parse_percentage_errors() {
        let cases: &[(&str, &str)] = &[
            ("10", r#"percentage "10" must end with '%'"#),
            ("", r#"percentage "" must end with '%'"#),
            (
                "abc%",
                r#"strconv.ParseFloat: parsing "abc": invalid syntax"#,
            ),
            ("%", r#"strconv.ParseFloat: parsing "": invalid syntax"#),
            (
                " 10%",
                r#"strconv.ParseFloat: parsing " 10": invalid syntax"#,
            ),
            (
                "10 %",
                r#"strconv.ParseFloat: parsing "10 ": invalid syntax"#,
            ),
            (
                "1_0%",
                r#"strconv.ParseFloat: parsing "1_0": invalid syntax"#,
            ),
            (
                "+nan%",
                r#"strconv.ParseFloat: parsing "+nan": invalid syntax"#,
            ),
            (
                "1e40%",
                r#"strconv.ParseFloat: parsing "1e40": value out of range"#,
            ),
            (
                "\t1%",
                r#"strconv.ParseFloat: parsing "\t1": invalid syntax"#,
            ),
        ];
        for &(input, want) in cases {
            assert_eq!(
                parse_percentage(input).unwrap_err().to_string(),
                want,
                "{input:?}"
            );
        }
    }

    #[test]
    fn percentage_of_uses_float32_fraction() {
        let pct = |s: &str| parse_percentage(s).unwrap();
        let cases: &[(i64, &str, i64)] = &[
            // 1000 * 0.100000001490116… = 100.0000015 -> 100
            (1000, "10%", 100),
            // 21462233088 * 0.15000000596046448 = 3219335091.1248779296875 -> 3219335091
            // (exactly 15% would be 3219334963.2: float32 adds 128 bytes)
            (21_462_233_088, "15%", 3_219_335_091),
            // 21462233088 * 0.10000000149011612 = 2146223340.78121948… -> 2146223340
            (21_462_233_088, "10%", 2_146_223_340),
            // 107374182400 * 0.05000000074505806 = 5368709200 exactly
            (107_374_182_400, "5%", 5_368_709_200),
            // 1000000007 * 0.07500000298023224 = 75000003.505232… -> 75000003
            (1_000_000_007, "7.5%", 75_000_003),
            // 999 * 0.009999999776482582 = 9.98999977… -> 9
            (999, "1%", 9),
            (123, "100%", 123),
            (1000, "0%", 0),
        ];
        for &(capacity, p, want) in cases {
            assert_eq!(percentage_of(capacity, pct(p)), want, "{p} of {capacity}");
        }
        // Truncation toward zero.
        assert_eq!(percentage_of(-1000, 0.0015), -1);
    }

    // -- human sizes -------------------------------------------------------

    #[test]
    fn binary_size_one_decimal() {
        const KIB: u64 = 1024;
        const MIB: u64 = 1024 * KIB;
        const GIB: u64 = 1024 * MIB;
        const TIB: u64 = 1024 * GIB;
        let cases: &[(u64, &str)] = &[
            (0, "0 B"),
            (1, "1 B"),
            (1023, "1023 B"),
            (KIB, "1.0 KiB"),
            (1280, "1.2 KiB"), // 1.25: ties to even, as Go's %.1f
            (1536, "1.5 KiB"),
            (1_048_575, "1024.0 KiB"), // 1023.999…: still below 1 MiB
            (512 * MIB, "512.0 MiB"),
            (10 * GIB, "10.0 GiB"),
            (21_462_233_088, "20.0 GiB"), // 19.98828125
            (28_346_784_153, "26.4 GiB"),
            (TIB, "1.0 TiB"),
            (1024 * TIB, "1024.0 TiB"), // no PiB unit upstream
            (u64::MAX, "16777216.0 TiB"),
        ];
        for &(bytes, want) in cases {
            assert_eq!(format_binary_size_1dec(bytes), want, "{bytes}");
        }
    }
}
