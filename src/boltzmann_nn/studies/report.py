"""``boltzmann-nn report``: every table and figure of ``reports/`` from the dataset, the
shipped models and the refinement study, in one command.

* ``dataset/``: statistics, drop reasons, test-set composition; Fig. 1.
* ``eos/``: cross-validation of every EOS variant (Fig. 3, table); the shipped model on the
  test set with the baselines on the same samples (Fig. 4, ``eos_assessment.json``).
* ``inverse/``: cross-validation (Fig. 6, table); the shipped model on the test set
  (Fig. 8, 9, ``inverse_assessment.json``).
* ``named/``: both networks against P0, Boltzmann and HNC inversion on named fluids
  simulated independently (``studies/named_fluids.py``).
* ``refine/``: refinement from each start with each method (Fig. 10) and the chain
  g → U → P (Fig. 11).

``quick`` (minutes) leaves out the cross-validation and all MD: the shipped models are
assessed, and the named-fluid and refinement tables are rendered from the states simulated
so far.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import InputError
from ..io.atomic import atomic_write_json
from ..paths import DEFAULT_DATA, DEFAULT_STORES


def _shipped_assessments(ds, out: Path, log) -> dict:
    from ..ml.pipeline import workflow
    from ..ml.serving.zoo import load_model
    from ..ml.tasks.registry import get_task, task_names

    figures = {}
    for name in task_names():
        task = get_task(name)
        shipped = load_model(name, task=name, torch=True)
        metrics, figs, extra = workflow.assess(task, ds, shipped.members, shipped.config, out / name, name,
                                               shipped.spread_scale)
        md = metrics.pop("test_evaluation_md")
        atomic_write_json(out / name / f"{name}_assessment.json",
                          {"model": shipped.card.name, "data": str(ds.path), "metrics": metrics, **figs,
                           **extra}, indent=1)
        (out / name / f"{name}_assessment.md").write_text(_assessment_header(shipped, ds) + md)
        paths = [figs["figure"]] if "figure" in figs else list(figs["figures"])
        key = task.keys[0]
        log(f"{task.label} network on {ds.path}: test {key} {metrics['test'][key]:.3f}; {', '.join(paths)}")
        figures[name] = paths
    return figures


def _assessment_header(shipped, ds) -> str:
    return (f"# Shipped model `{shipped.card.name}` on the test set of `{ds.path}`\n\n"
            f"Options {shipped.config.options}, {shipped.card.members} members. "
            "Intervals: 95 %, bootstrap over potentials (all runs of a potential resampled together); "
            "baselines on the same samples.\n\n")


#: The refinement study's test states come from the dataset the shipped inverse model was
#: trained on (its held-out potentials), whatever dataset the models are assessed on.
REFINE_DATA = (DEFAULT_DATA, DEFAULT_STORES)


def build_report(out="reports", data=DEFAULT_DATA, stores=DEFAULT_STORES,
                 quick: bool = False, workers: int = 2, log=print, refine_data=REFINE_DATA) -> dict:
    """Regenerate ``out`` (see the module table). ``quick`` skips the cross-validation
    studies, the refinement MD and the named fluids' MD (minutes instead of hours).
    ``stores`` are kept for the record (the dataset file holds what the report needs).
    """
    from ..campaign.stats import dataset_stats
    from ..ml.pipeline.data import load_arrays
    from .named_fluids import run_named
    from .refine_study import run_study

    if workers < 1:
        raise InputError(f"--workers must be >= 1, got {workers}")
    out = Path(out)
    stats = dataset_stats(data, out / "dataset")
    atomic_write_json(out / "dataset" / "stats.json", stats, indent=1)
    log(f"dataset: {stats['n_kept']} kept of {stats['n_runs']} runs; {len(stats.get('plots', []))} figures")
    ds = load_arrays(data)
    figures = {"dataset": stats.get("plots", [])}
    figures.update(_shipped_assessments(ds, out, log))
    if not quick:
        from ..ml.nets.architectures import architecture_names
        from ..ml.pipeline import workflow
        from ..ml.tasks.registry import get_task, task_names

        archs = tuple(architecture_names())
        best = {}
        for name in task_names():
            task = get_task(name)
            cv = workflow.study(task, ds, task.cv_budget, out / name, archs, workers=workers)
            figures[name].append(cv["figure"])
            best[name] = cv["best"]
        log("cross-validation: " + ", ".join(f"{get_task(n).label} best {b}" for n, b in best.items()))
    named = run_named(out / "named", run=not quick, log=log)
    log(f"named fluids: {named['rows']} states; {named['table']}")
    ref = run_study(out / "refine", data=refine_data[0], stores=refine_data[1], workers=workers, run=not quick,
                    log=log)
    figures["refine"] = ref["figures"]
    log(f"refinement study: {ref['rows']} refinements; {ref['table']}")
    return {"out": str(out), "quick": quick, "figures": figures, "refine_table": ref["table"],
            "named_table": named["table"],
            "dataset": {"n_runs": stats["n_runs"], "n_kept": stats["n_kept"]}}
