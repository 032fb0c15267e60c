"""Report output of a check run: the JSON document, the terminal summary, and findings tables for export.

The JSON shape is the public contract of `bhdash check --format json` (issue 3 §5); `row` is always the
row number as the user's spreadsheet shows it, and every claim line appears in `lines`. The JSON and the
terminal table carry no patient columns. The findings workbook and CSV are the user's own export of their
own data, made for a biller to work from: they carry the claim ID, patient name, member ID and date of
service where the upload has them, under readable headers, and no internal columns.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from itertools import repeat
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import pandas as pd

from bhdash import export, money
from bhdash.analysis import Analysis
from bhdash.model import FAMILIES, SEVERITIES
from bhdash.reference import sources
from bhdash.rules import REGISTRY
from bhdash.text import plural

FINDING_EXPORT_COLUMNS: tuple[str, ...] = (
    "row", "rule", "family", "severity", "title", "message", "claim_id", "clinician", "payer", "code",
    "service_date", "amount", money.FINDING_DOLLARS, "fix", "source",
)
# The findings export a biller works from: column → header, in this order. Patient columns come from the
# claim line; a column the upload does not have is left out.
BILLER_HEADERS: dict[str, str] = {
    "row": "Row in your file", "claim_id": "Claim ID", "patient_name": "Patient", "member_id": "Member ID",
    "service_date": "Date of service", "clinician": "Clinician", "payer": "Payer", "code": "Procedure code",
    "severity": "Severity", "rule": "Rule", "title": "Problem", "message": "What we found",
    "fix": "How to fix", "amount": "Charge", money.FINDING_DOLLARS: "At risk", "source": "Source",
}
RULE_HEADERS: dict[str, str] = {
    "id": "Rule", "family": "Family", "severity": "Severity", "title": "Problem", "status": "Status",
    "reason": "Why it did not run", "findings": "Findings", "rationale": "Why it matters",
    "fix": "How to fix", "source": "Source", "citations": "Full citations", "effective": "In effect",
    "needs": "Columns it needs",
}
SUMMARY_HEADERS: dict[str, str] = {
    "family": "Family", "severity": "Severity", "findings": "Findings", "lines": "Claim lines",
    "at_risk": "At risk",
}
# A finding in the JSON carries its rule's id and its own facts; the rule's family, severity, title, fix and
# source are stated once in the document's `rules` list (repeating them made a 100k-line report ~270 MB).
_JSON_FINDING_KEYS: tuple[str, ...] = (
    "row", "rule", "message", "claim_id", "clinician", "payer", "code", "service_date", "amount",
    money.FINDING_DOLLARS,
)
_JSON_RULE_KEYS: tuple[str, ...] = (
    "id", "family", "severity", "title", "status", "reason", "findings", "fix", "source",
)
REPORT_VERSION = 2  # 2: findings name their rule by id; rule metadata once, under `rules`
TOP_FINDINGS = 15


def _plain(value: Any) -> Any:
    """A JSON-ready scalar: missing → None, numpy numbers → Python numbers, dates → ISO dates."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float | np.floating) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    if isinstance(value, np.bool_):
        return bool(value)
    return value


def _all_text(values: pd.Series) -> bool:
    if not pd.api.types.is_string_dtype(values.dtype):
        return False
    return values.dtype != object or pd.api.types.infer_dtype(values, skipna=True) in ("string", "empty")


def _plain_column(values: pd.Series) -> list[Any]:
    """`_plain` for a whole column at once: dates, numbers and text are converted vectorized, per value
    only for columns of mixed Python objects (a 100k-line report has millions of cells)."""
    if isinstance(values.dtype, pd.StringDtype) and values.dtype.storage == "pyarrow":
        import pyarrow as pa

        return pa.array(values.array).to_pylist()  # text and None straight from Arrow
    if values.dtype.kind == "M":  # each distinct date formatted once
        positions, dates = pd.factorize(values)
        return np.append(dates.strftime("%Y-%m-%d").to_numpy(dtype=object), None)[positions].tolist()
    missing = values.isna().to_numpy()
    if pd.api.types.is_numeric_dtype(values.dtype) or _all_text(values):
        plain = values.to_numpy(dtype=object, copy=True)
    else:
        return [_plain(value) for value in values.tolist()]
    plain[missing] = None
    return plain.tolist()


