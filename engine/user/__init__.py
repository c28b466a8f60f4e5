"""The user's own code: references such as `net.py:build` and their loading (`code`), and the
starter files of `tunedeck init` (`starter`)."""
