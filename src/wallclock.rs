//! Wall-clock instants (RFC 3339): a scenario's `start_time`, the instant of t = 0, and the
//! `timestamp` column it gives `timeseries.csv` and `events.csv`. Civil dates are the
//! proleptic Gregorian calendar, converted by exact integer arithmetic (Howard Hinnant's
//! `days_from_civil` / `civil_from_days`, <https://howardhinnant.github.io/date_algorithms.html>);
//! there are no leap seconds (as in Unix time and Go's `time`).

use std::fmt;

const NANOS_PER_SEC: i64 = 1_000_000_000;
const SECS_PER_DAY: i64 = 86_400;

/// Days since 1970-01-01 of a proleptic Gregorian date (`m` 1 to 12, `d` 1 to 31).
///
/// Years are shifted to start on 1 March, so that the leap day is the last day of a year; then
/// a 400-year era has 146 097 days, the day of the era is 365 per year plus the leap days
/// (every 4th year but every 100th, plus every 400th), and the day of the (March) year counts
/// the months' lengths 31, 30, 31, 30, 31, 31, 30, 31, 30, 31, 31, 28/29 by
/// (153·month + 2) / 5. 719 468 is the day of 1970-01-01 from 0000-03-01.
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day since 1970-01-01: the inverse of [`days_from_civil`].
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// An instant in UTC: seconds since 1970-01-01T00:00:00Z and nanoseconds past them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct WallTime {
    secs: i64,
    nanos: u32,
}

/// The last instant [`WallTime`] prints as RFC 3339 (a four-digit year): 9999-12-31T23:59:59Z.
pub const MAX_SECS: i64 = 253_402_300_799;

impl WallTime {
    /// Seconds since the epoch (negative before it) and nanoseconds past them.
    pub fn from_unix(secs: i64, nanos: u32) -> WallTime {
        assert!(nanos < 1_000_000_000);
        WallTime { secs, nanos }
    }

    /// Nanoseconds since the epoch (the importer's event times).
    pub fn from_unix_ns(ns: i64) -> WallTime {
        WallTime {
            secs: ns.div_euclid(NANOS_PER_SEC),
            nanos: ns.rem_euclid(NANOS_PER_SEC) as u32,
        }
    }

    pub fn unix_secs(self) -> i64 {
        self.secs
    }

    pub fn subsec_nanos(self) -> u32 {
        self.nanos
    }

    /// This instant plus `ns` nanoseconds (a simulated time), saturating far past year 9999.
    pub fn plus_ns(self, ns: u64) -> WallTime {
        let total = self.nanos as u64 + ns % NANOS_PER_SEC as u64;
        let secs = self
            .secs
            .saturating_add((ns / NANOS_PER_SEC as u64) as i64)
            .saturating_add((total / NANOS_PER_SEC as u64) as i64);
        WallTime {
            secs,
            nanos: (total % NANOS_PER_SEC as u64) as u32,
        }
    }

