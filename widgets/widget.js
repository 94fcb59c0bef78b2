// Front end of widgets.view.GridWidget. Self-contained: no imports, no network, no fonts.
// It never computes the model: a slider move picks a row of the precomputed grid and redraws.
const SVGNS = "http://www.w3.org/2000/svg";
let widgetCount = 0;

function bytes(b64) {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let k = 0; k < bin.length; k++) out[k] = bin.charCodeAt(k);
  return out.buffer;
}

// One decoder per field: flat grid index -> value. The format and its constants (codec) come
// from widgets/grid.py, which ships them in the state; decode_rows there is the Python twin.
function decoder(f, codec) {
  const lut = f.lutType === "u16" ? new Uint16Array(bytes(f.lut)) : new Uint32Array(bytes(f.lut));
  if (f.enc === "json") return (flat) => f.rows[lut[flat]];
  const size = f.shape.reduce((a, b) => a * b, 1);
  const data = f.enc === "f32" ? new Float32Array(bytes(f.rows))
    : f.enc === "f64" ? new Float64Array(bytes(f.rows)) : new Uint16Array(bytes(f.rows));
  const u16 = f.enc === "u16", step = u16 ? (f.hi - f.lo) / codec.u16Steps : 0;
  return (flat) => {
    const row = lut[flat], out = new Array(size);
    for (let k = 0; k < size; k++) {
      let v = data[row * size + k];
      if (u16) v = v === codec.u16Missing ? NaN : f.lo + v * step;
      out[k] = f.log ? Math.pow(10, v) : v;
    }
    return size === 1 && f.shape.length === 0 ? out[0] : out;
  };
}

// {name} or {name:format spec} in a text panel: the same pattern as widgets.view.PLACEHOLDER.
const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_]*)(?::([^}]*))?\}/g;

function esc(s) {
  return String(s).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
}

function group(s) {
  const [int, frac] = s.split(".");
  const sign = int.startsWith("-") ? "-" : "";
  const digits = sign ? int.slice(1) : int;
  return sign + digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",") + (frac !== undefined ? "." + frac : "");
}

function pyExp(s) {  // JS 1.5e-7 -> Python 1.5e-07
  return s.replace(/e([+-])(\d)$/, "e$10$2");
}

// A small subset of Python's format spec: [,][.N](f|e|g|d|%)
function fmt(v, spec) {
  if (typeof v === "string") return v;
  if (v === null || v === undefined || Number.isNaN(v)) return "n/a";
  if (!Number.isFinite(v)) return v > 0 ? "inf" : "-inf";
  const m = /^(,)?(?:\.(\d+))?([fegd%])?$/.exec(spec || ".4g") || [];
  const comma = !!m[1], type = m[3] || "g";
  const p = m[2] !== undefined ? +m[2] : 6;
  let s;
  if (type === "f") s = v.toFixed(p);
  else if (type === "%") s = (v * 100).toFixed(p) + "%";
  else if (type === "d") s = Math.round(v).toFixed(0);
  else if (type === "e") s = pyExp(v.toExponential(p));
  else {
    const prec = Math.max(p, 1);
    if (v === 0) s = "0";
    else {
      const exp = Math.floor(Math.log10(Math.abs(Number(v.toPrecision(prec)))));
      if (exp < -4 || exp >= prec) s = pyExp(v.toExponential(prec - 1).replace(/\.?0+e/, "e"));
      else s = v.toFixed(Math.max(prec - 1 - exp, 0)).replace(/(\.\d*?)0+$/, "$1").replace(/\.$/, "");
    }
  }
  return comma ? group(s) : s;
}

function niceTicks(lo, hi, count) {
  const span = hi - lo, raw = span / Math.max(count, 1);
  const mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 5, 10].map((k) => k * mag).find((s) => span / s <= count) || 10 * mag;
  const ticks = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) ticks.push(Math.abs(t) < step * 1e-9 ? 0 : t);
  return ticks;
}

function tickLabel(t) {
  return Math.abs(t) >= 1e4 || (Math.abs(t) < 1e-3 && t !== 0) ? fmt(t, ".1e") : String(+t.toPrecision(6));
}

function svg(w, h, cls, body, extra) {
  return `<svg xmlns="${SVGNS}" class="uw-svg ${cls}" viewBox="0 0 ${w} ${h}" role="img" ${extra || ""}>${body}</svg>`;
}

// The drawings' width in SVG units: 600 on a wide screen; on a phone about the column's width, so that
// 12-unit text is drawn about 12 px high instead of shrinking with a 600-unit drawing to 7 px. Taken from
// the window, not the column: reading the column's width would force a layout of the whole page.
function drawingWidth() {
  const w = typeof window !== "undefined" ? window.innerWidth : 0;
  return !w || w >= 660 ? 600 : Math.max(280, Math.min(600, w - 48));
}

