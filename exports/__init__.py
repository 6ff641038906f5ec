"""The exports: one module per format (ical, json_doc, timelinejs), records in, text chunks out."""
