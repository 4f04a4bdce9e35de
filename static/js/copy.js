// "Copy" buttons: put the text of the field a button names on the clipboard.
(function () {
  "use strict";

  function say(id, text) {
    var status = document.querySelector('[data-copy-status="' + id + '"]');
    if (status) status.textContent = text;
  }

  document.querySelectorAll("[data-copy]").forEach(function (button) {
    var id = button.getAttribute("data-copy");
    var field = document.getElementById(id);
    if (!field) return;
    button.addEventListener("click", function () {
      field.select();
      var copied = navigator.clipboard
        ? navigator.clipboard.writeText(field.value)
        : Promise.reject(new Error("no clipboard"));
      copied
        .catch(function () {
          // Older browsers, or a page without clipboard permission: the selection still works.
          if (!document.execCommand("copy")) throw new Error("not copied");
        })
        .then(
          function () { say(id, "Copied."); },
          function () { say(id, "Selected: press Ctrl+C (⌘C on a Mac) to copy."); }
        );
    });
  });
})();
