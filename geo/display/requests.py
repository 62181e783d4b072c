"""Requests across borders as people read them: German tables and labels for the inbox."""

from __future__ import annotations

import pandas as pd

from geo import fmt, schema


def _name(ags: object) -> str:
    return schema.AGS_NAMES.get(str(ags), str(ags))


def inbox_table(rows: pd.DataFrame, *, direction: str) -> pd.DataFrame:
    """Requests (rows of :func:`geo.accounting.requests.overview`) as a German table.

    *direction* ``"an"`` names the requesting municipality, ``"von"`` the one asked.
    """
    other = rows["from_ags"] if direction == "an" else rows["to_ags"]
    return pd.DataFrame({
        "Anfrage": rows["request_id"],
        "Status": rows["state"],
        "Von" if direction == "an" else "An": other.map(_name),
        "Eingriff": rows["intervention_id"],
        "Poolfläche": rows["pool_id"],
        "Angefragt": rows["points"].map(fmt.points),
        "Zugesagt": rows["granted_points"].map(lambda v: "" if pd.isna(v) else fmt.points(v)),
        "Art": rows["kind"],
        "Gestellt am": rows["asked_at"].map(fmt.date),
        "Alter": rows["age_days"].map(lambda d: f"{fmt.number(d)} Tage" if d != 1 else "1 Tag"),
        "Offen bis": rows["expires"].map(fmt.date),
        "Nachricht": rows["message"],
        "Antwort": rows["answer"],
        "Buchung": rows["allocation_id"].map(fmt.text),
    })


def label(row: pd.Series) -> str:
    """``A-2026-00001 · 50.000 WP aus WUR-2018-001 für STR-LEI-01 (Leipzig, 3 Tage)``."""
    return (f"{row['request_id']} · {fmt.points(row['points'])} aus {row['pool_id']} für {row['intervention_id']} "
            f"({_name(row['from_ags'])} → {_name(row['to_ags'])}, seit {fmt.date(row['asked_at'])})")


def outbox_table(outbox: pd.DataFrame) -> pd.DataFrame:
    """The notifications, newest first, with their delivery."""
    rows = outbox.iloc[::-1]
    delivery = [("versendet " + fmt.timestamp(sent)) if isinstance(sent, str) and sent else
                (str(error) if isinstance(error, str) and error else "nicht versendet (kein SMTP eingerichtet)")
                for sent, error in zip(rows["sent_at"], rows["error"], strict=True)]
    return pd.DataFrame({
        "Zeitpunkt": rows["at"].map(fmt.timestamp), "An": rows["recipient_ags"].map(_name),
        "Anfrage": rows["request_id"], "Betreff": rows["subject"], "Versand": delivery,
    })
