// The composer: a live preview rendered by the server's own renderer, and a draft kept in
// this browser so a reply survives a reload or a lost connection.
(function () {
  "use strict";

  function csrfToken(form) {
    var field = form.querySelector('input[name="csrf_token"]');
    return field ? field.value : "";
  }

  document.querySelectorAll("[data-preview-toggle]").forEach(function (button) {
    var textarea = document.getElementById(button.getAttribute("data-preview-toggle"));
    if (!textarea) return;
    var pane = document.querySelector('[data-preview-for="' + textarea.id + '"]');
    if (!pane) return;
    var timer = null;
    // Answers can arrive out of order; only the newest request may fill the pane.
    var latest = 0;

    function refresh() {
      var ticket = ++latest;
      var body = new FormData();
      body.append("body", textarea.value);
      body.append("csrf_token", csrfToken(textarea.form));
      fetch(pane.getAttribute("data-preview-url"), {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(textarea.form), Accept: "application/json" },
      })
        .then(function (response) { return response.json(); })
        .then(function (data) {
          if (ticket !== latest) return;
          // The server sanitised this HTML with the same rules it uses when it stores posts.
          pane.innerHTML = data.html || '<p class="muted">Nothing to preview yet.</p>';
        })
        .catch(function () {
          if (ticket === latest) pane.textContent = "The preview is unavailable right now.";
        });
    }

    button.addEventListener("click", function () {
      var opening = pane.hidden;
      pane.hidden = !opening;
      button.textContent = opening ? "Hide preview" : "Preview";
      if (opening) refresh();
    });
    textarea.addEventListener("input", function () {
      if (pane.hidden) return;
      clearTimeout(timer);
      timer = setTimeout(refresh, 400);
    });
  });

  // Drafts stay until the server says it accepted them (static/js/drafts.js).
  document.querySelectorAll("form[data-draft-key]").forEach(function (form) {
    var key = "fanhub-draft:" + form.getAttribute("data-draft-key");
    var fields = form.querySelectorAll("textarea, input[type=text]");
    var store;
    try { store = window.localStorage; } catch (e) { return; }
    var saved = null;
    try { saved = JSON.parse(store.getItem(key) || "null"); } catch (e) { saved = null; }
    if (saved) {
      fields.forEach(function (field) {
        if (!field.value && saved[field.name]) field.value = saved[field.name];
      });
    }
    form.addEventListener("input", function () {
      var draft = {};
      fields.forEach(function (field) { draft[field.name] = field.value; });
      store.setItem(key, JSON.stringify(draft));
    });
  });
})();
