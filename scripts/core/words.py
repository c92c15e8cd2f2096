"""Text as the site compares it: accents folded, words, and how many words of a query a search reads."""
import re
import unicodedata
from itertools import islice

from anyascii import anyascii

WORD = re.compile(r"\w+")
# A search reads at most MAX_WORDS words of a query, each cut to MAX_WORD characters; a synonym
# may be a phrase of up to MAX_PHRASE words.
MAX_WORDS, MAX_WORD, MAX_PHRASE = 16, 64, 3
# ... within the first MAX_QUERY characters: the SQL functions that read a query run once a row, and a
# 2 MB argument scanned on every row outlived the 1 s limit (hardening 4, H1).
MAX_QUERY = 4096


def ascii_folded(text):
    """Text in ASCII and lower case, each letter transliterated ('Hervás' is 'hervas', 'Łukasz' 'lukasz'):
    how names, titles and search words are compared everywhere, and how ids are made."""
    return anyascii(text).lower()


PRONOUNS = re.compile(r"\s*\((?:she|he|they|xe|ze|any)(?:\s*/\s*[a-z]+)+\)", re.I)  # "(she/her)", "(They/Them)"
HONORIFIC = re.compile(r"^(?:dr|prof)\.?\s+(?=\S+\s)", re.I)  # "Dr. Kari L. Jordan", never a whole name
CREDENTIALS = re.compile(r",\s*(?:ph\.?\s?d|m\.?d|msc|mba|m\.?s|b\.?s)\b.*$", re.I)  # ", PhD, Lead Engineer at X"
GROUP = re.compile(r"^hosted by\b", re.I)  # "Hosted by Abigail, Chris, Cristián, and Lorena": no one person


def person_name(name):
    """A speaker's name as a person's: without pronouns, an honorific, credentials and job after a comma, or
    emoji ("Amethyst Reese 🌸"); empty when it names a group, not a person."""
    if GROUP.match(name.strip()):
        return ""
    name = "".join(c for c in name if unicodedata.category(c) != "So")
    return " ".join(CREDENTIALS.sub("", HONORIFIC.sub("", PRONOUNS.sub("", name.strip()))).split())


def fold(text):
    """A title or name as compared: accents, case, quotes, dashes, punctuation and spacing folded away."""
    return " ".join(re.findall(r"[a-z0-9]+", ascii_folded(text)))


def slug(text):
    """Text as a name in a URL or a file: ASCII letters and digits, the rest dashes ('Hervás Talk!' is 'hervas-talk')."""
    return re.sub(r"[^a-z0-9]+", "-", ascii_folded(text)).strip("-")


def query_words(text):
    """The words of a query a search reads: the first MAX_WORDS, each cut to MAX_WORD characters."""
    return [m.group()[:MAX_WORD] for m in islice(WORD.finditer(str(text or "")[:MAX_QUERY]), MAX_WORDS)]


def kinds_named(text, kinds):
    """The kinds (ids such as 'open-space') a search names whole, in the singular or plural ('open spaces',
    'Lightning talks' names both 'lightning-talk' and 'lightning-talks'): so a search for a kind an edition
    lacks can say so."""
    def singular(words):
        return tuple(w[:-1] if len(w) > 3 and w.endswith("s") else w for w in words)

    asked = singular(fold(" ".join(query_words(text))).split())
    return [k for k in kinds if asked and singular(fold(k.replace("-", " ")).split()) == asked]
