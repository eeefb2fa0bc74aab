//! What-ifs from the command line: `--set PATH=VALUE` on `run`, `check`, `generate` and
//! `sweep`. A path is a dotted path into the scenario document, as a `[sweep]` axis names one
//! (`kubelet.imageMaximumGCAge`, `node.disk`, `kubelet.evictionHard.imagefs.available`,
//! `image.0.pinned`); a value is a TOML value (`90`, `0.5`, `true`, `"24h"`, `["a", "b"]`,
//! `{ "imagefs.available" = "10%" }`), and anything that is not one is taken as a string, so
//! `24h` and `120Gi` need no quotes. Each override is checked as a sweep checks its axes: a
//! known field, of the field's type; then the scenario is loaded whole, so the kubelet's own
//! validation applies. Errors name the flag.
//!
//! The scenario keeps its path, so its relative paths (trace, catalog) still resolve.

use std::path::{Path, PathBuf};

use crate::error::InputError;
use crate::scenario::Scenario;

/// One `--set PATH=VALUE`.
#[derive(Debug, Clone, PartialEq)]
pub struct Override {
    /// The dotted path, as given.
    pub path: String,
    pub value: toml::Value,
    /// The flag's argument as given (`kubelet.imageMaximumGCAge=24h`): what outputs record.
    pub text: String,
}

impl Override {
    /// Parses the argument of one `--set`.
    pub fn parse(arg: &str) -> Result<Override, String> {
        let Some((path, value)) = arg.split_once('=') else {
            return Err(format!(
                "--set {arg}: expected PATH=VALUE, e.g. --set kubelet.imageMaximumGCAge=24h"
            ));
        };
        let path = path.trim();
        if path.is_empty() || path.split('.').any(|s| s.trim().is_empty()) {
            return Err(format!(
                "--set {arg}: {path:?} is not a dotted path (e.g. node.disk)"
            ));
        }
        let value = value.trim();
        if value.is_empty() {
            return Err(format!("--set {arg}: no value after '='"));
        }
        Ok(Override {
            path: path.to_string(),
            value: value_of(value),
            text: format!("{path}={value}"),
        })
    }

    /// Which flag this is, for errors: `--set PATH=VALUE`.
    pub fn flag(&self) -> String {
        format!("--set {}", self.text)
    }

    fn segments(&self) -> Vec<&str> {
        self.path.split('.').map(str::trim).collect()
    }
}

/// A TOML value if `text` is one (a date-time stays text: no scenario field takes TOML's
/// date-time type), else the text as a string.
fn value_of(text: &str) -> toml::Value {
    match toml::from_str::<toml::Table>(&format!("v = {text}")) {
        Ok(mut t) => match t.remove("v") {
            Some(toml::Value::Datetime(_)) | None => toml::Value::String(text.to_string()),
            Some(v) => v,
        },
        Err(_) => toml::Value::String(text.to_string()),
    }
}

/// Parses every `--set` argument.
pub fn parse_all(args: &[String]) -> Result<Vec<Override>, String> {
    args.iter().map(|a| Override::parse(a)).collect()
}

/// Applies the overrides to a scenario document (`text` of the file at `path`), checking each
/// as a sweep checks an axis; returns the new document. The file's own errors come first,
/// with its lines.
pub fn apply_to_text(
    path: &Path,
    text: &str,
    overrides: &[Override],
) -> Result<String, InputError> {
    Scenario::check_fields(path, text)?;
    let mut doc: toml::Table =
        toml::from_str(text).map_err(|e| crate::scenario::toml_error(path, text, &e))?;
    apply_to_doc(path, &mut doc, overrides)?;
    toml::to_string(&doc).map_err(|e| InputError::new(path, None, None, e.to_string()))
}

/// Applies the overrides to a parsed scenario document, checking each as a sweep checks an
/// axis: the document with the value set must still have only scenario fields, of their types.
pub fn apply_to_doc(
    path: &Path,
    doc: &mut toml::Table,
    overrides: &[Override],
) -> Result<(), InputError> {
    for o in overrides {
        let flag = o.flag();
        let fail = |m: String| InputError::new(path, None, Some(&flag), m);
        set_in_table(doc, &o.segments(), o.value.clone())
            .map_err(|m| fail(format!("{} cannot be set: {m}", o.path)))?;
        let t = toml::to_string(&*doc).map_err(|e| fail(e.to_string()))?;
        if let Err(e) = Scenario::check_fields(path, &t) {
            return Err(fail(format!(
                "{} = {} is not a scenario setting: {}{}",
                o.path,
                o.value,
                e.field.map(|f| format!("{f}: ")).unwrap_or_default(),
                e.message
            )));
        }
    }
    Ok(())
}

