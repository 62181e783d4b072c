"""In a browser: data text stays text (no request from a Markdown image in a name), private owners
stay hidden from visitors, and the sign-in lasts across reloads and tabs until signed out in any tab."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from geo import schema
from geo.access import users
from geo.access.permissions import User
from geo.store.gpkg import GeoPackageStore
from geo.upload import publish
from tests.e2e.conftest import screenshot, sign_in, wait_for_app

PASSWORD = "browser-test-1"
WURZEN = schema.municipality("wurzen").ags
IMAGE = "![Spur](http://tracker.example/pixel.png)"
HOSTILE_NAME = f"Am Bach {IMAGE} <img src=http://tracker.example/b.png> [Link](http://tracker.example/)"


@pytest.fixture(scope="module")
def marked(app_data: Path) -> dict[str, str]:
    """A Wurzen area named with a Markdown image, link and HTML tag, owned by a private person."""
    store = GeoPackageStore(app_data)
    layer = store.read_layer(schema.POOL_AREAS, [WURZEN])
    target = layer[layer["owner_type"] == "privat"].iloc[0]
    layer.loc[layer["pool_id"] == target["pool_id"], "name"] = HOSTILE_NAME
    layer["value_points"] = None  # computed today
    publish.publish(store, User("admin", "admin"), ags=WURZEN, layer=schema.POOL_AREAS, frame=layer,
                    source=f"{IMAGE}.gpkg")
    return {"pool_id": str(target["pool_id"]), "owner": str(target["owner"])}


@pytest.fixture(scope="module")
def app_env(app_data: Path, marked: dict[str, str]) -> dict[str, str]:
    accounts = app_data / "users-e2e.json"
    users.add("wurzen.gis", PASSWORD, role="gis", ags=WURZEN, display_name="GIS Stadt Wurzen", path=accounts,
              rounds=4)
    return {"FLAECHENPOOL_DATA": str(app_data), "FLAECHENPOOL_OFFLINE": "1", "FLAECHENPOOL_USERS": str(accounts)}


def signed_in(page) -> bool:
    return "Angemeldet: GIS Stadt Wurzen" in page.inner_text("[data-testid='stSidebar']")


def test_a_markdown_image_in_a_name_is_shown_as_text_and_fetches_nothing(page, app_url, marked):
    for path in (f"/karte?flaeche={marked['pool_id']}", "/aenderungen", "/", f"/karte?suche={marked['pool_id']}"):
        page.goto(app_url + path)
        wait_for_app(page)
        page.wait_for_timeout(1500)  # let the map iframe load
    page.goto(f"{app_url}/karte?flaeche={marked['pool_id']}")
    wait_for_app(page)
    details = page.inner_text("[data-testid='stMain']")
    shown = details.replace("\u2060", "")  # the word joiner that keeps "://" from becoming a link
    assert "Am Bach ![Spur](http://tracker.example/pixel.png) <img src=http://tracker.example/b.png>" in shown
    assert marked["owner"] not in page.content()  # (the grid's cells are drawn; AppTests read them)
    assert page.locator("img[src*='tracker.example']").count() == 0
    assert page.locator("a[href*='tracker.example']").count() == 0
    assert page.external_requests == []
    page.set_viewport_size({"width": 1440, "height": 1250})  # down to the owner in the details panel
    wait_for_app(page)
    screenshot(page, "datenschutz")


def test_the_sign_in_lasts_across_reload_and_tabs_until_signed_out_in_one(page, app_url, marked):
    page.goto(f"{app_url}/karte?flaeche={marked['pool_id']}")
    wait_for_app(page)
    sign_in(page, "wurzen.gis", PASSWORD)
    assert page.url.endswith(f"/karte?flaeche={marked['pool_id']}")  # back where the form was
    assert signed_in(page)
    cookie = next(c for c in page.context.cookies() if c["name"] == "flaechenpool_anmeldung")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"

    page.reload()
    wait_for_app(page)
    assert signed_in(page)

    other = page.context.new_page()  # a new tab, opened on a deep link
    other.goto(f"{app_url}/eingriffe?eingriff=BPL-WUR-01")
    wait_for_app(other)
    assert signed_in(other) and "Buchen ist nur angemeldet möglich" not in other.inner_text("body")
    screenshot(other, "eingriffe-angemeldet-neuer-tab")

    with page.expect_navigation():
        page.get_by_role("button", name="Abmelden").click()
    wait_for_app(page)
    assert not signed_in(page)

    # The other tab is signed out at its next run, and the old cookie is worthless everywhere.
    other.get_by_test_id("stSidebarNavItems").get_by_role("link", name="Übersicht & Berichte").click()
    expect(other.get_by_test_id("stSidebar")).not_to_contain_text("Angemeldet", timeout=20_000)
    expect(other.get_by_label("Benutzername")).to_be_attached()  # the sign-in form is back
    stolen = page.context.browser.new_context()
    stolen.add_cookies([cookie])
    copy = stolen.new_page()
    copy.goto(app_url)
    wait_for_app(copy)
    assert "Angemeldet" not in copy.inner_text("[data-testid='stSidebar']")
    stolen.close()

