//! `diff SWEEP_A SWEEP_B`: two sweeps over the same grid, point by point, from their
//! `sweep.csv` files alone. For each point and metric: both means and the change of the mean
//! with its 95 % confidence interval. Replicates that ran with the same seed in both sweeps
//! are paired (the same workload under two settings), so the interval is the paired one: the
//! Student-t interval of the per-replicate differences, much narrower than one from two
//! independent samples when the workload's own variation dominates. Replicates whose seeds
//! differ are compared as independent samples (Welch's interval).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use anyhow::{bail, Context, Result};

use super::stats::{fmt_num, stat, t975};

/// A replicate's row: its number, its seed (as written) and its metric values.
pub type ReplicateRow = (u32, String, Vec<f64>);

/// One sweep's rows: per point (its axis values, in file order of first appearance), the
/// replicates' seeds and metric values.
#[derive(Debug, Clone, Default)]
pub struct SweepRows {
    pub axes: Vec<String>,
    pub metrics: Vec<String>,
    /// Points in file order: axis values, then (replicate, seed, metric values) rows.
    pub points: Vec<(Vec<String>, Vec<ReplicateRow>)>,
}

/// Reads `sweep.csv` of a sweep's output directory.
pub fn read_sweep(dir: &Path) -> Result<SweepRows> {
    let p = dir.join("sweep.csv");
    let mut r = csv::Reader::from_path(&p).with_context(|| {
        format!(
            "cannot read {}: diff of sweeps compares two sweep output directories",
            p.display()
        )
    })?;
    let h: Vec<String> = r
        .headers()
        .with_context(|| format!("cannot read {}", p.display()))?
        .iter()
        .map(str::to_string)
        .collect();
    let pos = |name: &str| {
        h.iter()
            .position(|c| c == name)
            .with_context(|| format!("{}: no {name} column: not a sweep.csv", p.display()))
    };
    let (rep, scen, seed) = (pos("replicate")?, pos("scenario")?, pos("seed")?);
    if !(rep < scen && scen < seed) {
        bail!("{}: columns out of order: not a sweep.csv", p.display());
    }
    let axes: Vec<String> = h[rep + 1..scen].to_vec();
    let metrics: Vec<String> = h[seed + 1..].to_vec();
    let mut out = SweepRows {
        axes,
        metrics,
        points: Vec::new(),
    };
    let mut index: BTreeMap<Vec<String>, usize> = BTreeMap::new();
    for (i, row) in r.records().enumerate() {
        let line = i + 2;
        let row = row.with_context(|| format!("{}: line {line}", p.display()))?;
        let key: Vec<String> = (rep + 1..scen)
            .map(|c| row.get(c).unwrap_or("").to_string())
            .collect();
        let replicate: u32 =
            row.get(rep).unwrap_or("").parse().with_context(|| {
                format!("{}:{line}: replicate: not a whole number", p.display())
            })?;
        let values: Vec<f64> = (seed + 1..h.len())
            .map(|c| row.get(c).unwrap_or("").parse::<f64>().unwrap_or(f64::NAN))
            .collect();
        let slot = *index.entry(key.clone()).or_insert_with(|| {
            out.points.push((key, Vec::new()));
            out.points.len() - 1
        });
        out.points[slot]
            .1
            .push((replicate, row.get(seed).unwrap_or("").to_string(), values));
    }
    Ok(out)
}

/// The change of one metric's mean at one point.
#[derive(Debug, Clone, PartialEq)]
pub struct PointDelta {
    pub a_mean: f64,
    pub b_mean: f64,
    /// B − A of the means.
    pub delta: f64,
    /// Half-width of the 95 % interval of `delta`, when there are enough replicates.
    pub ci95: Option<f64>,
    /// Replicate pairs with the same seed (0: compared as independent samples).
    pub paired: usize,
}

impl PointDelta {
    /// Whether the interval excludes 0 (a change the replicates show beyond their noise); an
    /// exact change (no spread at all) counts when it is not 0.
    pub fn significant(&self) -> bool {
        match self.ci95 {
            Some(h) => self.delta.abs() > h,
            None => false,
        }
    }
}

