"""When two sessions overlap, and minutes as people read them."""


def overlaps(a_start, a_end, b_start, b_end):
    """Two spans cross: each begins before the other ends (one that ends as the other begins does not)."""
    return a_start < b_end and b_start < a_end


def overlapping_pairs(spans):
    """Every pair (earlier, later) of `spans` that overlap, each span a (start, end, item); in one sorted
    sweep that keeps the spans still open, so a long session is compared with all it holds."""
    open_spans, pairs = [], []
    for span in sorted(spans, key=lambda s: (s[0], s[1])):
        open_spans = [o for o in open_spans if o[1] > span[0]]
        pairs += [(o[2], span[2]) for o in open_spans if overlaps(o[0], o[1], span[0], span[1])]
        open_spans.append(span)
    return pairs


def minutes(local):
    """'YYYY-MM-DD HH:MM' as minutes after midnight."""
    return int(local[11:13]) * 60 + int(local[14:16])


def minute_label(total):
    """Minutes after midnight as 'HH:MM'."""
    return f"{total // 60:02d}:{total % 60:02d}"


def hhmm(local):
    """'HH:MM' of a 'YYYY-MM-DD HH:MM' local time."""
    return local[11:16] if local else ""


def parent_and_child(a, b):
    """One session holds the other (a talk inside its slot): their overlap is no clash."""
    return b.get("parent") == a["id"] or a.get("parent") == b["id"]
