"""Folder walking: which files of the content folder the loader reads, and a
report for every YAML file it would otherwise silently ignore.

The loader reads ``categories.yaml``, ``countries/<id>/country.yaml``,
``regions/<id>/region.yaml`` and the files in their ``entries/`` folders. An
entry anywhere else (next to region.yaml, in a mistyped folder such as
``entry/``, in a folder inside ``entries/``) would never reach newcomers, and
nobody would notice: :func:`report_unread_yaml` names each such file and says
where it belongs. Nothing here raises for what is in the folder; unreadable
folders count as empty.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

from bot.content.load.files import UnreadableFile, read_content_file
from bot.content.load.problems import Collector

#: Files at the top of the content folder that are not content but are expected
#: there: the staff roles (bot/content/staff.py) and their example.
KNOWN_TOP_FILES = frozenset({"staff.yaml", "staff.yml", "staff.example.yaml"})

#: The folders whose sub-folders (one per country or region) the loader reads.
AREA_FOLDERS = ("countries", "regions")


def listdir(folder: Path) -> list[str]:
    """The names in ``folder``, sorted; [] when it is missing or unreadable."""
    try:
        return sorted(os.listdir(folder))
    except OSError:
        return []


def is_yaml_name(name: str) -> bool:
    """True for ``x.yaml`` and ``x.yml`` in any letter case."""
    return name.lower().endswith((".yaml", ".yml"))


def looks_like_yaml(name: str) -> bool:
    """A name meant as YAML but not read as such ('x.YAML', 'x.yaml.txt'); not backups."""
    return re.search(r"\.ya?ml", name, re.IGNORECASE) is not None and not name.endswith("~")


def yaml_files(folder: Path, out: Collector | None = None) -> Iterator[Path]:
    """The ``.yaml``/``.yml`` names in ``folder`` that are not folders (links, pipes
    and the like too: reading them reports them); reports (to ``out``) files and
    folders that an editor put there but the bot would silently ignore."""
    for name in listdir(folder):
        if name.startswith("."):
            continue
        path = folder / name
        if name.endswith((".yaml", ".yml")):
            if not path.is_dir():
                yield path
            elif out is not None:
                out.add(
                    out.rel(path),
                    1,
                    "this is a folder, not a file — entry files go directly in entries/",
                )
        elif out is not None and looks_like_yaml(name) and path.is_file():
            stem = re.split(r"\.ya?ml", name, flags=re.IGNORECASE)[0]
            out.add(
                out.rel(path),
                1,
                f"this file is not read: an entry file's name ends in .yaml — rename it to "
                f"{stem}.yaml",
            )
        elif (
            out is not None
            and path.is_dir()
            and any(n.endswith((".yaml", ".yml")) for n in listdir(path))
        ):
            out.add(
                out.rel(path),
                1,
                "the files in this folder are not read — move them directly into entries/",
            )


def _next_to_area_file(path: Path, root: Path, parts: tuple[str, ...]) -> str | None:
    """Advice for a YAML file next to region.yaml or country.yaml: an entry put
    there by mistake, something that is not a file at all, or another file."""
    area, name = parts[1], parts[-1]
    try:
        raw = read_content_file(path, root)
    except UnreadableFile as exc:
        return exc.message  # a pipe, a link out of the folder, …: never read
    if re.search(rb"^category:", raw, re.MULTILINE):
        kind = "national entries" if parts[0] == "countries" else "entry files"
        return f"this entry file is not read — {kind} belong in {parts[0]}/{area}/entries/: move it there"
    if not is_yaml_name(name):
        return None  # notes.yaml.txt, tool files: not meant for the bot
    return (
        "this file is not in an entries/ folder, so the bot does not read it — if it is an "
        f"entry, move it to {root.name or 'content'}/{parts[0]}/{area}/entries/; otherwise "
        "delete it"
    )


def _advice(root: Path, parts: tuple[str, ...], path: Path) -> str | None:
    """What to tell the editor about the unread file ``path`` (``parts``: its path
    below ``root``); None for files that are fine where they are."""
    if len(parts) == 1:
        if parts[0] in KNOWN_TOP_FILES:
            return None
        return (
            "this file is not read — at the top of the content folder the bot reads only "
            "categories.yaml; entries go in regions/<id>/entries/ or countries/<id>/entries/ "
            "(see content/README.md): move the file there, or delete it"
        )
    if parts[0] not in AREA_FOLDERS or len(parts) < 3:
        return (
            f"this file is in a folder the bot does not read ({parts[0]}/) — entries go in "
            "regions/<id>/entries/ or countries/<id>/entries/: move the file there, or delete it"
        )
    if len(parts) == 3:
        return _next_to_area_file(path, root, parts)
    entries = f"{root.name or 'content'}/{parts[0]}/{parts[1]}/entries/"
    if parts[2] == "entries":
        return (
            "this file is in a folder inside entries/, so the bot does not read it — move it "
            f"directly into {entries}"
        )
    return (
        f"this file is not in an entries/ folder, so the bot does not read it — move it to "
        f"{entries}"
    )


def report_unread_yaml(root: Path, read: set[Path], out: Collector) -> None:
    """Report every YAML file below ``root`` that the loader neither read (``read``:
    the paths it tried; a file read through a link counts as read) nor reported
    already, with what to do about it.

    Hidden files and folders (``.git``) are skipped, and linked folders are not
    followed. Files that are reported already (or lie in a reported folder) are
    not reported again. Raises nothing.
    """
    read_names = {os.fspath(path) for path in read}
    read_targets: set[str] | None = None  # computed only if needed: rare and slow
    reported = {problem.file for problem in out.problems}
    for folder, dirs, names in os.walk(root, onerror=lambda _: None, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        if out.rel(Path(folder)) in reported:
            dirs[:] = []
            continue
        for name in sorted(names):
            if name.startswith(".") or not looks_like_yaml(name):
                continue
            full = os.path.join(folder, name)
            if full in read_names:
                continue
            path = Path(full)
            parts = path.relative_to(root).parts
            if (not is_yaml_name(name) and len(parts) != 3) or out.rel(path) in reported:
                continue
            advice = _advice(root, parts, path)
            if advice is None:
                continue
            if read_targets is None:  # files inside the folder read through a link
                inside = os.path.realpath(root)
                read_targets = {
                    target
                    for target in map(os.path.realpath, read_names)
                    if target.startswith(inside + os.sep)
                }
            if os.path.realpath(full) not in read_targets:
                out.add(out.rel(path), 1, advice)
