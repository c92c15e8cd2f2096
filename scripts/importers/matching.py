"""Which session each recording is: methods tried in order, each claiming only what it fits with no rival,
never one session twice. Every match names its method (data/recordings.csv's `match`).

- `hand`: the organiser set `session_by_hand` (kept across imports);
- `url`: its "Presentation Webpage" is the session's official page (a page two recordings share, or one whose
  session's speakers are none of the recording's, identifies nothing);
- `title`: the same title once folded (case, accents, quotes, dashes, spaces), a trailing " - Speaker" dropped,
  on the day pyvideo gives;
- `title-other-day`: the same title, one session's in the whole program and one open recording's;
- `speakers-title`: the same speakers, every one, and a title that differs only in small ways (a " V02", a
  plural, "Web Assembly"), the one such session in the program: pyvideo's day is not trusted here;
- `keynote-speaker`: a recording titled by its one speaker ("Łukasz Langa", "Keynote Speaker - Cory Doctorow")
  and the one plenary or keynote titled by that name ("Keynote - Łukasz Langa");
- `title-contained`: on that day, the words of one title hold all the other's, with no rival either way;
- `plenary-title`: the same, for plenaries only, on any day when pyvideo dates every recording of the event
  on one day ("Conference Closing" for "Closing");
- `lightning-slot`: "Lightning Talks - <day> [AM|PM|8am|5pm]" is that day's lightning-talks slot (in that half
  of the day), the day read from the title ("Friday", "April 22", "Day 2": the second day with talks), else
  pyvideo's date.
"""
import calendar
import re
from datetime import date
from difflib import SequenceMatcher

from ..core.words import fold

SLOT_KIND = "lightning-talks"
PLENARY_KINDS = ("plenary", "keynote")
KEYNOTE_PREFIX = re.compile(r"^keynote(?: speaker)?\s+")  # on folded titles: "keynote - x" folds to "keynote x"
VERSION = re.compile(r"\s+v\d+$")  # an upload's " V02"
NEAR = 0.85  # folded titles this alike (difflib's ratio) differ in small ways only
WEEKDAYS = {name.lower(): n for n, name in enumerate(calendar.day_name)}
MONTHS = {name.lower(): n for n, name in enumerate(calendar.month_name) if name}


def without_speaker(title, speakers):
    """'Talk title - Speaker Name' without the trailing name, when it starts a speaker's name."""
    head, sep, tail = title.rpartition(" - ")
    if sep and any(fold(s).startswith(fold(tail)) for s in speakers) and fold(tail):
        return head
    return title


def words(title):
    return set(fold(title).split())


def titles_of(recording):
    return {fold(recording.title), fold(without_speaker(recording.title, recording.speakers))}


def bare(title):
    """A folded title without "Keynote - " or an upload's version suffix."""
    return VERSION.sub("", KEYNOTE_PREFIX.sub("", fold(title)))


def name_words(names):
    """Every word of some folded names: a page whose session and recording share none of them is another
    talk's ("Zach" and "Zack Weinberg", "Jessica Greene (she/her)" and "Jessica Greene" share some)."""
    return {w for name in names for w in name.split() if len(w) > 1}


def near(a, b):
    return SequenceMatcher(None, bare(a), bare(b)).ratio() >= NEAR


