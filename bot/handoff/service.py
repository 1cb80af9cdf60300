"""Ask a person: one anonymous conversation at a time between a newcomer and the
social workers of their municipality's helpdesk (a Telegram forum supergroup).

The bot opens one forum topic per conversation, titled with the ticket number,
the person's language and municipality (never their name, username or id), and
copies each message with ``copyMessage``, so neither side sees the other's
account. Staff answer by writing in the topic; every staff action is authorised
when it is carried out (:meth:`bot.content.staff.Staff.may_answer`, in the
helpdesk's own group). Messages pass through the durable outbox of
:mod:`bot.handoff.relay`.
"""

from __future__ import annotations

import collections
import dataclasses
import datetime as dt
import logging
from collections.abc import Callable

from opening_hours import OpeningHours, State
from telegram import Bot
from telegram.error import BadRequest, Forbidden, TimedOut

from bot.content.staff import Helpdesk, staff_language
from bot.content.store import Place
from bot.handoff.relay import Permanent, RelayWorker
from bot.i18n import Translator, translator
from bot.storage.handoff import (
    BLOCKED,
    CLOSED,
    NOTICE,
    NOTICE_BLOCKED,
    NOTICE_CLOSED,
    NOTICE_HANDED_OVER,
    TO_PERSON,
    TO_STAFF,
    Conversation,
    HandoffStore,
    Relay,
)
from bot.views import handoff as views

log = logging.getLogger(__name__)

#: Messages a person may send per hour; beyond that they get a kind message and
#: the message is not passed on.
MESSAGES_PER_HOUR = 20
#: Outside the helpdesk's hours the automatic reply comes at most this often per
#: conversation (seconds).
AUTO_REPLY_EVERY = 3600


def closed_until(
    text: str, now: dt.datetime, country: str | None
) -> tuple[bool | None, dt.datetime | None]:
    """Whether the helpdesk is open at local time ``now`` and, if closed, when it opens
    (None: not within a week).

    Not :func:`bot.content.hours.status`: that also asks when an open period ends,
    which opening-hours-py answers for 'Mo-Su 00:00-24:00' only after seconds of
    searching (measured: 1.2-2.2 s, blocking the event loop). Here the next change is
    asked only while closed, when the answer is the next opening.
    """
    oh = OpeningHours(text, country=country.upper() if country else None)
    state = oh.state(now)
    state = state[0] if isinstance(state, tuple) else state
    if state != State.CLOSED:
        return (True if state == State.OPEN else None), None
    opens = oh.next_change(now)
    if opens is not None and opens - now > dt.timedelta(days=7):
        opens = None
    return False, opens


@dataclasses.dataclass(frozen=True)
class Outcome:
    """What became of a newcomer's message: ``relayed`` (and, outside the hours, when
    the helpdesk opens), ``too_many`` or ``no_conversation``."""

    kind: str
    closed_until: dt.datetime | None = None
    outside_hours: bool = False


