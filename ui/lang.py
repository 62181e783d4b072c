"""``<html lang="de">``: Streamlit serves its page with ``lang="en"`` and has no setting for it (issue #15726).

:class:`GermanPage` is an ASGI middleware of the launcher (``serve.py``): for a GET of a page (not
Streamlit's assets, media, health or WebSocket) it asks for the uncompressed answer and, if that is
HTML, rewrites the language in the opening ``<html>`` tag, so screen readers read German with German
rules from the first moment (a script setting it afterwards would come too late for some).
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

SKIPPED = ("/_stcore/", "/static/", "/app/static/", "/media/", "/component/", "/ogc", "/kacheln")
OPENING, GERMAN = b'<html lang="en">', b'<html lang="de">'


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
            html = b"".join(body).replace(OPENING, GERMAN, 1)
            headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
            headers.append((b"content-length", str(len(html)).encode()))
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": html, "more_body": False})

        await self.app(scope, receive, rewrite)
