/* Live notifications on signed-in staff pages (notify.consumers).

   Opens the websocket at /ws/notifications/, asks it to catch up from the last notification
   this tab has seen, and on each new one updates the bell and refreshes the parts of the
   page marked data-live-refresh="kind kind ..." by fetching the page again and taking the
   same parts from it. Frames carry ids, kinds and references only; whatever the page shows
   comes from the server's own rendering, with the usual checks of who may see what.

   Without JavaScript, or when the socket cannot connect, the page is as it was rendered and
   reloading it shows the news. */
(function () {
  "use strict";

  var body = document.body;
  if (!body || !body.hasAttribute("data-notify-last") || !("WebSocket" in window)) {
    return;
  }
  var STORE_KEY = "shugel.notify.last";
  var status = document.getElementById("notify-status");
  var count = document.getElementById("notify-count");
  var lastSeen = Math.max(Number(body.getAttribute("data-notify-last")) || 0, stored());
  var delay = 1000;
  var socket = null;
  var refreshing = false;
  var refreshAgain = false;

  function stored() {
    try {
      return Number(window.sessionStorage.getItem(STORE_KEY)) || 0;
    } catch (error) {
      return 0; // storage refused (privacy settings): the page's own figure will do
    }
  }

  function remember(id) {
    if (id <= lastSeen) {
      return;
    }
    lastSeen = id;
    try {
      window.sessionStorage.setItem(STORE_KEY, String(id));
    } catch (error) {
      /* as above */
    }
  }

  function setCount(value) {
    if (!count) {
      return;
    }
    count.textContent = String(value);
    count.hidden = value <= 0;
  }

  function announce(text) {
    if (status && text) {
      // Emptied first so that the same words twice are still read out.
      status.textContent = "";
      window.setTimeout(function () { status.textContent = text; }, 50);
    }
  }

  function regionsFor(kind) {
    return Array.prototype.filter.call(
      document.querySelectorAll("[data-live-refresh]"),
      function (element) {
        return element.getAttribute("data-live-refresh").split(/\s+/).indexOf(kind) !== -1;
      }
    );
  }

  function refresh() {
    // One fetch at a time; notifications that come during it cause one more, not many.
    if (refreshing) {
      refreshAgain = true;
      return;
    }
    refreshing = true;
    fetch(window.location.href, {
      credentials: "same-origin",
      headers: {"Accept": "text/html"},
      cache: "no-store",
      redirect: "error"
    }).then(function (response) {
      if (!response.ok) {
        throw new Error(String(response.status));
      }
      return response.text();
    }).then(function (html) {
      var fresh = new DOMParser().parseFromString(html, "text/html");
      var current = document.querySelectorAll("[data-live-refresh]");
      var incoming = fresh.querySelectorAll("[data-live-refresh]");
      var changed = false;
      Array.prototype.forEach.call(current, function (element, index) {
        var match = element.id ? fresh.getElementById(element.id) : incoming[index];
        if (!match || element.contains(document.activeElement)) {
          return; // never pull a form field from under someone's cursor
        }
        if (element.innerHTML !== match.innerHTML) {
          element.replaceChildren.apply(element, Array.prototype.map.call(
            match.childNodes, function (node) { return document.importNode(node, true); }
          ));
          changed = true;
        }
      });
      if (changed && status) {
        announce(status.getAttribute("data-updated"));
      }
    }).catch(function () {
      /* signed out or offline: the next notification or a reload will tell */
    }).then(function () {
      refreshing = false;
      if (refreshAgain) {
        refreshAgain = false;
        refresh();
      }
    });
  }

  function onNotification(item) {
    if (!item || typeof item.id !== "number" || item.id <= lastSeen) {
      return;
    }
    remember(item.id);
    if (count) {
      setCount((Number(count.textContent) || 0) + 1);
    }
    if (regionsFor(item.kind).length) {
      refresh();
    } else if (status) {
      announce((status.getAttribute("data-new") || "") + ": " + (item.label || ""));
    }
  }

  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var unit = body.getAttribute("data-notify-unit");
    var url = scheme + window.location.host + "/ws/notifications/" +
      (unit ? "?unit=" + encodeURIComponent(unit) : "");
    socket = new WebSocket(url);
    socket.addEventListener("open", function () {
      delay = 1000;
      socket.send(JSON.stringify({type: "catch_up", since: lastSeen}));
    });
    socket.addEventListener("message", function (event) {
      var data;
      try {
        data = JSON.parse(event.data);
      } catch (error) {
        return;
      }
      if (data.type === "notification") {
        onNotification(data.notification);
      } else if (data.type === "unread" && typeof data.count === "number") {
        setCount(data.count);
      }
    });
    socket.addEventListener("close", function (event) {
      socket = null;
      // Refused (signed out, no longer a member): stop; a reload starts again.
      if (event.code >= 4400 && event.code < 4500) {
        return;
      }
      // Dropped: try again later and later, up to a minute, with some jitter so that a
      // restarted server is not met by every page at once.
      window.setTimeout(connect, delay + Math.random() * delay / 2);
      delay = Math.min(delay * 2, 60000);
    });
  }

  connect();
}());
