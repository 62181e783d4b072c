"""The small map of one intervention, its booked areas and its candidates.

Built from the main map's pieces (:mod:`geo.map.webmap`: local Leaflet, safe tooltips,
legend, offline switch); this module only chooses what to show, where the map opens
and puts the candidates' ranks on it.
"""

from __future__ import annotations

import dataclasses

import folium
import geopandas as gpd
import pandas as pd
from branca.element import Figure

from geo import schema
from geo.accounting import ledger
from geo.accounting.summary import PoolView
from geo.map import webmap

RANK_CSS = (".fp-rank { background: #fff; border: 2px solid #2b3a8f; border-radius: 10px; color: #2b3a8f; "
            "font: 700 12px/16px sans-serif; text-align: center; width: 16px; height: 16px; }")


def map_view(view: PoolView, intervention_id: str, candidates: gpd.GeoDataFrame) -> PoolView:
    """The part of *view* the small map shows.

    The intervention, the pool areas it has active bookings on, the *candidates*, the
    boundaries of every municipality involved and the intervention's active ledger entries
    (drawn as booking lines).
    """
    entries = ledger.active_entries(view.allocations)
    entries = entries[entries["intervention_id"] == intervention_id]
    itv = view.interventions[view.interventions["intervention_id"] == intervention_id]
    pool = view.pool_areas[view.pool_areas["pool_id"].isin(set(entries["pool_id"]) | set(candidates["pool_id"]))]
    involved = set(itv["ags"]) | set(pool["ags"])
    return PoolView(boundaries=view.boundaries[view.boundaries["ags"].isin(involved)], pool_areas=pool,
                    interventions=itv, allocations=entries, history=view.history.iloc[:0])


def _bounds(frames: list[gpd.GeoDataFrame]) -> tuple[tuple[float, float], tuple[float, float]]:
    shapes = gpd.GeoSeries(pd.concat([f.geometry for f in frames]), crs=schema.CRS)
    west, south, east, north = shapes.to_crs(schema.WEB_CRS).total_bounds
    return (float(south), float(west)), (float(north), float(east))


def build(view: PoolView, intervention_id: str, candidates: gpd.GeoDataFrame, *, offline: bool) -> folium.Map:
    """A map opening on the intervention and its candidates, each candidate marked with its rank."""
    shown = map_view(view, intervention_id, candidates)
    layers = webmap.prepare_layers(shown)
    layers = dataclasses.replace(layers, bounds=_bounds([shown.interventions, shown.pool_areas]))
    m = webmap.build_map(layers, offline=offline)
    root = m.get_root()
    assert isinstance(root, Figure), "a Folium map's root is its Figure"
    root.header.add_child(folium.Element(f"<style>{RANK_CSS}</style>"))
    spots = webmap.web_geometries(candidates.geometry.representative_point(), 0.0)
    ranks = folium.FeatureGroup(name="Rang der Kandidaten", control=False)
    for rank, (x, y) in zip(candidates["rank"], map(webmap.point_xy, spots), strict=True):
        folium.Marker([y, x], icon=folium.DivIcon(html=f'<div class="fp-rank">{int(rank)}</div>',
                                                             icon_size=(20, 20), icon_anchor=(10, 10)),
                      interactive=False).add_to(ranks)
    ranks.add_to(m)
    return m
