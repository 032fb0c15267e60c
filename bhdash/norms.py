"""Code mix per clinician against payer norms, and CBR/PEPPER-style peer percentiles.

A share difference alone flags a clinician with ten sessions; a p-value alone flags a tiny difference over
thousands of sessions. A clinician × code is flagged only when the exact binomial test (corrected for the
number of comparisons) AND a materiality threshold in percentage points agree, above a minimum volume.
`flagged` is two-sided (distance from the norm, for charts); an audit outlier (`audit_flag`, what NORM
findings report) is a flagged share that is *higher* than the norm on an audit-focus code (90837, level
4/5 E/M: the codes payers' letters and CBRs single out), so billing shorter sessions is not called risk.
Norms ship in `reference/norms.csv` (payer_norms.md §8, each row with basis and source) and a practice's
own CSV replaces shipped rows for the (payer type, family, credential) groups it covers. A payer type
with no norm of its own for a family (commercial E/M levels, Medicare Advantage, Medicaid E/M) is compared
with the national reference, Medicare's published shares, and its basis says so (`NATIONAL_REFERENCE`):
a psychiatrist billing 99215 on 60% of visits is an outlier whatever the payer.
"""

from __future__ import annotations

import functools
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.special import gammaln, xlog1py, xlogy

from bhdash.distinct import distinct_ids
from bhdash.errors import InputFileError, unreadable_csv
from bhdash.model import PAYER_TYPES
from bhdash.payers import SELF_PAY, payer_type_from_name
from bhdash.reference import in_effect, load_table

NORM_COLUMNS: tuple[str, ...] = (
    "payer_type", "code_family", "code", "credential", "expected_share", "basis", "source",
    "effective_from", "effective_to",
)
_REQUIRED_USER_COLUMNS = ("payer_type", "code_family", "code", "expected_share")
_GROUP_KEY = ["payer_type", "code_family", "credential"]
# The only national code-mix figures are Medicare's (payer_norms.md §1, §2: no authoritative commercial
# or Medicaid E/M mix is published); a borrowed norm's basis ends with this suffix.
NATIONAL_TYPE = "medicare"
NATIONAL_REFERENCE = ", national reference"
PSYCHOTHERAPY_CODES: tuple[str, ...] = ("90832", "90834", "90837")
# Families whose use rate (share of a clinician's services) is compared with peers (CBR201807 code list,
# bh_coding_rules.md §12 AUD-002: outlier rates of 90785, 90839, 90846).
USE_RATE_FAMILIES: tuple[str, ...] = ("evaluation", "family", "group", "crisis", "interactive_complexity")

MIX_COLUMNS: tuple[str, ...] = (
    "clinician", "credential", "payer_type", "code_family", "code", "count", "volume", "observed_share",
    "expected_share", "difference_pp", "p_value", "p_adjusted", "significant", "material", "flagged",
    "audit_focus", "audit_flag", "basis", "source",
)


@dataclass(frozen=True)
class NormSettings:
    """Thresholds for flagging a clinician's code share (defaults: CBR-like 'significantly higher')."""

    alpha: float = 0.05
    materiality_pp: float = 10.0
    min_volume: int = 30
    correction: str = "holm"  # "holm" (family-wise) or "bh" (false discovery rate)


def code_families() -> pd.DataFrame:
    """code → code_family (individual psychotherapy, E/M levels, evaluation, family, group, crisis …)."""
    return load_table("code_families.csv")


