"""The kernel: events in, replies and queued messages out; what every capability uses."""
