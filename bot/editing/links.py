"""Link checker: do the entries' web addresses still answer?

Every ``website``, every ``source`` and every address written in an entry's
title, summary or body is fetched (``newcomer-bot check-links``, ``validate
--links``). Politeness: at most ``concurrency`` requests at a time overall, one
at a time per host with ``delay`` seconds between them; each request gives up
after ``timeout`` seconds. Redirects are followed; a permanent one (301, 308)
is reported so the editor can write the new address. Results are cached for a
day in a JSON file next to the database (:func:`default_cache_path`), so a
second run the same day asks nobody; ``stale`` reads the same cache without
going online.

A link is *broken* when it answers 404, 410, 5xx or any other 4xx except 401,
403 and 429, when the host cannot be reached, or when it does not answer within
the timeout. 401, 403 and 429 are *unknown*: many public offices refuse
scripts but serve browsers, so a person should look; they are not cached.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import re
import socket
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import aiohttp
from aiohttp.abc import AbstractResolver

from bot.content.store import Content

#: Results younger than this are not fetched again.
CACHE_SECONDS = 24 * 3600
DEFAULT_CONCURRENCY = 8
DEFAULT_TIMEOUT = 10.0
#: Seconds between two requests to the same host.
DEFAULT_DELAY = 1.0
MAX_REDIRECTS = 5
USER_AGENT = "newcomer-bot link checker (+https://github.com/)"

#: An address in running text: up to whitespace, quotes or closing brackets;
#: punctuation that ends a sentence is not part of it.
_URL_IN_TEXT = re.compile(r"https?://[^\s<>\"'()\[\]{}]+", re.IGNORECASE)
_TRAILING = ".,;:!?…»«“”"

#: States of a :class:`LinkResult`.
OK, MOVED, BROKEN, UNKNOWN = "ok", "moved", "broken", "unknown"
_PERMANENT = (301, 308)
_REDIRECTS = (301, 302, 303, 307, 308)
_UNKNOWN_STATUSES = (401, 403, 429)


class UsageError(Exception):
    """A wrong argument (unknown region)."""


@dataclasses.dataclass(frozen=True)
class Link:
    """One address in one entry: where it is written (``file:line``) and in which field."""

    url: str
    entry_id: str
    file: str
    line: int
    field: str  # website | source | title | summary | body


@dataclasses.dataclass(frozen=True)
class LinkResult:
    """What fetching ``url`` gave: ``state`` is ok, moved (permanently, to ``moved_to``;
    the new address answers), broken or unknown; ``detail`` says why in a few words."""

    url: str
    state: str
    status: int | None = None
    detail: str = ""
    moved_to: str | None = None
    checked_at: float = 0.0

    def describe(self) -> str:
        if self.state == MOVED:
            return f"moved permanently ({self.status}) to {self.moved_to} — write the new address"
        if self.state == BROKEN:
            return f"broken: {self.detail}"
        if self.state == UNKNOWN:
            return f"could not check: {self.detail} — open it in a browser"
        return "ok"

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> LinkResult | None:
        try:
            result = cls(**data)
        except TypeError:
            return None
        if result.state not in (OK, MOVED, BROKEN, UNKNOWN) or not isinstance(result.url, str):
            return None
        return result


# -- finding the links ----------------------------------------------------------------


def urls_in_text(text: str) -> list[str]:
    """Web addresses written in ``text`` (http and https), without trailing punctuation."""
    found = []
    for match in _URL_IN_TEXT.finditer(text):
        url = match.group(0).rstrip(_TRAILING)
        if urlsplit(url).hostname:
            found.append(url)
    return found


def _line_finder(root: Path | None) -> Callable[[str, str], int]:
    lines: dict[str, list[str]] = {}

    def line_of(file: str, url: str) -> int:
        if file not in lines:
            # Files are named relative to the content folder's parent
            # (bot.content.load.problems), e.g. content/regions/…/x.yaml.
            path = Path(file)
            if not path.is_absolute() and root is not None:
                base = root.resolve()
                path = (base.parent if base.name else base) / file
            try:
                lines[file] = path.read_text(encoding="utf-8").splitlines()
            except (OSError, UnicodeDecodeError):
                lines[file] = []
        for number, text in enumerate(lines[file], start=1):
            if url in text:
                return number
        return 1

    return line_of


def collect_links(
    content: Content, region: str | None = None, root: str | Path | None = None
) -> list[Link]:
    """Every address of every entry (of ``region``: a region id, or a country id for its
    national entries), in entry order. Raises UsageError for an unknown region."""
    if region is not None and region not in content.regions and region not in content.countries:
        known = ", ".join(sorted([*content.regions, *content.countries]))
        raise UsageError(f"unknown region {region!r}; known: {known}")
    line_of = _line_finder(Path(root) if root is not None else None)
    links: list[Link] = []
    for entry_id, entry in content.entries.items():
        if region is not None:
            in_region = content.entry_region.get(entry_id) == region
            national = (
                content.entry_region.get(entry_id) is None
                and content.entry_country.get(entry_id) == region
            )
            if not (in_region or national):
                continue
        file = content.entry_files[entry_id]
        seen: set[str] = set()
        found: list[tuple[str, str]] = []
        for field in ("website", "source"):
            value = getattr(entry, field)
            if value:
                found.append((field, value))
        for field in ("title", "summary", "body"):
            for text in getattr(entry, field).values():
                found += [(field, url) for url in urls_in_text(text)]
        for field, url in found:
            if url in seen:
                continue
            seen.add(url)
            links.append(Link(url, entry_id, file, line_of(file, url), field))
    return links


# -- the cache ---------------------------------------------------------------------------


def default_cache_path() -> Path:
    """``link-check.json`` in the database's folder (``BOT_DATABASE``, default data/)."""
    database = Path(os.environ.get("BOT_DATABASE", "data/bot.sqlite3"))
    return database.parent / "link-check.json"


