/*
 * Runs after require.js and before the vendored @jupyter-widgets/html-manager bundle
 * (vendor/embed-amd.js), on pages that carry saved widget state. Three jobs, all so
 * that the offline book never reaches for a CDN:
 *
 * 1. Fonts. The bundle derives its webpack public path from the require.js URL of its
 *    modules, which defaults to the page's own folder. Mapping "@jupyter-widgets" (and
 *    the embedder module ".../html-manager/dist/libembed-amd", which injects the Font
 *    Awesome CSS) to our vendor folder makes it look for the fonts where they are.
 * 2. Fallback loader. For a widget module it does not bundle, html-manager asks the
 *    CDN named in a script's data-jupyter-widgets-cdn attribute (jsDelivr by default).
 *    We name a folder inside the book instead: an unknown widget then fails locally
 *    (a visible 404 in tests) rather than quietly loading code from the internet.
 * 3. MathJax. ipywidgets 8 typesets labels with the MathJax 2 call
 *    MathJax.Hub.Queue(["Typeset", MathJax.Hub, element]); the book ships MathJax 3.
 *    A tiny Hub that forwards to MathJax 3's typesetPromise is installed on "load",
 *    before html-manager renders (it waits for the same event, and our listener is
 *    registered first).
 */
(function () {
  "use strict";
  var script = document.currentScript;
  var here = script.src.slice(0, script.src.lastIndexOf("/") + 1);

  window.require.config({
    paths: {
      "@jupyter-widgets": here + "vendor",
      "@jupyter-widgets/html-manager/dist": here + "vendor",
    },
  });
  script.setAttribute("data-jupyter-widgets-cdn", here + "no-cdn/");

  function installHub() {
    var mj = window.MathJax;
    if (!mj || mj.Hub || typeof mj.typesetPromise !== "function") {
      return;
    }
    mj.Hub = {
      Queue: function () {
        Array.prototype.forEach.call(arguments, function (job) {
          if (Array.isArray(job) && job[0] === "Typeset") {
            var target = job[2];
            mj.startup.promise.then(function () {
              return mj.typesetPromise(target ? [target] : undefined);
            });
          } else if (typeof job === "function") {
            job();
          }
        });
      },
    };
  }
  window.addEventListener("load", installHub);
})();
