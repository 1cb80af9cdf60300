"""The stand-in's forum supergroups ("Ask a person" helpdesks): topics, and messages
sent or copied into them.

A mixin of :class:`bot.devtools.fake_bot_api.FakeBotApi`, which finds methods by
name (``_m_<method>``). Strict like Telegram (https://core.telegram.org/bots/api):
``createForumTopic``, ``closeForumTopic``, ``reopenForumTopic`` and
``editForumTopic`` need a forum registered with :meth:`ForumMethods.add_forum`
where the bot is an admin with ``can_manage_topics``; a ``message_thread_id`` must
name a topic of the chat; ``copyMessage`` needs the source message to exist and
returns only a ``MessageId``; service messages cannot be copied.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from bot.devtools.telegram_html import utf16_len

MAX_TOPIC_NAME_CHARS = 128
#: Message fields copyMessage carries over (content, not sender or reply).
_CONTENT_KEYS = (
    "text", "entities", "photo", "voice", "document", "video", "audio", "video_note",
    "sticker", "location", "venue", "contact", "caption", "caption_entities",
)  # fmt: skip


def add_topic_and_media(
    message: dict[str, Any], thread_id: int | None, media: str | None, caption: str | None
) -> None:
    """For :class:`~bot.devtools.fake_bot_api.UpdateFactory`: mark ``message`` as sent in
    forum topic ``thread_id``, and give it a ``photo``, ``voice`` or ``document``."""
    if thread_id is not None:
        message.update(message_thread_id=thread_id, is_topic_message=True)
    if media is not None:
        file = {"file_id": f"{media}-{message['message_id']}", "file_unique_id": "u"}
        message[media] = {
            "photo": [{**file, "width": 90, "height": 90}],
            "voice": {**file, "duration": 3},
            "document": {**file, "file_name": "letter.pdf"},
        }[media]
        if caption is not None:
            message["caption"] = caption


@dataclasses.dataclass
class Forum:
    """A supergroup with topics: whether the bot may manage topics, and its topics
    (``message_thread_id`` → name and whether it is closed)."""

    chat_id: int
    bot_can_manage_topics: bool = True
    topics: dict[int, dict[str, Any]] = dataclasses.field(default_factory=dict)


class ForumMethods:
    """Mixed into FakeBotApi, which provides ``messages``, ``forums``, ``_bad``,
    ``_check_markup`` and ``_new_message``."""

    messages: dict[tuple[int, int], dict[str, Any]]
    forums: dict[int, Forum]
    _bad: Any
    _check_markup: Any
    _new_message: Any

    def add_forum(self, chat_id: int, *, bot_can_manage_topics: bool = True) -> Forum:
        """Register a supergroup with topics enabled, the bot an admin (with or without
        the "manage topics" right)."""
        forum = Forum(chat_id, bot_can_manage_topics)
        self.forums[chat_id] = forum
        return forum

    def topic_messages(self, chat_id: int, thread_id: int) -> list[dict[str, Any]]:
        """Messages in one topic, oldest first."""
        return [
            m
            for (chat, _), m in sorted(self.messages.items())
            if chat == chat_id and m.get("message_thread_id") == thread_id
        ]

    def _check_thread(self, params: dict[str, Any]) -> dict[str, Any] | None:
        """Telegram's answer to a ``message_thread_id`` that is not an open topic the bot
        may write in (None: fine, or no thread given)."""
        thread = params.get("message_thread_id")
        if thread is None:
            return None
        forum = self.forums.get(int(params.get("chat_id", 0)))
        topic = forum.topics.get(int(thread)) if forum else None
        if topic is None:
            return self._bad("message thread not found")
        if topic["closed"] and not forum.bot_can_manage_topics:
            return self._bad("TOPIC_CLOSED")
        return None

    def _forum_for_topics(self, params: dict[str, Any]) -> tuple[Forum | None, dict | None]:
        forum = self.forums.get(int(params.get("chat_id", 0)))
        if forum is None:
            return None, self._bad("the chat is not a forum")
        if not forum.bot_can_manage_topics:
            return None, self._bad("not enough rights to manage topics")
        return forum, None

    def _m_createForumTopic(self, params: dict[str, Any]) -> dict[str, Any]:
        forum, bad = self._forum_for_topics(params)
        if bad:
            return bad
        name = params.get("name") or ""
        if not isinstance(name, str) or not 1 <= utf16_len(name) <= MAX_TOPIC_NAME_CHARS:
            return self._bad("TOPIC_TITLE_EMPTY" if not name else "TOPIC_TITLE_TOO_LONG")
        # The topic's id is the id of its "topic created" service message.
        created = self._new_message(forum.chat_id, forum_topic_created={"name": name,
                                                                        "icon_color": 7322096})  # fmt: skip
        thread_id = created["message_id"]
        created["message_thread_id"] = thread_id
        created["is_topic_message"] = True
        forum.topics[thread_id] = {"name": name, "closed": False}
        return {"ok": True, "result": {"message_thread_id": thread_id, "name": name,
                                       "icon_color": 7322096}}  # fmt: skip

    def _topic(self, params: dict[str, Any]) -> tuple[dict | None, dict | None]:
        forum, bad = self._forum_for_topics(params)
        if bad:
            return None, bad
        topic = forum.topics.get(int(params.get("message_thread_id") or 0))
        if topic is None:
            return None, self._bad("TOPIC_ID_INVALID")
        return topic, None

    def _m_closeForumTopic(self, params: dict[str, Any]) -> dict[str, Any]:
        topic, bad = self._topic(params)
        if bad:
            return bad
        if topic["closed"]:
            return self._bad("TOPIC_NOT_MODIFIED")
        topic["closed"] = True
        return {"ok": True, "result": True}

    def _m_reopenForumTopic(self, params: dict[str, Any]) -> dict[str, Any]:
        topic, bad = self._topic(params)
        if bad:
            return bad
        if not topic["closed"]:
            return self._bad("TOPIC_NOT_MODIFIED")
        topic["closed"] = False
        return {"ok": True, "result": True}

    def _m_editForumTopic(self, params: dict[str, Any]) -> dict[str, Any]:
        topic, bad = self._topic(params)
        if bad:
            return bad
        name = params.get("name")
        if name is not None:
            if not 1 <= utf16_len(str(name)) <= MAX_TOPIC_NAME_CHARS:
                return self._bad("TOPIC_TITLE_TOO_LONG")
            if name == topic["name"]:
                return self._bad("TOPIC_NOT_MODIFIED")
            topic["name"] = name
        return {"ok": True, "result": True}

    def _m_copyMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        source = self.messages.get(
            (int(params.get("from_chat_id", 0)), int(params.get("message_id", 0)))
        )
        if source is None:
            return self._bad("message to copy not found")
        content = {k: source[k] for k in _CONTENT_KEYS if k in source}
        if not content:  # service messages (topic created, member joined, …)
            return self._bad("message can't be copied")
        if bad := self._check_thread(params):
            return bad
        if bad := self._check_markup(params):
            return bad
        if "caption" in params:
            content["caption"] = params["caption"]
        message = self._new_message(
            int(params["chat_id"]), message_thread_id=params.get("message_thread_id"), **content
        )
        return {"ok": True, "result": {"message_id": message["message_id"]}}
