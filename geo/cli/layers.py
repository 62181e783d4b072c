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
from geo.store import Store, reference
from geo.upload import columns, diff, ingest, placement, publish, validate


@dataclass(frozen=True)
class Checked:
    """An upload taken through the page's steps: read, map, validate, compare with what is stored."""

    source: ingest.Source
    layer: str
    mapping: columns.Mapping
    report: validate.ValidationReport
    change: diff.LayerDiff | None  # None while the report has errors
    notes: str = ""  # for the history: how the coordinates were read, defaults and cleared fields

    @property
    def ok(self) -> bool:
        return self.report.ok and self.change is not None and self.change.ok


def _target(args: argparse.Namespace) -> str | None:
    """The target layer named by ``--ebene`` or by the ``--zuordnung`` file."""
    named = columns.target_layer(args.ebene) if args.ebene else None
    given: dict[str, Any] = args.zuordnung or {}
    return named or (columns.target_layer(str(given["layer"])) if given.get("layer") else None)


def _mapping(store: Store, args: argparse.Namespace, raw: gpd.GeoDataFrame, layer: str) -> columns.Mapping:
    """``--zuordnung`` as given, else guessed as the page does (the municipality's last mapping first);
    with ``--vorgabe`` and ``--leeren``."""
    if args.zuordnung is not None:
        found = columns.Mapping.from_json({**args.zuordnung, "layer": layer})
    else:
        remembered = store.read_mapping(args.gemeinde).get(layer)
        found = columns.guess(raw, layer, columns.Mapping.from_json(remembered) if remembered else None)
    return columns.with_choices(found, defaults=dict(args.vorgabe), clear=set(args.leeren))


def check_upload(store: Store, args: argparse.Namespace, *, admin: bool) -> Checked:
    """The page's steps in a row: open, choose the layer, check the coordinates, map, validate, compare."""
    source = ingest.open_upload(args.datei)
    named = _target(args)
    choice = ingest.pick_layer(source, args.ebene, named)
    if choice.reason:
        print(choice.reason)
    raw = ingest.read_source(source, choice.layer)
    reading = placement.parse_reading(args.lesen_als, swap_axes=args.achsen_tauschen, kilometres=args.kilometer)
    raw, read_note = placement.placed(raw, reference.official_boundaries(), name=source.name, reading=reading)
    layer = named or columns.detect_layer(list(raw.columns)) or schema.POOL_AREAS
    mapping = _mapping(store, args, raw, layer)
    data = store.read_all()
    stored = store.read_layer(layer, [args.gemeinde])
    context = validate.context_from(data, args.gemeinde, layer, valuation.read_tables(store), admin=admin)
    report = validate.validate(columns.apply(raw, mapping, stored), layer, context, repair=args.reparieren,
                               recompute_points=args.berechnete_werte, accept_outside=bool(args.begruendung),
                               mapping=mapping)
    print(f"{source.kind} „{source.name}“: {len(raw)} Objekte, Koordinatensystem "
          f"{raw.crs.to_string() if raw.crs else 'nicht angegeben'}; Zielebene {schema.LAYER_LABELS[layer]} "
          f"von {schema.AGS_NAMES[args.gemeinde]}.")
    notes = publish.joined_notes(read_note, mapping.notes())
    if report.frame is None or not report.ok:
        return Checked(source, layer, mapping, report, None, notes)
    return Checked(source, layer, mapping, report, diff.diff_layer(stored, report.frame, layer,
                                                                   allocations=data.allocations), notes)


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
    checked = check_upload(common.store(args), args, admin=args.als_admin)
    _show(checked)
    return 0 if checked.ok else 1


def publish_upload(args: argparse.Namespace) -> int:
    user = common.sign_in(args.user)
    store = common.store(args)
    checked = check_upload(store, args, admin=user.role == "admin")
    _show(checked)
    if checked.report.frame is None or not checked.report.ok:
        return 1
    row = publish.publish(store, user, ags=args.gemeinde, layer=checked.layer, frame=checked.report.frame,
                          source=checked.source.name, notes=publish.joined_notes(args.notiz, checked.notes),
                          outside_reason=args.begruendung)
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
    parser.add_argument("--lesen-als", metavar="EPSG:CODE",
                        help="Koordinaten in diesem Koordinatensystem lesen, gleich was die Datei angibt "
                        "(z. B. EPSG:5650 bei Rechtswerten mit Zonenkennung 33)")
    parser.add_argument("--achsen-tauschen", action="store_true", help="x und y (Länge und Breite) tauschen")
    parser.add_argument("--kilometer", action="store_true", help="die Koordinaten sind in Kilometern")
    parser.add_argument("--vorgabe", action="append", default=[], type=common.default_value, metavar="FELD=WERT",
                        help="ein Wert für alle Objekte, wenn die Datei keine Spalte dafür hat "
                        "(z. B. biotope_after=WLB; mehrfach möglich; steht in der Änderungsliste)")
    parser.add_argument("--leeren", action="append", default=[], metavar="FELD",
                        help="ein optionales Feld ohne Spalte leeren, statt die gespeicherten Werte zu behalten "
                        "(z. B. owner; mehrfach möglich)")
    parser.add_argument("--begruendung", default="", metavar="TEXT",
                        help="Flächen außerhalb der Gemeindegrenze annehmen (nur Administration), mit Begründung "
                        "für die Änderungsliste")
    parser.add_argument("--details", action="store_true",
                        help="bei einer unlesbaren Datei auch die technische Meldung (GDAL/SQLite) zeigen")


def register(sub: common.Subparsers) -> None:
    check_cmd = sub.add_parser("check", help="eine Datei prüfen wie beim Hochladen (nichts wird gespeichert)",
                               description="Prüft eine Datei wie die Seite „Daten hochladen“. Exit 1 bei Fehlern.")
    _upload_arguments(check_cmd)
    check_cmd.add_argument("--als-admin", action="store_true",
                           help="prüfen wie für die Administration (Gemeindegrenze)")
    check_cmd.set_defaults(run=check)
    publish_cmd = sub.add_parser("publish", help="eine Datei prüfen und veröffentlichen",
                                 description="Prüft und veröffentlicht eine Ebene; das Passwort kommt aus "
                                 f"{common.PASSWORD_ENV} oder der ersten Zeile von stdin.")
    _upload_arguments(publish_cmd)
    publish_cmd.add_argument("--user", required=True, metavar="NAME", help="Benutzername")
    publish_cmd.add_argument("--notiz", default="", help="Bemerkung für die Änderungsliste")
    publish_cmd.set_defaults(run=publish_upload)
