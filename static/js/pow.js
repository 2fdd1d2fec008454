// The proof of work a form asks for while the site is under pressure (intake/ratelimit.py):
// find a nonce such that SHA-256("<token>|<nonce>") starts with `data-bits` zero bits, put it
// in the hidden "pow" field, then send. The work starts when the page opens, so it is usually
// done before the visitor presses send. Without this script, or without WebCrypto, the form is
// sent as it is and the server asks for a short wait instead.
(function () {
  "use strict";

  // Digests are asked for in batches: one promise per hash would spend more time in the
  // event loop than in SHA-256.
  var BATCH = 1024;

  function startsWithZeroBits(bytes, bits) {
    for (var i = 0; bits > 0; i++, bits -= 8) {
      var take = Math.min(8, bits);
      if (bytes[i] >> (8 - take) !== 0) {
        return false;
      }
    }
    return true;
  }

  async function solve(token, bits) {
    var encoder = new TextEncoder();
    for (var start = 0; ; start += BATCH) {
      var tries = [];
      for (var n = start; n < start + BATCH; n++) {
        tries.push(crypto.subtle.digest("SHA-256", encoder.encode(token + "|" + n.toString(36))));
      }
      var digests = await Promise.all(tries);
      for (var k = 0; k < digests.length; k++) {
        if (startsWithZeroBits(new Uint8Array(digests[k]), bits)) {
          return (start + k).toString(36);
        }
      }
    }
  }

  function prepare(field) {
    var form = field.form;
    var token = form && form.elements.namedItem("token");
    var bits = parseInt(field.dataset.bits, 10);
    if (!token || !token.value || !(bits > 0) || !window.crypto || !crypto.subtle) {
      return;
    }
    var solving = solve(token.value, bits).then(function (nonce) {
      field.value = nonce;
    });
    var waiting = false;
    form.addEventListener("submit", function (event) {
      if (field.value) {
        return;
      }
      event.preventDefault();
      if (waiting) {
        return;
      }
      waiting = true;
      var status = form.querySelector(".pow-status");
      if (status) {
        status.hidden = false;
      }
      // form.submit() sends without firing "submit" again.
      solving.then(function () {
        form.submit();
      });
    });
  }

  document.querySelectorAll('input[name="pow"][data-bits]').forEach(prepare);
})();
