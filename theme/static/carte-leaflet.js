/* Helpers of the map pages (carte/…/map.js, written by Folium: see plugins/mednum/maps.py):
   French labels, a name, a metric scale, keyboard and focus handling for the map, motion that
   follows prefers-reduced-motion, and the help points as markers. */
"use strict";
/* In the iframe of « Afficher la carte », the page around has the site's header and footer:
   the map page shows the map alone. static/carte.js asks for it with #mn-cadre in the address
   (read by the CSS before anything is drawn); framed some other way, this class does it. */
if (window.self !== window.top) { document.documentElement.classList.add("mn-cadre"); }
/* Less motion when the person asks for it (read once, before map.js makes the map): no zoom,
   fade or marker animation, no inertia after a drag; clusters and pans without animation. */
var mnReducedMotion = !!(window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches);
if (mnReducedMotion && window.L) {
  L.Map.mergeOptions({zoomAnimation: false, fadeAnimation: false, markerZoomAnimation: false, inertia: false});
}
/* Focus a marker where it is shown: its icon, or the cluster it is in; else the map. */
function mnFocusLayer(map, layer) {
  var group = window.mnMarkers, box = map.getContainer();
  var shown = group && group.getVisibleParent ? group.getVisibleParent(layer) : layer;
  (shown && shown._icon && box.contains(shown._icon) ? shown._icon : box).focus();
}
function mnAccessible(map, label) {
  var box = map.getContainer();
  box.setAttribute("role", "region");
  box.setAttribute("aria-label", label);
  window.mnMap = map;
  L.control.zoom({zoomInTitle: "Zoomer", zoomOutTitle: "Dézoomer"}).addTo(map);
  L.control.scale({imperial: false}).addTo(map);
  map.attributionControl.setPrefix('<a href="https://leafletjs.com/">Leaflet</a>');
  if (mnReducedMotion) {
    /* Keyboard panning, popups brought into view, clusters zoomed to: a jump, not a glide. */
    var panBy = map.panBy;
    map.panBy = function (offset, options) {
      return panBy.call(this, offset, L.extend({}, options, {animate: false}));
    };
  }
  /* What is announced as a button (zoom buttons, markers, clusters, a popup's close button:
     <a role="button"> or role="button" with tabindex) also answers Space, as a button does,
     without scrolling the page. */
  box.addEventListener("keydown", function (e) {
    var target = e.target;
    if ((e.key === " " || e.key === "Spacebar") && target !== box && target.tagName !== "BUTTON" &&
        target.getAttribute("role") === "button") {
      e.preventDefault();
      if (!e.repeat) { target.click(); }
    }
  });
  map.on("popupopen", function (e) {
    var root = e.popup.getElement();
    var close = root.querySelector(".leaflet-popup-close-button");
    if (close) { close.setAttribute("aria-label", "Fermer"); close.setAttribute("title", "Fermer"); }
    /* Leaflet closes popups on Escape only when the map itself has the focus. */
    root.addEventListener("keydown", function (k) {
      if (k.key === "Escape" || k.key === "Esc") { k.preventDefault(); map.closePopup(); }
    });
    var link = root.querySelector(".leaflet-popup-content a");
    if (link) { link.focus(); }
  });
  /* A popup closed while the focus was in it (or is gone with it): back to its marker. */
  map.on("popupclose", function (e) {
    var root = e.popup.getElement(), active = document.activeElement, source = e.popup._source;
    var lost = !active || active === document.body || active === box || (root && root.contains(active));
    if (source && lost) { mnFocusLayer(map, source); }
  });
}
function mnPopup(p) {
  var box = document.createElement("p"), a = document.createElement("a");
  box.className = "mn-popup";
  a.href = "/" + p.url;
  a.target = "_top";
  a.textContent = p.nom;
  box.appendChild(a);
  [p.commune, p.detail].forEach(function (text) {
    if (text) { box.appendChild(document.createElement("br")); box.appendChild(document.createTextNode(text)); }
  });
  if (p.exemple) {
    var note = document.createElement("strong");
    note.textContent = "Exemple, lieu fictif";
    box.appendChild(document.createElement("br"));
    box.appendChild(note);
  }
  return box;
}
/* A cluster: its count, and what pressing it does, for screen readers. */
function mnClusterIcon(cluster) {
  var n = cluster.getChildCount(), size = n < 10 ? "small" : n < 100 ? "medium" : "large";
  return L.divIcon({
    html: "<div><span>" + n + '<span class="mn-sr"> lieux, zoomer</span></span></div>',
    className: "marker-cluster marker-cluster-" + size,
    iconSize: L.point(40, 40)
  });
}
/* A cluster opened (Enter, Space or a click) zooms in, or spreads its markers out, and its icon
   goes away: the focus moves to the first of what shows in its place (a marker or a smaller
   cluster, in the order of Tab), unless the person has moved it elsewhere meanwhile. */
function mnClusterFocus(map, group) {
  var box = map.getContainer(), opened = null;
  group.on("clusterclick clusterkeypress", function (e) {
    if (e.type === "clusterkeypress" && e.originalEvent.keyCode !== 13) { return; }
    opened = {icon: e.layer._icon, markers: e.layer.getAllChildMarkers(), at: Date.now()};
  });
  group.on("animationend spiderfied", function (e) {
    var was = opened;
    if (!was || Date.now() - was.at > 2000) { opened = null; return; }
    if (e.type === "animationend" && group._inZoomAnimation) { return; }
    opened = null;
    var icons = [];
    (e.type === "spiderfied" ? e.markers : was.markers).forEach(function (m) {
      var shown = group.getVisibleParent(m);
      if (shown && shown._icon && shown._icon !== was.icon && icons.indexOf(shown._icon) < 0) { icons.push(shown._icon); }
    });
    icons.sort(function (a, b) { return a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1; });
    /* After the group's own handler, which puts the focus on the map after Enter. */
    setTimeout(function () {
      var active = document.activeElement;
      if (active && active !== document.body && active !== box && active !== was.icon) { return; }
      (icons.filter(function (icon) { return box.contains(icon); })[0] || box).focus();
    }, 0);
  });
}
/* The help points of a map: a GeoJSON FeatureCollection, or the address of one (big maps). */
function mnPlaces(map, source, grouped) {
  var group = grouped
    ? L.markerClusterGroup({showCoverageOnHover: false, iconCreateFunction: mnClusterIcon, animate: !mnReducedMotion})
    : L.featureGroup();
  /* Before the group is on the map: its own handler may zoom, and end, at once. */
  if (grouped) { mnClusterFocus(map, group); }
  map.addLayer(group);
  window.mnMarkers = group;
  var box = map.getContainer();
  function show(data) {
    var markers = data.features.map(function (f) {
      var p = f.properties, c = f.geometry.coordinates, label = p.nom + ", " + p.commune;
      return L.marker([c[1], c[0]], {keyboard: true, title: label, alt: label}).bindPopup(mnPopup(p));
    });
    /* A cluster group adds thousands of markers at once far faster than one by one. */
    if (group.addLayers) { group.addLayers(markers); } else { markers.forEach(function (m) { group.addLayer(m); }); }
    box.setAttribute("data-markers", String(data.features.length));
  }
  if (typeof source !== "string") { show(source); return; }
  box.setAttribute("aria-busy", "true");
  fetch(source).then(function (r) {
    if (!r.ok) { throw new Error(r.status); }
    return r.json();
  }).then(show).catch(function () {
    var note = document.getElementById("mn-map-error");
    if (note) { note.hidden = false; }
  }).then(function () { box.removeAttribute("aria-busy"); });
}
