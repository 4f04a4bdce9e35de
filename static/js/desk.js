// The staff desk's keys: j/k move between waiting items, Enter opens one, c claims or
// releases it. Reads data-* attributes only (the strict CSP allows no inline script).
(function () {
  "use strict";
  const rows = Array.from(document.querySelectorAll("[data-desk-row]"));
  if (!rows.length) {
    return;
  }
  let current = -1;

  function select(index, scroll) {
    if (index < 0 || index >= rows.length) {
      return;
    }
    if (current >= 0) {
      rows[current].classList.remove("desk-row--current");
      rows[current].removeAttribute("aria-current");
    }
    current = index;
    const row = rows[current];
    row.classList.add("desk-row--current");
    row.setAttribute("aria-current", "true");
    row.focus({ preventScroll: !scroll });
    if (scroll) {
      row.scrollIntoView({ block: "nearest" });
    }
  }

  function typing(target) {
    return target.closest("input, textarea, select, [contenteditable]") !== null;
  }

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || typing(event.target)) {
      return;
    }
    const onRow = current >= 0 && rows[current].contains(document.activeElement);
    if (event.key === "j") {
      select(current + 1, true);
    } else if (event.key === "k") {
      select(Math.max(current - 1, 0), true);
    } else if (event.key === "Enter" && onRow && document.activeElement === rows[current]) {
      window.location.assign(rows[current].dataset.open);
    } else if (event.key === "c" && current >= 0) {
      const form = rows[current].querySelector("form[data-claim]");
      if (form) {
        form.requestSubmit();
      }
    } else {
      return;
    }
    event.preventDefault();
  });

  rows.forEach(function (row, index) {
    row.addEventListener("click", function () {
      if (current !== index) {
        select(index, false);
      }
    });
  });

  // Back from a claim: the item acted on is current again, where the flash says what happened.
  const landed = window.location.hash ? document.getElementById(window.location.hash.slice(1)) : null;
  const start = landed ? rows.indexOf(landed) : -1;
  if (start >= 0) {
    select(start, true);
  }
})();
