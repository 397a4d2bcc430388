/* Search page: on a narrow screen the facets panel, placed above the hits, starts closed,
   so the first hit is in view and the filters are one tap away (issue 20). Without this
   file the panel is open, above the hits on a phone and beside them on a wide screen. */
(function () {
  "use strict";
  var panel = document.getElementById("facets-panel");
  if (panel && window.matchMedia && window.matchMedia("(max-width: 899px)").matches) {
    panel.open = false;
  }
})();
