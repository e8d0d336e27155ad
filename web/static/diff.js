// The 新旧対照表 comes from the diff API as a page of its own; fit the frame to it.
(function () {
  "use strict";
  var frame = document.getElementById("redline");
  if (!frame) { return; }
  frame.addEventListener("load", function () {
    try {
      var doc = frame.contentDocument;
      if (doc && doc.documentElement) {
        frame.style.height = (doc.documentElement.scrollHeight + 24) + "px";
      }
    } catch (e) { /* another origin: keep the CSS height */ }
  });
})();
