"""Broken on purpose: loses orders whose names are not ASCII.

Caught by verify's `generated-orders`."""

from _naive import run

if __name__ == "__main__":
    run(ascii_only=True)
