// Passkey ceremonies for the pages of goodstanding.mfa: fetch options, ask the browser, send back.
(function () {
  "use strict";
  var button = document.getElementById("passkey-button");
  if (!button || !window.PublicKeyCredential) { return; }
  var errorBox = document.getElementById("passkey-error");
  var flows = {
    "register": { options: "/api/v1/mfa/passkeys/registration/options",
                  verify: "/api/v1/mfa/passkeys/registration/verify", create: true },
    "second-step": { options: "/api/v1/mfa/second-step/passkey/options",
                     verify: "/api/v1/mfa/second-step/passkey/verify", create: false },
    "sign-in": { options: "/api/v1/mfa/passkeys/sign-in/options",
                 verify: "/api/v1/mfa/passkeys/sign-in/verify", create: false }
  };
  var flow = flows[button.dataset.passkey];

  function post(url, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": button.dataset.csrf },
      body: JSON.stringify(body || {})
    }).then(function (response) {
      if (!response.ok) { throw new Error("HTTP " + response.status); }
      return response.json();
    });
  }

  function extras() {
    var label = document.getElementById("passkey-label");
    var trust = document.getElementById("passkey-trust");
    return { label: label ? label.value : null, trust: trust ? trust.checked : false };
  }

  button.addEventListener("click", function () {
    errorBox.hidden = true;
    button.disabled = true;
    post(flow.options).then(function (options) {
      if (flow.create) {
        return navigator.credentials.create({
          publicKey: PublicKeyCredential.parseCreationOptionsFromJSON(options) });
      }
      return navigator.credentials.get({
        publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(options) });
    }).then(function (credential) {
      var body = extras();
      body.credential = credential.toJSON();
      return post(flow.verify, body);
    }).then(function (answer) {
      window.location.assign(answer.next);
    }).catch(function () {
      errorBox.hidden = false;
      button.disabled = false;
    });
  });
}());
