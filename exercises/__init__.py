"""Checkers for the book's exercises, one module per chapter.

In a chapter notebook, an exercise cell ends with a call such as::

    from exercises.lstm import check_param_count
    check_param_count(your_answer)

The checker prints feedback about what is right or wrong in the answer (never the answer itself) and
returns True or False. Reference answers come from ``cells``, so they are the book's own maths.
"""
