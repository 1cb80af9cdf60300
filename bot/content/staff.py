"""Staff roles from a YAML file: who may announce, edit content or administer.

The file (``BOT_STAFF_FILE``, default ``content/staff.yaml``) lists staff by
Telegram user id::

    staff:
      - user_id: 123456789
        role: admin            # everything; /grant and /revoke
      - user_id: 234567890
        role: social_worker    # /announce to these municipalities or regions
        municipalities: [remich, grevenmacher]
        regions: []
      - user_id: 345678901
        role: editor           # /reload, /coverage, /gaps
        regions: [miselerland]

Every staff action is authorised when it is carried out (:meth:`Staff.can`), not
only when its menu is shown. /grant and /revoke rewrite the file with
ruamel.yaml, keeping its comments and key order.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterable
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from bot.content.load.files import UnreadableFile, read_regular_file
from bot.content.load.problems import Problem
from bot.content.store import Content

log = logging.getLogger(__name__)

Role = Literal["admin", "social_worker", "editor"]
ROLES: tuple[str, ...] = ("admin", "social_worker", "editor")

#: What each role may do. ``announce`` is additionally limited to the member's scope.
PERMISSIONS: dict[str, frozenset[str]] = {
    "admin": frozenset(
        {"announce", "cancel", "grant", "reload", "coverage", "gaps", "list", "stats", "feedback"}
    ),
    "social_worker": frozenset({"announce", "list"}),
    "editor": frozenset({"reload", "coverage", "gaps", "feedback"}),
}


class StaffMember(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    user_id: int = Field(gt=0)
    role: Role
    municipalities: list[str] = Field(default_factory=list)
    regions: list[str] = Field(default_factory=list)


class StaffFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    staff: list[StaffMember] = Field(default_factory=list)


class StaffFileInvalid(Exception):
    """The staff file cannot be used; ``problem`` says where and why."""

    def __init__(self, problem: Problem):
        self.problem = problem
        super().__init__(str(problem))


@dataclasses.dataclass(frozen=True)
class Staff:
    """The staff directory at one moment (immutable; reload builds a new one)."""

    members: dict[int, StaffMember]

    @classmethod
    def empty(cls) -> Staff:
        return cls({})

    @classmethod
    def load(cls, path: Path) -> Staff:
        """Read the staff file; a missing file means no staff.

        Raises StaffFileInvalid for YAML or schema errors (with ``file:line``).
        """
        if not path.is_file():
            return cls.empty()
        yaml = YAML(typ="safe")
        try:
            # Size-capped, and never blocks on a pipe swapped in after is_file().
            data = yaml.load(read_regular_file(path).decode("utf-8")) or {}
            parsed = StaffFile.model_validate(data)
        except UnreadableFile as exc:
            raise StaffFileInvalid(Problem(str(path), 1, exc.message)) from None
        except ValidationError as exc:
            first = exc.errors(include_url=False)[0]
            where = ".".join(map(str, first["loc"]))
            raise StaffFileInvalid(Problem(str(path), 1, f"{where}: {first['msg']}")) from None
        except Exception as exc:
            line = getattr(getattr(exc, "problem_mark", None), "line", 0) + 1
            problem = Problem(str(path), line, f"not valid YAML ({type(exc).__name__})")
            raise StaffFileInvalid(problem) from None
        return cls({m.user_id: m for m in parsed.staff})

    def member(self, user_id: int | None) -> StaffMember | None:
        return self.members.get(user_id) if user_id is not None else None

    def can(self, user_id: int | None, permission: str) -> bool:
        """True if the user has a role that grants ``permission``."""
        member = self.member(user_id)
        return member is not None and permission in PERMISSIONS[member.role]

    def municipalities_in_scope(self, user_id: int | None, content: Content) -> set[str]:
        """Municipality ids the user may announce to (admins: all)."""
        member = self.member(user_id)
        if member is None or "announce" not in PERMISSIONS[member.role]:
            return set()
        if member.role == "admin":
            return set(content.places)
        ids = {m for m in member.municipalities if m in content.places}
        for region_id in member.regions:
            region = content.regions.get(region_id)
            if region:
                ids.update(m.id for m in region.municipalities)
        return ids

    def may_announce_to(
        self, user_id: int | None, targets: Iterable[str], content: Content
    ) -> bool:
        """True if every target municipality is in the user's scope (and there is one)."""
        targets = set(targets)
        return bool(targets) and targets <= self.municipalities_in_scope(user_id, content)

    def ids_with(self, permission: str) -> list[int]:
        return sorted(uid for uid in self.members if self.can(uid, permission))


def write_member(path: Path, member: StaffMember | None, user_id: int) -> None:
    """Add, replace (``member``) or remove (``member=None``) one entry in the staff file.

    Round-trips with ruamel.yaml, so comments and key order stay as editors wrote them.
    """
    yaml = YAML()
    yaml.indent(mapping=2, sequence=4, offset=2)
    data = yaml.load(path.read_text(encoding="utf-8")) if path.is_file() else None
    if not isinstance(data, CommentedMap):
        data = CommentedMap()
    staff = data.get("staff")
    if not isinstance(staff, CommentedSeq):
        staff = CommentedSeq()
        data["staff"] = staff
    index = next((i for i, m in enumerate(staff) if m.get("user_id") == user_id), None)
    if member is None:
        if index is not None:
            del staff[index]
    else:
        entry = CommentedMap(user_id=member.user_id, role=member.role)
        if member.municipalities:
            entry["municipalities"] = list(member.municipalities)
        if member.regions:
            entry["regions"] = list(member.regions)
        if index is None:
            staff.append(entry)
        else:
            staff[index] = entry
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as fp:
        yaml.dump(data, fp)
    tmp.replace(path)  # atomic: a crash never leaves half a staff file
