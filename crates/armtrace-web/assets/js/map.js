// The recovery map: country outlines (world-atlas, no tile layer), clustered recovery
// points from GET /api/map/points?<page query>, and with ?spread=<ref> the shipment
// spread from GET /api/items/<ref>/links: linked items in recovery-date order, joined
// by lines, listed in the side panel.
//
// SVG rendering only (no canvas tricks, no WebGL), so headless Chromium draws it.
(function () {
  "use strict";

  var A = window.Armtrace;
  var esc = A.escapeHtml;
  var mapEl = document.getElementById("map");
  if (!mapEl || !window.L) return;

  var CATEGORIES = {
    weapon: { label: "Weapon", color: "#1d4f8c" },
    ammunition: { label: "Ammunition", color: "#b45309" },
    ied_component: { label: "IED component", color: "#a8201a" },
    chemical_precursor: { label: "Chemical precursor", color: "#6d28d9" },
    other: { label: "Other", color: "#4b5563" },
  };
  var RUN_COLOR = "#c2410c";
  var LOT_COLOR = "#0f766e";
  var ATLAS = "/assets/vendor/world-atlas-2.0.2/countries-50m.json";

  var spreadRef = mapEl.getAttribute("data-spread") || "";
  var countEl = document.getElementById("map-count");
  var noteEl = document.getElementById("map-note");
  var legendEl = document.getElementById("map-legend");
  var panelEl = document.getElementById("spread-panel");

  var map = L.map(mapEl, {
    center: [30, 30],
    zoom: 3,
    minZoom: 2,
    maxZoom: 14,
    zoomSnap: 0.5,
    worldCopyJump: false,
    maxBounds: [[-75, -240], [85, 240]],
    maxBoundsViscosity: 0.8,
    // SVG (no canvas, no WebGL); the generous padding keeps outlines drawn while
    // panning and across a late resize (headless Chromium screenshots resize the page
    // at capture time).
    renderer: L.svg({ padding: 0.5 }),
  });
  map.attributionControl.setPrefix(false);
  map.attributionControl.addAttribution("Outlines: Natural Earth");
  L.control.scale({ imperial: false }).addTo(map);
  // Leaflet measures its container once; follow later layout changes (side panel,
  // window resizes, print) so the SVG layers are not clipped.
  if (window.ResizeObserver) {
    new ResizeObserver(function () { map.invalidateSize({ pan: false }); }).observe(mapEl);
  }

  // Spread markers and lines sit above the clusters.
  map.createPane("spread");
  map.getPane("spread").style.zIndex = 650;

  // ---- legend ----
  function swatch(color, label, line) {
    return '<span><span class="swatch' + (line ? " line" : "") + '" style="background:' + color + '"></span>' + esc(label) + "</span>";
  }
  legendEl.innerHTML = spreadRef
    ? swatch(RUN_COLOR, "Serial run (numbered in order of recovery)") + swatch(LOT_COLOR, "Shared lot")
    : Object.keys(CATEGORIES).map(function (key) { return swatch(CATEGORIES[key].color, CATEGORIES[key].label); }).join("");

  // ---- countries ----
  var countryCounts = {}; // alpha-2 -> number of points on the map
  var countriesLayer = null;

  function countryStyle(feature) {
    var code = A.featureCountry(feature);
    var has = code && countryCounts[code];
    return {
      color: "#8b96a3",
      weight: 0.7,
      fillColor: has ? "#f3e7cf" : "#fbfaf7",
      fillOpacity: 1,
    };
  }

  // Shade the countries that hold points: the recoveries, or the spread's members.
  function setCountryCounts(counts) {
    countryCounts = counts;
    if (countriesLayer) countriesLayer.setStyle(countryStyle);
  }

  function loadCountries() {
    return fetch(ATLAS).then(function (r) {
      if (!r.ok) throw new Error("country outlines: " + r.status);
      return r.json();
    }).then(function (topo) {
      var geo = topojson.feature(topo, topo.objects.countries);
      geo.features = geo.features.filter(function (f) { return f.id !== "010"; }); // Antarctica
      countriesLayer = L.geoJSON(geo, {
        style: countryStyle,
        onEachFeature: function (feature, layer) {
          var code = A.featureCountry(feature);
          var name = code ? A.countryName(code) : feature.properties.name;
          layer.bindTooltip(function () {
            var n = code ? countryCounts[code] || 0 : 0;
            return esc(name) + (n ? " · " + A.fmtNumber(n) + " on the map" : "");
          }, { sticky: true, className: "country-tip", direction: "top", offset: [0, -6] });
          if (code && !spreadRef) {
            layer.on("click", function (e) {
              var params = A.cleanParams(location.search);
              params.set("recovered_country", code);
              L.popup()
                .setLatLng(e.latlng)
                .setContent("<strong>" + esc(name) + "</strong><br>" +
                  (countryCounts[code] ? A.fmtNumber(countryCounts[code]) + " on the map<br>" : "") +
                  '<a href="/map?' + esc(params.toString()) + '">Show only recoveries in ' + esc(name) + "</a>")
                .openOn(map);
            });
          }
        },
      }).addTo(map);
      countriesLayer.bringToBack();
    }).catch(function (err) {
      console.warn("armtrace map:", err);
    });
  }

  // ---- recovery points ----
  var clusters = L.markerClusterGroup({
    showCoverageOnHover: false,
    maxClusterRadius: 45,
    spiderfyOnMaxZoom: true,
    chunkedLoading: true,
  });

  function itemPopup(p, extra) {
    var cat = CATEGORIES[p.category];
    var title = p.model || (cat ? cat.label : p.category) || p.ref;
    var rows = [
      ["Ref", '<span class="mono">' + esc(p.ref) + "</span>"],
      p.category === undefined ? null : ["Category", esc(cat ? cat.label : p.category || "—")],
      p.manufacturer ? ["Manufacturer", esc(p.manufacturer)] : null,
      ["Serial", p.serial_number ? '<span class="mono">' + esc(p.serial_number) + "</span>" : '<span class="muted">none recorded</span>'],
      ["Recovered", esc(p.recovered_on || "date unknown")],
      ["Place", esc([p.recovered_place, p.recovered_country ? A.countryName(p.recovered_country) : null].filter(Boolean).join(", ") || "—")],
    ];
    return "<h3>" + esc(title) + "</h3><dl class=\"kv\">" +
      rows.filter(Boolean).map(function (r) { return "<dt>" + r[0] + "</dt><dd>" + r[1] + "</dd>"; }).join("") +
      "</dl>" + (extra || "") +
      '<p style="margin:.5rem 0 0"><a href="/items/' + encodeURIComponent(p.ref) + '">Open item →</a>' +
      (spreadRef ? "" : ' · <a href="/map?spread=' + encodeURIComponent(p.ref) + '">Shipment spread</a>') + "</p>";
  }

  // report: write the count into the status line (not when the spread is the subject).
  function loadPoints(report) {
    var params = A.cleanParams(location.search, ["spread"]);
    var qs = params.toString();
    return A.fetchJson("/api/map/points" + (qs ? "?" + qs : "")).then(function (data) {
      var features = (data && data.features) || [];
      var markers = [];
      var counts = {};
      features.forEach(function (f) {
        if (!f.geometry || !f.geometry.coordinates) return;
        var c = f.geometry.coordinates;
        var p = f.properties || {};
        var cat = CATEGORIES[p.category] || CATEGORIES.other;
        var m = L.circleMarker([c[1], c[0]], {
          radius: 6,
          color: "#ffffff",
          weight: 1.5,
          fillColor: cat.color,
          fillOpacity: 0.9,
          className: "recovery-point",
        });
        m.bindPopup(function () { return itemPopup(p); }, { maxWidth: 320 });
        markers.push(m);
        if (p.recovered_country) counts[p.recovered_country] = (counts[p.recovered_country] || 0) + 1;
      });
      clusters.clearLayers();
      clusters.addLayers(markers);
      if (report) setCountryCounts(counts);

      if (!report) return markers;
      var total = typeof data.total === "number" ? data.total : markers.length;
      countEl.textContent = A.fmtNumber(total) + (total === 1 ? " item" : " items") + " on the map";
      if (data.truncated) {
        noteEl.textContent = "Showing " + A.fmtNumber(markers.length) + " of them; narrow the filters to see every point.";
      } else if (!total) {
        noteEl.textContent = qs ? "No item with coordinates matches these filters." : "No item with coordinates yet.";
      } else {
        noteEl.textContent = "";
      }
      return markers;
    }).catch(function (err) {
      if (!report) return [];
      countEl.textContent = "The recoveries could not be loaded:";
      noteEl.textContent = err.message + ".";
      return [];
    });
  }

  // ---- shipment spread ----
  function byRecovery(a, b) {
    // Unknown dates last; partial dates ("2016", "2016-07") sort before full ones of the same period.
    if (!a.recovered_on && !b.recovered_on) return 0;
    if (!a.recovered_on) return 1;
    if (!b.recovered_on) return -1;
    return a.recovered_on < b.recovered_on ? -1 : a.recovered_on > b.recovered_on ? 1 : 0;
  }

  function withPrefix(prefix, n) {
    var s = String(n);
    return prefix && s.indexOf(prefix) !== 0 ? prefix + s : s;
  }

  function groupTitle(g) {
    if (g.kind === "run") {
      var range = g.from != null && g.to != null ? withPrefix(g.prefix, g.from) + "–" + withPrefix(g.prefix, g.to) : "";
      return "Serial run" + (g.model ? ": " + esc(g.model) : "") + (range ? ' <span class="mono">' + esc(range) + "</span>" : "");
    }
    return "Shared lot" + (g.manufacturer ? ": " + esc(g.manufacturer) : "") +
      (g.lot_number ? ' lot <span class="mono">' + esc(g.lot_number) + "</span>" : "");
  }

  function loadSpread() {
    return A.fetchJson("/api/items/" + encodeURIComponent(spreadRef) + "/links").then(function (data) {
      var groups = [];
      (data.runs || []).forEach(function (r) { groups.push(Object.assign({ kind: "run" }, r)); });
      (data.lots || []).forEach(function (l) { groups.push(Object.assign({ kind: "lot" }, l)); });
      var layer = L.featureGroup();
      var html = "";
      var counts = {};
      groups.forEach(function (g) {
        var color = g.kind === "run" ? RUN_COLOR : LOT_COLOR;
        var members = (g.members || []).slice().sort(byRecovery);
        var path = [];
        var placed = 0;
        html += '<div class="group"><h2>' + groupTitle(g) + "</h2>" +
          '<p class="small muted">' + A.fmtNumber(members.length) + " items, in order of recovery.</p><ol>";
        members.forEach(function (m, i) {
          m = Object.assign({ model: g.model, manufacturer: g.manufacturer }, m);
          var hasPoint = m.latitude != null && m.longitude != null;
          var label = String(i + 1);
          if (hasPoint) {
            if (m.recovered_country) counts[m.recovered_country] = (counts[m.recovered_country] || 0) + 1;
            var ll = [m.latitude, m.longitude];
            path.push(ll);
            placed++;
            var icon = L.divIcon({
              className: "",
              html: '<div class="spread-marker' + (g.kind === "lot" ? " lot" : "") + '"' +
                (m.ref === spreadRef ? ' style="box-shadow:0 0 0 3px #111"' : "") + ">" + label + "</div>",
              iconSize: [24, 24],
              iconAnchor: [12, 12],
            });
            L.marker(ll, { icon: icon, pane: "spread", title: m.ref, riseOnHover: true })
              .bindPopup(itemPopup(m, '<p class="small muted" style="margin:.3rem 0 0">' +
                (g.kind === "run" ? "Serial run" : "Shared lot") + ", recovery " + label + " of " + members.length + "</p>"), { maxWidth: 320 })
              .addTo(layer);
          }
          var place = [m.recovered_place, m.recovered_country ? A.countryName(m.recovered_country) : null].filter(Boolean).join(", ");
          html += "<li" + (m.ref === spreadRef ? ' aria-current="true" style="font-weight:600"' : "") + '><a href="/items/' + encodeURIComponent(m.ref) + '">' + esc(m.ref) + "</a>" +
            (m.serial_number ? ' <span class="mono">' + esc(m.serial_number) + "</span>" : "") +
            '<span class="muted">' + esc(m.recovered_on || "date unknown") + (place ? " · " + esc(place) : "") +
            (hasPoint ? "" : " · no coordinates") + "</span></li>";
        });
        html += "</ol></div>";
        if (path.length > 1) {
          L.polyline(path, { pane: "spread", color: color, weight: 2.5, opacity: 0.85, dashArray: g.kind === "lot" ? "6 5" : null })
            .addTo(layer);
        }
        g.placed = placed;
      });
      if (!groups.length) {
        html = '<h2>No linked items</h2><p class="muted"><span class="mono">' + esc(spreadRef) +
          "</span> is not linked to another item by a serial run or a shared lot.</p>";
      }
      panelEl.innerHTML = html;
      setCountryCounts(counts);
      layer.addTo(map);
      var placedTotal = groups.reduce(function (n, g) { return n + g.placed; }, 0);
      var memberTotal = groups.reduce(function (n, g) { return n + (g.members || []).length; }, 0);
      countEl.textContent = groups.length
        ? groups.map(function (g) {
          return (g.kind === "run" ? "Serial run of " : "Shared lot of ") + A.fmtNumber((g.members || []).length);
        }).join(" · ")
        : "No linked items";
      noteEl.textContent = placedTotal < memberTotal ? A.fmtNumber(memberTotal - placedTotal) + " without coordinates (listed, not drawn)." : "";
      if (layer.getLayers().length) map.fitBounds(layer.getBounds().pad(0.25), { maxZoom: 9, animate: false });
      return layer;
    }).catch(function (err) {
      setCountryCounts({});
      panelEl.innerHTML = '<h2>Linked items</h2><div class="flash flash-error" role="alert">' +
        (err.status === 404 ? "There is no item <span class=\"mono\">" + esc(spreadRef) + "</span>, or it is not visible to you."
          : "The links could not be loaded: " + esc(err.message) + ".") + "</div>";
      countEl.textContent = "";
      return null;
    });
  }

  // ---- go ----
  loadCountries();
  if (spreadRef) {
    // The spread is the subject; the other recoveries stay available as a layer.
    var spreadLoaded = loadSpread();
    loadPoints(false).then(function () {
      return spreadLoaded;
    }).then(function (layer) {
      var overlays = { "All recoveries": clusters };
      if (layer) overlays["Shipment spread"] = layer;
      L.control.layers(null, overlays, { collapsed: false }).addTo(map);
    });
  } else {
    clusters.addTo(map);
    loadPoints(true).then(function (markers) {
      if (!markers.length) return;
      // From the markers, not the cluster group: it adds them in chunks.
      var bounds = L.latLngBounds(markers.map(function (m) { return m.getLatLng(); }));
      map.fitBounds(bounds.pad(0.15), { maxZoom: 8, animate: false });
    });
  }
})();
