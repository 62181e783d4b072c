"""Vector tiles at ``/kacheln/{token}/{z}/{x}/{y}.pbf`` (``serve.py``): the Starlette adapter of :mod:`geo.map.tiles`.

``token`` is :func:`geo.map.tiles.data_token` of the data the page was drawn from, the query string
is the map's filter (:func:`geo.map.mapfilter.encode`). A tile of the current data is cached by
the browser for a year (the token changes with every write); a tile asked for with an older
token gets today's data and ``no-cache``. Tiles carry ids and styling fields only, no owners
(:mod:`geo.map.tiles`), so they come from the public view; where reading needs a sign-in
(``FLAECHENPOOL_PUBLIC_READ=0``) the route wants the sign-in cookie too and the browser alone keeps
the tiles (``private``).

The index is built once per data version and narrowed per filter (cheap: masks over the same
trees), shared by all sessions; encoded tiles are kept in a bounded cache. Handlers are plain
functions, so Starlette runs them in its thread pool.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from geo import fmt
from geo.access import sessions
from geo.map import mapfilter, tiles
from ui import data

MEDIA_TYPE = "application/vnd.mapbox-vector-tile"
CACHED = "public, max-age=31536000, immutable"
CACHED_PRIVATE = "private, max-age=31536000, immutable"
STALE = "no-cache"
INDEXES = 16
"""Indexes kept: whole pools per data version and their narrowed copies per filter (masks only)."""
TILE_CACHE_BYTES = 64 * 2**20
_lock = threading.Lock()
_indexes: OrderedDict[Hashable, tiles.TileIndex] = OrderedDict()
_tiles: OrderedDict[Hashable, bytes] = OrderedDict()
_tile_bytes = [0]


def current_token() -> str:
    """The token of the data the store holds now (what the page puts into tile URLs)."""
    return tiles.data_token(data.store().version(), fmt.today())


def _index(token: str, flt: mapfilter.MapFilter) -> tiles.TileIndex:
    """The index of the whole pool per data token, narrowed per filter (both kept)."""
    base_key = (data.store().key, token)
    key = (*base_key, tuple(sorted(mapfilter.encode(flt).items())))
    with _lock:
        if key in _indexes:
            _indexes.move_to_end(key)
            return _indexes[key]
        view = data.public_view()
        if base_key not in _indexes:
            _indexes[base_key] = tiles.TileIndex.of(view)
        _indexes.move_to_end(base_key)
        base = _indexes[base_key]
        _indexes[key] = base if flt == mapfilter.MapFilter() else base.narrowed(mapfilter.apply(view, flt))
        while len(_indexes) > INDEXES:
            _indexes.popitem(last=False)
        return _indexes[key]


def tile_bytes(token: str, flt: mapfilter.MapFilter, z: int, x: int, y: int) -> bytes:
    """The encoded tile (cached per data token, filter and tile)."""
    key = (data.store().key, token, tuple(sorted(mapfilter.encode(flt).items())), z, x, y)
    with _lock:
        if key in _tiles:
            _tiles.move_to_end(key)
            return _tiles[key]
    body = tiles.render(_index(token, flt), z, x, y, data.store())
    with _lock:
        if key not in _tiles:
            _tiles[key] = body
            _tile_bytes[0] += len(body)
        while _tile_bytes[0] > TILE_CACHE_BYTES and _tiles:
            _tile_bytes[0] -= len(_tiles.popitem(last=False)[1])
    return body


def tile(request: Request) -> Response:
    settings = data.settings()
    if not settings.public_read and sessions.Sessions.from_settings(settings).read(
            request.cookies.get(sessions.COOKIE)) is None:
        return Response("Bitte anmelden.", status_code=401, media_type="text/plain; charset=utf-8",
                        headers={"Cache-Control": "no-store"})
    z, x, y = (int(request.path_params[name]) for name in ("z", "x", "y"))
    if not tiles.valid_tile(z, x, y):
        return Response("Keine Kachel.", status_code=404, media_type="text/plain; charset=utf-8")
    state = mapfilter.decode({key: request.query_params.getlist(key) for key in request.query_params})
    if state.problems:
        return Response(" ".join(state.problems), status_code=400, media_type="text/plain; charset=utf-8")
    token = current_token()
    body = tile_bytes(token, state.filter, z, x, y)
    fresh = request.path_params["token"] == token
    cached = CACHED if settings.public_read else CACHED_PRIVATE
    return Response(body, media_type=MEDIA_TYPE, headers={"Cache-Control": cached if fresh else STALE})


PREFIX = "/kacheln"
ROUTES = [Route(PREFIX + "/{token}/{z:int}/{x:int}/{y:int}.pbf", tile, methods=["GET"])]


def url_template(token: str, flt: mapfilter.MapFilter) -> str:
    """The tile URL for MapLibre (path with ``{z}/{x}/{y}``, the filter as query string)."""
    query = urlencode(mapfilter.encode(flt))
    return f"{PREFIX}/{token}/{{z}}/{{x}}/{{y}}.pbf" + (f"?{query}" if query else "")
