"""embedlab.viz plots: reproducible bytes, legends that name the classes, density counts that add
up (against a brute-force count), clear errors."""

import sys

import numpy as np
import pytest

pytest.importorskip("matplotlib")

from matplotlib.colors import to_rgba
from matplotlib.figure import Figure

from embedlab.exceptions import InvalidInputError, MissingExtraError
from embedlab.viz import density_grid, figure_format, plot_map, save_figure
from embedlab.viz._plot import _MISSING, _OTHER


def two_blobs(n=300, seed=0):
    rng = np.random.default_rng(seed)
    lab = rng.integers(0, 2, n)
    xy = rng.normal(size=(n, 2)) + 4 * lab[:, None]
    return xy, np.where(lab == 1, "b", "a").astype(object)


def legend_texts(fig):
    return [t.get_text() for t in fig.axes[0].get_legend().get_texts()]


# -- reproducible files -------------------------------------------------------------------------
@pytest.mark.parametrize("suffix", [".png", ".svg", ".pdf"])
def test_same_input_gives_the_same_bytes(tmp_path, suffix):
    xy, lab = two_blobs()
    a = save_figure(plot_map(xy, lab, title="t"), tmp_path / f"a{suffix}").read_bytes()
    b = save_figure(plot_map(xy, lab, title="t"), tmp_path / f"b{suffix}").read_bytes()
    assert a == b
    # no date stamp at all (a PDF's is to the second: equal bytes alone would not show it)
    assert b"CreationDate" not in a and b"<dc:date>" not in a
    other = save_figure(plot_map(xy, lab, title="t", seed=1), tmp_path / f"c{suffix}")
    assert other.read_bytes() != a  # the seed (drawing order) is really used: not a constant file


def test_png_has_the_figure_size_in_pixels_and_no_software_stamp(tmp_path):
    import matplotlib.image

    out = save_figure(plot_map(*two_blobs(), figsize=(3.2, 2.4), dpi=100), tmp_path / "m.png")
    assert matplotlib.image.imread(out).shape == (240, 320, 4)
    assert b"Software" not in out.read_bytes() and b"matplotlib" not in out.read_bytes().lower()


def test_save_refuses_to_replace_a_file_and_unknown_suffixes(tmp_path):
    fig = plot_map(*two_blobs(50))
    save_figure(fig, tmp_path / "m.png")
    with pytest.raises(FileExistsError, match="already exists; pass overwrite=True"):
        save_figure(fig, tmp_path / "m.png")
    save_figure(fig, tmp_path / "m.png", overwrite=True)
    with pytest.raises(InvalidInputError, match=r"Unknown figure file type '\.jpg'.*\.png, \.svg"):
        save_figure(fig, tmp_path / "m.jpg")
    assert figure_format("A.SVG") == "svg"


# -- categorical colours ------------------------------------------------------------------------
def test_the_legend_lists_the_classes():
    xy, lab = two_blobs()
    assert legend_texts(plot_map(xy, lab)) == ["a", "b"]
    ints = np.array([3, 1, 2, 1, 3, 10])
    fig = plot_map(np.random.default_rng(0).normal(size=(6, 2)), ints, label_name="group")
    assert legend_texts(fig) == ["1", "2", "3", "10"]  # numeric order, not text order
    assert fig.axes[0].get_legend().get_title().get_text() == "group"


def test_beyond_max_classes_the_rarest_are_grey_other():
    # class c appears c + 1 times: the 3 most frequent are 7, 8, 9
    lab = np.repeat(np.arange(10), np.arange(1, 11))
    xy = np.random.default_rng(0).normal(size=(len(lab), 2))
    fig = plot_map(xy, lab, max_classes=3)
    assert legend_texts(fig) == ["7", "8", "9", "other (7 classes)"]
    # the grey "other" points are drawn first, under the coloured ones
    colours = fig.axes[0].collections[0].get_facecolors()
    n_other = int((lab < 7).sum())
    assert np.allclose(colours[:n_other], to_rgba(_OTHER))
    assert not np.isclose(colours[n_other:], to_rgba(_OTHER)).all(axis=1).any()
    # each coloured point has its class's legend colour
    handles = fig.axes[0].get_legend().legend_handles
    legend_colour = {h.get_label(): to_rgba(h.get_color()) for h in handles}
    assert {tuple(c) for c in colours[n_other:]} == {legend_colour[k] for k in ("7", "8", "9")}


def test_missing_labels_are_listed_last():
    lab = np.array(["x", None, "y", None], dtype=object)
    fig = plot_map(np.arange(8.0).reshape(4, 2), lab)
    assert legend_texts(fig) == ["x", "y", "(no label)"]
    colours = fig.axes[0].collections[0].get_facecolors()
    assert np.allclose(colours[:2], to_rgba(_MISSING))


def test_continuous_labels_get_a_colour_bar_over_their_range():
    rng = np.random.default_rng(0)
    xy, values = rng.normal(size=(100, 2)), rng.uniform(-3, 5, 100)
    fig = plot_map(xy, values, label_name="degree")
    assert fig.axes[0].get_legend() is None
    bar = fig.axes[1]
    assert bar.get_ylabel() == "degree"
    assert bar.get_ylim() == pytest.approx((values.min(), values.max()))
    # integers are classes unless told otherwise
    assert plot_map(xy, (values > 0).astype(int)).axes[0].get_legend() is not None
    assert len(plot_map(xy, (values > 0).astype(int), categorical=False).axes) == 2


def test_draws_into_given_axes():
    fig = Figure()
    left, right = fig.subplots(1, 2)
    assert plot_map(*two_blobs(40), ax=right, title="right") is fig
    assert right.get_title() == "right" and len(right.collections) == 1
    assert not left.collections


