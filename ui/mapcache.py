"""The map's GeoJSON, prepared once per (data version, filter) and shared by all sessions."""

from __future__ import annotations

import folium
import streamlit as st

from geo.accounting import summary
from geo.map import mapfilter, webmap
from ui import data


@st.cache_data(show_spinner="Karte wird vorbereitet …", max_entries=32)
def _layers(store_key: str, version: object, filter_key: tuple[tuple[str, str], ...],
            _view: summary.PoolView) -> webmap.MapLayers:
    return webmap.prepare_layers(_view)


def layers(flt: mapfilter.MapFilter, filtered: summary.PoolView) -> webmap.MapLayers:
    """Trimmed GeoJSON of *filtered* (which :func:`geo.map.mapfilter.apply` made from *flt*)."""
    s = data.store()
    return _layers(s.key, s.version(), tuple(sorted(mapfilter.encode(flt).items())), filtered)


def map_for(flt: mapfilter.MapFilter, filtered: summary.PoolView) -> folium.Map:
    """The Folium map for *flt*: cached layers, built fresh (a few ms) so no session shares it."""
    return webmap.build_map(layers(flt, filtered), offline=data.settings().offline)
