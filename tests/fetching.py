"""One HTTP helper for the tests that talk to a real server: an error status is an answer, not an exception."""
import urllib.error
import urllib.request


def fetch(url, method="GET", timeout=30, **headers):
    """(status, headers, body) of one request."""
    request = urllib.request.Request(url, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()