def _records(frame: pd.DataFrame, keys: tuple[str, ...] | list[str]) -> list[dict[str, Any]]:
    present = [key for key in keys if key in frame.columns]
    columns = [_plain_column(frame[key]) for key in present]
    # zip called through map takes no `strict` keyword, which costs a quarter of the time on every record
    return list(map(dict, map(zip, repeat(present), zip(*columns, strict=True))))


def findings_table(analysis: Analysis) -> pd.DataFrame:
    """Findings in report order (severity, then row) with the report columns (no patient columns)."""
    findings = analysis.check.findings
    table = findings[list(FINDING_EXPORT_COLUMNS)].copy()
    for column in ("amount", money.FINDING_DOLLARS):
        table[column] = table[column].astype("float64").round(2)
    return table


def _patient_name(claims: pd.DataFrame) -> pd.Series | None:
    if "patient_name" in claims.columns and claims["patient_name"].notna().any():
        return claims["patient_name"]
    parts = [claims[column].astype("string") for column in ("patient_first_name", "patient_last_name")
             if column in claims.columns and claims[column].notna().any()]
    if not parts:
        return None
    return parts[0].str.cat(parts[1:], sep=" ", na_rep="").str.strip() if len(parts) > 1 else parts[0]


def biller_table(analysis: Analysis, findings: pd.DataFrame | None = None) -> pd.DataFrame:
    """The findings (all, or the ones given, e.g. as filtered on the Findings page) with the identifiers a
    biller needs to find each claim, under readable headers (BILLER_HEADERS)."""
    findings = analysis.check.findings if findings is None else findings
    table = findings[[column for column in FINDING_EXPORT_COLUMNS if column != "family"]].copy()
    for column in ("amount", money.FINDING_DOLLARS):
        table[column] = table[column].astype("float64").round(2)
    table["source"] = table["source"].map(sources.in_words)  # full citations: the Rules sheet
    claims = analysis.claims
    line = findings["line_index"]
    on_line = line.notna().to_numpy()
    positions = line[on_line].astype("int64")
    for column, values in (("patient_name", _patient_name(claims)),
                           ("member_id", claims["member_id"] if "member_id" in claims.columns else None)):
        if values is not None and values.notna().any():
            filled = pd.Series(pd.NA, index=findings.index, dtype="object")
            filled[on_line] = values.reindex(positions).astype("object").to_numpy()
            table[column] = filled
    return table[[column for column in BILLER_HEADERS if column in table.columns]].rename(
        columns=BILLER_HEADERS)


def counts_by(findings: pd.DataFrame, column: str, order: tuple[str, ...]) -> dict[str, int]:
    counts = findings[column].value_counts()
    return {name: int(counts.get(name, 0)) for name in order}


def summary_table(analysis: Analysis, findings: pd.DataFrame | None = None) -> pd.DataFrame:
    """Findings, lines and attributed dollars at risk per family × severity (non-empty cells only)."""
    findings = analysis.check.findings if findings is None else findings
    on_line = findings["line_index"].notna()
    grouped = (
        findings.assign(_line=findings["line_index"].where(on_line))
        .groupby(["family", "severity"], sort=False)
        .agg(findings=("rule", "size"), lines=("_line", "nunique"),
             at_risk=(money.FINDING_DOLLARS, "sum"))
        .reset_index()
    )
    family_order = {name: position for position, name in enumerate(FAMILIES)}
    severity_order = {name: position for position, name in enumerate(SEVERITIES)}
    grouped = grouped.sort_values(
        ["family", "severity"],
        key=lambda s: s.map(family_order if s.name == "family" else severity_order)).reset_index(drop=True)
    grouped["at_risk"] = grouped["at_risk"].astype("float64").round(2)
    return grouped


