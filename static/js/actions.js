// Small actions in place (issue 13, point 13): a form marked data-inplace (react, helpful,
// follow, watch, claim, idea vote) posts with fetch and asks for JSON, and the page changes
// where the button is instead of reloading. The form and its CSRF token are the same ones a
// browser without JavaScript posts; if fetch itself fails, the form is posted the old way.
//
// What the JSON may carry, and what it changes inside the button's scope (its closest
// [data-inplace-scope], else the form):
//   pressed      elements with data-inplace-class toggle that class; aria-pressed follows
//   label        the button's text
//   action       where the form posts next (follow <-> unfollow, claim <-> release)
//   count        [data-inplace-count] text and every data-count attribute
//   noun         [data-inplace-noun] text ("vote" or "votes")
//   count_text   [data-inplace-count-text] text, hidden when empty
//   status_text  [data-inplace-status] text, hidden when empty
//   html         the scope itself, drawn again by the server (the watch buttons)
//   message      read out in a polite live region
// An error answer ({"error", "message"}) shows its message beside the button.
(function () {
  "use strict";
  if (!window.fetch || !document.querySelector("form[data-inplace]")) {
    return;
  }

  // The live region exists before anything is said in it, so screen readers hear changes.
  const live = document.createElement("div");
  live.className = "visually-hidden";
  live.setAttribute("role", "status");
  live.setAttribute("aria-live", "polite");
  live.setAttribute("data-inplace-live", "");
  (document.querySelector("main") || document.body).appendChild(live);
  let errors = 0;

  function announce(text) {
    // Emptied first, so the same sentence twice in a row is read twice.
    live.textContent = "";
    if (text) {
      window.setTimeout(function () {
        live.textContent = text;
      }, 50);
    }
  }

  function within(scope, selector) {
    const found = Array.from(scope.querySelectorAll(selector));
    if (scope.matches(selector)) {
      found.unshift(scope);
    }
    return found;
  }

  function setText(elements, text) {
    elements.forEach(function (element) {
      element.textContent = text;
      element.hidden = text === "";
    });
  }

  function clearError(form, button) {
    const shown = form.nextElementSibling;
    if (shown && shown.hasAttribute("data-inplace-error")) {
      shown.remove();
    }
    button.removeAttribute("aria-describedby");
  }

  function showError(form, button, text) {
    clearError(form, button);
    errors += 1;
    const note = document.createElement("span");
    note.className = "field__error inplace-error";
    note.id = "inplace-error-" + errors;
    note.setAttribute("data-inplace-error", "");
    note.textContent = text;
    form.insertAdjacentElement("afterend", note);
    button.setAttribute("aria-describedby", note.id);
  }

  function redraw(scope, form, button, html) {
    // The server's own markup for the scope (the watch buttons), parsed inert in a
    // template; focus goes to the button in the same place, so the keyboard stays put.
    const index = Array.from(scope.querySelectorAll("button")).indexOf(button);
    const template = document.createElement("template");
    template.innerHTML = html.trim();
    const fresh = template.content.firstElementChild;
    if (!fresh) {
      return;
    }
    scope.replaceWith(fresh);
    const buttons = fresh.querySelectorAll("button");
    const focus = buttons[Math.min(Math.max(index, 0), buttons.length - 1)];
    if (focus) {
      focus.focus();
    }
  }

  function apply(form, button, data) {
    const scope = form.closest("[data-inplace-scope]") || form;
    if (typeof data.html === "string") {
      redraw(scope, form, button, data.html);
      return;
    }
    if (typeof data.pressed === "boolean") {
      within(scope, "[data-inplace-class]").forEach(function (element) {
        element.classList.toggle(element.getAttribute("data-inplace-class"), data.pressed);
      });
      if (button.hasAttribute("aria-pressed")) {
        button.setAttribute("aria-pressed", data.pressed ? "true" : "false");
      }
    }
    if (typeof data.label === "string") {
      button.textContent = data.label;
    }
    if (typeof data.action === "string") {
      form.setAttribute("action", data.action);
    }
    if (typeof data.count === "number") {
      within(scope, "[data-inplace-count]").forEach(function (element) {
        element.textContent = String(data.count);
      });
      within(scope, "[data-count]").forEach(function (element) {
        element.setAttribute("data-count", String(data.count));
      });
    }
    if (typeof data.noun === "string") {
      within(scope, "[data-inplace-noun]").forEach(function (element) {
        element.textContent = data.noun;
      });
    }
    if (typeof data.count_text === "string") {
      setText(within(scope, "[data-inplace-count-text]"), data.count_text);
    }
    if (typeof data.status_text === "string") {
      setText(within(scope, "[data-inplace-status]"), data.status_text);
    }
  }

  function busy(form, button, on) {
    // aria-disabled rather than disabled: a disabled button drops the keyboard focus.
    if (on) {
      form.setAttribute("aria-busy", "true");
      button.setAttribute("aria-disabled", "true");
    } else {
      form.removeAttribute("aria-busy");
      button.removeAttribute("aria-disabled");
    }
  }

  async function send(form, button) {
    let response;
    try {
      response = await fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
    } catch (failure) {
      // No answer at all (offline, a dropped connection): post it the way it works
      // without JavaScript, and let the browser show what happens.
      form.submit();
      return;
    }
    const type = response.headers.get("Content-Type") || "";
    if (type.indexOf("application/json") === -1) {
      form.submit(); // not an answer for a script (a proxy's page): let the browser see it
      return;
    }
    const data = await response.json();
    if (!response.ok) {
      const text = data.message || "That didn't work. Please reload the page and try again.";
      showError(form, button, text);
      announce(text);
      return;
    }
    clearError(form, button);
    apply(form, button, data);
    announce(data.message);
  }

  document.addEventListener("submit", function (event) {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-inplace")) {
      return;
    }
    event.preventDefault();
    if (form.getAttribute("aria-busy") === "true") {
      return; // one request at a time: a double click sends one
    }
    const button = event.submitter || form.querySelector("button");
    busy(form, button, true);
    send(form, button)
      .catch(function () {
        form.submit();
      })
      .finally(function () {
        busy(form, button, false);
      });
  });
})();
