/* "Ouvert maintenant / Fermé" from the plan the build prepared: no opening_hours parsing here.
   data-start is the first day (YYYY-MM-DD); data-plan lists one day per "|", each a
   comma-separated list of HHMM-HHMM intervals (empty when closed). Hours are those of the
   place, in Paris time (data-tz to change it), whatever the time zone of the visitor's device. */
(function () {
  "use strict";
  var badges = document.querySelectorAll(".mn-open[data-plan]");
  if (!badges.length) { return; }
  var now = new Date();
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  /* Year, month, day, hour and minute at the place; the device's own time zone on browsers
     without Intl time zones (the badge may then be wrong by the time difference). */
  function localParts(timeZone) {
    try {
      var parts = {};
      new Intl.DateTimeFormat("en-GB", {
        timeZone: timeZone, hour12: false, year: "numeric", month: "numeric", day: "numeric",
        hour: "numeric", minute: "numeric"
      }).formatToParts(now).forEach(function (p) { parts[p.type] = parseInt(p.value, 10); });
      if (parts.year && parts.month && parts.day && parts.hour >= 0 && parts.minute >= 0) {
        return [parts.year, parts.month, parts.day, parts.hour % 24, parts.minute];
      }
    } catch (e) { /* no Intl time zone support */ }
    return [now.getFullYear(), now.getMonth() + 1, now.getDate(), now.getHours(), now.getMinutes()];
  }
  function words(hhmm) {
    var h = String(parseInt(hhmm.slice(0, 2), 10)), m = hhmm.slice(2);
    return h + "\u00a0h" + (m === "00" ? "" : "\u00a0" + m);  /* « 12 h 30 », never split, as on the page */
  }
  Array.prototype.forEach.call(badges, function (badge) {
    var start = (badge.getAttribute("data-start") || "").split("-");
    if (start.length !== 3) { return; }
    var here = localParts(badge.getAttribute("data-tz") || "Europe/Paris");
    var clock = pad(here[3]) + pad(here[4]);
    var index = Math.round((Date.UTC(here[0], here[1] - 1, here[2]) -
      Date.UTC(+start[0], +start[1] - 1, +start[2])) / 86400000);
    var days = badge.getAttribute("data-plan").split("|");
    /* The page is older than its plan: say nothing rather than guess. */
    if (!(index >= 0 && index < days.length)) { return; }
    var open = null, next = null;
    days[index].split(",").forEach(function (iv) {
      if (!iv) { return; }
      var p = iv.split("-");
      if (p[0] <= clock && clock < p[1]) { open = p; }
      else if (!next && p[0] > clock) { next = p; }
    });
    /* The words go beside the clock pictogram (theme/components/hours/macro.html). */
    var text = badge.querySelector(".mn-open__text") || badge;
    if (open) {
      text.textContent = "Ouvert maintenant, jusqu'à " + words(open[1]);
      badge.className += " mn-open--yes";
    } else {
      text.textContent = next ? "Fermé pour le moment, ouvre à " + words(next[0]) : "Fermé pour le reste de la journée";
      badge.className += " mn-open--no";
    }
    badge.hidden = false;
  });
})();
