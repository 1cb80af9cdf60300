"""Every mistake a content editor can make is reported as ``file:line: message``.

Each folder in ``tests/broken_content/`` is one mistake: its ``content/`` holds
the files to add or replace (paths as below ``content/``) on top of a copy of the
demo content, and its ``case.yaml`` says which file and line must be reported
and a fragment of the message the editor must read there::

    expect:
      - file: regions/miselerland/entries/misel-case.yaml
        line: 11                      # or line_of: a text on the line, for appended files
        message: "write times as HH:MM, like this: 'Mo-Fr 08:00-12:00'"
    absent: [unknown category]        # optional: fragments that must not be reported
    append: {categories.yaml: "..."}  # optional: text added at the end of a demo file
    cli: true                         # optional: also check `python -m bot validate`

Files too big (50 MB) or too dangerous (nesting that crashed libyaml) to commit
are generated here. Hypothesis then throws arbitrary bytes, text and YAML at
the loader: nothing but :class:`ContentInvalid` may come out.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.content.load import ContentInvalid, load_content
from bot.content.model import Entry
from bot.i18n import LANGUAGES
from tests.conftest import CONTENT as FIXTURE
from tests.conftest import problems_of, validate_cli

ROOT = Path(__file__).resolve().parent.parent
DEMO = FIXTURE
CASES_DIR = Path(__file__).resolve().parent / "broken_content"
ENTRIES = Path("regions/miselerland/entries")

#: What every line of `validate` output looks like: path, line, message.
OUTPUT_LINE = re.compile(r"^content/\S[^:]*:[1-9][0-9]*: \S.*$")


@dataclasses.dataclass(frozen=True)
class Case:
    name: str
    folder: Path
    spec: dict[str, Any]

    def __str__(self) -> str:
        return self.name


def _cases() -> list[Case]:
    return [
        Case(folder.name, folder, yaml.safe_load((folder / "case.yaml").read_text("utf-8")))
        for folder in sorted(CASES_DIR.iterdir())
        if (folder / "case.yaml").is_file()
    ]


CASES = _cases()


def demo_copy(tmp_path: Path) -> Path:
    """A fresh copy of the demo content; returns its ``content`` folder."""
    root = tmp_path / "content"
    shutil.copytree(DEMO, root)
    return root


def apply(case: Case, root: Path) -> None:
    """Write the case's files over the content copy at ``root``."""
    files = case.folder / "content"
    for path in sorted(files.rglob("*")):
        if path.is_file():
            target = root / path.relative_to(files)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
    for rel, text in (case.spec.get("append") or {}).items():
        with open(root / rel, "a", encoding="utf-8") as file:
            file.write(text)


def expected(case: Case, root: Path) -> list[tuple[str, int, str]]:
    """(file as reported, line, message fragment) for each expected problem."""
    wanted = []
    for item in case.spec["expect"]:
        line = item.get("line")
        if line is None:
            lines = (root / item["file"]).read_text("utf-8").split("\n")
            line = next(i for i, text in enumerate(lines, 1) if item["line_of"] in text)
        wanted.append((f"content/{item['file']}", line, item["message"]))
    return wanted


def test_the_corpus_covers_enough_mistakes():
    assert len(CASES) >= 30
    assert sum(1 for case in CASES if case.spec.get("cli")) >= 5


def test_demo_content_validates():
    result = validate_cli(DEMO)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("OK:")


@pytest.mark.parametrize("case", CASES, ids=str)
def test_mistake_is_reported_on_its_line(case: Case, tmp_path: Path):
    root = demo_copy(tmp_path)
    apply(case, root)

    with pytest.raises(ContentInvalid) as info:
        load_content(root)

    problems = info.value.problems
    report = "\n".join(map(str, problems))
    for file, line, fragment in expected(case, root):
        assert any(p.file == file and p.line == line and fragment in p.message for p in problems), (
            f"expected {file}:{line}: …{fragment}…\ngot:\n{report}"
        )
    for fragment in case.spec.get("absent", []):
        assert fragment not in report
    for problem in problems:
        # One line each, and after the dash what to do: the house style of messages.
        assert "\n" not in problem.message
        assert " — " in problem.message, problem
        assert "Input should" not in problem.message, problem  # pydantic's own wording


@pytest.mark.parametrize("case", [c for c in CASES if c.spec.get("cli")], ids=str)
def test_validate_command_prints_file_line_message(case: Case, tmp_path: Path):
    root = demo_copy(tmp_path)
    apply(case, root)

    result = validate_cli(root)

    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines and all(OUTPUT_LINE.match(line) for line in lines), result.stdout
    for file, line, fragment in expected(case, root):
        assert any(text.startswith(f"{file}:{line}: ") and fragment in text for text in lines), (
            result.stdout
        )


def test_a_50_mb_file_is_refused_quickly(tmp_path: Path):
    root = demo_copy(tmp_path)
    huge = root / ENTRIES / "misel-huge.yaml"
    with open(huge, "wb") as file:
        file.write(b"id: misel-huge\n")
        file.writelines(itertools.repeat(b"# " + b"x" * 1021 + b"\n", 50 * 1024))
    assert huge.stat().st_size > 50_000_000

    result = validate_cli(root)

    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    assert result.stdout.splitlines() == [
        "content/regions/miselerland/entries/misel-huge.yaml:1: the file is 50.0 MB, but a "
        "content file must be under 1 MB (an entry has a few KB) — is this the right file? "
        "Remove it, or split it into one file per entry"
    ]


