/* report.html: what every chart shares: colours (from the page's CSS variables), axes, the
 * zero-based and log y scales, warm-up shading and stage boundaries, and zoom sync across the
 * time charts. */
var css = getComputedStyle(document.documentElement);
function cssVar(name, fallback) { return (css.getPropertyValue(name) || "").trim() || fallback; }
var C = {
  axis: cssVar("--ink-2", "#556072"),
  faint: cssVar("--ink-3", "#8b94a3"),
  grid: cssVar("--grid", "#eceef2"),
  ok: "#2f9e6f",
  failed: "#d64545",
  p50: "#3d6fb4",
  p95: "#e8891c",
  p99: "#b33b72",
  vus: "#6a5acd",
  target: "#8b94a3",
  achieved: "#2a9d8f",
  warm: "rgba(139, 148, 163, 0.14)",
  stage: "rgba(139, 148, 163, 0.75)"
};
var palette = ["#d64545", "#e8891c", "#b33b72", "#8c6d1f", "#6a5acd", "#2a9d8f", "#3d6fb4", "#7f8c8d", "#c0392b", "#16a085"];
function alpha(hex, a) {
  var n = parseInt(hex.slice(1), 16);
  return "rgba(" + (n >> 16) + "," + ((n >> 8) & 255) + "," + (n & 255) + "," + a + ")";
}

var HEIGHT = 230;
var timeCharts = [];
var syncing = false;

function axisX() {
  return {
    stroke: C.axis,
    grid: { stroke: C.grid, width: 1 },
    ticks: { stroke: C.grid, width: 1 },
    space: 70,
    incrs: [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 28800, 86400],
    values: function (u, splits) { return splits.map(fmtTime); }
  };
}
function axisY(label, scale, side) {
  return {
    scale: scale || "y",
    side: side == null ? 3 : side,
    label: label,
    labelSize: 18,
    labelGap: 0,
    stroke: C.axis,
    size: 54,
    grid: { show: side !== 1, stroke: C.grid, width: 1 },
    ticks: { stroke: C.grid, width: 1 },
    values: function (u, splits) { return splits.map(fmtAxis); }
  };
}
function isLog(el) { return el.getAttribute("data-log") === "1"; }
// A y scale from zero, or logarithmic when the chart's log switch is on.
function yScale(el) { return isLog(el) ? { distr: 3, log: 10 } : { range: fromZero }; }
// Log scales cannot show zero or less: such points become gaps.
function positive(el, col) {
  return isLog(el) ? col.map(function (v) { return v != null && v > 0 ? v : null; }) : col;
}
function fromZero(u, min, max) {
  if (max == null || !isFinite(max) || max <= 0) return [0, 1];
  return [0, uPlot.rangeNum(0, max, 0.1, true)[1]];
}

// Warm-up shading and stage boundaries, drawn under the series.
function drawMarks(u, stageLabels) {
  var ctx = u.ctx, b = u.bbox, pr = uPlot.pxRatio;
  var left = b.left, right = b.left + b.width;
  ctx.save();
  ctx.font = 11 * pr + "px " + cssVar("--sans", "system-ui");
  ctx.textBaseline = "top";
  if (data.warmup_s > 0) {
    var a = Math.max(left, u.valToPos(0, "x", true));
    var z = Math.min(right, u.valToPos(data.warmup_s, "x", true));
    if (z > a) {
      ctx.fillStyle = C.warm;
      ctx.fillRect(a, b.top, z - a, b.height);
      if (z - a > 50 * pr) {
        ctx.fillStyle = C.faint;
        ctx.fillText("warm-up", a + 5 * pr, b.top + 4 * pr);
      }
    }
  }
  var stages = data.stages || [];
  ctx.strokeStyle = C.stage;
  ctx.fillStyle = C.faint;
  ctx.lineWidth = pr;
  ctx.setLineDash([4 * pr, 4 * pr]);
  for (var i = 0; i < stages.length; i++) {
    var st = stages[i];
    var x0 = u.valToPos(st.start_s, "x", true), x1 = u.valToPos(st.end_s, "x", true);
    if (i > 0 && x0 >= left && x0 <= right) {
      ctx.beginPath();
      ctx.moveTo(Math.round(x0) + 0.5, b.top);
      ctx.lineTo(Math.round(x0) + 0.5, b.top + b.height);
      ctx.stroke();
    }
    var vis0 = Math.max(x0, left), vis1 = Math.min(x1, right);
    if (stageLabels && vis1 - vis0 > 70 * pr) {
      var unit = st.unit === "vus" ? " VUs" : "/s";
      var text = st.from === st.to ? "hold " + fmtShort(st.to) + unit : fmtShort(st.from) + " → " + fmtShort(st.to) + unit;
      // A profile's phase name goes first when it fits: "step 150% · hold 150/s".
      if (st.name) text = fitLabel(ctx, [st.name + " · " + text, st.name], vis1 - vis0 - 10 * pr) || text;
      ctx.fillText(text, vis0 + 5 * pr, b.top + (data.warmup_s > 0 && i === 0 ? 18 : 4) * pr);
    }
  }
  ctx.restore();
}

// The first label that fits in `width` canvas pixels, or null.
function fitLabel(ctx, labels, width) {
  for (var i = 0; i < labels.length; i++) if (ctx.measureText(labels[i]).width <= width) return labels[i];
  return null;
}

function syncZoom(u, key) {
  if (key !== "x" || syncing) return;
  syncing = true;
  try {
    var min = u.scales.x.min, max = u.scales.x.max;
    timeCharts.forEach(function (c) {
      if (c !== u && (c.scales.x.min !== min || c.scales.x.max !== max)) c.setScale("x", { min: min, max: max });
    });
  } finally {
    syncing = false;
  }
}

function timeChart(el, series, columns, extra) {
  var opts = {
    width: el.clientWidth || 600,
    height: HEIGHT,
    cursor: { sync: { key: "loadcell-time", setSeries: false }, drag: { x: true, y: false }, points: { size: 6 } },
    legend: { live: true },
    scales: { x: { time: false, range: function (u, min, max) { return [Math.min(0, min), max]; } }, y: { range: fromZero } },
    axes: [axisX(), axisY((extra && extra.yLabel) || "")],
    series: [{ label: "time", value: function (u, v) { return v == null ? "" : fmtTime(v); } }].concat(series),
    hooks: { drawClear: [function (u) { drawMarks(u, extra && extra.stageLabels); }], setScale: [syncZoom] }
  };
  if (extra && extra.tweak) extra.tweak(opts);
  if (opts.axes.length < 3) {
    // An empty right axis, so every time chart's plot area has the same width.
    opts.axes.push({ side: 1, scale: "y", size: 54 + 18, grid: { show: false }, ticks: { show: false },
      values: function (u, splits) { return splits.map(function () { return ""; }); } });
  }
  var u = new uPlot(opts, [data.t].concat(columns), el);
  timeCharts.push(u);
  return u;
}

function line(label, stroke, values, more) {
  var s = { label: label, stroke: stroke, width: 1.5, points: { show: false }, value: function (u, v) { return v == null ? "" : values(v); } };
  for (var k in more || {}) s[k] = more[k];
  return s;
}
