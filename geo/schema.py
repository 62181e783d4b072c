"""The contract of DOMAIN.md in one place: parties, layers, fields, enums, labels.

Validation, store, pages and exports all read from here; nothing else spells out a
field name or an enum value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final, Literal

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd

CRS = "EPSG:25833"
"""Stored and measured CRS (ETRS89 / UTM 33N)."""
WEB_CRS = "EPSG:4326"
# German names of the CRSs the partners' uploads come in (DOMAIN.md, "Coordinates").
CRS_NAMES: dict[str, str] = {
    "EPSG:25833": "ETRS89 / UTM Zone 33N",
    "EPSG:25832": "ETRS89 / UTM Zone 32N",
    "EPSG:31468": "DHDN / Gauß-Krüger 4. Streifen",
    "EPSG:31469": "DHDN / Gauß-Krüger 5. Streifen",
    "EPSG:4326": "WGS 84, geographische Koordinaten",
    "EPSG:3857": "WGS 84 / Pseudo-Mercator (Web-Karten)",
}

BOUNDARY_ATTRIBUTION = (
    "Verwaltungsgrenzen: © GeoBasis-DE / BKG 2016 (Daten verändert). VG250, Stand 01.01.2016."
)
DEMO_NOTICE = "Alle Flächen, Eingriffe und Buchungen sind synthetische Demodaten."


@dataclass(frozen=True)
class Municipality:
    ags: str
    name: str
    slug: str
    valuation_model: str
    rural: bool


MUNICIPALITIES: tuple[Municipality, ...] = (
    Municipality("14713000", "Leipzig", "leipzig", "leipzig", rural=False),
    Municipality("14729410", "Wurzen", "wurzen", "sachsen", rural=True),
    Municipality("14729030", "Bennewitz", "bennewitz", "sachsen", rural=True),
    Municipality("14729380", "Thallwitz", "thallwitz", "sachsen", rural=True),
    Municipality("14729245", "Lossatal", "lossatal", "sachsen", rural=True),
    Municipality("14729250", "Machern", "machern", "sachsen", rural=True),
    Municipality("14729070", "Brandis", "brandis", "sachsen", rural=True),
    Municipality("14729060", "Borsdorf", "borsdorf", "sachsen", rural=True),
    Municipality("14729400", "Trebsen/Mulde", "trebsen", "sachsen", rural=True),
)
_BY_AGS = {m.ags: m for m in MUNICIPALITIES}
_BY_SLUG = {m.slug: m for m in MUNICIPALITIES}
AGS_NAMES: dict[str, str] = {m.ags: m.name for m in MUNICIPALITIES}


def municipality(key: str) -> Municipality:
    """Look a party up by AGS or slug."""
    found = _BY_AGS.get(key) or _BY_SLUG.get(key)
    if found is None:
        raise KeyError(f"Unbekannte Gemeinde: {key!r}")
    return found


# --- layers -----------------------------------------------------------------------
LayerName = Literal["boundary", "pool_areas", "interventions"]
BOUNDARY: Final = "boundary"
POOL_AREAS: Final = "pool_areas"
INTERVENTIONS: Final = "interventions"
MUNICIPAL_LAYERS: tuple[LayerName, ...] = (BOUNDARY, POOL_AREAS, INTERVENTIONS)
ALLOCATIONS = "allocations"
HISTORY = "history"
REQUEST_EVENTS = "request_events"
OUTBOX = "outbox"
PRICES = "prices"
NATURAL_REGIONS = "natural_regions"
MEASURE_EVENTS = "measure_events"
INSPECTIONS = "inspections"
DOCUMENTS = "documents"
MONITORING_TABLES: tuple[str, ...] = (MEASURE_EVENTS, INSPECTIONS, DOCUMENTS)

LAYER_LABELS: dict[str, str] = {
    BOUNDARY: "Gemeindegrenze",
    POOL_AREAS: "Poolflächen",
    INTERVENTIONS: "Eingriffe",
    ALLOCATIONS: "Buchungen",
    HISTORY: "Änderungen",
    REQUEST_EVENTS: "Anfragen",
    OUTBOX: "Benachrichtigungen",
    PRICES: "Preise",
    "valuation": "Bewertungstabelle",
    NATURAL_REGIONS: "Naturräume",
    MEASURE_EVENTS: "Umsetzungsstand",
    INSPECTIONS: "Kontrollen",
    DOCUMENTS: "Dokumente",
}
ID_FIELD: dict[str, str] = {
    BOUNDARY: "ags",
    POOL_AREAS: "pool_id",
    INTERVENTIONS: "intervention_id",
    ALLOCATIONS: "allocation_id",
    HISTORY: "change_id",
    REQUEST_EVENTS: "event_id",
    OUTBOX: "notification_id",
    PRICES: "price_id",
    MEASURE_EVENTS: "event_id",
    INSPECTIONS: "inspection_id",
    DOCUMENTS: "document_id",
}

# --- enums --------------------------------------------------------------------------
POOL_STATUS: tuple[str, ...] = ("geplant", "verfügbar", "reserviert", "zugeordnet", "gesperrt")
POOL_STATUS_LABELS: dict[str, str] = {
    "geplant": "geplant",
    "verfügbar": "verfügbar",
    "reserviert": "reserviert",
    "zugeordnet": "zugeordnet",
    "gesperrt": "gesperrt",
}
# Map legend and charts share these colours. Their lightness steps apart so that the
# five states stay distinguishable in greyscale print (see tests/test_schema.py).
POOL_STATUS_COLORS: dict[str, str] = {
    "geplant": "#d4e4f1",
    "verfügbar": "#40a050",
    "reserviert": "#f1a340",
    "zugeordnet": "#2b3a8f",
    "gesperrt": "#5f5f5f",
}
MEASURE_TYPES: tuple[str, ...] = (
    "Aufforstung",
    "Extensivierung Grünland",
    "Entsiegelung",
    "Gewässerrenaturierung",
    "Hecken/Feldgehölze",
    "Streuobstwiese",
    "Blühflächen",
    "Waldumbau",
)
INTERVENTION_KINDS: tuple[str, ...] = ("B-Plan", "Straße/Verkehr", "Gewerbe", "Energie", "Sonstiges")
INTERVENTION_KIND_COLORS: dict[str, str] = {
    "B-Plan": "#c51b7d",
    "Straße/Verkehr": "#d7301f",
    "Gewerbe": "#8c510a",
    "Energie": "#e08214",
    "Sonstiges": "#4d4d4d",
}
INTERVENTION_STATUS: tuple[str, ...] = ("geplant", "im Verfahren", "genehmigt", "umgesetzt")
ALLOCATION_KINDS: tuple[str, ...] = ("reserviert", "zugeordnet")
OWNER_TYPES: tuple[str, ...] = ("öffentlich", "unternehmen", "privat")
"""``privat``: the owner is a private person, so ``owner`` is personal data (see :mod:`geo.access.privacy`)."""
HISTORY_ACTIONS: tuple[str, ...] = ("upload", "restore", "booking", "valuation", "request", "regions", "price",
                                    "monitoring", "lock")
LAYER_ACTIONS: tuple[str, ...] = ("upload", "restore", "lock")
"""Actions that publish a municipality's layer and keep its state before them (``lock``: an area set to
``gesperrt`` by the administration)."""
# What happens to a request (DOMAIN.md, "Cooperation between partners"): the events stored,
# and the states they lead to ("abgelaufen" follows from the clock, it is never stored).
REQUEST_EVENT_KINDS: tuple[str, ...] = ("gestellt", "zugesagt", "abgelehnt", "zurückgezogen")
REQUEST_STATES: tuple[str, ...] = ("offen", "zugesagt", "abgelehnt", "abgelaufen", "zurückgezogen")
COVERAGE_STATES: tuple[str, ...] = ("gedeckt", "teilweise", "offen")
# Monitoring (DOMAIN.md, "Monitoring"): the dated implementation state of a pool area's measure,
# the result of an inspection (Funktionskontrolle) and what documents are attached to.
IMPLEMENTATION_STATES: tuple[str, ...] = ("geplant", "in Umsetzung", "umgesetzt", "Funktionskontrolle bestanden",
                                          "Funktionskontrolle mit Mängeln")
INSPECTION_RESULTS: tuple[str, ...] = ("bestanden", "mit Mängeln")
INSPECTION_STATE: dict[str, str] = {"bestanden": "Funktionskontrolle bestanden",
                                    "mit Mängeln": "Funktionskontrolle mit Mängeln"}
"""The implementation state an inspection with this result records."""
DOCUMENT_KINDS: tuple[str, ...] = ("Foto", "Kontrollbericht", "Grundbuchauszug", "Pachtvertrag",
                                   "Genehmigungsbescheid", "Planunterlagen", "Sonstiges")
DOCUMENT_TARGETS: tuple[str, ...] = ("pool_area", "allocation", "inspection", "intervention")
INTERVENTION_DOCUMENT_KINDS: tuple[str, ...] = ("Genehmigungsbescheid", "Planunterlagen", "Sonstiges")
"""What is attached to an intervention itself (it has no area: no pool id on the document)."""

# --- fields -------------------------------------------------------------------------
FieldType = Literal["text", "id", "ags", "enum", "code", "number", "date", "timestamp"]


@dataclass(frozen=True)
class Field:
    name: str
    type: FieldType
    label: str
    required: bool = False
    choices: tuple[str, ...] = ()
    max_length: int | None = None
    """Longest text an upload may bring (characters); longer values are refused, not cut."""
    late: bool = False
    """Added after layers were already stored: left out of a row's checksum while empty, so that
    layers stored before the field existed keep their recorded checksums."""


ID_LENGTH, NAME_LENGTH, CODE_LENGTH, PARCELS_LENGTH, NOTES_LENGTH = 40, 200, 20, 1000, 2000


BOUNDARY_FIELDS: tuple[Field, ...] = (
    Field("ags", "ags", "Gemeindeschlüssel (AGS)", required=True, max_length=8),
    Field("name", "text", "Gemeinde", required=True, max_length=NAME_LENGTH),
)
POOL_FIELDS: tuple[Field, ...] = (
    Field("pool_id", "id", "Flächen-ID", required=True, max_length=ID_LENGTH),
    Field("name", "text", "Flurname", required=True, max_length=NAME_LENGTH),
    Field("ags", "ags", "Gemeinde", required=True, max_length=8),
    Field("status", "enum", "Status", required=True, choices=POOL_STATUS),
    Field("measure_type", "enum", "Maßnahmentyp", required=True, choices=MEASURE_TYPES),
    Field("biotope_before", "code", "Biotoptyp vorher", required=True, max_length=CODE_LENGTH),
    Field("biotope_after", "code", "Zielbiotoptyp", required=True, max_length=CODE_LENGTH),
    Field("value_points", "number", "Wertpunkte"),
    Field("measure_start", "date", "Maßnahmenbeginn"),
    Field("measure_end", "date", "Maßnahmenende"),
    Field("owner", "text", "Eigentümer/Träger", max_length=NAME_LENGTH),
    Field("owner_type", "enum", "Eigentümerart", choices=OWNER_TYPES, late=True),
    Field("parcels", "text", "Flurstücke", max_length=PARCELS_LENGTH),
    Field("notes", "text", "Bemerkungen", max_length=NOTES_LENGTH),
)
INTERVENTION_FIELDS: tuple[Field, ...] = (
    Field("intervention_id", "id", "Eingriffs-ID", required=True, max_length=ID_LENGTH),
    Field("name", "text", "Bezeichnung", required=True, max_length=NAME_LENGTH),
    Field("ags", "ags", "Gemeinde", required=True, max_length=8),
    Field("kind", "enum", "Art", required=True, choices=INTERVENTION_KINDS),
    Field("status", "enum", "Status", required=True, choices=INTERVENTION_STATUS),
    Field("biotope_before", "code", "Biotoptyp vorher", required=True, max_length=CODE_LENGTH),
    Field("biotope_after", "code", "Biotoptyp nachher", required=True, max_length=CODE_LENGTH),
    Field("demand_points", "number", "Kompensationsbedarf (WP)"),
    Field("approval_date", "date", "Genehmigungsdatum"),
)
ALLOCATION_FIELDS: tuple[Field, ...] = (
    Field("allocation_id", "id", "Buchungs-ID", required=True),
    Field("intervention_id", "id", "Eingriffs-ID", required=True),
    Field("pool_id", "id", "Flächen-ID", required=True),
    Field("kind", "enum", "Buchungsart", required=True, choices=ALLOCATION_KINDS),
    Field("points", "number", "Wertpunkte", required=True),
    Field("date", "date", "Buchungsdatum", required=True),
    Field("booked_by", "text", "Gebucht von", required=True),
    Field("notes", "text", "Bemerkungen"),
    Field("reverses", "id", "Storniert Buchung"),
    Field("created_at", "timestamp", "Erfasst am"),
    Field("change_id", "id", "Änderungs-ID"),
    Field("price_eur", "number", "Preis (€/WP)", late=True),
    Field("hash", "text", "Prüfwert (Kette)"),
)
HISTORY_FIELDS: tuple[Field, ...] = (
    Field("change_id", "id", "Änderungs-ID", required=True),
    Field("at", "timestamp", "Zeitpunkt", required=True),
    Field("user", "text", "Benutzer", required=True),
    Field("ags", "ags", "Gemeinde"),
    Field("layer", "text", "Ebene", required=True),
    Field("action", "enum", "Aktion", required=True, choices=HISTORY_ACTIONS),
    Field("source", "text", "Quelle"),
    Field("added", "number", "hinzugefügt"),
    Field("changed", "number", "geändert"),
    Field("removed", "number", "entfernt"),
    Field("checksum", "text", "Prüfsumme"),
    Field("notes", "text", "Bemerkungen"),
    Field("hash", "text", "Prüfwert (Kette)"),
)

# The requests' story, append-only and hash-chained like the ledger: one row per event. A
# "gestellt" row names what is asked for and until when; a "zugesagt" row what was granted
# (points, kind), the condition in ``text`` and the ledger entry it created.
REQUEST_EVENT_FIELDS: tuple[Field, ...] = (
    Field("event_id", "id", "Ereignis-ID", required=True),
    Field("request_id", "id", "Anfrage-ID", required=True),
    Field("event", "enum", "Ereignis", required=True, choices=REQUEST_EVENT_KINDS),
    Field("at", "timestamp", "Zeitpunkt", required=True),
    Field("user", "text", "Benutzer", required=True),
    Field("from_ags", "ags", "Anfragende Gemeinde", required=True),
    Field("to_ags", "ags", "Angefragte Gemeinde", required=True),
    Field("intervention_id", "id", "Eingriffs-ID", required=True),
    Field("pool_id", "id", "Flächen-ID", required=True),
    Field("points", "number", "Wertpunkte"),
    Field("kind", "enum", "Buchungsart", choices=ALLOCATION_KINDS),
    Field("text", "text", "Nachricht"),
    Field("expires", "date", "Gültig bis"),
    Field("allocation_id", "id", "Buchungs-ID"),
    Field("change_id", "id", "Änderungs-ID"),
    Field("hash", "text", "Prüfwert (Kette)"),
)
# Notifications of the partners, written with the event they report; ``sent_at``/``error``
# record the delivery by e-mail (the only columns that change later).
OUTBOX_FIELDS: tuple[Field, ...] = (
    Field("notification_id", "id", "Benachrichtigungs-ID", required=True),
    Field("request_id", "id", "Anfrage-ID", required=True),
    Field("at", "timestamp", "Zeitpunkt", required=True),
    Field("recipient_ags", "ags", "An Gemeinde", required=True),
    Field("subject", "text", "Betreff", required=True),
    Field("body", "text", "Text"),
    Field("change_id", "id", "Änderungs-ID"),
    Field("sent_at", "timestamp", "Versendet am"),
    Field("error", "text", "Versandfehler"),
)

# Prices per value point (DOMAIN.md, "Cooperation between partners"): for a municipality's
# areas (``pool_id`` empty) or one pool area, valid from a day (to a day, or open). Rows are
# only appended: a changed price is a new row; the most specific, latest-starting, latest-set
# row valid on a day applies (:mod:`geo.accounting.prices`).
PRICE_FIELDS: tuple[Field, ...] = (
    Field("price_id", "id", "Preis-ID", required=True),
    Field("ags", "ags", "Gemeinde", required=True),
    Field("pool_id", "id", "Flächen-ID"),
    Field("eur_per_point", "number", "Preis (€/WP)", required=True),
    Field("valid_from", "date", "Gültig ab", required=True),
    Field("valid_to", "date", "Gültig bis"),
    Field("notes", "text", "Bemerkungen"),
    Field("set_by", "text", "Festgelegt von", required=True),
    Field("at", "timestamp", "Zeitpunkt", required=True),
    Field("change_id", "id", "Änderungs-ID"),
)
# Monitoring records (append-only): each row belongs to the change (history row) that wrote it.
MEASURE_EVENT_FIELDS: tuple[Field, ...] = (
    Field("event_id", "id", "Ereignis-ID", required=True),
    Field("pool_id", "id", "Flächen-ID", required=True),
    Field("ags", "ags", "Gemeinde", required=True),
    Field("state", "enum", "Umsetzungsstand", required=True, choices=IMPLEMENTATION_STATES),
    Field("date", "date", "Datum", required=True),
    Field("user", "text", "Erfasst von", required=True),
    Field("note", "text", "Bemerkung", max_length=NOTES_LENGTH),
    Field("inspection_id", "id", "Kontroll-ID"),
    Field("at", "timestamp", "Erfasst am", required=True),
    Field("change_id", "id", "Änderungs-ID"),
)
INSPECTION_FIELDS: tuple[Field, ...] = (
    Field("inspection_id", "id", "Kontroll-ID", required=True),
    Field("pool_id", "id", "Flächen-ID", required=True),
    Field("ags", "ags", "Gemeinde", required=True),
    Field("date", "date", "Kontrolldatum", required=True),
    Field("inspector", "text", "Kontrolliert von", required=True, max_length=NAME_LENGTH),
    Field("result", "enum", "Ergebnis", required=True, choices=INSPECTION_RESULTS),
    Field("note", "text", "Bemerkung", max_length=NOTES_LENGTH),
    Field("user", "text", "Erfasst von", required=True),
    Field("at", "timestamp", "Erfasst am", required=True),
    Field("change_id", "id", "Änderungs-ID"),
)
DOCUMENT_FIELDS: tuple[Field, ...] = (
    Field("document_id", "id", "Dokument-ID", required=True),
    Field("target", "enum", "Gehört zu", required=True, choices=DOCUMENT_TARGETS),
    Field("target_id", "id", "Zu (ID)", required=True),
    Field("pool_id", "id", "Flächen-ID"),  # empty on an intervention's own documents
    Field("ags", "ags", "Gemeinde", required=True),
    Field("kind", "enum", "Dokumentart", required=True, choices=DOCUMENT_KINDS),
    Field("file_name", "text", "Dateiname", required=True, max_length=NAME_LENGTH),
    Field("media_type", "text", "Dateityp", required=True),
    Field("size_bytes", "number", "Größe (Byte)", required=True),
    Field("sha256", "text", "Prüfsumme (SHA-256)", required=True),
    Field("user", "text", "Hinzugefügt von", required=True),
    Field("at", "timestamp", "Hinzugefügt am", required=True),
    Field("change_id", "id", "Änderungs-ID"),
)

LAYER_FIELDS: dict[str, tuple[Field, ...]] = {
    BOUNDARY: BOUNDARY_FIELDS,
    POOL_AREAS: POOL_FIELDS,
    INTERVENTIONS: INTERVENTION_FIELDS,
    ALLOCATIONS: ALLOCATION_FIELDS,
    HISTORY: HISTORY_FIELDS,
    REQUEST_EVENTS: REQUEST_EVENT_FIELDS,
    OUTBOX: OUTBOX_FIELDS,
    PRICES: PRICE_FIELDS,
    MEASURE_EVENTS: MEASURE_EVENT_FIELDS,
    INSPECTIONS: INSPECTION_FIELDS,
    DOCUMENTS: DOCUMENT_FIELDS,
}


def field_names(layer: str) -> list[str]:
    """The schema's column order for *layer* (without geometry)."""
    return [f.name for f in LAYER_FIELDS[layer]]


