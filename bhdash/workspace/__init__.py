"""Workspaces: each practice's analysed uploads kept over time in one DuckDB file, without patient data.

    from bhdash.workspace.record import file_digest, record_analysis
    from bhdash.workspace.store import Workspace
    record = record_analysis(analysis, file_name="claims.xlsx", digest=file_digest(path))
    with Workspace.open() as workspace:          # $BHDASH_WORKSPACE or the user's data folder
        workspace.save_upload("Lakeside Counseling", record)

The package itself imports nothing heavy, so `bhdash --help` stays instant.
"""
