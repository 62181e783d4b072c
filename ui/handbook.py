"""Widgets of the page "Prozesshandbuch": the steps with their pages, and where an intervention or a request stands."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from geo import fmt, schema
from geo.accounting import requests
from geo.accounting.summary import PoolView
from geo.display import handbook
from geo.display.handbook import Handbook, Next
from geo.monitoring import delegation as inspectors

VIEWS = Path(__file__).resolve().parent.parent / "views"


LINK_PARAMS = {"eingriffe": "eingriff", "karte": "eingriff", "anfragen": ""}
"""Query parameter that opens a page on one intervention (empty: the page has none)."""


def page_link(step: handbook.Step, intervention_id: str | None = None) -> None:
    """A link to the app page where *step* happens (if the handbook names an existing one), opened on
    *intervention_id* where the page takes one."""
    if not step.page or not (VIEWS / f"{step.page}.py").exists():
        return
    param = LINK_PARAMS.get(step.page)
    query = {param: intervention_id} if param and intervention_id else None
    st.page_link(f"views/{step.page}.py", label=f"{step.name}: zur Seite", icon=":material/arrow_forward:",
                 query_params=query)


def where_it_stands(view: PoolView, book: Handbook) -> Next | None:
    """Pick an intervention (or a request, ``?anfrage=``); say which step comes next and who does it."""
    now = fmt.now()
    every = requests.overview(view.requests, now)
    itv = view.interventions
    ids = list(itv["intervention_id"].astype(str))
    wanted_request = st.query_params.get("anfrage")
    wanted = st.query_params.get("eingriff")
    names = dict(zip(itv["intervention_id"].astype(str), itv["name"].astype(str), strict=True))
    label = {i: f"{i} · {names[i]}" for i in ids}
    chosen = st.selectbox("Eingriff", ids, index=ids.index(wanted) if wanted in names else None,
                          format_func=label.__getitem__, placeholder="Eingriff wählen …", key="handbuch_eingriff")
    if chosen is not None:
        row = itv[itv["intervention_id"] == chosen].iloc[0]
        mine = every[(every["intervention_id"] == chosen) & (every["state"] == "offen")]
        result = handbook.next_for_intervention(row, mine)
        intervention_id = chosen
        st.caption(f"{schema.AGS_NAMES[str(row['ags'])]} · Status „{row['status']}“ · offener Bedarf "
                   f"{fmt.points(row['open_points'])} · reserviert {fmt.points(row['reserved_points'])}")
    elif wanted_request in set(every["request_id"]):
        request = every[every["request_id"] == wanted_request].iloc[0]
        intervention_id = str(request["intervention_id"])
        target = itv[itv["intervention_id"] == intervention_id]
        result = handbook.next_for_request(request, None if target.empty else target.iloc[0])
        st.markdown(f"**Anfrage {fmt.literal(request['request_id'])}** ({request['state']})")
    else:
        return None
    step = book.step(result.step)
    who = f"{result.municipality}" + (f" ({step.who})" if step and step.who else "")
    st.success(f"Nächster Schritt: **{result.step}** · wer: {fmt.literal(who or (step.who if step else ''))}. "
               f"{result.reason}")
    if step is not None:
        page_link(step, intervention_id)
    return result


def delegation(parsed: inspectors.Delegation) -> None:
    """Who inspects for whom as the app reads it from the step's ``- Kontrolle durch:`` lines."""
    said = " ".join(parsed.sentences()) or "niemand für andere: jede Gemeinde kontrolliert ihre eigenen Flächen."
    st.markdown(f"**Kontrolle durch Partner:** {fmt.literal(said)}")
    st.caption("Die App erlaubt danach das Erfassen von Kontrollen und Umsetzungsständen (Seite „Monitoring“); "
               "Hochladen und Buchen bleiben bei der Gemeinde der Fläche.")


def problems(parsed: inspectors.Delegation) -> None:
    """What of the step's ``- Kontrolle durch:`` lines the app could not read (that part grants nothing)."""
    for problem in parsed.problems:
        st.warning(fmt.literal(problem), icon=":material/warning:")


def steps(book: Handbook, current: str | None, parsed: inspectors.Delegation) -> None:
    """Every step with who does it, its page and its text (the inspection step with who inspects for whom);
    the next one marked."""
    for number, step in enumerate(book.steps, start=1):
        marker = " · nächster Schritt" if current == step.name else ""
        with st.container(border=True):
            st.subheader(f"{number}. {step.name}{marker}")
            st.markdown(f"**Wer:** {fmt.literal(step.who) or '–'}")
            if step.name.casefold() == inspectors.STEP.casefold():
                delegation(parsed)
            st.markdown(step.text)  # the partners' Markdown (no HTML: st.markdown leaves it as text)
            page_link(step)


def missing(text: str) -> bool:
    """True (with a note on the page) if there is no handbook or it has no steps."""
    if handbook.parse(text).steps:
        return False
    st.info("Es gibt noch kein Prozesshandbuch (data/handbuch.md) oder es enthält keine Schritte (## Überschriften).")
    return True
