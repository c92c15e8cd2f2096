"""Which databases the site serves and how each is described: the site's (build/pycon.db) and each
earlier edition's beside it, as the site's `editions` table names them (build/pycon2023.db), checked
before serving; metadata.yml, with a database for each edition. `pycon-db serve`, the bundle and the
tests read them from here."""
import html
import sqlite3
from pathlib import Path

from .core.names import EARLIER_EDITIONS, SITE

METADATA = Path(__file__).resolve().parent.parent / "metadata.yml"


class DatabaseUnusable(Exception):
    """The database file is missing or cannot serve; the message says what to do."""


def check_database(path: Path):
    """Fail before serving, with a clear message, if `path` is not a usable pycon database, or if an
    earlier edition's database it lists (editions.database) is missing or unusable."""
    check_one(path)
    for edition in edition_databases(path):
        if not edition.exists():
            raise DatabaseUnusable(f"{edition}, an edition {path} lists, does not exist; run 'make build'.")
        check_one(edition)


def check_one(path: Path):
    path = Path(path)
    if not path.exists():
        raise DatabaseUnusable(f"{path} does not exist; run 'make build' to create it.")
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            result = conn.execute("pragma quick_check").fetchone()[0]
            tables = {r[0] for r in conn.execute("select name from sqlite_master where type = 'table'")}
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise DatabaseUnusable(f"{path} is not a readable SQLite database ({exc}); run 'make clean build'.") from None
    if result != "ok":
        raise DatabaseUnusable(f"{path} is corrupt ({result}); run 'make clean build'.")
    missing = {"sessions", "speakers", "rooms", "hotels", "conference", "kinds"} - tables
    if missing:
        raise DatabaseUnusable(f"{path} lacks the tables {', '.join(sorted(missing))}; run 'make clean build'.")


def editions_of(db: Path):
    """The earlier editions the site's database lists, newest first (none for a database without them)."""
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        conn.row_factory = sqlite3.Row
        try:
            return [dict(r) for r in conn.execute(EARLIER_EDITIONS)]
        finally:
            conn.close()
    except sqlite3.DatabaseError:  # no editions table: a site of one edition (or no database: check_one says so)
        return []


def edition_databases(db: Path):
    """Each earlier edition's database, beside the site's and named as the site's lists it, newest first."""
    return [db.with_name(e["database"] + db.suffix) for e in editions_of(db)]


def served_databases(db: Path):
    """The site's database, then each earlier edition's: every file the site serves."""
    return [Path(db), *edition_databases(Path(db))]


def site_metadata(db: Path):
    """metadata.yml, with a database for each earlier edition: the site's tables as they are shown and
    every query but those across editions (which read its tables) and, but for the edition the site leads
    with, those marked `site_only` (hotels, my schedule, the clock)."""
    import yaml

    own, leading_title = about_the_site(db)
    # The instance is titled after the edition the site leads with; its source and about are each database's
    # own (Datasette merges the instance's over a table's in its JSON: an instance source would name the
    # leading edition on every edition's rows).
    metadata = {"title": leading_title, **yaml.safe_load(METADATA.read_text(encoding="utf-8"))}
    site = metadata["databases"][SITE]
    # The site's database is its own edition's for good (its feeds are named after it), whichever the site leads with.
    site.update({k: v for k, v in own.items() if not site.get(k)})
    site.setdefault("description", f"The {own['title']} program, speakers, rooms, tracks, venue and hotels nearby.")
    for edition in editions_of(db):
        metadata["databases"][edition["database"]] = edition_metadata(site, edition)
    return with_inherited(metadata)


def about_the_site(db: Path):
    """The title, source and about of the site's database's own edition (its conference row), and the name
    of the edition the site leads with (the same, unless data/site.yaml names another)."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        name, schedule_url, url = conn.execute("select name, coalesce(schedule_url, url), url from conference").fetchone()
        try:
            leading = conn.execute("select name from editions where is_site").fetchone()
        except sqlite3.OperationalError:  # a database without the editions' tables
            leading = None
    finally:
        conn.close()
    own = {"title": name, "source": f"{name} schedule and the sources each record cites (the sources table)",
           "source_url": schedule_url, "about": name, "about_url": url}
    return own, leading[0] if leading else name


INHERITED = ("source", "source_url", "license", "license_url", "about", "about_url")


def with_inherited(metadata: dict):
    """Every database's and table's metadata with the instance's source, license and about where it has
    none of its own (a table takes its database's first: the site's database is its own edition's). Datasette
    0.65's table and database views write exactly these into the metadata
    they are shown (update_with_inherited_metadata), in place: without them here, a row page's footer
    would depend on which pages the process had served before, and replicas would differ."""
    def inherit(item, *parents):
        item.update({key: item.get(key) or next((p[key] for p in parents if p.get(key)), None) for key in INHERITED})

    for database in metadata.get("databases", {}).values():
        inherit(database, metadata)
        for table in database.setdefault("tables", {}).values():
            inherit(table, database, metadata)  # a database's own edition before the site's
    return metadata


SHOWN = ("label_column", "sort", "sort_desc", "facets", "hidden", "size", "sortable_columns", "fts_table", "fts_pk")


def edition_metadata(site: dict, edition: dict):
    """An earlier edition's database as the site's is shown, with its own title and source, and its queries
    without the site's examples."""
    when = f"{edition['start_date']} to {edition['end_date']}" if edition["start_date"] else "dates not announced yet"
    about = f"{edition['name']}, {edition['city']}, {when}"
    queries = {name: {**{k: v for k, v in q.items() if k in ("title", "sql", "hide_sql", "params")},
                      "description_html": f"<p>{html.escape(about)}.</p>"}
               for name, q in site["queries"].items()
               if not q.get("across_editions") and (edition["is_site"] or not q.get("site_only"))}
    source = {"source": f"{edition['name']} official schedule feed, and pyvideo's recordings",
              "source_url": edition["source_url"] or edition["url"], "about": edition["name"], "about_url": edition["url"]}
    # The site's tables as they are shown (sorted, faceted, hidden), not as they are described: their descriptions
    # name the site's edition's sources (its mobile app, its venue's entrance). Datasette's table pages take a
    # source from the table or the instance, never the database: each table says it.
    tables = {name: {**{k: v for k, v in table.items() if k in SHOWN}, **source} for name, table in site["tables"].items()}
    return {"title": edition["name"], "description": f"The {edition['name']} program ({about}): sessions, speakers, rooms and recordings, "
                           "from PyCon's official feed and pyvideo.", **source, "tables": tables, "queries": queries}
