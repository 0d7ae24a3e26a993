// The admin's area editor: click points on a Leaflet map to draw a boundary; drag a point to move it.
// Progressive enhancement: without JavaScript the GeoJSON textarea is the editor, and the server validates
// either way (closed ring, coordinates in range, no crossing, limits).
(function () {
  "use strict";
  var text = document.getElementById("polygon"), mapEl = document.getElementById("area-map");
  if (!text || !mapEl) return;
  var L, map, shape = null, extra = null, markers = [], points = [];  // points: [lat, lng], ring left open

  function load(done) {
    var base = mapEl.getAttribute("data-leaflet");
    var css = document.createElement("link"); css.rel = "stylesheet"; css.href = base + "leaflet.css";
    document.head.appendChild(css);
    var s = document.createElement("script"); s.src = base + "leaflet.js"; s.onload = done;
    document.head.appendChild(s);
  }

  function fromText() {
    points = []; if (extra) { map.removeLayer(extra); extra = null; }
    var data; try { data = JSON.parse(text.value || "null"); } catch (e) { return; }
    if (data && data.type === "Feature") data = data.geometry;
    if (!data) return;
    if (data.type === "Polygon" && data.coordinates.length === 1) {
      var ring = data.coordinates[0].slice(0, -1);
      points = ring.map(function (p) { return [p[1], p[0]]; });
    } else {
      // Holes or several polygons: shown, and replaced if the admin starts clicking.
      extra = L.geoJSON(data, { style: { color: "#666", dashArray: "4" } }).addTo(map);
    }
  }

  function toText() {
    if (points.length < 3) { text.value = ""; return; }
    var ring = points.map(function (p) { return [round(p[1]), round(p[0])]; });
    ring.push(ring[0].slice());
    text.value = JSON.stringify({ type: "Polygon", coordinates: [ring] });
  }
  function round(v) { return Math.round(v * 1e6) / 1e6; }

  function draw() {
    if (shape) map.removeLayer(shape);
    markers.forEach(function (m) { map.removeLayer(m); }); markers = [];
    shape = points.length >= 3 ? L.polygon(points, { color: "#b3261e" }).addTo(map)
      : L.polyline(points, { color: "#b3261e" }).addTo(map);
    points.forEach(function (p, i) {
      var m = L.marker(p, { draggable: true, keyboard: false, title: String(i + 1),
        icon: L.divIcon({ className: "area-point", iconSize: [14, 14] }) }).addTo(map);
      m.on("drag", function (e) { points[i] = [e.latlng.lat, e.latlng.lng]; shape.setLatLngs(points); });
      m.on("dragend", function () { toText(); });
      markers.push(m);
    });
    var count = document.getElementById("area-count");
    if (count) count.textContent = String(points.length);
  }

  load(function () {
    L = window.L; mapEl.hidden = false;
    document.querySelectorAll(".js-only").forEach(function (el) { el.hidden = false; });
    var center = (mapEl.getAttribute("data-center") || "14.5,109.0").split(",").map(Number);
    map = L.map(mapEl).setView(center, 13);
    L.tileLayer("https://tile.openstreetmap.org/{z}/{x}/{y}.png",
      { maxZoom: 19, attribution: "© OpenStreetMap" }).addTo(map);
    fromText(); draw();
    var bounds = extra ? extra.getBounds() : (points.length ? L.latLngBounds(points) : null);
    if (bounds && bounds.isValid()) map.fitBounds(bounds, { maxZoom: 17 });
    map.on("click", function (e) {
      if (extra) { map.removeLayer(extra); extra = null; }
      points.push([e.latlng.lat, e.latlng.lng]); draw(); toText();
    });
    document.getElementById("area-undo").addEventListener("click", function () { points.pop(); draw(); toText(); });
    document.getElementById("area-clear").addEventListener("click", function () {
      points = []; if (extra) { map.removeLayer(extra); extra = null; } draw(); toText();
    });
    text.addEventListener("change", function () { fromText(); draw(); });
  });
})();
