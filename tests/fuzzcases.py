"""Seeded malformed inputs for every reader, and the oracle that judges a reader's answer.

Used by ``tests/test_fuzz.py`` (a small seeded set) and ``benchmarks/fuzz_inputs.py``
(at least 10,000 cases per reader). A case starts from a valid file of the reader's
format and applies one to three random mutations: truncation, lost, doubled, swapped or
reversed lines, numbers replaced by NaN/inf/huge/negative/garbage, tokens dropped or
added, headers renamed, garbage or non-UTF-8 bytes, empty or blank files, CRLF endings,
very long lines; TOML and JSON get wrong types, missing and unknown keys as well.

The oracle: the reader either returns, or raises ``InputError`` whose message is one line
and names the input. Anything else (another exception type, a multi-line message, a
message without the file name) is an *escape*.
"""

from __future__ import annotations

import json
import shutil
from importlib import resources
from pathlib import Path

import numpy as np

from boltzmann_nn.errors import InputError

BAD_NUMBERS = ["nan", "NaN", "inf", "-inf", "1e308", "-1e308", "1e999", "1e-320", "-1", "0", "-0",
               "", "abc", "1,5", "0x10", "1e", "--1", "1.2.3", "∞", "None", "true", "[]", "1e+", "+-3"]


def _r(n=60, lo=0.05, hi=5.0):
    return np.linspace(lo, hi, n)


def _gr_values(r):
    return np.where(r < 0.9, 0.0, 1.0 + 0.5 * np.exp(-(r - 1.1) ** 2 / 0.05) * np.cos(6 * (r - 1.1)))


def valid_texts() -> dict:
    """One valid input per reader: name -> (file name, text)."""
    r = _r()
    g = _gr_values(r)
    rt = np.linspace(0.8, 3.0, 60)
    ut = 4 * 0.5 * ((1 / rt) ** 12 - (1 / rt) ** 6)
    ft = 24 * 0.5 * (2 * (1 / rt) ** 12 - (1 / rt) ** 6) / rt
    lmp_rows = "\n".join(f"{i + 1} {a:.6g} {b:.6g} {b * 0.5:.6g}" for i, (a, b) in enumerate(zip(r, g)))
    return {
        "gr_text": ("gr.csv", "# g(r)\nr,g\n" + "\n".join(f"{a:.6g},{b:.6g}" for a, b in zip(r, g)) + "\n"),
        "gr_lammps": ("rdf.lammps", "# Time-averaged data for fix prdf\n# TimeStep Number-of-rows\n"
                      "# Row c_rdf[1] c_rdf[2] c_rdf[3]\n"
                      f"1000 {r.size}\n{lmp_rows}\n2000 {r.size}\n{lmp_rows}\n"),
        "gr_xvg": ("rdf.xvg", '# gmx rdf\n@    title "Radial distribution"\n@    xaxis  label "r (nm)"\n'
                   "@TYPE xy\n" + "\n".join(f"{a * 0.34:.6g} {b:.6g}" for a, b in zip(r, g)) + "\n"),
        "gr_votca": ("CG-CG.dist.tgt", "\n".join(f"{a:.6g} {b:.6g} i" for a, b in zip(r, g)) + "\n"),
        "table_csv": ("pot.csv", "# U\nr,U,F\n" + "\n".join(
            f"{a:.8g},{b:.8g},{c:.8g}" for a, b, c in zip(rt, ut, ft)) + "\n"),
        "table_lammps": ("pot.table", f"# table\n\nBNN\nN {rt.size} R {rt[0]:.8g} {rt[-1]:.8g}\n\n" + "\n".join(
            f"{i + 1} {a:.8g} {b:.8g} {c:.8g}" for i, (a, b, c) in enumerate(zip(rt, ut, ft))) + "\n"),
        "table_votca": ("pot.pot", "\n".join(f"{a:.8g} {b:.8g} i" for a, b in zip(rt, ut)) + "\n"),
        "campaign_toml": ("spec.toml", 'name = "fz"\nseed = 7\nn_potentials = 3\ndensities = [0.125, 0.5]\n'
                          "density_draws = 1\nextra_densities = 1\n\n[families]\nspline = 0.5\nyukawa = 0.5\n\n"
                          "[generator]\nwca_fraction = 1.0\nr_cut_max = 2.0\n\n[engine]\nsteps = 400\n"
                          "equilibration = 200\nblocks = 4\n"),
        "model_card": ("m.json", resources.files("boltzmann_nn.zoo").joinpath("eos.json").read_text()),
    }


