"""Arrow's memory pool for the processes bhdash runs: jemalloc where the pyarrow build has it.

pandas keeps text columns in Arrow, so every take, filter and concatenation of text allocates from
Arrow's default pool. With pyarrow's default (mimalloc) on this project's Linux machines, allocations
stalled for tenths of a second at random: putting 319k findings in report order took 2.6-2.9 s against
0.35-0.43 s from jemalloc, and `bhdash check` on 100k lines took 17.5-21.3 s against 14.5-15.6 s, with
less memory. The entry points (the CLI's data commands, the dashboard) choose the pool; importing bhdash
as a library leaves the process's choice alone.
"""

from __future__ import annotations

import os

POOL_VARIABLE = "ARROW_DEFAULT_MEMORY_POOL"  # Arrow's own setting: when present, it decides


def use_jemalloc() -> None:
    """Make jemalloc Arrow's default pool, unless ARROW_DEFAULT_MEMORY_POOL chose one or the build has
    no jemalloc (Windows wheels); buffers already allocated stay with the pool they came from."""
    if os.environ.get(POOL_VARIABLE):
        return
    import pyarrow as pa

    try:
        pool = pa.jemalloc_memory_pool()
    except NotImplementedError:
        return
    if pa.default_memory_pool().backend_name != pool.backend_name:
        pa.set_memory_pool(pool)
