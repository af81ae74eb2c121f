"""Broken on purpose: gives up on the first 429, 5xx or network error.

Caught by verify's `poplar-5xx`."""

from _naive import run

if __name__ == "__main__":
    run(retry=False)
