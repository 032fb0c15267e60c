"""Session state, cached loaders and shared page chrome for the Streamlit dashboard.

Each browser session keeps its own upload (bytes in `st.session_state`, never on disk) and the caches
are session-scoped, so one practice's claims are never served to another session. Caches are keyed on
the upload's sha256 digest and the mapping overrides, never on a DataFrame (Streamlit samples large
frames when hashing them), so page switches and filter changes reuse the read and the checks.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from bhdash import export, metrics, norms, report, risk, whatif
from bhdash.analysis import Analysis, analyze
from bhdash.errors import InputFileError
from bhdash.ingest import IngestResult, ingest
from bhdash.payers import default_directory
from bhdash.rules.engine import CheckResult
from bhdash.rules.registry import REGISTRY, Rule

SAMPLE_ENV = "BHDASH_OPEN_SAMPLE"
SAMPLE_DIR = Path(__file__).resolve().parents[2] / "sample_data"
SAMPLE_CLAIMS = "claims_detail_report.xlsx"
SAMPLE_NAME = "Sample practice (Lakeview Behavioral Health)"
UPLOAD_TYPES = ["xlsx", "xlsm", "xls", "csv"]
MAX_UPLOAD_MB = 50

CLAIMS_FILE = "claims_file"
ROSTER_FILE = "roster_file"
OVERRIDES = "mapping_overrides"
SOURCE_KIND = "source_kind"
LOADED_KEY = "loaded_key"
FILTER_DATES = "filter_dates"
FILTER_PAYERS = "filter_payers"
FILTER_CLINICIANS = "filter_clinicians"
FILTERS_FOR = "filters_for"
NORMS_FILE = "norms_file"
OPENED_ON_SAMPLE = "opened_on_sample"


@dataclass(frozen=True)
class FileInput:
    """An uploaded file kept in the session; caches key on `digest`, never on the bytes or a frame."""

    name: str
    data: bytes
    digest: str


@dataclass(frozen=True)
class Loaded:
    """What every page reads: the ingestion result and the analysis, both cached for the session."""

    ingest: IngestResult
    analysis: Analysis
    source_label: str


@dataclass(frozen=True)
class View:
    """The loaded data restricted to the sidebar filters."""

    loaded: Loaded
    filters: metrics.Filters
    claims: pd.DataFrame
    findings: pd.DataFrame
    risk: pd.DataFrame


def file_input(name: str, data: bytes) -> FileInput:
    """Wrap an upload with its sha256, hashed once here rather than by Streamlit on every cached call."""
    return FileInput(name=name, data=data, digest=hashlib.sha256(data).hexdigest())


def init_session() -> None:
    """Give every session key a value up front, so pages read them without existence checks."""
    st.session_state.setdefault(CLAIMS_FILE, None)
    st.session_state.setdefault(ROSTER_FILE, None)
    st.session_state.setdefault(OVERRIDES, {})
    st.session_state.setdefault(SOURCE_KIND, None)
    st.session_state.setdefault(LOADED_KEY, None)
    if OPENED_ON_SAMPLE not in st.session_state:
        st.session_state[OPENED_ON_SAMPLE] = os.environ.get(SAMPLE_ENV) == "1"
        if st.session_state[OPENED_ON_SAMPLE]:
            load_sample()


def opens_on_sample() -> bool:
    """True for a session started by `bhdash dashboard --sample`: it opens on Overview, not Start."""
    return bool(st.session_state.get(OPENED_ON_SAMPLE))


def load_sample() -> None:
    """Put the sample practice's messy workbook (claims plus roster sheets) in place of any upload."""
    path = SAMPLE_DIR / SAMPLE_CLAIMS
    st.session_state[CLAIMS_FILE] = file_input(path.name, path.read_bytes())
    st.session_state[ROSTER_FILE] = None
    st.session_state[OVERRIDES] = {}
    st.session_state[SOURCE_KIND] = "sample"