// Legend entries [label, text width] laid out in rows that fit between x0 and x1: [{x, row}], rows.
const CHAR = 7.2;  // mean advance of 12-unit system-ui text, with room to spare
function legendRows(widths, x0, x1) {
  let x = x0, row = 0;
  const at = widths.map((w) => {
    if (x > x0 && x + w > x1) { x = x0; row++; }
    const here = { x, row };
    x += w;
    return here;
  });
  return [at, row + 1];
}

// A note split into lines of at most `max` characters, at spaces.
function wrapWords(text, max) {
  const lines = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line && line.length + 1 + word.length > max) { lines.push(line); line = word; } else line = line ? line + " " + word : word;
  }
  if (line) lines.push(line);
  return lines;
}

// --- renderers: (panel, ctx) -> HTML string ---------------------------------------------

function drawLine(p, ctx) {
  const W = ctx.width, H = 300, L = 68, R = 14, B = 46;
  const [x0, x1] = p.xlim, logY = p.logY;
  const xs = typeof p.x === "string" ? ctx.get(p.x) : p.x;
  const all = p.series.map((s) => ctx.get(s.key));
  const absent = all.map((ys) => (ys.every((y) => Number.isNaN(y)) ? " (not drawn here)" : ""));
  // the legend first: on a narrow drawing it takes several rows, which push the plot down
  const [spots, rows] = legendRows(p.series.map((s, k) => 40 + CHAR * (s.label.length + absent[k].length)), L, W - R);
  const T = 30 + 18 * (rows - 1);
  const pw = W - L - R, ph = H - T - B;
  const ylo = logY ? Math.log10(p.ylim[0]) : p.ylim[0], yhi = logY ? Math.log10(p.ylim[1]) : p.ylim[1];
  const X = (x) => L + ((x - x0) / (x1 - x0)) * pw;
  const Y = (y) => T + ph - ((y - ylo) / (yhi - ylo)) * ph;
  let out = "", floorCount = 0, ceilCount = 0;
  // axes and ticks
  out += `<g class="uw-axis"><line x1="${L}" y1="${T + ph}" x2="${L + pw}" y2="${T + ph}"/><line x1="${L}" y1="${T}" x2="${L}" y2="${T + ph}"/>`;
  for (const t of niceTicks(x0, x1, W >= 500 ? 8 : 5)) {
    if (t < x0 - 1e-9 || t > x1 + 1e-9) continue;
    out += `<line x1="${X(t)}" y1="${T + ph}" x2="${X(t)}" y2="${T + ph + 5}"/><text x="${X(t)}" y="${T + ph + 18}" text-anchor="middle">${tickLabel(t)}</text>`;
  }
  if (logY) {
    const span = Math.ceil(yhi) - Math.floor(ylo), every = Math.max(1, Math.ceil(span / 8));
    for (let e = Math.ceil(ylo); e <= Math.floor(yhi); e++) {
      if ((e - Math.ceil(ylo)) % every) continue;
      out += `<line class="uw-grid" x1="${L}" y1="${Y(e)}" x2="${L + pw}" y2="${Y(e)}"/><text x="${L - 6}" y="${Y(e) + 4}" text-anchor="end">10<tspan dy="-6" font-size="9">${e}</tspan></text>`;
    }
  } else {
    for (const t of niceTicks(ylo, yhi, 6)) {
      if (t < ylo - 1e-9 || t > yhi + 1e-9) continue;
      out += `<line class="uw-grid" x1="${L}" y1="${Y(t)}" x2="${L + pw}" y2="${Y(t)}"/><text x="${L - 6}" y="${Y(t) + 4}" text-anchor="end">${tickLabel(t)}</text>`;
    }
  }
  out += `<text x="${L + pw / 2}" y="${H - 6}" text-anchor="middle">${esc(p.xlabel)}</text>`;
  out += `<text transform="translate(14 ${T + ph / 2}) rotate(-90)" text-anchor="middle">${esc(p.ylabel)}</text></g>`;
  // series
  let legend = "";
  p.series.forEach((s, k) => {
    const ys = all[k], col = `uw-c${(s.color ?? k) % 6}`;
    const dash = s.dash === true || s.dash === "dash" ? ' stroke-dasharray="7 4"' : s.dash === "dot" ? ' stroke-dasharray="2 3"' : "";
    let d = "", pen = false, marks = "";
    const few = ys.length <= 12;
    const lone = (j) => !(j > 0 && Number.isFinite(ys[j - 1])) && !(j + 1 < ys.length && Number.isFinite(ys[j + 1]));
    for (let j = 0; j < ys.length; j++) {
      let y = ys[j], clamped = false;
      if (Number.isNaN(y) || xs[j] === undefined || Number.isNaN(xs[j])) { pen = false; continue; }
      let yy = logY ? (y > 0 ? Math.log10(y) : -Infinity) : y;
      if (yy < ylo) { yy = ylo; clamped = true; floorCount++; }
      if (yy > yhi) { yy = yhi; clamped = true; ceilCount++; }
      const px = X(xs[j]).toFixed(2), py = Y(yy).toFixed(2);
      // A clamped point is not where the value is: mark it, but draw no line through it.
      if (!clamped) d += (pen ? "L" : "M") + px + " " + py;
      pen = !clamped;
      if (few || clamped || lone(j)) marks += `<circle cx="${px}" cy="${py}" r="${clamped ? 3.5 : 2.6}" class="${clamped ? "uw-hollow" : "uw-dot"}"/>`;
    }
    out += `<g class="uw-series ${col}" data-key="${esc(s.key)}" data-y="${ys.map(String).join(",")}"><path d="${d}" fill="none"${dash}/>${marks}</g>`;
    const { x: lx, row } = spots[k], ly = 12 + 18 * row;
    legend += `<g class="${col}"${absent[k] ? ' opacity="0.45"' : ""}><line x1="${lx}" y1="${ly}" x2="${lx + 22}" y2="${ly}"${dash}/><text x="${lx + 27}" y="${ly + 4}">${esc(s.label + absent[k])}</text></g>`;
  });
  out += `<g class="uw-legend">${legend}</g>`;
  const notes = [];
  if (floorCount) notes.push(`${floorCount} value${floorCount > 1 ? "s" : ""} at or below ${fmt(p.ylim[0], ".0e")}${logY ? " (zeros included)" : ""} drawn on the floor (hollow)`);
  if (ceilCount) notes.push(`${ceilCount} value${ceilCount > 1 ? "s" : ""} above ${fmt(p.ylim[1], ".0e")} drawn at the top (hollow)`);
  // 11-unit italic text: about 6 units a character; a note longer than the plot is wide wraps
  const noteLines = notes.flatMap((n) => wrapWords(n, Math.floor((pw - 8) / 6)));
  noteLines.forEach((n, k) => { out += `<text class="uw-note" x="${L + pw - 4}" y="${T + 14 + 14 * k}" text-anchor="end">${esc(n)}</text>`; });
  return svg(W, H, "uw-line", out, `aria-label="${esc(p.title || p.ylabel)}" data-clamped="${floorCount + ceilCount}"`);
}

