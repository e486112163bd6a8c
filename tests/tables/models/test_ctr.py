"""CTR models on field vectors: DeepFM and DCN-v2 against their formulas."""

from __future__ import annotations

import pytest
import torch

from embedlab.exceptions import InvalidInputError
from embedlab.tables import DCNv2, DeepFM, make_ctr_model


def test_deepfm_is_the_fm_formula_plus_the_mlp() -> None:
    net = DeepFM(num_fields=4, field_dim=5, hidden=(6,), random_state=0)
    fields = torch.randn(3, 4, 5, generator=torch.Generator().manual_seed(0))
    v, w = fields[..., :4], fields[..., 4]
    pair = torch.zeros(3)
    for i in range(4):
        for j in range(i + 1, 4):
            pair += (v[:, i] * v[:, j]).sum(1)
    deep = net.out(net.deep(v.reshape(3, -1))).squeeze(1)
    torch.testing.assert_close(net(fields), net.bias + w.sum(1) + pair + deep)


def test_dcnv2_is_the_cross_recursion() -> None:
    net = DCNv2(num_fields=2, field_dim=3, cross_layers=2, hidden=(4,), random_state=1)
    fields = torch.randn(5, 2, 3, generator=torch.Generator().manual_seed(1))
    x0 = fields.reshape(5, 6)
    x = x0
    for layer in net.cross:
        x = x0 * (x @ layer.weight.T + layer.bias) + x
    torch.testing.assert_close(net(fields), net.out(net.deep(x)).squeeze(1))


def test_ctr_models_are_seeded() -> None:
    a = make_ctr_model("dcnv2", num_fields=3, field_dim=4, random_state=5)
    b = make_ctr_model("dcnv2", num_fields=3, field_dim=4, random_state=5)
    for pa, pb in zip(a.parameters(), b.parameters(), strict=True):
        assert torch.equal(pa, pb)
    with pytest.raises(
        InvalidInputError, match=r"^Unknown CTR model 'lr'; choose one of: dcnv2, deepfm\.$"
    ):
        make_ctr_model("lr", num_fields=3, field_dim=4)
    with pytest.raises(InvalidInputError, match=r"^DeepFM needs field_dim >= 2"):
        DeepFM(num_fields=3, field_dim=1)
