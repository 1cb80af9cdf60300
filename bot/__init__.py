"""Newcomer bot: local services, language courses and free activities, in the newcomer's language."""

__version__ = "0.1.0"
