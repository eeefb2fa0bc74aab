//! Value forms shared by the input schemas (`scenario.rs` and `workload/synthetic.rs`), so that
//! neither needs the other for them: a number-or-string field, and the error text that shows
//! the value it is about.

use serde::Deserialize;

/// A number or a string in the file (`disk = 1073741824` or `disk = "1Gi"`).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum NumOrStr {
    Int(i64),
    Float(f64),
    Str(String),
}

impl NumOrStr {
    /// The value as the user wrote it (a number in Rust's shortest form).
    pub fn as_text(&self) -> String {
        match self {
            NumOrStr::Int(i) => i.to_string(),
            NumOrStr::Float(f) => f.to_string(),
            NumOrStr::Str(s) => s.clone(),
        }
    }
}

/// A value's error message that shows the value: `"50 gigs": quantities must match …`.
/// `msg`, prefixed with the value it is about unless it already shows it.
pub fn with_value(value: &str, msg: String) -> String {
    if msg.contains(value) {
        msg
    } else {
        format!("{value:?}: {msg}")
    }
}
