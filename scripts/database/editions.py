"""The editions of PyCon US in one database, beside the site's database's own tables.

`data/` is the site's database's own edition, whose tables and pages are as they were; every other
edition is a folder `data/editions/<year>/` in the same schema (the importer writes it from that year's
official feed, facts only; `pycon-db new-edition` starts the next one), validated like `data/`. The build
writes, for every edition, data/'s included: `editions` (one row each, `is_site` the one data/site.yaml
says the site leads with), `edition_sessions` (every session, its key the edition and its id in that
edition; its calendar UID is the edition's own, <edition id>-session-<id>@us.pycon.org),
`edition_speakers` and `edition_session_speakers`, and `edition_sessions_fts` for questions across years.

Each other edition is also a site of its own: a database built from its folder as the site's is from
data/ (scripts/database/build.py), served beside it under the name `editions.database` gives (pycon
and the year), so its grids, pages, feeds and exports are the site's, with its own name, zone and venue.
"""
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from ..sources.checks import validate
from ..sources.errors import DataError, ValidationFailed
from ..sources.load import Dataset
from .people import write_people

EDITIONS_DIR = "editions"
EDITION_COLUMNS = {"year": int, "id": str, "name": str, "city": str, "start_date": str, "end_date": str,
                   "timezone": str, "url": str, "venue_name": str, "venue_address": str, "sessions": int,
                   "speakers": int, "is_site": int, "database": str, "folder": str, "source_id": str,
                   "source_url": str}
SESSION_COLUMNS = {"edition": int, "id": int, "kind": str, "title": str, "subtitle": str, "day": str,
                   "start_local": str, "end_local": str, "start_iso": str, "end_iso": str, "room": str,
                   "track_id": str, "language": str, "url": str, "cancelled": int, "parent_id": int,
                   "speakers": str, "recording_url": str, "source_id": str, "notes": str}


def edition_folders(data_dir: Path):
    """The earlier editions' folders, oldest first."""
    root = Path(data_dir) / EDITIONS_DIR
    return sorted(p.parent for p in root.glob("*/conference.yaml")) if root.is_dir() else []


SITE_FILE = "site.yaml"


def edition_year(ds: Dataset):
    """An edition's year: its conference.yaml's `year`, else its start date's."""
    return ds.conference.get("year") or int(str(ds.conference["start_date"])[:4])


def site_year(data_dir: Path, years):
    """The year of the edition the site leads with: data/site.yaml's `edition`, else data/'s own. `years`
    are the editions there are; naming another is an error that says which there are."""
    import yaml

    path = Path(data_dir) / SITE_FILE
    if not path.exists():
        return None
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ValidationFailed([DataError(f"data/{SITE_FILE}", getattr(exc, "problem_mark", None) and exc.problem_mark.line + 1,
                                          "edition", f"is not YAML: {exc}")]) from None
    year = doc.get("edition") if isinstance(doc, dict) else None
    if year not in years:
        raise ValidationFailed([DataError(f"data/{SITE_FILE}", 1, "edition",
                                          f"{year!r} is not an edition here: one of {', '.join(map(str, sorted(years)))}")])
    return year


def validated_editions(data_dir: Path, site: Dataset = None):
    """Each earlier edition's Dataset, validated; every error of every edition at once, each naming its file
    as it is in data/ (data/editions/<year>/sessions.csv). An edition of the site's year, or two of one year, is one too many."""
    out, errors, years = [], [], {}
    if site is not None:
        years[str(edition_year(site))] = "data/conference.yaml"
    for folder in edition_folders(data_dir):
        prefix = f"data/{EDITIONS_DIR}/{folder.name}/"
        try:
            ds = validate(folder)
        except ValidationFailed as exc:
            errors += [replace(e, file=prefix + e.file.removeprefix("data/")) for e in exc.errors]
            continue
        year = str(edition_year(ds))
        if year in years:
            errors.append(DataError(prefix + "conference.yaml", ds.conference.line, "year",
                                    f"the edition of {year} is already {years[year]}'s: keep one"))
            continue
        years[year] = prefix + "conference.yaml"
        out.append((folder, ds))
    if errors:
        raise ValidationFailed(errors)
    return out


def edition_row(ds: Dataset, folder, is_site, database):
    conf = ds.conference
    venue = conf.get("venue")
    program = [s for s in ds.tables["sessions"] if s["kind"] != "unfilled"]
    dates = [str(conf[d]) if conf.get(d) else None for d in ("start_date", "end_date")]
    return {"year": edition_year(ds), "id": conf["id"], "name": conf["name"], "city": conf.get("city"),
            "start_date": dates[0], "end_date": dates[1], "timezone": conf["timezone"],
            "url": conf["url"], "venue_name": venue.get("name") if venue else None,
            "venue_address": venue.get("street_address") if venue else None, "sessions": len(program),
            "speakers": len({l["speaker"] for l in ds.tables["session_speakers"]}), "is_site": int(is_site),
            "database": database, "folder": folder, "source_id": conf.get("source"),
            "source_url": next((src.get("url") for src in ds.sources if src["id"] == conf.get("source")), None)}


