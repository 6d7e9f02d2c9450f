"""An error whose message is Thai first and English second, for services of every app."""

from __future__ import annotations

from typing import Any

from django.utils import translation
from django.utils.functional import Promise


class BilingualError(Exception):
    """Something a person can act on. ``str()`` gives Thai / English; views use ``text()``."""

    def __init__(self, message: Promise | str, **params: Any) -> None:
        self.message = message
        self.params = params
        super().__init__(self.bilingual())

    def text(self, language: str | None = None) -> str:
        if language is None:
            return str(self.message) % self.params if self.params else str(self.message)
        with translation.override(language):
            return self.text()

    def bilingual(self) -> str:
        return f"{self.text('th')} / {self.text('en')}"
