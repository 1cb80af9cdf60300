"""Reaching newcomers outside the bot: deep links, printed posters, the bot's profile
(what people see before they press Start) and cards shared with inline mode."""
