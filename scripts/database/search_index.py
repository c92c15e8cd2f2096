"""The full-text index behind `search`: what people search a program by, weighted.

One row per session in `sessions_fts` (FTS5, Porter stemming over unicode61 with accents
folded, so "sprint" finds "Sprints", "secur" finds "security", "hervas" finds "Hervás"):
title, subtitle, speakers, track (id, name and full name), kind (in the words of data/kinds.yaml: "sprint
sprints", "charla talk in Spanish"), rooms with their floor, language in words ("Spanish
Español"), and the description as text. The `search` query ranks with bm25 and WEIGHTS,
so a match in a title counts ten times one in a description.
"""
import html
import re

import nh3

from ..core.words import ascii_folded

COLUMNS = ("title", "subtitle", "speakers", "track", "kind", "room", "language", "description")
WEIGHTS = (10.0, 6.0, 8.0, 4.0, 3.0, 2.0, 2.0, 1.0)
TOKENIZE = "porter unicode61 remove_diacritics 2"
LANGUAGE_WORDS = {"en": "English", "es": "Spanish Español Castellano"}
SESSIONS_SQL = """
select s.id, s.title, s.subtitle, s.speakers, k.search_words as kind, s.language, s.description,
  t.id as track_id, t.name as track_name, t.full_name as track_full_name,
  (select group_concat(r.name || coalesce(' ' || r.floor, ''), ' ') from session_rooms sr
     join rooms r on r.id = sr.room_id where sr.session_id = s.id) as rooms
from sessions s left join tracks t on t.id = s.track_id join kinds k on k.id = s.kind
where s.kind != 'unfilled'
"""


def text_of(description):
    """A description's words: HTML tags dropped, entities decoded."""
    return html.unescape(nh3.clean(description, tags=set())) if description else None


def index_row(s):
    track = " ".join(v for v in (s["track_id"], s["track_name"], s["track_full_name"]) if v) or None
    return (s["id"], s["title"], s["subtitle"], s["speakers"], track,
            s["kind"], s["rooms"],
            LANGUAGE_WORDS.get(s["language"], s["language"]), text_of(s["description"]))


WORD = re.compile(r"[^\W\d_]{3,}")  # words of three letters or more: what a spelling suggestion can be


def write_search_words(conn, rows):
    """search_words: every word the index holds as written (folded, not stemmed), with how many
    sessions have it; the search suggests the nearest of them for a word that finds nothing."""
    counts = {}
    for row in rows:
        for word in {w for value in row[1:] if value for w in WORD.findall(ascii_folded(value))}:
            counts[word] = counts.get(word, 0) + 1
    conn.execute("create table search_words (word text primary key, sessions integer not null) without rowid")
    conn.executemany("insert into search_words values (?, ?)", sorted(counts.items()))


def write_search_index(conn):
    """Create and fill sessions_fts (its rowid is the session id), its words, and the hotels' name index."""
    conn.execute(f"create virtual table sessions_fts using fts5({', '.join(COLUMNS)}, tokenize='{TOKENIZE}')")
    cursor = conn.execute(SESSIONS_SQL)
    names = [d[0] for d in cursor.description]
    rows = [index_row(dict(zip(names, r))) for r in cursor.fetchall()]
    conn.executemany(f"insert into sessions_fts (rowid, {', '.join(COLUMNS)}) values ({', '.join('?' * 9)})", rows)
    write_search_words(conn, rows)
