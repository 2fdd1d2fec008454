/* The hall screen: shows the chosen slides one at a time and reads the screen's data again
   every data-refresh seconds. When the network or the server is away the slides keep turning
   with what was last read, and the next read that succeeds brings the screen up to date. */
(function () {
  "use strict";
  var body = document.body;
  var url = body.getAttribute("data-url");
  var refresh = Math.max(2, Number(body.getAttribute("data-refresh")) || 60) * 1000;
  var seconds = Number(body.getAttribute("data-seconds")) || 12;
  var data = null, shown = -1, turning = null;

  function all(selector) { return Array.prototype.slice.call(document.querySelectorAll(selector)); }

  function chosen() {
    return all("[data-slide]").filter(function (slide) {
      return data ? data.slides.indexOf(slide.getAttribute("data-slide")) >= 0
                  : !slide.hasAttribute("data-off");
    });
  }

  function turn() {
    var list = chosen();
    if (!list.length) { return; }
    shown = (shown + 1) % list.length;
    all("[data-slide]").forEach(function (slide) { slide.hidden = slide !== list[shown]; });
  }

  function every(secondsEach) {
    if (turning) { clearInterval(turning); }
    seconds = secondsEach;
    turning = setInterval(turn, seconds * 1000);
  }

  function value(path) {
    return path.split(".").reduce(function (found, key) {
      return found === null || found === undefined ? found : found[key];
    }, data);
  }

  function fill() {
    all("[data-field]").forEach(function (element) {
      var found = value(element.getAttribute("data-field"));
      element.textContent = found === null || found === undefined ? "" : String(found);
    });
    all("[data-word]").forEach(function (element) {
      var found = data.words[element.getAttribute("data-word")];
      if (found) { element.textContent = found; }
    });
  }

  function offline(yes) {
    body.classList.toggle("offline", yes);
    all(".offline-note").forEach(function (note) { note.hidden = !yes; });
  }

  function read() {
    if (!window.fetch) { return; }
    fetch(url, { cache: "no-store", credentials: "omit" })
      .then(function (answer) {
        if (!answer.ok) { throw new Error("HTTP " + answer.status); }
        return answer.json();
      })
      .then(function (fresh) {
        data = fresh;
        fill();
        offline(false);
        body.setAttribute("data-read", String(Date.now()));
        if (fresh.seconds !== seconds) { every(fresh.seconds); }
      })
      .catch(function () { offline(true); });
  }

  turn();
  every(seconds);
  setInterval(read, refresh);
}());
