"""Read CSV and YAML sources, keeping line numbers and turning every fault into a DataError."""
import csv
import io
from pathlib import Path

import yaml

from .errors import DataError

# Long descriptions are legitimate; a field past this is not a source file anyone wrote by hand.
csv.field_size_limit(16_000_000)


def leaves_folder(path: Path) -> bool:
    """A file that is a link to somewhere outside its folder (data/ must hold its own sources);
    a link that loops counts too, since it leads nowhere inside."""
    try:
        return path.is_symlink() and not path.resolve(strict=True).is_relative_to(path.parent.resolve())
    except (OSError, RuntimeError):  # a loop, or a broken link: reported by _readable
        return False


def _readable(path: Path, name: str, errors: list) -> bool:
    """Whether `path` is a regular file that can be read; if not, the reason is recorded."""
    if not path.exists() and not path.is_symlink():
        errors.append(DataError(name, None, None, "file is missing"))
        return False
    if leaves_folder(path):
        errors.append(DataError(name, None, None, "is a link to a file outside data/; copy the file into data/ instead"))
        return False
    try:
        path.resolve(strict=True)
    except RuntimeError:
        errors.append(DataError(name, None, None, "is a link that loops back on itself"))
        return False
    except OSError:
        errors.append(DataError(name, None, None, "is a broken link"))
        return False
    if not path.is_file():  # a directory, a named pipe (reading one would wait for ever), a device
        errors.append(DataError(name, None, None, "is not a regular file (a directory, a pipe or a device)"))
        return False
    return True


def _decode(path: Path, name: str, errors: list):
    """Return the text of a file, or None after recording where the invalid UTF-8 is."""
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        errors.append(DataError(name, line, None, f"invalid UTF-8 (byte 0x{raw[exc.start]:02x}); save the file as UTF-8"))
        return None


def read_csv(path: Path, name: str, columns: dict, errors: list):
    """Rows of a CSV file as (line, dict), after checking its header against `columns`.

    `columns` maps each expected column to True when it must be present in the header.
    """
    if not _readable(path, name, errors):
        return []
    text = _decode(path, name, errors)
    if text is None:
        return []
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        errors.append(DataError(name, 1, None, "file is empty; it needs at least a header line"))
        return []
    header = [h.strip() for h in header]
    unknown = [h for h in header if h not in columns]
    for h in unknown:
        hint = _closest(h, columns)
        errors.append(DataError(name, 1, h, "unknown column" + (f" (did you mean '{hint}'?)" if hint else "")))
    for col, required in columns.items():
        if required and col not in header:
            errors.append(DataError(name, 1, col, "missing column"))
    seen = set()
    for h in header:
        if h in seen:
            errors.append(DataError(name, 1, h, "column appears twice in the header"))
        seen.add(h)
    rows = []
    while True:
        line = reader.line_num + 1
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            errors.append(DataError(name, line, None, f"unreadable CSV: {exc}"))
            break
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(header):
            errors.append(DataError(name, line, None, f"has {len(values)} values but the header has {len(header)} columns"))
            continue
        rows.append((line, {h: v.strip() for h, v in zip(header, values) if h in columns}))
    return rows


def read_yaml(path: Path, name: str, errors: list):
    """Parsed YAML, or None after recording the syntax error with its line."""
    if not _readable(path, name, errors):
        return None
    text = _decode(path, name, errors)
    if text is None:
        return None
    try:
        return yaml.load(text, Loader=LineLoader)
    except RecursionError:
        errors.append(DataError(name, None, None, "YAML nested too deeply"))
        return None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        errors.append(DataError(name, line, None, f"YAML syntax error: {problem}"))
        return None


MAX_DIGITS = 30  # a number longer than this is a typo (and past 4,300 digits Python refuses to read it)


class LineLoader(yaml.SafeLoader):
    """A safe loader that records, for every mapping, the line of each key in `__lines__`.

    It refuses what no hand-written data file needs and what could hang or crash a build:
    aliases (`*name`: a recursive one never ends, a nested set of them multiplies a small file
    into billions of items), a key given twice in one mapping, numbers of absurd length.
    """

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(None, None, "aliases (*name) are not allowed in data files",
                                              event.start_mark)
        return super().compose_node(parent, index)

    def construct_yaml_int(self, node):
        if len(node.value) > MAX_DIGITS:
            raise yaml.constructor.ConstructorError(None, None, f"a number of {len(node.value)} digits", node.start_mark)
        return super().construct_yaml_int(node)

    def construct_mapping(self, node, deep=False):
        keys = [k.value for k, _ in node.value]
        for i, key_node in enumerate(k for k, _ in node.value):
            if key_node.value in keys[:i]:
                raise yaml.constructor.ConstructorError(None, None, f"the key '{key_node.value}' is given twice",
                                                        key_node.start_mark)
        mapping = super().construct_mapping(node, deep=deep)
        mapping["__lines__"] = {k.value: k.start_mark.line + 1 for k, _ in node.value}
        mapping["__line__"] = node.start_mark.line + 1
        return mapping


def _closest(word, candidates):
    import difflib

    match = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.75)
    return match[0] if match else None


LineLoader.add_constructor("tag:yaml.org,2002:int", LineLoader.construct_yaml_int)
