"""The report prints exactly the figures `bhdash check --format json` gives for the same inputs, keeps
patient names out unless asked, and has one report card per clinician who billed."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from pathlib import Path

import pandas as pd
import pypdf
import pytest
from typer.testing import CliRunner

from bhdash.analysis import Analysis
from bhdash.cli import app
from bhdash.ingest import ingest
from bhdash.metrics import Filters
from bhdash.model import FAMILIES
from bhdash.reference import sources
from bhdash.report import report_document
from bhdash.reportpack import ReportOptions, build_report, report_html, report_pdf
from bhdash.reportpack.wording import count, money, plural
from bhdash.sample.layouts import ROSTER_FILE, THERAPYNOTES_FILE
from tests.reportpack.conftest import needs_browser

RUNNER = CliRunner()


def _pdf_text(data: bytes) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in pypdf.PdfReader(io.BytesIO(data)).pages)


def _html_text(data: bytes) -> str:
    body = data.decode("utf-8").split("<body>", 1)[1]
    body = re.sub(r"<script.*?</script>", " ", body, flags=re.DOTALL)
    return " ".join(re.sub(r"<[^>]+>", " ", body).replace("&amp;", "&").replace("&#39;", "'").split())


def assert_report_matches_check(text: str, document: dict) -> None:
    """Every headline, family and rule figure of the check JSON appears in the report text as printed."""
    summary = document["summary"]
    families = {rule["id"]: rule["family"] for rule in document["rules"]}
    findings = pd.DataFrame(document["findings"])
    findings["family"] = findings["rule"].map(families)
    assert f"{count(summary['claim_lines'])} claim lines checked" in text
    assert f"{money(summary['amount_at_risk'])} at risk" in text
    assert f"{count(summary['lines_with_errors'])} lines with errors" in text
    figures = document["money"]
    assert (f"{money(figures['at_risk'])} at risk = {money(figures['certain_loss'])} certain loss + "
            f"{money(figures['likely_loss'])} likely loss") in text
    assert f"Expected ordinary denials ({money(figures['expected_ordinary_denials'])})" in text
    assert f"{count(len(findings))} findings on {count(summary['claim_lines'])} claim lines" in text
    for severity, number in summary["findings_by_severity"].items():
        word = {"error": "error", "warning": "warning", "info": "note"}[severity]
        assert plural(number, word) in text
    for family in FAMILIES:
        number = summary["findings_by_family"][family]
        if number:
            lines = findings.loc[findings["family"] == family, "row"].dropna().nunique()
            at_risk = findings.loc[findings["family"] == family, "at_risk"].sum()
            printed = f"{plural(number, 'finding')} on {plural(lines, 'line')}, {money(at_risk)} at risk"
            assert printed in text, family
    for rule in document["rules"]:
        assert f"{rule['id']} " in text
        if rule["status"] == "ran":
            assert re.search(rf"{re.escape(rule['id'])} .*? ran {rule['findings']}\b", text), rule["id"]


@pytest.fixture(scope="module")
def other_layout(small_practice: Path) -> tuple[Path, Path]:
    return small_practice / THERAPYNOTES_FILE, small_practice / ROSTER_FILE


@needs_browser
def test_pdf_on_another_layout_prints_the_check_json_figures(
    other_layout: tuple[Path, Path], tmp_path: Path
) -> None:
    claims, roster = other_layout
    checked = RUNNER.invoke(app, ["check", str(claims), "--roster", str(roster), "--format", "json"])
    assert checked.exit_code == 0, checked.output
    document = json.loads(checked.stdout)
    out = tmp_path / "report.pdf"
    made = RUNNER.invoke(
        app,
        ["report", str(claims), "--roster", str(roster), "--practice", "Small Practice", "--out", str(out)],
    )
    assert made.exit_code == 0, made.output
    assert out.read_bytes().startswith(b"%PDF")
    text = _pdf_text(out.read_bytes())
    assert_report_matches_check(text, document)
    assert "Page 1 of" in text and "Small Practice" in text


@needs_browser
def test_pdf_of_the_sample_prints_the_check_json_figures(sample_analysis: Analysis) -> None:
    report = build_report(sample_analysis, ReportOptions(practice="Lakeview Behavioral Health"))
    text = _pdf_text(report_pdf(report))
    document = report_document(sample_analysis)
    assert_report_matches_check(text, document)
    findings = pd.DataFrame(document["findings"])
    for clinician, number in findings["clinician"].value_counts().items():
        assert re.search(rf"{re.escape(clinician)}, \S+ Report card .*? {count(number)} findings", text), (
            clinician
        )


def test_one_report_card_per_clinician_who_billed_in_the_period(sample_analysis: Analysis) -> None:
    claims = sample_analysis.claims
    every = build_report(sample_analysis, ReportOptions())
    assert [card.name for card in every.clinicians] == sorted(claims["clinician_name"].dropna().unique())
    # Rachel Adams billed Aetna only from February 2026 on; a January period has no card for a clinician
    # who billed nothing in it.
    start, end = pd.Timestamp("2026-01-01"), pd.Timestamp("2026-01-31")
    january = claims[(claims["service_date"] >= start) & (claims["service_date"] <= end)]
    period = build_report(sample_analysis, ReportOptions(filters=Filters(start=start, end=end)))
    assert [card.name for card in period.clinicians] == sorted(january["clinician_name"].dropna().unique())
    assert period.summary["claim_lines"] == len(january)
    assert period.period_start == "2026-01-01" and period.period_end == "2026-01-31"
    for card in period.clinicians:
        assert card.lines == int((january["clinician_name"] == card.name).sum())


def test_deidentified_report_holds_no_patient_name(small_practice: Path) -> None:
    ingested = ingest(small_practice / THERAPYNOTES_FILE, roster=small_practice / ROSTER_FILE)
    from bhdash.analysis import analyze

    analysis = analyze(ingested)
    claims = analysis.claims
    names = set()
    for column in ("patient_name", "patient_first_name", "patient_last_name"):
        if column in claims.columns:
            names |= set(claims[column].dropna().astype(str))
    assert names, "the TherapyNotes layout carries patient names"
    full_names = {name for name in names if len(name) > 3}
    private = _html_text(report_html(build_report(analysis, ReportOptions(practice="Small Practice"))))
    assert "De-identified report" in private
    assert not [name for name in full_names if name in private and " " in name]
    identified = build_report(analysis, ReportOptions(practice="Small Practice", identified=True))
    shown = _html_text(report_html(identified))
    assert "contains patient names" in shown
    examples = [example for section in identified.families for example in section.examples if example.patient]
    assert examples and all(example.patient in shown for example in examples)


def test_deidentified_examples_scrub_a_name_quoted_in_a_message(sample_analysis: Analysis) -> None:
    claims = sample_analysis.claims
    patient = str(claims["patient_name"].dropna().iloc[0])
    findings = sample_analysis.check.findings.copy()
    findings.loc[findings.index[0], "message"] = f"value '{patient}' in column Payer"
    from dataclasses import replace

    from bhdash.rules.engine import CheckResult

    doctored = replace(
        sample_analysis, check=CheckResult(findings=findings, rules=sample_analysis.check.rules, warnings=[])
    )
    report = build_report(doctored, ReportOptions())
    messages = " ".join(example.message for section in report.families for example in section.examples)
    assert patient not in messages
    assert "[patient]" in messages or findings.loc[findings.index[0], "family"] not in {
        section.family for section in report.families
    }


def test_cover_says_who_and_when(sample_analysis: Analysis) -> None:
    report = build_report(
        sample_analysis,
        ReportOptions(
            practice="Lakeview <b>Behavioral</b> Health",
            prepared_by="A. Consultant",
            prepared_on=dt.date(2026, 11, 2),
        ),
    )
    html = report_html(report).decode("utf-8")
    assert "Lakeview &lt;b&gt;Behavioral&lt;/b&gt; Health" in html
    assert "<b>Behavioral</b>" not in html
    assert "November 2, 2026" in html and "A. Consultant" in html
    assert "2025-11-03 to 2026-10-30" in html


def test_method_section_cites_sources_in_full_never_by_bare_id(sample_analysis: Analysis) -> None:
    html = _html_text(report_html(build_report(sample_analysis, ReportOptions())))
    method = html.split("Method and assumptions", 1)[1]
    assert "Sources cited by the rules and payer settings" in method
    assert str(sources.citation("S18")) in method
    assert not sources.SOURCE_ID.search(html)


def test_a_matrix_past_the_row_limit_shows_the_clinicians_most_at_stake_and_says_so(
    sample_analysis: Analysis, monkeypatch: pytest.MonkeyPatch
) -> None:
    every = build_report(sample_analysis, ReportOptions())
    clinicians = set(every.matrix_figure.data[0].y)
    assert every.matrix_note == "" and len(clinicians) > 4
    monkeypatch.setattr("bhdash.metrics.HEATMAP_ROWS", 4)
    report = build_report(sample_analysis, ReportOptions())
    outside = {row["clinician"] for row in report.outside}
    shown = set(report.matrix_figure.data[0].y)
    assert len(shown) == 4 and outside <= shown  # those billed outside enrollment come first
    assert report.matrix_note.startswith(f"The matrix shows 4 of the {len(clinicians)} clinicians:")
    assert report.matrix_note.encode() in report_html(report)
