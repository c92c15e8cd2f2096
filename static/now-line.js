// /schedule/<day>: the room names' height, so a jump's row and a long session's title sit below them;
// and the current time, as a line across the grid of today (in the conference's time zone).
(function () {
  var grid = document.getElementById("schedule-grid");
  if (!grid) { return; }
  function measure() {
    var tallest = 0;
    Array.prototype.forEach.call(grid.querySelectorAll(".room-head"), function (h) { tallest = Math.max(tallest, h.offsetHeight); });
    if (tallest) { grid.style.setProperty("--room-head", tallest + "px"); }
  }
  measure();
  window.addEventListener("resize", measure);
})();
(function () {
  var grid = document.getElementById("schedule-grid");
  if (!grid || !window.Intl) { return; }
  var parts = {};
  new Intl.DateTimeFormat("en-CA", {timeZone: grid.dataset.tz, year: "numeric", month: "2-digit", day: "2-digit",
    hour: "2-digit", minute: "2-digit", hourCycle: "h23"}).formatToParts(new Date()).forEach(function (p) { parts[p.type] = p.value; });
  if (parts.year + "-" + parts.month + "-" + parts.day !== grid.dataset.day) { return; }
  var now = parseInt(parts.hour, 10) * 60 + parseInt(parts.minute, 10);
  var start = parseInt(grid.dataset.start, 10), slot = parseInt(grid.dataset.slot, 10);
  if (now < start || now > start + slot * parseInt(grid.dataset.rows, 10)) { return; }
  var line = document.createElement("div");
  line.className = "now-line";
  line.setAttribute("role", "note");
  line.textContent = "Now " + parts.hour + ":" + parts.minute;
  line.style.gridRow = String(2 + Math.floor((now - start) / slot));
  var next = Array.prototype.find.call(grid.querySelectorAll(".slot-time"), function (h) { return parseInt(h.dataset.minute, 10) > now; });
  grid.insertBefore(line, next || null);
  line.scrollIntoView({block: "center"});
})();
