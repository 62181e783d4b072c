"""Backups of the whole store with a manifest, and restores that refuse anything not intact.

``python -m geo backup ZIEL`` calls :func:`backup`: the store's files (see :mod:`geo.store.backup`;
a PostGIS store is copied through the Protocol into the same GeoPackage-folder layout) go under
``daten/`` of a folder or a zip (``ZIEL`` ending in ``.zip``), next to ``manifest.json``: every file
with size and SHA-256, app version, store kind, creation time (Berlin), the audit's result and
chain heads, and the start page's headline figures, all computed **on the copy**.

``python -m geo restore QUELLE`` calls :func:`restore`: it checks the whole backup first (format,
every listed file present with its size and checksum, nothing unlisted, the copy's audit and
figures equal to the manifest's) in a temporary folder, refuses a non-empty target unless
``replace`` is given, and only then writes; a refusal leaves the target untouched.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import os
import shutil
import tempfile
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import Any

from geo import __version__, fmt, schema
from geo.accounting import audit, summary
from geo.errors import DataError, StoreError
from geo.store import Store
from geo.store import backup as store_backup
from geo.store.gpkg import GeoPackageStore

FORMAT = "flaechenpool-sicherung"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATA = "daten"
RECORD = ".letzte-sicherung.json"
CHUNK = 1 << 20


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def figures(store: Store) -> dict[str, float]:
    """The start page's headline figures of *store* (what a restore must give back unchanged)."""
    return {k: float(v) for k, v in dataclasses.asdict(summary.headline(summary.pool_view(store.read_all()))).items()}


def _state(store: Store) -> dict[str, Any]:
    report = audit.verify(store)
    data = store.read_all()
    counts: dict[str, int] = {layer: len(data.layer(layer)) for layer in schema.MUNICIPAL_LAYERS}
    counts |= {schema.ALLOCATIONS: len(data.allocations), schema.HISTORY: len(data.history),
               schema.REQUEST_EVENTS: len(data.requests), schema.OUTBOX: len(data.outbox),
               schema.PRICES: len(data.prices)}
    return {"pruefung_ok": report.ok, "befunde": len(report.findings), "kettenende_buchungen": report.ledger_head,
            "kettenende_aenderungen": report.history_head, "anzahl": counts, "kennzahlen": figures(store)}


def _files(root: Path) -> Iterator[Path]:
    return (p for p in sorted(root.rglob("*")) if p.is_file())