def set_upload(slot: str, name: str, data: bytes) -> None:
    """Store an uploaded file; a new claims file resets the mapping overrides."""
    st.session_state[slot] = file_input(name, data)
    if slot == CLAIMS_FILE:
        st.session_state[OVERRIDES] = {}
        st.session_state[SOURCE_KIND] = "upload"


def _fresh_upload(seen: str, uploaded: Any) -> tuple[str, bytes] | None:
    """Name and bytes of a file the user just put in an uploader, once per upload.

    The uploader keeps showing its file on later runs; taking it again would undo a later choice (such
    as the sample practice). An emptied uploader forgets it, so the same file can be uploaded again.
    """
    if uploaded is None:
        st.session_state.pop(seen, None)
        return None
    data = uploaded.getvalue()
    digest = hashlib.sha256(data).hexdigest()
    if st.session_state.get(seen) == digest:
        return None
    st.session_state[seen] = digest
    return uploaded.name, data


def take_upload(slot: str, uploaded: Any) -> bool:
    """Keep a claims or roster file just uploaded; True when the session's data changed.

    Pages call this from their body (not from an on_change callback) and rerun, so the entrypoint, which
    reads and checks the data before the page runs, sees the new file.
    """
    fresh = _fresh_upload(f"seen_{slot}", uploaded)
    if fresh is None:
        return False
    set_upload(slot, *fresh)
    return True


def clear_data() -> None:
    """Forget the session's files (the session-scoped caches drop their copies when the session ends)."""
    for slot in (CLAIMS_FILE, ROSTER_FILE, NORMS_FILE):
        st.session_state[slot] = None
    st.session_state[OVERRIDES] = {}
    st.session_state[SOURCE_KIND] = None


def set_overrides(overrides: dict[str, str]) -> None:
    """Column -> canonical field (or "ignore") overrides; the next run re-reads and re-checks."""
    st.session_state[OVERRIDES] = dict(overrides)


def overrides() -> dict[str, str]:
    return dict(st.session_state.get(OVERRIDES) or {})


def _overrides_key(overrides: dict[str, str]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted(overrides.items()))


@st.cache_resource(max_entries=4, scope="session", show_spinner=False)
def _ingest(
    claims_digest: str,
    roster_digest: str | None,
    overrides: tuple[tuple[str, str], ...],
    claims_name: str,
    roster_name: str | None,
    _claims: bytes,
    _roster: bytes | None,
) -> IngestResult:
    """Read the upload; cached on the files' digests and the mapping overrides, for this session only."""
    return ingest(
        _claims,
        filename=claims_name,
        roster=_roster,
        roster_filename=roster_name,
        mapping_overrides=dict(overrides) or None,
        max_bytes=MAX_UPLOAD_MB * 1024 * 1024,
    )


def _history(ingested: IngestResult) -> IngestResult | None:
    """The upload's own adjudicated lines train the denial model (the risk module picks them out)."""
    return ingested if risk.adjudicated_mask(ingested.claims).any() else None


@st.cache_resource(max_entries=4, scope="session", show_spinner=False)
def _analyze(
    key: tuple[Any, ...], norms_name: str | None, _ingested: IngestResult, _norms: bytes | None
) -> Analysis:
    return analyze(_ingested, norms_file=_norms, norms_filename=norms_name, history=_history(_ingested))


def _key() -> tuple[Any, ...] | None:
    claims: FileInput | None = st.session_state.get(CLAIMS_FILE)
    if claims is None:
        return None
    roster: FileInput | None = st.session_state.get(ROSTER_FILE)
    user_norms: FileInput | None = st.session_state.get(NORMS_FILE)
    return (
        claims.digest,
        roster.digest if roster else None,
        _overrides_key(st.session_state[OVERRIDES]),
        user_norms.digest if user_norms else None,
    )


