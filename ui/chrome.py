"""The sidebar footer every page shares (attribution, demo notice)."""

from __future__ import annotations

import streamlit as st

from geo import schema


def footer() -> None:
    with st.sidebar:
        st.caption(schema.DEMO_NOTICE)
        st.caption(schema.BOUNDARY_ATTRIBUTION)