def _read_user_norms(source: bytes | str | Path, filename: str) -> pd.DataFrame:
    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    try:
        table = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False, na_values=[""])
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        raise unreadable_csv(error, file=filename, what="norms CSV") from error
    table.columns = [str(column).strip().lower() for column in table.columns]
    missing = [column for column in _REQUIRED_USER_COLUMNS if column not in table.columns]
    if missing:
        raise InputFileError(f"norms file needs the column(s) {', '.join(missing)}", file=filename, row=1)
    for column in NORM_COLUMNS:
        if column not in table.columns:
            table[column] = pd.NA
    table = table[list(NORM_COLUMNS)].copy()
    for column in ("payer_type", "code_family", "credential"):
        table[column] = table[column].str.strip().str.lower() if column != "credential" else (
            table[column].str.strip().str.upper())
    table["code"] = table["code"].str.strip().str.upper()
    spreadsheet_row = pd.Series(np.arange(len(table)) + 2, index=table.index)
    bad_type = ~table["payer_type"].isin(PAYER_TYPES)
    if bad_type.any():
        first = bad_type.idxmax()
        raise InputFileError(f"unknown payer_type '{table.loc[first, 'payer_type']}' "
                             f"(use {', '.join(PAYER_TYPES)})", file=filename,
                             row=int(spreadsheet_row[first]), column="payer_type")
    for column in ("code_family", "code"):
        empty = table[column].isna() | (table[column] == "")
        if empty.any():
            raise InputFileError(f"{column} is required", file=filename,
                                 row=int(spreadsheet_row[empty.idxmax()]), column=column)
    shares = pd.to_numeric(table["expected_share"], errors="coerce")
    bad_share = shares.isna() | (shares < 0) | (shares > 1)
    if bad_share.any():
        first = bad_share.idxmax()
        raise InputFileError(f"expected_share must be a number from 0 to 1, got "
                             f"'{table.loc[first, 'expected_share']}'", file=filename,
                             row=int(spreadsheet_row[first]), column="expected_share")
    table["expected_share"] = shares
    for column in ("effective_from", "effective_to"):
        dates = pd.to_datetime(table[column], errors="coerce")
        bad_date = dates.isna() & table[column].notna()
        if bad_date.any():
            raise InputFileError(f"{column} must be a date (YYYY-MM-DD)", file=filename,
                                 row=int(spreadsheet_row[bad_date.idxmax()]), column=column)
        table[column] = dates
    table["basis"] = table["basis"].fillna("user")
    table["source"] = table["source"].fillna(f"practice norms file {filename}")
    return table


def load_norms(user_file: bytes | str | Path | None = None, filename: str | None = None) -> pd.DataFrame:
    """Shipped norms, with a practice's CSV replacing every (payer type, family, credential) group it has."""
    norms = load_table("norms.csv")
    norms["expected_share"] = norms["expected_share"].astype("float64")
    if user_file is None:
        return norms[list(NORM_COLUMNS)]
    name = filename or (Path(user_file).name if not isinstance(user_file, bytes) else "norms.csv")
    user = _read_user_norms(user_file, name)
    user_groups = user[_GROUP_KEY].fillna("").drop_duplicates()
    shipped_keys = norms[_GROUP_KEY].fillna("").merge(user_groups, how="left", indicator=True)
    kept = norms[(shipped_keys["_merge"] == "left_only").to_numpy()]
    return pd.concat([kept, user], ignore_index=True)[list(NORM_COLUMNS)]


def norms_in_effect(norms: pd.DataFrame, on: pd.Timestamp) -> pd.DataFrame:
    """One distribution per (payer type, family, credential) for a date, normalised to sum to 1.

    Shares are published rounded (a family may sum to 0.99), so they are rescaled within the group.
    """
    current = in_effect(norms, pd.Timestamp(on)).copy()
    current["credential"] = current["credential"].fillna("")
    current = current.drop_duplicates([*_GROUP_KEY, "code"], keep="last")
    totals = current.groupby(_GROUP_KEY)["expected_share"].transform("sum")
    current["expected_share"] = current["expected_share"] / totals
    return current.reset_index(drop=True)


def _norm_per_credential(norms: pd.DataFrame, credentials: pd.Series) -> pd.DataFrame:
    """For each credential seen, the norm rows that apply: its own rows win over the all-credential ones."""
    explicit = norms.assign(credential=norms["credential"].str.split(";")).explode("credential")
    explicit = explicit[explicit["credential"] != ""]
    general = norms[norms["credential"] == ""]
    seen = pd.DataFrame({"clinician_credential": credentials.dropna().unique()})
    specific = explicit.rename(columns={"credential": "clinician_credential"}).merge(seen)
    covered = specific[["clinician_credential", "payer_type", "code_family"]].drop_duplicates()
    fallback = seen.merge(general.drop(columns="credential"), how="cross")
    fallback = fallback.merge(covered, how="left", indicator=True)
    fallback = fallback[fallback["_merge"] == "left_only"].drop(columns="_merge")
    return pd.concat([specific, fallback], ignore_index=True)


class _ByContent:
    """A frame hashed and compared by its values, so that a cache may key on it."""

    __slots__ = ("_hash", "frame")

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame
        self._hash = int(pd.util.hash_pandas_object(frame, index=False).sum())

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _ByContent) and self._hash == other._hash and self.frame.equals(other.frame)