def rules_table(analysis: Analysis) -> pd.DataFrame:
    """Every rule with its run status, skip reason, findings count and documentation; its source in plain
    words and in full citations (`bhdash.reference.sources`)."""
    import bhdash.rules.catalogue  # noqa: F401  (registers the catalogue, e.g. for an analysis loaded from disk)

    status = analysis.check.rules.copy()
    docs = pd.DataFrame([
        {"id": rule.id, "rationale": rule.rationale, "fix": rule.fix, "source": sources.in_words(rule.source),
         "citations": sources.citation_list(rule.source),
         "effective": rule.effective, "needs": ", ".join(rule.needs)}
        for rule in REGISTRY.values()
    ])
    return status.merge(docs, on="id", how="left")


def _line_frame(analysis: Analysis) -> pd.DataFrame:
    """One row per claim line: spreadsheet row, denial risk and the money split (bhdash.money)."""
    risk = analysis.risk.reindex(analysis.claims.index)
    frame = pd.DataFrame({
        "row": analysis.claims["source_row"].astype("int64"),
        "denial_risk": risk["denial_risk"].astype("float64").fillna(0.0).round(4),
        "base_rate": risk["base_rate"].astype("float64").round(4),
        "unpayable": risk["unpayable"].astype(bool),
    })
    for column in ("expected_payment", "amount_at_risk", "certain_loss", "likely_loss", "baseline_loss"):
        frame[column] = risk[column].astype("float64").fillna(0.0).round(2)
    frame["reasons"] = risk["reasons"]
    return frame


@dataclass(frozen=True)
class _Rows:
    """A list of records still held as a frame: listed whole by `report_document`, encoded a chunk at a
    time by `write_findings_json` (3 million findings as Python dicts took gigabytes)."""

    frame: pd.DataFrame
    keys: tuple[str, ...]

    def records(self, start: int = 0, stop: int | None = None) -> list[dict[str, Any]]:
        return _records(self.frame.iloc[start:stop], self.keys)


_CHUNK_RECORDS = 20_000


def money_document(analysis: Analysis) -> dict[str, Any]:
    """The money figures of the whole file (`bhdash.money.summarize`), with how each is computed."""
    totals = analysis.money.as_dict()
    return {
        "at_risk": totals["at_risk"], "certain_loss": totals["certain"], "likely_loss": totals["likely"],
        "expected_ordinary_denials": totals["baseline"], "expected_payment": totals["expected_payment"],
        "expected_denials": totals["expected_denials"], "unpayable_lines": totals["unpayable_lines"],
        "not_tied_to_a_finding": round(money.unattributed(analysis.risk, analysis.check.findings), 2),
        "explained": {"at_risk": money.EXPLAIN["at_risk"], "certain_loss": money.EXPLAIN["certain"],
                      "likely_loss": money.EXPLAIN["likely"],
                      "expected_ordinary_denials": money.EXPLAIN["baseline"]},
    }


def report_document(analysis: Analysis) -> dict[str, Any]:
    """The `bhdash check --format json` document (issue 3 §5 shape, with a few extra keys)."""
    return {key: value.records() if isinstance(value, _Rows) else value
            for key, value in _document(analysis).items()}


def _document(analysis: Analysis) -> dict[str, Any]:
    findings = analysis.check.findings
    source = analysis.source
    skipped = analysis.skipped
    lines = _line_frame(analysis)
    return {
        "report_version": REPORT_VERSION,
        "source": {
            "file": source.file, "sheet": source.sheet, "header_row": int(source.header_row),
            "layout": source.layout, "vendor": source.vendor, "roster_file": source.roster_file,
            "roster_sheets": list(source.roster_sheets),
        },
        "as_of": analysis.as_of.date().isoformat(),
        "summary": {
            "rows_read": int(analysis.rows_read),
            "claim_lines": len(analysis.claims),
            "rows_skipped": len(skipped),
            "findings_by_family": counts_by(findings, "family", FAMILIES),
            "findings_by_severity": counts_by(findings, "severity", SEVERITIES),
            "lines_with_errors": int(findings.loc[findings["severity"] == "error", "line_index"].nunique()),
            "amount_at_risk": analysis.money.as_dict()["at_risk"],
        },
        "money": money_document(analysis),
        "skipped_rows": _records(skipped, ["row", "reason", "sheet"]),
        "rules": _records(rules_table(analysis), _JSON_RULE_KEYS),
        "findings": _Rows(findings, _JSON_FINDING_KEYS),
        "lines": _Rows(lines, tuple(lines.columns)),
        "model": {key: _plain(value) if not isinstance(value, list | dict) else value
                  for key, value in analysis.risk_model.items()},
        "warnings": list(analysis.warnings),
        "remit": analysis.remit.summary() if analysis.remit is not None else None,
    }


