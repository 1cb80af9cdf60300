"""Read the content directory into a validated :class:`~bot.content.store.Content`.

Every problem is reported as a :class:`Problem` (``file:line: message``) written
for content editors: what is wrong, where, and how to fix it. Loading never
raises anything but :class:`ContentInvalid` for bad content, whatever the files
hold (syntax errors, tabs, binary data, huge or deeply nested files, links out of
the folder, pipes or devices).

The messages are the editors' only guide, so they name the key and the value,
point at the line of the offending key or value, and end with what to write
instead (``— write …``). ``content/README.md`` (section 9) shows editors a few.

Modules, one concern each:

- :mod:`.problems` — :class:`Problem`, :class:`ContentInvalid`, the collector;
- :mod:`.files` — safe reading: regular files inside the folder, size cap;
- :mod:`.yaml_syntax` — the YAML parser's settings and syntax-error hints;
- :mod:`.lines` — a data path (pydantic error location) to a line of the file;
- :mod:`.messages` — pydantic errors as messages for editors;
- :mod:`.documents` — one file read, parsed and validated;
- :mod:`.folders` — which files are read; unread YAML files reported;
- :mod:`.checks` — checks across files;
- :mod:`.loader` — :func:`load_content` and the caching :class:`ContentLoader`.
"""

from bot.content.load.files import MAX_FILE_BYTES
from bot.content.load.loader import ContentLoader, load_content
from bot.content.load.problems import ContentInvalid, Problem

__all__ = ["MAX_FILE_BYTES", "ContentInvalid", "ContentLoader", "Problem", "load_content"]
