//! External sorting for the importer: records are sorted in runs of bounded size, each run
//! spilled to a temporary file, and the runs merged back in order. This is the building
//! block for an import whose memory does not grow with the trace (pod records and trace
//! rows sorted on disk, only the catalog in memory). Standard library only.
//!
//! Order is stable: records that compare equal come out in the order they were pushed (runs
//! are sorted stably, and the merge breaks ties by run, and runs are made in push order).

use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering as AtomicOrdering};

/// A record that can be written to a run file and read back.
pub(crate) trait Spill: Sized {
    /// Appends the record's bytes to `out`.
    fn encode(&self, out: &mut Vec<u8>);
    /// Reads one record from the front of `buf` (exactly the bytes [`Spill::encode`] wrote).
    fn decode(buf: &[u8]) -> Self;
}

/// Records per sorted run (in memory at once) of the import's sorts. A knob so that tests can
/// make the runs tiny and go through the merge with small inputs.
pub(crate) static SPILL_RUN: AtomicUsize = AtomicUsize::new(1 << 15);

/// Reads what `extend_from_slice(&x.to_le_bytes())` wrote.
pub(crate) struct Dec<'a>(pub(crate) &'a [u8]);

impl<'a> Dec<'a> {
    fn take(&mut self, n: usize) -> &'a [u8] {
        let (a, b) = self.0.split_at(n);
        self.0 = b;
        a
    }
    pub(crate) fn u8(&mut self) -> u8 {
        self.take(1)[0]
    }
    pub(crate) fn u32(&mut self) -> u32 {
        u32::from_le_bytes(self.take(4).try_into().expect("4 bytes"))
    }
    pub(crate) fn u64(&mut self) -> u64 {
        u64::from_le_bytes(self.take(8).try_into().expect("8 bytes"))
    }
    pub(crate) fn i64(&mut self) -> i64 {
        self.u64() as i64
    }
    pub(crate) fn str_ref(&mut self) -> &'a str {
        let n = self.u32() as usize;
        std::str::from_utf8(self.take(n)).expect("written from a str")
    }
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

    #[cfg(test)]
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

/// Sorts records by `T: Ord`, keeping at most `run_len` of them in memory. Its run files are
/// in a [`SpillDir`] of its own, made under `parent` when the first run is spilled.
///
/// A full run is sorted and written in the pushing thread. (A writer thread per run was
/// slower: records allocated by the reader and freed by the writer contend on the allocator's
/// locks; 4.8–6.0 s against 3.1–3.7 s on 10⁶ events.)
pub(crate) struct Sorter<T: Ord + Spill> {
    run_len: usize,
    parent: PathBuf,
    dir: Option<SpillDir>,
    buf: Vec<T>,
    runs: Vec<PathBuf>,
}

/// Sorts `buf` and writes it to `path`: `u32` length, then the record, each.
fn write_run<T: Ord + Spill>(mut buf: Vec<T>, path: &Path) -> io::Result<()> {
    buf.sort();
    let mut w = BufWriter::with_capacity(1 << 16, File::create(path)?);
    let mut bytes = Vec::new();
    for x in buf {
        bytes.clear();
        x.encode(&mut bytes);
        let len = u32::try_from(bytes.len()).expect("records are under 4 GiB");
        w.write_all(&len.to_le_bytes())?;
        w.write_all(&bytes)?;
    }
    w.flush()
}

impl<T: Ord + Spill> Sorter<T> {
    pub(crate) fn new(run_len: usize, parent: &Path) -> Self {
        Sorter {
            run_len: run_len.max(1),
            parent: parent.to_path_buf(),
            dir: None,
            buf: Vec::new(),
            runs: Vec::new(),
        }
    }

    pub(crate) fn parent(&self) -> &Path {
        &self.parent
    }

    pub(crate) fn push(&mut self, x: T) -> io::Result<()> {
        self.buf.push(x);
        if self.buf.len() >= self.run_len {
            self.spill()?;
        }
        Ok(())
    }

    /// Writes the buffered records as one sorted run.
    fn spill(&mut self) -> io::Result<()> {
        if self.dir.is_none() {
            self.dir = Some(SpillDir::new(&self.parent)?);
        }
        let path = self.dir.as_mut().expect("just made").next_file();
        let buf = std::mem::replace(&mut self.buf, Vec::with_capacity(self.run_len));
        write_run(buf, &path)?;
        self.runs.push(path);
        Ok(())
    }

