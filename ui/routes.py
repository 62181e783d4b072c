"""HTTP routes next to the pages (``serve.py``): signing in and out with a cookie.

Streamlit talks to the browser over a WebSocket and cannot set an HttpOnly cookie, so
the sidebar's form posts here. ``POST /anmeldung`` checks name and password through
:func:`geo.access.throttle.sign_in` and sets a signed, expiring, HttpOnly, SameSite=Lax
cookie (:mod:`geo.access.sessions`), then sends the browser back to the page it came
from; a refused sign-in answers with a small German page and the form again.
``GET /anmeldung`` is that page on its own. ``POST``/``GET /abmeldung`` ends the
sign-in everywhere (every tab, every copy of the cookie) and clears the cookie.
``/ogc``: OGC API – Features for QGIS and GDAL (:mod:`ui.ogc`); ``/kacheln``: the map's vector tiles
(:mod:`ui.tileroute`).
"""

from __future__ import annotations

import html
import logging

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from geo.access import sessions, throttle
from geo.config import Settings
from geo.errors import SignInRefused
from ui import ogc, tileroute

log = logging.getLogger(__name__)
_PAGE = """<!doctype html>
<html lang="de"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Anmeldung · Flächenpool Leipzig &amp; Wurzener Land</title>
<style>body {{font-family: sans-serif; max-width: 24rem; margin: 4rem auto; padding: 0 1rem; color: #222;}}
form {{display: flex; flex-direction: column; gap: .5rem;}} input {{padding: .5rem; font: inherit;}}
button {{padding: .6rem; border: 0; border-radius: .4rem; background: #2b7a3d; color: #fff; font: inherit;}}
.fehler {{color: #a4161a; font-weight: 600;}}</style></head>
<body><h1>Anmeldung</h1><p>Flächenpool Leipzig &amp; Wurzener Land</p>{message}
<form method="post" action="/anmeldung">
<label for="benutzer">Benutzername</label><input id="benutzer" name="benutzer" autocomplete="username" required>
<label for="passwort">Passwort</label>
<input id="passwort" name="passwort" type="password" autocomplete="current-password" required>
<input type="hidden" name="weiter" value="{weiter}"><button type="submit">Anmelden</button></form>
<p><a href="{weiter}">Ohne Anmeldung weiter</a></p></body></html>"""


def _next(raw: object) -> str:
    """Where to go afterwards: a path of this app only (no other host, no scheme)."""
    target = str(raw or "/")
    return target if target.startswith("/") and not target.startswith("//") and "\\" not in target else "/"


def _page(weiter: str, message: str = "", status: int = 200) -> HTMLResponse:
    note = f'<p class="fehler" role="alert">{html.escape(message)}</p>' if message else ""
    return HTMLResponse(_PAGE.format(message=note, weiter=html.escape(weiter, quote=True)), status_code=status,
                        headers={"Cache-Control": "no-store"})


def _same_origin(request: Request) -> bool:
    """A form posted from this app (browsers send Origin with every POST; none: a non-browser client)."""
    origin = request.headers.get("origin")
    return origin is None or origin == f"{request.url.scheme}://{request.url.netloc}"


async def sign_in(request: Request) -> Response:
    if request.method == "GET":
        return _page(_next(request.query_params.get("weiter")))
    form = await request.form()
    weiter = _next(form.get("weiter"))
    if not _same_origin(request):
        return _page(weiter, "Die Anmeldung kam nicht von dieser Seite. Bitte hier erneut anmelden.", 403)
    settings = Settings.from_env()
    client = request.client.host if request.client else None
    try:
        user = throttle.sign_in(str(form.get("benutzer", "")), str(form.get("passwort", "")), client=client,
                                throttle=throttle.Throttle(settings.data_dir), users_file=settings.users_file)
    except SignInRefused as exc:
        log.info("sign-in refused")
        return _page(weiter, str(exc), 401)
    log.info("sign-in: %s", user.username)
    response = RedirectResponse(weiter, status_code=303)
    response.set_cookie(sessions.COOKIE, sessions.Sessions.from_settings(settings).issue(user),
                        max_age=int(sessions.MAX_AGE_S), path="/", httponly=True, samesite="lax",
                        secure=request.url.scheme == "https")
    return response


async def sign_out(request: Request) -> Response:
    form = await request.form() if request.method == "POST" else request.query_params
    settings = Settings.from_env()
    store = sessions.Sessions.from_settings(settings)
    user = store.read(request.cookies.get(sessions.COOKIE))
    if user is not None:
        store.end(user.username)
        log.info("sign-out: %s", user.username)
    response = RedirectResponse(_next(form.get("weiter")), status_code=303)
    response.delete_cookie(sessions.COOKIE, path="/", httponly=True, samesite="lax")
    return response


ROUTES = [Route("/anmeldung", sign_in, methods=["GET", "POST"]),
          Route("/abmeldung", sign_out, methods=["GET", "POST"]),
          *ogc.ROUTES, *tileroute.ROUTES]
