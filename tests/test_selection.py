"""Click → selection → details panel, on the tiny hand-built pool."""

from __future__ import annotations

import pytest

from geo import fmt, schema
from geo.errors import DataError
from geo.map import selection
from geo.map.mapfilter import Selection
from tests.mapdata import BOOKINGS, XSS, tiny_view

W1 = Selection(schema.POOL_AREAS, "W1")


def drawing(**props) -> dict:
    return {"type": "Feature", "properties": props, "geometry": {"type": "Polygon", "coordinates": []}}


def test_a_click_on_a_pool_area_or_intervention_selects_it():
    assert selection.from_drawing(drawing(id="W1", layer="pool_areas", name="x")) == W1
    assert selection.from_drawing(drawing(id="E1", layer="interventions")) == Selection(schema.INTERVENTIONS, "E1")


@pytest.mark.parametrize("value", [None, {}, drawing(), drawing(id="W1"), drawing(id="14729410", layer="boundary"),
                                   drawing(id=7, layer="pool_areas"), drawing(id="", layer="pool_areas"),
                                   {"properties": "W1"}, "W1"])
def test_anything_else_selects_nothing(value):
    assert selection.from_drawing(value) is None


def test_only_a_new_click_changes_the_selection():
    first, token = selection.map_pick({"last_active_drawing": drawing(id="W1", layer="pool_areas"),
                                       "last_object_clicked": {"lat": 51.3, "lng": 12.7}})
    assert first == W1
    assert selection.new_pick(first, token, None) == W1
    assert selection.new_pick(first, token, token) is None  # the same click on the next rerun
    _, again = selection.map_pick({"last_active_drawing": drawing(id="W1", layer="pool_areas"),
                                   "last_object_clicked": {"lat": 51.31, "lng": 12.7}})
    assert selection.new_pick(first, again, token) == W1  # clicked again elsewhere on the same area
    assert selection.map_pick(None) == (None, "")
    assert selection.new_pick(None, "", token) is None


def values_of(bookings) -> list[str]:
    return bookings["allocation_id"].tolist()


def test_pool_area_details_have_every_field_with_its_german_label():
    d = selection.details(tiny_view(BOOKINGS), W1)
    assert d.kind == "Poolfläche" and d.name == "Am Wald"
    assert d.fields["Merkmal"].tolist() == [f.label for f in schema.POOL_FIELDS]
    values = dict(zip(d.fields["Merkmal"], d.fields["Wert"], strict=True))
    assert values["Flurstücke"] == "Gemarkung Nemt, Flur 3, 49/7"
    assert values["Gemeinde"] == "Wurzen" and values["Maßnahmenbeginn"] == "02.05.2021"
    assert values["Wertpunkte"] == fmt.points(20_000) and values["Maßnahmenende"] == "–"
    assert values["Bemerkungen"] == "–"  # empty text
    figures = dict(d.figures)
    assert figures["Fläche (ha)"] == "4,00"  # 200 m × 200 m
    assert figures["Reserviert (WP)"] == "2.000" and figures["Zugeordnet (WP)"] == "0"
    assert figures["Frei (WP)"] == "18.000"


def test_pool_area_bookings_leave_out_cancelled_ones_and_name_the_intervention():
    d = selection.details(tiny_view(BOOKINGS), W1)
    assert d.booking_count == 1  # B-3 was cancelled by B-4
    row = d.bookings.iloc[0]
    assert (row["Eingriffs-ID"], row["Bezeichnung (Gemeinde)"], row["Gebucht"], row["Buchungsdatum"]) == (
        "E1", "B-Plan Nord (Wurzen)", f"{fmt.points(2_000)} reserviert", "01.03.2026")
    assert values_of(selection.bookings(tiny_view(BOOKINGS), W1)) == ["B-2"]
    assert d.booking_links == {"Eingriffs-ID": ["eingriffe?eingriff=E1"]}  # the id opens the booking page


def test_intervention_details_show_demand_coverage_and_booked_areas():
    d = selection.details(tiny_view(BOOKINGS), Selection(schema.INTERVENTIONS, "E1"))
    assert d.kind == "Eingriff"
    assert d.fields["Merkmal"].tolist() == [f.label for f in schema.INTERVENTION_FIELDS]
    figures = dict(d.figures)
    assert figures["Kompensationsbedarf (WP)"] == "12.000" and figures["Gedeckt (WP)"] == "11.000"
    assert figures["Offener Bedarf (WP)"] == "1.000"
    assert figures["Deckung"] == f"teilweise ({fmt.percent(11 / 12)})"
    assert d.bookings["Flächen-ID"].tolist() == ["M1", "W1"]
    assert d.bookings["Flurname (Gemeinde)"].tolist() == ["Kiesgrube (Machern)", "Am Wald (Wurzen)"]
    assert d.booking_links == {"Flächen-ID": ["karte?flaeche=M1", "karte?flaeche=W1"]}  # the ids open the map


def test_attribute_text_stays_text_in_details():
    d = selection.details(tiny_view(), Selection(schema.POOL_AREAS, "W2"))
    assert d.name == XSS and XSS in d.fields["Wert"].tolist()
    assert d.booking_count == 0 and d.bookings.empty


def test_an_unknown_feature_is_a_german_error():
    with pytest.raises(DataError, match="Poolfläche „X9“ gibt es nicht"):
        selection.details(tiny_view(), Selection(schema.POOL_AREAS, "X9"))


def test_tables_below_the_map_are_german_and_link_to_the_booking_page():
    view = tiny_view(BOOKINGS)
    pool = selection.pool_table(view.pool_areas)
    assert list(pool.columns) == ["Flächen-ID", "Flurname", "Gemeinde", "Status", "Maßnahmentyp", "Fläche (ha)",
                                  "Wertpunkte", "Frei (WP)", "Flurstücke"]
    assert pool.loc[pool["Flächen-ID"] == "M1", "Frei (WP)"].item() == "41.000"
    itv = selection.intervention_table(view.interventions)
    assert itv[selection.LINK_COLUMN].tolist() == ["eingriffe?eingriff=E1", "eingriffe?eingriff=E2",
                                                   "eingriffe?eingriff=E3"]
    assert itv["Deckung"].tolist() == ["teilweise", "offen", "offen"]
