"""What goes into a letter's search document and what a query asks of it.

Thai is written without spaces, and a word a clerk types is often only part of a longer word in
the letter: "ประชุม" inside "การประชุมสภา", "ตำบล" inside "เทศบาลตำบล", "0023" inside the ที่
"ขก 0023.3/ว 1234". PyThaiNLP's words miss these (newmm reads "การประชุม|สภา"), so the document
also holds every character trigram of each space-separated chunk: a word of three or more
characters is in a letter only if all its trigrams are, and a two-character word is the start
of some gram (a chunk's last two characters are a gram of their own). This is substring search
with a GIN index of core PostgreSQL (pgserver has no pg_trgm), with no false negatives.

Measured on the benchmark corpus (two-word queries, brute-force substring match as the truth):
newmm words alone found 0.73 of the matches, words plus every dictionary word inside them 0.98,
trigrams 1.00, with 0.99 precision (a false positive needs every asked-for trigram of a word in
the letter without the word itself).

Queries are segmented with newmm too, so that Thai words typed without spaces are each required
(AND), like words separated by spaces. Both sides are normalised alike: NFC, Thai digits as
Arabic, lower case, zero-width characters removed, SARA AM as one character; in grams, a
character outside Thai and ASCII counts as ``OTHER`` (so that a two-character word's possible
continuations can be listed, see ``QueryWord``).
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence

from thaiformat.dates import arabic_digits

GRAM = 3
# The document keeps at most this many characters (a whole book scanned as one attachment
# would otherwise exceed the 1 MB limit of a tsvector); the letter's own fields come first.
MAX_DOCUMENT_CHARS = 200_000
# Trigrams asked for per word: the rarest ones (the others add work for GIN and on the
# benchmark corpus removed no letter: precision 0.9917 with three, 0.9920 with all).
GRAMS_PER_WORD = 3

OTHER = "\u00b7"  # stands for every character outside THAI and ASCII inside a gram
THAI = "".join(chr(c) for c in range(0x0E01, 0x0E5C) if not 0x0E3B <= c <= 0x0E3E)
ASCII = "".join(chr(c) for c in range(0x21, 0x7F) if not chr(c).isupper())
ALPHABET = THAI + ASCII + OTHER
_KNOWN = frozenset(ALPHABET)

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
# SARA AM typed or extracted from PDFs as NIKHAHIT + SARA AA (with a tone mark in between).
_SARA_AM = re.compile("\u0e4d([\u0e48-\u0e4b]?)\u0e32")


def normalize(text: str) -> str:
    text = unicodedata.normalize("NFC", text).translate(_INVISIBLE)
    text = _SARA_AM.sub("\\1\u0e33", text)
    return arabic_digits(text).lower()


def _gram_chars(chunk: str) -> str:
    return "".join(ch if ch in _KNOWN else OTHER for ch in chunk)


def segment(text: str) -> list[str]:
    """Words of ``text`` by PyThaiNLP's newmm (Thai and other scripts), without punctuation."""
    from pythainlp.tokenize import word_tokenize

    words = word_tokenize(normalize(text), engine="newmm", keep_whitespace=False)
    return [w for w in (word.strip() for word in words) if w and any(ch.isalnum() for ch in w)]


def document_lexemes(text: str) -> set[str]:
    """The search document of ``text``: its newmm words and the trigrams of every chunk.

    Queries are answered from the trigrams; the words serve exact-word tsqueries.
    """
    text = normalize(text[:MAX_DOCUMENT_CHARS])
    lexemes = set(segment(text))
    for chunk in text.split():
        chunk = _gram_chars(chunk)
        lexemes.update(chunk[i : i + GRAM] for i in range(len(chunk)))
    return lexemes


def query_words(query: str) -> list[str]:
    """The words of a query: split at spaces, then Thai runs broken into words by newmm."""
    return list(dict.fromkeys(segment(query)))


