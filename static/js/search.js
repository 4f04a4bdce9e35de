// The header's search box (issue 14): "/" anywhere but in a field puts the cursor in it,
// as on GitHub and Discourse; Escape in it gives the keyboard back to the page.
(function () {
  "use strict";
  var box = document.querySelector("[data-search-box]");
  if (!box) {
    return;
  }
  function typingSomewhere(target) {
    if (!target || target === document.body) {
      return false;
    }
    var tag = target.tagName;
    return target.isContentEditable || tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT";
  }
  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) {
      return;
    }
    if (event.defaultPrevented || typingSomewhere(event.target)) {
      return;
    }
    event.preventDefault();
    box.focus();
    box.select();
  });
  box.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && box.value === "") {
      box.blur();
    }
  });
})();
