/*
 * embedlab explorer: a scatter of a collection's 2-D projection, on a Canvas2D pixel buffer.
 *
 * Plain JavaScript, no framework, no build step, no external request: every URL is relative to
 * the server that served this file (API17: /projections/methods, /collections/..., /compare).
 * The view state lives in the URL hash (c, m, n, color, q, p, pv, k, sel, cmp, cam) so that a
 * link reproduces it. Points are written into an ImageData's Uint32 view and put once per frame
 * (requestAnimationFrame-throttled); hit-testing uses a uniform grid over data coordinates.
 * Hooks for the tests and the benchmark: window.__explorer (firstPaintMs, frameTimes,
 * benchPanZoom, state, screenOf, pending, util).
 */
'use strict';
(() => {
  // --- constants ---------------------------------------------------------------------------
  const rgb = (hex) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  // ImageData is RGBA bytes: on a little-endian machine (every browser platform) the Uint32
  // view reads them as 0xAABBGGRR
  const pack = (c) => ((255 << 24) | (c[2] << 16) | (c[1] << 8) | c[0]) >>> 0;
  const css = (c) => `rgb(${c[0]},${c[1]},${c[2]})`;
  const BG = rgb('#ffffff');
  const BG32 = pack(BG);
  const DEFAULT = rgb('#3f6fb5'); // points without a colouring
  const DIMMED = rgb('#e2e5e8'); // greyed out by a search or a selection
  const OTHER = rgb('#9a9fa6'); // categories past the palette
  const MISSING = rgb('#c9cdd2'); // no value / not shared
  // 20 categorical colours, distinct on white, most frequent category first
  const PALETTE = [
    '#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#17becf',
    '#bcbd22', '#393b79', '#e7a21c', '#637939', '#ad494a', '#6baed6', '#fd8d3c', '#74c476',
    '#a55194', '#843c39', '#9c9ede', '#005a32',
  ].map(rgb);
  // a perceptual ramp (viridis-like stops, interpolated linearly in RGB)
  const RAMP = [
    '#440154', '#482777', '#3f4a8a', '#31678e', '#26838f', '#1f9d8a', '#6cce5a', '#b6de2b',
    '#fee825',
  ].map(rgb);
  const AGREEMENT = '@agreement'; // the colour value of compare's per-point agreement
  const FRAME_LOG = 240;

  // --- small pure helpers (exposed as __explorer.util for the tests) ------------------------
  function ramp(t) {
    if (!(t >= 0)) t = 0; // NaN too
    if (t > 1) t = 1;
    const f = t * (RAMP.length - 1);
    const i = Math.min(RAMP.length - 2, Math.floor(f));
    const u = f - i;
    const a = RAMP[i];
    const b = RAMP[i + 1];
    return [0, 1, 2].map((j) => Math.round(a[j] + (b[j] - a[j]) * u));
  }

  function pointInPolygon(x, y, poly) {
    // even-odd ray casting; poly: flat [x0, y0, x1, y1, ...]
    let inside = false;
    const m = poly.length;
    for (let i = 0, j = m - 2; i < m; j = i, i += 2) {
      const xi = poly[i];
      const yi = poly[i + 1];
      const xj = poly[j];
      const yj = poly[j + 1];
      if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
    }
    return inside;
  }

  const INT_RE = /^-?\d+$/;
  // an id written back exactly by String(Number(id)) ("7", "-3"; not "007", "-0", 2**60)
  const canonicalInt = (s) => INT_RE.test(s) && Math.abs(Number(s)) <= Number.MAX_SAFE_INTEGER &&
    String(Number(s)) === s;
  const MAX_LINK_IDS = 1000000; // a link never expands to more selected ids than this
  const MAX_URL_SELECTION = 20000; // larger selections are not written into the link

  function encodeIds(ids) {
    // compact selection: integer ids sorted as base-36 deltas with runs ("i5_3.c" = 5,6,7,8,20);
    // anything else as percent-encoded strings ("s" + a,b,c)
    if (!ids.length) return '';
    if (ids.every((s) => canonicalInt(String(s)))) {
      const v = Array.from(new Set(ids.map(Number))).sort((a, b) => a - b);
      const out = [];
      let prev = 0;
      let i = 0;
      while (i < v.length) {
        let j = i;
        while (j + 1 < v.length && v[j + 1] === v[j] + 1) j++;
        let tok = (v[i] - prev).toString(36);
        if (j > i) tok += '_' + (j - i).toString(36);
        out.push(tok);
        prev = v[j];
        i = j + 1;
      }
      return 'i' + out.join('.');
    }
    return 's' + Array.from(new Set(ids.map(String))).sort().map(encodeURIComponent).join(',');
  }

  function decodeIds(text) {
    if (!text) return [];
    if (text[0] === 'i') {
      const out = [];
      let prev = 0;
      for (const tok of text.slice(1).split('.')) {
        if (!tok) continue;
        const [d, r] = tok.split('_');
        const start = prev + parseInt(d, 36);
        const run = r ? parseInt(r, 36) : 0;
        if (!Number.isFinite(start) || !Number.isFinite(run) || run < 0) {
          throw new Error(`bad selection token '${tok}'`);
        }
        if (out.length + run + 1 > MAX_LINK_IDS) {
          throw new Error(`the link selects more than ${MAX_LINK_IDS.toLocaleString()} ids`);
        }
        for (let k = 0; k <= run; k++) out.push(String(start + k));
        prev = start + run;
      }
      return out;
    }
    if (text[0] === 's') {
      return text.slice(1).split(',').filter(Boolean).slice(0, MAX_LINK_IDS).map((t) => {
        try {
          return decodeURIComponent(t);
        } catch (e) {
          throw new Error(`bad selection id '${t.slice(0, 20)}'`);
        }
      });
    }
    throw new Error(`bad selection '${text.slice(0, 20)}'`);
  }

  const KEYS = ['c', 'm', 'n', 'color', 'q', 'by', 'p', 'pv', 'k', 'sel', 'cmp', 'cam'];
  const encHash = (s) => encodeURIComponent(s).replace(/%2C/g, ',').replace(/%3A/g, ':').replace(/%40/g, '@');

  function parseHash(hash) {
    const out = {};
    for (const part of hash.replace(/^#/, '').split('&')) {
      if (!part) continue;
      const eq = part.indexOf('=');
      try { // a malformed field ("q=100%") is skipped, not fatal
        const key = decodeURIComponent(eq < 0 ? part : part.slice(0, eq));
        out[key] = eq < 0 ? '' : decodeURIComponent(part.slice(eq + 1));
      } catch (e) {
        continue;
      }
    }
    return out;
  }

  function formatHash(fields) {
    return KEYS.filter((k) => fields[k] !== undefined && fields[k] !== null && fields[k] !== '')
      .map((k) => `${k}=${encHash(String(fields[k]))}`)
      .join('&');
  }

  const num = (v, digits) => Number(Number(v).toPrecision(digits));

  function quantile(sorted, q) {
    if (!sorted.length) return NaN;
    const pos = (sorted.length - 1) * q;
    const lo = Math.floor(pos);
    const hi = Math.ceil(pos);
    return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
  }

  // --- DOM -----------------------------------------------------------------------------------
  const $ = (id) => document.getElementById(id);
  const el = (tag, attrs, ...kids) => {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === 'class') e.className = v;
      else if (k === 'style') e.style.cssText = v;
      else if (k.startsWith('data-')) e.setAttribute(k, v);
      else e[k] = v;
    }
    for (const kid of kids) e.append(kid);
    return e;
  };
  const ui = {};
  for (const id of [
    'collection', 'method', 'max-points', 'color', 'search', 'search-by', 'search-clear', 'search-info',
    'match-count', 'mode-pan', 'mode-box', 'mode-lasso', 'reset-view', 'selection-count',
    'selection-clear', 'export-csv', 'export-parquet', 'compare', 'error', 'error-text',
    'error-close', 'progress', 'compare-info', 'mean-agreement', 'compare-shared', 'compare-k',
    'legend', 'point', 'k', 'neighbours', 'tooltip', 'map-b',
  ]) ui[id.replace(/-(\w)/g, (_, c) => c.toUpperCase())] = $(id);

  // --- HTTP ----------------------------------------------------------------------------------
  class ApiError extends Error {
    constructor(status, message) {
      super(message);
      this.status = status;
    }
  }
  const STALE = Symbol('stale'); // a reply to a request a newer load has superseded
  const hooks = {
    firstPaintMs: undefined,
    colouredMs: undefined,
    points: 0,
    frameTimes: [],
    pending: 0,
    loads: 0,
    errors: [],
  };
  window.__explorer = hooks;

  async function request(method, path, body, as = 'json') {
    hooks.pending++;
    try {
      const init = { method, headers: {} };
      if (body !== undefined) {
        init.headers['content-type'] = 'application/json';
        init.body = JSON.stringify(body);
      }
      let r;
      try {
        r = await fetch(path, init);
      } catch (exc) {
        throw new ApiError(0, `${method} ${path}: the server did not answer (${exc.message})`);
      }
      if (!r.ok) {
        let msg = '';
        try {
          const j = await r.json();
          msg = (j && j.status && j.status.error) || '';
        } catch (_) {
          /* not JSON */
        }
        throw new ApiError(r.status, msg || `${method} ${path}: HTTP ${r.status} ${r.statusText}`);
      }
      if (as === 'buffer') return { status: r.status, headers: r.headers, body: await r.arrayBuffer() };
      if (as === 'blob') return { status: r.status, headers: r.headers, body: await r.blob() };
      const j = await r.json();
      return as === 'full' ? { status: r.status, result: j.result } : j.result;
    } finally {
      hooks.pending--;
    }
  }
  const api = {
    get: (p, as) => request('GET', p, undefined, as),
    post: (p, b, as) => request('POST', p, b, as),
  };
  const colPath = (name) => `/collections/${encodeURIComponent(name)}`;
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

  // --- errors: a visible banner, never a blank page or a console error -----------------------
  function showError(exc) {
    if (exc === STALE) return;
    const status = exc && exc.status ? `${exc.status}: ` : '';
    const msg = `${status}${(exc && exc.message) || exc}`;
    hooks.errors.push(msg);
    ui.errorText.textContent = msg;
    ui.error.hidden = false;
  }
  function clearError() {
    ui.error.hidden = true;
    ui.errorText.textContent = '';
  }
  ui.errorClose.addEventListener('click', clearError);
  const guard = (fn) => (...args) => {
    try {
      const r = fn(...args);
      if (r && typeof r.catch === 'function') r.catch(showError);
    } catch (exc) {
      showError(exc);
    }
  };

  // --- state ---------------------------------------------------------------------------------
  const S = {
    c: null, m: 'pca', n: 100000, color: null, q: '', by: 'auto', p: null, pv: 'a', k: 10,
    cmp: null, cam: null, // cam: {x, y, zoom} or null (fit)
  };
  let sel = new Set(); // selected ids (strings), linked across the maps
  let selSource = 'a';
  let matchIds = null; // search result ids (strings) or null
  let neighbourIds = []; // ids (strings) of the clicked point's neighbours
  let methods = { methods: { pca: true }, max_points_limit: 1000000, default_max_points: 100000 };
  let gen = 0; // load generation: replies to older loads are dropped
  let mode = 'pan';

  // --- a map ---------------------------------------------------------------------------------
  class View {
    constructor(key, canvas) {
      this.key = key;
      this.canvas = canvas;
      this.ctx = canvas.getContext('2d');
      this.title = $(`title-${key}`);
      this.quality = $(`quality-${key}`);
      this.clear();
    }

    clear() {
      this.name = null;
      this.job = null;
      this.n = 0;
      this.xy = new Float32Array(0);
      this.ids = [];
      this.idStr = [];
      this.index = new Map();
      this.col = new Uint32Array(0);
      this.dim = new Uint8Array(0);
      this.dimActive = false;
      this.values = null; // per-point colour value for the tooltip: i -> string
      this.columns = [];
      this.bounds = [0, 0, 1, 1];
      this.grid = null;
      this.hover = -1;
      this.info = null;
      this.agreement = null;
    }

    setData(name, job, info, xy, ids) {
      this.name = name;
      this.job = job;
      this.info = info;
      this.n = ids.length;
      this.xy = xy;
      this.ids = ids;
      this.idStr = ids.map(String);
      this.index = new Map();
      for (let i = 0; i < this.n; i++) this.index.set(this.idStr[i], i);
      this.col = new Uint32Array(this.n).fill(pack(DEFAULT));
      this.dim = new Uint8Array(this.n);
      this.values = null;
      let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
      for (let i = 0; i < this.n; i++) {
        const x = xy[2 * i];
        const y = xy[2 * i + 1];
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
      if (!(x1 >= x0)) [x0, y0, x1, y1] = [0, 0, 1, 1];
      if (x1 === x0) { x0 -= 0.5; x1 += 0.5; }
      if (y1 === y0) { y0 -= 0.5; y1 += 0.5; }
      this.bounds = [x0, y0, x1, y1];
      this.buildGrid();
    }

    buildGrid() {
      // a uniform grid over data coordinates, ~8 points a cell: counting sort of the points
      const n = this.n;
      const [x0, y0, x1, y1] = this.bounds;
      const g = Math.max(1, Math.min(1024, Math.ceil(Math.sqrt(n / 8))));
      const cw = (x1 - x0) / g;
      const ch = (y1 - y0) / g;
      const cellOf = new Int32Array(n);
      const start = new Int32Array(g * g + 1);
      for (let i = 0; i < n; i++) {
        const cx = Math.min(g - 1, Math.max(0, Math.floor((this.xy[2 * i] - x0) / cw)));
        const cy = Math.min(g - 1, Math.max(0, Math.floor((this.xy[2 * i + 1] - y0) / ch)));
        const c = cy * g + cx;
        cellOf[i] = c;
        start[c + 1]++;
      }
      for (let c = 0; c < g * g; c++) start[c + 1] += start[c];
      const fill = start.slice(0, g * g);
      const items = new Int32Array(n);
      for (let i = 0; i < n; i++) items[fill[cellOf[i]]++] = i;
      this.grid = { g, cw, ch, start, items };
    }

    resize() {
      // the canvas's own CSS box (the parent's border is not part of it): one bitmap pixel per
      // CSS pixel, so hit-testing and drawing agree
      const w = Math.max(1, Math.floor(this.canvas.clientWidth));
      const h = Math.max(1, Math.floor(this.canvas.clientHeight));
      if (w === this.canvas.width && h === this.canvas.height && this.img) return;
      this.canvas.width = w;
      this.canvas.height = h;
      this.img = this.ctx.createImageData(w, h);
      this.buf = new Uint32Array(this.img.data.buffer);
    }

    // screen <-> data (one camera for every map: B is aligned onto A's coordinates)
    scale() {
      const [x0, y0, x1, y1] = fitBounds();
      const s0 = 0.92 * Math.min(this.canvas.width / (x1 - x0), this.canvas.height / (y1 - y0));
      return s0 * camera().zoom;
    }

    toScreen(i) {
      const cam = camera();
      const s = this.scale();
      return [
        (this.xy[2 * i] - cam.x) * s + this.canvas.width / 2,
        this.canvas.height / 2 - (this.xy[2 * i + 1] - cam.y) * s,
      ];
    }

    toData(sx, sy) {
      const cam = camera();
      const s = this.scale();
      return [cam.x + (sx - this.canvas.width / 2) / s, cam.y - (sy - this.canvas.height / 2) / s];
    }

    nearest(sx, sy, radiusPx) {
      if (!this.n || !this.grid) return -1;
      const [dx, dy] = this.toData(sx, sy);
      const r = radiusPx / this.scale();
      const { g, cw, ch, start, items } = this.grid;
      const [x0, y0] = this.bounds;
      const ca = Math.max(0, Math.floor((dx - r - x0) / cw));
      const cb = Math.min(g - 1, Math.floor((dx + r - x0) / cw));
      const ra = Math.max(0, Math.floor((dy - r - y0) / ch));
      const rb = Math.min(g - 1, Math.floor((dy + r - y0) / ch));
      let best = -1;
      let bestD = r * r;
      for (let cy = ra; cy <= rb; cy++) {
        for (let cx = ca; cx <= cb; cx++) {
          const c = cy * g + cx;
          for (let t = start[c]; t < start[c + 1]; t++) {
            const i = items[t];
            const ex = this.xy[2 * i] - dx;
            const ey = this.xy[2 * i + 1] - dy;
            const d = ex * ex + ey * ey;
            if (d <= bestD) {
              bestD = d;
              best = i;
            }
          }
        }
      }
      return best;
    }

    updateMask() {
      const searching = matchIds !== null;
      const selecting = sel.size > 0;
      this.dimActive = (searching || selecting) && this.n > 0;
      if (!this.dimActive) return;
      for (let i = 0; i < this.n; i++) {
        const s = this.idStr[i];
        this.dim[i] = (searching && !matchIds.has(s)) || (selecting && !sel.has(s)) ? 1 : 0;
      }
    }

    pointSize() {
      const base = this.n <= 2000 ? 4 : this.n <= 20000 ? 3 : this.n <= 60000 ? 2 : 1;
      const z = camera().zoom;
      return Math.max(1, Math.min(9, base + (z > 1 ? Math.floor(Math.log2(z)) : 0)));
    }

    draw() {
      const w = this.canvas.width;
      const h = this.canvas.height;
      const buf = this.buf;
      buf.fill(BG32);
      if (this.n) {
        const cam = camera();
        const s = this.scale();
        const ox = w / 2 - cam.x * s;
        const oy = h / 2 + cam.y * s;
        const sz = this.pointSize();
        const half = sz >> 1;
        const xy = this.xy;
        const col = this.col;
        const dim = this.dimActive ? this.dim : null;
        const dim32 = pack(DIMMED);
        const n = this.n;
        // pass 0 draws the greyed points, pass 1 the others on top; without a mask, one pass
        for (let pass = dim ? 0 : 1; pass < 2; pass++) {
          for (let i = 0; i < n; i++) {
            if (dim !== null && dim[i] !== (pass === 0 ? 1 : 0)) continue;
            const px = Math.floor(xy[2 * i] * s + ox) - half;
            const py = Math.floor(oy - xy[2 * i + 1] * s) - half;
            if (px >= w || py >= h || px + sz <= 0 || py + sz <= 0) continue;
            const c = pass === 0 ? dim32 : col[i];
            if (sz === 1) {
              buf[py * w + px] = c;
              continue;
            }
            const xa = px < 0 ? 0 : px;
            const xb = px + sz > w ? w : px + sz;
            const ya = py < 0 ? 0 : py;
            const yb = py + sz > h ? h : py + sz;
            for (let yy = ya; yy < yb; yy++) {
              const row = yy * w;
              for (let xx = xa; xx < xb; xx++) buf[row + xx] = c;
            }
          }
        }
      }
      this.ctx.putImageData(this.img, 0, 0);
      this.drawOverlays();
    }

    ring(i, radius, color, width) {
      const [x, y] = this.toScreen(i);
      const ctx = this.ctx;
      ctx.beginPath();
      ctx.arc(x, y, radius, 0, 2 * Math.PI);
      ctx.lineWidth = width;
      ctx.strokeStyle = color;
      ctx.stroke();
    }

    drawOverlays() {
      const ctx = this.ctx;
      for (const id of neighbourIds) {
        const i = this.index.get(id);
        if (i !== undefined) {
          this.ring(i, 6, '#ffffff', 4);
          this.ring(i, 6, '#111111', 1.6);
        }
      }
      if (S.p !== null) {
        const i = this.index.get(S.p);
        if (i !== undefined) {
          this.ring(i, 9, '#ffffff', 5);
          this.ring(i, 9, '#e0161b', 2.5);
        }
      }
      if (this.hover >= 0) this.ring(this.hover, 5, '#111111', 1);
      if (drag && drag.view === this && (drag.mode === 'box' || drag.mode === 'lasso')) {
        ctx.save();
        ctx.lineWidth = 1.2;
        ctx.strokeStyle = '#1f5fbf';
        ctx.fillStyle = 'rgba(31, 95, 191, 0.08)';
        ctx.setLineDash([5, 3]);
        ctx.beginPath();
        if (drag.mode === 'box') {
          ctx.rect(drag.x0, drag.y0, drag.x - drag.x0, drag.y - drag.y0);
        } else {
          const p = drag.path;
          ctx.moveTo(p[0], p[1]);
          for (let j = 2; j < p.length; j += 2) ctx.lineTo(p[j], p[j + 1]);
          ctx.closePath();
        }
        ctx.fill();
        ctx.stroke();
        ctx.restore();
      }
    }

    typedId(s) {
      // the id as the collection stores it (numbers for integer collections)
      const i = this.index.get(s);
      if (i !== undefined) return this.ids[i];
      const intIds = this.info ? this.info.id_type !== 'str' && (this.n === 0 || typeof this.ids[0] === 'number') : true;
      return intIds && INT_RE.test(s) ? Number(s) : s;
    }
  }

  const views = { a: new View('a', $('canvas-a')), b: new View('b', $('canvas-b')) };
  const active = () => (S.cmp && views.b.n ? [views.a, views.b] : [views.a]);

  function fitBounds() {
    const v = views.a.n ? views.a : views.b;
    return v.bounds;
  }
  function fitCamera() {
    const [x0, y0, x1, y1] = fitBounds();
    return { x: (x0 + x1) / 2, y: (y0 + y1) / 2, zoom: 1 };
  }
  function camera() {
    if (!S.cam) S.cam = null;
    return S.cam || fitCamera();
  }

  // --- frames --------------------------------------------------------------------------------
  let frameQueued = false;
  function drawAll() {
    const t0 = performance.now();
    for (const v of [views.a, views.b]) {
      if (v === views.b && ui.mapB.hidden) continue;
      v.resize();
      v.draw();
    }
    const dt = performance.now() - t0;
    hooks.frameTimes.push(dt);
    if (hooks.frameTimes.length > FRAME_LOG) hooks.frameTimes.splice(0, hooks.frameTimes.length - FRAME_LOG);
    if (hooks.firstPaintMs === undefined && views.a.n > 0) {
      hooks.firstPaintMs = performance.now();
      hooks.points = views.a.n;
    }
    return dt;
  }
  function requestDraw() {
    if (frameQueued) return;
    frameQueued = true;
    requestAnimationFrame(() => {
      frameQueued = false;
      try {
        drawAll();
      } catch (exc) {
        showError(exc);
      }
    });
  }
  window.addEventListener('resize', requestDraw);
  if (typeof ResizeObserver === 'function') { // layout changes without a window resize (banner)
    const boxes = new ResizeObserver(() => requestDraw());
    for (const el of document.querySelectorAll('.canvas-box')) boxes.observe(el);
  }

  // --- the URL -------------------------------------------------------------------------------
  function hashFields() {
    const cam = S.cam;
    return {
      c: S.c,
      m: S.m,
      n: S.n,
      color: S.color === '' ? '-' : S.color,
      q: S.q,
      by: S.q && S.by !== 'auto' ? S.by : null,
      p: S.p,
      pv: S.p !== null && S.pv === 'b' ? 'b' : null,
      k: S.k !== 10 ? S.k : null,
      sel: sel.size && sel.size <= MAX_URL_SELECTION ? encodeIds(Array.from(sel)) : null,
      cmp: S.cmp,
      cam: cam ? [num(cam.x, 7), num(cam.y, 7), num(cam.zoom, 6)].join(',') : null,
    };
  }
  let lastHash = null;
  let urlTimer = 0;
  function writeUrl(now) {
    clearTimeout(urlTimer);
    const go = () => {
      const h = '#' + formatHash(hashFields());
      if (h !== location.hash) history.replaceState(null, '', h);
      lastHash = location.hash;
    };
    if (now) go();
    else urlTimer = setTimeout(go, 200);
  }

  function readUrl() {
    const f = parseHash(location.hash);
    S.c = f.c || null;
    S.m = f.m || 'pca';
    S.n = f.n !== undefined && f.n !== '' ? Number(f.n) : methods.default_max_points;
    S.color = f.color === '-' ? '' : f.color || null; // '-': no colouring, chosen
    S.q = f.q || '';
    S.by = ['id', 'payload', 'text'].includes(f.by) ? f.by : 'auto';
    S.p = f.p !== undefined && f.p !== '' ? f.p : null;
    S.pv = f.pv === 'b' ? 'b' : 'a';
    S.k = f.k ? Number(f.k) : 10;
    S.cmp = f.cmp || null;
    S.cam = null;
    if (f.cam) {
      const c = f.cam.split(',').map(Number);
      if (c.length === 3 && c.every(Number.isFinite) && c[2] > 0) S.cam = { x: c[0], y: c[1], zoom: c[2] };
      else showError(new Error(`ignored the camera '${f.cam}' in the URL (expected x,y,zoom)`));
    }
    sel = new Set();
    try {
      for (const id of decodeIds(f.sel || '')) sel.add(id);
    } catch (exc) {
      showError(exc);
    }
    selSource = 'a';
  }

  function viewState() {
    // the state as a link encodes it (what a reload of location.hash restores)
    const f = parseHash(formatHash(hashFields()));
    return {
      c: f.c || null,
      m: f.m || null,
      n: f.n !== undefined ? Number(f.n) : null,
      color: f.color || null,
      q: f.q || '',
      by: f.by || 'auto',
      p: f.p !== undefined ? f.p : null,
      pv: f.pv || 'a',
      k: f.k ? Number(f.k) : 10,
      sel: decodeIds(f.sel || '').sort(),
      cmp: f.cmp || null,
      cam: f.cam ? f.cam.split(',').map(Number) : null,
      mode,
    };
  }

  // --- loading -------------------------------------------------------------------------------
  function setProgress(text) {
    ui.progress.textContent = text;
  }

  async function project(name, g, label) {
    const body = { method: S.m, max_points: S.n, seed: 0 };
    let job = (await api.post(`${colPath(name)}/projections`, body));
    let delay = 100;
    while (job.status !== 'done') {
      if (g !== gen) throw STALE;
      if (job.status === 'failed') {
        throw new ApiError(0, `the ${job.method} projection of \`${name}\` failed: ${job.error}`);
      }
      const pct = Math.round(100 * (job.progress || 0));
      setProgress(`${label}: ${job.method} of ${Number(job.n_points || 0).toLocaleString()} points, ${job.status} ${pct}%`);
      await sleep(delay);
      delay = Math.min(500, delay * 1.5);
      if (g !== gen) throw STALE;
      job = await api.get(`${colPath(name)}/projections/${job.id}`);
    }
    return job;
  }

  async function fetchMap(name, job, alignTo) {
    const base = `${colPath(name)}/projections/${job.id}`;
    const q = alignTo ? `?align_to=${encodeURIComponent(alignTo)}` : '';
    const [coords, ids, columns] = await Promise.all([
      api.get(`${base}/coords${q}`, 'buffer'),
      api.get(`${base}/ids`),
      api.get(`${base}/columns`),
    ]);
    const xy = new Float32Array(coords.body);
    if (xy.length !== 2 * ids.ids.length) {
      throw new ApiError(0, `${base}/coords: ${xy.length / 2} points but ${ids.ids.length} ids`);
    }
    return { xy, ids: ids.ids, columns: columns.columns };
  }

  function qualityText(job) {
    const q = job.quality;
    const head = `${job.method}, ${Number(job.n_points).toLocaleString()} of ${Number(job.n_total).toLocaleString()} points` +
      (job.n_points < job.n_total ? ' (random sample)' : '') +
      (job.seconds !== null && job.seconds !== undefined ? `, ${Number(job.seconds).toFixed(2)} s` : '');
    if (!q) return `${head}; map quality not computed`;
    return `${head}; trustworthiness ${Number(q.trustworthiness).toFixed(3)}, ` +
      `kNN overlap ${Number(q.knn_overlap).toFixed(3)} (k=${q.k}, sample of ${Number(q.sample).toLocaleString()})`;
  }

  async function loadAll() {
    const g = ++gen;
    hooks.loads++;
    views.a.clear();
    views.b.clear();
    matchIds = null;
    neighbourIds = [];
    ui.neighbours.replaceChildren();
    ui.point.textContent = 'click a point to list its nearest neighbours in the original space';
    ui.point.className = 'muted';
    ui.searchInfo.hidden = true;
    ui.compareInfo.hidden = true;
    ui.mapB.hidden = !S.cmp;
    ui.search.value = S.q;
    ui.searchBy.value = S.by;
    ui.k.value = String(S.k);
    ui.maxPoints.value = String(S.n);
    ui.method.value = S.m;
    ui.compare.value = S.cmp || '';
    $('title-a').textContent = S.c || '';
    $('title-b').textContent = S.cmp || '';
    views.a.quality.textContent = '';
    views.b.quality.textContent = '';
    updateSelectionUi();
    requestDraw();
    if (!S.c) return;
    ui.collection.value = S.c;
    if (!Number.isInteger(S.n) || S.n < 1) {
      throw new ApiError(0, `max points must be a positive integer, got '${ui.maxPoints.value}'`);
    }
    const name = S.c;
    ui.legend.textContent = 'no colouring';
    ui.legend.className = 'muted';
    setProgress(`loading ${name} ...`);
    const info = await api.get(colPath(name));
    if (g !== gen) return;
    const job = await project(name, g, name);
    if (g !== gen) return;
    const map = await fetchMap(name, job);
    if (g !== gen) return;
    views.a.setData(name, job, info, map.xy, map.ids);
    views.a.columns = map.columns;
    views.a.quality.textContent = qualityText(job);
    views.a.quality.title = views.a.quality.textContent;
    setProgress(`${S.c}: ${views.a.n.toLocaleString()} points`);
    if (S.color === null) { // none named in the link: the first categorical column
      const first = map.columns.find((c) => c.kind === 'categorical');
      if (first) S.color = first.name;
    }
    fillColourSelect();
    if (!S.cmp) pruneSelection();
    updateMasks();
    requestDraw();
    writeUrl(true);
    // the rest fails on its own (a banner), the map stays
    const tasks = [applyColour(g).catch(showError)];
    if (S.q) tasks.push(runSearch(g).catch(showError));
    if (S.p !== null && S.pv === 'a') tasks.push(showPoint(S.p, 'a', g).catch(showError));
    if (S.cmp) tasks.push(loadCompare(g).catch(showError));
    await Promise.all(tasks);
  }

  let cmpGen = 0; // a newer compare choice makes the replies of an older one stale

  async function loadCompare(g) {
    const a = views.a;
    const cg = ++cmpGen;
    const name = S.cmp;
    views.a.agreement = null;
    ui.compareInfo.hidden = true;
    if (!name || !a.job) return;
    const stale = () => g !== gen || cg !== cmpGen;
    ui.mapB.hidden = false;
    views.b.clear();
    requestDraw();
    const info = await api.get(colPath(name));
    if (stale()) return;
    const job = await project(name, g, name);
    if (stale()) return;
    const map = await fetchMap(name, job, `${a.name}:${a.job.id}`);
    if (stale()) return;
    views.b.setData(name, job, info, map.xy, map.ids);
    views.b.columns = map.columns;
    setProgress(`${a.name}: ${views.a.n.toLocaleString()} points; ${name}: ${views.b.n.toLocaleString()} points`);
    pruneSelection();
    views.b.quality.textContent = qualityText(job) + ' — aligned onto the left map (Procrustes)';
    views.b.quality.title = views.b.quality.textContent;
    updateMasks();
    requestDraw();
    const cmp = await api.post('/compare', {
      a: { collection: a.name, projection: a.job.id },
      b: { collection: name, projection: job.id },
      k: 10,
    });
    if (stale()) return;
    views.a.agreement = cmp.agreement_a;
    views.b.agreement = cmp.agreement_b;
    ui.meanAgreement.textContent = Number(cmp.mean_agreement).toFixed(3);
    ui.compareShared.textContent = Number(cmp.shared).toLocaleString();
    ui.compareK.textContent = String(cmp.k);
    ui.compareInfo.hidden = false;
    hooks.meanAgreement = cmp.mean_agreement;
    fillColourSelect();
    if (S.p !== null && S.pv === 'b') await showPoint(S.p, 'b', g);
    await applyColour(g);
  }

  // --- colour --------------------------------------------------------------------------------
  function fillColourSelect() {
    const opts = [el('option', { value: '', textContent: '(none)' })];
    for (const c of views.a.columns) {
      opts.push(el('option', { value: c.name, textContent: `${c.name} (${c.kind})` }));
    }
    if (S.cmp) {
      opts.push(el('option', { value: AGREEMENT, textContent: 'kNN agreement (compare)' }));
    }
    ui.color.replaceChildren(...opts);
    ui.color.value = S.color || '';
    if (ui.color.value !== (S.color || '')) ui.color.value = '';
  }

  const columnCache = new Map();
  async function fetchColumn(v, name) {
    const key = `${v.name}\u0000${v.job.id}\u0000${name}`;
    if (!columnCache.has(key)) {
      while (columnCache.size >= 16) columnCache.delete(columnCache.keys().next().value); // oldest
      const p = api.get(`${colPath(v.name)}/projections/${v.job.id}/column/${encodeURIComponent(name)}`);
      columnCache.set(key, p);
      p.catch(() => columnCache.delete(key));
    }
    return columnCache.get(key);
  }

  function categoricalColours(col, order) {
    // order: categories in palette order (A's most frequent first); the rest grey ("other")
    const lut = new Map();
    order.slice(0, PALETTE.length).forEach((c, j) => lut.set(c, PALETTE[j]));
    return col.categories.map((c) => pack(lut.get(c) || OTHER));
  }

  function colourView(v, col, shared) {
    // v.values: what the tooltip shows of point i, formatted only when it is shown
    const n = v.n;
    const out = new Uint32Array(n);
    if (col.kind === 'categorical') {
      const lut = categoricalColours(col, shared.order);
      const miss = pack(MISSING);
      for (let i = 0; i < n; i++) {
        const c = col.codes[i];
        out[i] = c >= 0 ? lut[c] : miss;
      }
      v.values = { at: (i) => (col.codes[i] >= 0 ? col.categories[col.codes[i]] : '(missing)') };
    } else {
      const lo = shared.min;
      const span = shared.max - shared.min || 1;
      const miss = pack(MISSING);
      for (let i = 0; i < n; i++) {
        const x = col.values[i];
        out[i] = x === null || x === undefined || !Number.isFinite(x) ? miss : pack(ramp((x - lo) / span));
      }
      v.values = {
        at: (i) => {
          const x = col.values[i];
          return x === null || x === undefined ? '(missing)' : Number(x).toPrecision(4);
        },
      };
    }
    v.col = out;
  }

  function legendCategorical(col, order, counts) {
    const kids = [];
    order.forEach((c, j) => {
      if (j >= PALETTE.length) return;
      kids.push(el('div', { class: 'entry' },
        el('span', { class: 'swatch', style: `background:${css(PALETTE[j])}` }),
        el('span', { class: 'name', textContent: c, title: c }),
        el('span', { class: 'count', textContent: counts.get(c).toLocaleString() })));
    });
    if (order.length > PALETTE.length) {
      let rest = 0;
      for (const c of order.slice(PALETTE.length)) rest += counts.get(c);
      kids.push(el('div', { class: 'entry wide' },
        el('span', { class: 'swatch', style: `background:${css(OTHER)}` }),
        el('span', { textContent: `other (${order.length - PALETTE.length} categories)` }),
        el('span', { class: 'count', textContent: rest.toLocaleString() })));
    }
    const missing = col.codes.reduce((a, c) => a + (c < 0 ? 1 : 0), 0);
    if (missing) {
      kids.push(el('div', { class: 'entry wide' },
        el('span', { class: 'swatch', style: `background:${css(MISSING)}` }),
        el('span', { textContent: '(missing)' }),
        el('span', { class: 'count', textContent: missing.toLocaleString() })));
    }
    return kids;
  }

  function legendContinuous(title, lo, hi) {
    const stops = RAMP.map((c, j) => `${css(c)} ${((100 * j) / (RAMP.length - 1)).toFixed(1)}%`);
    return [
      el('div', { textContent: title }),
      el('div', { class: 'bar', style: `background:linear-gradient(to right, ${stops.join(', ')})` }),
      el('div', { class: 'range' },
        el('span', { id: 'legend-min', textContent: Number(lo).toPrecision(4) }),
        el('span', { id: 'legend-max', textContent: Number(hi).toPrecision(4) })),
    ];
  }

  async function applyColour(g) {
    const name = S.color;
    const list = active();
    if (!name) {
      for (const v of list) {
        v.col = new Uint32Array(v.n).fill(pack(DEFAULT));
        v.values = null;
      }
      ui.legend.textContent = 'no colouring';
      ui.legend.className = 'muted';
      requestDraw();
      return;
    }
    if (name === AGREEMENT) {
      if (!S.cmp) throw new ApiError(0, 'colour "agreement" needs a compare collection (pick one under "compare with")');
      if (!views.a.agreement) return; // loadCompare colours when /compare has answered
      for (const v of list) {
        colourView(v, { kind: 'continuous', values: v.agreement || [] }, { min: 0, max: 1 });
      }
      ui.legend.className = '';
      ui.legend.replaceChildren(...legendContinuous('kNN agreement of the two embeddings (grey: not shared)', 0, 1));
      if (hooks.colouredMs === undefined) hooks.colouredMs = performance.now();
      requestDraw();
      return;
    }
    const cols = await Promise.all(list.map((v) => fetchColumn(v, name).catch((exc) => {
      if (v === views.a) throw exc;
      return null; // B without the column: grey, said under its map
    })));
    if (g !== gen || name !== S.color) return;
    const a = cols[0];
    let shared;
    const counts = new Map();
    if (a.kind === 'categorical') {
      const byCode = new Float64Array(a.categories.length);
      for (const c of a.codes) if (c >= 0) byCode[c]++;
      a.categories.forEach((c, j) => counts.set(c, byCode[j]));
      const order = a.categories.slice().sort((x, y) => counts.get(y) - counts.get(x) || (x < y ? -1 : 1));
      shared = { order };
      ui.legend.className = 'cats';
      ui.legend.replaceChildren(...legendCategorical(a, order, counts));
    } else {
      let lo = a.min;
      let hi = a.max;
      if (cols[1] && cols[1].kind === 'continuous' && cols[1].min !== null && cols[1].max !== null) {
        lo = lo === null ? cols[1].min : Math.min(lo, cols[1].min);
        hi = hi === null ? cols[1].max : Math.max(hi, cols[1].max);
      }
      shared = { min: lo, max: hi };
      ui.legend.className = '';
      ui.legend.replaceChildren(...legendContinuous(name, lo, hi));
    }
    list.forEach((v, j) => {
      const col = cols[j];
      if (col && col.kind === a.kind) colourView(v, col, shared);
      else {
        v.col = new Uint32Array(v.n).fill(pack(MISSING));
        v.values = null;
        if (v === views.b && v.job) {
          v.quality.textContent = `${qualityText(v.job)} — aligned onto the left map (Procrustes)` +
            ` — no column '${name}' here`;
        }
      }
    });
    if (hooks.colouredMs === undefined) hooks.colouredMs = performance.now();
    requestDraw();
  }

  // --- search --------------------------------------------------------------------------------
  async function runSearch(g) {
    const a = views.a;
    const q = S.q.trim();
    const by = S.by;
    if (!q) {
      clearSearch();
      return;
    }
    const res = await api.post(`${colPath(a.name)}/projections/${a.job.id}/search`, {
      q, by, limit: 100, // the text encoder's top 100; id and payload matches are all returned
    });
    if (g !== gen || q !== S.q.trim() || by !== S.by) return;
    matchIds = new Set();
    for (const i of res.indices) if (i >= 0 && i < a.n) matchIds.add(a.idStr[i]);
    ui.matchCount.textContent = String(res.indices.length);
    ui.searchInfo.hidden = false;
    ui.searchInfo.title = `matched by ${res.by}`;
    ui.searchInfo.lastChild.textContent = ` matches (${res.by})`;
    updateMasks();
    requestDraw();
  }

  function clearSearch() {
    S.q = '';
    ui.search.value = '';
    matchIds = null;
    ui.searchInfo.hidden = true;
    ui.matchCount.textContent = '0';
    updateMasks();
    requestDraw();
    writeUrl(true);
  }

  // --- selection -----------------------------------------------------------------------------
  function updateMasks() {
    for (const v of [views.a, views.b]) v.updateMask();
  }

  function updateSelectionUi() {
    ui.selectionCount.textContent = sel.size > MAX_URL_SELECTION
      ? `${sel.size.toLocaleString()} (too many for the link: export them)` : String(sel.size);
    for (const b of [ui.selectionClear, ui.exportCsv, ui.exportParquet]) b.disabled = sel.size === 0;
  }

  function setSelection(ids, add, source) {
    if (!add) sel = new Set();
    for (const id of ids) sel.add(id);
    selSource = source;
    updateSelectionUi();
    updateMasks();
    requestDraw();
    writeUrl(true);
  }

  function pruneSelection() {
    // a selection from a link keeps only the ids that are on a map
    const before = sel.size;
    for (const id of Array.from(sel)) {
      if (!views.a.index.has(id) && !views.b.index.has(id)) sel.delete(id);
    }
    if (sel.size !== before) {
      updateSelectionUi();
      writeUrl(true);
    }
  }

  function selectBox(v, x0, y0, x1, y1) {
    const [ax, ay] = v.toData(Math.min(x0, x1), Math.max(y0, y1));
    const [bx, by] = v.toData(Math.max(x0, x1), Math.min(y0, y1));
    const out = [];
    for (let i = 0; i < v.n; i++) {
      const x = v.xy[2 * i];
      const y = v.xy[2 * i + 1];
      if (x >= ax && x <= bx && y >= ay && y <= by) out.push(v.idStr[i]);
    }
    return out;
  }

  function selectLasso(v, path) {
    hooks.lastLasso = Array.from(path);
    if (path.length < 6) return [];
    const poly = new Float64Array(path.length);
    let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    for (let j = 0; j < path.length; j += 2) {
      const [x, y] = v.toData(path[j], path[j + 1]);
      poly[j] = x;
      poly[j + 1] = y;
      x0 = Math.min(x0, x); x1 = Math.max(x1, x);
      y0 = Math.min(y0, y); y1 = Math.max(y1, y);
    }
    const out = [];
    for (let i = 0; i < v.n; i++) {
      const x = v.xy[2 * i];
      const y = v.xy[2 * i + 1];
      if (x < x0 || x > x1 || y < y0 || y > y1) continue;
      if (pointInPolygon(x, y, poly)) out.push(v.idStr[i]);
    }
    return out;
  }

  async function exportSelection(format) {
    const v = views[selSource].n ? views[selSource] : views.a;
    if (!sel.size || !v.name) return;
    const ids = Array.from(sel, (s) => v.typedId(s));
    const res = await api.post(`${colPath(v.name)}/export`, { ids, format }, 'blob');
    const disp = res.headers.get('content-disposition') || '';
    const m = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disp);
    const name = m ? decodeURIComponent(m[1]) : `${v.name}-selection.${format}`;
    const url = URL.createObjectURL(res.body);
    const a = el('a', { href: url, download: name, style: 'display:none' });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
    const missing = Number(res.headers.get('x-missing') || 0);
    hooks.lastExport = { name, ids: ids.length, bytes: res.body.size, missing };
    if (missing > 0) { // selected on the other map only, or deleted since the map was drawn
      showError(new Error(`${missing.toLocaleString()} of the ${ids.length.toLocaleString()} selected ids are not in \`${v.name}\`; the export holds the others`));
    }
  }

  // --- a clicked point and its neighbours ----------------------------------------------------
  function payloadText(payload) {
    if (!payload) return '';
    for (const k of ['text', 'title', 'name']) {
      if (typeof payload[k] === 'string' && payload[k]) return payload[k];
    }
    return Object.entries(payload)
      .filter(([, v]) => v !== null && typeof v !== 'object')
      .slice(0, 4)
      .map(([k, v]) => `${k}: ${v}`)
      .join(', ');
  }

  async function showPoint(id, key, g) {
    const v = views[key];
    if (!v.name) return;
    S.p = id;
    S.pv = key;
    writeUrl(true);
    requestDraw();
    const k = S.k;
    const res = await api.post(`${colPath(v.name)}/points/query`, {
      query: { id: v.typedId(id) }, limit: k,
    });
    if (g !== gen || S.p !== id || S.k !== k) return;
    neighbourIds = res.points.map((p) => String(p.id));
    const on = v.index.get(id);
    ui.point.className = '';
    ui.point.replaceChildren(
      el('div', {},
        el('b', { textContent: `${id}` }),
        el('span', { class: 'muted', textContent: ` in ${v.name}` + (on === undefined ? ' (not on the map)' : '') })),
      el('div', { class: 'muted', textContent: `its ${k} nearest neighbours in the original ${v.info ? v.info.dim + '-d ' : ''}space:` }));
    ui.neighbours.replaceChildren(...res.points.map((p) => {
      const s = String(p.id);
      const label = payloadText(p.payload);
      const li = el('li', { 'data-id': s, title: label },
        el('span', { class: 'nid', textContent: s }),
        el('span', { class: 'label muted', textContent: label ? ` ${label.slice(0, 40)}` : '' }),
        el('span', { class: 'score', textContent: Number(p.score).toFixed(4) }));
      if (!v.index.has(s)) li.append(el('span', { class: 'off', textContent: ' (not on the map)' }));
      li.addEventListener('click', guard(() => showPoint(s, key, gen)));
      return li;
    }));
    hooks.neighbours = neighbourIds.slice();
    requestDraw();
  }

  function clearPoint() {
    S.p = null;
    neighbourIds = [];
    ui.neighbours.replaceChildren();
    ui.point.textContent = 'click a point to list its nearest neighbours in the original space';
    ui.point.className = 'muted';
    writeUrl(true);
    requestDraw();
  }

  // --- tooltip -------------------------------------------------------------------------------
  const snippetCache = new Map();
  let snippetTimer = 0;
  function showTooltip(v, i, clientX, clientY) {
    const tip = ui.tooltip;
    if (i < 0) {
      tip.hidden = true;
      return;
    }
    const id = v.idStr[i];
    const colourLine = S.color && v.values ? `${S.color === AGREEMENT ? 'agreement' : S.color}: ${v.values.at(i)}` : '';
    const snip = el('div', { class: 'snippet' });
    tip.replaceChildren(el('div', {}, el('b', { textContent: id })), el('div', { textContent: colourLine }), snip);
    tip.hidden = false;
    tip.style.left = `${Math.min(clientX + 14, window.innerWidth - 330)}px`;
    tip.style.top = `${clientY + 14}px`;
    const key = `${v.name}\u0000${id}`;
    if (snippetCache.has(key)) {
      snip.textContent = snippetCache.get(key);
      return;
    }
    snip.textContent = '...';
    clearTimeout(snippetTimer);
    snippetTimer = setTimeout(guard(async () => {
      // by POST: an id may hold "/" or "?"; the vector is not needed for a snippet
      const pts = await api.post(`${colPath(v.name)}/points`, { ids: [v.typedId(id)], with_vector: false });
      const text = pts.length ? payloadText(pts[0].payload).slice(0, 200) : '';
      if (snippetCache.size > 500) snippetCache.delete(snippetCache.keys().next().value);
      snippetCache.set(key, text);
      if (!tip.hidden && v.hover === i) snip.textContent = text;
    }), 150);
  }

  // --- mouse ---------------------------------------------------------------------------------
  let drag = null;
  function local(v, e) {
    // CSS pixels -> bitmap pixels (equal unless the layout changed since the last frame)
    const r = v.canvas.getBoundingClientRect();
    const sx = r.width > 0 ? v.canvas.width / r.width : 1;
    const sy = r.height > 0 ? v.canvas.height / r.height : 1;
    return [(e.clientX - r.left) * sx, (e.clientY - r.top) * sy];
  }

  function bindView(v) {
    const cv = v.canvas;
    cv.addEventListener('mousedown', (e) => {
      if (e.button !== 0 || !v.n) return;
      e.preventDefault();
      const [x, y] = local(v, e);
      drag = { view: v, mode, x0: x, y0: y, x, y, moved: false, add: e.shiftKey, cam: { ...camera() }, path: [x, y] };
      ui.tooltip.hidden = true;
    });
    cv.addEventListener('mousemove', (e) => {
      if (drag) return;
      const [x, y] = local(v, e);
      const i = v.nearest(x, y, 6);
      if (i !== v.hover) {
        v.hover = i;
        requestDraw();
      }
      showTooltip(v, i, e.clientX, e.clientY);
    });
    cv.addEventListener('mouseleave', () => {
      if (v.hover >= 0) {
        v.hover = -1;
        requestDraw();
      }
      ui.tooltip.hidden = true;
    });
    cv.addEventListener('wheel', (e) => {
      if (!v.n) return;
      e.preventDefault();
      const [x, y] = local(v, e);
      const [dx, dy] = v.toData(x, y);
      const cam = camera();
      const zoom = Math.min(1e4, Math.max(0.05, cam.zoom * Math.exp(-e.deltaY * 0.0015)));
      S.cam = { x: cam.x, y: cam.y, zoom };
      const s = v.scale();
      S.cam.x = dx - (x - cv.width / 2) / s;
      S.cam.y = dy + (y - cv.height / 2) / s;
      requestDraw();
      writeUrl(false);
    }, { passive: false });
  }

  window.addEventListener('mousemove', (e) => {
    if (!drag) return;
    const v = drag.view;
    const [x, y] = local(v, e);
    if (Math.abs(x - drag.x0) + Math.abs(y - drag.y0) > 3) drag.moved = true;
    drag.x = x;
    drag.y = y;
    if (drag.mode === 'pan' && drag.moved) {
      const s = v.scale();
      S.cam = { x: drag.cam.x - (x - drag.x0) / s, y: drag.cam.y + (y - drag.y0) / s, zoom: drag.cam.zoom };
    } else if (drag.mode === 'lasso') {
      const p = drag.path;
      if (Math.abs(x - p[p.length - 2]) + Math.abs(y - p[p.length - 1]) >= 3) p.push(x, y);
    }
    requestDraw();
  });

  window.addEventListener('mouseup', guard((e) => {
    if (!drag || e.button !== 0) return;
    const d = drag;
    drag = null;
    const v = d.view;
    if (!d.moved) {
      const i = v.nearest(d.x0, d.y0, 8);
      if (i >= 0) return showPoint(v.idStr[i], v.key, gen);
      if (S.p !== null) clearPoint();
      return undefined;
    }
    if (d.mode === 'pan') writeUrl(true);
    else if (d.mode === 'box') setSelection(selectBox(v, d.x0, d.y0, d.x, d.y), d.add, v.key);
    else setSelection(selectLasso(v, d.path), d.add, v.key);
    requestDraw();
    return undefined;
  }));

  // --- controls ------------------------------------------------------------------------------
  function setMode(m) {
    mode = m;
    for (const [k, b] of [['pan', ui.modePan], ['box', ui.modeBox], ['lasso', ui.modeLasso]]) {
      b.classList.toggle('active', k === m);
    }
  }
  ui.modePan.addEventListener('click', () => setMode('pan'));
  ui.modeBox.addEventListener('click', () => setMode('box'));
  ui.modeLasso.addEventListener('click', () => setMode('lasso'));
  ui.resetView.addEventListener('click', () => {
    S.cam = null;
    requestDraw();
    writeUrl(true);
  });

  const reload = guard(() => {
    writeUrl(true);
    return loadAll();
  });
  ui.collection.addEventListener('change', () => {
    S.c = ui.collection.value;
    S.p = null;
    S.q = '';
    S.cam = null;
    if (S.color !== '') S.color = null; // the new collection's first categorical column
    sel = new Set();
    if (S.cmp === S.c) S.cmp = null;
    reload();
  });
  ui.method.addEventListener('change', () => {
    S.m = ui.method.value;
    S.cam = null;
    reload();
  });
  ui.maxPoints.addEventListener('change', () => {
    S.n = Number(ui.maxPoints.value);
    S.cam = null;
    reload();
  });
  ui.compare.addEventListener('change', guard(() => {
    S.cmp = ui.compare.value || null;
    if (!S.cmp) {
      cmpGen++; // replies still on their way for the old choice are dropped
      views.a.agreement = null;
      views.b.clear();
      ui.mapB.hidden = true;
      ui.compareInfo.hidden = true;
      if (S.color === AGREEMENT) S.color = '';
      fillColourSelect();
      writeUrl(true);
      requestDraw();
      return applyColour(gen);
    }
    writeUrl(true);
    $('title-b').textContent = S.cmp;
    return loadCompare(gen);
  }));
  ui.color.addEventListener('change', guard(() => {
    S.color = ui.color.value; // '' = no colouring, kept in the link as color=-
    writeUrl(true);
    return applyColour(gen);
  }));
  let searchTimer = 0;
  const searchNow = guard(() => {
    clearTimeout(searchTimer);
    S.q = ui.search.value;
    writeUrl(true);
    if (!S.q.trim()) {
      clearSearch();
      return undefined;
    }
    return runSearch(gen);
  });
  ui.search.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') searchNow();
  });
  ui.search.addEventListener('input', () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(searchNow, 400);
  });
  ui.searchBy.addEventListener('change', () => {
    S.by = ui.searchBy.value;
    if (ui.search.value.trim()) searchNow();
    else writeUrl(true);
  });
  ui.searchClear.addEventListener('click', () => {
    clearTimeout(searchTimer);
    clearSearch();
  });
  document.addEventListener('keydown', (e) => {
    if (e.key !== 'Escape') return;
    clearTimeout(searchTimer);
    if (drag) {
      drag = null;
      requestDraw();
    } else clearSearch();
  });
  ui.k.addEventListener('change', guard(() => {
    const k = Number(ui.k.value);
    if (!Number.isInteger(k) || k < 1) throw new ApiError(0, `neighbours k must be a positive integer, got '${ui.k.value}'`);
    S.k = k;
    writeUrl(true);
    return S.p !== null ? showPoint(S.p, S.pv, gen) : undefined;
  }));
  ui.selectionClear.addEventListener('click', () => setSelection([], false, 'a'));
  ui.exportCsv.addEventListener('click', guard(() => exportSelection('csv')));
  ui.exportParquet.addEventListener('click', guard(() => exportSelection('parquet')));
  window.addEventListener('hashchange', guard(() => {
    if (location.hash === lastHash) return;
    readUrl();
    setMode(mode);
    updateSelectionUi();
    reload();
  }));

  // --- test and benchmark hooks --------------------------------------------------------------
  hooks.state = viewState;
  hooks.screenOf = (index, key = 'a') => {
    const v = views[key];
    if (!(index >= 0 && index < v.n)) return null;
    const [x, y] = v.toScreen(index);
    const r = v.canvas.getBoundingClientRect();
    const sx = v.canvas.width > 0 ? r.width / v.canvas.width : 1;
    const sy = v.canvas.height > 0 ? r.height / v.canvas.height : 1;
    return { x, y, clientX: r.left + x * sx, clientY: r.top + y * sy, id: v.ids[index] };
  };
  hooks.indexOf = (id, key = 'a') => {
    const i = views[key].index.get(String(id));
    return i === undefined ? -1 : i;
  };
  hooks.count = (key = 'a') => views[key].n;
  hooks.jobs = () => ({ a: views.a.job, b: views.b.job });
  hooks.emphasised = (key = 'a') => {
    // points drawn in colour (not greyed by the search or the selection)
    const v = views[key];
    if (!v.dimActive) return v.n;
    let k = 0;
    for (let i = 0; i < v.n; i++) k += v.dim[i] ? 0 : 1;
    return k;
  };
  hooks.pixels = (key = 'a') => {
    // canvas pixels that differ from the background
    const v = views[key];
    const d = v.ctx.getImageData(0, 0, v.canvas.width, v.canvas.height).data;
    let k = 0;
    for (let j = 0; j < d.length; j += 4) {
      if (d[j] !== BG[0] || d[j + 1] !== BG[1] || d[j + 2] !== BG[2]) k++;
    }
    return k;
  };
  hooks.benchPanZoom = (frames = 60) => {
    // `frames` synchronous redraws of every visible map, panning and zooming in and out
    const saved = S.cam;
    const base = camera();
    const s = views.a.scale();
    const times = [];
    for (let f = 0; f < frames; f++) {
      const t = (2 * Math.PI * f) / frames;
      S.cam = {
        x: base.x + (40 * Math.cos(t)) / s,
        y: base.y + (40 * Math.sin(t)) / s,
        zoom: base.zoom * Math.exp(0.7 * Math.sin(2 * t)),
      };
      times.push(drawAll());
    }
    S.cam = saved;
    requestDraw();
    return times;
  };
  hooks.benchRaf = (frames = 60) => new Promise((resolve) => {
    // the same camera path, one redraw per animation frame: intervals between frames (ms)
    const saved = S.cam;
    const base = camera();
    const s = views.a.scale();
    const stamps = [];
    let f = 0;
    const step = (ts) => {
      stamps.push(ts);
      if (f === frames) {
        S.cam = saved;
        requestDraw();
        resolve(stamps.slice(2).map((t, j) => t - stamps[j + 1]));
        return;
      }
      const t = (2 * Math.PI * f) / frames;
      S.cam = { x: base.x + (40 * Math.cos(t)) / s, y: base.y + (40 * Math.sin(t)) / s, zoom: base.zoom * Math.exp(0.7 * Math.sin(2 * t)) };
      drawAll();
      f++;
      requestAnimationFrame(step);
    };
    requestAnimationFrame(step);
  });
  hooks.util = { encodeIds, decodeIds, pointInPolygon, ramp, parseHash, formatHash, quantile };

  // --- start ---------------------------------------------------------------------------------
  async function start() {
    bindView(views.a);
    bindView(views.b);
    try {
      methods = await api.get('/projections/methods');
    } catch (exc) {
      showError(exc);
    }
    ui.method.replaceChildren(...Object.entries(methods.methods).map(([m, ok]) => el('option', {
      value: m, disabled: !ok, textContent: ok ? m : `${m} (not installed)`,
    })));
    ui.maxPoints.max = String(methods.max_points_limit);
    readUrl();
    const cols = (await api.get('/collections')).collections.map((c) => c.name);
    ui.collection.replaceChildren(...cols.map((c) => el('option', { value: c, textContent: c })));
    ui.compare.replaceChildren(el('option', { value: '', textContent: '(none)' }),
      ...cols.map((c) => el('option', { value: c, textContent: c })));
    if (!S.c) {
      if (!cols.length) {
        throw new ApiError(0, 'the store has no collections yet: create one (embedlab store import ...) and reload');
      }
      S.c = cols[0];
    }
    updateSelectionUi();
    await loadAll();
  }
  guard(start)();
})();
