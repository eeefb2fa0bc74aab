//! Streams samples and events to `timeseries.csv` and `events.csv` as a run goes. With a
//! scenario's `start_time`, a `timestamp` column (RFC 3339, UTC) follows `time_s` in both.

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::engine::NANOS_PER_SEC;
use crate::outcome::{EventRow, Recorder, Sample};
use crate::wallclock::WallTime;

pub struct CsvRecorder {
    ts: csv::Writer<BufWriter<File>>,
    events: csv::Writer<BufWriter<File>>,
    per_fs: usize,
    /// The instant of t = 0: each row's `timestamp` is it plus `time_s`.
    start_time: Option<WallTime>,
    /// The next event's `seq`.
    seq: u64,
    /// Text of the field being written (reused: no allocation per row).
    buf: String,
    /// The first write error of the run, and the file it happened in.
    error: Option<(PathBuf, csv::Error)>,
    ts_path: PathBuf,
    events_path: PathBuf,
}

/// Seconds with up to nanosecond precision, without trailing zeros.
pub fn format_seconds(t: u64) -> String {
    let s = t / NANOS_PER_SEC;
    let ns = t % NANOS_PER_SEC;
    if ns == 0 {
        s.to_string()
    } else {
        let frac = format!("{ns:09}");
        format!("{s}.{}", frac.trim_end_matches('0'))
    }
}

impl CsvRecorder {
    /// `per_fs` is the number of filesystems; with more than one, per-filesystem columns follow.
    /// With `start_time`, a `timestamp` column follows `time_s`.
    pub fn create(dir: &Path, per_fs: usize, start_time: Option<WallTime>) -> Result<CsvRecorder> {
        let open = |name: &str| -> Result<csv::Writer<BufWriter<File>>> {
            let p = dir.join(name);
            let f = File::create(&p).with_context(|| format!("cannot create {}", p.display()))?;
            Ok(csv::Writer::from_writer(BufWriter::with_capacity(
                1 << 16,
                f,
            )))
        };
        let mut ts = open("timeseries.csv")?;
        let mut header: Vec<String> = [
            "time_s",
            "capacity_bytes",
            "available_bytes",
            "usage_percent",
            "image_bytes",
            "reported_image_bytes",
            "pulling_bytes",
            "writable_bytes",
            "log_bytes",
            "emptydir_bytes",
            "other_bytes",
            "images",
            "running_pods",
            "containers",
            "disk_pressure",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        if start_time.is_some() {
            header.insert(1, "timestamp".to_string());
        }
        if per_fs > 1 {
            for name in ["nodefs", "imagefs"].iter().take(per_fs) {
                header.push(format!("{name}_capacity_bytes"));
                header.push(format!("{name}_available_bytes"));
            }
        }
        let ts_path = dir.join("timeseries.csv");
        let events_path = dir.join("events.csv");
        ts.write_record(&header)
            .with_context(|| format!("cannot write {}", ts_path.display()))?;
        let mut events = open("events.csv")?;
        // `seq`: the event's place in the run (0, 1, …), so that rows of one instant keep
        // their order (a cause before its effects) through any sort.
        let mut ev_header = vec!["seq", "time_s", "type", "reason", "object", "message"];
        if start_time.is_some() {
            ev_header.insert(2, "timestamp");
        }
        events
            .write_record(&ev_header)
            .with_context(|| format!("cannot write {}", events_path.display()))?;
        Ok(CsvRecorder {
            ts,
            events,
            per_fs,
            start_time,
            seq: 0,
            buf: String::new(),
            error: None,
            ts_path,
            events_path,
        })
    }

    /// Flushes both files; reports the first write error of the run, if any.
    pub fn finish(mut self) -> Result<()> {
        if let Some((p, e)) = self.error.take() {
            return Err(io_text(e)).with_context(|| format!("cannot write {}", p.display()));
        }
        self.ts
            .flush()
            .with_context(|| format!("cannot write {}", self.ts_path.display()))?;
        self.events
            .flush()
            .with_context(|| format!("cannot write {}", self.events_path.display()))?;
        Ok(())
    }
}

/// A CSV writer's error as the I/O error it is (the disk is full, …), without the CSV
/// library's wording around it.
fn io_text(e: csv::Error) -> anyhow::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(io) => io.into(),
        other => anyhow::anyhow!("{other:?}"),
    }
}

/// Appends `t` as [`format_seconds`] writes it.
fn push_seconds(buf: &mut String, t: u64) {
    use std::fmt::Write as _;
    let (s, ns) = (t / NANOS_PER_SEC, t % NANOS_PER_SEC);
    let _ = write!(buf, "{s}");
    if ns != 0 {
        let start = buf.len();
        let _ = write!(buf, ".{ns:09}");
        let keep = buf[start..].trim_end_matches('0').len();
        buf.truncate(start + keep);
    }
}

