"""Search that finds what people mean: asserted results, a relevance check, odd input, people and places."""
import icalendar
import pytest

from plugins.program_display import mark
from plugins.sql_functions import pycon_fts_query


async def search(datasette, q, fmt="json"):
    response = await datasette.client.get(f"/pycon/search.{fmt}", params={"q": q, "_shape": "array"})
    assert response.status_code == 200, (q, response.text[:300])
    return response.json() if fmt == "json" else response.text


async def test_security_finds_every_security_track_talk(datasette, db):
    track = {r[0] for r in db.execute("select id from sessions where track_id = 'security'")}
    assert len(track) == 8
    found = {r["id"] for r in await search(datasette, "security")}
    assert track <= found  # "Anatomy of a Phishing Campaign" has no "security" in its title


@pytest.mark.parametrize("q, expected", [
    ("async", {167}),  # Container-enabled Asyncio ...
    ("sprint", {1041, 1042}),  # Development Sprints (day 1), (day 2)
    ("secur", {117, 34}),
    ("hervas", {139}),  # Daniel Hervás: accents folded
    ("HERVÁS", {139}),
])
async def test_word_forms_prefixes_and_accents(datasette, q, expected):
    assert expected <= {r["id"] for r in await search(datasette, q)}


async def test_a_speakers_name_finds_their_keynote_first(datasette):
    assert (await search(datasette, "Lin Qiao"))[0]["id"] == 1005


async def test_spanish_finds_the_charlas(datasette, db):
    charlas = {r[0] for r in db.execute("select id from sessions where kind = 'charla'")}
    assert len(charlas) == 16
    for q in ("spanish", "español", "espanol"):
        assert charlas <= {r["id"] for r in await search(datasette, q)}, q


async def test_results_are_ranked_with_a_plain_snippet_and_no_repeated_id(datasette):
    response = await datasette.client.get("/pycon/search.json", params={"q": "security"})
    data = response.json()
    assert data["columns"].count("id") == 1 and {"rank", "snippet", "event_uid"} <= set(data["columns"])
    ranks = [r[data["columns"].index("rank")] for r in data["rows"]]
    assert ranks == sorted(ranks)
    assert all("[" not in (r[data["columns"].index("snippet")] or "") for r in data["rows"])


@pytest.mark.parametrize("q", ['"', "NEAR(", "NEAR(a b", "*", "-", ":", "AND OR", "a AND", "col:val", "^x",
                               "'; drop table sessions; --", "x" * 10_000, "", "   "])
@pytest.mark.parametrize("fmt", ["", ".json", ".ics"])
async def test_input_is_never_fts_syntax(datasette, q, fmt):
    response = await datasette.client.get(f"/pycon/search{fmt}", params={"q": q})
    assert response.status_code == 200, (q, response.text[:300])
    if fmt == ".ics":
        icalendar.Calendar.from_ical(response.text)


async def test_the_page_lists_results_with_marks_and_links(datasette):
    html = (await datasette.client.get("/pycon/search", params={"q": "asyncio"})).text
    assert '<a href="/pycon/sessions/167">Container-enabled <mark>Asyncio</mark> is All You Need' in html
    assert "<title>asyncio · Search · PyCon US 2026</title>" in html
    assert 'role="search"' in html and 'value="asyncio"' in html
    empty = (await datasette.client.get("/pycon/search", params={"q": '"'})).text
    assert "Type a word or a name" in empty
    nothing = (await datasette.client.get("/pycon/search", params={"q": "zzzzqqq"})).text
    assert "No session matches “zzzzqqq”" in nothing


async def test_speakers_and_hotels_are_findable(datasette):
    html = (await datasette.client.get("/pycon/search", params={"q": "Trey Hunner"})).text
    assert '<a href="/pycon/speakers/trey-hunner"><mark>Trey</mark> <mark>Hunner</mark></a> (2 sessions)' in html
    html = (await datasette.client.get("/pycon/search", params={"q": "hyatt"})).text
    assert '<a href="/pycon/hotels/hyatt-regency-long-beach"><mark>Hyatt</mark> Regency Long Beach</a>' in html


def test_marks_follow_word_forms():
    assert str(mark("Implement and Secure Python", "security")) == "Implement and <mark>Secure</mark> Python"
    assert str(mark("Development Sprints", "sprint")) == "Development <mark>Sprints</mark>"


def test_marks_escape_the_text():
    assert str(mark('<script>alert(1)</script> "Security"', "script secur")) == \
        '&lt;<mark>script</mark>&gt;alert(1)&lt;/<mark>script</mark>&gt; &#34;<mark>Security</mark>&#34;'


def test_the_query_builder():
    assert pycon_fts_query('NEAR(a "b"') == '"NEAR"* "a"* "b"*'
    assert pycon_fts_query("a b", "any") == '"a"* OR "b"*'
    assert pycon_fts_query('"') == '""'


# What a PyCon attendee would type, and sessions that must be among the first five results;
# chosen by reading the program, not from the engine's output.
RELEVANCE = [
    ("free threading", {63, 72}),
    ("GIL", {45}),
    ("rust", {1, 88}),
    ("type checker", {143}),
    ("typing", {1033, 15}),
    ("pathlib", {25}),
    ("decorators", {19}),
    ("generators", {83, 98}),
    ("django", {80}),
    ("packaging summit", {1035}),
    ("supply chain", {79}),
    ("SBOM", {104, 116}),
    ("LLM", {120}),
    ("large language models", {138}),
    ("RAG", {56}),
    ("beginners", {49}),
    ("profiler", {31}),
    ("uv", {77}),
    ("webassembly", {1031}),
    ("pyodide browser", {78}),
    ("cuda", {29}),
    ("Pablo Galindo", {31, 1009}),
    ("phishing", {74}),
]


async def test_relevance(datasette):
    held, missed = 0, []
    for q, expected in RELEVANCE:
        top = [r["id"] for r in (await search(datasette, q))[:5]]
        if expected <= set(top):
            held += 1
        else:
            missed.append((q, sorted(expected), top))
    share = held / len(RELEVANCE)
    print(f"relevance: {held}/{len(RELEVANCE)} queries have their expected sessions in the top 5 ({share:.0%})")
    assert len(RELEVANCE) >= 15 and share == 1.0, missed


@pytest.fixture(scope="module")
def described(tmp_path_factory):
    """The site over a copy of data/ where session 2's description and session 19's title share a word."""
    import shutil

    from scripts.database.build import build
    from scripts.serve import make_datasette

    from .conftest import DATA
    from .test_hostile import add_column

    root = tmp_path_factory.mktemp("described")
    shutil.copytree(DATA, root / "data")
    add_column(root / "data" / "sessions.csv", "description",
               {"2": "<p>We build a server for <em>zebrafish</em> observations, step by step.</p>"})
    sessions = (root / "data" / "sessions.csv").read_text(encoding="utf-8")
    (root / "data" / "sessions.csv").write_text(sessions.replace(",All about decorators,", ",Zebrafish decorators,"),
                                                encoding="utf-8")
    build(root / "data", root / "pycon.db")
    return make_datasette(root / "pycon.db", None)


async def test_a_title_match_ranks_above_a_description_match_with_a_plain_snippet(described):
    rows = await search(described, "zebrafish")
    assert [r["id"] for r in rows] == [19, 2]  # the title (weight 10) before the description (weight 1)
    assert rows[1]["snippet"] == "We build a server for zebrafish observations, step by step."
    html = (await described.client.get("/pycon/search", params={"q": "zebrafish"})).text
    assert '<p class="session-snippet">We build a server for <mark>zebrafish</mark> observations' in html
