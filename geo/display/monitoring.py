"""Monitoring tables as people read them: German headers and formats, flags as a sign and a word."""

from __future__ import annotations

import pandas as pd

from geo import fmt, schema
from geo.display.tables import columns, german_table
from geo.monitoring.status import DEFECTS, FLAG_COLUMN, FLAG_MARK, NOT_IMPLEMENTED

TARGET_LABELS = {"pool_area": "Fläche", "allocation": "Buchung", "inspection": "Kontrolle", "intervention": "Eingriff"}
STATUS_COLUMNS = columns(
    ("pool_id", "Fläche", "text"), ("name", "Flurname", "text"), ("municipality", "Gemeinde", "text"),
    ("measure_type", "Maßnahmentyp", "text"), ("state", "Umsetzungsstand", "text_or_dash"),
    ("state_date", "seit", "date"), ("last_inspection", "Letzte Kontrolle", "date"),
    ("last_result", "Ergebnis", "text_or_dash"), ("next_due", "Nächste Kontrolle fällig", "date"),
    ("overdue_days", "Tage überfällig", "count"), ("flag", "Hinweis", "text"))
NOT_STARTED_COLUMNS = columns(
    ("pool_id", "Fläche", "text"), ("name", "Flurname", "text"), ("municipality", "Gemeinde", "text"),
    ("measure_type", "Maßnahmentyp", "text"), ("measure_start", "Beginn geplant", "date"),
    ("state", "Umsetzungsstand", "text_or_dash"), ("state_date", "seit", "date"))
MUNICIPALITY_COLUMNS = columns(
    ("municipality", "Gemeinde", "text"), ("areas", "Poolflächen", "count"), ("implemented", "umgesetzt", "count"),
    ("overdue", "Kontrolle überfällig", "count"), ("defects", "mit Mängeln", "count"),
    ("not_started", "nicht begonnen", "count"))
EVENT_COLUMNS = columns(
    ("date", "Datum", "date"), ("state", "Umsetzungsstand", "text"), ("note", "Bemerkung", "text"),
    ("user", "Erfasst von", "text"), ("at", "Erfasst am", "text"))
INSPECTION_COLUMNS = columns(
    ("inspection_id", "Kontrolle", "text"), ("date", "Datum", "date"), ("inspector", "Kontrolliert von", "text"),
    ("result", "Ergebnis", "text"), ("note", "Bemerkung", "text"), ("files", "Fotos/Dokumente", "count"),
    ("user", "Erfasst von", "text"))
DOCUMENT_COLUMNS = columns(
    ("kind", "Dokumentart", "text"), ("target_label", "Gehört zu", "text"), ("file_name", "Datei", "text"),
    ("size", "Größe", "text"), ("user", "Hinzugefügt von", "text"), ("at", "Hinzugefügt am", "text"))
BOOKED_COLUMNS = columns(
    ("intervention_id", "Eingriff", "text"), ("intervention_name", "Bezeichnung", "text"),
    ("municipality", "Gemeinde des Eingriffs", "text"), ("points", "Gebucht", "wp"))


def flag_text(flag: str) -> str:
    """``⚠ Mängel`` (a sign and a word, never a colour alone); "" without a flag."""
    return f"{FLAG_MARK} {flag}" if flag else ""


def flags(frame: pd.DataFrame) -> pd.Series:
    """:func:`flag_text` of each row's :data:`~geo.monitoring.status.FLAG_COLUMN` ("" where a frame has none)."""
    if FLAG_COLUMN not in frame.columns:
        return pd.Series("", index=frame.index, dtype=object)
    return frame[FLAG_COLUMN].fillna("").astype(str).map(flag_text)


def status_table(status: pd.DataFrame) -> pd.DataFrame:
    """:func:`geo.monitoring.status.area_status` rows for display."""
    return german_table(status.assign(flag=flags(status)), STATUS_COLUMNS)


def not_started_table(status: pd.DataFrame) -> pd.DataFrame:
    return german_table(status, NOT_STARTED_COLUMNS)


def municipality_table(counts: pd.DataFrame) -> pd.DataFrame:
    """:func:`geo.monitoring.status.per_municipality` for display."""
    return german_table(counts, MUNICIPALITY_COLUMNS)


