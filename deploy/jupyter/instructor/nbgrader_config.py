"""nbgrader settings for instructors: where the course (the repository checkout) lives.

Read after ../student/nbgrader_config.py, so the course id and exchange are shared. The
instructor's checkout of this repository holds the sources in lessons/ and its own
nbgrader_config.py; point COURSE_ROOT at it if it is not ~/productive-places.
"""

import os

c = get_config()  # noqa: F821 - provided by traitlets when nbgrader loads this file
c.CourseDirectory.root = os.environ.get("COURSE_ROOT", os.path.expanduser("~/productive-places"))
