"""Was ist neu: uploads, new features, bookings and requests with map links; since my last visit."""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import pandas as pd
from streamlit.testing.v1 import AppTest

from geo.access import sessions
from geo.access.permissions import User
from geo.accounting import booking, consent
from geo.display import news
from geo.store.gpkg import GeoPackageStore
from tests.conftest import LEIPZIG, REPO, WURZEN, intervention_frame, square
from tests.storetools import put_layer

WURZEN_GIS = User("wurzen.gis", "gis", WURZEN)


def test_the_feed_links_bookings_requests_and_new_features_to_the_map(demo_dir):
    store = GeoPackageStore(demo_dir)
    booking.book(store, WURZEN_GIS, pool_id="WUR-2018-008", intervention_id="GEW-WUR-01", points=1_500,
                 kind="reserviert")
    consent.ask(store, User("leipzig.gis", "gis", LEIPZIG), intervention_id="STR-LEI-01", pool_id="WUR-2018-001",
                points=50_000, kind="reserviert")
    stored = store.read_layer("interventions", [WURZEN])
    grown = intervention_frame([{"intervention_id": "NEU-WUR-99", "geometry": square(330_000, 5_690_000, 50)}])
    change = put_layer(store, WURZEN, "interventions",
                       gpd.GeoDataFrame(pd.concat([stored, grown], ignore_index=True), crs=stored.crs))
    change_id = str(change["change_id"].iloc[0])
    data = store.read_all()
    after = data.interventions[data.interventions["ags"] == WURZEN]
    added = news.added_ids(store.read_version(WURZEN, change_id, "interventions"), after, "interventions")
    assert added == ["NEU-WUR-99"]
    feed = news.feed(data, new_ids={change_id: added}, limit=3)  # the three were written within seconds
    assert dict(zip(feed["Was"], zip(feed["Karte"], feed["Gemeinde"], strict=True), strict=True)) == {
        "Eingriffe hochgeladen: 0 neu, 0 geändert, 0 entfernt – neu: NEU-WUR-99": ("karte?eingriff=NEU-WUR-99",
                                                                                  "Wurzen"),
        "Anfrage A-2026-00001 gestellt: 50.000\u00a0WP aus WUR-2018-001 für STR-LEI-01": ("karte?flaeche=WUR-2018-001",
                                                                                         "Leipzig"),
        "Buchung B-2026-00128: 1.500\u00a0WP von WUR-2018-008 für GEW-WUR-01 reserviert": (
            "karte?flaeche=WUR-2018-008", "Wurzen")}
    later = news.feed(data, since=dt.datetime.now(dt.UTC) + dt.timedelta(minutes=1))
    assert later.empty


def test_map_links_for_a_municipality_and_without_target():
    assert news.map_link(ags=WURZEN) == "karte?gemeinde=wurzen"
    assert news.map_link() == "karte"


def test_a_visit_returns_the_one_before(tmp_path):
    assert sessions.visit(tmp_path, "leser", 100.0) is None
    assert sessions.visit(tmp_path, "leser", 250.0) == 100.0
    assert sessions.visit(tmp_path, "admin", 400.0) is None  # per user
    assert sessions.visit(tmp_path, "leser") == 250.0
    assert (tmp_path / "besuche.json").exists() and not list(tmp_path.glob("*.tmp"))


def _start(user: User) -> AppTest:
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=90)
    at.session_state["user"] = user
    at.run()
    assert not at.exception, at.exception
    return at


def test_signed_in_people_see_what_is_new_since_their_last_visit(demo_dir):
    first = _start(WURZEN_GIS)
    assert not [t for t in first.toggle if t.label.startswith("Nur seit meinem letzten Besuch")]
    booking.book(GeoPackageStore(demo_dir), WURZEN_GIS, pool_id="WUR-2018-008", intervention_id="GEW-WUR-01",
                 points=1_500, kind="reserviert")
    second = _start(WURZEN_GIS)  # a new browser session: the visit before is the first one
    toggle = next(t for t in second.toggle if t.label.startswith("Nur seit meinem letzten Besuch"))
    assert toggle.value
    feed = next(df.value for df in second.dataframe if "Karte" in df.value.columns)
    assert feed["Was"].tolist() == ["Buchung B-2026-00128: 1.500\u00a0WP von WUR-2018-008 für GEW-WUR-01 reserviert"]
    toggle.set_value(False)
    second.run()
    assert len(next(df.value for df in second.dataframe if "Karte" in df.value.columns)) == 10
