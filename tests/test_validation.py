"""Every validation rule, one bad-input case each (tests/bad_inputs/), asserting the exact messages."""
import csv
import hashlib
import io
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scripts.database.build import build
from scripts.sources.checks import validate
from scripts.cli import cli
from scripts.sources.errors import ValidationFailed

from .bad_inputs import apply_case, load_cases
from .conftest import DATA, ROOT, copy_data


@pytest.mark.parametrize("case", load_cases(), ids=lambda p: p.stem)
def test_bad_input_is_refused_with_its_message(case, data_copy):
    expected = apply_case(case, data_copy)
    with pytest.raises(ValidationFailed) as info:
        validate(data_copy)
    assert [str(e) for e in info.value.errors] == sorted(expected, key=_sort_key(info.value.errors))


def _sort_key(errors):
    order = [str(e) for e in errors]
    return lambda line: order.index(line) if line in order else len(order)


def test_the_real_data_is_valid():
    ds = validate(DATA)
    assert len(ds.tables["sessions"]) > 150


def test_parallel_rooms_may_hold_overlapping_sessions(data_copy):
    # Hall AB is declared parallel: the job fair, the posters and lunch share it on Sunday.
    rooms = (data_copy / "rooms.csv").read_text(encoding="utf-8")
    assert "\nhallab,Hall AB," in rooms
    validate(data_copy)
    (data_copy / "rooms.csv").write_text(rooms.replace("Booths, Job Fair, Community Showcase\",yes", "Booths, Job Fair, Community Showcase\",no", 1), encoding="utf-8")
    with pytest.raises(ValidationFailed) as info:
        validate(data_copy)
    assert any("in room 'hallab'" in str(e) for e in info.value.errors)


def test_cli_validate_lists_errors_and_exits_non_zero(data_copy):
    apply_case(next(c for c in load_cases() if c.stem == "several_errors_at_once"), data_copy)
    result = CliRunner().invoke(cli, ["validate", "--data", str(data_copy)])
    assert result.exit_code == 1
    assert "data/sessions.csv:3: field 'room': unknown room '101z'" in result.output
    assert "3 error(s); nothing was written." in result.output


def test_cli_commands_have_help():
    for args in ([], ["validate"], ["build"]):
        result = CliRunner().invoke(cli, args + ["--help"])
        assert result.exit_code == 0 and "Usage:" in result.output


def test_build_is_deterministic(tmp_path):
    """The site's database and each edition's beside it: the same sources, the same bytes."""
    (tmp_path / "a").mkdir(), (tmp_path / "b").mkdir()
    data = copy_data(tmp_path / "data")
    build(data, tmp_path / "a" / "pycon.db")
    build(data, tmp_path / "b" / "pycon.db")
    built = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert built == ["pycon.db", "pycon2022.db", "pycon2023.db", "pycon2024.db", "pycon2025.db"]
    for name in built:
        assert hashlib.sha256((tmp_path / "a" / name).read_bytes()).digest() == \
            hashlib.sha256((tmp_path / "b" / name).read_bytes()).digest(), name


def test_failed_build_keeps_the_previous_database(tmp_path, data_copy):
    out = tmp_path / "pycon.db"
    build(data_copy, out)
    before = {p.name: p.read_bytes() for p in tmp_path.glob("*.db")}
    apply_case(next(c for c in load_cases() if c.stem == "unknown_room"), data_copy)
    result = CliRunner().invoke(cli, ["build", "--data", str(data_copy), "--out", str(out)])
    assert result.exit_code == 1
    assert {p.name: p.read_bytes() for p in tmp_path.glob("*.db")} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "pycon.db", "pycon2022.db", "pycon2023.db",
                                                          "pycon2024.db", "pycon2025.db"]


