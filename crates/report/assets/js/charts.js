/* report.html: the five charts (throughput, latency, load, errors, latency spectrum), drawing
 * each into its .chart[data-chart] container with data-rendered set to its point count, the
 * log-scale switches and redrawing on resize. */
var charts = {
  throughput: function (el) {
    var total = data.t.map(function (_, i) { return data.ok[i] + data.failed[i]; });
    return timeChart(el, [
      line("failed", C.failed, fmtNum, {
        value: function (u, v, si, i) { return i == null ? "" : fmtNum(data.failed[i]) + " /s"; }
      }),
      line("ok", C.ok, function (v) { return fmtNum(v) + " /s"; }, { fill: alpha(C.ok, 0.16) })
    ], [total, data.ok], {
      yLabel: "requests/s",
      tweak: function (o) { o.bands = [{ series: [1, 2], fill: alpha(C.failed, 0.3) }]; }
    });
  },
  latency: function (el) {
    return timeChart(el, [
      line("p50", C.p50, fmtMs),
      line("p95", C.p95, fmtMs),
      line("p99", C.p99, fmtMs)
    ], [positive(el, data.p50), positive(el, data.p95), positive(el, data.p99)], {
      yLabel: "ms",
      tweak: function (o) { o.scales.y = yScale(el); }
    });
  },
  load: function (el) {
    var series = [line("active VUs", C.vus, fmtInt, { scale: "y", fill: alpha(C.vus, 0.08) })];
    var columns = [data.vus];
    var open = data.model === "open";
    if (open) {
      series.push(line("target rate", C.target, function (v) { return fmtNum(v) + " /s"; }, { scale: "rate", dash: [6, 4] }));
      series.push(line("iterations", C.achieved, function (v) { return fmtNum(v) + " /s"; }, { scale: "rate" }));
      columns.push(data.target || data.t.map(function () { return null; }), data.iters);
    } else if (data.stages && data.stages.length && data.stages[0].unit === "vus") {
      series.push(line("planned VUs", C.target, fmtInt, { dash: [6, 4] }));
      columns.push(data.t.map(plannedAt));
    }
    return timeChart(el, series, columns, {
      yLabel: "VUs",
      stageLabels: true,
      tweak: function (o) {
        if (open) {
          o.scales.rate = { range: fromZero };
          o.axes.push(axisY("iterations/s", "rate", 1));
        }
      }
    });
  },
  errors: function (el) {
    var kinds = data.errors || [];
    var series = kinds.map(function (k, i) {
      var colour = k.none ? C.ok : palette[i % palette.length];
      return line(k.name, colour, function (v) { return fmtNum(v) + " /s"; });
    });
    return timeChart(el, series, kinds.map(function (k) { return k.v; }), { yLabel: "per second" });
  },
  spectrum: function (el) {
    var sp = data.spectrum;
    var maxX = sp.x.length ? sp.x[sp.x.length - 1] : 1;
    var top = Math.max(2, Math.ceil(maxX - 1e-9));
    var ticks = [0, Math.log10(2), 1, 2, 3, 4, 5, 6].filter(function (x) { return x <= top + 1e-9; });
    var opts = {
      width: el.clientWidth || 600,
      height: HEIGHT + 40,
      cursor: { drag: { x: false, y: false }, points: { size: 6 } },
      scales: { x: { time: false, range: [0, top + 0.12] }, y: yScale(el) },
      axes: [
        {
          stroke: C.axis,
          grid: { stroke: C.grid, width: 1 },
          ticks: { stroke: C.grid, width: 1 },
          splits: function () { return ticks; },
          values: function (u, splits) { return splits.map(fmtPercentileTick); },
          label: "percentile",
          labelSize: 18
        },
        axisY("ms")
      ],
      series: [
        { label: "percentile", value: function (u, v) { return v == null ? "" : fmtPercentile(v); } },
        line("latency", C.p99, fmtMs, { fill: alpha(C.p99, 0.08), width: 2, points: { show: true, size: 4 } })
      ],
      hooks: {
        draw: [function (u) {
          if (sp.max == null) return;
          var ctx = u.ctx, b = u.bbox, pr = uPlot.pxRatio, y = Math.round(u.valToPos(sp.max, "y", true)) + 0.5;
          ctx.save();
          ctx.strokeStyle = C.faint;
          ctx.fillStyle = C.axis;
          ctx.lineWidth = pr;
          ctx.setLineDash([4 * pr, 4 * pr]);
          ctx.beginPath();
          ctx.moveTo(b.left, y);
          ctx.lineTo(b.left + b.width, y);
          ctx.stroke();
          ctx.font = 11 * pr + "px " + cssVar("--sans", "system-ui");
          ctx.textAlign = "left";
          ctx.textBaseline = "bottom";
          ctx.fillText("max " + fmtMs(sp.max), b.left + 6 * pr, y - 3 * pr);
          ctx.restore();
        }]
      }
    };
    return new uPlot(opts, [sp.x, positive(el, sp.ms)], el);
  }
};

function plannedAt(t) {
  var st = data.stages;
  for (var i = 0; i < st.length; i++) {
    if (t >= st[i].start_s && t <= st[i].end_s) {
      var len = st[i].end_s - st[i].start_s;
      return len > 0 ? st[i].from + (st[i].to - st[i].from) * (t - st[i].start_s) / len : st[i].to;
    }
  }
  return null;
}

var drawn = [];
function draw(el) {
  var name = el.getAttribute("data-chart");
  try {
    if (typeof uPlot === "undefined") throw new Error("uPlot did not load");
    if (!charts[name]) throw new Error("unknown chart");
    var points = name === "spectrum" ? data.spectrum.x.length : data.t.length;
    if (!points) {
      el.innerHTML = "<div class=\"empty\">no data<" + "/div>";
      el.setAttribute("data-rendered", "0");
      return;
    }
    var u = charts[name](el);
    drawn.push({ el: el, u: u });
    el.setAttribute("data-rendered", String(points));
  } catch (e) {
    report("chart " + name + ": " + (e && e.message ? e.message : e));
  }
}
Array.prototype.forEach.call(document.querySelectorAll(".chart[data-chart]"), draw);

function redraw(el) {
  drawn = drawn.filter(function (d) {
    if (d.el !== el) return true;
    timeCharts = timeCharts.filter(function (c) { return c !== d.u; });
    d.u.destroy();
    return false;
  });
  el.innerHTML = "";
  draw(el);
}
Array.prototype.forEach.call(document.querySelectorAll("button[data-log-for]"), function (button) {
  button.addEventListener("click", function () {
    try {
      var el = document.getElementById(button.getAttribute("data-log-for"));
      var on = !isLog(el);
      el.setAttribute("data-log", on ? "1" : "0");
      button.setAttribute("aria-pressed", on ? "true" : "false");
      redraw(el);
    } catch (e) {
      report("log switch: " + e);
    }
  });
});

var resizeTimer = null;
window.addEventListener("resize", function () {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(function () {
    drawn.forEach(function (d) {
      try {
        if (d.el.clientWidth && d.el.clientWidth !== d.u.width) d.u.setSize({ width: d.el.clientWidth, height: d.u.height });
      } catch (e) {
        report("resize: " + e);
      }
    });
  }, 100);
});
