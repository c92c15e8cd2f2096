"""Speakers across editions: one person however many editions name them.

The feeds' speaker profile ids do not persist from year to year (of 81 names in several editions with
ids, none kept its id), so a person is matched by name: the same words once accents, case and
punctuation are set aside ("Débora Azevedo" and "Debora Azevedo" are one). Every merge says how it was
made (`person_editions.matched_by`); names that agree only on their first and last words ("Jane Q. Doe",
"Jane Doe") are not merged but listed in `people_to_review` for an organiser, never guessed.

Tables: `people` (one row a person: data/'s own speaker id when they spoke there, so their page is
/pycon/speakers/<id>), `person_editions` (each edition that names them, with the speaker id and the
name as that edition gives it), `people_to_review`.
"""
import re

from ..core.words import fold


def name_key(name):
    """A name as compared: accents folded, case and punctuation aside, spaces collapsed."""
    return fold(name)


def slug(key):
    return re.sub(r"[^a-z0-9]+", "-", key).strip("-") or "person"


def people_of(speakers, site_year):
    """(people, appearances, to_review) from edition speakers (edition, id, name) rows."""
    groups = {}
    for edition, sid, name in speakers:
        groups.setdefault(name_key(name), []).append((edition, sid, name))
    people, appearances, taken = [], [], set()
    for key, rows in sorted(groups.items()):
        rows.sort(key=lambda r: -r[0])  # the latest edition first: its spelling is the name shown
        site = [r for r in rows if r[0] == site_year]
        pid = site[0][1] if site else slug(key)
        while pid in taken:
            pid += "-2"
        taken.add(pid)
        people.append({"id": pid, "name": rows[0][2], "editions": len({r[0] for r in rows}),
                       "first_edition": min(r[0] for r in rows), "last_edition": max(r[0] for r in rows),
                       "spoke_in_site_edition": int(bool(site))})
        for edition, sid, name in rows:
            how = "the name" if name == rows[0][2] else "the name, accents, case or punctuation aside"
            appearances.append({"person_id": pid, "edition": edition, "speaker_id": sid, "name": name, "matched_by": how})
    return people, appearances, review(people)


def review(people):
    """People whose names share their first and last words but not the rest: perhaps one person, not merged."""
    by_ends = {}
    for p in people:
        words = name_key(p["name"]).split()
        if len(words) >= 2:
            by_ends.setdefault((words[0], words[-1]), []).append(p)
    out = []
    for (_first, _last), group in sorted(by_ends.items()):
        for a, b in zip(group, group[1:]):
            out.append({"person_id": a["id"], "other_person_id": b["id"], "name": a["name"], "other_name": b["name"],
                        "why": "same first and last names, different middle ones: check before merging"})
    return out


def write_people(db, site_year):
    """people, person_editions and people_to_review, from the edition_speakers the build wrote."""
    speakers = db.execute("select edition, id, name from edition_speakers order by edition, id").fetchall()
    people, appearances, to_review = people_of(speakers, site_year)
    db["people"].create({"id": str, "name": str, "editions": int, "first_edition": int, "last_edition": int,
                         "spoke_in_site_edition": int}, pk="id")
    db["people"].insert_all(people)
    db["person_editions"].create({"person_id": str, "edition": int, "speaker_id": str, "name": str, "matched_by": str},
                                 pk=("person_id", "edition", "speaker_id"), foreign_keys=[("person_id", "people", "id")])
    db["person_editions"].insert_all(appearances)
    db["person_editions"].create_index(["edition", "speaker_id"])
    db["people_to_review"].create({"person_id": str, "other_person_id": str, "name": str, "other_name": str, "why": str},
                                  pk=("person_id", "other_person_id"))
    db["people_to_review"].insert_all(to_review)
