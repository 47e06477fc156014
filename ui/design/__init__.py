"""The Design page, one module per part, so each is easy to find.

pages/1_Design.py is the frame: who is signed in, which version and part, which question. It
then calls the part's `show(design)`:

- questions.py: the list of questions with their checks, "Look at these again", add, move, delete
- edit.py: the wording with live checks, and the question's details
- proposals.py: propose another wording, compare, comment, react, decide
- languages.py: the version's languages, and the chosen question's words in each (credited)
- versions.py: publish, and how a question's wording changed
- contributions.py: who did what, and the download of it
- workshop.py: one question at a time, large, for a projector
- glossary.py: the group's own word list
- script.py: the interviewer script

Shared pieces: context.py (the page's state and how actions run), flags.py (flags with plain
names, dismiss and bring back), evidence.py (how a question did in interviews), conflict.py
(both texts side by side when someone else saved first), live_text.py and workshop_keys.py
(two small components of our own).
"""