# --- mutations ---------------------------------------------------------------------------
def _lines(text):
    return text.split("\n")


def _mutate_text(text: str, rng) -> str | bytes:
    lines = _lines(text)
    op = int(rng.integers(0, 17))
    n = len(lines)
    i = int(rng.integers(0, max(n, 1)))
    if op == 0:
        return text[: int(rng.integers(0, len(text) + 1))]
    if op == 1 and n > 1:
        del lines[i]
    elif op == 2:
        lines.insert(i, lines[i] if n else "")
    elif op == 3 and n > 1:
        j = int(rng.integers(0, n))
        lines[i], lines[j] = lines[j], lines[i]
    elif op == 4:
        toks = lines[i].replace(",", " ").split()
        if toks:
            toks[int(rng.integers(0, len(toks)))] = str(rng.choice(BAD_NUMBERS))
            sep = "," if "," in lines[i] else " "
            lines[i] = sep.join(toks)
    elif op == 5:
        toks = lines[i].replace(",", " ").split()
        if toks:
            del toks[int(rng.integers(0, len(toks)))]
            lines[i] = " ".join(toks)
    elif op == 6:
        lines[i] = lines[i] + " " + str(rng.choice(BAD_NUMBERS + ["7", "0.5", "x"]))
    elif op == 7:
        garbage = "".join(chr(int(c)) for c in rng.integers(32, 127, int(rng.integers(1, 40))))
        lines.insert(i, garbage)
    elif op == 8:
        raw = text.encode()
        k = int(rng.integers(0, len(raw) + 1))
        return raw[:k] + bytes(rng.integers(128, 256, int(rng.integers(1, 8))).tolist()) + raw[k:]
    elif op == 9:
        return str(rng.choice(["", " ", "\n", "\n\n", "#\n", "# only a comment\n", "\x00"]))
    elif op == 10:
        lines = lines[::-1]
    elif op == 11:
        return text.replace("\n", "\r\n")
    elif op == 12:
        lines.insert(i, "9" * int(rng.integers(1000, 100000)))
    elif op == 13:  # scale or negate all numbers of a column-ish line range
        factor = str(rng.choice(["-1", "1e300", "0", "1e-300"]))
        for k in range(n):
            toks = lines[k].replace(",", " ").split()
            if toks:
                try:
                    toks[0] = repr(float(toks[0]) * float(factor))
                    lines[k] = " ".join(toks)
                except ValueError:
                    continue
    elif op == 14:  # header words
        lines.insert(0, str(rng.choice(["r,U,F", "r g", "x,y,z,w", "r,g,err", "a b", "r,U", "U,r", "g,r"])))
    elif op == 15:  # keep only a few lines
        lines = lines[: int(rng.integers(0, 6))]
    else:  # numbers written with many digits or as ints
        lines = [ln.replace(".", "", 1) if rng.random() < 0.3 else ln for ln in lines]
    return "\n".join(lines)


_TOML_VALUES = ["-1", "0", "1e308", "nan", "inf", '"text"', "[]", "[1, -2]", "true", "{a = 1}",
                "10000000000000000000000", "0.5", "[0.1, 0.2]", '["a"]', "3", "2.5", "[[1]]"]
_TOML_KEYS = ["name", "seed", "n_potentials", "densities", "density_draws", "density_range", "extra_densities",
              "steps", "equilibration", "blocks", "rdf_bins", "rdf_rmax", "n_particles", "dt", "particles",
              "box_length", "wca_fraction", "r_cut_max", "knots_min", "spline", "yukawa", "hertz", "plasma",
              "unknown_key"]


def _mutate_toml(text: str, rng) -> str | bytes:
    if rng.random() < 0.3:
        return _mutate_text(text, rng)
    lines = _lines(text)
    op = int(rng.integers(0, 4))
    i = int(rng.integers(0, len(lines)))
    if op == 0 and "=" in lines[i]:
        key = lines[i].split("=")[0]
        lines[i] = f"{key}= {rng.choice(_TOML_VALUES)}"
    elif op == 1:
        lines.insert(i, f"{rng.choice(_TOML_KEYS)} = {rng.choice(_TOML_VALUES)}")
    elif op == 2:
        lines.insert(i, str(rng.choice(["[engine]", "[generator]", "[families]", "[other]", "[engine.sub]"])))
    else:
        lines = [ln for ln in lines if not ln.startswith(str(rng.choice(_TOML_KEYS)))]
    return "\n".join(lines)


