"""Streamlit glue for the dashboard (the only part of bhdash that imports Streamlit)."""
