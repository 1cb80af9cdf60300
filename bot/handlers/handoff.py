"""Ask a person (issue 13): the newcomer's buttons and messages, and the staff's
messages, commands and buttons in the helpdesk topics.

The logic is in :mod:`bot.handoff.service`; these handlers check who acts where
and say what happened. Staff actions are authorised each time, in the helpdesk's
own group only (:meth:`bot.handoff.service.Handoff.authorised`).
"""

from __future__ import annotations

import logging
from html import escape

from telegram import Update
from telegram.ext import filters

from bot.handlers.common import Context, back_to_start, current_user, show, tapped, user_place
from bot.views import handoff as views
from bot.views.newcomer import stale_button

log = logging.getLogger(__name__)


class InConversation(filters.UpdateFilter):
    """Private messages of people with an open conversation (kept in memory by the
    service, loaded from the database at start)."""

    def __init__(self, data) -> None:
        super().__init__(name="InConversation")
        self.data = data

    def filter(self, update: Update) -> bool:
        service = getattr(self.data, "handoff", None)
        user = update.effective_user
        return service is not None and user is not None and user.id in service.open_users


#: What a newcomer may send into a conversation.
RELAYED = (
    filters.TEXT
    | filters.PHOTO
    | filters.VOICE
    | filters.Document.ALL
    | filters.VIDEO
    | filters.AUDIO
    | filters.VIDEO_NOTE
)


# -- the newcomer's side -----------------------------------------------------------------


async def on_ask_button(update: Update, context: Context) -> None:
    """``ask:go`` opens (or shows again) the conversation; ``ask:stop`` ends it."""
    user, t = await current_user(update, context)
    service = context.bot_data.handoff
    if tapped(update).arg(0) == "stop":
        await update.callback_query.answer()
        await stop_chat(update, context)
        return
    place = user_place(context, user)
    desk = service.helpdesk_of(place)
    if desk is None:  # no helpdesk (any more) for this place: an old button
        await update.callback_query.answer(stale_button(t))
        await back_to_start(update, context, user, t)
        return
    await update.callback_query.answer()
    already_open = update.effective_user.id in service.open_users
    conversation = await service.open(update.effective_user.id, desk)
    if conversation is None:
        await show(update, context, views.line_closed(t), edit=False)
        return
    if not already_open:  # a new conversation, for the council's usage counts
        context.bot_data.stats.count("handoff", language=t.lang, municipality=place.municipality.id, user_id=update.effective_user.id)  # fmt: skip
    now = context.bot_data.local_now(place.region)
    content = context.bot_data.snapshot.content
    await show(update, context, views.intro(content, place, desk, t, now), edit=False)


async def stop_chat_command(update: Update, context: Context) -> None:
    """/stop_chat: end the conversation (the topic is told and closed)."""
    await stop_chat(update, context)


async def stop_chat(update: Update, context: Context) -> None:
    _, t = await current_user(update, context)
    if await context.bot_data.handoff.stop_chat(update.effective_user.id):
        await show(update, context, views.ended(t), edit=False)
    else:
        await show(update, context, views.no_conversation(t), edit=False)


async def on_private_message(update: Update, context: Context) -> None:
    """A message of a person with an open conversation: queued for the helpdesk topic."""
    user, t = await current_user(update, context)
    service = context.bot_data.handoff
    place = user_place(context, user)
    message = update.effective_message
    outcome = await service.person_message(update.effective_user.id, message.message_id, place)
    if outcome.kind == "too_many":
        await message.reply_text(views.too_many(t))
    elif outcome.kind == "relayed" and outcome.outside_hours and place is not None:
        now = context.bot_data.local_now(place.region)
        await message.reply_text(views.outside_hours(t, now, outcome.closed_until))
    elif outcome.kind == "no_conversation":
        await message.reply_text(views.no_conversation(t))


# -- the staff side ------------------------------------------------------------------------


def _who(update: Update) -> str:
    """How the topic names the staff member who acted (shown to staff only, never stored)."""
    user = update.effective_user
    return user.full_name if user else "?"


