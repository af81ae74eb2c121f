"""Broken on purpose: neither deduplicates event ids nor remembers forwarded orders.

Caught by verify's `duplicate-delivery`."""

from _naive import run

if __name__ == "__main__":
    run(dedupe_events=False, dedupe_orders=False)
