"""Each table's schema, written once: the loader reads data/ by it, the build writes the database by it.

A `Column` is one database column, in the table's order: the field of the source it comes from
(`source`, or None when the build derives it), the parser that checks that field, whether a value
is required, its database type and, for ids, the table it refers to. A source field that no
column stores as it is (a session's start, which becomes start_local and start_iso) is a column
with `name=None`. Adding a field of data/ to the database is one line here.
"""
import json
from dataclasses import dataclass
from datetime import date, datetime

from .fields import (chair_list, from_yaml, identifier, identifier_list, integer, iso_date, iso_moment, number, one_of,
                     string_list, text, timezone_name, url, url_template, wall_time, yaml_date, yaml_datetime,
                     yaml_flag, yaml_number, yaml_year, yes_no)

LANGUAGES = ("en", "es")


def as_stored(value):
    """A parsed value as SQLite keeps it: dates as ISO text, yes/no as 1/0."""
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return value


def day_list(days):
    return json.dumps([d.isoformat() for d in days])


def chair_names(chairs):
    """'Name (Affiliation), Name': how a track's chairs read in the table."""
    return ", ".join(c["name"] + (f" ({c['affiliation']})" if c.get("affiliation") else "")
                     for c in chairs or []) or None


@dataclass(frozen=True)
class Column:
    name: str | None  # the database column; None for a source field the build turns into others
    type: type = str
    source: str | None = None  # the field in data/; None for a column the build derives
    parse: object = text
    required: bool = False  # a value is required (an empty one is an error)
    header_optional: bool = False  # the source file may lack the column altogether
    references: str | None = None  # the table an id points at
    store: object = as_stored  # the parsed value as the database keeps it


def field(name, parse=text, required=False, type=str, **more):
    """A column stored under the name the source gives it."""
    return Column(name, type, name, parse, required, **more)


def source_id():
    return Column("source_id", str, "source", identifier, True, references="sources")


def notes():
    return field("notes")


@dataclass(frozen=True)
class Table:
    name: str
    file: str  # the file in data/ it is read from ("" for a table the build derives)
    pk: object
    columns: tuple
    people: bool = False  # its records are people: no value may look like an e-mail address

    def source_fields(self):
        """name -> (parser, value required), for the loader."""
        return {c.source: (c.parse, c.required) for c in self.columns if c.source}

    def header_optional(self):
        return {c.source for c in self.columns if c.source and c.header_optional}

    def db_columns(self):
        return {c.name: c.type for c in self.columns if c.name}

    def foreign_keys(self):
        return [(c.name, c.references, "id") for c in self.columns if c.name and c.references]

    def stored(self, record):
        """The columns a record gives as they are; the build adds the derived ones."""
        return {c.name: c.store(record.get(c.source)) for c in self.columns if c.name and c.source}


