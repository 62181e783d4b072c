"""Do the coordinates lie where the file says? Checked before anything else is done with an upload.

The bounds of the data, read in the CRS the file declares, are transformed to EPSG:25833 and
compared with the partnership's extent (the nine official boundaries, buffered by
:data:`BUFFER_M`). Data that do not fit are refused with :class:`Misplaced`, which names the
likely cause: the common misreadings (:func:`candidates`: axes swapped, a zone prefix on the
eastings, Gauß-Krüger labelled as UTM or the reverse, UTM 32 for 33, Web Mercator labelled
WGS 84, kilometres for metres) are tried, and the ones that land in the partnership are named.
Where exactly one does, it is offered: :func:`reinterpret` reads the data that way (the page's
button „Als … lesen“, ``--lesen-als``/``--achsen-tauschen``/``--kilometer`` on the command line).
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError

from geo import fmt, schema
from geo.errors import DataError

BUFFER_M = 20_000.0
"""How far outside the nine municipalities data may reach and still count as in the partnership."""
CANDIDATE_CRS: tuple[str, ...] = ("EPSG:25833", "EPSG:25832", "EPSG:5650", "EPSG:4647", "EPSG:31468",
                                  "EPSG:31469", "EPSG:4326", "EPSG:3857")
"""The CRSs the partners' files come in or are confused with (DOMAIN.md, "Coordinates")."""
CRS_NAMES: dict[str, str] = {
    **schema.CRS_NAMES,
    "EPSG:5650": "ETRS89 / UTM Zone 33N mit Zonenkennung 33 vor dem Rechtswert",
    "EPSG:4647": "ETRS89 / UTM Zone 32N mit Zonenkennung 32 vor dem Rechtswert",
}
_UTM = {"EPSG:25833": 33, "EPSG:25832": 32, "EPSG:5650": 33, "EPSG:4647": 32}
_GK = {"EPSG:31468": 4, "EPSG:31469": 5}


def crs_code(crs: object) -> str | None:
    """``"EPSG:25833"`` for a CRS object or text, None when it has no EPSG code."""
    if crs is None:
        return None
    found = CRS.from_user_input(crs).to_epsg(min_confidence=70)
    return f"EPSG:{found}" if found else None


def declared_crs(crs: object) -> str | None:
    """What a file declares: its EPSG code, else its CRS as WKT (None when it declares none)."""
    if crs is None:
        return None
    return crs_code(crs) or CRS.from_user_input(crs).to_wkt()


def crs_label(code: str | None) -> str:
    if code is None:
        return "kein Koordinatenbezugssystem"
    if code in CRS_NAMES:
        return f"{code} ({CRS_NAMES[code]})"
    return code if code.startswith("EPSG:") else CRS.from_user_input(code).name


@dataclass(frozen=True)
class Reading:
    """A way to read a file's coordinates: in *crs*, with x and y swapped, multiplied by *scale*."""

    crs: str
    swap_axes: bool = False
    scale: float = 1.0

    def label(self) -> str:
        """``"EPSG:5650"``, ``"EPSG:4326 mit vertauschten Achsen"``, ``"EPSG:25833 in Kilometern"``."""
        extras = [*(["mit vertauschten Achsen"] if self.swap_axes else []),
                  *(["in Kilometern"] if self.scale != 1.0 else [])]
        return " ".join([self.crs, *extras])

    def options(self) -> str:
        """The command-line options that read a file this way."""
        return " ".join([f"--lesen-als {self.crs}", *(["--achsen-tauschen"] if self.swap_axes else []),
                         *(["--kilometer"] if self.scale != 1.0 else [])])

    def note(self, declared: str | None) -> str:
        """What the history records about it."""
        return f"Koordinaten als {self.label()} gelesen (Datei: {declared or 'ohne Koordinatensystem'})."


def parse_reading(crs: str | None, *, swap_axes: bool = False, kilometres: bool = False) -> Reading | None:
    """A reading from the command line's options (None when none is given); German error for an unknown CRS."""
    if crs is None and not swap_axes and not kilometres:
        return None
    code = None
    if crs is not None:
        try:
            code = crs_code(crs)
        except CRSError:
            code = None
        if code is None:
            raise DataError(f"„{crs}“ ist kein bekanntes Koordinatenbezugssystem; erwartet z. B. EPSG:25833.")
    return Reading(code or "", swap_axes, 1000.0 if kilometres else 1.0)


class Misplaced(DataError):
    """The data do not lie in the partnership as the file's CRS reads them; *fitting* are the readings that do."""

    def __init__(self, message: str, fitting: tuple[Reading, ...]) -> None:
        super().__init__(message)
        self.fitting = fitting

    @property
    def offer(self) -> Reading | None:
        """The one reading to offer with one click (None unless exactly one fits)."""
        return self.fitting[0] if len(self.fitting) == 1 else None


