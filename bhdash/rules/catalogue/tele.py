"""TELE: telehealth place of service and modifiers, payer by payer (bh_coding_rules.md §5, §12).

What each payer expects (POS 02/10, which telehealth modifier) comes from the payer table through
`ctx.line_payers`; which codes are on the telehealth list or audio-only eligible comes from
`reference/telehealth_codes.csv`, dated and sourced. Unconfirmed list entries give warnings (TELE-004),
confirmed ones errors (TELE-001).
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd

from bhdash.distinct import distinct_ids, per_distinct_frame
from bhdash.model import MODIFIER_COLUMNS
from bhdash.payers import assumption_note
from bhdash.reference import load_table
from bhdash.rules.catalogue._lookup import (
    code_range_matrix,
    column,
    fmt_date,
    has_modifier,
    map_unique,
    modifier_list,
    payer_convention_start,
    text,
)
from bhdash.rules.catalogue._shared import code_table, memo, no_hits
from bhdash.rules.engine import CheckContext
from bhdash.rules.registry import hits, rule

TELEHEALTH_POS = ("02", "10")
VIDEO_MODIFIERS = ("95", "GT")
AUDIO_MODIFIERS = ("93", "FQ")
_CONVENTION_PROBLEMS = ("wrong_pos", "gt_medicare", "missing_modifier")  # TELE-002, in reporting order
_FAR_PAST = pd.Timestamp("1900-01-01")
_FAR_FUTURE = pd.Timestamp("2262-01-01")


def _is_telehealth(claims: pd.DataFrame) -> pd.Series:
    pos = text(column(claims, "pos"))
    return pos.isin(TELEHEALTH_POS).fillna(False) | has_modifier(claims, VIDEO_MODIFIERS + AUDIO_MODIFIERS)


def _list_verdict(claims: pd.DataFrame, ctx: CheckContext, flag: str, confirmed: bool) -> pd.Series:
    """Per telehealth line (`claims`, the lines `_telehealth_lines` picks), the matching
    telehealth_codes.csv row's `flag` ("yes"/"no", NA when no row applies) among rows with the given
    confirmation status, honouring payer type and effective dates.

    The verdict depends only on code, payer type and date, so it is worked out once per distinct
    combination of the three rather than per line; the combinations are found once per run (TELE-001 and
    TELE-004 ask for two verdicts each).
    """
    table = load_table("telehealth_codes.csv")
    table = table[table[flag].notna() & ((table["confirmed"] == "yes") == confirmed)]
    has_payer = "payer" in claims.columns
    if not has_payer:
        table = table[table["payer_type"].isna()]  # a payer-type row cannot apply without payers
    distinct, ids = memo(ctx, "telehealth_verdict_keys", lambda: _verdict_keys(claims, ctx))
    verdict = _first_matching_row(distinct, table, flag)
    return pd.Series(verdict.array.take(ids), index=claims.index, name=verdict.name)


def _verdict_keys(claims: pd.DataFrame, ctx: CheckContext) -> tuple[pd.DataFrame, np.ndarray]:
    """The distinct (code, payer type, date) of the lines and each line's position among them."""
    keys = pd.DataFrame({
        "code": claims["procedure_code"],
        "payer_type": ctx.line_payers["payer_type"].reindex(claims.index) if "payer" in claims.columns
        else pd.NA,
        "date": column(claims, "service_date"),
    }, index=claims.index)
    ids, first = distinct_ids(keys)
    return keys.iloc[first], ids


def _first_matching_row(lines: pd.DataFrame, table: pd.DataFrame, flag: str) -> pd.Series:
    """`flag` of the first telehealth_codes.csv row (in table order) whose code range, payer type and
    effective dates match each line of `lines` (code, payer_type, date); NA when none does.

    Matches are a lines × table-rows boolean matrix; the code and payer-type parts are compared once
    per distinct code and payer type.
    """
    if table.empty:
        return pd.Series(pd.NA, index=lines.index, dtype="object")
    in_range = code_range_matrix(lines["code"], table)
    type_at, types = pd.factorize(text(lines["payer_type"]))
    row_types = table["payer_type"].to_numpy(dtype=object)
    same_type = np.vstack([np.asarray(types, dtype=object)[:, None] == row_types[None, :],
                           np.zeros((1, len(table)), dtype=bool)])  # last row: no payer type (-1)
    type_ok = table["payer_type"].isna().to_numpy() | same_type[type_at]
    dates = pd.to_datetime(lines["date"]).to_numpy()[:, None]
    starts = table["effective_from"].fillna(_FAR_PAST).to_numpy()[None, :]
    ends = table["effective_to"].fillna(_FAR_FUTURE).to_numpy()[None, :]
    in_window = np.isnat(dates) | ((dates >= starts) & (dates <= ends))
    matches = in_range & type_ok & in_window
    first = matches.argmax(axis=1)
    verdict = np.where(matches.any(axis=1), table[flag].to_numpy(dtype=object)[first], pd.NA)
    return pd.Series(verdict, index=lines.index, dtype="object")


