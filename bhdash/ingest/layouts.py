"""Known vendor export layouts, recognized from the header row (fingerprints in export_layouts.toml)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from bhdash.ingest.mapping import header_key
from bhdash.reference import load_toml


@dataclass(frozen=True)
class Layout:
    id: str
    vendor: str
    report: str
    source: str
    fingerprint: tuple[str, ...]
    min_coverage: float
    columns: dict[str, str] = field(default_factory=dict)
    ignore: tuple[str, ...] = ()
    service_column: str | None = None
    service_values: tuple[str, ...] = ()
    sums: dict[str, tuple[str, ...]] = field(default_factory=dict)
    absolute: tuple[str, ...] = ()

    def coverage(self, columns: list[str]) -> float:
        present = {header_key(column) for column in columns}
        return sum(header_key(name) in present for name in self.fingerprint) / len(self.fingerprint)


@cache
def load_layouts() -> tuple[Layout, ...]:
    layouts = []
    for spec in load_toml("export_layouts.toml")["layout"]:
        layouts.append(
            Layout(
                id=spec["id"],
                vendor=spec["vendor"],
                report=spec["report"],
                source=spec["source"],
                fingerprint=tuple(spec["fingerprint"]),
                min_coverage=float(spec["min_coverage"]),
                columns=dict(spec.get("columns", {})),
                ignore=tuple(spec.get("ignore", ())),
                service_column=spec.get("service_column"),
                service_values=tuple(spec.get("service_values", ())),
                sums={name: tuple(parts) for name, parts in spec.get("sums", {}).items()},
                absolute=tuple(spec.get("absolute", ())),
            )
        )
    return tuple(layouts)


def recognize_layout(columns: list[str]) -> Layout | None:
    """The layout whose fingerprint the header covers best (above its minimum coverage), if any."""
    scored = [(layout.coverage(columns), len(layout.fingerprint), layout) for layout in load_layouts()]
    eligible = [item for item in scored if item[0] >= item[2].min_coverage]
    if not eligible:
        return None
    return max(eligible, key=lambda item: item[:2])[2]


def _spelled_in_file(names: tuple[str, ...], columns: list[str]) -> dict[str, str]:
    """Each name found in the file -> the file's spelling: exact first, else the first same-key column."""
    by_key = {header_key(column): column for column in reversed(columns)}
    exact = set(columns)
    spelled = {name: name if name in exact else by_key.get(header_key(name)) for name in names}
    return {name: column for name, column in spelled.items() if column is not None}


def resolve_columns(layout: Layout, columns: list[str]) -> dict[str, str]:
    """The layout's column map keyed by the file's actual header spelling (capitalisation drifts)."""
    spelled = _spelled_in_file(tuple(layout.columns), columns)
    return {spelled[name]: field_name for name, field_name in layout.columns.items() if name in spelled}


def resolve_names(names: tuple[str, ...], columns: list[str]) -> tuple[str, ...]:
    """The names present in the file, in the file's spelling; absent ones are dropped."""
    spelled = _spelled_in_file(names, columns)
    return tuple(spelled[name] for name in names if name in spelled)
