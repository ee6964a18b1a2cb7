/* report.html: the staged-run charts. "spike": per-second p95 (and error %) on the shared time
 * axis, with the recovery tolerance as a band under a dashed line, the spike shaded and the
 * recovery moment marked. "soak": per-second p95 over the hold with the fitted trend line
 * (start + slope · (t − from) / 3600), and the error rate with its line when there were
 * errors. Each draws into its .chart[data-phase-chart] container and sets data-rendered to
 * its point count; these containers have their own attribute so charts.js's loop, which has
 * already run, never sees them. */
var C_GOOD = cssVar("--pass", "#1d8a58");

function errorPercent(i) {
  var n = data.ok[i] + data.failed[i];
  return n > 0 ? 100 * data.failed[i] / n : null;
}

// A labelled vertical line at time t (canvas pixels), clipped to the plot.
function markAt(u, t, colour, label, dash) {
  var ctx = u.ctx, b = u.bbox, pr = uPlot.pxRatio;
  var x = Math.round(u.valToPos(t, "x", true)) + 0.5;
  if (x < b.left || x > b.left + b.width) return;
  ctx.save();
  ctx.strokeStyle = colour;
  ctx.fillStyle = colour;
  ctx.lineWidth = 1.5 * pr;
  ctx.setLineDash(dash ? [5 * pr, 3 * pr] : []);
  ctx.beginPath();
  ctx.moveTo(x, b.top);
  ctx.lineTo(x, b.top + b.height);
  ctx.stroke();
  ctx.font = 11 * pr + "px " + cssVar("--sans", "system-ui");
  ctx.textBaseline = "top";
  var w = ctx.measureText(label).width;
  var right = x + 4 * pr + w <= b.left + b.width;
  ctx.textAlign = right ? "left" : "right";
  ctx.fillText(label, right ? x + 4 * pr : x - 4 * pr, b.top + 20 * pr);
  ctx.restore();
}

var phaseCharts = {
  spike: function (el) {
    var sp = data.spike;
    var u = timeChart(el, [
      line("p95", C.p95, fmtMs, { width: 2 }),
      line("errors", C.failed, function (v) { return fmtNum(v) + "%"; }, { scale: "pct", dash: [4, 3] })
    ], [data.p95, data.t.map(function (_, i) { return errorPercent(i); })], {
      yLabel: "ms",
      stageLabels: true,
      tweak: function (o) {
        // The tolerance line stays in view even when every second was under it.
        o.scales.y = { range: function (u, min, max) { return fromZero(u, min, Math.max(max || 0, sp.limit_ms || 0)); } };
        o.scales.pct = { range: function (u, min, max) { return fromZero(u, min, Math.max(max || 0, 1)); } };
        o.axes.push(axisY("errors %", "pct", 1));
        o.hooks.drawClear.push(function (u) { spikeUnder(u, sp); });
        o.hooks.draw = [function (u) { spikeOver(u, sp); }];
      }
    });
    return { u: u, points: data.t.length };
  },
  soak: function (el) {
    var so = data.soak;
    var idx = [];
    // An interval belongs to the hold when its middle does (as the per-stage results count it).
    for (var i = 0; i < data.t.length; i++) {
      var mid = data.t[i] - 0.5;
      if (mid >= so.from && mid <= so.to) idx.push(i);
    }
    if (!idx.length) return { u: null, points: 0 };
    var t = idx.map(function (i) { return data.t[i]; });
    var fit = function (f, scale) {
      return t.map(function (x) { return scale * (f[0] + f[1] * (x - so.from) / 3600); });
    };
    var errors = idx.map(errorPercent);
    var anyErrors = errors.some(function (v) { return v > 0; });
    var series = [
      { label: "time", value: function (u, v) { return v == null ? "" : fmtTime(v); } },
      line("p95", C.p95, fmtMs),
      line("p95 trend", C.p99, fmtMs, { dash: [6, 4], width: 2 })
    ];
    var columns = [idx.map(function (i) { return data.p95[i]; }), fit(so.p95, 1)];
    var axes = [axisX(), axisY("ms")];
    var scales = { x: { time: false }, y: { range: fromZero } };
    if (anyErrors) {
      var pct = function (v) { return fmtNum(v) + "%"; };
      series.push(line("errors", C.failed, pct, { scale: "pct" }));
      series.push(line("errors trend", C.failed, pct, { scale: "pct", dash: [6, 4] }));
      columns.push(errors, fit(so.errors, 100));
      scales.pct = { range: fromZero };
      axes.push(axisY("errors %", "pct", 1));
    }
    var u = new uPlot({
      width: el.clientWidth || 600,
      height: HEIGHT,
      cursor: { drag: { x: true, y: false }, points: { size: 6 } },
      legend: { live: true },
      scales: scales,
      axes: axes,
      series: series
    }, [t].concat(columns), el);
    return { u: u, points: t.length };
  }
};

