//! What a real node's image filesystem did over time, for `validate`: the available (and,
//! when the file has it, total) bytes at each instant, read from one of two formats.
//!
//! - **A Prometheus `query_range` reply** (`GET api/v1/query_range`, the HTTP API's JSON:
//!   `{"status":"success","data":{"resultType":"matrix","result":[{"metric":{…},"values":
//!   [[1710744449.123,"123456789"],…]}]}}`) of node_exporter's `node_filesystem_avail_bytes`
//!   (statfs `f_bavail`, what the kubelet reads), optionally with `node_filesystem_size_bytes`
//!   in the same reply (a query such as
//!   `{__name__=~"node_filesystem_(avail|size)_bytes",mountpoint="/var/lib/containerd"}`).
//!   A series is told by its `__name__` label (a series without one, the result of an
//!   expression, is taken as available bytes). Several mountpoints: the one `--mountpoint`
//!   names, else the only one, else an error listing them. Timestamps are Unix seconds with
//!   millisecond resolution (Prometheus keeps milliseconds), rounded to the millisecond;
//!   values are decimal strings of whole bytes (a JSON number is taken too). The capacity at
//!   an available-bytes sample is the size series' sample at or before it (else its first).
//! - **Summary API replies** (`/stats/summary`, data-formats.md §1) taken over time: a JSON
//!   array of replies, or replies one after another (one per line, JSON lines, or
//!   pretty-printed one after the other). Each reply is read by the importer's own
//!   [`read_reply`](crate::workload::import::summary::read_reply) (its checks included), and
//!   gives `node.runtime.imageFs`: `availableBytes`, `capacityBytes`, at its `time` (else
//!   `node.fs.time`). Replies at an instant already seen (the kubelet's stats are cached, so
//!   polling faster than they refresh repeats a reading) are dropped and counted.
//!
//! The replies are framed without holding the file: the top level is scanned byte by byte
//! (strings and nesting tracked) and each reply parsed on its own, so memory holds one reply
//! (at most [`MAX_REPLY_BYTES`]) and the samples (at most [`MAX_SAMPLES`]). Every error names
//! the file, the line where the reply starts (or the error is), and the JSON path:
//! `obs.json:1: data.result[0].values[3][1]: "12a" is not a number of bytes`.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

use serde_json::Value;

use crate::error::InputError;
use crate::workload::import::common::{json_error, At};
use crate::workload::import::summary::read_reply;

/// The most samples an observed file may hold: a year at one every 30 s.
pub const MAX_SAMPLES: usize = 1_000_000;
/// The largest one reply may be (a Summary with thousands of pods is a few MB).
pub const MAX_REPLY_BYTES: usize = 256 << 20;

/// The metric names a Prometheus reply may hold.
pub const AVAIL_METRIC: &str = "node_filesystem_avail_bytes";
pub const SIZE_METRIC: &str = "node_filesystem_size_bytes";

/// One reading of the image filesystem.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ObservedSample {
    /// Nanoseconds since the Unix epoch.
    pub time_ns: i64,
    pub available_bytes: u64,
    /// The filesystem's size, when the file gives it.
    pub capacity_bytes: Option<u64>,
}

/// Which format a file was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObservedFormat {
    Prometheus,
    Summary,
}

impl ObservedFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            ObservedFormat::Prometheus => "prometheus",
            ObservedFormat::Summary => "summary",
        }
    }
}

/// An observed series, in time order.
#[derive(Debug, Clone, PartialEq)]
pub struct Observed {
    pub format: ObservedFormat,
    /// What was read, for the report: the series' labels, or how many replies of which node.
    pub source: String,
    pub samples: Vec<ObservedSample>,
    /// Summary replies dropped for repeating an instant already read.
    pub duplicates: usize,
}