_JSON_VALUES = [None, -1, 0, 10**30, 1.5, "x", "", [], {}, True, ["a"], {"a": 1}, "../../etc/passwd",
                "m.safetensors"]


def _mutate_json(text: str, rng) -> str | bytes:
    if rng.random() < 0.25:
        return _mutate_text(text, rng)
    try:
        card = json.loads(text)
    except ValueError:
        return _mutate_text(text, rng)
    if not isinstance(card, dict) or not card:
        return _mutate_text(text, rng)
    keys = list(card)
    op = int(rng.integers(0, 4))
    key = str(rng.choice(keys))
    if op == 0:
        card[key] = _JSON_VALUES[int(rng.integers(0, len(_JSON_VALUES)))]
    elif op == 1:
        del card[key]
    elif op == 2 and isinstance(card.get("config"), dict) and card["config"]:
        ck = str(rng.choice(list(card["config"])))
        card["config"][ck] = _JSON_VALUES[int(rng.integers(0, len(_JSON_VALUES)))]
    else:
        key = str(rng.choice(["extra", "members", "task"]))
        card[key] = _JSON_VALUES[int(rng.integers(0, len(_JSON_VALUES)))]
    return json.dumps(card)


MUTATORS = {"campaign_toml": _mutate_toml, "model_card": _mutate_json}


def make_case(name: str, rng) -> tuple[str, str | bytes]:
    """A mutated input for reader ``name``: (file name, content)."""
    fname, text = valid_texts()[name] if name not in _VALID_CACHE else _VALID_CACHE[name]
    _VALID_CACHE[name] = (fname, text)
    content: str | bytes = text
    for _ in range(int(rng.integers(1, 4))):
        if isinstance(content, bytes):
            break
        content = MUTATORS.get(name, _mutate_text)(content, rng)
    return fname, content


_VALID_CACHE: dict = {}


# --- readers and oracle ----------------------------------------------------------------
def _read_model_card(path):
    from boltzmann_nn.ml.serving.zoo import load_model

    weights = resources.files("boltzmann_nn.zoo").joinpath("eos.safetensors")
    target = Path(path).with_name("eos.safetensors")
    if not target.exists():
        shutil.copyfile(str(weights), target)
    return load_model(path, task="eos")


def _read_toml(path):
    from boltzmann_nn.campaign.spec import CampaignSpec

    spec = CampaignSpec.load(path)
    spec.runs()
    spec.extra_runs(0)
    return spec


def readers() -> dict:
    """name -> function(path) that reads (and uses) a file of that kind."""
    from boltzmann_nn.io.gr import read_gr
    from boltzmann_nn.potentials.table import read_potential_table

    return {
        "gr_text": lambda p: read_gr(p),
        "gr_lammps": lambda p: read_gr(p, fmt="lammps"),
        "gr_xvg": lambda p: read_gr(p),
        "gr_votca": lambda p: read_gr(p),
        "table_csv": lambda p: read_potential_table(p).on_grid(),
        "table_lammps": lambda p: read_potential_table(p).on_grid(),
        "table_votca": lambda p: read_potential_table(p).on_grid(),
        "campaign_toml": _read_toml,
        "model_card": _read_model_card,
    }


def judge_call(func, path) -> str:
    """``"accepted"``, ``"refused"`` (a proper one-line InputError) or ``"escape: ..."``."""
    try:
        func(path)
    except InputError as exc:
        msg = str(exc)
        if "\n" in msg:
            return f"escape: multi-line message {msg[:80]!r}"
        if Path(path).name not in msg and str(path) not in msg:
            return f"escape: message does not name the input: {msg[:120]!r}"
        return "refused"
    except Exception as exc:  # noqa: BLE001 - this is what the harness looks for
        return f"escape: {type(exc).__name__}: {str(exc)[:120]}"
    return "accepted"


def run_reader_cases(name: str, n: int, seed: int, workdir: Path) -> dict:
    """Feed ``n`` mutated files to reader ``name``; counts and the first escapes."""
    rng = np.random.default_rng([seed, sum(map(ord, name))])
    func = readers()[name]
    counts = {"cases": 0, "accepted": 0, "refused": 0, "escapes": 0}
    examples = []
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    for k in range(n):
        fname, content = make_case(name, rng)
        path = workdir / fname
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
        verdict = judge_call(func, path)
        counts["cases"] += 1
        if verdict.startswith("escape"):
            counts["escapes"] += 1
            if len(examples) < 5:
                keep = workdir / f"escape-{name}-{k}-{fname}"
                shutil.copyfile(path, keep)
                examples.append(f"{verdict} ({keep.name})")
        else:
            counts[verdict] += 1
    counts["examples"] = examples
    return counts