@functools.lru_cache(maxsize=16)
def _applicable_norms(norms: _ByContent, on: pd.Timestamp, seen: tuple[tuple[str, str], ...]) -> pd.DataFrame:
    """The norm rows in effect on a date for each (credential, payer type) billed, in the order first billed.

    Kept: a what-if recount of the code mix bills the same pairs, and these joins of a table of a few dozen
    rows cost more than counting the lines. Callers read the frame and never change it."""
    billed = pd.DataFrame(list(seen), columns=["clinician_credential", "payer_type"], dtype="string")
    current = norms_in_effect(norms.frame, on)
    return _with_national_reference(_norm_per_credential(current, billed["clinician_credential"]), billed)


def _with_national_reference(applicable: pd.DataFrame, lines: pd.DataFrame) -> pd.DataFrame:
    """Add, for each (credential, payer type) billed whose payer type has no norm for a family, the
    national (Medicare) norm rows of that family, their basis marked NATIONAL_REFERENCE."""
    national = applicable[applicable["payer_type"] == NATIONAL_TYPE].drop(columns="payer_type")
    seen = lines[["clinician_credential", "payer_type"]].drop_duplicates()
    seen = seen[~seen["payer_type"].isin([NATIONAL_TYPE, SELF_PAY])]
    borrowed = seen.merge(national, on="clinician_credential")
    if borrowed.empty:
        return applicable
    own = applicable[["clinician_credential", "payer_type", "code_family"]].drop_duplicates()
    borrowed = borrowed.merge(own, how="left", indicator=True)
    borrowed = borrowed[borrowed["_merge"] == "left_only"].drop(columns="_merge")
    borrowed["basis"] = borrowed["basis"].astype(str) + NATIONAL_REFERENCE
    program = borrowed["payer_type"].str.replace("_", " ")
    borrowed["source"] = ("no " + program + " norm for this code family; the national (Medicare) reference "
                          "is used: " + borrowed["source"].astype(str))
    return pd.concat([applicable, borrowed[applicable.columns]], ignore_index=True)


def _adjust(p_values: np.ndarray, method: str) -> np.ndarray:
    if len(p_values) == 0:
        return p_values
    if method not in ("holm", "bh"):
        raise ValueError(f"unknown multiple-comparison correction {method!r} (use 'holm' or 'bh')")
    order = np.argsort(p_values, kind="stable")
    count = len(p_values)
    if method == "bh":  # Benjamini-Hochberg: p(i) * m / i, made monotone from the largest p down
        ranked = p_values[order] * count / np.arange(1, count + 1)
        adjusted = np.minimum(np.minimum.accumulate(ranked[::-1])[::-1], 1.0)
    else:  # Holm: p(i) * (m - i + 1), made monotone from the smallest p up
        ranked = p_values[order] * (count - np.arange(count))
        adjusted = np.minimum(np.maximum.accumulate(ranked), 1.0)
    result = np.empty_like(adjusted)
    result[order] = adjusted
    return result


_RELATIVE_TOLERANCE = 1 + 1e-7  # scipy.stats.binomtest's tolerance when comparing probabilities


def _outcome_probabilities(volume: int, share: float, log_factorial: np.ndarray) -> np.ndarray:
    """P(X = k) for k = 0..volume, X ~ Binomial(volume, share), from log-gamma (`log_factorial[j]` is
    log j!; scipy.stats costs seconds to import at start-up)."""
    outcomes = np.arange(volume + 1)
    log_choose = log_factorial[volume] - log_factorial[outcomes] - log_factorial[volume - outcomes]
    return np.exp(log_choose + xlogy(outcomes, share) + xlog1py(volume - outcomes, -share))