# Labels of columns that the app derives (not stored in the layers).
DERIVED_LABELS: dict[str, str] = {
    "municipality": "Gemeinde",
    "area_m2": "Fläche (m²)",
    "area_ha": "Fläche (ha)",
    "gain_points": "Aufwertung (WP)",
    "booked_points": "Gebucht (WP)",
    "reserved_points": "Reserviert (WP)",
    "allocated_points": "Zugeordnet (WP)",
    "free_points": "Frei (WP)",
    "requested_points": "Angefragt (WP)",
    "unbooked_points": "Ungebucht (WP)",
    "covered_points": "Gedeckt (WP)",
    "open_points": "Offener Bedarf (WP)",
    "coverage": "Deckung",
    "coverage_share": "Deckungsgrad",
    "balance": "Bilanz (WP)",
    "monitoring_flag": "Monitoring-Hinweis",
    "geometry": "Geometrie",
}


def label(column: str, layer: str | None = None) -> str:
    """German label of a column; the layer disambiguates ``status`` and ``name``."""
    layers = [layer] if layer else list(LAYER_FIELDS)
    for name in layers:
        for f in LAYER_FIELDS.get(name, ()):
            if f.name == column:
                return f.label
    return DERIVED_LABELS.get(column, column)


@dataclass(frozen=True)
class PoolData:
    """The stored pool in one object: the three layers of all municipalities, ledger and history."""

    boundaries: gpd.GeoDataFrame
    pool_areas: gpd.GeoDataFrame
    interventions: gpd.GeoDataFrame
    allocations: pd.DataFrame
    history: pd.DataFrame
    requests: pd.DataFrame = field(default_factory=lambda: empty_table(REQUEST_EVENTS))
    outbox: pd.DataFrame = field(default_factory=lambda: empty_table(OUTBOX))
    prices: pd.DataFrame = field(default_factory=lambda: empty_table(PRICES))
    valuation: dict[str, str] = field(default_factory=dict)
    """The valuation tables' CSV text by model (empty: figures are not valued under the models)."""
    natural_regions: gpd.GeoDataFrame | None = None
    """The natural-region layer (``region_id``, ``name``, ``notes``; None: not read)."""

    def layer(self, name: str) -> gpd.GeoDataFrame:
        """One municipal layer by its schema name."""
        layers: dict[str, gpd.GeoDataFrame] = {
            BOUNDARY: self.boundaries, POOL_AREAS: self.pool_areas, INTERVENTIONS: self.interventions}
        return layers[name]


def empty_table(table: str) -> pd.DataFrame:
    """A table of *table*'s schema fields without rows (numbers as float)."""
    import pandas as pd

    return pd.DataFrame({f.name: pd.Series(dtype=float if f.type == "number" else object)
                         for f in LAYER_FIELDS[table]})


def dates_as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy with dates as ISO text (GeoPackage DATE semantics, QGIS-friendly); other columns as they are."""
    import pandas as pd

    out = frame.copy()
    for col in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[col]):
            out[col] = out[col].dt.strftime("%Y-%m-%d").where(out[col].notna(), None)
    return out
