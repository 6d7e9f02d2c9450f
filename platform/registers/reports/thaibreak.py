"""Thai line breaks chosen by PyThaiNLP's dictionary instead of typst's own segmenter.

Typst finds break opportunities in Thai with ICU's LSTM model, which splits some compounds and
names ("ขอน|แก่น", "งบ|ประมาณ") and costs about 6 µs per character. Here the words of newmm (the
dictionary the search index uses) meet at a ZERO WIDTH SPACE, and the register's table is set in
typst's UAX #14 mode without a complex-script model (``templates/report.typ``, ``prebroken``):
Thai letters then never break among themselves, so typst breaks only at these spaces, and its
LSTM never runs on a cell. The zero width space is invisible; PDF text extraction keeps it (the
search index strips it: ``search.terms.normalize``).

A dictionary "word" can be a long compound ("องค์การบริหารส่วนจังหวัด", 24 characters) that is
wider than a register's narrow column: whole, it would overflow into the next column. Such a
word is cut into the dictionary words it is made of ("องค์การ|บริหาร|ส่วน|จังหวัด").

Text is broken chunk by chunk between spaces (newmm never joins across a space), each chunk
cached: a year's register repeats the same senders, places and phrases thousands of times.
"""

from __future__ import annotations

import re
from functools import lru_cache

ZERO_WIDTH_SPACE = "\u200b"
# Longer words (counted in characters that take room on the line, marks excluded) are cut into
# their parts: 10 such characters of 14 pt Laksaman fit in the narrowest text column (2.8 cm).
LONGEST_WORD = 10
_THAI = re.compile("[\u0e01-\u0e5b]")
_THAI_LETTERS_AT_EDGE = re.compile("^[\u0e01-\u0e4e]|[\u0e01-\u0e4e]$")
# Marks that belong to the cluster of the consonant before them (vowels above and below, SARA AM,
# tone marks, THANTHAKHAT ...): no break may separate them from it.
_MARK = re.compile("[\u0e31\u0e33-\u0e3a\u0e47-\u0e4e]")
# Vowels written before their consonant (เ แ โ ใ ไ): they belong to the cluster after them.
_LEADING_VOWEL = re.compile("[\u0e40-\u0e44]")
_SPACES = re.compile(r"(\s+)")


def _width(word: str) -> int:
    return sum(1 for char in word if not _MARK.match(char))


def _cluster_end(word: str, start: int) -> int:
    """Where the grapheme cluster starting at ``start`` ends (a leading vowel takes the next)."""
    end = start + 1
    if _LEADING_VOWEL.match(word[start]) and end < len(word):
        end += 1
    while end < len(word) and _MARK.match(word[end]):
        end += 1
    return end


def _parts(word: str) -> list[str]:
    """A long compound as the fewest dictionary words inside it (a cluster where none fits)."""
    from pythainlp.tokenize import word_dict_trie

    trie = word_dict_trie()
    size = len(word)
    # best[i]: (cost, previous position) of the cheapest cut of word[:i]; an unknown cluster
    # costs more than a word, so that dictionary words are preferred.
    best: list[tuple[int, int] | None] = [None] * (size + 1)
    best[0] = (0, 0)
    for start in range(size):
        reached = best[start]
        if reached is None or (start and _MARK.match(word[start])):
            continue
        steps = [(start + len(part), 1) for part in trie.prefixes(word, start) if len(part) < size]
        steps.append((_cluster_end(word, start), 3))
        for end, cost in steps:
            if end < size and _MARK.match(word[end]):
                continue  # a word may not end inside a cluster
            total = reached[0] + cost
            current = best[end]
            if current is None or total <= current[0]:  # ties: the longer first word
                best[end] = (total, start)
    if best[size] is None:
        return [word]
    parts: list[str] = []
    end = size
    while end:
        start = best[end][1]  # type: ignore[index]
        parts.append(word[start:end])
        end = start
    return parts[::-1]


@lru_cache(maxsize=100_000)
def _chunk_words(chunk: str, longest: int) -> str:
    """One run of text without spaces, broken between Thai dictionary words."""
    from pythainlp.tokenize import word_tokenize  # loads its dictionary on first use

    out: list[str] = []
    previous = ""
    for token in word_tokenize(chunk, engine="newmm", keep_whitespace=True):
        thai = bool(_THAI.search(token))
        if (
            out
            and thai
            and _THAI_LETTERS_AT_EDGE.search(previous[-1:])
            and _THAI_LETTERS_AT_EDGE.search(token[:1])
        ):
            out.append(ZERO_WIDTH_SPACE)
        if thai and _width(token) > longest:
            out.append(ZERO_WIDTH_SPACE.join(_parts(token)))
        else:
            out.append(token)
        previous = token
    return "".join(out)


def thai_words(text: str, *, longest: int = LONGEST_WORD) -> str:
    """``text`` with breaks allowed only between Thai dictionary words (and where UAX #14 says);
    a word wider than ``longest`` characters is cut into the dictionary words it is made of."""
    if not _THAI.search(text):
        return text
    return "".join(
        chunk
        if not chunk or chunk.isspace() or not _THAI.search(chunk)
        else _chunk_words(chunk, longest)
        for chunk in _SPACES.split(text)
    )


def thai_words_preload() -> None:
    """Load PyThaiNLP's dictionary now (about a second), not in the first request that needs it."""
    thai_words("โหลดพจนานุกรม")
