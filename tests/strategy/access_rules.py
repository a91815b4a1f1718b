"""Arguments for the strategy URLs in the URL x role matrix (tests/access.py)."""

RULES: dict = {}
