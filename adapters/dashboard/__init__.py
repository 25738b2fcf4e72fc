"""The admin dashboard at /admin (docs/dashboard.md): sign in with Slack or Microsoft, server-rendered pages,
actions through the same core commands the chat uses. An adapter: the core never imports it."""
