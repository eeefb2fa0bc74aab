//! Reading helpers shared by the format parsers.
//!
//! - A document is JSON or YAML (told apart by its first non-blank character: `{` or `[` is
//!   JSON) and is read into `serde_json::Value`s.
//! - [`At`] is a value together with its JSON path, so that every type error names the file
//!   and the exact place: `events.json: items[3].involvedObject.name: expected a string, found
//!   a number`.
//! - [`read_document`] streams a JSON document's big top-level arrays (`items`, `pods`,
//!   `images`) one element at a time, so memory holds one element, not the whole list.
//! - RFC 3339 timestamps to and from nanoseconds since the epoch.

use std::cell::RefCell;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde::Deserializer as _;
use serde_json::{Map, Value};

use crate::error::InputError;

static NULL: Value = Value::Null;

/// A value inside a document, with its path for error messages.
#[derive(Debug, Clone)]
pub struct At<'a> {
    pub v: &'a Value,
    pub path: String,
    file: &'a Path,
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// `a.b`, or `a["b.c"]` for keys that would read ambiguously (eviction signals have dots).
fn join_key(path: &str, k: &str) -> String {
    let plain = !k.is_empty()
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if !plain {
        format!("{path}[{k:?}]")
    } else if path.is_empty() {
        k.to_string()
    } else {
        format!("{path}.{k}")
    }
}

impl<'a> At<'a> {
    pub fn new(file: &'a Path, v: &'a Value, path: impl Into<String>) -> Self {
        At {
            v,
            path: path.into(),
            file,
        }
    }

