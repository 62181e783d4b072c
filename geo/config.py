"""Deployment settings, read once from the environment into an immutable object."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def _flag(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "ja", "on"}


@dataclass(frozen=True)
class Settings:
    """What a deployment can change without touching code.

    Environment variables:
    - ``FLAECHENPOOL_DATA``: folder with the GeoPackages (default ``data/``).
    - ``FLAECHENPOOL_OFFLINE``: ``1`` switches all external base maps off.
    - ``FLAECHENPOOL_PUBLIC_READ``: ``1`` lets visitors read without signing in.
    - ``FLAECHENPOOL_USERS``: users file (default ``<data>/users.json``).
    - ``FLAECHENPOOL_DATABASE_URL``: ``postgresql://…`` selects the PostGIS store instead of the folder.
    - ``FLAECHENPOOL_LAUNCHER``: set by ``serve.py``; its routes sign in with a cookie (see ``ui/routes.py``).
    """

    data_dir: Path
    offline: bool
    public_read: bool
    users_file: Path
    database_url: str | None = None
    launcher: bool = False

    @classmethod
    def from_env(cls) -> Settings:
        data_dir = Path(os.environ.get("FLAECHENPOOL_DATA", REPO_ROOT / "data")).resolve()
        users = os.environ.get("FLAECHENPOOL_USERS")
        return cls(
            data_dir=data_dir,
            offline=_flag("FLAECHENPOOL_OFFLINE", False),
            public_read=_flag("FLAECHENPOOL_PUBLIC_READ", True),
            users_file=Path(users).resolve() if users else data_dir / "users.json",
            database_url=os.environ.get("FLAECHENPOOL_DATABASE_URL") or None,
            launcher=_flag("FLAECHENPOOL_LAUNCHER", False),
        )
