"""The link checker against a local HTTP server on 127.0.0.1: 200, 301, 404, 500,
slow (beyond the timeout) and never (accepts the connection, never answers)."""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import shutil
import time
from pathlib import Path

import pytest
from aiohttp import web

from bot.cli.main import main
from bot.editing.links import (
    BROKEN,
    MOVED,
    OK,
    UNKNOWN,
    LinkCache,
    LinkChecker,
    UsageError,
    collect_links,
    urls_in_text,
)
from tests.conftest import CONTENT

TIMEOUT = 0.5  # seconds; "slow" and "never" take this long, no more


class Server:
    """aiohttp app on 127.0.0.1 plus a raw TCP port that never answers."""

    def __init__(self) -> None:
        self.release = asyncio.Event()
        self.in_flight: dict[str, int] = {}
        self.most_in_flight: dict[str, int] = {}
        self.starts: dict[str, list[float]] = {}
        self.hits: list[str] = []

    async def start(self) -> Server:
        app = web.Application()
        app.router.add_route("*", "/{name}", self.handle)
        self.runner = web.AppRunner(app, shutdown_timeout=0.1)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]
        self.silent_connections: list[asyncio.StreamWriter] = []

        async def never(reader, writer):  # accepts, reads nothing, answers nothing
            self.silent_connections.append(writer)

        self.silent = await asyncio.start_server(never, "127.0.0.1", 0)
        self.silent_port = self.silent.sockets[0].getsockname()[1]
        return self

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}/{path}"

    async def handle(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        host = request.host.split(":")[0]
        self.hits.append(name)
        self.starts.setdefault(host, []).append(time.monotonic())
        self.in_flight[host] = self.in_flight.get(host, 0) + 1
        self.most_in_flight[host] = max(self.most_in_flight.get(host, 0), self.in_flight[host])
        try:
            if name == "slow":
                await self.release.wait()
            elif name == "held":  # a normal page that takes a moment
                await asyncio.sleep(0.05)
            if name in ("ok", "held", "slow"):
                return web.Response(text="hello")
            if name == "moved":
                raise web.HTTPMovedPermanently(location="/ok")
            if name == "moved-twice":
                raise web.HTTPPermanentRedirect(location="/moved")
            if name == "temporary":
                raise web.HTTPFound(location="/ok")
            if name == "moved-to-gone":
                raise web.HTTPMovedPermanently(location="/gone")
            if name == "loop":
                raise web.HTTPFound(location="/loop")
            if name == "forbidden":
                raise web.HTTPForbidden()
            if name == "error":
                raise web.HTTPInternalServerError()
            raise web.HTTPNotFound()
        finally:
            self.in_flight[host] -= 1

    async def stop(self) -> None:
        self.release.set()
        for writer in self.silent_connections:
            writer.close()
        self.silent.close()
        await self.runner.cleanup()


@pytest.fixture
async def server():
    srv = await Server().start()
    try:
        yield srv
    finally:
        await srv.stop()


def checker(**options) -> LinkChecker:
    return LinkChecker(**{"timeout": TIMEOUT, "delay": 0, **options})


async def test_each_kind_of_answer_is_told_apart(server):
    urls = {
        name: server.url(name)
        for name in (
            "ok", "moved", "moved-twice", "temporary", "gone", "error", "slow", "loop",
            "forbidden", "moved-to-gone",
        )
    }  # fmt: skip
    urls["never"] = f"http://127.0.0.1:{server.silent_port}/x"
    urls["refused"] = "http://127.0.0.1:9/nothing-listens-here"
    started = time.monotonic()
    results = await checker().check(urls.values())
    state = {name: results[url].state for name, url in urls.items()}
    assert state == {
        "ok": OK, "moved": MOVED, "moved-twice": MOVED, "temporary": OK, "gone": BROKEN,
        "error": BROKEN, "slow": BROKEN, "loop": BROKEN, "forbidden": UNKNOWN,
        "moved-to-gone": BROKEN, "never": BROKEN, "refused": BROKEN,
    }  # fmt: skip
    assert results[urls["moved"]].moved_to == server.url("ok")
    assert results[urls["moved"]].status == 301
    assert results[urls["moved-twice"]].moved_to == server.url("ok"), "followed to the end"
    assert results[urls["moved-twice"]].status == 308
    assert "404" in results[urls["gone"]].describe()
    assert "500" in results[urls["error"]].describe()
    assert "no answer within 0.5 s" in results[urls["slow"]].describe()
    assert "no answer within" in results[urls["never"]].describe()
    assert "cannot be reached" in results[urls["refused"]].describe()
    assert "redirects" in results[urls["loop"]].describe()
    assert "write the new address" in results[urls["moved"]].describe()
    # slow and never ran side by side: the whole check took about one timeout.
    assert time.monotonic() - started < 5 * TIMEOUT + 3


async def test_one_request_at_a_time_per_host_with_a_pause_between(server):
    delay = 0.15
    urls = [server.url("held", host) + f"?n={i}" for host in ("a.test", "b.test") for i in range(3)]
    results = await checker(delay=delay, resolve={"*": "127.0.0.1"}).check(urls)
    assert all(r.state == OK for r in results.values())
    assert server.most_in_flight == {"a.test": 1, "b.test": 1}
    for host in ("a.test", "b.test"):
        starts = server.starts[host]
        assert len(starts) == 3
        gaps = [b - a for a, b in itertools.pairwise(starts)]
        assert min(gaps) >= delay, f"{host}: requests {gaps} s apart"


async def test_results_are_cached_for_a_day(server, tmp_path):
    path = tmp_path / "cache.json"
    now = [1_000_000.0]
    first = checker(cache=LinkCache.load(path), clock=lambda: now[0])
    urls = [server.url("ok"), server.url("gone"), server.url("forbidden")]
    await first.check(urls)
    assert first.requests == 3
    again = checker(cache=LinkCache.load(path), clock=lambda: now[0] + 23 * 3600)
    results = await again.check(urls)
    assert again.requests == 1, "only the unknown (403) one is asked again"
    assert again.from_cache == 2
    assert results[server.url("gone")].state == BROKEN
    now[0] += 25 * 3600
    later = checker(cache=LinkCache.load(path), clock=lambda: now[0])
    await later.check(urls)
    assert later.requests == 3


@pytest.mark.parametrize(
    "text",
    ["", "not json", "[1, 2]", '{"results": [1]}', '{"results": {"x": {"url": 1}}}',
     '{"results": {"http://a.test/": {"url": "http://a.test/", "state": "odd"}}}'],
)  # fmt: skip
def test_a_damaged_cache_file_is_an_empty_cache(tmp_path, text):
    path = tmp_path / "cache.json"
    path.write_text(text, encoding="utf-8")
    cache = LinkCache.load(path)
    assert cache.results == {}
    cache.save()
    assert json.loads(path.read_text(encoding="utf-8")) == {"results": {}}


def test_addresses_in_texts_lose_trailing_punctuation():
    text = "See https://example.lu/a, or (https://example.lu/b). Also http://x.lu!"
    assert urls_in_text(text) == ["https://example.lu/a", "https://example.lu/b", "http://x.lu"]
    assert urls_in_text("mailto:a@b.lu ftp://x.lu https://") == []


def test_links_come_from_website_source_and_texts_with_their_line(snapshot):
    links = collect_links(snapshot.content, "miselerland", CONTENT)
    remich = [link for link in links if link.entry_id == "misel-town-hall-remich"]
    assert [(link.field, link.line) for link in remich] == [("website", 27)], (
        "source is the same address: checked once"
    )
    assert all(link.file.endswith(".yaml") for link in links)
    assert not any(link.entry_id.startswith("mb-") for link in links)
    with pytest.raises(UsageError):
        collect_links(snapshot.content, "atlantis")


@pytest.fixture
def content_dir(tmp_path: Path, server) -> Path:
    """The tests' content, one entry pointing at the local server."""
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    entry = content / "regions/miselerland/entries/misel-town-hall-remich.yaml"
    text = entry.read_text(encoding="utf-8")
    text = text.replace(
        'website: "https://www.remich.lu"',
        "body:\n  en: |\n"
        f"    Form: http://links.test:{server.port}/gone\n"
        f"    Old page (http://links.test:{server.port}/moved).\n"
        'website: "https://www.remich.lu"',
    )
    entry.write_text(text, encoding="utf-8")
    return content


def run_cli(*argv: str) -> asyncio.Future:
    """The command line in a thread (it runs its own event loop); the server stays here."""
    return asyncio.to_thread(main, list(argv))


async def test_check_links_validate_and_stale_report_broken_links(
    content_dir, server, tmp_path, capsys
):
    cache = str(tmp_path / "links.json")
    # Every other host goes to 127.0.0.1 too: its port 443 refuses at once.
    options = ("--link-cache", cache, "--resolve", "*=127.0.0.1", "--timeout", "1", "--delay", "0")
    code = await run_cli("check-links", str(content_dir), "--region", "miselerland", *options)
    out = capsys.readouterr().out
    assert code == 1
    file = "misel-town-hall-remich.yaml"
    assert re.search(
        rf"{file}:29: warning: body http://links.test:\d+/gone — broken: HTTP 404", out
    )
    assert re.search(rf"{file}:30: warning: body http://links.test:\d+/moved — moved perm", out)
    assert re.search(
        rf"{file}:31: warning: website https://www.remich.lu — broken: the server", out
    )
    assert "broken" in out.splitlines()[-1]

    hits = len(server.hits)
    code = await run_cli("check-links", str(content_dir), "--region", "miselerland", *options)
    out = capsys.readouterr().out
    assert code == 1 and len(server.hits) == hits, "the same day: nothing fetched again"
    assert re.search(
        r"checked: \d+ link\(s\) broken, 1 to look at; 18 address\(es\) from today", out
    )

    code = await run_cli("validate", str(content_dir), "--links", *options)
    out = capsys.readouterr().out
    assert code == 0, "dead links are warnings"
    assert out.startswith("OK:")
    assert re.search(rf"{file}:29: warning: body .*/gone — broken: HTTP 404", out)
    assert "entries" in out and "Traceback" not in out

    code = await run_cli("stale", str(content_dir), "--link-cache", cache, "--today", "2026-11-30")
    out = capsys.readouterr().out
    assert code == 1
    assert "Broken links" in out
    assert re.search(rf"misel-town-hall-remich .*{file}:29 .*/gone", out)
    assert "moved" not in out.split("Broken links")[1], "stale lists broken links only"


async def test_check_links_answers_usage_errors_without_traceback(content_dir, capsys):
    code = await run_cli("check-links", str(content_dir), "--region", "atlantis")
    captured = capsys.readouterr()
    assert code == 2 and "unknown region 'atlantis'" in captured.err
    with pytest.raises(SystemExit):
        await run_cli("check-links", str(content_dir), "--timeout", "-1")
    for option, value in (
        ("--resolve", "nohost"),
        ("--concurrency", "0"),
        ("--delay", "-1"),
        ("--delay", "nan"),
        ("--timeout", "inf"),
    ):
        with pytest.raises(SystemExit):
            await run_cli("check-links", str(content_dir), option, value)
    assert "Traceback" not in capsys.readouterr().err
