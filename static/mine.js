// /schedule/mine: the starred sessions by day, their clashes and floor changes, and one calendar feed.
(function () {
  "use strict";
  var root = document.getElementById("mine");
  if (!root || !window.fetch || !window.mySchedule) { return; }
  var base = root.getAttribute("data-base");
  var shared = new URLSearchParams(location.search).get("ids");
  var sharedIds = shared === null ? null : (shared.match(/\d+/g) || []).map(String);

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }
  function clock(local) { return local ? local.slice(11, 16) : ""; }
  function place(row) { return (row.room || "Room not announced") + (row.floor ? " (" + row.floor + ")" : ""); }
  function dayTitle(day) {
    return new Date(day + "T12:00:00Z").toLocaleDateString("en-GB", {weekday: "long", day: "numeric", month: "long", timeZone: "UTC"});
  }
  function overlaps(a, b) {
    return a.day === b.day && a.start_local && b.start_local && a.end_local && b.end_local &&
      a.start_local < b.end_local && b.start_local < a.end_local;
  }

  function notes(rows) {
    var out = [];
    rows.forEach(function (a, i) {
      rows.slice(i + 1).forEach(function (b) {
        if (overlaps(a, b)) {
          out.push({cls: "clash", text: "Clash: \u201c" + a.title + "\u201d (" + clock(a.start_local) + "\u2013" + clock(a.end_local) +
            ") and \u201c" + b.title + "\u201d (" + clock(b.start_local) + "\u2013" + clock(b.end_local) + ") overlap on " + dayTitle(a.day) + "."});
        }
      });
      var next = rows[i + 1];
      if (next && next.day === a.day && !overlaps(a, next) && a.floor && next.floor && a.floor !== next.floor) {
        out.push({cls: "floors", text: "Change floors after \u201c" + a.title + "\u201d: from " + place(a) + " to " + place(next) +
          " for \u201c" + next.title + "\u201d at " + clock(next.start_local) + "."});
      }
    });
    return out;
  }

  function sessionItem(row, own) {
    var li = el("li", {"class": "session", "data-session": String(row.id)});
    if (own) {
      var star = el("button", {type: "button", "class": "star", "data-session": String(row.id), "data-title": row.title});
      li.appendChild(star);
    }
    li.appendChild(el("p", {"class": "session-when"}, row.start_local ? clock(row.start_local) + (row.end_local ? "\u2013" + clock(row.end_local) : "") : "Time not announced"));
    var title = el("p", {"class": "session-title"});
    title.appendChild(el("a", {href: base + "/pycon/sessions/" + row.id}, row.title));
    li.appendChild(title);
    li.appendChild(el("p", {"class": "session-meta"}, (row.speakers ? row.speakers + " \u00b7 " : "") + place(row)));
    return li;
  }

  function calendarLinks(ids) {
    var feed = base + "/pycon/agenda.ics?ids=" + ids.join(",");
    var webcal = "webcal://" + location.host + feed;
    var p = el("p", {"class": "calendar-links mine-calendar"}, "Your calendar, following later changes: ");
    [["Subscribe", webcal, "calendar-subscribe"],
     ["Add to Google Calendar", "https://calendar.google.com/calendar/render?cid=" + encodeURIComponent(webcal), "calendar-google"],
     ["Download .ics", feed, "calendar-download"]].forEach(function (link, i) {
      if (i) { p.appendChild(document.createTextNode(" \u00b7 ")); }
      p.appendChild(el("a", {href: link[1], "class": link[2]}, link[0]));
    });
    return p;
  }

  function shareLink(ids) {
    var url = location.origin + base + "/schedule/mine?ids=" + ids.join(",");
    var p = el("p", {"class": "mine-share"}, "Share this selection: ");
    p.appendChild(el("a", {href: url, "class": "share-link"}, url));
    return p;
  }

  function render(rows, ids, own) {
    var out = document.getElementById("mine-results");
    out.textContent = "";
    if (!rows.length) {
      out.appendChild(el("p", {"class": "zero-results"}, own ? "No session starred yet." : "This shared selection holds no session of the program."));
      out.appendChild(document.getElementById("mine-help").content.cloneNode(true));
      return;
    }
    var ordered = rows.map(function (r) { return String(r.id); }).sort(function (a, b) { return a - b; });
    out.appendChild(el("p", {"class": "mine-count"}, rows.length + " session" + (rows.length === 1 ? "" : "s") + (own ? " starred in this browser" : " in this shared selection")));
    if (own) { out.appendChild(calendarLinks(ordered)); out.appendChild(shareLink(ordered)); }
    else {
      var add = el("button", {type: "button", "class": "add-shared"}, "Add these " + rows.length + " sessions to my schedule");
      add.addEventListener("click", function () {
        window.mySchedule.save(window.mySchedule.load().concat(ordered));
        location.href = base + "/schedule/mine";
      });
      out.appendChild(add);
    }
    var warnings = notes(rows);
    if (warnings.length) {
      var box = el("div", {role: "status"});
      var ul = el("ul", {"class": "mine-notes"});
      warnings.forEach(function (w) { ul.appendChild(el("li", {"class": w.cls}, w.text)); });
      box.appendChild(ul);
      out.appendChild(box);
    }
    var day = null, list = null;
    rows.forEach(function (row) {
      if (row.day !== day) {
        day = row.day;
        var h = el("h2", {});
        h.appendChild(el("a", {href: base + "/schedule/" + day}, dayTitle(day)));
        out.appendChild(h);
        list = el("ul", {"class": "program-list"});
        out.appendChild(list);
      }
      list.appendChild(sessionItem(row, own));
    });
    window.mySchedule.refresh();
    Array.prototype.forEach.call(out.querySelectorAll("button.star"), function (b) { b.hidden = false; });
  }

  function update() {
    var own = sharedIds === null;
    var ids = own ? window.mySchedule.load() : sharedIds;
    document.getElementById("mine-heading").textContent = own ? "My schedule" : "A shared schedule";
    if (!ids.length) { render([], ids, own); return; }
    fetch(base + "/pycon/agenda.json?_shape=array&ids=" + ids.join(","))
      .then(function (r) { return r.json(); })
      .then(function (rows) { render(rows, ids, own); })
      .catch(function () { document.getElementById("mine-results").textContent = "The program could not be loaded; try again."; });
  }

  document.addEventListener("my-schedule-changed", function () { if (sharedIds === null) { update(); } });
  update();
})();
