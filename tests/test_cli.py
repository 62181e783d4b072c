"""The command line ``python -m geo``: each command's happy path and refusals, in German, with exit codes."""

from __future__ import annotations

import argparse
import inspect
import json
import os
import re
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pyogrio
import pytest

from geo import schema
from geo.cli import german
from geo.store.gpkg import GeoPackageStore
from tests.conftest import REPO, WURZEN
from tests.test_validate import fingerprint
from tests.uploads import as_file

PASSWORD = "flaechenpool-demo"
ENGLISH = ("usage:", "show this help", "positional arguments", "options:", "error:", "invalid choice",
           "the following arguments", "Traceback")


def geo(*args: str, stdin: str = "", password: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "FLAECHENPOOL_PASSWORD"}
    if password is not None:
        env["FLAECHENPOOL_PASSWORD"] = password
    return subprocess.run([sys.executable, "-m", "geo", *args], input=stdin, capture_output=True, text=True,
                          cwd=REPO, env=env, timeout=120)


def assert_german(done: subprocess.CompletedProcess[str]) -> None:
    for word in ENGLISH:
        assert word not in done.stdout + done.stderr, word


@pytest.fixture
def wurzen_file(demo_dir: Path, tmp_path: Path) -> Path:
    """Wurzen's pool layer as its office would upload it: one area renamed, points left to the app (they
    depend on today's date, so more areas may change)."""
    pool = GeoPackageStore(demo_dir).read_layer(schema.POOL_AREAS, [WURZEN])
    pool["value_points"] = np.nan
    pool.loc[pool.index[0], "name"] = "Am neuen Weg"
    path = tmp_path / "wurzen.gpkg"
    path.write_bytes(as_file(pool, "wurzen.gpkg", tmp_path / "upload").data)
    return path


@pytest.fixture
def broken_file(demo_dir: Path, tmp_path: Path) -> Path:
    """The same layer with an unknown status and another municipality's id."""
    pool = GeoPackageStore(demo_dir).read_layer(schema.POOL_AREAS, [WURZEN])
    pool["value_points"] = np.nan
    pool.loc[pool.index[0], "status"] = "vielleicht"
    pool.loc[pool.index[1], "pool_id"] = "L-2017-034"
    path = tmp_path / "kaputt.gpkg"
    path.write_bytes(as_file(pool, "kaputt.gpkg", tmp_path / "upload").data)
    return path


# --- German argparse --------------------------------------------------------------------

def test_help_is_german():
    for args in ((), ("check",), ("book",), ("users",), ("users", "add")):
        done = geo(*args, "--help")
        assert done.returncode == 0, done.stderr
        assert_german(done)
        assert done.stdout.startswith("Aufruf: python -m geo") and "diese Hilfe zeigen und beenden" in done.stdout
    assert "Befehle:" in geo("--help").stdout


def test_an_unknown_command_and_missing_arguments_are_usage_errors_in_german():
    unknown = geo("frobnicate")
    assert unknown.returncode == 2
    assert "Fehler: Argument BEFEHL: ungültige Wahl: 'frobnicate'" in unknown.stderr
    missing = geo("book", "--eingriff", "X")
    assert missing.returncode == 2
    assert "diese Angaben fehlen: --flaeche, --punkte, --art, --user" in missing.stderr
    for done in (unknown, missing):
        assert_german(done)


def test_the_catalog_translates_strings_argparse_really_uses():
    source = inspect.getsource(argparse)
    for english in [*german.CATALOG, *german.PLURALS]:
        assert repr(english)[1:-1] in source or english in source, english
    original = argparse._
    with german.installed():
        assert argparse._("options") == "Optionen"
        assert argparse.ngettext("expected %s argument", "expected %s arguments", 2) == "erwartet %s Werte"
    assert argparse._ is original


# --- check and publish --------------------------------------------------------------------

def test_check_of_a_good_file_shows_the_preview_and_writes_nothing(demo_dir, wurzen_file):
    before = fingerprint(demo_dir)
    done = geo("check", str(wurzen_file), "--gemeinde", "wurzen")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Prüfung bestanden" in done.stdout and "Zielebene Poolflächen von Wurzen" in done.stdout
    assert "Vorschau der Änderung: 0 hinzugefügt" in done.stdout and "Mittelfeld  Am neuen Weg" in done.stdout
    assert fingerprint(demo_dir) == before