def _telehealth_lines(claims: pd.DataFrame, ctx: CheckContext) -> pd.Series:
    """`_is_telehealth` of every line, computed once per check run (TELE-001, -003 and -004 read it)."""
    return memo(ctx, "telehealth_lines", lambda: _is_telehealth(claims))


@cache
def _maybe_ineligible_codes() -> frozenset[str]:
    """Listed codes inside a telehealth_codes.csv range that says "no" to telehealth or audio-only
    (TELE-001/004's `code_scope`: a code outside every such range is never flagged)."""
    table = load_table("telehealth_codes.csv")
    refusing = table[table["telehealth"].eq("no") | table["audio_only"].eq("no")]
    codes = pd.Series(sorted(code_table()["code"].unique()))
    return frozenset(codes[code_range_matrix(codes, refusing).any(axis=1)])


def _eligibility_hits(claims: pd.DataFrame, ctx: CheckContext, confirmed: bool) -> pd.DataFrame:
    telehealth = _telehealth_lines(claims, ctx)
    # Only the columns read below are carried: selecting whole rows of a wide 1M-line frame is slow.
    read = [name for name in ("procedure_code", "payer", "pos", "service_date", *MODIFIER_COLUMNS)
            if name in claims.columns]
    claims, telehealth = claims.loc[telehealth, read], telehealth[telehealth]
    audio = has_modifier(claims, AUDIO_MODIFIERS)
    listed = _list_verdict(claims, ctx, "telehealth", confirmed)
    audio_ok = _list_verdict(claims, ctx, "audio_only", confirmed)
    off_list = telehealth & (listed == "no").fillna(False)
    not_audio = audio & (audio_ok == "no").fillna(False) & ~off_list
    flagged = off_list | not_audio
    if not flagged.any():
        return no_hits()
    claims, off_list, not_audio = claims[flagged], off_list[flagged], not_audio[flagged]
    code = text(claims["procedure_code"])
    payer = text(column(claims, "payer")).fillna("the payer")
    how = ("POS " + text(column(claims, "pos")).fillna("?"))
    unconfirmed = "" if confirmed else " (list status unconfirmed)"
    off_message = (code + " billed as telehealth (" + how + ") for " + payer + " on " + fmt_date(
        column(claims, "service_date")) + ", but it is not on the telehealth list" + unconfirmed + ".")
    audio_mods = modifier_list(claims[not_audio], AUDIO_MODIFIERS).reindex(claims.index).fillna("")
    audio_message = (code + " billed audio-only (modifier " + audio_mods
                     + "), but it is not an audio-only eligible service" + unconfirmed + ".")
    return hits(claims.index, off_message.where(off_list, audio_message))


@rule(
    id="TELE-001", family="TELE", severity="error",
    title="Code not payable as telehealth or audio-only",
    rationale="A code billed with a telehealth POS or modifier must be on the payer's telehealth list, and "
              "an audio-only line (93/FQ) must be an audio-only eligible service; otherwise the line is "
              "denied (CARC 5 / 4).",
    fix="Bill the service in person, or use a code on the telehealth (audio-only) list for what was done.",
    source="S3, S76, S77, S78",
    needs=("procedure_code",),
    code_scope=_maybe_ineligible_codes,
    insurance_only=True,
)
def telehealth_list(claims: pd.DataFrame, ctx: CheckContext) -> pd.DataFrame:
    return _eligibility_hits(claims, ctx, confirmed=True)


@rule(
    id="TELE-004", family="TELE", severity="warning",
    title="Telehealth or audio-only eligibility doubtful",
    rationale="Same check as TELE-001 against telehealth-list entries the reference marks unconfirmed "
              "(e.g. 90849 before 2026, testing codes audio-only), so it warns instead of erroring.",
    fix="Check the payer's current telehealth list for the code before submitting.",
    source="S35, S76, S78 (entries unconfirmed)",
    needs=("procedure_code",),
    code_scope=_maybe_ineligible_codes,
    insurance_only=True,
)
def telehealth_list_unconfirmed(claims: pd.DataFrame, ctx: CheckContext) -> pd.DataFrame:
    return _eligibility_hits(claims, ctx, confirmed=False)


