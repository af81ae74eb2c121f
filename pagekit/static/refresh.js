// Live pages without inline script: every element with data-refresh="URL" is replaced, every
// data-interval ms (default 1000), by the HTML fragment that URL renders on the server (where
// everything user-supplied is already escaped). Served as a file so CSP script-src 'self' holds.
(function () {
  function poll(element) {
    var url = element.getAttribute("data-refresh");
    var every = parseInt(element.getAttribute("data-interval") || "1000", 10);
    function tick() {
      fetch(url, { headers: { Accept: "text/html" }, credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.text() : null; })
        .then(function (html) {
          if (html !== null) { element.innerHTML = html; element.setAttribute("data-updated", Date.now()); }
        })
        .catch(function () { /* the next tick retries */ })
        .then(function () { setTimeout(tick, every); });
    }
    setTimeout(tick, every);
  }
  document.querySelectorAll("[data-refresh]").forEach(poll);
})();
