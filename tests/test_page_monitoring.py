"""AppTest of "Monitoring": lists for the demo's today, entering an inspection with photos, refusals, lock."""

from __future__ import annotations

import datetime as dt

import pytest
from streamlit.testing.v1 import AppTest

from geo import schema
from geo.access.permissions import User
from geo.store.gpkg import GeoPackageStore
from tests.conftest import REPO
from tests.monitoringtools import photo
from tests.signin import open_as

LOSSATAL = schema.municipality("lossatal").ags
LOSSATAL_GIS = User("lossatal.gis", "gis", LOSSATAL, "GIS Gemeinde Lossatal")
PAGE = "views/monitoring.py"
AREA = "LOS-2018-011"  # booked by the Leipzig intervention STR-LEI-05 (geo.demo.CROSS_BORDER)


def open_page(user: User | None = None, area: str | None = None) -> AppTest:
    return open_as(PAGE, user, **({"flaeche": area} if area else {}))


def keyed(elements, name: str):
    return next(w for w in elements if (w.key or "").split("@")[0] == name)


def submit(at: AppTest, label: str) -> None:
    next(b for b in at.button if b.label == label).click()
    at.run()
    assert not at.exception, at.exception


def test_the_page_lists_overdue_defective_and_late_measures(demo_dir):
    at = open_page()
    assert at.title[0].value == "Monitoring"
    metrics = {m.label: m.value for m in at.metric}
    assert int(metrics["⚠ Flächen mit Mängeln"]) >= 1 and int(metrics["Kontrollen überfällig"]) >= 1
    headers = [list(df.value.columns) for df in at.dataframe]
    assert ["Gemeinde", "Poolflächen", "umgesetzt", "Kontrolle überfällig", "mit Mängeln", "nicht begonnen"] in headers
    flagged = next(df.value for df in at.dataframe if "Hinweis" in df.value.columns
                   and AREA in set(df.value["Fläche"]))
    assert flagged.set_index("Fläche").at[AREA, "Hinweis"] == "⚠ Mängel"


def test_an_inspector_enters_a_failed_check_with_two_photos(demo_dir):
    at = open_page(LOSSATAL_GIS, AREA)
    before = len(GeoPackageStore(demo_dir).read_monitoring().inspections)
    form_date = at.date_input[0]
    form_date.set_value(dt.date(2026, 11, 20))
    next(r for r in at.radio if r.label == "Ergebnis").set_value("mit Mängeln")
    next(t for t in at.text_area if t.label.startswith("Bemerkung")).input("Zaun offen, Wildverbiss")
    keyed(at.get("file_uploader"), "monitoring_fotos").set_value(
        [("kontrolle-1.jpg", photo(color="red", gps=True), "image/jpeg"),
         ("kontrolle-2.png", photo(fmt="PNG"), "image/png")])
    submit(at, "Kontrolle speichern")
    assert any("Kontrolle für LOS-2018-011 gespeichert (mit Mängeln, 2 Dateien)" in s.value for s in at.success)
    stored = GeoPackageStore(demo_dir).read_monitoring()  # a new store object: what a restart reads
    assert len(stored.inspections) == before + 1
    latest = stored.inspections.iloc[-1]
    assert latest[["pool_id", "result", "user"]].tolist() == [AREA, "mit Mängeln", "lossatal.gis"]
    assert latest["date"].date() == dt.date(2026, 11, 20)
    docs = stored.documents[stored.documents["target_id"] == latest["inspection_id"]]
    assert list(docs["file_name"]) == ["kontrolle-1.jpg", "kontrolle-2.png"]
    at = open_page(LOSSATAL_GIS, AREA)  # the area's record shows the new check and its photos
    assert len(at.get("image")) == 2  # the two photos of the latest check
    assert any(latest["inspection_id"] in str(m.value) for m in at.markdown)


@pytest.mark.parametrize(("name", "content", "message"), [
    ("notiz.jpg", b"nur Text", "„notiz.jpg“ ist kein Foto (JPEG, PNG) und kein PDF"),
    ("riesig.jpg", b"\xff\xd8\xff" + b"\0" * (10 * 1024 * 1024), "erlaubt sind höchstens 10,0 MB"),
])
def test_a_file_that_is_not_a_photo_or_too_large_is_refused_and_nothing_stored(demo_dir, name, content, message):
    at = open_page(LOSSATAL_GIS, AREA)
    before = GeoPackageStore(demo_dir).read_monitoring().inspections.to_csv()
    keyed(at.get("file_uploader"), "monitoring_fotos").set_value(
        [("gut.jpg", photo(), "image/jpeg"), (name, content, "image/jpeg")])
    submit(at, "Kontrolle speichern")
    assert any(message in e.value.replace("\\", "") for e in at.error), [e.value for e in at.error]
    assert GeoPackageStore(demo_dir).read_monitoring().inspections.to_csv() == before
    assert GeoPackageStore(demo_dir).read_files().keys() == GeoPackageStore(REPO / "data").read_files().keys()


