"""`pycon_ids(text)`, a SQL function: the session ids of an agenda however people separate them."""
import re

from datasette import hookimpl

MAX_IDS = 500
DIGITS = re.compile(r"\d{1,12}")


def pycon_ids(text):
    """',105,66,' from '105 66', '105+66', '105;66;66;' or '105,,66'. Duplicates and blanks are dropped;
    anything that is not a run of digits separates ids."""
    ids = list(dict.fromkeys(str(int(d)) for d in DIGITS.findall(str(text or ""))))[:MAX_IDS]
    return "," + ",".join(ids) + "," if ids else ""


@hookimpl
def prepare_connection(conn):
    conn.create_function("pycon_ids", 1, pycon_ids, deterministic=True)
