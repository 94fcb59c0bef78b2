"""Checkers for the book's exercises, one module per chapter, all following one protocol.

In a chapter notebook, an exercise cell ends with a call such as::

    from exercises.lstm import check_param_count_torch
    check_param_count_torch(...)  # the reader replaces ... with an answer

Every ``check_<name>(answer)``, in every chapter:

- prints feedback that starts with "Correct." or "Not yet." and returns True or False;
- answers the placeholder ``...`` (or None, or a template still holding ``...`` such as
  ``{"i": ..., "f": ..., "o": ...}``) with "Replace ... with your answer, then run the cell again."
  and returns False;
- answers a malformed answer (a string for a number, NaN, a bool, a list where a number belongs, a
  function that raises or returns junk) with a sentence saying what it expected and what it got,
  and returns False: it never raises at the reader;
- never prints the solution. Reference answers come from ``cells``, so they are the book's own maths.

The protocol lives in :mod:`exercises.feedback` (``checker``, ``right``, ``wrong``, the ``as_...``
readers and ``call_reader``); a new checker module uses it and lists its checkers in ``__all__``,
which is how the tests find every checker and run it with junk answers.
"""