    /// The records in order. With no run spilled, they never leave memory.
    pub(crate) fn finish(mut self) -> io::Result<Sorted<T>> {
        if self.runs.is_empty() {
            let mut buf = std::mem::take(&mut self.buf);
            buf.sort();
            return Ok(Sorted::Memory(buf.into_iter()));
        }
        // At most MAX_FAN_IN files open at once: consecutive runs are merged into one, in
        // passes, each merged run in its runs' place (so runs stay in push order).
        while self.runs.len() > MAX_FAN_IN {
            let old = std::mem::take(&mut self.runs);
            for group in old.chunks(MAX_FAN_IN) {
                let (mut runs, mut heap) = open_runs::<T>(group, Vec::new())?;
                let path = self.dir.as_mut().expect("runs were spilled").next_file();
                let mut w = BufWriter::with_capacity(1 << 16, File::create(&path)?);
                let mut bytes = Vec::new();
                while let Some(x) = pop(&mut runs, &mut heap)? {
                    bytes.clear();
                    x.encode(&mut bytes);
                    w.write_all(&(bytes.len() as u32).to_le_bytes())?;
                    w.write_all(&bytes)?;
                }
                w.flush()?;
                drop(runs);
                for p in group {
                    std::fs::remove_file(p)?;
                }
                self.runs.push(path);
            }
        }
        // The last, partial run stays in memory; it was pushed last, so it merges last.
        let mut last = std::mem::take(&mut self.buf);
        last.sort();
        let (runs, heap) = open_runs(&self.runs, last)?;
        let dir = self.dir.take().expect("runs were spilled");
        Ok(Sorted::Merge {
            runs,
            heap,
            _dir: dir,
        })
    }
}

/// The most run files merged at once (each open file has a 64 KiB buffer).
const MAX_FAN_IN: usize = 128;

type Opened<T> = (Vec<Run<T>>, BinaryHeap<Head<T>>);

/// The runs in `paths`, then `last` (sorted), ready to merge.
fn open_runs<T: Ord + Spill>(paths: &[PathBuf], last: Vec<T>) -> io::Result<Opened<T>> {
    let mut runs = Vec::with_capacity(paths.len() + 1);
    for p in paths {
        runs.push(Run::File(RunReader {
            r: BufReader::with_capacity(1 << 16, File::open(p)?),
            bytes: Vec::new(),
        }));
    }
    if !last.is_empty() {
        runs.push(Run::Memory(last.into_iter()));
    }
    let mut heap = BinaryHeap::with_capacity(runs.len());
    for (i, run) in runs.iter_mut().enumerate() {
        if let Some(x) = run.next()? {
            heap.push(Head { x, run: i });
        }
    }
    Ok((runs, heap))
}

/// The next record of a merge.
fn pop<T: Ord + Spill>(
    runs: &mut [Run<T>],
    heap: &mut BinaryHeap<Head<T>>,
) -> io::Result<Option<T>> {
    let Some(Head { x, run }) = heap.pop() else {
        return Ok(None);
    };
    if let Some(y) = runs[run].next()? {
        heap.push(Head { x: y, run });
    }
    Ok(Some(x))
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
        /// Removed when the merge is dropped.
        _dir: SpillDir,
    },
}

impl<T: Ord + Spill> Sorted<T> {
    pub(crate) fn next(&mut self) -> io::Result<Option<T>> {
        match self {
            Sorted::Memory(it) => Ok(it.next()),
            Sorted::Merge { runs, heap, .. } => pop(runs, heap),
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
        let mut cases: Vec<(usize, u64)> = Vec::new();
        for run_len in [1, 2, 3, 7, 100, 10_000] {
            for n in [0, 1, 5, 64, 1000] {
                cases.push((run_len, n));
            }
        }
        // More runs than MAX_FAN_IN: merged in passes.
        cases.push((1, 300));
        cases.push((2, 600));
        for (run_len, n) in cases {
            {
                let xs = records(n, 0x9e37_79b9_7f4a_7c15 ^ n);
                let mut expect = xs.clone();
                expect.sort();
                let parent = SpillDir::new(&std::env::temp_dir()).unwrap();
                let mut s = Sorter::new(run_len, parent.path());
                for x in xs {
                    s.push(x).unwrap();
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
                let left = std::fs::read_dir(parent.path()).unwrap().count();
                assert_eq!(left, 0, "the spill directory is removed");
            }
        }
    }

    #[test]
    fn spill_dir_is_removed_when_a_sort_is_abandoned() {
        let parent = SpillDir::new(&std::env::temp_dir()).unwrap();
        let mut s = Sorter::new(2, parent.path());
        for x in records(10, 1) {
            s.push(x).unwrap();
        }
        let dir = s.dir.as_ref().unwrap().path().to_path_buf();
        assert!(std::fs::read_dir(&dir).unwrap().count() >= 4);
        drop(s);
        assert!(!dir.exists());
        let path = parent.path().to_path_buf();
        drop(parent);
        assert!(!path.exists());
    }
}
