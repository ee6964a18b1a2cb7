/* report.html: the comparison section's chart: both runs' latency percentile spectra on one
 * percentile axis (x = log10(1 / (1 - p)), as the run's own spectrum chart), base dashed in
 * blue, new in orange, with a log switch of its own. It reads
 * #compare-data, draws into .chart[data-compare-chart] and sets data-rendered to its number
 * of percentile points. Pages without a comparison have neither element. */
(function () {
  var el = document.querySelector(".chart[data-compare-chart]");
  if (!el) return;
  var cd;
  try {
    cd = JSON.parse(document.getElementById("compare-data").textContent);
  } catch (e) {
    report("comparison data: " + e);
    return;
  }
  // Both spectra on the union of their x positions; a run without a point there is a gap.
  function columns() {
    var xs = [];
    [cd.base, cd.new].forEach(function (s) { if (s) s.x.forEach(function (x) { if (xs.indexOf(x) < 0) xs.push(x); }); });
    xs.sort(function (a, b) { return a - b; });
    var at = function (s) {
      return xs.map(function (x) { var i = s ? s.x.indexOf(x) : -1; return i < 0 ? null : s.ms[i]; });
    };
    return [xs, positive(el, at(cd.base)), positive(el, at(cd.new))];
  }
  function drawCompare() {
    var cols = columns();
    var maxX = cols[0].length ? cols[0][cols[0].length - 1] : 1;
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
        { label: "at", value: function (u, v) { return v == null ? "" : fmtPercentile(v); } },
        line(cd.base_label, C.p50, fmtMs, { width: 2, dash: [6, 4], spanGaps: true, points: { show: true, size: 4 } }),
        line(cd.new_label, C.p95, fmtMs, { width: 2, spanGaps: true, points: { show: true, size: 4 } })
      ]
    };
    return { u: new uPlot(opts, cols, el), points: cols[0].length };
  }
  function render() {
    try {
      if (typeof uPlot === "undefined") throw new Error("uPlot did not load");
      var d = drawCompare();
      el.setAttribute("data-rendered", String(d.points));
      return d.u;
    } catch (e) {
      report("chart compare: " + (e && e.message ? e.message : e));
      return null;
    }
  }
  var u = render();
  // Its own attribute: charts.js redraws every button[data-log-for] chart by data-chart.
  var button = document.querySelector("button[data-compare-log]");
  if (button) {
    button.addEventListener("click", function () {
      var on = !isLog(el);
      el.setAttribute("data-log", on ? "1" : "0");
      button.setAttribute("aria-pressed", on ? "true" : "false");
      if (u) u.destroy();
      el.innerHTML = "";
      u = render();
    });
  }
  window.addEventListener("resize", function () {
    if (u && el.clientWidth && el.clientWidth !== u.width) u.setSize({ width: el.clientWidth, height: u.height });
  });
})();