const SEQ = [[0, 32, 77], [65, 77, 107], [124, 123, 120], [188, 175, 111], [255, 234, 70]];  // cividis
const DIV = [[44, 123, 182], [171, 217, 233], [247, 247, 247], [253, 174, 97], [215, 25, 28]];

function colour(t, stops) {
  t = Math.min(1, Math.max(0, Number.isNaN(t) ? 0.5 : t)) * (stops.length - 1);
  const k = Math.min(Math.floor(t), stops.length - 2), u = t - k;
  const c = stops[k].map((a, j) => Math.round(a + (stops[k + 1][j] - a) * u));
  return [`rgb(${c.join(",")})`, 0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2] > 140];
}

function drawHeatmap(p, ctx) {
  const rows = typeof p.rows === "string" ? ctx.get(p.rows) : p.rows.map((k) => ctx.get(k));
  const nr = rows.length, nc = rows[0].length;
  const W = ctx.width, L = 70, R = 14, T = 8, cell = Math.min(36, (W - L - R) / nc), ch = 26;
  const H = T + nr * ch + 40;
  let out = "";
  rows.forEach((row, r) => {
    out += `<text x="${L - 6}" y="${T + r * ch + ch / 2 + 4}" text-anchor="end">${esc(p.rowLabels[r] ?? "")}</text>`;
    row.forEach((v, c) => {
      const [fill, light] = colour((v - p.vmin) / (p.vmax - p.vmin), p.diverging ? DIV : SEQ);
      const x = L + c * cell, y = T + r * ch;
      out += `<rect class="uw-cell" x="${x}" y="${y}" width="${cell - 1}" height="${ch - 1}" fill="${fill}" data-v="${v}"/>`;
      if (p.showValues) out += `<text x="${x + cell / 2}" y="${y + ch / 2 + 4}" text-anchor="middle" font-size="9" fill="${light ? "#000" : "#fff"}">${fmt(v, ".2f")}</text>`;
    });
  });
  const every = Math.max(1, Math.ceil(nc / (W >= 500 ? 20 : 10)));
  p.colLabels.forEach((lab, c) => {
    if (c % every === 0) out += `<text x="${L + c * cell + cell / 2}" y="${T + nr * ch + 14}" text-anchor="middle">${esc(lab)}</text>`;
  });
  out += `<text x="${L + (nc * cell) / 2}" y="${H - 6}" text-anchor="middle">${esc(p.xlabel)}</text>`;
  return svg(W, H, "uw-heat", out, `aria-label="${esc(p.title)}"`);
}

