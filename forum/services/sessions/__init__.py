"""Live assembly sessions' use cases, one module a concern: schedule (and agenda), presence,
the floor (queue and timer), consensus checks, chat and minutes; `actions` is the table of client
actions that the page's forms and the socket events share."""
