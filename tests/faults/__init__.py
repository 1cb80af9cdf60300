"""Fault tests: the bot against files, folders and settings that are not what they seem."""
