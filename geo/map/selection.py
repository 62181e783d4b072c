"""Click → selected feature → what the details panel shows. Pure, no Streamlit.

The map sends the clicked GeoJSON feature (``st_folium``'s ``last_active_drawing``);
its properties carry ``layer`` and ``id`` (see :mod:`geo.map.webmap`). The details are
looked up in the full view, so a selected feature shows all its bookings even when
the filter hides the other side.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from geo import fmt, schema
from geo.accounting import ledger, valuation
from geo.accounting.summary import PoolView
from geo.accounting.valuation import ValuationTable
from geo.display.tables import FORMATTERS, Column, Kind, german_table, points_both
from geo.errors import DataError
from geo.map.mapfilter import SELECTION_PARAMS, Selection, intervention_link, pool_link
from geo.monitoring.status import FLAG_COLUMN, FLAG_MARK


def from_drawing(drawing: Mapping | None) -> Selection | None:
    """The feature a map click selected, or None (no click, or not a pool area/intervention)."""
    if not isinstance(drawing, Mapping):
        return None
    props = drawing.get("properties")
    if not isinstance(props, Mapping):
        return None
    layer, feature_id = props.get("layer"), props.get("id")
    if layer in SELECTION_PARAMS and isinstance(feature_id, str) and feature_id:
        return Selection(layer, feature_id)
    return None


def map_pick(result: Mapping | None) -> tuple[Selection | None, str]:
    """The selection of ``st_folium``'s result and a token naming the click.

    The token includes where the click landed, so clicking the same feature again (e.g.
    after the selection was cleared) counts as a new click.
    """
    result = result if isinstance(result, Mapping) else {}
    candidate = from_drawing(result.get("last_active_drawing"))
    where = result.get("last_object_clicked")
    return candidate, f"{candidate}@{where}" if candidate else ""


def new_pick(candidate: Selection | None, token: object, last_token: object) -> Selection | None:
    """*candidate* if it is a pick that has not been handled yet, else None.

    ``st_folium`` keeps returning the last clicked feature on every rerun, and a table
    keeps its selected row; only a pick whose *token* differs from the *last_token* of
    the same source is new (so a selection made another way, e.g. by a link, is not
    overwritten by an old click).
    """
    return candidate if candidate is not None and token != last_token else None


@dataclass(frozen=True)
class Details:
    """A selected feature for the details panel; every text is German and formatted."""

    selection: Selection
    kind: str
    """"Poolfläche" or "Eingriff"."""
    name: str
    fields: pd.DataFrame
    """Columns ``Merkmal`` and ``Wert``: every schema field with its German label."""
    figures: tuple[tuple[str, str], ...]
    """(label, value) of the derived figures: area, free points or demand and coverage."""
    bookings: pd.DataFrame
    """Active bookings of the feature (German headers, formatted)."""
    booking_count: int
    booking_links: dict[str, list[str]]
    """Links of the bookings' first column (the other side's ids) by its header: an area's interventions
    open on the booking page, an intervention's areas on the map."""


BIOTOPE_FIELDS = ("biotope_before", "biotope_after")


def _value(field: schema.Field, value: Any) -> str:
    if value is None or (isinstance(value, str) and not value.strip()) or (
            not isinstance(value, str) and pd.isna(value)):
        return "–"
    if field.type == "date":
        return fmt.date(value)
    if field.type == "number":
        return fmt.points(float(value))
    if field.type == "ags":
        return schema.AGS_NAMES.get(str(value), str(value))
    return str(value)


def _fields(row: pd.Series, layer: str, tables: Mapping[str, ValuationTable] | None) -> pd.DataFrame:
    """Every schema field, and the monitoring flag first where there is one (a sign and a word)."""
    fields = schema.LAYER_FIELDS[layer]
    flag = str(row.get(FLAG_COLUMN) or "")
    return pd.DataFrame({"Merkmal": [schema.label(FLAG_COLUMN)] * bool(flag) + [f.label for f in fields],
                         "Wert": [f"{FLAG_MARK} {flag}"] * bool(flag) + [
                             valuation.biotope_label(row.get(f.name), row.get("ags"), tables)
                             if f.name in BIOTOPE_FIELDS else _value(f, row.get(f.name)) for f in fields]})


_points = FORMATTERS["points"]
_ha = FORMATTERS["m2_as_ha"]


def _pool_figures(row: pd.Series) -> tuple[tuple[str, str], ...]:
    return (
        (schema.label("area_ha"), _ha(row["area_m2"])),
        (schema.label("reserved_points"), _points(row["reserved_points"])),
        (schema.label("allocated_points"), _points(row["allocated_points"])),
        (schema.label("free_points"), points_both(row, "free_points", unit=False)),
    )


def _intervention_figures(row: pd.Series) -> tuple[tuple[str, str], ...]:
    return (
        (schema.label("area_ha"), _ha(row["area_m2"])),
        (schema.label("demand_points", schema.INTERVENTIONS), points_both(row, "demand_points", unit=False)),
        (schema.label("covered_points"), _points(row["covered_points"])),
        (schema.label("open_points"), points_both(row, "open_points", unit=False)),
        (schema.label("coverage"), f"{row['coverage']} ({fmt.percent(row['coverage_share'])})"),
    )