function drawDiagram(p, ctx) {
  const layers = p.layers.map((k) => ctx.get(k));
  let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const l of layers) {
    x0 = Math.min(x0, l.box[0]); y0 = Math.min(y0, l.box[1]); x1 = Math.max(x1, l.box[2]); y1 = Math.max(y1, l.box[3]);
  }
  x1 = Math.max(x1, x0 + (p.minWidth || 0));
  let out = "";
  const cls = (c) => (c || "").split(" ").filter(Boolean).map((w) => "uw-" + w).join(" ");
  for (const l of layers) {
    for (const it of l.items) {
      const kind = it[0];
      if (kind === "rect") {
        const [, x, y, w, h, c, label] = it;
        out += `<g class="uw-d ${cls(c)}"><rect x="${x}" y="${y}" width="${w}" height="${h}" rx="5"/>`;
        if (label) out += `<text x="${x + w / 2}" y="${y + h / 2 + 4}" text-anchor="middle">${esc(label)}</text>`;
        out += "</g>";
      } else if (kind === "circle") {
        const [, x, y, r, c, label] = it;
        out += `<g class="uw-d ${cls(c)}"><circle cx="${x}" cy="${y}" r="${r}"/>`;
        const size = label && String(label).length > 3 ? ' font-size="8"' : "";
        if (label) out += `<text x="${x}" y="${y + 3}" text-anchor="middle" class="uw-small"${size}>${esc(label)}</text>`;
        out += "</g>";
      } else if (kind === "arrow" || kind === "line") {
        const [, ax, ay, bx, by, c] = it;
        let head = "";
        if (kind === "arrow") {
          const len = Math.hypot(bx - ax, by - ay) || 1, ux = (bx - ax) / len, uy = (by - ay) / len;
          const s = 7;
          head = `<polygon points="${bx},${by} ${bx - s * ux + (s / 2) * uy},${by - s * uy - (s / 2) * ux} ${bx - s * ux - (s / 2) * uy},${by - s * uy + (s / 2) * ux}"/>`;
        }
        out += `<g class="uw-d uw-link ${cls(c)}"><line x1="${ax}" y1="${ay}" x2="${bx}" y2="${by}"/>${head}</g>`;
      } else if (kind === "text") {
        const [, x, y, label, c, anchor] = it;
        out += `<text class="uw-d ${cls(c)}" x="${x}" y="${y}" text-anchor="${anchor || "middle"}">${esc(label)}</text>`;
      }
    }
  }
  const w = x1 - x0, h = y1 - y0;
  return `<svg xmlns="${SVGNS}" class="uw-svg uw-diagram" viewBox="${x0} ${y0} ${w} ${h}" style="max-width:${Math.max(w, 320)}px" role="img" aria-label="${esc(p.title)}" data-items="${layers.reduce((n, l) => n + l.items.length, 0)}">${out}</svg>`;
}

function fill(template, ctx) {
  return esc(template).replace(PLACEHOLDER, (m, name, spec) => {
    let v;
    if (name in ctx.sliderValue) v = ctx.sliderValue[name];
    else v = ctx.get(name);
    const shown = typeof v === "string" ? esc(v) : fmt(v, spec);
    return `<span class="uw-v" data-key="${name}" data-v="${esc(typeof v === "string" ? v : String(v))}">${shown}</span>`;
  });
}

function drawText(p, ctx) {
  return p.lines.map((line) => `<p class="uw-line-text">${fill(typeof line === "string" ? line : ctx.get(line.key), ctx)}</p>`).join("");
}

function drawTable(p, ctx) {
  const cols = p.columns.map((c) => ctx.get(c.key));
  const labels = Array.isArray(p.rowLabels) ? p.rowLabels : ctx.get(p.rowLabels.key);
  // The corner names the row labels (or stays an empty data cell): a table header is never empty.
  const corner = p.rowTitle ? `<th scope="col">${esc(p.rowTitle)}</th>` : "<td></td>";
  let out = `<table class="uw-table"><thead><tr>${corner}${p.columns.map((c) => `<th scope="col">${esc(c.label)}</th>`).join("")}</tr></thead><tbody>`;
  for (let r = 0; r < cols[0].length; r++) {
    if (Number.isNaN(cols[0][r])) continue;
    out += `<tr><th scope="row">${esc(labels[r] ?? "")}</th>${cols.map((c, j) => `<td data-key="${esc(p.columns[j].key)}" data-v="${c[r]}">${fmt(c[r], p.fmt)}</td>`).join("")}</tr>`;
  }
  return out + "</tbody></table>";
}