/// Reads an observed series from `file` (either format, told apart by its content).
/// `mountpoint` picks a Prometheus reply's series; it is not used for Summary replies.
pub fn read_observed(file: &Path, mountpoint: Option<&str>) -> Result<Observed, InputError> {
    let mut state = State::Unknown;
    for_each_value(file, &mut |chunk| {
        let v: Value = serde_json::from_slice(&chunk.text).map_err(|e| {
            let mut err = json_error(file, &chunk.path(), &e);
            err.line = Some(chunk.line + err.line.unwrap_or(1) - 1);
            err
        })?;
        let at = At::new(file, &v, chunk.path());
        let with_line = |mut e: InputError| {
            e.line.get_or_insert(chunk.line);
            e
        };
        if let State::Prometheus(_, first) = state {
            return Err(InputError::new(
                file,
                Some(chunk.line),
                None,
                format!(
                    "a second JSON value after the Prometheus reply of line {first}: give one query_range reply per file"
                ),
            ));
        }
        if matches!(state, State::Unknown) {
            if chunk.framing == Framing::Stream && is_prometheus(&v) {
                let o = read_prometheus(&at, mountpoint).map_err(with_line)?;
                state = State::Prometheus(o, chunk.line);
                return Ok(());
            }
            state = State::Summary(Replies::default());
        }
        if let State::Summary(r) = &mut state {
            r.add(&at).map_err(with_line)?;
        }
        Ok(())
    })?;
    match state {
        State::Unknown => Err(InputError::new(
            file,
            None,
            None,
            "no reply in the file (an empty array?): expected a Prometheus query_range reply or Summary API replies",
        )),
        State::Prometheus(o, _) => Ok(o),
        State::Summary(r) => Ok(r.finish()),
    }
}

enum State {
    Unknown,
    /// The reply and the line it starts on.
    Prometheus(Observed, usize),
    Summary(Replies),
}

/// A Prometheus reply has `status` and `data`; a Summary reply has `node`.
fn is_prometheus(v: &Value) -> bool {
    v.as_object().is_some_and(|m| {
        !m.contains_key("node") && (m.contains_key("status") || m.contains_key("data"))
    })
}

// ---------------------------------------------------------------------------------------------
// Framing: the top-level values of a file, one at a time.
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Framing {
    /// `[reply, reply, …]`: a reply's path is `[i]`.
    Array,
    /// `reply reply …` (JSON lines, or pretty-printed one after another): its path is the
    /// document's own.
    Stream,
}

struct Chunk {
    framing: Framing,
    index: usize,
    /// 1-based line where the value starts.
    line: usize,
    text: Vec<u8>,
}

impl Chunk {
    fn path(&self) -> String {
        match self.framing {
            Framing::Array => format!("[{}]", self.index),
            Framing::Stream => String::new(),
        }
    }
}

