#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Parse the series' reST documentation with docutils; any warning fails.

Sphinx's own directives (toctree) are accepted and ignored. Prints
"ok FILE" or "FAIL FILE: message" per file; exits 1 if any failed.
"""
import io
import sys

import docutils.core
from docutils.parsers.rst import Directive, directives


class Ignored(Directive):
    has_content = True
    optional_arguments = 99
    final_argument_whitespace = True
    option_spec = {"maxdepth": directives.unchanged, "caption": directives.unchanged}

    def run(self):
        return []


directives.register_directive("toctree", Ignored)
failed = 0
for path in sys.argv[1:]:
    err = io.StringIO()
    with open(path, encoding="utf-8") as f:
        docutils.core.publish_doctree(
            f.read(), source_path=path,
            settings_overrides={"report_level": 2, "halt_level": 5,
                                "warning_stream": err})
    if err.getvalue():
        failed += 1
        print("FAIL %s: %s" % (path, err.getvalue().strip().replace("\n", " | ")))
    else:
        print("ok %s" % path)
sys.exit(1 if failed else 0)
