"""Apply a bad-input case (tests/bad_inputs/*.yaml) to a copy of data/."""
import csv
import io
import re
from pathlib import Path

import yaml

CASES = Path(__file__).parent / "bad_inputs"


def load_cases():
    return sorted(CASES.glob("*.yaml"))


def apply_case(case_path: Path, data_dir: Path):
    """Apply the case's edits to data_dir; return the error lines it must produce."""
    case = yaml.safe_load(case_path.read_text(encoding="utf-8"))
    appended = {}  # "<APPENDED file>" in an error: the line the case's appended row lands on
    for edit in case["edits"]:
        path = data_dir / edit["file"]
        raw = path.read_bytes()
        if "replace" in edit:
            # "<REPEAT x 5>" in a replacement stands for "xxxxx": long values without long files.
            old, new = (re.sub(r"<REPEAT (.) (\d+)>", lambda m: m.group(1) * int(m.group(2)), s).encode("utf-8")
                        for s in edit["replace"])
            assert raw.count(old) == 1, f"{case_path.name}: {edit['replace'][0]!r} must occur exactly once in {edit['file']}"
            raw = raw.replace(old, new.replace(b"<0xFF>", b"\xff"))
        if "append" in edit:
            appended[f"<APPENDED {edit['file']}>"] = str(raw.count(b"\n") + 1)
            raw += edit["append"].encode("utf-8")
        if "drop_column" in edit:
            rows = list(csv.reader(io.StringIO(raw.decode("utf-8"))))
            i = rows[0].index(edit["drop_column"])
            out = io.StringIO()
            csv.writer(out, lineterminator="\n").writerows([r[:i] + r[i + 1:] for r in rows])
            raw = out.getvalue().encode("utf-8")
        if "add_column" in edit:
            rows = list(csv.reader(io.StringIO(raw.decode("utf-8"))))
            out = io.StringIO()
            csv.writer(out, lineterminator="\n").writerows(
                [rows[0] + [edit["add_column"]]] + [r + [edit.get("value", "")] for r in rows[1:]])
            raw = out.getvalue().encode("utf-8")
        path.write_bytes(raw)
    return [re.sub(r"<APPENDED [^>]+>", lambda m: appended[m.group(0)], e) for e in case["errors"]]
