"""Broken on purpose: acknowledges events but drops them when its small queue is full.

Caught by verify's `burst`."""

from _naive import run

if __name__ == "__main__":
    run(queue_size=5, process_delay=0.05)
