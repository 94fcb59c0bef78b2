// Shows the widgets saved in a page of the static site, without require.js or the Jupyter widget
// manager. myst-nb writes the notebook's widget state into the page (one JSON script) and one small
// JSON script per widget output naming its model; this file is loaded only on such pages.
//
// - The book's own widgets (anywidget models) run their own front end, widgets/widget.js: the same
//   module Jupyter, Colab and Binder run, given a small stand-in for the live model (get / set / on /
//   off / save_changes). Nothing is computed here. The build serves it once, as the classic script
//   _static/unrolled-widget.js loaded just before this one (window.unrolledWidget), and names it in
//   the state instead of saving it there (frontend/unrolled_widgets.py): every widget is drawn as
//   this script runs, before the page's DOMContentLoaded. A state that carries its own front end
//   (`_esm`, `_css`) runs that, imported from a blob, a moment later.
// - The saved tqdm progress bars are ipywidgets (an HBox of HTML, FloatProgress, HTML): they are
//   shown as their final text and a native <progress>, wrapping inside a phone-wide column.
// - Any other widget shows its text value, if it has one; nothing is fetched from the network.
(function () {
  "use strict";
  var STATE = 'script[type="application/vnd.jupyter.widget-state+json"]';
  var VIEW = 'script[type="application/vnd.jupyter.widget-view+json"]';
  var CSS = [
    ".uw-saved-row{display:flex;flex-wrap:wrap;align-items:center;gap:2px 8px;max-width:100%;",
    "font-variant-numeric:tabular-nums;font-size:.9em;margin:2px 0}",
    ".uw-saved-row>*{min-width:0;overflow-wrap:anywhere}",
    ".uw-saved-row progress{flex:1 1 8em;max-width:24em;height:1em;accent-color:#009E73}",
    ".uw-saved-row progress.uw-danger{accent-color:#D55E00}",
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

  function draw(frontEnd, state, host) {
    if (!frontEnd || typeof frontEnd.render !== "function") throw new Error("the widget's front end has no render()");
    frontEnd.render({ model: pageModel(state), el: host });
  }

  function anyWidget(state, host) {
    var fail = function (err) {
      host.textContent = "This widget could not be shown here: " + err.message;
      console.error(err);
    };
    if (state._unrolled_front_end) {  // the site's copy, already loaded: draw now
      try {
        if (!window.unrolledWidget) throw new Error("_static/unrolled-widget.js did not load");
        addStyle(window.unrolledWidget.css);
        draw(window.unrolledWidget, state, host);
      } catch (err) { fail(err); }
      return;
    }
    addStyle(state._css);
    importFrontEnd(state._esm).then(function (frontEnd) { draw(frontEnd, state, host); }).catch(fail);
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

  function start() {
    var stateTag = document.querySelector(STATE);
    if (!stateTag) return;
    var models = JSON.parse(stateTag.textContent).state || {};
    addStyle(CSS);
    document.querySelectorAll(VIEW).forEach(function (view) {
      var id;
      try { id = JSON.parse(view.textContent).model_id; } catch (err) { return; }
      var entry = models[id];
      if (!entry) return;
      var host = document.createElement("div");
      host.className = "uw-host";
      view.parentNode.insertBefore(host, view);
      if (entry.model_name === "AnyModel") {
        anyWidget(entry.state, host);
      } else {
        savedWidget(models, id, host);
      }
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
