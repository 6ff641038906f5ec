/* Runs the page's pure modules under Node and prints where they put things, as JSON.

   node layout_driver.js util.js data.js layout.js < request.json

   request: {"payload": the page's embedded data, "width": chart pixels, "charWidth": pixels
   per character of a label, "filters": {...}, "zoom": [[factor, px], ...], "pan": px}.
   The modules are concatenated as the page does and run in one function, so nothing here
   reaches into them other than through the namespaces they return. */
"use strict";

const fs = require("fs");

const source = process.argv.slice(2).map((path) => fs.readFileSync(path, "utf8")).join("\n");
const { Data, Layout } = new Function(source + "\nreturn { Data: Data, Layout: Layout };")();
const request = JSON.parse(fs.readFileSync(0, "utf8"));

const model = Data.read(request.payload);
const filters = Object.assign({ group: "kind", kind: "", country: "", actor: "", tag: "", status: "" }, request.filters);
const chosen = Data.select(model, filters);
const w = request.width;
const text = { max: Layout.labelMaxFor(w), measure: (label) => label.length * request.charWidth };
let view = Layout.fit(chosen.dated, model, w, text.max);
(request.zoom || []).forEach(([factor, px]) => { view = Layout.zoomAt(view, factor, px, w, model); });
if (request.pan) view = Layout.panBy(view, request.pan, w, model);
const k = w / view.span;
const labels = Layout.labelled(chosen.dated, view);
const arranged = Layout.arrange(chosen.dated, k, { group: filters.group, labels: labels, text: text, vocab: model.vocab });
const off = view.start * k;

const items = {};
arranged.order.forEach((it) => {
  const ends = Layout.ends(it, k, off);
  items[it.id] = {
    lane: it.lane.key, row: it.row, depth: it.depth, form: it.form, parent: it.vp ? it.vp.id : null,
    x0: ends.x0, x1: ends.x1, y: Layout.rowY(it, arranged), label: labels ? it.labelText : null, aria: it.aria
  };
});
process.stdout.write(JSON.stringify({
  view: { start: new Date(view.start).toISOString(), end: new Date(view.start + view.span).toISOString() },
  labelMax: text.max,
  labels: labels,
  rowH: arranged.rowH,
  height: arranged.height,
  lanes: arranged.lanes.map((lane) => ({
    key: lane.key, label: lane.label, top: lane.top, height: lane.height, rows: lane.rows,
    items: lane.items.map((it) => it.id)
  })),
  families: arranged.families.map((f) => ({ lane: f.lane.key, row: f.row, h: f.h })),
  order: arranged.order.map((it) => it.id),
  items: items,
  undated: chosen.undated.map((it) => it.id),
  ticks: Layout.ticks(view, k),
  range: Layout.rangeText(view)
}));