def _read(key: tuple[Any, ...]) -> IngestResult:
    claims: FileInput = st.session_state[CLAIMS_FILE]
    roster: FileInput | None = st.session_state.get(ROSTER_FILE)
    return _ingest(
        key[0],
        key[1],
        key[2],
        claims.name,
        roster.name if roster else None,
        claims.data,
        roster.data if roster else None,
    )


def _check(key: tuple[Any, ...], ingested: IngestResult) -> Analysis:
    user_norms: FileInput | None = st.session_state.get(NORMS_FILE)
    return _analyze(
        key, user_norms.name if user_norms else None, ingested, user_norms.data if user_norms else None
    )


def load() -> Loaded | None:
    """The session's data, read and checked once; shows progress the first time.

    Raises InputFileError for unusable input (pages render it as a message, never a traceback).
    """
    key = _key()
    if key is None:
        return None
    claims: FileInput = st.session_state[CLAIMS_FILE]
    label = SAMPLE_NAME if st.session_state.get(SOURCE_KIND) == "sample" else claims.name
    if st.session_state.get(LOADED_KEY) == key:
        ingested = _read(key)
        return Loaded(ingest=ingested, analysis=_check(key, ingested), source_label=label)
    st.session_state[LOADED_KEY] = None
    with st.status(f"Reading {claims.name}…", expanded=True) as status:
        try:
            ingested = _read(key)
        except InputFileError:
            status.update(label=f"Could not read {claims.name}", state="error", expanded=False)
            raise
        st.write(
            f"Read {ingested.rows_read:,} rows: {len(ingested.claims):,} claim lines, "
            f"{len(ingested.skipped):,} rows skipped."
        )
        learning = " and learning from the adjudicated ones" if _history(ingested) is not None else ""
        status.update(label=f"Checking {len(ingested.claims):,} claim lines{learning}…")
        analysis = _check(key, ingested)
        rules = analysis.check.rules
        st.write(
            f"Ran {int((rules['status'] == 'ran').sum())} rules "
            f"({int((rules['status'] == 'skipped').sum())} skipped for missing data): "
            f"{len(analysis.check.findings):,} findings."
        )
        status.update(label=f"{label}: ready", state="complete", expanded=False)
    st.session_state[LOADED_KEY] = key
    return Loaded(ingest=ingested, analysis=analysis, source_label=label)


def load_or_error() -> tuple[Loaded | None, InputFileError | None]:
    """`load`, with unusable input returned instead of raised so every page can show it as a message."""
    try:
        return load(), None
    except InputFileError as error:
        st.session_state[LOADED_KEY] = None
        return None, error


def show_input_error(error: InputFileError) -> None:
    """Say what is wrong with a file and where (file, sheet, row, column), so the user can fix it."""
    where = ", ".join(
        part
        for part in (
            f"file **{error.file}**",
            f"sheet **{error.sheet}**" if error.sheet else "",
            f"row **{error.row}**" if error.row else "",
            f"column **{error.column}**" if error.column else "",
        )
        if part
    )
    st.error(f"We could not use this file — {error.reason}\n\n{where}", icon=":material/error:")


# ---------------------------------------------------------------- sidebar filters


def _reset_filters(first: dt.date | None, last: dt.date | None) -> None:
    """All dates, payers and clinicians. Values are assigned (not deleted) so the browser's widgets follow."""
    if first is not None:
        st.session_state[FILTER_DATES] = (first, last)
    st.session_state[FILTER_PAYERS] = []
    st.session_state[FILTER_CLINICIANS] = []