def useful_words(query: str) -> list[str]:
    """The query's words; a one-character word narrows nothing and matches half the letters,
    so it counts only when it is all the query has."""
    words = query_words(query)
    return [w for w in words if len(w) > 1] or words


def _quote(lexeme: str) -> str:
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


@dataclasses.dataclass(frozen=True)
class GramStats:
    """Share of letters holding each common lexeme (PostgreSQL's most common elements of the
    column); a lexeme not listed is rarer than ``floor``."""

    frequencies: Mapping[str, float]
    floor: float

    def of(self, lexeme: str) -> float:
        return self.frequencies.get(lexeme, self.floor)


# A two-character word in more than this share of letters is written out for GIN (see below).
SPELL_OUT_ABOVE = 0.1


@dataclasses.dataclass(frozen=True)
class QueryWord:
    """One word of a query and what a letter's document must hold for it.

    Three characters or more: its trigrams (the rarest ``GRAMS_PER_WORD`` when statistics
    exist). Fewer: a gram that starts with it, the prefix query ``'ab':*``, which GIN answers by
    merging the posting lists of every such gram: fine for a word in a few percent of the
    letters, slow for one in half of them ("นา", "ขก"). For GIN such a word is therefore written
    out as an OR of exact lexemes, "ab" or "ab" followed by each character of ``ALPHABET`` (the
    same letters, three times faster there); testing one letter's document (``tsquery``) keeps
    the prefix, which is a single look-up. ``frequency`` is an upper bound of the share of
    letters containing the word, or None without statistics.
    """

    text: str
    grams: tuple[str, ...]
    frequency: float | None

    @property
    def tsquery(self) -> str:
        if self.grams:
            return " & ".join(_quote(gram) for gram in self.grams)
        return _quote(self.text) + ":*"

    @property
    def gin_tsquery(self) -> str:
        common = self.frequency is None or self.frequency > SPELL_OUT_ABOVE
        if self.grams or len(self.text) != GRAM - 1 or not common:
            return self.tsquery
        alternatives = [self.text] + [self.text + ch for ch in ALPHABET]
        return "(" + " | ".join(_quote(lexeme) for lexeme in alternatives) + ")"


def query_word(word: str, stats: GramStats | None = None) -> QueryWord:
    """``word`` as a QueryWord; with ``stats`` only its rarest grams are asked for."""
    word = _gram_chars(word)
    if len(word) < GRAM:
        if stats is None:
            return QueryWord(word, (), None)
        share = sum(f for lexeme, f in stats.frequencies.items() if lexeme.startswith(word))
        return QueryWord(word, (), min(1.0, share or stats.floor))
    grams = list(dict.fromkeys(word[i : i + GRAM] for i in range(len(word) - GRAM + 1)))
    if stats is None:
        return QueryWord(word, tuple(grams), None)
    rare = sorted(grams, key=stats.of)[:GRAMS_PER_WORD]
    chosen = tuple(gram for gram in grams if gram in rare)  # in reading order
    return QueryWord(word, chosen, min(stats.of(gram) for gram in chosen))


def join_tsquery(words: Iterable[QueryWord], *, gin: bool = False) -> str:
    return " & ".join(word.gin_tsquery if gin else word.tsquery for word in words)


def build_tsquery(query: str) -> str | None:
    """The tsquery for ``query`` with every gram of every word (all words required)."""
    words = useful_words(query)
    return join_tsquery(query_word(w) for w in words) if words else None


def documents_batch(batch: Sequence[tuple[int, str]]) -> list[tuple[int, str]]:
    """(id, text) pairs to (id, tsvector literal); runs in worker processes, so no Django here."""
    return [(pk, tsvector_literal(document_lexemes(text))) for pk, text in batch]


def tsvector_literal(terms: Iterable[str]) -> str:
    """``terms`` written as tsvector input (for COPY and bulk updates)."""
    return " ".join(_quote(term) for term in sorted(terms))
