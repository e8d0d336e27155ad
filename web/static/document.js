// Clicking a record (in the panel or in the text) shows its PDF page with its box outlined
// and scrolls the text to it.  The address bar follows (?record=ID#m-ID), so a reload or a
// shared link opens the same record selected; without JavaScript the panel links do the same.
(function () {
  "use strict";
  var wrap = document.getElementById("page-wrap");
  var img = document.getElementById("page-img");
  var box = document.getElementById("bbox");
  var pageLabel = document.getElementById("prov-page");

  function show(page, boxData) {
    if (pageLabel) { pageLabel.textContent = "p." + page; }
    if (!wrap || !img) { return; }
    var src = wrap.getAttribute("data-base") + page + ".png";
    if (img.getAttribute("src") !== src) { img.setAttribute("src", src); }
    if (!boxData) { box.hidden = true; return; }
    var v = boxData.split(",");
    box.style.left = v[0] + "%"; box.style.top = v[1] + "%";
    box.style.width = v[2] + "%"; box.style.height = v[3] + "%";
    box.hidden = false;
  }

  function rowFor(id) {
    return document.querySelector('tr.rec[data-id="' + CSS.escape(id) + '"]');
  }

  // On a narrow screen the page image sits right below the record it shows, not at the
  // other end of a long page.
  var narrow = window.matchMedia("(max-width: 900px)");
  var provenance = document.querySelector(".panel .provenance");
  var provRow = null;
  function placeProvenance(row) {
    if (!provenance || !narrow.matches) { return; }
    if (!provRow) {
      provRow = document.createElement("tr");
      provRow.className = "prov-row";
      var cell = document.createElement("td");
      cell.colSpan = row.children.length;
      provRow.appendChild(cell);
    }
    provRow.firstChild.appendChild(provenance);
    row.parentNode.insertBefore(provRow, row.nextSibling);
  }

  function select(row, scroll) {
    document.querySelectorAll("tr.rec.on").forEach(function (r) { r.classList.remove("on"); });
    row.classList.add("on");
    placeProvenance(row);
    show(row.getAttribute("data-page"), row.getAttribute("data-box"));
    var mark = document.getElementById("m-" + row.getAttribute("data-id"));
    document.querySelectorAll("mark.flash-mark").forEach(function (m) { m.classList.remove("flash-mark"); });
    if (mark) {
      mark.classList.add("flash-mark");
      if (scroll) { mark.scrollIntoView({ block: "center" }); }
    }
  }

  function remember(id) {
    var url = new URL(window.location.href);
    url.searchParams.set("record", id);
    url.hash = "m-" + id;
    history.replaceState(null, "", url.pathname + url.search + url.hash);
  }

  document.querySelectorAll("tr.rec").forEach(function (row) {
    row.addEventListener("click", function (event) {
      event.preventDefault();
      select(row, true);
      remember(row.getAttribute("data-id"));
    });
  });

  document.querySelectorAll("#doc-text mark[data-ids]").forEach(function (mark) {
    mark.addEventListener("click", function () {
      var row = null;
      mark.getAttribute("data-ids").split(" ").some(function (id) {
        row = rowFor(id);
        return row !== null;
      });
      if (row) {
        select(row, false);
        row.scrollIntoView({ block: "nearest" });
        remember(row.getAttribute("data-id"));
      }
    });
  });

  document.querySelectorAll("#doc-text .seg").forEach(function (seg) {
    seg.addEventListener("dblclick", function () {
      show(seg.getAttribute("data-page"), seg.getAttribute("data-box"));
    });
  });

  // Copy-citation: the clipboard where the browser allows it; the text is shown either way.
  var status = document.getElementById("cite-status");
  document.querySelectorAll("button.cite").forEach(function (button) {
    button.addEventListener("click", function () {
      var text = button.getAttribute("data-cite");
      if (status) { status.textContent = "✓ " + text; status.hidden = false; }
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(text).catch(function () { /* shown above */ });
      }
    });
  });

  // A permalink: #m-ID (or ?record=ID) selects that record; #o123 (the table of contents,
  // previous / next article) outlines that passage and shows its page.
  function applyAddress() {
    var hash = decodeURIComponent(window.location.hash.slice(1));
    var wanted = hash.indexOf("m-") === 0 ? hash.slice(2)
      : new URLSearchParams(window.location.search).get("record");
    var row = wanted ? rowFor(wanted) : null;
    if (row) {
      select(row, true);
      row.scrollIntoView({ block: "nearest" });
      return;
    }
    var seg = hash && hash !== "focus" ? document.getElementById(hash) : null;
    if (seg && seg.classList.contains("seg")) {
      document.querySelectorAll("#doc-text .seg.focus").forEach(function (s) { s.classList.remove("focus"); });
      seg.classList.add("focus");
      show(seg.getAttribute("data-page"), seg.getAttribute("data-box"));
    }
  }
  window.addEventListener("hashchange", applyAddress);
  applyAddress();
})();
