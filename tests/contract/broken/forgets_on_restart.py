"""Broken on purpose: keeps acknowledged events only in memory (lost on restart).

Caught by verify's `restart`."""

from _naive import run

if __name__ == "__main__":
    run(process_delay=3.0)