# An edition's sessions, speakers and who speaks where, copied in SQL from its database (`source`: the
# site's own, main, or an earlier edition's, attached): the same columns every edition's database has.
EDITION_SESSIONS = """insert into edition_sessions ({columns})
select :year, s.id, s.kind, s.title, s.subtitle, s.day, s.start_local, s.end_local, s.start_iso, s.end_iso,
  (select r.name from {source}.rooms r where r.id = s.room_id), s.track_id, s.language, s.url, s.cancelled, s.parent_id,
  s.speakers, (select r.watch_url from {source}.certain_recordings r where r.session_id = s.id order by r.id limit 1),
  s.source_id, s.notes
from {source}.sessions s order by s.id"""
# An edition's speakers are people: two names of one person in one edition (a feed's and a recording's) are one.
PEOPLE_PER_EDITION = """update editions set speakers = (select count(distinct pe.person_id) from person_editions pe
  where pe.edition = editions.year and exists (select 1 from edition_session_speakers ess
    where ess.edition = pe.edition and ess.speaker_id = pe.speaker_id))"""
EDITION_SPEAKERS = """insert into edition_speakers
select :year, id, name, profile_id, source_id from {source}.speakers order by id"""
EDITION_SESSION_SPEAKERS = """insert into edition_session_speakers
select :year, session_id, speaker_id, position from {source}.session_speakers order by session_id, position, speaker_id"""


def copy_edition(db, year, source="main"):
    """One edition's rows of the editions' tables, from its database, already written (in SQL: it may be large)."""
    for sql in (EDITION_SESSIONS, EDITION_SPEAKERS, EDITION_SESSION_SPEAKERS):
        db.execute(sql.format(columns=", ".join(SESSION_COLUMNS), source=source), {"year": year})


@contextmanager
def attached(conn, paths):
    """The databases at `paths` attached (outside any transaction, as SQLite requires), as edition0, edition1..."""
    names = [f"edition{i}" for i in range(len(paths))]
    for name, path in zip(names, paths):
        conn.execute(f"attach database ? as {name}", [str(path)])
    try:
        yield names
    finally:
        for name in names:
            conn.execute(f"detach database {name}")


def create_edition_tables(db, editions):
    db["editions"].create(EDITION_COLUMNS, pk="year")
    db["editions"].insert_all(sorted(editions, key=lambda e: e["year"]))
    db["edition_sessions"].create(SESSION_COLUMNS, pk=("edition", "id"), foreign_keys=[("edition", "editions", "year")])
    db["edition_speakers"].create({"edition": int, "id": str, "name": str, "profile_id": int, "source_id": str},
                                  pk=("edition", "id"), foreign_keys=[("edition", "editions", "year")])
    db["edition_session_speakers"].create({"edition": int, "session_id": int, "speaker_id": str, "position": int},
                                          pk=("edition", "session_id", "speaker_id"))


def write_editions(db, site: Dataset, site_name, earlier, leading=None):
    """The editions tables: data/'s edition (served as `site_name`, the database that holds them all) and each
    of data/editions/, `earlier` being (folder, Dataset, database name, the file its database was written to)
    each; every edition's row names the database it is served as, and `leading` (a year; data/'s when None)
    is the one the site leads with (is_site)."""
    site_year = edition_year(site)
    leading = leading or site_year
    every = [("data", site, site_year == leading, site_name)] + [
        (f"data/{EDITIONS_DIR}/{folder.name}", ds, edition_year(ds) == leading, name) for folder, ds, name, _path in earlier]
    editions = [edition_row(ds, folder, is_site, name) for folder, ds, is_site, name in every]
    with attached(db.conn, [path for _folder, _ds, _name, path in earlier]) as sources:
        db.conn.execute("BEGIN")
        create_edition_tables(db, editions)
        copy_edition(db, site_year)
        for edition, source in zip(editions[1:], sources):
            copy_edition(db, edition["year"], source)
        db["edition_sessions"].create_index(["kind"])
        db["edition_session_speakers"].create_index(["edition", "speaker_id"])
        db["edition_sessions"].enable_fts(["title", "subtitle", "speakers", "kind"], fts_version="FTS5",
                                          tokenize="porter unicode61 remove_diacritics 2")
        write_people(db, site_year, site.same_people)
        db.execute(PEOPLE_PER_EDITION)
        db["edition_speakers"].enable_fts(["name"], fts_version="FTS5", tokenize="unicode61 remove_diacritics 2")
        db.conn.execute("COMMIT")
