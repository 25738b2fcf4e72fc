"""The clock: what is due when, and exactly-once delivery of it."""
