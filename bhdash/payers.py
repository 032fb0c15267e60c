"""Payer configuration: the one place payer names, types, filing windows and telehealth rules are read.

Defaults ship in `bhdash/reference/payers.csv` (one row per payer, with aliases) and
`payer_type_defaults.csv` (what an unknown payer of a given type is assumed to want). A practice can
override or add payers with its own CSV of the same columns.

A line's own program wins over its brand: "UnitedHealthcare Community Plan" is Medicaid and "Humana
Medicare Advantage" is Medicare Advantage, whatever UnitedHealthcare's or Humana's main product is
(`payer_programs.csv`). Medicare Advantage follows CMS coding (`CMS_CODING_TYPES`) but the plan's own
filing limit and network; self-pay lines are not insurance claims (`SELF_PAY`).
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd

from bhdash.distinct import per_distinct, per_distinct_frame
from bhdash.errors import InputFileError, unreadable_csv
from bhdash.model import PAYER_TYPES
from bhdash.reference import load_table

SETTING_COLUMNS: tuple[str, ...] = (
    "timely_filing_days", "telehealth_pos", "telehealth_modifiers", "credential_modifiers",
    "dx_cognitive_exclusion", "evaluation_repeat_months", "out_of_network", "source", "confirmed",
)
# What a practice can set per payer (the Payers view and the `--payers` file): each carries an origin.
EDITABLE_SETTINGS: tuple[str, ...] = (
    "payer_type", "timely_filing_days", "telehealth_pos", "telehealth_modifiers", "credential_modifiers",
    "dx_cognitive_exclusion", "out_of_network",
)
CONFIRMED = "shipped confirmed"
ASSUMED = "shipped assumption"
YOURS = "yours"
ORIGIN_SUFFIX = "_origin"
ASSUMED_COLUMN = "assumed"  # in a payer file: the settings still taken on trust from a shipped default
PAYER_FILE_COLUMNS: tuple[str, ...] = (
    "payer", "aliases", *EDITABLE_SETTINGS, ASSUMED_COLUMN,
)
# Settings a payer table may leave out (blank = the rule's default, e.g. 6 months between evaluations).
_OPTIONAL_NUMBERS = ("evaluation_repeat_months",)
_LIST_COLUMNS = ("telehealth_pos", "telehealth_modifiers")
SELF_PAY = "self_pay"
MEDICARE_ADVANTAGE = "medicare_advantage"
# Payer types whose lines follow CMS coding and code-validity facts (MUEs, codes Medicare does not pay).
CMS_CODING_TYPES: tuple[str, ...] = ("medicare", MEDICARE_ADVANTAGE)
_FLAG_COLUMNS = ("credential_modifiers", "dx_cognitive_exclusion", "out_of_network", "confirmed")


def origin_column(setting: str) -> str:
    """The column that says where a setting's value came from (CONFIRMED, ASSUMED or YOURS)."""
    return f"{setting}{ORIGIN_SUFFIX}"


ORIGIN_COLUMNS: tuple[str, ...] = tuple(origin_column(setting) for setting in EDITABLE_SETTINGS)


def _key(names: pd.Series) -> pd.Series:
    """Case- and punctuation-insensitive lookup key for payer names."""
    return (
        names.astype("string").str.lower().str.replace(r"[^a-z0-9]+", " ", regex=True).str.strip()
    )


@cache
def _programs() -> pd.DataFrame:
    return load_table("payer_programs.csv")


def program_type(texts: pd.Series) -> pd.Series:
    """The payer type a plan-type cell or payer name states ("Humana Medicare Advantage" ->
    medicare_advantage, "Private Pay" -> self_pay), NaN when it states none; the first matching row of
    payer_programs.csv wins. Matched once per distinct text.
    """
    frame = pd.DataFrame({"text": texts.astype("string")})
    return per_distinct(frame, lambda distinct: _program_of(distinct["text"])).astype("string")


def _program_of(texts: pd.Series) -> pd.Series:
    keys = _key(texts)
    found = pd.Series(pd.NA, index=texts.index, dtype="string")
    for row in _programs().itertuples():
        hits = found.isna() & keys.str.contains(row.pattern, regex=True, na=False)
        found = found.mask(hits, row.payer_type)
    return found


