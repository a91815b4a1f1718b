"""Paying peer researchers: rate card, monthly claims, approval and the finance export."""
