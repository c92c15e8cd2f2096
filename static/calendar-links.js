// Subscribe / Google Calendar / Download links on Datasette's own pages whose rows are calendar events;
// plugins/calendar_links.py gives the URLs as window.PYCON_CALENDAR_LINKS.
document.addEventListener("DOMContentLoaded", function () {
  // A page with no rows gets no calendar links: an empty feed is nothing to subscribe to.
  if (!document.querySelector("table.rows-and-columns tbody tr, .program-list > li")) { return; }
  // Our own templates render the links on the server (templates/_calendar_links.html).
  if (document.querySelector(".calendar-links")) { return; }
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
