"""hopeit.dataframes: typed pandas dataframes as payloads through web and streams, stored as parquet.

This docstring is the plugin's user guide (the README has the long form).

Usage
-----
Declare dataframes and data objects that hold them::

    from hopeit.dataobjects import dataclass
    from hopeit.dataframes import DataFrames, dataframe, dataframeobject

    @dataframe
    @dataclass
    class Iris:
        sepal_length: float
        variety: int

    @dataframeobject
    @dataclass
    class InputData:
        iris: Iris

Turn the plugin on in the server config (``"plugins": ["dataframes"]``) or by adding its
``plugin-config.json`` to ``--config-files``, and list it in the app config
(``"plugins": [{"name": "dataframes", "version": "<api version>"}]``). Its SETUP event then lets
``@dataframe`` and ``@dataframeobject`` payloads travel through streams, SHUFFLE and web requests:
the frames are saved as parquet and only ``Dataset`` pointers travel.

Configuration
-------------
Settings ``dataset_serialization`` of the plugin: ``protocol`` (default
``hopeit.dataframes.serialization.files.DatasetFileStorage``), ``location`` (base folder),
``partition_dateformat`` (``%Y/%m/%d/%H/``), ``storage`` (backend of ``DatasetObjectStorage``,
default ``fs``) and ``storage_settings``.
"""

from hopeit.dataframes.api import DataFrames
from hopeit.dataframes.dataframe import dataframe
from hopeit.dataframes.dataframeobject import dataframeobject
from hopeit.dataframes.errors import DataFrameValidationError, DatasetNotFoundError
from hopeit.dataframes.serialization.dataset import Dataset
from hopeit.dataframes.version import __version__

__all__ = [
    "DataFrameValidationError",
    "DataFrames",
    "Dataset",
    "DatasetNotFoundError",
    "__version__",
    "dataframe",
    "dataframeobject",
]
