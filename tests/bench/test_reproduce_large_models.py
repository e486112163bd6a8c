"""The large-model reproductions: the generated task is what it says, quick runs compute both sides."""

import numpy as np
import pytest

pytest.importorskip("torch")

from embedlab.bench.reproduce.large_models import (
    MemoryFormerReproduction,
    MoTReproduction,
    mot_step_shares,
    two_modality_data,
)
from embedlab.layers import TrainingCurve


def test_the_two_modality_sequences_interleave_text_image_text():
    train, valid, vocab = two_modality_data(n_train=300, n_valid=50)
    assert vocab == 96 and train.tokens.shape == (300, 48) and valid.tokens.shape == (50, 48)
    assert (train.modality == (train.tokens >= 32)).all()
    assert (train.modality[:, :16] == 0).all() and (train.modality[:, 16:32] == 1).all()
    assert (train.modality[:, 32:] == 0).all()
    a, b, _ = two_modality_data(n_train=20, n_valid=5)
    c, d, _ = two_modality_data(n_train=20, n_valid=5)
    assert np.array_equal(a.tokens, c.tokens) and np.array_equal(b.tokens, d.tokens)


def test_step_shares_read_both_curves():
    dense = TrainingCurve(steps=[10, 20], val_loss=[2, 1], val_loss_by_modality=[[2, 3], [1, 2]])
    mot = TrainingCurve(steps=[10, 20], val_loss=[1, 1], val_loss_by_modality=[[1, 3], [1, 2.5]])
    assert mot_step_shares(mot, dense) == [0.5, 1.0]  # text at step 10; image never


@pytest.mark.slow
def test_the_mot_quick_run_computes_both_sides():
    r = MoTReproduction().run(seeds=1, quick=True)
    assert r.seeds == 1 and not r.higher_is_better and r.reference == 0.70
    assert 0.0 < r.ours <= 1.0


@pytest.mark.slow
@pytest.mark.data
def test_the_memoryformer_quick_run_computes_both_sides(data_dir):
    r = MemoryFormerReproduction().run(seeds=1, quick=True)
    assert r.seeds == 1 and not r.higher_is_better
    # both learn: below the loss of a uniform guess over the 100-odd characters (log 117 = 4.76)
    assert 1.0 < r.ours < 4.0 and 1.0 < r.reference < 4.0 * 1.05