    /// Parses an RFC 3339 date-time (`2026-03-18T06:47:29Z`, `…29.5Z`, `…29+01:00`), exactly
    /// and strictly: a date, `T`, a time, and `Z` or an offset; the error says what is wrong
    /// and what would be accepted.
    pub fn parse_rfc3339(text: &str) -> Result<WallTime, String> {
        const SHAPE: &str = "an RFC 3339 date and time in UTC or with an offset, such as \"2026-03-18T06:47:29Z\" or \"2026-03-18T07:47:29+01:00\"";
        let s = text.trim();
        let b = s.as_bytes();
        let digits = |r: std::ops::Range<usize>| -> Option<i64> {
            let part = b.get(r)?;
            part.iter()
                .all(u8::is_ascii_digit)
                .then(|| part.iter().fold(0i64, |n, c| n * 10 + i64::from(c - b'0')))
        };
        let bad = || format!("{s:?} is not {SHAPE}");
        let (Some(y), Some(mo), Some(d)) = (digits(0..4), digits(5..7), digits(8..10)) else {
            return Err(bad());
        };
        if b[4] != b'-' || b[7] != b'-' {
            return Err(bad());
        }
        if b.len() == 10 {
            return Err(format!(
                "{s:?} is a date without a time: write the instant, such as \"{s}T00:00:00Z\""
            ));
        }
        if !matches!(b[10], b'T' | b't') {
            return Err(bad());
        }
        let (Some(h), Some(mi), Some(sec)) = (digits(11..13), digits(14..16), digits(17..19))
        else {
            return Err(bad());
        };
        if b[13] != b':' || b[16] != b':' {
            return Err(bad());
        }
        if !(1..=12).contains(&mo) {
            return Err(format!("{s:?}: month {mo} is not 1 to 12"));
        }
        let mdays = days_in_month(y, mo as u32);
        if d < 1 || d > mdays as i64 {
            return Err(format!(
                "{s:?}: day {d} is not 1 to {mdays} ({} {y} has {mdays} days)",
                MONTHS[mo as usize - 1]
            ));
        }
        if h > 23 || mi > 59 || sec > 59 {
            return Err(format!(
                "{s:?}: {h:02}:{mi:02}:{sec:02} is not a time of day (00:00:00 to 23:59:59; no leap seconds)"
            ));
        }
        let mut i = 19;
        let mut nanos = 0u32;
        if b.get(i) == Some(&b'.') {
            let start = i + 1;
            i = start;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            let n = i - start;
            if n == 0 || n > 9 {
                return Err(format!(
                    "{s:?}: the fraction of a second has {n} digits; 1 to 9 (nanoseconds)"
                ));
            }
            nanos = (digits(start..i).expect("digits") * 10i64.pow(9 - n as u32)) as u32;
        }
        let offset = match &b[i..] {
            [] => {
                return Err(format!(
                    "{s:?} has no time zone: end it with Z (UTC) or an offset such as +01:00"
                ))
            }
            [b'Z' | b'z'] => 0,
            [sign @ (b'+' | b'-'), _, _, b':', _, _] => {
                let (Some(oh), Some(om)) = (digits(i + 1..i + 3), digits(i + 4..i + 6)) else {
                    return Err(bad());
                };
                if oh > 23 || om > 59 {
                    return Err(format!(
                        "{s:?}: the offset {} is not -23:59 to +23:59",
                        &s[i..]
                    ));
                }
                let o = oh * 3600 + om * 60;
                if *sign == b'-' {
                    -o
                } else {
                    o
                }
            }
            _ => return Err(bad()),
        };
        let days = days_from_civil(y, mo as u32, d as u32);
        let secs = days * SECS_PER_DAY + h * 3600 + mi * 60 + sec - offset;
        if !(0..=MAX_SECS).contains(&secs) {
            return Err(format!(
                "{s:?} is outside 1970-01-01T00:00:00Z to 9999-12-31T23:59:59Z"
            ));
        }
        Ok(WallTime { secs, nanos })
    }
}

