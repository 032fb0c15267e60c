"""Turn a mapped claims sheet into the canonical claims frame plus its skipped rows."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from bhdash import normalize
from bhdash.ingest import accounting
from bhdash.ingest.layouts import resolve_names
from bhdash.ingest.mapping import ColumnMapping
from bhdash.ingest.roles import CLAIM_REQUIRED, CLAIMS, SheetAnalysis
from bhdash.model import (
    CLAIM_COLUMNS,
    DX_COLUMNS,
    MODIFIER_COLUMNS,
    PATIENT_ID,
    PHI_COLUMNS,
    SOURCE_ROW,
    UNREADABLE_PHI,
    field_kinds,
    raw_column,
)

_SPECIAL = {
    "procedure_code",
    *MODIFIER_COLUMNS,
    *DX_COLUMNS,
    "clinician_name",
    "clinician_credential",
    "payer_type",
    "patient_name",
    "patient_first_name",
    "patient_last_name",
}


@dataclass
class ClaimsBuild:
    claims: pd.DataFrame
    skipped: pd.DataFrame
    rows_read: int
    derived: list[ColumnMapping] = field(default_factory=list)


def _unread(raw: pd.Series, normalized: pd.Series) -> pd.Series:
    """The cell's text where it held something that did not read, else NaN (see model.RAW_SUFFIX).

    Only the cells that failed are cleaned: on a good column that is none, and cleaning a whole column
    costs as much as normalizing it.
    """
    failed = normalize.unparseable(raw, normalized)
    return normalize.clean_text(raw[failed]).reindex(raw.index)


def _normalize_codes(raw: dict[str, pd.Series], out: dict[str, pd.Series], bad: dict[str, pd.Series]) -> None:
    """Procedure code with glued modifiers, modifier cells and diagnosis cells, merged without repeats."""
    modifier_sources: list[pd.DataFrame] = []
    if "procedure_code" in raw:
        split = normalize.split_code(raw["procedure_code"])
        out["procedure_code"] = split["procedure_code"]
        bad["procedure_code"] = _unread(raw["procedure_code"], split["procedure_code"])
        modifier_sources.append(split[list(MODIFIER_COLUMNS)])
    for name in MODIFIER_COLUMNS:
        if name in raw:
            split = normalize.split_modifiers(raw[name])
            bad[name] = _unread(raw[name], split["modifier_1"])
            modifier_sources.append(split)
    if any(name in raw for name in MODIFIER_COLUMNS) or (
        modifier_sources and modifier_sources[0].notna().any().any()
    ):
        merged = normalize.merge_slots(modifier_sources, len(MODIFIER_COLUMNS), "modifier_")
        out.update({name: merged[name] for name in MODIFIER_COLUMNS})
    dx_sources = []
    for name in DX_COLUMNS:
        if name in raw:
            split = normalize.split_icd10(raw[name])
            bad[name] = split["unreadable"]
            dx_sources.append(split[list(DX_COLUMNS)])
    if dx_sources:
        merged = normalize.merge_slots(dx_sources, len(DX_COLUMNS), "dx_")
        out.update({name: merged[name] for name in DX_COLUMNS})


def _normalize_people(
    raw: dict[str, pd.Series], out: dict[str, pd.Series], bad: dict[str, pd.Series]
) -> None:
    if "clinician_name" in raw:
        split = normalize.split_name_credential(raw["clinician_name"])
        out["clinician_name"] = split["name"]
        bad["clinician_name"] = _unread(raw["clinician_name"], split["name"])
        credential = split["credential"]
        if "clinician_credential" in raw:
            credential = normalize.normalize_credential(raw["clinician_credential"]).fillna(credential)
        if credential.notna().any() or "clinician_credential" in raw:
            out["clinician_credential"] = credential
    elif "clinician_credential" in raw:
        out["clinician_credential"] = normalize.normalize_credential(raw["clinician_credential"])
    if "patient_name" in raw:
        out["patient_name"] = normalize.normalize_name(raw["patient_name"])
        bad["patient_name"] = _unread(raw["patient_name"], out["patient_name"])
    for part in ("patient_first_name", "patient_last_name"):
        if part in raw:
            out[part] = normalize.clean_text(raw[part])
    if "patient_first_name" in out or "patient_last_name" in out:
        parts = [out[part] for part in ("patient_first_name", "patient_last_name") if part in out]
        combined = parts[0].fillna("") if len(parts) == 1 else parts[0].fillna("") + " " + parts[1].fillna("")
        combined = normalize.normalize_name(combined.str.strip().replace("", np.nan))
        out["patient_name"] = out["patient_name"].fillna(combined) if "patient_name" in out else combined


def _patient_id(out: dict[str, pd.Series], index: pd.Index) -> pd.Series | None:
    """The member ID, else a hash of the patient's name key and birth date: computed only for the lines
    without a member ID, once per patient."""
    member = out.get("member_id")
    if "patient_name" not in out and member is None:
        return None
    key = member if member is not None else pd.Series(np.nan, index=index, dtype="str")
    unknown = key.isna().to_numpy()
    if "patient_name" in out and unknown.any():
        name = normalize.name_key(out["patient_name"][unknown])
        dob = (
            out["patient_dob"][unknown].dt.strftime("%Y-%m-%d")
            if "patient_dob" in out
            else pd.Series("", index=name.index, dtype="str")
        )
        text = (name + "|" + dob.fillna("")).where(name.notna())
        positions, patients = pd.factorize(text, use_na_sentinel=True)
        hashed = pd.util.hash_pandas_object(pd.Series(patients, dtype="str"), index=False)
        ids = np.append(hashed.map("P{:016x}".format).to_numpy(dtype=object), np.nan)
        key = key.fillna(pd.Series(ids[positions], index=name.index, dtype="str"))
    return key.astype("str")


def _normalize_fields(
    analysis: SheetAnalysis, data: pd.DataFrame, derived: list[ColumnMapping]
) -> tuple[dict[str, pd.Series], dict[str, pd.Series]]:
    fields = analysis.fields(CLAIMS)
    raw = {name: data[column] for name, column in fields.items()}
    kinds = field_kinds()
    out: dict[str, pd.Series] = {}
    bad: dict[str, pd.Series] = {}
    _normalize_codes(raw, out, bad)
    _normalize_people(raw, out, bad)
    for name, values in raw.items():
        if name in _SPECIAL:
            continue
        normalized = normalize.NORMALIZERS[kinds[name]](values)
        out[name] = normalized
        bad[name] = _unread(values, normalized)
    layout = analysis.layout
    if layout is not None:
        for name, parts in layout.sums.items():
            columns = resolve_names(parts, analysis.columns)
            if name in out or not columns:
                continue
            amounts = [normalize.normalize_money(data[column]) for column in columns]
            out[name] = pd.concat(amounts, axis=1).sum(axis=1, min_count=1)
            unread = [_unread(data[column], amount) for column, amount in zip(columns, amounts, strict=True)]
            bad[name] = pd.concat(unread, axis=1).bfill(axis=1).iloc[:, 0]
            derived.append(ColumnMapping(" + ".join(columns), name, 1.0, "derived"))
        for name in layout.absolute:
            if name in out:
                out[name] = out[name].abs()
    has_times = "start_time" in out and "end_time" in out
    if has_times and ("minutes" not in out or out["minutes"].isna().any()):
        span = normalize.minutes_between(out["start_time"], out["end_time"])
        if "minutes" not in out:
            derived.append(
                ColumnMapping(f"{fields['start_time']} → {fields['end_time']}", "minutes", 1.0, "derived")
            )
        out["minutes"] = out.get("minutes", span).fillna(span)
    if "payer_type" in raw or "payer" in out:
        plan = raw.get("payer_type")
        out["payer_type"] = normalize.normalize_payer_type(plan, out.get("payer"))
        if plan is None:
            derived.append(ColumnMapping(fields["payer"], "payer_type", 0.9, "derived"))
    patient_id = _patient_id(out, data.index)
    if patient_id is not None:
        out[PATIENT_ID] = patient_id
    return out, bad


def _repeated_header(data: pd.DataFrame) -> pd.Series:
    """Rows that repeat the header (multi-page exports print it on every page)."""
    names = pd.Series([str(column).strip().casefold() for column in data.columns], index=data.columns)
    # Cleaned as one column (each distinct value once): a column at a time cost ~4 ms a column.
    cells = normalize.clean_text(pd.Series(data.to_numpy(dtype=object).ravel(), dtype=object))
    texts = pd.DataFrame(cells.str.casefold().to_numpy(dtype=object).reshape(data.shape),
                         index=data.index, columns=data.columns)
    filled = texts.notna().sum(axis=1)
    same = texts.eq(names, axis=1).sum(axis=1)
    return (filled > 1) & (same * 2 >= filled)


def _row_reasons(
    analysis: SheetAnalysis, data: pd.DataFrame, out: dict[str, pd.Series], bad: dict[str, pd.Series]
) -> pd.Series:
    """Why each row is not a service line (NaN for the service lines).

    Only rows that lack a readable date of service or procedure code are candidates: a row that has both
    is a claim line whatever else it says. A candidate is skipped when it is blank, a repeated header, a
    total/summary, a layout's non-service row, or holds neither a date nor a code (not even an unreadable
    one). Every other row is a claim line, its unreadable values kept for the rules to report.
    """
    index = data.index
    nothing = pd.Series(np.nan, index=index, dtype="str")
    reasons = pd.Series(np.nan, index=index, dtype=object)
    candidates = pd.Series(False, index=index)
    for name in CLAIM_REQUIRED:
        candidates |= out[name].isna()
    layout = analysis.layout
    if layout is not None and layout.service_column:
        found = resolve_names((layout.service_column,), analysis.columns)
        if found:
            kind = normalize.clean_text(data[found[0]])
            allowed = {value.lower() for value in layout.service_values}
            other = kind.notna() & ~kind.str.lower().isin(allowed)
            reasons = reasons.mask(
                other, f"{accounting.NON_SERVICE} row ({found[0]} '" + kind.astype(object) + "')"
            )
    if not candidates.any():
        return reasons
    evidence = pd.Series(False, index=index)
    for name in CLAIM_REQUIRED:
        evidence |= out[name].notna() | bad.get(name, nothing).notna()
    reasons = reasons.mask(
        candidates & ~evidence & reasons.isna(),
        f"{accounting.NON_SERVICE} row (no date of service or procedure code)",
    )
    subset = data.loc[candidates]
    reasons = reasons.mask(
        accounting.summary_rows(subset).reindex(index, fill_value=False), f"{accounting.SUMMARY} row"
    )
    reasons = reasons.mask(
        _repeated_header(subset).reindex(index, fill_value=False), f"{accounting.TITLE} (repeated header)"
    )
    return reasons.mask(accounting.blank_rows(subset).reindex(index, fill_value=False), accounting.BLANK)


def _raw_columns(bad: dict[str, pd.Series], kept: pd.Index) -> dict[str, pd.Series]:
    """`<field>_raw` for every field with an unreadable value on a claim line (PHI replaced)."""
    columns = {}
    for name, text in bad.items():
        unread = text.loc[kept]
        if unread.notna().any():
            shown = unread.where(unread.isna(), UNREADABLE_PHI) if name in PHI_COLUMNS else unread
            columns[raw_column(name)] = shown.astype("str")
    return columns


def build_claims(analysis: SheetAnalysis, filename: str) -> ClaimsBuild:
    """Normalize every mapped field, classify every row, and return claim lines plus skipped rows."""
    cells = analysis.sheet.cells
    header = analysis.header_row or 0
    data = cells.iloc[header + 1 :].set_axis(analysis.columns, axis=1)
    derived: list[ColumnMapping] = []
    out, bad = _normalize_fields(analysis, data, derived)
    reasons = _row_reasons(analysis, data, out, bad)
    above = cells.iloc[:header]
    above_reasons = pd.Series(accounting.TITLE, index=above.index, dtype=object).mask(
        accounting.blank_rows(above), accounting.BLANK
    )
    all_reasons = pd.concat([above_reasons, reasons.dropna()])
    skipped = accounting.skipped_frame(
        filename, analysis.sheet.name, pd.Series(all_reasons.index + 1, index=all_reasons.index), all_reasons
    )
    kept = data.index[reasons.isna().to_numpy()]
    columns = {name: out[name].loc[kept] for name in CLAIM_COLUMNS if name in out}
    columns.update(_raw_columns(bad, kept))
    claims = normalize.as_contract_dtypes(pd.DataFrame(columns, index=kept).reset_index(drop=True))
    claims.insert(0, SOURCE_ROW, (kept + 1).to_numpy(dtype="int64"))
    return ClaimsBuild(claims=claims, skipped=skipped, rows_read=len(cells) - 1, derived=derived)
