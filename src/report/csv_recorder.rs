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

impl Recorder for CsvRecorder {
    fn sample(&mut self, s: &Sample) {
        if self.error.is_some() {
            return;
        }
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
        if let Some(t0) = self.start_time {
            row.insert(1, t0.plus_ns(s.time).to_string());
        }
        if self.per_fs > 1 {
            for (c, a) in &s.per_fs {
                row.push(c.to_string());
                row.push(a.to_string());
            }
        }
        if let Err(e) = self.ts.write_record(&row) {
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
