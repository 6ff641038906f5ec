/* What a person does: the filter form, the zoom bar, the pointer (drag to pan, wheel and
   pinch to zoom), the keyboard, the tooltip, and opening details from a mark or a button.
   Each handler reads and changes the page only through the app object main.js hands in. */
var Input = (function () {
  "use strict";

  var doc = document;
  var U = Util;

  function $(id) { return doc.getElementById(id); }

  // --- filters --------------------------------------------------------------------------

  function fillSelect(select, values, label) {
    values.forEach(function (value) {
      var option = Draw.el("option", null, label ? label(value) : value);
      option.value = value;
      select.appendChild(option);
    });
  }

  /* Fill the form's choices from the items, and read it again whenever it changes. */
  function filters(app) {
    var items = app.model.items, vocab = app.model.vocab;
    var kinds = U.unique(items.map(function (it) { return it.kind; }));
    kinds.sort(function (a, b) { return Data.kindRank(vocab, a) - Data.kindRank(vocab, b) || (a < b ? -1 : a > b ? 1 : 0); });
    fillSelect($("f-kind"), kinds, function (kind) { return Data.kindName(vocab, kind); });
    var countries = U.unique(U.flat(items.map(function (it) { return it.countries; })));
    countries.sort(function (a, b) { return Data.countryName(a).localeCompare(Data.countryName(b), "en"); });
    fillSelect($("f-country"), countries, Data.countryName);
    var tags = U.unique(U.flat(items.map(function (it) { return it.tags; })));
    tags.sort(function (a, b) { return a.localeCompare(b, "en"); });
    fillSelect($("f-tag"), tags);
    var statuses = vocab.statuses.filter(function (s) { return items.some(function (it) { return it.status === s; }); });
    fillSelect($("f-status"), statuses, function (s) { return vocab.statusNames[s]; });
    var actors = U.unique(U.flat(items.map(function (it) { return it.actors; })));
    actors.sort(function (a, b) { return a.localeCompare(b, "en"); });
    var datalist = $("f-actors");
    actors.forEach(function (name) { var o = Draw.el("option"); o.value = name; datalist.appendChild(o); });

    function read() { readFilters(app); }
    var form = $("filters");
    form.addEventListener("submit", function (e) { e.preventDefault(); read(); });
    form.addEventListener("reset", function (e) {
      e.preventDefault();
      ["f-kind", "f-country", "f-actor", "f-tag", "f-status"].forEach(function (id) { $(id).value = ""; });
      read();
    });
    ["f-group", "f-kind", "f-country", "f-tag", "f-status"].forEach(function (id) {
      $(id).addEventListener("change", read);
    });
    var typing = { timer: 0 };
    $("f-actor").addEventListener("input", function () {
      clearTimeout(typing.timer);
      typing.timer = setTimeout(read, 200);
    });
  }

  /* Start the form at the filters the page was made with (how its developments were
     selected: a page made for one country says so in its Country list), where the form
     offers that value. */
  function preset(given) {
    var fields = { kind: "f-kind", country: "f-country", actor: "f-actor", tag: "f-tag", status: "f-status" };
    Object.keys(fields).forEach(function (key) {
      var value = given && typeof given === "object" ? U.str(given[key]) : "";
      if (!value) return;
      var field = $(fields[key]);
      if (field.tagName === "SELECT") {
        if (key === "country") value = value.toUpperCase();
        if (![].some.call(field.options, function (o) { return o.value === value; })) return;
      }
      field.value = value;
    });
  }

  /* The form's values into the app's filters, then the page follows them. */
  function readFilters(app) {
    var f = app.state.filters;
    f.group = $("f-group").value === "country" ? "country" : "kind";
    f.kind = $("f-kind").value;
    f.country = $("f-country").value;
    f.actor = U.fold($("f-actor").value.trim());
    f.tag = $("f-tag").value;
    f.status = $("f-status").value;
    app.applyFilters();
  }

  // --- pointer, wheel, keyboard ---------------------------------------------------------

  function itemOf(app, target) {
    var node = target && target.closest ? target.closest("[data-i]") : null;
    return node ? app.model.items[+node.getAttribute("data-i")] || null : null;
  }

  function localX(app, clientX) { return clientX - app.dom.plot.getBoundingClientRect().left; }

  function onPointerDown(gesture, e) {
    if (e.pointerType === "mouse" && e.button !== 0) return;
    gesture.pointers.set(e.pointerId, { x: e.clientX, y: e.clientY });
    if (gesture.pointers.size === 1) {
      gesture.drag = { id: e.pointerId, x: e.clientX, y: e.clientY, sx: e.clientX, sy: e.clientY, moved: false, el: e.currentTarget };
      gesture.pinch = null;
    } else if (gesture.pointers.size === 2) {
      var p = Array.from(gesture.pointers.values());
      gesture.pinch = { d: Math.hypot(p[0].x - p[1].x, p[0].y - p[1].y) || 1 };
      gesture.drag = null;
    }
  }

  function onPointerMove(app, gesture, e) {
    if (!gesture.pointers.has(e.pointerId)) return;
    gesture.pointers.set(e.pointerId, { x: e.clientX, y: e.clientY });
    var pinch = gesture.pinch, drag = gesture.drag;
    if (pinch && gesture.pointers.size === 2) {
      var p = Array.from(gesture.pointers.values());
      var d = Math.hypot(p[0].x - p[1].x, p[0].y - p[1].y) || 1;
      app.zoomAt(pinch.d / d, localX(app, (p[0].x + p[1].x) / 2));
      pinch.d = d;
      return;
    }
    if (!drag || drag.id !== e.pointerId) return;
    if (!drag.moved && Math.hypot(e.clientX - drag.sx, e.clientY - drag.sy) > 4) {
      drag.moved = true;
      try { drag.el.setPointerCapture(e.pointerId); } catch (err) { /* the pointer is gone */ }
      drag.el.classList.add("dragging");
      app.scene.tip.hidden = true;
    }
    if (drag.moved) {
      app.panBy(e.clientX - drag.x);
      if (e.pointerType === "mouse") app.dom.lanes.scrollTop -= e.clientY - drag.y;
      drag.x = e.clientX;
      drag.y = e.clientY;
    }
  }

  function onPointerUp(gesture, e) {
    gesture.pointers.delete(e.pointerId);
    if (gesture.pointers.size < 2) gesture.pinch = null;
    var drag = gesture.drag;
    if (drag && drag.id === e.pointerId) {
      if (drag.moved) {
        gesture.suppressClick = true;
        setTimeout(function () { gesture.suppressClick = false; }, 0);
        drag.el.classList.remove("dragging");
      }
      gesture.drag = null;
    }
  }

  function onWheel(app, e) {
    e.preventDefault();
    var unit = e.deltaMode === 1 ? 16 : e.deltaMode === 2 ? app.width() : 1;
    var dx = e.deltaX * unit, dy = e.deltaY * unit;
    if (Math.abs(dx) > Math.abs(dy)) app.panBy(-dx);
    else if (e.shiftKey) app.panBy(-dy);
    else if (dy) app.zoomAt(Math.exp(Math.max(-300, Math.min(300, dy)) * 0.002), localX(app, e.clientX));
  }

  function onKey(app, e) {
    if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey) return;
    var t = e.target || {};
    if (e.key === "Escape") {
      if (!app.dom.details.hidden) { e.preventDefault(); app.closeDetails(true); }
      return;
    }
    var tag = t.tagName;
    if (tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA" || t.isContentEditable) return;
    var inSide = t.closest && t.closest(".side");
    switch (e.key) {
      case "+": case "=": app.zoomCenter(1 / 1.6); break;
      case "-": case "_": app.zoomCenter(1.6); break;
      case "ArrowLeft": if (inSide) return; app.panBy(app.width() * (e.shiftKey ? 0.5 : 0.2)); break;
      case "ArrowRight": if (inSide) return; app.panBy(-app.width() * (e.shiftKey ? 0.5 : 0.2)); break;
      case "0": case "Home": if (inSide) return; app.fit(app.state.dated); break;
      default: return;
    }
    e.preventDefault();
  }

  function showTip(app, gesture, e) {
    var tip = app.scene.tip, it = itemOf(app, e.target);
    if (!it || gesture.drag && gesture.drag.moved || !e.target.closest(".mark")) { tip.hidden = true; return; }
    tip.textContent = it.title + " \u2014 " + it.dateText;
    var box = app.dom.chart.getBoundingClientRect();
    tip.style.left = Math.min(e.clientX - box.left + 12, Math.max(0, box.width - 260)) + "px";
    tip.style.top = (e.clientY - box.top + 16) + "px";
    tip.hidden = false;
  }

  /* Listen to the pointer, the wheel, the keys, the zoom bar and the chart's size. */
  function listen(app) {
    var dom = app.dom, lanes = dom.lanes, plot = dom.plot;
    var gesture = { pointers: new Map(), drag: null, pinch: null, suppressClick: false };
    [lanes, dom.axis].forEach(function (area) {
      area.addEventListener("pointerdown", function (e) { onPointerDown(gesture, e); });
      area.addEventListener("pointermove", function (e) { onPointerMove(app, gesture, e); });
      area.addEventListener("pointerup", function (e) { onPointerUp(gesture, e); });
      area.addEventListener("pointercancel", function (e) { onPointerUp(gesture, e); });
      area.addEventListener("wheel", function (e) { onWheel(app, e); }, { passive: false });
    });
    lanes.addEventListener("scroll", app.requestDraw, { passive: true });
    lanes.addEventListener("pointerover", function (e) { showTip(app, gesture, e); });
    lanes.addEventListener("pointerleave", function () { app.scene.tip.hidden = true; });
    plot.addEventListener("click", function (e) {
      if (gesture.suppressClick) { e.stopPropagation(); return; }
      var it = e.target.closest && e.target.closest(".mark") ? itemOf(app, e.target) : null;
      if (it) app.openDetails(it, e.target.closest(".mark"));
    });
    plot.addEventListener("keydown", function (e) {
      if (e.key !== "Enter" && e.key !== " ") return;
      var mark = e.target.closest && e.target.closest(".mark");
      if (!mark) return;
      e.preventDefault();
      app.openDetails(itemOf(app, mark), mark);
    });
    plot.addEventListener("focusin", function (e) {
      var mark = e.target.closest && e.target.closest(".mark");
      var it = mark ? itemOf(app, mark) : null;
      if (it) { // a focused mark scrolled out of sight comes back into view
        var y = Layout.rowY(it, app.state.arranged), rowH = app.state.arranged.rowH;
        if (y - rowH < lanes.scrollTop || y + rowH > lanes.scrollTop + lanes.clientHeight) {
          lanes.scrollTop = Math.max(0, y - lanes.clientHeight / 2);
        }
      }
    });
    dom.undatedList.addEventListener("click", function (e) {
      var it = itemOf(app, e.target);
      if (it) app.openDetails(it, e.target.closest("button"));
    });
    dom.details.addEventListener("click", function (e) {
      var button = e.target.closest && e.target.closest("button[data-i]");
      var it = button ? itemOf(app, button) : null;
      if (it) app.openDetails(it, app.state.opener);
    });
    doc.querySelector(".zoombar").addEventListener("click", function (e) {
      var button = e.target.closest && e.target.closest("button[data-act]");
      if (!button) return;
      var act = button.getAttribute("data-act");
      if (act === "in") app.zoomCenter(1 / 1.6);
      else if (act === "out") app.zoomCenter(1.6);
      else if (act === "left") app.panBy(app.width() * 0.5);
      else if (act === "right") app.panBy(-app.width() * 0.5);
      else if (act === "fit") app.fit(app.state.dated);
    });
    doc.addEventListener("keydown", function (e) { onKey(app, e); });
    if (typeof ResizeObserver === "function") {
      var last = { width: 0 };
      new ResizeObserver(function () {
        var w = app.width();
        if (w !== last.width) { last.width = w; app.relayout(); }
      }).observe(lanes);
    } else {
      window.addEventListener("resize", app.relayout);
    }
  }

  return { filters: filters, preset: preset, readFilters: readFilters, listen: listen };
})();
