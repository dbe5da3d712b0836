/* stagebook: checklist progress. Every checkbox with a data-key keeps its state in
   localStorage under "stagebook:<book id>:<key>", so ticks survive reloads and rebuilds, and
   two handbooks on one host never share them. Each checklist and category group shows how many
   of its boxes are ticked. */
"use strict";
(function () {
  var doc = document;
  var book = doc.documentElement.getAttribute("data-book") || "handbook";
  var boxes = doc.querySelectorAll("input[type=checkbox][data-key]");
  if (!boxes.length) return;
  var prefix = "stagebook:" + book + ":";
  var store = null;
  try { store = window.localStorage; store.getItem(prefix); } catch (e) { store = null; }

  function mark(box) {
    var item = box.closest(".check-item");
    if (item) item.setAttribute("data-done", box.checked ? "true" : "false");
  }

  // Progress counters: one per checklist and per category group.
  var groups = [];
  doc.querySelectorAll(".checklist, .stage-group").forEach(function (group) {
    var own = group.querySelectorAll("input[type=checkbox][data-key]");
    if (!own.length) return;
    var heading = group.querySelector("h2, h3");
    var out = doc.createElement("span");
    out.className = "progress-count";
    var bar = doc.createElement("progress");
    bar.max = own.length;
    bar.setAttribute("aria-hidden", "true");
    out.appendChild(bar);
    var label = doc.createElement("span");
    out.appendChild(label);
    (heading || group).appendChild(out);
    groups.push({ boxes: own, bar: bar, label: label });
  });

  function update() {
    groups.forEach(function (g) {
      var done = 0;
      g.boxes.forEach(function (b) { if (b.checked) done++; });
      g.bar.value = done;
      g.label.textContent = done + " / " + g.boxes.length;
    });
  }

  boxes.forEach(function (box) {
    var key = prefix + box.getAttribute("data-key");
    if (store && store.getItem(key) === "1") box.checked = true;
    mark(box);
    box.addEventListener("change", function () {
      if (store) {
        try {
          if (box.checked) store.setItem(key, "1"); else store.removeItem(key);
        } catch (e) { /* storage full or blocked: the tick still shows */ }
      }
      mark(box);
      update();
    });
  });
  update();
})();
