"""Put the venue entrance on the hotel maps, as a marker of its own beside the hotel clusters."""
import json

from datasette import hookimpl

MAP_PAGES = {"hotels", "hotels_nearby"}  # the hotels table and the canned query (a "database" view)

# This inline script registers its DOMContentLoaded listener before datasette-cluster-map's
# module script registers its own, so it imports the same Leaflet module first and adds an
# init hook that sees the map when cluster-map creates it.
SCRIPT = """
document.addEventListener("DOMContentLoaded", function () {
  var venue = %s;
  if (!window.datasette || !datasette.leaflet) { return; }
  import(datasette.leaflet.JAVASCRIPT_URL).then(function () {
    L.Map.addInitHook(function () {
      var map = this;
      var popup = document.createElement("div");
      var strong = document.createElement("strong");
      strong.textContent = venue.name;
      popup.appendChild(strong);
      popup.appendChild(document.createElement("br"));
      popup.appendChild(document.createTextNode(venue.entrance + ", " + venue.address));
      L.circleMarker([venue.latitude, venue.longitude], {
        radius: 10, color: "#b00020", weight: 3, fillColor: "#ffdd00", fillOpacity: 0.9,
        className: "pycon-venue-marker"
      }).bindPopup(popup).bindTooltip("Venue: " + venue.name).addTo(map);
    });
  });
});
"""


@hookimpl
def extra_body_script(datasette, database, table, view_name, request):
    name = table or (request.url_vars.get("table") if request and request.url_vars else None)
    if database != "pycon" or view_name not in ("table", "database") or name not in MAP_PAGES:
        return ""

    async def inner():
        db = datasette.get_database("pycon")
        row = (await db.execute(
            "select venue_name as name, venue_entrance as entrance, venue_address as address, latitude, longitude "
            "from conference")).first()
        if row is None:
            return ""
        # json.dumps does not escape "<": keep "</script>" in the data from closing the tag.
        data = json.dumps(dict(row)).replace("<", "\\u003c")
        return SCRIPT % data

    return inner