def render_sidebar(loaded: Loaded | None) -> metrics.Filters:
    """Data-source status and the global filters; returns the filters every page applies."""
    with st.sidebar:
        if loaded is None:
            st.caption("No data loaded yet. Upload a claims export on **Start**, or explore the sample.")
            return metrics.Filters()
        claims = loaded.analysis.claims
        st.markdown(f"**{loaded.source_label}**")
        layout = loaded.ingest.source.layout
        st.caption(f"{len(claims):,} claim lines" + (f" · layout: {layout}" if layout else ""))
        options = metrics.filter_options(claims)
        first = options["first_date"].date() if options["first_date"] is not None else None
        last = options["last_date"].date() if options["last_date"] is not None else None
        if st.session_state.get(FILTERS_FOR) != st.session_state.get(LOADED_KEY):
            _reset_filters(first, last)
            st.session_state[FILTERS_FOR] = st.session_state.get(LOADED_KEY)
        start = end = None
        if first is not None:
            picked = st.date_input(
                "Service dates", min_value=first, max_value=last, key=FILTER_DATES, format="YYYY-MM-DD"
            )
            if isinstance(picked, tuple | list) and len(picked) == 2 and tuple(picked) != (first, last):
                start, end = pd.Timestamp(picked[0]), pd.Timestamp(picked[1])
        payers = st.multiselect("Payers", options["payers"], key=FILTER_PAYERS, placeholder="All payers")
        clinicians = st.multiselect(
            "Clinicians", options["clinicians"], key=FILTER_CLINICIANS, placeholder="All clinicians"
        )
        filters = metrics.Filters(start=start, end=end, payers=tuple(payers), clinicians=tuple(clinicians))
        if filters.active:
            st.button("Clear filters", on_click=_reset_filters, args=(first, last), width="stretch")
        return filters


def view(loaded: Loaded, filters: metrics.Filters) -> View:
    """Claims, findings and per-line risk under the same filters, so a page's numbers agree."""
    analysis = loaded.analysis
    claims = analysis.claims
    return View(
        loaded=loaded,
        filters=filters,
        claims=metrics.filter_claims(claims, filters),
        findings=metrics.filter_findings(analysis.check.findings, claims, filters),
        risk=metrics.filter_lines(analysis.risk, claims, filters),
    )


def current_view() -> View | None:
    """The filtered data for a page, or None after telling the user how to load some."""
    loaded: Loaded | None = st.session_state.get("_loaded")
    if loaded is None:
        error: InputFileError | None = st.session_state.get("_input_error")
        if error is not None:
            show_input_error(error)
        st.info(
            "No claims loaded yet. Upload an export or open the sample practice to get started.",
            icon=":material/upload_file:",
        )
        st.page_link("pages/start.py", label="Go to Start", icon=":material/arrow_forward:")
        return None
    return view(loaded, st.session_state["_filters"])


def publish(loaded: Loaded | None, filters: metrics.Filters, error: InputFileError | None) -> None:
    """Hand the entrypoint's loaded data, filters and input error to the page about to run."""
    st.session_state["_loaded"] = loaded
    st.session_state["_filters"] = filters
    st.session_state["_input_error"] = error


def input_error() -> InputFileError | None:
    return st.session_state.get("_input_error")


def loaded_data() -> Loaded | None:
    return st.session_state.get("_loaded")


def analysis_page(title: str) -> View:
    """Title an analysis page and return its filtered data, so every page opens the same way.

    When nothing is loaded the page stops here after saying how to load data; when sidebar filters are
    active a note says how many lines remain, so a small number is never mistaken for the whole upload.
    """
    st.title(title)
    current = current_view()
    if current is None:
        st.stop()
    _filter_note(current)
    return current


def _filter_note(current: View) -> None:
    if current.filters.active:
        st.caption(
            f":material/filter_alt: Filtered: {len(current.claims):,} of "
            f"{len(current.loaded.analysis.claims):,} claim lines."
        )


# ---------------------------------------------------------------- formatting shared by pages


def money(value: float) -> str:
    """Whole dollars; a dash for a missing amount rather than "$nan"."""
    return "—" if pd.isna(value) else f"${value:,.0f}"


