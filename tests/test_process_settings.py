"""Process-wide settings (bot/runtime.py): set while needed, put back as found."""

from __future__ import annotations

import gc
import sys
from pathlib import Path

import pytest

from bot import runtime
from bot.content.load import ContentInvalid, load_content
from bot.devtools.sandbox import Sandbox
from tests.conftest import CONTENT, clock


@pytest.fixture
def switch_interval():
    """Restore the interpreter's switch interval whatever a test does."""
    before = sys.getswitchinterval()
    yield before
    sys.setswitchinterval(before)


async def test_the_bot_runs_with_a_1_ms_switch_interval(snapshot, tmp_path, switch_interval):
    box = await Sandbox.create(snapshot, database=tmp_path / "bot.sqlite3", clock=clock)
    try:
        assert sys.getswitchinterval() == pytest.approx(runtime.GIL_SWITCH_INTERVAL)
    finally:
        await box.close()

    assert sys.getswitchinterval() == pytest.approx(switch_interval)


async def test_the_bot_collects_young_objects_less_often_and_puts_it_back(snapshot, tmp_path):
    before = gc.get_threshold()
    box = await Sandbox.create(snapshot, database=tmp_path / "bot.sqlite3", clock=clock)
    try:
        assert gc.get_threshold() == (runtime.GC_YOUNG_THRESHOLD, *before[1:])
    finally:
        await box.close()

    assert gc.get_threshold() == before


def test_a_reload_shortens_the_switch_interval_but_never_lengthens_it(switch_interval):
    sys.setswitchinterval(0.005)
    with runtime.reload_switch_interval():
        assert sys.getswitchinterval() == pytest.approx(runtime.RELOAD_SWITCH_INTERVAL)
    assert sys.getswitchinterval() == pytest.approx(0.005)

    sys.setswitchinterval(runtime.GIL_SWITCH_INTERVAL)  # the running bot's
    with runtime.reload_switch_interval():
        assert sys.getswitchinterval() == pytest.approx(runtime.GIL_SWITCH_INTERVAL)


def test_the_collector_is_back_only_when_the_last_overlapping_load_ends():
    assert gc.isenabled()
    first, second = runtime.gc_paused(), runtime.gc_paused()
    first.__enter__()
    second.__enter__()  # e.g. `validate` in one thread while a reload runs in another
    first.__exit__(None, None, None)
    assert not gc.isenabled()
    second.__exit__(None, None, None)
    assert gc.isenabled()


def test_a_collector_switched_off_before_stays_off():
    gc.disable()
    try:
        with runtime.gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_loading_leaves_the_collector_on_even_when_the_content_is_broken(tmp_path: Path):
    load_content(CONTENT)
    assert gc.isenabled()
    (tmp_path / "content").mkdir()
    with pytest.raises(ContentInvalid):
        load_content(tmp_path / "content")
    assert gc.isenabled()
