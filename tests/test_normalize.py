import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bhdash import normalize


def series(*values):
    return pd.Series(list(values), dtype=object)


def test_dates_mixed_in_one_column():
    values = series(
        45296,
        "2024-01-05",
        "1/5/2024",
        "01/05/24",
        dt.datetime(2024, 1, 5, 13, 30),
        dt.date(2024, 1, 5),
        45296.75,
        "20240105",
        None,
        "not a date",
    )
    result = normalize.normalize_date(values)
    assert result.dtype == "datetime64[ns]"
    assert result.iloc[:8].tolist() == [pd.Timestamp("2024-01-05")] * 8
    assert result.iloc[8:].isna().all()


def test_dates_from_numeric_column_are_excel_serials():
    result = normalize.normalize_date(pd.Series([45292.0, np.nan]))
    assert result.iloc[0] == pd.Timestamp("2024-01-01")
    assert pd.isna(result.iloc[1])


def test_times_from_text_fractions_and_clock_cells():
    values = series(
        "2:00 PM",
        "14:00",
        "2 pm",
        "12:15 AM",
        "12:30 pm",
        0.5,
        dt.time(9, 30),
        "2024-01-05 14:30:00",
        "noon-ish",
        "25:00",
        None,
    )
    result = normalize.normalize_time(values)
    expected = [
        "14:00:00",
        "14:00:00",
        "14:00:00",
        "00:15:00",
        "12:30:00",
        "12:00:00",
        "09:30:00",
        "14:30:00",
    ]
    assert result.iloc[:8].tolist() == [pd.Timedelta(text) for text in expected]
    assert result.iloc[8:].isna().all()


def test_minutes_between_crosses_midnight():
    start = normalize.normalize_time(series("2:00 PM", "11:30 PM"))
    end = normalize.normalize_time(series("2:53 PM", "12:20 AM"))
    assert normalize.minutes_between(start, end).tolist() == [53.0, 50.0]


@pytest.mark.parametrize(
    ("raw", "code", "modifiers"),
    [
        ("90837-95", "90837", ["95"]),
        ("90837 95", "90837", ["95"]),
        ("HC:90837:GT", "90837", ["GT"]),
        ("hc:90834:95:HO", "90834", ["95", "HO"]),
        (90837.0, "90837", []),
        ("H0031", "H0031", []),
    ],
)
def test_split_code_separates_glued_modifiers(raw, code, modifiers):
    split = normalize.split_code(series(raw))
    assert split["procedure_code"].iloc[0] == code
    found = [value for value in split.iloc[0, 1:].tolist() if isinstance(value, str)]
    assert found == modifiers


@pytest.mark.parametrize("raw", ["9083", "90837-9", "ABC", "90837-95-GT-HO-HQ-U1"])
def test_split_code_rejects_malformed_codes(raw):
    assert normalize.split_code(series(raw))["procedure_code"].isna().all()


def test_merge_slots_joins_glued_and_separate_modifiers_without_duplicates():
    glued = normalize.split_code(series("90837-95", "90834", "90837-GT"))
    separate = normalize.split_modifiers(series("95", "HO, GT", None))
    merged = normalize.merge_slots([glued.iloc[:, 1:], separate], 4, "modifier_")
    assert merged.fillna("").values.tolist() == [["95", "", "", ""], ["HO", "GT", "", ""], ["GT", "", "", ""]]


def test_npis_stored_as_numbers_become_ten_digit_text():
    result = normalize.normalize_npi(
        series(1234567893.0, 1234567893, "1234567893", " 123-456-7893 ", "12345678901", "abc")
    )
    assert result.tolist()[:4] == ["1234567893"] * 4
    assert result.iloc[4:].isna().all()


def test_icd10_with_and_without_dot():
    result = normalize.normalize_icd10(series("F411", "F41.1", "f32a", "Z630", "F43.10", "F32", "Q", "U07.1"))
    assert result.tolist()[:6] == ["F41.1", "F41.1", "F32.A", "Z63.0", "F43.10", "F32"]
    assert pd.isna(result.iloc[6])
    assert pd.isna(result.iloc[7])  # U codes are not ICD-10-CM diagnosis letters here


def test_split_icd10_lists_several_codes():
    split = normalize.split_icd10(series("F411, F32.9", "F43.10", "F41.1; 296.32 F4"))
    assert split.fillna("").values.tolist() == [
        ["F41.1", "F32.9", "", "", ""], ["F43.10", "", "", "", ""], ["F41.1", "", "", "", "296.32, F4"]
    ]


def test_money_strings():
    result = normalize.normalize_money(
        series("$1,234.00", "(45.00)", "45.00-", "-$3.50", 12, "USD 10", "n/a")
    )
    assert result.tolist()[:6] == [1234.0, -45.0, -45.0, -3.5, 12.0, 10.0]
    assert np.isnan(result.iloc[6])


