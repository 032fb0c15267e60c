"""The built-in sample practice: a deterministic, realistic practice with planted problems.

`generate_practice()` builds the canonical truth in memory; `write_sample()` exports it in the
vendor-style layouts consultants demo with (see `layouts.py`).
"""

from __future__ import annotations

from bhdash.sample.generator import (
    DEFAULT_MONTHS,
    DEFAULT_SEED,
    SamplePractice,
    draft_practice,
    finish,
)
from bhdash.sample.outcomes import adjudicate
from bhdash.sample.problems import manifest_frame, plant_problems


def generate_practice(seed: int = DEFAULT_SEED, months: int = DEFAULT_MONTHS, plant: bool = True,
                      scale: float = 1.0) -> SamplePractice:
    """The sample practice for `seed`: same seed, same practice, byte for byte.

    `plant=False` gives the same visits without planted problems, credentialing gaps or code-mix
    outliers;
    `scale` multiplies patients (and adds clinician teams above 1.0) for benchmark volumes.
    """
    draft = draft_practice(seed=seed, months=months, scale=scale, outliers=plant)
    manifest = plant_problems(draft) if plant else manifest_frame([])
    adjudicate(draft, manifest)
    return finish(draft, manifest, seed)


__all__ = ["DEFAULT_MONTHS", "DEFAULT_SEED", "SamplePractice", "generate_practice"]
