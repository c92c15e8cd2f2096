"""One-click subscription on every page whose rows are calendar events."""
import json
from urllib.parse import quote, urlencode

from datasette import hookimpl

REQUIRED = {"event_name", "event_dtstart"}

SCRIPT = """
document.addEventListener("DOMContentLoaded", function () {
  // A page with no rows gets no calendar links: an empty feed is nothing to subscribe to.
  if (!document.querySelector("table.rows-and-columns tbody tr, .program-list > li")) { return; }
  var links = %s;
  var exports = %s;
  var p = document.createElement("p");
  p.className = "calendar-links";
  p.appendChild(document.createTextNode("Calendar: "));
  links.forEach(function (link, i) {
    if (i) { p.appendChild(document.createTextNode(" · ")); }
    var a = document.createElement("a");
    a.href = link.href;
    a.textContent = link.label;
    a.className = link.cls;
    p.appendChild(a);
  });
  if (exports.length) { p.appendChild(document.createTextNode(" — the whole program for conference apps: ")); }
  exports.forEach(function (item, i) {
    if (i) { p.appendChild(document.createTextNode(" · ")); }
    var a = document.createElement("a");
    a.href = item[1];
    a.textContent = item[0];
    p.appendChild(a);
  });
  var anchor = document.querySelector(".export-links") || document.querySelector("h1");
  if (anchor) { anchor.parentNode.insertBefore(p, anchor.nextSibling); }
});
"""


def calendar_urls(request):
    """Download, webcal:// and Google Calendar URLs for the feed of the current page and parameters."""
    params = [(k, v) for k in request.args.keys() if not k.startswith("_") for v in request.args.getlist(k)]
    path = request.path.rstrip("/")
    feed_path = path + ".ics" + ("?" + urlencode(params) if params else "")
    webcal = f"webcal://{request.host}{feed_path}"
    google = "https://calendar.google.com/calendar/render?cid=" + quote(webcal, safe="")
    return {"download": feed_path, "webcal": webcal, "google": google}


@hookimpl
def extra_body_script(columns, view_name, request, database):
    if view_name not in ("database", "table") or not columns or not REQUIRED <= set(columns) or request is None:
        return ""
    if request.path.endswith((".json", ".csv", ".ics")):
        return ""
    urls = calendar_urls(request)
    links = [
        {"label": "Subscribe", "href": urls["webcal"], "cls": "calendar-subscribe"},
        {"label": "Add to Google Calendar", "href": urls["google"], "cls": "calendar-google"},
        {"label": "Download .ics", "href": urls["download"], "cls": "calendar-download"},
    ]
    # The schedule exports (plugins/schedule_export.py) cover the pycon database's program.
    exports = [["schedule.xml", "/pycon/schedule.xml"], ["schedule.json", "/pycon/schedule.json"]] if database == "pycon" else []
    return SCRIPT % (json.dumps(links).replace("<", "\\u003c"), json.dumps(exports))
