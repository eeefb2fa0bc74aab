//! Streams a finished run's `timeseries.csv` and `events.csv` to what reads them row by row:
//! the plot's aggregation ([`crate::report::plot::PlotData`]) and `report.html`'s
//! ([`crate::report::html::ReportBuilder`]), both in one pass over the files. Reports read a
//! run's files, never the model: this is the one place that knows the CSVs' columns.

use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use anyhow::{bail, Context, Result};

/// The columns of one `timeseries.csv` row that reports draw.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SampleRow {
    /// `time_s`.
    pub t: f64,
    /// The kubelet's imagefs `usage_percent`.
    pub usage_percent: f64,
    pub image_bytes: u64,
    pub reported_image_bytes: u64,
    /// nodefs usage % (exact, from its capacity and available columns) when the node has a
    /// separate nodefs.
    pub nodefs_usage_percent: Option<f64>,
}

/// One `events.csv` row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EventCsvRow<'a> {
    /// `time_s` as a number.
    pub t: f64,
    /// `time_s` as written (exact, up to nanoseconds).
    pub time_s: &'a str,
    /// `timestamp` (RFC 3339) when the run has a `start_time`.
    pub timestamp: Option<&'a str>,
    pub reason: &'a str,
    pub object: &'a str,
    pub message: &'a str,
}

/// What a run's rows stream into.
pub trait RunSink {
    fn sample(&mut self, s: &SampleRow);
    fn event(&mut self, e: &EventCsvRow);
}

impl<A: RunSink, B: RunSink> RunSink for (A, B) {
    fn sample(&mut self, s: &SampleRow) {
        self.0.sample(s);
        self.1.sample(s);
    }
    fn event(&mut self, e: &EventCsvRow) {
        self.0.event(e);
        self.1.event(e);
    }
}

/// Streams `timeseries.csv` and then `events.csv` (if present) from `dir` into `sink`.
pub fn read_run_files(dir: &Path, sink: &mut dyn RunSink) -> Result<()> {
    read_timeseries(&dir.join("timeseries.csv"), sink)?;
    let ev = dir.join("events.csv");
    if ev.exists() {
        read_events(&ev, sink)?;
    }
    Ok(())
}

fn read_timeseries(path: &Path, sink: &mut dyn RunSink) -> Result<()> {
    let f = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let mut r = csv::Reader::from_reader(BufReader::with_capacity(1 << 16, f));
    let header = r
        .headers()
        .with_context(|| format!("cannot read {}", path.display()))?
        .clone();
    let col = |name: &str| header.iter().position(|h| h == name);
    let need =
        |name: &str| col(name).with_context(|| format!("{}: no column {name}", path.display()));
    let c_time = need("time_s")?;
    let c_usage = need("usage_percent")?;
    let c_image = need("image_bytes")?;
    let c_reported = need("reported_image_bytes")?;
    let c_nodefs = col("nodefs_capacity_bytes").zip(col("nodefs_available_bytes"));
    let mut rec = csv::ByteRecord::new();
    let mut line = 1u64;
    while r
        .read_byte_record(&mut rec)
        .with_context(|| format!("cannot read {}", path.display()))?
    {
        line += 1;
        let field = |i: usize| -> Result<f64> {
            let b = rec.get(i).unwrap_or_default();
            std::str::from_utf8(b)
                .ok()
                .and_then(|s| s.trim().parse::<f64>().ok())
                .with_context(|| {
                    format!(
                        "{}:{line}: bad number {:?} in column {}",
                        path.display(),
                        String::from_utf8_lossy(b),
                        &header[i]
                    )
                })
        };
        let nodefs_usage_percent = match c_nodefs {
            Some((c, a)) => {
                let (c, a) = (field(c)?, field(a)?);
                (c > 0.0).then(|| 100.0 * (c - a) / c)
            }
            None => None,
        };
        sink.sample(&SampleRow {
            t: field(c_time)?,
            usage_percent: field(c_usage)?,
            image_bytes: field(c_image)? as u64,
            reported_image_bytes: field(c_reported)? as u64,
            nodefs_usage_percent,
        });
    }
    Ok(())
}

fn read_events(path: &Path, sink: &mut dyn RunSink) -> Result<()> {
    let f = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let mut r = csv::Reader::from_reader(BufReader::with_capacity(1 << 16, f));
    let header = r
        .headers()
        .with_context(|| format!("cannot read {}", path.display()))?
        .clone();
    let col = |name: &str| header.iter().position(|h| h == name);
    let need =
        |name: &str| col(name).with_context(|| format!("{}: no column {name}", path.display()));
    let (c_time, c_reason, c_message) = (need("time_s")?, need("reason")?, need("message")?);
    let (c_object, c_timestamp) = (col("object"), col("timestamp"));
    let mut rec = csv::StringRecord::new();
    let mut line = 1u64;
    while r
        .read_record(&mut rec)
        .with_context(|| format!("cannot read {}", path.display()))?
    {
        line += 1;
        let time_s = rec.get(c_time).unwrap_or_default().trim();
        let Ok(t) = time_s.parse::<f64>() else {
            bail!("{}:{line}: bad time", path.display());
        };
        sink.event(&EventCsvRow {
            t,
            time_s,
            timestamp: c_timestamp.and_then(|c| rec.get(c)),
            reason: rec.get(c_reason).unwrap_or_default(),
            object: c_object.and_then(|c| rec.get(c)).unwrap_or_default(),
            message: rec.get(c_message).unwrap_or_default(),
        });
    }
    Ok(())
}
