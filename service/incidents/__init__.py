"""One incident: create-or-update, read, PATCH, history; the Incident document."""
