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
import logging
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import watchfiles

from bot import runtime
from bot.content.load import ContentInvalid, ContentLoader, Problem
from bot.content.snapshot import Snapshot

log = logging.getLogger(__name__)

#: watchfiles waits this long (milliseconds) for a burst of saves to settle, so a
#: `git pull` touching many files triggers one reload, not dozens.
DEBOUNCE_MS = 800


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
    Each reload's outcome is returned by :meth:`reload` and handed to ``on_result``
    of :meth:`watch`. The snapshot being served is kept (:meth:`adopt`): a reload whose
    content is the same (a file saved without a change, a mistake put right) reuses
    it instead of building the search index again.
    """

    def __init__(self, content_dir: Path, publish: Callable[[Snapshot], None]):
        self.content_dir = Path(content_dir)
        self.publish = publish
        self.loader = ContentLoader()
        self._lock = asyncio.Lock()
        self._serving: Snapshot | None = None

    def adopt(self, snapshot: Snapshot) -> None:
        """Note ``snapshot`` as the one being served (built elsewhere, e.g. at start)."""
        self._serving = snapshot

    def load_initial(self) -> Snapshot:
        """Load synchronously at start-up. Raises ContentInvalid if the content is broken."""
        snapshot = self._build()
        self._serving = snapshot
        runtime.freeze_long_lived()
        return snapshot

    def _build(self) -> Snapshot:
        content = self.loader.load(self.content_dir)
        serving = self._serving
        if serving is not None and content.same_as(serving.content):
            return serving
        return Snapshot.build(content)

    async def _build_in_thread(self) -> Snapshot:
        # The worker thread shares the GIL with the event loop (see bot.runtime).
        with runtime.reload_switch_interval():
            return await asyncio.to_thread(self._build)

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
                return ReloadResult(False, seconds, problems=tuple(exc.problems))
            except Exception:
                # A bug in our own code must not take the bot down either.
                log.exception("content reload failed; still serving the previous content")
                seconds = time.perf_counter() - started
                problem = Problem(str(self.content_dir), 1, "internal error while loading")
                return ReloadResult(False, seconds, problems=(problem,))
            reused = snapshot is self._serving
            self._serving = snapshot
            self.publish(snapshot)
            if not reused:
                runtime.freeze_long_lived()
            seconds = time.perf_counter() - started
            log.info(
                "content reloaded: %d entries in %.2f s", len(snapshot.content.entries), seconds
            )
            return ReloadResult(True, seconds, entries=len(snapshot.content.entries))

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
