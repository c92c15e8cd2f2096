"""An edition's recordings given back to pyvideo/data, in its own format (one JSON file a recording, at the
path pyvideo gives it: `pycon-us-<year>/videos/<slug>.json`), with what this site established:

- `related_urls` gains the official presentation page (a "Presentation Webpage" naming another talk's page
  is corrected);
- `speakers` are the session's, each under the name they use now (the site's `people`), and a lightning-talks
  slot's are its talks' speakers, in the index's order;
- `recorded` is the session's day, where pyvideo dates a recording on another.

Every other field is pyvideo's own, read from its file in a pyvideo/data checkout (`pyvideo_root`); without
one, a file holds what the site holds (title, speakers, day, duration, language, video, thumbnail, pages).
A recording on no session is written as pyvideo has it. Read from the built databases.
"""
import json
import sqlite3
from pathlib import Path

from ..core.names import edition_path

PAGE = "Presentation Webpage"

RECORDINGS = """select r.id, r.file, r.title, r.speakers, r.recorded, r.duration_s, r.language, r.video_url,
  r.thumbnail_url, r.presentation_url, c.session_id, s.day, s.url, s.kind
from recordings r left join certain_recordings c on c.id = r.id left join sessions s on s.id = c.session_id
where r.part_of is null order by r.file"""
# a session's speakers under their current names; a lightning-talks slot's, its talks' in the index's order
SPEAKERS = """select coalesce(p.name, ess.name) from (
  select ss.speaker_id, sp.name, 0 as talk, ss.position from session_speakers ss
    join speakers sp on sp.id = ss.speaker_id where ss.session_id = :session
  union all
  select ss.speaker_id, sp.name, t.id, ss.position from sessions t join session_speakers ss on ss.session_id = t.id
    join speakers sp on sp.id = ss.speaker_id where t.parent_id = :session and t.kind = 'lightning-talk'
) ess
left join site.person_editions pe on pe.edition = :year and pe.speaker_id = ess.speaker_id
left join site.people p on p.id = pe.person_id
order by ess.talk, ess.position"""


class ExportError(Exception):
    """What stops an export, said plainly (a missing database, an edition the site lacks)."""


def edition_database(site_db: Path, year: int):
    """The database holding `year`'s program: the site's when it is data/'s edition, else the one beside it."""
    if not site_db.is_file():
        raise ExportError(f"{site_db} does not exist: run 'make build' first")
    with sqlite3.connect(f"file:{site_db}?mode=ro", uri=True) as conn:
        row = conn.execute("select folder from editions where year = ?", [year]).fetchone()
        years = [y for (y,) in conn.execute("select year from editions order by year")]
    if row is None:
        raise ExportError(f"the site has no edition {year} (it has {', '.join(map(str, years))})")
    return site_db if row[0] == "data" else edition_path(site_db, year)


def original(pyvideo_root, file):
    """pyvideo's own record of a recording, or {} without a checkout."""
    if pyvideo_root is None:
        return {}
    path = Path(pyvideo_root) / file
    if not path.is_file():
        raise ExportError(f"{path} is not in the pyvideo/data checkout given (--pyvideo): is it the right one?")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ExportError(f"{path} is not a pyvideo record (JSON): {exc}") from None


def from_site(r):
    """A record of what the site holds, for a recording with no pyvideo checkout to start from."""
    doc = {"title": r["title"], "speakers": [s for s in (r["speakers"] or "").split("; ") if s],
           "recorded": r["recorded"], "duration": r["duration_s"], "language": r["language"] or None,
           "videos": [{"type": "youtube" if "youtube.com" in r["video_url"] else "url", "url": r["video_url"]}],
           "related_urls": [{"label": PAGE, "url": r["presentation_url"]}] if r["presentation_url"] else []}
    if r["thumbnail_url"]:
        doc["thumbnail_url"] = r["thumbnail_url"]
    return doc


def with_page(related, url):
    """related_urls with the official page: a "Presentation Webpage" naming another page is corrected."""
    kept = [u for u in related if not (u.get("label") == PAGE and u.get("url") != url)]
    return kept if any(u.get("url") == url for u in kept) else kept + [{"label": PAGE, "url": url}]


def established(doc, r, speakers):
    """pyvideo's record with what the site established for the recording's session."""
    doc = dict(doc)
    if r["url"]:
        doc["related_urls"] = with_page(doc.get("related_urls") or [], r["url"])
    if speakers:
        doc["speakers"] = list(dict.fromkeys(speakers))
    if r["day"]:
        doc["recorded"] = r["day"]
    return doc


def export_pyvideo(site_db: Path, year: int, out_dir: Path, pyvideo_root=None):
    """Write every recording of `year` under out_dir; returns (files written, files changed from pyvideo's)."""
    db_path = edition_database(Path(site_db), year)
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    conn.execute("attach database ? as site", [f"file:{site_db}?mode=ro"])
    written = changed = 0
    for r in conn.execute(RECORDINGS).fetchall():
        speakers = [n for (n,) in conn.execute(SPEAKERS, {"session": r["session_id"], "year": year})] \
            if r["session_id"] else []
        before = original(pyvideo_root, r["file"]) or from_site(r)
        doc = established(before, r, speakers) if r["session_id"] else before
        path = Path(out_dir) / r["file"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
        written, changed = written + 1, changed + (doc != before)
    conn.close()
    return written, changed