def follows_cms_coding(payer_types: pd.Series) -> pd.Series:
    """True on lines whose payer applies CMS coding facts (Medicare and Medicare Advantage)."""
    return payer_types.isin(CMS_CODING_TYPES).fillna(False).astype(bool)


NONE = "none"  # in a payer file, an empty list ("no telehealth modifier"); a blank cell means "not set"


def _split_list(values: pd.Series) -> pd.Series:
    return values.fillna("").map(lambda text: tuple(
        part.strip() for part in text.split(";") if part.strip() and part.strip().lower() != NONE))


def _prepare(table: pd.DataFrame) -> pd.DataFrame:
    prepared = table.copy()
    prepared["timely_filing_days"] = pd.to_numeric(prepared["timely_filing_days"]).astype("float64")
    for column in _OPTIONAL_NUMBERS:
        values = prepared[column] if column in prepared.columns else pd.Series(pd.NA, index=prepared.index)
        prepared[column] = pd.to_numeric(values).astype("float64")
    for column in _LIST_COLUMNS:
        prepared[column] = _split_list(prepared[column])
    for column in _FLAG_COLUMNS:
        prepared[column] = _flag(prepared[column])
    return prepared


def _flag(values: pd.Series) -> pd.Series:
    return values.fillna("no").astype(str).str.strip().str.lower().isin(["yes", "true", "1"])


def _shipped(name: str) -> pd.DataFrame:
    """A shipped payer table with every editable setting's origin from its `confirmed` flag.

    A listed payer's type and the shipped "in network" are facts, not assumptions about the payer.
    """
    table = load_table(name)
    table["out_of_network"] = "no"
    origin = _flag(table["confirmed"]).map({True: CONFIRMED, False: ASSUMED})
    for setting in EDITABLE_SETTINGS:
        table[origin_column(setting)] = CONFIRMED if setting in ("payer_type", "out_of_network") else origin
    return table


def _user_origins(user: pd.DataFrame) -> pd.DataFrame:
    """YOURS for every setting the practice's file gives, ASSUMED where its `assumed` column says so."""
    assumed = (user[ASSUMED_COLUMN] if ASSUMED_COLUMN in user.columns
               else pd.Series(pd.NA, index=user.index)).fillna("").astype(str).str.split(r"[;,]\s*")
    for setting in EDITABLE_SETTINGS:
        if setting not in user.columns:
            continue
        listed = assumed.map(lambda names, setting=setting: setting in names)
        origin = pd.Series(YOURS, index=user.index).mask(listed, ASSUMED)
        user[origin_column(setting)] = origin.where(user[setting].notna())
    return user.drop(columns=[ASSUMED_COLUMN, "confirmed"], errors="ignore")


def _read_user_table(source: bytes | str | Path, filename: str) -> pd.DataFrame:
    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    try:
        table = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False, na_values=[""])
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        raise unreadable_csv(error, file=filename, what="payer CSV") from error
    table.columns = [str(column).strip() for column in table.columns]
    if "payer" not in table.columns:
        raise InputFileError("payer file needs a 'payer' column", file=filename, row=1)
    missing_type = table["payer"].notna() & table.get("payer_type", pd.Series(index=table.index)).isna()
    if missing_type.any():
        first = int(missing_type.idxmax()) + 2
        raise InputFileError(f"payer_type is required ({', '.join(PAYER_TYPES)})",
                             file=filename, row=first, column="payer_type")
    bad_type = ~table["payer_type"].str.lower().isin(PAYER_TYPES)
    if bad_type.any():
        first = int(bad_type.idxmax()) + 2
        raise InputFileError(f"unknown payer_type '{table.loc[first - 2, 'payer_type']}'",
                             file=filename, row=first, column="payer_type")
    table["payer_type"] = table["payer_type"].str.lower()
    return table


