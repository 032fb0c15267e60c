"""bhdash dashboard entrypoint (placeholder until the dashboard lands)."""

import streamlit as st

st.set_page_config(page_title="bhdash", layout="wide")
st.title("bhdash")
st.write("Coding and credentialing checks for behavioral-health claims.")
