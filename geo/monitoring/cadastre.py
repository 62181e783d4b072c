"""The export for the state's compensation cadastre (KoKa-Nat): pool areas with their monitoring state,
inspections and bookings, as a GeoPackage and as zipped Shapefiles, so the partners report once.

Pool areas keep their outlines; inspections and bookings lie on their area's representative point
(the cadastre files them under the area). Owners are redacted as in every public download
(:mod:`geo.access.privacy`). The Shapefiles' short field names (at most 10 characters) and the
German name of every field are listed in the archive's ``FELDER.txt`` and in the GeoPackage's
table ``kokanat_felder``.
"""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import pandas as pd

from geo import fmt, schema
from geo.access import privacy
from geo.accounting import ledger
from geo.accounting.summary import PoolView
from geo.display.tables import Column
from geo.monitoring.status import FLAG_COLUMN
from geo.reports import downloads, qgis
from geo.store import Monitoring

AREAS, INSPECTIONS, BOOKINGS = "kokanat_flaechen", "kokanat_kontrollen", "kokanat_buchungen"
FIELD_TABLE = "kokanat_felder"
TITLE = "Meldung an das Kompensationsflächenkataster (KoKa-Nat)"

# field → (short Shapefile name, German header)
FIELDS: dict[str, tuple[str, str]] = {
    "pool_id": ("flaeche", "Flächen-ID"), "name": ("flurname", "Flurname"), "ags": ("ags", "Gemeindeschlüssel (AGS)"),
    "municipality": ("gemeinde", "Gemeinde"), "measure_type": ("massnahme", "Maßnahmentyp"),
    "status": ("status", "Status im Pool"), "value_points": ("wertpunkte", "Wertpunkte"),
    "area_m2": ("flaeche_m2", "Fläche (m²)"), "measure_start": ("massn_begi", "Maßnahmenbeginn"),
    "measure_end": ("massn_ende", "Maßnahmenende"), "owner": ("eigentuem", "Eigentümer/Träger"),
    "owner_type": ("eigent_art", "Eigentümerart"), "parcels": ("flurstueck", "Flurstücke"),
    "state": ("umsetzung", "Umsetzungsstand"), "state_date": ("stand_dat", "Umsetzungsstand seit"),
    "implemented": ("umgesetzt", "Umgesetzt am"), "last_inspection": ("letzte_kon", "Letzte Kontrolle"),
    "last_result": ("letzt_erg", "Ergebnis der letzten Kontrolle"),
    "next_due": ("naech_kon", "Nächste Kontrolle fällig"),
    "monitoring_flag": ("hinweis", "Monitoring-Hinweis"), "booked_points": ("gebucht_wp", "Gebucht (WP)"),
    "inspection_id": ("kontrolle", "Kontroll-ID"), "date": ("datum", "Datum"),
    "inspector": ("pruefer", "Kontrolliert von"), "result": ("ergebnis", "Ergebnis"),
    "note": ("bemerkung", "Bemerkung"),
    "files": ("dateien", "Anzahl Fotos/Dokumente"), "allocation_id": ("buchung", "Buchungs-ID"),
    "intervention_id": ("eingriff", "Eingriffs-ID"), "intervention_ags": ("ags_eingr", "AGS des Eingriffs"),
    "kind": ("art", "Buchungsart"), "points": ("punkte", "Wertpunkte (gebucht)"),
}
LAYER_COLUMNS: dict[str, tuple[str, ...]] = {
    AREAS: ("pool_id", "name", "ags", "municipality", "measure_type", "status", "value_points", "booked_points",
            "area_m2", "measure_start", "measure_end", "owner", "owner_type", "parcels", "state", "state_date",
            "implemented", "last_inspection", "last_result", "next_due", "monitoring_flag"),
    INSPECTIONS: ("inspection_id", "pool_id", "ags", "date", "inspector", "result", "note", "files"),
    BOOKINGS: ("allocation_id", "pool_id", "ags", "intervention_id", "intervention_ags", "kind", "points", "date"),
}


def _columns(layer: str) -> list[Column]:
    return [Column(name, FIELDS[name][1], "text") for name in LAYER_COLUMNS[layer]]


