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
    from ..ml import eos, eos_pipeline, inverse, inverse_pipeline
    from ..ml.zoo import load_model

    shipped = load_model("eos", eos.build, eos.EOSConfig, task="eos")
    metrics, fig = eos_pipeline.assess(ds, shipped.members, shipped.config, out / "eos" / "fig4_eos_parity.png",
                                       shipped.spread_scale)
    md = metrics.pop("test_evaluation_md")
    atomic_write_json(out / "eos" / "eos_assessment.json", {"model": shipped.card["name"], "data": str(ds.path),
                                                             "metrics": metrics, "figure": str(fig)}, indent=1)
    (out / "eos" / "eos_assessment.md").write_text(_assessment_header(shipped, ds) + md)
    log(f"EOS network on {ds.path}: test MRAE {metrics['test']['MRAE']:.3f}; {fig}")
    shipped = load_model("inverse", inverse.build, inverse.InverseConfig, task="inverse")
    metrics, figs, transfer = inverse_pipeline.assess(ds, shipped.members, shipped.config, out / "inverse",
                                                       scale=shipped.spread_scale)
    md = metrics.pop("test_evaluation_md")
    atomic_write_json(out / "inverse" / "inverse_assessment.json",
                      {"model": shipped.card["name"], "data": str(ds.path), "metrics": metrics, "figures": figs,
                       "transfer": transfer}, indent=1)
    (out / "inverse" / "inverse_assessment.md").write_text(_assessment_header(shipped, ds) + md)
    log(f"inverse network: test L_MAE {metrics['test']['L_MAE']:.3f}; {', '.join(figs)}")
    return {"eos": [str(fig)], "inverse": figs}


def _assessment_header(shipped, ds) -> str:
    return (f"# Shipped model `{shipped.card['name']}` on the test set of `{ds.path}`\n\n"
            f"Options {shipped.config.options}, {shipped.card.get('members', len(shipped.members))} members. "
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
    from ..ml.data import load_arrays
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
        from ..ml import eos_pipeline, inverse_pipeline
        from ..ml.defaults import EOS_CV, INVERSE_CV
        from ..ml.registry import architecture_names

        archs = tuple(architecture_names())
        eos_cv = eos_pipeline.study(ds, EOS_CV, out / "eos", archs, workers=workers)
        inv_cv = inverse_pipeline.study(ds, INVERSE_CV, out / "inverse", archs, workers=workers)
        figures["eos"].append(eos_cv["figure"])
        figures["inverse"].append(inv_cv["figure"])
        log(f"cross-validation: EOS best {eos_cv['best']}, inverse best {inv_cv['best']}")
    named = run_named(out / "named", run=not quick, log=log)
    log(f"named fluids: {named['rows']} states; {named['table']}")
    ref = run_study(out / "refine", data=refine_data[0], stores=refine_data[1], workers=workers, run=not quick,
                    log=log)
    figures["refine"] = ref["figures"]
    log(f"refinement study: {ref['rows']} refinements; {ref['table']}")
    return {"out": str(out), "quick": quick, "figures": figures, "refine_table": ref["table"],
            "named_table": named["table"],
            "dataset": {"n_runs": stats["n_runs"], "n_kept": stats["n_kept"]}}
