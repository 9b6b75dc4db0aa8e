"""The part of grading that runs inside the student's kernel: ``_extract`` records a test cell's
answers as JSON, with ``_codec``'s encoder (the checker decodes them with the same module).

It imports nothing else from ``course.grading`` (tests/test_grading_layout.py checks this): the
kernel runs the student's code, so it loads no grader, and the recording line the grader adds to
each test cell stays cheap.
"""
