"""POST train-model: an experiment through SHUFFLE stages, each joined to the next by a stream.

prepare_experiment | prepare_datasets | train_model | evaluate_model | save_experiment. Between the
stages only Dataset pointers travel: each stage gets the experiment's dataframes loaded back.
"""

import uuid
from datetime import datetime, timezone
from typing import Any

from hopeit.app.api import event_api
from hopeit.app.context import EventContext, PostprocessHook
from hopeit.app.events import SHUFFLE
from hopeit.dataframes import DataFrames
from sklearn.metrics import accuracy_score
from sklearn.model_selection import train_test_split
from sklearn.tree import DecisionTreeClassifier

from dataframes_example.iris import EvalMetrics, Experiment, InputData, IrisFeatures, IrisLabels
from dataframes_example.storage import experiments, load_model, save_model

__steps__ = ["prepare_experiment", SHUFFLE, "prepare_datasets", SHUFFLE, "train_model", SHUFFLE,
             "evaluate_model", SHUFFLE, "save_experiment"]

__api__ = event_api(
    summary="dataframes-example: train model",
    payload=(InputData, "the iris data: Dataset pointers from prepare-data, or a list of rows"),
    responses={200: (Experiment, "the experiment started (its id: read it later with experiment)")},
)


def prepare_experiment(payload: InputData, context: EventContext) -> Experiment:
    """A new experiment on the input data."""
    return Experiment(experiment_id=str(uuid.uuid4()), experiment_dt=datetime.now(tz=timezone.utc),
                      input_data=payload.iris)


def prepare_datasets(experiment: Experiment, context: EventContext) -> Experiment:
    """Features and labels, split 80/20 into train and test data."""
    features = DataFrames.from_dataframe(IrisFeatures, experiment.input_data)
    labels = DataFrames.from_dataframe(IrisLabels, experiment.input_data)
    train_x, test_x, train_y, test_y = train_test_split(
        DataFrames.df(features), DataFrames.df(labels), test_size=0.2, random_state=42
    )
    experiment.train_features = DataFrames.from_df(IrisFeatures, train_x)
    experiment.train_labels = DataFrames.from_df(IrisLabels, train_y)
    experiment.test_features = DataFrames.from_df(IrisFeatures, test_x)
    experiment.test_labels = DataFrames.from_df(IrisLabels, test_y)
    return experiment


def train_model(experiment: Experiment, context: EventContext) -> Experiment:
    """Fit a decision tree on the train data and save it."""
    assert experiment.train_features is not None and experiment.train_labels is not None
    model = DecisionTreeClassifier(random_state=42)
    model.fit(DataFrames.df(experiment.train_features), experiment.train_labels.variety)
    experiment.model_location = save_model(model, context, experiment.experiment_id)
    return experiment


def evaluate_model(experiment: Experiment, context: EventContext) -> Experiment:
    """Accuracy of the saved model on the test data."""
    assert experiment.test_features is not None and experiment.test_labels is not None
    model = load_model(context, experiment.experiment_id)
    assert model is not None, f"model of {experiment.experiment_id} not found"
    predicted = model.predict(DataFrames.df(experiment.test_features))
    experiment.eval_metrics = EvalMetrics(accuracy_score=float(accuracy_score(experiment.test_labels.variety,
                                                                              predicted)))
    return experiment


async def save_experiment(experiment: Experiment, context: EventContext) -> Experiment:
    """Save the experiment: its dataframes as datasets, the rest as JSON."""
    await experiments(context).store(experiment.experiment_id, await DataFrames.serialize(experiment))
    return experiment


async def __postprocess__(experiment: Experiment, context: EventContext, response: PostprocessHook) -> Any:
    return await DataFrames.serialize(experiment)
