import numpy as np
import pandas as pd

from bhdash.distinct import as_object, distinct_ids, per_distinct, per_distinct_frame


def _keys() -> pd.DataFrame:
    index = [10, 11, 12, 13, 14, 15]
    return pd.DataFrame({
        "payer": pd.Series(["Aetna", "Cigna", None, "Aetna", "Cigna", None], dtype="str", index=index),
        "units": [1.0, 2.0, 1.0, 1.0, 3.0, 1.0],
    }, index=index)


def test_distinct_ids_number_rows_in_order_of_first_appearance_with_missing_as_a_value():
    ids, first = distinct_ids(_keys())
    assert ids.tolist() == [0, 1, 2, 0, 3, 2]
    assert first.tolist() == [0, 1, 2, 4]


def test_distinct_ids_of_no_rows():
    ids, first = distinct_ids(_keys().iloc[:0])
    assert ids.tolist() == [] and first.tolist() == []


def test_per_distinct_computes_each_combination_once_and_maps_back():
    seen: list[int] = []

    def label(rows: pd.DataFrame) -> pd.Series:
        seen.append(len(rows))
        return rows["payer"].fillna("?") + "×" + rows["units"].astype(int).astype(str)

    result = per_distinct(_keys(), label)
    assert seen == [4]
    assert result.index.tolist() == [10, 11, 12, 13, 14, 15]
    assert result.tolist() == ["Aetna×1", "Cigna×2", "?×1", "Aetna×1", "Cigna×3", "?×1"]
    assert result.dtype == "str"


def test_per_distinct_equals_computing_every_row_including_nullable_dtypes():
    def is_aetna(rows: pd.DataFrame) -> pd.Series:
        return rows["payer"].astype("string").eq("Aetna")

    result = per_distinct(_keys(), is_aetna)
    pd.testing.assert_series_equal(result, is_aetna(_keys()))
    assert result.tolist() == [True, False, pd.NA, True, False, pd.NA]


def test_per_distinct_frame_maps_every_column_back():
    frame = per_distinct_frame(_keys(), lambda rows: pd.DataFrame(
        {"double": rows["units"] * 2, "known": rows["payer"].notna()}, index=rows.index))
    assert frame.index.tolist() == [10, 11, 12, 13, 14, 15]
    assert frame["double"].tolist() == [2.0, 4.0, 2.0, 2.0, 6.0, 2.0]
    assert frame["known"].tolist() == [True, True, False, True, True, False]


def test_as_object_matches_astype_object_for_each_text_dtype():
    for dtype in ("str", "string", "object"):
        values = pd.Series(["a", None, "b", "a"], dtype=dtype, index=[3, 4, 5, 6], name="payer")
        converted = as_object(values)
        pd.testing.assert_series_equal(converted, values.astype("object"))
    assert as_object(pd.Series(["a", None], dtype="str")).iloc[1] is not None
    assert np.isnan(as_object(pd.Series(["a", None], dtype="str")).iloc[1])
