"""hopeit.REPLACE-ME: <REPLACE ME: one-line description>.

This docstring is the plugin's user guide.

Usage
-----
<REPLACE ME: how a server or app config turns the plugin on.>

Configuration
-------------
<REPLACE ME: the settings keys, their defaults and what they change.>
"""

from hopeit.REPLACE_ME.version import __version__

__all__ = ["__version__"]