def extent(boundaries: gpd.GeoDataFrame, buffer_m: float = BUFFER_M) -> tuple[float, float, float, float]:
    """The partnership's extent in EPSG:25833: the union of the boundaries, buffered."""
    minx, miny, maxx, maxy = shapely.union_all(boundaries.to_crs(schema.CRS).geometry.values).buffer(buffer_m).bounds
    return minx, miny, maxx, maxy


def _outline(bounds: np.ndarray, reading: Reading) -> np.ndarray:
    """The bounding box of raw *bounds* as 20 points along its edges, swapped and scaled as *reading* says."""
    minx, miny, maxx, maxy = bounds
    t = np.linspace(0.0, 1.0, 5)
    xs = np.concatenate([minx + (maxx - minx) * t, np.full(5, maxx), maxx - (maxx - minx) * t, np.full(5, minx)])
    ys = np.concatenate([np.full(5, miny), miny + (maxy - miny) * t, np.full(5, maxy), maxy - (maxy - miny) * t])
    points = np.column_stack([ys, xs] if reading.swap_axes else [xs, ys]) * reading.scale
    return points


def _in_25833(bounds: np.ndarray, reading: Reading) -> np.ndarray:
    points = _outline(bounds, reading)
    transformer = Transformer.from_crs(reading.crs, schema.CRS, always_xy=True)
    with np.errstate(all="ignore"):
        x, y = transformer.transform(points[:, 0], points[:, 1], errcheck=False)
    return np.column_stack([x, y])


def fits(bounds: np.ndarray, reading: Reading, box: tuple[float, float, float, float]) -> bool:
    """Whether raw *bounds* read as *reading* lie inside *box* (EPSG:25833)."""
    xy = _in_25833(bounds, reading)
    if not np.isfinite(xy).all():
        return False
    return bool((xy[:, 0] >= box[0]).all() and (xy[:, 0] <= box[2]).all() and (xy[:, 1] >= box[1]).all()
                and (xy[:, 1] <= box[3]).all())


def candidates(declared: str | None) -> list[Reading]:
    """The common misreadings of a file that declares *declared* (every candidate CRS when it declares none)."""
    crss = [c for c in CANDIDATE_CRS if c != declared]
    found = [Reading(c) for c in crss]
    for base in [declared] if declared else crss:
        found.append(Reading(base, swap_axes=True))
        if not CRS.from_user_input(base).is_geographic:
            found.append(Reading(base, scale=1000.0))
    return found


def _cause(declared: str | None, reading: Reading) -> str:
    """The likely cause, in words a GIS officer uses."""
    if declared is None:
        return f"die Koordinaten passen zu {crs_label(reading.crs)}"
    if reading.swap_axes:
        what = "Länge und Breite" if CRS.from_user_input(declared).is_geographic else "Rechts- und Hochwert"
        return f"{what} sind vertauscht (x steht in der Spalte für y)"
    if reading.scale != 1.0:
        return "die Koordinaten sind in Kilometern statt in Metern angegeben"
    said = crs_label(declared)
    really = f"{reading.crs}, {CRS_NAMES[reading.crs]}" if reading.crs in CRS_NAMES else reading.crs
    if reading.crs in ("EPSG:5650", "EPSG:4647") and _UTM.get(declared) == _UTM[reading.crs]:
        return (f"die Rechtswerte tragen die Zonenkennung {_UTM[reading.crs]} vorn (8 statt 6 Stellen, also "
                f"{reading.crs}), die Datei nennt aber {said}")
    if declared in ("EPSG:5650", "EPSG:4647") and _UTM.get(reading.crs) == _UTM[declared]:
        return f"die Rechtswerte haben keine Zonenkennung (also {really}), die Datei nennt aber {said}"
    if reading.crs in _GK and declared in _UTM:
        return f"die Koordinaten sind Gauß-Krüger ({really}), die Datei nennt aber UTM: {said}"
    if declared in _GK and reading.crs in _UTM:
        return f"die Koordinaten sind UTM ({really}), die Datei nennt aber Gauß-Krüger: {said}"
    if declared in _GK and reading.crs in _GK:
        return f"die Koordinaten sind im {_GK[reading.crs]}. statt im {_GK[declared]}. Gauß-Krüger-Streifen"
    if declared in _UTM and reading.crs in _UTM:
        return f"die Koordinaten sind UTM Zone {_UTM[reading.crs]} ({really}), die Datei nennt aber {said}"
    if declared == "EPSG:4326" and reading.crs == "EPSG:3857":
        return f"die Koordinaten sind Web-Mercator-Meter ({really}), die Datei nennt aber Grad ({said})"
    return f"die Koordinaten passen zu {really}, die Datei nennt aber {said}"


