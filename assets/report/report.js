// report.html's script (embedded by src/report/html.rs; no network, no library).
//
// Reads the JSON in #report-data and draws, on one canvas, the imagefs usage chart (threshold
// lines, DiskPressure shading) and the event strips under it, for the current view [t0, t1].
// Each pixel column draws the value at its start, the minimum and the maximum of the points
// inside it and the value at its end, so a peak shows at every zoom. Zoom: drag across the
// chart, the wheel at the cursor, the buttons; shift-drag moves; double-click zooms out; the
// view is kept in the address (#t=START,END, seconds). Table rows move the view to their
// instant. Errors go to #errors (the browser test requires it empty).
'use strict';

(function () {
  const errorsEl = document.getElementById('errors');
  function fail(msg) {
    errorsEl.textContent += msg + '\n';
    errorsEl.hidden = false;
  }
  window.addEventListener('error', (e) => fail('error: ' + e.message));
  const consoleError = console.error;
  console.error = function () {
    fail(Array.prototype.join.call(arguments, ' '));
    consoleError.apply(console, arguments);
  };

  // ---- Data ----
  const D = JSON.parse(document.getElementById('report-data').textContent);
  const tEnd = D.t_end > 0 ? D.t_end : 1;
  const MIN_SPAN = Math.min(1, tEnd); // seconds: the closest zoom
  const hasWall = D.start_unix_ms !== null;

  // Times are embedded as differences, in ms or in units of `unit` ms.
  function times(deltas, unit) {
    const out = new Float64Array(deltas.length);
    let acc = 0;
    for (let i = 0; i < deltas.length; i++) {
      acc += deltas[i];
      out[i] = acc * unit / 1000;
    }
    return out;
  }
  // A table's rows from its columns; `t` (seconds) from `time_s`.
  function rows(table) {
    const out = [];
    const keys = Object.keys(table.columns);
    for (let i = 0; i < table.rows; i++) {
      const r = {};
      for (const k of keys) r[k] = table.columns[k][i];
      r.t = +r.time_s;
      out.push(r);
    }
    return { total: table.total, rows: out };
  }
  const UT = times(D.usage.t, D.usage.t_unit_ms);
  const UV = Float64Array.from(D.usage.v);
  const strips = D.strips.map((s) => ({
    name: s.name, colour: s.colour, total: s.total, bin: s.bin_s,
    T: times(s.t, 1), N: s.n,
  }));

  // First index i with a[i] > x (a sorted).
  function upper(a, x) {
    let lo = 0, hi = a.length;
    while (lo < hi) {
      const m = (lo + hi) >> 1;
      if (a[m] <= x) lo = m + 1; else hi = m;
    }
    return lo;
  }
  // First index i with a[i] >= x.
  function lower(a, x) {
    let lo = 0, hi = a.length;
    while (lo < hi) {
      const m = (lo + hi) >> 1;
      if (a[m] < x) lo = m + 1; else hi = m;
    }
    return lo;
  }

  // ---- Formatting ----
  function pad(n, w) { return String(n).padStart(w, '0'); }
  function num(v) {
    const r = Math.round(v * 100) / 100;
    return String(r);
  }
  // Run time: "2d 03:04:05.250" (as precise as `digits` fraction digits).
  function runTime(t, digits) {
    const neg = t < 0; t = Math.abs(t);
    let whole = Math.floor(t + 1e-9);
    let frac = '';
    if (digits > 0) {
      const f = Math.round((t - whole) * Math.pow(10, digits));
      if (f >= Math.pow(10, digits)) whole += 1;
      else if (f > 0) frac = '.' + pad(f, digits).replace(/0+$/, '');
    }
    const d = Math.floor(whole / 86400), h = Math.floor(whole / 3600) % 24;
    const m = Math.floor(whole / 60) % 60, s = whole % 60;
    return (neg ? '−' : '') + (d > 0 ? d + 'd ' : '') + pad(h, 2) + ':' + pad(m, 2) + ':' + pad(s, 2) + frac;
  }
  function wallIso(t) {
    if (!hasWall) return '';
    return new Date(D.start_unix_ms + t * 1000).toISOString().replace('.000Z', 'Z');
  }
  // Tick labels at a step of `step` seconds.
  function runTick(t, step) {
    const d = Math.floor(t / 86400 + 1e-9);
    if (step >= 86400) return d + 'd';
    const full = runTime(t, step < 1 ? 3 : 0);
    if (step >= 60) return full.replace(/:\d\d(\.\d+)?$/, '');
    return full;
  }
  function wallTick(t, step) {
    const iso = wallIso(t); // 2026-03-18T06:47:29.500Z
    if (step >= 86400) return iso.slice(0, 10);
    if (step >= 60) return iso.slice(5, 10) + ' ' + iso.slice(11, 16);
    return iso.slice(11, step < 1 ? 23 : 19);
  }
  function span(s) {
    if (s >= 86400 * 2) return num(s / 86400) + ' days';
    if (s >= 7200) return num(s / 3600) + ' h';
    if (s >= 120) return num(s / 60) + ' min';
    return num(s) + ' s';
  }
  function bytes(b) {
    if (b === null || b === undefined) return '';
    const u = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    let i = 0, v = b;
    while (v >= 1024 && i < u.length - 1) { v /= 1024; i++; }
    return i === 0 ? b + ' B' : v.toFixed(1) + ' ' + u[i];
  }
  const STEPS = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30,
    60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800,
    1209600, 2592000, 7776000, 15552000, 31536000];
  function tickStep(spanS, maxTicks) {
    for (const s of STEPS) if (spanS / s <= maxTicks) return s;
    return STEPS[STEPS.length - 1] * Math.ceil(spanS / maxTicks / STEPS[STEPS.length - 1]);
  }

  // ---- View ----
  const view = { t0: 0, t1: tEnd, mark: null, hover: null, drag: null, fitY: false };
  function setView(a, b, keepHash) {
    let s = Math.max(b - a, MIN_SPAN);
    s = Math.min(s, tEnd);
    let c = (a + b) / 2;
    a = c - s / 2; b = c + s / 2;
    if (a < 0) { b -= a; a = 0; }
    if (b > tEnd) { a -= b - tEnd; b = tEnd; }
    view.t0 = Math.max(0, a); view.t1 = b;
    if (!keepHash) {
      try {
        const h = view.t0 === 0 && view.t1 === tEnd ? ' ' : '#t=' + +view.t0.toFixed(3) + ',' + +view.t1.toFixed(3);
        history.replaceState(null, '', h === ' ' ? location.pathname + location.search : h);
      } catch (e) { /* file: URLs in some browsers refuse; the view still changes */ }
    }
    draw();
    refreshTables();
  }
  function zoomAt(t, factor) {
    setView(t - (t - view.t0) * factor, t + (view.t1 - t) * factor);
  }

  // ---- Canvas layout ----
  const chartEl = document.getElementById('chart');
  const canvas = document.getElementById('chart-canvas');
  const ctx = canvas.getContext('2d');
  const L = 130, R = 170, TOP = 12, CH = 330, AXIS = hasWall ? 40 : 24, ROW = 18;
  const STRIPS_TOP = TOP + CH + AXIS + 8;
  const H = STRIPS_TOP + ROW * strips.length + 8;
  let W = 1200, PW = W - L - R;
  function layout() {
    W = Math.max(600, Math.floor(chartEl.clientWidth || 1200));
    PW = W - L - R;
    const dpr = window.devicePixelRatio || 1;
    canvas.width = Math.round(W * dpr);
    canvas.height = Math.round(H * dpr);
    canvas.style.width = W + 'px';
    canvas.style.height = H + 'px';
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  }
  const xOf = (t) => L + (t - view.t0) / (view.t1 - view.t0) * PW;
  const tOf = (x) => view.t0 + (x - L) / PW * (view.t1 - view.t0);

  // Per pixel column: the value at its start, min, max and the value at its end.
  function columns() {
    const n = Math.max(1, Math.round(PW));
    const first = new Float64Array(n).fill(NaN), min = new Float64Array(n).fill(NaN);
    const max = new Float64Array(n).fill(NaN), last = new Float64Array(n).fill(NaN);
    const N = UT.length;
    if (N === 0) return { n, first, min, max, last, inView: 0 };
    const dt = (view.t1 - view.t0) / n;
    let j = upper(UT, view.t0); // next point after the column start
    const j0 = j;
    for (let c = 0; c < n; c++) {
      const a = view.t0 + c * dt, b = a + dt;
      if (b < UT[0] || a > UT[N - 1]) { while (j < N && UT[j] < b) j++; continue; }
      let v = j > 0 ? UV[j - 1] : UV[0];
      let lo = v, hi = v;
      first[c] = v;
      while (j < N && UT[j] < b) {
        v = UV[j++];
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      min[c] = lo; max[c] = hi; last[c] = v;
    }
    return { n, first, min, max, last, inView: j - j0 };
  }

  function stripCounts(s) {
    // Counts per column (exact times) or bins as [x0, x1, count] (binned).
    const n = Math.max(1, Math.round(PW));
    const dt = (view.t1 - view.t0) / n;
    const counts = new Float64Array(n);
    let inView = 0;
    const bins = [];
    if (s.bin === null) {
      const i0 = lower(s.T, view.t0), i1 = upper(s.T, view.t1);
      for (let i = i0; i < i1; i++) {
        const c = Math.min(n - 1, Math.floor((s.T[i] - view.t0) / dt));
        counts[c] += s.N[i];
        inView += s.N[i];
      }
    } else {
      const i0 = Math.max(0, upper(s.T, view.t0) - 1), i1 = upper(s.T, view.t1);
      for (let i = i0; i < i1; i++) {
        if (s.T[i] + s.bin <= view.t0) continue;
        bins.push([s.T[i], s.T[i] + s.bin, s.N[i]]);
        inView += s.N[i];
      }
    }
    return { counts, bins, inView, dt };
  }

  function spread(ys, gap, lo, hi) {
    // Moves label positions (sorted by y) apart by `gap`, within [lo, hi].
    const idx = ys.map((y, i) => i).sort((a, b) => ys[a] - ys[b]);
    for (let k = 1; k < idx.length; k++) {
      if (ys[idx[k]] - ys[idx[k - 1]] < gap) ys[idx[k]] = ys[idx[k - 1]] + gap;
    }
    const over = ys[idx[idx.length - 1]] - hi;
    if (over > 0) for (const i of idx) ys[i] = Math.max(lo, ys[i] - over);
    return ys;
  }

  function draw() {
    const cols = columns();
    ctx.clearRect(0, 0, W, H);
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, W, H);
    ctx.font = '12px system-ui, sans-serif';
    ctx.textBaseline = 'middle';

    // y range
    let y0 = 0, y1 = 100;
    if (view.fitY) {
      let lo = Infinity, hi = -Infinity;
      for (let c = 0; c < cols.n; c++) if (!isNaN(cols.min[c])) {
        lo = Math.min(lo, cols.min[c]); hi = Math.max(hi, cols.max[c]);
      }
      if (lo <= hi) { y0 = Math.max(0, Math.floor(lo - 1)); y1 = Math.min(100, Math.ceil(hi + 1)); }
      if (y1 - y0 < 2) { y0 = Math.max(0, y0 - 1); y1 = y0 + 2; }
    }
    const yOf = (v) => TOP + CH - (v - y0) / (y1 - y0) * CH;

    // DiskPressure: per pixel column, light where a period covers it, stronger where one
    // covers only part of it (a short period stays visible), never stacked.
    const cover = new Float64Array(cols.n);
    const cdt = (view.t1 - view.t0) / cols.n;
    for (const [a, b] of D.pressure) {
      if (b < view.t0 || a > view.t1) continue;
      const xa = Math.max(0, (a - view.t0) / cdt), xb = Math.min(cols.n, (b - view.t0) / cdt);
      for (let c = Math.floor(xa); c < Math.min(cols.n, Math.ceil(xb)); c++) {
        cover[c] += Math.min(c + 1, xb) - Math.max(c, xa);
      }
    }
    ctx.fillStyle = D.colours.pressure;
    for (let c = 0; c < cols.n;) {
      const kind = cover[c] >= 0.999 ? 1 : cover[c] > 0 ? 2 : 0;
      let e = c + 1;
      while (e < cols.n && (cover[e] >= 0.999 ? 1 : cover[e] > 0 ? 2 : 0) === kind) e++;
      if (kind) {
        ctx.globalAlpha = kind === 1 ? 0.13 : 0.3;
        ctx.fillRect(L + c, TOP, e - c, CH);
        ctx.globalAlpha = kind === 1 ? 0.07 : 0.15;
        ctx.fillRect(L + c, STRIPS_TOP, e - c, ROW * strips.length);
      }
      c = e;
    }
    ctx.globalAlpha = 1;

    // Grid, y axis
    ctx.strokeStyle = '#e4e4e4';
    ctx.fillStyle = '#333';
    ctx.lineWidth = 1;
    const ys = tickStep(y1 - y0, 10);
    ctx.textAlign = 'right';
    for (let v = Math.ceil(y0 / ys) * ys; v <= y1 + 1e-9; v += ys) {
      const y = Math.round(yOf(v)) + 0.5;
      ctx.beginPath(); ctx.moveTo(L, y); ctx.lineTo(L + PW, y); ctx.stroke();
      ctx.fillText(num(v), L - 8, y);
    }
    ctx.save();
    ctx.translate(24, TOP + CH / 2); ctx.rotate(-Math.PI / 2);
    ctx.textAlign = 'center';
    ctx.fillText('imagefs usage (%)', 0, 0);
    ctx.restore();

    // x ticks (run time; wall clock under it)
    const st = tickStep(view.t1 - view.t0, Math.max(2, Math.floor(PW / 120)));
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    for (let t = Math.ceil(view.t0 / st - 1e-9) * st; t <= view.t1 + 1e-9; t += st) {
      const x = Math.round(xOf(t)) + 0.5;
      ctx.strokeStyle = '#e4e4e4';
      ctx.beginPath(); ctx.moveTo(x, TOP); ctx.lineTo(x, TOP + CH); ctx.stroke();
      ctx.beginPath(); ctx.moveTo(x, STRIPS_TOP); ctx.lineTo(x, STRIPS_TOP + ROW * strips.length); ctx.stroke();
      // A label is kept inside the plot's width, clear of the axis names at the left.
      const label = (text, y) => {
        const w = ctx.measureText(text).width;
        ctx.fillText(text, Math.max(L + w / 2 - 2, Math.min(L + PW - w / 2 + 2, x)), y);
      };
      ctx.fillStyle = '#333';
      label(runTick(t, st), TOP + CH + 4);
      if (hasWall) {
        ctx.fillStyle = '#777';
        label(wallTick(t, st), TOP + CH + 20);
      }
    }
    ctx.textAlign = 'right';
    ctx.fillStyle = '#555';
    ctx.fillText('run time', L - 10, TOP + CH + 4);
    if (hasWall) ctx.fillText('UTC', L - 10, TOP + CH + 20);
    ctx.textBaseline = 'middle';

    // Thresholds: eviction solid, GC dashed over it; names in the right margin.
    const th = D.thresholds;
    const lines = [];
    if (th.eviction !== null) lines.push([th.eviction, 'eviction ' + num(th.eviction) + '%', D.colours.eviction, []]);
    lines.push([th.gc_high, 'GC high ' + num(th.gc_high) + '%', D.colours.gc_high, [10, 5]]);
    lines.push([th.gc_low, 'GC low ' + num(th.gc_low) + '%', D.colours.gc_low, [10, 5]]);
    const shown = lines.filter((l) => l[0] >= y0 && l[0] <= y1);
    const labelY = spread(shown.map((l) => yOf(l[0])), 14, TOP, TOP + CH);
    ctx.lineWidth = 2;
    shown.forEach((l, i) => {
      ctx.strokeStyle = l[2];
      ctx.setLineDash(l[3]);
      ctx.beginPath(); ctx.moveTo(L, yOf(l[0])); ctx.lineTo(L + PW, yOf(l[0])); ctx.stroke();
      ctx.setLineDash([]);
      ctx.fillStyle = l[2];
      ctx.textAlign = 'left';
      ctx.fillText(l[1], L + PW + 8, labelY[i]);
    });

    // Usage
    ctx.save();
    ctx.beginPath(); ctx.rect(L, TOP - 1, PW, CH + 2); ctx.clip();
    ctx.strokeStyle = D.colours.usage;
    ctx.lineWidth = 1.5;
    ctx.lineJoin = 'round';
    ctx.beginPath();
    let on = false, drawn = 0;
    for (let c = 0; c < cols.n; c++) {
      if (isNaN(cols.first[c])) { on = false; continue; }
      const x = L + c + 0.5;
      drawn++;
      if (!on) { ctx.moveTo(x, yOf(cols.first[c])); on = true; } else ctx.lineTo(x, yOf(cols.first[c]));
      ctx.lineTo(x, yOf(cols.min[c]));
      ctx.lineTo(x, yOf(cols.max[c]));
      ctx.lineTo(x, yOf(cols.last[c]));
    }
    ctx.stroke();
    ctx.restore();
    ctx.strokeStyle = '#999';
    ctx.lineWidth = 1;
    ctx.strokeRect(L + 0.5, TOP + 0.5, PW, CH);

    // Strips
    const zoomed = view.t0 > 0 || view.t1 < tEnd;
    strips.forEach((s, r) => {
      const y = STRIPS_TOP + r * ROW;
      ctx.fillStyle = r % 2 ? '#fafafa' : '#f3f3f3';
      ctx.globalAlpha = 0.6;
      ctx.fillRect(L, y, PW, ROW);
      ctx.globalAlpha = 1;
      ctx.fillStyle = s.colour;
      ctx.textAlign = 'right';
      ctx.fillText(s.name, L - 8, y + ROW / 2);
      const sc = stripCounts(s);
      if (s.bin === null) {
        for (let c = 0; c < sc.counts.length; c++) {
          if (sc.counts[c] > 0) ctx.fillRect(L + c, y + 3, 1.5, ROW - 6);
        }
      } else {
        for (const [a, b] of sc.bins) {
          const xa = Math.max(L, xOf(a)), xb = Math.min(L + PW, Math.max(xOf(b), xa + 1.5));
          ctx.fillRect(xa, y + 3, xb - xa, ROW - 6);
        }
      }
      ctx.textAlign = 'left';
      ctx.fillStyle = '#333';
      ctx.fillText(zoomed ? sc.inView + ' of ' + s.total : String(s.total), L + PW + 8, y + ROW / 2);
    });

    // The instant of a clicked row, the hover line, the drag selection
    if (view.mark !== null && view.mark >= view.t0 && view.mark <= view.t1) {
      const x = Math.round(xOf(view.mark)) + 0.5;
      ctx.strokeStyle = '#000'; ctx.setLineDash([4, 3]); ctx.lineWidth = 1;
      ctx.beginPath(); ctx.moveTo(x, TOP); ctx.lineTo(x, STRIPS_TOP + ROW * strips.length); ctx.stroke();
      ctx.setLineDash([]);
    }
    if (view.hover !== null && !view.drag) {
      const x = Math.round(view.hover) + 0.5;
      ctx.strokeStyle = 'rgba(0,0,0,0.35)';
      ctx.beginPath(); ctx.moveTo(x, TOP); ctx.lineTo(x, STRIPS_TOP + ROW * strips.length); ctx.stroke();
    }
    if (view.drag && !view.drag.pan) {
      const a = Math.min(view.drag.x0, view.drag.x1), b = Math.max(view.drag.x0, view.drag.x1);
      ctx.fillStyle = 'rgba(31,92,170,0.15)';
      ctx.fillRect(a, TOP, b - a, CH);
    }

    chartEl.dataset.points = String(UT.length);
    chartEl.dataset.pointsInView = String(cols.inView);
    chartEl.dataset.columns = String(drawn);
    chartEl.dataset.view = +view.t0.toFixed(3) + ',' + +view.t1.toFixed(3);
    document.getElementById('view-text').textContent =
      'showing ' + runTime(view.t0, 3) + ' – ' + runTime(view.t1, 3) + ' (' + span(view.t1 - view.t0) + ')';
    chartEl.lastColumns = cols;
  }

  // ---- Readout under the chart ----
  const readout = document.getElementById('readout');
  function showReadout(x) {
    const cols = chartEl.lastColumns;
    const c = Math.floor(x - L);
    if (!cols || c < 0 || c >= cols.n) return;
    const t = tOf(x + 0.5);
    let text = 't = ' + runTime(t, 3);
    if (hasWall) text += ' (' + wallIso(t) + ')';
    if (!isNaN(cols.min[c])) {
      text += ' · usage ' + (cols.min[c] === cols.max[c] ? num(cols.min[c]) + ' %'
        : num(cols.min[c]) + '–' + num(cols.max[c]) + ' % in this pixel');
    }
    const dt = (view.t1 - view.t0) / cols.n;
    const a = view.t0 + c * dt, b = a + dt;
    const ev = [];
    for (const s of strips) {
      let n = 0;
      if (s.bin === null) {
        for (let i = lower(s.T, a); i < s.T.length && s.T[i] < b; i++) n += s.N[i];
        if (n) ev.push(n + ' ' + s.name);
      } else {
        for (let i = Math.max(0, upper(s.T, a) - 1); i < s.T.length && s.T[i] < b; i++) {
          if (s.T[i] + s.bin > a) n += s.N[i];
        }
        if (n) ev.push(n + ' ' + s.name + ' (in its ' + span(s.bin) + ' bins)');
      }
    }
    if (ev.length) text += ' · ' + ev.join(', ');
    readout.textContent = text;
  }

  // ---- Interaction ----
  function canvasX(e) {
    const r = canvas.getBoundingClientRect();
    return e.clientX - r.left;
  }
  canvas.addEventListener('mousedown', (e) => {
    const x = canvasX(e);
    if (x < L || x > L + PW) return;
    view.drag = { x0: x, x1: x, pan: e.shiftKey, t0: view.t0, t1: view.t1 };
    e.preventDefault();
  });
  window.addEventListener('mousemove', (e) => {
    const x = canvasX(e);
    if (view.drag) {
      view.drag.x1 = Math.max(L, Math.min(L + PW, x));
      if (view.drag.pan) {
        const dt = (view.drag.x0 - x) / PW * (view.drag.t1 - view.drag.t0);
        setView(view.drag.t0 + dt, view.drag.t1 + dt, true);
      } else draw();
      return;
    }
    const r = canvas.getBoundingClientRect();
    const inside = x >= L && x < L + PW && e.clientY >= r.top && e.clientY <= r.bottom;
    const hover = inside ? x : null;
    if (hover !== view.hover) { view.hover = hover; draw(); }
    if (inside) showReadout(x);
  });
  window.addEventListener('mouseup', () => {
    const d = view.drag;
    if (!d) return;
    view.drag = null;
    if (d.pan) { setView(view.t0, view.t1); return; }
    if (Math.abs(d.x1 - d.x0) >= 4) {
      setView(tOf(Math.min(d.x0, d.x1)), tOf(Math.max(d.x0, d.x1)));
    } else draw();
  });
  canvas.addEventListener('wheel', (e) => {
    const x = canvasX(e);
    if (x < L || x > L + PW) return;
    e.preventDefault();
    zoomAt(tOf(x), e.deltaY < 0 ? 0.8 : 1.25);
  }, { passive: false });
  canvas.addEventListener('dblclick', (e) => zoomAt(tOf(canvasX(e)), 2));
  const centre = () => (view.t0 + view.t1) / 2;
  document.getElementById('zoom-in').onclick = () => zoomAt(centre(), 0.5);
  document.getElementById('zoom-out').onclick = () => zoomAt(centre(), 2);
  document.getElementById('pan-left').onclick = () => {
    const s = view.t1 - view.t0; setView(view.t0 - s / 4, view.t1 - s / 4);
  };
  document.getElementById('pan-right').onclick = () => {
    const s = view.t1 - view.t0; setView(view.t0 + s / 4, view.t1 + s / 4);
  };
  document.getElementById('reset').onclick = () => { view.mark = null; setView(0, tEnd); };
  document.getElementById('fit-y').onchange = (e) => { view.fitY = e.target.checked; draw(); };
  window.addEventListener('resize', () => { layout(); draw(); });

  // Moves the view to `t` (a table row's instant): an hour around it, or a tenth of the run.
  function focus(t) {
    const s = Math.max(MIN_SPAN * 60, Math.min(3600, tEnd / 10));
    view.mark = t;
    setView(t - s / 2, t + s / 2);
    chartEl.scrollIntoView({ block: 'nearest' });
  }

  // ---- Tables ----
  const tables = [];
  function table(id, noteId, inViewId, data, what, columns) {
    const el = document.getElementById(id);
    const inView = document.getElementById(inViewId);
    const note = document.getElementById(noteId);
    note.textContent = data.total === 0 ? 'None in this run.'
      : (data.rows.length < data.total
        ? 'The first ' + data.rows.length + ' of ' + data.total + ' ' + what[1] + ' (the page keeps at most ' + data.rows.length + ').'
        : data.total + ' ' + what[data.total === 1 ? 0 : 1] + '.') + ' Click a row to see its instant on the chart.';
    const head = document.createElement('thead');
    const hr = document.createElement('tr');
    for (const c of columns) {
      const th = document.createElement('th');
      th.textContent = c[0];
      hr.appendChild(th);
    }
    head.appendChild(hr);
    el.appendChild(head);
    const body = document.createElement('tbody');
    el.appendChild(body);
    const t = {
      shown: null,
      // Re-renders when what it shows changed: the view (with the filter on) or the mark.
      refresh() {
        const key = inView.checked + ' ' + view.mark + ' ' + (inView.checked ? view.t0 + ' ' + view.t1 : '');
        if (key !== this.shown) this.render();
      },
      render() {
        const only = inView.checked;
        this.shown = only + ' ' + view.mark + ' ' + (only ? view.t0 + ' ' + view.t1 : '');
        const frag = document.createDocumentFragment();
        data.rows.forEach((row, i) => {
          if (only && (row.t < view.t0 || row.t > view.t1)) return;
          const tr = document.createElement('tr');
          tr.dataset.t = String(row.t);
          if (view.mark === row.t) tr.className = 'selected';
          for (const c of columns) {
            const td = document.createElement('td');
            const v = c[1](row, i);
            td.textContent = v === null || v === undefined ? '' : String(v);
            if (c[2]) td.className = c[2];
            if (c[3]) td.title = c[3](row);
            tr.appendChild(td);
          }
          tr.onclick = () => focus(row.t);
          frag.appendChild(tr);
        });
        body.replaceChildren(frag);
      },
    };
    inView.onchange = () => t.render();
    tables.push(t);
    return t;
  }
  let refreshing = false;
  function refreshTables() {
    if (refreshing || !tables.length) return;
    refreshing = true;
    requestAnimationFrame(() => {
      refreshing = false;
      for (const t of tables) t.refresh();
    });
  }
  // A row's run time with the fraction digits of its time_s, exactly.
  function rowTime(r) {
    const dot = r.time_s.indexOf('.');
    return dot < 0 ? runTime(+r.time_s, 0) : runTime(+r.time_s.slice(0, dot), 0) + r.time_s.slice(dot);
  }
  const timeCols = [['#', (r, i) => i + 1, 'n'], ['run time', rowTime, 'time', (r) => 'time_s ' + r.time_s]];
  if (hasWall) timeCols.push(['UTC', (r) => wallIso(r.t), 'time']);
  table('gc-table', 'gc-note', 'gc-in-view', rows(D.gc_passes), ['image GC pass that reached the high threshold (ImageGCTriggered)', 'image GC passes that reached the high threshold (ImageGCTriggered)'], timeCols.concat([
    ['usage', (r) => r.usage === null ? '' : num(r.usage) + ' %', 'n'],
    ['high / low', (r) => (r.high === null ? '?' : num(r.high)) + ' / ' + (r.low === null ? '?' : num(r.low)), 'n'],
    ['amountToFree', (r) => bytes(r.amount_to_free), 'n', (r) => r.amount_to_free + ' bytes'],
    ['images deleted', (r) => r.deleted, 'n'],
    ['freed on disk', (r) => bytes(r.freed_on_disk), 'n', (r) => r.freed_on_disk + ' bytes'],
    ['freed (reported)', (r) => bytes(r.freed_reported), 'n', (r) => r.freed_reported + ' bytes'],
    ['result', (r) => r.failed || 'ok'],
  ]));
  table('evictions-table', 'evictions-note', 'evictions-in-view', rows(D.evictions), ['eviction row (EvictionThresholdMet, Evicted)', 'eviction rows (EvictionThresholdMet, Evicted)'], timeCols.concat([
    ['kind', (r) => r.kind],
    ['object', (r) => r.object],
    ['reclaimed', (r) => r.reclaimed_images === undefined ? '' : r.reclaimed_images + ' images, ' + bytes(r.reclaimed_bytes) + ' on disk', 'n'],
    ['message', (r) => r.message, 'msg', (r) => r.message],
  ]));

  // ---- Notes, initial view ----
  const u = D.usage;
  let note = u.exact
    ? 'Usage: all ' + u.samples + ' samples, embedded as the ' + u.points + ' where usage_percent changes (exact at every zoom).'
    : 'Usage: ' + u.samples + ' samples, embedded as the minimum and maximum of each ' + span(u.bin_s)
      + ' bin (' + u.points + ' points): closer than a bin, the line joins those extremes.';
  const binned = strips.filter((s) => s.bin !== null);
  if (binned.length) note += ' Strips counted in bins: ' + binned.map((s) => s.name + ' (' + span(s.bin) + ')').join(', ') + '.';
  if (D.pressure_merged_gap_s !== null) note += ' DiskPressure periods less than ' + span(D.pressure_merged_gap_s) + ' apart are shaded as one.';
  if (hasWall) note += ' t = 0 is ' + D.start_time + '.';
  document.getElementById('data-note').textContent = note;

  layout();
  for (const t of tables) t.render();
  const m = /^#t=([0-9.e+-]+),([0-9.e+-]+)$/.exec(location.hash);
  if (m && +m[2] > +m[1]) setView(+m[1], +m[2], true); else setView(0, tEnd, true);
  chartEl.dataset.drawn = '1';
})();