/// Hands each top-level value of `file` to `on_value`: the elements of a top-level array, or
/// the objects that follow one another. Only the framing is checked here (brackets balanced
/// outside strings, nothing but blanks or commas between values); each value is parsed by the
/// caller.
fn for_each_value(
    file: &Path,
    on_value: &mut dyn FnMut(Chunk) -> Result<(), InputError>,
) -> Result<(), InputError> {
    let f = File::open(file)
        .map_err(|e| InputError::new(file, None, None, format!("cannot read: {e}")))?;
    let mut r = BufReader::with_capacity(1 << 16, f);
    let err = |line: usize, msg: String| InputError::new(file, Some(line), None, msg);
    let io_err = |e: std::io::Error| InputError::new(file, None, None, format!("cannot read: {e}"));

    let mut framing: Option<Framing> = None;
    let mut line = 1usize;
    let mut index = 0usize;
    // The value being read: its bytes, start line, nesting depth (0: between values), and
    // whether the scanner is inside a string (and just after a backslash in it).
    let mut text: Vec<u8> = Vec::new();
    let mut start = 0usize;
    let mut depth = 0usize;
    let (mut in_string, mut escaped) = (false, false);
    // Array framing: the array is open, and a comma was seen since the last element.
    let mut array_open = false;
    let mut array_closed = false;
    let mut after_comma = false;
    let mut first_byte = true;
    loop {
        let buf = r.fill_buf().map_err(io_err)?;
        if buf.is_empty() {
            break;
        }
        let mut bytes = buf;
        if first_byte && bytes.starts_with(b"\xEF\xBB\xBF") {
            bytes = &bytes[3..];
        }
        first_byte = false;
        let n = buf.len();
        for &b in bytes {
            if depth > 0 {
                // Inside a value (an array element may also be a bare scalar, depth 1 here).
                text.push(b);
                if text.len() > MAX_REPLY_BYTES {
                    return Err(err(
                        start,
                        format!(
                            "a reply longer than {} MiB: not a Summary or Prometheus reply",
                            MAX_REPLY_BYTES >> 20
                        ),
                    ));
                }
                if b == b'\n' {
                    line += 1;
                }
                if in_string {
                    if escaped {
                        escaped = false;
                    } else if b == b'\\' {
                        escaped = true;
                    } else if b == b'"' {
                        in_string = false;
                    }
                    continue;
                }
                match b {
                    b'"' => in_string = true,
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            let chunk = Chunk {
                                framing: framing.expect("a framing once a value is open"),
                                index,
                                line: start,
                                text: std::mem::take(&mut text),
                            };
                            index += 1;
                            after_comma = false;
                            on_value(chunk)?;
                        }
                    }
                    _ => {}
                }
                continue;
            }
            if b == b'\n' {
                line += 1;
                continue;
            }
            if b.is_ascii_whitespace() {
                continue;
            }
            match framing {
                None => match b {
                    b'[' => {
                        framing = Some(Framing::Array);
                        array_open = true;
                    }
                    b'{' => {
                        framing = Some(Framing::Stream);
                        (text, start, depth) = (vec![b], line, 1);
                    }
                    _ => {
                        return Err(err(
                            line,
                            format!(
                                "starts with {}: expected JSON, a Prometheus query_range reply or Summary API replies (an array of them, or one per line)",
                                shown(b)
                            ),
                        ))
                    }
                },
                Some(Framing::Stream) => match b {
                    b'{' => (text, start, depth) = (vec![b], line, 1),
                    _ => {
                        return Err(err(
                            line,
                            format!(
                                "{} after reply {index}: expected the next reply (a JSON object) or the end of the file",
                                shown(b)
                            ),
                        ))
                    }
                },
                Some(Framing::Array) => {
                    if array_closed {
                        return Err(err(
                            line,
                            format!("{} after the array's closing ]", shown(b)),
                        ));
                    }
                    match b {
                        b']' if after_comma => {
                            return Err(err(
                                line,
                                format!("[{index}]: missing: a comma too many before the ]"),
                            ))
                        }
                        b']' => {
                            array_closed = true;
                            array_open = false;
                        }
                        b',' if index == 0 || after_comma => {
                            return Err(err(
                                line,
                                format!("[{index}]: missing: a comma with no element before it"),
                            ))
                        }
                        b',' => after_comma = true,
                        _ if index > 0 && !after_comma => {
                            return Err(err(
                                line,
                                format!(
                                    "{} after element [{}]: expected a comma or the closing ]",
                                    shown(b),
                                    index - 1
                                ),
                            ))
                        }
                        b'{' => (text, start, depth) = (vec![b], line, 1),
                        _ => {
                            return Err(err(
                                line,
                                format!(
                                    "[{index}]: expected a Summary API reply (a JSON object), found {}",
                                    shown(b)
                                ),
                            ))
                        }
                    }
                }
            }
        }
        r.consume(n);
    }
    if depth > 0 {
        return Err(err(
            line,
            format!("the file ends inside the reply that starts on line {start} (cut short?)"),
        ));
    }
    if array_open {
        return Err(err(
            line,
            "the file ends before the array's closing ] (cut short?)".to_string(),
        ));
    }
    if framing.is_none() {
        return Err(InputError::new(file, None, None, "the file is empty"));
    }
    Ok(())
}

/// A byte as an error shows it.
fn shown(b: u8) -> String {
    if b.is_ascii_graphic() {
        format!("'{}'", b as char)
    } else {
        format!("byte 0x{b:02x}")
    }
}

// ---------------------------------------------------------------------------------------------
// Summary API replies.
// ---------------------------------------------------------------------------------------------

