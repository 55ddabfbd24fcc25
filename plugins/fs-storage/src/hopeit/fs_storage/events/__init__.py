"""Event modules of the fs-storage plugin: the stream batch storage event and the ``fs-storage`` plugin app's events."""
