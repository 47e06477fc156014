"""A text box that sends its words to the app while people type: a small Streamlit component of our own.

Streamlit's own text area only sends its words when the box loses focus or on Ctrl+Enter, so
the checks beside it lag behind. streamlit-keyup (the well-kept package for this) was tried:
it works offline with Streamlit 1.67, but it is a one-line <input> (no room for a long question
and its line breaks), its label is not tied to the box (screen readers announce nothing, and
our axe-core test fails), and the app cannot put words into it after it is drawn (our "Use this
suggestion" and "Take theirs" buttons need to). So this is a small Components v2 element of
ours: inline HTML, CSS and JavaScript, nothing to download or build.

What it does:
- sends the words 100 ms after the last key (and at once when the box loses focus);
- takes new words from the app only when the app says so (set_live_text), never while someone
  is typing, by counting each push (a "generation"): words typed before a push are ignored;
- asks the browser to warn before the page is closed while the box holds unsaved words.

In AppTest the element shows as an unknown element; tests set st.session_state[KEY] instead.
"""

from __future__ import annotations


import json

import streamlit as st

DEBOUNCE_MS = 100

_HTML = """
<div class="live">
  <label class="live__label" for="live-box"></label>
  <textarea class="live__box" id="live-box" spellcheck="true"></textarea>
  <p class="live__help" id="live-help"></p>
</div>
"""

_CSS = """
.live { display: flex; flex-direction: column; gap: 0.25rem; font-family: var(--st-font, sans-serif); }
.live__label { font-size: 0.875rem; color: var(--st-text-color, #31333f); }
.live__box {
  font: inherit; font-size: 1rem; line-height: 1.5; padding: 0.5rem 0.75rem; resize: vertical;
  color: var(--st-text-color, #31333f); background: var(--st-secondary-background-color, #f0f2f6);
  border: 1px solid rgba(49, 51, 63, 0.35); border-radius: 0.5rem; min-height: 4.5rem; width: 100%;
  box-sizing: border-box;
}
.live__box:focus { outline: 3px solid var(--st-primary-color, #1c6dd0); outline-offset: 1px; }
.live__box:disabled { opacity: 0.6; cursor: not-allowed; }
.live__help { font-size: 0.875rem; color: var(--st-text-color, #31333f); opacity: 0.8; margin: 0; }
.live__help:empty { display: none; }
"""

_JS = r"""
export default function ({ parentElement, data, setStateValue }) {
  const box = parentElement.querySelector(".live__box");
  const label = parentElement.querySelector(".live__label");
  const help = parentElement.querySelector(".live__help");
  label.textContent = data.label || "";
  help.textContent = data.help || "";
  if (data.help) { box.setAttribute("aria-describedby", "live-help"); } else { box.removeAttribute("aria-describedby"); }
  box.disabled = !!data.disabled;
  box.rows = data.rows || 3;
  box.dataset.testid = "live-text";
  parentElement._debounce = data.debounce || 100;
  parentElement._saved = data.saved;
  // The app puts new words in the box only when it counts a new push.
  if (parentElement._gen !== data.gen) {
    parentElement._gen = data.gen;
    box.value = data.value || "";
    parentElement._sent = box.value;
  }
  if (parentElement._attached) { return; }
  parentElement._attached = true;
  let timer = null;
  const send = () => {
    clearTimeout(timer);
    if (box.value === parentElement._sent) { return; }
    parentElement._sent = box.value;
    // Sent as JSON text: an object value does not reach the app in Streamlit 1.67.
    setStateValue("value", JSON.stringify({ text: box.value, gen: parentElement._gen }));
  };
  box.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(send, parentElement._debounce);
  });
  box.addEventListener("blur", send);
  window.addEventListener("beforeunload", (event) => {
    const saved = parentElement._saved;
    if (box.isConnected && saved !== null && saved !== undefined && box.value !== saved) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
}
"""

_component = st.components.v2.component("pss_live_text", html=_HTML, css=_CSS, js=_JS, isolate_styles=True)


def _generation_key(key: str) -> str:
    return f"{key}__gen"


def sent_value(component_key: str, name: str, generation: int | None) -> dict | None:
    """Return what a component of ours sent as NAME (JSON text: an object value does not reach the
    app in Streamlit 1.67), or None when it is missing or belongs to an older GENERATION."""
    state = st.session_state.get(component_key) or {}
    try:
        payload = json.loads(state.get(name) or "null") if isinstance(state, dict) else None
    except ValueError:
        return None
    if isinstance(payload, dict) and payload.get("gen") == generation:
        return payload
    return None


def set_live_text(key: str, text: str) -> None:
    """Put TEXT in the live box KEY (and in st.session_state[KEY]), replacing what it shows."""
    st.session_state[key] = text
    st.session_state[_generation_key(key)] = st.session_state.get(_generation_key(key), 0) + 1


def live_text_area(label: str, *, key: str, rows: int = 3, help: str = "", disabled: bool = False,
                   saved: str | None = None, debounce_ms: int = DEBOUNCE_MS) -> str:
    """Draw the live text box and return its words (also in st.session_state[KEY]).

    SAVED is the saved text, so the browser can warn before unsaved words are lost.
    """
    st.session_state.setdefault(key, "")
    st.session_state.setdefault(_generation_key(key), 0)
    component_key = f"_live_{key}"

    def take_typed_words() -> None:
        # Words typed before the app's last push belong to the old text: sent_value drops them.
        payload = sent_value(component_key, "value", st.session_state.get(_generation_key(key)))
        if payload is not None:
            st.session_state[key] = str(payload.get("text", ""))

    _component(
        data={"label": label, "help": help, "rows": rows, "disabled": disabled, "debounce": debounce_ms,
              "value": st.session_state[key], "gen": st.session_state[_generation_key(key)], "saved": saved},
        default={"value": ""},
        key=component_key,
        on_value_change=take_typed_words,
    )
    return st.session_state[key]


__all__ = ["DEBOUNCE_MS", "live_text_area", "sent_value", "set_live_text"]