/// Loads the scenario at `path` with the overrides applied (`collect_trace`: as
/// [`Scenario::load`] does; false: as [`Scenario::load_without_synthetic_trace`]). Without
/// overrides this is exactly the plain load. An error the overrides caused names the flags
/// (its line would be of rewritten text); an error of the file itself is reported as the plain
/// load reports it.
pub fn load(
    path: &Path,
    overrides: &[Override],
    collect_trace: bool,
) -> Result<Scenario, InputError> {
    if overrides.is_empty() {
        return if collect_trace {
            Scenario::load(path)
        } else {
            Scenario::load_without_synthetic_trace(path)
        };
    }
    let text = std::fs::read_to_string(path)
        .map_err(|e| InputError::new(path, None, None, format!("cannot read the scenario: {e}")))?;
    let new_text = apply_to_text(path, &text, overrides)?;
    let loaded = if collect_trace {
        Scenario::from_str(path, &new_text)
    } else {
        Scenario::from_str_without_synthetic_trace(path, &new_text)
    };
    match loaded {
        Ok(mut sc) => {
            sc.overrides = overrides.iter().map(|o| o.text.clone()).collect();
            Ok(sc)
        }
        Err(e) => {
            // The file's own error, with its line, if the file alone fails the same way.
            let plain = if collect_trace {
                Scenario::from_str(path, &text)
            } else {
                Scenario::from_str_without_synthetic_trace(path, &text)
            };
            if let Err(pe) = plain {
                if pe.field == e.field && pe.message == e.message {
                    return Err(pe);
                }
            }
            Err(blame(path, overrides, e))
        }
    }
}

/// An error of the overridden scenario, put on the flags: the one whose path the failing
/// field starts with, else all of them.
fn blame(path: &Path, overrides: &[Override], e: InputError) -> InputError {
    let field = e.field.clone().unwrap_or_default();
    let culprit = overrides.iter().rev().find(|o| {
        field == o.path || field.starts_with(&format!("{}.", o.path)) || o.path.starts_with(&field)
    });
    let flags = match culprit {
        Some(o) => o.flag(),
        None => overrides
            .iter()
            .map(Override::flag)
            .collect::<Vec<_>>()
            .join(" "),
    };
    let message = match &e.field {
        Some(f) => format!("{f}: {}", e.message),
        None => e.message,
    };
    InputError::new(path, None, Some(&flags), message)
}

/// The readable suffix a what-if's default output directory gets, so it never replaces the
/// base run's: `+` and each override as `LAST_SEGMENT=VALUE` (`+imageMaximumGCAge=24h`),
/// characters a file name should not hold as `_`; long ones cut, with a digest of the whole.
pub fn dir_suffix(overrides: &[Override]) -> String {
    let mut s = String::new();
    for o in overrides {
        let last = o.path.rsplit('.').next().unwrap_or(&o.path);
        let value = crate::sweep::spec::value_text(&o.value);
        s.push('+');
        for c in format!("{last}={value}").chars() {
            s.push(
                if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '=' | '%') {
                    c
                } else {
                    '_'
                },
            );
        }
    }
    const MAX: usize = 96;
    if s.len() > MAX {
        let all: String = overrides
            .iter()
            .map(|o| o.text.as_str())
            .collect::<Vec<_>>()
            .join("\n");
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in all.bytes() {
            h = (h ^ b as u64).wrapping_mul(0x0100_0000_01b3);
        }
        s.truncate(MAX);
        s.push_str(&format!("-{:08x}", h as u32));
    }
    s
}

/// `dir` with the what-if suffix of `overrides` added to its last component.
pub fn with_suffix(dir: PathBuf, overrides: &[Override]) -> PathBuf {
    if overrides.is_empty() {
        return dir;
    }
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    dir.with_file_name(format!("{name}{}", dir_suffix(overrides)))
}

