"""Work a long-running process does once at start instead of in its first request or task.

``warm_up`` loads PyThaiNLP's word dictionary (about a second and 90 MB of memory), which Thai word
breaking needs: search indexing and queries, the registers' PDFs and the letters. Called by the
web workers (``config.wsgi``) and the Celery worker (``config.celery``, before it forks its
pool); not by management commands or tests, which load it on first use.
"""

from __future__ import annotations


def warm_up() -> None:
    from registers.reports.thaibreak import thai_words_preload

    thai_words_preload()