def _by_name(names: pd.Series, resolve: Callable[[pd.Series], pd.Series]) -> pd.Series:
    """`resolve` applied once per distinct payer name (a practice bills a handful of payers)."""
    frame = pd.DataFrame({"name": names.astype("string")})
    return per_distinct(frame, lambda distinct: resolve(distinct["name"])).astype("string")


RESOLVED_LIMIT = 10_000


def _digest(name: object) -> bytes:
    return hashlib.blake2b(str(name).encode("utf-8", "surrogatepass"), digest_size=16).digest()


def _remembered(memo: dict[bytes, Any], names: pd.Series,
                compute: Callable[[pd.Series], pd.Series]) -> pd.Series:
    """`compute(names)` (text per name), each name computed once per memo: the memo keeps a digest of the
    name, never the name, and at most RESOLVED_LIMIT of them (it starts over when full)."""
    digests = {name: _digest(name) for name in names.drop_duplicates()}
    new = [name for name, digest in digests.items() if digest not in memo]
    if len(memo) + len(new) > RESOLVED_LIMIT:
        memo.clear()
        new = list(digests)
    if new:
        computed = compute(pd.Series(new, dtype="string"))
        memo.update(zip((digests[name] for name in new), computed, strict=True))
    lookup = {name: memo[digest] for name, digest in digests.items()}
    return pd.Series([lookup[name] for name in names], index=names.index, dtype="string")


