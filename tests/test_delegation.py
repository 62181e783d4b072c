"""Who inspects for whom: the handbook's ``- Kontrolle durch:`` line and the rule built on it (pure)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from geo import schema
from geo.access.permissions import User
from geo.display import handbook
from geo.errors import PermissionDenied
from geo.monitoring import delegation
from geo.monitoring.delegation import NOBODY, can_inspect, inspected, require_inspect
from tests.conftest import REPO

AGS = {m.slug: m.ags for m in schema.MUNICIPALITIES}
RURAL = ["bennewitz", "thallwitz", "lossatal", "machern", "brandis", "borsdorf", "trebsen"]


def _handbook(*lines: str, step: str = "Kontrolle") -> str:
    return "\n".join(["# Handbuch", "", f"## {step}", "- Wer: Wurzen", "- Seite: monitoring", *lines, "",
                      "Freier Text.", "", "# Aufgabenteilung"])


def test_the_line_names_the_inspector_and_the_municipalities_it_inspects_for():
    parsed = delegation.parse(_handbook("- Kontrolle durch: Wurzen für Bennewitz, lossatal und Trebsen."))
    assert parsed.pairs == {(AGS["wurzen"], AGS["bennewitz"]), (AGS["wurzen"], AGS["lossatal"]),
                            (AGS["wurzen"], AGS["trebsen"])}  # names, slugs, any case; „und“ and a full stop
    assert parsed.problems == ()
    assert parsed.inspectors_of(AGS["lossatal"]) == [AGS["wurzen"]]
    assert parsed.inspectors_of(AGS["leipzig"]) == []
    assert parsed.sentences() == ["Wurzen kontrolliert laut Prozesshandbuch auch für Bennewitz, Lossatal und "
                                  "Trebsen/Mulde."]


def test_one_line_per_inspecting_partner_and_oneself_is_no_delegation():
    parsed = delegation.parse(_handbook("- Kontrolle durch: Wurzen für Wurzen, Machern",
                                        "- kontrolle durch: Brandis für Borsdorf"))
    assert parsed.pairs == {(AGS["wurzen"], AGS["machern"]), (AGS["brandis"], AGS["borsdorf"])}
    assert parsed.inspected_by(AGS["wurzen"]) == [AGS["machern"]]


def test_the_demo_handbook_lets_wurzen_inspect_the_wurzener_land_but_not_leipzig():
    parsed = delegation.parse((REPO / "data" / "handbuch.md").read_text(encoding="utf-8"))
    assert parsed.problems == ()
    assert parsed.inspected_by(AGS["wurzen"]) == [AGS[s] for s in RURAL]
    assert all(parsed.inspected_by(m.ags) == [] for m in schema.MUNICIPALITIES if m.slug != "wurzen")


@pytest.mark.parametrize("text", ["", _handbook(), _handbook("Wurzen kontrolliert alle.")])
def test_no_line_means_no_delegation(text):
    assert delegation.parse(text) == NOBODY


def test_a_handbook_saved_as_windows_1252_is_read_without_failing(tmp_path):
    (tmp_path / handbook.FILE_NAME).write_bytes(_handbook("- Kontrolle durch: Wurzen für Lossatal, Thallwitz",
                                                          "Mängel meldet die kontrollierende Stelle.").encode("cp1252"))
    parsed = delegation.parse(handbook.read_text(tmp_path))
    assert parsed.pairs == {(AGS["wurzen"], AGS["lossatal"]), (AGS["wurzen"], AGS["thallwitz"])}
    assert handbook.read_text(tmp_path / "fehlt") == ""


def test_an_unknown_name_is_reported_in_german_and_grants_nothing_for_it():
    parsed = delegation.parse(_handbook("- Kontrolle durch: Wurzen für Lossatal, Leipzig-Süd"))
    assert parsed.pairs == {(AGS["wurzen"], AGS["lossatal"])}
    assert parsed.problems == (
        "Prozesshandbuch, Schritt „Kontrolle“, Zeile „- Kontrolle durch: Wurzen für Lossatal, Leipzig-Süd“: "
        "„Leipzig-Süd“ ist keine Gemeinde des Flächenpools (bekannt sind Leipzig, Wurzen, Bennewitz, Thallwitz, "
        "Lossatal, Machern, Brandis, Borsdorf, Trebsen/Mulde); für „Leipzig-Süd“ gilt die Zeile nicht, für die "
        "übrigen Gemeinden schon.",)


@pytest.mark.parametrize(("line", "message"), [
    ("- Kontrolle durch: Wurzn für Lossatal", "„Wurzn“ ist keine Gemeinde des Flächenpools"),
    ("- Kontrolle durch: Wurzen", "Es fehlt, wer für wen kontrolliert; so sieht die Zeile aus: „- Kontrolle durch: "
                                  "Wurzen für Bennewitz, Borsdorf“"),
    ("- Kontrolle durch:", "Es fehlt, wer für wen kontrolliert"),
])
def test_an_unreadable_line_grants_nothing_and_says_why(line, message):
    parsed = delegation.parse(_handbook(line))
    assert parsed.pairs == frozenset()
    assert len(parsed.problems) == 1 and message in parsed.problems[0]


NAMES = [m.name for m in schema.MUNICIPALITIES] + ["Wurzn", "alle", "", "und", "für"]


@given(st.lists(st.sampled_from(NAMES) | st.text(max_size=12), max_size=6), st.sampled_from([", ", " und ", ";", " "]),
       st.sampled_from(NAMES) | st.text(max_size=12))
def test_any_line_is_read_without_failing_and_grants_only_known_partners(names, separator, inspector):
    parsed = delegation.parse(_handbook(f"- Kontrolle durch: {inspector} für {separator.join(names)}"))
    known = set(schema.AGS_NAMES)
    assert all(a in known and b in known and a != b for a, b in parsed.pairs)
    spelled = {k.casefold() for m in schema.MUNICIPALITIES for k in (m.name, m.slug)}
    if inspector.strip().casefold() not in spelled and "für" not in inspector.casefold():
        assert parsed.pairs == frozenset()  # an unknown inspector grants nothing


def test_the_line_counts_only_in_the_inspection_step():
    parsed = delegation.parse(_handbook("- Kontrolle durch: Wurzen für Lossatal", step="Zusage"))
    assert parsed.pairs == frozenset()
    assert parsed.problems == ("Prozesshandbuch: die Zeile „- Kontrolle durch: Wurzen für Lossatal“ steht im Schritt "
                               "„Zusage“; sie gilt nur im Schritt „Kontrolle“ und wird sonst nicht beachtet.",)


WURZEN_DELEGATES = delegation.parse(_handbook("- Kontrolle durch: Wurzen für Lossatal, Machern"))
WURZEN_GIS = User("wurzen.gis", "gis", AGS["wurzen"], "GIS Stadt Wurzen")


@pytest.mark.parametrize(("user", "area", "allowed"), [
    (WURZEN_GIS, "wurzen", True),
    (WURZEN_GIS, "lossatal", True),
    (WURZEN_GIS, "machern", True),
    (WURZEN_GIS, "leipzig", False),
    (WURZEN_GIS, "brandis", False),
    (User("lossatal.gis", "gis", AGS["lossatal"]), "lossatal", True),
    (User("lossatal.gis", "gis", AGS["lossatal"]), "wurzen", False),  # the delegation runs one way
    (User("admin", "admin"), "leipzig", True),
    (User("leser", "lesen"), "wurzen", False),
    (None, "lossatal", False),
])
def test_who_may_inspect(user, area, allowed):
    assert can_inspect(user, AGS[area], WURZEN_DELEGATES) is allowed
    assert can_inspect(user, AGS[area], NOBODY) is (allowed and (user is None or user.role == "admin"
                                                                 or user.ags == AGS[area]))


def test_the_areas_one_may_inspect():
    assert inspected(WURZEN_GIS, WURZEN_DELEGATES) == [AGS["wurzen"], AGS["lossatal"], AGS["machern"]]
    assert inspected(User("leser", "lesen"), WURZEN_DELEGATES) == []
    assert inspected(User("admin", "admin"), NOBODY) == [m.ags for m in schema.MUNICIPALITIES]


def test_the_refusal_names_who_may():
    with pytest.raises(PermissionDenied) as refused:
        require_inspect(User("leipzig.gis", "gis", AGS["leipzig"], "GIS Stadt Leipzig"), AGS["lossatal"],
                        WURZEN_DELEGATES, "Kontrolle erfassen")
    assert str(refused.value) == ("Kontrolle erfassen für Lossatal: GIS Stadt Leipzig – GIS-Zuständige darf das nicht. "
                                  "Nur GIS-Zuständige von Lossatal, GIS-Zuständige von Wurzen (laut Prozesshandbuch) "
                                  "oder die Administration dürfen das.")
    with pytest.raises(PermissionDenied) as refused:
        require_inspect(WURZEN_GIS, AGS["leipzig"], WURZEN_DELEGATES, "Kontrolle erfassen")
    assert str(refused.value) == ("Kontrolle erfassen für Leipzig: GIS Stadt Wurzen – GIS-Zuständige darf das nicht. "
                                  "Nur GIS-Zuständige von Leipzig oder die Administration dürfen das.")
    assert require_inspect(WURZEN_GIS, AGS["lossatal"], WURZEN_DELEGATES, "Kontrolle erfassen") is WURZEN_GIS
