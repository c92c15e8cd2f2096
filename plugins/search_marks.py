"""`mark(text, q)`, a Jinja filter: the text escaped, with the words that match the query in <mark> (word
beginnings, case and accents ignored, as the search matches them); `words`, a text's words."""
from functools import lru_cache

from datasette import hookimpl
from markupsafe import Markup, escape

from scripts.core.words import WORD, ascii_folded, query_words

SUFFIXES = ("ities", "ity", "ies", "ing", "ed", "es", "s", "e")


def stem(word):
    """A rough English stem, so that marks follow the search's word forms (security -> secur, finds secure)."""
    for suffix in SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[:-len(suffix)]
    return word


@lru_cache(maxsize=256)
def mark_terms(query):
    """The distinct stems to mark for a query: the words the search reads (no further), folded once."""
    return tuple(dict.fromkeys(stem(ascii_folded(w)) for w in query_words(query)))


def mark(text, query):
    """`text` escaped, each word that begins with a word of `query` (or its stem) in <mark>.

    Linear in the text: each of its words is folded once and compared with at most MAX_WORDS terms.
    """
    if text is None:
        return ""
    terms = mark_terms(str(query or ""))
    if not terms:
        return escape(text)
    out, last = [], 0
    for match in WORD.finditer(str(text)):
        if ascii_folded(match.group()).startswith(terms):
            out += [escape(text[last:match.start()]), Markup("<mark>"), escape(match.group()), Markup("</mark>")]
            last = match.end()
    out.append(escape(text[last:]))
    return Markup("").join(out)


@hookimpl
def prepare_jinja2_environment(env):
    env.filters.update(mark=mark, words=lambda text: WORD.findall(str(text or "")))
