/* The map of the search page: every located result of the current search, on the outline of France.
 *
 * No tile server: Leaflet draws only the outline (vendor/france.geojson, built by `make assets` from
 * Natural Earth) and one circle per result, from /api/search/points with the page's parameters.
 * The map is an enhancement: without JavaScript its section stays hidden and the list gives
 * everything; the map itself is hidden from screen readers and out of the keyboard's path, and a
 * sentence says how many results it shows.
 */
(function () {
  "use strict";

  var section = document.getElementById("carte-section");
  if (!section || !window.L || !window.fetch) {
    return;
  }
  var summary = document.getElementById("carte-resume");
  var METROPOLE = L.latLngBounds([41.3, -5.2], [51.1, 9.6]);
  var number = new Intl.NumberFormat("fr-FR");
  var still = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  section.hidden = false;
  section.setAttribute("data-state", "loading");
  var map = L.map("carte", {
    keyboard: false, // the container would take the focus inside an aria-hidden region
    zoomControl: false,
    attributionControl: false, // credited in the text below the map
    minZoom: 2,
    maxZoom: 12,
    zoomSnap: 0.25,
    fadeAnimation: !still,
    zoomAnimation: !still,
    markerZoomAnimation: !still
  });
  L.control.zoom({ zoomInTitle: "Rapprocher", zoomOutTitle: "Éloigner" }).addTo(map);
  map.fitBounds(METROPOLE);
  unfocusable(map.getContainer());
  map.on("popupopen", function (event) {
    unfocusable(event.popup.getElement());
  });

  function unfocusable(element) {
    // Links of the zoom control and of the popups: reachable with a pointer, not with Tab, since the
    // map is aria-hidden; the list gives the same links to the keyboard.
    if (!element) {
      return;
    }
    var links = element.querySelectorAll("a, button");
    for (var i = 0; i < links.length; i++) {
      links[i].setAttribute("tabindex", "-1");
    }
  }

  function getJSON(url) {
    return fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" }).then(function (r) {
      if (!r.ok) {
        throw new Error("HTTP " + r.status);
      }
      return r.json();
    });
  }

  var outline = getJSON(section.getAttribute("data-outline")).then(
    function (geojson) {
      L.geoJSON(geojson, {
        interactive: false,
        style: { className: "carte-france", color: "#4a4a4a", weight: 1, fillColor: "#ffffff", fillOpacity: 1 }
      }).addTo(map);
      return true;
    },
    function () {
      return false; // the points are still worth showing
    }
  );

  var points = getJSON(section.getAttribute("data-points")).then(function (body) {
    var layer = L.featureGroup();
    var markers = [];
    body.points.forEach(function (point) {
      var link = document.createElement("a");
      link.href = point.url;
      link.textContent = point.title;
      var marker = L.circleMarker([point.lat, point.lon], {
        className: "carte-point",
        radius: 7,
        color: "#ffffff",
        weight: 2,
        fillColor: "#00527a",
        fillOpacity: 0.9
      }).bindPopup(link);
      marker.bindTooltip(point.title, { direction: "top", offset: [0, -6] });
      layer.addLayer(marker);
      markers.push([marker, point.id]);
    });
    layer.addTo(map);
    markers.forEach(function (pair) {
      pair[0].getElement().setAttribute("data-id", pair[1]);
    });
    return body;
  });

  Promise.all([outline, points]).then(
    function (done) {
      var body = done[1];
      var shown = body.points.length;
      if (shown) {
        var bounds = L.latLngBounds(METROPOLE.getSouthWest(), METROPOLE.getNorthEast());
        body.points.forEach(function (p) {
          bounds.extend([p.lat, p.lon]);
        });
        map.fitBounds(bounds, { padding: [12, 12], maxZoom: 9 });
      }
      summary.textContent = sentence(shown, body.total, body.truncated, body.limit);
      section.setAttribute("data-located", String(shown));
      section.setAttribute("data-state", "ready");
    },
    function () {
      summary.textContent =
        "La carte n'a pas pu être chargée ; la liste des résultats donne toutes les innovations.";
      section.setAttribute("data-state", "error");
    }
  );

  function sentence(shown, total, truncated, limit) {
    var list = "la liste des résultats les donne toutes.";
    if (shown === 0) {
      return "Aucune de ces innovations n'a de lieu connu : la carte est vide ; " + list;
    }
    var text =
      shown === 1
        ? "1 innovation localisée sur la carte"
        : number.format(shown) + " innovations localisées sur la carte";
    if (truncated) {
      text += " (les " + number.format(limit) + " premières seulement)";
    } else if (shown < total) {
      text += " sur " + number.format(total);
    }
    return text + " ; " + (total === 1 ? "la liste des résultats la donne aussi." : list);
  }
})();
