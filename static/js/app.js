// Common Ground's only script: starts GOV.UK Frontend's components (including "Exit this
// page") and the idle-timeout warning. No inline scripts anywhere (Content-Security-Policy).
import { initAll } from "../build/govuk/govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();

function startIdleWarning(panel) {
  const idleSeconds = Number(panel.dataset.idleSeconds);
  const warnBefore = Math.min(120, Math.floor(idleSeconds / 4));
  const stayButton = panel.querySelector("[data-stay-signed-in]");
  const csrf = panel.dataset.csrfToken;
  let warnTimer;
  let expireTimer;
  const arm = () => {
    clearTimeout(warnTimer);
    clearTimeout(expireTimer);
    panel.hidden = true;
    warnTimer = setTimeout(() => {
      panel.hidden = false;
      stayButton.focus();
    }, (idleSeconds - warnBefore) * 1000);
    expireTimer = setTimeout(signOut, idleSeconds * 1000);
  };
  // At the limit the session is ended on the server too, so a screen left open shows nothing.
  const signOut = async () => {
    try {
      await fetch(panel.dataset.signOutUrl, {
        method: "POST",
        headers: { "X-CSRFToken": csrf },
        credentials: "same-origin",
      });
    } finally {
      window.location.assign(panel.dataset.signedOutUrl);
    }
  };
  stayButton.addEventListener("click", async () => {
    const response = await fetch(panel.dataset.keepAliveUrl, {
      method: "POST",
      headers: { "X-CSRFToken": csrf },
      credentials: "same-origin",
    });
    if (response.ok) arm();
  });
  arm();
}

const idlePanel = document.querySelector("[data-idle-warning]");
if (idlePanel) startIdleWarning(idlePanel);
