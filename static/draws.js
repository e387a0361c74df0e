// Follows a running draw: polls its status and reloads the page once it is done or has failed.
(function () {
  "use strict";
  var status = document.querySelector("[data-poll]");
  if (!status || !window.fetch) { return; }
  var url = status.getAttribute("data-poll");
  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (body) {
        status.textContent = body.label + (body.message ? " " + body.message : "");
        if (body.status === "done" || body.status === "failed") { window.location.reload(); return; }
        window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 700);
}());
