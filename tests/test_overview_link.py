"""The overview's selection in the URL (geo.reports.link): decode what people send, encode only what differs."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from geo import fmt, schema
from geo.reports import link
from tests.conftest import LEIPZIG, MACHERN, WURZEN

BOUNDS = (2015, 2030)


def test_slugs_ags_and_names_in_any_order_give_schema_order():
    state = link.decode({"gemeinde": ["wurzen,Leipzig", MACHERN]}, BOUNDS)
    assert state.ags == (LEIPZIG, WURZEN, MACHERN) and not state.problems
    assert link.encode(state) == {"gemeinde": "leipzig,wurzen,machern"}


def test_measure_types_go_by_name_as_on_the_map():
    state = link.decode({"massnahme": "Waldumbau,Aufforstung,Moor"}, BOUNDS)
    assert state.measure_types == ("Aufforstung", "Waldumbau") and len(state.problems) == 1
    assert link.encode(state) == {"massnahme": "Aufforstung,Waldumbau"}


def test_years_are_clamped_sorted_and_dropped_when_they_span_the_data():
    assert link.decode({"von": "2026", "bis": "2020"}, BOUNDS).years == (2020, 2026)
    assert link.decode({"von": "1990", "bis": "2040"}, BOUNDS).years is None
    assert link.decode({"bis": "2020"}, BOUNDS).years == (2015, 2020)
    assert link.encode(link.OverviewState(years=(2015, 2020))) == {"von": "2015", "bis": "2020"}


def test_unusable_values_are_dropped_with_a_german_note():
    state = link.decode({"gemeinde": "wurzen,gotham", "von": "anno", "seit": "31.12.2025", "folie": "0"}, BOUNDS)
    assert state == link.OverviewState(ags=(WURZEN,), problems=state.problems)
    assert [p.split(":")[0].split(" ")[0] for p in state.problems] == ["Gemeinde", "Von", "Seit", "Folie"]
    tomorrow = fmt.today() + dt.timedelta(days=1)
    assert link.decode({"seit": tomorrow.isoformat()}, BOUNDS).since is None


@given(ags=st.sets(st.sampled_from([m.ags for m in schema.MUNICIPALITIES])),
       measures=st.sets(st.sampled_from(schema.MEASURE_TYPES)),
       years=st.none() | st.tuples(st.integers(2015, 2030), st.integers(2015, 2030)).map(sorted).map(tuple)
       .filter(lambda y: y != BOUNDS),
       since=st.none() | st.dates(dt.date(2000, 1, 1), dt.date(2025, 12, 31)),
       slide=st.none() | st.integers(1, 20))
def test_what_is_encoded_decodes_to_the_same_state(ags, measures, years, since, slide):
    state = link.OverviewState(ags=tuple(m.ags for m in schema.MUNICIPALITIES if m.ags in ags), years=years,
                               measure_types=tuple(m for m in schema.MEASURE_TYPES if m in measures),
                               since=since, slide=slide)
    assert link.decode(link.encode(state), BOUNDS) == state