/// The change of `a`'s values to `b`'s: paired by seed when every replicate of `b` has a
/// replicate of `a` with its seed (then the differences' Student-t interval), else Welch's.
pub fn point_delta(a: &[(String, f64)], b: &[(String, f64)]) -> PointDelta {
    let mean = |v: &[(String, f64)]| v.iter().map(|x| x.1).sum::<f64>() / v.len().max(1) as f64;
    let (a_mean, b_mean) = (mean(a), mean(b));
    let pairs: Vec<f64> = b
        .iter()
        .filter_map(|(seed, vb)| a.iter().find(|(s, _)| s == seed).map(|(_, va)| vb - va))
        .collect();
    if !a.is_empty() && pairs.len() == b.len() && pairs.len() == a.len() {
        let s = stat(&pairs);
        return PointDelta {
            a_mean,
            b_mean,
            delta: s.mean,
            ci95: s.ci95,
            paired: pairs.len(),
        };
    }
    let xa: Vec<f64> = a.iter().map(|x| x.1).collect();
    let xb: Vec<f64> = b.iter().map(|x| x.1).collect();
    let (sa, sb) = (stat(&xa), stat(&xb));
    let ci95 = match (sa.sd, sb.sd) {
        (Some(da), Some(db)) => {
            let (va, vb) = (da * da / xa.len() as f64, db * db / xb.len() as f64);
            let se = (va + vb).sqrt();
            if se == 0.0 {
                Some(0.0)
            } else {
                // Welch–Satterthwaite degrees of freedom, rounded down (conservative).
                let df = (va + vb).powi(2)
                    / (va * va / (xa.len() - 1) as f64 + vb * vb / (xb.len() - 1) as f64);
                Some(t975(df.floor().max(1.0) as usize) * se)
            }
        }
        _ => None,
    };
    PointDelta {
        a_mean,
        b_mean,
        delta: b_mean - a_mean,
        ci95,
        paired: 0,
    }
}

/// Both sweeps compared.
#[derive(Debug, Clone)]
pub struct SweepDiff {
    pub axes: Vec<String>,
    pub metrics: Vec<String>,
    /// Points of both, in A's order: axis values, one delta per metric.
    pub points: Vec<(Vec<String>, Vec<PointDelta>)>,
    pub only_a: usize,
    pub only_b: usize,
}

pub fn diff_sweeps(a: &Path, b: &Path) -> Result<SweepDiff> {
    let (ra, rb) = (read_sweep(a)?, read_sweep(b)?);
    if ra.axes != rb.axes {
        bail!(
            "the sweeps have different axes ({} vs {}): diff compares sweeps over the same grid",
            ra.axes.join(", "),
            rb.axes.join(", ")
        );
    }
    let metrics: Vec<String> = ra
        .metrics
        .iter()
        .filter(|m| rb.metrics.contains(m) && m.as_str() != "events_processed")
        .cloned()
        .collect();
    let col = |r: &SweepRows, m: &str| r.metrics.iter().position(|x| x == m).expect("common");
    let mut points = Vec::new();
    let mut only_a = 0;
    for (key, reps_a) in &ra.points {
        let Some((_, reps_b)) = rb.points.iter().find(|(k, _)| k == key) else {
            only_a += 1;
            continue;
        };
        let deltas = metrics
            .iter()
            .map(|m| {
                let (ca, cb) = (col(&ra, m), col(&rb, m));
                let va: Vec<(String, f64)> =
                    reps_a.iter().map(|(_, s, v)| (s.clone(), v[ca])).collect();
                let vb: Vec<(String, f64)> =
                    reps_b.iter().map(|(_, s, v)| (s.clone(), v[cb])).collect();
                point_delta(&va, &vb)
            })
            .collect();
        points.push((key.clone(), deltas));
    }
    let only_b = rb
        .points
        .iter()
        .filter(|(k, _)| !ra.points.iter().any(|(ka, _)| ka == k))
        .count();
    Ok(SweepDiff {
        axes: ra.axes,
        metrics,
        points,
        only_a,
        only_b,
    })
}

