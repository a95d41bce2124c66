"""The NFS network (SPEC §2) in PyTorch, module by module as the engine has it (nn/*.h), with
the checkpoint's tensor names as parameter names so a checkpoint loads by name
(docs/CHECKPOINT.md).

Written the way a PyTorch research implementation would be: DiffusionNet as Sharp et al.'s
reference code does it (spectral diffusion by matmul with the basis, COO gradient operators,
torch.sparse.mm per frame), torch.nn.utils.weight_norm, nn.GroupNorm; and with the engine's
inference structure, where a prepared target caches everything that depends on the target
alone, so timings compare implementations, not algorithms.
"""
import json

import torch
import torch.nn as nn
import torch.nn.functional as F

from safetensors_io import InputError, read_safetensors


class ImageEncoder(nn.Module):
    CHANNELS = [3, 16, 16, 32, 32, 64, 64, 128, 128]

    def __init__(self, code_dim):
        super().__init__()
        c = self.CHANNELS
        self.convs = nn.ModuleList(
            nn.utils.weight_norm(nn.Conv2d(c[i], c[i + 1], 4, stride=2, padding=1)) for i in range(8))
        self.fc = nn.Linear(128, code_dim)

    def forward(self, image):  # [B, 3, 256, 256] -> [B, code]
        h = image
        for conv in self.convs:
            h = F.leaky_relu(conv(h), 0.2)
        return self.fc(h.flatten(1))


class LinearStack(nn.ModuleList):
    """Linear layers named 0, 1, ... with ReLU (and dropout in training) between them."""

    def __init__(self, sizes, bias, dropout=0.0):
        super().__init__(nn.Linear(a, b, bias=bias) for a, b in zip(sizes[:-1], sizes[1:]))
        self.dropout = dropout

    def forward(self, x):
        for i, layer in enumerate(self):
            x = layer(x)
            if i + 1 < len(self):
                x = F.dropout(F.relu(x), self.dropout, self.training)
        return x


class Operators:
    """One mesh's spectral operators as DiffusionNet consumes them, on the device."""

    def __init__(self, t, prefix, device, dtype=torch.float32):
        get = lambda name: t[prefix + name].to(device, dtype)  # noqa: E731
        self.mass, self.evals = get("mass"), get("evals")
        # A leading batch dim of 1, as DiffusionNet's reference code has: matmul then broadcasts
        # the basis over the frames without copying it (a 2-D basis makes matmul fold and copy).
        self.evecs = get("evecs").unsqueeze(0)
        self.grad_x, self.grad_y = (self._sparse(t, prefix + g, self.mass.numel()).to(device, dtype)
                                    for g in ("grad_x", "grad_y"))

    @staticmethod
    def _sparse(t, name, n):
        # COO, as DiffusionNet's reference code builds gradX / gradY.
        indptr, cols = t[name + ".indptr"].long(), t[name + ".indices"].long()
        rows = torch.repeat_interleave(torch.arange(n), indptr[1:] - indptr[:-1])
        return torch.sparse_coo_tensor(torch.stack([rows, cols]), t[name + ".values"], (n, n)).coalesce()


def sparse_apply(s, x):
    """S x per frame of x [B, V, C], as DiffusionNet's reference code loops over the batch."""
    return torch.stack([torch.sparse.mm(s, x[b]) for b in range(x.shape[0])])


class GradientFeatures(nn.Module):
    def __init__(self, width):
        super().__init__()
        self.A_re = nn.Linear(width, width, bias=False)
        self.A_im = nn.Linear(width, width, bias=False)

    def forward(self, gx, gy):
        b_re = self.A_re(gx) - self.A_im(gy)
        b_im = self.A_re(gy) + self.A_im(gx)
        return torch.tanh(gx * b_re + gy * b_im)


class DiffusionBlock(nn.Module):
    def __init__(self, width, dropout):
        super().__init__()
        self.diffusion_time = nn.Parameter(torch.zeros(width))
        self.grad_features = GradientFeatures(width)
        self.mlp = LinearStack([3 * width, width, width, width], True, dropout)

    def forward(self, x, ops):
        with torch.no_grad():  # the reference clamps the parameter itself before each use
            self.diffusion_time.clamp_(min=1e-8)
        spec = torch.matmul(ops.evecs.transpose(-2, -1), x * ops.mass.unsqueeze(-1))  # Φᵀ M x: [B, K, W]
        coefs = torch.exp(-ops.evals.unsqueeze(-1) * self.diffusion_time.unsqueeze(0))
        xd = torch.matmul(ops.evecs, coefs * spec)
        features = self.grad_features(sparse_apply(ops.grad_x, xd), sparse_apply(ops.grad_y, xd))
        return x + self.mlp(torch.cat([x, xd, features], dim=-1))


class DiffusionNet(nn.Module):
    def __init__(self, c_in, c_out, width, blocks, dropout):
        super().__init__()
        self.first_lin = nn.Linear(c_in, width)
        self.blocks = nn.ModuleList(DiffusionBlock(width, dropout) for _ in range(blocks))
        self.last_lin = nn.Linear(width, c_out)

    def forward(self, x, ops):  # [B, V, C_in] -> [B, V, C_out]
        h = self.first_lin(x)
        for block in self.blocks:
            h = block(h, ops)
        return self.last_lin(h)


