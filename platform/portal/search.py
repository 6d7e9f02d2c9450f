"""Name search of the site listing: the query's key, computed like the index's key.

Both sides go through the SQL function ``portal_name_key`` (migration 0001), so the query and
the index can never disagree about what "normalised" means. Before that, PyThaiNLP's
``normalize`` repairs what typing produces and SQL cannot (a doubled vowel or tone mark,
"เ"+"เ" typed for "แ"); Thai digits become Arabic ones.
"""

from __future__ import annotations

import functools
import unicodedata

from django.db import connection
from pythainlp.util import normalize as thai_normalize

from thaiformat.dates import arabic_digits

# pg_trgm's word_similarity threshold for a match: lower finds more misspellings, higher
# fewer false friends. 0.45 finds one wrong consonant in a name of six letters or more
# (tests/portal/test_portal_search.py measures it).
WORD_SIMILARITY_THRESHOLD = 0.45
MAX_QUERY_CHARS = 100


def clean_query(text: str) -> str:
    text = unicodedata.normalize("NFC", text or "").strip()[:MAX_QUERY_CHARS]
    return arabic_digits(thai_normalize(text)) if text else ""


def name_key(text: str) -> str:
    """The normalised key of a query, as the database computes it for names."""
    cleaned = clean_query(text)
    if not cleaned:
        return ""
    with connection.cursor() as cursor:
        cursor.execute("SELECT portal_name_key(%s)", [cleaned])
        row = cursor.fetchone()
    return str(row[0] or "") if row else ""


@functools.cache
def trigram_available() -> bool:
    """Whether pg_trgm is installed (not in pgserver, the embedded dev database)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        return cursor.fetchone() is not None
