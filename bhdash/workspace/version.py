"""The rule catalogue's version: which rules and reference facts produced a stored run.

A stored upload cannot be re-checked without its file (patient data is never kept), so each run records
this version and the Progress page marks runs made under another one.
"""

from __future__ import annotations

import hashlib
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from importlib.resources import files

from bhdash.rules.registry import REGISTRY


def _package_version() -> str:
    try:
        return version("bhdash")
    except PackageNotFoundError:
        return "0"


@cache
def catalogue_version() -> str:
    """`<package version>+<digest>`: the digest covers every rule's metadata and every reference file."""
    import bhdash.rules.catalogue  # noqa: F401  (registers the catalogue)

    digest = hashlib.sha256()
    for rule in sorted(REGISTRY.values(), key=lambda item: item.id):
        digest.update(repr((rule.id, rule.family, rule.severity, rule.title, rule.needs, rule.needs_roster,
                            rule.effective, rule.clinician_level)).encode())
    reference = files("bhdash.reference")
    for entry in sorted(reference.iterdir(), key=lambda item: item.name):
        if entry.name.endswith((".csv", ".toml", ".yaml")):
            digest.update(entry.name.encode())
            digest.update(entry.read_bytes())
    return f"{_package_version()}+{digest.hexdigest()[:12]}"
