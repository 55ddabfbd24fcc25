"""The data of the example: iris measures and varieties as typed dataframes, experiments, predictions."""

from datetime import datetime
from typing import List, Optional

from hopeit.dataframes import dataframe, dataframeobject
from hopeit.dataobjects import dataclass, dataobject, field


@dataframe
@dataclass
class Iris:
    """Iris flowers: four measures (cm) and the variety (0 setosa, 1 versicolor, 2 virginica)."""

    sepal_length: float = field(metadata={"source_field_name": "sepal length (cm)"})
    sepal_width: float = field(metadata={"source_field_name": "sepal width (cm)"})
    petal_length: float = field(metadata={"source_field_name": "petal length (cm)"})
    petal_width: float = field(metadata={"source_field_name": "petal width (cm)"})
    variety: int = field(metadata={"source_field_name": "target"})


@dataframe
@dataclass
class IrisFeatures:
    """The measures a model predicts from."""

    sepal_length: float
    sepal_width: float
    petal_length: float
    petal_width: float


@dataframe
@dataclass
class IrisLabels:
    """The variety: what a model predicts."""

    variety: int


@dataobject
@dataclass
class EvalMetrics:
    """How well a model predicts the test data."""

    accuracy_score: float


@dataframeobject
@dataclass
class InputData:
    """The data to train on."""

    iris: Iris


@dataframeobject
@dataclass
class Experiment:
    """A training run: its data, the split, where the model is and how good it is."""

    experiment_id: str
    experiment_dt: datetime
    input_data: Iris
    train_features: Optional[IrisFeatures] = None
    train_labels: Optional[IrisLabels] = None
    test_features: Optional[IrisFeatures] = None
    test_labels: Optional[IrisLabels] = None
    model_location: Optional[str] = None
    eval_metrics: Optional[EvalMetrics] = None


@dataobject(unsafe=True)
@dataclass
class IrisPredictionRequest:
    """The measures of one flower (one row of ``IrisFeatures``)."""

    prediction_id: str
    features: IrisFeatures


@dataobject(unsafe=True)
@dataclass
class IrisBatchPredictionRequest:
    """Flowers to predict."""

    items: List[IrisPredictionRequest]


@dataobject(unsafe=True)
@dataclass
class IrisPredictionResponse:
    """The predicted variety of one flower."""

    prediction_id: str
    prediction: IrisLabels


@dataobject(unsafe=True)
@dataclass
class IrisBatchPredictionResponse:
    """Predictions, in the order of the request."""

    items: List[IrisPredictionResponse]


@dataobject
@dataclass
class DataStorage:
    """Settings ``data_storage``."""

    ingest_data_path: str


@dataobject
@dataclass
class ModelStorage:
    """Settings ``model_storage``: the folder of the trained models."""

    path: str
