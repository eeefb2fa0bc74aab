//! External sorting for the importer: records are sorted in runs of bounded size, each run
//! spilled to a temporary file, and the runs merged back in order. This is the building
//! block for an import whose memory does not grow with the trace (pod records and trace
//! rows sorted on disk, only the catalog in memory). Standard library only.
//!
//! Order is stable: records that compare equal come out in the order they were pushed (runs
//! are sorted stably, and the merge breaks ties by run, and runs are made in push order).

// The importer does not use it yet: the bounded import is built on it step by step.
#![allow(dead_code)]

use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering as AtomicOrdering};

/// A record that can be written to a run file and read back.
pub(crate) trait Spill: Sized {
    /// Appends the record's bytes to `out`.
    fn encode(&self, out: &mut Vec<u8>);
    /// Reads one record from the front of `buf` (exactly the bytes [`Spill::encode`] wrote).
    fn decode(buf: &[u8]) -> Self;
}

/// A temporary directory, removed with everything in it when dropped (also when the import
/// fails or panics half-way: no run file is left behind).
pub(crate) struct SpillDir {
    path: PathBuf,
    files: u64,
}

impl SpillDir {
    /// A new directory under `parent` (e.g. `std::env::temp_dir()`).
    pub(crate) fn new(parent: &Path) -> io::Result<SpillDir> {
        // Unique within the process by the counter, across processes by the pid.
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let n = NEXT.fetch_add(1, AtomicOrdering::Relaxed);
        let path = parent.join(format!("imagefs-sim-import-{}-{n}", std::process::id()));
        std::fs::create_dir(&path)?;
        Ok(SpillDir { path, files: 0 })
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    fn next_file(&mut self) -> PathBuf {
        self.files += 1;
        self.path.join(format!("run-{}", self.files))
    }
}

impl Drop for SpillDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// Sorts records by `T: Ord`, keeping at most `run_len` of them in memory.
pub(crate) struct Sorter<T: Ord + Spill> {
    run_len: usize,
    buf: Vec<T>,
    runs: Vec<PathBuf>,
    bytes: Vec<u8>,
}

impl<T: Ord + Spill> Sorter<T> {
    pub(crate) fn new(run_len: usize) -> Self {
        Sorter {
            run_len: run_len.max(1),
            buf: Vec::new(),
            runs: Vec::new(),
            bytes: Vec::new(),
        }
    }

    pub(crate) fn push(&mut self, dir: &mut SpillDir, x: T) -> io::Result<()> {
        self.buf.push(x);
        if self.buf.len() >= self.run_len {
            self.spill(dir)?;
        }
        Ok(())
    }

    /// Writes the buffered records as one sorted run: `u32` length, then the record, each.
    fn spill(&mut self, dir: &mut SpillDir) -> io::Result<()> {
        self.buf.sort();
        let path = dir.next_file();
        let mut w = BufWriter::with_capacity(1 << 16, File::create(&path)?);
        for x in self.buf.drain(..) {
            self.bytes.clear();
            x.encode(&mut self.bytes);
            let len = u32::try_from(self.bytes.len()).expect("records are under 4 GiB");
            w.write_all(&len.to_le_bytes())?;
            w.write_all(&self.bytes)?;
        }
        w.flush()?;
        self.runs.push(path);
        Ok(())
    }

