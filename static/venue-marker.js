// The venue entrance on the hotel maps, a marker of its own beside datasette-cluster-map's clusters;
// plugins/venue_marker.py gives the venue as window.PYCON_VENUE. A classic script in <head> runs
// before cluster-map's module script, so this listener is registered before its own: it imports
// the same Leaflet module first and adds an init hook that sees the map when cluster-map creates it.
document.addEventListener("DOMContentLoaded", function () {
  var venue = window.PYCON_VENUE;
  if (!venue || !window.datasette || !datasette.leaflet) { return; }
  if (!document.querySelector("th[data-column=latitude]")) { return; }  // no map on this page (a phone's hotel list)
  import(datasette.leaflet.JAVASCRIPT_URL).then(function () {
    // A hotel marker is an <img> that takes the focus: its alt is the hotel's name (from its popup), not
    // "" (a focusable image with no name is one screen readers cannot announce).
    L.Marker.addInitHook(function () {
      this.on("add", function () {
        var popup = this.getPopup(), icon = this._icon;
        if (!popup || !icon || icon.tagName !== "IMG" || icon.alt) { return; }
        var doc = new DOMParser().parseFromString(String(popup.getContent()), "text/html");
        var name = doc.querySelector("strong");  // cluster-map writes the title in <strong>
        icon.alt = "Hotel: " + ((name ? name.textContent : doc.body.textContent) || "").trim();
      });
    });
    L.Map.addInitHook(function () {
      var map = this;
      // A pin stands 41 px above its point: when cluster-map fits the map to the hotels, leave room above
      // them (3 of 6 pins were cut in half at the top edge on a laptop).
      var fit = map.fitBounds;
      map.fitBounds = function (bounds, options) {
        return fit.call(this, bounds, Object.assign({paddingTopLeft: [20, 48], paddingBottomRight: [20, 12]}, options || {}));
      };
      // Above the hotel markers (pane 600), so that a cluster at the venue never hides it.
      map.createPane("pycon-venue").style.zIndex = 610;
      var popup = document.createElement("div");
      var strong = document.createElement("strong");
      strong.textContent = venue.name;
      popup.appendChild(strong);
      popup.appendChild(document.createElement("br"));
      popup.appendChild(document.createTextNode(venue.entrance + ", " + venue.address));
      L.circleMarker([venue.latitude, venue.longitude], {
        radius: 10, color: "#b00020", weight: 3, fillColor: "#ffdd00", fillOpacity: 0.9,
        className: "pycon-venue-marker", pane: "pycon-venue"
      }).bindPopup(popup).bindTooltip("Venue: " + venue.name).addTo(map);
    });
  });
});
