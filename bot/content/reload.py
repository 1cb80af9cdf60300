"""Live content reload that never breaks the bot.

New content is parsed, validated and indexed in a worker thread (newcomers'
replies keep flowing on the event loop) and published with one assignment only
when it is valid. Broken content is never served: the last good content stays,
the problems are logged as ``file:line: message`` and sent to the editors.
Changes are noticed by watching the content folder with watchfiles, and on
``/reload``.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import gc
import logging
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import watchfiles

from bot.content.loader import ContentInvalid, ContentLoader, Problem
from bot.content.snapshot import Snapshot

log = logging.getLogger(__name__)

#: watchfiles waits this long (milliseconds) for a burst of saves to settle, so a
#: `git pull` touching many files triggers one reload, not dozens.
DEBOUNCE_MS = 800
#: Seconds; see ContentReloader._build_in_thread.
RELOAD_SWITCH_INTERVAL = 0.002


def freeze_long_lived() -> None:
    """Exclude every object alive now from cyclic garbage collection (gc.freeze)."""
    # Content is hundreds of thousands of long-lived objects without reference
    # cycles: moving them out of the cyclic collector's generations (gc.freeze)
    # keeps its full collections from pausing replies. They are still freed by
    # reference counting when a newer version replaces them.
    gc.collect()
    gc.freeze()


@dataclasses.dataclass(frozen=True)
class ReloadResult:
    """Outcome of one reload: ``ok`` and the new entry count, or the problems found."""

    ok: bool
    seconds: float
    entries: int = 0
    problems: tuple[Problem, ...] = ()


class ContentReloader:
    """Owns the :class:`ContentLoader` of one content folder (its per-file cache makes a
    reload after a small edit fast) and publishes valid snapshots.

    ``publish(snapshot)`` installs a new snapshot (e.g. sets ``bot_data.snapshot``).
    """

    def __init__(self, content_dir: Path, publish: Callable[[Snapshot], None]):
        self.content_dir = Path(content_dir)
        self.publish = publish
        self.loader = ContentLoader()
        self._lock = asyncio.Lock()
        self.results: list[ReloadResult] = []
        self._done = asyncio.Condition()

    def load_initial(self) -> Snapshot:
        """Load synchronously at start-up. Raises ContentInvalid if the content is broken."""
        snapshot = self._build()
        freeze_long_lived()
        return snapshot

    def _build(self) -> Snapshot:
        return Snapshot.build(self.loader.load(self.content_dir))

    async def _build_in_thread(self) -> Snapshot:
        # The worker thread and the event loop share the GIL. Python hands it over
        # every "switch interval" (5 ms by default); a shorter one while a reload
        # runs keeps newcomers' replies quick, at a small cost to the reload.
        interval = sys.getswitchinterval()
        sys.setswitchinterval(min(interval, RELOAD_SWITCH_INTERVAL))
        try:
            return await asyncio.to_thread(self._build)
        finally:
            sys.setswitchinterval(interval)

    async def reload(self) -> ReloadResult:
        """Load, validate and index in a worker thread; publish only valid content."""
        async with self._lock:
            started = time.perf_counter()
            try:
                snapshot = await self._build_in_thread()
            except ContentInvalid as exc:
                seconds = time.perf_counter() - started
                log.error(
                    "content not reloaded, %d problem(s); still serving the previous content",
                    len(exc.problems),
                )
                for problem in exc.problems:
                    log.error("%s", problem)
                return await self._record(
                    ReloadResult(False, seconds, problems=tuple(exc.problems))
                )
            except Exception:
                # A bug in our own code must not take the bot down either.
                log.exception("content reload failed; still serving the previous content")
                seconds = time.perf_counter() - started
                problem = Problem(str(self.content_dir), 1, "internal error while loading")
                return await self._record(ReloadResult(False, seconds, problems=(problem,)))
            self.publish(snapshot)
            freeze_long_lived()
            seconds = time.perf_counter() - started
            log.info(
                "content reloaded: %d entries in %.2f s", len(snapshot.content.entries), seconds
            )
            return await self._record(
                ReloadResult(True, seconds, entries=len(snapshot.content.entries))
            )

    async def _record(self, result: ReloadResult) -> ReloadResult:
        async with self._done:
            self.results.append(result)
            self._done.notify_all()
        return result

    async def wait_for_reloads(self, count: int, timeout: float = 20.0) -> list[ReloadResult]:
        """Wait until at least ``count`` reloads have finished in all; returns their results."""
        async with asyncio.timeout(timeout), self._done:
            await self._done.wait_for(lambda: len(self.results) >= count)
        return self.results

    async def watch(
        self,
        on_result: Callable[[ReloadResult], Awaitable[None]],
        stop: asyncio.Event,
        extra_paths: tuple[Path, ...] = (),
    ) -> None:
        """Reload whenever a YAML file below the content folder (or ``extra_paths``)
        changes, until ``stop`` is set; ``on_result`` gets each outcome."""
        paths = [self.content_dir, *(p for p in extra_paths if p.exists())]

        def yaml_only(change: watchfiles.Change, path: str) -> bool:
            return path.endswith((".yaml", ".yml"))

        async for _changes in watchfiles.awatch(
            *paths, watch_filter=yaml_only, debounce=DEBOUNCE_MS, stop_event=stop
        ):
            result = await self.reload()
            with contextlib.suppress(Exception):
                await on_result(result)
