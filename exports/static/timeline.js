/* The timeline page's script. Plain JavaScript, no dependencies: it reads the JSON embedded
   in the page, draws the developments in one SVG and keeps it responsive by drawing only
   what is on screen. Every piece of text from the data goes through textContent (or an
   attribute), never through HTML parsing; links are made only from http(s) URLs. */
(function () {
  "use strict";

  var DAY = 864e5;
  var HOUR = 36e5;
  var SVG_NS = "http://www.w3.org/2000/svg";
  var ROW = 26; // row height with labels
  var ROW_COMPACT = 18; // row height when zoomed out so far that labels are hidden
  var LANE_HEAD = 24;
  var LANE_GAP = 8;
  var MARK = 12; // width of a one-day mark, and the least width of a bar
  var BADGE_W = 14;
  var FLAG_W = 12;
  var GAP = 6;
  var LABEL_MAX = 240; // px at most; longer titles are cut with an ellipsis (less on narrow screens)
  var LABEL_LIMIT = 250; // labels only when at most this many developments are in view
  var MIN_SPAN = 2 * DAY; // the closest zoom: two days across the chart
  var RELAYOUT_MS = 120;
  var KIND_SHAPES = {
    meeting: "circle", talks: "square", summit: "triangle", call: "diamond", visit: "hexagon",
    agreement: "down", statement: "plus", dialogue: "circle", consultation: "square", other: "diamond"
  };
  var SHAPES = {
    circle: "M-6,0a6,6 0 1,0 12,0a6,6 0 1,0 -12,0Z",
    square: "M-5.5,-5.5h11v11h-11Z",
    triangle: "M0,-6.5L6.5,5.5H-6.5Z",
    diamond: "M0,-7L7,0L0,7L-7,0Z",
    hexagon: "M-6.5,0L-3.25,-5.6H3.25L6.5,0L3.25,5.6H-3.25Z",
    down: "M0,6.5L6.5,-5.5H-6.5Z",
    plus: "M-2.5,-6.5h5v4h4v5h-4v4h-5v-4h-4v-5h4Z"
  };
  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  var STEPS = [
    ["hour", 1, HOUR], ["hour", 3, 3 * HOUR], ["hour", 6, 6 * HOUR], ["hour", 12, 12 * HOUR],
    ["day", 1, DAY], ["day", 2, 2 * DAY], ["week", 1, 7 * DAY], ["week", 2, 14 * DAY],
    ["month", 1, 30.44 * DAY], ["month", 3, 91.3 * DAY], ["month", 6, 182.6 * DAY],
    ["year", 1, 365.25 * DAY], ["year", 2, 730.5 * DAY], ["year", 5, 1826 * DAY],
    ["year", 10, 3652 * DAY], ["year", 25, 9131 * DAY], ["year", 50, 18262 * DAY],
    ["year", 100, 36525 * DAY]
  ];
  var HTTP_RE = /^https?:\/\/[^\s]+$/i;
  var TIME_RE = /^([+-]?\d{1,6})(?:-(\d\d)(?:-(\d\d)(?:[T ](\d\d):(\d\d)(?::(\d\d))?)?)?)?/;

  var doc = document;
  var root = doc.documentElement;
  function $(id) { return doc.getElementById(id); }

  // --- small DOM helpers: attributes and textContent only --------------------------------

  function el(tag, className, text) {
    var node = doc.createElement(tag);
    if (className) node.className = className;
    if (text != null) node.textContent = text;
    return node;
  }
  function svg(tag, attrs) {
    var node = doc.createElementNS(SVG_NS, tag);
    if (attrs) for (var key in attrs) node.setAttribute(key, attrs[key]);
    return node;
  }
  function str(value) { return value == null ? "" : String(value); }
  function list(value) { return Array.isArray(value) ? value : []; }
  function fold(text) { return str(text).normalize("NFKC").toLowerCase(); }
  function unique(values) {
    var seen = new Set(), out = [];
    values.forEach(function (v) { if (v && !seen.has(v)) { seen.add(v); out.push(v); } });
    return out;
  }
  function own(obj, key) { return Object.prototype.hasOwnProperty.call(obj, key); }
  function table(value) { return value && typeof value === "object" && !Array.isArray(value) ? value : {}; }
  function kindName(kind) {
    if (own(KIND_NAMES, kind) && KIND_NAMES[kind]) return str(KIND_NAMES[kind]);
    return kind ? kind.charAt(0).toUpperCase() + kind.slice(1) : "Other";
  }
  var regionNames = null;
  try { regionNames = new Intl.DisplayNames(["en"], { type: "region" }); } catch (err) { regionNames = null; }
  function countryName(code) {
    if (!code) return "No country";
    var name = null;
    try { name = regionNames ? regionNames.of(code) : null; } catch (err) { name = null; }
    return name && name !== code ? name + " (" + code + ")" : code;
  }

  // --- dates: positions on the axis are the wall-clock times as written, read as UTC -----

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

  // --- the data ------------------------------------------------------------------------

  var payload = {};
  try {
    payload = JSON.parse($("timeline-data").textContent || "{}") || {};
  } catch (err) {
    var broken = $("empty");
    broken.textContent = "The timeline data in this page could not be read.";
    broken.hidden = false;
    return;
  }
  // The words of the record come with the data (exports/html.py), each with its name on
  // the page, in display order; the script keeps no list of its own.
  var vocabulary = table(payload.vocabulary);
  var KIND_NAMES = table(vocabulary.kinds);
  var KINDS = Object.keys(KIND_NAMES);
  var STATUS_NAMES = table(vocabulary.statuses);
  var STATUSES = Object.keys(STATUS_NAMES);
  var RELATIONS = table(vocabulary.relations);
  var QUALIFIERS = table(vocabulary.qualifiers);
  var records = list(payload.developments);
  var dateWords = list(payload.dates);
  var items = records.map(makeItem);
  var byId = new Map();
  items.forEach(function (it) { if (!byId.has(it.id)) byId.set(it.id, it); });
  items.forEach(function (it) {
    var parent = it.r.part_of != null ? byId.get(str(it.r.part_of)) : null;
    if (parent && parent !== it) { it.parent = parent; parent.children.push(it); }
  });
  var actorKeys = new Set([].concat.apply([], items.map(function (it) { return it.actorKeys; })));
  var datedAll = items.filter(function (it) { return it.dated; });
  var dataMin = Infinity, dataMax = -Infinity;
  datedAll.forEach(function (it) { dataMin = Math.min(dataMin, it.t0); dataMax = Math.max(dataMax, it.t1); });
  if (!datedAll.length) { dataMin = utc(2024, 0, 1); dataMax = utc(2025, 0, 1); }

  function makeItem(r, i) {
    r = r && typeof r === "object" ? r : {};
    var kind = str(r.kind) || "other";
    var it = {
      i: i, r: r, id: str(r.id) || "development-" + i,
      kind: kind, kindClass: KIND_SHAPES[kind] ? kind : "other",
      status: STATUSES.indexOf(r.status) >= 0 ? r.status : "occurred",
      q: own(QUALIFIERS, r.qualifier) ? r.qualifier : null,
      title: str(r.title) || str(r.id) || "Untitled development",
      words: dateWords[i] && typeof dateWords[i] === "object" ? dateWords[i] : null,
      parent: null, children: [], vp: null, kids: [],
      dated: false, t0: 0, t1: 0, tc: 0, form: "mark", row: 0, lane: null
    };
    var s = r.start ? parseTime(r.start) : null;
    if (s) {
      var e = (r.end && parseTime(r.end)) || s;
      it.dated = true;
      it.t0 = s.t;
      it.t1 = Math.max(after(e), s.t);
      var coarse = r.precision === "month" || r.precision === "year" || s.unit === "month" || s.unit === "year";
      if (coarse) it.form = "band";
      else if (it.t1 === it.t0 || (s.unit === "day" && it.t1 - it.t0 <= DAY)) it.form = "mark";
      else it.form = "bar";
      it.tc = it.t1 === it.t0 ? it.t0 : (it.t0 + it.t1) / 2;
    }
    var names = [], countries = [];
    list(r.participants).forEach(function (p) {
      if (p && typeof p === "object") {
        if (p.name) names.push(str(p.name));
        if (p.country) countries.push(str(p.country));
      }
    });
    if (r.speaker) names.push(str(r.speaker));
    if (r.visitor) names.push(str(r.visitor));
    it.actors = unique(names);
    it.actorKeys = it.actors.map(fold);
    var place = r.place && typeof r.place === "object" ? r.place : {};
    var laneCountry = str(r.country) || str(r.host_country) || str(place.country) || countries[0] || "";
    if (r.country) countries.unshift(str(r.country));
    if (r.host_country) countries.push(str(r.host_country));
    if (place.country) countries.push(str(place.country));
    list(r.parties).forEach(function (c) { if (c) countries.push(str(c)); });
    it.countries = unique(countries.map(function (c) { return c.toUpperCase(); }));
    it.laneCountry = laneCountry.toUpperCase();
    it.tags = unique(list(r.tags).map(str));
    it.dateText = it.words && it.words.text ? str(it.words.text) : it.dated ? isoDay(it.t0) : "Date unknown";
    return it;
  }

  function ariaLabel(it) {
    var parts = [it.title, kindName(it.kind) + ", " + it.dateText];
    if (it.q) parts.push(str(QUALIFIERS[it.q].words));
    if (it.status !== "occurred") parts.push(STATUS_NAMES[it.status].toLowerCase());
    if (it.vp) parts.push("part of " + it.vp.title);
    return parts.join("; ");
  }

  // --- state ---------------------------------------------------------------------------

  var lanesEl = $("lanes"), plot = $("plot"), axis = $("axis"), chart = $("chart");
  var details = $("details");
  var view = { start: 0, span: 1 };
  var filters = { group: "kind", kind: "", country: "", actor: "", tag: "", status: "" };
  var shown = [], datedShown = [], undatedShown = [];
  var lanes = [], order = [], families = [], rowH = ROW, plotHeight = 0;
  var layoutK = 0, layoutLabels = null, layoutDirty = true, relayoutTimer = 0;
  var nodes = new Map(), drawId = 0, raf = 0, selected = null, opener = null;
  var measure = null, labelMax = LABEL_MAX;

  var layers = {
    lanes: svg("g", { "class": "lanes-layer" }),
    grid: svg("path", { "class": "grid" }),
    heads: svg("g", { "class": "heads-layer" }),
    families: svg("path", { "class": "family" }),
    connectors: svg("path", { "class": "connector" }),
    marks: svg("g", { "class": "marks-layer" })
  };
  plot.append(layers.lanes, layers.grid, layers.heads, layers.families, layers.connectors, layers.marks);
  var tip = el("div", "tip");
  tip.setAttribute("aria-hidden", "true");
  tip.hidden = true;
  chart.appendChild(tip);

  // --- filters -------------------------------------------------------------------------

  function fillSelect(select, values, label) {
    values.forEach(function (value) {
      var option = el("option", null, label ? label(value) : value);
      option.value = value;
      select.appendChild(option);
    });
  }

  function setUpFilters() {
    var kinds = unique(items.map(function (it) { return it.kind; }));
    kinds.sort(function (a, b) { return kindRank(a) - kindRank(b) || (a < b ? -1 : a > b ? 1 : 0); });
    fillSelect($("f-kind"), kinds, kindName);
    var countries = unique([].concat.apply([], items.map(function (it) { return it.countries; })));
    countries.sort(function (a, b) { return countryName(a).localeCompare(countryName(b), "en"); });
    fillSelect($("f-country"), countries, countryName);
    var tags = unique([].concat.apply([], items.map(function (it) { return it.tags; })));
    tags.sort(function (a, b) { return a.localeCompare(b, "en"); });
    fillSelect($("f-tag"), tags);
    var statuses = STATUSES.filter(function (s) { return items.some(function (it) { return it.status === s; }); });
    fillSelect($("f-status"), statuses, function (s) { return STATUS_NAMES[s]; });
    var actors = unique([].concat.apply([], items.map(function (it) { return it.actors; })));
    actors.sort(function (a, b) { return a.localeCompare(b, "en"); });
    var datalist = $("f-actors");
    actors.forEach(function (name) { var o = el("option"); o.value = name; datalist.appendChild(o); });

    var form = $("filters");
    form.addEventListener("submit", function (e) { e.preventDefault(); readFilters(); });
    form.addEventListener("reset", function (e) {
      e.preventDefault();
      ["f-kind", "f-country", "f-actor", "f-tag", "f-status"].forEach(function (id) { $(id).value = ""; });
      readFilters();
    });
    ["f-group", "f-kind", "f-country", "f-tag", "f-status"].forEach(function (id) {
      $(id).addEventListener("change", readFilters);
    });
    var typing = 0;
    $("f-actor").addEventListener("input", function () {
      clearTimeout(typing);
      typing = setTimeout(readFilters, 200);
    });
  }

  function kindRank(kind) { var i = KINDS.indexOf(kind); return i < 0 ? KINDS.length : i; }

  function readFilters() {
    filters.group = $("f-group").value === "country" ? "country" : "kind";
    filters.kind = $("f-kind").value;
    filters.country = $("f-country").value;
    filters.actor = fold($("f-actor").value.trim());
    filters.tag = $("f-tag").value;
    filters.status = $("f-status").value;
    applyFilters();
  }

  function matches(it) {
    if (filters.kind && it.kind !== filters.kind) return false;
    if (filters.status && it.status !== filters.status) return false;
    if (filters.country && it.countries.indexOf(filters.country) < 0) return false;
    if (filters.tag && it.tags.indexOf(filters.tag) < 0) return false;
    if (filters.actor) {
      // A name picked from the list matches exactly ("Wang Yi" is not "Wang Yiwei"); other text is a search.
      if (actorKeys.has(filters.actor) ? it.actorKeys.indexOf(filters.actor) < 0
        : !it.actorKeys.some(function (a) { return a.indexOf(filters.actor) >= 0; })) return false;
    }
    return true;
  }

  function applyFilters() {
    shown = items.filter(matches);
    datedShown = shown.filter(function (it) { return it.dated; });
    undatedShown = shown.filter(function (it) { return !it.dated; });
    var visible = new Set(datedShown);
    datedShown.forEach(function (it) { it.vp = visibleParent(it, visible); it.kids = []; });
    datedShown.forEach(function (it) { if (it.vp) it.vp.kids.push(it); });
    datedShown.forEach(function (it) { it.aria = ariaLabel(it); });
    if (selected && !matches(selected)) closeDetails(false);
    var total = items.length;
    $("count").textContent = "Showing " + shown.length + " of " + total + " developments: " +
      datedShown.length + " on the time axis, " + undatedShown.length + " with the date unknown.";
    $("empty").hidden = datedShown.length > 0;
    renderUndated();
    layoutDirty = true;
    requestDraw();
  }

  function visibleParent(it, visible) {
    var parent = it.parent;
    if (!parent || !visible.has(parent)) return null;
    for (var up = parent, steps = 0; up; up = up.parent && visible.has(up.parent) ? up.parent : null) {
      if (up === it || ++steps > 64) return null; // a cycle, or absurdly deep: draw it on its own
    }
    return parent;
  }

  // --- the list of developments without a date -----------------------------------------

  function renderUndated() {
    var ul = $("undated-list");
    ul.replaceChildren();
    undatedShown.forEach(function (it) {
      var li = el("li");
      var button = el("button", "s-" + it.status);
      button.type = "button";
      button.dataset.i = String(it.i);
      button.appendChild(el("span", "title", it.title));
      var sub = kindName(it.kind) + " \u00b7 " + STATUS_NAMES[it.status].toLowerCase();
      button.appendChild(el("span", "sub", sub));
      li.appendChild(button);
      ul.appendChild(li);
    });
    $("undated-none").hidden = undatedShown.length > 0;
  }

  // --- layout: lanes, rows, and developments nested under the one they are part of -------

  function labelWidth(it) {
    if (it.labelText == null) {
      if (!measure) {
        measure = doc.createElement("canvas").getContext("2d");
        measure.font = "12px " + getComputedStyle(doc.body).fontFamily;
      }
      var text = it.title, width = measure.measureText(text).width;
      if (width > labelMax) {
        var lo = 0, hi = text.length;
        while (lo < hi) {
          var mid = (lo + hi + 1) >> 1;
          if (measure.measureText(text.slice(0, mid) + "\u2026").width <= labelMax) lo = mid; else hi = mid - 1;
        }
        text = text.slice(0, lo).replace(/\s+$/, "") + "\u2026";
        width = measure.measureText(text).width;
      }
      it.labelText = text;
      it.labelW = Math.ceil(width);
    }
    return it.labelW;
  }

  function extras(it) { return (it.q ? BADGE_W : 0) + (it.status === "postponed" ? FLAG_W : 0); }

  function extent(it, k, labels) {
    var x0, x1;
    if (it.form === "mark") { x0 = it.tc * k - MARK / 2; x1 = x0 + MARK; }
    else { x0 = it.t0 * k; x1 = Math.max(it.t1 * k, x0 + MARK); }
    var end = x1 + extras(it);
    if (labels) {
      var w = labelWidth(it);
      if (it.form === "mark" || x1 - x0 < w + 12) end += 4 + w;
    }
    return { it: it, x0: x0, x1: end + GAP, h: 1, row: 0, kids: [] };
  }

  function block(it, k, labels) {
    var b = extent(it, k, labels);
    if (it.kids.length) {
      b.kids = it.kids.map(function (child) { return block(child, k, labels); });
      b.h = 1 + pack(b.kids);
      b.kids.forEach(function (c) { if (c.x0 < b.x0) b.x0 = c.x0; if (c.x1 > b.x1) b.x1 = c.x1; });
    }
    return b;
  }

  function pack(blocks) { // first fit, in time order; a block takes h consecutive free rows
    blocks.sort(function (a, b) { return a.x0 - b.x0 || a.it.t0 - b.it.t0 || a.it.i - b.it.i; });
    var ends = [];
    blocks.forEach(function (b) {
      var r = 0, j;
      search: for (;;) {
        for (j = r; j < r + b.h; j++) {
          if (j < ends.length && ends[j] > b.x0) { r = j + 1; continue search; }
        }
        break;
      }
      for (j = r; j < r + b.h; j++) ends[j] = b.x1;
      b.row = r;
    });
    return ends.length;
  }

  function place(b, row, depth, lane, k) {
    var it = b.it;
    it.row = row; it.depth = depth; it.lane = lane;
    if (b.kids.length) {
      families.push({ lane: lane, row: row, h: b.h, t0: b.x0 / k, t1: (b.x1 - GAP) / k });
      b.kids.forEach(function (c) { place(c, row + 1 + c.row, depth + 1, lane, k); });
    }
  }

  function laneKey(it) {
    var top = it;
    while (top.vp) top = top.vp;
    return filters.group === "country" ? top.laneCountry : top.kind;
  }

  function setLabelMax(w) {
    var max = Math.round(Math.max(110, Math.min(LABEL_MAX, w * 0.4)));
    if (max === labelMax) return;
    labelMax = max;
    items.forEach(function (it) { it.labelText = null; });
    nodes.forEach(function (node) { node.key = ""; });
  }

  function layout(k, labels) {
    layoutK = k; layoutLabels = labels; layoutDirty = false;
    clearTimeout(relayoutTimer);
    rowH = labels ? ROW : ROW_COMPACT;
    families = [];
    var groups = new Map();
    datedShown.forEach(function (it) {
      var key = laneKey(it);
      if (!groups.has(key)) groups.set(key, { key: key, items: [], tops: [] });
      var g = groups.get(key);
      g.items.push(it);
      if (!it.vp) g.tops.push(it);
    });
    lanes = Array.from(groups.values());
    lanes.forEach(function (lane) {
      lane.label = filters.group === "country" ? countryName(lane.key) : kindName(lane.key);
    });
    lanes.sort(filters.group === "country"
      ? function (a, b) { return (a.key ? 0 : 1) - (b.key ? 0 : 1) || a.label.localeCompare(b.label, "en"); }
      : function (a, b) { return kindRank(a.key) - kindRank(b.key) || (a.key < b.key ? -1 : 1); });
    var y = 0;
    lanes.forEach(function (lane, index) {
      lane.index = index;
      var blocks = lane.tops.map(function (it) { return block(it, k, labels); });
      lane.rows = Math.max(1, pack(blocks));
      blocks.forEach(function (b) { place(b, b.row, 0, lane, k); });
      lane.top = y;
      lane.height = LANE_HEAD + lane.rows * rowH + LANE_GAP;
      y += lane.height;
    });
    plotHeight = Math.max(y, 1);
    order = datedShown.slice().sort(function (a, b) {
      return a.lane.index - b.lane.index || a.t0 - b.t0 || a.row - b.row || a.i - b.i;
    });
  }

  function rowY(it) { return it.lane.top + LANE_HEAD + it.row * rowH + rowH / 2; }

  // --- the view: zoom and pan ----------------------------------------------------------

  function width() { return plot.clientWidth || lanesEl.clientWidth || 800; }

  function clampView() {
    var maxSpan = Math.max(20 * 365.25 * DAY, (dataMax - dataMin) * 3);
    view.span = Math.min(Math.max(view.span, MIN_SPAN), maxSpan);
    var lo = dataMin - view.span * 0.9, hi = dataMax - view.span * 0.1;
    view.start = Math.min(Math.max(view.start, lo), Math.max(lo, hi));
  }

  function fit(some) {
    var a = Infinity, b = -Infinity, pool = some.length ? some : datedAll;
    pool.forEach(function (it) { a = Math.min(a, it.t0); b = Math.max(b, it.t1); });
    if (!isFinite(a)) { a = dataMin; b = dataMax; }
    if (b - a < 10 * DAY) { var c = (a + b) / 2; a = c - 5 * DAY; b = c + 5 * DAY; }
    var w = width(), left = (b - a) * 0.03;
    setLabelMax(w);
    // Room on the right for the last labels, when there are few enough to be labelled.
    var rightShare = pool.length <= LABEL_LIMIT ? Math.min(0.5, (labelMax + 30) / w) : 0.02;
    view.span = (b - a + left) / (1 - rightShare);
    view.start = a - left;
    clampView();
    requestDraw();
  }

  function zoomAt(factor, px) {
    var w = width();
    var t = view.start + (px / w) * view.span;
    view.span *= factor;
    clampView();
    view.start = t - (px / w) * view.span;
    clampView();
    scheduleRelayout();
    requestDraw();
  }
  function zoomCenter(factor) { zoomAt(factor, width() / 2); }
  function panBy(px) { view.start -= (px / width()) * view.span; clampView(); requestDraw(); }

  function scheduleRelayout() {
    clearTimeout(relayoutTimer);
    relayoutTimer = setTimeout(function () { layoutDirty = true; requestDraw(); }, RELAYOUT_MS);
  }

  function requestDraw() { if (!raf) raf = requestAnimationFrame(frame); }

  function countInView() {
    var a = view.start, b = view.start + view.span, n = 0;
    for (var i = 0; i < datedShown.length; i++) {
      var it = datedShown[i];
      if (it.t1 >= a && it.t0 <= b) n++;
    }
    return n;
  }

  function frame() {
    raf = 0;
    var w = width(), k = w / view.span;
    setLabelMax(w);
    var labels = countInView() <= LABEL_LIMIT;
    if (layoutDirty || labels !== layoutLabels || !layoutK) layout(k, labels);
    draw(k, w);
    if (!root.hasAttribute("data-ready")) root.setAttribute("data-ready", "true");
  }

  // --- drawing -------------------------------------------------------------------------

  function pickStep(k) {
    for (var i = 0; i < STEPS.length; i++) {
      var minPx = STEPS[i][0] === "year" ? 52 : 84;
      if (STEPS[i][2] * k >= minPx) return STEPS[i];
    }
    return STEPS[STEPS.length - 1];
  }
  function floorTo(t, step) {
    var d = new Date(t), unit = step[0], n = step[1];
    if (unit === "year") return utc(Math.floor(d.getUTCFullYear() / n) * n, 0, 1);
    if (unit === "month") return utc(d.getUTCFullYear(), Math.floor(d.getUTCMonth() / n) * n, 1);
    if (unit === "hour") return Math.floor(t / (n * HOUR)) * n * HOUR;
    var day = Math.floor(t / DAY);
    if (unit === "week") return (Math.floor((day + 3) / (7 * n)) * 7 * n - 3) * DAY; // Mondays
    return Math.floor(day / n) * n * DAY;
  }
  function nextTick(t, step) {
    var d = new Date(t), unit = step[0], n = step[1];
    if (unit === "year") return utc(d.getUTCFullYear() + n, 0, 1);
    if (unit === "month") return utc(d.getUTCFullYear(), d.getUTCMonth() + n, 1);
    return t + step[2];
  }
  function tickLabel(t, unit, first) {
    var d = new Date(t);
    if (unit === "year") return String(d.getUTCFullYear());
    if (unit === "month") return MONTHS[d.getUTCMonth()] + (first || d.getUTCMonth() === 0 ? " " + d.getUTCFullYear() : "");
    if (unit === "hour") {
      var clock = pad(d.getUTCHours(), 2) + ":00";
      return first ? dayText(t, false) + " " + clock : d.getUTCHours() === 0 ? dayText(t, false) : clock;
    }
    return dayText(t, first || (d.getUTCMonth() === 0 && d.getUTCDate() === 1));
  }

  function drawAxis(k, off) {
    var step = pickStep(k), end = view.start + view.span, grid = [];
    axis.replaceChildren();
    var t = floorTo(view.start, step), first = true;
    for (var guard = 0; t <= end && guard < 400; guard++, t = nextTick(t, step)) {
      var x = Math.round(t * k - off) + 0.5;
      if (x < -1) continue;
      var g = svg("g", { "class": "tick", transform: "translate(" + x + ",0)" });
      g.setAttribute("data-t", step[0] === "hour" ? isoDay(t) + "T" + pad(new Date(t).getUTCHours(), 2) + ":00" : isoDay(t));
      g.appendChild(svg("line", { x1: 0, x2: 0, y1: 20, y2: 34 }));
      var text = svg("text", { x: 4, y: 15 });
      text.textContent = tickLabel(t, step[0], first);
      g.appendChild(text);
      axis.appendChild(g);
      grid.push("M" + x + ",0V" + plotHeight);
      first = false;
    }
    layers.grid.setAttribute("d", grid.join(""));
    $("range").textContent = "Showing " + dayText(view.start, true) + " \u2013 " + dayText(end, true);
  }

  function drawLanes(w) {
    layers.lanes.replaceChildren();
    layers.heads.replaceChildren();
    lanes.forEach(function (lane, index) {
      layers.lanes.appendChild(svg("rect", {
        "class": index % 2 ? "lane-bg alt" : "lane-bg", x: 0, y: lane.top, width: w, height: lane.height
      }));
      layers.heads.appendChild(svg("rect", { "class": "lane-head", x: 0, y: lane.top, width: w, height: LANE_HEAD - 4 }));
      var text = svg("text", { x: 8, y: lane.top + 14 });
      var name = svg("tspan", { "class": "lane-label" });
      name.textContent = lane.label;
      var count = svg("tspan", { "class": "lane-count", dx: 8 });
      count.textContent = String(lane.items.length);
      text.append(name, count);
      layers.heads.appendChild(text);
    });
  }

  function makeNode(it) {
    var classes = ["mark", "k-" + it.kindClass, "s-" + it.status, it.form];
    if (it.q) classes.push("q");
    var g = svg("g", { "class": classes.join(" "), tabindex: "0", role: "button" });
    g.setAttribute("data-id", it.id);
    g.setAttribute("data-i", String(it.i));
    var node = { g: g, key: "", seen: 0 };
    node.ring = svg("rect", { "class": "focus-ring", rx: 4 });
    node.shape = it.form === "mark"
      ? svg("path", { "class": "shape", d: SHAPES[KIND_SHAPES[it.kindClass]] })
      : svg("rect", { "class": "shape", rx: it.form === "band" ? 3 : 2 });
    g.append(node.ring, node.shape);
    if (it.status === "cancelled") { node.strike = svg("line", { "class": "strike" }); g.appendChild(node.strike); }
    if (it.q) {
      node.badge = svg("text", { "class": "badge", y: 4 });
      node.badge.textContent = str(QUALIFIERS[it.q].mark);
      g.appendChild(node.badge);
    }
    if (it.status === "postponed") { node.flag = svg("path", { "class": "flag" }); g.appendChild(node.flag); }
    node.label = svg("text", { "class": "label", y: 4 });
    g.appendChild(node.label);
    return node;
  }

  function drawNode(it, node, x0, x1, y, w, labels) {
    var clip0 = Math.max(x0, -40), clip1 = Math.min(x1, w + 40);
    var gx = it.form === "mark" ? (x0 + x1) / 2 : clip0;
    var shapeW = it.form === "mark" ? 0 : Math.max(clip1 - clip0, 0);
    var inside = labels && it.form !== "mark" && shapeW >= labelWidth(it) + 12;
    var key = [Math.round(gx * 10), Math.round(shapeW * 10), y, labels, inside, it.aria].join("|");
    if (key === node.key) return;
    node.key = key;
    node.g.setAttribute("transform", "translate(" + gx.toFixed(1) + "," + y + ")");
    node.g.setAttribute("aria-label", it.aria);
    var right;
    if (it.form === "mark") {
      right = 7;
      setAttrs(node.ring, { x: -10, y: -10, width: 20, height: 20 });
    } else {
      var h = it.form === "band" ? rowH - 6 : 10;
      setAttrs(node.shape, { x: 0, y: -h / 2, width: shapeW.toFixed(1), height: h });
      setAttrs(node.ring, { x: -3, y: -h / 2 - 3, width: (shapeW + 6).toFixed(1), height: h + 6 });
      right = shapeW;
    }
    var at = right + 3;
    if (node.strike) setAttrs(node.strike, { x1: it.form === "mark" ? -9 : -2, x2: (right + 2).toFixed(1), y1: 0, y2: 0 });
    if (node.badge) { node.badge.setAttribute("x", at.toFixed(1)); at += BADGE_W; }
    if (node.flag) {
      var fx = at + 1;
      node.flag.setAttribute("d", "M" + fx + ",7V-8L" + (fx + 9) + ",-5L" + fx + ",-2");
      at += FLAG_W;
    }
    if (labels) {
      node.label.textContent = it.labelText;
      node.label.setAttribute("x", inside ? 6 : (at + 2).toFixed(1));
      node.label.setAttribute("class", inside ? "label inside" : "label");
    } else if (node.label.textContent) {
      node.label.textContent = "";
    }
  }

  function setAttrs(node, attrs) { for (var key in attrs) node.setAttribute(key, attrs[key]); }

  function draw(k, w) {
    drawId++;
    var off = view.start * k;
    // No viewBox: one unit is one CSS pixel in both, so the axis and the marks line up
    // even when the lanes have a scrollbar and the axis does not.
    plot.setAttribute("height", plotHeight);
    drawAxis(k, off);
    drawLanes(w);
    var labels = layoutLabels;
    var viewH = lanesEl.clientHeight || 600;
    var top = lanesEl.scrollTop - viewH * 0.5, bottom = lanesEl.scrollTop + viewH * 1.5;

    var rects = [];
    families.forEach(function (f) {
      var y0 = f.lane.top + LANE_HEAD + f.row * rowH + 1, y1 = y0 + f.h * rowH - 2;
      var x0 = f.t0 * k - off - 4, x1 = f.t1 * k - off + 4;
      if (y1 < top || y0 > bottom || x1 < 0 || x0 > w) return;
      x0 = Math.max(x0, -10); x1 = Math.min(x1, w + 10);
      rects.push("M" + x0.toFixed(1) + "," + y0 + "H" + x1.toFixed(1) + "V" + y1 + "H" + x0.toFixed(1) + "Z");
    });
    layers.families.setAttribute("d", rects.join(""));

    var focused = doc.activeElement && doc.activeElement.closest ? doc.activeElement.closest(".mark") : null;
    var lines = [], prev = null, layer = layers.marks;
    for (var n = 0; n < order.length; n++) {
      var it = order[n], y = rowY(it), x0, x1;
      if (it.form === "mark") { x0 = it.tc * k - off - MARK / 2; x1 = x0 + MARK; }
      else { x0 = it.t0 * k - off; x1 = Math.max(it.t1 * k - off, x0 + MARK); }
      var reach = x1 + extras(it) + (labels ? labelWidth(it) + 8 : 0);
      var node = nodes.get(it);
      var keep = it === selected || (node && node.g === focused);
      if (!keep && (reach < -20 || x0 > w + 20 || y < top || y > bottom)) continue;
      if (!node) { node = makeNode(it); nodes.set(it, node); }
      node.seen = drawId;
      drawNode(it, node, x0, x1, y, w, labels);
      node.g.classList.toggle("selected", it === selected);
      var want = prev ? prev.g.nextSibling : layer.firstChild;
      if (want !== node.g) layer.insertBefore(node.g, want);
      prev = node;
      if (it.vp) {
        var cx = it.form === "mark" ? (x0 + x1) / 2 : Math.max(x0, 0) + 4;
        var py = rowY(it.vp) + (it.vp.form === "band" ? rowH / 2 - 3 : 7);
        lines.push("M" + cx.toFixed(1) + "," + py + "V" + (y - 8));
      }
    }
    layers.connectors.setAttribute("d", lines.join(""));
    nodes.forEach(function (node, it) {
      if (node.seen !== drawId) { node.g.remove(); nodes.delete(it); }
    });
  }

  // --- details -------------------------------------------------------------------------

  function section(box, title) {
    box.appendChild(el("h3", null, title));
  }

  function itemButton(it, text) {
    var b = el("button", "linkish", text || it.title);
    b.type = "button";
    b.dataset.i = String(it.i);
    return b;
  }

  function sourceItem(source) {
    var li = el("li");
    var url = str(source.url);
    var label = str(source.title) || url || "Source";
    if (HTTP_RE.test(url)) {
      var a = el("a", null, label);
      a.href = url;
      a.rel = "noopener noreferrer";
      a.target = "_blank";
      li.appendChild(a);
    } else {
      li.appendChild(el("span", null, label));
    }
    var said = unique([str(source.publisher), str(source.published)]).join(", ");
    if (said) li.appendChild(doc.createTextNode(" \u2014 " + said));
    return li;
  }

  function openDetails(it, from) {
    selected = it;
    opener = from || doc.activeElement;
    var r = it.r, box = details;
    box.replaceChildren();
    var close = el("button", "close", "Close");
    close.type = "button";
    close.setAttribute("aria-label", "Close the details (Esc)");
    close.addEventListener("click", function () { closeDetails(true); });
    box.appendChild(close);
    var h2 = el("h2", null, it.title);
    h2.id = "d-title";
    h2.tabIndex = -1;
    box.appendChild(h2);

    var meta = el("p", "meta");
    meta.appendChild(el("span", null, kindName(it.kind)));
    meta.appendChild(doc.createTextNode(" \u00b7 "));
    meta.appendChild(el("span", it.status === "occurred" ? null : "status-flag", STATUS_NAMES[it.status]));
    if (r.status_reason) meta.appendChild(doc.createTextNode(": " + str(r.status_reason)));
    box.appendChild(meta);

    box.appendChild(el("p", "when", it.dated ? it.dateText : "Date unknown"));
    if (it.words && it.words.note) box.appendChild(el("p", "note", str(it.words.note)));
    var place = r.place && typeof r.place === "object" ? r.place : null;
    if (place) {
      var where = unique([str(place.name), str(place.city), str(place.country)]).join(", ");
      if (where) box.appendChild(el("p", "place", where));
    }
    str(r.summary).split(/\n\s*\n/).forEach(function (para) {
      if (para.trim()) box.appendChild(el("p", "summary", para.trim()));
    });

    var facts = [];
    if (r.visitor) facts.push(["Visitor", str(r.visitor)]);
    if (r.host_country) facts.push(["Host country", countryName(str(r.host_country))]);
    if (list(r.parties).length) facts.push(["Parties", list(r.parties).map(function (c) { return countryName(str(c)); }).join(", ")]);
    if (facts.length) {
      var dl = el("dl", "facts");
      facts.forEach(function (f) { dl.appendChild(el("dt", null, f[0])); dl.appendChild(el("dd", null, f[1])); });
      box.appendChild(dl);
    }

    if (it.parent) {
      var part = el("p", "part-of", "Part of: ");
      part.appendChild(itemButton(it.parent));
      box.appendChild(part);
    } else if (r.part_of) {
      box.appendChild(el("p", "part-of", "Part of: " + str(r.part_of)));
    }
    if (it.children.length) {
      section(box, "Includes");
      var inc = el("ul", "includes");
      it.children.forEach(function (c) { var li = el("li"); li.appendChild(itemButton(c)); inc.appendChild(li); });
      box.appendChild(inc);
    }

    var people = list(r.participants).filter(function (p) { return p && p.name; });
    if (people.length) {
      section(box, "Participants");
      var ul = el("ul", "participants");
      people.forEach(function (p) {
        var about = unique([str(p.role), str(p.country)]).join(", ");
        ul.appendChild(el("li", null, str(p.name) + (about ? " \u2014 " + about : "")));
      });
      box.appendChild(ul);
    }
    if (r.quote) {
      section(box, "Quote");
      box.appendChild(el("blockquote", "quote", "\u201c" + str(r.quote) + "\u201d"));
      if (r.speaker) box.appendChild(el("p", "speaker", "\u2014 " + str(r.speaker)));
    }
    var points = list(r.points).filter(Boolean);
    if (points.length) {
      section(box, "Points");
      var ol = el("ol", "points");
      points.forEach(function (p) { ol.appendChild(el("li", null, str(p))); });
      box.appendChild(ol);
    }
    if (it.tags.length) {
      section(box, "Tags");
      var tags = el("p", "tags");
      it.tags.forEach(function (t) { tags.appendChild(el("span", "pill", t)); });
      box.appendChild(tags);
    }
    var links = list(r.links).filter(function (l) { return l && l.to; });
    if (r.announced_in && !links.some(function (l) { return l.relation === "announced_in"; })) {
      links = links.concat([{ relation: "announced_in", to: r.announced_in }]);
    }
    if (links.length) {
      section(box, "Related");
      var rel = el("ul", "links");
      links.forEach(function (l) {
        var li = el("li", null, ((own(RELATIONS, l.relation) && str(RELATIONS[l.relation])) || str(l.relation)) + ": ");
        var target = byId.get(str(l.to));
        li.appendChild(target ? itemButton(target) : doc.createTextNode(str(l.to)));
        rel.appendChild(li);
      });
      box.appendChild(rel);
    }
    var sources = list(r.sources).filter(function (s) { return s && typeof s === "object"; });
    if (sources.length) {
      section(box, "Sources");
      var src = el("ul", "sources");
      sources.forEach(function (s) { src.appendChild(sourceItem(s)); });
      box.appendChild(src);
    }
    box.hidden = false;
    reveal(it);
    h2.focus({ preventScroll: true });
    box.scrollTop = 0;
    requestDraw();
  }

  function closeDetails(restoreFocus) {
    if (details.hidden) return;
    details.hidden = true;
    details.replaceChildren();
    selected = null;
    requestDraw();
    if (restoreFocus && opener && doc.contains(opener) && opener.focus) opener.focus({ preventScroll: true });
  }

  function reveal(it) {
    if (!it.dated || !it.lane || datedShown.indexOf(it) < 0) return;
    var end = view.start + view.span;
    if (it.t1 < view.start || it.t0 > end) {
      view.start = it.tc - view.span / 2;
      clampView();
    }
    var y = rowY(it);
    if (y < lanesEl.scrollTop || y > lanesEl.scrollTop + lanesEl.clientHeight) {
      lanesEl.scrollTop = Math.max(0, y - lanesEl.clientHeight / 2);
    }
  }

  // --- legend --------------------------------------------------------------------------

  function legendItem(text, build, wide) {
    var li = el("li");
    wide = wide || 20;
    var pic = svg("svg", { width: wide, height: 18, viewBox: "-10 -9 " + wide + " 18", "aria-hidden": "true", focusable: "false" });
    build(pic);
    li.append(pic, el("span", null, text));
    $("legend").appendChild(li);
  }

  function legendMark(classes, shape, extra) {
    return function (pic) {
      var g = svg("g", { "class": "mark " + classes });
      g.appendChild(svg("path", { "class": "shape", d: SHAPES[shape] }));
      if (extra) extra(g);
      pic.appendChild(g);
    };
  }

  function buildLegend() {
    var kinds = unique(items.map(function (it) { return it.kindClass; }));
    kinds.sort(function (a, b) { return kindRank(a) - kindRank(b); });
    kinds.forEach(function (kind) { legendItem(kindName(kind), legendMark("k-" + kind, KIND_SHAPES[kind])); });
    legendItem("One day", legendMark("k-other", "circle"));
    legendItem("Several days", function (pic) {
      var g = svg("g", { "class": "mark bar k-other" });
      g.appendChild(svg("rect", { "class": "shape", x: -8, y: -5, width: 32, height: 10, rx: 2 }));
      pic.appendChild(g);
    }, 36);
    legendItem("Known to the month or year", function (pic) {
      var g = svg("g", { "class": "mark band k-other" });
      g.appendChild(svg("rect", { "class": "shape", x: -8, y: -8, width: 32, height: 16, rx: 3 }));
      pic.appendChild(g);
    }, 36);
    legendItem("Uncertain (?) or approximate (~)", legendMark("q k-other", "circle", function (g) {
      var t = svg("text", { "class": "badge", x: 10, y: 4 });
      t.textContent = "?";
      g.appendChild(t);
    }), 36);
    legendItem("Scheduled", legendMark("s-scheduled k-other", "circle"));
    legendItem("Postponed", legendMark("s-postponed k-other", "circle", function (g) {
      g.appendChild(svg("path", { "class": "flag", d: "M10,7V-8L19,-5L10,-2" }));
    }), 36);
    legendItem("Cancelled", legendMark("s-cancelled k-other", "circle", function (g) {
      g.appendChild(svg("line", { "class": "strike", x1: -9, x2: 9, y1: 0, y2: 0 }));
    }));
    legendItem("Part of the one above", function (pic) {
      pic.appendChild(svg("rect", { "class": "family", x: -9, y: -8, width: 34, height: 16 }));
      pic.appendChild(svg("path", { "class": "connector", d: "M2,-4V4" }));
    }, 36);
  }

  // --- input: pointer, wheel, keyboard -------------------------------------------------

  function itemOf(target) {
    var node = target && target.closest ? target.closest("[data-i]") : null;
    return node ? items[+node.getAttribute("data-i")] || null : null;
  }

  var pointers = new Map(), drag = null, pinch = null, suppressClick = false;

  function localX(clientX) { return clientX - plot.getBoundingClientRect().left; }

  function onPointerDown(e) {
    if (e.pointerType === "mouse" && e.button !== 0) return;
    pointers.set(e.pointerId, { x: e.clientX, y: e.clientY });
    if (pointers.size === 1) {
      drag = { id: e.pointerId, x: e.clientX, y: e.clientY, sx: e.clientX, sy: e.clientY, moved: false, el: e.currentTarget };
      pinch = null;
    } else if (pointers.size === 2) {
      var p = Array.from(pointers.values());
      pinch = { d: Math.hypot(p[0].x - p[1].x, p[0].y - p[1].y) || 1 };
      drag = null;
    }
  }

  function onPointerMove(e) {
    if (!pointers.has(e.pointerId)) return;
    pointers.set(e.pointerId, { x: e.clientX, y: e.clientY });
    if (pinch && pointers.size === 2) {
      var p = Array.from(pointers.values());
      var d = Math.hypot(p[0].x - p[1].x, p[0].y - p[1].y) || 1;
      zoomAt(pinch.d / d, localX((p[0].x + p[1].x) / 2));
      pinch.d = d;
      return;
    }
    if (!drag || drag.id !== e.pointerId) return;
    if (!drag.moved && Math.hypot(e.clientX - drag.sx, e.clientY - drag.sy) > 4) {
      drag.moved = true;
      try { drag.el.setPointerCapture(e.pointerId); } catch (err) { /* the pointer is gone */ }
      drag.el.classList.add("dragging");
      tip.hidden = true;
    }
    if (drag.moved) {
      panBy(e.clientX - drag.x);
      if (e.pointerType === "mouse") lanesEl.scrollTop -= e.clientY - drag.y;
      drag.x = e.clientX;
      drag.y = e.clientY;
    }
  }

  function onPointerUp(e) {
    pointers.delete(e.pointerId);
    if (pointers.size < 2) pinch = null;
    if (drag && drag.id === e.pointerId) {
      if (drag.moved) {
        suppressClick = true;
        setTimeout(function () { suppressClick = false; }, 0);
        drag.el.classList.remove("dragging");
      }
      drag = null;
    }
  }

  function onWheel(e) {
    e.preventDefault();
    var unit = e.deltaMode === 1 ? 16 : e.deltaMode === 2 ? width() : 1;
    var dx = e.deltaX * unit, dy = e.deltaY * unit;
    if (Math.abs(dx) > Math.abs(dy)) panBy(-dx);
    else if (e.shiftKey) panBy(-dy);
    else if (dy) zoomAt(Math.exp(Math.max(-300, Math.min(300, dy)) * 0.002), localX(e.clientX));
  }

  function onKey(e) {
    if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey) return;
    var t = e.target || {};
    if (e.key === "Escape") {
      if (!details.hidden) { e.preventDefault(); closeDetails(true); }
      return;
    }
    var tag = t.tagName;
    if (tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA" || t.isContentEditable) return;
    var inSide = t.closest && t.closest(".side");
    switch (e.key) {
      case "+": case "=": zoomCenter(1 / 1.6); break;
      case "-": case "_": zoomCenter(1.6); break;
      case "ArrowLeft": if (inSide) return; panBy(width() * (e.shiftKey ? 0.5 : 0.2)); break;
      case "ArrowRight": if (inSide) return; panBy(-width() * (e.shiftKey ? 0.5 : 0.2)); break;
      case "0": case "Home": if (inSide) return; fit(datedShown); break;
      default: return;
    }
    e.preventDefault();
  }

  function showTip(e) {
    var it = itemOf(e.target);
    if (!it || drag && drag.moved || !e.target.closest(".mark")) { tip.hidden = true; return; }
    tip.textContent = it.title + " \u2014 " + it.dateText;
    var box = chart.getBoundingClientRect();
    tip.style.left = Math.min(e.clientX - box.left + 12, Math.max(0, box.width - 260)) + "px";
    tip.style.top = (e.clientY - box.top + 16) + "px";
    tip.hidden = false;
  }

  function setUpInput() {
    [lanesEl, axis].forEach(function (area) {
      area.addEventListener("pointerdown", onPointerDown);
      area.addEventListener("pointermove", onPointerMove);
      area.addEventListener("pointerup", onPointerUp);
      area.addEventListener("pointercancel", onPointerUp);
      area.addEventListener("wheel", onWheel, { passive: false });
    });
    lanesEl.addEventListener("scroll", requestDraw, { passive: true });
    lanesEl.addEventListener("pointerover", showTip);
    lanesEl.addEventListener("pointerleave", function () { tip.hidden = true; });
    plot.addEventListener("click", function (e) {
      if (suppressClick) { e.stopPropagation(); return; }
      var it = e.target.closest && e.target.closest(".mark") ? itemOf(e.target) : null;
      if (it) openDetails(it, e.target.closest(".mark"));
    });
    plot.addEventListener("keydown", function (e) {
      if (e.key !== "Enter" && e.key !== " ") return;
      var mark = e.target.closest && e.target.closest(".mark");
      if (!mark) return;
      e.preventDefault();
      openDetails(itemOf(mark), mark);
    });
    plot.addEventListener("focusin", function (e) {
      var mark = e.target.closest && e.target.closest(".mark");
      var it = mark ? itemOf(mark) : null;
      if (it) { // a focused mark scrolled out of sight comes back into view
        var y = rowY(it);
        if (y - rowH < lanesEl.scrollTop || y + rowH > lanesEl.scrollTop + lanesEl.clientHeight) {
          lanesEl.scrollTop = Math.max(0, y - lanesEl.clientHeight / 2);
        }
      }
    });
    $("undated-list").addEventListener("click", function (e) {
      var it = itemOf(e.target);
      if (it) openDetails(it, e.target.closest("button"));
    });
    details.addEventListener("click", function (e) {
      var button = e.target.closest && e.target.closest("button[data-i]");
      var it = button ? itemOf(button) : null;
      if (it) openDetails(it, opener);
    });
    doc.querySelector(".zoombar").addEventListener("click", function (e) {
      var button = e.target.closest && e.target.closest("button[data-act]");
      if (!button) return;
      var act = button.getAttribute("data-act");
      if (act === "in") zoomCenter(1 / 1.6);
      else if (act === "out") zoomCenter(1.6);
      else if (act === "left") panBy(width() * 0.5);
      else if (act === "right") panBy(-width() * 0.5);
      else if (act === "fit") fit(datedShown);
    });
    doc.addEventListener("keydown", onKey);
    if (typeof ResizeObserver === "function") {
      var lastWidth = 0;
      new ResizeObserver(function () {
        var w = width();
        if (w !== lastWidth) { lastWidth = w; layoutDirty = true; requestDraw(); }
      }).observe(lanesEl);
    } else {
      window.addEventListener("resize", function () { layoutDirty = true; requestDraw(); });
    }
  }

  // --- start ---------------------------------------------------------------------------

  setUpFilters();
  buildLegend();
  setUpInput();
  readFilters();
  fit(datedAll);
})();
