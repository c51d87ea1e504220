"""A server freezes what start-up loaded out of the garbage collector (bot/memory.py)."""

from __future__ import annotations

import gc
import weakref

from bot.memory import settle


def test_settle_freezes_what_is_loaded_and_collects_the_rest() -> None:
    class Cycle:
        def __init__(self) -> None:
            self.me = self

    garbage = weakref.ref(Cycle())  # garbage in a cycle: collected, not frozen
    try:
        frozen = settle()
        assert frozen == gc.get_freeze_count() > 1000
        assert garbage() is None
        assert gc.get_count()[0] < 100  # the collector starts afresh
    finally:
        gc.unfreeze()
