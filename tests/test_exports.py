"""schedule.xml and schedule.json: valid against the real frab XSD and c3voc JSON Schema, event for event the program."""
import json
import uuid
import xml.etree.ElementTree as ET

import jsonschema
import pytest
import xmlschema

from .conftest import SHARED, needs_shared

REFERENCE = SHARED / "reference"


async def program_rows(datasette):
    rows = (await datasette.client.get("/pycon/program.json?_shape=array")).json()
    return [r for r in rows if r["start_iso"] and r["end_iso"]]  # a timetable needs both ends


@pytest.fixture(scope="module")
def xsd():
    return xmlschema.XMLSchema(str(REFERENCE / "frab-schedule.xml.xsd"))


@needs_shared("reference", "frab-schedule.xml.xsd")
async def test_schedule_xml_validates_against_the_frab_xsd(datasette, xsd):
    response = await datasette.client.get("/pycon/schedule.xml")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/xml; charset=utf-8"
    xsd.validate(response.text)  # raises with the first violation


@needs_shared("reference", "c3voc-schedule.schema.json")
async def test_schedule_json_validates_against_the_c3voc_schema(datasette):
    schema = json.loads((REFERENCE / "c3voc-schedule.schema.json").read_text())
    response = await datasette.client.get("/pycon/schedule.json")
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    validator = jsonschema.Draft6Validator(schema, format_checker=jsonschema.Draft6Validator.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(response.json()), key=str)
    assert errors == []


async def test_xml_events_match_the_program(datasette):
    root = ET.fromstring((await datasette.client.get("/pycon/schedule.xml")).content)
    events = []
    for day in root.iter("day"):
        for room in day.iter("room"):
            for ev in room.iter("event"):
                events.append((int(ev.get("id")), ev.findtext("date"), ev.findtext("title"), room.get("name"), day.get("date")))
    rows = await program_rows(datasette)
    by_id = {e[0]: e for e in events}
    assert len(events) == len(by_id) == len(rows)
    for r in rows:
        _id, date, title, room, day = by_id[r["id"]]
        assert (date, title, day) == (r["start_iso"], r["title"], r["day"])
        assert room == (r["room"] or "Long Beach Convention & Entertainment Center")
    assert root.findtext("conference/acronym") == "pycon-us-2026"
    assert root.findtext("conference/time_zone_name") == "America/Los_Angeles"
    assert [d.get("date") for d in root.iter("day")] == [f"2026-05-{d}" for d in range(13, 20)]


async def test_json_events_match_the_program(datasette):
    data = (await datasette.client.get("/pycon/schedule.json")).json()
    conf = data["schedule"]["conference"]
    assert (conf["title"], conf["start"], conf["end"], conf["daysCount"]) == ("PyCon US 2026", "2026-05-13", "2026-05-19", 7)
    events = [e for day in conf["days"] for room in day["rooms"].values() for e in room]
    rows = {r["id"]: r for r in await program_rows(datasette)}
    assert sorted(e["id"] for e in events) == sorted(rows)
    for e in events:
        r = rows[e["id"]]
        assert (e["date"], e["title"], e["type"], e["language"]) == (r["start_iso"], r["title"], r["kind"], r["language"])
        assert e["guid"] == str(uuid.uuid5(uuid.NAMESPACE_URL, r["event_uid"]))
        assert e["duration"] == f"{r['duration_min'] // 60:02d}:{r['duration_min'] % 60:02d}"
    persons = [p for e in events for p in e["persons"]]
    assert len(persons) > 100
    # pyfahrplan and other readers of the pretalx format read public_name.
    assert all(p["public_name"] == p["name"] and p["name"].strip() for p in persons)
    lin = next(e for e in events if e["type"] == "keynote" and e["date"] == "2026-05-15T09:45:00-07:00")
    assert [p["name"] for p in lin["persons"]] == ["Lin Qiao"]
    charla = next(e for e in events if e["id"] == 41)
    assert (charla["language"], charla["track"], charla["room"]) == ("es", "Charlas", "Room 104C")
    poster = next(e for e in events if e["type"] == "poster" and e["title"].startswith("epymorph"))
    assert poster["persons"][0]["name"] == "Tyler Coles" and "id" not in poster["persons"][0]
    assert poster["persons"][0]["url"] == "https://us.pycon.org/2026/speaker/profile/13/"
    talk = next(e for e in events if e["id"] == 105)
    assert talk["links"] == [{"url": "https://us.pycon.org/2026/schedule/presentation/105/", "title": "Official page", "type": "web"},
                             {"url": "https://www.youtube.com/watch?v=EKayPgbD6J0", "title": "Recording", "type": "media"}]


async def test_exports_have_etag_and_304(datasette):
    for path in ("/pycon/schedule.xml", "/pycon/schedule.json"):
        first = await datasette.client.get(path)
        etag = first.headers["etag"]
        again = await datasette.client.get(path, headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.headers["etag"] == etag


async def test_exports_are_linked(datasette):
    home = (await datasette.client.get("/")).text
    program = (await datasette.client.get("/pycon/program")).text
    for html in (home, program):
        assert 'href="/pycon/schedule.xml"' in html and 'href="/pycon/schedule.json"' in html
