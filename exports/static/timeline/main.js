/* The page's start: read the data, set up the chart, the filters, the legend and the
   input, and draw. The state the other modules share is one object (app.state), handed to
   them with the page's elements and the few actions they may take (app). */
(function () {
  "use strict";

  var doc = document;
  var root = doc.documentElement;
  var RELAYOUT_MS = 120;

  function $(id) { return doc.getElementById(id); }

  var payload = {};
  try {
    payload = JSON.parse($("timeline-data").textContent || "{}") || {};
  } catch (err) {
    var broken = $("empty");
    broken.textContent = "The timeline data in this page could not be read.";
    broken.hidden = false;
    return;
  }
  var model = Data.read(payload);
  var dom = {
    lanes: $("lanes"), plot: $("plot"), axis: $("axis"), chart: $("chart"), details: $("details"),
    range: $("range"), count: $("count"), empty: $("empty"), legend: $("legend"),
    undatedList: $("undated-list"), undatedNone: $("undated-none")
  };
  var state = {
    filters: { group: "kind", kind: "", country: "", actor: "", tag: "", status: "" },
    view: { start: 0, span: 1 },
    shown: [], dated: [], undated: [], // what the filters let through
    arranged: null, dirty: true, relayoutTimer: 0, raf: 0, // the lanes and rows, and when to redo them
    text: { max: Layout.LABEL_MAX, measure: Draw.measurer() },
    selected: null, opener: null // the development in the details panel, and what opened it
  };
  var app = {
    model: model, dom: dom, state: state, scene: Draw.scene(dom),
    applyFilters: applyFilters, requestDraw: requestDraw, relayout: relayout, width: width,
    fit: fit, zoomAt: zoomAt, zoomCenter: zoomCenter, panBy: panBy,
    openDetails: function (it, from) { Details.open(app, it, from); },
    closeDetails: function (restoreFocus) { Details.close(app, restoreFocus); }
  };

  function applyFilters() {
    var chosen = Data.select(model, state.filters);
    state.shown = chosen.shown;
    state.dated = chosen.dated;
    state.undated = chosen.undated;
    if (state.selected && !Data.matches(model, state.filters, state.selected)) app.closeDetails(false);
    dom.count.textContent = "Showing " + state.shown.length + " of " + model.items.length + " developments: " +
      state.dated.length + " on the time axis, " + state.undated.length + " with the date unknown.";
    dom.empty.hidden = state.dated.length > 0;
    Draw.undated(dom, model.vocab, state.undated);
    relayout();
  }

  // --- the view: zoom and pan -------------------------------------------------------------

  function width() { return dom.plot.clientWidth || dom.lanes.clientWidth || 800; }

  function setLabelMax(w) {
    var max = Layout.labelMaxFor(w);
    if (max === state.text.max) return;
    state.text.max = max;
    model.items.forEach(function (it) { it.labelText = null; });
    Draw.forget(app.scene);
  }

  function fit(some) {
    var w = width();
    setLabelMax(w);
    state.view = Layout.fit(some, model, w, state.text.max);
    requestDraw();
  }

  function zoomAt(factor, px) {
    state.view = Layout.zoomAt(state.view, factor, px, width(), model);
    // The rows are packed again once the zooming pauses, not at every step.
    clearTimeout(state.relayoutTimer);
    state.relayoutTimer = setTimeout(relayout, RELAYOUT_MS);
    requestDraw();
  }
  function zoomCenter(factor) { zoomAt(factor, width() / 2); }
  function panBy(px) { state.view = Layout.panBy(state.view, px, width(), model); requestDraw(); }

  // --- drawing, once per animation frame ------------------------------------------------

  function relayout() { state.dirty = true; requestDraw(); }
  function requestDraw() { if (!state.raf) state.raf = requestAnimationFrame(frame); }

  function frame() {
    state.raf = 0;
    var w = width(), k = w / state.view.span;
    setLabelMax(w);
    var labels = Layout.labelled(state.dated, state.view);
    if (state.dirty || !state.arranged || labels !== state.arranged.labels) {
      state.dirty = false;
      clearTimeout(state.relayoutTimer);
      state.arranged = Layout.arrange(state.dated, k, {
        group: state.filters.group, labels: labels, text: state.text, vocab: model.vocab
      });
    }
    Draw.chart(dom, app.scene, state, model.vocab, k, w);
    if (!root.hasAttribute("data-ready")) root.setAttribute("data-ready", "true");
  }

  // --- start ----------------------------------------------------------------------------

  Input.filters(app);
  Input.preset(payload.filters);
  Draw.legend(dom, model);
  Input.listen(app);
  Input.readFilters(app);
  fit(model.datedAll);
})();
