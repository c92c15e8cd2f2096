"""A new edition's folder (`data/editions/<year>/`), made from its official feed before the import fills it.

Only what the feed or the organiser says goes in: the name and URLs follow the feed's year, the time
zone and city are the organiser's (`--timezone`, `--city`), the venue is the feed's own about text's
when it names one (2022's names none: left empty). The vocabulary (kinds) is copied from data/; every
CSV starts with its header only.
"""
import json
import shutil
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


def start_edition(folder: Path, feed: Feed, tz_name: str, city: str, shared: Path):
    """Make the empty edition folder; refuse one that exists (import into it instead)."""
    folder = Path(folder)
    if folder.exists() and any(folder.iterdir()):
        raise FeedError(f"{folder} already holds an edition: import into it without --new-edition")
    if not tz_name or not city:
        raise FeedError("a new edition needs its --timezone and --city (the feed gives neither reliably)")
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(Path(shared) / KINDS.file, folder / KINDS.file)
    for table in CSV_TABLES.values():
        header = (Path(shared) / table.file).read_text(encoding="utf-8").splitlines()[0]
        (folder / table.file).write_text(header + "\n", encoding="utf-8")
    (folder / "tracks.yaml").write_text("[]\n", encoding="utf-8")
    (folder / "sources.yaml").write_text("# Where this edition's facts come from; the importer adds its feed.\n", encoding="utf-8")
    (folder / "conference.yaml").write_text(conference_yaml(feed, tz_name, city), encoding="utf-8")
