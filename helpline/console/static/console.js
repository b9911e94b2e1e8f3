// The console works without JavaScript. With it, GOV.UK Frontend's components start, and
// Today's live part (callers waiting, callbacks due) refreshes every 20 seconds.
import { initAll } from "./govuk/govuk-frontend.min.js";

initAll();

const live = document.querySelector("[data-console-live]");
if (live) {
  setInterval(async () => {
    if (document.hidden || live.contains(document.activeElement)) return;
    try {
      const answer = await fetch(window.location.href, { credentials: "same-origin" });
      if (!answer.ok) return;
      const fresh = new DOMParser()
        .parseFromString(await answer.text(), "text/html")
        .querySelector("[data-console-live]");
      if (fresh) live.replaceChildren(...fresh.childNodes);
    } catch {
      // Offline for a moment: the next refresh tries again.
    }
  }, 20000);
}
