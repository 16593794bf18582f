"""What ipywidgets cannot say by itself: the log is a live region that follows the newest message, Escape stops.

A small script, shown once in the chat (an Output widget's HTML, which JupyterLab and Voila run), gives every chat
log `role="log"` and `aria-live="polite"`, scrolls the log to each new message (unless you scrolled up to read),
makes the panel headers keyboard buttons, labels the context bar, and lets Escape press Stop.
"""

from __future__ import annotations

import ipywidgets as widgets  # type: ignore[import-untyped]

SCRIPT = """<script>
(() => {
  if (window.ckChatAccess) { window.ckChatAccess(document); return; }
  const fix = (root) => {
    root.querySelectorAll(".ck-log").forEach((log) => {
      if (log.getAttribute("role") === "log") return;
      log.setAttribute("role", "log"); log.setAttribute("aria-live", "polite");
      log.setAttribute("aria-label", "Chat messages"); log.tabIndex = 0; log.dataset.follow = "yes";
      log.addEventListener("scroll", () => {
        log.dataset.follow = log.scrollHeight - log.scrollTop - log.clientHeight < 48 ? "yes" : "no";
      });
    });
    root.querySelectorAll(".ck-chat .jupyter-widget-Collapse-header, .ck-chat .p-Collapse-header").forEach((head) => {
      if (head.getAttribute("role") === "button") return;
      head.setAttribute("role", "button"); head.tabIndex = 0;
      head.addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); head.click(); } });
    });
    root.querySelectorAll(".ck-chat .progress").forEach((bar) => {
      if (!bar.getAttribute("aria-label")) { bar.setAttribute("role", "img"); bar.setAttribute("aria-label", "How full the context window is"); }
    });
  };
  const follow = (mutations) => {
    fix(document);
    const logs = new Set();
    for (const m of mutations) {
      const log = m.target.closest ? m.target.closest(".ck-log") : null;
      if (!log) continue;
      const added = [...m.addedNodes].some((n) => n.classList && n.classList.contains("ck-bubble"));
      if (added) log.dataset.follow = "yes";
      logs.add(log);
    }
    logs.forEach((log) => { if (log.dataset.follow !== "no") log.scrollTop = log.scrollHeight; });
  };
  new MutationObserver(follow).observe(document.body, {childList: true, subtree: true, characterData: true});
  document.addEventListener("keydown", (e) => {
    if (e.key !== "Escape" || !e.target.closest) return;
    const chat = e.target.closest(".ck-chat");
    const stop = chat && [...chat.querySelectorAll("button")].find((b) => b.textContent.trim() === "Stop");
    if (stop && !stop.disabled) { e.preventDefault(); stop.click(); }
  }, true);  // the capture phase: a text box stops its keys from bubbling up
  window.ckChatAccess = fix;
  fix(document);
})();
</script>"""


def access_script() -> widgets.Output:
    """An Output widget holding the script (its outputs are trusted, so JupyterLab and Voila run it)."""
    holder = widgets.Output(layout=widgets.Layout(display="none"))
    holder.outputs = ({"output_type": "display_data", "data": {"text/html": SCRIPT, "text/plain": ""}, "metadata": {}},)
    return holder
