"""The distress protocol's steps and the signposting directory (models in
`coproduction/models/signposting.py`). Coordinators edit both; peer researchers read them on the
interview page, the phone view and the printable pocket card."""
