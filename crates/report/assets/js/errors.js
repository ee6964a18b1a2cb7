/* report.html, the first script on the page: collects every script error (uncaught
 * exceptions, unhandled promise rejections, and what the charts report through
 * window.__loadcellReportError) into the #report-errors element and the count into the
 * body's data-errors attribute. */
(function () {
  var count = 0;
  function report(message) {
    count += 1;
    var pre = document.getElementById("report-errors");
    if (pre) pre.textContent += message + "\n";
    document.body.dataset.errors = String(count);
  }
  window.__loadcellReportError = report;
  window.onerror = function (message, source, line, column, error) {
    report((error && error.message ? error.message : message) + " (line " + line + ":" + column + ")");
  };
  window.addEventListener("unhandledrejection", function (event) {
    report("unhandled rejection: " + (event.reason && event.reason.message ? event.reason.message : event.reason));
  });
})();
