"""Who is signed in, for the pages. Permission checks themselves live in geo/.

Contract: ``st.session_state["user"]`` holds a :class:`geo.access.permissions.User` (or is
absent). The sign-in flow sets it; pages only read it through these functions, and
AppTests set it directly.

Two ways to sign in, behind :func:`sidebar`:
- embedded (default): a form checked against the bcrypt users file (:mod:`geo.access.users`);
- OpenID Connect: when ``.streamlit/secrets.toml`` has an ``[auth]`` block, Streamlit's
  ``st.login`` signs people in and the users file maps their e-mail (or user name) to
  role and municipality; unknown people get the role ``lesen``.
"""

from __future__ import annotations

import streamlit as st

from geo.access import users
from geo.access.permissions import User
from ui import data

SESSION_KEY = "user"


def current_user() -> User | None:
    user = st.session_state.get(SESSION_KEY)
    return user if isinstance(user, User) else None


def oidc_configured() -> bool:
    """True when the deployment configured ``[auth]`` for ``st.login``."""
    return st.secrets.load_if_toml_exists() and "auth" in st.secrets


def _oidc_user() -> User | None:
    if not st.user.is_logged_in:
        return None
    path = data.settings().users_file
    for claim in ("email", "preferred_username"):
        value = st.user.get(claim)
        if value and (known := users.find(str(value), path=path)):
            return known
    return User(str(st.user.get("email") or st.user.get("sub")), "lesen", display_name=str(st.user.get("name", "")))


def _sign_in_form(needed: bool) -> None:
    # Collapsed unless reading needs a sign-in, so page filters stay near the top.
    expanded = needed or not data.settings().public_read or "sign_in_failed" in st.session_state
    with st.expander("Anmeldung", icon=":material/login:", expanded=expanded), \
            st.form("sign_in", clear_on_submit=True, border=False):
        name = st.text_input("Benutzername", autocomplete="username")
        password = st.text_input("Passwort", type="password", autocomplete="current-password")
        submitted = st.form_submit_button("Anmelden", type="primary")
    if submitted:
        user = users.authenticate(name, password, path=data.settings().users_file)
        if user is None:
            st.session_state["sign_in_failed"] = True
            st.error("Anmeldung fehlgeschlagen: Benutzername oder Passwort stimmt nicht.")
        else:
            st.session_state.pop("sign_in_failed", None)
            st.session_state[SESSION_KEY] = user
            st.rerun()


def sidebar(*, needed: bool = False) -> User | None:
    """Sign-in, sign-out and who is signed in, in the sidebar. Returns the user.

    *needed*: the current page is of no use without a sign-in, so the form opens.
    """
    with st.sidebar:
        if oidc_configured():
            user = _oidc_user()
            st.session_state[SESSION_KEY] = user
            if user is None:
                st.button("Anmelden", on_click=st.login, type="primary")
            else:
                st.caption(f"Angemeldet: {user.label}")
                st.button("Abmelden", on_click=st.logout)
            return user
        user = current_user()
        if user is None:
            _sign_in_form(needed)
        else:
            st.caption(f"Angemeldet: {user.label}")
            if st.button("Abmelden"):
                st.session_state.pop(SESSION_KEY, None)
                st.rerun()
        return user


def require_sign_in_to_read() -> None:
    """Stop the page for visitors when the deployment does not allow public reading."""
    if current_user() is None and not data.settings().public_read:
        st.title("Flächenpool Leipzig & Wurzener Land")
        st.info("Bitte melden Sie sich in der Seitenleiste an, um den Flächenpool zu sehen.")
        st.stop()
