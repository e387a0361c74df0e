// Ballot pages: a live "answered N of M" on the ballot form, and the turnout figure for
// administrators, refreshed by polling. The form and the figures work without this file.
(function () {
  "use strict";

  var form = document.querySelector("[data-ballot-form]");
  if (form) {
    var questions = form.querySelectorAll("[data-question]");
    var update = function () {
      var answered = 0;
      questions.forEach(function (fieldset) {
        var checked = fieldset.querySelector("input[type=radio]:checked");
        var yes = Boolean(checked && checked.value);
        fieldset.setAttribute("data-answered", String(yes));
        if (yes) { answered += 1; }
      });
      form.querySelectorAll("[data-answered]").forEach(function (span) {
        if (span.tagName === "SPAN") { span.textContent = String(answered); }
      });
    };
    form.addEventListener("change", update);
    update();
  }

  var turnout = document.querySelector("[data-turnout-url]");
  if (turnout) {
    var refresh = function () {
      fetch(turnout.getAttribute("data-turnout-url"), {credentials: "same-origin", headers: {"Accept": "application/json"}})
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          if (!data) { return; }
          turnout.querySelector("[data-voted]").textContent = String(data.voted);
          turnout.querySelector("[data-eligible]").textContent = String(data.eligible);
        })
        .catch(function () { /* the figure on the page stays; the next poll tries again */ });
    };
    window.setInterval(refresh, 5000);
  }
})();
