"""The change history as people read it: newest first, filtered, in German."""

from __future__ import annotations

from typing import Any

import pandas as pd

from geo import fmt, schema
from geo.upload.diff import display_value

ACTION_LABELS = {"upload": "Hochladen", "restore": "Wiederherstellung", "booking": "Buchung",
                 "valuation": "Bewertung", "request": "Anfrage", "regions": "Naturräume", "monitoring": "Monitoring",
                 "lock": "Sperrung"}
_VERBS = {"upload": "hochgeladen", "restore": "wiederhergestellt", "booking": "gebucht",
          "valuation": "Bewertung geändert", "regions": "ersetzt", "monitoring": "erfasst", "lock": "gesperrt"}


def newest_first(history: pd.DataFrame, *, ags: list[str] | None = None, layers: list[str] | None = None,
                 actions: list[str] | None = None) -> pd.DataFrame:
    """History rows, newest first, optionally only some municipalities, layers and actions."""
    rows = history
    if ags:
        rows = rows[rows["ags"].isin(ags)]
    if layers:
        rows = rows[rows["layer"].isin(layers)]
    if actions:
        rows = rows[rows["action"].isin(actions)]
    order = fmt.instants(rows["at"])
    return rows.assign(_at=order).sort_values(["_at", "change_id"], ascending=False).drop(columns="_at")


def _count(value: Any) -> int:
    return 0 if pd.isna(value) else int(value)


def counts_text(row: pd.Series) -> str:
    """``"1 neu, 3 geändert, 0 entfernt"``."""
    return (f"{fmt.number(_count(row['added']))} neu, {fmt.number(_count(row['changed']))} geändert, "
            f"{fmt.number(_count(row['removed']))} entfernt")


def what(row: pd.Series) -> str:
    """``"Poolflächen hochgeladen: 1 neu, 3 geändert, 0 entfernt"``."""
    if row["action"] == "request":
        return str(row["notes"] or "Anfrage")
    if row["action"] == "booking":  # the notes say what was booked: "Storno von B-…", "12.500 WP von … reserviert"
        return f"Buchung: {row['notes']}" if row["notes"] else "Buchung"
    layer = schema.LAYER_LABELS.get(row["layer"], row["layer"])
    detail = counts_text(row) if row["action"] in ("upload", "restore") else (row["notes"] or "")
    return f"{layer} {_VERBS.get(row['action'], row['action'])}: {detail}"


def headline(row: pd.Series) -> str:
    """One line: when, who, where, what."""
    where = schema.AGS_NAMES.get(row["ags"], "alle Gemeinden")
    return f"{fmt.timestamp(row['at'])} · {row['user']} · {where} · {what(row)}"


def history_table(history: pd.DataFrame) -> pd.DataFrame:
    """Display table (German headers and formats) of already sorted history rows."""
    return pd.DataFrame({
        "Änderung": history["change_id"].to_numpy(),
        "Zeitpunkt": [fmt.timestamp(v) for v in history["at"]],
        "Benutzer": history["user"].to_numpy(),
        "Gemeinde": [schema.AGS_NAMES.get(a, "alle") for a in history["ags"]],
        "Ebene": [schema.LAYER_LABELS.get(v, v) for v in history["layer"]],
        "Aktion": [ACTION_LABELS.get(v, v) for v in history["action"]],
        "Quelle": history["source"].fillna("").to_numpy(),
        "neu": [fmt.number(_count(v)) for v in history["added"]],
        "geändert": [fmt.number(_count(v)) for v in history["changed"]],
        "entfernt": [fmt.number(_count(v)) for v in history["removed"]],
        "Bemerkung": history["notes"].fillna("").to_numpy(),
    })


def is_layer_change(row: pd.Series) -> bool:
    """Uploads, restores and locks of a municipality's layer keep the state before them."""
    return row["action"] in schema.LAYER_ACTIONS and row["layer"] in schema.MUNICIPAL_LAYERS


def layer_table(frame: pd.DataFrame, layer: str) -> pd.DataFrame:
    """A stored layer (e.g. an earlier version) for display: German headers, formatted values."""
    return pd.DataFrame({f.label: [display_value(v, f) for v in frame[f.name]] for f in schema.LAYER_FIELDS[layer]})


def whats_new(history: pd.DataFrame, n: int = 5) -> pd.DataFrame:
    """The latest *n* changes for the start page: when, who, where, what."""
    rows = newest_first(history).head(n)
    return pd.DataFrame({
        "Wann": [fmt.timestamp(v) for v in rows["at"]],
        "Wer": rows["user"].to_numpy(),
        "Gemeinde": [schema.AGS_NAMES.get(a, "alle") for a in rows["ags"]],
        "Was": [what(r) for _, r in rows.iterrows()],
    })