#[derive(Default)]
struct Replies {
    samples: Vec<ObservedSample>,
    node: Option<String>,
    count: usize,
}

impl Replies {
    fn add(&mut self, at: &At) -> Result<(), InputError> {
        let s = read_reply(at)?;
        let imagefs = at.fields(&["node", "runtime", "imageFs"])?;
        let Some(fs) = &s.imagefs else {
            return Err(imagefs.err(
                "missing: validate compares the image filesystem (the kubelet's runtime.imageFs)",
            ));
        };
        let (cap, avail) = fs.cap_avail().expect("read_reply checks both are present");
        if cap == 0 {
            return Err(imagefs.field("capacityBytes")?.err("is 0"));
        }
        let Some(time) = fs.time.or(s.nodefs.time) else {
            return Err(imagefs
                .field("time")?
                .err("missing (and no node.fs.time): the reply's instant is needed"));
        };
        check_instant(time, &imagefs.field("time")?)?;
        if self.samples.len() == MAX_SAMPLES {
            return Err(at.err(format!(
                "more than {MAX_SAMPLES} replies: split the file, or poll less often"
            )));
        }
        if let Some(name) = &s.node_name {
            match &self.node {
                None => self.node = Some(name.clone()),
                Some(first) if first != name => {
                    return Err(at.fields(&["node", "nodeName"])?.err(format!(
                        "{name:?}: the replies are of different nodes ({first:?} first): give one node's replies"
                    )))
                }
                Some(_) => {}
            }
        }
        self.count += 1;
        self.samples.push(ObservedSample {
            time_ns: time,
            available_bytes: avail,
            capacity_bytes: Some(cap),
        });
        Ok(())
    }

    fn finish(mut self) -> Observed {
        // Stable: of replies at one instant the first in the file is kept.
        self.samples.sort_by_key(|s| s.time_ns);
        let before = self.samples.len();
        self.samples.dedup_by_key(|s| s.time_ns);
        Observed {
            format: ObservedFormat::Summary,
            source: format!(
                "{} Summary API replies{} (node.runtime.imageFs)",
                self.count,
                self.node
                    .as_deref()
                    .map(|n| format!(" of node {n}"))
                    .unwrap_or_default()
            ),
            duplicates: before - self.samples.len(),
            samples: self.samples,
        }
    }
}

/// An instant after the epoch (the RFC 3339 parser stops at 2262, where nanoseconds since
/// the epoch stop fitting an i64).
fn check_instant(ns: i64, at: &At) -> Result<(), InputError> {
    if ns < 0 {
        return Err(at.err("is before 1970-01-01T00:00:00Z"));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// A Prometheus query_range reply.
// ---------------------------------------------------------------------------------------------

/// What a series measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Measure {
    Available,
    Size,
}

struct Series {
    measure: Measure,
    labels: Vec<(String, String)>,
    /// (ns since the epoch, bytes), in the reply's order.
    points: Vec<(i64, u64)>,
    /// The path of the series' `values`, for errors found after the reading.
    path: String,
}

impl Series {
    fn label(&self, k: &str) -> Option<&str> {
        self.labels
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.as_str())
    }

    fn mountpoint(&self) -> &str {
        self.label("mountpoint").unwrap_or("")
    }

    /// `name{a="b",…}` as PromQL writes a series.
    fn show(&self) -> String {
        let name = self.label("__name__").unwrap_or("");
        let labels: Vec<String> = self
            .labels
            .iter()
            .filter(|(k, _)| k != "__name__")
            .map(|(k, v)| format!("{k}={v:?}"))
            .collect();
        format!("{name}{{{}}}", labels.join(","))
    }
}