def money_short(value: float) -> str:
    """Dollars that fit a KPI tile (six characters): $3.85M, $180K, $17.9K, $9,400."""
    if pd.isna(value):
        return "—"
    if abs(value) >= 1e6:
        return f"${value / 1e6:,.2f}M"
    if abs(value) >= 1e5:
        return f"${value / 1e3:,.0f}K"
    if abs(value) >= 1e4:
        return f"${value / 1e3:,.1f}K"
    return f"${value:,.0f}"


def money_change(value: float) -> str | None:
    """A signed dollar change for a metric delta; None (no delta shown) when nothing changed.

    The sign is an ASCII hyphen-minus: st.metric reads it to choose the arrow and the colour.
    """
    if pd.isna(value) or abs(value) < 0.5:
        return None
    return f"{'+' if value > 0 else '-'}${abs(value):,.0f}"


def count_change(value: float, digits: int = 0) -> str | None:
    """A signed count change for a metric delta; None (no delta shown) when it rounds to nothing."""
    if pd.isna(value) or abs(value) < 0.5 * 10**-digits:
        return None
    return f"{value:+,.{digits}f}"


def percent(value: float, digits: int = 1) -> str:
    """A share as a percent; a dash when it is undefined (e.g. no lines)."""
    return "—" if pd.isna(value) else f"{value:.{digits}%}"


FINDING_TABLE_CONFIG: dict[str, Any] = {
    "severity": st.column_config.TextColumn("Severity", width="small"),
    "rule": st.column_config.TextColumn("Rule", width="small"),
    "family": st.column_config.TextColumn("Family", width="small"),
    "row": st.column_config.NumberColumn("Row", format="%d", help="Row number as your spreadsheet shows it"),
    "service_date": st.column_config.DateColumn("Service date", format="YYYY-MM-DD"),
    "clinician": st.column_config.TextColumn("Clinician"),
    "payer": st.column_config.TextColumn("Payer"),
    "code": st.column_config.TextColumn("Code", width="small"),
    "amount": st.column_config.NumberColumn("Amount", format="dollar"),
    "message": st.column_config.TextColumn("What we found", width="large"),
    "fix": st.column_config.TextColumn("How to fix", width="large"),
    "claim_id": st.column_config.TextColumn("Claim"),
}


def slug(text: str) -> str:
    """Text reduced to letters, digits and underscores, safe in download file names and widget keys."""
    cleaned = "".join(character.lower() if character.isalnum() else "_" for character in text).strip("_")
    return cleaned or "scenario"


# ---------------------------------------------------------------- norms (Clinicians page)


def take_norms_upload(uploaded: Any) -> bool:
    """Keep a practice's norms CSV when it reads cleanly (else keep the message); True when it changed."""
    fresh = _fresh_upload("seen_norms", uploaded)
    if fresh is None:
        return False
    name, data = fresh
    st.session_state["norms_error"] = None
    try:
        norms.load_norms(data, name)
    except InputFileError as error:
        st.session_state["norms_error"] = error
        return False
    st.session_state[NORMS_FILE] = file_input(name, data)
    return True


def norms_error() -> InputFileError | None:
    return st.session_state.get("norms_error")


def clear_norms() -> None:
    st.session_state[NORMS_FILE] = None


def norms_file() -> FileInput | None:
    return st.session_state.get(NORMS_FILE)


@st.cache_resource(max_entries=2, scope="session", show_spinner=False)
def _norms_table(digest: str | None, name: str | None, _data: bytes | None) -> pd.DataFrame:
    return norms.load_norms(_data, name) if _data is not None else norms.load_norms()


def norms_table() -> pd.DataFrame:
    """The shipped norms with the session's own norms file (if any) laid over them."""
    user = norms_file()
    return _norms_table(
        user.digest if user else None, user.name if user else None, user.data if user else None
    )


def _filters_key(filters: metrics.Filters) -> tuple[Any, ...]:
    return (filters.start, filters.end, filters.payers, filters.clinicians)


