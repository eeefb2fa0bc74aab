//! The estimators `fit` uses, as pure functions of samples: maximum-likelihood fits of the
//! distributions the synthetic workload draws from (exponential, lognormal, Zipf), the first
//! harmonic of a daily rhythm, and Kolmogorov–Smirnov distances to say how well each fits.

use std::f64::consts::PI;

/// The median of `xs` (the mean of the two middle values for an even count); NaN when empty.
pub fn median(xs: &[f64]) -> f64 {
    if xs.is_empty() {
        return f64::NAN;
    }
    let mut v = xs.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

pub fn mean(xs: &[f64]) -> f64 {
    xs.iter().sum::<f64>() / xs.len() as f64
}

/// The lognormal fit of positive samples: `(mu, sigma)` of their logarithms (sigma with the
/// n − 1 denominator; 0 for one sample). Non-positive samples are left out.
pub fn lognormal_fit(xs: &[f64]) -> Option<(f64, f64)> {
    let logs: Vec<f64> = xs.iter().filter(|x| **x > 0.0).map(|x| x.ln()).collect();
    if logs.is_empty() {
        return None;
    }
    let mu = mean(&logs);
    let sigma = if logs.len() > 1 {
        (logs.iter().map(|l| (l - mu).powi(2)).sum::<f64>() / (logs.len() - 1) as f64).sqrt()
    } else {
        0.0
    };
    Some((mu, sigma))
}

/// The standard normal CDF, from erfc by Abramowitz & Stegun 7.1.26 (absolute error below
/// 1.5e-7: plenty for a KS distance).
pub fn normal_cdf(z: f64) -> f64 {
    let x = z.abs() / std::f64::consts::SQRT_2;
    let t = 1.0 / (1.0 + 0.327_591_1 * x);
    let poly = t
        * (0.254_829_592
            + t * (-0.284_496_736
                + t * (1.421_413_741 + t * (-1.453_152_027 + t * 1.061_405_429))));
    let erfc = poly * (-x * x).exp();
    if z >= 0.0 {
        1.0 - erfc / 2.0
    } else {
        erfc / 2.0
    }
}

/// The Kolmogorov–Smirnov distance between the samples' empirical CDF and `cdf`: the largest
/// gap, looked at on both sides of every step.
pub fn ks_distance(xs: &[f64], cdf: impl Fn(f64) -> f64) -> f64 {
    let mut v = xs.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len() as f64;
    v.iter()
        .enumerate()
        .map(|(i, &x)| {
            let f = cdf(x);
            (f - i as f64 / n).max((i + 1) as f64 / n - f)
        })
        .fold(0.0, f64::max)
}

/// KS distance to the exponential distribution of mean `m`.
pub fn ks_exponential(xs: &[f64], m: f64) -> f64 {
    ks_distance(xs, |x| 1.0 - (-x / m).exp())
}

/// KS distance to the lognormal distribution with log-mean `mu` and log-sd `sigma`.
pub fn ks_lognormal(xs: &[f64], mu: f64, sigma: f64) -> f64 {
    ks_distance(xs, |x| {
        if x <= 0.0 {
            0.0
        } else if sigma == 0.0 {
            if x.ln() >= mu {
                1.0
            } else {
                0.0
            }
        } else {
            normal_cdf((x.ln() - mu) / sigma)
        }
    })
}

/// `H(N, a) = Σ_{k=1..N} k^-a`.
fn harmonic(n: usize, a: f64) -> f64 {
    (1..=n).map(|k| (k as f64).powf(-a)).sum()
}

/// The Zipf exponent by maximum likelihood from how often each of `counts.len()` items was
/// picked (any order: they are ranked by count, the most picked first). The log-likelihood
/// `-a Σ c_k ln k - n ln H(N, a)` is concave in `a`, so a golden-section search over [0, 5]
/// finds its maximum (to 1e-6). `None` without at least two items and two picks.
pub fn zipf_fit(counts: &[u64]) -> Option<f64> {
    let mut c: Vec<u64> = counts.iter().copied().filter(|&x| x > 0).collect();
    c.sort_unstable_by(|a, b| b.cmp(a));
    let n: u64 = c.iter().sum();
    if c.len() < 2 || n < 2 {
        return None;
    }
    let s: f64 = c
        .iter()
        .enumerate()
        .map(|(k, &x)| x as f64 * ((k + 1) as f64).ln())
        .sum();
    let ll = |a: f64| -a * s - n as f64 * harmonic(c.len(), a).ln();
    let (mut lo, mut hi) = (0.0f64, 5.0f64);
    let g = (5f64.sqrt() - 1.0) / 2.0;
    let (mut x1, mut x2) = (hi - g * (hi - lo), lo + g * (hi - lo));
    let (mut f1, mut f2) = (ll(x1), ll(x2));
    while hi - lo > 1e-6 {
        if f1 < f2 {
            lo = x1;
            x1 = x2;
            f1 = f2;
            x2 = lo + g * (hi - lo);
            f2 = ll(x2);
        } else {
            hi = x2;
            x2 = x1;
            f2 = f1;
            x1 = hi - g * (hi - lo);
            f1 = ll(x1);
        }
    }
    Some((lo + hi) / 2.0)
}

/// KS distance between the picks' rank distribution (ranked by count) and Zipf(`a`) over as
/// many ranks.
pub fn ks_zipf(counts: &[u64], a: f64) -> f64 {
    let mut c: Vec<u64> = counts.iter().copied().filter(|&x| x > 0).collect();
    c.sort_unstable_by(|a, b| b.cmp(a));
    let n: u64 = c.iter().sum();
    let h = harmonic(c.len(), a);
    let (mut emp, mut model, mut d) = (0.0, 0.0, 0.0f64);
    for (k, &x) in c.iter().enumerate() {
        emp += x as f64 / n as f64;
        model += ((k + 1) as f64).powf(-a) / h;
        d = d.max((emp - model).abs());
    }
    d
}

/// A daily rhythm of arrival instants (seconds): the first harmonic of a rate
/// `λ(1 + a·cos(2π(t − peak)/24h))`. With `C = Σ cos ωt`, `S = Σ sin ωt` over n arrivals,
/// `E[C + iS] = n·(a/2)·e^{iω·peak}`, so `a = 2|C + iS|/n` and `peak = arg(C + iS)/ω`. The
/// Rayleigh test's p-value `exp(-|C + iS|²/n)` says whether the rhythm is real (a flat rate
/// gives `|C + iS|²/n` exponential with mean 1). Returns `(a, peak seconds in [0, 24h),
/// p)`.
pub fn diurnal_fit(times: &[f64]) -> Option<(f64, f64, f64)> {
    if times.len() < 2 {
        return None;
    }
    let w = 2.0 * PI / 86_400.0;
    let (c, s) = times.iter().fold((0.0, 0.0), |(c, s), t| {
        (c + (w * t).cos(), s + (w * t).sin())
    });
    let n = times.len() as f64;
    let r2 = c * c + s * s;
    let a = 2.0 * r2.sqrt() / n;
    let peak = (s.atan2(c) / w).rem_euclid(86_400.0);
    Some((a, peak, (-r2 / n).exp()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Median of 1, 5, 2, 8 = (2 + 5) / 2 = 3.5; of 3, 1, 2 = 2.
    #[test]
    fn medians() {
        assert_eq!(median(&[1.0, 5.0, 2.0, 8.0]), 3.5);
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
    }

    /// Samples e^0, e^1, e^2: logs 0, 1, 2, mean 1, variance (1 + 0 + 1) / 2 = 1.
    #[test]
    fn lognormal_of_known_logs() {
        let (mu, s) = lognormal_fit(&[1.0, 1f64.exp(), 2f64.exp()]).unwrap();
        assert!(
            (mu - 1.0).abs() < 1e-12 && (s - 1.0).abs() < 1e-12,
            "{mu} {s}"
        );
    }

    /// Φ(0) = 0.5, Φ(1.96) = 0.975002, Φ(−1) = 0.158655 (tables).
    #[test]
    fn normal_cdf_matches_tables() {
        assert!((normal_cdf(0.0) - 0.5).abs() < 1e-7);
        assert!((normal_cdf(1.96) - 0.975002).abs() < 1e-6);
        assert!((normal_cdf(-1.0) - 0.158655).abs() < 1e-6);
    }

    /// Samples 1, 2, 3 against the uniform CDF on [0, 4] (x/4): at 1, F = 0.25 vs steps 0 and
    /// 1/3 (gap 1/12); at 2, 0.5 vs 1/3, 2/3 (1/6); at 3, 0.75 vs 2/3, 1 (0.25): D = 0.25.
    #[test]
    fn ks_is_the_largest_step_gap() {
        let d = ks_distance(&[3.0, 1.0, 2.0], |x| x / 4.0);
        assert!((d - 0.25).abs() < 1e-12, "{d}");
    }

    /// Counts in exact Zipf(1) proportions over 4 ranks (12, 6, 4, 3: ∝ 1, 1/2, 1/3, 1/4) give
    /// a = 1: the likelihood's derivative −Σ c ln k + n·Σ k^-a ln k / H vanishes there because
    /// the empirical mean of ln k equals the model's. The KS distance is then 0.
    #[test]
    fn zipf_of_exact_proportions() {
        let counts = [3, 12, 4, 6];
        let a = zipf_fit(&counts).unwrap();
        assert!((a - 1.0).abs() < 1e-5, "{a}");
        assert!(ks_zipf(&counts, a) < 1e-5);
        // Equal counts: the flattest Zipf, a = 0.
        assert!(zipf_fit(&[5, 5, 5]).unwrap() < 1e-5);
        assert_eq!(zipf_fit(&[7]), None);
    }

    /// Arrivals at 14h on each of 10 days: every cos ω(t − 14h) = 1, so C + iS = 10·e^{iω·14h}:
    /// a = 2·10/10 = 2 (all at the peak), peak 14h = 50400 s, p = e^{−100/10} = e^{−10}.
    #[test]
    fn diurnal_peak_and_amplitude() {
        let t: Vec<f64> = (0..10).map(|d| d as f64 * 86_400.0 + 50_400.0).collect();
        let (a, peak, p) = diurnal_fit(&t).unwrap();
        assert!((a - 2.0).abs() < 1e-9, "{a}");
        assert!((peak - 50_400.0).abs() < 1e-6, "{peak}");
        assert!((p - (-10f64).exp()).abs() < 1e-12, "{p}");
    }
}
