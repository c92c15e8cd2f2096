"""SQL functions that make what people type into FTS5 queries that cannot be a syntax error: for the
`search` query and the tables' own search boxes. Both read the words a search reads
(scripts/core/words.py)."""
from datasette import hookimpl

from scripts.core.limits import create_function
from scripts.core.words import query_words


def pycon_fts_query(text, mode="all"):
    """Every word a quoted prefix term ("secur"* finds security); mode "all" requires every word, "any" one
    of them (the search falls back to it when "all" finds nothing). Quotes, operators, column filters and
    NEAR( are read as the words they contain. Text with no word matches nothing."""
    terms = [f'"{w}"*' for w in query_words(text)]
    if not terms:
        return '""'
    return " OR ".join(terms) if mode == "any" else " ".join(terms)


def escape_fts(text):
    """For the search box of a table page: each word a quoted term, so no input is FTS5 syntax.

    Replaces Datasette's own, which turned a lone `"` into an empty query, an FTS5 syntax error.
    """
    return " ".join(f'"{w}"' for w in query_words(text)) or '""'


# trylast: registered after Datasette's own escape_fts, so this one is the one SQLite calls.
@hookimpl(trylast=True)
def prepare_connection(conn):
    create_function(conn, "pycon_fts_query", 1, pycon_fts_query)
    create_function(conn, "pycon_fts_query", 2, pycon_fts_query)
    create_function(conn, "escape_fts", 1, escape_fts)
