"""Inverse task: g(r), ρ -> U(r) on the 50-point grid (paper §3.2): configuration, inputs
(with noisy copies of the training g(r)), loss (Eq. 5 and the pressure-consistency term),
metrics, baselines (Boltzmann and HNC inversion), the cross-validation grid (Fig. 6) and the
final model's p(L_MAE) (Fig. 8) and transferability across densities (Fig. 9).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property

import numpy as np

from ...grid import NN_GRID
from ...theory.inversion import boltzmann_inversion, first_peak
from ...units import U_CUT
from ..nets.architectures import ArchConfig
from ..nets.outputs import RESIDUAL_SCALE
from ..pipeline.metrics import potential_errors, potential_metrics, structure_errors, structure_summary
from ..pipeline.train import TrainConfig
from .base import TaskBase, TaskConfig, no_grad_numpy
from .features import gr_on_grid, hnc_on_grid, inverse_channels, virial_weights
from .options import INVERSE_ALL, InverseFlags


@dataclass(frozen=True)
class InverseConfig(TaskConfig):
    """One inverse model: options × architecture; the loss of Eq. 5 with ``f``."""

    options: str = "f"
    arch: ArchConfig = field(default_factory=lambda: ArchConfig(arch="CN"))
    basic_loss: str = "LE"
    alpha_laplace: float = 2.0
    alpha: float = 1.0
    alpha_pressure: float = 0.0  # weight of the pressure-consistency term (0: the paper's loss)
    alpha_structure: float = 0.0  # weight of the structure term (the g(r) error Û makes, to first order)
    #: Which validation loss picks a fold member's kept epoch: ``loss`` (the training loss) or
    #: ``potential`` (the U loss of Eq. 5 alone, so that a structure term shapes training but
    #: the epoch is the one with the best U).
    select_on: str = "loss"
    #: Bins of the structure term: ``uniform`` (L_MSE(g, ĝ)) or ``noise`` (each by its block
    #: error: the χ² the refinement's noise test applies).
    structure_weighting: str = "uniform"
    noisy_copies: int = 0  # copies of the training g(r) with noise drawn from their block errors
    residual_scale: float = RESIDUAL_SCALE  # k_BT per unit network output, option r

    @cached_property
    def flags(self) -> InverseFlags:
        """The option code, parsed once."""
        return InverseFlags.parse(self.options)

    def name(self) -> str:
        name = f"{self.arch.arch}/{self.options}" + (f"+n{self.noisy_copies}" if self.noisy_copies else "")
        name += f"+s{self.residual_scale:g}" if self.residual_scale != RESIDUAL_SCALE else ""
        name += f"+g{self.alpha_structure:g}" if self.alpha_structure else ""
        name += "" if self.structure_weighting == "uniform" else f"+w-{self.structure_weighting}"
        return name + ("" if self.select_on == "loss" else f"+sel-{self.select_on}")


def uses_hnc(cfg: InverseConfig) -> bool:
    return cfg.flags.hnc_input


def inverse_inputs(g, density, cfg: InverseConfig, u_hnc=None) -> dict:
    """Model inputs: g on the network grid (n, 50), ρ (n,), and for option ``h`` the HNC
    inversion on the network grid (n, 50).
    """
    return {"x": inverse_channels(g, cfg.flags, u_hnc), "density": np.asarray(density, np.float32)}


def dataset_inputs(ds, idx, cfg: InverseConfig) -> dict:
    return inverse_inputs(ds.g[idx], ds.density[idx], cfg, ds.hnc()[idx] if uses_hnc(cfg) else None)


def noisy_inputs(ds, idx, cfg: InverseConfig, seed: int) -> dict:
    """Inputs from the runs' g(r) with Gaussian noise of each bin's block standard error
    added (floored at 0), the HNC channel recomputed from the noisy g: another draw of what
    a run of the same length could have measured.
    """
    if ds.g_err is None:
        raise ValueError(f"{ds.path}: the dataset has no g_err; noisy copies need it")
    rng = np.random.default_rng(seed)
    clean = ds.g_bins[idx]
    g_bins = np.maximum(clean + rng.normal(size=clean.shape) * ds.g_err[idx], 0.0)
    g = gr_on_grid(ds.g_r, g_bins, NN_GRID.r)
    u_hnc = hnc_on_grid(ds.g_r, g_bins, ds.density[idx], NN_GRID.r) if uses_hnc(cfg) else None
    return inverse_inputs(g, ds.density[idx], cfg, u_hnc)


def baseline_predictions(ds, idx) -> dict:
    """U0 (Boltzmann inversion) and HNC inversion of the MD g(r), on the network grid."""
    u0 = np.minimum(boltzmann_inversion(ds.g[idx]), U_CUT)
    return {"Boltzmann": u0, "HNC": ds.hnc()[idx]}


class InverseTask(TaskBase):
    """The inverse task (see :class:`~boltzmann_nn.ml.tasks.base.Task`)."""

    name = "inverse"
    label = "inverse"
    config_cls = InverseConfig
    #: L_g_lin: the first-order L_MSE(g, ĝ) of the prediction (theory/response.py), the
    #: structure it would make judged without MD.
    keys = ("L_MAE", "L_MSE", "L_MAE_delta", "L_g_lin_median", "L_g_lin", "L_g_lin_le_5e-4")
    search = {
        "DN": [ArchConfig("DN", width=w, depth=d) for w in (128, 256) for d in (2, 3)],
        "CN": [ArchConfig("CN", filters=f, kernel=k, depth=3) for f in (8, 16) for k in (3, 7)],
        "UN": [ArchConfig("UN", filters=8, kernel=k, depth=2) for k in (3, 5)],
    }
    #: The shipped inverse model: the paper's loss (alpha_pressure 0); what the
    #: pressure-consistency term (``train inverse --alpha-pressure 0.3``) gains and costs is
    #: measured in docs/networks.md ("Pressure consistency").
    shipped = InverseConfig("hrf", ArchConfig("DN", width=128, depth=3))
    cv_budget = TrainConfig(epochs=200, lr=1e-3, lr_final=1e-5)
    final_budget = TrainConfig(epochs=2000, lr=1e-3, lr_final=1e-5)
    cv_figure = "fig6_inverse_cv.png"
    baselines_key = "baselines"

    # --- configurations
    def search_config(self, arch: ArchConfig) -> InverseConfig:
        return InverseConfig("x", arch)

    def study_configs(self, best: dict, archs) -> list:
        return [InverseConfig(o, best[a]) for a in archs for o in INVERSE_ALL]

    def add_arguments(self, p) -> None:
        p.add_argument("--alpha-pressure", type=float, metavar="A",
                       help="weight of the loss term that keeps the virial pressure of U at the run's "
                            "own g(r) (default 0, the paper's loss, as shipped; docs/networks.md)")
        p.add_argument("--alpha-structure", type=float, metavar="A",
                       help="weight of the loss term on the g(r) error the predicted U makes, to first "
                            "order by the HNC response at the run's own g(r) (default: the shipped model's; "
                            "docs/networks.md)")
        p.add_argument("--select-on", choices=["loss", "potential"],
                       help="validation loss that picks each member's kept epoch: the training loss or "
                            "the U loss alone (default: the shipped model's)")
        p.add_argument("--structure-weighting", choices=["uniform", "noise"],
                       help="bins of the structure term: alike (L_MSE of g) or by their block errors (chi^2)")
        p.add_argument("--noisy-copies", type=int, metavar="K",
                       help="train on K copies of each g(r) with noise of its block errors besides "
                            "the clean one, one per epoch in turn (default 0, as shipped)")
        p.add_argument("--residual-scale", type=float, metavar="S",
                       help="option r: k_BT per unit of network output added to the first guess "
                            "(default: the shipped model's)")

    def configure(self, cfg: InverseConfig, args) -> InverseConfig:
        given = {"alpha_pressure": args.alpha_pressure, "noisy_copies": args.noisy_copies,
                 "alpha_structure": args.alpha_structure, "select_on": args.select_on,
                 "structure_weighting": args.structure_weighting}
        return replace(cfg, **{k: v for k, v in given.items() if v is not None},
                       residual_scale=args.residual_scale or cfg.residual_scale)

    # --- data
    def prepare(self, ds) -> None:
        ds.hnc()  # computed once here, so that worker processes receive them with the data
        ds.structure()

    def inputs(self, ds, idx, cfg: InverseConfig) -> dict:
        return dataset_inputs(ds, idx, cfg)

    def target(self, ds, idx) -> np.ndarray:
        return ds.u[idx]

    def batch(self, ds, idx, cfg: InverseConfig, noisy_seed: int | None = None) -> dict:
        b = dataset_inputs(ds, idx, cfg) if noisy_seed is None else noisy_inputs(ds, idx, cfg, noisy_seed)
        b["u"] = np.minimum(ds.u[idx], 1e4).astype(np.float32)
        b["structure"] = ds.structure()[idx]
        if cfg.alpha_structure > 0 and cfg.structure_weighting != "uniform":
            b["structure_loss"] = ds.structure(cfg.structure_weighting)[idx]
        if cfg.alpha_pressure > 0:
            weights = virial_weights(ds.g_r, ds.g_bins[idx], ds.density[idx], NN_GRID.r)
            b["p_weights"] = weights.astype(np.float32)
            b["p_scale"] = (np.abs(ds.pressure[idx]) + 0.1 * ds.density[idx]).astype(np.float32)
        return b

    def training_batches(self, ds, idx, cfg: InverseConfig, tcfg) -> list:
        """The clean batch and ``cfg.noisy_copies`` noisy copies (one per epoch in turn)."""
        return [self.batch(ds, idx, cfg)] + [self.batch(ds, idx, cfg, noisy_seed=tcfg.seed * 1000 + k)
                                             for k in range(cfg.noisy_copies)]

    # --- networks
    def build(self, cfg: InverseConfig):
        from ..nets.heads import InverseNet

        return InverseNet(cfg.flags, cfg.arch, cfg.residual_scale)

    def loss(self, cfg: InverseConfig):
        from ..nets.losses import potential_loss, pressure_consistency_loss, structure_loss

        force_terms = cfg.flags.force_loss

        def loss_fn(model, batch):
            u_hat = model(batch["x"], batch["density"])
            loss = potential_loss(batch["u"], u_hat, force_terms=force_terms, basic=cfg.basic_loss,
                                  alpha_laplace=cfg.alpha_laplace, alpha=cfg.alpha)
            if cfg.alpha_structure > 0:
                metric = batch.get("structure_loss", batch["structure"])
                loss = loss + cfg.alpha_structure * structure_loss(batch["u"], u_hat, metric,
                                                                   basic=cfg.basic_loss)
            if cfg.alpha_pressure > 0:
                loss = loss + cfg.alpha_pressure * pressure_consistency_loss(
                    batch["u"], u_hat, batch["p_weights"], batch["p_scale"], basic=cfg.basic_loss)
            return loss

        return loss_fn

    def selection_loss(self, cfg: InverseConfig):
        """The training loss, or with ``select_on = "potential"`` the U loss of Eq. 5 alone."""
        if cfg.select_on == "loss":
            return self.loss(cfg)
        return self.loss(replace(cfg, alpha_structure=0.0, alpha_pressure=0.0))

    def predict(self, model, inputs: dict) -> np.ndarray:
        """Û on the network grid, shape (n, 50) [k_BT]."""
        return no_grad_numpy(model, lambda torch, device: model(
            torch.as_tensor(inputs["x"], dtype=torch.float32, device=device),
            torch.as_tensor(inputs["density"], dtype=torch.float32, device=device)))

    def numpy_net(self, cfg: InverseConfig, state: dict):
        from ..serving.numpy_nets import NumpyInverseNet

        return NumpyInverseNet(cfg, state)

    # --- measures
    def batch_metrics(self, batch: dict, prediction) -> dict:
        return {**potential_metrics(batch["u"], prediction),
                **structure_summary(structure_errors(batch["u"], prediction, batch["structure"]))}

    def metrics(self, ds, idx, prediction) -> dict:
        return {**potential_metrics(ds.u[idx], prediction),
                **structure_summary(structure_errors(ds.u[idx], prediction, ds.structure()[idx]))}

    def baselines(self, ds, idx) -> dict:
        return {name: self.metrics(ds, idx, u) for name, u in baseline_predictions(ds, idx).items()}

    def calibration_terms(self, ds, idx, members, k: int) -> tuple:
        """|U − Û_k| of the member that never saw ``idx`` and the members' spread at the grid
        points with U <= U_cut, and the mean spread per sample.
        """
        from ..pipeline.evaluation import sample_spread

        u = ds.u[idx]
        s = members.std(axis=0)
        return np.abs(u - members[k])[u <= U_CUT], s[u <= U_CUT], sample_spread(u, s)

    def evaluation(self, ds, idx, members, scale: float) -> tuple:
        from ..pipeline.evaluation import honest_inverse

        return honest_inverse(ds, idx, members, baseline_predictions(ds, idx), scale)

    # --- reports and cards
    def cv_report(self, rows, baselines, out, archs) -> tuple:
        from ..pipeline.report_inverse import figure_cv, render_table

        return render_table(rows, baselines), figure_cv(rows, baselines, out / self.cv_figure, archs)

    def figures(self, ds, models, cfg, parts, rep_dir, name) -> tuple:
        """Fig. 8 (p(L_MAE) of the network and the baselines) and Fig. 9 (one potential at
        every density), and the transfer spread.
        """
        from ..pipeline.report_inverse import figure_mae_distribution

        maes = {}
        for part, (idx, _, u_hat) in parts.items():
            base = baseline_predictions(ds, idx)
            maes[part] = {"network": potential_errors(ds.u[idx], u_hat)[1],
                          **{k: potential_errors(ds.u[idx], v)[1] for k, v in base.items()}}
        te = parts["test"][0]
        figs = [str(figure_mae_distribution(maes, rep_dir / f"fig8_{name}_mae.png")),
                str(self._transfer_figure(ds, models, cfg, te, rep_dir / f"fig9_{name}_transfer.png"))]
        return {"figures": figs}, {"transfer": self.transfer_spread(ds, models, cfg, te)}

    def _mean_prediction(self, ds, models, cfg, rows):
        inputs = dataset_inputs(ds, rows, cfg)
        return np.mean([self.predict(m, inputs) for m in models], axis=0)

    def transfer_spread(self, ds, models, cfg, idx) -> dict:
        """For test potentials with kept runs at all four densities: the spread (std over ρ)
        of Û and of U0, averaged over r where U <= U_cut and over potentials.
        """
        pots = [p for p in np.unique(ds.potential[idx]) if np.sum(ds.potential[idx] == p) >= 4]
        spread_nn, spread_u0 = [], []
        for p in pots:
            rows = idx[ds.potential[idx] == p]
            u_hat = self._mean_prediction(ds, models, cfg, rows)
            u0 = np.minimum(boltzmann_inversion(ds.g[rows]), U_CUT)
            ok = ds.u[rows[0]] <= U_CUT
            spread_nn.append(float(u_hat[:, ok].std(axis=0).mean()))
            spread_u0.append(float(u0[:, ok].std(axis=0).mean()))
        return {"n_potentials": len(pots), "network": float(np.mean(spread_nn)) if pots else None,
                "Boltzmann": float(np.mean(spread_u0)) if pots else None}

    def _transfer_figure(self, ds, models, cfg, idx, path):
        """Fig. 9 for the first test potential with kept runs at four densities or more."""
        from ..pipeline.report_inverse import figure_transfer

        pots = [p for p in np.unique(ds.potential[idx]) if np.sum(ds.potential[idx] == p) >= 4]
        rows = idx[ds.potential[idx] == pots[0]] if pots else np.array([], int)
        u_hat = self._mean_prediction(ds, models, cfg, rows) if pots else np.zeros((0, NN_GRID.n))
        return figure_transfer(ds, rows, u_hat, path)

    def card_fields(self, ds, cfg: InverseConfig) -> dict:
        tr, _ = ds.split(None)
        peaks = first_peak(ds.g_r, ds.g_bins[tr])
        return {
            "inputs": {"g": "g(r) on the 50-point grid", "options": cfg.options, "density": "reduced"},
            "domain": {"density": [float(ds.density.min()), float(ds.density.max())],
                       "first_peak": [float(np.quantile(peaks, 0.02)), float(np.quantile(peaks, 0.98))],
                       "first_peak_median": float(np.median(peaks))},
        }


TASK = InverseTask()
