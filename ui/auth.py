"""Who is signed in, for the pages. Permission checks themselves live in geo/.

Three ways to sign in, behind :func:`sidebar`:
- launched by ``serve.py`` (``make run``, the browser tests): the sidebar's form posts to the
  route ``/anmeldung`` (:mod:`ui.routes`), which sets a signed, expiring, HttpOnly cookie;
  every run reads it through ``st.context.cookies`` and :class:`geo.access.sessions.Sessions`,
  so the sign-in lasts across reloads, links and tabs until ``/abmeldung`` or expiry;
- ``streamlit run app.py`` (and AppTest): a Streamlit form checked against the users file,
  lasting as long as the browser session (``st.session_state["user"]``; AppTests may set it);
- OpenID Connect: when ``.streamlit/secrets.toml`` has an ``[auth]`` block, Streamlit's
  ``st.login`` signs people in and the users file maps their e-mail (or user name) to
  role and municipality; unknown people get the role ``lesen``.
Both password forms go through :func:`geo.access.throttle.sign_in` (throttled, same cost for
unknown names).
"""

from __future__ import annotations

import html
from urllib.parse import urlencode, urlsplit

import streamlit as st

from geo.access import sessions, throttle, users
from geo.access.permissions import User
from geo.config import Settings
from geo.errors import SignInRefused

SESSION_KEY = "user"
_FAILED = "sign_in_failed"


def _settings() -> Settings:
    return Settings.from_env()


def _cookie_user() -> User | None:
    settings = _settings()
    if not settings.launcher:
        return None
    return sessions.Sessions.from_settings(settings).read(st.context.cookies.get(sessions.COOKIE))


def current_user() -> User | None:
    """The signed-in person: from the sign-in cookie (checked on every run), else from this session."""
    user = _cookie_user() or st.session_state.get(SESSION_KEY)
    return user if isinstance(user, User) else None


def oidc_configured() -> bool:
    """True when the deployment configured ``[auth]`` for ``st.login``."""
    return st.secrets.load_if_toml_exists() and "auth" in st.secrets


def _oidc_user() -> User | None:
    if not st.user.is_logged_in:
        return None
    path = _settings().users_file
    for claim in ("email", "preferred_username"):
        value = st.user.get(claim)
        if value and (known := users.find(str(value), path=path)):
            return known
    return User(str(st.user.get("email") or st.user.get("sub")), "lesen", display_name=str(st.user.get("name", "")))


def _here() -> str:
    """The page the browser shows (path and query), to come back to after signing in or out."""
    url = urlsplit(st.context.url or "/")
    query = urlencode([(k, v) for k in st.query_params for v in st.query_params.get_all(k)])
    return (url.path or "/") + (f"?{query}" if query else "")


def _post_form(action: str, button: str, fields: str = "") -> None:
    """A plain HTML form posting to one of the launcher's routes (the cookie can only be set over HTTP)."""
    st.html(f"""<form method="post" action="{action}" class="fp-auth">{fields}
<input type="hidden" name="weiter" value="{html.escape(_here(), quote=True)}">
<button type="submit">{button}</button></form>
<style>.fp-auth {{display: flex; flex-direction: column; gap: .4rem; font-size: .9rem;}}
.fp-auth input {{padding: .45rem; border: 1px solid #bbb; border-radius: .4rem; font: inherit;}}
.fp-auth button {{padding: .45rem; border: 0; border-radius: .4rem; background: #2b7a3d; color: #fff;
font: inherit; cursor: pointer;}}</style>""")


LOGIN_FIELDS = """<label for="fp-benutzer">Benutzername</label>
<input id="fp-benutzer" name="benutzer" autocomplete="username" required>
<label for="fp-passwort">Passwort</label>
<input id="fp-passwort" name="passwort" type="password" autocomplete="current-password" required>"""


def _sign_in_form(needed: bool) -> None:
    # Collapsed unless reading needs a sign-in, so page filters stay near the top.
    expanded = needed or not _settings().public_read or _FAILED in st.session_state
    if _settings().launcher:
        with st.expander("Anmeldung", icon=":material/login:", expanded=expanded):
            _post_form("/anmeldung", "Anmelden", LOGIN_FIELDS)
        return
    with st.expander("Anmeldung", icon=":material/login:", expanded=expanded), \
            st.form("sign_in", clear_on_submit=True, border=False):
        name = st.text_input("Benutzername", autocomplete="username")
        password = st.text_input("Passwort", type="password", autocomplete="current-password")
        submitted = st.form_submit_button("Anmelden", type="primary")
    if submitted:
        settings = _settings()
        try:
            user = throttle.sign_in(name, password, client=st.context.ip_address or "lokal",
                                    throttle=throttle.Throttle(settings.data_dir), users_file=settings.users_file)
        except SignInRefused as exc:
            st.session_state[_FAILED] = True
            st.error(str(exc))
        else:
            st.session_state.pop(_FAILED, None)
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
                st.text(f"Angemeldet: {user.label}")
                st.button("Abmelden", on_click=st.logout)
            return user
        user = current_user()
        if user is None:
            _sign_in_form(needed)
        else:
            st.text(f"Angemeldet: {user.label}")
            if _settings().launcher and st.session_state.get(SESSION_KEY) is None:
                _post_form("/abmeldung", "Abmelden")
            elif st.button("Abmelden"):
                st.session_state.pop(SESSION_KEY, None)
                st.rerun()
        return user


def require_sign_in_to_read() -> None:
    """Stop the page for visitors when the deployment does not allow public reading."""
    if current_user() is None and not _settings().public_read:
        st.title("Flächenpool Leipzig & Wurzener Land")
        st.info("Bitte melden Sie sich in der Seitenleiste an, um den Flächenpool zu sehen.")
        st.stop()
