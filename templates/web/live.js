// derive serve: live checking as you type, and the live gradebook. Optional: every page works
// without it (the forms post to the server). Nothing here builds HTML: the server renders the
// verdicts with the same template as the page, and this script swaps them in.
(function () {
  "use strict";
  var DELAY_MS = 350;

  function liveCheck(form) {
    var results = document.getElementById("results");
    var status = document.getElementById("live-status");
    if (!results || !status) return;
    var timer = null, pending = null, sent = "", retry = null;

    function body() {
      var data = new URLSearchParams();
      ["function", "exercise", "text", "syntax", "var"].forEach(function (name) {
        var field = form.elements[name];
        if (field) data.append(name, field.value);
      });
      return data.toString();
    }

    function run() {
      var payload = body();
      if (payload === sent) return;
      sent = payload;
      if (pending) pending.abort();
      pending = new AbortController();
      results.setAttribute("aria-busy", "true");
      fetch(form.getAttribute("data-live"), {
        method: "POST", body: payload, signal: pending.signal, credentials: "same-origin",
        headers: {"Content-Type": "application/x-www-form-urlencoded"}
      }).then(function (response) {
        if (response.status === 503) {
          var seconds = parseInt(response.headers.get("Retry-After") || "2", 10);
          status.textContent = "The server is busy; checking again in " + seconds + " s.";
          sent = "";
          clearTimeout(retry);
          retry = setTimeout(run, seconds * 1000);
          return null;
        }
        return response.text();
      }).then(function (html) {
        if (html === null) return;
        results.innerHTML = html;
        var summary = results.querySelector("[data-summary]");
        status.textContent = summary ? summary.getAttribute("data-summary") : "";
      }).catch(function (error) {
        if (error.name !== "AbortError") {
          status.textContent = "Could not reach the server: your text is still here; it is checked again when you type.";
          sent = "";
        }
      }).finally(function () {
        results.removeAttribute("aria-busy");
      });
    }

    form.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(run, DELAY_MS);
    });
    form.addEventListener("change", function () {
      clearTimeout(timer);
      timer = setTimeout(run, DELAY_MS);
    });
    if (form.getAttribute("action") === "/check") {
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        sent = "";
        run();
        results.focus && results.setAttribute("tabindex", "-1");
      });
    }
    var text = form.elements.text;
    if (text && text.value.trim() && !results.querySelector("[data-summary]")) run();
  }

  function liveGradebook(section) {
    var url = section.getAttribute("data-poll");
    function poll() {
      if (document.visibilityState !== "visible") return;
      fetch(url, {credentials: "same-origin"}).then(function (response) {
        return response.ok ? response.text() : null;
      }).then(function (html) {
        if (html === null) return;
        var current = section.querySelector("[data-version]");
        var holder = document.createElement("div");
        holder.innerHTML = html;
        var fresh = holder.querySelector("[data-version]");
        if (!current || !fresh || current.getAttribute("data-version") !== fresh.getAttribute("data-version")) {
          section.innerHTML = html;
        }
      }).catch(function () {});
    }
    setInterval(poll, 3000);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form[data-live]");
    if (form) liveCheck(form);
    var gradebook = document.querySelector("[data-poll]");
    if (gradebook) liveGradebook(gradebook);
  });
})();