@dataclass(frozen=True)
class PayerDirectory:
    """Payer settings with alias resolution and payer-type fallbacks."""

    payers: pd.DataFrame  # one row per canonical payer, columns: payer, payer_type, SETTING_COLUMNS
    type_defaults: pd.DataFrame  # indexed by payer_type, SETTING_COLUMNS
    alias_index: pd.Series  # normalized alias -> canonical payer
    # Canonical payer per name already resolved: every check run and what-if scenario asks about the
    # same few names, and resolving an unlisted plan name scans every alias. The shipped directory is
    # shared by every dashboard session, so names are remembered by a digest (no user text is kept) and
    # at most RESOLVED_LIMIT of them (the memo starts over when full).
    _resolved: dict[bytes, Any] = field(default_factory=dict, init=False, repr=False, compare=False)
    # Settings per set of distinct (payer, payer type) pairs already resolved, kept the same way (by a
    # digest of the pairs, at most RESOLVED_LIMIT sets): every check run and what-if scenario asks about
    # the same few pairs, and resolving them costs ~30 ms of pandas work per call.
    _settings: dict[bytes, pd.DataFrame] = field(default_factory=dict, init=False, repr=False, compare=False)
    # Payer type per name already inferred, kept as `_resolved` is: a what-if rescore asks for the lines'
    # types three times, and matching the names against the program patterns cost it ~25 ms each time.
    _types: dict[bytes, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __getstate__(self) -> dict[str, Any]:
        """Pickled without the memos: they are caches (the dashboard's worker process keeps its own), and
        another thread may be adding to them while this one pickles (a dict that changes size mid-pickle
        raises)."""
        return {**self.__dict__, "_resolved": {}, "_settings": {}, "_types": {}}

    @classmethod
    def load(cls, user_file: bytes | str | Path | None = None, filename: str | None = None) -> PayerDirectory:
        """The shipped defaults, with a practice's own payer CSV laid over them when given."""
        payers = _shipped("payers.csv")
        type_defaults = _shipped("payer_type_defaults.csv").set_index("payer_type")
        if user_file is not None:
            name = filename or (Path(user_file).name if not isinstance(user_file, bytes) else "payers.csv")
            user = _user_origins(_read_user_table(user_file, name))
            payers = user.set_index("payer").combine_first(payers.set_index("payer")).reset_index()
            payers["aliases"] = payers["aliases"].fillna(payers["payer"])
            for column in (*SETTING_COLUMNS, *ORIGIN_COLUMNS):
                if column in type_defaults.columns and column in payers.columns:
                    payers[column] = payers[column].fillna(payers["payer_type"].map(type_defaults[column]))
        payers = _prepare(payers)
        defaults = _prepare(type_defaults.reset_index()).set_index("payer_type")
        aliases = payers[["payer", "aliases"]].assign(alias=lambda f: f["aliases"].str.split(";"))
        aliases = aliases.explode("alias")
        alias_frame = pd.concat([
            pd.DataFrame({"alias": payers["payer"], "payer": payers["payer"]}),
            aliases[["alias", "payer"]],
        ])
        alias_frame["key"] = _key(alias_frame["alias"])
        alias_index = alias_frame.drop_duplicates("key", keep="last").set_index("key")["payer"]
        return cls(payers=payers.drop(columns="aliases"), type_defaults=defaults, alias_index=alias_index)

    def canonical_payer(self, names: pd.Series) -> pd.Series:
        """Canonical payer name for each value; NaN where the name matches no alias."""
        return _by_name(names, self._resolve_remembered)

    def _resolve_remembered(self, names: pd.Series) -> pd.Series:
        return _remembered(self._resolved, names, self._resolve)

    def _resolve(self, names: pd.Series) -> pd.Series:
        keys = _key(names)
        exact = keys.map(self.alias_index)
        unresolved = exact.isna() & keys.notna() & (keys != "")
        if unresolved.any():
            # Alias contained as a whole word in a longer plan name ("Aetna PPO Plus" -> Aetna). A brand
            # names the payer; a program word only its type, so "Aetna Medicare PPO" is Aetna's plan.
            aliases = pd.Series(self.alias_index.index, dtype="string")
            program_words = set(aliases[_program_of(aliases).notna().to_numpy()])
            order = sorted(self.alias_index.items(),
                           key=lambda item: (item[0] in program_words, -len(item[0])))
            for alias_key, payer in order:
                hits = unresolved & keys.str.contains(rf"\b{alias_key}\b", regex=True, na=False)
                exact = exact.mask(hits, payer)
                unresolved &= ~hits
                if not unresolved.any():
                    break
        return exact.astype("string")

    def payer_type(self, names: pd.Series) -> pd.Series:
        """The payer type (PAYER_TYPES) from the name; NaN when the name gives no clue.

        The program a name states wins over its brand's alias, so "Aetna Better Health" is Medicaid.
        """
        return _by_name(names, lambda distinct: _remembered(self._types, distinct, self._type_of))

    def _type_of(self, names: pd.Series) -> pd.Series:
        types = self.payers.set_index("payer")["payer_type"]
        by_alias = self.canonical_payer(names).map(types).astype("string")
        return _program_of(names).fillna(by_alias)

    def settings_for(self, names: pd.Series, payer_types: pd.Series | None = None) -> pd.DataFrame:
        """Per-line payer settings, aligned to `names`' index.

        The line's own payer type (`payer_types`, else the program its name states) wins over the type of
        the payer it aliases to; when they differ the payer's settings describe another product, so the
        line takes its type's defaults. Unknown payers take the default of their payer type (commercial
        when the type is unknown too); column `payer_known` tells which lines used a fallback, so callers
        can warn. Computed once per distinct (payer, payer type) pair and mapped back to the lines.
        """
        keys = pd.DataFrame({"payer": names, "type": payer_types} if payer_types is not None
                            else {"payer": names})
        return per_distinct_frame(
            keys, lambda pairs: self._settings_remembered(pairs["payer"], pairs.get("type")))

    def _settings_remembered(self, names: pd.Series, payer_types: pd.Series | None) -> pd.DataFrame:
        """`_settings_for` of these pairs, computed once per directory (returned on `names`' index)."""
        type_key = None if payer_types is None else (payer_types.dtype, list(payer_types))
        digest = _digest(repr((names.dtype, list(names), type_key)))
        if digest not in self._settings:
            if len(self._settings) >= RESOLVED_LIMIT:
                self._settings.clear()
            plain = names.reset_index(drop=True)
            types = None if payer_types is None else payer_types.reset_index(drop=True)
            self._settings[digest] = self._settings_for(plain, types)
        return self._settings[digest].set_axis(names.index)

    def _settings_for(self, names: pd.Series, payer_types: pd.Series | None) -> pd.DataFrame:
        canonical = self.canonical_payer(names)
        known = self.payers.set_index("payer")
        settings = known.reindex(canonical.fillna("")).set_index(names.index)
        named = program_type(names)
        brand_type = settings["payer_type"].astype("string")
        stated = named if payer_types is None else payer_types.astype("string").fillna(named)
        # A plan column saying "Medicare" on a Medicare Advantage plan's line keeps the more specific type.
        advantage = ((named == MEDICARE_ADVANTAGE) | (brand_type == MEDICARE_ADVANTAGE)).fillna(False)
        stated = stated.mask((stated == "medicare").fillna(False) & advantage, MEDICARE_ADVANTAGE)
        line_type = stated.fillna(brand_type).fillna("commercial")
        own = canonical.notna() & (brand_type == line_type).fillna(False)
        defaults = self.type_defaults.reindex(line_type).set_index(names.index)
        result = settings[[*SETTING_COLUMNS, *ORIGIN_COLUMNS]].copy()
        for column in (*SETTING_COLUMNS, *ORIGIN_COLUMNS):
            result[column] = result[column].where(own, defaults[column])
        # The type itself: the line's own column is the practice's word; a name or brand that states it is
        # a fact; only the commercial fallback for an unknown name is an assumption.
        given = payer_types.astype("string") if payer_types is not None else pd.Series(
            pd.NA, index=names.index, dtype="string")
        type_origin = pd.Series(CONFIRMED, index=names.index).mask(given.notna(), YOURS).mask(
            stated.isna() & brand_type.isna(), ASSUMED)
        result[origin_column("payer_type")] = result[origin_column("payer_type")].where(own, type_origin)
        result.insert(0, "payer_type", line_type)
        result.insert(0, "canonical_payer", canonical)
        result["payer_known"] = canonical.notna()
        return result

    def payer_file(self, names: pd.Series) -> pd.DataFrame:
        """The settings of the payers behind `names`, one row each, in the shape `PayerDirectory.load`
        reads: lists joined with ";", flags as yes/no, and `assumed` naming the settings that are still
        unconfirmed shipped defaults (so a downloaded file uploaded again keeps its assumptions marked).
        """
        distinct = pd.Series(names.dropna().astype(str).unique(), dtype="string")
        lines = self.settings_for(distinct)
        rows = pd.DataFrame({"payer": lines["canonical_payer"].fillna(distinct)})
        rows["aliases"] = ""  # the payer name is always its own alias; the shipped aliases stay
        rows["payer_type"] = lines["payer_type"]
        rows["timely_filing_days"] = lines["timely_filing_days"].astype("Int64")
        for column in _LIST_COLUMNS:
            rows[column] = lines[column].map(lambda values: ";".join(values) or NONE)
        for column in _FLAG_COLUMNS:
            rows[column] = lines[column].map({True: "yes", False: "no"})
        origins = lines[list(ORIGIN_COLUMNS)]
        rows[ASSUMED_COLUMN] = [
            ";".join(setting for setting in EDITABLE_SETTINGS if row[origin_column(setting)] == ASSUMED)
            for _, row in origins.iterrows()]
        return rows.drop_duplicates("payer").sort_values("payer").reset_index(drop=True)[
            list(PAYER_FILE_COLUMNS)]


def assumption_note(line_settings: pd.DataFrame, setting: str, statement: pd.Series) -> pd.Series:
    """Per line, the assumption a finding rests on when `setting` is an unconfirmed shipped default for
    the line's payer ("Assumed: Medicaid requires license-level modifiers …"), NA where it is confirmed
    or the practice's own. `line_settings` are `settings_for` rows aligned to `statement`.
    """
    assumed = line_settings[origin_column(setting)].reindex(statement.index).eq(ASSUMED).fillna(False)
    note = ("Assumed: " + statement.astype("string")
            + " (a shipped default not confirmed for this payer; change it on the Payers page or in "
            "your payer file).")
    return note.where(assumed, pd.NA).astype("string")


@cache
def default_directory() -> PayerDirectory:
    return PayerDirectory.load()


def payer_type_from_name(names: pd.Series) -> pd.Series:
    """Payer type inferred from payer names with the shipped payer table (NaN when unknown)."""
    return default_directory().payer_type(names)
