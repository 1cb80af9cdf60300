"""Process-wide runtime settings, in one place: the GIL switch interval and the
cyclic garbage collector.

Both are global to the interpreter, so whoever changes them must put them back;
the functions and context managers here do, and each says why it is worth it
(with the measurements behind it).
"""

from __future__ import annotations

import contextlib
import gc
import sys
import threading
from collections.abc import Iterator

#: Seconds a thread may hold the GIL while another waits for it (Python's default:
#: 0.005) while the bot runs. aiosqlite's thread needs it back from a busy event
#: loop after every statement, so each SQLite round trip could wait that long: in
#: a flood of updates (bench/updates.py) handling a typed municipality name took
#: 189 ms (p50) at 5 ms and 55-71 ms at 1 ms.
GIL_SWITCH_INTERVAL = 0.001

#: Seconds; the longest switch interval while content is reloaded in a worker
#: thread. The worker and the event loop share the GIL, handed over every switch
#: interval; a shorter one while a reload runs keeps newcomers' replies quick, at
#: a small cost to the reload (bench/reload.py, national corpus, 20 updates/s:
#: reply p50/p99 during reloads 6-8 ms / 21-36 ms, target p99 <= 100 ms).
RELOAD_SWITCH_INTERVAL = 0.002


#: Allocations between two young-generation collections while the bot runs
#: (Python's default: 700). Handling an update allocates thousands of short-lived
#: objects and makes almost no reference cycles, so at 700 the collector ran
#: hundreds of times a second in a flood of updates (bench/updates.py: 576 pauses,
#: 8.6 % of the run, the longest 84 ms).
GC_YOUNG_THRESHOLD = 50_000


class BotSwitchInterval:
    """The bot's GIL switch interval (:data:`GIL_SWITCH_INTERVAL`) and the young
    generation's collection threshold (:data:`GC_YOUNG_THRESHOLD`) from :meth:`apply`
    (application start) to :meth:`restore` (shutdown), which puts back the values
    found at :meth:`apply`. Restoring without applying does nothing."""

    def __init__(self, seconds: float = GIL_SWITCH_INTERVAL, young: int = GC_YOUNG_THRESHOLD):
        self.seconds = seconds
        self.young = young
        self._previous: tuple[float, tuple[int, int, int]] | None = None

    def apply(self) -> None:
        if self._previous is None:
            self._previous = (sys.getswitchinterval(), gc.get_threshold())
        sys.setswitchinterval(self.seconds)
        _young, middle, old = self._previous[1]
        gc.set_threshold(self.young, middle, old)

    def restore(self) -> None:
        if self._previous is not None:
            interval, thresholds = self._previous
            sys.setswitchinterval(interval)
            gc.set_threshold(*thresholds)
            self._previous = None


@contextlib.contextmanager
def reload_switch_interval(seconds: float = RELOAD_SWITCH_INTERVAL) -> Iterator[None]:
    """At most ``seconds`` as the switch interval inside the block (a shorter one
    already in force stays); the previous value afterwards."""
    interval = sys.getswitchinterval()
    sys.setswitchinterval(min(interval, seconds))
    try:
        yield
    finally:
        sys.setswitchinterval(interval)


_gc_lock = threading.Lock()
_gc_pausers = 0
_gc_was_enabled = False


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """The cyclic garbage collector off inside the block (for the whole process:
    gc is not per thread), back to its previous state when the last of several
    overlapping blocks (other threads) ends.

    Loading content builds millions of small objects and no cycles: the collector
    would rescan the growing heap again and again for nothing. Memory is still
    freed by reference counting meanwhile.
    """
    global _gc_pausers, _gc_was_enabled
    with _gc_lock:
        if _gc_pausers == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_pausers += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pausers -= 1
            if _gc_pausers == 0 and _gc_was_enabled:
                gc.enable()


def freeze_long_lived() -> None:
    """Exclude every object alive now from cyclic garbage collection (gc.freeze).

    Content is hundreds of thousands of long-lived objects without reference
    cycles: moving them out of the collector's generations keeps its full
    collections from pausing replies. They are still freed by reference counting
    when a newer version replaces them. Call it after loading content.
    """
    gc.collect()
    gc.freeze()
