"""``backup`` and ``restore``: a checked copy of the whole store, and putting one back."""

from __future__ import annotations

import argparse
from pathlib import Path

from geo import fmt
from geo.cli import common
from geo.config import Settings
from geo.ops import backup as backups
from geo.store import open_location


def backup(args: argparse.Namespace) -> int:
    manifest = backups.backup(common.store(args), args.ziel, users_file=Settings.from_env().users_file,
                              record_dir=common.data_dir(args))  # the last backup is recorded there
    size = sum(f["bytes"] for f in manifest["dateien"])
    print(f"Sicherung geschrieben: {args.ziel} ({len(manifest['dateien'])} Dateien, "
          f"{fmt.number(size / 1e6, 1)} MB, {manifest['datenbestand']}, {manifest['dauer_s']:.1f} s).")
    verdict = "keine Befunde" if manifest["pruefung_ok"] else f"{manifest['befunde']} Befund(e)!"
    print(f"Prüfung (verify): {verdict}")
    print(f"Kettenende Buchungen: {manifest['kettenende_buchungen'] or '–'}")
    print(f"Kettenende Änderungen: {manifest['kettenende_aenderungen'] or '–'}")
    return 0 if manifest["pruefung_ok"] else 1


def restore(args: argparse.Namespace) -> int:
    target = open_location(args.nach) if args.nach else common.store(args)
    print("\n".join(backups.restore(args.quelle, target, replace=args.ersetzen)))
    return 0


def register(sub: common.Subparsers) -> None:
    backup_cmd = sub.add_parser("backup", help="den ganzen Datenbestand sichern (mit Manifest und Prüfsummen)",
                                description="Sichert Ebenen, Buchungen, Änderungen, frühere Stände, Zuordnungen, "
                                "Bewertungstabellen und die Benutzerdatei in einen neuen Ordner oder eine Zip-Datei "
                                "(ZIEL endet auf .zip), unter der Schreibsperre des Datenbestands.")
    backup_cmd.add_argument("ziel", type=Path, metavar="ZIEL", help="neuer Ordner oder DATEI.zip")
    backup_cmd.set_defaults(run=backup)
    restore_cmd = sub.add_parser("restore", help="eine Sicherung einspielen (geprüft, sonst nichts verändert)",
                                 description="Prüft die Sicherung vollständig (Manifest, Prüfsummen, Prüfketten, "
                                 "Kennzahlen) und spielt sie dann ein. Ein Ziel mit Daten nur mit --ersetzen.")
    restore_cmd.add_argument("quelle", type=Path, metavar="QUELLE", help="Sicherungsordner oder DATEI.zip")
    restore_cmd.add_argument("--nach", metavar="ORDNER_ODER_URL",
                             help="Ziel (Standard: --daten bzw. der eingestellte Datenbestand)")
    restore_cmd.add_argument("--ersetzen", action="store_true", help="ein Ziel mit Daten überschreiben")
    restore_cmd.set_defaults(run=restore)
