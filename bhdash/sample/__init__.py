"""The built-in sample practice: a deterministic, realistic practice with planted problems.

`generate_practice()` builds the canonical truth in memory; `write_sample()` exports it in the
vendor-style layouts consultants demo with (see `layouts.py`). The package itself imports nothing
heavy, so `bhdash sample --help` shows these defaults without loading pandas.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bhdash.sample.generator import SamplePractice

DEFAULT_SEED = 7
DEFAULT_MONTHS = 12


def generate_practice(seed: int = DEFAULT_SEED, months: int = DEFAULT_MONTHS, plant: bool = True,
                      scale: float = 1.0) -> SamplePractice:
    """The sample practice for `seed`: same seed, same practice, byte for byte.

    `plant=False` gives the same visits without planted problems, credentialing gaps or code-mix
    outliers;
    `scale` multiplies patients (and adds clinician teams above 1.0) for benchmark volumes.
    """
    from bhdash.sample.generator import draft_practice, finish
    from bhdash.sample.outcomes import adjudicate
    from bhdash.sample.problems import manifest_frame, plant_problems

    draft = draft_practice(seed=seed, months=months, scale=scale, outliers=plant)
    manifest = plant_problems(draft) if plant else manifest_frame([])
    adjudicate(draft, manifest)
    return finish(draft, manifest, seed)


def __getattr__(name: str) -> Any:
    if name == "SamplePractice":
        from bhdash.sample.generator import SamplePractice

        return SamplePractice
    raise AttributeError(f"module 'bhdash.sample' has no attribute {name!r}")


__all__ = ["DEFAULT_MONTHS", "DEFAULT_SEED", "SamplePractice", "generate_practice"]
