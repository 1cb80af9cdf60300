"""BOT_LOG_FORMAT=json: one JSON object per line, same privacy rules, no token."""

from __future__ import annotations

import io
import json
import logging
import subprocess
import sys

from hypothesis import given
from hypothesis import strategies as st

from bot.devtools.sandbox import TEST_TOKEN, Sandbox
from bot.ops import logs
from tests.conftest import ROOT, clock


def capture(fmt: str, secrets=(TEST_TOKEN,)) -> tuple[logging.Handler, io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logs.install(handler, fmt, secrets)
    return handler, stream


async def test_a_conversation_logs_json_lines_without_texts_names_or_token(snapshot, tmp_path):
    handler, stream = capture("json")
    root = logging.getLogger()
    root.addHandler(handler)
    level = root.level
    root.setLevel(logging.INFO)
    box = await Sandbox.create(snapshot, database=tmp_path / "db.sqlite3", clock=clock)
    try:
        await box.text(77, "/start", language_code="de")
        await box.text(77, "Mein Name ist Amina, wo ist der Deutschkurs?")
        logging.getLogger("bot.test").error("request to %s failed", box.api.base_url + TEST_TOKEN)
        try:
            raise RuntimeError(f"boom at /bot{TEST_TOKEN}/sendMessage")
        except RuntimeError:
            logging.getLogger("bot.test").exception("an error")
    finally:
        await box.close()
        root.removeHandler(handler)
        root.setLevel(level)
    lines = stream.getvalue().splitlines()
    assert len(lines) >= 3
    records = [json.loads(line) for line in lines]  # every line is one JSON object
    assert {"time", "level", "logger", "message"} <= set(records[0])
    assert any(r["level"] == "ERROR" and "exception" in r for r in records)
    text = stream.getvalue()
    assert TEST_TOKEN not in text and "[redacted]" in text
    assert "Amina" not in text and "Deutschkurs" not in text
    assert '"Test"' not in text  # the user's first name in the stand-in's updates


@given(st.text(), st.text(min_size=8, alphabet="abcdefghijklmnop:0123456789_-"))
def test_any_message_is_one_json_line_and_the_secret_never_shows(message, secret):
    handler, stream = capture("json", secrets=[secret])
    log = logging.getLogger("bot.hypothesis")
    log.propagate = False
    log.addHandler(handler)
    try:
        log.warning("%s|%s|%s", message, secret, message)
    finally:
        log.removeHandler(handler)
    lines = stream.getvalue().splitlines()
    assert len(lines) == 1
    record = json.loads(lines[0])
    assert secret not in record["message"]


def test_bad_log_format_is_a_one_line_error():
    env = {"TELEGRAM_BOT_TOKEN": "1:x", "BOT_LOG_FORMAT": "xml", "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-m", "bot", "run"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 2
    assert done.stderr.strip() == "newcomer-bot: BOT_LOG_FORMAT must be text or json"
