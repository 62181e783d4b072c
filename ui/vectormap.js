// The WebGL map of /karte: MapLibre GL JS (served by the app) drawing the pool's vector tiles.
// Mounted by ui/vectormap.py (st.components.v2); `data` is geo.map.vectormap.component_data().
// Attribute text is data: everything from the tiles or `data` is written with textContent.
// A click on an area or intervention sends {layer, id} back to Python (trigger "pick").

function stylesheet(href) {
  if (!document.querySelector(`link[data-fp-href="${href}"]`)) {
    const link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = href;
    link.dataset.fpHref = href;
    document.head.appendChild(link);
  }
}

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function hatch(color) {
  // A 8×8 px tile of diagonal lines in `color` on transparent ground (fill-pattern).
  const size = 8, canvas = document.createElement("canvas");
  canvas.width = canvas.height = size;
  const ctx = canvas.getContext("2d");
  ctx.strokeStyle = color;
  ctx.lineWidth = 2.2;
  ctx.beginPath();
  for (const o of [-size, 0, size]) { ctx.moveTo(o, size); ctx.lineTo(o + size, 0); }
  ctx.stroke();
  return ctx.getImageData(0, 0, size, size);
}

function match(property, colors, fallback) {
  const expr = ["match", ["get", property]];
  for (const [key, color] of Object.entries(colors)) expr.push(key, color);
  expr.push(fallback);
  return expr;
}

function baseSources(data) {
  const sources = {}, layers = [];
  for (const base of data.basemaps) {
    sources[base.id] = {type: "raster", tiles: [base.url], tileSize: 256, attribution: base.attribution,
                        maxzoom: base.maxzoom};
    layers.push({id: base.id, type: "raster", source: base.id, minzoom: base.minzoom,
                 layout: {visibility: base.visible ? "visible" : "none"}});
  }
  return {sources, layers};
}

function style(data) {
  const s = data.style, base = baseSources(data);
  const tiles = {type: "vector", tiles: [location.origin + data.tiles], minzoom: 0, maxzoom: data.maxzoom,
                 attribution: data.attribution};
  const isPool = ["==", ["get", "layer"], "pool_areas"];
  const classColor = ["case", isPool, match("class", s.status, "#999"), match("class", s.kinds, "#444")];
  // Groups grow with their count; intervention groups are smaller open rings, so the pool's discs under
  // them stay visible.
  const radius = ["*", ["case", isPool, 1, 0.6], ["interpolate", ["linear"], ["get", "count"], 1, 5, 50, 11, 1000, 20]];
  return {
    version: 8,
    sources: {...base.sources, pool: tiles},
    layers: [
      {id: "background", type: "background", paint: {"background-color": s.background}},
      ...base.layers,
      {id: "gemeinden-fill", type: "fill", source: "pool", "source-layer": "gemeinden",
       paint: {"fill-color": "#ffffff", "fill-opacity": s.boundary_fill_opacity}},
      {id: "gemeinden-line", type: "line", source: "pool", "source-layer": "gemeinden",
       paint: {"line-color": s.boundary_line, "line-width": 1.5}},
      {id: "flaechen-fill", type: "fill", source: "pool", "source-layer": "flaechen",
       paint: {"fill-color": match("status", s.status, "#999"), "fill-opacity": s.pool_fill_opacity}},
      {id: "flaechen-line", type: "line", source: "pool", "source-layer": "flaechen",
       paint: {"line-color": s.pool_line, "line-width": 1}},
      {id: "eingriffe-fill", type: "fill", source: "pool", "source-layer": "eingriffe",
       paint: {"fill-pattern": ["concat", "fp-hatch-", ["get", "kind"]]}},
      {id: "eingriffe-line", type: "line", source: "pool", "source-layer": "eingriffe",
       paint: {"line-color": match("kind", s.kinds, "#444"), "line-width": 2.5}},
      {id: "buchungen", type: "line", source: "pool", "source-layer": "buchungen",
       paint: {"line-color": s.link, "line-width": 1.2, "line-opacity": 0.7, "line-dasharray": [3, 4]}},
      // Pool areas are filled discs, interventions rings with a white core: told apart by shape, not only colour.
      {id: "punkte", type: "circle", source: "pool", "source-layer": "punkte",
       paint: {"circle-radius": 6, "circle-color": ["case", isPool, classColor, "#ffffff"],
               "circle-stroke-color": ["case", isPool, s.pool_line, classColor],
               "circle-stroke-width": ["case", isPool, 1, 3]}},
      {id: "gruppen", type: "circle", source: "pool", "source-layer": "gruppen",
       paint: {"circle-radius": radius, "circle-color": ["case", isPool, classColor, "#ffffff"],
               "circle-opacity": ["case", isPool, 0.9, 0],
               "circle-stroke-color": ["case", isPool, s.pool_line, classColor],
               "circle-stroke-width": ["case", isPool, 1, 2.5]}},
      {id: "auswahl-line", type: "line", source: "pool", "source-layer": "flaechen",
       filter: ["==", ["get", "id"], ""], paint: {"line-color": s.selection, "line-width": 5}},
      {id: "auswahl-eingriff", type: "line", source: "pool", "source-layer": "eingriffe",
       filter: ["==", ["get", "id"], ""], paint: {"line-color": s.selection, "line-width": 5}},
      {id: "auswahl-punkt", type: "circle", source: "pool", "source-layer": "punkte",
       filter: ["==", ["get", "id"], ""],
       paint: {"circle-radius": 10, "circle-opacity": 0, "circle-stroke-color": s.selection,
               "circle-stroke-width": 4}},
    ],
  };
}

