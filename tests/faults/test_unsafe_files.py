"""Content files that are not plain text files inside the content folder.

A content folder is edited by people and synchronised by tools, and a name ending
in ``.yaml`` may be a link to a secret, a named pipe, a device or a huge file.
Each is refused with a ``file:line: message`` that says what to do, the bot keeps
serving, and no byte of a file outside the content folder ever appears in a
message (a link to ``.env`` once sent the bot token to staff in a reload report).
The cases that hung or exhausted memory before are run in a child process with a
timeout, so a regression fails instead of stalling the test run.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
from pathlib import Path

import pytest

from bot.content.load import MAX_FILE_BYTES, Problem, load_content
from bot.content.load.files import UnreadableFile, read_content_file
from bot.content.staff import Staff, StaffFileInvalid
from tests.conftest import CONTENT, last_text, problems_of, staffed_sandbox, validate_cli

ROOT = Path(__file__).resolve().parents[2]
ENTRIES = Path("regions/miselerland/entries")
#: What a leaked secret would look like: a bot token in a .env next to the content.
SECRET = "7654321098:AAH-fake-token-for-tests-only-9f3k"
ENV_LINE = f"TELEGRAM_BOT_TOKEN={SECRET}\n"

LINK_OUTSIDE = (
    "this file is a link (symlink) to a file outside the content folder, and the bot reads "
    "only files inside it — replace the link with a copy of the file"
)
PIPE = (
    "this is a named pipe (FIFO), not a regular file, so the bot does not read it — a content "
    "file is a plain text file: delete this one and save the content as a normal file"
)
EDITOR, NEWCOMER = 4101, 4102


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A copy of the demo content at ``tmp_path/content``, a secret at ``tmp_path/.env``."""
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    (tmp_path / ".env").write_text(ENV_LINE, encoding="utf-8")
    return content


def validate(root: Path) -> subprocess.CompletedProcess[str]:
    return validate_cli(root, timeout=30)


def assert_no_secret(text: str) -> None:
    assert SECRET not in text and "TELEGRAM_BOT_TOKEN" not in text, text


def link(path: Path, target: str | Path) -> None:
    path.unlink(missing_ok=True)
    path.symlink_to(target)


@pytest.mark.parametrize(
    "where",
    [
        "regions/miselerland/entries/misel-env.yaml",  # as an entry
        "countries/lu/entries/lu-env.yaml",  # as a national entry
        "regions/miselerland/region.yaml",  # instead of a region file
        "categories.yaml",  # instead of the categories
        "regions/miselerland/notes.yaml",  # next to region.yaml
    ],
)
def test_a_link_to_a_secret_outside_the_folder_is_refused_and_never_quoted(root: Path, where: str):
    link(root / where, root.parent / ".env")

    problems = problems_of(root)

    assert Problem(f"content/{where}", 1, LINK_OUTSIDE) in problems
    assert_no_secret("\n".join(map(str, problems)))


def test_a_linked_folder_that_leads_outside_is_refused(root: Path, tmp_path: Path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "country.yaml").write_text(ENV_LINE, encoding="utf-8")
    (root / "countries/xx").symlink_to(outside, target_is_directory=True)

    problems = problems_of(root)

    assert [p for p in problems if p.file.startswith("content/countries/xx/")] == [
        Problem(
            "content/countries/xx/country.yaml",
            1,
            "this file is in a folder that is a link (symlink) to a place outside the content "
            "folder, and the bot reads only files inside it — replace the link with a real "
            "folder holding copies of the files",
        )
    ]
    assert_no_secret("\n".join(map(str, problems)))


def test_links_inside_the_folder_are_followed(root: Path):
    shared = root / "shared"
    shared.mkdir()
    entry = (root / ENTRIES / "misel-oscr.yaml").read_text("utf-8")
    (root / ENTRIES / "misel-oscr.yaml").unlink()
    (shared / "misel-oscr.yaml").write_text(entry, encoding="utf-8")
    (root / ENTRIES / "misel-oscr.yaml").symlink_to("../../../shared/misel-oscr.yaml")

    assert "misel-oscr" in load_content(root).entries


def test_a_link_to_a_missing_file_is_reported(root: Path):
    (root / ENTRIES / "misel-gone.yaml").symlink_to("misel-nowhere.yaml")

    assert problems_of(root) == [
        Problem(
            f"content/{ENTRIES}/misel-gone.yaml",
            1,
            "this file is a link (symlink) to a file that does not exist — replace the link "
            "with the file itself, or delete it",
        )
    ]


