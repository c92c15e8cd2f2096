// The SQL page: a labelled plain text box; Datasette's code editor (CodeMirror, its SQL mode and the SQL
// formatter, about 340 KB) is loaded only when asked, with its input labelled too.
(function () {
  var box = document.getElementById("sql-editor");
  var base = document.currentScript.dataset.base || "/";
  if (!box) { return; }
  box.setAttribute("aria-label", "SQL query");
  var ask = document.createElement("button");
  ask.type = "button";
  ask.className = "load-editor";
  ask.textContent = "Use the code editor (line numbers, formatting)";
  box.parentNode.insertAdjacentElement("afterend", ask);

  function load(tag, attrs) {
    return new Promise(function (done, failed) {
      var el = document.createElement(tag);
      Object.keys(attrs).forEach(function (k) { el[k] = attrs[k]; });
      el.onload = done;
      el.onerror = failed;
      document.head.appendChild(el);
    });
  }

  ask.addEventListener("click", function () {
    ask.disabled = true;
    var s = base + "-/static/";
    load("link", {rel: "stylesheet", href: s + "codemirror-5.57.0.min.css"})
      .then(function () { return load("script", {src: s + "codemirror-5.57.0.min.js"}); })
      .then(function () { return Promise.all([load("script", {src: s + "codemirror-5.57.0-sql.min.js"}),
                                              load("script", {src: s + "sql-formatter-2.3.3.min.js"})]); })
      .then(function () {
        var editor = CodeMirror.fromTextArea(box, {lineNumbers: true, mode: "text/x-sql", lineWrapping: true});
        editor.getInputField().setAttribute("aria-label", "SQL query");
        editor.setOption("extraKeys", {"Shift-Enter": function () { box.form.submit(); }, Tab: false});
        var format = document.getElementById("sql-format");
        if (format) {
          format.hidden = false;
          format.addEventListener("click", function () { editor.setValue(sqlFormatter.format(editor.getValue())); });
        }
        ask.remove();
        editor.focus();
      })
      .catch(function () { ask.disabled = false; ask.textContent = "The code editor could not load: try again"; });
  });
})();
