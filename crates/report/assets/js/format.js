/* report.html: number, time and percentile formatting for axes and legends; the same rules
 * as the Rust side's text::number. */
function fmtInt(v) { return v == null || !isFinite(v) ? "–" : Math.round(v).toLocaleString("en-US"); }
function fixed(v, d) {
  return Number(v).toLocaleString("en-US", { minimumFractionDigits: d, maximumFractionDigits: d });
}
function fmtMs(v) {
  if (v == null || !isFinite(v)) return "–";
  var a = Math.abs(v);
  if (a === 0) return "0 ms";
  if (a < 1) return fixed(v, 3) + " ms";
  if (a < 10) return fixed(v, 2) + " ms";
  if (a < 100) return fixed(v, 1) + " ms";
  if (a < 10000) return fixed(v, 0) + " ms";
  return fixed(v / 1000, 1) + " s";
}
function fmtNum(v) {
  if (v == null || !isFinite(v)) return "–";
  var a = Math.abs(v);
  if (a === 0) return "0";
  if (a < 10) return fixed(v, 2);
  if (a < 100) return fixed(v, 1);
  return fixed(v, 0);
}
function fmtAxis(v) {
  if (v == null) return "";
  var a = Math.abs(v);
  if (a >= 1e6) return +(v / 1e6).toFixed(1) + "M";
  if (a >= 1e4) return +(v / 1e3).toFixed(1) + "k";
  if (a >= 10) return String(Math.round(v));
  return String(+v.toFixed(3));
}
function pad2(n) { return n < 10 ? "0" + n : String(n); }
function fmtTime(s) {
  if (s == null || !isFinite(s)) return "–";
  var neg = s < 0;
  s = Math.round(Math.abs(s));
  var h = Math.floor(s / 3600), m = Math.floor(s / 60) % 60, x = s % 60;
  return (neg ? "-" : "") + (h ? h + ":" + pad2(m) : m) + ":" + pad2(x);
}
function fmtShort(v) { return v == null || !isFinite(v) ? "–" : Number(v.toFixed(2)).toLocaleString("en-US"); }
// The spectrum's x is log10(1 / (1 - p)): 1 → 90%, 2 → 99%, 3 → 99.9%.
function percentileOf(x) { return 100 * (1 - Math.pow(10, -x)); }
function fmtPercentileTick(x) {
  return percentileOf(x).toFixed(Math.max(0, Math.ceil(x - 1e-9) - 2)) + "%";
}
function fmtPercentile(x) {
  return Number(percentileOf(x).toFixed(Math.min(8, Math.max(0, Math.ceil(x) - 1) + 1))) + "%";
}
