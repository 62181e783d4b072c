"""No English in the interface: every page's visible text and its screen-reader labels (aria-label,
title, placeholder), with Streamlit's own menus, toolbars, uploader and "Page not found" notice open,
are scanned for English words. Streamlit has no German; ``ui/deutsch.js`` (put into the page by
``ui/lang.py``) translates its texts, and this test fails on any it misses."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.e2e.conftest import env_with_accounts, sign_in, wait_for_app

PASSWORD = "browser-test-1"
PAGES = ("", "karte", "eingriffe?eingriff=BPL-WUR-01", "anfragen", "uebersicht", "hochladen", "aenderungen",
         "bewertung", "datenschutz", "betrieb")
ENGLISH = frozenset({"a", "about", "add", "all", "and", "apply", "are", "ascending", "autosize", "browse", "by",
    "cancel", "choose", "clear", "close", "collapse", "column", "columns", "connecting", "content", "copy",
    "delete", "descending", "deploy", "download", "drag", "drop", "enter", "error", "exit", "expand", "file",
    "files", "for", "found", "fullscreen", "have", "help", "here", "hide", "home", "loading", "main", "matches",
    "menu", "month", "more", "navigate", "next", "no", "not", "notifications", "of", "open", "option", "options",
    "page", "please", "press", "previous", "print", "record", "remove", "rerun", "requested", "results", "row",
    "rows", "running", "search", "select", "selected", "selection", "settings", "show", "sidebar", "skip", "sort",
    "source", "stop", "submit", "the", "this", "to", "unpin", "upload", "value", "values", "view", "wait", "with",
    "you", "your"})
"""Words that are English and not German (German words such as "in", "Start", "Format", "Status",
"Name", "Link", "Limit", "Details", "per" are left out)."""
ALLOWED = frozenset({"Leaflet", "OpenStreetMap", "GeoBasis-DE", "QGIS", "Excel", "GeoJSON", "GeoPackage"})
"""Proper names that may contain such words."""

COLLECT = """() => {
    const hidden = el => el.closest('[aria-hidden="true"], [data-testid="stIconMaterial"], script, style, noscript');
    const out = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const el = node.parentElement;
        if (!el || hidden(el) || !el.checkVisibility()) { continue; }
        if (node.nodeValue.trim()) { out.push(node.nodeValue.trim()); }
    }
    for (const el of document.querySelectorAll('[aria-label], [title], [placeholder]')) {
        if (hidden(el)) { continue; }
        for (const name of ['aria-label', 'title', 'placeholder']) {
            const value = el.getAttribute(name);
            if (value && value.trim()) { out.push(value.trim()); }
        }
    }
    return out;
}"""


@pytest.fixture(scope="module")
def app_env(app_data: Path) -> dict[str, str]:
    return env_with_accounts(app_data, PASSWORD, "admin", "wurzen.gis")


def english(texts: list[str]) -> set[str]:
    """The texts with an English word that is not part of an allowed name."""
    found = set()
    for text in texts:
        rest = text
        for name in ALLOWED:
            rest = rest.replace(name, " ")
        words = {w.lower() for w in re.findall(r"[^\W\d_]+", rest)}  # letters, umlauts included
        if words & ENGLISH:
            found.add(text)
    return found


def collect(page) -> list[str]:
    return page.evaluate(COLLECT)


def open_streamlit_widgets(page) -> list[str]:
    """Texts of Streamlit's own pop-ups: a multiselect's list, a table's toolbar and its column menus."""
    texts: list[str] = []
    multiselect = page.get_by_test_id("stMultiSelect").first
    if multiselect.count():
        multiselect.locator("input").click()
        page.wait_for_timeout(300)
        texts += collect(page)
        page.keyboard.press("Escape")
    grid = page.get_by_test_id("stDataFrame").first
    if grid.count():
        grid.hover()
        page.wait_for_timeout(300)
        texts += collect(page)
        buttons = page.get_by_test_id("stElementToolbarButton")
        for i in range(buttons.count()):
            label = buttons.nth(i).get_attribute("aria-label") or ""
            if "Spalten" in label or "columns" in label:
                buttons.nth(i).click()
                page.wait_for_timeout(300)
                texts += collect(page)
                page.keyboard.press("Escape")
        box = grid.bounding_box()
        page.mouse.click(box["x"] + box["width"] / 3, box["y"] + 18)  # a header cell: its column menu
        page.wait_for_timeout(300)
        texts += collect(page)
        page.keyboard.press("Escape")
    return texts


def test_no_page_shows_english_to_a_signed_in_administrator(page, app_url):
    page.goto(app_url)
    wait_for_app(page)
    sign_in(page, "admin", PASSWORD)
    seen: dict[str, set[str]] = {}
    for path in PAGES:
        page.goto(f"{app_url}/{path}")
        wait_for_app(page)
        texts = collect(page) + open_streamlit_widgets(page)
        assert len(texts) > 20, path  # the page was read
        if found := english(texts):
            seen[path or "/"] = found
    assert not seen, "\n".join(f"{path}: {sorted(found)}" for path, found in seen.items())


def test_the_uploader_speaks_german_with_german_file_sizes(page, app_url, tmp_path):
    page.goto(f"{app_url}/hochladen")
    wait_for_app(page)
    sign_in(page, "wurzen.gis", PASSWORD)
    uploader = page.get_by_test_id("stFileUploader")
    file = tmp_path / "notizen.txt"
    file.write_text("x" * 1500)
    uploader.locator("input[type='file']").set_input_files(str(file))
    wait_for_app(page)
    text = uploader.inner_text()
    assert re.search(r"1,5\u00a0kB", text), text
    assert not english(collect(page))


def test_an_unknown_address_says_so_in_german(page, app_url):
    page.goto(f"{app_url}/gibt-es-nicht")
    wait_for_app(page)
    body = page.inner_text("body")
    assert "Seite nicht gefunden" in body and "gibt es nicht" in body, body
    assert not english(collect(page))