function legend(data) {
  const box = element("details", "fp-vlegend");
  box.appendChild(element("summary", "", "Legende"));
  const body = element("div", "fp-vbody");
  box.appendChild(body);
  for (const group of data.legend) {
    const part = element("div", group.wide ? "fp-vgroup fp-vwide" : "fp-vgroup");
    part.appendChild(element("div", "fp-vhead", group.title));
    for (const entry of group.entries) {
      const row = element("div", "fp-vrow");
      const swatch = element("i", "fp-vswatch fp-v-" + entry.shape);
      swatch.style.setProperty("--fp-color", entry.color);
      row.append(swatch, element("span", "", entry.label));
      part.appendChild(row);
    }
    body.appendChild(part);
  }
  if (data.basemaps.length) {
    const part = element("div", "fp-vgroup fp-vwide");
    part.appendChild(element("div", "fp-vhead", "Hintergrund"));
    for (const base of data.basemaps) {
      const label = element("label", "fp-vrow");
      const input = element("input");
      input.type = base.overlay ? "checkbox" : "radio";
      input.name = "fp-base";
      input.value = base.id;
      input.checked = base.visible;
      label.append(input, element("span", "", base.name));
      part.appendChild(label);
    }
    body.appendChild(part);
  }
  return box;
}

function padding(canvas, legendBox, margin) {
  // Room around what is shown (a share of the map's smaller side), and above the open legend, so it
  // does not cover the data.
  const room = Math.max(10, Math.round(Math.min(canvas.clientWidth, canvas.clientHeight) * margin));
  const legend = legendBox && legendBox.open ? legendBox.offsetHeight + 30 : 0;
  return {top: room, left: room, right: room, bottom: Math.min(Math.max(room, legend), canvas.clientHeight / 2)};
}

function fitTo(state) {
  const fit = state.data.fit;
  state.map.fitBounds(fit.bounds, {padding: padding(state.map.getContainer(), state.legend, fit.margin), maxZoom: fit.max_zoom, duration: 0});
}

function labels(state) {
  // Municipality names always, ids of areas and interventions from data.id_label_zoom on (HTML markers:
  // no glyph server needed, so this works offline).
  const {map, maplibregl, data} = state;
  for (const marker of state.markers) marker.remove();
  state.markers = [];
  const add = (lngLat, text, className) => {
    const node = element("div", className, text);
    state.markers.push(new maplibregl.Marker({element: node}).setLngLat(lngLat).addTo(map));
  };
  for (const [lng, lat, name] of data.labels) add([lng, lat], name, "fp-vlabel");
  // Monitoring flags: a sign in a black-ringed disc (not colour alone), the reason as its name and tooltip.
  for (const [lat, lng, text] of data.flags) {
    const node = element("div", "fp-vflag", "!");
    node.title = text;
    node.setAttribute("role", "img");
    node.setAttribute("aria-label", text);
    state.markers.push(new maplibregl.Marker({element: node}).setLngLat([lng, lat]).addTo(map));
  }
  if (map.getZoom() < data.id_label_zoom) return;
  const seen = new Set();
  const features = map.queryRenderedFeatures({layers: ["flaechen-fill", "eingriffe-fill", "punkte"]});
  for (const f of features) {
    const id = f.properties.id;
    if (!id || seen.has(id) || seen.size >= data.max_id_labels) continue;
    seen.add(id);
    const b = new maplibregl.LngLatBounds();
    const walk = (c) => (typeof c[0] === "number" ? b.extend(c) : c.forEach(walk));
    walk(f.geometry.coordinates);
    add(b.getCenter(), id, "fp-vid");
  }
}

function select(state, selected) {
  const id = selected ? selected.id : "";
  for (const layer of ["auswahl-line", "auswahl-eingriff", "auswahl-punkt"]) {
    state.map.setFilter(layer, ["==", ["get", "id"], id]);
  }
}

function foldLegend(box, root, data) {
  // Open on a wide map, folded on a phone; decided once, when the box first has a width.
  if (box.dataset.sized || !root.clientWidth) return;
  box.dataset.sized = "1";
  box.open = root.clientWidth >= data.legend_open_min_px;
}

