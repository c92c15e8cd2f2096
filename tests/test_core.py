"""The shared core (scripts/core/): each rule the build, the importers and the plugins use, tested once,
and a guard that no plugin or template writes one of them again."""
import re
from pathlib import Path

import pytest

from scripts.core import names, times, words
from scripts.core.clock import local_time
from scripts.importers.official import Summary, mark_parallel_rooms

from .conftest import ROOT


def span(start, end, item):
    return (f"2026-05-15 {start}", f"2026-05-15 {end}", item)


def test_overlap_is_strict_at_the_edges():
    assert times.overlaps("09:00", "10:00", "09:30", "10:30")
    assert not times.overlaps("09:00", "10:00", "10:00", "10:30")  # one ends as the next begins
    assert times.overlaps("09:00", "12:00", "10:00", "10:30")  # one inside the other


def test_every_overlapping_pair_is_found_not_only_neighbours():
    # A 3-hour slot, a talk inside it, and a session that follows the talk but is still inside the slot.
    spans = [span("09:00", "12:00", "slot"), span("09:00", "10:00", "talk"), span("10:00", "10:30", "other")]
    assert {frozenset(p) for p in times.overlapping_pairs(spans)} == {frozenset({"slot", "other"}), frozenset({"slot", "talk"})}


def test_parent_and_child():
    parent, child, other = {"id": "1", "parent": ""}, {"id": "2", "parent": "1"}, {"id": "3", "parent": ""}
    assert times.parent_and_child(parent, child) and times.parent_and_child(child, parent)
    assert not times.parent_and_child(parent, other)


def importer_session(sid, start, end, parent=""):
    return {"id": sid, "room": "hall", "other_rooms": "", "date": "2026-05-15", "start": start, "end": end, "parent": parent}


def test_the_importer_marks_a_room_parallel_when_a_slot_holds_a_talk_and_another_session():
    """The importer compared neighbours only: a slot, its talk, and a session after the talk (still in the
    slot) went unnoticed, though validation reports that overlap."""
    sessions = [importer_session("1", "09:00", "12:00"), importer_session("2", "09:00", "10:00", parent="1"),
                importer_session("3", "10:00", "10:30")]
    rooms, summary = [{"id": "hall", "name": "Hall A", "parallel": ""}], Summary()
    mark_parallel_rooms(sessions, rooms, summary)
    assert rooms[0]["parallel"] == "yes"
    assert summary.notices == ["room hall (Hall A) holds overlapping sessions in the feed: marked parallel"]


def test_the_importer_leaves_a_slot_and_its_own_talks_alone():
    sessions = [importer_session("1", "09:00", "12:00"), importer_session("2", "09:00", "10:00", parent="1"),
                importer_session("3", "10:00", "11:00", parent="1")]
    rooms, summary = [{"id": "hall", "name": "Hall A", "parallel": ""}], Summary()
    mark_parallel_rooms(sessions, rooms, summary)
    assert rooms[0]["parallel"] == "" and summary.notices == []


@pytest.mark.parametrize("text, folded", [("Hervás", "hervas"), ("Ünïcödé", "unicode"), ("PyCon US", "pycon us"),
                                          ("Łukasz Langa", "lukasz langa"), ("Øyvind", "oyvind"), ("Straße", "strasse")])
def test_accents_and_case_fold(text, folded):
    assert words.ascii_folded(text) == folded


def test_fold_and_slug():
    assert words.fold("  “Async” – Python: 101! ") == "async python 101"
    assert words.slug("Hervás Talk: Part 2!") == "hervas-talk-part-2"


@pytest.mark.parametrize("given, name", [
    ("Jessica Greene (she/her)", "Jessica Greene"), ("Chioma Onyekpere (She/Her)", "Chioma Onyekpere"),
    ("Alex Doe (they/them)", "Alex Doe"), ("Juliana (Jules) Barros Lima", "Juliana (Jules) Barros Lima"),
    ("Dr. Rebecca Bilbro", "Rebecca Bilbro"), ("Dr. Kari L. Jordan", "Kari L. Jordan"), ("Dr. Who", "Dr. Who"),
    ("Jeremy Goodsitt, PhD, Lead Machine Learning Engineer at Capital One", "Jeremy Goodsitt"),
    ("Amethyst Reese 🌸", "Amethyst Reese"), ("Hosted by Abigail, Chris, Cristián, and Lorena", ""),
    ("Camila Maia", "Camila Maia"),
])
def test_a_speakers_name_is_a_persons_without_pronouns_titles_or_jobs(given, name):
    assert words.person_name(given) == name


def test_a_search_reads_sixteen_words_of_sixty_four_letters_at_most():
    query = " ".join(f"w{i}" for i in range(20)) + " " + "x" * 100
    read = words.query_words(query)
    assert read == [f"w{i}" for i in range(16)]
    assert words.query_words("x" * 100) == ["x" * 64]
    assert words.query_words(None) == []


@pytest.mark.parametrize("name, served", [("pycon", True), ("pycon2023", True), ("pycon20233", False),
                                          ("pycon2023x", False), ("other", False), (None, False)])
def test_which_databases_have_a_program(name, served):
    assert names.is_program_database(name) is served


def test_an_editions_template_falls_back_to_the_sites_and_its_file_lies_beside_the_sites():
    assert names.site_template("row-pycon2023-sessions.html") == "row-pycon-sessions.html"
    assert names.site_template("query-pycon2022-search.html") == "query-pycon-search.html"
    assert names.site_template("query-pycon-search.html") == "query-pycon-search.html"
    assert names.edition_path(Path("build/pycon.db"), 2023) == Path("build/pycon2023.db")


def test_the_clock_reads_pycon_now_in_the_conference_zone(monkeypatch):
    monkeypatch.setenv("PYCON_NOW", "2026-05-15T11:10")
    assert local_time("", "America/Los_Angeles") == "2026-05-15 11:10"
    monkeypatch.setenv("PYCON_NOW", "2026-05-15T18:10+00:00")
    assert local_time("", "America/Los_Angeles") == "2026-05-15 11:10"
    assert local_time("2026-05-16T09:00", "America/Los_Angeles") == "2026-05-16 09:00"
    assert local_time("not a time", "America/Los_Angeles") is None
    assert local_time("", "Not/AZone") is None


# Each rule's own spelling: a plugin or template that has one of these writes the rule again.
COPIES = {
    "accent folding": re.compile(r"unicodedata\.normalize"),
    "the database names": re.compile(r"""["']pycon["']|pycon\(\\d|pycon\\d|-pycon\\d"""),
    "the conference clock": re.compile(r"datetime\.now\(|PYCON_NOW|> last_end"),
    "the overlap rule": re.compile(r"start_local\s*<\s*:end|\[.start.\]\s*<\s*\w+\[.end.\]"),
    "the search's word limits": re.compile(r"MAX_WORDS\s*,?\s*\w*\s*=|MAX_WORD\s*="),
    "how gzip is made": re.compile(r"gzip\.compress|compresslevel\s*=\s*\d|mtime\s*="),
    "SQL functions that stop at the time limit": re.compile(r"\bconn\.create_function\("),
}
SERVING_CODE = sorted((ROOT / "plugins").glob("*.py")) + sorted((ROOT / "templates").glob("*.html"))


@pytest.mark.parametrize("rule", sorted(COPIES))
def test_no_plugin_or_template_writes_a_shared_rule_again(rule):
    found = [f"{p.relative_to(ROOT)}:{n}" for p in SERVING_CODE
             for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if COPIES[rule].search(line)]
    assert found == [], f"{rule} is written in scripts/core/; these lines write it again: {found}"
