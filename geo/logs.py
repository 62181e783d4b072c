"""Structured logs: one JSON object per line, configured once per process.

``FLAECHENPOOL_LOG`` names where they go: a file path (appended to), ``stdout`` or ``stderr``;
unset, the app logs to stderr (what a container collects) and the command line not at all
(its German output stays clean). ``FLAECHENPOOL_LOG_LEVEL`` sets the level (default ``INFO``).

Every write of the store is one line from the logger ``geo.store.writes`` (see
:func:`geo.store.log_write`): who (the user name from the history row), what, the counts and
the duration. Owners' names and other attribute text are never logged.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import sys
from typing import Any

from geo import fmt

LOG_ENV = "FLAECHENPOOL_LOG"
LEVEL_ENV = "FLAECHENPOOL_LOG_LEVEL"
_MARK = "_flaechenpool_json"


class JsonLines(logging.Formatter):
    """A record as one JSON object: time (Berlin), level, logger, message, and the record's ``fields``."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": fmt.iso(dt.datetime.fromtimestamp(record.created, fmt.TIMEZONE)),
            "level": record.levelname, "logger": record.name, "msg": record.getMessage()}
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            entry.update(fields)
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure(default: str | None = "stderr") -> logging.Handler | None:
    """Send the logs as JSON lines where ``FLAECHENPOOL_LOG`` says (else *default*; None: leave logging alone).

    Idempotent: a second call (Streamlit runs ``app.py`` on every rerun) changes nothing.
    """
    root = logging.getLogger()
    for present in root.handlers:
        if getattr(present, _MARK, False):
            return present
    target = os.environ.get(LOG_ENV, "").strip() or default
    if not target:
        return None
    handler: logging.Handler
    if target in ("stderr", "stdout"):
        handler = logging.StreamHandler(sys.stderr if target == "stderr" else sys.stdout)
    else:
        handler = logging.FileHandler(target, encoding="utf-8")
    handler.setFormatter(JsonLines())
    setattr(handler, _MARK, True)
    level = os.environ.get(LEVEL_ENV, "INFO").strip().upper() or "INFO"
    logging.getLogger("geo").setLevel(level)
    logging.getLogger("ui").setLevel(level)
    root.addHandler(handler)
    return handler
