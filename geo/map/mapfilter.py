"""The map explorer's filter and selection, applied to a :class:`~geo.accounting.summary.PoolView`.

The whole view state (filters and the selected feature) round-trips through URL query
parameters, so a planner can send a link that opens the same view:

``?gemeinde=wurzen,machern&status=verfügbar&massnahme=Aufforstung&min_wp=10000&flaeche=WUR-2018-005``

Multi-valued parameters are comma-separated (repeated keys are accepted too); values
are kept in schema order so that equal filters give equal links and cache keys.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import urlencode

import pandas as pd

from geo import fmt, schema
from geo.accounting.summary import PoolView, select

SelectableLayer = Literal["pool_areas", "interventions"]

# Query-parameter names (German, they are visible in the links people send).
P_MUNICIPALITIES = "gemeinde"
P_POOL_STATUS = "status"
P_MEASURE_TYPES = "massnahme"
P_INTERVENTION_KINDS = "art"
P_INTERVENTION_STATUS = "eingriffsstatus"
P_MIN_FREE = "min_wp"
P_TEXT = "suche"
SELECTION_PARAMS: dict[SelectableLayer, str] = {schema.POOL_AREAS: "flaeche", schema.INTERVENTIONS: "eingriff"}
INTERVENTION_PAGE = "eingriffe"
"""URL path of the interventions & booking page (deep link ``?eingriff=<id>``)."""


MAP_PAGE = "karte"
"""URL path of the map page (deep link ``?flaeche=<id>``)."""


def intervention_link(intervention_id: str) -> str:
    """Relative link to one intervention on the interventions & booking page."""
    return f"{INTERVENTION_PAGE}?{urlencode({SELECTION_PARAMS[schema.INTERVENTIONS]: intervention_id})}"


def pool_link(pool_id: str) -> str:
    """Relative link to one pool area, selected on the map."""
    return f"{MAP_PAGE}?{urlencode({SELECTION_PARAMS[schema.POOL_AREAS]: pool_id})}"


@dataclass(frozen=True)
class MapFilter:
    """What the map and the tables show. Empty tuples mean "all"."""

    municipalities: tuple[str, ...] = ()
    """AGS of the municipalities (areas, interventions and boundaries)."""
    pool_status: tuple[str, ...] = ()
    measure_types: tuple[str, ...] = ()
    intervention_kinds: tuple[str, ...] = ()
    intervention_status: tuple[str, ...] = ()
    min_free_points: float = 0.0
    """Pool areas with at least this many free value points."""
    text: str = ""
    """Case-insensitive substring of id, name or parcels."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "municipalities", _ordered(self.municipalities, schema.AGS_NAMES))
        object.__setattr__(self, "pool_status", _ordered(self.pool_status, schema.POOL_STATUS))
        object.__setattr__(self, "measure_types", _ordered(self.measure_types, schema.MEASURE_TYPES))
        object.__setattr__(self, "intervention_kinds", _ordered(self.intervention_kinds, schema.INTERVENTION_KINDS))
        object.__setattr__(self, "intervention_status",
                           _ordered(self.intervention_status, schema.INTERVENTION_STATUS))
        object.__setattr__(self, "min_free_points", max(0.0, float(self.min_free_points)))
        object.__setattr__(self, "text", self.text.strip())


def _ordered(values: Iterable[str], order: Iterable[str]) -> tuple[str, ...]:
    chosen = set(values)
    unknown = chosen - set(order)
    if unknown:
        raise ValueError(f"unknown values {sorted(unknown)}; expected some of {list(order)}")
    return tuple(v for v in order if v in chosen)


@dataclass(frozen=True)
class Selection:
    """One selected feature: a pool area or an intervention, by its stable id."""

    layer: SelectableLayer
    feature_id: str


@dataclass(frozen=True)
class MapState:
    """A decoded link: filter, selection and what in the link could not be used."""

    filter: MapFilter = field(default_factory=MapFilter)
    selection: Selection | None = None
    problems: tuple[str, ...] = ()


# --- query parameters --------------------------------------------------------------

def encode(flt: MapFilter, selection: Selection | None = None) -> dict[str, str]:
    """Query parameters for *flt* and *selection*; defaults are left out."""
    params: dict[str, str] = {}
    if flt.municipalities:
        params[P_MUNICIPALITIES] = ",".join(schema.municipality(a).slug for a in flt.municipalities)
    for name, values in ((P_POOL_STATUS, flt.pool_status), (P_MEASURE_TYPES, flt.measure_types),
                         (P_INTERVENTION_KINDS, flt.intervention_kinds),
                         (P_INTERVENTION_STATUS, flt.intervention_status)):
        if values:
            params[name] = ",".join(values)
    if flt.min_free_points > 0:
        v = flt.min_free_points
        params[P_MIN_FREE] = str(int(v)) if v.is_integer() else str(v)
    if flt.text:
        params[P_TEXT] = flt.text
    if selection is not None:
        params[SELECTION_PARAMS[selection.layer]] = selection.feature_id
    return params