@st.cache_data(max_entries=16, scope="session", show_spinner=False)
def _code_mix(
    key: tuple[Any, ...],
    _claims: pd.DataFrame,
    _credentials: pd.Series,
    _norms: pd.DataFrame,
    _on: pd.Timestamp,
) -> pd.DataFrame:
    return norms.code_mix(_claims, _norms, on=_on, credentials=_credentials)


def code_mix(current: View) -> pd.DataFrame:
    """Clinician code mix vs norms for the filtered lines (cached per data, filters and norms file)."""
    analysis = current.loaded.analysis
    key = (st.session_state.get(LOADED_KEY), _filters_key(current.filters))
    credentials = analysis.roster.credentials_for(current.claims)
    return _code_mix(key, current.claims, credentials, norms_table(), analysis.as_of)


@st.cache_data(max_entries=16, scope="session", show_spinner=False)
def _peer_table(key: tuple[Any, ...], _claims: pd.DataFrame, _allowed: pd.Series) -> pd.DataFrame:
    return norms.peer_metrics(_claims, _allowed)


def peer_table(current: View) -> pd.DataFrame:
    """Per-clinician peer metrics for the filtered lines (cached per data and filters)."""
    if current.claims.empty or "clinician_name" not in current.claims.columns:
        return pd.DataFrame()
    key = (st.session_state.get(LOADED_KEY), _filters_key(current.filters))
    return _peer_table(key, current.claims, current.risk["expected_payment"])


def credential_of(analysis: Analysis, clinician: str) -> str | None:
    """The roster credential of one clinician, or None when the roster does not give one."""
    people = analysis.roster.clinicians
    if people.empty or "credential" not in people.columns:
        return None
    found = people.loc[people["clinician_name"] == clinician, "credential"].dropna()
    return str(found.iloc[0]) if not found.empty else None


# ---------------------------------------------------------------- page helpers over the analysis


def rule_detail(rule_id: str) -> Rule | None:
    """A rule's metadata (rationale, fix, source) to explain a finding; None for an unknown id."""
    return REGISTRY.get(rule_id)


def findings_workbook(loaded: Loaded, findings: pd.DataFrame) -> bytes:
    """The formatted, formula-safe findings workbook (bhdash.report) for the findings shown."""
    analysis = loaded.analysis
    shown = replace(
        analysis,
        check=CheckResult(findings=findings, rules=analysis.check.rules, warnings=analysis.check.warnings),
    )
    return report.findings_xlsx(shown)


def safe_csv(frame: pd.DataFrame) -> bytes:
    """CSV download with formula-like cells neutralized (bhdash.export)."""
    return export.to_csv_bytes(frame)


# ---------------------------------------------------------------- what-if


@st.cache_resource(max_entries=2, scope="session", show_spinner=False)
def _baseline(key: tuple[Any, ...], _ingested: IngestResult, _analysis: Analysis) -> whatif.Baseline:
    """The what-if baseline assembled from the analysis already computed: no second run of the checks
    and no second fit of the risk model (scenarios rescore with the model the analysis scored with).
    """
    directory = default_directory()
    table = norms_table()
    claims, roster, findings = _analysis.claims, _analysis.roster, _analysis.check.findings
    history = _history(_ingested)
    model = _analysis.risk_fitted
    paid = risk.paid_history(history.claims, directory) if history is not None else None
    mix = norms.code_mix(claims, table, on=_analysis.as_of, credentials=roster.credentials_for(claims))
    return whatif.Baseline(
        claims=claims,
        roster=roster,
        as_of=_analysis.as_of,
        payers=directory,
        norms=table,
        settings={},
        findings=findings,
        risk=risk.RiskResult(lines=_analysis.risk, model=_analysis.risk_model),
        mix=mix,
        model=model,
        paid=paid,
    )


