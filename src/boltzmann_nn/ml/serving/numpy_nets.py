"""The networks' forward passes in NumPy, from the weights of a model file: what the shipped
models need to predict, without PyTorch.

Each class mirrors a module of :mod:`boltzmann_nn.ml.nets` layer by layer and reads its
weights under the same state-dict keys, checking every shape against the configuration;
weights the configuration does not use are refused, as ``load_state_dict`` refuses them.
The arithmetic is float64 (PyTorch's is float32): the inputs are the same float32 arrays,
so the two differ by float32 rounding only (docs/networks.md, "NumPy inference").
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from scipy.special import erf

from ..nets.architectures import ArchConfig
from ..nets.eos_heads import ArrayOps, eos_head
from ..nets.outputs import residual_gate
from ..tasks.features import U_SCALE


def softplus(x):
    """PyTorch's softplus (β = 1, linear above 20)."""
    return np.where(x > 20.0, x, np.log1p(np.exp(np.minimum(x, 20.0))))


def gelu(x):
    """PyTorch's GELU (exact, with erf)."""
    return 0.5 * x * (1.0 + erf(x / np.sqrt(2.0)))


#: The array namespace the EOS heads compute with (:class:`boltzmann_nn.ml.nets.eos_heads.ArrayOps`).
NUMPY_OPS = ArrayOps(concat=np.concatenate, stack=np.stack, sum=np.sum, sinh=np.sinh, tanh=np.tanh,
                     asinh=np.arcsinh)
ACTIVATIONS = {"gelu": gelu, "relu": lambda x: np.maximum(x, 0.0), "tanh": np.tanh, "softplus": softplus}


class Weights:
    """A state dict as float64 arrays; each read checks the shape and is remembered."""

    def __init__(self, state: dict, prefix: str = "", used: set | None = None):
        self.state, self.prefix = state, prefix
        self.used = set() if used is None else used

    def sub(self, name) -> Weights:
        return Weights(self.state, f"{self.prefix}{name}.", self.used)

    def take(self, name: str, shape: tuple) -> np.ndarray:
        key = self.prefix + name
        if key not in self.state:
            raise KeyError(f"missing weights {key}")
        value = np.asarray(self.state[key], dtype=np.float64)
        if value.shape != tuple(shape):
            raise ValueError(f"weights {key} have shape {value.shape}, the configuration needs {tuple(shape)}")
        self.used.add(key)
        return value

    def check_all_used(self) -> None:
        extra = sorted(set(self.state) - self.used)
        if extra:
            raise KeyError(f"unexpected weights {extra[0]}")


class Linear:
    def __init__(self, w: Weights, n_in: int, n_out: int):
        self.weight, self.bias = w.take("weight", (n_out, n_in)), w.take("bias", (n_out,))

    def __call__(self, x):
        return x @ self.weight.T + self.bias


class Conv1d:
    def __init__(self, w: Weights, c_in: int, c_out: int, kernel: int, stride: int = 1, padding: int = 0):
        self.weight = w.take("weight", (c_out, c_in, kernel))
        self.bias = w.take("bias", (c_out,))
        self.stride, self.padding, self.kernel = stride, padding, kernel

    def __call__(self, x):  # (b, c, n) -> (b, c_out, n_out)
        xp = np.pad(x, ((0, 0), (0, 0), (self.padding, self.padding)))
        windows = sliding_window_view(xp, self.kernel, axis=2)[:, :, :: self.stride]  # (b, c, t, k)
        return np.einsum("bctk,ock->bot", windows, self.weight) + self.bias[None, :, None]


def max_pool2(x):
    """MaxPool1d(2, ceil_mode=True)."""
    if x.shape[-1] % 2:
        x = np.concatenate([x, np.full(x.shape[:-1] + (1,), -np.inf)], axis=-1)
    return x.reshape(*x.shape[:-1], -1, 2).max(axis=-1)


def interpolate_linear(x, size: int):
    """``interpolate(mode="linear", align_corners=False)`` along the last axis."""
    n = x.shape[-1]
    src = np.maximum((np.arange(size) + 0.5) * (n / size) - 0.5, 0.0)
    i0 = np.minimum(np.floor(src).astype(int), n - 1)
    i1 = np.minimum(i0 + 1, n - 1)
    lam = src - i0
    return x[..., i0] * (1.0 - lam) + x[..., i1] * lam


