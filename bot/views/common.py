"""Building blocks of every view: :class:`View`, inline buttons, pages of buttons,
texts in the user's language, and the per-content-version view cache.

Plain functions with no Telegram I/O (see :mod:`bot.views.newcomer`).
"""

from __future__ import annotations

from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.content.model import Region
from bot.content.store import Content, Place
from bot.i18n import Translator, content_chain, display_name, pick_language
from bot.telegram import callback_data

#: Buttons per page in the municipality picker and category lists: fits a small
#: phone screen without scrolling.
PAGE_SIZE = 8
#: Button labels longer than this are cut: Telegram shows one line per button.
BUTTON_CHARS = 48
#: Bot API: message text is at most 4096 characters after entity parsing.
MAX_MESSAGE_CHARS = 4096


@dataclass(frozen=True)
class View:
    """A message to send or edit: HTML text and an optional inline keyboard."""

    text: str
    keyboard: InlineKeyboardMarkup | None = None


def button(text: str, action: str, *args: object) -> InlineKeyboardButton:
    """An inline button whose callback data is ``action:args`` (see :mod:`bot.telegram.callback_data`;
    raises ValueError if that is not valid). Long labels are cut to one line."""
    label = text if len(text) <= BUTTON_CHARS else text[: BUTTON_CHARS - 1] + "…"
    return InlineKeyboardButton(label, callback_data=callback_data.make(action, *args))


def pairs(buttons: list[InlineKeyboardButton]) -> list[list[InlineKeyboardButton]]:
    return [buttons[i : i + 2] for i in range(0, len(buttons), 2)]


def localized(
    texts: dict[str, str], t: Translator, region_default: str, fallbacks: tuple[str, ...] = ()
) -> tuple[str, str]:
    """Pick the text along the user's fallback chain; returns ``(text, language)``.

    ``fallbacks``: the region's extra languages for the user's language
    (:func:`region_fallbacks`), tried before the general ones.
    """
    lang = pick_language(texts, content_chain(t.lang, region_default, fallbacks)) or t.lang
    return texts.get(lang, ""), lang


def region_fallbacks(region: Region | None, t: Translator) -> tuple[str, ...]:
    """The languages region.yaml's ``fallbacks`` lists for the user's language."""
    return tuple(region.fallbacks.get(t.lang, ())) if region is not None else ()


def place_name(place: Place, t: Translator) -> str:
    return localized(
        place.municipality.name,
        t,
        place.region.default_language,
        region_fallbacks(place.region, t),
    )[0]


# Arrows point the way the text runs: in right-to-left languages "back" points right
# and "next" points left (the pages of a book read from right to left turn that way).


def back_arrow(t: Translator) -> str:
    return "➡" if t.rtl else "⬅"


def next_arrow(t: Translator) -> str:
    return "◀" if t.rtl else "▶"


def previous_arrow(t: Translator) -> str:
    return "▶" if t.rtl else "◀"


def display_language(code: str, t: Translator) -> str:
    return display_name(code, t.locale)


def paged(
    items: list,
    page: int,
    make_button,
    nav_action: str,
    *nav_args: object,
    columns: int = 2,
    rtl: bool = False,
) -> tuple[list[list[InlineKeyboardButton]], int]:
    """One page of buttons (``columns`` per row) plus ◀ ▶ navigation; returns (rows, page).

    ``rtl``: right-to-left, where the arrows are mirrored (▶ back, ◀ on).
    """
    pages = max(1, -(-len(items) // PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    buttons = [make_button(item) for item in items[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]]
    rows = [buttons[i : i + columns] for i in range(0, len(buttons), columns)]
    nav = []
    previous, following = ("▶", "◀") if rtl else ("◀", "▶")
    if page > 0:
        nav.append(button(previous, nav_action, *nav_args, page - 1))
    if page < pages - 1:
        nav.append(button(following, nav_action, *nav_args, page + 1))
    if nav:
        rows.append(nav)
    return rows, page


def memo(content: Content, key: tuple, valid_for: object, build) -> View:
    """The view cached under ``key`` in this content version if it was built for the
    same ``valid_for`` (a day, a minute), else a freshly built one. One slot per key,
    so the cache never grows beyond the number of keys."""
    stamp, view = content.memo.get(key, (None, None))
    if stamp != valid_for:
        view = build()
        content.memo[key] = (valid_for, view)
    return view
