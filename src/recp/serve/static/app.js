// recp serve: light progressive enhancement; every page works without it.
"use strict";
document.documentElement.classList.add("js");
document.addEventListener("DOMContentLoaded", function () {
  // The language list submits itself when changed.
  document.querySelectorAll("select[data-autosubmit]").forEach(function (sel) {
    sel.addEventListener("change", function () { sel.form.submit(); });
  });
  // A running batch: poll its status instead of reloading the whole page.
  var job = document.getElementById("job");
  if (job && (job.dataset.state === "queued" || job.dataset.state === "running")) {
    var refresh = document.querySelector("meta[http-equiv=refresh]");
    if (refresh) { refresh.remove(); }
    var poll = function () {
      fetch(job.dataset.status, { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (s) {
          var bar = document.getElementById("progress");
          bar.max = s.total || 1; bar.value = s.done;
          document.getElementById("count").textContent = s.done + " / " + (s.total || "?");
          document.getElementById("state").textContent = s.state;
          if (s.state === "done" || s.state === "failed") { window.location.reload(); }
          else { window.setTimeout(poll, 1000); }
        })
        .catch(function () { window.setTimeout(poll, 3000); });
    };
    window.setTimeout(poll, 500);
  }
});