    pub fn file(&self) -> &'a Path {
        self.file
    }

    /// An error about this value.
    pub fn err(&self, msg: impl Into<String>) -> InputError {
        let field = if self.path.is_empty() {
            "(top level)"
        } else {
            &self.path
        };
        InputError::new(self.file, None, Some(field), msg)
    }

    fn expected(&self, what: &str) -> InputError {
        if self.v.is_null() {
            self.err(format!("expected {what}, found nothing (missing or null)"))
        } else {
            self.err(format!("expected {what}, found {}", type_name(self.v)))
        }
    }

    pub fn is_null(&self) -> bool {
        self.v.is_null()
    }

    /// The member `k` of this object (null when absent). Errors if this is neither an object
    /// nor null.
    pub fn field(&self, k: &str) -> Result<At<'a>, InputError> {
        match self.v {
            Value::Object(m) => Ok(At {
                v: m.get(k).unwrap_or(&NULL),
                path: join_key(&self.path, k),
                file: self.file,
            }),
            Value::Null => Ok(At {
                v: &NULL,
                path: join_key(&self.path, k),
                file: self.file,
            }),
            _ => Err(self.expected("an object")),
        }
    }

    /// Like [`At::field`] through several keys.
    pub fn fields(&self, keys: &[&str]) -> Result<At<'a>, InputError> {
        let mut at = self.clone();
        for k in keys {
            at = at.field(k)?;
        }
        Ok(at)
    }

    pub fn str(&self) -> Result<&'a str, InputError> {
        self.v.as_str().ok_or_else(|| self.expected("a string"))
    }

    pub fn opt_str(&self) -> Result<Option<&'a str>, InputError> {
        match self.v {
            Value::Null => Ok(None),
            Value::String(s) => Ok(Some(s)),
            _ => Err(self.expected("a string")),
        }
    }

    /// A JSON number that is a whole number in 0..=2^64-1 (read as u64, never through f64).
    pub fn opt_u64(&self) -> Result<Option<u64>, InputError> {
        match self.v {
            Value::Null => Ok(None),
            Value::Number(n) => n
                .as_u64()
                .map(Some)
                .ok_or_else(|| self.err(format!("expected an unsigned 64-bit integer, found {n}"))),
            _ => Err(self.expected("an unsigned integer")),
        }
    }

    /// A u64 written as a number or, as protojson writes 64-bit integers, a decimal string.
    pub fn opt_u64_lenient(&self) -> Result<Option<u64>, InputError> {
        match self.v {
            Value::String(s) => s.trim().parse::<u64>().map(Some).map_err(|_| {
                self.err(format!(
                    "expected an unsigned integer (as a number or a decimal string), found {s:?}"
                ))
            }),
            _ => self.opt_u64(),
        }
    }

    pub fn opt_i64(&self) -> Result<Option<i64>, InputError> {
        match self.v {
            Value::Null => Ok(None),
            Value::Number(n) => n
                .as_i64()
                .map(Some)
                .ok_or_else(|| self.err(format!("expected an integer, found {n}"))),
            _ => Err(self.expected("an integer")),
        }
    }

    pub fn opt_bool(&self) -> Result<Option<bool>, InputError> {
        match self.v {
            Value::Null => Ok(None),
            Value::Bool(b) => Ok(Some(*b)),
            _ => Err(self.expected("true or false")),
        }
    }

    /// The elements of an array (none when null).
    pub fn opt_array(&self) -> Result<Vec<At<'a>>, InputError> {
        match self.v {
            Value::Null => Ok(Vec::new()),
            Value::Array(a) => Ok(a
                .iter()
                .enumerate()
                .map(|(i, v)| At {
                    v,
                    path: format!("{}[{i}]", self.path),
                    file: self.file,
                })
                .collect()),
            _ => Err(self.expected("an array")),
        }
    }

    /// The members of an object (none when null), in document order.
    pub fn opt_entries(&self) -> Result<Vec<(&'a str, At<'a>)>, InputError> {
        match self.v {
            Value::Null => Ok(Vec::new()),
            Value::Object(m) => Ok(m
                .iter()
                .map(|(k, v)| {
                    (
                        k.as_str(),
                        At {
                            v,
                            path: join_key(&self.path, k),
                            file: self.file,
                        },
                    )
                })
                .collect()),
            _ => Err(self.expected("an object")),
        }
    }

    /// An array of strings (none when null).
    pub fn opt_strings(&self) -> Result<Vec<String>, InputError> {
        self.opt_array()?
            .iter()
            .map(|a| a.str().map(str::to_string))
            .collect()
    }

    /// An RFC 3339 timestamp, in nanoseconds since the epoch.
    pub fn opt_time(&self) -> Result<Option<i64>, InputError> {
        match self.opt_str()? {
            None | Some("") => Ok(None),
            Some(s) => parse_rfc3339(s)
                .map(Some)
                .ok_or_else(|| self.err(format!("{s:?} is not an RFC 3339 time"))),
        }
    }
}

/// Document syntax.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    Json,
    Yaml,
}

/// JSON if the first non-blank character opens an object or array, YAML otherwise.
pub fn sniff(text: &str) -> Syntax {
    match text
        .trim_start_matches('\u{feff}')
        .trim_start()
        .as_bytes()
        .first()
    {
        Some(b'{') | Some(b'[') => Syntax::Json,
        _ => Syntax::Yaml,
    }
}

/// "... at line 3 column 7" → "...": the line goes into the error's own field.
fn strip_position(msg: &str) -> String {
    crate::error::plain_message(match msg.rfind(" at line ") {
        Some(i) => &msg[..i],
        None => msg,
    })
}

pub fn json_error(file: &Path, path: &str, e: &serde_json::Error) -> InputError {
    let line = if e.line() > 0 { Some(e.line()) } else { None };
    let field = if path.is_empty() { None } else { Some(path) };
    InputError::new(file, line, field, strip_position(&e.to_string()))
}

pub fn yaml_error(file: &Path, e: &serde_yaml::Error) -> InputError {
    let line = e.location().map(|l| l.line());
    InputError::new(file, line, None, strip_position(&e.to_string()))
}

