"""Extension points: a closure, a g(r) format, a table format, an architecture and an
engine are each one unit plus one registry line; the solver, the readers, the networks
and the CLI pick them up."""

import numpy as np
import pytest

from boltzmann_nn.cli import build_parser
from boltzmann_nn.io import gr as gr_io
from boltzmann_nn.io import potential_files as pf
from boltzmann_nn.ml.nets import architectures as ml_registry
from boltzmann_nn.potentials.base import NamedPotential
from boltzmann_nn.theory import closures
from boltzmann_nn.theory.oz import OZSolver


def _choices(argv_prefix, dest):
    parser = build_parser()
    sub = parser
    for word in argv_prefix:
        sub = next(a for a in sub._actions if a.dest in ("command", "task", "dataset_command")).choices[word]
    return next(a for a in sub._actions if a.dest == dest).choices


def test_a_new_closure(monkeypatch):
    class MeanSpherical(closures.Closure):
        """MSA outside a hard core: c = −βU (here only as an example of the unit)."""

        name = "msa"

        def direct(self, boltz, gamma):
            return boltz * np.exp(gamma) - 1.0 - gamma  # HNC numerics, a new name

        def cavity(self, gamma):
            return np.exp(gamma)

    monkeypatch.setitem(closures.CLOSURES, "msa", MeanSpherical())
    pot = NamedPotential("gauss", {"epsilon": 1.0}, r_cut=4.0)
    a = OZSolver("msa", n=2048, dr=0.01).solve(pot, 0.3)
    b = OZSolver("hnc", n=2048, dr=0.01).solve(pot, 0.3)
    assert np.allclose(a.g, b.g) and a.closure == "msa"
    assert "msa" in _choices(["oz"], "closure")


def test_a_new_gr_format(monkeypatch, tmp_path):
    def parse(text, source, block):
        rows = [ln.split(":") for ln in text.splitlines() if ln.strip()]
        return np.array([float(a) for a, _ in rows]), np.array([float(b) for _, b in rows]), None

    fmt = gr_io.GrFormat("colon", lambda name, suffix: suffix == ".colon", lambda text: False, parse)
    monkeypatch.setitem(gr_io.GR_FORMATS, "colon", fmt)
    path = tmp_path / "g.colon"
    path.write_text("".join(f"{0.1 * i}:{1.0}\n" for i in range(1, 20)))
    rdf = gr_io.read_gr(path)
    assert rdf.fmt == "colon" and rdf.g.size == 19
    assert "colon" in _choices(["invert"], "gr_format")


def test_a_new_table_format(monkeypatch, tmp_path):
    def write(table, units, comment):
        return "".join(f"{r}|{u}\n" for r, u in zip(table.r, table.U))

    def read(path, text, source):
        rows = [ln.split("|") for ln in text.splitlines() if ln.strip()]
        return np.array([float(a) for a, _ in rows]), np.array([float(b) for _, b in rows]), None

    fmt = pf.TableFormat("pipe", (".pipe",), lambda text: False, read, write)
    monkeypatch.setitem(pf.TABLE_FORMATS, "pipe", fmt)
    from boltzmann_nn.potentials.table import read_potential_table

    table = NamedPotential("wca").tabulate(200)
    path = pf.write_potential(tmp_path / "w.pipe", table)
    back = read_potential_table(path)
    assert np.allclose(back.U, table.U) and "pipe" in _choices(["potential"], "format")


def test_a_new_architecture(monkeypatch):
    import torch

    from boltzmann_nn.ml.nets.architectures import ArchConfig
    from boltzmann_nn.ml.nets.models import make_branch

    class Linear(torch.nn.Module):
        def __init__(self, n_points, cfg):
            super().__init__()
            self.lin = torch.nn.Linear(n_points, 8)
            self.out_features = 8

        def forward(self, x):
            return self.lin(x.flatten(1)[:, : self.lin.in_features])

    monkeypatch.setitem(ml_registry.ARCHITECTURES, "LN", f"{__name__}:_LINEAR")
    globals()["_LINEAR"] = Linear
    branch = make_branch(50, ArchConfig(arch="LN"))
    assert branch.out_features == 8
    assert "LN" in _choices(["train", "eos"], "arch")


def test_engines_are_registered():
    from boltzmann_nn.engines.registry import ENGINES

    assert set(_choices(["simulate"], "engine")) == set(ENGINES)


def test_unknown_names_are_one_line_errors():
    from boltzmann_nn.errors import InputError

    with pytest.raises(InputError, match="unknown closure"):
        OZSolver("kh")


@pytest.fixture
def hnc_world(monkeypatch):
    from boltzmann_nn.engines import registry

    monkeypatch.setitem(registry.ENGINES, "hnc-test", "tests.hnc_engine:HNCEngine")


def _hnc_lj_target():
    from boltzmann_nn.potentials.spec import parse_potential
    from boltzmann_nn.refine.target import make_target

    from . import hnc_engine

    r = (np.arange(200) + 0.5) * 0.025
    g, err, _ = hnc_engine.noisy_gr(parse_potential("lj:epsilon=0.5,rcut=4"), 0.5, r, 20000, 3)
    return make_target(r, g, 0.5, err, "hnc-lj")


