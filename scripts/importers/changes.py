"""What one import of the official feed changed against the program before it, as rows of data/changes.csv:
each import appends its own (stamped with the import's time, the conference's `updated`), so the history is
committed with the data and reproducible. A first import (nothing of the feed's before it) records nothing:
there is nothing it changed. Only the feed's own sessions are compared; what the recordings established is not.

Kinds of change: `added`, `removed`, `cancelled`, `reinstated`, `moved` (day or time), `room`, `retitled`,
`speakers`. `before` and `after` say what it was and is, in words a page can show.
"""
COLUMNS = ["import", "session", "change", "title", "before", "after", "source"]


def when(row):
    return f"{row['date']} {row['start']}-{row['end']}".strip(" -")


def rooms(row):
    return ";".join(r for r in [row.get("room") or "", *(row.get("other_rooms") or "").split(";")] if r)


def differences(old, new, speakers_before, speakers_after):
    """(change, before, after) for each way a session changed."""
    out = []
    if (old.get("cancelled") == "yes") != (new.get("cancelled") == "yes"):
        out.append(("cancelled", "", "cancelled") if new.get("cancelled") == "yes" else ("reinstated", "cancelled", ""))
    if when(old) != when(new):
        out.append(("moved", when(old), when(new)))
    if rooms(old) != rooms(new):
        out.append(("room", rooms(old), rooms(new)))
    if old["title"] != new["title"]:
        out.append(("retitled", old["title"], new["title"]))
    if speakers_before != speakers_after:
        out.append(("speakers", "; ".join(speakers_before), "; ".join(speakers_after)))
    return out


def people_of(links, names):
    """{session id: its speakers' names, in order}."""
    out = {}
    for link in sorted(links, key=lambda l: (str(l["session"]), int(l["position"]))):
        out.setdefault(str(link["session"]), []).append(names.get(link["speaker"], link["speaker"]))
    return out


def changes(stamp, source, before, after):
    """The rows of changes.csv for one import. `before` and `after` are (sessions, links, speaker names) of the
    feed's own sessions as they were and are."""
    (old_sessions, old_links, old_names), (new_sessions, new_links, new_names) = before, after
    if not old_sessions:
        return []
    old, new = {r["id"]: r for r in old_sessions}, {r["id"]: r for r in new_sessions}
    people_before, people_after = people_of(old_links, old_names), people_of(new_links, new_names)
    rows = []
    for sid in sorted(set(old) | set(new), key=int):
        if sid not in old:
            found = [("added", "", when(new[sid]))]
        elif sid not in new:
            found = [("removed", when(old[sid]), "")]
        else:
            found = differences(old[sid], new[sid], people_before.get(sid, []), people_after.get(sid, []))
        title = (new.get(sid) or old[sid])["title"]
        rows += [{"import": stamp, "session": sid, "change": change, "title": title, "before": b, "after": a,
                  "source": source} for change, b, a in found]
    return rows