class DenseBranch:
    def __init__(self, w: Weights, n_points: int, cfg: ArchConfig):
        self.act, size, self.layers = ACTIVATIONS[cfg.activation], n_points, []
        for i in range(cfg.depth):
            self.layers.append(Linear(w.sub(f"net.{1 + 2 * i}"), size, cfg.width))
            size = cfg.width
        self.out_features = size

    def __call__(self, x):
        x = x.reshape(x.shape[0], -1)
        for layer in self.layers:
            x = self.act(layer(x))
        return x


class ConvBranch:
    def __init__(self, w: Weights, n_points: int, cfg: ArchConfig):
        self.act, self.layers, ch, n = ACTIVATIONS[cfg.activation], [], 1, n_points
        for i in range(cfg.depth):
            out = cfg.filters * (2 ** min(i, 2))
            self.layers += [Conv1d(w.sub(f"net.{4 * i}"), ch, out, cfg.kernel, padding=cfg.kernel // 2),
                            Conv1d(w.sub(f"net.{4 * i + 2}"), out, out, 3, stride=2, padding=1)]
            ch, n = out, (n + 1) // 2
        self.out_features = ch * n

    def __call__(self, x):
        for layer in self.layers:
            x = self.act(layer(x))
        return x.reshape(x.shape[0], -1)


class UNetBranch:
    def __init__(self, w: Weights, in_ch: int, cfg: ArchConfig):
        k, p = cfg.kernel, cfg.kernel // 2
        self.act = ACTIVATIONS[cfg.activation]
        chans = [cfg.filters * 2**i for i in range(cfg.depth + 1)]
        self.enc, ch = [], in_ch
        for i, c in enumerate(chans[:-1]):
            self.enc.append((Conv1d(w.sub(f"enc.{i}.0"), ch, c, k, padding=p),
                             Conv1d(w.sub(f"enc.{i}.2"), c, c, k, padding=p)))
            ch = c
        self.bottom = Conv1d(w.sub("bottom.0"), ch, chans[-1], k, padding=p)
        self.dec, ch = [], chans[-1]
        for i, c in enumerate(reversed(chans[:-1])):
            self.dec.append((Conv1d(w.sub(f"dec.{i}.0"), ch + c, c, k, padding=p),
                             Conv1d(w.sub(f"dec.{i}.2"), c, c, k, padding=p)))
            ch = c
        self.out_channels = ch

    def _block(self, convs, x):
        for conv in convs:
            x = self.act(conv(x))
        return x

    def __call__(self, x):
        skips = []
        for convs in self.enc:
            x = self._block(convs, x)
            skips.append(x)
            x = max_pool2(x)
        x = self.act(self.bottom(x))
        for convs, skip in zip(self.dec, reversed(skips)):
            x = interpolate_linear(x, skip.shape[-1])
            x = self._block(convs, np.concatenate([x, skip], axis=1))
        return x


class UNetEncoder:
    def __init__(self, w: Weights, n_points: int, cfg: ArchConfig):
        self.unet = UNetBranch(w.sub("unet"), 1, cfg)
        self.reduce = Conv1d(w.sub("reduce"), self.unet.out_channels, 4, 1)
        self.out_features = 4 * n_points

    def __call__(self, x):
        return self.reduce(self.unet(x)).reshape(x.shape[0], -1)


BRANCHES = {"DN": DenseBranch, "CN": ConvBranch, "UN": UNetEncoder}


def branch(w: Weights, n_points: int, cfg: ArchConfig):
    if cfg.arch not in BRANCHES:
        raise ValueError(f"no NumPy inference for architecture {cfg.arch!r} (known: {list(BRANCHES)})")
    return BRANCHES[cfg.arch](w, n_points, cfg)


class Encoder:
    """One branch per input channel, scalar extras joined after them, a dense head."""

    def __init__(self, w: Weights, n_channels: int, n_extra: int, n_out: int, cfg: ArchConfig,
                 n_points: int = 50):
        self.act = ACTIVATIONS[cfg.activation]
        self.branches = [branch(w.sub(f"branches.{i}"), n_points, cfg) for i in range(n_channels)]
        size = sum(b.out_features for b in self.branches) + n_extra
        self.head = []
        for j in range(cfg.head_depth):
            self.head.append(Linear(w.sub(f"head.{2 * j}"), size, cfg.head_width))
            size = cfg.head_width
        self.out = Linear(w.sub(f"head.{2 * cfg.head_depth}"), size, n_out)

    def __call__(self, x, extra=None):
        feats = [b(x[:, i : i + 1]) for i, b in enumerate(self.branches)]
        h = np.concatenate(feats + ([extra] if extra is not None else []), axis=1)
        for layer in self.head:
            h = self.act(layer(h))
        return self.out(h)


class PointNet:
    """Per-point output (b, n) from (b, c, n) plus scalar extras (see ``nets.models.PointNet``)."""

    def __init__(self, w: Weights, n_channels: int, n_extra: int, cfg: ArchConfig, n_points: int = 50):
        self.unet = cfg.arch == "UN"
        if self.unet:
            self.net = UNetBranch(w.sub("unet"), n_channels + n_extra, cfg)
            self.out = Conv1d(w.sub("out"), self.net.out_channels, 1, 1)
        else:
            self.net = Encoder(w.sub("encoder"), n_channels, n_extra, n_points, cfg, n_points)

    def __call__(self, x, extra):
        if self.unet:
            x = np.concatenate([x, np.repeat(extra[:, :, None], x.shape[-1], axis=2)], axis=1)
            return self.out(self.net(x))[:, 0]
        return self.net(x, extra)


def _f64(a):
    return np.asarray(a, dtype=np.float32).astype(np.float64)


class NumpyEOSNet:
    """``nets.heads.EOSNet`` in NumPy: ``predict(inputs)`` -> βP (n,), ``coefficients``; the
    output head (:mod:`boltzmann_nn.ml.nets.eos_heads`) is the same unit, computing in NumPy.
    """

    def __init__(self, cfg, state: dict):
        self.flags, self.exact_b2 = cfg.flags, cfg.exact_b2
        self.head = eos_head(cfg.strategy, self.flags, cfg.exact_b2)
        n_extra, n_out = self.head.n_scalar_inputs(self.flags), self.head.n_outputs(cfg.n_virial, cfg.exact_b2)
        w = Weights(state)
        self.encoder = Encoder(w.sub("encoder"), 2 if self.flags.force else 1, n_extra, n_out, cfg.arch)
        w.check_all_used()

    def _outputs(self, inputs: dict, density):
        b2, p0 = (_f64(inputs[k]) if k in inputs else None for k in ("b2", "p0"))
        extra = self.head.scalar_inputs(NUMPY_OPS, self.flags, density, b2, p0)
        return self.encoder(_f64(inputs["x"]), extra), b2

    def coefficients(self, inputs: dict) -> np.ndarray:
        """Virial coefficients B2…Bn, shape (n, n_virial − 1) (heads with coefficients)."""
        if not self.head.has_coefficients:
            raise ValueError(f"the {self.head.name} strategy has no virial coefficients")
        o, b2 = self._outputs(inputs, None)
        return self.head.coefficients(NUMPY_OPS, o, b2, self.flags, self.exact_b2)

    def predict(self, inputs: dict) -> np.ndarray:
        """βP, shape (n,)."""
        rho = _f64(inputs["density"])
        o, b2 = self._outputs(inputs, rho)
        return self.head.pressure(NUMPY_OPS, o, rho, b2, self.flags, self.exact_b2)


class NumpyInverseNet:
    """``nets.heads.InverseNet`` in NumPy: ``predict(inputs)`` -> Û (n, 50) [k_BT]."""

    def __init__(self, cfg, state: dict):
        flags = cfg.flags
        self.exp_output = flags.exp_output
        self.base_channel = None if not flags.residual else (1 if flags.hnc_input else 0)
        self.residual_scale = cfg.residual_scale
        self.density_gate = flags.density_gate
        self.u0_scale = U_SCALE if flags.boltzmann_input else None  # option b: the first channel is U0
        w = Weights(state)
        self.net = PointNet(w.sub("net"), 2 if flags.hnc_input else 1, 1, cfg.arch)
        w.check_all_used()

    def predict(self, inputs: dict) -> np.ndarray:
        x, rho = _f64(inputs["x"]), _f64(inputs["density"])
        o = self.net(x, rho[:, None])
        if self.exp_output:
            return -np.log(softplus(o) + 1e-12)
        if self.base_channel is not None:
            if self.density_gate:
                o = o * residual_gate(x[:, 0], rho, np.exp, lambda a: np.minimum(a, 1.0), self.u0_scale)
            return U_SCALE * x[:, self.base_channel] + self.residual_scale * o
        return 10.0 * o
