"""Domain and GIS logic of Flächenpool (no Streamlit imports here)."""