def vertex_mean(x, mass):  # mass-weighted mean over vertices: [B, V, C] -> [B, C]
    return (x * mass.unsqueeze(-1)).sum(dim=-2) / mass.sum()


class Skinning(nn.Module):
    def __init__(self, segments, hidden, code_dim):
        super().__init__()
        self.mlp = LinearStack([segments, hidden, hidden, code_dim], False)


def weight_times(w, h):
    """W h for channels-first h [B, C, V]: [1, out, C] broadcasts over frames without a copy."""
    return torch.matmul(w.unsqueeze(0), h)


class Decoder(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        H, n = cfg["decoder_hidden"], cfg["decoder_hidden_layers"]
        self.linears = nn.ModuleList(
            nn.Linear(6 + 3 * cfg["code_dim"] if i == 0 else H, H, bias=False) for i in range(n))
        self.norms = nn.ModuleList(nn.GroupNorm(cfg["decoder_groups"], H) for _ in range(n))
        self.out = nn.Linear(H, 3)

    def tail(self, h):
        """GroupNorm-ReLU after the first product, the other hidden layers, the output.

        Channels-first [B, C, V] so nn.GroupNorm takes its statistics per mesh over the group's
        channels and all vertices (SPEC §2) without transposing copies; Linear layers as W h.
        """
        for i, norm in enumerate(self.norms):
            if i > 0:
                h = weight_times(self.linears[i].weight, h)
            h = F.relu(norm(h), inplace=True)
        return (weight_times(self.out.weight, h) + self.out.bias.unsqueeze(-1)).transpose(1, 2)


class NfsNetwork(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        D, W, p = cfg["code_dim"], cfg["width"], cfg["dropout"]
        self.cfg = cfg
        self.image_encoder = ImageEncoder(D)
        self.id_encoder = DiffusionNet(6 + D, D, W, cfg["id_blocks"], p)
        self.exp_encoder = DiffusionNet(6 + D, D, cfg.get("exp_width", 0) or W, cfg["exp_blocks"], p)
        if cfg["skinning"]:
            self.skin_encoder = DiffusionNet(6 + D, cfg["segments"], W, cfg["skin_blocks"], p)
            self.skinning = Skinning(cfg["segments"], cfg["skin_hidden"], D)
        self.decoder = Decoder(cfg)

    @staticmethod
    def features(positions, normals, c):  # [B, V, 6 + code]
        B, V, _ = positions.shape
        return torch.cat([positions, normals, c.unsqueeze(1).expand(B, V, c.shape[1])], dim=-1)

    def encode(self, positions, normals, images, ops):
        """z_GE [B, code] of source frames sharing one mesh's operators (and their image codes)."""
        c = self.image_encoder(images)
        return vertex_mean(self.exp_encoder(self.features(positions, normals, c), ops), ops.mass), c

    def prepare_target(self, positions, normals, image, ops):
        """What depends on the target alone, once: c, z_ID, z_Skin, ω, the first layer's target term."""
        t = {}
        t["c"] = self.image_encoder(image)
        x = self.features(positions, normals, t["c"])
        t["z_id"] = vertex_mean(self.id_encoder(x, ops), ops.mass)
        if self.cfg["skinning"]:
            t["z_skin"] = torch.sigmoid(self.skin_encoder(x, ops))
            t["omega"] = self.skinning.mlp(t["z_skin"])
            t["omega_cf"] = t["omega"].transpose(1, 2).contiguous()  # channels-first for the decoder
        first = self.decoder.linears[0].weight
        cols = 6 + 2 * self.cfg["code_dim"]
        term_input = torch.cat([x, t["z_id"].unsqueeze(1).expand(x.shape[0], x.shape[1], -1)], dim=-1)
        if not self.cfg.get("decoder_target_codes", True):
            term_input[..., 6:] = 0  # c_tgt and z_ID enter the decoder as zeros (CPU preset)
        t["term"] = weight_times(first[:, :cols], term_input.transpose(1, 2))  # [1, H, V]
        t["w_le"] = first[:, cols:].contiguous()
        return t

    def decode(self, t, z_ge):
        """Δv [B, V, 3]: z_LE = ω ⊙ z_GE per vertex into the first layer, then the decoder."""
        if "omega_cf" in t:
            h = t["term"] + weight_times(t["w_le"], t["omega_cf"] * z_ge.unsqueeze(-1))
        else:  # ablation: ω ≡ 1, z_LE = z_GE on every vertex
            h = t["term"] + torch.matmul(z_ge, t["w_le"].t()).unsqueeze(-1)
        return self.decoder.tail(h)


def load_network(path, device):
    """The checkpoint's network (its configuration from the metadata), in inference mode."""
    tensors, metadata = read_safetensors(path)
    if "config" not in metadata:
        raise InputError(f"{path}: no model configuration in the metadata (not an NFS checkpoint)")
    net = NfsNetwork(json.loads(metadata["config"]))
    # weight_norm keeps weight_g / weight_v as parameters, so the checkpoint loads by name.
    try:
        net.load_state_dict(tensors, strict=True)
    except RuntimeError as e:
        raise InputError(f"{path}: does not match the network its configuration builds: {str(e).splitlines()[0]}")
    return net.eval().to(device)
