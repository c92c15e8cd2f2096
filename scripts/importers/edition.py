"""A new edition's folder (`data/editions/<year>/`), made from its official feed before the import fills it.

Only what the feed or the organiser says goes in: the name and URLs follow the feed's year, the time
zone and city are the organiser's (`--timezone`, `--city`), the venue is the feed's own about text's
when it names one (an early feed names none: left empty). The vocabulary (kinds) is copied from data/; every
CSV starts with its header only.
"""
import json
import shutil
from datetime import datetime, timezone
from pathlib import Path

from ..sources.schema import CSV_TABLES, KINDS
from .feed import Feed, FeedError


def conference_yaml(feed: Feed, tz_name: str, city: str):
    year, source = feed.year, f"official-feed-{feed.year}"
    lines = [f"# PyCon US {year}, from its official feed (scripts/importers/edition.py); the importer keeps the dates.",
             f"id: pycon-us-{year}", f"acronym: pycon-us-{year}", f"name: PyCon US {year}",
             f"start_date: {min(s.start for s in feed.sessions):%Y-%m-%d}",
             f"end_date: {max(s.start for s in feed.sessions):%Y-%m-%d}", f"timezone: {tz_name}",
             f"url: https://us.pycon.org/{year}/", f"schedule_url: https://us.pycon.org/{year}/schedule/"]
    if any(s.url for s in feed.sessions):  # the feed's own presentation pages
        lines.append(f"presentation_url: https://us.pycon.org/{year}/schedule/presentation/{{id}}/")
    lines += [f"city: {quoted(city)}", f"updated: {year}-01-01T00:00:00Z", f"source: {source}", "venue:"]
    if feed.venue:
        lines += [f"  name: {quoted(feed.venue[0])}", f"  street_address: {quoted(feed.venue[1])}"]
    else:
        lines.append("  notes: The feed names no venue.")
    lines.append(f"  source: {source}")
    return "\n".join(lines) + "\n"


def quoted(text):
    """A YAML double-quoted string (JSON's string syntax is YAML's)."""
    return json.dumps(str(text), ensure_ascii=False)


def check_zone(tz_name: str):
    """A clear error for a time zone that is not IANA's (a typo: America/NewYork), before anything is written."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError):
        raise FeedError(f"--timezone {tz_name!r} is not an IANA time zone (e.g. America/Los_Angeles)") from None


def edition_years(data_dir: Path):
    """The years of the editions in data_dir (its own and those in editions/), from their conference.yaml."""
    import yaml

    years = {}
    for path in [Path(data_dir) / "conference.yaml", *sorted((Path(data_dir) / "editions").glob("*/conference.yaml"))]:
        try:
            doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError):
            continue
        year = doc.get("year") or str(doc.get("start_date") or "")[:4]
        if str(year).isdigit():
            years[int(year)] = path.parent
    return years


def start_edition(folder: Path, feed: Feed, tz_name: str, city: str, shared: Path):
    """Make the empty edition folder; refuse one that exists (import into it instead), a year that is an
    edition already, and a time zone that is not one."""
    folder = Path(folder)
    if folder.exists() and any(folder.iterdir()):
        raise FeedError(f"{folder} already holds an edition: import into it without --new-edition")
    if not tz_name or not city:
        raise FeedError("a new edition needs its --timezone and --city (the feed gives neither reliably)")
    check_zone(tz_name)
    existing = edition_years(shared).get(feed.year)
    if existing is not None:
        raise FeedError(f"PyCon US {feed.year} is an edition already ({existing}): import its feed into that folder")
    start_files(folder, Path(shared))
    (folder / "sources.yaml").write_text("# Where this edition's facts come from; the importer adds its feed.\n", encoding="utf-8")
    (folder / "conference.yaml").write_text(conference_yaml(feed, tz_name, city), encoding="utf-8")


def start_files(folder: Path, shared: Path):
    """An edition folder's vocabulary (copied from `shared`, data/), its tracks (none) and every CSV's header."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(shared / KINDS.file, folder / KINDS.file)
    for table in CSV_TABLES.values():
        header = (shared / table.file).read_text(encoding="utf-8").splitlines()[0]
        (folder / table.file).write_text(header + "\n", encoding="utf-8")
    (folder / "tracks.yaml").write_text("[]\n", encoding="utf-8")


def organiser_conference_yaml(year: int, tz_name: str, city: str, dates, url: str, now: datetime):
    """conference.yaml of an edition the organisers have announced, before any feed: what they said and no more."""
    source = f"organisers-{year}"
    lines = [f"# PyCon US {year} as its organisers announced it (pycon-db new-edition); the importer fills in the rest.",
             f"id: pycon-us-{year}", f"acronym: pycon-us-{year}", f"name: PyCon US {year}", f"year: {year}"]
    if dates:
        lines += [f"start_date: {dates[0]:%Y-%m-%d}", f"end_date: {dates[1]:%Y-%m-%d}"]
    lines += [f"timezone: {tz_name}", f"url: {url}", f"city: {quoted(city)}", f"updated: {now:%Y-%m-%dT%H:%M:%SZ}",
              f"source: {source}", "venue:", "  notes: Not announced yet.", f"  source: {source}"]
    return "\n".join(lines) + "\n"


def organiser_sources_yaml(year: int, url: str):
    return (f"# Where this edition's facts come from; the importer adds its feed.\n- id: organisers-{year}\n"
            f"  title: PyCon US {year} as its organisers announced it (name, city, time zone, dates when given)\n"
            f"  url: {url}\n")


def check_new_edition(data_dir: Path, year: int, tz_name: str, dates):
    """Refuse, before anything is written, what would make a broken edition: a year that exists, an
    unknown time zone, an end before the start."""
    folder = Path(data_dir) / "editions" / str(year)
    existing = edition_years(data_dir).get(year)
    if folder.exists() or existing is not None:
        raise FeedError(f"{folder if folder.exists() else existing} holds PyCon US {year}: it is an edition already "
                        "(import its feed into it)")
    check_zone(tz_name)
    if dates and dates[1] < dates[0]:
        raise FeedError(f"--end {dates[1]} is before --start {dates[0]}")
    if dates and dates[0].year != year:
        raise FeedError(f"--start {dates[0]} is not in {year}")
    return folder


def new_edition(data_dir: Path, year: int, tz_name: str, city: str, dates=None, url=None):
    """data/editions/<year>/, with what the organisers said (no program yet), written whole or not at all,
    and data/site.yaml naming it as the edition the site leads with."""
    import tempfile

    folder = check_new_edition(data_dir, year, tz_name, dates)
    url = url or f"https://us.pycon.org/{year}/"
    with tempfile.TemporaryDirectory(dir=Path(data_dir)) as tmp:
        draft = Path(tmp) / str(year)
        start_files(draft, Path(data_dir))
        (draft / "sources.yaml").write_text(organiser_sources_yaml(year, url), encoding="utf-8")
        (draft / "conference.yaml").write_text(organiser_conference_yaml(
            year, tz_name, city, dates, url, datetime.now(timezone.utc)), encoding="utf-8")
        folder.parent.mkdir(exist_ok=True)
        draft.rename(folder)
    lead_with(data_dir, year)
    return folder


def lead_with(data_dir: Path, year: int):
    """data/site.yaml: the site leads with the edition of `year`."""
    (Path(data_dir) / "site.yaml").write_text(
        "# The edition the site leads with: its home page, header, /schedule, My schedule and now/next.\n"
        f"# Every edition keeps its own addresses (/pycon{year}/...; data/'s own edition, /pycon/...).\nedition: {year}\n",
        encoding="utf-8")
