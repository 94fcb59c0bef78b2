// Front end of widgets.view.GridWidget. Self-contained: no imports, no network, no fonts.
// A slider move picks a row of the precomputed grid and redraws; the one model computed here is the
// units panel's recurrent layer (widgets/units.py), run on the reader's own text.
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

// --- units: one recurrent layer run in the page (widgets/units.py) --------------------------
// The layer's arrays arrive as float32 base64 (a JSON field per checkpoint); this is its forward pass,
// the equations of cells/rnn.py, lstm.py and gru.py one character at a time from a zero state, in
// float64. The passage's run is kept per checkpoint; the reader's text runs on every keystroke.
const SIGMOID = (a) => 0.5 + 0.5 * Math.tanh(0.5 * a);  // as cells.pointwise.sigmoid
const ACTIVATION = { tanh: Math.tanh, relu: (a) => Math.max(a, 0), sigmoid: SIGMOID, identity: (a) => a };
const UNIT_QUANTITIES = { RNN: ["h"], LSTM: ["h", "c", "i", "f", "g", "o"], GRU: ["h", "r", "z", "n"] };
const QUANTITY_NAMES = { h: "hidden state", c: "cell state", i: "input gate", f: "forget gate", g: "candidate",
  o: "output gate", r: "reset gate", z: "update gate", n: "candidate" };

const float32s = (b64) => (b64 ? Float64Array.from(new Float32Array(bytes(b64))) : null);
const unitLayers = new WeakMap();  // a checkpoint's weights (JSON) -> its decoded arrays and runs

function unitLayer(w) {
  let m = unitLayers.get(w);
  if (!m) {
    m = { kind: w.kind, H: w.hidden, D: w.input, act: ACTIVATION[w.activation] || Math.tanh, resetAfter: w.resetAfter,
      wih: float32s(w.weight_ih), whh: float32s(w.weight_hh), bih: float32s(w.bias_ih), bhh: float32s(w.bias_hh),
      emb: float32s(w.embedding), runs: new Map() };
    unitLayers.set(w, m);
  }
  return m;
}

// codes: alphabet positions -> {quantity: Float64Array(T * H)}; row t holds the values after character t.
function unitsForward(m, codes) {
  const { kind, H, D, wih, whh, bih, bhh } = m, G = { RNN: 1, LSTM: 4, GRU: 3 }[kind], T = codes.length;
  const out = {};
  for (const q of UNIT_QUANTITIES[kind]) out[q] = new Float64Array(T * H);
  const h = new Float64Array(H), c = new Float64Array(H), ax = new Float64Array(G * H), ah = new Float64Array(G * H);
  const r = new Float64Array(H), z = new Float64Array(H), n = new Float64Array(H);
  for (let t = 0; t < T; t++) {
    const code = codes[t], row = t * H;
    // ax = W_ih x_t + b_ih, x_t one-hot (a column of W_ih) or the embedding's row; ah = W_hh h_{t-1} + b_hh
    for (let j = 0; j < G * H; j++) {
      let s = 0;
      if (m.emb) for (let k = 0; k < D; k++) s += wih[j * D + k] * m.emb[code * D + k];
      else s = wih[j * D + code];
      ax[j] = s + bih[j];
      s = 0;
      if (!(kind === "GRU" && !m.resetAfter && j >= 2 * H)) for (let k = 0; k < H; k++) s += whh[j * H + k] * h[k];
      ah[j] = s + bhh[j];
    }
    if (kind === "RNN") {
      for (let u = 0; u < H; u++) out.h[row + u] = h[u] = m.act(ax[u] + ah[u]);
    } else if (kind === "LSTM") {
      for (let u = 0; u < H; u++) {
        const i = SIGMOID(ax[u] + ah[u]), f = SIGMOID(ax[H + u] + ah[H + u]);
        const g = Math.tanh(ax[2 * H + u] + ah[2 * H + u]), o = SIGMOID(ax[3 * H + u] + ah[3 * H + u]);
        c[u] = f * c[u] + i * g;  // c_t = f c_{t-1} + i g
        h[u] = o * Math.tanh(c[u]);  // h_t = o tanh(c_t)
        out.i[row + u] = i; out.f[row + u] = f; out.g[row + u] = g; out.o[row + u] = o;
        out.c[row + u] = c[u]; out.h[row + u] = h[u];
      }
    } else {
      for (let u = 0; u < H; u++) { r[u] = SIGMOID(ax[u] + ah[u]); z[u] = SIGMOID(ax[H + u] + ah[H + u]); }
      for (let u = 0; u < H; u++) {
        let recurrent;
        if (m.resetAfter) recurrent = r[u] * ah[2 * H + u];  // r (W_hn h_{t-1} + b_hn)
        else {  // W_hn (r h_{t-1}) + b_hn, Cho et al.'s
          recurrent = 0;
          for (let k = 0; k < H; k++) recurrent += whh[(2 * H + u) * H + k] * (r[k] * h[k]);
          recurrent += bhh[2 * H + u];
        }
        n[u] = Math.tanh(ax[2 * H + u] + recurrent);
      }
      for (let u = 0; u < H; u++) {
        h[u] = (1 - z[u]) * n[u] + z[u] * h[u];  // h_t = (1 - z) n + z h_{t-1}
        out.r[row + u] = r[u]; out.z[row + u] = z[u]; out.n[row + u] = n[u]; out.h[row + u] = h[u];
      }
    }
  }
  return out;
}

