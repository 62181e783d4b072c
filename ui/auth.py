"""Who is signed in, for the pages. Permission checks themselves live in geo/.

Contract: ``st.session_state["user"]`` holds a :class:`geo.permissions.User` (or is
absent). The sign-in flow sets it; pages only read it through these functions, and
AppTests set it directly.
"""

from __future__ import annotations

import streamlit as st

from geo.permissions import User

SESSION_KEY = "user"


def current_user() -> User | None:
    user = st.session_state.get(SESSION_KEY)
    return user if isinstance(user, User) else None
