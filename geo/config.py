"""Deployment settings, read once from the environment into an immutable object."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from geo import schema

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_REQUEST_DAYS = 30


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
    - ``FLAECHENPOOL_VEKTORKARTE``: ``0`` draws /karte with Folium (GeoJSON in the page) instead of the
      WebGL map of vector tiles (default ``1``; needs the launcher's tile route).
    - ``FLAECHENPOOL_ANFRAGE_TAGE``: days a request across borders stays open (default 30).
    - ``FLAECHENPOOL_SMTP_HOST`` (mail is sent only when set), ``FLAECHENPOOL_SMTP_PORT`` (587),
      ``FLAECHENPOOL_SMTP_USER``, ``FLAECHENPOOL_SMTP_PASSWORD``, ``FLAECHENPOOL_SMTP_FROM``:
      the notifications of the outbox go out by e-mail (STARTTLS when a user is set).
    - ``FLAECHENPOOL_BEWERTUNGSMODELLE``: municipalities that value with another model than
      :mod:`geo.schema` names, e.g. ``wurzen=leipzig,14729250=leipzig`` (slug or AGS = model).
    - ``FLAECHENPOOL_MODELL_GEMEINSAM``: the partners' agreed model for bookings across borders
      (default ``sachsen``).
    """

    data_dir: Path
    offline: bool
    public_read: bool
    users_file: Path
    database_url: str | None = None
    launcher: bool = False
    vector_map: bool = True
    request_days: int = DEFAULT_REQUEST_DAYS
    smtp: Smtp | None = None
    valuation_models: ValuationModels = field(default_factory=lambda: ValuationModels())

    @property
    def contacts_file(self) -> Path:
        """The partners' contacts (``<data>/contacts.csv``)."""
        return self.data_dir / "contacts.csv"

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
            vector_map=_flag("FLAECHENPOOL_VEKTORKARTE", True),
            request_days=_days(os.environ.get("FLAECHENPOOL_ANFRAGE_TAGE")),
            smtp=Smtp.from_env(),
            valuation_models=ValuationModels.from_env(),
        )


def _days(raw: str | None) -> int:
    if raw is None or not raw.strip():
        return DEFAULT_REQUEST_DAYS
    if not raw.strip().isdigit() or int(raw) < 1:
        raise ValueError(f"FLAECHENPOOL_ANFRAGE_TAGE muss eine ganze Zahl ab 1 sein, nicht {raw!r}.")
    return int(raw)


@dataclass(frozen=True)
class Smtp:
    """Where notifications are sent by e-mail (only when ``FLAECHENPOOL_SMTP_HOST`` is set)."""

    host: str
    port: int
    sender: str
    user: str = ""
    password: str = field(default="", repr=False)

    @classmethod
    def from_env(cls) -> Smtp | None:
        host = os.environ.get("FLAECHENPOOL_SMTP_HOST", "").strip()
        if not host:
            return None
        return cls(host=host, port=int(os.environ.get("FLAECHENPOOL_SMTP_PORT") or 587),
                   sender=os.environ.get("FLAECHENPOOL_SMTP_FROM") or "flaechenpool@localhost",
                   user=os.environ.get("FLAECHENPOOL_SMTP_USER", ""),
                   password=os.environ.get("FLAECHENPOOL_SMTP_PASSWORD", ""))


DEFAULT_AGREED_MODEL = "sachsen"


@dataclass(frozen=True)
class ValuationModels:
    """Which valuation model each municipality uses (its own) and which one the partners agreed on
    for bookings across municipal borders (DOMAIN.md, "Valuation")."""

    overrides: tuple[tuple[str, str], ...] = ()  # (AGS, model) where a municipality differs from the schema
    agreed: str = DEFAULT_AGREED_MODEL

    def own(self, ags: str) -> str:
        """The model *ags* values with (raises ``KeyError`` for an unknown municipality)."""
        return dict(self.overrides).get(ags) or schema.municipality(ags).valuation_model

    def by_ags(self) -> dict[str, str]:
        """AGS → own model of every partner."""
        return {m.ags: self.own(m.ags) for m in schema.MUNICIPALITIES}

    def names(self) -> tuple[str, ...]:
        """Every model in use: the partners' own ones and the agreed one, sorted."""
        return tuple(sorted({*self.by_ags().values(), self.agreed}))

    @classmethod
    def from_env(cls) -> ValuationModels:
        raw = os.environ.get("FLAECHENPOOL_BEWERTUNGSMODELLE", "")
        overrides: list[tuple[str, str]] = []
        for item in filter(None, (part.strip() for part in raw.split(","))):
            key, sep, model = item.partition("=")
            try:
                found = schema.municipality(key.strip())
            except KeyError:
                found = None
            if not sep or found is None or not model.strip():
                raise ValueError(f"FLAECHENPOOL_BEWERTUNGSMODELLE: „{item}“ ist nicht „Gemeinde=Modell“ "
                                 "(Gemeinde als Kürzel wie wurzen oder als AGS).")
            overrides.append((found.ags, model.strip()))
        agreed = os.environ.get("FLAECHENPOOL_MODELL_GEMEINSAM", "").strip() or DEFAULT_AGREED_MODEL
        return cls(overrides=tuple(overrides), agreed=agreed)