def test_a_link_to_dev_zero_is_refused_at_once(root: Path):
    # Before: the loader read /dev/zero until the bot had grown to 3.7 GB.
    (root / ENTRIES / "misel-zero.yaml").symlink_to("/dev/zero")

    result = validate(root)

    assert result.returncode == 1, result.stderr[-500:]
    assert result.stdout.splitlines() == [f"content/{ENTRIES}/misel-zero.yaml:1: {LINK_OUTSIDE}"]


@pytest.mark.parametrize(
    "where",
    [
        "regions/miselerland/notes.yaml",  # next to region.yaml: the pipe that hung reloads
        f"{ENTRIES}/misel-pipe.yaml",
        "categories.yaml",
    ],
)
def test_a_named_pipe_never_blocks_the_loader(root: Path, where: str):
    (root / where).unlink(missing_ok=True)
    os.mkfifo(root / where)

    result = validate(root)  # returns, or fails after 30 s

    assert result.returncode == 1, result.stderr[-500:]
    assert f"content/{where}:1: {PIPE}" in result.stdout.splitlines()
    assert "Traceback" not in result.stdout + result.stderr


def test_a_socket_is_refused(root: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(root / ENTRIES)  # a socket's path must be short: bind a relative one
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind("misel-socket.yaml")

        problems = problems_of(root)

    assert problems == [
        Problem(
            f"content/{ENTRIES}/misel-socket.yaml",
            1,
            "this is a socket, not a regular file, so the bot does not read it — a content file "
            "is a plain text file: delete this one and save the content as a normal file",
        )
    ]


def test_a_huge_file_is_refused_before_it_is_read(root: Path):
    # 3 GiB, sparse: reading it would take the bot's memory, stat takes nothing.
    with open(root / ENTRIES / "misel-huge.yaml", "wb") as file:
        file.truncate(3 * 1024**3)

    result = validate(root)

    assert result.returncode == 1, result.stderr[-500:]
    assert result.stdout.splitlines() == [
        f"content/{ENTRIES}/misel-huge.yaml:1: the file is 3072.0 MB, but a content file must "
        "be under 1 MB (an entry has a few KB) — is this the right file? Remove it, or split it "
        "into one file per entry"
    ]


def test_the_size_cap_is_one_mib(tmp_path: Path):
    at_cap = tmp_path / "at-cap.yaml"
    at_cap.write_bytes(b"#" * MAX_FILE_BYTES)
    over = tmp_path / "over.yaml"
    over.write_bytes(b"#" * (MAX_FILE_BYTES + 1))

    assert MAX_FILE_BYTES == 1024 * 1024
    assert len(read_content_file(at_cap, tmp_path)) == MAX_FILE_BYTES
    with pytest.raises(UnreadableFile, match=r"the file is 1\.0 MB, but a content file must be"):
        read_content_file(over, tmp_path)


def test_a_staff_file_over_the_cap_is_refused(tmp_path: Path):
    staff = tmp_path / "staff.yaml"
    with open(staff, "wb") as file:
        file.truncate(2 * 1024**3)

    with pytest.raises(StaffFileInvalid) as info:
        Staff.load(staff)

    assert "the file is 2048.0 MB" in info.value.problem.message


@contextlib.contextmanager
def unblocking(pipe: Path):
    """On exit, open ``pipe`` for writing once: a reader stuck on it (a regression)
    is released, so a failing test ends instead of hanging the run."""
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            fd = os.open(pipe, os.O_WRONLY | os.O_NONBLOCK)
            os.close(fd)


@pytest.fixture
async def live(snapshot, root: Path, tmp_path: Path):
    box = await staffed_sandbox(snapshot, tmp_path, {EDITOR: "editor"}, content_dir=root)
    await box.storage.save_user(EDITOR, language="en", municipality="remich")
    await box.storage.save_user(NEWCOMER, language="en", municipality="remich")
    try:
        yield box
    finally:
        await box.close()


async def test_the_editor_in_telegram_sees_what_to_do_and_never_the_secret(live, root, caplog):
    link(root / ENTRIES / "misel-env.yaml", root.parent / ".env")
    pipe = root / "regions/miselerland/notes.yaml"
    os.mkfifo(pipe)

    with unblocking(pipe):
        calls = await live.text(EDITOR, "/reload")  # fails after 10 s if the pipe blocks

    report = last_text(calls)
    assert "keeps showing the previous content" in report
    assert f"content/{ENTRIES}/misel-env.yaml:1: this file is a link (symlink)" in report
    assert "content/regions/miselerland/notes.yaml:1: this is a named pipe (FIFO)" in report
    assert_no_secret("\n".join(str(c.params) for c in live.api.calls))
    assert_no_secret(caplog.text)
    calls = await live.tap(NEWCOMER, "e:misel-language-cafe", 1)
    assert "Language café on the Moselle" in last_text(calls), "newcomers keep the content"