@pytest.mark.parametrize(
    "text",
    [
        "id: misel-deep\nkeywords:\n  en: " + "[" * 100_000 + "]" * 100_000 + "\n",
        "id: misel-deep\nkeywords:\n  en:\n    " + "- " * 100_000 + "x\n",
        "[" * 200_000,
    ],
    ids=["flow", "block", "unclosed"],
)
def test_nesting_that_crashed_libyaml_is_reported(text: str, tmp_path: Path):
    # Run in a child process: before the depth check, libyaml crashed the whole
    # interpreter (segmentation fault) on these, which would end the test run.
    root = demo_copy(tmp_path)
    (root / ENTRIES / "misel-deep.yaml").write_text(text, encoding="utf-8")

    result = validate_cli(root)

    assert result.returncode == 1, (result.returncode, result.stderr[-500:])
    assert result.stdout.startswith("content/regions/miselerland/entries/misel-deep.yaml:"), (
        result.stdout
    )
    assert "nested more than 50 levels deep" in result.stdout


def test_a_broken_entry_does_not_hide_problems_in_other_files(tmp_path: Path):
    root = demo_copy(tmp_path)
    (root / ENTRIES / "misel-broken.yaml").write_bytes(b"\x00\x01garbage")
    (root / "countries/lu/country.yaml").write_text("id: lu\nname: [Luxembourg]\n", "utf-8")
    oscr = root / ENTRIES / "misel-oscr.yaml"
    oscr.write_text(oscr.read_text("utf-8").replace("cost: free", "cost: gratis"), "utf-8")

    files = {p.file for p in problems_of(root)}

    assert files == {
        "content/regions/miselerland/entries/misel-broken.yaml",
        "content/countries/lu/country.yaml",
        "content/regions/miselerland/entries/misel-oscr.yaml",
    }


def test_files_that_are_not_content_are_not_reported(tmp_path: Path):
    """Every YAML file is read or reported, except the staff files, hidden tool
    folders and editors' backups; the JSON schemas and the README are not YAML."""
    root = demo_copy(tmp_path)
    (root / "staff.yaml").write_text("staff: []\n", encoding="utf-8")
    (root / ".github/workflows").mkdir(parents=True)
    (root / ".github/workflows/check.yml").write_text("on: push\n", encoding="utf-8")
    (root / ENTRIES / ".misel-oscr.yaml.swp").write_bytes(b"\x00vim swap")
    (root / ENTRIES / "misel-oscr.yaml~").write_text("id: misel-oscr\n", encoding="utf-8")
    (root / "README.md").write_text("# Content\n", encoding="utf-8")  # as in content/
    (root / "schema").mkdir()
    (root / "schema/entry.schema.json").write_text("{}\n", encoding="utf-8")
    assert (root / "staff.example.yaml").is_file()

    assert problems_of(root) == []


def test_every_unread_yaml_file_is_reported_once(tmp_path: Path):
    root = demo_copy(tmp_path)
    archive = root / ENTRIES / "old"
    archive.mkdir()
    (archive / "misel-a.yaml").write_text("id: misel-a\n", encoding="utf-8")
    (archive / "misel-b.yaml").write_text("id: misel-b\n", encoding="utf-8")

    # One problem for the folder (its files are not read), none for each file in it.
    assert [str(p) for p in problems_of(root)] == [
        "content/regions/miselerland/entries/old:1: the files in this folder are not read — "
        "move them directly into entries/"
    ]


# ------------------------------------------------------------------ hypothesis

_counter = itertools.count()

_KEYS = st.sampled_from([*Entry.model_fields, *LANGUAGES, "lat", "lon", "id"]) | st.text(
    max_size=12
)
_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.dates()
    | st.text(max_size=40)
    | st.sampled_from(["Mo-Fr 8-12", "+352 45 45 45", "https://x.lu", "remich", "2026-13-01"])
)
_VALUES = st.recursive(
    _SCALARS,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(_KEYS, children, max_size=4),
    max_leaves=20,
)
_VALID_ENTRY = {
    "id": "misel-fuzz",
    "category": "counselling",
    "scope": ["remich"],
    "title": {"fr": "Bureau", "en": "Office"},
    "summary": {"fr": "Un bureau.", "en": "An office."},
}
_STRUCTURES = _VALUES | st.dictionaries(_KEYS, _VALUES, max_size=4).map(
    lambda extra: {**_VALID_ENTRY, **extra}
)


@pytest.fixture(scope="module")
def fuzz_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_copy(tmp_path_factory.mktemp("fuzz"))


def _check_never_crashes(root: Path, data: bytes) -> None:
    """Write ``data`` as a new entry file; loading may only succeed or list problems."""
    # A new name each time: the per-file cache must not hand back an older example.
    path = root / ENTRIES / f"misel-fuzz-{next(_counter)}.yaml"
    path.write_bytes(data)
    try:
        problems = problems_of(root)
    finally:
        path.unlink()
    for problem in problems:
        assert OUTPUT_LINE.match(str(problem)), problem
        assert " — " in problem.message, problem
        assert "Input should" not in problem.message, problem


_FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@_FUZZ
@given(data=st.binary(max_size=2000))
def test_arbitrary_bytes_never_crash_the_loader(fuzz_root: Path, data: bytes):
    _check_never_crashes(fuzz_root, data)


@_FUZZ
@given(text=st.text(max_size=2000))
def test_arbitrary_text_never_crashes_the_loader(fuzz_root: Path, text: str):
    _check_never_crashes(fuzz_root, text.encode("utf-8", errors="surrogatepass"))


@_FUZZ
@given(value=_STRUCTURES)
def test_arbitrary_yaml_never_crashes_the_loader(fuzz_root: Path, value: Any):
    text = yaml.safe_dump(value, allow_unicode=True)
    _check_never_crashes(fuzz_root, text.encode("utf-8", errors="surrogatepass"))