def _booking_columns(other: str) -> tuple[Column, ...]:
    """Columns of the bookings table (narrow: it sits beside the map); *other* is the other side's id."""
    return (
        Column(other, schema.label(other, schema.ALLOCATIONS), "text_or_dash"),
        Column("other_name", "Flurname (Gemeinde)" if other == "pool_id" else "Bezeichnung (Gemeinde)",
               "text_or_dash"),
        Column("booked", "Gebucht", "text_or_dash"),
        Column("date", schema.label("date", schema.ALLOCATIONS), "date"),
    )


def bookings(view: PoolView, selection: Selection) -> pd.DataFrame:
    """Active bookings of the selected feature, joined with the other side's name and municipality.

    Columns: allocation_id, pool_id, intervention_id, other_name (with the municipality in
    brackets), kind, points, booked (points and kind as text), date.
    """
    own = schema.ID_FIELD[selection.layer]
    active = ledger.active_entries(view.allocations)
    rows = active[active[own] == selection.feature_id]
    if selection.layer == schema.POOL_AREAS:
        other = view.interventions.set_index("intervention_id")
        key = "intervention_id"
    else:
        other = view.pool_areas.set_index("pool_id")
        key = "pool_id"
    out = rows[["allocation_id", "pool_id", "intervention_id", "kind", "points", "date"]].copy()
    out["booked"] = [f"{fmt.points(p)} {k}" for p, k in zip(out["points"], out["kind"], strict=True)]
    out["other_name"] = out[key].map(other["name"].astype(str) + " (" + other["municipality"].astype(str) + ")")
    return out.sort_values(["date", "allocation_id"]).reset_index(drop=True)


def details(view: PoolView, selection: Selection,
            tables: Mapping[str, ValuationTable] | None = None) -> Details:
    """What the details panel shows for *selection*; :class:`DataError` if it does not exist.

    With the valuation *tables*, biotope codes are shown with their names (``AIN – Intensivacker``)."""
    layer = selection.layer
    frame = view.pool_areas if layer == schema.POOL_AREAS else view.interventions
    rows = frame[frame[schema.ID_FIELD[layer]] == selection.feature_id]
    kind = "Poolfläche" if layer == schema.POOL_AREAS else "Eingriff"
    if rows.empty:
        raise DataError(f"{kind} „{selection.feature_id}“ gibt es nicht (mehr). Bitte auf der Karte neu wählen.")
    row = rows.iloc[0]
    booked = bookings(view, selection)
    other = "intervention_id" if layer == schema.POOL_AREAS else "pool_id"
    link = intervention_link if other == "intervention_id" else pool_link
    columns = _booking_columns(other)
    return Details(
        selection=selection, kind=kind, name=fmt.text(row["name"], "–"), fields=_fields(row, layer, tables),
        figures=_pool_figures(row) if layer == schema.POOL_AREAS else _intervention_figures(row),
        bookings=german_table(booked, columns), booking_count=len(booked),
        booking_links={columns[0].header: [link(str(i)) for i in booked[other]]},
    )


# --- the tables below the map ---------------------------------------------------------

def _columns(layer: str, kinds: dict[str, Kind], **headers: str) -> tuple[Column, ...]:
    """Columns with the German label of *layer*'s field or of a derived column, unless in *headers*."""
    fields = schema.field_names(layer)
    return tuple(Column(name, headers.get(name) or schema.label(name, layer if name in fields else None), kind)
                 for name, kind in kinds.items())


_TEXT: Kind = "text_or_dash"  # missing → "–"
POOL_TABLE = _columns(schema.POOL_AREAS, {
    "pool_id": _TEXT, "name": _TEXT, "municipality": _TEXT, "status": _TEXT, "measure_type": _TEXT,
    "area_m2": "m2_as_ha", "value_points": "points", "free_points": "points", "parcels": _TEXT,
}, area_m2=schema.label("area_ha"))  # the area is shown in hectares
INTERVENTION_TABLE = _columns(schema.INTERVENTIONS, {
    "intervention_id": _TEXT, "name": _TEXT, "municipality": _TEXT, "kind": _TEXT, "status": _TEXT,
    "demand_points": "points", "open_points": "points", "coverage": _TEXT,
})
LINK_COLUMN = "Buchung"


def pool_table(pool: pd.DataFrame) -> pd.DataFrame:
    """Pool areas as the table below the map shows them (German headers, formatted)."""
    return german_table(pool, POOL_TABLE)


def intervention_table(interventions: pd.DataFrame) -> pd.DataFrame:
    """Interventions for the table below the map, with a link column to the booking page."""
    out = german_table(interventions, INTERVENTION_TABLE)
    out[LINK_COLUMN] = [intervention_link(str(i)) for i in interventions["intervention_id"]]
    return out
