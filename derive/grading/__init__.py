"""Grading a class under a rubric: scores with their reasons, feedback for each student, a class
report, the files Moodle and Canvas import, and a Gradescope autograder.

The stages: :mod:`.rubric` (the TOML file) → :mod:`.scoring` (points per line and part) →
:mod:`.feedback` and :mod:`.summary` (plain data for the templates) → :mod:`.lms` and
:mod:`.gradescope` (the systems' own formats); :mod:`.gradebook` runs ``derive grade`` over them,
writing every file atomically and resumably; :mod:`.reference` is derive's own derivation of the
exercise (its recognised form, and a correct next line for feedback).
"""