def exact_binomial_p(counts: np.ndarray, volumes: np.ndarray, shares: np.ndarray) -> np.ndarray:
    """Two-sided exact binomial p-values: the same definition as scipy.stats.binomtest (the probability of
    every outcome no more likely than the one observed), for many tests at once.

    A test's value depends on its own count, volume and share alone, to the last bit, whatever is computed
    with it: `_binomial_p` keeps values across calls. A count outside 0..volume has p = 0.
    """
    counts, volumes, shares = (np.asarray(values) for values in (counts, volumes, shares))
    p_values = np.zeros(counts.size)
    if counts.size == 0:
        return p_values
    counts = counts.astype(np.int64)
    log_factorial = gammaln(np.arange(int(volumes.max()) + 1) + 1)
    # The tests of one (volume, share) share its outcome probabilities: a family's codes share a volume,
    # and the norms have few shares.
    pair, first = distinct_ids(pd.DataFrame({"volume": volumes, "share": shares}))
    by_pair = np.argsort(pair, kind="stable")
    bounds = np.searchsorted(pair[by_pair], np.arange(len(first) + 1))
    for number, position in enumerate(first):
        tests = by_pair[bounds[number]:bounds[number + 1]]
        volume = int(volumes[position])
        tests = tests[(counts[tests] >= 0) & (counts[tests] <= volume)]
        probabilities = _outcome_probabilities(volume, shares[position], log_factorial)
        # Summed smallest first (the most accurate order): every probability up to the observed one's.
        ranked = np.sort(probabilities)
        observed = probabilities[counts[tests]] * _RELATIVE_TOLERANCE
        no_likelier = np.searchsorted(ranked, observed, side="right")
        p_values[tests] = np.concatenate([[0.0], np.cumsum(ranked)])[no_likelier]
    return np.minimum(p_values, 1.0)


# Exact p-values by (k, n, p), kept across calls: a what-if recount changes a few clinicians' counts and
# finds every other group's test already done. Numbers only; emptied when it grows past the limit.
_P_VALUES: dict[tuple[int, int, float], float] = {}
_P_VALUES_LIMIT = 200_000


def _binomial_p(counts: pd.Series, volumes: pd.Series, shares: pd.Series) -> np.ndarray:
    """Exact two-sided binomial p-values, computed once per distinct (k, n, p) (a row's value does not
    depend on the others computed with it)."""
    keys = list(zip(counts.astype(int).tolist(), volumes.astype(int).tolist(), shares.round(6).tolist(),
                    strict=True))
    known = {key: _P_VALUES.get(key) for key in set(keys)}
    missing = [key for key, value in known.items() if value is None]
    if missing:
        k, n, p = (np.array(column) for column in zip(*missing, strict=True))
        computed = dict(zip(missing, exact_binomial_p(k, n, p).tolist(), strict=True))
        known.update(computed)
        if len(_P_VALUES) > _P_VALUES_LIMIT:
            _P_VALUES.clear()
        _P_VALUES.update(computed)
    return np.array([known[key] for key in keys], dtype="float64")


def line_payer_types(claims: pd.DataFrame) -> pd.Series:
    """payer_type per line: the claims' own column, else inferred from the payer name."""
    types = claims["payer_type"].astype("string") if "payer_type" in claims.columns else (
        pd.Series(pd.NA, index=claims.index, dtype="string"))
    if "payer" in claims.columns and types.isna().any():
        names = claims.loc[types.isna(), "payer"]
        distinct = pd.Series(names.dropna().unique())
        by_name = pd.Series(payer_type_from_name(distinct).to_numpy(), index=distinct.to_numpy())
        types = types.fillna(names.map(by_name).astype("string"))
    return types


