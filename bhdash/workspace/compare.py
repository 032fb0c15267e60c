"""What changed between two stored uploads of one practice: findings new, resolved or persisting, and money.

A finding is the same finding in both uploads when its claim ID, code, date of service and rule match
(for findings about a clinician rather than a line: rule, clinician and payer). A finding of the earlier
upload whose claim line is not in the later file at all is "not in the later file", not "resolved":
the later export simply does not cover that line, so nobody can tell whether it was fixed.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

FINDING_KEY: tuple[str, ...] = ("rule", "claim_id", "code", "service_date")
LINE_KEY: tuple[str, ...] = ("claim_id", "procedure_code", "service_date")
CHANGES: tuple[str, ...] = ("new", "persisting", "resolved", "not in the later file")


def _key_frame(frame: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    """Key columns with missing values made comparable: text "" and dates as one integer (NaT's)."""
    keys = pd.DataFrame(index=frame.index)
    for column in columns:
        values = frame[column]
        if column == "service_date":
            keys[column] = pd.to_datetime(values).to_numpy(dtype="datetime64[ns]").view("int64")
        else:
            keys[column] = values.astype("object").where(values.notna(), "").astype(str)
    return keys


def finding_keys(findings: pd.DataFrame) -> pd.DataFrame:
    """The identity of each finding across uploads, with an occurrence number for repeated identities."""
    keys = _key_frame(findings, FINDING_KEY)
    lineless = findings["line_index"].isna()
    # A clinician-level finding has no claim, code or date: the clinician and payer identify it.
    scope = _key_frame(findings, ("clinician", "payer"))
    keys["scope"] = (scope["clinician"] + "\x1f" + scope["payer"]).where(lineless, "")
    keys["occurrence"] = keys.groupby(list(keys.columns)).cumcount()
    return keys


def _joined(keys: pd.DataFrame) -> pd.MultiIndex:
    """The key columns as one hashable index, for set membership between uploads."""
    return pd.MultiIndex.from_frame(keys)


@dataclass
class Comparison:
    """The two uploads compared, each finding with its change, and the money moved per family/clinician."""

    before: int
    after: int
    findings: pd.DataFrame  # the findings of both uploads, `change` in CHANGES
    by_family: pd.DataFrame  # family, before, after, change (money at risk)
    by_clinician: pd.DataFrame  # clinician, before, after, change (money at risk)

    def counts(self) -> dict[str, int]:
        counted = self.findings["change"].value_counts()
        return {change: int(counted.get(change, 0)) for change in CHANGES}


def classify(before: pd.DataFrame, after: pd.DataFrame, after_lines: pd.DataFrame) -> pd.DataFrame:
    """Both uploads' findings, each marked new / persisting / resolved / not in the later file.

    Persisting findings appear once, as the later upload's row.
    """
    key_before, key_after = finding_keys(before), finding_keys(after)
    joined_before, joined_after = _joined(key_before), _joined(key_after)
    still = joined_before.isin(joined_after)
    present = _joined(_key_frame(after_lines, LINE_KEY))
    line_of_before = _joined(_key_frame(before.rename(columns={"code": "procedure_code"}), LINE_KEY))
    covered = pd.Series(line_of_before.isin(present), index=before.index) | before["line_index"].isna()
    earlier = before[~still].assign(change="resolved")
    earlier.loc[~covered[~still], "change"] = "not in the later file"
    later = after.assign(change="new")
    later.loc[joined_after.isin(joined_before), "change"] = "persisting"
    return pd.concat([later, earlier], ignore_index=True)


def money_by_family(findings: pd.DataFrame) -> pd.Series:
    """Money at risk per finding family: the dollars the money model attributed to each finding
    (`bhdash.money.attribute`), so no line is counted twice across families."""
    return findings.groupby("family")["at_risk"].sum()


def money_by_clinician(lines: pd.DataFrame) -> pd.Series:
    """Money at risk per rendering clinician."""
    named = lines.assign(clinician=lines["clinician"].fillna("(no clinician)"))
    return named.groupby("clinician")["at_risk"].sum()


def _side_by_side(before: pd.Series, after: pd.Series, label: str) -> pd.DataFrame:
    table = pd.concat([before.rename("before"), after.rename("after")], axis=1).fillna(0.0)
    table["change"] = table["after"] - table["before"]
    table.index.name = label
    return table.sort_values(["after", "before"], ascending=False).reset_index()


def compare_uploads(
    before: int, after: int, lines: pd.DataFrame, findings: pd.DataFrame
) -> Comparison:
    """Compare two uploads given the stored `lines` and `findings` rows of (at least) both."""
    lines_before, lines_after = (lines[lines["upload_id"] == upload] for upload in (before, after))
    found_before, found_after = (findings[findings["upload_id"] == upload] for upload in (before, after))
    return Comparison(
        before=before,
        after=after,
        findings=classify(found_before, found_after, lines_after),
        by_family=_side_by_side(money_by_family(found_before), money_by_family(found_after), "family"),
        by_clinician=_side_by_side(money_by_clinician(lines_before), money_by_clinician(lines_after),
                                   "clinician"),
    )
