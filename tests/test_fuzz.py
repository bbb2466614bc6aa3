"""A seeded sample of the fuzz harness (benchmarks/fuzz_inputs.py runs 10,000 per reader):
every malformed input ends in one line naming the input, exit 2 — no escapes."""

import pytest

from . import fuzzcases as fz


@pytest.mark.parametrize("name", sorted(fz.readers()))
def test_readers_have_no_escapes(name, tmp_path):
    n = 40 if name == "model_card" else 250
    counts = fz.run_reader_cases(name, n, seed=11, workdir=tmp_path)
    assert counts["escapes"] == 0, counts["examples"]
    assert counts["refused"] > 0


def test_cli_arguments_have_no_escapes(tmp_path, monkeypatch):
    fz.stand_ins(monkeypatch.setattr)
    counts = fz.run_cli_cases(400, seed=11, workdir=tmp_path)
    assert counts["escapes"] == 0, counts["examples"]
    assert counts["accepted"] > 0 and counts["refused"] > 0


def test_the_known_escapes_stay_fixed(tmp_path, capsys):
    from boltzmann_nn.cli import main

    table = tmp_path / "table.csv"
    table.write_text("r,U,F\n" + "\n".join(f"{0.5 + 0.1 * i},{1 - 0.1 * i}" for i in range(8)) + "\n")
    assert main(["virial", str(table)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "table.csv" in err[0] and "header names 3 columns" in err[0]
    votca = tmp_path / "CG-CG.dist.tgt"
    votca.write_text("".join(f"{0.1 * i:.2f} {min(1.0, 0.1 * i):.3f} i\n" for i in range(40)))
    assert main(["invert", str(votca), "--density", "0.5", "--json"]) == 0


def test_unexpected_errors_are_one_line_unless_debug(monkeypatch, capsys):
    from boltzmann_nn import api
    from boltzmann_nn.cli import main

    def boom(*args, **kwargs):
        raise RuntimeError("something\nbroke")

    monkeypatch.setattr(api, "virial", boom)
    assert main(["virial", "lj"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["boltzmann-nn virial: unexpected error: RuntimeError: something broke "
                   "(run with --debug for the traceback)"]
    with pytest.raises(RuntimeError):
        main(["virial", "lj", "--debug"])
