// Loaded after require.js and before the Jupyter widget manager (embed-amd.js), on pages with widgets.
// Points the manager at what this site serves itself, so that no widget needs the network, and bridges
// one call the manager makes to MathJax 2 onto the MathJax 3 the site uses.
(function () {
  var here = document.currentScript.src;
  var staticRoot = here.slice(0, here.lastIndexOf("/") + 1);

  // The manager finds its icon fonts next to the URL require.js gives its own module, and fetches
  // anywidget's front end from a CDN unless require.js already knows where it is.
  window.__jupyter_widgets_assets_path__ = staticRoot + "html-manager/";
  window.requirejs.config({
    paths: {
      "@jupyter-widgets/html-manager/dist": staticRoot + "html-manager",
      anywidget: staticRoot + "anywidget/index",
    },
  });

  // ipywidgets typesets widget labels with MathJax.Hub.Queue(["Typeset", MathJax.Hub, element]), the
  // MathJax 2 API. MathJax 3 replaces window.MathJax when it starts, so attach the bridge to whatever
  // object is assigned there.
  function withHub(mathjax) {
    if (mathjax && typeof mathjax === "object" && !mathjax.Hub) {
      mathjax.Hub = {
        Queue: function (job) {
          var element = job && job[2];
          if (element && window.MathJax.typesetPromise) {
            window.MathJax.typesetPromise([element]).catch(function () {});
          }
        },
      };
    }
    return mathjax;
  }
  var current = withHub(window.MathJax);
  Object.defineProperty(window, "MathJax", {
    configurable: true,
    get: function () { return current; },
    set: function (value) { current = withHub(value); },
  });
})();