def _where(bounds: np.ndarray, declared: str, box: tuple[float, float, float, float]) -> str:
    """Where the data land when read as declared, relative to the partnership."""
    xy = _in_25833(bounds, Reading(declared))
    if not np.isfinite(xy).all():
        return "ergäben sie keinen Ort auf der Erde"
    dx = xy[:, 0].mean() - (box[0] + box[2]) / 2
    dy = xy[:, 1].mean() - (box[1] + box[3]) / 2
    direction = ("nördlich" if dy > 0 else "südlich") if abs(dy) > abs(dx) else ("östlich" if dx > 0 else "westlich")
    return f"lägen sie {fmt.number(float(np.hypot(dx, dy)) / 1000)} km {direction} des Poolgebiets"


def check(frame: gpd.GeoDataFrame, boundaries: gpd.GeoDataFrame, *, name: str) -> None:
    """Refuse *frame* (file's CRS) with :class:`Misplaced` unless its coordinates lie in the partnership."""
    bounds = np.asarray(frame.total_bounds, dtype=float)
    if not np.isfinite(bounds).all():
        return  # no geometry at all: validation names the empty features
    declared = declared_crs(frame.crs)
    box = extent(boundaries)
    if declared is not None and fits(bounds, Reading(declared), box):
        return
    fitting = tuple(r for r in candidates(declared) if fits(bounds, r, box))
    if declared is None:
        head = (f"„{name}“ nennt kein Koordinatenbezugssystem (CRS); ohne CRS lassen sich die Flächen nicht "
                "verorten.")
    else:
        head = (f"„{name}“: die Koordinaten liegen nicht im Gebiet des Flächenpools. Gelesen in "
                f"{crs_label(declared)}, wie die Datei angibt, {_where(bounds, declared, box)}.")
    if len(fitting) == 1:
        reading = fitting[0]
        advice = (f"Wahrscheinliche Ursache: {_cause(declared, reading)}. Als {reading.label()} gelesen liegen sie "
                  f"im Poolgebiet: auf der Seite „Als {reading.label()} lesen“ wählen, in der Kommandozeile "
                  f"{reading.options()}; oder die Datei in QGIS richtig zuweisen und in EPSG:25833 exportieren.")
    elif fitting:
        advice = ("Mehrere Lesarten passen: " + "; ".join(f"{r.label()} ({_cause(declared, r)})" for r in fitting)
                  + ". Bitte das richtige Koordinatensystem in QGIS prüfen (Layer-Eigenschaften → Quelle) und "
                  "angeben (Kommandozeile: --lesen-als EPSG:…).")
    else:
        advice = ("Keine der üblichen Verwechslungen (Achsen vertauscht, Zonenkennung vor dem Rechtswert, "
                  "Gauß-Krüger statt UTM, UTM 32 statt 33, Web-Mercator statt WGS 84, Kilometer statt Meter) "
                  "bringt sie dorthin. Bitte das Koordinatensystem in QGIS prüfen (Layer-Eigenschaften → Quelle) "
                  "und die Ebene in EPSG:25833 exportieren.")
    raise Misplaced(f"{head} {advice}", fitting)


def reinterpret(frame: gpd.GeoDataFrame, reading: Reading) -> gpd.GeoDataFrame:
    """*frame* read as *reading*: coordinates swapped and scaled, CRS replaced (a copy; the index is kept)."""
    def move(xy: np.ndarray) -> np.ndarray:
        return (xy[:, ::-1] if reading.swap_axes else xy) * reading.scale

    crs = reading.crs or frame.crs
    if crs is None:
        raise DataError("Achsen tauschen oder Kilometer umrechnen geht nur mit einem Koordinatensystem; bitte "
                        "zusätzlich --lesen-als EPSG:… angeben.")
    geoms = shapely.transform(frame.geometry.values, move)
    out = frame.copy()
    return out.set_geometry(gpd.GeoSeries(geoms, index=frame.index), crs=crs)


def placed(frame: gpd.GeoDataFrame, boundaries: gpd.GeoDataFrame, *, name: str,
           reading: Reading | None = None) -> tuple[gpd.GeoDataFrame, str]:
    """The upload as it will be used: read as *reading* (if given), checked; with the note for the history."""
    note = ""
    if reading is not None:
        label = crs_label(declared_crs(frame.crs)) if frame.crs is not None else None
        frame, note = reinterpret(frame, reading), reading.note(label)
    check(frame, boundaries, name=name)
    return frame, note
