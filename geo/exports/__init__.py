"""Council reports built from :class:`geo.summary.Report`: slides, PDF, tables, geodata.

No Streamlit here; the page offers the bytes these modules return as downloads.
"""
