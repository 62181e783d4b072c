"""``vorlage``: the empty GeoPackage a municipality captures new data in (QGIS), see :mod:`geo.reports.qgis`."""

from __future__ import annotations

import argparse
from pathlib import Path

from geo import schema
from geo.cli import common
from geo.errors import DataError
from geo.reports import qgis


def template(args: argparse.Namespace) -> int:
    boundaries = common.store(args).read_layer(schema.BOUNDARY, [args.gemeinde])
    body = qgis.template(args.gemeinde, boundaries)
    try:
        args.ausgabe.write_bytes(body)
    except OSError as exc:
        raise DataError(f"„{args.ausgabe}“ lässt sich nicht schreiben ({common.why(exc)}).") from exc
    print(f"Geschrieben: {args.ausgabe} (Vorlage für {schema.AGS_NAMES[args.gemeinde]}, GeoPackage "
          f"{qgis.GPKG_VERSION} mit Stilen und Wertelisten für QGIS).")
    return 0


def register(sub: common.Subparsers) -> None:
    cmd = sub.add_parser("vorlage", help="leeres GeoPackage einer Gemeinde zum Erfassen in QGIS schreiben",
                         description="Schreibt eine Vorlage (GeoPackage 1.2): Poolflächen und Eingriffe ohne "
                         "Objekte, mit Feldern, Wertelisten und Stilen, dazu die Gemeindegrenze. Gefüllt lässt "
                         "sie sich hochladen („check“, „publish“ oder die Seite „Daten hochladen“).")
    cmd.add_argument("--gemeinde", required=True, type=common.municipality, metavar="SLUG",
                     help="Gemeinde (z. B. wurzen; auch der AGS)")
    cmd.add_argument("--ausgabe", required=True, type=Path, metavar="DATEI", help="Zieldatei (.gpkg)")
    cmd.set_defaults(run=template)