// Under the series: the band within the tolerance and the spike's span.
function spikeUnder(u, sp) {
  var ctx = u.ctx, b = u.bbox, pr = uPlot.pxRatio;
  ctx.save();
  if (sp.limit_ms != null) {
    var y = Math.max(b.top, u.valToPos(sp.limit_ms, "y", true));
    ctx.fillStyle = alpha(C.ok, 0.08);
    ctx.fillRect(b.left, y, b.width, b.top + b.height - y);
  }
  if (sp.from != null) {
    var a = Math.max(b.left, u.valToPos(sp.from, "x", true));
    var z = Math.min(b.left + b.width, u.valToPos(sp.to, "x", true));
    if (z > a) {
      ctx.fillStyle = alpha(C.failed, 0.1);
      ctx.fillRect(a, b.top, z - a, b.height);
    }
  }
  ctx.restore();
}

// Over the series: the tolerance line and the recovery moment.
function spikeOver(u, sp) {
  var ctx = u.ctx, b = u.bbox, pr = uPlot.pxRatio;
  if (sp.limit_ms != null) {
    var y = Math.round(u.valToPos(sp.limit_ms, "y", true)) + 0.5;
    ctx.save();
    ctx.strokeStyle = C_GOOD;
    ctx.fillStyle = C_GOOD;
    ctx.lineWidth = pr;
    ctx.setLineDash([4 * pr, 4 * pr]);
    ctx.beginPath();
    ctx.moveTo(b.left, y);
    ctx.lineTo(b.left + b.width, y);
    ctx.stroke();
    ctx.font = 11 * pr + "px " + cssVar("--sans", "system-ui");
    ctx.textAlign = "right";
    ctx.textBaseline = "bottom";
    ctx.fillText("recovered ≤ " + fmtMs(sp.limit_ms), b.left + b.width - 6 * pr, y - 3 * pr);
    ctx.restore();
  }
  if (sp.recovered_at != null) {
    markAt(u, sp.recovered_at, C_GOOD, "recovered +" + fmtShort(sp.recovered_at - sp.to) + " s", false);
  } else {
    markAt(u, sp.to, C.failed, "spike ended · not recovered", true);
  }
}

function drawPhaseChart(el) {
  var name = el.getAttribute("data-phase-chart");
  try {
    if (typeof uPlot === "undefined") throw new Error("uPlot did not load");
    if (!phaseCharts[name] || !data[name]) throw new Error("unknown chart or no data for it");
    var r = data.t.length ? phaseCharts[name](el) : { u: null, points: 0 };
    if (!r.points) {
      el.innerHTML = "<div class=\"empty\">no data<" + "/div>";
      el.setAttribute("data-rendered", "0");
      return;
    }
    // Resizing goes through charts.js's list; these charts have no log switch to redraw them.
    drawn.push({ el: el, u: r.u });
    el.setAttribute("data-rendered", String(r.points));
  } catch (e) {
    report("chart " + name + ": " + (e && e.message ? e.message : e));
  }
}
Array.prototype.forEach.call(document.querySelectorAll(".chart[data-phase-chart]"), drawPhaseChart);
