/* The embedded data read into items: one per development, with its times on the axis, its
   actors, countries and tags, and the development it is part of. Which items the filters
   let through. No DOM: the page and the tests (under Node) run the same code. */
var Data = (function () {
  "use strict";

  var U = Util;
  // How each kind is drawn: the page's own choice, not a word of the record.
  var KIND_SHAPES = {
    meeting: "circle", talks: "square", summit: "triangle", call: "diamond", visit: "hexagon",
    agreement: "down", statement: "plus", dialogue: "circle", consultation: "square", other: "diamond"
  };

  var regionNames = null;
  try { regionNames = new Intl.DisplayNames(["en"], { type: "region" }); } catch (err) { regionNames = null; }

  function own(obj, key) { return Object.prototype.hasOwnProperty.call(obj, key); }
  function table(value) { return value && typeof value === "object" && !Array.isArray(value) ? value : {}; }

  /* The words of the record, which come with the data (exports/html.py), each with its
     name on the page, in display order: the script keeps no list of its own. */
  function vocabulary(payload) {
    var words = table(payload.vocabulary);
    var kindNames = table(words.kinds), statusNames = table(words.statuses);
    return {
      kinds: Object.keys(kindNames), kindNames: kindNames, kindShapes: KIND_SHAPES,
      statuses: Object.keys(statusNames), statusNames: statusNames,
      relations: table(words.relations), qualifiers: table(words.qualifiers)
    };
  }

  function kindName(vocab, kind) {
    if (own(vocab.kindNames, kind) && vocab.kindNames[kind]) return U.str(vocab.kindNames[kind]);
    return kind ? kind.charAt(0).toUpperCase() + kind.slice(1) : "Other";
  }
  /* A relation's name on the page; an unknown one as written. */
  function relationName(vocab, relation) {
    return (own(vocab.relations, relation) && U.str(vocab.relations[relation])) || U.str(relation);
  }
  function kindRank(vocab, kind) { var i = vocab.kinds.indexOf(kind); return i < 0 ? vocab.kinds.length : i; }
  function countryName(code) {
    if (!code) return "No country";
    var name = null;
    try { name = regionNames ? regionNames.of(code) : null; } catch (err) { name = null; }
    return name && name !== code ? name + " (" + code + ")" : code;
  }

  /* The model of the page: every item, by id, and the dated ones' extent. */
  function read(payload) {
    var vocab = vocabulary(payload);
    var dateWords = U.list(payload.dates);
    var items = U.list(payload.developments).map(function (r, i) { return makeItem(vocab, r, i, dateWords[i]); });
    var byId = new Map();
    items.forEach(function (it) { if (!byId.has(it.id)) byId.set(it.id, it); });
    items.forEach(function (it) {
      var parent = it.r.part_of != null ? byId.get(U.str(it.r.part_of)) : null;
      if (parent && parent !== it) { it.parent = parent; parent.children.push(it); }
    });
    var datedAll = items.filter(function (it) { return it.dated; });
    var dataMin = Infinity, dataMax = -Infinity;
    datedAll.forEach(function (it) { dataMin = Math.min(dataMin, it.t0); dataMax = Math.max(dataMax, it.t1); });
    if (!datedAll.length) { dataMin = U.utc(2024, 0, 1); dataMax = U.utc(2025, 0, 1); }
    // An open end (2024-04/..) went on after its start, for how long is not known: it
    // reaches the last date on the page, never an end of its own.
    datedAll.forEach(function (it) { if (it.open) it.t1 = Math.max(it.t1, dataMax); });
    var actions = payload.actions && typeof payload.actions === "object" ? payload.actions : null;
    return {
      vocab: vocab, items: items, byId: byId, datedAll: datedAll, dataMin: dataMin, dataMax: dataMax,
      actions: actions,
      actorKeys: new Set(U.flat(items.map(function (it) { return it.actorKeys; })))
    };
  }

  function makeItem(vocab, r, i, words) {
    r = r && typeof r === "object" ? r : {};
    var kind = U.str(r.kind) || "other";
    var it = {
      i: i, r: r, id: U.str(r.id) || "development-" + i,
      kind: kind, kindClass: vocab.kindShapes[kind] ? kind : "other",
      status: vocab.statuses.indexOf(r.status) >= 0 ? r.status : "occurred",
      q: own(vocab.qualifiers, r.qualifier) ? r.qualifier : null,
      title: U.str(r.title) || U.str(r.id) || "Untitled development",
      words: words && typeof words === "object" ? words : null,
      parent: null, children: [], vp: null, kids: [],
      dated: false, open: false, t0: 0, t1: 0, tc: 0, form: "mark", row: 0, lane: null
    };
    var s = r.start ? U.parseTime(r.start) : null;
    if (s) {
      // No end: a single date, or an open end when the date's words say so; either way
      // the start alone sets where it is until read() gives an open one its reach.
      var e = (r.end && U.parseTime(r.end)) || s;
      it.dated = true;
      it.open = !r.end && !!(it.words && it.words.open);
      it.t0 = s.t;
      it.t1 = Math.max(U.after(e), s.t);
      var coarse = r.precision === "month" || r.precision === "season" || r.precision === "year" ||
        s.unit === "month" || s.unit === "year";
      if (it.open) it.form = "bar";
      else if (coarse) it.form = "band";
      else if (it.t1 === it.t0 || (s.unit === "day" && it.t1 - it.t0 <= U.DAY)) it.form = "mark";
      else it.form = "bar";
      it.tc = it.t1 === it.t0 ? it.t0 : (it.t0 + it.t1) / 2;
    }
    var names = [];
    U.list(r.participants).forEach(function (p) {
      if (p && typeof p === "object" && p.name) names.push(U.str(p.name));
    });
    if (r.speaker) names.push(U.str(r.speaker));
    if (r.visitor) names.push(U.str(r.visitor));
    it.actors = U.unique(names);
    it.actorKeys = it.actors.map(U.fold);
    var place = r.place && typeof r.place === "object" ? r.place : {};
    // Every country it involves, as the record lists them (what --country selects by);
    // its lane is where it was held, else the first of them.
    var countries = U.list(r.countries).map(U.str).filter(Boolean);
    var laneCountry = U.str(r.host_country) || U.str(place.country) || countries[0] || "";
    it.countries = U.unique(countries.map(function (c) { return c.toUpperCase(); }));
    it.laneCountry = laneCountry.toUpperCase();
    it.tags = U.unique(U.list(r.tags).map(U.str));
    it.dateText = it.words && it.words.text ? U.str(it.words.text) : it.dated ? U.isoDay(it.t0) : "Date unknown";
    return it;
  }

  function ariaLabel(vocab, it) {
    var parts = [it.title, kindName(vocab, it.kind) + ", " + it.dateText];
    if (it.q) parts.push(U.str(vocab.qualifiers[it.q].words));
    if (it.status !== "occurred") parts.push(vocab.statusNames[it.status].toLowerCase());
    if (it.vp) parts.push("part of " + it.vp.title);
    return parts.join("; ");
  }

  function matches(model, filters, it) {
    if (filters.kind && it.kind !== filters.kind) return false;
    if (filters.status && it.status !== filters.status) return false;
    if (filters.country && it.countries.indexOf(filters.country) < 0) return false;
    if (filters.tag && it.tags.indexOf(filters.tag) < 0) return false;
    if (filters.actor) {
      // A name picked from the list matches exactly ("Wang Yi" is not "Wang Yiwei"); other text is a search.
      if (model.actorKeys.has(filters.actor) ? it.actorKeys.indexOf(filters.actor) < 0
        : !it.actorKeys.some(function (a) { return a.indexOf(filters.actor) >= 0; })) return false;
    }
    return true;
  }

  /* The items the filters let through; each dated one learns the shown development it is
     drawn under (vp, kids) and its accessible name. */
  function select(model, filters) {
    var shown = model.items.filter(function (it) { return matches(model, filters, it); });
    var dated = shown.filter(function (it) { return it.dated; });
    var undated = shown.filter(function (it) { return !it.dated; });
    var visible = new Set(dated);
    dated.forEach(function (it) { it.vp = visibleParent(it, visible); it.kids = []; });
    dated.forEach(function (it) { if (it.vp) it.vp.kids.push(it); });
    dated.forEach(function (it) { it.aria = ariaLabel(model.vocab, it); });
    return { shown: shown, dated: dated, undated: undated };
  }

  function visibleParent(it, visible) {
    var parent = it.parent;
    if (!parent || !visible.has(parent)) return null;
    for (var up = parent, steps = 0; up; up = up.parent && visible.has(up.parent) ? up.parent : null) {
      if (up === it || ++steps > 64) return null; // a cycle, or absurdly deep: draw it on its own
    }
    return parent;
  }

  return {
    read: read, select: select, matches: matches,
    kindName: kindName, kindRank: kindRank, countryName: countryName, relationName: relationName
  };
})();
