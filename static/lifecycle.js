// Convene lifecycle: support a submission without reloading, and see counts and the tracker's
// explanation change live as other members act. The plain form works without this file.
(function () {
  "use strict";

  function start() {
    var box = document.querySelector("[data-tracker]");
    if (!box) { return; }
    var textId = Number(box.getAttribute("data-tracker"));
    var csrf = document.querySelector('meta[name="csrf-token"]').getAttribute("content");

    function show(data) {
      if (data.id !== textId) { return; }
      var count = box.querySelector("[data-support-count]");
      if (count && typeof data.supports === "number") { count.textContent = data.supports; }
      var words = box.querySelector("[data-explanation]");
      if (words && data.explanation) { words.textContent = data.explanation; }
    }

    function flash(message, kind) {
      var region = document.getElementById("flash");
      var p = document.createElement("p");
      p.className = "flash flash-" + kind;
      p.textContent = message;
      region.replaceChildren(p);
    }

    var form = box.querySelector("[data-support-form]");
    if (form) {
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        fetch("/api/v1/proposals/" + textId + "/supports", {
          method: "POST", credentials: "same-origin",
          headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, "Accept": "application/json" },
          body: "{}"
        }).then(function (response) {
          return response.json().then(function (data) { return { ok: response.ok, data: data }; });
        }).then(function (result) {
          if (!result.ok) { flash(result.data.message || "Your support was not counted.", "error"); return; }
          show(result.data);
          var done = document.createElement("p");
          done.className = "meta";
          done.textContent = "You support this submission.";
          form.replaceWith(done);
          flash("Your support is counted: " + result.data.supports + " of " + result.data.threshold + " supporting members.", "success");
        }).catch(function () {
          flash("Your support could not be sent. Check your connection and try again.", "error");
        });
      });
    }

    if (window.io) {
      var socket = window.io({ transports: ["websocket", "polling"] });
      socket.on("connect", function () {
        socket.emit("follow_text", { text: textId });
        box.setAttribute("data-live", "on");
      });
      socket.on("support_counted", show);
      socket.on("text_tracked", show);
    }
  }

  // Deferred scripts run in order before DOMContentLoaded, so by then socket.io (loaded later on
  // the page) is there too.
  if (document.readyState === "complete") {
    start();
  } else {
    document.addEventListener("DOMContentLoaded", start);
  }
}());
