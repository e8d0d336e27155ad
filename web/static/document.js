// Clicking a record (in the panel or in the text) shows its PDF page with its box outlined
// and scrolls the text to it.  Without JavaScript the panel links do the same via ?record=.
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

  function select(row, scroll) {
    document.querySelectorAll("tr.rec.on").forEach(function (r) { r.classList.remove("on"); });
    row.classList.add("on");
    show(row.getAttribute("data-page"), row.getAttribute("data-box"));
    var mark = document.getElementById("m-" + row.getAttribute("data-id"));
    document.querySelectorAll("mark.flash-mark").forEach(function (m) { m.classList.remove("flash-mark"); });
    if (mark) {
      mark.classList.add("flash-mark");
      if (scroll) { mark.scrollIntoView({ block: "center" }); }
    }
  }

  document.querySelectorAll("tr.rec").forEach(function (row) {
    row.addEventListener("click", function (event) {
      event.preventDefault();
      select(row, true);
      history.replaceState(null, "", "#m-" + row.getAttribute("data-id"));
    });
  });

  document.querySelectorAll("#doc-text mark[data-ids]").forEach(function (mark) {
    mark.addEventListener("click", function () {
      var ids = mark.getAttribute("data-ids").split(" ");
      var row = null;
      ids.some(function (id) {
        row = document.querySelector('tr.rec[data-id="' + CSS.escape(id) + '"]');
        return row !== null;
      });
      if (row) { select(row, false); row.scrollIntoView({ block: "nearest" }); }
    });
  });

  document.querySelectorAll("#doc-text .seg").forEach(function (seg) {
    seg.addEventListener("dblclick", function () { show(seg.getAttribute("data-page"), null); });
  });
})();
