/* report.html: the "Target resources" charts (--monitor). Each .chart[data-monitor-chart] (value "S:G")
 * draws chart group G of source S: one line per metric on the run's own time axis, so it
 * shares the zoom and hover of the charts over time. Sets data-rendered to the number of
 * readings drawn; the attribute is its own, so charts.js's loop never sees these. */
function fmtBytes(v) {
  if (v == null || !isFinite(v)) return "–";
  var units = ["B", "KiB", "MiB", "GiB", "TiB"], a = Math.abs(v), i = 0;
  while (a >= 1024 && i < units.length - 1) { a /= 1024; v /= 1024; i++; }
  return (i ? fixed(v, a < 10 ? 2 : a < 100 ? 1 : 0) : fixed(v, 0)) + " " + units[i];
}
var monitorFormats = {
  "percent": function (v) { return fmtNum(v) + "%"; },
  "bytes": fmtBytes,
  "bytes/s": function (v) { return fmtBytes(v) + "/s"; },
  "/s": function (v) { return fmtNum(v) + " /s"; },
  "count": fmtInt
};
var monitorAxis = { "percent": "%", "bytes": "bytes", "bytes/s": "bytes/s", "/s": "per second", "count": "count" };

function drawMonitorChart(el) {
  var key = el.getAttribute("data-monitor-chart");
  try {
    var at = key.split(":");
    var group = data.monitor[Number(at[0])].groups[Number(at[1])];
    var fmt = monitorFormats[group.unit] || fmtNum;
    var points = 0;
    group.series.forEach(function (s) {
      points = Math.max(points, s.v.filter(function (v) { return v != null; }).length);
    });
    if (!data.t.length || !points) {
      el.innerHTML = "<div class=\"empty\">no readings<" + "/div>";
      el.setAttribute("data-rendered", "0");
      return;
    }
    var series = group.series.map(function (s, i) { return line(s.name, palette[i % palette.length], fmt); });
    var u = timeChart(el, series, group.series.map(function (s) { return s.v; }), {
      yLabel: monitorAxis[group.unit] || "",
      tweak: function (o) {
        o.axes[1].values = function (u, splits) { return splits.map(group.unit === "bytes" || group.unit === "bytes/s" ? fmtBytes : fmtAxis); };
        o.axes[1].size = 70;
      }
    });
    drawn.push({ el: el, u: u });
    el.setAttribute("data-rendered", String(points));
  } catch (e) {
    report("chart monitor " + key + ": " + (e && e.message ? e.message : e));
  }
}
Array.prototype.forEach.call(document.querySelectorAll(".chart[data-monitor-chart]"), drawMonitorChart);