// Horizontal bars, stacked series per category; the axis runs from 0 to the largest stack shown.
function drawBars(p, ctx) {
  const series = p.series.map((s) => ctx.get(s.key));
  const cats = p.categories.map((c, k) => k).filter((k) => !Number.isNaN(series[0][k]));
  const W = ctx.width, L = W >= 500 ? 130 : 110, R = 70, bh = 22;
  const [spots, rows] = legendRows(p.series.map((s) => 40 + CHAR * s.label.length), L, W - 4);
  const T = 24 + 18 * (rows - 1), H = T + cats.length * (bh + 8) + 34;
  const max = Math.max(1e-300, ...cats.map((k) => series.reduce((a, s) => a + (Number.isNaN(s[k]) ? 0 : s[k]), 0)));
  const X = (v) => L + (v / max) * (W - L - R);
  let out = "", legend = "";
  p.series.forEach((s, j) => {
    const { x: lx, row } = spots[j], ly = 4 + 18 * row;
    legend += `<g class="uw-c${(s.color ?? j) % 6}"><rect x="${lx}" y="${ly}" width="14" height="12"/><text x="${lx + 18}" y="${ly + 11}">${esc(s.label)}</text></g>`;
  });
  cats.forEach((k, r) => {
    const y = T + r * (bh + 8);
    let acc = 0;
    out += `<text x="${L - 6}" y="${y + bh / 2 + 4}" text-anchor="end">${esc(p.categories[k])}</text>`;
    p.series.forEach((s, j) => {
      const v = series[j][k];
      out += `<rect class="uw-bar uw-c${(s.color ?? j) % 6}" x="${X(acc)}" y="${y}" width="${Math.max(X(acc + v) - X(acc), 0)}" height="${bh}" data-key="${esc(s.key)}" data-v="${v}"><title>${esc(s.label)}: ${fmt(v, ",d")}</title></rect>`;
      acc += v;
    });
    out += `<text x="${X(acc) + 4}" y="${y + bh / 2 + 4}">${fmt(acc, ",d")}</text>`;
  });
  out += `<g class="uw-axis"><line x1="${L}" y1="${T - 4}" x2="${L}" y2="${H - 30}"/>`;
  for (const t of niceTicks(0, max, W >= 500 ? 4 : 2)) {
    if (t > max * 1.0001) continue;
    out += `<line x1="${X(t)}" y1="${H - 30}" x2="${X(t)}" y2="${H - 25}"/><text x="${X(t)}" y="${H - 12}" text-anchor="middle">${fmt(t, ",.0f")}</text>`;
  }
  out += `</g><g class="uw-legend">${legend}</g>`;
  return svg(W, H, "uw-bars", out, `aria-label="${esc(p.title)}"`);
}

// --- tally: counting rules evaluated for the typed numbers ---------------------------------
// The rules are data from Python (cells.counting.network_plan): a size is a list of terms
// [coefficient, symbol] ("" for a constant), summed. This only does that arithmetic; what the
// arrays are and how often each part repeats is all in the rules. widgets.view.tally_result is
// the Python twin, and a browser test holds the result to cells.count_params.
function sizeOf(terms, v) {
  return terms.reduce((sum, [c, s]) => sum + c * (s ? v[s] : 1), 0);
}

function tallyResult(plan, values) {
  const v = Object.assign({}, values);
  v.r = plan.derived.r.map((s) => v[s]).find((x) => x) || 0;
  for (const check of plan.checks) if (sizeOf(check.positive, v) <= 0) return { error: check.message };
  const totals = { weight: 0, bias: 0 }, parts = [];
  for (const part of plan.parts) {
    const times = sizeOf(part.times, v);
    const arrays = part.arrays.map((a) => {
      const numbers = a.dims.map((d) => sizeOf(d, v));
      return { name: a.name, shape: a.shape, numbers, size: numbers.reduce((x, y) => x * y, 1), role: a.role };
    });
    arrays.forEach((a) => { totals[a.role] += times * a.size; });
    const subtotal = arrays.reduce((x, a) => x + a.size, 0);
    if (times > 0 && subtotal > 0) parts.push({ label: part.label, times, subtotal, arrays });
  }
  return { error: "", total: totals.weight + totals.bias, weights: totals.weight, biases: totals.bias, parts };
}

function drawTally(p, ctx) {
  const bad = ctx.invalid();
  if (bad) return `<p class="uw-line-text uw-bad" data-error="1">${esc(bad)}</p>`;
  const live = ctx.live(p);
  const t = live || tallyResult(ctx.get(p.plan), ctx.symbols(p));
  if (t.error) return `<p class="uw-line-text uw-bad" data-error="1">${esc(t.error)}</p>`;
  const n = (v) => fmt(v, ",d");
  let out = `<p class="uw-line-text uw-total">Total: <span class="uw-v" data-key="total" data-v="${t.total}">${n(t.total)}</span> = ` +
    `<span class="uw-v" data-key="weights" data-v="${t.weights}">${n(t.weights)}</span> weights + ` +
    `<span class="uw-v" data-key="biases" data-v="${t.biases}">${n(t.biases)}</span> biases</p>`;
  out += `<table class="uw-table uw-tally"><thead><tr><th scope="col">array</th><th scope="col">shape</th><th scope="col">parameters</th></tr></thead>`;
  for (const part of t.parts) {
    const times = part.times > 1 ? `${part.times} \u00d7 ${n(part.subtotal)} = ${n(part.times * part.subtotal)}` : n(part.subtotal);
    out += `<tbody><tr class="uw-part"><th scope="rowgroup" colspan="3">${esc(part.label)}: ${times}</th></tr>`;
    for (const a of part.arrays) {
      if (!a.size) continue;
      out += `<tr><th scope="row">${esc(a.name)}</th><td class="uw-shape">(${esc(a.shape.join(", "))}) = (${a.numbers.map(n).join(", ")})</td>` +
        `<td data-key="${a.role}" data-v="${a.size}">${n(a.size)}</td></tr>`;
    }
    out += "</tbody>";
  }
  out += "</table>";
  const source = live ? "computed by cells.count_params in the kernel" : "computed in this page from the rules of cells.counting";
  const plan = ctx.get(p.plan);
  return out + `<p class="uw-note-text">${plan.legend ? esc(plan.legend) + "; " : ""}${source}</p>`;
}

