// Convene amendments: select words in a clause to amend them, tap a clause to edit its wording on a
// phone, and watch amendments and their scores change live. Every form works without this file.
(function () {
  "use strict";
  var WORD = /\S+/g;
  var flash = window.convene.flash;  // convene.js loads first and also sends the votes

  function countWords(text) {
    var found = text.match(WORD);
    return found ? found.length : 0;
  }

  // The clause whose text holds this node, if members may amend it now.
  function clauseOf(node) {
    var el = node && (node.nodeType === 1 ? node : node.parentElement);
    var li = el && el.closest("li.clause");
    if (!li) { return null; }
    var body = li.querySelector(".clause-body");
    var tools = li.querySelector("[data-amend-tools]");
    if (!body || !tools || !body.contains(el)) { return null; }
    return { li: li, body: body, tools: tools };
  }

  // Word span [start, end) of a selection inside a clause, counted the way the server counts words.
  function selectedSpan(body, range) {
    var chosen = range.toString();
    if (!/\S/.test(chosen)) { return null; }
    var before = document.createRange();
    before.selectNodeContents(body);
    before.setEnd(range.startContainer, range.startOffset);
    var prefix = before.toString();
    var start = countWords(prefix);
    if (/\S$/.test(prefix) && /^\S/.test(chosen)) { start -= 1; }  // the selection began inside a word
    var upto = document.createRange();
    upto.selectNodeContents(body);
    upto.setEnd(range.endContainer, range.endOffset);
    return { start: start, end: countWords(upto.toString()) };
  }

  var bar = document.createElement("div");
  bar.className = "selection-bar";
  bar.setAttribute("role", "toolbar");
  bar.setAttribute("aria-label", "Amend the selected words");
  bar.hidden = true;
  [["replace", "Replace the words"], ["insert_after", "Insert after them"], ["delete", "Delete the words"]]
    .forEach(function (item) {
      var button = document.createElement("button");
      button.type = "button";
      button.value = item[0];
      button.textContent = item[1];
      bar.appendChild(button);
    });
  document.body.appendChild(bar);
  var pending = null;  // { clause, span } while the bar is shown

  function hideBar() { bar.hidden = true; pending = null; }

  function showBar() {
    var selection = window.getSelection();
    if (!selection || selection.rangeCount === 0 || selection.isCollapsed) { hideBar(); return; }
    var range = selection.getRangeAt(0);
    var start = clauseOf(range.startContainer);
    var end = clauseOf(range.endContainer);
    if (!start || !end || start.li !== end.li) { hideBar(); return; }
    var span = selectedSpan(start.body, range);
    if (!span || span.end <= span.start) { hideBar(); return; }
    pending = { clause: start, span: span };
    var box = range.getBoundingClientRect();
    bar.hidden = false;
    var left = Math.max(8, Math.min(box.left + window.scrollX, window.scrollX + document.documentElement.clientWidth - bar.offsetWidth - 8));
    bar.style.left = left + "px";
    bar.style.top = (box.bottom + window.scrollY + 8) + "px";
  }

  var timer = null;
  document.addEventListener("selectionchange", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(showBar, 200);
  });
  bar.addEventListener("mousedown", function (event) { event.preventDefault(); });  // keep the selection

  bar.addEventListener("click", function (event) {
    var button = event.target.closest("button");
    if (!button || !pending) { return; }
    var tools = pending.clause.tools;
    var span = pending.span;
    var details = tools.querySelector("[data-amend-details]");
    var form = details.querySelector("form");
    form.querySelector("[data-change]").value = button.value;
    form.querySelector("[data-first]").value = span.start + 1;
    form.querySelector("[data-last]").value = span.end;
    var raw = tools.querySelector("[data-edit-body]");
    var words = (raw ? raw.defaultValue : pending.clause.body.textContent).match(WORD) || [];
    var shown = form.querySelector("[data-selected]");
    shown.textContent = "Selected words " + (span.start + 1) + (span.end > span.start + 1 ? "–" + span.end : "") +
      ": “" + words.slice(span.start, span.end).join(" ") + "”";
    shown.hidden = false;
    details.open = true;
    hideBar();
    window.getSelection().removeAllRanges();
    var target = form.querySelector(button.value === "delete" ? "textarea[name=rationale]" : "[data-new-words]");
    if (button.value === "replace") { target.value = words.slice(span.start, span.end).join(" "); }
    target.focus();
  });

  // On a phone, selecting words is fiddly: tapping a clause opens its wording for editing in place.
  var coarse = window.matchMedia && window.matchMedia("(pointer: coarse)").matches;
  document.addEventListener("click", function (event) {
    if (!coarse || event.target.closest("a, button, summary, input, textarea, select")) { return; }
    var clause = clauseOf(event.target);
    if (!clause) { return; }
    var details = clause.tools.querySelector("[data-edit-details]");
    details.open = true;
    var area = details.querySelector("[data-edit-body]");
    area.focus();
    area.scrollIntoView({ block: "center" });
  });
  document.querySelectorAll("li.clause").forEach(function (li) {
    var body = li.querySelector(".clause-body");
    if (body && li.querySelector("[data-amend-tools]")) { body.setAttribute("data-selectable", ""); }
  });

  var socket = window.conveneSocket;
  if (socket) {
    socket.on("amendment_scored", window.convene.showScore("amendment"));
    socket.on("amendment_proposed", function () {
      flash("A new amendment was proposed to this text. Reload the page to see it.", "info");
    });
    socket.on("amendment_disposed", function (data) {
      flash("Amendment " + data.id + " has a disposition; the text is at version " + data.version + ". Reload to see it.", "info");
    });
  }
}());