def test_killed_build_leaves_old_database_and_next_build_succeeds(tmp_path):
    out = tmp_path / "pycon.db"
    data = copy_data(tmp_path / "data")
    build(data, out)
    before = out.read_bytes()
    # A build that is killed while it writes: the writer blocks mid-way until it is killed.
    code = (
        "import sys, time, scripts.database.build as b\n"
        "orig = b.write_database\n"
        "def slow(ds, path, *args):\n"
        "    orig(ds, path, *args)\n"
        "    print('written', flush=True)\n"
        "    time.sleep(60)\n"
        "b.write_database = slow\n"
        f"b.build({str(data)!r}, {str(out)!r})\n"
    )
    editions = {p.name: p.read_bytes() for p in tmp_path.glob("pycon2*.db")}
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "written"
    partial = tmp_path / ".pycon2022.db.partial"  # the first database written: an earlier edition's
    assert partial.exists()
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    assert out.read_bytes() == before
    assert {p.name: p.read_bytes() for p in tmp_path.glob("pycon2*.db")} == editions and len(editions) == 4
    build(data, out)
    assert list(tmp_path.glob(".*.partial")) == []
    assert out.read_bytes() == before


# Any damage to any cell gives a clear ValidationFailed (or still-valid data), never a crash.
CSV_SOURCES = ["sessions.csv", "speakers.csv", "session_speakers.csv", "rooms.csv", "hotels.csv", "sprint_projects.csv"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.sampled_from(CSV_SOURCES), row=st.integers(0, 200), col=st.integers(0, 30),
       value=st.one_of(st.text(max_size=40), st.sampled_from(["", "0", "-1", "x", "2026-02-30", "25:00", "yes",
                                                              "33.7", "nan", "inf", "a;b", "101a;nope"])))
def test_any_damaged_cell_gives_a_clear_error(tmp_path, name, row, col, value):
    # tmp_path is shared by every example (hypothesis may replay one): each gets its own folder.
    target = copy_data(Path(tempfile.mkdtemp(dir=tmp_path)) / "data")
    rows = list(csv.reader(io.StringIO((target / name).read_text(encoding="utf-8"))))
    r = rows[row % len(rows)]
    r[col % len(r)] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    (target / name).write_text(out.getvalue(), encoding="utf-8")
    try:
        validate(target)
    except ValidationFailed as exc:
        assert exc.errors and all(str(e).startswith("data/") for e in exc.errors)


def test_a_byte_order_mark_is_accepted(data_copy):
    """Editors on Windows write one: every CSV and YAML source still reads the same."""
    for path in sorted(data_copy.glob("*.csv")) + sorted(data_copy.glob("*.yaml")):
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    ds = validate(data_copy)
    assert len(ds.tables["sessions"]) == len(validate(DATA).tables["sessions"])


def test_a_link_out_of_data_is_refused_without_reading_it(data_copy, tmp_path):
    secret = tmp_path / "secret.csv"
    secret.write_text("root:x:0:0:password-hash\n", encoding="utf-8")
    (data_copy / "hotels.csv").unlink()
    (data_copy / "hotels.csv").symlink_to(secret)
    with pytest.raises(ValidationFailed) as info:
        validate(data_copy)
    messages = [str(e) for e in info.value.errors]
    assert messages == ["data/hotels.csv: is a link to a file outside data/; copy the file into data/ instead"]
    assert not any("root" in m for m in messages)


@pytest.mark.parametrize("make,message", [
    (lambda p: p.mkdir(), "is not a regular file (a directory, a pipe or a device)"),
    (lambda p: os.mkfifo(p), "is not a regular file (a directory, a pipe or a device)"),  # reading one waited for ever
    (lambda p: p.symlink_to(p.name), "is a link that loops back on itself"),
])
def test_a_source_that_is_not_a_file_is_named_quickly(data_copy, tmp_path, make, message):
    target = data_copy / "hotels.csv"
    target.unlink()
    make(target)
    # validate and build run as people run them, in processes of their own: a message, never a traceback.
    for command in (["validate", "--data", str(data_copy)], ["build", "--data", str(data_copy), "--out", str(tmp_path / "x.db")]):
        result = subprocess.run([str(Path(sys.executable).parent / "pycon-db"), *command], capture_output=True, text=True,
                                timeout=60)
        assert result.returncode != 0 and "Traceback" not in result.stderr + result.stdout
        assert f"data/hotels.csv: {message}" in result.stdout + result.stderr
    assert not (tmp_path / "x.db").exists()
