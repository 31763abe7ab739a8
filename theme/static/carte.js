/* « Afficher la carte » : the link to a map page becomes a button that shows the map in an
   iframe on this page. Nothing of the map is downloaded before the button is pressed; without
   JavaScript the link opens the map page. The list of places stays on the page. In the iframe,
   #mn-cadre asks the map page for the map alone, without the site's header and footer. */
(function () {
  "use strict";
  var links = document.querySelectorAll("a.mn-map-link");
  Array.prototype.forEach.call(links, function (link) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "mn-map-button";
    button.textContent = link.textContent;
    var frame = null, box = link.parentNode;
    button.addEventListener("click", function () {
      if (!frame) {
        frame = document.createElement("iframe");
        frame.src = link.href.split("#")[0] + "#mn-cadre";
        frame.title = link.getAttribute("data-title") || "Carte";
        frame.className = "mn-map-frame";
        frame.setAttribute("loading", "eager");
        frame.style.width = "100%";
        frame.style.height = "min(70vh, 32rem)";
        frame.style.border = "1px solid #b1b4b6";
        box.parentNode.insertBefore(frame, box.nextSibling);
      } else {
        frame.hidden = !frame.hidden;
      }
      button.textContent = frame.hidden ? link.textContent : "Masquer la carte";
    });
    link.parentNode.replaceChild(button, link);
  });
})();
