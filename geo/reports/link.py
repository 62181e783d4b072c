"""The overview's selection in the URL, so that a reload keeps it and a meeting's view can be sent:

``/uebersicht?gemeinde=wurzen,leipzig&massnahme=Aufforstung&von=2020&bis=2026&seit=2026-10-01&folie=3``

Municipalities go by slug (AGS and names are read too), measure types by name (as on the map), the
year range only when it is narrower than the data's, ``seit`` is the earlier date of "change since",
``folie`` the presentation's screen.
Unusable values are dropped with a German note.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from geo import fmt, schema

P_MUNICIPALITIES = "gemeinde"
P_MEASURE_TYPES = "massnahme"
P_FROM, P_TO = "von", "bis"
P_SINCE = "seit"
P_SLIDE = "folie"


@dataclass(frozen=True)
class OverviewState:
    """What the overview shows: partners (empty: all), a year range, an earlier date, a slide."""

    ags: tuple[str, ...] = ()
    years: tuple[int, int] | None = None
    """None: the whole range of the data."""
    measure_types: tuple[str, ...] = ()
    since: dt.date | None = None
    slide: int | None = None
    """The presentation's screen (1-based); None: the overview itself."""
    problems: tuple[str, ...] = ()


def _values(raw: str | list[str] | None) -> list[str]:
    items = [raw] if isinstance(raw, str) else list(raw or [])
    return [v.strip() for item in items for v in item.split(",") if v.strip()]


def _single(raw: str | list[str] | None) -> str:
    values = _values(raw)
    return values[-1] if values else ""


def _year(raw: str, bound: int, name: str, problems: list[str]) -> int:
    if not raw:
        return bound
    if raw.isdigit():
        return int(raw)
    problems.append(f"{name}: „{raw}“ ist keine Jahreszahl, ignoriert.")
    return bound


def decode(params: Mapping[str, str | list[str]], bounds: tuple[int, int]) -> OverviewState:
    """The overview state of a link; years are clamped to *bounds* (the data's first and last year)."""
    problems: list[str] = []
    towns = {key: m.ags for m in schema.MUNICIPALITIES for key in (m.slug, m.ags, m.name)}
    chosen = set()
    for value in _values(params.get(P_MUNICIPALITIES)):
        if value in towns:
            chosen.add(towns[value])
        else:
            problems.append(f"Gemeinde „{value}“ ist kein Partner, ignoriert.")
    measures = set()
    for value in _values(params.get(P_MEASURE_TYPES)):
        if value in schema.MEASURE_TYPES:
            measures.add(value)
        else:
            problems.append(f"Maßnahmentyp „{value}“ gibt es nicht, ignoriert.")
    first = _year(_single(params.get(P_FROM)), bounds[0], "Von", problems)
    last = _year(_single(params.get(P_TO)), bounds[1], "Bis", problems)
    first, last = sorted((min(max(first, bounds[0]), bounds[1]), min(max(last, bounds[0]), bounds[1])))
    years = None if (first, last) == tuple(bounds) else (first, last)
    since_raw = _single(params.get(P_SINCE))
    since = None
    if since_raw:
        try:
            since = dt.date.fromisoformat(since_raw)
        except ValueError:
            problems.append(f"Seit: „{since_raw}“ ist kein Datum (JJJJ-MM-TT), ignoriert.")
    if since is not None and since >= fmt.today():
        problems.append(f"Seit: {fmt.date(since)} liegt nicht vor heute, ignoriert.")
        since = None
    slide_raw = _single(params.get(P_SLIDE))
    slide = int(slide_raw) if slide_raw.isdigit() and int(slide_raw) >= 1 else None
    if slide_raw and slide is None:
        problems.append(f"Folie „{slide_raw}“ ist keine Nummer ab 1, ignoriert.")
    ags = tuple(m.ags for m in schema.MUNICIPALITIES if m.ags in chosen)
    return OverviewState(ags=ags, years=years, measure_types=tuple(m for m in schema.MEASURE_TYPES if m in measures),
                         since=since, slide=slide, problems=tuple(problems))


def encode(state: OverviewState) -> dict[str, str]:
    """The query parameters of *state* (only what differs from the defaults)."""
    params: dict[str, str] = {}
    if state.ags:
        params[P_MUNICIPALITIES] = ",".join(m.slug for m in schema.MUNICIPALITIES if m.ags in state.ags)
    if state.measure_types:
        params[P_MEASURE_TYPES] = ",".join(m for m in schema.MEASURE_TYPES if m in state.measure_types)
    if state.years is not None:
        params[P_FROM], params[P_TO] = str(state.years[0]), str(state.years[1])
    if state.since is not None:
        params[P_SINCE] = state.since.isoformat()
    if state.slide is not None:
        params[P_SLIDE] = str(state.slide)
    return params
