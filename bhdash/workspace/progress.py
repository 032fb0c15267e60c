"""The Progress and Practices views' figures, computed from stored rows only (no upload is re-read).

Shared by the CLI (`bhdash history`) and the dashboard. Small per-upload tables are read into pandas; the
finding comparison runs in DuckDB, because it needs every stored line of every upload.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from bhdash.workspace.store import Workspace
from bhdash.workspace.version import catalogue_version

EXPIRY_WINDOW_DAYS = 90
# KPIs where a rise is good news (the trend arrows colour the others the other way round).
HIGHER_IS_BETTER: frozenset[str] = frozenset({"clean_line_share", "rules_run"})


def history_table(workspace: Workspace, practice: str) -> pd.DataFrame:
    """One row per upload, oldest first: the upload's description, its KPIs as columns, and whether it
    was analysed under an older rule catalogue than this bhdash's."""
    uploads = workspace.uploads(practice)
    kpis = workspace.table("kpis", uploads["upload_id"].tolist())
    wide = kpis.pivot_table(index="upload_id", columns="kpi", values="value", aggfunc="first")
    table = uploads.join(wide, on="upload_id")
    for column in ("period_start", "period_end", "as_of", "analysed_at"):
        table[column] = pd.to_datetime(table[column])
    table["older_catalogue"] = table["catalogue_version"] != catalogue_version()
    return table.reset_index(drop=True)


def money_by_family_over_time(findings: pd.DataFrame) -> pd.DataFrame:
    """Long frame upload_id, family, at_risk: money at risk per finding family in each upload."""
    return findings.groupby(["upload_id", "family"], as_index=False)["at_risk"].sum()


# The identity rule of `compare.classify`, counted in DuckDB so the stored lines never leave it. A finding's
# identity is its rule, claim ID, code and date (clinician and payer for a finding with no line); identical
# identities are matched by count, so min(before, after) of them persist. One that went away is
# "resolved" only when its line (claim, code, date) is still in the later file, or it has no line.
FINDING_CHANGES_SQL = """
WITH pairs AS (SELECT unnest($previous) AS previous, unnest($later) AS upload_id),
identities AS (
    SELECT upload_id, coalesce(rule, '') AS rule, coalesce(claim_id, '') AS claim_id,
           coalesce(code, '') AS code, service_date, line_index IS NULL AS lineless,
           CASE WHEN line_index IS NULL THEN coalesce(clinician, '') || chr(31) || coalesce(payer, '')
                ELSE '' END AS scope,
           count(*) AS findings
    FROM findings WHERE list_contains($uploads, upload_id) GROUP BY ALL
),
sides AS (
    SELECT p.upload_id, p.previous, i.* EXCLUDE (upload_id, findings), i.findings AS before, 0 AS after
    FROM pairs p JOIN identities i ON i.upload_id = p.previous
    UNION ALL
    SELECT p.upload_id, p.previous, i.* EXCLUDE (upload_id, findings), 0 AS before, i.findings AS after
    FROM pairs p JOIN identities i ON i.upload_id = p.upload_id
),
matched AS (
    SELECT upload_id, previous, rule, claim_id, code, service_date, lineless, scope,
           sum(before) AS before, sum(after) AS after, least(sum(before), sum(after)) AS persisting
    FROM sides GROUP BY ALL
),
present AS (
    SELECT DISTINCT upload_id, coalesce(claim_id, '') AS claim_id, coalesce(procedure_code, '') AS code,
           service_date
    FROM lines WHERE list_contains($later, upload_id)
),
counted AS (
    SELECT m.upload_id, m.previous, m.after - m.persisting AS new, m.persisting,
           m.before - m.persisting AS gone, m.lineless OR l.upload_id IS NOT NULL AS line_present
    FROM matched m LEFT JOIN present l ON l.upload_id = m.upload_id AND l.claim_id = m.claim_id
         AND l.code = m.code AND l.service_date IS NOT DISTINCT FROM m.service_date
)
SELECT p.upload_id::BIGINT AS upload_id, p.previous::BIGINT AS previous,
       coalesce(sum(c.new), 0)::BIGINT AS "new", coalesce(sum(c.persisting), 0)::BIGINT AS persisting,
       coalesce(sum(c.gone) FILTER (c.line_present), 0)::BIGINT AS resolved,
       coalesce(sum(c.gone) FILTER (NOT c.line_present), 0)::BIGINT AS "not in the later file"
FROM pairs p LEFT JOIN counted c ON c.upload_id = p.upload_id AND c.previous = p.previous
GROUP BY p.upload_id, p.previous ORDER BY list_position($later, p.upload_id)
"""


def finding_changes(workspace: Workspace, upload_ids: list[int]) -> pd.DataFrame:
    """Per upload after the first: findings new, persisting, resolved and not in the later file,
    each compared with the upload just before it (the counts `compare.classify` gives, pair by pair)."""
    ids = [int(upload) for upload in upload_ids]
    return workspace.query(FINDING_CHANGES_SQL, {"previous": ids[:-1], "later": ids[1:], "uploads": ids})


