// Live assembly sessions: join the room over Socket.IO, send the page's forms as socket events,
// and patch only the part of the page each server event is about. Every form still works
// without this file (it posts and the page reloads).
(function () {
  "use strict";
  var root = document.querySelector("[data-session]");
  if (!root || !window.io) { return; }
  var sessionId = Number(root.getAttribute("data-session"));
  var role = root.getAttribute("data-role");
  var csrf = document.querySelector('meta[name="csrf-token"]').getAttribute("content");
  var seen = {};  // the last seq applied, per kind of change: older updates are dropped
  var timer = { state: "idle", remaining: 0, at: 0 };
  var INTEGERS = ["member", "position", "message", "amendment", "seconds", "index"];

  function $(selector) { return root.querySelector(selector); }
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) { node.textContent = text; }
    return node;
  }
  function fresh(kind, payload) {
    if (payload.seq !== undefined && seen[kind] !== undefined && payload.seq < seen[kind]) { return false; }
    if (payload.seq !== undefined) { seen[kind] = payload.seq; }
    return true;
  }
  function flash(message, kind) {
    var region = document.getElementById("flash");
    region.replaceChildren(el("p", { "class": "flash flash-" + kind }, message));
  }
  function words(kind) { return String(kind || "").replace(/_/g, " "); }
  function status(text) { var s = $("[data-live-status]"); if (s) { s.textContent = text; } }

  // A form like the server renders: hidden fields and one button, sent over the socket by the handler below.
  function actionForm(action, label, fields, cls, extra) {
    var form = el("form", { method: "post", action: "/sessions/" + sessionId + "/do/" + action,
                            "class": "action-form", "data-action": action });
    form.appendChild(el("input", { type: "hidden", name: "csrf_token", value: csrf }));
    Object.keys(fields).forEach(function (k) {
      form.appendChild(el("input", { type: "hidden", name: k, value: String(fields[k]) }));
    });
    var button = el("button", { type: "submit", "class": cls }, label);
    if (extra) { button.appendChild(el("span", { "class": "visually-hidden" }, " " + extra)); }
    form.appendChild(button);
    return form;
  }

  // ---- applying server events

  function applyPresence(p) {
    if (!fresh("presence", p)) { return; }
    root.querySelectorAll("[data-roster] li").forEach(function (li) {
      var here = p.present.indexOf(Number(li.getAttribute("data-member-id"))) !== -1;
      li.className = here ? "present" : "absent";
      li.querySelector("[data-presence-label]").textContent = here ? "present" : "absent";
    });
    $("[data-quorum]").textContent = p.quorum.words;
    $("[data-observers]").textContent = p.observers;
  }

  function applyQueue(q) {
    if (!fresh("queue", q)) { return; }
    $("[data-speaker]").textContent = q.speaker ? q.speaker.name : "nobody";
    var list = $("[data-hands]");
    var items = q.hands.map(function (h, i) {
      var li = el("li", { "data-member-id": h.member_id });
      li.appendChild(el("span", { "class": "hand-name" }, h.name));
      if (h.kind !== "ordinary") { li.appendChild(document.createTextNode(" ")); li.appendChild(el("span", { "class": "hand-kind" }, words(h.kind))); }
      if (role === "facilitator") {
        var actions = el("span", { "class": "hand-actions" });
        actions.appendChild(actionForm("call_speaker", "Call", { member: h.member_id }, "link-button", h.name));
        actions.appendChild(actionForm("lower_hand", "Lower", { member: h.member_id }, "link-button", h.name + "'s hand"));
        actions.appendChild(actionForm("mute", "Mute", { member: h.member_id }, "link-button danger", h.name));
        if (i > 0) { actions.appendChild(actionForm("move_hand", "Move up", { member: h.member_id, position: i - 1 }, "link-button", h.name)); }
        li.appendChild(actions);
      }
      return li;
    });
    list.replaceChildren.apply(list, items);
    $("[data-no-hands]").hidden = q.hands.length > 0;
    var muted = $("[data-muted]");
    muted.replaceChildren.apply(muted, q.muted.map(function (m) {
      var li = el("li", { "data-member-id": m.member_id }, m.name + " ");
      if (role === "facilitator") { li.appendChild(actionForm("unmute", "Unmute", { member: m.member_id }, "link-button", m.name)); }
      return li;
    }));
    $("[data-muted-box]").hidden = q.muted.length === 0;
    q.events.forEach(function (e) {
      if (e.event === "speaker_called" && q.speaker) { status(q.speaker.name + " has the floor."); }
    });
  }

  function applyTimer(t) {
    if (!fresh("timer", t)) { return; }
    // The server says how much is left at its own time; we count down from when that arrived,
    // so a wrong clock on this device cannot add or remove time.
    timer = { state: t.state, remaining: t.remaining, at: performance.now() };
    $("[data-timer]").setAttribute("data-state", t.state);
    drawTimer();
  }
  function drawTimer() {
    var left = timer.remaining;
    if (timer.state === "running") { left = Math.max(0, timer.remaining - (performance.now() - timer.at) / 1000); }
    var s = Math.ceil(left);
    $("[data-timer]").textContent = Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
  }

  function applyCheck(payload, kind) {
    if (!fresh("check", payload)) { return; }
    var check = payload.check;
    var open = Boolean(check && check.open);
    var label = $("[data-check-label]");
    if (open) {
      label.replaceChildren(document.createTextNode("Open on: "), el("strong", {}, check.label));
    } else {
      label.textContent = "No check is open.";
    }
    $("[data-tally]").hidden = !check;
    if (check) {
      Object.keys(check.tally).forEach(function (k) {
        var dd = root.querySelector('[data-count="' + k + '"]');
        if (dd) { dd.textContent = check.tally[k]; }
      });
      $("[data-tally-words]").textContent = check.outcome ? check.outcome.reason : check.words;
      var reasons = $("[data-reasons]");
      reasons.replaceChildren.apply(reasons, check.reasons.map(function (r) {
        return el("li", {}, r.name + " (" + words(r.response) + "): " + r.reason);
      }));
    }
    var answer = $("[data-answer-form]");
    if (answer) { answer.hidden = !open; }
    var opener = $("[data-open-check]");
    if (opener) { opener.hidden = open; }
    var closer = $("[data-close-check]");
    if (closer) { closer.hidden = !open; }
    if (kind === "closed" && check && check.outcome) {
      var li = el("li", { "class": check.outcome.reached ? "reached" : "not-reached" });
      li.appendChild(el("strong", {}, check.label));
      li.appendChild(document.createTextNode(": " + check.outcome.reason));
      if (check.tracker) { li.appendChild(el("span", { "class": "tracker-note" }, " Tracker: " + check.tracker)); }
      $("[data-results]").appendChild(li);
      status(check.outcome.reason);
    }
    if (kind === "opened") { status("A consensus check is open on " + check.label + "."); }
  }

  function amendmentItem(a) {
    var li = el("li", { "data-amendment": a.id });
    li.appendChild(el("strong", {}, "Amendment " + a.id));
    li.appendChild(document.createTextNode((a.clause_key ? " at clause " + a.clause_key : "") + " by " + a.author + ": " + a.text + " "));
    li.appendChild(el("span", { "class": "meta" }, "(" + a.rationale + ")"));
    return li;
  }
  function addAmendment(a) {
    if (root.querySelector('[data-amendments] [data-amendment="' + a.id + '"]')) { return; }
    $("[data-amendments]").appendChild(amendmentItem(a));
    $("[data-no-amendments]").hidden = true;
    var atClause = a.clause_key && root.querySelector('[data-clause-amendments="' + a.clause_key + '"]');
    if (atClause) { atClause.appendChild(el("li", {}, "Amendment " + a.id + " proposed by " + a.author)); }
    var subjects = $("[data-check-subjects]");
    if (subjects) { subjects.appendChild(el("option", { value: a.id }, "Amendment " + a.id)); }
  }

  function applyAgenda(a) {
    if (!fresh("agenda", a)) { return; }
    root.querySelectorAll("[data-agenda] li").forEach(function (li) {
      if (Number(li.getAttribute("data-index")) === a.current_item) { li.setAttribute("aria-current", "step"); }
      else { li.removeAttribute("aria-current"); }
    });
    if (root.getAttribute("data-text") === String(a.text.proposal_id) + "@" + a.text.version) { return; }
    root.setAttribute("data-text", String(a.text.proposal_id) + "@" + a.text.version);
    $("[data-text-title]").textContent = a.text.title;
    $("[data-text-version]").textContent = a.text.version;
    $("[data-text-link]").setAttribute("href", "/proposals/" + a.text.proposal_id);
    var clauses = $("[data-clauses]");
    clauses.replaceChildren.apply(clauses, a.text.clauses.map(function (c) {
      var li = el("li", { "class": "clause", value: c.number, "data-clause": c.key });
      li.appendChild(el("div", { "class": "clause-body" }, c.body));
      li.appendChild(el("ul", { "class": "clause-amendments", "data-clause-amendments": c.key }));
      return li;
    }));
    $("[data-amendments]").replaceChildren();
    var subjects = $("[data-check-subjects]");
    if (subjects) { subjects.replaceChildren(el("option", { value: "" }, "The whole text")); }
    $("[data-no-amendments]").hidden = false;
    a.text.amendments.forEach(addAmendment);
    if (a.title) { status("Now on the agenda: " + a.title + "."); }
  }

  function messageItem(m) {
    var li = el("li", { "data-message": m.id });
    li.appendChild(el("strong", {}, m.author));
    li.appendChild(document.createTextNode(": "));
    if (m.removed) { li.appendChild(el("em", {}, "message removed")); }
    else {
      li.appendChild(document.createTextNode(m.text + " "));
      if (role === "facilitator") { li.appendChild(actionForm("remove_message", "Remove", { message: m.id }, "link-button danger", "message by " + m.author)); }
    }
    return li;
  }
  function applyMessage(payload) {
    var existing = root.querySelector('[data-messages] [data-message="' + payload.message.id + '"]');
    if (existing) { existing.replaceWith(messageItem(payload.message)); }
    else { $("[data-messages]").appendChild(messageItem(payload.message)); }
  }
  function applyChat(c) {
    if (!fresh("chat", c)) { return; }
    $("[data-chat-locked]").hidden = !c.locked;
    var lock = $("[data-lock-chat]"), unlock = $("[data-unlock-chat]");
    if (lock) { lock.hidden = c.locked; }
    if (unlock) { unlock.hidden = !c.locked; }
  }

  function applySession(s) {
    if (s.status === root.getAttribute("data-status")) { return; }
    if (s.status === "open") { window.location.reload(); return; }
    root.setAttribute("data-status", s.status);
    $("[data-status-words]").textContent = "Ended";
    root.querySelectorAll("form[data-action]").forEach(function (f) { f.hidden = true; });
    status("The session has ended. Reload the page for the minutes.");
  }

  function applyState(state) {
    seen = {};
    applySession(state.session);
    applyAgenda(state.agenda);
    applyPresence(state.presence);
    applyQueue(state.queue);
    applyTimer(state.timer);
    applyCheck({ seq: state.session.seq, check: state.check }, "state");
    applyChat({ seq: state.session.seq, locked: state.chat.locked });
    var messages = $("[data-messages]");
    messages.replaceChildren.apply(messages, state.chat.messages.map(messageItem));
  }

  // ---- the socket

  var socket = window.io("/sessions", { transports: ["websocket", "polling"] });
  root.setAttribute("data-live", "connecting");
  socket.on("connect", function () {
    socket.emit("join_session", { session: sessionId }, function (ack) {
      if (ack && ack.error) { flash(ack.message, "error"); return; }
      root.setAttribute("data-live", "on");
      status("");
    });
  });
  socket.on("disconnect", function () { root.setAttribute("data-live", "off"); status("Connection lost; reconnecting…"); });
  socket.on("connect_error", function () { root.setAttribute("data-live", "off"); });
  socket.on("session_state", applyState);
  socket.on("presence_changed", applyPresence);
  socket.on("queue_changed", applyQueue);
  socket.on("timer_changed", applyTimer);
  socket.on("check_opened", function (p) { applyCheck(p, "opened"); });
  socket.on("tally_changed", function (p) { applyCheck(p, "tally"); });
  socket.on("check_closed", function (p) { applyCheck(p, "closed"); });
  socket.on("agenda_changed", applyAgenda);
  socket.on("amendment_proposed", function (p) { addAmendment(p.amendment); });
  socket.on("message_posted", applyMessage);
  socket.on("message_removed", applyMessage);
  socket.on("chat_changed", applyChat);
  socket.on("session_changed", applySession);
  window.setInterval(function () { if (timer.state === "running") { drawTimer(); } }, 250);

  // The page's forms go over the socket while it is connected; otherwise they post as usual.
  document.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-action]");
    if (!form || !root.contains(form) || !socket.connected) { return; }
    event.preventDefault();
    var action = form.getAttribute("data-action");
    var payload = { session: sessionId };
    new FormData(form).forEach(function (value, key) {
      if (key === "csrf_token" || value === "") { return; }
      payload[key] = INTEGERS.indexOf(key) !== -1 ? Number(value) : value;
    });
    socket.emit(action, payload, function (ack) {
      if (ack && ack.error) { flash(ack.message, "error"); return; }
      if (action === "post_message") { form.reset(); }
      if (action === "answer_check") { flash("Your answer is counted.", "success"); }
      if (action === "raise_hand") { flash("Your hand is up.", "success"); }
    });
  });
}());
