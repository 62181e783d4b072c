"""Deterministic synthetic demo pool inside the partners' real boundaries.

Run ``python -m geo.demo [--out DIR]`` to regenerate ``data/``. The same seed gives
the same pool areas, interventions and ledger. Every booking goes through the real
ledger rules (:mod:`geo.accounting.ledger`), so the demo ledger satisfies its invariants.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import io
import math
import shutil
from pathlib import Path
from typing import TypedDict

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from PIL import Image, ImageDraw
from shapely import affinity
from shapely.geometry import Polygon
from shapely.geometry.base import BaseGeometry

from geo import fmt, schema
from geo.accounting import candidates, ledger, prices, valuation
from geo.config import REPO_ROOT
from geo.monitoring import schedule
from geo.schema import PoolData
from geo.store import Monitoring, VersionRef, chain, format_change_id, history_entry
from geo.store.gpkg import GeoPackageStore

SEED = 20261124
REFERENCE_DATE = dt.date(2026, 11, 1)
BOUNDARY_FILE = "municipalities_25833.geojson"
DEMO_USER = "demo"

PREFIX = {"leipzig": "L", "wurzen": "WUR", "bennewitz": "BEN", "thallwitz": "THA", "lossatal": "LOS",
          "machern": "MAC", "brandis": "BRA", "borsdorf": "BOR", "trebsen": "TRE"}
# (pool areas, interventions, min ha, max ha) per municipality: more and larger areas
# in the rural municipalities.
COUNTS = {"leipzig": (49, 22, 0.2, 2.5), "wurzen": (38, 10, 0.3, 25.0), "bennewitz": (28, 7, 0.3, 22.0),
          "thallwitz": (33, 6, 0.3, 25.0), "lossatal": (52, 8, 0.4, 30.0), "machern": (28, 8, 0.3, 20.0),
          "brandis": (28, 8, 0.3, 18.0), "borsdorf": (16, 5, 0.2, 10.0), "trebsen": (28, 6, 0.3, 22.0)}
GEMARKUNGEN = {
    "leipzig": ["Paunsdorf", "Mölkau", "Engelsdorf", "Holzhausen", "Liebertwolkwitz", "Thekla", "Plaußig",
                "Lindenthal", "Knautkleeberg", "Großzschocher", "Schönau", "Lützschena", "Wiederitzsch",
                "Seehausen", "Böhlitz-Ehrenberg"],
    "wurzen": ["Wurzen", "Dehnitz", "Roitzsch", "Nemt", "Kornhain", "Sachsendorf", "Burkartshain"],
    "bennewitz": ["Bennewitz", "Deuben", "Pausitz", "Altenbach", "Schmölen", "Nepperwitz", "Grubnitz"],
    "thallwitz": ["Thallwitz", "Nischwitz", "Böhlitz", "Kollau", "Canitz", "Wasewitz"],
    "lossatal": ["Falkenhain", "Hohburg", "Thammenhain", "Meltewitz", "Körlitz", "Lüptitz", "Heyda"],
    "machern": ["Machern", "Gerichshain", "Posthausen", "Lübschütz", "Püchau", "Zeititz"],
    "brandis": ["Brandis", "Beucha", "Polenz", "Waldsteinberg", "Kleinsteinberg"],
    "borsdorf": ["Borsdorf", "Panitzsch", "Zweenfurth", "Cunnersdorf"],
    "trebsen": ["Trebsen", "Pauschwitz", "Seelingstädt", "Neichen", "Altenhain", "Walzig"],
}
FLURNAMEN_A = ["Am", "Hinter dem", "Vor dem", "Unterm", "Beim", "Über dem", "Im"]
FLURNAMEN_B = ["Mühlgraben", "Kirschberg", "Lerchenfeld", "Eichholz", "Galgenberg", "Fuchsloch", "Weinberg",
               "Schafteich", "Spitzberg", "Lindenbusch", "Bruchwinkel", "Hohlweg", "Ziegelteich",
               "Kuhanger", "Bachgrund", "Sandberg", "Erlenbruch", "Krähenholz", "Dorfteich", "Wachtelberg"]
FLURNAMEN_C = ["Lange Breite", "Große Wiese", "Auwiese", "Muldenaue", "Partheaue", "Mittelfeld",
               "Breiter Plan", "Schwarze Lache", "Hufe", "Rote Mark", "Kleine Heide", "Steinacker"]
# Owner → owner_type; PRIVATE stands for a private person, named from PRIVATE_NAMES in turn.
PRIVATE = "{privat}"
OWNERS = {
    "leipzig": {"Stadt Leipzig, Amt für Umweltschutz": "öffentlich", "Stadt Leipzig, Liegenschaftsamt": "öffentlich",
                "Stadtwerke Leipzig GmbH": "unternehmen", "Kirchgemeinde Leipzig-Ost": "unternehmen",
                PRIVATE: "privat"},
    "rural": {"Gemeinde {name}": "öffentlich", "Agrargenossenschaft Wurzener Land eG": "unternehmen",
              "Staatsbetrieb Sachsenforst": "öffentlich", "Landestalsperrenverwaltung Sachsen": "öffentlich",
              PRIVATE: "privat", "Ev.-Luth. Kirchgemeinde {name}": "unternehmen",
              "Stiftung Wald für Sachsen": "unternehmen"},
}
PRIVATE_NAMES = ("Erika Mustermann", "Max Mustermann", "Lieschen Müller", "Otto Normalverbraucher",
                 "Hans Beispiel", "Martina Musterfrau", "Karl Platzhalter")
"""Clearly fictitious private owners, so that the privacy rule can be seen (geo.access.privacy)."""
# measure type → (biotope before choices, biotope after choices, weight urban, weight rural)
MEASURES = {
    "Aufforstung": (["AIN", "GIA", "ABR"], ["WVJ", "WLB"], 0.5, 2.0),
    "Extensivierung Grünland": (["GIA", "AIN"], ["GMF", "GFW", "GMA"], 2.0, 2.0),
    "Entsiegelung": (["XVS", "XTS", "XGW"], ["RUF", "GMF", "XGR"], 3.0, 0.6),
    "Gewässerrenaturierung": (["FBV", "FFA"], ["FBA", "FFL", "URS"], 1.5, 1.0),
    "Hecken/Feldgehölze": (["AIN", "GIA"], ["HFH", "HFG"], 0.7, 1.5),
    "Streuobstwiese": (["AIN", "GIA"], ["HSO"], 0.8, 1.2),
    "Blühflächen": (["AIN"], ["ABF"], 1.0, 1.3),
    "Waldumbau": (["WNF", "WPA"], ["WNM", "WLB"], 0.5, 1.2),
}
# kind → (id prefix, biotope before, biotope after, name patterns, ha range)
INTERVENTION_TYPES = {
    "B-Plan": ("BPL", ["AIN", "GMF", "GBR", "HSO"], ["XGA", "XTS"],
               ["B-Plan Nr. {n} „Wohngebiet {flur}“", "B-Plan Nr. {n} „Am {flur2}“"], (1.0, 18.0)),
    "Gewerbe": ("GEW", ["AIN", "GMF", "GBR"], ["XVS", "XTS"],
                ["B-Plan Nr. {n} „Gewerbegebiet {dir}“", "Erweiterung Gewerbepark {ort}, {n}. BA"], (2.0, 30.0)),
    "Straße/Verkehr": ("STR", ["AIN", "GMF", "HFH", "WLB"], ["XVS", "XST"],
                       ["Ortsumgehung {ort}", "Ausbau S {n} {ort}–{ort2}", "Radweg {ort}–{ort2}"], (1.0, 12.0)),
    "Energie": ("ENE", ["GMF", "WNF"], ["XPV", "XTS"],
                ["Solarpark {ort} {dir}", "Umspannwerk {ort}", "Windpark {ort}, Zuwegung"], (2.0, 25.0)),
    "Sonstiges": ("SON", ["GMF", "GBR", "XPK"], ["XSP", "XTS", "XGA"],
                  ["Sportanlage {ort}", "Feuerwehrgerätehaus {ort}", "Kita-Neubau {ort}"], (0.3, 4.0)),
}
DIRECTIONS = ["Nord", "Süd", "Ost", "West", "Am Bahnhof"]


# € per value point by municipality (valid from 2010), and Wurzen's raise from 2025: made up for the demo, not
# any partner's price.
DEMO_PRICES: dict[str, float] = {"leipzig": 1.20, "wurzen": 0.70, "bennewitz": 0.65, "thallwitz": 0.60,
                                 "lossatal": 0.60, "machern": 0.75, "brandis": 0.80, "borsdorf": 0.80,
                                 "trebsen": 0.60}
DEMO_PRICE_NOTE = "Demopreis, frei erfunden (nur zur Veranschaulichung)"


def demo_prices(at: dt.datetime) -> pd.DataFrame:
    """The demo's price list (see :data:`DEMO_PRICES`), set by the demo user at *at*."""
    rows = [(m.ags, DEMO_PRICES[m.slug], "2010-01-01", None) for m in schema.MUNICIPALITIES]
    rows.append((schema.municipality("wurzen").ags, 0.85, "2025-01-01", None))
    return pd.DataFrame([{"price_id": f"P-{i:06d}", "ags": ags, "pool_id": None, "eur_per_point": eur,
                          "valid_from": start, "valid_to": end, "notes": DEMO_PRICE_NOTE, "set_by": DEMO_USER,
                          "at": fmt.iso(at), "change_id": None}
                         for i, (ags, eur, start, end) in enumerate(rows, start=1)],
                        columns=schema.field_names(schema.PRICES))