MIX_OVER_TIME_COLUMNS = ("upload_id", "clinician", "code_family", "code", "lines", "share", "norm_share")


def code_mix_over_time(code_mix: pd.DataFrame) -> pd.DataFrame:
    """Each clinician's share of each code within its family against the norm, per upload (all payer
    types together, weighted by lines; the norm weighted the same way)."""
    if code_mix.empty:
        return pd.DataFrame(columns=list(MIX_OVER_TIME_COLUMNS))
    keys = ["upload_id", "clinician", "code_family"]
    grouped = code_mix.assign(expected_lines=code_mix["expected_share"] * code_mix["family_lines"]).groupby(
        [*keys, "code"], as_index=False).agg(lines=("lines", "sum"), expected_lines=("expected_lines", "sum"))
    totals = code_mix.drop_duplicates([*keys, "payer_type"]).groupby(keys)["family_lines"].sum()
    grouped = grouped.join(totals.rename("family_lines"), on=keys)
    grouped["share"] = grouped["lines"] / grouped["family_lines"]
    grouped["norm_share"] = grouped["expected_lines"] / grouped["family_lines"]
    return grouped[list(MIX_OVER_TIME_COLUMNS)]


def upcoming_expirations(credentials: pd.DataFrame, uploads: pd.DataFrame,
                         window_days: int = EXPIRY_WINDOW_DAYS) -> pd.DataFrame:
    """Licenses and enrollments ending within `window_days` after the latest upload's as-of date (or
    already ended), as the latest upload that lists each one states it."""
    if credentials.empty or uploads.empty:
        return pd.DataFrame(columns=["clinician", "kind", "payer", "ends", "days_left", "upload_id"])
    as_of = pd.to_datetime(uploads["as_of"]).max()
    order = {upload: position for position, upload in enumerate(uploads["upload_id"])}
    latest = (credentials.assign(_order=credentials["upload_id"].map(order))
              .sort_values("_order")
              .drop_duplicates(["clinician", "kind", "payer"], keep="last"))
    ends = pd.to_datetime(latest["ends"])
    soon = latest[ends.notna() & (ends <= as_of + pd.Timedelta(days=window_days))].copy()
    soon["ends"] = pd.to_datetime(soon["ends"])
    soon["days_left"] = (soon["ends"] - as_of).dt.days
    return soon.sort_values(["days_left", "clinician"])[
        ["clinician", "kind", "payer", "ends", "days_left", "upload_id"]].reset_index(drop=True)


@dataclass
class Progress:
    """Everything the Progress page draws for one practice, from stored rows only."""

    history: pd.DataFrame  # history_table
    money_by_family: pd.DataFrame  # upload_id, family, at_risk
    changes: pd.DataFrame  # finding_changes
    code_mix: pd.DataFrame  # code_mix_over_time
    expirations: pd.DataFrame  # upcoming_expirations


def progress_figures(workspace: Workspace, practice: str) -> Progress:
    """Read a practice's stored uploads once and compute every Progress figure."""
    history = history_table(workspace, practice)
    ids = history["upload_id"].tolist()
    findings = workspace.table("findings", ids, columns=(
        "upload_id", "rule", "family", "line_index", "claim_id", "clinician", "payer", "code", "service_date",
        "at_risk"))
    return Progress(
        history=history,
        money_by_family=money_by_family_over_time(findings),
        changes=finding_changes(workspace, ids),
        code_mix=code_mix_over_time(workspace.table("code_mix", ids)),
        expirations=upcoming_expirations(workspace.table("credentials", ids), history),
    )


def practices_overview(workspace: Workspace) -> pd.DataFrame:
    """One row per practice: latest upload's KPIs and the change since the upload before it."""
    rows = []
    for name in workspace.practices()["name"]:
        history = history_table(workspace, name)
        if history.empty:
            rows.append({"practice": name, "uploads": 0})
            continue
        latest = history.iloc[-1]
        previous = history.iloc[-2] if len(history) > 1 else None
        row = {"practice": name, "uploads": len(history), "latest_period_end": latest["period_end"],
               "older_catalogue": bool(latest["older_catalogue"])}
        for kpi in ("at_risk", "clean_line_share", "findings", "claim_lines"):
            row[kpi] = latest.get(kpi)
            row[f"{kpi}_change"] = (latest.get(kpi) - previous.get(kpi)) if previous is not None else None
        rows.append(row)
    return pd.DataFrame(rows)


def trend_arrow(change: float | None, kpi: str) -> str:
    """▲/▼ with good/bad wording for a KPI change; "–" when unchanged or unknown."""
    if change is None or pd.isna(change) or abs(change) < 1e-9:
        return "–"
    better = (change > 0) == (kpi in HIGHER_IS_BETTER)
    return ("▲" if change > 0 else "▼") + (" better" if better else " worse")
