"""Broken on purpose: forwards on any event without checking the order's status.

Caught by verify's `pending`."""

from _naive import run

if __name__ == "__main__":
    run(check_status=False)
