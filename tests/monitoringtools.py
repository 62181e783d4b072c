"""Photos and PDFs for the monitoring tests, made in memory."""

from __future__ import annotations

import io

from PIL import Image

from geo.monitoring.files import GPS_IFD


def photo(*, color: str = "green", fmt: str = "JPEG", gps: bool = False, size: tuple[int, int] = (64, 48)) -> bytes:
    """A small photo; with *gps* it carries an EXIF GPS block (51° 21' N, 12° 44' E)."""
    image = Image.new("RGB", size, color)
    exif = Image.Exif()
    exif[0x010F] = "Testkamera"  # Make
    if gps:
        exif[GPS_IFD] = {1: "N", 2: (51.0, 21.0, 0.0), 3: "E", 4: (12.0, 44.0, 0.0)}
    out = io.BytesIO()
    image.save(out, format=fmt, exif=exif.tobytes())
    return out.getvalue()


PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
       b"trailer<</Root 1 0 R>>\n%%EOF\n")
