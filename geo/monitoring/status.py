"""Each pool area's monitoring state on a given day, and the flags on points that depend on it.

Pure functions over the stored frames. An area's *state* is its latest implementation state
(by date, then by order of recording); it is *implemented* from its first ``umgesetzt``. Flags:

- ``Mängel``: the latest function check found defects;
- ``nicht umgesetzt``: the measure should have started (start date reached) but is only
  ``geplant`` or has no record, or should be finished (end date passed) but is still
  ``in Umsetzung``.

Points of flagged areas are flagged wherever they are offered or booked: candidate lists, the
map, the overview, exports, and every intervention with an active booking on such an area.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping

import pandas as pd

from geo import schema
from geo.accounting import ledger
from geo.accounting.summary import PoolView
from geo.monitoring.schedule import Interval, next_due
from geo.store import Monitoring

DEFECTS = "Mängel"
NOT_IMPLEMENTED = "nicht umgesetzt"
FLAGS: tuple[str, ...] = (DEFECTS, NOT_IMPLEMENTED)
FLAG_COLUMN = "monitoring_flag"
FLAG_MARK = "⚠"
"""Put before a flagged area's or intervention's text (a sign, not a colour)."""
IMPLEMENTED_STATES = frozenset({"umgesetzt", "Funktionskontrolle bestanden", "Funktionskontrolle mit Mängeln"})
STATUS_COLUMNS = ["pool_id", "name", "ags", "municipality", "measure_type", "status", "measure_start", "measure_end",
                  "state", "state_date", "implemented", "last_inspection", "last_result", "next_due", "overdue_days",
                  "should_have_started", FLAG_COLUMN]


def _day(value: object) -> dt.date | None:
    """A stored date (ISO text, date, timestamp) as a date; None when missing."""
    if isinstance(value, dt.datetime):  # also pd.Timestamp and pd.NaT
        return None if pd.isna(value) else value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and value.strip():
        stamp = pd.to_datetime(value, errors="coerce")
        return None if pd.isna(stamp) else stamp.date()
    return None  # None, NaN, NA


def latest_states(events: pd.DataFrame) -> pd.DataFrame:
    """The latest event of each area (index ``pool_id``): by date, then by order of recording."""
    ordered = events.assign(_order=range(len(events)), _day=pd.to_datetime(events["date"]))
    return ordered.sort_values(["_day", "_order"]).groupby("pool_id").last()


def area_status(pool_areas: pd.DataFrame, records: Monitoring, intervals: Mapping[str, Interval],
                today: dt.date) -> pd.DataFrame:
    """One row per pool area (:data:`STATUS_COLUMNS`): state, implementation, last check, next due date,
    days overdue (0 if not), whether it should have started, and its flag ("" if none)."""
    latest = latest_states(records.events)
    done = records.events[records.events["state"] == "umgesetzt"]
    implemented = pd.to_datetime(done["date"]).groupby(done["pool_id"]).min()
    checks = records.inspections.assign(_day=pd.to_datetime(records.inspections["date"]))
    checks = checks.sort_values("_day", kind="stable")
    by_area: dict[str, list[tuple[dt.date, str]]] = {}
    for pool_id, day, result in zip(checks["pool_id"], checks["_day"], checks["result"], strict=True):
        by_area.setdefault(str(pool_id), []).append((day.date(), str(result)))
    states, state_dates = latest["state"].to_dict(), latest["date"].to_dict()
    rows = []
    columns = ["pool_id", "name", "ags", "measure_type", "status", "measure_start", "measure_end"]
    for area in pd.DataFrame(pool_areas[columns]).to_dict("records"):
        pool_id = str(area["pool_id"])
        state = str(states[pool_id]) if pool_id in states else None
        since = _day(implemented.get(pool_id))
        inspections = by_area.get(pool_id, [])
        interval = intervals.get(str(area["measure_type"]))
        due = next_due(interval, since, inspections) if interval else None
        start, end = _day(area.get("measure_start")), _day(area.get("measure_end"))
        started_late = start is not None and start <= today and state in (None, "geplant")
        unfinished = end is not None and end < today and state == "in Umsetzung"
        flag = DEFECTS if state == "Funktionskontrolle mit Mängeln" else (
            NOT_IMPLEMENTED if started_late or unfinished else "")
        rows.append({
            "pool_id": pool_id, "name": area["name"], "ags": area["ags"],
            "municipality": schema.AGS_NAMES.get(str(area["ags"]), str(area["ags"])),
            "measure_type": area["measure_type"], "status": area["status"], "measure_start": start,
            "measure_end": end, "state": state or "", "state_date": _day(state_dates.get(pool_id)),
            "implemented": since,
            "last_inspection": inspections[-1][0] if inspections else None,
            "last_result": inspections[-1][1] if inspections else "", "next_due": due,
            "overdue_days": (today - due).days if due is not None and due < today else 0,
            "should_have_started": started_late, FLAG_COLUMN: flag})
    return pd.DataFrame(rows, columns=STATUS_COLUMNS)


def booked_on(allocations: pd.DataFrame, pool_ids: object) -> pd.DataFrame:
    """Active bookings on the areas *pool_ids*: ``intervention_id``, ``pool_id``, ``points`` (net, > 0)."""
    active = ledger.active_entries(allocations)
    active = active[active["pool_id"].isin(pool_ids)]  # type: ignore[arg-type]
    net = active.groupby(["intervention_id", "pool_id"], as_index=False, sort=False)["points"].sum()
    return net[net["points"] > 0.5].reset_index(drop=True)


def intervention_flags(allocations: pd.DataFrame, status: pd.DataFrame) -> pd.Series:
    """Per intervention (index), what its bookings on flagged areas are: ``LOS-2019-003: Mängel; …``."""
    flagged = status[status[FLAG_COLUMN] != ""].set_index("pool_id")[FLAG_COLUMN]
    booked = booked_on(allocations, flagged.index)
    texts = booked["pool_id"] + ": " + booked["pool_id"].map(flagged)
    return texts.groupby(booked["intervention_id"]).agg(lambda parts: "; ".join(sorted(set(parts))))


def flag_view(view: PoolView, status: pd.DataFrame) -> PoolView:
    """*view* with :data:`FLAG_COLUMN` on pool areas (the area's flag) and interventions (their bookings'
    flags), "" where there is nothing to flag."""
    flags = status.set_index("pool_id")[FLAG_COLUMN]
    pool = view.pool_areas.assign(**{FLAG_COLUMN: view.pool_areas["pool_id"].map(flags).fillna("")})
    by_intervention = intervention_flags(view.allocations, status)
    interventions = view.interventions.assign(
        **{FLAG_COLUMN: view.interventions["intervention_id"].map(by_intervention).fillna("")})
    return dataclasses.replace(view, pool_areas=pool, interventions=interventions)


def per_municipality(status: pd.DataFrame) -> pd.DataFrame:
    """Counts per municipality (schema order) and in total: areas, implemented, overdue checks, defects,
    measures that should have started."""
    counted = status.assign(implemented_=status["implemented"].notna(), overdue_=status["overdue_days"] > 0,
                            defects_=status[FLAG_COLUMN] == DEFECTS)
    table = counted.groupby("ags").agg(areas=("pool_id", "size"), implemented=("implemented_", "sum"),
                                       overdue=("overdue_", "sum"), defects=("defects_", "sum"),
                                       not_started=("should_have_started", "sum"))
    table = table.reindex([m.ags for m in schema.MUNICIPALITIES]).dropna().astype(int)
    table.insert(0, "municipality", table.index.map(schema.AGS_NAMES))
    table.loc["gesamt"] = ["Gesamt", *table.drop(columns="municipality").sum().tolist()]
    return table.reset_index(drop=True)
