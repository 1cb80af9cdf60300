"""The content that ships (content/) is valid: what `newcomer-bot validate` checks.

Every other test uses its own frozen copy (tests/fixtures/content/), so editors can
change content/ without breaking tests of the bot's behaviour; this test is the one
that tells them when content/ itself is broken, with the validator's own messages.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from bot.content.snapshot import Snapshot

SHIPPED = Path(__file__).resolve().parent.parent / "content"


def test_shipped_content_validates_and_serves_every_municipality():
    # Snapshot.load raises ContentInvalid listing every problem as file:line: message.
    snapshot = Snapshot.load(SHIPPED)
    content = snapshot.content
    assert content.entries, "content/ has no entries"
    for municipality_id in content.places:
        # A newcomer in every municipality finds the emergency number.
        categories = {
            entry.category for _, entry in content.ranked_entries(municipality_id, dt.date.today())
        }
        assert "emergency" in categories, municipality_id