def test_a_new_refinement_method_start_and_inversion(monkeypatch, hnc_world, tmp_path):
    """A half-IBI method (ΔU = ½ ln(g_run/g_target)), a start and an inversion, each one
    unit and one registry line: the loop runs the method without knowing its name, the
    inversion becomes a start, and the CLI offers all three."""
    from boltzmann_nn.refine import methods, start
    from boltzmann_nn.refine.loop import RefineSettings, refine
    from boltzmann_nn.refine.methods.base import Direction, RefinementMethod
    from boltzmann_nn.refine.updates import log_ratio_update
    from boltzmann_nn.theory import inversion

    calls = []

    class HalfIBI(RefinementMethod):
        name = "half-ibi"
        summary = "half an IBI step"

        def direction(self, res):
            calls.append(res.grid.size)
            return Direction(0.5 * log_ratio_update(res.grid, res.g_run, res.g_target, res.density, res.err))

    def shifted_boltzmann(r, g, density):
        return inversion.boltzmann_inversion(g) + 0.0  # the same U, under another name

    monkeypatch.setitem(methods.METHODS, "half-ibi", HalfIBI())
    monkeypatch.setitem(inversion.INVERSIONS, "bi2", shifted_boltzmann)
    monkeypatch.setitem(start.STARTS, "bi2", start.inversion_start("bi2"))
    target = _hnc_lj_target()
    table = start.start_table("bi2", target)
    assert table.name == "bi2-inversion"
    assert np.allclose(table.U, start.start_table("boltzmann", target).U)
    res = refine(target, table, RefineSettings(method="half-ibi", max_iter=3, engine="hnc-test", r_cut=4.0),
                 out_dir=tmp_path / "r")
    assert len(res.iterations) == 3 and len(calls) == 2
    assert res.distances[1] < res.distances[0]  # half a step of IBI still moves g towards the target
    assert "half-ibi" in _choices(["refine"], "method")
    assert "bi2" in _choices(["invert"], "method")


def test_a_new_network_task_is_offered_by_train_and_evaluate(monkeypatch):
    from boltzmann_nn.ml.tasks import registry as tasks

    monkeypatch.setitem(tasks.TASKS, "eos2", "boltzmann_nn.ml.tasks.eos:TASK")
    assert tasks.get_task("eos2") is tasks.get_task("eos")
    for command in ("train", "evaluate"):
        parser = build_parser()
        sub = next(a for a in parser._actions if a.dest == "command").choices[command]
        assert "eos2" in next(a for a in sub._actions if a.dest == "task").choices

def test_a_new_eos_head(monkeypatch):
    import torch

    from boltzmann_nn.ml.nets import eos_heads
    from boltzmann_nn.ml.nets.architectures import ArchConfig
    from boltzmann_nn.ml.tasks import eos
    from boltzmann_nn.ml.tasks.options import eos_options_for

    class B2Only(eos_heads.EOSHead):
        """βP = ρ + ρ² B2, B2 = B_SCALE · o(U): one output, no density input."""

        name = "B2only"
        takes_density = False
        refuses = "ir"
        has_coefficients = True

        def coefficients(self, xp, o, b2, flags, exact_b2):
            return eos_heads.B_SCALE * o

        def pressure(self, xp, o, density, b2, flags, exact_b2):
            return density + density**2 * self.coefficients(xp, o, b2, flags, exact_b2)[:, 0]

    monkeypatch.setitem(eos_heads.EOS_HEADS, "B2only", B2Only())
    torch.manual_seed(0)
    cfg = eos.EOSConfig("B2only", "bcfk", ArchConfig("DN", width=8, depth=1, head_width=8, head_depth=1))
    model = eos.TASK.build(cfg).eval()
    rng = np.random.default_rng(0)
    inputs = eos.eos_inputs(rng.normal(size=(6, 50)), rng.normal(size=(6, 50)), rng.uniform(0.1, 0.9, 6),
                            rng.normal(size=6), cfg)
    twin = eos.TASK.numpy_net(cfg, {k: v.detach().numpy() for k, v in model.state_dict().items()})
    p = eos.TASK.predict(model, inputs)
    np.testing.assert_allclose(twin.predict(inputs), p, rtol=1e-5, atol=1e-6)
    coef = twin.coefficients(inputs)
    assert coef.shape == (6, 1)
    np.testing.assert_allclose(coef, eos.TASK.coefficients(model, inputs), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(p, inputs["density"] + inputs["density"] ** 2 * coef[:, 0], rtol=1e-4, atol=1e-5)
    assert not any(set(o) & {"i", "r"} for o in eos_options_for("B2only"))
    with pytest.raises(ValueError, match="option i"):
        eos.TASK.build(eos.EOSConfig("B2only", "ci", cfg.arch))
    assert "B2only" in _choices(["train", "eos"], "strategy")
    assert any(c.strategy == "B2only" for c in eos.TASK.study_configs({"DN": cfg.arch}, ["DN"]))
