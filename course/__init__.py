"""The course kit: otter-grader assignments made from the chapters, and a student edition of the site.

- :mod:`course.chapters` reads a chapter's exercises (``{exercise}`` blocks), their checkers and
  their reference solutions from the chapter notebook itself;
- :mod:`course.master` turns them into an otter-grader master notebook (one question per exercise);
- :mod:`course.assignments` executes the master and runs ``otter assign`` (``make assignments``), in
  practice mode (checkers travel with the notebook) or exam mode (no answers on the students' side);
- :mod:`course.answer_tests` is shipped with each assignment: its tests read answers through it;
- :mod:`course.grade` grades a submission in the autograder zip's own environment (``make grade``);
- :mod:`course.markdown` writes MyST as plain Markdown for notebooks that leave the book;
- :mod:`course.student_site` builds the book without its solutions (``make student-site``).

The course kit uses ``exercises`` and ``cells``; nothing in the book imports it.
"""