/// Parses a whole document held in memory (JSON, or YAML with one or more `---` documents).
pub fn parse_documents(file: &Path, text: &str) -> Result<Vec<Value>, InputError> {
    let text = text.trim_start_matches('\u{feff}');
    match sniff(text) {
        Syntax::Json => serde_json::from_str(text)
            .map(|v| vec![v])
            .map_err(|e| json_error(file, "", &e)),
        Syntax::Yaml => {
            let mut out = Vec::new();
            for doc in serde_yaml::Deserializer::from_str(text) {
                let v = <Value as serde::Deserialize>::deserialize(doc)
                    .map_err(|e| yaml_error(file, &e))?;
                if !v.is_null() {
                    out.push(v);
                }
            }
            Ok(out)
        }
    }
}

/// Called with (array key, index, element) for each element of a streamed array.
pub type ItemFn<'f> = dyn FnMut(&str, usize, Value) -> Result<(), InputError> + 'f;

/// Reads a document whose top level is an object. The arrays under the keys in `stream` are
/// handed to `on_item` one element at a time (JSON is parsed incrementally from the file);
/// every other top-level member is returned.
pub fn read_document(
    file: &Path,
    stream: &[&str],
    on_item: &mut ItemFn<'_>,
) -> Result<Map<String, Value>, InputError> {
    read_document_as::<Value>(file, stream, on_item)
}

/// Like [`read_document`], but each streamed element is deserialized straight into `T` (from
/// the file, never through a whole `Value`). `T` should accept any JSON value (and report odd
/// shapes itself), since a deserialization error of an element ends the read.
pub fn read_document_as<T: serde::de::DeserializeOwned>(
    file: &Path,
    stream: &[&str],
    on_item: &mut dyn FnMut(&str, usize, T) -> Result<(), InputError>,
) -> Result<Map<String, Value>, InputError> {
    let f = File::open(file)
        .map_err(|e| InputError::new(file, None, None, format!("cannot read: {e}")))?;
    let mut reader = BufReader::with_capacity(1 << 16, f);
    let io_err = |e: std::io::Error| InputError::new(file, None, None, format!("cannot read: {e}"));
    // A UTF-8 byte-order mark is not part of the document (JSON or YAML).
    if reader
        .fill_buf()
        .map_err(io_err)?
        .starts_with(b"\xEF\xBB\xBF")
    {
        reader.consume(3);
    }
    // Look at the first non-blank byte without consuming anything YAML might need.
    let first = loop {
        let buf = reader.fill_buf().map_err(io_err)?;
        if buf.is_empty() {
            return Err(InputError::new(file, None, None, "the file is empty"));
        }
        match buf.iter().position(|b| !b.is_ascii_whitespace()) {
            Some(i) => break buf[i],
            None => {
                let n = buf.len();
                reader.consume(n);
            }
        }
    };
    if first == b'{' || first == b'[' {
        read_json_streaming(file, reader, stream, on_item)
    } else {
        let mut text = String::new();
        reader
            .read_to_string(&mut text)
            .map_err(|e| InputError::new(file, None, None, format!("cannot read: {e}")))?;
        let text = text.trim_start_matches('\u{feff}');
        let v: Value = serde_yaml::from_str(text).map_err(|e| yaml_error(file, &e))?;
        let Value::Object(mut m) = v else {
            return Err(At::new(file, &v, "").expected("an object"));
        };
        for key in stream {
            match m.remove(*key) {
                None | Some(Value::Null) => {}
                Some(Value::Array(items)) => {
                    for (i, item) in items.into_iter().enumerate() {
                        let item = T::deserialize(item).map_err(|e| {
                            json_error(file, &format!("{}[{i}]", join_key("", key)), &e)
                        })?;
                        on_item(key, i, item)?;
                    }
                }
                Some(other) => {
                    return Err(At::new(file, &other, *key).expected("an array"));
                }
            }
        }
        Ok(m)
    }
}

struct StreamState {
    /// Where the parser is, for syntax errors.
    at: RefCell<String>,
    /// The index of the element being read under `at`, if any.
    item: std::cell::Cell<Option<usize>>,
    /// An error from `on_item`, carried out through serde's error type.
    failure: RefCell<Option<InputError>>,
}

