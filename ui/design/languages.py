"""Languages: the version's languages, and the chosen question's words in each of them.

A translation made here is credited to whoever saved it (Contributions counts it), and changed
words keep the old ones in the history below, as a changed main wording does.
Session-state keys: design_lang (the language worked on), design_lang_new (a language to add),
design_lang_wording, design_lang_help, design_lang_option_<n>, design_lang_reason.
"""

from __future__ import annotations

import streamlit as st

from surveys import languages
from surveys.storage import languages as language_store
from ui.design.context import Design, esc, run, show_error

FIELDS = ("design_lang_wording", "design_lang_help", "design_lang_reason")


def show(design: Design, question: dict | None) -> None:
    version_id = design.version["id"]
    found = languages.version_languages(design.db, version_id)
    names = ", ".join(lang["name"] + (" (the main one)" if lang["is_main"] else "") for lang in found)
    st.write(f"This version is in: {names}.")
    st.caption(languages.checked_languages_note(design.db, version_id))
    gaps = languages.untranslated(design.db, version_id)
    for line in languages.untranslated_sentences(gaps, found[0]["name"]):
        st.warning(esc(line))
    if design.is_draft:
        with st.expander("Add a language", expanded=len(found) == 1):
            show_error("language_add")
            st.text_input("Name of the language", key="design_lang_new", placeholder="For example: Welsh")
            st.button("Add the language", key="design_lang_add", on_click=run, args=(
                "language_add", lambda db: languages.add_language(
                    db, version_id, st.session_state.get("design_lang_new") or "", design.actor)),
                kwargs={"success": "The language is added. Its words can be typed in below.",
                        "clear": ("design_lang_new",)})
    others = [lang for lang in found if not lang["is_main"]]
    if question is None or not others:
        return
    st.header("The chosen question in another language")
    choices = {lang["language"]: lang["name"] for lang in others}
    if st.session_state.get("design_lang") not in choices:
        st.session_state["design_lang"] = next(iter(choices))
    language = st.radio("Language", list(choices), format_func=choices.get, key="design_lang", horizontal=True)
    current = language_store.get_translation(design.db, question["id"], language) or {}
    # The boxes start from the saved words whenever another question or language is chosen.
    place = (question["id"], language, current.get("updated_at"))
    if st.session_state.get("design_lang_for") != place:
        st.session_state["design_lang_for"] = place
        st.session_state["design_lang_wording"] = current.get("wording", "")
        st.session_state["design_lang_help"] = current.get("help_text", "")
        for n, option in enumerate(question["options"]):
            st.session_state[f"design_lang_option_{n}"] = (current.get("options") or {}).get(option, "")
    st.markdown(f"**In {esc(found[0]['name'])}:** {esc(question['wording'])}")
    st.text_area(f"The question in {choices[language]}", key="design_lang_wording")
    if question["help_text"]:
        st.caption(f"Help text in {found[0]['name']}: {question['help_text']}")
    st.text_area(f"Help text in {choices[language]}", key="design_lang_help")
    for n, option in enumerate(question["options"]):
        st.text_input(f"Answer “{option}” in {choices[language]}", key=f"design_lang_option_{n}")
    st.text_input("Why the change (if you are changing words already there)", key="design_lang_reason")
    show_error("language_save")
    if design.is_draft:
        st.button("Save these words", key="design_lang_save", type="primary", on_click=run, args=(
            "language_save", lambda db: languages.save_translation(
                db, question["id"], language, actor=design.actor,
                wording=st.session_state.get("design_lang_wording") or "",
                help_text=st.session_state.get("design_lang_help") or "",
                options={o: st.session_state.get(f"design_lang_option_{n}") or ""
                         for n, o in enumerate(question["options"])},
                reason=st.session_state.get("design_lang_reason") or "")),
            kwargs={"success": f"The {choices[language]} words are saved and credited to you.",
                    "clear": ("design_lang_reason", "design_lang_for")})
    history = languages.translation_history(design.db, question["lineage_id"], language)
    if history:
        st.subheader("Earlier words")
        for entry in reversed(history):
            who = entry["name"] or "The form file"
            st.text(f"{entry['wording']}\n    {who}. {entry['reason']}")