/// Sets `value` at the dotted path `segs` under table `t`. A key may itself contain dots
/// (`kubelet.evictionHard.imagefs.available`): the longest existing key wins; a missing key
/// becomes a table holding the rest of the path as one key. Numbers index arrays
/// (`image.0.pinned`).
pub(crate) fn set_in_table(
    t: &mut toml::Table,
    segs: &[&str],
    value: toml::Value,
) -> Result<(), String> {
    for k in (1..=segs.len()).rev() {
        let key = segs[..k].join(".");
        if t.contains_key(&key) {
            if k == segs.len() {
                t.insert(key, value);
                return Ok(());
            }
            return set_in_value(t.get_mut(&key).unwrap(), &segs[k..], value);
        }
    }
    if segs.len() == 1 {
        t.insert(segs[0].to_string(), value);
    } else {
        let mut sub = toml::Table::new();
        sub.insert(segs[1..].join("."), value);
        t.insert(segs[0].to_string(), toml::Value::Table(sub));
    }
    Ok(())
}

fn set_in_value(v: &mut toml::Value, segs: &[&str], value: toml::Value) -> Result<(), String> {
    match v {
        toml::Value::Table(t) => set_in_table(t, segs, value),
        toml::Value::Array(a) => {
            let i: usize = segs[0]
                .parse()
                .map_err(|_| format!("{:?} is not an index into a list", segs[0]))?;
            let len = a.len();
            let item = a
                .get_mut(i)
                .ok_or_else(|| format!("index {i} is past the list's {len} entries"))?;
            if segs.len() == 1 {
                *item = value;
                Ok(())
            } else {
                set_in_value(item, &segs[1..], value)
            }
        }
        _ => Err(format!("{:?} is not a table", segs[0])),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_toml_or_else_text() {
        let v = |s: &str| Override::parse(s).unwrap().value;
        assert_eq!(
            v("kubelet.imageGCHighThresholdPercent=90"),
            toml::Value::Integer(90)
        );
        assert_eq!(v("node.disk=120Gi"), toml::Value::String("120Gi".into()));
        assert_eq!(
            v("kubelet.imageMaximumGCAge=24h"),
            toml::Value::String("24h".into())
        );
        assert_eq!(
            v("kubelet.imageMaximumGCAge=\"24h\""),
            toml::Value::String("24h".into())
        );
        assert_eq!(
            v("node.discard_unpacked_layers=true"),
            toml::Value::Boolean(true)
        );
        assert_eq!(
            v("workload.synthetic.unpack_ratio=2.5"),
            toml::Value::Float(2.5)
        );
        // A date-time is text: no field takes TOML's date-time type.
        assert_eq!(
            v("start_time=2026-03-18T06:47:29Z"),
            toml::Value::String("2026-03-18T06:47:29Z".into())
        );
        let t = v(r#"kubelet.evictionHard={ "imagefs.available" = "10%" }"#);
        assert_eq!(
            t.get("imagefs.available").and_then(|x| x.as_str()),
            Some("10%")
        );
        // The value may itself hold '=' (only the first one splits).
        assert_eq!(v("name=a=b"), toml::Value::String("a=b".into()));
    }

    #[test]
    fn malformed_flags_say_what_a_set_looks_like() {
        let e = |s: &str| Override::parse(s).unwrap_err();
        assert!(
            e("node.disk").contains("expected PATH=VALUE"),
            "{}",
            e("node.disk")
        );
        assert!(e("=5").contains("is not a dotted path"));
        assert!(e("node..disk=5").contains("is not a dotted path"));
        assert!(e("node.disk=").contains("no value after '='"));
    }

    /// Each override's last segment and value, joined by '+'; '/' and spaces become '_'.
    #[test]
    fn directory_suffix_is_readable_and_bounded() {
        let o = parse_all(&[
            "kubelet.imageMaximumGCAge=24h".into(),
            "node.disk=120Gi".into(),
        ])
        .unwrap();
        assert_eq!(dir_suffix(&o), "+imageMaximumGCAge=24h+disk=120Gi");
        assert_eq!(
            with_suffix(PathBuf::from("output/quickstart"), &o),
            PathBuf::from("output/quickstart+imageMaximumGCAge=24h+disk=120Gi")
        );
        let o = parse_all(&["name=a b/c".into()]).unwrap();
        assert_eq!(dir_suffix(&o), "+name=a_b_c");
        // 96 characters, then '-' and 8 hex digits of the whole.
        let long = parse_all(&[format!("name={}", "x".repeat(200))]).unwrap();
        assert_eq!(dir_suffix(&long).len(), 96 + 9);
        assert_eq!(
            with_suffix(PathBuf::from("output/q"), &[]),
            PathBuf::from("output/q")
        );
    }
}