/// RFC 3339 in UTC: `2026-03-18T06:47:29Z`; a fraction of a second in the fewest of 3, 6 or 9
/// digits that is exact (`…29.500Z`, `…29.000250Z`, `…29.000000001Z`).
impl fmt::Display for WallTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = civil_from_days(self.secs.div_euclid(SECS_PER_DAY));
        let rem = self.secs.rem_euclid(SECS_PER_DAY);
        let (h, mi, s) = (rem / 3600, rem % 3600 / 60, rem % 60);
        write!(f, "{y:04}-{m:02}-{d:02}T{h:02}:{mi:02}:{s:02}")?;
        let n = self.nanos;
        if n == 0 {
        } else if n.is_multiple_of(1_000_000) {
            write!(f, ".{:03}", n / 1_000_000)?;
        } else if n.is_multiple_of(1_000) {
            write!(f, ".{:06}", n / 1_000)?;
        } else {
            write!(f, ".{n:09}")?;
        }
        f.write_str("Z")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(s: &str) -> i64 {
        WallTime::parse_rfc3339(s).unwrap().unix_secs()
    }

    /// Instants computed by hand from days since the epoch.
    #[test]
    fn civil_dates_of_known_instants() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(secs("1970-01-01T00:00:00Z"), 0);
        // 2000-03-01: 30 years from 1970 with 7 leap days (72, 76, …, 96) = 10957 days to
        // 2000-01-01, + 31 (January) + 29 (February, 2000 is a leap year) = 11017 days;
        // 11017 × 86400 = 951868800.
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(secs("2000-03-01T00:00:00Z"), 951_868_800);
        // 2026-03-18T06:47:29Z: 56 years from 1970 with 14 leap days (72, …, 2024) = 20454
        // days to 2026-01-01, + 31 + 28 + 17 = 20530 days; 20530 × 86400 = 1773792000, + 6 h
        // 47 min 29 s = 24449 s: 1773816449.
        assert_eq!(days_from_civil(2026, 3, 18), 20_530);
        assert_eq!(secs("2026-03-18T06:47:29Z"), 1_773_816_449);
        for z in [-800_000, -1, 0, 11_017, 20_530, 2_932_896] {
            let (y, m, d) = civil_from_days(z);
            assert_eq!(days_from_civil(y, m, d), z);
        }
        assert_eq!(civil_from_days(2_932_896), (9999, 12, 31));
        assert_eq!(MAX_SECS, 2_932_896 * 86_400 + 86_399);
    }

    #[test]
    fn offsets_are_normalised_to_utc() {
        let t = WallTime::parse_rfc3339("2026-03-18T07:47:29+01:00").unwrap();
        assert_eq!(t.to_string(), "2026-03-18T06:47:29Z");
        let t = WallTime::parse_rfc3339("2026-03-17T23:17:29.5-07:30").unwrap();
        assert_eq!(t.to_string(), "2026-03-18T06:47:29.500Z");
        assert_eq!(
            WallTime::parse_rfc3339("2026-03-18t06:47:29z").unwrap(),
            WallTime::from_unix(1_773_816_449, 0)
        );
    }

    #[test]
    fn fractions_print_in_groups_of_three_digits() {
        let t = WallTime::from_unix(1_773_816_449, 0);
        assert_eq!(
            t.plus_ns(500_000_000).to_string(),
            "2026-03-18T06:47:29.500Z"
        );
        assert_eq!(
            t.plus_ns(250_000).to_string(),
            "2026-03-18T06:47:29.000250Z"
        );
        assert_eq!(t.plus_ns(1).to_string(), "2026-03-18T06:47:29.000000001Z");
        // Across a day, a month and a year.
        let eve = WallTime::parse_rfc3339("2025-12-31T23:59:59.750Z").unwrap();
        assert_eq!(eve.plus_ns(250_000_000).to_string(), "2026-01-01T00:00:00Z");
        assert_eq!(
            WallTime::parse_rfc3339("2024-02-28T12:00:00Z")
                .unwrap()
                .plus_ns(86_400 * 1_000_000_000)
                .to_string(),
            "2024-02-29T12:00:00Z"
        );
        assert_eq!(
            WallTime::from_unix_ns(-1).to_string(),
            "1969-12-31T23:59:59.999999999Z"
        );
    }

    #[test]
    fn bad_instants_say_what_is_wrong() {
        let err = |s: &str| WallTime::parse_rfc3339(s).unwrap_err();
        assert!(err("2026-03-18").contains("a date without a time"));
        assert!(err("2026-13-18T06:47:29Z").contains("month 13 is not 1 to 12"));
        assert!(err("2026-02-29T06:47:29Z").contains("February 2026 has 28 days"));
        assert!(err("2026-03-18T24:00:00Z").contains("is not a time of day"));
        assert!(err("2026-03-18T23:59:60Z").contains("no leap seconds"));
        assert!(err("2026-03-18T06:47:29").contains("has no time zone"));
        assert!(err("2026-03-18T06:47:29+24:00").contains("offset"));
        assert!(err("2026-03-18T06:47:29.1234567890Z").contains("1 to 9"));
        assert!(err("2026-03-18 06:47:29Z").contains("is not an RFC 3339"));
        assert!(err("yesterday").contains("is not an RFC 3339"));
        assert!(err("1969-12-31T23:59:59Z").contains("outside"));
        assert!(WallTime::parse_rfc3339("2024-02-29T00:00:00Z").is_ok());
        assert!(WallTime::parse_rfc3339("9999-12-31T23:59:59.999999999Z").is_ok());
    }
}
