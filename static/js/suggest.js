// Answers before asking (issue 14): while a member types a new topic's title, the brand's
// solved or officially answered topics that match it, under the title field. The composer
// names itself with a random token (never who types) so the desk can count what helped.
(function () {
  "use strict";

  document.querySelectorAll("[data-suggest-url]").forEach(function (region) {
    var input = document.getElementById(region.getAttribute("data-suggest-for"));
    if (!input || !window.fetch || !window.crypto) return;
    var form = input.form;
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    var token = Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
    var timer = null;
    // Answers can arrive out of order; only the newest request may fill the region.
    var latest = 0;
    var shown = false;
    var asked = "";

    function refresh() {
      var title = input.value.trim();
      if (title === asked) return;
      asked = title;
      var ticket = ++latest;
      if (title.length < 3) {
        region.innerHTML = "";
        return;
      }
      var url = region.getAttribute("data-suggest-url") +
        "?q=" + encodeURIComponent(title) + "&s=" + token;
      fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } })
        .then(function (response) { return response.ok ? response.text() : ""; })
        .then(function (html) {
          if (ticket !== latest) return;
          // The server escaped every member's word in this fragment.
          region.innerHTML = html;
          if (html.trim()) shown = true;
        })
        .catch(function () { /* no suggestions: the composer works as before */ });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(refresh, 350);
    });

    if (form) {
      form.addEventListener("submit", function () {
        if (!shown) return;
        var csrf = form.querySelector('input[name="csrf_token"]');
        var body = new FormData();
        body.append("s", token);
        if (csrf) body.append("csrf_token", csrf.value);
        fetch(region.getAttribute("data-submitted-url"), {
          method: "POST",
          body: body,
          credentials: "same-origin",
          keepalive: true,
          headers: { "X-CSRFToken": csrf ? csrf.value : "" },
        }).catch(function () {});
      });
    }
  });
})();
