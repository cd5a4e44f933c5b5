/* kgraph explorer: sigma.js (WebGL) draws nodes and links, this script draws the labels (on its
   own canvas, most important first, never one over another), the panel and the page API.
   Data arrive as JSON in #kg-data; every string from the data is shown with textContent (never
   innerHTML), so titles and labels stay text. */
(function () {
  "use strict";
  var timings = { start: performance.now() };  // ms since the page started loading, for benchmarks
  var data = JSON.parse(document.getElementById("kg-data").textContent);
  timings.parsed = performance.now();
  var KIND = { MENTION: 0, BROADER: 1, LINK: 2, COOC: 3 };
  var BG = "#fbfbfa", INK = "#1f2328", HALO = "#ffffff", NO_YEAR = "#c4c4c4";
  // opaque link colours: sigma blends premultiplied, a translucent grey would draw near white
  var EDGE_COLOR = "#d9dbde", EDGE_STRONG = "#3a3e44", BROADER_COLOR = "#8c8c8c", DIM_EDGE = "#f1f1f0";
  var FONT = "system-ui, -apple-system, Segoe UI, Roboto, Arial, sans-serif";
  // VOSviewer's overlay runs from blue (older) to yellow (newer): viridis, sampled
  var YEAR_SCALE = ["#440154", "#482878", "#3e4989", "#31688e", "#26828e", "#1f9e89", "#35b779", "#6ece58",
                    "#b5de2b", "#fde725"];
  var LABEL_MIN = 11, LABEL_MAX = 18, MAX_LABELS = 400;
  var nodes = data.nodes, edges = data.edges, N = nodes.length, E = edges.length;

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
  function count(x) { return Number(x).toLocaleString("en-US"); }
  function safeUrl(url) { return typeof url === "string" && /^https?:\/\//i.test(url) ? url : ""; }
  function norm(s) { return String(s || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase(); }
  var WORD_SPLIT = /[^\p{L}\p{N}]+/u;
  function isHex(c) { return typeof c === "string" && /^#[0-9a-fA-F]{6}$/.test(c); }
  function rgb(hex) { var n = parseInt(hex.slice(1), 16); return [(n >> 16) & 255, (n >> 8) & 255, n & 255]; }
  function hex(c) {
    return "#" + c.map(function (v) { return Math.max(0, Math.min(255, Math.round(v))).toString(16).padStart(2, "0"); }).join("");
  }
  function mix(a, b, t) { var x = rgb(a), y = rgb(b); return hex([0, 1, 2].map(function (k) { return x[k] + (y[k] - x[k]) * t; })); }
  function finite(v) { return typeof v === "number" && isFinite(v); }

  // ------------------------------------------------------------------ per-node facts
  var byId = {}, baseColor = [], year = [], years = [], isPaper = [];
  nodes.forEach(function (n, i) {
    byId[n.id] = i;
    // the final community colour from the build when given (same in every view), else the palette
    baseColor[i] = isHex(n.color) ? n.color.toLowerCase()
      : (n.group >= 0 && n.group < data.palette.length ? data.palette[n.group] : data.other);
    isPaper[i] = n.kind === "paper";
    var y = finite(n.year) ? n.year : (n.info && finite(n.info.year) ? n.info.year : null);
    year[i] = y;
    years[i] = Array.isArray(n.years) ? n.years.filter(finite) : (isPaper[i] && y !== null ? [y] : null);
  });
  var adjacency = nodes.map(function () { return []; });
  edges.forEach(function (e, k) { adjacency[e[0]].push(k); if (e[1] !== e[0]) { adjacency[e[1]].push(k); } });
  function other(k, i) { var e = edges[k]; return e[0] === i ? e[1] : e[0]; }
  // label order: focus concepts, then the labels the build sized largest, then the most linked
  var importance = nodes.map(function (n, i) { return i; });
  importance.sort(function (a, b) {
    var x = nodes[a], y = nodes[b];
    return (y.focus ? 1 : 0) - (x.focus ? 1 : 0) || (y.font || 0) - (x.font || 0) || y.degree - x.degree ||
      (x.id < y.id ? -1 : x.id > y.id ? 1 : 0);
  });
  var rank = new Int32Array(N);
  importance.forEach(function (i, r) { rank[i] = r; });

  // ------------------------------------------------------------------ the graph and sigma
  var container = $("kg-net");
  var graph = new graphology.Graph({ type: "undirected", multi: false, allowSelfLoops: false });
  nodes.forEach(function (n, i) {
    // hidden until sized (below): sigma's first frame then costs nothing
    graph.addNode(n.id, { x: n.x, y: -n.y, size: 1, color: baseColor[i], i: i, hidden: true,
                          shape: n.kind === "paper" ? 0 : (n.focus ? 2 : 1) });
  });
  var maxWeight = [0, 0, 0, 0];
  edges.forEach(function (e) { maxWeight[e[3]] = Math.max(maxWeight[e[3]], e[2]); });
  edges.forEach(function (e, k) {
    if (e[0] === e[1]) { return; }
    var broader = e[3] === KIND.BROADER, share = maxWeight[e[3]] > 0 ? e[2] / maxWeight[e[3]] : 1;
    var a = nodes[e[0]].id, b = nodes[e[1]].id;
    if (broader && e[4] !== 0) { var t = a; a = b; b = t; }  // arrow from the narrower concept
    try {
      graph.addEdgeWithKey(k, a, b, { k: k, size: broader ? 1.2 : 0.4 + 1.6 * share,
                                      type: broader && data.view === "concepts" ? "arrow" : "line",
                                      color: broader ? BROADER_COLOR : EDGE_COLOR });
    } catch (err) { /* a second link between the same two nodes: the first one is drawn */ }
  });

  timings.graph = performance.now();
  var R = Sigma.rendering, floatColor = Sigma.utils.floatColor, GL = WebGLRenderingContext;
  // One program for the three node shapes (0 dot: paper, 1 diamond: concept, 2 star: focus), after
  // sigma's NodeCircleProgram: a triangle around each node, the shape cut out in the fragment shader.
  var VERTEX = [
    "attribute vec4 a_id;", "attribute vec4 a_color;", "attribute vec2 a_position;", "attribute float a_size;",
    "attribute float a_shape;", "attribute float a_angle;",
    "uniform mat3 u_matrix;", "uniform float u_sizeRatio;", "uniform float u_correctionRatio;",
    "varying vec4 v_color;", "varying vec2 v_diffVector;", "varying float v_radius;", "varying float v_shape;",
    "const float bias = 255.0 / 254.0;",
    "void main() {",
    "  float size = a_size * u_correctionRatio / u_sizeRatio * 4.0;",
    "  vec2 diffVector = 1.4 * size * vec2(cos(a_angle), sin(a_angle));",
    "  gl_Position = vec4((u_matrix * vec3(a_position + diffVector, 1)).xy, 0, 1);",
    "  v_diffVector = diffVector;", "  v_radius = size / 2.0;", "  v_shape = a_shape;",
    "  #ifdef PICKING_MODE", "  v_color = a_id;", "  #else", "  v_color = a_color;", "  #endif",
    "  v_color.a *= bias;", "}"].join("\n");
  var FRAGMENT = [
    "precision highp float;",
    "varying vec4 v_color;", "varying vec2 v_diffVector;", "varying float v_radius;", "varying float v_shape;",
    "uniform float u_correctionRatio;",
    "const vec4 transparent = vec4(0.0, 0.0, 0.0, 0.0);",
    "void main(void) {",
    "  float border = u_correctionRatio * 2.0;",
    "  vec2 p = v_diffVector;",
    "  float d;",
    "  if (v_shape < 0.5) { d = length(p) - v_radius; }",
    "  else if (v_shape < 1.5) { d = (abs(p.x) + abs(p.y)) * 0.7071 - v_radius * 0.86; }",
    "  else { float a = atan(p.y, p.x) - 1.5708;",
    "         d = length(p) - v_radius * 1.3 * (0.5 + 0.5 * pow(abs(cos(2.5 * a)), 3.0)); }",
    "  float dist = d + border;",
    "  #ifdef PICKING_MODE",
    "  gl_FragColor = dist > border ? transparent : v_color;",
    "  #else",
    "  float t = dist > border ? 1.0 : (dist > 0.0 ? dist / border : 0.0);",
    "  gl_FragColor = mix(v_color, transparent, t);",
    "  #endif", "}"].join("\n");
  // Not instanced (three vertices written per node): SwiftShader, Chromium's software WebGL,
  // draws instanced triangles one instance at a time, 20,000 nodes took seconds a frame.
  var ANGLES = [0, 2 * Math.PI / 3, 4 * Math.PI / 3];
  class ShapeProgram extends R.NodeProgram {
    getDefinition() {
      return {
        VERTICES: 3, VERTEX_SHADER_SOURCE: VERTEX, FRAGMENT_SHADER_SOURCE: FRAGMENT, METHOD: GL.TRIANGLES,
        UNIFORMS: ["u_sizeRatio", "u_correctionRatio", "u_matrix"],
        ATTRIBUTES: [{ name: "a_position", size: 2, type: GL.FLOAT }, { name: "a_size", size: 1, type: GL.FLOAT },
                     { name: "a_shape", size: 1, type: GL.FLOAT }, { name: "a_angle", size: 1, type: GL.FLOAT },
                     { name: "a_color", size: 4, type: GL.UNSIGNED_BYTE, normalized: true },
                     { name: "a_id", size: 4, type: GL.UNSIGNED_BYTE, normalized: true }]
      };
    }
    processVisibleItem(nodeIndex, start, d) {
      var a = this.array, c = floatColor(d.color), shape = d.shape || 0;
      for (var v = 0; v < 3; v++) {
        a[start++] = d.x; a[start++] = d.y; a[start++] = d.size; a[start++] = shape; a[start++] = ANGLES[v];
        a[start++] = c; a[start++] = nodeIndex;
      }
    }
    setUniforms(params, p) {
      var gl = p.gl, u = p.uniformLocations;
      gl.uniform1f(u.u_correctionRatio, params.correctionRatio);
      gl.uniform1f(u.u_sizeRatio, params.sizeRatio);
      gl.uniformMatrix3fv(u.u_matrix, false, params.matrix);
    }
  }

  // Filters and colours are node and edge attributes (sigma redraws what changed); a selection
  // never touches them: it veils the map and draws the neighbourhood on the label canvas, so a
  // click costs the same at 200 nodes as at 20,000.
  var nodeShown = new Uint8Array(N).fill(1), edgeShown = new Uint8Array(E).fill(1);
  var focused = null, lit = new Set(), litEdges = new Set(), hits = new Set();
  var colorMode = "community", color = baseColor.slice();
  function dimmed(i) { return focused !== null && !lit.has(i); }
  var sigma = new Sigma(graph, container, {
    renderLabels: false, renderEdgeLabels: false,
    enableEdgeEvents: E <= 20000,
    hideEdgesOnMove: E > 20000,
    defaultNodeType: "shape", defaultEdgeType: "line",
    nodeProgramClasses: { shape: ShapeProgram },
    // links as rectangles (their width shows their weight) while few; as 1-pixel lines when many,
    // which software WebGL draws far faster
    edgeProgramClasses: { line: E <= 20000 ? R.EdgeRectangleProgram : R.EdgeLineProgram, arrow: R.EdgeArrowProgram },
    defaultDrawNodeHover: function () {},
    stagePadding: 30, zIndex: false
  });
  var camera = sigma.getCamera();
  timings.sigma = performance.now();

  // The page opens fitted into its frame, never zoomed in past one pixel per layout unit (as the
  // build sized the nodes for); node sizes are the build's, in layout units at that opening zoom.
  function unitPx(ratio) {
    var state = { x: camera.x, y: camera.y, angle: 0, ratio: ratio };
    var a = sigma.graphToViewport({ x: 0, y: 0 }, { cameraState: state });
    var b = sigma.graphToViewport({ x: 1, y: 0 }, { cameraState: state });
    return Math.abs(b.x - a.x) || 1;
  }
  var openRatio = Math.max(1, N > 1 ? unitPx(1) : 1);
  var openPx = unitPx(openRatio);
  // sigma scales sizes by 1/sqrt(ratio): radius * px at the opening zoom, and grow slower than the
  // distances when zooming in, so nodes that did not overlap never come to (one bulk update)
  graph.updateEachNodeAttributes(function (key, attrs) {
    attrs.size = Math.max(1.5, (nodes[attrs.i].size || 4) * openPx) * Math.sqrt(openRatio);
    attrs.hidden = false;
    return attrs;
  }, { attributes: ["size", "hidden"] });
  if (openRatio !== 1) { camera.setState({ x: 0.5, y: 0.5, angle: 0, ratio: openRatio }); }
  sigma.setSetting("minCameraRatio", openRatio / 60);
  sigma.setSetting("maxCameraRatio", openRatio * 4);

  // ------------------------------------------------------------------ labels
  var labelCanvas = document.createElement("canvas");
  labelCanvas.className = "kg-labels";
  container.appendChild(labelCanvas);
  var lctx = labelCanvas.getContext("2d");
  var labelWidth = new Float32Array(N).fill(-1);  // width at 10 px, measured once
  var lastLabels = [];
  function labelText(i) { return nodes[i].label || ""; }
  function widthAt(i, px) {
    if (labelWidth[i] < 0) { lctx.font = "10px " + FONT; labelWidth[i] = lctx.measureText(labelText(i)).width; }
    return labelWidth[i] * px / 10;
  }
  function zoomFactor() { return openRatio / camera.ratio; }
  function labelPx(i, zoom) {
    // the build's label size at the opening zoom, growing as the square root of the zoom (as the
    // nodes do), read between 11 and 18 px
    var px = (nodes[i].font || 0) * openPx * Math.sqrt(zoom);
    if (focused !== null && i === focused) { return LABEL_MAX; }
    return Math.max(LABEL_MIN, Math.min(LABEL_MAX, px));
  }
  function position(i) { return sigma.graphToViewport({ x: nodes[i].x, y: -nodes[i].y }); }
  function radius(i) { return sigma.scaleSize(graph.getNodeAttribute(nodes[i].id, "size")); }
  function shapePath(ctx, shape, x, y, r) {
    ctx.beginPath();
    if (shape === 0) { ctx.arc(x, y, r, 0, 2 * Math.PI); return; }
    var spikes = shape === 1 ? 4 : 10;
    for (var s = 0; s < spikes; s++) {
      var a = -Math.PI / 2 + 2 * Math.PI * s / spikes, rr = shape === 1 ? r * 1.2 : (s % 2 ? r * 0.55 : r * 1.3);
      if (s) { ctx.lineTo(x + rr * Math.cos(a), y + rr * Math.sin(a)); } else { ctx.moveTo(x + rr * Math.cos(a), y + rr * Math.sin(a)); }
    }
    ctx.closePath();
  }
  function drawNeighbourhood(w, h) {
    // the map under a veil; the selected node, its links and neighbours drawn again on top
    lctx.fillStyle = "rgba(251,251,250,0.82)";
    lctx.fillRect(0, 0, w, h);
    var where = new Map();
    lit.forEach(function (i) { where.set(i, position(i)); });
    lctx.strokeStyle = EDGE_STRONG; lctx.lineWidth = 1.2;
    lctx.beginPath();
    litEdges.forEach(function (k) {
      var a = where.get(edges[k][0]), b = where.get(edges[k][1]);
      if (a && b) { lctx.moveTo(a.x, a.y); lctx.lineTo(b.x, b.y); }
    });
    lctx.stroke();
    lit.forEach(function (i) {
      var p = where.get(i);
      if (p.x < -50 || p.y < -50 || p.x > w + 50 || p.y > h + 50) { return; }
      shapePath(lctx, graph.getNodeAttribute(nodes[i].id, "shape"), p.x, p.y, radius(i));
      lctx.fillStyle = color[i]; lctx.fill();
      if (i === focused) { lctx.lineWidth = 2.5; lctx.strokeStyle = INK; lctx.stroke(); }
    });
  }
  function drawLabels() {
    var dpr = window.devicePixelRatio || 1;
    var w = container.clientWidth, h = container.clientHeight;
    if (labelCanvas.width !== Math.round(w * dpr) || labelCanvas.height !== Math.round(h * dpr)) {
      labelCanvas.width = Math.round(w * dpr); labelCanvas.height = Math.round(h * dpr);
      labelCanvas.style.width = w + "px"; labelCanvas.style.height = h + "px";
    }
    lctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    lctx.clearRect(0, 0, w, h);
    if (focused !== null) { drawNeighbourhood(w, h); }
    var zoom = zoomFactor(), placed = [], cell = 80, grid = new Map();
    function free(b) {
      var x0 = Math.floor(b.x / cell), x1 = Math.floor((b.x + b.w) / cell);
      var y0 = Math.floor(b.y / cell), y1 = Math.floor((b.y + b.h) / cell);
      for (var gx = x0; gx <= x1; gx++) {
        for (var gy = y0; gy <= y1; gy++) {
          var list = grid.get(gx * 100003 + gy);
          if (!list) { continue; }
          for (var k = 0; k < list.length; k++) {
            var o = list[k];
            if (b.x < o.x + o.w && o.x < b.x + b.w && b.y < o.y + o.h && o.y < b.y + b.h) { return false; }
          }
        }
      }
      return true;
    }
    function keep(b) {
      var x0 = Math.floor(b.x / cell), x1 = Math.floor((b.x + b.w) / cell);
      var y0 = Math.floor(b.y / cell), y1 = Math.floor((b.y + b.h) / cell);
      for (var gx = x0; gx <= x1; gx++) {
        for (var gy = y0; gy <= y1; gy++) {
          var key = gx * 100003 + gy, list = grid.get(key);
          if (!list) { grid.set(key, list = []); }
          list.push(b);
        }
      }
      placed.push(b);
    }
    function tryPlace(i, always) {
      if (!nodeShown[i] || !labelText(i)) { return; }
      var p = position(i);
      if (p.x < -200 || p.y < -50 || p.x > w + 200 || p.y > h + 50) { return; }
      var px = labelPx(i, zoom), th = Math.ceil(px * 1.25), r = radius(i);
      function around(tw) {
        return [[p.x - tw / 2, p.y + r + 1], [p.x - tw / 2, p.y - r - 1 - th], [p.x + r + 2, p.y - th / 2],
                [p.x - r - 2 - tw, p.y - th / 2]];
      }
      if (!always && labelWidth[i] < 0) {
        // not measured yet: a box narrower than any text of this length that finds no room
        // spares the measuring (most candidates of a crowded map)
        var narrow = 0.3 * px * labelText(i).length;
        if (!around(narrow).some(function (xy) { return free({ x: xy[0], y: xy[1], w: narrow, h: th }); })) { return; }
      }
      var tw = widthAt(i, px) + 4, spots = around(tw);
      for (var s = 0; s < spots.length; s++) {
        var b = { id: nodes[i].id, x: spots[s][0], y: spots[s][1], w: tw, h: th, px: px, i: i };
        if (b.x < 0 || b.y < 0 || b.x + b.w > w || b.y + b.h > h) { continue; }  // whole labels only
        if (free(b)) { keep(b); return; }
      }
      if (always) {  // the selection's labels always show (the only ones that may touch another)
        keep({ id: nodes[i].id, x: spots[0][0], y: spots[0][1], w: tw, h: th, px: px, i: i });
      }
    }
    if (focused !== null) {
      tryPlace(focused, true);
      Array.from(lit).sort(function (a, b) { return rank[a] - rank[b]; }).forEach(function (i) {
        if (i !== focused) { tryPlace(i, true); }
      });
    } else {
      Array.from(hits).sort(function (a, b) { return rank[a] - rank[b]; }).forEach(function (i) { tryPlace(i, false); });
      for (var r = 0; r < N && placed.length < MAX_LABELS; r++) {
        var i = importance[r];
        if (!hits.has(i)) { tryPlace(i, false); }
      }
    }
    lctx.textBaseline = "middle";
    lctx.lineJoin = "round";
    placed.forEach(function (b) {
      lctx.font = (b.i === focused ? "600 " : "") + b.px + "px " + FONT;
      lctx.lineWidth = 3.5;
      lctx.strokeStyle = HALO;
      lctx.strokeText(labelText(b.i), b.x + 2, b.y + b.h / 2);
      lctx.fillStyle = INK;
      lctx.fillText(labelText(b.i), b.x + 2, b.y + b.h / 2);
    });
    lastLabels = placed;
  }

  // ------------------------------------------------------------------ page API
  var frameWaiters = [];
  sigma.on("afterRender", function () {
    drawLabels();
    var waiting = frameWaiters; frameWaiters = [];
    waiting.forEach(function (f) { f(); });
  });
  function drawn() {  // resolves once the next frame (WebGL and labels) is drawn
    return new Promise(function (resolve) { frameWaiters.push(resolve); sigma.scheduleRender(); });
  }
  function overlayDrawn() {  // the label canvas alone changed: draw it, resolve once on screen
    drawLabels();
    return new Promise(function (resolve) { requestAnimationFrame(function () { resolve(); }); });
  }
  var api = { sigma: sigma, graph: graph, data: data, ready: false, moving: false, timings: timings };
  window.kgraph = api;
  api.zoom = function (factor) {
    var f = Number(factor);
    if (!(f > 0)) { throw new Error("zoom factor must be a positive number"); }
    camera.setState({ ratio: openRatio / f });
    return drawn();
  };
  api.visibleLabels = function () {  // in page pixels, as position() and the mouse
    var dx = container.offsetLeft, dy = container.offsetTop;
    return lastLabels.map(function (b) {
      return { id: b.id, x: Math.round((b.x + dx) * 100) / 100, y: Math.round((b.y + dy) * 100) / 100,
               w: Math.round(b.w * 100) / 100, h: Math.round(b.h * 100) / 100 };
    });
  };
  api.visibleNodes = function () {
    var out = [];
    for (var i = 0; i < N; i++) { if (nodeShown[i]) { out.push(nodes[i].id); } }
    return out;
  };
  api.position = function (id) {  // where a node is drawn, in page pixels (for a script's clicks)
    var i = byId[id];
    if (i === undefined) { return null; }
    var p = position(i);
    return { x: p.x + container.offsetLeft, y: p.y + container.offsetTop };
  };
  api.nodeColor = function (id) { var i = byId[id]; return i === undefined ? null : color[i]; };
  api.focused = function () { return focused === null ? null : nodes[focused].id; };

  // ------------------------------------------------------------------ header, legend
  $("kg-title").textContent = data.title;
  var order = ["graph", "papers", "concepts", "index", "trends"];  // the page data's keys come sorted
  var links = Object.keys(data.pages).sort(function (a, b) {
    return (order.indexOf(a) + 1 || 99) - (order.indexOf(b) + 1 || 99) || (a < b ? -1 : 1);
  }).map(function (name) { return [name, data.pages[name]]; });
  links.forEach(function (pair) {
    var a = el("a", pair[0] === "index" ? "summary" : pair[0]);
    a.href = pair[1];
    if (pair[0] === data.view) { a.className = "kg-current"; }
    $("kg-nav").appendChild(a);
  });
  function kindCounts(obj) {
    if (!obj || typeof obj !== "object") { return ""; }
    var parts = [];
    if (finite(obj.papers) && (obj.papers > 0 || data.view !== "concepts")) { parts.push(count(obj.papers) + " papers"); }
    if (finite(obj.concepts) && (obj.concepts > 0 || data.view !== "papers")) { parts.push(count(obj.concepts) + " concepts"); }
    return parts.join(", ");
  }
  function showCounts() {
    var shown = 0, paperCount = 0;
    for (var i = 0; i < N; i++) { if (nodeShown[i]) { shown++; if (isPaper[i]) { paperCount++; } } }
    var text = kindCounts(data.shown) || (count(N) + " nodes");
    text += ", " + count(E) + " links shown";
    var build = kindCounts(data.build);
    if (build && build !== kindCounts(data.shown)) { text += " (the build has " + build + ")"; }
    else if (!build && data.total && (data.total.nodes > N || data.total.edges > E)) {
      text += " (of " + count(data.total.nodes) + " nodes, " + count(data.total.edges) + " links)";
    }
    if (shown < N) { text += ". Now " + count(shown) + " of them after the filters."; }
    $("kg-counts").textContent = text;
  }
  data.notes.forEach(function (note) { $("kg-notes").appendChild(el("p", note)); });

  var kinds = {};
  nodes.forEach(function (n) { kinds[n.kind] = true; if (n.focus) { kinds.focus = true; } });
  var hasBroader = edges.some(function (e) { return e[3] === KIND.BROADER; });
  [["paper", "\u25CF", "paper"], ["concept", "\u25C6", "concept"], ["focus", "\u2605", "focus concept"],
   ["broader", "\u21E2", "narrower \u2192 broader"]].forEach(function (s) {
    if (kinds[s[0]] || (s[0] === "broader" && hasBroader)) {
      var li = el("li");
      li.appendChild(el("span", s[1], "kg-shape"));
      li.appendChild(document.createTextNode(" " + s[2]));
      $("kg-shapes").appendChild(li);
    }
  });

  // legend entries are colours: an entry's `group` is the `group` of every node drawn in its colour
  // (community ids alone would not do: paper and concept communities share numbers)
  var off = new Set();          // groups switched off
  var LEGEND_MAX = 24;          // the palette's colours and grey fit
  var legend = data.communities.map(function (c) {
    return { ids: [c.group], color: isHex(c.color) ? c.color.toLowerCase() : data.other,
             name: c.name || ("community " + c.community), count: c.count };
  });
  if (legend.length > LEGEND_MAX) {
    var rest = legend.slice(LEGEND_MAX);
    legend = legend.slice(0, LEGEND_MAX);
    legend.push({ ids: [].concat.apply([], rest.map(function (c) { return c.ids; })), color: data.other,
                  name: rest.length + " smaller communities",
                  count: rest.reduce(function (s, c) { return s + c.count; }, 0) });
  }
  var checkboxes = [];
  legend.forEach(function (c) {
    var li = el("li"), label = el("label"), box = el("input");
    box.type = "checkbox"; box.checked = true;
    box.addEventListener("change", function () {
      c.ids.forEach(function (id) { if (box.checked) { off.delete(id); } else { off.add(id); } });
      applyFilters();
    });
    checkboxes.push(box);
    var swatch = el("span", null, "kg-swatch");
    swatch.style.background = c.color;
    label.appendChild(box); label.appendChild(swatch); label.appendChild(el("span", c.name));
    li.appendChild(label); li.appendChild(el("span", count(c.count), "kg-count"));
    $("kg-communities").appendChild(li);
  });
  function setAll(on) {
    checkboxes.forEach(function (b) { b.checked = on; });
    off.clear();
    if (!on) { data.communities.forEach(function (c) { off.add(c.group); }); }
    applyFilters();
  }
  $("kg-all").addEventListener("click", function (ev) { ev.preventDefault(); setAll(true); });
  $("kg-none").addEventListener("click", function (ev) { ev.preventDefault(); setAll(false); });

  // ------------------------------------------------------------------ years: filter and colour
  var known = [];
  nodes.forEach(function (n, i) {
    if (years[i]) { years[i].forEach(function (y) { known.push(y); }); }
    else if (year[i] !== null) { known.push(year[i]); }
  });
  var yearMin = known.length ? Math.floor(Math.min.apply(null, known)) : null;
  var yearMax = known.length ? Math.ceil(Math.max.apply(null, known)) : null;
  // the colour scale spans the 5th to the 95th percentile of the years, so that a few old papers
  // do not squeeze every other year into one end; older or newer nodes take the end colours
  var colorYears = year.filter(function (y) { return y !== null; }).sort(function (a, b) { return a - b; });
  function quantile(q) { return colorYears[Math.min(colorYears.length - 1, Math.floor(q * colorYears.length))]; }
  var scaleMin = colorYears.length ? quantile(0.05) : null, scaleMax = colorYears.length ? quantile(0.95) : null;
  if (scaleMin !== null && scaleMin === scaleMax) { scaleMin = colorYears[0]; scaleMax = colorYears[colorYears.length - 1]; }
  var clippedLow = scaleMin !== null && colorYears[0] < scaleMin;
  var clippedHigh = scaleMax !== null && colorYears[colorYears.length - 1] > scaleMax;
  var yearFrom = null, yearTo = null;  // null: no year filter
  function yearColor(y) {
    if (y === null) { return NO_YEAR; }
    var t = scaleMax > scaleMin ? (y - scaleMin) / (scaleMax - scaleMin) : 0.5;
    var x = Math.max(0, Math.min(1, t)) * (YEAR_SCALE.length - 1), k = Math.min(Math.floor(x), YEAR_SCALE.length - 2);
    return mix(YEAR_SCALE[k], YEAR_SCALE[k + 1], x - k);
  }
  function inYears(i) {
    if (yearFrom === null) { return true; }
    if (isPaper[i]) { return year[i] !== null && year[i] >= yearFrom && year[i] <= yearTo; }
    if (data.view === "graph") {  // a concept of a paper shown
      return adjacency[i].some(function (k) {
        var j = other(k, i);
        return isPaper[j] && year[j] !== null && year[j] >= yearFrom && year[j] <= yearTo;
      });
    }
    var ys = years[i] || (year[i] !== null ? [year[i]] : []);
    return ys.some(function (y) { return y >= yearFrom && y <= yearTo; });
  }
  var fromInput = $("kg-year-from"), toInput = $("kg-year-to");
  if (yearMin === null) {
    $("kg-years-box").appendChild(el("p", "No years in this view.", "kg-muted"));
    fromInput.disabled = toInput.disabled = true;
    fromInput.parentNode.hidden = toInput.parentNode.hidden = true;
  }
  [fromInput, toInput].forEach(function (input) {
    input.min = String(yearMin === null ? 0 : yearMin);
    input.max = String(yearMax === null ? 0 : yearMax);
    input.step = "1";
  });
  fromInput.value = input0(yearMin); toInput.value = input0(yearMax);
  function input0(v) { return String(v === null ? 0 : v); }
  function showYearInputs() {
    $("kg-year-value").textContent = yearFrom === null ? (yearMin === null ? "" : "all") :
      (yearFrom === yearTo ? String(yearFrom) : yearFrom + "\u2013" + yearTo);
  }
  function onYearInput(ev) {
    if (yearMin === null) { return; }
    var a = Number(fromInput.value), b = Number(toInput.value);
    if (a > b) { if (ev.target === fromInput) { toInput.value = String(a); b = a; } else { fromInput.value = String(b); a = b; } }
    if (a <= yearMin && b >= yearMax) { setYears(null, null); } else { setYears(a, b); }
  }
  fromInput.addEventListener("input", onYearInput);
  toInput.addEventListener("input", onYearInput);
  function setYears(from, to) {
    if (from === null || from === undefined) { from = null; }
    if (to === null || to === undefined) { to = null; }
    if (from === null && to === null) { yearFrom = yearTo = null; }
    else {
      yearFrom = from === null ? -Infinity : Number(from);
      yearTo = to === null ? Infinity : Number(to);
      if (isNaN(yearFrom) || isNaN(yearTo)) { throw new Error("setYears needs two years (or null)"); }
      if (yearFrom > yearTo) { var t = yearFrom; yearFrom = yearTo; yearTo = t; }
      if (yearMin !== null) {
        fromInput.value = String(Math.max(yearMin, Math.min(yearMax, isFinite(yearFrom) ? yearFrom : yearMin)));
        toInput.value = String(Math.max(yearMin, Math.min(yearMax, isFinite(yearTo) ? yearTo : yearMax)));
      }
    }
    if (yearFrom === null && yearMin !== null) { fromInput.value = String(yearMin); toInput.value = String(yearMax); }
    showYearInputs();
    applyFilters();
    return drawn();
  }
  api.setYears = setYears;
  showYearInputs();

  function colorBy(mode) {
    if (mode !== "year" && mode !== "community") { throw new Error("colorBy takes 'year' or 'community'"); }
    colorMode = mode;
    for (var i = 0; i < N; i++) { color[i] = mode === "year" ? yearColor(year[i]) : baseColor[i]; }
    graph.updateEachNodeAttributes(function (key, attrs) { attrs.color = color[attrs.i]; return attrs; },
                                   { attributes: ["color"] });
    Array.prototype.forEach.call(document.querySelectorAll("input[name=kg-color]"), function (r) { r.checked = r.value === mode; });
    $("kg-year-legend").hidden = mode !== "year";
    $("kg-legend-box").classList.toggle("kg-faded", mode === "year");
    return drawn();
  }
  api.colorBy = colorBy;
  Array.prototype.forEach.call(document.querySelectorAll("input[name=kg-color]"), function (r) {
    r.addEventListener("change", function () { if (r.checked) { colorBy(r.value); } });
  });
  (function yearLegend() {
    var bar = $("kg-year-bar");
    bar.style.background = "linear-gradient(to right, " + YEAR_SCALE.join(", ") + ")";
    $("kg-year-min").textContent = scaleMin === null ? "no years" : (clippedLow ? "\u2264 " : "") + Math.round(scaleMin);
    $("kg-year-max").textContent = scaleMax === null || scaleMax === scaleMin ? "" : (clippedHigh ? "\u2265 " : "") + Math.round(scaleMax);
    if (scaleMin === null) { $("kg-color-year").disabled = true; }
  }());

  // ------------------------------------------------------------------ filters
  var degreeInput = $("kg-degree"), weightInput = $("kg-weight");
  var maxDegree = nodes.reduce(function (m, n) { return Math.max(m, n.degree); }, 0);
  degreeInput.max = String(Math.max(1, maxDegree));
  var wMin = Infinity, wMax = -Infinity;
  edges.forEach(function (e) { if (e[3] !== KIND.BROADER) { wMin = Math.min(wMin, e[2]); wMax = Math.max(wMax, e[2]); } });
  if (wMin === Infinity) { wMin = 0; wMax = 1; }
  weightInput.min = String(Math.min(0, wMin));
  weightInput.max = String(wMax > 0 ? wMax : 1);
  weightInput.step = String((wMax > 0 ? wMax : 1) / 200);
  function applyFilters() {
    var minDegree = Number(degreeInput.value), minWeight = Number(weightInput.value);
    $("kg-degree-value").textContent = String(minDegree);
    $("kg-weight-value").textContent = fmt(minWeight);
    for (var i = 0; i < N; i++) {
      nodeShown[i] = nodes[i].degree >= minDegree && !off.has(nodes[i].group) && inYears(i) ? 1 : 0;
    }
    for (var k = 0; k < E; k++) {
      var e = edges[k];
      edgeShown[k] = nodeShown[e[0]] && nodeShown[e[1]] && (e[3] === KIND.BROADER || e[2] >= minWeight) ? 1 : 0;
    }
    if (focused !== null && !nodeShown[focused]) { clearFocus(false); }
    else if (focused !== null) { highlight(focused); }
    showCounts();
    graph.updateEachNodeAttributes(function (key, attrs) { attrs.hidden = !nodeShown[attrs.i]; return attrs; },
                                   { attributes: ["hidden"] });
    graph.updateEachEdgeAttributes(function (key, attrs) { attrs.hidden = !edgeShown[attrs.k]; return attrs; },
                                   { attributes: ["hidden"] });
  }
  function resetFilters() {
    degreeInput.value = "0"; weightInput.value = weightInput.min;
    checkboxes.forEach(function (b) { b.checked = true; });
    off.clear();
    yearFrom = yearTo = null;
    if (yearMin !== null) { fromInput.value = String(yearMin); toInput.value = String(yearMax); }
    showYearInputs();
    applyFilters();
  }
  degreeInput.addEventListener("input", applyFilters);
  weightInput.addEventListener("input", applyFilters);

  // ------------------------------------------------------------------ selection
  function highlight(i) {
    focused = i;
    lit = new Set([i]);
    litEdges = new Set();
    adjacency[i].forEach(function (k) { if (edgeShown[k]) { lit.add(other(k, i)); litEdges.add(k); } });
  }
  function clearFocus(render) {
    if (focused === null) { return; }
    focused = null; lit = new Set(); litEdges = new Set();
    $("kg-details").hidden = true;
    if (render !== false) { drawLabels(); }
  }
  function select(id, move) {  // move: glide to the node (a search does; a click and the API do not)
    if (id === null || id === undefined) { clearFocus(false); return overlayDrawn(); }
    var i = byId[id];
    if (i === undefined) { return Promise.resolve(false); }
    if (!nodeShown[i]) { resetFilters(); }
    highlight(i);
    showDetails(i);
    var done = overlayDrawn();
    if (move === true) {
      // glide to the node, zoomed in enough to read its neighbourhood
      var p = sigma.getNodeDisplayData(id);
      api.moving = true;
      done = camera.animate({ x: p.x, y: p.y, ratio: Math.min(camera.ratio, openRatio / 2.5) }, { duration: 300 })
        .then(function () { api.moving = false; return drawn(); });
    }
    return done.then(function () { return true; });
  }
  api.select = select;
  sigma.on("clickNode", function (p) { hideTip(); select(p.node, false); });
  sigma.on("clickStage", function () { hideTip(); clearFocus(); });
  // sigma reports a second click within 300 ms as a double click (and zooms in): it still selects
  sigma.on("doubleClickNode", function (p) { hideTip(); select(p.node, false); });
  sigma.on("doubleClickStage", function () { hideTip(); clearFocus(); });

  // ------------------------------------------------------------------ details panel
  function name(i) { var n = nodes[i]; return isPaper[i] ? (n.info.title || n.label) : n.label; }
  function chip(i) {
    var b = el("button", name(i), "kg-chip");
    b.type = "button";
    b.addEventListener("click", function () { select(nodes[i].id, true); });
    return b;
  }
  function conceptMeta(n, info) {
    var parts = ["concept"];
    if (info.papers >= 0) { parts.push("in " + count(info.papers) + (info.papers === 1 ? " paper" : " papers")); }
    if (finite(info.reach) && info.reach > Math.max(info.papers, 0)) {
      parts.push(count(info.reach) + " with narrower concepts");
    }
    if (finite(n.year)) { parts.push("mean year " + Math.round(n.year)); }
    return parts;
  }
  function showDetails(i) {
    var n = nodes[i], info = n.info || {}, box = $("kg-details");
    box.textContent = "";
    var close = el("button", "\u00D7", "kg-close");
    close.type = "button"; close.title = "close";
    close.addEventListener("click", function () { clearFocus(); });
    box.appendChild(close);
    if (isPaper[i]) {
      box.appendChild(el("h2", info.title || n.label));
      var meta = [info.year, info.authors].filter(Boolean).join(" \u00B7 ");
      if (meta) { box.appendChild(el("p", meta, "kg-meta")); }
      if (safeUrl(info.url)) {
        var a = el("a", "open the paper");
        a.href = safeUrl(info.url); a.target = "_blank"; a.rel = "noopener noreferrer";
        var p = el("p"); p.appendChild(a); box.appendChild(p);
      }
      if (info.sentence) { box.appendChild(el("p", info.sentence)); }
      if (info.concepts && info.concepts.length) { box.appendChild(el("p", "Top concepts: " + info.concepts.join(", "), "kg-meta")); }
    } else {
      box.appendChild(el("h2", info.label || n.label));
      var parts = conceptMeta(n, info);
      if (n.focus) { parts.push("focus"); }
      box.appendChild(el("p", parts.join(" \u00B7 "), "kg-meta"));
      if (info.aliases && info.aliases.length) { box.appendChild(el("p", "Also: " + info.aliases.join(", "))); }
      if (info.broader && info.broader.length) { box.appendChild(el("p", "Broader: " + info.broader.join(", "))); }
    }
    var linked = adjacency[i].slice().sort(function (a, b) { return edges[b][2] - edges[a][2] || a - b; });
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
  function showTip(parts, x, y) {
    tip.textContent = "";
    parts.forEach(function (p) { tip.appendChild(p); });
    tip.hidden = false;
    x += container.offsetLeft + 14; y += container.offsetTop + 14;
    var w = tip.offsetWidth, h = tip.offsetHeight;
    if (x + w > window.innerWidth - 4) { x = Math.max(4, x - w - 28); }
    if (y + h > window.innerHeight - 4) { y = Math.max(4, y - h - 28); }
    tip.style.left = x + "px"; tip.style.top = y + "px";
  }
  function hideTip() { tip.hidden = true; }
  function nodeTip(i) {
    var n = nodes[i], info = n.info || {}, out = [];
    if (isPaper[i]) {
      out.push(el("strong", info.title || n.label));
      out.push(el("span", [info.year, n.degree + " links"].filter(Boolean).join(" \u00B7 "), "kg-meta"));
      if (info.concepts && info.concepts.length) { out.push(el("p", "Concepts: " + info.concepts.join(", "))); }
      if (info.sentence) { out.push(el("p", info.sentence)); }
    } else {
      out.push(el("strong", info.label || n.label));
      var meta = conceptMeta(n, info);
      meta.push(n.degree + " links");
      out.push(el("span", meta.join(" \u00B7 "), "kg-meta"));
      if (info.aliases && info.aliases.length) { out.push(el("p", "Also: " + info.aliases.join(", "))); }
      if (info.broader && info.broader.length) { out.push(el("p", "Broader: " + info.broader.join(", "))); }
    }
    return out;
  }
  function edgeTip(k) {
    var e = edges[k], out = [];
    if (e[3] === KIND.LINK) {
      out.push(el("strong", "Shared concepts"));
      out.push(el("p", e[4] && e[4].length ? e[4].join(", ") : "\u2014"));
      out.push(el("span", "link weight " + fmt(e[2]), "kg-meta"));
    } else if (e[3] === KIND.MENTION) {
      var paper = isPaper[e[0]] ? e[0] : e[1], concept = paper === e[0] ? e[1] : e[0];
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
  sigma.on("enterNode", function (p) { showTip(nodeTip(byId[p.node]), p.event.x, p.event.y); });
  sigma.on("leaveNode", hideTip);
  sigma.on("enterEdge", function (p) { showTip(edgeTip(Number(p.edge)), p.event.x, p.event.y); });
  sigma.on("leaveEdge", hideTip);
  camera.on("updated", hideTip);

  // ------------------------------------------------------------------ search
  var words = nodes.map(function (n) {
    var text = n.label + " " + (n.info.title || "") + " " + (n.info.aliases || []).join(" ");
    return { label: norm(n.info.title || n.label), words: norm(text).split(WORD_SPLIT).filter(Boolean) };
  });
  function search(query) {
    var q = norm(query).trim(), terms = q.split(WORD_SPLIT).filter(Boolean);
    if (!terms.length) { return []; }
    var found = [];
    words.forEach(function (w, i) {
      var ok = terms.every(function (t) { return w.words.some(function (x) { return x.lastIndexOf(t, 0) === 0; }); });
      if (ok) { found.push([w.label === q ? 0 : w.label.lastIndexOf(q, 0) === 0 ? 1 : 2, i]); }
    });
    found.sort(function (a, b) {
      return a[0] - b[0] || nodes[b[1]].degree - nodes[a[1]].degree || (nodes[a[1]].id < nodes[b[1]].id ? -1 : 1);
    });
    return found.slice(0, 12).map(function (h) { return nodes[h[1]].id; });
  }
  api.search = search;
  var input = $("kg-search"), results = $("kg-results"), current = [];
  function showResults(ids) {
    results.textContent = "";
    hits = new Set(ids.map(function (id) { return byId[id]; }));
    ids.forEach(function (id, k) {
      var i = byId[id], li = el("li");
      li.setAttribute("role", "option");
      if (k === 0) { li.className = "kg-active"; }
      li.appendChild(el("span", isPaper[i] ? "\u25CF" : "\u25C6", "kg-kind"));
      li.appendChild(el("span", name(i)));
      li.addEventListener("click", function () {
        Array.prototype.forEach.call(results.children, function (c) { c.className = ""; });
        li.className = "kg-active";
        select(id, true);
      });
      results.appendChild(li);
    });
    if (!ids.length && input.value.trim()) { results.appendChild(el("li", "no match", "kg-muted")); }
  }
  input.addEventListener("input", function () {
    current = search(input.value);
    showResults(current);
    if (current.length) { select(current[0], true); } else { clearFocus(); }
  });
  input.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter" && current.length) { select(current[0], true); }
    if (ev.key === "Escape") { input.value = ""; current = []; showResults([]); clearFocus(); }
  });

  // ------------------------------------------------------------------ save as PNG / SVG
  function legendItems() {
    if (colorMode === "year") { return null; }
    return legend.map(function (c) { return [c.color, c.name]; });
  }
  function legendSize(ctx) {
    var items = legendItems(), w = 0;
    ctx.font = "600 12px " + FONT;
    var title = Math.min(360, ctx.measureText(legendTitle()).width + 16);
    ctx.font = "12px " + FONT;
    if (!items) { return { w: Math.max(190, title), h: 52 }; }
    items.forEach(function (it) { w = Math.max(w, ctx.measureText(it[1]).width); });
    return { w: Math.max(title, Math.min(360, w + 34)), h: 26 + 17 * items.length };
  }
  function shorten(ctx, text, width) {
    if (ctx.measureText(text).width <= width) { return text; }
    while (text.length > 1 && ctx.measureText(text + "\u2026").width > width) { text = text.slice(0, -1); }
    return text + "\u2026";
  }
  function legendTitle() {
    var title = data.title;
    if (yearFrom !== null) { title += " \u00B7 " + (isFinite(yearFrom) ? yearFrom : "") + "\u2013" + (isFinite(yearTo) ? yearTo : ""); }
    return title;
  }
  function savePNG() {
    var w = container.clientWidth, h = container.clientHeight, dpr = window.devicePixelRatio || 1;
    var out = document.createElement("canvas");
    out.width = Math.round(w * dpr); out.height = Math.round(h * dpr);
    var ctx = out.getContext("2d");
    ctx.fillStyle = BG; ctx.fillRect(0, 0, out.width, out.height);
    sigma.render();  // draws now: the WebGL buffers are read in this same task
    var canvases = sigma.getCanvases();
    ["edges", "nodes"].forEach(function (name) {
      if (canvases[name]) { ctx.drawImage(canvases[name], 0, 0, out.width, out.height); }
    });
    ctx.drawImage(labelCanvas, 0, 0, out.width, out.height);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    var size = legendSize(ctx), x = 12, y = h - size.h - 12;
    ctx.fillStyle = "rgba(255,255,255,0.92)"; ctx.strokeStyle = "#d0d7de";
    ctx.fillRect(x, y, size.w, size.h); ctx.strokeRect(x + 0.5, y + 0.5, size.w, size.h);
    ctx.fillStyle = INK; ctx.textBaseline = "middle"; ctx.font = "600 12px " + FONT;
    ctx.fillText(shorten(ctx, legendTitle(), size.w - 16), x + 8, y + 12);
    ctx.font = "12px " + FONT;
    var items = legendItems();
    if (items) {
      items.forEach(function (it, k) {
        ctx.fillStyle = it[0]; ctx.beginPath(); ctx.arc(x + 13, y + 29 + 17 * k, 5, 0, 2 * Math.PI); ctx.fill();
        ctx.fillStyle = INK; ctx.fillText(shorten(ctx, it[1], size.w - 34), x + 24, y + 29 + 17 * k);
      });
    } else {
      var grad = ctx.createLinearGradient(x + 8, 0, x + size.w - 8, 0);
      YEAR_SCALE.forEach(function (c, k) { grad.addColorStop(k / (YEAR_SCALE.length - 1), c); });
      ctx.fillStyle = grad; ctx.fillRect(x + 8, y + 22, size.w - 16, 10);
      ctx.fillStyle = INK;
      ctx.fillText($("kg-year-min").textContent, x + 8, y + 42);
      var right = $("kg-year-max").textContent;
      ctx.fillText(right, x + size.w - 8 - ctx.measureText(right).width, y + 42);
    }
    return new Promise(function (resolve) { out.toBlob(resolve, "image/png"); });
  }
  function esc(s) {
    return String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
  }
  function num(v) { return String(Math.round(v * 10) / 10); }
  function saveSVG() {
    var w = container.clientWidth, h = container.clientHeight, out = [];
    out.push('<?xml version="1.0" encoding="UTF-8"?>');
    out.push('<svg xmlns="http://www.w3.org/2000/svg" width="' + w + '" height="' + h + '" viewBox="0 0 ' + w + " " + h +
             '" font-family="' + esc(FONT) + '">');
    out.push("<title>" + esc(legendTitle()) + "</title>");
    out.push('<rect width="100%" height="100%" fill="' + BG + '"/>');
    function inside(p) { return p.x >= -50 && p.y >= -50 && p.x <= w + 50 && p.y <= h + 50; }
    var where = new Array(N);
    for (var i = 0; i < N; i++) {
      if (nodeShown[i]) { where[i] = sigma.graphToViewport({ x: nodes[i].x, y: -nodes[i].y }); }
    }
    out.push('<g stroke-linecap="round">');
    graph.forEachEdge(function (key, attrs) {
      var k = attrs.k, e = edges[k];
      if (!edgeShown[k]) { return; }
      var a = where[e[0]], b = where[e[1]];
      if (!inside(a) && !inside(b)) { return; }
      var d = sigma.getEdgeDisplayData(key), c = d && d.color ? d.color : EDGE_COLOR;
      if (focused !== null) { c = litEdges.has(k) ? EDGE_STRONG : DIM_EDGE; }
      var m = /rgba?\(([^)]*)\)/.exec(c), stroke = c, opacity = 1;
      if (m) { var p = m[1].split(","); stroke = hex(p.slice(0, 3).map(Number)); opacity = p.length > 3 ? Number(p[3]) : 1; }
      out.push('<line x1="' + num(a.x) + '" y1="' + num(a.y) + '" x2="' + num(b.x) + '" y2="' + num(b.y) +
               '" stroke="' + stroke + '" stroke-opacity="' + opacity + '" stroke-width="' +
               num(Math.max(0.5, sigma.scaleSize(d ? d.size : 1))) + '"/>');
    });
    out.push("</g><g>");
    var order = [];
    for (var n = 0; n < N; n++) { if (!lit.has(n)) { order.push(n); } }
    lit.forEach(function (n) { order.push(n); });  // the neighbourhood on top
    order.forEach(function (j) {
      var p = where[j];
      if (!p || !inside(p)) { return; }
      var r = sigma.scaleSize(graph.getNodeAttribute(nodes[j].id, "size"));
      var fill = dimmed(j) ? mix(color[j], BG, 0.78) : color[j];
      var shape = graph.getNodeAttribute(nodes[j].id, "shape");
      var ring = j === focused ? '" stroke="' + INK + '" stroke-width="2.5' : "";
      if (shape === 0) {
        out.push('<circle cx="' + num(p.x) + '" cy="' + num(p.y) + '" r="' + num(r) + '" fill="' + fill + ring + '"/>');
      } else {
        var pts = [], spikes = shape === 1 ? 4 : 10;
        for (var s = 0; s < spikes; s++) {
          var ang = -Math.PI / 2 + 2 * Math.PI * s / spikes;
          var rr = shape === 1 ? r * 1.2 : (s % 2 ? r * 0.55 : r * 1.3);
          pts.push(num(p.x + rr * Math.cos(ang)) + "," + num(p.y + rr * Math.sin(ang)));
        }
        out.push('<polygon points="' + pts.join(" ") + '" fill="' + fill + ring + '"/>');
      }
    });
    out.push('</g><g fill="' + INK + '" stroke="' + HALO + '" stroke-width="3.5" stroke-linejoin="round" paint-order="stroke">');
    lastLabels.forEach(function (b) {
      out.push('<text x="' + num(b.x + 2) + '" y="' + num(b.y + b.h / 2) + '" dominant-baseline="central" font-size="' + num(b.px) +
               '"' + (b.i === focused ? ' font-weight="600"' : "") + ">" + esc(labelText(b.i)) + "</text>");
    });
    out.push("</g>");
    var ctx = lctx, size = legendSize(ctx), x = 12, y = h - size.h - 12;
    out.push('<g font-size="12"><rect x="' + x + '" y="' + y + '" width="' + num(size.w) + '" height="' + size.h +
             '" fill="#ffffff" fill-opacity="0.92" stroke="#d0d7de"/>');
    ctx.font = "600 12px " + FONT;
    out.push('<text x="' + (x + 8) + '" y="' + (y + 12) + '" dominant-baseline="central" font-weight="600">' +
             esc(shorten(ctx, legendTitle(), size.w - 16)) + "</text>");
    ctx.font = "12px " + FONT;
    var items = legendItems();
    if (items) {
      items.forEach(function (it, k) {
        out.push('<circle cx="' + (x + 13) + '" cy="' + (y + 29 + 17 * k) + '" r="5" fill="' + it[0] + '"/>');
        out.push('<text x="' + (x + 24) + '" y="' + (y + 29 + 17 * k) + '" dominant-baseline="central">' +
                 esc(shorten(ctx, it[1], size.w - 34)) + "</text>");
      });
    } else {
      out.push('<defs><linearGradient id="kg-years">' + YEAR_SCALE.map(function (c, k) {
        return '<stop offset="' + (k / (YEAR_SCALE.length - 1)) + '" stop-color="' + c + '"/>';
      }).join("") + "</linearGradient></defs>");
      out.push('<rect x="' + (x + 8) + '" y="' + (y + 22) + '" width="' + (size.w - 16) + '" height="10" fill="url(#kg-years)"/>');
      out.push('<text x="' + (x + 8) + '" y="' + (y + 42) + '" dominant-baseline="central">' + esc($("kg-year-min").textContent) + "</text>");
      out.push('<text x="' + (x + size.w - 8) + '" y="' + (y + 42) + '" dominant-baseline="central" text-anchor="end">' +
               esc($("kg-year-max").textContent) + "</text>");
    }
    out.push("</g></svg>");
    return Promise.resolve(new Blob([out.join("\n")], { type: "image/svg+xml" }));
  }
  function download(blob, ext) {
    var a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = "kgraph-" + data.view + "." + ext;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(function () { URL.revokeObjectURL(a.href); }, 10000);
  }
  api.savePNG = savePNG;
  api.saveSVG = saveSVG;
  $("kg-save-png").addEventListener("click", function () { savePNG().then(function (b) { download(b, "png"); }); });
  $("kg-save-svg").addEventListener("click", function () { saveSVG().then(function (b) { download(b, "svg"); }); });

  // ------------------------------------------------------------------ first frame
  showCounts();
  timings.panel = performance.now();
  drawn().then(function () { timings.drawn = performance.now(); api.ready = true; });
}());
