"""Local platform: records what it is asked to send and renders it as readable text."""