function create(root, data, maplibregl) {
  // The legend first, so the opening view already keeps the data above it (one round of tiles).
  const box = legend(data);
  root.appendChild(box);
  foldLegend(box, root, data);
  const map = new maplibregl.Map({
    container: root, style: style(data), bounds: data.fit.bounds,
    fitBoundsOptions: {padding: padding(root, box, data.fit.margin), maxZoom: data.fit.max_zoom},
    maxZoom: data.maxzoom, attributionControl: {compact: false}, dragRotate: false, pitchWithRotate: false,
    locale: data.locale,
  });
  map.touchZoomRotate.disableRotation();
  const state = {map, maplibregl, data, markers: [], fitKey: data.fit.key, tiles: data.tiles, legend: box};
  map.addControl(new maplibregl.NavigationControl({showCompass: false}), "top-left");
  map.addControl(new maplibregl.ScaleControl({unit: "metric"}), "bottom-left");
  box.addEventListener("change", (event) => {
    const input = event.target;
    for (const base of state.data.basemaps) {
      if (input.type === "radio" && !base.overlay) {
        map.setLayoutProperty(base.id, "visibility", base.id === input.value ? "visible" : "none");
      } else if (base.id === input.value) {
        map.setLayoutProperty(base.id, "visibility", input.checked ? "visible" : "none");
      }
    }
  });
  // Hatch patterns are made when the tiles first ask for them.
  map.setMissingStyleImageResolver((id) => {
    const kind = id.replace(/^fp-hatch-/, "");
    if (kind in data.style.kinds && !map.hasImage(id)) map.addImage(id, hatch(data.style.kinds[kind]));
  });
  map.on("load", () => {
    select(state, state.data.selected);
    labels(state);
    root.dataset.loaded = "1";
  });
  // The component's box gets its final size after the map was made: follow it, and until someone
  // moves the map, keep the wanted view in it.
  let touched = false;
  map.on("dragstart", () => { touched = true; });
  map.on("zoomstart", (event) => { if (event.originalEvent) touched = true; });
  let size = `${root.clientWidth}x${root.clientHeight}`;
  new ResizeObserver(() => {
    const now = `${root.clientWidth}x${root.clientHeight}`;
    if (!root.clientWidth || now === size) return;
    size = now;
    map.resize();
    foldLegend(box, root, state.data);
    if (!touched) fitTo(state);
  }).observe(root);
  map.on("moveend", () => labels(state));
  const clickable = ["punkte", "eingriffe-fill", "eingriffe-line", "flaechen-fill"];
  map.on("click", (event) => {
    const hit = map.queryRenderedFeatures(event.point, {layers: clickable})[0];
    if (hit) {
      const layer = hit.layer.id === "punkte" ? hit.properties.layer
        : hit.layer.id.startsWith("eingriffe") ? "interventions" : "pool_areas";
      state.pick({layer, id: String(hit.properties.id), at: Date.now()});
      return;
    }
    const group = map.queryRenderedFeatures(event.point, {layers: ["gruppen"]})[0];
    if (group) map.easeTo({center: event.lngLat, zoom: map.getZoom() + 2});
  });
  // Hovering names the feature (text only): "Poolfläche WUR-2018-005 · verfügbar", "12 Poolflächen (…)".
  const tip = new maplibregl.Popup({closeButton: false, closeOnClick: false, className: "fp-vtip", offset: 8});
  map.on("mousemove", (event) => {
    const hit = map.queryRenderedFeatures(event.point, {layers: [...clickable, "gruppen"]})[0];
    map.getCanvas().style.cursor = hit ? "pointer" : "";
    if (!hit) { tip.remove(); return; }
    const p = hit.properties;
    const pool = hit.layer.id === "flaechen-fill" || p.layer === "pool_areas";
    const what = p.count !== undefined
      ? `${p.count} ${pool ? "Poolflächen" : "Eingriffe"} (meist ${p.class}) – zum Vergrößern klicken`
      : pool ? `Poolfläche ${p.id} · ${p.status || p.class}`
        : `Eingriff ${p.id} · ${[p.kind || p.class, p.status].filter(Boolean).join(", ")}`;
    tip.setLngLat(event.lngLat).setDOMContent(element("span", "", what)).addTo(map);
  });
  map.getCanvas().addEventListener("mouseleave", () => tip.remove());
  window.fpMap = map;  // for the browser tests (queryRenderedFeatures)
  return state;
}

function update(state, data) {
  state.data = data;
  if (data.tiles !== state.tiles) {
    state.tiles = data.tiles;
    state.map.getSource("pool").setTiles([location.origin + data.tiles]);
  }
  if (data.fit.key !== state.fitKey) {
    state.fitKey = data.fit.key;
    fitTo(state);
  }
  if (state.map.loaded()) select(state, data.selected);
  else state.map.once("load", () => select(state, state.data.selected));
}

export default async function (component) {
  const {data, parentElement, setTriggerValue} = component;
  stylesheet(location.origin + data.assets + "/maplibre-gl.css");
  const maplibregl = await import(location.origin + data.assets + "/maplibre-gl.mjs");
  const root = parentElement.querySelector(".fp-vmap");
  root.style.height = `min(${data.height}px, 72vh)`;  // a phone keeps room for the details below
  if (!root.fpState) root.fpState = create(root, data, maplibregl);
  else update(root.fpState, data);
  root.fpState.pick = (value) => setTriggerValue("pick", value);
}
