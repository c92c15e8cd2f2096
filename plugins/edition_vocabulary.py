"""The `pycon` template variable (scripts/core/vocabulary.py): the edition the site leads with as a global
(data/site.yaml), every other edition's on its own pages, so they name their own edition; `pycon_editions`,
the others', newest first (the home page lists them); `site_database`, the database that holds every
edition, for the questions across them. With the filters that read it: `kind_label` ("AI track", else the
kind in words) and `initial` (a name's letter)."""
import re

from datasette import hookimpl
from jinja2 import pass_context

from scripts.core import vocabulary
from scripts.core.vocabulary import VARIABLE
from scripts.core.names import SITE
from scripts.core.words import ascii_folded

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@pass_context
def kind_label(context, row):
    """The kind in the words of data/kinds.yaml, with the track where there is one."""
    row = row if isinstance(row, dict) else dict(zip(row.keys(), row))
    track, kind = row.get("track"), row.get("kind") or ""
    label = context[VARIABLE]["kinds"].get(kind, kind.replace("-", " ").capitalize())
    if track and track.lower().rstrip("s") not in label.lower():
        return f"{label} · {track} track"
    return label


def initial(name):
    """The letter a name is listed under: its first, accents folded, upper case ('#' for a digit or sign)."""
    first = ascii_folded(str(name or "").strip())[:1].upper()
    return first if first.isalpha() else "#"


def by_initial(people):
    """[(letter, [people])]: each speaker's rows (a list, the speaker's name first) under their initial, the
    letters in the order they first come, read once each (the index asked each letter of every speaker)."""
    letters = {}
    for rows in people:
        letters.setdefault(initial(rows[0]["speaker"]), []).append(rows)
    return list(letters.items())


@hookimpl
def startup(datasette):
    async def read():
        vocabularies = await vocabulary.read_vocabularies(datasette)
        if vocabularies:
            datasette.jinja_env.globals[VARIABLE] = vocabulary.leading(datasette)
            datasette.jinja_env.globals["pycon_editions"] = sorted(
                (v for v in vocabularies.values() if not v["is_site"]), key=lambda v: -v["year"])

    return read


@hookimpl
def extra_template_vars(database, datasette):
    """An earlier edition's pages get its own `pycon`."""
    edition = vocabulary.of(datasette, database)
    return {VARIABLE: edition} if edition is not None and not edition["is_site"] else {}


@hookimpl
def prepare_jinja2_environment(env):
    env.globals.setdefault(VARIABLE, vocabulary.UNKNOWN)
    env.globals.setdefault("pycon_editions", [])
    env.globals["site_database"] = SITE
    env.tests["is_iso_date"] = lambda value: bool(ISO_DATE.fullmatch(str(value)))
    env.filters.update(kind_label=kind_label, initial=initial, by_initial=by_initial)