/// One timeseries row, written field by field through one reusable buffer (a year of 10 s
/// samples is 3 million rows: no allocation per row or field). The text is that of
/// [`sample_row`], byte for byte (a test checks it).
fn write_sample<W: std::io::Write>(
    w: &mut csv::Writer<W>,
    buf: &mut String,
    s: &Sample,
    start_time: Option<WallTime>,
    per_fs: usize,
) -> csv::Result<()> {
    use std::fmt::Write as _;
    let put = |w: &mut csv::Writer<W>, buf: &mut String, x: &dyn std::fmt::Display| {
        buf.clear();
        let _ = write!(buf, "{x}");
        w.write_field(buf.as_bytes())
    };
    buf.clear();
    push_seconds(buf, s.time);
    w.write_field(buf.as_bytes())?;
    if let Some(t0) = start_time {
        put(w, buf, &t0.plus_ns(s.time))?;
    }
    put(w, buf, &s.capacity_bytes)?;
    put(w, buf, &s.available_bytes)?;
    put(w, buf, &s.usage_percent)?;
    for x in [
        s.image_bytes,
        s.reported_image_bytes,
        s.pulling_bytes,
        s.writable_bytes,
        s.log_bytes,
        s.emptydir_bytes,
        s.other_bytes,
        s.images,
        s.running_pods,
        s.containers,
        u64::from(s.disk_pressure),
    ] {
        put(w, buf, &x)?;
    }
    if per_fs > 1 {
        for (c, a) in &s.per_fs {
            put(w, buf, c)?;
            put(w, buf, a)?;
        }
    }
    w.write_record(None::<&[u8]>)
}

/// The fields of a timeseries row as text: the definition [`write_sample`] follows.
#[cfg(test)]
fn sample_row(s: &Sample, start_time: Option<WallTime>, per_fs: usize) -> Vec<String> {
    let mut row: Vec<String> = vec![
        format_seconds(s.time),
        s.capacity_bytes.to_string(),
        s.available_bytes.to_string(),
        s.usage_percent.to_string(),
        s.image_bytes.to_string(),
        s.reported_image_bytes.to_string(),
        s.pulling_bytes.to_string(),
        s.writable_bytes.to_string(),
        s.log_bytes.to_string(),
        s.emptydir_bytes.to_string(),
        s.other_bytes.to_string(),
        s.images.to_string(),
        s.running_pods.to_string(),
        s.containers.to_string(),
        u8::from(s.disk_pressure).to_string(),
    ];
    if let Some(t0) = start_time {
        row.insert(1, t0.plus_ns(s.time).to_string());
    }
    if per_fs > 1 {
        for (c, a) in &s.per_fs {
            row.push(c.to_string());
            row.push(a.to_string());
        }
    }
    row
}

impl Recorder for CsvRecorder {
    fn sample(&mut self, s: &Sample) {
        if self.error.is_some() {
            return;
        }
        if let Err(e) = write_sample(&mut self.ts, &mut self.buf, s, self.start_time, self.per_fs) {
            self.error = Some((self.ts_path.clone(), e));
        }
    }

    fn event(&mut self, e: &EventRow) {
        if self.error.is_some() {
            return;
        }
        let time = format_seconds(e.time);
        let seq = self.seq.to_string();
        self.seq += 1;
        let r = match self.start_time {
            None => self.events.write_record([
                seq.as_str(),
                time.as_str(),
                e.kind.as_str(),
                e.reason,
                e.object.as_str(),
                e.message.as_str(),
            ]),
            Some(t0) => self.events.write_record([
                seq.as_str(),
                time.as_str(),
                t0.plus_ns(e.time).to_string().as_str(),
                e.kind.as_str(),
                e.reason,
                e.object.as_str(),
                e.message.as_str(),
            ]),
        };
        if let Err(e) = r {
            self.error = Some((self.events_path.clone(), e));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(time: u64, per_fs: Vec<(u64, u64)>, usage: i64) -> Sample {
        Sample {
            time,
            capacity_bytes: 1 << 30,
            available_bytes: 12345,
            usage_percent: usage,
            image_bytes: u64::MAX,
            reported_image_bytes: 0,
            pulling_bytes: 7,
            writable_bytes: 8,
            log_bytes: 9,
            emptydir_bytes: 10,
            other_bytes: 11,
            images: 12,
            running_pods: 13,
            containers: 14,
            per_fs,
            disk_pressure: true,
        }
    }

    /// The row written field by field is the row the old per-row `Vec<String>` gave, for
    /// whole and fractional times (trailing zeros dropped: 1.5 s, 0.000000001 s, 10 s), with
    /// and without a timestamp and the per-filesystem columns, and a negative usage.
    #[test]
    fn rows_written_in_place_are_the_reference_rows() {
        let t0 = crate::wallclock::WallTime::parse_rfc3339("2026-03-18T06:47:29.5Z").unwrap();
        let cases = [
            (sample(10_000_000_000, vec![], 85), None, 1),
            (sample(1_500_000_000, vec![(5, 6), (7, 8)], 3), Some(t0), 2),
            (sample(1, vec![(1, 0), (2, 1)], -1), Some(t0), 2),
            (sample(123_456_789_000, vec![(9, 9)], 100), None, 1),
        ];
        for (s, start, per_fs) in cases {
            let mut a = csv::Writer::from_writer(Vec::new());
            let mut buf = String::new();
            write_sample(&mut a, &mut buf, &s, start, per_fs).unwrap();
            let mut b = csv::Writer::from_writer(Vec::new());
            b.write_record(sample_row(&s, start, per_fs)).unwrap();
            let (a, b) = (a.into_inner().unwrap(), b.into_inner().unwrap());
            assert_eq!(String::from_utf8(a).unwrap(), String::from_utf8(b).unwrap());
        }
        let mut buf = String::new();
        push_seconds(&mut buf, 1_500_000_000);
        assert_eq!(buf, "1.5");
    }
}
