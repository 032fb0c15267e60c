"""The workspace's tables: one DuckDB file holding practices, their uploads and what each analysis found.

Nothing here may hold a patient identifier: lines are keyed by claim ID, date, code, clinician and payer.
`SCHEMA_VERSION` is written into the file; a file with a higher number was made by a newer bhdash and is
refused rather than migrated behind the user's back.
"""

from __future__ import annotations

SCHEMA_VERSION = 1
APPLICATION = "bhdash-workspace"

# Table name → (column, DuckDB type) in order. Upload-level tables start with upload_id.
TABLES: dict[str, tuple[tuple[str, str], ...]] = {
    "meta": (("key", "VARCHAR"), ("value", "VARCHAR")),
    "practices": (("practice_id", "INTEGER"), ("name", "VARCHAR"), ("created_at", "TIMESTAMP")),
    "uploads": (
        ("upload_id", "INTEGER"), ("practice_id", "INTEGER"), ("file_name", "VARCHAR"),
        ("file_digest", "VARCHAR"), ("period_start", "DATE"), ("period_end", "DATE"), ("as_of", "DATE"),
        ("analysed_at", "TIMESTAMP"), ("catalogue_version", "VARCHAR"), ("claim_lines", "INTEGER"),
    ),
    "lines": (
        ("upload_id", "INTEGER"), ("line_index", "BIGINT"), ("source_row", "BIGINT"), ("claim_id", "VARCHAR"),
        ("service_date", "DATE"), ("procedure_code", "VARCHAR"), ("clinician", "VARCHAR"),
        ("payer", "VARCHAR"), ("payer_type", "VARCHAR"), ("units", "DOUBLE"), ("charge", "DOUBLE"),
        ("expected_payment", "DOUBLE"), ("denial_risk", "DOUBLE"), ("certain_loss", "DOUBLE"),
        ("likely_loss", "DOUBLE"), ("baseline_loss", "DOUBLE"), ("at_risk", "DOUBLE"),
    ),
    "findings": (
        ("upload_id", "INTEGER"), ("rule", "VARCHAR"), ("family", "VARCHAR"), ("severity", "VARCHAR"),
        ("title", "VARCHAR"), ("message", "VARCHAR"), ("source_row", "BIGINT"), ("line_index", "BIGINT"),
        ("claim_id", "VARCHAR"), ("clinician", "VARCHAR"), ("payer", "VARCHAR"), ("code", "VARCHAR"),
        ("service_date", "DATE"), ("amount", "DOUBLE"), ("at_risk", "DOUBLE"),
    ),
    "code_mix": (
        ("upload_id", "INTEGER"), ("clinician", "VARCHAR"), ("credential", "VARCHAR"),
        ("payer_type", "VARCHAR"), ("code_family", "VARCHAR"), ("code", "VARCHAR"), ("lines", "BIGINT"),
        ("family_lines", "BIGINT"), ("observed_share", "DOUBLE"), ("expected_share", "DOUBLE"),
        ("flagged", "BOOLEAN"),
    ),
    "rules": (
        ("upload_id", "INTEGER"), ("rule", "VARCHAR"), ("family", "VARCHAR"), ("severity", "VARCHAR"),
        ("status", "VARCHAR"), ("reason", "VARCHAR"), ("findings", "BIGINT"),
    ),
    "kpis": (("upload_id", "INTEGER"), ("kpi", "VARCHAR"), ("value", "DOUBLE")),
    "credentials": (
        ("upload_id", "INTEGER"), ("clinician", "VARCHAR"), ("kind", "VARCHAR"), ("payer", "VARCHAR"),
        ("status", "VARCHAR"), ("starts", "DATE"), ("ends", "DATE"),
    ),
}

# Tables holding one upload's analysis (deleted with the upload, exported per practice).
UPLOAD_TABLES: tuple[str, ...] = ("lines", "findings", "code_mix", "rules", "kpis", "credentials")


def create_statements() -> list[str]:
    """CREATE TABLE statements for a new workspace, with the keys that keep it consistent."""
    keys = {
        "meta": ", PRIMARY KEY (key)",
        "practices": ", PRIMARY KEY (practice_id), UNIQUE (name)",
        "uploads": ", PRIMARY KEY (upload_id)",
    }
    statements = []
    for table, columns in TABLES.items():
        body = ", ".join(f"{name} {kind}" for name, kind in columns)
        statements.append(f"CREATE TABLE {table} ({body}{keys.get(table, '')})")
    return statements
