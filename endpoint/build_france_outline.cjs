#!/usr/bin/env node
// The outline of France drawn by the search page's map, built at set-up (`make assets`) from two
// npm packages: world-atlas (Natural Earth 1:50m admin-0 countries, TopoJSON, public domain) and
// topojson-client (TopoJSON -> GeoJSON). France is ISO 3166-1 numeric "250": metropolitan France,
// Corsica and the overseas departments as Natural Earth draws them.
//
//   node endpoint/build_france_outline.cjs [node_modules] [out.geojson]
//
// Coordinates are rounded to 3 decimals (about 100 m) and repeated points dropped: the file stays
// small (tens of kB) for an outline drawn at country scale.
"use strict";

const fs = require("fs");
const path = require("path");

const FRANCE = "250";
const DECIMALS = 3;

function main() {
  const nodeModules = path.resolve(process.argv[2] || "node_modules");
  const out = path.resolve(process.argv[3] || "endpoint/static/vendor/france.geojson");
  const topojson = require(path.join(nodeModules, "topojson-client"));
  const atlasFile = path.join(nodeModules, "world-atlas", "countries-50m.json");
  const topology = JSON.parse(fs.readFileSync(atlasFile, "utf8"));
  const geometry = topology.objects.countries.geometries.find((g) => String(g.id) === FRANCE);
  if (!geometry) {
    throw new Error(`France (id ${FRANCE}) is missing from ${atlasFile}`);
  }
  const france = topojson.feature(topology, geometry);
  const collection = {
    type: "FeatureCollection",
    features: [
      {
        type: "Feature",
        id: FRANCE,
        properties: {
          name: "France",
          source: "Natural Earth 1:50m, via world-atlas (domaine public)",
        },
        geometry: simplify(france.geometry),
      },
    ],
  };
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, JSON.stringify(collection));
  const rings = collection.features[0].geometry.coordinates.length;
  console.log(`${path.relative(process.cwd(), out)} : ${rings} polygones, ${fs.statSync(out).size} octets`);
}

function round(value) {
  const factor = 10 ** DECIMALS;
  return Math.round(value * factor) / factor;
}

function ring(points) {
  const kept = [];
  for (const [lon, lat] of points) {
    const point = [round(lon), round(lat)];
    const last = kept[kept.length - 1];
    if (!last || last[0] !== point[0] || last[1] !== point[1]) {
      kept.push(point);
    }
  }
  return kept;
}

function simplify(geometry) {
  // Always a MultiPolygon, so the page handles one shape; rings reduced to nothing are dropped.
  const polygons = geometry.type === "Polygon" ? [geometry.coordinates] : geometry.coordinates;
  const coordinates = polygons
    .map((polygon) => polygon.map(ring).filter((r) => r.length >= 4))
    .filter((polygon) => polygon.length > 0);
  return { type: "MultiPolygon", coordinates };
}

main();
