"""OGC API – Features at ``/ogc`` (``serve.py``): the Starlette adapter of :mod:`geo.ogc`.

Read access follows the app's rules: with ``public_read`` anyone reads; otherwise a client
signs in with HTTP Basic against the users file (or brings the sign-in cookie of
:mod:`ui.routes`) and gets 401 with ``WWW-Authenticate`` without. Basic credentials are
always checked when sent (a wrong password is 401 even with public read) and go through the
same throttle as the sign-in form; a verified pair is remembered for a few minutes, so that
GDAL's and QGIS's paging does not pay bcrypt per page. Private owners are redacted for
everyone who may not see them (:func:`geo.access.privacy.redact_owners`).

The store is read once per data version (``store.version()``) and kept with the redacted
variants per audience; the handlers are plain functions, so Starlette runs them in its
thread pool and the event loop keeps serving the pages.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import json
import logging
import threading
import time
from collections.abc import Hashable
from typing import Any

import pandas as pd
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from geo import ogc, schema
from geo.access import privacy, sessions, throttle
from geo.access.permissions import User
from geo.config import Settings
from geo.errors import SignInRefused
from geo.store import Store, open_store

log = logging.getLogger(__name__)
REALM = 'Basic realm="Flaechenpool", charset="UTF-8"'
CREDENTIALS_TTL_S = 300.0
_lock = threading.Lock()
_frames: dict[tuple[str, Hashable, frozenset[str]], dict[str, pd.DataFrame]] = {}
_verified: dict[str, tuple[float, User]] = {}


class _Refused(Exception):
    def __init__(self, response: Response) -> None:
        super().__init__("refused")
        self.response = response


@functools.lru_cache(maxsize=4)
def _store(settings: Settings) -> Store:
    return open_store(settings)


def _json(body: Any, media: str = ogc.JSON, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(json.dumps(body, ensure_ascii=False, separators=(",", ":")), status_code=status,
                    media_type=media, headers=headers)


def _error(exc: ogc.OgcError, headers: dict[str, str] | None = None) -> Response:
    return _json(exc.document(), status=exc.status, headers=headers)


def _unauthorized(text: str) -> Response:
    return _error(ogc.OgcError(401, "Unauthorized", text), headers={"WWW-Authenticate": REALM})


def _basic(header: str, request: Request, settings: Settings) -> User:
    """The user of an ``Authorization: Basic`` header, or :class:`_Refused` with a 401."""
    try:
        name, _, password = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        raise _Refused(_unauthorized("Die Anmeldedaten sind nicht lesbar (HTTP Basic).")) from None
    key = hashlib.sha256(f"{settings.users_file}\0{name}\0{password}".encode()).hexdigest()
    now = time.monotonic()
    with _lock:
        known = _verified.get(key)
    if known is not None and now - known[0] < CREDENTIALS_TTL_S:
        return known[1]
    client = request.client.host if request.client else None
    try:
        user = throttle.sign_in(name, password, client=client, throttle=throttle.Throttle(settings.data_dir),
                                users_file=settings.users_file)
    except SignInRefused as exc:
        log.info("OGC API: sign-in refused")
        raise _Refused(_unauthorized(str(exc))) from None
    with _lock:
        _verified[key] = (now, user)
    return user


def _user(request: Request, settings: Settings) -> User | None:
    """Who asks (None: the public); :class:`_Refused` when they may not read at all."""
    header = request.headers.get("authorization", "")
    if header[:6].lower() == "basic ":
        return _basic(header, request, settings)
    user = sessions.Sessions.from_settings(settings).read(request.cookies.get(sessions.COOKIE))
    if user is None and not settings.public_read:
        raise _Refused(_unauthorized("Bitte mit Benutzername und Passwort anmelden (HTTP Basic)."))
    return user


def frames_for(store: Store, user: User | None) -> dict[str, pd.DataFrame]:
    """The served frames of the current data version as *user* may see them (cached per audience)."""
    audience = privacy.visible_municipalities(user)
    key = (store.key, store.version(), audience)
    with _lock:
        hit = _frames.get(key)
    if hit is not None:
        return hit
    full_key = (store.key, key[1], frozenset(schema.AGS_NAMES))
    with _lock:
        full = _frames.get(full_key)
    if full is None:
        full = ogc.frames(store.read_all())
    found = {**full, schema.POOL_AREAS: privacy.redact_owners(full[schema.POOL_AREAS], user)}
    with _lock:
        for old in [k for k in _frames if k[:2] != key[:2]]:
            del _frames[old]  # an older data version
        _frames[full_key] = full
        _frames[key] = found
    return found


def _base(request: Request) -> str:
    return f"{request.url.scheme}://{request.url.netloc}/ogc"


def _crs_header(crs: str) -> dict[str, str]:
    return {"Content-Crs": f"<{crs}>"}


def _serve(request: Request) -> Response:
    settings = Settings.from_env()
    base, path = _base(request), request.path_params
    try:
        user = _user(request, settings)
        if request.url.path.rstrip("/") == "/ogc":
            return _json(ogc.landing(base))
        if request.url.path == "/ogc/api":
            return _json(ogc.openapi(base), media=ogc.OPENAPI_TYPE)
        if request.url.path == "/ogc/conformance":
            return _json(ogc.conformance())
        by_id = frames_for(_store(settings), user)
        if "collection" not in path:
            return _json(ogc.collections(base, by_id))
        info = ogc.collection_of(path["collection"])
        frame = by_id[info.id]
        params = dict(request.query_params)
        if "feature" not in path and not request.url.path.endswith("/items"):
            return _json(ogc.collection(base, info, frame))
        if "feature" in path:
            crs = ogc.parse_query(info, {"crs": params.get("crs", "")}).crs
            return _json(ogc.feature(base, info, frame, path["feature"], crs), media=ogc.GEOJSON,
                         headers=_crs_header(crs) if info.spatial else None)
        query = ogc.parse_query(info, params)
        return _json(ogc.items(base, info, frame, query, params), media=ogc.GEOJSON,
                     headers=_crs_header(query.crs) if info.spatial else None)
    except _Refused as refused:
        return refused.response
    except ogc.OgcError as exc:
        return _error(exc)


ROUTES = [Route(path, _serve, methods=["GET", "HEAD"]) for path in (
    "/ogc", "/ogc/", "/ogc/api", "/ogc/conformance", "/ogc/collections", "/ogc/collections/{collection}",
    "/ogc/collections/{collection}/items", "/ogc/collections/{collection}/items/{feature}")]