// The text's alphabet positions up to its first character outside the alphabet, and that character's place.
function unitCodes(alphabet, text) {
  const codes = [];
  for (let t = 0; t < text.length; t++) {
    const k = alphabet.indexOf(text[t]);
    if (k < 0) return { codes, bad: t };
    codes.push(k);
  }
  return { codes, bad: -1 };
}

const CHAR_NAMES = { " ": "a space", "\n": "a line break", "\t": "a tab" };
const charName = (ch) => CHAR_NAMES[ch] || `\u201c${ch}\u201d`;
const charShown = (ch) => ({ " ": " ", "\n": "\u21b5", "\t": "\u2192" })[ch] ?? (ch < " " ? "\u00b7" : ch);
const signed = (v, digits = 3) => (v > 0 ? "+" : v < 0 ? "\u2212" : "") + fmt(Math.abs(v), `.${digits}f`);

function linear(c) { c /= 255; return c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4); }

// A diverging colour for t in [0, 1] and the text colour (black or white) with the higher contrast:
// at least 4.58:1 for any background, so every shaded character passes WCAG AA.
function shade(t) {
  t = Math.min(1, Math.max(0, t)) * (DIV.length - 1);
  const k = Math.min(Math.floor(t), DIV.length - 2), u = t - k;
  const rgb = DIV[k].map((a, j) => Math.round(a + (DIV[k + 1][j] - a) * u));
  const L = 0.2126 * linear(rgb[0]) + 0.7152 * linear(rgb[1]) + 0.0722 * linear(rgb[2]);
  return [`rgb(${rgb.join(",")})`, (L + 0.05) / 0.05 >= 1.05 / (L + 0.05) ? "#000" : "#fff"];
}

function shadedText(text, values, lo, hi, role) {
  let out = "";
  for (let t = 0; t < text.length; t++) {
    const ch = text[t];
    if (t >= values.length) { out += `<span class="uw-ch uw-unread">${esc(charShown(ch))}</span>${ch === "\n" ? "\n" : ""}`; continue; }
    const [bg, ink] = shade((values[t] - lo) / (hi - lo));
    out += `<span class="uw-ch" data-t="${t}" data-v="${values[t]}" style="background:${bg};color:${ink}">${esc(charShown(ch))}</span>${ch === "\n" ? "\n" : ""}`;
  }
  return `<div class="uw-text" data-role="${role}">${out}</div>`;
}

// What the units panel shows now: the layer, the quantity, the unit, its colour range and the passage's values.
function unitsState(p, ctx) {
  const F = p.fields, m = unitLayer(ctx.get(F.weights)), key = ctx.get(F.key), unit = ctx.get(F.unit);
  if (!m.runs.has(p.passage)) m.runs.set(p.passage, unitsForward(m, unitCodes(p.alphabet, p.passage).codes));
  const all = m.runs.get(p.passage)[key], H = m.H;
  const values = Array.from({ length: p.passage.length }, (_, t) => all[t * H + unit - 1]);
  let [lo, hi] = p.bounds[key] || [0, 0];
  if (!p.bounds[key]) {  // unbounded (c, or h of a relu RNN): symmetric about 0, the largest |value| of the passage
    hi = Math.max(1e-6, ...values.map(Math.abs));
    lo = -hi;
  }
  return { m, key, unit, values, lo, hi };
}