@rule(
    id="TELE-002", family="TELE", severity="warning",
    title="Telehealth POS and modifiers not what the payer expects",
    rationale="Payers differ: Medicare wants POS 02/10 from 2024 (POS 11 + 95 only for the hospital "
              "exception) and GT only on CAH institutional claims; UHC, Anthem and most others want POS "
              "02/10, many with modifier 95. A mismatch draws CARC 4/5 denials. What each payer wants is "
              "payer configuration; a shipped default not confirmed for the payer is marked as an "
              "assumption on the finding.",
    fix="Use the payer's telehealth convention: POS 10 (patient at home) or 02 (elsewhere), plus the "
        "modifier the payer requires (95 for video, 93 for audio-only).",
    source="S73, S74, S75, S81",
    needs=("pos", "payer"),
    insurance_only=True,
)
def telehealth_convention(claims: pd.DataFrame, ctx: CheckContext) -> pd.DataFrame:
    # A line's verdict depends only on its POS, modifiers, date and payer (with the payer's settings), and
    # lines repeat few such combinations: each is judged once and the verdict mapped back to its lines.
    read = [name for name in ("pos", "payer", "service_date", *MODIFIER_COLUMNS) if name in claims.columns]
    keys = pd.concat([claims[read], ctx.line_payers[["canonical_payer", "payer_type"]]], axis=1)
    verdict = per_distinct_frame(keys, lambda distinct: _convention_verdict(
        claims.loc[distinct.index], ctx.line_payers.loc[distinct.index], ctx))
    chosen = [verdict["problem"] == problem for problem in _CONVENTION_PROBLEMS]
    frames = [hits(claims.index[mask], verdict.loc[mask, "message"],
                   assumption=verdict.loc[mask, "assumption"]) for mask in chosen if mask.any()]
    if not frames:
        return hits(pd.Index([]), pd.Series(dtype="string"))
    return pd.concat(frames, ignore_index=True)


def _convention_verdict(claims: pd.DataFrame, lines: pd.DataFrame, ctx: CheckContext) -> pd.DataFrame:
    """Per line: which convention problem it has (one of _CONVENTION_PROBLEMS, or NA) and the message."""
    pos = text(claims["pos"])
    dates = column(claims, "service_date")
    convention_start = payer_convention_start(ctx, lines)
    in_force = dates.isna() | convention_start.isna() | (dates >= convention_start)
    expected_pos = lines["telehealth_pos"]
    expected_mods = lines["telehealth_modifiers"]
    wants_pos = map_unique(expected_pos, len) > 0
    tele_pos = pos.isin(TELEHEALTH_POS).fillna(False)
    video = has_modifier(claims, ("95",))
    gt = has_modifier(claims, ("GT",))
    audio = has_modifier(claims, AUDIO_MODIFIERS)
    payer = text(claims["payer"]).fillna("the payer")
    shown_pos = pos.fillna("?")
    medicare = (lines["payer_type"] == "medicare").fillna(False)
    wrong_pos = (video | gt | audio) & ~tele_pos & pos.notna() & wants_pos & in_force
    gt_medicare = gt & medicare & ~wrong_pos
    needs_mod = map_unique(expected_mods, len) > 0
    accepted = map_unique(expected_mods, lambda values: ";" + ";".join((*values, *AUDIO_MODIFIERS)) + ";")
    has_expected = pd.Series(False, index=claims.index)
    for modifier in sorted({mod for values in expected_mods.drop_duplicates() for mod in values}
                           | set(AUDIO_MODIFIERS)):
        listed = accepted.str.contains(f";{modifier};", regex=False)
        has_expected |= has_modifier(claims, (modifier,)) & listed
    missing_mod = tele_pos & needs_mod & ~has_expected & in_force & ~wrong_pos & ~gt_medicare
    verdict = pd.DataFrame({"problem": pd.Series(pd.NA, index=claims.index, dtype="object"),
                            "message": pd.Series(pd.NA, index=claims.index, dtype="object"),
                            "assumption": pd.Series(pd.NA, index=claims.index, dtype="object")})
    if wrong_pos.any():
        since = fmt_date(convention_start[wrong_pos])
        verdict.loc[wrong_pos, "problem"] = "wrong_pos"
        verdict.loc[wrong_pos, "message"] = (
            "POS " + shown_pos[wrong_pos] + " with a telehealth modifier: " + payer[wrong_pos]
            + " expects POS " + map_unique(expected_pos[wrong_pos], " or ".join) + " for telehealth since "
            + since + ".")
        verdict.loc[wrong_pos, "assumption"] = assumption_note(
            lines[wrong_pos], "telehealth_pos",
            payer[wrong_pos] + " wants POS " + map_unique(expected_pos[wrong_pos], " or ".join)
            + " for telehealth")
    if gt_medicare.any():
        verdict.loc[gt_medicare, "problem"] = "gt_medicare"
        verdict.loc[gt_medicare, "message"] = (
            "Modifier GT on a Medicare professional line: Medicare uses GT only for CAH Method II "
            "institutional claims; use POS 02/10 (and 95/93 where required).")
    if missing_mod.any():
        verdict.loc[missing_mod, "problem"] = "missing_modifier"
        verdict.loc[missing_mod, "message"] = (
            "POS " + shown_pos[missing_mod] + " telehealth line without modifier "
            + map_unique(expected_mods[missing_mod], " or ".join) + ", which " + payer[missing_mod]
            + " requires.")
        verdict.loc[missing_mod, "assumption"] = assumption_note(
            lines[missing_mod], "telehealth_modifiers",
            payer[missing_mod] + " requires modifier " + map_unique(expected_mods[missing_mod], " or ".join)
            + " on telehealth")
    return verdict


