// Sign-up proof of work, the browser half of social-core's `pow` module.
//
// The sign-up form carries a signed challenge:
//   <form data-pow-token="v1...." data-pow-bits="16"> ... <p id="pow-status"></p>
// This script looks for the smallest decimal counter `n` such that
// SHA-256(token + ":" + n) starts with `bits` zero bits, puts it in the hidden input
// `pow_nonce` (created if the form has none) and reports progress in #pow-status.
// If the person submits before the search is done, the form is sent as soon as it is.
//
// No libraries, no network: only crypto.subtle, which browsers offer on https:// pages
// and on localhost.
(function () {
  "use strict";

  var BATCH = 256; // digests in flight at once
  var YIELD_EVERY = 8; // batches between pauses that let the page repaint

  var form = document.querySelector("form[data-pow-token]");
  if (!form) {
    return;
  }
  var token = form.getAttribute("data-pow-token") || "";
  var bits = parseInt(form.getAttribute("data-pow-bits") || "0", 10);
  var status = document.getElementById("pow-status");
  var input = form.querySelector('input[name="pow_nonce"]');
  if (!input) {
    input = document.createElement("input");
    input.type = "hidden";
    input.name = "pow_nonce";
    form.appendChild(input);
  }

  var solved = false;
  var submitWanted = false;

  function say(text) {
    if (status) {
      status.textContent = text;
    }
  }

  function leadingZeroBits(bytes) {
    var count = 0;
    for (var i = 0; i < bytes.length; i++) {
      var b = bytes[i];
      if (b === 0) {
        count += 8;
        continue;
      }
      while ((b & 0x80) === 0) {
        count += 1;
        b <<= 1;
      }
      break;
    }
    return count;
  }

  function pause() {
    return new Promise(function (resolve) {
      setTimeout(resolve, 0);
    });
  }

  form.addEventListener("submit", function (event) {
    if (!solved) {
      event.preventDefault();
      submitWanted = true;
      say("Still checking… the form will be sent as soon as this is done.");
    }
  });

  async function search() {
    var encoder = new TextEncoder();
    var prefix = token + ":";
    var start = Date.now();
    for (var base = 0, batches = 0; ; base += BATCH, batches++) {
      var digests = [];
      for (var i = 0; i < BATCH; i++) {
        digests.push(crypto.subtle.digest("SHA-256", encoder.encode(prefix + (base + i))));
      }
      var results = await Promise.all(digests);
      for (var j = 0; j < results.length; j++) {
        if (leadingZeroBits(new Uint8Array(results[j])) >= bits) {
          return base + j;
        }
      }
      if (batches % YIELD_EVERY === YIELD_EVERY - 1) {
        var seconds = Math.round((Date.now() - start) / 1000);
        say(
          "Checking that a person is signing up… " +
            (base + BATCH).toLocaleString() +
            " tries, " +
            seconds +
            " s (this usually takes a few seconds)."
        );
        await pause();
      }
    }
  }

  if (!window.crypto || !window.crypto.subtle || !window.TextEncoder) {
    say(
      "This browser cannot run the sign-up check here: it needs a secure (https://) " +
        "connection and a current browser."
    );
    return;
  }

  say("Checking that a person is signing up…");
  search().then(
    function (nonce) {
      input.value = String(nonce);
      solved = true;
      say("Check complete. You can sign up.");
      if (submitWanted) {
        if (form.requestSubmit) {
          form.requestSubmit();
        } else {
          form.submit();
        }
      }
    },
    function () {
      say("The sign-up check failed. Please reload the page and try again.");
    }
  );
})();
