"""The collector's settings for a long-running process (an API process, a webhook worker).

A served process holds ~450,000 objects it made while starting (the GraphQL schema, the ORM's
mappers, the OpenAPI models), all alive until it stops. With CPython's defaults every full collection
walks them all again, ~400 ms each, and a young-generation pass runs every 700 net allocations,
about twice per request: together ~1.3 ms of a ~10 ms cohort grid (issue 18, bench/README-assessment.md).
Frozen once started, they are never walked again; a larger first threshold lets a request's
short-lived objects die by reference count before a pass looks at them. Cycles are still collected,
only later.
"""

from __future__ import annotations

import gc

# Net container allocations between young-generation passes (CPython's default is 700). A request
# allocates tens of thousands and frees nearly all of them by reference count; passes at 10,000
# measured ~0.1 ms per request against ~0.55 ms at 700 (both with the start-up heap frozen).
YOUNG_THRESHOLD = 10_000

_settled = False


def settle() -> bool:
    """Collect what start-up left as garbage, freeze what survives and raise the young threshold;
    once per process (True the first time). Called when a served process starts, never by tests'
    in-process apps, which come and go and would each freeze the previous one's garbage."""
    global _settled
    if _settled:
        return False
    _settled = True
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)
    return True
