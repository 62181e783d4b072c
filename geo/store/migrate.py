"""Copy a whole store into an empty one through the Protocol, then check the copy.

``python -m geo migrate --von QUELLE --nach ZIEL`` calls :func:`migrate` (a folder of
GeoPackages or a ``postgresql://`` URL on either side). Everything goes through the
:class:`~geo.store.Store` Protocol: ``read_all``, the kept versions, the mappings and the
valuation sources, the monitoring records and their files are read from the source and written by
one ``replace_all`` of the target.
Ledger, history and request events keep their hashes, so their chains still verify on the other side.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import schema
from geo.errors import StoreError
from geo.store import Store, VersionRef, chain

MAX_AREA_DIFFERENCE_M2 = 1e-6  # 1 mm² symmetric difference per feature
MAX_HAUSDORFF_M = 1e-3  # 1 mm
POINT_FIELDS = {schema.POOL_AREAS: "value_points", schema.INTERVENTIONS: "demand_points",
                schema.ALLOCATIONS: "points"}


def _number(value: float) -> str:
    """German thousands separators, no decimals (value points)."""
    return f"{value:,.0f}".replace(",", ".")


def _length(value: float) -> str:
    return f"{value:.3f}".replace(".", ",")


def _is_empty(store: Store) -> bool:
    data = store.read_all()
    frames = (data.boundaries, data.pool_areas, data.interventions, data.allocations, data.history, data.requests,
              data.outbox, data.prices)
    return all(frame.empty for frame in frames) and not store.list_versions()


def _attribute_problems(label: str, before: pd.DataFrame, after: pd.DataFrame, fields: list[str],
                        id_field: str) -> list[str]:
    problems = []
    for name in fields:
        old = [chain.canonical(v) for v in before[name]]
        new = [chain.canonical(v) for v in after[name]]
        differing = [str(i) for i, o, n in zip(before[id_field], old, new, strict=True) if o != n]
        if differing:
            problems.append(f"{label}: Feld „{name}“ weicht ab bei {', '.join(differing[:5])}.")
    return problems


def _compare_features(label: str, before: gpd.GeoDataFrame, after: gpd.GeoDataFrame, layer: str
                      ) -> tuple[str, list[str]]:
    """One line about *layer* as copied, and what differs (empty if nothing)."""
    id_field = schema.ID_FIELD[layer]
    if len(before) != len(after) or list(before[id_field]) != list(after[id_field]):
        missing = sorted(set(before[id_field]) - set(after[id_field]))
        return "", [f"{label}: {len(before)} Objekte in der Quelle, {len(after)} im Ziel"
                    f"{'; es fehlen ' + ', '.join(map(str, missing[:5])) if missing else ''}."]
    problems = _attribute_problems(label, before, after, schema.field_names(layer), id_field)
    old, new = before.geometry.to_numpy(), after.geometry.to_numpy()
    both = ~(shapely.is_missing(old) | shapely.is_missing(new))
    if not np.array_equal(shapely.is_missing(old), shapely.is_missing(new)):
        problems.append(f"{label}: Geometrien fehlen auf einer Seite.")
    area = shapely.area(shapely.symmetric_difference(old[both], new[both]))
    hausdorff = shapely.hausdorff_distance(old[both], new[both])
    worst_area = float(area.max()) if len(area) else 0.0
    worst_distance = float(hausdorff.max()) if len(hausdorff) else 0.0
    off = before[id_field].to_numpy()[both][(area > MAX_AREA_DIFFERENCE_M2) | (hausdorff > MAX_HAUSDORFF_M)]
    if len(off):
        problems.append(f"{label}: Geometrie weicht um mehr als 1 mm ab bei {', '.join(map(str, off[:5]))}.")
    line = (f"{label}: {len(before)} Objekte, IDs und Felder gleich, Geometrien gleich "
            f"(größte Abweichung {_length(worst_area * 1e6)} mm², Hausdorff {_length(worst_distance * 1e3)} mm)")
    if layer in POINT_FIELDS:
        line += f", Summe {_number(float(before[POINT_FIELDS[layer]].sum()))} WP"
    return line, problems


def _compare_table(table: str, before: pd.DataFrame, after: pd.DataFrame) -> tuple[str, list[str]]:
    label = schema.LAYER_LABELS[table]
    id_field = schema.ID_FIELD[table]
    if len(before) != len(after) or list(before[id_field]) != list(after[id_field]):
        return "", [f"{label}: {len(before)} Einträge in der Quelle, {len(after)} im Ziel oder andere IDs."]
    if chain.HASH_FIELD not in schema.field_names(table):  # the outbox and the prices: no chain
        problems = _attribute_problems(label, before, after, schema.field_names(table), id_field)
        return f"{label}: {len(before)} Einträge mit IDs und Feldern gleich", problems
    problems = _attribute_problems(label, before, after, chain.content_fields(table), id_field)
    sealed = before[chain.HASH_FIELD].notna().to_numpy()  # rows that came without a hash were sealed on the way
    problems += _attribute_problems(label, before[sealed], after[sealed], [chain.HASH_FIELD], id_field)
    broken = chain.broken_rows(after, table)
    if broken:
        problems.append(f"{label}: die Hash-Kette ist im Ziel ab Eintrag {broken[0] + 1} unterbrochen.")
    line = f"{label}: {len(before)} Einträge mit IDs, Feldern und Hashes gleich, Kette geprüft"
    if table in POINT_FIELDS:
        total = float(before[POINT_FIELDS[table]].sum())
        if abs(total - float(after[POINT_FIELDS[table]].sum())) > 1e-6:
            problems.append(f"{label}: Summe der Wertpunkte weicht ab.")
        line += f", Summe {_number(total)} WP"
    return line, problems


def check_copy(source: Store, target: Store) -> list[str]:
    """Compare *target* with *source*: German lines of what was checked; StoreError on any difference."""
    before, after = source.read_all(), target.read_all()
    lines, problems = [], []
    for layer in schema.MUNICIPAL_LAYERS:
        line, found = _compare_features(schema.LAYER_LABELS[layer], before.layer(layer), after.layer(layer), layer)
        lines.append(line)
        problems += found
    for table, old, new in ((schema.ALLOCATIONS, before.allocations, after.allocations),
                            (schema.HISTORY, before.history, after.history),
                            (schema.REQUEST_EVENTS, before.requests, after.requests),
                            (schema.OUTBOX, before.outbox, after.outbox),
                            (schema.PRICES, before.prices, after.prices)):
        line, found = _compare_table(table, old, new)
        lines.append(line)
        problems += found
    for table, old, new in zip(schema.MONITORING_TABLES, source.read_monitoring(), target.read_monitoring(),
                               strict=True):
        line, found = _compare_table(table, old, new)
        lines.append(line)
        problems += found
    files = source.read_files()
    if files != target.read_files():
        problems.append("Dateien zu Dokumenten weichen ab.")
    lines.append(f"Dateien zu Dokumenten: {len(files)} gleich")
    refs = source.list_versions()
    if refs != target.list_versions():
        problems.append(f"Frühere Stände: {len(refs)} in der Quelle, {len(target.list_versions())} im Ziel.")
    else:
        for ref in refs:
            label = f"Früherer Stand {ref.change_id} ({schema.LAYER_LABELS[ref.layer]}, {schema.AGS_NAMES[ref.ags]})"
            problems += _compare_features(label, source.read_version(*ref), target.read_version(*ref), ref.layer)[1]
        lines.append(f"Frühere Stände: {len(refs)} gleich (Objekte, Felder, Geometrien)")
    mappings = {m.ags: source.read_mapping(m.ags) for m in schema.MUNICIPALITIES}
    if mappings != {m.ags: target.read_mapping(m.ags) for m in schema.MUNICIPALITIES}:
        problems.append("Spaltenzuordnungen weichen ab.")
    lines.append(f"Spaltenzuordnungen: {sum(len(m) for m in mappings.values())} gleich")
    valuation = source.read_valuation_sources()
    if valuation != target.read_valuation_sources():
        problems.append("Bewertungstabellen weichen ab.")
    lines.append(f"Bewertungstabellen: {', '.join(valuation) or 'keine'} gleich")
    if problems:
        raise StoreError(f"Die Kopie nach {target.key} stimmt nicht mit {source.key} überein: " + " ".join(problems))
    return lines


def migrate(source: Store, target: Store) -> list[str]:
    """Copy *source* into the empty *target* in one transaction and check the copy.

    Returns German lines describing what was copied and checked; raises :class:`StoreError`
    (German) if the target is not empty or the copy differs in anything.
    """
    if not _is_empty(target):
        raise StoreError(f"Das Ziel {target.key} enthält schon Daten; eine Übernahme schreibt nur in einen leeren "
                         "Datenbestand. Es wurde nichts geändert.")
    data = source.read_all()
    versions: dict[VersionRef, gpd.GeoDataFrame] = {ref: source.read_version(*ref) for ref in source.list_versions()}
    mappings = {m.ags: found for m in schema.MUNICIPALITIES if (found := source.read_mapping(m.ags))}
    target.replace_all(data, versions=versions, mappings=mappings, valuation=source.read_valuation_sources(),
                       monitoring=source.read_monitoring(), files=source.read_files(),
                       valuation_versions=source.read_valuation_versions())
    return [f"Von {source.key} nach {target.key} übernommen und geprüft:", *check_copy(source, target)]