def _values(raw: str | list[str] | None) -> list[str]:
    parts = raw if isinstance(raw, list) else [raw or ""]
    return [v.strip() for part in parts for v in part.split(",") if v.strip()]


def _single(raw: str | list[str] | None) -> str:
    return (raw[-1] if raw else "") if isinstance(raw, list) else (raw or "")


def _known(raw: str | list[str] | None, allowed: Mapping[str, str], what: str,
           problems: list[str]) -> tuple[str, ...]:
    """Values of one parameter mapped through *allowed* (case-insensitive); reports the rest."""
    lookup = {k.casefold(): v for k, v in allowed.items()}
    found: list[str] = []
    unknown: list[str] = []
    for value in _values(raw):
        (found if value.casefold() in lookup else unknown).append(value)
    if unknown:
        problems.append(f"{what}: „{'“, „'.join(unknown)}“ unbekannt, ignoriert.")
    return tuple(lookup[v.casefold()] for v in found)


def parse_points(raw: str) -> float | None:
    """A number of value points as people type it (``10000``, ``10.000``, ``2,5``); empty → 0.

    None when it is no finite number ≥ 0.
    """
    if not raw.strip():
        return 0.0
    value = fmt.parse_number(raw)
    return value if value is not None and value >= 0 else None


def decode(params: Mapping[str, str | list[str]]) -> MapState:
    """The view state of a link (``st.query_params``); unusable values are reported in German.

    Municipalities may be given by slug, AGS or name.
    """
    problems: list[str] = []
    towns = {**{m.slug: m.ags for m in schema.MUNICIPALITIES}, **{m.ags: m.ags for m in schema.MUNICIPALITIES},
             **{m.name: m.ags for m in schema.MUNICIPALITIES}}
    min_raw = _single(params.get(P_MIN_FREE)).strip()
    min_free = parse_points(min_raw)
    if min_free is None:
        problems.append(f"Mindestens freie Wertpunkte: „{min_raw}“ ist keine Zahl ≥ 0, ignoriert.")
        min_free = 0.0
    flt = MapFilter(
        municipalities=_known(params.get(P_MUNICIPALITIES), towns, "Gemeinde", problems),
        pool_status=_known(params.get(P_POOL_STATUS), {s: s for s in schema.POOL_STATUS}, "Status", problems),
        measure_types=_known(params.get(P_MEASURE_TYPES), {s: s for s in schema.MEASURE_TYPES},
                             "Maßnahmentyp", problems),
        intervention_kinds=_known(params.get(P_INTERVENTION_KINDS), {s: s for s in schema.INTERVENTION_KINDS},
                                  "Eingriffsart", problems),
        intervention_status=_known(params.get(P_INTERVENTION_STATUS), {s: s for s in schema.INTERVENTION_STATUS},
                                   "Eingriffsstatus", problems),
        min_free_points=min_free,
        text=_single(params.get(P_TEXT)),
    )
    selection = None
    for layer, name in SELECTION_PARAMS.items():
        feature_id = _single(params.get(name)).strip()
        if feature_id:
            selection = Selection(layer, feature_id)
    return MapState(filter=flt, selection=selection, problems=tuple(problems))


# --- applying the filter ------------------------------------------------------------

def _text_match(frame: pd.DataFrame, columns: list[str], text: str) -> pd.Series:
    hit = pd.Series(False, index=frame.index)
    for col in columns:
        hit |= fmt.texts(frame[col]).str.contains(text, case=False, regex=False)
    return hit


def apply(view: PoolView, flt: MapFilter) -> PoolView:
    """The part of *view* that *flt* lets through.

    Boundaries follow the municipalities; pool filters (status, measure type, free
    points) narrow only the pool areas, intervention filters only the interventions;
    the free text narrows both. The ledger keeps the entries between the remaining
    areas and interventions.
    """
    scoped = select(view, list(flt.municipalities) or None)
    pool, itv = scoped.pool_areas, scoped.interventions
    keep = pd.Series(True, index=pool.index)
    if flt.pool_status:
        keep &= pool["status"].isin(flt.pool_status)
    if flt.measure_types:
        keep &= pool["measure_type"].isin(flt.measure_types)
    if flt.min_free_points > 0:
        keep &= pool["free_points"] >= flt.min_free_points
    if flt.text:
        keep &= _text_match(pool, ["pool_id", "name", "parcels"], flt.text)
    pool = pool[keep]
    keep_i = pd.Series(True, index=itv.index)
    if flt.intervention_kinds:
        keep_i &= itv["kind"].isin(flt.intervention_kinds)
    if flt.intervention_status:
        keep_i &= itv["status"].isin(flt.intervention_status)
    if flt.text:
        keep_i &= _text_match(itv, ["intervention_id", "name"], flt.text)
    itv = itv[keep_i]
    alloc = scoped.allocations[scoped.allocations["pool_id"].isin(pool["pool_id"])
                               & scoped.allocations["intervention_id"].isin(itv["intervention_id"])]
    return PoolView(boundaries=scoped.boundaries, pool_areas=pool, interventions=itv, allocations=alloc,
                    history=scoped.history)
