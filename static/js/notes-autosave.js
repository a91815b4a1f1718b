// Saves the notes form to the server a few seconds after typing stops (never to browser
// storage). The form still works without JavaScript: its Save button posts it.
// The server answers 409 when someone saved a newer version; then autosave stops and the
// person uses Save, which shows both texts so that neither is lost.
const DELAY_MS = 3000;

function start(form) {
  const status = form.querySelector("[data-autosave-status]");
  let timer;
  let saving = false;
  let pending = false;
  let stopped = false;

  const say = (text) => {
    if (status) status.textContent = text;
  };

  const save = async () => {
    if (stopped) return;
    if (saving) {
      pending = true;
      return;
    }
    saving = true;
    try {
      const response = await fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        headers: { "X-Requested-With": "fetch" },
        credentials: "same-origin",
      });
      const answer = await response.json().catch(() => ({}));
      if (response.ok && answer.ok) {
        document.querySelectorAll('input[name="version"]').forEach((input) => {
          input.value = answer.version;
        });
        const findings = answer.findings ? ` ${answer.findings} possible piece(s) of personal information: save to see them.` : "";
        say(`Saved at ${answer.saved_at}.${findings}`);
      } else if (response.status === 409) {
        stopped = true;
        say("These notes were changed elsewhere. Select Save to see both versions; nothing is lost.");
      } else {
        say((answer.errors && answer.errors.join(" ")) || "Not saved. Select Save to try again.");
      }
    } catch {
      say("Not saved: no connection. Select Save when you are back online.");
    } finally {
      saving = false;
      if (pending && !stopped && waitingSubmitter === null) {
        pending = false;
        save();
      }
      submitWhenSaved();
    }
  };

  form.addEventListener("input", () => {
    clearTimeout(timer);
    say("Not saved yet…");
    timer = setTimeout(save, DELAY_MS);
  });
  // Save or "Submit for review" posts the whole form, typed text included. If an autosave is
  // on its way, wait for it: the form must carry the version that save produces, or the
  // server would see a conflict.
  let waitingSubmitter = null;
  form.addEventListener("submit", (event) => {
    clearTimeout(timer);
    if (saving) {
      event.preventDefault();
      waitingSubmitter = event.submitter || null;
      say("Saving…");
    }
  });
  const submitWhenSaved = () => {
    if (waitingSubmitter === null || saving || stopped) return;
    const submitter = waitingSubmitter;
    waitingSubmitter = null;
    form.requestSubmit(submitter);
  };
}

document.querySelectorAll("form[data-autosave]").forEach(start);
