"""Streamlit adapters shared by the pages: cached data access and common chrome."""
