/* report.html: the charts of `loadcell capacity` and `loadcell scale`, which are not over
 * time. "capacity": p95 and p99 of each step against its offered rate, passing and failing
 * steps as green and red dots, each latency SLO as a dashed horizontal line, the capacity
 * as a vertical line and the knee marked. "scale": measured throughput per level as dots
 * over the fitted USL curve, with the peak N* (or the ceiling λ/σ) marked. Each draws into
 * its .chart[data-search-chart] container (an attribute of its own, so charts.js's loop
 * never sees it) and sets data-rendered to its number of steps or levels. */

// A dashed line across the plot at y (vertical: at x) with a label, clipped to the plot.
function searchMark(u, value, vertical, colour, label) {
  var ctx = u.ctx, b = u.bbox, pr = uPlot.pxRatio;
  var pos = Math.round(u.valToPos(value, vertical ? "x" : "y", true)) + 0.5;
  if (vertical ? pos < b.left || pos > b.left + b.width : pos < b.top || pos > b.top + b.height) return;
  ctx.save();
  ctx.strokeStyle = colour;
  ctx.fillStyle = colour;
  ctx.lineWidth = 1.5 * pr;
  ctx.setLineDash([6 * pr, 4 * pr]);
  ctx.beginPath();
  if (vertical) {
    ctx.moveTo(pos, b.top);
    ctx.lineTo(pos, b.top + b.height);
  } else {
    ctx.moveTo(b.left, pos);
    ctx.lineTo(b.left + b.width, pos);
  }
  ctx.stroke();
  ctx.font = 11 * pr + "px " + cssVar("--sans", "system-ui");
  if (vertical) {
    var right = pos + 4 * pr + ctx.measureText(label).width <= b.left + b.width;
    ctx.textAlign = right ? "left" : "right";
    ctx.textBaseline = "top";
    ctx.fillText(label, right ? pos + 4 * pr : pos - 4 * pr, b.top + 4 * pr);
  } else {
    ctx.textAlign = "right";
    ctx.textBaseline = "bottom";
    ctx.fillText(label, b.left + b.width - 4 * pr, pos - 3 * pr);
  }
  ctx.restore();
}

// A series drawn as dots only (uPlot draws no path when `paths` returns null).
function dots(label, colour, values, size) {
  return {
    label: label,
    stroke: colour,
    fill: colour,
    paths: function () { return null; },
    points: { show: true, size: size || 9, width: 1, stroke: colour, fill: colour },
    value: function (u, v) { return v == null ? "" : values(v); }
  };
}

function axisValue(label) {
  return {
    stroke: C.axis,
    grid: { stroke: C.grid, width: 1 },
    ticks: { stroke: C.grid, width: 1 },
    label: label,
    labelSize: 18,
    values: function (u, splits) { return splits.map(fmtAxis); }
  };
}

function maxOf(cols) {
  var m = 0;
  cols.forEach(function (col) { col.forEach(function (v) { if (v != null && v > m) m = v; }); });
  return m;
}

