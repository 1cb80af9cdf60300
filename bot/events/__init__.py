"""Events and dated offers (issue 15): what is on this week.

- :mod:`.model` — :class:`Event`, as editors write it in ``<area>/events/<id>.yaml``;
- :mod:`.recurrence` — occurrences of an event (RRULE, EXDATE, RDATE) in a window,
  in the region's time zone, across daylight-saving changes (dateutil's rrule);
- :mod:`.select` — the events a municipality sees, and "this week";
- :mod:`.checks` — checks across files (category, scope, venue entry);
- :mod:`.ical` — iCalendar import (one YAML file per UID); :mod:`.folder` writes the
  files all at once; :mod:`.export` writes a feed;
- :mod:`.search` — "today", "weekend", "اليوم" and event titles in questions.
"""
