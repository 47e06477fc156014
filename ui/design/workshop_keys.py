"""Previous and Next for the workshop view, by button, arrow key or presentation clicker.

A small Components v2 element of ours. The browser keeps its own count of where the group is
and sends the question number it wants, not "one more", so quick clicks are never lost: with
Streamlit's buttons two clicks 250 ms apart reach the app as one. Clickers send Page Up and
Page Down; the arrow keys work too, except while someone is typing in a box or a menu.
"""

from __future__ import annotations

import streamlit as st

from ui.design.live_text import sent_value

_HTML = """
<nav class="ws" aria-label="Move between questions">
  <button type="button" class="ws__button" data-step="-1">&#9664; Previous</button>
  <p class="ws__place" aria-live="polite"></p>
  <button type="button" class="ws__button" data-step="1">Next &#9654;</button>
</nav>
"""

_CSS = """
.ws { display: flex; align-items: center; justify-content: space-between; gap: 1rem; font-family: var(--st-font, sans-serif); }
.ws__place { font-size: 1.25rem; font-weight: 600; margin: 0; white-space: nowrap; color: var(--st-text-color, #31333f); }
.ws__button {
  font: inherit; font-size: 1.1rem; padding: 0.4rem 1rem; border-radius: 0.5rem; cursor: pointer; white-space: nowrap;
  border: 1px solid rgba(49, 51, 63, 0.4); background: var(--st-background-color, #fff); color: var(--st-text-color, #31333f);
}
.ws__button:focus-visible { outline: 3px solid var(--st-primary-color, #1c6dd0); outline-offset: 2px; }
.ws__button:disabled { opacity: 0.45; cursor: default; }
"""

_JS = r"""
export default function ({ parentElement, data, setStateValue }) {
  const place = parentElement.querySelector(".ws__place");
  const [prev, next] = parentElement.querySelectorAll(".ws__button");
  if (parentElement._gen !== data.gen) { parentElement._gen = data.gen; parentElement._index = data.index; }
  parentElement._count = data.count;
  const show = () => {
    const i = parentElement._index, n = parentElement._count;
    place.textContent = `${i + 1} of ${n}`;
    prev.disabled = i <= 0;
    next.disabled = i >= n - 1;
  };
  show();
  if (parentElement._attached) { return; }
  parentElement._attached = true;
  const go = (step) => {
    const i = Math.max(0, Math.min(parentElement._count - 1, parentElement._index + step));
    if (i === parentElement._index) { return; }
    parentElement._index = i;
    show();
    // Sent as JSON text: an object value does not reach the app in Streamlit 1.67.
    setStateValue("index", JSON.stringify({ index: i, gen: parentElement._gen }));
  };
  prev.addEventListener("click", () => go(-1));
  next.addEventListener("click", () => go(1));
  const onKey = (event) => {
    if (!parentElement.isConnected || event.altKey || event.ctrlKey || event.metaKey) { return; }
    const target = event.composedPath()[0];
    const tag = target && target.tagName;
    if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable)) { return; }
    if (event.key === "ArrowRight" || event.key === "PageDown") { event.preventDefault(); go(1); }
    if (event.key === "ArrowLeft" || event.key === "PageUp") { event.preventDefault(); go(-1); }
  };
  if (window.__pssWorkshopKeys) { document.removeEventListener("keydown", window.__pssWorkshopKeys); }
  window.__pssWorkshopKeys = onKey;
  document.addEventListener("keydown", onKey);
}
"""

_component = st.components.v2.component("pss_workshop_keys", html=_HTML, css=_CSS, js=_JS, isolate_styles=True)


def set_workshop_place(key: str, index: int) -> None:
    """Move the workshop to question INDEX (0 is the first) from the app, e.g. the jump menu."""
    st.session_state[key] = index
    st.session_state[f"{key}__gen"] = st.session_state.get(f"{key}__gen", 0) + 1


def workshop_keys(*, key: str, count: int) -> int:
    """Draw Previous, the place and Next; return the question index the group is on."""
    st.session_state.setdefault(key, 0)
    st.session_state.setdefault(f"{key}__gen", 0)
    st.session_state[key] = max(0, min(count - 1, st.session_state[key]))
    component_key = f"_keys_{key}"

    def take_place() -> None:
        payload = sent_value(component_key, "index", st.session_state.get(f"{key}__gen"))
        if payload is not None:
            st.session_state[key] = max(0, min(count - 1, int(payload.get("index", 0))))

    _component(data={"index": st.session_state[key], "count": count, "gen": st.session_state[f"{key}__gen"]},
               default={"index": ""}, key=component_key, on_index_change=take_place)
    return st.session_state[key]


__all__ = ["set_workshop_place", "workshop_keys"]
