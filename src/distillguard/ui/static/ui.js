// distillguard UI: draws the charts a page carries as JSON data blocks.
// Data blocks (<script type="application/json">) are never executed; this file is the only
// script a page runs besides plotly.js, both served by the app (CSP: script-src 'self').
(function () {
  "use strict";
  function draw() {
    var holders = document.querySelectorAll("[data-figure]");
    for (var i = 0; i < holders.length; i++) {
      var holder = holders[i];
      var source = document.getElementById(holder.getAttribute("data-figure"));
      if (!source || typeof Plotly === "undefined") { continue; }
      var figure = JSON.parse(source.textContent);
      Plotly.newPlot(holder, figure.data, figure.layout,
                     {displaylogo: false, displayModeBar: false, responsive: true});
    }
    document.documentElement.setAttribute("data-charts-drawn", String(holders.length));
  }
  // Confirmation before dismissing or confirming many accounts at once.
  function guardForms() {
    var forms = document.querySelectorAll("form[data-confirm]");
    for (var i = 0; i < forms.length; i++) {
      forms[i].addEventListener("submit", function (event) {
        var message = this.getAttribute("data-confirm");
        if (message && !window.confirm(message)) { event.preventDefault(); }
      });
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { draw(); guardForms(); });
  } else {
    draw();
    guardForms();
  }
})();
