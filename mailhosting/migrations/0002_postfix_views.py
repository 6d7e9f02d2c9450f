"""Views that Postfix (postfix-pgsql) and Dovecot read: the control plane is their only source.

Mail keeps flowing for every state but archived: a read-only or suspended municipality still
RECEIVES official mail (it is never refused for non-payment).
"""

from django.db import migrations

VIEWS = """
CREATE VIEW mail_postfix_domains AS
    SELECT d.name AS domain
    FROM mailhosting_maildomain d
    JOIN tenants_municipality m ON m.id = d.municipality_id
    WHERE m.state <> 'archived';

CREATE VIEW mail_postfix_recipients AS
    SELECT lower(b.local_part || '@' || d.name) AS address, b.kind AS kind,
           m.schema_name AS schema_name
    FROM mailhosting_mailbox b
    JOIN mailhosting_maildomain d ON d.id = b.domain_id
    JOIN tenants_municipality m ON m.id = d.municipality_id
    WHERE b.active AND m.state <> 'archived';

CREATE VIEW mail_postfix_aliases AS
    SELECT lower(a.local_part || '@' || d.name) AS address,
           replace(a.destinations, E'\\n', ',') AS destinations
    FROM mailhosting_mailalias a
    JOIN mailhosting_maildomain d ON d.id = a.domain_id
    JOIN tenants_municipality m ON m.id = d.municipality_id
    WHERE a.active AND m.state <> 'archived';

CREATE VIEW mail_dovecot_users AS
    SELECT lower(b.local_part || '@' || d.name) AS username, b.password_hash AS password,
           b.quota_mb AS quota_mb
    FROM mailhosting_mailbox b
    JOIN mailhosting_maildomain d ON d.id = b.domain_id
    JOIN tenants_municipality m ON m.id = d.municipality_id
    WHERE b.active AND b.kind = 'staff' AND b.password_hash <> '' AND m.state <> 'archived';
"""

DROP = """
DROP VIEW IF EXISTS mail_dovecot_users;
DROP VIEW IF EXISTS mail_postfix_aliases;
DROP VIEW IF EXISTS mail_postfix_recipients;
DROP VIEW IF EXISTS mail_postfix_domains;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("mailhosting", "0001_initial"),
        ("tenants", "0001_initial"),
    ]

    operations = [migrations.RunSQL(VIEWS, DROP)]
