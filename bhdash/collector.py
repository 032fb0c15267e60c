"""Python's cyclic garbage collector, set for a process that holds large imports and makes data frames.

A full collection walks every container object alive. Once pandas, scikit-learn, plotly (and in the
dashboard Streamlit) are imported, that is hundreds of thousands of objects that live as long as the
process, and a check allocates enough to set off several full collections: on the 100,000-line bench
workbook `bhdash check` spent 0.78-0.85 s in the collector, 0.54-0.58 s of it in 7 full collections.
Freezing what is alive once the imports are done keeps it out of every later collection, and a larger
young-generation threshold lets most of a check's short-lived containers go before a collection looks
at them: 0.25-0.29 s in all on the same check. Reference counting frees objects as before; only a cycle
among frozen objects is never collected, and those are the imports and tables that live as long as the
process.
"""

from __future__ import annotations

import gc

# Allocations (less deallocations) of container objects between young collections; Python's default is
# 700. A dashboard run still sets off a collection every run or two, so a cycle of garbage holding a
# frame of a page's data is not kept for long.
YOUNG_THRESHOLD = 10_000

_settled: list[bool] = []


def settle(*, collect: bool = False) -> None:
    """Freeze the objects alive now out of later collections and raise the young threshold, once per
    process (later calls do nothing): call when the process's long-lived objects are loaded. `collect` first
    collects the garbage already there (a server whose first runs left some), so it is not frozen too."""
    if _settled:
        return
    _settled.append(True)
    if collect:
        gc.collect()
    gc.freeze()
    _, middle, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, oldest)
