"""Tables, engine and sessions, repositories and migrations. Imports nothing of ours."""
