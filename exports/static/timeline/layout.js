/* Where things go, as pure functions of the items and the sizes: lanes, rows (developments
   nested under the one they are part of), the view's time span, and the axis's ticks.
   No DOM: label widths come from a measure function the caller hands in (a canvas on the
   page, a fixed width per character in the tests). */
var Layout = (function () {
  "use strict";

  var U = Util, DAY = U.DAY, HOUR = U.HOUR;
  var ROW = 26; // row height with labels
  var ROW_COMPACT = 18; // row height when zoomed out so far that labels are hidden
  var LANE_HEAD = 24;
  var LANE_GAP = 8;
  var MARK = 12; // width of a one-day mark, and the least width of a bar
  var BADGE_W = 14;
  var FLAG_W = 12;
  var OPEN_W = 10; // the arrowhead that ends an open interval's bar
  var GAP = 6;
  var LABEL_MAX = 240; // px at most; longer titles are cut with an ellipsis (less on narrow screens)
  var LABEL_LIMIT = 250; // labels only when at most this many developments are in view
  var MIN_SPAN = 2 * DAY; // the closest zoom: two days across the chart
  var STEPS = [
    ["hour", 1, HOUR], ["hour", 3, 3 * HOUR], ["hour", 6, 6 * HOUR], ["hour", 12, 12 * HOUR],
    ["day", 1, DAY], ["day", 2, 2 * DAY], ["week", 1, 7 * DAY], ["week", 2, 14 * DAY],
    ["month", 1, 30.44 * DAY], ["month", 3, 91.3 * DAY], ["month", 6, 182.6 * DAY],
    ["year", 1, 365.25 * DAY], ["year", 2, 730.5 * DAY], ["year", 5, 1826 * DAY],
    ["year", 10, 3652 * DAY], ["year", 25, 9131 * DAY], ["year", 50, 18262 * DAY],
    ["year", 100, 36525 * DAY]
  ];

  // --- labels: a title cut to fit, measured once per width ------------------------------

  /* How wide a label may be on a chart *w* pixels wide. */
  function labelMaxFor(w) { return Math.round(Math.max(110, Math.min(LABEL_MAX, w * 0.4))); }

  /* The label's width; its text (it.labelText) is the title, cut with an ellipsis to at
     most text.max pixels. Kept on the item until the caller clears it.labelText. */
  function labelWidth(it, text) {
    if (it.labelText == null) {
      var label = it.title, width = text.measure(label);
      if (width > text.max) {
        var lo = 0, hi = label.length;
        while (lo < hi) {
          var mid = (lo + hi + 1) >> 1;
          if (text.measure(label.slice(0, mid) + "\u2026") <= text.max) lo = mid; else hi = mid - 1;
        }
        label = label.slice(0, lo).replace(/\s+$/, "") + "\u2026";
        width = text.measure(label);
      }
      it.labelText = label;
      it.labelW = Math.ceil(width);
    }
    return it.labelW;
  }

  // --- lanes and rows -------------------------------------------------------------------

  /* The room a badge (? or ~) and a postponed flag take right of the shape. */
  function extras(it) {
    return (it.open ? OPEN_W : 0) + (it.q ? BADGE_W : 0) + (it.status === "postponed" ? FLAG_W : 0);
  }

  /* The shape's left and right ends, in pixels from the axis's origin moved by *off*. */
  function ends(it, k, off) {
    var x0, x1;
    if (it.form === "mark") { x0 = it.tc * k - off - MARK / 2; x1 = x0 + MARK; }
    else { x0 = it.t0 * k - off; x1 = Math.max(it.t1 * k - off, x0 + MARK); }
    return { x0: x0, x1: x1 };
  }

  function extent(it, k, opts) {
    var e = ends(it, k, 0), x0 = e.x0, x1 = e.x1;
    var end = x1 + extras(it);
    if (opts.labels) {
      var w = labelWidth(it, opts.text);
      if (it.form === "mark" || x1 - x0 < w + 12) end += 4 + w;
    }
    return { it: it, x0: x0, x1: end + GAP, h: 1, row: 0, kids: [] };
  }

  function block(it, k, opts) {
    var b = extent(it, k, opts);
    if (it.kids.length) {
      b.kids = it.kids.map(function (child) { return block(child, k, opts); });
      b.h = 1 + pack(b.kids);
      b.kids.forEach(function (c) { if (c.x0 < b.x0) b.x0 = c.x0; if (c.x1 > b.x1) b.x1 = c.x1; });
    }
    return b;
  }

  function pack(blocks) { // first fit, in time order; a block takes h consecutive free rows
    blocks.sort(function (a, b) { return a.x0 - b.x0 || a.it.t0 - b.it.t0 || a.it.i - b.it.i; });
    var taken = [];
    blocks.forEach(function (b) {
      var r = 0, j;
      search: for (;;) {
        for (j = r; j < r + b.h; j++) {
          if (j < taken.length && taken[j] > b.x0) { r = j + 1; continue search; }
        }
        break;
      }
      for (j = r; j < r + b.h; j++) taken[j] = b.x1;
      b.row = r;
    });
    return taken.length;
  }

  function place(b, row, depth, lane, k, families) {
    var it = b.it;
    it.row = row; it.depth = depth; it.lane = lane;
    if (b.kids.length) {
      families.push({ lane: lane, row: row, h: b.h, t0: b.x0 / k, t1: (b.x1 - GAP) / k });
      b.kids.forEach(function (c) { place(c, row + 1 + c.row, depth + 1, lane, k, families); });
    }
  }

  function laneKey(it, group) {
    var top = it;
    while (top.vp) top = top.vp;
    return group === "country" ? top.laneCountry : top.kind;
  }

  /* Lanes and rows of the *dated* items (from Data.select) at *k* pixels per millisecond.
     opts: group ("kind" or "country"), labels (drawn or not), text ({max, measure}) and
     vocab. Each item gets its lane, row and depth; the result has the lanes (top, height,
     rows, label), the families' boxes, the items in drawing order, the row height and the
     plot's height. */
  function arrange(dated, k, opts) {
    var rowH = opts.labels ? ROW : ROW_COMPACT, families = [];
    var groups = new Map();
    dated.forEach(function (it) {
      var key = laneKey(it, opts.group);
      if (!groups.has(key)) groups.set(key, { key: key, items: [], tops: [] });
      var g = groups.get(key);
      g.items.push(it);
      if (!it.vp) g.tops.push(it);
    });
    var lanes = Array.from(groups.values());
    lanes.forEach(function (lane) {
      lane.label = opts.group === "country" ? Data.countryName(lane.key) : Data.kindName(opts.vocab, lane.key);
    });
    lanes.sort(opts.group === "country"
      ? function (a, b) { return (a.key ? 0 : 1) - (b.key ? 0 : 1) || a.label.localeCompare(b.label, "en"); }
      : function (a, b) { return Data.kindRank(opts.vocab, a.key) - Data.kindRank(opts.vocab, b.key) || (a.key < b.key ? -1 : 1); });
    var y = 0;
    lanes.forEach(function (lane, index) {
      lane.index = index;
      var blocks = lane.tops.map(function (it) { return block(it, k, opts); });
      lane.rows = Math.max(1, pack(blocks));
      blocks.forEach(function (b) { place(b, b.row, 0, lane, k, families); });
      lane.top = y;
      lane.height = LANE_HEAD + lane.rows * rowH + LANE_GAP;
      y += lane.height;
    });
    var order = dated.slice().sort(function (a, b) {
      return a.lane.index - b.lane.index || a.t0 - b.t0 || a.row - b.row || a.i - b.i;
    });
    return { k: k, labels: opts.labels, rowH: rowH, lanes: lanes, families: families, order: order, height: Math.max(y, 1) };
  }

  /* The middle of the item's row, from the top of the plot. */
  function rowY(it, arranged) { return it.lane.top + LANE_HEAD + it.row * arranged.rowH + arranged.rowH / 2; }

  // --- the view: which span of time the chart shows --------------------------------------

  /* The view kept within reach of the data: between two days and 20 years (or three times
     the data) wide, with at least a tenth of it over the data. */
  function clamp(view, model) {
    var maxSpan = Math.max(20 * 365.25 * DAY, (model.dataMax - model.dataMin) * 3);
    var span = Math.min(Math.max(view.span, MIN_SPAN), maxSpan);
    var lo = model.dataMin - span * 0.9, hi = model.dataMax - span * 0.1;
    return { start: Math.min(Math.max(view.start, lo), Math.max(lo, hi)), span: span };
  }

  /* The view that shows every one of *some* (every dated item if none) on a chart *w*
     pixels wide, leaving room on the right for the last labels when they are drawn. */
  function fit(some, model, w, labelMax) {
    var a = Infinity, b = -Infinity, pool = some.length ? some : model.datedAll;
    pool.forEach(function (it) { a = Math.min(a, it.t0); b = Math.max(b, it.t1); });
    if (!isFinite(a)) { a = model.dataMin; b = model.dataMax; }
    if (b - a < 10 * DAY) { var c = (a + b) / 2; a = c - 5 * DAY; b = c + 5 * DAY; }
    var left = (b - a) * 0.03;
    var rightShare = pool.length <= LABEL_LIMIT ? Math.min(0.5, (labelMax + 30) / w) : 0.02;
    return clamp({ start: a - left, span: (b - a + left) / (1 - rightShare) }, model);
  }

  /* The view zoomed by *factor* about the point *px* pixels from the left of *w*. */
  function zoomAt(view, factor, px, w, model) {
    var t = view.start + (px / w) * view.span;
    var zoomed = clamp({ start: view.start, span: view.span * factor }, model);
    return clamp({ start: t - (px / w) * zoomed.span, span: zoomed.span }, model);
  }

  /* The view moved *px* pixels of *w* to the right (earlier times come into view). */
  function panBy(view, px, w, model) {
    return clamp({ start: view.start - (px / w) * view.span, span: view.span }, model);
  }

  function countInView(dated, view) {
    var a = view.start, b = view.start + view.span, n = 0;
    for (var i = 0; i < dated.length; i++) {
      var it = dated[i];
      if (it.t1 >= a && it.t0 <= b) n++;
    }
    return n;
  }

  /* Whether labels are drawn: only when few enough developments are in view. */
  function labelled(dated, view) { return countInView(dated, view) <= LABEL_LIMIT; }

  // --- the axis -------------------------------------------------------------------------

  function pickStep(k) {
    for (var i = 0; i < STEPS.length; i++) {
      var minPx = STEPS[i][0] === "year" ? 52 : 84;
      if (STEPS[i][2] * k >= minPx) return STEPS[i];
    }
    return STEPS[STEPS.length - 1];
  }
  function floorTo(t, step) {
    var d = new Date(t), unit = step[0], n = step[1];
    if (unit === "year") return U.utc(Math.floor(d.getUTCFullYear() / n) * n, 0, 1);
    if (unit === "month") return U.utc(d.getUTCFullYear(), Math.floor(d.getUTCMonth() / n) * n, 1);
    if (unit === "hour") return Math.floor(t / (n * HOUR)) * n * HOUR;
    var day = Math.floor(t / DAY);
    if (unit === "week") return (Math.floor((day + 3) / (7 * n)) * 7 * n - 3) * DAY; // Mondays
    return Math.floor(day / n) * n * DAY;
  }
  function nextTick(t, step) {
    var d = new Date(t), unit = step[0], n = step[1];
    if (unit === "year") return U.utc(d.getUTCFullYear() + n, 0, 1);
    if (unit === "month") return U.utc(d.getUTCFullYear(), d.getUTCMonth() + n, 1);
    return t + step[2];
  }
  function tickLabel(t, unit, first) {
    var d = new Date(t);
    if (unit === "year") return String(d.getUTCFullYear());
    if (unit === "month") return U.MONTHS[d.getUTCMonth()] + (first || d.getUTCMonth() === 0 ? " " + d.getUTCFullYear() : "");
    if (unit === "hour") {
      var clock = U.pad(d.getUTCHours(), 2) + ":00";
      return first ? U.dayText(t, false) + " " + clock : d.getUTCHours() === 0 ? U.dayText(t, false) : clock;
    }
    return U.dayText(t, first || (d.getUTCMonth() === 0 && d.getUTCDate() === 1));
  }

  /* The axis's ticks across *view* at *k* pixels per millisecond: each one's x (on the
     half pixel, for a sharp line), its label and its time (data-t). */
  function ticks(view, k) {
    var step = pickStep(k), end = view.start + view.span, off = view.start * k, out = [];
    var t = floorTo(view.start, step), first = true;
    for (var guard = 0; t <= end && guard < 400; guard++, t = nextTick(t, step)) {
      var x = Math.round(t * k - off) + 0.5;
      if (x < -1) continue;
      out.push({
        x: x, label: tickLabel(t, step[0], first),
        at: step[0] === "hour" ? U.isoDay(t) + "T" + U.pad(new Date(t).getUTCHours(), 2) + ":00" : U.isoDay(t)
      });
      first = false;
    }
    return out;
  }

  /* The view's span in words, as the toolbar shows it. */
  function rangeText(view) {
    return "Showing " + U.dayText(view.start, true) + " \u2013 " + U.dayText(view.start + view.span, true);
  }

  return {
    LANE_HEAD: LANE_HEAD, MARK: MARK, BADGE_W: BADGE_W, FLAG_W: FLAG_W, OPEN_W: OPEN_W, LABEL_MAX: LABEL_MAX,
    labelMaxFor: labelMaxFor, labelWidth: labelWidth, extras: extras, ends: ends,
    arrange: arrange, rowY: rowY,
    clamp: clamp, fit: fit, zoomAt: zoomAt, panBy: panBy, labelled: labelled,
    ticks: ticks, rangeText: rangeText
  };
})();
