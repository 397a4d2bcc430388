/* Bản tin: small progressive enhancements; every page works without this file. */
(function () {
  "use strict";

  function typing(e) {
    var t = e.target;
    return t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName));
  }

  /* --- page viewer: zoom, pan, keyboard --------------------------------------------------- */
  function viewer() {
    var scan = document.getElementById("scan");
    var sheet = document.getElementById("sheet");
    var img = document.getElementById("scan-img");
    if (!scan || !sheet || !img) return;
    if (scan.dataset.iiif && window.OpenSeadragon) return;  /* deepzoom.js runs the viewer */
    var levels = [0.5, 0.75, 1, 1.25, 1.5, 2, 2.5, 3, 4];
    var zoom = 1;
    var output = document.getElementById("zoom-level");

    function apply(newZoom, cx, cy) {
      var before = sheet.getBoundingClientRect();
      var fx = cx === undefined ? 0.5 : (cx - before.left) / before.width;
      var fy = cy === undefined ? 0.5 : (cy - before.top) / before.height;
      var keepX = before.left + fx * before.width, keepY = before.top + fy * before.height;
      zoom = newZoom;
      sheet.style.width = (zoom * 100) + "%";
      if (zoom > 1.4 && img.dataset.large && img.getAttribute("src") !== img.dataset.large) {
        img.setAttribute("src", img.dataset.large);
      }
      var after = sheet.getBoundingClientRect();
      scan.scrollLeft += (after.left + fx * after.width) - keepX;
      scan.scrollTop += (after.top + fy * after.height) - keepY;
      if (output) output.textContent = Math.round(zoom * 100) + " %";
    }
    function step(dir, cx, cy) {
      var i = levels.indexOf(zoom);
      if (i < 0) i = 2;
      i = Math.max(0, Math.min(levels.length - 1, i + dir));
      apply(levels[i], cx, cy);
    }
    function on(id, fn) { var el = document.getElementById(id); if (el) el.addEventListener("click", fn); }
    on("zoom-in", function () { step(1); });
    on("zoom-out", function () { step(-1); });
    on("zoom-fit", function () { apply(1); });

    scan.addEventListener("keydown", function (e) {
      if (e.key === "+" || e.key === "=") { step(1); e.preventDefault(); }
      else if (e.key === "-" || e.key === "_") { step(-1); e.preventDefault(); }
      else if (e.key === "0") { apply(1); e.preventDefault(); }
    });
    scan.addEventListener("wheel", function (e) {
      if (!e.ctrlKey) return;
      e.preventDefault();
      step(e.deltaY < 0 ? 1 : -1, e.clientX, e.clientY);
    }, { passive: false });

    var drag = null;
    scan.addEventListener("pointerdown", function (e) {
      if (e.button !== 0) return;
      drag = { x: e.clientX, y: e.clientY, left: scan.scrollLeft, top: scan.scrollTop };
      scan.classList.add("dragging");
      scan.setPointerCapture(e.pointerId);
    });
    scan.addEventListener("pointermove", function (e) {
      if (!drag) return;
      scan.scrollLeft = drag.left - (e.clientX - drag.x);
      scan.scrollTop = drag.top - (e.clientY - drag.y);
    });
    function end() { drag = null; scan.classList.remove("dragging"); }
    scan.addEventListener("pointerup", end);
    scan.addEventListener("pointercancel", end);
    img.addEventListener("dragstart", function (e) { e.preventDefault(); });

    document.addEventListener("keydown", function (e) {
      if (typing(e) || e.altKey || e.ctrlKey || e.metaKey) return;
      var link = null;
      if (e.key === "n") link = document.getElementById("next-page");
      if (e.key === "p") link = document.getElementById("prev-page");
      if (link) { window.location.href = link.href; }
    });

    /* bring the first marked word into view once the image has its size */
    function showFirstHit() {
      var hit = document.querySelector(".overlay .hit");
      if (!hit) return;
      var r = hit.getBoundingClientRect(), s = scan.getBoundingClientRect();
      if (r.top < s.top || r.bottom > s.bottom) scan.scrollTop += r.top - s.top - s.height / 3;
      var mark = document.querySelector(".page-text mark.hit");
      if (mark && mark.scrollIntoView) {
        var pane = document.getElementById("page-text");
        pane.scrollTop = mark.offsetTop - pane.offsetTop - 40;
      }
    }
    if (img.complete) showFirstHit(); else img.addEventListener("load", showFirstHit, { once: true });
  }

  /* --- copy buttons ------------------------------------------------------------------------ */
  function copyButtons() {
    var buttons = document.querySelectorAll("[data-copy]");
    Array.prototype.forEach.call(buttons, function (button) {
      button.addEventListener("click", function () {
        var source = document.querySelector(button.getAttribute("data-copy"));
        var status = document.getElementById("copy-status");
        if (!source) return;
        var text = source.value || source.textContent;
        function done(ok) { if (status) status.textContent = ok ? "Đã sao chép." : "Hãy chọn và sao chép bằng tay (Ctrl+C)."; }
        function fallback() {
          source.focus(); source.select();
          var ok = false;
          try { ok = document.execCommand("copy"); } catch (err) { ok = false; }
          done(ok);
        }
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(text).then(function () { done(true); }, fallback);
        } else { fallback(); }
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { viewer(); copyButtons(); });
})();