@pytest.mark.parametrize(
    ("raw", "name", "credential"),
    [
        ("KIM, ALEX LCSW", "Alex Kim", "LCSW"),
        ("Alex Kim", "Alex Kim", None),
        ("Alex Kim, LCSW", "Alex Kim", "LCSW"),
        ("Jordan Lee PMHNP-BC", "Jordan Lee", "PMHNP"),
        ("Rivera, Sam, Ph.D.", "Sam Rivera", "PHD"),
        ("Alex Do", "Alex Do", None),  # a surname that is also a credential is not peeled
        ("o'brien, pat", "Pat O'Brien", None),
    ],
)
def test_names_in_both_orders_with_credentials(raw, name, credential):
    split = normalize.split_name_credential(series(raw))
    assert split["name"].iloc[0] == name
    assert (
        split["credential"].iloc[0] if isinstance(split["credential"].iloc[0], str) else None
    ) == credential


@pytest.mark.parametrize(("raw", "canonical"), [
    ("LCMHC", "LMHC"), ("LPCC", "LPCC"), ("LISW", "LCSW"), ("LISW-S", "LCSW"), ("LICSW", "LCSW"),
    ("LP", "PHD"), ("LCDC", "LCADC"), ("CADC", "LCADC"), ("LADC", "LCADC"), ("LIMHP", "LMHC"),
    ("LPCMH", "LPC"), ("LMHC", "LMHC"), ("LMHP", "LMHC"), ("LCPC", "LCPC"), ("LPC", "LPC"),
    ("PhD, LMFT", "LMFT"), ("Ph.D. / LPC", "LPC"), ("PsyD, LCSW", "LCSW"), ("MD, PhD", "MD"),
    ("LCSW, LCADC", "LCSW"), ("PhD", "PHD"),
])
def test_state_credential_titles_and_combinations(raw, canonical):
    assert normalize.normalize_credential(series(raw)).tolist() == [canonical]


def test_name_with_degree_and_licence_is_billed_under_the_licence():
    split = normalize.split_name_credential(series("Jo Park, PhD, LMFT", "Lee, Sam LISW-S"))
    assert split.values.tolist() == [["Jo Park", "LMFT"], ["Sam Lee", "LCSW"]]


def test_credentials_canonical():
    result = normalize.normalize_credential(series("Ph.D.", "licsw", "LPC-A", "PsyD", "PhD, LCSW", "RN"))
    assert result.tolist() == ["PHD", "LCSW", "LPC-A", "PSYD", "LCSW", "RN"]
    assert normalize.is_known_credential(result).tolist() == [True] * 5 + [False]


def test_pos_two_digits():
    result = normalize.normalize_pos(series(2, "11 - Office", "02", 10.0, "Telehealth"))
    assert result.tolist()[:4] == ["02", "11", "02", "10"]
    assert pd.isna(result.iloc[4])


def test_payer_type_from_plan_column_then_payer_name():
    result = normalize.normalize_payer_type(
        series("Medicare Part B", "Commercial PPO", None, None),
        series("Aetna", "Medicare", "Medicaid", "Unheard Of Health"),
    )
    assert result.iloc[:3].tolist() == ["medicare", "commercial", "medicaid"]
    assert pd.isna(result.iloc[3])


def test_text_ids_lose_float_suffix_and_blanks_become_nan():
    result = normalize.clean_text(series(12345.0, "  A  B ", "", "   ", None))
    assert result.iloc[:2].tolist() == ["12345", "A B"]
    assert result.iloc[2:].isna().all()
    assert str(result.dtype) == "str"


def test_unparseable_flags_present_but_unreadable_cells_only():
    raw = series("2024-01-05", "garbage", "  ", None)
    assert normalize.unparseable(raw, normalize.normalize_date(raw)).tolist() == [False, True, False, False]


# Property-based tests -------------------------------------------------------------------------------


@given(st.decimals(min_value=-10_000_000, max_value=10_000_000, places=2, allow_nan=False))
def test_money_round_trip_with_symbols_and_sign(amount):
    value = float(amount)
    text = f"${abs(value):,.2f}"
    formatted = f"({text})" if value < 0 else text
    parsed = normalize.normalize_money(series(formatted, f"{value:.2f}")).tolist()
    assert parsed == [pytest.approx(value), pytest.approx(value)]
    assert (parsed[0] < 0) == (value < 0)


@given(st.integers(min_value=0, max_value=9_999_999_999))
def test_npi_zero_padding_from_int_float_and_text(number):
    expected = str(number).zfill(10)
    result = normalize.normalize_npi(series(number, float(number), str(number)))
    assert result.tolist() == [expected] * 3