def baseline(loaded: Loaded) -> whatif.Baseline:
    """The what-if baseline for the session's data (prepared once; see `warm_up`)."""
    with st.spinner("Preparing the baseline for what-if scenarios…"):
        return _baseline(st.session_state.get(LOADED_KEY), loaded.ingest, loaded.analysis)


def warm_up(loaded: Loaded | None) -> None:
    """Prepare the what-if baseline after the page is drawn, so the first visit to What-if is instant.

    Called at the end of the entrypoint: the page the user asked for is already on screen while this runs,
    and any interaction simply starts the next run (the cached baseline is kept once computed).
    """
    if loaded is not None:
        _baseline(st.session_state.get(LOADED_KEY), loaded.ingest, loaded.analysis)


@st.cache_data(max_entries=16, scope="session", show_spinner="Evaluating the scenario…")
def _evaluate(
    key: tuple[Any, ...], scenario_json: str, _baseline: whatif.Baseline
) -> whatif.ScenarioComparison:
    return whatif.evaluate(_baseline, whatif.scenario_from_json(scenario_json))


def evaluate_scenario(base: whatif.Baseline, scenario: whatif.Scenario) -> whatif.ScenarioComparison:
    """Baseline vs scenario, cached per scenario so re-showing one is instant."""
    return _evaluate(st.session_state.get(LOADED_KEY), whatif.scenario_to_json(scenario), base)


def _rows(frame: pd.DataFrame, required: tuple[str, ...]) -> pd.DataFrame:
    """Editor rows with every required cell filled (half-typed rows are ignored until complete)."""
    return frame.dropna(subset=list(required)) if not frame.empty else frame


def iso_day(value: object) -> str | None:
    """A date cell as YYYY-MM-DD, None when blank (scenario levers take dates as text)."""
    return None if pd.isna(value) else f"{pd.Timestamp(value):%Y-%m-%d}"


def _codes(text: object) -> list[str] | None:
    if text is None or pd.isna(text) or not str(text).strip():
        return None
    return [part.strip().upper() for part in str(text).replace(",", ";").split(";") if part.strip()]


def scenario_from_editors(
    name: str,
    description: str,
    enrollments: pd.DataFrame,
    licenses: pd.DataFrame,
    shifts: pd.DataFrame,
    fix_families: list[str],
    payer_edits: pd.DataFrame,
) -> whatif.Scenario:
    """The scenario the What-if editors describe."""
    return whatif.Scenario(
        name=name.strip() or "Scenario",
        description=description,
        enrollments=[
            whatif.EnrollmentChange(
                row.clinician, row.payer, iso_day(row.effective_date), iso_day(row.term_date)
            )
            for row in _rows(enrollments, ("clinician", "payer")).itertuples()
            if pd.notna(row.effective_date) or pd.notna(row.term_date)
        ],
        licenses=[
            whatif.LicenseChange(row.clinician, f"{pd.Timestamp(row.expiration_date):%Y-%m-%d}")
            for row in _rows(licenses, ("clinician", "expiration_date")).itertuples()
        ],
        mix_shifts=[
            whatif.MixShift(
                clinician=row.clinician,
                from_code=row.from_code,
                to_code=row.to_code,
                fraction=float(row.fraction) if pd.notna(row.fraction) else 0.0,
                to_norm=bool(row.to_norm) if pd.notna(row.to_norm) else False,
            )
            for row in _rows(shifts, ("clinician", "from_code", "to_code")).itertuples()
        ],
        fix_families=list(fix_families),
        payer_changes=[
            whatif.PayerChange(
                payer=row.payer,
                telehealth_pos=_codes(row.telehealth_pos),
                telehealth_modifiers=_codes(row.telehealth_modifiers),
                fee_percent=float(row.fee_percent) if pd.notna(row.fee_percent) else None,
            )
            for row in _rows(payer_edits, ("payer",)).itertuples()
        ],
    )
