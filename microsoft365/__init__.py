"""Microsoft 365 through Microsoft Graph, app-only: Teams meetings in the organiser's
calendar (meetings.py) and their attendance reports (attendance.py), over one small client
(graph.py). Set up in docs/microsoft365.md; nothing here runs unless
``config.graph_configured()``."""
