import pandas as pd

from bhdash.ingest import ingest


def test_minutes_filled_from_times_only_where_blank(csv_file):
    result = ingest(
        csv_file(
            [
                "Date of Service,CPT Code,Start Time,End Time,Minutes",
                "2024-01-05,90837,2:00 PM,2:55 PM,",
                "2024-01-05,90834,3:00 PM,3:45 PM,40",
                "2024-01-05,90834,,,",
            ]
        )
    )
    assert result.claims["minutes"].fillna(-1).tolist() == [55.0, 40.0, -1.0]
    assert "derived" not in {m.method for m in result.mapping if m.field == "minutes"}


def test_split_first_last_names_combine_and_key_patients(csv_file):
    result = ingest(
        csv_file(
            [
                "Date of Service,First Name,Last Name,DOB,CPT Code",
                "2024-01-05,Jane,DOE,1980-01-02,90837",
                "2024-01-06,jane,doe,1980-01-02,90837",
            ]
        )
    )
    claims = result.claims
    assert claims["patient_name"].tolist() == ["Jane DOE", "Jane Doe"]
    assert claims["patient_id"].nunique() == 1
    assert claims["patient_id"].str.fullmatch(r"P[0-9a-f]{16}").all()


def test_dtypes_follow_the_data_contract(csv_file):
    claims = ingest(
        csv_file(
            [
                "Claim ID,Line,Date of Service,CPT Code,Units,Charge,POS,Start Time,Member ID",
                "1001,1,2024-01-05,90837,1,150,2,09:00,M1",
            ]
        )
    ).claims
    assert claims["source_row"].dtype == "int64"
    assert claims["service_date"].dtype == "datetime64[ns]"
    assert claims["start_time"].dtype == "timedelta64[ns]"
    for name in ("line_no", "units", "charge"):
        assert claims[name].dtype == "float64"
    for name in ("claim_id", "procedure_code", "pos", "member_id", "patient_id"):
        assert str(claims[name].dtype) == "str", name
    assert claims[["claim_id", "pos", "patient_id"]].values.tolist() == [["1001", "02", "M1"]]
    assert claims["service_date"].iloc[0] == pd.Timestamp("2024-01-05")


def test_a_line_missing_its_date_or_code_stays_a_claim_line(csv_file):
    result = ingest(csv_file(["Date of Service,CPT Code,Charge", ",90837,10", "2024-01-05,,10", ",,10"]))
    assert result.claims["source_row"].tolist() == [2, 3]
    assert result.claims["procedure_code"].isna().tolist() == [False, True]
    assert result.claims["service_date"].isna().tolist() == [True, False]
    assert result.claims["charge"].sum() == 20.0
    assert result.skipped["reason"].tolist() == ["non-service row (no date of service or procedure code)"]
