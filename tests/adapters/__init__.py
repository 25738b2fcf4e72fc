"""Tests of the adapters that are neither Slack nor Teams: metrics, logs."""
