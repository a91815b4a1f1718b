// Export progress: polls the job's JSON status and updates the bar until the file is ready.
// Without JavaScript the page offers a "Check again" link instead.
const panel = document.querySelector("[data-export-progress]");

async function poll() {
  const response = await fetch(panel.dataset.statusUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" });
  if (!response.ok) return;
  const job = await response.json();
  const bar = panel.querySelector("progress");
  const status = panel.querySelector("[data-export-status]");
  bar.value = job.progress;
  bar.textContent = `${job.progress}%`;
  const running = job.status === "queued" || job.status === "running";
  status.textContent = job.description;
  if (job.download_url) {
    panel.querySelector("[data-export-download]").hidden = false;
    const reload = panel.querySelector("[data-export-reload]");
    if (reload) reload.hidden = true;
  }
  if (running) setTimeout(poll, 1500);
}

if (panel && panel.querySelector("[data-export-reload]")) setTimeout(poll, 1000);
