"""One HTTP helper for the tests that talk to a real server: an error status is an answer, not an exception."""
import urllib.error
import urllib.parse
import urllib.request


def fetch(url, method="GET", timeout=30, **headers):
    """(status, headers, body) of one request."""
    request = urllib.request.Request(url, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()


def sql_url(base, sql, fmt="json", **extra):
    """The URL of arbitrary SQL on the pycon database, in a format, with more parameters."""
    return f"{base}/pycon.{fmt}?" + urllib.parse.urlencode({"sql": sql, **extra})
