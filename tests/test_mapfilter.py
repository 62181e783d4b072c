"""The map explorer's filter model: applying it to a view and round-tripping it through links."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from geo import schema
from geo.map import mapfilter
from geo.map.mapfilter import MapFilter, Selection
from tests.conftest import MACHERN, WURZEN
from tests.mapdata import BOOKINGS, tiny_view

DONE_LINK = {"gemeinde": "wurzen,machern", "status": "verfügbar", "massnahme": "Aufforstung", "min_wp": "10000",
             "flaeche": "MAC-2023-006"}


def ids(view) -> tuple[list[str], list[str]]:
    return sorted(view.pool_areas["pool_id"]), sorted(view.interventions["intervention_id"])


def test_empty_filter_shows_everything():
    view = tiny_view(BOOKINGS)
    shown = mapfilter.apply(view, MapFilter())
    assert ids(shown) == (["M1", "M2", "W1", "W2"], ["E1", "E2", "E3"])
    assert len(shown.allocations) == len(BOOKINGS) and len(shown.boundaries) == 2


def test_municipalities_narrow_areas_interventions_boundaries_and_ledger():
    shown = mapfilter.apply(tiny_view(BOOKINGS), MapFilter(municipalities=(MACHERN,)))
    assert ids(shown) == (["M1", "M2"], ["E3"])
    assert shown.boundaries["name"].tolist() == ["Machern"]
    assert shown.allocations.empty  # M1 is booked by E1 (Wurzen), which is not shown


def test_pool_filters_leave_interventions_alone():
    view = tiny_view(BOOKINGS)  # W1: 20.000 − 2.000 reserved → 18.000 free; M1: 41.000 free
    assert ids(mapfilter.apply(view, MapFilter(pool_status=("geplant",)))) == (["M2"], ["E1", "E2", "E3"])
    assert ids(mapfilter.apply(view, MapFilter(measure_types=("Entsiegelung",))))[0] == ["W2"]
    assert ids(mapfilter.apply(view, MapFilter(min_free_points=18_000)))[0] == ["M1", "W1"]
    assert ids(mapfilter.apply(view, MapFilter(min_free_points=18_001)))[0] == ["M1"]


def test_intervention_filters_leave_pool_areas_alone():
    view = tiny_view()
    assert ids(mapfilter.apply(view, MapFilter(intervention_kinds=("Energie", "B-Plan")))) == (
        ["M1", "M2", "W1", "W2"], ["E1", "E3"])
    assert ids(mapfilter.apply(view, MapFilter(intervention_status=("im Verfahren",))))[1] == ["E2"]


def test_text_searches_id_name_and_parcels_case_insensitively():
    view = tiny_view()
    assert ids(mapfilter.apply(view, MapFilter(text="püchau"))) == (["M1"], [])
    assert ids(mapfilter.apply(view, MapFilter(text="w1"))) == (["W1"], [])
    assert ids(mapfilter.apply(view, MapFilter(text="nord"))) == ([], ["E1"])
    assert ids(mapfilter.apply(view, MapFilter(text="<img"))) == (["W2"], [])  # literal, not a pattern
    assert ids(mapfilter.apply(view, MapFilter(text="49/7 ("))) == ([], [])


def test_filter_keeps_only_ledger_entries_between_shown_features():
    shown = mapfilter.apply(tiny_view(BOOKINGS), MapFilter(pool_status=("verfügbar",), text="W1"))
    assert sorted(shown.allocations["allocation_id"]) == []  # no intervention matches "W1"
    shown = mapfilter.apply(tiny_view(BOOKINGS), MapFilter(municipalities=(WURZEN,)))
    assert sorted(shown.allocations["allocation_id"]) == ["B-2", "B-3", "B-4"]


def test_values_are_kept_in_schema_order_so_equal_filters_are_equal():
    a = MapFilter(municipalities=(MACHERN, WURZEN), pool_status=("gesperrt", "geplant"))
    b = MapFilter(municipalities=(WURZEN, MACHERN), pool_status=("geplant", "gesperrt"))
    assert a == b and hash(a) == hash(b) and a.municipalities == (WURZEN, MACHERN)


def test_the_done_link_decodes_to_the_planners_question():
    state = mapfilter.decode(DONE_LINK)
    assert state.filter == MapFilter(municipalities=(WURZEN, MACHERN), pool_status=("verfügbar",),
                                     measure_types=("Aufforstung",), min_free_points=10_000)
    assert state.selection == Selection(schema.POOL_AREAS, "MAC-2023-006")
    assert state.problems == ()
    assert mapfilter.encode(state.filter, state.selection) == DONE_LINK


def test_decode_is_forgiving_but_says_what_it_ignored():
    state = mapfilter.decode({"gemeinde": ["Wurzen", "14729250,gotham"], "status": "VERFÜGBAR,kaputt",
                              "min_wp": "viel", "eingriff": "E1"})
    assert state.filter.municipalities == (WURZEN, MACHERN)
    assert state.filter.pool_status == ("verfügbar",) and state.filter.min_free_points == 0
    assert state.selection == Selection(schema.INTERVENTIONS, "E1")
    assert state.problems == ("Mindestens freie Wertpunkte: „viel“ ist keine Zahl ≥ 0, ignoriert.",
                              "Gemeinde: „gotham“ unbekannt, ignoriert.", "Status: „kaputt“ unbekannt, ignoriert.")


def test_points_are_read_as_people_type_them():
    assert mapfilter.parse_points("10.000") == 10_000
    assert mapfilter.parse_points("10000") == 10_000
    assert mapfilter.parse_points("2,5") == 2.5
    assert mapfilter.parse_points("1.234.567,5") == 1_234_567.5
    assert mapfilter.parse_points("") == 0
    assert mapfilter.parse_points("-5") is None and mapfilter.parse_points("nan") is None
    assert mapfilter.parse_points("zehn") is None


def test_intervention_link_is_a_quoted_relative_url():
    assert mapfilter.intervention_link("BPL-WUR-07") == "eingriffe?eingriff=BPL-WUR-07"
    assert mapfilter.intervention_link("A&B 1") == "eingriffe?eingriff=A%26B+1"


def subsets(values):
    return st.lists(st.sampled_from(values), unique=True).map(tuple)


@given(flt=st.builds(
    MapFilter, municipalities=subsets(list(schema.AGS_NAMES)), pool_status=subsets(schema.POOL_STATUS),
    measure_types=subsets(schema.MEASURE_TYPES), intervention_kinds=subsets(schema.INTERVENTION_KINDS),
    intervention_status=subsets(schema.INTERVENTION_STATUS),
    min_free_points=st.one_of(st.just(0.0), st.integers(0, 10**9).map(float), st.floats(0, 1e9)),
    text=st.text(max_size=20)),
    selection=st.one_of(st.none(), st.builds(Selection, st.sampled_from(list(mapfilter.SELECTION_PARAMS)),
                                             st.text(min_size=1, max_size=12).filter(str.strip))))
def test_every_view_state_round_trips_through_its_link(flt, selection):
    params = mapfilter.encode(flt, selection)
    state = mapfilter.decode(params)
    assert state.filter == flt and state.problems == ()
    assert state.selection == (Selection(selection.layer, selection.feature_id.strip()) if selection else None)
