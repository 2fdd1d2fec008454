/* Print and copy buttons. Without JavaScript the buttons stay hidden and the hints beside
   them (data-no-script-hint) say how to do the same by hand. */
(function () {
  "use strict";

  function each(selector, callback) {
    Array.prototype.forEach.call(document.querySelectorAll(selector), callback);
  }

  each("[data-no-script-hint]", function (hint) { hint.hidden = true; });

  each("[data-print]", function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });

  function said(button, text) {
    var status = document.getElementById(button.getAttribute("data-status") || "");
    if (status && text) {
      status.textContent = "";
      window.setTimeout(function () { status.textContent = text; }, 50);
    }
  }

  function selectText(element) {
    var range = document.createRange();
    range.selectNodeContents(element);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  each("[data-copy]", function (button) {
    var source = document.getElementById(button.getAttribute("data-copy"));
    if (!source) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      var text = source.textContent.trim();
      var done = function () { said(button, button.getAttribute("data-copied")); };
      var failed = function () {
        selectText(source); // the code selected, for Ctrl+C
        said(button, button.getAttribute("data-select"));
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(done, failed);
      } else {
        failed();
      }
    });
  });
}());
