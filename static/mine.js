// /schedule/mine: the page renders a schedule given its ids (plugins/my_schedule.py); this script
// asks it for the sessions starred in this browser, and lets a shared schedule be added to them.
// After the conference each recorded session has a "Watched" toggle, kept in localStorage too.
(function () {
  "use strict";
  var root = document.getElementById("mine");
  if (!root || !window.fetch || !window.DOMParser || !window.mySchedule) { return; }
  var base = root.getAttribute("data-base");
  var query = root.getAttribute("data-query") || "";  // "edition=<year>&" on an earlier edition's schedule
  var results = document.getElementById("mine-results");

  function shared() {
    // A shared schedule is read-only: its stars would toggle this browser's own.
    Array.prototype.forEach.call(results.querySelectorAll("button.star"), function (b) { b.remove(); });
    var add = results.querySelector("button.add-shared");
    if (!add) { return; }
    add.hidden = false;
    add.addEventListener("click", function () {
      var ids = Array.prototype.map.call(results.querySelectorAll("[data-session]"), function (li) { return li.getAttribute("data-session"); });
      window.mySchedule.save(window.mySchedule.load().concat(ids));
      location.href = base + "/schedule/mine" + (query ? "?" + query.slice(0, -1) : "");
    });
  }

  var EDITION = document.documentElement.getAttribute("data-edition") || "pycon";
  var WATCHED = EDITION + "-watched";

  function watched() {
    try {
      var ids = JSON.parse(localStorage.getItem(WATCHED) || "[]");
      return Array.isArray(ids) ? ids.map(String) : [];
    } catch (e) { return []; }
  }

  function showWatched() {
    var ids = watched(), buttons = results.querySelectorAll("button.watched"), done = 0;
    Array.prototype.forEach.call(buttons, function (b) {
      var on = ids.indexOf(b.getAttribute("data-session")) >= 0;
      done += on ? 1 : 0;
      b.hidden = false;
      b.setAttribute("aria-pressed", on ? "true" : "false");
      b.closest("li").classList.toggle("is-watched", on);
    });
    var count = results.querySelector(".mine-watched-count");
    if (count && buttons.length) {
      count.hidden = false;
      count.textContent = done + " of " + buttons.length + " recordings watched (marked in this browser)";
    }
  }

  results.addEventListener("click", function (event) {
    var b = event.target.closest ? event.target.closest("button.watched") : null;
    if (!b) { return; }
    var ids = watched(), id = b.getAttribute("data-session"), at = ids.indexOf(id);
    if (at >= 0) { ids.splice(at, 1); } else { ids.push(id); }
    localStorage.setItem(WATCHED, JSON.stringify(ids));
    showWatched();
  });

  // The stars a feed was subscribed with (in this browser): when they change, say the feed lacks them.
  var SUBSCRIBED = EDITION + "-subscribed";

  function subscribed() {
    try {
      var ids = JSON.parse(localStorage.getItem(SUBSCRIBED) || "null");
      return Array.isArray(ids) ? ids.map(String) : null;
    } catch (e) { return null; }
  }

  results.addEventListener("click", function (event) {
    var a = event.target.closest ? event.target.closest("a.calendar-subscribe, a.calendar-google") : null;
    if (a) { localStorage.setItem(SUBSCRIBED, JSON.stringify(window.mySchedule.load())); }
  });

  function showResubscribe() {
    var note = results.querySelector(".mine-resubscribe"), then = subscribed();
    if (!note || !then) { return; }
    var now = window.mySchedule.load();
    var added = now.filter(function (id) { return then.indexOf(id) < 0; }).length;
    var removed = then.filter(function (id) { return now.indexOf(id) < 0; }).length;
    if (!added && !removed) { return; }
    var parts = [];
    if (added) { parts.push("starred " + added + " more session" + (added > 1 ? "s" : "")); }
    if (removed) { parts.push("removed " + removed); }
    note.textContent = "Since you subscribed in this browser you " + parts.join(" and ") +
      ": the calendar you subscribed to does not have these changes. Subscribe again with the link below, then remove the old calendar.";
    note.hidden = false;
  }

  // What imports changed of the starred sessions since this browser last opened its schedule: the page lists
  // every change of them with its import's time; this shows the newer ones and remembers the newest seen.
  var SEEN = EDITION + "-changes-seen";
  var seenBefore = localStorage.getItem(SEEN);  // as this page opened: what it shows stays while it is open

  function showChanged() {
    var box = results.querySelector(".mine-changed"), updated = results.querySelector(".mine-program-updated");
    var seen = seenBefore, newest = localStorage.getItem(SEEN) || "", shown = 0;
    var program = updated ? updated.getAttribute("data-updated") || "" : "";
    if (program > newest) { newest = program; }  // the program as it is now has been seen
    if (!box) { if (newest) { localStorage.setItem(SEEN, newest); } return; }
    Array.prototype.forEach.call(box.querySelectorAll("li[data-imported]"), function (li) {
      var at = li.getAttribute("data-imported");
      li.hidden = !seen || at <= seen;
      shown += li.hidden ? 0 : 1;
      if (at > newest) { newest = at; }
    });
    box.hidden = shown === 0;
    if (newest) { localStorage.setItem(SEEN, newest); }
  }

  function own() {
    var ids = window.mySchedule.load();
    fetch(base + "/schedule/mine?" + query + "own=1&ids=" + ids.join(","))
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.text(); })
      .then(function (html) {
        var page = new DOMParser().parseFromString(html, "text/html");
        results.innerHTML = page.getElementById("mine-results").innerHTML;
        Array.prototype.forEach.call(results.querySelectorAll("a.share-link"), function (a) {
          a.href = a.textContent = location.origin + a.getAttribute("href");
        });
        Array.prototype.forEach.call(results.querySelectorAll("button.star"), function (b) { b.hidden = false; });
        window.mySchedule.refresh();
        showWatched();
        showResubscribe();
        showChanged();
      })
      .catch(function () { results.textContent = "The program could not be loaded; try again."; });
  }

  if (root.getAttribute("data-shared") === "yes") { shared(); return; }
  if (root.hasAttribute("data-shared")) { return; }  // ?own=1: already this browser's
  document.addEventListener("my-schedule-changed", own);
  own();
})();