# -- density ------------------------------------------------------------------------------------
def brute_force_counts(xy, nx, ny, extent):
    """Count by comparing every point with every pixel's edges (the last edge inclusive)."""
    x0, x1, y0, y1 = extent
    ex, ey = np.linspace(x0, x1, nx + 1), np.linspace(y0, y1, ny + 1)
    out = np.zeros((ny, nx), np.int64)
    for x, y in xy:
        for j in range(ny):
            in_y = ey[j] <= y < ey[j + 1] or (j == ny - 1 and y == y1)
            for i in range(nx):
                if in_y and (ex[i] <= x < ex[i + 1] or (i == nx - 1 and x == x1)):
                    out[j, i] += 1
    return out


def test_density_grid_equals_a_brute_force_count():
    rng = np.random.default_rng(3)
    xy = np.vstack([rng.normal(size=(300, 2)), [[-1.0, -1.0], [1.0, 1.0], [2.0, 0.0]]])
    extent = (-1.0, 1.0, -1.0, 1.0)  # some points outside, some on the upper edges
    counts, ext = density_grid(xy, bins=(7, 5), extent=extent)
    assert ext == extent
    assert counts.tolist() == brute_force_counts(xy, 7, 5, extent).tolist()
    inside = ((np.abs(xy) <= 1).all(axis=1)).sum()
    assert counts.sum() == inside < len(xy)


def test_points_far_outside_the_extent_are_left_out_without_overflow():
    xy = np.array([[0.5, 0.5], [1e20, 0.5], [-1e300, -1e300], [0.25, 0.75]])
    counts, _ = density_grid(xy, bins=(4, 4), extent=(0, 1, 0, 1))  # warnings are errors here
    assert counts.sum() == 2 and counts[2, 2] == 1 and counts[3, 1] == 1


def test_density_counts_every_point_once_per_category():
    rng = np.random.default_rng(1)
    xy = rng.normal(size=(5000, 2)) * [3, 1]
    cats = rng.integers(0, 4, len(xy))
    total, ext = density_grid(xy, bins=64)
    assert total.sum() == len(xy)  # the default extent holds every point
    per, ext2 = density_grid(xy, bins=64, categories=cats)
    assert ext2 == ext and per.shape == (4, 64, 64)
    assert (per.sum(axis=0) == total).all()
    assert per.sum(axis=(1, 2)).tolist() == np.bincount(cats).tolist()
    for c in range(4):
        assert (per[c] == density_grid(xy[cats == c], bins=64, extent=ext)[0]).all()


def test_density_image_shows_exactly_the_occupied_pixels():
    rng = np.random.default_rng(2)
    xy, lab = rng.normal(size=(2000, 2)), rng.integers(0, 3, 2000)
    for labels in (None, lab, lab * 0.5):
        fig = plot_map(xy, labels, density="always", bins=80)
        (image,) = fig.axes[0].images
        rgba = np.asarray(image.get_array())
        ny, nx = rgba.shape[:2]
        assert max(nx, ny) == 80
        counts, _ = density_grid(xy, bins=(nx, ny))
        assert counts.sum() == len(xy)
        assert ((rgba[..., 3] > 0) == (counts > 0)).all()
        # denser pixels are never more transparent (equalised shading is monotone)
        order = np.argsort(counts[counts > 0], kind="stable")
        assert (np.diff(rgba[..., 3][counts > 0][order]) >= -1e-12).all()
    assert not plot_map(xy, density="never").axes[0].images
    assert not plot_map(xy, density="auto", density_threshold=2000).axes[0].images
    assert plot_map(xy, density="auto", density_threshold=1999).axes[0].images


def test_density_legend_still_names_the_classes():
    xy, lab = two_blobs(500)
    assert legend_texts(plot_map(xy, lab, density="always", bins=32)) == ["a", "b"]


# -- errors -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"coords": np.zeros((3, 3))}, r"'coords' must have shape \(n, 2\).*\(3, 3\)"),
        ({"coords": [[0.0, np.nan]]}, "'coords' holds NaN or infinite"),
        ({"labels": [1, 2]}, r"'labels' must hold one label per point \(4\)"),
        ({"density": "maybe"}, "'density' must be one of auto, always, never; got 'maybe'"),
        ({"shade": "linear"}, "'shade' must be one of eq_hist, log"),
        ({"max_classes": 0}, "'max_classes' must be at least 1"),
        ({"point_size": -1}, "'point_size' must be positive"),
        ({"labels": ["a", "b", "c", "d"], "categorical": False}, "'labels' are not numbers"),
    ],
)
def test_plot_map_errors(kwargs, message):
    args = {"coords": np.zeros((4, 2)), **kwargs}
    with pytest.raises(InvalidInputError, match=message):
        plot_map(args.pop("coords"), **args)


def test_density_grid_errors():
    xy = np.zeros((3, 2))
    with pytest.raises(InvalidInputError, match=r"'categories' must lie in \[0, 2\)"):
        density_grid(xy, categories=[0, 1, 2], n_categories=2)
    with pytest.raises(InvalidInputError, match="'categories' must be 3 integer codes"):
        density_grid(xy, categories=[0.5, 1, 2])
    with pytest.raises(InvalidInputError, match="'extent' must have xmin < xmax"):
        density_grid(xy, extent=(1, 0, 0, 1))
    with pytest.raises(InvalidInputError, match="'bins' must be positive"):
        density_grid(xy, bins=0)


def test_without_matplotlib_the_error_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(MissingExtraError, match=r"Plots need .*pip install 'embedlab\[plot\]'"):
        plot_map(np.zeros((2, 2)))
