"""A gis user of Wurzen cannot publish for Machern: not through geo/, not through the page."""

from __future__ import annotations

from pathlib import Path

import pytest

from geo import schema
from geo.access.permissions import User
from geo.errors import DataError, PermissionDenied
from geo.upload import publish
from tests.conftest import MACHERN, WURZEN
from tests.signin import by_label, make_accounts, signed_in
from tests.test_validate import fingerprint
from tests.uploads import as_file


@pytest.fixture
def accounts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return make_accounts(tmp_path, monkeypatch)


def _machern_update(store):
    pool = store.read_layer(schema.POOL_AREAS, [MACHERN])
    pool.loc[0, "name"] = "Geändert von Wurzen"
    return pool


@pytest.mark.parametrize("user", [User("wurzen.gis", "gis", WURZEN), User("leser", "lesen"), None],
                         ids=["gis-of-wurzen", "lesen", "nobody"])
def test_only_machern_staff_or_admins_publish_machern_layers(user, demo_store, demo_dir):
    before = fingerprint(demo_dir)
    with pytest.raises(PermissionDenied, match="Poolflächen veröffentlichen für Machern"):
        publish.publish(demo_store, user, ags=MACHERN, layer=schema.POOL_AREAS, frame=_machern_update(demo_store),
                        source="machern.gpkg")
    assert fingerprint(demo_dir) == before


def test_machern_staff_and_admins_may(demo_store):
    update = _machern_update(demo_store)
    publish.publish(demo_store, User("machern.gis", "gis", MACHERN), ags=MACHERN, layer=schema.POOL_AREAS,
                    frame=update, source="machern.gpkg")
    update.loc[0, "name"] = "Zweite Fassung"
    row = publish.publish(demo_store, User("admin", "admin"), ags=MACHERN, layer=schema.POOL_AREAS, frame=update,
                          source="machern.gpkg")
    assert row["user"].iloc[0] == "admin"


def test_a_layer_labelled_for_another_municipality_is_refused(demo_store):
    with pytest.raises(DataError, match="gehören nicht \\(alle\\) zu Wurzen"):
        publish.publish(demo_store, User("wurzen.gis", "gis", WURZEN), ags=WURZEN, layer=schema.POOL_AREAS,
                        frame=_machern_update(demo_store), source="machern.gpkg")


def test_the_page_offers_wurzen_only_and_refuses_machern_data(demo_store, demo_dir, accounts, tmp_path):
    before = fingerprint(demo_dir)
    at = signed_in("wurzen.gis", "views/hochladen.py")
    assert "**Gemeinde:** Wurzen" in [m.value for m in at.markdown]
    assert not [s for s in at.selectbox if s.label == "Gemeinde"]
    upload = as_file(_machern_update(demo_store), "machern.gpkg", tmp_path)
    at.get("file_uploader")[0].set_value((upload.name, upload.data, "application/geopackage+sqlite3"))
    at.run()
    assert not at.exception, at.exception
    report = at.table[0].value  # the findings, in full (Markdown-escaped: attribute text is data)
    messages = " ".join(report["Meldung"]).replace("\\", "")
    assert "(Machern) statt 14729410 (Wurzen)" in messages and "gehört bereits zu Machern" in messages
    assert not [b for b in at.button if "veröffentlichen" in b.label]
    assert fingerprint(demo_dir) == before


def test_restoring_is_for_admins_only(demo_store, demo_dir, accounts):
    update = _machern_update(demo_store)
    change = publish.publish(demo_store, User("machern.gis", "gis", MACHERN), ags=MACHERN,
                             layer=schema.POOL_AREAS, frame=update, source="m.gpkg")["change_id"].iloc[0]
    for user in (User("machern.gis", "gis", MACHERN), User("leser", "lesen")):
        with pytest.raises(PermissionDenied, match="nur die Administration"):
            publish.restore(demo_store, user, change)
    at = signed_in("machern.gis", "views/aenderungen.py")
    assert by_label(at.selectbox, "Stand vor der Änderung").value == change
    assert not [b for b in at.button if "wiederherstellen" in b.label]
    assert "Wiederherstellen darf nur die Administration." in [c.value for c in at.caption]
