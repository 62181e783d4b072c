"""Prozesshandbuch: the partners' shared workflow, each step linked to its page; what comes next, and who does it."""

from __future__ import annotations

import streamlit as st

from geo.display import handbook
from geo.monitoring import delegation
from ui import data
from ui import handbook as widgets

st.title("Prozesshandbuch")
text = data.handbook_text()
if not widgets.missing(text):
    book = handbook.parse(text)
    inspectors = delegation.parse(text)
    widgets.problems(inspectors)
    st.markdown(book.intro.split("\n", 1)[1] if book.intro.startswith("# ") else book.intro)
    st.header("Wo steht ein Eingriff?")
    found = widgets.where_it_stands(data.view(), book)
    st.header("Die Schritte")
    widgets.steps(book, found.step if found else None, inspectors)
    st.markdown(book.rest)