class LinkCache:
    """Results by URL in a JSON file. A missing, unreadable or malformed file is an
    empty cache (and is rewritten on :meth:`save`)."""

    def __init__(self, path: Path | None, results: dict[str, LinkResult] | None = None):
        self.path = path
        self.results: dict[str, LinkResult] = results or {}

    @classmethod
    def load(cls, path: Path | None) -> LinkCache:
        results: dict[str, LinkResult] = {}
        if path is not None:
            try:
                data = json.loads(Path(path).read_text(encoding="utf-8"))
                raw = data.get("results", {}) if isinstance(data, dict) else {}
            except (OSError, ValueError):
                raw = {}
            for url, item in raw.items() if isinstance(raw, dict) else ():
                result = LinkResult.from_dict(item) if isinstance(item, dict) else None
                if result is not None and result.url == url:
                    results[url] = result
        return cls(Path(path) if path is not None else None, results)

    def fresh(self, url: str, now: float) -> LinkResult | None:
        result = self.results.get(url)
        if result is None or not (0 <= now - result.checked_at < CACHE_SECONDS):
            return None
        return result

    def save(self) -> None:
        """Write the file atomically (a crash leaves the old file or the new one)."""
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(self.path.suffix + ".tmp")
        data = {"results": {url: r.as_dict() for url, r in sorted(self.results.items())}}
        tmp.write_text(json.dumps(data, indent=1, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, self.path)


# -- fetching ------------------------------------------------------------------------------


class _MappedResolver(AbstractResolver):
    """Sends the hosts of ``mapping`` (``"*"``: every host) to a fixed address, like
    curl's ``--resolve``; any other host is resolved as usual."""

    def __init__(self, mapping: dict[str, str]):
        self.mapping = mapping
        self.default = aiohttp.ThreadedResolver()

    async def resolve(self, host: str, port: int = 0, family: int = socket.AF_INET):
        address = self.mapping.get(host, self.mapping.get("*"))
        if address is None:
            return await self.default.resolve(host, port, family)
        return [
            {
                "hostname": host,
                "host": address,
                "port": port,
                "family": socket.AF_INET,
                "proto": 0,
                "flags": socket.AI_NUMERICHOST,
            }
        ]

    async def close(self) -> None:
        await self.default.close()


class LinkChecker:
    """Checks URLs politely; see the module docstring. ``resolve`` maps host names to
    addresses (``{"*": "127.0.0.1"}`` in tests). ``progress(done, total)`` is called
    after each URL."""

    def __init__(
        self,
        *,
        concurrency: int = DEFAULT_CONCURRENCY,
        timeout: float = DEFAULT_TIMEOUT,
        delay: float = DEFAULT_DELAY,
        cache: LinkCache | None = None,
        resolve: dict[str, str] | None = None,
        clock: Callable[[], float] = time.time,
        progress: Callable[[int, int], None] | None = None,
    ):
        if concurrency < 1 or timeout <= 0 or delay < 0:
            raise ValueError("concurrency >= 1, timeout > 0 and delay >= 0 please")
        self.concurrency = concurrency
        self.timeout = timeout
        self.delay = delay
        self.cache = cache or LinkCache(None)
        self.resolve = resolve
        self.clock = clock
        self.progress = progress
        self.requests = 0  # requests actually sent (not answered from the cache)
        self.from_cache = 0  # URLs answered from the cache
        self._hosts: dict[str, asyncio.Lock] = {}

    async def check(self, urls: Iterable[str]) -> dict[str, LinkResult]:
        """Result per distinct URL; fresh cached results are reused, the cache is saved."""
        wanted = list(dict.fromkeys(urls))
        now = self.clock()
        results: dict[str, LinkResult] = {}
        todo = []
        for url in wanted:
            cached = self.cache.fresh(url, now)
            if cached is not None:
                results[url] = cached
                self.from_cache += 1
            else:
                todo.append(url)
        if todo:
            connector = aiohttp.TCPConnector(
                limit=self.concurrency,
                resolver=_MappedResolver(self.resolve) if self.resolve else None,
            )
            semaphore = asyncio.Semaphore(self.concurrency)
            done = 0
            async with aiohttp.ClientSession(
                connector=connector, headers={"User-Agent": USER_AGENT}
            ) as session:

                async def one(url: str) -> None:
                    nonlocal done
                    results[url] = await self._check_one(session, semaphore, url)
                    done += 1
                    if self.progress:
                        self.progress(done, len(todo))

                await asyncio.gather(*(one(url) for url in todo))
            for url in todo:
                if results[url].state != UNKNOWN:
                    self.cache.results[url] = results[url]
            self.cache.save()
        return {url: results[url] for url in wanted}

    async def _fetch(
        self, session: aiohttp.ClientSession, semaphore: asyncio.Semaphore, url: str
    ) -> tuple[int, str | None]:
        """One request (no redirects followed): status and Location. One at a time per
        host, ``delay`` seconds apart."""
        host = (urlsplit(url).hostname or "").lower()
        lock = self._hosts.setdefault(host, asyncio.Lock())
        async with lock:
            try:
                async with semaphore:
                    self.requests += 1
                    async with session.get(
                        url,
                        allow_redirects=False,
                        timeout=aiohttp.ClientTimeout(total=self.timeout),
                    ) as response:
                        return response.status, response.headers.get("Location")
            finally:
                if self.delay:
                    await asyncio.sleep(self.delay)

    async def _check_one(
        self, session: aiohttp.ClientSession, semaphore: asyncio.Semaphore, url: str
    ) -> LinkResult:
        now = self.clock()
        current = url
        permanent_to: str | None = None
        permanent_status = 0
        still_permanent = True
        for _ in range(MAX_REDIRECTS + 1):
            if urlsplit(current).scheme not in ("http", "https"):
                return LinkResult(url, BROKEN, None, f"not a web address: {current}", None, now)
            try:
                status, location = await self._fetch(session, semaphore, current)
            except TimeoutError:
                return LinkResult(
                    url, BROKEN, None, f"no answer within {self.timeout:g} s", None, now
                )
            except aiohttp.InvalidURL:
                return LinkResult(url, BROKEN, None, "not a valid address", None, now)
            except (aiohttp.ClientError, OSError, ValueError) as exc:
                return LinkResult(url, BROKEN, None, _network_error(exc), None, now)
            if status in _REDIRECTS and location:
                current = urljoin(current, location)
                if still_permanent and status in _PERMANENT:
                    permanent_to = current
                    permanent_status = permanent_status or status  # the first hop's
                else:
                    still_permanent = False
                continue
            if 200 <= status < 400:
                if permanent_to is not None:
                    return LinkResult(url, MOVED, permanent_status, "", permanent_to, now)
                return LinkResult(url, OK, status, "", None, now)
            if status in _UNKNOWN_STATUSES:
                return LinkResult(url, UNKNOWN, status, f"HTTP {status}", None, now)
            return LinkResult(url, BROKEN, status, f"HTTP {status}", None, now)
        return LinkResult(url, BROKEN, None, f"more than {MAX_REDIRECTS} redirects", None, now)


def _network_error(exc: BaseException) -> str:
    if isinstance(exc, aiohttp.ClientConnectorError):
        return "the server cannot be reached"
    if isinstance(exc, aiohttp.ServerDisconnectedError):
        return "the server closed the connection"
    if isinstance(exc, aiohttp.ClientSSLError):
        return "its HTTPS certificate is not valid"
    return type(exc).__name__


# -- reports ---------------------------------------------------------------------------------


def problems(links: list[Link], results: dict[str, LinkResult]) -> list[tuple[Link, LinkResult]]:
    """Links that need an editor (moved, broken, unknown), in file order."""
    found = [(link, results[link.url]) for link in links if link.url in results]
    found = [(link, result) for link, result in found if result.state != OK]
    return sorted(found, key=lambda pair: (pair[0].file, pair[0].line, pair[0].url))


def warning_line(link: Link, result: LinkResult) -> str:
    """``file:line: warning: <field> <url> — <what is wrong> (<entry>)``."""
    return (
        f"{link.file}:{link.line}: warning: {link.field} {link.url} — "
        f"{result.describe()} ({link.entry_id})"
    )


def cached_broken(
    content: Content, cache: LinkCache, root: str | Path | None = None
) -> list[tuple[Link, LinkResult]]:
    """Broken links of ``content`` as the last check found them (any age; no network)."""
    links = collect_links(content, root=root)
    results = {link.url: cache.results[link.url] for link in links if link.url in cache.results}
    return [(link, r) for link, r in problems(links, results) if r.state == BROKEN]


def run_check(
    content: Content,
    *,
    region: str | None = None,
    root: str | Path | None = None,
    cache_path: Path | None = None,
    resolve: dict[str, str] | None = None,
    **options,
) -> tuple[list[Link], dict[str, LinkResult], LinkChecker]:
    """Collect and check the links of ``content`` (blocking; for the command line)."""
    links = collect_links(content, region, root)
    checker = LinkChecker(cache=LinkCache.load(cache_path), resolve=resolve, **options)
    results = asyncio.run(checker.check(link.url for link in links))
    return links, results, checker
