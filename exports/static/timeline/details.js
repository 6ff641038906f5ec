/* The details panel: everything about one development, its parts and relations as buttons
   that open theirs, links only from http(s) URLs. Opening one brings it into view. */
var Details = (function () {
  "use strict";

  var doc = document;
  var U = Util, el = Draw.el;
  var HTTP_RE = /^https?:\/\/[^\s]+$/i;
  var SITE_PATH_RE = /^\/(?![\/\\])[^\s\\]*$/;  // a path on this site, not //elsewhere

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
    var url = U.str(source.url);
    var label = U.str(source.title) || url || "Source";
    if (HTTP_RE.test(url)) {
      var a = el("a", null, label);
      a.href = url;
      a.rel = "noopener noreferrer";
      a.target = "_blank";
      li.appendChild(a);
    } else {
      li.appendChild(el("span", null, label));
    }
    var said = U.unique([U.str(source.publisher), U.str(source.published)]).join(", ");
    if (said) li.appendChild(doc.createTextNode(" \u2014 " + said));
    return li;
  }

  /* Show *it* in the panel; *from* (or the focused element) gets the focus back on close. */
  function open(app, it, from) {
    var state = app.state, model = app.model, vocab = model.vocab;
    state.selected = it;
    state.opener = from || doc.activeElement;
    var r = it.r, box = app.dom.details;
    box.replaceChildren();
    var close = el("button", "close", "Close");
    close.type = "button";
    close.setAttribute("aria-label", "Close the details (Esc)");
    close.addEventListener("click", function () { app.closeDetails(true); });
    box.appendChild(close);
    var h2 = el("h2", null, it.title);
    h2.id = "d-title";
    h2.tabIndex = -1;
    box.appendChild(h2);

    var meta = el("p", "meta");
    meta.appendChild(el("span", null, Data.kindName(vocab, it.kind)));
    meta.appendChild(doc.createTextNode(" \u00b7 "));
    meta.appendChild(el("span", it.status === "occurred" ? null : "status-flag", vocab.statusNames[it.status]));
    if (r.status_reason) meta.appendChild(doc.createTextNode(": " + U.str(r.status_reason)));
    box.appendChild(meta);

    box.appendChild(el("p", "when", it.dated ? it.dateText : "Date unknown"));
    if (it.words && it.words.note) box.appendChild(el("p", "note", U.str(it.words.note)));
    var place = r.place && typeof r.place === "object" ? r.place : null;
    if (place) {
      var where = U.unique([U.str(place.name), U.str(place.city), U.str(place.country)]).join(", ");
      if (where) box.appendChild(el("p", "place", where));
    }
    U.str(r.summary).split(/\n\s*\n/).forEach(function (para) {
      if (para.trim()) box.appendChild(el("p", "summary", para.trim()));
    });

    var facts = [];
    if (r.visitor) facts.push(["Visitor", U.str(r.visitor)]);
    if (r.host_country) facts.push(["Host country", Data.countryName(U.str(r.host_country))]);
    if (U.list(r.parties).length) facts.push(["Parties", U.list(r.parties).map(function (c) { return Data.countryName(U.str(c)); }).join(", ")]);
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
      box.appendChild(el("p", "part-of", "Part of: " + U.str(r.part_of)));
    }
    if (it.children.length) {
      section(box, "Includes");
      var inc = el("ul", "includes");
      it.children.forEach(function (c) { var li = el("li"); li.appendChild(itemButton(c)); inc.appendChild(li); });
      box.appendChild(inc);
    }

    var people = U.list(r.participants).filter(function (p) { return p && p.name; });
    if (people.length) {
      section(box, "Participants");
      var ul = el("ul", "participants");
      people.forEach(function (p) {
        var about = U.unique([U.str(p.role), U.str(p.country)]).join(", ");
        ul.appendChild(el("li", null, U.str(p.name) + (about ? " \u2014 " + about : "")));
      });
      box.appendChild(ul);
    }
    if (r.quote) {
      section(box, "Quote");
      box.appendChild(el("blockquote", "quote", "\u201c" + U.str(r.quote) + "\u201d"));
      if (r.speaker) box.appendChild(el("p", "speaker", "\u2014 " + U.str(r.speaker)));
    }
    var points = U.list(r.points).filter(Boolean);
    if (points.length) {
      section(box, "Points");
      var ol = el("ol", "points");
      points.forEach(function (p) { ol.appendChild(el("li", null, U.str(p))); });
      box.appendChild(ol);
    }
    if (it.tags.length) {
      section(box, "Tags");
      var tags = el("p", "tags");
      it.tags.forEach(function (t) { tags.appendChild(el("span", "pill", t)); });
      box.appendChild(tags);
    }
    var links = U.list(r.links).filter(function (l) { return l && l.to; });
    if (r.announced_in && !links.some(function (l) { return l.relation === "announced_in"; })) {
      links = links.concat([{ relation: "announced_in", to: r.announced_in }]);
    }
    if (links.length) {
      section(box, "Related");
      var rel = el("ul", "links");
      links.forEach(function (l) {
        var li = el("li", null, Data.relationName(vocab, l.relation) + ": ");
        var target = model.byId.get(U.str(l.to));
        li.appendChild(target ? itemButton(target) : doc.createTextNode(U.str(l.to)));
        rel.appendChild(li);
      });
      box.appendChild(rel);
    }
    var sources = U.list(r.sources).filter(function (s) { return s && typeof s === "object"; });
    if (sources.length) {
      section(box, "Sources");
      var src = el("ul", "sources");
      sources.forEach(function (s) { src.appendChild(sourceItem(s)); });
      box.appendChild(src);
    }
    var actions = model.actions;
    if (actions && (HTTP_RE.test(U.str(actions.base)) || SITE_PATH_RE.test(U.str(actions.base)))) {
      section(box, "Record what happened to it");
      var acts = el("ul", "actions");
      U.list(actions.names).forEach(function (pair) {
        var statuses = pair[2];  // the statuses it may follow; null: any
        if (Array.isArray(statuses) && statuses.indexOf(it.status) < 0) return;
        var li = el("li");
        var a = el("a", null, U.str(pair[1]));
        a.href = U.str(actions.base) + encodeURIComponent(it.id) + "/" + encodeURIComponent(U.str(pair[0]));
        li.appendChild(a);
        acts.appendChild(li);
      });
      box.appendChild(acts);
    }
    box.hidden = false;
    reveal(app, it);
    h2.focus({ preventScroll: true });
    box.scrollTop = 0;
    app.requestDraw();
  }

  /* Empty and hide the panel; with *restoreFocus*, focus what opened it. */
  function close(app, restoreFocus) {
    var state = app.state, box = app.dom.details, opener = state.opener;
    if (box.hidden) return;
    box.hidden = true;
    box.replaceChildren();
    state.selected = null;
    app.requestDraw();
    if (restoreFocus && opener && doc.contains(opener) && opener.focus) opener.focus({ preventScroll: true });
  }

  /* Pan and scroll so that a dated, shown development is in view. */
  function reveal(app, it) {
    var state = app.state, lanes = app.dom.lanes, view = state.view;
    if (!it.dated || !it.lane || state.dated.indexOf(it) < 0) return;
    var end = view.start + view.span;
    if (it.t1 < view.start || it.t0 > end) {
      state.view = Layout.clamp({ start: it.tc - view.span / 2, span: view.span }, app.model);
    }
    var y = Layout.rowY(it, state.arranged);
    if (y < lanes.scrollTop || y > lanes.scrollTop + lanes.clientHeight) {
      lanes.scrollTop = Math.max(0, y - lanes.clientHeight / 2);
    }
  }

  return { open: open, close: close, reveal: reveal };
})();