def backup(store: Store, target: Path, *, users_file: Path | None = None, record_dir: Path | None = None
           ) -> dict[str, Any]:
    """Write a backup of *store* to *target* (a new folder, or a zip if it ends in ``.zip``); returns the manifest.

    *users_file* is taken as ``daten/users.json`` if the store's folder has none (PostGIS, or a users
    file kept elsewhere). *record_dir* gets :data:`RECORD`, what the Betrieb page shows as the last backup.
    """
    if target.exists() and not (target.is_dir() and not any(target.iterdir())):
        raise DataError(f"„{target}“ gibt es schon; eine Sicherung überschreibt nichts. Bitte ein neues Ziel nennen.")
    started = time.perf_counter()
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".sicherung-", dir=target.parent))
    try:
        data_dir = work / DATA
        kind = store_backup.copy_store(store, data_dir)
        if users_file is not None and users_file.is_file() and not (data_dir / "users.json").exists():
            shutil.copy2(users_file, data_dir / "users.json")
        copy = GeoPackageStore(data_dir)
        state = _state(copy)
        (data_dir / ".write.lock").unlink(missing_ok=True)
        shutil.rmtree(data_dir / ".staging", ignore_errors=True)
        files: list[dict[str, Any]] = [
            {"pfad": p.relative_to(work).as_posix(), "bytes": p.stat().st_size, "sha256": _sha256(p)}
            for p in _files(data_dir)]
        manifest = {"format": FORMAT, "formatversion": FORMAT_VERSION, "app_version": __version__,
                    "datenbestand": kind, "quelle": store.key, "erstellt": fmt.iso(), **state, "dateien": files}
        (work / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
        if target.suffix.lower() == ".zip":
            part = target.with_name(target.name + ".part")
            with zipfile.ZipFile(part, "w", zipfile.ZIP_DEFLATED) as archive:
                archive.write(work / MANIFEST, MANIFEST)
                for entry in files:
                    archive.write(work / entry["pfad"], entry["pfad"])
            os.replace(part, target)
        else:
            if target.exists():
                target.rmdir()
            os.replace(work, target)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    manifest["dauer_s"] = round(time.perf_counter() - started, 2)
    if record_dir is not None:
        _record(record_dir, target, manifest)
    return manifest


def _record(folder: Path, target: Path, manifest: dict[str, Any]) -> None:
    record = {"erstellt": manifest["erstellt"], "ziel": str(target.resolve()), "datenbestand": manifest["datenbestand"],
              "dateien": len(manifest["dateien"]), "bytes": sum(f["bytes"] for f in manifest["dateien"]),
              "dauer_s": manifest["dauer_s"], "pruefung_ok": manifest["pruefung_ok"],
              "kettenende_buchungen": manifest["kettenende_buchungen"],
              "kettenende_aenderungen": manifest["kettenende_aenderungen"]}
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / (RECORD + ".tmp")
    tmp.write_text(json.dumps(record, ensure_ascii=False, indent=2), encoding="utf-8")
    os.replace(tmp, folder / RECORD)


def last_backup(folder: Path) -> dict[str, Any] | None:
    """The record of the last backup written with *folder* as record folder (None if none or unreadable)."""
    try:
        found = json.loads((folder / RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return found if isinstance(found, dict) else None


# --- restoring -------------------------------------------------------------------------

def _refuse(source: Path, why: str) -> DataError:
    return DataError(f"Die Sicherung „{source}“ wird nicht eingespielt: {why} Es wurde nichts verändert.")


def _manifest(source: Path, text: bytes) -> dict[str, Any]:
    try:
        manifest = json.loads(text.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise _refuse(source, "manifest.json ist beschädigt (kein gültiges JSON).") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise _refuse(source, "manifest.json beschreibt keine Flächenpool-Sicherung.")
    if manifest.get("formatversion") != FORMAT_VERSION:
        raise _refuse(source, f"Sicherungsformat {manifest.get('formatversion')} wird von dieser Version der App "
                              "nicht verstanden.")
    files = manifest.get("dateien")
    if not isinstance(files, list) or not all(isinstance(f, dict) and {"pfad", "bytes", "sha256"} <= set(f)
                                              for f in files):
        raise _refuse(source, "manifest.json hat kein gültiges Dateiverzeichnis.")
    for entry in files:
        path = PurePosixPath(str(entry["pfad"]))
        if path.is_absolute() or ".." in path.parts or path.parts[:1] != (DATA,):
            raise _refuse(source, f"manifest.json nennt einen unzulässigen Pfad „{fmt.literal(str(path))}“.")
    if not any(str(f["pfad"]).endswith(".gpkg") for f in files):
        raise _refuse(source, "sie enthält keine GeoPackages.")
    return manifest


def _unpack(source: Path, work: Path) -> dict[str, Any]:
    """Copy the backup's listed files into *work*, checking completeness, sizes and checksums."""
    if not source.exists():
        raise _refuse(source, "es gibt sie nicht.")
    if source.is_dir():
        if not (source / MANIFEST).is_file():
            raise _refuse(source, "manifest.json fehlt (keine Sicherung oder unvollständig).")
        manifest = _manifest(source, (source / MANIFEST).read_bytes())
        present = {p.relative_to(source).as_posix() for p in _files(source)} - {MANIFEST}
        _complete(source, manifest, present)
        for entry in manifest["dateien"]:
            final = work / entry["pfad"]
            final.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source / entry["pfad"], final)
    elif zipfile.is_zipfile(source):
        try:
            with zipfile.ZipFile(source) as archive:
                names = {n for n in archive.namelist() if not n.endswith("/")}
                if MANIFEST not in names:
                    raise _refuse(source, "manifest.json fehlt (keine Sicherung oder unvollständig).")
                manifest = _manifest(source, archive.read(MANIFEST))
                _complete(source, manifest, names - {MANIFEST})
                for entry in manifest["dateien"]:
                    final = work / entry["pfad"]
                    final.parent.mkdir(parents=True, exist_ok=True)
                    with archive.open(entry["pfad"]) as member, open(final, "wb") as out:
                        shutil.copyfileobj(member, out, CHUNK)
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            raise _refuse(source, "das Zip-Archiv ist beschädigt.") from exc
    else:
        raise _refuse(source, "das ist weder ein Sicherungsordner noch ein Zip-Archiv.")
    for entry in manifest["dateien"]:
        final = work / entry["pfad"]
        if final.stat().st_size != entry["bytes"] or _sha256(final) != entry["sha256"]:
            raise _refuse(source, f"die Datei {entry['pfad']} ist verändert oder beschädigt (Prüfsumme stimmt nicht).")
    return manifest


def _complete(source: Path, manifest: dict[str, Any], present: set[str]) -> None:
    listed = {str(f["pfad"]) for f in manifest["dateien"]}
    if missing := sorted(listed - present):
        raise _refuse(source, f"sie ist unvollständig, es fehlt {', '.join(missing[:5])}.")
    if extra := sorted(present - listed):
        raise _refuse(source, f"sie enthält Dateien, die nicht im Manifest stehen ({', '.join(extra[:5])}).")


def _same_figures(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return set(a) == set(b) and all(math.isclose(float(a[k]), float(b[k]), rel_tol=1e-9, abs_tol=1e-6) for k in a)


def _matches(state: dict[str, Any], manifest: dict[str, Any]) -> list[str]:
    """What differs between a store's state and the manifest's (empty: the same)."""
    keys = ("pruefung_ok", "kettenende_buchungen", "kettenende_aenderungen", "anzahl")
    differing = [k for k in keys if state[k] != manifest.get(k)]
    if not _same_figures(state["kennzahlen"], manifest.get("kennzahlen") or {}):
        differing.append("kennzahlen")
    return differing


def _verdict(state: dict[str, Any]) -> str:
    return "keine Befunde" if state["pruefung_ok"] else f"{state['befunde']} Befund(e) wie in der Sicherung"


def restore(source: Path, target: Store, *, replace: bool = False) -> list[str]:
    """Check the backup *source* completely, then write it into *target*; German lines of what was done.

    Refuses (:class:`DataError`/:class:`StoreError`, nothing written) a damaged, incomplete or
    foreign backup, and a target that holds data unless *replace*.
    """
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="flaechenpool-wiederherstellung-") as tmp:
        work = Path(tmp)
        manifest = _unpack(source, work)
        state = _state(GeoPackageStore(work / DATA))
        if differing := _matches(state, manifest):
            raise _refuse(source, f"ihr Inhalt passt nicht zum Manifest ({', '.join(differing)}).")
        if not replace and not store_backup.is_empty(target):
            raise StoreError(f"Das Ziel {target.key} enthält schon Daten. Zum Überschreiben „--ersetzen“ angeben. "
                             "Es wurde nichts verändert.")
        for leftover in (work / DATA).glob(".*"):
            shutil.rmtree(leftover, ignore_errors=True) if leftover.is_dir() else leftover.unlink()
        store_backup.restore_into(work / DATA, target)
    after = _state(target)
    if differing := _matches(after, manifest):
        raise StoreError(f"Die Sicherung wurde nach {target.key} eingespielt, aber {', '.join(differing)} weichen "
                         "vom Manifest ab. Bitte die Administration informieren.")
    counts = manifest["anzahl"]
    lines = [f"Sicherung vom {fmt.timestamp(manifest['erstellt'])} ({manifest['datenbestand']}, App "
             f"{manifest['app_version']}) nach {target.key} eingespielt in {time.perf_counter() - started:.1f} s.",
             f"Geprüft: {len(manifest['dateien'])} Dateien mit Prüfsummen; {counts[schema.POOL_AREAS]} Poolflächen, "
             f"{counts[schema.INTERVENTIONS]} Eingriffe, {counts[schema.ALLOCATIONS]} Buchungen, "
             f"{counts[schema.HISTORY]} Änderungen; Kennzahlen gleich.",
             f"Prüfung (verify): {_verdict(after)}.",
             f"Kettenende Buchungen: {after['kettenende_buchungen'] or '–'}",
             f"Kettenende Änderungen: {after['kettenende_aenderungen'] or '–'}"]
    if not isinstance(target, GeoPackageStore) and any(f["pfad"] == f"{DATA}/users.json" for f in manifest["dateien"]):
        lines.append("Hinweis: die Benutzerdatei users.json liegt in der Sicherung (daten/users.json); "
                     "für PostGIS wird sie nicht eingespielt, bitte nach FLAECHENPOOL_USERS kopieren.")
    return lines
