"""Search that forgives, as SQL functions the `search` query calls:

- `pycon_program_query(q, mode)`: pycon_fts_query's quoted prefix terms, each word (or phrase of up
  to three words) that data/synonyms.yaml groups with others widened to them: "LLM" also finds
  "large language model".
- `pycon_spell(q)`: q with each word that begins no indexed word replaced by the nearest one (a
  small edit distance, the same first letter), or NULL when every word is known: "asyncronous"
  becomes "asynchronous".
- `pycon_search_marks(q)`: the words of q and of their synonyms, for the page's highlights.
- `pycon_topic(q, kind, title, subtitle, speakers, track)`: 1 when a session is of the topic q, NULL for a
  kind a topic does not count (breaks, events, slots of lightning talks): each word or phrase of q, or one of
  its synonyms, is whole words (or their plural) of its title, subtitle, speakers or track ("ai" is not
  "Air", "typing" is not "Types"; every session of the Security track is of "security"). The topic pages
  count by it; the search, which reads word beginnings and word forms, finds more.

The words come from each database, read once at start-up: `search_words` (every word the index
holds, with how many sessions have it) and `search_synonyms`; an earlier edition's database
(pycon2023) spells by its own words.
"""
import bisect
import json
import weakref
from dataclasses import dataclass, field
from functools import lru_cache

from datasette import hookimpl

from scripts.core.limits import create_function
from scripts.core.words import MAX_PHRASE, WORD, ascii_folded, fold, query_words

# What a topic counts: the program's sessions people give, not breaks, events or slots of lightning talks.
TOPIC_KINDS = frozenset({"talk", "tutorial", "charla", "keynote", "plenary", "poster", "lightning-talk", "summit"})


@dataclass
class Vocabulary:
    words: list = field(default_factory=list)  # sorted, folded
    sessions: dict = field(default_factory=dict)  # word -> sessions that have it
    synonyms: dict = field(default_factory=dict)  # (folded words) -> the group's other phrases

    @classmethod
    def of(cls, word_rows, groups):
        sessions = dict(word_rows)
        synonyms = {}
        for words in groups:
            phrases = [tuple(ascii_folded(w) for w in WORD.findall(str(p))) for p in words]
            for phrase in phrases:
                if phrase:
                    synonyms[phrase] = [" ".join(p) for p in phrases if p and p != phrase]
                    for word in phrase:
                        sessions.setdefault(word, 0)  # a synonym's words are words the search knows
        return cls(sorted(sessions), sessions, synonyms)

    def knows(self, word):
        """Some indexed word begins with `word` (the search matches word beginnings)."""
        i = bisect.bisect_left(self.words, word)
        return i < len(self.words) and self.words[i].startswith(word)

    def nearest(self, word):
        """The indexed word closest to `word`: distance 1 for a word of up to 4 letters, 2 for a longer one."""
        limit = 1 if len(word) <= 4 else 2
        lo = bisect.bisect_left(self.words, word[0])
        hi = bisect.bisect_left(self.words, chr(ord(word[0]) + 1))
        best = None
        for candidate in self.words[lo:hi]:
            if abs(len(candidate) - len(word)) > limit:
                continue
            d = distance(word, candidate, limit)
            if d <= limit:
                key = (d, -self.sessions[candidate], candidate)
                best = min(best, key) if best else key
        return best[2] if best else None


VOCABULARIES = weakref.WeakKeyDictionary()  # Datasette instance -> {database name: Vocabulary}
EMPTY = Vocabulary()


def distance(a, b, limit):
    """Edit distance (insertions, deletions, substitutions, swaps of neighbours), or limit + 1 once above it."""
    before, row = None, list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            current[j] = min(row[j] + 1, current[j - 1] + 1, row[j - 1] + (ca != cb))
            if before and i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], before[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        before, row = row, current
    return row[-1]


def phrases(words, vocabulary):
    """The words in order, each with its synonyms; a phrase of up to three words that has synonyms as one."""
    out, i = [], 0
    while i < len(words):
        for n in range(min(MAX_PHRASE, len(words) - i), 0, -1):
            key = tuple(ascii_folded(w) for w in words[i:i + n])
            if n == 1 or key in vocabulary.synonyms:
                out.append((" ".join(words[i:i + n]), vocabulary.synonyms.get(key, [])))
                i += n
                break
    return out


def program_query(text, mode, vocabulary):
    """An FTS5 query that cannot be a syntax error: quoted prefix terms, synonyms as alternatives."""
    terms = []
    for phrase, others in phrases(query_words(text), vocabulary):
        alternatives = [f'"{p}"*' for p in [phrase, *others]]
        terms.append(f"({' OR '.join(alternatives)})" if others else alternatives[0])
    if not terms:
        return '""'
    return (" OR " if mode == "any" else " AND ").join(terms)  # FTS5 takes no implicit AND after a ")"


def spell(text, vocabulary):
    """text with its unknown words replaced by the nearest known ones; None if none was replaced."""
    words, changed = query_words(text), False
    for i, word in enumerate(words):
        key = ascii_folded(word)
        if key.isalpha() and not vocabulary.knows(key):
            better = vocabulary.nearest(key)
            if better:
                words[i], changed = better, True
    return " ".join(words) if changed else None


def marks(text, vocabulary):
    """The words to highlight: those of text and of their synonyms."""
    return " ".join(p for phrase, others in phrases(query_words(text), vocabulary) for p in [phrase, *others])


PLURALS = ("", "s", "es")  # "LLMs" is of "LLM", "large language models" of "large language model"


@lru_cache(maxsize=8192)
def padded(*texts):
    """Texts folded to whole words between spaces, so ' ai ' is found as a word and never inside one."""
    return f" {fold(' '.join(t for t in texts if t))} "


def topic_match(q, kind, texts, vocabulary):
    """1 when the session is of the topic (pycon_topic), 0 when not, NULL when its kind is none a topic
    counts (so `count()` of it counts the program)."""
    if kind not in TOPIC_KINDS:
        return None
    wanted = phrases(query_words(q), vocabulary)
    if not wanted:
        return 0
    said = padded(*texts[:3]) + padded((texts[3] or "").replace("-", " "))
    return int(all(any(f" {fold(p)}{plural} " in said for p in [phrase, *others] for plural in PLURALS)
                   for phrase, others in wanted))


@hookimpl
def prepare_connection(conn, database, datasette):
    def vocabulary():
        return VOCABULARIES.get(datasette, {}).get(database, EMPTY)

    create_function(conn, "pycon_program_query", 2, lambda q, mode: program_query(q, mode, vocabulary()), False)
    create_function(conn, "pycon_spell", 1, lambda q: spell(q, vocabulary()), False)
    create_function(conn, "pycon_search_marks", 1, lambda q: marks(q, vocabulary()), False)
    create_function(conn, "pycon_topic", 6, lambda q, kind, *texts: topic_match(q, kind, texts, vocabulary()))


async def words_of_database(db):
    tables = set(await db.table_names())
    word_rows = (await db.execute("select word, sessions from search_words")).rows if "search_words" in tables else []
    groups = [json.loads(r[0]) for r in (await db.execute("select words from search_synonyms")).rows] \
        if "search_synonyms" in tables else []
    return Vocabulary.of([tuple(r) for r in word_rows], groups)


@hookimpl
def startup(datasette):
    async def read_words():
        VOCABULARIES[datasette] = {name: await words_of_database(db) for name, db in datasette.databases.items()
                                   if name != "_internal"}

    return read_words
