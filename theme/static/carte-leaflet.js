/* Helpers of the map pages (carte/…/map.js, written by Folium: see plugins/mednum/maps.py):
   French labels, a name and focus handling for the map, and the help points as markers. */
"use strict";
function mnAccessible(map, label) {
  var box = map.getContainer();
  box.setAttribute("role", "region");
  box.setAttribute("aria-label", label);
  L.control.zoom({zoomInTitle: "Zoomer", zoomOutTitle: "Dézoomer"}).addTo(map);
  map.attributionControl.setPrefix('<a href="https://leafletjs.com/">Leaflet</a>');
  var opener = null;
  map.on("popupopen", function (e) {
    var source = e.popup._source;
    opener = source && source._icon ? source._icon : null;
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
  map.on("popupclose", function () {
    if (opener && document.body.contains(opener)) { opener.focus(); }
    opener = null;
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
/* The help points of a map: a GeoJSON FeatureCollection, or the address of one (big maps). */
function mnPlaces(map, source, grouped) {
  var group = grouped
    ? L.markerClusterGroup({showCoverageOnHover: false, iconCreateFunction: mnClusterIcon})
    : L.featureGroup();
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
