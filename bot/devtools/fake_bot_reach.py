"""The stand-in's Bot API methods for the bot's profile (setMyName, setMyDescription,
setMyShortDescription and their getMy*) and for inline mode (answerInlineQuery).

A mixin of :class:`bot.devtools.fake_bot_api.FakeBotApi`, which finds methods by
name (``_m_<method>``); it checks requests as Telegram does
(https://core.telegram.org/bots/api).
"""

from __future__ import annotations

import json
import re
from typing import Any

#: Bot API limits of the profile texts, by field.
PROFILE_LIMITS = {"name": 64, "description": 512, "short_description": 120}
#: Bot API: message text is 1-4096 characters.
MAX_TEXT_CHARS = 4096


class ProfileAndInlineMethods:
    """Mixed into FakeBotApi, which provides ``_bad`` and ``_check_markup``."""

    _bad: Any
    _check_markup: Any

    # -- the bot's profile per language (setMyName, setMyDescription, ...) ----------

    @property
    def profile(self) -> dict[tuple[str, str], str]:
        """The profile as set: ``(field, language_code or "")`` → text (unset: "")."""
        return self.__dict__.setdefault("_profile", {})

    def _get_profile(self, field: str, params: dict[str, Any]) -> dict[str, Any]:
        language = params.get("language_code") or ""
        if not _iso_639_1(language):
            return self._bad("LANGUAGE_CODE_INVALID")
        return {"ok": True, "result": {field: self.profile.get((field, language), "")}}

    def _set_profile(self, field: str, params: dict[str, Any]) -> dict[str, Any]:
        text = params.get(field) or ""
        if not _iso_639_1(params.get("language_code") or ""):
            return self._bad("LANGUAGE_CODE_INVALID")
        if len(text) > PROFILE_LIMITS[field]:
            return self._bad(f"{field.upper()}_INVALID")
        self.profile[(field, params.get("language_code") or "")] = text
        return {"ok": True, "result": True}

    def _m_getMyName(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._get_profile("name", params)

    def _m_setMyName(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._set_profile("name", params)

    def _m_getMyDescription(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._get_profile("description", params)

    def _m_setMyDescription(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._set_profile("description", params)

    def _m_getMyShortDescription(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._get_profile("short_description", params)

    def _m_setMyShortDescription(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._set_profile("short_description", params)

    # -- inline mode -------------------------------------------------------------------

    #: Bot API: at most 50 results per answer; result ids 1-64 bytes; next_offset ≤ 64 bytes.
    MAX_INLINE_RESULTS = 50

    def _m_answerInlineQuery(self, params: dict[str, Any]) -> dict[str, Any]:
        """Checks the answer as Telegram does; the results stay in the recorded call."""
        for key in ("results", "button"):
            if isinstance(params.get(key), str):
                params[key] = json.loads(params[key])
        results = params.get("results") or []
        if len(results) > self.MAX_INLINE_RESULTS:
            return self._bad("RESULTS_TOO_MUCH")
        ids = [str(r.get("id", "")) for r in results]
        if len(set(ids)) != len(ids) or not all(1 <= len(i.encode()) <= 64 for i in ids):
            return self._bad("RESULT_ID_INVALID")
        next_offset = params.get("next_offset", "")
        if not isinstance(next_offset, str) or len(next_offset.encode()) > 64:
            return self._bad("NEXT_OFFSET_INVALID")
        for result in results:
            content = result.get("input_message_content") or {}
            text = content.get("message_text", "")
            if result.get("type") == "article" and not result.get("title"):
                return self._bad("RESULT_TITLE_EMPTY")
            if not text.strip():
                return self._bad("MESSAGE_EMPTY")
            if len(text) > MAX_TEXT_CHARS:
                return self._bad("MESSAGE_TOO_LONG")
            if bad := self._check_markup({"reply_markup": result.get("reply_markup")}):
                return bad
        button = params.get("button")
        if button and not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", button.get("start_parameter", "")):
            return self._bad("START_PARAM_INVALID")
        return {"ok": True, "result": True}


def _iso_639_1(code: str) -> bool:
    """Bot API, setMyName & co.: ``language_code`` is empty or a two-letter ISO 639-1 code."""
    return code == "" or (len(code) == 2 and code.isascii() and code.isalpha() and code.islower())