def _texts(frame: pd.DataFrame) -> pd.DataFrame:
    """Dates as ISO text (``YYYY-MM-DD``), everything else as it is."""
    out = schema.dates_as_text(frame)
    for column in out.columns:
        if out[column].map(lambda v: isinstance(v, dt.date)).any():
            out[column] = out[column].map(lambda v: v.isoformat() if isinstance(v, dt.date) else v)
    return out


def layers(view: PoolView, records: Monitoring, status: pd.DataFrame) -> dict[str, gpd.GeoDataFrame]:
    """The three layers (EPSG:25833) of *view*'s areas; owners redacted for the public."""
    pool = privacy.redact_owners(view.pool_areas, None)
    monitored = status.drop(columns=["name", "ags", "municipality", "measure_type", "status", "measure_start",
                                     "measure_end"])
    areas = pool.drop(columns=[FLAG_COLUMN], errors="ignore").merge(monitored, on="pool_id", how="left")
    points = dict(zip(pool["pool_id"], pool.geometry.representative_point(), strict=True))
    checks = records.inspections[records.inspections["pool_id"].isin(list(points))]
    counts = records.documents[records.documents["target"] == "inspection"].groupby("target_id").size()
    checks = checks.assign(files=checks["inspection_id"].map(counts).fillna(0).astype(int))
    active = ledger.active_entries(view.allocations)
    bookings = active[active["pool_id"].isin(list(points))].merge(
        view.interventions[["intervention_id", "ags"]].rename(columns={"ags": "intervention_ags"}),
        on="intervention_id", how="left").assign(ags=lambda f: f["pool_id"].map(pool.set_index("pool_id")["ags"]))
    frames = {AREAS: (areas, areas.geometry.to_numpy()),
              INSPECTIONS: (checks, [points[p] for p in checks["pool_id"]]),
              BOOKINGS: (bookings, [points[p] for p in bookings["pool_id"]])}
    return {name: gpd.GeoDataFrame(_texts(pd.DataFrame(frame[list(LAYER_COLUMNS[name])]).reset_index(drop=True)),
                                   geometry=geometry, crs=schema.CRS)
            for name, (frame, geometry) in frames.items()}


def notes(on: dt.date, counts: dict[str, int]) -> list[str]:
    """What the export holds (first lines of ``FELDER.txt``, the GeoPackage's description)."""
    return [TITLE, f"Stand {fmt.date(on)}",
            f"{fmt.count(counts[AREAS], 'Poolfläche', 'Poolflächen')} ({AREAS}, Flächen), "
            f"{fmt.count(counts[INSPECTIONS], 'Kontrolle', 'Kontrollen')} ({INSPECTIONS}, Punkt der Fläche), "
            f"{fmt.count(counts[BOOKINGS], 'Buchung', 'Buchungen')} ({BOOKINGS}, Punkt der Fläche); "
            "ETRS89 / UTM 33N (EPSG:25833).", privacy.EXPORT_NOTICE, schema.DEMO_NOTICE]


def field_table() -> pd.DataFrame:
    """Every field of every layer: ``ebene``, ``feld`` (short name), ``bedeutung`` (German), ``app_feld``."""
    return pd.DataFrame([{"ebene": layer, "feld": FIELDS[name][0], "bedeutung": FIELDS[name][1], "app_feld": name}
                         for layer, names in LAYER_COLUMNS.items() for name in names])


def shapefile(view: PoolView, records: Monitoring, status: pd.DataFrame, *, on: dt.date) -> bytes:
    """The three layers as zipped Shapefiles with ``FELDER.txt`` (short names, German headers)."""
    built = layers(view, records, status)
    return downloads.zipped_shapefiles({name: (frame, _columns(name)) for name, frame in built.items()},
                                       {name: short for name, (short, _) in FIELDS.items()},
                                       notes(on, {name: len(frame) for name, frame in built.items()}))


def geopackage(view: PoolView, records: Monitoring, status: pd.DataFrame, *, on: dt.date) -> bytes:
    """The three layers as one GeoPackage 1.2 plus the table :data:`FIELD_TABLE` naming every field."""
    built = layers(view, records, status)
    description = " ".join(notes(on, {name: len(frame) for name, frame in built.items()}))
    return qgis.geopackage({**built, FIELD_TABLE: field_table()}, description=description,
                           geometry_types={AREAS: "MultiPolygon", INSPECTIONS: "MultiPoint", BOOKINGS: "MultiPoint"})
