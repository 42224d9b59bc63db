// The session-expiry warning: five minutes before the session ends, and when it has ended, reveal the notice the
// page already holds (translated, in a live region the screen reader announces). Without script the header still
// says when the session ends, and the next request after it asks to sign in again.
(function () {
  "use strict";
  var WARN_BEFORE_S = 300;
  var left = Number(document.body.getAttribute("data-session-seconds-left"));
  if (!document.body.hasAttribute("data-session-seconds-left") || !isFinite(left)) {
    return;
  }
  var warning = document.getElementById("session-warning");
  var ended = document.getElementById("session-ended");
  if (!warning || !ended) {
    return;
  }
  function show(el, hide) {
    if (hide) { hide.hidden = true; }
    el.hidden = false;
  }
  window.setTimeout(function () { show(warning); }, Math.max(0, left - WARN_BEFORE_S) * 1000);
  window.setTimeout(function () { show(ended, warning); }, Math.max(0, left) * 1000);
}());
