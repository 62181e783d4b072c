"""The WebGL map of /karte as a Streamlit component (``st.components.v2``, JS in ``ui/vectormap.js``).

MapLibre GL JS is served by the app (:func:`ui.assets.ensure_maplibre`), the features come as
vector tiles from the launcher's route (:mod:`ui.tileroute`), so the page sends a few kilobytes
whatever the size of the pool. A click on a feature comes back as :class:`~geo.map.mapfilter.Selection`.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from geo.accounting.summary import PoolView
from geo.map import mapfilter, vectormap
from geo.map.mapfilter import MapFilter, Selection
from ui import assets, data, tileroute

ASSETS = "/app/static/vendor/maplibre"
HTML = '<div class="fp-vmap"></div>'  # MapLibre labels its canvas (LOCALE["Map.Title"])
CSS = """
.fp-vmap { position: relative; width: 100%; min-height: 320px; border-radius: 0.5rem; overflow: hidden;
    font-family: "Source Sans Pro", "DejaVu Sans", sans-serif; }
.fp-vlegend { position: absolute; right: 8px; bottom: 28px; z-index: 2; max-width: calc(100% - 24px);
    max-height: calc(100% - 60px); overflow: auto; background: rgba(255, 255, 255, 0.93); padding: 6px 9px;
    border-radius: 4px; box-shadow: 0 1px 4px rgba(0, 0, 0, 0.3); font-size: 12px; line-height: 17px;
    color: #222; }
.fp-vbody { display: grid; grid-template-columns: auto auto; column-gap: 14px; }
.fp-vwide { grid-column: 1 / -1; }
.fp-vlegend summary { font-weight: 700; cursor: pointer; }
.fp-vhead { font-weight: 700; margin-top: 4px; }
.fp-vrow { display: flex; align-items: center; gap: 5px; }
.fp-vswatch { display: inline-block; width: 15px; height: 11px; box-sizing: border-box; flex: none; }
.fp-v-fill { background: var(--fp-color); border: 1px solid #37474f; }
.fp-v-hatch { border: 2px solid var(--fp-color);
    background: repeating-linear-gradient(45deg, var(--fp-color) 0 2px, transparent 2px 5px); }
.fp-v-line { height: 0; border-top: 2px solid var(--fp-color); }
.fp-v-dash { height: 0; border-top: 2px dashed var(--fp-color); }
.fp-v-disc { width: 11px; border-radius: 50%; background: var(--fp-color); border: 1px solid #37474f; }
.fp-v-ring { width: 11px; border-radius: 50%; background: #fff; border: 3px solid var(--fp-color); }
.fp-vlabel { color: #34495e; font-weight: 600; font-size: 13px; white-space: nowrap; pointer-events: none;
    text-shadow: 0 0 3px #fff, 0 0 3px #fff, 0 0 2px #fff; }
.fp-vmap .maplibregl-ctrl-attrib { font-size: 10px; line-height: 13px; max-width: 70%; }
.fp-vtip .maplibregl-popup-content { padding: 3px 7px; font-size: 12px; }
.fp-vflag { width: 20px; height: 20px; line-height: 16px; text-align: center; font-size: 13px; font-weight: 700;
    color: #000; background: #ffd400; border: 2px solid #000; border-radius: 50%; box-sizing: border-box;
    transform: translate(10px, -14px); cursor: default; }
.fp-v-flag { width: 13px; height: 13px; border-radius: 50%; background: #ffd400; border: 2px solid #000; }
.fp-vid { color: #111; font-size: 11px; white-space: nowrap; pointer-events: none;
    text-shadow: 0 0 2px #fff, 0 0 2px #fff, 0 0 2px #fff; }
"""
_component = st.components.v2.component("flaechenpool_vectormap", html=HTML, css=CSS,
                                        js=(Path(__file__).with_name("vectormap.js")).read_text(encoding="utf-8"),
                                        isolate_styles=False)


def wanted() -> bool:
    """Draw the WebGL map: set so (``FLAECHENPOOL_VEKTORKARTE``), the launcher's tile route runs (``serve.py``)
    and MapLibre's files are there (``npm ci``)."""
    settings = data.settings()
    return settings.vector_map and settings.launcher and (assets.MAPLIBRE_TARGET / assets.MAPLIBRE_FILES[0]).exists()


def show(flt: MapFilter, shown: PoolView, chosen: Selection | None, *, key: str,
         height: int) -> tuple[Selection | None, str]:
    """Draw the map of *shown* (what *flt* lets through); the feature clicked just now, if any, and a token
    naming that click (for :func:`geo.map.selection.new_pick`)."""
    payload = vectormap.component_data(
        shown, chosen, mapfilter.encode(flt), tile_url=tileroute.url_template(tileroute.current_token(), flt),
        assets=ASSETS, offline=data.settings().offline, height=height)
    result = _component(key=key, data=payload, on_pick_change=lambda: None)
    picked = getattr(result, "pick", None)
    if not isinstance(picked, dict) or picked.get("layer") not in mapfilter.SELECTION_PARAMS:
        return None, ""
    return Selection(picked["layer"], str(picked.get("id", ""))), f"{picked.get('id')}@{picked.get('at')}"