def write_findings_json(analysis: Analysis, stream: BinaryIO) -> None:
    """`report_document` as compact UTF-8 JSON, encoded by orjson a chunk of findings and lines at a time
    (stdlib json took seconds on 100k lines; indenting doubled the encoding time and added a third to
    the size: `jq .` pretty-prints)."""
    import orjson

    def encoded(value: Any) -> bytes:
        return orjson.dumps(value, option=orjson.OPT_SERIALIZE_NUMPY, default=_plain)

    stream.write(b"{")
    for position, (key, value) in enumerate(_document(analysis).items()):
        stream.write((b"," if position else b"") + encoded(key) + b":")
        if not isinstance(value, _Rows):
            stream.write(encoded(value))
            continue
        stream.write(b"[")
        for start in range(0, len(value.frame), _CHUNK_RECORDS):
            chunk = encoded(value.records(start, start + _CHUNK_RECORDS))[1:-1]
            stream.write((b"," if start else b"") + chunk)
        stream.write(b"]")
    stream.write(b"}\n")


def findings_json(analysis: Analysis) -> bytes:
    """The JSON report as bytes (`write_findings_json` into memory)."""
    buffer = io.BytesIO()
    write_findings_json(analysis, buffer)
    return buffer.getvalue()


def _money(value: float) -> str:
    return f"${value:,.2f}"


def render_table(analysis: Analysis, top: int = TOP_FINDINGS) -> str:
    """The readable terminal summary: source, counts by family and severity, skipped rules, top findings."""
    document = report_document(analysis)
    source, summary = document["source"], document["summary"]
    where = source["file"] + (f", sheet '{source['sheet']}'" if source["sheet"] else "")
    lines = [
        f"bhdash check — {where} (header row {source['header_row']}"
        + (f", layout {source['layout']}" if source["layout"] else "") + ")",
        f"As of {document['as_of']}: {plural(summary['rows_read'], 'row')} read = "
        f"{plural(summary['claim_lines'], 'claim line')} "
        f"+ {plural(summary['rows_skipped'], 'skipped row')}",
        f"{plural(summary['lines_with_errors'], 'line')} with errors; "
        f"{_money(summary['amount_at_risk'])} at risk = "
        f"{_money(document['money']['certain_loss'])} certain + {_money(document['money']['likely_loss'])} "
        f"likely (denial risk: {analysis.risk_model.get('status', 'prior')}); "
        f"{_money(document['money']['expected_ordinary_denials'])} expected ordinary denials, not included",
        "",
    ]
    table = summary_table(analysis)
    if table.empty:
        lines.append("No findings.")
    else:
        pivot = table.pivot_table(index="family", columns="severity", values="findings", aggfunc="sum",
                                  fill_value=0)
        pivot = pivot.reindex(columns=[s for s in SEVERITIES if s in pivot.columns])
        pivot = pivot.reindex([family for family in FAMILIES if family in pivot.index])
        pivot["at risk"] = table.groupby("family")["at_risk"].sum().reindex(pivot.index).map(_money)
        lines += ["Findings by family and severity:", pivot.to_string(), ""]
    skipped_rules = analysis.check.skipped()
    if not skipped_rules.empty:
        lines.append(f"Rules skipped ({len(skipped_rules)}; never counted as passed):")
        lines += [f"  {row.id:<11} {row.reason}" for row in skipped_rules.itertuples(index=False)]
        lines.append("")
    findings = findings_table(analysis)
    if not findings.empty:
        severity_rank = findings["severity"].map({name: position for position, name in enumerate(SEVERITIES)})
        ranked = findings.assign(_rank=severity_rank, _amount=findings[money.FINDING_DOLLARS].fillna(0))\
            .sort_values(["_rank", "_amount"], ascending=[True, False], kind="stable").head(top)
        lines.append(f"Top findings ({len(ranked)} of {len(findings)}):")
        for row in ranked.itertuples(index=False):
            where = f"row {int(row.row)}" if pd.notna(row.row) else (row.clinician or "practice")
            amount = f" [{_money(row.at_risk)} at risk]" if row.at_risk > 0 else ""
            lines.append(f"  {row.severity:<7} {row.rule:<11} {where}: {row.message}{amount}")
        lines.append("")
    if analysis.skipped is not None and len(analysis.skipped):
        reasons = analysis.skipped["reason"].value_counts().head(5)
        lines.append("Skipped rows: " + "; ".join(f"{reason} ({count})" for reason, count in reasons.items()))
    lines += _remit_lines(analysis, top)
    if analysis.warnings:
        lines += ["Warnings:", *(f"  - {warning}" for warning in analysis.warnings)]
    return "\n".join(lines).rstrip() + "\n"


