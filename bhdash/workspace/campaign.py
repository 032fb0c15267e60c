"""The demo workspace's story in numbers (see `demo.py`); light, so `bhdash sample --help` can show them."""

DEMO_PRACTICE = "Lakeview Behavioral Health (demo)"
DEMO_MONTHS = 6  # monthly uploads saved by default
WINDOW_MONTHS = 3  # each monthly export covers the last three months of service
CAMPAIGN_MONTH = 4  # the upload from which the fix campaign shows
STILL_SLIPPING = 3  # after the campaign, one planted problem line in this many still reaches the export
MAX_DEMO_MONTHS = 12 - (WINDOW_MONTHS - 1)  # the sample generates at most 12 months of service