/// The columns `sweep_diff.csv` has per metric.
const PER_METRIC: [&str; 5] = ["a_mean", "b_mean", "delta", "delta_ci95", "paired"];

impl SweepDiff {
    /// `sweep_diff.csv`: a row per common point: its axis values, then per metric A's and
    /// B's means, the change, its interval's half-width and the number of seed pairs.
    pub fn csv(&self) -> Result<String> {
        let mut head: Vec<String> = self.axes.clone();
        for m in &self.metrics {
            for c in PER_METRIC {
                head.push(format!("{m}_{c}"));
            }
        }
        let mut rows = vec![head];
        for (key, deltas) in &self.points {
            let mut row = key.clone();
            for d in deltas {
                row.push(fmt_num(d.a_mean));
                row.push(fmt_num(d.b_mean));
                row.push(fmt_num(d.delta));
                row.push(d.ci95.map(fmt_num).unwrap_or_default());
                row.push(d.paired.to_string());
            }
            rows.push(row);
        }
        Ok(String::from_utf8(super::csv_bytes(rows)?)?)
    }

    /// What `diff` prints: per metric that changes anywhere, how many points changed and by
    /// how much, then the points of the headline metrics.
    pub fn render(&self, a: &str, b: &str, headline: &[String]) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "{} points in both ({a} vs {b}){}",
            self.points.len(),
            match (self.only_a, self.only_b) {
                (0, 0) => String::new(),
                (x, y) => format!("; {x} only in {a}, {y} only in {b}"),
            }
        );
        let paired: usize = self
            .points
            .iter()
            .map(|(_, d)| d.first().map_or(0, |d| d.paired))
            .sum();
        let _ = writeln!(
            s,
            "replicates paired by seed: {paired} (the interval of a paired change is that of the per-seed differences)"
        );
        let _ = writeln!(s);
        let _ = writeln!(
            s,
            "metric: points changed (beyond the 95 % interval) / points that differ; mean change"
        );
        for (i, m) in self.metrics.iter().enumerate() {
            let ds: Vec<&PointDelta> = self.points.iter().map(|(_, d)| &d[i]).collect();
            let differ = ds.iter().filter(|d| d.delta != 0.0).count();
            if differ == 0 {
                continue;
            }
            let sig = ds.iter().filter(|d| d.significant()).count();
            let mean = ds.iter().map(|d| d.delta).sum::<f64>() / ds.len().max(1) as f64;
            let _ = writeln!(
                s,
                "  {m}: {sig} / {differ}; mean change {}",
                signed(m, mean)
            );
        }
        for m in headline {
            let Some(i) = self.metrics.iter().position(|x| x == m) else {
                continue;
            };
            if self.points.iter().all(|(_, d)| d[i].delta == 0.0) {
                continue;
            }
            let _ = writeln!(
                s,
                "\n{m} where it differs ({}: A → B, change ± 95 %; * beyond the interval):",
                self.axes.join(", ")
            );
            let mut same = 0;
            for (key, d) in &self.points {
                let d = &d[i];
                if d.delta == 0.0 && d.a_mean == d.b_mean {
                    same += 1;
                    continue;
                }
                let ci = d
                    .ci95
                    .map(|h| format!(" ± {}", short(m, h)))
                    .unwrap_or_default();
                let _ = writeln!(
                    s,
                    "  {}: {} → {}  {}{ci}{}",
                    key.join(", "),
                    short(m, d.a_mean),
                    short(m, d.b_mean),
                    signed(m, d.delta),
                    if d.significant() { " *" } else { "" }
                );
            }
            if same > 0 {
                let _ = writeln!(s, "  ({same} points the same)");
            }
        }
        s
    }
}

fn signed(metric: &str, x: f64) -> String {
    if x > 0.0 {
        format!("+{}", short(metric, x))
    } else {
        short(metric, x)
    }
}

