"""Timeline: an event-sourced record of diplomatic developments."""
