/* report.html: sortable tables: clicking a header sorts by that column (numbers by their
 * data-v value, text naturally); clicking again reverses. */
function sortable(table) {
  var heads = table.querySelectorAll("thead th");
  Array.prototype.forEach.call(heads, function (th, col) {
    var button = th.querySelector("button");
    if (!button) return;
    button.addEventListener("click", function () {
      try {
        var numeric = th.classList.contains("num");
        var dir = th.getAttribute("aria-sort") === (numeric ? "descending" : "ascending") ? -1 : 1;
        if (numeric) dir = -dir;
        Array.prototype.forEach.call(heads, function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", dir > 0 ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var ca = a.cells[col], cb = b.cells[col];
          if (!ca || !cb) return 0;
          var va = ca.getAttribute("data-v"), vb = cb.getAttribute("data-v");
          if (va != null && vb != null) return (parseFloat(va) - parseFloat(vb)) * dir;
          return ca.textContent.localeCompare(cb.textContent, undefined, { numeric: true }) * dir;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      } catch (e) {
        report("sort: " + e);
      }
    });
  });
}
try {
  Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), sortable);
} catch (e) {
  report("tables: " + e);
}
