"""mail_dovecot_users for a real Dovecot: every active staff mailbox is a user (so LMTP delivers
to it before its first password is set), with the domain and local part for its Maildir path;
the passdb query itself skips mailboxes without a password."""

from django.db import migrations

FORWARD = """
DROP VIEW IF EXISTS mail_dovecot_users;
CREATE VIEW mail_dovecot_users AS
    SELECT lower(b.local_part || '@' || d.name) AS username, b.password_hash AS password,
           b.quota_mb AS quota_mb, lower(d.name) AS domain, lower(b.local_part) AS local_part
    FROM mailhosting_mailbox b
    JOIN mailhosting_maildomain d ON d.id = b.domain_id
    JOIN tenants_municipality m ON m.id = d.municipality_id
    WHERE b.active AND b.kind = 'staff' AND m.state <> 'archived';
"""

BACKWARD = """
DROP VIEW IF EXISTS mail_dovecot_users;
CREATE VIEW mail_dovecot_users AS
    SELECT lower(b.local_part || '@' || d.name) AS username, b.password_hash AS password,
           b.quota_mb AS quota_mb
    FROM mailhosting_mailbox b
    JOIN mailhosting_maildomain d ON d.id = b.domain_id
    JOIN tenants_municipality m ON m.id = d.municipality_id
    WHERE b.active AND b.kind = 'staff' AND b.password_hash <> '' AND m.state <> 'archived';
"""


class Migration(migrations.Migration):
    dependencies = [("mailhosting", "0004_acknowledgement")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