def events_table(events: pd.DataFrame) -> pd.DataFrame:
    """An area's implementation states, newest first."""
    newest = events.iloc[::-1]
    return german_table(newest.assign(at=[fmt.timestamp(v) for v in newest["at"]]), EVENT_COLUMNS)


def inspections_table(inspections: pd.DataFrame, documents: pd.DataFrame) -> pd.DataFrame:
    """An area's inspections, newest first, with the number of their files."""
    counts = documents[documents["target"] == "inspection"].groupby("target_id").size()
    newest = inspections.iloc[::-1]
    return german_table(newest.assign(files=newest["inspection_id"].map(counts).fillna(0)), INSPECTION_COLUMNS)


def document_label(document: pd.Series) -> str:
    """``Foto zu Kontrolle K-000012: kontrolle-1.jpg (153 kB)``."""
    return (f"{document['kind']} zu {TARGET_LABELS[str(document['target'])]} {document['target_id']}: "
            f"{document['file_name']} ({size(document['size_bytes'])})")


def size(size_bytes: float) -> str:
    """``153 kB``, ``2,4 MB``."""
    if size_bytes < 1024 * 1024:
        return f"{fmt.number(max(1.0, size_bytes / 1024))}\u00a0kB"
    return f"{fmt.number(size_bytes / 1024 / 1024, 1)}\u00a0MB"


def documents_table(documents: pd.DataFrame) -> pd.DataFrame:
    labels = [f"{TARGET_LABELS[str(t)]} {i}" for t, i in zip(documents["target"], documents["target_id"], strict=True)]
    return german_table(documents.assign(target_label=labels, size=documents["size_bytes"].map(size),
                                         at=[fmt.timestamp(v) for v in documents["at"]]), DOCUMENT_COLUMNS)


def booked_table(booked: pd.DataFrame, interventions: pd.DataFrame) -> pd.DataFrame:
    """Active bookings on an area (:func:`geo.monitoring.status.booked_on`) with the interventions' names."""
    names = interventions.set_index("intervention_id")
    return german_table(booked.assign(intervention_name=booked["intervention_id"].map(names["name"]),
                                      municipality=booked["intervention_id"].map(names["ags"]).map(schema.AGS_NAMES)),
                        BOOKED_COLUMNS)


def area_facts(row: pd.Series) -> str:
    """``Extensivierung Grünland · Lossatal · umgesetzt seit 12.06.2021 · nächste Kontrolle 01.06.2027``."""
    parts = [str(row["measure_type"]), str(row["municipality"])]
    parts.append(f"{row['state']} seit {fmt.date(row['state_date'])}" if row["state"]
                 else "kein Umsetzungsstand erfasst")
    if row["next_due"] is not None and not pd.isna(row["next_due"]):
        late = f" ({fmt.count(int(row['overdue_days']), 'Tag', 'Tage')} überfällig)" if row["overdue_days"] else ""
        parts.append(f"nächste Kontrolle {fmt.date(row['next_due'])}{late}")
    if row[FLAG_COLUMN] == NOT_IMPLEMENTED:
        parts.append(f"{flag_text(NOT_IMPLEMENTED)} (Beginn geplant am {fmt.date(row['measure_start'])})")
    elif row[FLAG_COLUMN]:
        parts.append(flag_text(str(row[FLAG_COLUMN])))
    return " · ".join(parts)


def overview_note(pool_areas: pd.DataFrame) -> str | None:
    """``⚠ Monitoring: 7 Poolflächen mit Mängeln, 11 nicht umgesetzt; auf ihnen sind 1.234.567 WP gebucht.``
    (None without flagged areas)."""
    flags = pool_areas[FLAG_COLUMN] if FLAG_COLUMN in pool_areas.columns else pd.Series(dtype=object)
    defects, missing = int((flags == DEFECTS).sum()), int((flags == NOT_IMPLEMENTED).sum())
    if not defects + missing:
        return None
    booked = float(pool_areas.loc[flags.isin([DEFECTS, NOT_IMPLEMENTED]), "booked_points"].sum())
    return (f"{FLAG_MARK} Monitoring: {fmt.count(defects, 'Poolfläche', 'Poolflächen')} mit Mängeln, "
            f"{fmt.number(missing)} nicht umgesetzt; auf ihnen sind {fmt.points(booked)} gebucht "
            "(Einzelheiten auf der Seite „Monitoring“).")
