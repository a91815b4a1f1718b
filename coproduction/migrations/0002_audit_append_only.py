"""On PostgreSQL, refuse UPDATE and DELETE of audit rows in the database itself, so that not
even raw SQL through the application's connection can rewrite history."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION coproduction_audit_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'audit events are append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER coproduction_audit_append_only
  BEFORE UPDATE OR DELETE ON coproduction_auditevent
  FOR EACH ROW EXECUTE FUNCTION coproduction_audit_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS coproduction_audit_append_only ON coproduction_auditevent;
DROP FUNCTION IF EXISTS coproduction_audit_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("coproduction", "0001_foundation")]
    operations = [migrations.RunPython(forwards, backwards)]
