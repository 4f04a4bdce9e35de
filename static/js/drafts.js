// Drops the drafts the server accepted. The composer (composer.js) keeps a post's text in
// this browser until then, so a refused or failed post (429, 500, a lost connection) never
// costs what she wrote; the page after a successful post carries a marker per draft
// (fanhub.forms.forget_draft). Loaded before composer.js, so nothing is restored first.
(function () {
  "use strict";
  document.querySelectorAll("[data-draft-done]").forEach(function (marker) {
    try {
      window.localStorage.removeItem("fanhub-draft:" + marker.getAttribute("data-draft-done"));
    } catch (e) {
      // Storage is blocked, so no draft was kept either.
    }
  });
})();
