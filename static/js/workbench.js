// The caption workbench: plays the video from a cue and shows the caption of the moment.
//
// Progressive enhancement. Without JavaScript (or when the YouTube IFrame Player API cannot
// be loaded) the "Play from here" buttons stay hidden and the cue list, its pages and the
// edit forms work as plain links and forms. No keyboard shortcuts: every control is a
// button, a link or a form field.
(function () {
  "use strict";
  var bench = document.querySelector("[data-workbench]");
  if (!bench) {
    return;
  }

  // ?cue=N (a finding's link, or back from saving an edit): focus that cue, unless a form
  // came back with errors (error-summary.js focuses its summary then).
  var focusCue = bench.getAttribute("data-focus-cue");
  if (focusCue !== null && !document.querySelector(".error-summary")) {
    var target = document.getElementById("cue-" + focusCue);
    if (target) {
      target.focus();
    }
  }

  var frame = document.getElementById("workbench-video");
  var apiUrl = bench.getAttribute("data-iframe-api");
  if (!frame || !apiUrl) {
    return;
  }
  var status = document.getElementById("player-status");
  var current = document.getElementById("current-cue");
  var rows = Array.prototype.slice.call(bench.querySelectorAll("[data-cue-start-ms]"));
  var buttons = Array.prototype.slice.call(bench.querySelectorAll("button[data-start-ms]"));
  var player = null;
  var ready = false;
  var timer = null;
  var shownRow; // undefined until the first time is shown
  var PLAYING = 1; // YT.PlayerState.PLAYING

  function say(key) {
    status.textContent = key ? status.getAttribute("data-" + key) : "";
  }

  function rowAt(ms) {
    for (var i = 0; i < rows.length; i++) {
      var start = Number(rows[i].getAttribute("data-cue-start-ms"));
      var end = Number(rows[i].getAttribute("data-cue-end-ms"));
      if (start <= ms && ms < end) {
        return rows[i];
      }
    }
    return null;
  }

  // The caption under the video and aria-current on its row, for a time in milliseconds.
  function show(ms) {
    var row = rowAt(ms);
    if (row === shownRow) {
      return;
    }
    if (shownRow) {
      shownRow.removeAttribute("aria-current");
    }
    shownRow = row;
    if (row) {
      row.setAttribute("aria-current", "true");
      current.textContent = "";
      row.querySelector(".cue-text").childNodes.forEach(function (node) {
        current.appendChild(node.cloneNode(true)); // its lines and line breaks
      });
    } else {
      current.textContent = current.getAttribute("data-none");
    }
  }

  function poll() {
    if (player && typeof player.getCurrentTime === "function") {
      show(Math.round(player.getCurrentTime() * 1000));
    }
  }

  function onStateChange(event) {
    if (event.data === PLAYING) {
      if (timer === null) {
        timer = window.setInterval(poll, 250);
      }
    } else if (timer !== null) {
      window.clearInterval(timer);
      timer = null;
    }
    poll();
  }

  function onReady() {
    ready = true;
    say("");
    buttons.forEach(function (button) {
      button.hidden = false;
    });
  }

  buttons.forEach(function (button) {
    button.addEventListener("click", function () {
      if (!ready) {
        return;
      }
      var ms = Number(button.getAttribute("data-start-ms"));
      player.seekTo(ms / 1000, true);
      player.playVideo();
      show(ms);
    });
  });

  function failed() {
    if (!ready) {
      say("failed");
    }
  }

  var previous = window.onYouTubeIframeAPIReady;
  window.onYouTubeIframeAPIReady = function () {
    if (typeof previous === "function") {
      previous();
    }
    try {
      player = new window.YT.Player(frame, {
        events: { onReady: onReady, onStateChange: onStateChange },
      });
    } catch (error) {
      failed();
    }
  };

  say("loading");
  var script = document.createElement("script");
  script.src = apiUrl;
  script.async = true;
  script.addEventListener("error", failed);
  document.head.appendChild(script);
  // Blocked silently (a filter, no connection): say so after a while.
  window.setTimeout(failed, 15000);
})();