def test_readers_and_other_municipalities_get_no_form(demo_dir):
    at = open_page(User("leipzig.gis", "gis", schema.municipality("leipzig").ags), AREA)
    assert not at.get("file_uploader")
    assert any("nur durch GIS-Zuständige von Lossatal" in i.value for i in at.info)


def test_an_administrator_locks_the_defective_area_and_the_ledger_stays(demo_dir):
    ledger = GeoPackageStore(demo_dir).read_allocations()
    at = open_page(User("admin", "admin"), AREA)
    assert "STR-LEI-05" in set(next(df.value for df in at.dataframe if "Gemeinde des Eingriffs" in df.value.columns)
                               ["Eingriff"])
    next(t for t in at.text_input if t.label.startswith("Grund")).input("Grünland umgebrochen")
    submit(at, "Fläche sperren")
    store = GeoPackageStore(demo_dir)
    pool = store.read_layer(schema.POOL_AREAS, [LOSSATAL]).set_index("pool_id")
    assert pool.at[AREA, "status"] == "gesperrt"
    assert store.read_allocations().equals(ledger)
    assert store.read_history().iloc[-1]["action"] == "lock"


WURZEN_GIS = User("wurzen.gis", "gis", schema.municipality("wurzen").ags, "GIS Stadt Wurzen")


def _inspection_choices(at: AppTest) -> list[str]:
    return list(next(s for s in at.selectbox if (s.key or "") == "monitoring_kontrolle_flaeche").options)


def test_wurzen_inspects_lossatal_as_the_handbook_says_and_records_a_check(demo_dir):
    at = open_page(WURZEN_GIS, AREA)
    choices = _inspection_choices(at)
    assert any(c.startswith(f"{AREA} – ") for c in choices)
    assert any("(Wurzen)" in c for c in choices) and not any("(Leipzig)" in c for c in choices)
    assert any("Wurzen kontrolliert laut Prozesshandbuch auch für Bennewitz, Thallwitz, Lossatal" in c.value
               for c in at.caption)
    assert at.multiselect(key="monitoring_gemeinden").value == [m.ags for m in schema.MUNICIPALITIES
                                                                if m.slug != "leipzig"]  # own and inspected
    next(r for r in at.radio if r.label == "Ergebnis").set_value("bestanden")
    keyed(at.get("file_uploader"), "monitoring_fotos").set_value([("los.jpg", photo(), "image/jpeg")])
    submit(at, "Kontrolle speichern")
    assert any(f"Kontrolle für {AREA} gespeichert (bestanden, 1 Datei)" in s.value for s in at.success)
    latest = GeoPackageStore(demo_dir).read_monitoring().inspections.iloc[-1]
    assert latest[["pool_id", "user", "result"]].tolist() == [AREA, "wurzen.gis", "bestanden"]


def test_leipzig_sees_only_its_own_areas_and_why_not_the_asked_for_one(demo_dir):
    at = open_page(User("leipzig.gis", "gis", schema.municipality("leipzig").ags, "GIS Stadt Leipzig"), AREA)
    choices = _inspection_choices(at)
    assert choices and all(c.endswith("(Leipzig)") for c in choices)
    assert any(i.value.startswith(f"{AREA}: Kontrollen für Flächen in Lossatal nur durch GIS-Zuständige von Lossatal, "
                                  "GIS-Zuständige von Wurzen (laut Prozesshandbuch) oder die Administration.")
               for i in at.info)


@pytest.mark.parametrize("user", [None, User("leser", "lesen")])
def test_without_a_right_to_inspect_there_is_a_hint_and_no_form(demo_dir, user):
    at = open_page(user, AREA)
    assert not any((s.key or "") == "monitoring_kontrolle_flaeche" for s in at.selectbox)
    assert not at.get("file_uploader")
    hints = [i.value for i in at.info if "Kontrollen" in i.value]
    assert len(hints) == 1 and hints[0].startswith("Kontrollen erfassen GIS-Zuständige für die Flächen ihrer Gemeinde")


def test_an_unknown_name_in_the_handbook_is_shown_and_grants_nothing(demo_dir):
    path = demo_dir / "handbuch.md"
    path.write_text(path.read_text(encoding="utf-8").replace("Lossatal, Machern", "Losatal, Machern"),
                    encoding="utf-8")
    at = open_page(WURZEN_GIS, AREA)
    assert any("„Losatal“ ist keine Gemeinde des Flächenpools" in w.value for w in at.warning)
    assert not any(c.startswith(f"{AREA} – ") for c in _inspection_choices(at))
