// Code blocks: the button of a Rust example with hidden lines shows or hides them. Without
// scripts the button stays hidden and so do the lines (the example reads as its author meant).
(function () {
  "use strict";
  var buttons = document.querySelectorAll("button.code-toggle");
  Array.prototype.forEach.call(buttons, function (button) {
    var pre = button.nextElementSibling;
    if (!pre || pre.tagName !== "PRE") return;
    button.hidden = false;
    button.addEventListener("click", function () {
      var shown = pre.classList.toggle("show-hidden");
      button.setAttribute("aria-pressed", shown ? "true" : "false");
      button.textContent = window.stagebookT(shown ? "code_hide" : "code_show");
    });
  });
})();
