"""The CARC/RARC table: descriptions, preventing families and which adjustments are denials."""

import pandas as pd

from bhdash.model import FAMILIES
from bhdash.reference import load_table
from bhdash.remit.codes import describe, normal_adjustment, preventing_families


def test_every_row_has_a_source_and_known_families() -> None:
    table = load_table("carc_rarc.csv")
    assert table["source"].notna().all()
    assert set(table["kind"]) == {"CARC", "RARC"} and table["denial"].isin(["yes", "no"]).all()
    families = {family for text in table["prevented_by"].dropna() for family in text.split(";")}
    assert families <= set(FAMILIES)


def test_issue_mapping_of_carcs_to_families() -> None:
    codes = pd.Series(["CO-16", "CO-50", "CO-11", "CO-18", "CO-97", "CO-29", "CO-185", "CO-B7", "CO-5",
                       "CO-197"])
    families = preventing_families(codes).tolist()
    assert "DATA" in families[0] and "DX" in families[1] and families[2] == ["DX"]
    assert families[3] == ["DUP"] and set(families[4]) == {"PTP", "ADDON"} and families[5] == ["TIMELY"]
    assert set(families[6]) == set(families[7]) == {"CRED", "SCOPE"} and families[8] == ["TELE"]
    assert families[9] == []


def test_descriptions_and_unknown_codes() -> None:
    assert describe(pd.Series(["CO-29", "X9"])).tolist() == [
        "time limit for filing has expired", "reason code X9 (not in bhdash's CARC table)"]


def test_normal_adjustments_are_not_denials() -> None:
    assert normal_adjustment("CO", "45") and normal_adjustment("PR", "2") and normal_adjustment("PR", "1")
    assert not normal_adjustment("CO", "50") and not normal_adjustment("PR", "204")
    assert not normal_adjustment("CO", "999")
