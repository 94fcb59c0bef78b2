// Shows the widgets saved in a page of the static site, without require.js or the Jupyter widget
// manager. The build (frontend/unrolled_widgets.py) appends this file to _static/unrolled-widget.js,
// after the widgets' own front end (widgets/widget.js as a classic script: window.unrolledWidget), and
// moves each page's saved widget state out of the HTML into a script of its own
// (_static/widget-states/<page>.js, which pushes the state onto window.unrolledWidgetStates). Both
// load `async` and only on pages with widgets; myst-nb leaves one small JSON script per widget output
// in the page, naming its model.
//
// Drawing starts while the page is still being parsed, not after it: as soon as this script and the
// state have run, every widget output already parsed gets its host, and a MutationObserver catches the
// later ones as the parser adds them. The first widget of the page is drawn at once, so its controls
// work before the rest of a long chapter is parsed; the others are drawn when they come within a
// screen of the viewport (IntersectionObserver), each in a task of its own, so that no single long
// task draws a page's worth of widgets. `window.unrolledWidgets.drawAll()` draws every one that is
// left (before printing, and for tests that look at all of them).
//
// - The book's own widgets (anywidget models) run their own front end, widgets/widget.js: the same
//   module Jupyter, Colab and Binder run, given a small stand-in for the live model (get / set / on /
//   off / save_changes). Nothing is computed here. A state that carries its own front end (`_esm`,
//   `_css`: a notebook executed before widget.js changed, or another anywidget) runs that, imported
//   from a blob, a moment later.
// - The saved tqdm progress bars are ipywidgets (an HBox of HTML, FloatProgress, HTML): they are
//   shown as their final text and a <progress>, wrapping inside a phone-wide column, drawn at once.
// - Any other widget shows its text value, if it has one; nothing is fetched from the network.
(function () {
  "use strict";
  var STATE = 'script[type="application/vnd.jupyter.widget-state+json"]';
  var VIEW_TYPE = "application/vnd.jupyter.widget-view+json";
  // The bar follows the page's theme: a transparent track with a border, the value in the theme's green.
  var CSS = [
    ".uw-saved-row{display:flex;flex-wrap:wrap;align-items:center;gap:2px 8px;max-width:100%;",
    "font-variant-numeric:tabular-nums;font-size:.9em;margin:2px 0}",
    ".uw-saved-row>*{min-width:0;overflow-wrap:anywhere}",
    ".uw-saved-row progress{flex:1 1 8em;max-width:24em;height:.9em;-webkit-appearance:none;appearance:none;",
    "border:1px solid rgba(127,127,127,.6);border-radius:3px;background:transparent;color:#009E73;overflow:hidden}",
    ".uw-saved-row progress::-webkit-progress-bar{background:transparent}",
    ".uw-saved-row progress::-webkit-progress-value{background:#009E73}",
    ".uw-saved-row progress::-moz-progress-bar{background:#009E73}",
    ".uw-saved-row progress.uw-danger{color:#D55E00}",
    ".uw-saved-row progress.uw-danger::-webkit-progress-value{background:#D55E00}",
    ".uw-saved-row progress.uw-danger::-moz-progress-bar{background:#D55E00}",
  ].join("");

  function modelId(ref) {
    return typeof ref === "string" && ref.indexOf("IPY_MODEL_") === 0 ? ref.slice(10) : ref;
  }

  // The anywidget model a widget's front end talks to, kept in the page: a slider move sets `index`
  // and calls save_changes(); with no kernel behind it there is nothing to save to.
  function pageModel(state) {
    var listeners = {};
    return {
      get: function (key) { return state[key]; },
      set: function (key, value) {
        state[key] = value;
        (listeners["change:" + key] || []).slice().forEach(function (f) { f(); });
      },
      on: function (event, f) { (listeners[event] = listeners[event] || []).push(f); },
      off: function (event, f) {
        if (!event) { listeners = {}; return; }
        listeners[event] = (listeners[event] || []).filter(function (g) { return f && g !== f; });
      },
      save_changes: function () {},
      send: function () {},
    };
  }

  var modules = new Map();  // front-end source -> its imported module (one per distinct source)
  var styles = new Set();

  function addStyle(css) {
    if (!css || styles.has(css)) return;
    styles.add(css);
    var tag = document.createElement("style");
    tag.textContent = css;
    document.head.appendChild(tag);
  }

  function importFrontEnd(source) {
    if (!modules.has(source)) {
      var url = URL.createObjectURL(new Blob([source], { type: "text/javascript" }));
      modules.set(source, import(url).then(function (module) {
        URL.revokeObjectURL(url);
        return module.default || module;
      }));
    }
    return modules.get(source);
  }

  function render(frontEnd, state, host) {
    if (!frontEnd || typeof frontEnd.render !== "function") throw new Error("the widget's front end has no render()");
    frontEnd.render({ model: pageModel(state), el: host });
  }

  function anyWidget(state, host) {
    var fail = function (err) {
      host.textContent = "This widget could not be shown here: " + err.message;
      console.error(err);
    };
    if (state._unrolled_front_end) {  // the site's copy, loaded with this script
      try {
        if (!window.unrolledWidget) throw new Error("_static/unrolled-widget.js did not load");
        addStyle(window.unrolledWidget.css);
        render(window.unrolledWidget, state, host);
      } catch (err) { fail(err); }
      return;
    }
    addStyle(state._css);
    importFrontEnd(state._esm).then(function (frontEnd) { render(frontEnd, state, host); }).catch(fail);
  }

  // A saved ipywidget (tqdm's bar and its parts), drawn as plain HTML.
  function savedWidget(models, id, host) {
    var entry = models[id];
    if (!entry) return;
    var name = entry.model_name, state = entry.state || {};
    if (name === "HBoxModel" || name === "VBoxModel" || name === "BoxModel") {
      var box = document.createElement("div");
      box.className = "uw-saved-row";
      if (name === "VBoxModel") box.style.flexDirection = "column";
      (state.children || []).forEach(function (ref) { savedWidget(models, modelId(ref), box); });
      host.appendChild(box);
    } else if (/ProgressModel$/.test(name)) {
      var bar = document.createElement("progress");
      var lo = +state.min || 0, hi = +(state.max === undefined ? 100 : state.max);
      bar.max = hi - lo > 0 ? hi - lo : 1;
      bar.value = Math.max(0, Math.min(bar.max, (+state.value || 0) - lo));
      if (state.bar_style === "danger") bar.className = "uw-danger";
      bar.setAttribute("aria-label", state.description || "progress");
      bar.textContent = Math.round((100 * bar.value) / bar.max) + "%";
      host.appendChild(bar);
    } else if (typeof state.value === "string" || typeof state.description === "string") {
      var text = document.createElement("span");
      // tqdm pads with figure spaces (U+2007), which never break: plain spaces let a phone wrap the line
      var html = state.value !== undefined ? String(state.value).replace(/\u2007/g, " ") : "";
      if (name === "HTMLModel") text.innerHTML = html;  // the notebook's own saved output
      else text.textContent = html || state.description || "";
      if (text.textContent.trim()) host.appendChild(text);
    }
  }

  // --- when to draw ---------------------------------------------------------------------------
  var models = null;     // this page's saved models, once its state script has run
  var scripts = document.getElementsByTagName("script");  // live: the parser appends as it goes
  var scanned = 0;
  var seen = new WeakSet();  // view scripts already given a host
  var waiting = [];      // hosts of book widgets not drawn yet, in page order
  var firstDrawn = false;
  var near = typeof IntersectionObserver === "function"
    ? new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) { if (entry.isIntersecting) soon(entry.target); });
    }, { rootMargin: "100% 0px" })
    : null;

  function drawHost(host) {
    if (host.__uwDrawn) return;
    host.__uwDrawn = true;
    if (near) near.unobserve(host);
    var t0 = performance.now();
    anyWidget(host.__uwState, host);
    host.dataset.drawMs = (performance.now() - t0).toFixed(1);
  }

  // one widget per task: the browser may paint, parse or answer a click between two widgets
  var queue = [], timer = 0;
  function soon(host) {
    if (host.__uwDrawn || queue.indexOf(host) >= 0) return;
    queue.push(host);
    if (!timer) timer = setTimeout(next, 0);
  }
  function next() {
    timer = 0;
    var host = queue.shift();
    if (host) drawHost(host);
    if (queue.length) timer = setTimeout(next, 0);
  }

  // false if the view's text is not all there yet (the parser may yield inside it): try again later
  function place(view) {
    if (seen.has(view)) return true;
    var id;
    try { id = JSON.parse(view.textContent).model_id; } catch (err) { return document.readyState !== "loading"; }
    seen.add(view);
    var entry = models[id];
    if (!entry) return true;
    var host = document.createElement("div");
    host.className = "uw-host";
    view.parentNode.insertBefore(host, view);
    if (entry.model_name !== "AnyModel") {
      host.className += " uw-saved";
      savedWidget(models, id, host);
      return true;
    }
    host.__uwState = entry.state;
    waiting.push(host);
    if (!firstDrawn) {
      firstDrawn = true;
      drawHost(host);
      window.unrolledWidgets.firstDrawnAt = performance.now();
    } else if (near) {
      near.observe(host);
    } else {
      soon(host);
    }
    return true;
  }

  // Every view script parsed so far that has no host yet (the parser only appends to the page, so a
  // scan resumes where the last one stopped).
  function scan() {
    if (!models) return;
    for (; scanned < scripts.length; scanned++) {
      if (scripts[scanned].type === VIEW_TYPE && !place(scripts[scanned])) return;
    }
  }

  function receive(saved) {
    var state = (saved && saved.state) || {};
    models = models || {};
    for (var id in state) models[id] = state[id];
    scan();
  }

  // The styles go in now, while the page is short (this script usually runs before the body is
  // parsed), not when the first widget is drawn: a style sheet added later restyles a longer page.
  addStyle(CSS);
  if (window.unrolledWidget) addStyle(window.unrolledWidget.css);

  window.unrolledWidgets = {
    drawAll: function () {
      scan();
      waiting.forEach(drawHost);
    },
  };
  window.addEventListener("beforeprint", window.unrolledWidgets.drawAll);

  // The state: pushed by _static/widget-states/<page>.js (before or after this script ran), or, on a
  // page built without that step, inline in the page.
  var pushed = window.unrolledWidgetStates;
  window.unrolledWidgetStates = { push: receive };
  if (pushed && pushed.length) pushed.forEach(receive);

  function inline() {
    var tag = document.querySelector(STATE);
    if (tag && !tag.__uwRead) {
      tag.__uwRead = true;
      try { receive(JSON.parse(tag.textContent)); } catch (err) { console.error(err); }
    }
  }

  if (document.readyState === "loading") {
    var watch = new MutationObserver(scan);
    watch.observe(document.documentElement, { childList: true, subtree: true });
    document.addEventListener("DOMContentLoaded", function () {
      watch.disconnect();
      inline();
      scanned = 0;
      scan();
    });
  } else {
    inline();
    scanned = 0;
    scan();
  }
})();
