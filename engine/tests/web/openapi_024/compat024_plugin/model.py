"""Plugin data objects"""
from dataclasses import dataclass

from hopeit.dataobjects import dataobject


@dataobject
@dataclass
class PluginInfo:
    """Info about the plugin"""
    app: str
    detail: bool
