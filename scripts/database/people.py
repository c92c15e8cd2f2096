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
from ..sources.errors import ValidationFailed


def name_key(name):
    """A name as compared: accents folded, case and punctuation aside, spaces collapsed."""
    return fold(name)


def slug(key):
    return re.sub(r"[^a-z0-9]+", "-", key).strip("-") or "person"


def reviewed(same, keys):
    """({name key: the key of the person's first listed name}, {that key: evidence}, errors, warnings) from
    data/same_people.yaml's records: a name listed for two people is an error, by file and line; a name no edition
    gives merges no one, and is said (a feed may have dropped that speaker since the list was written)."""
    alias, errors, warnings = {}, [], []
    for record in same:
        names = [name_key(n) for n in record["names"]]
        for name, key in zip(record["names"], names):
            if key in alias:
                errors.append(record.error("names", f"{name!r} is listed for two people"))
            elif key not in keys:
                warnings.append(record.error("names", f"{name!r} is the name of no speaker in any edition: "
                                                      "it merges no one (a typo, or a speaker a feed dropped?)"))
            alias[key] = names[0]
    return alias, {name_key(r["names"][0]): r["evidence"] for r in same}, errors, warnings


def check_reviewed(site, earlier):
    """Refuse data/same_people.yaml's errors before anything is written, and return its warnings. A site built
    without its earlier editions does not use the list (its names are theirs), so it is not checked then."""
    if not earlier:
        return []
    speakers = [r for ds in [site, *earlier] for r in ds.tables["speakers"]]
    _alias, _evidence, errors, warnings = reviewed(site.same_people, {name_key(r["name"]) for r in speakers})
    if errors:
        raise ValidationFailed(errors)
    return warnings


def people_of(speakers, site_year, same=()):
    """(people, appearances, to_review) from edition speakers (edition, id, name) rows; `same` is the
    organisers' reviewed list (data/same_people.yaml records)."""
    alias, evidence = reviewed(same, {name_key(name) for _e, _id, name in speakers})[:2]  # checked before writing
    groups = {}
    for edition, sid, name in speakers:
        groups.setdefault(alias.get(name_key(name), name_key(name)), []).append((edition, sid, name))
    people, appearances, taken = [], [], set()
    for key, rows in sorted(groups.items()):
        rows.sort(key=lambda r: -r[0])  # the latest edition first: its spelling is the name shown
        site = [r for r in rows if r[0] == site_year]
        pid = site[0][1] if site else slug(name_key(rows[0][2]))
        while pid in taken:
            pid += "-2"
        taken.add(pid)
        people.append({"id": pid, "name": rows[0][2], "editions": len({r[0] for r in rows}),
                       "first_edition": min(r[0] for r in rows), "last_edition": max(r[0] for r in rows),
                       "spoke_in_site_edition": int(bool(site))})
        for edition, sid, name in rows:
            appearances.append({"person_id": pid, "edition": edition, "speaker_id": sid, "name": name,
                                "matched_by": matched_by(name, rows[0][2], evidence.get(key))})
    return people, appearances, review(people)


def matched_by(name, shown, evidence):
    if name == shown:
        return "the name"
    if name_key(name) == name_key(shown):
        return "the name, accents, case or punctuation aside"
    return f"the organisers' reviewed list (data/same_people.yaml): {evidence}"


# What names alone suggest but cannot decide: proposed for review, never merged.
def same_ends(a, b):
    return len(a) >= 2 and len(b) >= 2 and (a[0], a[-1]) == (b[0], b[-1]) and \
        "same first and last names, different middle ones: check before merging"


def first_name_only(a, b):
    return len(a) == 1 and len(b) >= 2 and a[0] == b[0] and "one gives only a first name, the other's: check before merging"


def fewer_names(a, b):
    return 2 <= len(a) < len(b) and b[:len(a)] == a and \
        "one name is the start of the other (a second surname?): check before merging"


def initial(a, b):
    return len(a) >= 2 and len(b) >= 2 and len(a[0]) == 1 and b[0].startswith(a[0]) and len(b[0]) > 1 \
        and a[1:] == b[1:] and "an initial for the other's first name: check before merging"


RULES = (same_ends, first_name_only, fewer_names, initial)


def review(people):
    """Pairs of people whose names a rule says may be one person's: for an organiser to decide."""
    by_first = {}
    for p in people:
        words = name_key(p["name"]).split()
        if words:
            by_first.setdefault(words[0][:1], []).append((words, p))
    out = []
    for group in by_first.values():
        for i, (a, p) in enumerate(group):
            for b, q in group[i + 1:]:
                why = next((w for rule in RULES for w in (rule(a, b), rule(b, a)) if w), None)
                if why:
                    out.append({"person_id": p["id"], "other_person_id": q["id"], "name": p["name"],
                                "other_name": q["name"], "why": why})
    return sorted(out, key=lambda r: (r["name"].lower(), r["other_name"].lower()))


def write_people(db, site_year, same=()):
    """people, person_editions and people_to_review, from the edition_speakers the build wrote."""
    speakers = db.execute("select edition, id, name from edition_speakers order by edition, id").fetchall()
    people, appearances, to_review = people_of(speakers, site_year, same)
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
