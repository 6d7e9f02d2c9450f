"""The audit trail refuses UPDATE and DELETE in the database itself, not only in our code."""

from django.db import migrations

FORWARD = """
CREATE FUNCTION registers_audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    RAISE EXCEPTION 'registers_auditentry is append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$fn$;
CREATE TRIGGER registers_auditentry_append_only
    BEFORE UPDATE OR DELETE ON registers_auditentry
    FOR EACH ROW EXECUTE FUNCTION registers_audit_refuse_change();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS registers_auditentry_append_only ON registers_auditentry;
DROP FUNCTION IF EXISTS registers_audit_refuse_change();
"""


class Migration(migrations.Migration):
    dependencies = [("registers", "0001_initial")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
