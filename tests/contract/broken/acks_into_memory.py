"""Broken on purpose: answers 202 and keeps the acknowledged event only in an in-memory queue,
so a crash loses it (SoPost never sends an acknowledged event again).

Caught by verify's `restart`."""

from _naive import run

if __name__ == "__main__":
    run()