async def on_group_message(update: Update, context: Context) -> None:
    """A message in a group. In a helpdesk's conversation topic, a staff member's message
    is passed on to the person; anything else is not (and never leaves the group)."""
    message = update.effective_message
    chat = update.effective_chat
    if message is None or chat is None or message.from_user is None or message.from_user.is_bot:
        return
    service = context.bot_data.handoff
    desk, allowed = service.authorised(chat.id, message.from_user.id)
    if desk is None:
        return  # not a helpdesk: the bot ignores group chatter
    thread = message.message_thread_id if message.is_topic_message else None
    conversation = await service.conversation_in(chat.id, thread)
    if conversation is None:
        return  # the General topic or another topic: staff talk among themselves
    t = service.staff_t(chat.id)
    if not allowed:
        await message.reply_text(escape(views.staff_not_allowed(t)))
        return
    if conversation.state != "open":
        await message.reply_text(escape(views.staff_not_open(t)))
        return
    await service.staff_reply(conversation, chat.id, message.message_id)


async def _staff_conversation(update: Update, context: Context, ticket: str | None = None):
    """The open conversation of the topic a staff command is used in (or of the button's
    ``ticket``, in this group), after checking the group is a helpdesk and the user may
    act there; None after a refusal (in the helpdesk's language; in a group that is no
    helpdesk, in the user's)."""
    chat = update.effective_chat
    message = update.effective_message
    service = context.bot_data.handoff
    desk, allowed = service.authorised(chat.id, update.effective_user.id)
    refusal = None
    conversation = None
    if desk is None:
        _, t = await current_user(update, context)
        refusal = views.staff_not_a_helpdesk(t)
    elif not allowed:
        refusal = views.staff_not_allowed(service.staff_t(chat.id))
    else:
        t = service.staff_t(chat.id)
        if ticket is not None:
            conversation = await service.store.by_ticket(ticket)
            if conversation is not None and conversation.helpdesk_chat_id != chat.id:
                conversation = None  # a button of another helpdesk's topic
        else:
            thread = message.message_thread_id if message and message.is_topic_message else None
            conversation = await service.conversation_in(chat.id, thread)
        if conversation is None:
            refusal = views.staff_no_ticket(t)
        elif conversation.state != "open":
            refusal, conversation = views.staff_not_open(t), None
    if refusal is not None:
        if update.callback_query is not None:
            await update.callback_query.answer(refusal, show_alert=True)  # plain text
        elif message is not None:
            await message.reply_text(escape(refusal))
    return conversation


async def close_command(update: Update, context: Context) -> None:
    await _end(update, context, block=False)


async def block_command(update: Update, context: Context) -> None:
    await _end(update, context, block=True)


async def _end(update: Update, context: Context, *, block: bool, ticket: str | None = None) -> None:
    conversation = await _staff_conversation(update, context, ticket)
    if conversation is None:
        return
    service = context.bot_data.handoff
    t = service.staff_t(update.effective_chat.id)
    if not await service.end(conversation, block=block):
        text = escape(views.staff_not_open(t))
    elif block:
        text = views.staff_blocked(t, _who(update))
    else:
        text = views.staff_closed(t, _who(update))
    if update.callback_query is not None:
        await update.callback_query.answer()
    await context.bot.send_message(
        update.effective_chat.id, text, message_thread_id=conversation.topic_id
    )


async def on_topic_button(update: Update, context: Context) -> None:
    """``hq:close|block:<ticket>`` under a topic's first message."""
    action, ticket = tapped(update).args
    await _end(update, context, block=action == "block", ticket=ticket)


async def handover_command(update: Update, context: Context) -> None:
    """/handover <municipality>: pass the conversation to that municipality's helpdesk."""
    conversation = await _staff_conversation(update, context)
    if conversation is None:
        return
    content = context.bot_data.snapshot.content
    service = context.bot_data.handoff
    args = context.args or []
    place = content.place(args[0].strip().lower()) if args else None
    target = service.helpdesk_of(place)
    message = update.effective_message
    t = service.staff_t(update.effective_chat.id)
    if place is None or target is None:
        example = service.handover_example(conversation.helpdesk_chat_id)
        await message.reply_text(escape(views.staff_handover_usage(t, example)))
        return
    if target.chat_id == conversation.helpdesk_chat_id:
        await message.reply_text(escape(views.staff_same_helpdesk(t)))
        return
    await context.bot.send_message(
        update.effective_chat.id,
        views.staff_handed_over(t, _who(update), place),
        message_thread_id=conversation.topic_id,
    )
    await service.hand_over(conversation, target)


async def not_a_helpdesk_private(update: Update, context: Context) -> None:
    """``hq`` data tapped in a private chat: no helpdesk there."""
    _, t = await current_user(update, context)
    await update.callback_query.answer(stale_button(t))