const RENDERERS = { bars: drawBars,  line: drawLine, heatmap: drawHeatmap, diagram: drawDiagram, text: drawText, table: drawTable, tally: drawTally };

// --- the widget --------------------------------------------------------------------------

// A choice among 2 to 4 named options is a group of option buttons (radio semantics); numbers and
// longer lists are sliders. Both set the same grid index.
const MAX_OPTIONS = 4;
const isChoice = (s) => s.values.length >= 2 && s.values.length <= MAX_OPTIONS && s.values.some((v) => typeof v === "string");

function controlHtml(s, k, id, at) {
  const why = `<span class="uw-why" id="${id}-w${k}" hidden></span>`;
  if (isChoice(s)) {
    const options = s.display.map((shown, j) => `<button type="button" role="radio" data-option="${j}" ` +
      `aria-checked="${j === at}" tabindex="${j === at ? 0 : -1}">${esc(shown)}</button>`).join("");
    return `<div class="uw-ctl uw-choice" data-name="${esc(s.name)}"><span class="uw-label" id="${id}-l${k}">${esc(s.label)}</span>` +
      `<div class="uw-options" role="radiogroup" aria-labelledby="${id}-l${k}" aria-describedby="${id}-w${k}">${options}</div>${why}</div>`;
  }
  return `<div class="uw-ctl" data-name="${esc(s.name)}"><label for="${id}-s${k}">${esc(s.label)}</label>` +
    `<input type="range" id="${id}-s${k}" name="${esc(s.name)}" min="0" max="${s.values.length - 1}" step="1" value="${at}" ` +
    `aria-describedby="${id}-w${k}"${s.values.length < 2 ? " disabled" : ""}>` +
    `<output for="${id}-s${k}" id="${id}-o${k}"></output>${why}</div>`;
}

// A typed whole number: a text field with the numeric keyboard (inputmode), read and checked here, so
// that 0, -3, 2.5 or nothing get a sentence instead of a silent browser refusal.
function numberHtml(s, k, id, value) {
  return `<div class="uw-ctl uw-num" data-name="${esc(s.name)}"><label for="${id}-n${k}">${esc(s.label)}</label>` +
    `<input type="text" inputmode="numeric" autocomplete="off" spellcheck="false" id="${id}-n${k}" name="${esc(s.name)}" ` +
    `value="${value}" aria-describedby="${id}-m${k} ${id}-x${k}">` +
    `<span class="uw-msg" id="${id}-m${k}" aria-live="polite"></span><span class="uw-why" id="${id}-x${k}" hidden></span></div>`;
}

// The problem with a typed text, or "" if it is a whole number in [min, max].
function numberProblem(s, text) {
  const t = text.trim(), range = `a whole number from ${fmt(s.min, ",d")} to ${fmt(s.max, ",d")}`;
  if (!t) return `${s.label}: type ${range}.`;
  if (!/^[+-]?\d+$/.test(t)) {
    if (/^[+-]?(\d+[.,]\d*|[.,]\d+)$/.test(t)) return `${s.label}: ${t} is not a whole number; type ${range}.`;
    return `${s.label}: \u201c${t}\u201d is not a number; type ${range}.`;
  }
  const v = Number(t);
  if (v < 0) return `${s.label} cannot be negative (got ${t}); type ${range}.`;
  if (v < s.min) return `${s.label} must be at least ${s.min} (got ${t}); type ${range}.`;
  if (v > s.max) return `${s.label} is at most ${fmt(s.max, ",d")} here (got ${t}).`;
  return "";
}

