"""The databases the site serves and what they are called: the site's (`pycon`, build/pycon.db) and each
earlier edition's beside it, the site's name and its year (`pycon2023`, build/pycon2023.db)."""
import re
from pathlib import Path

# The database that holds every edition (the editions' tables, and data/'s own program, published under
# this name since 2026). The edition the site leads with is another setting (data/site.yaml): its
# database is this one or an edition's.
SITE = "pycon"
# The site's database or an earlier edition's, as a whole name (a pattern for routes too).
PROGRAM_DATABASE_PATTERN = rf"{SITE}(?:\d{{4}})?"
PROGRAM_DATABASE = re.compile(PROGRAM_DATABASE_PATTERN)
# An earlier edition's database inside a template's name (`row-pycon2023-sessions.html`).
EDITION_IN_TEMPLATE = re.compile(rf"-{SITE}\d{{4}}(?=[-.])")
# The editions whose databases are served beside the site's, newest first (scripts/database/editions.py
# writes them): every edition but data/'s own.
EARLIER_EDITIONS = """select year, name, city, start_date, end_date, url, database, source_url, is_site
from editions where folder != 'data' order by year desc"""


def is_program_database(name):
    """The site's database or an earlier edition's: one with a program, its pages and exports."""
    return bool(PROGRAM_DATABASE.fullmatch(name or ""))


def edition_path(site: Path, year):
    """Where an earlier edition's database is written: beside the site's, its stem and the year
    (build/pycon.db -> build/pycon2023.db); the stem is the name Datasette serves it under."""
    return site.with_name(f"{site.stem}{year}{site.suffix}")


def site_template(template):
    """The site's template for an edition's template name ('query-pycon2023-search.html' ->
    'query-pycon-search.html'); the name itself when it names no edition."""
    return EDITION_IN_TEMPLATE.sub(f"-{SITE}", template)
