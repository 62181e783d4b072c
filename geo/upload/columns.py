"""From the uploader's columns and values to the schema's: detection, guesses, application.

A :class:`Mapping` names, per schema field, the upload column that holds it, and per
enum field a translation of the upload's values (``verfuegbar`` → ``verfügbar``). A
municipality's mapping is remembered by :class:`geo.store.gpkg.Store` (``read_mapping`` /
``write_mapping``) and prefills the next upload. Everything here is pure.

Column names are recognised by name, label and synonyms, also when a Shapefile's DBF cut them
to 10 characters or abbreviated them (``BEZEICHNUN``, ``MASSN_BEGI``: :func:`abbreviates`). A
field the file has no column for can get one value for all features (``defaults``). An optional
field without a column keeps the stored values of the features that already exist, unless the
user asks to clear it (``clear``); value and demand points are computed instead.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace

import geopandas as gpd
import pandas as pd

from geo import schema
from geo.errors import DataError

_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
# Column names seen in the partners' files, normalised (see :func:`normalise`).
SYNONYMS: dict[str, dict[str, tuple[str, ...]]] = {
    schema.POOL_AREAS: {
        "pool_id": ("flaeche_id", "flaechen_id", "flaechenid", "fl_id", "poolid", "id_flaeche", "oekokonto_id"),
        "name": ("flurname", "bezeichnung", "bez", "flaechenname"),
        "ags": ("gemeinde_ags", "gemschl", "gemeindeschluessel", "ags_nr"),
        "status": ("zustand", "stand"),
        "measure_type": ("massnahme", "massnahmentyp", "massn_typ", "mn_typ", "art_massnahme"),
        "biotope_before": ("biotop_vor", "biotop_vorher", "bt_vorher", "ausgangsbiotop", "bt_ist"),
        "biotope_after": ("biotop_nach", "zielbiotop", "zielbiotoptyp", "bt_ziel", "bt_nachher"),
        "value_points": ("wertpunkte", "wp", "punkte", "wp_gesamt"),
        "measure_start": ("beginn", "massnahmenbeginn", "massnahmen_beginn", "start", "datum_beginn"),
        "measure_end": ("ende", "massnahmenende", "massnahmen_ende", "fertig", "datum_ende"),
        "owner": ("eigentuemer", "traeger", "eigentum"),
        "owner_type": ("eigentuemerart", "eigentumsart", "eigentart", "eigent_art", "eigentuemer_typ"),
        "parcels": ("flurstuecke", "flurstueck", "flst"),
        "notes": ("bemerkung", "bemerkungen", "hinweis", "notiz"),
    },
    schema.INTERVENTIONS: {
        "intervention_id": ("eingriff_id", "eingriffs_id", "eingriffsid", "vorhaben_id"),
        "name": ("bezeichnung", "vorhaben", "titel"),
        "ags": ("gemeinde_ags", "gemschl", "gemeindeschluessel"),
        "kind": ("art", "typ", "eingriffsart"),
        "status": ("verfahrensstand", "stand"),
        "biotope_before": ("biotop_vor", "biotop_vorher", "bt_vorher"),
        "biotope_after": ("biotop_nach", "biotop_nachher", "bt_nachher"),
        "demand_points": ("bedarf", "wp_bedarf", "kompensationsbedarf"),
        "approval_date": ("genehmigung", "genehmigt_am", "datum_genehmigung"),
    },
    schema.BOUNDARY: {"ags": ("gemschl", "gemeindeschluessel", "ags_nr"), "name": ("gen", "gemeinde")},
    schema.ALLOCATIONS: {  # a ledger kept in a spreadsheet (geo.accounting.legacy)
        "intervention_id": ("eingriff", "eingriff_id", "eingriffs_id", "vorhaben", "vorhaben_id"),
        "pool_id": ("flaeche", "flaeche_id", "flaechen_id", "poolflaeche", "oekokonto_id"),
        "points": ("wertpunkte", "wp", "punkte", "abbuchung_wp"),
        "kind": ("art", "buchungsart", "typ"),
        "date": ("datum", "buchungsdatum", "gebucht_am"),
        "booked_by": ("wer", "bearbeiter", "gebucht_von", "benutzer", "sachbearbeiter"),
        "notes": ("bemerkung", "bemerkungen", "notiz", "hinweis"),
    },
}


def normalise(text: str) -> str:
    """``"Flächen-ID "`` → ``"flaechen_id"``: lower case, umlauts spelled out, separators as ``_``."""
    text = unicodedata.normalize("NFC", str(text)).strip().lower().translate(_UMLAUTS)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")


def abbreviates(column: str, candidate: str) -> bool:
    """Whether normalised *column* is *candidate* cut short: word by word a prefix of at least 3 letters
    (``bezeichnun`` → ``bezeichnung``, ``massn_begi`` → ``massnahmen_beginn``, ``biotop_nac`` → ``biotop_nach``);
    a name cut at exactly 10 characters (the DBF limit) may end in a shorter stub (``measure_ty``)."""
    short, full = column.split("_"), candidate.split("_")
    if len(short) != len(full) or column == candidate:
        return False
    cut = len(column) == 10
    return all(s == f or (f.startswith(s) and (len(s) >= 3 or (cut and i == len(short) - 1)))
               for i, (s, f) in enumerate(zip(short, full, strict=True)))


def target_layer(text: str) -> str | None:
    """The municipal layer *text* names, by schema name or German label (``Poolflächen``, ``pool_areas``)."""
    wanted = normalise(text)
    return next((layer for layer in schema.MUNICIPAL_LAYERS
                 if wanted in (normalise(layer), normalise(schema.LAYER_LABELS[layer]))), None)


KEEP_EXEMPT = ("value_points", "demand_points")
"""Optional fields that are computed when the file gives none, rather than kept from the stored state."""


def keepable(layer: str) -> list[str]:
    """Optional fields whose stored values an upload without that column keeps."""
    return [f.name for f in schema.LAYER_FIELDS[layer] if not f.required and f.name not in KEEP_EXEMPT]


@dataclass(frozen=True)
class Mapping:
    """Schema field → upload column, and per enum field: upload value → schema value.

    *defaults*: field → one value for all features (for a field the file has no column for);
    *clear*: optional fields without a column whose stored values are to be emptied.
    """

    layer: str
    columns: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    defaults: dict[str, str] = field(default_factory=dict)
    clear: frozenset[str] = frozenset()

    def notes(self) -> str:
        """What the history records about defaults and cleared fields (empty when there are none)."""
        parts = [f"Vorgabe für alle Objekte: {schema.label(k, self.layer)} = {v}" for k, v in self.defaults.items()]
        parts += [f"Werte geleert: {schema.label(k, self.layer)}" for k in sorted(self.clear)]
        return "; ".join(parts) + ("." if parts else "")

    def to_json(self) -> dict:
        return {"layer": self.layer, "columns": dict(self.columns), "values": {k: dict(v) for k, v in
                                                                               self.values.items()}}

    @classmethod
    def from_json(cls, raw: dict) -> Mapping:
        return cls(layer=raw["layer"], columns=dict(raw.get("columns", {})),
                   values={k: dict(v) for k, v in raw.get("values", {}).items()})


def _candidates(layer: str, name: str) -> set[str]:
    f = next(f for f in schema.LAYER_FIELDS[layer] if f.name == name)
    return {normalise(name), normalise(f.label), *SYNONYMS.get(layer, {}).get(name, ())}


def guess_columns(columns: list[str], layer: str, remembered: Mapping | None = None) -> dict[str, str]:
    """Schema field → upload column, from the remembered mapping first, then by name."""
    available = [c for c in columns if c != "geometry"]
    guessed: dict[str, str] = {}
    if remembered is not None and remembered.layer == layer:
        guessed.update({k: v for k, v in remembered.columns.items() if v in available})
    by_norm = {normalise(c): c for c in available}
    for name in schema.field_names(layer):
        if name in guessed:
            continue
        hit = next((by_norm[c] for c in sorted(_candidates(layer, name)) if c in by_norm), None)
        if hit is not None and hit not in guessed.values():
            guessed[name] = hit
    for name in schema.field_names(layer):  # then names cut short (Shapefile: 10 characters)
        if name in guessed:
            continue
        hit = next((column for norm, column in by_norm.items() if column not in guessed.values()
                    and any(abbreviates(norm, c) for c in sorted(_candidates(layer, name)))), None)
        if hit is not None:
            guessed[name] = hit
    return guessed


def detect_layer(columns: list[str]) -> str | None:
    """The layer whose id field and most required fields the columns carry (None: no idea)."""
    scores = {}
    for layer in (schema.POOL_AREAS, schema.INTERVENTIONS, schema.BOUNDARY):
        guessed = guess_columns(columns, layer)
        required = [f.name for f in schema.LAYER_FIELDS[layer] if f.required]
        id_found = schema.ID_FIELD[layer] in guessed
        scores[layer] = (id_found and layer != schema.BOUNDARY, sum(r in guessed for r in required) / len(required))
    best = max(scores, key=lambda k: scores[k])
    return best if scores[best][1] >= 0.5 else None


def guess_values(found: list[str], choices: tuple[str, ...], remembered: dict[str, str] | None = None
                 ) -> dict[str, str]:
    """Upload value → schema value for the values that are not already valid."""
    by_norm = {normalise(c): c for c in choices}
    out: dict[str, str] = {}
    for value in found:
        if value in choices:
            continue
        if remembered and remembered.get(value) in choices:
            out[value] = remembered[value]
        elif normalise(value) in by_norm:
            out[value] = by_norm[normalise(value)]
    return out


def enum_fields(layer: str) -> list[schema.Field]:
    return [f for f in schema.LAYER_FIELDS[layer] if f.type == "enum"]


def distinct_values(frame: pd.DataFrame, column: str) -> list[str]:
    values = frame[column].dropna().astype(str).str.strip()
    return sorted(set(values[values != ""]))


def value_guesses(frame: pd.DataFrame, layer: str, chosen: dict[str, str], remembered: Mapping | None = None
                  ) -> dict[str, dict[str, str]]:
    """Per mapped enum field: upload value → schema value, for the values that are not already valid."""
    guesses = {}
    for f in enum_fields(layer):
        if f.name in chosen:
            remembered_values = remembered.values.get(f.name) if remembered else None
            found = guess_values(distinct_values(frame, chosen[f.name]), f.choices, remembered_values)
            if found:
                guesses[f.name] = found
    return guesses


def guess(frame: gpd.GeoDataFrame, layer: str, remembered: Mapping | None = None) -> Mapping:
    """The mapping the upload page proposes: columns and values, the remembered mapping first, then by name."""
    chosen = guess_columns([c for c in frame.columns if c != frame.geometry.name], layer, remembered)
    return Mapping(layer, chosen, value_guesses(frame, layer, chosen, remembered))


def with_choices(mapping: Mapping, *, defaults: dict[str, str], clear: set[str]) -> Mapping:
    """*mapping* with one value for all features of some fields and some optional fields cleared; German
    errors for fields the layer does not have or that cannot take the choice."""
    names = schema.field_names(mapping.layer)
    for name in [*defaults, *clear]:
        if name not in names:
            raise DataError(f"Das Feld „{name}“ gibt es in {schema.LAYER_LABELS[mapping.layer]} nicht; möglich: "
                            f"{', '.join(names)}.")
    mapped = [n for n in defaults if n in mapping.columns]
    if mapped:
        given = ", ".join(f"{n} → {mapping.columns[n]}" for n in mapped)
        raise DataError(f"Die Datei hat schon eine Spalte dafür ({given}); eine Vorgabe gilt nur für Felder ohne "
                        "Spalte. Bitte die Zuordnung aufheben oder die Vorgabe weglassen.")
    required = [n for n in clear if n not in keepable(mapping.layer)]
    if required:
        raise DataError(f"{', '.join(required)} lässt sich nicht leeren (Pflichtfeld oder berechneter Wert).")
    return replace(mapping, defaults={**mapping.defaults, **defaults}, clear=mapping.clear | clear)


def apply(frame: gpd.GeoDataFrame, mapping: Mapping, stored: pd.DataFrame | None = None) -> gpd.GeoDataFrame:
    """The upload with schema columns (other columns dropped), values translated, defaults filled in.

    An optional field without a column takes the *stored* value of the feature with the same id
    (unless it is in ``mapping.clear``); everything else without a column stays empty.
    """
    out = gpd.GeoDataFrame(index=frame.index, geometry=frame.geometry.copy(), crs=frame.crs)
    for name in schema.field_names(mapping.layer):
        column = mapping.columns.get(name)
        out[name] = frame[column].copy() if column in frame.columns else mapping.defaults.get(name)
        if name in mapping.values and column in frame.columns:
            stripped = out[name].astype(object).where(out[name].isna(), out[name].astype(str).str.strip())
            out[name] = stripped.replace(mapping.values[name])
    key = schema.ID_FIELD[mapping.layer]
    kept = [n for n in keepable(mapping.layer) if mapping.columns.get(n) not in frame.columns
            and n not in mapping.defaults and n not in mapping.clear]
    if stored is not None and kept and len(stored):
        by_id = stored.drop_duplicates(key).set_index(stored.drop_duplicates(key)[key].astype(str))
        ids = out[key].astype(object).where(out[key].isna(), out[key].astype(str).str.strip())
        for name in kept:
            out[name] = ids.map(by_id[name]).astype(object).where(ids.isin(by_id.index), None)
    return out[[*schema.field_names(mapping.layer), "geometry"]]
