import pickle

import pandas as pd
import pytest

from bhdash.errors import InputFileError
from bhdash.payers import (
    ASSUMED,
    CONFIRMED,
    EDITABLE_SETTINGS,
    YOURS,
    PayerDirectory,
    assumption_note,
    default_directory,
    origin_column,
    payer_type_from_name,
)


def test_aliases_and_plan_names_resolve_to_canonical_payers() -> None:
    names = pd.Series(["Medicare Part B", "aetna ppo", "UHC", "Optum Behavioral Health", "Zeta Health", None])
    resolved = default_directory().canonical_payer(names)
    assert resolved.tolist()[:4] == ["Medicare", "Aetna", "UnitedHealthcare", "UnitedHealthcare"]
    assert resolved.isna().tolist()[4:] == [True, True]


def test_program_keyword_beats_commercial_alias() -> None:
    types = payer_type_from_name(pd.Series(["Aetna Better Health Medicaid", "Aetna", "Medi-Cal", "Nowhere"]))
    assert types.tolist()[:3] == ["medicaid", "commercial", "medicaid"]
    assert pd.isna(types.iloc[3])


def test_unknown_payer_falls_back_to_its_type_defaults() -> None:
    settings = default_directory().settings_for(
        pd.Series(["Aetna", "Zeta Health"]), pd.Series(["commercial", "medicaid"]))
    assert settings["payer_known"].tolist() == [True, False]
    assert settings["timely_filing_days"].tolist() == [120.0, 90.0]
    assert settings["payer_type"].tolist() == ["commercial", "medicaid"]
    assert settings.loc[1, "credential_modifiers"]


def test_user_file_overrides_and_adds_payers() -> None:
    user = (b"payer,aliases,payer_type,timely_filing_days\n"
            b"Aetna,Aetna,commercial,90\n"
            b"Zeta Health,Zeta;Zeta Health Plan,commercial,60\n")
    directory = PayerDirectory.load(user, "my_payers.csv")
    settings = directory.settings_for(pd.Series(["Aetna", "Zeta Health Plan", "Cigna"]))
    assert settings["timely_filing_days"].tolist() == [90.0, 60.0, 90.0]
    assert settings["payer_known"].all()
    assert settings.loc[1, "telehealth_pos"] == ("02", "10")


def test_user_file_with_bad_payer_type_names_file_row_and_column() -> None:
    user = b"payer,payer_type\nAetna,commercial\nZeta,hmo\n"
    with pytest.raises(InputFileError) as raised:
        PayerDirectory.load(user, "my_payers.csv")
    error = raised.value
    assert (error.file, error.row, error.column) == ("my_payers.csv", 3, "payer_type")
    assert "hmo" in str(error)


def test_the_shared_directory_remembers_no_payer_text_and_stays_bounded(monkeypatch):
    from bhdash import payers

    directory = payers.PayerDirectory.load()
    monkeypatch.setattr(payers, "RESOLVED_LIMIT", 3)
    names = pd.Series(["Aetna PPO Plus", "Jane's Own Plan", "Cigna", "Medicare Part B"])
    first = directory.canonical_payer(names).tolist()
    assert directory.canonical_payer(names).tolist() == first
    assert first[0] == "Aetna" and pd.isna(first[1])
    assert len(directory._resolved) <= 4
    assert all(isinstance(key, bytes) and b"Jane" not in key for key in directory._resolved)


def test_a_pickled_directory_leaves_its_memos_behind() -> None:
    # The dashboard's worker gets the directory pickled while another thread may be adding to the memos.
    directory = PayerDirectory.load()
    names = pd.Series(["Aetna PPO Plus", "Medicare Part B", "Cigna"])
    settings = directory.settings_for(names)
    assert len(directory._resolved) == 3 and len(directory._settings) == 1
    copied = pickle.loads(pickle.dumps(directory))
    assert (len(copied._resolved), len(copied._settings)) == (0, 0)
    assert len(directory._resolved) == 3  # the original keeps its own
    pd.testing.assert_frame_equal(copied.settings_for(names), settings)


def test_payer_types_are_inferred_once_per_name_and_remembered_by_digest() -> None:
    directory = PayerDirectory.load()
    names = pd.Series(["Aetna Better Health", "Jane's Own Plan", "Aetna Better Health", None, "Humana"])
    first = directory.payer_type(names)
    assert first.iloc[0] == first.iloc[2] == "medicaid" and pd.isna(first.iloc[1]) and pd.isna(first.iloc[3])
    assert len(directory._types) == 4  # three names and the missing one
    assert all(b"Jane" not in key for key in directory._types)
    pd.testing.assert_series_equal(directory.payer_type(names), first)
    assert len(directory._types) == 4
    assert len(pickle.loads(pickle.dumps(directory))._types) == 0