    /// The records in order. With no run spilled, they never leave memory.
    pub(crate) fn finish(mut self) -> io::Result<Sorted<T>> {
        if self.runs.is_empty() {
            self.buf.sort();
            return Ok(Sorted::Memory(self.buf.into_iter()));
        }
        let mut runs = Vec::with_capacity(self.runs.len() + 1);
        for p in &self.runs {
            runs.push(Run::File(RunReader {
                r: BufReader::with_capacity(1 << 16, File::open(p)?),
                bytes: Vec::new(),
            }));
        }
        if !self.buf.is_empty() {
            // The last, partial run stays in memory; it was pushed last, so it merges last.
            self.buf.sort();
            runs.push(Run::Memory(std::mem::take(&mut self.buf).into_iter()));
        }
        let mut heap = BinaryHeap::with_capacity(runs.len());
        for (i, run) in runs.iter_mut().enumerate() {
            if let Some(x) = run.next()? {
                heap.push(Head { x, run: i });
            }
        }
        Ok(Sorted::Merge { runs, heap })
    }
}

pub(crate) struct RunReader {
    r: BufReader<File>,
    bytes: Vec<u8>,
}

pub(crate) enum Run<T> {
    File(RunReader),
    Memory(std::vec::IntoIter<T>),
}

impl<T: Spill> Run<T> {
    fn next(&mut self) -> io::Result<Option<T>> {
        match self {
            Run::Memory(it) => Ok(it.next()),
            Run::File(f) => {
                let mut len = [0u8; 4];
                match f.r.read_exact(&mut len) {
                    Ok(()) => {}
                    Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
                    Err(e) => return Err(e),
                }
                f.bytes.resize(u32::from_le_bytes(len) as usize, 0);
                f.r.read_exact(&mut f.bytes)?;
                Ok(Some(T::decode(&f.bytes)))
            }
        }
    }
}

/// A run's next record, in the merge's heap: smallest record first, then earliest run.
pub(crate) struct Head<T> {
    x: T,
    run: usize,
}

impl<T: Ord> PartialEq for Head<T> {
    fn eq(&self, o: &Self) -> bool {
        self.cmp(o) == Ordering::Equal
    }
}
impl<T: Ord> Eq for Head<T> {}
impl<T: Ord> PartialOrd for Head<T> {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl<T: Ord> Ord for Head<T> {
    fn cmp(&self, o: &Self) -> Ordering {
        // BinaryHeap pops the greatest: reversed.
        o.x.cmp(&self.x).then(o.run.cmp(&self.run))
    }
}

/// The sorted records of a [`Sorter`].
pub(crate) enum Sorted<T> {
    Memory(std::vec::IntoIter<T>),
    Merge {
        runs: Vec<Run<T>>,
        heap: BinaryHeap<Head<T>>,
    },
}

impl<T: Ord + Spill> Sorted<T> {
    pub(crate) fn next(&mut self) -> io::Result<Option<T>> {
        match self {
            Sorted::Memory(it) => Ok(it.next()),
            Sorted::Merge { runs, heap } => {
                let Some(Head { x, run }) = heap.pop() else {
                    return Ok(None);
                };
                if let Some(y) = runs[run].next()? {
                    heap.push(Head { x: y, run });
                }
                Ok(Some(x))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sorted by `key` only: `tag` shows that equal keys keep push order.
    #[derive(Debug, Clone, PartialEq, Eq)]
    struct R {
        key: String,
        tag: u64,
    }
    impl PartialOrd for R {
        fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
            Some(self.cmp(o))
        }
    }
    impl Ord for R {
        fn cmp(&self, o: &Self) -> Ordering {
            self.key.cmp(&o.key)
        }
    }
    impl Spill for R {
        fn encode(&self, out: &mut Vec<u8>) {
            out.extend_from_slice(&self.tag.to_le_bytes());
            out.extend_from_slice(self.key.as_bytes());
        }
        fn decode(b: &[u8]) -> Self {
            R {
                tag: u64::from_le_bytes(b[..8].try_into().unwrap()),
                key: String::from_utf8(b[8..].to_vec()).unwrap(),
            }
        }
    }

    fn records(n: u64, seed: u64) -> Vec<R> {
        let mut s = seed;
        (0..n)
            .map(|tag| {
                // xorshift: few distinct keys, so that many are equal.
                s ^= s << 13;
                s ^= s >> 7;
                s ^= s << 17;
                R {
                    key: format!("k{}", s % 37),
                    tag,
                }
            })
            .collect()
    }

    #[test]
    fn merged_runs_give_the_stable_sort() {
        for run_len in [1, 2, 3, 7, 100, 10_000] {
            for n in [0, 1, 5, 64, 1000] {
                let xs = records(n, 0x9e37_79b9_7f4a_7c15 ^ n);
                let mut expect = xs.clone();
                expect.sort();
                let mut dir = SpillDir::new(&std::env::temp_dir()).unwrap();
                let path = dir.path().to_path_buf();
                let mut s = Sorter::new(run_len);
                for x in xs {
                    s.push(&mut dir, x).unwrap();
                }
                let mut it = s.finish().unwrap();
                let mut got = Vec::new();
                while let Some(x) = it.next().unwrap() {
                    got.push(x);
                }
                let tags = |v: &[R]| v.iter().map(|r| r.tag).collect::<Vec<_>>();
                assert_eq!(tags(&got), tags(&expect), "run_len {run_len}, n {n}");
                assert_eq!(got, expect);
                drop(it);
                drop(dir);
                assert!(!path.exists(), "the spill directory is removed");
            }
        }
    }

    #[test]
    fn spill_dir_is_removed_when_a_sort_is_abandoned() {
        let mut dir = SpillDir::new(&std::env::temp_dir()).unwrap();
        let path = dir.path().to_path_buf();
        let mut s = Sorter::new(2);
        for x in records(10, 1) {
            s.push(&mut dir, x).unwrap();
        }
        assert!(std::fs::read_dir(&path).unwrap().count() >= 4);
        drop(s);
        drop(dir);
        assert!(!path.exists());
    }
}
