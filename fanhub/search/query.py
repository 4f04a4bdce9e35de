"""What a reader typed into a search box, read by a small strict tokenizer of ours.

Issue 14: FTS query syntax is never passed through raw. Whatever comes in (unbalanced
quotes, `NEAR(`, a lone `*`, `AND OR NOT`, control characters, any script), the tokenizer
keeps only words, made of letters, digits and combining marks, and reads three signs:

- `"two words"`: a phrase (an unclosed quote runs to the end);
- `-word`, `-"two words"`: leave out what has it (a minus starting a term, not inside one);
- while typing (`live`), the last word is a prefix ("kett" finds "kettle").

Each engine then writes its own query from these words alone, every word quoted, so no
character a member types is ever an operator.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, replace

from fanhub.errors import Invalid

QUERY_MAX = 200
TERMS_MAX = 32
# A prefix shorter than this matches most of the index and helps nobody.
PREFIX_MIN = 2

QUERY_TOO_LONG = f"Search for at most {QUERY_MAX} characters."
TOO_MANY_TERMS = f"Search for at most {TERMS_MAX} words."
NOTHING_TO_FIND = (
    "Type a word to search for: signs and left-out words alone (-word) don't find anything."
)


# Words too common to tell documents apart: PostgreSQL's English configuration leaves
# these out of every query and every index; the embedded engine (SQLite FTS5, which has
# no stop list) leaves them out of the words a document must have, so "does it fit a
# tent" asks for "fit" and "tent" on both engines.
STOP_WORDS = frozenset(
    {
        "a", "about", "above", "after", "again", "against", "all", "am", "an", "and", "any", "are",
        "as", "at", "be", "because", "been", "before", "being", "below", "between", "both", "but",
        "by", "can", "did", "do", "does", "doing", "don", "down", "during", "each", "few", "for",
        "from", "further", "had", "has", "have", "having", "here", "how", "i", "if", "in", "into",
        "is", "it", "its", "itself", "just", "me", "more", "most", "my", "myself", "no", "nor",
        "not", "now", "of", "off", "on", "once", "only", "or", "other", "our", "ours", "ourselves",
        "out", "over", "own", "s", "same", "should", "so", "some", "such", "t", "than", "that",
        "the", "their", "theirs", "them", "themselves", "then", "there", "these", "they", "this",
        "those", "through", "to", "too", "under", "until", "up", "very", "was", "we", "were",
        "what", "when", "where", "which", "while", "who", "whom", "why", "will", "with", "you",
        "your", "yours", "yourself", "yourselves",
    }
)  # fmt: skip


@dataclass(frozen=True)
class Query:
    """A search as words: each must be found (or any, once `any_word` loosens it)."""

    words: tuple[str, ...] = ()
    phrases: tuple[tuple[str, ...], ...] = ()
    # Words and phrases a result must not have.
    excluded: tuple[tuple[str, ...], ...] = ()
    prefix: str | None = None
    # Any of the words will do: the second try when no result has all of them.
    any_word: bool = False

    @property
    def has_terms(self) -> bool:
        """Whether it looks for anything (left-out words alone find nothing)."""
        return bool(self.words or self.phrases or self.prefix)

    @property
    def can_loosen(self) -> bool:
        """Whether asking for any of the words would be a different search."""
        return not self.any_word and len(self.required_words()) + len(self.phrases) > 1

    def required_words(self) -> tuple[str, ...]:
        """The plain words a document must have: the stop words left out, unless
        nothing else would be looked for ("the who" is a search for a band)."""
        kept = tuple(word for word in self.words if word not in STOP_WORDS)
        return kept if kept or self.phrases or self.prefix else self.words

    def loosened(self) -> Query:
        """The same words, any of them enough."""
        return replace(self, any_word=True)


def _is_word_character(character: str) -> bool:
    # Letters, digits and the combining marks some scripts write words with; never a
    # surrogate, a control character, punctuation or a symbol.
    return unicodedata.category(character)[0] in "LNM"


def _words(text: str) -> list[str]:
    """The words of a piece of text, case-folded."""
    found: list[str] = []
    current: list[str] = []
    for character in text:
        if _is_word_character(character):
            current.append(character)
        elif current:
            found.append("".join(current).casefold())
            current = []
    if current:
        found.append("".join(current).casefold())
    return found


def parse_query(raw: str, *, live: bool = False) -> Query:
    """Read what was typed into words, phrases, left-out terms and a prefix.

    :raises Invalid: it is longer than QUERY_MAX characters, has more than TERMS_MAX
        words, or has no word to look for.
    """
    if len(raw) > QUERY_MAX:
        raise Invalid(QUERY_TOO_LONG, field="q")
    # Compatibility forms as their plain letters: full-width "ｋｅｔｔｌｅ", ligatures.
    text = unicodedata.normalize("NFKC", raw)
    words: list[str] = []
    phrases: list[tuple[str, ...]] = []
    excluded: list[tuple[str, ...]] = []
    negate = False
    ends_in_word = False
    i, size = 0, len(text)
    while i < size:
        character = text[i]
        ends_in_word = False
        if character == '"':
            end = text.find('"', i + 1)
            end = size if end == -1 else end
            terms = tuple(_words(text[i + 1 : end]))
            if terms and negate:
                excluded.append(terms)
            elif len(terms) == 1:
                words.append(terms[0])
            elif terms:
                phrases.append(terms)
            negate = False
            i = end + 1
            continue
        if character == "-" and (i == 0 or text[i - 1].isspace()):
            negate = True
            i += 1
            continue
        if _is_word_character(character):
            end = i
            while end < size and _is_word_character(text[end]):
                end += 1
            word = text[i:end].casefold()
            if negate:
                excluded.append((word,))
            else:
                words.append(word)
                ends_in_word = end == size
            negate = False
            i = end
            continue
        negate = False
        i += 1
    if sum(len(t) for t in (*phrases, *excluded)) + len(words) > TERMS_MAX:
        raise Invalid(TOO_MANY_TERMS, field="q")
    prefix = None
    # While typing, the word being typed is unfinished: "kett" is on its way to "kettle".
    if live and ends_in_word and len(words[-1]) >= PREFIX_MIN:
        prefix = words.pop()
    query = Query(tuple(words), tuple(phrases), tuple(excluded), prefix)
    if not query.has_terms:
        raise Invalid(NOTHING_TO_FIND, field="q")
    return query
