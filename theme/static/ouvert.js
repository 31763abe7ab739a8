/* "Ouvert maintenant / Fermé" from the plan the build prepared: no opening_hours parsing here.
   data-start is the first day (YYYY-MM-DD); data-plan lists one day per "|", each a
   comma-separated list of HHMM-HHMM intervals (empty when closed). */
(function () {
  "use strict";
  var badges = document.querySelectorAll(".mn-open[data-plan]");
  if (!badges.length) { return; }
  var now = new Date();
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  var clock = pad(now.getHours()) + pad(now.getMinutes());
  function words(hhmm) {
    var h = String(parseInt(hhmm.slice(0, 2), 10)), m = hhmm.slice(2);
    return h + " h" + (m === "00" ? "" : " " + m);
  }
  Array.prototype.forEach.call(badges, function (badge) {
    var start = (badge.getAttribute("data-start") || "").split("-");
    if (start.length !== 3) { return; }
    var first = new Date(+start[0], +start[1] - 1, +start[2]);
    var today = new Date(now.getFullYear(), now.getMonth(), now.getDate());
    var index = Math.round((today - first) / 86400000);
    var days = badge.getAttribute("data-plan").split("|");
    /* The page is older than its plan: say nothing rather than guess. */
    if (index < 0 || index >= days.length) { return; }
    var open = null, next = null;
    days[index].split(",").forEach(function (iv) {
      if (!iv) { return; }
      var p = iv.split("-");
      if (p[0] <= clock && clock < p[1]) { open = p; }
      else if (!next && p[0] > clock) { next = p; }
    });
    if (open) {
      badge.textContent = "Ouvert maintenant, jusqu'à " + words(open[1]);
      badge.className += " mn-open--yes";
    } else {
      badge.textContent = next ? "Fermé pour le moment, ouvre à " + words(next[0]) : "Fermé pour le reste de la journée";
      badge.className += " mn-open--no";
    }
    badge.hidden = false;
  });
})();
