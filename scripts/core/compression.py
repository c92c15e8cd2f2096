"""gzip as the site sends it: when a client accepts it, how much, and the bytes themselves.

The response cache (plugins/response_cache.py) compresses a stored answer once, the first time a client
that accepts gzip asks for it, and serves that copy to every such client; asgi-gzip (scripts/serve.py)
compresses only what the cache does not keep. Both follow these rules, so a body is compressed the same way
whichever does it."""
import gzip
from functools import lru_cache

# Below this size gzip saves less than its header costs.
GZIP_MIN_SIZE = 500
# zlib's own default, as most servers use: 9 took 6.0 ms for the program's JSON (310 KB) where 6 takes
# 2.6 ms, for 3% more bytes (24.7 KB against 23.9 KB).
GZIP_LEVEL = 6
# Content types never compressed: a stream of events must reach the client as it is sent.
NOT_COMPRESSED = (b"text/event-stream",)


@lru_cache(maxsize=256)  # clients send a few values, each read once
def gzip_accepted(value: str) -> bool:
    """Whether an Accept-Encoding value accepts gzip (RFC 9110: codings in any case, q=0 refuses one, `*`
    stands for the others)."""
    if value == "gzip":
        return True  # what nginx and the negotiation in front of the application send: read at once
    weights = {}
    for part in value.split(","):
        coding, *params = [p.strip() for p in part.split(";")]
        weight = 1.0
        for param in params:
            name, _, number = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    weight = float(number)
                except ValueError:
                    weight = 0.0
        if coding:
            weights[coding.lower()] = weight
    return weights.get("gzip", weights.get("x-gzip", weights.get("*", 0.0))) > 0


def compressible(body: bytes, content_type: bytes, content_encoding: bytes) -> bool:
    return (len(body) >= GZIP_MIN_SIZE and not content_encoding
            and not content_type.lower().startswith(NOT_COMPRESSED))


def compress(body: bytes) -> bytes:
    """The gzip of body, the same bytes on every replica (no time stamp in the header)."""
    return gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0)