def test_the_lines_own_program_wins_over_its_brand() -> None:
    names = pd.Series([
        "UnitedHealthcare Community Plan", "Humana Medicare Advantage", "Aetna Better Health",
        "Aetna Medicare PPO", "Wellcare", "Molina Healthcare", "UHC", "Humana", "Medicare Part B",
    ])
    settings = default_directory().settings_for(names)
    assert settings["payer_type"].tolist() == [
        "medicaid", "medicare_advantage", "medicaid", "medicare_advantage", "medicare_advantage", "medicaid",
        "commercial", "medicare_advantage", "medicare"]
    assert settings["canonical_payer"].tolist()[:4] == ["UnitedHealthcare", "Humana", "Aetna", "Aetna"]
    # UHC's 90-day commercial limit (confirmed) describes another product than its Medicaid plan.
    assert settings["timely_filing_days"].tolist()[:2] == [90.0, 365.0]
    assert settings["confirmed"].tolist()[:2] == [False, False]
    assert settings.loc[6, "confirmed"]


def test_a_plan_type_column_wins_over_the_payer_name() -> None:
    settings = default_directory().settings_for(
        pd.Series(["UHC", "Aetna", "Humana", "Aetna Medicare PPO", "Medicare Part B"]),
        pd.Series(["medicaid", None, "medicare", "medicare", "medicare"], dtype="object"))
    # "Medicare" in the plan column of a Medicare Advantage plan's line keeps the more specific type.
    assert settings["payer_type"].tolist() == [
        "medicaid", "commercial", "medicare_advantage", "medicare_advantage", "medicare"]
    assert settings["timely_filing_days"].tolist()[:2] == [90.0, 120.0]
    assert settings["confirmed"].tolist()[:2] == [False, False]


@pytest.mark.parametrize("name", ["Self-Pay", "self pay", "Private Pay", "Cash", "Sliding Fee",
                                  "Sliding scale", "Client Pay", "Uninsured"])
def test_self_pay_spellings_are_not_insurance(name: str) -> None:
    settings = default_directory().settings_for(pd.Series([name]))
    assert settings.loc[0, "payer_type"] == "self_pay"
    assert pd.isna(settings.loc[0, "timely_filing_days"])
    assert settings.loc[0, "telehealth_modifiers"] == ()


def test_every_setting_says_where_it_comes_from() -> None:
    settings = default_directory().settings_for(
        pd.Series(["Medicare", "Medicaid", "Zeta Health"]), pd.Series([None, None, None]))
    assert settings["credential_modifiers_origin"].tolist() == [CONFIRMED, ASSUMED, ASSUMED]
    assert settings["timely_filing_days_origin"].tolist() == [CONFIRMED, ASSUMED, ASSUMED]
    assert settings["payer_type_origin"].tolist() == [CONFIRMED, CONFIRMED, ASSUMED]
    assert settings["out_of_network"].tolist() == [False, False, False]


def test_practice_settings_are_yours_unless_listed_as_assumed() -> None:
    user = (b"payer,payer_type,credential_modifiers,timely_filing_days,telehealth_modifiers,assumed\n"
            b"Medicaid,medicaid,no,180,none,timely_filing_days\n")
    settings = PayerDirectory.load(user, "mine.csv").settings_for(pd.Series(["Medicaid"]))
    row = settings.iloc[0]
    assert (row["credential_modifiers"], row["credential_modifiers_origin"]) == (False, YOURS)
    assert (row["timely_filing_days"], row["timely_filing_days_origin"]) == (180.0, ASSUMED)
    assert (row["telehealth_modifiers"], row["telehealth_modifiers_origin"]) == ((), YOURS)
    assert row["telehealth_pos_origin"] == ASSUMED  # not in the file: the shipped default stays


def test_payer_file_round_trips_values_and_origins() -> None:
    names = pd.Series(["Medicare Part B", "Medicaid", "Aetna PPO", "Zeta Health", "Medicaid"])
    table = default_directory().payer_file(names)
    assert table["payer"].tolist() == ["Aetna", "Medicaid", "Medicare", "Zeta Health"]
    assert table.loc[2, "telehealth_modifiers"] == "none"
    assert table.loc[2, "assumed"] == ""
    assert "credential_modifiers" in table.loc[1, "assumed"].split(";")
    reloaded = PayerDirectory.load(table.to_csv(index=False).encode(), "bhdash_payers.csv")
    pd.testing.assert_frame_equal(reloaded.payer_file(names), table)
    before = default_directory().settings_for(names)
    after = reloaded.settings_for(names)
    values = list(EDITABLE_SETTINGS)
    pd.testing.assert_frame_equal(after[values], before[values], check_dtype=False)
    origins = [origin_column(setting) for setting in EDITABLE_SETTINGS]
    # What was an unconfirmed default stays one; everything else in the file is now the practice's own.
    pd.testing.assert_frame_equal(after[origins].eq(ASSUMED), before[origins].eq(ASSUMED))


def test_assumption_note_names_the_unconfirmed_default_only() -> None:
    lines = default_directory().settings_for(pd.Series(["Medicaid", "Medicare"]))
    notes = assumption_note(lines, "timely_filing_days", pd.Series(["Medicaid allows 365 days to file",
                                                                    "Medicare allows 365 days to file"]))
    assert notes.iloc[0].startswith("Assumed: Medicaid allows 365 days to file (a shipped default not "
                                    "confirmed for this payer")
    assert pd.isna(notes.iloc[1])
