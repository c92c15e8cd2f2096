"""Load data/ into typed records, checking each field on its own by its table's schema (types,
formats, required values)."""
import re
from dataclasses import dataclass, field
from pathlib import Path

from .errors import DataError
from .readers import leaves_folder, read_csv, read_yaml
from .schema import CONFERENCE, CSV_TABLES, KINDS, SAME_PEOPLE_FIELDS, SAME_PEOPLE_FILE, SOURCES, SYNONYMS, TRACKS

# How far from the venue a hotel may be, in degrees either way (about 80 km north-south, 90 km east-west
# at Long Beach): scripts/sources/checks.py centres the box on the venue.
PLAUSIBLE_BOX = {"latitude": 0.75, "longitude": 1.0}

CONTACT_COLUMN = re.compile(r"e-?mail|phone|mobile|\bfax\b|telephone", re.I)
EMAIL_VALUE = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")


@dataclass
class Record:
    """One row of a source: its typed values, and where it came from for error messages."""

    file: str
    line: int
    values: dict
    invalid: frozenset = frozenset()  # fields whose value was present but unparseable

    def __getitem__(self, key):
        return self.values[key]

    def get(self, key, default=None):
        return self.values.get(key, default)

    def error(self, field_name, message):
        return DataError(self.file, self.line, field_name, message)


@dataclass
class Dataset:
    conference: dict = field(default_factory=dict)
    sources: list = field(default_factory=list)
    tracks: list = field(default_factory=list)
    kinds: list = field(default_factory=list)
    synonyms: list = field(default_factory=list)  # data/synonyms.yaml, which a data folder may leave out
    same_people: list = field(default_factory=list)  # data/same_people.yaml (optional): an organiser's merges
    tables: dict = field(default_factory=dict)
    errors: list = field(default_factory=list)
    unreadable: set = field(default_factory=set)  # files that could not be read at all
    warnings: list = field(default_factory=list)  # what the build says without refusing it


# The conference's own fields, and its venue's (`venue.<key>` in the schema: one mapping inside the other).
CONFERENCE_FIELDS = {k: v for k, v in CONFERENCE.source_fields().items() if not k.startswith("venue.")}
VENUE_FIELDS = {k[len("venue."):]: v for k, v in CONFERENCE.source_fields().items() if k.startswith("venue.")}


def parse_row(name, line, raw, spec, errors):
    values, invalid = {}, set()
    for col, (parser, required) in spec.items():
        value = raw.get(col, "")
        if value == "":
            if required and col in raw:
                errors.append(DataError(name, line, col, "is empty but required"))
            values[col] = None
            continue
        try:
            values[col] = parser(value)
        except ValueError as exc:
            errors.append(DataError(name, line, col, str(exc)))
            values[col] = None
            invalid.add(col)
    return Record(name, line, values, frozenset(invalid))


def load_csv(data_dir: Path, key: str, errors: list):
    table = CSV_TABLES[key]
    filename, spec = table.file, table.source_fields()
    name = f"data/{filename}"
    optional = table.header_optional()
    columns = {col: col not in optional for col in spec}
    records = []
    for line, raw in read_csv(data_dir / filename, name, columns, errors):
        check_contact_data(name, line, raw, table.people, errors)
        records.append(parse_row(name, line, raw, spec, errors))
    return records


def check_contact_data(name, line, raw, people, errors):
    """No personal contact data: refuse e-mail/phone columns, and e-mail-shaped values in people's records."""
    for col, value in raw.items():
        if people and EMAIL_VALUE.search(value):
            errors.append(DataError(name, line, col, "looks like an e-mail address; personal contact data is never published"))


def refuse_contact_columns(data_dir: Path, errors):
    """A column named like e-mail or phone is refused in every CSV source, known or not."""
    for filename in (table.file for table in CSV_TABLES.values()):
        path = data_dir / filename
        if not path.is_file() or leaves_folder(path):
            continue  # read_csv says what is wrong with it
        first = path.read_bytes().split(b"\n", 1)[0].decode("utf-8", "replace")
        for col in first.strip().lstrip("\ufeff").split(","):
            col = col.strip().strip('"')
            if CONTACT_COLUMN.search(col):
                errors.append(DataError(f"data/{filename}", 1, col, "personal contact data (e-mail, phone) is never published; remove this column"))


def _yaml_record(name, item, spec, errors):
    line = item.get("__line__")
    values, invalid = {}, set()
    lines = item.get("__lines__", {})
    for key in item:
        if key.startswith("__"):
            continue
        if key not in spec:
            errors.append(DataError(name, lines.get(key, line), key, "unknown key"))
    for key, (parser, required) in spec.items():
        value = item.get(key)
        if value is None or value == "":
            if required:
                errors.append(DataError(name, line, key, "is missing but required"))
            values[key] = None
            continue
        try:
            values[key] = parser(value)
        except (ValueError, TypeError) as exc:
            errors.append(DataError(name, lines.get(key, line), key, str(exc)))
            values[key] = None
            invalid.add(key)
    return Record(name, line, values, frozenset(invalid))


def load_yaml_list(data_dir, filename, spec, errors):
    name = f"data/{filename}"
    doc = read_yaml(data_dir / filename, name, errors)
    if doc is None:
        return []
    if not isinstance(doc, list):
        errors.append(DataError(name, 1, None, "should be a list of records"))
        return []
    return [_yaml_record(name, item, spec, errors) if isinstance(item, dict)
            else errors.append(DataError(name, None, None, f"item {item!r} should be a mapping")) for item in doc]


def load_dataset(data_dir: Path) -> Dataset:
    """Read every source in data_dir; field-level problems are collected in .errors."""
    ds = Dataset()
    errors = ds.errors
    refuse_contact_columns(data_dir, errors)
    doc = read_yaml(data_dir / "conference.yaml", "data/conference.yaml", errors)
    if isinstance(doc, dict):
        conf = _yaml_record("data/conference.yaml", doc, CONFERENCE_FIELDS, errors)
        venue = conf.get("venue")
        if isinstance(venue, dict):
            conf.values["venue"] = _yaml_record("data/conference.yaml", venue, VENUE_FIELDS, errors)
        elif venue is not None:
            errors.append(DataError("data/conference.yaml", conf.line, "venue", "should be a mapping"))
            conf.values["venue"] = None
        ds.conference = conf
    elif doc is not None or not any(e.file == "data/conference.yaml" for e in errors):
        errors.append(DataError("data/conference.yaml", 1, None, "should be a mapping of conference facts"))
    ds.sources = [r for r in load_yaml_list(data_dir, SOURCES.file, SOURCES.source_fields(), errors) if r]
    ds.tracks = [r for r in load_yaml_list(data_dir, TRACKS.file, TRACKS.source_fields(), errors) if r]
    ds.kinds = [r for r in load_yaml_list(data_dir, KINDS.file, KINDS.source_fields(), errors) if r]
    if (data_dir / SYNONYMS.file).exists():
        ds.synonyms = [r for r in load_yaml_list(data_dir, SYNONYMS.file, SYNONYMS.source_fields(), errors) if r]
    if (data_dir / SAME_PEOPLE_FILE).exists():
        ds.same_people = [r for r in load_yaml_list(data_dir, SAME_PEOPLE_FILE, SAME_PEOPLE_FIELDS, errors) if r]
    for key in CSV_TABLES:
        ds.tables[key] = load_csv(data_dir, key, errors)
    ds.unreadable = {e.file for e in errors if e.line is None or "invalid UTF-8" in e.message
                     or "YAML syntax error" in e.message or "file is empty" in e.message}
    return ds