def test_check_of_a_broken_file_prints_the_findings_and_exits_1(demo_dir, broken_file):
    before = fingerprint(demo_dir)
    done = geo("check", str(broken_file), "--gemeinde", "wurzen", "--ebene", "Poolflächen")
    assert done.returncode == 1
    assert "Prüfung: 2 Fehler" in done.stdout
    assert "Unbekannter Wert „vielleicht“ für „Status“" in done.stdout
    assert "L-2017-034" in done.stdout and "Leipzig" in done.stdout
    assert fingerprint(demo_dir) == before
    assert_german(done)


def test_check_with_a_mapping_file_and_a_file_that_cannot_be_read(demo_dir, wurzen_file, tmp_path):
    mapping = tmp_path / "zuordnung.json"
    mapping.write_text(json.dumps({"columns": {"pool_id": "pool_id"}}), encoding="utf-8")
    done = geo("check", str(wurzen_file), "--gemeinde", "wurzen", "--zuordnung", str(mapping))
    assert done.returncode == 1 and "Pflichtfeld" in done.stdout
    missing = geo("check", str(tmp_path / "fehlt.gpkg"), "--gemeinde", "wurzen")
    assert missing.returncode == 2 and "fehlt.gpkg“ lässt sich nicht lesen (gibt es nicht)" in missing.stderr
    text = tmp_path / "flaechen.gpkg"
    text.write_text("a;b\n1;2\n", encoding="utf-8")
    refused = geo("check", str(text), "--gemeinde", "wurzen")
    assert refused.returncode == 1 and "Fehler: „flaechen.gpkg“ ist kein GeoPackage" in refused.stderr
    unknown = geo("check", str(wurzen_file), "--gemeinde", "paris")
    assert unknown.returncode == 2 and "unbekannte Gemeinde „paris“" in unknown.stderr


def test_publish_by_the_municipality_prints_the_change_id_and_verify_passes(demo_dir, wurzen_file):
    done = geo("publish", str(wurzen_file), "--gemeinde", "wurzen", "--user", "wurzen.gis", "--notiz", "Skript",
               stdin=PASSWORD + "\n")
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"^Veröffentlicht als Änderung C-000021: 0 neu, \d+ geändert, 0 entfernt\.$", done.stdout, re.M)
    assert PASSWORD not in done.stdout + done.stderr
    history = GeoPackageStore(demo_dir).read_history()
    assert history.iloc[-1][["change_id", "user", "notes"]].tolist() == ["C-000021", "wurzen.gis", "Skript"]
    assert GeoPackageStore(demo_dir).read_mapping(WURZEN)[schema.POOL_AREAS]["columns"]["pool_id"] == "pool_id"
    assert geo("verify").returncode == 0


def test_publish_by_another_municipality_or_with_a_wrong_password_writes_nothing(demo_dir, wurzen_file):
    before = fingerprint(demo_dir)
    other = geo("publish", str(wurzen_file), "--gemeinde", "wurzen", "--user", "leipzig.gis", password=PASSWORD)
    assert other.returncode == 1
    assert "Fehler: Poolflächen veröffentlichen für Wurzen: GIS Stadt Leipzig" in other.stderr
    assert "darf das nicht" in other.stderr
    wrong = geo("publish", str(wurzen_file), "--gemeinde", "wurzen", "--user", "wurzen.gis", stdin="falsch\n")
    assert wrong.returncode == 1
    assert wrong.stderr == "Fehler: Anmeldung fehlgeschlagen: Benutzername oder Passwort stimmt nicht.\n"
    assert fingerprint(demo_dir) == before
    for done in (other, wrong):
        assert_german(done)


# --- bookings ----------------------------------------------------------------------------

def _book(points: str, intervention: str = "GEW-WUR-01", user: str = "wurzen.gis") -> subprocess.CompletedProcess[str]:
    return geo("book", "--eingriff", intervention, "--flaeche", "WUR-2018-008", "--punkte", points,
               "--art", "reserviert", "--user", user, password=PASSWORD)


