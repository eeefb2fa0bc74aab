//! The one error type users see for bad input: which file, which line or row, which field, what
//! was wrong. Everything that reads user input returns it; `main` prints it and exits non-zero.

use std::fmt;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError {
    pub file: PathBuf,
    /// 1-based line (TOML) or row number counting the header as line 1 (CSV).
    pub line: Option<usize>,
    pub field: Option<String>,
    pub message: String,
}

impl InputError {
    pub fn new(
        file: &Path,
        line: Option<usize>,
        field: Option<&str>,
        message: impl Into<String>,
    ) -> Self {
        InputError {
            file: file.to_path_buf(),
            line,
            field: field.map(str::to_string),
            message: message.into(),
        }
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(l) = self.line {
            write!(f, ":{l}")?;
        }
        write!(f, ": ")?;
        if let Some(field) = &self.field {
            write!(f, "{field}: ")?;
        }
        write!(f, "{}", self.message)
    }
}

impl std::error::Error for InputError {}

/// 1-based line number of byte offset `pos` in `text`.
pub fn line_of(text: &str, pos: usize) -> usize {
    text.as_bytes()[..pos.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// The dotted TOML key (`table.key`) whose value starts at byte `pos`, when it can be read off the
/// text: the nearest `[table]` / `[[table]]` header above, and the key before `=` on that line.
pub fn toml_key_at(text: &str, pos: usize) -> Option<String> {
    let pos = pos.min(text.len());
    let line_start = text[..pos].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[pos..].find('\n').map_or(text.len(), |i| pos + i);
    let line = &text[line_start..line_end];
    let (key, _) = line.split_once('=')?;
    let key = key.trim().trim_matches('"');
    if key.is_empty() || key.starts_with('[') || key.starts_with('#') {
        return None;
    }
    let table = text[..line_start].lines().rev().find_map(|l| {
        let l = l.trim();
        l.strip_prefix("[[")
            .and_then(|r| r.split_once("]]"))
            .or_else(|| l.strip_prefix('[').and_then(|r| r.split_once(']')))
            .map(|(t, _)| t.trim().to_string())
    });
    Some(match table {
        Some(t) => format!("{t}.{key}"),
        None => key.to_string(),
    })
}

/// A parser's message in the user's terms: Rust type names (`i64`, `u64`, `f64`, an untagged
/// enum's name) replaced by what the file should hold.
pub fn plain_message(msg: &str) -> String {
    let mut m = msg.to_string();
    // The TOML parser's own words for an integer past i64 (TOML's integers are 64-bit signed).
    if m.trim() == "number too large to fit in target type" {
        return "a whole number above 9223372036854775807 (2^63 - 1, TOML's largest): write a quantity such as \"8Ei\" if one is meant, which is then checked against the field's limit".into();
    }
    if let Some(i) = m.find("data did not match any variant of untagged enum") {
        m.truncate(i);
        m.push_str("expected a quantity or a number (e.g. \"50Gi\", \"10%\" or 1073741824)");
    }
    for (rust, plain) in [
        ("i8", "an integer"),
        ("i16", "an integer"),
        ("i32", "an integer"),
        ("i64", "an integer"),
        ("isize", "an integer"),
        ("u8", "a whole number (0 or more)"),
        ("u16", "a whole number (0 or more)"),
        ("u32", "a whole number (0 or more)"),
        ("u64", "a whole number (0 or more)"),
        ("usize", "a whole number (0 or more)"),
        ("f32", "a number"),
        ("f64", "a number"),
    ] {
        let from = format!("expected {rust}");
        let mut out = String::with_capacity(m.len());
        let mut rest = m.as_str();
        while let Some(i) = rest.find(&from) {
            let after = &rest[i + from.len()..];
            out.push_str(&rest[..i]);
            if after.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_') {
                out.push_str(&from);
            } else {
                out.push_str("expected ");
                out.push_str(plain);
            }
            rest = after;
        }
        out.push_str(rest);
        m = out;
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_message_names_no_rust_type() {
        assert!(plain_message("number too large to fit in target type")
            .starts_with("a whole number above 9223372036854775807"));
        assert_eq!(
            plain_message("invalid type: floating point `79.5`, expected i64"),
            "invalid type: floating point `79.5`, expected an integer"
        );
        assert_eq!(
            plain_message("invalid value: integer `-1`, expected u64"),
            "invalid value: integer `-1`, expected a whole number (0 or more)"
        );
        assert_eq!(
            plain_message("data did not match any variant of untagged enum NumOrStr"),
            "expected a quantity or a number (e.g. \"50Gi\", \"10%\" or 1073741824)"
        );
        assert_eq!(plain_message("expected i64x"), "expected i64x");
    }
}
