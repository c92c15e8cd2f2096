"""`pycon_ids(text)`, a SQL function: the session ids of an agenda however people separate them."""
import re

from datasette import hookimpl

from scripts.core.limits import create_function

MAX_IDS = 500
DIGITS = re.compile(r"\d{1,12}")
# Room for MAX_IDS ids of 12 digits and their separators: a longer text is refused at once, since the
# function may run once a row (hardening 4, H1: 2 MB on each of 200 rows ran 15 s).
MAX_TEXT = MAX_IDS * 16


def pycon_ids(text):
    """',105,66,' from '105 66', '105+66', '105;66;66;' or '105,,66'. Duplicates and blanks are dropped;
    anything that is not a run of digits separates ids."""
    if text is not None and len(str(text)) > MAX_TEXT:
        raise OverflowError("string or blob too big")  # SQLite says so for an OverflowError
    ids = list(dict.fromkeys(str(int(d)) for d in DIGITS.findall(str(text or ""))))[:MAX_IDS]
    return "," + ",".join(ids) + "," if ids else ""


@hookimpl
def prepare_connection(conn):
    create_function(conn, "pycon_ids", 1, pycon_ids)
