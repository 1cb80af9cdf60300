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
    helpdesks:                 # "Ask a person" (bot/handoff): one forum supergroup each
      - chat_id: -1001234567890
        regions: [miselerland]          # or municipalities: [remich]
        opening_hours: "Mo-Fr 09:00-12:00; Th 14:00-17:00"
        language: fr                    # the staff's language (default: the region's)
    helpdesk_retention_days: 30         # closed conversations are deleted after this

A helpdesk answers for the municipalities it names and every municipality of
the regions it names; a municipality's own helpdesk wins over its region's.
Staff answer there if their role is admin, or social_worker with one of those
municipalities or regions in scope (:meth:`Staff.may_answer`). What the bot writes
in the group is in the helpdesk's ``language`` (:func:`staff_language`).

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

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from bot.content import hours
from bot.content.load.files import UnreadableFile, read_regular_file
from bot.content.load.problems import Problem
from bot.content.store import Content
from bot.i18n import DEFAULT_LANGUAGE, LANGUAGES

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


class Helpdesk(BaseModel):
    """A Telegram supergroup with topics where a municipality's social workers answer."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    #: The supergroup's chat id (negative, e.g. -1001234567890).
    chat_id: int = Field(lt=0)
    municipalities: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    #: When staff usually answer, in OpenStreetMap opening_hours syntax (local time).
    opening_hours: str
    #: The language the staff read (a UI language code); None: the region's language
    #: (:func:`staff_language`).
    language: str | None = None

    @field_validator("language")
    @classmethod
    def _language(cls, value: str | None) -> str | None:
        if value is not None and value not in LANGUAGES:
            raise ValueError(
                f"unknown language {value!r}: use one of {', '.join(sorted(LANGUAGES))}"
            )
        return value

    @field_validator("opening_hours")
    @classmethod
    def _hours(cls, value: str) -> str:
        problem = hours.explain_syntax_error(value)
        if problem:
            raise ValueError(problem)
        return value

    @model_validator(mode="after")
    def _serves_somewhere(self) -> Helpdesk:
        if not self.municipalities and not self.regions:
            raise ValueError("a helpdesk needs municipalities or regions it answers for")
        return self


def staff_language(desk: Helpdesk, content: Content) -> str:
    """The language the bot writes in ``desk``'s group: its ``language``, else the
    default language of the region of its first municipality or region the content
    knows, else English (also when that default is no UI language)."""
    if desk.language:
        return desk.language
    regions = [place.region for place in map(content.place, desk.municipalities) if place]
    regions += [content.regions[r] for r in desk.regions if r in content.regions]
    if regions and regions[0].default_language in LANGUAGES:
        return regions[0].default_language
    return DEFAULT_LANGUAGE


class StaffFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    staff: list[StaffMember] = Field(default_factory=list)
    helpdesks: list[Helpdesk] = Field(default_factory=list)
    helpdesk_retention_days: int = Field(default=30, ge=1, le=3650)

    @model_validator(mode="after")
    def _one_helpdesk_each(self) -> StaffFile:
        chats: set[int] = set()
        served: set[tuple[str, str]] = set()
        for i, desk in enumerate(self.helpdesks):
            if desk.chat_id in chats:
                raise _At(("helpdesks", i, "chat_id"), f"chat {desk.chat_id} is listed twice")
            chats.add(desk.chat_id)
            for kind, ids in (("municipalities", desk.municipalities), ("regions", desk.regions)):
                for place in ids:
                    if (kind, place) in served:
                        raise _At(
                            ("helpdesks", i, kind),
                            f"{place} already has a helpdesk (one per municipality or region)",
                        )
                    served.add((kind, place))
        return self


class _At(ValueError):
    """A validation error that knows where in the file it is (path of keys)."""

    def __init__(self, loc: tuple, message: str):
        self.loc = loc
        super().__init__(message)


def _line_of(data: object, loc: tuple) -> int:
    """1-based line of the deepest key of ``loc`` found in round-trip YAML ``data``."""
    line = 0
    node = data
    for key in loc:
        lc = getattr(node, "lc", None)
        try:
            if isinstance(node, CommentedMap) and key in node:
                line = lc.key(key)[0] if lc else line
            elif isinstance(node, CommentedSeq) and isinstance(key, int) and key < len(node):
                line = lc.item(key)[0] if lc else line
            else:
                break
            node = node[key]
        except (KeyError, IndexError, TypeError, AttributeError):
            break
    return line + 1


class StaffFileInvalid(Exception):
    """The staff file cannot be used; ``problem`` says where and why."""

    def __init__(self, problem: Problem):
        self.problem = problem
        super().__init__(str(problem))


@dataclasses.dataclass(frozen=True)
class Staff:
    """The staff directory at one moment (immutable; reload builds a new one)."""

    members: dict[int, StaffMember]
    helpdesks: tuple[Helpdesk, ...] = ()
    helpdesk_retention_days: int = 30

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
        yaml = YAML(typ="rt")  # round trip: keeps line numbers for messages
        data: object = {}
        try:
            # Size-capped, and never blocks on a pipe swapped in after is_file().
            data = yaml.load(read_regular_file(path).decode("utf-8")) or {}
            parsed = StaffFile.model_validate(data)
        except UnreadableFile as exc:
            raise StaffFileInvalid(Problem(str(path), 1, exc.message)) from None
        except ValidationError as exc:
            first = exc.errors(include_url=False)[0]
            cause = (first.get("ctx") or {}).get("error")
            loc = cause.loc if isinstance(cause, _At) else tuple(first["loc"])
            message = str(cause) if cause is not None else first["msg"]
            where = ".".join(map(str, loc))
            problem = Problem(str(path), _line_of(data, loc), f"{where}: {message}")
            raise StaffFileInvalid(problem) from None
        except Exception as exc:
            line = getattr(getattr(exc, "problem_mark", None), "line", 0) + 1
            problem = Problem(str(path), line, f"not valid YAML ({type(exc).__name__})")
            raise StaffFileInvalid(problem) from None
        return cls(
            {m.user_id: m for m in parsed.staff},
            tuple(parsed.helpdesks),
            parsed.helpdesk_retention_days,
        )

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

    # -- helpdesks ("Ask a person") -------------------------------------------------

    def helpdesk_for(self, municipality_id: str | None, content: Content) -> Helpdesk | None:
        """The helpdesk answering people of ``municipality_id``: its own, else its region's."""
        place = content.place(municipality_id)
        if place is None:
            return None
        for desk in self.helpdesks:
            if place.municipality.id in desk.municipalities:
                return desk
        for desk in self.helpdesks:
            if place.region.id in desk.regions:
                return desk
        return None

    def helpdesk(self, chat_id: int | None) -> Helpdesk | None:
        """The helpdesk whose group is ``chat_id``, or None (not a helpdesk)."""
        return next((d for d in self.helpdesks if d.chat_id == chat_id), None)

    def may_answer(self, user_id: int | None, desk: Helpdesk, content: Content) -> bool:
        """True if the user may answer and act in ``desk``: an admin, or a social worker
        whose municipalities or regions overlap the helpdesk's."""
        member = self.member(user_id)
        if member is None:
            return False
        if member.role == "admin":
            return True
        if member.role != "social_worker":
            return False
        if set(member.regions) & set(desk.regions):
            return True
        served = set(desk.municipalities)
        for region_id in desk.regions:
            region = content.regions.get(region_id)
            if region:
                served.update(m.id for m in region.municipalities)
        return bool(served & self.municipalities_in_scope(user_id, content))

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