function typedPart(p, ctx, s) {
  const text = ctx.unitsTyped.has(p) ? ctx.unitsTyped.get(p) : p.typed;
  const { codes, bad } = unitCodes(p.alphabet, text);
  const all = unitsForward(s.m, codes)[s.key];
  const values = codes.map((_, t) => all[t * s.m.H + s.unit - 1]);
  const clipped = values.filter((v) => v < s.lo || v > s.hi).length;
  let message = "";
  if (bad >= 0) {
    const shown = [...p.alphabet].map((ch) => CHAR_NAMES[ch] ? CHAR_NAMES[ch].replace(/^an? /, "") : ch).join(" ");
    message = `Stopped at ${charName(text[bad])} (character ${bad + 1}): this network reads only its ` +
      `${p.alphabet.length} characters (${shown}), so the shading covers the text before it.`;
  } else if (!text) message = "Type something: the network reads it here, in the page.";
  if (clipped) message += `${message ? " " : ""}${clipped} value${clipped > 1 ? "s lie" : " lies"} outside the passage's colour range and ${clipped > 1 ? "are" : "is"} drawn at its end.`;
  return { text, values, message, html: shadedText(text, values, s.lo, s.hi, "typed") };
}

function drawUnits(p, ctx) {
  const F = p.fields, s = unitsState(p, ctx), k = ctx.panelIndex(p);
  const r = ctx.get(F.r), label = ctx.get(F.label), ranking = ctx.get(F.ranking);
  const name = `${s.key} (${QUANTITY_NAMES[s.key]})`;
  const rank = ranking.findIndex(([u]) => u === s.unit);
  let out = `<p class="uw-line-text uw-units-head">Unit <span class="uw-v" data-key="${F.unit}" data-v="${s.unit}">${s.unit}</span> of ${s.m.H}, ` +
    `its ${esc(name)}: r = <span class="uw-v" data-key="${F.r}" data-v="${r}">${Number.isNaN(r) ? "n/a (constant here)" : signed(r, 2)}</span> ` +
    `with ${esc(label)} over the passage.</p>`;
  out += `<p class="uw-note-text uw-ranking">Strongest for ${esc(label)}: ` + ranking.map(([u, rr], j) =>
    `<span${j === rank ? ' class="uw-chosen"' : ""}>unit ${u} (${rr === null ? "n/a" : signed(rr, 2)})</span>`).join(", ") + ".</p>";
  const [loBg] = shade(0), [midBg] = shade(0.5), [hiBg] = shade(1);
  out += `<div class="uw-scale"><span>${signed(s.lo, 2)}</span><span class="uw-ramp" style="background:linear-gradient(to right,${loBg},${midBg},${hiBg})"></span>` +
    `<span>${signed(s.hi, 2)}</span><span class="uw-note-text">${p.bounds[s.key] ? "" : "(the passage's largest |value|)"}</span></div>`;
  // a long passage scrolls in a box of its own, which the keyboard can reach and scroll
  out += `<p class="uw-sub" id="${ctx.id}-passage${k}">The passage, shaded by unit ${s.unit}'s ${s.key}</p>` +
    shadedText(p.passage, s.values, s.lo, s.hi, "passage").replace("<div ", `<div tabindex="0" role="group" aria-labelledby="${ctx.id}-passage${k}" `);
  out += `<p class="uw-line-text uw-tap" aria-live="polite">Hover or tap a character for its value.</p>`;
  const typed = typedPart(p, ctx, s), id = `${ctx.id}-type${k}`;
  out += `<label class="uw-sub" for="${id}">Type your own text (the network reads it in this page)</label>` +
    `<textarea class="uw-type" id="${id}" data-panel="${k}" rows="2" maxlength="${p.maxTyped}" spellcheck="false" autocomplete="off" autocapitalize="off">${esc(typed.text)}</textarea>` +
    `<p class="uw-line-text uw-bad uw-typed-msg" aria-live="polite">${esc(typed.message)}</p><div class="uw-typed">${typed.html}</div>`;
  const list = (text, values) => values.map((v, t) => `${charName(text[t])} ${signed(v)}`).join("; ");
  out += `<p class="uw-sr">Unit ${s.unit}'s ${esc(name)} after each character of the passage: ${esc(list(p.passage, s.values))}.</p>`;
  return out;
}