# --- command-line arguments ------------------------------------------------------------
FLOATS = ["nan", "inf", "-inf", "-1", "0", "1e300", "1e-300", "abc", "", "0.5", "1", "2e3", "0.125", "-0.0"]
INTS = ["-1", "0", "1", "3", "1e3", "abc", "", "99999999999", "2.5", "10", "-99999999999"]
SPECS = ["lj", "lj:epsilon=0.5,rcut=5", "lj:epsilon=nan", "lj:rcut=-1", "lj:rcut=0", "lj:epsilon=1e300",
         "soft:n=abc", "random:seed=-1", "random:seed=1.5", "random:seed=1,knots_min=0", "random:seed=3",
         "yukawa:kappa=-1", "hertz:sigma=0", "gauss:sigma=0", "mie:n=6,m=12", "", ":", "lj:", "lj:=",
         "wca:epsilon=inf", "morse:alpha=1e6", "ideal", "lj:rcut=inf", "shoulder:width=0", "plasma",
         "lj:sigma=-1", "ramp:radius=1", "gausswell:width=-1"]
OUT_NAMES = ["out/x.csv", "out/x.table", "out/x.pot", "out/x.png", "", "/proc/nope/x.csv", "FILE/x.csv",
             "DIR", "out/deep/er/x.json"]


class Reached(BaseException):
    """Raised by the stand-ins for long work: the arguments were accepted."""


def leaf_commands(parser) -> dict:
    """Every leaf subcommand of the CLI: tuple of words -> its argparse parser."""
    import argparse

    out = {}

    def walk(p, words):
        subs = [a for a in p._actions if isinstance(a, argparse._SubParsersAction)]
        if not subs:
            out[tuple(words)] = p
            return
        for name, child in subs[0].choices.items():
            walk(child, words + [name])

    walk(parser, [])
    return out


def _value_for(action, rng, files: dict) -> str:
    dest = action.dest
    if action.choices:
        pool = list(action.choices) + ["bogus", ""]
        return str(pool[int(rng.integers(0, len(pool)))])
    if action.type is float:
        return str(rng.choice(FLOATS))
    if action.type is int:
        return str(rng.choice(INTS))
    if dest in ("out", "plot", "report", "store"):
        name = str(rng.choice(OUT_NAMES))
        return name.replace("FILE", files["garbage"]).replace("DIR", files["dir"])
    if dest == "spec":
        pool = SPECS + [files[k] for k in ("table", "garbage", "empty", "dir", "missing")]
        return str(pool[int(rng.integers(0, len(pool)))])
    if dest == "spec_file":
        pool = ["default", "paper", "nonesuch"]
        pool += [files[k] for k in ("toml", "garbage", "empty", "dir", "missing")]
        return str(pool[int(rng.integers(0, len(pool)))])
    pool = [files[k] for k in files]
    pool += ["eos", "inverse", "", "-"] if dest == "model" else []
    pool += ["0.34nm", "3.4A", "abc", "-1nm", "nan nm", "1 parsec"] if dest == "sigma" else []
    return str(pool[int(rng.integers(0, len(pool)))])


def make_cli_case(commands: dict, rng, files: dict) -> list[str]:
    """A random argument list for a random leaf command."""
    import argparse

    words = list(commands)[int(rng.integers(0, len(commands)))]
    parser = commands[words]
    argv = list(words)
    for action in parser._actions:
        if isinstance(action, (argparse._HelpAction, argparse._VersionAction)) or action.dest == "debug":
            continue
        if not action.option_strings:  # positional
            if rng.random() < 0.95:
                argv.append(_value_for(action, rng, files))
            continue
        if action.dest == "json":
            if rng.random() < 0.5:
                argv.append("--json")
            continue
        if not (action.required or rng.random() < 0.4):
            continue
        flag = action.option_strings[-1]
        if action.nargs == 0:
            argv.append(flag)
        elif action.nargs in ("+", "*"):
            argv += [flag] + [_value_for(action, rng, files) for _ in range(int(rng.integers(1, 4)))]
        else:
            argv += [flag, _value_for(action, rng, files)]
    return argv


