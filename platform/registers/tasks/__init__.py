"""Celery tasks of the registers (found by autodiscovery); each area has its own module."""

from registers.tasks import (
    dispatch,  # noqa: F401  (ส่งทางอีเมล: one send per recipient)
    indexing,  # noqa: F401  (arrived letters: PDF text, search document, stamp)
    receipts,  # noqa: F401  (ตรารับ catch-up)
    reminders,  # noqa: F401  (daily reminders of due tasks)
)