/// A number to read: a byte metric's in binary units with one decimal (the kubelet's own
/// size text), others whole from 1000 on (seconds, counts), else at most 3 decimals (the
/// CSV keeps the full numbers).
fn short(metric: &str, x: f64) -> String {
    if metric.contains("bytes") && x.abs() >= 1024.0 {
        let text = crate::units::format_binary_size_1dec(x.abs().round() as u64);
        if x < 0.0 {
            format!("-{text}")
        } else {
            text
        }
    } else if x.abs() >= 1000.0 {
        fmt_num(x.round())
    } else {
        fmt_num((x * 1000.0).round() / 1000.0)
    }
}

/// The files a sweep `diff` writes.
pub const SWEEP_DIFF_FILES: [&str; 2] = ["sweep_diff.csv", "diff.txt"];

/// Compares the sweeps in `a` and `b`, writes `sweep_diff.csv` and `diff.txt` into `out`
/// (atomically, whole) and returns the text.
pub fn write_sweep_diff(a: &Path, b: &Path, out: &Path, headline: &[String]) -> Result<String> {
    let d = diff_sweeps(a, b)?;
    let name = |p: &Path| {
        p.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| p.display().to_string())
    };
    let text = d.render(&name(a), &name(b), headline);
    let dir = crate::report::OutputDir::create(out, &|f| SWEEP_DIFF_FILES.contains(&f))?;
    let written = (|| -> Result<()> {
        for (f, body) in [("sweep_diff.csv", d.csv()?), ("diff.txt", text.clone())] {
            std::fs::write(dir.file(f), body)
                .with_context(|| format!("cannot write {}", dir.file(f).display()))?;
        }
        Ok(())
    })();
    match written {
        Ok(()) => {
            dir.commit()?;
            Ok(text)
        }
        Err(e) => Err(dir.explain(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(pairs: &[(&str, f64)]) -> Vec<(String, f64)> {
        pairs.iter().map(|(s, x)| (s.to_string(), *x)).collect()
    }

    /// Seeds 1, 2, 3: A = 10, 20, 30; B = 12, 23, 31. Differences 2, 3, 1: mean 2, sd 1
    /// (variance ((0)² + 1² + (−1)²) / 2 = 1), t(2) = 4.302653, half-width 4.302653 · 1 / √3
    /// = 2.484138. Unpaired (Welch) the same numbers give a far wider interval: both sds are
    /// 10 and 9.539392; se = √(100/3 + 91/3) = 7.979140; df = (63.667)² / ((33.333)² / 2 +
    /// (30.333)² / 2) = 3.991 → 3; t(3) = 3.182446; half-width 25.393.
    #[test]
    fn same_seeds_are_paired_others_are_not() {
        let a = v(&[("1", 10.0), ("2", 20.0), ("3", 30.0)]);
        let b = v(&[("1", 12.0), ("2", 23.0), ("3", 31.0)]);
        let d = point_delta(&a, &b);
        assert_eq!(
            (d.a_mean, d.b_mean, d.delta, d.paired),
            (20.0, 22.0, 2.0, 3)
        );
        assert!((d.ci95.unwrap() - 2.484138).abs() < 1e-5, "{d:?}");
        assert!(!d.significant());
        let b2 = v(&[("7", 12.0), ("8", 23.0), ("9", 31.0)]);
        let d = point_delta(&a, &b2);
        assert_eq!((d.delta, d.paired), (2.0, 0));
        assert!((d.ci95.unwrap() - 25.393).abs() < 1e-3, "{d:?}");
        // Differences 5, 5, 6: mean 5.333, sd 0.57735, half-width 4.302653 · 0.57735 / √3
        // = 1.434218 < 5.333: a change beyond the noise.
        let b3 = v(&[("1", 15.0), ("2", 25.0), ("3", 36.0)]);
        let d = point_delta(&a, &b3);
        assert!((d.ci95.unwrap() - 1.434218).abs() < 1e-5, "{d:?}");
        assert!(d.significant());
    }
}