def cli_files(workdir: Path) -> dict:
    """Files and paths the CLI fuzzer hands out."""
    workdir.mkdir(parents=True, exist_ok=True)
    files = {}
    for name, (fname, text) in valid_texts().items():
        if name in ("gr_text", "gr_votca", "gr_xvg", "table_csv", "campaign_toml"):
            p = workdir / fname
            p.write_text(text)
            files[{"gr_text": "gr", "gr_votca": "votca", "gr_xvg": "xvg", "table_csv": "table",
                   "campaign_toml": "toml"}[name]] = str(p)
    (workdir / "garbage.bin").write_bytes(bytes(range(256)) * 4)
    (workdir / "empty.csv").write_text("")
    (workdir / "adir").mkdir(exist_ok=True)
    files.update(garbage=str(workdir / "garbage.bin"), empty=str(workdir / "empty.csv"),
                 dir=str(workdir / "adir"), missing=str(workdir / "missing.csv"))
    return files


def judge_cli(argv: list[str], timeout_s: float = 60.0) -> str:
    """Run the CLI in-process on ``argv``: ``accepted``, ``refused`` or ``escape: ...``.

    An escape is a traceback, the last-resort "unexpected error", an exit code other than
    0, 1 and 2, an error that is not exactly one line on stderr, or --json output that is
    not one JSON object.
    """
    import contextlib
    import io
    import signal
    import warnings

    from boltzmann_nn.cli import main

    out, err = io.StringIO(), io.StringIO()

    def alarm(signum, frame):
        raise Reached("slow")

    old = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, timeout_s)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                code = main(argv)
            except SystemExit as exc:  # argparse usage errors
                code = exc.code if isinstance(exc.code, int) else 2
    except Reached:
        return "accepted"
    except Exception as exc:  # noqa: BLE001 - what the fuzzer looks for
        return f"escape: traceback {type(exc).__name__}: {str(exc)[:100]}"
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
    lines = [ln for ln in err.getvalue().splitlines() if ln.strip()]
    if code not in (0, 1, 2):
        return f"escape: exit code {code}"
    if "unexpected error" in err.getvalue():
        return f"escape: {lines[-1][:160]}"
    if code == 2 and len([ln for ln in lines if "error" in ln]) != 1:
        return f"escape: {len(lines)} lines on stderr: {err.getvalue()[:160]!r}"
    if code == 0 and "--json" in argv:
        text = out.getvalue().strip()
        try:
            json.loads(text)
        except ValueError:
            return f"escape: --json printed no single JSON object: {text[:80]!r}"
    return "accepted" if code == 0 else "refused"


def stand_ins(monkeypatch_setattr) -> None:
    """Replace the long work behind the CLI (MD, training, Dask clusters, the demo) by
    :class:`Reached`, through ``monkeypatch_setattr(obj, name, value)``.
    """
    import dask.distributed

    from boltzmann_nn import demo as demo_job
    from boltzmann_nn.engines import lammps, openmm
    from boltzmann_nn.ml.pipeline import workflow

    def reached(*args, **kwargs):
        raise Reached("work")

    monkeypatch_setattr(lammps.LammpsEngine, "run", reached)
    monkeypatch_setattr(openmm.OpenMMEngine, "run", reached)
    monkeypatch_setattr(workflow, "train_final", reached)
    monkeypatch_setattr(workflow, "study", reached)
    monkeypatch_setattr(dask.distributed, "LocalCluster", reached)
    monkeypatch_setattr(dask.distributed, "Client", reached)
    monkeypatch_setattr(demo_job, "demo", reached)


def _tree(root: Path) -> set:
    return {str(p) for p in root.rglob("*") if "inputs" not in p.parts}


def run_cli_cases(n: int, seed: int, workdir: Path) -> dict:
    """``n`` random argument lists over every subcommand, run in ``workdir``."""
    import os

    from boltzmann_nn.cli import build_parser

    rng = np.random.default_rng(seed)
    files = cli_files(Path(workdir) / "inputs")
    commands = leaf_commands(build_parser())
    counts = {"cases": 0, "accepted": 0, "refused": 0, "escapes": 0, "commands": len(commands)}
    examples = []
    here = os.getcwd()
    os.chdir(workdir)
    try:
        for _ in range(n):
            argv = make_cli_case(commands, rng, files)
            before = _tree(Path("."))
            verdict = judge_cli(argv)
            if verdict == "refused":
                left = sorted(_tree(Path(".")) - before)
                if left:
                    verdict = f"escape: refused but left {left[:3]}"
            counts["cases"] += 1
            if verdict.startswith("escape"):
                counts["escapes"] += 1
                if len(examples) < 8:
                    examples.append(f"{verdict} <- {' '.join(repr(a) for a in argv)}")
            else:
                counts[verdict] += 1
    finally:
        os.chdir(here)
    counts["examples"] = examples
    return counts
