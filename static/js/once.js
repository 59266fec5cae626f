// Double submit: each POST form gets a one-time token (checked by medinsure.core.once) and its
// buttons are disabled once it is sent, so a double click or a resubmission creates one record.
(function () {
  "use strict";
  function newToken() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  function isPlainPost(form) {
    return (form.getAttribute("method") || "").toLowerCase() === "post" &&
      !form.hasAttribute("hx-post") && !form.hasAttribute("data-hx-post") && !form.hasAttribute("data-once-off");
  }
  function arm(form) {
    if (!isPlainPost(form) || form.querySelector("input[name=_form_token]")) return;
    var input = document.createElement("input");
    input.type = "hidden";
    input.name = "_form_token";
    input.value = newToken();
    form.appendChild(input);
  }
  function armAll(root) {
    (root.querySelectorAll ? root.querySelectorAll("form") : []).forEach(arm);
  }
  document.addEventListener("DOMContentLoaded", function () { armAll(document); });
  document.addEventListener("htmx:load", function (event) { armAll(event.target); });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !isPlainPost(form)) return;
    arm(form);
    if (form.dataset.submitted === "1") { event.preventDefault(); return; }
    form.dataset.submitted = "1";
    // after this tick, so that the clicked button's name/value is still part of this submission
    var buttons = form.querySelectorAll("button[type=submit], button:not([type]), input[type=submit]");
    setTimeout(function () { buttons.forEach(function (b) { b.disabled = true; }); }, 0);
    // a form answered by a download (or in another window) leaves the page: usable again later
    setTimeout(function () {
      delete form.dataset.submitted;
      buttons.forEach(function (b) { b.disabled = false; });
    }, 8000);
  }, true);
  // back/forward cache: a page shown again gets its buttons back (same token: a resubmission replays)
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;
    document.querySelectorAll("form").forEach(function (form) {
      if (!isPlainPost(form)) return;
      delete form.dataset.submitted;
      form.querySelectorAll("button, input[type=submit]").forEach(function (b) { b.disabled = false; });
    });
  });
})();
