"""Payer configuration: the one place payer names, types, filing windows and telehealth rules are read.

Defaults ship in `bhdash/reference/payers.csv` (one row per payer, with aliases) and
`payer_type_defaults.csv` (what an unknown payer of a given type is assumed to want). A practice can
override or add payers with its own CSV of the same columns.
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
from bhdash.errors import InputFileError
from bhdash.reference import load_table

SETTING_COLUMNS: tuple[str, ...] = (
    "timely_filing_days", "telehealth_pos", "telehealth_modifiers", "credential_modifiers",
    "dx_cognitive_exclusion", "evaluation_repeat_months", "source", "confirmed",
)
# Settings a payer table may leave out (blank = the rule's default, e.g. 6 months between evaluations).
_OPTIONAL_NUMBERS = ("evaluation_repeat_months",)
_LIST_COLUMNS = ("telehealth_pos", "telehealth_modifiers")
_TYPE_KEYWORDS: tuple[tuple[str, str], ...] = (
    ("medicaid", "medicaid"),
    ("medi cal", "medicaid"),
    ("medicare", "medicare"),
)


def _key(names: pd.Series) -> pd.Series:
    """Case- and punctuation-insensitive lookup key for payer names."""
    return (
        names.astype("string").str.lower().str.replace(r"[^a-z0-9]+", " ", regex=True).str.strip()
    )


def _split_list(values: pd.Series) -> pd.Series:
    return values.fillna("").map(lambda text: tuple(part.strip() for part in text.split(";") if part.strip()))


def _prepare(table: pd.DataFrame) -> pd.DataFrame:
    prepared = table.copy()
    prepared["timely_filing_days"] = pd.to_numeric(prepared["timely_filing_days"]).astype("float64")
    for column in _OPTIONAL_NUMBERS:
        values = prepared[column] if column in prepared.columns else pd.Series(pd.NA, index=prepared.index)
        prepared[column] = pd.to_numeric(values).astype("float64")
    for column in _LIST_COLUMNS:
        prepared[column] = _split_list(prepared[column])
    for column in ("credential_modifiers", "dx_cognitive_exclusion", "confirmed"):
        prepared[column] = prepared[column].fillna("no").str.lower().isin(["yes", "true", "1"])
    return prepared


def _read_user_table(source: bytes | str | Path, filename: str) -> pd.DataFrame:
    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    try:
        table = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False, na_values=[""])
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        raise InputFileError(f"not a readable payer CSV ({error})", file=filename) from error
    table.columns = [str(column).strip() for column in table.columns]
    if "payer" not in table.columns:
        raise InputFileError("payer file needs a 'payer' column", file=filename, row=1)
    missing_type = table["payer"].notna() & table.get("payer_type", pd.Series(index=table.index)).isna()
    if missing_type.any():
        first = int(missing_type.idxmax()) + 2
        raise InputFileError("payer_type is required (medicare, medicaid or commercial)",
                             file=filename, row=first, column="payer_type")
    bad_type = ~table["payer_type"].str.lower().isin(["medicare", "medicaid", "commercial"])
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

    @classmethod
    def load(cls, user_file: bytes | str | Path | None = None, filename: str | None = None) -> PayerDirectory:
        """The shipped defaults, with a practice's own payer CSV laid over them when given."""
        payers = load_table("payers.csv")
        if user_file is not None:
            name = filename or (str(user_file) if not isinstance(user_file, bytes) else "payers.csv")
            user = _read_user_table(user_file, name)
            payers = payers.set_index("payer")
            user = user.set_index("payer")
            payers = user.combine_first(payers).reset_index()
            payers["aliases"] = payers["aliases"].fillna(payers["payer"])
            type_defaults = load_table("payer_type_defaults.csv").set_index("payer_type")
            for column in SETTING_COLUMNS:
                if column in type_defaults.columns and column in payers.columns:
                    payers[column] = payers[column].fillna(payers["payer_type"].map(type_defaults[column]))
        payers = _prepare(payers)
        defaults = _prepare(load_table("payer_type_defaults.csv")).set_index("payer_type")
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
        digests = {name: _digest(name) for name in names.drop_duplicates()}
        new = [name for name, digest in digests.items() if digest not in self._resolved]
        if len(self._resolved) + len(new) > RESOLVED_LIMIT:
            self._resolved.clear()
            new = list(digests)
        if new:
            resolved = self._resolve(pd.Series(new, dtype="string"))
            self._resolved.update(zip((digests[name] for name in new), resolved, strict=True))
        lookup = {name: self._resolved[digest] for name, digest in digests.items()}
        return pd.Series([lookup[name] for name in names], index=names.index, dtype="string")

    def _resolve(self, names: pd.Series) -> pd.Series:
        keys = _key(names)
        exact = keys.map(self.alias_index)
        unresolved = exact.isna() & keys.notna() & (keys != "")
        if unresolved.any():
            # Alias contained as a whole word in a longer plan name ("Aetna PPO Plus" -> Aetna).
            for alias_key, payer in sorted(self.alias_index.items(), key=lambda item: -len(item[0])):
                hits = unresolved & keys.str.contains(rf"\b{alias_key}\b", regex=True, na=False)
                exact = exact.mask(hits, payer)
                unresolved &= ~hits
                if not unresolved.any():
                    break
        return exact.astype("string")

    def payer_type(self, names: pd.Series) -> pd.Series:
        """medicare / medicaid / commercial from the name; NaN when the name gives no clue.

        Program keywords win over aliases so that e.g. "Aetna Better Health Medicaid" is Medicaid.
        """
        return _by_name(names, self._type_of)

    def _type_of(self, names: pd.Series) -> pd.Series:
        keys = _key(names)
        by_keyword = pd.Series(pd.NA, index=names.index, dtype="string")
        for keyword, payer_type in _TYPE_KEYWORDS:
            by_keyword = by_keyword.mask(
                by_keyword.isna() & keys.str.contains(rf"\b{keyword}\b", regex=True, na=False), payer_type)
        types = self.payers.set_index("payer")["payer_type"]
        by_alias = self.canonical_payer(names).map(types).astype("string")
        return by_keyword.fillna(by_alias)

    def settings_for(self, names: pd.Series, payer_types: pd.Series | None = None) -> pd.DataFrame:
        """Per-line payer settings, aligned to `names`' index.

        Unknown payers take the default of their payer type (commercial when the type is unknown too);
        column `payer_known` tells which lines used a fallback, so callers can warn. Computed once per
        distinct (payer, payer type) pair and mapped back to the lines.
        """
        keys = pd.DataFrame({"payer": names, "type": payer_types} if payer_types is not None
                            else {"payer": names})
        return per_distinct_frame(keys, lambda pairs: self._settings_for(pairs["payer"], pairs.get("type")))

    def _settings_for(self, names: pd.Series, payer_types: pd.Series | None) -> pd.DataFrame:
        canonical = self.canonical_payer(names)
        known = self.payers.set_index("payer")
        settings = known.reindex(canonical.fillna("")).set_index(names.index)
        fallback_type = payer_types if payer_types is not None else self.payer_type(names)
        fallback_type = fallback_type.astype("string").fillna("commercial")
        defaults = self.type_defaults.reindex(fallback_type.fillna("commercial")).set_index(names.index)
        result = settings[list(SETTING_COLUMNS)].copy()
        for column in SETTING_COLUMNS:
            result[column] = result[column].where(canonical.notna(), defaults[column])
        result.insert(0, "payer_type", settings["payer_type"].where(canonical.notna(), fallback_type))
        result.insert(0, "canonical_payer", canonical)
        result["payer_known"] = canonical.notna()
        return result


@cache
def default_directory() -> PayerDirectory:
    return PayerDirectory.load()


def payer_type_from_name(names: pd.Series) -> pd.Series:
    """Payer type inferred from payer names with the shipped payer table (NaN when unknown)."""
    return default_directory().payer_type(names)
