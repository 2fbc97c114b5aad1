// ALTCHA (MIT, vendored from the npm package "altcha" 3.2.2, external build: no inline styles
// or workers, so it runs under our strict Content-Security-Policy). This file registers the
// SHA-256 worker and our translated strings, then puts the widget into each placeholder.
import "/static/altcha.min.js";

const altcha = globalThis.$altcha;
altcha.algorithms.set("SHA-256", () => new Worker("/static/altcha-sha-worker.js"));

for (const slot of document.querySelectorAll(".altcha-slot")) {
  const language = slot.dataset.language || "en";
  altcha.i18n.set(language, JSON.parse(slot.dataset.strings));
  const widget = document.createElement("altcha-widget");
  widget.setAttribute("challenge", slot.dataset.challenge);
  widget.setAttribute("name", "altcha");
  widget.setAttribute("language", language);
  widget.setAttribute("auto", "onload");
  widget.setAttribute("configuration", JSON.stringify({ hideFooter: true, hideLogo: true }));
  slot.appendChild(widget);
}