fn read_prometheus(at: &At, mountpoint: Option<&str>) -> Result<Observed, InputError> {
    let status = at.field("status")?;
    match status.opt_str()? {
        Some("success") => {}
        Some("error") => {
            let kind = at.field("errorType")?.opt_str()?.unwrap_or("error");
            let why = at.field("error")?.opt_str()?.unwrap_or("");
            return Err(status.err(format!("\"error\": the query failed ({kind}: {why})")));
        }
        Some(other) => return Err(status.err(format!("{other:?}: expected \"success\""))),
        None => {
            return Err(status
                .err("missing: not a Prometheus API reply (expected \"status\": \"success\")"))
        }
    }
    let data = at.field("data")?;
    if data.is_null() {
        return Err(data.err("missing: a Prometheus reply holds its result in data"));
    }
    let rt = data.field("resultType")?;
    match rt.opt_str()? {
        Some("matrix") => {}
        Some("vector") => {
            return Err(rt.err("\"vector\": the reply of an instant query (api/v1/query); validate needs a range of samples: api/v1/query_range?query=…&start=…&end=…&step=60"))
        }
        Some(other) => {
            return Err(rt.err(format!(
                "{other:?}: expected \"matrix\" (the reply of api/v1/query_range)"
            )))
        }
        None => return Err(rt.err("missing: expected \"matrix\" (the reply of api/v1/query_range)")),
    }
    let result = data.field("result")?;
    if result.is_null() {
        return Err(result.err("missing: expected the list of series"));
    }
    let mut series: Vec<Series> = Vec::new();
    let mut total = 0usize;
    for s in result.opt_array()? {
        let metric = s.field("metric")?;
        let mut labels = Vec::new();
        for (k, v) in metric.opt_entries()? {
            labels.push((k.to_string(), v.str()?.to_string()));
        }
        let name = labels
            .iter()
            .find(|(k, _)| k == "__name__")
            .map(|(_, v)| v.as_str());
        let measure = match name {
            None | Some(AVAIL_METRIC) => Measure::Available,
            Some(SIZE_METRIC) => Measure::Size,
            Some(other) => {
                return Err(metric.field("__name__")?.err(format!(
                    "{other:?}: validate takes {AVAIL_METRIC} (statfs f_bavail, what the kubelet reads), with {SIZE_METRIC} if wanted"
                )))
            }
        };
        let values = s.field("values")?;
        if values.is_null() {
            let why = if s.field("histograms")?.is_null() {
                "missing: a series of a query_range reply lists its samples in values"
            } else {
                "missing (the series has histograms): expected a gauge of bytes"
            };
            return Err(values.err(why));
        }
        let mut points = Vec::new();
        for p in values.opt_array()? {
            let pair = p.opt_array()?;
            if pair.len() != 2 {
                return Err(p.err(format!(
                    "expected [unix seconds, \"value\"], found an array of {}",
                    pair.len()
                )));
            }
            total += 1;
            if total > MAX_SAMPLES {
                return Err(p.err(format!(
                    "more than {MAX_SAMPLES} samples: query a shorter range or a longer step"
                )));
            }
            points.push((timestamp(&pair[0])?, bytes(&pair[1])?));
        }
        series.push(Series {
            measure,
            labels,
            points,
            path: values.path.clone(),
        });
    }
    if series.is_empty() {
        return Err(result.err(
            "is empty: the query matched no series (check the metric name and the mountpoint label)",
        ));
    }

    // The image filesystem's series.
    let mut mounts: Vec<&str> = series.iter().map(Series::mountpoint).collect();
    mounts.sort_unstable();
    mounts.dedup();
    let list = |m: &[&str]| -> String {
        m.iter()
            .map(|s| {
                if s.is_empty() {
                    "(no mountpoint label)".to_string()
                } else {
                    s.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let chosen: &str = match mountpoint {
        Some(m) if mounts.contains(&m) => m,
        Some(m) => {
            return Err(result.err(format!(
                "no series has mountpoint {m:?} (--mountpoint); the reply has: {}",
                list(&mounts)
            )))
        }
        None if mounts.len() == 1 => mounts[0],
        None => {
            return Err(result.err(format!(
                "series of {} mountpoints ({}): name the image filesystem's with --mountpoint",
                mounts.len(),
                list(&mounts)
            )))
        }
    };
    let chosen = chosen.to_string();
    let pick = |m: Measure| -> Result<Option<&Series>, InputError> {
        let of: Vec<&Series> = series
            .iter()
            .filter(|s| s.measure == m && s.mountpoint() == chosen)
            .collect();
        match of.as_slice() {
            [] => Ok(None),
            [one] => Ok(Some(*one)),
            many => Err(result.err(format!(
                "{} {} series for mountpoint {:?}: {}; query one node's (e.g. add instance=\"…\" to the selector)",
                many.len(),
                match m {
                    Measure::Available => AVAIL_METRIC,
                    Measure::Size => SIZE_METRIC,
                },
                chosen,
                many.iter().map(|s| s.show()).collect::<Vec<_>>().join(", ")
            ))),
        }
    };
    let Some(avail) = pick(Measure::Available)? else {
        return Err(result.err(format!(
            "no {AVAIL_METRIC} series{}: the available bytes are what validate compares",
            if chosen.is_empty() {
                String::new()
            } else {
                format!(" for mountpoint {chosen:?}")
            }
        )));
    };
    let size = pick(Measure::Size)?;

    let mut size_points: Vec<(i64, u64)> = size.map(|s| s.points.clone()).unwrap_or_default();
    size_points.sort_by_key(|p| p.0);
    let mut samples = Vec::with_capacity(avail.points.len());
    for (j, &(t, a)) in avail.points.iter().enumerate() {
        let cap = match size_points.partition_point(|p| p.0 <= t) {
            0 => size_points.first().map(|p| p.1),
            i => Some(size_points[i - 1].1),
        };
        if let Some(c) = cap {
            let why = if c == 0 {
                Some(format!("the {SIZE_METRIC} at this instant is 0"))
            } else if a > c {
                Some(format!(
                    "{a} is more than the {SIZE_METRIC} at this instant ({c}): not a filesystem reading"
                ))
            } else {
                None
            };
            if let Some(why) = why {
                let field = format!("{}[{j}][1]", avail.path);
                return Err(InputError::new(at.file(), None, Some(&field), why));
            }
        }
        samples.push(ObservedSample {
            time_ns: t,
            available_bytes: a,
            capacity_bytes: cap,
        });
    }
    samples.sort_by_key(|s| s.time_ns);
    let mut source = format!("Prometheus query_range: {}", avail.show());
    if let Some(s) = size {
        source.push_str(&format!(" with {}", s.show()));
    }
    Ok(Observed {
        format: ObservedFormat::Prometheus,
        source,
        samples,
        duplicates: 0,
    })
}

/// A sample's Unix time in seconds (a JSON number), to the millisecond, as nanoseconds.
fn timestamp(at: &At) -> Result<i64, InputError> {
    let secs = match at.v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok(),
        _ => None,
    };
    // Nanoseconds since the epoch fit an i64 until 2262-04-11T23:47:16Z.
    const LAST: f64 = (i64::MAX / 1_000_000_000 - 1) as f64;
    match secs {
        Some(s) if s.is_finite() && (0.0..=LAST).contains(&s) => {
            Ok((s * 1000.0).round() as i64 * 1_000_000)
        }
        Some(s) => Err(at.err(format!(
            "{s} is not a Unix time in seconds from 1970 to 2262"
        ))),
        None => Err(at.err(format!(
            "expected a Unix time in seconds (a number), found {}",
            describe(at.v)
        ))),
    }
}

/// A sample's value: whole bytes, as a decimal string (Prometheus') or a number.
fn bytes(at: &At) -> Result<u64, InputError> {
    let text = match at.v {
        Value::String(s) => s.trim().to_string(),
        Value::Number(n) => n.to_string(),
        _ => {
            return Err(at.err(format!(
                "expected a number of bytes (a decimal string), found {}",
                describe(at.v)
            )))
        }
    };
    if let Ok(b) = text.parse::<u64>() {
        if b <= i64::MAX as u64 {
            return Ok(b);
        }
    }
    match text.parse::<f64>() {
        Ok(f) if f.is_finite() && (0.0..=i64::MAX as f64).contains(&f) => Ok(f.round() as u64),
        Ok(f) if f.is_finite() && f < 0.0 => Err(at.err(format!("{text:?} is negative"))),
        Ok(_) if !text.to_ascii_lowercase().contains("nan") => {
            Err(at.err(format!("{text:?} is more than a filesystem can be (8 EiB)")))
        }
        _ => Err(at.err(format!("{text:?} is not a number of bytes"))),
    }
}

fn describe(v: &Value) -> String {
    match v {
        Value::Null => "nothing (missing or null)".into(),
        Value::Bool(b) => format!("{b}"),
        Value::Number(n) => format!("the number {n}"),
        Value::String(s) => format!("{s:?}"),
        Value::Array(_) => "an array".into(),
        Value::Object(_) => "an object".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<Observed, String> {
        read_with(text, None)
    }

    fn read_with(text: &str, mount: Option<&str>) -> Result<Observed, String> {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("obs.json");
        std::fs::write(&p, text).unwrap();
        read_observed(&p, mount).map_err(|e| {
            e.to_string()
                .replace(&dir.path().display().to_string(), "")
                .trim_start_matches('/')
                .to_string()
        })
    }

    fn summary(time: &str, cap: u64, avail: u64) -> String {
        format!(
            r#"{{"node":{{"nodeName":"n1","fs":{{"time":"{time}","capacityBytes":{cap},"availableBytes":{avail}}},"runtime":{{"imageFs":{{"time":"{time}","capacityBytes":{cap},"availableBytes":{avail}}}}}}},"pods":[{{"podRef":{{"name":"p"}}}}]}}"#
        )
    }

    /// Values are strings of bytes; times are seconds with milliseconds: 1710744449.123 s is
    /// 1710744449123 ms = 1710744449123000000 ns (rounded to the millisecond, so the f64's
    /// 1710744449.12299990654 does not show).
    #[test]
    fn prometheus_matrix_with_size() {
        let o = read(
            r#"{"status":"success","data":{"resultType":"matrix","result":[
            {"metric":{"__name__":"node_filesystem_size_bytes","mountpoint":"/var/lib/containerd"},"values":[[1710744449.123,"1000"]]},
            {"metric":{"__name__":"node_filesystem_avail_bytes","mountpoint":"/var/lib/containerd"},"values":[[1710744449.123,"600"],[1710744509.123,"500"]]}]}}"#,
        )
        .unwrap();
        assert_eq!(o.format, ObservedFormat::Prometheus);
        assert_eq!(
            o.samples,
            vec![
                ObservedSample {
                    time_ns: 1_710_744_449_123_000_000,
                    available_bytes: 600,
                    capacity_bytes: Some(1000)
                },
                ObservedSample {
                    time_ns: 1_710_744_509_123_000_000,
                    available_bytes: 500,
                    capacity_bytes: Some(1000)
                },
            ]
        );
        assert!(o.source.contains("with node_filesystem_size_bytes"));
    }

    #[test]
    fn mountpoints_are_chosen_or_listed() {
        let text = r#"{"status":"success","data":{"resultType":"matrix","result":[
            {"metric":{"__name__":"node_filesystem_avail_bytes","mountpoint":"/"},"values":[[1,"5"]]},
            {"metric":{"__name__":"node_filesystem_avail_bytes","mountpoint":"/var/lib/containerd"},"values":[[1,"7"]]}]}}"#;
        let e = read(text).unwrap_err();
        assert_eq!(
            e,
            "obs.json:1: data.result: series of 2 mountpoints (/, /var/lib/containerd): name the image filesystem's with --mountpoint"
        );
        let o = read_with(text, Some("/var/lib/containerd")).unwrap();
        assert_eq!(o.samples[0].available_bytes, 7);
        assert_eq!(o.samples[0].capacity_bytes, None);
        let e = read_with(text, Some("/data")).unwrap_err();
        assert!(e.contains("no series has mountpoint \"/data\""), "{e}");
    }

    #[test]
    fn prometheus_errors_name_the_path() {
        let bad = |v: &str| {
            read(&format!(
                r#"{{"status":"success","data":{{"resultType":"matrix","result":[{{"metric":{{}},"values":[[1,"5"],[2,"6"],[3,"7"],[4,{v}]]}}]}}}}"#
            ))
            .unwrap_err()
        };
        assert_eq!(
            bad("\"12a\""),
            "obs.json:1: data.result[0].values[3][1]: \"12a\" is not a number of bytes"
        );
        assert!(bad("\"NaN\"").contains("\"NaN\" is not a number of bytes"));
        assert!(bad("\"-5\"").contains("is negative"));
        assert!(bad("null").contains("values[3][1]: expected a number of bytes"));
        let e =
            read(r#"{"status":"success","data":{"resultType":"vector","result":[]}}"#).unwrap_err();
        assert!(e.contains("data.resultType: \"vector\": the reply of an instant query"));
        let e =
            read(r#"{"status":"error","errorType":"bad_data","error":"parse error"}"#).unwrap_err();
        assert!(e.contains("status: \"error\": the query failed (bad_data: parse error)"));
    }

    /// Three replies, the third repeating the first's instant: JSON lines, an array and
    /// pretty-printed replies one after another all read the same.
    #[test]
    fn summary_series_in_every_framing() {
        let r = [
            summary("2026-03-18T06:47:29Z", 1000, 900),
            summary("2026-03-18T06:48:29Z", 1000, 800),
            summary("2026-03-18T06:47:29Z", 1000, 100),
        ];
        let lines = r.join("\n");
        let array = format!("[\n{}\n]", r.join(",\n"));
        let pretty: Vec<String> = r
            .iter()
            .map(|s| {
                serde_json::to_string_pretty(&serde_json::from_str::<Value>(s).unwrap()).unwrap()
            })
            .collect();
        for text in [lines, array, pretty.join("\n")] {
            let o = read(&text).unwrap();
            assert_eq!(o.format, ObservedFormat::Summary);
            assert_eq!(o.duplicates, 1);
            let got: Vec<(i64, u64)> = o
                .samples
                .iter()
                .map(|s| (s.time_ns / 1_000_000_000, s.available_bytes))
                .collect();
            // 06:47:29 is 1773816449 (wallclock.rs's hand computation).
            assert_eq!(got, vec![(1_773_816_449, 900), (1_773_816_509, 800)]);
            assert!(o.source.starts_with("3 Summary API replies of node n1"));
        }
    }

    #[test]
    fn summary_errors_name_line_and_path() {
        let text = format!(
            "{}\n{}\n",
            summary("2026-03-18T06:47:29Z", 1000, 900),
            summary("2026-03-18T06:48:29Z", 1000, 800)
                .replace("\"availableBytes\":800}}", "\"availableBytes\":\"x\"}}")
        );
        let e = read(&text).unwrap_err();
        assert_eq!(
            e,
            "obs.json:2: node.runtime.imageFs.availableBytes: expected an unsigned integer, found a string"
        );
        let text = format!(
            "[{},\n{}]",
            summary("2026-03-18T06:47:29Z", 1000, 900),
            "{\"node\": 3}"
        );
        let e = read(&text).unwrap_err();
        assert!(
            e.starts_with("obs.json:2: [1].node: expected an object"),
            "{e}"
        );
        assert!(read("[1, 2]")
            .unwrap_err()
            .contains("[0]: expected a Summary API reply"));
        let trailing = format!("[{},]", summary("2026-03-18T06:47:29Z", 1000, 900));
        assert!(read(&trailing).unwrap_err().contains("a comma too many"));
        assert!(read("{\"node\":").unwrap_err().contains("cut short"));
        assert!(read("[").unwrap_err().contains("closing ]"));
        assert!(read("not json").unwrap_err().contains("starts with 'n'"));
        assert!(read("").unwrap_err().contains("empty"));
        assert!(read("[]").unwrap_err().contains("no reply"));
        // A brace inside a string does not end the reply.
        let o = read(&summary("2026-03-18T06:47:29Z", 1000, 900).replace("\"n1\"", "\"n}{1\\\"\""));
        assert!(o.is_ok(), "{o:?}");
    }
}
