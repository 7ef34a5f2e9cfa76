#!/usr/bin/python3
"""Sphinx's data source in make bench: the corpus as an xmlpipe2 stream.

    sphinx_source.py PATH...

Every file not named .* under each PATH (a file or a folder, recursive,
sorted) is one document: the title (the first line when it is at most
300 characters and followed by a blank line, the rule of the other
peers) and the body (the rest) are full-text fields that are also stored
as string attributes (Sphinx 2.2 keeps no text otherwise, and the other
tools store theirs); the path is a string attribute.  Document ids count
from 1.  Characters XML cannot carry become spaces.
"""

import os
import re
import sys
from xml.sax.saxutils import escape

TITLE_MAX = 300
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def files_of(path):
    if os.path.isfile(path):
        yield os.path.abspath(path)
        return
    for root, dirs, files in os.walk(path):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if not name.startswith("."):
                yield os.path.abspath(os.path.join(root, name))


def main(argv):
    out = sys.stdout
    out.write('<?xml version="1.0" encoding="utf-8"?>\n<sphinx:docset>\n'
              '<sphinx:schema>\n'
              '<sphinx:field name="title" attr="string"/>\n'
              '<sphinx:field name="body" attr="string"/>\n'
              '<sphinx:attr name="path" type="string"/>\n'
              '</sphinx:schema>\n')
    n = 0
    for root in argv[1:]:
        for path in files_of(root):
            with open(path, "rb") as f:
                text = NOT_XML.sub(" ", f.read().decode("utf-8", "replace"))
            title, body = "", text
            nl = text.find("\n")
            if 0 < nl <= TITLE_MAX and text[nl + 1:nl + 2] == "\n":
                title, body = text[:nl], text[nl + 1:]
            n += 1
            out.write('<sphinx:document id="%d"><title>%s</title><body>%s</body>'
                      '<path>%s</path></sphinx:document>\n'
                      % (n, escape(title), escape(body), escape(path)))
    out.write("</sphinx:docset>\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
