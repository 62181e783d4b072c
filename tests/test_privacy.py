"""Private owners' names: only GIS staff of the owning municipality and administrators see them.

As a visitor and as a reader, every page's text (every element, every table cell, every option,
the map's data) is searched for the names of the demo's private owners; as GIS staff of the
area's municipality and as administrator, the map's details panel names the owner.
"""

from __future__ import annotations

import logging

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from geo import demo, schema
from geo.access import privacy
from geo.access.permissions import User
from geo.store.gpkg import GeoPackageStore
from geo.upload import publish
from tests.conftest import REPO, WURZEN, pool_frame, square

ADMIN = User("admin", "admin")
READER = User("leser", "lesen")
WURZEN_GIS = User("wurzen.gis", "gis", WURZEN)
BRANDIS_GIS = User("brandis.gis", "gis", "14729070")
PAGES = ["views/start.py", "views/karte.py", "views/eingriffe.py", "views/uebersicht.py", "views/hochladen.py",
         "views/aenderungen.py", "views/bewertung.py", "views/datenschutz.py"]


def _texts(node) -> list[str]:
    found = [str(getattr(node, "proto", ""))]
    for child in (getattr(node, "children", None) or {}).values():
        found += _texts(child)
    return found


def page_text(at: AppTest) -> str:
    """Everything the page shows: every element's content and every table cell."""
    cells = [d.value.to_csv() for d in at.dataframe] + [t.value.to_csv() for t in at.table]
    return "\n".join(_texts(at._tree) + cells)


def open_page(page: str, user: User | None, params: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=120)
    if user is not None:
        at.session_state["user"] = user
    at.run()
    at.switch_page(page)
    at.query_params.update(params or {})
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.fixture
def private_area(demo_dir) -> pd.Series:
    """A private owner's area in Wurzen, after one more publish (so that Änderungen keeps a version with owners)."""
    store = GeoPackageStore(demo_dir)
    layer = store.read_layer(schema.POOL_AREAS, [WURZEN])
    changed = layer.assign(notes=layer["notes"].fillna("") + " ", value_points=None)  # points: computed today
    publish.publish(store, ADMIN, ags=WURZEN, layer=schema.POOL_AREAS, frame=changed, source="test.gpkg")
    return layer[layer["owner_type"] == "privat"].iloc[0]


@pytest.mark.parametrize("user", [None, READER, BRANDIS_GIS], ids=["besucher", "lesen", "gis-andere-gemeinde"])
def test_no_page_names_a_private_owner_to_those_who_may_not_see_it(private_area, user):
    visible = privacy.visible_municipalities(user)
    for page in PAGES:
        params = {"flaeche": private_area["pool_id"]} if page == "views/karte.py" else {}
        at = open_page(page, user, params)
        if page == "views/aenderungen.py":  # the kept version before the last publish, with its owners
            at.selectbox[-1].set_value(at.selectbox[-1].options[0]).run()
        text = page_text(at)
        for name in demo.PRIVATE_NAMES:
            if not visible:
                assert name not in text, (page, name)
        if page == "views/karte.py":
            assert private_area["owner"] not in text and privacy.PRIVATE_OWNER in text


@pytest.mark.parametrize("user", [WURZEN_GIS, ADMIN], ids=["gis-der-gemeinde", "admin"])
def test_gis_of_the_municipality_and_admins_see_the_owner(private_area, user):
    at = open_page("views/karte.py", user, {"flaeche": private_area["pool_id"]})
    fields = at.table[0].value.set_index("Merkmal")["Wert"]
    assert fields["Eigentümer/Träger"] == private_area["owner"]
    assert fields["Eigentümerart"] == "privat"


def test_the_rule_in_one_place():
    frame = pool_frame([{"geometry": square(0, 0, 10), "owner": "Erika Mustermann", "owner_type": "privat"},
                        {"geometry": square(20, 0, 10), "owner": "Max Mustermann", "owner_type": None},
                        {"geometry": square(40, 0, 10), "owner": "Gemeinde Wurzen", "owner_type": "öffentlich"},
                        {"geometry": square(60, 0, 10), "owner": "Agrar eG", "owner_type": "unternehmen"},
                        {"geometry": square(80, 0, 10), "owner": "Otto Fremd", "owner_type": "privat",
                         "ags": "14729070"}])
    shown = {who: privacy.redact_owners(frame, user)["owner"].tolist()
             for who, user in {"public": None, "reader": READER, "wurzen": WURZEN_GIS, "admin": ADMIN}.items()}
    hidden = privacy.PRIVATE_OWNER
    assert shown["public"] == shown["reader"] == [hidden, hidden, "Gemeinde Wurzen", "Agrar eG", hidden]
    assert shown["wurzen"] == ["Erika Mustermann", "Max Mustermann", "Gemeinde Wurzen", "Agrar eG", hidden]
    assert shown["admin"] == frame["owner"].tolist()
    assert frame["owner"].iloc[0] == "Erika Mustermann"  # the caller's frame is not changed
    assert privacy.can_see_owner(WURZEN_GIS, WURZEN) and not privacy.can_see_owner(WURZEN_GIS, "14729070")


def test_logs_never_contain_owner_names(demo_dir, caplog):
    caplog.set_level(logging.DEBUG)
    store = GeoPackageStore(demo_dir)
    layer = store.read_layer(schema.POOL_AREAS, [WURZEN])
    layer.loc[layer.index[0], ["owner", "owner_type"]] = "Erika Geheim", "privat"
    layer["value_points"] = None
    publish.publish(store, ADMIN, ags=WURZEN, layer=schema.POOL_AREAS, frame=layer, source="test.gpkg")
    open_page("views/karte.py", ADMIN, {"flaeche": layer["pool_id"].iloc[0]})
    assert caplog.records and "Erika Geheim" not in caplog.text
