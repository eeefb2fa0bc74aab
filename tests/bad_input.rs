//! The bad-input corpus (`tests/bad_input/**/*.toml`, format in its README): every case must fail
//! with the expected exit status and a message naming the file, line or path, and field, within
//! a time limit, with no panic, no library-internal names, and not a byte of the tree changed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    args: Vec<String>,
    exit: i32,
    #[serde(default)]
    stderr: Vec<String>,
    #[serde(default = "yes")]
    base: bool,
    #[serde(default)]
    files: BTreeMap<String, String>,
}

fn yes() -> bool {
    true
}

#[path = "../fuzz/entry.rs"]
mod entry;

/// What a failing process must not print: a crash's traces, and (from `fuzz/entry.rs`, which
/// the fuzzers check too) a library's internal names or a temp file.
const CRASH_TEXTS: &[&str] = &[
    "panicked",
    "RUST_BACKTRACE",
    "memory allocation",
    "core dumped",
];

const LIMIT: Duration = Duration::from_secs(30);

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bad_input")
}

fn cases(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            if p.file_name().unwrap() != "base" {
                cases(&p, out);
            }
        } else if p.extension().is_some_and(|e| e == "toml") {
            out.push(p);
        }
    }
}

fn content(spec: &str) -> Vec<u8> {
    if let Some(n) = spec.trim().strip_prefix("@zeros:") {
        return vec![0; n.parse().unwrap()];
    }
    if let Some(rest) = spec.strip_prefix("@repeat:") {
        let (n, text) = rest.split_once(':').unwrap();
        return text.repeat(n.parse().unwrap()).into_bytes();
    }
    if spec.starts_with("@seq:") || spec.contains("\n@seq:") {
        // Each `@seq:N:TEMPLATE` line becomes N lines, `{i}` replaced by 0..N.
        let mut out = String::new();
        for line in spec.split_inclusive('\n') {
            match line.strip_prefix("@seq:") {
                Some(rest) => {
                    let (n, template) = rest.split_once(':').unwrap();
                    let template = template.trim_end_matches('\n');
                    for i in 0..n.parse::<usize>().unwrap() {
                        out.push_str(&template.replace("{i}", &i.to_string()));
                        out.push('\n');
                    }
                }
                None => out.push_str(line),
            }
        }
        return out.into_bytes();
    }
    spec.as_bytes().to_vec()
}

/// Every file under `dir` (relative path → bytes), directories as `path/` → empty.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            let rel = p.strip_prefix(root).unwrap().to_string_lossy().into_owned();
            if p.is_dir() {
                out.insert(format!("{rel}/"), Vec::new());
                walk(root, &p, out);
            } else {
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

fn run_case(path: &Path) -> Result<(), String> {
    let text = std::fs::read_to_string(path).unwrap();
    let case: Case = toml::from_str(&text).map_err(|e| format!("the case itself: {e}"))?;
    let tmp = tempfile::tempdir().unwrap();
    if case.base {
        for e in std::fs::read_dir(corpus_dir().join("base")).unwrap() {
            let p = e.unwrap().path();
            std::fs::copy(&p, tmp.path().join(p.file_name().unwrap())).unwrap();
        }
    }
    for (name, spec) in &case.files {
        let p = tmp.path().join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, content(spec)).unwrap();
    }
    let before = snapshot(tmp.path());
    let mut child = Command::new(env!("CARGO_BIN_EXE_imagefs-sim"))
        .args(&case.args)
        .current_dir(tmp.path())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr_pipe = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        std::io::Read::read_to_end(&mut stderr_pipe, &mut s).ok();
        s
    });
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if start.elapsed() > LIMIT {
            child.kill().ok();
            child.wait().ok();
            return Err(format!("did not end within {} s", LIMIT.as_secs()));
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let stderr = String::from_utf8_lossy(&reader.join().unwrap()).into_owned();
    let mut problems = Vec::new();
    if status.code() != Some(case.exit) {
        problems.push(format!(
            "exit status {:?}, expected {}",
            status.code(),
            case.exit
        ));
    }
    for want in &case.stderr {
        if !stderr.contains(want.as_str()) {
            problems.push(format!("stderr lacks {want:?}"));
        }
    }
    for bad in CRASH_TEXTS.iter().chain(entry::FORBIDDEN) {
        if stderr.contains(bad) {
            problems.push(format!("stderr contains {bad:?}"));
        }
    }
    let after = snapshot(tmp.path());
    if before != after {
        let changed: Vec<_> = before
            .keys()
            .chain(after.keys())
            .filter(|k| before.get(*k) != after.get(*k))
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        problems.push(format!("the tree changed: {changed:?}"));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{}\n    stderr: {}",
            problems.join("; "),
            stderr.trim()
        ))
    }
}

#[test]
fn every_bad_input_fails_cleanly() {
    let mut all = Vec::new();
    cases(&corpus_dir(), &mut all);
    assert!(!all.is_empty(), "no cases under tests/bad_input");
    // Cases run on a few threads: each is a process of its own, mostly waiting on its children.
    let failures = std::sync::Mutex::new(Vec::new());
    let next = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(p) = all.get(i) else { break };
                if let Err(e) = run_case(p) {
                    let rel = p.strip_prefix(corpus_dir()).unwrap().display().to_string();
                    failures.lock().unwrap().push(format!("{rel}: {e}"));
                }
            });
        }
    });
    let mut failures = failures.into_inner().unwrap();
    failures.sort();
    assert!(
        failures.is_empty(),
        "{} of {} bad-input cases failed:\n{}",
        failures.len(),
        all.len(),
        failures.join("\n")
    );
    eprintln!("{} bad-input cases passed", all.len());
}
