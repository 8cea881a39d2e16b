/* Behaviour the templates would otherwise inline. The Content-Security-Policy
   forbids inline scripts and event-handler attributes, so it lives here. */
(function () {
  "use strict";

  // <div data-reload-after="3000">: reload the page after that many
  // milliseconds (pages that wait for a PDF being rendered in the background).
  function scheduleReloads(root) {
    root.querySelectorAll("[data-reload-after]").forEach(function (element) {
      if (element.dataset.reloadScheduled) {
        return;
      }
      element.dataset.reloadScheduled = "1";
      var delay = parseInt(element.dataset.reloadAfter, 10) || 3000;
      window.setTimeout(function () {
        window.location.reload();
      }, delay);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () {
      scheduleReloads(document);
    });
  } else {
    scheduleReloads(document);
  }
})();