def test_book_and_cancel_and_their_refusals(demo_dir):
    booked = _book("1.500")
    assert booked.returncode == 0, booked.stderr
    assert booked.stdout == "Gebucht als B-2026-00128: 1.500\u00a0WP von WUR-2018-008 für GEW-WUR-01 reserviert.\n"
    overdraw = _book("200.000")
    assert overdraw.returncode == 1
    assert overdraw.stderr == ("Fehler: Die Poolfläche WUR-2018-008 hat nur noch 106.063\u00a0WP frei; 200.000\u00a0WP "
                               "würden sie überziehen.\n")
    reader = _book("10", user="leser")
    assert reader.returncode == 1 and "Lesezugang – Lesezugriff darf das nicht" in reader.stderr
    for bad in ("1e5", "1,5", "-3"):
        refused = _book(bad)
        assert refused.returncode == 2 and f"„{bad}“ ist keine positive ganze Zahl" in refused.stderr
    cancelled = geo("cancel", "--buchung", "B-2026-00128", "--user", "wurzen.gis", password=PASSWORD)
    assert cancelled.returncode == 0, cancelled.stderr
    assert cancelled.stdout == "Buchung B-2026-00128 storniert (Gegenbuchung B-2026-00129).\n"
    again = geo("cancel", "--buchung", "B-2026-00128", "--user", "wurzen.gis", password=PASSWORD)
    assert again.returncode == 1 and again.stderr == "Fehler: Die Buchung B-2026-00128 ist bereits storniert.\n"
    assert geo("verify").returncode == 0


def test_confirm_and_its_refusal(demo_dir):
    assert _book("1.000", intervention="BPL-WUR-01").returncode == 0
    assert _book("1.000").returncode == 0  # GEW-WUR-01 is still in procedure
    confirmed = geo("confirm", "--buchung", "B-2026-00128", "--user", "wurzen.gis", password=PASSWORD)
    assert confirmed.returncode == 0, confirmed.stderr
    assert confirmed.stdout == "Reservierung B-2026-00128 zugeordnet (Buchungen B-2026-00130, B-2026-00131).\n"
    refused = geo("confirm", "--buchung", "B-2026-00129", "--user", "wurzen.gis", password=PASSWORD)
    assert refused.returncode == 1
    assert "Fehler: Der Eingriff GEW-WUR-01 ist noch nicht genehmigt" in refused.stderr


# --- history, verify, export ---------------------------------------------------------------

def test_history_newest_first_for_one_municipality(demo_dir):
    assert _book("1.500").returncode == 0
    done = geo("history", "--gemeinde", "wurzen", "--anzahl", "2")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 2 and all(" · Wurzen · " in line for line in lines)
    assert lines[0].startswith("C-000021  ") and "wurzen.gis" in lines[0]
    assert "1.500\u00a0WP von WUR-2018-008" in lines[0]
    assert geo("history", "--anzahl", "0").returncode == 2


def test_verify_passes_on_the_demo_and_names_a_tampered_entry(demo_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("FLAECHENPOOL_DATA", str(tmp_path / "anderswo"))  # --daten names the store
    ok = geo("--daten", str(demo_dir), "verify")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "Keine Befunde: Ketten und Regeln sind intakt." in ok.stdout
    with sqlite3.connect(demo_dir / "pool.gpkg") as db:
        db.execute("UPDATE allocations SET points = points + 1000 WHERE allocation_id = 'B-2026-00005'")
    db.close()
    tampered = geo("--daten", str(demo_dir), "verify")
    assert tampered.returncode == 1
    assert "✗ Prüfkette der Buchungen" in tampered.stdout and "B-2026-00005" in tampered.stdout


def test_export_writes_readable_files(demo_dir, tmp_path):
    xlsx = tmp_path / "bericht.xlsx"
    done = geo("export", "--format", "xlsx", "--gemeinde", "wurzen", "--gemeinde", "leipzig", "--ausgabe", str(xlsx))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"Geschrieben: {xlsx} (Leipzig und Wurzen, ")
    sheet = openpyxl.load_workbook(xlsx)["Gemeinden"]
    assert [row[0].value for row in sheet.iter_rows(min_row=2)] == ["Leipzig", "Wurzen", "Gesamt"]
    gpkg = tmp_path / "flaechen.gpkg"
    assert geo("export", "--format", "gpkg", "--ausgabe", str(gpkg)).returncode == 0
    assert {name for name, _ in pyogrio.list_layers(gpkg)} == {schema.POOL_AREAS, schema.INTERVENTIONS, "layer_styles"}
    geojson = tmp_path / "flaechen.geojson.zip"
    assert geo("export", "--format", "geojson", "--gemeinde", "brandis", "--ausgabe", str(geojson)).returncode == 0
    with zipfile.ZipFile(geojson) as archive:
        features = json.loads(archive.read("pool_areas.geojson"))["features"]
    assert features and {f["properties"]["ags"] for f in features} == {"14729070"}
    nowhere = geo("export", "--format", "xlsx", "--ausgabe", str(tmp_path / "fehlt" / "x.xlsx"))
    assert nowhere.returncode == 1 and "lässt sich nicht schreiben (gibt es nicht)" in nowhere.stderr
    assert geo("export", "--format", "csv", "--ausgabe", str(xlsx)).returncode == 2