type TypedFn<'f, T> = dyn FnMut(&str, usize, T) -> Result<(), InputError> + 'f;

struct Top<'s, 'f, T> {
    stream: &'s [&'s str],
    state: &'s StreamState,
    on_item: &'s mut TypedFn<'f, T>,
}

impl<'de, T: serde::de::DeserializeOwned> Visitor<'de> for Top<'_, '_, T> {
    type Value = Map<String, Value>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an object at the top level")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Self::Value, A::Error> {
        let mut out = Map::new();
        let top = self;
        while let Some(k) = m.next_key::<String>()? {
            *top.state.at.borrow_mut() = join_key("", &k);
            if let Some(key) = top.stream.iter().find(|s| **s == k) {
                m.next_value_seed(Items {
                    key,
                    state: top.state,
                    on_item: &mut *top.on_item,
                })?;
            } else {
                let v: Value = m.next_value()?;
                out.insert(k, v);
            }
        }
        top.state.at.borrow_mut().clear();
        Ok(out)
    }
}

struct Items<'s, 'f, T> {
    key: &'s str,
    state: &'s StreamState,
    on_item: &'s mut TypedFn<'f, T>,
}

impl<'de, T: serde::de::DeserializeOwned> DeserializeSeed<'de> for Items<'_, '_, T> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de, T: serde::de::DeserializeOwned> Visitor<'de> for Items<'_, '_, T> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an array")
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<(), A::Error> {
        let mut i = 0usize;
        *self.state.at.borrow_mut() = join_key("", self.key);
        loop {
            self.state.item.set(Some(i));
            match s.next_element::<T>()? {
                None => break,
                Some(v) => {
                    if let Err(e) = (self.on_item)(self.key, i, v) {
                        *self.state.failure.borrow_mut() = Some(e);
                        return Err(de::Error::custom("stopped"));
                    }
                }
            }
            i += 1;
        }
        self.state.item.set(None);
        Ok(())
    }
}

fn read_json_streaming<R: Read, T: serde::de::DeserializeOwned>(
    file: &Path,
    reader: R,
    stream: &[&str],
    on_item: &mut TypedFn<'_, T>,
) -> Result<Map<String, Value>, InputError> {
    let state = StreamState {
        at: RefCell::new(String::new()),
        item: std::cell::Cell::new(None),
        failure: RefCell::new(None),
    };
    let mut de = serde_json::Deserializer::from_reader(reader);
    let result = (&mut de)
        .deserialize_map(Top {
            stream,
            state: &state,
            on_item,
        })
        .and_then(|m| de.end().map(|()| m));
    match result {
        Ok(m) => Ok(m),
        Err(e) => {
            if let Some(f) = state.failure.borrow_mut().take() {
                return Err(f);
            }
            let at = match state.item.get() {
                Some(i) => format!("{}[{i}]", state.at.borrow()),
                None => state.at.borrow().clone(),
            };
            Err(json_error(file, &at, &e))
        }
    }
}

// ---------------------------------------------------------------------------
// RFC 3339 times
// ---------------------------------------------------------------------------

use crate::wallclock::{civil_from_days, days_from_civil};

