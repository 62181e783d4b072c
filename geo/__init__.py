"""Domain and GIS logic of Flächenpool (no Streamlit imports here)."""

__version__ = "0.1.0"
"""The app's version (kept equal to pyproject.toml's, tested); backups and the Betrieb page name it."""
