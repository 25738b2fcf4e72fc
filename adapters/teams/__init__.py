"""Microsoft Teams: the Bot Framework endpoint, Adaptive Cards, and the Messenger on proactive messaging."""
