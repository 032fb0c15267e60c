"""Suite-wide test settings.

Hypothesis' per-example deadline measures wall time, which a loaded CI machine or a first import (pandas,
the reference tables) stretches well past 200 ms; timing is benchmarked in `bench/`, never asserted, so the
deadline is off for every property test.
"""

from hypothesis import settings

settings.register_profile("bhdash", deadline=None)
settings.load_profile("bhdash")