@given(st.from_regex(r"[A-TV-Z][0-9][0-9A-Z](\.?[0-9A-Z]{1,4})?", fullmatch=True))
def test_icd10_idempotent_and_dot_insensitive(code):
    once = normalize.normalize_icd10(series(code))
    twice = normalize.normalize_icd10(once.astype(object))
    undotted = normalize.normalize_icd10(series(code.replace(".", "")))
    assert once.tolist() == twice.tolist() == undotted.tolist()
    assert once.iloc[0] == once.iloc[0].upper()


@given(st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(2199, 12, 31)))
def test_dates_round_trip_through_serial_iso_and_us_text(day):
    serial = (pd.Timestamp(day) - pd.Timestamp("1899-12-30")).days
    values = series(serial, day.isoformat(), f"{day.month}/{day.day}/{day.year}", day)
    assert normalize.normalize_date(values).tolist() == [pd.Timestamp(day)] * 4


@given(st.integers(min_value=0, max_value=23), st.integers(min_value=0, max_value=59))
def test_time_formats_agree(hour, minute):
    twelve = f"{(hour % 12) or 12}:{minute:02d} {'PM' if hour >= 12 else 'AM'}"
    values = series(twelve, f"{hour:02d}:{minute:02d}", (hour * 60 + minute) / 1440, dt.time(hour, minute))
    assert normalize.normalize_time(values).tolist() == [pd.Timedelta(hours=hour, minutes=minute)] * 4


@given(
    st.from_regex(r"[0-9]{5}|[A-Z][0-9]{4}", fullmatch=True),
    st.lists(st.sampled_from(["95", "GT", "HO", "HN", "25", "59"]), max_size=4, unique=True),
    st.sampled_from(["-", " ", ":", ","]),
)
def test_glued_code_round_trip(code, modifiers, separator):
    split = normalize.split_code(series(separator.join([code, *modifiers])))
    assert split["procedure_code"].iloc[0] == code
    assert [value for value in split.iloc[0, 1:].tolist() if isinstance(value, str)] == modifiers


@given(
    st.sampled_from(["Alex", "Jordan", "Sam", "Casey"]),
    st.sampled_from(["Kim", "Lee", "Rivera", "Park"]),
    st.sampled_from(["", " LCSW", ", PhD", " LMFT"]),
)
def test_name_key_is_order_case_and_credential_insensitive(first, last, suffix):
    keys = normalize.name_key(
        series(
            f"{first} {last}", f"{last.upper()}, {first.upper()}{suffix.upper()}", f"{last}, {first}{suffix}"
        )
    )
    assert keys.nunique() == 1
    assert keys.iloc[0] == " ".join(sorted([first.lower(), last.lower()]))


@given(
    st.lists(
        st.sampled_from(["90837-95", "Alex Kim", "$12.00", None, 45292, "F411"]), min_size=1, max_size=30
    )
)
def test_clean_text_idempotent(values):
    once = normalize.clean_text(series(*values))
    pd.testing.assert_series_equal(normalize.clean_text(once.astype(object)), once)
    assert once.isna().tolist() == [value is None for value in values]


CELLS = st.one_of(
    st.none(),
    st.text(max_size=30),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.datetimes(min_value=dt.datetime(1800, 1, 1), max_value=dt.datetime(2300, 1, 1)),
    st.dates(),
    st.times(),
    st.booleans(),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(CELLS, min_size=1, max_size=12))
def test_normalizers_never_raise_and_keep_the_index(values):
    raw = pd.Series(values, dtype=object, index=range(10, 10 + len(values)))
    for normalizer in (
        *normalize.NORMALIZERS.values(),
        normalize.split_code,
        normalize.split_modifiers,
        normalize.split_icd10,
        normalize.split_name_credential,
        normalize.name_key,
    ):
        result = normalizer(raw)
        assert list(result.index) == list(raw.index), normalizer.__name__
    failed = normalize.unparseable(raw, normalize.normalize_date(raw))
    assert failed.dtype == bool


def test_contract_dtypes_by_field_kind_with_unknown_columns_as_text():
    frame = pd.DataFrame(
        {
            "service_date": series("2024-01-05", None),
            "start_time": series(pd.Timedelta(hours=14), None),
            "charge": series(150, None),
            "procedure_code": series("90837", None),
            "patient_id": series("P1", None),
            "effective_date": series(None, None),
        }
    ).astype({"service_date": "datetime64[ns]"})
    typed = normalize.as_contract_dtypes(frame)
    assert {name: str(dtype) for name, dtype in typed.dtypes.items()} == {
        "service_date": "datetime64[ns]",
        "start_time": "timedelta64[ns]",
        "charge": "float64",
        "procedure_code": "str",
        "patient_id": "str",
        "effective_date": "datetime64[ns]",
    }
    assert typed["procedure_code"].isna().tolist() == [False, True]
    assert typed["charge"].tolist()[0] == 150.0