def code_mix(
    claims: pd.DataFrame,
    norms: pd.DataFrame | None = None,
    *,
    on: pd.Timestamp | str | None = None,
    settings: NormSettings | None = None,
    credentials: pd.Series | None = None,
    payer_types: pd.Series | None = None,
) -> pd.DataFrame:
    """Observed vs expected share per clinician × payer type × family × code (MIX_COLUMNS).

    `on` picks the norm rows in effect (default: the latest service date). `credentials` may give a
    per-line credential when the claims carry none (e.g. from the roster); `payer_types` each line's
    `line_payer_types`, when already worked out (a what-if recount: levers never change a line's payer).
    """
    settings = settings or NormSettings()
    norms = load_norms() if norms is None else norms
    if on is None:
        on = claims["service_date"].max() if "service_date" in claims.columns else pd.Timestamp.today()
        on = on if pd.notna(on) else pd.Timestamp.today()
    if credentials is None:
        credentials = (claims["clinician_credential"] if "clinician_credential" in claims.columns
                       else pd.Series(pd.NA, index=claims.index))
    lines = pd.DataFrame({
        "clinician": claims["clinician_name"],
        "clinician_credential": credentials.reindex(claims.index).astype("string").fillna(""),
        "payer_type": line_payer_types(claims) if payer_types is None else payer_types.reindex(claims.index),
        "code": claims["procedure_code"],
    })
    # Lines are counted per clinician × credential × payer type × code before the join to code families:
    # the same counts as joining every line, on a few hundred rows instead of every line. Distinct ids
    # count them faster than a groupby over four text columns, in order of first appearance; combinations
    # with no clinician, payer type or code are then dropped, not the lines one by one.
    ids, first = distinct_ids(lines)
    per_code = (lines.iloc[first].reset_index(drop=True).assign(count=np.bincount(ids, minlength=len(first)))
                .dropna(subset=["clinician", "payer_type", "code"]))
    seen = per_code[["clinician_credential", "payer_type"]].drop_duplicates()  # in the order first billed
    applicable = _applicable_norms(_ByContent(norms), pd.Timestamp(on),
                                   tuple(seen.itertuples(index=False, name=None)))
    family_codes = applicable[["payer_type", "code_family", "code", "clinician_credential"]]
    counted = (per_code.merge(family_codes, on=["payer_type", "code", "clinician_credential"])
               .groupby(["clinician", "clinician_credential", "payer_type", "code_family", "code"])
               ["count"].sum().reset_index())
    if counted.empty:
        return pd.DataFrame({column: pd.Series(dtype="object") for column in MIX_COLUMNS})
    groups = counted[["clinician", "clinician_credential", "payer_type", "code_family"]].drop_duplicates()
    grid = groups.merge(applicable, on=["clinician_credential", "payer_type", "code_family"])
    mix = grid.merge(counted, how="left", on=["clinician", "clinician_credential", "payer_type",
                                              "code_family", "code"])
    mix["count"] = mix["count"].fillna(0).astype("int64")
    mix["volume"] = mix.groupby(["clinician", "payer_type", "code_family"])["count"].transform("sum")
    mix["observed_share"] = mix["count"] / mix["volume"]
    mix["difference_pp"] = (mix["observed_share"] - mix["expected_share"]) * 100
    mix["p_value"] = _binomial_p(mix["count"], mix["volume"], mix["expected_share"])
    testable = mix["volume"] >= settings.min_volume
    mix["p_adjusted"] = np.nan
    mix.loc[testable, "p_adjusted"] = _adjust(mix.loc[testable, "p_value"].to_numpy(), settings.correction)
    mix["significant"] = testable & (mix["p_adjusted"] < settings.alpha)
    mix["material"] = mix["difference_pp"].abs() >= settings.materiality_pp
    mix["flagged"] = mix["significant"] & mix["material"]
    focus = code_families().set_index("code")["audit_focus"].eq("yes")
    mix["audit_focus"] = mix["code"].map(focus).fillna(False).astype(bool)
    mix["audit_flag"] = mix["flagged"] & mix["audit_focus"] & (mix["difference_pp"] > 0)
    mix = mix.rename(columns={"clinician_credential": "credential"})
    mix["credential"] = mix["credential"].replace("", pd.NA)
    return mix[list(MIX_COLUMNS)].sort_values(["clinician", "payer_type", "code_family", "code"],
                                              ignore_index=True)


def flagged_clinicians(mix: pd.DataFrame) -> pd.DataFrame:
    """One row per audit outlier (clinician × payer type × family); the code furthest above leads."""
    flagged = mix[mix["audit_flag"]]
    if flagged.empty:
        return flagged.copy()
    order = flagged.assign(distance=flagged["difference_pp"].abs())
    order = order.sort_values(["distance", "p_value"], ascending=[False, True], kind="stable")
    return order.drop_duplicates(["clinician", "payer_type", "code_family"]).drop(columns="distance")\
        .sort_values(["clinician", "payer_type", "code_family"], ignore_index=True)


def audit_exposure(mix: pd.DataFrame) -> dict[str, float]:
    """Distance from norms: how many services would have to change code to match the norms.

    Per clinician × payer type × family, half the summed absolute share differences (total variation
    distance) times the volume; summed overall and over audit-outlier groups only.
    """
    if mix.empty:
        return {"flagged_groups": 0, "services_off_norm": 0.0, "flagged_services_off_norm": 0.0}
    keys = ["clinician", "payer_type", "code_family"]
    distance = (mix.assign(gap=(mix["observed_share"] - mix["expected_share"]).abs())
                .groupby(keys).agg(gap=("gap", "sum"), volume=("volume", "first"),
                                   flagged=("audit_flag", "any")))
    off = distance["gap"] / 2 * distance["volume"]
    return {
        "flagged_groups": int(distance["flagged"].sum()),
        "services_off_norm": float(off.sum()),
        "flagged_services_off_norm": float(off[distance["flagged"]].sum()),
    }


