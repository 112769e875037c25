// Click-to-load recordings: the placeholder's link goes to /go/play/<pk>/, which counts the
// play and forwards to the video on YouTube. With JavaScript the play is counted by asking
// the same address with ?embedded=1 (204, no forward) and the placeholder is replaced by the
// privacy-enhanced embed, playing at once, with the keyboard focus moved into the player.
(function () {
  "use strict";

  function countPlay(href) {
    var url = new URL(href, window.location.href);
    url.searchParams.set("embedded", "1");
    try {
      window
        .fetch(url.toString(), { credentials: "same-origin", cache: "no-store", keepalive: true })
        .catch(function () {});
    } catch (error) {
      // Counting is best effort: the video plays anyway.
    }
  }

  function load(placeholder, link) {
    var src = new URL(placeholder.getAttribute("data-embed-src"));
    src.searchParams.set("autoplay", "1");
    var frame = document.createElement("iframe");
    frame.setAttribute("src", src.toString());
    frame.setAttribute("title", placeholder.getAttribute("data-embed-title") || link.textContent);
    frame.setAttribute("allow", "autoplay; encrypted-media; picture-in-picture; fullscreen");
    frame.setAttribute("allowfullscreen", "");
    frame.setAttribute("referrerpolicy", "strict-origin-when-cross-origin");
    var video = document.createElement("div");
    video.className = "video";
    video.appendChild(frame);
    placeholder.replaceWith(video);
    frame.focus();
  }

  document.querySelectorAll(".video-placeholder[data-embed-src]").forEach(function (placeholder) {
    var link = placeholder.querySelector("a[data-play-recording]");
    if (!link || !window.fetch || !window.URL) {
      return;
    }
    link.addEventListener("click", function (event) {
      // A new tab or window (modifier keys, middle button) follows the link as usual.
      if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey ||
          event.shiftKey || event.altKey) {
        return;
      }
      event.preventDefault();
      countPlay(link.href);
      load(placeholder, link);
    });
  });
})();