class Handoff:
    """The service; one per Application, in ``bot_data.handoff``."""

    def __init__(self, data, bot: Bot):
        self.data = data  # BotData: snapshot, staff, storage, clock (read at each use)
        self.bot = bot
        self.store: HandoffStore  # set in start(): the database opens in post_init
        self.relay: RelayWorker
        #: People with an open conversation (their private messages go to the helpdesk).
        self.open_users: set[int] = set()
        self._recent: dict[int, collections.deque[float]] = {}
        self._auto_replied: dict[str, float] = {}

    def _now(self) -> float:
        return self.data.clock().timestamp()

    async def start(self) -> None:
        self.store = self.data.storage.handoff
        self.relay = RelayWorker(self.store, self._send, clock=self._now)
        self.open_users = set(await self.store.open_user_ids())
        self.relay.start()

    async def stop(self) -> None:
        if hasattr(self, "relay"):
            await self.relay.stop()

    # -- where a person belongs ----------------------------------------------------------

    def helpdesk_of(self, place: Place | None) -> Helpdesk | None:
        if place is None:
            return None
        return self.data.staff.helpdesk_for(place.municipality.id, self.data.snapshot.content)

    def handover_example(self, helpdesk_chat_id: int) -> str:
        """A municipality id another helpdesk than ``helpdesk_chat_id`` serves (for the
        /handover usage text); any municipality if there is none."""
        places = self.data.snapshot.content.places
        for municipality, place in places.items():
            desk = self.helpdesk_of(place)
            if desk is not None and desk.chat_id != helpdesk_chat_id:
                return municipality
        return next(iter(places), "remich")

    def available(self, place: Place | None) -> bool:
        """True if people of ``place`` can ask a person (a helpdesk is configured)."""
        return self.helpdesk_of(place) is not None

    # -- the newcomer's side -------------------------------------------------------------

    async def open(self, user_id: int, desk: Helpdesk) -> Conversation | None:
        """The person's open conversation (new if none); None if the line is closed for them."""
        if await self.store.is_blocked(user_id, desk.chat_id):
            return None
        conversation = await self.store.start(user_id, desk.chat_id, self._now())
        self.open_users.add(user_id)
        return conversation

    async def person_message(self, user_id: int, message_id: int, place: Place | None) -> Outcome:
        """Queue a newcomer's message for their helpdesk topic."""
        conversation = await self.store.open_conversation_of(user_id)
        if conversation is None:
            self.open_users.discard(user_id)
            return Outcome("no_conversation")
        now = self._now()
        recent = self._recent.setdefault(user_id, collections.deque())
        while recent and recent[0] <= now - 3600:
            recent.popleft()
        if len(recent) >= MESSAGES_PER_HOUR:
            return Outcome("too_many")
        recent.append(now)
        await self.store.enqueue(conversation.ticket, TO_STAFF, user_id, message_id, now)
        self.relay.wake()
        desk = self.data.staff.helpdesk(conversation.helpdesk_chat_id)
        if desk is None or place is None:
            return Outcome("relayed")
        last = self._auto_replied.get(conversation.ticket)
        if last is not None and now - last < AUTO_REPLY_EVERY:
            return Outcome("relayed")
        local = self.data.local_now(place.region)
        try:
            is_open, opens = closed_until(desk.opening_hours, local, place.region.country)
        except Exception:  # validated at load; a library surprise must not drop the reply
            return Outcome("relayed")
        if is_open is not False:
            return Outcome("relayed")
        self._auto_replied[conversation.ticket] = now
        return Outcome("relayed", opens, outside_hours=True)

    async def stop_chat(self, user_id: int) -> bool:
        """The person ends their conversation; the topic is told. False if none was open."""
        conversation = await self.store.open_conversation_of(user_id)
        self.open_users.discard(user_id)
        if conversation is None or not await self.store.end(
            conversation.ticket, CLOSED, self._now()
        ):
            return False
        await self._tell_topic(conversation, views.staff_person_left, close=True)
        return True

    async def forget(self, user_id: int) -> None:
        """/forget: end the conversation and delete every link to the person."""
        self.open_users.discard(user_id)
        self._recent.pop(user_id, None)
        for conversation in await self.store.forget(user_id):
            await self._tell_topic(conversation, views.staff_person_forgot, close=True)

    # -- the staff side --------------------------------------------------------------------

    def staff_t(self, chat_id: int) -> Translator:
        """The translator for what the bot writes in the group ``chat_id``: the helpdesk's
        language (English for a group that is no helpdesk, e.g. one removed from the file)."""
        desk = self.data.staff.helpdesk(chat_id)
        if desk is None:
            return translator(None)
        return translator(staff_language(desk, self.data.snapshot.content))

    def authorised(self, chat_id: int, user_id: int | None) -> tuple[Helpdesk | None, bool]:
        """The helpdesk of ``chat_id`` (None: not a helpdesk) and whether ``user_id`` may
        act there; checked on every staff message and action."""
        desk = self.data.staff.helpdesk(chat_id)
        if desk is None:
            return None, False
        return desk, self.data.staff.may_answer(user_id, desk, self.data.snapshot.content)

    async def conversation_in(self, chat_id: int, topic_id: int | None) -> Conversation | None:
        if topic_id is None:
            return None
        return await self.store.by_topic(chat_id, topic_id)

    async def staff_reply(self, conversation: Conversation, chat_id: int, message_id: int) -> None:
        await self.store.enqueue(conversation.ticket, TO_PERSON, chat_id, message_id, self._now())
        self.relay.wake()

    async def end(self, conversation: Conversation, *, block: bool) -> bool:
        """Close (or block) the conversation; the person is told in order after any reply
        still queued. False if it was no longer open."""
        now = self._now()
        if not await self.store.end(conversation.ticket, BLOCKED if block else CLOSED, now):
            return False
        self.open_users.discard(conversation.user_id)
        notice = NOTICE_BLOCKED if block else NOTICE_CLOSED
        await self.store.enqueue(conversation.ticket, NOTICE, 0, notice, now)
        self.relay.wake()
        await self._close_topic(conversation)
        return True

    async def hand_over(self, conversation: Conversation, target: Helpdesk) -> None:
        """Move the conversation to ``target``'s group: a new topic there, the old one closed."""
        now = self._now()
        await self._close_topic(conversation)
        await self.store.move(conversation.ticket, target.chat_id, now)
        moved = await self.store.by_ticket(conversation.ticket)
        if moved is not None:
            try:
                await self._ensure_topic(moved, handed_over=True)
            except Exception as exc:  # the next relay to staff tries again
                log.warning("handover: topic not created yet (%s)", type(exc).__name__)
        await self.store.enqueue(conversation.ticket, NOTICE, 0, NOTICE_HANDED_OVER, now)
        self.relay.wake()

    async def purge(self) -> int:
        return await self.store.purge(self._now(), self.data.staff.helpdesk_retention_days)

    # -- sending -------------------------------------------------------------------------

    async def _person(self, user_id: int) -> tuple[str | None, Place | None]:
        user = await self.data.storage.get_user(user_id)
        if user is None:
            return None, None
        return user.language, self.data.snapshot.content.place(user.municipality)

    async def _ensure_topic(self, conversation: Conversation, *, handed_over: bool = False) -> int:
        if conversation.topic_id is not None:
            return conversation.topic_id
        language, place = await self._person(conversation.user_id)
        t = self.staff_t(conversation.helpdesk_chat_id)
        try:
            topic = await self.bot.create_forum_topic(
                conversation.helpdesk_chat_id,
                views.topic_title(conversation.ticket, language, place, t),
            )
        except BadRequest as exc:
            # Topics off, or the bot lacks "manage topics": the staff must fix the group;
            # keep the messages and try again later.
            log.error("helpdesk %s: cannot create a topic: %s", conversation.helpdesk_chat_id,
                      exc.message)  # fmt: skip
            raise TimedOut("helpdesk not ready") from None
        topic_id = topic.message_thread_id
        await self.store.set_topic(conversation.ticket, topic_id, self._now())
        header = views.topic_header(
            conversation.ticket, language, place, t, handed_over=handed_over
        )
        await self.bot.send_message(
            conversation.helpdesk_chat_id,
            header.text,
            message_thread_id=topic_id,
            reply_markup=header.keyboard,
        )
        return topic_id

    async def _send(self, relay: Relay) -> None:
        conversation = await self.store.by_ticket(relay.ticket)
        if conversation is None:
            raise Permanent("conversation deleted")
        if relay.direction == TO_STAFF:
            topic_id = await self._ensure_topic(conversation)
            try:
                await self.bot.copy_message(
                    conversation.helpdesk_chat_id,
                    relay.from_chat_id,
                    relay.message_id,
                    message_thread_id=topic_id,
                )
            except BadRequest as exc:
                if "thread not found" not in exc.message.lower():
                    raise
                # Staff deleted the topic: the next attempt opens a new one.
                await self.store.set_topic(conversation.ticket, None, self._now())
                raise TimedOut("topic deleted") from None
        elif relay.direction == TO_PERSON:
            try:
                await self.bot.copy_message(
                    conversation.user_id, relay.from_chat_id, relay.message_id
                )
            except Forbidden:
                # The person blocked the bot: nothing will reach them; staff are told.
                if await self.store.end(conversation.ticket, CLOSED, self._now()):
                    self.open_users.discard(conversation.user_id)
                    await self._tell_topic(conversation, views.staff_person_gone, close=True)
                raise Permanent("the person blocked the bot") from None
        elif relay.direction == NOTICE:
            language, _ = await self._person(conversation.user_id)
            t = translator(language)
            if relay.message_id == NOTICE_CLOSED:
                view = views.ended(t)
                await self.bot.send_message(
                    conversation.user_id, view.text, reply_markup=view.keyboard
                )
            elif relay.message_id == NOTICE_BLOCKED:
                await self.bot.send_message(conversation.user_id, views.line_closed(t))
            elif relay.message_id == NOTICE_HANDED_OVER:
                await self.bot.send_message(conversation.user_id, views.handed_over(t))
            else:
                raise Permanent("unknown notice")
        else:
            raise Permanent("unknown direction")

    async def _tell_topic(
        self, conversation: Conversation, line: Callable[[Translator], str], *, close: bool
    ) -> None:
        """Best effort: a line (in the helpdesk's language) in the conversation's topic
        (and close it)."""
        if conversation.topic_id is None:
            return
        chat_id = conversation.helpdesk_chat_id
        try:
            text = line(self.staff_t(chat_id))
            await self.bot.send_message(chat_id, text, message_thread_id=conversation.topic_id)
        except Exception as exc:
            log.warning("helpdesk topic not told (%s)", type(exc).__name__)
        if close:
            await self._close_topic(conversation)

    async def _close_topic(self, conversation: Conversation) -> None:
        if conversation.topic_id is None:
            return
        try:
            await self.bot.close_forum_topic(conversation.helpdesk_chat_id, conversation.topic_id)
        except Exception as exc:
            log.warning("helpdesk topic not closed (%s)", type(exc).__name__)