SOURCES = Table("sources", "sources.yaml", "id", (
    field("id", from_yaml(identifier), True), field("title", from_yaml(text), True), field("url", from_yaml(url)),
    field("original_url", from_yaml(url)), field("notes", from_yaml(text)),
))
# The conference and its venue are one YAML mapping and one row; the venue's fields are `venue.<key>`.
CONFERENCE = Table("conference", "conference.yaml", "id", (
    field("id", from_yaml(identifier), True), field("name", from_yaml(text), True),
    # An edition's year; its dates once announced (a new edition may have none yet: its year says which it is).
    field("acronym", from_yaml(identifier), True), field("year", yaml_year, type=int),
    field("start_date", yaml_date), field("end_date", yaml_date), Column("days", int),
    field("timezone", timezone_name, True),
    field("url", from_yaml(url), True), field("schedule_url", from_yaml(url)), field("city", from_yaml(text)),
    field("updated", yaml_datetime, True),
    # An earlier edition's venue may be known only by name, or not at all (2022's feed names none): unknown stays empty.
    Column("venue_name", str, "venue.name", from_yaml(text)),
    Column("venue_address", str, "venue.street_address", from_yaml(text)),
    Column("venue_entrance", str, "venue.entrance", from_yaml(text)),
    Column("latitude", float, "venue.latitude", yaml_number),
    Column("longitude", float, "venue.longitude", yaml_number),
    Column("venue_source_id", str, "venue.source", from_yaml(identifier), True, references="sources"),
    Column("notes", str, "venue.notes", from_yaml(text)),
    Column("source_id", str, "source", from_yaml(identifier), True, references="sources"),
    Column(None, source="presentation_url", parse=from_yaml(url_template)),
    Column(None, source="speaker_url", parse=from_yaml(url_template)),
    Column(None, source="venue", parse=lambda v: v, required=True),
))
ROOMS = Table("rooms", "rooms.csv", "id", (
    field("id", identifier, True), field("name", text, True), field("app_label"), field("floor"), field("usage"),
    field("parallel", yes_no, True, int), Column("session_count", int),
    field("map_x_pct", number, type=float), field("map_y_pct", number, type=float), source_id(), notes(),
))
TRACKS = Table("tracks", "tracks.yaml", "id", (
    field("id", from_yaml(identifier), True), field("name", from_yaml(text), True),
    field("full_name", from_yaml(text)), field("description", from_yaml(text)),
    Column("days", str, "days", string_list, True, store=day_list), Column("room_id", str, "room", from_yaml(identifier),
                                                            references="rooms"),
    field("chairs_role", from_yaml(text)), Column("chairs", str, "chairs", chair_list, store=chair_names),
    Column("session_count", int),
    field("url", from_yaml(url)), Column("source_id", str, "source", from_yaml(identifier), True, references="sources"),
    field("notes", from_yaml(text)),
))
SPEAKERS = Table("speakers", "speakers.csv", "id", (
    field("id", identifier, True), field("name", text, True), field("profile_id", integer, type=int),
    Column("profile_url", str), Column("roles", str), Column("tracks", str), Column("session_count", int),
    field("bio", header_optional=True), source_id(), notes(),
), people=True)
SESSIONS = Table("sessions", "sessions.csv", "id", (
    field("id", integer, True, int), field("title", text, True), field("subtitle"),
    Column("kind", str, "kind", identifier, True),  # one of data/kinds.yaml (checks.py)
    Column("track_id", str, "track", identifier, references="tracks"),
    Column("room_id", str, "room", identifier, references="rooms"),
    Column("parent_id", int, "parent", integer, references="sessions"),
    Column("day", str, "date", iso_date, True), Column("weekday", str),
    Column("start_local", str), Column("end_local", str), Column("timezone", str),
    Column("start_iso", str), Column("end_iso", str), Column("duration_min", int),
    field("language", one_of(*LANGUAGES), True), field("level"), Column("speakers", str),
    field("url", url), field("description", header_optional=True),
    field("cancelled", yes_no, type=int, header_optional=True, store=lambda v: 1 if v else 0),
    field("sequence", integer, type=int, header_optional=True, store=lambda v: v or 0),
    notes(), source_id(),
    Column(None, source="start", parse=wall_time), Column(None, source="end", parse=wall_time),
    Column(None, source="other_rooms", parse=identifier_list, header_optional=True),
    Column(None, source="feed_key", header_optional=True),
))
SESSION_SPEAKERS = Table("session_speakers", "session_speakers.csv", ("session_id", "speaker_id"), (
    Column("session_id", int, "session", integer, True, references="sessions"),
    Column("speaker_id", str, "speaker", identifier, True, references="speakers"),
    field("position", integer, True, int),
    # who says this person spoke there, when not the session's own source (a recording naming a keynote's speaker)
    Column("source_id", str, "source", identifier, header_optional=True, references="sources"),
), people=True)
# Derived from sessions: the rooms of each, the first being its `room`.
SESSION_ROOMS = Table("session_rooms", "", ("session_id", "room_id"), (
    Column("session_id", int, references="sessions"), Column("room_id", str, references="rooms"),
    Column("position", int),
))
HOTELS = Table("hotels", "hotels.csv", "id", (
    field("id", identifier, True), field("name", text, True), Column("address", str),
    field("street_address", text, True), field("city", text, True), field("state", text, True), field("zip"),
    field("latitude", number, type=float), field("longitude", number, type=float),
    Column("distance_km", float), Column("walking_min", int), field("rooms", integer, type=int),
    field("rooms_source"), field("website", url), field("in_official_block", yes_no, type=int), field("status"),
    field("summary", header_optional=True),  # what a guest should know, in one short line
    Column("popup", str), field("coordinates_source"), field("address_source"), source_id(), notes(),
    Column("nearness", int),
))
SPRINT_PROJECTS = Table("sprint_projects", "sprint_projects.csv", "id", (
    field("id", integer, True, int), field("project", text, True), field("url", url), field("submitted_by"),
    source_id(), notes(),
), people=True)
REPORTED_SESSIONS = Table("reported_sessions", "reported_sessions.csv", "id", (
    field("id", integer, True, int),
    # the session a recording confirms this is (written by the recordings importer)
    Column("session_id", int, "session", integer, header_optional=True, references="sessions"),
    field("title", text, True), field("speaker"),
    Column("day", str, "date", iso_date, True), field("kind", text, True), source_id(),
    field("notes", header_optional=True),
), people=True)

