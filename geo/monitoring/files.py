"""Photos and documents for the store: type checked by content, size limited, EXIF location removed.

A file is taken only as JPEG, PNG or PDF, judged by its first bytes (never by its name), and
images must also open with Pillow. Photos lose their EXIF GPS block unless the person keeps it
on purpose (a photo's position says where someone stood; the area's position is known anyway).
"""

from __future__ import annotations

import hashlib
import io
import warnings
from collections.abc import Iterable
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

from geo import fmt
from geo.errors import DataError

MAX_BYTES = 10 * 1024 * 1024
"""Largest file taken (10 MB): a phone photo fits, a scanned land-register extract too."""
MAX_PIXELS = 60_000_000
MAGIC: tuple[tuple[bytes, str], ...] = ((b"\xff\xd8\xff", "image/jpeg"), (b"\x89PNG\r\n\x1a\n", "image/png"),
                                        (b"%PDF-", "application/pdf"))
MEDIA_LABELS = {"image/jpeg": "JPEG-Foto", "image/png": "PNG-Bild", "application/pdf": "PDF"}
GPS_IFD = 0x8825
PILLOW_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG"}


@dataclass(frozen=True)
class Attachment:
    """A checked file, ready for the store."""

    file_name: str
    media_type: str
    content: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()

    @property
    def is_image(self) -> bool:
        return self.media_type in PILLOW_FORMATS


def media_type(content: bytes) -> str | None:
    """``image/jpeg``, ``image/png`` or ``application/pdf`` by the file's first bytes; None otherwise."""
    return next((kind for magic, kind in MAGIC if content.startswith(magic)), None)


def _megabytes(size: int) -> str:
    return f"{fmt.number(size / 1024 / 1024, 1)} MB"


def _without_location(image: Image.Image, kind: str) -> bytes | None:
    """The image saved again without its EXIF GPS block; None if it has none."""
    exif = image.getexif()
    if GPS_IFD not in exif:
        return None
    del exif[GPS_IFD]
    out = io.BytesIO()
    options: dict[str, object] = {"exif": exif.tobytes()}
    if kind == "image/jpeg":
        options["quality"] = "keep"  # no second lossy compression
        options["icc_profile"] = image.info.get("icc_profile")
    image.save(out, format=PILLOW_FORMATS[kind], **options)
    return out.getvalue()


def _image(name: str, content: bytes, kind: str, keep_location: bool) -> bytes:
    """*content* checked as an image of *kind*; without GPS unless *keep_location*."""
    broken = DataError(f"„{name}“ sieht aus wie ein {MEDIA_LABELS[kind]}, lässt sich aber nicht "
                       "öffnen (beschädigt oder unvollständig). Bitte die Datei neu speichern oder ein anderes "
                       "Foto wählen. Es wurde nichts gespeichert.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content)) as probe:
                if probe.width * probe.height > MAX_PIXELS:
                    raise DataError(f"„{name}“ hat {fmt.number(probe.width)} × "
                                    f"{fmt.number(probe.height)} Bildpunkte; erlaubt sind höchstens "
                                    f"{fmt.number(MAX_PIXELS / 1e6)} Megapixel. Es wurde nichts gespeichert.")
                probe.verify()
            with Image.open(io.BytesIO(content)) as image:
                image.load()
                if keep_location:
                    return content
                return _without_location(image, kind) or content
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombWarning,
            Image.DecompressionBombError) as exc:
        raise broken from exc


def check(name: str, content: bytes, *, keep_location: bool = False) -> Attachment:
    """*content* as an :class:`Attachment`, or :class:`DataError` with a German message (nothing is stored)."""
    shown = name
    if not content:
        raise DataError(f"„{shown}“ ist leer. Es wurde nichts gespeichert.")
    if len(content) > MAX_BYTES:
        raise DataError(f"„{shown}“ ist {_megabytes(len(content))} groß; erlaubt sind höchstens "
                        f"{_megabytes(MAX_BYTES)} je Datei. Bitte das Foto verkleinern oder das PDF aufteilen. "
                        "Es wurde nichts gespeichert.")
    kind = media_type(content)
    if kind is None:
        raise DataError(f"„{shown}“ ist kein Foto (JPEG, PNG) und kein PDF; nur diese Dateiarten werden "
                        "angenommen, erkannt am Inhalt, nicht an der Endung. Es wurde nichts gespeichert.")
    if kind in PILLOW_FORMATS:
        content = _image(name, content, kind, keep_location)
    return Attachment(name, kind, content)


def has_location(content: bytes) -> bool:
    """Does this image carry an EXIF GPS block? (False for PDFs and unreadable files.)"""
    if media_type(content) not in PILLOW_FORMATS:
        return False
    try:
        with Image.open(io.BytesIO(content)) as image:
            return GPS_IFD in image.getexif()
    except (UnidentifiedImageError, OSError):
        return False


def check_all(named: Iterable[tuple[str, bytes]], *, keep_location: bool = False) -> tuple[list[Attachment], list[str]]:
    """Every file (name, content) checked by :func:`check`: the attachments and every refusal's German message
    (all of them, not only the first; with any refusal nothing is to be stored)."""
    found, refused = [], []
    for name, content in named:
        try:
            found.append(check(name, content, keep_location=keep_location))
        except DataError as exc:
            refused.append(str(exc))
    return found, refused
