//! The text `explain` prints: one image GC pass or eviction sync, as the kubelet saw and
//! decided it (see [`crate::explain`]). Reads the [`Explanation`] only.

use std::fmt::Write;

use crate::engine::SimTime;
use crate::explain::{Decision, EvictionSync, Explanation, GcPass, ImageRow, Verdict, WalkEnd};
use crate::units::{format_binary_size_1dec as size, format_go_duration};

fn dur(ns: SimTime) -> String {
    format_go_duration(ns.min(i64::MAX as u64) as i64)
}

fn sdur(ns: i64) -> String {
    format_go_duration(ns)
}

/// A byte count that may be negative (amountToFree).
fn ssize(b: i64) -> String {
    if b < 0 {
        format!("-{}", size(b.unsigned_abs()))
    } else {
        size(b as u64)
    }
}

/// `t (ago)` relative to the decision at `now`.
fn when(t: SimTime, now: SimTime) -> String {
    if t >= now {
        format!("{} (now)", dur(t))
    } else {
        format!("{} ({} ago)", dur(t), dur(now - t))
    }
}

/// Left-aligned columns, two spaces apart; the last column is not padded.
fn table(out: &mut String, indent: &str, rows: &[Vec<String>]) {
    let n = rows.iter().map(Vec::len).max().unwrap_or(0);
    let mut w = vec![0; n];
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            w[i] = w[i].max(c.chars().count());
        }
    }
    for r in rows {
        let mut line = String::from(indent);
        for (i, c) in r.iter().enumerate() {
            if i + 1 == r.len() {
                line.push_str(c);
            } else {
                line.push_str(c);
                line.extend(std::iter::repeat_n(' ', w[i] - c.chars().count() + 2));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
}

/// The explanation as text.
pub fn render(e: &Explanation) -> String {
    let mut out = String::new();
    let d = &e.decision;
    let (what, ts) = match d {
        Decision::ImageGc(g) => ("Image GC pass", &g.timestamp),
        Decision::EvictionSync(s) => ("Eviction sync", &s.timestamp),
    };
    let _ = write!(out, "{}: {what} at {}", e.scenario, dur(d.time_ns()));
    if let Some(ts) = ts {
        let _ = write!(out, " ({ts})");
    }
    out.push('\n');
    let p = e.passed_over;
    let mut asked = format!("  asked for: the first {} at or after ", e.request.what());
    if e.request.at_ns == 0 {
        asked += "the start";
    } else {
        asked += &format!(
            "{} (t = {} s)",
            dur(e.request.at_ns),
            crate::report::csv_recorder::format_seconds(e.request.at_ns)
        );
    }
    let mut skipped = Vec::new();
    if p.gc_passes > 0 {
        skipped.push(format!(
            "{} GC pass{} under the high threshold",
            p.gc_passes,
            if p.gc_passes == 1 { "" } else { "es" }
        ));
    }
    if p.eviction_syncs > 0 {
        skipped.push(format!(
            "{} eviction sync{} that met no threshold",
            p.eviction_syncs,
            if p.eviction_syncs == 1 { "" } else { "s" }
        ));
    }
    if !skipped.is_empty() {
        asked += &format!(
            "\n  passed over on the way, as they decided nothing: {}",
            skipped.join(", ")
        );
    }
    out.push_str(&asked);
    out.push_str("\n\n");
    match d {
        Decision::ImageGc(g) => render_gc(&mut out, g),
        Decision::EvictionSync(s) => render_sync(&mut out, s),
    }
    out
}

fn verdict_text(r: &ImageRow, min_age: SimTime, counted: Option<u64>) -> String {
    match &r.verdict {
        Verdict::Deleted => match counted {
            Some(c) => format!("deleted (counted so far: {})", size(c)),
            None => "deleted".to_string(),
        },
        Verdict::DeletedByAge { unused_ns } => match unused_ns {
            Some(u) => format!("deleted by MaxAge: unused for {}", dur(*u)),
            None => "deleted by MaxAge: never used".to_string(),
        },
        Verdict::InUse => {
            let mut s = format!("kept: in use by {}", r.used_by.join(", "));
            if r.pinned {
                s += "; pinned";
            }
            s
        }
        Verdict::Pinned => {
            "kept: pinned by the runtime (as containerd pins its sandbox image)".to_string()
        }
        Verdict::TooYoung { age_ns } => format!(
            "kept: first detected {} ago, under imageMinimumGCAge {}",
            dur(*age_ns),
            dur(min_age)
        ),
        Verdict::UsedNow => "kept: used at this instant".to_string(),
        Verdict::DeleteFailed { error } => format!("kept: RemoveImage failed: {error}"),
        Verdict::NotReached => "kept: not reached (enough freed before it)".to_string(),
        Verdict::NotWalked => "kept: freeSpace did not run".to_string(),
    }
}

/// The image table of a pass (or of `DeleteUnusedImages`).
/// What the image table needs besides the rows.
struct TableCtx {
    now: SimTime,
    min_age: SimTime,
    /// `imageMaximumGCAge`, when the MaxAge stage ran this pass.
    max_age_ran: Option<SimTime>,
    /// Show the reported bytes counted so far against a target (a GC pass's amountToFree;
    /// `DeleteUnusedImages` has none).
    counting: bool,
}

fn image_table(out: &mut String, indent: &str, images: &[ImageRow], ctx: &TableCtx) {
    let (now, min_age) = (ctx.now, ctx.min_age);
    let mut rows = vec![vec![
        "#".to_string(),
        "image".to_string(),
        "last used".to_string(),
        "first detected".to_string(),
        "reported".to_string(),
        "on disk".to_string(),
        "decision".to_string(),
    ]];
    let mut counted = 0u64;
    for r in images {
        let deleted = matches!(r.verdict, Verdict::Deleted);
        if deleted {
            counted += r.reported_bytes;
        }
        let freed = matches!(r.verdict, Verdict::Deleted | Verdict::DeletedByAge { .. });
        rows.push(vec![
            r.position.map_or("-".to_string(), |p| p.to_string()),
            r.image.clone(),
            r.last_used_ns.map_or("never".to_string(), |t| when(t, now)),
            dur(r.first_detected_ns),
            size(r.reported_bytes),
            if freed {
                size(r.on_disk_bytes)
            } else {
                format!("({})", size(r.on_disk_bytes))
            },
            {
                let mut v = verdict_text(r, min_age, (deleted && ctx.counting).then_some(counted));
                // The MaxAge stage looked at every candidate first.
                if let (Some(max), Some(lu), Some(_)) =
                    (ctx.max_age_ran, r.last_used_ns, r.position)
                {
                    if !matches!(r.verdict, Verdict::DeletedByAge { .. }) {
                        let age = format!(
                            "unused for {}, not over imageMaximumGCAge {}",
                            dur(now.saturating_sub(lu)),
                            dur(max)
                        );
                        v = match v.strip_prefix("kept: ") {
                            Some(rest) => format!("kept: {age}; {rest}"),
                            None => format!("{v}; the MaxAge stage had kept it ({age})"),
                        };
                    }
                }
                v
            },
        ]);
    }
    table(out, indent, &rows);
    let _ = writeln!(
        out,
        "{indent}reported: the size the runtime reports, which the kubelet counts. on disk: what the deletion freed\n{indent}(its layers no other image shares, with containerd's kept blobs); in parentheses, what deleting it would free."
    );
    let exited_only = images.iter().any(|r| {
        matches!(r.verdict, Verdict::InUse)
            && !r.used_by.is_empty()
            && r.used_by.iter().all(|u| u.ends_with("(exited)"))
    });
    if exited_only {
        let _ = writeln!(
            out,
            "{indent}exited: an exited container still holds its image; container GC keeps a pod's last one until the pod is deleted."
        );
    }
}

fn render_gc(out: &mut String, g: &GcPass) {
    let pol = g.policy;
    let _ = writeln!(
        out,
        "  Policy: imageGCHighThresholdPercent {}, imageGCLowThresholdPercent {}, imageMinimumGCAge {}, imageMaximumGCAge {}",
        pol.high_threshold_percent,
        pol.low_threshold_percent,
        dur(pol.min_age_ns),
        if pol.max_age_ns == 0 {
            "0s (off)".to_string()
        } else {
            dur(pol.max_age_ns)
        }
    );
    if pol.max_age_ns > 0 {
        let _ = writeln!(
            out,
            "  MaxAge stage: {} (the GC loop started at {}; it runs once the loop has run for longer than {})",
            if g.max_age_stage { "ran" } else { "not yet" },
            dur(g.gc_loop_started_ns),
            dur(pol.max_age_ns)
        );
        let by_age: Vec<&ImageRow> = g
            .images
            .iter()
            .filter(|r| matches!(r.verdict, Verdict::DeletedByAge { .. }))
            .collect();
        if !by_age.is_empty() {
            let _ = writeln!(
                out,
                "    deleted {} image{} unused for longer than {}: {} reported, {} on disk",
                by_age.len(),
                if by_age.len() == 1 { "" } else { "s" },
                dur(pol.max_age_ns),
                size(by_age.iter().map(|r| r.reported_bytes).sum()),
                size(by_age.iter().map(|r| r.on_disk_bytes).sum())
            );
        }
    }
    match g.filesystem {
        None => {
            let _ = writeln!(
                out,
                "  The pass failed before reading the image filesystem."
            );
        }
        Some(fs) => {
            let _ = writeln!(
                out,
                "  Image filesystem (ImageFsStats): capacity {} ({}), available {} ({})",
                size(fs.capacity_bytes),
                fs.capacity_bytes,
                size(fs.available_bytes),
                fs.available_bytes
            );
            let free_pct = if fs.capacity_bytes == 0 {
                0
            } else {
                (fs.available_bytes as u128 * 100 / fs.capacity_bytes as u128) as i64
            };
            let _ = writeln!(
                out,
                "  usage = 100 - available*100/capacity = 100 - {free_pct} = {}%: {} the high threshold {}%",
                fs.usage_percent,
                if g.over_high_threshold {
                    "at or over"
                } else {
                    "under"
                },
                pol.high_threshold_percent
            );
            if let Some(a) = g.amount_to_free {
                let target = (fs.capacity_bytes as i128 * (100 - pol.low_threshold_percent as i128)
                    / 100) as i64;
                let _ = writeln!(
                    out,
                    "  amountToFree = capacity*(100-{})/100 - available = {target} - {} = {a} bytes ({}), to bring usage down to {}%",
                    pol.low_threshold_percent,
                    fs.available_bytes,
                    ssize(a),
                    pol.low_threshold_percent
                );
            } else {
                let _ = writeln!(out, "  Under the high threshold: freeSpace does not run.");
            }
        }
    }
    out.push('\n');
    let _ = writeln!(
        out,
        "  Images, in the order the kubelet walks them (least recently used first; ties: first detected, then image ID), then those it never considers:"
    );
    image_table(
        out,
        "    ",
        &g.images,
        &TableCtx {
            now: g.time_ns,
            min_age: pol.min_age_ns,
            max_age_ran: g.max_age_stage.then_some(pol.max_age_ns),
            counting: g.amount_to_free.is_some(),
        },
    );
    out.push('\n');
    if let (Some(a), Some(end)) = (g.amount_to_free, g.walk_end) {
        let space: u64 = g
            .images
            .iter()
            .filter(|r| matches!(r.verdict, Verdict::Deleted))
            .map(|r| r.reported_bytes)
            .sum();
        match end {
            WalkEnd::FreedEnough => {
                let last = g
                    .images
                    .iter()
                    .filter(|r| matches!(r.verdict, Verdict::Deleted))
                    .filter_map(|r| r.position)
                    .max();
                let _ = writeln!(
                    out,
                    "  The walk stopped after #{}: the reported bytes freed, {space}, reached amountToFree, {a}.",
                    last.map_or("?".to_string(), |p| p.to_string())
                );
            }
            WalkEnd::RanOutOfCandidates => {
                let _ = writeln!(
                    out,
                    "  The walk ran out of candidates: the reported bytes freed, {space}, {} amountToFree, {a}{}.",
                    if (space as i128) < a as i128 { "fall short of" } else { "reach" },
                    if (space as i128) < a as i128 {
                        " → FreeDiskSpaceFailed"
                    } else {
                        ""
                    }
                );
            }
        }
    }
    if let (Some(a), Some(WalkEnd::RanOutOfCandidates)) = (g.amount_to_free, g.walk_end) {
        let short = (g.freed_reported_bytes as i128) < a as i128;
        if short && g.freed_on_disk_bytes as i128 >= a as i128 {
            let _ = writeln!(
                out,
                "  Yet on disk the pass freed {} bytes ({}), more than amountToFree: usage after it is {}%{}. The kubelet counts reported sizes, not bytes on disk.",
                g.freed_on_disk_bytes,
                size(g.freed_on_disk_bytes),
                g.after.usage_percent,
                if g.after.usage_percent <= pol.low_threshold_percent as i64 {
                    format!(", at or under the low threshold {}%", pol.low_threshold_percent)
                } else {
                    String::new()
                }
            );
        }
    }
    let ratio = if g.freed_reported_bytes > 0 && g.freed_on_disk_bytes != g.freed_reported_bytes {
        format!(
            " ({:.1}× what it counted)",
            g.freed_on_disk_bytes as f64 / g.freed_reported_bytes as f64
        )
    } else {
        String::new()
    };
    let _ = writeln!(
        out,
        "  Freed {} as the kubelet counts it (reported sizes), {} on disk{ratio}; usage after the pass: {}% ({} available).",
        size(g.freed_reported_bytes),
        size(g.freed_on_disk_bytes),
        g.after.usage_percent,
        size(g.after.available_bytes)
    );
    if let Some(e) = &g.error {
        // FreeDiskSpaceFailed's text is the error: the event below says it.
        if !g.events.iter().any(|ev| &ev.message == e) {
            let _ = writeln!(out, "  GarbageCollect returned an error: {e}");
        }
    }
    events(out, &g.events);
}

fn events(out: &mut String, events: &[crate::explain::EventView]) {
    if events.is_empty() {
        return;
    }
    let _ = writeln!(out, "  Events (as in events.csv):");
    for e in events {
        let _ = writeln!(out, "    {} {}: {}", e.reason, e.object, e.message);
    }
}

fn yes(b: bool) -> String {
    if b { "yes" } else { "no" }.to_string()
}

/// A signal's amount: bytes as sizes, inodes as counts.
fn amount(signal: &str, v: i64) -> String {
    if signal.ends_with("inodesFree") {
        v.to_string()
    } else {
        ssize(v)
    }
}

fn render_sync(out: &mut String, s: &EvictionSync) {
    let now = s.time_ns;
    let _ = writeln!(out, "  Observations (the Summary API):");
    let rows: Vec<Vec<String>> = s
        .observations
        .iter()
        .map(|o| {
            vec![
                o.signal.clone(),
                format!(
                    "{} of {} available",
                    amount(&o.signal, o.available),
                    amount(&o.signal, o.capacity)
                ),
                format!("({} of {})", o.available, o.capacity),
            ]
        })
        .collect();
    table(out, "    ", &rows);
    out.push('\n');
    let _ = writeln!(
        out,
        "  Thresholds (hard before soft; met when available < quantity):"
    );
    let mut rows = vec![vec![
        "signal".to_string(),
        "value".to_string(),
        "quantity".to_string(),
        "available".to_string(),
        "met now".to_string(),
        "first observed".to_string(),
        "grace period".to_string(),
        "passed grace".to_string(),
        "acted on".to_string(),
    ]];
    let mut unweighed = Vec::new();
    for t in &s.thresholds {
        let (Some(q), Some(avail), true) = (t.quantity, t.available, t.can_be_met) else {
            if t.can_be_met && !unweighed.contains(&t.signal) {
                unweighed.push(t.signal.clone());
            }
            continue;
        };
        let mut value = t.value.clone();
        if let Some(m) = t.min_reclaim {
            value += &format!(" (+{} min-reclaim)", amount(&t.signal, m));
        }
        rows.push(vec![
            t.signal.clone(),
            value,
            amount(&t.signal, q),
            amount(&t.signal, avail),
            if t.carried_over {
                "no, but carried over until min-reclaim".to_string()
            } else {
                yes(t.met_now)
            },
            t.first_observed_ns
                .map_or("-".to_string(), |f| when(f, now)),
            if t.hard {
                "0s (hard)".to_string()
            } else {
                sdur(t.grace_period_ns)
            },
            if t.met_now || t.carried_over {
                yes(t.passed_grace)
            } else {
                "-".to_string()
            },
            yes(t.acted_on),
        ]);
    }
    table(out, "    ", &rows);
    if s.thresholds
        .iter()
        .any(|t| t.signal.starts_with("containerfs."))
    {
        let _ = writeln!(
            out,
            "    containerfs.*: the kubelet's own copies of the thresholds of the filesystem holding the writable layers (nodefs here, imagefs when dedicated; KEP-4191)"
        );
    }
    if !unweighed.is_empty() {
        let _ = writeln!(
            out,
            "    not observed here, so never met: {}",
            unweighed.join(", ")
        );
    }
    out.push('\n');
    let c = &s.conditions;
    let list = |v: &[String]| {
        if v.is_empty() {
            "none".to_string()
        } else {
            v.join(", ")
        }
    };
    let _ = writeln!(
        out,
        "  Node conditions: observed now {}; reported {}; before this sync {}",
        list(&c.observed_now),
        list(&c.reported),
        list(&c.reported_before)
    );
    for r in c.reported.iter().filter(|r| !c.observed_now.contains(r)) {
        if let Some((_, at)) = c.last_observed_ns.iter().find(|(n, _)| n == r) {
            let _ = writeln!(
                out,
                "    {r} is still reported: last observed at {}, within evictionPressureTransitionPeriod {}",
                when(*at, now),
                sdur(c.transition_period_ns)
            );
        }
    }
    if let Some(a) = &s.acted_on {
        let _ = writeln!(out, "  Acted on {} (resource {}).", a.signal, a.resource);
    }
    if !s.reclaim.is_empty() {
        let _ = writeln!(out, "  Node-level reclaim, before evicting any pod:");
        for r in &s.reclaim {
            let mut line = format!("    {}: ", r.function);
            if r.function == "DeleteUnusedImages" {
                let deleted: Vec<&ImageRow> = r
                    .images
                    .iter()
                    .filter(|i| matches!(i.verdict, Verdict::Deleted))
                    .collect();
                line += &format!(
                    "deleted {} image{} ({} reported, {} on disk)",
                    deleted.len(),
                    if deleted.len() == 1 { "" } else { "s" },
                    size(deleted.iter().map(|i| i.reported_bytes).sum()),
                    size(deleted.iter().map(|i| i.on_disk_bytes).sum())
                );
                let kept =
                    |f: fn(&Verdict) -> bool| r.images.iter().filter(|i| f(&i.verdict)).count();
                let in_use = kept(|v| matches!(v, Verdict::InUse));
                let pinned = kept(|v| matches!(v, Verdict::Pinned));
                let young = kept(|v| matches!(v, Verdict::TooYoung { .. }));
                let mut k = Vec::new();
                if in_use > 0 {
                    k.push(format!("{in_use} in use"));
                }
                if pinned > 0 {
                    k.push(format!("{pinned} pinned"));
                }
                if young > 0 {
                    k.push(format!("{young} younger than imageMinimumGCAge"));
                }
                if !k.is_empty() {
                    line += &format!("; kept {}", k.join(", "));
                }
            } else {
                line += &format!(
                    "removed {} container{}",
                    r.containers_removed,
                    if r.containers_removed == 1 { "" } else { "s" }
                );
            }
            line += &format!("; {} more available", size(r.freed_bytes));
            if let Some(e) = &r.error {
                line += &format!("; error: {e}");
            }
            let _ = writeln!(out, "{line}");
            if r.function == "DeleteUnusedImages" && !r.images.is_empty() {
                image_table(
                    out,
                    "      ",
                    &r.images,
                    &TableCtx {
                        now,
                        min_age: s.min_age_ns,
                        max_age_ran: None,
                        counting: false,
                    },
                );
            }
        }
        if let Some(after) = &s.after_reclaim {
            let obs: Vec<String> = after
                .iter()
                .map(|o| format!("{} {}", o.signal, amount(&o.signal, o.available)))
                .collect();
            let _ = writeln!(out, "    after reclaim: {}", obs.join(", "));
        }
        match s.reclaim_resolved {
            Some(true) => {
                let _ = writeln!(
                    out,
                    "    every threshold is now clear, with its min-reclaim: no pod is evicted"
                );
            }
            Some(false) => {
                let still: Vec<String> = s
                    .thresholds
                    .iter()
                    .filter(|t| t.can_be_met)
                    .filter_map(|t| {
                        let q = t.quantity?;
                        let m = t.min_reclaim.unwrap_or(0);
                        let a = s
                            .after_reclaim
                            .as_ref()?
                            .iter()
                            .find(|o| o.signal == t.signal)?;
                        (a.available < q.saturating_add(m)).then(|| {
                            if m > 0 {
                                format!(
                                    "{} {} < {} + {} min-reclaim",
                                    t.signal,
                                    amount(&t.signal, a.available),
                                    amount(&t.signal, q),
                                    amount(&t.signal, m)
                                )
                            } else {
                                format!(
                                    "{} {} < {}",
                                    t.signal,
                                    amount(&t.signal, a.available),
                                    amount(&t.signal, q)
                                )
                            }
                        })
                    })
                    .collect();
                let _ = writeln!(
                    out,
                    "    still met, with min-reclaim: {}; so the pods are ranked",
                    still.join(", ")
                );
            }
            None => {}
        }
    }
    if let Some(r) = &s.ranking {
        out.push('\n');
        let _ = writeln!(
            out,
            "  Pods ranked for {} (usage over {}): over their request first, then lower priority, then more usage above the request:",
            r.resource,
            r.counted.join(", ")
        );
        let mut rows = vec![vec![
            "rank".to_string(),
            "pod".to_string(),
            "usage".to_string(),
            "request".to_string(),
            "over request".to_string(),
            "priority".to_string(),
            "".to_string(),
        ]];
        let evicted: Vec<&str> = s.evicted.iter().map(|e| e.pod.as_str()).collect();
        for (i, p) in r.pods.iter().enumerate() {
            let note = if evicted.contains(&p.pod.as_str()) {
                "← evicted"
            } else if p.critical {
                "critical: never evicted"
            } else {
                ""
            };
            rows.push(vec![
                (i + 1).to_string(),
                p.pod.clone(),
                if p.has_stats {
                    amount(&r.resource, p.usage)
                } else {
                    "no stats".to_string()
                },
                ssize(p.request),
                yes(p.exceeds_request),
                p.priority.to_string(),
                note.to_string(),
            ]);
        }
        table(out, "    ", &rows);
    }
    for e in &s.evicted {
        let _ = writeln!(
            out,
            "  Evicted {} ({}{}), grace {} s: {}",
            e.pod,
            e.signal,
            if e.limit_eviction {
                ", over its local-storage limit"
            } else {
                ""
            },
            e.grace_seconds,
            e.message
        );
    }
    out.push('\n');
    let _ = writeln!(out, "  The sync ended: {}.", s.end);
    for w in &s.warnings {
        let _ = writeln!(out, "  The kubelet logs: {w}");
    }
    if let Some(e) = &s.error {
        let _ = writeln!(out, "  synchronize returned an error: {e}");
    }
    events(out, &s.events);
}