def load_boundaries(path: Path) -> gpd.GeoDataFrame:
    frame = gpd.read_file(path)
    return frame.set_crs(schema.CRS, allow_override=True) if frame.crs is None else frame.to_crs(schema.CRS)


class DemoData(TypedDict):
    """What :func:`generate` builds; :func:`write` adds the history and stores it."""

    boundaries: gpd.GeoDataFrame
    pool_areas: gpd.GeoDataFrame
    interventions: gpd.GeoDataFrame
    allocations: pd.DataFrame
    natural_regions: gpd.GeoDataFrame
    monitoring: Monitoring
    files: dict[str, bytes]


ILLUSTRATIVE_REGIONS = (
    ("N01", "Leipziger Land (illustrativ)"),
    ("N02", "Düben-Dahlener Heide (illustrativ)"),
    ("N03", "Nordsächsisches Platten- und Hügelland (illustrativ)"),
)
REGION_NOTE = ("Illustrative Abgrenzung für die Demo, nicht amtlich: die amtlichen Naturräume Sachsens (LfULG) "
               "lädt die Administration hoch.")


def natural_regions(boundaries: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Three illustrative natural regions splitting the partners' area: Leipzig's west, the rest north
    and south of the middle of the rural partners (clearly marked as illustrative)."""
    union = shapely.union_all(boundaries.geometry.to_numpy())
    minx, miny, maxx, maxy = union.bounds
    split_x = boundaries.loc[boundaries["ags"] == "14713000"].total_bounds[2]
    split_y = boundaries.loc[boundaries["ags"] != "14713000"].geometry.centroid.y.median()
    boxes = (shapely.box(minx, miny, split_x, maxy), shapely.box(split_x, split_y, maxx, maxy),
             shapely.box(split_x, miny, maxx, split_y))
    shapes = [shapely.intersection(union, box) for box in boxes]
    return gpd.GeoDataFrame({"region_id": [r for r, _ in ILLUSTRATIVE_REGIONS],
                             "name": [n for _, n in ILLUSTRATIVE_REGIONS], "notes": [REGION_NOTE] * 3},
                            geometry=shapes, crs=schema.CRS)


def _blob(rng: np.random.Generator, center: tuple[float, float], area_m2: float) -> BaseGeometry:
    """An irregular, elongated, plausibly field-like polygon of exactly *area_m2*."""
    n = int(rng.integers(5, 10))
    angles = np.sort(rng.uniform(0, 2 * math.pi, n))
    radii = rng.uniform(0.75, 1.25, n)
    poly: BaseGeometry = Polygon(np.column_stack([np.cos(angles) * radii, np.sin(angles) * radii]))
    poly = poly.convex_hull if not poly.is_valid else poly
    stretch = rng.uniform(1.0, 2.6)
    poly = affinity.scale(poly, stretch, 1 / stretch)
    poly = affinity.rotate(poly, float(rng.uniform(0, 180)))
    poly = affinity.scale(poly, math.sqrt(area_m2 / poly.area), math.sqrt(area_m2 / poly.area))
    poly = affinity.translate(poly, center[0] - poly.centroid.x, center[1] - poly.centroid.y)
    return shapely.set_precision(poly, 0.01)


def _place(rng: np.random.Generator, inner: BaseGeometry, taken: list[BaseGeometry],
           area_m2: float, tries: int = 400) -> BaseGeometry:
    minx, miny, maxx, maxy = inner.bounds
    tree_geoms = shapely.buffer(np.array(taken, dtype=object), 25.0) if taken else np.array([])
    tree = shapely.STRtree(tree_geoms) if len(tree_geoms) else None
    for attempt in range(tries):
        size = area_m2 if attempt < tries // 2 else area_m2 * 0.5
        center = (rng.uniform(minx, maxx), rng.uniform(miny, maxy))
        poly = _blob(rng, center, size)
        if not inner.contains(poly):
            continue
        if tree is not None and len(tree.query(poly, predicate="intersects")):
            continue
        return poly
    raise RuntimeError("No room for another demo polygon")


def _sizes(rng: np.random.Generator, count: int, lo: float, hi: float) -> np.ndarray:
    """Log-uniform hectares: many small, some large areas."""
    return np.exp(rng.uniform(math.log(lo), math.log(hi), count))


def _flurname(rng: np.random.Generator) -> str:
    if rng.random() < 0.35:
        return str(rng.choice(FLURNAMEN_C))
    return f"{rng.choice(FLURNAMEN_A)} {rng.choice(FLURNAMEN_B)}"


def _parcels(rng: np.random.Generator, slug: str) -> str:
    gemarkung = rng.choice(GEMARKUNGEN[slug])
    flur = int(rng.integers(1, 12))
    parts = [f"{int(rng.integers(10, 900))}/{int(rng.integers(1, 9))}" if rng.random() < 0.6
             else str(int(rng.integers(10, 900))) for _ in range(int(rng.integers(1, 4)))]
    return f"Gemarkung {gemarkung}, Flur {flur}, " + ", ".join(parts)


def _date(rng: np.random.Generator, start: dt.date, end: dt.date) -> pd.Timestamp:
    return pd.Timestamp(start + dt.timedelta(days=int(rng.integers(0, (end - start).days + 1))))


def _pool_areas(rng: np.random.Generator, muni: schema.Municipality, inner: BaseGeometry,
                taken: list[BaseGeometry]) -> list[dict[str, object]]:
    count, _, lo, hi = COUNTS[muni.slug]
    types = list(MEASURES)
    weights = np.array([MEASURES[t][3 if muni.rural else 2] for t in types])
    rows: list[dict[str, object]] = []
    for i, ha in enumerate(sorted(_sizes(rng, count, lo, hi), reverse=True)):
        geom = _place(rng, inner, taken, ha * 10_000)
        taken.append(geom)
        mtype = str(rng.choice(types, p=weights / weights.sum()))
        before, after = MEASURES[mtype][0], MEASURES[mtype][1]
        roll = rng.random()
        status = "geplant" if roll < 0.12 else "gesperrt" if roll < 0.16 else "verfügbar"
        if status == "geplant":
            start = _date(rng, dt.date(2026, 12, 1), dt.date(2029, 6, 30))
        else:
            start = _date(rng, dt.date(2015, 1, 1), dt.date(2026, 6, 30))
        end = start + pd.DateOffset(years=int(rng.integers(1, 4)), days=int(rng.integers(0, 200)))
        end = min(end, pd.Timestamp(2030, 12, 31))
        owners = OWNERS["leipzig" if muni.slug == "leipzig" else "rural"]
        owner = str(rng.choice(list(owners)))
        owner_type = owners[owner]
        if owner == PRIVATE:
            owner = PRIVATE_NAMES[sum(r["owner_type"] == "privat" for r in rows) % len(PRIVATE_NAMES)]
        rows.append({
            "pool_id": f"{PREFIX[muni.slug]}-{start.year}-{i + 1:03d}", "name": _flurname(rng),
            "ags": muni.ags, "status": status, "measure_type": mtype,
            "biotope_before": str(rng.choice(before)), "biotope_after": str(rng.choice(after)),
            "measure_start": start, "measure_end": end, "owner": owner.format(name=muni.name),
            "owner_type": owner_type,
            "parcels": _parcels(rng, muni.slug),
            "notes": "" if rng.random() < 0.6 else str(rng.choice(
                ["Pflege durch Landschaftspflegeverband", "Monitoring 2028 vorgesehen",
                 "Abstimmung mit unterer Naturschutzbehörde erfolgt", "Zaun gegen Wildverbiss",
                 "Teilfläche im Überschwemmungsgebiet"])),
            "geometry": geom,
        })
    return rows


def _interventions(rng: np.random.Generator, muni: schema.Municipality, inner: BaseGeometry,
                   taken: list[BaseGeometry], all_names: list[str]) -> list[dict[str, object]]:
    _, count, _, _ = COUNTS[muni.slug]
    kinds = list(INTERVENTION_TYPES)
    weights = np.array([4.0, 2.0, 2.0, 1.5, 1.0]) if muni.rural else np.array([4.0, 2.5, 2.5, 1.0, 1.5])
    rows: list[dict[str, object]] = []
    numbers: dict[str, int] = {}
    status_cycle = ["geplant", "im Verfahren", "im Verfahren", "genehmigt", "genehmigt", "umgesetzt", "umgesetzt"]
    for _ in range(count):
        kind = str(rng.choice(kinds, p=weights / weights.sum()))
        prefix, before, after, patterns, (lo, hi) = INTERVENTION_TYPES[kind]
        ha = float(_sizes(rng, 1, lo, hi)[0])
        geom = _place(rng, inner, taken, ha * 10_000)
        taken.append(geom)
        numbers[prefix] = numbers.get(prefix, 0) + 1
        ort, ort2 = str(rng.choice(GEMARKUNGEN[muni.slug])), str(rng.choice(all_names))
        name = str(rng.choice(patterns)).format(n=int(rng.integers(3, 60)), flur=_flurname(rng).split()[-1],
                                                flur2=str(rng.choice(FLURNAMEN_B)), dir=rng.choice(DIRECTIONS),
                                                ort=ort, ort2=ort2 if ort2 != ort else muni.name)
        status = str(rng.choice(status_cycle))
        approval = (_date(rng, dt.date(2015, 3, 1), dt.date(2026, 10, 31))
                    if status in ("genehmigt", "umgesetzt") else pd.NaT)
        rows.append({
            "intervention_id": f"{prefix}-{muni.slug[:3].upper()}-{numbers[prefix]:02d}",
            "name": name, "ags": muni.ags, "kind": kind, "status": status,
            "biotope_before": str(rng.choice(before)), "biotope_after": str(rng.choice(after)),
            "approval_date": approval, "geometry": geom,
        })
    return rows


def _ledger(rng: np.random.Generator, pool: gpd.GeoDataFrame, interventions: gpd.GeoDataFrame,
            neighbours: dict[str, frozenset[str]]) -> pd.DataFrame:
    """Bookings through the real rules: some interventions covered, some partly, some open."""
    entries = ledger.empty_ledger()
    order = rng.permutation(len(interventions))
    for idx in order:
        itv = interventions.iloc[idx]
        if itv["status"] == "geplant":
            continue
        roll = rng.random()
        target_share = 1.0 if roll < 0.5 else (rng.uniform(0.25, 0.8) if roll < 0.8 else 0.0)
        kind: ledger.BookingKind = "reserviert" if itv["status"] == "im Verfahren" else "zugeordnet"
        on = (itv["approval_date"].date() if pd.notna(itv["approval_date"])
              else dt.date(2026, int(rng.integers(1, 11)), int(rng.integers(1, 28))))
        need: float = round(float(itv["demand_points"]) * target_share)
        cross = rng.random() < 0.35
        home = itv["ags"]
        while need > 1:
            state = ledger.enrich_pool(pool, entries)
            usable = state[state["status"].isin(ledger.BOOKABLE_POOL_STATUS) & (state["free_points"] > 1)]
            wanted = neighbours[home] if cross else {home}
            options = usable[usable["ags"].isin(wanted)]
            if options.empty:
                options = usable[usable["ags"].isin(neighbours[home] | {home})]
            if options.empty:
                break
            area = options.iloc[int(rng.integers(0, len(options)))]
            points = float(math.floor(min(area["free_points"], need)))
            rows = ledger.plan_booking(pool, interventions, entries, pool_id=area["pool_id"],
                                       intervention_id=itv["intervention_id"], points=points, kind=kind,
                                       user=f"{schema.municipality(home).slug}.gis", on=on)
            entries = pd.concat([entries, rows], ignore_index=True)
            need -= points
            cross = rng.random() < 0.35
    # A few cancellations, as real ledgers have them.
    for allocation_id in list(entries["allocation_id"].iloc[[3, 17, 41]]):
        on = dt.date.fromisoformat(entries.loc[entries["allocation_id"] == allocation_id, "date"].iloc[0])
        rows = ledger.plan_cancel(entries, allocation_id=allocation_id, user="admin",
                                  on=on + dt.timedelta(days=30), notes="Eingriff umgeplant, Buchung storniert")
        entries = pd.concat([entries, rows], ignore_index=True)
    intervention_id, pool_id, points, on = CROSS_BORDER
    entries = pd.concat([entries, ledger.plan_booking(
        pool, interventions, entries, pool_id=pool_id, intervention_id=intervention_id, points=points,
        kind="zugeordnet", user="admin", on=on, notes="Vereinbarung Leipzig–Lossatal")], ignore_index=True)
    entries["created_at"] = [fmt.iso(dt.datetime.fromisoformat(f"{day}T09:00")) for day in entries["date"]]
    return entries


def generate(boundary_path: Path, seed: int = SEED) -> DemoData:
    """Build the demo data in memory (deterministic for a given seed)."""
    rng = np.random.default_rng(seed)
    boundaries = load_boundaries(boundary_path)[["ags", "name", "geometry"]]
    tables = valuation.read_tables(GeoPackageStore(REPO_ROOT / "data"))
    names = [g for m in schema.MUNICIPALITIES for g in GEMARKUNGEN[m.slug][:2]]
    pool_rows, itv_rows = [], []
    for muni in schema.MUNICIPALITIES:
        outline = boundaries.loc[boundaries["ags"] == muni.ags, "geometry"].iloc[0]
        inner = outline.buffer(-60)
        taken: list[BaseGeometry] = []
        pool_rows += _pool_areas(rng, muni, inner, taken)
        itv_rows += _interventions(rng, muni, inner, taken, names)
    pool = gpd.GeoDataFrame(pool_rows, crs=schema.CRS)
    pool["value_points"] = valuation.pool_gain(pool, tables, on=REFERENCE_DATE)
    interventions = gpd.GeoDataFrame(itv_rows, crs=schema.CRS)
    interventions["demand_points"] = valuation.intervention_demand(interventions, tables)
    entries = _ledger(rng, pool, interventions, candidates.neighbours(boundaries))
    pool["status"] = ledger.enrich_pool(pool, entries)["status"]
    monitoring, files = _monitoring(np.random.default_rng(seed + MONITORING_SEED), pool)
    return DemoData(boundaries=boundaries, pool_areas=pool, interventions=interventions, allocations=entries,
                    monitoring=monitoring, files=files, natural_regions=natural_regions(boundaries))


# --- monitoring: implementation states and function checks ---------------------------
CROSS_BORDER = ("STR-LEI-05", "LOS-2018-011", 120_000.0, dt.date(2024, 5, 15))
"""A Leipzig intervention compensated in Lossatal (booked directly by the administration)."""
FAILED_CHECK = ("LOS-2018-011", REFERENCE_DATE - dt.timedelta(days=3), "Grünland auf 0,8 ha umgebrochen und als "
                "Acker genutzt; Rückbau und Nachsaat bis Mai 2027, Nachkontrolle angesetzt.")
"""The area of :data:`CROSS_BORDER` failed its latest function check (two photos)."""
MONITORING_SEED = 15
INSPECTORS = ("K. Lehmann", "S. Wagner", "M. Richter", "Landschaftspflegeverband Muldenland")


def _photo(hue: int) -> bytes:
    """A small synthetic photo of a meadow with a furrowed strip (JPEG, no EXIF)."""
    image = Image.new("RGB", (480, 320), (70 + hue, 140, 60))
    draw = ImageDraw.Draw(image)
    for y in range(180, 320, 14):
        draw.line([(0, y), (480, y - 40)], fill=(120, 90, 50), width=6)
    draw.rectangle([(0, 0), (480, 90)], fill=(170, 200, 230))
    draw.text((12, 12), "Demo-Foto (synthetisch)", fill=(20, 20, 20))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=80)
    return out.getvalue()


def _monitoring(rng: np.random.Generator, pool: gpd.GeoDataFrame) -> tuple[Monitoring, dict[str, bytes]]:
    """States for every area as far as its dates go, function checks on the plan of its measure type: most
    passed, a few with defects, some overdue, a few measures not started in time; and :data:`FAILED_CHECK`."""
    intervals = schedule.read_intervals(schedule.BUNDLED)
    events: list[dict[str, object]] = []
    checks: list[dict[str, object]] = []
    last_day = REFERENCE_DATE - dt.timedelta(days=7)

    def event(area: pd.Series, state: str, on: dt.date, inspection_id: str | None = None) -> None:
        events.append({"event_id": f"U-{len(events) + 1:06d}", "pool_id": area["pool_id"], "ags": area["ags"],
                       "state": state, "date": on.isoformat(), "user": f"{schema.municipality(area['ags']).slug}.gis",
                       "note": "", "inspection_id": inspection_id,
                       "at": fmt.iso(dt.datetime.combine(on, dt.time(10)))})

    def check(area: pd.Series, on: dt.date, result: str, note: str = "") -> str:
        inspection_id = f"K-{len(checks) + 1:06d}"
        checks.append({"inspection_id": inspection_id, "pool_id": area["pool_id"], "ags": area["ags"],
                       "date": on.isoformat(), "inspector": str(rng.choice(INSPECTORS)), "result": result,
                       "note": note, "user": f"{schema.municipality(area['ags']).slug}.gis",
                       "at": fmt.iso(dt.datetime.combine(on, dt.time(14)))})
        event(area, schema.INSPECTION_STATE[result], on, inspection_id)
        return inspection_id

    for _, area in pool.iterrows():
        start, end = area["measure_start"].date(), area["measure_end"].date()
        event(area, "geplant", min(start - dt.timedelta(days=int(rng.integers(90, 400))), last_day))
        if start > REFERENCE_DATE or (rng.random() < 0.03 and area["pool_id"] != FAILED_CHECK[0]):
            continue  # planned, or not started in time
        event(area, "in Umsetzung", start)
        if end > last_day:
            continue
        event(area, "umgesetzt", end)
        n = 0
        while (due := intervals[area["measure_type"]].scheduled(end, n)) is not None and due <= last_day:
            if rng.random() < 0.12:
                break  # the next check is overdue
            defects = rng.random() < 0.04
            check(area, min(due + dt.timedelta(days=int(rng.integers(-20, 45))), last_day),
                  "mit Mängeln" if defects else "bestanden", "Zielarten fehlen, Pflege nachholen" if defects else "")
            n += 1
    pool_id, on, note = FAILED_CHECK
    inspection_id = check(pool[pool["pool_id"] == pool_id].iloc[0], on, "mit Mängeln", note)
    photos = [_photo(0), _photo(30)]
    documents = [{"document_id": f"D-{i:06d}", "target": "inspection", "target_id": inspection_id,
                  "pool_id": pool_id, "ags": schema.municipality("lossatal").ags, "kind": "Foto",
                  "file_name": f"kontrolle-{pool_id}-{i}.jpg", "media_type": "image/jpeg", "size_bytes": len(photo),
                  "sha256": hashlib.sha256(photo).hexdigest(), "user": "lossatal.gis", "at": checks[-1]["at"]}
                 for i, photo in enumerate(photos, start=1)]
    records = Monitoring(*(pd.DataFrame(rows, columns=schema.field_names(table)) for rows, table
                           in ((events, schema.MEASURE_EVENTS), (checks, schema.INSPECTIONS),
                               (documents, schema.DOCUMENTS))))
    return records, {hashlib.sha256(photo).hexdigest(): photo for photo in photos}


def write(data: DemoData, out_dir: Path, boundary_path: Path) -> None:
    """Write the demo into *out_dir* (municipal GeoPackages, pool.gpkg, tables)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    if (out_dir / BOUNDARY_FILE).resolve() != boundary_path.resolve():
        shutil.copyfile(boundary_path, out_dir / BOUNDARY_FILE)
    history: list[pd.DataFrame] = []
    versions: dict[VersionRef, gpd.GeoDataFrame] = {}
    at = dt.datetime(2026, 1, 15, 8, 0, tzinfo=fmt.TIMEZONE)

    def record(*, layer: str, action: str, added: int, notes: str, ags: str | None = None) -> str:
        change_id = format_change_id(len(history) + 1)
        entry = history_entry(user=DEMO_USER, source="Demodaten (geo.demo)", at=at, ags=ags, layer=layer,
                              action=action, added=added, notes=notes)
        history.append(entry.assign(change_id=change_id))
        return change_id

    for muni in schema.MUNICIPALITIES:
        for name, frame in ((schema.POOL_AREAS, data["pool_areas"]), (schema.INTERVENTIONS, data["interventions"])):
            layer = frame[frame["ags"] == muni.ags]
            change_id = record(ags=muni.ags, layer=name, action="upload", added=len(layer),
                               notes="Ersterfassung der Demodaten")
            history[-1]["checksum"] = chain.layer_checksum(layer, name)
            versions[VersionRef(muni.ags, change_id, name)] = layer.iloc[:0]  # before: empty
            at += dt.timedelta(minutes=7)
    price_list = demo_prices(at)
    before = PoolData(boundaries=data["boundaries"], pool_areas=data["pool_areas"],
                      interventions=data["interventions"], allocations=ledger.empty_ledger(),
                      history=schema.empty_table(schema.HISTORY), prices=price_list)
    entries = prices.priced(data["allocations"], before)
    booking = record(layer=schema.ALLOCATIONS, action="booking", added=len(entries),
                     notes="Übernahme der Bestandsbuchungen und der Demopreise je Wertpunkt")
    monitored = record(layer=schema.INSPECTIONS, action="monitoring", added=len(data["monitoring"].inspections),
                       notes="Übernahme der Umsetzungsstände und Kontrollen")
    pool = PoolData(boundaries=data["boundaries"], pool_areas=data["pool_areas"],
                    interventions=data["interventions"], allocations=entries.assign(change_id=booking),
                    history=pd.concat(history, ignore_index=True), prices=price_list.assign(change_id=booking),
                    natural_regions=data["natural_regions"])
    sources = GeoPackageStore(REPO_ROOT / "data").read_valuation_sources()
    monitoring = Monitoring(*(rows.assign(change_id=monitored) for rows in data["monitoring"]))
    GeoPackageStore(out_dir).replace_all(pool, versions=versions, valuation=sources, monitoring=monitoring,
                                         files=data["files"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Demodaten des Flächenpools erzeugen.")
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "data", help="Zielordner (Standard: data/)")
    parser.add_argument("--boundaries", type=Path, default=REPO_ROOT / "data" / BOUNDARY_FILE)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    data = generate(args.boundaries, args.seed)
    write(data, args.out, args.boundaries)
    pool, itv = data["pool_areas"], data["interventions"]
    print(f"{len(pool)} Poolflächen, {len(itv)} Eingriffe, {len(data['allocations'])} Buchungen "
          f"→ {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
