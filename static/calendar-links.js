// Subscribe / Google Calendar / Download links on a page whose rows are calendar events;
// plugins/calendar_links.py gives the URLs as window.PYCON_CALENDAR_LINKS.
document.addEventListener("DOMContentLoaded", function () {
  // A page with no rows gets no calendar links: an empty feed is nothing to subscribe to.
  if (!document.querySelector("table.rows-and-columns tbody tr, .program-list > li")) { return; }
  var config = window.PYCON_CALENDAR_LINKS;
  if (!config) { return; }
  var links = config.links, exports = config.exports;
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
