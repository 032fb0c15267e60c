"""One normalizer per field kind, vectorized over a Series and shared by every part of bhdash.

Each normalizer turns whatever an export holds (Excel serials, "$1,234.00", "KIM, ALEX LCSW",
"90837-95", 1234567893.0 …) into the canonical representation of the data contract, and
returns NaN/NaT where a present value cannot be understood. Callers find unparseable cells with
`unparseable(raw, normalized)` instead of catching exceptions, so one bad cell never stops a file.

Exports repeat the same few values (dates, codes, clinicians, payers) across thousands of lines,
so normalizers that need real parsing work on the unique values and broadcast the result back.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from functools import cache

import numpy as np
import pandas as pd

from bhdash.model import FieldKind, field_kinds
from bhdash.payers import payer_type_from_name, program_type
from bhdash.reference import load_table

EXCEL_EPOCH = pd.Timestamp("1899-12-30")
# Dates outside the datetime64[ns] range (years 1677-2262) cannot be represented: treated as unparseable.
_MIN_YEAR, _MAX_YEAR = 1678, 2261
# Serial day numbers accepted as Excel dates: 1900-01-01 .. 2199-12-31.
_SERIAL_MIN, _SERIAL_MAX = 2, 109_574
_DATE_FORMATS = (
    "%Y-%m-%d",
    "%m/%d/%Y",
    "%m/%d/%y",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %H:%M:%S",
    "%m-%d-%Y",
    "%m-%d-%y",
    "%Y/%m/%d",
    "%Y%m%d",
    "%d-%b-%Y",
    "%d-%b-%y",
    "%b %d, %Y",
    "%b %d %Y",
    "%B %d, %Y",
    "%d %b %Y",
    "%d %B %Y",
)
# A UTC offset or "Z" after a clock time: the wall-clock date as written is the date of service.
_TIME_ZONE_SUFFIX = r"(?<=:\d{2})(?:\.\d+)?\s*(?:Z|[+-]\d{2}:?\d{2})$"
_TIME_PATTERN = re.compile(
    r"(?P<hour>\d{1,2})(?::(?P<minute>\d{2}))?(?::(?P<second>\d{2})(?:\.\d+)?)?\s*(?P<ampm>[ap])?\.?\s*m?\.?\s*$",
    re.IGNORECASE,
)
_CODE_PATTERN = re.compile(r"^[A-Z0-9]{5}$")
_MODIFIER_PATTERN = re.compile(r"^[A-Z0-9]{2}$")
_ICD10_PATTERN = r"^([A-TV-Z][0-9][0-9A-Z])([0-9A-Z]{1,4})?$"
_SEPARATORS = r"[\s,;:/|+\-]+"
MODIFIER_SLOTS = 4
DX_SLOTS = 4

def _on_uniques(
    values: pd.Series, parse: Callable[[pd.Series], pd.Series | pd.DataFrame], dtype: str | None = None
):
    """Apply `parse` to the distinct non-missing values only and broadcast back to every row.

    `parse` should return its final dtype: broadcasting an already-typed small result is much
    cheaper than converting a full column afterwards.
    """
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    parsed = parse(pd.Series(np.asarray(uniques, dtype=object), dtype=object))
    if dtype is not None:
        parsed = parsed.astype(dtype)
    result = parsed.reindex(codes)
    return result.set_axis(values.index)


def _item(lists: pd.Series, position: int) -> pd.Series:
    """Element `position` of each list cell (NaN where the cell is not a list or is too short)."""
    picked = lists.map(
        lambda items: items[position] if isinstance(items, list) and len(items) > position else None
    )
    return picked.astype("str")


def _as_object(values: pd.Series) -> pd.Series:
    return values if values.dtype == object else values.astype(object)


def _blank_values(uniques: pd.Series) -> pd.Series:
    return uniques.map(lambda value: isinstance(value, str) and not value.strip()).astype(bool)


def is_blank(values: pd.Series) -> pd.Series:
    """True where a cell is missing or holds only whitespace."""
    if values.dtype.kind in "fiumMmb":
        return values.isna()
    return _on_uniques(values, _blank_values).fillna(True).astype(bool)


def unparseable(raw: pd.Series, normalized: pd.Series) -> pd.Series:
    """Cells that held something but did not normalize to a value."""
    failed = normalized.isna()
    if failed.any():
        failed[failed] = ~is_blank(raw[failed])
    return failed


def _text_of(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    return str(value)


def _clean_values(uniques: pd.Series) -> pd.Series:
    text = (
        uniques.map(_text_of, na_action="ignore")
        .astype("str")
        .str.strip()
        .str.replace(r"\s+", " ", regex=True)
    )
    return text.where(text != "").astype("str")


def clean_text(values: pd.Series) -> pd.Series:
    """Trimmed text with inner whitespace collapsed; integral floats lose their ".0" (ids read as numbers)."""
    return _on_uniques(values, _clean_values, "str")


def _parse_number_values(uniques: pd.Series) -> pd.Series:
    text = _clean_values(uniques)
    numbers = pd.to_numeric(text, errors="coerce")
    rest = numbers.isna() & text.notna()
    if rest.any():
        leading = text[rest].str.extract(r"^(\d+(?:\.\d+)?)\s*[a-z. ]*$", flags=re.IGNORECASE)[0]
        numbers = numbers.mask(rest, pd.to_numeric(leading, errors="coerce"))
    return numbers.astype("float64")


def _parse_money_values(uniques: pd.Series) -> pd.Series:
    text = _clean_values(uniques)
    negative = text.str.fullmatch(r"\(.*\)|.*-|-.*").fillna(False).astype(bool)
    digits = text.str.replace(r"[()$,\s]|USD", "", regex=True).str.strip("-")
    shaped = digits.str.fullmatch(r"\d*\.?\d+").fillna(False).astype(bool)
    amounts = pd.to_numeric(digits.where(shaped), errors="coerce")
    return amounts.where(~negative, -amounts)


def _as_float(values: pd.Series, parse: Callable[[pd.Series], pd.Series]) -> pd.Series:
    """float64 as is from a numeric column (workbook cells); `parse` only runs on text columns."""
    if values.dtype.kind in "fiu":
        return values.astype("float64")
    return _on_uniques(values, parse, "float64")


def normalize_number(values: pd.Series) -> pd.Series:
    """Plain quantities (units, minutes, line numbers) as float64; "53 min" reads as 53."""
    return _as_float(values, _parse_number_values)


def normalize_money(values: pd.Series) -> pd.Series:
    """Amounts as float64: "$1,234.00" -> 1234.0, "(45.00)" and "45.00-" -> -45.0."""
    return _as_float(values, _parse_money_values)


def _dates_from_serials(numbers: pd.Series) -> pd.Series:
    plausible = numbers.between(_SERIAL_MIN, _SERIAL_MAX)
    days = numbers.where(plausible).floordiv(1)
    return EXCEL_EPOCH + pd.to_timedelta(days, unit="D")


def _mask(uniques: pd.Series, test: Callable[[object], bool]) -> pd.Series:
    return pd.Series([bool(test(value)) for value in uniques], index=uniques.index, dtype=bool)


def _in_timestamp_range(value: object) -> bool:
    return isinstance(value, dt.date) and _MIN_YEAR <= value.year <= _MAX_YEAR


def _parse_date_values(uniques: pd.Series) -> pd.Series:
    result = pd.Series(pd.NaT, index=uniques.index, dtype="datetime64[ns]")
    is_datetime = _mask(uniques, lambda value: isinstance(value, dt.date))
    in_range = is_datetime & _mask(uniques, _in_timestamp_range)
    if in_range.any():
        cells = uniques[in_range].tolist()
        try:
            stamps = pd.to_datetime(cells)
        except (TypeError, ValueError):  # time-zone-aware cells mixed with naive ones
            stamps = pd.to_datetime([pd.Timestamp(value).tz_localize(None) for value in cells])
        naive = stamps.tz_localize(None) if stamps.tz else stamps
        result.loc[in_range] = naive.astype("datetime64[ns]")
    numeric = pd.to_numeric(uniques.where(~is_datetime), errors="coerce")
    serial = numeric.between(_SERIAL_MIN, _SERIAL_MAX).astype(bool)
    if serial.any():
        result.loc[serial] = _dates_from_serials(numeric[serial])
    text = _clean_values(uniques.where(~is_datetime & ~serial)).str.replace(_TIME_ZONE_SUFFIX, "", regex=True)
    pending = text.notna().astype(bool)
    for date_format in (*_DATE_FORMATS, "ISO8601"):
        if not pending.any():
            break
        parsed = pd.to_datetime(text[pending], format=date_format, errors="coerce")
        found = parsed[parsed.notna()]
        found = found[(found.dt.year >= _MIN_YEAR) & (found.dt.year <= _MAX_YEAR)]
        result.loc[found.index] = found.astype("datetime64[ns]")
        pending.loc[found.index] = False
    return result.dt.normalize()


def normalize_date(values: pd.Series) -> pd.Series:
    """Dates at midnight (datetime64[ns]) from datetimes, Excel serials, ISO and US text, mixed freely."""
    if values.dtype.kind == "M":
        stamps = values.dt.tz_localize(None) if getattr(values.dt, "tz", None) else values
        return stamps.dt.normalize().astype("datetime64[ns]")
    if values.dtype.kind in "fiu":
        return _dates_from_serials(values.astype("float64")).astype("datetime64[ns]")
    return _on_uniques(_as_object(values), _parse_date_values, "datetime64[ns]")


def _parse_time_values(uniques: pd.Series) -> pd.Series:
    seconds = pd.Series(np.nan, index=uniques.index, dtype="float64")
    is_clock = _mask(uniques, lambda value: isinstance(value, dt.time | dt.datetime))
    if is_clock.any():
        seconds.loc[is_clock] = [
            value.hour * 3600 + value.minute * 60 + value.second for value in uniques[is_clock]
        ]
    is_delta = _mask(uniques, lambda value: isinstance(value, dt.timedelta))
    if is_delta.any():
        seconds.loc[is_delta] = [value.total_seconds() % 86_400 for value in uniques[is_delta]]
    numeric = pd.to_numeric(uniques.where(~is_clock & ~is_delta), errors="coerce")
    numeric = numeric.where(np.isfinite(numeric) & (numeric >= 0))
    fraction = (numeric.notna() & ((numeric % 1 != 0) | (numeric == 0))).astype(bool)
    seconds.loc[fraction] = ((numeric[fraction] % 1) * 86_400).round()
    text = _clean_values(uniques.where(~is_clock & ~is_delta & ~fraction))
    pending = text.notna().astype(bool)
    if pending.any():
        parts = text[pending].str.extract(_TIME_PATTERN)
        hours = pd.to_numeric(parts["hour"], errors="coerce")
        minutes = pd.to_numeric(parts["minute"], errors="coerce")
        ampm = parts["ampm"].astype("str").str.lower()
        has_clock_shape = minutes.notna() | ampm.notna()
        hours = hours.where(~((ampm == "p") & (hours < 12)), hours + 12)
        hours = hours.where(~((ampm == "a") & (hours == 12)), 0)
        valid = has_clock_shape & hours.between(0, 23) & minutes.fillna(0).between(0, 59)
        second = pd.to_numeric(parts["second"], errors="coerce").fillna(0)
        seconds.loc[pending] = (hours * 3600 + minutes.fillna(0) * 60 + second).where(valid)
    return pd.to_timedelta(seconds, unit="s")


def normalize_time(values: pd.Series) -> pd.Series:
    """Time of day as timedelta since midnight: "2:00 PM", "14:00", Excel day fractions, clock cells."""
    if values.dtype.kind == "m":
        return values.astype("timedelta64[ns]")
    if values.dtype.kind == "M":
        return (values - values.dt.normalize()).astype("timedelta64[ns]")
    return _on_uniques(_as_object(values), _parse_time_values, "timedelta64[ns]")


def minutes_between(start: pd.Series, end: pd.Series) -> pd.Series:
    """Session length in minutes; an end before the start is taken to cross midnight."""
    span = (end - start).dt.total_seconds() / 60
    return span.where(span >= 0, span + 1440).astype("float64")


def _compact(frame: pd.DataFrame, width: int, prefix: str) -> pd.DataFrame:
    """Per row: drop repeats, keep first-seen order, shift values left into `width` slots."""
    frame = frame.loc[:, frame.notna().any(axis=0).to_numpy()]
    values = frame.to_numpy(dtype=object)
    present = ~pd.isna(values)
    for later in range(1, values.shape[1]):
        for earlier in range(later):
            repeat = present[:, later] & present[:, earlier] & (values[:, later] == values[:, earlier])
            present[:, later] &= ~repeat
    order = np.argsort(~present, axis=1, kind="stable")
    ordered = np.take_along_axis(np.where(present, values, None), order, axis=1)
    columns = [f"{prefix}{slot}" for slot in range(1, width + 1)]
    padded = np.full((len(frame), width), None, dtype=object)
    keep = min(width, ordered.shape[1])
    padded[:, :keep] = ordered[:, :keep]
    return pd.DataFrame(padded, index=frame.index, columns=columns).astype("str")


def split_code(values: pd.Series) -> pd.DataFrame:
    """Procedure code and glued modifiers: "90837-95", "90837 95", "HC:90837:GT", 90837.0.

    Returns columns procedure_code and modifier_1..4; a modifier that is not two characters makes
    the whole cell unparseable (procedure_code NaN) rather than silently losing it.
    """

    def parse(uniques: pd.Series) -> pd.DataFrame:
        text = _clean_values(uniques).str.upper().str.replace(r"^(HC|HP)\s*:\s*", "", regex=True)
        parts = text.str.split(_SEPARATORS, regex=True)
        code = _item(parts, 0)
        modifiers = parts.map(lambda items: items[1:] if isinstance(items, list) else None)
        good_code = code.str.fullmatch(_CODE_PATTERN.pattern).fillna(False).astype(bool)
        good_mods = modifiers.map(
            lambda items: (
                isinstance(items, list)
                and len(items) <= MODIFIER_SLOTS
                and all(_MODIFIER_PATTERN.fullmatch(item) for item in items)
            )
        ).astype(bool)
        ok = good_code & good_mods
        frame = pd.DataFrame({"procedure_code": code.where(ok)})
        for slot in range(MODIFIER_SLOTS):
            frame[f"modifier_{slot + 1}"] = _item(modifiers.where(ok), slot)
        return frame

    return _on_uniques(_as_object(values), parse, "str")


def split_modifiers(values: pd.Series) -> pd.DataFrame:
    """One cell of modifiers ("95", "HO GT", "95,GT") as modifier_1..4; bad shapes give all-NaN."""

    def parse(uniques: pd.Series) -> pd.DataFrame:
        parts = _clean_values(uniques).str.upper().str.split(_SEPARATORS, regex=True)
        ok = parts.map(
            lambda items: (
                isinstance(items, list)
                and 0 < len(items) <= MODIFIER_SLOTS
                and all(_MODIFIER_PATTERN.fullmatch(item) for item in items)
            )
        ).astype(bool)
        return pd.DataFrame(
            {f"modifier_{slot + 1}": _item(parts.where(ok), slot) for slot in range(MODIFIER_SLOTS)}
        )

    return _on_uniques(_as_object(values), parse, "str")


def merge_slots(frames: list[pd.DataFrame], width: int, prefix: str) -> pd.DataFrame:
    """Join slot columns from several sources (glued modifiers + modifier columns) without repeats."""
    return _compact(pd.concat(frames, axis=1, ignore_index=True), width, prefix)


def normalize_modifier(values: pd.Series) -> pd.Series:
    """A single modifier cell: two upper-case characters."""
    split = split_modifiers(values)
    return split["modifier_1"].where(split["modifier_2"].isna())


def normalize_code(values: pd.Series) -> pd.Series:
    """A bare procedure code (no modifiers): upper-case, five characters."""
    split = split_code(values)
    return split["procedure_code"].where(split["modifier_1"].isna())


def normalize_icd10(values: pd.Series) -> pd.Series:
    """ICD-10-CM codes dotted and upper-case: "F411" -> "F41.1", "f32a" -> "F32.A", "Z63.0" kept."""

    def parse(uniques: pd.Series) -> pd.Series:
        text = _clean_values(uniques).str.upper().str.replace(".", "", regex=False).str.replace(" ", "")
        parts = text.str.extract(_ICD10_PATTERN)
        dotted = parts[0].where(parts[1].isna(), parts[0] + "." + parts[1])
        return dotted

    return _on_uniques(_as_object(values), parse, "str")


def split_icd10(values: pd.Series) -> pd.DataFrame:
    """A diagnosis cell that may list several codes ("F41.1, F32.9") as dx_1..4, plus `unreadable`.

    Codes that read are kept even when a neighbour does not; `unreadable` lists the parts that are not
    ICD-10-CM shaped ("296.32"), or the whole cell when it lists more codes than a line has slots.
    """

    def parse(uniques: pd.Series) -> pd.DataFrame:
        cells = _clean_values(uniques)
        parts = cells.str.split(r"[\s,;|/]+", regex=True)
        exploded = parts.explode()
        exploded = exploded[exploded.ne("")]
        codes = normalize_icd10(exploded.astype(object))
        bad = codes.isna() & exploded.notna()
        unreadable = exploded[bad].groupby(level=0).agg(", ".join).reindex(uniques.index)
        grouped = codes.dropna().groupby(level=0).agg(list).reindex(uniques.index)
        frame = pd.DataFrame(
            {f"dx_{slot + 1}": _item(grouped, slot) for slot in range(DX_SLOTS)}, index=uniques.index
        )
        too_many = grouped.str.len().gt(DX_SLOTS).fillna(False).astype(bool)
        frame = frame.mask(too_many, np.nan)
        frame["unreadable"] = unreadable.mask(too_many, cells).astype("str")
        return frame

    return _on_uniques(_as_object(values), parse, "str")


def normalize_npi(values: pd.Series) -> pd.Series:
    """NPIs as 10-digit text, whether stored as text, integers or floats (1234567893.0)."""

    def parse(uniques: pd.Series) -> pd.Series:
        text = _clean_values(uniques).str.replace(r"[\s-]", "", regex=True)
        digits = text.where(text.str.fullmatch(r"\d{1,10}").fillna(False).astype(bool))
        return digits.str.zfill(10).astype("str")

    return _on_uniques(values, parse, "str")


def normalize_pos(values: pd.Series) -> pd.Series:
    """Place of service as two digits: 2 -> "02", "11 - Office" -> "11"."""

    def parse(uniques: pd.Series) -> pd.Series:
        code = _clean_values(uniques).str.extract(r"^(\d{1,2})(?:\s*[-:–]\s*\D.*|\s+\D.*)?$")[0]
        return code.str.zfill(2).astype("str")

    return _on_uniques(values, parse, "str")


def _credential_key(text: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", text.upper())


@cache
def _credential_aliases() -> dict[str, str]:
    table = load_table("credentials.csv")
    aliases = dict(zip(table["alias"].map(_credential_key), table["credential"], strict=True))
    aliases.update({_credential_key(name): name for name in table["credential"].unique()})
    return aliases


@cache
def _degree_keys() -> frozenset[str]:
    """Aliases that name a degree (PhD, PsyD) rather than the licence a line is billed under."""
    table = load_table("credentials.csv")
    return frozenset(table.loc[table["kind"] == "degree", "alias"].map(_credential_key))


def _billing_credential(keys: list[str], aliases: dict[str, str]) -> str | None:
    """Of the credentials a cell or name lists, the licence the line is billed under.

    "PhD, LMFT" is an LMFT with a doctorate, so a licence wins over a degree; the first licence listed
    wins among several ("LCSW, LCADC"). A degree alone stands ("PhD" is a psychologist).
    """
    known = [key for key in keys if key in aliases]
    licences = [key for key in known if key not in _degree_keys()]
    chosen = (licences or known or [None])[0]
    return aliases.get(chosen) if chosen else None


def normalize_credential(values: pd.Series) -> pd.Series:
    """Canonical short credential ("Ph.D." -> "PHD", "LICSW" -> "LCSW"); unknown ones kept upper-case.

    Where a cell lists several ("PhD, LMFT") the licence the line is billed under wins (see
    `_billing_credential`).
    """

    def parse(uniques: pd.Series) -> pd.Series:
        aliases = _credential_aliases()

        def one(value: object) -> str:
            text = _text_of(value).strip()
            whole = aliases.get(_credential_key(text))
            if whole:
                return whole
            parts = [_credential_key(part) for part in re.split(r"[,;/]+|\s+", text)]
            return _billing_credential(parts, aliases) or text.upper()

        return _clean_values(uniques).map(one, na_action="ignore")

    return _on_uniques(_as_object(values), parse, "str")


def is_known_credential(credentials: pd.Series) -> pd.Series:
    return credentials.isin(set(_credential_aliases().values()))


def _peel_name(text: str, aliases: dict[str, str]) -> tuple[str, str | None]:
    name = re.sub(r"\s+", " ", text).strip(" ,;")
    credentials: list[str] = []
    while True:
        match = re.search(r"(?P<sep>[\s,/]+)(?P<token>[A-Za-z][A-Za-z.\-]*)$", name)
        if not match:
            break
        token = match.group("token")
        rest = name[: match.start()].rstrip(" ,;/")
        known = aliases.get(_credential_key(token))
        stated = "," in match.group("sep") or token.isupper() or "." in token
        if not known or not stated or len(rest.replace(",", " ").split()) < 2:
            break
        credentials.insert(0, _credential_key(token))
        name = rest
    if "," in name:
        last, _, first = name.partition(",")
        name = f"{first.strip()} {last.strip()}".strip()
    if name.isupper() or name.islower():
        name = " ".join(part.capitalize() if "'" not in part else part.title() for part in name.split(" "))
    return name, _billing_credential(credentials, aliases)


def split_name_credential(values: pd.Series) -> pd.DataFrame:
    """Display name "First Last" and any credential suffix: "KIM, ALEX LCSW" -> ("Alex Kim", "LCSW")."""

    def parse(uniques: pd.Series) -> pd.DataFrame:
        aliases = _credential_aliases()
        text = _clean_values(uniques)
        pairs = text.map(lambda value: _peel_name(value, aliases), na_action="ignore")
        return pd.DataFrame(
            {
                "name": _item(pairs.map(list, na_action="ignore"), 0),
                "credential": _item(pairs.map(list, na_action="ignore"), 1),
            },
            index=uniques.index,
        )

    frame = _on_uniques(_as_object(values), parse)
    name = frame["name"].astype("str")
    return pd.DataFrame({"name": name.where(name != ""), "credential": frame["credential"].astype("str")})


def normalize_name(values: pd.Series) -> pd.Series:
    return split_name_credential(values)["name"]


def name_key(values: pd.Series) -> pd.Series:
    """Order-, case-, punctuation- and credential-insensitive key: "KIM, ALEX LCSW" == "Alex Kim"."""

    def parse(uniques: pd.Series) -> pd.Series:
        names = normalize_name(uniques).str.lower().str.replace(r"[^a-z0-9 ]+", "", regex=True)
        return names.str.split().map(lambda tokens: " ".join(sorted(tokens)) or None, na_action="ignore")

    return _on_uniques(_as_object(values), parse, "str")


def payer_type_from_plan(values: pd.Series) -> pd.Series:
    """Payer type from a plan-type column ("Medicare Part B", "Commercial PPO", "Medi-Cal", "Self-pay")."""
    return _on_uniques(clean_text(values), lambda texts: program_type(texts).astype("str"), "str")


def normalize_payer_type(plan_types: pd.Series | None, payers: pd.Series | None) -> pd.Series:
    """Payer type from the plan-type column where it tells, else from the payer name (payers table)."""
    index = (plan_types if plan_types is not None else payers).index
    result = (
        payer_type_from_plan(plan_types)
        if plan_types is not None
        else pd.Series(np.nan, index=index, dtype="str")
    )
    if payers is not None and result.isna().any():
        by_name = _on_uniques(clean_text(payers), lambda names: payer_type_from_name(names.astype("str")))
        result = result.fillna(by_name.astype("str"))
    return result.astype("str")


NORMALIZERS: dict[FieldKind, Callable[[pd.Series], pd.Series]] = {
    FieldKind.TEXT: clean_text,
    FieldKind.ID: clean_text,
    FieldKind.NAME: normalize_name,
    FieldKind.DATE: normalize_date,
    FieldKind.TIME: normalize_time,
    FieldKind.MINUTES: normalize_number,
    FieldKind.CODE: normalize_code,
    FieldKind.MODIFIER: normalize_modifier,
    FieldKind.UNITS: normalize_number,
    FieldKind.NPI: normalize_npi,
    FieldKind.ICD10: normalize_icd10,
    FieldKind.MONEY: normalize_money,
    FieldKind.POS: normalize_pos,
    FieldKind.CREDENTIAL: normalize_credential,
    FieldKind.PAYER_TYPE: payer_type_from_plan,
}


_CONTRACT_DTYPES: dict[FieldKind, str] = {
    FieldKind.DATE: "datetime64[ns]",
    FieldKind.TIME: "timedelta64[ns]",
    FieldKind.MINUTES: "float64",
    FieldKind.UNITS: "float64",
    FieldKind.MONEY: "float64",
}


def as_contract_dtypes(frame: pd.DataFrame) -> pd.DataFrame:
    """Every column in its data-contract dtype by field kind; anything else (ids, codes, patient_id) as str.

    Columns added by reindexing, or left all-missing after rows are dropped, come out as object;
    consumers rely on the contract dtypes, so claims and roster frames pass through here last.
    """
    kinds = field_kinds()
    return frame.astype({name: _CONTRACT_DTYPES.get(kinds.get(name), "str") for name in frame.columns})
