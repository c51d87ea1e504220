"""The garbage collector of a long-running server.

CPython's cyclic collector now and then walks every object it tracks. In a server that has
loaded its schemas, texts, catalogue and matchers that is a million objects or more: a full
collection then held the event loop for 70-160 ms, a few times a minute under load (the p99 of
a whole Slack turn in ``bench/channels.py``). What is loaded at start-up lives as long as the
process, so it is frozen out of the collector (``gc.freeze``): a full collection then walks only
what was made since.
"""

from __future__ import annotations

import gc
import logging

log = logging.getLogger(__name__)


def settle() -> int:
    """Collect what start-up left behind, then freeze the rest; the objects frozen."""
    gc.collect()
    gc.freeze()
    frozen = gc.get_freeze_count()
    log.info("start-up objects kept out of garbage collection: %d", frozen)
    return frozen
