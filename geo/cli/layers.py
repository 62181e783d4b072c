"""``check`` and ``publish``: an upload's findings and its publishing, the upload page's steps in a row."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from typing import Any

import geopandas as gpd

from geo import schema
from geo.accounting import valuation
from geo.cli import common
from geo.display import changes
from geo.store import Store
from geo.upload import columns, diff, ingest, publish, validate


@dataclass(frozen=True)
class Checked:
    """An upload taken through the page's steps: read, map, validate, compare with what is stored."""

    source: ingest.Source
    layer: str
    mapping: columns.Mapping
    report: validate.ValidationReport
    change: diff.LayerDiff | None  # None while the report has errors

    @property
    def ok(self) -> bool:
        return self.report.ok and self.change is not None and self.change.ok


def _target(args: argparse.Namespace) -> str | None:
    """The target layer named by ``--ebene`` or by the ``--zuordnung`` file."""
    named = columns.target_layer(args.ebene) if args.ebene else None
    given: dict[str, Any] = args.zuordnung or {}
    return named or (columns.target_layer(str(given["layer"])) if given.get("layer") else None)


def _mapping(store: Store, args: argparse.Namespace, raw: gpd.GeoDataFrame, layer: str) -> columns.Mapping:
    """``--zuordnung`` as given, else guessed as the page does (the municipality's last mapping first)."""
    if args.zuordnung is not None:
        return columns.Mapping.from_json({**args.zuordnung, "layer": layer})
    remembered = store.read_mapping(args.gemeinde).get(layer)
    return columns.guess(raw, layer, columns.Mapping.from_json(remembered) if remembered else None)


def check_upload(store: Store, args: argparse.Namespace) -> Checked:
    source = ingest.open_upload(args.datei)
    named = _target(args)
    raw = ingest.read_source(source, ingest.pick_layer(source, args.ebene, named))
    layer = named or columns.detect_layer(list(raw.columns)) or schema.POOL_AREAS
    mapping = _mapping(store, args, raw, layer)
    data = store.read_all()
    context = validate.context_from(data, args.gemeinde, layer, valuation.read_tables(store))
    report = validate.validate(columns.apply(raw, mapping), layer, context, repair=args.reparieren,
                               recompute_points=args.berechnete_werte)
    print(f"{source.kind} „{source.name}“: {len(raw)} Objekte, Koordinatensystem "
          f"{raw.crs.to_string() if raw.crs else 'nicht angegeben'}; Zielebene {schema.LAYER_LABELS[layer]} "
          f"von {schema.AGS_NAMES[args.gemeinde]}.")
    if report.frame is None or not report.ok:
        return Checked(source, layer, mapping, report, None)
    stored = store.read_layer(layer, [args.gemeinde])
    return Checked(source, layer, mapping, report, diff.diff_layer(stored, report.frame, layer,
                                                                   allocations=data.allocations))


def _show(checked: Checked) -> None:
    report = checked.report
    print(report.summary())
    if report.findings:
        common.print_table(report.table())
    if len(report.repairs):
        print("Ungültige Geometrien und ihre reparierte Fassung:")
        common.print_table(report.repairs_table())
    if checked.change is None:
        return
    change = checked.change
    print("Vorschau der Änderung: " + ", ".join(f"{n} {diff.ACTION_LABELS[k]}" for k, n in change.counts.items()))
    for finding in change.findings:
        print(f"Fehler: {finding.message}")
    if change.empty:
        print("Beide Stände stimmen überein: es gibt nichts zu übernehmen.")
    else:
        common.print_table(change.table())


def check(args: argparse.Namespace) -> int:
    checked = check_upload(common.store(args), args)
    _show(checked)
    return 0 if checked.ok else 1


def publish_upload(args: argparse.Namespace) -> int:
    user = common.sign_in(args.user)
    store = common.store(args)
    checked = check_upload(store, args)
    _show(checked)
    if checked.report.frame is None or not checked.report.ok:
        return 1
    row = publish.publish(store, user, ags=args.gemeinde, layer=checked.layer, frame=checked.report.frame,
                          source=checked.source.name, notes=args.notiz)
    store.write_mapping(args.gemeinde, checked.layer, checked.mapping.to_json())
    print(f"Veröffentlicht als Änderung {row['change_id'].iloc[0]}: {changes.counts_text(row.iloc[0])}.")
    return 0


def _upload_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("datei", nargs="+", type=common.upload_file, metavar="DATEI",
                        help="GeoPackage, GeoJSON, gezipptes Shapefile oder die Teile eines Shapefiles")
    parser.add_argument("--gemeinde", required=True, type=common.municipality, metavar="SLUG",
                        help="Gemeinde, deren Ebene es ist (z. B. wurzen; auch der AGS)")
    parser.add_argument("--ebene", help="Ebene in der Datei oder Zielebene: pool_areas/Poolflächen, "
                        "interventions/Eingriffe, boundary/Gemeindegrenze (Standard: aus den Spalten erkannt)")
    parser.add_argument("--zuordnung", type=common.mapping_file, metavar="JSON",
                        help="Spaltenzuordnung {\"columns\": …, \"values\": …} (Standard: wie die Seite, "
                        "die zuletzt gespeicherte Zuordnung der Gemeinde zuerst)")
    parser.add_argument("--reparieren", action="store_true", help="reparierte Geometrien übernehmen")
    parser.add_argument("--berechnete-werte", action="store_true",
                        help="berechnete Wertpunkte übernehmen, wo die Datei mehr als 1 %% abweicht")


def register(sub: common.Subparsers) -> None:
    check_cmd = sub.add_parser("check", help="eine Datei prüfen wie beim Hochladen (nichts wird gespeichert)",
                               description="Prüft eine Datei wie die Seite „Daten hochladen“. Exit 1 bei Fehlern.")
    _upload_arguments(check_cmd)
    check_cmd.set_defaults(run=check)
    publish_cmd = sub.add_parser("publish", help="eine Datei prüfen und veröffentlichen",
                                 description="Prüft und veröffentlicht eine Ebene; das Passwort kommt aus "
                                 f"{common.PASSWORD_ENV} oder der ersten Zeile von stdin.")
    _upload_arguments(publish_cmd)
    publish_cmd.add_argument("--user", required=True, metavar="NAME", help="Benutzername")
    publish_cmd.add_argument("--notiz", default="", help="Bemerkung für die Änderungsliste")
    publish_cmd.set_defaults(run=publish_upload)
