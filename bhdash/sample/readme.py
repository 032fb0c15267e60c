"""The consultant-facing `sample_data/README.md`, with every figure computed from the practice."""

from __future__ import annotations

import pandas as pd

from bhdash.norms import load_norms, norms_in_effect
from bhdash.sample.config import fee_table, practice_config
from bhdash.sample.generator import THERAPY_CODES, SamplePractice
from bhdash.sample.outcomes import adjudication_cutoff

FAMILY_ORDER = ("DATA", "CODE", "TIME", "ADDON", "PTP", "UNITS", "SCOPE", "CRED", "NPI", "TELE", "DX", "DUP",
                "TIMELY", "AUDIT", "NORM")


def _usd(amount: float) -> str:
    return f"${amount:,.0f}"


def _table(frame: pd.DataFrame) -> str:
    header = "| " + " | ".join(frame.columns) + " |"
    rule = "|" + "|".join("---" for _ in frame.columns) + "|"
    body = ["| " + " | ".join(str(value) for value in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join([header, rule, *body])


def _line_outcomes(practice: SamplePractice, rows: pd.DataFrame) -> dict[str, float]:
    """Charges, denied charges and not-yet-adjudicated charges of the manifest's lines."""
    claims = practice.claims
    lines = claims.loc[rows["source_row"].dropna().astype(int) - 2]
    return {
        "lines": len(lines),
        "charges": float(lines["charge"].sum()),
        "denied": float(lines.loc[lines["status"] == "Denied", "charge"].sum()),
        "open": float(lines.loc[lines["status"].isna(), "charge"].sum()),
    }


def _outlier_section(practice: SamplePractice) -> str:
    claims = practice.claims
    individual = claims[claims["procedure_code"].isin(THERAPY_CODES)]
    clinicians = practice.clinicians
    therapists = clinicians.loc[~clinicians["prescriber"].astype(bool), "clinician_name"]
    individual = individual[individual["clinician_name"].isin(therapists)]  # prescribers use add-ons
    volume = individual.groupby("clinician_name").size()
    share = individual.groupby("clinician_name")["procedure_code"].apply(lambda c: (c == "90837").mean())
    median = share.median()
    charge = claims.drop_duplicates("procedure_code").set_index("procedure_code")["charge"]
    fees = fee_table()
    norms = norms_in_effect(load_norms(), practice.as_of)
    norms = norms[(norms["code"] == "90837") & (norms["credential"] == "")].sort_values("payer_type")
    norm_text = ", ".join(f"{row.payer_type} {row.expected_share:.0%} ({row.basis})"
                          for row in norms.itertuples())
    outliers = practice.manifest[practice.manifest["problem"] == "code_mix_outlier"]["clinician"]
    rows = []
    for clinician in outliers[outliers.isin(share.index)]:
        count = int((individual["clinician_name"] == clinician).sum())
        excess = (share[clinician] - median) * count
        rows.append(
            f"- **{clinician}** billed 90837 on **{share[clinician]:.0%}** of {count:,} individual "
            f"psychotherapy sessions; the practice median is {median:.0%} and the 90837 norms in effect are "
            f"{norm_text}. Coding at the practice median would move "
            f"about {excess:,.0f} sessions to 90834: {_usd(excess * (charge['90837'] - charge['90834']))} in "
            f"charges, {_usd(excess * (fees['90837'] - fees['90834']))} at Medicare national rates. "
            "This is the profile EquiClaim-style 90837 letters and Optum pre-payment reviews target.")
    table = pd.DataFrame({"clinician": share.index,
                          "individual sessions": volume.map("{:,}".format).to_numpy(),
                          "90837 share": share.map("{:.0%}".format).to_numpy()})
    if not rows:
        rows.append("No clinician was planted as a code-mix outlier.")
    return "\n".join(rows) + "\n\nShare of 90837 among 90832/90834/90837, per clinician:\n\n" + _table(table)


def _credentialing_section(practice: SamplePractice) -> str:
    manifest = practice.manifest
    stories = practice_config()["stories"]
    parts = []
    labels = {
        "billed_before_effective": f"{stories['new_hire']['clinician']} (new hire) billed "
                                   f"{stories['new_hire']['payer']} before the enrollment took effect",
        "billed_after_term": f"{stories['termed']['clinician']} kept billing {stories['termed']['payer']} "
                             "after the enrollment was termed",
        "never_enrolled": f"{stories['never_enrolled']['clinician']} billed "
                          f"{stories['never_enrolled']['payer']} without ever being enrolled",
        "license_lapsed": f"{stories['license_lapsed']['clinician']} kept seeing patients after the "
                          "license expired",
    }
    for problem, label in labels.items():
        rows = manifest[manifest["problem"] == problem]
        if rows.empty:
            continue
        outcome = _line_outcomes(practice, rows)
        parts.append(f"- {label}: **{outcome['lines']:,} lines, {_usd(outcome['charges'])} in charges**; "
                     f"{_usd(outcome['denied'])} already denied, {_usd(outcome['open'])} not yet "
                     "adjudicated.")
    expiring = manifest[manifest["problem"] == "license_expiring"]
    for row in expiring.itertuples():
        parts.append(f"- {row.clinician}: {row.detail}.")
    return "\n".join(parts) or "None: every line is covered by an enrollment and a current license."


def _family_table(practice: SamplePractice) -> str:
    manifest = practice.manifest
    rows = []
    for family in FAMILY_ORDER:
        planted = manifest[manifest["family"] == family]
        for problem, group in planted.groupby("problem", sort=True):
            lined = group[group["source_row"].notna()]
            outcome = _line_outcomes(practice, lined)
            rows.append({"family": family, "problem": problem,
                         "lines": f"{outcome['lines']:,}" if len(lined) else "clinician-level",
                         "charges": _usd(outcome["charges"]) if len(lined) else "",
                         "denied so far": _usd(outcome["denied"]) if len(lined) else "",
                         "example": group["detail"].iloc[0]})
    if not rows:
        return "None: this is the clean practice (`bhdash sample --clean`)."
    return _table(pd.DataFrame(rows))


def _not_problems_section(practice: SamplePractice) -> str:
    """Self-pay and out-of-network lines: correct as billed, so a check must not call them errors."""
    stories = practice_config()["stories"]
    claims = practice.claims
    self_pay = claims[claims["payer"] == stories["self_pay"]["payer"]]
    oon = stories["out_of_network"]
    billed_oon = (claims["payer"] == oon["payer"]) & (claims["clinician_name"] == oon["clinician"])
    out_of_network = claims[billed_oon]
    return (f"- **{len(self_pay):,} self-pay lines** (payer \"{stories['self_pay']['payer']}\", "
            f"{self_pay['patient_id'].nunique():,} patient(s)): the client pays the practice, so there is "
            "no insurance claim, no 835 and no status; enrollment, modifier, filing-limit and payer-policy "
            "rules do not apply to them, coding rules still do. `bhdash check` reports nothing on them.\n"
            f"- **{len(out_of_network):,} out-of-network lines**: {oon['clinician']} bills {oon['payer']} "
            f"(an out-of-state plan) with the roster status \"{oon['status']}\". They are not enrollment "
            "errors; CRED-006 notes each one as info, and `manifest.csv` lists them (problem "
            "`out_of_network`) so the manifest stays exact.")


def _denials_section(practice: SamplePractice) -> str:
    claims = practice.claims
    adjudicated = claims[claims["status"].notna()]
    if adjudicated.empty:
        return "No line is adjudicated yet."
    by_payer = adjudicated.groupby("payer").agg(lines=("status", "size"),
                                                denied=("status", lambda s: (s == "Denied").mean()),
                                                paid=("paid_amount", "sum"))
    table = pd.DataFrame({"payer": by_payer.index, "adjudicated lines": by_payer["lines"].map("{:,}".format),
                          "denial rate": by_payer["denied"].map("{:.1%}".format),
                          "paid": by_payer["paid"].map(_usd)})
    reasons = adjudicated["denial_reason"].value_counts().head(8)
    reason_text = ", ".join(f"{reason} ({count})" for reason, count in reasons.items())
    tele = practice.manifest[practice.manifest["problem"] == "tele_missing_modifier"]
    tele_lines = claims.loc[tele["source_row"].dropna().astype(int) - 2]
    tele_lines = tele_lines[tele_lines["status"].notna()]
    tele_text = ""
    if len(tele_lines):
        denied = int((tele_lines["status"] == "Denied").sum())
        tele_text = (f" Cigna is strict on telehealth modifiers: {denied} of {len(tele_lines)} adjudicated "
                     "POS 10 lines without modifier 95 were denied (CO-4).")
    return (f"{len(adjudicated):,} lines are adjudicated ({(adjudicated['status'] == 'Denied').mean():.1%} "
            f"denied, {_usd(adjudicated['paid_amount'].sum())} paid). Most frequent reasons: {reason_text}."
            f"{tele_text}\n\n" + _table(table.reset_index(drop=True)))


def render_readme(practice: SamplePractice, files: dict[str, str]) -> str:
    """The README text; `files` maps file name -> one-line description."""
    claims = practice.claims
    cfg = practice_config()
    clinicians = practice.clinicians
    volume = claims.groupby("clinician_name").agg(lines=("claim_id", "size"), charges=("charge", "sum"))
    staff = pd.DataFrame({
        "clinician": clinicians["clinician_name"],
        "credential": clinicians["display_credential"],
        "supervisor": clinicians["supervisor"].fillna(""),
        "claim lines": clinicians["clinician_name"].map(volume["lines"]).fillna(0).astype(int).map(
            "{:,}".format),
        "charges": clinicians["clinician_name"].map(volume["charges"]).fillna(0).map(_usd),
    })
    tele = claims["pos"].isin(["02", "10"]).mean()
    planted_lines = practice.manifest["source_row"].dropna().nunique()
    file_table = _table(pd.DataFrame({"file": list(files), "what it is": list(files.values())}))
    cutoff = adjudication_cutoff(practice.period_end)
    return f"""# Sample practice: {cfg['practice']['name']}

A fictional {len(clinicians)}-clinician behavioral-health group in {cfg['practice']['state']}, generated by \
`bhdash sample` (seed {practice.seed}). Names, NPIs and member ids are invented; NPIs carry a valid check \
digit but belong to no one. Run `bhdash sample` from the repository root to regenerate these files byte \
for byte.

- Dates of service {practice.period_start:%m/%d/%Y} – {practice.period_end:%m/%d/%Y}; as-of date \
{practice.as_of:%m/%d/%Y}, which the day counts below use: pass `--as-of {practice.as_of:%Y-%m-%d}` to \
reproduce them. Without it bhdash measures to the latest date of service, \
{claims['service_date'].max():%m/%d/%Y}, as the dashboard does. \
Lines with dates of service through {cutoff:%m/%d/%Y} are adjudicated (status, \
CARC denial reason, paid amount); later lines are submitted but not yet adjudicated.
- {len(claims):,} claim lines on {claims['claim_id'].nunique():,} claims for \
{claims['patient_id'].nunique():,} patients, {_usd(claims['charge'].sum())} in charges; {tele:.0%} of \
lines are telehealth (POS 02/10).
- Payers: {', '.join(sorted(claims['payer'].dropna().unique()))}.
- {planted_lines:,} lines ({planted_lines / len(claims):.1%}) carry a planted problem; `manifest.csv` lists \
each one with its row in every layout (clinician-level problems have no row).

{_table(staff)}

## Files

{file_table}

The three claim layouts hold the same lines in the same order. The SimplePractice export carries no \
insurance outcome columns: its outcomes come from the 835 files in `remittances/` (`bhdash check \
simplepractice_appointment_status.csv --remit remittances`), matched by patient name, date and code since \
the export has no claim ID. It carries no \
minutes, NPI, place of service, modifiers, diagnosis or submitted date, so the rules that need them are \
skipped on it (and filing windows are measured to the as-of date); the TherapyNotes workbook carries no \
units either. The claims detail report carries everything. The lines planted with an unparseable date of \
service stay claim lines in every layout, each with a DATA finding that quotes the date as written.

## Stories to tell

### Code mix: the 90837 outliers

{_outlier_section(practice)}

### Credentialing gaps

{_credentialing_section(practice)}

### Not problems: self-pay and out-of-network lines

{_not_problems_section(practice)}

### Denials so far

{_denials_section(practice)}

## Every planted problem

{_family_table(practice)}
"""
