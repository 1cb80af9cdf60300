"""Benchmark: updates per second through the newcomer bot, against a bare echo bot.

In: nothing but the demo content in ``content/`` (and optional flags below).
Out: a printed report, exit code 0 whatever the figures (the targets are printed
beside them, with whether they are met).

Both bots are python-telegram-bot Applications long polling a local Bot API
stand-in (:class:`bot.devtools.fake_bot_api.FakeBotApi`) over loopback HTTP. The same
script of mixed updates goes to both:

* the newcomer bot: :class:`bot.devtools.sandbox.Sandbox`, i.e. the real Application from
  :func:`bot.app.build_application` with SQLite, the rate limiter and the
  delivery worker; it handles different chats' updates at the same time and each
  chat's in order (:class:`bot.telegram.update_processor.PerChatUpdateProcessor`);
* the echo bot: one ``MessageHandler`` replying with the same text and one
  ``CallbackQueryHandler`` answering the query, nothing else, all of
  python-telegram-bot's defaults (updates one at a time, httpx).

200 users (ar/uk/de/fa/en) are onboarded first (``/start`` and a municipality
tap, some left choosing), untimed. Then 5,000 updates are pushed at once (the
stand-in serves ``getUpdates`` 100 at a time): ``/start``, main-menu taps
(``menu``, ``cat:<category>:0``), entry cards (``e:<id>``), municipality names
typed with typos (``/municipality`` then "Remisch", "Grevenmacha", ...) and
free-text questions. Throughput is updates / wall time from the push until the
last update was processed.

The bot's own time per update is the event-loop time spent running that update's
code (in its tasks, found through a context variable set per update) outside its
Bot API requests, plus the CPU time aiosqlite's thread spent on its statements.
Not in it: waiting for the Bot API, the HTTP client's work inside a request (shown
separately), waiting for the GIL, and other updates' work that ran meanwhile. The
last matters because updates overlap: wall time minus Bot API waits (the measure
used while updates were handled one at a time, also printed) would charge each
update with its neighbours' work. The timers are installed by patching classes in
this process only (see :func:`install_timers`).

By default the stand-in runs in a separate process (``--server process``): in
production Telegram's servers are elsewhere, so the bot's process should not pay
for the server's CPU work; on a machine with at least two cores that is also
what happens here. ``--server inprocess`` runs it on the bot's event loop.

Usage (from the repository root)::

    .venv/bin/python bench/updates.py [--updates 5000] [--users 200] [--server process]

The module also provides what :mod:`bench.broadcast` shares:
:class:`RemoteFakeBotApi`, :func:`machine_summary`, :func:`run_main` and :func:`verdict`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import contextvars
import dataclasses
import datetime as dt
import gc
import itertools
import logging
import multiprocessing
import multiprocessing.connection
import os
import platform
import random
import statistics
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `python bench/updates.py` puts bench/ first, not the root
    sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402
import aiosqlite  # noqa: E402
import telegram  # noqa: E402
from aiohttp import web  # noqa: E402
from telegram import Update  # noqa: E402
from telegram.ext import (  # noqa: E402
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)
from telegram.request import HTTPXRequest  # noqa: E402

from bot.content.snapshot import Snapshot  # noqa: E402
from bot.devtools.fake_bot_api import FakeBotApi, UpdateFactory  # noqa: E402
from bot.devtools.sandbox import TEST_TOKEN, Sandbox, TrackingApplication  # noqa: E402
from bot.telegram.request import AiohttpRequest  # noqa: E402

TARGET_RATIO = 0.8
TARGET_OWN_P99_MS = 2.0

LANGS = ("ar", "uk", "de", "fa", "en")
MUNICIPALITIES = ("remich", "grevenmacher", "mertert", "wormeldange", "mondorf", "marburg")
#: Municipality names as newcomers type them (the first is checked to match).
TYPOS = {
    "remich": ("Remisch", "Remiche"),
    "grevenmacher": ("Grevenmacha", "Grevenmaher"),
    "mertert": ("Mertrt",),
    "wormeldange": ("Wormeldingen",),
    "mondorf": ("Mondorff",),
    "marburg": ("Marbourg",),
}
QUESTIONS = {
    "en": ("where can I learn French", "I need a doctor", "free activities for kids"),
    "de": ("Deutschkurs", "wo finde ich einen Arzt", "Beratung Wohnung"),
    "ar": ("أين أتعلم اللغة الفرنسية", "أحتاج طبيب", "سكن"),
    "uk": ("курси мови", "де лікар", "житло"),
    "fa": ("کلاس زبان", "دکتر", "مسکن"),
}
#: What a settled user does next, with weights (a "rechoose" is two updates).
ACTIONS = (
    ("start", 8),
    ("menu", 15),
    ("category", 25),
    ("entry", 22),
    ("question", 15),
    ("rechoose", 15),
)

#: The message every onboarded user's menu lives in: /start sends the welcome (1)
#: and the municipality picker (2); tapping a municipality edits 2 into the menu.
MENU_MESSAGE_ID = 2


# -- machine and verdicts ----------------------------------------------------------


def machine_summary() -> str:
    """One line: CPU model, core count, Python and python-telegram-bot versions."""
    model = "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (
        f"{model}, {cores} cores usable ({os.cpu_count()} online), "
        f"Python {platform.python_version()}, python-telegram-bot {telegram.__version__}"
    )


def run_main(main: Callable[[], Coroutine[Any, Any, int]], budget: float) -> None:
    """Run ``main()`` within ``budget`` seconds and exit with its code.

    On an error or an overrun, print it and leave at once: a bot stopped half-way
    may leave threads behind (aiosqlite's) that would keep the interpreter alive,
    and a benchmark must stop by itself.
    """

    async def bounded() -> int:
        async with asyncio.timeout(budget):
            return await main()

    try:
        code = asyncio.run(bounded())
    except SystemExit as exc:  # argparse: --help, or a usage error it has explained
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(exc.code if isinstance(exc.code, int) else 1)
    except BaseException:
        traceback.print_exc()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(1)
    sys.exit(code)


def verdict(ok: bool) -> str:
    """The word printed beside a target: "MET" or "MISSED"."""
    return "MET" if ok else "MISSED"


def percentile(values: list[float], q: float) -> float:
    """The ``q``-th percentile (0-100) by the nearest-rank method; NaN when empty."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


# -- the stand-in in another process ----------------------------------------------------

CONTROL_TOKEN = "bench-control"


class ControlledFakeBotApi(FakeBotApi):
    """A FakeBotApi another process can drive: ``POST /bot<CONTROL_TOKEN>/<command>``.

    Commands (JSON in, JSON out): ``push`` ``{"updates": [[update_id, payload], ...]}``;
    ``sends`` → ``[[chat_id, monotonic time], ...]`` of recorded sendMessage calls;
    ``counts`` → calls per method; ``message`` ``{"chat_id", "message_id"}`` → the
    stored message or null; ``release`` (answer pending long polls); ``stop``.
    Monotonic times are comparable between processes (Linux CLOCK_MONOTONIC is
    system-wide).
    """

    stopping: asyncio.Event
    posting: asyncio.Task | None = None

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != CONTROL_TOKEN:
            return await super()._handle(request)
        command = request.match_info["method"]
        body = await request.json() if request.body_exists else {}
        if command == "push":
            if self.webhook is not None:
                # Like Telegram: posted in the background over up to 40 connections
                # (setWebhook's max_connections default), each started in order.
                self.posting = asyncio.create_task(self._post_all(body["updates"]))
                return web.json_response({"pushed": len(body["updates"])})
            for update_id, payload in body["updates"]:
                await self.push_update(payload, update_id=update_id)
            return web.json_response({"pushed": len(body["updates"])})
        if command == "sends":
            sends = [[c.chat_id, c.at] for c in self.calls if c.method == "sendMessage"]
            return web.json_response(sends)
        if command == "counts":
            return web.json_response(self.counts)
        if command == "cpu":  # this process's CPU seconds so far (all threads)
            return web.json_response(time.process_time())
        if command == "message":
            return web.json_response(self.messages.get((body["chat_id"], body["message_id"])))
        if command == "release":
            # Newer FakeBotApi versions answer pending long polls at once on request.
            release = getattr(super(), "release_pollers", None)
            if release is not None:
                await release()
            return web.json_response(True)
        if command == "stop":
            self.stopping.set()
            return web.json_response(True)
        return web.json_response({"error": f"unknown command {command}"}, status=404)

    async def _post_all(self, updates: list, connections: int = 40) -> None:
        slots = asyncio.Semaphore(connections)

        async def post(update_id: int, payload: dict) -> None:
            try:
                await self.push_update(payload, update_id=update_id)
            finally:
                slots.release()

        tasks = []
        for update_id, payload in updates:
            await slots.acquire()
            tasks.append(asyncio.create_task(post(update_id, payload)))
        await asyncio.gather(*tasks)


def serve_fake_api(conn: multiprocessing.connection.Connection, record: bool) -> None:
    """Child process entry: serve a :class:`ControlledFakeBotApi`, send its port on ``conn``,
    run until the ``stop`` command or until the parent process is gone."""

    # A bot stopped mid-request drops its connection; aiohttp would log each one.
    logging.getLogger("aiohttp.server").setLevel(logging.CRITICAL)

    async def main() -> None:
        api = ControlledFakeBotApi(record=record)
        api.stopping = asyncio.Event()
        await api.start()
        conn.send(api.port)
        parent = os.getppid()
        while not api.stopping.is_set():
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(1.0):
                    await api.stopping.wait()
            if os.getppid() != parent:  # the parent died without stopping us: do not linger
                break
        await api.stop()

    asyncio.run(main())


class RemoteFakeBotApi:
    """Parent-side handle of a :class:`ControlledFakeBotApi` in a child process.

    Offers what :class:`bot.devtools.sandbox.Sandbox` and these benchmarks use of a
    FakeBotApi: ``start``, ``base_url``, ``next_update_id``, ``push_update``,
    ``release_pollers``, ``stop``; ``calls`` is always empty (calls are recorded in
    the child; ask with :meth:`sends` or :meth:`counts`). Update ids are assigned here.
    """

    def __init__(self, *, record: bool = False):
        self.record = record
        self.calls: list[Any] = []
        self.port: int | None = None
        self._ids = itertools.count(1)
        self._process: multiprocessing.Process | None = None
        self._session: aiohttp.ClientSession | None = None

    async def start(self) -> RemoteFakeBotApi:
        """Start the child process and wait (≤ 30 s) for its port; returns ``self``."""
        # spawn, not fork: the parent may already run an event loop and threads.
        ctx = multiprocessing.get_context("spawn")
        parent_end, child_end = ctx.Pipe(duplex=False)
        self._process = ctx.Process(
            target=serve_fake_api, args=(child_end, self.record), name="fake-bot-api", daemon=True
        )
        self._process.start()
        child_end.close()
        if not await asyncio.to_thread(parent_end.poll, 30.0):
            self._process.kill()
            raise RuntimeError("the fake Bot API process did not start within 30 s")
        try:
            self.port = parent_end.recv()
        except EOFError:
            raise RuntimeError("the fake Bot API process died at start-up (see above)") from None
        finally:
            parent_end.close()
        self._session = aiohttp.ClientSession()
        return self

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    async def _control(self, command: str, body: Any = None) -> Any:
        assert self._session is not None
        url = f"{self.base_url}{CONTROL_TOKEN}/{command}"
        async with self._session.post(url, json=body) as response:
            response.raise_for_status()
            return await response.json()

    def next_update_id(self) -> int:
        return next(self._ids)

    async def push_update(self, update: dict[str, Any], *, update_id: int | None = None) -> int:
        """Queue one update payload; returns its update id (assigned unless given)."""
        update_id = update_id or self.next_update_id()
        await self._control("push", {"updates": [[update_id, update]]})
        return update_id

    async def push_many(self, updates: list[tuple[int, dict[str, Any]]]) -> None:
        """Queue ``(update_id, payload)`` pairs in one request."""
        await self._control("push", {"updates": updates})

    async def push_encoded(self, body: bytes) -> None:
        """:meth:`push_many` with the JSON body ``{"updates": [...]}`` already encoded
        (so that a benchmark can leave the encoding out of what it times)."""
        assert self._session is not None
        url = f"{self.base_url}{CONTROL_TOKEN}/push"
        headers = {"Content-Type": "application/json"}
        async with self._session.post(url, data=body, headers=headers) as response:
            response.raise_for_status()

    async def sends(self) -> list[tuple[int, float]]:
        """``(chat_id, monotonic time)`` of every sendMessage the child recorded."""
        return [(int(c), float(t)) for c, t in await self._control("sends")]

    async def counts(self) -> dict[str, int]:
        """Calls per Bot API method so far."""
        return await self._control("counts")

    async def cpu(self) -> float:
        """The child's CPU seconds so far (all its threads)."""
        return float(await self._control("cpu"))

    async def message(self, chat_id: int, message_id: int) -> dict[str, Any] | None:
        """The stand-in's copy of a message the bot sent (None if unknown)."""
        return await self._control("message", {"chat_id": chat_id, "message_id": message_id})

    async def release_pollers(self) -> None:
        """Answer pending long polls at once (used by :meth:`Sandbox.close`)."""
        await self._control("release")

    async def stop(self) -> None:
        """Stop the child (killed if it does not exit within 10 s) and close the session."""
        if self._session is not None:
            with contextlib.suppress(aiohttp.ClientError):
                await self._control("stop")
            await self._session.close()
            self._session = None
        if self._process is not None:
            await asyncio.to_thread(self._process.join, 10.0)
            if self._process.is_alive():
                self._process.kill()
                await asyncio.to_thread(self._process.join, 5.0)
            self._process = None


async def start_api(where: str, *, record: bool = False) -> FakeBotApi | RemoteFakeBotApi:
    """A started stand-in: ``"process"`` (child process) or ``"inprocess"``."""
    if where == "process":
        return await RemoteFakeBotApi(record=record).start()
    return await FakeBotApi(record=record).start()


async def push_all(api: FakeBotApi | RemoteFakeBotApi, updates: list[tuple[int, dict]]) -> None:
    """Queue all ``(update_id, payload)`` pairs at once."""
    if isinstance(api, RemoteFakeBotApi):
        await api.push_many(updates)
    else:
        for update_id, payload in updates:
            await api.push_update(payload, update_id=update_id)


async def stored_message(api: FakeBotApi | RemoteFakeBotApi, chat_id: int, message_id: int):
    """The stand-in's copy of message ``message_id`` in ``chat_id``, or None."""
    if isinstance(api, RemoteFakeBotApi):
        return await api.message(chat_id, message_id)
    return api.messages.get((chat_id, message_id))


async def api_counts(api: FakeBotApi | RemoteFakeBotApi) -> dict[str, int]:
    """Calls per Bot API method the stand-in answered so far."""
    if isinstance(api, RemoteFakeBotApi):
        return await api.counts()
    return dict(api.counts)


# -- measuring the bot's own time ----------------------------------------------------------


class Waits:
    """What one update cost and waited for, filled in while it is processed (seconds).

    Reached through the ``_WAITS`` context variable, which the tasks an update starts
    (e.g. ``asyncio.gather`` of a button's answer and edit) inherit.
    """

    __slots__ = (
        "client",
        "db",
        "db_wall",
        "http",
        "http_since",
        "in_flight",
        "requesting",
        "requests",
        "segment",
        "steps",
    )

    def __init__(self) -> None:
        self.http = 0.0  # wall time with at least one Bot API request of this update in flight
        self.requests = 0
        self.in_flight = 0
        self.requesting: set[asyncio.Task] = set()  # its tasks now inside a request
        self.http_since = 0.0
        self.db = 0.0  # CPU time of aiosqlite's thread on this update's statements
        self.db_wall = 0.0  # wall time of the same, including waits for the GIL
        self.steps = 0.0  # event-loop time running this update's code, outside requests
        self.client = 0.0  # event-loop time running its code inside requests (HTTP client)
        self.segment: float | None = None  # start of its code's current stretch, if running


_WAITS: contextvars.ContextVar[Waits | None] = contextvars.ContextVar("bench_waits", default=None)
_REQUEST_CLASSES = (HTTPXRequest, AiohttpRequest)  # the echo bot's and the newcomer bot's
_original_do_request = {cls: cls.do_request for cls in _REQUEST_CLASSES}
_original_db_execute = aiosqlite.Connection._execute
_original_handle_run = asyncio.events.Handle._run


def _close_segment(waits: Waits | None, now: float) -> None:
    if waits is not None and waits.segment is not None:
        waits.steps += now - waits.segment
        waits.segment = None


async def _timed_do_request(self: Any, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
    # The first patched class up the MRO (the bot's MeteredRequest is an AiohttpRequest).
    original = next(
        _original_do_request[c] for c in type(self).__mro__ if c in _original_do_request
    )
    waits = _WAITS.get()
    task = asyncio.current_task()
    if waits is None or task is None:
        return await original(self, *args, **kwargs)
    # Requests of one update may overlap (a button's answer and its edit go out
    # together): the wait is the time during which at least one is in flight,
    # counted once. This task's steps are HTTP client work until the request
    # ends; the update's other tasks (the edit's rendering) still run its own code.
    now = time.perf_counter()
    if waits.in_flight == 0:
        waits.http_since = now
    _close_segment(waits, now)
    waits.in_flight += 1
    waits.requesting.add(task)
    try:
        return await original(self, *args, **kwargs)
    finally:
        waits.in_flight -= 1
        waits.requests += 1
        waits.requesting.discard(task)
        now = time.perf_counter()
        if waits.in_flight == 0:
            waits.http += now - waits.http_since
        waits.segment = now  # back in the update's code, inside this task's step


async def _timed_db_execute(self: aiosqlite.Connection, fn: Any, *args: Any, **kwargs: Any) -> Any:
    waits = _WAITS.get()
    if waits is None:
        return await _original_db_execute(self, fn, *args, **kwargs)

    def timed(*a: Any, **k: Any) -> Any:  # runs in aiosqlite's thread
        cpu, wall = time.thread_time(), time.perf_counter()
        try:
            return fn(*a, **k)
        finally:
            waits.db += time.thread_time() - cpu
            waits.db_wall += time.perf_counter() - wall

    return await _original_db_execute(self, timed, *args, **kwargs)


def _accounted_handle_run(handle: asyncio.Handle) -> None:
    # Only steps of tasks count: other callbacks (sockets becoming readable, timers)
    # carry the context of whoever registered them, not of the update they serve.
    if not isinstance(getattr(handle._callback, "__self__", None), asyncio.Task):
        return _original_handle_run(handle)
    before = handle._context.get(_WAITS)
    started = time.perf_counter()
    steps_before = 0.0
    if before is not None:
        steps_before = before.steps
        if handle._callback.__self__ not in before.requesting:
            before.segment = started
    try:
        return _original_handle_run(handle)
    finally:
        # The step may also have finished one update and begun the next (updates
        # handled one at a time share the Updater's task): Meter opens and closes
        # the stretches at those points, this closes what is still open.
        now = time.perf_counter()
        after = handle._context.get(_WAITS)
        _close_segment(before, now)
        _close_segment(after, now)
        if before is not None and after is before:
            # What of this step was not the update's own code ran inside a request.
            before.client += max(0.0, (now - started) - (before.steps - steps_before))


def install_timers() -> None:
    """Patch, in this process only: ``do_request`` of both request classes (build_application takes
    no ``request`` object to wrap), aiosqlite's ``Connection._execute`` and the event
    loop's ``Handle._run``, so each update's own work and its waits are known even
    when several updates are handled at the same time."""
    set_timers(True)


def set_timers(on: bool) -> None:
    """Install (True) or remove (False) the patches of :func:`install_timers`."""
    for cls in _REQUEST_CLASSES:
        cls.do_request = _timed_do_request if on else _original_do_request[cls]  # type: ignore[method-assign]
    aiosqlite.Connection._execute = _timed_db_execute if on else _original_db_execute  # type: ignore[method-assign]
    asyncio.events.Handle._run = _accounted_handle_run if on else _original_handle_run  # type: ignore[method-assign]


@dataclasses.dataclass
class Sample:
    """One processed update (seconds): its wall time in process_update, the Bot API
    waits, aiosqlite's thread time (CPU and wall) and the event-loop time of its own
    code, outside requests (``steps``) and inside them (``client``)."""

    kind: str
    total: float
    http: float
    requests: int
    db: float
    db_wall: float
    steps: float
    client: float

    @property
    def own(self) -> float:
        """The bot's own time for this update: the event loop running its code outside
        Bot API requests, plus the CPU time of its SQLite statements. Not in it: the
        Bot API requests (as before, when own time was the wall time minus them),
        waits for the GIL, and other updates' work that ran meanwhile (with updates
        handled concurrently, the wall time would count other people's updates)."""
        return self.steps + self.db


class Meter:
    """Wraps ``application.process_update``: times each update and its waits.

    ``kinds`` maps update ids to a label for the per-kind breakdown; :meth:`wait`
    returns when ``count`` updates were processed since :meth:`reset`.
    """

    def __init__(self, application: Application, kinds: dict[int, str]):
        self.kinds = kinds
        self.samples: list[Sample] = []
        self._target = 0
        self._reached = asyncio.Event()
        original = application.process_update

        async def process_update(update: object) -> None:
            waits = Waits()
            token = _WAITS.set(waits)
            started = waits.segment = time.perf_counter()
            try:
                await original(update)
            finally:
                now = time.perf_counter()
                _close_segment(waits, now)
                _WAITS.reset(token)
                uid = update.update_id if isinstance(update, Update) else -1
                sample = Sample(
                    kinds.get(uid, "?"),
                    now - started,
                    waits.http,
                    waits.requests,
                    waits.db,
                    waits.db_wall,
                    waits.steps,
                    waits.client,
                )
                self.samples.append(sample)
                if len(self.samples) >= self._target:
                    self._reached.set()

        # Application calls self.process_update(...) for every update, so an instance
        # attribute takes over (TrackingApplication's hook still runs inside).
        application.process_update = process_update  # type: ignore[method-assign]

    def reset(self) -> None:
        self.samples = []

    async def wait(self, count: int, timeout: float) -> None:
        self._target = count
        self._reached.clear()
        if len(self.samples) >= count:
            return
        async with asyncio.timeout(timeout):
            await self._reached.wait()


class GcPauses:
    """Garbage-collector pauses (seconds, generation) while :attr:`active`."""

    def __init__(self) -> None:
        self.active = False
        self.pauses: list[tuple[int, float]] = []
        self._started = 0.0
        gc.callbacks.append(self._callback)

    def _callback(self, phase: str, info: dict[str, int]) -> None:
        if not self.active:
            return
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.pauses.append((info["generation"], time.perf_counter() - self._started))


# -- the update script ----------------------------------------------------------------------


@dataclasses.dataclass
class Script:
    """``onboarding`` and ``timed`` are ``(update_id, payload)`` lists; ``kinds`` labels ids."""

    onboarding: list[tuple[int, dict[str, Any]]]
    timed: list[tuple[int, dict[str, Any]]]
    kinds: dict[int, str]
    settled_user: int


def make_script(snapshot: Snapshot, users: int, count: int, seed: int) -> Script:
    """Onboarding for ``users`` users, then ``count`` mixed updates (deterministic for ``seed``)."""
    rng = random.Random(seed)
    factory = UpdateFactory()
    content = snapshot.content
    today = dt.date.today()
    entries = {m: [e.id for e in content.entries_for(m, today)] for m in MUNICIPALITIES}
    categories = list(content.categories)
    for municipality, (typo, *_) in TYPOS.items():
        assert snapshot.places.match(typo)[0][0].municipality.id == municipality, typo
    ids = itertools.count(1)
    kinds: dict[int, str] = {}

    def add(out: list, kind: str, payload: dict[str, Any]) -> None:
        uid = next(ids)
        kinds[uid] = kind
        out.append((uid, payload))

    user_ids = [50_000_000 + i for i in range(users)]
    lang = {u: LANGS[i % len(LANGS)] for i, u in enumerate(user_ids)}
    place: dict[int, str | None] = {}
    onboarding: list[tuple[int, dict[str, Any]]] = []
    for i, user in enumerate(user_ids):
        add(onboarding, "onboard", factory.message(user, "/start", language_code=lang[user]))
        if i % 5 == 4:  # one in five is still choosing: the bot waits for a typed name
            place[user] = None
            continue
        place[user] = rng.choice(MUNICIPALITIES)
        tap = factory.callback(
            user, f"mun:{place[user]}", message_id=MENU_MESSAGE_ID, language_code=lang[user]
        )
        add(onboarding, "onboard", tap)

    names, weights = zip(*ACTIONS, strict=True)
    timed: list[tuple[int, dict[str, Any]]] = []
    while len(timed) < count:
        user = rng.choice(user_ids)
        code = lang[user]

        def tap(data: str, kind: str, user: int = user, code: str = code) -> None:
            payload = factory.callback(user, data, message_id=MENU_MESSAGE_ID, language_code=code)
            add(timed, kind, payload)

        def say(text: str, kind: str, user: int = user, code: str = code) -> None:
            add(timed, kind, factory.message(user, text, language_code=code))

        action = "choose" if place[user] is None else rng.choices(names, weights)[0]
        if action in ("choose", "rechoose"):
            if action == "rechoose":
                say("/municipality", "command")
            target = rng.choice(MUNICIPALITIES)
            say(rng.choice(TYPOS[target]), "typed name")
            place[user] = target
        elif action == "start":
            say("/start", "command")
        elif action == "menu":
            tap("menu", "menu tap")
        elif action == "category":
            tap(f"cat:{rng.choice(categories)}:0", "category tap")
        elif action == "entry":
            tap(f"e:{rng.choice(entries[place[user]])}", "entry card")
        else:
            say(rng.choice(QUESTIONS[code]), "question")
    # user_ids[0] is onboarded with a municipality (i % 5 == 0): its menu is checked.
    return Script(onboarding, timed[:count], kinds, user_ids[0])


# -- the two bots ---------------------------------------------------------------------------


async def _echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.effective_message.reply_text(update.effective_message.text)


async def _answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.callback_query.answer()


async def start_echo_bot(base_url: str) -> Application:
    """The bare echo bot, polling ``base_url`` like the Sandbox does."""
    application = (
        ApplicationBuilder()
        .application_class(TrackingApplication)
        .token(TEST_TOKEN)
        .base_url(base_url)
        .build()
    )
    application.add_handler(MessageHandler(filters.TEXT, _echo))
    application.add_handler(CallbackQueryHandler(_answer))
    await application.initialize()
    await application.start()
    await application.updater.start_polling(poll_interval=0.0, timeout=5)
    return application


async def stop_echo_bot(application: Application, api: FakeBotApi | RemoteFakeBotApi) -> None:
    """Stop polling like :meth:`Sandbox.close`: answer the pending long poll first, so the
    Updater's last ``getUpdates`` does not wait for the only connection of its pool."""
    release = getattr(api, "release_pollers", None)
    if release is not None:
        await release()
    await application.updater.stop()
    await application.stop()
    await application.shutdown()


@dataclasses.dataclass
class Run:
    """The timed phase of one bot: wall time, per-update samples, Bot API calls, GC pauses."""

    name: str
    wall: float
    samples: list[Sample]
    calls: dict[str, int]
    gc_pauses: list[tuple[int, float]]
    #: CPU seconds of the bot's process (all threads) and of the stand-in's process
    #: (None when it shares the bot's) during the timed updates.
    cpu: float = 0.0
    api_cpu: float | None = None

    @property
    def rate(self) -> float:
        return len(self.samples) / self.wall

    def mean(self, field: str) -> float:
        return statistics.fmean(getattr(s, field) for s in self.samples)


class ErrorCounter(logging.Handler):
    """Counts ERROR log records while :attr:`active` (exceptions in handlers end up there);
    keeps the first few messages.

    Off while bots shut down: python-telegram-bot's Updater may log a harmless pool
    timeout for its last ``getUpdates`` when its long poll was cancelled mid-request.
    """

    def __init__(self, keep: int = 3) -> None:
        super().__init__(logging.ERROR)
        self.active = True
        self.count = 0
        self.first: list[str] = []
        self._keep = keep

    def emit(self, record: logging.LogRecord) -> None:
        if not self.active:
            return
        self.count += 1
        if len(self.first) < self._keep:
            self.first.append(f"{record.name}: {record.getMessage()}"[:300])

    def summary(self) -> str:
        """``N`` and the first messages, one per line."""
        return "".join([str(self.count), *(f"\n  {line}" for line in self.first)])


async def run_one(
    name: str,
    snapshot: Snapshot,
    script: Script,
    server: str,
    workdir: Path,
    gc_pauses: GcPauses,
    errors: ErrorCounter,
    *,
    webhook: bool = False,
    metrics: bool = True,
) -> Run:
    """Start a stand-in and the bot ``name``; onboard (untimed), then push the timed
    updates at once and wait until all were processed. Stops both in any case.

    ``webhook``: the newcomer bot gets its updates by webhook instead of long
    polling. ``metrics=False``: it runs without the Prometheus instrumentation
    (plain request backend and update processor), for the overhead figure."""
    api = await start_api(server)
    sandbox: Sandbox | None = None
    echo: Application | None = None
    errors.active = True
    try:
        if name == "newcomer bot":
            database = workdir / f"{server}-{time.monotonic_ns()}.sqlite3"
            with without_metrics(not metrics):
                sandbox = await Sandbox.create(
                    snapshot, database=database, api=api, webhook=webhook
                )
            application = sandbox.application
        else:
            echo = await start_echo_bot(api.base_url)
            application = echo
        meter = Meter(application, script.kinds)
        await push_all(api, script.onboarding)
        await meter.wait(len(script.onboarding), timeout=120)
        if sandbox is not None:
            # The script taps buttons of message 2 (see MENU_MESSAGE_ID): check it is the menu.
            menu = await stored_message(api, script.settled_user, MENU_MESSAGE_ID) or {}
            rows = (menu.get("reply_markup") or {}).get("inline_keyboard", [])
            if not any(b.get("callback_data", "").startswith("cat:") for row in rows for b in row):
                print(f"  warning: message {MENU_MESSAGE_ID} of an onboarded user is not the menu")
        before = await api_counts(api)
        api_cpu = await api.cpu() if isinstance(api, RemoteFakeBotApi) else None
        meter.reset()
        gc_pauses.pauses, gc_pauses.active = [], True
        cpu = time.process_time()
        started = time.perf_counter()
        await push_all(api, script.timed)
        await meter.wait(len(script.timed), timeout=150)
        wall = time.perf_counter() - started
        cpu = time.process_time() - cpu
        gc_pauses.active = False
        if api_cpu is not None:
            api_cpu = await api.cpu() - api_cpu
        after = await api_counts(api)
        calls = {m: after.get(m, 0) - before.get(m, 0) for m in after}
        return Run(name, wall, meter.samples, calls, gc_pauses.pauses, cpu, api_cpu)
    finally:
        gc_pauses.active = False
        errors.active = False
        if sandbox is not None:
            await sandbox.close()  # stops the stand-in too
        else:
            if echo is not None:
                await stop_echo_bot(echo, api)
            await api.stop()


@contextlib.contextmanager
def without_metrics(active: bool):
    """While active, bot.app builds the Application with the plain request backend and
    update processor instead of the metered ones (bot/ops/metrics.py)."""
    import bot.app as app_module
    from bot.telegram.update_processor import PerChatUpdateProcessor

    saved = app_module.MeteredRequest, app_module.MeteredUpdateProcessor
    if active:
        app_module.MeteredRequest = lambda metrics, client, **kw: AiohttpRequest(**kw)
        app_module.MeteredUpdateProcessor = lambda metrics: PerChatUpdateProcessor()
    try:
        yield
    finally:
        app_module.MeteredRequest, app_module.MeteredUpdateProcessor = saved


async def ab(args: argparse.Namespace, snapshot: Snapshot, script: Script, errors, gc_pauses):
    """Interleaved A/B runs of the newcomer bot: polling vs webhook, or metrics off vs on.

    Each round runs each variant twice (in alternating order): once without this
    benchmark's timers, for throughput and the bot's CPU per update, and once with
    them, for its own time. The timers cost something in every event-loop step, so
    they would charge a variant that takes more steps per update (a webhook: one
    HTTP request per update) for the measuring itself. Figures are medians over
    rounds of the B/A ratio within each round (the machine's speed drifts between
    rounds by more than the differences measured here)."""
    variants = {
        "webhook": (("polling", {}), ("webhook", {"webhook": True})),
        "metrics": (("no metrics", {"metrics": False}), ("metrics", {})),
    }[args.ab]
    (a_name, _), (b_name, _) = variants
    untimed: dict[str, list[Run]] = {name: [] for name, _ in variants}
    timed: dict[str, list[Run]] = {name: [] for name, _ in variants}
    with tempfile.TemporaryDirectory(prefix="bench-updates-") as tmp:
        for round_ in range(args.rounds):
            order = variants if round_ % 2 == 0 else variants[::-1]
            for timers, results in ((False, untimed), (True, timed)):
                set_timers(timers)
                for name, options in order:
                    run = await run_one(
                        "newcomer bot", snapshot, script, args.server, Path(tmp), gc_pauses,
                        errors, webhook=args.webhook or options.get("webhook", False),
                        **{k: v for k, v in options.items() if k != "webhook"},
                    )  # fmt: skip
                    results[name].append(run)
                    print(f"  round {round_ + 1} {name:11} {_ab_line(run, timers)}", flush=True)
    set_timers(True)

    def paired(field: Callable[[Run], float], runs: dict[str, list[Run]]) -> float:
        return statistics.median(
            field(b) / field(a) for a, b in zip(runs[a_name], runs[b_name], strict=True)
        )

    def cpu(run: Run) -> float:
        return run.cpu / len(run.samples)

    def own(q: float) -> Callable[[Run], float]:
        return lambda run: percentile([s.own for s in run.samples], q)

    print()
    print(
        f"{'':12} {'updates/s':>10} {'bot CPU µs/update':>18} {'own p50 ms':>11} {'own p99 ms':>11}"
    )
    for name in untimed:
        print(
            f"{name:12} {statistics.median(r.rate for r in untimed[name]):10.0f} "
            f"{statistics.median(cpu(r) for r in untimed[name]) * 1e6:18.0f} "
            f"{statistics.median(own(50)(r) for r in timed[name]) * 1000:11.3f} "
            f"{statistics.median(own(99)(r) for r in timed[name]) * 1000:11.3f}"
        )
    print(
        f"(medians of {args.rounds} rounds; ratios below: medians of the rounds' {b_name}/{a_name})"
    )
    rate = paired(lambda r: r.rate, untimed)
    cost = (paired(cpu, untimed) - 1) * 100
    p99 = paired(own(99), timed)
    if args.ab == "webhook":
        print(
            f"webhook / polling throughput: {rate:.3f} (target ≥ 1.0: {verdict(rate >= 1.0)}); "
            f"bot CPU per update {cost:+.1f} %; own p99 ×{p99:.2f}"
        )
    else:
        print(
            f"metrics overhead, the bot's CPU per update: {cost:+.1f} % (target ≤ 5 %: "
            f"{verdict(cost <= 5)}); throughput ×{rate:.3f}; own p99 ×{p99:.2f}"
        )
        calls = statistics.median(sum(r.calls.values()) / len(r.samples) for r in untimed[b_name])
        direct = await metrics_cost_per_update(calls)
        base = statistics.median(cpu(r) for r in untimed[a_name])
        print(
            f"measured directly: what metrics add to one update ({calls:.2f} Bot API calls) "
            f"costs {direct * 1e6:.1f} µs of CPU, {direct / base * 100:.1f} % of the bot's "
            "CPU per update"
        )
    print(f"errors logged by the bot while running: {errors.summary()}")
    return 0


async def metrics_cost_per_update(calls: float, n: int = 100_000) -> float:
    """Seconds of CPU the metrics add to one update: the timing wrapper around its
    handling and its observation (MeteredUpdateProcessor), and ``calls`` Bot API
    requests through MeteredRequest instead of the plain backend (HTTP left out: a
    stub answers). Measured as the difference from the same code without metrics."""
    from bot.ops.metrics import MeteredRequest, MeteredUpdateProcessor, Metrics

    class Answering(AiohttpRequest):
        async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
            return 200, b"{}"

    class MeteredAnswering(MeteredRequest, Answering):
        pass

    metrics = Metrics()
    processor = MeteredUpdateProcessor(metrics)
    plain, metered = Answering(), MeteredAnswering(metrics, "replies")
    update = Update.de_json({"update_id": 1, "callback_query": {
        "id": "1", "from": {"id": 1, "is_bot": False, "first_name": "x"},
        "chat_instance": "1", "data": "menu"}}, None)  # fmt: skip
    url = "http://127.0.0.1/bot1:x/editMessageText"

    async def nothing() -> None:
        return None

    async def handled(timed: bool) -> None:
        for _ in range(n):
            await (processor._timed(update, nothing()) if timed else nothing())

    async def requested(backend: AiohttpRequest) -> None:
        for _ in range(n):
            await backend.do_request(url, "POST")

    async def cpu_of(coroutine: Coroutine[Any, Any, None]) -> float:
        started = time.process_time()
        await coroutine
        return (time.process_time() - started) / n

    per_update = await cpu_of(handled(True)) - await cpu_of(handled(False))
    per_call = await cpu_of(requested(metered)) - await cpu_of(requested(plain))
    return per_update + calls * per_call


def _ab_line(run: Run, timers: bool) -> str:
    n = len(run.samples)
    line = f"{run.rate:6.0f} updates/s, bot CPU {run.cpu / n * 1e6:5.0f} µs/update"
    if run.api_cpu is not None:
        line += f" (stand-in {run.api_cpu / n * 1e6:3.0f})"
    if run.gc_pauses:
        line += f", gc {len(run.gc_pauses)}× {sum(p for _, p in run.gc_pauses) * 1000:.0f} ms"
    if timers:
        own = [s.own for s in run.samples]
        line += f"; timed: own p50 {_ms(own, 50)} ms, p99 {_ms(own, 99)} ms"
    return line


def _ms(values: list[float], q: float) -> str:
    return f"{percentile([v * 1000 for v in values], q):.3f}"


def report(bot: Run, echo: Run, errors: str) -> None:
    """Print the figures of both runs, the targets and the breakdown of the bot's own time."""
    runs = [bot, echo]
    print()
    print(
        f"{'':22} {'updates/s':>10} {'wall s':>7} {'API calls/upd':>14} {'HTTP wait/upd':>14} "
        f"{'own p50 ms':>11} {'own p99 ms':>11}"
    )
    for run in runs:
        own = [s.own for s in run.samples]
        print(
            f"{run.name:22} {run.rate:10.0f} {run.wall:7.2f} {run.mean('requests'):14.2f} "
            f"{run.mean('http') * 1000:11.2f} ms {_ms(own, 50):>11} {_ms(own, 99):>11}"
        )
    ratio = bot.rate / echo.rate
    own = [s.own for s in bot.samples]
    p99 = percentile(own, 99) * 1000
    print()
    print(
        f"throughput ratio newcomer/{echo.name}: {ratio:.2f}   target ≥ {TARGET_RATIO:.2f}   "
        f"{verdict(ratio >= TARGET_RATIO)}"
    )
    print(
        f"newcomer bot own time (its code on the event loop + its SQLite CPU): p50 "
        f"{_ms(own, 50)} ms, p99 {p99:.3f} ms   target p99 ≤ {TARGET_OWN_P99_MS:.1f} ms   "
        f"{verdict(p99 <= TARGET_OWN_P99_MS)}"
    )
    steps = [s.steps for s in bot.samples]
    db = [s.db for s in bot.samples]
    db_wall = [s.db_wall for s in bot.samples]
    client = [s.client for s in bot.samples]
    print(f"  of which event loop: p50 {_ms(steps, 50)} ms, p99 {_ms(steps, 99)} ms")
    print(
        f"  of which SQLite (CPU of aiosqlite's thread): p50 {_ms(db, 50)} ms, "
        f"p99 {_ms(db, 99)} ms, mean {statistics.fmean(db) * 1000:.3f} ms"
    )
    print(
        f"  not in it: SQLite wall time, i.e. with waits for the GIL while the event loop "
        f"is busy: p50 {_ms(db_wall, 50)} ms, p99 {_ms(db_wall, 99)} ms; the HTTP client's "
        f"work inside Bot API requests: p50 {_ms(client, 50)} ms, p99 {_ms(client, 99)} ms"
    )
    wall = [s.total - s.http for s in bot.samples]
    print(
        f"  wall time in process_update minus Bot API waits (includes waiting for the chat's "
        f"earlier updates' SQLite and other updates' work): p50 {_ms(wall, 50)} ms, "
        f"p99 {_ms(wall, 99)} ms"
    )
    for run in runs:
        pauses = run.gc_pauses
        gen2 = [p for g, p in pauses if g == 2]
        longest = max((p for _, p in pauses), default=0.0) * 1000
        print(
            f"  GC pauses, {run.name}: {len(pauses)} ({len(gen2)} of generation 2), longest "
            f"{longest:.1f} ms, {sum(p for _, p in pauses) * 1000:.0f} ms in all"
        )
    print()
    print("newcomer bot by kind of update (times in ms):")
    print(
        f"  {'kind':14} {'count':>6} {'own p50':>8} {'own p99':>8} {'loop p99':>9} "
        f"{'SQLite p50':>10} {'API calls':>9} {'wall p50':>9}"
    )
    for kind in sorted({s.kind for s in bot.samples}):
        group = [s for s in bot.samples if s.kind == kind]
        print(
            f"  {kind:14} {len(group):6} {_ms([s.own for s in group], 50):>8} "
            f"{_ms([s.own for s in group], 99):>8} {_ms([s.steps for s in group], 99):>9} "
            f"{_ms([s.db for s in group], 50):>10} "
            f"{statistics.fmean(s.requests for s in group):9.2f} "
            f"{_ms([s.total for s in group], 50):>9}"
        )
    print()
    for run in runs:
        calls = ", ".join(f"{m} {n}" for m, n in sorted(run.calls.items()) if n)
        print(f"Bot API calls in the timed phase, {run.name}: {calls}")
    print(f"errors logged by the bots while running (shutdown aside): {errors}")


async def main(argv: list[str] | None = None) -> int:
    """Run both bots on the same script and print the report; always returns 0."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--updates", type=int, default=5000, help="timed updates per bot")
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--content", type=Path, default=ROOT / "content")
    parser.add_argument(
        "--server",
        choices=("process", "inprocess"),
        default="process",
        help="where the Bot API stand-in runs (default: a separate process)",
    )
    parser.add_argument(
        "--webhook",
        action="store_true",
        help="the newcomer bot gets updates by webhook (the stand-in posts them) instead "
        "of long polling",
    )
    parser.add_argument(
        "--ab",
        choices=("webhook", "metrics"),
        help="instead of the echo comparison: the newcomer bot alone, polling vs webhook "
        "or without vs with metrics, interleaved",
    )
    parser.add_argument("--rounds", type=int, default=3, help="A/B rounds (with --ab)")
    args = parser.parse_args(argv)

    errors = ErrorCounter()
    logging.getLogger().addHandler(errors)
    install_timers()
    gc_pauses = GcPauses()
    snapshot = Snapshot.load(args.content)
    script = make_script(snapshot, args.users, args.updates, args.seed)
    print("Updates benchmark: the newcomer bot against a bare python-telegram-bot echo bot")
    print(f"machine: {machine_summary()}")
    print(
        f"workload: {args.users} users (languages {'/'.join(LANGS)}) onboarded untimed "
        f"({len(script.onboarding)} updates), then {len(script.timed)} mixed updates pushed at "
        "once; the bots long poll over loopback HTTP. The newcomer bot handles different "
        "chats' updates concurrently, each chat's in order (bot/telegram/update_processor.py); the "
        "echo bot one at a time (python-telegram-bot's default)"
    )
    if args.server == "process":
        print(
            "setup: the FakeBotApi stand-in runs in a separate process: like Telegram's "
            "servers, its CPU work is not charged to the bot's process (here the two share "
            "the machine's cores); --server inprocess puts it on the bot's event loop"
        )
    else:
        print(
            "setup: the FakeBotApi stand-in runs on the bot's own event loop: its CPU work "
            "lowers both bots' throughput; it counts as Bot API wait, not as own time"
        )
    print(
        f"targets: throughput ratio ≥ {TARGET_RATIO}, own time p99 ≤ {TARGET_OWN_P99_MS} ms "
        "(own time = the event-loop time of the update's code outside its Bot API requests "
        "plus the CPU time of its SQLite statements)"
    )
    if args.ab:
        print(f"A/B ({args.ab}), {args.rounds} rounds, interleaved:", flush=True)
        return await ab(args, snapshot, script, errors, gc_pauses)
    runs = []
    with tempfile.TemporaryDirectory(prefix="bench-updates-") as tmp:
        for name in ("newcomer bot", "echo bot"):
            print(f"running {name} ...", flush=True)
            runs.append(
                await run_one(
                    name,
                    snapshot,
                    script,
                    args.server,
                    Path(tmp),
                    gc_pauses,
                    errors,
                    webhook=args.webhook and name == "newcomer bot",
                )
            )
    report(*runs, errors.summary())
    return 0


if __name__ == "__main__":
    run_main(main, budget=900.0)
