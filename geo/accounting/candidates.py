"""Which pool areas fit an intervention: a ranked, explained list of candidates.

Pure functions over the enriched frames of :func:`geo.accounting.summary.pool_view`. A candidate
is a pool area that can be booked from (status ``verfügbar`` after the ledger, free
points left). Each is scored by the weights in :class:`RankingWeights` (the one place
that says what matters how much) and explained in plain German.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import fmt
from geo.accounting import ledger, naturalregions
from geo.errors import BookingError

Relation = Literal["gleiche Gemeinde", "Nachbargemeinde", "weiter entfernt"]
RELATIONS: tuple[Relation, ...] = ("gleiche Gemeinde", "Nachbargemeinde", "weiter entfernt")

BORDER_TOLERANCE_M = 25.0
"""Boundaries closer than this count as touching (the VG250 boundaries are generalised)."""
MIN_SHARED_BORDER_M = 200.0
"""Two municipalities are neighbours when they share at least this much border (not a corner)."""

LIKE_FOR_LIKE: dict[str, tuple[str, ...]] = {
    "W": ("Aufforstung", "Waldumbau"),
    "H": ("Hecken/Feldgehölze", "Streuobstwiese"),
    "G": ("Extensivierung Grünland", "Blühflächen"),
    "A": ("Blühflächen", "Extensivierung Grünland", "Hecken/Feldgehölze"),
    "R": ("Blühflächen", "Extensivierung Grünland"),
    "F": ("Gewässerrenaturierung",),
    "S": ("Gewässerrenaturierung",),
    "U": ("Gewässerrenaturierung",),
    "M": ("Gewässerrenaturierung",),
    "X": ("Entsiegelung",),
}
"""Measure types that restore what an intervention destroys, by the biotope group (first
letter of the code) of its ``biotope_before``: compensation in kind (*gleichartiger
Ausgleich*, § 15 Abs. 2 BNatSchG) is preferred over compensation elsewhere in kind."""

BIOTOPE_GROUPS: dict[str, str] = {
    "W": "Wald", "H": "Gehölze", "G": "Grünland", "A": "Acker", "R": "Ruderalflur", "F": "Gewässer",
    "S": "Gewässer", "U": "Ufer", "M": "Moor", "X": "Siedlung/Verkehr",
}


@dataclass(frozen=True)
class RankingWeights:
    """How a candidate pool area is scored; higher scores rank first.

    score = ``same_municipality`` (area in the intervention's municipality)
          or ``neighbour`` (area in a municipality sharing a border with it)
          + ``covers_alone`` (the area's free points cover the remaining demand)
          + ``preferred_measure`` (its measure type is one the planner prefers)
          − ``per_km`` × distance between the two geometries in km
          − ``other_natural_region`` (the area lies in another natural region than the intervention).

    With the defaults an area in the same municipality is worth 10 km of extra distance, a
    neighbour's area 6 km, covering the rest alone 8 km, a preferred measure type 4 km and
    staying in the intervention's natural region 5 km.
    Ties go to the nearer area, then to more free points, then to the pool id.
    """

    same_municipality: float = 10.0
    neighbour: float = 6.0
    covers_alone: float = 8.0
    preferred_measure: float = 4.0
    per_km: float = 1.0
    other_natural_region: float = 5.0


DEFAULT_WEIGHTS = RankingWeights()


def neighbours(boundaries: gpd.GeoDataFrame) -> dict[str, frozenset[str]]:
    """AGS → AGS of the municipalities sharing a border with it (from the boundary layer)."""
    geoms = boundaries.geometry.to_numpy()
    codes = boundaries["ags"].astype(str).to_numpy()
    left, right = shapely.STRtree(geoms).query(geoms, predicate="dwithin", distance=BORDER_TOLERANCE_M)
    pairs = left != right
    left, right = left[pairs], right[pairs]
    shared = shapely.length(shapely.intersection(shapely.boundary(geoms[left]),
                                                 shapely.buffer(geoms[right], BORDER_TOLERANCE_M)))
    found: dict[str, set[str]] = {code: set() for code in codes}
    for a, b in zip(codes[left][shared >= MIN_SHARED_BORDER_M], codes[right][shared >= MIN_SHARED_BORDER_M],
                    strict=True):
        found[a].add(b)
        found[b].add(a)
    return {code: frozenset(near) for code, near in found.items()}


def like_for_like(biotope_before: str | None) -> tuple[str, ...]:
    """Measure types that compensate in kind for destroying *biotope_before*."""
    return LIKE_FOR_LIKE.get(str(biotope_before or "")[:1].upper(), ())


RELATION_PHRASES: dict[str, str] = {
    "gleiche Gemeinde": "der Gemeinde des Eingriffs",
    "Nachbargemeinde": "Nachbargemeinde",
    "weiter entfernt": "keine Nachbargemeinde",
}


def _reason(row: pd.Series, open_points: float) -> str:
    parts = [f"liegt in {row['municipality']}, {RELATION_PHRASES[row['relation']]}, "
             f"{fmt.number(row['distance_km'], 1)}\u00a0km entfernt"]
    if row["covers_alone"]:
        parts.append("deckt den Restbedarf allein")
    else:
        parts.append(f"deckt {fmt.percent(row['free_points'] / open_points)} des Restbedarfs")
    if row["preferred_measure"]:
        parts.append(f"bevorzugter Maßnahmentyp ({row['measure_type']})")
    if row["other_natural_region"]:
        parts.append(f"aber anderer Naturraum ({row['natural_region']}) als der Eingriff: Ersatz soll im selben "
                     "Naturraum liegen (§ 15 Abs. 2 BNatSchG)")
    return "; ".join(parts)


def bookable(pool: pd.DataFrame) -> pd.Series:
    """Which enriched pool areas can be booked from: status ``verfügbar`` after the ledger, free points left."""
    return pool["status"].isin(ledger.BOOKABLE_POOL_STATUS) & (pool["free_points"] > ledger.EPS)


def _terms(pool: pd.DataFrame, intervention: pd.Series, near: dict[str, frozenset[str]],
           preferred_measures: tuple[str, ...] | list[str], weights: RankingWeights) -> dict[str, np.ndarray]:
    """The score's parts that do not depend on the distance, per area of *pool*, and their weighted sum ``bonus``."""
    ags = str(intervention["ags"])
    same = (pool["ags"] == ags).to_numpy()
    neighbour = pool["ags"].isin(near.get(ags, frozenset())).to_numpy()
    covers = (pool["free_points"] >= float(intervention["open_points"]) - ledger.EPS).to_numpy()
    preferred = pool["measure_type"].isin(list(preferred_measures)).to_numpy()
    other_region = naturalregions.outside(pool, intervention)
    bonus = (weights.same_municipality * same + weights.neighbour * neighbour + weights.covers_alone * covers
             + weights.preferred_measure * preferred - weights.other_natural_region * other_region)
    return {"same": same, "neighbour": neighbour, "covers_alone": covers, "preferred_measure": preferred,
            "other_natural_region": other_region, "bonus": bonus}


def _scored(pool: gpd.GeoDataFrame, positions: np.ndarray, intervention: pd.Series, near: dict[str, frozenset[str]],
            preferred_measures: tuple[str, ...] | list[str], weights: RankingWeights) -> gpd.GeoDataFrame:
    """The pool areas at *positions* with distance, relation, flags and score, best first."""
    out = pool.iloc[positions].copy()
    terms = _terms(out, intervention, near, preferred_measures, weights)
    out["distance_km"] = shapely.distance(out.geometry.to_numpy(), intervention.geometry) / 1000.0
    out["relation"] = np.select([terms["same"], terms["neighbour"]], RELATIONS[:2], RELATIONS[2])
    out["covers_alone"] = terms["covers_alone"]
    out["preferred_measure"] = terms["preferred_measure"]
    out["other_natural_region"] = terms["other_natural_region"]
    out["score"] = terms["bonus"] - weights.per_km * out["distance_km"].to_numpy()
    return out.sort_values(["score", "distance_km", "free_points", "pool_id"], ascending=[False, True, False, True])


def _nearby(pool: gpd.GeoDataFrame, usable: np.ndarray, intervention: pd.Series, near: dict[str, frozenset[str]],
            preferred_measures: tuple[str, ...] | list[str], weights: RankingWeights, limit: int) -> gpd.GeoDataFrame:
    """The best *limit* of the usable areas, scoring only those within a growing radius (spatial index).

    An area farther than *r* km scores less than ``b − per_km × r``, *b* the highest bonus (score
    without distance) of any usable area; once the *limit*-th best score within *r* reaches that
    bound, no area outside can enter the top *limit*.
    """
    positions = np.flatnonzero(usable)
    columns = pool[[c for c in ("ags", "free_points", "measure_type", "natural_region") if c in pool.columns]]
    columns = columns.iloc[positions]
    bonus = float(_terms(columns, intervention, near, preferred_measures, weights)["bonus"].max())
    radius_m = 500.0
    while True:
        hits = pool.sindex.query(intervention.geometry, predicate="dwithin", distance=radius_m)
        hits = np.unique(hits[usable[hits]])
        if len(hits) == len(positions):  # every usable area is within the radius
            break
        if len(hits) >= limit:
            scored = _scored(pool, hits, intervention, near, preferred_measures, weights)
            kth = float(scored["score"].iloc[limit - 1])
            if kth > bonus - weights.per_km * radius_m / 1000.0 + 1e-9:
                return scored.head(limit)
            needed_m = (bonus - kth) / weights.per_km * 1000.0 + 1.0  # shrinks as kth grows: grow by at most 2×
            radius_m = max(1.5 * radius_m, min(needed_m, 2 * radius_m))
        else:
            radius_m *= 3
    return _scored(pool, positions, intervention, near, preferred_measures, weights).head(limit)


def rank(pool: gpd.GeoDataFrame, intervention: pd.Series, near: dict[str, frozenset[str]], *,
         preferred_measures: tuple[str, ...] | list[str] = (), weights: RankingWeights = DEFAULT_WEIGHTS,
         limit: int | None = None) -> gpd.GeoDataFrame:
    """Candidate pool areas for one *intervention*, best first.

    Parameters
    ----------
    pool
        Enriched pool areas (``status`` and ``free_points`` from :func:`geo.accounting.ledger.enrich_pool`,
        ``municipality``), EPSG:25833.
    intervention
        One enriched intervention row (``open_points``, ``ags``, ``geometry``).
    near
        :func:`neighbours` of the boundary layer.
    limit
        Only the best *limit*: found through the pool's spatial index (``pool.sindex``, built once per
        frame), scoring only the areas near the intervention; the same rows as the first *limit* of
        the whole ranking.

    Returns the bookable areas with ``rank``, ``distance_km``, ``relation``,
    ``covers_alone``, ``preferred_measure``, ``score`` and ``reason`` (German; built only for
    the rows returned); empty when the intervention has no open demand.
    """
    open_points = float(intervention["open_points"])
    usable = bookable(pool).to_numpy() & (open_points > ledger.EPS)
    located = intervention.geometry is not None and not intervention.geometry.is_empty
    if limit is not None and 0 < limit < usable.sum() and weights.per_km > 0 and located:
        out = _nearby(pool, usable, intervention, near, preferred_measures, weights, limit)
    else:
        out = _scored(pool, np.flatnonzero(usable), intervention, near, preferred_measures, weights)
        out = out if limit is None else out.head(limit)
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    out["reason"] = [_reason(row, open_points) for _, row in out.iterrows()]
    return out


def for_intervention(pool: gpd.GeoDataFrame, interventions: gpd.GeoDataFrame, boundaries: gpd.GeoDataFrame,
                     intervention_id: str, *, preferred_measures: tuple[str, ...] | list[str] | None = None,
                     weights: RankingWeights = DEFAULT_WEIGHTS, limit: int | None = None) -> gpd.GeoDataFrame:
    """:func:`rank` for the intervention *intervention_id* of the enriched frames.

    Without *preferred_measures* the like-for-like measure types of its biotope are preferred.
    """
    rows = interventions[interventions["intervention_id"] == intervention_id]
    if rows.empty:
        raise BookingError(f"Den Eingriff „{intervention_id}“ gibt es nicht.")
    target = rows.iloc[0]
    preferred = like_for_like(target["biotope_before"]) if preferred_measures is None else preferred_measures
    return rank(pool, target, neighbours(boundaries), preferred_measures=preferred, weights=weights, limit=limit)


def biotope_group(code: str | None) -> str:
    """German name of the biotope group of *code* (``GMF`` → ``Grünland``)."""
    return BIOTOPE_GROUPS.get(str(code or "")[:1].upper(), "sonstige Biotope")

