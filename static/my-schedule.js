// My schedule: the sessions starred in this browser, kept in localStorage.
// No account, no cookie, no server state: every page stays cacheable and the database immutable.
(function () {
  "use strict";
  // Kept per edition (the page's <html data-edition>, the edition's id in data/conference.yaml), so one
  // edition's stars never become the next one's.
  var EDITION = document.documentElement.getAttribute("data-edition") || "pycon";
  var KEY = EDITION + "-my-schedule";

  function load() {
    try {
      var ids = JSON.parse(localStorage.getItem(KEY) || "[]");
      return Array.isArray(ids) ? ids.map(String).filter(function (id) { return /^\d+$/.test(id); }) : [];
    } catch (e) {
      return [];
    }
  }

  function save(ids) {
    var unique = ids.filter(function (id, i) { return ids.indexOf(id) === i; });
    unique.sort(function (a, b) { return a - b; });
    localStorage.setItem(KEY, JSON.stringify(unique));
  }

  function show(button, starred) {
    var title = button.getAttribute("data-title") || "this session";
    button.setAttribute("aria-pressed", starred ? "true" : "false");
    button.setAttribute("aria-label", (starred ? "Remove from my schedule: " : "Add to my schedule: ") + title);
    button.title = starred ? "Remove from my schedule" : "Add to my schedule";
    button.textContent = starred ? "\u2605" : "\u2606";
  }

  function count(ids) {
    // The header's "My schedule" link says how many sessions are starred.
    Array.prototype.forEach.call(document.querySelectorAll("header .mine-count"), function (span) {
      span.textContent = ids.length ? " (" + ids.length + ")" : "";
      span.hidden = !ids.length;
    });
  }

  function announce(title, starred, n) {
    // What happened and where it went, for everyone: the status line is read by screen readers,
    // and the count in the header changes under the eye.
    var status = document.querySelector(".mine-status");
    if (status) {
      status.textContent = (starred ? "Added to My schedule: " : "Removed from My schedule: ") + title +
        " (" + n + (n === 1 ? " session)" : " sessions)");
    }
    Array.prototype.forEach.call(document.querySelectorAll(".mine-link"), function (a) {
      a.classList.remove("mine-changed");
      void a.offsetWidth;  // restart the highlight
      a.classList.add("mine-changed");
    });
  }

  function refresh() {
    var ids = load();
    count(ids);
    Array.prototype.forEach.call(document.querySelectorAll("button.star"), function (button) {
      show(button, ids.indexOf(button.getAttribute("data-session")) >= 0);
    });
  }

  function toggle(id, title) {
    var ids = load(), at = ids.indexOf(id);
    if (at >= 0) { ids.splice(at, 1); } else { ids.push(id); }
    save(ids);
    refresh();
    announce(title || "this session", at < 0, load().length);
    document.dispatchEvent(new CustomEvent("my-schedule-changed"));
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("button.star") : null;
    if (button) { toggle(button.getAttribute("data-session"), button.getAttribute("data-title")); }
  });
  window.addEventListener("storage", refresh);  // stars changed in another tab

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("button.star"), function (b) { b.hidden = false; });
    refresh();
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
  window.mySchedule = {load: load, save: save, refresh: refresh};
})();