def test_migrate_copies_a_store_checks_the_copy_and_refuses_a_full_target(demo_dir, tmp_path):
    target = tmp_path / "kopie"
    done = geo("migrate", "--von", str(demo_dir), "--nach", str(target))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Poolflächen: 300 Objekte, IDs und Felder gleich" in done.stdout
    assert geo("--daten", str(target), "verify").returncode == 0
    before = fingerprint(target)
    again = geo("migrate", "--von", str(demo_dir), "--nach", str(target))
    assert again.returncode == 1 and "enthält schon Daten" in again.stderr
    assert fingerprint(target) == before


# --- requests across borders -----------------------------------------------------------

def test_request_approve_and_decline_from_the_command_line(demo_dir):
    asked = geo("anfrage", "--eingriff", "STR-LEI-01", "--flaeche", "WUR-2018-001", "--punkte", "50.000",
                "--nachricht", "Ortsumgehung", "--user", "leipzig.gis", password=PASSWORD)
    assert asked.returncode == 0, asked.stderr
    assert asked.stdout.startswith("Anfrage A-2026-00001 gestellt: 50.000\u00a0WP aus WUR-2018-001 für STR-LEI-01 "
                                   "(reserviert), offen bis ")
    assert "Benachrichtigung an Wurzen im Postausgang der App." in asked.stdout
    foreign = geo("zusage", "--anfrage", "A-2026-00001", "--user", "leipzig.gis", password=PASSWORD)
    assert foreign.returncode == 1 and "Anfrage zusagen für Wurzen" in foreign.stderr
    approved = geo("zusage", "--anfrage", "A-2026-00001", "--punkte", "40.000", "--auflage", "Pflege 25 Jahre",
                   "--user", "wurzen.gis", password=PASSWORD)
    assert approved.returncode == 0, approved.stderr
    assert approved.stdout.startswith("Anfrage A-2026-00001 zugesagt: 40.000\u00a0WP aus WUR-2018-001 für STR-LEI-01 "
                                      "reserviert (Buchung B-2026-00128).")
    geo("anfrage", "--eingriff", "STR-LEI-01", "--flaeche", "WUR-2018-001", "--punkte", "1.000",
        "--user", "leipzig.gis", password=PASSWORD)
    declined = geo("ablehnung", "--anfrage", "A-2026-00002", "--grund", "für Wurzen vorgesehen",
                   "--user", "wurzen.gis", password=PASSWORD)
    assert declined.returncode == 0 and declined.stdout.startswith("Anfrage A-2026-00002 abgelehnt.")
    again = geo("ablehnung", "--anfrage", "A-2026-00002", "--grund", "x", "--user", "wurzen.gis", password=PASSWORD)
    assert again.returncode == 1 and "ist „abgelehnt“" in again.stderr
    assert geo("ablehnung", "--anfrage", "A-2026-00001", "--user", "wurzen.gis").returncode == 2  # --grund missing
    verified = geo("verify")
    assert verified.returncode == 0 and "✓ jede Zusage hat genau ihre Buchung" in verified.stdout
