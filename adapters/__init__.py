"""The edges: Slack, Teams and local platforms, the HTTP server, the CLI and the composition root."""
