/* Drawing: the SVG of lanes, marks, connectors and the axis, the list of developments
   without a date, and the legend. Only what is on screen is drawn; a mark's element is
   kept while it stays in view and touched only when its position or looks change. Every
   piece of text goes through textContent or an attribute, never through HTML parsing. */
var Draw = (function () {
  "use strict";

  var doc = document;
  var SVG_NS = "http://www.w3.org/2000/svg";
  var SHAPES = {
    circle: "M-6,0a6,6 0 1,0 12,0a6,6 0 1,0 -12,0Z",
    square: "M-5.5,-5.5h11v11h-11Z",
    triangle: "M0,-6.5L6.5,5.5H-6.5Z",
    diamond: "M0,-7L7,0L0,7L-7,0Z",
    hexagon: "M-6.5,0L-3.25,-5.6H3.25L6.5,0L3.25,5.6H-3.25Z",
    down: "M0,6.5L6.5,-5.5H-6.5Z",
    plus: "M-2.5,-6.5h5v4h4v5h-4v4h-5v-4h-4v-5h4Z"
  };
  var L = Layout, U = Util;

  // --- small DOM helpers: attributes and textContent only --------------------------------

  function el(tag, className, text) {
    var node = doc.createElement(tag);
    if (className) node.className = className;
    if (text != null) node.textContent = text;
    return node;
  }
  function svg(tag, attrs) {
    var node = doc.createElementNS(SVG_NS, tag);
    if (attrs) setAttrs(node, attrs);
    return node;
  }
  function setAttrs(node, attrs) { for (var key in attrs) node.setAttribute(key, attrs[key]); }

  /* A label's width in pixels, measured on a canvas in the page's font (made when first
     needed, once the stylesheet applies). */
  function measurer() {
    var context = null;
    return function (text) {
      if (!context) {
        context = doc.createElement("canvas").getContext("2d");
        context.font = "12px " + getComputedStyle(doc.body).fontFamily;
      }
      return context.measureText(text).width;
    };
  }

  /* The chart's layers (in drawing order) and its tooltip, added to the page; the marks
     drawn so far. */
  function scene(dom) {
    var layers = {
      lanes: svg("g", { "class": "lanes-layer" }),
      grid: svg("path", { "class": "grid" }),
      heads: svg("g", { "class": "heads-layer" }),
      families: svg("path", { "class": "family" }),
      connectors: svg("path", { "class": "connector" }),
      marks: svg("g", { "class": "marks-layer" })
    };
    dom.plot.append(layers.lanes, layers.grid, layers.heads, layers.families, layers.connectors, layers.marks);
    var tip = el("div", "tip");
    tip.setAttribute("aria-hidden", "true");
    tip.hidden = true;
    dom.chart.appendChild(tip);
    return { layers: layers, tip: tip, nodes: new Map(), drawId: 0 };
  }

  /* Forget how the marks were drawn, so that the next drawing sets their labels again. */
  function forget(sc) { sc.nodes.forEach(function (node) { node.key = ""; }); }

  // --- the chart ------------------------------------------------------------------------

  function drawAxis(dom, sc, view, k, height) {
    var grid = [];
    dom.axis.replaceChildren();
    L.ticks(view, k).forEach(function (tick) {
      var g = svg("g", { "class": "tick", transform: "translate(" + tick.x + ",0)" });
      g.setAttribute("data-t", tick.at);
      g.appendChild(svg("line", { x1: 0, x2: 0, y1: 20, y2: 34 }));
      var text = svg("text", { x: 4, y: 15 });
      text.textContent = tick.label;
      g.appendChild(text);
      dom.axis.appendChild(g);
      grid.push("M" + tick.x + ",0V" + height);
    });
    sc.layers.grid.setAttribute("d", grid.join(""));
    dom.range.textContent = L.rangeText(view);
  }

  function drawLanes(sc, lanes, w) {
    var layers = sc.layers;
    layers.lanes.replaceChildren();
    layers.heads.replaceChildren();
    lanes.forEach(function (lane, index) {
      layers.lanes.appendChild(svg("rect", {
        "class": index % 2 ? "lane-bg alt" : "lane-bg", x: 0, y: lane.top, width: w, height: lane.height
      }));
      layers.heads.appendChild(svg("rect", { "class": "lane-head", x: 0, y: lane.top, width: w, height: L.LANE_HEAD - 4 }));
      var text = svg("text", { x: 8, y: lane.top + 14 });
      var name = svg("tspan", { "class": "lane-label" });
      name.textContent = lane.label;
      var count = svg("tspan", { "class": "lane-count", dx: 8 });
      count.textContent = String(lane.items.length);
      text.append(name, count);
      layers.heads.appendChild(text);
    });
  }

  function makeNode(vocab, it) {
    var classes = ["mark", "k-" + it.kindClass, "s-" + it.status, it.form];
    if (it.q) classes.push("q");
    if (it.open) classes.push("open");
    var g = svg("g", { "class": classes.join(" "), tabindex: "0", role: "button" });
    g.setAttribute("data-id", it.id);
    g.setAttribute("data-i", String(it.i));
    var node = { g: g, key: "", seen: 0 };
    node.ring = svg("rect", { "class": "focus-ring", rx: 4 });
    node.shape = it.form === "mark"
      ? svg("path", { "class": "shape", d: SHAPES[vocab.kindShapes[it.kindClass]] })
      : svg("rect", { "class": "shape", rx: it.form === "band" ? 3 : 2 });
    g.append(node.ring, node.shape);
    if (it.status === "cancelled") { node.strike = svg("line", { "class": "strike" }); g.appendChild(node.strike); }
    if (it.open) { node.arrow = svg("path", { "class": "arrow" }); g.appendChild(node.arrow); }
    if (it.q) {
      node.badge = svg("text", { "class": "badge", y: 4 });
      node.badge.textContent = U.str(vocab.qualifiers[it.q].mark);
      g.appendChild(node.badge);
    }
    if (it.status === "postponed") { node.flag = svg("path", { "class": "flag" }); g.appendChild(node.flag); }
    node.label = svg("text", { "class": "label", y: 4 });
    g.appendChild(node.label);
    return node;
  }

  function drawNode(it, node, x0, x1, y, w, arranged, text) {
    var labels = arranged.labels;
    var clip0 = Math.max(x0, -40), clip1 = Math.min(x1, w + 40);
    var gx = it.form === "mark" ? (x0 + x1) / 2 : clip0;
    var shapeW = it.form === "mark" ? 0 : Math.max(clip1 - clip0, 0);
    var inside = labels && it.form !== "mark" && shapeW >= L.labelWidth(it, text) + 12;
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
      var h = it.form === "band" ? arranged.rowH - 6 : 10;
      setAttrs(node.shape, { x: 0, y: -h / 2, width: shapeW.toFixed(1), height: h });
      setAttrs(node.ring, { x: -3, y: -h / 2 - 3, width: (shapeW + 6).toFixed(1), height: h + 6 });
      right = shapeW;
    }
    var at = right + 3;
    if (node.arrow) { // the bar goes on: its end is not known
      node.arrow.setAttribute("d", "M" + (right + 1).toFixed(1) + ",-6L" + (right + 8).toFixed(1) + ",0L" + (right + 1).toFixed(1) + ",6");
      at += L.OPEN_W;
    }
    if (node.strike) setAttrs(node.strike, { x1: it.form === "mark" ? -9 : -2, x2: (right + 2).toFixed(1), y1: 0, y2: 0 });
    if (node.badge) { node.badge.setAttribute("x", at.toFixed(1)); at += L.BADGE_W; }
    if (node.flag) {
      var fx = at + 1;
      node.flag.setAttribute("d", "M" + fx + ",7V-8L" + (fx + 9) + ",-5L" + fx + ",-2");
      at += L.FLAG_W;
    }
    if (labels) {
      node.label.textContent = it.labelText;
      node.label.setAttribute("x", inside ? 6 : (at + 2).toFixed(1));
      node.label.setAttribute("class", inside ? "label inside" : "label");
    } else if (node.label.textContent) {
      node.label.textContent = "";
    }
  }

  /* Draw *state*'s arranged items in its view, *w* pixels wide at *k* pixels per ms. */
  function chart(dom, sc, state, vocab, k, w) {
    sc.drawId++;
    var view = state.view, arranged = state.arranged, rowH = arranged.rowH;
    var off = view.start * k;
    // No viewBox: one unit is one CSS pixel in both, so the axis and the marks line up
    // even when the lanes have a scrollbar and the axis does not.
    dom.plot.setAttribute("height", arranged.height);
    drawAxis(dom, sc, view, k, arranged.height);
    drawLanes(sc, arranged.lanes, w);
    var labels = arranged.labels;
    var viewH = dom.lanes.clientHeight || 600;
    var top = dom.lanes.scrollTop - viewH * 0.5, bottom = dom.lanes.scrollTop + viewH * 1.5;

    var rects = [];
    arranged.families.forEach(function (f) {
      var y0 = f.lane.top + L.LANE_HEAD + f.row * rowH + 1, y1 = y0 + f.h * rowH - 2;
      var x0 = f.t0 * k - off - 4, x1 = f.t1 * k - off + 4;
      if (y1 < top || y0 > bottom || x1 < 0 || x0 > w) return;
      x0 = Math.max(x0, -10); x1 = Math.min(x1, w + 10);
      rects.push("M" + x0.toFixed(1) + "," + y0 + "H" + x1.toFixed(1) + "V" + y1 + "H" + x0.toFixed(1) + "Z");
    });
    sc.layers.families.setAttribute("d", rects.join(""));

    var active = doc.activeElement;
    var focused = active && active.closest ? active.closest(".mark") : null;
    var lines = [], prev = null, layer = sc.layers.marks, order = arranged.order;
    for (var n = 0; n < order.length; n++) {
      var it = order[n], y = L.rowY(it, arranged), ends = L.ends(it, k, off), x0 = ends.x0, x1 = ends.x1;
      var reach = x1 + L.extras(it) + (labels ? L.labelWidth(it, state.text) + 8 : 0);
      var node = sc.nodes.get(it);
      var keep = it === state.selected || (node && node.g === focused);
      if (!keep && (reach < -20 || x0 > w + 20 || y < top || y > bottom)) continue;
      if (!node) { node = makeNode(vocab, it); sc.nodes.set(it, node); }
      node.seen = sc.drawId;
      drawNode(it, node, x0, x1, y, w, arranged, state.text);
      node.g.classList.toggle("selected", it === state.selected);
      var want = prev ? prev.g.nextSibling : layer.firstChild;
      if (want !== node.g) layer.insertBefore(node.g, want);
      prev = node;
      if (it.vp) {
        var cx = it.form === "mark" ? (x0 + x1) / 2 : Math.max(x0, 0) + 4;
        var py = L.rowY(it.vp, arranged) + (it.vp.form === "band" ? rowH / 2 - 3 : 7);
        lines.push("M" + cx.toFixed(1) + "," + py + "V" + (y - 8));
      }
    }
    sc.layers.connectors.setAttribute("d", lines.join(""));
    sc.nodes.forEach(function (node, it) {
      if (node.seen !== sc.drawId) { node.g.remove(); sc.nodes.delete(it); }
    });
  }

  // --- the list of developments without a date -------------------------------------------

  function undated(dom, vocab, items) {
    var ul = dom.undatedList;
    ul.replaceChildren();
    items.forEach(function (it) {
      var li = el("li");
      var button = el("button", "s-" + it.status);
      button.type = "button";
      button.dataset.i = String(it.i);
      button.appendChild(el("span", "title", it.title));
      var sub = Data.kindName(vocab, it.kind) + " \u00b7 " + vocab.statusNames[it.status].toLowerCase();
      button.appendChild(el("span", "sub", sub));
      li.appendChild(button);
      ul.appendChild(li);
    });
    dom.undatedNone.hidden = items.length > 0;
  }

  // --- legend ---------------------------------------------------------------------------

  function legendItem(dom, text, build, wide) {
    var li = el("li");
    wide = wide || 20;
    var pic = svg("svg", { width: wide, height: 18, viewBox: "-10 -9 " + wide + " 18", "aria-hidden": "true", focusable: "false" });
    build(pic);
    li.append(pic, el("span", null, text));
    dom.legend.appendChild(li);
  }

  function legendMark(classes, shape, extra) {
    return function (pic) {
      var g = svg("g", { "class": "mark " + classes });
      g.appendChild(svg("path", { "class": "shape", d: SHAPES[shape] }));
      if (extra) extra(g);
      pic.appendChild(g);
    };
  }

  /* The legend: the kinds present, then the forms and the statuses. */
  function legend(dom, model) {
    var vocab = model.vocab;
    var kinds = Util.unique(model.items.map(function (it) { return it.kindClass; }));
    kinds.sort(function (a, b) { return Data.kindRank(vocab, a) - Data.kindRank(vocab, b); });
    kinds.forEach(function (kind) {
      legendItem(dom, Data.kindName(vocab, kind), legendMark("k-" + kind, vocab.kindShapes[kind]));
    });
    legendItem(dom, "One day", legendMark("k-other", "circle"));
    legendItem(dom, "Several days", function (pic) {
      var g = svg("g", { "class": "mark bar k-other" });
      g.appendChild(svg("rect", { "class": "shape", x: -8, y: -5, width: 32, height: 10, rx: 2 }));
      pic.appendChild(g);
    }, 36);
    legendItem(dom, "From a date on, end not known", function (pic) {
      var g = svg("g", { "class": "mark bar open k-other" });
      g.appendChild(svg("rect", { "class": "shape", x: -8, y: -5, width: 26, height: 10, rx: 2 }));
      g.appendChild(svg("path", { "class": "arrow", d: "M19,-6L26,0L19,6" }));
      pic.appendChild(g);
    }, 36);
    legendItem(dom, "Known to the month or year, or a season", function (pic) {
      var g = svg("g", { "class": "mark band k-other" });
      g.appendChild(svg("rect", { "class": "shape", x: -8, y: -8, width: 32, height: 16, rx: 3 }));
      pic.appendChild(g);
    }, 36);
    legendItem(dom, "Uncertain (?) or approximate (~)", legendMark("q k-other", "circle", function (g) {
      var t = svg("text", { "class": "badge", x: 10, y: 4 });
      t.textContent = "?";
      g.appendChild(t);
    }), 36);
    legendItem(dom, "Scheduled", legendMark("s-scheduled k-other", "circle"));
    legendItem(dom, "Postponed", legendMark("s-postponed k-other", "circle", function (g) {
      g.appendChild(svg("path", { "class": "flag", d: "M10,7V-8L19,-5L10,-2" }));
    }), 36);
    legendItem(dom, "Cancelled", legendMark("s-cancelled k-other", "circle", function (g) {
      g.appendChild(svg("line", { "class": "strike", x1: -9, x2: 9, y1: 0, y2: 0 }));
    }));
    legendItem(dom, "Part of the one above", function (pic) {
      pic.appendChild(svg("rect", { "class": "family", x: -9, y: -8, width: 34, height: 16 }));
      pic.appendChild(svg("path", { "class": "connector", d: "M2,-4V4" }));
    }, 36);
  }

  return {
    el: el, svg: svg, measurer: measurer, scene: scene, forget: forget,
    chart: chart, undated: undated, legend: legend
  };
})();
