"""Search of the site listing: a normalised name key and, where pg_trgm exists, its trigram index.

The key drops the organisation type (เทศบาลตำบล..., "Subdistrict Municipality"), Thai vowel
and tone marks above and below the line, spaces and punctuation, so that "ทต. ศีลา" and
"เทศบาลตำบลศิลา" meet. The index is on the control plane's ``tenants_municipality``: reading the
listing never touches a tenant schema. pgserver (the embedded dev database) has no pg_trgm; the
selector falls back to a substring match there (portal.search.trigram_available).
"""

from django.db import migrations

# Organisation types written before a name; a CASE of starts_with() is ~20x faster than one
# regular expression with this alternation (PostgreSQL's regex engine is slow on Thai).
TYPE_PREFIXES = [
    "องค์การบริหารส่วนตำบล",
    "องค์การบริหารส่วนจังหวัด",
    "เทศบาลนคร",
    "เทศบาลเมือง",
    "เทศบาลตำบล",
    "เทศบาล",
    "อบต.",
    "อบจ.",
    "ทต.",
    "ทม.",
    "ทน.",
    "อบต",
    "อบจ",
]
_CASES = "\n".join(
    f"    WHEN starts_with(v, '{p}') THEN substr(v, {len(p) + 1})" for p in TYPE_PREFIXES
)
# Calls between these functions name their schema: pg_restore rebuilds the trigram index with an
# empty search_path, and an unqualified call would not be found there.
NAME_KEY = (
    """
CREATE OR REPLACE FUNCTION portal_strip_type(v text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $fn$
SELECT CASE
"""
    + _CASES
    + r"""
    ELSE v END
$fn$;
CREATE OR REPLACE FUNCTION portal_name_key(value text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $fn$
SELECT regexp_replace(
  translate(
    regexp_replace(
      public.portal_strip_type(btrim(lower(value))),
      '\m(subdistrict|administrative|organi[sz]ation|provincial|municipality|town|city|tambon|sao|pao)\M', '', 'g'),
    U&'\0E31\0E34\0E35\0E36\0E37\0E38\0E39\0E3A\0E47\0E48\0E49\0E4A\0E4B\0E4C\0E4D\0E4E', ''),
  '[^[:alnum:]]+', '', 'g')
$fn$;
CREATE OR REPLACE FUNCTION portal_listing_key(name_th text, name_en text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
SELECT coalesce(public.portal_name_key(name_th), '') || ' ' || coalesce(public.portal_name_key(name_en), '')
$fn$;
"""
)

DROP = """
DROP INDEX IF EXISTS portal_municipality_name_trgm;
DROP FUNCTION IF EXISTS portal_listing_key(text, text);
DROP FUNCTION IF EXISTS portal_name_key(text);
DROP FUNCTION IF EXISTS portal_strip_type(text);
"""


def forward(apps, schema_editor):
    connection = schema_editor.connection
    if getattr(connection, "schema_name", "public") != "public":
        return  # control plane only
    with connection.cursor() as cursor:
        cursor.execute(NAME_KEY)
        cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")
        if cursor.fetchone() is None:
            return
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        cursor.execute(
            "CREATE INDEX IF NOT EXISTS portal_municipality_name_trgm ON tenants_municipality "
            "USING gin (portal_listing_key(name_th, name_en) gin_trgm_ops)"
        )


def backward(apps, schema_editor):
    if getattr(schema_editor.connection, "schema_name", "public") != "public":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("tenants", "0001_initial")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