# How a recording was matched to its session (scripts/importers/matching.py says each method).
# `page`: the recording's official page names a presentation the captured program lacks, made a session
# from the recording; `index`: a talk of a lightning-talk recording's index, a part of that recording.
# `title-other-day`: the same title, one session's in the whole program, on another day than pyvideo's date.
# "shared-video": matched, but pyvideo gives its video to another matched session too; one of the two is
# wrong and nothing here says which, so neither session shows it as its recording (the certain_recordings view).
MATCH_METHODS = ("hand", "url", "title", "title-contained", "lightning-slot", "page", "index", "title-other-day",
                 "shared-video", "speakers-title", "keynote-speaker", "plenary-title")
# Recordings of sessions, from pyvideo/data (scripts/importers/recordings.py writes the file).
RECORDINGS = Table("recordings", "recordings.csv", "id", (
    field("id", identifier, True), Column("session_id", int, "session", integer, references="sessions"),
    field("match", one_of(*MATCH_METHODS)),
    Column("session_by_hand", int, "session_by_hand", integer, references="sessions"),
    field("title", text, True), field("speakers"), field("recorded", iso_date, True),
    field("duration_s", integer, type=int), field("language"), field("video_url", url, True),
    field("thumbnail_url", url), field("presentation_url", url),
    Column("part_of", str, "part_of", identifier, header_optional=True, references="recordings"),
    field("start_s", integer, type=int, header_optional=True),  # where in the video the session starts
    Column("watch_url", str),  # the video at the session's start (the build derives it)
    field("file", text, True), source_id(),
))

# The vocabulary of kinds that validation, the importer, the pages and the search share.
KINDS = Table("kinds", "kinds.yaml", "id", (
    field("id", from_yaml(identifier), True), field("label", from_yaml(text), True),
    field("search_words", from_yaml(text), True), field("in_feed", yaml_flag, True, int),
    field("recorded", yaml_flag, True, int), field("notes", from_yaml(text)),
))

# Words that mean the same for search (data/synonyms.yaml, optional): the search reads them at query time.
SYNONYMS = Table("search_synonyms", "synonyms.yaml", "id", (
    field("id", from_yaml(identifier), True),
    field("words", string_list, True, store=lambda words: json.dumps([str(w) for w in words], ensure_ascii=False)),
    field("notes", from_yaml(text)),
))

# What each import of the official feed changed (scripts/importers/changes.py writes it, one row a change).
CHANGE_KINDS = ("added", "removed", "cancelled", "reinstated", "moved", "room", "retitled", "speakers")
CHANGES = Table("program_changes", "changes.csv", ("imported", "session_id", "change"), (
    Column("imported", str, "import", iso_moment, True), Column("session_id", int, "session", integer, True),
    field("change", one_of(*CHANGE_KINDS), True), field("title", text, True), field("before"), field("after"),
    source_id(),
))

# People the editions name differently, one entry a person (data/same_people.yaml, optional, the site's folder
# only): what names alone cannot decide, decided by an organiser with the evidence. The build refuses a name no
# edition gives (scripts/database/people.py).
SAME_PEOPLE_FILE = "same_people.yaml"
SAME_PEOPLE_FIELDS = {"names": (string_list, True), "evidence": (from_yaml(text), True)}

# In the order the build writes them.
TABLES = (SOURCES, CONFERENCE, ROOMS, TRACKS, SPEAKERS, SESSIONS, SESSION_SPEAKERS, SESSION_ROOMS, HOTELS,
          SPRINT_PROJECTS, REPORTED_SESSIONS, KINDS, RECORDINGS, SYNONYMS, CHANGES)
CSV_TABLES = {t.name: t for t in TABLES if t.file.endswith(".csv")}