def peer_metrics(claims: pd.DataFrame, allowed: pd.Series | None = None) -> pd.DataFrame:
    """CBR-style metrics per clinician, with percentiles against the practice's own clinicians.

    Metrics (payer_norms.md §3): percent of individual psychotherapy billed as 90837, services per
    patient, allowed per patient (`allowed` per line: paid, else expected payment; see
    `risk.expected_payment`); use rates of evaluation, family, group, crisis and interactive-complexity
    codes (bh_coding_rules.md §12 AUD-002). Percentile 100 = highest in the practice.
    `outlier_score` ranks like PEPPER: the 90837-share excess over the peer median times the
    clinician's psychotherapy volume.
    """
    patient = claims["patient_id"] if "patient_id" in claims.columns else claims.get("claim_id")
    if patient is None:
        raise ValueError("peer metrics need patient_id (or claim_id) to count patients")
    code = claims["procedure_code"]
    frame = pd.DataFrame({
        "clinician": claims["clinician_name"], "patient": patient,
        "psychotherapy": code.isin(PSYCHOTHERAPY_CODES), "is_90837": code.eq("90837"),
        "allowed": (allowed.reindex(claims.index) if allowed is not None
                    else pd.Series(np.nan, index=claims.index)),
    }).dropna(subset=["clinician"])
    per = frame.groupby("clinician").agg(
        services=("patient", "size"), patients=("patient", "nunique"),
        psychotherapy_services=("psychotherapy", "sum"), services_90837=("is_90837", "sum"),
    )
    per["allowed"] = frame.groupby("clinician")["allowed"].sum(min_count=1)
    per["share_90837"] = per["services_90837"] / per["psychotherapy_services"].where(
        per["psychotherapy_services"] > 0)
    per["services_per_patient"] = per["services"] / per["patients"]
    per["allowed_per_patient"] = per["allowed"] / per["patients"]
    families = frame.assign(code_family=code.reindex(frame.index).map(
        code_families().set_index("code")["code_family"]))
    rates = pd.crosstab(families["clinician"], families["code_family"]).reindex(
        columns=list(USE_RATE_FAMILIES), fill_value=0)
    for family in USE_RATE_FAMILIES:
        per[f"{family}_rate"] = rates[family].reindex(per.index).fillna(0) / per["services"]
    metrics = ("share_90837", "services_per_patient", "allowed_per_patient",
               *(f"{family}_rate" for family in USE_RATE_FAMILIES))
    for metric in metrics:
        per[f"{metric}_percentile"] = per[metric].rank(pct=True, method="min") * 100
    excess = (per["share_90837"] - per["share_90837"].median()).clip(lower=0)
    per["outlier_score"] = (excess * per["psychotherapy_services"]).fillna(0.0)
    return per.reset_index().sort_values("outlier_score", ascending=False, ignore_index=True)


CODE_FAMILY_LABELS: dict[str, str] = {
    "individual_psychotherapy": "Individual psychotherapy (90832/90834/90837)",
    "psychotherapy_addon": "Psychotherapy add-ons with E/M (90833/90836/90838)",
    "established_em": "Established-patient E/M levels (99211–99215)",
    "new_patient_em": "New-patient E/M levels (99202–99205)",
    "evaluation": "Diagnostic evaluation (90791/90792)",
    "family": "Family psychotherapy",
    "group": "Group psychotherapy",
    "crisis": "Crisis psychotherapy",
    "interactive_complexity": "Interactive complexity (90785)",
}


def code_family_label(family: str) -> str:
    """A code family in a practice manager's words (the dashboard and the report use the same)."""
    return CODE_FAMILY_LABELS.get(family, family.replace("_", " ").capitalize())


def mix_verdict(audit_outlier: bool, off_norm: bool) -> str:
    """The plain-language verdict on one clinician's code mix in one family against the payer norm."""
    if audit_outlier:
        return "Above the norm on a code payers audit: material and statistically significant at this volume."
    if off_norm:
        return "The gap is material and significant, but not on the side payers audit."
    return "Within the norm, or the gap is not significant at this volume."
