"""Monitoring of measures (DOMAIN.md, "Monitoring"): implementation states, inspections, documents, flags.

- :mod:`geo.monitoring.schedule`: when the next check of a measure is due (settings table per measure type);
- :mod:`geo.monitoring.status`: each area's state, due dates and flags, and where flagged points are used;
- :mod:`geo.monitoring.files`: photos and PDFs checked by content, EXIF location removed;
- :mod:`geo.monitoring.delegation`: who inspects for whom (the process handbook's monitoring partners) and who
  may record inspections;
- :mod:`geo.monitoring.records`: the writes (permission checked, one store transaction each);
- :mod:`geo.monitoring.cadastre`: the export for the state's compensation cadastre (KoKa-Nat).
"""
