"""The one anonymisation gate: notes drafts, PII findings, resolutions, review and release.

Interviews and events both hand their notes to it; it knows them only as registered owners
(`coproduction.notes.owners`), so nothing here imports the apps above the core.
"""
