"""Privacy: `my data` and `forget me`."""
