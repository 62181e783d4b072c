"""Was ist neu: the latest uploads, new interventions and areas, bookings and requests of all partners, each
with a link to its feature on the map (``karte?flaeche=…`` / ``karte?eingriff=…``).

Built from the history (uploads, restores, prices, valuation), the ledger (each booking and
reversal) and the request events; booking and request rows of the history are left out because
their entries say more. Which features an upload added is not in its history row: the page
works it out from the kept versions (:func:`added_ids`) and passes it in as *new_ids*.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from urllib.parse import urlencode

import pandas as pd

from geo import fmt, schema
from geo.display.changes import what
from geo.map.mapfilter import MapFilter, Selection, encode

MAP_PAGE = "karte"
COLUMNS = ("Wann", "Wer", "Gemeinde", "Was", "Karte")
FROM_HISTORY = ("upload", "restore", "valuation", "price")
_EVENT_VERBS = {"gestellt": "gestellt", "zugesagt": "zugesagt", "abgelehnt": "abgelehnt",
                "zurückgezogen": "zurückgezogen"}


def map_link(layer: str | None = None, feature_id: str | None = None, ags: str | None = None) -> str:
    """``karte?flaeche=ID`` (or ``eingriff=``) for a feature, ``karte?gemeinde=slug`` for a municipality."""
    selection = (Selection(schema.INTERVENTIONS if layer == schema.INTERVENTIONS else schema.POOL_AREAS, feature_id)
                 if feature_id else None)
    params = encode(MapFilter(municipalities=(ags,) if ags and not feature_id else ()), selection)
    return f"{MAP_PAGE}?{urlencode(params)}" if params else MAP_PAGE


def added_ids(before: pd.DataFrame, after: pd.DataFrame, layer: str) -> list[str]:
    """Ids in *after* that *before* (the version kept by an upload) does not have, in *after*'s order."""
    key = schema.ID_FIELD[layer]
    known = set(before[key].astype(str))
    return [i for i in after[key].astype(str) if i not in known]


def _history_items(history: pd.DataFrame, new_ids: Mapping[str, Sequence[str]]) -> list[dict[str, object]]:
    items = []
    for _, row in history[history["action"].isin(FROM_HISTORY)].iterrows():
        ags = row["ags"] if isinstance(row["ags"], str) else None
        added = list(new_ids.get(str(row["change_id"]), ()))
        text = what(row)
        if added:
            shown = ", ".join(added[:3]) + (f" und {fmt.number(len(added) - 3)} weitere" if len(added) > 3 else "")
            text = f"{text} – neu: {shown}"
        link = (map_link(str(row["layer"]), added[0]) if added else
                map_link(ags=ags) if row["layer"] in schema.MUNICIPAL_LAYERS else "")
        items.append({"at": row["at"], "Wer": row["user"], "ags": ags, "Was": text, "Karte": link})
    return items


def _ledger_items(data: schema.PoolData) -> list[dict[str, object]]:
    owner = data.interventions.set_index("intervention_id")["ags"]
    items = []
    for row in data.allocations.to_dict("records"):
        if isinstance(row["reverses"], str) and row["reverses"]:
            text = (f"Storno {row['allocation_id']} von {row['reverses']}: {fmt.points(-row['points'])} zurück an "
                    f"{row['pool_id']}")
        else:
            text = (f"Buchung {row['allocation_id']}: {fmt.points(row['points'])} von {row['pool_id']} für "
                    f"{row['intervention_id']} {row['kind']}")
        items.append({"at": row["created_at"] or fmt.text(row["date"]), "Wer": row["booked_by"],
                      "ags": owner.get(row["intervention_id"]), "Was": text,
                      "Karte": map_link(schema.POOL_AREAS, str(row["pool_id"]))})
    return items


def _request_items(events: pd.DataFrame) -> list[dict[str, object]]:
    items = []
    for row in events.to_dict("records"):
        asked = row["event"] in ("gestellt", "zurückgezogen")
        points = f" {fmt.points(row['points'])}" if pd.notna(row["points"]) else ""
        text = (f"Anfrage {row['request_id']} {_EVENT_VERBS.get(str(row['event']), row['event'])}:{points} aus "
                f"{row['pool_id']} für {row['intervention_id']}")
        items.append({"at": row["at"], "Wer": row["user"], "ags": row["from_ags"] if asked else row["to_ags"],
                      "Was": text, "Karte": map_link(schema.POOL_AREAS, str(row["pool_id"]))})
    return items


def feed(data: schema.PoolData, *, new_ids: Mapping[str, Sequence[str]] | None = None,
         since: dt.datetime | None = None, limit: int = 10) -> pd.DataFrame:
    """The newest *limit* items (from *since* on, if given), newest first: columns :data:`COLUMNS`."""
    items = [*_history_items(data.history, new_ids or {}), *_ledger_items(data), *_request_items(data.requests)]
    frame = pd.DataFrame(items, columns=["at", "Wer", "ags", "Was", "Karte"])
    frame["_at"] = fmt.instants(frame["at"])
    if since is not None:  # stored moments have whole seconds: an item of the visit's own second counts as new
        frame = frame[frame["_at"] >= pd.Timestamp(since).tz_convert("UTC").floor("s")]
    frame = frame.sort_values("_at", ascending=False, kind="stable").head(limit)
    return pd.DataFrame({
        "Wann": [fmt.timestamp(v) for v in frame["at"]], "Wer": frame["Wer"].astype(str).to_numpy(),
        "Gemeinde": [schema.AGS_NAMES.get(str(a), "alle") for a in frame["ags"]],
        "Was": frame["Was"].to_numpy(), "Karte": frame["Karte"].to_numpy(),
    }, columns=list(COLUMNS))
