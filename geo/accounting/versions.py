"""Valuation table versions: an uploaded table (CSV or XLSX) is checked, its impact previewed, and
only then switched in; earlier versions are kept, and figures can be recomputed under the tables
valid on any date (DOMAIN.md, "Valuation"; history action ``valuation``)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
from dataclasses import dataclass

import pandas as pd

from geo import fmt
from geo.access.permissions import User, require_admin
from geo.accounting import summary, valuation
from geo.config import ValuationModels
from geo.errors import DataError
from geo.schema import PoolData
from geo.store import Store, history_entry

MODEL_NAME = re.compile(r"^[a-z0-9_-]+$")
MAX_VALUE_PER_M2 = 100.0
"""Biotope values above this many WP/m² are typing errors (the Saxon and Leipzig scales end near 30)."""
LAYER = "valuation"
_COLUMNS = ("code", "name", "value_per_m2", "development_factor")


@dataclass(frozen=True)
class Provenance:
    """Where a table comes from; fills the header lines a CSV does not bring (an XLSX brings none)."""

    title: str = ""
    source: str = ""
    version: str = ""
    date: str = ""  # ISO date

    def as_meta(self) -> dict[str, str]:
        return {k: v.strip() for k, v in dataclasses.asdict(self).items() if v.strip()}


def table_text(content: bytes, model: str, provenance: Provenance = Provenance()) -> str:
    """The uploaded table (CSV with optional ``# key: value`` header lines, or XLSX: first sheet, the
    columns code, name, value_per_m2, development_factor) as the store's CSV text for *model*.

    *provenance* fills (and overrides) the header. Raises :class:`DataError` for an unreadable file.
    """
    meta: dict[str, str] = {}
    if content[:2] == b"PK":  # XLSX is a zip
        try:
            body = pd.read_excel(io.BytesIO(content), dtype={"code": str})
        except (ValueError, OSError, KeyError) as exc:
            raise DataError(f"Die Excel-Datei lässt sich nicht lesen ({exc}).") from exc
    else:
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = content.decode("cp1252")
        lines = text.splitlines()
        for line in lines:
            if line.startswith("#"):
                key, _, value = line[1:].partition(":")
                meta[key.strip()] = value.strip()
        rows = "\n".join(line for line in lines if line.strip() and not line.startswith("#"))
        try:
            body = pd.read_csv(io.StringIO(rows), dtype={"code": str}, sep=None, engine="python")
        except (ValueError, pd.errors.ParserError) as exc:
            raise DataError(f"Die CSV-Datei lässt sich nicht lesen ({exc}).") from exc
    meta |= provenance.as_meta()
    meta["model"] = model
    header = "".join(f"# {key}: {meta[key]}\n" for key in ("model", "title", "source", "version", "date")
                     if meta.get(key))
    return header + body.to_csv(index=False, lineterminator="\n")


def codes_in_use(data: PoolData, model: str, models: ValuationModels) -> set[str]:
    """Biotope codes the figures need from *model*'s table: those of every area and intervention valued
    in it (its own municipalities', and everyone's for the agreed model)."""
    codes: set[str] = set()
    for frame in (data.pool_areas, data.interventions):
        rows = frame if model == models.agreed else frame[valuation.own_models(frame, models) == model]
        for column in ("biotope_before", "biotope_after"):
            codes |= {str(c) for c in rows[column].dropna() if str(c).strip()}
    return codes


def problems(text: str, model: str, data: PoolData, models: ValuationModels) -> list[str]:
    """Every reason (German) why *text* cannot become *model*'s table; empty when it can."""
    if not MODEL_NAME.fullmatch(model):
        return [f"Modellname „{model}“: nur Kleinbuchstaben, Ziffern, - und _ erlaubt."]
    found: list[str] = []
    meta = dict(line[1:].split(":", 1) for line in text.splitlines() if line.startswith("#") and ":" in line)
    meta = {k.strip(): v.strip() for k, v in meta.items()}
    missing_meta = [label for key, label in (("title", "Titel"), ("source", "Quelle"), ("version", "Version"),
                                             ("date", "Stand")) if not meta.get(key)]
    if missing_meta:
        found.append(f"Herkunft fehlt: {', '.join(missing_meta)}.")
    elif pd.isna(pd.to_datetime(meta["date"], errors="coerce")):
        found.append(f"Stand „{meta['date']}“ ist kein Datum (z. B. 2026-01-01).")
    body = pd.read_csv(io.StringIO("\n".join(line for line in text.splitlines() if not line.startswith("#"))),
                       dtype={"code": str})
    missing = [c for c in _COLUMNS if c not in body.columns]
    if missing:
        return [*found, f"Spalten fehlen: {', '.join(missing)} (erwartet: {', '.join(_COLUMNS)})."]
    codes = body["code"].astype(str).str.strip()
    if (twice := sorted(set(codes[codes.duplicated()]))):
        found.append(f"Biotopcodes doppelt: {', '.join(twice)}.")
    values = pd.to_numeric(body["value_per_m2"], errors="coerce")
    factors = pd.to_numeric(body["development_factor"], errors="coerce")
    bad_values = codes[values.isna() | (values < 0) | (values > MAX_VALUE_PER_M2)]
    if len(bad_values):
        found.append(f"Biotopwert nicht zwischen 0 und {fmt.number(MAX_VALUE_PER_M2)} WP/m²: "
                     f"{', '.join(bad_values)}.")
    bad_factors = codes[factors.isna() | (factors <= 0) | (factors > 1)]
    if len(bad_factors):
        found.append(f"Entwicklungsfaktor nicht größer 0 und höchstens 1: {', '.join(bad_factors)}.")
    if (lacking := sorted(codes_in_use(data, model, models) - set(codes))):
        found.append(f"Biotopcodes in Gebrauch fehlen: {', '.join(lacking)} (Poolflächen oder Eingriffe nutzen sie).")
    return found


