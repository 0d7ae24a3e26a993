// Progressive enhancement only: GPS, a Leaflet map when online, photo previews and shrinking before upload.
(function () {
  "use strict";
  var lat = document.getElementById("latitude"), lon = document.getElementById("longitude");
  var status = document.getElementById("place-status");
  document.querySelectorAll(".js-only").forEach(function (el) { el.hidden = false; });

  function setPlace(a, b, text) {
    if (!lat) return;
    lat.value = a.toFixed(6); lon.value = b.toFixed(6);
    if (status) status.textContent = text || (lat.value + ", " + lon.value);
    if (marker) marker.setLatLng([a, b]); else if (map) marker = window.L.marker([a, b]).addTo(map);
  }
  var gps = document.getElementById("use-gps");
  if (gps && navigator.geolocation) {
    gps.addEventListener("click", function () {
      navigator.geolocation.getCurrentPosition(function (p) {
        setPlace(p.coords.latitude, p.coords.longitude);
        if (map) map.setView([p.coords.latitude, p.coords.longitude], 17);
      }, function () { if (status) status.textContent = "—"; }, { enableHighAccuracy: true, timeout: 15000 });
    });
  }

  // Leaflet (served by the portal) only when online: on the report form when the citizen asks for the map (so
  // the first view stays small), on the list at once. Everything works without it.
  var map = null, marker = null, mapEl = document.getElementById("map");
  var LEAFLET = "/portal/static/vendor/leaflet/";
  function loadLeaflet(done) {
    if (!navigator.onLine || !mapEl) return;
    if (window.L) { done(); return; }
    var css = document.createElement("link"); css.rel = "stylesheet"; css.href = LEAFLET + "leaflet.css";
    document.head.appendChild(css);
    var s = document.createElement("script"); s.src = LEAFLET + "leaflet.js";
    s.onload = done; s.onerror = function () { mapEl.hidden = true; }; document.head.appendChild(s);
  }
  function showMap() {
    if (map) return;
    var L = window.L; mapEl.hidden = false;
    map = L.map(mapEl);
    // The jurisdiction (its areas, else where its people work), as the server saw it: "south,west,north,east".
    var b = (mapEl.getAttribute("data-bounds") || "").split(",").map(parseFloat);
    if (b.length === 4 && b.every(isFinite)) map.fitBounds([[b[0], b[1]], [b[2], b[3]]]);
    else map.setView([16.0, 106.0], 5);  // no bounds given: the whole country, never one city
    L.tileLayer("https://tile.openstreetmap.org/{z}/{x}/{y}.png", { maxZoom: 19, attribution: "© OpenStreetMap" }).addTo(map);
    if (lat && lat.value) { setPlace(parseFloat(lat.value), parseFloat(lon.value)); map.setView([parseFloat(lat.value), parseFloat(lon.value)], 16); }
    if (lat) map.on("click", function (e) { setPlace(e.latlng.lat, e.latlng.lng); });
    var feed = mapEl.getAttribute("data-points");
    if (feed) fetch(feed).then(function (r) { return r.json(); }).then(function (data) {
      var pts = [];
      data.items.forEach(function (it) {
        if (it.latitude == null) return;
        pts.push([it.latitude, it.longitude]);
        L.marker([it.latitude, it.longitude]).addTo(map).bindPopup('<a href="' + it.url + '">' + it.code + "</a>");
      });
      if (pts.length) map.fitBounds(pts, { maxZoom: 16 });
    });
  }
  var pick = document.getElementById("pick-on-map");
  if (mapEl && mapEl.getAttribute("data-on-demand")) {
    if (pick) pick.addEventListener("click", function () { loadLeaflet(showMap); });
  } else {
    loadLeaflet(showMap);
  }

  // Photos: preview, and shrink large ones to 1600 px JPEG before upload (the server strips metadata anyway).
  var input = document.getElementById("photos"), previews = document.getElementById("previews");
  if (input && window.DataTransfer && window.createImageBitmap) {
    input.addEventListener("change", function () {
      var files = Array.prototype.slice.call(input.files, 0, 5);
      previews.innerHTML = "";
      Promise.all(files.map(shrink)).then(function (out) {
        var dt = new DataTransfer();
        out.forEach(function (f) {
          dt.items.add(f);
          var img = document.createElement("img"); img.src = URL.createObjectURL(f); img.alt = ""; previews.appendChild(img);
        });
        input.files = dt.files;
      });
    });
  }
  function shrink(file) {
    if (file.size < 1500000 || !/^image\/(jpeg|png|webp)$/.test(file.type)) return Promise.resolve(file);
    return createImageBitmap(file, { imageOrientation: "from-image" }).then(function (bmp) {
      var scale = Math.min(1, 1600 / Math.max(bmp.width, bmp.height));
      var c = document.createElement("canvas"); c.width = Math.round(bmp.width * scale); c.height = Math.round(bmp.height * scale);
      c.getContext("2d").drawImage(bmp, 0, 0, c.width, c.height);
      return new Promise(function (res) {
        c.toBlob(function (b) { res(b ? new File([b], file.name.replace(/\.\w+$/, "") + ".jpg", { type: "image/jpeg" }) : file); }, "image/jpeg", 0.85);
      });
    }).catch(function () { return file; });
  }
})();