/// `2026-03-17T08:45:30Z`, `…30.742811Z`, `…30+05:30` → nanoseconds since the epoch.
pub fn parse_rfc3339(s: &str) -> Option<i64> {
    let b = s.trim().as_bytes();
    if b.len() < 20 {
        return None;
    }
    // Digits only (no sign), read directly: this runs twice per event of a big events file.
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let part = b.get(r)?;
        if part.is_empty() || !part.iter().all(|c| c.is_ascii_digit()) {
            return None;
        }
        Some(part.iter().fold(0i64, |n, c| n * 10 + i64::from(c - b'0')))
    };
    if b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    if b[13] != b':' || b[16] != b':' {
        return None;
    }
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || sec > 60 {
        return None;
    }
    let mut i = 19;
    let mut frac_ns: i64 = 0;
    if b[i] == b'.' {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == start {
            return None;
        }
        let digits = &s.trim()[start..i];
        let mut scaled = String::from(&digits[..digits.len().min(9)]);
        while scaled.len() < 9 {
            scaled.push('0');
        }
        frac_ns = scaled.parse().ok()?;
    }
    let offset_s: i64 = match b.get(i)? {
        b'Z' | b'z' if i + 1 == b.len() => 0,
        c @ (b'+' | b'-') if i + 6 == b.len() && b[i + 3] == b':' => {
            let oh = num(i + 1..i + 3)?;
            let om = num(i + 4..i + 6)?;
            let o = oh * 3600 + om * 60;
            if *c == b'-' {
                -o
            } else {
                o
            }
        }
        _ => return None,
    };
    let days = days_from_civil(y, mo as u32, d as u32);
    let secs = days * 86_400 + h * 3600 + mi * 60 + sec - offset_s;
    secs.checked_mul(1_000_000_000)?.checked_add(frac_ns)
}

