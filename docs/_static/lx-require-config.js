// Loaded before require.js on pages with widgets (docs/conf.py, nb_ipywidgets_js).
// The vendored html-manager bundle defines its AMD modules by name ("@jupyter-widgets/base", ...),
// and each module takes the folder of its own URL as the place of its fonts. Without this map,
// require.js places them next to the page (".../course/@jupyter-widgets/base.js") and the fonts 404.
// The folder is found from this script's own URL, so it works from any page depth, on a web
// server and from file://.
(function () {
  var here = document.currentScript.src;
  var base = here.slice(0, here.lastIndexOf("/") + 1) + "vendor/html-manager/";
  var paths = {};
  ["base", "controls", "base7", "controls7", "html-manager"].forEach(function (name) {
    paths["@jupyter-widgets/" + name] = base + name;
  });
  paths["@jupyter-widgets/html-manager/dist/libembed-amd"] = base + "libembed-amd";
  window.require = { paths: paths };  // require.js reads this object as its configuration
  window.__jupyter_widgets_assets_path__ = base;  // the loader's own public path
})();
