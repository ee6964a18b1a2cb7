/* report.html, first part of the page script (the parts are concatenated in this order
 * inside one function: prelude, format, chart-kit, charts, tables): reads the embedded chart
 * data and picks up the error reporter that js/errors.js installed. */
"use strict";

var report = window.__loadcellReportError || function (m) { throw new Error(m); };
var data;
try {
  data = JSON.parse(document.getElementById("report-data").textContent);
} catch (e) {
  report("report data: " + e);
  return;
}
