"""Launcher: the app (``app.py``) plus its own HTTP routes in one process (``ui/routes.py``), serving its
pages as German (``ui/lang.py``).

``make run`` and the browser tests start this file (``streamlit run serve.py``); AppTests drive
``app.py`` directly, without the routes.
"""

from __future__ import annotations

import os

import streamlit as st
from starlette.middleware import Middleware

from ui.lang import GermanPage
from ui.routes import ROUTES

os.environ["FLAECHENPOOL_LAUNCHER"] = "1"  # the pages offer the cookie sign-in of ROUTES
app = st.App("app.py", routes=ROUTES, middleware=[Middleware(GermanPage)])  # <html lang="de">