function render({ model, el }) {
  const spec = model.get("spec");
  const sliders = spec.sliders;
  const id = `uw${++widgetCount}-${Math.random().toString(36).slice(2, 7)}`;
  let index = model.get("index").slice();
  const numbers = spec.numbers || [];
  let typed = Object.assign({}, model.get("typed") || {});
  const problems = {};  // number name -> what is wrong with its text
  const decoders = {};
  for (const k in spec.fields) decoders[k] = decoder(spec.fields[k], spec.codec);
  const pos = {};
  sliders.forEach((s, k) => { pos[s.name] = k; });

  const ctx = {
    width: drawingWidth(),
    sliderValue: {},
    get(key) {
      const f = spec.fields[key];
      if (!f) throw new Error(`unknown field ${key}`);
      let flat = 0;
      for (const d of f.deps) flat = flat * sliders[pos[d]].values.length + index[pos[d]];
      return decoders[key](flat);
    },
    // a disabled number has no effect: its `off` value counts instead
    number(s) { return s.disabledWhen && ctx.get(s.disabledWhen) ? s.off : typed[s.name]; },
    symbols(p) {
      const out = {};
      for (const sym in p.symbols) out[sym] = ctx.number(numbers.find((s) => s.name === p.symbols[sym]));
      return out;
    },
    invalid() {
      const bad = numbers.find((s) => problems[s.name] && !(s.disabledWhen && ctx.get(s.disabledWhen)));
      return bad ? problems[bad.name] : "";
    },
    // the kernel's answer (live in Jupyter), if it is for exactly what the page shows now
    live(p) {
      const live = model.get("live");
      if (!live || !live.results || !live.index || live.index.join(",") !== index.join(",")) return null;
      if (numbers.some((s) => live.typed[s.name] !== typed[s.name])) return null;
      return live.results[String(spec.panels.indexOf(p))] || null;
    },
  };

  const root = document.createElement("div");
  root.className = "uw";
  root.id = id;
  root.dataset.spec = spec.id || "";
  let html = spec.title ? `<div class="uw-title">${esc(spec.title)}</div>` : "";
  if (spec.caption) html += `<div class="uw-caption">${esc(spec.caption)}</div>`;
  html += `<div class="uw-controls">` + sliders.map((s, k) => controlHtml(s, k, id, index[k])).join("") +
    `</div>` + (numbers.length ? `<div class="uw-controls uw-numbers">` +
    numbers.map((s, k) => numberHtml(s, k, id, typed[s.name])).join("") + `</div>` : "");
  if (spec.presets.length) {
    html += `<div class="uw-presets" role="group" aria-label="presets"><span>Presets:</span>` +
      spec.presets.map((p, k) => `<button type="button" data-preset="${k}">${esc(p.label)}</button>`).join("") + `</div>`;
  }
  html += `<div class="uw-panels">` + spec.panels.map((p, k) => `<figure class="uw-panel uw-panel-${p.kind}" data-panel="${k}">${p.title ? `<figcaption>${esc(p.title)}</figcaption>` : ""}<div class="uw-draw"${p.kind === "text" || p.kind === "table" ? ' aria-live="polite"' : ""}></div></figure>`).join("") + `</div>`;
  root.innerHTML = html;
  el.appendChild(root);

  // Which sliders each panel depends on (computed in Python): a move redraws only those panels.
  const panelDeps = spec.panels.map((p) => new Set(p.deps));
  const lastHtml = spec.panels.map(() => null);

  const controls = [...root.querySelectorAll(".uw-ctl:not(.uw-num)")];
  const fields = numbers.map((s, k) => root.querySelector(`#${id}-n${k}`));
  const messages = numbers.map((s, k) => root.querySelector(`#${id}-m${k}`));
  const numberWhys = numbers.map((s, k) => root.querySelector(`#${id}-x${k}`));
  const inputs = sliders.map((s, k) => root.querySelector(`#${id}-s${k}`));  // null for a choice
  const options = controls.map((c) => [...c.querySelectorAll("[role=radio]")]);
  const outputs = sliders.map((s, k) => root.querySelector(`#${id}-o${k}`));
  const whys = sliders.map((s, k) => root.querySelector(`#${id}-w${k}`));
  const draws = [...root.querySelectorAll(".uw-draw")];

  // A control with no effect in the current setting is disabled, and says why (a JSON field from Python).
  function showControl(s, k) {
    const shown = s.display[index[k]];
    ctx.sliderValue[s.name] = shown;
    const why = s.disabledWhen ? ctx.get(s.disabledWhen) : "";
    whys[k].textContent = why;
    whys[k].hidden = !why;
    controls[k].classList.toggle("uw-off", !!why);
    if (inputs[k]) {
      if (inputs[k].value !== String(index[k])) inputs[k].value = String(index[k]);
      inputs[k].setAttribute("aria-valuetext", shown);
      inputs[k].disabled = !!why || s.values.length < 2;
      outputs[k].textContent = shown;
    } else {
      options[k].forEach((b, j) => {
        b.setAttribute("aria-checked", String(j === index[k]));
        b.tabIndex = j === index[k] ? 0 : -1;
        b.disabled = !!why;
      });
    }
  }

  function showNumber(s, k) {
    const why = s.disabledWhen ? ctx.get(s.disabledWhen) : "";
    numberWhys[k].textContent = why;
    numberWhys[k].hidden = !why;
    fields[k].disabled = !!why;
    fields[k].parentNode.classList.toggle("uw-off", !!why);
    const problem = why ? "" : problems[s.name] || "";
    messages[k].textContent = problem;
    if (problem) fields[k].setAttribute("aria-invalid", "true"); else fields[k].removeAttribute("aria-invalid");
  }

  // changed: the index of the slider that moved, "typed" for a number, or undefined for every panel
  function draw(changed) {
    const t0 = performance.now();
    sliders.forEach(showControl);
    numbers.forEach(showNumber);
    spec.panels.forEach((p, k) => {
      if (changed === "typed" ? p.kind !== "tally" : changed !== undefined && !panelDeps[k].has(changed)) return;
      try {
        const html = RENDERERS[p.kind](p, ctx);
        if (html !== lastHtml[k]) draws[k].innerHTML = lastHtml[k] = html;
      } catch (err) {
        draws[k].textContent = `This panel could not be drawn: ${err.message}`;
        console.error(err);
      }
    });
    root.dataset.index = index.join(",");
    if (numbers.length) root.dataset.typed = numbers.map((s) => typed[s.name]).join(",");
    root.dataset.drawMs = (performance.now() - t0).toFixed(3);
  }

  let committing = false;  // our own model.set calls echo back as change events: not news
  function commit(changed) {
    draw(changed);
    committing = true;
    try {
      model.set("index", index.slice());
      if (numbers.length) model.set("typed", Object.assign({}, typed));
    } finally {
      committing = false;
    }
    model.save_changes();
  }

  fields.forEach((input, k) => {
    const s = numbers[k];
    const read = () => {
      const problem = numberProblem(s, input.value);
      problems[s.name] = problem;
      if (!problem) typed[s.name] = Number(input.value.trim());
      commit("typed");
    };
    input.addEventListener("input", read);
    input.addEventListener("keydown", (e) => {
      e.stopPropagation();  // JupyterLab would otherwise take the keys for notebook commands
      const step = { ArrowUp: 1, ArrowDown: -1 }[e.key];
      if (!step || problems[s.name]) return;
      e.preventDefault();
      const next = Math.min(s.max, Math.max(s.min, typed[s.name] + step));
      input.value = String(next);
      read();
    });
  });

  inputs.forEach((input, k) => {
    if (!input) return;
    input.addEventListener("input", () => {
      index[k] = +input.value;
      commit(k);
    });
    // JupyterLab would otherwise take the arrow keys for notebook navigation.
    input.addEventListener("keydown", (e) => e.stopPropagation());
  });
  options.forEach((buttons, k) => {
    const choose = (j, focus) => {
      if (index[k] !== j) { index[k] = j; commit(k); }
      if (focus) buttons[j].focus();
    };
    buttons.forEach((b, j) => {
      b.addEventListener("click", () => choose(j, false));
      // Radio semantics: the arrows move the choice (and the focus) around the group.
      b.addEventListener("keydown", (e) => {
        const n = buttons.length;
        const next = { ArrowRight: j + 1, ArrowDown: j + 1, ArrowLeft: j - 1, ArrowUp: j - 1, Home: 0, End: n - 1 }[e.key];
        e.stopPropagation();
        if (next === undefined) return;
        e.preventDefault();
        choose((next + n) % n, true);
      });
    });
  });
  root.querySelectorAll("button[data-preset]").forEach((b) => {
    b.addEventListener("click", () => {
      const p = spec.presets[+b.dataset.preset];
      for (const name in p.index) index[pos[name]] = p.index[name];
      numbers.forEach((s, k) => {
        if (!p.typed || !(s.name in p.typed)) return;
        typed[s.name] = p.typed[s.name];
        problems[s.name] = "";
        fields[k].value = String(typed[s.name]);
      });
      commit();
    });
  });
  const onChange = () => {
    if (committing) return;
    const next = model.get("index"), nextTyped = model.get("typed") || {};
    const sameTyped = numbers.every((s) => nextTyped[s.name] === typed[s.name]);
    if (next.length === index.length && next.every((v, k) => v === index[k]) && sameTyped) return;
    index = next.slice();
    numbers.forEach((s, k) => {  // set from Python (w.set): the kernel's numbers are whole and in range
      if (nextTyped[s.name] === typed[s.name]) return;
      typed[s.name] = nextTyped[s.name];
      problems[s.name] = "";
      fields[k].value = String(typed[s.name]);
    });
    draw();
  };
  const onLive = () => draw("typed");
  model.on("change:index", onChange);
  model.on("change:typed", onChange);
  model.on("change:live", onLive);
  // a phone turned sideways, or a window resized across the phone width: draw again at the new width
  const onResize = () => {
    const width = drawingWidth();
    if (width === ctx.width) return;
    ctx.width = width;
    draw();
  };
  if (typeof window !== "undefined") window.addEventListener("resize", onResize);
  draw();
  return () => {
    model.off("change:index", onChange);
    model.off("change:typed", onChange);
    model.off("change:live", onLive);
    if (typeof window !== "undefined") window.removeEventListener("resize", onResize);
  };
}

export default { render };