class Matcher:
    """Claims sessions for recordings, one method after the other, never one session twice.
    `people` is {session id: its speakers' folded names}."""

    def __init__(self, sessions, recordings, people):
        self.sessions, self.recordings, self.people = sessions, recordings, people
        self.found, self.claimed = {}, set()
        # pyvideo dates some events' every recording on one day (its upload's): that day says nothing
        self.dated = len({r.recorded for r in recordings}) > 1 or len({s["date"] for s in sessions}) <= 1

    def claim(self, recording, session_id, method):
        self.found[recording.slug] = (session_id, method)
        self.claimed.add(session_id)

    def open(self):
        return [r for r in self.recordings if r.slug not in self.found]

    def free(self):
        return [s for s in self.sessions if s["id"] not in self.claimed]

    def on_day(self, day):
        return [s for s in self.free() if s["date"] == day.isoformat()]

    def claim_unrivalled(self, fit, sessions_of, method):
        """Claim for each open recording the one session that fits it, when no other open recording fits it."""
        for r in self.open():
            fits = [s for s in sessions_of(r) if fit(r, s)]
            if len(fits) == 1 and not any(fit(x, fits[0]) and fits[0]["id"] in {s["id"] for s in sessions_of(x)}
                                          for x in self.open() if x is not r):
                self.claim(r, fits[0]["id"], method)

    def speakers_of(self, recording):
        return {fold(s) for s in recording.speakers if fold(s)}

    def by_hand(self, hand):
        for r in self.open():
            if hand.get(r.slug):
                self.claim(r, hand[r.slug], "hand")

    def by_url(self):
        shared = {u for u in (r.presentation_url for r in self.recordings)
                  if u and sum(x.presentation_url == u for x in self.recordings) > 1}
        pages = {s["url"].rstrip("/"): s["id"] for s in self.sessions if s["url"]}
        for r in self.open():
            sid = pages.get(r.presentation_url.rstrip("/")) if r.presentation_url not in shared else None
            theirs, ours = name_words(self.people.get(str(sid), ())), name_words(self.speakers_of(r))
            if sid and sid not in self.claimed and not (theirs and ours and not theirs & ours):
                self.claim(r, sid, "url")

    def by_title(self):
        for r in self.open():
            fits = [s for s in self.on_day(r.recorded) if fold(s["title"]) in titles_of(r)]
            if len(fits) == 1:
                self.claim(r, fits[0]["id"], "title")

    def by_title_on_another_day(self):
        """The same title on another day than pyvideo's `recorded`: that title one session's in the whole
        program (claimed or not) and one open recording's."""
        program = {}
        for s in self.sessions:
            program.setdefault(fold(s["title"]), []).append(s)
        for r in self.open():
            fits = [s for t in titles_of(r) for s in program.get(t, [])]
            rivals = [x for x in self.open() if x is not r and titles_of(x) & titles_of(r)]
            if len(fits) == 1 and fits[0]["id"] not in self.claimed and not rivals and fits[0]["kind"] != SLOT_KIND:
                self.claim(r, fits[0]["id"], "title-other-day")

    def by_speakers_and_near_title(self):
        def fit(r, s):
            theirs = self.people.get(str(s["id"]))
            return bool(theirs) and theirs == self.speakers_of(r) and near(without_speaker(r.title, r.speakers),
                                                                          s["title"])
        self.claim_unrivalled(fit, lambda r: self.free(), "speakers-title")

    def by_keynote_speaker(self):
        def fit(r, s):
            names = self.speakers_of(r)
            return (len(names) == 1 and s["kind"] in PLENARY_KINDS and bare(r.title) in names
                    and bare(s["title"]) == bare(r.title))
        self.claim_unrivalled(fit, lambda r: self.free(), "keynote-speaker")

    def by_contained_title(self):
        def fit(r, s):
            a, b = words(without_speaker(r.title, r.speakers)), words(s["title"])
            return s["kind"] != SLOT_KIND and a and b and (a <= b or b <= a)
        self.claim_unrivalled(fit, lambda r: self.on_day(r.recorded), "title-contained")

    def by_contained_plenary_title(self):
        def fit(r, s):
            a, b = set(bare(r.title).split()), set(bare(s["title"]).split())
            return s["kind"] in PLENARY_KINDS and a and b and (a <= b or b <= a)
        self.claim_unrivalled(fit, lambda r: self.on_day(r.recorded) if self.dated else self.free(), "plenary-title")

    def by_lightning_slot(self):
        talk_days = sorted({s["date"] for s in self.sessions if s["kind"] == "talk"})
        slots = [s for s in self.sessions if s["kind"] == SLOT_KIND]
        for r in self.open():
            when = slot_time(r, talk_days, [date.fromisoformat(s["date"]) for s in slots], self.dated)
            fits = [s for s in slots if when and s["date"] == when[0].isoformat()
                    and (when[1] is None or (s["start"] >= "12:00") == (when[1] == "pm"))]
            if len(fits) == 1 and fits[0]["id"] not in self.claimed:
                self.claim(r, fits[0]["id"], "lightning-slot")


def slot_time(recording, talk_days, slot_days, dated):
    """(day, 'am'/'pm'/None) a lightning-talks recording's title names, or None. The title's day leads
    (a weekday, a month and day, or "Day N" of the days with talks); without one, pyvideo's date if trusted."""
    title = fold(recording.title)
    if not title.startswith("lightning talks"):
        return None
    tokens = title.removeprefix("lightning talks").split()
    half = next((h for t in tokens for h in ("am", "pm") if re.fullmatch(rf"(?:\d{{1,2}})?{h}", t)), None)
    days = {d for d in slot_days if d.weekday() in {WEEKDAYS[t] for t in tokens if t in WEEKDAYS}} or None
    for month, day in zip(tokens, tokens[1:]):
        if month in MONTHS and day.isdigit():
            named = {d for d in slot_days if (d.month, d.day) == (MONTHS[month], int(day))}
            days = named if days is None else days & named
    for word, number in zip(tokens, tokens[1:]):
        if word == "day" and number.isdigit() and 0 < int(number) <= len(talk_days):
            days = {date.fromisoformat(talk_days[int(number) - 1])}
    if days is None:
        days = {recording.recorded} if dated else set()
    return (days.pop(), half) if len(days) == 1 else None


def match(recordings, sessions, hand, people):
    """{slug: (session id, method)} for every recording that can be matched with confidence."""
    matcher = Matcher(sessions, recordings, people)
    matcher.by_hand(hand)
    matcher.by_url()
    matcher.by_title()
    matcher.by_title_on_another_day()
    matcher.by_speakers_and_near_title()
    matcher.by_keynote_speaker()
    matcher.by_contained_title()
    matcher.by_contained_plenary_title()
    matcher.by_lightning_slot()
    return shared_videos(matcher.found, recordings)


def shared_videos(found, recordings):
    """Matches whose video pyvideo also gives another matched session (one edition had a sponsor workshop and
    a panel with one YouTube id): one is wrong and nothing says which, so each is marked "shared-video", its
    session kept for the page to say so. A hand match is the organisers' word: kept."""
    sessions_of = {}
    for r in recordings:
        if r.slug in found and found[r.slug][1] != "hand":
            sessions_of.setdefault(r.video_url, set()).add(found[r.slug][0])
    for r in recordings:
        if r.slug in found and found[r.slug][1] != "hand" and len(sessions_of.get(r.video_url, ())) > 1:
            found[r.slug] = (found[r.slug][0], "shared-video")
    return found
