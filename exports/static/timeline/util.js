/* Helpers the other modules share: text and lists from untrusted data, and dates on the
   axis. Positions on the axis are the wall-clock times as written, read as UTC. No DOM. */
var Util = (function () {
  "use strict";

  var DAY = 864e5;
  var HOUR = 36e5;
  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  var TIME_RE = /^([+-]?\d{1,6})(?:-(\d\d)(?:-(\d\d)(?:[T ](\d\d):(\d\d)(?::(\d\d))?)?)?)?/;

  function str(value) { return value == null ? "" : String(value); }
  function list(value) { return Array.isArray(value) ? value : []; }
  function fold(text) { return str(text).normalize("NFKC").toLowerCase(); }
  function unique(values) {
    var seen = new Set(), out = [];
    values.forEach(function (v) { if (v && !seen.has(v)) { seen.add(v); out.push(v); } });
    return out;
  }
  function flat(lists) { return [].concat.apply([], lists); }

  function utc(year, month, day, hour) {
    var d = new Date(0);
    d.setUTCFullYear(year, month, day);
    d.setUTCHours(hour || 0, 0, 0, 0);
    return d.getTime();
  }
  function parseTime(text) {
    var m = TIME_RE.exec(str(text));
    if (!m) return null;
    var d = new Date(0);
    d.setUTCFullYear(+m[1], m[2] ? +m[2] - 1 : 0, m[3] ? +m[3] : 1);
    d.setUTCHours(m[4] ? +m[4] : 0, m[5] ? +m[5] : 0, m[6] ? +m[6] : 0, 0);
    var unit = m[4] ? "time" : m[3] ? "day" : m[2] ? "month" : "year";
    return isNaN(d.getTime()) ? null : { t: d.getTime(), unit: unit };
  }
  function after(part) { // the first instant after the period a part covers
    var d = new Date(part.t);
    if (part.unit === "time") return part.t;
    if (part.unit === "day") return part.t + DAY;
    if (part.unit === "month") d.setUTCMonth(d.getUTCMonth() + 1);
    else d.setUTCFullYear(d.getUTCFullYear() + 1);
    return d.getTime();
  }
  function pad(n, width) { var s = String(Math.abs(n)); while (s.length < width) s = "0" + s; return (n < 0 ? "-" : "") + s; }
  function isoDay(t) {
    var d = new Date(t);
    return pad(d.getUTCFullYear(), 4) + "-" + pad(d.getUTCMonth() + 1, 2) + "-" + pad(d.getUTCDate(), 2);
  }
  function dayText(t, withYear) {
    var d = new Date(t);
    return d.getUTCDate() + " " + MONTHS[d.getUTCMonth()] + (withYear ? " " + d.getUTCFullYear() : "");
  }

  return {
    DAY: DAY, HOUR: HOUR, MONTHS: MONTHS,
    str: str, list: list, fold: fold, unique: unique, flat: flat,
    utc: utc, parseTime: parseTime, after: after, pad: pad, isoDay: isoDay, dayText: dayText
  };
})();
