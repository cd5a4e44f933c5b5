/* kgraph explorer. Data arrive as JSON in #kg-data; every string from the data is
   shown with textContent (never innerHTML), so titles and labels stay text. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("kg-data").textContent);
  var KIND = { MENTION: 0, BROADER: 1, LINK: 2, COOC: 3 };
  var EDGE_COLOR = "rgba(120,124,130,0.32)";
  var EDGE_STRONG = "rgba(50,54,60,0.85)";
  var INK = "#1f2328";
  var DIM_OPACITY = 0.25;
  var CLEAR = "rgba(0,0,0,0)";
  var DIM_EDGE = "rgba(200,200,200,0.12)";
  var BROADER_COLOR = "rgba(90,90,90,0.55)";
  var N = data.nodes.length;

  function $(id) { return document.getElementById(id); }
  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    if (cls) { e.className = cls; }
    return e;
  }
  function fmt(x) {
    if (typeof x !== "number" || !isFinite(x)) { return ""; }
    return Math.abs(x) >= 100 ? String(Math.round(x)) : String(Number(x.toPrecision(3)));
  }
  function darker(hex) {
    var n = parseInt(hex.slice(1), 16);
    var r = Math.round(((n >> 16) & 255) * 0.7), g = Math.round(((n >> 8) & 255) * 0.7), b = Math.round((n & 255) * 0.7);
    return "rgb(" + r + "," + g + "," + b + ")";
  }
  function safeUrl(url) { return typeof url === "string" && /^https?:\/\//i.test(url) ? url : ""; }
  function norm(s) {
    return String(s || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }
  var WORD_SPLIT = /[^\p{L}\p{N}]+/u;

  // ------------------------------------------------------------------ nodes and edges
  var byId = {};
  var baseNodes = data.nodes.map(function (n, i) {
    byId[n.id] = i;
    var fill = n.group >= 0 ? data.palette[n.group] : data.other;
    var border = n.focus ? "#1f2328" : darker(fill);
    return {
      id: n.id,
      label: n.label,
      x: n.x, y: n.y,
      size: n.size,
      shape: n.kind === "paper" ? "dot" : (n.focus ? "star" : "diamond"),
      borderWidth: n.focus ? 1.5 : 1,
      borderWidthSelected: 3,
      color: { background: fill, border: border,
               highlight: { background: fill, border: "#000000" }, hover: { background: fill, border: "#000000" } },
      font: { size: n.font }
    };
  });
  var maxWeight = [0, 0, 0, 0];
  data.edges.forEach(function (e) { maxWeight[e[3]] = Math.max(maxWeight[e[3]], e[2]); });
  var baseEdges = data.edges.map(function (e, i) {
    var kind = e[3];
    var share = maxWeight[kind] > 0 ? e[2] / maxWeight[kind] : 1;
    var item = { id: i, from: data.nodes[e[0]].id, to: data.nodes[e[1]].id,
                 width: kind === KIND.BROADER ? 1.2 : 0.4 + 2.6 * share };
    // the colour of ordinary links is the network's default, so dimming them is one setOptions call
    if (kind === KIND.BROADER) {
      item.dashes = [4, 4];
      if (data.view === "concepts") {
        item.arrows = e[4] === 0 ? { to: { enabled: true, scaleFactor: 0.5 } } : { from: { enabled: true, scaleFactor: 0.5 } };
      }
      item.color = { color: BROADER_COLOR, highlight: EDGE_STRONG, hover: EDGE_STRONG };
    }
    return item;
  });

  var nodes = new vis.DataSet(baseNodes.map(function (n) { return Object.assign({}, n); }));
  var edges = new vis.DataSet(baseEdges.map(function (e) { return Object.assign({}, e); }));
  var many = data.edges.length > 3000;
  var options = {
    autoResize: true,
    physics: false,
    layout: { improvedLayout: false, randomSeed: 1 },
    interaction: { hover: true, tooltipDelay: 3600000, hideEdgesOnDrag: many, hideEdgesOnZoom: many,
                   multiselect: false, navigationButtons: false, keyboard: false },
    nodes: { opacity: 1, scaling: { label: { drawThreshold: 8, maxVisible: 26 } },
             font: { color: INK, strokeWidth: 4, strokeColor: "#ffffff",
                     face: "system-ui, -apple-system, Segoe UI, Roboto, Arial, sans-serif" } },
    edges: { smooth: false, selectionWidth: 1.5, hoverWidth: 1,
             color: { inherit: false, color: EDGE_COLOR, highlight: EDGE_STRONG, hover: EDGE_STRONG } }
  };
  var container = $("kg-net");
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, options);
  var api = { network: network, nodes: nodes, edges: edges, data: data, ready: false };
  window.kgraph = api;
  network.once("afterDrawing", function () { api.ready = true; });
  // open fitted into the part of the window right of the side panel (never zoomed in past 1)
  var PANEL = 330;
  function fitView() {
    if (!N) { return; }
    var x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
    data.nodes.forEach(function (n) {
      x0 = Math.min(x0, n.x); x1 = Math.max(x1, n.x); y0 = Math.min(y0, n.y); y1 = Math.max(y1, n.y);
    });
    var w = container.clientWidth, h = container.clientHeight, left = w > 2 * PANEL ? PANEL : 0;
    var scale = Math.min(1, (w - left) / (x1 - x0 + 60), (h - 40) / (y1 - y0 + 60));
    network.moveTo({ position: { x: (x0 + x1) / 2 - left / 2 / scale, y: (y0 + y1) / 2 }, scale: scale, animation: false });
  }
  fitView();
  var fitScale = network.getScale();

  // neighbours, for the details panel and highlighting
  var adjacency = data.nodes.map(function () { return []; });
  data.edges.forEach(function (e, i) { adjacency[e[0]].push(i); adjacency[e[1]].push(i); });
  function other(edgeIndex, i) { var e = data.edges[edgeIndex]; return e[0] === i ? e[1] : e[0]; }

  // ------------------------------------------------------------------ header, legend
  $("kg-title").textContent = data.title;
  Object.keys(data.pages).forEach(function (name) {
    var a = el("a", name === "index" ? "summary" : name);
    a.href = data.pages[name];
    if (name === data.view) { a.className = "kg-current"; }
    $("kg-nav").appendChild(a);
  });
  function count(x) { return x.toLocaleString("en-US"); }
  var counts = count(N) + " nodes, " + count(data.edges.length) + " links shown";
  if (data.total.nodes > N || data.total.edges > data.edges.length) {
    counts += " (of " + count(data.total.nodes) + " nodes, " + count(data.total.edges) + " links)";
  }
  $("kg-counts").textContent = counts;
  data.notes.forEach(function (note) { $("kg-notes").appendChild(el("p", note)); });

  var kinds = {};
  data.nodes.forEach(function (n) { kinds[n.kind] = true; if (n.focus) { kinds.focus = true; } });
  var hasBroader = data.edges.some(function (e) { return e[3] === KIND.BROADER; });
  [["paper", "\u25CF", "paper"], ["concept", "\u25C6", "concept"], ["focus", "\u2605", "focus concept"],
   ["broader", "\u21E2", "narrower \u2192 broader"]].forEach(function (s) {
    if (kinds[s[0]] || (s[0] === "broader" && hasBroader)) {
      var li = el("li");
      li.appendChild(el("span", s[1], "kg-shape"));
      li.appendChild(document.createTextNode(" " + s[2]));
      $("kg-shapes").appendChild(li);
    }
  });

  var off = new Set();          // community ids switched off
  var LEGEND_MAX = 14;
  var smaller = data.communities.slice(LEGEND_MAX).map(function (c) { return c.community; });
  var checkboxes = [];
  data.communities.slice(0, LEGEND_MAX).forEach(function (c) {
    addCommunity([c.community], c.color, c.name || ("community " + c.community), c.count);
  });
  if (smaller.length) {
    var total = data.communities.slice(LEGEND_MAX).reduce(function (s, c) { return s + c.count; }, 0);
    addCommunity(smaller, data.other, smaller.length + " smaller communities", total);
  }
  function addCommunity(ids, color, name, count) {
    var li = el("li"), label = el("label"), box = el("input");
    box.type = "checkbox"; box.checked = true;
    box.addEventListener("change", function () {
      ids.forEach(function (id) { if (box.checked) { off.delete(id); } else { off.add(id); } });
      applyFilters();
    });
    checkboxes.push(box);
    var swatch = el("span", null, "kg-swatch");
    swatch.style.background = color;
    label.appendChild(box); label.appendChild(swatch); label.appendChild(el("span", name));
    li.appendChild(label); li.appendChild(el("span", count, "kg-count"));
    $("kg-communities").appendChild(li);
  }
  function setAll(on) {
    checkboxes.forEach(function (b) { b.checked = on; });
    off.clear();
    if (!on) { data.communities.forEach(function (c) { off.add(c.community); }); }
    applyFilters();
  }
  $("kg-all").addEventListener("click", function (ev) { ev.preventDefault(); setAll(true); });
  $("kg-none").addEventListener("click", function (ev) { ev.preventDefault(); setAll(false); });

  // ------------------------------------------------------------------ filters
  var degreeInput = $("kg-degree"), weightInput = $("kg-weight");
  var maxDegree = data.nodes.reduce(function (m, n) { return Math.max(m, n.degree); }, 0);
  degreeInput.max = String(Math.max(1, maxDegree));
  var wMin = Infinity, wMax = -Infinity;
  data.edges.forEach(function (e) {
    if (e[3] !== KIND.BROADER) { wMin = Math.min(wMin, e[2]); wMax = Math.max(wMax, e[2]); }
  });
  if (wMin === Infinity) { wMin = 0; wMax = 1; }
  weightInput.min = String(Math.min(0, wMin));
  weightInput.max = String(wMax > 0 ? wMax : 1);
  weightInput.step = String((wMax > 0 ? wMax : 1) / 200);
  var nodeShown = new Array(N).fill(true), edgeShown = new Array(data.edges.length).fill(true);

  function applyFilters() {
    var minDegree = Number(degreeInput.value), minWeight = Number(weightInput.value);
    $("kg-degree-value").textContent = String(minDegree);
    $("kg-weight-value").textContent = fmt(minWeight);
    var nodeChanges = [], edgeChanges = [];
    data.nodes.forEach(function (n, i) {
      var show = n.degree >= minDegree && !off.has(n.community);
      if (show !== nodeShown[i]) { nodeShown[i] = show; nodeChanges.push({ id: n.id, hidden: !show }); }
    });
    data.edges.forEach(function (e, i) {
      var show = nodeShown[e[0]] && nodeShown[e[1]] && (e[3] === KIND.BROADER || e[2] >= minWeight);
      if (show !== edgeShown[i]) { edgeShown[i] = show; edgeChanges.push({ id: i, hidden: !show }); }
    });
    if (nodeChanges.length) { nodes.update(nodeChanges); }
    if (edgeChanges.length) { edges.update(edgeChanges); }
    if (focused !== null && !nodeShown[focused]) { clearFocus(); }
  }
  function resetFilters() {
    degreeInput.value = "0"; weightInput.value = weightInput.min;
    checkboxes.forEach(function (b) { b.checked = true; });
    off.clear();
    applyFilters();
  }
  degreeInput.addEventListener("input", applyFilters);
  weightInput.addEventListener("input", applyFilters);

  // ------------------------------------------------------------------ highlight a neighbourhood
  // Dimming is global (the network's default node opacity, label colour and link colour);
  // only items that were once lit carry their own values, so a click costs little on big graphs.
  var focused = null;
  var litNodes = new Set(), ownNodes = new Set(), litEdges = new Set();
  var ownEdges = new Set(baseEdges.filter(function (b) { return b.dashes; }).map(function (b) { return b.id; }));
  function setDimmed(on) {
    network.setOptions({
      nodes: { opacity: on ? DIM_OPACITY : 1, font: { color: on ? CLEAR : INK, strokeColor: on ? CLEAR : "#ffffff" } },
      edges: { color: { color: on ? DIM_EDGE : EDGE_COLOR } }
    });
  }
  function nodeState(k, size) {
    var b = baseNodes[k], lit = litNodes.has(k), dim = focused !== null && !lit;
    return { id: b.id, opacity: dim ? DIM_OPACITY : 1,
             font: { size: size || b.font.size, color: dim ? CLEAR : INK, strokeColor: dim ? CLEAR : "#ffffff" } };
  }
  function edgeState(k) {
    var lit = litEdges.has(k), base = baseEdges[k].dashes ? BROADER_COLOR : EDGE_COLOR;
    var c = lit ? EDGE_STRONG : focused !== null ? DIM_EDGE : base;
    return { id: k, color: { color: c, highlight: EDGE_STRONG, hover: EDGE_STRONG } };
  }
  function highlight(i, scale) {
    focused = i;
    litNodes = new Set([i]);
    adjacency[i].forEach(function (k) { litNodes.add(other(k, i)); });
    litEdges = new Set(adjacency[i]);
    litNodes.forEach(function (k) { ownNodes.add(k); });
    litEdges.forEach(function (k) { ownEdges.add(k); });
    var readable = 12 / (scale || network.getScale());  // neighbours' labels readable at that zoom
    setDimmed(true);
    nodes.update(Array.from(ownNodes, function (k) {
      var base = baseNodes[k].font.size;
      var size = !litNodes.has(k) ? 0 : k === i ? 1.4 * readable : Math.min(Math.max(base, readable), 1.3 * readable);
      return nodeState(k, size);
    }));
    edges.update(Array.from(ownEdges, edgeState));
  }
  function clearFocus() {
    if (focused === null) { return; }
    focused = null;
    litNodes = new Set(); litEdges = new Set();
    setDimmed(false);
    nodes.update(Array.from(ownNodes, function (k) { return nodeState(k); }));
    edges.update(Array.from(ownEdges, edgeState));
    network.unselectAll();
    $("kg-details").hidden = true;
  }
  api.focused = function () { return focused === null ? null : data.nodes[focused].id; };

  function select(id, move) {
    var i = byId[id];
    if (i === undefined) { return false; }
    if (!nodeShown[i]) { resetFilters(); }
    // zoom in enough to read the neighbourhood, not so far that it fills the window
    var scale = move === false ? network.getScale() : Math.min(Math.max(network.getScale(), 2.5 * fitScale), 1.2);
    network.selectNodes([id]);
    highlight(i, scale);
    showDetails(i);
    if (move !== false) {
      api.moving = true;
      network.focus(id, { scale: scale, animation: { duration: 350, easingFunction: "easeInOutQuad" } });
    }
    return true;
  }
  api.select = select;
  api.moving = false;  // true while the view glides to a selected node
  network.on("animationFinished", function () { api.moving = false; });

  network.on("click", function (p) {
    hideTip();
    if (p.nodes.length) { select(p.nodes[0], false); }
    else if (!p.edges.length) { clearFocus(); }
  });

  // ------------------------------------------------------------------ details panel
  function chip(i) {
    var b = el("button", data.nodes[i].kind === "paper" ? (data.nodes[i].info.title || data.nodes[i].label)
                                                       : data.nodes[i].label, "kg-chip");
    b.type = "button";
    b.addEventListener("click", function () { select(data.nodes[i].id); });
    return b;
  }
  function showDetails(i) {
    var n = data.nodes[i], info = n.info || {}, box = $("kg-details");
    box.textContent = "";
    var close = el("button", "\u00D7", "kg-close");
    close.type = "button"; close.title = "close";
    close.addEventListener("click", clearFocus);
    box.appendChild(close);
    if (n.kind === "paper") {
      box.appendChild(el("h2", info.title || n.label));
      var meta = [info.year, info.authors].filter(Boolean).join(" \u00B7 ");
      if (meta) { box.appendChild(el("p", meta, "kg-meta")); }
      if (safeUrl(info.url)) {
        var a = el("a", "open the paper");
        a.href = safeUrl(info.url); a.target = "_blank"; a.rel = "noopener noreferrer";
        var p = el("p"); p.appendChild(a); box.appendChild(p);
      }
      if (info.sentence) { box.appendChild(el("p", info.sentence)); }
      if (info.concepts && info.concepts.length) {
        box.appendChild(el("p", "Top concepts: " + info.concepts.join(", "), "kg-meta"));
      }
    } else {
      box.appendChild(el("h2", info.label || n.label));
      var parts = ["concept"];
      if (info.papers >= 0) { parts.push("in " + info.papers + " papers"); }
      if (n.focus) { parts.push("focus"); }
      box.appendChild(el("p", parts.join(" \u00B7 "), "kg-meta"));
      if (info.aliases && info.aliases.length) { box.appendChild(el("p", "Also: " + info.aliases.join(", "))); }
      if (info.broader && info.broader.length) { box.appendChild(el("p", "Broader: " + info.broader.join(", "))); }
    }
    var linked = adjacency[i].slice().sort(function (a, b) { return data.edges[b][2] - data.edges[a][2]; });
    if (linked.length) {
      box.appendChild(el("p", "Linked to " + linked.length + (linked.length > 20 ? " (strongest 20)" : "") + ":", "kg-meta"));
      var list = el("div");
      linked.slice(0, 20).forEach(function (k) { list.appendChild(chip(other(k, i))); });
      box.appendChild(list);
    }
    box.hidden = false;
  }

  // ------------------------------------------------------------------ tooltips
  var tip = $("kg-tooltip");
  function showTip(parts, pointer) {
    tip.textContent = "";
    parts.forEach(function (p) { tip.appendChild(p); });
    tip.hidden = false;
    var rect = container.getBoundingClientRect();
    var x = pointer.x + 14, y = pointer.y + 14;
    var w = tip.offsetWidth, h = tip.offsetHeight;
    if (x + w > rect.width - 4) { x = Math.max(4, pointer.x - w - 14); }
    if (y + h > rect.height - 4) { y = Math.max(4, pointer.y - h - 14); }
    tip.style.left = x + "px"; tip.style.top = y + "px";
  }
  function hideTip() { tip.hidden = true; }
  function nodeTip(i) {
    var n = data.nodes[i], info = n.info || {}, out = [];
    if (n.kind === "paper") {
      out.push(el("strong", info.title || n.label));
      out.push(el("span", [info.year, n.degree + " links"].filter(Boolean).join(" \u00B7 "), "kg-meta"));
      if (info.concepts && info.concepts.length) { out.push(el("p", "Concepts: " + info.concepts.join(", "))); }
      if (info.sentence) { out.push(el("p", info.sentence)); }
    } else {
      out.push(el("strong", info.label || n.label));
      var meta = ["concept"];
      if (info.papers >= 0) { meta.push("in " + info.papers + " papers"); }
      meta.push(n.degree + " links");
      out.push(el("span", meta.join(" \u00B7 "), "kg-meta"));
      if (info.aliases && info.aliases.length) { out.push(el("p", "Also: " + info.aliases.join(", "))); }
      if (info.broader && info.broader.length) { out.push(el("p", "Broader: " + info.broader.join(", "))); }
    }
    return out;
  }
  function name(i) { var n = data.nodes[i]; return n.kind === "paper" ? (n.info.title || n.label) : n.label; }
  function edgeTip(k) {
    var e = data.edges[k], out = [];
    if (e[3] === KIND.LINK) {
      out.push(el("strong", "Shared concepts"));
      out.push(el("p", e[4] && e[4].length ? e[4].join(", ") : "\u2014"));
      out.push(el("span", "link weight " + fmt(e[2]), "kg-meta"));
    } else if (e[3] === KIND.MENTION) {
      var paper = data.nodes[e[0]].kind === "paper" ? e[0] : e[1], concept = paper === e[0] ? e[1] : e[0];
      out.push(el("strong", name(concept)));
      out.push(el("p", "in: " + name(paper)));
      out.push(el("span", (e[4] ? "rank " + e[4] + " in this paper \u00B7 " : "") + "score " + fmt(e[2]), "kg-meta"));
    } else if (e[3] === KIND.BROADER) {
      var narrow = e[4] === 0 ? e[0] : e[1], broad = narrow === e[0] ? e[1] : e[0];
      out.push(el("strong", name(narrow) + " \u2192 " + name(broad)));
      out.push(el("span", "narrower \u2192 broader concept", "kg-meta"));
    } else {
      out.push(el("strong", name(e[0]) + " & " + name(e[1])));
      out.push(el("span", (e[4] ? "together in " + e[4] + " papers \u00B7 " : "") + "strength " + fmt(e[2]), "kg-meta"));
    }
    return out;
  }
  network.on("hoverNode", function (p) { showTip(nodeTip(byId[p.node]), p.pointer.DOM); });
  network.on("hoverEdge", function (p) { showTip(edgeTip(p.edge), p.pointer.DOM); });
  network.on("blurNode", hideTip);
  network.on("blurEdge", hideTip);
  network.on("dragStart", hideTip);
  network.on("zoom", hideTip);

  // ------------------------------------------------------------------ search
  var words = data.nodes.map(function (n) {
    var text = n.label + " " + (n.info.title || "") + " " + (n.info.aliases || []).join(" ");
    return { label: norm(n.info.title || n.label), words: norm(text).split(WORD_SPLIT).filter(Boolean) };
  });
  function search(query) {
    var q = norm(query).trim(), terms = q.split(WORD_SPLIT).filter(Boolean);
    if (!terms.length) { return []; }
    var hits = [];
    words.forEach(function (w, i) {
      var ok = terms.every(function (t) { return w.words.some(function (x) { return x.lastIndexOf(t, 0) === 0; }); });
      if (ok) { hits.push([w.label === q ? 0 : w.label.lastIndexOf(q, 0) === 0 ? 1 : 2, i]); }
    });
    hits.sort(function (a, b) {
      return a[0] - b[0] || data.nodes[b[1]].degree - data.nodes[a[1]].degree || (data.nodes[a[1]].id < data.nodes[b[1]].id ? -1 : 1);
    });
    return hits.slice(0, 12).map(function (h) { return data.nodes[h[1]].id; });
  }
  api.search = search;
  var input = $("kg-search"), results = $("kg-results"), current = [];
  function showResults(ids) {
    results.textContent = "";
    ids.forEach(function (id, k) {
      var i = byId[id], li = el("li");
      li.setAttribute("role", "option");
      if (k === 0) { li.className = "kg-active"; }
      li.appendChild(el("span", data.nodes[i].kind === "paper" ? "\u25CF" : "\u25C6", "kg-kind"));
      li.appendChild(el("span", name(i)));
      li.addEventListener("click", function () {
        Array.prototype.forEach.call(results.children, function (c) { c.className = ""; });
        li.className = "kg-active";
        select(id);
      });
      results.appendChild(li);
    });
    if (!ids.length && input.value.trim()) { results.appendChild(el("li", "no match", "kg-muted")); }
  }
  input.addEventListener("input", function () {
    current = search(input.value);
    showResults(current);
    if (current.length) { select(current[0]); }
  });
  input.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter" && current.length) { select(current[0]); }
    if (ev.key === "Escape") { input.value = ""; current = []; showResults([]); clearFocus(); }
  });
}());
