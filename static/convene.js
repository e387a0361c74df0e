// Convene: small progressive enhancements. Every form works without this file.
(function () {
  "use strict";
  var csrf = document.querySelector('meta[name="csrf-token"]').getAttribute("content");

  // kind is what is scored ("clarification", "amendment"): its box carries data-<kind>="<id>".
  function showScore(kind) {
    return function (data) {
      var box = document.querySelector("[data-" + kind + '="' + data.id + '"]');
      if (!box) { return; }
      box.querySelector("[data-score-value]").textContent = data.score;
      box.querySelector("[data-ups]").textContent = data.ups;
      box.querySelector("[data-downs]").textContent = data.downs;
    };
  }

  function showMine(form, mine) {
    form.querySelectorAll(".vote-button").forEach(function (button) {
      button.setAttribute("aria-pressed", String(Number(button.value) === mine));
    });
    var withdraw = form.querySelector("[data-withdraw]");
    if (withdraw) { withdraw.hidden = mine === 0; }
  }

  function flash(message, kind) {
    var region = document.getElementById("flash");
    var p = document.createElement("p");
    p.className = "flash flash-" + kind;
    p.textContent = message;
    region.replaceChildren(p);
  }

  // Votes go through the JSON API so the page never reloads; the server's answer is the truth.
  document.addEventListener("submit", function (event) {
    var form = event.target.closest("[data-vote-url]");
    if (!form || !event.submitter) { return; }
    event.preventDefault();
    var value = Number(event.submitter.value);
    fetch(form.getAttribute("data-vote-url"), {
      method: value === 0 ? "DELETE" : "PUT",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, "Accept": "application/json" },
      body: value === 0 ? null : JSON.stringify({ value: value })
    }).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok, data: data }; });
    }).then(function (result) {
      if (!result.ok) { flash(result.data.message || "Your vote was not counted.", "error"); return; }
      showScore(form.getAttribute("data-vote-kind"))(result.data);
      showMine(form, result.data.mine);
      flash(result.data.mine === 0 ? "Your vote is withdrawn." : "Your vote is counted.", "success");
    }).catch(function () {
      flash("Your vote could not be sent. Check your connection and try again.", "error");
    });
  });

  window.convene = { csrf: csrf, flash: flash, showScore: showScore };

  // Live scores from everyone else, patched in place.
  var followed = document.querySelector("[data-follow-text]");
  if (followed && window.io) {
    var textId = Number(followed.getAttribute("data-follow-text"));
    var socket = window.io({ transports: ["websocket", "polling"] });
    window.conveneSocket = socket;  // other scripts of the page listen on the same connection
    socket.on("connect", function () { socket.emit("follow_text", { text: textId }); });
    socket.on("clarification_scored", showScore("clarification"));
    document.documentElement.setAttribute("data-live", "connecting");
    socket.on("connect", function () { document.documentElement.setAttribute("data-live", "on"); });
  }
}());