/// Nanoseconds since the epoch → `2026-03-17T08:45:30Z` (with milliseconds when not whole).
pub fn format_rfc3339(ns: i64) -> String {
    let secs = ns.div_euclid(1_000_000_000);
    let sub = ns.rem_euclid(1_000_000_000);
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    let rem = secs.rem_euclid(86_400);
    let (h, mi, s) = (rem / 3600, rem % 3600 / 60, rem % 60);
    if sub == 0 {
        format!("{y:04}-{m:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
    } else {
        format!(
            "{y:04}-{m:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{:03}Z",
            sub / 1_000_000
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_round_trip() {
        let t = parse_rfc3339("2026-03-17T08:45:30Z").unwrap();
        assert_eq!(t, 1_773_737_130 * 1_000_000_000);
        assert_eq!(format_rfc3339(t), "2026-03-17T08:45:30Z");
        assert_eq!(
            parse_rfc3339("2026-03-17T08:45:30.742811Z").unwrap(),
            t + 742_811_000
        );
        assert_eq!(parse_rfc3339("2026-03-17T14:15:30+05:30").unwrap(), t);
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(
            parse_rfc3339("2020-02-29T00:00:00Z").map(|t| t / 1_000_000_000),
            Some(1_582_934_400)
        );
        assert_eq!(parse_rfc3339("2026-03-17 08:45"), None);
        assert_eq!(parse_rfc3339("yesterday"), None);
    }

    #[test]
    fn paths_quote_dotted_keys() {
        assert_eq!(
            join_key("evictionHard", "nodefs.available"),
            "evictionHard[\"nodefs.available\"]"
        );
        assert_eq!(
            join_key("pods[0]", "ephemeral-storage"),
            "pods[0].ephemeral-storage"
        );
        assert_eq!(join_key("", "items"), "items");
    }
}

// ---------------------------------------------------------------------------
// Fast path for big JSON lists
// ---------------------------------------------------------------------------

/// A growing window over a file: bytes are read in big chunks and dropped once consumed.
///
/// The window is checked to be UTF-8 once, as it is read, so that items are parsed from a
/// `&str` (serde_json then does not check every string again; that was a tenth of the
/// import). A file that is not UTF-8 is an `InvalidData` error: the caller's general reader
/// takes it from there.
struct Window<R> {
    r: R,
    buf: String,
    /// Bytes read after the last whole character of `buf`.
    partial: Vec<u8>,
    /// Start of the unconsumed bytes.
    pos: usize,
    eof: bool,
}

impl<R: Read> Window<R> {
    fn new(r: R) -> Self {
        Window {
            r,
            buf: String::new(),
            partial: Vec::new(),
            pos: 0,
            eof: false,
        }
    }

    /// Makes sure `buf[pos + n]` exists if the file has it; false at the end of the file.
    fn have(&mut self, n: usize) -> std::io::Result<bool> {
        let not_utf8 = || std::io::Error::new(std::io::ErrorKind::InvalidData, "not UTF-8");
        while self.pos + n >= self.buf.len() {
            if self.eof {
                return Ok(false);
            }
            if self.pos > (1 << 20) {
                self.buf.drain(..self.pos);
                self.pos = 0;
            }
            // Read into the buffer's own bytes (no copy), then check the whole buffer: little
            // more than the new chunk, since what was consumed has been dropped.
            let mut v = std::mem::take(&mut self.buf).into_bytes();
            v.append(&mut self.partial);
            let old = v.len();
            v.resize(old + (1 << 20), 0);
            let got = self.r.read(&mut v[old..])?;
            v.truncate(old + got);
            if got == 0 {
                self.eof = true;
            }
            self.buf = match String::from_utf8(v) {
                Ok(s) => s,
                // The chunk ends inside a character: keep its first bytes for the next one.
                Err(e) if e.utf8_error().error_len().is_none() && !self.eof => {
                    let whole = e.utf8_error().valid_up_to();
                    let mut v = e.into_bytes();
                    self.partial = v.split_off(whole);
                    String::from_utf8(v).map_err(|_| not_utf8())?
                }
                Err(_) => return Err(not_utf8()),
            };
        }
        Ok(true)
    }

    fn skip_ws(&mut self) -> std::io::Result<Option<u8>> {
        loop {
            if !self.have(0)? {
                return Ok(None);
            }
            let b = self.buf.as_bytes()[self.pos];
            if matches!(b, b' ' | b'\n' | b'\r' | b'\t') {
                self.pos += 1;
            } else {
                return Ok(Some(b));
            }
        }
    }

    /// The length of the JSON value starting at `pos` (a structural scan, not a validation:
    /// the value is parsed afterwards). `None` if the file ends first.
    fn value_len(&mut self) -> std::io::Result<Option<usize>> {
        let mut i = 0usize;
        let mut depth = 0usize;
        let mut in_str = false;
        loop {
            if !self.have(i)? {
                // A scalar may end the file; anything open may not.
                return Ok((depth == 0 && !in_str && i > 0).then_some(i));
            }
            // Scan what is buffered without re-checking `have` for every byte.
            let end = self.buf.len() - self.pos;
            let bytes = &self.buf.as_bytes()[self.pos..];
            while i < end {
                let b = bytes[i];
                if in_str {
                    match b {
                        b'\\' => {
                            if i + 1 >= end {
                                break;
                            }
                            i += 2;
                            continue;
                        }
                        b'"' => {
                            in_str = false;
                            if depth == 0 {
                                return Ok(Some(i + 1));
                            }
                        }
                        _ => {}
                    }
                } else {
                    match b {
                        b'"' => in_str = true,
                        b'{' | b'[' => depth += 1,
                        b'}' | b']' => {
                            if depth == 0 {
                                return Ok(Some(i));
                            }
                            depth -= 1;
                            if depth == 0 {
                                return Ok(Some(i + 1));
                            }
                        }
                        b',' | b' ' | b'\n' | b'\r' | b'\t' | b':' if depth == 0 => {
                            return Ok(Some(i));
                        }
                        _ => {}
                    }
                }
                i += 1;
            }
            if i < end {
                // A backslash at the end of the buffer: read more and look again.
                if !self.have(i + 1)? {
                    return Ok(None);
                }
            }
        }
    }
}

/// What [`read_json_list_fast`]'s `on_item` made of the text it was given.
pub enum ItemRead {
    /// One element was read from the front of the text: this many bytes long.
    Read(usize),
    /// The text ends inside the element: call again with more.
    Short,
    /// Not an element of the usual shape: the caller reads the file again with the general
    /// reader, whose results and errors are the reference.
    Unusual,
}

/// [`read_document_as`] for the usual shape of a JSON list (`{…, "items": [{…}, …], …}`), read
/// from big buffered chunks. `on_item` gets the text from the start of each element to the end
/// of what is buffered, parses one element from their front (from a slice, much faster than
/// from a reader, and without a separate pass to find where the element ends) and says how
/// long it was. `Ok(None)` when the file is not plain, well-formed JSON of that shape: the
/// caller then reads it again with [`read_document_as`]. Errors from `on_item` are returned
/// as they are.
pub fn read_json_list_fast(
    file: &Path,
    stream: &[&str],
    on_item: &mut dyn FnMut(&str, usize, &str) -> Result<ItemRead, InputError>,
) -> Result<Option<Map<String, Value>>, InputError> {
    let Ok(f) = File::open(file) else {
        return Ok(None);
    };
    let mut w = Window::new(f);
    let r: std::io::Result<Option<Map<String, Value>>> = (|| {
        if !w.have(2)? {
            return Ok(None);
        }
        if w.buf.starts_with('\u{feff}') {
            w.pos = 3;
        }
        if w.skip_ws()? != Some(b'{') {
            return Ok(None);
        }
        w.pos += 1;
        let mut out = Map::new();
        let mut first = true;
        loop {
            match w.skip_ws()? {
                Some(b'}') if first => {
                    w.pos += 1;
                    break;
                }
                Some(b'"') => {}
                _ => return Ok(None),
            }
            let Some(n) = w.value_len()? else {
                return Ok(None);
            };
            let Ok(key) = serde_json::from_str::<String>(&w.buf[w.pos..w.pos + n]) else {
                return Ok(None);
            };
            w.pos += n;
            if w.skip_ws()? != Some(b':') {
                return Ok(None);
            }
            w.pos += 1;
            match w.skip_ws()? {
                Some(b'[') if stream.contains(&key.as_str()) => {
                    w.pos += 1;
                    let mut i = 0usize;
                    loop {
                        match w.skip_ws()? {
                            Some(b']') if i == 0 => {
                                w.pos += 1;
                                break;
                            }
                            None => return Ok(None),
                            _ => {}
                        }
                        let n = loop {
                            match on_item(&key, i, &w.buf[w.pos..]) {
                                Ok(ItemRead::Read(n)) => break n,
                                Ok(ItemRead::Short) => {
                                    let buffered = w.buf.len() - w.pos;
                                    if !w.have(buffered)? {
                                        return Ok(None);
                                    }
                                }
                                Ok(ItemRead::Unusual) => return Ok(None),
                                Err(e) => return Err(std::io::Error::other(StopWith(e))),
                            }
                        };
                        w.pos += n;
                        i += 1;
                        match w.skip_ws()? {
                            Some(b',') => w.pos += 1,
                            Some(b']') => {
                                w.pos += 1;
                                break;
                            }
                            _ => return Ok(None),
                        }
                    }
                }
                Some(_) if stream.contains(&key.as_str()) => return Ok(None),
                Some(_) => {
                    let Some(n) = w.value_len()? else {
                        return Ok(None);
                    };
                    let Ok(v) = serde_json::from_str::<Value>(&w.buf[w.pos..w.pos + n]) else {
                        return Ok(None);
                    };
                    w.pos += n;
                    out.insert(key, v);
                }
                None => return Ok(None),
            }
            first = false;
            match w.skip_ws()? {
                Some(b',') => w.pos += 1,
                Some(b'}') => {
                    w.pos += 1;
                    break;
                }
                _ => return Ok(None),
            }
        }
        if w.skip_ws()?.is_some() {
            return Ok(None);
        }
        Ok(Some(out))
    })();
    match r {
        Ok(m) => Ok(m),
        Err(e) => match e.into_inner().map(|b| b.downcast::<StopWith>()) {
            Some(Ok(stop)) => Err(stop.0),
            _ => Ok(None),
        },
    }
}

/// An `on_item` error carried out through `io::Error`.
#[derive(Debug)]
struct StopWith(InputError);

impl std::fmt::Display for StopWith {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for StopWith {}
