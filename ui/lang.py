"""German pages: Streamlit serves its page with ``lang="en"`` and its own interface texts in English,
and has no setting for either (issue #15726; it has no translations).

:class:`GermanPage` is an ASGI middleware of the launcher (``serve.py``): for a GET of a page (not
Streamlit's assets, media, health or WebSocket) it asks for the uncompressed answer and, if that is
HTML, rewrites the language in the opening ``<html>`` tag, so screen readers read German with German
rules from the first moment (a script setting it afterwards would come too late for some), and puts
two scripts into the page's head: ``ui/deutsch.js`` turns Streamlit's fixed English texts ("Select
all", "Download as CSV", "Page not found …", "110.6KB", screen-reader labels) into German as they
appear; ``ui/telefon.js`` lets a phone start each page load with the sidebar closed.
"""

from __future__ import annotations

from pathlib import Path

from starlette.types import ASGIApp, Message, Receive, Scope, Send

SKIPPED = ("/_stcore/", "/static/", "/app/static/", "/media/", "/component/", "/ogc")
OPENING, GERMAN = b'<html lang="en">', b'<html lang="de">'
HEAD_END = b"</head>"
SCRIPTS = b"".join(b"<script>" + Path(__file__).with_name(name).read_bytes() + b"</script>"
                   for name in ("deutsch.js", "telefon.js"))


def german_html(page: bytes) -> bytes:
    """Streamlit's *page* (its ``index.html``) in German: ``lang="de"`` and the page scripts."""
    return page.replace(OPENING, GERMAN, 1).replace(HEAD_END, SCRIPTS + HEAD_END, 1)


class GermanPage:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = str(scope.get("path", ""))
        if scope["type"] != "http" or scope.get("method") != "GET" or path.startswith(SKIPPED):
            await self.app(scope, receive, send)
            return
        # Uncompressed, so the tag can be found (Streamlit gzips pages otherwise); pages are a few kB.
        headers = [(k, v) for k, v in scope.get("headers", []) if k.lower() != b"accept-encoding"]
        scope = {**scope, "headers": headers}
        start: Message | None = None
        body: list[bytes] = []

        async def rewrite(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                kinds = [v for k, v in message.get("headers", []) if k.lower() == b"content-type"]
                if not (kinds and kinds[0].startswith(b"text/html")):
                    await send(message)
                    return
                start = message
                return
            if start is None:
                await send(message)
                return
            body.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            html = german_html(b"".join(body))
            headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
            headers.append((b"content-length", str(len(html)).encode()))
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": html, "more_body": False})

        await self.app(scope, receive, rewrite)
