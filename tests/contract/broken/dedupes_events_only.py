"""Broken on purpose: deduplicates event ids but forwards every forwardable event of an order.

Caught by verify's `out-of-order`."""

from _naive import run

if __name__ == "__main__":
    run(dedupe_orders=False)
