"""Slack: the bolt app, Block Kit and modal rendering, and the Messenger on the Slack Web API."""
