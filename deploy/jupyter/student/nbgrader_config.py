"""nbgrader settings every student server on the hub reads (installed with the student config).

The course id and exchange folder are the same for everyone; instructors add their own settings
on top (see ../instructor/nbgrader_config.py). Environment variables let one file serve the
single-machine hub (TLJH), the test hub and the Kubernetes image.
"""

import os

c = get_config()  # noqa: F821 - provided by traitlets when nbgrader loads this file
c.CourseDirectory.course_id = os.environ.get("COURSE_ID", "productive-places")
c.Exchange.root = os.environ.get("NBGRADER_EXCHANGE_ROOT", "/srv/nbgrader/exchange")
