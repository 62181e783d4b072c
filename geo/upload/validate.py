"""Validation of an uploaded layer before anything is stored: collect, then report.

:func:`validate` takes an upload already mapped onto the schema's columns
(:func:`geo.upload.columns.apply`) and returns a :class:`ValidationReport` with every finding
(error or warning, feature id, field, German message) and the cleaned layer in
EPSG:25833, ready for :mod:`geo.upload.diff` and :mod:`geo.upload.publish`. Errors block publishing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from geo import fmt, schema
from geo.accounting import ledger, valuation
from geo.config import ValuationModels
from geo.schema import PoolData, label
from geo.store import reference
from geo.upload.columns import Mapping
from geo.upload.ingest import NUL_MARK

Severity = Literal["error", "warning"]
SEVERITY_LABELS = {"error": "Fehler", "warning": "Hinweis"}
VALUE_TOLERANCE = 0.01
OVERLAP_MIN_M2 = 1.0
OUTSIDE_SHARE = 0.01
OUTSIDE_MIN_M2 = 50.0
"""A feature may reach outside its municipality by up to 1 % of its area or 50 m², whichever is more
(the official boundaries are generalised at 1:250 000); beyond that it is an error."""
BOUNDARY_TOLERANCE = 0.02
"""An uploaded boundary may differ from the official one (symmetric difference) by 2 % of its area."""
_HIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
                     "\ue000]")
_BIDI = set("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
SHOWN_CHARS = 60
FrameT = TypeVar("FrameT", bound=pd.DataFrame)
ID_PATTERN = re.compile(r"^[A-Za-z0-9ÄÖÜäöü][A-Za-z0-9ÄÖÜäöü._/-]{0,39}$")
_MOJIBAKE = re.compile("[ÃÂ][\u0080-\u00bf]|\ufffd")
_DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y/%m/%d", "%Y/%m/%d %H:%M:%S",
                 "%d.%m.%y")
_REASONS = {
    "Ring Self-intersection": "Ring schneidet sich selbst",
    "Self-intersection": "Selbstüberschneidung",
    "Too few points": "zu wenige Punkte",
    "Hole lies outside shell": "Loch liegt außerhalb der Außengrenze",
    "Nested shells": "verschachtelte Außengrenzen",
    "Interior is disconnected": "Inneres ist zerteilt",
    "Nested holes": "verschachtelte Löcher",
    "Duplicate Rings": "doppelte Ringe",
    "Invalid Coordinate": "ungültige Koordinate",
}


@dataclass(frozen=True)
class Finding:
    severity: Severity
    rule: str
    message: str
    feature_id: str | None = None
    field: str | None = None


@dataclass(frozen=True)
class Context:
    """What validation compares an upload of municipality *ags* with."""

    ags: str
    tables: dict[str, valuation.ValuationTable]
    boundary: BaseGeometry | None = None
    foreign_ids: dict[str, str] = field(default_factory=dict)  # id → AGS of the other municipalities' features
    allocations: pd.DataFrame = field(default_factory=ledger.empty_ledger)  # the ledger, for pool-area status
    others: gpd.GeoDataFrame | None = None  # the other municipalities' stored pool areas (double counting)
    official: BaseGeometry | None = None  # the official boundary of *ags* (an uploaded boundary is compared)
    admin: bool = False  # the uploader is an administrator (only they change a boundary)
    models: ValuationModels = field(default_factory=ValuationModels.from_env)  # each partner's own model (settings)


def context_for(ags: str, layer: str, *, stored: gpd.GeoDataFrame, boundaries: gpd.GeoDataFrame,
                tables: dict[str, valuation.ValuationTable], allocations: pd.DataFrame | None = None,
                official: gpd.GeoDataFrame | None = None, admin: bool = False) -> Context:
    """The context of an upload of *ags*'s *layer*, from the stored layer of all municipalities
    (and for a boundary, the *official* boundaries)."""
    others = stored[stored["ags"] != ags]
    boundary = boundaries.loc[boundaries["ags"] == ags, "geometry"]
    reference_geom = official.loc[official["ags"] == ags, "geometry"] if official is not None else None
    return Context(ags, tables, boundary.iloc[0] if len(boundary) and layer != schema.BOUNDARY else None,
                   dict(zip(others[schema.ID_FIELD[layer]].astype(str).to_numpy(dtype=object),
                            others["ags"].to_numpy(dtype=object), strict=True)),  # not cell by cell through Arrow
                   allocations if allocations is not None else ledger.empty_ledger(),
                   others=others if layer == schema.POOL_AREAS else None,
                   official=reference_geom.iloc[0] if reference_geom is not None and len(reference_geom) else None,
                   admin=admin)


def context_from(data: PoolData, ags: str, layer: str, tables: dict[str, valuation.ValuationTable], *,
                 admin: bool = False) -> Context:
    """:func:`context_for` from the stored pool (layers and ledger), the valuation tables in use and the
    official boundaries."""
    return context_for(ags, layer, stored=data.layer(layer), boundaries=data.boundaries, tables=tables,
                       allocations=data.allocations, official=reference.official_boundaries(), admin=admin)


def _hints(n: int, *, dative: bool = False) -> str:
    return f"{fmt.number(n)} {'Hinweis' if n == 1 else 'Hinweisen' if dative else 'Hinweise'}"


@dataclass(frozen=True)
class ValidationReport:
    layer: str
    findings: tuple[Finding, ...]
    frame: gpd.GeoDataFrame | None  # cleaned, EPSG:25833; None when nothing could be read
    repairs: pd.DataFrame  # feature_id, reason, area_before, area_after

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]

    @property
    def ok(self) -> bool:
        return self.frame is not None and not self.errors

    def summary(self) -> str:
        """The verdict in one German sentence (the page's headline over the findings)."""
        errors, warnings = len(self.errors), len(self.warnings)
        if errors:
            return (f"Prüfung: {fmt.number(errors)} Fehler und {_hints(warnings)}. Fehler verhindern das "
                    "Veröffentlichen; bitte korrigieren (Zuordnung oben oder in der Datei) und erneut prüfen.")
        if warnings:
            return f"Prüfung bestanden mit {_hints(warnings, dative=True)}."
        return "Prüfung bestanden: keine Fehler, keine Hinweise."

    def repairs_table(self) -> pd.DataFrame:
        """Invalid geometries and their repaired version's area, for display."""
        return pd.DataFrame({
            "Objekt": self.repairs["feature_id"].to_numpy(), "Grund": self.repairs["reason"].to_numpy(),
            "Fläche vorher": [f"{fmt.number(v, 1)} m²" for v in self.repairs["area_before"]],
            "Fläche repariert": [f"{fmt.number(v, 1)} m²" for v in self.repairs["area_after"]],
        })

    def table(self) -> pd.DataFrame:
        """The findings for display: errors first, German headers."""
        rows = sorted(self.findings, key=lambda f: (f.severity != "error", f.feature_id or ""))
        return pd.DataFrame({
            "Art": [SEVERITY_LABELS[f.severity] for f in rows],
            "Objekt": [f.feature_id or "ganze Ebene" for f in rows],
            "Feld": [label(f.field, self.layer) if f.field else "" for f in rows],
            "Meldung": [f.message for f in rows],
        })


class _Collector:
    def __init__(self) -> None:
        self.findings: list[Finding] = []

    def add(self, severity: Severity, rule: str, message: str, feature_id: str | None = None,
            field_name: str | None = None) -> None:
        self.findings.append(Finding(severity, rule, message, feature_id, field_name))

    def per_row(self, mask: pd.Series, ids: pd.Series, severity: Severity, rule: str, field_name: str | None,
                message: str | Callable[..., str]) -> None:
        """One finding per row in *mask*; *message* is a text or a function of the row's index (called for
        the rows in *mask* only: the rules find their rows a column at a time, the messages are per row)."""
        for idx in mask[mask].index:
            text = message(idx) if callable(message) else str(message)
            self.add(severity, rule, text, ids[idx], field_name)


def _row_ids(frame: pd.DataFrame, layer: str) -> pd.Series:
    """The feature's id for messages, or its row number where the id is missing."""
    text = fmt.texts(frame[schema.ID_FIELD[layer]]).str.strip()
    blank = np.flatnonzero((text == "").to_numpy())
    named = text.to_numpy(dtype=object)
    named[blank] = [f"Zeile {i + 1}" for i in blank]
    return pd.Series(named, index=frame.index, dtype=text.dtype)


def _stripped(series: pd.Series) -> pd.Series:
    """Values as stripped text, missing or blank as missing (text dtype; None in an object column when no value
    is left)."""
    text = fmt.texts(series).str.strip()
    present = text != ""
    if not present.any():
        return pd.Series([None] * len(series), index=series.index, dtype=object)
    return text.where(present)


def _text_cells(values: pd.Series) -> pd.Series:
    """The cells that are text as they are, every other cell (missing, number, date, bytes) as ``""``; object
    dtype, same index. Text columns are checked as a whole; only a column mixing kinds is looked at per cell."""
    cells = values.astype(object)
    if pd.api.types.infer_dtype(cells, skipna=True) in ("string", "empty"):
        return cells.where(cells.notna().to_numpy(), "")
    return cells.where(np.array([isinstance(v, str) for v in cells], dtype=bool), "")


def _found_in(pattern: re.Pattern[str], text: pd.Series) -> bool:
    """Does *pattern* match in any cell of *text* (all text)? One search over the column joined by line
    breaks, so a clean column costs no per-cell work; *pattern* never matches a line break."""
    return pattern.search("\n".join(text.to_numpy(dtype=object))) is not None


def shown(value: object) -> str:
    """A value as a message quotes it: at most :data:`SHOWN_CHARS` characters (long text floods the table)."""
    text = str(value)
    return text if len(text) <= SHOWN_CHARS else f"{text[:SHOWN_CHARS]}… ({fmt.number(len(text))} Zeichen)"


def _hidden_name(char: str) -> str:
    if char == NUL_MARK or char == "\x00":
        return "Nullbyte (hätte den Text abgeschnitten)"
    if char in _BIDI:
        return f"Schreibrichtungszeichen U+{ord(char):04X}"
    return f"Steuerzeichen U+{ord(char):04X}"


def _hygiene(frame: pd.DataFrame, layer: str, ids: pd.Series, c: _Collector) -> None:
    """Remove NUL bytes, bidi overrides/isolates and other control characters from text (with a Hinweis)."""
    for f in schema.LAYER_FIELDS[layer]:
        if f.type not in ("text", "id", "code", "enum", "ags"):
            continue
        values = frame[f.name]
        text = _text_cells(values)
        if not _found_in(_HIDDEN, text):
            continue
        dirty = text.str.contains(_HIDDEN).astype(bool)
        found = text[dirty].map(lambda v: sorted({_hidden_name(ch) for ch in _HIDDEN.findall(v)}))
        cleaned = text[dirty].str.replace(_HIDDEN, "", regex=True)
        c.per_row(dirty, ids, "warning", "text_cleaned", f.name,
                  lambda i, f=f, found=found, cleaned=cleaned: f"Unsichtbare Zeichen aus „{f.label}“ entfernt: "
                  f"{', '.join(found[i])}. Übernommen wird „{shown(cleaned[i])}“.")
        frame[f.name] = values.astype(object).where(~dirty, cleaned.reindex(values.index))


def _lengths(frame: pd.DataFrame, layer: str, ids: pd.Series, c: _Collector) -> None:
    """Text longer than the schema allows is refused (not cut: a cut name or id would be wrong data)."""
    for f in schema.LAYER_FIELDS[layer]:
        if f.max_length is None:
            continue
        text = _text_cells(frame[f.name])
        lengths = text[text.str.len() > f.max_length].str.strip().str.len()  # stripping only shortens
        c.per_row(lengths > f.max_length, ids, "error", "text_too_long", f.name,
                  lambda i, f=f, lengths=lengths: f"„{f.label}“ ist {fmt.number(lengths[i])} Zeichen lang; erlaubt "
                  f"sind höchstens {fmt.number(f.max_length or 0)}. Bitte in der Datei kürzen (Anfang: "
                  f"„{shown(frame.at[i, f.name])}“).")


def _geometry(frame: gpd.GeoDataFrame, ids: pd.Series, c: _Collector, repair: bool,
              ) -> tuple[gpd.GeoDataFrame, pd.Series, pd.DataFrame]:
    """Reproject, drop Z, check types, emptiness and validity. Returns frame, usable-geometry mask, repairs."""
    crs = frame.crs  # validate() has refused a frame without one
    if crs is not None and crs != schema.CRS:
        c.add("warning", "crs_reprojected", f"Koordinaten in {crs.to_string()} "
              f"({schema.CRS_NAMES.get(crs.to_string(), crs.name)}) wurden nach "
              f"{schema.CRS} (ETRS89 / UTM 33N) umgerechnet.")
        frame = frame.to_crs(schema.CRS)
    geoms = frame.geometry.values
    if shapely.has_z(geoms).any():
        c.add("warning", "z_dropped", "Die Geometrien haben Höhenwerte (3D); die Höhen werden entfernt, "
              "gespeichert wird 2D.")
        frame = frame.set_geometry(shapely.force_2d(geoms), crs=schema.CRS)
        geoms = frame.geometry.values
    empty = pd.Series(shapely.is_missing(geoms) | shapely.is_empty(geoms), index=frame.index)
    c.per_row(empty, ids, "error", "empty_geometry", "geometry", "Leere Geometrie: das Objekt hat keine Fläche.")
    types = pd.Series(shapely.get_type_id(geoms), index=frame.index)
    polygonal = types.isin([3, 6])
    wrong = ~polygonal & ~empty
    if wrong.all():
        kinds = ", ".join(sorted(set(frame[wrong].geom_type)))
        c.add("error", "geometry_type", f"Die Ebene enthält {kinds}-Geometrien; erwartet werden Flächen "
              "(Polygon oder MultiPolygon).")
    else:
        c.per_row(wrong, ids, "error", "geometry_type", "geometry",
                  lambda i: f"Geometrietyp {frame.geometry[i].geom_type}: erwartet wird eine Fläche "
                            "(Polygon oder MultiPolygon).")
    candidates = polygonal & ~empty
    invalid = candidates & ~pd.Series(shapely.is_valid(geoms), index=frame.index)
    repairs = pd.DataFrame(columns=["feature_id", "reason", "area_before", "area_after"])
    if invalid.any():
        bad = frame[invalid].geometry.values
        fixed = shapely.make_valid(bad, method="structure", keep_collapsed=False)
        reasons = [_reason(r) for r in shapely.is_valid_reason(bad)]
        repairs = pd.DataFrame({"feature_id": ids[invalid].to_numpy(), "reason": reasons,
                                "area_before": shapely.area(bad), "area_after": shapely.area(fixed)})
        for (_, row), idx in zip(repairs.iterrows(), invalid[invalid].index, strict=True):
            change = f"Fläche {fmt.number(row.area_before, 1)} m² → {fmt.number(row.area_after, 1)} m²"
            if repair:
                c.add("warning", "geometry_repaired", f"Ungültige Geometrie ({row.reason}) repariert; {change}.",
                      ids[idx], "geometry")
            else:
                c.add("error", "geometry_invalid", f"Ungültige Geometrie: {row.reason}. Eine reparierte Fassung "
                      f"steht bereit ({change}).", ids[idx], "geometry")
        if repair:
            geoms = frame.geometry.values.copy()
            geoms[np.flatnonzero(invalid.to_numpy())] = fixed
            frame = frame.set_geometry(geoms, crs=schema.CRS)
    usable = candidates if repair else candidates & ~invalid
    return frame, usable, repairs


def _reason(text: str) -> str:
    kind, _, where = text.partition("[")
    german = _REASONS.get(kind.strip(), kind.strip())
    coords = [fmt.number(float(v), 1) for v in where.rstrip("]").split()]
    return f"{german} bei ({' | '.join(coords)})" if coords else german


def _ids(frame: pd.DataFrame, layer: str, ids: pd.Series, ctx: Context, c: _Collector) -> None:
    id_field = schema.ID_FIELD[layer]
    values = _stripped(frame[id_field])
    present = values.notna()
    c.per_row(~present, ids, "error", "id_missing", id_field, "Die ID fehlt; jedes Objekt braucht eine eindeutige ID.")
    malformed = present & ~values.fillna("").str.match(ID_PATTERN).astype(bool)
    c.per_row(malformed, ids, "error", "id_malformed", id_field,
              lambda i: f"Die ID „{shown(values[i])}“ ist nicht wohlgeformt: 1–40 Zeichen aus Buchstaben, Ziffern, "
                        "„-“, „_“, „.“, „/“, ohne Leerzeichen.")
    duplicated = present & values.duplicated(keep=False)
    counts = values[duplicated].value_counts()  # every occurrence of a repeated id is among the duplicated rows
    c.per_row(duplicated, ids, "error", "id_duplicate", id_field,
              lambda i: f"Die ID „{values[i]}“ kommt {int(counts[values[i]])}-mal vor.")
    foreign = present & values.astype(object).isin(list(ctx.foreign_ids))  # Arrow's isin is per value
    c.per_row(foreign, ids, "error", "id_foreign", id_field,
              lambda i: f"Die ID „{values[i]}“ gehört bereits zu "
                        f"{schema.AGS_NAMES.get(ctx.foreign_ids[values[i]], ctx.foreign_ids[values[i]])}.")


def _ags(frame: FrameT, ids: pd.Series, ctx: Context, c: _Collector) -> FrameT:
    values = _stripped(frame["ags"])
    if values.isna().all():
        c.add("warning", "ags_filled", f"Ohne Spalte Gemeindeschlüssel: alle Objekte werden "
              f"{schema.AGS_NAMES[ctx.ags]} ({ctx.ags}) zugeordnet.", field_name="ags")
        values = values.fillna(ctx.ags)
    other = values.notna() & (values != ctx.ags)
    c.per_row(other, ids, "error", "ags_foreign", "ags",
              lambda i: f"Gemeindeschlüssel „{values[i]}“ ({schema.AGS_NAMES.get(values[i], 'unbekannt')}) statt "
                        f"{ctx.ags} ({schema.AGS_NAMES[ctx.ags]}): hier werden nur Daten dieser Gemeinde "
                        "angenommen.")
    frame["ags"] = values
    return frame


def _required(frame: pd.DataFrame, layer: str, ids: pd.Series, c: _Collector, mapping: Mapping | None
              ) -> set[str]:
    """Report missing required fields; returns the fields missing as a whole column."""
    absent = set()
    for f in schema.LAYER_FIELDS[layer]:
        if not f.required or f.name in (schema.ID_FIELD[layer], "ags"):
            continue
        values = _stripped(frame[f.name])
        if values.isna().all():
            absent.add(f.name)
            way_on = (f"Heißt die Spalte anders, bitte oben zuordnen; sonst einen Wert für alle Objekte vorgeben "
                      f"(Seite: „Vorgabe für alle Objekte“, Kommandozeile: --vorgabe {f.name}=…) oder die Spalte "
                      "in der Datei ergänzen (Vorlage: Export der Ebene aus der App).")
            if mapping is not None and f.name in mapping.columns:
                text = f"Die zugeordnete Spalte „{mapping.columns[f.name]}“ ist bei allen Objekten leer; "
            else:
                text = f"Die Datei hat keine Spalte für „{f.label}“ ({f.name}, Pflichtfeld). "
            c.add("error", "field_missing", text + way_on, field_name=f.name)
        else:
            c.per_row(values.isna(), ids, "error", "value_missing", f.name, f"„{f.label}“ ist leer (Pflichtfeld).")
    return absent


def _enums(frame: pd.DataFrame, layer: str, ids: pd.Series, c: _Collector) -> None:
    for f in schema.LAYER_FIELDS[layer]:
        if f.type != "enum":
            continue
        values = _stripped(frame[f.name])
        unknown = values.notna() & ~values.isin(f.choices)
        c.per_row(unknown, ids, "error", "enum_unknown", f.name,
                  lambda i, f=f, values=values: f"Unbekannter Wert „{shown(values[i])}“ für „{f.label}“; erlaubt: "
                                                f"{', '.join(f.choices)}. Bitte in der Werte-Zuordnung übersetzen.")
        frame[f.name] = values


def _owner_types(frame: pd.DataFrame, ids: pd.Series, c: _Collector) -> None:
    """Say where an owner is named without saying what kind of owner it is (never guessed from the name)."""
    named = _stripped(frame["owner"]).notna()
    untyped = named & _stripped(frame["owner_type"]).isna()
    label = schema.label("owner_type", schema.POOL_AREAS)
    hidden = ("Bis zur Angabe werden diese Eigentümer wie Privatpersonen behandelt: ihr Name ist nur für "
              "GIS-Zuständige der Gemeinde und die Administration sichtbar.")
    if untyped.any() and untyped.sum() == named.sum():
        c.add("warning", "owner_type_missing", f"„{label}“ (owner_type) fehlt: bitte einer Spalte zuordnen, die "
              f"für jeden Eigentümer {', '.join(schema.OWNER_TYPES)} angibt. {hidden}", field_name="owner_type")
    else:
        c.per_row(untyped, ids, "warning", "owner_type_missing", "owner_type",
                  f"Eigentümer ohne „{label}“ ({', '.join(schema.OWNER_TYPES)}). {hidden}")


def _biotopes(frame: pd.DataFrame, layer: str, ids: pd.Series, ctx: Context, c: _Collector) -> pd.Series:
    """Unknown biotope codes; returns a mask of rows whose codes are all known."""
    table = ctx.tables[ctx.models.own(ctx.ags)]
    known = pd.Series(True, index=frame.index)
    for name in ("biotope_before", "biotope_after"):
        values = _stripped(frame[name])
        unknown = values.notna() & ~values.isin(table.codes())
        c.per_row(unknown, ids, "error", "biotope_unknown", name,
                  lambda i, values=values: f"Biotopcode „{shown(values[i])}“ steht nicht in der Bewertungstabelle "
                                           f"„{table.title}“.")
        frame[name] = values
        known &= values.notna() & ~unknown
    return known


def _dates(frame: pd.DataFrame, layer: str, ids: pd.Series, c: _Collector) -> None:
    for f in schema.LAYER_FIELDS[layer]:
        if f.type != "date":
            continue
        raw = frame[f.name]
        if pd.api.types.is_datetime64_any_dtype(raw):
            continue
        text = _stripped(raw)
        parsed = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
        for pattern in _DATE_FORMATS:
            parsed = parsed.fillna(pd.to_datetime(text, format=pattern, errors="coerce"))
        bad = text.notna() & parsed.isna()
        c.per_row(bad, ids, "error", "date_invalid", f.name,
                  lambda i, text=text, f=f: f"„{shown(text[i])}“ ist kein Datum ({f.label}); erwartet z. B. 31.12.2024 "
                                            "oder 2024-12-31.")
        frame[f.name] = parsed


def _numbers(frame: pd.DataFrame, layer: str, ids: pd.Series, c: _Collector) -> None:
    for f in schema.LAYER_FIELDS[layer]:
        if f.type != "number":
            continue
        text = _stripped(frame[f.name])
        parsed = pd.to_numeric(text.map(lambda v: fmt.parse_number(v) if isinstance(v, str) else v),
                               errors="coerce")
        c.per_row(text.notna() & parsed.isna(), ids, "error", "number_invalid", f.name,
                  lambda i, text=text, f=f: f"„{shown(text[i])}“ ist keine Zahl ({f.label}).")
        frame[f.name] = parsed.astype(float)


def _encoding(frame: pd.DataFrame, layer: str, ids: pd.Series, c: _Collector) -> None:
    for f in schema.LAYER_FIELDS[layer]:
        if f.type not in ("text", "enum", "code"):
            continue
        if not _found_in(_MOJIBAKE, fmt.texts(frame[f.name])):  # stripping the ends makes no new match
            continue
        values = _stripped(frame[f.name]).fillna("")
        broken = values.str.contains(_MOJIBAKE)
        c.per_row(broken, ids, "error", "encoding", f.name,
                  lambda i, values=values: f"Text „{shown(values[i])}“ ist falsch kodiert (Umlaute zerstört). Beim "
                                           "Shapefile eine .cpg-Datei mit „UTF-8“ beilegen oder als GeoPackage "
                                           "speichern.")


def _outside(frame: gpd.GeoDataFrame, usable: pd.Series, ids: pd.Series, ctx: Context, c: _Collector,
             accept: bool) -> None:
    """Features reaching beyond the municipality (more than the tolerance) are errors; an administrator
    may *accept* them (with a reason recorded in the history), then they are reported as Hinweise."""
    if ctx.boundary is None or not usable.any():
        return
    geoms = frame[usable].geometry.values
    outside, share = pd.Series(0.0, index=frame.index), pd.Series(0.0, index=frame.index)
    shapely.prepare(ctx.boundary)
    across = ~shapely.contains(ctx.boundary, geoms)  # = not within; contains uses the prepared boundary
    reach = np.zeros(len(geoms))
    reach[across] = shapely.area(shapely.difference(geoms[across], ctx.boundary))
    outside[usable] = reach
    share[usable] = outside[usable] / np.maximum(shapely.area(geoms), 1e-9)
    beyond = (share > OUTSIDE_SHARE) & (outside > OUTSIDE_MIN_M2)
    where = schema.AGS_NAMES[ctx.ags]

    def message(i: Any) -> str:
        text = (f"Liegt zu {fmt.percent(share[i])} ({fmt.number(outside[i])} m²) außerhalb der Gemeindegrenze von "
                f"{where}; erlaubt sind 1 % bzw. {fmt.number(OUTSIDE_MIN_M2)} m².")
        if accept:
            return text + " Von der Administration mit Begründung angenommen."
        return text + (" Flächen anderer Gemeinden lädt die jeweilige Gemeinde hoch; liegt sie wirklich hier, "
                       "kann die Administration sie mit Begründung veröffentlichen.")

    c.per_row(beyond, ids, "warning" if accept else "error", "outside_boundary", "geometry", message)


def _double_counted(frame: gpd.GeoDataFrame, usable: pd.Series, ids: pd.Series, ctx: Context,
                    c: _Collector) -> None:
    """Overlaps with the other municipalities' stored pool areas: the same land would be counted twice."""
    others = ctx.others
    if others is None or not len(others) or not usable.any():
        return
    sub = frame[usable]
    mine, theirs = others.sindex.query(sub.geometry.values, predicate="intersects")
    if not len(mine):
        return
    areas = shapely.area(shapely.intersection(sub.geometry.values[mine], others.geometry.values[theirs]))
    sub_ids, other_ids = ids[usable].to_numpy(), others["pool_id"].astype(str).to_numpy()
    other_ags = others["ags"].astype(str).to_numpy()
    for a, b, area in zip(mine, theirs, areas, strict=True):
        if area > OVERLAP_MIN_M2:
            c.add("error", "overlap_stored", f"Überlappt auf {fmt.number(area, 0)} m² mit der Poolfläche "
                  f"{other_ids[b]} von {schema.AGS_NAMES.get(other_ags[b], other_ags[b])}: dieselbe Fläche würde "
                  "doppelt gezählt (ihre Wertpunkte doppelt angeboten). Bitte die Geometrie an die Nachbarfläche "
                  "anpassen oder mit der Nachbargemeinde klären.", sub_ids[a], "geometry")


def _boundary(frame: gpd.GeoDataFrame, usable: pd.Series, ctx: Context, c: _Collector) -> None:
    """A boundary is changed by administrators only, and stays close to the official one."""
    if not ctx.admin:
        c.add("error", "boundary_admin", "Die Gemeindegrenze ändert nur die Administration (sie entscheidet, "
              "welche Flächen zu welcher Gemeinde gehören). Bitte die Administration bitten.", field_name="geometry")
    if len(frame) != 1:
        c.add("error", "boundary_count", f"Die Gemeindegrenze ist genau ein Objekt; die Datei hat "
              f"{fmt.number(len(frame))}. Bitte zu einer (Multi-)Fläche zusammenfassen.")
    if ctx.official is None or not usable.any():
        return
    uploaded = shapely.union_all(frame[usable].geometry.values)
    deviation = shapely.area(shapely.symmetric_difference(uploaded, ctx.official))
    share = deviation / max(shapely.area(ctx.official), 1e-9)
    if share > BOUNDARY_TOLERANCE:
        c.add("error", "boundary_official", f"Die Gemeindegrenze weicht um {fmt.number(deviation / 10_000, 1)} ha "
              f"({fmt.number(deviation)} m², {fmt.percent(share)} der Gemeindefläche) von der amtlichen Grenze "
              f"von {schema.AGS_NAMES[ctx.ags]} (BKG VG250) ab; erlaubt sind {fmt.percent(BOUNDARY_TOLERANCE)}. "
              "Ist es die richtige Gemeinde und das richtige Koordinatensystem?", field_name="geometry")


def _overlaps(frame: gpd.GeoDataFrame, usable: pd.Series, ids: pd.Series, c: _Collector) -> None:
    sub = frame[usable]
    if len(sub) < 2:
        return
    left, right = sub.sindex.query(sub.geometry, predicate="intersects")
    keep = left < right
    left, right = left[keep], right[keep]
    areas = shapely.area(shapely.intersection(sub.geometry.array[left], sub.geometry.array[right]))
    sub_ids = ids[usable].to_numpy()
    for a, b, area in zip(left, right, areas, strict=True):
        if area > OVERLAP_MIN_M2:
            c.add("error", "overlap", f"Überlappt mit {sub_ids[b]} auf {fmt.number(area, 0)} m²: Poolflächen dürfen "
                  "sich nicht überschneiden (die Aufwertung würde doppelt gezählt).", sub_ids[a], "geometry")


def _points(frame: gpd.GeoDataFrame, layer: str, computable: pd.Series, ids: pd.Series, ctx: Context,
            c: _Collector, recompute: bool) -> None:
    """Fill missing value/demand points from the valuation; report given ones more than 1 % off.

    With *recompute* the computed value replaces a deviating one (reported as a warning).
    """
    column = "value_points" if layer == schema.POOL_AREAS else "demand_points"
    if not computable.any():
        return
    sub = frame[computable]
    computed = (valuation.pool_gain(sub, ctx.tables, models=ctx.models) if layer == schema.POOL_AREAS
                else valuation.intervention_demand(sub, ctx.tables, ctx.models))
    given = frame.loc[computable, column]
    off = given.notna() & ((given - computed).abs() > VALUE_TOLERANCE * computed.abs().clip(lower=1.0))
    what = label(column, layer)

    def message(i: Any) -> str:
        text = (f"{what}: angegeben {fmt.points(given[i])}, berechnet {fmt.points(computed[i])} "
                f"({fmt.percent((given[i] - computed[i]) / max(computed[i], 1.0), 1)} Abweichung, erlaubt 1 %).")
        if recompute:
            return text + " Der berechnete Wert wird übernommen."
        return text + " Wert korrigieren oder „berechnete Werte übernehmen“ wählen."

    c.per_row(off.reindex(frame.index, fill_value=False), ids, "warning" if recompute else "error", "points_off",
              column, message)
    keep = given.notna() & ~off if recompute else given.notna()
    frame.loc[computable, column] = given.where(keep, computed)


def _status_from_ledger(frame: gpd.GeoDataFrame, ids: pd.Series, ctx: Context, c: _Collector) -> None:
    """``verfügbar``, ``reserviert`` and ``zugeordnet`` follow the ledger, whatever the file says.

    A given value the ledger contradicts is replaced and reported; ``geplant`` and
    ``gesperrt`` are the office's to set (:mod:`geo.upload.diff` refuses them for booked areas).
    """
    given = frame["status"]
    enriched = ledger.enrich_pool(frame[["pool_id", "status", "value_points"]], ctx.allocations)
    derived = enriched["status"]
    replaced = given.isin(ledger.BOOKABLE_POOL_STATUS) & frame["value_points"].notna() & (derived != given)
    c.per_row(replaced, ids, "warning", "status_ledger", "status",
              lambda i: f"Status „{given[i]}“ aus der Datei widerspricht den Buchungen "
                        f"({fmt.points(enriched['booked_points'][i])} von "
                        f"{fmt.points(enriched['value_points'][i])} gebucht): übernommen wird „{derived[i]}“. "
                        "Reserviert und zugeordnet wird nur über Buchungen.")
    frame["status"] = given.where(~replaced, derived)


def validate(mapped: gpd.GeoDataFrame, layer: str, ctx: Context, *, repair: bool = False,
             recompute_points: bool = False, accept_outside: bool = False,
             mapping: Mapping | None = None) -> ValidationReport:
    """Every finding about *mapped* (schema columns, the file's CRS) as an upload of ``ctx.ags``.

    *repair* takes the repaired version of invalid geometries, *recompute_points* the
    computed value/demand points where the given ones are more than 1 % off, *accept_outside*
    (administrators, with a reason) features outside the municipality; each turns the
    corresponding errors into warnings. *mapping* (how *mapped* was made) lets messages name columns.
    """
    c = _Collector()
    frame = mapped.copy()
    for name in schema.field_names(layer):  # a frame from before a field existed: the field is empty
        if name not in frame.columns:
            frame[name] = None
    _hygiene(frame, layer, _row_ids(frame, layer), c)
    ids = _row_ids(frame, layer)
    _lengths(frame, layer, ids, c)
    empty_repairs = pd.DataFrame(columns=["feature_id", "reason", "area_before", "area_after"])
    if frame.crs is None:
        c.add("error", "crs_missing", "Die Datei nennt kein Koordinatenbezugssystem (CRS). Ohne CRS lassen sich die "
              "Flächen nicht verorten; bitte mit CRS exportieren (z. B. EPSG:25833).")
        return ValidationReport(layer, tuple(c.findings), None, empty_repairs)
    frame, usable, repairs = _geometry(frame, ids, c, repair)
    _ids(frame, layer, ids, ctx, c)
    frame = _ags(frame, ids, ctx, c)
    if layer == schema.BOUNDARY:
        _required(frame, layer, ids, c, mapping)
        _boundary(frame, usable, ctx, c)
        return ValidationReport(layer, tuple(c.findings), frame, repairs)
    absent = _required(frame, layer, ids, c, mapping)
    _enums(frame, layer, ids, c)
    if layer == schema.POOL_AREAS:
        _owner_types(frame, ids, c)
    known = _biotopes(frame, layer, ids, ctx, c) if not absent & {"biotope_before", "biotope_after"} \
        else pd.Series(False, index=frame.index)
    _dates(frame, layer, ids, c)
    _numbers(frame, layer, ids, c)
    _encoding(frame, layer, ids, c)
    _outside(frame, usable, ids, ctx, c, accept_outside)
    if layer == schema.POOL_AREAS:
        _overlaps(frame, usable, ids, c)
        _double_counted(frame, usable, ids, ctx, c)
    _points(frame, layer, usable & known & (frame["ags"] == ctx.ags), ids, ctx, c, recompute_points)
    if layer == schema.POOL_AREAS:
        _status_from_ledger(frame, ids, ctx, c)
    return ValidationReport(layer, tuple(c.findings), frame, repairs)