def remit_unmatched_tables(analysis: Analysis) -> dict[str, pd.DataFrame]:
    """Unmatched remittance lines and unmatched claim lines, each with its reason (no patient columns)."""
    if analysis.remit is None:
        return {}
    return {"Unmatched remittances": analysis.remit.unmatched_lines,
            "Unmatched claim lines": analysis.remit.unmatched_claims.reset_index(drop=True)}


def _remit_lines(analysis: Analysis, top: int) -> list[str]:
    if analysis.remit is None:
        return []
    summary = analysis.remit.summary()
    lines = [f"Remittances: {plural(summary['files'], 'file')}, {plural(summary['remit_lines'], 'line')}; "
             f"{plural(summary['claim_lines_matched'], 'claim line')} matched, "
             f"{summary['claim_lines_unmatched']} without a remittance; "
             f"{plural(summary['remit_lines_unmatched'], 'remittance line')} unmatched"]
    for title, table in remit_unmatched_tables(analysis).items():
        if table.empty:
            continue
        lines.append(f"{title} ({min(top, len(table))} of {len(table)}):")
        for row in table.head(top).itertuples(index=False):
            where = f"row {row.row}" if hasattr(row, "row") else Path(str(row.file)).name
            date = f"{row.service_date:%Y-%m-%d}" if pd.notna(row.service_date) else "no date"
            lines.append(f"  {where}: {row.claim_id} {row.procedure_code} {date}: {row.reason}")
    return [*lines, ""]


def findings_csv(analysis: Analysis, findings: pd.DataFrame | None = None) -> bytes:
    return export.to_csv_bytes(biller_table(analysis, findings))


def money_table(analysis: Analysis, findings: pd.DataFrame | None = None) -> pd.DataFrame:
    """The money figures (bhdash.money) with how each is computed: over the whole file, or over the lines
    of the findings given."""
    if findings is None:
        totals = analysis.money
    else:
        lines = findings["line_index"].dropna().astype("int64").unique()
        totals = money.summarize(analysis.risk, pd.Index(lines))
    rows = [("at_risk", totals.at_risk), ("certain", totals.certain), ("likely", totals.likely),
            ("baseline", totals.baseline), ("expected_payment", totals.expected_payment)]
    return pd.DataFrame({"Figure": [money.LABELS[key] for key, _ in rows],
                         "Dollars": [round(value, 2) for _, value in rows],
                         "How it is computed": [money.EXPLAIN[key] for key, _ in rows]})


def findings_xlsx(analysis: Analysis, findings: pd.DataFrame | None = None) -> bytes:
    """The findings workbook: Findings (biller-ready), Money, Summary by family (the run's warnings under
    it) and Rules sheets. With `findings`, the workbook covers those findings (and the money of their
    lines) only."""
    shown = analysis.check.findings if findings is None else findings
    summary = summary_table(analysis, shown).rename(columns=SUMMARY_HEADERS)
    rules = rules_table(analysis)[list(RULE_HEADERS)].rename(columns=RULE_HEADERS)
    return export.workbook_bytes({"Findings": biller_table(analysis, shown),
                                  "Money": money_table(analysis, findings), "Summary": summary,
                                  "Rules": rules, **remit_unmatched_tables(analysis)},
                                 notes={"Summary": ("Warnings", list(analysis.warnings))})
