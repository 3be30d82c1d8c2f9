// Sign-up proof of work, the browser half of social-core's `pow` module.
//
// The sign-up form carries a signed challenge:
//   <form data-pow-token="v1...." data-pow-bits="16"> ... <p id="pow-status"></p>
// This script looks for the smallest decimal counter `n` such that
// SHA-256(token + ":" + n) starts with `bits` zero bits, puts it in the hidden input
// `pow_nonce` (created if the form has none) and reports progress in #pow-status.
// If the person submits before the search is done, the form is sent as soon as it is.
// Without a proof (no JavaScript, no WebCrypto, a failed search) the form still goes, and
// the server puts the account in the approval queue instead of refusing it.
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

  // Without WebCrypto (a plain http:// page that is not localhost, an old browser) the form
  // is sent without a proof, as without JavaScript: the account waits for approval.
  if (!window.crypto || !window.crypto.subtle || !window.TextEncoder) {
    say(
      "This browser cannot run the sign-up check here, so a moderator will review your " +
        "account before you can log in."
    );
    return;
  }

  var done = false; // solved, or given up: the form may go
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

  function send() {
    if (form.requestSubmit) {
      form.requestSubmit();
    } else {
      form.submit();
    }
  }

  form.addEventListener("submit", function (event) {
    if (!done) {
      event.preventDefault();
      submitWanted = true;
      say("Still checking your browser… the form is sent as soon as this is done.");
    }
  });

  async function search() {
    var encoder = new TextEncoder();
    var prefix = token + ":";
    var start = Date.now();
    var slowSaid = false;
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
        // One update for a slow device, not a running count: the status line is announced
        // by screen readers (aria-live) at every change.
        if (!slowSaid && !submitWanted && Date.now() - start > 5000) {
          slowSaid = true;
          say("Still checking your browser… this takes longer on slower devices.");
        }
        await pause();
      }
    }
  }

  say("Checking your browser…");
  search().then(
    function (nonce) {
      input.value = String(nonce);
      done = true;
      say("Browser check complete. You can sign up.");
      if (submitWanted) {
        send();
      }
    },
    function () {
      // The form goes without a proof: the account waits for approval rather than never.
      done = true;
      say(
        "The browser check failed, so a moderator will review your account before you " +
          "can log in."
      );
      if (submitWanted) {
        send();
      }
    }
  );
})();
