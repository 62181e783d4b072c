"""From the uploader's columns and values to the schema's: detection, guesses, application.

A :class:`Mapping` names, per schema field, the upload column that holds it, and per
enum field a translation of the upload's values (``verfuegbar`` → ``verfügbar``). A
municipality's mapping is remembered by :class:`geo.store.gpkg.Store` (``read_mapping`` /
``write_mapping``) and prefills the next upload. Everything here is pure.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

import geopandas as gpd
import pandas as pd

from geo import schema

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
        "measure_start": ("beginn", "massnahmenbeginn", "start", "datum_beginn"),
        "measure_end": ("ende", "massnahmenende", "fertig", "datum_ende"),
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
}


def normalise(text: str) -> str:
    """``"Flächen-ID "`` → ``"flaechen_id"``: lower case, umlauts spelled out, separators as ``_``."""
    text = unicodedata.normalize("NFC", str(text)).strip().lower().translate(_UMLAUTS)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")


def target_layer(text: str) -> str | None:
    """The municipal layer *text* names, by schema name or German label (``Poolflächen``, ``pool_areas``)."""
    wanted = normalise(text)
    return next((layer for layer in schema.MUNICIPAL_LAYERS
                 if wanted in (normalise(layer), normalise(schema.LAYER_LABELS[layer]))), None)


@dataclass(frozen=True)
class Mapping:
    """Schema field → upload column, and per enum field: upload value → schema value."""

    layer: str
    columns: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)

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


def apply(frame: gpd.GeoDataFrame, mapping: Mapping) -> gpd.GeoDataFrame:
    """The upload with schema columns (unmapped fields empty, other columns dropped), values translated."""
    out = gpd.GeoDataFrame(index=frame.index, geometry=frame.geometry.copy(), crs=frame.crs)
    for name in schema.field_names(mapping.layer):
        column = mapping.columns.get(name)
        out[name] = frame[column].copy() if column in frame.columns else None
        if name in mapping.values and column in frame.columns:
            stripped = out[name].astype(object).where(out[name].isna(), out[name].astype(str).str.strip())
            out[name] = stripped.replace(mapping.values[name])
    return out[[*schema.field_names(mapping.layer), "geometry"]]
