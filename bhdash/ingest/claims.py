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
    SOURCE_ROW,
    field_kinds,
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


def _normalize_codes(raw: dict[str, pd.Series], out: dict[str, pd.Series], bad: dict[str, pd.Series]) -> None:
    """Procedure code with glued modifiers, modifier cells and diagnosis cells, merged without repeats."""
    modifier_sources: list[pd.DataFrame] = []
    if "procedure_code" in raw:
        split = normalize.split_code(raw["procedure_code"])
        out["procedure_code"] = split["procedure_code"]
        bad["procedure_code"] = normalize.unparseable(raw["procedure_code"], split["procedure_code"])
        modifier_sources.append(split[list(MODIFIER_COLUMNS)])
    for name in MODIFIER_COLUMNS:
        if name in raw:
            split = normalize.split_modifiers(raw[name])
            bad[name] = normalize.unparseable(raw[name], split["modifier_1"])
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
            bad[name] = normalize.unparseable(raw[name], split["dx_1"])
            dx_sources.append(split)
    if dx_sources:
        merged = normalize.merge_slots(dx_sources, len(DX_COLUMNS), "dx_")
        out.update({name: merged[name] for name in DX_COLUMNS})


def _normalize_people(
    raw: dict[str, pd.Series], out: dict[str, pd.Series], bad: dict[str, pd.Series]
) -> None:
    if "clinician_name" in raw:
        split = normalize.split_name_credential(raw["clinician_name"])
        out["clinician_name"] = split["name"]
        bad["clinician_name"] = normalize.unparseable(raw["clinician_name"], split["name"])
        credential = split["credential"]
        if "clinician_credential" in raw:
            credential = normalize.normalize_credential(raw["clinician_credential"]).fillna(credential)
        if credential.notna().any() or "clinician_credential" in raw:
            out["clinician_credential"] = credential
    elif "clinician_credential" in raw:
        out["clinician_credential"] = normalize.normalize_credential(raw["clinician_credential"])
    if "patient_name" in raw:
        out["patient_name"] = normalize.normalize_name(raw["patient_name"])
        bad["patient_name"] = normalize.unparseable(raw["patient_name"], out["patient_name"])
    for part in ("patient_first_name", "patient_last_name"):
        if part in raw:
            out[part] = normalize.clean_text(raw[part])
    if "patient_first_name" in out or "patient_last_name" in out:
        parts = [out[part] for part in ("patient_first_name", "patient_last_name") if part in out]
        combined = parts[0].fillna("") if len(parts) == 1 else parts[0].fillna("") + " " + parts[1].fillna("")
        combined = normalize.normalize_name(combined.str.strip().replace("", np.nan))
        out["patient_name"] = out["patient_name"].fillna(combined) if "patient_name" in out else combined


def _patient_id(out: dict[str, pd.Series], index: pd.Index) -> pd.Series | None:
    member = out.get("member_id")
    if "patient_name" not in out and member is None:
        return None
    key = pd.Series(np.nan, index=index, dtype="str")
    if "patient_name" in out:
        name = normalize.name_key(out["patient_name"])
        dob = (
            out["patient_dob"].dt.strftime("%Y-%m-%d")
            if "patient_dob" in out
            else pd.Series("", index=index, dtype="str")
        )
        text = (name + "|" + dob.fillna("")).where(name.notna())
        hashed = pd.util.hash_pandas_object(text.fillna(""), index=False).map("P{:016x}".format)
        key = hashed.where(text.notna()).astype("str")
    if member is not None:
        key = member.fillna(key)
    return key.astype("str")


def _normalize_fields(
    analysis: SheetAnalysis, data: pd.DataFrame, derived: list[ColumnMapping]
) -> tuple[dict[str, pd.Series], ...]:
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
        bad[name] = normalize.unparseable(values, normalized)
    layout = analysis.layout
    if layout is not None:
        for name, parts in layout.sums.items():
            columns = resolve_names(parts, analysis.columns)
            if name in out or not columns:
                continue
            amounts = [normalize.normalize_money(data[column]) for column in columns]
            out[name] = pd.concat(amounts, axis=1).sum(axis=1, min_count=1)
            bad[name] = pd.concat(
                [
                    normalize.unparseable(data[column], amount)
                    for column, amount in zip(columns, amounts, strict=True)
                ],
                axis=1,
            ).any(axis=1)
            raw[name] = data[columns[0]]
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
    return out, bad, raw


def _row_reasons(
    analysis: SheetAnalysis,
    data: pd.DataFrame,
    out: dict[str, pd.Series],
    bad: dict[str, pd.Series],
    raw: dict[str, pd.Series],
) -> pd.Series:
    reasons = pd.Series(np.nan, index=data.index, dtype=object)
    for name in reversed(CLAIM_REQUIRED):
        missing = out[name].isna() & ~bad.get(name, pd.Series(False, index=data.index))
        reasons = reasons.mask(missing, f"{accounting.MISSING} {name}")
    for name in reversed([column for column in CLAIM_COLUMNS if column in bad]):
        mask = bad[name]
        if mask.any():
            reasons = reasons.mask(mask, accounting.unparseable_reason(name, raw[name][mask]))
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
    candidates = reasons.notna()
    if candidates.any():
        subset = data.loc[candidates]
        reasons = reasons.mask(
            accounting.summary_rows(subset).reindex(data.index, fill_value=False), f"{accounting.SUMMARY} row"
        )
        blank = accounting.blank_rows(subset).reindex(data.index, fill_value=False)
        reasons = reasons.mask(blank, accounting.BLANK)
    return reasons


def build_claims(analysis: SheetAnalysis, filename: str) -> ClaimsBuild:
    """Normalize every mapped field, classify every row, and return claim lines plus skipped rows."""
    cells = analysis.sheet.cells
    header = analysis.header_row or 0
    data = cells.iloc[header + 1 :].set_axis(analysis.columns, axis=1)
    derived: list[ColumnMapping] = []
    out, bad, raw = _normalize_fields(analysis, data, derived)
    reasons = _row_reasons(analysis, data, out, bad, raw)
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
    claims = normalize.as_contract_dtypes(pd.DataFrame(columns, index=kept).reset_index(drop=True))
    claims.insert(0, SOURCE_ROW, (kept + 1).to_numpy(dtype="int64"))
    return ClaimsBuild(claims=claims, skipped=skipped, rows_read=len(cells) - 1, derived=derived)
