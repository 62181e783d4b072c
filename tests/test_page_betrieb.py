"""AppTest of "Betrieb": administrators see store, counts, last backup and run the audit; everyone else is refused."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from geo import __version__
from geo.ops import backup as backups
from geo.store.gpkg import GeoPackageStore
from tests.conftest import REPO
from tests.signin import make_accounts, signed_in


@pytest.fixture
def accounts(demo_dir, tmp_path, monkeypatch):
    return make_accounts(tmp_path, monkeypatch)


def test_an_administrator_sees_the_operations_page(demo_dir, accounts, tmp_path):
    backups.backup(GeoPackageStore(demo_dir), tmp_path / "s.zip", record_dir=demo_dir)
    at = signed_in("admin", "views/betrieb.py")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Datenbestand"] == "GeoPackage-Ordner" and metrics["App-Version"] == __version__
    assert metrics["Größe"].endswith("MB")
    counts = at.dataframe[0].value
    assert list(counts["Gemeinde"])[-1] == "Gesamt" and int(counts["Poolflächen"].iloc[-1]) == 300
    assert any("s.zip" in m.value and "ohne Befunde" in m.value for m in at.markdown)
    assert not at.success
    next(b for b in at.button if b.label.startswith("Prüfketten")).click()
    at.run()
    assert not at.exception, at.exception
    assert at.success and "Keine Befunde" in at.success[0].value
    at.run()  # the result stays while the data do not change
    assert at.success


@pytest.mark.parametrize("name", ["leser", "wurzen.gis", None])
def test_everyone_else_is_refused(demo_dir, accounts, name):
    if name is None:
        at = AppTest.from_file(str(REPO / "app.py"), default_timeout=90)
        at.run()
        at.switch_page("views/betrieb.py").run()
    else:
        at = signed_in(name, "views/betrieb.py")
    assert not at.exception, at.exception
    assert at.error and "Administration vorbehalten" in at.error[0].value
    assert not at.metric and not at.dataframe
