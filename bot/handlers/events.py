"""Events: the main menu's "📅 This week" and an event's card.

``wk:<page>`` lists what is on in the user's municipality from now until the end
of the seventh day; ``ev:<event>`` opens an event's card. Both work after a
restart (everything is in the callback data) and after a reload that removed the
event (the button then says it is out of date).
"""

from __future__ import annotations

from bot.handlers.common import (
    Context,
    answer_and_show,
    back_to_start,
    current_user,
    show_examples,
    tapped,
    user_place,
)
from bot.views import events as views
from bot.views import newcomer


async def on_week_button(update, context: Context) -> None:
    """``wk:<page>``: this week's events for the user's municipality."""
    data = tapped(update)
    user, t = await current_user(update, context)
    place = user_place(context, user)
    if place is None:
        await update.callback_query.answer()
        await back_to_start(update, context, user, t)
        return
    content = context.bot_data.snapshot.content
    now = context.bot_data.clock()
    view = views.this_week_view(content, place, t, now, data.num(0), show_examples(context))
    await answer_and_show(update, context, view)


async def on_event_button(update, context: Context) -> None:
    """``ev:<event>``: the event's card (any event: search may show other places')."""
    user, t = await current_user(update, context)
    place = user_place(context, user)
    content = context.bot_data.snapshot.content
    event = content.events.get(tapped(update).arg(0))
    if place is None or event is None or (event.example and not show_examples(context)):
        await update.callback_query.answer(newcomer.stale_button(t))
        await back_to_start(update, context, user, t)
        return
    now = context.bot_data.clock()
    await answer_and_show(update, context, views.event_card(content, event, t, now))
