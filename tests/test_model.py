import pandas as pd

from bhdash.model import Roster


def test_credentials_for_prefers_the_line_then_the_roster_upper_case() -> None:
    roster = Roster(
        clinicians=pd.DataFrame({"clinician_name": ["Ana Ruiz", "Bo Chen"], "credential": ["lcsw", "MD"]})
    )
    claims = pd.DataFrame(
        {
            "clinician_name": ["Ana Ruiz", "Bo Chen", "Cy Dunn", "Ana Ruiz"],
            "clinician_credential": [None, "PMHNP", None, None],
        }
    )
    assert roster.credentials_for(claims).tolist()[:2] == ["LCSW", "PMHNP"]
    assert pd.isna(roster.credentials_for(claims).iloc[2])
    assert roster.credentials_for(claims).iloc[3] == "LCSW"


def test_credentials_for_without_clinician_columns_is_all_missing() -> None:
    claims = pd.DataFrame({"procedure_code": ["90834", "90837"]})
    assert Roster().credentials_for(claims).isna().all()


def test_every_family_has_a_plain_name() -> None:
    from bhdash.model import FAMILIES, FAMILY_NAMES

    assert set(FAMILY_NAMES) == set(FAMILIES)
    assert FAMILY_NAMES["PTP"] == "Code pairs on the same day"
