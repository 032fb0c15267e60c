"""X12 835 electronic remittance advice: read, tabulate and match to claim lines.

    from bhdash.remit import read_remittances, remit_lines
    files = read_remittances(["era_folder/", "download.zip"])
    lines = remit_lines(files)
"""

from bhdash.remit.era import Adjustment, Payment, RemitClaim, RemitFile, RemitLine, read_835
from bhdash.remit.sources import read_remittance_bytes, read_remittances
from bhdash.remit.tables import remit_document, remit_lines

__all__ = [
    "Adjustment", "Payment", "RemitClaim", "RemitFile", "RemitLine", "read_835", "read_remittance_bytes",
    "read_remittances", "remit_document", "remit_lines",
]