// A character under the pointer or the finger: its value (and, in the passage, the label's) in the status line.
function describeChar(p, ctx, el) {
  const s = unitsState(p, ctx), t = +el.dataset.t, role = el.closest(".uw-text").dataset.role;
  const text = role === "passage" ? p.passage : (ctx.unitsTyped.has(p) ? ctx.unitsTyped.get(p) : p.typed);
  let line = `${charName(text[t])} (character ${t + 1} of ${role === "passage" ? "the passage" : "your text"}): ` +
    `unit ${s.unit}'s ${s.key} = ${signed(+el.dataset.v)}`;
  if (role === "passage") line += `; ${ctx.get(p.fields.label)} = ${fmt(ctx.get(p.fields.labelValues)[t], ".4g")}`;
  return line + ".";
}

const RENDERERS = { bars: drawBars, line: drawLine, heatmap: drawHeatmap, diagram: drawDiagram, text: drawText, table: drawTable, tally: drawTally, units: drawUnits };

// --- the widget --------------------------------------------------------------------------

// A choice among 2 to 4 named options is a group of option buttons (radio semantics); numbers and
// longer lists are sliders. Both set the same grid index.
const MAX_OPTIONS = 4;
const isChoice = (s) => s.values.length >= 2 && (s.buttons || s.values.length <= MAX_OPTIONS) && s.values.some((v) => typeof v === "string");

function controlHtml(s, k, id, at) {
  const why = `<span class="uw-why" id="${id}-w${k}" hidden></span>`;
  if (isChoice(s)) {
    const options = s.display.map((shown, j) => `<button type="button" role="radio" data-option="${j}" ` +
      `aria-checked="${j === at}" tabindex="${j === at ? 0 : -1}">${esc(shown)}</button>`).join("");
    return `<div class="uw-ctl uw-choice" data-name="${esc(s.name)}"><span class="uw-label" id="${id}-l${k}">${esc(s.label)}</span>` +
      `<div class="uw-options" role="radiogroup" aria-labelledby="${id}-l${k}" aria-describedby="${id}-w${k}">${options}</div>${why}</div>`;
  }
  // a long setting ("after 1,228,800 characters") goes under its slider, which keeps the whole row
  const wide = s.display.some((d) => d.length > 14) ? " uw-wide" : "";
  return `<div class="uw-ctl${wide}" data-name="${esc(s.name)}"><label for="${id}-s${k}">${esc(s.label)}</label>` +
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
    id,
    width: drawingWidth(),
    unitsTyped: new Map(),  // a units panel -> the text the reader typed into it
    panelIndex: (p) => spec.panels.indexOf(p),
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

  // Units panels: typing reruns the network on the reader's text (only that part is redrawn, so the text box
  // keeps the focus); a character under the pointer or the finger puts its value in the status line.
  const unitsPanel = (el) => {
    const fig = el.closest && el.closest("figure.uw-panel-units");
    return fig ? +fig.dataset.panel : -1;
  };
  root.addEventListener("input", (e) => {
    if (!e.target.classList || !e.target.classList.contains("uw-type")) return;
    const k = +e.target.dataset.panel, p = spec.panels[k];
    ctx.unitsTyped.set(p, e.target.value);
    const typed = typedPart(p, ctx, unitsState(p, ctx));
    draws[k].querySelector(".uw-typed").innerHTML = typed.html;
    draws[k].querySelector(".uw-typed-msg").textContent = typed.message;
    lastHtml[k] = null;
  });
  const point = (e) => {
    const ch = e.target.closest && e.target.closest(".uw-ch[data-t]"), k = ch ? unitsPanel(ch) : -1;
    if (k >= 0) draws[k].querySelector(".uw-tap").textContent = describeChar(spec.panels[k], ctx, ch);
  };
  root.addEventListener("pointerover", point);
  root.addEventListener("click", point);
  // JupyterLab would otherwise take the keys typed into a text box for notebook commands
  root.addEventListener("keydown", (e) => { if (e.target.classList && e.target.classList.contains("uw-type")) e.stopPropagation(); });
  // For tests: the page's forward pass of units panel k's layer at checkpoint j on `text`, {quantity: [T * h]}.
  root.uwForward = (k, j, text) => {
    const p = spec.panels[k], out = unitsForward(unitLayer(decoders[p.fields.weights](j)), unitCodes(p.alphabet, text).codes);
    return Object.fromEntries(Object.entries(out).map(([q, a]) => [q, Array.from(a)]));
  };

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