var searchCharts = {
  capacity: function (el) {
    var c = data.capacity;
    var pass = c.p95.map(function (v, i) { return c.passed[i] ? v : null; });
    var fail = c.p95.map(function (v, i) { return c.passed[i] ? null : v; });
    var top = maxOf([c.p95, c.p99]);
    // A limit far above every step would flatten the curves; it is named in the caption.
    var limits = (c.limits || []).filter(function (l) { return l.ms != null && (top === 0 || l.ms <= 4 * top); });
    var yMax = Math.max(top, maxOf([limits.map(function (l) { return l.ms; })]));
    var xMax = maxOf([c.rate]);
    var perS = function (v) { return fmtNum(v) + " /s"; };
    var opts = {
      width: el.clientWidth || 600,
      height: HEIGHT + 40,
      cursor: { drag: { x: false, y: false }, points: { size: 6 } },
      scales: {
        x: { time: false, range: function () { return [0, uPlot.rangeNum(0, xMax || 1, 0.05, true)[1]]; } },
        y: { range: function (u) { return fromZero(u, 0, yMax); } }
      },
      axes: [axisValue("offered rate (iterations/s)"), axisY("ms")],
      series: [
        { label: "offered", value: function (u, v) { return v == null ? "" : perS(v); } },
        line("p95", C.p95, fmtMs, { width: 2 }),
        line("p99", C.p99, fmtMs, { dash: [4, 3] }),
        dots("passed", C.ok, fmtMs),
        dots("failed", C.failed, fmtMs)
      ],
      hooks: {
        draw: [function (u) {
          limits.forEach(function (l) { searchMark(u, l.ms, false, C.failed, l.label); });
          if (c.capacity != null) searchMark(u, c.capacity, true, C.ok, "capacity " + fmtShort(c.capacity) + "/s");
          if (c.knee) {
            var ctx = u.ctx, pr = uPlot.pxRatio;
            var x = u.valToPos(c.knee.rate, "x", true), y = u.valToPos(c.knee.p95, "y", true);
            ctx.save();
            ctx.strokeStyle = C.axis;
            ctx.fillStyle = C.axis;
            ctx.lineWidth = 1.5 * pr;
            ctx.beginPath();
            ctx.arc(x, y, 7 * pr, 0, 2 * Math.PI);
            ctx.stroke();
            ctx.font = 11 * pr + "px " + cssVar("--sans", "system-ui");
            ctx.textAlign = "right";
            ctx.textBaseline = "bottom";
            ctx.fillText("knee", x - 8 * pr, y - 6 * pr);
            ctx.restore();
          }
        }]
      }
    };
    return { u: new uPlot(opts, [c.rate, c.p95, c.p99, pass, fail], el), points: c.rate.length };
  },
  scale: function (el) {
    var s = data.scale;
    var levels = s.measured.filter(function (v) { return v != null; }).length;
    var hasFit = s.fit.some(function (v) { return v != null; });
    var yMax = maxOf([s.measured, s.fit]);
    var perS = function (v) { return fmtNum(v) + " req/s"; };
    var series = [{ label: "VUs", value: function (u, v) { return v == null ? "" : fmtShort(v); } }];
    var columns = [s.n];
    if (hasFit) {
      series.push(line("fitted X(N)", C.vus, perS, { width: 2, spanGaps: true }));
      columns.push(s.fit);
    }
    series.push(dots("measured", C.p50, perS));
    columns.push(s.measured);
    var opts = {
      width: el.clientWidth || 600,
      height: HEIGHT + 40,
      cursor: { drag: { x: false, y: false }, points: { size: 6 } },
      scales: {
        x: { time: false, range: function (u, min, max) { return [0, uPlot.rangeNum(0, max || 1, 0.05, true)[1]]; } },
        y: { range: function (u) { return fromZero(u, 0, yMax); } }
      },
      axes: [axisValue("VUs (concurrency)"), axisY("req/s")],
      series: series,
      hooks: {
        draw: [function (u) {
          if (s.peak != null) searchMark(u, s.peak, true, C.vus, "N* " + fmtShort(s.peak) + " VUs");
          if (s.ceiling != null) searchMark(u, s.ceiling, false, C.faint, "λ/σ " + fmtNum(s.ceiling) + " req/s");
        }]
      }
    };
    return { u: new uPlot(opts, columns, el), points: levels };
  }
};

Array.prototype.forEach.call(document.querySelectorAll(".chart[data-search-chart]"), function (el) {
  var name = el.getAttribute("data-search-chart");
  try {
    if (typeof uPlot === "undefined") throw new Error("uPlot did not load");
    if (!searchCharts[name] || !data[name]) throw new Error("no chart data");
    if (!(name === "capacity" ? data.capacity.rate : data.scale.n).length) {
      el.innerHTML = "<div class=\"empty\">no data<" + "/div>";
      el.setAttribute("data-rendered", "0");
      return;
    }
    var r = searchCharts[name](el);
    // Resizing is handled with the other charts (charts.js keeps `drawn`).
    drawn.push({ el: el, u: r.u });
    el.setAttribute("data-rendered", String(r.points));
  } catch (e) {
    report("chart " + name + ": " + (e && e.message ? e.message : e));
  }
});