def check(text: str, model: str, data: PoolData, models: ValuationModels) -> valuation.ValuationTable:
    """*text* parsed as *model*'s new table; :class:`DataError` with every problem otherwise."""
    found = problems(text, model, data, models)
    if found:
        raise DataError("Die Bewertungstabelle wird nicht übernommen:\n- " + "\n- ".join(found))
    return valuation.parse_table(text)


def with_table(data: PoolData, model: str, text: str) -> PoolData:
    """*data* with *model*'s table replaced by *text* (nothing is stored)."""
    return dataclasses.replace(data, valuation={**data.valuation, model: text})


def balances(data: PoolData, model: str, models: ValuationModels, now: dt.datetime | None = None) -> pd.DataFrame:
    """Free points, open demand and balance per municipality counted in *model* (index ``ags``, column
    ``municipality`` first): :func:`geo.accounting.summary.by_model` of the data as it is."""
    table = summary.by_model(summary.pool_view(data, now, models))
    out = pd.DataFrame(table[model]).copy()
    out.insert(0, "municipality", table[("", "municipality")])
    return out


def impact(data: PoolData, model: str, text: str, models: ValuationModels,
           now: dt.datetime | None = None) -> pd.DataFrame:
    """How every municipality's figures in *model* would change if *text* became its table: columns
    municipality, then free_points, open_points, balance each ``_before`` and ``_after``, and
    ``balance_change``. The ``_after`` figures are :func:`balances` after the switch."""
    before, after = balances(data, model, models, now), balances(with_table(data, model, text), model, models, now)
    out = before[["municipality"]].copy()
    for column in ("free_points", "open_points", "balance"):
        out[f"{column}_before"], out[f"{column}_after"] = before[column], after[column]
    out["balance_change"] = out["balance_after"] - out["balance_before"]
    return out


def switch(store: Store, user: User | None, model: str, text: str, *, models: ValuationModels,
           source: str = "") -> pd.DataFrame:
    """Make *text* *model*'s table (administrators only), checked again on the stored state inside the
    store's lock; the previous table is kept. Returns the history row."""
    admin = require_admin(user, "Bewertungstabelle wechseln")

    def plan(state: PoolData) -> tuple[str, pd.DataFrame]:
        table = check(text, model, state, models)
        old = valuation.parse_table(state.valuation[model]).version if model in state.valuation else "–"
        note = f"Bewertungstabelle {model}: Version {old} → {table.version} ({table.source})"
        return text, history_entry(user=admin.username, layer=LAYER, action="valuation", source=source, notes=note)

    return store.publish_valuation(model, plan)


def sources_on(store: Store, on: dt.date) -> dict[str, str]:
    """The tables valid at the end of day *on*: for each model the table kept before its first switch
    after that day, else the current one."""
    current, kept, history = store.read_valuation_sources(), store.read_valuation_versions(), store.read_history()
    switched = history[history["action"] == "valuation"].set_index("change_id")["at"]
    kept = kept.assign(at=fmt.instants(kept["change_id"].map(switched)))
    end = pd.Timestamp(on + dt.timedelta(days=1), tz=fmt.TIMEZONE)
    later = kept[kept["at"] >= end].sort_values("at")
    first = later.drop_duplicates("model")
    return {**current, **dict(zip(first["model"].astype(str), first["csv"].astype(str), strict=True))}


def data_on(store: Store, on: dt.date) -> PoolData:
    """The stored data valued with the tables valid on *on* (:func:`sources_on`)."""
    return dataclasses.replace(store.read_all(), valuation=sources_on(store, on))
