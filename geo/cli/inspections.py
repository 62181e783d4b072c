"""``kontrolle``: record a function check with photos and reports, as the page *Monitoring* does. Who may
follows the same rule: the area's municipality, the administration and the partner the process handbook
names for monitoring (:mod:`geo.monitoring.delegation`)."""

from __future__ import annotations

import argparse
import sys

from geo import fmt, schema
from geo.cli import common
from geo.cli.settlement import day
from geo.errors import DataError
from geo.monitoring import files, records


def _attachments(args: argparse.Namespace) -> list[files.Attachment]:
    """Every file checked by content first; all refusals reported at once, then nothing is stored."""
    found, refused = files.check_all(((f.name, f.data) for f in args.datei), keep_location=args.gps_behalten)
    if refused:
        raise DataError("\n".join(refused))
    return found


def inspect(args: argparse.Namespace) -> int:
    user = common.sign_in(args.user)
    partners = common.inspection_partners(args)
    for problem in partners.problems:
        print(f"Hinweis: {problem}", file=sys.stderr)
    attached = _attachments(args)
    change = records.record_inspection(common.store(args), user, pool_id=args.flaeche, on=args.datum or fmt.today(),
                                       inspector=args.kontrolliert_von or user.display_name or user.username,
                                       result=args.ergebnis, note=args.bemerkung, attachments=attached,
                                       delegation=partners)
    print(f"Kontrolle {change.inspections['inspection_id'].iloc[0]} für {args.flaeche} gespeichert ({args.ergebnis}, "
          f"{fmt.count(len(attached), 'Datei', 'Dateien')}).")
    return 0


def register(sub: common.Subparsers) -> None:
    cmd = sub.add_parser("kontrolle", help="eine Funktionskontrolle mit Fotos erfassen",
                         description="Erfasst eine Funktionskontrolle einer Poolfläche wie die Seite „Monitoring“. "
                         "Erlaubt für GIS-Zuständige der Gemeinde der Fläche, der Partner, die das Prozesshandbuch "
                         "im Schritt „Kontrolle“ nennt (Zeile „- Kontrolle durch: …“), und die Administration.")
    cmd.add_argument("--flaeche", required=True, metavar="ID", help="ID der Poolfläche, z. B. LOS-2018-011")
    cmd.add_argument("--ergebnis", required=True, choices=schema.INSPECTION_RESULTS, help="Ergebnis der Kontrolle")
    cmd.add_argument("--datum", type=day, metavar="DATUM", help="Kontrolldatum, z. B. 20.11.2026 (Standard: heute)")
    cmd.add_argument("--kontrolliert-von", default="", metavar="NAME",
                     help="wer kontrolliert hat (Standard: der Name des Benutzers)")
    cmd.add_argument("--bemerkung", default="", help="Bemerkung; bei Mängeln: welche")
    cmd.add_argument("--datei", action="append", default=[], type=common.upload_file, metavar="DATEI",
                     help="Foto (JPEG, PNG) oder Kontrollbericht (PDF); mehrfach möglich")
    cmd.add_argument("--gps-behalten", action="store_true", help="Standort (GPS) in den Fotos behalten")
    cmd.add_argument("--user", required=True, metavar="NAME", help=common.USER_HELP)
    cmd.set_defaults(run=inspect)