@rule(
    id="TELE-003", family="TELE", severity="info",
    title="Medicare tele-mental-health without a recent in-person visit",
    rationale="Medicare requires an in-person visit within 6 months before the first tele-mental-health "
              "visit and then every 12 months, from the start date current law sets (2028-01-01 after the "
              "2026 extension; kept as dated configuration). Patients already in telehealth care before "
              "that date are established: only the 12-month visit applies to them. Lines after that date "
              "without an in-person visit in the data are at risk.",
    fix="Schedule an in-person visit (or document the exception) before the next telehealth session.",
    source="S77, S79, S80",
    needs=("pos", "payer", "patient_id", "service_date"),
    across_dates=True,
    insurance_only=True,
)
def in_person_requirement(claims: pd.DataFrame, ctx: CheckContext) -> pd.DataFrame:
    rules = load_table("telehealth_in_person.csv")
    payer_types = ctx.line_payers["payer_type"]
    telehealth = _telehealth_lines(claims, ctx)
    frames = []
    for row in rules.itertuples(index=False):
        start = row.effective_from if pd.notna(row.effective_from) else _FAR_PAST
        end = row.effective_to if pd.notna(row.effective_to) else _FAR_FUTURE
        mine = (payer_types == row.payer_type).fillna(False) & claims["patient_id"].notna() \
            & claims["service_date"].notna()
        visits = claims.loc[mine, ["patient_id", "service_date"]].assign(tele=telehealth[mine])
        visits["patient_id"] = visits["patient_id"].astype(str)
        in_person = visits.loc[~visits["tele"], ["patient_id", "service_date"]].rename(
            columns={"service_date": "last_in_person"}).sort_values("last_in_person")
        tele = visits[visits["tele"] & (visits["service_date"] >= start) & (visits["service_date"] <= end)]
        if tele.empty:
            continue
        tele = tele.reset_index(names="line").sort_values("service_date")
        # A patient already in telehealth care before the start date is established: no initial visit.
        first_any = visits.loc[visits["tele"]].groupby("patient_id")["service_date"].min()
        tele["first_tele"] = tele["patient_id"].map(first_any)
        joined = pd.merge_asof(tele, in_person, left_on="service_date", right_on="last_in_person",
                               by="patient_id", direction="backward")
        initial = joined["first_tele"].eq(joined["service_date"])
        months = initial.map({True: int(row.initial_months), False: int(row.repeat_months)})
        limit = (joined["service_date"] - pd.DateOffset(months=int(row.repeat_months))).mask(
            initial, joined["service_date"] - pd.DateOffset(months=int(row.initial_months)))
        # Only where the data reaches back over the whole look-back window can absence be asserted.
        covered = limit >= claims["service_date"].min()
        lacking = covered & (joined["last_in_person"].isna() | (joined["last_in_person"] < limit))
        first = joined[lacking].sort_values("service_date").drop_duplicates("patient_id")
        counts = joined[lacking].groupby("patient_id").size()
        applies_from = pd.Timestamp(start).strftime("%Y-%m-%d")
        message = ("Medicare telehealth on " + fmt_date(first["service_date"]) + " with no in-person visit "
                   "in the prior " + months[first.index].astype(str) + " months in this data ("
                   + first["patient_id"].map(counts).astype(str) + " telehealth line(s) of this patient "
                   "affected; the requirement applies from " + applies_from + ").")
        frames.append(hits(pd.Index(first["line"]), message))
    if not frames:
        return hits(pd.Index([]), pd.Series(dtype="string"))
    return pd.concat(frames, ignore_index=True)
