"""Thai line breaks chosen by PyThaiNLP's dictionary instead of typst's own segmenter.

Typst finds break opportunities in Thai with ICU's LSTM model, which splits some compounds and
names ("ขอน|แก่น", "งบ|ประมาณ") and costs about 6 µs per character. Here each word from newmm
(the dictionary the search index uses) is glued with WORD JOINERs between its grapheme clusters
and words meet at a ZERO WIDTH SPACE, so typst breaks only between dictionary words; its LSTM
then sees single clusters, which halves the PDF's layout time. Both characters are invisible
and PDF text extraction keeps them (the search index strips them: ``search.terms.normalize``).
"""

from __future__ import annotations

import re
from functools import lru_cache

WORD_JOINER = "\u2060"
ZERO_WIDTH_SPACE = "\u200b"
_THAI = re.compile("[\u0e01-\u0e5b]")
_THAI_LETTERS_AT_EDGE = re.compile("^[\u0e01-\u0e4e]|[\u0e01-\u0e4e]$")
# Marks that belong to the cluster of the consonant before them (vowels above and below, SARA AM,
# tone marks, THANTHAKHAT ...): no joiner may separate them from it.
_MARK = re.compile("[\u0e31\u0e33-\u0e3a\u0e47-\u0e4e]")


def _glued(word: str) -> str:
    clusters: list[str] = []
    for char in word:
        if clusters and _MARK.match(char):
            clusters[-1] += char
        else:
            clusters.append(char)
    return WORD_JOINER.join(clusters)


@lru_cache(maxsize=50_000)
def thai_words(text: str) -> str:
    """``text`` with breaks allowed only between Thai dictionary words (and where UAX #14 says)."""
    if not _THAI.search(text):
        return text
    from pythainlp.tokenize import word_tokenize  # loads its dictionary on first use

    out: list[str] = []
    previous = ""
    for token in word_tokenize(text, engine="newmm", keep_whitespace=True):
        thai = bool(_THAI.search(token))
        if (
            out
            and thai
            and _THAI_LETTERS_AT_EDGE.search(previous[-1:])
            and _THAI_LETTERS_AT_EDGE.search(token[:1])
        ):
            out.append(ZERO_WIDTH_SPACE)
        out.append(_glued(token) if thai else token)
        previous = token
    return "".join(out)
