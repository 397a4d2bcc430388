/* Bản tin: the page viewer as a deep-zoom viewer (OpenSeadragon over the page's IIIF Image
   API tiles). Without JavaScript, or if OpenSeadragon did not load, the page keeps the plain
   image with its marks (bantin.js zooms that one). The marks (hits, article outlines, poorly
   read words) are the same SVG, moved over the deep-zoom image as one overlay sized to the
   page, so every box keeps its page fractions at any zoom. Shortcuts as before: + / − zoom,
   0 fits, arrows and PageUp / PageDown move, n / p turn the page. */
(function () {
  "use strict";
  /* Loaded without defer, before the viewer's markup: the class hides the plain image (which
     is lazy) before the browser fetches it, so a first view renders the tiles only. */
  document.documentElement.classList.add("js-deepzoom");

  function typing(e) {
    var t = e.target;
    return t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName));
  }

  function deepZoom() {
    var scan = document.getElementById("scan");
    var overlay = document.getElementById("overlay");
    var sheet = document.getElementById("sheet");
    var img = document.getElementById("scan-img");
    function plain() {  /* no deep zoom: the plain image comes back */
      document.documentElement.classList.remove("js-deepzoom");
      if (img) img.loading = "eager";
      if (sheet) sheet.hidden = false;
    }
    if (!scan || !overlay || !sheet || !scan.dataset.iiif || !window.OpenSeadragon) { plain(); return; }
    var OSD = window.OpenSeadragon;
    var width = parseFloat(scan.dataset.width) || 1, height = parseFloat(scan.dataset.height) || 1;
    var output = document.getElementById("zoom-level");
    var levels = [0.5, 0.75, 1, 1.25, 1.5, 2, 2.5, 3, 4, 6, 8, 12, 16];
    var level = 1;

    var box = document.createElement("div");
    box.id = "deepzoom";
    box.className = "deepzoom";
    scan.classList.add("deepzoom-on");
    scan.insertBefore(box, sheet);
    var viewer = OSD({
      element: box,
      /* the page carries its info.json (one round trip less before the first tile) */
      tileSources: scan.dataset.info ? JSON.parse(scan.dataset.info) : scan.dataset.iiif + "/info.json",
      showNavigationControl: false,
      keyboardNavEnabled: false,
      drawer: "canvas",
      visibilityRatio: 0.2,
      minZoomImageRatio: 0.3,
      maxZoomPixelRatio: 3,
      animationTime: 0.3,
      /* a first view asks for all its tiles at once: OpenSeadragon's default asks for ten in
         the first frame, then fewer each frame down to one, which spread a cold view's 14
         requests over several frames (one animation frame each, slow on a busy machine) */
      maxTilesPerFrame: 24,
      gestureSettingsMouse: { clickToZoom: false, dblClickToZoom: true },
      preserveImageSizeOnResize: true
    });
    sheet.hidden = true;

    /* 100 % = the page as wide as the pane (OpenSeadragon's zoom 1), as the plain viewer shows it */
    function show() {
      level = viewer.viewport.getZoom(true);
      if (output) output.textContent = Math.round(level * 100) + " %";
    }
    function zoomTo(newLevel) {
      level = newLevel;
      viewer.viewport.zoomTo(level, null, true);
      show();
    }
    function step(dir) {
      var i = 0, best = Infinity;
      levels.forEach(function (l, k) { var d = Math.abs(l - level); if (d < best) { best = d; i = k; } });
      zoomTo(levels[Math.max(0, Math.min(levels.length - 1, i + dir))]);
    }
    function fit() {  /* as wide as the pane, top of the page first */
      var vp = viewer.viewport;
      vp.zoomTo(1, null, true);
      var b = vp.getBounds(true);
      vp.panBy(new OSD.Point(0.5 - (b.x + b.width / 2), -b.y), true);
      show();
    }
    function pan(dx, dy) {
      var b = viewer.viewport.getBounds(true);
      viewer.viewport.panBy(new OSD.Point(dx * b.width, dy * b.height), true);
    }

    function loaded() {  /* every tile of the view drawn: when (ms since navigation), for bench/web.py */
      if (!scan.dataset.tilesMs) scan.dataset.tilesMs = String(Math.round(window.performance.now()));
      scan.dataset.tiles = "loaded";
    }
    viewer.addHandler("open", function () {
      var aspect = height / width;
      var image = viewer.world.getItemAt(0);
      if (image) aspect = image.getContentSize().y / image.getContentSize().x;
      overlay.removeAttribute("width");
      viewer.addOverlay({ element: overlay, location: new OSD.Rect(0, 0, 1, aspect) });
      image.addHandler("fully-loaded-change", function (e) {
        if (e.fullyLoaded) loaded();
      });
      fit();
      if (image.getFullyLoaded && image.getFullyLoaded()) loaded();
    });
    viewer.addHandler("open-failed", function () {  /* back to the plain image */
      viewer.destroy();
      box.remove();
      scan.classList.remove("deepzoom-on");
      plain();
      scan.dataset.tiles = "failed";
    });
    viewer.addHandler("zoom", function () { window.requestAnimationFrame(show); });

    function on(id, fn) { var el = document.getElementById(id); if (el) el.addEventListener("click", fn); }
    on("zoom-in", function () { step(1); });
    on("zoom-out", function () { step(-1); });
    on("zoom-fit", fit);

    scan.addEventListener("keydown", function (e) {
      if (e.ctrlKey || e.altKey || e.metaKey) return;
      var k = e.key, done = true;
      if (k === "+" || k === "=") step(1);
      else if (k === "-" || k === "_") step(-1);
      else if (k === "0") fit();
      else if (k === "ArrowDown") pan(0, 0.1);
      else if (k === "ArrowUp") pan(0, -0.1);
      else if (k === "ArrowRight") pan(0.1, 0);
      else if (k === "ArrowLeft") pan(-0.1, 0);
      else if (k === "PageDown" || (k === " " && !e.shiftKey)) pan(0, 0.8);
      else if (k === "PageUp" || (k === " " && e.shiftKey)) pan(0, -0.8);
      else done = false;
      if (done) { e.preventDefault(); e.stopPropagation(); }
    });
    document.addEventListener("keydown", function (e) {
      if (typing(e) || e.altKey || e.ctrlKey || e.metaKey) return;
      var link = null;
      if (e.key === "n") link = document.getElementById("next-page");
      if (e.key === "p") link = document.getElementById("prev-page");
      if (link) { window.location.href = link.href; }
    });
    window.bantinDeepZoom = viewer;  /* for the browser tests and the curious */
  }

  document.addEventListener("DOMContentLoaded", deepZoom);
})();
