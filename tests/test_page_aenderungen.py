"""AppTest of "Änderungen": restoring needs a confirmation; calling it off writes nothing. Wording of the history."""

from __future__ import annotations

import pandas as pd
from streamlit.testing.v1 import AppTest

from geo import fmt, schema
from geo.access.permissions import User
from geo.display import changes
from geo.store.gpkg import GeoPackageStore
from tests.signin import open_as
from tests.storetools import put_layer


def open_page(user: User) -> AppTest:
    return open_as("views/aenderungen.py", user)


def renamed_in_wurzen(demo_dir) -> None:
    """A new upload of Wurzen's pool areas with one name changed: restoring the state before it is allowed."""
    store = GeoPackageStore(demo_dir)
    wurzen = schema.municipality("wurzen").ags
    pool = store.read_all().pool_areas
    mine = pool[pool["ags"] == wurzen].copy()
    mine.loc[mine.index[0], "name"] = "Neuer Flurname"
    put_layer(store, wurzen, schema.POOL_AREAS, mine)


def test_restoring_asks_first_and_can_be_called_off(demo_dir):
    renamed_in_wurzen(demo_dir)
    history = len(GeoPackageStore(demo_dir).read_history())
    at = open_page(User("admin", "admin"))
    ask = [b for b in at.button if b.label.startswith("Stand vor ") and b.label.endswith(" wiederherstellen …")]
    assert ask, [b.label for b in at.button]
    ask[0].click()
    at.run()
    assert "zurücksetzen:" in at.warning[0].value and "neue Änderung protokolliert" in at.warning[0].value
    assert len(GeoPackageStore(demo_dir).read_history()) == history
    next(b for b in at.button if b.label == "Abbrechen").click()
    at.run()
    assert not [b for b in at.button if b.label == "Jetzt wiederherstellen"]
    assert len(GeoPackageStore(demo_dir).read_history()) == history


def test_a_state_that_would_drop_booked_features_is_not_offered_for_restoring(demo_dir):
    at = open_page(User("admin", "admin"))  # the newest layer change: the first upload of Trebsen's interventions
    assert not [b for b in at.button if "wiederherstellen" in b.label]
    assert any("lässt sich nicht wiederherstellen" in i.value for i in at.info)


def test_bookings_read_as_bookings_in_the_history():
    row = pd.Series({"action": "booking", "layer": schema.ALLOCATIONS, "notes": "Storno von B-2026-00012"})
    assert changes.what(row) == "Buchung: Storno von B-2026-00012"


def test_labels_and_short_figures_read_cleanly():
    wurzen = schema.municipality("wurzen").ags
    assert User("w", "gis", wurzen, "GIS Stadt Wurzen").label == "GIS Stadt Wurzen – GIS-Zuständige"
    assert User("m", "gis", wurzen).label == "m – GIS-Zuständige für Wurzen"
    assert User("a", "admin", None, "Admin").label == "Admin – Administration"
    assert fmt.points_short(23_000_000) == "23,0\u00a0Mio.\u00a0WP"
    assert fmt.points_short(121_800_000) == "121,8\u00a0Mio.\u00a0WP"
    assert (fmt.count(1, "Eintrag", "Einträge"), fmt.count(2, "Eintrag", "Einträge")) == ("1 Eintrag", "2 Einträge")
