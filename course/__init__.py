"""The course kit: otter-grader assignments made from the chapters, and a student edition of the site.

- :mod:`course.chapters` reads a chapter's exercises (``{exercise}`` blocks), their checkers and
  their reference solutions from the chapter notebook itself;
- :mod:`course.master` turns them into an otter-grader master notebook (one question per exercise);
- :mod:`course.assignments` executes the master and runs ``otter assign`` (``make assignments``);
- :mod:`course.student_site` builds the book without its solutions (``make student-site``).

The course kit uses ``exercises`` and ``cells``; nothing in the book imports it.
"""
